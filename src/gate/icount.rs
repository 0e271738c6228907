//! Instruction counts: the candidate's scenarios run under
//! `valgrind --tool=callgrind`, counting only the engine's timed region (see
//! [`super::child`]).
//!
//! The scenarios are split over `jobs` callgrind processes running at once. Each process
//! writes one dump file per timed region (`cg.<job>.out.<n>`, numbered from 1 in order) and
//! a manifest saying which scenario and run produced which regions. Per scenario and pair of
//! armed runs of `n1 < n2` operations, the count per operation is
//! `(count(n2) − count(n1)) / (n2 − n1)`: the markers', the timer's and the region's fixed
//! instructions cancel. Two pairs per scenario check determinism.
//!
//! The result is a results run with `clock: "icount"` whose `stats` fields hold
//! instructions per operation: `median_ns` the median of the per-pair counts, `min_ns`,
//! `max_ns`, `ci95_low_ns` and `ci95_high_ns` their range (equal when deterministic),
//! `samples` the number of pairs, `iters_per_sample` `n2 − n1`.
//!
//! Callgrind emulates a CPU without AVX-512, VAES, VPCLMULQDQ, SHA or ADX, so the measured
//! program takes its AES-NI/AVX2 paths whatever the host has: icount sees code-path growth,
//! not which vector extension a library picks on this CPU (use `--metric wall` for that).

use std::path::{Path, PathBuf};
use std::process::Command;

use super::GateError;
use super::child::{ChildManifest, END_PATTERN, PLAN, START_PATTERN};
use crate::measure::child::{ChildCommand, ChildError, Scratch};
use crate::measure::stats::{coefficient_of_variation, median};
use crate::results::{Run, ScenarioResult, Stats};

/// Profile label of icount runs.
pub const PROFILE: &str = "icount";

/// The outcome of an icount measurement.
#[derive(Debug, Clone)]
pub struct Measured {
    /// The candidate's run.
    pub run: Run,
    /// Unsupported scenarios and the backend's reason.
    pub skipped: Vec<(String, String)>,
    /// Scenarios that failed, and why.
    pub failed: Vec<(String, String)>,
    /// Scenarios whose repeated counts differed, with their relative spread.
    pub nondeterministic: Vec<(String, f64)>,
    /// callgrind processes used.
    pub jobs: usize,
}

/// The instruction count (`Ir`) of one callgrind dump: its `summary:` line (the cost of
/// the part since the last zeroing, what `callgrind_annotate` reports as the program
/// total), else its `totals:` line. The two differ when a part starts inside functions
/// already running: `totals:` then also sums cost lines of the cut-off call stack.
pub fn parse_total(dump: &str) -> Option<u64> {
    let line = |prefix: &str| {
        dump.lines()
            .find_map(|l| l.strip_prefix(prefix))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|n| n.parse::<u64>().ok())
    };
    line("summary:").or_else(|| line("totals:"))
}

/// Statistics of per-operation counts from repeated pairs (see the module doc).
pub fn stats_of(per_op: &[f64], iters: u64) -> Stats {
    let mut v = per_op.to_vec();
    v.sort_by(f64::total_cmp);
    let m = median(&v);
    let (lo, hi) = (
        v.first().copied().unwrap_or(0.0),
        v.last().copied().unwrap_or(0.0),
    );
    Stats {
        samples: u32::try_from(v.len()).unwrap_or(u32::MAX),
        iters_per_sample: iters,
        median_ns: m,
        min_ns: lo,
        max_ns: hi,
        ci95_low_ns: lo,
        ci95_high_ns: hi,
        cv: coefficient_of_variation(&v),
        cpu_median_ns: m,
        noisy: hi > lo,
    }
}

/// Checks that valgrind runs; the error says how to get it.
pub fn check_valgrind() -> Result<String, GateError> {
    let out = Command::new("valgrind")
        .arg("--version")
        .output()
        .map_err(|e| {
            GateError::Measure(format!(
                "valgrind not found ({e}); install it (apt-get install valgrind) or use --metric wall"
            ))
        })?;
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn read(path: &Path) -> Result<String, GateError> {
    std::fs::read_to_string(path).map_err(|source| GateError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Last lines of a log, for an error message.
fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines
        .get(lines.len().saturating_sub(8)..)
        .unwrap_or_default()
        .join("\n")
}

/// Measures scenarios `ids` (gate subset ids) with `exe` (this sealbench) under callgrind,
/// `jobs` processes at once.
pub fn measure(exe: &Path, ids: &[String], jobs: usize) -> Result<Measured, GateError> {
    check_valgrind()?;
    let scratch = Scratch::new("gate")?;
    measure_in(&scratch, exe, ids, jobs)
}

fn measure_in(
    dir: &Scratch,
    exe: &Path,
    ids: &[String],
    jobs: usize,
) -> Result<Measured, GateError> {
    let jobs = jobs.clamp(1, ids.len().max(1));
    let chunks: Vec<Vec<&String>> = (0..jobs)
        .map(|k| ids.iter().skip(k).step_by(jobs).collect())
        .collect();
    let mut children = Vec::new();
    for (k, chunk) in chunks.iter().enumerate() {
        let out = dir.path(&format!("cg.{k}.out"));
        let manifest = dir.path(&format!("manifest.{k}.json"));
        let log = dir.path(&format!("valgrind.{k}.log"));
        let mut cmd = ChildCommand::new(exe, "callgrind process")
            .wrapped_in([
                "valgrind".to_string(),
                "--tool=callgrind".into(),
                format!("--zero-before={START_PATTERN}"),
                format!("--dump-before={END_PATTERN}"),
                format!("--callgrind-out-file={}", out.display()),
                format!("--log-file={}", log.display()),
            ])
            .arg("gate");
        for id in chunk {
            cmd = cmd.arg("--child-scenario").arg(id.as_str());
        }
        children.push((cmd.spawn(&manifest)?, out, log));
    }
    let mut measured = Measured {
        run: Run {
            environment: serde_json::Value::Null,
            profile: PROFILE.into(),
            clock: "icount".into(),
            scenarios: Vec::new(),
            fits: Vec::new(),
            interleaved: None,
        },
        skipped: Vec::new(),
        failed: Vec::new(),
        nondeterministic: Vec::new(),
        jobs,
    };
    let mut finished = Vec::new();
    for (child, out, log) in children {
        match child.wait_json::<ChildManifest>() {
            Ok(manifest) => finished.push((out, manifest)),
            Err(ChildError::Failed { status, .. }) => {
                let log_text = std::fs::read_to_string(&log).unwrap_or_default();
                let hint = if log_text.contains("rustix") && log_text.contains("auxv") {
                    "\nThis is rustix reading the kernel's auxiliary vector with PR_GET_AUXV, which \
                     valgrind passes through, so it finds a vDSO valgrind did not map \
                     (bytecodealliance/rustix#1559); build with rustix's `use-libc-auxv` feature."
                } else {
                    ""
                };
                return Err(GateError::Measure(format!(
                    "callgrind process failed ({status}); valgrind log:\n{}{hint}",
                    tail(&log)
                )));
            }
            Err(e) => return Err(e.into()),
        }
    }
    for (out, manifest) in finished {
        collect(&out, manifest, &mut measured)?;
    }
    // Back in the requested order.
    let pos = |id: &str| ids.iter().position(|i| i == id).unwrap_or(usize::MAX);
    measured.run.scenarios.sort_by_key(|r| pos(&r.id));
    Ok(measured)
}

fn dump_path(out: &Path, n: u64) -> PathBuf {
    let mut s = out.as_os_str().to_owned();
    s.push(format!(".{n}"));
    PathBuf::from(s)
}

/// Reads one process's dumps, as its manifest lists them, into `measured`.
fn collect(out: &Path, m: ChildManifest, measured: &mut Measured) -> Result<(), GateError> {
    if measured.run.environment.is_null() {
        measured.run.environment = m.environment.clone();
    }
    let mut next = 1u64;
    for s in m.scenarios {
        let mut counts = Vec::new();
        for r in &s.runs {
            let mut total = 0u64;
            for _ in 0..r.regions {
                let p = dump_path(out, next);
                next += 1;
                let n = parse_total(&read(&p)?).ok_or_else(|| GateError::Input {
                    path: p.clone(),
                    detail: "no totals: or summary: line".into(),
                })?;
                total = total.saturating_add(n);
            }
            counts.push((r.iters, r.regions, total));
        }
        let id = s.record.id.clone();
        if let Some(why) = s.unsupported {
            measured.skipped.push((id, why));
            continue;
        }
        if let Some(e) = s.error {
            measured.failed.push((id, e));
            continue;
        }
        match per_op(&counts) {
            Ok((v, iters)) => {
                let stats = stats_of(&v, iters);
                if stats.noisy {
                    measured
                        .nondeterministic
                        .push((id.clone(), stats.max_ns / stats.min_ns - 1.0));
                }
                measured
                    .run
                    .scenarios
                    .push(ScenarioResult { stats, ..s.record });
            }
            Err(e) => measured.failed.push((id, e)),
        }
    }
    Ok(())
}

/// Per-operation counts from consecutive `(iters, regions, count)` pairs.
fn per_op(runs: &[(u64, u64, u64)]) -> Result<(Vec<f64>, u64), String> {
    let mut out = Vec::new();
    let mut step = 0;
    for pair in runs.chunks(2) {
        let [(n1, r1, c1), (n2, r2, c2)] = pair else {
            return Err("an unpaired run".into());
        };
        if r1 != r2 || *r1 == 0 {
            return Err(format!(
                "runs of {n1} and {n2} operations timed {r1} and {r2} regions; cannot cancel fixed costs"
            ));
        }
        if n2 <= n1 {
            return Err("run lengths not increasing".into());
        }
        step = n2 - n1;
        out.push((*c2 as f64 - *c1 as f64) / step as f64);
    }
    if out.is_empty() {
        return Err("no armed runs".into());
    }
    Ok((out, step))
}

/// The plan's operation counts, for notes.
pub fn plan_note() -> String {
    format!(
        "icount: per scenario {} warm-up operations, then {} pairs of {} and {} operations under callgrind; count per operation = difference / {}",
        PLAN.warmup,
        PLAN.repeats,
        PLAN.iters[0],
        PLAN.iters[1],
        PLAN.iters[1] - PLAN.iters[0]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_callgrind_totals() {
        let dump = "# callgrind format\nversion: 1\npositions: line\nevents: Ir\nsummary: 11608\n\nfn=(1) x\n1 2\ntotals: 131046\n";
        assert_eq!(parse_total(dump), Some(11608));
        assert_eq!(parse_total("events: Ir\nsummary: 77\n"), Some(77));
        assert_eq!(parse_total("events: Ir Dr\ntotals: 5 9\n"), Some(5));
        assert_eq!(parse_total("nothing"), None);
    }

    #[test]
    fn per_op_cancels_fixed_costs() {
        // 100 fixed + 37 per operation.
        let c = |n: u64| (n, 1, 100 + 37 * n);
        let (v, step) = per_op(&[c(4), c(20), c(4), c(20)]).unwrap();
        assert_eq!((v, step), (vec![37.0, 37.0], 16));
        assert!(per_op(&[(4, 1, 1), (20, 2, 9)]).is_err());
        assert!(per_op(&[(4, 1, 1)]).is_err());
        assert!(per_op(&[]).is_err());
    }

    #[test]
    fn stats_hold_the_spread() {
        let s = stats_of(&[37.0, 37.0], 16);
        assert_eq!(
            (s.median_ns, s.ci95_low_ns, s.ci95_high_ns),
            (37.0, 37.0, 37.0)
        );
        assert!(!s.noisy);
        let s = stats_of(&[40.0, 38.0], 16);
        assert_eq!((s.median_ns, s.min_ns, s.max_ns), (39.0, 38.0, 40.0));
        assert!(s.noisy);
    }

    #[test]
    fn dump_paths_are_numbered_from_one() {
        assert_eq!(
            dump_path(Path::new("/t/cg.0.out"), 1),
            PathBuf::from("/t/cg.0.out.1")
        );
    }
}
