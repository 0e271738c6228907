//! Errors reading NIST CAVP response files. Each names the file and, where there is one,
//! the line.

/// A response file that cannot be read or does not follow the CAVP format.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NistError {
    /// The file could not be read.
    #[error("{file}: cannot read: {source}")]
    Io {
        /// File name.
        file: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file name says neither `Encrypt` nor `Decrypt`.
    #[error("{file}: file name contains neither `Encrypt` nor `Decrypt`")]
    UnknownKind {
        /// File name.
        file: String,
    },
    /// A line that is not a comment, header, `key = value` or `FAIL`.
    #[error("{file}:{line}: cannot parse `{text}`")]
    Syntax {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The offending line.
        text: String,
    },
    /// A header or field name the format does not have.
    #[error("{file}:{line}: unknown key `{key}`")]
    UnknownKey {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The key.
        key: String,
    },
    /// A header or field given twice.
    #[error("{file}:{line}: duplicate `{key}`")]
    Duplicate {
        /// File name.
        file: String,
        /// 1-based line number of the second occurrence.
        line: usize,
        /// The key.
        key: String,
    },
    /// A record without a required field.
    #[error("{file}:{line}: record has no `{key}`")]
    Missing {
        /// File name.
        file: String,
        /// 1-based line number of the record's `Count`.
        line: usize,
        /// The missing field.
        key: &'static str,
    },
    /// A section header without one of the five lengths.
    #[error("{file}:{line}: section header has no `[{key} = ..]`")]
    MissingHeader {
        /// File name.
        file: String,
        /// 1-based line number of the header's first line.
        line: usize,
        /// The missing header.
        key: &'static str,
    },
    /// A value that is not hex.
    #[error("{file}:{line}: `{key}` is not valid hex")]
    BadHex {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The field.
        key: String,
    },
    /// A length or count that is not a decimal number.
    #[error("{file}:{line}: `{key}` is not a decimal number")]
    BadNumber {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The header or field.
        key: String,
    },
    /// A value whose length disagrees with the section header.
    #[error(
        "{file}:{line}: `{key}` has {actual_bits} bits, the section header says {expected_bits}"
    )]
    Length {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The field.
        key: String,
        /// Bits the header announces.
        expected_bits: usize,
        /// Bits the value has (hex digits × 4).
        actual_bits: usize,
    },
    /// A field or `FAIL` before any `Count` line of its record.
    #[error("{file}:{line}: `{key}` outside a record (no `Count = ..` before it)")]
    OutsideRecord {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
        /// The field.
        key: String,
    },
    /// A record before any section header.
    #[error("{file}:{line}: record before any section header")]
    OutsideSection {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
    },
    /// A `FAIL` line in an encryption file.
    #[error("{file}:{line}: `FAIL` in an encryption file")]
    FailInEncryptFile {
        /// File name.
        file: String,
        /// 1-based line number.
        line: usize,
    },
    /// A decrypt record with both `PT` and `FAIL`.
    #[error("{file}:{line}: record has both `PT` and `FAIL`")]
    PtAndFail {
        /// File name.
        file: String,
        /// 1-based line number of the later of the two.
        line: usize,
    },
    /// A section header followed by no records.
    #[error("{file}:{line}: section header with no records")]
    EmptySection {
        /// File name.
        file: String,
        /// 1-based line number of the header.
        line: usize,
    },
    /// A file with no records at all.
    #[error("{file}: no records")]
    NoRecords {
        /// File name.
        file: String,
    },
}

impl NistError {
    /// The line the error points at, if any.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Io { .. } | Self::UnknownKind { .. } | Self::NoRecords { .. } => None,
            Self::Syntax { line, .. }
            | Self::UnknownKey { line, .. }
            | Self::Duplicate { line, .. }
            | Self::Missing { line, .. }
            | Self::MissingHeader { line, .. }
            | Self::BadHex { line, .. }
            | Self::BadNumber { line, .. }
            | Self::Length { line, .. }
            | Self::OutsideRecord { line, .. }
            | Self::OutsideSection { line, .. }
            | Self::FailInEncryptFile { line, .. }
            | Self::PtAndFail { line, .. }
            | Self::EmptySection { line, .. } => Some(*line),
        }
    }
}
