//! COSE_Sign1 and COSE_Sign: rebuild `Sig_structure`, check it against `ToBeSign_hex`,
//! and verify each signature with the backend.

use coset::{CoseSign, CoseSign1, Header};

use super::algs;
use super::check::{Ctx, Step, check_error, failed, setup_error, unsupported};
use super::headers::{check_layer, wire_alg, wire_kid};
use super::keys::{Curve, Jwk, KeyMaterial, describe};
use super::model::{Layer, SignerInput};
use super::ours;
use super::x509;
use crate::backend::SignatureId;

/// COSE_Sign1: the key is the single signer's.
pub(super) fn sign1(ctx: &mut Ctx<'_>, m: &CoseSign1, layer: &Layer, key: &Jwk) -> Step<Vec<u8>> {
    check_layer(ctx, "message", layer, &m.protected.header, &m.unprotected)?;
    let alg = wire_alg("message", &m.protected.header, &m.unprotected)?;
    ctx.algorithm = algs::label_name(&alg);
    let content = payload(ctx, m.payload.as_ref());
    let protected = ours::wire_protected(&m.protected)?;
    let tbs = ours::four("Signature1", &protected, &ctx.ex.external, &content)?;
    ctx.compare(
        "ToBeSign_hex",
        ctx.ex.intermediates.to_be_signed.as_ref(),
        &tbs,
    )?;
    check_kid(&m.protected.header, &m.unprotected, key)?;
    verify(
        ctx,
        &alg,
        key,
        (&m.protected.header, &m.unprotected),
        &tbs,
        &m.signature,
    )?;
    Ok(content)
}

/// COSE_Sign: every signature must verify.
pub(super) fn sign(
    ctx: &mut Ctx<'_>,
    m: &CoseSign,
    layer: &Layer,
    signers: &[SignerInput],
) -> Step<Vec<u8>> {
    check_layer(ctx, "message", layer, &m.protected.header, &m.unprotected)?;
    if m.signatures.len() != signers.len() {
        return Err(failed(format!(
            "{} signatures on the wire, {} signers in the input",
            m.signatures.len(),
            signers.len()
        )));
    }
    let mut algs_seen = Vec::new();
    let mut tbs_all = Vec::new();
    let content = payload(ctx, m.payload.as_ref());
    let body_protected = ours::wire_protected(&m.protected)?;
    for (i, (sig, signer)) in m.signatures.iter().zip(signers).enumerate() {
        let what = format!("signer {i}");
        check_layer(
            ctx,
            &what,
            &signer.headers,
            &sig.protected.header,
            &sig.unprotected,
        )?;
        let alg = wire_alg(&what, &sig.protected.header, &sig.unprotected)?;
        algs_seen.push(algs::label_name(&alg));
        let sign_protected = ours::wire_protected(&sig.protected)?;
        let tbs = ours::five(
            "Signature",
            &body_protected,
            &sign_protected,
            &ctx.ex.external,
            &content,
        )?;
        let expected = ctx.ex.intermediates.signers.get(i).and_then(Option::as_ref);
        ctx.compare(&format!("signers[{i}].ToBeSign_hex"), expected, &tbs)?;
        check_kid(&sig.protected.header, &sig.unprotected, &signer.key)?;
        tbs_all.push((alg, tbs));
    }
    ctx.algorithm = algs_seen.join(", ");
    for ((alg, tbs), (sig, signer)) in tbs_all.iter().zip(m.signatures.iter().zip(signers)) {
        let headers = (&sig.protected.header, &sig.unprotected);
        verify(ctx, alg, &signer.key, headers, tbs, &sig.signature)?;
    }
    Ok(content)
}

/// The attached payload, or the input's plaintext for a detached one.
fn payload(ctx: &mut Ctx<'_>, payload: Option<&Vec<u8>>) -> Vec<u8> {
    payload.cloned().unwrap_or_else(|| {
        ctx.note("context: detached payload taken from input.plaintext".to_string());
        ctx.ex.plaintext.clone()
    })
}

/// A signer `kid` on the wire must be the key's.
fn check_kid(protected: &Header, unprotected: &Header, key: &Jwk) -> Step<()> {
    match wire_kid(protected, unprotected)? {
        Some(kid) if key.kid.as_deref() != Some(kid) => Err(failed(format!(
            "signer kid {:?} on the wire is not the key's kid {:?}",
            String::from_utf8_lossy(kid),
            key.kid.as_deref().map(String::from_utf8_lossy)
        ))),
        _ => Ok(()),
    }
}

/// The profile's signature scheme for `alg` with `key`, or why there is none.
fn scheme(alg: &coset::Algorithm, key: &Jwk) -> Step<SignatureId> {
    let name = algs::label_name(alg);
    let Some(a) = algs::assigned(alg) else {
        return Err(unsupported(format!(
            "{name}: not a signature algorithm of the profile"
        )));
    };
    // The core registry says which algorithms are in the profile; the key's curve and
    // size are the example's.
    let id = crate::cose::iana::signature(a).map_err(unsupported)?;
    match (id, &key.material) {
        (
            SignatureId::Ed25519,
            KeyMaterial::Okp {
                crv: Curve::Ed25519,
                ..
            },
        ) => Ok(id),
        (SignatureId::Ed25519, KeyMaterial::Okp { crv, .. }) => Err(unsupported(format!(
            "EdDSA with {}: only Ed25519 is in the profile",
            crv.name()
        ))),
        (
            SignatureId::EcdsaP256Sha256,
            KeyMaterial::Ec2 {
                crv: Curve::P256, ..
            },
        ) => Ok(id),
        (SignatureId::RsaPss2048Sha256, KeyMaterial::Rsa(k)) if k.bits() == 2048 => Ok(id),
        (SignatureId::RsaPss2048Sha256, KeyMaterial::Rsa(k)) => Err(unsupported(format!(
            "PS256 with a {}-bit modulus: only 2048-bit RSA is in the profile",
            k.bits()
        ))),
        (_, m) => Err(failed(format!(
            "{name} with a {}: the key does not fit the algorithm",
            describe(m)
        ))),
    }
}

/// Verifies one signature over `tbs`.
fn verify(
    ctx: &mut Ctx<'_>,
    alg: &coset::Algorithm,
    key: &Jwk,
    (protected, unprotected): (&Header, &Header),
    tbs: &[u8],
    signature: &[u8],
) -> Step<()> {
    let id = scheme(alg, key)?;
    let scheme_impl =
        (ctx.backend.signature)(id).map_err(|u| unsupported(format!("{}: {u}", id.label())))?;
    let jwk_spki = key.spki().map_err(failed)?;
    let spki = match x509::certificate_key(ctx, protected, unprotected)? {
        Some(cert_spki) if cert_spki != jwk_spki => {
            return Err(failed(
                "the certificate's public key is not the signer's key",
            ));
        }
        Some(cert_spki) => cert_spki,
        None => jwk_spki,
    };
    let vk = scheme_impl
        .verifying_key(&spki)
        .map_err(setup_error("loading the signer's public key"))?;
    vk.verify(tbs, signature).map_err(check_error("signature"))
}
