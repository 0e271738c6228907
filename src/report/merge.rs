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

/// Preferred size for comparing families across machines: a typical RPC message.
const REFERENCE_SIZE: u64 = 1024;

/// Caption of the per-family table (tests find it by this).
pub const COMPARISON_SIZES_CAPTION: &str =
    "Per family at a size measured on every machine (measured medians, never a fit)";

/// Caption prefix of the per-scenario table.
pub const COMPARISON_SCENARIOS_CAPTION: &str = "Median time per scenario per machine";

/// The size to compare a family at: [`REFERENCE_SIZE`] if every machine measured it,
/// else the common measured size nearest to it (by ratio); `None` without a common size.
fn common_size(per_machine: &[Vec<u64>]) -> Option<u64> {
    let mut common: Vec<u64> = per_machine.first()?.clone();
    for sizes in per_machine.iter().skip(1) {
        common.retain(|s| sizes.contains(s));
    }
    let distance = |s: u64| {
        let (a, b) = (s.max(1) as f64, REFERENCE_SIZE as f64);
        (a / b).max(b / a)
    };
    common
        .into_iter()
        .min_by(|a, b| distance(*a).total_cmp(&distance(*b)).then(b.cmp(a)))
}

/// One row per scenario family measured on two or more machines: the median at one size
/// every such machine measured, and slowest ÷ fastest. Fits are not used: a fit over a
/// few small sizes extrapolated to 1 KiB can be off by an order of magnitude.
fn families_table(input: &ReportInput) -> Option<Table> {
    type Cells<'a> = Vec<Vec<&'a crate::results::ScenarioResult>>;
    let mut families: BTreeMap<&str, Cells<'_>> = BTreeMap::new();
    for (i, m) in input.machines.iter().enumerate() {
        for s in &m.run.scenarios {
            let slot = families
                .entry(&s.family)
                .or_insert_with(|| vec![Vec::new(); input.machines.len()]);
            if let Some(cell) = slot.get_mut(i) {
                cell.push(s);
            }
        }
    }
    families.retain(|_, v| v.iter().filter(|c| !c.is_empty()).count() > 1);
    if families.is_empty() {
        return None;
    }
    let mut header = vec!["Family".to_string(), "Size (B)".to_string()];
    header.extend(
        input
            .machines
            .iter()
            .map(|m| format!("{} (ns/op)", m.label)),
    );
    header.push("Slowest ÷ fastest".into());
    let mut t = Table::with_header(COMPARISON_SIZES_CAPTION, header);
    for (family, cells) in families {
        let present: Vec<Vec<u64>> = cells
            .iter()
            .filter(|c| !c.is_empty())
            .map(|c| c.iter().map(|s| s.size).collect())
            .collect();
        let mut row = vec![family.to_string()];
        let Some(size) = common_size(&present) else {
            row.push("no common size".into());
            row.extend(cells.iter().map(|_| "not measured".to_string()));
            row.push("not measured".into());
            t.push(row);
            continue;
        };
        row.push(size.to_string());
        let at: Vec<Option<&crate::results::ScenarioResult>> = cells
            .iter()
            .map(|c| c.iter().copied().find(|s| s.size == size))
            .collect();
        row.extend(at.iter().map(|c| {
            c.map_or("not measured".to_string(), |s| {
                mark_noisy(num(s.stats.median_ns), s)
            })
        }));
        let times: Vec<f64> = at.iter().flatten().map(|s| s.stats.median_ns).collect();
        let lo = times.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = times.iter().copied().fold(0.0, f64::max);
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
        format!("{COMPARISON_SCENARIOS_CAPTION} (ratio > 1: slower than {first})"),
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
        "{} machines. Every number here is a measured median (or a ratio of two): a family \
         is compared at a size every machine measured, 1 KiB where possible; cost fits are \
         compared per machine in the costs appendix, never extrapolated across machines.",
        input.machines.len()
    ));
    if let Some(t) = families_table(input) {
        sec.blocks.push(Block::Table(t));
    }
    match scenarios_table(input) {
        Some(t) => sec.blocks.push(Block::Details(t)),
        None => sec.not_measured("No scenario was measured on more than one machine."),
    }
    sec
}
