//! NIST CAVP AES-GCM known-answer files (`gcmEncryptExtIV*.rsp`, `gcmDecrypt*.rsp`):
//! a strict parser and a runner.
//!
//! Sections whose IV or tag length a backend cannot take are counted as unsupported for
//! that backend, with its reason, never as passed.

mod error;
mod model;
mod parse;
mod run;
#[cfg(test)]
mod tests;

pub use error::NistError;
pub use model::{Record, RspFile, RspKind, Section};
pub use parse::{parse_rsp, parse_rsp_str};
pub use run::run_nist;
