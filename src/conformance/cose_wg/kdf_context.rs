//! The COSE_KDF_Context an ECDH recipient feeds to HKDF as `info`.
//!
//! ```cddl
//! PartyInfo = ( identity : bstr / nil, nonce : bstr / int / nil, other : bstr / nil )
//! COSE_KDF_Context = [
//!     AlgorithmID : int / tstr,
//!     PartyUInfo : [ PartyInfo ],
//!     PartyVInfo : [ PartyInfo ],
//!     SuppPubInfo : [ keyDataLength : uint, protected : empty_or_serialized_map, ? other : bstr ],
//!     ? SuppPrivInfo : bstr
//! ]
//! ```
//! ref: RFC 9053 §5.2. For direct key agreement `AlgorithmID` is the content layer's
//! algorithm and `keyDataLength` its key size in bits; `protected` is the recipient's
//! protected header as sent; the party fields come from the recipient's header
//! parameters -21..-26.

use coset::CoseRecipient;
use coset::cbor::value::Value;
use coset::iana::{self, EnumI64};

use super::check::{Step, failed, unsupported};
use super::headers::either;
use super::model::RecipientInput;
use super::ours;
use crate::cose::iana::{alg_label, content_key_bits};
use crate::cose::kdf::{KdfContext, KdfNonce, KdfPartyInfo};

/// A party field: from the wire, else from the input's `unsent` bucket (known from
/// context, RFC 9053 §5.2: "... or be known to both parties").
fn field(
    r: &CoseRecipient,
    inp: &RecipientInput,
    p: iana::HeaderAlgorithmParameter,
) -> Step<Option<Value>> {
    let label = p.to_i64();
    if let Some(v) = either(&r.protected.header, &r.unprotected, label)? {
        return Ok(Some(v.clone()));
    }
    Ok(inp
        .headers
        .unsent
        .bstrs
        .iter()
        .find(|(l, _)| *l == label)
        .map(|(_, v)| Value::Bytes(v.clone())))
}

fn bytes(v: Option<&Value>, p: iana::HeaderAlgorithmParameter) -> Step<Option<&[u8]>> {
    match v {
        None => Ok(None),
        Some(Value::Bytes(b)) => Ok(Some(b)),
        Some(_) => Err(failed(format!(
            "recipient header {} is not a bstr",
            p.to_i64()
        ))),
    }
}

fn nonce(v: Option<&Value>, p: iana::HeaderAlgorithmParameter) -> Step<Option<KdfNonce<'_>>> {
    match v {
        None => Ok(None),
        Some(Value::Bytes(b)) => Ok(Some(KdfNonce::Bytes(b))),
        Some(Value::Integer(i)) => i64::try_from(*i)
            .map(|i| Some(KdfNonce::Int(i)))
            .map_err(|_| failed("recipient nonce integer out of range")),
        Some(_) => Err(failed(format!(
            "recipient header {} is not a bstr or int",
            p.to_i64()
        ))),
    }
}

/// Serializes the context for a recipient whose derived key encrypts or MACs with
/// `content` (a registered algorithm value), with the core's [`KdfContext`].
pub(super) fn kdf_context(content: i64, r: &CoseRecipient, inp: &RecipientInput) -> Step<Vec<u8>> {
    use iana::HeaderAlgorithmParameter as H;
    let bits = content_key_bits(content).ok_or_else(|| {
        unsupported(format!(
            "{}: key length unknown, no KDF context",
            alg_label(content)
        ))
    })?;
    let fields = [
        H::PartyUIdentity,
        H::PartyUNonce,
        H::PartyUOther,
        H::PartyVIdentity,
        H::PartyVNonce,
        H::PartyVOther,
    ]
    .map(|p| field(r, inp, p));
    let [u_id, u_nonce, u_other, v_id, v_nonce, v_other] = fields;
    let (u_id, u_nonce, u_other) = (u_id?, u_nonce?, u_other?);
    let (v_id, v_nonce, v_other) = (v_id?, v_nonce?, v_other?);
    let protected = ours::wire_protected(&r.protected)?;
    let unsent = &inp.headers.unsent;
    let context = KdfContext {
        algorithm: content,
        party_u: KdfPartyInfo {
            identity: bytes(u_id.as_ref(), H::PartyUIdentity)?,
            nonce: nonce(u_nonce.as_ref(), H::PartyUNonce)?,
            other: bytes(u_other.as_ref(), H::PartyUOther)?,
        },
        party_v: KdfPartyInfo {
            identity: bytes(v_id.as_ref(), H::PartyVIdentity)?,
            nonce: nonce(v_nonce.as_ref(), H::PartyVNonce)?,
            other: bytes(v_other.as_ref(), H::PartyVOther)?,
        },
        key_bits: bits,
        protected: &protected,
        supp_pub_other: unsent.pub_other.as_deref(),
        supp_priv: unsent.priv_other.as_deref(),
    };
    Ok(context.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use coset::{CborSerializable, CoseRecipient, HeaderBuilder};

    #[test]
    fn matches_the_p256_hkdf_256_01_context() {
        // From ecdh-direct-examples/p256-hkdf-256-01.json: protected {1: -25}, A128GCM.
        // Decoded, as the runner sees it, so the protected header keeps its wire bytes.
        let mut wire = Vec::new();
        let h = HeaderBuilder::new()
            .algorithm(iana::Algorithm::ECDH_ES_HKDF_256)
            .build();
        let prot = h.to_vec().unwrap();
        wire.extend_from_slice(&[0x83, 0x40 + prot.len() as u8]);
        wire.extend_from_slice(&prot);
        wire.extend_from_slice(&[0xa0, 0x40]);
        let r = CoseRecipient::from_slice(&wire).unwrap();
        let inp: RecipientInput = RecipientInput {
            key: super::super::keys::Jwk {
                kid: None,
                material: super::super::keys::KeyMaterial::Symmetric(vec![0; 16]),
            },
            headers: Default::default(),
            sender_key: None,
        };
        let ctx = kdf_context(iana::Algorithm::A128GCM.to_i64(), &r, &inp).unwrap();
        assert_eq!(
            hex::encode_upper(ctx),
            "840183F6F6F683F6F6F682188044A1013818"
        );
    }
}
