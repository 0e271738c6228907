//! Plain-text conformance table: one row per backend, one column per suite × algorithm,
//! cells `passed/failed/unsupported`, followed by a legend, the unsupported reasons and
//! the recorded failures.

use std::fmt::Write as _;

use super::outcome::SuiteRecord;

/// Renders `records` as a table (backends and columns in first-seen order). Columns are
/// numbered in the header and named in the legend below it; a backend without a record
/// for a column shows `-`.
pub fn render_matrix(records: &[SuiteRecord]) -> String {
    let mut backends: Vec<&str> = Vec::new();
    let mut columns: Vec<(&str, &str)> = Vec::new();
    for r in records {
        if !backends.contains(&r.backend.as_str()) {
            backends.push(&r.backend);
        }
        let col = (r.suite.as_str(), r.algorithm.as_str());
        if !columns.contains(&col) {
            columns.push(col);
        }
    }
    let cell = |backend: &str, col: (&str, &str)| -> String {
        let mut found = records
            .iter()
            .filter(|r| r.backend == backend && (r.suite.as_str(), r.algorithm.as_str()) == col)
            .peekable();
        if found.peek().is_none() {
            return "-".to_string();
        }
        let (p, f, u) = found.fold((0, 0, 0), |(p, f, u), r| {
            (p + r.passed, f + r.failed, u + r.unsupported)
        });
        format!("{p}/{f}/{u}")
    };

    let mut rows: Vec<Vec<String>> = vec![
        std::iter::once("backend".to_string())
            .chain((1..=columns.len()).map(|i| format!("[{i}]")))
            .collect(),
    ];
    for b in &backends {
        rows.push(
            std::iter::once((*b).to_string())
                .chain(columns.iter().map(|&col| cell(b, col)))
                .collect(),
        );
    }
    let widths: Vec<usize> = (0..=columns.len())
        .map(|c| {
            rows.iter()
                .filter_map(|row| row.get(c))
                .map(String::len)
                .max()
                .unwrap_or(0)
        })
        .collect();

    let mut out = String::from("cells: passed/failed/unsupported\n");
    for row in &rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(text, &w)| format!("{text:<w$}"))
            .collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    out.push('\n');
    for (i, (suite, alg)) in columns.iter().enumerate() {
        let _ = writeln!(out, "[{}] {suite} ({alg})", i + 1);
    }
    append_details(&mut out, records);
    out
}

/// Unsupported reasons and recorded failures, per record.
fn append_details(out: &mut String, records: &[SuiteRecord]) {
    let unsupported: Vec<&SuiteRecord> = records.iter().filter(|r| r.unsupported > 0).collect();
    if !unsupported.is_empty() {
        out.push_str("\nunsupported:\n");
        for r in unsupported {
            for (reason, n) in &r.unsupported_reasons {
                let _ = writeln!(
                    out,
                    "  {} {} ({}): {n} × {reason}",
                    r.backend, r.suite, r.algorithm
                );
            }
        }
    }
    let acceptable: Vec<&SuiteRecord> = records
        .iter()
        .filter(|r| r.acceptable_accepted + r.acceptable_rejected > 0)
        .collect();
    if !acceptable.is_empty() {
        out.push_str("\nWycheproof \"acceptable\" cases (counted as passed either way):\n");
        for r in acceptable {
            let _ = writeln!(
                out,
                "  {} {} ({}): {} accepted, {} rejected",
                r.backend, r.suite, r.algorithm, r.acceptable_accepted, r.acceptable_rejected
            );
        }
    }
    let failed: Vec<&SuiteRecord> = records.iter().filter(|r| r.failed > 0).collect();
    if !failed.is_empty() {
        out.push_str("\nFAILURES:\n");
        for r in failed {
            let _ = writeln!(
                out,
                "  {} {} ({}): {} failed",
                r.backend, r.suite, r.algorithm, r.failed
            );
            for (flag, n) in &r.failed_flags {
                let _ = writeln!(out, "    flag {flag}: {n}");
            }
            for f in &r.failures {
                let _ = writeln!(out, "    {f}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::outcome::Outcome;

    fn record(backend: &str, suite: &str, outcomes: &[Outcome]) -> SuiteRecord {
        let mut r = SuiteRecord::new(backend, suite, "alg");
        for (i, o) in outcomes.iter().enumerate() {
            r.add(&i.to_string(), &["Flag".to_string()], o.clone());
        }
        r
    }

    #[test]
    fn renders_rows_columns_legend_and_details() {
        let records = vec![
            record("ring", "s1", &[Outcome::Passed, Outcome::Passed]),
            record("ring", "s2", &[Outcome::unsupported("no 64-bit nonces")]),
            record(
                "openssl",
                "s1",
                &[Outcome::Passed, Outcome::failed("tag mismatch")],
            ),
        ];
        let text = render_matrix(&records);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1], "backend  [1]    [2]");
        assert_eq!(lines[2], "ring     2/0/0  0/0/1");
        assert_eq!(lines[3], "openssl  1/1/0  -");
        assert!(text.contains("[1] s1 (alg)\n[2] s2 (alg)\n"));
        assert!(text.contains("ring s2 (alg): 1 × no 64-bit nonces"));
        assert!(text.contains("openssl s1 (alg): 1 failed"));
        assert!(text.contains("flag Flag: 1"));
        assert!(text.contains("1: tag mismatch"));
        assert!(!text.contains("acceptable"));

        let mut with_acceptable = records[0].clone();
        with_acceptable.acceptable_accepted = 2;
        with_acceptable.acceptable_rejected = 1;
        let text = render_matrix(&[with_acceptable]);
        assert!(
            text.contains("ring s1 (alg): 2 accepted, 1 rejected"),
            "{text}"
        );
        assert!(!text.contains("unsupported:") && !text.contains("FAILURES"));
    }
}
