//! Ed25519, ECDSA P-256 and RSA-PSS-2048 through ring's `signature` module.
//!
//! ring verifies with bare public keys, so SPKIs are split with [`keys::spki_key_of`]; for
//! RSA the bare key is the PKCS#1 `RSAPublicKey`, exactly the SPKI's `subjectPublicKey`.
//! ring re-parses the public key on every verification (it has no pre-parsed verification
//! key), so RSA verification allocates inside ring on each call.

use ::ring::rand::SystemRandom;
use ::ring::signature::{
    self as rs, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RsaKeyPair, RsaPublicKeyComponents,
    UnparsedPublicKey,
};
use der::Decode as _;
use der::asn1::UintRef;

use crate::backend::keys::{self, SpkiAlgorithm};
use crate::backend::{Error, Signature, SignatureId, SigningKey, Unsupported, VerifyingKey};

/// Ed25519.
pub(super) struct RingEd25519;
/// ECDSA P-256 with SHA-256, fixed `r || s` signatures.
pub(super) struct RingEcdsaP256;
/// RSASSA-PSS with a 2048-bit modulus and SHA-256.
pub(super) struct RingRsaPss2048;

/// The Ed25519 implementation.
pub(super) static ED25519: RingEd25519 = RingEd25519;
/// The ECDSA P-256 SHA-256 implementation.
pub(super) static ECDSA_P256_SHA256: RingEcdsaP256 = RingEcdsaP256;
/// The RSA-PSS-2048 SHA-256 implementation.
pub(super) static RSA_PSS_2048_SHA256: RingRsaPss2048 = RingRsaPss2048;

/// The writable prefix of `out` a signature of `id` needs.
fn signature_out(out: &mut [u8], id: SignatureId) -> Result<&mut [u8], Error> {
    out.get_mut(..id.signature_len())
        .ok_or(Error::BadLength("signature buffer is too short"))
}

fn pkcs8_of(doc: &::ring::pkcs8::Document) -> Vec<u8> {
    doc.as_ref().to_vec()
}

impl Signature for RingEd25519 {
    fn id(&self) -> SignatureId {
        SignatureId::Ed25519
    }

    fn generate_pkcs8(&self) -> Result<Vec<u8>, Error> {
        let doc =
            Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| Error::Crypto)?;
        Ok(pkcs8_of(&doc))
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
        Ok(Box::new(Ed25519Verifier(UnparsedPublicKey::new(
            &rs::ED25519,
            raw.to_vec(),
        ))))
    }
}

struct Ed25519Signer(Ed25519KeyPair);

impl SigningKey for Ed25519Signer {
    fn sign(&self, msg: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let out = signature_out(out, SignatureId::Ed25519)?;
        out.copy_from_slice(self.0.sign(msg).as_ref());
        Ok(out.len())
    }

    fn public_key_spki(&self) -> Result<Vec<u8>, Error> {
        keys::ed25519_spki(self.0.public_key().as_ref())
    }
}

struct Ed25519Verifier(UnparsedPublicKey<Vec<u8>>);

impl VerifyingKey for Ed25519Verifier {
    fn verify(&self, msg: &[u8], signature: &[u8]) -> Result<(), Error> {
        self.0.verify(msg, signature).map_err(|_| Error::Crypto)
    }
}

impl Signature for RingEcdsaP256 {
    fn id(&self) -> SignatureId {
        SignatureId::EcdsaP256Sha256
    }

    fn generate_pkcs8(&self) -> Result<Vec<u8>, Error> {
        let doc = EcdsaKeyPair::generate_pkcs8(
            &rs::ECDSA_P256_SHA256_FIXED_SIGNING,
            &SystemRandom::new(),
        )
        .map_err(|_| Error::Crypto)?;
        Ok(pkcs8_of(&doc))
    }

    fn signing_key(&self, pkcs8: &[u8]) -> Result<Box<dyn SigningKey>, Error> {
        let rng = SystemRandom::new();
        let pair = EcdsaKeyPair::from_pkcs8(&rs::ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8, &rng)
            .map_err(|_| {
                Error::KeyRejected("not a P-256 PKCS#8 private key with its public key")
            })?;
        Ok(Box::new(EcdsaSigner { pair, rng }))
    }

    fn verifying_key(&self, spki: &[u8]) -> Result<Box<dyn VerifyingKey>, Error> {
        let point = keys::spki_key_of(spki, SpkiAlgorithm::P256)?;
        if point.len() != 65 || point.first() != Some(&0x04) {
            return Err(Unsupported("ring only accepts uncompressed P-256 points").into());
        }
        Ok(Box::new(EcdsaVerifier {
            fixed: UnparsedPublicKey::new(&rs::ECDSA_P256_SHA256_FIXED, point.to_vec()),
            der: UnparsedPublicKey::new(&rs::ECDSA_P256_SHA256_ASN1, point.to_vec()),
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
        keys::p256_spki(self.pair.public_key().as_ref())
    }
}

struct EcdsaVerifier {
    fixed: UnparsedPublicKey<Vec<u8>>,
    der: UnparsedPublicKey<Vec<u8>>,
}

impl VerifyingKey for EcdsaVerifier {
    fn verify(&self, msg: &[u8], signature: &[u8]) -> Result<(), Error> {
        self.fixed.verify(msg, signature).map_err(|_| Error::Crypto)
    }

    fn verify_der(&self, msg: &[u8], signature: &[u8]) -> Result<(), Error> {
        self.der.verify(msg, signature).map_err(|_| Error::Crypto)
    }
}

/// Whether a big-endian modulus is exactly 2048 bits long (leading zero bytes ignored).
fn is_2048_bits(n: &[u8]) -> bool {
    let start = n.iter().position(|&b| b != 0).unwrap_or(n.len());
    let n = n.get(start..).unwrap_or_default();
    n.len() == 256 && n.first().is_some_and(|&b| b & 0x80 != 0)
}

const NOT_2048: Error = Error::KeyRejected("RSA-PSS-2048 needs a 2048-bit modulus");

impl Signature for RingRsaPss2048 {
    fn id(&self) -> SignatureId {
        SignatureId::RsaPss2048Sha256
    }

    fn generate_pkcs8(&self) -> Result<Vec<u8>, Error> {
        Err(Unsupported("ring cannot generate RSA keys").into())
    }

    fn signing_key(&self, pkcs8: &[u8]) -> Result<Box<dyn SigningKey>, Error> {
        let pair = RsaKeyPair::from_pkcs8(pkcs8)
            .map_err(|_| Error::KeyRejected("not an RSA PKCS#8 private key ring accepts"))?;
        let public = RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
        if !is_2048_bits(&public.n) {
            return Err(NOT_2048);
        }
        Ok(Box::new(RsaSigner {
            pair,
            rng: SystemRandom::new(),
        }))
    }

    fn verifying_key(&self, spki: &[u8]) -> Result<Box<dyn VerifyingKey>, Error> {
        let rsa_public_key = keys::spki_key_of(spki, SpkiAlgorithm::Rsa)?;
        // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
        let ints = Vec::<UintRef<'_>>::from_der(rsa_public_key)
            .map_err(|_| Error::KeyRejected("malformed RSAPublicKey"))?;
        let [n, _e] = ints.as_slice() else {
            return Err(Error::KeyRejected("malformed RSAPublicKey"));
        };
        if !is_2048_bits(n.as_bytes()) {
            return Err(NOT_2048);
        }
        Ok(Box::new(RsaVerifier(UnparsedPublicKey::new(
            &rs::RSA_PSS_2048_8192_SHA256,
            rsa_public_key.to_vec(),
        ))))
    }
}

struct RsaSigner {
    pair: RsaKeyPair,
    rng: SystemRandom,
}

impl SigningKey for RsaSigner {
    fn sign(&self, msg: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let out = signature_out(out, SignatureId::RsaPss2048Sha256)?;
        // RSA_PSS_SHA256 uses MGF1-SHA-256 and a 32-byte salt.
        self.pair
            .sign(&rs::RSA_PSS_SHA256, &self.rng, msg, out)
            .map_err(|_| Error::Crypto)?;
        Ok(out.len())
    }

    fn public_key_spki(&self) -> Result<Vec<u8>, Error> {
        let public = RsaPublicKeyComponents::<Vec<u8>>::from(self.pair.public());
        keys::rsa_spki(&public.n, &public.e)
    }
}

struct RsaVerifier(UnparsedPublicKey<Vec<u8>>);

impl VerifyingKey for RsaVerifier {
    fn verify(&self, msg: &[u8], signature: &[u8]) -> Result<(), Error> {
        self.0.verify(msg, signature).map_err(|_| Error::Crypto)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 8032, generated keys and ECDSA's two signature forms are `backend::contract`'s.

    #[test]
    fn rsa_key_generation_is_unsupported() {
        assert!(matches!(
            RSA_PSS_2048_SHA256.generate_pkcs8(),
            Err(Error::Unsupported(_))
        ));
    }

    /// A 2048-bit RSA key (e = 65537) in PKCS#8 v1, generated with
    /// `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048` for these tests only.
    const RSA_2048_PKCS8_HEX: &str = concat!(
        "308204be020100300d06092a864886f70d0101010500048204a8308204a40201000282010100a0810dfdc34b0ae10ea0c43e2c6dc3d99ee7382b8f0260989764",
        "faef66535871dd0b89152954205a01d1bdb2ad91e794871e8201d94584a5f423c47f1c147f51981e201c24677b7ce246ab71a46a85f3e5aa1c15bde6651617c6",
        "2313a7f7fef7c689a5a44ee63aac8077715823dbf5a3243f27608a769379eee3c1a2ce9a1a63887101652c50d9f87a9470a2dac032f2e17f07f9b87338aba20a",
        "fa5cb4090ce49b71043a39b33e507f86300c272b1df54457d937b030223dfc79f067e5365a554c75381bc9035414f61ef3e91674bad7bcabbe2d9dff626bf8e2",
        "a1cc45844c8e2afe5fc519b01199b5863eb0b95a323ba4b37cf3cb5785e1db333bf95917ed77020301000102820100276bdb245f3190bffb28485adeedacc348",
        "10914ebd86bf73eb074dccbbecaf95f3cd3003a70d770eb450b00f712b1b5e731b6ea2069bd8fb2bae174682fe93d0d6145c1d9d615f46aa8ae1f3fd067ed50b",
        "2d0f4dd5c0ff46005bd564b0062cb4edaa042989896992d1d0c4617a193dc92e8f665c0356215dbaeb6cb5509a2fedab5f6ce83fe3deea2126da7a90ed361471",
        "14d25add782aa6aa4b7d0a59f5c70e6fddcf96c7988a8b8ff80d25d96ffd3c186db4b3a0fdd13faaa7be7ca2e3bd5593a5486f91d1f88e1896b6ab8bf9a6dd3b",
        "2d697003302fcc2cc493696d96fdd96ab3003296af7c4e119cd5cc11f88c77b53f822c81c0b6a44d1a40730274065102818100df09d1db1e89777e43c05ff3e2",
        "64526a8a7687caad154354c8517fbe77fcc0a39378b21f0539d263c12a1b613dd087b733037dea54fb0c59a9e551b953eb7022aa1ddbc0bd5d2bce74d3e61e52",
        "bd0d4ac9609654320df2a319538317e4fe7d7cff984294fe77cbdb1e356fabe1297336a26f39caba2cac44b23e793477e86c7102818100b83962ad11e35cf159",
        "befd7d108d7332931d58121a0dcece6d18e3e1bd4a5cff63660b2e3b345f2d0f38e00cf16352ccc3b2694add3d6e6c14d187bbf5f39705bab35941b6d4fb1d5d",
        "eae6d2aaa233b821185514eab4122ceab6379e473e935120838bd0b523680c79835041c8df761e7fe9d3361c0cdb4cac6b1a2c78ef0c6702818071b9e718acac",
        "799297675b45d7354254f2ff57643ff72c9ae97dacfe68de2738013534d5de6b4a5cf51ccc533c1abd68eb8927463a48bc5667ebf74ce17e9672067e2d144d3a",
        "59e0eeef31525aebed002a48a6be8dbb50f25b329b10af0218e888c79183b9714a30136a39e3d16eba41ac77bc6723a12dc1e58537764a81e7f1028181009832",
        "189a80ffc466444dac60294fa2cf3288f89ca3d7aa7611dd914e8ab2a7d7f9c7710f35ac53c1072566bc6aa432e0a6007c4a7432ef49ed7d195528a1a0b00409",
        "6d8103ca3ad78d22a6a57e80d8979307e62a8ca84da7bc14e4282815c3612faa5dd504010751df05a44564ed70494c45e1cf7f2703f9f92bd688cd34389b0281",
        "8100c3090acaef4a99b22114b0cf7a485de035eb40d47a040ea4ff2c6400d85aa7edb1923ef100c66a0eeaf41da6e8fc9f503c5385e5159b6f1e8bd8982f1f76",
        "36ddb455434476f0dcbceb849dbfb514db22fc87c8896eefdd8c7764017e2ca47e820175dca81e6dfc2e1e164affd088f28ce5c9e8eee67b9546c70ad1d67466",
        "bc50",
    );

    #[test]
    fn rsa_pss_2048_round_trips() {
        crate::backend::contract::signature_round_trip(
            &RSA_PSS_2048_SHA256,
            &hex::decode(RSA_2048_PKCS8_HEX).unwrap(),
        );
    }

    #[test]
    fn rsa_verifying_key_requires_a_2048_bit_modulus() {
        let mut n = vec![0xffu8; 256];
        assert!(is_2048_bits(&n));
        n[0] = 0x7f;
        assert!(!is_2048_bits(&n));
        let spki = keys::rsa_spki(&n, &[1, 0, 1]).unwrap();
        assert_eq!(
            RSA_PSS_2048_SHA256.verifying_key(&spki).err(),
            Some(NOT_2048)
        );
        let spki = keys::rsa_spki(&[0xffu8; 384], &[1, 0, 1]).unwrap();
        assert_eq!(
            RSA_PSS_2048_SHA256.verifying_key(&spki).err(),
            Some(NOT_2048)
        );
        let mut ok = vec![0xffu8; 256];
        ok[255] = 0xfd;
        let spki = keys::rsa_spki(&ok, &[1, 0, 1]).unwrap();
        let verifier = RSA_PSS_2048_SHA256.verifying_key(&spki).unwrap();
        assert_eq!(verifier.verify(b"m", &[0u8; 256]), Err(Error::Crypto));
        assert!(ED25519.verifying_key(&spki).is_err());
    }
}
