//! Key agreement: X25519 (`x25519-dalek`) and ECDH over P-256 (`p256`).

use p256::elliptic_curve::Generate as _;
use p256::elliptic_curve::sec1::ToSec1Point as _;
use x25519_dalek::{PublicKey as XPublic, StaticSecret};

use crate::backend::{AgreementKey, Error, KeyAgreement, KeyAgreementId};

/// X25519 (RFC 7748).
pub(super) struct X25519;
/// ECDH over P-256 (SEC 1 §3.3.1), shared secret = x-coordinate.
pub(super) struct EcdhP256;

/// X25519.
pub(super) static X25519_KX: X25519 = X25519;
/// ECDH P-256.
pub(super) static ECDH_P256: EcdhP256 = EcdhP256;

/// Copies `bytes` into the front of `out`; returns the length.
fn emit(bytes: &[u8], out: &mut [u8], what: &'static str) -> Result<usize, Error> {
    out.get_mut(..bytes.len())
        .ok_or(Error::BadLength(what))?
        .copy_from_slice(bytes);
    Ok(bytes.len())
}

// ---------------------------------------------------------------- X25519

impl KeyAgreement for X25519 {
    fn id(&self) -> KeyAgreementId {
        KeyAgreementId::X25519
    }

    fn generate(&self) -> Result<Box<dyn AgreementKey>, Error> {
        let mut scalar = [0u8; 32];
        getrandom::fill(&mut scalar).map_err(|_| Error::Crypto)?;
        Ok(Box::new(X25519Key(StaticSecret::from(scalar))))
    }

    fn private_key(&self, scalar: &[u8]) -> Result<Box<dyn AgreementKey>, Error> {
        let scalar: [u8; 32] = scalar
            .try_into()
            .map_err(|_| Error::BadLength("X25519 private key must be 32 bytes"))?;
        Ok(Box::new(X25519Key(StaticSecret::from(scalar))))
    }
}

struct X25519Key(StaticSecret);

impl AgreementKey for X25519Key {
    fn public_key(&self, out: &mut [u8]) -> Result<usize, Error> {
        emit(
            XPublic::from(&self.0).as_bytes(),
            out,
            "X25519 public key buffer",
        )
    }

    fn agree(&self, peer_public: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let peer: [u8; 32] = peer_public
            .try_into()
            .map_err(|_| Error::BadLength("X25519 public key must be 32 bytes"))?;
        let shared = self.0.diffie_hellman(&XPublic::from(peer));
        // ref: https://www.rfc-editor.org/rfc/rfc7748#section-6.1 (all-zero check)
        if !shared.was_contributory() {
            return Err(Error::Crypto);
        }
        emit(shared.as_bytes(), out, "shared secret buffer")
    }
}

// ---------------------------------------------------------------- ECDH P-256

impl KeyAgreement for EcdhP256 {
    fn id(&self) -> KeyAgreementId {
        KeyAgreementId::EcdhP256
    }

    fn generate(&self) -> Result<Box<dyn AgreementKey>, Error> {
        let secret = p256::SecretKey::try_generate_from_rng(&mut getrandom::SysRng)
            .map_err(|_| Error::Crypto)?;
        Ok(Box::new(P256Key::new(secret)))
    }

    fn private_key(&self, scalar: &[u8]) -> Result<Box<dyn AgreementKey>, Error> {
        let bytes = p256::FieldBytes::try_from(scalar)
            .map_err(|_| Error::BadLength("P-256 private key must be 32 bytes"))?;
        let secret = p256::SecretKey::from_bytes(&bytes)
            .map_err(|_| Error::KeyRejected("P-256 scalar is zero or not below the group order"))?;
        Ok(Box::new(P256Key::new(secret)))
    }
}

struct P256Key {
    secret: p256::SecretKey,
    /// Uncompressed SEC1 point, computed once.
    public: p256::Sec1Point,
}

impl P256Key {
    fn new(secret: p256::SecretKey) -> Self {
        let public = secret.public_key().to_sec1_point(false);
        Self { secret, public }
    }
}

impl AgreementKey for P256Key {
    fn public_key(&self, out: &mut [u8]) -> Result<usize, Error> {
        emit(self.public.as_bytes(), out, "P-256 public key buffer")
    }

    /// `from_sec1_bytes` rejects points off the curve and the identity.
    fn agree(&self, peer_public: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        if peer_public.len() != KeyAgreementId::EcdhP256.public_len() {
            return Err(Error::BadLength(
                "P-256 public key must be a 65-byte uncompressed point",
            ));
        }
        let peer = p256::PublicKey::from_sec1_bytes(peer_public).map_err(|_| Error::Crypto)?;
        let shared = self.secret.diffie_hellman(&peer);
        emit(shared.raw_secret_bytes(), out, "shared secret buffer")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agree(kx: &dyn KeyAgreement, private: &str, peer: &str) -> Result<String, Error> {
        let key = kx.private_key(&hex::decode(private).unwrap())?;
        let mut out = [0u8; 32];
        let n = key.agree(&hex::decode(peer).unwrap(), &mut out)?;
        Ok(hex::encode(&out[..n]))
    }

    // ref: https://www.rfc-editor.org/rfc/rfc7748#section-6.1
    // (the vectors themselves, RFC 5903 and generated keys are `backend::contract`'s)
    const ALICE: &str = "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a";

    #[test]
    fn x25519_rejects_low_order_points_and_bad_lengths() {
        // The all-zero point and the order-8 point 1 give an all-zero shared secret.
        assert_eq!(
            agree(&X25519_KX, ALICE, &"00".repeat(32)),
            Err(Error::Crypto)
        );
        assert_eq!(
            agree(&X25519_KX, ALICE, &format!("01{}", "00".repeat(31))),
            Err(Error::Crypto)
        );
        assert!(matches!(
            agree(&X25519_KX, ALICE, &"09".repeat(31)),
            Err(Error::BadLength(_))
        ));
        assert!(X25519_KX.private_key(&[1; 31]).is_err());
    }

    // ref: https://datatracker.ietf.org/doc/html/rfc5903#section-8.1 (256-bit random ECP group)
    const I: &str = "c88f01f510d9ac3f70a292daa2316de544e9aab8afe84049c62a9c57862d1433";
    const GR_X: &str = "d12dfb5289c8d4f81208b70270398c342296970a0bccb74c736fc7554494bf63";
    const GR_Y: &str = "56fbf3ca366cc23e8157854c13c58d6aac23f046ada30f8353e74f33039872ab";

    #[test]
    fn ecdh_p256_rejects_invalid_points_and_scalars() {
        let mut off_curve = format!("04{GR_X}{GR_Y}");
        off_curve.replace_range(128.., "ac");
        assert_eq!(agree(&ECDH_P256, I, &off_curve), Err(Error::Crypto));
        // The identity has no affine encoding; 0x00 || zeros is rejected as a point.
        assert_eq!(agree(&ECDH_P256, I, &"00".repeat(65)), Err(Error::Crypto));
        let compressed = format!("03{GR_X}");
        assert!(matches!(
            agree(&ECDH_P256, I, &compressed),
            Err(Error::BadLength(_))
        ));
        assert!(matches!(
            ECDH_P256.private_key(&[0; 32]),
            Err(Error::KeyRejected(_))
        ));
        assert!(matches!(
            ECDH_P256.private_key(&[0xff; 32]),
            Err(Error::KeyRejected(_))
        ));
        assert!(matches!(
            ECDH_P256.private_key(&[1; 31]),
            Err(Error::BadLength(_))
        ));
    }
}
