//! `sealbench cpu`: the CPU, its features and masks.

use std::process::ExitCode;

use serde::Serialize;

use crate::cpu::{CpuFeatures, FeatureMasks};

/// Arguments of `sealbench cpu`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Serialize)]
struct CpuReport {
    cpu: CpuFeatures,
    masks: FeatureMasks,
}

pub(super) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let report = CpuReport {
        cpu: CpuFeatures::detect(),
        masks: FeatureMasks::detect(),
    };
    if args.json {
        super::print_json(&report)?;
        return Ok(ExitCode::SUCCESS);
    }
    let c = &report.cpu;
    println!("CPU:    {} ({})", c.model, c.vendor);
    println!(
        "Arch:   {} / {}, {} logical CPUs",
        c.arch, c.os, c.logical_cpus
    );
    let mut t = super::table(&["feature", "present"]);
    for f in &c.features {
        t.add_row([f.name, if f.present { "yes" } else { "no" }]);
    }
    println!("{t}");
    let m = &report.masks;
    println!(
        "Masks:  OPENSSL_ia32cap={}  RustCrypto aes_backend=soft: {}  polyval_backend=soft: {}",
        m.openssl_ia32cap.as_deref().unwrap_or("(unset)"),
        m.rustcrypto_aes_soft,
        m.rustcrypto_polyval_soft
    );
    if m.openssl_ia32cap.is_some() {
        println!("        (the table shows the CPU; the mask changes what openssl and aws-lc use)");
    }
    Ok(ExitCode::SUCCESS)
}
