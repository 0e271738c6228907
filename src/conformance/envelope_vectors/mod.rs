//! Golden and negative envelope vectors: JSON files that pin the wire format and the
//! reasons messages are rejected, checked on every backend.
//!
//! A vector holds the keys a receiver needs, its trust-store policy and options, its
//! clock, the sealed message and the expected outcome: `ok` (with the payload, method,
//! mode and authenticated sender) or the [`EnvelopeError::kind`] the opener must return.
//! Golden vectors also hold what the sender sealed with (keys, seed, clock); those marked
//! deterministic must be re-sealed byte for byte by every backend. `vectors/README.md`
//! documents the schema field by field.
//!
//! * [`generate_dir`] makes fresh keys, seals every mode × algorithm × identity, crafts
//!   the negative cases from those messages and writes one file per vector.
//! * [`load_dir`] parses a directory strictly (every field read exactly once; errors
//!   name the file and the field) and [`check_vectors`] runs each vector on each backend,
//!   giving one [`Outcome`] per vector × backend.
//!
//! [`EnvelopeError::kind`]: crate::envelope::EnvelopeError::kind
//! [`Outcome`]: crate::conformance::Outcome

mod attacks;
mod check;
mod craft;
mod error;
mod forge;
mod generate;
mod negative;
mod parse;
mod schema;

pub use check::{BackendTally, CaseResult, CheckReport, SUITE, check_vector, check_vectors};
pub use error::VectorError;
pub use generate::{DEFAULT_SEED, generate_dir, generate_vectors};
pub use parse::{load_dir, parse_vector};
pub use schema::{Class, Expected, KNOWN_ERROR_KINDS, Receiver, SCHEMA_VERSION, SealSpec, Vector};
