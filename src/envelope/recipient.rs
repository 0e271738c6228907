//! The profile's COSE_Encrypt recipients: RSA-OAEP-256 key transport and ECDH-ES +
//! HKDF-256 direct key agreement (RFC 9052 §5.1, RFC 9053 §6.3, RFC 8230 §3).
//!
//! ```cddl
//! COSE_recipient = [ protected: bstr .cbor {1: -41 / -25}, unprotected: {4: kid, ? -1: COSE_Key},
//!                    ciphertext: bstr (the OAEP-encrypted content key; empty for ECDH-ES direct) ]
//! ```
//! ECDH-ES direct derives the content key itself, so RFC 9052 §8.5.4 allows it for exactly
//! one recipient; fan-out to several recipients uses RSA-OAEP (ECDH-ES + AES key wrap is
//! outside the primitive set sealbench measures). COSE_Key encoding and the
//! COSE_KDF_Context are the core's (`cose::key`, `cose::kdf`); what is here is the
//! profile's strictness: exactly these two algorithms, a kid, nothing else.

use super::error::EnvelopeError;
use super::header::check_order;
use crate::backend::KeyAgreementId;
use crate::cose::cbor::{MAJOR_ARRAY, MAJOR_MAP, Overflow, Reader, Writer};
use crate::cose::iana::*;
use crate::cose::key::{self, EcY, KeyError};
use crate::cose::message::{PROTECTED_ECDH_ES, PROTECTED_OAEP};

/// Writes one recipient.
pub fn write_recipient(
    w: &mut Writer<'_>,
    protected: &[u8],
    kid: &[u8],
    ephemeral: Option<(KeyAgreementId, &[u8])>,
    ciphertext: &[u8],
) -> Result<(), Overflow> {
    w.head(MAJOR_ARRAY, 3)?;
    w.bstr(protected)?;
    w.head(MAJOR_MAP, 1 + u64::from(ephemeral.is_some()))?;
    w.int(HDR_KID)?;
    w.bstr(kid)?;
    if let Some((id, public)) = ephemeral {
        w.int(HDR_EPHEMERAL_KEY)?;
        key::write_agreement_public(w, id, public)?;
    }
    w.bstr(ciphertext)
}

/// A parsed recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recipient<'a> {
    /// `alg`: -41 or -25.
    pub alg: i64,
    /// The recipient's kid.
    pub kid: &'a [u8],
    /// The sender's ephemeral public key (ECDH-ES), raw: X25519 32 bytes, P-256 65 bytes.
    pub ephemeral: Option<(KeyAgreementId, [u8; 65], usize)>,
    /// The encrypted content key (RSA-OAEP) or empty.
    pub ciphertext: &'a [u8],
}

impl Recipient<'_> {
    /// The ephemeral public key bytes.
    pub fn ephemeral_public(&self) -> Option<(KeyAgreementId, &[u8])> {
        let (id, bytes, n) = self.ephemeral.as_ref()?;
        Some((*id, bytes.get(..*n)?))
    }
}

/// Parses one recipient strictly.
pub fn parse_recipient<'a>(r: &mut Reader<'a>) -> Result<Recipient<'a>, EnvelopeError> {
    if r.array()? != 3 {
        return Err(EnvelopeError::WrongStructure(
            "COSE_recipient must have 3 elements",
        ));
    }
    let protected = r.bstr()?;
    let alg = match protected {
        p if p == PROTECTED_OAEP => ALG_RSAES_OAEP_SHA256,
        p if p == PROTECTED_ECDH_ES => ALG_ECDH_ES_HKDF_256,
        _ => {
            return Err(EnvelopeError::BadHeader(
                "recipient protected header must be {1: -41} or {1: -25}",
            ));
        }
    };
    let pairs = r.map()?;
    let (mut kid, mut ephemeral) = (None, None);
    let mut prev = None;
    for _ in 0..pairs {
        let label = r.label()?;
        check_order(&mut prev, label)?;
        match label {
            HDR_KID => kid = Some(r.bstr()?),
            HDR_EPHEMERAL_KEY if alg == ALG_ECDH_ES_HKDF_256 => {
                ephemeral = Some(parse_cose_key(r)?)
            }
            l @ (HDR_ALG | HDR_CRIT) => return Err(EnvelopeError::NotProtected(l)),
            other => return Err(EnvelopeError::UnknownHeader(other)),
        }
    }
    let kid = kid.ok_or(EnvelopeError::Missing("recipient kid"))?;
    if alg == ALG_ECDH_ES_HKDF_256 && ephemeral.is_none() {
        return Err(EnvelopeError::Missing("ephemeral key"));
    }
    let ciphertext = r.bstr()?;
    if alg == ALG_ECDH_ES_HKDF_256 && !ciphertext.is_empty() {
        return Err(EnvelopeError::BadHeader(
            "ECDH-ES direct recipient must have an empty ciphertext",
        ));
    }
    Ok(Recipient {
        alg,
        kid,
        ephemeral,
        ciphertext,
    })
}

fn parse_cose_key(r: &mut Reader<'_>) -> Result<(KeyAgreementId, [u8; 65], usize), EnvelopeError> {
    let bad = EnvelopeError::BadHeader(
        "ephemeral key must be an OKP X25519 or EC2 P-256 public COSE_Key",
    );
    let k = key::decode(r).map_err(|e| match e {
        KeyError::Cbor(c) => EnvelopeError::Malformed(c),
        KeyError::Duplicate(_) => EnvelopeError::HeaderOrder,
        KeyError::Shape(_) | KeyError::Compressed => bad.clone(),
    })?;
    if !k.deterministic {
        return Err(EnvelopeError::HeaderOrder);
    }
    // The profile's public keys carry kty, crv, x (and y) and nothing else.
    let only_public = k.kid.is_none() && k.alg.is_none() && k.d.is_none() && k.k.is_none();
    let mut out = [0u8; 65];
    match (k.kty, k.crv, k.x, k.y, k.params) {
        // RFC 7748 §5 makes receivers ignore bit 255; the profile requires it clear, so a
        // flipped top bit cannot pass unnoticed.
        (KTY_OKP, Some(CRV_X25519), Some(x), None, 3)
            if only_public && x.len() == 32 && x.last().is_some_and(|b| b & 0x80 == 0) =>
        {
            out.get_mut(..32).ok_or(bad)?.copy_from_slice(x);
            Ok((KeyAgreementId::X25519, out, 32))
        }
        (KTY_EC2, Some(CRV_P256), Some(x), Some(EcY::Coordinate(y)), 4)
            if only_public && x.len() == 32 && y.len() == 32 =>
        {
            out = [4u8; 65];
            out.get_mut(1..33).ok_or(bad.clone())?.copy_from_slice(x);
            out.get_mut(33..65).ok_or(bad)?.copy_from_slice(y);
            Ok((KeyAgreementId::EcdhP256, out, 65))
        }
        _ => Err(bad),
    }
}

/// Upper bound of one recipient's encoded size with a kid of `kid_len` bytes.
pub const fn max_recipient_len(kid_len: usize) -> usize {
    1 + 5 + 1 + 1 + 9 + kid_len + 1 + 3 + 1 + 1 + 1 + 1 + 1 + 35 + 1 + 35 + 3 + 512
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_round_trip() {
        let mut buf = [0u8; 512];
        let mut point = [7u8; 65];
        point[0] = 4;
        for (prot, eph, ct) in [
            (&PROTECTED_OAEP[..], None, &[1u8; 256][..]),
            (
                &PROTECTED_ECDH_ES[..],
                Some((KeyAgreementId::EcdhP256, &point[..])),
                &[][..],
            ),
            (
                &PROTECTED_ECDH_ES[..],
                Some((KeyAgreementId::X25519, &[3u8; 32][..])),
                &[][..],
            ),
        ] {
            let mut w = Writer::new(&mut buf);
            write_recipient(&mut w, prot, b"peer", eph, ct).unwrap();
            let bytes = w.written().to_vec();
            assert!(bytes.len() <= max_recipient_len(4));
            let mut r = Reader::new(&bytes);
            let rec = parse_recipient(&mut r).unwrap();
            r.finish().unwrap();
            assert_eq!(rec.kid, b"peer");
            assert_eq!(rec.ciphertext, ct);
            assert_eq!(rec.ephemeral_public(), eph);
        }
    }
}
