//! The ring backend (ring 0.17): BoringSSL-derived assembly behind ring's small Rust API.
//!
//! ring has no RSA encryption and only ephemeral key-agreement keys; those gaps are explicit
//! [`Unsupported`] entries below, not absences.

// `kdf.rs` and `mac.rs` are shared with `../aws_lc/` (which includes them by path): they
// name the library `ring_like`.
use ::ring as ring_like;

mod aead;
mod kdf;
mod key_transport;
mod kx;
mod mac;
mod sign;

use super::{
    Aead, AeadId, Backend, Kdf, KdfId, KeyAgreement, KeyAgreementId, KeyTransport, KeyTransportId,
    LibraryVersion, Mac, MacId, Signature, SignatureId, Unsupported, crate_version,
};

/// The ring backend.
pub const RING: Backend = Backend {
    name: "ring",
    aead: aead_for,
    mac: mac_for,
    signature: signature_for,
    key_transport: key_transport_for,
    key_agreement: key_agreement_for,
    kdf: kdf_for,
    versions,
    aead_path: aead::path,
    honours_ia32cap: false,
};

fn aead_for(id: AeadId) -> Result<&'static dyn Aead, Unsupported> {
    match id {
        AeadId::Aes128Gcm => Ok(&aead::AES_128_GCM),
        AeadId::Aes256Gcm => Ok(&aead::AES_256_GCM),
        AeadId::ChaCha20Poly1305 => Ok(&aead::CHACHA20_POLY1305),
    }
}

fn mac_for(id: MacId) -> Result<&'static dyn Mac, Unsupported> {
    match id {
        MacId::HmacSha256 => Ok(&mac::HMAC_SHA256),
    }
}

fn signature_for(id: SignatureId) -> Result<&'static dyn Signature, Unsupported> {
    match id {
        SignatureId::Ed25519 => Ok(&sign::ED25519),
        SignatureId::EcdsaP256Sha256 => Ok(&sign::ECDSA_P256_SHA256),
        SignatureId::RsaPss2048Sha256 => Ok(&sign::RSA_PSS_2048_SHA256),
    }
}

fn key_transport_for(id: KeyTransportId) -> Result<&'static dyn KeyTransport, Unsupported> {
    match id {
        KeyTransportId::RsaOaep2048Sha256 => Err(key_transport::NO_RSA_ENCRYPTION),
    }
}

fn key_agreement_for(id: KeyAgreementId) -> Result<&'static dyn KeyAgreement, Unsupported> {
    match id {
        KeyAgreementId::X25519 => Ok(&kx::X25519),
        KeyAgreementId::EcdhP256 => Ok(&kx::ECDH_P256),
    }
}

fn kdf_for(id: KdfId) -> Result<&'static dyn Kdf, Unsupported> {
    match id {
        KdfId::HkdfSha256 => Ok(&kdf::HKDF_SHA256),
    }
}

/// ring has no run-time version API; the crate version is the library version.
fn versions() -> Vec<LibraryVersion> {
    vec![LibraryVersion {
        name: "ring",
        version: crate_version("ring"),
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::AlgorithmId;

    #[test]
    fn every_algorithm_is_mapped_and_only_rsa_oaep_is_missing() {
        for alg in AlgorithmId::all() {
            let result = RING.supports(alg);
            match alg {
                AlgorithmId::KeyTransport(_) => assert!(result.is_err(), "{alg}"),
                _ => assert!(result.is_ok(), "{alg}: {result:?}"),
            }
        }
        assert_eq!(versions()[0].name, "ring");
        assert_ne!(versions()[0].version, "unknown");
    }
}
