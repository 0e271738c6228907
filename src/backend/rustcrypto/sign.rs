//! Signatures: Ed25519 (`ed25519-dalek`), ECDSA P-256 (`p256`), RSA-PSS-2048 (`rsa`).
//!
//! ECDSA signing is deterministic (RFC 6979). p256 sets `NORMALIZE_S = false`: it neither
//! normalizes nor rejects high-S signatures, as plain ECDSA (FIPS 186-5) requires.

use der::Encode as _;
use der::asn1::{BitStringRef, OctetStringRef};
use ed25519_dalek::pkcs8::{KeypairBytes, PrivateKeyInfoRef};
use p256::ecdsa;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::elliptic_curve::Generate as _;
use p256::elliptic_curve::zeroize::Zeroizing;
use p256::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _};
use rsa::Pss;
use sha2::{Digest as _, Sha256};

use super::rsa_keys;
use crate::backend::keys::{self, SpkiAlgorithm};
use crate::backend::{Error, Signature, SignatureId, SigningKey, VerifyingKey};

/// Ed25519.
pub(super) struct Ed25519;
/// ECDSA over P-256 with SHA-256.
pub(super) struct EcdsaP256;
/// RSASSA-PSS-2048 with SHA-256, MGF1-SHA-256 and a 32-byte salt.
pub(super) struct RsaPss2048;

/// Ed25519.
pub(super) static ED25519: Ed25519 = Ed25519;
/// ECDSA P-256 / SHA-256.
pub(super) static ECDSA_P256: EcdsaP256 = EcdsaP256;
/// RSA-PSS-2048 / SHA-256.
pub(super) static RSA_PSS_2048: RsaPss2048 = RsaPss2048;

// ref: https://www.rfc-editor.org/rfc/rfc8017#section-9.1 (sLen = hLen for SHA-256)
const PSS_SALT_LEN: usize = 32;

/// Copies a signature into the caller's buffer and returns its length.
fn emit(sig: &[u8], out: &mut [u8]) -> Result<usize, Error> {
    out.get_mut(..sig.len())
        .ok_or(Error::BadLength("signature output buffer"))?
        .copy_from_slice(sig);
    Ok(sig.len())
}

/// Fills a 32-byte array from the OS RNG.
fn random32() -> Result<[u8; 32], Error> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|_| Error::Crypto)?;
    Ok(seed)
}

// ---------------------------------------------------------------- Ed25519

impl Signature for Ed25519 {
    fn id(&self) -> SignatureId {
        SignatureId::Ed25519
    }

    /// PKCS#8 v2 (RFC 8410 `OneAsymmetricKey` with the public key).
    fn generate_pkcs8(&self) -> Result<Vec<u8>, Error> {
        let key = ed25519_dalek::SigningKey::from_bytes(&random32()?);
        // The private key is itself a DER OCTET STRING (RFC 8410 §7: CurvePrivateKey).
        let mut private_key = Zeroizing::new([0u8; 34]);
        let (header, seed) = private_key.split_at_mut(2);
        header.copy_from_slice(&[0x04, 0x20]);
        seed.copy_from_slice(key.as_bytes());
        let bad = |_| Error::KeyRejected("Ed25519 key cannot be encoded");
        let public = key.verifying_key();
        let info = PrivateKeyInfoRef {
            algorithm: ed25519_dalek::pkcs8::ALGORITHM_ID,
            private_key: OctetStringRef::new(private_key.as_slice()).map_err(bad)?,
            public_key: Some(BitStringRef::from_bytes(public.as_bytes()).map_err(bad)?),
        };
        info.to_der().map_err(bad)
    }

    fn signing_key(&self, pkcs8: &[u8]) -> Result<Box<dyn SigningKey>, Error> {
        let bad = |_| Error::KeyRejected("malformed Ed25519 PKCS#8 private key");
        // `try_from` also checks a v2 public key against the private key.
        let key = KeypairBytes::from_pkcs8_der(pkcs8)
            .and_then(|kp| ed25519_dalek::SigningKey::try_from(&kp))
            .map_err(bad)?;
        Ok(Box::new(Ed25519Signer(key)))
    }

    fn verifying_key(&self, spki: &[u8]) -> Result<Box<dyn VerifyingKey>, Error> {
        let raw: &[u8; 32] = keys::spki_key_of(spki, SpkiAlgorithm::Ed25519)?
            .try_into()
            .map_err(|_| Error::KeyRejected("Ed25519 public key must be 32 bytes"))?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(raw)
            .map_err(|_| Error::KeyRejected("Ed25519 public key is not a curve point"))?;
        Ok(Box::new(Ed25519Verifier(key)))
    }
}

struct Ed25519Signer(ed25519_dalek::SigningKey);

impl SigningKey for Ed25519Signer {
    fn sign(&self, msg: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        emit(&self.0.sign(msg).to_bytes(), out)
    }

    fn public_key_spki(&self) -> Result<Vec<u8>, Error> {
        keys::ed25519_spki(self.0.verifying_key().as_bytes())
    }
}

struct Ed25519Verifier(ed25519_dalek::VerifyingKey);

impl VerifyingKey for Ed25519Verifier {
    fn verify(&self, msg: &[u8], signature: &[u8]) -> Result<(), Error> {
        let sig = ed25519_dalek::Signature::from_slice(signature).map_err(|_| Error::Crypto)?;
        self.0.verify(msg, &sig).map_err(|_| Error::Crypto)
    }
}

// ---------------------------------------------------------------- ECDSA P-256

impl Signature for EcdsaP256 {
    fn id(&self) -> SignatureId {
        SignatureId::EcdsaP256Sha256
    }

    fn generate_pkcs8(&self) -> Result<Vec<u8>, Error> {
        let key = ecdsa::SigningKey::try_generate_from_rng(&mut getrandom::SysRng)
            .map_err(|_| Error::Crypto)?;
        key.to_pkcs8_der()
            .map(|doc| doc.as_bytes().to_vec())
            .map_err(|_| Error::KeyRejected("P-256 key cannot be encoded"))
    }

    fn signing_key(&self, pkcs8: &[u8]) -> Result<Box<dyn SigningKey>, Error> {
        let key = ecdsa::SigningKey::from_pkcs8_der(pkcs8)
            .map_err(|_| Error::KeyRejected("malformed P-256 PKCS#8 private key"))?;
        Ok(Box::new(EcdsaSigner(key)))
    }

    fn verifying_key(&self, spki: &[u8]) -> Result<Box<dyn VerifyingKey>, Error> {
        let point = keys::spki_key_of(spki, SpkiAlgorithm::P256)?;
        let key = ecdsa::VerifyingKey::from_sec1_bytes(point)
            .map_err(|_| Error::KeyRejected("P-256 public key is not a valid point"))?;
        Ok(Box::new(EcdsaVerifier(key)))
    }
}

struct EcdsaSigner(ecdsa::SigningKey);

impl SigningKey for EcdsaSigner {
    fn sign(&self, msg: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let sig: ecdsa::Signature = self.0.try_sign(msg).map_err(|_| Error::Crypto)?;
        emit(&sig.to_bytes(), out)
    }

    fn public_key_spki(&self) -> Result<Vec<u8>, Error> {
        let point = self.0.verifying_key().to_sec1_point(false);
        keys::p256_spki(point.as_bytes())
    }
}

struct EcdsaVerifier(ecdsa::VerifyingKey);

impl EcdsaVerifier {
    fn check(&self, msg: &[u8], sig: &ecdsa::Signature) -> Result<(), Error> {
        self.0.verify(msg, sig).map_err(|_| Error::Crypto)
    }
}

impl VerifyingKey for EcdsaVerifier {
    /// Fixed `r || s`; `from_slice` rejects lengths other than 64 and r, s ∉ [1, n).
    fn verify(&self, msg: &[u8], signature: &[u8]) -> Result<(), Error> {
        let sig = ecdsa::Signature::from_slice(signature).map_err(|_| Error::Crypto)?;
        self.check(msg, &sig)
    }

    fn verify_der(&self, msg: &[u8], signature: &[u8]) -> Result<(), Error> {
        let sig = ecdsa::Signature::from_der(signature).map_err(|_| Error::Crypto)?;
        self.check(msg, &sig)
    }
}

// ---------------------------------------------------------------- RSA-PSS

impl Signature for RsaPss2048 {
    fn id(&self) -> SignatureId {
        SignatureId::RsaPss2048Sha256
    }

    fn generate_pkcs8(&self) -> Result<Vec<u8>, Error> {
        rsa_keys::generate_pkcs8()
    }

    fn signing_key(&self, pkcs8: &[u8]) -> Result<Box<dyn SigningKey>, Error> {
        Ok(Box::new(PssSigner(rsa_keys::private_from_pkcs8(pkcs8)?)))
    }

    fn verifying_key(&self, spki: &[u8]) -> Result<Box<dyn VerifyingKey>, Error> {
        Ok(Box::new(PssVerifier(rsa_keys::public_from_spki(spki)?)))
    }
}

struct PssSigner(rsa::PrivateKey);

impl SigningKey for PssSigner {
    fn sign(&self, msg: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let digest = Sha256::digest(msg);
        let padding = Pss::<Sha256>::new_with_salt(PSS_SALT_LEN);
        let sig = self
            .0
            .sign_with_rng(&mut getrandom::SysRng, padding, &digest)
            .map_err(|_| Error::Crypto)?;
        emit(&sig, out)
    }

    fn public_key_spki(&self) -> Result<Vec<u8>, Error> {
        rsa_keys::spki_of(&self.0)
    }
}

struct PssVerifier(rsa::PublicKey);

impl VerifyingKey for PssVerifier {
    fn verify(&self, msg: &[u8], signature: &[u8]) -> Result<(), Error> {
        let padding = Pss::<Sha256>::new_with_salt(PSS_SALT_LEN);
        self.0
            .verify(padding, &Sha256::digest(msg), signature)
            .map_err(|_| Error::Crypto)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign_with(alg: &dyn Signature, pkcs8: &[u8], msg: &[u8]) -> Vec<u8> {
        let mut sig = vec![0u8; alg.id().signature_len()];
        let n = alg.signing_key(pkcs8).unwrap().sign(msg, &mut sig).unwrap();
        sig.truncate(n);
        sig
    }

    // RFC 8032 TEST 1 and generated keys are `backend::contract`'s.

    #[test]
    fn ed25519_generated_pkcs8_is_v2_and_round_trips() {
        let pkcs8 = ED25519.generate_pkcs8().unwrap();
        // ref: RFC 8410 §10.3: SEQUENCE, version 1 (v2), Ed25519 algorithm identifier.
        assert_eq!(
            hex::encode(&pkcs8[..16]),
            "3051020101300506032b657004220420"
        );
        crate::backend::contract::signature_round_trip(&ED25519, &pkcs8);
        // A v2 key whose public key does not match the private key is rejected.
        let mut bad = pkcs8.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(matches!(
            ED25519.signing_key(&bad),
            Err(Error::KeyRejected(_))
        ));
        assert!(ECDSA_P256.signing_key(&pkcs8).is_err());
    }

    // ref: https://www.rfc-editor.org/rfc/rfc6979#appendix-A.2.5 (P-256, SHA-256, "sample")
    #[test]
    fn ecdsa_p256_rfc6979_a_2_5_sample() {
        let x = hex::decode("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721")
            .unwrap();
        let pkcs8 = p256::SecretKey::from_slice(&x)
            .unwrap()
            .to_pkcs8_der()
            .unwrap();
        let sig = sign_with(&ECDSA_P256, pkcs8.as_bytes(), b"sample");
        assert_eq!(
            hex::encode(&sig),
            "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716\
             f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8"
        );
        let spki = ECDSA_P256
            .signing_key(pkcs8.as_bytes())
            .unwrap()
            .public_key_spki()
            .unwrap();
        assert_eq!(
            hex::encode(&spki[26..]),
            "0460fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6\
             7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299"
        );
        let verifier = ECDSA_P256.verifying_key(&spki).unwrap();
        assert_eq!(verifier.verify(b"sample", &sig), Ok(()));

        // The same signature in DER, and its high-S twin (n - s), which plain ECDSA accepts.
        let parsed = ecdsa::Signature::from_slice(&sig).unwrap();
        let der = parsed.to_der();
        assert_eq!(verifier.verify_der(b"sample", der.as_bytes()), Ok(()));
        let (r, s) = parsed.split_scalars();
        let high = ecdsa::Signature::from_scalars(r.to_bytes(), (-*s).to_bytes()).unwrap();
        assert_eq!(verifier.verify(b"sample", &high.to_bytes()), Ok(()));
        assert_eq!(verifier.verify_der(b"sample", &sig), Err(Error::Crypto));
    }

    #[test]
    fn rsa_pss_2048_round_trip_and_wrong_keys() {
        let pkcs8 = RSA_PSS_2048.generate_pkcs8().unwrap();
        let signer = RSA_PSS_2048.signing_key(&pkcs8).unwrap();
        let spki = signer.public_key_spki().unwrap();
        let verifier = RSA_PSS_2048.verifying_key(&spki).unwrap();
        let sig = sign_with(&RSA_PSS_2048, &pkcs8, b"sealbench");
        assert_eq!(sig.len(), 256);
        assert_eq!(verifier.verify(b"sealbench", &sig), Ok(()));
        // PSS is randomized: a second signature differs and also verifies.
        let sig2 = sign_with(&RSA_PSS_2048, &pkcs8, b"sealbench");
        assert_ne!(sig, sig2);
        assert_eq!(verifier.verify(b"sealbench", &sig2), Ok(()));
        assert_eq!(verifier.verify(b"sealbencH", &sig), Err(Error::Crypto));
        let mut bad = sig.clone();
        bad[128] ^= 1;
        assert_eq!(verifier.verify(b"sealbench", &bad), Err(Error::Crypto));
        assert!(signer.sign(b"x", &mut [0u8; 255]).is_err());
        // An EC key is not an RSA key.
        let ec = ECDSA_P256
            .signing_key(&ECDSA_P256.generate_pkcs8().unwrap())
            .unwrap();
        assert!(
            RSA_PSS_2048
                .verifying_key(&ec.public_key_spki().unwrap())
                .is_err()
        );
    }
}
