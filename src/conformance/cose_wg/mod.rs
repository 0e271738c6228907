//! The COSE working group's example messages (github.com/cose-wg/Examples) as a
//! conformance suite: every example file × backend gives exactly one [`CoseRecord`].
//!
//! For each file the runner decodes `output.cbor` with coset as the structure the input
//! describes, checks the input's headers against the wire, rebuilds the bytes that are
//! signed / MACed / authenticated (`Sig_structure`, `MAC_structure`, `Enc_structure`,
//! COSE_KDF_Context) and compares them with the file's intermediates, then has the
//! backend verify or decrypt. A message passes if it verifies or decrypts to exactly
//! `input.plaintext`; a `"fail": true` file passes if it is cryptographically rejected.
//!
//! Profile: HMAC 256/256; EdDSA (Ed25519), ES256, PS256 (2048-bit); A128GCM, A256GCM,
//! ChaCha20/Poly1305; recipients `direct`, ECDH-ES/SS + HKDF-256 (P-256, X25519) and
//! RSAES-OAEP w/ SHA-256 (2048-bit); X.509 signers via `x5chain`/`x5bag`/`x5t`.
//! Everything else (HMAC 256/64 and SHA-384/512 MACs, Ed448, ES384/512, PS384/512,
//! A192GCM, AES-CCM, HKDF-512, P-521, OAEP with SHA-1/SHA-512) is *unsupported* with the
//! algorithm and the reason, as is anything a backend lacks.
//!
//! The data has known inconsistencies (listed in its README); each is fixed up only for
//! the files it is known for, and records say which fix-up they needed
//! ([`CoseRecord::notes`]). See `fixups.rs`.

mod algs;
mod b64;
mod check;
mod convert;
mod decode;
mod ecdh;
mod encrypt;
mod error;
mod fixups;
mod headers;
mod json;
mod kdf_context;
mod keys;
mod load;
mod mac;
mod model;
mod ours;
mod recipient;
mod report;
mod rsa_der;
mod sign;
mod x509;

use std::path::Path;

use serde::{Serialize, Serializer};

pub use check::check_example;
pub use error::CoseWgError;
pub use load::{
    Entry, Uninterpreted, interpret, load_entry, load_example, load_examples, parse_example,
};
pub use model::Example;
pub use report::{render_table, rollup};

use super::Outcome;
use crate::backend::Backend;

/// Suite name in roll-up records.
pub const SUITE: &str = "cose-wg";

/// The COSE message structure of an example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Structure {
    /// COSE_Sign1 (tag 18).
    Sign1,
    /// COSE_Sign (tag 98).
    Sign,
    /// COSE_Mac0 (tag 17).
    Mac0,
    /// COSE_Mac (tag 97).
    Mac,
    /// COSE_Encrypt0 (tag 16).
    Encrypt0,
    /// COSE_Encrypt (tag 96).
    Encrypt,
    /// A file that does not name exactly one structure (not interpreted).
    Unknown,
}

impl Structure {
    /// The RFC 9052 name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sign1 => "COSE_Sign1",
            Self::Sign => "COSE_Sign",
            Self::Mac0 => "COSE_Mac0",
            Self::Mac => "COSE_Mac",
            Self::Encrypt0 => "COSE_Encrypt0",
            Self::Encrypt => "COSE_Encrypt",
            Self::Unknown => "?",
        }
    }
}

/// The result of one example file on one backend.
#[derive(Debug, Clone, Serialize)]
pub struct CoseRecord {
    /// File path relative to the vector root (`/` separators).
    pub file: String,
    /// Backend name.
    pub backend: String,
    /// The message structure.
    pub structure: Structure,
    /// COSE algorithm names as on the wire (content / recipients, or one per signer).
    pub algorithm: String,
    /// Passed, failed (with detail) or unsupported (with reason).
    #[serde(serialize_with = "serialize_outcome")]
    pub outcome: Outcome,
    /// Fix-ups applied (`fix-up: ...`), out-of-band context used (`context: ...`) and
    /// limits of the check (`scope: ...`).
    pub notes: Vec<String>,
    /// How many of the file's intermediates (`ToBeSign_hex`, `ToMac_hex`, `AAD_hex`,
    /// `CEK_hex`, `Context_hex`, `Secret_hex`) were rebuilt by the COSE core the envelope
    /// ships (`cose::structure`, `cose::kdf`, `cose::cbor`) or derived through it and the
    /// backend (`cose::cek`) and found equal byte for byte.
    pub intermediates_compared: usize,
}

fn serialize_outcome<S: Serializer>(o: &Outcome, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    #[serde(tag = "status", rename_all = "lowercase")]
    enum Repr<'a> {
        Passed,
        Failed { detail: &'a str },
        Unsupported { reason: &'a str },
    }
    match o {
        Outcome::Passed => Repr::Passed,
        Outcome::Failed { detail } => Repr::Failed { detail },
        Outcome::Unsupported { reason } => Repr::Unsupported { reason },
    }
    .serialize(s)
}

/// Runs every example under each of `roots` (recursively) on every backend in `backends`.
///
/// Records come root by root, file by file (sorted by path), backends in the given order;
/// names are relative to their root. A file that cannot be interpreted gets its
/// `unsupported` (or, if broken, `failed`) record on every backend and never stops the
/// rest; only an unreadable folder or one without any `*.json` is an error.
pub fn run_cose_wg<P: AsRef<Path>>(
    roots: &[P],
    backends: &[&Backend],
) -> Result<Vec<CoseRecord>, CoseWgError> {
    let mut out = Vec::new();
    for root in roots {
        for entry in load_examples(root.as_ref())? {
            for b in backends {
                out.push(match &entry {
                    Entry::Example(ex) => check_example(ex, b),
                    Entry::Uninterpreted(u) => CoseRecord {
                        file: u.file.clone(),
                        backend: b.name.to_string(),
                        structure: u.structure,
                        algorithm: String::new(),
                        outcome: u.outcome.clone(),
                        notes: Vec::new(),
                        intermediates_compared: 0,
                    },
                });
            }
        }
    }
    Ok(out)
}
