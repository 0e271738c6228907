//! `sealbench gate` on the committed fixtures in `tests/data/gate/` (no live timing):
//! verdicts, ordering, missing scenarios, thresholds, cross-machine refusal, exit codes,
//! JSON and markdown.
//!
//! Fixtures (wall unless named icount), baseline → candidate-pass / candidate-regression:
//! - `seal_ring_aes128gcm_64`: 100 → 104 (+4%, small: unchanged) in both;
//! - `seal_ring_aes128gcm_16384`: 2000 → 2150 [1900, 2400] (+7.5% on a bulk size, interval
//!   from −6%: within noise) / → 2600 [2580, 2620] (+30%, interval from +27.7%: regression);
//! - `open_openssl_aes128gcm_16384`: 3000 → 2400 (−20%: improvement) in both;
//! - `env-open_encrypt0_aws-lc_aes128gcm_kid_64`: 400 → 395 / → 480 [470, 490] (+20%,
//!   interval from +16.3%: regression, path vaes-avx512 → aesni-clmul-avx);
//! - `verify_ring_ed25519_64`: 60000 → 61000 (+1.7%);
//! - `env-seal_mac0_ring_hmacsha256_kid_64` only in the baseline, `sign_ring_ed25519_64`
//!   only in the candidates. `other-machine.json` is candidate-pass on an Intel CPU.
//! - icount: `seal_ring_aes128gcm_64` 704 → 712 (+1.14% > 1%), `open_ring_aes128gcm_64`
//!   845 → 849 (+0.47%), `verify_ring_ed25519_64` +2.5% (< 5% for variable-time verify).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;
use std::process::{Command, Output};

fn data(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/gate")
        .join(name)
        .display()
        .to_string()
}

fn gate(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sealbench"))
        .arg("gate")
        .args(args)
        .output()
        .expect("run sealbench gate")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exit code")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn json(args: &[&str]) -> (i32, serde_json::Value) {
    let mut a = args.to_vec();
    a.push("--json");
    let o = gate(&a);
    (
        code(&o),
        serde_json::from_slice(&o.stdout).expect("gate --json output"),
    )
}

fn pair(baseline: &str, candidate: &str) -> Vec<String> {
    vec![
        "--baseline".into(),
        data(baseline),
        "--candidate".into(),
        data(candidate),
    ]
}

fn refs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn rows(v: &serde_json::Value) -> Vec<(String, String, f64)> {
    v["comparison"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["verdict"].as_str().unwrap().to_string(),
                r["change"]["change"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn pass_fixture_exits_0_with_noise_and_improvement_passing() {
    let a = pair("baseline.json", "candidate-pass.json");
    let (c, v) = json(&refs(&a));
    assert_eq!(c, 0);
    assert_eq!(v["kind"], "sealbench-gate");
    assert_eq!(v["passed"], true);
    assert_eq!(v["metric"], "wall");
    let r = rows(&v);
    let verdict = |id: &str| r.iter().find(|x| x.0 == id).unwrap().1.clone();
    assert_eq!(verdict("seal_ring_aes128gcm_16384"), "noise");
    assert_eq!(verdict("open_openssl_aes128gcm_16384"), "improvement");
    assert_eq!(verdict("seal_ring_aes128gcm_64"), "unchanged");
}

#[test]
fn regression_fixture_exits_1_and_names_both_regressions() {
    let a = pair("baseline.json", "candidate-regression.json");
    let (c, v) = json(&refs(&a));
    assert_eq!(c, 1);
    assert_eq!(v["passed"], false);
    let flagged: Vec<String> = rows(&v)
        .into_iter()
        .filter(|r| r.1 == "regression")
        .map(|r| r.0)
        .collect();
    assert_eq!(
        flagged,
        [
            "seal_ring_aes128gcm_16384",
            "env-open_encrypt0_aws-lc_aes128gcm_kid_64"
        ]
    );
    // A file candidate cannot be re-measured: no confirmation, and a note says so.
    assert!(v["comparison"]["rows"][0]["confirmation"].is_null());
    let notes = v["notes"].to_string();
    assert!(notes.contains("cannot be re-measured"), "{notes}");
}

#[test]
fn rows_are_sorted_by_absolute_change_and_missing_scenarios_listed() {
    let a = pair("baseline.json", "candidate-regression.json");
    let (_, v) = json(&refs(&a));
    let changes: Vec<f64> = rows(&v).iter().map(|r| r.2.abs()).collect();
    assert_eq!(changes.len(), 5);
    assert!(changes.windows(2).all(|w| w[0] >= w[1]), "{changes:?}");
    // +30%, then −20% and +20% (ties by id), +4%, +1.7%.
    assert_eq!(rows(&v)[0].0, "seal_ring_aes128gcm_16384");
    assert_eq!(
        v["comparison"]["missing_in_baseline"],
        serde_json::json!(["sign_ring_ed25519_64"])
    );
    assert_eq!(
        v["comparison"]["missing_in_candidate"],
        serde_json::json!(["env-seal_mac0_ring_hmacsha256_kid_64"])
    );
}

#[test]
fn thresholds_per_family_can_be_overridden() {
    let mut a = pair("baseline.json", "candidate-regression.json");
    // Bulk 40% clears the +30% bulk regression; the envelope one is still flagged.
    a.extend(["--threshold".into(), "bulk=40".into()]);
    let (c, v) = json(&refs(&a));
    assert_eq!(c, 1);
    let t = |v: &serde_json::Value, id: &str| {
        let r = v["comparison"]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone();
        (r["threshold"].as_f64().unwrap(), r["verdict"].clone())
    };
    assert_eq!(t(&v, "seal_ring_aes128gcm_16384").0, 0.40);
    assert_eq!(t(&v, "seal_ring_aes128gcm_64").0, 0.10);
    // A family prefix clears the other one.
    a.extend(["--threshold".into(), "env-open_*=25%".into()]);
    let (c, v) = json(&refs(&a));
    assert_eq!(c, 0);
    assert_eq!(t(&v, "env-open_encrypt0_aws-lc_aes128gcm_kid_64").0, 0.25);
    // Malformed thresholds are usage errors naming the flag.
    let mut bad = pair("baseline.json", "candidate-pass.json");
    bad.extend(["--threshold".into(), "bulk".into()]);
    let o = gate(&refs(&bad));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--threshold"), "{}", stderr(&o));
}

#[test]
fn icount_threshold_is_one_percent_and_wider_for_variable_time_verify() {
    let a = pair("icount-baseline.json", "icount-candidate.json");
    let (c, v) = json(&refs(&a));
    assert_eq!(c, 1);
    assert_eq!(v["metric"], "icount");
    let r = rows(&v);
    assert_eq!(
        r.iter()
            .map(|x| (x.0.as_str(), x.1.as_str()))
            .collect::<Vec<_>>(),
        [
            ("verify_ring_ed25519_64", "unchanged"),
            ("seal_ring_aes128gcm_64", "regression"),
            ("open_ring_aes128gcm_64", "unchanged"),
        ]
    );
    // A wall baseline is not an icount one.
    let mut m = pair("baseline.json", "candidate-pass.json");
    m.extend(["--metric".into(), "icount".into()]);
    let o = gate(&refs(&m));
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no icount run"), "{}", stderr(&o));
}

#[test]
fn wall_times_from_another_machine_are_refused_unless_allowed() {
    let a = pair("baseline.json", "other-machine.json");
    let o = gate(&refs(&a));
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(e.contains("refusing to compare wall results"), "{e}");
    assert!(
        e.contains("cpu model") && e.contains("--allow-cross-machine"),
        "{e}"
    );
    assert!(e.contains("only baseline [avx512f]"), "{e}");
    let mut allowed = a.clone();
    allowed.push("--allow-cross-machine".into());
    let (c, v) = json(&refs(&allowed));
    assert_eq!(c, 0);
    assert!(v["notes"].to_string().contains("different machines"));
}

#[test]
fn bad_inputs_exit_2_and_name_the_file() {
    let missing = data("does-not-exist.json");
    let o = gate(&[
        "--baseline",
        &missing,
        "--candidate",
        &data("candidate-pass.json"),
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains(&missing), "{}", stderr(&o));

    let dir = std::env::temp_dir().join(format!("sealbench-gate-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let garbage = dir.join("garbage.json");
    std::fs::write(&garbage, "{\"kind\": 3}").unwrap();
    let g = garbage.display().to_string();
    let o = gate(&["--baseline", &data("baseline.json"), "--candidate", &g]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains(&g), "{}", stderr(&o));

    // A filter that matches nothing on either side.
    let mut f = pair("baseline.json", "candidate-pass.json");
    f.extend(["--filter".into(), "no-such-scenario".into()]);
    let o = gate(&refs(&f));
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("no scenario in common"),
        "{}",
        stderr(&o)
    );

    // --baseline is required.
    assert_eq!(
        code(&gate(&["--candidate", &data("candidate-pass.json")])),
        2
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn filter_restricts_both_sides() {
    let mut a = pair("baseline.json", "candidate-regression.json");
    a.extend(["--filter".into(), "_ring_".into()]);
    let (c, v) = json(&refs(&a));
    // The bulk ring seal is still in, and still a regression.
    assert_eq!(c, 1);
    assert!(rows(&v).iter().all(|r| r.0.contains("_ring_")));
    let mut b = pair("baseline.json", "candidate-regression.json");
    b.extend(["--filter".into(), "ring_aes128gcm_64".into()]);
    let (c, v) = json(&refs(&b));
    assert_eq!(c, 0);
    assert_eq!(rows(&v).len(), 1);
}

#[test]
fn update_baseline_writes_the_candidate_as_a_results_file() {
    let dir = std::env::temp_dir().join(format!("sealbench-gate-upd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let base = dir.join("base.json").display().to_string();
    let cand = data("candidate-regression.json");
    let o = gate(&[
        "--baseline",
        &base,
        "--candidate",
        &cand,
        "--update-baseline",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("wrote wall baseline: 6 scenarios"));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&base).unwrap()).unwrap();
    assert_eq!(written["kind"], "sealbench-results");
    assert_eq!(written["runs"][0]["clock"], "wall");
    assert_eq!(
        written["runs"][0]["environment"]["cpu"]["model"],
        "AMD EPYC"
    );
    // Against itself: everything unchanged, exit 0.
    let (c, v) = json(&["--baseline", &base, "--candidate", &cand]);
    assert_eq!(c, 0);
    assert!(rows(&v).iter().all(|r| r.1 == "unchanged" && r.2 == 0.0));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn markdown_shape_for_the_step_summary() {
    let a = pair("baseline.json", "candidate-regression.json");
    let o = gate(&refs(&a));
    assert_eq!(code(&o), 1);
    let md = stdout(&o);
    assert!(
        md.starts_with("## ❌ sealbench gate (wall): 2 regression(s)\n"),
        "{md}"
    );
    let header = "| Scenario | Baseline (ns) | Candidate (ns) | Change | 95% interval | Threshold | Verdict |";
    assert!(
        md.contains(&format!("### Regressions\n\n{header}\n")),
        "{md}"
    );
    // Values in the column's unit (ns), never "µs" in a "(ns)" column.
    assert!(md.contains("| `seal_ring_aes128gcm_16384` | 2000 | 2600 | +30.00% | [+27.72%, +32.32%] | 5.0% | ❌ regression |"), "{md}");
    assert!(md.contains("| `env-open_encrypt0_aws-lc_aes128gcm_kid_64` (path vaes-avx512 → aesni-clmul-avx) | 400.0 | 480.0 |"), "{md}");
    assert!(!md.contains("µs"), "{md}");
    assert!(md.contains(
        "`env-open_encrypt0_aws-lc_aes128gcm_kid_64` (path vaes-avx512 → aesni-clmul-avx)"
    ));
    assert!(md.contains("<details>\n<summary>All 5 scenarios, by decreasing |change|</summary>"));
    // The missing list is collapsed, and a warning at the top says the sets differ.
    assert!(md.contains(
        "<details>\n<summary>⚠️ 2 scenarios on one side only: 1 only in the candidate, 1 only in the baseline</summary>"
    ), "{md}");
    assert!(md.contains("* `sign_ring_ed25519_64`"));
    let top = md.split("| | Baseline | Candidate |").next().unwrap();
    assert!(
        top.contains("> ⚠️ scenario sets differ: 5 compared"),
        "{top}"
    );
    assert!(md.contains("| Revision | `91cc056` | `7e0c2ed` |"));
    for line in md.lines().filter(|l| l.starts_with("| `")) {
        assert_eq!(line.matches(" | ").count(), 6, "{line}");
    }
    let pass = gate(&refs(&pair("baseline.json", "candidate-pass.json")));
    assert!(stdout(&pass).starts_with("## ✅ sealbench gate (wall): pass\n"));
    assert!(!stdout(&pass).contains("### Regressions"));
}

/// `sealbench run`-style fixtures (one process per file, controls included): see
/// scripts/gen-gate-fixtures.py.
fn files(side: &str, names: &[&str]) -> Vec<String> {
    let mut v = vec![side.to_string()];
    v.extend(names.iter().map(|n| data(n)));
    v
}

fn verdict_of(v: &serde_json::Value, id: &str) -> String {
    rows(v).into_iter().find(|r| r.0 == id).unwrap().1
}

#[test]
fn a_single_run_pair_only_suspects_unless_strict() {
    let mut a = files("--baseline", &["run-base-1.json"]);
    a.extend(files("--candidate", &["run-slow-1.json"]));
    let (c, v) = json(&refs(&a));
    assert_eq!(c, 0, "{v}");
    assert_eq!(verdict_of(&v, "seal_openssl_aes128gcm_64"), "suspected");
    assert_eq!(verdict_of(&v, "seal_ring_aes128gcm_64"), "unchanged");
    let w = v["warnings"].to_string();
    assert!(
        w.contains("1 suspected regression(s) did not fail") && w.contains("--strict"),
        "{w}"
    );
    // The controls are compared apart, never as rows.
    assert_eq!(v["controls"]["state"], "steady");
    assert_eq!(v["comparison"]["controls"].as_array().unwrap().len(), 3);
    assert!(
        rows(&v)
            .iter()
            .all(|r| !r.0.starts_with("memcpy_") && r.0 != "arith_1024")
    );
    // Markdown: a warning heading, the suspects listed.
    let md = stdout(&gate(&refs(&a)));
    assert!(
        md.starts_with("## ⚠️ sealbench gate (wall): pass, 1 suspected regression(s)"),
        "{md}"
    );
    assert!(md.contains("### Suspected (not failing)"), "{md}");
    // --strict fails on it.
    a.push("--strict".into());
    let (c, v) = json(&refs(&a));
    assert_eq!(c, 1);
    assert_eq!(verdict_of(&v, "seal_openssl_aes128gcm_64"), "regression");
}

#[test]
fn several_runs_per_side_are_pooled_and_can_fail() {
    let mut a = files("--baseline", &["run-base-1.json", "run-base-2.json"]);
    a.extend(files(
        "--candidate",
        &["run-slow-1.json", "run-slow-2.json"],
    ));
    let (c, v) = json(&refs(&a));
    assert_eq!(c, 1, "{v}");
    assert_eq!(v["baseline"]["runs"], 2);
    assert_eq!(verdict_of(&v, "seal_openssl_aes128gcm_64"), "regression");
    assert_eq!(verdict_of(&v, "seal_ring_aes128gcm_64"), "unchanged");
    // The pooled interval spans both runs' intervals: 176.4 (run 2's low) to 181.8.
    let row = v["comparison"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "seal_openssl_aes128gcm_64")
        .unwrap()
        .clone();
    assert!(
        (row["baseline"]["low"].as_f64().unwrap() - 176.418).abs() < 1e-6,
        "{row}"
    );
    assert!(
        (row["baseline"]["high"].as_f64().unwrap() - 181.8).abs() < 1e-6,
        "{row}"
    );
}

#[test]
fn a_machine_wide_shift_on_the_controls_is_factored_out() {
    let mut a = files("--baseline", &["run-base-1.json", "run-base-2.json"]);
    a.extend(files(
        "--candidate",
        &["run-shift-1.json", "run-shift-2.json"],
    ));
    let (c, v) = json(&refs(&a));
    assert_eq!(c, 0, "{v}");
    assert_eq!(v["controls"]["state"], "shifted");
    let shift = v["controls"]["shift"].as_f64().unwrap();
    assert!((shift - 0.30).abs() < 0.01, "{shift}");
    for r in rows(&v) {
        assert_eq!(r.1, "unchanged", "{r:?}");
        assert!(r.2.abs() < 0.02, "{r:?}");
    }
    assert!(
        v["warnings"]
            .to_string()
            .contains("machine-wide shift of +30"),
        "{}",
        v["warnings"]
    );
    // The unadjusted change is kept beside the adjusted one.
    let raw = v["comparison"]["rows"][0]["unadjusted"]["change"]
        .as_f64()
        .unwrap();
    assert!(raw > 0.25, "{raw}");
}

#[test]
fn controls_that_disagree_widen_every_threshold() {
    let mut a = files("--baseline", &["run-base-1.json", "run-base-2.json"]);
    a.extend(files(
        "--candidate",
        &["run-differs-1.json", "run-differs-2.json"],
    ));
    let (c, v) = json(&refs(&a));
    // memcpy +40%, arith unchanged: a 40% margin on top of 10%; +100% is still beyond it.
    assert_eq!(c, 1, "{v}");
    assert_eq!(v["controls"]["state"], "differs");
    assert!((v["controls"]["margin"].as_f64().unwrap() - 0.40).abs() < 0.01);
    assert_eq!(verdict_of(&v, "seal_openssl_aes128gcm_64"), "regression");
    let row = &v["comparison"]["rows"][0];
    assert!(
        (row["threshold"].as_f64().unwrap() - 0.50).abs() < 0.01,
        "{row}"
    );
    assert!(v["warnings"].to_string().contains("machine state differs"));
    // At a 70% threshold the margin takes it to 110%, above the +100%.
    a.extend(["--threshold".into(), "seal_openssl_aes128gcm=70".into()]);
    let (c, v) = json(&refs(&a));
    assert_eq!(c, 0, "{v}");
    assert_ne!(verdict_of(&v, "seal_openssl_aes128gcm_64"), "regression");
}

#[test]
fn different_run_profiles_are_a_note_at_the_top() {
    let mut a = files("--baseline", &["baseline.json"]);
    a.extend(files("--candidate", &["run-base-1.json"]));
    let (c, v) = json(&refs(&a));
    assert_eq!(c, 0);
    let w = v["warnings"].to_string();
    assert!(
        w.contains("run profiles differ: baseline `gate-wall`, candidate `quick`"),
        "{w}"
    );
    assert!(w.contains("scenario sets differ"), "{w}");
}

#[test]
fn filters_take_globs_and_regexes_and_keep_the_controls() {
    let mut a = files("--baseline", &["run-base-1.json", "run-base-2.json"]);
    a.extend(files(
        "--candidate",
        &["run-slow-1.json", "run-slow-2.json"],
    ));
    for f in ["seal_ring_*", "^seal_ring_", "re:ring_aes128gcm_64$"] {
        let mut b = a.clone();
        b.extend(["--filter".into(), f.into()]);
        let (c, v) = json(&refs(&b));
        assert_eq!(c, 0, "{f}");
        assert_eq!(rows(&v).len(), 1, "{f}");
        assert_eq!(v["comparison"]["controls"].as_array().unwrap().len(), 3);
    }
}

#[test]
fn two_binary_flags_need_each_other_and_valid_env() {
    let bin = env!("CARGO_BIN_EXE_sealbench");
    let o = gate(&["--baseline-bin", bin]);
    assert_eq!(code(&o), 2);
    let o = gate(&[
        "--baseline-bin",
        bin,
        "--candidate-bin",
        bin,
        "--candidate-env",
        "NOEQUALS",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--candidate-env"), "{}", stderr(&o));
    let o = gate(&[
        "--baseline-bin",
        "/nonexistent/sealbench",
        "--candidate-bin",
        bin,
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("/nonexistent/sealbench"),
        "{}",
        stderr(&o)
    );
}
