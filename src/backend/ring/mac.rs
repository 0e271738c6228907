//! HMAC-SHA256 through the `hmac` module of ring, or of aws-lc-rs, which has the same API:
//! `../aws_lc/mod.rs` includes this file with `ring_like` = `aws_lc_rs` (as rustls shares
//! its ring and aws-lc-rs providers), so both backends run the same code and tests.

use super::ring_like::hmac;

use crate::backend::{Error, Mac, MacId, MacKey};

/// HMAC-SHA256.
pub(super) struct HmacSha256;

/// The HMAC-SHA256 implementation.
pub(super) static HMAC_SHA256: HmacSha256 = HmacSha256;

const TAG_LEN: usize = MacId::HmacSha256.tag_len();

impl Mac for HmacSha256 {
    fn id(&self) -> MacId {
        MacId::HmacSha256
    }

    fn new_key(&self, key: &[u8]) -> Result<Box<dyn MacKey>, Error> {
        if key.is_empty() {
            return Err(Error::BadLength("HMAC key must be at least 1 byte"));
        }
        Ok(Box::new(HmacKey(hmac::Key::new(hmac::HMAC_SHA256, key))))
    }
}

/// An HMAC-SHA256 key (the inner and outer pads precomputed).
struct HmacKey(hmac::Key);

impl MacKey for HmacKey {
    fn sign(&self, parts: &[&[u8]], out: &mut [u8]) -> Result<(), Error> {
        if out.len() != TAG_LEN {
            return Err(Error::BadLength("HMAC-SHA256 tag must be 32 bytes"));
        }
        let mut ctx = hmac::Context::with_key(&self.0);
        for part in parts {
            ctx.update(part);
        }
        out.copy_from_slice(ctx.sign().as_ref());
        Ok(())
    }

    fn tag_len(&self) -> usize {
        TAG_LEN
    }
}

// Tests: `backend::contract` (RFC 4231, truncated and tampered tags), for ring and aws-lc.
