//! The recommendation: among strategies whose every class withstands the attacks it must
//! (executed, not tabulated) and that fit the budget, one that encrypts every class if any
//! fits (a misclassified secret then still travels encrypted), else the cheapest; with the
//! attack that rules out each rejected strategy and "tie" where confidence intervals overlap.

use serde::Serialize;

use super::attacks::Broken;
use super::evaluate::{Costs, Row};
use super::human;
use super::profile::Budget;
use super::strategy::{Attack, KeyScope};
use crate::envelope::Mode;

/// One class of the recommendation.
#[derive(Debug, Clone, Serialize)]
pub struct RecommendedClass {
    /// The class.
    pub class: String,
    /// Envelope mode.
    pub mode: Mode,
    /// Key scope.
    pub key_scope: KeyScope,
    /// CPU, cores (median timings).
    pub cores: f64,
    /// 95% interval of the CPU.
    pub cores_low: f64,
    /// 95% interval of the CPU.
    pub cores_high: f64,
    /// The executed attacks it withstood (every one it must).
    pub withstands: Vec<Attack>,
}

/// A strategy ruled out by executed attacks.
#[derive(Debug, Clone, Serialize)]
pub struct Rejected {
    /// The strategy.
    pub strategy: String,
    /// Each class the strategy leaves open, with the attack that broke it.
    pub broken: Vec<RejectedClass>,
}

/// One class of a rejected strategy.
#[derive(Debug, Clone, Serialize)]
pub struct RejectedClass {
    /// The class.
    pub class: String,
    /// Its scheme under the strategy.
    pub mode: Mode,
    /// Its key scope.
    pub key_scope: KeyScope,
    /// The attacks that succeeded (the first is the one reported).
    pub attacks: Vec<Broken>,
}

/// What to deploy, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    /// The strategy; `None` if nothing meets the requirements within the budget.
    pub strategy: Option<String>,
    /// The backend it was costed on.
    pub backend: Option<String>,
    /// Per class: mode, key scope, CPU and the attacks withstood.
    pub classes: Vec<RecommendedClass>,
    /// The reasons, in reading order.
    pub reasons: Vec<String>,
    /// Strategies (any backend) whose CPU interval overlaps the recommendation's.
    pub ties: Vec<String>,
    /// Every strategy that fails the requirements, with the attack that broke it.
    pub rejected: Vec<Rejected>,
}

fn fit_summary(c: &Costs, budget: &Budget) -> String {
    let mut s = format!(
        "{} cores [95% CI {}–{}] of {}",
        human(c.cores),
        human(c.cores_low),
        human(c.cores_high),
        human(budget.cores)
    );
    if let Some(b) = &c.busiest {
        s.push_str(&format!(
            "; busiest node ({}) {} cores",
            b.role,
            human(b.cores_per_node)
        ));
        if let Some(limit) = budget.cores_per_node {
            s.push_str(&format!(" of {}", human(limit)));
        }
    }
    // The class closest to its own latency budget.
    let tightest = c.classes.iter().max_by(|a, b| {
        (a.latency_p99_us / a.latency_budget_us)
            .total_cmp(&(b.latency_p99_us / b.latency_budget_us))
    });
    match tightest {
        Some(t) => s.push_str(&format!(
            "; added latency at the p99 size {} µs of {} µs for \"{}\", the class nearest its budget (median timings)",
            human(t.latency_p99_us),
            human(t.latency_budget_us),
            t.class
        )),
        None => s.push_str(&format!(
            "; added latency at the p99 size {} µs of {} µs (median timings)",
            human(c.latency_p99_us),
            human(budget.added_latency_us)
        )),
    }
    s
}

/// Why a priced row does not fit.
pub fn overrun(c: &Costs, budget: &Budget) -> String {
    let mut parts = Vec::new();
    if !c.fits_cpu {
        parts.push(format!(
            "needs {} cores (budget {})",
            human(c.cores),
            human(budget.cores)
        ));
    }
    if let (false, Some(b), Some(limit)) = (c.fits_node_cpu, &c.busiest, budget.cores_per_node) {
        parts.push(format!(
            "needs {} cores on one {} node (budget {} per node)",
            human(b.cores_per_node),
            b.role,
            human(limit)
        ));
    }
    for k in c.classes.iter().filter(|k| {
        k.latency_p50_us > k.latency_budget_us || k.latency_p99_us > k.latency_budget_us
    }) {
        parts.push(format!(
            "adds {} µs to class \"{}\" at the p99 size (budget {} µs)",
            human(k.latency_p99_us),
            k.class,
            human(k.latency_budget_us)
        ));
    }
    if !c.fits_secrets {
        parts.push(format!(
            "puts {} secret keys on one node (budget {})",
            c.max_secrets_per_node,
            budget.max_secrets_per_node.unwrap_or(0)
        ));
    }
    parts.join(" and ")
}

fn cheapest<'a>(rows: impl Iterator<Item = &'a Row>) -> Option<(&'a Row, &'a Costs)> {
    rows.filter_map(|r| r.costs.as_ref().map(|c| (r, c)))
        .fold(None, |best, (r, c)| match best {
            Some((_, bc)) if bc.cores <= c.cores => best,
            _ => Some((r, c)),
        })
}

/// The strategies that fail the requirements, once each (verdicts do not depend on the
/// backend), in row order.
pub fn rejected(rows: &[Row]) -> Vec<Rejected> {
    let mut out: Vec<Rejected> = Vec::new();
    for r in rows.iter().filter(|r| !r.meets_requirements) {
        if out.iter().any(|x| x.strategy == r.strategy) {
            continue;
        }
        out.push(Rejected {
            strategy: r.strategy.clone(),
            broken: r
                .verdicts
                .iter()
                .filter(|v| !v.meets())
                .map(|v| RejectedClass {
                    class: v.class.clone(),
                    mode: v.scheme.mode,
                    key_scope: v.scheme.key_scope,
                    attacks: v.broken_by.clone(),
                })
                .collect(),
        });
    }
    out
}

/// One line: the first class a rejected strategy leaves open and the attack that did it.
pub fn first_break(r: &Rejected) -> String {
    let Some(c) = r.broken.first() else {
        return String::new();
    };
    let attack = c.attacks.first().map_or(String::new(), |b| {
        format!("{} ({}: {})", b.attack.id(), b.executed, b.outcome)
    });
    let more = r.broken.len().saturating_sub(1);
    let more = if more > 0 {
        format!("; {more} more class(es) broken")
    } else {
        String::new()
    };
    let tls = if r.strategy.starts_with("tls") {
        "mutual TLS to the broker + "
    } else {
        ""
    };
    format!(
        "class \"{}\" as {tls}{}/{}: {attack}{more}",
        c.class,
        c.mode.label(),
        c.key_scope.label()
    )
}

/// Why `tls-only` fails, from its executed attacks: every distinct broken attack with the
/// first class it broke, and the first one's outcome.
fn tls_only_reason(rejected: &[Rejected]) -> Option<String> {
    let r = rejected
        .iter()
        .find(|r| r.strategy == super::strategy::TLS_ONLY)?;
    let mut seen: Vec<Attack> = Vec::new();
    let mut parts = Vec::new();
    for c in &r.broken {
        for b in &c.attacks {
            if !seen.contains(&b.attack) {
                seen.push(b.attack);
                parts.push(format!(
                    "{} on \"{}\" ({}: {})",
                    b.attack.id(),
                    c.class,
                    b.executed,
                    b.outcome
                ));
            }
        }
    }
    Some(format!(
        "tls-only (mutual TLS to the broker, no envelope) does not meet the requirements, by \
         the attacks executed on its TLS sessions: {}. TLS is hop by hop: it ends at the \
         broker, and a consumer's only TLS peer is the broker, so it cannot tell which node \
         published a message.",
        parts.join("; ")
    ))
}

/// Chooses from `rows` (every backend × strategy evaluated).
pub fn recommend(rows: &[Row], budget: &Budget) -> Recommendation {
    let rejected = rejected(rows);
    let tls_reason = tls_only_reason(&rejected);
    let acceptable = || rows.iter().filter(|r| r.acceptable());
    let encrypted = |r: &&Row| {
        r.verdicts
            .iter()
            .all(|v| super::strategy::encrypts(v.scheme.mode))
    };
    let mut reasons = Vec::new();
    let choice = match cheapest(acceptable().filter(encrypted)) {
        Some(found) => {
            reasons.push(format!(
                "{} on {} encrypts every class, withstands every attack the threat model \
                 requires of each class, and fits the budget: {}.",
                found.0.strategy,
                found.0.backend,
                fit_summary(found.1, budget)
            ));
            reasons.push(
                "With every class encrypted, a secret in a message filed as integrity-only or \
                 public is still encrypted."
                    .to_string(),
            );
            if let Some((alt, ac)) = cheapest(acceptable()).filter(|(_, c)| c.cores < found.1.cores)
            {
                reasons.push(format!(
                    "The cheapest strategy meeting the requirements, {} on {}, would use {} \
                     cores ({:.0}%); that saving is the price of trusting every message's \
                     classification.",
                    alt.strategy,
                    alt.backend,
                    human(ac.cores),
                    100.0 * ac.cores / found.1.cores.max(f64::MIN_POSITIVE)
                ));
            }
            Some(found)
        }
        None => match cheapest(acceptable()) {
            Some(found) => {
                reasons.push(
                    "No strategy that encrypts every class both withstands the required \
                     attacks and fits the budget."
                        .to_string(),
                );
                reasons.push(format!(
                    "{} on {} is the cheapest strategy that withstands every required attack \
                     and fits the budget: {}.",
                    found.0.strategy,
                    found.0.backend,
                    fit_summary(found.1, budget)
                ));
                reasons.push(
                    "It relies on the classification being right: a secret sent in a class \
                     marked integrity-only or public travels unencrypted."
                        .to_string(),
                );
                Some(found)
            }
            None => None,
        },
    };
    reasons.extend(tls_reason);
    let Some((row, costs)) = choice else {
        reasons.push("No strategy withstands the required attacks within the budget.".into());
        match cheapest(rows.iter().filter(|r| r.meets_requirements)) {
            Some((r, c)) => reasons.push(format!(
                "The cheapest that withstands them is {} on {}, which {}.",
                r.strategy,
                r.backend,
                overrun(c, budget)
            )),
            None => reasons.push(
                "No strategy priced from these results withstands every required attack.".into(),
            ),
        }
        return Recommendation {
            strategy: None,
            backend: None,
            classes: Vec::new(),
            reasons,
            ties: Vec::new(),
            rejected,
        };
    };
    let ties: Vec<String> = acceptable()
        .filter(|r| !(r.strategy == row.strategy && r.backend == row.backend))
        .filter_map(|r| r.costs.as_ref().map(|c| (r, c)))
        .filter(|(_, c)| c.cores_low <= costs.cores_high && costs.cores_low <= c.cores_high)
        .map(|(r, c)| {
            format!(
                "{} on {} ({} cores [{}–{}])",
                r.strategy,
                r.backend,
                human(c.cores),
                human(c.cores_low),
                human(c.cores_high)
            )
        })
        .collect();
    if !ties.is_empty() {
        reasons.push(format!(
            "Tie: the 95% confidence intervals of the CPU overlap with {}; the choice between \
             them is not decided by these measurements.",
            ties.join(", ")
        ));
    }
    let classes = row
        .verdicts
        .iter()
        .zip(&costs.classes)
        .map(|(v, c)| RecommendedClass {
            class: v.class.clone(),
            mode: v.scheme.mode,
            key_scope: v.scheme.key_scope,
            cores: c.cores,
            cores_low: c.cores_low,
            cores_high: c.cores_high,
            withstands: v.withstands.clone(),
        })
        .collect();
    Recommendation {
        strategy: Some(row.strategy.clone()),
        backend: Some(row.backend.clone()),
        classes,
        reasons,
        ties,
        rejected,
    }
}
