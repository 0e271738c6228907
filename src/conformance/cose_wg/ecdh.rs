//! Direct key agreement: ECDH-ES / ECDH-SS + HKDF-256 with P-256 or X25519.
//!
//! The recipient's private key and the sender's public key (ephemeral `-1`, static `-2`,
//! or static key id `-3` resolved to the file's `sender_key`) give the shared secret
//! through the backend's `KeyAgreement`; HKDF-SHA-256 through the backend's `Kdf`, with
//! the COSE_KDF_Context as `info` and header `-20` as salt, gives the content key.
//! ref: RFC 9053 §6.3.1

use coset::CoseRecipient;
use coset::cbor::value::Value;
use coset::iana::{self, EnumI64};

use super::check::{Ctx, Step, check_error, failed, unsupported};
use super::headers::either;
use super::keys::{Curve, Jwk, KeyMaterial, describe};
use super::model::{RecipientInput, RecipientIntermediates};
use crate::backend::KeyAgreementId;
use crate::cose::cbor::Reader;
use crate::cose::cek;
use crate::cose::key::{self, KeyError};

/// The agreement scheme and private scalar of the recipient's key.
fn private_key(key: &Jwk) -> Step<(KeyAgreementId, &[u8])> {
    let (id, d) = match &key.material {
        KeyMaterial::Ec2 {
            crv: Curve::P256,
            d,
            ..
        } => (KeyAgreementId::EcdhP256, d),
        KeyMaterial::Okp {
            crv: Curve::X25519,
            d,
            ..
        } => (KeyAgreementId::X25519, d),
        KeyMaterial::Ec2 { crv, .. } | KeyMaterial::Okp { crv, .. } => {
            return Err(unsupported(format!(
                "ECDH on {}: only P-256 and X25519 are in the profile",
                crv.name()
            )));
        }
        other => return Err(failed(format!("ECDH recipient has a {}", describe(other)))),
    };
    let d = d
        .as_deref()
        .ok_or_else(|| failed("ECDH recipient key has no private part"))?;
    Ok((id, d))
}

/// The public key a file JWK gives, in the trait's raw format.
fn jwk_public(key: &Jwk, id: KeyAgreementId) -> Step<Vec<u8>> {
    match (id, &key.material) {
        (KeyAgreementId::EcdhP256, KeyMaterial::Ec2 { .. }) => key.p256_point().map_err(failed),
        (
            KeyAgreementId::X25519,
            KeyMaterial::Okp {
                crv: Curve::X25519,
                x,
                ..
            },
        ) => Ok(x.clone()),
        (_, m) => Err(failed(format!(
            "sender key is a {}, the recipient's is {}",
            describe(m),
            id.label()
        ))),
    }
}

/// The public key of a COSE_Key header value, in the trait's raw format, read by the
/// core's COSE_Key decoder (`cose::key`) from the value's CBOR encoding.
fn cose_public(v: &Value, id: KeyAgreementId) -> Step<Vec<u8>> {
    let mut bytes = Vec::new();
    coset::cbor::ser::into_writer(v, &mut bytes)
        .map_err(|e| failed(format!("sender COSE_Key: {e}")))?;
    let mut r = Reader::new(&bytes);
    let key = key::decode(&mut r)
        .and_then(|k| r.finish().map(|()| k).map_err(KeyError::from))
        .map_err(|e| failed(format!("sender {e}")))?;
    key.agreement_public(id).map_err(|e| match e {
        KeyError::Compressed => unsupported(format!("sender {e}")),
        KeyError::Shape(_) => failed(format!(
            "sender key is not {} key like the recipient's ({e})",
            match id {
                KeyAgreementId::EcdhP256 => "an EC2 P-256",
                KeyAgreementId::X25519 => "an OKP X25519",
            }
        )),
        other => failed(format!("sender {other}")),
    })
}

/// The sender's public key for this recipient.
fn sender_public(
    r: &CoseRecipient,
    input: &RecipientInput,
    id: KeyAgreementId,
    static_sender: bool,
) -> Step<Vec<u8>> {
    use iana::HeaderAlgorithmParameter as H;
    let (p, u) = (&r.protected.header, &r.unprotected);
    if !static_sender {
        let v = either(p, u, H::EphemeralKey.to_i64())?
            .ok_or_else(|| failed("ECDH-ES recipient without an ephemeral key (-1)"))?;
        // A compressed point is unsupported above, so the point on the wire is uncompressed.
        let point = cose_public(v, id)?;
        if input.headers.unsent.compressed == Some(true) {
            return Err(failed(
                "ephemeral point compression differs from input.unsent.compressed",
            ));
        }
        return Ok(point);
    }
    let sender = input
        .sender_key
        .as_ref()
        .ok_or_else(|| failed("ECDH-SS recipient without input.sender_key"))?;
    let from_file = jwk_public(sender, id)?;
    match (
        either(p, u, H::StaticKey.to_i64())?,
        either(p, u, H::StaticKeyId.to_i64())?,
    ) {
        (Some(v), None) => {
            let point = cose_public(v, id)?;
            if point != from_file {
                return Err(failed(
                    "static key on the wire (-2) is not input.sender_key",
                ));
            }
            Ok(point)
        }
        (None, Some(Value::Bytes(kid))) => {
            if sender.kid.as_deref() != Some(kid.as_slice()) {
                return Err(failed(
                    "static key id on the wire (-3) is not input.sender_key's kid",
                ));
            }
            Ok(from_file)
        }
        _ => Err(failed(
            "ECDH-SS recipient needs exactly one of static key (-2) and static key id (-3)",
        )),
    }
}

/// The content key this recipient derives; `context` is its COSE_KDF_Context.
pub(super) fn content_key(
    ctx: &mut Ctx<'_>,
    r: &CoseRecipient,
    input: &RecipientInput,
    inter: Option<&RecipientIntermediates>,
    static_sender: bool,
    context: &[u8],
    key_len: usize,
) -> Step<Vec<u8>> {
    let (id, d) = private_key(&input.key)?;
    let peer = sender_public(r, input, id, static_sender)?;
    // The core's content-key recovery through the backend: ECDH, then HKDF-256 with the
    // COSE_KDF_Context as info.
    let secret = cek::ecdh_secret(ctx.backend, id, d, &peer).map_err(check_error("ECDH"))?;
    ctx.compare("Secret_hex", inter.and_then(|i| i.secret.as_ref()), &secret)?;
    let salt = match either(
        &r.protected.header,
        &r.unprotected,
        iana::HeaderAlgorithmParameter::Salt.to_i64(),
    )? {
        None => Vec::new(),
        Some(Value::Bytes(s)) => s.clone(),
        Some(_) => return Err(failed("salt (-20) is not a bstr")),
    };
    let cek = cek::ecdh_direct_key(ctx.backend, &secret, &salt, context, key_len)
        .map_err(check_error("HKDF"))?;
    Ok(cek.to_vec())
}
