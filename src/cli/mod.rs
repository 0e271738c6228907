//! Command-line interface: one clap subcommand per job, each in its own file.
//!
//! Exit status: 0 success, 1 a check failed (a vector failed, a regression), 2 a usage or
//! input error (clap's own usage errors also exit 2).

mod backends;
mod cpu;
mod decide;
#[cfg(all(target_os = "linux", feature = "e2e"))]
mod e2e;
mod envelope_io;
mod gate;
mod kat;
mod open;
mod report;
mod run;
mod scenarios;
mod seal;
mod vectors;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::backend::{ALL_BACKENDS, Backend};

/// Exit status for a failed check.
pub const EXIT_FAILED: u8 = 1;
/// Exit status for a usage or input error.
pub const EXIT_USAGE: u8 = 2;

/// sealbench: benchmark and conformance harness for message-level crypto in RPC systems.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show the CPU, its crypto features and any feature masks in effect.
    Cpu(cpu::Args),
    /// Show each backend's capabilities, library versions and implementation paths.
    Backends(backends::Args),
    /// Run known-answer suites (Wycheproof; NIST CAVP and COSE WG files) on every backend.
    Kat(kat::Args),
    /// Protect a payload (file or stdin) as an envelope (file or stdout).
    Seal(seal::Args),
    /// Verify an envelope (file or stdin); print the payload and, on stderr, the verified sender, role and claims.
    Open(open::Args),
    /// Run deployment presets (MCollective, shared MAC, Trove) and print capability tables decided by executed attacks.
    Scenarios(scenarios::Args),
    /// Generate or check the golden and negative envelope vectors on every backend.
    Vectors(vectors::Args),
    /// Encrypt everything or only what is sensitive? Cost every strategy for a traffic profile from a results file and recommend one.
    Decide(decide::Args),
    /// Measure the scenario matrix (raw primitives, envelopes, plain framing) per backend and size; write results JSON/CSV and print overhead ratios, cost fits and bytes on the wire.
    Run(run::Args),
    /// Write a design-review report (markdown, self-contained HTML, CSV, SVG/PNG plots) from results files; several files compare machines.
    Report(report::Args),
    /// CI performance gate: compare a candidate (a results file, or measured now by instruction counts under callgrind or interleaved wall time) with a baseline; markdown or JSON verdict; exit 1 on a confident regression.
    Gate(gate::Args),
    /// RPC over a real RabbitMQ broker started for the run: plain vs envelope modes vs TLS to the broker, open-loop load, latency percentiles and CPU per RPC (broker, clients, envelope); writes OUTDIR/e2e.json.
    #[cfg(all(target_os = "linux", feature = "e2e"))]
    E2e(e2e::Args),
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Cpu(args) => cpu::run(&args),
        Command::Backends(args) => backends::run(&args),
        Command::Kat(args) => kat::run(&args),
        Command::Seal(args) => seal::run(&args),
        Command::Open(args) => open::run(&args),
        Command::Report(args) => report::run(&args),
        Command::Gate(args) => gate::run(&args),
        Command::Run(args) => run::run(&args),
        Command::Scenarios(args) => scenarios::run(&args),
        Command::Vectors(args) => vectors::run(&args),
        Command::Decide(args) => decide::run(&args),
        #[cfg(all(target_os = "linux", feature = "e2e"))]
        Command::E2e(args) => e2e::run(&args),
    }
}

/// The command line's one backend selector: a name to a compiled-in backend, or an error
/// listing the valid names. Every `--backend NAME` takes it as its clap value parser
/// (`value_parser = parse_backend`), so an unknown name is a usage error (exit 2).
pub(crate) fn parse_backend(name: &str) -> Result<&'static Backend, String> {
    crate::backend::by_name(name).ok_or_else(|| {
        let known: Vec<&str> = ALL_BACKENDS.iter().map(|b| b.name).collect();
        format!(
            "unknown backend {name:?} (compiled in: {})",
            known.join(", ")
        )
    })
}

/// A repeatable `--backend`: the backends named, in order, each once; every compiled-in
/// backend when none is named.
pub(crate) fn selected_backends(named: &[&'static Backend]) -> Vec<&'static Backend> {
    if named.is_empty() {
        return ALL_BACKENDS.to_vec();
    }
    let mut out: Vec<&'static Backend> = Vec::new();
    for &b in named {
        if !out.iter().any(|o| o.name == b.name) {
            out.push(b);
        }
    }
    out
}

/// A single `--backend`: the backend named, else the first compiled in.
pub(crate) fn backend_or_first(
    named: Option<&'static Backend>,
) -> anyhow::Result<&'static Backend> {
    named
        .or_else(|| ALL_BACKENDS.first().copied())
        .ok_or_else(|| anyhow::anyhow!("no backend compiled into this build"))
}

/// Prints a value as pretty JSON on stdout.
fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    print_text(&text)
}

/// Writes `text` to stdout; a closed pipe comes back as an `io::Error` of kind
/// `BrokenPipe`, which `main` turns into a quiet exit ([`is_broken_pipe`]).
fn print_text(text: &str) -> anyhow::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

/// Exit status of a command whose stdout was closed under it (`sealbench ... | head`):
/// 128 + SIGPIPE, what a shell reports for a process the signal ended.
pub const EXIT_BROKEN_PIPE: u8 = 141;

/// Whether `err` (anywhere in its chain) is a write to a closed pipe.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Makes a write to a closed stdout end the process quietly with [`EXIT_BROKEN_PIPE`]
/// instead of a panic and a backtrace. Rust ignores SIGPIPE, so `println!` to a closed
/// pipe panics ("failed printing to stdout: Broken pipe"); restoring the signal's default
/// action would need `unsafe`, so the panic hook recognises that one panic and exits.
/// Every other panic goes to the default hook.
pub fn quiet_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("failed printing to std") && msg.contains("Broken pipe") {
            std::process::exit(i32::from(EXIT_BROKEN_PIPE));
        }
        default(info);
    }));
}

/// A table with sealbench's house style.
fn table(header: &[&str]) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_style(comfy_table::presets::ASCII_MARKDOWN)
        .set_header(header.iter().copied());
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_selector_for_every_backend_flag() {
        for b in ALL_BACKENDS {
            assert_eq!(parse_backend(b.name).map(|x| x.name), Ok(b.name));
        }
        let e = parse_backend("boringssl").unwrap_err();
        assert!(
            e.starts_with("unknown backend \"boringssl\" (compiled in: "),
            "{e}"
        );
        assert!(ALL_BACKENDS.iter().all(|b| e.contains(b.name)));
        assert_eq!(selected_backends(&[]).len(), ALL_BACKENDS.len());
        if let [a, b, ..] = ALL_BACKENDS {
            let picked: Vec<&str> = selected_backends(&[b, a, b])
                .iter()
                .map(|x| x.name)
                .collect();
            assert_eq!(picked, [b.name, a.name]);
            assert_eq!(backend_or_first(None).unwrap().name, a.name);
            assert_eq!(backend_or_first(Some(b)).unwrap().name, b.name);
        }
    }

    #[test]
    fn clap_reports_an_unknown_backend_as_a_usage_error() {
        let e = Cli::try_parse_from(["sealbench", "run", "--backend", "nope"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let text = e.to_string();
        assert!(
            text.contains("--backend") && text.contains("unknown backend \"nope\""),
            "{text}"
        );
        for cmd in ["kat", "gate", "seal", "open", "scenarios"] {
            let e = Cli::try_parse_from(["sealbench", cmd, "--backend", "nope"]).unwrap_err();
            assert!(
                e.to_string().contains("unknown backend \"nope\""),
                "{cmd}: {e}"
            );
        }
        let e = Cli::try_parse_from(["sealbench", "vectors", "check", "--backend", "nope"])
            .unwrap_err();
        assert!(
            e.to_string().contains("unknown backend \"nope\""),
            "vectors: {e}"
        );
    }
}
