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

#[cfg(test)]
mod tests {
    use super::*;

    // ref: https://www.rfc-editor.org/rfc/rfc4231#section-4.3 (test case 2)
    const TC2_TAG: &str = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

    #[test]
    fn rfc4231_test_case_2_over_split_parts() {
        let key = HMAC_SHA256.new_key(b"Jefe").unwrap();
        let mut tag = [0u8; 32];
        key.sign(&[b"what do ya want ", b"", b"for nothing?"], &mut tag)
            .unwrap();
        assert_eq!(hex::encode(tag), TC2_TAG);
        key.sign(&[b"what do ya want for nothing?"], &mut tag)
            .unwrap();
        assert_eq!(hex::encode(tag), TC2_TAG);
    }

    // ref: https://www.rfc-editor.org/rfc/rfc4231#section-4.7 (test case 6: 131-byte key)
    #[test]
    fn rfc4231_test_case_6_long_key() {
        let key = HMAC_SHA256.new_key(&[0xaa; 131]).unwrap();
        let mut tag = [0u8; 32];
        key.sign(
            &[b"Test Using Larger Than Block-Size Key - Hash Key First"],
            &mut tag,
        )
        .unwrap();
        assert_eq!(
            hex::encode(tag),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn verify_accepts_truncated_and_rejects_tampered_tags() {
        let key = HMAC_SHA256.new_key(b"Jefe").unwrap();
        let msg: &[&[u8]] = &[b"what do ya want for nothing?"];
        let tag = hex::decode(TC2_TAG).unwrap();
        assert_eq!(key.verify(msg, &tag), Ok(()));
        assert_eq!(key.verify(msg, &tag[..16]), Ok(()));
        assert_eq!(key.verify(msg, &tag[..15]), Err(Error::Crypto));
        let mut bad = tag.clone();
        bad[31] ^= 0x01;
        assert_eq!(key.verify(msg, &bad), Err(Error::Crypto));
        assert_eq!(
            key.verify(&[b"what do ya want for nothing!"], &tag),
            Err(Error::Crypto)
        );
        assert!(key.sign(msg, &mut [0u8; 31]).is_err());
        assert!(HMAC_SHA256.new_key(b"").is_err());
    }
}
