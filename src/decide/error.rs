//! Why a decision could not be made, naming the file, line and field or flag.

use std::path::PathBuf;

/// A traffic profile could not be read or is invalid.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// The file could not be read.
    #[error("{}: cannot read", path.display())]
    Read {
        /// The profile file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML, has an unknown or missing field, or a value is out of range.
    #[error("{}: {message}", site(path, *line, *column, field.as_deref()))]
    Invalid {
        /// The profile file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// 1-based column, when known.
        column: Option<usize>,
        /// Dotted field name (`class.rate_per_s`), when known.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
}

impl ProfileError {
    /// The 1-based line the error points at, if any.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Read { .. } => None,
            Self::Invalid { line, .. } => *line,
        }
    }

    /// The field the error names, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Read { .. } => None,
            Self::Invalid { field, .. } => field.as_deref(),
        }
    }
}

fn site(
    path: &std::path::Path,
    line: Option<usize>,
    col: Option<usize>,
    field: Option<&str>,
) -> String {
    let mut s = path.display().to_string();
    if let Some(l) = line {
        s.push_str(&format!(":{l}"));
        if let Some(c) = col {
            s.push_str(&format!(":{c}"));
        }
    }
    if let Some(f) = field {
        s.push_str(&format!(": `{f}`"));
    }
    s
}

/// The results file or the options cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecideError {
    /// The profile is invalid.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// The results file could not be read.
    #[error("{}: cannot read", path.display())]
    ResultsRead {
        /// The results file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The results file is not a sealbench results file.
    #[error("{}: not a sealbench results file: {message}", path.display())]
    ResultsInvalid {
        /// The results file.
        path: PathBuf,
        /// What is wrong (with line and column for JSON errors).
        message: String,
    },
    /// `--run` is out of range.
    #[error("--run {index}: the results file has {runs} run(s)")]
    NoSuchRun {
        /// The requested index.
        index: usize,
        /// How many runs the file has.
        runs: usize,
    },
    /// The run has no envelope-layer seal/open scenarios to price anything with.
    #[error(
        "run {index} has no envelope seal/open scenarios (was it run with the envelope layer?)"
    )]
    NoEnvelopeScenarios {
        /// The run index.
        index: usize,
    },
    /// A (mode, key scope) deployment could not be built or its baseline failed.
    #[error("deploying {scheme} to execute the attacks: {message}")]
    Deployment {
        /// The scheme, e.g. `sign1/per-sender`.
        scheme: String,
        /// What went wrong.
        message: String,
    },
    /// The `--system` file is missing, not a results file, or has no system scenarios.
    #[error("--system: {0}")]
    System(#[from] crate::results::system::SystemLoadError),
    /// The `--system` file has no baseline to state a share against.
    #[error("--system {}: {detail}", path.display())]
    SystemBaseline {
        /// The e2e file.
        path: PathBuf,
        /// What is missing.
        detail: String,
    },
    /// The strategy whose share `--system` states has no costs.
    #[error("--system: strategy {strategy} on {backend}: {detail}")]
    SystemStrategy {
        /// The strategy.
        strategy: String,
        /// The backend.
        backend: String,
        /// Why it cannot be used.
        detail: String,
    },
    /// `--backend` names a backend the run did not measure.
    #[error("--backend {name}: not in the results (measured: {})", available.join(", "))]
    UnknownBackend {
        /// The requested name.
        name: String,
        /// The backends the run has envelope scenarios for.
        available: Vec<String>,
    },
}
