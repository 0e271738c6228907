//! The envelope on every backend: every mode × algorithm sealed by each backend opens on
//! every other backend (or fails with the backend's explicit `Unsupported`), plus the RPC
//! rules (replay, freshness, roles, plain refusal, key learning) on the matrix's keys.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::sync::Arc;

use sealbench::backend::{ALL_BACKENDS, AeadId, Backend, KeyAgreementId, SignatureId};
use sealbench::envelope::audience::Audience;
use sealbench::envelope::fixtures::{generate, public_only};
use sealbench::envelope::keys::NodeId;
use sealbench::envelope::{
    EnvelopeError, Identity, KeyAlg, KeyEntry, ManualClock, MessageBuf, Mode, OpenOptions, Opener,
    Policy, SealConfig, Sealer, TrustStore,
};

const NOW: u64 = 1_764_000_000;

struct Keys {
    mac: KeyEntry,
    aead: Vec<KeyEntry>,
    sign: Vec<KeyEntry>,
    oaep: Vec<KeyEntry>,
    ecdh: Vec<KeyEntry>,
}

fn keys() -> &'static Keys {
    static KEYS: std::sync::OnceLock<Keys> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| Keys {
        mac: generate(KeyAlg::Hmac256, b"region-mac", "scheduler").unwrap(),
        aead: AeadId::ALL
            .iter()
            .map(|&id| {
                generate(
                    KeyAlg::Aead(id),
                    format!("guest-{}", id.label()).as_bytes(),
                    "scheduler",
                )
                .unwrap()
            })
            .collect(),
        sign: SignatureId::ALL
            .iter()
            .map(|&id| {
                generate(
                    KeyAlg::Sign(id),
                    format!("sched-{}", id.label()).as_bytes(),
                    "scheduler",
                )
                .unwrap()
            })
            .collect(),
        oaep: (0..3)
            .map(|i| {
                generate(
                    KeyAlg::RsaOaep256,
                    format!("compute-{i}").as_bytes(),
                    "compute",
                )
                .unwrap()
            })
            .collect(),
        ecdh: [KeyAgreementId::X25519, KeyAgreementId::EcdhP256]
            .iter()
            .map(|&id| {
                generate(
                    KeyAlg::EcdhEs(id),
                    format!("compute-{}", id.label()).as_bytes(),
                    "compute",
                )
                .unwrap()
            })
            .collect(),
    })
}

/// The receiving node's trust store: symmetric keys, the sender's public keys, its own
/// private recipient keys.
fn receiver_store() -> TrustStore {
    let k = keys();
    let mut entries = vec![k.mac.clone()];
    entries.extend(k.aead.iter().cloned());
    entries.extend(k.sign.iter().map(public_only));
    entries.extend(k.oaep.iter().cloned());
    entries.extend(k.ecdh.iter().cloned());
    TrustStore {
        entries,
        policy: Policy::default()
            .allow("scheduler", &["*"])
            .allow("anonymous", &["reply"]),
        node: Some(NodeId {
            kid: RECEIVER.to_vec(),
            role: "compute".into(),
        }),
    }
}

/// The receiving node's kid: every test message is addressed to it.
const RECEIVER: &[u8] = b"compute-1";

/// Addresses a sealer's messages to the receiving node (hybrid modes address their
/// recipients already).
fn to_receiver(s: Sealer) -> Sealer {
    if s.mode().hybrid() {
        return s;
    }
    s.with_audience(&Audience::Kids(vec![RECEIVER.to_vec()]))
        .unwrap()
}

struct Case {
    name: String,
    mode: Mode,
    sender: Option<&'static KeyEntry>,
    identity: Identity,
    recipients: Vec<&'static KeyEntry>,
    content: AeadId,
    method: &'static str,
}

fn cases() -> Vec<Case> {
    let k = keys();
    let mut v = Vec::new();
    let base = |name: String, mode, sender| Case {
        name,
        mode,
        sender,
        identity: Identity::Kid,
        recipients: Vec::new(),
        content: AeadId::Aes128Gcm,
        method: "boot_vm",
    };
    v.push(base("mac0".into(), Mode::Mac0, Some(&k.mac)));
    for e in &k.aead {
        v.push(base(format!("encrypt0-{}", e.alg), Mode::Encrypt0, Some(e)));
    }
    for e in &k.sign {
        for &identity in Identity::ALL {
            v.push(Case {
                identity,
                ..base(
                    format!("sign1-{}-{}", e.alg, identity.label()),
                    Mode::Sign1,
                    Some(e),
                )
            });
        }
    }
    for &content in AeadId::ALL {
        for n in [1usize, 3] {
            v.push(Case {
                recipients: k.oaep.iter().take(n).collect(),
                content,
                method: "reply",
                ..base(
                    format!("encrypt-oaep{n}-{}", content.label()),
                    Mode::Encrypt,
                    None,
                )
            });
        }
        for e in &k.ecdh {
            v.push(Case {
                recipients: vec![e],
                content,
                method: "reply",
                ..base(
                    format!("encrypt-{}-{}", e.alg, content.label()),
                    Mode::Encrypt,
                    None,
                )
            });
        }
    }
    for e in &k.sign {
        v.push(Case {
            recipients: vec![&k.oaep[0], &k.oaep[1]],
            ..base(
                format!("sign-encrypt-{}", e.alg),
                Mode::SignEncrypt,
                Some(e),
            )
        });
        v.push(Case {
            recipients: vec![&k.ecdh[0]],
            ..base(
                format!("sign-encrypt-{}-x25519", e.alg),
                Mode::SignEncrypt,
                Some(e),
            )
        });
    }
    v
}

fn sealer(b: &Backend, c: &Case, clock: Arc<ManualClock>) -> Result<Sealer, EnvelopeError> {
    let config = SealConfig {
        mode: c.mode,
        sender: c.sender,
        identity: c.identity,
        recipients: &c.recipients,
        content: c.content,
        cek_reuse: 1,
    };
    Sealer::new(b, &config, clock, None).map(to_receiver)
}

fn opener(b: &'static Backend, clock: Arc<ManualClock>) -> Opener {
    Opener::new(b, &receiver_store(), OpenOptions::default(), clock).unwrap()
}

#[test]
fn every_mode_seals_on_each_backend_and_opens_on_every_backend() {
    let clock = Arc::new(ManualClock::new(NOW));
    let payload: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
    let (mut ok, mut unsupported) = (0usize, Vec::new());
    for c in cases() {
        for &sb in ALL_BACKENDS {
            let mut s = match sealer(sb, &c, clock.clone()) {
                Ok(s) => s,
                Err(EnvelopeError::Unsupported(u)) => {
                    unsupported.push(format!("seal {} on {}: {u}", c.name, sb.name));
                    continue;
                }
                Err(e) => panic!("{} on {}: {e}", c.name, sb.name),
            };
            let mut msg = MessageBuf::new();
            s.seal_payload(&payload, c.method, &mut msg)
                .unwrap_or_else(|e| panic!("{} on {}: {e}", c.name, sb.name));
            let wire = msg.wire().to_vec();
            for &ob in ALL_BACKENDS {
                let mut o = opener(ob, clock.clone());
                let mut buf = wire.clone();
                match o.open(&mut buf) {
                    Ok(opened) => {
                        assert_eq!(
                            opened.payload,
                            &payload[..],
                            "{} {}→{}",
                            c.name,
                            sb.name,
                            ob.name
                        );
                        assert_eq!(opened.method, c.method);
                        assert_eq!(opened.mode, c.mode);
                        assert_eq!(opened.iat, NOW);
                        if let Some(sender) = c.sender.filter(|_| c.mode != Mode::Encrypt) {
                            let (kid, role) = o.sender(opened.sender.unwrap()).unwrap();
                            assert_eq!(
                                (kid, role),
                                (sender.kid.as_slice(), "scheduler"),
                                "{}",
                                c.name
                            );
                        }
                        ok += 1;
                    }
                    Err(EnvelopeError::Unsupported(u)) => {
                        unsupported.push(format!("open {} {}→{}: {u}", c.name, sb.name, ob.name))
                    }
                    Err(e) => panic!(
                        "{} sealed by {} failed to open on {}: {e}",
                        c.name, sb.name, ob.name
                    ),
                }
            }
        }
    }
    eprintln!(
        "{ok} seal→open pairs passed; {} unsupported:",
        unsupported.len()
    );
    for u in &unsupported {
        eprintln!("  {u}");
    }
    assert!(
        ok >= cases().len() * ALL_BACKENDS.len(),
        "too few combinations ran: {ok}"
    );
}

#[test]
fn replay_expiry_future_and_roles_are_enforced() {
    let k = keys();
    let b = ALL_BACKENDS[0];
    let clock = Arc::new(ManualClock::new(NOW));
    let mut s = sealer(b, &cases().remove(0), clock.clone()).unwrap();
    let mut msg = MessageBuf::new();
    s.seal_payload(b"x", "boot_vm", &mut msg).unwrap();
    let wire = msg.wire().to_vec();
    let mut o = opener(b, clock.clone());
    o.open(&mut wire.clone()).unwrap();
    assert_eq!(o.open(&mut wire.clone()), Err(EnvelopeError::Replayed));

    clock.set(NOW + 301);
    assert!(matches!(
        opener(b, clock.clone()).open(&mut wire.clone()),
        Err(EnvelopeError::Expired { .. })
    ));
    clock.set(NOW - 301);
    assert!(matches!(
        opener(b, clock.clone()).open(&mut wire.clone()),
        Err(EnvelopeError::FromFuture { .. })
    ));
    clock.set(NOW + 300);
    opener(b, clock.clone()).open(&mut wire.clone()).unwrap();

    // A compute node's MAC key may not call boot_vm.
    clock.set(NOW);
    let compute_mac = KeyEntry {
        role: "compute".into(),
        kid: b"compute-mac".to_vec(),
        ..k.mac.clone()
    };
    let mut store = receiver_store();
    store.entries.push(compute_mac.clone());
    store.policy = store.policy.allow("compute", &["report_state"]);
    let mut o = Opener::new(b, &store, OpenOptions::default(), clock.clone()).unwrap();
    let c = Case {
        sender: None,
        ..cases().remove(0)
    };
    let config = SealConfig {
        mode: Mode::Mac0,
        sender: Some(&compute_mac),
        identity: Identity::Kid,
        recipients: &[],
        content: c.content,
        cek_reuse: 1,
    };
    let mut s = to_receiver(Sealer::new(b, &config, clock.clone(), None).unwrap());
    s.seal_payload(b"x", "boot_vm", &mut msg).unwrap();
    assert!(matches!(
        o.open(&mut msg.wire().to_vec()),
        Err(EnvelopeError::Forbidden { .. })
    ));
    s.seal_payload(b"x", "report_state", &mut msg).unwrap();
    o.open(&mut msg.wire().to_vec()).unwrap();
}

#[test]
fn tampering_any_byte_is_rejected_and_never_yields_plaintext() {
    let clock = Arc::new(ManualClock::new(NOW));
    let b = ALL_BACKENDS[0];
    let payload = b"secret instance password";
    for c in cases()
        .into_iter()
        .filter(|c| matches!(c.mode, Mode::Encrypt0 | Mode::Mac0 | Mode::Sign1))
    {
        let Ok(mut s) = sealer(b, &c, clock.clone()) else {
            continue;
        };
        let mut msg = MessageBuf::new();
        s.seal_payload(payload, c.method, &mut msg).unwrap();
        let wire = msg.wire().to_vec();
        for i in 0..wire.len() {
            let mut t = wire.clone();
            t[i] ^= 0x01;
            let mut o = opener(b, clock.clone());
            let r = o.open(&mut t);
            assert!(r.is_err(), "{}: flipping byte {i} was accepted", c.name);
            if c.mode == Mode::Encrypt0 {
                assert!(
                    !t.windows(payload.len()).any(|w| w == payload),
                    "{}: plaintext leaked",
                    c.name
                );
            }
        }
        for len in 0..wire.len() {
            assert!(
                opener(b, clock.clone())
                    .open(&mut wire[..len].to_vec())
                    .is_err(),
                "{}: truncation",
                c.name
            );
        }
    }
}

#[test]
fn plain_messages_are_refused_unless_from_a_listed_legacy_peer() {
    let clock = Arc::new(ManualClock::new(NOW));
    let b = ALL_BACKENDS[0];
    let k = keys();
    let legacy = KeyEntry {
        legacy: true,
        kid: b"old-node".to_vec(),
        ..k.mac.clone()
    };
    let mut store = receiver_store();
    store.entries.push(legacy.clone());
    for (sender, accept, expect_ok) in [
        (&legacy, false, false),
        (&k.mac, true, false),
        (&legacy, true, true),
    ] {
        let config = SealConfig {
            mode: Mode::Plain,
            sender: Some(sender),
            identity: Identity::Kid,
            recipients: &[],
            content: AeadId::Aes128Gcm,
            cek_reuse: 1,
        };
        let mut s = to_receiver(Sealer::new(b, &config, clock.clone(), None).unwrap());
        let mut msg = MessageBuf::new();
        s.seal_payload(b"hello", "boot_vm", &mut msg).unwrap();
        let options = OpenOptions {
            accept_plain_from_legacy: accept,
            ..OpenOptions::default()
        };
        let mut o = Opener::new(b, &store, options, clock.clone()).unwrap();
        let mut wire = msg.wire().to_vec();
        let r = o.open(&mut wire).map(|_| ());
        assert_eq!(
            r.is_ok(),
            expect_ok,
            "{:?} accept={accept}: {r:?}",
            String::from_utf8_lossy(&sender.kid)
        );
        if !expect_ok {
            assert_eq!(r, Err(EnvelopeError::PlainRefused));
        }
    }
}

#[test]
fn unknown_keys_are_rejected_unless_learning_is_on() {
    let clock = Arc::new(ManualClock::new(NOW));
    let b = ALL_BACKENDS[0];
    let stranger = generate(KeyAlg::Sign(SignatureId::Ed25519), b"stranger", "attacker").unwrap();
    let config = SealConfig {
        mode: Mode::Sign1,
        sender: Some(&stranger),
        identity: Identity::Spki,
        recipients: &[],
        content: AeadId::Aes128Gcm,
        cek_reuse: 1,
    };
    let mut s = to_receiver(Sealer::new(b, &config, clock.clone(), None).unwrap());
    let mut msg = MessageBuf::new();
    s.seal_payload(b"hi", "boot_vm", &mut msg).unwrap();
    let mut o = opener(b, clock.clone());
    assert_eq!(
        o.open(&mut msg.wire().to_vec()),
        Err(EnvelopeError::UnknownKey)
    );
    let learning = OpenOptions {
        learn_keys: true,
        learned_role: "client".into(),
        ..OpenOptions::default()
    };
    let mut store = receiver_store();
    store.policy = store.policy.allow("client", &["boot_vm"]);
    let mut o = Opener::new(b, &store, learning, clock.clone()).unwrap();
    let mut wire = msg.wire().to_vec();
    let opened = o.open(&mut wire).unwrap();
    assert_eq!(o.sender(opened.sender.unwrap()).unwrap().1, "client");
}

#[test]
fn forged_messages_do_not_fill_the_learned_key_table() {
    let clock = Arc::new(ManualClock::new(NOW));
    let b = ALL_BACKENDS[0];
    let seal_as = |who: &KeyEntry| {
        let config = SealConfig {
            mode: Mode::Sign1,
            sender: Some(who),
            identity: Identity::Spki,
            recipients: &[],
            content: AeadId::Aes128Gcm,
            cek_reuse: 1,
        };
        let mut s = to_receiver(Sealer::new(b, &config, clock.clone(), None).unwrap());
        let mut msg = MessageBuf::new();
        s.seal_payload(b"hi", "boot_vm", &mut msg).unwrap();
        msg.wire().to_vec()
    };
    let options = OpenOptions {
        learn_keys: true,
        learned_role: "client".into(),
        max_learned: 1,
        ..OpenOptions::default()
    };
    let mut store = receiver_store();
    store.policy = store.policy.allow("client", &["boot_vm"]);
    let mut o = Opener::new(b, &store, options, clock.clone()).unwrap();
    // A forged message: a stranger's SPKI with a corrupted signature.
    let stranger = generate(KeyAlg::Sign(SignatureId::Ed25519), b"s", "x").unwrap();
    let mut forged = seal_as(&stranger);
    let last = forged.len() - 1;
    forged[last] ^= 1;
    assert_eq!(o.open(&mut forged), Err(EnvelopeError::Authentication));
    // The table still has room for a genuine newcomer.
    let newcomer = generate(KeyAlg::Sign(SignatureId::Ed25519), b"n", "x").unwrap();
    let mut genuine = seal_as(&newcomer);
    assert!(o.open(&mut genuine).is_ok());
}

/// An attacker on the bus rewrites a captured hybrid message's RSA-OAEP recipient
/// ciphertext into its shortened form (a ciphertext whose first octet is zero, without that
/// octet: the same integer). RFC 8017 §7.1.2 step 1.b makes it a decryption error; OpenSSL's
/// EVP decrypt opened it. Every backend that opens RSA-OAEP must refuse the rewritten message
/// (the original still opens on a fresh receiver).
#[test]
fn a_shortened_rsa_oaep_recipient_ciphertext_is_refused() {
    let clock = Arc::new(ManualClock::new(NOW));
    let case = cases()
        .into_iter()
        .find(|c| c.name == "encrypt-oaep1-aes128gcm")
        .expect("the one-recipient RSA-OAEP case");
    let mut tried = 0;
    for &b in ALL_BACKENDS {
        let mut s = match sealer(b, &case, clock.clone()) {
            Ok(s) => s,
            Err(EnvelopeError::Unsupported(_)) => continue,
            Err(e) => panic!("{}: {e}", b.name),
        };
        // The recipient's ciphertext is the last 256-byte byte string (head 59 01 00); about
        // one in 128–256 begins with a zero octet.
        let (wire, at) = (0..20_000)
            .find_map(|_| {
                let mut msg = MessageBuf::new();
                s.seal_payload(b"reply", case.method, &mut msg).unwrap();
                let w = msg.wire().to_vec();
                let at = w.windows(4).rposition(|x| x == [0x59, 0x01, 0x00, 0x00])?;
                Some((w, at))
            })
            .expect("no recipient ciphertext with a zero first octet");
        assert!(
            opener(b, clock.clone()).open(&mut wire.clone()).is_ok(),
            "{}",
            b.name
        );
        let mut short = wire[..at].to_vec();
        short.extend_from_slice(&[0x58, 0xff]);
        short.extend_from_slice(&wire[at + 4..]);
        let r = opener(b, clock.clone()).open(&mut short);
        assert!(r.is_err(), "{}: the shortened ciphertext opened", b.name);
        tried += 1;
    }
    assert!(tried >= 2, "RSA-OAEP opened on fewer than two backends");
}
