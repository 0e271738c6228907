//! `sealbench report` over the synthetic fixtures in tests/data (written by
//! scripts/gen-report-fixtures.py): every file is produced, every section is present, the
//! HTML needs no network, the CSV has one row per scenario, and two machines compare.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use sealbench::report::{Block, Report, ReportError, ReportInput, SECTION_IDS, write_all};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// A fresh, empty output directory for one test.
fn out_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sealbench-report-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn full_input() -> ReportInput {
    ReportInput::load(
        &[data("results-machine-a.json")],
        Some(&data("report-kat.json")),
        Some(&data("report-decision.json")),
    )
    .unwrap()
}

fn section<'a>(report: &'a Report, id: &str) -> &'a sealbench::report::Section {
    report.sections.iter().find(|s| s.id == id).unwrap()
}

fn not_measured(report: &Report, id: &str) -> bool {
    section(report, id)
        .blocks
        .iter()
        .any(|b| matches!(b, Block::NotMeasured(_)))
}

#[test]
fn full_report_writes_every_file_and_section() {
    let dir = out_dir("full");
    let report = Report::build(full_input()).unwrap();
    let written = write_all(&report, &dir).unwrap();

    let figures = [
        "throughput-aes128gcm",
        "throughput-chacha20poly1305",
        "fixed-cost",
        "overhead-aws-lc-symmetric",
        "overhead-aws-lc-public-key",
        "overhead-rustcrypto-symmetric",
        "overhead-rustcrypto-public-key",
        "speedup",
        "wire-bytes",
        "decision-aws-lc",
        "decision-rustcrypto",
    ];
    let mut expected = vec![
        "report.md".to_string(),
        "index.html".into(),
        "results.csv".into(),
    ];
    for f in figures {
        expected.push(format!("{f}.svg"));
        expected.push(format!("{f}.png"));
    }
    let mut names: Vec<String> = written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    expected.sort();
    assert_eq!(names, expected);
    for f in figures {
        let png = std::fs::read(dir.join(format!("{f}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{f}.png");
        let svg = std::fs::read_to_string(dir.join(format!("{f}.svg"))).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("<text"), "{f}.svg");
    }

    // Every section present in order, and with data in every one but the comparison
    // (a single machine).
    let ids: Vec<&str> = report.sections.iter().map(|s| s.id).collect();
    assert_eq!(ids, SECTION_IDS);
    for id in SECTION_IDS.iter().filter(|id| **id != "comparison") {
        assert!(!not_measured(&report, id), "section {id} says not measured");
    }
    assert!(not_measured(&report, "comparison"));

    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    for s in &report.sections {
        assert!(
            md.contains(&format!("<a id=\"{}\"></a>\n\n## {}\n", s.id, s.title)),
            "{}",
            s.id
        );
    }
    for heading in [
        "**Machines**",
        "**Libraries and code paths**",
        "**Known-answer tests",
        "**Throughput of the raw primitives",
        "**Cost fits",
        "**Envelope time over raw primitive time",
        "**Speed-up of the hardware path",
        "**Overhead bytes per message**",
        "**Strategies per backend**",
    ] {
        assert!(md.contains(heading), "report.md lacks {heading}");
    }
    assert!(md.contains("![aes128gcm seal throughput (raw AEAD)](throughput-aes128gcm.svg)"));
    // openssl speed-style row: backend × algorithm, MB/s per size (16 B at 40 ns ≈ 400 MB/s).
    let row = md
        .lines()
        .find(|l| l.starts_with("| seal | aes128gcm | aws-lc |"))
        .unwrap();
    assert_eq!(row.matches('|').count(), 8, "{row}");
    // Hardware speed-up at 16 KiB: (200 + 2.5·16384) / (40 + 0.08·16384) ≈ 31×.
    let speedup = md
        .lines()
        .find(|l| l.starts_with("| aws-lc | aes128gcm |") && l.contains('×'))
        .unwrap();
    let last: f64 = speedup
        .trim_end_matches(" |")
        .rsplit("| ")
        .next()
        .unwrap()
        .trim_end_matches('×')
        .parse()
        .unwrap();
    assert!((28.0..34.0).contains(&last), "{speedup}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn html_is_self_contained() {
    let report = Report::build(full_input()).unwrap();
    let html = sealbench::report::HtmlExporter;
    let files = sealbench::report::Exporter::render(&html, &report).unwrap();
    let text = String::from_utf8(files[0].bytes.clone()).unwrap();
    for needle in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "<script",
        "<link",
        "@import",
        "url(",
    ] {
        assert!(!text.contains(needle), "index.html contains {needle}");
    }
    for id in SECTION_IDS {
        assert!(text.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    assert_eq!(text.matches("<svg").count(), report.figures().count());
    assert!(text.contains("<style>"));
}

#[test]
fn csv_has_a_header_and_one_row_per_scenario() {
    let report = Report::build(full_input()).unwrap();
    let csv =
        sealbench::report::Exporter::render(&sealbench::report::CsvExporter, &report).unwrap();
    let text = String::from_utf8(csv[0].bytes.clone()).unwrap();
    let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
    let header = lines.next().unwrap();
    assert!(header.starts_with("machine,id,family,layer,op,"));
    let columns = header.split(',').count();
    let rows: Vec<&str> = lines.collect();
    let scenarios = report.input.machines[0].run.scenarios.len();
    assert_eq!(rows.len(), scenarios);
    for r in &rows {
        assert_eq!(r.split(',').count(), columns, "{r}");
    }
    assert!(
        rows.iter()
            .any(|r| r.starts_with("bench-a,seal_aws-lc_aes128gcm_1350,"))
    );
}

#[test]
fn two_machines_merge_into_a_comparison() {
    let input = ReportInput::load(
        &[
            data("results-machine-a.json"),
            data("results-machine-b.json"),
        ],
        None,
        None,
    )
    .unwrap();
    let labels: Vec<&str> = input.machines.iter().map(|m| m.label.as_str()).collect();
    assert_eq!(labels, ["bench-a", "bench-b"]);
    let report = Report::build(input).unwrap();
    let cmp = section(&report, "comparison");
    let tables: Vec<_> = cmp
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(tables.len(), 2, "fits and scenario comparison");
    let scen = tables[1];
    assert_eq!(
        scen.header,
        [
            "Scenario",
            "bench-a (ns/op)",
            "bench-b (ns/op)",
            "bench-b ÷ bench-a"
        ]
    );
    // Machine B was generated 1.25× slower: every ratio is about 1.25.
    let row = scen
        .rows
        .iter()
        .find(|r| r[0] == "seal_aws-lc_aes128gcm_16384")
        .unwrap();
    let ratio: f64 = row[3].trim_end_matches('×').parse().unwrap();
    assert!((1.1..1.4).contains(&ratio), "{row:?}");
    // Scenarios only machine A has (openssl, masked runs) are not compared.
    assert!(!scen.rows.iter().any(|r| r[0].contains("openssl")));
    // Per-machine figures are numbered, the environment has a column per machine.
    let names: Vec<&str> = report.figures().map(|f| f.name.as_str()).collect();
    assert!(
        names.contains(&"m1-throughput-aes128gcm") && names.contains(&"m2-throughput-aes128gcm")
    );
    assert!(
        !names.contains(&"m2-speedup"),
        "machine B has no masked runs"
    );
    let env = section(&report, "environment");
    let Some(Block::Table(t)) = env.blocks.first() else {
        panic!("no machine table")
    };
    assert_eq!(t.header, ["", "bench-a", "bench-b"]);
    assert!(
        t.rows
            .iter()
            .any(|r| r[1].contains("Intel") && r[2].contains("AMD"))
    );
}

#[test]
fn missing_data_says_not_measured() {
    let input = ReportInput::load(&[data("results-minimal.json")], None, None).unwrap();
    let report = Report::build(input).unwrap();
    for id in [
        "conformance",
        "costs",
        "overhead",
        "speedup",
        "wire",
        "decision",
        "comparison",
    ] {
        assert!(not_measured(&report, id), "{id} should say not measured");
    }
    assert!(!not_measured(&report, "throughput"));
    assert!(!not_measured(&report, "environment"));
    let md =
        sealbench::report::Exporter::render(&sealbench::report::MarkdownExporter, &report).unwrap();
    let md = String::from_utf8(md[0].bytes.clone()).unwrap();
    assert!(
        md.contains("| CPU | not recorded |"),
        "sparse environment shown as not recorded"
    );
    // Two sizes: one throughput line and its table row.
    assert!(md.contains("| seal | aes128gcm | ring |"));
}

#[test]
fn bad_inputs_name_the_file() {
    let dir = out_dir("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let wrong_kind = dir.join("kat.json");
    std::fs::write(
        &wrong_kind,
        r#"{"kind":"sealbench-kat","schema_version":1,"runs":[]}"#,
    )
    .unwrap();
    let err = ReportInput::load(std::slice::from_ref(&wrong_kind), None, None).unwrap_err();
    assert!(matches!(err, ReportError::Input { .. }), "{err}");
    assert!(err.to_string().contains("kat.json") && err.to_string().contains("sealbench-results"));

    let future = dir.join("future.json");
    std::fs::write(
        &future,
        r#"{"kind":"sealbench-results","schema_version":99,"runs":[]}"#,
    )
    .unwrap();
    let err = ReportInput::load(&[future], None, None).unwrap_err();
    assert!(err.to_string().contains("schema version 99"), "{err}");

    let missing = dir.join("absent.json");
    let err = ReportInput::load(&[missing], None, None).unwrap_err();
    assert!(matches!(err, ReportError::Read { .. }), "{err}");

    let err =
        ReportInput::load(&[data("results-minimal.json")], None, Some(&wrong_kind)).unwrap_err();
    assert!(
        err.to_string().contains("kat.json"),
        "decision file errors name it: {err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cli_writes_the_report_and_rejects_bad_input() {
    let dir = out_dir("cli");
    let bin = env!("CARGO_BIN_EXE_sealbench");
    let out = Command::new(bin)
        .arg("report")
        .arg(data("results-minimal.json"))
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in [
        "report.md",
        "index.html",
        "results.csv",
        "throughput-aes128gcm.svg",
    ] {
        assert!(dir.join(f).is_file(), "{f}");
    }
    let out = Command::new(bin)
        .args(["report", "no-such-results.json", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-results.json"));
    let _ = std::fs::remove_dir_all(&dir);
}
