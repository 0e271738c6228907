//! JSON example → validated [`Example`]: hex decoded, keys typed, exactly one message
//! kind, `fail` consistent with `failures`, a top-level `alg` equal to the header's.
//!
//! The serde structs are destructured field by field, so a field added to the schema
//! breaks the build here until the conversion says what it does with it.

use std::path::PathBuf;

use super::json;
use super::keys::Jwk;
use super::model::{
    CertList, Example, InputHeaders, Intermediates, Layer, MessageInput, RecipientInput,
    RecipientIntermediates, SignerInput,
};

fn hex_field(name: &str, s: &str) -> Result<Vec<u8>, String> {
    hex::decode(s).map_err(|e| format!("{name} is not hex: {e}"))
}

fn opt_hex(name: &str, s: Option<String>) -> Result<Option<Vec<u8>>, String> {
    s.map(|s| hex_field(name, &s)).transpose()
}

pub(super) fn convert(raw: json::File, file: String, dir: PathBuf) -> Result<Example, String> {
    let json::File {
        title,
        fail,
        input,
        intermediates,
        output,
    } = raw;
    let json::Output { cbor_diag, cbor } = output;
    if cbor_diag.trim().is_empty() {
        return Err("output.cbor_diag is empty".to_string());
    }
    let cbor = hex_field("output.cbor", &cbor)?;
    let json::Input {
        plaintext,
        plaintext_hex,
        sign0,
        sign,
        mac0,
        mac,
        encrypted,
        enveloped,
        failures,
        rng_stream,
        rng_description,
    } = input;
    let plaintext = match (plaintext, plaintext_hex) {
        (Some(p), None) => p.into_bytes(),
        (None, Some(h)) => hex_field("input.plaintext_hex", &h)?,
        _ => {
            return Err(
                "exactly one of input.plaintext and input.plaintext_hex is required".to_string(),
            );
        }
    };
    for (i, r) in rng_stream.iter().flatten().enumerate() {
        hex_field(&format!("input.rng_stream[{i}]"), r)?;
    }
    if rng_description.as_deref().is_some_and(str::is_empty) {
        return Err("input.rng_description is empty".to_string());
    }
    match (fail, failures) {
        (
            true,
            Some(json::Failures {
                change_tag: Some(_),
            }),
        )
        | (false, None) => {}
        (true, _) => return Err("\"fail\": true without input.failures.ChangeTag".to_string()),
        (false, Some(_)) => {
            return Err("input.failures on an example not marked \"fail\"".to_string());
        }
    }
    let kinds = [
        sign0.is_some(),
        sign.is_some(),
        mac0.is_some(),
        mac.is_some(),
        encrypted.is_some(),
        enveloped.is_some(),
    ];
    if kinds.iter().filter(|&&k| k).count() != 1 {
        return Err(
            "input must describe exactly one of sign0, sign, mac0, mac, encrypted, enveloped"
                .to_string(),
        );
    }
    let message = if let Some(s) = sign0 {
        sign1_input(s)?
    } else if let Some(s) = sign {
        sign_input(s)?
    } else if let Some(m) = mac0 {
        let (layer, mut recipients) = mac_input(m)?;
        MessageInput::Mac0 {
            layer,
            key: single_direct_key(&mut recipients, "mac0")?,
        }
    } else if let Some(m) = mac {
        let (layer, recipients) = mac_input(m)?;
        MessageInput::Mac { layer, recipients }
    } else if let Some(e) = encrypted {
        let json::Encrypted {
            protected,
            unprotected,
            recipients,
        } = e;
        let mut recipients = recipient_inputs(recipients)?;
        MessageInput::Encrypt0 {
            layer: layer(protected, unprotected)?,
            key: single_direct_key(&mut recipients, "encrypted")?,
        }
    } else if let Some(e) = enveloped {
        let json::Enveloped {
            protected,
            unprotected,
            unsent,
            recipients,
        } = e;
        MessageInput::Encrypt {
            layer: layer(protected, unprotected)?,
            unsent_iv: unsent
                .map(|u| hex_field("enveloped.unsent.IV_hex", &u.iv_hex))
                .transpose()?,
            recipients: recipient_inputs(recipients)?,
        }
    } else {
        return Err("no message kind".to_string());
    };
    Ok(Example {
        file,
        title,
        expect_reject: fail,
        plaintext,
        cbor,
        dir,
        message,
        intermediates: intermediates_of(intermediates)?,
    })
}

fn headers(h: Option<json::Headers>) -> Result<InputHeaders, String> {
    let json::Headers {
        alg,
        kid,
        ctyp,
        partial_iv_hex,
        x5bag,
        x5chain,
        x5t,
    } = h.unwrap_or_default();
    let certs = |name: &str, v: Option<json::OneOrMany>| -> Result<Option<CertList>, String> {
        Ok(match v {
            None => None,
            Some(json::OneOrMany::One(h)) => Some(CertList::One(hex_field(name, &h)?)),
            Some(json::OneOrMany::Many(list)) => Some(CertList::Many(
                list.iter()
                    .map(|h| hex_field(name, h))
                    .collect::<Result<_, _>>()?,
            )),
        })
    };
    let x5t = match x5t.as_deref() {
        None => None,
        Some([hash, digest]) => Some((hash.clone(), hex_field("x5t digest", digest)?)),
        Some(_) => return Err("x5t must be [hash algorithm, hex digest]".to_string()),
    };
    Ok(InputHeaders {
        alg,
        kid: kid.map(String::into_bytes),
        ctyp,
        partial_iv: opt_hex("partialIV_hex", partial_iv_hex)?,
        x5bag: certs("x5bag", x5bag)?,
        x5chain: certs("x5chain", x5chain)?,
        x5t,
    })
}

fn layer(
    protected: Option<json::Headers>,
    unprotected: Option<json::Headers>,
) -> Result<Layer, String> {
    Ok(Layer {
        protected: headers(protected)?,
        unprotected: headers(unprotected)?,
    })
}

/// A top-level `alg` next to the headers must repeat the header's `alg`.
fn check_top_alg(top: Option<String>, layer: &Layer) -> Result<(), String> {
    match top {
        None => Ok(()),
        Some(a)
            if layer.protected.alg.as_ref() == Some(&a)
                || layer.unprotected.alg.as_ref() == Some(&a) =>
        {
            Ok(())
        }
        Some(a) => Err(format!("top-level alg {a:?} is not the alg of the headers")),
    }
}

fn key(j: json::Jwk, what: &str) -> Result<Jwk, String> {
    Jwk::from_json(j).map_err(|e| format!("{what}: {e}"))
}

fn sign1_input(s: json::Sign0) -> Result<MessageInput, String> {
    let json::Sign0 {
        alg,
        key: k,
        protected,
        unprotected,
    } = s;
    let layer = layer(protected, unprotected)?;
    check_top_alg(alg, &layer)?;
    Ok(MessageInput::Sign1 {
        layer,
        key: key(k, "sign0.key")?,
    })
}

fn sign_input(s: json::Sign) -> Result<MessageInput, String> {
    let json::Sign {
        protected,
        unprotected,
        signers,
    } = s;
    if signers.is_empty() {
        return Err("sign.signers is empty".to_string());
    }
    let signers = signers
        .into_iter()
        .enumerate()
        .map(
            |(
                i,
                json::Signer {
                    key: k,
                    protected,
                    unprotected,
                },
            )| {
                Ok(SignerInput {
                    key: key(k, &format!("sign.signers[{i}].key"))?,
                    headers: layer(protected, unprotected)?,
                })
            },
        )
        .collect::<Result<_, String>>()?;
    Ok(MessageInput::Sign {
        layer: layer(protected, unprotected)?,
        signers,
    })
}

fn mac_input(m: json::Mac) -> Result<(Layer, Vec<RecipientInput>), String> {
    let json::Mac {
        alg,
        protected,
        unprotected,
        recipients,
    } = m;
    let layer = layer(protected, unprotected)?;
    check_top_alg(alg, &layer)?;
    Ok((layer, recipient_inputs(recipients)?))
}

fn recipient_inputs(list: Vec<json::Recipient>) -> Result<Vec<RecipientInput>, String> {
    if list.is_empty() {
        return Err("recipients is empty".to_string());
    }
    list.into_iter()
        .enumerate()
        .map(
            |(
                i,
                json::Recipient {
                    key: k,
                    protected,
                    unprotected,
                    sender_key,
                    unsent,
                },
            )| {
                let compressed = match unsent.map(|u| u.compressed) {
                    None => None,
                    Some(0) => Some(false),
                    Some(1) => Some(true),
                    Some(n) => {
                        return Err(format!(
                            "recipients[{i}].unsent.compressed is {n}, not 0 or 1"
                        ));
                    }
                };
                Ok(RecipientInput {
                    key: key(k, &format!("recipients[{i}].key"))?,
                    headers: layer(protected, unprotected)?,
                    sender_key: sender_key
                        .map(|s| key(s, &format!("recipients[{i}].sender_key")))
                        .transpose()?,
                    compressed,
                })
            },
        )
        .collect()
}

/// `*0` structures carry no recipients: the input's single recipient only names the
/// direct key the message is under.
fn single_direct_key(
    recipients: &mut Vec<RecipientInput>,
    what: &str,
) -> Result<RecipientInput, String> {
    let (Some(r), true) = (recipients.pop(), recipients.is_empty()) else {
        return Err(format!("{what} needs exactly one recipient (the key)"));
    };
    let plain = r.sender_key.is_none()
        && r.compressed.is_none()
        && r.headers.protected.alg.is_none()
        && r.headers.unprotected.alg.as_deref() == Some("direct");
    if !plain {
        return Err(format!(
            "{what}: the recipient must be a plain \"direct\" key"
        ));
    }
    Ok(r)
}

fn intermediates_of(i: json::Intermediates) -> Result<Intermediates, String> {
    let json::Intermediates {
        aad_hex,
        cek_hex,
        to_be_sign_hex,
        to_mac_hex,
        recipients,
        signers,
    } = i;
    let recipients = recipients
        .unwrap_or_default()
        .into_iter()
        .map(
            |json::RecipientIntermediates {
                 context_hex,
                 secret_hex,
             }| {
                Ok(RecipientIntermediates {
                    context: opt_hex("Context_hex", context_hex)?,
                    secret: opt_hex("Secret_hex", secret_hex)?,
                })
            },
        )
        .collect::<Result<_, String>>()?;
    let signers = signers
        .unwrap_or_default()
        .into_iter()
        .map(|json::SignerIntermediates { to_be_sign_hex }| opt_hex("ToBeSign_hex", to_be_sign_hex))
        .collect::<Result<_, String>>()?;
    Ok(Intermediates {
        aad: opt_hex("AAD_hex", aad_hex)?,
        cek: opt_hex("CEK_hex", cek_hex)?,
        to_be_signed: opt_hex("ToBeSign_hex", to_be_sign_hex)?,
        to_mac: opt_hex("ToMac_hex", to_mac_hex)?,
        recipients,
        signers,
    })
}
