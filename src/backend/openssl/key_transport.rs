//! RSAES-OAEP 2048 with SHA-256 and MGF1-SHA-256 through `EVP_PKEY_encrypt`/`decrypt`.
//!
//! The key is parsed once; an `EVP_PKEY_CTX` carrying the padding, digests and label is
//! created per operation (the label is per message, and OpenSSL keeps it in the context).

use openssl::md::Md;
use openssl::pkey::{HasPublic, Id, PKey, Private, Public};
use openssl::pkey_ctx::PkeyCtx;
use openssl::rsa::{Padding, Rsa};

use super::{RSA_BITS, check_rsa_2048, crypto, private_key, public_key};
use crate::backend::keys::SpkiAlgorithm;
use crate::backend::{DecryptingKey, EncryptingKey, Error, KeyTransport, KeyTransportId};

/// RSA-OAEP-2048-SHA256.
pub(super) struct RsaOaep;

/// The one key transport of this backend.
pub(super) static RSA_OAEP_2048_SHA256: RsaOaep = RsaOaep;

/// Modulus length in bytes.
const K: usize = KeyTransportId::RsaOaep2048Sha256.ciphertext_len();
// ref: RFC 8017 §7.1.1 step 1b (mLen <= k - 2 hLen - 2)
const MAX_MESSAGE: usize = K - 2 * 32 - 2;

impl KeyTransport for RsaOaep {
    fn id(&self) -> KeyTransportId {
        KeyTransportId::RsaOaep2048Sha256
    }

    fn generate_pkcs8(&self) -> Result<Vec<u8>, Error> {
        Rsa::generate(RSA_BITS)
            .and_then(PKey::from_rsa)
            .and_then(|k| k.private_key_to_pkcs8())
            .map_err(crypto)
    }

    fn encrypting_key(&self, spki: &[u8]) -> Result<Box<dyn EncryptingKey>, Error> {
        let pkey = public_key(spki, SpkiAlgorithm::Rsa, Id::RSA)?;
        check_rsa_2048(&pkey)?;
        Ok(Box::new(OaepPublic(pkey)))
    }

    fn decrypting_key(&self, pkcs8: &[u8]) -> Result<Box<dyn DecryptingKey>, Error> {
        let pkey = private_key(pkcs8, Id::RSA, "not an RSA key")?;
        check_rsa_2048(&pkey)?;
        Ok(Box::new(OaepPrivate(pkey)))
    }
}

/// A context for `key` with OAEP, SHA-256, MGF1-SHA-256 and `label`; `init` selects
/// encryption or decryption (it must run before the padding is set).
fn oaep_ctx<T: HasPublic>(
    key: &PKey<T>,
    label: &[u8],
    init: fn(&mut PkeyCtx<T>) -> Result<(), openssl::error::ErrorStack>,
) -> Result<PkeyCtx<T>, Error> {
    if i32::try_from(label.len()).is_err() {
        return Err(Error::BadLength("OAEP label longer than INT_MAX"));
    }
    let mut ctx = PkeyCtx::new(key).map_err(crypto)?;
    init(&mut ctx).map_err(crypto)?;
    ctx.set_rsa_padding(Padding::PKCS1_OAEP).map_err(crypto)?;
    ctx.set_rsa_oaep_md(Md::sha256()).map_err(crypto)?;
    ctx.set_rsa_mgf1_md(Md::sha256()).map_err(crypto)?;
    // The default label is empty; OpenSSL cannot copy a zero-length one.
    if !label.is_empty() {
        ctx.set_rsa_oaep_label(label).map_err(crypto)?;
    }
    Ok(ctx)
}

struct OaepPublic(PKey<Public>);

impl EncryptingKey for OaepPublic {
    fn encrypt(&self, msg: &[u8], label: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        if msg.len() > MAX_MESSAGE {
            return Err(Error::BadLength("OAEP message longer than 190 bytes"));
        }
        let out = out.get_mut(..K).ok_or(Error::BadLength(
            "ciphertext buffer shorter than the modulus",
        ))?;
        let mut ctx = oaep_ctx(&self.0, label, |c| c.encrypt_init())?;
        match ctx.encrypt(msg, Some(out)) {
            Ok(K) => Ok(K),
            _ => Err(Error::Crypto),
        }
    }
}

struct OaepPrivate(PKey<Private>);

impl DecryptingKey for OaepPrivate {
    fn decrypt(&self, ciphertext: &[u8], label: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let out = out.get_mut(..K).ok_or(Error::BadLength(
            "plaintext buffer shorter than the modulus",
        ))?;
        // ref: RFC 8017 §7.1.2 step 1.b — a ciphertext that is not k octets is a decryption
        // error. OpenSSL 3.0 decrypts a shorter input as the same integer, so a ciphertext
        // whose first octet is zero had a second, shortened wire form that opened.
        if ciphertext.len() != K {
            return Err(Error::Crypto);
        }
        let mut ctx = oaep_ctx(&self.0, label, |c| c.decrypt_init())?;
        ctx.decrypt(ciphertext, Some(out)).map_err(crypto)
    }

    fn public_key_spki(&self) -> Result<Vec<u8>, Error> {
        self.0.public_key_to_der().map_err(crypto)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::ec::{EcGroup, EcKey};
    use openssl::nid::Nid;

    fn keys() -> (Box<dyn EncryptingKey>, Box<dyn DecryptingKey>) {
        let dk = RSA_OAEP_2048_SHA256
            .decrypting_key(&RSA_OAEP_2048_SHA256.generate_pkcs8().unwrap())
            .unwrap();
        let ek = RSA_OAEP_2048_SHA256
            .encrypting_key(&dk.public_key_spki().unwrap())
            .unwrap();
        (ek, dk)
    }

    #[test]
    fn round_trip_with_and_without_label() {
        let (ek, dk) = keys();
        let cek = [0x42u8; 32];
        for label in [&b""[..], b"sealbench label"] {
            let mut ct = [0u8; 256];
            assert_eq!(ek.encrypt(&cek, label, &mut ct), Ok(256));
            let mut pt = [0u8; 256];
            let n = dk.decrypt(&ct, label, &mut pt).unwrap();
            assert_eq!(&pt[..n], &cek);
            // Wrong label, tampered ciphertext, truncated ciphertext.
            let other = if label.is_empty() { &b"x"[..] } else { b"" };
            assert_eq!(dk.decrypt(&ct, other, &mut pt), Err(Error::Crypto));
            let mut bad = ct;
            bad[100] ^= 1;
            assert_eq!(dk.decrypt(&bad, label, &mut pt), Err(Error::Crypto));
            assert_eq!(dk.decrypt(&ct[1..], label, &mut pt), Err(Error::Crypto));
        }
        // Encryption is randomised.
        let (mut a, mut b) = ([0u8; 256], [0u8; 256]);
        ek.encrypt(&cek, b"", &mut a).unwrap();
        ek.encrypt(&cek, b"", &mut b).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn lengths_are_checked() {
        let (ek, dk) = keys();
        let mut ct = [0u8; 256];
        assert_eq!(ek.encrypt(&[1; MAX_MESSAGE], b"", &mut ct), Ok(256));
        let mut pt = [0u8; 256];
        assert_eq!(dk.decrypt(&ct, b"", &mut pt), Ok(MAX_MESSAGE));
        assert!(matches!(
            ek.encrypt(&[1; MAX_MESSAGE + 1], b"", &mut ct),
            Err(Error::BadLength(_))
        ));
        assert!(matches!(
            ek.encrypt(&[1; 16], b"", &mut ct[..255]),
            Err(Error::BadLength(_))
        ));
        assert!(matches!(
            dk.decrypt(&ct, b"", &mut pt[..255]),
            Err(Error::BadLength(_))
        ));
    }

    #[test]
    fn wrong_keys_are_rejected() {
        let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).unwrap();
        let ec = PKey::from_ec_key(EcKey::generate(&group).unwrap()).unwrap();
        let ec = ec.private_key_to_pkcs8().unwrap();
        assert!(matches!(
            RSA_OAEP_2048_SHA256.decrypting_key(&ec),
            Err(Error::KeyRejected(_))
        ));
        let rsa1024 = PKey::from_rsa(Rsa::generate(1024).unwrap()).unwrap();
        assert!(matches!(
            RSA_OAEP_2048_SHA256.encrypting_key(&rsa1024.public_key_to_der().unwrap()),
            Err(Error::KeyRejected(_))
        ));
        assert!(matches!(
            RSA_OAEP_2048_SHA256.decrypting_key(&rsa1024.private_key_to_pkcs8().unwrap()),
            Err(Error::KeyRejected(_))
        ));
    }
}
