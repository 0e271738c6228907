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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_test_cases_1_and_2() {
        // ref: RFC 4231 §4.2, §4.3
        let key = HMAC_SHA256.new_key(&[0x0b; 20]).unwrap();
        let mut tag = [0u8; TAG_LEN];
        key.sign(&[b"Hi There"], &mut tag).unwrap();
        assert_eq!(
            hex::encode(tag),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );

        let key = HMAC_SHA256.new_key(b"Jefe").unwrap();
        key.sign(&[b"what do ya ", b"", b"want for nothing?"], &mut tag)
            .unwrap();
        assert_eq!(
            hex::encode(tag),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        key.verify(&[b"what do ya want for nothing?"], &tag)
            .unwrap();
        key.verify(&[b"what do ya want for nothing?"], &tag[..16])
            .unwrap();
    }

    #[test]
    fn tampered_message_or_tag_fails() {
        let key = HMAC_SHA256.new_key(b"key").unwrap();
        let mut tag = [0u8; TAG_LEN];
        key.sign(&[b"message"], &mut tag).unwrap();
        assert_eq!(key.verify(&[b"messagE"], &tag), Err(Error::Crypto));
        tag[31] ^= 1;
        assert_eq!(key.verify(&[b"message"], &tag), Err(Error::Crypto));
        assert_eq!(key.verify(&[b"message"], &tag[..15]), Err(Error::Crypto));
        assert!(matches!(
            key.sign(&[b"m"], &mut [0u8; 16]),
            Err(Error::BadLength(_))
        ));
    }
}
