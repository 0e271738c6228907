//! The COSE working group's examples against every backend compiled in.
//!
//! The vectors live outside the repository (`../shared/vectors/cose-wg`, see its README);
//! without them the data-driven tests print `SKIPPED` and return.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use coset::{CborSerializable, CoseEncrypt, CoseMac, TaggedCborSerializable};
use sealbench::backend::{
    ALL_BACKENDS, AeadId, AlgorithmId, Backend, KdfId, KeyAgreementId, KeyTransportId, MacId,
    SignatureId,
};
use sealbench::conformance::Outcome;
use sealbench::conformance::cose_wg::{
    CoseRecord, CoseWgError, Entry, Example, check_example, load_examples, render_table, rollup,
    run_cose_wg,
};

fn vector_root() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/vectors/cose-wg");
    if root.is_dir() {
        Some(root)
    } else {
        eprintln!("SKIPPED: ../shared/vectors/cose-wg not found");
        None
    }
}

/// Every `*.json` under `dir`, counted independently of the runner.
fn json_files(dir: &Path, root: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            json_files(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            let rel = path.strip_prefix(root).unwrap();
            out.insert(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

use AlgorithmId as A;

/// Files whose algorithms are all in the profile, with the primitives they need.
/// ECDH files also need the backend to import a static private scalar.
fn in_profile() -> Vec<(&'static str, Vec<AlgorithmId>)> {
    let gcm128 = A::Aead(AeadId::Aes128Gcm);
    let gcm256 = A::Aead(AeadId::Aes256Gcm);
    let chacha = A::Aead(AeadId::ChaCha20Poly1305);
    let hmac = A::Mac(MacId::HmacSha256);
    let es256 = A::Signature(SignatureId::EcdsaP256Sha256);
    let ed25519 = A::Signature(SignatureId::Ed25519);
    let pss = A::Signature(SignatureId::RsaPss2048Sha256);
    let oaep = A::KeyTransport(KeyTransportId::RsaOaep2048Sha256);
    let p256 = A::KeyAgreement(KeyAgreementId::EcdhP256);
    let x25519 = A::KeyAgreement(KeyAgreementId::X25519);
    let hkdf = A::Kdf(KdfId::HkdfSha256);
    vec![
        ("CWT/A_3.json", vec![es256]),
        (
            "X25519-tests/x25519-hkdf-256-direct.json",
            vec![gcm128, x25519, hkdf],
        ),
        (
            "X25519-tests/x25519-ss-hkdf-256-direct.json",
            vec![gcm128, x25519, hkdf],
        ),
        ("aes-gcm-examples/aes-gcm-01.json", vec![gcm128]),
        ("aes-gcm-examples/aes-gcm-03.json", vec![gcm256]),
        ("aes-gcm-examples/aes-gcm-04.json", vec![gcm128]),
        ("aes-gcm-examples/aes-gcm-05.json", vec![gcm128]),
        ("aes-gcm-examples/aes-gcm-enc-01.json", vec![gcm128]),
        ("aes-gcm-examples/aes-gcm-enc-03.json", vec![gcm256]),
        ("aes-gcm-examples/aes-gcm-enc-04.json", vec![gcm128]),
        ("chacha-poly-examples/chacha-poly-01.json", vec![chacha]),
        ("chacha-poly-examples/chacha-poly-enc-01.json", vec![chacha]),
        (
            "ecdh-direct-examples/p256-hkdf-256-01.json",
            vec![gcm128, p256, hkdf],
        ),
        (
            "ecdh-direct-examples/p256-hkdf-256-02.json",
            vec![gcm256, p256, hkdf],
        ),
        (
            "ecdh-direct-examples/p256-ss-hkdf-256-01.json",
            vec![gcm128, p256, hkdf],
        ),
        (
            "ecdh-direct-examples/p256-ss-hkdf-256-02.json",
            vec![gcm256, p256, hkdf],
        ),
        (
            "ecdh-direct-examples/p256-ss-hkdf-512-02.json",
            vec![gcm256, p256, hkdf],
        ),
        ("ecdsa-examples/ecdsa-01.json", vec![es256]),
        ("ecdsa-examples/ecdsa-sig-01.json", vec![es256]),
        ("eddsa-examples/eddsa-01.json", vec![ed25519]),
        ("eddsa-examples/eddsa-sig-01.json", vec![ed25519]),
        ("hmac-examples/HMac-01.json", vec![hmac]),
        ("hmac-examples/HMac-04.json", vec![hmac]),
        ("hmac-examples/HMac-enc-01.json", vec![hmac]),
        ("hmac-examples/HMac-enc-04.json", vec![hmac]),
        ("rsa-oaep-examples/ps256-128gcm-01.json", vec![gcm128, oaep]),
        ("rsa-pss-examples/rsa-pss-01.json", vec![pss]),
        ("x509-examples/signed-01.json", vec![es256]),
        ("x509-examples/signed-02.json", vec![es256]),
        ("x509-examples/signed-03.json", vec![es256]),
        ("x509-examples/signed-04.json", vec![es256]),
        ("x509-examples/signed-05.json", vec![es256]),
    ]
}

/// Whether `backend` can do everything `needs` lists, including static-key import for ECDH.
fn can_run(backend: &Backend, needs: &[AlgorithmId]) -> bool {
    needs.iter().all(|&alg| {
        backend.supports(alg).is_ok()
            && match alg {
                A::KeyAgreement(id) => (backend.key_agreement)(id).is_ok_and(|ka| {
                    let scalar = [1u8; 32];
                    !matches!(
                        ka.private_key(&scalar),
                        Err(sealbench::backend::Error::Unsupported(_))
                    )
                }),
                _ => true,
            }
    })
}

#[test]
fn every_example_on_every_backend() {
    let Some(root) = vector_root() else { return };
    let records = run_cose_wg(&[&root], ALL_BACKENDS).expect("the vector folder loads");
    println!("{}", render_table(&records));
    // Every passing message had at least one intermediate rebuilt by the envelope's own
    // builders and found equal.
    for r in records.iter().filter(|r| r.outcome == Outcome::Passed) {
        assert!(
            r.intermediates_compared >= 1,
            "{} on {}: passed without comparing an intermediate",
            r.file,
            r.backend
        );
    }

    // Every file × backend has exactly one record.
    let mut files = BTreeSet::new();
    json_files(&root, &root, &mut files);
    assert!(
        files.len() >= 70,
        "only {} example files found",
        files.len()
    );
    for file in &files {
        for b in ALL_BACKENDS {
            let n = records
                .iter()
                .filter(|r| &r.file == file && r.backend == b.name)
                .count();
            assert_eq!(n, 1, "{file} on {}: {n} records", b.name);
        }
    }
    assert_eq!(records.len(), files.len() * ALL_BACKENDS.len());

    let failures: Vec<String> = records
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Failed { detail } => Some(format!("{} [{}]: {detail}", r.file, r.backend)),
            _ => None,
        })
        .collect();
    assert!(failures.is_empty(), "failed:\n{}", failures.join("\n"));

    // In-profile files pass wherever the backend has the primitives; the rest never pass.
    let in_profile = in_profile();
    for r in &records {
        let backend = ALL_BACKENDS.iter().find(|b| b.name == r.backend).unwrap();
        match in_profile.iter().find(|(f, _)| *f == r.file) {
            Some((_, needs)) if can_run(backend, needs) => {
                assert_eq!(r.outcome, Outcome::Passed, "{} on {}", r.file, r.backend);
            }
            Some(_) => assert!(
                matches!(r.outcome, Outcome::Unsupported { .. }),
                "{} on {}",
                r.file,
                r.backend
            ),
            None => assert!(
                matches!(r.outcome, Outcome::Unsupported { .. }),
                "out-of-profile {} on {}: {:?}",
                r.file,
                r.backend,
                r.outcome
            ),
        }
    }

    for s in rollup(&records) {
        println!(
            "{:>10}: {} passed, {} failed, {} unsupported",
            s.backend, s.passed, s.failed, s.unsupported
        );
        assert_eq!(s.total(), files.len() as u64);
        assert!(
            s.passed >= 20,
            "{} passes only {} examples",
            s.backend,
            s.passed
        );
    }

    // Fix-ups are recorded exactly where the README says the data is inconsistent.
    for r in &records {
        let fixed = r.notes.iter().any(|n| n.starts_with("fix-up:"));
        let known = [
            "x509-examples/signed-01.json",
            "x509-examples/signed-02.json",
            "chacha-poly-examples/chacha-poly-enc-01.json",
            "aes-gcm-examples/aes-gcm-02.json",
            "aes-gcm-examples/aes-gcm-03.json",
            "ecdh-direct-examples/p256-ss-hkdf-512-02.json",
        ]
        .contains(&r.file.as_str())
            || r.file.starts_with("ecdh-direct-examples/p521-");
        assert_eq!(
            fixed, known,
            "{} on {}: notes {:?}",
            r.file, r.backend, r.notes
        );
    }
}

/// Flips one byte of `part` where it occurs in `cbor`.
fn flip_in(cbor: &mut [u8], part: &[u8]) {
    let at = cbor
        .windows(part.len())
        .position(|w| w == part)
        .expect("part occurs in the message");
    cbor[at + part.len() - 1] ^= 0x01;
}

#[test]
fn tampered_messages_are_rejected() {
    let Some(root) = vector_root() else { return };
    let examples = examples_of(load_examples(&root).unwrap());
    let content = b"This is the content.";
    let cases: &[(&str, &str)] = &[
        ("hmac-examples/HMac-enc-01.json", "tag"),
        ("hmac-examples/HMac-enc-01.json", "payload"),
        ("hmac-examples/HMac-01.json", "tag"),
        ("eddsa-examples/eddsa-sig-01.json", "signature"),
        ("eddsa-examples/eddsa-sig-01.json", "payload"),
        ("ecdsa-examples/ecdsa-01.json", "signature"),
        ("rsa-pss-examples/rsa-pss-01.json", "payload"),
        ("x509-examples/signed-04.json", "signature"),
        ("aes-gcm-examples/aes-gcm-enc-01.json", "ciphertext"),
        ("aes-gcm-examples/aes-gcm-01.json", "ciphertext"),
        ("chacha-poly-examples/chacha-poly-01.json", "ciphertext"),
        ("ecdh-direct-examples/p256-hkdf-256-01.json", "ciphertext"),
        ("rsa-oaep-examples/ps256-128gcm-01.json", "ciphertext"),
    ];
    let mut rejected = 0;
    for &(file, part) in cases {
        let ex = examples.iter().find(|e| e.file == file).expect(file);
        for backend in ALL_BACKENDS {
            if check_example(ex, backend).outcome != Outcome::Passed {
                continue; // unsupported on this backend (asserted in the other test)
            }
            let mut bad = ex.clone();
            bad.forget_intermediates();
            match part {
                "payload" => flip_in(&mut bad.cbor, content),
                // The signature, Mac0 tag and Encrypt0 ciphertext end the message.
                "signature" | "tag" if !file.contains("HMac-0") => {
                    let last = bad.cbor.len() - 1;
                    bad.cbor[last] ^= 0x01;
                }
                "tag" => {
                    let tag = CoseMac::from_tagged_slice(&ex.cbor).unwrap().tag;
                    flip_in(&mut bad.cbor, &tag);
                }
                _ if ex.cbor[0] == 0xd0 => {
                    let last = bad.cbor.len() - 1;
                    bad.cbor[last] ^= 0x01;
                }
                _ => {
                    let ct = CoseEncrypt::from_tagged_slice(&ex.cbor)
                        .unwrap()
                        .ciphertext
                        .unwrap();
                    flip_in(&mut bad.cbor, &ct);
                }
            }
            let outcome = check_example(&bad, backend).outcome;
            assert!(
                matches!(&outcome, Outcome::Failed { detail } if detail.starts_with("rejected a valid message")),
                "{file} with a flipped {part} byte on {}: {outcome:?}",
                backend.name
            );
            rejected += 1;
        }
    }
    assert!(
        rejected >= cases.len(),
        "only {rejected} tampered messages were run"
    );
    // Sanity: the untampered Mac0 message still decodes as what we flipped.
    let mac0 = examples
        .iter()
        .find(|e| e.file == "hmac-examples/HMac-enc-01.json")
        .unwrap();
    assert!(coset::CoseMac0::from_tagged_slice(&mac0.cbor).is_ok());
    assert!(coset::CoseMac0::from_slice(&mac0.cbor).is_err());
}

fn examples_of(entries: Vec<Entry>) -> Vec<Example> {
    entries
        .into_iter()
        .filter_map(|e| match e {
            Entry::Example(ex) => Some(*ex),
            Entry::Uninterpreted(_) => None,
        })
        .collect()
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sealbench-cose-wg-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_file_the_runner_cannot_interpret_never_aborts_the_folder() {
    let dir = scratch_dir("malformed");
    let good = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/cose-wg-schema/mac0-pass-external.json");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::copy(&good, dir.join("sub/z-good.json")).unwrap();
    std::fs::write(
        dir.join("a-not-json.json"),
        "{\"title\": \"x\", \"input\": {",
    )
    .unwrap();
    std::fs::write(
        dir.join("b-surprise.json"),
        r#"{"title": "x", "surprise": 1, "input": {}, "intermediates": {}, "output": {"cbor_diag": "x", "cbor": ""}}"#,
    )
    .unwrap();
    std::fs::write(
        dir.join("c-bad-hex.json"),
        r#"{"title": "x", "input": {"plaintext": "p", "mac0": {"protected": {"alg": "HS256"}, "recipients": [{"key": {"kty": "oct", "k": "AA"}, "unprotected": {"alg": "direct"}}]}}, "intermediates": {}, "output": {"cbor_diag": "x", "cbor": "zz"}}"#,
    )
    .unwrap();
    let records = run_cose_wg(&[&dir], ALL_BACKENDS).unwrap();
    assert_eq!(records.len(), 4 * ALL_BACKENDS.len());
    let of =
        |file: &str| -> Vec<&CoseRecord> { records.iter().filter(|r| r.file == file).collect() };
    for r in of("a-not-json.json") {
        assert!(
            matches!(&r.outcome, Outcome::Failed { detail } if detail.contains("not JSON")),
            "{:?}",
            r.outcome
        );
    }
    for r in of("b-surprise.json") {
        assert!(
            matches!(&r.outcome, Outcome::Unsupported { reason } if reason.contains("surprise")),
            "{:?}",
            r.outcome
        );
    }
    for r in of("c-bad-hex.json") {
        assert_eq!(r.structure.name(), "COSE_Mac0");
        assert!(
            matches!(&r.outcome, Outcome::Failed { detail } if detail.contains("output.cbor is not hex")),
            "{:?}",
            r.outcome
        );
    }
    // The folder was recursed into and the good file still ran.
    let good_runs = of("sub/z-good.json");
    assert_eq!(good_runs.len(), ALL_BACKENDS.len());
    assert!(good_runs.iter().any(|r| r.outcome == Outcome::Passed));

    let empty = scratch_dir("empty");
    assert!(matches!(
        run_cose_wg(&[&empty], ALL_BACKENDS),
        Err(CoseWgError::NoExamples { .. })
    ));
    assert!(matches!(
        run_cose_wg(&[&empty.join("missing")], ALL_BACKENDS),
        Err(CoseWgError::ReadDir { .. })
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&empty);
}

/// What each of our own schema files (tests/data/cose-wg-schema, made by its gen.py) must
/// give: the outcome where the backend has the primitives, and the number of intermediates
/// rebuilt by the COSE core (src/cose) and found equal.
#[test]
fn the_upstream_schema_kinds_are_interpreted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cose-wg-schema");
    let records = run_cose_wg(&[&root], ALL_BACKENDS).unwrap();
    let ed25519 = vec![A::Signature(SignatureId::Ed25519)];
    let hmac = vec![A::Mac(MacId::HmacSha256)];
    let ecdh = vec![
        A::Aead(AeadId::Aes128Gcm),
        A::KeyAgreement(KeyAgreementId::EcdhP256),
        A::Kdf(KdfId::HkdfSha256),
    ];
    // (file, needs, outcome when runnable: "pass" or "unsup:<reason part>", intermediates)
    let expected: Vec<(&str, &Vec<AlgorithmId>, &str, usize)> = vec![
        ("cwt-tagged-mac0.json", &hmac, "pass", 2),
        ("ecdh-es-party-identities.json", &ecdh, "pass", 4),
        ("mac0-fail-add-protected.json", &hmac, "pass", 1),
        ("mac0-fail-change-protected.json", &hmac, "pass", 1),
        ("mac0-fail-change-tag.json", &hmac, "pass", 2),
        ("mac0-fail-remove-protected.json", &hmac, "pass", 0),
        ("mac0-pass-external.json", &hmac, "pass", 2),
        ("rfc8152-c31-layout.json", &ecdh, "pass", 4),
        ("sign-countersign.json", &ed25519, "unsup:countersign", 0),
        ("sign1-countersign0.json", &ed25519, "unsup:countersign0", 0),
        ("sign1-fail-cbor-tag.json", &ed25519, "pass", 1),
        ("sign1-fail-change-attr.json", &ed25519, "pass", 0),
        ("sign1-pass-external.json", &ed25519, "pass", 1),
        ("sign1-pass-untagged.json", &ed25519, "pass", 1),
        ("unknown-field.json", &hmac, "unsup:op time", 0),
    ];
    let mut files = BTreeSet::new();
    json_files(&root, &root, &mut files);
    assert_eq!(
        files.iter().map(String::as_str).collect::<Vec<_>>(),
        expected.iter().map(|e| e.0).collect::<Vec<_>>()
    );
    let mut ran = 0;
    for (file, needs, want, compared) in &expected {
        for b in ALL_BACKENDS {
            let r = records
                .iter()
                .find(|r| r.file == *file && r.backend == b.name)
                .unwrap();
            match want.strip_prefix("unsup:") {
                Some(why) => assert!(
                    matches!(&r.outcome, Outcome::Unsupported { reason } if reason.contains(why)),
                    "{file} on {}: {:?}",
                    b.name,
                    r.outcome
                ),
                None if can_run(b, needs) => {
                    assert_eq!(
                        r.outcome,
                        Outcome::Passed,
                        "{file} on {}: {:?}",
                        b.name,
                        r.notes
                    );
                    assert_eq!(r.intermediates_compared, *compared, "{file} on {}", b.name);
                    ran += 1;
                }
                None => assert!(
                    matches!(r.outcome, Outcome::Unsupported { .. }),
                    "{file} on {}: {:?}",
                    b.name,
                    r.outcome
                ),
            }
        }
    }
    assert!(ran >= 12, "only {ran} schema files ran");
    // A fail file is passed because it was rejected, not because its data differs.
    let tag = records
        .iter()
        .find(|r| r.file == "sign1-fail-cbor-tag.json" && r.outcome == Outcome::Passed)
        .unwrap();
    assert!(
        tag.notes.iter().any(|n| n.contains("ChangeCBORTag")),
        "{:?}",
        tag.notes
    );
}

/// A message that is valid but marked `fail` (or a mutated one that still verifies) is a
/// failure: the fail tests cannot pass vacuously.
#[test]
fn an_unmutated_message_marked_fail_is_a_failure() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/cose-wg-schema/sign1-pass-untagged.json");
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "\"input\"",
        "\"fail\": true, \"input\"",
        1,
    );
    let ex = sealbench::conformance::cose_wg::parse_example(
        &text,
        "x.json".to_string(),
        PathBuf::from("."),
        Path::new("x.json"),
    )
    .unwrap();
    let mut failed = 0;
    for b in ALL_BACKENDS {
        let o = check_example(&ex, b).outcome;
        if matches!(o, Outcome::Unsupported { .. }) {
            continue;
        }
        assert!(
            matches!(&o, Outcome::Failed { detail } if detail.contains("RemoveCBORTag")),
            "{o:?}"
        );
        failed += 1;
    }
    assert!(failed > 0);
}
