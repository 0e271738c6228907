//! What the envelope adds: time over the raw primitives, and bytes on the wire.

use std::collections::{BTreeMap, BTreeSet};

use super::ReportError;
use super::document::{Block, Figure, Section};
use super::input::{Machine, ReportInput};
use super::plots::{BarPlot, LinePlot, Plot, Point, Scale, Series};
use super::primitives::raw_seal_cost;
use super::speed::figure_name;
use super::style::{backend_colour, category_colour, style_at};
use super::tables::{
    Table, VariantRank, identity_rank, mode_rank, num, size_label, sizes, variant_label,
    variant_rank,
};
use crate::results::{Run, ScenarioResult};

/// One envelope scenario's overhead in percent over the sum of its primitives.
fn overhead_pct(run: &Run, s: &ScenarioResult, missing: &mut BTreeSet<String>) -> Option<f64> {
    match raw_seal_cost(run, s) {
        Ok(Some(raw)) if raw > 0.0 => Some((s.stats.median_ns - raw) / raw * 100.0),
        Ok(_) => None,
        Err(what) => {
            missing.insert(what);
            None
        }
    }
}

/// Backend, (mode order, mode), algorithm.
type EnvelopeKey = (String, (usize, String), String);

/// The canonical variant of each (backend, mode, algorithm) of the envelope seal scenarios.
fn canonical_envelopes(m: &Machine) -> BTreeMap<EnvelopeKey, Vec<&ScenarioResult>> {
    let mut best: BTreeMap<EnvelopeKey, (VariantRank, Vec<&ScenarioResult>)> = BTreeMap::new();
    for s in m
        .run
        .scenarios
        .iter()
        .filter(|s| s.layer == "envelope" && s.op == "seal")
    {
        let mode = s.mode.clone().unwrap_or_default();
        let key = (s.backend.clone(), mode_rank(&mode), s.algorithm.clone());
        let rank = variant_rank(s);
        let slot = best.entry(key).or_insert((rank, Vec::new()));
        if rank < slot.0 {
            *slot = (rank, Vec::new());
        }
        if rank == slot.0 {
            slot.1.push(s);
        }
    }
    best.into_iter()
        .map(|(k, (_, mut v))| {
            v.sort_by_key(|s| s.size);
            (k, v)
        })
        .collect()
}

/// Modes keyed by a shared secret; the others use public keys and are plotted apart.
const SYMMETRIC_MODES: &[&str] = &["plain", "mac0", "encrypt0"];

/// `symmetric` or `public-key`, for splitting the overhead plots.
fn mode_kind(mode: &str) -> &'static str {
    if SYMMETRIC_MODES.contains(&mode) {
        "symmetric"
    } else {
        "public-key"
    }
}

fn overhead_plot(backend: &str, kind: &str, series: Vec<Series>) -> LinePlot {
    LinePlot {
        title: format!("Envelope overhead over raw primitives: {kind} modes ({backend}, seal)"),
        x_label: "payload size (bytes, log scale)".into(),
        y_label: "overhead (% of raw time, symmetric log)".into(),
        x_log: true,
        y_scale: Scale::SymLog,
        series,
        hline: None,
        vlines: Vec::new(),
        compact: false,
    }
}

/// The envelope overhead section.
pub fn overhead_section(input: &ReportInput) -> Result<Section, ReportError> {
    let mut sec = Section::new("overhead", "Envelope overhead");
    sec.text(
        "Time the envelope adds over its primitives, (envelope − raw) ÷ raw, where raw is the \
         sum of the raw operations named in the envelope's algorithm on the same backend: \
         AEAD seal, MAC and signature at the payload size, key transport or ephemeral \
         agreement at the content-key length, per recipient and per content key. Seal side; \
         one variant per mode (smallest identity, fewest recipients, a key per message). The \
         y axis is a symmetric log (linear within ±1 %), so negative overheads (the envelope \
         measured faster than its primitives: noise, or a faster code path) are drawn below \
         zero, not clipped.",
    );
    for (idx, m) in input.machines.iter().enumerate() {
        sec.machine_heading(input, &m.label);
        let envelopes = canonical_envelopes(m);
        let mut missing = BTreeSet::new();
        let mut rows = Vec::new();
        let mut per_backend: BTreeMap<(&str, &str), Vec<Series>> = BTreeMap::new();
        for ((backend, (_, mode), alg), list) in &envelopes {
            let points: Vec<(u64, f64, &ScenarioResult)> = list
                .iter()
                .filter_map(|s| overhead_pct(&m.run, s, &mut missing).map(|p| (s.size, p, *s)))
                .collect();
            if points.is_empty() {
                continue;
            }
            let series = per_backend.entry((backend, mode_kind(mode))).or_default();
            let (dash, marker) = style_at(series.len());
            series.push(Series {
                name: format!("{mode} {alg}"),
                colour: backend_colour(backend),
                dash,
                marker,
                width: 2,
                points: points
                    .iter()
                    .map(|&(x, y, _)| Point {
                        x: x as f64,
                        y,
                        band: None,
                    })
                    .collect(),
            });
            rows.push((backend, mode, alg, points));
        }
        if rows.is_empty() {
            sec.not_measured("Envelope overhead not measured (needs envelope and raw seal scenarios on the same backend).");
        }
        for ((backend, kind), series) in per_backend {
            let plot = overhead_plot(backend, kind, series);
            let name = figure_name(input, idx, &format!("overhead-{backend}-{kind}"));
            sec.blocks
                .push(Block::Figure(Figure::render(&name, &Plot::Line(plot))?));
        }
        if !rows.is_empty() {
            let cols = sizes(rows.iter().flat_map(|r| r.3.iter().map(|p| p.2)));
            let mut header: Vec<String> = ["Backend", "Mode", "Algorithm", "Variant"]
                .map(String::from)
                .to_vec();
            header.extend(cols.iter().map(|&c| size_label(c)));
            let mut t = Table::with_header("Envelope time over raw primitive time (%)", header);
            for (backend, mode, alg, points) in &rows {
                let variant = points.first().map_or(String::new(), |p| variant_label(p.2));
                let mut row = vec![
                    backend.to_string(),
                    mode.to_string(),
                    alg.to_string(),
                    variant,
                ];
                row.extend(cols.iter().map(|c| {
                    points
                        .iter()
                        .find(|p| p.0 == *c)
                        .map_or(String::new(), |p| {
                            format!("{:+} %", num(p.1)).replace("+-", "-")
                        })
                }));
                t.push(row);
            }
            sec.blocks.push(Block::Details(t));
        }
        if let Some(il) = &m.run.interleaved {
            let layout = if il.processes > 1 {
                " The rounds ran in fresh processes one after the other; \"per process\" gives \
                 the lowest and highest median of a single process. A process keeps its \
                 memory layout for life and a ratio can move with it by more than its interval \
                 shows, so a spread wider than the interval is that layout lottery, not noise \
                 a longer run would average out."
            } else {
                ""
            };
            sec.text(format!(
                "Encrypt0 (kid + CWT claims) over the bare AES-128-GCM, measured again after the \
                 matrix in {} interleaved rounds ({}; one {} ms sample of each side per round, \
                 so both sides of a ratio saw the same machine state): the median of the \
                 per-round ratios with its 95% interval. Quote these rather than ratios of the \
                 matrix medians above, which were measured one after the other.{layout}",
                il.rounds * il.processes.max(1),
                il.rounds_text(),
                il.sample_ns / 1_000_000
            ));
            let mut t = Table::with_header(
                "Envelope ÷ raw AES-128-GCM, interleaved",
                [
                    "Backend",
                    "Op",
                    "Size",
                    "Raw (ns)",
                    "Envelope (ns)",
                    "Ratio",
                    "95% interval",
                    "Per process",
                    "Net of input copy",
                ]
                .map(String::from)
                .to_vec(),
            );
            for r in &il.ratios {
                t.push(vec![
                    r.backend.clone(),
                    r.op.clone(),
                    size_label(r.size),
                    num(r.raw_ns),
                    num(r.envelope_ns),
                    format!("{:.2}×", r.ratio),
                    format!("{:.2}–{:.2}", r.ratio_ci95.0, r.ratio_ci95.1),
                    r.per_process_span()
                        .map_or("–".into(), |(lo, hi)| format!("{lo:.2}–{hi:.2}")),
                    r.net_of_copy.map_or("–".into(), |x| format!("{x:.2}×")),
                ]);
            }
            sec.blocks.push(Block::Table(t));
        }
        if !missing.is_empty() {
            sec.text(format!(
                "Skipped where no raw measurement exists for: {}.",
                missing.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    if input.machines.is_empty() {
        sec.not_measured("Envelope overhead not measured: no runs in the inputs.");
    }
    Ok(sec)
}

/// Overhead bytes per (mode, algorithm, recipients) and identity option: (min, max).
type Wire = BTreeMap<((usize, String), String, u32), BTreeMap<(usize, String), (u64, u64)>>;

fn wire_bytes(m: &Machine) -> Wire {
    let mut out: Wire = BTreeMap::new();
    // TLS bytes (handshakes, records) are in the channel section, not envelope overhead.
    for s in m
        .run
        .scenarios
        .iter()
        .filter(|s| s.layer != "raw" && s.layer != "channel")
    {
        let Some(bytes) = s.overhead_bytes else {
            continue;
        };
        let mode = s.mode.clone().unwrap_or_else(|| s.layer.clone());
        let identity = s.identity.clone().unwrap_or_else(|| "none".into());
        let key = (
            mode_rank(&mode),
            s.algorithm.clone(),
            s.recipients.unwrap_or(0),
        );
        let slot = out
            .entry(key)
            .or_default()
            .entry((identity_rank(s.identity.as_deref()), identity))
            .or_insert((bytes, bytes));
        *slot = (slot.0.min(bytes), slot.1.max(bytes));
    }
    out
}

fn wire_row_label(((_, mode), alg, recipients): &((usize, String), String, u32)) -> String {
    let r = match recipients {
        0 | 1 => String::new(),
        n => format!(", {n} recipients"),
    };
    format!("{mode} {alg}{r}").trim().to_string()
}

/// The bytes-on-the-wire section.
pub fn wire_section(input: &ReportInput) -> Result<Section, ReportError> {
    let mut sec = Section::new("wire", "Bytes on the wire");
    sec.text("Envelope size minus payload size, per mode and sender identity option (min–max over sizes and backends).");
    for (idx, m) in input.machines.iter().enumerate() {
        sec.machine_heading(input, &m.label);
        let wire = wire_bytes(m);
        if wire.is_empty() {
            sec.not_measured(
                "Bytes on the wire not measured (no `overhead_bytes` in the results).",
            );
            continue;
        }
        let mut ids: Vec<(usize, String)> = wire.values().flat_map(|v| v.keys().cloned()).collect();
        ids.sort();
        ids.dedup();
        let mut header = vec!["Mode and algorithm".to_string()];
        header.extend(ids.iter().map(|i| i.1.clone()));
        let mut t = Table::with_header("Overhead bytes per message", header);
        for (key, by_id) in &wire {
            let mut row = vec![wire_row_label(key)];
            row.extend(ids.iter().map(|i| match by_id.get(i) {
                Some((lo, hi)) if lo == hi => lo.to_string(),
                Some((lo, hi)) => format!("{lo}–{hi}"),
                None => String::new(),
            }));
            t.push(row);
        }
        let plot = BarPlot {
            title: "Bytes on the wire per message (envelope − payload)".into(),
            value_label: "overhead (bytes per message, log scale)".into(),
            log: true,
            groups: wire.keys().map(wire_row_label).collect(),
            bars: ids.iter().map(|i| i.1.clone()).collect(),
            colours: (0..ids.len()).map(category_colour).collect(),
            values: wire
                .values()
                .map(|by_id| {
                    ids.iter()
                        .map(|i| by_id.get(i).map(|v| v.1 as f64))
                        .collect()
                })
                .collect(),
        };
        let fig = Figure::render(&figure_name(input, idx, "wire-bytes"), &Plot::Bar(plot))?;
        sec.blocks.push(Block::Figure(fig));
        sec.blocks.push(Block::Table(t));
    }
    if input.machines.is_empty() {
        sec.not_measured("Bytes on the wire not measured: no runs in the inputs.");
    }
    Ok(sec)
}
