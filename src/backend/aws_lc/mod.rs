//! The aws-lc-rs backend (aws-lc-rs 1.x over AWS-LC, a BoringSSL fork).
//!
//! aws-lc-rs mirrors ring's API, so these files have the same shapes as `../ring/`; unlike
//! ring it has RSA-OAEP, RSA key generation and importable key-agreement keys, and AWS-LC
//! honours `OPENSSL_ia32cap`.

// aws-lc-rs has ring's `hmac` and `hkdf` APIs: ring's files are this backend's too (as
// rustls shares them between its two providers), with `ring_like` = aws-lc-rs.
use aws_lc_rs as ring_like;

mod aead;
#[allow(clippy::duplicate_mod)] // deliberately ring's file, compiled against aws-lc-rs
#[path = "../ring/kdf.rs"]
mod kdf;
mod key_transport;
mod kx;
#[allow(clippy::duplicate_mod)] // deliberately ring's file, compiled against aws-lc-rs
#[path = "../ring/mac.rs"]
mod mac;
mod sign;

use super::{
    Aead, AeadId, Backend, Kdf, KdfId, KeyAgreement, KeyAgreementId, KeyTransport, KeyTransportId,
    LibraryVersion, Mac, MacId, Signature, SignatureId, Unsupported, crate_version,
};

/// The aws-lc-rs backend.
pub const AWS_LC: Backend = Backend {
    name: "aws-lc",
    aead: aead_for,
    mac: mac_for,
    signature: signature_for,
    key_transport: key_transport_for,
    key_agreement: key_agreement_for,
    kdf: kdf_for,
    versions,
    aead_path: aead::path,
    honours_ia32cap: true,
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
        KeyTransportId::RsaOaep2048Sha256 => Ok(&key_transport::RSA_OAEP_2048_SHA256),
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

/// The two crates from `Cargo.lock`, and AWS-LC's own version as the linked library reports
/// it (`OpenSSL_version(OPENSSL_VERSION)` through `aws_lc_rs::awslc_version`).
fn versions() -> Vec<LibraryVersion> {
    vec![
        LibraryVersion {
            name: "aws-lc-rs",
            version: crate_version("aws-lc-rs"),
        },
        LibraryVersion {
            name: "aws-lc-sys",
            version: crate_version("aws-lc-sys"),
        },
        LibraryVersion {
            name: "AWS-LC",
            version: aws_lc_rs::awslc_version().to_string(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::AlgorithmId;

    #[test]
    fn every_algorithm_is_supported() {
        for alg in AlgorithmId::all() {
            assert_eq!(AWS_LC.supports(alg), Ok(()), "{alg}");
        }
    }

    #[test]
    fn versions_name_the_crates_and_the_library() {
        let versions = versions();
        let names: Vec<_> = versions.iter().map(|v| v.name).collect();
        assert_eq!(names, ["aws-lc-rs", "aws-lc-sys", "AWS-LC"]);
        assert!(
            versions
                .iter()
                .all(|v| v.version != "unknown" && !v.version.is_empty())
        );
        // A release number such as "5.12.0", not the whole "AWS-LC 5.12.0" banner.
        assert!(
            versions[2]
                .version
                .starts_with(|c: char| c.is_ascii_digit())
        );
    }
}
