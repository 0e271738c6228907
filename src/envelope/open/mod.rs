//! Opening: parse strictly, find the key, authenticate, then check freshness, direction,
//! audience, policy and replay — in that order, so a tampered message fails as
//! `Authentication` and forged messages never touch the replay state. Encrypted payloads
//! are decrypted in place; on any failure after decryption the plaintext is zeroed before
//! the error is returned, and a message that fails to decrypt is never treated as plain.
//!
//! Files: `keyring.rs` (prepared keys, lookup, learned keys), `admission.rs` (the checks
//! after authentication), `layers.rs` (one function per message structure),
//! `recipients.rs` (content-key recovery in COSE_Encrypt).

mod admission;
mod frames;
mod keyring;
mod layers;
mod recipients;

use std::sync::Arc;

use super::audience::OwnNames;
use super::clock::Clock;
use super::error::EnvelopeError;
use super::keys::{ANONYMOUS_ROLE, TrustStore};
use super::mode::Mode;
use super::replay::{ReplayConfig, ReplayGuard};
use super::template::Templates;
use crate::backend::Backend;
use crate::cose::cbor::{MAJOR_ARRAY, MAJOR_TAG, Reader};
use crate::cose::iana::{TAG_ENCRYPT, TAG_ENCRYPT0, TAG_MAC0, TAG_SIGN1};

use keyring::Keyring;

/// Default cap on a message's size (16 MiB).
pub const DEFAULT_MAX_SIZE: usize = 16 << 20;
/// Default limit on how far in the future `iat` may be (clock skew), in seconds.
pub const DEFAULT_FUTURE_SKEW_S: u64 = 30;

/// Receiver options.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// How old a message may be (`now - iat`), in seconds.
    pub window_s: u64,
    /// How far in the future `iat` may be (sender clock ahead of ours), in seconds; kept
    /// small so a sender cannot post-date messages to outlive the window.
    pub future_skew_s: u64,
    /// Learn unknown signers' public keys from the `-65538` header (MCollective's
    /// `learn_pubkeys`). Off by default: unknown keys are rejected.
    pub learn_keys: bool,
    /// Role given to learned keys.
    pub learned_role: String,
    /// Accept plain messages from entries marked `legacy` (a migration window). Off by default.
    pub accept_plain_from_legacy: bool,
    /// Accept messages that name no audience (UNSAFE: a captured message can then be
    /// replayed to every node that trusts its sender). Off by default.
    pub accept_no_audience: bool,
    /// Largest message accepted, in bytes.
    pub max_size: usize,
    /// Replay-table bounds.
    pub replay: ReplayConfig,
    /// Bound on learned keys (least recently used evicted beyond it).
    pub max_learned: usize,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            window_s: 300,
            future_skew_s: DEFAULT_FUTURE_SKEW_S,
            learn_keys: false,
            learned_role: ANONYMOUS_ROLE.to_string(),
            accept_plain_from_legacy: false,
            accept_no_audience: false,
            max_size: DEFAULT_MAX_SIZE,
            replay: ReplayConfig::default(),
            max_learned: 1024,
        }
    }
}

/// A verified message. `payload` and `method` point into the caller's buffer.
#[derive(Debug, PartialEq, Eq)]
pub struct Opened<'m> {
    /// How the message was protected.
    pub mode: Mode,
    /// The payload (decrypted in place for encrypted modes).
    pub payload: &'m [u8],
    /// The RPC method.
    pub method: &'m str,
    /// CWT `iat`.
    pub iat: u64,
    /// CWT `cti`.
    pub cti: [u8; 12],
    /// Index of the authenticated sender's key (see [`Opener::sender`]); `None` if the
    /// sender is anonymous (hybrid encryption without a signature).
    pub sender: Option<usize>,
}

/// Opens messages for one node on one backend.
pub struct Opener {
    keys: Keyring,
    own: OwnNames,
    options: OpenOptions,
    clock: Arc<dyn Clock>,
    replay: ReplayGuard,
    backend: &'static Backend,
    /// Recently seen protected-header shapes (the template fast path).
    templates: Templates,
    /// Encrypt0 shapes whose verdicts are known (the frame fast path).
    frames: frames::Frames,
    scratch: Vec<u8>,
    /// Enc_structure buffer, reused (the protected header of an encrypted message is short).
    aad: Vec<u8>,
}

impl Opener {
    /// Prepares every key of `store` on `backend`, with in-memory replay state. Keys the
    /// backend cannot use are kept as unavailable, so a message that needs one fails with
    /// the backend's reason.
    pub fn new(
        backend: &'static Backend,
        store: &TrustStore,
        options: OpenOptions,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, EnvelopeError> {
        let replay = ReplayGuard::new(options.replay.clone());
        Self::with_replay(backend, store, options, clock, replay)
    }

    /// As [`Opener::new`], with the given replay state (e.g. [`ReplayGuard::persistent`],
    /// which survives restarts).
    pub fn with_replay(
        backend: &'static Backend,
        store: &TrustStore,
        options: OpenOptions,
        clock: Arc<dyn Clock>,
        replay: ReplayGuard,
    ) -> Result<Self, EnvelopeError> {
        Ok(Self {
            keys: Keyring::new(backend, store, &options)?,
            own: OwnNames::of(store),
            options,
            clock,
            replay,
            backend,
            templates: Templates::default(),
            frames: frames::Frames::default(),
            scratch: Vec::new(),
            aad: vec![0u8; 512],
        })
    }

    /// Kid and role of a sender index from [`Opened::sender`].
    pub fn sender(&self, index: usize) -> Option<(&[u8], &str)> {
        self.keys.sender(index)
    }

    /// This node's own names (what an audience must name and an issuer must not).
    pub fn own_names(&self) -> &[String] {
        self.own.names()
    }

    /// Opens `wire` in place.
    pub fn open<'m>(&mut self, wire: &'m mut [u8]) -> Result<Opened<'m>, EnvelopeError> {
        if wire.len() > self.options.max_size {
            return Err(EnvelopeError::TooLarge("message larger than --max-size"));
        }
        if let Some(hit) = self.frames.find(wire, self.keys.generation()) {
            return self.open_framed(wire, hit);
        }
        let mut r = Reader::new(wire);
        match r.peek_major()? {
            MAJOR_ARRAY => self.open_plain(wire),
            MAJOR_TAG => match r.tag()? {
                TAG_MAC0 => self.open_mac0(wire),
                TAG_SIGN1 => self.open_sign1(wire, &[], None).map(|(o, _)| o),
                TAG_ENCRYPT0 => self.open_encrypted(wire, false),
                TAG_ENCRYPT => self.open_encrypted(wire, true),
                _ => Err(EnvelopeError::WrongStructure("unknown CBOR tag")),
            },
            _ => Err(EnvelopeError::WrongStructure("not a CBOR array or tag")),
        }
    }
}
