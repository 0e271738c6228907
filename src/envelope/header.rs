//! Protected and unprotected headers of the profile.
//!
//! ```cddl
//! protected-header = {
//!   ? 1 => int,              ; alg (absent only in a plain message)
//!   ? 3 => 18,               ; content type: the plaintext is a COSE_Sign1 (sign-encrypt)
//!   ? 4 => bstr,             ; kid          \
//!   15 => {                  ; CWT claims    |
//!     6 => uint,             ;   iat         |  at most one sender identity:
//!     7 => bstr .size 12,    ;   cti         |  kid, x5chain, x5t or the sender's SPKI
//!   },                       ;               |
//!   ? 33 => bstr,            ; x5chain (one DER certificate)
//!   ? 34 => [-16, bstr .size 32], ; x5t (SHA-256)
//!   -65537 => tstr,          ; RPC method
//!   ? -65538 => bstr,        ; sender SPKI (key learning)  /
//! }
//! ```
//! Keys appear in this (deterministic) order; anything else is rejected.

use super::error::EnvelopeError;
use crate::cose::cbor::{MAJOR_MAP, Overflow, Reader, Writer, label_rank};
use crate::cose::iana::*;

/// Private-use header label: the RPC method name (tstr). Authenticated (protected only).
/// ref: RFC 9052 §3 (labels below -65536 are reserved for private use)
pub const HDR_RPC_METHOD: i64 = -65537;
/// Private-use header label: the sender's public key as SubjectPublicKeyInfo DER (bstr),
/// for key learning. Authenticated (protected only).
pub const HDR_SENDER_SPKI: i64 = -65538;

/// Longest RPC method name, in bytes.
pub const MAX_METHOD_LEN: usize = 255;
/// Longest kid, in bytes.
pub const MAX_KID_LEN: usize = 64;

/// How the sender identifies itself in the protected header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderId<'a> {
    /// A key id looked up in the receiver's trust store.
    Kid(&'a [u8]),
    /// The SHA-256 thumbprint of the sender's certificate (RFC 9360 `x5t`).
    X5t(&'a [u8; 32]),
    /// The sender's whole certificate (RFC 9360 `x5chain`, one DER certificate).
    X5chain(&'a [u8]),
    /// The sender's public key (SPKI DER), for key learning.
    Spki(&'a [u8]),
}

/// The protected header of every message of the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Protected<'a> {
    /// COSE algorithm; `None` only for a plain message.
    pub alg: Option<i64>,
    /// Sender identity.
    pub sender: Option<SenderId<'a>>,
    /// CWT `iat`, seconds since the epoch.
    pub iat: u64,
    /// CWT `cti`: 4-byte stream prefix and 8-byte counter.
    pub cti: &'a [u8],
    /// RPC method.
    pub method: &'a str,
    /// Whether the content is a nested COSE_Sign1 (content type 18).
    pub nested: bool,
    /// CWT `iss`: the sending node's name (see `audience.rs`), as the text's bytes.
    pub iss: Option<&'a [u8]>,
    /// CWT `aud`: the encoded audience value (a name or an array of names).
    pub aud: Option<&'a [u8]>,
}

/// CoAP Content-Format of `application/cose; cose-type="cose-sign1"`. ref: RFC 9052 §11.2
pub const CONTENT_TYPE_COSE_SIGN1: u64 = 18;
/// Header label `content type`. ref: RFC 9052 §3.1
pub const HDR_CONTENT_TYPE: i64 = 3;

impl<'a> Protected<'a> {
    /// Writes the header map.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), Overflow> {
        let pairs = 2
            + u64::from(self.alg.is_some())
            + u64::from(self.sender.is_some())
            + u64::from(self.nested);
        w.head(MAJOR_MAP, pairs)?;
        if let Some(alg) = self.alg {
            w.int(HDR_ALG)?;
            w.int(alg)?;
        }
        if self.nested {
            w.int(HDR_CONTENT_TYPE)?;
            w.head(crate::cose::cbor::MAJOR_UINT, CONTENT_TYPE_COSE_SIGN1)?;
        }
        if let Some(SenderId::Kid(kid)) = self.sender {
            w.int(HDR_KID)?;
            w.bstr(kid)?;
        }
        w.int(HDR_CWT_CLAIMS)?;
        w.head(
            MAJOR_MAP,
            2 + u64::from(self.iss.is_some()) + u64::from(self.aud.is_some()),
        )?;
        if let Some(iss) = self.iss {
            w.int(CWT_ISS)?;
            w.head(crate::cose::cbor::MAJOR_TSTR, iss.len() as u64)?;
            w.raw(iss)?;
        }
        if let Some(aud) = self.aud {
            w.int(CWT_AUD)?;
            w.raw(aud)?;
        }
        w.int(CWT_IAT)?;
        w.head(crate::cose::cbor::MAJOR_UINT, self.iat)?;
        w.int(CWT_CTI)?;
        w.bstr(self.cti)?;
        match self.sender {
            Some(SenderId::X5chain(cert)) => {
                w.int(HDR_X5CHAIN)?;
                w.bstr(cert)?;
            }
            Some(SenderId::X5t(hash)) => {
                w.int(HDR_X5T)?;
                w.head(crate::cose::cbor::MAJOR_ARRAY, 2)?;
                w.int(ALG_SHA_256)?;
                w.bstr(hash)?;
            }
            _ => {}
        }
        w.int(HDR_RPC_METHOD)?;
        w.tstr(self.method)?;
        if let Some(SenderId::Spki(spki)) = self.sender {
            w.int(HDR_SENDER_SPKI)?;
            w.bstr(spki)?;
        }
        Ok(())
    }

    /// An upper bound of the encoded length for a sender identity of `sender_len` bytes
    /// and `claims_len` bytes of `iss` and `aud` (encoded values).
    pub const fn max_len(sender_len: usize, claims_len: usize) -> usize {
        // map head, alg, kid/x5t/x5chain/spki label + head, claims, method label + head.
        1 + 10
            + 2
            + (6 + 9 + 4 + sender_len)
            + (1 + 1 + 1 + 9 + 1 + 1 + 12)
            + (2 + claims_len)
            + (5 + 3 + MAX_METHOD_LEN)
    }

    /// Parses a protected header strictly.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, EnvelopeError> {
        Self::parse_with_layout(bytes).map(|(p, _)| p)
    }

    /// Parses a protected header strictly, and says where its `iat` and `cti` values lie
    /// (for [`super::template::Templates`]).
    pub fn parse_with_layout(bytes: &'a [u8]) -> Result<(Self, Layout), EnvelopeError> {
        let mut layout = Layout::default();
        let mut r = Reader::new(bytes);
        let pairs = r.map()?;
        let mut out = Protected {
            alg: None,
            sender: None,
            iat: 0,
            cti: &[],
            method: "",
            nested: false,
            iss: None,
            aud: None,
        };
        let (mut claims, mut method) = (false, false);
        let mut prev = None;
        for _ in 0..pairs {
            let label = r.label()?;
            check_order(&mut prev, label)?;
            match label {
                HDR_ALG => out.alg = Some(r.int()?),
                HDR_CRIT => return Err(EnvelopeError::CriticalHeader),
                HDR_CONTENT_TYPE => {
                    if r.uint()? != CONTENT_TYPE_COSE_SIGN1 {
                        return Err(EnvelopeError::BadHeader(
                            "content type must be 18 (cose-sign1)",
                        ));
                    }
                    out.nested = true;
                }
                HDR_KID => set_sender(&mut out.sender, SenderId::Kid(r.bstr()?))?,
                HDR_CWT_CLAIMS => {
                    parse_claims(&mut r, &mut out, &mut layout)?;
                    claims = true;
                }
                HDR_X5CHAIN => set_sender(&mut out.sender, SenderId::X5chain(r.bstr()?))?,
                HDR_X5T => {
                    if r.array()? != 2 || r.int()? != ALG_SHA_256 {
                        return Err(EnvelopeError::BadHeader(
                            "x5t must be [-16 (SHA-256), hash]",
                        ));
                    }
                    let hash = r
                        .bstr()?
                        .try_into()
                        .map_err(|_| EnvelopeError::BadHeader("x5t hash length"))?;
                    set_sender(&mut out.sender, SenderId::X5t(hash))?;
                }
                HDR_RPC_METHOD => {
                    out.method = r.tstr()?;
                    if out.method.len() > MAX_METHOD_LEN {
                        return Err(EnvelopeError::BadHeader(
                            "method name longer than 255 bytes",
                        ));
                    }
                    method = true;
                }
                HDR_SENDER_SPKI => set_sender(&mut out.sender, SenderId::Spki(r.bstr()?))?,
                HDR_IV => {
                    return Err(EnvelopeError::BadHeader(
                        "IV belongs in the unprotected header",
                    ));
                }
                other => return Err(EnvelopeError::UnknownHeader(other)),
            }
        }
        r.finish()?;
        if !claims {
            return Err(EnvelopeError::Missing("CWT claims (iat, cti)"));
        }
        if !method {
            return Err(EnvelopeError::Missing("RPC method"));
        }
        if let Some(SenderId::Kid(kid)) = out.sender
            && kid.len() > MAX_KID_LEN
        {
            return Err(EnvelopeError::BadHeader("kid longer than 64 bytes"));
        }
        Ok((out, layout))
    }
}

/// Where the per-message values of a protected header lie: the `iat` item (head and
/// value) and the `cti` bytes. Everything else is the same in every message of a sealer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// The encoded `iat` (head byte and value bytes).
    pub iat: std::ops::Range<usize>,
    /// The 12 `cti` bytes.
    pub cti: std::ops::Range<usize>,
}

fn set_sender<'a>(slot: &mut Option<SenderId<'a>>, id: SenderId<'a>) -> Result<(), EnvelopeError> {
    match slot.replace(id) {
        None => Ok(()),
        Some(_) => Err(EnvelopeError::BadHeader("more than one sender identity")),
    }
}

/// Requires integer map keys in strictly increasing deterministic order (which also
/// excludes duplicates; see [`label_rank`]).
#[inline]
pub(crate) fn check_order(prev: &mut Option<u128>, label: i64) -> Result<(), EnvelopeError> {
    let rank = label_rank(label);
    if prev.is_some_and(|p| p >= rank) {
        return Err(EnvelopeError::HeaderOrder);
    }
    *prev = Some(rank);
    Ok(())
}

/// Parses the CWT claims `{ ? 1: iss, ? 3: aud, 6: iat, 7: cti }` into `out`.
fn parse_claims<'a>(
    r: &mut Reader<'a>,
    out: &mut Protected<'a>,
    layout: &mut Layout,
) -> Result<(), EnvelopeError> {
    const SHAPE: &str = "CWT claims must be { ? 1: iss, ? 3: aud, 6: iat, 7: cti }";
    let pairs = r.map()?;
    if !(2..=4).contains(&pairs) {
        return Err(EnvelopeError::BadHeader(SHAPE));
    }
    let mut prev = None;
    let (mut iat, mut cti) = (false, false);
    for _ in 0..pairs {
        let label = r.label()?;
        check_order(&mut prev, label)?;
        match label {
            CWT_ISS => {
                let iss = r.tstr_bytes()?;
                super::audience::check_name(iss)?;
                out.iss = Some(iss);
            }
            CWT_AUD => out.aud = Some(super::audience::parse_aud(r)?),
            CWT_IAT => {
                let at = r.pos();
                out.iat = r
                    .uint()
                    .map_err(|_| EnvelopeError::BadHeader("iat must be an unsigned integer"))?;
                layout.iat = at..r.pos();
                iat = true;
            }
            CWT_CTI => {
                let range = r.bstr_range()?;
                layout.cti = range.clone();
                let v = r
                    .input()
                    .get(range)
                    .ok_or(EnvelopeError::BadHeader("cti"))?;
                if v.len() != super::replay::CTI_LEN {
                    return Err(EnvelopeError::BadHeader("cti must be 12 bytes"));
                }
                out.cti = v;
                cti = true;
            }
            _ => return Err(EnvelopeError::BadHeader(SHAPE)),
        }
    }
    if !(iat && cti) {
        return Err(EnvelopeError::BadHeader(SHAPE));
    }
    Ok(())
}

/// Parses an unprotected header that must hold exactly `{5: iv}` with a 12-byte IV
/// (`expect_iv`), or be empty.
pub fn parse_unprotected<'a>(
    r: &mut Reader<'a>,
    expect_iv: bool,
) -> Result<Option<&'a [u8]>, EnvelopeError> {
    let pairs = r.map()?;
    let mut iv = None;
    for _ in 0..pairs {
        match r.label()? {
            HDR_IV if expect_iv && iv.is_none() => {
                let v = r.bstr()?;
                if v.len() != 12 {
                    return Err(EnvelopeError::BadHeader("IV must be 12 bytes"));
                }
                iv = Some(v);
            }
            HDR_IV if iv.is_some() => return Err(EnvelopeError::HeaderOrder),
            l @ (HDR_ALG | HDR_CRIT | HDR_CONTENT_TYPE | HDR_KID | HDR_CWT_CLAIMS | HDR_X5CHAIN
            | HDR_X5T | HDR_RPC_METHOD | HDR_SENDER_SPKI) => {
                return Err(EnvelopeError::NotProtected(l));
            }
            other => return Err(EnvelopeError::UnknownHeader(other)),
        }
    }
    if expect_iv && iv.is_none() {
        return Err(EnvelopeError::Missing("IV"));
    }
    Ok(iv)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cose::cbor::CborError;
    use coset::{CborSerializable, HeaderBuilder, iana};

    const CTI: [u8; 12] = [0xa0, 0xa1, 0xa2, 0xa3, 0, 0, 0, 0, 0, 0, 0, 7];

    fn encode(p: &Protected<'_>) -> Vec<u8> {
        let mut buf = [0u8; 2048];
        let mut w = Writer::new(&mut buf);
        p.encode(&mut w).unwrap();
        w.written().to_vec()
    }

    #[test]
    fn kid_header_matches_coset_byte_for_byte_and_round_trips() {
        let p = Protected {
            alg: Some(ALG_A128GCM),
            sender: Some(SenderId::Kid(b"node-7")),
            iat: 1_764_000_000,
            cti: &CTI,
            method: "boot_vm",
            nested: false,
            iss: None,
            aud: None,
        };
        let ours = encode(&p);
        let claims = ciborium::Value::Map(vec![
            (
                ciborium::Value::from(CWT_IAT),
                ciborium::Value::from(1_764_000_000u64),
            ),
            (
                ciborium::Value::from(CWT_CTI),
                ciborium::Value::Bytes(CTI.to_vec()),
            ),
        ]);
        let header = HeaderBuilder::new()
            .algorithm(iana::Algorithm::A128GCM)
            .key_id(b"node-7".to_vec())
            .value(HDR_CWT_CLAIMS, claims)
            .value(HDR_RPC_METHOD, ciborium::Value::Text("boot_vm".into()))
            .build();
        let theirs = coset::ProtectedHeader {
            original_data: None,
            header,
        }
        .to_vec()
        .unwrap();
        assert_eq!(theirs, ours);
        assert_eq!(Protected::parse(&ours).unwrap(), p);
    }

    #[test]
    fn every_identity_round_trips() {
        let hash = [9u8; 32];
        for sender in [
            SenderId::X5t(&hash),
            SenderId::X5chain(&[1, 2, 3]),
            SenderId::Spki(&[4, 5]),
            SenderId::Kid(&[]),
        ] {
            let p = Protected {
                alg: Some(ALG_EDDSA),
                sender: Some(sender),
                iat: 5,
                cti: &CTI,
                method: "m",
                nested: true,
                iss: None,
                aud: None,
            };
            let bytes = encode(&p);
            assert_eq!(Protected::parse(&bytes), Ok(p), "{}", hex::encode(&bytes));
            assert!(encode(&p).len() <= Protected::max_len(32, 0));
        }
    }

    #[test]
    fn strictness() {
        let p = Protected {
            alg: Some(1),
            sender: Some(SenderId::Kid(b"k")),
            iat: 5,
            cti: &CTI,
            method: "m",
            nested: false,
            iss: None,
            aud: None,
        };
        let good = encode(&p);
        // kid before alg: out of order.
        let mut s2 = vec![good[0], 0x04, 0x41, b'k', 0x01, 0x01];
        s2.extend_from_slice(&good[6..]);
        assert_eq!(Protected::parse(&s2), Err(EnvelopeError::HeaderOrder));
        // A crit header.
        let mut crit = vec![0xa1 + (good[0] & 0x0f), 0x01, 0x01, 0x02, 0x80];
        crit.extend_from_slice(&good[3..]);
        assert_eq!(Protected::parse(&crit), Err(EnvelopeError::CriticalHeader));
        // Trailing bytes.
        let mut t = good.clone();
        t.push(0);
        assert!(matches!(
            Protected::parse(&t),
            Err(EnvelopeError::Malformed(CborError::Trailing(1)))
        ));
        // Missing method.
        let q = Protected { method: "", ..p };
        let e = encode(&q);
        let no_method = [&[e[0] - 1][..], &e[1..e.len() - 6]].concat();
        assert_eq!(
            Protected::parse(&no_method),
            Err(EnvelopeError::Missing("RPC method"))
        );
    }

    #[test]
    fn unprotected_alg_is_rejected() {
        let bytes = [0xa1, 0x01, 0x01];
        assert_eq!(
            parse_unprotected(&mut Reader::new(&bytes), true),
            Err(EnvelopeError::NotProtected(1))
        );
        let iv = [&[0xa1, 0x05, 0x4c][..], &[0u8; 12]].concat();
        assert_eq!(
            parse_unprotected(&mut Reader::new(&iv), true).unwrap(),
            Some(&[0u8; 12][..])
        );
        let short = [&[0xa1, 0x05, 0x4b][..], &[0u8; 11]].concat();
        assert!(parse_unprotected(&mut Reader::new(&short), true).is_err());
        assert_eq!(
            parse_unprotected(&mut Reader::new(&[0xa0]), true),
            Err(EnvelopeError::Missing("IV"))
        );
    }
}

#[cfg(test)]
mod order_tests {
    use super::*;

    #[test]
    fn rank_order_is_the_bytewise_order_of_encodings() {
        let labels = [
            0i64,
            1,
            23,
            24,
            255,
            256,
            65_535,
            65_536,
            -1,
            -24,
            -25,
            -256,
            -257,
            -65_537,
            -65_538,
            i64::MIN,
        ];
        let encode = |l: i64| {
            let mut buf = [0u8; 9];
            let mut w = Writer::new(&mut buf);
            w.int(l).unwrap();
            w.written().to_vec()
        };
        for &a in &labels {
            for &b in &labels {
                let mut prev = None;
                check_order(&mut prev, a).unwrap();
                let ours = check_order(&mut prev, b).is_ok();
                assert_eq!(ours, encode(a) < encode(b), "{a} then {b}");
            }
        }
    }
}
