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

mod attacks;
mod cost;
mod curve;
mod error;
mod evaluate;
mod profile;
mod recommend;
mod search;
mod sizes;
mod strategy;
mod system;

use std::path::Path;

use serde::Serialize;

pub use attacks::{Broken, ClassVerdict, channel_verdicts, judge, judge_all, judge_tls, verdicts};
pub use cost::{ChannelPrice, CostModel, Priced, Protection, Source};
pub use curve::{Crossing, Curve, first_crossing};
pub use error::{DecideError, ProfileError};
pub use evaluate::{
    BreakEven, ClassCost, Costs, PricedClass, RoleLoad, Row, assemble, break_even, price_class,
    with_tls,
};
pub use profile::{Budget, Class, Delivery, Profile, Sensitivity, Threat, Transport};
pub use recommend::{
    Recommendation, RecommendedClass, Rejected, RejectedClass, first_break, recommend,
};
pub use search::{Found, MAX_LEAVES, cheapest_mix};
pub use sizes::SizeDistribution;
pub use strategy::{
    Algorithms, Attack, CHEAPEST_ENCRYPTED_MIX, CHEAPEST_MIX, KeyScope, NAMED, Scheme, Strategy,
    TLS_ONLY, TLS_WITH, encrypts, required,
};
pub use system::{
    BusCost, ClassShare, MeasuredEnvelope, MeasuredTls, SystemShare, share, system_share,
};

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
    /// Every (mode, key scope) deployment's executed attacks, per class:
    /// `[class][scheme]` in [`Scheme::ALL`] order.
    pub verdicts: Vec<Vec<ClassVerdict>>,
    /// Every backend × strategy, backends in results order, strategies in report order
    /// (the fixed ones, then the searched mixes found on that backend).
    pub rows: Vec<Row>,
    /// Where the recommended strategy (else seal-all/group) stops fitting the CPU budget.
    pub break_even: Vec<BreakEven>,
    /// Caveats on the numbers: quick or noisy runs, search limits.
    pub warnings: Vec<String>,
    /// What to deploy.
    pub recommendation: Recommendation,
    /// With `--system FILE`: the recommendation's crypto as a share of the whole RPC,
    /// measured over a real RabbitMQ ([`system_share`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<SystemShare>,
}

/// Costs every strategy for `profile` from `results`, judges each class's scheme by
/// executed attacks, and recommends one.
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
    let verdicts = judge_all(profile)?;
    let index = |s: &Scheme| Scheme::ALL.iter().position(|x| x == s).unwrap_or(0);
    let mut rows = Vec::new();
    let mut warnings = Vec::new();
    if run.profile == "quick" {
        warnings.push(
            "the results come from a quick run (few samples): treat differences under ~20% as \
             noise and rerun with the default profile before deciding"
                .to_string(),
        );
    }
    for backend in &backends {
        let priced: Vec<Vec<Result<PricedClass, String>>> = profile
            .classes
            .iter()
            .map(|c| {
                Scheme::ALL
                    .iter()
                    .map(|&s| price_class(profile, &model, backend, c, s, algs))
                    .collect()
            })
            .collect();
        let mut strategies = Strategy::named(profile);
        for (encrypted, name) in [(false, CHEAPEST_MIX), (true, CHEAPEST_ENCRYPTED_MIX)] {
            let found = cheapest_mix(profile, backend, &priced, &verdicts, encrypted, name);
            if found.capped {
                warnings.push(format!(
                    "{backend}: the {name} search stopped after {MAX_LEAVES} mixes; the mix \
                     found may not be the cheapest"
                ));
            }
            strategies.extend(found.strategy);
        }
        for strategy in &strategies {
            let cells: Vec<Result<&PricedClass, String>> = strategy
                .schemes
                .iter()
                .zip(&priced)
                .map(|(s, p)| match p.get(index(s)) {
                    Some(Ok(pc)) => Ok(pc),
                    Some(Err(e)) => Err(e.clone()),
                    None => Err("no such scheme".to_string()),
                })
                .collect();
            let class_verdicts: Vec<ClassVerdict> = strategy
                .schemes
                .iter()
                .zip(&verdicts)
                .filter_map(|(s, v)| v.get(index(s)).cloned())
                .collect();
            rows.push(assemble(profile, backend, strategy, &cells, class_verdicts));
        }
        // Channel strategies: the same schemes over mutual TLS to the broker, priced from
        // the run's channel scenarios and judged by the attacks executed on TLS sessions.
        let cert = match algs.sign {
            crate::backend::SignatureId::EcdsaP256Sha256 => "ecdsap256",
            _ => "ed25519",
        };
        let channel = model.channel(backend, cert);
        for strategy in Strategy::channel(profile) {
            let cells: Vec<Result<PricedClass, String>> = strategy
                .schemes
                .iter()
                .zip(&priced)
                .zip(&profile.classes)
                .map(|((s, p), class)| {
                    let base = match p.get(index(s)) {
                        Some(Ok(pc)) => pc,
                        Some(Err(e)) => return Err(e.clone()),
                        None => return Err("no such scheme".to_string()),
                    };
                    let ch = channel.as_ref().map_err(Clone::clone)?;
                    Ok(with_tls(profile, class, base, ch))
                })
                .collect();
            let refs: Vec<Result<&PricedClass, String>> = cells
                .iter()
                .map(|c| c.as_ref().map_err(Clone::clone))
                .collect();
            let class_verdicts = strategy
                .schemes
                .iter()
                .zip(&profile.classes)
                .map(|(s, c)| judge_tls(profile, c, *s))
                .collect::<Result<Vec<_>, _>>()?;
            rows.push(assemble(profile, backend, &strategy, &refs, class_verdicts));
        }
    }
    let recommendation = recommend(&rows, &profile.budget);
    if let Some(r) = rows.iter().find(|r| {
        r.noisy
            && Some(&r.strategy) == recommendation.strategy.as_ref()
            && Some(&r.backend) == recommendation.backend.as_ref()
    }) {
        warnings.push(format!(
            "some scenarios priced for {} on {} were marked noisy in the results: their \
             confidence intervals are wide",
            r.strategy, r.backend
        ));
    }
    let target = recommendation
        .strategy
        .clone()
        .unwrap_or_else(|| "seal-all/group".to_string());
    let break_evens = rows
        .iter()
        .filter(|r| r.strategy == target)
        .filter_map(|r| break_even(profile, r))
        .collect();
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
        verdicts,
        recommendation,
        rows,
        break_even: break_evens,
        warnings,
        system: None,
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
