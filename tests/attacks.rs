//! The attacks of issue 9, executed through the released CLI with trust directories made
//! by `openssl`, as the README walkthrough makes them: an eavesdropper on the bus captures
//! a message and replays it to another node, to the same node after a restart, or back to
//! its sender; a receiver is flooded with oversized input.
//!
//! Every test needs the `openssl` command (installed by `scripts/deps.sh`); without it the
//! tests fail with a message saying so rather than pass silently.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sealbench");

fn openssl(args: &[&str], dir: &Path) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the `openssl` command is needed (scripts/deps.sh installs it)");
    assert!(out.status.success(), "openssl {args:?}: {out:?}");
}

/// A bus: a scheduler and two computes. The scheduler signs (Ed25519) and shares a region
/// HMAC key with both computes and a pairwise AES key with each compute.
struct Bus {
    _tmp: TempDir,
    sched: PathBuf,
    c1: PathBuf,
    c2: PathBuf,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn bus(name: &str) -> Bus {
    let root =
        std::env::temp_dir().join(format!("sealbench-attacks-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let (sched, c1, c2) = (root.join("sched"), root.join("c1"), root.join("c2"));
    for d in [&sched, &c1, &c2] {
        std::fs::create_dir_all(d).unwrap();
    }
    openssl(
        &["genpkey", "-algorithm", "ed25519", "-out", "sched.pem"],
        &sched,
    );
    openssl(
        &[
            "pkey",
            "-in",
            "sched.pem",
            "-pubout",
            "-out",
            "sched.pub.pem",
        ],
        &sched,
    );
    openssl(&["rand", "-hex", "-out", "region.key", "32"], &sched);
    openssl(&["rand", "-hex", "-out", "pair-c1.key", "16"], &sched);
    openssl(&["rand", "-hex", "-out", "pair-c2.key", "16"], &sched);
    for (dir, own) in [(&c1, "c1"), (&c2, "c2")] {
        for f in ["sched.pub.pem", "region.key"] {
            std::fs::copy(sched.join(f), dir.join(f)).unwrap();
        }
        std::fs::copy(sched.join(format!("pair-{own}.key")), dir.join("pair.key")).unwrap();
    }
    for dir in [&sched, &c1, &c2] {
        for f in std::fs::read_dir(dir).unwrap() {
            let f = f.unwrap().path();
            if f.extension().is_some_and(|e| e == "key") || f.ends_with("sched.pem") {
                set_private(&f);
            }
        }
    }
    std::fs::write(
        sched.join("trust.toml"),
        r#"
[node]
kid = "scheduler"
role = "scheduler"

[[key]]
file = "sched.pem"
alg = "EdDSA"
role = "scheduler"
kid = "scheduler"

[[key]]
file = "region.key"
alg = "HMAC256"
role = "compute"
kid = "region-mac"

[[key]]
file = "pair-c1.key"
alg = "A128GCM"
role = "compute"
kid = "pair-c1"

[[key]]
file = "pair-c2.key"
alg = "A128GCM"
role = "compute"
kid = "pair-c2"

[policy]
scheduler = ["*"]
compute = ["heartbeat", "report_state"]
"#,
    )
    .unwrap();
    for (dir, node, pair) in [(&c1, "compute-1", "pair-c1"), (&c2, "compute-2", "pair-c2")] {
        std::fs::write(
            dir.join("trust.toml"),
            format!(
                r#"
[node]
kid = "{node}"
role = "compute"

[[key]]
file = "sched.pub.pem"
alg = "EdDSA"
role = "scheduler"
kid = "scheduler"

[[key]]
file = "region.key"
alg = "HMAC256"
role = "scheduler"
kid = "region-mac"

[[key]]
file = "pair.key"
alg = "A128GCM"
role = "scheduler"
kid = "{pair}"

[policy]
scheduler = ["*"]
"#
            ),
        )
        .unwrap();
    }
    Bus {
        _tmp: TempDir(root),
        sched,
        c1,
        c2,
    }
}

#[cfg(unix)]
fn set_private(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
}

#[cfg(not(unix))]
fn set_private(_: &Path) {}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A receiver that stops reading at its size cap closes the pipe early: not an error.
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}

fn seal(trust: &Path, args: &[&str], method: &str) -> Vec<u8> {
    let t = trust.to_str().unwrap();
    let mut all = vec!["seal", "--trust", t, "--method", method];
    all.extend_from_slice(args);
    let out = run(&all, b"{\"vm\": 42}");
    assert!(
        out.status.success(),
        "seal {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Opens `wire` at `trust`; returns the rejection kind, or `None` when it opened.
fn open(trust: &Path, wire: &[u8], extra: &[&str]) -> Option<String> {
    let t = trust.to_str().unwrap();
    let mut all = vec!["open", "--trust", t];
    all.extend_from_slice(extra);
    let out = run(&all, wire);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    match out.status.code() {
        Some(0) => {
            assert_eq!(out.stdout, b"{\"vm\": 42}", "{stderr}");
            None
        }
        Some(1) => {
            let kind = stderr
                .split_once("rejected (")
                .and_then(|(_, r)| r.split_once(')'))
                .map(|(k, _)| k.to_string());
            Some(kind.unwrap_or_else(|| panic!("no rejection kind in {stderr:?}")))
        }
        other => panic!("open exited {other:?}: {stderr}"),
    }
}

#[test]
fn cross_node_replay_is_wrong_audience_in_every_symmetric_and_signed_mode() {
    let b = bus("cross-node");
    for args in [
        &["--mode", "sign1", "--as", "scheduler", "--to", "compute-1"][..],
        &["--mode", "mac0", "--as", "region-mac", "--to", "compute-1"],
    ] {
        let wire = seal(&b.sched, args, "boot_vm");
        assert_eq!(open(&b.c1, &wire, &[]), None, "{args:?} to its receiver");
        assert_eq!(
            open(&b.c2, &wire, &[]).as_deref(),
            Some("wrong-audience"),
            "{args:?} captured and replayed to compute-2"
        );
    }
}

#[test]
fn a_role_audience_reaches_the_role_and_nobody_else() {
    let b = bus("role");
    let wire = seal(
        &b.sched,
        &[
            "--mode",
            "sign1",
            "--as",
            "scheduler",
            "--to-role",
            "compute",
        ],
        "boot_vm",
    );
    assert_eq!(open(&b.c1, &wire, &[]), None);
    assert_eq!(open(&b.c2, &wire, &[]), None);
    // The scheduler is not a compute: its own broadcast reflected to it is refused.
    assert_eq!(open(&b.sched, &wire, &[]).as_deref(), Some("reflected"));
}

#[test]
fn no_audience_is_refused_unless_the_receiver_opts_in() {
    let b = bus("no-audience");
    let wire = seal(
        &b.sched,
        &["--mode", "mac0", "--as", "region-mac", "--no-audience"],
        "boot_vm",
    );
    assert_eq!(open(&b.c1, &wire, &[]).as_deref(), Some("wrong-audience"));
    assert_eq!(open(&b.c1, &wire, &["--accept-no-audience"]), None);
    // And seal refuses to make one by accident.
    let out = run(
        &[
            "seal",
            "--trust",
            b.sched.to_str().unwrap(),
            "--mode",
            "mac0",
            "--as",
            "region-mac",
            "--method",
            "m",
        ],
        b"x",
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--to KID"));
}

#[test]
fn reflection_is_refused_for_pairwise_keys_and_signatures() {
    let b = bus("reflection");
    // compute-1's heartbeat to the scheduler under the pairwise key, sent back to compute-1.
    let heartbeat = seal(
        &b.c1,
        &["--mode", "encrypt0", "--as", "pair-c1", "--to", "scheduler"],
        "heartbeat",
    );
    assert_eq!(open(&b.sched, &heartbeat, &[]), None);
    assert_eq!(open(&b.c1, &heartbeat, &[]).as_deref(), Some("reflected"));
    // Even when the sender addresses its own role (peer to peer), `iss` gives it away.
    let to_peers = seal(
        &b.c1,
        &[
            "--mode",
            "mac0",
            "--as",
            "region-mac",
            "--to-role",
            "compute",
        ],
        "heartbeat",
    );
    assert_eq!(open(&b.c2, &to_peers, &[]), None);
    assert_eq!(open(&b.c1, &to_peers, &[]).as_deref(), Some("reflected"));
    // A Sign1 reflected to its signer.
    let signed = seal(
        &b.sched,
        &["--mode", "sign1", "--as", "scheduler", "--to", "compute-1"],
        "boot_vm",
    );
    assert_eq!(open(&b.sched, &signed, &[]).as_deref(), Some("reflected"));
}

#[test]
fn replay_after_restart_is_caught_only_with_a_replay_db() {
    let b = bus("restart");
    let wire = seal(
        &b.sched,
        &["--mode", "sign1", "--as", "scheduler", "--to", "compute-1"],
        "boot_vm",
    );
    // Without a database each `open` process starts with empty replay state.
    assert_eq!(open(&b.c1, &wire, &[]), None);
    assert_eq!(open(&b.c1, &wire, &[]), None);
    let db = b.c1.join("replay.db");
    let db = db.to_str().unwrap();
    assert_eq!(open(&b.c1, &wire, &["--replay-db", db]), None);
    assert_eq!(
        open(&b.c1, &wire, &["--replay-db", db]).as_deref(),
        Some("replayed")
    );
    // A fresh message from the same sealer stream is still accepted.
    let next = seal(
        &b.sched,
        &["--mode", "sign1", "--as", "scheduler", "--to", "compute-1"],
        "boot_vm",
    );
    assert_eq!(open(&b.c1, &next, &["--replay-db", db]), None);
}

#[test]
fn oversized_input_is_refused_without_reading_it_all() {
    let b = bus("limits");
    let wire = seal(
        &b.sched,
        &["--mode", "sign1", "--as", "scheduler", "--to", "compute-1"],
        "boot_vm",
    );
    assert_eq!(
        open(&b.c1, &wire, &["--max-size", "16"]).as_deref(),
        Some("too-large")
    );
    // 64 MiB of garbage on stdin: refused at the default 16 MiB cap.
    let big = vec![0xd2u8; 64 << 20];
    assert_eq!(open(&b.c1, &big, &[]).as_deref(), Some("too-large"));
    // seal refuses a method longer than 255 bytes.
    let long = "m".repeat(256);
    let out = run(
        &[
            "seal",
            "--trust",
            b.sched.to_str().unwrap(),
            "--mode",
            "sign1",
            "--as",
            "scheduler",
            "--to",
            "compute-1",
            "--method",
            &long,
        ],
        b"x",
    );
    assert!(!out.status.success());
}
