//! CSV export: one row per scenario, every field and statistic as a column.

use crate::results::ScenarioResult;

/// Column names, in order.
pub const COLUMNS: &[&str] = &[
    "id",
    "family",
    "layer",
    "op",
    "mode",
    "algorithm",
    "backend",
    "impl_path",
    "size",
    "identity",
    "recipients",
    "cek_reuse",
    "overhead_bytes",
    "samples",
    "iters_per_sample",
    "median_ns",
    "min_ns",
    "max_ns",
    "ci95_low_ns",
    "ci95_high_ns",
    "cv",
    "cpu_median_ns",
    "noisy",
    "inside_loop",
];

/// Quotes a field if it holds a comma, quote or line break (RFC 4180).
// ref: https://www.rfc-editor.org/rfc/rfc4180#section-2
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// One scenario's fields, unquoted, in [`COLUMNS`] order (the report's CSV reuses it).
pub fn record(r: &ScenarioResult) -> [String; 24] {
    let s = &r.stats;
    [
        r.id.clone(),
        r.family.clone(),
        r.layer.clone(),
        r.op.clone(),
        opt(r.mode.as_ref()),
        r.algorithm.clone(),
        r.backend.clone(),
        opt(r.impl_path.as_ref()),
        r.size.to_string(),
        opt(r.identity.as_ref()),
        opt(r.recipients),
        opt(r.cek_reuse),
        opt(r.overhead_bytes),
        s.samples.to_string(),
        s.iters_per_sample.to_string(),
        format!("{:.3}", s.median_ns),
        format!("{:.3}", s.min_ns),
        format!("{:.3}", s.max_ns),
        format!("{:.3}", s.ci95_low_ns),
        format!("{:.3}", s.ci95_high_ns),
        format!("{:.5}", s.cv),
        format!("{:.3}", s.cpu_median_ns),
        s.noisy.to_string(),
        r.inside_loop.join("; "),
    ]
}

/// The CSV text for `results`: a header line, then one line per scenario.
pub fn to_csv(results: &[ScenarioResult]) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for r in results {
        let line: Vec<String> = record(r).iter().map(|f| field(f)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_and_column_count() {
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(field("plain"), "plain");
        let r = crate::measure::engine::describe(
            &crate::measure::scenario::Scenario {
                op: crate::measure::scenario::Op::Memcpy,
                work: crate::measure::scenario::Work::Memcpy,
                backend: None,
                backend_tag: None,
                size: 64,
            },
            &crate::cpu::CpuFeatures::detect(),
        );
        let csv = to_csv(&[r]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[1].starts_with("memcpy_64,memcpy,raw,memcpy,,memcpy,none,,64,"));
        assert_eq!(lines[0].split(',').count(), COLUMNS.len());
    }
}
