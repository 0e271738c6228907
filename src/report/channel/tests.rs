//! The section against the fixture tests/data/results-channel.json (written by
//! scripts/gen-report-fixtures.py): every number shown is the fixture's, read from the file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::super::decision::Decision;
use super::super::tables::{Table, num, size_label};
use super::{Block, NOT_MEASURED, ReportInput, Section, section};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn load(name: &str) -> ReportInput {
    ReportInput::load(&[data(name)], None, &[]).unwrap()
}

/// Scenario `id` of the fixture, read straight from the JSON file.
fn scenario<'a>(fixture: &'a Value, id: &str) -> &'a Value {
    fixture["runs"][0]["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in the fixture"))
}

fn median(fixture: &Value, id: &str) -> f64 {
    scenario(fixture, id)["stats"]["median_ns"]
        .as_f64()
        .unwrap()
}

/// What a cell must show for the sum of scenarios `ids`: µs, `*` if any is noisy.
fn shown(fixture: &Value, ids: &[&str]) -> String {
    let ns: f64 = ids.iter().map(|id| median(fixture, id)).sum();
    let noisy = ids
        .iter()
        .any(|id| scenario(fixture, id)["stats"]["noisy"].as_bool().unwrap());
    format!("{}{}", us_of(ns), if noisy { "*" } else { "" })
}

fn overhead(fixture: &Value, id: &str) -> u64 {
    fixture["runs"][0]["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap()["overhead_bytes"]
        .as_u64()
        .unwrap()
}

fn fixture() -> Value {
    serde_json::from_str(&std::fs::read_to_string(data("results-channel.json")).unwrap()).unwrap()
}

fn tables(sec: &Section) -> Vec<&Table> {
    sec.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .collect()
}

fn table<'a>(sec: &'a Section, caption: &str) -> &'a Table {
    tables(sec)
        .into_iter()
        .find(|t| t.caption.starts_with(caption))
        .unwrap_or_else(|| panic!("no table {caption}"))
}

fn cell<'a>(t: &'a Table, row: &[&str], column: &str) -> &'a str {
    let c = t.header.iter().position(|h| h == column).unwrap();
    let r = t
        .rows
        .iter()
        .find(|r| row.iter().enumerate().all(|(i, want)| r[i] == *want))
        .unwrap_or_else(|| panic!("no row {row:?} in {}", t.caption));
    &r[c]
}

fn us_of(ns: f64) -> String {
    num(ns / 1000.0)
}

#[test]
fn handshake_table_shows_the_fixture_medians_and_bytes() {
    let f = fixture();
    let sec = section(&load("results-channel.json")).unwrap();
    let t = table(&sec, "TLS 1.3 handshakes");
    let row = ["rustls-aws-lc", "aws-lc", "loopback TCP", "Ed25519"];
    let id = "channel-handshake_rustls-aws-lc_x25519+ed25519+aes128gcm_0";
    assert_eq!(cell(t, &row, "Full handshake (µs)"), shown(&f, &[id]));
    assert_eq!(cell(t, &row, "Full (bytes)"), overhead(&f, id).to_string());
    let id = "channel-resume_rustls-aws-lc_x25519+ed25519+aes128gcm_0";
    assert_eq!(cell(t, &row, "Resumed handshake (µs)"), shown(&f, &[id]));
    assert_eq!(
        cell(t, &row, "Resumed (bytes)"),
        overhead(&f, id).to_string()
    );
    let row = ["rustls-aws-lc", "aws-lc", "in memory", "ECDSA P-256"];
    let id = "channel-handshake_rustls-aws-lc@memory_x25519+ecdsap256+aes128gcm_0";
    assert_eq!(cell(t, &row, "Full handshake (µs)"), shown(&f, &[id]));
    // openssl has no resumed handshake: a dash, never a made-up number.
    let row = ["openssl", "openssl", "loopback TCP", "Ed25519"];
    assert_eq!(cell(t, &row, "Resumed handshake (µs)"), "–");
    assert!(
        sec.blocks
            .iter()
            .any(|b| matches!(b, Block::Text(t) if t.contains("No resumed handshake for openssl")))
    );
}

#[test]
fn per_message_cost_is_tls_beside_seal_plus_open_on_the_same_library() {
    let f = fixture();
    let sec = section(&load("results-channel.json")).unwrap();
    let t = table(&sec, "Cost per message (µs)");
    for size in ["64", "16384"] {
        let col = size_label(size.parse().unwrap());
        let tls = format!("channel-message_rustls-aws-lc_x25519+ed25519+aes128gcm_{size}");
        assert_eq!(
            cell(
                t,
                &["aws-lc", "TLS record, rustls-aws-lc (loopback TCP)"],
                &col
            ),
            shown(&f, &[&tls])
        );
        let mem = format!("channel-message_rustls-aws-lc@memory_x25519+ed25519+aes128gcm_{size}");
        assert_eq!(
            cell(
                t,
                &["aws-lc", "TLS record, rustls-aws-lc (in memory)"],
                &col
            ),
            shown(&f, &[&mem])
        );
        let seal = format!("env-seal_encrypt0_aws-lc_aes128gcm_kid_{size}");
        let open = format!("env-open_encrypt0_aws-lc_aes128gcm_kid_{size}");
        assert_eq!(
            cell(t, &["aws-lc", "Encrypt0 aes128gcm (seal + open)"], &col),
            shown(&f, &[&seal, &open])
        );
        // Sign1: the kid variant, not the dearer x5chain one.
        let seal = format!("env-seal_sign1_openssl_ed25519_kid_{size}");
        let open = format!("env-open_sign1_openssl_ed25519_kid_{size}");
        assert_eq!(
            cell(t, &["openssl", "Sign1 ed25519 (seal + open)"], &col),
            shown(&f, &[&seal, &open])
        );
    }
    // Bytes: the TLS record overhead and the envelope's, as measured.
    let b = table(&sec, "Bytes added per message");
    assert_eq!(
        cell(b, &["aws-lc", "TLS record, rustls-aws-lc"], "64 B"),
        overhead(
            &f,
            "channel-message_rustls-aws-lc_x25519+ed25519+aes128gcm_64"
        )
        .to_string()
    );
    assert_eq!(
        cell(b, &["aws-lc", "TLS record, rustls-aws-lc"], "16 KiB"),
        overhead(
            &f,
            "channel-message_rustls-aws-lc_x25519+ed25519+aes128gcm_16384"
        )
        .to_string()
    );
    assert_eq!(
        cell(b, &["aws-lc", "Encrypt0 aes128gcm"], "64 B"),
        overhead(&f, "env-seal_encrypt0_aws-lc_aes128gcm_kid_64").to_string()
    );
    // The headline compares 64 B and 16 KiB.
    let headline = sec
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Bullets(v) if v.iter().any(|l| l.contains("vs Encrypt0")) => Some(v),
            _ => None,
        })
        .unwrap();
    assert!(headline[0].contains("at 64 B") && headline[0].contains("at 16 KiB"));
    // One figure of message costs and one of handshakes.
    let names: Vec<&str> = sec.figures().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["channel-message-cost", "channel-handshake"]);
}

#[test]
fn amortized_cells_are_measured_where_the_run_has_them_and_computed_otherwise() {
    let f = fixture();
    let sec = section(&load("results-channel.json")).unwrap();
    let t = table(&sec, "Cost per message on connections of n messages");
    let row = ["rustls-aws-lc", "loopback TCP", "1350 B"];
    for n in [1, 10, 100, 10_000] {
        let id = format!("channel-message_rustls-aws-lc_x25519+ed25519+aes128gcm_conn{n}_1350");
        let col = format!(
            "{n} message{}/connection (µs/message)",
            if n == 1 { "" } else { "s" }
        );
        assert_eq!(cell(t, &row, &col), shown(&f, &[id.as_str()]), "n = {n}");
    }
    // openssl has no connection scenarios in the fixture: computed from its medians.
    let hs = median(&f, "channel-handshake_openssl_x25519+ed25519+aes128gcm_0");
    let msg = median(&f, "channel-message_openssl_x25519+ed25519+aes128gcm_1350");
    let row = ["openssl", "loopback TCP", "1350 B"];
    assert_eq!(
        cell(t, &row, "100 messages/connection (µs/message)"),
        format!("≈{}", us_of(hs / 100.0 + msg))
    );
    assert_eq!(
        cell(t, &row, "Established connection (µs)"),
        shown(
            &f,
            &["channel-message_openssl_x25519+ed25519+aes128gcm_1350"]
        )
    );
    assert!(sec.blocks.iter().any(|b| matches!(
        b,
        Block::Text(t) if t.contains("are measured") && t.contains("are computed")
    )));
}

#[test]
fn without_channel_scenarios_the_section_is_one_line() {
    for input in [load("results-minimal.json"), load("results-machine-a.json")] {
        let sec = section(&input).unwrap();
        assert_eq!(sec.blocks.len(), 1);
        assert!(
            matches!(&sec.blocks[0], Block::NotMeasured(t) if t == NOT_MEASURED),
            "{:?}",
            sec.blocks
        );
    }
    let empty = ReportInput::load(&[], None, &[]).unwrap();
    let sec = section(&empty).unwrap();
    assert!(matches!(&sec.blocks[..], [Block::NotMeasured(t)] if t == NOT_MEASURED));
}

#[test]
fn the_caveat_cites_executed_rows_from_a_decision_or_names_the_preset() {
    let sec = section(&load("results-channel.json")).unwrap();
    let text: Vec<&str> = sec
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect();
    assert!(
        text.iter()
            .any(|t| t.contains("`sealbench scenarios --preset tls-to-broker`"))
    );
    let mut input = load("results-channel.json");
    let d: Decision =
        serde_json::from_str(&std::fs::read_to_string(data("report-decision-tls.json")).unwrap())
            .unwrap();
    input.decisions.push((data("report-decision-tls.json"), d));
    let sec = section(&input).unwrap();
    let cited: Vec<&String> = sec
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Bullets(v) => Some(v),
            _ => None,
        })
        .flatten()
        .filter(|l| l.contains("tls-only"))
        .collect();
    assert!(
        cited
            .iter()
            .any(|l| l.contains("`other-role-forges`") && l.contains("accepted as s1")),
        "{cited:?}"
    );
    assert!(sec.blocks.iter().any(|b| matches!(
        b,
        Block::Bullets(v) if v.iter().any(|l| l.contains("tls+seal-all/pairwise"))
    )));
}
