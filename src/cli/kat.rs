//! `sealbench kat`: known-answer conformance on every backend.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::backend::{ALL_BACKENDS, Backend};
use crate::conformance::{
    Outcome, SuiteRecord, cose_wg, envelope_vectors, parse_rsp, render_matrix, run_nist,
    run_wycheproof,
};
use crate::cpu::{IA32CAP_MASK_AESNI_PCLMUL, IA32CAP_VAR};
use crate::measure::child::{ChildCommand, Scratch, write_output};
use crate::results::Environment;

/// Arguments of `sealbench kat`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only these backends (repeatable; default: all compiled in).
    #[arg(long = "backend", value_name = "NAME", value_parser = super::parse_backend)]
    backends: Vec<&'static Backend>,
    /// NIST CAVP AES-GCM response files (gcmEncryptExtIV*.rsp, gcmDecrypt*.rsp), as NIST ships them.
    #[arg(long, value_name = "FILE.rsp", num_args = 1..)]
    nist: Vec<PathBuf>,
    /// Directories of COSE working-group example files (JSON), searched recursively.
    /// A file the runner cannot interpret is counted as unsupported with the reason.
    #[arg(long, value_name = "DIR", num_args = 1..)]
    cose: Vec<PathBuf>,
    /// Directory of the envelope's golden and negative vectors (what `sealbench vectors
    /// check` reads), reported as suite `envelope-vectors`, one row per class (default:
    /// `vectors/envelope` when that directory exists).
    #[arg(long, value_name = "DIR", conflicts_with = "no_vectors")]
    vectors: Option<PathBuf>,
    /// Skip the envelope vectors.
    #[arg(long)]
    no_vectors: bool,
    /// Skip the Wycheproof suites.
    #[arg(long)]
    no_wycheproof: bool,
    /// Also run openssl and aws-lc in a child process with AES-NI and PCLMULQDQ masked
    /// (OPENSSL_ia32cap), reported as `<backend>@no-aesni`.
    #[arg(long)]
    software: bool,
    /// Write the records and the environment as JSON to FILE (`-` for stdout).
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Print per-file COSE outcomes and every unsupported reason.
    #[arg(long, short)]
    verbose: bool,
    /// Internal: run as the masked child of --software, writing the report here
    /// (`crate::measure::child`'s protocol) and nothing to stdout.
    #[arg(long, hide = true, value_name = "FILE", conflicts_with_all = ["json", "cose"])]
    child_out: Option<PathBuf>,
}

/// The `--json` document.
#[derive(Debug, Serialize, Deserialize)]
pub struct KatReport {
    /// Where it ran (absent when read back from a child process).
    #[serde(skip_deserializing)]
    pub environment: Option<Environment>,
    /// One record per backend × suite × algorithm.
    pub records: Vec<SuiteRecord>,
}

/// The envelope vectors `kat` runs when `--vectors` is not given (if the folder exists).
const DEFAULT_VECTORS: &str = "vectors/envelope";

/// Per backend, the number of COSE WG intermediates compared byte for byte.
type Compared = Vec<(String, usize)>;

/// The COSE records, and per backend the number of intermediates compared byte for byte.
fn cose_records(
    dirs: &[PathBuf],
    backends: &[&Backend],
    verbose: bool,
) -> anyhow::Result<(Vec<SuiteRecord>, Compared)> {
    let details = cose_wg::run_cose_wg(dirs, backends).context("--cose")?;
    if verbose {
        println!("{}", cose_wg::render_table(&details));
    }
    for d in &details {
        let fixups: Vec<&str> = d
            .notes
            .iter()
            .filter(|n| n.starts_with("fix-up"))
            .map(String::as_str)
            .collect();
        if matches!(d.outcome, Outcome::Failed { .. }) {
            println!(
                "FAILED cose-wg {} on {}: {:?} {}",
                d.file,
                d.backend,
                d.outcome,
                d.notes.join("; ")
            );
        } else if !fixups.is_empty() && d.backend == backends.first().map_or("", |b| b.name) {
            println!(
                "cose-wg {} (data inconsistency handled): {}",
                d.file,
                fixups.join("; ")
            );
        }
    }
    let records = cose_wg::rollup(&details);
    let compared = backends
        .iter()
        .map(|b| {
            let n = details
                .iter()
                .filter(|d| d.backend == b.name)
                .map(|d| d.intermediates_compared)
                .sum();
            (b.name.to_string(), n)
        })
        .collect();
    Ok((records, compared))
}

/// Runs openssl and aws-lc again in a child process with AES-NI and PCLMULQDQ masked.
fn software_records(args: &Args) -> anyhow::Result<Vec<SuiteRecord>> {
    let masked: Vec<&str> = ALL_BACKENDS
        .iter()
        .filter(|b| b.honours_ia32cap)
        .map(|b| b.name)
        .collect();
    if masked.is_empty() {
        return Ok(Vec::new());
    }
    let exe = std::env::current_exe().context("locating the sealbench binary for --software")?;
    let scratch = Scratch::new("kat-sw")?;
    let mut cmd = ChildCommand::new(
        exe,
        format!("--software: the masked child process ({IA32CAP_VAR}={IA32CAP_MASK_AESNI_PCLMUL})"),
    )
    .env(IA32CAP_VAR, IA32CAP_MASK_AESNI_PCLMUL)
    // Exit 1 means a vector failed: its records say which, so they are still read.
    .accept_exit_codes(&[0, 1])
    .arg("kat");
    for b in &masked {
        cmd = cmd.args(["--backend", b]);
    }
    if !args.nist.is_empty() {
        cmd = cmd.arg("--nist").args(&args.nist);
    }
    if args.no_wycheproof {
        cmd = cmd.arg("--no-wycheproof");
    }
    // The envelope vectors test the envelope, not the AES-NI path: run once, unmasked.
    cmd = cmd.arg("--no-vectors");
    let report: KatReport = cmd.run_json(&scratch.path("kat.json"))?;
    Ok(report
        .records
        .into_iter()
        .map(|mut r| {
            r.backend = format!("{}@no-aesni", r.backend);
            r
        })
        .collect())
}

pub(super) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let backends = super::selected_backends(&args.backends);
    let quiet_stdout = args.json.as_deref() == Some(Path::new("-"));
    // Parse every input before running anything, so a bad file fails fast with exit 2.
    let nist_files = args
        .nist
        .iter()
        .map(|p| parse_rsp(p))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(dir) = args.cose.iter().find(|d| !d.is_dir()) {
        bail!("--cose {}: not a directory", dir.display());
    }
    let vector_dir = match (&args.vectors, args.no_vectors) {
        (_, true) => None,
        (Some(dir), false) if !dir.is_dir() => {
            bail!("--vectors {}: not a directory", dir.display())
        }
        (Some(dir), false) => Some(dir.clone()),
        (None, false) => Some(PathBuf::from(DEFAULT_VECTORS)).filter(|d| d.is_dir()),
    };
    let vectors = match &vector_dir {
        Some(dir) => envelope_vectors::load_dir(dir)
            .with_context(|| format!("--vectors {}", dir.display()))?,
        None => Vec::new(),
    };

    let mut records = Vec::new();
    for b in &backends {
        if !args.no_wycheproof {
            records.extend(run_wycheproof(b));
        }
        for f in &nist_files {
            records.extend(run_nist(b, f));
        }
    }
    let vector_tallies = if vectors.is_empty() {
        Vec::new()
    } else {
        let checked = envelope_vectors::check_vectors(&vectors, &backends);
        records.extend(checked.suite_records());
        checked.tallies()
    };
    let mut cose_compared = Vec::new();
    if !args.cose.is_empty() {
        if quiet_stdout {
            bail!("--cose cannot be combined with --json -");
        }
        let (cose, compared) = cose_records(&args.cose, &backends, args.verbose)?;
        records.extend(cose);
        cose_compared = compared;
    }
    if args.software {
        records.extend(software_records(args)?);
    }

    let failed: u64 = records.iter().map(|r| r.failed).sum();
    let report = KatReport {
        environment: Some(Environment::capture(&backends)),
        records,
    };
    if let Some(out) = &args.child_out {
        write_output(out, &report)?;
        return Ok(if failed > 0 {
            ExitCode::from(super::EXIT_FAILED)
        } else {
            ExitCode::SUCCESS
        });
    }
    if let Some(path) = &args.json {
        let text = serde_json::to_string_pretty(&report)?;
        if quiet_stdout {
            println!("{text}");
        } else {
            std::fs::write(path, text).with_context(|| format!("--json {}", path.display()))?;
        }
    }
    if !quiet_stdout {
        print_summary(&report.records, args.verbose);
        if let (Some(dir), false) = (&vector_dir, vector_tallies.is_empty()) {
            let per: Vec<String> = vector_tallies
                .iter()
                .map(|(b, t)| format!("{b} {}/{}/{}", t.passed, t.failed, t.unsupported))
                .collect();
            println!(
                "{} ({}, {} vectors): passed/failed/unsupported per backend: {}",
                envelope_vectors::SUITE,
                dir.display(),
                vectors.len(),
                per.join(", ")
            );
        }
        if !cose_compared.is_empty() {
            let per: Vec<String> = cose_compared
                .iter()
                .map(|(b, n)| format!("{b} {n}"))
                .collect();
            println!(
                "cose-wg intermediates rebuilt by the COSE core (src/cose) and equal byte for byte: {}",
                per.join(", ")
            );
        }
    }
    Ok(if failed > 0 {
        ExitCode::from(super::EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_summary(records: &[SuiteRecord], verbose: bool) {
    println!("{}", render_matrix(records));
    let (p, f, u) = records.iter().fold((0, 0, 0), |(p, f, u), r| {
        (p + r.passed, f + r.failed, u + r.unsupported)
    });
    println!(
        "total: {p} passed, {f} failed, {u} unsupported (every unsupported case has a reason; -v lists them all)"
    );
    if verbose {
        for r in records.iter().filter(|r| r.unsupported > 0) {
            for (reason, n) in &r.unsupported_reasons {
                println!(
                    "  unsupported {} {} {}: {n} × {reason}",
                    r.backend, r.suite, r.algorithm
                );
            }
        }
    }
    for r in records.iter().filter(|r| r.failed > 0) {
        println!(
            "FAILED {} {} {}: {} (flags {:?})",
            r.backend, r.suite, r.algorithm, r.failed, r.failed_flags
        );
        for f in &r.failures {
            println!("    {f}");
        }
    }
}
