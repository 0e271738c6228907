//! The conformance matrix: suite × algorithm rows, one column per backend.

use super::document::{Block, Section};
use super::input::ReportInput;
use super::tables::Table;
use crate::conformance::SuiteRecord;

/// One cell: `pass N`, `FAIL F/N` or `unsupported`, with the unsupported count beside.
fn cell(r: &SuiteRecord) -> String {
    if r.failed > 0 {
        format!("FAIL {}/{}", r.failed, r.total())
    } else if r.passed == 0 && r.unsupported > 0 {
        format!("unsupported ({})", r.unsupported)
    } else if r.unsupported > 0 {
        format!("pass {} (+{} unsupported)", r.passed, r.unsupported)
    } else {
        format!("pass {}", r.passed)
    }
}

/// The conformance section.
pub fn section(input: &ReportInput) -> Section {
    let mut s = Section::new("conformance", "Conformance");
    let Some(kat) = input.kat.as_ref().filter(|k| !k.records.is_empty()) else {
        s.not_measured(
            "Conformance not measured: pass `--kat FILE` (from `sealbench kat --json FILE`).",
        );
        return s;
    };
    let mut backends: Vec<&str> = Vec::new();
    let mut rows: Vec<(&str, &str)> = Vec::new();
    for r in &kat.records {
        if !backends.contains(&r.backend.as_str()) {
            backends.push(&r.backend);
        }
        if !rows.contains(&(r.suite.as_str(), r.algorithm.as_str())) {
            rows.push((&r.suite, &r.algorithm));
        }
    }
    let mut header = vec!["Suite".to_string(), "Algorithm".to_string()];
    header.extend(backends.iter().map(|b| b.to_string()));
    let mut t = Table::with_header(
        "Known-answer tests: cases passed, failed (of total) or unsupported, per backend",
        header,
    );
    for (suite, alg) in rows {
        let mut row = vec![suite.to_string(), alg.to_string()];
        row.extend(backends.iter().map(|b| {
            kat.records
                .iter()
                .find(|r| r.backend == *b && r.suite == suite && r.algorithm == alg)
                .map_or("not run".to_string(), cell)
        }));
        t.push(row);
    }
    let (p, f, u) = kat.records.iter().fold((0, 0, 0), |(p, f, u), r| {
        (p + r.passed, f + r.failed, u + r.unsupported)
    });
    s.text(format!(
        "{p} cases passed, {f} failed, {u} unsupported across {} backends. \
         Unsupported cases are never counted as passed.",
        backends.len()
    ));
    s.blocks.push(Block::Table(t));
    let failures: Vec<String> = kat
        .records
        .iter()
        .flat_map(|r| {
            r.failures
                .iter()
                .map(move |f| format!("{} {} {}: {f}", r.backend, r.suite, r.algorithm))
        })
        .collect();
    if !failures.is_empty() {
        s.text(format!(
            "Failures (first recorded per suite): {}",
            failures.join("; ")
        ));
    }
    s
}
