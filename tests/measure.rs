//! The measurement engine: matrix coverage, mock-timed scheduling and statistics, and a
//! tiny real `sealbench run` producing a valid results file and CSV.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::HashSet;
use std::process::Command;

use sealbench::backend::{ALL_BACKENDS, AeadId};
use sealbench::envelope::Mode;
use sealbench::measure::runner::measure;
use sealbench::measure::stats::{cost_fit, summarize};
use sealbench::measure::timer::Elapsed;
use sealbench::measure::{
    DEFAULT_SIZES, Layer, MatrixSpec, MeasureError, MockTimer, Op, QUICK, Routine, Scenario, Timer,
    Work, matrix,
};
use sealbench::results::ResultsFile;

fn spec(quick: bool) -> MatrixSpec {
    MatrixSpec {
        sizes: DEFAULT_SIZES.to_vec(),
        backends: ALL_BACKENDS.to_vec(),
        quick,
    }
}

fn covered(m: &[Scenario], backend: Option<&str>, mode: Mode, op: Op, size: usize) -> bool {
    m.iter().any(|s| {
        s.envelope().is_some_and(|e| e.mode == mode)
            && s.op == op
            && s.size == size
            && s.backend.map(|b| b.name) == backend
    })
}

#[test]
fn default_matrix_covers_every_mode_backend_and_size() {
    let m = matrix(&spec(false));
    for &size in DEFAULT_SIZES {
        for op in [Op::Seal, Op::Open] {
            assert!(covered(&m, None, Mode::Plain, op, size), "plain {size}");
            for b in ALL_BACKENDS {
                for &mode in Mode::ALL.iter().filter(|&&m| m != Mode::Plain) {
                    assert!(
                        covered(&m, Some(b.name), mode, op, size),
                        "{} {} {:?} {size}",
                        b.name,
                        mode.label(),
                        op
                    );
                }
                for &a in AeadId::ALL {
                    let raw = m.iter().any(|s| {
                        s.work == Work::Aead(a)
                            && s.op == op
                            && s.size == size
                            && s.backend.is_some_and(|x| x.name == b.name)
                    });
                    assert!(raw, "raw {} {} {size}", b.name, a.label());
                }
            }
        }
    }
}

#[test]
fn quick_matrix_keeps_every_size_for_symmetric_modes_and_every_mode() {
    let m = matrix(&spec(true));
    for b in ALL_BACKENDS {
        for &size in DEFAULT_SIZES {
            for mode in [Mode::Mac0, Mode::Encrypt0] {
                assert!(covered(&m, Some(b.name), mode, Op::Open, size));
            }
        }
        for &mode in Mode::ALL.iter().filter(|&&m| m != Mode::Plain) {
            assert!(
                covered(&m, Some(b.name), mode, Op::Seal, 64),
                "{}",
                mode.label()
            );
        }
    }
    assert!(m.len() < matrix(&spec(false)).len());
}

#[test]
fn scenario_ids_are_unique_and_stable() {
    let mut all = matrix(&spec(false));
    let tagged: Vec<Scenario> = all
        .iter()
        .filter(|s| matches!(s.work, Work::Aead(_)))
        .map(|s| Scenario {
            backend_tag: Some("no-aesni"),
            ..*s
        })
        .collect();
    all.extend(tagged);
    let mut seen = HashSet::new();
    for s in &all {
        assert!(seen.insert(s.id()), "duplicate id {}", s.id());
        assert!(!s.inside_loop().is_empty(), "{} declares its loop", s.id());
        if s.layer() == Layer::Envelope && s.op == Op::Open {
            assert!(s.inside_loop().iter().any(|x| x == "replay check"));
        }
    }
    assert!(seen.contains("seal_aws-lc_aes128gcm_1350"));
    assert!(seen.contains("env-seal_encrypt0_aws-lc_aes128gcm_kid_1350"));
    assert!(seen.contains("seal_openssl@no-aesni_aes128gcm_1350"));
}

/// A routine whose operations "take" `50 + 0.25·size` ns on a mock clock, with every third
/// batch 2% slower.
struct Linear<'t> {
    timer: &'t MockTimer,
    size: u64,
    calls: u64,
}

impl Routine for Linear<'_> {
    fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError> {
        self.calls += 1;
        let per_op = 50 * 4 + self.size; // in quarter nanoseconds
        let mut quarter_ns = iters * per_op;
        if self.calls.is_multiple_of(3) {
            quarter_ns += quarter_ns / 50;
        }
        let t0 = timer.now();
        self.timer.advance(quarter_ns / 4, quarter_ns / 4);
        Ok(timer.now().since(t0))
    }
}

#[test]
fn mock_timed_runs_recover_the_cost_model() {
    let mut points = Vec::new();
    for &size in DEFAULT_SIZES {
        let t = MockTimer::new();
        let mut r = Linear {
            timer: &t,
            size: size as u64,
            calls: 0,
        };
        let s = measure(&mut r, &t, &QUICK).unwrap();
        let stats = summarize(&s.wall_ns, &s.cpu_ns, s.iters);
        let exact = 50.0 + 0.25 * size as f64;
        assert_eq!(stats.samples, 11);
        assert!(stats.min_ns <= stats.median_ns && stats.median_ns <= stats.max_ns);
        assert!(stats.ci95_low_ns <= stats.median_ns && stats.median_ns <= stats.ci95_high_ns);
        assert!(
            (stats.median_ns / exact - 1.0).abs() < 1e-3,
            "{size}: {stats:?}"
        );
        assert!(!stats.noisy, "2% jitter is not noise: {stats:?}");
        // Samples last about the 1 ms target.
        let sample_ns = stats.median_ns * s.iters as f64;
        assert!(
            (1e6..1.1e6).contains(&sample_ns) || s.iters == 1,
            "{size}: {sample_ns}"
        );
        points.push((size as u64, stats.median_ns));
    }
    let fit = cost_fit("mock", &points).unwrap();
    assert!((fit.fixed_ns - 50.0).abs() < 0.1, "{fit:?}");
    assert!((fit.per_byte_ns - 0.25).abs() < 1e-4, "{fit:?}");
    assert!((fit.gb_per_s - 4.0).abs() < 0.01);
}

fn sealbench() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sealbench"))
}

#[test]
fn tiny_real_run_writes_results_and_csv() {
    let dir = std::env::temp_dir().join(format!("sealbench-measure-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (json, csv) = (dir.join("r.json"), dir.join("r.csv"));
    let out = sealbench()
        .args([
            "run",
            "--quick",
            "--quiet",
            "--sizes",
            "64",
            "--backend",
            "ring",
        ])
        .args(["--filter", "ring_aes128gcm", "--out"])
        .arg(&json)
        .arg("--csv")
        .arg(&csv)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Bytes on the wire"), "{stdout}");

    let file: ResultsFile = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(file.kind, "sealbench-results");
    let run = &file.runs[0];
    assert_eq!(run.profile, "quick");
    assert!(run.environment["cpu"].is_object());
    let ids: Vec<&str> = run.scenarios.iter().map(|s| s.id.as_str()).collect();
    // The controls are in every run, whatever the filter.
    assert_eq!(
        ids,
        [
            "memcpy_64",
            "arith_1024",
            "seal_ring_aes128gcm_64",
            "open_ring_aes128gcm_64",
            "env-seal_encrypt0_ring_aes128gcm_kid_64",
            "env-open_encrypt0_ring_aes128gcm_kid_64",
        ]
    );
    assert_eq!(run.scenarios[1].layer, "control");
    // The build profile is recorded.
    let bp = &run.environment["build_profile"];
    assert!(bp["name"].is_string() && bp["lto"].is_string(), "{bp}");
    for s in &run.scenarios {
        assert!(s.stats.samples >= 3 && s.stats.median_ns > 0.0, "{s:?}");
        assert!(s.stats.ci95_low_ns <= s.stats.median_ns);
        assert_eq!(
            s.impl_path.is_some(),
            s.algorithm == "aes128gcm",
            "AEAD path recorded: {}",
            s.id
        );
        assert_eq!(
            s.overhead_bytes.is_some(),
            s.layer == "envelope",
            "{}",
            s.id
        );
    }
    let env_seal = &run.scenarios[4];
    assert_eq!(
        env_seal.overhead_bytes,
        Some(120),
        "Encrypt0 with an 8-byte kid, audience and issuer claims at 64 B"
    );

    let text = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1 + run.scenarios.len());
    assert!(lines[0].starts_with("id,family,layer,op,"));
    assert!(lines[3].starts_with("seal_ring_aes128gcm_64,seal_ring_aes128gcm,raw,seal,"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_arguments_name_the_flag_and_exit_2() {
    for (args, needle) in [
        (&["--sizes", "64,0"][..], "--sizes"),
        (&["--sizes", "big"][..], "--sizes"),
        (
            &["--backend", "nope"][..],
            "unknown backend \"nope\" (compiled in: ",
        ),
        (
            &["--out", "/nonexistent-dir/r.json"][..],
            "--out /nonexistent-dir/r.json",
        ),
        (
            &["--csv", "/nonexistent-dir/r.csv"][..],
            "--csv /nonexistent-dir/r.csv",
        ),
        (&["--filter", "no-such-scenario"][..], "--filter"),
    ] {
        let out = sealbench()
            .arg("run")
            .arg("--quick")
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("sealbench-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn list_prints_ids_and_filter_takes_globs_and_regexes() {
    let list = |filter: &str| -> Vec<String> {
        let out = sealbench()
            .args(["run", "--quick", "--list", "--filter", filter])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    };
    let controls = ["arith_1024", "memcpy_64"];
    let without = |v: Vec<String>| -> Vec<String> {
        v.into_iter()
            .filter(|id| !id.starts_with("memcpy_") && id != "arith_1024")
            .collect()
    };
    // Glob: the whole id.
    let g = list("seal_*_aes128gcm_64");
    for c in controls {
        assert!(g.iter().any(|i| i == c), "{c} in every run: {g:?}");
    }
    let g = without(g);
    assert_eq!(g.len(), ALL_BACKENDS.len(), "{g:?}");
    assert!(
        g.iter()
            .all(|i| i.starts_with("seal_") && i.ends_with("_aes128gcm_64"))
    );
    // Regex, anchored.
    let r = without(list("^(seal|open)_ring_aes128gcm_(64|16384)$"));
    assert_eq!(
        r,
        [
            "seal_ring_aes128gcm_64",
            "seal_ring_aes128gcm_16384",
            "open_ring_aes128gcm_64",
            "open_ring_aes128gcm_16384"
        ]
    );
    // A substring with a `+` is literal.
    let s = without(list("x25519+aes128gcm_r1_reuse1_64"));
    assert!(
        !s.is_empty()
            && s.iter()
                .all(|i| i.contains("x25519+aes128gcm_r1_reuse1_64"))
    );
    // A malformed regex names the flag.
    let out = sealbench()
        .args(["run", "--list", "--filter", "re:("])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--filter"));
}

#[test]
fn run_without_out_writes_a_default_results_file_and_says_where() {
    let dir = temp_dir("default-out");
    let out = sealbench()
        .current_dir(&dir)
        .args([
            "run",
            "--quick",
            "--quiet",
            "--sizes",
            "64",
            "--backend",
            "ring",
        ])
        .args(["--filter", "^seal_ring_aes128gcm"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files: Vec<_> = std::fs::read_dir(dir.join("results"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().to_string();
    assert!(
        name.starts_with("run-") && name.ends_with(".json") && !name.contains(':'),
        "{name}"
    );
    assert!(
        stdout.contains(&format!("results: results/{name}")),
        "{stdout}"
    );
    let file = ResultsFile::load(&files[0]).unwrap();
    assert!(
        file.runs[0]
            .scenarios
            .iter()
            .any(|s| s.id == "seal_ring_aes128gcm_64")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_wrong_kind_of_file_is_named() {
    let dir = temp_dir("wrong-kind");
    let kat = dir.join("kat.json");
    std::fs::write(&kat, r#"{"environment": null, "records": []}"#).unwrap();
    let e = ResultsFile::load(&kat).unwrap_err().to_string();
    assert!(
        e.contains("kat.json is a kat file (`sealbench kat --json`), expected a results file from `sealbench run`"),
        "{e}"
    );
    let gate = dir.join("gate.json");
    std::fs::write(&gate, r#"{"kind": "sealbench-gate", "passed": true}"#).unwrap();
    assert!(
        ResultsFile::load(&gate)
            .unwrap_err()
            .to_string()
            .contains("is a gate report")
    );
    let newer = dir.join("newer.json");
    std::fs::write(
        &newer,
        r#"{"kind": "sealbench-results", "schema_version": 99, "runs": []}"#,
    )
    .unwrap();
    assert!(
        ResultsFile::load(&newer)
            .unwrap_err()
            .to_string()
            .contains("schema version 99")
    );
    // Through the CLI: the gate names the kind too.
    let out = sealbench()
        .args(["gate", "--baseline"])
        .arg(&kat)
        .arg("--candidate")
        .arg(&kat)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("is a kat file") && !err.contains("missing field"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_closed_stdout_ends_quietly_for_every_subcommand() {
    use std::process::Stdio;
    let gate_data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gate/");
    let base = format!("{gate_data}baseline.json");
    let cand = format!("{gate_data}candidate-pass.json");
    let cases: Vec<Vec<&str>> = vec![
        vec!["run", "--list"],
        vec!["gate", "--baseline", &base, "--candidate", &cand],
        vec!["gate", "--baseline", &base, "--candidate", &cand, "--json"],
        vec!["backends"],
        vec!["cpu"],
    ];
    for args in cases {
        let mut child = sealbench()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take()); // the reader goes away before the first write
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            matches!(out.status.code(), Some(0 | 141)),
            "{args:?}: {:?} {err}",
            out.status
        );
    }
}
