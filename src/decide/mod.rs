//! Traffic profile → strategy costs → recommendation: should a deployment encrypt every
//! message, or only the ones classified as sensitive?
//!
//! Inputs are a results file from `sealbench run` (envelope seal/open costs per backend)
//! and a traffic profile. Every strategy is costed on every backend in the results: CPU
//! cores consumed, added latency at the p50 and p99 payload sizes, added bytes per second,
//! whether it meets each class's protection requirement and whether it fits the budget.
//! The recommendation is the cheapest strategy that meets the requirements and the budget,
//! except that seal-all is preferred whenever it fits (a classification mistake cannot leak
//! data). Break-even points say how far the traffic can grow before seal-all stops fitting.
//!
//! # Traffic profile format (TOML)
//!
//! ```toml
//! name = "openstack-control-plane"
//! description = "Nova/Neutron RPC over RabbitMQ"      # optional
//! provenance = "where the rates and sizes come from"   # required
//!
//! [budget]
//! cores = 2.0               # CPU cores message security may use, in total
//! added_latency_us = 50.0   # allowed seal + open per message, vs the p50 and p99 messages
//! nodes = 40                # optional: also show cores per node
//!
//! [[class]]
//! name = "rpc-call"
//! rate_per_s = 400.0        # messages sent per second (a broadcast counts once)
//! sensitivity = "confidential"   # "confidential" | "integrity" | "public"
//! delivery = "unicast"      # "unicast" | "broadcast"
//! sizes = [[1024, 56], [2048, 1006], [4096, 1932]]   # [upper bound bytes, weight] bins
//!
//! [[class]]
//! name = "fanout-cast"
//! rate_per_s = 5.0
//! sensitivity = "integrity"
//! delivery = "broadcast"
//! fanout = 100              # receivers per message (broadcast only, required there)
//! sizes = { p50 = 2450, p90 = 6480, p99 = 11292 }   # or percentiles: p50, p99 required;
//!                                                  # p75, p90, p95, max optional
//! ```
//!
//! Parsing is strict: unknown fields are errors, and every error names the file, line and
//! field. Sizes are costed at upper bounds (each histogram bin at its upper bound, each
//! message between two percentiles at the higher one; the p50 and p99 of a histogram are
//! the upper bounds of the bins where the cumulative weight reaches 50% and 99%).
//!
//! # Requirements
//!
//! A confidential class must be encrypted (Encrypt0, Encrypt, sign-encrypt); an integrity
//! class must be authenticated (Mac0, Sign1, Encrypt0, sign-encrypt — not Encrypt, which
//! anyone can produce with a public key); a public class needs nothing. A strategy that
//! falls short is still costed and marked as not meeting the profile's requirements.

mod cost;
mod curve;
mod error;
mod evaluate;
mod profile;
mod recommend;
mod sizes;
mod strategy;

use std::path::Path;

use serde::Serialize;

pub use cost::{CostModel, Priced, Protection, Source};
pub use curve::{Crossing, Curve, first_crossing};
pub use error::{DecideError, ProfileError};
pub use evaluate::{BreakEven, ClassCost, Costs, Row, break_even, evaluate};
pub use profile::{Budget, Class, Delivery, Profile, Sensitivity};
pub use recommend::{Recommendation, recommend};
pub use sizes::SizeDistribution;
pub use strategy::{Algorithms, Strategy, authenticates, encrypts};

use crate::results::ResultsFile;

/// What `decide` was asked.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only this backend (as named in the results).
    pub backend: Option<String>,
    /// Algorithms for the strategies.
    pub algorithms: Algorithms,
    /// Which run of the results file.
    pub run: usize,
}

/// Which results were used.
#[derive(Debug, Clone, Serialize)]
pub struct ResultsUsed {
    /// Index of the run in the file.
    pub run: usize,
    /// How many runs the file has.
    pub runs: usize,
    /// The run's host, if recorded.
    pub host: Option<String>,
    /// The run's measurement profile (`quick`, `default`, `precise`).
    pub measurement_profile: String,
    /// The backends evaluated.
    pub backends: Vec<String>,
}

/// The whole answer.
#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    /// The profile as understood.
    pub profile: Profile,
    /// The results used.
    pub results: ResultsUsed,
    /// The algorithms the strategies were priced with.
    pub algorithms: Algorithms,
    /// Every backend × strategy, backends in results order, strategies in report order.
    pub rows: Vec<Row>,
    /// Where seal-all stops fitting, per backend where it could be priced.
    pub break_even: Vec<BreakEven>,
    /// What to deploy.
    pub recommendation: Recommendation,
}

/// Costs every strategy for `profile` from `results` and recommends one.
pub fn decide(
    profile: &Profile,
    results: &ResultsFile,
    options: &Options,
) -> Result<Decision, DecideError> {
    let run = results
        .runs
        .get(options.run)
        .ok_or(DecideError::NoSuchRun {
            index: options.run,
            runs: results.runs.len(),
        })?;
    let model = CostModel::new(run);
    let available = model.backends();
    if available.is_empty() {
        return Err(DecideError::NoEnvelopeScenarios { index: options.run });
    }
    let backends = match &options.backend {
        Some(name) if available.contains(name) => vec![name.clone()],
        Some(name) => {
            return Err(DecideError::UnknownBackend {
                name: name.clone(),
                available,
            });
        }
        None => available,
    };
    let algs = &options.algorithms;
    let mut rows = Vec::new();
    let mut break_evens = Vec::new();
    for backend in &backends {
        for &strategy in Strategy::ALL {
            let row = evaluate(profile, &model, backend, strategy, algs);
            if strategy == Strategy::SealAll {
                break_evens.extend(break_even(profile, &model, backend, &row, algs));
            }
            rows.push(row);
        }
    }
    Ok(Decision {
        profile: profile.clone(),
        results: ResultsUsed {
            run: options.run,
            runs: results.runs.len(),
            host: run
                .environment
                .get("host")
                .and_then(|h| h.as_str())
                .map(str::to_string),
            measurement_profile: run.profile.clone(),
            backends,
        },
        algorithms: *algs,
        recommendation: recommend(&rows, &profile.budget),
        rows,
        break_even: break_evens,
    })
}

/// Reads a results file written by `sealbench run`.
pub fn load_results(path: &Path) -> Result<ResultsFile, DecideError> {
    let text = std::fs::read_to_string(path).map_err(|source| DecideError::ResultsRead {
        path: path.to_path_buf(),
        source,
    })?;
    let invalid = |message: String| DecideError::ResultsInvalid {
        path: path.to_path_buf(),
        message,
    };
    let file: ResultsFile = serde_json::from_str(&text)
        .map_err(|e| invalid(format!("line {} column {}: {e}", e.line(), e.column())))?;
    if file.kind != "sealbench-results" {
        return Err(invalid(format!(
            "kind is {:?}, expected \"sealbench-results\"",
            file.kind
        )));
    }
    Ok(file)
}

/// A byte count as a float (exact below 2^53 bytes).
pub(crate) fn bytes_f64(n: u64) -> f64 {
    n as f64
}

/// A number with about three significant digits, for tables and reasons.
pub fn human(x: f64) -> String {
    let a = x.abs();
    if !x.is_finite() || a >= 100.0 {
        format!("{x:.0}")
    } else if a == 0.0 {
        "0".to_string()
    } else if a < 1e-3 {
        format!("{x:.2e}")
    } else {
        // 3 significant digits: 12.3, 1.23, 0.123, 0.0123 (at most 9 decimals).
        let decimals = (2.0 - a.log10().floor()).clamp(0.0, 9.0) as usize;
        format!("{x:.decimals$}")
    }
}
