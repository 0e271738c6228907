//! The one-page review summary, first in the report: the question, the answer per traffic
//! profile, the assumptions and where they come from, the break-even, the conformance
//! verdict in one line, and three plots (cost per message against size, CPU against
//! traffic growth, bytes on the wire against the typical message).
//!
//! It reads the first machine of the inputs (the one the decisions were priced on) and
//! every `--decision` file; everything else in the report is an appendix.

use std::collections::BTreeMap;

use serde_json::Value;

use super::ReportError;
use super::decision::{Decision, cores_with_ci, schemes_by_class};
use super::document::{Block, Figure, Section};
use super::input::{Machine, ReportInput};
use super::plots::{BarPlot, Dash, LinePlot, Plot, Point, Scale, Series, VLine};
use super::style::{backend_colour, category_colour, mode_style, style_at};
use super::tables::{Table, num, variant_rank};
use crate::results::ScenarioResult;

/// The question the report answers.
const QUESTION: &str = "Which envelope protection (mode and key scope, per traffic class) \
    keeps each deployment's messages from being forged, replayed, reflected or read by the \
    attacker it fears, what does it cost on this machine, and how much traffic growth does \
    the budget allow?";

/// Profile tags used in the plots: A, B, C, ...
fn tag(i: usize) -> String {
    u8::try_from(i % 26)
        .map(|n| char::from(b'A' + n).to_string())
        .unwrap_or_default()
}

/// The algorithm label of `mode`'s scenarios under a decision's algorithms
/// (`encrypt` → `rsaoaep2048+aes128gcm`).
fn mode_algorithm(mode: &str, algs: &BTreeMap<String, Value>) -> String {
    let get = |k: &str, default: &str| {
        algs.get(k)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_string()
    };
    let (aead, sign, mac, kt) = (
        get("aead", "aes128gcm"),
        get("sign", "ed25519"),
        get("mac", "hmacsha256"),
        get("key_transport", "rsaoaep2048"),
    );
    match mode {
        "plain" => "none".into(),
        "mac0" => mac,
        "sign1" => sign,
        "encrypt" => format!("{kt}+{aead}"),
        "sign-encrypt" => format!("{sign}+{kt}+{aead}"),
        _ => aead,
    }
}

/// The algorithms of the first decision (the defaults of `decide` without one).
fn algorithms(input: &ReportInput) -> BTreeMap<String, Value> {
    input
        .decisions
        .first()
        .map(|(_, d)| d.algorithms.clone())
        .unwrap_or_default()
}

/// The canonical variant's scenarios of (backend, mode, algorithm, op), by size.
fn variant<'a>(
    m: &'a Machine,
    backend: &str,
    mode: &str,
    alg: &str,
    op: &str,
) -> BTreeMap<u64, &'a ScenarioResult> {
    let matching = || {
        m.run.scenarios.iter().filter(move |s| {
            s.backend == backend
                && s.op == op
                && s.mode.as_deref() == Some(mode)
                && s.algorithm == alg
                && s.layer != "raw"
        })
    };
    let Some(best) = matching().map(variant_rank).min() else {
        return BTreeMap::new();
    };
    matching()
        .filter(|s| variant_rank(s) == best)
        .map(|s| (s.size, s))
        .collect()
}

/// Backends with envelope scenarios, hardware paths only, in colour order.
fn envelope_backends(m: &Machine) -> Vec<&str> {
    let mut out: Vec<&str> = m
        .run
        .scenarios
        .iter()
        .filter(|s| s.layer == "envelope" && !s.backend.contains('@'))
        .map(|s| s.backend.as_str())
        .collect();
    out.sort_by_key(|b| (backend_colour(b), b.to_string()));
    out.dedup();
    out
}

/// The modes the plots show: every mode a recommendation uses, and Encrypt0 (the
/// encrypt-everything baseline), in `Mode::ALL` order.
fn summary_modes(input: &ReportInput) -> Vec<String> {
    let mut modes: Vec<String> = input
        .decisions
        .iter()
        .flat_map(|(_, d)| d.recommendation.classes.iter().map(|c| c.mode.clone()))
        .chain(["encrypt0".to_string()])
        .collect();
    modes.sort_by_key(|m| super::tables::mode_rank(m));
    modes.dedup();
    modes
}

/// Plot 1: µs per message (seal + open) against payload size, per backend and mode, with
/// each profile's p50 and p99 message sizes marked.
fn message_cost_plot(input: &ReportInput, m: &Machine) -> Option<LinePlot> {
    let algs = algorithms(input);
    let mut series = Vec::new();
    for mode in summary_modes(input) {
        let alg = mode_algorithm(&mode, &algs);
        let (dash, marker) = mode_style(&mode);
        for backend in envelope_backends(m) {
            let seal = variant(m, backend, &mode, &alg, "seal");
            let open = variant(m, backend, &mode, &alg, "open");
            let points: Vec<Point> = seal
                .iter()
                .filter_map(|(size, s)| {
                    let o = open.get(size)?;
                    Some(Point {
                        x: *size as f64,
                        y: (s.stats.median_ns + o.stats.median_ns) / 1000.0,
                        band: Some((
                            (s.stats.ci95_low_ns + o.stats.ci95_low_ns) / 1000.0,
                            (s.stats.ci95_high_ns + o.stats.ci95_high_ns) / 1000.0,
                        )),
                    })
                })
                .collect();
            if points.len() > 1 {
                series.push(Series {
                    name: format!("{backend} {mode} ({alg})"),
                    colour: backend_colour(backend),
                    dash,
                    marker,
                    width: 2,
                    points,
                });
            }
        }
    }
    if series.is_empty() {
        return None;
    }
    let mut vlines = Vec::new();
    for (i, (_, d)) in input.decisions.iter().enumerate() {
        if let Some((p50, p99)) = d.message_percentiles() {
            vlines.push(VLine {
                x: p50,
                label: format!("{} p50", tag(i)),
                dash: Dash::Dashed,
            });
            vlines.push(VLine {
                x: p99,
                label: format!("{} p99", tag(i)),
                dash: Dash::Dotted,
            });
        }
    }
    Some(LinePlot {
        title: "Cost per message: seal + open".into(),
        x_label: "payload size (bytes, log scale)".into(),
        y_label: "µs per message, seal + open (log scale)".into(),
        x_log: true,
        y_scale: Scale::Log,
        series,
        hline: None,
        vlines,
        compact: false,
    })
}

/// The strategies drawn in a profile's CPU plot: those that withstand every required
/// attack, priced on the recommendation's backend (or the cheapest such backend).
fn cpu_strategies(d: &Decision) -> Option<(String, Vec<(String, f64)>)> {
    let backend = d.recommendation.backend.clone().or_else(|| {
        d.rows
            .iter()
            .filter(|r| r.meets_requirements)
            .filter_map(|r| r.costs.as_ref().map(|c| (r, c.cores)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(r, _)| r.backend.clone())
    })?;
    // Names carry the budgets a strategy misses: a cheaper line that is not recommended
    // is explained on the plot.
    let rows: Vec<(String, f64)> = d
        .rows
        .iter()
        .filter(|r| r.backend == backend && r.meets_requirements)
        .filter_map(|r| {
            let c = r.costs.as_ref()?;
            let misses = c.misses();
            let name = if misses.is_empty() {
                r.strategy.clone()
            } else {
                format!("{} (misses {})", r.strategy, misses.join(", "))
            };
            Some((name, c.cores))
        })
        .filter(|(_, c)| *c > 0.0)
        .collect();
    (!rows.is_empty()).then_some((backend, rows))
}

/// Plot 2 (one per profile): CPU cores against a factor on every rate, per strategy, on
/// log axes, with the budget line; where a line crosses the budget is its break-even.
/// Strategies with the same CPU (to three significant figures) share one line; the
/// recommendation is drawn last and thicker.
fn cpu_plot(i: usize, d: &Decision) -> Option<LinePlot> {
    let (backend, rows) = cpu_strategies(d)?;
    let budget = d.profile.budget.cores;
    let cheapest = rows.iter().map(|r| r.1).fold(f64::INFINITY, f64::min);
    // From 0.1× to past the cheapest strategy's break-even.
    let top = (budget / cheapest * 3.0).log10().ceil().clamp(1.0, 9.0);
    let decades: Vec<f64> = (-1..=top as i32).map(|k| 10f64.powi(k)).collect();
    let recommended = d.recommendation.strategy.as_deref();
    // (cores text, cores, strategies), most expensive first.
    let mut lines: Vec<(String, f64, Vec<&str>)> = Vec::new();
    for (strategy, cores) in &rows {
        let strategy = strategy.as_str();
        let key = num(*cores);
        match lines.iter_mut().find(|l| l.0 == key) {
            Some(l) => l.2.push(strategy),
            None => lines.push((key, *cores, vec![strategy])),
        }
    }
    lines.sort_by(|a, b| b.1.total_cmp(&a.1));
    let is_rec = |l: &(String, f64, Vec<&str>)| recommended.is_some_and(|r| l.2.contains(&r));
    // The recommendation last, so nothing covers it.
    let (rec, others): (Vec<_>, Vec<_>) = lines.into_iter().partition(is_rec);
    let mut series: Vec<Series> = others
        .iter()
        .enumerate()
        .map(|(k, (text, cores, names))| {
            let (dash, marker) = style_at(k + 1);
            Series {
                name: format!(
                    "{}: {text} cores, break-even ×{}",
                    names.join(" = "),
                    num(budget / cores)
                ),
                colour: category_colour(k),
                dash,
                marker,
                width: 2,
                points: decades
                    .iter()
                    .map(|&m| Point {
                        x: m,
                        y: cores * m,
                        band: None,
                    })
                    .collect(),
            }
        })
        .collect();
    series.extend(rec.iter().map(|(text, cores, names)| {
        Series {
            name: format!(
                "recommended: {}: {text} cores, break-even ×{}",
                names.join(" = "),
                num(budget / cores)
            ),
            colour: backend_colour(&backend),
            dash: Dash::Solid,
            marker: super::plots::Marker::Circle,
            width: 4,
            points: decades
                .iter()
                .map(|&m| Point {
                    x: m,
                    y: cores * m,
                    band: None,
                })
                .collect(),
        }
    }));
    Some(LinePlot {
        title: format!(
            "{} {}: CPU as traffic grows ({backend})",
            tag(i),
            d.profile.name
        ),
        x_label: "rate multiplier (× the profile's rates, log scale)".into(),
        y_label: "CPU cores, all nodes (log scale)".into(),
        x_log: true,
        y_scale: Scale::Log,
        series,
        hline: Some((budget, format!("budget: {} cores", num(budget)))),
        vlines: vec![VLine {
            x: 1.0,
            label: "today".into(),
            dash: Dash::Dotted,
        }],
        compact: true,
    })
}

/// The overhead bytes of `mode`'s canonical variant on the first backend that has it,
/// at the size nearest `near`.
fn overhead_bytes(m: &Machine, mode: &str, alg: &str, near: f64) -> Option<u64> {
    envelope_backends(m)
        .iter()
        .chain(["none"].iter())
        .find_map(|b| {
            let v = variant(m, b, mode, alg, "seal");
            v.values()
                .filter(|s| s.overhead_bytes.is_some())
                .min_by(|a, b| {
                    (a.size as f64 - near)
                        .abs()
                        .total_cmp(&(b.size as f64 - near).abs())
                })
                .and_then(|s| s.overhead_bytes)
        })
}

/// Plot 3: envelope bytes as a share of each profile's p50 message, per mode.
fn wire_plot(input: &ReportInput, m: &Machine) -> Option<BarPlot> {
    let algs = algorithms(input);
    let refs: Vec<(String, f64)> = if input.decisions.is_empty() {
        vec![("1 KiB message".into(), 1024.0)]
    } else {
        input
            .decisions
            .iter()
            .enumerate()
            .filter_map(|(i, (_, d))| {
                let (p50, _) = d.message_percentiles()?;
                Some((format!("{} p50 = {} B", tag(i), num(p50)), p50))
            })
            .collect()
    };
    let mut groups = Vec::new();
    let mut values = Vec::new();
    for mode in crate::envelope::Mode::ALL.iter().map(|m| m.label()) {
        let alg = mode_algorithm(mode, &algs);
        let row: Vec<Option<f64>> = refs
            .iter()
            .map(|(_, p50)| {
                let bytes = overhead_bytes(m, mode, &alg, *p50)?;
                (*p50 > 0.0).then(|| bytes as f64 / p50 * 100.0)
            })
            .collect();
        if row.iter().any(Option::is_some) {
            groups.push(format!("{mode} {alg}"));
            values.push(row);
        }
    }
    (!groups.is_empty()).then(|| BarPlot {
        title: "Bytes on the wire as % of the p50 message".into(),
        value_label: "envelope bytes ÷ p50 payload (%, log scale)".into(),
        log: true,
        groups,
        colours: (0..refs.len()).map(category_colour).collect(),
        bars: refs.into_iter().map(|r| r.0).collect(),
        values,
    })
}

/// The answer table: one row per profile.
fn answer_table(input: &ReportInput) -> Table {
    let mut t = Table::new(
        "The answer per profile (CPU: all nodes, median timings [95% CI])",
        &[
            "Profile (threat)",
            "Strategy on backend",
            "Mode/key scope (classes)",
            "CPU, cores [95% CI] of budget",
            "Busiest node, cores",
            "µs @p99 size of budget",
            "Break-even (rate ×)",
        ],
    );
    for (i, (_, d)) in input.decisions.iter().enumerate() {
        let rec = &d.recommendation;
        let budget = &d.profile.budget;
        let mut row = vec![format!("{} {} ({})", tag(i), d.profile.name, d.threat())];
        match (&rec.strategy, &rec.backend, d.recommended_row()) {
            (Some(s), Some(b), Some(r)) => {
                let c = r.costs.as_ref();
                row.push(format!("{s} on {b}"));
                row.push(schemes_by_class(rec));
                row.push(c.map_or("–".into(), |c| {
                    format!(
                        "{} of {}",
                        cores_with_ci(c.cores, c.cores_low, c.cores_high),
                        num(budget.cores)
                    )
                }));
                row.push(c.and_then(|c| c.busiest.as_ref()).map_or("–".into(), |b| {
                    let limit = budget
                        .cores_per_node
                        .map_or(String::new(), |l| format!(" of {}", num(l)));
                    format!("{}{limit} ({})", num(b.cores_per_node), b.role)
                }));
                row.push(c.map_or("–".into(), |c| match c.tightest_latency() {
                    // Classes may have their own budgets: show the one nearest its limit.
                    Some((class, us, limit)) => {
                        format!("{} of {} ({class})", num(us), num(limit))
                    }
                    None => {
                        let limit = budget
                            .added_latency_us
                            .map_or(String::new(), |l| format!(" of {}", num(l)));
                        format!("{}{limit}", num(c.latency_p99_us))
                    }
                }));
                row.push(d.recommended_break_even().map_or("–".into(), |b| {
                    b.rate_multiplier.map_or("–".into(), |m| {
                        let msgs = b
                            .msgs_per_s
                            .map_or(String::new(), |n| format!(" ({} msg/s)", num(n)));
                        format!("{}×{msgs}", num(m))
                    })
                }));
            }
            _ => {
                row.push("none fits".into());
                row.push(rec.reasons.last().cloned().unwrap_or_default());
                row.extend(["–", "–", "–", "–"].map(String::from));
            }
        }
        t.push(row);
    }
    t
}

/// Per profile: how many strategies executed attacks ruled out, and what broke the
/// one-group-key strategy (`seal-all/group`, else the first rejected).
fn ruled_out(input: &ReportInput) -> Vec<String> {
    input
        .decisions
        .iter()
        .enumerate()
        .filter_map(|(i, (_, d))| {
            let rejected = &d.recommendation.rejected;
            let r = rejected
                .iter()
                .find(|r| r.strategy == "seal-all/group")
                .or_else(|| rejected.first())?;
            // Classes grouped by the attack that broke them.
            let mut by_attack: Vec<(&str, Vec<&str>)> = Vec::new();
            for b in &r.broken {
                let Some(a) = b.attacks.first() else { continue };
                match by_attack.iter_mut().find(|x| x.0 == a.attack) {
                    Some(x) => x.1.push(&b.class),
                    None => by_attack.push((&a.attack, vec![&b.class])),
                }
            }
            let broken: Vec<String> = by_attack
                .iter()
                .map(|(a, classes)| format!("{a} on {}", classes.join(", ")))
                .collect();
            Some(format!(
                "{}: {} strategies ruled out by executed attacks (decision appendix); {} by {}.",
                tag(i),
                rejected.len(),
                r.strategy,
                broken.join("; ")
            ))
        })
        .collect()
}

/// `key: value` of an environment string, or `not recorded`.
fn env(m: &Machine, pointer: &str) -> String {
    match m.run.environment.pointer(pointer) {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => "not recorded".into(),
    }
}

fn provenance(input: &ReportInput, m: &Machine) -> Vec<String> {
    let mut out = Vec::new();
    let build = match m.run.environment.get("build_profile") {
        Some(Value::Object(b)) => b
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().map_or(v.to_string(), str::to_string)))
            .collect::<Vec<_>>()
            .join(", "),
        _ => env(m, "/build"),
    };
    out.push(format!(
        "Measurements: `{}` (host {}, revision `{}`, captured {}, `{}` measurement profile, build {}){}.",
        m.source.display(),
        m.label,
        env(m, "/git_revision"),
        env(m, "/timestamp"),
        m.run.profile,
        build,
        if input.machines.len() > 1 {
            format!(
                "; {} more machine(s) in the appendices",
                input.machines.len() - 1
            )
        } else {
            String::new()
        }
    ));
    let rev = env(m, "/git_revision");
    if rev.ends_with("-dirty") || rev == "unknown" || rev == "not recorded" {
        out.push(format!(
            "Warning: revision `{rev}` is not a clean commit: the code measured cannot be \
             checked out again."
        ));
    }
    if m.run.profile == "quick" {
        out.push(
            "Warning: a `quick` run (few samples): differences under about 20% are noise.".into(),
        );
    }
    for (i, (path, d)) in input.decisions.iter().enumerate() {
        let p = &d.profile;
        let roles: Vec<String> = p.roles.iter().map(|(r, n)| format!("{n} {r}")).collect();
        let sizes = d.message_percentiles().map_or(String::new(), |(a, b)| {
            format!(
                "; messages p50 {} B, p99 {} B (rate-weighted)",
                num(a),
                num(b)
            )
        });
        out.push(format!(
            "{} `{}` (decision `{}`): threat `{}`; {}; {} classes, {} msg/s{sizes}. Source of the rates and sizes: {}",
            tag(i),
            p.name,
            path.display(),
            d.threat(),
            if roles.is_empty() {
                "roles not stated".to_string()
            } else {
                roles.join(", ")
            },
            p.classes.len(),
            num(d.total_rate()),
            p.provenance
        ));
        if let Some(r) = &d.results {
            let host_differs = r.host.as_deref().is_some_and(|h| h != m.label);
            if host_differs || r.measurement_profile != m.run.profile {
                out.push(format!(
                    "Warning: {} was priced from a `{}` run on {}, not from the measurements \
                     above (`{}` on {}).",
                    tag(i),
                    r.measurement_profile,
                    r.host.as_deref().unwrap_or("an unrecorded host"),
                    m.run.profile,
                    m.label
                ));
            }
        }
    }
    let mut warnings: Vec<&String> = input
        .decisions
        .iter()
        .flat_map(|(_, d)| &d.warnings)
        .collect();
    warnings.sort();
    warnings.dedup();
    out.extend(warnings.into_iter().map(|w| format!("decide: {w}")));
    out
}

/// The conformance verdict in one line.
fn conformance_line(input: &ReportInput) -> String {
    let Some(kat) = input.kat.as_ref().filter(|k| !k.records.is_empty()) else {
        return "Conformance: not measured (no `--kat` file).".into();
    };
    let (p, f, u) = kat.records.iter().fold((0, 0, 0), |(p, f, u), r| {
        (p + r.passed, f + r.failed, u + r.unsupported)
    });
    let mut backends: Vec<&str> = kat.records.iter().map(|r| r.backend.as_str()).collect();
    backends.sort_unstable();
    backends.dedup();
    let verdict = if f == 0 { "PASS" } else { "FAIL" };
    let failing: Vec<String> = kat
        .records
        .iter()
        .filter(|r| r.failed > 0)
        .map(|r| format!("{} {} {}", r.backend, r.suite, r.algorithm))
        .collect();
    format!(
        "Conformance: {verdict}: {p} known-answer cases passed, {f} failed, {u} unsupported \
         (never counted as passed) on {} backends{}.",
        backends.len(),
        if failing.is_empty() {
            String::new()
        } else {
            format!(" (failing: {})", failing.join("; "))
        }
    )
}

/// The summary section.
pub fn section(input: &ReportInput) -> Result<Section, ReportError> {
    let mut sec = Section::new("summary", "Review summary");
    sec.text(format!("Question: {QUESTION}"));
    if input.decisions.is_empty() {
        sec.not_measured(
            "No decision: pass `--decision FILE` (from `sealbench decide --json`) for each traffic profile.",
        );
    } else {
        sec.blocks.push(Block::Table(answer_table(input)));
        let ties: Vec<String> = input
            .decisions
            .iter()
            .enumerate()
            .filter(|(_, (_, d))| !d.recommendation.ties.is_empty())
            .map(|(i, (_, d))| {
                let names: Vec<&str> = d
                    .recommendation
                    .ties
                    .iter()
                    .map(|t| t.split(" (").next().unwrap_or(t))
                    .collect();
                let shown = names.iter().take(3).copied().collect::<Vec<_>>().join(", ");
                let more = names.len().saturating_sub(3);
                format!(
                    "{}: tie with {shown}{}: the 95% intervals of the CPU overlap, so these \
                     measurements do not decide between them (decision appendix).",
                    tag(i),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                )
            })
            .collect();
        let mut notes = ruled_out(input);
        notes.extend(ties);
        if !notes.is_empty() {
            sec.blocks.push(Block::Bullets(notes));
        }
    }
    sec.text(conformance_line(input));
    let Some(m) = input.machines.first() else {
        sec.not_measured("No measurements in the inputs.");
        return Ok(sec);
    };
    sec.blocks
        .push(Block::Heading("Assumptions and provenance".into()));
    sec.blocks.push(Block::Bullets(provenance(input, m)));
    if let Some(p) = message_cost_plot(input, m) {
        sec.blocks.push(Block::Figure(Figure::render(
            "summary-message-cost",
            &Plot::Line(p),
        )?));
    }
    for (i, (_, d)) in input.decisions.iter().enumerate() {
        if let Some(p) = cpu_plot(i, d) {
            let name = super::speed::figure_name_plain(&format!("summary-cpu-{}", d.profile.name));
            sec.blocks
                .push(Block::Figure(Figure::render(&name, &Plot::Line(p))?));
        }
    }
    if let Some(p) = wire_plot(input, m) {
        sec.blocks.push(Block::Figure(Figure::render(
            "summary-wire-share",
            &Plot::Bar(p),
        )?));
    }
    sec.text(
        "Plots: colour is the backend (the same in every plot of this report), line style and \
         marker the envelope mode; error bars are 95% confidence intervals wider than 5%. CPU \
         plots draw only strategies that withstood every required attack, on the backend \
         named; where a line crosses the budget is its break-even. Everything below the \
         summary is an appendix.",
    );
    Ok(sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_map_to_scenario_algorithm_labels() {
        let algs = BTreeMap::new();
        assert_eq!(mode_algorithm("encrypt", &algs), "rsaoaep2048+aes128gcm");
        assert_eq!(
            mode_algorithm("sign-encrypt", &algs),
            "ed25519+rsaoaep2048+aes128gcm"
        );
        assert_eq!(mode_algorithm("plain", &algs), "none");
        assert_eq!(tag(0), "A");
        assert_eq!(tag(2), "C");
    }
}
