//! `sealbench vectors`: generate and check the golden and negative envelope vectors.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::backend::Backend;
use crate::conformance::Outcome;
use crate::conformance::envelope_vectors::{self as vectors, CheckReport, DEFAULT_SEED};

/// Arguments of `sealbench vectors`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// What to do with the vectors.
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// Generate fresh keys and write every golden and negative vector as DIR/<name>.json
    /// (each vector is checked on the first backend that can run it before it is written).
    Generate {
        /// Output directory (created if missing; existing files of the same name are replaced).
        dir: PathBuf,
        /// Base seed of the sealers' IV / cti / content-key generators.
        #[arg(long, default_value_t = DEFAULT_SEED)]
        seed: u64,
    },
    /// Check every DIR/*.json vector on every backend. Exit 1 if any outcome is wrong,
    /// 2 if a file is malformed (the error names the file and the field).
    Check {
        /// Directory of vector files.
        dir: PathBuf,
        /// Only these backends (repeatable; default: all compiled in).
        #[arg(long = "backend", value_name = "NAME", value_parser = super::parse_backend)]
        backends: Vec<&'static Backend>,
        /// List every unsupported vector, not only the reasons.
        #[arg(long, short)]
        verbose: bool,
    },
}

pub(super) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    match &args.action {
        Action::Generate { dir, seed } => {
            let paths = vectors::generate_dir(dir, *seed)?;
            for stale in std::fs::read_dir(dir)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "json") && !paths.contains(p))
            {
                eprintln!(
                    "warning: {} was not written by this run; `vectors check` will read it too",
                    stale.display()
                );
            }
            println!(
                "wrote {} vectors to {} (seed {seed:#x}); check them with `sealbench vectors check {}`",
                paths.len(),
                dir.display(),
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Action::Check {
            dir,
            backends,
            verbose,
        } => {
            let backends = super::selected_backends(backends);
            let loaded = vectors::load_dir(dir)?;
            let report = vectors::check_vectors(&loaded, &backends);
            print_report(&report, *verbose);
            Ok(if report.failures().next().is_some() {
                ExitCode::from(super::EXIT_FAILED)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

fn print_report(report: &CheckReport, verbose: bool) {
    let mut t = super::table(&["backend", "passed", "failed", "unsupported"]);
    let (mut p, mut f, mut u) = (0, 0, 0);
    let tallies = report.tallies();
    for (backend, tally) in &tallies {
        t.add_row([
            backend.to_string(),
            tally.passed.to_string(),
            tally.failed.to_string(),
            tally.unsupported.to_string(),
        ]);
        (p, f, u) = (p + tally.passed, f + tally.failed, u + tally.unsupported);
    }
    println!("{t}");
    println!(
        "{} vectors × {} backends = {} cases: {p} passed, {f} failed, {u} unsupported",
        report.vectors,
        report.backends.len(),
        report.results.len()
    );
    for (backend, tally) in &tallies {
        for (reason, n) in &tally.unsupported_reasons {
            println!("  unsupported on {backend}: {n} × {reason}");
        }
    }
    if verbose {
        for r in &report.results {
            if let Outcome::Unsupported { reason } = &r.outcome {
                println!("  unsupported {} on {}: {reason}", r.vector, r.backend);
            }
        }
    }
    for r in report.failures() {
        if let Outcome::Failed { detail } = &r.outcome {
            println!("FAILED {} on {}: {detail}", r.vector, r.backend);
        }
    }
}
