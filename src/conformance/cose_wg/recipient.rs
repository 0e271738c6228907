//! Recipients of COSE_Mac / COSE_Encrypt: structural checks, then the content key.
//!
//! In profile: `direct` (the recipient's symmetric key is the content key), ECDH-ES /
//! ECDH-SS + HKDF-256 (see [`super::ecdh`]), and RSAES-OAEP w/ SHA-256 key transport
//! with a 2048-bit key. Every recipient must yield the same content key.

use coset::CoseRecipient;

use super::algs;
use super::check::{Ctx, Step, check_error, failed, unsupported};
use super::ecdh;
use super::fixups::FixUp;
use super::headers::{check_layer, wire_alg, wire_kid};
use super::kdf_context::kdf_context;
use super::keys::{KeyMaterial, describe};
use super::model::RecipientInput;
use crate::cose::cek;
use crate::cose::iana::{KeyManagement, is_ecdh, key_management};

/// A recipient after the structural checks.
pub(super) struct Checked {
    alg: coset::Algorithm,
    /// The COSE_KDF_Context, for key-agreement recipients.
    context: Option<Vec<u8>>,
}

/// Headers, kids and KDF contexts of every recipient; sets the record's algorithm label.
pub(super) fn check_all(
    ctx: &mut Ctx<'_>,
    content: &coset::Algorithm,
    wire: &[CoseRecipient],
    input: &[RecipientInput],
) -> Step<Vec<Checked>> {
    if wire.len() != input.len() {
        return Err(failed(format!(
            "{} recipients on the wire, {} in the input",
            wire.len(),
            input.len()
        )));
    }
    let mut checked = Vec::with_capacity(wire.len());
    for (i, (r, inp)) in wire.iter().zip(input).enumerate() {
        let what = format!("recipient {i}");
        check_layer(
            ctx,
            &what,
            &inp.headers,
            &r.protected.header,
            &r.unprotected,
        )?;
        if !r.recipients.is_empty() {
            return Err(unsupported(
                "nested recipients (multi-layer key wrap) are not in the profile",
            ));
        }
        let alg = wire_alg(&what, &r.protected.header, &r.unprotected)?;
        if let Some(kid) = wire_kid(&r.protected.header, &r.unprotected)?
            && inp.key.kid.as_deref() != Some(kid)
            && !ctx.apply(FixUp::RecipientKeyKid)
        {
            return Err(failed(format!(
                "{what} kid {:?} on the wire is not the key's kid {:?}",
                String::from_utf8_lossy(kid),
                inp.key.kid.as_deref().map(String::from_utf8_lossy)
            )));
        }
        let context = match (algs::assigned(&alg), algs::assigned(content)) {
            (Some(a), Some(c)) if is_ecdh(a) => {
                let context = kdf_context(c, r, inp)?;
                let expected = ctx
                    .ex
                    .intermediates
                    .recipients
                    .get(i)
                    .and_then(|x| x.context.as_ref());
                ctx.compare(&format!("recipients[{i}].Context_hex"), expected, &context)?;
                Some(context)
            }
            _ => None,
        };
        checked.push(Checked { alg, context });
    }
    let names: Vec<String> = checked.iter().map(|c| algs::label_name(&c.alg)).collect();
    ctx.algorithm = format!("{} / {}", algs::label_name(content), names.join(", "));
    Ok(checked)
}

/// The content key (`key_len` bytes) from every recipient; they must agree, and match
/// `CEK_hex` when the file gives it.
pub(super) fn content_key(
    ctx: &mut Ctx<'_>,
    checked: &[Checked],
    wire: &[CoseRecipient],
    input: &[RecipientInput],
    key_len: usize,
) -> Step<Vec<u8>> {
    let mut cek: Option<Vec<u8>> = None;
    for (i, ((c, r), inp)) in checked.iter().zip(wire).zip(input).enumerate() {
        let this = one(ctx, i, c, r, inp, key_len)?;
        if cek.as_ref().is_some_and(|k| *k != this) {
            return Err(failed(format!("recipient {i} yields another content key")));
        }
        cek = Some(this);
    }
    let cek = cek.ok_or_else(|| failed("no recipient"))?;
    ctx.compare("CEK_hex", ctx.ex.intermediates.cek.as_ref(), &cek)?;
    Ok(cek)
}

fn one(
    ctx: &mut Ctx<'_>,
    i: usize,
    c: &Checked,
    r: &CoseRecipient,
    inp: &RecipientInput,
    key_len: usize,
) -> Step<Vec<u8>> {
    let name = algs::label_name(&c.alg);
    let inter = ctx.ex.intermediates.recipients.get(i);
    let Some(alg) = algs::assigned(&c.alg) else {
        return Err(unsupported(format!(
            "{name}: recipient algorithm not in the profile"
        )));
    };
    match (key_management(alg).map_err(unsupported)?, &c.context) {
        (KeyManagement::Direct, _) => {
            if r.ciphertext.as_deref() != Some(&[][..]) {
                return Err(failed("direct recipient: ciphertext must be an empty bstr"));
            }
            match &inp.key.material {
                KeyMaterial::Symmetric(k) => Ok(k.clone()),
                other => Err(failed(format!(
                    "direct recipient has a {}",
                    describe(other)
                ))),
            }
        }
        (KeyManagement::EcdhHkdf256 { static_sender }, Some(context)) => {
            if r.ciphertext.as_deref() != Some(&[][..]) {
                return Err(failed(
                    "direct key agreement: ciphertext must be an empty bstr",
                ));
            }
            ecdh::content_key(ctx, r, inp, inter, static_sender, context, key_len)
        }
        (KeyManagement::EcdhHkdf256 { .. }, None) => {
            Err(failed(format!("{name}: no KDF context (runner bug)")))
        }
        (KeyManagement::RsaOaep256, _) => oaep(ctx, r, inp),
    }
}

/// RSAES-OAEP w/ SHA-256: the recipient's ciphertext is the wrapped content key.
// ref: RFC 8230 §3 (the OAEP label is empty)
fn oaep(ctx: &mut Ctx<'_>, r: &CoseRecipient, inp: &RecipientInput) -> Step<Vec<u8>> {
    let KeyMaterial::Rsa(rsa) = &inp.key.material else {
        return Err(failed(format!(
            "RSA-OAEP recipient has a {}",
            describe(&inp.key.material)
        )));
    };
    if rsa.bits() != 2048 {
        return Err(unsupported(format!(
            "RSAES-OAEP w/ SHA-256 with a {}-bit modulus: only 2048-bit RSA is in the profile",
            rsa.bits()
        )));
    }
    let pkcs8 = inp.key.rsa_pkcs8().map_err(failed)?;
    let ct = r
        .ciphertext
        .as_deref()
        .ok_or_else(|| failed("RSA-OAEP recipient without ciphertext"))?;
    let cek = cek::oaep_unwrap(ctx.backend, &pkcs8, ct).map_err(check_error("RSA-OAEP"))?;
    Ok(cek.to_vec())
}
