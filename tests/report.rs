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

use sealbench::report::{
    Block, COMPARISON_SCENARIOS_CAPTION, COMPARISON_SIZES_CAPTION, Report, ReportError,
    ReportInput, SECTION_IDS, Table, num, write_all,
};

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

fn decisions() -> Vec<PathBuf> {
    vec![
        data("report-decision-fleet.json"),
        data("report-decision.json"),
    ]
}

fn full_input() -> ReportInput {
    ReportInput::load(
        &[data("results-machine-a.json")],
        Some(&data("report-kat.json")),
        &decisions(),
    )
    .unwrap()
}

fn render_md(report: &Report) -> String {
    let md =
        sealbench::report::Exporter::render(&sealbench::report::MarkdownExporter, report).unwrap();
    String::from_utf8(md[0].bytes.clone()).unwrap()
}

fn render_html(report: &Report) -> String {
    let html =
        sealbench::report::Exporter::render(&sealbench::report::HtmlExporter, report).unwrap();
    String::from_utf8(html[0].bytes.clone()).unwrap()
}

fn tables<'a>(report: &'a Report, id: &str) -> Vec<&'a Table> {
    section(report, id)
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table(t) | Block::Details(t) => Some(t),
            _ => None,
        })
        .collect()
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
        "summary-message-cost",
        "summary-cpu-config-management-fleet",
        "summary-cpu-openstack-control-plane",
        "summary-wire-share",
        "throughput-aes128gcm",
        "throughput-chacha20poly1305",
        "fixed-cost",
        "overhead-aws-lc-symmetric",
        "overhead-aws-lc-public-key",
        "overhead-rustcrypto-symmetric",
        "overhead-rustcrypto-public-key",
        "speedup",
        "wire-bytes",
    ];
    let mut expected = vec![
        "report.md".to_string(),
        "index.html".into(),
        "summary.html".into(),
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
    // (a single machine), the channel section (machine A has no TLS scenarios: see
    // `channel_section_renders_its_figures`) and the end-to-end section.
    let ids: Vec<&str> = report.sections.iter().map(|s| s.id).collect();
    assert_eq!(ids, SECTION_IDS);
    for id in SECTION_IDS
        .iter()
        .filter(|id| !["comparison", "channel", "system"].contains(*id))
    {
        assert!(!not_measured(&report, id), "section {id} says not measured");
    }
    assert!(not_measured(&report, "comparison"));
    assert!(not_measured(&report, "channel"));
    // No `--system` file: one line on how to produce it (tests/system_results.rs has data).
    assert!(not_measured(&report, "system"));

    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    // The summary is a top-level section; every other section is an appendix under it.
    for (i, s) in report.sections.iter().enumerate() {
        let level = if i == 0 { "##" } else { "###" };
        assert!(
            md.contains(&format!("<a id=\"{}\"></a>\n\n{level} {}\n", s.id, s.title)),
            "{}",
            s.id
        );
    }
    for heading in [
        "**Machines**",
        "**Libraries and code paths**",
        "**Known-answer tests",
        "<summary>Throughput of the raw primitives",
        "<summary>Cost fits",
        "<summary>Envelope time over raw primitive time",
        "**Speed-up of the hardware path",
        "**Overhead bytes per message**",
        "**Recommended protection per class**",
        "**Rejected strategies: the executed attack that broke each**",
        "<summary>Every strategy on every backend",
    ] {
        assert!(md.contains(heading), "report.md lacks {heading}");
    }
    assert!(md.contains("![aes128gcm seal throughput (raw AEAD)](throughput-aes128gcm.svg)"));
    // openssl speed-style row: backend × algorithm, MB/s per size (16 B at 40 ns ≈ 400 MB/s).
    let row = md
        .lines()
        .find(|l| l.starts_with("| seal | aes128gcm | aws-lc |"))
        .unwrap();
    // Sizes 16, 32 (the two-size decrypt-key family), 256, 1350 and 16384 B.
    assert_eq!(row.matches('|').count(), 9, "{row}");
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

/// The channel section over a run with TLS scenarios: its two figures are written as PNG
/// and SVG, its tables reach the markdown, and TLS bytes stay out of the envelope's wire
/// table.
#[test]
fn channel_section_renders_its_figures() {
    let dir = out_dir("channel");
    let input = ReportInput::load(
        &[data("results-channel.json")],
        None,
        &[data("report-decision-tls.json")],
    )
    .unwrap();
    let report = Report::build(input).unwrap();
    let written = write_all(&report, &dir).unwrap();
    for f in ["channel-message-cost", "channel-handshake"] {
        assert!(written.contains(&dir.join(format!("{f}.svg"))), "{f}.svg");
        let png = std::fs::read(dir.join(format!("{f}.png"))).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{f}.png");
    }
    assert!(!not_measured(&report, "channel"));
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    for heading in [
        "**TLS 1.3 handshakes with mutual authentication",
        "**Cost per message (µs): TLS record send + receive",
        "**Cost per message on connections of n messages",
        "**Bytes added per message: TLS records",
        "#### What TLS to the broker protects, and what it does not",
    ] {
        assert!(md.contains(heading), "report.md lacks {heading}");
    }
    let wire = tables(&report, "wire");
    assert!(
        wire.iter()
            .all(|t| t.rows.iter().all(|r| !r[0].starts_with("channel"))),
        "TLS scenarios in the envelope wire table"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn html_is_self_contained() {
    let report = Report::build(full_input()).unwrap();
    let html = sealbench::report::HtmlExporter;
    let files = sealbench::report::Exporter::render(&html, &report).unwrap();
    let text = String::from_utf8(files[0].bytes.clone()).unwrap();
    assert_eq!(text, render_html(&report));
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
        &[],
    )
    .unwrap();
    let labels: Vec<&str> = input.machines.iter().map(|m| m.label.as_str()).collect();
    assert_eq!(labels, ["bench-a", "bench-b"]);
    let report = Report::build(input).unwrap();
    let tables = tables(&report, "comparison");
    assert_eq!(tables.len(), 2, "family and scenario comparison");
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
    let input = ReportInput::load(&[data("results-minimal.json")], None, &[]).unwrap();
    let report = Report::build(input).unwrap();
    for id in [
        "summary",
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
    let md = render_md(&report);
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
    let err = ReportInput::load(std::slice::from_ref(&wrong_kind), None, &[]).unwrap_err();
    assert!(matches!(err, ReportError::Input { .. }), "{err}");
    assert!(err.to_string().contains("kat.json") && err.to_string().contains("sealbench-results"));

    let future = dir.join("future.json");
    std::fs::write(
        &future,
        r#"{"kind":"sealbench-results","schema_version":99,"runs":[]}"#,
    )
    .unwrap();
    let err = ReportInput::load(&[future], None, &[]).unwrap_err();
    assert!(err.to_string().contains("schema version 99"), "{err}");

    let missing = dir.join("absent.json");
    let err = ReportInput::load(&[missing], None, &[]).unwrap_err();
    assert!(matches!(err, ReportError::Read { .. }), "{err}");

    let err = ReportInput::load(
        &[data("results-minimal.json")],
        None,
        std::slice::from_ref(&wrong_kind),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("kat.json") && err.to_string().contains("`sealbench-kat` file"),
        "decision file errors name it and its kind: {err}"
    );
    // A results file where a decision is expected says what it is.
    let err = ReportInput::load(
        &[data("results-minimal.json")],
        None,
        &[data("results-minimal.json")],
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("`sealbench-results` file"),
        "{err}"
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
    // One --decision per profile.
    let out = Command::new(bin)
        .arg("report")
        .arg(data("results-machine-a.json"))
        .arg("--decision")
        .arg(data("report-decision.json"))
        .arg("--decision")
        .arg(data("report-decision-fleet.json"))
        .arg("--out")
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap();
    assert!(
        html.contains("A openstack-control-plane") && html.contains("B config-management-fleet")
    );
    let out = Command::new(bin)
        .args(["report", "no-such-results.json", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-results.json"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn summary_comes_first_and_answers_each_profile() {
    let report = Report::build(full_input()).unwrap();
    assert_eq!(report.sections[0].id, "summary");
    let md = render_md(&report);
    let summary_md = &md[..md.find("## Appendices").unwrap()];
    // The answer per profile: strategy, key scopes per class, cost with its interval,
    // busiest node, latency, break-even; "none fits" with the reason otherwise.
    let answer = tables(&report, "summary")[0];
    let fleet = &answer.rows[0];
    assert_eq!(fleet[0], "A config-management-fleet (compromised-peer)");
    assert_eq!(fleet[1], "pairwise-unicast+sign-broadcast on aws-lc");
    assert_eq!(
        fleet[2],
        "sign1/per-sender (command); encrypt0/pairwise (reply)"
    );
    assert_eq!(fleet[3], "0.00151 [0.00146–0.00156] of 1.00");
    assert_eq!(fleet[4], "5.03e-4 of 0.500 (controller)");
    assert_eq!(fleet[5], "61.0 of 5000");
    // Break-even: budget ÷ cores = 1 ÷ 0.00151, with the messages per second it allows.
    assert_eq!(
        fleet[6],
        format!("{}× ({} msg/s)", num(1.0 / 0.00151), num(1000.1 / 0.00151))
    );
    let rpc = &answer.rows[1];
    assert_eq!(rpc[1], "none fits");
    assert!(rpc[2].contains("seal-all/pairwise on aws-lc"), "{rpc:?}");
    // Ties, the conformance verdict in one line, provenance, and the three plots.
    for needle in [
        "tie with cheapest-mix on aws-lc",
        "A: 2 strategies ruled out by executed attacks (decision appendix); seal-all/group by \
         receiver-forges on command; peer-reads on reply.",
        "Conformance: PASS: ",
        "Assumptions and provenance",
        "results-machine-a.json",
        "revision `c5f8288`",
        "report-decision-fleet.json",
        "threat `compromised-peer`",
        "![Cost per message: seal + open](summary-message-cost.svg)",
        "(summary-cpu-config-management-fleet.svg)",
        "(summary-wire-share.svg)",
    ] {
        assert!(summary_md.contains(needle), "summary lacks {needle}");
    }
    // Rejected strategies are in the decision appendix with the attack that broke them.
    let rejected = tables(&report, "decision")
        .into_iter()
        .find(|t| t.caption.starts_with("Rejected strategies"))
        .unwrap();
    let group = rejected
        .rows
        .iter()
        .find(|r| r[0] == "seal-all/group")
        .unwrap();
    assert_eq!(group[1], "command");
    assert_eq!(group[2], "encrypt0/group");
    assert_eq!(group[3], "receiver-forges");
    assert!(group[4].starts_with("compromised r1 seals"), "{group:?}");
    assert_eq!(group[5], "accepted as group (sender)");
    // The HTML summary comes before the appendices and holds the plots inline.
    let html = render_html(&report);
    let (head, tail) = html.split_at(html.find("<div id=\"appendices\">").unwrap());
    assert!(head.contains("<section id=\"summary\">"));
    assert!(head.matches("<svg").count() >= 3);
    assert!(!tail.contains("<section id=\"summary\">"));
}

/// A comparison cell back to a number: `1234*` → 1234, `1.27×` → 1.27.
fn parse_cell(cell: &str) -> f64 {
    cell.trim_end_matches(['*', '×']).parse().unwrap()
}

#[test]
fn every_number_in_the_comparison_comes_from_a_measured_point() {
    let input = ReportInput::load(
        &[
            data("results-machine-a.json"),
            data("results-machine-b.json"),
        ],
        None,
        &[],
    )
    .unwrap();
    let report = Report::build(input).unwrap();
    let machines = &report.input.machines;
    let measured = |m: usize, family: &str, size: u64| {
        machines[m]
            .run
            .scenarios
            .iter()
            .find(|s| s.family == family && s.size == size)
            .map(|s| s.stats.median_ns)
    };
    let all = tables(&report, "comparison");
    let families = all
        .iter()
        .find(|t| t.caption == COMPARISON_SIZES_CAPTION)
        .unwrap();
    let mut checked = 0;
    for row in &families.rows {
        let size: u64 = row[1].parse().unwrap();
        let mut times = Vec::new();
        for m in 0..machines.len() {
            let cell = &row[2 + m];
            match measured(m, &row[0], size) {
                Some(t) => {
                    assert_eq!(cell.trim_end_matches('*'), num(t), "{row:?}");
                    times.push(t);
                }
                None => assert_eq!(cell, "not measured", "{row:?}"),
            }
        }
        let hi = times.iter().copied().fold(0.0, f64::max);
        let lo = times.iter().copied().fold(f64::INFINITY, f64::min);
        assert_eq!(
            row[2 + machines.len()],
            format!("{}×", num(hi / lo)),
            "{row:?}"
        );
        checked += 1;
    }
    assert!(checked > 10, "only {checked} family rows");
    // The family measured at 16 and 32 B only is compared at 32 B (measured), about
    // 1.27×; its two-point fits extrapolated to 1 KiB would say about 2.3×.
    let rsa = families
        .rows
        .iter()
        .find(|r| r[0] == "decrypt-key_aws-lc_rsaoaep2048")
        .unwrap();
    assert_eq!(rsa[1], "32");
    assert!((1.2..1.35).contains(&parse_cell(&rsa[4])), "{rsa:?}");
    let fit = |m: usize| {
        let f = machines[m]
            .run
            .fits
            .iter()
            .find(|f| f.family == "decrypt-key_aws-lc_rsaoaep2048")
            .unwrap();
        f.fixed_ns + f.per_byte_ns * 1024.0
    };
    assert!(
        fit(1) / fit(0) > 2.0,
        "the fixture must make extrapolation visibly wrong"
    );

    let scenarios = all
        .iter()
        .find(|t| t.caption.starts_with(COMPARISON_SCENARIOS_CAPTION))
        .unwrap();
    for row in &scenarios.rows {
        let find = |m: usize| {
            machines[m]
                .run
                .scenarios
                .iter()
                .find(|s| s.id == row[0])
                .map(|s| s.stats.median_ns)
        };
        let (a, b) = (find(0).unwrap(), find(1).unwrap());
        assert_eq!(row[1].trim_end_matches('*'), num(a));
        assert_eq!(row[2].trim_end_matches('*'), num(b));
        assert_eq!(row[3], format!("{}×", num(b / a)));
    }
}

#[test]
fn fit_table_has_no_zero_throughput_or_zero_residual() {
    let mut input = full_input();
    let run = &mut input.machines[0].run;
    let fit = run
        .fits
        .iter_mut()
        .find(|f| f.family == "seal_aws-lc_aes128gcm")
        .unwrap();
    fit.per_byte_ns = -0.002;
    fit.gb_per_s = 0.0;
    let report = Report::build(input).unwrap();
    let t = tables(&report, "costs")
        .into_iter()
        .find(|t| t.caption.starts_with("Cost fits"))
        .unwrap();
    let gb = t.header.iter().position(|h| h == "GB/s").unwrap();
    let res = t.header.iter().position(|h| h == "Max |residual|").unwrap();
    for row in &t.rows {
        assert_ne!(row[gb], "0", "{row:?}");
        assert_ne!(row[res], "0 %", "{row:?}");
    }
    assert!(t.rows.iter().any(|r| r[gb] == "– (per-byte ≤ 0)"));
    // The family measured at two sizes passes through both points.
    assert!(t.rows.iter().any(|r| r[res] == "exact (2 sizes)"));
    // Small numbers keep three significant figures.
    assert_eq!(num(0.000_312), "3.12e-4");
}

#[test]
fn the_decide_json_of_every_example_profile_is_read() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let results =
        sealbench::decide::load_results(&root.join("reports/reference/results.json")).unwrap();
    let mut read = 0;
    for entry in std::fs::read_dir(root.join("examples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let profile = sealbench::decide::Profile::load(&path).unwrap();
        let decision =
            sealbench::decide::decide(&profile, &results, &sealbench::decide::Options::default())
                .unwrap();
        let json = serde_json::to_string(&decision).unwrap();
        let d: sealbench::report::Decision = serde_json::from_str(&json).unwrap();
        assert_eq!(d.profile.name, profile.name);
        assert_eq!(d.rows.len(), decision.rows.len());
        let rec = &d.recommendation;
        assert_eq!(rec.classes.len(), decision.recommendation.classes.len());
        for (c, want) in rec.classes.iter().zip(&decision.recommendation.classes) {
            assert_eq!(c.mode, want.mode.label());
            assert_eq!(c.key_scope, want.key_scope.label());
        }
        assert_eq!(rec.rejected.len(), decision.recommendation.rejected.len());
        for r in &rec.rejected {
            assert!(
                !r.broken.is_empty() && !r.broken[0].attacks.is_empty(),
                "{}",
                r.strategy
            );
        }
        read += 1;
    }
    assert!(read >= 3, "only {read} example profiles");
}

#[test]
fn interleaved_ratios_are_shown_as_measured() {
    // A run file with an `interleaved` block (as `sealbench run` writes it): the overhead
    // section shows its ratios and intervals, not ratios of the matrix medians.
    let mut file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(data("results-minimal.json")).unwrap())
            .unwrap();
    file["runs"][0]["interleaved"] = serde_json::json!({
        "rounds": 31,
        "sample_ns": 2_000_000,
        "ratios": [{
            "backend": "aws-lc", "op": "open", "size": 64, "raw_ns": 76.8,
            "envelope_ns": 240.2, "ratio": 3.117, "ratio_ci95": [3.1, 3.15],
            "net_of_copy": 3.31
        }]
    });
    let dir = out_dir("interleaved");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("results.json");
    std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
    let report =
        Report::build(ReportInput::load(std::slice::from_ref(&path), None, &[]).unwrap()).unwrap();
    let t = tables(&report, "overhead")
        .into_iter()
        .find(|t| t.caption.contains("interleaved"))
        .expect("an interleaved table");
    assert_eq!(
        t.rows,
        vec![vec![
            "aws-lc",
            "open",
            "64 B",
            "76.8",
            "240",
            "3.12×",
            "3.10–3.15",
            "–",
            "3.31×"
        ]]
    );
    assert!(render_md(&report).contains("31 interleaved rounds (31 rounds in one process"));

    // Rounds in several processes (files from 2026-12-06 on): each process's median is
    // shown as a range beside the pooled interval, and the text says why.
    file["runs"][0]["interleaved"]["rounds"] = 11.into();
    file["runs"][0]["interleaved"]["processes"] = 3.into();
    file["runs"][0]["interleaved"]["ratios"][0]["per_process"] =
        serde_json::json!([3.2, 3.05, 3.1]);
    std::fs::write(&path, serde_json::to_vec(&file).unwrap()).unwrap();
    let report = Report::build(ReportInput::load(&[path], None, &[]).unwrap()).unwrap();
    let t = tables(&report, "overhead")
        .into_iter()
        .find(|t| t.caption.contains("interleaved"))
        .expect("an interleaved table");
    assert_eq!(t.rows[0][7], "3.05–3.20", "{:?}", t.rows);
    let md = render_md(&report);
    assert!(
        md.contains("33 interleaved rounds (11 rounds in each of 3 processes"),
        "{md}"
    );
    assert!(md.contains("layout lottery"));
}
