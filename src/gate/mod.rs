//! `sealbench gate`: a CI performance gate that does not cry wolf.
//!
//! [`run::run`] drives it all from a [`GatePlan`]. Data flow: [`baseline::load`] reads a results file (one run of one metric) and
//! [`baseline::check_machines`] checks both sides ran on the same kind of machine; when no
//! candidate file is given the candidate is measured now, by [`icount`] (instruction
//! counts under callgrind, deterministic; the measured region is marked by
//! [`child::MarkTimer`]) or by [`wall`] (interleaved rounds in several fresh
//! [`processes`], suspected regressions re-measured before they fail);
//! [`compare::compare`] decides scenario by scenario with the thresholds of
//! [`threshold::Thresholds`]; [`markdown::render`] prints the verdict for
//! `$GITHUB_STEP_SUMMARY`, [`report::GateReport`] is the `--json` form. Control scenarios
//! ([`controls`]) tell a slower machine from slower code; [`processes::measure_pair`]
//! measures two binaries interleaved, which [`sensitivity`] also uses to time a `release`
//! and a `measure` build of sealbench (`run --build-sensitivity`). See
//! `docs/GATE.md` for the method and its measured false-alarm rate.

pub mod baseline;
pub mod child;
pub mod compare;
pub mod controls;
pub mod icount;
pub mod markdown;
pub mod processes;
pub mod report;
pub mod run;
pub mod sensitivity;
pub mod subset;
pub mod threshold;
pub mod wall;

use std::path::PathBuf;

pub use compare::{Comparison, Row, Verdict, compare};
pub use run::{GateOutcome, GatePlan, run};
pub use threshold::Thresholds;

/// What the gate compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Instructions per operation under callgrind: deterministic, machine-independent
    /// within an architecture, blind to cache and frequency effects.
    Icount,
    /// Wall-clock nanoseconds per operation: what users see, noisy.
    Wall,
}

impl Metric {
    /// The `clock` field of a results run holding this metric.
    pub const fn clock(self) -> &'static str {
        match self {
            Self::Icount => "icount",
            Self::Wall => "wall",
        }
    }

    /// Unit of the values.
    pub const fn unit(self) -> &'static str {
        match self {
            Self::Icount => "instr",
            Self::Wall => "ns",
        }
    }

    /// The metric a run's `clock` field names.
    pub fn from_clock(clock: &str) -> Option<Self> {
        match clock {
            "icount" => Some(Self::Icount),
            "wall" => Some(Self::Wall),
            _ => None,
        }
    }
}

/// Why the gate could not reach a verdict (exit status 2). Messages name the file or flag.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GateError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A file is not a usable results file.
    #[error("{path}: {detail}")]
    Input {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// The two sides ran on different machines and wall times would be meaningless.
    #[error(
        "refusing to compare {metric} results from different machines ({}); \
         re-measure the baseline on this machine or pass --allow-cross-machine",
        .differences.join("; ")
    )]
    CrossMachine {
        /// `icount` or `wall`.
        metric: &'static str,
        /// What differs, e.g. `cpu model: AMD EPYC ≠ Intel Xeon`.
        differences: Vec<String>,
    },
    /// A results file could not be loaded (the message names the file and its kind).
    #[error(transparent)]
    Load(#[from] crate::results::LoadError),
    /// A flag's value is unusable.
    #[error("{0}")]
    Usage(String),
    /// Measuring the candidate failed (valgrind missing, a child process failed, ...).
    #[error("measuring the candidate: {0}")]
    Measure(String),
}

impl From<crate::measure::child::ChildError> for GateError {
    fn from(e: crate::measure::child::ChildError) -> Self {
        Self::Measure(e.to_string())
    }
}
