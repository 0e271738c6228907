//! The committed golden and negative envelope vectors (`vectors/envelope/`) on every
//! backend, a regeneration with the same seed, and the checker's own failure modes
//! (wrong outcomes, malformed files, exit codes).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use sealbench::backend::ALL_BACKENDS;
use sealbench::conformance::Outcome;
use sealbench::conformance::envelope_vectors::{
    CheckReport, Class, DEFAULT_SEED, Expected, KNOWN_ERROR_KINDS, SUITE, Vector, VectorError,
    check_vector, check_vectors, generate_dir, load_dir, parse_vector,
};
use sealbench::cose::cbor::{MAJOR_ARRAY, MAJOR_TAG, Reader};
use sealbench::envelope::audience::Audience;
use sealbench::envelope::header::Protected;

fn committed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors/envelope")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    v.sort();
    v
}

fn assert_clean(report: &CheckReport, files: usize) {
    for (backend, t) in report.tallies() {
        eprintln!(
            "{backend}: {} passed, {} failed, {} unsupported {:?}",
            t.passed, t.failed, t.unsupported, t.unsupported_reasons
        );
    }
    let failures: Vec<String> = report
        .failures()
        .map(|r| format!("{} on {}: {:?}", r.vector, r.backend, r.outcome))
        .collect();
    assert!(
        failures.is_empty(),
        "wrong outcomes:\n{}",
        failures.join("\n")
    );
    assert_eq!(report.vectors, files);
    assert_eq!(report.results.len(), files * ALL_BACKENDS.len());
    // The first backend (RustCrypto in a default build) runs every vector.
    if ALL_BACKENDS[0].name == "rustcrypto" {
        let (_, t) = &report.tallies()[0];
        assert_eq!((t.passed, t.unsupported), (files, 0));
    }
}

#[test]
fn committed_vectors_check_clean_on_every_backend() {
    let dir = committed();
    let files = json_files(&dir);
    let vectors = load_dir(&dir).unwrap();
    assert_eq!(vectors.len(), files.len());
    let golden = vectors.iter().filter(|v| v.class == Class::Golden).count();
    assert_eq!(
        (golden, vectors.len() - golden),
        (33, 52),
        "vector counts changed"
    );
    let report = check_vectors(&vectors, ALL_BACKENDS);
    assert_clean(&report, files.len());
    // As conformance records (suite `envelope-vectors`): one per backend and class, every
    // vector counted once per backend, the golden/negative split kept.
    let records = report.suite_records();
    assert_eq!(records.len(), 2 * ALL_BACKENDS.len());
    for b in ALL_BACKENDS {
        let of = |class: &str| {
            records
                .iter()
                .find(|r| r.backend == b.name && r.suite == SUITE && r.algorithm == class)
                .unwrap_or_else(|| panic!("{} {class}", b.name))
        };
        assert_eq!(of("golden").total(), golden as u64, "{}", b.name);
        assert_eq!(of("negative").total(), (vectors.len() - golden) as u64);
        assert_eq!(of("golden").failed + of("negative").failed, 0);
    }
}

#[test]
fn kat_reports_the_vectors_as_a_suite() {
    let exe = env!("CARGO_BIN_EXE_sealbench");
    let json =
        std::env::temp_dir().join(format!("sealbench-kat-vectors-{}.json", std::process::id()));
    let out = Command::new(exe)
        .args([
            "kat",
            "--no-wycheproof",
            "--backend",
            "rustcrypto",
            "--vectors",
        ])
        .arg(committed())
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("envelope-vectors ("), "{text}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let _ = std::fs::remove_file(&json);
    let rows: Vec<(String, u64)> = report["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["suite"] == SUITE)
        .map(|r| {
            (
                r["algorithm"].as_str().unwrap().to_string(),
                r["passed"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [("golden".to_string(), 33), ("negative".to_string(), 52)]
    );
    let missing = Command::new(exe)
        .args([
            "kat",
            "--no-wycheproof",
            "--vectors",
            "/nonexistent-sealbench-dir",
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn regenerating_with_the_same_seed_checks_clean_and_keeps_names_and_seeds() {
    let dir = std::env::temp_dir().join(format!("sealbench-vectors-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let written = generate_dir(&dir, DEFAULT_SEED).unwrap();
    let fresh = load_dir(&dir).unwrap();
    assert_eq!(fresh.len(), written.len());
    assert_clean(&check_vectors(&fresh, ALL_BACKENDS), written.len());

    let old = load_dir(&committed()).unwrap();
    let names = |v: &[Vector]| v.iter().map(|v| v.name.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&fresh),
        names(&old),
        "the committed vectors are stale"
    );
    for (a, b) in fresh.iter().zip(&old) {
        let seed = |v: &Vector| v.seal.as_ref().map(|s| s.seed);
        assert_eq!(seed(a), seed(b), "{}", a.name);
        assert_eq!(a.expect, b.expect, "{}", a.name);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `deterministic: false` is only claimed where some backend really re-seals differently.
#[test]
fn deterministic_flags_are_tight() {
    if ALL_BACKENDS.len() < 2 {
        return; // ES256 is deterministic (RFC 6979) on RustCrypto alone
    }
    for mut v in load_dir(&committed()).unwrap() {
        if v.class != Class::Golden || v.deterministic {
            continue;
        }
        v.deterministic = true;
        let failed = ALL_BACKENDS
            .iter()
            .filter(|&&b| matches!(check_vector(&v, b), Outcome::Failed { .. }))
            .count();
        assert!(failed > 0, "{} re-seals identically everywhere", v.name);
    }
}

#[test]
fn wrong_messages_and_wrong_expectations_fail() {
    for mut v in load_dir(&committed()).unwrap() {
        let original = v.clone();
        match &v.expect {
            Expected::Ok { .. } => {
                // Flip a bit of the protected header (byte 10 lies in it in every mode):
                // the message must no longer open. (Not just any byte: a bit of another
                // recipient's wrapped key goes unnoticed by this receiver, as in COSE.)
                v.message[10] ^= 0x01;
            }
            Expected::Error(kind) => {
                let other = if kind == "authentication" {
                    "replayed"
                } else {
                    "authentication"
                };
                v.expect = Expected::Error(other.to_string());
            }
        }
        for &b in ALL_BACKENDS {
            let outcome = check_vector(&v, b);
            let before = check_vector(&original, b);
            match before {
                Outcome::Passed => assert!(
                    matches!(outcome, Outcome::Failed { .. }),
                    "{} on {}: a wrong vector gave {outcome:?}",
                    v.name,
                    b.name
                ),
                _ => assert!(!matches!(outcome, Outcome::Passed), "{}", v.name),
            }
        }
    }
}

fn malformed(text: &str) -> (String, String) {
    match parse_vector("f.json", "golden-mac0-hmac256", text) {
        Err(VectorError::Malformed { field, detail, .. }) => (field, detail),
        other => panic!("expected a malformed-file error, got {other:?}"),
    }
}

/// A change to a vector's JSON.
type Edit = Box<dyn Fn(&mut serde_json::Value)>;

#[test]
fn malformed_files_name_the_field() {
    let text = std::fs::read_to_string(committed().join("golden-mac0-hmac256.json")).unwrap();
    parse_vector("f.json", "golden-mac0-hmac256", &text).unwrap();
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        f(&mut v);
        malformed(&serde_json::to_string(&v).unwrap())
    };
    let cases: Vec<(&str, Edit)> = vec![
        (
            "receiver.keys[0].alg",
            Box::new(|v| v["receiver"]["keys"][0]["alg"] = "HMAC512".into()),
        ),
        (
            "receiver.keys[0].symmetric_hex",
            Box::new(|v| v["receiver"]["keys"][0]["symmetric_hex"] = "zz".into()),
        ),
        ("message_hex", Box::new(|v| v["message_hex"] = 7.into())),
        (
            "expect.kind",
            Box::new(|v| v["expect"] = serde_json::json!({"result": "error", "kind": "nope"})),
        ),
        (
            "expect",
            Box::new(|v| v["expect"] = serde_json::json!({"result": "error", "kind": "replayed"})),
        ),
        ("seal.extra", Box::new(|v| v["seal"]["extra"] = 1.into())),
        (
            "receiver.options.window_s",
            Box::new(|v| {
                v["receiver"]["options"]
                    .as_object_mut()
                    .unwrap()
                    .remove("window_s");
            }),
        ),
        (
            "schema_version",
            Box::new(|v| v["schema_version"] = 1.into()),
        ),
        (
            "receiver.node.role",
            Box::new(|v| {
                v["receiver"]["node"]
                    .as_object_mut()
                    .unwrap()
                    .remove("role");
            }),
        ),
        (
            "receiver.node.kid",
            Box::new(|v| v["receiver"]["node"]["kid_hex"] = "00".into()),
        ),
        (
            "receiver.options.max_size",
            Box::new(|v| v["receiver"]["options"]["max_size"] = (-1).into()),
        ),
        (
            "receiver.options.accept_no_audience",
            Box::new(|v| {
                v["receiver"]["options"]
                    .as_object_mut()
                    .unwrap()
                    .remove("accept_no_audience");
            }),
        ),
        (
            "seal.audience.kids",
            Box::new(|v| v["seal"]["audience"]["role"] = "compute".into()),
        ),
        (
            "seal.audience.kids",
            Box::new(|v| v["seal"]["audience"]["kids"] = serde_json::json!([])),
        ),
        ("seal.issuer", Box::new(|v| v["seal"]["issuer"] = 1.into())),
        ("name", Box::new(|v| v["name"] = "other".into())),
        (
            "seal",
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("seal");
            }),
        ),
        (
            "seal.content",
            Box::new(|v| v["seal"]["content"] = "A128GCM".into()),
        ),
        ("opens", Box::new(|v| v["opens"] = 0.into())),
    ];
    for (field, f) in cases {
        let (got, detail) = edit(&*f);
        assert_eq!(got, field, "{detail}");
    }
    assert_eq!(malformed("{").0, "(file)");
}

#[test]
fn the_command_exits_0_1_and_2() {
    let exe = env!("CARGO_BIN_EXE_sealbench");
    let run = |dir: &Path| {
        let out = Command::new(exe)
            .args(["vectors", "check"])
            .arg(dir)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.code(), text)
    };
    let (code, text) = run(&committed());
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("0 failed"), "{text}");

    let dir = std::env::temp_dir().join(format!("sealbench-vectors-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let src = committed().join("negative-replayed-mac0.json");
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&src).unwrap()).unwrap();
    v["opens"] = 1.into();
    let path = dir.join("negative-replayed-mac0.json");
    std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    let (code, text) = run(&dir);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("FAILED negative-replayed-mac0"), "{text}");

    v["opens"] = "two".into();
    std::fs::write(&path, serde_json::to_string(&v).unwrap()).unwrap();
    let (code, text) = run(&dir);
    assert_eq!(code, Some(2), "{text}");
    assert!(
        text.contains("negative-replayed-mac0.json: field `opens`"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Kinds no vector can expect from an opener, and why: the rest must each appear in at
/// least one committed vector.
const NOT_FROM_A_MESSAGE: &[(&str, &str)] = &[
    (
        "replay-store",
        "an I/O failure of the replay database (tests/replay.rs)",
    ),
    (
        "key-exhausted",
        "a sealer's limit, not an opener's (tests/negative.rs)",
    ),
    (
        "unsupported",
        "a backend's gap: a vector reports it as unsupported, never expects it",
    ),
    (
        "key",
        "a trust-store key the backend cannot import, before any message",
    ),
    (
        "config",
        "an inconsistent sealer or opener configuration, before any message",
    ),
];

#[test]
fn every_kind_an_opener_returns_has_a_vector() {
    let vectors = load_dir(&committed()).unwrap();
    for (kind, _) in NOT_FROM_A_MESSAGE {
        assert!(KNOWN_ERROR_KINDS.contains(kind), "{kind}");
    }
    let missing: Vec<&str> = KNOWN_ERROR_KINDS
        .iter()
        .copied()
        .filter(|k| NOT_FROM_A_MESSAGE.iter().all(|(n, _)| n != k))
        .filter(|k| {
            !vectors
                .iter()
                .any(|v| v.expect == Expected::Error(k.to_string()))
        })
        .collect();
    assert!(missing.is_empty(), "kinds without a vector: {missing:?}");
    for kind in [
        "wrong-audience",
        "reflected",
        "too-large",
        "unknown-header",
        "header-order",
    ] {
        assert!(
            vectors
                .iter()
                .any(|v| v.expect == Expected::Error(kind.into())),
            "{kind}"
        );
    }
}

/// The outermost protected header of a message (plain, Mac0, Sign1, Encrypt0, Encrypt).
fn outer_protected(msg: &[u8]) -> Protected<'_> {
    let mut r = Reader::new(msg);
    if r.peek_major().unwrap() == MAJOR_TAG {
        r.tag().unwrap();
    }
    r.array().unwrap();
    Protected::parse(r.bstr().unwrap()).unwrap()
}

/// The names of an encoded `aud` value.
fn aud_names(aud: &[u8]) -> Vec<String> {
    let mut r = Reader::new(aud);
    if r.peek_major().unwrap() == MAJOR_ARRAY {
        (0..r.array().unwrap())
            .map(|_| r.tstr().unwrap().to_string())
            .collect()
    } else {
        vec![r.tstr().unwrap().to_string()]
    }
}

/// Every golden message names its issuer (`kid:scheduler-1`) and is addressed to its
/// receiver node (`kid:compute-1`, or its role), except the one golden without an audience,
/// whose receiver opts in to that; its message is also the negative vector that a
/// receiver with the default options refuses.
#[test]
fn golden_messages_are_addressed_to_their_receiver_and_name_their_issuer() {
    let vectors = load_dir(&committed()).unwrap();
    let mut no_audience = Vec::new();
    for v in vectors.iter().filter(|v| v.class == Class::Golden) {
        let p = outer_protected(&v.message);
        assert_eq!(p.iss, Some(&b"kid:scheduler-1"[..]), "{}", v.name);
        let node = v.receiver.store.node.as_ref().unwrap();
        assert_eq!(
            (node.kid.as_slice(), node.role.as_str()),
            (&b"compute-1"[..], "compute")
        );
        let Some(aud) = p.aud else {
            assert!(v.receiver.options.accept_no_audience, "{}", v.name);
            no_audience.push(v);
            continue;
        };
        assert!(!v.receiver.options.accept_no_audience, "{}", v.name);
        let names = aud_names(aud);
        assert!(
            names
                .iter()
                .any(|n| n == "kid:compute-1" || n == "role:compute"),
            "{}: {names:?}",
            v.name
        );
        let spec = v.seal.as_ref().unwrap();
        match &spec.audience {
            Some(Audience::Role(r)) => assert_eq!(names, [format!("role:{r}")]),
            Some(Audience::Kids(kids)) => assert_eq!(names.len(), kids.len()),
            // Hybrid modes default to the recipients' kids.
            None => assert_eq!(names.len(), spec.recipients.len(), "{}", v.name),
        }
    }
    assert_eq!(no_audience.len(), 1);
    let golden = no_audience[0];
    let twin = vectors
        .iter()
        .find(|v| v.name == "negative-no-audience-mac0")
        .unwrap();
    assert_eq!(twin.message, golden.message);
    assert_eq!(twin.expect, Expected::Error("wrong-audience".into()));
    assert!(!twin.receiver.options.accept_no_audience);
    // Apart from that one option, the two receivers are the same.
    assert_eq!(twin.receiver.time_s, golden.receiver.time_s);
    assert_eq!(twin.receiver.store.node, golden.receiver.store.node);
    let kids = |v: &Vector| -> Vec<Vec<u8>> {
        v.receiver
            .store
            .entries
            .iter()
            .map(|e| e.kid.clone())
            .collect()
    };
    assert_eq!(kids(twin), kids(golden));
}

/// The new refusals are decided after authentication (`wrong-audience`, `reflected`
/// come from admission, which only authenticated messages reach): flipping one bit of
/// such a vector's MAC tag, signature or AEAD tag turns its kind into `authentication`.
#[test]
fn audience_and_reflection_vectors_authenticate() {
    let vectors = load_dir(&committed()).unwrap();
    let mut n = 0;
    for v in &vectors {
        if !matches!(&v.expect, Expected::Error(k) if k == "wrong-audience" || k == "reflected") {
            continue;
        }
        let mut forged = v.clone();
        let last = forged.message.len() - 1;
        forged.message[last] ^= 0x01;
        forged.expect = Expected::Error("authentication".into());
        for &b in ALL_BACKENDS {
            let outcome = check_vector(&forged, b);
            assert!(
                !matches!(outcome, Outcome::Failed { .. }),
                "{} on {}: {outcome:?}",
                v.name,
                b.name
            );
        }
        n += 1;
    }
    assert_eq!(n, 7);
}
