//! GitHub-flavoured markdown for `$GITHUB_STEP_SUMMARY` (after rustls ci-bench's
//! `print_icount_report`): a verdict heading, the warnings a reader needs first (different
//! profiles or scenario sets, suspected regressions, the machine state on the controls),
//! the two sides, the regressions and suspects, every scenario by decreasing |change| in a
//! collapsed section, missing scenarios (collapsed), notes. Every value is printed in its
//! column's unit.

use std::fmt::Write as _;

use super::Metric;
use super::compare::{Change, Row, Value, Verdict};
use super::report::{GateReport, Side};

/// `+12.34%`.
fn pct(x: f64) -> String {
    format!("{:+.2}%", x * 100.0)
}

/// The median in the column's unit (ns or instructions): one decimal below 1000, none
/// above.
fn value(v: &Value) -> String {
    if v.median.abs() >= 1000.0 {
        format!("{:.0}", v.median)
    } else {
        format!("{:.1}", v.median)
    }
}

fn interval(c: &Change) -> String {
    if c.low == c.high {
        "exact".into()
    } else {
        format!("[{}, {}]", pct(c.low), pct(c.high))
    }
}

fn scenario_cell(r: &Row) -> String {
    match &r.impl_path {
        (Some(a), Some(b)) if a != b => format!("`{}` (path {a} → {b})", r.id),
        _ => format!("`{}`", r.id),
    }
}

fn verdict_cell(r: &Row) -> String {
    match &r.confirmation {
        Some(c) => format!(
            "{} (re-run: {} {})",
            r.verdict.label(),
            pct(c.change.change),
            interval(&c.change)
        ),
        None => r.verdict.label().to_string(),
    }
}

fn table<'a>(out: &mut String, metric: Metric, rows: impl Iterator<Item = &'a Row>) {
    let unit = metric.unit();
    let _ = writeln!(
        out,
        "| Scenario | Baseline ({unit}) | Candidate ({unit}) | Change | 95% interval | Threshold | Verdict |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | ---: | --- |");
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {:.1}% | {} |",
            scenario_cell(r),
            value(&r.baseline),
            value(&r.candidate),
            pct(r.change.change),
            interval(&r.change),
            r.threshold * 100.0,
            verdict_cell(r)
        );
    }
}

/// How one row of the sides table reads a side.
type SideField = fn(&Side) -> String;

fn sides(out: &mut String, b: &Side, c: &Side) {
    let _ = writeln!(out, "| | Baseline | Candidate |");
    let _ = writeln!(out, "| --- | --- | --- |");
    let rows: [(&str, SideField); 9] = [
        ("Source", |s| format!("`{}`", s.source)),
        ("Runs", |s| s.runs.to_string()),
        ("Profile", |s| s.profile.clone()),
        ("Build", |s| s.build_profile.clone()),
        ("Revision", |s| format!("`{}`", s.git_revision)),
        ("Host", |s| s.host.clone()),
        ("CPU", |s| s.cpu.clone()),
        ("Captured", |s| s.timestamp.clone()),
        ("OPENSSL_ia32cap", |s| {
            s.openssl_ia32cap.clone().unwrap_or_else(|| "unset".into())
        }),
    ];
    for (name, f) in rows {
        let _ = writeln!(out, "| {name} | {} | {} |", f(b), f(c));
    }
}

/// Renders the report.
pub fn render(report: &GateReport) -> String {
    let cmp = &report.comparison;
    let metric = report.metric;
    let regressions = cmp.regressions().count();
    let count = |v: Verdict| cmp.rows.iter().filter(|r| r.verdict == v).count();
    let suspected = count(Verdict::Suspected);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## {} sealbench gate ({}): {}\n",
        match (report.passed, suspected) {
            (false, _) => "❌",
            (true, 0) => "✅",
            (true, _) => "⚠️",
        },
        metric.clock(),
        match (report.passed, suspected) {
            (false, _) => format!("{regressions} regression(s)"),
            (true, 0) => "pass".to_string(),
            (true, n) => format!("pass, {n} suspected regression(s)"),
        }
    );
    for w in &report.warnings {
        let _ = writeln!(out, "> ⚠️ {w}\n");
    }
    let _ = writeln!(
        out,
        "{} scenarios compared: {regressions} regressed, {suspected} suspected, {} improved, {} unchanged, {} within noise, {} suspected but not confirmed.\n",
        cmp.rows.len(),
        count(Verdict::Improvement),
        count(Verdict::Unchanged),
        count(Verdict::Noise),
        count(Verdict::Unconfirmed),
    );
    let _ = writeln!(out, "Controls: {}\n", report.controls.describe());
    sides(&mut out, &report.baseline, &report.candidate);
    out.push('\n');
    if regressions > 0 {
        let _ = writeln!(out, "### Regressions\n");
        table(&mut out, metric, cmp.regressions());
        out.push('\n');
    }
    if suspected > 0 {
        let _ = writeln!(out, "### Suspected (not failing)\n");
        table(&mut out, metric, cmp.suspected());
        out.push('\n');
    }
    if !cmp.rows.is_empty() {
        let _ = writeln!(
            out,
            "<details>\n<summary>All {} scenarios, by decreasing |change|</summary>\n",
            cmp.rows.len()
        );
        table(&mut out, metric, cmp.rows.iter());
        let _ = writeln!(out, "\n</details>\n");
    }
    if !cmp.controls.is_empty() {
        let _ = writeln!(
            out,
            "<details>\n<summary>Control scenarios (the machine, not the code)</summary>\n"
        );
        table(&mut out, metric, cmp.controls.iter());
        let _ = writeln!(out, "\n</details>\n");
    }
    let (mb, mc) = (&cmp.missing_in_baseline, &cmp.missing_in_candidate);
    if !mb.is_empty() || !mc.is_empty() {
        let _ = writeln!(
            out,
            "<details>\n<summary>⚠️ {} scenarios on one side only: {} only in the candidate, {} only in the baseline</summary>\n",
            mb.len() + mc.len(),
            mb.len(),
            mc.len()
        );
        for (side, ids) in [("baseline", mb), ("candidate", mc)] {
            if !ids.is_empty() {
                let _ = writeln!(out, "Not in the {side} ({}):\n", ids.len());
                for id in ids {
                    let _ = writeln!(out, "* `{id}`");
                }
                out.push('\n');
            }
        }
        let _ = writeln!(out, "</details>\n");
    }
    if !cmp.not_comparable.is_empty() {
        let _ = writeln!(out, "### Not comparable\n");
        for (id, why) in &cmp.not_comparable {
            let _ = writeln!(out, "* `{id}`: {why}");
        }
        out.push('\n');
    }
    if !report.notes.is_empty() {
        let _ = writeln!(out, "### Notes\n");
        for n in &report.notes {
            let _ = writeln!(out, "* {n}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::compare::{Comparison, Confirmation};

    fn v(m: f64) -> Value {
        Value {
            median: m,
            low: m * 0.99,
            high: m * 1.01,
            samples: 21,
            runs: 1,
        }
    }

    fn row(id: &str, change: f64, verdict: Verdict) -> Row {
        Row {
            id: id.into(),
            family: "f".into(),
            size: 64,
            baseline: v(100.0),
            candidate: v(100.0 * (1.0 + change)),
            change: Change {
                change,
                low: change - 0.02,
                high: change + 0.02,
            },
            threshold: 0.1,
            threshold_source: "default small".into(),
            verdict,
            impl_path: (Some("vaes-avx512".into()), Some("soft".into())),
            confirmation: None,
            unadjusted: None,
        }
    }

    fn side(src: &str) -> Side {
        Side {
            source: src.into(),
            runs: 1,
            build_profile: "measure (lto=fat, codegen-units=1)".into(),
            git_revision: "abc".into(),
            host: "h".into(),
            cpu: "AMD EPYC (x86_64)".into(),
            timestamp: "t".into(),
            profile: "gate-wall".into(),
            openssl_ia32cap: None,
        }
    }

    #[test]
    fn markdown_shape() {
        let mut bad = row("seal_openssl_aes128gcm_64", 0.5, Verdict::Regression);
        bad.confirmation = Some(Confirmation {
            candidate: v(150.0),
            change: bad.change,
            confirmed: true,
        });
        let cmp = Comparison {
            metric: Metric::Wall,
            rows: vec![bad, row("open_ring_aes128gcm_64", 0.01, Verdict::Unchanged)],
            missing_in_baseline: vec!["new_64".into()],
            missing_in_candidate: vec![],
            not_comparable: vec![],
            machine_factor: 1.0,
            controls: vec![],
        };
        let r = GateReport::new(
            Metric::Wall,
            side("base.json"),
            side("measured now"),
            cmp,
            vec!["a note".into()],
        );
        let md = render(&r);
        assert!(
            md.starts_with("## ❌ sealbench gate (wall): 1 regression(s)\n"),
            "{md}"
        );
        assert!(md.contains("### Regressions\n\n| Scenario | Baseline (ns) |"));
        assert!(md.contains(
            "| `seal_openssl_aes128gcm_64` (path vaes-avx512 → soft) | 100.0 | 150.0 | +50.00% | [+48.00%, +52.00%] | 10.0% | ❌ regression (re-run: +50.00%"
        ), "{md}");
        assert!(md.contains("<summary>All 2 scenarios"));
        assert!(md.contains("Not in the baseline (1):\n\n* `new_64`"));
        assert!(md.contains("<summary>⚠️ 1 scenarios on one side only"));
        assert!(md.contains("Controls: no control scenario"));
        assert!(md.contains("* a note"));
        // Every table row has the header's 7 columns.
        for line in md.lines().filter(|l| l.starts_with("| `")) {
            assert_eq!(line.matches(" | ").count(), 6, "{line}");
        }
    }
}
