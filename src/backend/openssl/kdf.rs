//! HKDF-SHA256 through an `EVP_PKEY_HKDF` context (`EVP_PKEY_derive`).
//!
//! A context is created per derivation: HKDF has no key to prepare once, and the context
//! holds the inputs of one derivation.

use openssl::md::Md;
use openssl::pkey::Id;
use openssl::pkey_ctx::PkeyCtx;

use super::crypto;
use crate::backend::{Error, Kdf, KdfId};

/// HKDF-SHA256.
pub(super) struct HkdfSha256;

/// The one KDF of this backend.
pub(super) static HKDF_SHA256: HkdfSha256 = HkdfSha256;

// ref: RFC 5869 §2.3 (L <= 255 * HashLen)
const MAX_OUTPUT: usize = 255 * 32;

impl Kdf for HkdfSha256 {
    fn id(&self) -> KdfId {
        KdfId::HkdfSha256
    }

    fn derive(&self, salt: &[u8], ikm: &[u8], info: &[u8], out: &mut [u8]) -> Result<(), Error> {
        if out.is_empty() || out.len() > MAX_OUTPUT {
            return Err(Error::BadLength(
                "HKDF-SHA256 output must be 1 to 8160 bytes",
            ));
        }
        // The EVP API takes `int` lengths.
        if [salt, ikm, info]
            .iter()
            .any(|s| i32::try_from(s.len()).is_err())
        {
            return Err(Error::BadLength("HKDF input longer than INT_MAX"));
        }
        let mut ctx = PkeyCtx::new_id(Id::HKDF).map_err(crypto)?;
        ctx.derive_init().map_err(crypto)?;
        ctx.set_hkdf_md(Md::sha256()).map_err(crypto)?;
        ctx.set_hkdf_key(ikm).map_err(crypto)?;
        // An absent salt is HashLen zero bytes, which HMAC pads identically to an empty one.
        if !salt.is_empty() {
            ctx.set_hkdf_salt(salt).map_err(crypto)?;
        }
        if !info.is_empty() {
            ctx.add_hkdf_info(info).map_err(crypto)?;
        }
        let len = out.len();
        match ctx.derive(Some(out)) {
            Ok(n) if n == len => Ok(()),
            _ => Err(Error::Crypto),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Mac;

    fn okm(salt: &[u8], ikm: &[u8], info: &[u8], len: usize) -> String {
        let mut out = vec![0u8; len];
        HKDF_SHA256.derive(salt, ikm, info, &mut out).unwrap();
        hex::encode(out)
    }

    // RFC 5869's vectors and the output limit are `backend::contract`'s.

    #[test]
    fn empty_ikm_and_long_info_match_hmac_extract_then_expand() {
        // RFC 5869 §2.2-2.3 spelled out with this backend's HMAC.
        let hmac = |key: &[u8], parts: &[&[u8]]| {
            let mut out = [0u8; 32];
            super::super::mac::HMAC_SHA256
                .new_key(key)
                .unwrap()
                .sign(parts, &mut out)
                .unwrap();
            out
        };
        let info = vec![0x5a; 2000];
        let prk = hmac(b"salt", &[b""]);
        let t1 = hmac(&prk, &[&info, &[1]]);
        let t2 = hmac(&prk, &[&t1, &info, &[2]]);
        let expected = hex::encode([t1, t2].concat());
        assert_eq!(okm(b"salt", b"", &info, 64), expected);
    }

    #[test]
    fn empty_output_is_rejected() {
        assert!(matches!(
            HKDF_SHA256.derive(b"s", b"k", b"i", &mut []),
            Err(Error::BadLength(_))
        ));
    }
}
