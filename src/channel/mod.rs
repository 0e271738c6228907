//! Channel security: mutual TLS 1.3 between two endpoints in one process, the other answer
//! to "secure the RPC bus" (every connection wrapped, messages left alone).
//!
//! - [`pki`]: a CA the run creates (rcgen), and server and client certificates it issues
//!   (Ed25519 or ECDSA P-256), each naming a node and its role.
//! - [`wire`]: the byte pipes a TLS stack writes to: an in-memory pair (crypto cost alone,
//!   and a tap an attacker on the wire reads and writes through) and loopback TCP with a
//!   port the OS picks (adds the kernel's cost).
//! - [`Stack`]: rustls on its aws-lc-rs and ring providers, and OpenSSL's TLS through the
//!   `openssl` crate; each configured for TLS 1.3 only, X25519 only,
//!   `TLS_AES_128_GCM_SHA256` only, with mutual authentication against the run's CA.
//! - [`session`]: drives a client and a server [`Endpoint`] in one thread: handshake,
//!   one message from client to server, with bounded loops (a stalled exchange is an
//!   error, never a hang).
//!
//! Used by the `channel` layer of the measurement matrix
//! (`src/measure/routine/channel.rs`) and by the `tls-to-broker` and `tls+envelope`
//! scenario presets (`src/scenarios/tls.rs`).

mod openssl;
pub mod pki;
mod rustls;
pub mod session;
pub mod wire;

use std::fmt;

use crate::backend::{Backend, Unsupported};

pub use pki::{CertAlg, Credential, Pki};
pub use session::{Pair, Settings};
pub use wire::{Tap, Transport, Wire};

/// Bytes of plaintext an endpoint reads per call (one full TLS record).
const READ_CHUNK: usize = 16384;

/// The DNS name every client asks for; the server (or broker) certificate is issued to it.
pub const SERVER_NAME: &str = "server";

/// A TLS implementation, with the crypto backend beneath it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stack {
    /// rustls with its aws-lc-rs provider.
    RustlsAwsLc,
    /// rustls with its ring provider.
    RustlsRing,
    /// OpenSSL's libssl through the `openssl` crate.
    OpenSsl,
}

impl Stack {
    /// Every stack, in report order.
    pub const ALL: &'static [Stack] = &[Self::RustlsAwsLc, Self::RustlsRing, Self::OpenSsl];

    /// Label in scenario ids and results (`backend`).
    pub const fn label(self) -> &'static str {
        match self {
            Self::RustlsAwsLc => "rustls-aws-lc",
            Self::RustlsRing => "rustls-ring",
            Self::OpenSsl => "openssl",
        }
    }

    /// The envelope backend whose library does this stack's cryptography (the one to
    /// compare its record protection with).
    pub fn backend(self) -> Option<&'static Backend> {
        let name = match self {
            Self::RustlsAwsLc => "aws-lc",
            Self::RustlsRing => "ring",
            Self::OpenSsl => "openssl",
        };
        crate::backend::by_name(name)
    }

    /// The stack whose cryptography is `backend`'s (`aws-lc` → rustls-aws-lc).
    pub fn for_backend(backend: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|s| s.backend().is_some_and(|b| b.name == backend))
    }

    /// Looks a stack up by label.
    pub fn by_label(label: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|s| s.label() == label)
    }

    /// A server accepting clients with certificates from `pki`'s CA, as `cred`.
    pub fn server(self, pki: &Pki, cred: &Credential) -> Result<Box<dyn Side>, ChannelError> {
        match self {
            Self::RustlsAwsLc | Self::RustlsRing => rustls::server(self, pki, cred),
            Self::OpenSsl => openssl::server(pki, cred),
        }
    }

    /// A client authenticating as `cred` to servers with certificates from `pki`'s CA;
    /// with `resume`, it keeps session tickets and offers them (rustls only: see
    /// [`Stack::resumption`]), otherwise every handshake is a full one.
    pub fn client(
        self,
        pki: &Pki,
        cred: &Credential,
        resume: bool,
    ) -> Result<Box<dyn Side>, ChannelError> {
        match self {
            Self::RustlsAwsLc | Self::RustlsRing => rustls::client(self, pki, cred, resume),
            Self::OpenSsl => openssl::client(pki, cred),
        }
    }

    /// Whether a client of this stack can resume a session, or why not.
    pub fn resumption(self) -> Result<(), Unsupported> {
        match self {
            Self::RustlsAwsLc | Self::RustlsRing => Ok(()),
            // The openssl crate offers client-side resumption only through the `unsafe`
            // `SslRef::set_session` (the session must belong to the same context), and
            // sealbench forbids unsafe code.
            Self::OpenSsl => Err(Unsupported(
                "TLS session resumption: the openssl crate resumes a client session only \
                 through the unsafe SslRef::set_session (sealbench forbids unsafe code)",
            )),
        }
    }
}

impl fmt::Display for Stack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One end's configuration (a client's or a server's), from which connections start.
pub trait Side {
    /// Starts a connection over `wire` (the handshake runs as the [`Endpoint`] is driven).
    fn start(&self, wire: Wire) -> Result<Box<dyn Endpoint>, ChannelError>;
}

/// One end of a TLS connection, driven without blocking: every call does what the bytes
/// available allow and returns.
pub trait Endpoint {
    /// Advances the handshake; `true` once this end has completed it.
    fn handshake(&mut self) -> Result<bool, ChannelError>;
    /// Encrypts `data` as application data into records for the wire.
    fn send(&mut self, data: &[u8]) -> Result<(), ChannelError>;
    /// Reads the records available and appends the application data to `out`; returns
    /// how many bytes it appended.
    fn recv(&mut self, out: &mut Vec<u8>) -> Result<usize, ChannelError>;
    /// Pushes buffered records towards the peer; `true` when none remain.
    fn flush(&mut self) -> Result<bool, ChannelError>;
    /// The peer's end-entity certificate (DER), once the handshake authenticated it.
    fn peer_certificate(&self) -> Option<Vec<u8>>;
    /// Whether the handshake resumed an earlier session.
    fn resumed(&self) -> bool;
    /// The wire, for its byte counters.
    fn wire(&self) -> &Wire;
}

/// Why a TLS exchange could not be set up or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    /// The stack (or one of its features) is not compiled in or not offered.
    #[error("{0}")]
    Unsupported(Unsupported),
    /// Certificate issuance failed.
    #[error("certificate authority: {0}")]
    Pki(String),
    /// The TLS library refused a configuration.
    #[error("{stack} configuration: {message}")]
    Config {
        /// The stack.
        stack: &'static str,
        /// The library's message.
        message: String,
    },
    /// The TLS library refused the peer's bytes (bad record, failed authentication, ...):
    /// what an attacker on the wire gets.
    #[error("{stack}: {alert}")]
    Refused {
        /// The stack.
        stack: &'static str,
        /// What the library reported.
        alert: String,
    },
    /// Reading or writing the transport failed.
    #[error("transport: {0}")]
    Io(String),
    /// The exchange made no progress within its bound.
    #[error("stalled: {0}")]
    Stalled(&'static str),
}

impl From<Unsupported> for ChannelError {
    fn from(u: Unsupported) -> Self {
        Self::Unsupported(u)
    }
}

impl From<std::io::Error> for ChannelError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e.to_string())
    }
}

/// One channel configuration of the measurement matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ChannelSpec {
    /// The TLS stack.
    pub stack: Stack,
    /// The certificates' key type (the handshake's signatures).
    pub cert: CertAlg,
    /// How the ends are connected.
    pub transport: Transport,
    /// Messages per connection, one full handshake each (`None`: an established
    /// connection, no handshake in the loop).
    pub per_connection: Option<u32>,
}

impl ChannelSpec {
    /// Algorithm labels: key exchange, certificate signature, record protection.
    pub fn algorithm(&self) -> String {
        format!("x25519+{}+aes128gcm", self.cert.label())
    }

    /// `rustls-aws-lc` over loopback, `rustls-aws-lc@memory` in memory.
    pub fn label(&self) -> String {
        match self.transport {
            Transport::Loopback => self.stack.label().to_string(),
            Transport::Memory => format!("{}@{}", self.stack.label(), Transport::Memory.label()),
        }
    }
}
