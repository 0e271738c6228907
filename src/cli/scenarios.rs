//! `sealbench scenarios`: deployment presets whose capability tables come from executed
//! attacks.

use std::io::Write;
use std::process::ExitCode;

use clap::builder::PossibleValuesParser;
use serde::Serialize;

use crate::backend::Backend;
use crate::envelope::EnvelopeError;
use crate::results::Environment;
use crate::scenarios::{ALL_PRESETS, Preset, PresetReport};

/// Arguments of `sealbench scenarios`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run only this preset (default: all).
    #[arg(long, value_name = "NAME", value_parser = PossibleValuesParser::new(ALL_PRESETS.iter().map(|p| p.name)))]
    preset: Option<String>,
    /// Run the deployments on this backend (default: the first compiled in).
    #[arg(long, value_name = "NAME", value_parser = super::parse_backend)]
    backend: Option<&'static Backend>,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

/// The `--json` document.
#[derive(Serialize)]
struct ScenariosReport {
    presets: Vec<PresetReport>,
    /// Presets the backend cannot run, with the backend's reason.
    skipped: Vec<Skipped>,
    environment: Environment,
}

#[derive(Serialize)]
struct Skipped {
    preset: &'static str,
    backend: &'static str,
    reason: String,
}

fn usage(what: &str, name: &str, valid: impl Iterator<Item = &'static str>) -> anyhow::Error {
    let valid: Vec<_> = valid.collect();
    anyhow::anyhow!("unknown {what} {name:?} (valid: {})", valid.join(", "))
}

pub(super) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let backend = super::backend_or_first(args.backend)?;
    let presets: Vec<&Preset> = match &args.preset {
        None => ALL_PRESETS.iter().collect(),
        Some(name) => vec![
            crate::scenarios::by_name(name)
                .ok_or_else(|| usage("preset", name, ALL_PRESETS.iter().map(|p| p.name)))?,
        ],
    };
    let (mut reports, mut skipped) = (Vec::new(), Vec::new());
    for p in presets {
        match p.report(backend) {
            Ok(r) => reports.push(r),
            Err(EnvelopeError::Unsupported(u)) => skipped.push(Skipped {
                preset: p.name,
                backend: backend.name,
                reason: u.to_string(),
            }),
            Err(e) => {
                eprintln!("error: preset {} on {}: {e}", p.name, backend.name);
                return Ok(ExitCode::from(super::EXIT_FAILED));
            }
        }
    }
    let out = if args.json {
        serde_json::to_string_pretty(&ScenariosReport {
            presets: reports,
            skipped,
            environment: Environment::capture(&[backend]),
        })? + "\n"
    } else {
        let mut blocks: Vec<String> = reports.iter().map(render).collect();
        blocks.extend(
            skipped
                .iter()
                .map(|s| format!("{}: not run on {}: {}\n", s.preset, s.backend, s.reason)),
        );
        blocks.join("\n")
    };
    match std::io::stdout().write_all(out.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn yes_no(supported: bool) -> &'static str {
    if supported { "yes" } else { "no" }
}

fn render(r: &PresetReport) -> String {
    let mut t = super::table(&[
        "Feature / Capability",
        "Supported",
        "Executed attack",
        "Outcome",
        "With the profile's audience",
    ]);
    for row in &r.run.rows {
        t.add_row([
            row.capability.to_string(),
            yes_no(row.supported).to_string(),
            row.attack.to_string(),
            row.outcome.to_string(),
            row.with_audience.as_ref().map_or_else(
                || "(not re-run)".to_string(),
                |c| format!("{} — {}", yes_no(c.supported), c.outcome),
            ),
        ]);
    }
    format!(
        "{} — {}\nbackend {}; {}\nThe last column runs the same attack with every message naming \
         its receiver and sending node (aud, iss) and receivers requiring an audience.\n{t}\n",
        r.preset,
        r.title,
        r.backend,
        r.run.algorithms.join("; ")
    )
}
