//! Harness errors: the vector folder cannot be read or a file in it is malformed.
//!
//! These stop the run (the CLI exits 2). Anything a backend does wrong is an
//! [`Outcome`](crate::conformance::Outcome) in a record instead.

use std::path::PathBuf;

/// Why the COSE examples could not be run at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoseWgError {
    /// A directory could not be listed.
    #[error("cannot read directory {}: {source}", path.display())]
    ReadDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not valid JSON or does not follow the examples' schema (unknown field,
    /// wrong type).
    #[error("{}: malformed example JSON: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        source: serde_json::Error,
    },
    /// A file parses but its content is inconsistent (bad hex, two message kinds, a key
    /// member that does not belong to its key type, ...).
    #[error("{}: malformed example: {reason}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The directory holds no `*.json` example at all (probably the wrong folder).
    #[error("no COSE example files (*.json) under {}", path.display())]
    NoExamples {
        /// The directory.
        path: PathBuf,
    },
}
