//! `sealbench decide` on a synthetic results file whose costs are hand-computable, the
//! example profiles, and profile errors that name the line and field.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use sealbench::decide::{
    Algorithms, Crossing, Decision, Options, Profile, Row, Strategy, decide, load_results,
};
use sealbench::results::ResultsFile;
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

[budget]
cores = 0.031
added_latency_us = 10

[[class]]
name = "secrets"
rate_per_s = 1000
sensitivity = "confidential"
delivery = "unicast"
sizes = [[1000, 1]]

[[class]]
name = "status"
rate_per_s = 2000
sensitivity = "integrity"
delivery = "broadcast"
fanout = 3
sizes = { p50 = 1000, p99 = 2000 }
"#;

fn profile(cores: f64) -> Profile {
    let text = PROFILE.replace("cores = 0.031", &format!("cores = {cores}"));
    Profile::parse(&text, Path::new("synthetic.toml")).unwrap()
}

fn row<'a>(d: &'a Decision, backend: &str, s: Strategy) -> &'a Row {
    d.rows
        .iter()
        .find(|r| r.backend == backend && r.strategy == s)
        .unwrap()
}

#[test]
fn seal_all_arithmetic() {
    let d = decide(&profile(0.031), &synthetic(), &Options::default()).unwrap();
    assert_eq!(d.results.backends, ["alpha", "beta"]);
    let c = row(&d, "alpha", Strategy::SealAll).costs.clone().unwrap();
    // secrets: 1000/s × (seal 2000 + open 1000) ns = 0.003 cores.
    assert!(close(c.classes[0].cores, 0.003), "{}", c.classes[0].cores);
    // status: half at 1000 B (2000 + 3 × 1000), half at 2000 B (3000 + 3 × 1500):
    // 2000/s × 6250 ns = 0.0125 cores.
    assert!(close(c.classes[1].cores, 0.0125), "{}", c.classes[1].cores);
    assert!(close(c.cores, 0.0155));
    // Latency: p50 1000 B → 3 µs; p99 2000 B → 4.5 µs (worst class).
    assert!(close(c.latency_p50_us, 3.0) && close(c.latency_p99_us, 4.5));
    // Bytes: 3000 msg/s × 40 B.
    assert!(close(c.added_bytes_per_s.unwrap(), 120_000.0));
    assert!(c.fits_cpu && c.fits_latency && c.fits_budget);
    // beta has no fit: the measured points give 2000 + 2 s and 1000 + s exactly.
    let b = row(&d, "beta", Strategy::SealAll).costs.clone().unwrap();
    // secrets 1000 × 6000 ns; status 2000 × (½(4000 + 3·2000) + ½(6000 + 3·3000)) ns.
    assert!(close(b.cores, 0.006 + 0.025), "{}", b.cores);
    assert!(row(&d, "beta", Strategy::SealAll).priced_from[0].contains("interpolated"));
    assert!(row(&d, "alpha", Strategy::SealAll).priced_from[0].contains("(fit)"));
}

#[test]
fn other_strategies_arithmetic() {
    let d = decide(&profile(0.031), &synthetic(), &Options::default()).unwrap();
    let mac_rest = row(&d, "alpha", Strategy::SealSensitiveMacRest);
    let c = mac_rest.costs.as_ref().unwrap();
    // status as Mac0: 2000 × (½·4·1100 + ½·4·1600) ns = 0.0108; plus secrets 0.003.
    assert!(close(c.cores, 0.0138), "{}", c.cores);
    assert!(mac_rest.meets_requirements);
    // sign-all: secrets 1000 × 70000; status 2000 × (20000 + 3 × 50000).
    let sign = row(&d, "alpha", Strategy::SignAll).costs.clone().unwrap();
    assert!(close(sign.cores, 0.07 + 0.34), "{}", sign.cores);
    assert!(close(sign.latency_p99_us, 70.0));
    // plain: (200 + 200) × 1000 + (200 + 3 × 200) × 2000.
    let plain = row(&d, "alpha", Strategy::Plain).costs.clone().unwrap();
    assert!(close(plain.cores, 0.0004 + 0.0016));
    assert!(close(plain.added_bytes_per_s.unwrap(), 90_000.0));
    // Hybrid, status to 3 recipients: seal s + 30000 + 40000 (⅔ of the 4-recipient
    // extra), open 0.5 s + 500000 + 200.
    let hy = row(&d, "alpha", Strategy::HybridAll);
    let h = hy.costs.as_ref().unwrap();
    let status = 0.5 * (71000.0 + 3.0 * 500700.0) + 0.5 * (72000.0 + 3.0 * 501200.0);
    assert!(
        close(h.classes[1].cores, 2000.0 * status / 1e9),
        "{}",
        h.classes[1].cores
    );
    assert!(close(
        h.classes[0].cores,
        1000.0 * (31000.0 + 500500.0) / 1e9
    ));
    assert_eq!(h.classes[1].recipients, 3);
    // Overhead: 300 + ⅔ × 810.
    assert!(close(
        h.classes[1].added_bytes_per_s.unwrap(),
        2000.0 * 840.0
    ));
    assert!(
        hy.notes
            .iter()
            .any(|n| n.contains("interpolated between measured 1 and 4"))
    );
    // beta lacks Sign1 and Encrypt: those strategies are not priced, with the reason.
    let beta_sign = row(&d, "beta", Strategy::SignAll);
    assert!(beta_sign.costs.is_none());
    assert!(
        beta_sign
            .unavailable
            .as_ref()
            .unwrap()
            .contains("sign1(ed25519)")
    );
}

#[test]
fn requirement_violations_are_flagged_and_still_costed() {
    let d = decide(&profile(0.031), &synthetic(), &Options::default()).unwrap();
    let mac = row(&d, "alpha", Strategy::MacAll);
    assert!(!mac.meets_requirements);
    assert!(mac.costs.is_some());
    assert_eq!(mac.violations.len(), 1);
    assert!(mac.violations[0].contains("\"secrets\" is confidential"));
    let plain = row(&d, "alpha", Strategy::Plain);
    assert_eq!(plain.violations.len(), 2);
    assert!(
        plain.cautions.is_empty(),
        "unencrypted is a violation, not a caution"
    );
    // Encrypt to public keys does not authenticate the sender.
    let hy = row(&d, "alpha", Strategy::HybridAll);
    assert!(!hy.meets_requirements);
    assert!(hy.violations[0].contains("\"status\" needs integrity"));
    assert!(hy.cautions[0].contains("\"secrets\""));
    let sign = row(&d, "alpha", Strategy::SignAll);
    assert!(
        !sign.meets_requirements,
        "signing does not hide the secrets"
    );
    for s in [
        Strategy::SealAll,
        Strategy::SealSensitiveMacRest,
        Strategy::SealSensitiveSignRest,
    ] {
        assert!(row(&d, "alpha", s).meets_requirements, "{s:?}");
        assert!(row(&d, "alpha", s).violations.is_empty());
    }
}

#[test]
fn break_even_is_exact() {
    let d = decide(&profile(0.031), &synthetic(), &Options::default()).unwrap();
    let b = d.break_even.iter().find(|b| b.backend == "alpha").unwrap();
    // 0.031 / 0.0155 = 2; 2 × 3000 msg/s.
    assert!(close(b.rate_multiplier.unwrap(), 2.0));
    assert!(close(b.msgs_per_s.unwrap(), 6000.0));
    // 1500 + 1.5 s = 10000 ns → s = 5666.67 bytes.
    let Crossing::Above(s) = b.latency_size else {
        panic!("{:?}", b.latency_size)
    };
    assert!(close(s, 8500.0 / 1.5));
    // beta: 3000 + 3 s = 10000 beyond the last measured size (2000) → 2333.3.
    let beta = d.break_even.iter().find(|b| b.backend == "beta").unwrap();
    let Crossing::Above(s) = beta.latency_size else {
        panic!("{:?}", beta.latency_size)
    };
    assert!(close(s, 7000.0 / 3.0));
}

#[test]
fn recommends_seal_all_when_it_fits() {
    let d = decide(&profile(0.031), &synthetic(), &Options::default()).unwrap();
    let r = &d.recommendation;
    assert_eq!(r.strategy, Some(Strategy::SealAll));
    assert_eq!(r.backend.as_deref(), Some("alpha"));
    assert!(
        r.reasons
            .iter()
            .any(|x| x.contains("no classification mistake"))
    );
    assert!(
        r.reasons
            .iter()
            .any(|x| x.contains("seal-sensitive+mac-rest on alpha"))
    );
}

#[test]
fn says_when_seal_all_is_also_the_cheapest() {
    // Only the confidential class: seal-sensitive+mac-rest is the same as seal-all.
    let text = PROFILE
        .split("\n[[class]]\nname = \"status\"")
        .next()
        .unwrap();
    let p = Profile::parse(text, Path::new("one.toml")).unwrap();
    let d = decide(&p, &synthetic(), &Options::default()).unwrap();
    let r = &d.recommendation;
    assert_eq!(r.strategy, Some(Strategy::SealAll));
    assert!(
        r.reasons
            .iter()
            .any(|x| x.contains("also the cheapest") && x.contains("1.00×")),
        "{:?}",
        r.reasons
    );
}

#[test]
fn recommends_cheapest_compliant_when_seal_all_does_not_fit() {
    // 0.015 cores: seal-all (0.0155) is over, seal-sensitive+mac-rest (0.0138) fits; mac-all
    // (cheaper) does not meet the requirements.
    let d = decide(&profile(0.015), &synthetic(), &Options::default()).unwrap();
    let r = &d.recommendation;
    assert_eq!(
        r.strategy,
        Some(Strategy::SealSensitiveMacRest),
        "{:?}",
        r.reasons
    );
    assert!(r.reasons[0].contains("seal-all does not fit"));
    assert!(
        r.reasons
            .iter()
            .any(|x| x.contains("relies on the classification"))
    );
    let none = decide(&profile(0.001), &synthetic(), &Options::default()).unwrap();
    assert_eq!(none.recommendation.strategy, None);
    assert!(
        none.recommendation
            .reasons
            .iter()
            .any(|x| x.contains("plain") || x.contains("needs"))
    );
}

#[test]
fn backend_and_algorithm_options() {
    let results = synthetic();
    let only = Options {
        backend: Some("beta".into()),
        ..Options::default()
    };
    let d = decide(&profile(0.031), &results, &only).unwrap();
    assert!(d.rows.iter().all(|r| r.backend == "beta"));
    let unknown = Options {
        backend: Some("gamma".into()),
        ..Options::default()
    };
    let err = decide(&profile(0.031), &results, &unknown)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("gamma") && err.contains("alpha, beta"),
        "{err}"
    );
    // ECDSA picks the ecdsap256 family (1 ns per op), not ed25519's.
    let ecdsa = Options {
        algorithms: Algorithms {
            sign: sealbench::backend::SignatureId::EcdsaP256Sha256,
            ..Algorithms::default()
        },
        ..Options::default()
    };
    let d = decide(&profile(0.031), &results, &ecdsa).unwrap();
    let sign = row(&d, "alpha", Strategy::SignAll).costs.clone().unwrap();
    assert!(close(sign.cores, (1000.0 * 2.0 + 2000.0 * 4.0) / 1e9));
}

fn parse_err(text: &str) -> (Option<usize>, Option<String>, String) {
    let e = Profile::parse(text, Path::new("bad.toml")).unwrap_err();
    (e.line(), e.field().map(str::to_string), e.to_string())
}

#[test]
fn profile_errors_name_line_and_field() {
    let unknown = PROFILE.replace(
        "delivery = \"unicast\"",
        "delivery = \"unicast\"\ncolour = 1",
    );
    let (line, field, msg) = parse_err(&unknown);
    assert_eq!(line, Some(14), "{msg}");
    assert_eq!(field.as_deref(), Some("class.colour"), "{msg}");
    assert!(msg.starts_with("bad.toml:14:"), "{msg}");

    let negative = PROFILE.replace("rate_per_s = 1000", "rate_per_s = -5");
    let (line, field, msg) = parse_err(&negative);
    assert_eq!(
        (line, field.as_deref()),
        (Some(11), Some("class.rate_per_s")),
        "{msg}"
    );

    let wrong_type = PROFILE.replace("rate_per_s = 2000", "rate_per_s = \"fast\"");
    let (line, field, msg) = parse_err(&wrong_type);
    assert_eq!(
        (line, field.as_deref()),
        (Some(18), Some("class.rate_per_s")),
        "{msg}"
    );

    let bad_sensitivity = PROFILE.replace("\"integrity\"", "\"secret\"");
    let (line, field, msg) = parse_err(&bad_sensitivity);
    assert_eq!(
        (line, field.as_deref()),
        (Some(19), Some("class.sensitivity")),
        "{msg}"
    );

    let no_fanout = PROFILE.replace("fanout = 3\n", "");
    let (_, field, msg) = parse_err(&no_fanout);
    assert_eq!(field.as_deref(), Some("class.fanout"), "{msg}");

    let unicast_fanout = PROFILE.replace("\"broadcast\"", "\"unicast\"");
    let (line, field, _) = parse_err(&unicast_fanout);
    assert_eq!((line, field.as_deref()), (Some(21), Some("class.fanout")));

    let missing = PROFILE.replace("provenance = \"hand-made for tests\"\n", "");
    let (_, field, msg) = parse_err(&missing);
    assert_eq!(field.as_deref(), Some("provenance"), "{msg}");

    let bins = PROFILE.replace("[[1000, 1]]", "[[1000, 1],\n  [500, 1]]");
    let (line, field, msg) = parse_err(&bins);
    assert_eq!(
        (line, field.as_deref()),
        (Some(15), Some("class.sizes")),
        "{msg}"
    );

    let dup = PROFILE.replace("name = \"status\"", "name = \"secrets\"");
    let (line, _, msg) = parse_err(&dup);
    assert_eq!(line, Some(17));
    assert!(msg.contains("first on line 10"), "{msg}");

    let zero_budget = PROFILE.replace("cores = 0.031", "cores = 0");
    let (line, field, _) = parse_err(&zero_budget);
    assert_eq!((line, field.as_deref()), (Some(6), Some("budget.cores")));
}

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

#[test]
fn example_profiles_parse_and_decide() {
    let names: Vec<String> = examples()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
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
    for path in examples() {
        let p = Profile::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(!p.classes.is_empty());
        let d = decide(&p, &synthetic(), &Options::default()).unwrap();
        assert!(!d.recommendation.reasons.is_empty());
    }
    let os = Profile::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/openstack-control-plane.toml"),
    )
    .unwrap();
    let rpc = &os.classes[0].sizes;
    // The measured histogram: 4,077 messages; p50 bin 2560, p99 bin 12288.
    assert_eq!((rpc.p50, rpc.p99), (2560, 12288));
    assert_eq!(rpc.points.len(), 11);
    assert!(close(rpc.points[0].1, 56.0 / 4077.0));
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
    let out = Command::new(bin)
        .args(["decide", "--json", "--profile"])
        .arg(&good)
        .arg("--results")
        .arg(&results)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["recommendation"]["strategy"], "seal-all");
    assert_eq!(v["algorithms"]["aead"], "aes128gcm");
    assert_eq!(v["break_even"][0]["latency_size"]["kind"], "above");
    assert_eq!(v["rows"][4]["strategy"], "seal-sensitive+mac-rest");
    let human = Command::new(bin)
        .arg("decide")
        .arg("--profile")
        .arg(&good)
        .arg("--results")
        .arg(&results)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("Recommendation: seal-all on alpha"), "{text}");
    assert!(text.contains("mac-all does not meet the profile's protection requirements"));
    let out = Command::new(bin)
        .arg("decide")
        .arg("--profile")
        .arg(&bad)
        .arg("--results")
        .arg(&results)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(":18:") && err.contains("class.rate_per_s"),
        "{err}"
    );
    for p in [results, good, bad] {
        let _ = std::fs::remove_file(p);
    }
    // load_results rejects a file of another kind.
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
