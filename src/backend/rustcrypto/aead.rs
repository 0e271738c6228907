//! AES-GCM (`aes-gcm`) and ChaCha20-Poly1305 (`chacha20poly1305`) through aead 0.6's
//! detached in-place `AeadInOut` API.
//!
//! Both crates fix nonce and tag sizes as type parameters, so one generic key wrapper
//! ([`InOutKey`]) serves every instantiation; [`RustCryptoAead::new_key`] picks the type from
//! the runtime [`AeadParams`].

use aes::cipher::{BlockCipherEncrypt, BlockSizeUser};
use aes::{Aes128, Aes256};
use aes_gcm::AesGcm;
use aes_gcm::aead::array::typenum::Unsigned;
use aes_gcm::aead::consts::{U12, U13, U14, U15, U16};
use aes_gcm::aead::{AeadInOut, KeyInit, Nonce, Tag};
use chacha20poly1305::ChaCha20Poly1305;

use crate::backend::{Aead, AeadId, AeadKey, AeadParams, Error, Unsupported};

/// One AEAD algorithm of this backend.
pub(super) struct RustCryptoAead(AeadId);

/// AES-128-GCM.
pub(super) static AES_128_GCM: RustCryptoAead = RustCryptoAead(AeadId::Aes128Gcm);
/// AES-256-GCM.
pub(super) static AES_256_GCM: RustCryptoAead = RustCryptoAead(AeadId::Aes256Gcm);
/// ChaCha20-Poly1305.
pub(super) static CHACHA20_POLY1305: RustCryptoAead = RustCryptoAead(AeadId::ChaCha20Poly1305);

const GCM_NONCE: Unsupported = Unsupported(
    "aes-gcm crate fixes the nonce size at compile time; sealbench instantiates 96-bit nonces only",
);
const GCM_TAG: Unsupported = Unsupported(
    "aes-gcm tags are instantiated for 12 to 16 bytes only (shorter tags are SP 800-38D Appendix C special cases)",
);
const CHACHA_PARAMS: Unsupported =
    Unsupported("ChaCha20-Poly1305 (RFC 8439) has a 96-bit nonce and a 128-bit tag only");

impl Aead for RustCryptoAead {
    fn id(&self) -> AeadId {
        self.0
    }

    fn check_params(&self, params: AeadParams) -> Result<(), Unsupported> {
        match self.0 {
            AeadId::Aes128Gcm | AeadId::Aes256Gcm if params.nonce_len != 12 => Err(GCM_NONCE),
            AeadId::Aes128Gcm | AeadId::Aes256Gcm if !(12..=16).contains(&params.tag_len) => {
                Err(GCM_TAG)
            }
            AeadId::Aes128Gcm | AeadId::Aes256Gcm => Ok(()),
            AeadId::ChaCha20Poly1305 if params == self.0.default_params() => Ok(()),
            AeadId::ChaCha20Poly1305 => Err(CHACHA_PARAMS),
        }
    }

    fn new_key(&self, key: &[u8], params: AeadParams) -> Result<Box<dyn AeadKey>, Error> {
        self.check_params(params)?;
        if key.len() != self.0.key_len() {
            return Err(Error::BadLength("AEAD key"));
        }
        match self.0 {
            AeadId::Aes128Gcm => gcm::<Aes128>(key, params),
            AeadId::Aes256Gcm => gcm::<Aes256>(key, params),
            AeadId::ChaCha20Poly1305 => boxed::<ChaCha20Poly1305>(key, params),
        }
    }
}

/// AES-GCM with 96-bit nonces and the tag length of `params`.
fn gcm<C>(key: &[u8], params: AeadParams) -> Result<Box<dyn AeadKey>, Error>
where
    C: BlockSizeUser<BlockSize = U16> + BlockCipherEncrypt + KeyInit + Send + Sync + 'static,
{
    match params.tag_len {
        12 => boxed::<AesGcm<C, U12, U12>>(key, params),
        13 => boxed::<AesGcm<C, U12, U13>>(key, params),
        14 => boxed::<AesGcm<C, U12, U14>>(key, params),
        15 => boxed::<AesGcm<C, U12, U15>>(key, params),
        16 => boxed::<AesGcm<C, U12, U16>>(key, params),
        _ => Err(GCM_TAG.into()),
    }
}

fn boxed<A>(key: &[u8], params: AeadParams) -> Result<Box<dyn AeadKey>, Error>
where
    A: AeadInOut + KeyInit + Send + Sync + 'static,
{
    let aead = A::new_from_slice(key).map_err(|_| Error::BadLength("AEAD key"))?;
    Ok(Box::new(InOutKey { aead, params }))
}

/// A keyed `AeadInOut` instance (key schedule and GHASH/Poly1305 key set up once).
struct InOutKey<A> {
    aead: A,
    params: AeadParams,
}

impl<A: AeadInOut> InOutKey<A> {
    fn nonce(nonce: &[u8]) -> Result<Nonce<A>, Error> {
        Nonce::<A>::try_from(nonce).map_err(|_| Error::BadLength("nonce"))
    }

    /// Splits `in_out` into message and tag.
    fn split(in_out: &mut [u8]) -> Result<(&mut [u8], &mut [u8]), Error> {
        let msg_len = in_out
            .len()
            .checked_sub(A::TagSize::USIZE)
            .ok_or(Error::BadLength("buffer shorter than the tag"))?;
        Ok(in_out.split_at_mut(msg_len))
    }

    fn open(&self, nonce: &[u8], aad: &[u8], in_out: &mut [u8]) -> Result<usize, Error> {
        let nonce = Self::nonce(nonce)?;
        let (msg, tag) = Self::split(in_out)?;
        let tag = Tag::<A>::try_from(&*tag).map_err(|_| Error::Crypto)?;
        self.aead
            .decrypt_inout_detached(&nonce, aad, (&mut *msg).into(), &tag)
            .map_err(|_| Error::Crypto)?;
        Ok(msg.len())
    }
}

impl<A: AeadInOut + Send + Sync> AeadKey for InOutKey<A> {
    fn params(&self) -> AeadParams {
        self.params
    }

    fn seal_in_place(&self, nonce: &[u8], aad: &[u8], in_out: &mut [u8]) -> Result<(), Error> {
        let nonce = Self::nonce(nonce)?;
        let (msg, tag_out) = Self::split(in_out)?;
        let tag = self
            .aead
            .encrypt_inout_detached(&nonce, aad, msg.into())
            .map_err(|_| Error::Crypto)?;
        tag_out.copy_from_slice(&tag);
        Ok(())
    }

    fn open_in_place(&self, nonce: &[u8], aad: &[u8], in_out: &mut [u8]) -> Result<usize, Error> {
        let result = self.open(nonce, aad, in_out);
        if result.is_err() {
            in_out.fill(0);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal(
        alg: &RustCryptoAead,
        params: AeadParams,
        key: &str,
        nonce: &str,
        aad: &str,
        pt: &str,
    ) -> Vec<u8> {
        let key = alg.new_key(&hex::decode(key).unwrap(), params).unwrap();
        let mut buf = hex::decode(pt).unwrap();
        buf.resize(buf.len() + params.tag_len, 0);
        key.seal_in_place(
            &hex::decode(nonce).unwrap(),
            &hex::decode(aad).unwrap(),
            &mut buf,
        )
        .unwrap();
        buf
    }

    // ref: https://csrc.nist.gov/CSRC/media/Projects/Block-Cipher-Techniques/documents/BCM/proposed-modes/gcm/gcm-spec.pdf
    // (McGrew & Viega, "The Galois/Counter Mode of Operation", Appendix B, Test Case 4)
    const TC4_KEY: &str = "feffe9928665731c6d6a8f9467308308";
    const TC4_IV: &str = "cafebabefacedbaddecaf888";
    const TC4_AAD: &str = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
    const TC4_PT: &str = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72\
                          1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
    const TC4_CT: &str = "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e\
                          21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091";
    const TC4_TAG: &str = "5bc94fbc3221a5db94fae95ae7121a47";

    // The full-tag GCM spec and RFC 8439 vectors and the tamper test are
    // `backend::contract`'s.

    #[test]
    fn aes128gcm_truncated_tag_is_the_tag_prefix() {
        let params = AeadParams {
            nonce_len: 12,
            tag_len: 12,
        };
        let out = seal(&AES_128_GCM, params, TC4_KEY, TC4_IV, TC4_AAD, TC4_PT);
        assert_eq!(hex::encode(&out), format!("{TC4_CT}{}", &TC4_TAG[..24]));
        let key = AES_128_GCM
            .new_key(&hex::decode(TC4_KEY).unwrap(), params)
            .unwrap();
        let mut buf = out.clone();
        let n = key
            .open_in_place(
                &hex::decode(TC4_IV).unwrap(),
                &hex::decode(TC4_AAD).unwrap(),
                &mut buf,
            )
            .unwrap();
        assert_eq!(hex::encode(&buf[..n]), TC4_PT);
    }

    #[test]
    fn unsupported_params_and_bad_lengths_are_reported() {
        let p = |nonce_len, tag_len| AeadParams { nonce_len, tag_len };
        assert_eq!(AES_128_GCM.check_params(p(16, 16)), Err(GCM_NONCE));
        assert_eq!(AES_256_GCM.check_params(p(12, 8)), Err(GCM_TAG));
        assert_eq!(AES_256_GCM.check_params(p(12, 13)), Ok(()));
        assert_eq!(
            CHACHA20_POLY1305.check_params(p(12, 12)),
            Err(CHACHA_PARAMS)
        );
        assert_eq!(
            AES_128_GCM.new_key(&[0; 32], p(12, 16)).err(),
            Some(Error::BadLength("AEAD key"))
        );
        let key = AES_128_GCM.new_key(&[0; 16], p(12, 16)).unwrap();
        let mut short = [1u8; 15];
        assert!(key.seal_in_place(&[0; 12], b"", &mut short).is_err());
        assert!(key.open_in_place(&[0; 12], b"", &mut short).is_err());
        assert_eq!(short, [0; 15]);
        let mut buf = [0u8; 16];
        assert_eq!(
            key.seal_in_place(&[0; 8], b"", &mut buf),
            Err(Error::BadLength("nonce"))
        );
    }
}
