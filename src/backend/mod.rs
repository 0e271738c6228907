//! Crypto backends behind one abstraction.
//!
//! A backend is a plain value ([`Backend`]), not a type parameter: a table of functions
//! mapping each algorithm id to an implementation or an explicit [`Unsupported`] reason.
//! Every backend directory holds the same files (`aead.rs`, `mac.rs`, `sign.rs`,
//! `key_transport.rs`, `kx.rs`, `mod.rs`), so a missing piece is visible at a glance; the
//! tests every backend must pass are written once in `contract.rs` and run per backend.

mod algorithm;
#[cfg(test)]
mod contract;
pub mod keys;
mod traits;

#[cfg(feature = "aws-lc")]
pub mod aws_lc;
#[cfg(feature = "openssl")]
pub mod openssl;
#[cfg(feature = "ring")]
pub mod ring;
#[cfg(feature = "rustcrypto")]
pub mod rustcrypto;

pub use algorithm::{
    AeadId, AeadParams, AlgorithmId, KdfId, KeyAgreementId, KeyTransportId, MacId, SignatureId,
};
pub use traits::{
    Aead, AeadKey, AgreementKey, DecryptingKey, EncryptingKey, Error, Kdf, KeyAgreement,
    KeyTransport, MIN_MAC_TAG_LEN, Mac, MacKey, Signature, SigningKey, Unsupported, VerifyingKey,
};

use crate::cpu::{CpuFeatures, PathReport};
use serde::Serialize;

/// A library a backend is built on, and its version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LibraryVersion {
    /// Library or crate name.
    pub name: &'static str,
    /// Version string as the library reports it (or the crate version from `Cargo.lock`).
    pub version: String,
}

/// One crypto backend: a name and a table of algorithm lookups.
///
/// Each lookup is an exhaustive `match` in the backend's `mod.rs`.
#[derive(Clone, Copy)]
pub struct Backend {
    /// Short name used in scenario ids and tables (`rustcrypto`, `ring`, `openssl`, `aws-lc`).
    pub name: &'static str,
    /// AEAD lookup.
    pub aead: fn(AeadId) -> Result<&'static dyn Aead, Unsupported>,
    /// MAC lookup.
    pub mac: fn(MacId) -> Result<&'static dyn Mac, Unsupported>,
    /// Signature lookup.
    pub signature: fn(SignatureId) -> Result<&'static dyn Signature, Unsupported>,
    /// Key-transport lookup.
    pub key_transport: fn(KeyTransportId) -> Result<&'static dyn KeyTransport, Unsupported>,
    /// Key-agreement lookup.
    pub key_agreement: fn(KeyAgreementId) -> Result<&'static dyn KeyAgreement, Unsupported>,
    /// KDF lookup.
    pub kdf: fn(KdfId) -> Result<&'static dyn Kdf, Unsupported>,
    /// Libraries and versions this backend is built on.
    pub versions: fn() -> Vec<LibraryVersion>,
    /// The implementation path an AEAD takes on this CPU, given the masks in effect.
    pub aead_path: fn(AeadId, &CpuFeatures) -> PathReport,
    /// Whether `OPENSSL_ia32cap` changes this backend's dispatch (openssl, aws-lc).
    pub honours_ia32cap: bool,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Backend {
    /// Whether this backend supports `alg` at its default parameters, or why not.
    pub fn supports(&self, alg: AlgorithmId) -> Result<(), Unsupported> {
        match alg {
            AlgorithmId::Aead(a) => (self.aead)(a).map(drop),
            AlgorithmId::Mac(a) => (self.mac)(a).map(drop),
            AlgorithmId::Signature(a) => (self.signature)(a).map(drop),
            AlgorithmId::KeyTransport(a) => (self.key_transport)(a).map(drop),
            AlgorithmId::KeyAgreement(a) => (self.key_agreement)(a).map(drop),
            AlgorithmId::Kdf(a) => (self.kdf)(a).map(drop),
        }
    }
}

/// Every backend compiled into this build, in report order.
pub const ALL_BACKENDS: &[&Backend] = &[
    #[cfg(feature = "rustcrypto")]
    &rustcrypto::RUSTCRYPTO,
    #[cfg(feature = "ring")]
    &ring::RING,
    #[cfg(feature = "openssl")]
    &openssl::OPENSSL,
    #[cfg(feature = "aws-lc")]
    &aws_lc::AWS_LC,
];

/// Looks a backend up by name.
pub fn by_name(name: &str) -> Option<&'static Backend> {
    ALL_BACKENDS.iter().copied().find(|b| b.name == name)
}

/// The version of a dependency as locked in `Cargo.lock` at build time (see `build.rs`).
pub fn crate_version(name: &str) -> String {
    env!("SEALBENCH_DEP_VERSIONS")
        .split(';')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map_or_else(|| "unknown".to_string(), |(_, v)| v.to_string())
}
