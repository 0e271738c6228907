//! COSE_Key (RFC 9052 §7, RFC 9053 §7): the public keys key agreement puts in headers.
//!
//! ```cddl
//! COSE_Key = { 1 => tstr / int,          ; kty
//!              ? 2 => bstr,              ; kid
//!              ? 3 => tstr / int,        ; alg
//!              * label => values }       ; per key type: -1 crv / k, -2 x, -3 y, -4 d
//! ```
//! [`write_agreement_public`] writes the two public keys the profile sends (OKP X25519,
//! EC2 P-256 uncompressed); [`decode`] reads any OKP, EC2 or Symmetric COSE_Key in
//! deterministic encoding, and [`CoseKey::agreement_public`] turns it into the raw public
//! key the backends' key agreement takes. Profile rules (which parameters may appear,
//! X25519's top bit) are the caller's.

use super::cbor::{
    CborError, MAJOR_BSTR, MAJOR_MAP, MAJOR_TSTR, Overflow, Reader, Writer, label_rank,
};
use super::iana::*;
use crate::backend::KeyAgreementId;

/// COSE curve value of a key-agreement scheme and its key type.
pub const fn agreement_curve(id: KeyAgreementId) -> (i64, i64) {
    match id {
        KeyAgreementId::X25519 => (KTY_OKP, CRV_X25519),
        KeyAgreementId::EcdhP256 => (KTY_EC2, CRV_P256),
    }
}

/// Writes a public COSE_Key: OKP `{1: 1, -1: 4, -2: x}` or EC2 `{1: 2, -1: 1, -2: x, -3: y}`
/// from the backend's raw public key (X25519 32 bytes, P-256 the 65-byte uncompressed point).
pub fn write_agreement_public(
    w: &mut Writer<'_>,
    id: KeyAgreementId,
    public: &[u8],
) -> Result<(), Overflow> {
    let (kty, crv) = agreement_curve(id);
    match id {
        KeyAgreementId::X25519 => {
            w.head(MAJOR_MAP, 3)?;
            w.int(KEY_KTY)?;
            w.int(kty)?;
            w.int(KEY_CRV)?;
            w.int(crv)?;
            w.int(KEY_X)?;
            w.bstr(public)
        }
        KeyAgreementId::EcdhP256 => {
            let (x, y) = public
                .get(1..)
                .ok_or(Overflow)?
                .split_at_checked(32)
                .ok_or(Overflow)?;
            w.head(MAJOR_MAP, 4)?;
            w.int(KEY_KTY)?;
            w.int(kty)?;
            w.int(KEY_CRV)?;
            w.int(crv)?;
            w.int(KEY_X)?;
            w.bstr(x)?;
            w.int(KEY_Y)?;
            w.bstr(y)
        }
    }
}

/// Why a COSE_Key was not decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// Not well-formed deterministic-head CBOR, or a parameter of the wrong CBOR type.
    #[error("COSE_Key: {0}")]
    Cbor(#[from] CborError),
    /// A label appears twice.
    #[error("COSE_Key label {0} appears twice")]
    Duplicate(i64),
    /// A key that is not what the caller needs (type, curve, sizes), with the reason.
    #[error("COSE_Key: {0}")]
    Shape(&'static str),
    /// A P-256 point sent compressed (`y` is a sign bit): the backends take
    /// uncompressed points.
    #[error("compressed P-256 point: the key-agreement interface takes uncompressed points")]
    Compressed,
}

/// The `y` parameter of an EC2 key: a coordinate or the sign bit of a compressed point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EcY<'a> {
    /// The y coordinate.
    Coordinate(&'a [u8]),
    /// Compressed point: the sign of y.
    Sign(bool),
}

/// A decoded OKP, EC2 or Symmetric COSE_Key; parameters borrow from the input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CoseKey<'a> {
    /// `kty`.
    pub kty: i64,
    /// `kid`.
    pub kid: Option<&'a [u8]>,
    /// `alg` (integer values only).
    pub alg: Option<i64>,
    /// `crv` (OKP, EC2).
    pub crv: Option<i64>,
    /// `x` (OKP, EC2).
    pub x: Option<&'a [u8]>,
    /// `y` (EC2).
    pub y: Option<EcY<'a>>,
    /// `d`: the private key (OKP, EC2).
    pub d: Option<&'a [u8]>,
    /// `k`: the key value (Symmetric).
    pub k: Option<&'a [u8]>,
    /// How many parameters the map holds (labels not listed above are skipped).
    pub params: u64,
    /// Whether the labels are in deterministic order (RFC 8949 §4.2.1). RFC 9052 does
    /// not require it of a COSE_Key; a profile may.
    pub deterministic: bool,
}

/// Most parameters [`decode`] accepts in one key.
pub const MAX_PARAMS: usize = 16;

/// Reads one COSE_Key map with integer labels, in any order without duplicates.
/// Parameters of a known label must have their registered CBOR type; others are skipped.
pub fn decode<'a>(r: &mut Reader<'a>) -> Result<CoseKey<'a>, KeyError> {
    let pairs = r.map()?;
    // First pass: the labels (for duplicates and order) and `kty`, which the meaning of
    // the negative labels depends on.
    let mut scan = r.clone();
    let mut labels = [0i64; MAX_PARAMS];
    let mut kty = None;
    let mut deterministic = true;
    for i in 0..usize::try_from(pairs).unwrap_or(usize::MAX) {
        let label = scan.label()?;
        let seen = labels
            .get(..i)
            .ok_or(KeyError::Shape("too many parameters"))?;
        if seen.contains(&label) {
            return Err(KeyError::Duplicate(label));
        }
        if seen
            .last()
            .is_some_and(|&p| label_rank(p) >= label_rank(label))
        {
            deterministic = false;
        }
        *labels
            .get_mut(i)
            .ok_or(KeyError::Shape("too many parameters"))? = label;
        if label == KEY_KTY {
            kty = Some(scan.int()?);
        } else {
            scan.skip()?;
        }
    }
    let kty = kty.ok_or(KeyError::Shape("no kty"))?;
    let mut key = CoseKey {
        kty,
        params: pairs,
        deterministic,
        ..CoseKey::default()
    };
    for _ in 0..pairs {
        match (r.label()?, kty) {
            (KEY_KTY, _) => {
                r.int()?;
            }
            (KEY_KID, _) => key.kid = Some(r.bstr()?),
            (KEY_ALG, _) if r.peek_major()? != MAJOR_TSTR => key.alg = Some(r.int()?),
            (KEY_CRV, KTY_OKP | KTY_EC2) => key.crv = Some(r.int()?),
            (KEY_X, KTY_OKP | KTY_EC2) => key.x = Some(r.bstr()?),
            (KEY_Y, KTY_EC2) => {
                key.y = Some(if r.peek_major()? == MAJOR_BSTR {
                    EcY::Coordinate(r.bstr()?)
                } else {
                    EcY::Sign(r.bool()?)
                })
            }
            (KEY_D, KTY_OKP | KTY_EC2) => key.d = Some(r.bstr()?),
            (KEY_K, KTY_SYMMETRIC) => key.k = Some(r.bstr()?),
            _ => r.skip()?,
        }
    }
    Ok(key)
}

impl CoseKey<'_> {
    /// The raw public key for the backend's key agreement `id`: X25519 the 32-byte `x`,
    /// P-256 the uncompressed point `04 || x || y`.
    pub fn agreement_public(&self, id: KeyAgreementId) -> Result<Vec<u8>, KeyError> {
        let (kty, crv) = agreement_curve(id);
        if self.kty != kty || self.crv != Some(crv) {
            return Err(KeyError::Shape(match id {
                KeyAgreementId::X25519 => "not an OKP X25519 key",
                KeyAgreementId::EcdhP256 => "not an EC2 P-256 key",
            }));
        }
        let x = self
            .x
            .filter(|x| x.len() == 32)
            .ok_or(KeyError::Shape("x is not 32 bytes"))?;
        match (id, self.y) {
            (KeyAgreementId::X25519, _) => Ok(x.to_vec()),
            (KeyAgreementId::EcdhP256, Some(EcY::Coordinate(y))) if y.len() == 32 => {
                Ok([&[0x04][..], x, y].concat())
            }
            (KeyAgreementId::EcdhP256, Some(EcY::Sign(_))) => Err(KeyError::Compressed),
            (KeyAgreementId::EcdhP256, _) => Err(KeyError::Shape("y is not 32 bytes")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use coset::{CborSerializable, CoseKeyBuilder, iana::EllipticCurve};

    #[test]
    fn written_keys_match_coset_and_decode_back() {
        let x = [7u8; 32];
        let y = [9u8; 32];
        let point = [&[4u8][..], &x, &y].concat();
        for (id, public, theirs) in [
            (
                KeyAgreementId::X25519,
                x.to_vec(),
                CoseKeyBuilder::new_okp_key()
                    .param(KEY_CRV, ciborium::Value::from(CRV_X25519))
                    .param(KEY_X, ciborium::Value::Bytes(x.to_vec()))
                    .build(),
            ),
            (
                KeyAgreementId::EcdhP256,
                point.clone(),
                CoseKeyBuilder::new_ec2_pub_key(EllipticCurve::P_256, x.to_vec(), y.to_vec())
                    .build(),
            ),
        ] {
            let ours = super::super::cbor::to_vec(128, |w| write_agreement_public(w, id, &public))
                .unwrap();
            assert_eq!(ours, theirs.to_vec().unwrap());
            let mut r = Reader::new(&ours);
            let key = decode(&mut r).unwrap();
            r.finish().unwrap();
            assert_eq!(key.agreement_public(id).unwrap(), public);
        }
    }

    #[test]
    fn decode_takes_any_order_rejects_duplicates_and_reads_compressed_points() {
        // {-1: 4, 1: 1}: out of order, OKP X25519.
        let key = decode(&mut Reader::new(&[0xa2, 0x20, 0x04, 0x01, 0x01])).unwrap();
        assert_eq!(
            (key.kty, key.crv, key.deterministic),
            (KTY_OKP, Some(4), false)
        );
        assert_eq!(
            decode(&mut Reader::new(&[0xa2, 0x01, 0x01, 0x01, 0x01])),
            Err(KeyError::Duplicate(1))
        );
        // {1: 2, -1: 1, -2: h'00'*32, -3: true}
        let mut bytes = vec![0xa4, 0x01, 0x02, 0x20, 0x01, 0x21, 0x58, 0x20];
        bytes.extend_from_slice(&[0u8; 32]);
        bytes.extend_from_slice(&[0x22, 0xf5]);
        let key = decode(&mut Reader::new(&bytes)).unwrap();
        assert_eq!(key.y, Some(EcY::Sign(true)));
        assert_eq!(
            key.agreement_public(KeyAgreementId::EcdhP256),
            Err(KeyError::Compressed)
        );
        assert!(key.agreement_public(KeyAgreementId::X25519).is_err());
    }
}
