//! rustls endpoints on its aws-lc-rs and ring providers: TLS 1.3 only, X25519 only,
//! `TLS13_AES_128_GCM_SHA256` only, client certificates required and checked against the
//! run's CA. Clients keep rustls's in-memory session store (resumption by ticket); servers
//! keep their in-memory session cache.

use std::io::Read;
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, ClientConnection, Connection, RootCertStore, ServerConfig};

use super::pki::{Credential, Pki};
use super::{ChannelError, Endpoint, SERVER_NAME, Side, Stack, Wire};
use crate::backend::Unsupported;

fn provider(stack: Stack) -> Result<Arc<CryptoProvider>, ChannelError> {
    match stack {
        #[cfg(feature = "aws-lc")]
        Stack::RustlsAwsLc => {
            use rustls::crypto::aws_lc_rs as p;
            Ok(Arc::new(CryptoProvider {
                cipher_suites: vec![p::cipher_suite::TLS13_AES_128_GCM_SHA256],
                kx_groups: vec![p::kx_group::X25519],
                ..p::default_provider()
            }))
        }
        // Deprecated in 0.23.48 for lacking post-quantum key exchange; every stack here is
        // pinned to X25519 anyway, so the comparison stays like for like.
        #[cfg(feature = "ring")]
        #[allow(deprecated)]
        Stack::RustlsRing => {
            use rustls::crypto::ring as p;
            Ok(Arc::new(CryptoProvider {
                cipher_suites: vec![p::cipher_suite::TLS13_AES_128_GCM_SHA256],
                kx_groups: vec![p::kx_group::X25519],
                ..p::default_provider()
            }))
        }
        _ => Err(ChannelError::Unsupported(Unsupported(
            "this rustls provider is not compiled in (features aws-lc, ring)",
        ))),
    }
}

fn config_error(e: impl std::fmt::Display) -> ChannelError {
    ChannelError::Config {
        stack: "rustls",
        message: e.to_string(),
    }
}

fn roots(pki: &Pki) -> Result<RootCertStore, ChannelError> {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from(pki.ca_der().to_vec()))
        .map_err(config_error)?;
    Ok(roots)
}

fn identity(cred: &Credential) -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>) {
    (
        vec![CertificateDer::from(cred.cert_der.clone())],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cred.key_pkcs8.clone())),
    )
}

struct Server(Arc<ServerConfig>, Stack);
struct Client(Arc<ClientConfig>, Stack);

pub(super) fn server(
    stack: Stack,
    pki: &Pki,
    cred: &Credential,
) -> Result<Box<dyn Side>, ChannelError> {
    let provider = provider(stack)?;
    let verifier =
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots(pki)?), provider.clone())
            .build()
            .map_err(config_error)?;
    let (chain, key) = identity(cred);
    let config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(config_error)?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(config_error)?;
    Ok(Box::new(Server(Arc::new(config), stack)))
}

pub(super) fn client(
    stack: Stack,
    pki: &Pki,
    cred: &Credential,
    resume: bool,
) -> Result<Box<dyn Side>, ChannelError> {
    let provider = provider(stack)?;
    let (chain, key) = identity(cred);
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(config_error)?
        .with_root_certificates(roots(pki)?)
        .with_client_auth_cert(chain, key)
        .map_err(config_error)?;
    if !resume {
        config.resumption = rustls::client::Resumption::disabled();
    }
    Ok(Box::new(Client(Arc::new(config), stack)))
}

impl Side for Server {
    fn start(&self, wire: Wire) -> Result<Box<dyn Endpoint>, ChannelError> {
        let conn = rustls::ServerConnection::new(self.0.clone()).map_err(config_error)?;
        Ok(Box::new(Conn::new(Connection::Server(conn), wire, self.1)))
    }
}

impl Side for Client {
    fn start(&self, wire: Wire) -> Result<Box<dyn Endpoint>, ChannelError> {
        let name = ServerName::try_from(SERVER_NAME).map_err(config_error)?;
        let conn = ClientConnection::new(self.0.clone(), name).map_err(config_error)?;
        Ok(Box::new(Conn::new(Connection::Client(conn), wire, self.1)))
    }
}

struct Conn {
    conn: Connection,
    wire: Wire,
    stack: Stack,
    /// Where plaintext is read to before being appended (allocated once).
    buf: Vec<u8>,
}

impl Conn {
    fn new(mut conn: Connection, wire: Wire, stack: Stack) -> Self {
        // Whole messages up to the matrix's largest size are written in one call.
        conn.set_buffer_limit(None);
        Self {
            conn,
            wire,
            stack,
            buf: vec![0; super::READ_CHUNK],
        }
    }

    fn refused(&self, e: impl std::fmt::Display) -> ChannelError {
        ChannelError::Refused {
            stack: self.stack.label(),
            alert: e.to_string(),
        }
    }

    /// Writes every pending record to the wire, then reads and processes what arrived.
    fn pump(&mut self, out: Option<&mut Vec<u8>>) -> Result<usize, ChannelError> {
        self.write_out()?;
        let mut got = 0;
        let mut out = out;
        loop {
            match self.conn.read_tls(&mut self.wire) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) => return Err(e.into()),
            }
            if let Err(e) = self.conn.process_new_packets() {
                // Send the alert the library queued before failing.
                let _ = self.write_out();
                return Err(self.refused(e));
            }
            if let Some(out) = out.as_deref_mut() {
                got += drain(&mut self.conn, &mut self.buf, out)?;
            }
        }
        self.write_out()?;
        Ok(got)
    }

    fn write_out(&mut self) -> Result<(), ChannelError> {
        while self.conn.wants_write() {
            self.conn.write_tls(&mut self.wire)?;
        }
        self.wire.flush_pending()?;
        Ok(())
    }
}

fn drain(conn: &mut Connection, buf: &mut [u8], out: &mut Vec<u8>) -> Result<usize, ChannelError> {
    let mut got = 0;
    loop {
        match conn.reader().read(buf) {
            Ok(0) => return Ok(got),
            Ok(n) => {
                out.extend_from_slice(buf.get(..n).unwrap_or_default());
                got += n;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Ok(got),
            Err(e) => return Err(e.into()),
        }
    }
}

impl Endpoint for Conn {
    fn handshake(&mut self) -> Result<bool, ChannelError> {
        let mut sink = Vec::new();
        self.pump(Some(&mut sink))?;
        Ok(!self.conn.is_handshaking())
    }

    fn send(&mut self, data: &[u8]) -> Result<(), ChannelError> {
        use std::io::Write;
        self.conn.writer().write_all(data)?;
        self.write_out()
    }

    fn recv(&mut self, out: &mut Vec<u8>) -> Result<usize, ChannelError> {
        self.pump(Some(out))
    }

    fn flush(&mut self) -> Result<bool, ChannelError> {
        self.write_out()?;
        Ok(!self.conn.wants_write() && self.wire.flush_pending()?)
    }

    fn peer_certificate(&self) -> Option<Vec<u8>> {
        self.conn
            .peer_certificates()
            .and_then(|c| c.first())
            .map(|c| c.as_ref().to_vec())
    }

    fn resumed(&self) -> bool {
        self.conn.handshake_kind() == Some(rustls::HandshakeKind::Resumed)
    }

    fn wire(&self) -> &Wire {
        &self.wire
    }
}
