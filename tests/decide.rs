//! `sealbench decide`: verdicts from executed attacks, costs on a synthetic results file
//! whose numbers are hand-computable, the example profiles on the committed reference
//! results, and profile errors that name the file, line and field.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use sealbench::decide::{
    Attack, Decision, Delivery, KeyScope, Options, Profile, Row, Scheme, Threat, decide,
    load_results, verdicts,
};
use sealbench::envelope::Mode;
use sealbench::results::ResultsFile;
use sealbench::scenarios::keyscope;
use serde_json::{Value, json};

/// Relative comparison for float results of exact arithmetic.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1e-12)
}

fn stats(median: f64) -> Value {
    json!({
        "samples": 10, "iters_per_sample": 100, "median_ns": median, "min_ns": median,
        "max_ns": median, "ci95_low_ns": median, "ci95_high_ns": median, "cv": 0.0,
        "cpu_median_ns": median, "noisy": false
    })
}

/// One envelope (or plain-framing) scenario.
#[allow(clippy::too_many_arguments)]
fn scenario(
    family: &str,
    layer: &str,
    op: &str,
    mode: &str,
    algorithm: &str,
    backend: &str,
    size: u64,
    recipients: Option<u32>,
    overhead: u64,
    median: f64,
) -> Value {
    let hybrid = recipients.is_some();
    json!({
        "id": format!("{family}_{size}"), "family": family, "layer": layer, "op": op,
        "mode": mode, "algorithm": algorithm, "backend": backend, "impl_path": null,
        "size": size, "identity": if hybrid { Value::Null } else { json!("kid") },
        "recipients": recipients, "cek_reuse": if hybrid { json!(1) } else { Value::Null },
        "inside_loop": ["serialization"], "overhead_bytes": overhead, "stats": stats(median)
    })
}

fn fit(family: &str, fixed: f64, per_byte: f64) -> Value {
    json!({ "family": family, "fixed_ns": fixed, "per_byte_ns": per_byte,
            "gb_per_s": 1.0 / per_byte.max(1e-9), "residuals": [] })
}

/// A family with a fit, measured at 64 and 1024 bytes.
fn fitted(
    sc: &mut Vec<Value>,
    fits: &mut Vec<Value>,
    (op, mode, alg, backend): (&str, &str, &str, &str),
    recipients: Option<u32>,
    (fixed, per_byte, overhead): (f64, f64, u64),
) {
    let family = format!("env-{op}_{mode}_{backend}_{alg}");
    for size in [64u64, 1024] {
        let t = fixed + per_byte * size as f64;
        sc.push(scenario(
            &family, "envelope", op, mode, alg, backend, size, recipients, overhead, t,
        ));
    }
    fits.push(fit(&family, fixed, per_byte));
}

/// Backend `alpha`: fits for every mode (hybrid 1 recipient fitted, 4 recipients measured at
/// 64 bytes only). Backend `beta`: Encrypt0 and Mac0 only, Encrypt0 without a fit.
/// Plain framing (backend `none`): 200 ns per seal and per open.
fn synthetic() -> ResultsFile {
    let (mut sc, mut fits) = (Vec::new(), Vec::new());
    let a = "alpha";
    let table = [
        ("seal", "encrypt0", "aes128gcm", 1000.0, 1.0, 40),
        ("open", "encrypt0", "aes128gcm", 500.0, 0.5, 40),
        ("seal", "mac0", "hmacsha256", 600.0, 0.5, 50),
        ("open", "mac0", "hmacsha256", 600.0, 0.5, 50),
        ("seal", "sign1", "ed25519", 20000.0, 0.0, 90),
        ("open", "sign1", "ed25519", 50000.0, 0.0, 90),
        // A scenario with a different signature: must not be picked for ed25519.
        ("seal", "sign1", "ecdsap256", 1.0, 0.0, 90),
        ("open", "sign1", "ecdsap256", 1.0, 0.0, 90),
    ];
    for (op, mode, alg, fixed, pb, oh) in table {
        fitted(
            &mut sc,
            &mut fits,
            (op, mode, alg, a),
            None,
            (fixed, pb, oh),
        );
    }
    let hy = "rsaoaep2048+aes128gcm";
    fitted(
        &mut sc,
        &mut fits,
        ("seal", "encrypt", hy, a),
        Some(1),
        (30000.0, 1.0, 300),
    );
    fitted(
        &mut sc,
        &mut fits,
        ("open", "encrypt", hy, a),
        Some(1),
        (500000.0, 0.5, 300),
    );
    // Four recipients, 64 bytes only: seal +60000 ns and open +300 ns over one recipient.
    let (s4, o4) = (30000.0 + 64.0 + 60000.0, 500000.0 + 32.0 + 300.0);
    sc.push(scenario(
        "env-seal_encrypt_alpha_r4",
        "envelope",
        "seal",
        "encrypt",
        hy,
        a,
        64,
        Some(4),
        1110,
        s4,
    ));
    sc.push(scenario(
        "env-open_encrypt_alpha_r4",
        "envelope",
        "open",
        "encrypt",
        hy,
        a,
        64,
        Some(4),
        1110,
        o4,
    ));
    // Content-key reuse 100 must be ignored.
    let mut reuse = scenario(
        "env-seal_encrypt_alpha_reuse",
        "envelope",
        "seal",
        "encrypt",
        hy,
        a,
        64,
        Some(1),
        300,
        1.0,
    );
    reuse["cek_reuse"] = json!(100);
    sc.push(reuse);
    for op in ["seal", "open"] {
        let family = format!("plain-{op}_kid");
        for size in [64u64, 1024] {
            sc.push(scenario(
                &family, "plain", op, "plain", "none", "none", size, None, 30, 200.0,
            ));
        }
        fits.push(fit(&family, 200.0, 0.0));
    }
    // beta: Encrypt0 measured at 0, 1000, 2000 bytes with no fit: 2000 + 2 s and 1000 + s.
    for (op, fixed, pb) in [("seal", 2000.0, 2.0), ("open", 1000.0, 1.0)] {
        let family = format!("env-{op}_encrypt0_beta_aes128gcm");
        for size in [0u64, 1000, 2000] {
            let t = fixed + pb * size as f64;
            sc.push(scenario(
                &family,
                "envelope",
                op,
                "encrypt0",
                "aes128gcm",
                "beta",
                size,
                None,
                40,
                t,
            ));
        }
    }
    fitted(
        &mut sc,
        &mut fits,
        ("seal", "mac0", "hmacsha256", "beta"),
        None,
        (600.0, 0.5, 50),
    );
    fitted(
        &mut sc,
        &mut fits,
        ("open", "mac0", "hmacsha256", "beta"),
        None,
        (600.0, 0.5, 50),
    );
    serde_json::from_value(json!({
        "kind": "sealbench-results", "schema_version": 1,
        "runs": [{ "environment": { "host": "synthetic" }, "profile": "quick", "clock": "wall",
                   "scenarios": sc, "fits": fits }]
    }))
    .unwrap()
}

const PROFILE: &str = r#"
name = "synthetic"
provenance = "hand-made for tests"
threat = "compromised-peer"

[roles]
controller = 2
compute = 4

[budget]
cores = 10
added_latency_us = 1000

[[class]]
name = "secrets"
rate_per_s = 1000
sender_role = "controller"
receiver_role = "compute"
sensitivity = "confidential"
delivery = "unicast"
sizes = [[1000, 1]]

[[class]]
name = "status"
rate_per_s = 2000
sender_role = "controller"
receiver_role = "compute"
sensitivity = "integrity"
delivery = "broadcast"
fanout = 3
sizes = { p50 = 1000, p99 = 2000 }
"#;

fn profile(text: &str) -> Profile {
    Profile::parse(text, Path::new("synthetic.toml")).unwrap_or_else(|e| panic!("{e}"))
}

fn row<'a>(d: &'a Decision, backend: &str, s: &str) -> &'a Row {
    d.rows
        .iter()
        .find(|r| r.backend == backend && r.strategy == s)
        .unwrap_or_else(|| panic!("no row {s} on {backend}"))
}

/// Every verdict `decide` uses is the outcome of an attack executed here, again, on a fresh
/// deployment: the same attacks succeed. And the executed outcomes show what the key
/// scopes are for (these hold with or without the audience checks).
#[test]
fn every_scheme_verdict_matches_an_executed_attack() {
    for &scheme in Scheme::ALL {
        for broadcast in [false, true] {
            let fresh = keyscope::run_anywhere(scheme, broadcast).unwrap();
            let cached = verdicts(scheme, broadcast).unwrap();
            for &a in Attack::ALL {
                let (f, c) = (fresh.get(a).unwrap(), cached.get(a).unwrap());
                assert_eq!(
                    f.succeeded(),
                    c.succeeded(),
                    "{} {a:?} broadcast={broadcast}: {:?} vs {:?}",
                    scheme.label(),
                    f.outcome,
                    c.outcome
                );
                let applicable =
                    !(broadcast && matches!(a, Attack::PeerReads | Attack::CrossNodeReplay));
                assert_eq!(f.outcome.is_some(), applicable, "{a:?}");
            }
            let broke = |a: Attack| fresh.get(a).unwrap().succeeded();
            let label = format!("{} broadcast={broadcast}", scheme.label());
            match (scheme.mode, scheme.key_scope) {
                (Mode::Plain, _) => {
                    assert!(broke(Attack::OutsiderForges) && broke(Attack::OutsiderReads));
                }
                (Mode::Mac0 | Mode::Encrypt0, KeyScope::Group) => {
                    assert!(!broke(Attack::OutsiderForges), "{label}");
                    assert!(
                        broke(Attack::ReceiverForges),
                        "{label}: a receiver holds the key"
                    );
                    assert!(!broke(Attack::OtherRoleForges), "{label}");
                }
                (Mode::Mac0 | Mode::Encrypt0, KeyScope::Pairwise) => {
                    assert!(!broke(Attack::ReceiverForges), "{label}");
                    assert!(!broke(Attack::OtherRoleForges), "{label}");
                    assert!(!broke(Attack::CrossNodeReplay), "{label}");
                    assert!(!broke(Attack::Reflection), "{label}");
                }
                (Mode::Sign1 | Mode::SignEncrypt, KeyScope::PerSender) => {
                    assert!(!broke(Attack::OutsiderForges), "{label}");
                    assert!(!broke(Attack::ReceiverForges), "{label}");
                    assert!(!broke(Attack::OtherRoleForges), "{label}");
                }
                (Mode::Encrypt, KeyScope::Hybrid) => {
                    assert!(broke(Attack::OutsiderForges), "{label}: anyone encrypts");
                    assert!(!broke(Attack::OutsiderReads), "{label}");
                }
                other => panic!("unexpected scheme {other:?}"),
            }
            // Reading: only encryption keeps outsiders out; a group key lets every holder in.
            assert_eq!(
                broke(Attack::OutsiderReads),
                !sealbench::decide::encrypts(scheme.mode),
                "{label}"
            );
            if !broadcast && scheme.mode == Mode::Encrypt0 {
                assert_eq!(
                    broke(Attack::PeerReads),
                    scheme.key_scope == KeyScope::Group,
                    "{label}"
                );
            }
        }
    }
}

/// `decide`'s per-class verdicts are exactly the required attacks that succeeded.
#[test]
fn class_verdicts_are_the_required_attacks_that_succeeded() {
    let p = profile(PROFILE);
    let d = decide(&p, &synthetic(), &Options::default()).unwrap();
    for (class, per_scheme) in p.classes.iter().zip(&d.verdicts) {
        for v in per_scheme {
            let executed = verdicts(v.scheme, class.delivery == Delivery::Broadcast).unwrap();
            let broken: Vec<Attack> = v.broken_by.iter().map(|b| b.attack).collect();
            let expect: Vec<Attack> = v
                .required
                .iter()
                .copied()
                .filter(|&a| executed.get(a).unwrap().succeeded())
                .collect();
            assert_eq!(broken, expect, "{} {}", class.name, v.scheme.label());
        }
    }
    // Group keys are rejected for the integrity broadcast by a compromised receiver.
    let group = row(&d, "alpha", "seal-all/group");
    assert!(!group.meets_requirements);
    let status = group.verdicts.iter().find(|v| v.class == "status").unwrap();
    assert_eq!(status.broken_by[0].attack, Attack::ReceiverForges);
    let rejected = d
        .recommendation
        .rejected
        .iter()
        .find(|r| r.strategy == "seal-all/group")
        .unwrap();
    assert!(
        rejected.broken[0]
            .attacks
            .iter()
            .any(|b| b.attack == Attack::ReceiverForges)
    );
}

#[test]
fn pairwise_broadcast_is_sealed_once_per_receiver() {
    let p = profile(PROFILE);
    let d = decide(&p, &synthetic(), &Options::default()).unwrap();
    let c = row(&d, "alpha", "seal-all/pairwise").costs.clone().unwrap();
    // secrets: 1000/s × (seal 2000 + open 1000) ns = 0.003 cores.
    assert!(close(c.classes[0].cores, 0.003), "{}", c.classes[0].cores);
    // status: 3 copies, 3 opens: half at 1000 B (3 × 2000 + 3 × 1000), half at 2000 B
    // (3 × 3000 + 3 × 1500): 2000/s × 11250 ns = 0.0225 cores.
    assert!(close(c.classes[1].cores, 0.0225), "{}", c.classes[1].cores);
    assert_eq!(c.classes[1].copies, 3);
    // The last receiver waits for three seals: 3 × 3000 + 1500 ns at the p99 size.
    assert!(close(c.classes[1].latency_p99_us, 10.5));
    let g = row(&d, "alpha", "seal-all/group").costs.clone().unwrap();
    assert!(close(g.classes[1].cores, 0.0125), "one seal, three opens");
    // Keys: group 1 per class; pairwise 2 controllers × 4 computes per class.
    assert_eq!(g.keys, 2);
    assert_eq!(c.keys, 16);
    // A controller holds one pairwise key per compute (shared by both classes).
    let ctl = c.roles.iter().find(|r| r.role == "controller").unwrap();
    assert_eq!(ctl.secrets_per_node, 4);
    // Busiest compute opens 1000/4 secrets and 2000 × 3 / 4 statuses per second.
    let compute = c.roles.iter().find(|r| r.role == "compute").unwrap();
    let expect = (250.0 * 1000.0 + 1500.0 * (0.5 * 1000.0 + 0.5 * 1500.0)) / 1e9;
    assert!(
        close(compute.cores_per_node, expect),
        "{}",
        compute.cores_per_node
    );
}

#[test]
fn the_cheapest_mix_is_searched_and_withstands_every_required_attack() {
    let p = profile(PROFILE);
    let d = decide(&p, &synthetic(), &Options::default()).unwrap();
    let mix = row(&d, "alpha", "cheapest-mix");
    assert!(mix.searched && mix.meets_requirements);
    // No strategy meeting the requirements and the budget is cheaper on alpha.
    let cores = mix.costs.as_ref().unwrap().cores;
    for r in d
        .rows
        .iter()
        .filter(|r| r.backend == "alpha" && r.acceptable())
    {
        assert!(
            cores <= r.costs.as_ref().unwrap().cores + 1e-15,
            "{}",
            r.strategy
        );
    }
    assert!(
        mix.verdicts
            .iter()
            .all(|v| v.scheme.key_scope != KeyScope::Group),
        "group keys fail a compromised receiver"
    );
    let rec = &d.recommendation;
    assert!(rec.strategy.is_some(), "{:?}", rec.reasons);
    for c in &rec.classes {
        assert!(
            c.withstands.contains(&Attack::OutsiderForges),
            "{}",
            c.class
        );
    }
}

#[test]
fn a_network_threat_does_not_require_withstanding_compromised_peers() {
    let text = PROFILE.replace("threat = \"compromised-peer\"", "threat = \"network\"");
    let p = profile(&text);
    assert_eq!(p.threat, Threat::Network);
    let d = decide(&p, &synthetic(), &Options::default()).unwrap();
    let group = row(&d, "alpha", "seal-all/group");
    for v in &group.verdicts {
        assert!(!v.required.contains(&Attack::ReceiverForges));
        assert!(!v.required.contains(&Attack::PeerReads));
    }
    // Whether group keys are acceptable now depends only on the network attacks executed
    // against them (replay to another node, reflection).
    let network_held = [false, true].iter().all(|&b| {
        let v = verdicts(Scheme::new(Mode::Encrypt0, KeyScope::Group), b).unwrap();
        [
            Attack::OutsiderForges,
            Attack::OutsiderReads,
            Attack::Reflection,
        ]
        .iter()
        .chain(if b {
            &[][..]
        } else {
            &[Attack::CrossNodeReplay][..]
        })
        .all(|&a| !v.get(a).unwrap().succeeded())
    });
    assert_eq!(group.meets_requirements, network_held);
}

fn reference() -> sealbench::results::ResultsFile {
    load_results(&Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/reference/results.json"))
        .unwrap()
}

fn example(name: &str) -> Profile {
    Profile::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("examples/{name}.toml")))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Done-when: the fleet's broadcast `command` is not group-keyed (a compromised minion would
/// forge commands for the whole fleet) and the rejection names that attack; the OpenStack
/// `rpc` class withstands a compromised compute.
#[test]
fn examples_on_the_reference_results() {
    let results = reference();
    let fleet = decide(
        &example("config-management-fleet"),
        &results,
        &Options::default(),
    )
    .unwrap();
    let group = fleet
        .recommendation
        .rejected
        .iter()
        .find(|r| r.strategy == "seal-all/group")
        .unwrap();
    let command = group.broken.iter().find(|c| c.class == "command").unwrap();
    assert!(
        command
            .attacks
            .iter()
            .any(|b| b.attack == Attack::ReceiverForges)
    );
    let c = fleet
        .recommendation
        .classes
        .iter()
        .find(|c| c.class == "command")
        .unwrap_or_else(|| panic!("{:?}", fleet.recommendation.reasons));
    // Signed by its sender: no secret to provision per master–minion pair (the profile's
    // max_secrets_per_node), and no minion can forge a command for the others.
    assert_eq!((c.mode, c.key_scope), (Mode::Sign1, KeyScope::PerSender));
    assert!(c.withstands.contains(&Attack::ReceiverForges));
    assert!(c.withstands.contains(&Attack::Reflection));
    let os = decide(
        &example("openstack-control-plane"),
        &results,
        &Options::default(),
    )
    .unwrap();
    let rpc = os
        .recommendation
        .classes
        .iter()
        .find(|c| c.class == "rpc")
        .unwrap_or_else(|| panic!("{:?}", os.recommendation.reasons));
    assert!(rpc.withstands.contains(&Attack::ReceiverForges), "{rpc:?}");
    assert!(rpc.withstands.contains(&Attack::OtherRoleForges), "{rpc:?}");
    assert!(rpc.withstands.contains(&Attack::PeerReads), "{rpc:?}");
    assert_ne!(rpc.key_scope, KeyScope::Group);
    // A profile whose honest answer is not seal-all: the broadcast is signed.
    let devices = decide(
        &example("device-fleet-rollout"),
        &results,
        &Options::default(),
    )
    .unwrap();
    let manifest = devices
        .recommendation
        .classes
        .iter()
        .find(|c| c.class == "manifest");
    let manifest = manifest.unwrap_or_else(|| panic!("{:?}", devices.recommendation.reasons));
    assert_eq!(
        (manifest.mode, manifest.key_scope),
        (Mode::Sign1, KeyScope::PerSender)
    );
    assert!(manifest.withstands.contains(&Attack::ReceiverForges));
    assert!(
        fleet.recommendation.strategy.is_some(),
        "{:?}",
        fleet.recommendation.reasons
    );
}

/// The fleet's answer depends on key distribution, and says so: without the profile's
/// secrets budget, sealing each command once per minion under pairwise keys is cheaper than
/// one signature verified by every minion, and just as safe against a compromised minion.
#[test]
fn the_fleet_command_is_pairwise_sealed_when_pairwise_secrets_are_affordable() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/config-management-fleet.toml");
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains("max_secrets_per_node = 16"));
    let p = profile(&text.replace("max_secrets_per_node = 16", ""));
    let d = decide(&p, &reference(), &Options::default()).unwrap();
    let c = d
        .recommendation
        .classes
        .iter()
        .find(|c| c.class == "command")
        .unwrap_or_else(|| panic!("{:?}", d.recommendation.reasons));
    assert_eq!((c.mode, c.key_scope), (Mode::Encrypt0, KeyScope::Pairwise));
    assert!(c.withstands.contains(&Attack::ReceiverForges));
}

#[test]
fn example_profiles_parse_and_decide() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut names = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let p = Profile::load(&path).unwrap_or_else(|e| panic!("{e}"));
            let d = decide(&p, &synthetic(), &Options::default()).unwrap();
            assert!(!d.recommendation.reasons.is_empty());
            names.push(p.name);
        }
    }
    for want in [
        "cluster-controller",
        "config-management-fleet",
        "openstack-control-plane",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "examples/{want}.toml missing"
        );
    }
    let os = example("openstack-control-plane");
    let rpc = &os.classes[0].sizes;
    assert_eq!((rpc.p50, rpc.p99), (2560, 12288));
    assert!(close(rpc.points[0].1, 56.0 / 4077.0));
}

fn parse_err(text: &str) -> (Option<usize>, Option<String>, String) {
    let e = Profile::parse(text, Path::new("bad.toml")).unwrap_err();
    (e.line(), e.field().map(str::to_string), e.to_string())
}

#[test]
fn profile_errors_name_file_line_and_field() {
    let (line, field, msg) = parse_err(&PROFILE.replace("\"compromised-peer\"", "\"insider\""));
    assert_eq!((line, field.as_deref()), (Some(4), Some("threat")), "{msg}");
    assert!(msg.starts_with("bad.toml:4:"), "{msg}");

    let (line, field, msg) =
        parse_err(&PROFILE.replacen("sender_role = \"controller\"", "sender_role = \"admin\"", 1));
    assert_eq!(
        (line, field.as_deref()),
        (Some(17), Some("class.sender_role")),
        "{msg}"
    );
    assert!(msg.contains("\"admin\" is not in [roles]"), "{msg}");

    let (_, field, msg) = parse_err(&PROFILE.replace(
        "receiver_role = \"compute\"\nsensitivity = \"integrity\"",
        "sensitivity = \"integrity\"",
    ));
    assert_eq!(field.as_deref(), Some("class.receiver_role"), "{msg}");

    let (_, field, msg) = parse_err(&PROFILE.replace("[roles]\ncontroller = 2\ncompute = 4\n", ""));
    assert_eq!(field.as_deref(), Some("roles"), "{msg}");

    let (line, field, msg) = parse_err(&PROFILE.replace("compute = 4", "compute = 0"));
    assert_eq!((line, field.as_deref()), (Some(8), Some("roles")), "{msg}");

    let (line, field, msg) = parse_err(&PROFILE.replace("fanout = 3", "fanout = 5"));
    assert_eq!(
        (line, field.as_deref()),
        (Some(30), Some("class.fanout")),
        "{msg}"
    );
    assert!(msg.contains("exceeds the 4 node(s)"), "{msg}");

    let (_, field, msg) = parse_err(&PROFILE.replacen(
        "delivery = \"unicast\"",
        "delivery = \"unicast\"\nadded_latency_us = -3.0",
        1,
    ));
    assert_eq!(field.as_deref(), Some("class.added_latency_us"), "{msg}");
    assert!(msg.contains("positive"), "{msg}");

    let (line, field, msg) = parse_err(&PROFILE.replace(
        "delivery = \"unicast\"",
        "delivery = \"unicast\"\ncolour = 1",
    ));
    assert_eq!(
        (line, field.as_deref()),
        (Some(21), Some("class.colour")),
        "{msg}"
    );

    let (line, field, msg) = parse_err(&PROFILE.replace("rate_per_s = 1000", "rate_per_s = -5"));
    assert_eq!(
        (line, field.as_deref()),
        (Some(16), Some("class.rate_per_s")),
        "{msg}"
    );

    let (line, field, _) = parse_err(&PROFILE.replace(
        "added_latency_us = 1000",
        "added_latency_us = 1000\ncores_per_node = 0",
    ));
    assert_eq!(
        (line, field.as_deref()),
        (Some(13), Some("budget.cores_per_node"))
    );

    let (_, field, msg) = parse_err(&PROFILE.replace("\"integrity\"", "\"secret\""));
    assert_eq!(field.as_deref(), Some("class.sensitivity"), "{msg}");

    // No threat line: the strictest model.
    let p = profile(&PROFILE.replace("threat = \"compromised-peer\"\n", ""));
    assert_eq!(p.threat, Threat::CompromisedPeer);
}

fn temp(name: &str, contents: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("sealbench-decide-{}-{name}", std::process::id()));
    std::fs::write(&p, contents).unwrap();
    p
}

#[test]
fn cli_json_and_exit_codes() {
    let results = temp(
        "results.json",
        &serde_json::to_string(&synthetic()).unwrap(),
    );
    let good = temp("good.toml", PROFILE);
    let bad = temp(
        "bad.toml",
        &PROFILE.replace("rate_per_s = 2000", "rate_per_s = 0"),
    );
    let bin = env!("CARGO_BIN_EXE_sealbench");
    let run = |args: &[&std::ffi::OsStr]| Command::new(bin).args(args).output().unwrap();
    let out = run(&[
        "decide".as_ref(),
        "--json".as_ref(),
        "--profile".as_ref(),
        good.as_os_str(),
        "--results".as_ref(),
        results.as_os_str(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let classes = v["recommendation"]["classes"].as_array().unwrap();
    assert_eq!(classes.len(), 2);
    for c in classes {
        for k in ["class", "mode", "key_scope", "cores", "withstands"] {
            assert!(!c[k].is_null(), "{k} missing in {c}");
        }
    }
    let rejected = v["recommendation"]["rejected"].as_array().unwrap();
    assert!(
        rejected
            .iter()
            .all(|r| r["broken"][0]["attacks"][0]["attack"].is_string()),
        "{rejected:?}"
    );
    assert_eq!(
        v["warnings"][0].as_str().map(|w| w.contains("quick")),
        Some(true)
    );
    let human = run(&[
        "decide".as_ref(),
        "--profile".as_ref(),
        good.as_os_str(),
        "--results".as_ref(),
        results.as_os_str(),
    ]);
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("Recommendation: "), "{text}");
    assert!(text.contains("seal-all/group: class \"status\""), "{text}");
    assert!(text.contains("receiver-forges"), "{text}");
    let out = run(&[
        "decide".as_ref(),
        "--profile".as_ref(),
        bad.as_os_str(),
        "--results".as_ref(),
        results.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(":25:") && err.contains("class.rate_per_s"),
        "{err}"
    );
    for p in [results, good, bad] {
        let _ = std::fs::remove_file(p);
    }
    let other = temp(
        "other.json",
        r#"{"kind": "kat", "schema_version": 1, "runs": []}"#,
    );
    assert!(
        load_results(&other)
            .unwrap_err()
            .to_string()
            .contains("kind")
    );
    let _ = std::fs::remove_file(other);
}
