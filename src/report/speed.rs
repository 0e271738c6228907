//! Raw primitive speed: the `openssl speed`-style throughput table and plots.

use std::collections::BTreeMap;

use super::ReportError;
use super::document::{Block, Figure, Section};
use super::input::{Machine, ReportInput};
use super::plots::{Dash, LinePlot, Marker, Plot, Point, Scale, Series};
use super::style::{REFERENCE_COLOUR, backend_colour};
use super::tables::{Table, mark_noisy, mb_per_s, mb_per_s_at, num, size_label, sizes};
use crate::results::ScenarioResult;

/// Suffix of a backend run in a child process with AES-NI and PCLMULQDQ masked.
pub const SOFTWARE_SUFFIX: &str = "@no-aesni";

/// The copy baseline's operation label (backend `none`).
const MEMCPY: &str = "memcpy";

/// Order of raw operations in tables.
const OP_ORDER: &[&str] = &[
    "seal",
    "open",
    "mac",
    "verify",
    "sign",
    "encrypt-key",
    "decrypt-key",
    "agree",
];

pub fn op_rank(op: &str) -> usize {
    OP_ORDER
        .iter()
        .position(|o| *o == op)
        .unwrap_or(OP_ORDER.len())
}

pub use super::style::base_backend;

/// A figure file stem with anything but ASCII letters, digits and `-` replaced by `-`.
pub fn figure_name_plain(stem: &str) -> String {
    stem.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// A figure file stem, prefixed by the machine number in multi-machine reports.
pub fn figure_name(input: &ReportInput, machine: usize, stem: &str) -> String {
    let stem = figure_name_plain(stem);
    if input.machines.len() > 1 {
        format!("m{}-{stem}", machine + 1)
    } else {
        stem
    }
}

/// Throughput with its confidence band, in MB/s.
fn throughput_point(s: &ScenarioResult) -> Option<Point> {
    let y = mb_per_s(s)?;
    let band =
        mb_per_s_at(s.size, s.stats.ci95_high_ns).zip(mb_per_s_at(s.size, s.stats.ci95_low_ns));
    Some(Point {
        x: s.size as f64,
        y,
        band,
    })
}

fn throughput_table(m: &Machine) -> Option<(Table, Table)> {
    let raw: Vec<&ScenarioResult> = m
        .run
        .scenarios
        .iter()
        .filter(|s| s.layer == "raw")
        .collect();
    if raw.is_empty() {
        return None;
    }
    let mut families: BTreeMap<(usize, &str, &str, &str), Vec<&ScenarioResult>> = BTreeMap::new();
    for s in &raw {
        families
            .entry((
                op_rank(&s.op),
                s.op.as_str(),
                s.algorithm.as_str(),
                s.backend.as_str(),
            ))
            .or_default()
            .push(s);
    }
    let sized: Vec<_> = families
        .iter()
        .filter(|(_, v)| sizes(v.iter().copied()).len() > 1)
        .collect();
    let cols = sizes(sized.iter().flat_map(|(_, v)| v.iter().copied()));
    let mut header = vec![
        "Operation".to_string(),
        "Algorithm".to_string(),
        "Backend".to_string(),
    ];
    header.extend(cols.iter().map(|&c| size_label(c)));
    let mut t = Table::with_header(
        "Throughput of the raw primitives, MB/s (10^6 bytes/s, median; higher is better)",
        header,
    );
    for ((_, op, alg, backend), list) in &sized {
        let mut row = vec![op.to_string(), alg.to_string(), backend.to_string()];
        row.extend(cols.iter().map(|&c| {
            list.iter()
                .find(|s| s.size == c)
                .and_then(|s| mb_per_s(s).map(|v| mark_noisy(num(v), s)))
                .unwrap_or_default()
        }));
        t.push(row);
    }
    let mut fixed = Table::new(
        "Fixed-size raw operations (median time per operation)",
        &[
            "Operation",
            "Algorithm",
            "Backend",
            "Size",
            "ns/op",
            "ops/s",
        ],
    );
    for ((_, op, alg, backend), list) in families
        .iter()
        .filter(|(_, v)| sizes(v.iter().copied()).len() == 1)
    {
        for s in list {
            let ops = if s.stats.median_ns > 0.0 {
                num(1e9 / s.stats.median_ns)
            } else {
                "–".into()
            };
            fixed.push(vec![
                op.to_string(),
                alg.to_string(),
                backend.to_string(),
                size_label(s.size),
                mark_noisy(num(s.stats.median_ns), s),
                ops,
            ]);
        }
    }
    Some((t, fixed))
}

/// The `memcpy` baseline as a reference line, if it was measured.
fn memcpy_reference(m: &Machine) -> Option<Series> {
    let mut list: Vec<&ScenarioResult> =
        m.run.scenarios.iter().filter(|s| s.op == MEMCPY).collect();
    list.sort_by_key(|s| s.size);
    let points: Vec<Point> = list.iter().filter_map(|s| throughput_point(s)).collect();
    (points.len() > 1).then(|| Series {
        name: "memcpy (reference)".into(),
        colour: REFERENCE_COLOUR,
        dash: Dash::DashDot,
        marker: Marker::Cross,
        width: 2,
        points,
    })
}

fn throughput_figures(
    input: &ReportInput,
    idx: usize,
    m: &Machine,
) -> Result<Vec<Figure>, ReportError> {
    let mut by_alg: BTreeMap<&str, BTreeMap<&str, Vec<&ScenarioResult>>> = BTreeMap::new();
    for s in m
        .run
        .scenarios
        .iter()
        .filter(|s| s.layer == "raw" && s.op == "seal")
    {
        by_alg
            .entry(&s.algorithm)
            .or_default()
            .entry(&s.backend)
            .or_default()
            .push(s);
    }
    let mut out = Vec::new();
    for (alg, backends) in by_alg {
        let series: Vec<Series> = backends
            .into_iter()
            .map(|(backend, mut list)| {
                list.sort_by_key(|s| s.size);
                let masked = backend.ends_with(SOFTWARE_SUFFIX);
                Series {
                    name: backend.to_string(),
                    colour: backend_colour(backend),
                    dash: if masked { Dash::Dashed } else { Dash::Solid },
                    marker: if masked { Marker::Ring } else { Marker::Circle },
                    width: 2,
                    points: list.iter().filter_map(|s| throughput_point(s)).collect(),
                }
            })
            .filter(|s| s.points.len() > 1)
            .collect();
        if series.is_empty() {
            continue;
        }
        let mut series = series;
        series.extend(memcpy_reference(m));
        let plot = Plot::Line(LinePlot {
            title: format!("{alg} seal throughput (raw AEAD)"),
            x_label: "message size (bytes, log scale)".into(),
            y_label: "throughput (MB/s, log scale)".into(),
            x_log: true,
            y_scale: Scale::Log,
            series,
            hline: None,
            vlines: Vec::new(),
            compact: false,
        });
        out.push(Figure::render(
            &figure_name(input, idx, &format!("throughput-{alg}")),
            &plot,
        )?);
    }
    Ok(out)
}

/// The throughput section.
pub fn throughput_section(input: &ReportInput) -> Result<Section, ReportError> {
    let mut sec = Section::new("throughput", "Throughput");
    sec.text(
        "Raw primitives through each backend's in-place API, one operation per call. \
         Colour is the backend (the same in every plot); dashed lines with hollow markers are \
         the same backend with AES-NI and PCLMULQDQ masked (`@no-aesni`); error bars show the 95% confidence interval where it is wider than 5%.",
    );
    for (idx, m) in input.machines.iter().enumerate() {
        sec.machine_heading(input, &m.label);
        match throughput_table(m) {
            None => sec.not_measured("Raw primitive throughput not measured."),
            Some((t, fixed)) => {
                for f in throughput_figures(input, idx, m)? {
                    sec.blocks.push(Block::Figure(f));
                }
                if !t.rows.is_empty() {
                    sec.blocks.push(Block::Details(t));
                }
                if !fixed.rows.is_empty() {
                    sec.blocks.push(Block::Details(fixed));
                }
            }
        }
    }
    if input.machines.is_empty() {
        sec.not_measured("Throughput not measured: no runs in the inputs.");
    }
    Ok(sec)
}
