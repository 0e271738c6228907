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

// Tests: `backend::contract` (RFC 5869, the output limit), for ring and aws-lc.
