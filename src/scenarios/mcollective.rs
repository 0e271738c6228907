//! Presets 1–4: the deployment scenarios of MCollective's AES security plugin.
//!
//! Model. Requests are COSE_Sign1 by the client: MCollective "encrypts" them with the
//! client's private key, so anyone with the public key reads them. Replies are
//! SignEncrypt: signed by the server and encrypted to the caller's key-transport key, so
//! only the caller reads them. A server registering acts as a client (Sign1, method
//! `registration`); the registration agent (server-1) answers it with a reply encrypted to
//! the registering server. *Learned* presets carry the signer's SPKI in every message
//! (`send_pubkey`) and receivers learn unknown keys (`learn_pubkeys`): servers trust learned
//! keys as clients, callers as servers, as the plugin does without an authorization plugin.
//! *Manual* presets carry only a kid and learn nothing. A *shared* server key means every
//! server holds the same signing and key-transport key pairs.

use crate::backend::{
    Backend, Error as BackendError, KeyAgreementId, KeyTransportId, SignatureId, Unsupported,
};
use crate::cose::iana;
use crate::envelope::audience::Audience;
use crate::envelope::fixtures::{generate, public_only};
use crate::envelope::header::{Protected, SenderId};
use crate::envelope::keys::NodeId;
use crate::envelope::seal::recipient_binding;
use crate::envelope::{
    EnvelopeError, Identity, KeyAlg, KeyEntry, Mode, Opener, Policy, TrustStore,
};

use super::Run;
use super::craft::{self, Claims};
use super::executed::{self, Addressing, Attacks, Outcomes};
use super::harness::{
    Envelope, NOW, Net, Replay, Row, When, YesIf, claiming, row, sign_encrypt, single, try_open,
    try_read,
};

/// Whether servers have their own key pairs or share one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKeys {
    /// Each server has its own key pairs.
    Unique,
    /// All servers use the same key pairs.
    Shared,
}

/// How public keys reach the receivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Distribution {
    /// Copied by an operator (`send_pubkey=0`, `learn_pubkeys=0`).
    Manual,
    /// Sent with every message and learned (`send_pubkey=1`, `learn_pubkeys=1`).
    Learned,
}

const REQUEST: &str = "puppet.runonce";
const REGISTRATION: &str = "registration";
const REPLY: &str = "reply";

/// An actor's signing and key-transport key pairs.
struct Party {
    sig: KeyEntry,
    enc: KeyEntry,
}

struct World {
    net: Net,
    identity: Identity,
    learned: bool,
    alice: Party,
    bob: Party,
    /// server-1 (registration agent), server-2 (the compromised one), server-3.
    servers: Vec<Party>,
    mallory: KeyEntry,
}

fn party(name: &str, role: &str, sig: SignatureId, enc: KeyAlg) -> Result<Party, EnvelopeError> {
    Ok(Party {
        sig: generate(KeyAlg::Sign(sig), name.as_bytes(), role)?,
        enc: generate(enc, format!("{name}-enc").as_bytes(), role)?,
    })
}

/// The first signature the backend does, and RSA-OAEP for replies (as the plugin used)
/// or, on a backend without RSA encryption, ECDH-ES with X25519. A backend that can do
/// neither with a static recipient key (ring) cannot run these presets: `Unsupported`.
fn algorithms(b: &Backend) -> Result<(SignatureId, KeyAlg), EnvelopeError> {
    let sig = [SignatureId::Ed25519, SignatureId::EcdsaP256Sha256]
        .into_iter()
        .find(|&id| (b.signature)(id).is_ok())
        .ok_or(EnvelopeError::Config(
            "backend has neither Ed25519 nor ES256",
        ))?;
    let enc = if (b.key_transport)(KeyTransportId::RsaOaep2048Sha256).is_ok() {
        KeyAlg::RsaOaep256
    } else {
        // Callers decrypt replies with a static key: the backend must import one.
        let probe = (b.key_agreement)(KeyAgreementId::X25519)
            .map_err(BackendError::from)
            .and_then(|ka| ka.private_key(&[0x42; 32]));
        match probe {
            Ok(_) => {}
            Err(BackendError::Unsupported(_)) => {
                return Err(EnvelopeError::Unsupported(Unsupported(
                    "callers decrypt replies with a static key: this backend has neither \
                     RSA-OAEP nor static X25519 key import",
                )));
            }
            Err(e) => return Err(e.into()),
        }
        KeyAlg::EcdhEs(KeyAgreementId::X25519)
    };
    Ok((sig, enc))
}

impl World {
    fn new(
        backend: &'static Backend,
        keys: ServerKeys,
        dist: Distribution,
        sig: SignatureId,
        enc: KeyAlg,
    ) -> Result<Self, EnvelopeError> {
        let servers = match keys {
            ServerKeys::Unique => (1..=3)
                .map(|i| party(&format!("server-{i}"), "server", sig, enc))
                .collect::<Result<Vec<_>, _>>()?,
            ServerKeys::Shared => {
                let shared = party("server", "server", sig, enc)?;
                (1..=3)
                    .map(|_| Party {
                        sig: shared.sig.clone(),
                        enc: shared.enc.clone(),
                    })
                    .collect()
            }
        };
        Ok(Self {
            net: Net::new(backend),
            identity: match dist {
                Distribution::Manual => Identity::Kid,
                Distribution::Learned => Identity::Spki,
            },
            learned: dist == Distribution::Learned,
            alice: party("alice", "client", sig, enc)?,
            bob: party("bob", "client", sig, enc)?,
            servers,
            mallory: generate(KeyAlg::Sign(sig), b"mallory", "client")?,
        })
    }

    fn server(&self, i: usize) -> Result<&Party, EnvelopeError> {
        self.servers
            .get(i)
            .ok_or(EnvelopeError::Config("no such server"))
    }

    /// Adds public copies of `keys` whose kids are not in `entries` yet.
    fn add_public<'k>(entries: &mut Vec<KeyEntry>, keys: impl Iterator<Item = &'k KeyEntry>) {
        for k in keys {
            if !entries.iter().any(|e| e.kid == k.kid) {
                entries.push(public_only(k));
            }
        }
    }

    /// Server `i`: its own key pairs; with manual distribution also the clients' and the
    /// other servers' public signing keys. Clients may call anything, servers may only
    /// register and reply; learned keys are trusted as clients.
    fn server_node(&self, i: usize) -> Result<Opener, EnvelopeError> {
        self.server_at(i, Addressing::AsDeployed, Replay::default())
    }

    /// Server `i` under `addressing`, with replay state `replay`.
    fn server_at(
        &self,
        i: usize,
        addressing: Addressing,
        replay: Replay<'_>,
    ) -> Result<Opener, EnvelopeError> {
        let me = self.server(i)?;
        let mut entries = vec![me.sig.clone(), me.enc.clone()];
        if !self.learned {
            let clients = [&self.alice.sig, &self.bob.sig].into_iter();
            Self::add_public(
                &mut entries,
                clients.chain(self.servers.iter().map(|s| &s.sig)),
            );
        }
        let store = TrustStore {
            entries,
            policy: Policy::default()
                .allow("client", &["*"])
                .allow("server", &[REGISTRATION, REPLY]),
            node: Some(NodeId {
                kid: format!("server-{}", i + 1).into_bytes(),
                role: "server".into(),
            }),
        };
        self.net
            .receiver(&store, self.learned.then_some("client"), addressing, replay)
    }

    /// A client: its own key-transport key; with manual distribution also the servers'
    /// public signing keys. It accepts replies from servers; learned keys are servers.
    fn client_node(&self, me: &Party) -> Result<Opener, EnvelopeError> {
        self.client_at(me, Addressing::AsDeployed)
    }

    /// A client under `addressing`.
    fn client_at(&self, me: &Party, addressing: Addressing) -> Result<Opener, EnvelopeError> {
        let mut entries = vec![me.enc.clone()];
        if !self.learned {
            Self::add_public(&mut entries, self.servers.iter().map(|s| &s.sig));
        }
        let store = TrustStore {
            entries,
            policy: Policy::default().allow("server", &[REPLY]),
            node: None,
        };
        self.net.receiver(
            &store,
            self.learned.then_some("server"),
            addressing,
            Replay::default(),
        )
    }

    /// Someone holding only `key`'s public half, trusting it for everything.
    fn observer(&self, key: &KeyEntry) -> Result<Opener, EnvelopeError> {
        let store = TrustStore {
            entries: vec![public_only(key)],
            policy: Policy::default().allow(&key.role, &["*"]),
            node: None,
        };
        self.net.node(&store, None)
    }
}

/// Runs every attack of one MCollective scenario on `backend`.
pub fn run(
    backend: &'static Backend,
    keys: ServerKeys,
    dist: Distribution,
) -> Result<Run, EnvelopeError> {
    let (sig, enc) = algorithms(backend)?;
    let w = World::new(backend, keys, dist, sig, enc)?;
    let (net, id) = (&w.net, w.identity);
    let (s1, s2, s3) = (w.server(0)?, w.server(1)?, w.server(2)?);
    let alice_enc = public_only(&w.alice.enc);
    let s3_enc = public_only(&s3.enc);
    let sign1 = |k| single(Mode::Sign1, k, id);

    let req_text = b"request from alice: puppet runonce --tags db_passwords";
    let request = net.send(&sign1(&w.alice.sig), REQUEST, req_text)?;
    let reply_text = b"reply from server-1 to alice: db password hunter2";
    let reply = net.send_from(
        "server-1",
        &sign_encrypt(&s1.sig, id, &[&alice_enc]),
        REPLY,
        reply_text,
    )?;
    let reg_text = b"registration from server-2: facts and classes";
    let registration = net.send_from("server-2", &sign1(&s2.sig), REGISTRATION, reg_text)?;
    let ack_text = b"reply from server-1 to server-3: registration token 5f2c";
    let ack = net.send_from(
        "server-1",
        &sign_encrypt(&s1.sig, id, &[&s3_enc]),
        REPLY,
        ack_text,
    )?;

    let as_alice = claiming(&w.alice.sig, &w.mallory);
    let forged_request = net.send(&sign1(&as_alice), REQUEST, b"request as alice")?;
    let mallory_request = net.send(&sign1(&w.mallory), REQUEST, b"request from mallory")?;
    let server_request = net.send_from(
        "server-2",
        &sign1(&s2.sig),
        REQUEST,
        b"request from server-2",
    )?;
    let as_s1 = claiming(&s1.sig, &s2.sig);
    let forged_reply = net.send_from(
        "server-1",
        &sign_encrypt(&as_s1, id, &[&alice_enc]),
        REPLY,
        b"reply as server-1",
    )?;
    let as_s3 = claiming(&s3.sig, &s2.sig);
    let forged_registration = net.send_from(
        "server-3",
        &sign1(&as_s3),
        REGISTRATION,
        b"registration as server-3: decommissioned",
    )?;
    let rogue_registration = net.send(
        &sign1(&w.mallory),
        REGISTRATION,
        b"registration: rogue-node",
    )?;
    let stale = net.send_stale(&sign1(&w.alice.sig), REQUEST, req_text)?;
    let mut replayed_at = w.server_node(0)?;
    try_open(&mut replayed_at, &request);

    use YesIf::{Rejected, Succeeded};
    let mut rows: Vec<Row> = vec![
        row(
            "request-accepted",
            "A client's request is accepted by a server (baseline)",
            "alice signs puppet.runonce; server-1 opens it",
            Succeeded,
            try_open(&mut w.server_node(0)?, &request),
        ),
        row(
            "reply-accepted",
            "The caller opens a server's reply (baseline)",
            "server-1 replies to alice; alice opens it",
            Succeeded,
            try_open(&mut w.client_node(&w.alice)?, &reply),
        ),
        row(
            "clients-identified",
            "Clients are uniquely identified using cryptographic means",
            "mallory signs a request with her own key under alice's identity",
            Rejected,
            try_open(&mut w.server_node(0)?, &forged_request),
        ),
        row(
            "client-key-reads-requests",
            "Anyone with the client public key can observe request contents",
            "an observer holding only alice's public key reads her request",
            Succeeded,
            try_read(&mut w.observer(&w.alice.sig)?, &request, req_text),
        ),
        row(
            "eavesdropper-reads-requests",
            "An eavesdropper without any key reads request contents",
            "an eavesdropper with no keys reads a captured request",
            Succeeded,
            try_read(&mut net.eavesdropper(false)?, &request, req_text),
        ),
        row(
            "client-key-by-listening",
            "Attackers can gain access to the client public key by just listening on the network",
            "an eavesdropper learning keys from the wire verifies a captured request",
            Succeeded,
            try_open(&mut net.eavesdropper(true)?, &request),
        ),
        row(
            "replies-only-caller",
            "Replies back to the client are readable only by client that initiated the request",
            "bob, another client, reads a reply meant for alice",
            Rejected,
            try_read(&mut w.client_node(&w.bob)?, &reply, reply_text),
        ),
        row(
            "eavesdropper-reads-replies",
            "An eavesdropper reads replies",
            "an eavesdropper learning keys from the wire reads a captured reply",
            Succeeded,
            try_read(&mut net.eavesdropper(true)?, &reply, reply_text),
        ),
        row(
            "server-reads-caller-replies",
            "A compromised server reads replies meant for the caller",
            "server-2 reads server-1's reply to alice",
            Succeeded,
            try_read(&mut w.server_node(1)?, &reply, reply_text),
        ),
        row(
            "new-key-requests",
            "Attackers can create new certificates and start using them to make requests as clients",
            "mallory makes a new key pair and sends puppet.runonce to server-1",
            Succeeded,
            try_open(&mut w.server_node(0)?, &mallory_request),
        ),
        row(
            "server-makes-requests",
            "A compromised server makes client requests",
            "server-2 signs puppet.runonce with its own key and sends it to server-1",
            Succeeded,
            try_open(&mut w.server_node(0)?, &server_request),
        ),
        row(
            "servers-identified",
            "Servers are uniquely identified using cryptographic means",
            "server-2 signs a reply to alice under server-1's identity",
            Rejected,
            try_open(&mut w.client_node(&w.alice)?, &forged_reply),
        ),
        row(
            "server-key-reads-registration",
            "Anyone with the server public key can observe registration contents",
            "an observer holding only server-2's public key reads its registration",
            Succeeded,
            try_read(&mut w.observer(&s2.sig)?, &registration, reg_text),
        ),
        row(
            "server-key-by-listening",
            "Attackers can gain access to the server public keys by just listening on the network",
            "an eavesdropper learning keys from the wire verifies a captured registration",
            Succeeded,
            try_open(&mut net.eavesdropper(true)?, &registration),
        ),
        row(
            "registration-protected",
            "Registration data can be protected from rogue agents posing as registration agents",
            "server-2 sends registration to server-1 under server-3's identity",
            Rejected,
            try_open(&mut w.server_node(0)?, &forged_registration),
        ),
        row(
            "server-reads-server-replies",
            "A compromised server reads replies meant for another server",
            "server-2 reads server-1's registration reply to server-3",
            Succeeded,
            try_read(&mut w.server_node(1)?, &ack, ack_text),
        ),
        row(
            "new-node-registration",
            "Attackers can create new nodes and inject registration data for those new nodes",
            "mallory's new key sends registration to server-1",
            Succeeded,
            try_open(&mut w.server_node(0)?, &rogue_registration),
        ),
        row(
            "replayed-request",
            "A replayed request is accepted",
            "server-1 receives alice's request a second time",
            Succeeded,
            try_open(&mut replayed_at, &request),
        ),
        row(
            "stale-request",
            "A stale (expired) request is accepted",
            "server-1 receives a request alice issued 301 s ago",
            Succeeded,
            try_open(&mut w.server_node(0)?, &stale),
        ),
    ];
    rows.extend(executed::both(&ATTACKS, |a| attacks(&w, sig, a))?);
    Ok(Run {
        algorithms: vec![
            format!("requests: Sign1 {}", KeyAlg::Sign(sig)),
            format!(
                "replies: SignEncrypt {} + {enc} + A256GCM",
                KeyAlg::Sign(sig)
            ),
            format!("sender identity: {}", id.label()),
        ],
        rows,
    })
}

const ATTACKS: Attacks = Attacks {
    cross_node: "alice's puppet.runonce captured on its way to server-1 is delivered to server-2",
    restart: "server-1 accepts alice's request, restarts, and receives it again",
    reflection: "server-2's registration (to server-1) is delivered back to server-2",
    flood: "server-2 (may only register and reply) sends server-1 1,024 registrations, each a \
            new stream with iat = now+30 s (server-1 bounds each sender to 256 streams here; \
            default 1,024); then alice's new request",
    layers: "server-2 signs a reply to alice and encrypts it to her as sign-encrypt, naming \
             server-1 as the outer layer's sender kid (the same message without it is accepted)",
    forwarding: "alice decrypts server-1's sign-encrypt reply and re-encrypts the signed reply \
                 to bob",
};

/// The attacks of [`executed`] on this deployment under `a`.
fn attacks(w: &World, sig: SignatureId, a: Addressing) -> Result<Outcomes, EnvelopeError> {
    let (net, id) = (&w.net, w.identity);
    let (s1, s2) = (w.server(0)?, w.server(1)?);
    let sign1 = |k| single(Mode::Sign1, k, id);
    let to_s1 = a.to(&["server-1"]);
    // Clients name no sender id in the plugin; servers do (senderid).
    let from_alice = Envelope {
        from: a.from("alice", false),
        to: to_s1.as_ref(),
        when: When::Now,
    };
    let from_s2 = Envelope {
        from: a.from("server-2", true),
        ..from_alice
    };
    let request = |text: &[u8]| net.seal(&sign1(&w.alice.sig), from_alice, REQUEST, text);
    let captured = request(b"request from alice: puppet runonce")?;

    let cross_node = try_open(&mut w.server_at(1, a, Replay::default())?, &captured);
    let make = |r: Replay<'_>| w.server_at(0, a, r);
    let restart = executed::replay_after_restart(&make, &captured, false)?;
    let restart_db = executed::replay_after_restart(&make, &captured, true)?;
    let registration = net.seal(&sign1(&s2.sig), from_s2, REGISTRATION, b"registration")?;
    let reflection = try_open(&mut w.server_at(1, a, Replay::default())?, &registration);

    let mut flooded = w.server_at(0, a, Replay::Memory(executed::flood_config()))?;
    let ahead = Envelope {
        when: When::SkewLimit,
        ..from_s2
    };
    let victim = request(b"request from alice after the flood")?;
    let flood = executed::flood(
        &mut flooded,
        &mut || net.seal(&sign1(&s2.sig), ahead, REGISTRATION, b"registration"),
        &victim,
    )?;

    // Layer confusion: a well-formed sign-encrypt whose outer layer names a sender.
    let alice_enc = public_only(&w.alice.enc);
    let bob_enc = public_only(&w.bob.enc);
    let to_alice = Audience::Kids(vec![alice_enc.kid.clone()]);
    let claims = Claims::new(Some("server-1"), Some(&to_alice))?;
    let cti = craft::fresh_cti();
    let spki = s2.sig.material.spki().ok_or(EnvelopeError::WrongKeyType)?;
    let inner = Protected {
        alg: Some(iana::signature_alg(sig)),
        sender: Some(match id {
            Identity::Spki => SenderId::Spki(spki),
            _ => SenderId::Kid(&s2.sig.kid),
        }),
        iat: NOW,
        cti: &cti,
        method: REPLY,
        nested: false,
        iss: claims.iss(),
        aud: claims.aud(),
    };
    let binding = recipient_binding([alice_enc.kid.as_slice()].into_iter())?;
    let signed = craft::sign1(
        net.backend,
        &s2.sig,
        &inner,
        &binding,
        b"reply: all is well",
    )?;
    let outer = Protected {
        alg: Some(iana::aead_alg(craft::CONTENT)),
        sender: None,
        nested: true,
        ..inner
    };
    let control = craft::encrypt_to(net.backend, &alice_enc, &outer, &signed)?;
    if !try_open(&mut w.client_at(&w.alice, a)?, &control).succeeded() {
        return Err(EnvelopeError::Config(
            "layer confusion: the hand-built sign-encrypt was refused without the outer kid",
        ));
    }
    let outer_kid = Protected {
        sender: Some(SenderId::Kid(&s1.sig.kid)),
        ..outer
    };
    let confused = craft::encrypt_to(net.backend, &alice_enc, &outer_kid, &signed)?;
    let layers = try_open(&mut w.client_at(&w.alice, a)?, &confused);

    // Forwarding: alice re-encrypts the signed reply she received to bob.
    let reply_env = Envelope {
        from: Some("server-1"),
        to: None, // hybrid modes address their recipients' kids
        when: When::Now,
    };
    let reply = net.seal(
        &sign_encrypt(&s1.sig, id, &[&alice_enc]),
        reply_env,
        REPLY,
        b"reply from server-1 to alice: token 5f2c",
    )?;
    let nested = craft::decrypted_content(&mut w.client_at(&w.alice, a)?, &reply)?;
    let inner = Protected::parse(craft::sign1_protected(&nested)?)?;
    let outer = Protected {
        alg: Some(iana::aead_alg(craft::CONTENT)),
        sender: None,
        nested: true,
        ..inner
    };
    let forwarded = craft::encrypt_to(net.backend, &bob_enc, &outer, &nested)?;
    let forwarding = try_open(&mut w.client_at(&w.bob, a)?, &forwarded);

    Ok(Outcomes {
        cross_node,
        restart,
        restart_db,
        reflection,
        flood,
        layers,
        forwarding,
    })
}
