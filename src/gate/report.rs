//! The gate's verdict as one serde value: printed as JSON with `--json`, rendered as
//! markdown by [`super::markdown`] otherwise.

use serde::Serialize;
use serde_json::Value as Json;

use super::Metric;
use super::compare::Comparison;
use super::controls::Controls;
use crate::results::Run;

/// Kind tag of the JSON output.
pub const GATE_KIND: &str = "sealbench-gate";

/// Where one side's numbers came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    /// A file path (several joined by `, `), a binary, or `measured now`.
    pub source: String,
    /// Independent processes behind this side: one per `sealbench run` file, a gate-wall
    /// run's fresh processes (3), icount (deterministic) counted as 3.
    pub runs: u32,
    /// The build profile that produced it (`measure (lto=fat, codegen-units=1)`), `?`
    /// for files written before sealbench recorded it.
    pub build_profile: String,
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
        let build_profile = match env.pointer("/build_profile") {
            Some(p) => format!(
                "{} (lto={}, codegen-units={})",
                p.get("name").and_then(Json::as_str).unwrap_or("?"),
                p.get("lto").and_then(Json::as_str).unwrap_or("?"),
                p.get("codegen_units").and_then(Json::as_str).unwrap_or("?")
            ),
            None => "?".into(),
        };
        Self {
            source: source.to_string(),
            runs: 1,
            build_profile,
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
    /// What the control scenarios say about the machine on the two sides.
    pub controls: Controls,
    /// What a reader must know before the table (shown at the top): different profiles,
    /// build profiles or scenario sets, suspected regressions that did not fail, the
    /// machine state.
    pub warnings: Vec<String>,
    /// Method notes (machines, masks, determinism, timing).
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
            controls: Controls::assess(&comparison),
            comparison,
            warnings: Vec::new(),
            notes,
        }
    }
}
