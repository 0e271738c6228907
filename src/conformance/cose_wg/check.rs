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

/// Compares a rebuilt value with the file's intermediate, if the file has one.
pub(super) fn compare(what: &str, expected: Option<&Vec<u8>>, actual: &[u8]) -> Step<()> {
    match expected {
        Some(e) if e.as_slice() != actual => Err(failed(format!(
            "{what} differs: file {}, rebuilt {}",
            hex::encode(e),
            hex::encode(actual)
        ))),
        _ => Ok(()),
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
}

impl Ctx<'_> {
    /// Applies `fix` if it is allowed for this file, recording it.
    pub(super) fn apply(&mut self, fix: FixUp) -> bool {
        let ok = super::fixups::allowed(&self.ex.file, fix);
        if ok {
            self.note(fix.note());
        }
        ok
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
    };
    let result = decode::verify(&mut ctx);
    let outcome = judge(ex, result);
    CoseRecord {
        file: ex.file.clone(),
        backend: backend.name.to_string(),
        structure: structure_of(&ex.message),
        algorithm: ctx.algorithm,
        outcome,
        notes: ctx.notes,
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
        (Ok(_), true) => Outcome::failed("accepted a message the file marks \"fail\" (changed tag)"),
        (Err(Stop::Rejected(_)), true) => Outcome::Passed,
        (Err(Stop::Rejected(why)), false) => Outcome::failed(format!("rejected a valid message: {why}")),
        (Err(Stop::Failed(detail)), _) => Outcome::failed(detail),
        (Err(Stop::Unsupported(reason)), _) => Outcome::unsupported(reason),
    }
}
