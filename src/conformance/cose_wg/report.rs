//! Roll-up and a per-file table of COSE example records.

use std::fmt::Write as _;

use super::{CoseRecord, SUITE};
use crate::conformance::{Outcome, SuiteRecord};

/// One [`SuiteRecord`] per backend (first-seen order, algorithm `all`), counting every
/// file once, for the conformance matrix.
pub fn rollup(records: &[CoseRecord]) -> Vec<SuiteRecord> {
    let mut out: Vec<SuiteRecord> = Vec::new();
    for r in records {
        let idx = match out.iter().position(|s| s.backend == r.backend) {
            Some(i) => i,
            None => {
                out.push(SuiteRecord::new(&r.backend, SUITE, "all"));
                out.len() - 1
            }
        };
        if let Some(s) = out.get_mut(idx) {
            s.add(&r.file, &[], r.outcome.clone());
        }
    }
    out
}

fn cell(o: &Outcome) -> &'static str {
    match o {
        Outcome::Passed => "pass",
        Outcome::Failed { .. } => "FAIL",
        Outcome::Unsupported { .. } => "unsup",
    }
}

/// A plain-text table: one row per file, one column per backend, then every failure
/// detail, unsupported reason and note once per file.
pub fn render_table(records: &[CoseRecord]) -> String {
    let mut backends: Vec<&str> = Vec::new();
    let mut files: Vec<&CoseRecord> = Vec::new();
    for r in records {
        if !backends.contains(&r.backend.as_str()) {
            backends.push(&r.backend);
        }
        if !files.iter().any(|f| f.file == r.file) {
            files.push(r);
        }
    }
    let width = files.iter().map(|f| f.file.len()).max().unwrap_or(4).max(4);
    let mut s = String::new();
    let _ = write!(s, "{:width$}  {:13}", "file", "structure");
    for b in &backends {
        let _ = write!(s, "  {b:>10}");
    }
    let _ = writeln!(s, "  algorithm");
    for f in &files {
        let _ = write!(s, "{:width$}  {:13}", f.file, f.structure.name());
        for b in &backends {
            let o = records.iter().find(|r| r.file == f.file && r.backend == *b);
            let _ = write!(s, "  {:>10}", o.map_or("-", |r| cell(&r.outcome)));
        }
        let _ = writeln!(s, "  {}", f.algorithm);
    }
    let mut details: Vec<String> = Vec::new();
    for r in records {
        let line = match &r.outcome {
            Outcome::Passed => None,
            Outcome::Failed { detail } => {
                Some(format!("{} [{}] FAILED: {detail}", r.file, r.backend))
            }
            Outcome::Unsupported { reason } => Some(format!("{}: unsupported: {reason}", r.file)),
        };
        let notes = r.notes.iter().map(|n| format!("{}: {n}", r.file));
        for l in line.into_iter().chain(notes) {
            if !details.contains(&l) {
                details.push(l);
            }
        }
    }
    for l in details {
        let _ = writeln!(s, "{l}");
    }
    s
}
