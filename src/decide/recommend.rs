//! The recommendation: the cheapest strategy that meets the requirements and the budget,
//! preferring seal-all whenever it fits, with the reasons.

use serde::Serialize;

use super::evaluate::{Costs, Row};
use super::human;
use super::profile::Budget;
use super::strategy::Strategy;

/// What to deploy, and why.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    /// The strategy; `None` if nothing meets the requirements within the budget.
    pub strategy: Option<Strategy>,
    /// The backend it was costed on.
    pub backend: Option<String>,
    /// The reasons, in reading order.
    pub reasons: Vec<String>,
}

fn priced(row: &Row) -> Option<(&Row, &Costs)> {
    row.costs.as_ref().map(|c| (row, c))
}

/// The row with the least CPU (the first listed on a tie).
fn cheapest<'a>(rows: impl Iterator<Item = &'a Row>) -> Option<(&'a Row, &'a Costs)> {
    rows.filter_map(priced)
        .fold(None, |best, (r, c)| match best {
            Some((_, bc)) if bc.cores <= c.cores => best,
            _ => Some((r, c)),
        })
}

fn fit_summary(c: &Costs, budget: &Budget) -> String {
    format!(
        "{} of {} cores, p99 added latency {} µs of {} µs",
        human(c.cores),
        human(budget.cores),
        human(c.latency_p99_us),
        human(budget.added_latency_us)
    )
}

fn overrun(c: &Costs, budget: &Budget) -> String {
    let mut parts = Vec::new();
    if !c.fits_cpu {
        parts.push(format!(
            "needs {} cores (budget {})",
            human(c.cores),
            human(budget.cores)
        ));
    }
    if !c.fits_latency {
        parts.push(format!(
            "adds {} µs at p99 (budget {} µs)",
            human(c.latency_p99_us),
            human(budget.added_latency_us)
        ));
    }
    parts.join(" and ")
}

/// Chooses from `rows` (every backend × strategy evaluated).
pub fn recommend(rows: &[Row], budget: &Budget) -> Recommendation {
    let acceptable = || rows.iter().filter(|r| r.acceptable());
    let seal_rows = || rows.iter().filter(|r| r.strategy == Strategy::SealAll);
    if let Some((seal, sc)) = cheapest(acceptable().filter(|r| r.strategy == Strategy::SealAll)) {
        let mut reasons = vec![
            format!(
                "seal-all on {} meets every class's requirement and fits the budget: {}.",
                seal.backend,
                fit_summary(sc, budget)
            ),
            "Encrypting every message means no classification mistake can leak data: a secret \
             in a message filed as integrity-only or public is still encrypted, and nobody has \
             to keep the classification right as the code changes."
                .to_string(),
        ];
        match cheapest(acceptable().filter(|r| r.strategy != Strategy::SealAll)) {
            Some((alt, ac)) if ac.cores < sc.cores => reasons.push(format!(
                "The cheapest alternative that meets the requirements, {} on {}, would use {} \
                 cores, {} fewer ({:.0}% of seal-all's); that saving is the price of trusting \
                 every message's classification.",
                alt.strategy.label(),
                alt.backend,
                human(ac.cores),
                human(sc.cores - ac.cores),
                100.0 * ac.cores / sc.cores.max(f64::MIN_POSITIVE)
            )),
            Some((alt, ac)) => reasons.push(format!(
                "seal-all is also the cheapest strategy that meets the requirements: the next, \
                 {} on {}, needs {} cores ({}× seal-all's).",
                alt.strategy.label(),
                alt.backend,
                human(ac.cores),
                human(ac.cores / sc.cores.max(f64::MIN_POSITIVE))
            )),
            None => {}
        }
        let others: Vec<String> = seal_rows()
            .filter(|r| r.backend != seal.backend)
            .filter_map(priced)
            .map(|(r, c)| format!("{} {} cores", r.backend, human(c.cores)))
            .collect();
        if !others.is_empty() {
            reasons.push(format!(
                "{} is the cheapest backend for seal-all ({} cores; {}).",
                seal.backend,
                human(sc.cores),
                others.join(", ")
            ));
        }
        reasons.extend(seal.cautions.iter().cloned());
        return Recommendation {
            strategy: Some(Strategy::SealAll),
            backend: Some(seal.backend.clone()),
            reasons,
        };
    }

    let mut reasons = Vec::new();
    match cheapest(seal_rows()) {
        Some((r, c)) if r.meets_requirements => reasons.push(format!(
            "seal-all does not fit: even on {}, the cheapest backend for it, it {}.",
            r.backend,
            overrun(c, budget)
        )),
        Some((r, _)) => reasons.push(format!(
            "seal-all does not meet the requirements: {}.",
            r.violations.join("; ")
        )),
        None => reasons.push(format!(
            "seal-all could not be priced from these results ({}).",
            seal_rows()
                .filter_map(|r| r.unavailable.clone())
                .collect::<Vec<_>>()
                .join("; ")
        )),
    }
    if let Some((best, bc)) = cheapest(acceptable()) {
        reasons.push(format!(
            "{} on {} is the cheapest strategy that meets the requirements and fits the budget: {}.",
            best.strategy.label(),
            best.backend,
            fit_summary(bc, budget)
        ));
        if !best.strategy.classification_free() {
            reasons.push(
                "It relies on the classification being right: a confidential payload sent in a \
                 class marked integrity-only or public travels unencrypted."
                    .to_string(),
            );
        }
        reasons.extend(best.cautions.iter().cloned());
        return Recommendation {
            strategy: Some(best.strategy),
            backend: Some(best.backend.clone()),
            reasons,
        };
    }
    reasons.push("No strategy meets the protection requirements within the budget.".to_string());
    match cheapest(rows.iter().filter(|r| r.meets_requirements)) {
        Some((r, c)) => reasons.push(format!(
            "The cheapest that meets the requirements is {} on {}, which {}.",
            r.strategy.label(),
            r.backend,
            overrun(c, budget)
        )),
        None => reasons.push(
            "No strategy that meets the requirements could be priced from these results."
                .to_string(),
        ),
    }
    Recommendation {
        strategy: None,
        backend: None,
        reasons,
    }
}
