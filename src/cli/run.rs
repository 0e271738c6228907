//! `sealbench run`: measure the scenario matrix, write results JSON and CSV, print a summary.

use std::fs::File;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};

use crate::backend::Backend;
use crate::cpu::{IA32CAP_MASK_AESNI_PCLMUL, IA32CAP_VAR};
use crate::gate::processes::{self, Binary};
use crate::gate::{sensitivity, wall};
use crate::measure::child::{ChildCommand, Scratch, write_output};
use crate::measure::engine::{self, Outcome};
use crate::measure::summary::{
    self, envelope_ratios, paired_envelope_ratios, ratio_pair_ids, speedups, wire_table,
};
use crate::measure::{DEFAULT, DEFAULT_SIZES, MatrixSpec, PRECISE, Profile, QUICK, RealTimer};
use crate::measure::{IdFilter, Scenario, Work, csv, matrix};
use crate::results::{Environment, Interleaved, ResultsFile, Run, SCHEMA_VERSION};

/// Backend tag of the scenarios measured with AES-NI and PCLMULQDQ masked off.
const NO_AESNI: &str = "no-aesni";
/// Backends whose AES dispatch honours `OPENSSL_ia32cap`.
const MASKABLE: &[&str] = &["openssl", "aws-lc"];
/// Largest accepted payload size (64 MiB).
const MAX_SIZE: usize = 64 << 20;

/// Arguments of `sealbench run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Quick profile: 1 ms samples, 11 per scenario, public-key families at 64 and 1350 B
    /// only; the whole default matrix in about a minute.
    #[arg(long, conflicts_with = "precise")]
    quick: bool,
    /// Precise profile: 20 ms samples, 51 per scenario (default: 5 ms, 21).
    #[arg(long)]
    precise: bool,
    /// Payload sizes in bytes, comma-separated [default: 16,64,256,1024,1350,4096,8192,16384,65536,1048576].
    #[arg(long, value_name = "LIST")]
    sizes: Option<String>,
    /// Only this backend (repeatable; default: every compiled-in backend).
    #[arg(long = "backend", value_name = "NAME", value_parser = super::parse_backend)]
    backends: Vec<&'static Backend>,
    /// Only scenarios whose id matches: a substring (`_ring_`), a glob with `*`/`?`
    /// matched against the whole id (`seal_*_aes128gcm_64`), or a regex starting with `re:`
    /// or `^` or ending with `$` (`^(seal|open)_`). The controls (`memcpy_*`, `arith_1024`)
    /// are always measured.
    #[arg(long, value_name = "PATTERN")]
    filter: Option<String>,
    /// Print the ids of the selected scenarios, one per line, and exit without measuring.
    #[arg(long)]
    list: bool,
    /// Write the results file (JSON) here [default: results/run-<UTC time>.json].
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Write one CSV row per scenario here.
    #[arg(long, value_name = "FILE")]
    csv: Option<PathBuf>,
    /// Also measure the openssl and aws-lc AEADs in a child process with AES-NI and
    /// PCLMULQDQ masked off (OPENSSL_ia32cap), labelled `<backend>@no-aesni`, and report the
    /// hardware speed-up per size.
    #[arg(long)]
    software: bool,
    /// Instead of the matrix: time the raw AEADs (seal/open, AES-128-GCM and
    /// ChaCha20-Poly1305, 64 B and 16 KiB) with a `release` and a `measure` build of
    /// sealbench, their processes interleaved, and print per backend how much faster the
    /// tuned build is (release time / measure time), also divided by an assembly backend's
    /// ratio from the same processes so machine drift cancels. --quick/--precise: fewer or
    /// more rounds and processes; --out FILE: the figures as JSON.
    #[arg(long, conflicts_with_all = ["software", "list", "csv", "sizes", "child_tag"])]
    build_sensitivity: bool,
    /// With --build-sensitivity: the release build [default: target/release/sealbench
    /// beside this binary's target directory].
    #[arg(long, value_name = "PATH", requires = "build_sensitivity")]
    release_bin: Option<PathBuf>,
    /// With --build-sensitivity: the measure build [default: target/measure/sealbench].
    #[arg(long, value_name = "PATH", requires = "build_sensitivity")]
    measure_bin: Option<PathBuf>,
    /// No progress bar (it is also hidden when stderr is not a terminal).
    #[arg(long)]
    quiet: bool,
    /// Internal: run as the masked child of --software (AEAD scenarios only, tagged).
    #[arg(long, hide = true, value_parser = [NO_AESNI], requires = "child_out")]
    child_tag: Option<String>,
    /// Internal: where the --software child writes its results file
    /// (`crate::measure::child`'s protocol).
    #[arg(long, hide = true, value_name = "FILE", requires = "child_tag")]
    child_out: Option<PathBuf>,
}

fn profile(args: &Args) -> &'static Profile {
    match (args.quick, args.precise) {
        (true, _) => &QUICK,
        (_, true) => &PRECISE,
        _ => &DEFAULT,
    }
}

fn parse_sizes(list: Option<&str>) -> anyhow::Result<Vec<usize>> {
    let Some(list) = list else {
        return Ok(DEFAULT_SIZES.to_vec());
    };
    let mut sizes = Vec::new();
    for item in list.split(',').map(str::trim) {
        let n: usize = item
            .parse()
            .ok()
            .filter(|n| (1..=MAX_SIZE).contains(n))
            .with_context(|| {
                format!("--sizes: {item:?} is not a size in bytes from 1 to {MAX_SIZE}")
            })?;
        sizes.push(n);
    }
    sizes.sort_unstable();
    sizes.dedup();
    Ok(sizes)
}

fn create(path: Option<&Path>, flag: &str) -> anyhow::Result<Option<File>> {
    path.map(|p| File::create(p).with_context(|| format!("{flag} {}: cannot create", p.display())))
        .transpose()
}

fn progress(n: usize, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(n as u64);
    if let Ok(style) = ProgressStyle::with_template(
        "[{elapsed_precise}] {bar:30} {pos}/{len} ETA {eta} {wide_msg}",
    ) {
        pb.set_style(style);
    }
    pb
}

/// `results/run-2025-11-25T12-00-00Z.json` (colons would need quoting in shells and are
/// not allowed in Windows file names).
fn default_out() -> PathBuf {
    let t = humantime::format_rfc3339_seconds(std::time::SystemTime::now())
        .to_string()
        .replace(':', "-");
    PathBuf::from("results").join(format!("run-{t}.json"))
}

/// The results file's path: `--out`, else a fresh default (its directory created).
fn out_path(args: &Args) -> anyhow::Result<PathBuf> {
    if let Some(p) = &args.out {
        return Ok(p.clone());
    }
    let p = default_out();
    if let Some(dir) = p.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create {} for the results file", dir.display()))?;
    }
    Ok(p)
}

pub(super) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let profile = profile(args);
    let sizes = parse_sizes(args.sizes.as_deref())?;
    let backends = super::selected_backends(&args.backends);
    if args.build_sensitivity {
        return build_sensitivity(args, &backends);
    }
    let filter = args
        .filter
        .as_deref()
        .map(IdFilter::new)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let tag: Option<&'static str> = args.child_tag.as_ref().map(|_| NO_AESNI);
    let spec = MatrixSpec {
        sizes: sizes.clone(),
        backends: backends.clone(),
        quick: profile.name == "quick",
    };
    let mut scenarios: Vec<Scenario> = matrix(&spec);
    if let Some(tag) = tag {
        scenarios.retain(|s| matches!(s.work, Work::Aead(_)));
        scenarios.iter_mut().for_each(|s| s.backend_tag = Some(tag));
    }
    if let Some(f) = &filter {
        // The controls stay in every run (not in a --software child: its controls would
        // only repeat the parent's).
        scenarios.retain(|s| {
            (s.is_control() && tag.is_none()) || f.matches(&s.id()) || f.matches(&s.untagged_id())
        });
    }
    if scenarios.iter().all(Scenario::is_control) && tag.is_none() {
        bail!("--filter/--sizes/--backend select no scenario");
    }
    if args.list {
        let mut text = String::new();
        for s in &scenarios {
            text.push_str(&s.id());
            text.push('\n');
        }
        super::print_text(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut csv_file = create(args.csv.as_deref(), "--csv")?;
    let out_path = match &args.child_out {
        Some(p) => p.clone(),
        None => out_path(args)?,
    };
    let mut out_file = match args.child_out {
        Some(_) => None,
        None => create(Some(&out_path), "--out")?,
    };

    let pb = progress(scenarios.len(), args.quiet);
    let timer = RealTimer::new();
    let mut outcome = engine::run(&scenarios, profile, &timer, &mut |i, id| {
        pb.set_position(i as u64);
        pb.set_message(id.to_string());
    });
    pb.finish_and_clear();

    let masked = if args.software && tag.is_none() {
        software_child(args, &sizes, &backends)?
    } else {
        None
    };
    if let Some(child) = &masked {
        outcome.results.extend(child.results.iter().cloned());
    }
    let fits = summary::fits(&outcome.results);
    let interleaved = match tag {
        None => interleaved_ratios(&scenarios, profile, args.quiet),
        Some(_) => None,
    };
    let env = Environment::capture(&backends);
    let file = ResultsFile {
        kind: "sealbench-results".into(),
        schema_version: SCHEMA_VERSION,
        runs: vec![Run {
            environment: serde_json::to_value(&env)?,
            profile: profile.name.into(),
            clock: "wall".into(),
            scenarios: outcome.results.clone(),
            fits,
            interleaved,
        }],
    };
    if args.child_out.is_some() {
        write_output(&out_path, &file)?;
    }
    if let (Some(f), p) = (out_file.as_mut(), &out_path) {
        serde_json::to_writer_pretty(&mut *f, &file)
            .map_err(anyhow::Error::from)
            .and_then(|()| Ok(f.write_all(b"\n")?))
            .with_context(|| format!("--out {}: cannot write", p.display()))?;
    }
    if let (Some(f), Some(p)) = (csv_file.as_mut(), &args.csv) {
        f.write_all(csv::to_csv(&outcome.results).as_bytes())
            .with_context(|| format!("--csv {}: cannot write", p.display()))?;
    }
    if tag.is_none() {
        print_summary(
            &file,
            &outcome,
            masked.is_some(),
            started.elapsed().as_secs_f64(),
        );
        println!(
            "\nresults: {} ({} build)",
            out_path.display(),
            crate::results::BuildProfile::CURRENT.describe()
        );
    }
    Ok(if outcome.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(super::EXIT_FAILED)
    })
}

/// Sizes of the interleaved envelope/raw pairs.
const PAIR_SIZES: [u64; 2] = [64, 16384];

/// Re-measures the selection's raw and envelope AES-128-GCM seal/open pairs (and the
/// `memcpy` controls of their sizes) in interleaved rounds, as the gate's wall mode does, so
/// each ratio's two sides share every phase of the machine; the rounds run in several fresh
/// processes one after the other (children of this binary), because a process keeps its
/// address-space layout for life and the ratio moves with it (the 16 KiB aws-lc open:
/// 1.05× in one process, 1.16× in another, each with a tight interval). `None` when the
/// selection has no such pair; a failure is a note, not an error (the matrix already
/// measured every scenario).
fn interleaved_ratios(
    scenarios: &[Scenario],
    profile: &Profile,
    quiet: bool,
) -> Option<Interleaved> {
    let mut names: Vec<&str> = Vec::new();
    for s in scenarios {
        if let Some(b) = s.backend
            && !names.contains(&b.name)
        {
            names.push(b.name);
        }
    }
    let ids = ratio_pair_ids(&names, "aes128gcm", &PAIR_SIZES);
    let chosen: Vec<String> = scenarios
        .iter()
        .filter(|s| s.backend_tag.is_none() && ids.contains(&s.id()))
        .map(Scenario::id)
        .collect();
    if !chosen.iter().any(|id| id.starts_with("env-")) {
        return None;
    }
    let (rounds, processes) = match profile.name {
        "quick" => (6, 2),
        "precise" => (11, 5),
        _ => (11, 3),
    };
    let sample_ns = wall::PLAN.sample_ns;
    if !quiet {
        eprintln!(
            "interleaved envelope/raw pairs: {} scenarios, {rounds} rounds of {} ms samples in each of {processes} processes",
            chosen.len(),
            sample_ns / 1_000_000
        );
    }
    let outputs = std::env::current_exe()
        .map_err(|e| e.to_string())
        .and_then(|exe| {
            processes::each_process(&exe, &chosen, rounds, sample_ns, processes)
                .map_err(|e| e.to_string())
        });
    let outputs = match outputs {
        Ok(o) => o,
        Err(e) => {
            eprintln!("note: interleaved envelope/raw ratios not measured: {e}");
            return None;
        }
    };
    for o in &outputs {
        for (id, err) in &o.failed {
            eprintln!("note: interleaved {id}: {err}");
        }
    }
    let lookup = |p: usize, id: &str| {
        outputs
            .get(p)?
            .samples
            .iter()
            .find(|s| s.record.id == id)
            .map(|s| s.wall_ns.as_slice())
    };
    let ratios = paired_envelope_ratios(&lookup, outputs.len(), &names, "aes128gcm", &PAIR_SIZES);
    (!ratios.is_empty()).then_some(Interleaved {
        rounds,
        processes: u32::try_from(outputs.len()).unwrap_or(processes),
        sample_ns,
        ratios,
    })
}

/// Children's results (only `results` is filled).
struct Child {
    results: Vec<crate::results::ScenarioResult>,
}

/// Re-runs the AEAD scenarios of the maskable backends in a child with AES-NI/PCLMUL off.
fn software_child(
    args: &Args,
    sizes: &[usize],
    backends: &[&'static Backend],
) -> anyhow::Result<Option<Child>> {
    let names: Vec<&str> = backends
        .iter()
        .map(|b| b.name)
        .filter(|n| MASKABLE.contains(n))
        .collect();
    if names.is_empty() {
        eprintln!("--software: none of the selected backends honours {IA32CAP_VAR}; skipped");
        return Ok(None);
    }
    let exe = std::env::current_exe().context("--software: cannot find own executable")?;
    let sizes: Vec<String> = sizes.iter().map(usize::to_string).collect();
    let mut cmd = ChildCommand::new(
        exe,
        format!("--software: the child process ({IA32CAP_VAR}={IA32CAP_MASK_AESNI_PCLMUL})"),
    )
    .env(IA32CAP_VAR, IA32CAP_MASK_AESNI_PCLMUL)
    .args(["run", "--quiet", "--child-tag", NO_AESNI, "--sizes"])
    .arg(sizes.join(","));
    for n in &names {
        cmd = cmd.args(["--backend", n]);
    }
    if args.quick {
        cmd = cmd.arg("--quick");
    } else if args.precise {
        cmd = cmd.arg("--precise");
    }
    if let Some(f) = &args.filter {
        cmd = cmd.args(["--filter", f]);
    }
    if !args.quiet {
        eprintln!(
            "--software: measuring {} with {IA32CAP_VAR}={IA32CAP_MASK_AESNI_PCLMUL} in a child process",
            names.join(", ")
        );
    }
    let scratch = Scratch::new("run-sw")?;
    let out = scratch.path("results.json");
    let text = cmd.spawn(&out)?.wait_text()?;
    let file = ResultsFile::parse(&out, &text).context("--software: child results unreadable")?;
    Ok(Some(Child {
        results: file.runs.into_iter().flat_map(|r| r.scenarios).collect(),
    }))
}

/// Rounds, processes and sample length of `--build-sensitivity` for the run profile.
fn sensitivity_plan(args: &Args) -> wall::Plan {
    let (rounds, processes) = match (args.quick, args.precise) {
        (true, _) => (9, 3),
        (_, true) => (48, 6),
        _ => (wall::PLAN.rounds, wall::PLAN.processes),
    };
    wall::Plan {
        rounds,
        confirm_rounds: rounds,
        processes,
        sample_ns: wall::PLAN.sample_ns,
    }
}

/// `--build-sensitivity`: the raw AEADs with a release and a measure build, interleaved.
fn build_sensitivity(args: &Args, backends: &[&'static Backend]) -> anyhow::Result<ExitCode> {
    let bin = |given: Option<&PathBuf>, profile: &str, flag: &str| {
        let path = given
            .cloned()
            .unwrap_or_else(|| sensitivity::default_binary(profile));
        sensitivity::require(&path, profile, flag).map(|exe| Binary {
            exe,
            env: Vec::new(),
        })
    };
    let plan = sensitivity::Plan {
        release: bin(args.release_bin.as_ref(), "release", "--release-bin")?,
        measure: bin(args.measure_bin.as_ref(), "measure", "--measure-bin")?,
        backends: backends.to_vec(),
        filter: args
            .filter
            .as_deref()
            .map(IdFilter::new)
            .transpose()
            .map_err(anyhow::Error::msg)?,
        wall: sensitivity_plan(args),
    };
    if !args.quiet {
        eprintln!(
            "build sensitivity: timing the raw AEADs with {} and {}, {} processes each, alternating",
            plan.release.exe.display(),
            plan.measure.exe.display(),
            plan.wall.processes
        );
    }
    let s = sensitivity::measure(&plan)?;
    if let Some(p) = &args.out {
        let mut text = serde_json::to_string_pretty(&s)?;
        text.push('\n');
        std::fs::write(p, text).with_context(|| format!("--out {}: cannot write", p.display()))?;
    }
    print_sensitivity(&s);
    if let Some(p) = &args.out {
        println!("\nfigures: {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn profile_of(env: Option<&serde_json::Value>, fallback: &str) -> String {
    let get = |k: &str| {
        env.and_then(|e| e.get("build_profile"))
            .and_then(|b| b.get(k))
            .and_then(serde_json::Value::as_str)
    };
    match (get("name"), get("lto"), get("codegen_units")) {
        (Some(n), Some(l), Some(c)) => format!("{n} (lto={l}, codegen-units={c})"),
        _ => fallback.to_string(),
    }
}

fn print_sensitivity(s: &sensitivity::Sensitivity) {
    let rel = profile_of(s.release_environment.as_ref(), "release");
    let mea = profile_of(s.measure_environment.as_ref(), "measure");
    println!(
        "Build sensitivity of the raw AEADs: {rel} time / {mea} time (above 1: the tuned build is faster)"
    );
    let reference = s.reference.as_deref().unwrap_or("-");
    let mut t = super::table(&[
        "backend",
        "AEAD",
        "release / measure",
        "range over scenarios",
        &format!("relative to {reference}"),
    ]);
    for b in &s.backends {
        t.add_row([
            b.backend.clone(),
            b.aead.clone(),
            format!("×{:.2}", b.ratio),
            format!("{:.2}–{:.2} ({} scenarios)", b.min, b.max, b.scenarios),
            b.normalised.map_or("-".into(), |n| format!("×{n:.2}")),
        ]);
    }
    println!("{t}");
    println!("\nPer scenario (medians; ratio interval from the two medians' 95% intervals)");
    let mut t = super::table(&["scenario", "release ns", "measure ns", "ratio", "interval"]);
    for r in s.scenarios.iter().chain(&s.controls) {
        t.add_row([
            r.id.clone(),
            ns(r.release_ns),
            ns(r.measure_ns),
            format!("×{:.2}", r.ratio),
            format!("{:.2}–{:.2}", r.ratio_low, r.ratio_high),
        ]);
    }
    println!("{t}");
    for n in &s.notes {
        println!("note: {n}");
    }
}

fn ns(x: f64) -> String {
    if x >= 100_000.0 {
        format!("{:.1} µs", x / 1000.0)
    } else {
        format!("{x:.1}")
    }
}

/// `16: 56, 64: 57, 256–16384: 58`: consecutive sizes with the same overhead merged.
fn size_ranges(overhead: &[(u64, u64)]) -> Vec<String> {
    let mut out: Vec<(u64, u64, u64)> = Vec::new();
    for &(size, bytes) in overhead {
        match out.last_mut() {
            Some(last) if last.2 == bytes => last.1 = size,
            _ => out.push((size, size, bytes)),
        }
    }
    out.into_iter()
        .map(|(a, b, bytes)| {
            if a == b {
                format!("{a}: {bytes}")
            } else {
                format!("{a}–{b}: {bytes}")
            }
        })
        .collect()
}

fn print_summary(file: &ResultsFile, outcome: &Outcome, software: bool, wall_s: f64) {
    let Some(run) = file.runs.first() else {
        return;
    };
    let res = &run.scenarios;
    let noisy = res.iter().filter(|r| r.stats.noisy).count();
    println!(
        "{} scenarios measured ({} profile) in {wall_s:.1} s; {} skipped (unsupported), {} failed, {noisy} noisy",
        res.len(),
        run.profile,
        outcome.skipped.len(),
        outcome.failed.len()
    );

    if let Some(il) = &run.interleaved {
        println!(
            "\nEnvelope / raw, AES-128-GCM, interleaved ({}; the ratios to quote)",
            il.rounds_text()
        );
        let mut t = super::table(&[
            "backend",
            "op",
            "size",
            "raw ns",
            "envelope ns",
            "ratio (95% CI)",
            "per process",
            "ratio net of copy",
        ]);
        for r in &il.ratios {
            t.add_row([
                r.backend.clone(),
                r.op.clone(),
                r.size.to_string(),
                ns(r.raw_ns),
                ns(r.envelope_ns),
                format!(
                    "{:.2} ({:.2}–{:.2})",
                    r.ratio, r.ratio_ci95.0, r.ratio_ci95.1
                ),
                r.per_process_span()
                    .map_or("-".into(), |(lo, hi)| format!("{lo:.2}–{hi:.2}")),
                r.net_of_copy.map_or("-".into(), |x| format!("{x:.2}")),
            ]);
        }
        println!("{t}");
    }
    println!(
        "\nEnvelope / raw, AES-128-GCM, from the matrix medians (measured one after the other)"
    );
    let mut t = super::table(&[
        "backend",
        "op",
        "size",
        "raw ns",
        "envelope ns",
        "ratio",
        "ratio net of copy",
    ]);
    for r in envelope_ratios(res, "aes128gcm", &[64, 16384]) {
        t.add_row([
            r.backend,
            r.op,
            r.size.to_string(),
            ns(r.raw_ns),
            ns(r.envelope_ns),
            format!("{:.2}", r.ratio),
            r.net_of_copy.map_or("-".into(), |x| format!("{x:.2}")),
        ]);
    }
    println!("{t}");

    println!("\nFixed and per-byte cost, t = fixed + per_byte·size (weighted least squares)");
    let mut t = super::table(&["family", "fixed ns", "ns/byte", "GB/s", "max |residual|"]);
    let wanted = |f: &str| {
        (f.starts_with("seal_") || f.starts_with("open_")) && f.ends_with("_aes128gcm")
            || (f.starts_with("env-seal_encrypt0_") || f.starts_with("env-open_encrypt0_"))
                && f.ends_with("_aes128gcm_kid")
    };
    for f in run.fits.iter().filter(|f| wanted(&f.family)) {
        let worst = f.residuals.iter().map(|r| r.1.abs()).fold(0.0, f64::max);
        t.add_row([
            f.family.clone(),
            format!("{:.1}", f.fixed_ns),
            format!("{:.4}", f.per_byte_ns),
            format!("{:.2}", f.gb_per_s),
            format!("{:.0}%", worst * 100.0),
        ]);
    }
    println!("{t}");

    println!("\nBytes on the wire (envelope size − payload size)");
    let mut t = super::table(&[
        "mode",
        "algorithms",
        "identity",
        "recipients",
        "overhead (size: bytes)",
    ]);
    for w in wire_table(res) {
        let cells = size_ranges(&w.overhead);
        t.add_row([
            w.mode,
            w.algorithm,
            w.identity.unwrap_or_else(|| "-".into()),
            w.recipients.map_or("-".into(), |r| r.to_string()),
            format!(
                "{}{}",
                cells.join(", "),
                if w.consistent {
                    ""
                } else {
                    " (backends differ!)"
                }
            ),
        ]);
    }
    println!("{t}");

    if software {
        println!("\nHardware vs software AES ({IA32CAP_VAR}={IA32CAP_MASK_AESNI_PCLMUL})");
        let mut t = super::table(&["scenario", "path hw → sw", "hw ns", "sw ns", "speed-up"]);
        for s in speedups(res, NO_AESNI) {
            t.add_row([
                s.id,
                format!(
                    "{} → {}",
                    s.paths.0.unwrap_or_default(),
                    s.paths.1.unwrap_or_default()
                ),
                ns(s.medians.0),
                ns(s.medians.1),
                format!("{:.1}×", s.speedup),
            ]);
        }
        println!("{t}");
    }

    let mut reasons: Vec<(&str, usize)> = Vec::new();
    for (_, why) in &outcome.skipped {
        match reasons.iter_mut().find(|r| r.0 == why.as_str()) {
            Some(r) => r.1 += 1,
            None => reasons.push((why, 1)),
        }
    }
    for (why, n) in reasons {
        println!("skipped {n}: {why}");
    }
    for (id, err) in &outcome.failed {
        println!("FAILED {id}: {err}");
    }
}
