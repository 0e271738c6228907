//! HKDF-SHA256 (`hkdf` + `sha2`).

use hkdf::Hkdf;
use sha2::Sha256;

use crate::backend::{Error, Kdf, KdfId};

/// HKDF-SHA256.
pub(super) struct HkdfSha256;

/// The one KDF of this backend.
pub(super) static HKDF_SHA256: HkdfSha256 = HkdfSha256;

impl Kdf for HkdfSha256 {
    fn id(&self) -> KdfId {
        KdfId::HkdfSha256
    }

    fn derive(&self, salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) -> Result<(), Error> {
        // An empty salt is the RFC 5869 default (HashLen zeros): HMAC zero-pads the key.
        Hkdf::<Sha256>::new(Some(salt), ikm)
            .expand(info, out)
            .map_err(|_| Error::BadLength("HKDF-SHA256 output is at most 255 * 32 bytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // ref: https://www.rfc-editor.org/rfc/rfc5869#appendix-A.1
    #[test]
    fn rfc5869_test_case_1() {
        let mut okm = [0u8; 42];
        HKDF_SHA256
            .derive(
                &hex::decode("000102030405060708090a0b0c").unwrap(),
                &[0x0b; 22],
                &hex::decode("f0f1f2f3f4f5f6f7f8f9").unwrap(),
                &mut okm,
            )
            .unwrap();
        assert_eq!(
            hex::encode(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
    }

    // ref: https://www.rfc-editor.org/rfc/rfc5869#appendix-A.3 (empty salt and info)
    #[test]
    fn rfc5869_test_case_3_empty_salt() {
        let mut okm = [0u8; 42];
        HKDF_SHA256.derive(&[], &[0x0b; 22], &[], &mut okm).unwrap();
        assert_eq!(
            hex::encode(okm),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
        );
    }

    #[test]
    fn too_long_output_is_rejected() {
        let mut okm = vec![0u8; 255 * 32 + 1];
        assert!(matches!(
            HKDF_SHA256.derive(b"s", b"k", b"i", &mut okm),
            Err(Error::BadLength(_))
        ));
    }
}
