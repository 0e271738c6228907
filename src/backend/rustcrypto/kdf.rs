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

// Tests: `backend::contract` (RFC 5869, the output limit).
