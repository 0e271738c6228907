//! X25519 and ECDH P-256 through ring's `agreement` module.
//!
//! ring only has ephemeral private keys: `generate` works and the key agrees exactly once;
//! a private key cannot be imported. `agree_ephemeral` consumes the key even when the peer
//! key is rejected, so a failed agreement also uses it up. ring checks peer points and
//! rejects an all-zero X25519 result itself (`ec/curve25519/x25519.rs`).

use std::sync::Mutex;

use ::ring::agreement::{self, EphemeralPrivateKey, UnparsedPublicKey};
use ::ring::rand::SystemRandom;

use crate::backend::{AgreementKey, Error, KeyAgreement, KeyAgreementId, Unsupported};

/// Longest public key (P-256 uncompressed point).
const MAX_PUBLIC_LEN: usize = 65;

/// One ring key-agreement algorithm.
pub(super) struct RingKx {
    id: KeyAgreementId,
    alg: &'static agreement::Algorithm,
}

/// X25519.
pub(super) static X25519: RingKx = RingKx {
    id: KeyAgreementId::X25519,
    alg: &agreement::X25519,
};
/// ECDH over P-256.
pub(super) static ECDH_P256: RingKx = RingKx {
    id: KeyAgreementId::EcdhP256,
    alg: &agreement::ECDH_P256,
};

impl KeyAgreement for RingKx {
    fn id(&self) -> KeyAgreementId {
        self.id
    }

    fn generate(&self) -> Result<Box<dyn AgreementKey>, Error> {
        let private = EphemeralPrivateKey::generate(self.alg, &SystemRandom::new())
            .map_err(|_| Error::Crypto)?;
        let computed = private.compute_public_key().map_err(|_| Error::Crypto)?;
        let mut public = [0u8; MAX_PUBLIC_LEN];
        let public_len = computed.as_ref().len();
        public
            .get_mut(..public_len)
            .ok_or(Error::Crypto)?
            .copy_from_slice(computed.as_ref());
        Ok(Box::new(RingAgreementKey {
            alg: self.alg,
            private: Mutex::new(Some(private)),
            public,
            public_len,
        }))
    }

    fn private_key(&self, _scalar: &[u8]) -> Result<Box<dyn AgreementKey>, Error> {
        Err(Unsupported("ring cannot import a private key for key agreement").into())
    }
}

/// An ephemeral key; `private` is taken by the first `agree`.
struct RingAgreementKey {
    alg: &'static agreement::Algorithm,
    private: Mutex<Option<EphemeralPrivateKey>>,
    public: [u8; MAX_PUBLIC_LEN],
    public_len: usize,
}

impl AgreementKey for RingAgreementKey {
    fn public_key(&self, out: &mut [u8]) -> Result<usize, Error> {
        let public = self.public.get(..self.public_len).ok_or(Error::Crypto)?;
        out.get_mut(..self.public_len)
            .ok_or(Error::BadLength("public key buffer is too short"))?
            .copy_from_slice(public);
        Ok(self.public_len)
    }

    fn agree(&self, peer_public: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let out = out
            .get_mut(..32)
            .ok_or(Error::BadLength("shared secret buffer is too short"))?;
        let private = self
            .private
            .lock()
            .map_err(|_| Error::Crypto)?
            .take()
            .ok_or(Unsupported("ring ephemeral keys are single-use"))?;
        let peer = UnparsedPublicKey::new(self.alg, peer_public);
        agreement::agree_ephemeral(private, &peer, |secret| {
            if secret.len() == out.len() {
                out.copy_from_slice(secret);
                Ok(())
            } else {
                Err(Error::Crypto)
            }
        })
        .map_err(|_| Error::Crypto)??;
        Ok(out.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Generated keys agreeing and invalid peers are `backend::contract`'s.

    #[test]
    fn keys_agree_once_and_cannot_be_imported() {
        for kx in [&X25519, &ECDH_P256] {
            let (a, b) = (kx.generate().unwrap(), kx.generate().unwrap());
            let mut pb = [0u8; 65];
            let lb = b.public_key(&mut pb).unwrap();
            let mut out = [0u8; 32];
            assert_eq!(a.agree(&pb[..lb], &mut out), Ok(32));
            assert!(matches!(
                a.agree(&pb[..lb], &mut out),
                Err(Error::Unsupported(_))
            ));
            assert!(matches!(
                kx.private_key(&[1u8; 32]),
                Err(Error::Unsupported(_))
            ));
        }
    }

    #[test]
    fn a_short_output_buffer_is_a_length_error() {
        let key = ECDH_P256.generate().unwrap();
        let mut off_curve = [0u8; 65];
        off_curve[0] = 4;
        off_curve[64] = 1;
        assert!(matches!(
            key.agree(&off_curve, &mut [0u8; 31]),
            Err(Error::BadLength(_))
        ));
    }
}
