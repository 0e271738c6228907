//! The gate as one library call: [`run`] takes a [`GatePlan`] (what the command line
//! says) and returns a [`GateOutcome`]; `cli/gate.rs` only parses, prints and maps the
//! outcome to an exit status.
//!
//! Three ways to get the two sides:
//! - **files** (`--baseline A.json [B.json ...] --candidate C.json [D.json ...]`): each
//!   side pooled over its files ([`compare::pool_runs`]); nothing is re-measured. A side
//!   whose evidence is one process (one `sealbench run` file) cannot show between-run
//!   variance, so its regressions are only "suspected" unless `strict`;
//! - **measured now** (no candidate file): icount under callgrind, or wall time in fresh
//!   processes with suspects re-measured;
//! - **two binaries** (`--baseline-bin OLD --candidate-bin NEW`): both measured now,
//!   interleaved process by process ([`processes::measure_pair`]), suspects re-measured on
//!   both sides: how a PR check should compare two revisions on a shared runner.
//!
//! In every mode the control scenarios say whether the machine itself changed
//! ([`super::controls`]).

use std::path::{Path, PathBuf};
use std::time::Instant;

use super::compare::{self, Comparison, pool_runs};
use super::controls::{Controls, MachineState};
use super::processes::{self, Binary};
use super::report::{GateReport, Side};
use super::{GateError, Metric, Thresholds, baseline, icount, subset, wall};
use crate::backend::Backend;
use crate::measure::{IdFilter, Scenario, summary};
use crate::results::{Environment, RESULTS_KIND, ResultsFile, Run, SCHEMA_VERSION};

/// Standard deviations of the comparison's spread added to every threshold of a file
/// comparison ([`Comparison::spread`]).
pub const NOISE_SIGMAS: f64 = 3.0;

/// What to compare and how.
#[derive(Debug, Clone, Default)]
pub struct GatePlan {
    /// `--metric`; `None`: the baseline's, or icount without a baseline (wall with two
    /// binaries).
    pub metric: Option<Metric>,
    /// Baseline results files (with `update_baseline`, exactly one: the file written).
    pub baseline: Vec<PathBuf>,
    /// Candidate results files; empty: measure the candidate now.
    pub candidate: Vec<PathBuf>,
    /// `--baseline-bin`: measure the baseline with this binary now.
    pub baseline_bin: Option<Binary>,
    /// `--candidate-bin`: measure the candidate with this binary now.
    pub candidate_bin: Option<Binary>,
    /// Write the candidate to the baseline file instead of comparing.
    pub update_baseline: bool,
    /// Only these scenarios (controls always stay).
    pub filter: Option<IdFilter>,
    /// Compare across machines.
    pub allow_cross_machine: bool,
    /// Suspected regressions fail too; a machine whose state differs is refused.
    pub strict: bool,
    /// `FAMILY=PCT` threshold overrides.
    pub thresholds: Vec<String>,
    /// Backends to measure.
    pub backends: Vec<&'static Backend>,
    /// Also write the candidate's results file here.
    pub out: Option<PathBuf>,
    /// Wall rounds in all.
    pub rounds: Option<u32>,
    /// icount processes at once.
    pub jobs: Option<u32>,
}

/// What the gate did.
#[derive(Debug)]
pub enum GateOutcome {
    /// `update_baseline`: the candidate was written.
    BaselineWritten {
        /// The metric.
        metric: Metric,
        /// Scenarios written.
        scenarios: usize,
        /// The file.
        path: PathBuf,
        /// Notes of the measurement.
        notes: Vec<String>,
    },
    /// A comparison.
    Compared(Box<GateReport>),
}

/// One side, read or measured.
struct SideData {
    /// Runs (one per file; one pooled run when measured).
    runs: Vec<Run>,
    /// Where from.
    source: String,
    /// Independent processes behind the side (several files, or a gate-wall run's
    /// processes); 1 means between-run variance is unseen.
    processes: u32,
    notes: Vec<String>,
}

impl SideData {
    fn pooled(&self) -> Vec<(crate::results::ScenarioResult, u32)> {
        let runs: Vec<&[crate::results::ScenarioResult]> =
            self.runs.iter().map(|r| r.scenarios.as_slice()).collect();
        pool_runs(&runs)
    }

    fn side(&self) -> Option<Side> {
        let first = self.runs.first()?;
        let mut s = Side::of(first, &self.source);
        s.runs = self.processes;
        Some(s)
    }
}

/// Processes behind one run: icount is deterministic (as good as many), a gate-wall run
/// pools [`wall::PLAN`]'s processes, a `sealbench run` file is one process.
fn processes_of(run: &Run) -> u32 {
    match run.profile.as_str() {
        "icount" | wall::PROFILE => wall::PLAN.processes.max(2),
        _ => 1,
    }
}

/// Runs the gate.
pub fn run(plan: &GatePlan) -> Result<GateOutcome, GateError> {
    let started = Instant::now();
    let two_bins = match (&plan.baseline_bin, &plan.candidate_bin) {
        (Some(a), Some(b)) => Some((a, b)),
        (None, None) => None,
        _ => {
            return Err(GateError::Usage(
                "--baseline-bin and --candidate-bin go together".into(),
            ));
        }
    };
    if let Some((a, b)) = two_bins {
        return compare_binaries(plan, a, b, started);
    }
    let base_path = plan
        .baseline
        .first()
        .ok_or_else(|| GateError::Usage("--baseline FILE is required".into()))?;
    let metric = resolve_metric(plan, base_path)?;
    let thresholds = Thresholds::new(metric).with_overrides(&plan.thresholds)?;
    let cand = candidate(plan, metric)?;
    if let (Some(out), Some(run)) = (&plan.out, cand.runs.first()) {
        baseline::write(out, &results_file(run))?;
    }
    if plan.update_baseline {
        if plan.baseline.len() != 1 || cand.runs.len() != 1 {
            return Err(GateError::Usage(
                "--update-baseline writes one candidate run to one --baseline file".into(),
            ));
        }
        let run = cand
            .runs
            .first()
            .cloned()
            .unwrap_or_else(|| empty_run(metric));
        baseline::write(base_path, &results_file(&run))?;
        return Ok(GateOutcome::BaselineWritten {
            metric,
            scenarios: run.scenarios.len(),
            path: base_path.clone(),
            notes: cand.notes,
        });
    }
    let base = read_side(&plan.baseline, metric)?;
    let mut notes = Vec::new();
    if let (Some(b0), Some(c0)) = (base.runs.first(), cand.runs.first()) {
        for other in base.runs.iter().skip(1).chain(&cand.runs) {
            notes.extend(baseline::check_machines(
                metric,
                &b0.environment,
                &other.environment,
                plan.allow_cross_machine,
            )?);
        }
        notes.extend(baseline::mask_note(&b0.environment, &c0.environment));
    }
    notes.dedup();
    let mut cmp = compare::compare(
        metric,
        &base.pooled(),
        &cand.pooled(),
        &thresholds,
        plan.filter.as_ref(),
    );
    if cmp.rows.is_empty() {
        return Err(GateError::Input {
            path: base_path.clone(),
            detail: format!(
                "no scenario in common with the candidate ({}){}",
                cand.source,
                plan.filter.as_ref().map_or(String::new(), |f| format!(
                    " matching --filter {}",
                    f.pattern()
                ))
            ),
        });
    }
    let controls = Controls::assess(&cmp);
    controls.apply(&mut cmp);
    let mut warnings = differences(&base, &cand, &cmp);
    if matches!(
        controls.state,
        MachineState::Shifted | MachineState::Differs
    ) {
        warnings.push(controls.describe());
    }
    // Files: the comparison's own spread estimates the between-run noise a file's
    // within-run interval leaves out.
    if metric == Metric::Wall
        && !plan.candidate.is_empty()
        && let Some(sigma) = cmp.spread()
    {
        let margin = NOISE_SIGMAS * sigma;
        cmp.widen_by(margin, "between-run noise");
        notes.push(format!(
            "between-run noise of this comparison: σ = {:.1}% (1.4826 × MAD of ln(1 + change) \
             over {} scenarios); {NOISE_SIGMAS}σ = {:.1}% added to every threshold",
            sigma * 100.0,
            cmp.rows.len(),
            margin * 100.0
        ));
    }
    // Measured wall candidates re-run their suspects; nothing else can.
    if metric == Metric::Wall && plan.candidate.is_empty() {
        confirm(&mut cmp, plan, &mut notes)?;
    }
    let weakest = base.processes.min(cand.processes);
    if metric == Metric::Wall && weakest < 2 && !plan.strict {
        let n = cmp.cap_to_suspected();
        if n > 0 {
            warnings.push(format!(
                "{n} suspected regression(s) did not fail the gate: a side is one `sealbench run` \
                 process, whose interval says nothing about the variance between runs (two \
                 back-to-back quick runs on an idle machine differ by up to ±95% on single \
                 scenarios). Compare several runs per side (--baseline a.json b.json \
                 --candidate c.json d.json), re-measure two builds with --baseline-bin/--candidate-bin, \
                 or pass --strict to fail on them"
            ));
        }
    } else if metric == Metric::Wall && plan.candidate.is_empty() {
        // measured now: confirmations already decided
    } else if metric == Metric::Wall && !plan.candidate.is_empty() {
        notes.push(format!(
            "file comparison: intervals span every run's interval ({} baseline, {} candidate \
             processes); suspected regressions cannot be re-measured",
            base.processes, cand.processes
        ));
    }
    if let Some(m) = cmp.median_change() {
        notes.push(format!(
            "median change over all {} scenarios: {:+.2}%",
            cmp.rows.len(),
            m * 100.0
        ));
    }
    notes.extend(cand.notes.iter().cloned());
    notes.push(format!(
        "the gate took {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    let (Some(bs), Some(cs)) = (base.side(), cand.side()) else {
        return Err(GateError::Measure("a side has no run".into()));
    };
    let mut report = GateReport::new(metric, bs, cs, cmp, notes);
    report.controls = controls;
    report.warnings = warnings;
    Ok(GateOutcome::Compared(Box::new(report)))
}

fn empty_run(metric: Metric) -> Run {
    Run {
        environment: serde_json::Value::Null,
        profile: String::new(),
        clock: metric.clock().into(),
        scenarios: Vec::new(),
        fits: Vec::new(),
        interleaved: None,
    }
}

/// What differs between the sides beyond the numbers: run profile, build profile,
/// scenario set.
fn differences(base: &SideData, cand: &SideData, cmp: &Comparison) -> Vec<String> {
    let mut out = Vec::new();
    let (Some(b), Some(c)) = (base.side(), cand.side()) else {
        return out;
    };
    if b.profile != c.profile {
        out.push(format!(
            "run profiles differ: baseline `{}`, candidate `{}` (different sample lengths and \
             counts, and `--quick` measures public-key families at fewer sizes)",
            b.profile, c.profile
        ));
    }
    if b.build_profile != c.build_profile {
        out.push(format!(
            "build profiles differ: baseline {}, candidate {}; pure-Rust backends (RustCrypto) \
             change with the build (up to 2× at 64 B), so their changes may be the build's",
            b.build_profile, c.build_profile
        ));
    }
    let (mb, mc) = (
        cmp.missing_in_baseline.len(),
        cmp.missing_in_candidate.len(),
    );
    if mb + mc > 0 {
        out.push(format!(
            "scenario sets differ: {} compared, {mc} only in the baseline, {mb} only in the \
             candidate (listed, collapsed, below)",
            cmp.rows.len()
        ));
    }
    out
}

/// `--metric`, else the metric of the candidate file being made the baseline, else of the
/// existing baseline, else icount.
fn resolve_metric(plan: &GatePlan, base_path: &Path) -> Result<Metric, GateError> {
    if let Some(m) = plan.metric {
        return Ok(m);
    }
    let of = |p: &Path| baseline::load(p, None).and_then(|run| baseline::metric_of(&run, p));
    match (plan.candidate.first(), plan.update_baseline) {
        (Some(c), true) => of(c),
        _ if plan.update_baseline && !base_path.exists() => Ok(Metric::Icount),
        _ => of(base_path),
    }
}

fn results_file(run: &Run) -> ResultsFile {
    ResultsFile {
        kind: RESULTS_KIND.into(),
        schema_version: SCHEMA_VERSION,
        runs: vec![run.clone()],
    }
}

fn read_side(paths: &[PathBuf], metric: Metric) -> Result<SideData, GateError> {
    let runs = paths
        .iter()
        .map(|p| baseline::load(p, Some(metric)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SideData {
        processes: runs.iter().map(processes_of).sum(),
        source: paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", "),
        runs,
        notes: Vec::new(),
    })
}

fn candidate(plan: &GatePlan, metric: Metric) -> Result<SideData, GateError> {
    if !plan.candidate.is_empty() {
        return read_side(&plan.candidate, metric);
    }
    let scenarios = subset::scenarios(&plan.backends, plan.filter.as_ref());
    if scenarios.iter().all(Scenario::is_control) {
        return Err(GateError::Usage(
            "--filter/--backend select no scenario".into(),
        ));
    }
    match metric {
        Metric::Icount => measure_icount(plan, &scenarios),
        Metric::Wall => measure_wall(plan, &scenarios),
    }
}

fn listed(what: &str, items: &[(String, String)]) -> Option<String> {
    (!items.is_empty()).then(|| {
        let v: Vec<String> = items
            .iter()
            .map(|(id, why)| format!("{id} ({why})"))
            .collect();
        format!("{} {what}: {}", items.len(), v.join(", "))
    })
}

fn measure_icount(plan: &GatePlan, scenarios: &[Scenario]) -> Result<SideData, GateError> {
    let t0 = Instant::now();
    let version = icount::check_valgrind()?;
    let ids: Vec<String> = scenarios.iter().map(Scenario::id).collect();
    let jobs = plan.jobs.map_or_else(
        || {
            std::thread::available_parallelism()
                .map_or(1, usize::from)
                .min(4)
        },
        |j| j as usize,
    );
    eprintln!(
        "gate: counting instructions of {} scenarios under {version} ({jobs} processes)",
        ids.len()
    );
    let exe = Binary::current()?.exe;
    let m = icount::measure(&exe, &ids, jobs)?;
    if m.run.scenarios.is_empty() {
        return Err(GateError::Measure("no scenario could be counted".into()));
    }
    let n = m.run.scenarios.len();
    let mut notes = vec![
        format!(
            "{version}; callgrind hides AVX-512, VAES, VPCLMULQDQ, SHA and ADX from the program, so icount exercises the AES-NI/AVX2 paths"
        ),
        icount::plan_note(),
        if m.nondeterministic.is_empty() {
            format!("determinism: all {n} scenarios counted identically in both pairs")
        } else {
            let v: Vec<String> = m
                .nondeterministic
                .iter()
                .map(|(id, d)| format!("{id} ({:.3}%)", d * 100.0))
                .collect();
            format!(
                "determinism: {} of {n} scenarios differed between pairs (spread used as the interval): {}",
                v.len(),
                v.join(", ")
            )
        },
        format!(
            "measured {n} scenarios in {:.1} s with {} callgrind processes",
            t0.elapsed().as_secs_f64(),
            m.jobs
        ),
    ];
    notes.extend(listed("unsupported", &m.skipped));
    notes.extend(listed("FAILED to measure", &m.failed));
    Ok(SideData {
        runs: vec![m.run],
        source: "measured now (icount)".into(),
        processes: wall::PLAN.processes,
        notes,
    })
}

fn wall_note(m: &processes::Measured, secs: f64, who: &str) -> String {
    format!(
        "wall{who}: {} scenarios, {} processes × {} interleaved rounds (one {} ms sample per scenario per round, after an untimed warm batch), measured in {secs:.1} s; {} descheduled sample attempts (wall > CPU + {:.0}%) retaken",
        m.results.len(),
        wall::PLAN.processes,
        m.rounds_per_process,
        wall::PLAN.sample_ns / 1_000_000,
        m.rejected,
        wall::DESCHEDULED_SLACK * 100.0
    )
}

fn wall_run(m: processes::Measured, env: serde_json::Value) -> Run {
    Run {
        environment: env,
        profile: wall::PROFILE.into(),
        clock: Metric::Wall.clock().into(),
        fits: summary::fits(&m.results),
        scenarios: m.results,
        interleaved: None,
    }
}

fn measure_wall(plan: &GatePlan, scenarios: &[Scenario]) -> Result<SideData, GateError> {
    let t0 = Instant::now();
    let rounds = plan.rounds.unwrap_or(wall::PLAN.rounds);
    let ids: Vec<String> = scenarios.iter().map(Scenario::id).collect();
    eprintln!(
        "gate: timing {} scenarios in {rounds} interleaved rounds of {} ms samples over {} processes",
        ids.len(),
        wall::PLAN.sample_ns / 1_000_000,
        wall::PLAN.processes
    );
    let exe = Binary::current()?.exe;
    let m = processes::measure(&exe, &ids, rounds, &wall::PLAN)?;
    if m.results.is_empty() {
        return Err(GateError::Measure("no scenario could be timed".into()));
    }
    let mut notes = vec![wall_note(&m, t0.elapsed().as_secs_f64(), "")];
    notes.extend(listed("unsupported", &m.skipped));
    notes.extend(listed("FAILED to measure", &m.failed));
    let env = serde_json::to_value(Environment::capture(&plan.backends))
        .map_err(|e| GateError::Measure(e.to_string()))?;
    Ok(SideData {
        runs: vec![wall_run(m, env)],
        source: "measured now (wall)".into(),
        processes: wall::PLAN.processes,
        notes,
    })
}

/// Rounds to confirm suspects with.
fn confirm_rounds(plan: &GatePlan) -> u32 {
    plan.rounds.map_or(wall::PLAN.confirm_rounds, |r| r * 2)
}

/// Re-measures every suspected regression of a measured wall candidate in fresh
/// processes (interleaved among the suspects) and keeps only those the re-run confirms.
fn confirm(
    cmp: &mut Comparison,
    plan: &GatePlan,
    notes: &mut Vec<String>,
) -> Result<(), GateError> {
    let suspects = cmp.suspects();
    if suspects.is_empty() {
        return Ok(());
    }
    let t0 = Instant::now();
    let rounds = confirm_rounds(plan);
    eprintln!(
        "gate: re-measuring {} suspected regression(s) with {rounds} rounds",
        suspects.len()
    );
    let exe = Binary::current()?.exe;
    let m = processes::measure(&exe, &suspects, rounds, &wall::PLAN)?;
    for r in &m.results {
        cmp.confirm(&r.id, &r.stats);
    }
    notes.push(format!(
        "{} suspected regression(s) re-measured in {} fresh processes × {} rounds in {:.1} s: {} confirmed",
        suspects.len(),
        wall::PLAN.processes,
        m.rounds_per_process,
        t0.elapsed().as_secs_f64(),
        cmp.regressions().count()
    ));
    Ok(())
}

fn describe_bin(b: &Binary) -> String {
    let mut s = b.exe.display().to_string();
    for (k, v) in &b.env {
        s.push_str(&format!(" with {k}={v}"));
    }
    s
}

/// `--baseline-bin OLD --candidate-bin NEW`: both measured now, process by process
/// interleaved; suspects re-measured on both sides.
fn compare_binaries(
    plan: &GatePlan,
    a: &Binary,
    b: &Binary,
    started: Instant,
) -> Result<GateOutcome, GateError> {
    if plan.metric == Some(Metric::Icount) {
        return Err(GateError::Usage(
            "--baseline-bin/--candidate-bin measure wall time; drop --metric icount".into(),
        ));
    }
    if plan.update_baseline || !plan.baseline.is_empty() || !plan.candidate.is_empty() {
        return Err(GateError::Usage(
            "--baseline-bin/--candidate-bin measure both sides: no --baseline, --candidate or --update-baseline".into(),
        ));
    }
    let metric = Metric::Wall;
    let thresholds = Thresholds::new(metric).with_overrides(&plan.thresholds)?;
    let scenarios = subset::scenarios(&plan.backends, plan.filter.as_ref());
    if scenarios.iter().all(Scenario::is_control) {
        return Err(GateError::Usage(
            "--filter/--backend select no scenario".into(),
        ));
    }
    let ids: Vec<String> = scenarios.iter().map(Scenario::id).collect();
    let rounds = plan.rounds.unwrap_or(wall::PLAN.rounds);
    eprintln!(
        "gate: timing {} scenarios with two binaries, {rounds} interleaved rounds each over {} alternating processes per binary",
        ids.len(),
        wall::PLAN.processes
    );
    let t0 = Instant::now();
    let (ma, mb) = processes::measure_pair(a, b, &ids, rounds, &wall::PLAN)?;
    let secs = t0.elapsed().as_secs_f64();
    let mut notes = vec![
        wall_note(&ma, secs, " (baseline binary)"),
        wall_note(&mb, secs, " (candidate binary)"),
        "binaries measured alternately (A B, B A, A B): a slow phase of the machine lands on both sides"
            .to_string(),
    ];
    for (who, m) in [("baseline", &ma), ("candidate", &mb)] {
        notes.extend(listed(&format!("unsupported ({who})"), &m.skipped));
        notes.extend(listed(&format!("FAILED to measure ({who})"), &m.failed));
    }
    if ma.results.is_empty() || mb.results.is_empty() {
        return Err(GateError::Measure("no scenario could be timed".into()));
    }
    let env = |m: &processes::Measured| m.environment.clone().unwrap_or(serde_json::Value::Null);
    let (env_a, env_b) = (env(&ma), env(&mb));
    notes.extend(baseline::check_machines(metric, &env_a, &env_b, true)?);
    notes.extend(baseline::mask_note(&env_a, &env_b));
    let base = SideData {
        runs: vec![wall_run(ma, env_a)],
        source: describe_bin(a),
        processes: wall::PLAN.processes,
        notes: Vec::new(),
    };
    let cand = SideData {
        runs: vec![wall_run(mb, env_b)],
        source: describe_bin(b),
        processes: wall::PLAN.processes,
        notes: Vec::new(),
    };
    if let (Some(out), Some(run)) = (&plan.out, cand.runs.first()) {
        baseline::write(out, &results_file(run))?;
    }
    let mut cmp = compare::compare(
        metric,
        &base.pooled(),
        &cand.pooled(),
        &thresholds,
        plan.filter.as_ref(),
    );
    // Interleaved on one machine: the controls can only differ if the binaries compile
    // them differently; reported, not factored out.
    let controls = Controls::assess(&cmp);
    let mut warnings = differences(&base, &cand, &cmp);
    if controls.state != MachineState::Steady {
        warnings.push(format!(
            "controls between the two binaries: {} (measured interleaved on one machine, so \
             nothing is factored out)",
            controls.describe()
        ));
    }
    let suspects = cmp.suspects();
    if !suspects.is_empty() {
        let t1 = Instant::now();
        let rounds = confirm_rounds(plan);
        eprintln!(
            "gate: re-measuring {} suspected regression(s) with both binaries, {rounds} rounds",
            suspects.len()
        );
        let (ra, rb) = processes::measure_pair(a, b, &suspects, rounds, &wall::PLAN)?;
        for r in &rb.results {
            let base = ra.results.iter().find(|x| x.id == r.id).map(|x| x.stats);
            cmp.confirm_pair(&r.id, base.as_ref(), &r.stats);
        }
        notes.push(format!(
            "{} suspected regression(s) re-measured with both binaries ({} alternating processes × {} rounds each) in {:.1} s: {} confirmed",
            suspects.len(),
            wall::PLAN.processes,
            rb.rounds_per_process,
            t1.elapsed().as_secs_f64(),
            cmp.regressions().count()
        ));
    }
    if let Some(m) = cmp.median_change() {
        notes.push(format!(
            "median change over all {} scenarios: {:+.2}%",
            cmp.rows.len(),
            m * 100.0
        ));
    }
    notes.push(format!(
        "the gate took {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    let (Some(bs), Some(cs)) = (base.side(), cand.side()) else {
        return Err(GateError::Measure("a side has no run".into()));
    };
    let mut report = GateReport::new(metric, bs, cs, cmp, notes);
    report.controls = controls;
    report.warnings = warnings;
    Ok(GateOutcome::Compared(Box::new(report)))
}
