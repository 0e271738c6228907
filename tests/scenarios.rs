//! The deployment presets: their tables follow from executed attacks, so these assertions
//! check the envelope's behaviour (a regression in key learning, recipient handling, replay
//! or freshness changes an outcome and fails here), plus the `sealbench scenarios` command.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::Command;

use sealbench::backend::ALL_BACKENDS;
use sealbench::envelope::EnvelopeError;
use sealbench::scenarios::{ALL_PRESETS, Cell, Outcome, PresetReport, Row, YesIf, by_name};

/// The presets that model message-level deployments (the channel presets `tls-*` have
/// other rows and their own test in `tests/channel.rs`).
fn message_presets() -> impl Iterator<Item = &'static sealbench::scenarios::Preset> {
    ALL_PRESETS.iter().filter(|p| !p.name.starts_with("tls"))
}

fn report(name: &str) -> PresetReport {
    by_name(name).unwrap().report(ALL_BACKENDS[0]).unwrap()
}

fn cell<'r>(r: &'r PresetReport, id: &str) -> &'r Row {
    r.row(id)
        .unwrap_or_else(|| panic!("{}: no row {id}", r.preset))
}

fn rejected(r: &PresetReport, id: &str, kind: &str) {
    let o = &cell(r, id).outcome;
    assert!(
        matches!(o, Outcome::Rejected { .. }) && o.kind() == Some(kind),
        "{} {id}: expected rejection ({kind}), got {o}",
        r.preset
    );
}

fn accepted_as(r: &PresetReport, id: &str, role: &str) {
    match &cell(r, id).outcome {
        Outcome::Accepted {
            role: Some(got), ..
        } => assert_eq!(got, role, "{} {id}", r.preset),
        other => panic!(
            "{} {id}: expected acceptance as {role}, got {other}",
            r.preset
        ),
    }
}

#[test]
fn every_preset_runs_its_baselines_pass_and_cells_follow_outcomes() {
    for p in message_presets() {
        let r = p.report(ALL_BACKENDS[0]).unwrap();
        assert!(r.run.rows.len() >= 10, "{}", p.name);
        for row in &r.run.rows {
            let attack_worked = !matches!(row.outcome, Outcome::Rejected { .. });
            let expected = match row.yes_if {
                sealbench::scenarios::YesIf::Succeeded => attack_worked,
                sealbench::scenarios::YesIf::Rejected => !attack_worked,
            };
            assert_eq!(row.supported, expected, "{} {}", p.name, row.id);
            if let Some(c) = &row.with_audience {
                let worked = !matches!(c.outcome, Outcome::Rejected { .. });
                let expected = match row.yes_if {
                    sealbench::scenarios::YesIf::Succeeded => worked,
                    sealbench::scenarios::YesIf::Rejected => !worked,
                };
                assert_eq!(c.supported, expected, "{} {} (audience)", p.name, row.id);
                assert_ne!(c.outcome.kind(), Some("unsupported"), "{}", row.id);
            }
            assert_ne!(
                row.outcome.kind(),
                Some("unsupported"),
                "{} {}",
                p.name,
                row.id
            );
        }
        let baselines: Vec<_> = r
            .run
            .rows
            .iter()
            .filter(|row| row.capability.contains("(baseline)"))
            .collect();
        assert!(!baselines.is_empty(), "{}", p.name);
        for row in baselines {
            assert!(
                matches!(row.outcome, Outcome::Accepted { .. }),
                "{} {}",
                p.name,
                row.id
            );
        }
    }
}

/// The plugin document's four capability tables, row by row (the manual shared-key
/// scenario lists no "new nodes" row; ours has the unique-manual answer).
#[test]
fn mcollective_tables_match_the_plugin_documentation() {
    let rows = [
        "clients-identified",
        "client-key-reads-requests",
        "client-key-by-listening",
        "replies-only-caller",
        "new-key-requests",
        "servers-identified",
        "server-key-reads-registration",
        "server-key-by-listening",
        "registration-protected",
        "new-node-registration",
    ];
    let documented: [(&str, [bool; 10]); 4] = [
        (
            "mcollective-unique-manual",
            [
                true, true, false, true, false, true, true, false, true, false,
            ],
        ),
        (
            "mcollective-unique-learned",
            [true, true, true, true, true, true, true, true, true, true],
        ),
        (
            "mcollective-shared-manual",
            [
                true, true, false, true, false, false, true, false, false, false,
            ],
        ),
        (
            "mcollective-shared-learned",
            [true, true, true, true, true, false, true, true, false, true],
        ),
    ];
    for (preset, cells) in documented {
        let r = report(preset);
        for (id, want) in rows.iter().zip(cells) {
            assert_eq!(cell(&r, id).supported, want, "{preset} {id}");
        }
    }
}

#[test]
fn learned_keys_admit_new_key_pairs_and_manual_keys_reject_them() {
    for preset in ["mcollective-unique-learned", "mcollective-shared-learned"] {
        let r = report(preset);
        accepted_as(&r, "new-key-requests", "client");
        accepted_as(&r, "new-node-registration", "client");
        assert!(matches!(
            cell(&r, "client-key-by-listening").outcome,
            Outcome::Accepted { .. }
        ));
    }
    for preset in ["mcollective-unique-manual", "mcollective-shared-manual"] {
        let r = report(preset);
        rejected(&r, "new-key-requests", "unknown-key");
        rejected(&r, "new-node-registration", "unknown-key");
        rejected(&r, "client-key-by-listening", "unknown-key");
    }
    // Learning without an authorization policy lets a compromised server act as a client.
    accepted_as(
        &report("mcollective-unique-learned"),
        "server-makes-requests",
        "client",
    );
    rejected(
        &report("mcollective-unique-manual"),
        "server-makes-requests",
        "forbidden",
    );
}

#[test]
fn shared_server_keys_let_a_compromised_server_impersonate_and_read_other_servers() {
    for preset in ["mcollective-shared-manual", "mcollective-shared-learned"] {
        let r = report(preset);
        accepted_as(&r, "servers-identified", "server");
        accepted_as(&r, "registration-protected", "server");
        accepted_as(&r, "server-reads-server-replies", "server");
    }
    for preset in ["mcollective-unique-manual", "mcollective-unique-learned"] {
        let r = report(preset);
        rejected(&r, "servers-identified", "authentication");
        rejected(&r, "registration-protected", "authentication");
        rejected(&r, "server-reads-server-replies", "unknown-key");
    }
}

#[test]
fn replies_stay_with_the_caller_and_stale_or_replayed_requests_fail_everywhere() {
    for p in &ALL_PRESETS[..4] {
        let r = report(p.name);
        rejected(&r, "replies-only-caller", "unknown-key");
        rejected(&r, "server-reads-caller-replies", "unknown-key");
        rejected(&r, "eavesdropper-reads-replies", "unknown-key");
        rejected(&r, "clients-identified", "authentication");
        assert!(matches!(
            cell(&r, "eavesdropper-reads-requests").outcome,
            Outcome::Exposed { .. }
        ));
    }
    for p in message_presets() {
        let r = report(p.name);
        rejected(&r, "replayed-request", "replayed");
        rejected(&r, "stale-request", "expired");
    }
}

#[test]
fn a_shared_mac_lets_one_compromised_node_forge_for_the_whole_region() {
    let r = report("shared-mac");
    accepted_as(&r, "compromised-node-forges-region", "region");
    accepted_as(&r, "compromised-node-boots-vm", "region");
    accepted_as(&r, "nodes-identified", "region");
    rejected(&r, "outsider-forges", "authentication");
    rejected(&r, "new-key-requests", "unknown-key");
    assert!(matches!(
        cell(&r, "eavesdropper-reads").outcome,
        Outcome::Exposed { .. }
    ));
}

#[test]
fn per_guest_keys_stop_cross_guest_reads_and_forgery() {
    let r = report("trove");
    rejected(&r, "cross-guest-read", "unknown-key");
    rejected(&r, "guest-reads-control-plane", "unknown-key");
    rejected(&r, "eavesdropper-reads", "unknown-key");
    rejected(&r, "guests-identified", "authentication");
    rejected(&r, "guest-calls-control-plane-method", "forbidden");
    rejected(&r, "reflected-to-guest", "forbidden");
    rejected(&r, "database-dump-reads", "authentication");
    accepted_as(&r, "control-plane-host-reads-all", "guest");
}

/// The attacks every preset executes twice: as deployed and with the profile's audience.
const EXECUTED: [&str; 7] = [
    "cross-node-replay",
    "restart-replay",
    "restart-replay-db",
    "reflection",
    "replay-flood",
    "layer-confusion",
    "forwarding",
];

/// What an executed attack must come to.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// Accepted, attributed to this role (`None`: anonymous).
    Accepted(&'static str),
    /// Rejected with this error kind.
    Rejected(&'static str),
}
use Want::{Accepted, Rejected};

fn check(preset: &str, id: &str, variant: &str, got: &Outcome, want: Want) {
    let ok = match (want, got) {
        (
            Accepted(role),
            Outcome::Accepted {
                role: Some(got), ..
            },
        ) => got == role,
        (Rejected(kind), Outcome::Rejected { kind: got }) => *got == kind,
        _ => false,
    };
    assert!(
        ok,
        "{preset} {id} ({variant}): expected {want:?}, got {got}"
    );
}

fn profile_cell<'r>(r: &'r PresetReport, id: &str) -> &'r Cell {
    cell(r, id)
        .with_audience
        .as_ref()
        .unwrap_or_else(|| panic!("{} {id}: not run with the audience", r.preset))
}

/// The presets that model an existing deployment (one run as built, one with the
/// profile's audience), each with its expected outcomes below.
const DEPLOYMENTS: [&str; 6] = [
    "mcollective-unique-manual",
    "mcollective-unique-learned",
    "mcollective-shared-manual",
    "mcollective-shared-learned",
    "shared-mac",
    "trove",
];

/// Per preset, each executed attack as deployed and with the profile's audience.
fn expected(preset: &str) -> [(&'static str, Want, Want); 7] {
    let mcollective = [
        // Requests name no receiver: any server that trusts alice runs them.
        (
            "cross-node-replay",
            Accepted("client"),
            Rejected("wrong-audience"),
        ),
        ("restart-replay", Accepted("client"), Accepted("client")),
        (
            "restart-replay-db",
            Rejected("replayed"),
            Rejected("replayed"),
        ),
        // Servers name themselves (senderid → iss): a reflection is caught either way.
        ("reflection", Rejected("reflected"), Rejected("reflected")),
        // Per-sender replay tables: server-2's flood only costs server-2.
        ("replay-flood", Accepted("client"), Accepted("client")),
        (
            "layer-confusion",
            Rejected("wrong-structure"),
            Rejected("wrong-structure"),
        ),
        // Sign-encrypt binds the recipients into the signature.
        (
            "forwarding",
            Rejected("authentication"),
            Rejected("authentication"),
        ),
    ];
    match preset {
        "shared-mac" => [
            (
                "cross-node-replay",
                Accepted("region"),
                Rejected("wrong-audience"),
            ),
            ("restart-replay", Accepted("region"), Accepted("region")),
            (
                "restart-replay-db",
                Rejected("replayed"),
                Rejected("replayed"),
            ),
            // No sender id on the wire: only `iss` tells a node its own message.
            ("reflection", Accepted("region"), Rejected("reflected")),
            // One key is one sender to the replay state: a node's flood blocks the scheduler.
            ("replay-flood", Rejected("replayed"), Rejected("replayed")),
            (
                "layer-confusion",
                Rejected("wrong-structure"),
                Rejected("wrong-structure"),
            ),
            // Every holder of the key can address anyone.
            ("forwarding", Accepted("region"), Accepted("region")),
        ],
        "trove" => [
            (
                "cross-node-replay",
                Accepted("control-plane"),
                Rejected("wrong-audience"),
            ),
            (
                "restart-replay",
                Accepted("control-plane"),
                Accepted("control-plane"),
            ),
            (
                "restart-replay-db",
                Rejected("replayed"),
                Rejected("replayed"),
            ),
            (
                "reflection",
                Accepted("control-plane"),
                Rejected("reflected"),
            ),
            ("replay-flood", Accepted("guest"), Accepted("guest")),
            (
                "layer-confusion",
                Rejected("wrong-structure"),
                Rejected("wrong-structure"),
            ),
            (
                "forwarding",
                Accepted("control-plane"),
                Accepted("control-plane"),
            ),
        ],
        p if p.starts_with("mcollective-") => mcollective,
        other => panic!("{other}: no expected outcomes"),
    }
}

#[test]
fn every_deployment_executes_the_bus_attacks_as_deployed_and_with_the_audience() {
    for name in DEPLOYMENTS {
        let p = by_name(name).unwrap();
        let r = report(p.name);
        let want = expected(p.name);
        assert_eq!(
            want.map(|(id, ..)| id),
            EXECUTED,
            "{}: expectations cover every executed attack",
            p.name
        );
        for (id, deployed, with_audience) in want {
            let row = cell(&r, id);
            check(p.name, id, "as deployed", &row.outcome, deployed);
            check(
                p.name,
                id,
                "with the audience",
                &profile_cell(&r, id).outcome,
                with_audience,
            );
        }
    }
}

/// The audience closes cross-node replay everywhere, and reflection wherever the deployment
/// did not name its senders already; it does nothing for restarts, floods or a key holder
/// who forwards — those need the replay database, per-sender keys or sign-encrypt.
#[test]
fn the_audience_closes_cross_node_replay_and_only_the_replay_db_closes_restarts() {
    for name in DEPLOYMENTS {
        let p = by_name(name).unwrap();
        let r = report(p.name);
        assert!(cell(&r, "cross-node-replay").supported, "{}", p.name);
        assert!(
            !profile_cell(&r, "cross-node-replay").supported,
            "{}",
            p.name
        );
        for variant in [
            cell(&r, "restart-replay").supported,
            profile_cell(&r, "restart-replay").supported,
        ] {
            assert!(variant, "{}: restart without a database", p.name);
        }
        for variant in [
            cell(&r, "restart-replay-db").supported,
            profile_cell(&r, "restart-replay-db").supported,
        ] {
            assert!(!variant, "{}: restart with a database", p.name);
        }
        assert!(!profile_cell(&r, "reflection").supported, "{}", p.name);
        assert_eq!(cell(&r, "replay-flood").yes_if, YesIf::Succeeded);
    }
}

/// The same deployment gives the same table on every backend that can run it; a backend
/// that cannot says why.
#[test]
fn tables_agree_across_backends() {
    type Shape = Vec<(
        String,
        bool,
        Option<&'static str>,
        Option<Option<&'static str>>,
    )>;
    let shape = |r: &PresetReport| -> Shape {
        r.run
            .rows
            .iter()
            .map(|row| {
                (
                    row.id.to_string(),
                    row.supported,
                    row.outcome.kind(),
                    row.with_audience.as_ref().map(|c| c.outcome.kind()),
                )
            })
            .collect()
    };
    for p in ALL_PRESETS {
        let reference = shape(&p.report(ALL_BACKENDS[0]).unwrap());
        for &b in &ALL_BACKENDS[1..] {
            match p.report(b) {
                Ok(r) => assert_eq!(shape(&r), reference, "{} on {}", p.name, b.name),
                Err(EnvelopeError::Unsupported(u)) => {
                    eprintln!("{} not run on {}: {u}", p.name, b.name)
                }
                Err(e) => panic!("{} on {}: {e}", p.name, b.name),
            }
        }
    }
}

fn sealbench(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_sealbench"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn cli_prints_tables_and_json_and_rejects_unknown_names() {
    let out = sealbench(&["scenarios", "--preset", "shared-mac"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("| Feature / Capability"), "{text}");
    assert!(text.contains("rejected: authentication"), "{text}");
    assert!(text.contains("With the profile's audience"), "{text}");
    assert!(text.contains("no — rejected: wrong-audience"), "{text}");

    let out = sealbench(&["scenarios", "--json"]);
    assert!(out.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let presets = doc["presets"].as_array().unwrap();
    assert_eq!(presets.len(), ALL_PRESETS.len());
    assert_eq!(presets[0]["backend"], ALL_BACKENDS[0].name);
    assert!(doc["environment"]["cpu"].is_object());
    let row = &presets[0]["rows"][0];
    assert!(row["supported"].is_boolean() && row["outcome"].is_string());
    assert!(row.get("with_audience").is_none(), "{row}");
    let rows = presets[0]["rows"].as_array().unwrap();
    let cross = rows
        .iter()
        .find(|r| r["id"] == "cross-node-replay")
        .unwrap();
    assert_eq!(cross["with_audience"]["outcome"], "rejected");
    assert_eq!(cross["with_audience"]["kind"], "wrong-audience");
    assert_eq!(cross["with_audience"]["supported"], false);

    for (flag, valid) in [("--preset", "trove"), ("--backend", ALL_BACKENDS[0].name)] {
        let out = sealbench(&["scenarios", flag, "nope"]);
        assert_eq!(out.status.code(), Some(2), "{flag}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(valid), "{flag}: {err}");
    }
}
