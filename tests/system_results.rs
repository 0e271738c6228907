//! End-to-end results read back without the broker: the typed `system` block, `decide
//! --system` and the report's end-to-end section, on a hand-made `e2e.json`
//! (tests/data/e2e-system.json: plain call over TCP 200 + 150 µs per RPC at 1000/s, the
//! same over TLS 350 + 210 µs, seal-all and sign-all on aws-lc, a 3-server fanout).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use sealbench::report::{Block, Report, ReportInput, write_all};
use sealbench::results::system::{Pattern, Protection, SystemFile, SystemLoadError, Transport};
use serde_json::Value;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn the_system_block_is_typed_and_tls_is_attributed() {
    let file = SystemFile::load(&data("e2e-system.json")).unwrap();
    let run = &file.runs[0];
    assert_eq!(run.scenarios.len(), 7);
    let tls = run
        .find(
            Pattern::Call,
            Protection::Plain,
            "none",
            Transport::Tls,
            1000.0,
        )
        .unwrap();
    // The fixture has no `tls` field (an older file): it is filled on load.
    let t = tls.cpu_per_rpc.tls.as_ref().unwrap();
    assert!(close(t.broker_us, 150.0) && close(t.clients_us, 60.0) && close(t.total_us, 210.0));
    assert_eq!(t.baseline_id, "e2e-call_plain_none_tcp_r1000");
    let p = tls.cpu_per_rpc.parts();
    assert!(close(
        p.broker_us + p.clients_us + p.envelope_us + p.tls_us,
        tls.cpu_per_rpc.total_us
    ));
    let tcp = run
        .highest_sustained(Pattern::Call, Protection::Plain, "none", Transport::Tcp)
        .unwrap();
    assert_eq!(tcp.offered_per_s, 1000.0, "2000/s was not sustained");
    assert!(tcp.cpu_per_rpc.tls.is_none());
    assert!(close(tcp.cpu_per_message_us(), 175.0));
}

#[test]
fn wrong_files_are_named_with_their_kind() {
    let missing = data("no-such-e2e.json");
    let err = SystemFile::load(&missing).unwrap_err();
    assert!(err.to_string().contains("no-such-e2e.json"), "{err}");
    let err = SystemFile::load(&data("report-kat.json")).unwrap_err();
    assert!(matches!(err, SystemLoadError::WrongKind { .. }), "{err}");
    assert!(err.to_string().contains("kat file"), "{err}");
    let err = SystemFile::load(&data("results-machine-a.json")).unwrap_err();
    assert!(matches!(err, SystemLoadError::NoSystem { .. }), "{err}");
    assert!(err.to_string().contains("scripts/e2e.sh"), "{err}");
}

fn decide(system: &Path, json: bool) -> std::process::Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sealbench"));
    cmd.arg("decide")
        .arg("--profile")
        .arg(root.join("examples/openstack-control-plane.toml"))
        .arg("--results")
        .arg(data("results-machine-a.json"))
        .arg("--system")
        .arg(system);
    if json {
        cmd.arg("--json");
    }
    cmd.output().unwrap()
}

#[test]
fn decide_states_the_crypto_share_of_the_measured_rpc() {
    let out = decide(&data("e2e-system.json"), true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let s = &v["system"];
    assert_eq!(s["strategy"], v["recommendation"]["strategy"]);
    assert_eq!(s["bus"]["cell"], "e2e-call_plain_none_tcp_r1000");
    assert_eq!(s["bus"]["total_us_per_rpc"], 350.0);
    let rpc_class = s["rpc_class"].as_str().unwrap();
    let classes = s["classes"].as_array().unwrap();
    let rpc = classes.iter().find(|c| c["class"] == rpc_class).unwrap();
    let per_msg = rpc["crypto_us_per_message"].as_f64().unwrap();
    assert!(per_msg > 0.0);
    assert!(close(rpc["bus_us_per_message"].as_f64().unwrap(), 175.0));
    // Per RPC: request and reply; against the measured 350 µs.
    let x = s["crypto_us_per_rpc"].as_f64().unwrap();
    assert!(close(x, 2.0 * per_msg));
    assert!(close(s["added_fraction"].as_f64().unwrap(), x / 350.0));
    assert!(close(s["share_of_rpc"].as_f64().unwrap(), x / (x + 350.0)));
    // The broadcast class is priced against the 3-server fanout, and says so.
    let fan = classes
        .iter()
        .find(|c| c["bus_cell"] == "e2e-fanout3_plain_none_tcp_r500")
        .unwrap();
    assert!(close(fan["bus_us_per_message"].as_f64().unwrap(), 550.0));
    assert!(
        s["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("3 servers")),
        "{s}"
    );
    // The fixture's seal-all and sign-all cells on the recommended backend are the
    // measured check beside the price, and the summary quotes the rpc class's own mode.
    let measured = s["measured"].as_array().unwrap();
    assert!(!measured.is_empty(), "{s}");
    for m in measured {
        let want = match m["protection"].as_str().unwrap() {
            "seal-all" if s["backend"] == "aws-lc" => 14.0,
            "seal-all" => 20.0,
            "sign-all" => 300.0,
            other => panic!("{other}"),
        };
        assert_eq!(m["envelope_us_per_rpc"], want, "{m}");
    }
    assert!(
        s["summary"]
            .as_str()
            .unwrap()
            .contains("Measured inside the e2e clients"),
        "{s}"
    );
    // The in-situ factor: the rpc class's mode per seal or open in its e2e cell (4 calls
    // per call RPC) over the price per seal or open (the price per RPC / 4).
    let f = &s["in_situ"];
    let cell = f["cell"].as_str().unwrap();
    let m = measured.iter().find(|m| m["cell"] == cell).unwrap();
    let per_call = m["envelope_us_per_rpc"].as_f64().unwrap() / 4.0;
    assert!(
        close(f["measured_us_per_call"].as_f64().unwrap(), per_call),
        "{f}"
    );
    assert!(
        close(f["price_us_per_call"].as_f64().unwrap(), x / 4.0),
        "{f}"
    );
    assert!(
        close(f["factor"].as_f64().unwrap(), per_call / (x / 4.0)),
        "{f}"
    );
    assert!(f["measured_mean_bytes"].as_f64().unwrap() > 0.0, "{f}");
    assert!(f["priced_mean_bytes"].as_f64().unwrap() > 0.0, "{f}");
    assert!(
        s["summary"].as_str().unwrap().contains("In-situ factor"),
        "{s}"
    );
    // TLS measured: +210 µs per RPC, 150 of it in the broker, p99 +600 µs.
    assert_eq!(s["tls"]["added_us_per_rpc"], 210.0);
    assert_eq!(s["tls"]["broker_us_per_rpc"], 150.0);
    assert_eq!(s["tls"]["p99_added_us"], 600.0);
    // Profile totals add up.
    let bus_cores: f64 = classes
        .iter()
        .map(|c| c["rate_per_s"].as_f64().unwrap() * c["bus_us_per_message"].as_f64().unwrap())
        .sum::<f64>()
        / 1e6;
    assert!(close(s["bus_cores"].as_f64().unwrap(), bus_cores));

    let text = decide(&data("e2e-system.json"), false);
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("End to end over RabbitMQ"), "{text}");
    assert!(text.contains("µs CPU per RPC"), "{text}");
    assert!(text.contains("of the measured 350 µs"), "{text}");
    // The fixture predates the meter fix (no `meter_version`): decide says so; the same
    // file written by the current meter does not get the warning.
    assert!(text.contains("envelope meter version 1"), "{text}");
    let mut current: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("e2e-system.json")).unwrap()).unwrap();
    current["runs"][0]["system"]["meter_version"] =
        sealbench::results::system::METER_VERSION.into();
    let dir = std::env::temp_dir().join(format!("sealbench-meter-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("e2e.json");
    std::fs::write(&path, serde_json::to_vec(&current).unwrap()).unwrap();
    let text = decide(&path, false);
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("In-situ factor"), "{text}");
    assert!(!text.contains("envelope meter version"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn decide_refuses_a_system_file_that_is_not_one() {
    for (file, needle) in [
        (data("no-such-e2e.json"), "no-such-e2e.json"),
        (data("report-kat.json"), "kat file"),
        (data("results-machine-a.json"), "without system scenarios"),
    ] {
        let out = decide(&file, true);
        assert_eq!(out.status.code(), Some(2), "{}", file.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--system") && err.contains(needle), "{err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(out.stdout.is_empty());
    }
}

fn section(report: &Report) -> &sealbench::report::Section {
    report.sections.iter().find(|s| s.id == "system").unwrap()
}

#[test]
fn the_report_plots_cpu_per_rpc_and_latency_vs_load() {
    let input = ReportInput::load(&[data("results-machine-a.json")], None, &[]).unwrap();
    let system = SystemFile::load(&data("e2e-system.json")).unwrap();
    let report = Report::build_with_system(input, Some(&system)).unwrap();
    let sec = section(&report);
    let names: Vec<&str> = sec.figures().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "system-cpu-per-rpc",
            "system-latency-tcp",
            "system-latency-tls"
        ]
    );
    let cpu = sec.figures().next().unwrap();
    assert!(
        cpu.title
            .starts_with("CPU per RPC: broker, client, envelope, TLS (call at 1000/s")
    );
    for t in [
        "broker",
        "clients",
        "envelope",
        "TLS",
        "plain tls",
        "sign-all aws-lc tcp",
    ] {
        assert!(
            cpu.svg.contains(&format!(">{t}<")) || cpu.svg.contains(t),
            "{t}"
        );
    }
    assert!(
        !sec.blocks
            .iter()
            .any(|b| matches!(b, Block::NotMeasured(_))),
        "data given, yet not measured"
    );
    let dir = std::env::temp_dir().join(format!("sealbench-system-report-{}", std::process::id()));
    write_all(&report, &dir).unwrap();
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("End to end over RabbitMQ"));
    assert!(md.contains("system-cpu-per-rpc.svg"));
    assert!(md.contains("e2e-call_sign-all_aws-lc_tcp_r1000"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn without_e2e_data_the_section_says_how_to_produce_it() {
    let input = ReportInput::load(&[data("results-minimal.json")], None, &[]).unwrap();
    let report = Report::build(input).unwrap();
    let sec = section(&report);
    let [Block::NotMeasured(line)] = &sec.blocks[..] else {
        panic!("{:?}", sec.blocks)
    };
    assert!(
        line.contains("scripts/e2e.sh") && line.contains("--system"),
        "{line}"
    );
    let dir = std::env::temp_dir().join(format!("sealbench-system-none-{}", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_sealbench"))
        .arg("report")
        .arg(data("results-minimal.json"))
        .arg("--out")
        .arg(&dir)
        .arg("--system")
        .arg(data("results-machine-a.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--system") && err.contains("results-machine-a.json"),
        "{err}"
    );
    assert!(!dir.exists(), "nothing is written on a bad input");
}
