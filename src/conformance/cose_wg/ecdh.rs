//! Direct key agreement: ECDH-ES / ECDH-SS + HKDF-256 with P-256 or X25519.
//!
//! The recipient's private key and the sender's public key (ephemeral `-1`, static `-2`,
//! or static key id `-3` resolved to the file's `sender_key`) give the shared secret
//! through the backend's `KeyAgreement`; HKDF-SHA-256 through the backend's `Kdf`, with
//! the COSE_KDF_Context as `info` and header `-20` as salt, gives the content key.
//! ref: RFC 9053 §6.3.1

use coset::cbor::value::Value;
use coset::iana::{self, EnumI64};
use coset::{AsCborValue, CoseKey, CoseRecipient, KeyType, Label};

use super::check::{Ctx, Step, check_error, failed, setup_error, unsupported};
use super::headers::either;
use super::keys::{Curve, Jwk, KeyMaterial, describe};
use super::model::{RecipientInput, RecipientIntermediates};
use crate::backend::{KdfId, KeyAgreementId};

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

fn param(key: &CoseKey, label: i64) -> Option<&Value> {
    key.params
        .iter()
        .find(|(l, _)| *l == Label::Int(label))
        .map(|(_, v)| v)
}

/// The public key of a COSE_Key header value, in the trait's raw format. Also returns
/// whether the point was sent compressed.
fn cose_public(v: &Value, id: KeyAgreementId) -> Step<(Vec<u8>, bool)> {
    let key =
        CoseKey::from_cbor_value(v.clone()).map_err(|e| failed(format!("sender COSE_Key: {e}")))?;
    let bytes = |label: i64| match param(&key, label) {
        Some(Value::Bytes(b)) if b.len() == 32 => Ok(b.clone()),
        _ => Err(failed(format!(
            "sender COSE_Key parameter {label} is not a 32-byte bstr"
        ))),
    };
    let crv = param(&key, iana::Ec2KeyParameter::Crv.to_i64())
        .and_then(|c| c.as_integer())
        .map(i128::from);
    match id {
        KeyAgreementId::EcdhP256 => {
            let p256 = i128::from(iana::EllipticCurve::P_256.to_i64());
            if key.kty != KeyType::Assigned(iana::KeyType::EC2) || crv != Some(p256) {
                return Err(failed(
                    "sender key is not an EC2 P-256 key like the recipient's",
                ));
            }
            let x = bytes(iana::Ec2KeyParameter::X.to_i64())?;
            match param(&key, iana::Ec2KeyParameter::Y.to_i64()) {
                Some(Value::Bool(_)) => Err(unsupported(
                    "compressed P-256 sender point: the key-agreement interface takes uncompressed points",
                )),
                _ => {
                    let y = bytes(iana::Ec2KeyParameter::Y.to_i64())?;
                    Ok(([[0x04].as_slice(), &x, &y].concat(), false))
                }
            }
        }
        KeyAgreementId::X25519 => {
            let x25519 = i128::from(iana::EllipticCurve::X25519.to_i64());
            if key.kty != KeyType::Assigned(iana::KeyType::OKP) || crv != Some(x25519) {
                return Err(failed(
                    "sender key is not an OKP X25519 key like the recipient's",
                ));
            }
            Ok((bytes(iana::OkpKeyParameter::X.to_i64())?, false))
        }
    }
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
        let (point, compressed) = cose_public(v, id)?;
        if input
            .headers
            .unsent
            .compressed
            .is_some_and(|c| c != compressed)
        {
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
            let (point, _) = cose_public(v, id)?;
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
    let ka =
        (ctx.backend.key_agreement)(id).map_err(|u| unsupported(format!("{}: {u}", id.label())))?;
    let kdf = (ctx.backend.kdf)(KdfId::HkdfSha256)
        .map_err(|u| unsupported(format!("{}: {u}", KdfId::HkdfSha256.label())))?;
    let private = ka
        .private_key(d)
        .map_err(setup_error("importing the recipient's static private key"))?;
    let mut secret = vec![0u8; id.shared_secret_len()];
    let n = private
        .agree(&peer, &mut secret)
        .map_err(check_error("ECDH"))?;
    secret.truncate(n);
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
    let mut cek = vec![0u8; key_len];
    // The envelope's HKDF step (`envelope::recipient::derive_key`) through the backend.
    crate::envelope::recipient::derive_key(kdf, &salt, &secret, context, &mut cek)
        .map_err(|e| failed(format!("HKDF: {e}")))?;
    Ok(cek)
}
