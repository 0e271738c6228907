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

use coset::cbor::value::Value;
use coset::iana::{self, EnumI64};
use coset::{
    CborSerializable, CoseKdfContextBuilder, CoseRecipient, Nonce, PartyInfo, SuppPubInfo,
};

use super::algs;
use super::check::{Step, failed, unsupported};
use super::headers::either;

fn bytes(r: &CoseRecipient, p: iana::HeaderAlgorithmParameter) -> Step<Option<Vec<u8>>> {
    match either(&r.protected.header, &r.unprotected, p.to_i64())? {
        None => Ok(None),
        Some(Value::Bytes(b)) => Ok(Some(b.clone())),
        Some(_) => Err(failed(format!(
            "recipient header {} is not a bstr",
            p.to_i64()
        ))),
    }
}

fn nonce(r: &CoseRecipient, p: iana::HeaderAlgorithmParameter) -> Step<Option<Nonce>> {
    match either(&r.protected.header, &r.unprotected, p.to_i64())? {
        None => Ok(None),
        Some(Value::Bytes(b)) => Ok(Some(Nonce::Bytes(b.clone()))),
        Some(Value::Integer(i)) => i64::try_from(*i)
            .map(|i| Some(Nonce::Integer(i)))
            .map_err(|_| failed("recipient nonce integer out of range")),
        Some(_) => Err(failed(format!(
            "recipient header {} is not a bstr or int",
            p.to_i64()
        ))),
    }
}

/// Serializes the context for a recipient whose derived key encrypts or MACs with `content`.
pub(super) fn kdf_context(content: iana::Algorithm, r: &CoseRecipient) -> Step<Vec<u8>> {
    use iana::HeaderAlgorithmParameter as H;
    let bits = algs::content_key_bits(content).ok_or_else(|| {
        unsupported(format!(
            "{}: key length unknown, no KDF context",
            algs::name(content)
        ))
    })?;
    let party_u = PartyInfo {
        identity: bytes(r, H::PartyUIdentity)?,
        nonce: nonce(r, H::PartyUNonce)?,
        other: bytes(r, H::PartyUOther)?,
    };
    let party_v = PartyInfo {
        identity: bytes(r, H::PartyVIdentity)?,
        nonce: nonce(r, H::PartyVNonce)?,
        other: bytes(r, H::PartyVOther)?,
    };
    let supp_pub = SuppPubInfo {
        key_data_length: bits,
        protected: r.protected.clone(),
        other: None,
    };
    CoseKdfContextBuilder::new()
        .algorithm(content)
        .party_u_info(party_u)
        .party_v_info(party_v)
        .supp_pub_info(supp_pub)
        .build()
        .to_vec()
        .map_err(|e| failed(format!("KDF context does not serialize: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use coset::{CoseRecipientBuilder, HeaderBuilder};

    #[test]
    fn matches_the_p256_hkdf_256_01_context() {
        // From ecdh-direct-examples/p256-hkdf-256-01.json: protected {1: -25}, A128GCM.
        let r = CoseRecipientBuilder::new()
            .protected(
                HeaderBuilder::new()
                    .algorithm(iana::Algorithm::ECDH_ES_HKDF_256)
                    .build(),
            )
            .build();
        let ctx = kdf_context(iana::Algorithm::A128GCM, &r).unwrap();
        assert_eq!(
            hex::encode_upper(ctx),
            "840183F6F6F683F6F6F682188044A1013818"
        );
    }
}
