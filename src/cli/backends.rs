//! `sealbench backends`: the capability matrix, library versions and AEAD paths.

use std::process::ExitCode;

use serde::Serialize;

use crate::backend::{ALL_BACKENDS, AlgorithmId};
use crate::results::Environment;

/// Arguments of `sealbench backends`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

/// One backend × algorithm cell.
#[derive(Serialize)]
struct Capability {
    backend: &'static str,
    family: &'static str,
    algorithm: AlgorithmId,
    supported: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

#[derive(Serialize)]
struct BackendsReport {
    capabilities: Vec<Capability>,
    environment: Environment,
}

pub(super) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let capabilities: Vec<Capability> = ALL_BACKENDS
        .iter()
        .flat_map(|b| {
            AlgorithmId::all().map(move |alg| {
                let support = b.supports(alg);
                Capability {
                    backend: b.name,
                    family: alg.family(),
                    algorithm: alg,
                    supported: support.is_ok(),
                    reason: support.err().map(|u| u.0),
                }
            })
        })
        .collect();
    let report = BackendsReport {
        capabilities,
        environment: Environment::capture(ALL_BACKENDS),
    };
    if args.json {
        super::print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }

    let mut header = vec!["family", "algorithm"];
    header.extend(ALL_BACKENDS.iter().map(|b| b.name));
    let mut t = super::table(&header);
    let mut notes: Vec<String> = Vec::new();
    for alg in AlgorithmId::all() {
        let mut row = vec![alg.family().to_string(), alg.label().to_string()];
        for cap in report.capabilities.iter().filter(|c| c.algorithm == alg) {
            row.push(match cap.reason {
                None => "yes".to_string(),
                Some(reason) => {
                    notes.push(format!(
                        "[{}] {} {}: {reason}",
                        notes.len() + 1,
                        cap.backend,
                        alg
                    ));
                    format!("no [{}]", notes.len())
                }
            });
        }
        t.add_row(row);
    }
    println!("Capabilities\n{t}");
    for n in &notes {
        println!("{n}");
    }

    let mut t = super::table(&["backend", "aead", "path", "evidence", "basis"]);
    for b in &report.environment.backends {
        for p in &b.aead_paths {
            t.add_row([
                b.name,
                AlgorithmId::Aead(p.aead).label(),
                p.report.path.label(),
                match p.report.evidence {
                    crate::cpu::Evidence::Reported => "reported",
                    crate::cpu::Evidence::Inferred => "inferred",
                },
                p.report.basis,
            ]);
        }
    }
    println!("\nAEAD implementation paths on this CPU\n{t}");

    let mut t = super::table(&["backend", "library", "version"]);
    for b in &report.environment.backends {
        for v in &b.versions {
            t.add_row([b.name, v.name, v.version.as_str()]);
        }
    }
    println!("\nLibraries\n{t}");
    Ok(ExitCode::SUCCESS)
}
