//! The gate's verdict as one serde value: printed as JSON with `--json`, rendered as
//! markdown by [`super::markdown`] otherwise.

use serde::Serialize;
use serde_json::Value as Json;

use super::Metric;
use super::compare::Comparison;
use crate::results::Run;

/// Kind tag of the JSON output.
pub const GATE_KIND: &str = "sealbench-gate";

/// Where one side's numbers came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// A file path, or `measured now`.
    pub source: String,
    /// Git revision of the build that produced it.
    pub git_revision: String,
    /// Host name.
    pub host: String,
    /// CPU model and architecture.
    pub cpu: String,
    /// When its environment was captured.
    pub timestamp: String,
    /// Profile of the run.
    pub profile: String,
    /// `OPENSSL_ia32cap` in effect, if any.
    pub openssl_ia32cap: Option<String>,
}

impl Side {
    /// Describes `run`, read from `source`.
    pub fn of(run: &Run, source: &str) -> Self {
        let env = &run.environment;
        let s = |ptr: &str| {
            env.pointer(ptr)
                .and_then(Json::as_str)
                .unwrap_or("?")
                .to_string()
        };
        Self {
            source: source.to_string(),
            git_revision: s("/git_revision"),
            host: s("/host"),
            cpu: format!("{} ({})", s("/cpu/model"), s("/cpu/arch")),
            timestamp: s("/timestamp"),
            profile: run.profile.clone(),
            openssl_ia32cap: env
                .pointer("/masks/openssl_ia32cap")
                .and_then(Json::as_str)
                .map(str::to_string),
        }
    }
}

/// Everything the gate concluded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateReport {
    /// Always [`GATE_KIND`].
    pub kind: &'static str,
    /// Whether the gate passed (exit status 0) or found regressions (exit status 1).
    pub passed: bool,
    /// What was compared.
    pub metric: Metric,
    /// The baseline.
    pub baseline: Side,
    /// The candidate.
    pub candidate: Side,
    /// Scenario by scenario.
    pub comparison: Comparison,
    /// Method notes and warnings (machines, masks, determinism, timing).
    pub notes: Vec<String>,
}

impl GateReport {
    /// Assembles the report; `passed` follows the comparison.
    pub fn new(
        metric: Metric,
        baseline: Side,
        candidate: Side,
        comparison: Comparison,
        notes: Vec<String>,
    ) -> Self {
        Self {
            kind: GATE_KIND,
            passed: comparison.passed(),
            metric,
            baseline,
            candidate,
            comparison,
            notes,
        }
    }
}
