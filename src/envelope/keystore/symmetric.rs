//! Symmetric key files: raw bytes, or hex text with an optional trailing newline.

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
    if let Some(label) = file::is_pem(data).then(|| file::pem_label(data)).flatten() {
        return Err(KeyStoreError::WrongKeyType {
            origin: origin.clone(),
            alg,
            found: format!("PEM \"{label}\""),
        });
    }
    let key = hex_or_raw(data);
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
}
