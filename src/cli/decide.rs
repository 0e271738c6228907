//! `sealbench decide`: which (mode, key scope) per traffic class, judged by executed attacks
//! and priced from a results file.

use std::path::PathBuf;
use std::process::ExitCode;

use crate::backend::{AeadId, SignatureId};
use crate::decide::{
    Algorithms, Attack, DecideError, Decision, Delivery, Options, Profile, Row, Scheme,
    SystemShare, decide, first_break, human, load_results, system_share,
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
    /// An end-to-end results file (`scripts/e2e.sh OUTDIR` writes OUTDIR/e2e.json): states
    /// the recommendation's crypto as a share of the measured broker + client CPU per RPC.
    #[arg(long, value_name = "FILE")]
    system: Option<PathBuf>,
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
    // Read before the (slower) decision, so a wrong file fails at once.
    let system = args
        .system
        .as_deref()
        .map(crate::results::system::SystemFile::load)
        .transpose()
        .map_err(DecideError::from)?;
    let options = Options {
        backend: args.backend.clone(),
        algorithms: Algorithms {
            aead: args.aead,
            sign: args.sign,
        },
        run: args.run,
    };
    let mut decision = decide(&profile, &results, &options)?;
    if let Some(file) = &system {
        decision.system = Some(system_share(&decision, file)?);
    }
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
    println!(
        "Threat:     {} ({})",
        p.threat.label(),
        match p.threat {
            crate::decide::Threat::CompromisedPeer => "outsiders and any compromised node",
            crate::decide::Threat::Network => "outsiders on the network only",
        }
    );
    let roles: Vec<String> = p.roles.iter().map(|(r, n)| format!("{r} ×{n}")).collect();
    println!("Roles:      {}", roles.join(", "));
    let b = &p.budget;
    let mut budget = format!(
        "{} cores in total; {} µs added per message",
        human(b.cores),
        human(b.added_latency_us)
    );
    for class in p.classes.iter().filter(|c| c.added_latency_us.is_some()) {
        budget.push_str(&format!(
            " ({}: {} µs)",
            class.name,
            human(class.latency_budget_us(b))
        ));
    }
    if let Some(c) = b.cores_per_node {
        budget.push_str(&format!("; {} cores per node", human(c)));
    }
    if let Some(m) = b.max_secrets_per_node {
        budget.push_str(&format!("; at most {m} secret keys per node"));
    }
    println!("Budget:     {budget}");
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
    for w in &d.warnings {
        println!("WARNING:    {w}");
    }
    println!();
    let mut t = super::table(&[
        "class",
        "msg/s",
        "sender → receiver",
        "receivers",
        "sensitivity",
        "p50 B",
        "p99 B",
        "must withstand",
    ]);
    for (c, v) in p.classes.iter().zip(&d.verdicts) {
        let required = v.first().map_or(String::new(), |v| {
            v.required
                .iter()
                .map(|a| a.id())
                .collect::<Vec<_>>()
                .join(", ")
        });
        t.add_row([
            c.name.clone(),
            human(c.rate_per_s),
            format!("{} → {}", c.sender_role, c.receiver_role),
            match c.delivery {
                Delivery::Unicast => "1".to_string(),
                Delivery::Broadcast => format!("{} (broadcast)", c.fanout),
            },
            format!("{:?}", c.sensitivity).to_lowercase(),
            c.sizes.p50.to_string(),
            c.sizes.p99.to_string(),
            required,
        ]);
    }
    println!("{t}\n");
    print_attacks(d);
    for backend in &r.backends {
        print_backend(d, backend);
    }
    print_rejected(d);
    print_break_even(d);
    print_recommendation(d);
    if let Some(s) = &d.system {
        print_system(s);
    }
}

/// The crypto share of the whole RPC (`--system`).
fn print_system(s: &SystemShare) {
    println!(
        "\nEnd to end over RabbitMQ ({}, {}):",
        s.file, s.measured_by
    );
    println!("  {}", s.summary);
    let b = &s.bus;
    println!(
        "  measured plain call ({} at {}/s): broker {} + clients {} = {} µs CPU per RPC",
        b.cell,
        human(b.offered_per_s),
        human(b.broker_us_per_rpc),
        human(b.clients_us_per_rpc),
        human(b.total_us_per_rpc)
    );
    println!();
    let mut t = super::table(&[
        "class",
        "scheme",
        "msg/s",
        "crypto µs/msg",
        "bus µs/msg (measured)",
        "crypto share",
    ]);
    for c in &s.classes {
        t.add_row([
            c.class.clone(),
            c.scheme.clone(),
            human(c.rate_per_s),
            human(c.crypto_us_per_message),
            format!("{} ({})", human(c.bus_us_per_message), c.bus_cell),
            format!("{}%", human(100.0 * c.share)),
        ]);
    }
    println!("{t}");
    for m in &s.measured {
        println!(
            "  measured in the e2e run: {} spends {} µs per RPC in envelope calls, {}% of its {} µs",
            m.cell,
            human(m.envelope_us_per_rpc),
            human(100.0 * m.envelope_share),
            human(m.total_us_per_rpc)
        );
    }
    if let Some(t) = &s.tls {
        println!(
            "  TLS to the broker, measured ({}): +{} µs CPU per RPC ({} of it in the broker), p99 {:+.0} µs",
            t.cell,
            human(t.added_us_per_rpc),
            human(t.broker_us_per_rpc),
            t.p99_added_us
        );
    }
    for n in &s.notes {
        println!("  note: {n}");
    }
}

/// The executed attacks: for each deployment the profile needs, what succeeded.
fn print_attacks(d: &Decision) {
    for broadcast in [false, true] {
        let wanted = if broadcast {
            Delivery::Broadcast
        } else {
            Delivery::Unicast
        };
        let Some(ci) = d.profile.classes.iter().position(|c| c.delivery == wanted) else {
            continue;
        };
        let Some(row) = d.verdicts.get(ci) else {
            continue;
        };
        let kind = if broadcast { "broadcast" } else { "unicast" };
        let executed_on = row
            .first()
            .and_then(|v| v.executed_on.split(';').next())
            .unwrap_or("");
        println!(
            "Executed attacks, {kind} deployment (2 senders, 2 receivers, 1 node of another \
             role, 1 outsider; on {executed_on}). BROKEN = the attack succeeded:"
        );
        let mut header = vec!["mode/key scope"];
        header.extend(Attack::ALL.iter().map(|a| a.id()));
        let mut t = super::table(&header);
        for scheme in Scheme::ALL {
            let Ok(v) = crate::decide::verdicts(*scheme, broadcast) else {
                continue;
            };
            let mut cells = vec![scheme.label()];
            for a in Attack::ALL {
                cells.push(match v.get(*a).and_then(|r| r.outcome.as_ref()) {
                    None => "n/a".to_string(),
                    Some(o) if o.succeeded() => "BROKEN".to_string(),
                    Some(o) => format!("held ({})", o.kind().unwrap_or("?")),
                });
            }
            t.add_row(cells);
        }
        println!("{t}\n");
    }
}

fn fits(row: &Row) -> String {
    let Some(c) = &row.costs else {
        return "not priced".into();
    };
    let mut no = Vec::new();
    if !c.fits_cpu {
        no.push("cpu");
    }
    if !c.fits_node_cpu {
        no.push("node cpu");
    }
    if !c.fits_latency {
        no.push("latency");
    }
    if !c.fits_secrets {
        no.push("secrets");
    }
    if no.is_empty() {
        "yes".into()
    } else {
        format!("no: {}", no.join(", "))
    }
}

fn print_backend(d: &Decision, backend: &str) {
    println!("Backend {backend}:");
    let mut t = super::table(&[
        "strategy",
        "attacks",
        "cores [95% CI]",
        "busiest node",
        "p50 µs",
        "µs @p99 size",
        "added B/s",
        "keys",
        "secrets/node",
        "fits budget",
    ]);
    let mut notes = Vec::new();
    for row in d.rows.iter().filter(|r| r.backend == backend) {
        let broken = row.verdicts.iter().filter(|v| !v.meets()).count();
        let met = if row.meets_requirements {
            "all held".to_string()
        } else {
            format!("{broken} class(es) broken")
        };
        let mut cells = vec![row.strategy.clone(), met];
        match &row.costs {
            Some(c) => {
                cells.push(format!(
                    "{} [{}–{}]",
                    human(c.cores),
                    human(c.cores_low),
                    human(c.cores_high)
                ));
                cells.push(c.busiest.as_ref().map_or("-".into(), |b| {
                    format!("{} {}", b.role, human(b.cores_per_node))
                }));
                cells.push(human(c.latency_p50_us));
                cells.push(human(c.latency_p99_us));
                cells.push(c.added_bytes_per_s.map_or("n/a".into(), human));
                cells.push(c.keys.to_string());
                cells.push(c.max_secrets_per_node.to_string());
            }
            None => cells.extend(std::iter::repeat_n("-".to_string(), 7)),
        }
        cells.push(fits(row));
        t.add_row(cells);
        notes.extend(row.notes.iter().map(|n| format!("{}: {n}", row.strategy)));
        if row.searched {
            let mix: Vec<String> = row
                .verdicts
                .iter()
                .map(|v| format!("{} {}", v.class, v.scheme.label()))
                .collect();
            notes.push(format!("{} = {}", row.strategy, mix.join(", ")));
        }
    }
    println!("{t}");
    for n in notes {
        println!("  note: {n}");
    }
    println!(
        "  (µs @p99 size: median seal + open timings at the class's p99 payload size, not a \
         measured tail; a pairwise broadcast's last receiver waits for every copy)\n"
    );
}

fn print_rejected(d: &Decision) {
    let rejected = &d.recommendation.rejected;
    if rejected.is_empty() {
        return;
    }
    println!("Rejected (the executed attack that broke each):");
    for r in rejected {
        println!("  - {}: {}", r.strategy, first_break(r));
    }
    println!();
}

fn print_break_even(d: &Decision) {
    if d.break_even.is_empty() {
        return;
    }
    println!(
        "CPU break-even (rates can grow by this factor before the strategy uses the whole CPU budget):"
    );
    let mut t = super::table(&["backend", "strategy", "cores", "rate ×", "msg/s"]);
    for b in &d.break_even {
        t.add_row([
            b.backend.clone(),
            b.strategy.clone(),
            human(b.cores),
            b.rate_multiplier.map_or("unbounded".into(), human),
            b.msgs_per_s.map_or("unbounded".into(), human),
        ]);
    }
    println!("{t}\n");
}

fn print_recommendation(d: &Decision) {
    let rec = &d.recommendation;
    match (&rec.strategy, &rec.backend) {
        (Some(s), Some(b)) => println!("Recommendation: {s} on {b}"),
        _ => println!("Recommendation: none fits"),
    }
    for reason in &rec.reasons {
        println!("  - {reason}");
    }
    if rec.classes.is_empty() {
        return;
    }
    let mut t = super::table(&["class", "mode", "key scope", "cores [95% CI]", "withstands"]);
    for c in &rec.classes {
        t.add_row([
            c.class.clone(),
            c.mode.label().to_string(),
            c.key_scope.label().to_string(),
            format!(
                "{} [{}–{}]",
                human(c.cores),
                human(c.cores_low),
                human(c.cores_high)
            ),
            c.withstands
                .iter()
                .map(|a| a.id())
                .collect::<Vec<_>>()
                .join(", "),
        ]);
    }
    println!("\n{t}");
}
