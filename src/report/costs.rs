//! Fixed and per-byte costs: the fit table and the fixed-cost chart.

use std::collections::BTreeMap;

use super::ReportError;
use super::document::{Block, Figure, Section};
use super::input::{Machine, ReportInput};
use super::plots::{BarPlot, Plot};
use super::speed::{figure_name, op_rank};
use super::style::backend_colour;
use super::tables::{Table, VariantRank, mode_rank, num, variant_label, variant_rank};
use crate::backend::AeadId;
use crate::results::{CostFit, ScenarioResult};

fn layer_rank(layer: &str) -> usize {
    ["raw", "plain", "envelope"]
        .iter()
        .position(|l| *l == layer)
        .unwrap_or(3)
}

/// Each fit with the first scenario of its family, in table order.
fn fits_with_scenarios(m: &Machine) -> Vec<(&CostFit, Option<&ScenarioResult>)> {
    let mut out: Vec<_> = m
        .run
        .fits
        .iter()
        .map(|f| (f, m.run.scenarios.iter().find(|s| s.family == f.family)))
        .collect();
    out.sort_by_key(|(f, s)| {
        s.map(|s| {
            (
                layer_rank(&s.layer),
                op_rank(&s.op),
                mode_rank(s.mode.as_deref().unwrap_or("")),
                s.algorithm.clone(),
                s.backend.clone(),
                variant_rank(s),
            )
        })
        .unwrap_or((
            usize::MAX,
            0,
            (0, String::new()),
            f.family.clone(),
            String::new(),
            (0, 0, 0),
        ))
    });
    out
}

fn fit_table(m: &Machine) -> Table {
    let mut t = Table::new(
        "Cost fits t(size) = fixed + per-byte × size (least squares over the measured sizes)",
        &[
            "Layer",
            "Operation",
            "Mode",
            "Algorithm",
            "Backend",
            "Variant",
            "Fixed ns/msg",
            "Per-byte ns",
            "GB/s",
            "Max |residual|",
        ],
    );
    for (f, s) in fits_with_scenarios(m) {
        let max_res = f
            .residuals
            .iter()
            .map(|(_, r)| r.abs())
            .fold(None, |acc: Option<f64>, r| {
                Some(acc.map_or(r, |a| a.max(r)))
            });
        // A line through two points has no residual to report: say so instead of "0 %".
        let residual = match (f.residuals.len(), max_res) {
            (0..=2, _) => format!("exact ({} sizes)", f.residuals.len()),
            (_, Some(r)) => format!("{} %", num(r * 100.0)),
            (_, None) => "–".to_string(),
        };
        // A negative per-byte fit (noise over few sizes) has no throughput.
        let gb_per_s = if f.per_byte_ns > 0.0 {
            num(1.0 / f.per_byte_ns)
        } else {
            "– (per-byte ≤ 0)".to_string()
        };
        let label = |get: fn(&ScenarioResult) -> String| s.map_or(String::new(), get);
        t.push(vec![
            label(|s| s.layer.clone()),
            label(|s| s.op.clone()),
            label(|s| s.mode.clone().unwrap_or_default()),
            s.map_or(f.family.clone(), |s| s.algorithm.clone()),
            label(|s| s.backend.clone()),
            label(variant_label),
            num(f.fixed_ns),
            num(f.per_byte_ns),
            gb_per_s,
            residual,
        ]);
    }
    t
}

/// Fixed cost of one family: the fit's intercept, or (`approx`) without a fit or with a
/// non-positive intercept the median at the smallest size measured, an upper bound.
fn fixed_cost(m: &Machine, family: &str) -> Option<(f64, bool)> {
    if let Some(f) = m
        .run
        .fits
        .iter()
        .find(|f| f.family == family && f.fixed_ns > 0.0)
    {
        return Some((f.fixed_ns, false));
    }
    m.run
        .scenarios
        .iter()
        .filter(|s| s.family == family)
        .min_by_key(|s| s.size)
        .map(|s| (s.stats.median_ns, true))
}

/// Fixed cost per message of every seal and open family: raw AEADs, then envelope modes,
/// by backend (hybrid modes' open, with its key unwrap, is much dearer than their seal).
fn fixed_chart(m: &Machine) -> Option<BarPlot> {
    // (group order, group label) -> backend -> (variant rank, fixed ns, approximate)
    type Groups =
        BTreeMap<((usize, usize, String), String), BTreeMap<String, (VariantRank, f64, bool)>>;
    let mut groups: Groups = BTreeMap::new();
    let seal = m.run.scenarios.iter().filter(|s| {
        (s.op == "seal" || s.op == "open")
            && !s.backend.contains('@')
            && (s.layer != "raw" || AeadId::ALL.iter().any(|a| a.label() == s.algorithm))
    });
    for s in seal {
        let Some((ns, approx)) = fixed_cost(m, &s.family) else {
            continue;
        };
        let mode = s.mode.clone().unwrap_or_else(|| s.layer.clone());
        let key = (
            (
                layer_rank(&s.layer),
                mode_rank(&mode).0,
                format!("{} {}", s.algorithm, op_rank(&s.op)),
            ),
            format!("{mode} {} ({})", s.algorithm, s.op)
                .trim()
                .to_string(),
        );
        let rank = variant_rank(s);
        let slot = groups
            .entry(key)
            .or_default()
            .entry(s.backend.clone())
            .or_insert((rank, ns, approx));
        if rank < slot.0 {
            *slot = (rank, ns, approx);
        }
    }
    if groups.is_empty() {
        return None;
    }
    let mut bars: Vec<String> = groups.values().flat_map(|b| b.keys().cloned()).collect();
    bars.sort_by_key(|b| (backend_colour(b), b.clone()));
    bars.dedup();
    let values = groups
        .values()
        .map(|b| bars.iter().map(|name| b.get(name).map(|v| v.1)).collect())
        .collect();
    let labels = groups
        .iter()
        .map(|(k, b)| {
            if b.values().any(|v| v.2) {
                format!("{} ≈", k.1)
            } else {
                k.1.clone()
            }
        })
        .collect();
    let colours = bars.iter().map(|b| backend_colour(b)).collect();
    Some(BarPlot {
        title: "Fixed cost per message (seal and open)".into(),
        value_label: "fixed cost (ns per message, log scale; ≈ = time at the smallest size)".into(),
        log: true,
        groups: labels,
        bars,
        colours,
        values,
    })
}

/// The costs section.
pub fn section(input: &ReportInput) -> Result<Section, ReportError> {
    let mut sec = Section::new("costs", "Fixed and per-byte costs");
    sec.text(
        "Each scenario family's times are fitted as t(size) = fixed + per-byte × size. The \
         fixed part is what every message pays (key schedule, framing, signatures); the \
         per-byte part sets bulk throughput. Envelope rows use the variant shown. A fit over \
         two sizes passes through both (no residual); a negative per-byte fit means the \
         fixed cost dominates at the sizes measured and gives no throughput.",
    );
    for (idx, m) in input.machines.iter().enumerate() {
        sec.machine_heading(input, &m.label);
        if m.run.fits.is_empty() {
            sec.not_measured("Cost fits not measured (no `fits` in the results).");
            continue;
        }
        if let Some(plot) = fixed_chart(m) {
            let fig = Figure::render(&figure_name(input, idx, "fixed-cost"), &Plot::Bar(plot))?;
            sec.blocks.push(Block::Figure(fig));
            sec.text(
                "Groups marked ≈ include families measured at fewer sizes than a fit needs: \
                 their bar is the time at the smallest size measured (an upper bound).",
            );
        }
        sec.blocks.push(Block::Details(fit_table(m)));
    }
    if input.machines.is_empty() {
        sec.not_measured("Costs not measured: no runs in the inputs.");
    }
    Ok(sec)
}
