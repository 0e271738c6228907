//! sealbench: a benchmark and conformance harness for message-level crypto in RPC systems.
//!
//! Modules in data-flow order: the CPU is detected, backends provide primitives, the COSE
//! core (`cose`) encodes what they authenticate, the envelope adds its RPC profile, and
//! the conformance runners check all of it against public known-answer suites.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod backend;
pub mod channel;
pub mod cli;
pub mod conformance;
pub mod cose;
pub mod cpu;
pub mod decide;
pub mod envelope;
pub mod gate;
pub mod measure;
pub mod report;
pub mod results;
pub mod scenarios;
#[cfg(all(target_os = "linux", feature = "e2e"))]
pub mod system;
