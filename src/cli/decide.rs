//! `sealbench decide`: encrypt everything, or only what is classified sensitive?

use std::path::PathBuf;
use std::process::ExitCode;

use crate::backend::{AeadId, SignatureId};
use crate::decide::{
    Algorithms, Crossing, Decision, Options, Profile, Row, Strategy, decide, human, load_results,
};

/// Arguments of `sealbench decide`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The traffic profile (TOML; format in docs/DECIDE.md).
    #[arg(long, value_name = "FILE")]
    profile: PathBuf,
    /// A results file written by `sealbench run --out`.
    #[arg(long, value_name = "FILE")]
    results: PathBuf,
    /// Only this backend, as named in the results (e.g. aws-lc, openssl@no-aesni).
    #[arg(long, value_name = "NAME")]
    backend: Option<String>,
    /// Content encryption for seal and hybrid strategies: aes128gcm, aes256gcm, chacha20poly1305.
    #[arg(long, value_name = "LABEL", default_value = "aes128gcm", value_parser = parse_aead)]
    aead: AeadId,
    /// Signature scheme for sign strategies: ed25519, ecdsap256, rsapss2048.
    #[arg(long, value_name = "LABEL", default_value = "ed25519", value_parser = parse_sign)]
    sign: SignatureId,
    /// Which run of a merged results file (0-based).
    #[arg(long, value_name = "INDEX", default_value_t = 0)]
    run: usize,
    /// Print the decision as JSON.
    #[arg(long)]
    json: bool,
}

fn parse_aead(s: &str) -> Result<AeadId, String> {
    AeadId::ALL
        .iter()
        .copied()
        .find(|a| a.label() == s)
        .ok_or_else(|| {
            let all: Vec<_> = AeadId::ALL.iter().map(|a| a.label()).collect();
            format!("unknown AEAD {s:?} (one of {})", all.join(", "))
        })
}

fn parse_sign(s: &str) -> Result<SignatureId, String> {
    SignatureId::ALL
        .iter()
        .copied()
        .find(|a| a.label() == s)
        .ok_or_else(|| {
            let all: Vec<_> = SignatureId::ALL.iter().map(|a| a.label()).collect();
            format!("unknown signature scheme {s:?} (one of {})", all.join(", "))
        })
}

pub(super) fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let profile = Profile::load(&args.profile)?;
    let results = load_results(&args.results)?;
    let options = Options {
        backend: args.backend.clone(),
        algorithms: Algorithms {
            aead: args.aead,
            sign: args.sign,
        },
        run: args.run,
    };
    let decision = decide(&profile, &results, &options)?;
    if args.json {
        super::print_json(&decision)?;
    } else {
        print_human(&decision);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_human(d: &Decision) {
    let p = &d.profile;
    match &p.description {
        Some(desc) => println!("Profile:    {} — {desc}", p.name),
        None => println!("Profile:    {}", p.name),
    }
    println!("Provenance: {}", p.provenance);
    let nodes = p
        .budget
        .nodes
        .map_or(String::new(), |n| format!(" over {n} nodes"));
    println!(
        "Budget:     {} cores{nodes}; {} µs added latency per message (p50 and p99)",
        human(p.budget.cores),
        human(p.budget.added_latency_us)
    );
    let r = &d.results;
    println!(
        "Results:    run {} of {} (host {}, {} profile); AEAD {}, signatures {}",
        r.run,
        r.runs,
        r.host.as_deref().unwrap_or("unknown"),
        r.measurement_profile,
        d.algorithms.aead.label(),
        d.algorithms.sign.label()
    );
    println!();
    let mut t = super::table(&[
        "class",
        "msg/s",
        "sensitivity",
        "receivers",
        "p50 B",
        "p99 B",
        "mean B",
    ]);
    for c in &p.classes {
        t.add_row([
            c.name.clone(),
            human(c.rate_per_s),
            format!("{:?}", c.sensitivity).to_lowercase(),
            c.fanout.to_string(),
            c.sizes.p50.to_string(),
            c.sizes.p99.to_string(),
            human(c.sizes.mean()),
        ]);
    }
    println!("{t}\n");
    for backend in &r.backends {
        print_backend(d, backend);
    }
    print_requirements(d);
    print_break_even(d);
    print_recommendation(d);
}

fn fits(row: &Row) -> String {
    let Some(c) = &row.costs else {
        return "not priced".into();
    };
    match (c.fits_cpu, c.fits_latency) {
        (true, true) => "yes".into(),
        (false, true) => "no: cpu".into(),
        (true, false) => "no: latency".into(),
        (false, false) => "no: cpu, latency".into(),
    }
}

fn print_backend(d: &Decision, backend: &str) {
    println!("Backend {backend}:");
    let per_node = d.profile.budget.nodes.is_some();
    let mut header = vec!["strategy", "requirements", "cores"];
    if per_node {
        header.push("cores/node");
    }
    header.extend(["p50 µs", "p99 µs", "added B/s", "fits budget"]);
    let mut t = super::table(&header);
    let mut notes = Vec::new();
    for row in d.rows.iter().filter(|r| r.backend == backend) {
        let met = if row.meets_requirements {
            "met"
        } else {
            "NOT MET"
        };
        let mut cells = vec![row.strategy.label().to_string(), met.to_string()];
        match &row.costs {
            Some(c) => {
                cells.push(human(c.cores));
                if per_node {
                    cells.push(c.cores_per_node.map_or("-".into(), human));
                }
                cells.push(human(c.latency_p50_us));
                cells.push(human(c.latency_p99_us));
                cells.push(c.added_bytes_per_s.map_or("n/a".into(), human));
            }
            None => cells.extend(std::iter::repeat_n(
                "-".to_string(),
                if per_node { 5 } else { 4 },
            )),
        }
        cells.push(fits(row));
        t.add_row(cells);
        notes.extend(
            row.notes
                .iter()
                .map(|n| format!("{}: {n}", row.strategy.label())),
        );
    }
    println!("{t}");
    for n in notes {
        println!("  note: {n}");
    }
    println!();
}

fn print_requirements(d: &Decision) {
    let mut shown: Vec<Strategy> = Vec::new();
    let mut lines = Vec::new();
    for row in &d.rows {
        if shown.contains(&row.strategy) || (row.violations.is_empty() && row.cautions.is_empty()) {
            continue;
        }
        shown.push(row.strategy);
        if !row.violations.is_empty() {
            lines.push(format!(
                "{} does not meet the profile's protection requirements: {}",
                row.strategy.label(),
                row.violations.join("; ")
            ));
        }
        for c in &row.cautions {
            lines.push(format!("{} (caution): {c}", row.strategy.label()));
        }
    }
    if !lines.is_empty() {
        println!("Requirements:");
        for l in lines {
            println!("  - {l}");
        }
        println!();
    }
}

fn print_break_even(d: &Decision) {
    if d.break_even.is_empty() {
        return;
    }
    println!("Break-even for seal-all (where it stops fitting the budget):");
    let mut t = super::table(&[
        "backend",
        "seal-all cores",
        "rate × at CPU budget",
        "msg/s",
        "latency budget exceeded above",
    ]);
    for b in &d.break_even {
        let size = match b.latency_size {
            Crossing::AtAnySize => "any size (fixed cost alone)".to_string(),
            Crossing::Above(bytes) => format!("{} B", human(bytes)),
            Crossing::Never => "never".to_string(),
        };
        t.add_row([
            b.backend.clone(),
            human(b.cores),
            b.rate_multiplier.map_or("unbounded".into(), human),
            b.msgs_per_s.map_or("unbounded".into(), human),
            size,
        ]);
    }
    println!("{t}\n");
}

fn print_recommendation(d: &Decision) {
    let rec = &d.recommendation;
    match (&rec.strategy, &rec.backend) {
        (Some(s), Some(b)) => println!("Recommendation: {} on {b}", s.label()),
        _ => println!("Recommendation: none fits"),
    }
    for reason in &rec.reasons {
        println!("  - {reason}");
    }
    let chosen = d
        .rows
        .iter()
        .find(|r| Some(r.strategy) == rec.strategy && Some(&r.backend) == rec.backend.as_ref());
    if let Some(c) = chosen.and_then(|r| r.costs.as_ref()) {
        let mut t = super::table(&[
            "class",
            "protection",
            "recipients",
            "cores",
            "p50 µs",
            "p99 µs",
            "added B/s",
        ]);
        for cc in &c.classes {
            t.add_row([
                cc.class.clone(),
                cc.protection.clone(),
                cc.recipients.to_string(),
                human(cc.cores),
                human(cc.latency_p50_us),
                human(cc.latency_p99_us),
                cc.added_bytes_per_s.map_or("n/a".into(), human),
            ]);
        }
        println!("\n{t}");
    }
}
