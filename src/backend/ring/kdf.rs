//! HKDF-SHA256 through the `hkdf` module of ring, or of aws-lc-rs, which has the same API:
//! `../aws_lc/mod.rs` includes this file with `ring_like` = `aws_lc_rs`.

use super::ring_like::hkdf;

use crate::backend::{Error, Kdf, KdfId};

/// HKDF-SHA256.
pub(super) struct HkdfSha256;

/// The HKDF-SHA256 implementation.
pub(super) static HKDF_SHA256: HkdfSha256 = HkdfSha256;

/// RFC 5869 caps the output at 255 hash lengths.
// ref: https://www.rfc-editor.org/rfc/rfc5869#section-2.3
const MAX_OUTPUT_LEN: usize = 255 * 32;

/// An output length, as `expand` wants it.
struct OutputLen(usize);

impl hkdf::KeyType for OutputLen {
    fn len(&self) -> usize {
        self.0
    }
}

impl Kdf for HkdfSha256 {
    fn id(&self) -> KdfId {
        KdfId::HkdfSha256
    }

    fn derive(&self, salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) -> Result<(), Error> {
        if out.len() > MAX_OUTPUT_LEN {
            return Err(Error::BadLength("HKDF-SHA256 output is at most 8160 bytes"));
        }
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, salt).extract(ikm);
        let info = [info];
        let okm = prk
            .expand(&info, OutputLen(out.len()))
            .map_err(|_| Error::BadLength("HKDF-SHA256 output is at most 8160 bytes"))?;
        okm.fill(out).map_err(|_| Error::Crypto)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5869_test_case_1() {
        // ref: RFC 5869 Appendix A.1
        let salt = hex::decode("000102030405060708090a0b0c").unwrap();
        let info = hex::decode("f0f1f2f3f4f5f6f7f8f9").unwrap();
        let mut okm = [0u8; 42];
        HKDF_SHA256
            .derive(&salt, &[0x0b; 22], &info, &mut okm)
            .unwrap();
        assert_eq!(
            hex::encode(okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
    }

    #[test]
    fn output_length_is_capped() {
        let mut max = vec![0u8; MAX_OUTPUT_LEN];
        HKDF_SHA256.derive(b"s", b"k", b"i", &mut max).unwrap();
        let mut over = vec![0u8; MAX_OUTPUT_LEN + 1];
        assert!(matches!(
            HKDF_SHA256.derive(b"s", b"k", b"i", &mut over),
            Err(Error::BadLength(_))
        ));
    }
}
