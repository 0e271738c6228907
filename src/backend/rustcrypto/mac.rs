//! HMAC-SHA256 (`hmac` + `sha2`).
//!
//! The keyed state (inner and outer pads already absorbed) is computed once; each message
//! clones it, which copies two SHA-256 states and does not allocate.

use hmac::{Hmac, KeyInit, Mac as _};
use sha2::Sha256;

use crate::backend::{Error, Mac, MacId, MacKey};

/// HMAC-SHA256.
pub(super) struct HmacSha256;

/// The one MAC of this backend.
pub(super) static HMAC_SHA256: HmacSha256 = HmacSha256;

impl Mac for HmacSha256 {
    fn id(&self) -> MacId {
        MacId::HmacSha256
    }

    fn new_key(&self, key: &[u8]) -> Result<Box<dyn MacKey>, Error> {
        if key.is_empty() {
            return Err(Error::BadLength("HMAC key must be at least 1 byte"));
        }
        let keyed =
            Hmac::<Sha256>::new_from_slice(key).map_err(|_| Error::BadLength("HMAC key"))?;
        Ok(Box::new(HmacSha256Key(keyed)))
    }
}

struct HmacSha256Key(Hmac<Sha256>);

impl MacKey for HmacSha256Key {
    fn sign(&self, parts: &[&[u8]], out: &mut [u8]) -> Result<(), Error> {
        if out.len() != MacId::HmacSha256.tag_len() {
            return Err(Error::BadLength("HMAC-SHA256 tag is 32 bytes"));
        }
        let mut mac = self.0.clone();
        for part in parts {
            mac.update(part);
        }
        out.copy_from_slice(&mac.finalize().into_bytes());
        Ok(())
    }

    fn tag_len(&self) -> usize {
        MacId::HmacSha256.tag_len()
    }
}

// Tests: `backend::contract` (RFC 4231, truncated and tampered tags).
