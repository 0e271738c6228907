//! Every compiled-in backend against the Wycheproof suites: no failures, every
//! unsupported case carries a reason, and every case of every suite is accounted for.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;

use sealbench::backend::{ALL_BACKENDS, AeadId, AlgorithmId};
use sealbench::conformance::{SuiteRecord, render_matrix, run_wycheproof};

/// `(numberOfTests, [(group key size in bits, cases)])` of a Wycheproof file stem.
fn suite_size(stem: &str) -> (usize, Vec<(usize, usize)>) {
    macro_rules! try_family {
        ($($module:ident),*) => {$(
            if let Ok(name) = stem.parse::<wycheproof::$module::TestName>() {
                let set = wycheproof::$module::TestSet::load(name).expect("suite loads");
                return (set.number_of_tests, try_family!(@groups $module set));
            }
        )*};
        (@groups aead $set:ident) => {
            $set.test_groups.iter().map(|g| (g.key_size, g.tests.len())).collect()
        };
        (@groups $other:ident $set:ident) => { Vec::new() };
    }
    try_family!(
        aead,
        mac,
        eddsa,
        ecdsa,
        rsa_pss_verify,
        rsa_oaep,
        xdh,
        ecdh,
        hkdf
    );
    panic!("no Wycheproof suite named {stem}");
}

fn aead_by_label(label: &str) -> Option<AeadId> {
    AeadId::ALL
        .iter()
        .copied()
        .find(|&id| AlgorithmId::Aead(id).label() == label)
}

/// Per backend and suite, the records' totals add up to the suite's number of cases, less
/// only the AEAD groups whose key size none of the suite's algorithm ids has (AES-192).
fn assert_every_case_accounted_for(records: &[SuiteRecord]) {
    let mut by_suite: BTreeMap<(&str, &str), Vec<&SuiteRecord>> = BTreeMap::new();
    for r in records {
        by_suite.entry((&r.backend, &r.suite)).or_default().push(r);
    }
    for ((backend, suite), recs) in by_suite {
        let stem = suite
            .strip_prefix("wycheproof/")
            .expect("wycheproof suite name");
        let (number_of_tests, groups) = suite_size(stem);
        let key_sizes: Vec<usize> = recs
            .iter()
            .filter_map(|r| aead_by_label(&r.algorithm))
            .map(|id| id.key_len() * 8)
            .collect();
        let not_run: usize = groups
            .iter()
            .filter(|(k, _)| !key_sizes.contains(k))
            .map(|(_, n)| n)
            .sum();
        let counted: u64 = recs.iter().map(|r| r.total()).sum();
        assert_eq!(
            counted as usize + not_run,
            number_of_tests,
            "{backend} {suite}: {counted} counted + {not_run} not run"
        );
        assert!(not_run < number_of_tests, "{backend} {suite}: nothing run");
    }
}

#[test]
fn wycheproof_on_every_backend() {
    assert!(!ALL_BACKENDS.is_empty(), "no backend compiled in");
    let mut records = Vec::new();
    for backend in ALL_BACKENDS {
        let recs = run_wycheproof(backend);
        // Every algorithm id has at least one record for every backend.
        for alg in AlgorithmId::all() {
            assert!(
                recs.iter().any(|r| r.algorithm == alg.label()),
                "{}: no record for {alg}",
                backend.name
            );
        }
        records.extend(recs);
    }
    println!("{}", render_matrix(&records));

    assert_every_case_accounted_for(&records);
    for r in &records {
        let id = format!("{} {} ({})", r.backend, r.suite, r.algorithm);
        assert_eq!(
            r.unsupported_reasons.values().sum::<u64>(),
            r.unsupported,
            "{id}"
        );
        assert!(
            r.unsupported_reasons.keys().all(|k| !k.trim().is_empty()),
            "{id}: unsupported without a reason"
        );
        assert!(
            r.acceptable_accepted + r.acceptable_rejected <= r.passed,
            "{id}"
        );
    }
    // Same suite, same number of cases on every backend.
    let mut totals: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for r in &records {
        let t = *totals.entry((&r.suite, &r.algorithm)).or_insert(r.total());
        assert_eq!(
            t,
            r.total(),
            "{} {} differs across backends",
            r.suite,
            r.algorithm
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
        "Wycheproof failures:\n{}",
        failed.join("\n")
    );
}
