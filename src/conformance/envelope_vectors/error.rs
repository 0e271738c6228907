//! Errors of loading and generating vectors. Each names the file (or vector) and, for a
//! malformed file, the field.

use std::path::PathBuf;

/// Why vectors could not be loaded or generated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VectorError {
    /// Reading or writing a file failed.
    #[error("{}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A vector file does not follow the schema.
    #[error("{file}: field `{field}`: {detail}")]
    Malformed {
        /// The file.
        file: String,
        /// The field, as a path (`receiver.keys[1].spki_hex`).
        field: String,
        /// What is wrong with it.
        detail: String,
    },
    /// The directory holds no vector files.
    #[error("{}: no *.json vector files", .0.display())]
    Empty(PathBuf),
    /// A vector could not be generated, or did not behave as designed on the backend
    /// that generated it.
    #[error("generating {name}: {detail}")]
    Generate {
        /// The vector's name.
        name: String,
        /// What went wrong.
        detail: String,
    },
}

impl VectorError {
    /// A generation error for vector `name`.
    pub(super) fn generate(name: &str, detail: impl std::fmt::Display) -> Self {
        Self::Generate {
            name: name.to_string(),
            detail: detail.to_string(),
        }
    }
}
