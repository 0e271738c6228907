//! COSE_Encrypt0 and COSE_Encrypt: rebuild `Enc_structure`, check it against `AAD_hex`,
//! recover the content key and open the ciphertext with the backend.

use coset::{CoseEncrypt, CoseEncrypt0, Header};

use super::algs;
use super::check::{Ctx, Step, check_error, failed, setup_error, unsupported};
use super::fixups::FixUp;
use super::headers::{check_layer, wire_alg, wire_kid};
use super::keys::{KeyMaterial, describe};
use super::model::{Layer, RecipientInput};
use super::ours;
use super::recipient;
use crate::backend::AeadId;

/// The profile's AEAD for the layer's algorithm.
fn profile(alg: &coset::Algorithm) -> Step<AeadId> {
    let a = algs::assigned(alg).ok_or_else(|| {
        unsupported(format!(
            "{}: not a content-encryption algorithm of the profile",
            algs::label_name(alg)
        ))
    })?;
    crate::cose::iana::aead(a).map_err(unsupported)
}

/// Checks the rebuilt AAD against `AAD_hex`, allowing the file's "Encrypt1" where known.
fn check_aad(ctx: &mut Ctx<'_>, aad: &[u8], protected: &[u8], encrypt0: bool) -> Step<()> {
    let ex = ctx.ex;
    match ex.intermediates.aad.as_ref() {
        Some(file) if file.as_slice() != aad && encrypt0 => {
            if *file == ours::enc("Encrypt1", protected, &ex.external)?
                && ctx.apply(FixUp::Encrypt1Context)
            {
                ctx.compared += 1;
                Ok(())
            } else {
                ctx.compare("AAD_hex", Some(file), aad)
            }
        }
        other => ctx.compare("AAD_hex", other, aad),
    }
}

/// The IV: header 5, or a partial IV (6) with the full IV the file gives as context.
// ref: RFC 9052 §3.1 (Partial IV)
fn iv(ctx: &mut Ctx<'_>, p: &Header, u: &Header, layer: &Layer) -> Step<Vec<u8>> {
    let unsent_iv = layer.unsent.iv.as_deref();
    let full = [&p.iv, &u.iv].into_iter().find(|v| !v.is_empty());
    let partial = [&p.partial_iv, &u.partial_iv]
        .into_iter()
        .find(|v| !v.is_empty());
    let both = |a: &Vec<u8>, b: &Vec<u8>| !a.is_empty() && !b.is_empty();
    if both(&p.iv, &u.iv) || both(&p.partial_iv, &u.partial_iv) {
        return Err(failed("IV or partial IV in both header buckets"));
    }
    match (full, partial, unsent_iv) {
        (Some(iv), None, _) => Ok(iv.clone()),
        (None, Some(partial), Some(context_iv)) => {
            if !context_iv.ends_with(partial) {
                return Err(failed(
                    "input.unsent.IV_hex does not end with the partial IV",
                ));
            }
            ctx.note(format!(
                "context: partial IV {} on the wire; full IV taken from input.unsent.IV_hex (the Base IV is out of band)",
                hex::encode(partial)
            ));
            Ok(context_iv.to_vec())
        }
        (None, Some(_), None) => Err(failed("partial IV without a context IV in the input")),
        (Some(_), Some(_), _) => Err(failed("both IV and partial IV")),
        (None, None, _) => Err(failed("no IV header")),
    }
}

/// Opens `ciphertext || tag` with the content key.
fn open(
    ctx: &Ctx<'_>,
    id: AeadId,
    cek: &[u8],
    iv: &[u8],
    aad: &[u8],
    ciphertext: Option<&Vec<u8>>,
) -> Step<Vec<u8>> {
    let ct = ciphertext.ok_or_else(|| failed("detached ciphertext is not in the data"))?;
    let aead = (ctx.backend.aead)(id).map_err(|u| unsupported(format!("{}: {u}", id.label())))?;
    let key = aead
        .new_key(cek, id.default_params())
        .map_err(setup_error("content key"))?;
    let mut buf = ct.clone();
    let n = key
        .open_in_place(iv, aad, &mut buf)
        .map_err(check_error("AEAD open"))?;
    buf.truncate(n);
    Ok(buf)
}

/// COSE_Encrypt0 under the input's single direct key.
pub(super) fn encrypt0(
    ctx: &mut Ctx<'_>,
    m: &CoseEncrypt0,
    layer: &Layer,
    key: &RecipientInput,
) -> Step<Vec<u8>> {
    check_layer(ctx, "message", layer, &m.protected.header, &m.unprotected)?;
    let alg = wire_alg("message", &m.protected.header, &m.unprotected)?;
    ctx.algorithm = algs::label_name(&alg);
    let protected = ours::wire_protected(&m.protected)?;
    let aad = ours::enc("Encrypt0", &protected, &ctx.ex.external)?;
    check_aad(ctx, &aad, &protected, true)?;
    if let Some(kid) = wire_kid(&m.protected.header, &m.unprotected)?
        && key.key.kid.as_deref() != Some(kid)
    {
        return Err(ctx.header_mismatch(failed("message kid is not the key's kid")));
    }
    let KeyMaterial::Symmetric(cek) = &key.key.material else {
        return Err(failed(format!(
            "content key is a {}",
            describe(&key.key.material)
        )));
    };
    ctx.compare("CEK_hex", ctx.ex.intermediates.cek.as_ref(), cek)?;
    let iv = iv(ctx, &m.protected.header, &m.unprotected, layer)?;
    let id = profile(&alg)?;
    open(ctx, id, cek, &iv, &aad, m.ciphertext.as_ref())
}

/// COSE_Encrypt: the content key comes from the recipients.
pub(super) fn encrypt(
    ctx: &mut Ctx<'_>,
    m: &CoseEncrypt,
    layer: &Layer,
    recipients: &[RecipientInput],
) -> Step<Vec<u8>> {
    check_layer(ctx, "message", layer, &m.protected.header, &m.unprotected)?;
    let alg = wire_alg("message", &m.protected.header, &m.unprotected)?;
    ctx.algorithm = algs::label_name(&alg);
    let protected = ours::wire_protected(&m.protected)?;
    let aad = ours::enc("Encrypt", &protected, &ctx.ex.external)?;
    check_aad(ctx, &aad, &protected, false)?;
    let iv = iv(ctx, &m.protected.header, &m.unprotected, layer)?;
    let checked = recipient::check_all(ctx, &alg, &m.recipients, recipients)?;
    let id = profile(&alg)?;
    let cek = recipient::content_key(ctx, &checked, &m.recipients, recipients, id.key_len())?;
    open(ctx, id, &cek, &iv, &aad, m.ciphertext.as_ref())
}
