//! What each strategy costs on each backend for a profile, and where seal-all stops fitting.
//!
//! Per class, with `n` receivers per message (`fanout`; 1 for unicast):
//! - CPU, cores = `rate × E_size[seal(s) + n × open(s)] / 1e9` (one seal, `n` opens; for
//!   symmetric modes a broadcast uses one group key);
//! - added latency = `seal(s) + open(s)` at the class's p50 and p99 payload sizes;
//! - added bytes/s = `rate × E_size[overhead(s)]`, per message sent.
//!
//! Hybrid (COSE_Encrypt) messages have `n` recipients, priced at the measured recipient
//! count or interpolated between counts. A strategy's latency is its worst class's.

use serde::Serialize;

use super::cost::{CostModel, Priced, Source};
use super::curve::{Crossing, first_crossing};
use super::profile::{Class, Profile};
use super::strategy::{Algorithms, Strategy, caution, violation};
use crate::envelope::Mode;

/// One class under one strategy.
#[derive(Debug, Clone, Serialize)]
pub struct ClassCost {
    /// The class.
    pub class: String,
    /// Mode and algorithms, e.g. `encrypt0(aes128gcm)`.
    pub protection: String,
    /// Recipients per message (hybrid modes; 1 otherwise).
    pub recipients: u32,
    /// CPU, cores.
    pub cores: f64,
    /// Seal + open at the class's p50 size, µs.
    pub latency_p50_us: f64,
    /// Seal + open at the class's p99 size, µs.
    pub latency_p99_us: f64,
    /// Envelope bytes added per second; `None` if the results lack overhead.
    pub added_bytes_per_s: Option<f64>,
}

/// The totals of one strategy on one backend.
#[derive(Debug, Clone, Serialize)]
pub struct Costs {
    /// CPU, cores, all classes.
    pub cores: f64,
    /// `cores / nodes`, when the profile states nodes.
    pub cores_per_node: Option<f64>,
    /// Worst class's p50 added latency, µs.
    pub latency_p50_us: f64,
    /// Worst class's p99 added latency, µs.
    pub latency_p99_us: f64,
    /// Envelope bytes added per second; `None` if the results lack overhead.
    pub added_bytes_per_s: Option<f64>,
    /// `cores ≤ budget.cores`.
    pub fits_cpu: bool,
    /// p50 and p99 latency within `budget.added_latency_us`.
    pub fits_latency: bool,
    /// Both.
    pub fits_budget: bool,
    /// Per class.
    pub classes: Vec<ClassCost>,
}

/// One strategy on one backend.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Backend, as named in the results.
    pub backend: String,
    /// The strategy.
    pub strategy: Strategy,
    /// No violations.
    pub meets_requirements: bool,
    /// Classes left unencrypted or unauthenticated against their sensitivity.
    pub violations: Vec<String>,
    /// Weaknesses short of a violation.
    pub cautions: Vec<String>,
    /// How the costs were obtained where it is not the plain reading of the results.
    pub notes: Vec<String>,
    /// The scenario families priced.
    pub priced_from: Vec<String>,
    /// The costs, if the results have what the strategy needs.
    pub costs: Option<Costs>,
    /// Why it could not be priced.
    pub unavailable: Option<String>,
}

impl Row {
    /// Priced, meets the requirements and fits the budget.
    pub fn acceptable(&self) -> bool {
        self.meets_requirements && self.costs.as_ref().is_some_and(|c| c.fits_budget)
    }
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// Costs `strategy` on `backend`.
pub fn evaluate(
    profile: &Profile,
    model: &CostModel<'_>,
    backend: &str,
    strategy: Strategy,
    algs: &Algorithms,
) -> Row {
    let mut row = Row {
        backend: backend.to_string(),
        strategy,
        meets_requirements: true,
        violations: Vec::new(),
        cautions: Vec::new(),
        notes: Vec::new(),
        priced_from: Vec::new(),
        costs: None,
        unavailable: None,
    };
    let mut priced: Vec<(Mode, Priced)> = Vec::new();
    let mut classes = Vec::with_capacity(profile.classes.len());
    for class in &profile.classes {
        let mode = strategy.mode_for(class);
        row.violations.extend(violation(class, mode));
        row.cautions.extend(caution(class, mode));
        let protection = algs.protection(mode);
        if !priced.iter().any(|(m, _)| *m == mode) {
            match model.price(backend, &protection) {
                Ok(p) => priced.push((mode, p)),
                Err(reason) => {
                    push_unique(&mut row.notes, reason.clone());
                    row.unavailable.get_or_insert(reason);
                    continue;
                }
            }
        }
        let Some((_, p)) = priced.iter().find(|(m, _)| *m == mode) else {
            continue;
        };
        let cost = class_cost(class, mode, p, &protection.describe());
        if let Some(note) = p.recipients_note(cost.recipients).filter(|_| mode.hybrid()) {
            push_unique(&mut row.notes, format!("class \"{}\": {note}", class.name));
        }
        if p.levels.iter().any(|l| l.seal.source == Source::Unmeasured) {
            let note = "no plain-framing scenarios in the results: plain costed as zero";
            push_unique(&mut row.notes, note.to_string());
        }
        for family in p.families() {
            push_unique(&mut row.priced_from, family);
        }
        classes.push(cost);
    }
    row.meets_requirements = row.violations.is_empty();
    if row.unavailable.is_none() {
        row.costs = Some(totals(profile, classes));
    }
    row
}

fn class_cost(class: &Class, mode: Mode, p: &Priced, protection: &str) -> ClassCost {
    let n = if mode.hybrid() { class.fanout } else { 1 };
    let fanout = f64::from(class.fanout);
    let per_msg = class
        .sizes
        .expect(|s| p.seal_ns(s, n) + fanout * p.open_ns(s, n));
    let latency_us = |s| (p.seal_ns(s, n) + p.open_ns(s, n)) / 1e3;
    let overhead: Option<f64> = class
        .sizes
        .points
        .iter()
        .map(|&(s, w)| p.overhead_bytes(s, n).map(|o| w * o))
        .sum();
    ClassCost {
        class: class.name.clone(),
        protection: protection.to_string(),
        recipients: n,
        cores: class.rate_per_s * per_msg / 1e9,
        latency_p50_us: latency_us(class.sizes.p50),
        latency_p99_us: latency_us(class.sizes.p99),
        added_bytes_per_s: overhead.map(|o| class.rate_per_s * o),
    }
}

fn totals(profile: &Profile, classes: Vec<ClassCost>) -> Costs {
    let budget = &profile.budget;
    let cores: f64 = classes.iter().map(|c| c.cores).sum();
    let worst = |f: fn(&ClassCost) -> f64| classes.iter().map(f).fold(0.0, f64::max);
    let latency_p50_us = worst(|c| c.latency_p50_us);
    let latency_p99_us = worst(|c| c.latency_p99_us);
    let fits_cpu = cores <= budget.cores;
    let fits_latency =
        latency_p50_us <= budget.added_latency_us && latency_p99_us <= budget.added_latency_us;
    Costs {
        cores,
        cores_per_node: budget.nodes.map(|n| cores / f64::from(n)),
        latency_p50_us,
        latency_p99_us,
        added_bytes_per_s: classes.iter().map(|c| c.added_bytes_per_s).sum(),
        fits_cpu,
        fits_latency,
        fits_budget: fits_cpu && fits_latency,
        classes,
    }
}

/// Where seal-all stops fitting on one backend.
#[derive(Debug, Clone, Serialize)]
pub struct BreakEven {
    /// Backend.
    pub backend: String,
    /// seal-all's CPU at the profile's rates, cores.
    pub cores: f64,
    /// The factor on every class's rate at which seal-all uses the whole CPU budget
    /// (`budget.cores / cores`); `None` if seal-all costs nothing measurable.
    pub rate_multiplier: Option<f64>,
    /// Messages sent per second, all classes, at that factor.
    pub msgs_per_s: Option<f64>,
    /// The payload size beyond which one message's seal + open exceeds the latency budget.
    pub latency_size: Crossing,
}

/// seal-all's break-even points on `backend`, if seal-all can be priced there.
pub fn break_even(
    profile: &Profile,
    model: &CostModel<'_>,
    backend: &str,
    seal_all: &Row,
    algs: &Algorithms,
) -> Option<BreakEven> {
    let costs = seal_all.costs.as_ref()?;
    let priced = model
        .price(backend, &algs.protection(Mode::Encrypt0))
        .ok()?;
    let level = priced.levels.first()?;
    let budget_ns = profile.budget.added_latency_us * 1e3;
    let rate_multiplier = (costs.cores > 0.0).then(|| profile.budget.cores / costs.cores);
    Some(BreakEven {
        backend: backend.to_string(),
        cores: costs.cores,
        rate_multiplier,
        msgs_per_s: rate_multiplier.map(|m| m * profile.total_rate()),
        latency_size: first_crossing(&[&level.seal.curve, &level.open.curve], budget_ns),
    })
}
