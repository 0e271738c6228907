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
    CoseWgError, check_example, load_examples, render_table, rollup, run_cose_wg,
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
    let records = run_cose_wg(&root, ALL_BACKENDS).expect("the vector folder loads");
    println!("{}", render_table(&records));

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
    let examples = load_examples(&root).unwrap();
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

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sealbench-cose-wg-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn malformed_files_and_empty_folders_are_errors_naming_them() {
    let dir = scratch_dir("malformed");
    std::fs::write(dir.join("bad.json"), "{\"title\": \"x\", \"input\": {").unwrap();
    let err = run_cose_wg(&dir, ALL_BACKENDS).unwrap_err();
    assert!(matches!(err, CoseWgError::Json { .. }), "{err}");
    assert!(err.to_string().contains("bad.json"), "{err}");

    std::fs::write(
        dir.join("bad.json"),
        r#"{"title": "x", "surprise": 1, "input": {}, "intermediates": {}, "output": {"cbor_diag": "x", "cbor": ""}}"#,
    )
    .unwrap();
    let err = run_cose_wg(&dir, ALL_BACKENDS).unwrap_err();
    assert!(err.to_string().contains("surprise"), "{err}");

    std::fs::write(
        dir.join("bad.json"),
        r#"{"title": "x", "input": {"plaintext": "p"}, "intermediates": {}, "output": {"cbor_diag": "x", "cbor": "zz"}}"#,
    )
    .unwrap();
    let err = run_cose_wg(&dir, ALL_BACKENDS).unwrap_err();
    assert!(
        matches!(err, CoseWgError::Invalid { .. }) && err.to_string().contains("bad.json"),
        "{err}"
    );

    let empty = scratch_dir("empty");
    assert!(matches!(
        run_cose_wg(&empty, ALL_BACKENDS),
        Err(CoseWgError::NoExamples { .. })
    ));
    assert!(matches!(
        run_cose_wg(&empty.join("missing"), ALL_BACKENDS),
        Err(CoseWgError::ReadDir { .. })
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&empty);
}
