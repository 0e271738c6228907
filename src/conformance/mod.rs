//! Conformance: public known-answer suites, the COSE working group's examples and our own
//! envelope vectors, run against every backend.
//!
//! Each runner returns [`SuiteRecord`]s (one per backend × suite × algorithm) in which
//! every case is passed, failed or unsupported (with a reason); [`render_matrix`] turns
//! them into a plain-text table. The COSE WG runner ([`cose_wg`]) and the envelope
//! vectors ([`envelope_vectors`], suite `envelope-vectors`) go through the same COSE core
//! (`crate::cose`) and envelope the harness measures.

pub mod cose_wg;
pub mod envelope_vectors;
mod matrix;
#[cfg(test)]
mod mock;
pub mod nist;
mod outcome;
mod wycheproof;

pub use self::wycheproof::run_wycheproof;
pub use matrix::render_matrix;
pub use nist::{NistError, RspFile, RspKind, parse_rsp, run_nist};
pub use outcome::{MAX_RECORDED_FAILURES, Outcome, SuiteRecord};
