//! Decodes `output.cbor` with coset as the structure the input describes (tagged or
//! untagged, as the file has it) and hands it to the structure's checker.

use coset::cbor::value::Value;
use coset::{CborSerializable, CoseEncrypt, CoseEncrypt0, CoseMac, CoseMac0, CoseSign, CoseSign1};

use super::check::{Ctx, Step, Stop, structure_of};
use super::fixups::FixUp;
use super::model::{Layer, MessageInput};
use super::{encrypt, mac, sign};
use crate::cose::cbor::{MAJOR_TAG, Reader};
use crate::cose::iana::{
    TAG_CWT, TAG_ENCRYPT, TAG_ENCRYPT0, TAG_MAC, TAG_MAC0, TAG_SIGN, TAG_SIGN1,
};

/// The CBOR tag of each structure (RFC 9052 §2).
const fn tag_of(m: &MessageInput) -> u64 {
    match m {
        MessageInput::Sign1 { .. } => TAG_SIGN1,
        MessageInput::Sign { .. } => TAG_SIGN,
        MessageInput::Mac0 { .. } => TAG_MAC0,
        MessageInput::Mac { .. } => TAG_MAC,
        MessageInput::Encrypt0 { .. } => TAG_ENCRYPT0,
        MessageInput::Encrypt { .. } => TAG_ENCRYPT,
    }
}

/// Splits the leading tags off the message with the envelope's strict reader.
fn split_tags(cbor: &[u8]) -> Step<(Vec<u64>, &[u8])> {
    let mut r = Reader::new(cbor);
    let mut tags = Vec::new();
    while r.peek_major().ok() == Some(MAJOR_TAG) {
        tags.push(
            r.tag()
                .map_err(|e| Stop::Rejected(format!("output.cbor: bad tag: {e}")))?,
        );
    }
    let body = cbor
        .get(r.pos()..)
        .ok_or_else(|| Stop::Rejected("output.cbor ends after its tags".to_string()))?;
    Ok((tags, body))
}

/// Decodes the example's message and verifies or decrypts it; returns the content.
///
/// An untagged message is accepted (RFC 9052 §2: the type may be known from context); a
/// tag other than the structure's is a rejection. The message body is still checked
/// first, so a re-tagged message's intermediates are compared too.
pub(super) fn verify(ctx: &mut Ctx<'_>) -> Step<Vec<u8>> {
    let ex = ctx.ex;
    let want = tag_of(&ex.message);
    let (tags, body) = split_tags(&ex.cbor)?;
    let wrong_tag = match tags.as_slice() {
        [] => {
            ctx.note("context: untagged message; its type taken from the input".to_string());
            None
        }
        [t] if *t == want => None,
        [TAG_CWT, t] if *t == want => {
            ctx.note("context: CWT tag 61 around the COSE message".to_string());
            None
        }
        other => Some(format!(
            "CBOR tag {} where {} needs {want}",
            other
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join("("),
            structure_of(&ex.message).name()
        )),
    };
    let result = verify_body(ctx, body);
    match (wrong_tag, result) {
        (None, r) => r,
        (Some(_), Err(Stop::Failed(d))) => Err(Stop::Failed(d)),
        (Some(why), _) => Err(Stop::Rejected(why)),
    }
}

fn verify_body(ctx: &mut Ctx<'_>, body: &[u8]) -> Step<Vec<u8>> {
    let ex = ctx.ex;
    match &ex.message {
        MessageInput::Sign1 { layer, key } => {
            sign::sign1(ctx, &decode::<CoseSign1>(body, "COSE_Sign1")?, layer, key)
        }
        MessageInput::Sign { layer, signers } => {
            let m = decode_sign(ctx, body)?;
            sign::sign(ctx, &m, layer, signers)
        }
        MessageInput::Mac0 { layer, key } => {
            mac::mac0(ctx, &decode::<CoseMac0>(body, "COSE_Mac0")?, layer, key)
        }
        MessageInput::Mac { layer, recipients } => mac::mac(
            ctx,
            &decode::<CoseMac>(body, "COSE_Mac")?,
            layer,
            recipients,
        ),
        MessageInput::Encrypt0 { layer, key } => encrypt::encrypt0(
            ctx,
            &decode::<CoseEncrypt0>(body, "COSE_Encrypt0")?,
            layer,
            key,
        ),
        MessageInput::Encrypt { layer, recipients } => encrypt::encrypt(
            ctx,
            &decode::<CoseEncrypt>(body, "COSE_Encrypt")?,
            layer,
            recipients,
        ),
    }
}

/// Decodes an untagged structure. A message that does not decode is rejected.
fn decode<T: CborSerializable>(bytes: &[u8], what: &str) -> Step<T> {
    T::from_slice(bytes)
        .map_err(|e| Stop::Rejected(format!("output.cbor does not decode as {what}: {e}")))
}

/// COSE_Sign, with the signer-kid fix-up for the files it is known for.
fn decode_sign(ctx: &mut Ctx<'_>, body: &[u8]) -> Step<CoseSign> {
    let first = match decode::<CoseSign>(body, "COSE_Sign") {
        Ok(m) => return Ok(m),
        Err(e) => e,
    };
    if super::fixups::allowed(&ctx.ex.fixup_key(), FixUp::SignerKidText)
        && let Some(fixed) = signer_kids_as_bytes(body)
        && let Ok(m) = decode::<CoseSign>(&fixed, "COSE_Sign")
    {
        ctx.apply(FixUp::SignerKidText);
        return Ok(m);
    }
    Err(first)
}

/// Re-encodes text-string `kid`s (label 4) in the signers' unprotected headers of a
/// COSE_Sign as byte strings; `None` if there is none to change.
fn signer_kids_as_bytes(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut value: Value = coset::cbor::de::from_reader(bytes).ok()?;
    let body = match &mut value {
        Value::Tag(_, inner) => inner.as_mut(),
        v => v,
    };
    let signatures = match body {
        Value::Array(parts) => parts.get_mut(3)?,
        _ => return None,
    };
    let mut changed = false;
    for sig in signatures.as_array_mut()? {
        let unprotected = sig.as_array_mut()?.get_mut(1)?.as_map_mut()?;
        for (label, v) in unprotected.iter_mut() {
            let is_kid = matches!(label, Value::Integer(i) if i128::from(*i) == 4);
            if let (true, Value::Text(t)) = (is_kid, &*v) {
                *v = Value::Bytes(t.clone().into_bytes());
                changed = true;
            }
        }
    }
    let mut out = Vec::new();
    coset::cbor::ser::into_writer(&value, &mut out).ok()?;
    changed.then_some(out)
}

/// The algorithm names the input gives, for records of messages that do not decode.
pub(super) fn input_algorithms(m: &MessageInput) -> String {
    fn of(l: &Layer) -> impl Iterator<Item = &String> {
        l.protected.alg.iter().chain(l.unprotected.alg.iter())
    }
    let names: Vec<&String> = match m {
        MessageInput::Sign1 { layer, .. } => of(layer).collect(),
        MessageInput::Sign { layer, signers } => of(layer)
            .chain(signers.iter().flat_map(|s| of(&s.headers)))
            .collect(),
        MessageInput::Mac0 { layer, .. } | MessageInput::Encrypt0 { layer, .. } => {
            of(layer).collect()
        }
        MessageInput::Mac { layer, recipients }
        | MessageInput::Encrypt {
            layer, recipients, ..
        } => of(layer)
            .chain(recipients.iter().flat_map(|r| of(&r.headers)))
            .collect(),
    };
    names
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" / ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_kids_of_signers_become_byte_strings() {
        // 98([h'', {}, h'', [[h'', {4: "ab"}, h'']]])
        let msg = hex::decode("d8628440a040818340a10462616240").unwrap();
        let fixed = signer_kids_as_bytes(&msg).unwrap();
        // 98([h'', {}, h'', [[h'', {4: h'6162'}, h'']]])
        assert_eq!(hex::encode(&fixed), "d8628440a040818340a10442616240");
        assert!(signer_kids_as_bytes(&fixed).is_none());
    }
}
