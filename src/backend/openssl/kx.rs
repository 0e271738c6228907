//! X25519 and ECDH P-256 through `EVP_PKEY_derive` (`openssl::derive::Deriver`).
//!
//! The private key and its encoded public key are prepared once; each agreement wraps the
//! peer's point in an `EVP_PKEY` (P-256: `EC_POINT_oct2point`, which rejects points off the
//! curve, then `EC_KEY_check_key`) and derives into the caller's buffer.

use openssl::bn::{BigNum, BigNumContext};
use openssl::derive::Deriver;
use openssl::ec::{EcGroup, EcKey, EcPoint, PointConversionForm};
use openssl::nid::Nid;
use openssl::pkey::{HasPublic, Id, PKey, Private};
use subtle::ConstantTimeEq;

use super::crypto;
use crate::backend::{AgreementKey, Error, KeyAgreement, KeyAgreementId};

/// One key agreement of this backend.
pub(super) struct OpensslKx(KeyAgreementId);

/// X25519.
pub(super) static X25519: OpensslKx = OpensslKx(KeyAgreementId::X25519);
/// ECDH P-256.
pub(super) static ECDH_P256: OpensslKx = OpensslKx(KeyAgreementId::EcdhP256);

const SECRET_LEN: usize = 32;
const X25519_LEN: usize = 32;
const P256_POINT_LEN: usize = 65;
// ref: SEC 1 v2 §2.3.3 (uncompressed point prefix)
const UNCOMPRESSED: u8 = 0x04;

impl KeyAgreement for OpensslKx {
    fn id(&self) -> KeyAgreementId {
        self.0
    }

    fn generate(&self) -> Result<Box<dyn AgreementKey>, Error> {
        match self.0 {
            KeyAgreementId::X25519 => x25519_key(PKey::generate_x25519().map_err(crypto)?),
            KeyAgreementId::EcdhP256 => {
                let group = p256()?;
                let key = EcKey::generate(&group).map_err(crypto)?;
                p256_key(group, key)
            }
        }
    }

    fn private_key(&self, scalar: &[u8]) -> Result<Box<dyn AgreementKey>, Error> {
        if scalar.len() != 32 {
            return Err(Error::KeyRejected("private scalar must be 32 bytes"));
        }
        match self.0 {
            KeyAgreementId::X25519 => x25519_key(
                PKey::private_key_from_raw_bytes(scalar, Id::X25519)
                    .map_err(|_| Error::KeyRejected("X25519 private key"))?,
            ),
            KeyAgreementId::EcdhP256 => {
                let rejected = |_| Error::KeyRejected("P-256 scalar must be in [1, n-1]");
                let group = p256()?;
                let mut d = BigNum::from_slice(scalar).map_err(crypto)?;
                d.set_const_time();
                let mut ctx = BigNumContext::new().map_err(crypto)?;
                let mut public = EcPoint::new(&group).map_err(crypto)?;
                public
                    .mul_generator2(&group, &d, &mut ctx)
                    .map_err(rejected)?;
                let key = EcKey::from_private_components(&group, &d, &public).map_err(rejected)?;
                key.check_key().map_err(rejected)?;
                p256_key(group, key)
            }
        }
    }
}

fn p256() -> Result<EcGroup, Error> {
    EcGroup::from_curve_name(Nid::X9_62_PRIME256V1).map_err(crypto)
}

fn x25519_key(pkey: PKey<Private>) -> Result<Box<dyn AgreementKey>, Error> {
    let raw = pkey.raw_public_key().map_err(crypto)?;
    let public = <[u8; X25519_LEN]>::try_from(raw.as_slice()).map_err(crypto)?;
    Ok(Box::new(X25519Key { pkey, public }))
}

fn p256_key(group: EcGroup, key: EcKey<Private>) -> Result<Box<dyn AgreementKey>, Error> {
    let mut ctx = BigNumContext::new().map_err(crypto)?;
    let point = key
        .public_key()
        .to_bytes(&group, PointConversionForm::UNCOMPRESSED, &mut ctx)
        .map_err(crypto)?;
    let public = <[u8; P256_POINT_LEN]>::try_from(point.as_slice()).map_err(crypto)?;
    let pkey = PKey::from_ec_key(key).map_err(crypto)?;
    Ok(Box::new(P256Key {
        pkey,
        group,
        public,
    }))
}

/// Copies `public` into the front of `out`.
fn write_public(public: &[u8], out: &mut [u8]) -> Result<usize, Error> {
    out.get_mut(..public.len())
        .ok_or(Error::BadLength("public key buffer too short"))?
        .copy_from_slice(public);
    Ok(public.len())
}

struct X25519Key {
    pkey: PKey<Private>,
    public: [u8; X25519_LEN],
}

impl AgreementKey for X25519Key {
    fn public_key(&self, out: &mut [u8]) -> Result<usize, Error> {
        write_public(&self.public, out)
    }

    fn agree(&self, peer_public: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let out = out
            .get_mut(..SECRET_LEN)
            .ok_or(Error::BadLength("shared secret buffer too short"))?;
        if peer_public.len() != X25519_LEN {
            return Err(Error::BadLength("X25519 public key must be 32 bytes"));
        }
        let peer = PKey::public_key_from_raw_bytes(peer_public, Id::X25519).map_err(crypto)?;
        let n = derive(&self.pkey, &peer, out)?;
        // ref: RFC 7748 §6.1 (check for the all-zero value)
        if bool::from(out.ct_eq(&[0u8; SECRET_LEN])) {
            return Err(Error::Crypto);
        }
        Ok(n)
    }
}

struct P256Key {
    pkey: PKey<Private>,
    group: EcGroup,
    public: [u8; P256_POINT_LEN],
}

impl AgreementKey for P256Key {
    fn public_key(&self, out: &mut [u8]) -> Result<usize, Error> {
        write_public(&self.public, out)
    }

    fn agree(&self, peer_public: &[u8], out: &mut [u8]) -> Result<usize, Error> {
        let out = out
            .get_mut(..SECRET_LEN)
            .ok_or(Error::BadLength("shared secret buffer too short"))?;
        if peer_public.len() != P256_POINT_LEN {
            return Err(Error::BadLength("P-256 public key must be a 65-byte point"));
        }
        if peer_public.first() != Some(&UNCOMPRESSED) {
            return Err(Error::Crypto);
        }
        let mut ctx = BigNumContext::new().map_err(crypto)?;
        let point = EcPoint::from_bytes(&self.group, peer_public, &mut ctx).map_err(crypto)?;
        let key = EcKey::from_public_key(&self.group, &point).map_err(crypto)?;
        key.check_key().map_err(crypto)?;
        let peer = PKey::from_ec_key(key).map_err(crypto)?;
        derive(&self.pkey, &peer, out)
    }
}

/// Derives the shared secret of `own` and `peer` into `out` (exactly the secret's
/// length); wipes `out` on failure.
fn derive<T: HasPublic>(
    own: &PKey<Private>,
    peer: &PKey<T>,
    out: &mut [u8],
) -> Result<usize, Error> {
    let result = Deriver::new(own).and_then(|mut d| {
        d.set_peer(peer)?;
        d.derive(out)
    });
    match result {
        Ok(SECRET_LEN) => Ok(SECRET_LEN),
        _ => {
            out.fill(0);
            Err(Error::Crypto)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }

    // RFC 7748, RFC 5903 and generated keys are `backend::contract`'s.

    #[test]
    fn x25519_low_order_points_give_an_error() {
        let key = X25519.generate().unwrap();
        let mut out = [0xffu8; 32];
        // ref: RFC 7748 §7 / cr.yp.to/ecdh.html#validate (points of order 1, 2, 4 and 8)
        for point in [
            "0000000000000000000000000000000000000000000000000000000000000000",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",
        ] {
            assert_eq!(
                key.agree(&unhex(point), &mut out),
                Err(Error::Crypto),
                "{point}"
            );
            assert_eq!(out, [0u8; 32]);
        }
        assert!(matches!(
            key.agree(&[9; 31], &mut out),
            Err(Error::BadLength(_))
        ));
    }

    #[test]
    fn ecdh_p256_nist_cavs_count_0() {
        // ref: NIST CAVS 14.1 KAS_ECC_CDH_PrimitiveTest.txt [P-256] COUNT = 0
        let key = ECDH_P256
            .private_key(&unhex(
                "7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534",
            ))
            .unwrap();
        let mut public = [0u8; 65];
        assert_eq!(key.public_key(&mut public), Ok(65));
        assert_eq!(
            hex::encode(public),
            "04ead218590119e8876b29146ff89ca61770c4edbbf97d38ce385ed281d8a6b230\
             28af61281fd35e2fa7002523acc85a429cb06ee6648325389f59edfce1405141"
        );
        let peer = unhex(
            "04700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287\
             db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac",
        );
        let mut z = [0u8; 32];
        assert_eq!(key.agree(&peer, &mut z), Ok(32));
        assert_eq!(
            hex::encode(z),
            "46fc62106420ff012e54a434fbdd2d25ccc5852060561e68040dd7778997bd7b"
        );
        // A point off the curve, a compressed point and a short buffer are rejected.
        let mut off = peer.clone();
        off[64] ^= 1;
        assert_eq!(key.agree(&off, &mut z), Err(Error::Crypto));
        let mut hybrid = peer.clone();
        hybrid[0] = 0x07;
        assert_eq!(key.agree(&hybrid, &mut z), Err(Error::Crypto));
        assert!(matches!(
            key.agree(&peer[..33], &mut z),
            Err(Error::BadLength(_))
        ));
        assert!(matches!(
            key.agree(&peer, &mut z[..31]),
            Err(Error::BadLength(_))
        ));
    }

    #[test]
    fn bad_scalars_are_rejected() {
        let n = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
        for scalar in [&"00".repeat(32)[..], n, &"ff".repeat(32)] {
            assert!(
                matches!(
                    ECDH_P256.private_key(&unhex(scalar)),
                    Err(Error::KeyRejected(_))
                ),
                "{scalar}"
            );
        }
        assert!(matches!(
            X25519.private_key(&[1; 31]),
            Err(Error::KeyRejected(_))
        ));
    }
}
