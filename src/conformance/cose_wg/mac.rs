//! COSE_Mac0 and COSE_Mac: rebuild `MAC_structure`, check it against `ToMac_hex`, and
//! verify the tag with the backend.

use coset::{CoseMac, CoseMac0};

use super::algs;
use super::check::{Ctx, Step, Stop, check_error, failed, setup_error, unsupported};
use super::headers::{check_layer, wire_alg, wire_kid};
use super::keys::{KeyMaterial, describe};
use super::model::{Layer, RecipientInput};
use super::ours;
use super::recipient;
use crate::backend::MacId;

/// The attached payload, or the input's plaintext for a detached one.
fn content(ctx: &mut Ctx<'_>, payload: Option<&Vec<u8>>) -> Vec<u8> {
    payload.cloned().unwrap_or_else(|| {
        ctx.note("context: detached payload taken from input.plaintext".to_string());
        ctx.ex.plaintext.clone()
    })
}

/// The profile's MAC for the layer's algorithm.
fn profile(alg: &coset::Algorithm) -> Step<MacId> {
    let a = algs::assigned(alg).ok_or_else(|| {
        unsupported(format!(
            "{}: not a MAC algorithm of the profile",
            algs::label_name(alg)
        ))
    })?;
    crate::cose::iana::mac(a).map_err(unsupported)
}

/// COSE_Mac0 under the input's single direct key.
pub(super) fn mac0(
    ctx: &mut Ctx<'_>,
    m: &CoseMac0,
    layer: &Layer,
    key: &RecipientInput,
) -> Step<Vec<u8>> {
    check_layer(ctx, "message", layer, &m.protected.header, &m.unprotected)?;
    let alg = wire_alg("message", &m.protected.header, &m.unprotected)?;
    ctx.algorithm = algs::label_name(&alg);
    let content = content(ctx, m.payload.as_ref());
    let protected = ours::wire_protected(&m.protected)?;
    let to_mac = ours::four("MAC0", &protected, &ctx.ex.external, &content)?;
    ctx.compare("ToMac_hex", ctx.ex.intermediates.to_mac.as_ref(), &to_mac)?;
    if let Some(kid) = wire_kid(&m.protected.header, &m.unprotected)?
        && key.key.kid.as_deref() != Some(kid)
    {
        return Err(ctx.header_mismatch(failed("message kid is not the key's kid")));
    }
    let KeyMaterial::Symmetric(k) = &key.key.material else {
        return Err(failed(format!(
            "MAC key is a {}",
            describe(&key.key.material)
        )));
    };
    ctx.compare("CEK_hex", ctx.ex.intermediates.cek.as_ref(), k)?;
    let id = profile(&alg)?;
    verify_tag(ctx, id, k, &to_mac, &m.tag)?;
    Ok(content)
}

/// COSE_Mac: the key comes from the recipients.
pub(super) fn mac(
    ctx: &mut Ctx<'_>,
    m: &CoseMac,
    layer: &Layer,
    recipients: &[RecipientInput],
) -> Step<Vec<u8>> {
    check_layer(ctx, "message", layer, &m.protected.header, &m.unprotected)?;
    let alg = wire_alg("message", &m.protected.header, &m.unprotected)?;
    ctx.algorithm = algs::label_name(&alg);
    let content = content(ctx, m.payload.as_ref());
    let protected = ours::wire_protected(&m.protected)?;
    let to_mac = ours::four("MAC", &protected, &ctx.ex.external, &content)?;
    ctx.compare("ToMac_hex", ctx.ex.intermediates.to_mac.as_ref(), &to_mac)?;
    let checked = recipient::check_all(ctx, &alg, &m.recipients, recipients)?;
    let id = profile(&alg)?;
    let key = recipient::content_key(
        ctx,
        &checked,
        &m.recipients,
        recipients,
        crate::cose::iana::mac_key_len(id),
    )?;
    verify_tag(ctx, id, &key, &to_mac, &m.tag)?;
    Ok(content)
}

/// Verifies a full-length tag (the profile's HMAC 256/256 carries all 32 bytes).
fn verify_tag(ctx: &mut Ctx<'_>, id: MacId, key: &[u8], to_mac: &[u8], tag: &[u8]) -> Step<()> {
    let mac = (ctx.backend.mac)(id).map_err(|u| unsupported(format!("{}: {u}", id.label())))?;
    if tag.len() != id.tag_len() {
        return Err(Stop::Rejected(format!(
            "tag is {} bytes, {} needs {}",
            tag.len(),
            id.label(),
            id.tag_len()
        )));
    }
    let k = mac.new_key(key).map_err(setup_error("HMAC key"))?;
    k.verify(&[to_mac], tag).map_err(check_error("MAC tag"))
}
