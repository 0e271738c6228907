//! Mutual TLS channels: every stack handshakes, carries messages, refuses strangers and
//! tampering; the tls presets and decide's channel verdicts come from executed attacks.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use sealbench::channel::{CertAlg, ChannelError, Pair, Pki, Stack, Wire};
use sealbench::decide::{Attack, Scheme, channel_verdicts};

fn ends(
    stack: Stack,
    cert: CertAlg,
    resume: bool,
) -> (
    Pki,
    Box<dyn sealbench::channel::Side>,
    Box<dyn sealbench::channel::Side>,
) {
    let mut pki = Pki::new(cert).unwrap();
    let server = pki
        .issue(sealbench::channel::SERVER_NAME, "server", cert)
        .unwrap();
    let client = pki.issue("client-1", "client", cert).unwrap();
    let s = stack.server(&pki, &server).unwrap();
    let c = stack.client(&pki, &client, resume).unwrap();
    (pki, c, s)
}

#[test]
fn every_stack_handshakes_and_carries_messages_on_both_transports() {
    for &stack in Stack::ALL {
        for &cert in CertAlg::ALL {
            let (pki, c, s) = ends(stack, cert, false);
            let listener = Wire::listener().unwrap();
            for wires in [Wire::memory_pair(), Wire::loopback_pair(&listener).unwrap()] {
                let mut pair = Pair::start(c.as_ref(), s.as_ref(), wires).unwrap();
                let hs = pair.handshake().unwrap();
                assert!(!hs.resumed, "{stack}");
                assert!(hs.handshake_bytes > 500, "{stack}: {}", hs.handshake_bytes);
                // Each end authenticated the other with a certificate of the run's CA.
                let server_cert = pair.client.peer_certificate().unwrap();
                assert_eq!(pki.holder(&server_cert).unwrap().role, "server");
                let client_cert = pair.server.peer_certificate().unwrap();
                assert_eq!(pki.holder(&client_cert).unwrap().name, "client-1");
                for size in [64usize, 70_000] {
                    let payload: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
                    let sent = pair.message(&payload).unwrap();
                    assert_eq!(pair.received, payload, "{stack} {size}");
                    // One record per 16 KiB: 5-byte header, content type, 16-byte tag.
                    let records = size.div_ceil(16384) as u64;
                    assert_eq!(sent, size as u64 + 22 * records, "{stack} {size}");
                }
            }
        }
    }
}

#[test]
fn rustls_resumes_and_openssl_says_why_not() {
    for stack in [Stack::RustlsAwsLc, Stack::RustlsRing] {
        let (_pki, c, s) = ends(stack, CertAlg::Ed25519, true);
        let mut first = Pair::start(c.as_ref(), s.as_ref(), Wire::memory_pair()).unwrap();
        assert!(!first.handshake().unwrap().resumed);
        let mut second = Pair::start(c.as_ref(), s.as_ref(), Wire::memory_pair()).unwrap();
        let hs = second.handshake().unwrap();
        assert!(hs.resumed, "{stack}");
        second.message(b"after resumption").unwrap();
        assert_eq!(second.received, b"after resumption");
    }
    assert!(Stack::OpenSsl.resumption().is_err());
}

#[test]
fn a_client_from_another_ca_and_a_tampered_record_are_refused() {
    for &stack in Stack::ALL {
        let (pki, _c, s) = ends(stack, CertAlg::Ed25519, false);
        let mut other = Pki::new(CertAlg::Ed25519).unwrap();
        let stranger = other.issue("mallory", "client", CertAlg::Ed25519).unwrap();
        let c = stack.client(&other, &stranger, false).unwrap();
        let mut pair = Pair::start(c.as_ref(), s.as_ref(), Wire::memory_pair()).unwrap();
        assert!(
            matches!(pair.handshake(), Err(ChannelError::Refused { .. })),
            "{stack}"
        );

        let mut pki2 = pki;
        let cred = pki2.issue("client-2", "client", CertAlg::Ed25519).unwrap();
        let c = stack.client(&pki2, &cred, false).unwrap();
        let s = stack
            .server(
                &pki2,
                pki2.issued_to(sealbench::channel::SERVER_NAME).unwrap(),
            )
            .unwrap();
        let (a, b, tap) = Wire::tapped_pair();
        let mut pair = Pair::start(c.as_ref(), s.as_ref(), (a, b)).unwrap();
        pair.handshake().unwrap();
        pair.client.send(b"transfer 100 to alice").unwrap();
        assert!(tap.tamper_to_b(3));
        let mut out = Vec::new();
        assert!(
            matches!(
                pair.server.recv(&mut out),
                Err(ChannelError::Refused { .. })
            ),
            "{stack}"
        );
        assert!(out.is_empty());
    }
}

#[test]
fn tls_presets_rows_come_from_the_executed_attacks() {
    let backend = sealbench::backend::by_name("aws-lc").unwrap();
    let tls = sealbench::scenarios::by_name("tls-to-broker")
        .unwrap()
        .report(backend)
        .unwrap();
    for refused in [
        "wire-reads",
        "wire-injects",
        "wire-tampers",
        "wire-replays",
        "foreign-ca",
    ] {
        let r = tls.row(refused).unwrap();
        assert!(!r.outcome.succeeded(), "{refused}: {}", r.outcome);
    }
    for succeeded in [
        "broker-reads",
        "broker-forges",
        "other-role-forges",
        "receiver-forges",
    ] {
        let r = tls.row(succeeded).unwrap();
        assert!(r.outcome.succeeded(), "{succeeded}: {}", r.outcome);
    }
    assert!(!tls.row("peer-identity").unwrap().supported);

    let both = sealbench::scenarios::by_name("tls+envelope")
        .unwrap()
        .report(backend)
        .unwrap();
    assert!(both.row("tls/other-role-forges").unwrap().supported);
    for r in both
        .run
        .rows
        .iter()
        .filter(|r| r.id.starts_with("sign-encrypt/"))
    {
        assert!(!r.outcome.succeeded(), "{}: {}", r.id, r.outcome);
    }
    // Sign1 closes every forgery but not reading.
    assert!(both.row("sign1/broker-reads").unwrap().outcome.succeeded());
    assert!(
        !both
            .row("sign1/other-role-forges")
            .unwrap()
            .outcome
            .succeeded()
    );
    assert_eq!(
        both.row("sign1/broker-replays").unwrap().outcome.kind(),
        Some("replayed")
    );
}

#[test]
fn decide_judges_tls_only_by_broker_trust() {
    let succeeded = |v: &sealbench::scenarios::keyscope::Verdicts, a| v.get(a).unwrap().succeeded();
    let untrusted = channel_verdicts(Scheme::PLAIN, false, false).unwrap();
    assert!(succeeded(&untrusted, Attack::OutsiderReads));
    assert!(succeeded(&untrusted, Attack::OutsiderForges));
    assert!(succeeded(&untrusted, Attack::OtherRoleForges));
    let trusted = channel_verdicts(Scheme::PLAIN, false, true).unwrap();
    assert!(!succeeded(&trusted, Attack::OutsiderReads));
    assert!(!succeeded(&trusted, Attack::OutsiderForges));
    assert!(!succeeded(&trusted, Attack::CrossNodeReplay));
    // A compromised node holds a valid certificate whatever the broker.
    assert!(succeeded(&trusted, Attack::OtherRoleForges));
    // Sign-encrypt inside closes them, broker untrusted.
    let se = Scheme::new(
        sealbench::envelope::Mode::SignEncrypt,
        sealbench::decide::KeyScope::PerSender,
    );
    let both = channel_verdicts(se, false, false).unwrap();
    for a in [
        Attack::OutsiderReads,
        Attack::OutsiderForges,
        Attack::OtherRoleForges,
        Attack::CrossNodeReplay,
        Attack::Reflection,
    ] {
        assert!(!succeeded(&both, a), "{a:?}");
    }
}
