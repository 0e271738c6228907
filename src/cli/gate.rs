//! `sealbench gate`: compare a candidate with a baseline; exit 1 only on regressions the
//! gate is confident of. The logic is [`crate::gate::run`]; this file parses, prints and
//! maps the outcome to an exit status. See `docs/GATE.md`.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::backend::Backend;
use crate::gate::processes::{self, Binary};
use crate::gate::{GateError, GateOutcome, GatePlan, Metric, child, markdown, wall};
use crate::measure::IdFilter;

/// Arguments of `sealbench gate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Baseline results file(s): one run each whose clock is the metric; several files are
    /// pooled (their spread becomes part of the interval). With --update-baseline, the one
    /// file written.
    #[arg(long, value_name = "FILE", num_args = 1..)]
    baseline: Vec<PathBuf>,
    /// Candidate results file(s), pooled like the baseline's. Without it the gate measures
    /// the candidate now: the gate subset (raw and envelope AES-128-GCM/ChaCha20 seal/open
    /// at 64 B and 16 KiB, Mac0, Ed25519 sign/verify at 64 B, per backend; plus the
    /// memcpy/arith controls).
    #[arg(long, value_name = "FILE", num_args = 1..)]
    candidate: Vec<PathBuf>,
    /// Measure the baseline now with this sealbench binary (wall time), interleaved process
    /// by process with --candidate-bin.
    #[arg(long, value_name = "PATH", requires = "candidate_bin")]
    baseline_bin: Option<PathBuf>,
    /// Measure the candidate now with this sealbench binary (see --baseline-bin).
    #[arg(long, value_name = "PATH", requires = "baseline_bin")]
    candidate_bin: Option<PathBuf>,
    /// An environment variable for the baseline binary's processes (repeatable).
    #[arg(long, value_name = "VAR=VALUE", requires = "baseline_bin")]
    baseline_env: Vec<String>,
    /// An environment variable for the candidate binary's processes (repeatable), e.g.
    /// OPENSSL_ia32cap=~0x200000200000000:~0x0 to inject a regression.
    #[arg(long, value_name = "VAR=VALUE", requires = "candidate_bin")]
    candidate_env: Vec<String>,
    /// icount: instructions per operation under callgrind (needs valgrind; 1% threshold).
    /// wall: interleaved wall time (10% below 4096 B, 5% from 4096 B). [default: the
    /// baseline's metric; icount when there is no baseline yet; wall with two binaries]
    #[arg(long, value_enum)]
    metric: Option<Metric>,
    /// Fail on suspected regressions too (a side that is one `sealbench run` file).
    #[arg(long)]
    strict: bool,
    /// Print the verdict as JSON instead of markdown.
    #[arg(long)]
    json: bool,
    /// Write the candidate (measured now, or --candidate) to the --baseline file and exit 0.
    #[arg(long)]
    update_baseline: bool,
    /// Only scenarios whose id matches: a substring, a glob with `*`/`?` (whole id), or a
    /// regex starting with `re:` or `^` or ending with `$`. The controls always stay.
    #[arg(long, value_name = "PATTERN")]
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
    #[arg(long = "backend", value_name = "NAME", value_parser = super::parse_backend)]
    backends: Vec<&'static Backend>,
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
    /// Internal: run as a measuring child, writing its output here
    /// (`crate::measure::child`'s protocol).
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

/// `VAR=VALUE` pairs of `flag`.
fn env_pairs(flag: &str, specs: &[String]) -> Result<Vec<(String, String)>, GateError> {
    specs
        .iter()
        .map(|s| match s.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => Err(GateError::Usage(format!(
                "{flag} {s:?}: expected VAR=VALUE"
            ))),
        })
        .collect()
}

fn binary(path: Option<&PathBuf>, flag: &str, env: &[String]) -> Result<Option<Binary>, GateError> {
    let Some(p) = path else {
        return Ok(None);
    };
    if !p.is_file() {
        return Err(GateError::Usage(format!(
            "{flag} {}: no such executable",
            p.display()
        )));
    }
    Ok(Some(Binary {
        exe: p.clone(),
        env: env_pairs(&flag.replace("-bin", "-env"), env)?,
    }))
}

fn plan(args: &Args) -> Result<GatePlan, GateError> {
    Ok(GatePlan {
        metric: args.metric,
        baseline: args.baseline.clone(),
        candidate: args.candidate.clone(),
        baseline_bin: binary(
            args.baseline_bin.as_ref(),
            "--baseline-bin",
            &args.baseline_env,
        )?,
        candidate_bin: binary(
            args.candidate_bin.as_ref(),
            "--candidate-bin",
            &args.candidate_env,
        )?,
        update_baseline: args.update_baseline,
        filter: args
            .filter
            .as_deref()
            .map(IdFilter::new)
            .transpose()
            .map_err(GateError::Usage)?,
        allow_cross_machine: args.allow_cross_machine,
        strict: args.strict,
        thresholds: args.thresholds.clone(),
        backends: super::selected_backends(&args.backends),
        out: args.out.clone(),
        rounds: args.rounds,
        jobs: args.jobs,
    })
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
    if args.baseline.is_empty() && args.baseline_bin.is_none() {
        return Err(GateError::Usage(
            "--baseline FILE (or --baseline-bin/--candidate-bin) is required".into(),
        )
        .into());
    }
    match crate::gate::run(&plan(args)?)? {
        GateOutcome::BaselineWritten {
            metric,
            scenarios,
            path,
            notes,
        } => {
            for n in &notes {
                eprintln!("note: {n}");
            }
            println!(
                "wrote {} baseline: {scenarios} scenarios to {}",
                metric.clock(),
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        GateOutcome::Compared(report) => {
            if args.json {
                super::print_json(&report)?;
            } else {
                super::print_text(&markdown::render(&report))?;
            }
            Ok(if report.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(super::EXIT_FAILED)
            })
        }
    }
}
