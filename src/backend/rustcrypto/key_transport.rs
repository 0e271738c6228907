//! RSA-OAEP-2048 with SHA-256 and MGF1-SHA-256 (`rsa`), with a per-call label.
//!
//! The `rsa` crate returns a fresh `Vec` from every operation (and the label is copied into
//! the padding value), so these calls allocate whatever the trait asks; the plaintext copy
//! is zeroized before it is freed.

use p256::elliptic_curve::zeroize::Zeroizing;
use rsa::Oaep;
use rsa::traits::PublicKeyParts as _;
use sha2::Sha256;

use super::rsa_keys;
use crate::backend::{DecryptingKey, EncryptingKey, Error, KeyTransport, KeyTransportId};

/// RSAES-OAEP-2048 / SHA-256 / MGF1-SHA-256.
pub(super) struct RsaOaep2048;

/// The one key transport of this backend.
pub(super) static RSA_OAEP_2048: RsaOaep2048 = RsaOaep2048;

/// OAEP with SHA-256 for both the label hash and MGF1 (RFC 8017 §7.1).
fn padding(label: &[u8]) -> Oaep<Sha256> {
    Oaep::<Sha256>::new_with_label(label)
}

impl KeyTransport for RsaOaep2048 {
    fn id(&self) -> KeyTransportId {
        KeyTransportId::RsaOaep2048Sha256
    }

    fn generate_pkcs8(&self) -> Result<Vec<u8>, Error> {
        rsa_keys::generate_pkcs8()
    }

    fn encrypting_key(&self, spki: &[u8]) -> Result<Box<dyn EncryptingKey>, Error> {
        Ok(Box::new(OaepEncryptor(rsa_keys::public_from_spki(spki)?)))
    }

    fn decrypting_key(&self, pkcs8: &[u8]) -> Result<Box<dyn DecryptingKey>, Error> {
        Ok(Box::new(OaepDecryptor(rsa_keys::private_from_pkcs8(
            pkcs8,
        )?)))
    }
}

struct OaepEncryptor(rsa::PublicKey);

impl EncryptingKey for OaepEncryptor {
    fn encrypt(&self, msg: &[u8], label: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let out = out.get_mut(..self.0.size()).ok_or(Error::BadLength(
            "ciphertext buffer shorter than the modulus",
        ))?;
        let ct = self
            .0
            .encrypt(&mut getrandom::SysRng, padding(label), msg)
            .map_err(|_| Error::BadLength("message too long for RSA-OAEP-2048-SHA256"))?;
        out.copy_from_slice(&ct);
        Ok(ct.len())
    }
}

struct OaepDecryptor(rsa::PrivateKey);

impl DecryptingKey for OaepDecryptor {
    fn decrypt(&self, ciphertext: &[u8], label: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        if out.len() < self.0.size() {
            return Err(Error::BadLength(
                "plaintext buffer shorter than the modulus",
            ));
        }
        let pt = Zeroizing::new(
            self.0
                .decrypt_blinded(&mut getrandom::SysRng, padding(label), ciphertext)
                .map_err(|_| Error::Crypto)?,
        );
        out.get_mut(..pt.len())
            .ok_or(Error::Crypto)?
            .copy_from_slice(&pt);
        Ok(pt.len())
    }

    fn public_key_spki(&self) -> Result<Vec<u8>, Error> {
        rsa_keys::spki_of(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oaep_round_trip_with_labels_and_tampering() {
        let pkcs8 = RSA_OAEP_2048.generate_pkcs8().unwrap();
        let dec = RSA_OAEP_2048.decrypting_key(&pkcs8).unwrap();
        let enc = RSA_OAEP_2048
            .encrypting_key(&dec.public_key_spki().unwrap())
            .unwrap();
        let cek = [0x42u8; 32];
        let mut out = [0u8; 256];

        for label in [&b""[..], b"sealbench cek"] {
            let mut ct = [0u8; 256];
            assert_eq!(enc.encrypt(&cek, label, &mut ct), Ok(256));
            assert_eq!(dec.decrypt(&ct, label, &mut out), Ok(32));
            assert_eq!(&out[..32], &cek);
            // OAEP is randomized.
            let mut ct2 = [0u8; 256];
            enc.encrypt(&cek, label, &mut ct2).unwrap();
            assert_ne!(ct, ct2);
            // Wrong label, flipped bit, truncated ciphertext.
            assert_eq!(dec.decrypt(&ct, b"other", &mut out), Err(Error::Crypto));
            let mut bad = ct;
            bad[200] ^= 0x04;
            assert_eq!(dec.decrypt(&bad, label, &mut out), Err(Error::Crypto));
            assert_eq!(dec.decrypt(&ct[1..], label, &mut out), Err(Error::Crypto));
        }

        // Largest message: k - 2 hLen - 2 = 190 bytes (RFC 8017 §7.1.1).
        let mut ct = [0u8; 256];
        assert_eq!(enc.encrypt(&[1u8; 190], b"", &mut ct), Ok(256));
        assert!(matches!(
            enc.encrypt(&[1u8; 191], b"", &mut ct),
            Err(Error::BadLength(_))
        ));
        assert!(matches!(
            enc.encrypt(&cek, b"", &mut [0u8; 255]),
            Err(Error::BadLength(_))
        ));
        assert!(matches!(
            dec.decrypt(&ct, b"", &mut [0u8; 100]),
            Err(Error::BadLength(_))
        ));
    }

    #[test]
    fn garbage_keys_are_rejected() {
        assert!(matches!(
            RSA_OAEP_2048.decrypting_key(b"nope"),
            Err(Error::KeyRejected(_))
        ));
        assert!(matches!(
            RSA_OAEP_2048.encrypting_key(b"nope"),
            Err(Error::KeyRejected(_))
        ));
    }
}
