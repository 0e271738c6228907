//! Key pairs and public keys: PKCS#8 / SPKI parsing, the algorithm check, and the public
//! key of a private key, computed by the first backend that accepts it.

use der::Decode;
use der::Encode;
use der::asn1::{BitString, ObjectIdentifier};
use pkcs8::PrivateKeyInfoRef;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use super::error::{KeyStoreError, Origin};
use super::file::{decode_pem, der_error, is_pem};
use super::kind::{KeyKind, rsa_modulus};
use super::scalar::scalar_of;
use crate::backend::{self, ALL_BACKENDS, Backend, KeyAgreementId, KeyTransportId};
use crate::envelope::{KeyAlg, KeyMaterial};

pub(super) const PKCS8: &str = "PKCS#8 PrivateKeyInfo";
const SPKI: &str = "SubjectPublicKeyInfo";
// ref: RFC 8410 §3
const OID_X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");

/// Loads a private key (PKCS#8) or public key (SPKI), PEM or DER, for `alg`.
pub(super) fn load(
    data: &[u8],
    alg: KeyAlg,
    origin: &Origin,
) -> Result<KeyMaterial, KeyStoreError> {
    let (private, der) = if is_pem(data) {
        let labels = &["PRIVATE KEY", "PUBLIC KEY"];
        let (label, der) = decode_pem(data, origin, labels, "PRIVATE KEY or PUBLIC KEY")?;
        (label == "PRIVATE KEY", der)
    } else {
        let der = Zeroizing::new(data.to_vec());
        (der_is_private(&der, origin)?, der)
    };
    if private {
        load_private(der, alg, origin)
    } else {
        load_public(&der, alg, origin)
    }
}

/// Tells PKCS#8 from SPKI in DER: a PrivateKeyInfo starts with its version INTEGER.
fn der_is_private(der: &[u8], origin: &Origin) -> Result<bool, KeyStoreError> {
    let trailing = |e: &der::Error| matches!(e.kind(), der::ErrorKind::TrailingData { .. });
    let pkcs8_err = match PrivateKeyInfoRef::from_der(der) {
        Ok(_) => return Ok(true),
        Err(e) => e,
    };
    if trailing(&pkcs8_err) {
        return Err(der_error(pkcs8_err, origin, PKCS8, true));
    }
    match SubjectPublicKeyInfoRef::from_der(der) {
        Ok(_) => Ok(false),
        Err(e) if trailing(&e) => Err(der_error(e, origin, SPKI, false)),
        Err(_) => Err(KeyStoreError::Malformed {
            origin: origin.clone(),
            what: "key file",
            reason: "neither PEM nor a DER PKCS#8 PrivateKeyInfo or SubjectPublicKeyInfo".into(),
        }),
    }
}

fn load_private(
    pkcs8: Zeroizing<Vec<u8>>,
    alg: KeyAlg,
    origin: &Origin,
) -> Result<KeyMaterial, KeyStoreError> {
    let info =
        PrivateKeyInfoRef::from_der(&pkcs8).map_err(|e| der_error(e, origin, PKCS8, true))?;
    check_kind(private_kind(&info, origin)?, alg, origin)?;
    let spki = derive_spki(&pkcs8, alg, origin)?;
    Ok(KeyMaterial::Private { pkcs8, spki })
}

pub(super) fn private_kind(
    info: &PrivateKeyInfoRef<'_>,
    origin: &Origin,
) -> Result<KeyKind, KeyStoreError> {
    KeyKind::of(&info.algorithm, || rsa_modulus(info.private_key.as_bytes())).ok_or_else(|| {
        KeyStoreError::Malformed {
            origin: origin.clone(),
            what: "RSAPrivateKey",
            reason: "not a two-prime PKCS#1 RSAPrivateKey".into(),
        }
    })
}

fn load_public(spki: &[u8], alg: KeyAlg, origin: &Origin) -> Result<KeyMaterial, KeyStoreError> {
    let info =
        SubjectPublicKeyInfoRef::from_der(spki).map_err(|e| der_error(e, origin, SPKI, false))?;
    let malformed = |reason: &str| KeyStoreError::Malformed {
        origin: origin.clone(),
        what: SPKI,
        reason: reason.into(),
    };
    let key = info
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| malformed("subjectPublicKey has unused bits"))?;
    let kind = KeyKind::of(&info.algorithm, || rsa_modulus(key))
        .ok_or_else(|| malformed("not a PKCS#1 RSAPublicKey"))?;
    check_kind(kind, alg, origin)?;
    match kind {
        KeyKind::Ed25519 | KeyKind::X25519 if key.len() != 32 => {
            Err(malformed("the raw key must be 32 bytes"))
        }
        KeyKind::Ec(_) if key.len() != 65 || key.first() != Some(&4) => Err(malformed(
            "the P-256 point must be uncompressed (65 bytes, 0x04 prefix)",
        )),
        _ => Ok(KeyMaterial::Public(spki.to_vec())),
    }
}

pub(super) fn check_kind(kind: KeyKind, alg: KeyAlg, origin: &Origin) -> Result<(), KeyStoreError> {
    if kind.fits(alg) {
        Ok(())
    } else {
        Err(KeyStoreError::WrongKeyType {
            origin: origin.clone(),
            alg,
            found: kind.to_string(),
        })
    }
}

/// The SPKI of a private key, from the first backend in [`ALL_BACKENDS`] that loads it.
fn derive_spki(pkcs8: &[u8], alg: KeyAlg, origin: &Origin) -> Result<Vec<u8>, KeyStoreError> {
    let scalar = match alg {
        KeyAlg::EcdhEs(id) => Some(scalar_of(pkcs8, id, origin)?),
        _ => None,
    };
    let derive = |b: &Backend| -> Result<Vec<u8>, backend::Error> {
        match (alg, &scalar) {
            (KeyAlg::Sign(id), _) => (b.signature)(id)?.signing_key(pkcs8)?.public_key_spki(),
            (KeyAlg::RsaOaep256, _) => (b.key_transport)(KeyTransportId::RsaOaep2048Sha256)?
                .decrypting_key(pkcs8)?
                .public_key_spki(),
            (KeyAlg::EcdhEs(id), Some(scalar)) => {
                let key = (b.key_agreement)(id)?.private_key(scalar)?;
                let mut point = [0u8; 65];
                let len = key.public_key(&mut point)?;
                let point = point
                    .get(..len)
                    .ok_or(backend::Error::BadLength("public key"))?;
                agreement_spki(id, point)
            }
            (KeyAlg::EcdhEs(_) | KeyAlg::Hmac256 | KeyAlg::Aead(_), _) => {
                Err(backend::Error::KeyRejected("not a key-pair algorithm"))
            }
        }
    };
    let mut reasons = Vec::new();
    for b in ALL_BACKENDS {
        match derive(b) {
            Ok(spki) => return Ok(spki),
            Err(e) => reasons.push(format!("{}: {e}", b.name)),
        }
    }
    if reasons.is_empty() {
        reasons.push("no backend is compiled in".to_string());
    }
    Err(KeyStoreError::KeyRejected {
        origin: origin.clone(),
        alg,
        reasons: reasons.join("; "),
    })
}

/// The SPKI of a key-agreement public key (X25519: 32 raw bytes; P-256: a SEC1 point).
pub(super) fn agreement_spki(id: KeyAgreementId, public: &[u8]) -> Result<Vec<u8>, backend::Error> {
    match id {
        KeyAgreementId::EcdhP256 => backend::keys::p256_spki(public),
        KeyAgreementId::X25519 => x25519_spki(public),
    }
}

/// SPKI for a raw 32-byte X25519 public key (RFC 8410 §4: no parameters).
fn x25519_spki(raw: &[u8]) -> Result<Vec<u8>, backend::Error> {
    if raw.len() != 32 {
        return Err(backend::Error::KeyRejected(
            "X25519 public key must be 32 bytes",
        ));
    }
    let bad = |_| backend::Error::KeyRejected("X25519 public key cannot be encoded");
    SubjectPublicKeyInfoOwned {
        algorithm: AlgorithmIdentifierOwned {
            oid: OID_X25519,
            parameters: None,
        },
        subject_public_key: BitString::from_bytes(raw).map_err(bad)?,
    }
    .to_der()
    .map_err(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x25519_spki_matches_rfc8410() {
        let spki = x25519_spki(&[9u8; 32]).unwrap();
        // ref: RFC 8410 §10.1 structure, with the X25519 OID (1.3.101.110).
        assert_eq!(hex::encode(&spki[..12]), "302a300506032b656e032100");
        assert!(x25519_spki(&[9u8; 31]).is_err());
    }
}
