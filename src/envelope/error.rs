//! The envelope's typed errors.
//!
//! Each rejection reason a reviewer cares about is its own variant, so tests (and the
//! negative vectors) can check that a tampered, replayed or misdirected message fails for
//! the right reason. Cryptographic failures stay opaque: a bad tag, a bad signature and a
//! bad key-transport ciphertext are all [`EnvelopeError::Authentication`].

use crate::backend;
use crate::cose::cbor::CborError;

/// Why sealing or opening an envelope failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The bytes are not well-formed deterministic CBOR.
    #[error("malformed envelope: {0}")]
    Malformed(#[from] CborError),
    /// Well-formed CBOR, but not a structure of this profile (wrong tag, array length, ...).
    #[error("not an envelope of this profile: {0}")]
    WrongStructure(&'static str),
    /// A header label the profile does not define.
    #[error("unknown header label {0}")]
    UnknownHeader(i64),
    /// A `crit` header: this profile defines no critical extensions and rejects them all.
    #[error("critical header parameters are not supported")]
    CriticalHeader,
    /// A header that must be protected appeared in the unprotected bucket (e.g. `alg`).
    #[error("header label {0} must be in the protected header")]
    NotProtected(i64),
    /// Header map keys out of deterministic order or duplicated.
    #[error("header labels duplicated or not in deterministic order")]
    HeaderOrder,
    /// A required header or claim is absent.
    #[error("missing {0}")]
    Missing(&'static str),
    /// A header value has the wrong size or type (IV length, cti length, ...).
    #[error("bad header value: {0}")]
    BadHeader(&'static str),
    /// No key with this identifier in the trust store (and key learning is off).
    #[error("unknown key id")]
    UnknownKey,
    /// The message's `alg` is not the algorithm the key is registered for.
    #[error("algorithm does not match the key")]
    WrongAlgorithm,
    /// The key is of the wrong kind for this structure (e.g. a MAC key as a signing key).
    #[error("key of the wrong type for this message")]
    WrongKeyType,
    /// Authentication failed: bad tag, bad signature, or undecryptable content key.
    #[error("authentication failed")]
    Authentication,
    /// `iat` is older than the freshness window.
    #[error("message expired (issued {age_s} s ago, window {window_s} s)")]
    Expired {
        /// Age in seconds.
        age_s: u64,
        /// Allowed window in seconds.
        window_s: u64,
    },
    /// `iat` is further in the future than the allowed clock skew.
    #[error("message issued {ahead_s} s in the future (window {window_s} s)")]
    FromFuture {
        /// Seconds ahead of the receiver's clock.
        ahead_s: u64,
        /// Allowed window in seconds.
        window_s: u64,
    },
    /// This `cti` was already accepted within the window.
    #[error("replayed message")]
    Replayed,
    /// The replay database could not be opened, read or written: the message is refused
    /// (an entry that cannot be recorded durably must not be accepted).
    #[error("{0}")]
    ReplayStore(String),
    /// The message names no audience, or an audience that is not this node (a message
    /// captured on its way to another node, or replayed to the wrong one).
    #[error("message is not addressed to this node")]
    WrongAudience,
    /// The message comes from this node itself: its `iss` names us, or it is signed with
    /// one of our own private keys (a reflection).
    #[error("message from this node itself (reflected)")]
    Reflected,
    /// The sender's role may not call this method.
    #[error("role {role:?} may not call {method:?}")]
    Forbidden {
        /// The sender's role.
        role: String,
        /// The method it tried to call.
        method: String,
    },
    /// A plain (unprotected) message from a peer not listed as legacy, or with plain
    /// messages not accepted at all.
    #[error("plain message refused")]
    PlainRefused,
    /// The sealing key has sealed as many messages as the profile allows; rekey.
    #[error("per-key message limit reached; rekey")]
    KeyExhausted,
    /// The backend cannot do an algorithm this message needs.
    #[error("backend cannot do this: {0}")]
    Unsupported(backend::Unsupported),
    /// A key could not be used by the backend.
    #[error("key error: {0}")]
    Key(backend::Error),
    /// The sealer or opener was configured inconsistently (wrong key kind for the mode, ...).
    #[error("configuration: {0}")]
    Config(&'static str),
    /// The caller's buffer or the message is larger than the profile allows.
    #[error("too large: {0}")]
    TooLarge(&'static str),
}

impl From<backend::Error> for EnvelopeError {
    fn from(e: backend::Error) -> Self {
        match e {
            backend::Error::Crypto => Self::Authentication,
            backend::Error::Unsupported(u) => Self::Unsupported(u),
            other => Self::Key(other),
        }
    }
}

impl From<backend::Unsupported> for EnvelopeError {
    fn from(u: backend::Unsupported) -> Self {
        Self::Unsupported(u)
    }
}

impl From<crate::cose::cbor::Overflow> for EnvelopeError {
    fn from(_: crate::cose::cbor::Overflow) -> Self {
        Self::TooLarge("envelope header exceeds its reserved room")
    }
}

impl EnvelopeError {
    /// A stable short name for vectors, tables and exit-code mapping.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::WrongStructure(_) => "wrong-structure",
            Self::UnknownHeader(_) => "unknown-header",
            Self::CriticalHeader => "critical-header",
            Self::NotProtected(_) => "not-protected",
            Self::HeaderOrder => "header-order",
            Self::Missing(_) => "missing",
            Self::BadHeader(_) => "bad-header",
            Self::UnknownKey => "unknown-key",
            Self::WrongAlgorithm => "wrong-algorithm",
            Self::WrongKeyType => "wrong-key-type",
            Self::Authentication => "authentication",
            Self::Expired { .. } => "expired",
            Self::FromFuture { .. } => "from-future",
            Self::Replayed => "replayed",
            Self::ReplayStore(_) => "replay-store",
            Self::WrongAudience => "wrong-audience",
            Self::Reflected => "reflected",
            Self::Forbidden { .. } => "forbidden",
            Self::PlainRefused => "plain-refused",
            Self::KeyExhausted => "key-exhausted",
            Self::Unsupported(_) => "unsupported",
            Self::Key(_) => "key",
            Self::Config(_) => "config",
            Self::TooLarge(_) => "too-large",
        }
    }
}
