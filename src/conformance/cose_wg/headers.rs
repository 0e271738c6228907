//! Header checks: what the input says the sender put in each header bucket must be on
//! the wire, in that bucket, with that value.
//!
//! Generated parameters the input does not list (IV, ephemeral key, PartyU nonce) are
//! checked where they are used instead.

use coset::cbor::value::Value;
use coset::iana::{self, EnumI64};
use coset::{ContentType, Header, Label, RegisteredLabelWithPrivate};

use super::algs;
use super::check::{Ctx, Step, Stop, failed};
use super::fixups;
use super::model::{CertList, InputHeaders, Layer};

/// Checks both buckets of one layer (`what` names it in messages).
pub(super) fn check_layer(
    ctx: &mut Ctx<'_>,
    what: &str,
    input: &Layer,
    protected: &Header,
    unprotected: &Header,
) -> Step<()> {
    check_bucket(
        ctx,
        &format!("{what} protected"),
        &input.protected,
        protected,
    )
    .map_err(|e| ctx.header_mismatch(e))?;
    check_bucket(
        ctx,
        &format!("{what} unprotected"),
        &input.unprotected,
        unprotected,
    )
    .map_err(|e| ctx.header_mismatch(e))
}

/// The algorithm an input name stands for, allowing this file's known alias.
pub(super) fn input_alg(ctx: &mut Ctx<'_>, name: &str) -> Step<iana::Algorithm> {
    if let Some(alg) = algs::from_file_name(name) {
        return Ok(alg);
    }
    if let Some(fix @ fixups::FixUp::AlgNameAlias { alg, .. }) =
        fixups::alias(&ctx.ex.fixup_key(), name)
        && ctx.apply(fix)
    {
        return Ok(alg);
    }
    Err(failed(format!("input names an unknown algorithm {name:?}")))
}

fn check_bucket(ctx: &mut Ctx<'_>, what: &str, input: &InputHeaders, wire: &Header) -> Step<()> {
    let InputHeaders {
        alg,
        kid,
        ctyp,
        iv,
        partial_iv,
        bstrs,
        epk,
        pub_other: _,
        priv_other: _,
        compressed: _,
        x5bag,
        x5chain,
        x5t,
    } = input;
    if let Some(v) = iv
        && &wire.iv != v
    {
        return Err(mismatch(
            what,
            "IV",
            &hex::encode(v),
            &Some(hex::encode(&wire.iv)),
        ));
    }
    // ref: RFC 9053 §6.4.1 (ephemeral key, label -1)
    if *epk && rest(wire, iana::HeaderAlgorithmParameter::EphemeralKey.to_i64()).is_none() {
        return Err(mismatch(what, "ephemeral key (-1)", "a COSE_Key", &None));
    }
    for (label, v) in bstrs {
        if rest(wire, *label) != Some(&Value::Bytes(v.clone())) {
            return Err(mismatch(
                what,
                &format!("parameter {label}"),
                &hex::encode(v),
                &rest(wire, *label).map(|w| format!("{w:?}")),
            ));
        }
    }
    if let Some(name) = alg {
        let want = input_alg(ctx, name)?;
        if wire.alg != Some(RegisteredLabelWithPrivate::Assigned(want)) {
            return Err(mismatch(
                what,
                "alg",
                &algs::name(want),
                &wire.alg.as_ref().map(algs::label_name),
            ));
        }
    }
    if let Some(kid) = kid
        && &wire.key_id != kid
    {
        return Err(mismatch(
            what,
            "kid",
            &hex::encode(kid),
            &Some(hex::encode(&wire.key_id)),
        ));
    }
    if let Some(n) = ctyp {
        let ok = matches!(&wire.content_type, Some(ContentType::Assigned(f)) if f.to_i64() == *n);
        if !ok {
            return Err(mismatch(
                what,
                "content type",
                &n.to_string(),
                &wire.content_type.as_ref().map(|c| format!("{c:?}")),
            ));
        }
    }
    if let Some(p) = partial_iv
        && &wire.partial_iv != p
    {
        return Err(mismatch(
            what,
            "partial IV",
            &hex::encode(p),
            &Some(hex::encode(&wire.partial_iv)),
        ));
    }
    for (label, name, list) in [
        (iana::HeaderParameter::X5Bag, "x5bag", x5bag),
        (iana::HeaderParameter::X5Chain, "x5chain", x5chain),
    ] {
        if let Some(list) = list {
            let want = match list {
                CertList::One(c) => Value::Bytes(c.clone()),
                CertList::Many(cs) => Value::Array(cs.iter().cloned().map(Value::Bytes).collect()),
            };
            if rest(wire, label.to_i64()) != Some(&want) {
                return Err(failed(format!(
                    "{what} {name} on the wire differs from the input's"
                )));
            }
        }
    }
    if let Some((hash, digest)) = x5t {
        let hash_alg = match hash.as_str() {
            "SHA-256" => iana::Algorithm::SHA_256,
            other => {
                return Err(failed(format!(
                    "{what} x5t names an unknown hash {other:?}"
                )));
            }
        };
        let want = Value::Array(vec![
            Value::from(hash_alg.to_i64()),
            Value::Bytes(digest.clone()),
        ]);
        if rest(wire, iana::HeaderParameter::X5T.to_i64()) != Some(&want) {
            return Err(failed(format!(
                "{what} x5t on the wire differs from the input's"
            )));
        }
    }
    Ok(())
}

fn mismatch(what: &str, param: &str, input: &str, wire: &Option<String>) -> super::check::Stop {
    let wire = wire.as_deref().unwrap_or("nothing");
    failed(format!(
        "{what} {param}: the input says {input}, the wire has {wire}"
    ))
}

/// A parameter outside coset's named fields, by integer label.
pub(super) fn rest(h: &Header, label: i64) -> Option<&Value> {
    h.rest
        .iter()
        .find(|(l, _)| *l == Label::Int(label))
        .map(|(_, v)| v)
}

/// A parameter from either bucket (a parameter must not be in both).
pub(super) fn either<'h>(
    protected: &'h Header,
    unprotected: &'h Header,
    label: i64,
) -> Step<Option<&'h Value>> {
    match (rest(protected, label), rest(unprotected, label)) {
        (Some(_), Some(_)) => Err(Stop::Rejected(format!(
            "header parameter {label} is in both buckets"
        ))),
        (p, u) => Ok(p.or(u)),
    }
}

/// The layer's algorithm (from whichever bucket carries it).
pub(super) fn wire_alg(
    what: &str,
    protected: &Header,
    unprotected: &Header,
) -> Step<coset::Algorithm> {
    match (&protected.alg, &unprotected.alg) {
        (Some(a), None) | (None, Some(a)) => Ok(a.clone()),
        (Some(_), Some(_)) => Err(Stop::Rejected(format!(
            "{what}: alg is in both header buckets"
        ))),
        (None, None) => Err(Stop::Rejected(format!("{what}: no alg header"))),
    }
}

/// The layer's `kid`, if any.
pub(super) fn wire_kid<'h>(
    protected: &'h Header,
    unprotected: &'h Header,
) -> Step<Option<&'h [u8]>> {
    match (protected.key_id.is_empty(), unprotected.key_id.is_empty()) {
        (true, true) => Ok(None),
        (false, true) => Ok(Some(&protected.key_id)),
        (true, false) => Ok(Some(&unprotected.key_id)),
        (false, false) => Err(Stop::Rejected("kid is in both header buckets".to_string())),
    }
}
