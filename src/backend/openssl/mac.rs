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

// Tests: `backend::contract` (RFC 4231, a key reused across messages, truncated and
// tampered tags).
