//! Hardware vs software: each backend against its masked child run `X@no-aesni`.

use std::collections::BTreeMap;

use super::ReportError;
use super::document::{Block, Figure, Section};
use super::input::{Machine, ReportInput};
use super::plots::{LinePlot, Plot, Point, Scale, Series};
use super::speed::{SOFTWARE_SUFFIX, base_backend, figure_name};
use super::style::{algorithm_style, backend_colour};
use super::tables::{Table, num, size_label};

/// `(software ÷ hardware time, band)` per (base backend, algorithm) and size.
type Speedups<'a> = BTreeMap<(&'a str, &'a str), Vec<(u64, f64, (f64, f64))>>;

fn speedups(m: &Machine) -> Speedups<'_> {
    let mut out: Speedups<'_> = BTreeMap::new();
    let raw_seal = || {
        m.run
            .scenarios
            .iter()
            .filter(|s| s.layer == "raw" && s.op == "seal")
    };
    for sw in raw_seal().filter(|s| s.backend.ends_with(SOFTWARE_SUFFIX)) {
        let base = base_backend(&sw.backend);
        let Some(hw) = raw_seal()
            .find(|h| h.backend == base && h.algorithm == sw.algorithm && h.size == sw.size)
        else {
            continue;
        };
        if hw.stats.median_ns <= 0.0 || hw.stats.ci95_low_ns <= 0.0 || hw.stats.ci95_high_ns <= 0.0
        {
            continue;
        }
        let ratio = sw.stats.median_ns / hw.stats.median_ns;
        let band = (
            sw.stats.ci95_low_ns / hw.stats.ci95_high_ns,
            sw.stats.ci95_high_ns / hw.stats.ci95_low_ns,
        );
        out.entry((base, &sw.algorithm))
            .or_default()
            .push((sw.size, ratio, band));
    }
    for v in out.values_mut() {
        v.sort_by_key(|p| p.0);
    }
    out
}

/// The hardware vs software section.
pub fn section(input: &ReportInput) -> Result<Section, ReportError> {
    let mut sec = Section::new("speedup", "Hardware vs software");
    sec.text(
        "Speed-up of each backend's hardware path over the same backend with AES-NI and \
         PCLMULQDQ masked (`X@no-aesni`): software time ÷ hardware time, raw seal. Colour \
         is the backend, line style and marker the algorithm.",
    );
    for (idx, m) in input.machines.iter().enumerate() {
        sec.machine_heading(input, &m.label);
        let data = speedups(m);
        if data.is_empty() {
            sec.not_measured(
                "Hardware vs software not measured: no `<backend>@no-aesni` runs in the results.",
            );
            continue;
        }
        let cols: Vec<u64> = data
            .values()
            .flatten()
            .map(|p| p.0)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut header = vec!["Backend".to_string(), "Algorithm".to_string()];
        header.extend(cols.iter().map(|&c| size_label(c)));
        let mut t = Table::with_header(
            "Speed-up of the hardware path (×, higher means hardware helps more)",
            header,
        );
        let mut series = Vec::new();
        for ((backend, alg), points) in &data {
            let mut row = vec![backend.to_string(), alg.to_string()];
            row.extend(cols.iter().map(|c| {
                points
                    .iter()
                    .find(|p| p.0 == *c)
                    .map_or(String::new(), |p| format!("{}×", num(p.1)))
            }));
            t.push(row);
            let (dash, marker) = algorithm_style(alg);
            series.push(Series {
                name: format!("{backend} {alg}"),
                colour: backend_colour(backend),
                dash,
                marker,
                width: 2,
                points: points
                    .iter()
                    .map(|&(x, y, band)| Point {
                        x: x as f64,
                        y,
                        band: Some(band),
                    })
                    .collect(),
            });
        }
        let plot = Plot::Line(LinePlot {
            title: "Hardware over software speed-up (raw seal)".into(),
            x_label: "message size (bytes, log scale)".into(),
            y_label: "speed-up (software ÷ hardware time, ×, log scale)".into(),
            x_log: true,
            y_scale: Scale::Log,
            series,
            hline: Some((1.0, "no speed-up (1×)".into())),
            vlines: Vec::new(),
            compact: false,
        });
        sec.blocks.push(Block::Figure(Figure::render(
            &figure_name(input, idx, "speedup"),
            &plot,
        )?));
        sec.blocks.push(Block::Table(t));
    }
    if input.machines.is_empty() {
        sec.not_measured("Hardware vs software not measured: no runs in the inputs.");
    }
    Ok(sec)
}
