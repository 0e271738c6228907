//! JSON example → validated [`Example`]: hex decoded, keys typed, exactly one message
//! kind, a top-level `alg` equal to the header's.
//!
//! The serde structs are destructured field by field, so a field added to the schema
//! breaks the build here until the conversion says what it does with it. What the runner
//! does not interpret (countersignatures, nested recipients) is [`Issue::Unsupported`]
//! with the reason; bad data (hex, clashing members) is [`Issue::Malformed`].

use std::path::PathBuf;

use super::json;
use super::keys::Jwk;
use super::model::{
    CertList, Example, InputHeaders, Intermediates, Layer, MessageInput, Mutations, RecipientInput,
    RecipientIntermediates, SignerInput,
};

/// Why a file does not become an [`Example`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Issue {
    /// The data is broken (bad hex, clashing members, no message kind).
    Malformed(String),
    /// The file uses something the runner does not interpret.
    Unsupported(String),
}

impl From<String> for Issue {
    fn from(s: String) -> Self {
        Self::Malformed(s)
    }
}

impl From<&str> for Issue {
    fn from(s: &str) -> Self {
        Self::Malformed(s.to_string())
    }
}

type Conv<T> = Result<T, Issue>;

fn hex_field(name: &str, s: &str) -> Result<Vec<u8>, String> {
    hex::decode(s).map_err(|e| format!("{name} is not hex: {e}"))
}

fn opt_hex(name: &str, s: Option<String>) -> Result<Option<Vec<u8>>, String> {
    s.map(|s| hex_field(name, &s)).transpose()
}

/// Countersignatures are understood as schema but not checked.
fn no_countersign(
    what: &str,
    countersign: Option<&serde_json::Value>,
    countersign0: Option<&serde_json::Value>,
) -> Conv<()> {
    // The core has the Sig_structure a countersignature signs (`cose::structure`,
    // context "CounterSignature"); what the runner lacks is reading the countersigner
    // (its key, headers and the header label it sits under: 7 / 9 in RFC 8152, 11 / 12
    // in RFC 9338, whose CounterSignature structure also covers the signed layer's other
    // fields) and checking the generator's `ToBeSign` for it. So the whole file is left
    // out rather than checked without its countersignature.
    let kind = match (countersign, countersign0) {
        (None, None) => return Ok(()),
        (Some(_), _) => {
            "countersign (COSE_Countersignature: RFC 8152 §4.5 header 7, RFC 9338 header 11)"
        }
        (None, Some(_)) => {
            "countersign0 (abbreviated COSE_Countersignature0: RFC 8152 header 9, RFC 9338 \
             header 12)"
        }
    };
    Err(Issue::Unsupported(format!(
        "{what}: {kind}: the runner does not read countersigners (key, headers, intermediates), \
         so neither the countersignature nor the message is checked"
    )))
}

fn mutations(list: &[(&str, Option<json::Failures>)]) -> Conv<Mutations> {
    let mut m = Mutations::default();
    for (what, f) in list {
        let Some(f) = f else { continue };
        let json::Failures {
            change_tag,
            change_cbor_tag,
            remove_cbor_tag,
            change_attr,
            add_protected,
            remove_protected,
            change_protected,
        } = f;
        let mut add = |name: &str, present: bool| {
            if present {
                m.names.push(format!("{what}{name}"));
            }
        };
        add("ChangeTag", change_tag.is_some());
        add("ChangeCBORTag", change_cbor_tag.is_some());
        add("RemoveCBORTag", remove_cbor_tag.is_some());
        add("ChangeAttr", change_attr.is_some());
        add("AddProtected", add_protected.is_some());
        add("RemoveProtected", remove_protected.is_some());
        add("ChangeProtected", change_protected.is_some());
        if let Some(h) = change_protected {
            hex_field("failures.ChangeProtected", h)?;
        }
        if let Some(t) = change_cbor_tag {
            if !what.is_empty() {
                return Err(Issue::Malformed(format!(
                    "{what}failures.ChangeCBORTag on a layer that carries no tag"
                )));
            }
            m.cbor_tag = Some(*t);
        }
        m.protected |= change_attr.is_some()
            || add_protected.is_some()
            || remove_protected.is_some()
            || change_protected.is_some();
    }
    Ok(m)
}

pub(super) fn convert(raw: json::File, file: String, dir: PathBuf, path: PathBuf) -> Conv<Example> {
    let json::File {
        title,
        description,
        fail,
        input,
        intermediates,
        output,
    } = raw;
    if description.as_deref().is_some_and(|d| d.trim().is_empty()) {
        return Err("description is empty".into());
    }
    let json::Output {
        cbor_diag,
        cbor,
        content,
    } = output;
    if cbor_diag.as_deref().is_some_and(|d| d.trim().is_empty()) {
        return Err("output.cbor_diag is empty".into());
    }
    let cbor = hex_field("output.cbor", &cbor)?;
    let json::Input {
        plaintext,
        plaintext_hex,
        detached,
        fail: input_fail,
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
                "exactly one of input.plaintext and input.plaintext_hex is required".into(),
            );
        }
    };
    if let Some(c) = opt_hex("output.content", content)?
        && c != plaintext
    {
        return Err("output.content (the detached content) is not the plaintext".into());
    }
    let _ = detached; // the runner detects a detached payload on the wire (nil)
    let streams = match rng_stream {
        None => Vec::new(),
        Some(json::OneOrMany::One(s)) => vec![s],
        Some(json::OneOrMany::Many(v)) => v,
    };
    for (i, r) in streams.iter().enumerate() {
        hex_field(&format!("input.rng_stream[{i}]"), r)?;
    }
    if rng_description.as_deref().is_some_and(str::is_empty) {
        return Err("input.rng_description is empty".into());
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
                .into(),
        );
    }
    let mut layer_failures: Vec<(String, Option<json::Failures>)> = vec![(String::new(), failures)];
    let mut any_fail = fail || input_fail == Some(true);
    let external;
    let message = if let Some(s) = sign0 {
        let json::Sign0 {
            alg,
            key: k,
            protected,
            unprotected,
            unsent,
            external: ext,
            countersign,
            countersign0,
        } = s;
        no_countersign("sign0", countersign.as_ref(), countersign0.as_ref())?;
        external = ext;
        let layer = layer(protected, unprotected, unsent)?;
        check_top_alg(alg, &layer)?;
        MessageInput::Sign1 {
            layer,
            key: key(k, "sign0.key")?,
        }
    } else if let Some(s) = sign {
        let json::Sign {
            protected,
            unprotected,
            unsent,
            external: ext,
            signers,
            countersign,
            countersign0,
        } = s;
        no_countersign("sign", countersign.as_ref(), countersign0.as_ref())?;
        external = ext;
        if signers.is_empty() {
            return Err("sign.signers is empty".into());
        }
        let mut out = Vec::with_capacity(signers.len());
        for (i, s) in signers.into_iter().enumerate() {
            let json::Signer {
                alg,
                key: k,
                protected,
                unprotected,
                unsent,
                external: signer_ext,
                fail,
                failures,
                countersign,
                countersign0,
            } = s;
            let what = format!("sign.signers[{i}]");
            no_countersign(&what, countersign.as_ref(), countersign0.as_ref())?;
            if signer_ext.is_some() {
                return Err(Issue::Unsupported(format!(
                    "{what}.external: a per-signer external AAD is not interpreted"
                )));
            }
            any_fail |= fail == Some(true);
            layer_failures.push((format!("{what}."), failures));
            let headers = layer(protected, unprotected, unsent)?;
            check_top_alg(alg, &headers)?;
            out.push(SignerInput {
                key: key(k, &format!("{what}.key"))?,
                headers,
            });
        }
        MessageInput::Sign {
            layer: layer(protected, unprotected, unsent)?,
            signers: out,
        }
    } else if let Some(m) = mac0.or(mac) {
        let is_mac0 = kinds.get(2).copied().unwrap_or(false);
        let json::Mac {
            alg,
            protected,
            unprotected,
            unsent,
            external: ext,
            recipients,
            countersign,
            countersign0,
        } = m;
        let what = if is_mac0 { "mac0" } else { "mac" };
        no_countersign(what, countersign.as_ref(), countersign0.as_ref())?;
        external = ext;
        let layer = layer(protected, unprotected, unsent)?;
        check_top_alg(alg, &layer)?;
        let mut recipients = recipient_inputs(recipients, &mut layer_failures, &mut any_fail)?;
        if is_mac0 {
            MessageInput::Mac0 {
                layer,
                key: single_direct_key(&mut recipients, "mac0")?,
            }
        } else {
            MessageInput::Mac { layer, recipients }
        }
    } else if let Some(e) = encrypted {
        let json::Encrypted {
            alg,
            protected,
            unprotected,
            unsent,
            external: ext,
            recipients,
            countersign,
            countersign0,
        } = e;
        no_countersign("encrypted", countersign.as_ref(), countersign0.as_ref())?;
        external = ext;
        let layer = layer(protected, unprotected, unsent)?;
        check_top_alg(alg, &layer)?;
        let mut recipients = recipient_inputs(recipients, &mut layer_failures, &mut any_fail)?;
        MessageInput::Encrypt0 {
            layer,
            key: single_direct_key(&mut recipients, "encrypted")?,
        }
    } else if let Some(e) = enveloped {
        let json::Enveloped {
            alg,
            protected,
            unprotected,
            unsent,
            external: ext,
            recipients,
            countersign,
            countersign0,
        } = e;
        no_countersign("enveloped", countersign.as_ref(), countersign0.as_ref())?;
        external = ext;
        let layer = layer(protected, unprotected, unsent)?;
        check_top_alg(alg, &layer)?;
        MessageInput::Encrypt {
            layer,
            recipients: recipient_inputs(recipients, &mut layer_failures, &mut any_fail)?,
        }
    } else {
        return Err("no message kind".into());
    };
    let list: Vec<(&str, Option<json::Failures>)> = layer_failures
        .iter_mut()
        .map(|(w, f)| (w.as_str(), f.take()))
        .collect();
    let mutations = mutations(&list)?;
    Ok(Example {
        file,
        title,
        expect_reject: any_fail,
        plaintext,
        cbor,
        dir,
        path,
        external: opt_hex("external", external)?.unwrap_or_default(),
        mutations,
        message,
        intermediates: intermediates_of(intermediates)?,
    })
}

/// Text cast to bytes, or hex; never both.
fn text_or_hex(
    name: &str,
    text: Option<String>,
    hex: Option<String>,
) -> Result<Option<Vec<u8>>, String> {
    match (text, hex) {
        (Some(_), Some(_)) => Err(format!("{name} and {name}_hex are both given")),
        (Some(t), None) => Ok(Some(t.into_bytes())),
        (None, Some(h)) => hex_field(&format!("{name}_hex"), &h).map(Some),
        (None, None) => Ok(None),
    }
}

fn headers(h: Option<json::Headers>, bucket: &str) -> Result<InputHeaders, String> {
    // ref: RFC 9052 §3.1, RFC 9053 §6.4.2 / §5.1 (header labels)
    const SALT: i64 = -20;
    const APU_ID: i64 = -21;
    const APU_NONCE: i64 = -22;
    const APU_OTHER: i64 = -23;
    const APV_ID: i64 = -24;
    const APV_NONCE: i64 = -25;
    const APV_OTHER: i64 = -26;
    const SPK_KID: i64 = -3;
    let json::Headers {
        alg,
        kid,
        kid_hex,
        ctyp,
        iv_hex,
        partial_iv_hex,
        x5bag,
        x5chain,
        x5t,
        epk,
        spk_kid,
        spk_kid_hex,
        salt,
        salt_hex,
        apu_id,
        apu_nonce,
        apu_nonce_hex,
        apu_other,
        apv_id,
        apv_nonce,
        apv_other,
        pub_other,
        priv_other,
        compressed,
        comment,
    } = h.unwrap_or_default();
    if comment.as_deref().is_some_and(str::is_empty) {
        return Err(format!("{bucket} comment is empty"));
    }
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
    let compressed = match compressed {
        None => None,
        Some(_) if bucket != "unsent" => {
            return Err(format!("compressed in the {bucket} headers (unsent only)"));
        }
        Some(0) => Some(false),
        Some(1) => Some(true),
        Some(n) => return Err(format!("unsent.compressed is {n}, not 0 or 1")),
    };
    let mut bstrs = Vec::new();
    for (label, name, v) in [
        (SALT, "salt", text_or_hex("salt", salt, salt_hex)?),
        (APU_ID, "apu_id", apu_id.map(String::into_bytes)),
        (
            APU_NONCE,
            "apu_nonce",
            text_or_hex("apu_nonce", apu_nonce, apu_nonce_hex)?,
        ),
        (APU_OTHER, "apu_other", apu_other.map(String::into_bytes)),
        (APV_ID, "apv_id", apv_id.map(String::into_bytes)),
        (APV_NONCE, "apv_nonce", apv_nonce.map(String::into_bytes)),
        (APV_OTHER, "apv_other", apv_other.map(String::into_bytes)),
        (
            SPK_KID,
            "spk_kid",
            text_or_hex("spk_kid", spk_kid, spk_kid_hex)?,
        ),
    ] {
        let _ = name;
        if let Some(v) = v {
            bstrs.push((label, v));
        }
    }
    let epk = match epk {
        None => false,
        Some(k) => {
            // Validated like any key; its value is checked through the ECDH results.
            Jwk::from_json(k).map_err(|e| format!("{bucket} epk: {e}"))?;
            true
        }
    };
    Ok(InputHeaders {
        alg,
        kid: text_or_hex("kid", kid, kid_hex)?,
        ctyp,
        iv: opt_hex("IV_hex", iv_hex)?,
        partial_iv: opt_hex("partialIV_hex", partial_iv_hex)?,
        bstrs,
        epk,
        pub_other: pub_other.map(String::into_bytes),
        priv_other: priv_other.map(String::into_bytes),
        compressed,
        x5bag: certs("x5bag", x5bag)?,
        x5chain: certs("x5chain", x5chain)?,
        x5t,
    })
}

fn layer(
    protected: Option<json::Headers>,
    unprotected: Option<json::Headers>,
    unsent: Option<json::Headers>,
) -> Result<Layer, String> {
    Ok(Layer {
        protected: headers(protected, "protected")?,
        unprotected: headers(unprotected, "unprotected")?,
        unsent: headers(unsent, "unsent")?,
    })
}

/// A top-level `alg` next to the headers must repeat the header's `alg`.
fn check_top_alg(top: Option<String>, layer: &Layer) -> Result<(), String> {
    match top {
        None => Ok(()),
        Some(a)
            if layer.protected.alg.as_ref() == Some(&a)
                || layer.unprotected.alg.as_ref() == Some(&a)
                || layer.unsent.alg.as_ref() == Some(&a) =>
        {
            Ok(())
        }
        Some(a) => Err(format!("top-level alg {a:?} is not the alg of the headers")),
    }
}

fn key(j: json::Jwk, what: &str) -> Result<Jwk, String> {
    Jwk::from_json(j).map_err(|e| format!("{what}: {e}"))
}

fn recipient_inputs(
    list: Vec<json::Recipient>,
    failures: &mut Vec<(String, Option<json::Failures>)>,
    any_fail: &mut bool,
) -> Conv<Vec<RecipientInput>> {
    if list.is_empty() {
        return Err("recipients is empty".into());
    }
    let mut out = Vec::with_capacity(list.len());
    for (i, r) in list.into_iter().enumerate() {
        let json::Recipient {
            alg,
            key: k,
            protected,
            unprotected,
            unsent,
            sender_key,
            fail,
            failures: f,
            recipients,
            countersign,
            countersign0,
        } = r;
        let what = format!("recipients[{i}]");
        no_countersign(&what, countersign.as_ref(), countersign0.as_ref())?;
        if recipients.is_some() {
            return Err(Issue::Unsupported(format!(
                "{what}.recipients: nested recipients (multi-layer key wrap) are not in the profile"
            )));
        }
        *any_fail |= fail == Some(true);
        failures.push((format!("{what}."), f));
        let headers = layer(protected, unprotected, unsent)?;
        check_top_alg(alg, &headers)?;
        out.push(RecipientInput {
            key: key(k, &format!("{what}.key"))?,
            headers,
            sender_key: sender_key
                .map(|s| key(s, &format!("{what}.sender_key")))
                .transpose()?,
        });
    }
    Ok(out)
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
        && r.headers.unsent.compressed.is_none()
        && r.headers.protected.alg.is_none()
        && r.headers.unprotected.alg.as_deref() == Some("direct");
    if !plain {
        return Err(format!(
            "{what}: the recipient must be a plain \"direct\" key"
        ));
    }
    Ok(r)
}

fn intermediates_of(i: json::Intermediates) -> Conv<Intermediates> {
    let json::Intermediates {
        aad_hex,
        cek_hex,
        to_be_sign_hex,
        to_mac_hex,
        recipients,
        signers,
        countersigners,
        countersign0,
    } = i;
    // Countersignature intermediates without a countersigned input: the input check
    // (`no_countersign`) already made a file with countersignatures unsupported.
    let stray = |v: &Option<serde_json::Value>, w: &Option<serde_json::Value>, what: &str| {
        if v.is_some() || w.is_some() {
            Err(Issue::Malformed(format!(
                "{what} countersignature intermediates without a countersignature in the input"
            )))
        } else {
            Ok(())
        }
    };
    stray(&countersigners, &countersign0, "message")?;
    let mut recips = Vec::new();
    for r in recipients.unwrap_or_default() {
        let json::RecipientIntermediates {
            context_hex,
            secret_hex,
            countersigners,
            countersign0,
        } = r;
        stray(&countersigners, &countersign0, "recipient")?;
        recips.push(RecipientIntermediates {
            context: opt_hex("Context_hex", context_hex)?,
            secret: opt_hex("Secret_hex", secret_hex)?,
        });
    }
    let mut sigs = Vec::new();
    for s in signers.unwrap_or_default() {
        let json::SignerIntermediates {
            to_be_sign_hex,
            countersigners,
            countersign0,
        } = s;
        stray(&countersigners, &countersign0, "signer")?;
        sigs.push(opt_hex("ToBeSign_hex", to_be_sign_hex)?);
    }
    Ok(Intermediates {
        aad: opt_hex("AAD_hex", aad_hex)?,
        cek: opt_hex("CEK_hex", cek_hex)?,
        to_be_signed: opt_hex("ToBeSign_hex", to_be_sign_hex)?,
        to_mac: opt_hex("ToMac_hex", to_mac_hex)?,
        recipients: recips,
        signers: sigs,
    })
}
