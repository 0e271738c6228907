//! What each scenario's timed loop contains, so a number is never read as something else.
//!
//! Set-up outside the loop: key schedules, sealers and openers, the payload (envelope seal
//! uses the zero-copy API: the payload is placed once with `payload_buf`, each iteration
//! seals it where it lies). In-place opens restore their input by copying a pristine sealed
//! message into the work buffer; that copy is measured alone as `memcpy_<size>`.

use super::scenario::{Op, Recipients, Scenario, Work};
use crate::envelope::{Identity, Mode};

const COPY_IN: &str = "copy of the sealed input from a pool (measured alone as memcpy_<size>)";

/// What the timed loop of `s` contains.
pub fn inside_loop(s: &Scenario) -> Vec<String> {
    let v: Vec<&str> = match (s.work, s.op) {
        (Work::Memcpy, _) => vec!["copy of size bytes from a pool of buffers, round robin"],
        (Work::Arith, _) => vec!["size dependent 64-bit multiply, xor and shift steps"],
        (Work::Aead(_), Op::Seal) => vec!["nonce counter", "encrypt + tag in place", "empty aad"],
        (Work::Aead(_), _) => vec![COPY_IN, "decrypt + tag check in place", "empty aad"],
        (Work::Mac(_), Op::Mac) => vec!["hmac over the payload"],
        (Work::Mac(_), _) => vec!["hmac over the payload", "constant-time tag compare"],
        (Work::Signature(_), Op::Sign) => vec!["hash + sign (ECDSA, PSS: randomness)"],
        (Work::Signature(_), _) => vec!["hash + verify"],
        (Work::KeyTransport(_), Op::EncryptKey) => {
            vec!["OAEP padding (random seed) + RSA public op"]
        }
        (Work::KeyTransport(_), _) => vec!["RSA private op + OAEP unpadding"],
        (Work::KeyAgreement(_), Op::AgreeEphemeral) => vec![
            "ephemeral key generation (allocates the boxed key)",
            "public key encoding",
            "agreement",
            "HKDF over a COSE_KDF_Context",
        ],
        (Work::KeyAgreement(_), _) => {
            vec![
                "agreement with the static key",
                "HKDF over a COSE_KDF_Context",
            ]
        }
        (Work::Channel(c), op) => return super::routine::channel_loop(&c, op),
        (Work::Envelope(_), Op::Open) => return open_loop(s),
        (Work::Envelope(_), _) => return seal_loop(s),
    };
    v.into_iter().map(String::from).collect()
}

fn hybrid_key_work(r: Recipients, reuse: u32, open: bool) -> Vec<String> {
    let per = if reuse > 1 && !open {
        format!(" (once every {reuse} messages)")
    } else {
        String::new()
    };
    let mut v = match (r, open) {
        (Recipients::Oaep(n), false) => vec![
            "content key generation".to_string(),
            format!("RSA-OAEP encrypt × {n}"),
        ],
        (Recipients::Oaep(n), true) => vec![
            format!("parse {n} recipients, kid lookups"),
            "RSA-OAEP decrypt of our recipient".into(),
        ],
        (Recipients::EcdhEs(_), false) => {
            vec!["ephemeral key generation + ECDH + HKDF (COSE_KDF_Context)".into()]
        }
        (Recipients::EcdhEs(_), true) => {
            vec!["ECDH with the static key + HKDF (COSE_KDF_Context)".into()]
        }
    };
    v.push("content key schedule (allocates the boxed key)".into());
    v.into_iter().map(|x| format!("{x}{per}")).collect()
}

fn seal_loop(s: &Scenario) -> Vec<String> {
    let Some(e) = s.envelope() else {
        return Vec::new();
    };
    let mut v: Vec<String> = [
        "clock read (iat, CLOCK_REALTIME_COARSE)",
        "cti counter",
        "protected header serialization (alg, sender id, iat, cti, method)",
    ]
    .map(String::from)
    .to_vec();
    let push = |v: &mut Vec<String>, xs: &[&str]| v.extend(xs.iter().map(|x| x.to_string()));
    match e.mode {
        Mode::Plain => push(&mut v, &["framing around the payload"]),
        Mode::Mac0 => push(
            &mut v,
            &["MAC_structure prefix", "hmac over prefix + payload"],
        ),
        Mode::Sign1 | Mode::SignEncrypt => push(
            &mut v,
            &[
                "Sig_structure prefix written before the payload",
                "hash + sign",
            ],
        ),
        Mode::Encrypt0 | Mode::Encrypt => {}
    }
    if let (Some(r), true) = (e.recipients, e.mode.hybrid()) {
        v.extend(hybrid_key_work(r, e.cek_reuse.unwrap_or(1), false));
    }
    if matches!(e.mode, Mode::Encrypt0 | Mode::Encrypt | Mode::SignEncrypt) {
        push(
            &mut v,
            &[
                "nonce generation (ChaCha12 stream, seeded once)",
                "aad (Enc_structure)",
                "encrypt + tag in place",
            ],
        );
    }
    v
}

fn open_loop(s: &Scenario) -> Vec<String> {
    let Some(e) = s.envelope() else {
        return Vec::new();
    };
    let mut v = vec![COPY_IN.to_string(), "strict CBOR parse".to_string()];
    let push = |v: &mut Vec<String>, xs: &[&str]| v.extend(xs.iter().map(|x| x.to_string()));
    if let (Some(r), true) = (e.recipients, e.mode.hybrid()) {
        v.extend(hybrid_key_work(r, 1, true));
    }
    match e.mode {
        Mode::Plain | Mode::Mac0 | Mode::Encrypt0 => push(&mut v, &["kid lookup"]),
        _ => {}
    }
    match e.mode {
        Mode::Mac0 => push(&mut v, &["MAC_structure prefix", "hmac + tag compare"]),
        Mode::Encrypt0 | Mode::Encrypt | Mode::SignEncrypt => push(
            &mut v,
            &["aad (Enc_structure)", "decrypt + tag check in place"],
        ),
        Mode::Plain | Mode::Sign1 => {}
    }
    if e.mode.signs() {
        push(
            &mut v,
            &[
                match e.identity {
                    Some(Identity::X5chain) => "sender lookup (SHA-256 of the certificate)",
                    Some(Identity::X5t) => "sender lookup by thumbprint",
                    Some(Identity::Spki) => "sender lookup by SPKI",
                    _ => "kid lookup",
                },
                "copy of the payload after the Sig_structure prefix",
                "hash + verify",
            ],
        );
    }
    if e.mode == Mode::SignEncrypt {
        push(
            &mut v,
            &["recipient binding (allocates)", "inner/outer claim match"],
        );
    }
    push(
        &mut v,
        &[
            "clock read",
            "freshness check",
            "role policy check",
            "replay check",
        ],
    );
    v
}
