//! The COSE_KDF_Context and HKDF through a backend (RFC 9053 §5).
//!
//! ```cddl
//! PartyInfo = ( identity : bstr / nil, nonce : bstr / int / nil, other : bstr / nil )
//! COSE_KDF_Context = [ AlgorithmID : int, PartyUInfo : [ PartyInfo ], PartyVInfo : [ PartyInfo ],
//!                      SuppPubInfo : [ keyDataLength : uint, protected : bstr, ? other : bstr ],
//!                      ? SuppPrivInfo : bstr ]
//! ```
//! [`KdfContext`] is the general form (the COSE WG corpus uses party fields, SuppPubInfo
//! `other` and SuppPrivInfo); [`derive_direct_cek`] is its special case the envelope's
//! hot path writes: no party information, the recipient protected header `{1: -25}`.

use super::cbor::{MAJOR_ARRAY, MAJOR_UINT, Overflow, Writer};
use super::iana::aead_alg;
use super::message::PROTECTED_ECDH_ES;
use crate::backend::{self, AeadId, Kdf};

/// Derives the content key for ECDH-ES + HKDF-256 direct from the shared secret, with
/// the context `[alg, [nil, nil, nil], [nil, nil, nil], [key bits, h'a1013818']]`.
pub fn derive_direct_cek(
    kdf: &dyn Kdf,
    shared_secret: &[u8],
    content: AeadId,
    out: &mut [u8],
) -> Result<(), backend::Error> {
    let mut ctx = [0u8; 32];
    let mut w = Writer::new(&mut ctx);
    let overflow = |Overflow| backend::Error::BadLength("COSE_KDF_Context");
    w.head(MAJOR_ARRAY, 4).map_err(overflow)?;
    w.int(aead_alg(content)).map_err(overflow)?;
    for _ in 0..2 {
        w.raw(&[0x83, 0xf6, 0xf6, 0xf6]).map_err(overflow)?; // [nil, nil, nil]
    }
    w.head(MAJOR_ARRAY, 2).map_err(overflow)?;
    w.head(MAJOR_UINT, (content.key_len() * 8) as u64)
        .map_err(overflow)?;
    w.bstr(&PROTECTED_ECDH_ES).map_err(overflow)?;
    kdf.derive(&[], shared_secret, w.written(), out)
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

impl KdfPartyInfo<'_> {
    fn max_len(&self) -> usize {
        let len = |o: Option<&[u8]>| o.map_or(0, <[u8]>::len);
        let nonce = match self.nonce {
            Some(KdfNonce::Bytes(b)) => b.len(),
            _ => 0,
        };
        3 * 9 + 1 + len(self.identity) + len(self.other) + nonce
    }
}

/// A COSE_KDF_Context in its general form (ref: RFC 9053 §5.2).
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
    w.head(MAJOR_UINT, c.key_bits)?;
    w.bstr(c.protected)?;
    if let Some(o) = c.supp_pub_other {
        w.bstr(o)?;
    }
    if let Some(p) = c.supp_priv {
        w.bstr(p)?;
    }
    Ok(())
}

impl KdfContext<'_> {
    /// The serialized context, in a buffer sized from its fields.
    pub fn to_vec(&self) -> Vec<u8> {
        let len = |o: Option<&[u8]>| o.map_or(0, <[u8]>::len);
        let cap = 64
            + self.party_u.max_len()
            + self.party_v.max_len()
            + self.protected.len()
            + len(self.supp_pub_other)
            + len(self.supp_priv);
        // safe: the buffer is sized for the longest encoding of every field.
        super::cbor::to_vec(cap, |w| write_kdf_context(w, self)).unwrap_or_default()
    }
}

/// Derives a key of `out.len()` bytes with HKDF from an ECDH shared secret, a salt
/// (empty for none) and a serialized COSE_KDF_Context (RFC 9053 §5.1, §6.3.1).
pub fn derive_key(
    kdf: &dyn Kdf,
    salt: &[u8],
    shared_secret: &[u8],
    context: &[u8],
    out: &mut [u8],
) -> Result<(), backend::Error> {
    kdf.derive(salt, shared_secret, context, out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            hex::encode(fixed.to_vec()),
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
        assert_eq!(general.to_vec(), theirs);
    }

    #[test]
    fn direct_cek_context_matches_rfc9053_layout() {
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
