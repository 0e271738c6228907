//! RSA-OAEP-2048 with SHA-256 and MGF1-SHA-256 through aws-lc-rs's `rsa` module.
//!
//! An empty label is the RFC 8017 default; aws-lc-rs copies a non-empty label into an
//! AWS-LC allocation on each call (AWS-LC takes ownership of it), and builds an
//! `EVP_PKEY_CTX` per operation, so encryption and decryption allocate inside the library.

use aws_lc_rs::encoding::{AsDer as _, Pkcs8V1Der};
use aws_lc_rs::rsa::{
    KeySize, OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
    PrivateDecryptingKey, PublicEncryptingKey,
};

use crate::backend::keys::{self, SpkiAlgorithm};
use crate::backend::{DecryptingKey, EncryptingKey, Error, KeyTransport, KeyTransportId};

/// RSA-OAEP-2048-SHA256.
pub(super) struct AwsLcRsaOaep2048;

/// The RSA-OAEP-2048-SHA256 implementation.
pub(super) static RSA_OAEP_2048_SHA256: AwsLcRsaOaep2048 = AwsLcRsaOaep2048;

/// Modulus length in bytes, and so the ciphertext length.
const MODULUS_LEN: usize = KeyTransportId::RsaOaep2048Sha256.ciphertext_len();

const NOT_2048: Error = Error::KeyRejected("RSA-OAEP-2048 needs a 2048-bit modulus");

impl KeyTransport for AwsLcRsaOaep2048 {
    fn id(&self) -> KeyTransportId {
        KeyTransportId::RsaOaep2048Sha256
    }

    fn generate_pkcs8(&self) -> Result<Vec<u8>, Error> {
        let key = PrivateDecryptingKey::generate(KeySize::Rsa2048).map_err(|_| Error::Crypto)?;
        let der: Pkcs8V1Der<'static> = key.as_der().map_err(|_| Error::Crypto)?;
        Ok(der.as_ref().to_vec())
    }

    fn encrypting_key(&self, spki: &[u8]) -> Result<Box<dyn EncryptingKey>, Error> {
        keys::spki_key_of(spki, SpkiAlgorithm::Rsa)?;
        let key = PublicEncryptingKey::from_der(spki)
            .map_err(|_| Error::KeyRejected("not an RSA public key aws-lc-rs accepts"))?;
        if key.key_size_bits() != 2048 {
            return Err(NOT_2048);
        }
        let key = OaepPublicEncryptingKey::new(key).map_err(|_| Error::KeyRejected("RSA key"))?;
        Ok(Box::new(Encryptor(key)))
    }

    fn decrypting_key(&self, pkcs8: &[u8]) -> Result<Box<dyn DecryptingKey>, Error> {
        let key = PrivateDecryptingKey::from_pkcs8(pkcs8)
            .map_err(|_| Error::KeyRejected("not an RSA PKCS#8 private key"))?;
        if key.key_size_bits() != 2048 {
            return Err(NOT_2048);
        }
        let spki = key
            .public_key()
            .as_der()
            .map_err(|_| Error::KeyRejected("public key cannot be encoded"))?
            .as_ref()
            .to_vec();
        let key = OaepPrivateDecryptingKey::new(key).map_err(|_| Error::KeyRejected("RSA key"))?;
        Ok(Box::new(Decryptor { key, spki }))
    }
}

struct Encryptor(OaepPublicEncryptingKey);

impl EncryptingKey for Encryptor {
    fn encrypt(&self, msg: &[u8], label: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        if out.len() < MODULUS_LEN {
            return Err(Error::BadLength(
                "ciphertext buffer is shorter than the modulus",
            ));
        }
        if msg.len() > self.0.max_plaintext_size(&OAEP_SHA256_MGF1SHA256) {
            return Err(Error::BadLength(
                "message is too long for RSA-OAEP-2048-SHA256",
            ));
        }
        let ciphertext = self
            .0
            .encrypt(&OAEP_SHA256_MGF1SHA256, msg, out, Some(label))
            .map_err(|_| Error::Crypto)?;
        Ok(ciphertext.len())
    }
}

struct Decryptor {
    key: OaepPrivateDecryptingKey,
    spki: Vec<u8>,
}

impl DecryptingKey for Decryptor {
    fn decrypt(&self, ciphertext: &[u8], label: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        if out.len() < MODULUS_LEN {
            return Err(Error::BadLength(
                "plaintext buffer is shorter than the modulus",
            ));
        }
        let plaintext = self
            .key
            .decrypt(&OAEP_SHA256_MGF1SHA256, ciphertext, out, Some(label))
            .map_err(|_| Error::Crypto)?;
        Ok(plaintext.len())
    }

    fn public_key_spki(&self) -> Result<Vec<u8>, Error> {
        Ok(self.spki.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oaep_round_trips_with_and_without_label() {
        let kt = &RSA_OAEP_2048_SHA256;
        let decryptor = kt.decrypting_key(&kt.generate_pkcs8().unwrap()).unwrap();
        let spki = decryptor.public_key_spki().unwrap();
        assert!(keys::spki_key_of(&spki, SpkiAlgorithm::Rsa).is_ok());
        let encryptor = kt.encrypting_key(&spki).unwrap();
        let cek = [0x42u8; 32];
        for label in [&b""[..], b"sealbench label"] {
            let mut ct = [0u8; MODULUS_LEN];
            assert_eq!(
                encryptor.encrypt(&cek, label, &mut ct).unwrap(),
                MODULUS_LEN
            );
            let mut pt = [0u8; MODULUS_LEN];
            let len = decryptor.decrypt(&ct, label, &mut pt).unwrap();
            assert_eq!(&pt[..len], &cek);
            // Wrong label, and a flipped ciphertext bit, both fail opaquely.
            assert_eq!(
                decryptor.decrypt(&ct, b"other", &mut pt),
                Err(Error::Crypto)
            );
            ct[100] ^= 1;
            assert_eq!(decryptor.decrypt(&ct, label, &mut pt), Err(Error::Crypto));
        }
        // OAEP is randomised: two encryptions differ.
        let (mut a, mut b) = ([0u8; MODULUS_LEN], [0u8; MODULUS_LEN]);
        encryptor.encrypt(&cek, b"", &mut a).unwrap();
        encryptor.encrypt(&cek, b"", &mut b).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn lengths_and_key_sizes_are_checked() {
        let kt = &RSA_OAEP_2048_SHA256;
        let decryptor = kt.decrypting_key(&kt.generate_pkcs8().unwrap()).unwrap();
        let encryptor = kt
            .encrypting_key(&decryptor.public_key_spki().unwrap())
            .unwrap();
        let mut ct = [0u8; MODULUS_LEN];
        // 256 - 2 * 32 - 2 = 190 bytes at most.
        assert!(encryptor.encrypt(&[0u8; 190], b"", &mut ct).is_ok());
        assert!(matches!(
            encryptor.encrypt(&[0u8; 191], b"", &mut ct),
            Err(Error::BadLength(_))
        ));
        assert!(matches!(
            encryptor.encrypt(&[0u8; 16], b"", &mut ct[..255]),
            Err(Error::BadLength(_))
        ));
        let key3072 = PrivateDecryptingKey::generate(KeySize::Rsa3072).unwrap();
        let der: Pkcs8V1Der<'static> = key3072.as_der().unwrap();
        assert_eq!(kt.decrypting_key(der.as_ref()).err(), Some(NOT_2048));
        let spki = key3072.public_key().as_der().unwrap();
        assert_eq!(kt.encrypting_key(spki.as_ref()).err(), Some(NOT_2048));
        assert!(
            kt.encrypting_key(&keys::ed25519_spki(&[1u8; 32]).unwrap())
                .is_err()
        );
    }
}
