//! Runs one example against one backend and judges the result.
//!
//! Every step either continues or stops with [`Stop`]: the profile or the backend cannot
//! do something (unsupported), the data or the backend is inconsistent (failed), or the
//! message is cryptographically rejected. Structural checks (rebuilt `Sig_structure` /
//! `MAC_structure` / `Enc_structure` / KDF context against the file's intermediates,
//! header and kid consistency) run before any profile decision, so they are exercised
//! even for algorithms the profile leaves out.

use super::fixups::FixUp;
use super::model::{Example, MessageInput};
use super::{CoseRecord, Structure, decode};
use crate::backend::{Backend, Error};
use crate::conformance::Outcome;

/// Why processing a message stopped.
#[derive(Debug)]
pub(super) enum Stop {
    /// Out of profile, or the backend lacks it.
    Unsupported(String),
    /// The data or the backend behaved inconsistently (not a clean rejection).
    Failed(String),
    /// A cryptographic check rejected the message.
    Rejected(String),
}

/// A step of the check.
pub(super) type Step<T> = Result<T, Stop>;

/// A failure with `detail`.
pub(super) fn failed(detail: impl Into<String>) -> Stop {
    Stop::Failed(detail.into())
}

/// Unsupported with `reason`.
pub(super) fn unsupported(reason: impl Into<String>) -> Stop {
    Stop::Unsupported(reason.into())
}

/// Maps a backend error while setting up (loading keys, looking up algorithms): the
/// vectors' keys are valid, so anything but `Unsupported` is a failure.
pub(super) fn setup_error(what: &str) -> impl Fn(Error) -> Stop + '_ {
    move |e| match e {
        Error::Unsupported(u) => unsupported(format!("{what}: {u}")),
        other => failed(format!("{what}: {other}")),
    }
}

/// Maps a backend error while checking the message itself: a cryptographic failure or a
/// wrong-length value is a rejection.
pub(super) fn check_error(what: &str) -> impl Fn(Error) -> Stop + '_ {
    move |e| match e {
        Error::Unsupported(u) => unsupported(format!("{what}: {u}")),
        Error::Crypto | Error::BadLength(_) => Stop::Rejected(format!("{what}: {e}")),
        other => failed(format!("{what}: {other}")),
    }
}

/// State of one example × backend run.
pub(super) struct Ctx<'a> {
    /// The example.
    pub ex: &'a Example,
    /// The backend under test.
    pub backend: &'a Backend,
    /// Fix-ups applied and context used, in order.
    pub notes: Vec<String>,
    /// Algorithm label for the record (from the input until the message decodes).
    pub algorithm: String,
    /// Intermediates found equal to the rebuilt or derived value.
    pub compared: usize,
}

impl Ctx<'_> {
    /// Applies `fix` if it is allowed for this file, recording it.
    pub(super) fn apply(&mut self, fix: FixUp) -> bool {
        let ok = super::fixups::allowed(&self.ex.fixup_key(), fix);
        if ok {
            self.note(fix.note());
        }
        ok
    }

    /// Compares a rebuilt value with the file's intermediate, if the file has one, and
    /// counts it when equal. In a file whose protected header the generator changed after
    /// producing the intermediates (`failures`: ChangeAttr, AddProtected, RemoveProtected,
    /// ChangeProtected) a difference is expected: it is noted, not counted, and the
    /// cryptographic check on the wire bytes must then reject the message.
    pub(super) fn compare(
        &mut self,
        what: &str,
        expected: Option<&Vec<u8>>,
        actual: &[u8],
    ) -> Step<()> {
        match expected {
            Some(e) if e.as_slice() == actual => {
                self.compared += 1;
                Ok(())
            }
            Some(_) if self.ex.mutations.protected => {
                self.note(format!(
                    "scope: {what} describes the message before its protected header was \
                     changed ({}); not compared",
                    self.ex.mutations.names.join(", ")
                ));
                Ok(())
            }
            Some(e) => Err(failed(format!(
                "{what} differs: file {}, rebuilt {}",
                hex::encode(e),
                hex::encode(actual)
            ))),
            None => Ok(()),
        }
    }

    /// A header on the wire that is not what the input says: a failure of the data, or,
    /// where the generator changed the protected header on purpose, what a receiver that
    /// knows its key's parameters rejects.
    pub(super) fn header_mismatch(&self, stop: Stop) -> Stop {
        match stop {
            Stop::Failed(d) if self.ex.mutations.protected => Stop::Rejected(d),
            other => other,
        }
    }

    /// Records a note once.
    pub(super) fn note(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }
}

/// The record structure of an input kind.
pub(super) fn structure_of(m: &MessageInput) -> Structure {
    match m {
        MessageInput::Sign1 { .. } => Structure::Sign1,
        MessageInput::Sign { .. } => Structure::Sign,
        MessageInput::Mac0 { .. } => Structure::Mac0,
        MessageInput::Mac { .. } => Structure::Mac,
        MessageInput::Encrypt0 { .. } => Structure::Encrypt0,
        MessageInput::Encrypt { .. } => Structure::Encrypt,
    }
}

/// Runs `ex` on `backend`: exactly one record.
pub fn check_example(ex: &Example, backend: &Backend) -> CoseRecord {
    let mut ctx = Ctx {
        ex,
        backend,
        notes: Vec::new(),
        algorithm: decode::input_algorithms(&ex.message),
        compared: 0,
    };
    if !ex.mutations.names.is_empty() {
        ctx.note(format!(
            "context: output.cbor was changed after it was produced (failures: {})",
            ex.mutations.names.join(", ")
        ));
    }
    let result = decode::verify(&mut ctx);
    let outcome = judge(ex, result);
    CoseRecord {
        file: ex.file.clone(),
        backend: backend.name.to_string(),
        structure: structure_of(&ex.message),
        algorithm: ctx.algorithm,
        outcome,
        notes: ctx.notes,
        intermediates_compared: ctx.compared,
    }
}

/// Turns the verified content (or the reason processing stopped) into an outcome.
fn judge(ex: &Example, result: Step<Vec<u8>>) -> Outcome {
    match (result, ex.expect_reject) {
        (Ok(content), false) if content == ex.plaintext => Outcome::Passed,
        (Ok(content), false) => Outcome::failed(format!(
            "content {} differs from input.plaintext {}",
            hex::encode(content),
            hex::encode(&ex.plaintext)
        )),
        (Ok(_), true) if ex.mutations.names.is_empty() => {
            Outcome::failed("accepted a message the file marks \"fail\"")
        }
        (Ok(_), true) => Outcome::failed(format!(
            "accepted a message the file marks \"fail\" (failures: {})",
            ex.mutations.names.join(", ")
        )),
        (Err(Stop::Rejected(_)), true) => Outcome::Passed,
        (Err(Stop::Rejected(why)), false) => {
            Outcome::failed(format!("rejected a valid message: {why}"))
        }
        (Err(Stop::Failed(detail)), _) => Outcome::failed(detail),
        (Err(Stop::Unsupported(reason)), _) => Outcome::unsupported(reason),
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::backend::ALL_BACKENDS;

    // hmac-examples/HMac-enc-01.json from cose-wg/Examples (public domain).
    const HMAC_ENC_01: &str = r#"{
      "title": "HMAC-ENC-01: Direct key + HMAC-SHA256 - implicit",
      "input": {
        "plaintext": "This is the content.",
        "mac0": {
          "alg": "HS256",
          "protected": {"alg": "HS256"},
          "recipients": [{
            "key": {"kty": "oct", "kid": "our-secret", "use": "enc",
                    "k": "hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"},
            "unprotected": {"alg": "direct", "kid": "our-secret"}
          }]
        }
      },
      "intermediates": {
        "ToMac_hex": "84644D41433043A101054054546869732069732074686520636F6E74656E742E",
        "CEK_hex": "849B57219DAE48DE646D07DBB533566E976686457C1491BE3A76DCEA6C427188",
        "recipients": [{}]
      },
      "output": {
        "cbor_diag": "17([h'A10105', {}, h'546869732069732074686520636F6E74656E742E', h'A1A848D3471F9D61EE49018D244C824772F223AD4F935293F1789FC3A08D8C58'])",
        "cbor": "D18443A10105A054546869732069732074686520636F6E74656E742E5820A1A848D3471F9D61EE49018D244C824772F223AD4F935293F1789FC3A08D8C58"
      }
    }"#;

    // chacha-poly-examples/chacha-poly-enc-01.json (its AAD_hex says "Encrypt1").
    const CHACHA_ENC_01: &str = r#"{
      "title": "ChaCha20-Poly-enc-03: Encryption example for ChaCha20-Poly1305 - implicit",
      "input": {
        "plaintext": "This is the content.",
        "encrypted": {
          "protected": {"alg": "ChaCha-Poly1305"},
          "recipients": [{
            "key": {"kty": "oct", "kid": "sec-256", "use": "enc",
                    "k": "Dx4tPEtaaXiHlqW0w9Lh8B8uPUxbanmIl6a1xNPi8QA"},
            "unprotected": {"alg": "direct", "kid": "sec-64"}
          }]
        },
        "rng_stream": ["5C3A9950BD2852F66E6C8D4F"]
      },
      "intermediates": {
        "AAD_hex": "8368456E63727970743144A101181840",
        "CEK_hex": "0F1E2D3C4B5A69788796A5B4C3D2E1F01F2E3D4C5B6A798897A6B5C4D3E2F100"
      },
      "output": {
        "cbor_diag": "16([h'A1011818', {5: h'5C3A9950BD2852F66E6C8D4F'}, h'CA119C45926DA993D29B5D0CAC9A84228C7668D492A1B9D7E32020EF21372E74DEF431B9'])",
        "cbor": "D08344A1011818A1054C5C3A9950BD2852F66E6C8D4F5824CA119C45926DA993D29B5D0CAC9A84228C7668D492A1B9D7E32020EF21372E74DEF431B9"
      }
    }"#;

    fn example(text: &str, file: &str) -> Example {
        super::super::load::parse_example(
            text,
            file.to_string(),
            PathBuf::from("."),
            Path::new(file),
        )
        .unwrap()
    }

    fn outcomes(ex: &Example) -> Vec<Outcome> {
        ALL_BACKENDS
            .iter()
            .map(|b| check_example(ex, b).outcome)
            .collect()
    }

    #[test]
    fn hmac_enc_01_passes_on_every_backend_with_hmac() {
        let ex = example(HMAC_ENC_01, "hmac-examples/HMac-enc-01.json");
        for b in ALL_BACKENDS {
            let r = check_example(&ex, b);
            assert_eq!(
                (r.structure, r.algorithm.as_str()),
                (Structure::Mac0, "HMAC 256/256")
            );
            assert!(r.notes.is_empty(), "{:?}", r.notes);
            assert_eq!(r.outcome, Outcome::Passed, "{}", b.name);
        }
    }

    #[test]
    fn a_differing_intermediate_fails_before_any_crypto() {
        let text = HMAC_ENC_01.replace("84644D41433043A1010540", "84644D41433043A1010640");
        let ex = example(&text, "hmac-examples/HMac-enc-01.json");
        for o in outcomes(&ex) {
            assert!(
                matches!(&o, Outcome::Failed { detail } if detail.starts_with("ToMac_hex differs")),
                "{o:?}"
            );
        }
    }

    #[test]
    fn a_valid_message_marked_fail_is_a_failure() {
        let text = HMAC_ENC_01
            .replacen("\"input\"", "\"fail\": true, \"input\"", 1)
            .replacen(
                "\"plaintext\"",
                "\"failures\": {\"ChangeTag\": 1}, \"plaintext\"",
                1,
            );
        let ex = example(&text, "hmac-examples/HMac-enc-01.json");
        assert!(ex.expect_reject);
        for o in outcomes(&ex) {
            assert!(
                matches!(&o, Outcome::Failed { detail } if detail.starts_with("accepted")),
                "{o:?}"
            );
        }
    }

    #[test]
    fn a_header_the_wire_lacks_is_a_failure() {
        let text = HMAC_ENC_01.replace(
            "\"protected\": {\"alg\": \"HS256\"}",
            "\"protected\": {\"alg\": \"HS256\", \"ctyp\": 0}",
        );
        let ex = example(&text, "hmac-examples/HMac-enc-01.json");
        for o in outcomes(&ex) {
            assert!(
                matches!(&o, Outcome::Failed { detail } if detail.contains("content type")),
                "{o:?}"
            );
        }
    }

    #[test]
    fn the_encrypt1_fix_up_applies_only_to_its_file() {
        let known = example(
            CHACHA_ENC_01,
            "chacha-poly-examples/chacha-poly-enc-01.json",
        );
        let other = example(CHACHA_ENC_01, "chacha-poly-examples/elsewhere.json");
        for b in ALL_BACKENDS {
            let r = check_example(&known, b);
            assert_eq!(r.notes.len(), 1, "{:?}", r.notes);
            assert!(r.notes.iter().all(|n| n.contains("Encrypt1")));
            assert!(
                matches!(r.outcome, Outcome::Passed | Outcome::Unsupported { .. }),
                "{:?}",
                r.outcome
            );
            let r = check_example(&other, b);
            assert!(r.notes.is_empty());
            assert!(
                matches!(&r.outcome, Outcome::Failed { detail } if detail.starts_with("AAD_hex differs"))
            );
        }
    }
}
