//! The OpenSSL backend: the `openssl` crate over the system libcrypto (3.x).
//!
//! Symmetric keys keep their `EVP_CIPHER_CTX` (key schedule done once) behind a mutex;
//! public-key operations create their short-lived OpenSSL contexts per call, as every
//! user of the EVP API does. Which assembly path libcrypto takes is not reported by any
//! API, so `path.rs` infers it from the CPU, `OPENSSL_ia32cap` and OpenSSL's dispatch code.

mod aead;
mod kdf;
mod key_transport;
mod kx;
mod mac;
mod path;
mod pkcs8;
mod sign;

use openssl::ec::EcGroupRef;
use openssl::nid::Nid;
use openssl::pkey::{HasPublic, Id, PKey, PKeyRef, Private, Public};

use super::keys::{SpkiAlgorithm, spki_key_of};
use super::{
    Aead, AeadId, Backend, Error, Kdf, KdfId, KeyAgreement, KeyAgreementId, KeyTransport,
    KeyTransportId, LibraryVersion, Mac, MacId, Signature, SignatureId, Unsupported, crate_version,
};

/// The OpenSSL backend.
pub const OPENSSL: Backend = Backend {
    name: "openssl",
    aead: aead_of,
    mac: mac_of,
    signature: signature_of,
    key_transport: key_transport_of,
    key_agreement: key_agreement_of,
    kdf: kdf_of,
    versions,
    aead_path: path::aead_path,
    honours_ia32cap: true,
};

fn aead_of(id: AeadId) -> Result<&'static dyn Aead, Unsupported> {
    match id {
        AeadId::Aes128Gcm => Ok(&aead::AES_128_GCM),
        AeadId::Aes256Gcm => Ok(&aead::AES_256_GCM),
        AeadId::ChaCha20Poly1305 => Ok(&aead::CHACHA20_POLY1305),
    }
}

fn mac_of(id: MacId) -> Result<&'static dyn Mac, Unsupported> {
    match id {
        MacId::HmacSha256 => Ok(&mac::HMAC_SHA256),
    }
}

fn signature_of(id: SignatureId) -> Result<&'static dyn Signature, Unsupported> {
    match id {
        SignatureId::Ed25519 => Ok(&sign::ED25519),
        SignatureId::EcdsaP256Sha256 => Ok(&sign::ECDSA_P256_SHA256),
        SignatureId::RsaPss2048Sha256 => Ok(&sign::RSA_PSS_2048_SHA256),
    }
}

fn key_transport_of(id: KeyTransportId) -> Result<&'static dyn KeyTransport, Unsupported> {
    match id {
        KeyTransportId::RsaOaep2048Sha256 => Ok(&key_transport::RSA_OAEP_2048_SHA256),
    }
}

fn key_agreement_of(id: KeyAgreementId) -> Result<&'static dyn KeyAgreement, Unsupported> {
    match id {
        KeyAgreementId::X25519 => Ok(&kx::X25519),
        KeyAgreementId::EcdhP256 => Ok(&kx::ECDH_P256),
    }
}

fn kdf_of(id: KdfId) -> Result<&'static dyn Kdf, Unsupported> {
    match id {
        KdfId::HkdfSha256 => Ok(&kdf::HKDF_SHA256),
    }
}

/// The libcrypto actually loaded (its own version string) and the Rust bindings.
fn versions() -> Vec<LibraryVersion> {
    vec![
        LibraryVersion {
            name: "libcrypto",
            version: openssl::version::version().to_string(),
        },
        LibraryVersion {
            name: "openssl",
            version: crate_version("openssl"),
        },
        LibraryVersion {
            name: "openssl-sys",
            version: crate_version("openssl-sys"),
        },
    ]
}

/// Every OpenSSL failure maps to the opaque crypto error (the error queue is discarded).
fn crypto<E>(_: E) -> Error {
    Error::Crypto
}

/// The modulus size of the RSA schemes, in bits.
const RSA_BITS: u32 = 2048;

/// Loads a PKCS#8 (v1, or v2 via [`pkcs8::downgrade_v2`]) private key and checks that it
/// is of type `id`.
fn private_key(der: &[u8], id: Id, wrong_type: &'static str) -> Result<PKey<Private>, Error> {
    const MALFORMED: Error = Error::KeyRejected("malformed PKCS#8 private key");
    let key = match PKey::private_key_from_pkcs8(der) {
        Ok(key) => key,
        Err(_) => {
            let v2 = pkcs8::downgrade_v2(der).ok_or(MALFORMED)?;
            let key = PKey::private_key_from_pkcs8(&v2.v1).map_err(|_| MALFORMED)?;
            if let Some(spki) = v2.spki
                && key.public_key_to_der().map_err(crypto)? != spki
            {
                return Err(Error::KeyRejected(
                    "PKCS#8 v2 public key does not match the private key",
                ));
            }
            key
        }
    };
    if key.id() == id {
        Ok(key)
    } else {
        Err(Error::KeyRejected(wrong_type))
    }
}

/// Loads an SPKI public key after the shared parser has checked its algorithm (and that
/// no bytes trail it), then checks that OpenSSL agrees on the type.
fn public_key(spki: &[u8], alg: SpkiAlgorithm, id: Id) -> Result<PKey<Public>, Error> {
    spki_key_of(spki, alg)?;
    let key = PKey::public_key_from_der(spki)
        .map_err(|_| Error::KeyRejected("malformed SubjectPublicKeyInfo"))?;
    if key.id() == id {
        Ok(key)
    } else {
        Err(Error::KeyRejected("public key is of another algorithm"))
    }
}

/// Rejects RSA keys whose modulus is not [`RSA_BITS`] long.
fn check_rsa_2048<T: HasPublic>(key: &PKeyRef<T>) -> Result<(), Error> {
    if key.bits() == RSA_BITS {
        Ok(())
    } else {
        Err(Error::KeyRejected("RSA modulus must be 2048 bits"))
    }
}

/// Rejects EC keys on curves other than P-256.
fn check_p256<T: HasPublic>(key: &PKeyRef<T>) -> Result<(), Error> {
    let ec = key
        .ec_key()
        .map_err(|_| Error::KeyRejected("not an EC key"))?;
    if is_p256(ec.group()) {
        Ok(())
    } else {
        Err(Error::KeyRejected("EC key is not on P-256"))
    }
}

fn is_p256(group: &EcGroupRef) -> bool {
    group.curve_name() == Some(Nid::X9_62_PRIME256V1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::AlgorithmId;

    #[test]
    fn every_algorithm_is_supported() {
        for alg in AlgorithmId::all() {
            assert_eq!(OPENSSL.supports(alg), Ok(()), "{alg}");
        }
    }

    #[test]
    fn lookups_return_the_requested_algorithm() {
        for &id in AeadId::ALL {
            assert_eq!((OPENSSL.aead)(id).unwrap().id(), id);
        }
        for &id in SignatureId::ALL {
            assert_eq!((OPENSSL.signature)(id).unwrap().id(), id);
        }
        for &id in KeyAgreementId::ALL {
            assert_eq!((OPENSSL.key_agreement)(id).unwrap().id(), id);
        }
        assert_eq!(
            (OPENSSL.mac)(MacId::HmacSha256).unwrap().id(),
            MacId::HmacSha256
        );
        assert_eq!(
            (OPENSSL.kdf)(KdfId::HkdfSha256).unwrap().id(),
            KdfId::HkdfSha256
        );
        assert_eq!(
            (OPENSSL.key_transport)(KeyTransportId::RsaOaep2048Sha256)
                .unwrap()
                .id(),
            KeyTransportId::RsaOaep2048Sha256
        );
    }

    #[test]
    fn versions_report_the_loaded_library_and_the_crates() {
        let v = versions();
        assert_eq!(v.len(), 3);
        assert!(v[0].version.starts_with("OpenSSL "), "{}", v[0].version);
        assert!(v[1].version.starts_with("0.10."), "{}", v[1].version);
        assert_ne!(v[2].version, "unknown");
    }
}
