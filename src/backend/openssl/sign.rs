//! Ed25519, ECDSA P-256 SHA-256 and RSA-PSS 2048 SHA-256 through `EVP_DigestSign*` /
//! `EVP_DigestVerify*` (`openssl::sign`).
//!
//! OpenSSL speaks DER ECDSA signatures; the fixed `r || s` form goes through `ECDSA_SIG`
//! (`EcdsaSig`) in both directions. A `Signer`/`Verifier` (one `EVP_MD_CTX`) is created per
//! call; the key itself is parsed once.

use openssl::bn::{BigNum, BigNumRef};
use openssl::ec::{EcGroup, EcKey};
use openssl::ecdsa::EcdsaSig;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Private, Public};
use openssl::rsa::{Padding, Rsa};
use openssl::sign::{RsaPssSaltlen, Signer, Verifier};

use super::{RSA_BITS, check_p256, check_rsa_2048, crypto, private_key, public_key};
use crate::backend::keys::SpkiAlgorithm;
use crate::backend::{Error, Signature, SignatureId, SigningKey, Unsupported, VerifyingKey};

/// One signature scheme of this backend.
pub(super) struct OpensslSignature(SignatureId);

/// Ed25519.
pub(super) static ED25519: OpensslSignature = OpensslSignature(SignatureId::Ed25519);
/// ECDSA P-256 SHA-256.
pub(super) static ECDSA_P256_SHA256: OpensslSignature =
    OpensslSignature(SignatureId::EcdsaP256Sha256);
/// RSA-PSS 2048 SHA-256.
pub(super) static RSA_PSS_2048_SHA256: OpensslSignature =
    OpensslSignature(SignatureId::RsaPss2048Sha256);

/// P-256 field elements and scalars, in bytes.
const P256_LEN: usize = 32;
/// Longest DER ECDSA P-256 signature: SEQUENCE of two 33-byte INTEGERs.
const P256_DER_MAX: usize = 2 + 2 * (2 + P256_LEN + 1);
// ref: RFC 8230 §2 / RFC 9053 §2.2.1 (PS256: salt length = hash length)
const PSS_SALT_LEN: i32 = 32;

impl Signature for OpensslSignature {
    fn id(&self) -> SignatureId {
        self.0
    }

    fn generate_pkcs8(&self) -> Result<Vec<u8>, Error> {
        let key = match self.0 {
            SignatureId::Ed25519 => PKey::generate_ed25519(),
            SignatureId::EcdsaP256Sha256 => EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)
                .and_then(|group| EcKey::generate(&group))
                .and_then(PKey::from_ec_key),
            SignatureId::RsaPss2048Sha256 => Rsa::generate(RSA_BITS).and_then(PKey::from_rsa),
        };
        key.and_then(|k| k.private_key_to_pkcs8()).map_err(crypto)
    }

    fn signing_key(&self, pkcs8: &[u8]) -> Result<Box<dyn SigningKey>, Error> {
        let pkey = match self.0 {
            SignatureId::Ed25519 => private_key(pkcs8, Id::ED25519, "not an Ed25519 key")?,
            SignatureId::EcdsaP256Sha256 => {
                let key = private_key(pkcs8, Id::EC, "not an EC key")?;
                check_p256(&key)?;
                key
            }
            SignatureId::RsaPss2048Sha256 => {
                let key = private_key(pkcs8, Id::RSA, "not an RSA key")?;
                check_rsa_2048(&key)?;
                key
            }
        };
        Ok(Box::new(OpensslSigningKey { id: self.0, pkey }))
    }

    fn verifying_key(&self, spki: &[u8]) -> Result<Box<dyn VerifyingKey>, Error> {
        let pkey = match self.0 {
            SignatureId::Ed25519 => public_key(spki, SpkiAlgorithm::Ed25519, Id::ED25519)?,
            SignatureId::EcdsaP256Sha256 => {
                let key = public_key(spki, SpkiAlgorithm::P256, Id::EC)?;
                check_p256(&key)?;
                key
            }
            SignatureId::RsaPss2048Sha256 => {
                let key = public_key(spki, SpkiAlgorithm::Rsa, Id::RSA)?;
                check_rsa_2048(&key)?;
                key
            }
        };
        Ok(Box::new(OpensslVerifyingKey { id: self.0, pkey }))
    }
}

struct OpensslSigningKey {
    id: SignatureId,
    pkey: PKey<Private>,
}

impl SigningKey for OpensslSigningKey {
    fn sign(&self, msg: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let len = self.id.signature_len();
        let out = out
            .get_mut(..len)
            .ok_or(Error::BadLength("signature buffer too short"))?;
        match self.id {
            SignatureId::Ed25519 => {
                let mut signer = Signer::new_without_digest(&self.pkey).map_err(crypto)?;
                signer.sign_oneshot(out, msg).map_err(crypto)?;
            }
            SignatureId::EcdsaP256Sha256 => {
                let mut signer =
                    Signer::new(MessageDigest::sha256(), &self.pkey).map_err(crypto)?;
                let mut der = [0u8; P256_DER_MAX];
                let der_len = signer.sign_oneshot(&mut der, msg).map_err(crypto)?;
                let der = der.get(..der_len).ok_or(Error::Crypto)?;
                let sig = EcdsaSig::from_der(der).map_err(crypto)?;
                let (r, s) = out.split_at_mut(P256_LEN);
                write_padded(sig.r(), r)?;
                write_padded(sig.s(), s)?;
            }
            SignatureId::RsaPss2048Sha256 => {
                let mut signer =
                    Signer::new(MessageDigest::sha256(), &self.pkey).map_err(crypto)?;
                signer.set_rsa_padding(Padding::PKCS1_PSS).map_err(crypto)?;
                signer
                    .set_rsa_pss_saltlen(RsaPssSaltlen::custom(PSS_SALT_LEN))
                    .map_err(crypto)?;
                signer
                    .set_rsa_mgf1_md(MessageDigest::sha256())
                    .map_err(crypto)?;
                if signer.sign_oneshot(out, msg).map_err(crypto)? != len {
                    return Err(Error::Crypto);
                }
            }
        }
        Ok(len)
    }

    fn public_key_spki(&self) -> Result<Vec<u8>, Error> {
        self.pkey.public_key_to_der().map_err(crypto)
    }
}

/// Writes `n` big-endian, left-padded with zeros, into all of `out`.
fn write_padded(n: &BigNumRef, out: &mut [u8]) -> Result<(), Error> {
    let width = i32::try_from(out.len()).map_err(crypto)?;
    let bytes = n.to_vec_padded(width).map_err(crypto)?;
    out.copy_from_slice(&bytes);
    Ok(())
}

struct OpensslVerifyingKey {
    id: SignatureId,
    pkey: PKey<Public>,
}

impl OpensslVerifyingKey {
    fn verify_with(&self, msg: &[u8], signature: &[u8]) -> Result<(), Error> {
        let valid = match self.id {
            SignatureId::Ed25519 => Verifier::new_without_digest(&self.pkey)
                .and_then(|mut v| v.verify_oneshot(signature, msg)),
            SignatureId::EcdsaP256Sha256 => Verifier::new(MessageDigest::sha256(), &self.pkey)
                .and_then(|mut v| v.verify_oneshot(signature, msg)),
            SignatureId::RsaPss2048Sha256 => Verifier::new(MessageDigest::sha256(), &self.pkey)
                .and_then(|mut v| {
                    v.set_rsa_padding(Padding::PKCS1_PSS)?;
                    v.set_rsa_pss_saltlen(RsaPssSaltlen::custom(PSS_SALT_LEN))?;
                    v.set_rsa_mgf1_md(MessageDigest::sha256())?;
                    v.verify_oneshot(signature, msg)
                }),
        };
        match valid {
            Ok(true) => Ok(()),
            _ => Err(Error::Crypto),
        }
    }
}

impl VerifyingKey for OpensslVerifyingKey {
    fn verify(&self, msg: &[u8], signature: &[u8]) -> Result<(), Error> {
        if signature.len() != self.id.signature_len() {
            return Err(Error::Crypto);
        }
        if self.id != SignatureId::EcdsaP256Sha256 {
            return self.verify_with(msg, signature);
        }
        let (r, s) = signature.split_at(P256_LEN);
        let r = BigNum::from_slice(r).map_err(crypto)?;
        let s = BigNum::from_slice(s).map_err(crypto)?;
        let der = EcdsaSig::from_private_components(r, s)
            .and_then(|sig| sig.to_der())
            .map_err(crypto)?;
        self.verify_with(msg, &der)
    }

    fn verify_der(&self, msg: &[u8], signature: &[u8]) -> Result<(), Error> {
        match self.id {
            SignatureId::EcdsaP256Sha256 => self.verify_with(msg, signature),
            SignatureId::Ed25519 | SignatureId::RsaPss2048Sha256 => {
                Err(Unsupported("DER signatures are only defined for ECDSA").into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8410 §10.3 Ed25519 private key (PKCS#8 v1) and its public key.
    const ED25519_PKCS8_V1: &str = "302e020100300506032b657004220420d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842";
    // ref: RFC 8410 §10.3 (OneAsymmetricKey v2 with an attribute and the public key)
    const ED25519_PKCS8_V2: &str = "3072020101300506032b657004220420d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842a01f301d060a2a864886f70d01090914310f0c0d437572646c65204368616972738121\
         0019bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1";

    // RFC 8032 and generated keys are `backend::contract`'s.

    #[test]
    fn ed25519_pkcs8_v2_with_a_foreign_public_key_is_rejected() {
        // RFC 8410's v2 key with the last byte of its public key changed.
        let mut v2 = hex::decode(ED25519_PKCS8_V2).unwrap();
        *v2.last_mut().unwrap() ^= 1;
        assert!(matches!(
            ED25519.signing_key(&v2),
            Err(Error::KeyRejected(_))
        ));
    }

    #[test]
    fn ed25519_pkcs8_v1_and_v2_load_the_same_key() {
        let v1 = ED25519
            .signing_key(&hex::decode(ED25519_PKCS8_V1).unwrap())
            .unwrap();
        let v2 = ED25519
            .signing_key(&hex::decode(ED25519_PKCS8_V2).unwrap())
            .unwrap();
        assert_eq!(v1.public_key_spki().unwrap(), v2.public_key_spki().unwrap());
    }

    #[test]
    fn ecdsa_fixed_and_der_forms_agree() {
        let sk = ECDSA_P256_SHA256
            .signing_key(&ECDSA_P256_SHA256.generate_pkcs8().unwrap())
            .unwrap();
        let vk = ECDSA_P256_SHA256
            .verifying_key(&sk.public_key_spki().unwrap())
            .unwrap();
        let mut fixed = [0u8; 64];
        // Enough signatures that some r or s has a leading zero byte (probability 1/128 each).
        for i in 0..200u32 {
            let msg = i.to_be_bytes();
            sk.sign(&msg, &mut fixed).unwrap();
            let der = EcdsaSig::from_private_components(
                BigNum::from_slice(&fixed[..32]).unwrap(),
                BigNum::from_slice(&fixed[32..]).unwrap(),
            )
            .unwrap()
            .to_der()
            .unwrap();
            assert_eq!(vk.verify(&msg, &fixed), Ok(()));
            assert_eq!(vk.verify_der(&msg, &der), Ok(()));
            assert_eq!(vk.verify_der(&msg, &fixed), Err(Error::Crypto));
            let mut bad = der.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            assert_eq!(vk.verify_der(&msg, &bad), Err(Error::Crypto));
            // DER with trailing garbage is not DER.
            let mut trailing = der.clone();
            trailing.push(0);
            assert_eq!(vk.verify_der(&msg, &trailing), Err(Error::Crypto));
        }
    }

    #[test]
    fn verify_der_is_ecdsa_only() {
        let sk = ED25519
            .signing_key(&hex::decode(ED25519_PKCS8_V1).unwrap())
            .unwrap();
        let vk = ED25519
            .verifying_key(&sk.public_key_spki().unwrap())
            .unwrap();
        assert!(matches!(
            vk.verify_der(b"", &[0; 64]),
            Err(Error::Unsupported(_))
        ));
    }

    #[test]
    fn keys_of_the_wrong_type_or_size_are_rejected() {
        let rsa = RSA_PSS_2048_SHA256.generate_pkcs8().unwrap();
        let ec = ECDSA_P256_SHA256.generate_pkcs8().unwrap();
        let ed = ED25519.generate_pkcs8().unwrap();
        let rsa_spki = RSA_PSS_2048_SHA256
            .signing_key(&rsa)
            .unwrap()
            .public_key_spki()
            .unwrap();
        assert!(matches!(
            ED25519.signing_key(&rsa),
            Err(Error::KeyRejected(_))
        ));
        assert!(matches!(
            ED25519.verifying_key(&rsa_spki),
            Err(Error::KeyRejected(_))
        ));
        assert!(matches!(
            ECDSA_P256_SHA256.signing_key(&ed),
            Err(Error::KeyRejected(_))
        ));
        assert!(matches!(
            RSA_PSS_2048_SHA256.signing_key(&ec),
            Err(Error::KeyRejected(_))
        ));
        assert!(matches!(
            ED25519.signing_key(b"garbage"),
            Err(Error::KeyRejected(_))
        ));

        let p384 = EcKey::generate(&EcGroup::from_curve_name(Nid::SECP384R1).unwrap()).unwrap();
        let p384 = PKey::from_ec_key(p384).unwrap();
        assert!(matches!(
            ECDSA_P256_SHA256.signing_key(&p384.private_key_to_pkcs8().unwrap()),
            Err(Error::KeyRejected(_))
        ));
        assert!(matches!(
            ECDSA_P256_SHA256.verifying_key(&p384.public_key_to_der().unwrap()),
            Err(Error::KeyRejected(_))
        ));

        let rsa1024 = PKey::from_rsa(Rsa::generate(1024).unwrap()).unwrap();
        assert!(matches!(
            RSA_PSS_2048_SHA256.signing_key(&rsa1024.private_key_to_pkcs8().unwrap()),
            Err(Error::KeyRejected(_))
        ));
        assert!(matches!(
            RSA_PSS_2048_SHA256.verifying_key(&rsa1024.public_key_to_der().unwrap()),
            Err(Error::KeyRejected(_))
        ));
    }

    #[test]
    fn rsa_pss_salt_length_is_enforced() {
        let pkcs8 = RSA_PSS_2048_SHA256.generate_pkcs8().unwrap();
        let pkey = PKey::private_key_from_pkcs8(&pkcs8).unwrap();
        let vk = RSA_PSS_2048_SHA256
            .verifying_key(&pkey.public_key_to_der().unwrap())
            .unwrap();
        let sign_with_salt = |salt: i32| {
            let mut signer = Signer::new(MessageDigest::sha256(), &pkey).unwrap();
            signer.set_rsa_padding(Padding::PKCS1_PSS).unwrap();
            signer
                .set_rsa_pss_saltlen(RsaPssSaltlen::custom(salt))
                .unwrap();
            signer.set_rsa_mgf1_md(MessageDigest::sha256()).unwrap();
            signer.sign_oneshot_to_vec(b"m").unwrap()
        };
        assert_eq!(vk.verify(b"m", &sign_with_salt(32)), Ok(()));
        assert_eq!(vk.verify(b"m", &sign_with_salt(20)), Err(Error::Crypto));
    }
}
