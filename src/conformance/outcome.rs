//! The result of one test case, and the per-suite tally every runner produces.
//!
//! Every case a runner looks at ends in exactly one of three buckets, so
//! `passed + failed + unsupported` always equals the number of cases in the suite.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How many failing cases a record keeps the details of.
pub const MAX_RECORDED_FAILURES: usize = 20;

/// The result of running one test case against one backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The backend behaved as the vector requires.
    Passed,
    /// The backend misbehaved: accepted what it must reject, rejected what it must
    /// accept, or produced the wrong bytes.
    Failed {
        /// What went wrong, for the report.
        detail: String,
    },
    /// The backend cannot run this case (algorithm, nonce or tag size, key import).
    /// Never counted as passed.
    Unsupported {
        /// The backend's (or the runner's) reason.
        reason: String,
    },
}

impl Outcome {
    /// A failure with `detail`.
    pub fn failed(detail: impl Into<String>) -> Self {
        Self::Failed {
            detail: detail.into(),
        }
    }

    /// An unsupported case with `reason`.
    pub fn unsupported(reason: impl Into<String>) -> Self {
        Self::Unsupported {
            reason: reason.into(),
        }
    }
}

/// The tally of one suite for one backend and one algorithm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteRecord {
    /// Backend name (`Backend::name`).
    pub backend: String,
    /// Suite name, e.g. `wycheproof/aes_gcm` or `nist-cavp/gcmDecrypt128`.
    pub suite: String,
    /// Algorithm label (`AlgorithmId::label`, or a descriptive label for vectors no
    /// algorithm id covers).
    pub algorithm: String,
    /// Cases that behaved as required.
    pub passed: u64,
    /// Cases that misbehaved.
    pub failed: u64,
    /// Cases the backend could not run.
    pub unsupported: u64,
    /// Unsupported reason → number of cases.
    pub unsupported_reasons: BTreeMap<String, u64>,
    /// Wycheproof flag → number of failed cases carrying it.
    pub failed_flags: BTreeMap<String, u64>,
    /// The first [`MAX_RECORDED_FAILURES`] failing cases: `<case id>: <detail>`.
    pub failures: Vec<String>,
    /// Wycheproof "acceptable" cases the backend accepted (counted as passed).
    pub acceptable_accepted: u64,
    /// Wycheproof "acceptable" cases the backend rejected (counted as passed).
    pub acceptable_rejected: u64,
}

impl SuiteRecord {
    /// An empty record.
    pub fn new(backend: &str, suite: &str, algorithm: &str) -> Self {
        Self {
            backend: backend.to_string(),
            suite: suite.to_string(),
            algorithm: algorithm.to_string(),
            passed: 0,
            failed: 0,
            unsupported: 0,
            unsupported_reasons: BTreeMap::new(),
            failed_flags: BTreeMap::new(),
            failures: Vec::new(),
            acceptable_accepted: 0,
            acceptable_rejected: 0,
        }
    }

    /// Counts one case. `flags` are the case's Wycheproof flags (empty for other suites).
    pub fn add(&mut self, case_id: &str, flags: &[String], outcome: Outcome) {
        match outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed { detail } => {
                self.failed += 1;
                for flag in flags {
                    *self.failed_flags.entry(flag.clone()).or_default() += 1;
                }
                if self.failures.len() < MAX_RECORDED_FAILURES {
                    self.failures.push(format!("{case_id}: {detail}"));
                }
            }
            Outcome::Unsupported { reason } => {
                self.unsupported += 1;
                *self.unsupported_reasons.entry(reason).or_default() += 1;
            }
        }
    }

    /// Number of cases counted: `passed + failed + unsupported`.
    pub fn total(&self) -> u64 {
        self.passed + self.failed + self.unsupported
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_case_lands_in_exactly_one_bucket() {
        let mut r = SuiteRecord::new("b", "s", "a");
        let flags = vec!["ModifiedTag".to_string(), "Ktv".to_string()];
        r.add("1", &flags, Outcome::Passed);
        r.add("2", &flags, Outcome::failed("tag mismatch"));
        r.add("3", &[], Outcome::unsupported("nonce"));
        r.add("4", &[], Outcome::unsupported("nonce"));
        assert_eq!((r.passed, r.failed, r.unsupported, r.total()), (1, 1, 2, 4));
        assert_eq!(r.unsupported_reasons.get("nonce"), Some(&2));
        assert_eq!(r.failed_flags.get("ModifiedTag"), Some(&1));
        assert_eq!(r.failures, vec!["2: tag mismatch".to_string()]);
    }

    #[test]
    fn failure_details_are_capped_but_counted() {
        let mut r = SuiteRecord::new("b", "s", "a");
        for i in 0..(MAX_RECORDED_FAILURES + 5) {
            r.add(&i.to_string(), &[], Outcome::failed("x"));
        }
        assert_eq!(r.failed, (MAX_RECORDED_FAILURES + 5) as u64);
        assert_eq!(r.failures.len(), MAX_RECORDED_FAILURES);
    }

    #[test]
    fn serializes_with_the_documented_field_names() {
        let r = SuiteRecord::new("ring", "wycheproof/x25519", "x25519");
        let json = serde_json::to_value(&r).unwrap();
        let back: SuiteRecord = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(back, r);
        for key in [
            "backend",
            "suite",
            "algorithm",
            "passed",
            "failed",
            "unsupported",
            "unsupported_reasons",
            "failed_flags",
            "failures",
            "acceptable_accepted",
            "acceptable_rejected",
        ] {
            assert!(json.get(key).is_some(), "missing {key}");
        }
    }
}
