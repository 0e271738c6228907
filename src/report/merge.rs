//! Several results files (or runs) → one list of machines, and the per-machine
//! comparison, eBACS style: one row per measurement, one column per machine.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::document::{Block, Section};
use super::input::{Machine, ReportInput};
use super::tables::{Table, mark_noisy, num};
use crate::results::ResultsFile;

/// Every run of every file, labelled by host; repeated hosts get ` (2)`, ` (3)`, ...
pub fn machines(files: Vec<(PathBuf, ResultsFile)>) -> Vec<Machine> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for (source, file) in files {
        for run in file.runs {
            let host = run
                .environment
                .get("host")
                .and_then(|h| h.as_str())
                .filter(|h| !h.is_empty())
                .map_or_else(
                    || {
                        source
                            .file_stem()
                            .map_or("machine".to_string(), |s| s.to_string_lossy().into_owned())
                    },
                    str::to_string,
                );
            let n = seen.entry(host.clone()).or_default();
            *n += 1;
            let label = if *n == 1 {
                host
            } else {
                format!("{host} ({n})")
            };
            out.push(Machine {
                label,
                source: source.clone(),
                run,
            });
        }
    }
    out
}

/// Reference size for comparing cost fits: a typical RPC message.
const REFERENCE_SIZE: f64 = 1024.0;

fn fits_table(input: &ReportInput) -> Option<Table> {
    let mut families: BTreeMap<&str, Vec<Option<&crate::results::CostFit>>> = BTreeMap::new();
    for (i, m) in input.machines.iter().enumerate() {
        for f in &m.run.fits {
            let slot = families
                .entry(&f.family)
                .or_insert_with(|| vec![None; input.machines.len()]);
            if let Some(cell) = slot.get_mut(i) {
                *cell = Some(f);
            }
        }
    }
    families.retain(|_, v| v.iter().flatten().count() > 1);
    if families.is_empty() {
        return None;
    }
    let mut header = vec!["Family".to_string()];
    header.extend(
        input
            .machines
            .iter()
            .map(|m| format!("{} (fixed ns, GB/s)", m.label)),
    );
    header.push("Slowest ÷ fastest at 1 KiB".into());
    let mut t = Table::with_header("Cost fits per machine", header);
    for (family, fits) in families {
        let mut row = vec![family.to_string()];
        row.extend(fits.iter().map(|f| {
            f.map_or("not measured".to_string(), |f| {
                format!("{} ns, {} GB/s", num(f.fixed_ns), num(f.gb_per_s))
            })
        }));
        let at_ref: Vec<f64> = fits
            .iter()
            .flatten()
            .map(|f| f.fixed_ns + f.per_byte_ns * REFERENCE_SIZE)
            .collect();
        let lo = at_ref.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = at_ref.iter().copied().fold(0.0, f64::max);
        row.push(if lo > 0.0 && lo.is_finite() {
            format!("{}×", num(hi / lo))
        } else {
            "–".into()
        });
        t.push(row);
    }
    Some(t)
}

fn scenarios_table(input: &ReportInput) -> Option<Table> {
    let mut ids: BTreeMap<&str, Vec<Option<&crate::results::ScenarioResult>>> = BTreeMap::new();
    for (i, m) in input.machines.iter().enumerate() {
        for s in &m.run.scenarios {
            let slot = ids
                .entry(&s.id)
                .or_insert_with(|| vec![None; input.machines.len()]);
            if let Some(cell) = slot.get_mut(i) {
                *cell = Some(s);
            }
        }
    }
    ids.retain(|_, v| v.iter().flatten().count() > 1);
    if ids.is_empty() {
        return None;
    }
    let first = input.machines.first().map_or("", |m| m.label.as_str());
    let mut header = vec!["Scenario".to_string()];
    header.extend(
        input
            .machines
            .iter()
            .map(|m| format!("{} (ns/op)", m.label)),
    );
    header.extend(
        input
            .machines
            .iter()
            .skip(1)
            .map(|m| format!("{} ÷ {first}", m.label)),
    );
    let mut t = Table::with_header(
        format!("Median time per scenario per machine (ratio > 1: slower than {first})"),
        header,
    );
    for (id, cells) in ids {
        let mut row = vec![id.to_string()];
        row.extend(cells.iter().map(|c| {
            c.map_or("not measured".to_string(), |s| {
                mark_noisy(num(s.stats.median_ns), s)
            })
        }));
        let base = cells.first().copied().flatten().map(|s| s.stats.median_ns);
        row.extend(cells.iter().skip(1).map(|c| match (base, c) {
            (Some(b), Some(s)) if b > 0.0 => format!("{}×", num(s.stats.median_ns / b)),
            _ => "–".to_string(),
        }));
        t.push(row);
    }
    Some(t)
}

/// The per-machine comparison section.
pub fn comparison_section(input: &ReportInput) -> Section {
    let mut sec = Section::new("comparison", "Per-machine comparison");
    if input.machines.len() < 2 {
        sec.not_measured(
            "Per-machine comparison not measured: one machine only (give several results files, or a merged file with several runs).",
        );
        return sec;
    }
    sec.text(format!(
        "{} machines. Scenario ids are the same on every machine; rows measured on at least two are shown.",
        input.machines.len()
    ));
    let tables = [fits_table(input), scenarios_table(input)];
    if tables.iter().all(Option::is_none) {
        sec.not_measured("No scenario or fit was measured on more than one machine.");
    }
    sec.blocks
        .extend(tables.into_iter().flatten().map(Block::Table));
    sec
}
