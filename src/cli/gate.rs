//! `sealbench gate`: compare a candidate with a baseline; exit 1 only on regressions the
//! gate is confident of. See `docs/GATE.md`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;

use crate::backend::{ALL_BACKENDS, Backend};
use crate::gate::baseline::{self, RESULTS_KIND};
use crate::gate::report::{GateReport, Side};
use crate::gate::{
    GateError, Metric, Thresholds, child, compare, icount, markdown, processes, subset, wall,
};
use crate::measure::summary;
use crate::results::{Environment, ResultsFile, Run, SCHEMA_VERSION};

/// Arguments of `sealbench gate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Baseline results file: one run whose clock is the metric. With --update-baseline,
    /// the file written.
    #[arg(long, value_name = "FILE", required_unless_present = "child_out")]
    baseline: Option<PathBuf>,
    /// Candidate results file. Without it the gate measures the candidate now: the gate
    /// subset (raw and envelope AES-128-GCM/ChaCha20 seal/open at 64 B and 16 KiB, Mac0,
    /// Ed25519 sign/verify at 64 B, per backend).
    #[arg(long, value_name = "FILE")]
    candidate: Option<PathBuf>,
    /// icount: instructions per operation under callgrind (needs valgrind; 1% threshold).
    /// wall: interleaved wall time (10% below 4096 B, 5% from 4096 B). [default: the
    /// baseline's metric; icount when there is no baseline yet]
    #[arg(long, value_enum)]
    metric: Option<Metric>,
    /// Print the verdict as JSON instead of markdown.
    #[arg(long)]
    json: bool,
    /// Write the candidate (measured now, or --candidate) to the --baseline file and exit 0.
    #[arg(long)]
    update_baseline: bool,
    /// Only scenarios whose id contains this substring.
    #[arg(long, value_name = "SUBSTR")]
    filter: Option<String>,
    /// Compare even if the two sides ran on different CPU models or feature sets (wall) or
    /// architectures (icount).
    #[arg(long)]
    allow_cross_machine: bool,
    /// Regression threshold: FAMILY=PCT, FAMILY an exact family id, a family prefix ending
    /// in `*`, `small` (below 4096 B), `bulk` or `all` (repeatable).
    #[arg(long = "threshold", value_name = "FAMILY=PCT")]
    thresholds: Vec<String>,
    /// Only this backend when measuring (repeatable; default: every compiled-in backend).
    #[arg(long = "backend", value_name = "NAME")]
    backends: Vec<String>,
    /// Also write the candidate's results file here.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Wall: interleaved rounds in all, i.e. samples per scenario, split over 3 fresh
    /// processes [default: 21]; suspected regressions are re-measured with twice as many.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(6..=1000))]
    rounds: Option<u32>,
    /// icount: callgrind processes at once [default: logical CPUs, at most 4].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    jobs: Option<u32>,
    /// Internal: run as the callgrind child, writing its manifest here.
    #[arg(long, hide = true, value_name = "FILE")]
    child_out: Option<PathBuf>,
    /// Internal: a scenario id for the child (repeatable).
    #[arg(long = "child-scenario", hide = true, value_name = "ID")]
    child_scenarios: Vec<String>,
    /// Internal: rounds of a wall child.
    #[arg(long, hide = true, default_value_t = 7)]
    child_rounds: u32,
    /// Internal: sample target of a wall child, ns.
    #[arg(long, hide = true, default_value_t = wall::PLAN.sample_ns)]
    child_sample_ns: u64,
}

/// The candidate, read or measured.
struct Candidate {
    run: Run,
    source: String,
    notes: Vec<String>,
    /// Rounds to re-measure suspected regressions with (0: they cannot be re-measured).
    confirm_rounds: u32,
}

pub(super) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if let Some(out) = &args.child_out {
        match args.metric {
            Some(Metric::Wall) => processes::run_child(
                &args.child_scenarios,
                args.child_rounds,
                args.child_sample_ns,
                out,
            )?,
            _ => child::run(&args.child_scenarios, child::PLAN, out)?,
        }
        return Ok(ExitCode::SUCCESS);
    }
    let started = Instant::now();
    let base_path = args
        .baseline
        .as_deref()
        .context("--baseline FILE is required")?;
    let metric = resolve_metric(args, base_path)?;
    let thresholds = Thresholds::new(metric).with_overrides(&args.thresholds)?;
    let mut cand = candidate(args, metric)?;
    if let Some(out) = &args.out {
        baseline::write(out, &results_file(&cand.run))?;
    }
    if args.update_baseline {
        baseline::write(base_path, &results_file(&cand.run))?;
        for n in &cand.notes {
            eprintln!("note: {n}");
        }
        println!(
            "wrote {} baseline: {} scenarios to {} ({:.1} s)",
            metric.clock(),
            cand.run.scenarios.len(),
            base_path.display(),
            started.elapsed().as_secs_f64()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let base = baseline::load(base_path, Some(metric))?;
    let mut notes = baseline::check_machines(
        metric,
        &base.environment,
        &cand.run.environment,
        args.allow_cross_machine,
    )?;
    notes.extend(baseline::mask_note(
        &base.environment,
        &cand.run.environment,
    ));
    let mut cmp = compare(
        metric,
        &base.scenarios,
        &cand.run.scenarios,
        &thresholds,
        args.filter.as_deref(),
    );
    if cmp.rows.is_empty() {
        return Err(GateError::Input {
            path: base_path.to_path_buf(),
            detail: format!(
                "no scenario in common with the candidate ({}){}",
                cand.source,
                args.filter
                    .as_ref()
                    .map_or(String::new(), |f| format!(" matching --filter {f}"))
            ),
        }
        .into());
    }
    confirm(&mut cmp, &cand, &mut notes)?;
    if let Some(m) = cmp.median_change() {
        notes.push(format!(
            "median change over all {} scenarios: {:+.2}%",
            cmp.rows.len(),
            m * 100.0
        ));
    }
    notes.append(&mut cand.notes);
    notes.push(format!(
        "the gate took {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    let report = GateReport::new(
        metric,
        Side::of(&base, &base_path.display().to_string()),
        Side::of(&cand.run, &cand.source),
        cmp,
        notes,
    );
    if args.json {
        super::print_json(&report)?;
    } else {
        print!("{}", markdown::render(&report));
    }
    Ok(if report.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_FAILED)
    })
}

/// `--metric`, else the metric of the candidate file being made the baseline, else of the
/// existing baseline, else icount.
fn resolve_metric(args: &Args, base_path: &Path) -> Result<Metric, GateError> {
    if let Some(m) = args.metric {
        return Ok(m);
    }
    let of = |p: &Path| baseline::load(p, None).and_then(|run| baseline::metric_of(&run, p));
    match (&args.candidate, args.update_baseline) {
        (Some(c), true) => of(c),
        _ if args.update_baseline && !base_path.exists() => Ok(Metric::Icount),
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

fn backends(names: &[String]) -> Result<Vec<&'static Backend>, GateError> {
    if names.is_empty() {
        return Ok(ALL_BACKENDS.to_vec());
    }
    names
        .iter()
        .map(|n| {
            crate::backend::by_name(n)
                .ok_or_else(|| GateError::Usage(format!("--backend {n}: unknown backend")))
        })
        .collect()
}

fn candidate(args: &Args, metric: Metric) -> anyhow::Result<Candidate> {
    if let Some(path) = &args.candidate {
        let run = baseline::load(path, Some(metric))?;
        let mut notes = Vec::new();
        if metric == Metric::Wall {
            notes.push(
                "candidate read from a file: suspected regressions cannot be re-measured and fail as found"
                    .into(),
            );
        }
        return Ok(Candidate {
            run,
            source: path.display().to_string(),
            notes,
            confirm_rounds: 0,
        });
    }
    let backends = backends(&args.backends)?;
    let scenarios = subset::scenarios(&backends, args.filter.as_deref());
    if scenarios.is_empty() {
        return Err(GateError::Usage("--filter/--backend select no scenario".into()).into());
    }
    match metric {
        Metric::Icount => measure_icount(args, &scenarios),
        Metric::Wall => measure_wall(args, &scenarios, &backends),
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

fn measure_icount(
    args: &Args,
    scenarios: &[crate::measure::Scenario],
) -> anyhow::Result<Candidate> {
    let t0 = Instant::now();
    let version = icount::check_valgrind()?;
    let ids: Vec<String> = scenarios.iter().map(|s| s.id()).collect();
    let jobs = args.jobs.map_or_else(
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
    let exe = std::env::current_exe().context("cannot find own executable")?;
    let m = icount::measure(&exe, &ids, jobs)?;
    if m.run.scenarios.is_empty() {
        return Err(GateError::Measure("no scenario could be counted".into()).into());
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
    Ok(Candidate {
        run: m.run,
        source: "measured now (icount)".into(),
        notes,
        confirm_rounds: 0,
    })
}

fn measure_wall(
    args: &Args,
    scenarios: &[crate::measure::Scenario],
    backends: &[&'static Backend],
) -> anyhow::Result<Candidate> {
    let t0 = Instant::now();
    let rounds = args.rounds.unwrap_or(wall::PLAN.rounds);
    let plan = wall::PLAN;
    let ids: Vec<String> = scenarios.iter().map(|s| s.id()).collect();
    eprintln!(
        "gate: timing {} scenarios in {rounds} interleaved rounds of {} ms samples over {} processes",
        ids.len(),
        plan.sample_ns / 1_000_000,
        plan.processes
    );
    let exe = std::env::current_exe().context("cannot find own executable")?;
    let m = processes::measure(&exe, &ids, rounds, &plan)?;
    if m.results.is_empty() {
        return Err(GateError::Measure("no scenario could be timed".into()).into());
    }
    let mut notes = vec![format!(
        "wall: {} scenarios, {} processes × {} interleaved rounds (one {} ms sample per scenario per round, after an untimed warm batch), measured in {:.1} s; {} descheduled sample attempts (wall > CPU + {:.0}%) retaken",
        m.results.len(),
        plan.processes,
        m.rounds_per_process,
        plan.sample_ns / 1_000_000,
        t0.elapsed().as_secs_f64(),
        m.rejected,
        wall::DESCHEDULED_SLACK * 100.0
    )];
    notes.extend(listed("unsupported", &m.skipped));
    notes.extend(listed("FAILED to measure", &m.failed));
    let env = Environment::capture(backends);
    Ok(Candidate {
        run: Run {
            environment: serde_json::to_value(&env)?,
            profile: wall::PROFILE.into(),
            clock: Metric::Wall.clock().into(),
            fits: summary::fits(&m.results),
            scenarios: m.results,
        },
        source: "measured now (wall)".into(),
        notes,
        confirm_rounds: args.rounds.map_or(plan.confirm_rounds, |r| r * 2),
    })
}

/// Re-measures every suspected regression of a measured wall candidate in fresh
/// processes (interleaved among the suspects) and keeps only those the re-run confirms.
fn confirm(
    cmp: &mut compare::Comparison,
    cand: &Candidate,
    notes: &mut Vec<String>,
) -> anyhow::Result<()> {
    let suspects = cmp.suspects();
    if cand.confirm_rounds == 0 || suspects.is_empty() {
        return Ok(());
    }
    let t0 = Instant::now();
    eprintln!(
        "gate: re-measuring {} suspected regression(s) with {} rounds",
        suspects.len(),
        cand.confirm_rounds
    );
    let exe = std::env::current_exe().context("cannot find own executable")?;
    let m = processes::measure(&exe, &suspects, cand.confirm_rounds, &wall::PLAN)?;
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
