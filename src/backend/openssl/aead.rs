//! AES-GCM and ChaCha20-Poly1305 through `EVP_CIPHER_CTX` (`openssl::cipher_ctx`).
//!
//! Each key owns two contexts, one initialised for encryption and one for decryption, with
//! the cipher, IV length and key set once (the key schedule and GHASH table are computed
//! then). Per message only the IV is set, which resets the GCM state without touching the
//! key; AAD and data go through `EVP_CipherUpdate` in place. Contexts are mutable, so each
//! sits behind a mutex; nothing is allocated per message.

use std::ffi::c_int;
use std::sync::Mutex;

use openssl::cipher::{Cipher, CipherRef};
use openssl::cipher_ctx::CipherCtx;

use super::crypto;
use crate::backend::{Aead, AeadId, AeadKey, AeadParams, Error, Unsupported};

/// One AEAD algorithm of this backend.
pub(super) struct OpensslAead(AeadId);

/// AES-128-GCM.
pub(super) static AES_128_GCM: OpensslAead = OpensslAead(AeadId::Aes128Gcm);
/// AES-256-GCM.
pub(super) static AES_256_GCM: OpensslAead = OpensslAead(AeadId::Aes256Gcm);
/// ChaCha20-Poly1305.
pub(super) static CHACHA20_POLY1305: OpensslAead = OpensslAead(AeadId::ChaCha20Poly1305);

/// Longest GCM IV OpenSSL accepts (`GCM_IV_MAX_SIZE`, 1024 bits), in bytes.
const GCM_MAX_IV: usize = 128;
/// Longest tag of either algorithm, in bytes.
const MAX_TAG: usize = 16;

const GCM_IV: Unsupported =
    Unsupported("OpenSSL accepts GCM IVs of 1 to 128 bytes (GCM_IV_MAX_SIZE is 1024 bits)");
// ref: NIST SP 800-38D §5.2.1.2 (t in {128, 120, 112, 104, 96}, plus 64 and 32 per Appendix C)
const GCM_TAG: Unsupported =
    Unsupported("GCM tags must be 4, 8 or 12 to 16 bytes (SP 800-38D §5.2.1.2 and Appendix C)");
// ref: RFC 8439 §2.8
const CHACHA_PARAMS: Unsupported =
    Unsupported("ChaCha20-Poly1305 (RFC 8439) has a 96-bit nonce and a 128-bit tag only");

impl OpensslAead {
    fn cipher(&self) -> &'static CipherRef {
        match self.0 {
            AeadId::Aes128Gcm => Cipher::aes_128_gcm(),
            AeadId::Aes256Gcm => Cipher::aes_256_gcm(),
            AeadId::ChaCha20Poly1305 => Cipher::chacha20_poly1305(),
        }
    }
}

impl Aead for OpensslAead {
    fn id(&self) -> AeadId {
        self.0
    }

    fn check_params(&self, params: AeadParams) -> Result<(), Unsupported> {
        match self.0 {
            AeadId::Aes128Gcm | AeadId::Aes256Gcm => {
                if !(1..=GCM_MAX_IV).contains(&params.nonce_len) {
                    Err(GCM_IV)
                } else if !matches!(params.tag_len, 4 | 8 | 12..=16) {
                    Err(GCM_TAG)
                } else {
                    Ok(())
                }
            }
            AeadId::ChaCha20Poly1305 if params == self.0.default_params() => Ok(()),
            AeadId::ChaCha20Poly1305 => Err(CHACHA_PARAMS),
        }
    }

    fn new_key(&self, key: &[u8], params: AeadParams) -> Result<Box<dyn AeadKey>, Error> {
        self.check_params(params)?;
        if key.len() != self.0.key_len() {
            return Err(Error::BadLength("AEAD key"));
        }
        let cipher = self.cipher();

        let mut seal = CipherCtx::new().map_err(crypto)?;
        seal.encrypt_init(Some(cipher), None, None)
            .map_err(crypto)?;
        set_iv_len(&mut seal, cipher, params.nonce_len)?;
        seal.encrypt_init(None, Some(key), None).map_err(crypto)?;

        let mut open = CipherCtx::new().map_err(crypto)?;
        open.decrypt_init(Some(cipher), None, None)
            .map_err(crypto)?;
        set_iv_len(&mut open, cipher, params.nonce_len)?;
        open.decrypt_init(None, Some(key), None).map_err(crypto)?;

        Ok(Box::new(OpensslAeadKey {
            params,
            seal: Mutex::new(seal),
            open: Mutex::new(open),
        }))
    }
}

/// Sets a non-default IV length (before the key, as `EVP_EncryptInit_ex(3)` describes).
fn set_iv_len(ctx: &mut CipherCtx, cipher: &CipherRef, len: usize) -> Result<(), Error> {
    if len == cipher.iv_length() {
        return Ok(());
    }
    ctx.set_iv_length(len).map_err(crypto)?;
    if ctx.iv_length() == len {
        Ok(())
    } else {
        Err(Error::Crypto)
    }
}

struct OpensslAeadKey {
    params: AeadParams,
    seal: Mutex<CipherCtx>,
    open: Mutex<CipherCtx>,
}

impl OpensslAeadKey {
    /// Checks argument lengths; returns the length of the text before the tag.
    fn text_len(&self, nonce: &[u8], aad: &[u8], in_out: &[u8]) -> Result<usize, Error> {
        if nonce.len() != self.params.nonce_len {
            return Err(Error::BadLength("nonce"));
        }
        // The EVP API takes `int` lengths.
        if c_int::try_from(aad.len()).is_err() || c_int::try_from(in_out.len()).is_err() {
            return Err(Error::BadLength("AEAD input longer than INT_MAX"));
        }
        in_out
            .len()
            .checked_sub(self.params.tag_len)
            .ok_or(Error::BadLength("buffer shorter than the tag"))
    }

    fn open_inner(&self, nonce: &[u8], aad: &[u8], in_out: &mut [u8]) -> Result<usize, Error> {
        let ct_len = self.text_len(nonce, aad, in_out)?;
        let (ct, tag_in) = in_out
            .split_at_mut_checked(ct_len)
            .ok_or(Error::BadLength("buffer"))?;
        let mut tag_buf = [0u8; MAX_TAG];
        let tag = tag_buf
            .get_mut(..tag_in.len())
            .ok_or(Error::BadLength("tag"))?;
        tag.copy_from_slice(tag_in);

        let mut ctx = self.open.lock().map_err(crypto)?;
        ctx.decrypt_init(None, None, Some(nonce)).map_err(crypto)?;
        ctx.set_tag(tag).map_err(crypto)?;
        if !aad.is_empty() {
            ctx.cipher_update(aad, None).map_err(crypto)?;
        }
        if !ct.is_empty() && ctx.cipher_update_inplace(ct, ct_len).map_err(crypto)? != ct_len {
            return Err(Error::Crypto);
        }
        // GCM and ChaCha20-Poly1305 are stream modes: final writes nothing, it checks the tag.
        let mut rest = [0u8; MAX_TAG];
        match ctx.cipher_final(&mut rest) {
            Ok(0) => Ok(ct_len),
            _ => Err(Error::Crypto),
        }
    }
}

impl AeadKey for OpensslAeadKey {
    fn params(&self) -> AeadParams {
        self.params
    }

    fn seal_in_place(&self, nonce: &[u8], aad: &[u8], in_out: &mut [u8]) -> Result<(), Error> {
        let pt_len = self.text_len(nonce, aad, in_out)?;
        let (pt, tag) = in_out
            .split_at_mut_checked(pt_len)
            .ok_or(Error::BadLength("buffer"))?;

        let mut ctx = self.seal.lock().map_err(crypto)?;
        ctx.encrypt_init(None, None, Some(nonce)).map_err(crypto)?;
        if !aad.is_empty() {
            ctx.cipher_update(aad, None).map_err(crypto)?;
        }
        if !pt.is_empty() && ctx.cipher_update_inplace(pt, pt_len).map_err(crypto)? != pt_len {
            return Err(Error::Crypto);
        }
        let mut rest = [0u8; MAX_TAG];
        if ctx.cipher_final(&mut rest).map_err(crypto)? != 0 {
            return Err(Error::Crypto);
        }
        // A shorter tag is the leading bytes of the full one (SP 800-38D §7.1 step 6, MSB_t).
        ctx.tag(tag).map_err(crypto)
    }

    fn open_in_place(&self, nonce: &[u8], aad: &[u8], in_out: &mut [u8]) -> Result<usize, Error> {
        // OpenSSL decrypts into `in_out` before it checks the tag: wipe on any failure.
        let result = self.open_inner(nonce, aad, in_out);
        if result.is_err() {
            in_out.fill(0);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(alg: &OpensslAead, params: AeadParams, k: &str, n: &str, a: &str, p: &str) -> String {
        let key = alg.new_key(&hex::decode(k).unwrap(), params).unwrap();
        let mut buf = hex::decode(p).unwrap();
        buf.resize(buf.len() + params.tag_len, 0);
        let (nonce, aad) = (hex::decode(n).unwrap(), hex::decode(a).unwrap());
        key.seal_in_place(&nonce, &aad, &mut buf).unwrap();
        let out = hex::encode(&buf);
        let len = key.open_in_place(&nonce, &aad, &mut buf).unwrap();
        assert_eq!(hex::encode(&buf[..len]), p, "round trip");
        out
    }

    fn params(nonce_len: usize, tag_len: usize) -> AeadParams {
        AeadParams { nonce_len, tag_len }
    }

    // ref: McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 3-6
    const GCM_K: &str = "feffe9928665731c6d6a8f9467308308";
    const GCM_P: &str = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
    const GCM_A: &str = "feedfacedeadbeeffeedfacedeadbeefabaddad2";

    // Test cases 4 and 16 with full tags, RFC 8439 and the tamper test at the default
    // parameters are `backend::contract`'s.

    #[test]
    fn gcm_spec_test_case_5_64_bit_iv() {
        let out = seal(
            &AES_128_GCM,
            params(8, 16),
            GCM_K,
            "cafebabefacedbad",
            GCM_A,
            GCM_P,
        );
        assert_eq!(
            out,
            "61353b4c2806934a777ff51fa22a4755699b2a714fcdc6f83766e5f97b6c742373806900e49f24b22b097544d4896b424989b5e1ebac0f07c23f4598\
             3612d2e79e3b0785561be14aaca2fccb"
        );
    }

    #[test]
    fn gcm_spec_test_case_6_480_bit_iv() {
        let iv = "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b";
        let out = seal(&AES_128_GCM, params(60, 16), GCM_K, iv, GCM_A, GCM_P);
        assert_eq!(
            out,
            "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca701e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5\
             619cc5aefffe0bfa462af43c1699d050"
        );
    }

    #[test]
    fn gcm_spec_test_case_16_aes256_truncated_tags() {
        // ref: GCM spec test case 16 (AES-256, 96-bit IV, with AAD)
        let k = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
        let ct = "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662";
        let tag = "76fc6ece0f4e1768cddf8853bb2d551b";
        for tag_len in [16, 12, 8, 4] {
            let out = seal(
                &AES_256_GCM,
                params(12, tag_len),
                k,
                "cafebabefacedbaddecaf888",
                GCM_A,
                GCM_P,
            );
            assert_eq!(
                out,
                format!("{ct}{}", &tag[..2 * tag_len]),
                "tag_len {tag_len}"
            );
        }
    }

    #[test]
    fn gcm_empty_message_and_one_byte_iv() {
        // ref: GCM spec test case 1 (zero key, zero IV, no data)
        let out = seal(
            &AES_128_GCM,
            params(12, 16),
            &"00".repeat(16),
            &"00".repeat(12),
            "",
            "",
        );
        assert_eq!(out, "58e2fccefa7e3061367f1d57a4e7455a");
        // An 8-bit IV (as in the NIST CAVP sections) is accepted and round-trips.
        seal(&AES_128_GCM, params(1, 16), GCM_K, "ab", GCM_A, GCM_P);
        seal(
            &AES_128_GCM,
            params(128, 16),
            GCM_K,
            &"ab".repeat(128),
            "",
            GCM_P,
        );
    }

    #[test]
    fn unsupported_params_say_why() {
        assert_eq!(AES_128_GCM.check_params(params(0, 16)), Err(GCM_IV));
        assert_eq!(AES_128_GCM.check_params(params(129, 16)), Err(GCM_IV));
        assert_eq!(AES_128_GCM.check_params(params(12, 10)), Err(GCM_TAG));
        assert_eq!(AES_256_GCM.check_params(params(12, 17)), Err(GCM_TAG));
        assert_eq!(
            CHACHA20_POLY1305.check_params(params(12, 12)),
            Err(CHACHA_PARAMS)
        );
        assert_eq!(
            CHACHA20_POLY1305.check_params(params(8, 16)),
            Err(CHACHA_PARAMS)
        );
        assert!(matches!(
            AES_128_GCM.new_key(&[0; 16], params(12, 10)),
            Err(Error::Unsupported(GCM_TAG))
        ));
        assert!(matches!(
            AES_128_GCM.new_key(&[0; 32], params(12, 16)),
            Err(Error::BadLength(_))
        ));
    }

    #[test]
    fn tampering_fails_and_wipes_the_buffer_with_short_nonces_and_tags() {
        for alg in [&AES_128_GCM, &AES_256_GCM] {
            crate::backend::contract::aead_tamper_check(alg, params(8, 8));
        }
    }

    #[test]
    fn bad_lengths_are_rejected() {
        let key = AES_128_GCM.new_key(&[1; 16], params(12, 16)).unwrap();
        let mut short = [0u8; 15];
        assert!(matches!(
            key.seal_in_place(&[0; 12], b"", &mut short),
            Err(Error::BadLength(_))
        ));
        let mut buf = [3u8; 32];
        assert!(matches!(
            key.seal_in_place(&[0; 8], b"", &mut buf),
            Err(Error::BadLength(_))
        ));
        assert!(matches!(
            key.open_in_place(&[0; 8], b"", &mut buf),
            Err(Error::BadLength(_))
        ));
        assert!(buf.iter().all(|&b| b == 0));
    }
}
