//! HMAC-SHA256 through `EVP_DigestSign*` with an `EVP_PKEY_HMAC` key.
//!
//! The `PKey` is created once per key, and so is the `EVP_MD_CTX` (an [`MdCtx`] behind a
//! mutex), which is re-initialised for every message. The safe API offers nothing
//! cheaper: `Signer::new` per message allocates a fresh `EVP_MD_CTX`, and libcrypto still
//! allocates its HMAC provider context in each `EVP_DigestSignInit` and duplicates it in
//! `EVP_DigestSignFinal` (the crate exposes neither `EVP_MAC` nor
//! `EVP_MD_CTX_FLAG_FINALISE`), so a few allocations inside OpenSSL remain per message.

use std::sync::Mutex;

use openssl::md::Md;
use openssl::md_ctx::MdCtx;
use openssl::pkey::{PKey, Private};

use super::crypto;
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
        let pkey = PKey::hmac(key).map_err(|_| Error::KeyRejected("HMAC key"))?;
        let ctx = MdCtx::new().map_err(crypto)?;
        Ok(Box::new(HmacSha256Key {
            pkey,
            ctx: Mutex::new(ctx),
        }))
    }
}

struct HmacSha256Key {
    pkey: PKey<Private>,
    ctx: Mutex<MdCtx>,
}

impl MacKey for HmacSha256Key {
    fn sign(&self, parts: &[&[u8]], out: &mut [u8]) -> Result<(), Error> {
        if out.len() != MacId::HmacSha256.tag_len() {
            return Err(Error::BadLength("HMAC-SHA256 tag is 32 bytes"));
        }
        let mut ctx = self.ctx.lock().map_err(crypto)?;
        ctx.digest_sign_init(Some(Md::sha256()), &self.pkey)
            .map_err(crypto)?;
        for part in parts {
            ctx.digest_sign_update(part).map_err(crypto)?;
        }
        match ctx.digest_sign_final(Some(out)) {
            Ok(32) => Ok(()),
            _ => Err(Error::Crypto),
        }
    }

    fn tag_len(&self) -> usize {
        MacId::HmacSha256.tag_len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(key: &[u8], parts: &[&[u8]]) -> String {
        let key = HMAC_SHA256.new_key(key).unwrap();
        let mut out = [0u8; 32];
        key.sign(parts, &mut out).unwrap();
        hex::encode(out)
    }

    #[test]
    fn rfc4231_test_cases() {
        // ref: RFC 4231 §4.2 (test case 1)
        assert_eq!(
            tag(&[0x0b; 20], &[b"Hi There"]),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // ref: RFC 4231 §4.3 (test case 2), message split across parts
        assert_eq!(
            tag(b"Jefe", &[b"what do ya want ", b"", b"for nothing?"]),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // ref: RFC 4231 §4.7 (test case 6, 131-byte key is hashed first)
        assert_eq!(
            tag(
                &[0xaa; 131],
                &[b"Test Using Larger Than Block-Size Key - Hash Key First"]
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn the_context_is_reused_across_messages() {
        let key = HMAC_SHA256.new_key(b"Jefe").unwrap();
        let mut out = [0u8; 32];
        for _ in 0..3 {
            key.sign(&[b"what do ya want for nothing?"], &mut out)
                .unwrap();
            assert_eq!(
                hex::encode(out),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
            );
        }
    }

    #[test]
    fn verify_accepts_truncated_and_rejects_tampered_tags() {
        let key = HMAC_SHA256.new_key(&[0x0b; 20]).unwrap();
        let mut full = [0u8; 32];
        key.sign(&[b"Hi There"], &mut full).unwrap();
        assert_eq!(key.verify(&[b"Hi ", b"There"], &full), Ok(()));
        assert_eq!(key.verify(&[b"Hi There"], &full[..16]), Ok(()));
        assert_eq!(key.verify(&[b"Hi There"], &full[..15]), Err(Error::Crypto));
        let mut bad = full;
        bad[31] ^= 1;
        assert_eq!(key.verify(&[b"Hi There"], &bad), Err(Error::Crypto));
        assert_eq!(key.verify(&[b"Hi there"], &full), Err(Error::Crypto));
        assert!(matches!(
            key.sign(&[b"x"], &mut [0u8; 16]),
            Err(Error::BadLength(_))
        ));
        assert!(HMAC_SHA256.new_key(b"").is_err());
    }
}
