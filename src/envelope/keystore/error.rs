//! Why loading a trust store failed, naming the file and the `trust.toml` line.
//!
//! Messages never contain key bytes: parse failures inside private or symmetric keys are
//! reported with fixed reasons, not with the decoder's (data-dependent) message.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::envelope::KeyAlg;

/// A field of a `[[key]]` entry in `trust.toml`, for error messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// The `trust.toml` file.
    pub toml: PathBuf,
    /// 1-based line of the field's value.
    pub line: usize,
    /// The field name (`file`, `alg`, `kid`, ...).
    pub field: &'static str,
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: `{}`", self.toml.display(), self.line, self.field)
    }
}

/// Where a key or certificate came from: a file, optionally named by a `trust.toml` field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file; `None` for bytes passed in memory (e.g. to `agreement_scalar`).
    pub path: Option<PathBuf>,
    /// The `trust.toml` field that named the file, when loading a directory.
    pub site: Option<Site>,
}

impl Origin {
    /// A file named directly (command line).
    pub fn file(path: &Path) -> Self {
        Self {
            path: Some(path.to_path_buf()),
            site: None,
        }
    }

    /// A file named by a `trust.toml` field.
    pub fn entry(path: &Path, site: Site) -> Self {
        Self {
            path: Some(path.to_path_buf()),
            site: Some(site),
        }
    }

    /// PKCS#8 bytes passed in memory.
    pub const fn memory() -> Self {
        Self {
            path: None,
            site: None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{}", p.display())?,
            None => f.write_str("in-memory PKCS#8 key")?,
        }
        match &self.site {
            Some(s) => write!(f, " ({s})"),
            None => Ok(()),
        }
    }
}

/// Why a trust store or key file could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyStoreError {
    /// A file is missing or unreadable.
    #[error("{origin}: cannot read: {source}")]
    Read {
        /// The file.
        origin: Origin,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// `trust.toml` is not valid TOML, or has a missing, mistyped or unknown field.
    #[error("{}: {message}", position(.path, *.line, *.column))]
    TrustToml {
        /// The `trust.toml` file.
        path: PathBuf,
        /// 1-based line of the error, when the parser reports one.
        line: Option<usize>,
        /// 1-based column (in characters) of the error, when the parser reports one.
        column: Option<usize>,
        /// The parser's message.
        message: String,
    },
    /// An `alg` that `KeyAlg::from_name` does not know.
    #[error("{at}: unknown alg \"{name}\" (expected one of {})", alg_names())]
    UnknownAlg {
        /// The `alg` field.
        at: Site,
        /// The name given.
        name: String,
    },
    /// A field value the loader cannot use (empty role, bad `kid_hex`, missing kid, ...).
    #[error("{at}: {reason}")]
    InvalidField {
        /// The field.
        at: Site,
        /// What is wrong with it.
        reason: String,
    },
    /// A key of another algorithm than `alg` (RSA for ES256, P-384, RSA-3072 for PS256, ...).
    #[error("{origin}: key type {found} cannot be used with {alg}")]
    WrongKeyType {
        /// The key file.
        origin: Origin,
        /// The algorithm the entry names.
        alg: KeyAlg,
        /// What the file holds.
        found: String,
    },
    /// A symmetric key file that holds key material in a standard encoding (PEM, or a DER
    /// private key, public key or certificate): not a secret, or not the one meant.
    #[error(
        "{origin}: {alg} key file holds key material ({found}); a symmetric key file \
         must be random bytes (raw or hex), never PEM or DER"
    )]
    NotASecretKey {
        /// The key file.
        origin: Origin,
        /// The symmetric algorithm the entry names.
        alg: KeyAlg,
        /// What the file holds.
        found: String,
    },
    /// A symmetric key file of the wrong length for its algorithm.
    #[error("{origin}: {alg} key is {len} bytes; expected {expected}")]
    SymmetricKeyLength {
        /// The key file.
        origin: Origin,
        /// The algorithm.
        alg: KeyAlg,
        /// The length found (after hex decoding, if the file is hex text).
        len: usize,
        /// The length required.
        expected: &'static str,
    },
    /// Data after a PEM file's `-----END ...-----` line (a second block, or junk).
    #[error("{origin}: data after the PEM END line")]
    PemTrailingData {
        /// The file.
        origin: Origin,
    },
    /// A PEM label other than the ones accepted here.
    #[error("{origin}: PEM label \"{label}\"; expected {expected}")]
    PemLabel {
        /// The file.
        origin: Origin,
        /// The label found.
        label: String,
        /// The labels accepted.
        expected: &'static str,
    },
    /// A DER structure followed by extra bytes.
    #[error("{origin}: {trailing} bytes after the DER {what}")]
    DerTrailingData {
        /// The file.
        origin: Origin,
        /// The structure (`PKCS#8 PrivateKeyInfo`, `certificate`, ...).
        what: &'static str,
        /// How many extra bytes.
        trailing: u32,
    },
    /// A file that cannot be parsed as what it should be.
    #[error("{origin}: malformed {what}: {reason}")]
    Malformed {
        /// The file.
        origin: Origin,
        /// What it should have been.
        what: &'static str,
        /// Why not (never contains key bytes).
        reason: String,
    },
    /// No backend in this build accepts the private key, so its public key is unknown.
    #[error("{origin}: no backend in this build accepts this {alg} private key ({reasons})")]
    KeyRejected {
        /// The key file.
        origin: Origin,
        /// The algorithm.
        alg: KeyAlg,
        /// Each backend's reason, or that none is compiled in.
        reasons: String,
    },
    /// A certificate whose public key is not the entry's key.
    #[error("{cert}: certificate public key does not match the key in {key}")]
    CertMismatch {
        /// The certificate file.
        cert: Origin,
        /// The key file.
        key: PathBuf,
    },
    /// One key under two algorithms, without `allow_multi_alg = true` on both entries.
    #[error(
        "{at}: {how} is already the {first_alg} key of the [[key]] on line {first_line}; \
         one key serves one alg: give {alg} its own key, or set `allow_multi_alg = true` \
         on both entries"
    )]
    KeyReuse {
        /// The second entry's `file` field.
        at: Site,
        /// `this file` (same path) or `this key` (same key in another file).
        how: &'static str,
        /// The second entry's algorithm.
        alg: KeyAlg,
        /// The first entry's algorithm.
        first_alg: KeyAlg,
        /// Line of the first entry's `file` field.
        first_line: usize,
    },
    /// Two entries with the same key id.
    #[error("{at}: duplicate kid {kid} (already used on line {first_line})")]
    DuplicateKid {
        /// The second entry's kid field (or `file`, for a default kid).
        at: Site,
        /// The kid, as text if printable, else hex.
        kid: String,
        /// Line of the first entry with this kid.
        first_line: usize,
    },
}

fn position(path: &Path, line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", path.display()),
        _ => path.display().to_string(),
    }
}

fn alg_names() -> String {
    KeyAlg::ALL
        .iter()
        .map(|a| a.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A kid for messages: the text if it is printable ASCII, else `0x` and hex.
pub(super) fn kid_display(kid: &[u8]) -> String {
    match std::str::from_utf8(kid) {
        Ok(s) if s.chars().all(|c| c.is_ascii_graphic() || c == ' ') => format!("\"{s}\""),
        _ => format!("0x{}", hex::encode(kid)),
    }
}
