//! `sealbench report`: results files → markdown, HTML, CSV and plots in one directory.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::report::{Report, ReportInput, write_all};

/// Arguments of `sealbench report`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Results files from `sealbench run --out` (several machines: give each file; their
    /// runs are merged and compared).
    #[arg(value_name = "RESULTS.json", required = true, num_args = 1..)]
    results: Vec<PathBuf>,
    /// Output directory (created if missing): report.md, index.html, results.csv and each
    /// plot as SVG and PNG.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Conformance records from `sealbench kat --json FILE`, for the conformance matrix.
    #[arg(long, value_name = "FILE")]
    kat: Option<PathBuf>,
    /// The output of `sealbench decide --json` for one traffic profile (repeatable: one
    /// file per profile); the summary answers each.
    #[arg(long, value_name = "FILE")]
    decision: Vec<PathBuf>,
    /// End-to-end results from `scripts/e2e.sh OUTDIR` (OUTDIR/e2e.json): CPU per RPC
    /// (broker, clients, envelope, TLS) and latency vs load over a real RabbitMQ.
    #[arg(long, value_name = "FILE")]
    system: Option<PathBuf>,
}

pub(super) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let system = args
        .system
        .as_deref()
        .map(crate::results::system::SystemFile::load)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--system: {e}"))?;
    let input = ReportInput::load(&args.results, args.kat.as_deref(), &args.decision)?;
    let report = Report::build_with_system(input, system.as_ref())?;
    let written = write_all(&report, &args.out)?;
    println!(
        "wrote {} files to {} (the review summary is first in {})",
        written.len(),
        args.out.display(),
        args.out.join("index.html").display()
    );
    Ok(ExitCode::SUCCESS)
}
