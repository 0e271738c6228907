//! Ed25519, ECDSA P-256 and RSA-PSS-2048 through aws-lc-rs's `signature` module.
//!
//! Public keys arrive as SPKI and are split with [`keys::spki_key_of`] (which rejects other
//! algorithms and trailing data), then parsed once into a `ParsedPublicKey`, so verification
//! does not re-parse the key. aws-lc-rs can generate all three key types.

use aws_lc_rs::encoding::{AsDer as _, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    self as ls, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, ParsedPublicKey, RsaKeyPair,
    RsaParameters,
};

use crate::backend::keys::{self, SpkiAlgorithm};
use crate::backend::{Error, Signature, SignatureId, SigningKey, VerifyingKey};

/// Ed25519.
pub(super) struct AwsLcEd25519;
/// ECDSA P-256 with SHA-256, fixed `r || s` signatures.
pub(super) struct AwsLcEcdsaP256;
/// RSASSA-PSS with a 2048-bit modulus and SHA-256.
pub(super) struct AwsLcRsaPss2048;

/// The Ed25519 implementation.
pub(super) static ED25519: AwsLcEd25519 = AwsLcEd25519;
/// The ECDSA P-256 SHA-256 implementation.
pub(super) static ECDSA_P256_SHA256: AwsLcEcdsaP256 = AwsLcEcdsaP256;
/// The RSA-PSS-2048 SHA-256 implementation.
pub(super) static RSA_PSS_2048_SHA256: AwsLcRsaPss2048 = AwsLcRsaPss2048;

/// The writable prefix of `out` a signature of `id` needs.
fn signature_out(out: &mut [u8], id: SignatureId) -> Result<&mut [u8], Error> {
    out.get_mut(..id.signature_len())
        .ok_or(Error::BadLength("signature buffer is too short"))
}

fn spki_of(
    der: Result<PublicKeyX509Der<'static>, aws_lc_rs::error::Unspecified>,
) -> Result<Vec<u8>, Error> {
    der.map(|d| d.as_ref().to_vec())
        .map_err(|_| Error::KeyRejected("public key cannot be encoded"))
}

fn parsed(
    alg: &'static dyn ls::VerificationAlgorithm,
    key: &[u8],
) -> Result<ParsedPublicKey, Error> {
    ParsedPublicKey::new(alg, key).map_err(|_| Error::KeyRejected("invalid public key"))
}

impl Signature for AwsLcEd25519 {
    fn id(&self) -> SignatureId {
        SignatureId::Ed25519
    }

    fn generate_pkcs8(&self) -> Result<Vec<u8>, Error> {
        let doc =
            Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| Error::Crypto)?;
        Ok(doc.as_ref().to_vec())
    }

    fn signing_key(&self, pkcs8: &[u8]) -> Result<Box<dyn SigningKey>, Error> {
        // `maybe_unchecked` also accepts PKCS#8 v1, which carries no public key to check.
        let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8)
            .map_err(|_| Error::KeyRejected("not an Ed25519 PKCS#8 private key"))?;
        Ok(Box::new(Ed25519Signer(pair)))
    }

    fn verifying_key(&self, spki: &[u8]) -> Result<Box<dyn VerifyingKey>, Error> {
        let raw = keys::spki_key_of(spki, SpkiAlgorithm::Ed25519)?;
        if raw.len() != 32 {
            return Err(Error::KeyRejected("Ed25519 public key must be 32 bytes"));
        }
        Ok(Box::new(Verifier(parsed(&ls::ED25519, raw)?)))
    }
}

struct Ed25519Signer(Ed25519KeyPair);

impl SigningKey for Ed25519Signer {
    fn sign(&self, msg: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let out = signature_out(out, SignatureId::Ed25519)?;
        let sig = self.0.try_sign(msg).map_err(|_| Error::Crypto)?;
        out.copy_from_slice(sig.as_ref());
        Ok(out.len())
    }

    fn public_key_spki(&self) -> Result<Vec<u8>, Error> {
        spki_of(self.0.public_key().as_der())
    }
}

/// A parsed verification key (Ed25519, RSA-PSS).
struct Verifier(ParsedPublicKey);

impl VerifyingKey for Verifier {
    fn verify(&self, msg: &[u8], signature: &[u8]) -> Result<(), Error> {
        self.0.verify_sig(msg, signature).map_err(|_| Error::Crypto)
    }
}

impl Signature for AwsLcEcdsaP256 {
    fn id(&self) -> SignatureId {
        SignatureId::EcdsaP256Sha256
    }

    fn generate_pkcs8(&self) -> Result<Vec<u8>, Error> {
        let doc = EcdsaKeyPair::generate_pkcs8(
            &ls::ECDSA_P256_SHA256_FIXED_SIGNING,
            &SystemRandom::new(),
        )
        .map_err(|_| Error::Crypto)?;
        Ok(doc.as_ref().to_vec())
    }

    fn signing_key(&self, pkcs8: &[u8]) -> Result<Box<dyn SigningKey>, Error> {
        let pair = EcdsaKeyPair::from_pkcs8(&ls::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8)
            .map_err(|_| Error::KeyRejected("not a P-256 PKCS#8 private key"))?;
        Ok(Box::new(EcdsaSigner {
            pair,
            rng: SystemRandom::new(),
        }))
    }

    fn verifying_key(&self, spki: &[u8]) -> Result<Box<dyn VerifyingKey>, Error> {
        let point = keys::spki_key_of(spki, SpkiAlgorithm::P256)?;
        Ok(Box::new(EcdsaVerifier {
            fixed: parsed(&ls::ECDSA_P256_SHA256_FIXED, point)?,
            der: parsed(&ls::ECDSA_P256_SHA256_ASN1, point)?,
        }))
    }
}

struct EcdsaSigner {
    pair: EcdsaKeyPair,
    rng: SystemRandom,
}

impl SigningKey for EcdsaSigner {
    fn sign(&self, msg: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let out = signature_out(out, SignatureId::EcdsaP256Sha256)?;
        let sig = self.pair.sign(&self.rng, msg).map_err(|_| Error::Crypto)?;
        out.copy_from_slice(sig.as_ref());
        Ok(out.len())
    }

    fn public_key_spki(&self) -> Result<Vec<u8>, Error> {
        spki_of(self.pair.public_key().as_der())
    }
}

struct EcdsaVerifier {
    fixed: ParsedPublicKey,
    der: ParsedPublicKey,
}

impl VerifyingKey for EcdsaVerifier {
    fn verify(&self, msg: &[u8], signature: &[u8]) -> Result<(), Error> {
        self.fixed
            .verify_sig(msg, signature)
            .map_err(|_| Error::Crypto)
    }

    fn verify_der(&self, msg: &[u8], signature: &[u8]) -> Result<(), Error> {
        self.der
            .verify_sig(msg, signature)
            .map_err(|_| Error::Crypto)
    }
}

const NOT_2048: Error = Error::KeyRejected("RSA-PSS-2048 needs a 2048-bit modulus");

/// Checks that a PKCS#1 `RSAPublicKey` has exactly a 2048-bit modulus (`RSA_bits`).
fn require_2048_bits(rsa_public_key: &[u8]) -> Result<(), Error> {
    match RsaParameters::public_modulus_len(rsa_public_key) {
        Ok(2048) => Ok(()),
        Ok(_) => Err(NOT_2048),
        Err(_) => Err(Error::KeyRejected("malformed RSAPublicKey")),
    }
}

impl Signature for AwsLcRsaPss2048 {
    fn id(&self) -> SignatureId {
        SignatureId::RsaPss2048Sha256
    }

    fn generate_pkcs8(&self) -> Result<Vec<u8>, Error> {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| Error::Crypto)?;
        let der: Pkcs8V1Der<'static> = pair.as_der().map_err(|_| Error::Crypto)?;
        Ok(der.as_ref().to_vec())
    }

    fn signing_key(&self, pkcs8: &[u8]) -> Result<Box<dyn SigningKey>, Error> {
        let pair = RsaKeyPair::from_pkcs8(pkcs8)
            .map_err(|_| Error::KeyRejected("not an RSA PKCS#8 private key"))?;
        require_2048_bits(pair.public_key().as_ref())?;
        Ok(Box::new(RsaSigner {
            pair,
            rng: SystemRandom::new(),
        }))
    }

    fn verifying_key(&self, spki: &[u8]) -> Result<Box<dyn VerifyingKey>, Error> {
        let rsa_public_key = keys::spki_key_of(spki, SpkiAlgorithm::Rsa)?;
        require_2048_bits(rsa_public_key)?;
        Ok(Box::new(Verifier(parsed(
            &ls::RSA_PSS_2048_8192_SHA256,
            rsa_public_key,
        )?)))
    }
}

struct RsaSigner {
    pair: RsaKeyPair,
    rng: SystemRandom,
}

impl SigningKey for RsaSigner {
    fn sign(&self, msg: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let out = signature_out(out, SignatureId::RsaPss2048Sha256)?;
        // RSA_PSS_SHA256 uses MGF1-SHA-256 and a digest-length (32-byte) salt.
        self.pair
            .sign(&ls::RSA_PSS_SHA256, &self.rng, msg, out)
            .map_err(|_| Error::Crypto)?;
        Ok(out.len())
    }

    fn public_key_spki(&self) -> Result<Vec<u8>, Error> {
        spki_of(self.pair.public_key().as_der())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8032, generated keys and ECDSA's two signature forms are `backend::contract`'s.

    #[test]
    fn rsa_keys_must_be_2048_bits() {
        let mut n = vec![0xffu8; 256];
        n[255] = 0xfd;
        let spki = keys::rsa_spki(&n, &[1, 0, 1]).unwrap();
        let verifier = RSA_PSS_2048_SHA256.verifying_key(&spki).unwrap();
        assert_eq!(verifier.verify(b"m", &[0u8; 256]), Err(Error::Crypto));
        n[0] = 0x7f;
        let spki = keys::rsa_spki(&n, &[1, 0, 1]).unwrap();
        assert_eq!(
            RSA_PSS_2048_SHA256.verifying_key(&spki).err(),
            Some(NOT_2048)
        );
        let pair = RsaKeyPair::generate(KeySize::Rsa3072).unwrap();
        let der: Pkcs8V1Der<'static> = pair.as_der().unwrap();
        assert_eq!(
            RSA_PSS_2048_SHA256.signing_key(der.as_ref()).err(),
            Some(NOT_2048)
        );
        assert!(ED25519.verifying_key(&spki).is_err());
    }
}
