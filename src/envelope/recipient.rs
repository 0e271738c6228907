//! COSE_Encrypt recipients: RSA-OAEP-256 key transport and ECDH-ES + HKDF-256 direct key
//! agreement (RFC 9052 §5.1, RFC 9053 §6.3, RFC 8230 §3).
//!
//! ```cddl
//! COSE_recipient = [ protected: bstr .cbor {1: -41 / -25}, unprotected: {4: kid, ? -1: COSE_Key},
//!                    ciphertext: bstr (the OAEP-encrypted content key; empty for ECDH-ES direct) ]
//! COSE_KDF_Context = [ AlgorithmID: int, PartyUInfo: [nil, nil, nil], PartyVInfo: [nil, nil, nil],
//!                      SuppPubInfo: [ keyDataLength: uint, protected: bstr ] ]
//! ```
//! ECDH-ES direct derives the content key itself, so RFC 9052 §8.5.4 allows it for exactly
//! one recipient; fan-out to several recipients uses RSA-OAEP (ECDH-ES + AES key wrap is
//! outside the primitive set sealbench measures).

use super::cbor::{MAJOR_ARRAY, MAJOR_MAP, Overflow, Reader, Writer};
use super::error::EnvelopeError;
use super::header::check_order;
use super::iana::*;
use crate::backend::{AeadId, Kdf, KeyAgreementId};

/// Protected header `{1: -41}` of an RSA-OAEP-256 recipient.
pub const PROTECTED_OAEP: [u8; 4] = [0xa1, 0x01, 0x38, 0x28];
/// Protected header `{1: -25}` of an ECDH-ES + HKDF-256 recipient.
pub const PROTECTED_ECDH_ES: [u8; 4] = [0xa1, 0x01, 0x38, 0x18];

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
        write_cose_key(w, id, public)?;
    }
    w.bstr(ciphertext)
}

/// Writes a public COSE_Key: OKP `{1: 1, -1: 4, -2: x}` or EC2 `{1: 2, -1: 1, -2: x, -3: y}`.
fn write_cose_key(w: &mut Writer<'_>, id: KeyAgreementId, public: &[u8]) -> Result<(), Overflow> {
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
    let pairs = r.map()?;
    let mut out = [0u8; 65];
    let expect = |r: &mut Reader<'_>, label: i64| -> Result<(), EnvelopeError> {
        if r.label()? == label {
            Ok(())
        } else {
            Err(EnvelopeError::HeaderOrder)
        }
    };
    expect(r, KEY_KTY)?;
    let kty = r.int()?;
    expect(r, KEY_CRV)?;
    let crv = r.int()?;
    expect(r, KEY_X)?;
    let x = r.bstr()?;
    match (kty, crv, pairs) {
        // RFC 7748 §5 makes receivers ignore bit 255; the profile requires it clear, so a
        // flipped top bit cannot pass unnoticed.
        (KTY_OKP, CRV_X25519, 3) if x.len() == 32 && x.last().is_some_and(|b| b & 0x80 == 0) => {
            out.get_mut(..32).ok_or(bad)?.copy_from_slice(x);
            Ok((KeyAgreementId::X25519, out, 32))
        }
        (KTY_EC2, CRV_P256, 4) if x.len() == 32 => {
            expect(r, KEY_Y)?;
            let y = r.bstr()?;
            if y.len() != 32 {
                return Err(bad);
            }
            out = [4u8; 65];
            out.get_mut(1..33).ok_or(bad.clone())?.copy_from_slice(x);
            out.get_mut(33..65).ok_or(bad)?.copy_from_slice(y);
            Ok((KeyAgreementId::EcdhP256, out, 65))
        }
        _ => Err(bad),
    }
}

/// Derives the content key for ECDH-ES + HKDF-256 direct from the shared secret.
pub fn derive_direct_cek(
    kdf: &dyn Kdf,
    shared_secret: &[u8],
    content: AeadId,
    out: &mut [u8],
) -> Result<(), EnvelopeError> {
    let mut ctx = [0u8; 32];
    let mut w = Writer::new(&mut ctx);
    w.head(MAJOR_ARRAY, 4)?;
    w.int(aead_alg(content))?;
    for _ in 0..2 {
        w.raw(&[0x83, 0xf6, 0xf6, 0xf6])?; // [nil, nil, nil]
    }
    w.head(MAJOR_ARRAY, 2)?;
    w.head(super::cbor::MAJOR_UINT, (content.key_len() * 8) as u64)?;
    w.bstr(&PROTECTED_ECDH_ES)?;
    kdf.derive(&[], shared_secret, w.written(), out)?;
    Ok(())
}

/// A PartyInfo nonce: a byte string or an integer (RFC 9053 §5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KdfNonce<'a> {
    /// `bstr`.
    Bytes(&'a [u8]),
    /// `int`.
    Int(i64),
}

/// One party's fields of a COSE_KDF_Context; `None` is written as `nil`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KdfPartyInfo<'a> {
    /// `identity: bstr / nil`.
    pub identity: Option<&'a [u8]>,
    /// `nonce: bstr / int / nil`.
    pub nonce: Option<KdfNonce<'a>>,
    /// `other: bstr / nil`.
    pub other: Option<&'a [u8]>,
}

/// A COSE_KDF_Context in its general form:
///
/// ```cddl
/// COSE_KDF_Context = [ AlgorithmID: int, PartyUInfo: [PartyInfo], PartyVInfo: [PartyInfo],
///                      SuppPubInfo: [ keyDataLength: uint, protected: bstr, ? other: bstr ],
///                      ? SuppPrivInfo: bstr ]
/// ```
/// ref: RFC 9053 §5.2. Additive beside [`derive_direct_cek`], whose fixed context (no
/// party information, the recipient protected header `{1: -25}`) is the special case
/// the envelope's hot path writes; the COSE WG conformance runner uses this one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfContext<'a> {
    /// The algorithm the derived key is for (the content algorithm for direct key agreement).
    pub algorithm: i64,
    /// PartyUInfo.
    pub party_u: KdfPartyInfo<'a>,
    /// PartyVInfo.
    pub party_v: KdfPartyInfo<'a>,
    /// keyDataLength in bits.
    pub key_bits: u64,
    /// The recipient's protected header as sent (empty for none).
    pub protected: &'a [u8],
    /// SuppPubInfo.other.
    pub supp_pub_other: Option<&'a [u8]>,
    /// SuppPrivInfo.
    pub supp_priv: Option<&'a [u8]>,
}

fn write_opt_bstr(w: &mut Writer<'_>, v: Option<&[u8]>) -> Result<(), Overflow> {
    match v {
        Some(b) => w.bstr(b),
        None => w.raw(&[0xf6]),
    }
}

fn write_party(w: &mut Writer<'_>, p: &KdfPartyInfo<'_>) -> Result<(), Overflow> {
    w.head(MAJOR_ARRAY, 3)?;
    write_opt_bstr(w, p.identity)?;
    match p.nonce {
        Some(KdfNonce::Bytes(b)) => w.bstr(b)?,
        Some(KdfNonce::Int(i)) => w.int(i)?,
        None => w.raw(&[0xf6])?,
    }
    write_opt_bstr(w, p.other)
}

/// Writes a COSE_KDF_Context (the HKDF `info`).
pub fn write_kdf_context(w: &mut Writer<'_>, c: &KdfContext<'_>) -> Result<(), Overflow> {
    w.head(MAJOR_ARRAY, 4 + u64::from(c.supp_priv.is_some()))?;
    w.int(c.algorithm)?;
    write_party(w, &c.party_u)?;
    write_party(w, &c.party_v)?;
    w.head(MAJOR_ARRAY, 2 + u64::from(c.supp_pub_other.is_some()))?;
    w.head(super::cbor::MAJOR_UINT, c.key_bits)?;
    w.bstr(c.protected)?;
    if let Some(o) = c.supp_pub_other {
        w.bstr(o)?;
    }
    if let Some(p) = c.supp_priv {
        w.bstr(p)?;
    }
    Ok(())
}

/// Derives a key of `out.len()` bytes with HKDF from an ECDH shared secret, a salt
/// (empty for none) and a serialized COSE_KDF_Context (RFC 9053 §5.1, §6.3.1).
pub fn derive_key(
    kdf: &dyn Kdf,
    salt: &[u8],
    shared_secret: &[u8],
    context: &[u8],
    out: &mut [u8],
) -> Result<(), EnvelopeError> {
    kdf.derive(salt, shared_secret, context, out)?;
    Ok(())
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

    #[test]
    fn general_kdf_context_reduces_to_the_fixed_one_and_matches_coset() {
        let fixed = KdfContext {
            algorithm: aead_alg(AeadId::Aes128Gcm),
            party_u: KdfPartyInfo::default(),
            party_v: KdfPartyInfo::default(),
            key_bits: 128,
            protected: &PROTECTED_ECDH_ES,
            supp_pub_other: None,
            supp_priv: None,
        };
        let mut buf = [0u8; 128];
        let mut w = Writer::new(&mut buf);
        write_kdf_context(&mut w, &fixed).unwrap();
        assert_eq!(
            hex::encode(w.written()),
            "840183f6f6f683f6f6f682188044a1013818"
        );

        use coset::{CborSerializable, CoseKdfContextBuilder, Nonce, PartyInfo, SuppPubInfo};
        let protected = coset::HeaderBuilder::new()
            .algorithm(coset::iana::Algorithm::ECDH_SS_HKDF_256)
            .build();
        let prot = coset::ProtectedHeader {
            original_data: None,
            header: protected,
        };
        let prot_bytes = prot.clone().header.to_vec().unwrap();
        let theirs = CoseKdfContextBuilder::new()
            .algorithm(coset::iana::Algorithm::A256GCM)
            .party_u_info(PartyInfo {
                identity: Some(b"lighting-client".to_vec()),
                nonce: Some(Nonce::Integer(-7)),
                other: None,
            })
            .party_v_info(PartyInfo {
                identity: Some(b"lighting-server".to_vec()),
                nonce: Some(Nonce::Bytes(vec![1, 2])),
                other: Some(b"v".to_vec()),
            })
            .supp_pub_info(SuppPubInfo {
                key_data_length: 256,
                protected: prot,
                other: Some(b"pub".to_vec()),
            })
            .add_supp_priv_info(b"priv".to_vec())
            .build()
            .to_vec()
            .unwrap();
        let general = KdfContext {
            algorithm: 3,
            party_u: KdfPartyInfo {
                identity: Some(b"lighting-client"),
                nonce: Some(KdfNonce::Int(-7)),
                other: None,
            },
            party_v: KdfPartyInfo {
                identity: Some(b"lighting-server"),
                nonce: Some(KdfNonce::Bytes(&[1, 2])),
                other: Some(b"v"),
            },
            key_bits: 256,
            protected: &prot_bytes,
            supp_pub_other: Some(b"pub"),
            supp_priv: Some(b"priv"),
        };
        let mut w = Writer::new(&mut buf);
        write_kdf_context(&mut w, &general).unwrap();
        assert_eq!(w.written(), &theirs[..]);
    }

    #[test]
    fn kdf_context_matches_rfc9053_layout() {
        // The context for A128GCM: [1, [nil,nil,nil], [nil,nil,nil], [128, h'a1013818']].
        struct Capture;
        impl Kdf for Capture {
            fn id(&self) -> crate::backend::KdfId {
                crate::backend::KdfId::HkdfSha256
            }
            fn derive(
                &self,
                salt: &[u8],
                ikm: &[u8],
                info: &[u8],
                out: &mut [u8],
            ) -> Result<(), crate::backend::Error> {
                assert!(salt.is_empty());
                assert_eq!(ikm, b"z");
                assert_eq!(hex::encode(info), "840183f6f6f683f6f6f682188044a1013818");
                out.fill(1);
                Ok(())
            }
        }
        let mut cek = [0u8; 16];
        derive_direct_cek(&Capture, b"z", AeadId::Aes128Gcm, &mut cek).unwrap();
        assert_eq!(cek, [1u8; 16]);
    }
}
