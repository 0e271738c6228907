//! X25519 and ECDH P-256 through aws-lc-rs's `agreement` module.
//!
//! Unlike ring, `agreement::PrivateKey` can be imported from a raw scalar and reused. AWS-LC
//! rejects an all-zero X25519 result itself (`X25519()` in `curve25519.c` returns 0, which
//! `EVP_PKEY_derive` reports as an invalid peer key). aws-lc-rs also accepts SPKI and
//! compressed peer keys; the contract is raw keys (X25519: 32 bytes, P-256: 65-byte
//! uncompressed point), so other encodings are refused before the library sees them.

use aws_lc_rs::agreement::{self, PrivateKey, UnparsedPublicKey};

use crate::backend::{AgreementKey, Error, KeyAgreement, KeyAgreementId};

/// Longest public key (P-256 uncompressed point).
const MAX_PUBLIC_LEN: usize = 65;
/// Private scalar length for both curves.
const SCALAR_LEN: usize = 32;

/// One aws-lc-rs key-agreement algorithm.
pub(super) struct AwsLcKx {
    id: KeyAgreementId,
    alg: &'static agreement::Algorithm,
}

/// X25519.
pub(super) static X25519: AwsLcKx = AwsLcKx {
    id: KeyAgreementId::X25519,
    alg: &agreement::X25519,
};
/// ECDH over P-256.
pub(super) static ECDH_P256: AwsLcKx = AwsLcKx {
    id: KeyAgreementId::EcdhP256,
    alg: &agreement::ECDH_P256,
};

impl AwsLcKx {
    fn wrap(&self, private: PrivateKey) -> Result<Box<dyn AgreementKey>, Error> {
        let computed = private.compute_public_key().map_err(|_| Error::Crypto)?;
        let public_len = computed.as_ref().len();
        if public_len != self.id.public_len() {
            return Err(Error::Crypto);
        }
        let mut public = [0u8; MAX_PUBLIC_LEN];
        public
            .get_mut(..public_len)
            .ok_or(Error::Crypto)?
            .copy_from_slice(computed.as_ref());
        Ok(Box::new(AwsLcAgreementKey {
            id: self.id,
            alg: self.alg,
            private,
            public,
            public_len,
        }))
    }
}

impl KeyAgreement for AwsLcKx {
    fn id(&self) -> KeyAgreementId {
        self.id
    }

    fn generate(&self) -> Result<Box<dyn AgreementKey>, Error> {
        self.wrap(PrivateKey::generate(self.alg).map_err(|_| Error::Crypto)?)
    }

    fn private_key(&self, scalar: &[u8]) -> Result<Box<dyn AgreementKey>, Error> {
        if scalar.len() != SCALAR_LEN {
            return Err(Error::BadLength("private scalar must be 32 bytes"));
        }
        let private = PrivateKey::from_private_key(self.alg, scalar)
            .map_err(|_| Error::KeyRejected("invalid private scalar"))?;
        self.wrap(private)
    }
}

/// A reusable private key and its public key.
struct AwsLcAgreementKey {
    id: KeyAgreementId,
    alg: &'static agreement::Algorithm,
    private: PrivateKey,
    public: [u8; MAX_PUBLIC_LEN],
    public_len: usize,
}

impl AgreementKey for AwsLcAgreementKey {
    fn public_key(&self, out: &mut [u8]) -> Result<usize, Error> {
        let public = self.public.get(..self.public_len).ok_or(Error::Crypto)?;
        out.get_mut(..self.public_len)
            .ok_or(Error::BadLength("public key buffer is too short"))?
            .copy_from_slice(public);
        Ok(self.public_len)
    }

    fn agree(&self, peer_public: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let out = out
            .get_mut(..self.id.shared_secret_len())
            .ok_or(Error::BadLength("shared secret buffer is too short"))?;
        let raw = match self.id {
            KeyAgreementId::X25519 => peer_public.len() == 32,
            KeyAgreementId::EcdhP256 => peer_public.len() == 65 && peer_public.first() == Some(&4),
        };
        if !raw {
            return Err(Error::Crypto);
        }
        let peer = UnparsedPublicKey::new(self.alg, peer_public);
        agreement::agree(&self.private, peer, Error::Crypto, |secret| {
            if secret.len() == out.len() {
                out.copy_from_slice(secret);
                Ok(())
            } else {
                Err(Error::Crypto)
            }
        })?;
        Ok(out.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 7748, RFC 5903 and generated keys are `backend::contract`'s.

    #[test]
    fn invalid_peers_and_scalars_are_rejected() {
        let key = X25519.generate().unwrap();
        // u = 0 has small order: the all-zero result is rejected.
        assert_eq!(key.agree(&[0u8; 32], &mut [0u8; 32]), Err(Error::Crypto));
        assert_eq!(key.agree(&[9u8; 31], &mut [0u8; 32]), Err(Error::Crypto));
        let key = ECDH_P256.generate().unwrap();
        let mut peer = [0u8; MAX_PUBLIC_LEN];
        let len = key.public_key(&mut peer).unwrap();
        // A valid point in compressed form is refused: the contract is uncompressed points.
        let mut compressed = [0u8; 33];
        compressed[0] = 2 + (peer[64] & 1);
        compressed[1..].copy_from_slice(&peer[1..33]);
        assert_eq!(key.agree(&compressed, &mut [0u8; 32]), Err(Error::Crypto));
        let mut off_curve = peer;
        off_curve[len - 1] ^= 1;
        assert_eq!(key.agree(&off_curve, &mut [0u8; 32]), Err(Error::Crypto));
        assert!(matches!(
            key.agree(&peer, &mut [0u8; 31]),
            Err(Error::BadLength(_))
        ));
        assert!(matches!(
            ECDH_P256.private_key(&[1u8; 31]),
            Err(Error::BadLength(_))
        ));
        assert!(matches!(
            ECDH_P256.private_key(&[0u8; 32]),
            Err(Error::KeyRejected(_))
        ));
        assert!(matches!(
            ECDH_P256.private_key(&[0xffu8; 32]),
            Err(Error::KeyRejected(_))
        ));
    }
}
