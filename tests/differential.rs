//! Differential properties across every compiled-in backend: identical outputs for
//! deterministic primitives, and every backend accepts every other backend's output.
//!
//! Pairs involving a backend that returns `Unsupported` are skipped, counted and printed.
//! Case counts are modest so the file runs in well under a minute; RSA keys are generated
//! once, outside the properties.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use sealbench::backend::{
    ALL_BACKENDS, AeadId, AeadParams, AgreementKey, AlgorithmId, Backend, Error, KdfId,
    KeyAgreementId, KeyTransportId, MIN_MAC_TAG_LEN, MacId, SignatureId, Unsupported,
};

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

/// The backends supporting `alg`, printing (and counting) the pairs skipped for the rest.
fn supported<T: ?Sized>(
    alg: AlgorithmId,
    lookup: impl Fn(&Backend) -> Result<&'static T, Unsupported>,
) -> Vec<(&'static str, &'static T)> {
    let mut have = Vec::new();
    for b in ALL_BACKENDS {
        match lookup(b) {
            Ok(imp) => have.push((b.name, imp)),
            Err(u) => eprintln!("skip {} {alg}: {u}", b.name),
        }
    }
    report_skipped_pairs(&alg.to_string(), ALL_BACKENDS.len(), have.len());
    have
}

fn report_skipped_pairs(what: &str, all: usize, usable: usize) {
    let skipped = all * all - usable * usable;
    eprintln!(
        "{what}: {usable}/{all} backends, {} pairs checked, {skipped} pairs skipped",
        usable * usable
    );
}

fn check<T>(r: Result<T, Error>, what: &str) -> Result<T, TestCaseError> {
    r.map_err(|e| TestCaseError::fail(format!("{what}: {e}")))
}

fn run<S: Strategy>(
    what: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    if let Err(e) = runner(cases).run(&strategy, test) {
        panic!("{what}: {e}");
    }
}

// ---------------------------------------------------------------- AEAD

#[test]
fn aead_backends_agree_and_reject_tampering() {
    for &id in AeadId::ALL {
        let aeads = supported(AlgorithmId::Aead(id), |b| (b.aead)(id));
        if aeads.is_empty() {
            continue;
        }
        let params = id.default_params();
        let strategy = (
            proptest::collection::vec(any::<u8>(), id.key_len()),
            proptest::collection::vec(any::<u8>(), params.nonce_len),
            proptest::collection::vec(any::<u8>(), 0..256),
            proptest::collection::vec(any::<u8>(), 0..4096),
            (0u8..3, any::<Index>(), 1u8..=255),
        );
        run(
            id.label(),
            64,
            strategy,
            |(key, nonce, aad, msg, (target, idx, mask))| {
                let keys = aeads
                    .iter()
                    .map(|(name, a)| check(a.new_key(&key, params), name).map(|k| (*name, k)))
                    .collect::<Result<Vec<_>, _>>()?;
                let mut sealed = Vec::new();
                for (name, k) in &keys {
                    let mut buf = msg.clone();
                    buf.resize(msg.len() + params.tag_len, 0);
                    check(k.seal_in_place(&nonce, &aad, &mut buf), name)?;
                    sealed.push((*name, buf));
                }
                let (first, reference) = &sealed[0];
                for (name, s) in &sealed {
                    prop_assert_eq!(s, reference, "{} and {} seal differently", name, first);
                }
                for (sealer, s) in &sealed {
                    for (opener, k) in &keys {
                        let mut buf = s.clone();
                        let n = check(
                            k.open_in_place(&nonce, &aad, &mut buf),
                            &format!("{opener} opening {sealer}'s"),
                        )?;
                        prop_assert_eq!(&buf[..n], &msg[..], "{} opening {}'s", opener, sealer);
                    }
                }
                // Flip one byte of ct||tag, the nonce or the AAD: every backend must reject.
                let (mut ct, mut n2, mut a2) = (reference.clone(), nonce.clone(), aad.clone());
                let target = if target == 2 && a2.is_empty() {
                    0
                } else {
                    target
                };
                let (field, bytes) = match target {
                    0 => ("ct||tag", &mut ct),
                    1 => ("nonce", &mut n2),
                    _ => ("aad", &mut a2),
                };
                let i = idx.index(bytes.len());
                bytes[i] ^= mask;
                for (name, k) in &keys {
                    let mut buf = ct.clone();
                    let r = k.open_in_place(&n2, &a2, &mut buf);
                    prop_assert!(
                        r.is_err(),
                        "{} accepted a flipped {} byte {}",
                        name,
                        field,
                        i
                    );
                    prop_assert!(
                        buf.iter().all(|&b| b == 0),
                        "{} left the buffer non-zero",
                        name
                    );
                }
                Ok(())
            },
        );
    }
}

// ---------------------------------------------------------------- MAC and KDF

#[test]
fn hmac_tags_are_identical_and_cross_verify() {
    for &id in MacId::ALL {
        let macs = supported(AlgorithmId::Mac(id), |b| (b.mac)(id));
        if macs.is_empty() {
            continue;
        }
        let strategy = (
            proptest::collection::vec(any::<u8>(), 1..200),
            proptest::collection::vec(any::<u8>(), 0..4096),
            any::<Index>(),
            any::<Index>(),
        );
        run(id.label(), 64, strategy, |(key, msg, split, flip)| {
            let keys = macs
                .iter()
                .map(|(name, m)| check(m.new_key(&key), name).map(|k| (*name, k)))
                .collect::<Result<Vec<_>, _>>()?;
            let (head, tail) = msg.split_at(split.index(msg.len() + 1));
            let mut tags = Vec::new();
            for (name, k) in &keys {
                let mut whole = vec![0u8; id.tag_len()];
                check(k.sign(&[&msg], &mut whole), name)?;
                let mut parts = vec![0u8; id.tag_len()];
                check(k.sign(&[head, tail], &mut parts), name)?;
                prop_assert_eq!(&whole, &parts, "{}: parts and whole differ", name);
                tags.push((*name, whole));
            }
            let (first, reference) = &tags[0];
            for (name, t) in &tags {
                prop_assert_eq!(t, reference, "{} and {} differ", name, first);
            }
            let mut bad = reference.clone();
            let i = flip.index(bad.len());
            bad[i] ^= 0x80;
            for (name, k) in &keys {
                check(k.verify(&[&msg], reference), name)?;
                check(k.verify(&[&msg], &reference[..MIN_MAC_TAG_LEN]), name)?;
                prop_assert!(
                    k.verify(&[&msg], &bad).is_err(),
                    "{} accepted a flipped tag",
                    name
                );
                prop_assert!(
                    k.verify(&[&msg], &reference[..MIN_MAC_TAG_LEN - 1])
                        .is_err()
                );
            }
            Ok(())
        });
    }
}

#[test]
fn hkdf_outputs_are_identical() {
    for &id in KdfId::ALL {
        let kdfs = supported(AlgorithmId::Kdf(id), |b| (b.kdf)(id));
        if kdfs.is_empty() {
            continue;
        }
        let strategy = (
            proptest::collection::vec(any::<u8>(), 0..80),
            proptest::collection::vec(any::<u8>(), 0..128),
            proptest::collection::vec(any::<u8>(), 0..128),
            1usize..=1024,
        );
        run(id.label(), 64, strategy, |(salt, ikm, info, len)| {
            let mut outs = Vec::new();
            for (name, k) in &kdfs {
                let mut out = vec![0u8; len];
                check(k.derive(&salt, &ikm, &info, &mut out), name)?;
                outs.push((*name, out));
            }
            let (first, reference) = &outs[0];
            for (name, o) in &outs {
                prop_assert_eq!(o, reference, "{} and {} differ", name, first);
            }
            Ok(())
        });
    }
}

// ---------------------------------------------------------------- signatures

/// PKCS#8 keys to test `id` with: one per backend that can generate (RSA: only the first,
/// as generation is slow).
fn signature_keys(
    id: SignatureId,
    sigs: &[(&'static str, &'static dyn sealbench::backend::Signature)],
) -> Vec<(&'static str, Vec<u8>)> {
    let mut keys = Vec::new();
    for (name, s) in sigs {
        match s.generate_pkcs8() {
            Ok(k) => keys.push((*name, k)),
            Err(Error::Unsupported(u)) => eprintln!("skip {name} {id:?} key generation: {u}"),
            Err(e) => panic!("{name} {id:?} key generation: {e}"),
        }
        if id == SignatureId::RsaPss2048Sha256 && !keys.is_empty() {
            break;
        }
    }
    keys
}

#[test]
fn signatures_verify_on_every_backend() {
    for &id in SignatureId::ALL {
        let sigs = supported(AlgorithmId::Signature(id), |b| (b.signature)(id));
        for (generator, pkcs8) in signature_keys(id, &sigs) {
            // Every backend signs with the same PKCS#8 and publishes its SPKI.
            let mut signers = Vec::new();
            for (name, s) in &sigs {
                match s.signing_key(&pkcs8) {
                    Ok(k) => {
                        let spki = k
                            .public_key_spki()
                            .unwrap_or_else(|e| panic!("{name} SPKI: {e}"));
                        signers.push((*name, k, spki));
                    }
                    Err(Error::Unsupported(u)) => {
                        eprintln!("skip {name} signing with {generator}'s {id:?} key: {u}")
                    }
                    Err(e) => panic!("{name} cannot load {generator}'s {id:?} PKCS#8: {e}"),
                }
            }
            // Every backend verifies with every signer's SPKI.
            let mut verifiers = Vec::new();
            for (signer, _, spki) in &signers {
                for (name, s) in &sigs {
                    match s.verifying_key(spki) {
                        Ok(k) => verifiers.push((*signer, *name, k)),
                        Err(Error::Unsupported(u)) => {
                            eprintln!("skip {name} verifying {signer}'s SPKI: {u}")
                        }
                        Err(e) => panic!("{name} cannot load {signer}'s {id:?} SPKI: {e}"),
                    }
                }
            }
            eprintln!(
                "{id:?} key from {generator}: {} signers, {} signer×verifier pairs checked, {} skipped",
                signers.len(),
                verifiers.len(),
                sigs.len() * sigs.len() - verifiers.len()
            );
            let cases = if id == SignatureId::RsaPss2048Sha256 {
                12
            } else {
                32
            };
            let strategy = (
                proptest::collection::vec(any::<u8>(), 0..1024),
                any::<Index>(),
            );
            run(id.label(), cases, strategy, |(msg, flip)| {
                let mut sigs_by = Vec::new();
                for (name, k, _) in &signers {
                    let mut out = vec![0u8; id.signature_len()];
                    let n = check(k.sign(&msg, &mut out), name)?;
                    out.truncate(n);
                    sigs_by.push((*name, out));
                }
                if id == SignatureId::Ed25519 {
                    let (first, reference) = &sigs_by[0];
                    for (name, s) in &sigs_by {
                        prop_assert_eq!(
                            s,
                            reference,
                            "Ed25519 is deterministic: {} vs {}",
                            name,
                            first
                        );
                    }
                }
                let mut tampered = msg.clone();
                if tampered.is_empty() {
                    tampered.push(0);
                } else {
                    let i = flip.index(tampered.len());
                    tampered[i] ^= 1;
                }
                for (signer, verifier, key) in &verifiers {
                    let sig = &sigs_by.iter().find(|(n, _)| n == signer).expect("signer").1;
                    check(
                        key.verify(&msg, sig),
                        &format!("{verifier} verifying {signer}'s"),
                    )?;
                    prop_assert!(
                        key.verify(&tampered, sig).is_err(),
                        "{} accepted {}'s signature on a changed message",
                        verifier,
                        signer
                    );
                }
                Ok(())
            });
        }
    }
}

// ---------------------------------------------------------------- key transport

#[test]
fn oaep_ciphertexts_open_on_every_backend() {
    for &id in KeyTransportId::ALL {
        let kts = supported(AlgorithmId::KeyTransport(id), |b| (b.key_transport)(id));
        let Some(pkcs8) = kts.iter().find_map(|(name, k)| match k.generate_pkcs8() {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("skip {name} {id:?} key generation: {e}");
                None
            }
        }) else {
            continue;
        };
        let decrypters: Vec<_> = kts
            .iter()
            .filter_map(|(name, k)| match k.decrypting_key(&pkcs8) {
                Ok(d) => Some((*name, d)),
                Err(Error::Unsupported(u)) => {
                    eprintln!("skip {name} decrypting: {u}");
                    None
                }
                Err(e) => panic!("{name} cannot load the {id:?} PKCS#8: {e}"),
            })
            .collect();
        let mut encrypters = Vec::new();
        for (owner, d) in &decrypters {
            let spki = d
                .public_key_spki()
                .unwrap_or_else(|e| panic!("{owner} SPKI: {e}"));
            for (name, k) in &kts {
                match k.encrypting_key(&spki) {
                    Ok(e) => encrypters.push((*name, e)),
                    Err(Error::Unsupported(u)) => {
                        eprintln!("skip {name} encrypting to {owner}'s SPKI: {u}")
                    }
                    Err(e) => panic!("{name} cannot load {owner}'s SPKI: {e}"),
                }
            }
        }
        eprintln!(
            "{id:?}: {} decrypters, {} (SPKI owner × encrypter × decrypter) combinations checked, {} skipped",
            decrypters.len(),
            encrypters.len() * decrypters.len(),
            kts.len() * kts.len() * kts.len() - encrypters.len() * decrypters.len()
        );
        // ref: RFC 8017 §7.1.1: mLen <= k - 2hLen - 2 = 256 - 64 - 2.
        let max_msg = id.ciphertext_len() - 2 * 32 - 2;
        let strategy = (
            proptest::collection::vec(any::<u8>(), 0..=max_msg),
            proptest::collection::vec(any::<u8>(), 0..64),
        );
        run(id.label(), 12, strategy, |(msg, label)| {
            for (enc_name, e) in &encrypters {
                let mut ct = vec![0u8; id.ciphertext_len()];
                let n = check(e.encrypt(&msg, &label, &mut ct), enc_name)?;
                ct.truncate(n);
                for (dec_name, d) in &decrypters {
                    let mut out = vec![0u8; id.ciphertext_len()];
                    let n = check(
                        d.decrypt(&ct, &label, &mut out),
                        &format!("{dec_name} opening {enc_name}'s"),
                    )?;
                    prop_assert_eq!(&out[..n], &msg[..], "{} opening {}'s", dec_name, enc_name);
                    let mut wrong_label = label.clone();
                    wrong_label.push(1);
                    prop_assert!(
                        d.decrypt(&ct, &wrong_label, &mut out).is_err(),
                        "{} ignored the label",
                        dec_name
                    );
                }
            }
            Ok(())
        });
    }
}

// ---------------------------------------------------------------- key agreement

fn public_of(k: &dyn AgreementKey, id: KeyAgreementId) -> Result<Vec<u8>, Error> {
    let mut out = vec![0u8; id.public_len()];
    let n = k.public_key(&mut out)?;
    out.truncate(n);
    Ok(out)
}

fn agree(k: &dyn AgreementKey, peer: &[u8], id: KeyAgreementId) -> Result<Vec<u8>, Error> {
    let mut out = vec![0u8; id.shared_secret_len()];
    let n = k.agree(peer, &mut out)?;
    out.truncate(n);
    Ok(out)
}

/// A scalar valid for `id`: any 32 bytes for X25519 (clamped); for P-256 in `[1, n-1]`
/// (a first byte below 0xff keeps it under the group order).
fn scalar(id: KeyAgreementId, mut s: [u8; 32]) -> [u8; 32] {
    if id == KeyAgreementId::EcdhP256 {
        s[0] %= 0xff;
        s[31] |= 1;
    }
    s
}

#[test]
fn key_agreement_matches_across_backends() {
    for &id in KeyAgreementId::ALL {
        let kas = supported(AlgorithmId::KeyAgreement(id), |b| (b.key_agreement)(id));
        if kas.is_empty() {
            continue;
        }
        // Generated keys: every ordered pair agrees. Fresh keys per pair, since ring's
        // ephemeral keys are single-use.
        let generate = |name: &str, ka: &dyn sealbench::backend::KeyAgreement| {
            let k = ka
                .generate()
                .unwrap_or_else(|e| panic!("{name} generate: {e}"));
            let public = public_of(k.as_ref(), id).unwrap_or_else(|e| panic!("{name} public: {e}"));
            (k, public)
        };
        for _ in 0..4 {
            for (a, ka) in &kas {
                for (b, kb) in &kas {
                    let ((sa, pa), (sb, pb)) = (generate(a, *ka), generate(b, *kb));
                    let ab =
                        agree(sa.as_ref(), &pb, id).unwrap_or_else(|e| panic!("{a} with {b}: {e}"));
                    let ba =
                        agree(sb.as_ref(), &pa, id).unwrap_or_else(|e| panic!("{b} with {a}: {e}"));
                    assert_eq!(ab, ba, "{id:?}: {a} and {b} disagree");
                }
            }
        }
        // Imported keys: every importer derives the same public key from a scalar, and
        // agrees with every backend's generated key (ring: generate only).
        let probe = scalar(id, [0x42; 32]);
        let importers: Vec<_> = kas
            .iter()
            .filter(|(name, ka)| match ka.private_key(&probe) {
                Ok(_) => true,
                Err(Error::Unsupported(u)) => {
                    eprintln!("skip {name} {id:?} private-key import: {u}");
                    false
                }
                Err(e) => panic!("{name} rejected a valid scalar: {e}"),
            })
            .collect();
        eprintln!(
            "{id:?}: {} importers × {} generators, {} import pairs skipped",
            importers.len(),
            kas.len(),
            (kas.len() - importers.len()) * kas.len()
        );
        if importers.is_empty() {
            continue;
        }
        run(id.label(), 32, any::<[u8; 32]>(), |raw| {
            let s = scalar(id, raw);
            let imported = importers
                .iter()
                .map(|(name, ka)| {
                    let k = check(ka.private_key(&s), name)?;
                    let p = check(public_of(k.as_ref(), id), name)?;
                    Ok((*name, k, p))
                })
                .collect::<Result<Vec<_>, TestCaseError>>()?;
            let (first, _, reference) = &imported[0];
            for (name, _, p) in &imported {
                prop_assert_eq!(
                    p,
                    reference,
                    "{} and {} derive different public keys",
                    name,
                    first
                );
            }
            for (gen_name, ka) in &kas {
                let g = check(ka.generate(), gen_name)?;
                let gp = check(public_of(g.as_ref(), id), gen_name)?;
                let expected = check(agree(g.as_ref(), reference, id), gen_name)?;
                for (name, k, _) in &imported {
                    let got = check(agree(k.as_ref(), &gp, id), name)?;
                    prop_assert_eq!(
                        &got,
                        &expected,
                        "{} (imported) vs {} (generated)",
                        name,
                        gen_name
                    );
                }
            }
            Ok(())
        });
    }
}

/// The default AEAD parameters must be accepted by every backend that has the algorithm.
#[test]
fn default_aead_params_are_always_accepted() {
    for &id in AeadId::ALL {
        for (name, a) in supported(AlgorithmId::Aead(id), |b| (b.aead)(id)) {
            let p: AeadParams = id.default_params();
            assert_eq!(a.check_params(p), Ok(()), "{name} {id:?}");
        }
    }
}
