//! Every compiled-in backend against the NIST CAVP AES-GCM sample files shared beside the
//! repository (`../shared/vectors/nist-gcm-sample`). Reports SKIPPED if they are absent.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};

use sealbench::backend::{ALL_BACKENDS, AeadId, AlgorithmId};
use sealbench::conformance::{RspFile, SuiteRecord, parse_rsp, render_matrix, run_nist};

const SAMPLE_DIR: &str = "../shared/vectors/nist-gcm-sample";

fn sample_files() -> Option<Vec<RspFile>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(SAMPLE_DIR);
    if !dir.is_dir() {
        eprintln!("SKIPPED: {SAMPLE_DIR} not found");
        return None;
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read sample dir")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "rsp"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "{SAMPLE_DIR} holds no .rsp files");
    Some(
        paths
            .iter()
            .map(|p| parse_rsp(p).unwrap_or_else(|e| panic!("{e}")))
            .collect(),
    )
}

fn records_with_key_bits(file: &RspFile, bits: usize) -> u64 {
    file.sections
        .iter()
        .filter(|s| s.key_bits == bits)
        .map(|s| s.records.len() as u64)
        .sum()
}

fn key_bits_of(label: &str) -> usize {
    AeadId::ALL
        .iter()
        .find(|&&id| AlgorithmId::Aead(id).label() == label)
        .map_or(0, |id| id.key_len() * 8)
}

#[test]
fn nist_gcm_samples_on_every_backend() {
    let Some(files) = sample_files() else {
        return;
    };
    assert!(!ALL_BACKENDS.is_empty(), "no backend compiled in");
    let mut records: Vec<SuiteRecord> = Vec::new();
    for backend in ALL_BACKENDS {
        for file in &files {
            records.extend(run_nist(backend, file));
        }
    }
    println!("{}", render_matrix(&records));

    for r in &records {
        let id = format!("{} {} ({})", r.backend, r.suite, r.algorithm);
        let file = files
            .iter()
            .find(|f| r.suite == format!("nist-cavp/{}", f.name.trim_end_matches(".rsp")))
            .expect("record names its file");
        assert_eq!(
            r.total(),
            records_with_key_bits(file, key_bits_of(&r.algorithm)),
            "{id}: every record counted once"
        );
        assert_eq!(
            r.unsupported_reasons.values().sum::<u64>(),
            r.unsupported,
            "{id}"
        );
        assert!(
            r.unsupported_reasons.keys().all(|k| !k.trim().is_empty()),
            "{id}"
        );
    }
    let failed: Vec<String> = records
        .iter()
        .filter(|r| r.failed > 0)
        .map(|r| {
            format!(
                "{} {} ({}): {:#?}",
                r.backend, r.suite, r.algorithm, r.failures
            )
        })
        .collect();
    assert!(
        failed.is_empty(),
        "NIST CAVP failures:\n{}",
        failed.join("\n")
    );
}

/// 96-bit IVs with 128-bit tags are the default parameters every backend must take: those
/// sections are never unsupported for an AES-GCM id the backend has.
#[test]
fn default_parameter_sections_run_everywhere() {
    let Some(mut files) = sample_files() else {
        return;
    };
    for f in &mut files {
        f.sections.retain(|s| s.iv_bits == 96 && s.tag_bits == 128);
    }
    files.retain(|f| !f.sections.is_empty());
    assert!(!files.is_empty(), "samples hold no 96/128 sections");
    for backend in ALL_BACKENDS {
        for file in &files {
            for r in run_nist(backend, file) {
                let Some(&id) = AeadId::ALL
                    .iter()
                    .find(|&&id| AlgorithmId::Aead(id).label() == r.algorithm)
                else {
                    continue;
                };
                if (backend.aead)(id).is_err() {
                    continue;
                }
                assert_eq!(
                    (r.passed, r.failed, r.unsupported),
                    (r.total(), 0, 0),
                    "{} {} ({}): {:?} {:?}",
                    r.backend,
                    r.suite,
                    r.algorithm,
                    r.unsupported_reasons,
                    r.failures
                );
            }
        }
    }
}
