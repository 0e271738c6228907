//! Symmetric key files: raw bytes, or hex text with an optional trailing newline.
//!
//! A file that holds key material in a standard encoding (any PEM text, or DER that
//! decodes as a private key, public key or certificate) is refused: its bytes are not a
//! secret, or not the secret the operator meant. A public key taken as an HMAC key lets
//! anyone who has the public key forge MACs.

use der::Decode;
use der::asn1::UintRef;
use pkcs8::PrivateKeyInfoRef;
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use super::error::{KeyStoreError, Origin};
use super::file;
use crate::backend::AeadId;
use crate::envelope::{KeyAlg, KeyMaterial};

/// The shortest HMAC-SHA-256 key accepted: the hash output length (RFC 2104 §3).
const HMAC_MIN_LEN: usize = 32;

/// Loads a symmetric key for `alg` from a file's bytes.
pub(super) fn load(
    data: &[u8],
    alg: KeyAlg,
    origin: &Origin,
) -> Result<KeyMaterial, KeyStoreError> {
    let not_secret = |found: String| KeyStoreError::NotASecretKey {
        origin: origin.clone(),
        alg,
        found,
    };
    if file::is_pem(data) {
        return Err(not_secret(match file::pem_label(data) {
            Some(label) => format!("PEM \"{label}\""),
            None => "PEM text (a -----BEGIN line)".into(),
        }));
    }
    let key = hex_or_raw(data);
    if let Some(found) = der_key_structure(&key) {
        return Err(not_secret(format!("DER {found}")));
    }
    let (ok, expected) = match alg {
        KeyAlg::Hmac256 => (key.len() >= HMAC_MIN_LEN, "at least 32"),
        KeyAlg::Aead(AeadId::Aes128Gcm) => (key.len() == 16, "16"),
        KeyAlg::Aead(AeadId::Aes256Gcm | AeadId::ChaCha20Poly1305) => (key.len() == 32, "32"),
        KeyAlg::Sign(_) | KeyAlg::RsaOaep256 | KeyAlg::EcdhEs(_) => {
            return Err(KeyStoreError::WrongKeyType {
                origin: origin.clone(),
                alg,
                found: "symmetric".into(),
            });
        }
    };
    if ok {
        Ok(KeyMaterial::Symmetric(key))
    } else {
        Err(KeyStoreError::SymmetricKeyLength {
            origin: origin.clone(),
            alg,
            len: key.len(),
            expected,
        })
    }
}

/// What a DER key or certificate structure is, if `key` (the whole of it) is one. Each
/// decoder needs fixed tags, lengths that add up to the whole input and (for all but the
/// INTEGER sequences) an object identifier, so random key bytes practically never match:
/// the loosest, a SEQUENCE of two INTEGERs, needs at least 5 fixed bytes (about 2^-40 for random bytes).
fn der_key_structure(key: &[u8]) -> Option<&'static str> {
    if PrivateKeyInfoRef::from_der(key).is_ok() {
        return Some("PKCS#8 PrivateKeyInfo (a private key)");
    }
    if SubjectPublicKeyInfoRef::from_der(key).is_ok() {
        return Some("SubjectPublicKeyInfo (a public key)");
    }
    if x509_cert::Certificate::from_der(key).is_ok() {
        return Some("X.509 certificate");
    }
    if sec1::EcPrivateKey::from_der(key).is_ok() {
        return Some("SEC1 ECPrivateKey (an EC private key)");
    }
    if Vec::<UintRef<'_>>::from_der(key).is_ok_and(|ints| ints.len() >= 2) {
        return Some("SEQUENCE of INTEGERs (a PKCS#1 RSA key, or DSA/DH parameters)");
    }
    // EncryptedPrivateKeyInfo and other SEQUENCEs that open with an AlgorithmIdentifier.
    let first_is_alg_id = Vec::<der::Any>::from_der(key).is_ok_and(|items| {
        items
            .first()
            .is_some_and(|a| a.decode_as::<AlgorithmIdentifierRef<'_>>().is_ok())
    });
    first_is_alg_id
        .then_some("SEQUENCE starting with an AlgorithmIdentifier (e.g. an encrypted PKCS#8 key)")
}

/// Decodes hex text (an even number of hex digits, then optionally `\n` or `\r\n`);
/// anything else is taken as raw key bytes.
fn hex_or_raw(data: &[u8]) -> Zeroizing<Vec<u8>> {
    let text = data
        .strip_suffix(b"\r\n")
        .or_else(|| data.strip_suffix(b"\n"))
        .unwrap_or(data);
    if !text.is_empty() && text.len().is_multiple_of(2) && text.iter().all(u8::is_ascii_hexdigit) {
        let mut key = Zeroizing::new(vec![0u8; text.len() / 2]);
        if hex::decode_to_slice(text, &mut key).is_ok() {
            return key;
        }
    }
    Zeroizing::new(data.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_text_is_decoded_and_raw_bytes_kept() {
        assert_eq!(&hex_or_raw(b"0aff\n")[..], &[0x0a, 0xff]);
        assert_eq!(&hex_or_raw(b"0AFF\r\n")[..], &[0x0a, 0xff]);
        assert_eq!(&hex_or_raw(b"0af\n")[..], b"0af\n");
        assert_eq!(&hex_or_raw(b"\x01\x02\n")[..], b"\x01\x02\n");
        assert_eq!(&hex_or_raw(b"\n")[..], b"\n");
    }

    #[test]
    fn der_structures_are_recognised_and_random_bytes_are_not() {
        // SEQUENCE { INTEGER 1, INTEGER 3 }
        assert!(der_key_structure(&[0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x03]).is_some());
        // SEQUENCE { SEQUENCE { OID 1.2.3 }, OCTET STRING "" }
        let enc = [0x30, 0x08, 0x30, 0x04, 0x06, 0x02, 0x2a, 0x03, 0x04, 0x00];
        assert!(der_key_structure(&enc).is_some());
        assert!(der_key_structure(&[0x30, 0x03, 0x02, 0x01, 0x01]).is_none());
        assert!(der_key_structure(&[0x30; 32]).is_none());
        assert!(der_key_structure(&[0u8; 32]).is_none());
    }
}
