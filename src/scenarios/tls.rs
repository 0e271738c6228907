//! Channel security against the same attackers: nodes talk to a broker over mutual TLS
//! (`tls-to-broker`), optionally with envelopes inside (`tls+envelope`).
//!
//! The deployment is real TLS 1.3 sessions ([`crate::channel`]) over in-memory wires with
//! an attacker's tap: `s1` (role `sender`, the only role allowed the class's method), `r1`
//! and `r2` (`receiver`), `o1` (`other`), each with a client certificate from the run's
//! CA, and an in-process broker with a server certificate from the same CA. Each node has
//! one connection to the broker. A message is a frame `{to, from, method, body}`; the
//! broker reads the frames each connection publishes and writes each to the connection of
//! the node named `to` (its queue; a node consumes only the queue its certificate names).
//! Like a message bus, the broker does not carry the publisher's TLS identity to the
//! consumer: the consumer's only TLS peer is the broker, so it can only believe `from`.
//!
//! Every row below is an attack executed on those sessions: bytes injected, tampered or
//! replayed on the wire (the TLS library's verdict decides), the broker process reading or
//! writing frames, a compromised node publishing.

use serde::{Deserialize, Serialize};

use crate::backend::{AeadId, KeyAgreementId};
use crate::backend::{Backend, SignatureId, Unsupported};
use crate::channel::{CertAlg, ChannelError, Credential, Pair, Pki, Side, Stack, Tap, Wire};
use crate::envelope::audience::Audience;
use crate::envelope::fixtures::{generate, public_only};
use crate::envelope::keys::NodeId;
use crate::envelope::{
    EnvelopeError, Identity, KeyAlg, KeyEntry, ManualClock, MessageBuf, Mode, OpenOptions, Opener,
    Policy, SealConfig, Sealer, TrustStore,
};

use super::Run;
use super::harness::{NOW, Outcome, WINDOW_S, YesIf, claiming, row, try_open, try_read};
use super::keyscope::{Attack, AttackResult, Scheme, Verdicts};

const METHOD: &str = "class_method";
const SENDER: &str = "sender";
const RECEIVER: &str = "receiver";
const OTHER: &str = "other";
const NODES: [(&str, &str); 4] = [
    ("s1", SENDER),
    ("r1", RECEIVER),
    ("r2", RECEIVER),
    ("o1", OTHER),
];
const SECRET: &[u8] = b"s1 to r1: class payload with secret hunter2";
const FORGED: &[u8] = b"forged: run as root everywhere";

/// What travels inside the TLS stream: one RPC message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Frame {
    to: String,
    from: String,
    method: String,
    body: Vec<u8>,
}

impl Frame {
    fn new(to: &str, from: &str, body: &[u8]) -> Self {
        Self {
            to: to.into(),
            from: from.into(),
            method: METHOD.into(),
            body: body.to_vec(),
        }
    }

    /// Length-prefixed JSON.
    fn encode(&self) -> Result<Vec<u8>, EnvelopeError> {
        let json = serde_json::to_vec(self).map_err(|_| EnvelopeError::Config("frame encoding"))?;
        let len = u32::try_from(json.len()).map_err(|_| EnvelopeError::Config("frame length"))?;
        let mut out = len.to_be_bytes().to_vec();
        out.extend_from_slice(&json);
        Ok(out)
    }

    /// Every whole frame in `buf` (removed from it).
    fn decode_all(buf: &mut Vec<u8>) -> Vec<Frame> {
        let mut frames = Vec::new();
        while let Some(len) = buf
            .get(..4)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(|b| u32::from_be_bytes(b) as usize)
        {
            let Some(body) = buf.get(4..4 + len) else {
                break;
            };
            if let Ok(f) = serde_json::from_slice(body) {
                frames.push(f);
            }
            buf.drain(..4 + len);
        }
        frames
    }
}

fn tls_error(e: ChannelError) -> EnvelopeError {
    match e {
        ChannelError::Unsupported(u) => EnvelopeError::Unsupported(u),
        _ => EnvelopeError::Config("TLS deployment failed to set up"),
    }
}

/// A refusal by a TLS library, as an outcome.
fn refused(e: &ChannelError) -> Outcome {
    Outcome::Rejected {
        kind: match e {
            ChannelError::Refused { .. } => "tls-refused",
            ChannelError::Stalled(_) => "tls-no-connection",
            _ => "tls-error",
        },
    }
}

/// One node's connection to the broker.
struct Link {
    node: &'static str,
    pair: Pair,
    tap: Tap,
    /// Bytes the node received and has not parsed yet.
    inbox: Vec<u8>,
    /// Bytes the broker received from the node and has not parsed yet.
    outbox: Vec<u8>,
}

/// The broker, its connections and the run's CA.
struct Bus {
    pki: Pki,
    links: Vec<Link>,
    /// Frames delivered to each node, in order: (node, frame).
    delivered: Vec<(&'static str, Frame)>,
}

fn stack_for(backend: &Backend) -> Result<Stack, EnvelopeError> {
    Stack::for_backend(backend.name)
        .or_else(|| Stack::ALL.first().copied())
        .ok_or(EnvelopeError::Unsupported(Unsupported(
            "no TLS stack compiled in",
        )))
}

impl Bus {
    fn new(stack: Stack) -> Result<Self, EnvelopeError> {
        let mut pki = Pki::new(CertAlg::Ed25519).map_err(tls_error)?;
        let broker = pki
            .issue(crate::channel::SERVER_NAME, "broker", CertAlg::Ed25519)
            .map_err(tls_error)?;
        let server = stack.server(&pki, &broker).map_err(tls_error)?;
        let mut links = Vec::new();
        for (node, role) in NODES {
            let cred = pki.issue(node, role, CertAlg::Ed25519).map_err(tls_error)?;
            let client = stack.client(&pki, &cred, false).map_err(tls_error)?;
            let (a, b, tap) = Wire::tapped_pair();
            let mut pair =
                Pair::start(client.as_ref(), server.as_ref(), (a, b)).map_err(tls_error)?;
            pair.handshake().map_err(tls_error)?;
            links.push(Link {
                node,
                pair,
                tap,
                inbox: Vec::new(),
                outbox: Vec::new(),
            });
        }
        Ok(Self {
            pki,
            links,
            delivered: Vec::new(),
        })
    }

    fn link(&mut self, node: &str) -> Result<&mut Link, EnvelopeError> {
        self.links
            .iter_mut()
            .find(|l| l.node == node)
            .ok_or(EnvelopeError::Config("no such node"))
    }

    /// `node` publishes `frame` over its TLS connection.
    fn publish(&mut self, node: &str, frame: &Frame) -> Result<(), EnvelopeError> {
        let bytes = frame.encode()?;
        self.link(node)?.pair.client.send(&bytes).map_err(tls_error)
    }

    /// The broker writes `frame` to `node`'s connection (as any broker process can).
    fn broker_sends(&mut self, node: &str, frame: &Frame) -> Result<(), EnvelopeError> {
        let bytes = frame.encode()?;
        self.link(node)?.pair.server.send(&bytes).map_err(tls_error)
    }

    /// The broker reads what every connection published (decrypting it: TLS ends here)
    /// and routes each frame to the connection of the node it names; then every node reads.
    /// A TLS refusal anywhere is returned as the outcome of the exchange.
    fn pump(&mut self) -> Result<Vec<Frame>, ChannelError> {
        let mut routed = Vec::new();
        for l in &mut self.links {
            l.pair.server.recv(&mut l.outbox)?;
            routed.extend(Frame::decode_all(&mut l.outbox));
        }
        for f in &routed {
            if let Some(l) = self.links.iter_mut().find(|l| l.node == f.to) {
                let bytes = f.encode().map_err(|_| ChannelError::Stalled("frame"))?;
                l.pair.server.send(&bytes)?;
            }
        }
        for l in &mut self.links {
            l.pair.client.recv(&mut l.inbox)?;
            for f in Frame::decode_all(&mut l.inbox) {
                self.delivered.push((l.node, f));
            }
        }
        Ok(routed)
    }

    /// Frames delivered to `node` since the last call.
    fn take(&mut self, node: &str) -> Vec<Frame> {
        let (mine, rest) = std::mem::take(&mut self.delivered)
            .into_iter()
            .partition(|(n, _)| *n == node);
        self.delivered = rest;
        mine.into_iter().map(|(_, f)| f).collect()
    }

    /// Who the TLS session of `node` authenticated as its peer.
    fn peer_of(&self, node: &str) -> Option<String> {
        let l = self.links.iter().find(|l| l.node == node)?;
        let der = l.pair.client.peer_certificate()?;
        self.pki.holder(&der).map(|c: &Credential| c.name.clone())
    }
}

fn role_of(node: &str) -> Option<&'static str> {
    NODES.iter().find(|(n, _)| *n == node).map(|(_, r)| *r)
}

/// The receiving application without an envelope: it can only believe the frame's `from`,
/// and allows the method to the sender role.
fn app_accepts(frames: &[Frame], body: &[u8]) -> Outcome {
    for f in frames {
        let role = role_of(&f.from);
        if f.body == body && f.method == METHOD && role == Some(SENDER) {
            return Outcome::Accepted {
                sender: Some(format!(
                    "{} (claimed in the frame; TLS peer: broker)",
                    f.from
                )),
                role: role.map(str::to_string),
            };
        }
    }
    Outcome::Rejected {
        kind: "not-delivered",
    }
}

/// Whether `needle` stands in clear in the captured bytes.
fn in_clear(captured: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && captured.windows(needle.len()).any(|w| w == needle)
}

/// The attacks every TLS deployment shares, as outcomes by id.
struct ChannelOutcomes {
    wire_reads: Outcome,
    wire_injects: Outcome,
    wire_tampers: Outcome,
    wire_replays: Outcome,
    foreign_ca: Outcome,
    broker_reads: Outcome,
    broker_forges: Outcome,
    other_role_forges: Outcome,
    receiver_forges: Outcome,
    peer_reads: Outcome,
    other_reads: Outcome,
    broker_redirects: Outcome,
    broker_reflects: Outcome,
    peer_identity: Outcome,
}

/// Executes every TLS-level attack on a fresh deployment over `stack`, without envelopes.
fn execute(stack: Stack) -> Result<ChannelOutcomes, EnvelopeError> {
    let mut bus = Bus::new(stack)?;
    // Baseline: s1's message reaches r1 and r1 accepts it.
    bus.publish("s1", &Frame::new("r1", "s1", SECRET))?;
    bus.pump().map_err(tls_error)?;
    let got = bus.take("r1");
    if !app_accepts(&got, SECRET).succeeded() {
        return Err(EnvelopeError::Config(
            "TLS deployment baseline: r1 did not get s1's message",
        ));
    }
    // An eavesdropper's capture of both hops.
    let mut captured = Vec::new();
    for l in &bus.links {
        let (up, down) = l.tap.captured();
        captured.extend(up);
        captured.extend(down);
    }
    let wire_reads = if in_clear(&captured, SECRET) {
        Outcome::Exposed {
            kind: "tls-refused",
        }
    } else {
        Outcome::Rejected {
            kind: "tls-encrypted",
        }
    };
    // The first record s1 sent after its handshake: captured application data.
    let s1_up = bus.link("s1")?.tap.captured().0;

    // An outsider injects a plaintext frame into the broker → r1 stream.
    let forged = Frame::new("r1", "s1", FORGED).encode()?;
    let wire_injects = {
        let mut bus = Bus::new(stack)?;
        bus.link("r1")?.tap.inject_to_a(&forged);
        match bus.pump() {
            Ok(_) => app_accepts(&bus.take("r1"), FORGED),
            Err(e) => refused(&e),
        }
    };
    // An outsider flips a bit of s1's record on its way to the broker.
    let wire_tampers = {
        let mut bus = Bus::new(stack)?;
        bus.publish("s1", &Frame::new("r1", "s1", FORGED))?;
        bus.link("s1")?.tap.tamper_to_b(20);
        match bus.pump() {
            Ok(_) => app_accepts(&bus.take("r1"), FORGED),
            Err(e) => refused(&e),
        }
    };
    // An outsider replays s1's captured records into the same connection.
    let wire_replays = {
        let last_record = s1_up
            .get(s1_up.len().saturating_sub(record_len(&s1_up))..)
            .unwrap_or_default();
        bus.link("s1")?.tap.inject_to_b(last_record);
        match bus.pump() {
            Ok(_) => app_accepts(&bus.take("r1"), SECRET),
            Err(e) => refused(&e),
        }
    };
    // mallory: a certificate from her own CA, connecting to the broker.
    let foreign_ca = {
        let bus = Bus::new(stack)?;
        let mut own = Pki::new(CertAlg::Ed25519).map_err(tls_error)?;
        let cred = own
            .issue("mallory", SENDER, CertAlg::Ed25519)
            .map_err(tls_error)?;
        let client = stack.client(&own, &cred, false).map_err(tls_error)?;
        // The broker's configuration trusts only the deployment's CA.
        let broker = bus
            .pki
            .issued_to(crate::channel::SERVER_NAME)
            .cloned()
            .ok_or(EnvelopeError::Config("no broker certificate"))?;
        let server: Box<dyn Side> = stack.server(&bus.pki, &broker).map_err(tls_error)?;
        let (a, b) = Wire::memory_pair();
        let mut pair = Pair::start(client.as_ref(), server.as_ref(), (a, b)).map_err(tls_error)?;
        match pair.handshake() {
            Ok(_) => Outcome::Accepted {
                sender: Some("mallory".into()),
                role: None,
            },
            Err(e) => refused(&e),
        }
    };
    // The broker process reads what it relays.
    let broker_reads = {
        let mut bus = Bus::new(stack)?;
        bus.publish("s1", &Frame::new("r1", "s1", SECRET))?;
        let routed = bus.pump().map_err(tls_error)?;
        if routed.iter().any(|f| in_clear(&f.body, SECRET)) {
            Outcome::Exposed {
                kind: "tls-ends-at-broker",
            }
        } else {
            Outcome::Rejected { kind: "not-read" }
        }
    };
    // The broker writes a frame claiming s1 to r1's connection.
    let broker_forges = {
        let mut bus = Bus::new(stack)?;
        bus.broker_sends("r1", &Frame::new("r1", "s1", FORGED))?;
        bus.pump().map_err(tls_error)?;
        app_accepts(&bus.take("r1"), FORGED)
    };
    // Compromised nodes with valid certificates publish the method claiming s1.
    let forge_by = |node: &str, to: &str| -> Result<Outcome, EnvelopeError> {
        let mut bus = Bus::new(stack)?;
        bus.publish(node, &Frame::new(to, "s1", FORGED))?;
        bus.pump().map_err(tls_error)?;
        Ok(app_accepts(&bus.take(to), FORGED))
    };
    let other_role_forges = forge_by("o1", "r1")?;
    let receiver_forges = forge_by("r1", "r2")?;
    // Compromised r2 (or o1) waits for s1's message to r1 on its own connection.
    let waits = |node: &str| -> Result<Outcome, EnvelopeError> {
        let mut bus = Bus::new(stack)?;
        bus.publish("s1", &Frame::new("r1", "s1", SECRET))?;
        bus.pump().map_err(tls_error)?;
        Ok(if bus.take(node).iter().any(|f| f.body == SECRET) {
            Outcome::Exposed { kind: "delivered" }
        } else {
            Outcome::Rejected {
                kind: "broker-routes-by-certificate",
            }
        })
    };
    let peer_reads = waits("r2")?;
    let other_reads = waits("o1")?;
    // The broker delivers s1's message for r1 to r2 as well, and back to s1.
    let redeliver = |to: &str| -> Result<Outcome, EnvelopeError> {
        let mut bus = Bus::new(stack)?;
        bus.publish("s1", &Frame::new("r1", "s1", SECRET))?;
        let routed = bus.pump().map_err(tls_error)?;
        for f in &routed {
            bus.broker_sends(
                to,
                &Frame {
                    to: to.into(),
                    ..f.clone()
                },
            )?;
        }
        bus.pump().map_err(tls_error)?;
        Ok(app_accepts(&bus.take(to), SECRET))
    };
    let broker_redirects = redeliver("r2")?;
    let broker_reflects = redeliver("s1")?;
    let peer_identity = match bus.peer_of("r1").as_deref() {
        Some("s1") => Outcome::Accepted {
            sender: Some("s1".into()),
            role: Some(SENDER.into()),
        },
        _ => Outcome::Rejected {
            kind: "tls-peer-is-the-broker",
        },
    };
    Ok(ChannelOutcomes {
        wire_reads,
        wire_injects,
        wire_tampers,
        wire_replays,
        foreign_ca,
        broker_reads,
        broker_forges,
        other_role_forges,
        receiver_forges,
        peer_reads,
        other_reads,
        broker_redirects,
        broker_reflects,
        peer_identity,
    })
}

/// Length of the last TLS record in `bytes` (5-byte header + length), or 0.
fn record_len(bytes: &[u8]) -> usize {
    let mut at = 0usize;
    let mut last = 0usize;
    while let Some(h) = bytes.get(at..at + 5) {
        let len = usize::from(u16::from_be_bytes([
            h.get(3).copied().unwrap_or(0),
            h.get(4).copied().unwrap_or(0),
        ]));
        last = 5 + len;
        at += last;
    }
    last
}

/// `tls-to-broker`: mutual TLS to the broker, no envelope.
pub fn run_tls(backend: &'static Backend) -> Result<Run, EnvelopeError> {
    let stack = stack_for(backend)?;
    let o = execute(stack)?;
    let rows = vec![
        row(
            "wire-reads",
            "An eavesdropper on the wire cannot read messages",
            "capture both hops of s1's message to r1 and search it for the payload",
            YesIf::Rejected,
            o.wire_reads,
        ),
        row(
            "wire-injects",
            "An outsider cannot inject a message",
            "write a frame claiming s1 into the broker-to-r1 stream",
            YesIf::Rejected,
            o.wire_injects,
        ),
        row(
            "wire-tampers",
            "An outsider cannot alter a message",
            "flip one bit of s1's record on its way to the broker",
            YesIf::Rejected,
            o.wire_tampers,
        ),
        row(
            "wire-replays",
            "An outsider cannot replay a message",
            "re-send s1's captured record on its connection",
            YesIf::Rejected,
            o.wire_replays,
        ),
        row(
            "foreign-ca",
            "A client without a certificate from the deployment's CA is refused",
            "mallory connects to the broker with a certificate from her own CA",
            YesIf::Rejected,
            o.foreign_ca,
        ),
        row(
            "broker-reads",
            "The broker (or whoever owns it) can read every message",
            "the broker process reads the frames it relays",
            YesIf::Succeeded,
            o.broker_reads,
        ),
        row(
            "broker-forges",
            "The broker can forge a message from any node",
            "the broker writes a frame claiming s1 to r1's connection",
            YesIf::Succeeded,
            o.broker_forges,
        ),
        row(
            "other-role-forges",
            "A compromised node can send a method reserved to another role",
            "compromised o1 (valid certificate, role other) publishes the method to r1 claiming s1",
            YesIf::Succeeded,
            o.other_role_forges,
        ),
        row(
            "receiver-forges",
            "A compromised receiver can send as the sender",
            "compromised r1 publishes the method to r2 claiming s1",
            YesIf::Succeeded,
            o.receiver_forges,
        ),
        row(
            "peer-reads",
            "A compromised receiver can read another receiver's messages",
            "compromised r2 waits on its connection for s1's message to r1 (the broker routes by certificate)",
            YesIf::Succeeded,
            o.peer_reads,
        ),
        row(
            "broker-redirects",
            "The broker can deliver a message to a node it was not sent to",
            "the broker delivers s1's message for r1 to r2",
            YesIf::Succeeded,
            o.broker_redirects,
        ),
        row(
            "broker-reflects",
            "The broker can reflect a message to its sender",
            "the broker delivers s1's message back to s1",
            YesIf::Succeeded,
            o.broker_reflects,
        ),
        row(
            "peer-identity",
            "The receiver sees the original sender's TLS identity",
            "r1 asks its TLS session who its peer is",
            YesIf::Succeeded,
            o.peer_identity,
        ),
    ];
    Ok(Run {
        algorithms: vec![format!(
            "TLS 1.3 via {stack}: X25519, Ed25519 certificates from the run's CA, client certificates required, AES-128-GCM records"
        )],
        rows,
    })
}

/// Envelope keys and receivers of one (mode) deployment over the bus.
struct Envelopes {
    mode: Mode,
    backend: &'static Backend,
    clock: std::sync::Arc<ManualClock>,
    /// Each node's signing key (private) and, for receivers, key-agreement key.
    keys: Vec<(&'static str, KeyEntry, Option<KeyEntry>)>,
}

impl Envelopes {
    fn new(backend: &'static Backend, mode: Mode) -> Result<Self, EnvelopeError> {
        let mut keys = Vec::new();
        for (node, role) in NODES {
            let sign = generate(KeyAlg::Sign(SignatureId::Ed25519), node.as_bytes(), role)?;
            let enc = if role == RECEIVER {
                Some(generate(
                    KeyAlg::EcdhEs(KeyAgreementId::X25519),
                    format!("{node}-enc").as_bytes(),
                    role,
                )?)
            } else {
                None
            };
            keys.push((node, sign, enc));
        }
        Ok(Self {
            mode,
            backend,
            clock: std::sync::Arc::new(ManualClock::new(NOW)),
            keys,
        })
    }

    fn keys_of(&self, node: &str) -> Option<&(&'static str, KeyEntry, Option<KeyEntry>)> {
        self.keys.iter().find(|k| k.0 == node)
    }

    /// `node`'s receiver: its own keys private, everyone else's public.
    fn opener(&self, node: &str) -> Result<Opener, EnvelopeError> {
        let mut entries = Vec::new();
        for (n, sign, enc) in &self.keys {
            for e in std::iter::once(sign).chain(enc.iter()) {
                entries.push(if *n == node {
                    e.clone()
                } else {
                    public_only(e)
                });
            }
        }
        let store = TrustStore {
            entries,
            policy: Policy::default()
                .allow(SENDER, &[METHOD])
                .allow(RECEIVER, &["receiver_method"])
                .allow(OTHER, &["other_method"]),
            node: Some(NodeId {
                kid: node.as_bytes().to_vec(),
                role: role_of(node).unwrap_or(OTHER).to_string(),
            }),
        };
        let options = OpenOptions {
            window_s: WINDOW_S,
            ..OpenOptions::default()
        };
        Opener::new(self.backend, &store, options, self.clock.clone())
    }

    /// Seals `payload` with `key` as issuer `issuer`, to `to`.
    fn seal(
        &self,
        key: &KeyEntry,
        issuer: &str,
        to: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, EnvelopeError> {
        let recipient: Vec<KeyEntry> = match self.mode {
            Mode::SignEncrypt => self
                .keys_of(to)
                .and_then(|k| k.2.as_ref())
                .map(public_only)
                .into_iter()
                .collect(),
            _ => Vec::new(),
        };
        let refs: Vec<&KeyEntry> = recipient.iter().collect();
        let config = SealConfig {
            mode: self.mode,
            sender: Some(key),
            identity: Identity::Kid,
            recipients: &refs,
            content: AeadId::Aes128Gcm,
            cek_reuse: 1,
        };
        let mut sealer = Sealer::new(self.backend, &config, self.clock.clone(), None)?
            .with_issuer(issuer.as_bytes())?
            .with_audience(&Audience::Kids(vec![to.as_bytes().to_vec()]))?;
        let mut msg = MessageBuf::new();
        sealer.seal_payload(payload, METHOD, &mut msg)?;
        Ok(msg.wire().to_vec())
    }

    /// What `holder` (with `key`) can send `to` claiming to be s1: under its own kid and
    /// under s1's.
    fn forgeries(
        &self,
        key: &KeyEntry,
        holder: &str,
        to: &str,
    ) -> Result<Vec<Vec<u8>>, EnvelopeError> {
        let s1 = self
            .keys_of("s1")
            .map(|k| public_only(&k.1))
            .ok_or(EnvelopeError::Config("no s1"))?;
        let mut out = vec![self.seal(key, holder, to, FORGED)?];
        out.push(self.seal(&claiming(&s1, key), "s1", to, FORGED)?);
        Ok(out)
    }
}

/// Delivers each body to `to` through the bus (published by `from`, or written by the
/// broker) and opens what arrives with `receiver`: the first acceptance, else the first
/// rejection.
fn through_bus(
    bus: &mut Bus,
    from: Option<&str>,
    to: &str,
    bodies: &[Vec<u8>],
    receiver: &mut Opener,
) -> Result<Outcome, EnvelopeError> {
    let mut first = None;
    for body in bodies {
        let frame = Frame {
            to: to.into(),
            from: "s1".into(),
            method: METHOD.into(),
            body: body.clone(),
        };
        match from {
            Some(node) => bus.publish(node, &frame)?,
            None => bus.broker_sends(to, &frame)?,
        }
        bus.pump().map_err(tls_error)?;
        for f in bus.take(to) {
            let o = try_open(receiver, &f.body);
            if o.succeeded() {
                return Ok(o);
            }
            first.get_or_insert(o);
        }
    }
    Ok(first.unwrap_or(Outcome::Rejected {
        kind: "not-delivered",
    }))
}

/// The envelope attacks on one mode through the TLS bus.
struct EnvelopeOutcomes {
    broker_reads: Outcome,
    broker_forges: Outcome,
    other_role_forges: Outcome,
    receiver_forges: Outcome,
    broker_redirects: Outcome,
    broker_reflects: Outcome,
    broker_replays: Outcome,
}

fn execute_envelope(
    backend: &'static Backend,
    stack: Stack,
    mode: Mode,
) -> Result<EnvelopeOutcomes, EnvelopeError> {
    let env = Envelopes::new(backend, mode)?;
    let mut bus = Bus::new(stack)?;
    let key = |n: &str| {
        env.keys_of(n)
            .map(|k| k.1.clone())
            .ok_or(EnvelopeError::Config("no key"))
    };
    let mut r1 = env.opener("r1")?;
    let mut r2 = env.opener("r2")?;
    let mut s1 = env.opener("s1")?;
    // Baseline, and the captured message the broker reuses.
    let sealed = env.seal(&key("s1")?, "s1", "r1", SECRET)?;
    let base = through_bus(
        &mut bus,
        Some("s1"),
        "r1",
        std::slice::from_ref(&sealed),
        &mut r1,
    )?;
    if base.kind() == Some("unsupported") {
        // e.g. ring, which cannot load a static ECDH private key for the receiver.
        return Err(EnvelopeError::Unsupported(crate::backend::Unsupported(
            "this backend cannot open the envelope the TLS + envelope preset uses",
        )));
    }
    if !base.succeeded() {
        return Err(EnvelopeError::Config(
            "TLS + envelope baseline: r1 refused s1's message",
        ));
    }
    let mut broker_view = Opener::new(
        backend,
        &TrustStore {
            entries: Vec::new(),
            policy: Policy::default().allow("eavesdropper", &["*"]),
            node: None,
        },
        OpenOptions {
            accept_no_audience: true,
            ..OpenOptions::default()
        },
        env.clock.clone(),
    )?;
    let broker_reads = try_read(&mut broker_view, &sealed, SECRET);
    let broker_key = generate(KeyAlg::Sign(SignatureId::Ed25519), b"broker", SENDER)?;
    let bodies = env.forgeries(&broker_key, "broker", "r1")?;
    let broker_forges = through_bus(&mut bus, None, "r1", &bodies, &mut r1)?;
    let bodies = env.forgeries(&key("o1")?, "o1", "r1")?;
    let other_role_forges = through_bus(&mut bus, Some("o1"), "r1", &bodies, &mut r1)?;
    let bodies = env.forgeries(&key("r1")?, "r1", "r2")?;
    let receiver_forges = through_bus(&mut bus, Some("r1"), "r2", &bodies, &mut r2)?;
    let one = std::slice::from_ref(&sealed);
    let broker_redirects = through_bus(&mut bus, None, "r2", one, &mut r2)?;
    let broker_reflects = through_bus(&mut bus, None, "s1", one, &mut s1)?;
    let broker_replays = through_bus(&mut bus, None, "r1", one, &mut r1)?;
    Ok(EnvelopeOutcomes {
        broker_reads,
        broker_forges,
        other_role_forges,
        receiver_forges,
        broker_redirects,
        broker_reflects,
        broker_replays,
    })
}

/// `tls+envelope`: the same TLS deployment with Sign1 or sign-encrypt inside, every message
/// addressed (`aud`) and naming its issuer. Rows: the attacks TLS alone lets through, per
/// mode; "no" where the envelope closes them.
pub fn run_tls_envelope(backend: &'static Backend) -> Result<Run, EnvelopeError> {
    let stack = stack_for(backend)?;
    let mut rows = Vec::new();
    let tls = execute(stack)?;
    rows.push(row(
        "tls/broker-reads",
        "TLS only: the broker can read every message",
        "the broker process reads the frames it relays",
        YesIf::Succeeded,
        tls.broker_reads,
    ));
    rows.push(row(
        "tls/broker-forges",
        "TLS only: the broker can forge a message from any node",
        "the broker writes a frame claiming s1 to r1's connection",
        YesIf::Succeeded,
        tls.broker_forges,
    ));
    rows.push(row(
        "tls/other-role-forges",
        "TLS only: a compromised node can send a method reserved to another role",
        "compromised o1 publishes the method to r1 claiming s1",
        YesIf::Succeeded,
        tls.other_role_forges,
    ));
    for (mode, label) in [(Mode::Sign1, "sign1"), (Mode::SignEncrypt, "sign-encrypt")] {
        let o = execute_envelope(backend, stack, mode)?;
        let id = |a: &str| -> &'static str {
            match (label, a) {
                ("sign1", "reads") => "sign1/broker-reads",
                ("sign1", "forges") => "sign1/broker-forges",
                ("sign1", "other") => "sign1/other-role-forges",
                ("sign1", "receiver") => "sign1/receiver-forges",
                ("sign1", "redirects") => "sign1/broker-redirects",
                ("sign1", "reflects") => "sign1/broker-reflects",
                ("sign1", "replays") => "sign1/broker-replays",
                (_, "reads") => "sign-encrypt/broker-reads",
                (_, "forges") => "sign-encrypt/broker-forges",
                (_, "other") => "sign-encrypt/other-role-forges",
                (_, "receiver") => "sign-encrypt/receiver-forges",
                (_, "redirects") => "sign-encrypt/broker-redirects",
                (_, "reflects") => "sign-encrypt/broker-reflects",
                _ => "sign-encrypt/broker-replays",
            }
        };
        let cap = |s1: &'static str, se: &'static str| if mode == Mode::Sign1 { s1 } else { se };
        rows.push(row(
            id("reads"),
            cap(
                "TLS + Sign1: the broker can read every message",
                "TLS + sign-encrypt: the broker can read every message",
            ),
            "the broker reads s1's envelope with no keys of the class",
            YesIf::Succeeded,
            o.broker_reads,
        ));
        rows.push(row(id("forges"), cap("TLS + Sign1: the broker can forge a message from any node", "TLS + sign-encrypt: the broker can forge a message from any node"), "the broker signs the method with its own key, under its kid and under s1's, and writes it to r1's connection", YesIf::Succeeded, o.broker_forges));
        rows.push(row(id("other"), cap("TLS + Sign1: a compromised node can send a method reserved to another role", "TLS + sign-encrypt: a compromised node can send a method reserved to another role"), "compromised o1 signs the method with its key, as itself and as s1, and publishes it to r1", YesIf::Succeeded, o.other_role_forges));
        rows.push(row(id("receiver"), cap("TLS + Sign1: a compromised receiver can send as the sender", "TLS + sign-encrypt: a compromised receiver can send as the sender"), "compromised r1 signs the method with its key, as itself and as s1, and publishes it to r2", YesIf::Succeeded, o.receiver_forges));
        rows.push(row(
            id("redirects"),
            cap(
                "TLS + Sign1: the broker can deliver a message to a node it was not sent to",
                "TLS + sign-encrypt: the broker can deliver a message to a node it was not sent to",
            ),
            "the broker delivers s1's envelope for r1 to r2",
            YesIf::Succeeded,
            o.broker_redirects,
        ));
        rows.push(row(
            id("reflects"),
            cap(
                "TLS + Sign1: the broker can reflect a message to its sender",
                "TLS + sign-encrypt: the broker can reflect a message to its sender",
            ),
            "the broker delivers s1's envelope back to s1",
            YesIf::Succeeded,
            o.broker_reflects,
        ));
        rows.push(row(
            id("replays"),
            cap(
                "TLS + Sign1: the broker can replay a message",
                "TLS + sign-encrypt: the broker can replay a message",
            ),
            "the broker delivers s1's envelope to r1 a second time",
            YesIf::Succeeded,
            o.broker_replays,
        ));
    }
    Ok(Run {
        algorithms: vec![
            format!(
                "TLS 1.3 via {stack}: X25519, Ed25519 certificates, client certificates required, AES-128-GCM records"
            ),
            format!(
                "envelopes on {}: Sign1 (Ed25519), sign-encrypt (Ed25519 + ECDH-ES X25519 + A128GCM), with aud and iss",
                backend.name
            ),
        ],
        rows,
    })
}

/// The TLS attacks, executed once per process (every judgement reads the same execution).
fn executed() -> Result<&'static ChannelOutcomes, EnvelopeError> {
    static ONCE: std::sync::OnceLock<Result<ChannelOutcomes, EnvelopeError>> =
        std::sync::OnceLock::new();
    let stack = Stack::ALL
        .iter()
        .copied()
        .find(|s| s.backend().is_some())
        .ok_or(EnvelopeError::Unsupported(Unsupported(
            "no TLS stack compiled in",
        )))?;
    ONCE.get_or_init(|| execute(stack))
        .as_ref()
        .map_err(Clone::clone)
}

/// The first of `outcomes` that succeeded, else the first.
fn worst(outcomes: &[&Outcome]) -> Outcome {
    outcomes
        .iter()
        .find(|o| o.succeeded())
        .or(outcomes.first())
        .map_or(Outcome::Rejected { kind: "not-run" }, |o| (*o).clone())
}

/// The verdicts `sealbench decide` judges a class carried over mutual TLS to the broker
/// by: with `envelope` (the keyscope verdicts of the scheme inside), or TLS alone.
///
/// Attacks on the wire are the TLS sessions' (executed here: injected, tampered and
/// replayed records, a client from another CA, a capture searched for the payload). With
/// `broker_trusted = false` the broker is outside the trusted base, so the outsider,
/// cross-node replay and reflection attacks include the broker's own (executed here: it
/// reads, forges, redirects and reflects frames). Inside TLS the broker holds no envelope
/// keys, which is exactly the keyscope outsider, so with an envelope its attacks are the
/// envelope's verdicts. A compromised node holds a valid certificate: TLS admits it, and
/// only an envelope can refuse its forgeries. Reading another node's messages needs the
/// broker to deliver them, which it does only to the connection whose certificate names
/// the addressee.
pub fn channel_verdicts(
    envelope: Option<&Verdicts>,
    broadcast: bool,
    broker_trusted: bool,
) -> Result<Verdicts, EnvelopeError> {
    let o = executed()?;
    let env = |a: Attack| {
        envelope
            .and_then(|v| v.get(a))
            .and_then(|r| r.outcome.clone())
    };
    let wire_forges = worst(&[&o.wire_injects, &o.wire_tampers, &o.foreign_ca]);
    let broker = |tls_only: &Outcome, a: Attack| -> Option<Outcome> {
        if broker_trusted {
            None
        } else if envelope.is_some() {
            env(a)
        } else {
            Some(tls_only.clone())
        }
    };
    let with_broker = |wire: Outcome, b: Option<Outcome>| match b {
        Some(b) => worst(&[&wire, &b]),
        None => wire,
    };
    let node = |tls_only: &Outcome, a: Attack| match envelope {
        Some(_) => env(a).unwrap_or(Outcome::Rejected { kind: "not-run" }),
        None => tls_only.clone(),
    };
    // TLS delivers another node's messages only to the addressee; the envelope must also
    // give way for a read to succeed.
    let read = |tls_only: &Outcome, a: Attack| match (tls_only.succeeded(), envelope) {
        (true, Some(_)) => env(a).unwrap_or_else(|| tls_only.clone()),
        _ => tls_only.clone(),
    };
    let unicast = |o: Outcome| (!broadcast).then_some(o);
    let trusted = |t: &'static str, u: &'static str| if broker_trusted { t } else { u };
    let results = [
        (
            Attack::OutsiderForges,
            trusted(
                "on the wire: a frame injected into r1's TLS stream, a record of s1's tampered, a client with another CA's certificate",
                "on the wire: injected, tampered, foreign-CA client; and the untrusted broker writing the method to r1 claiming s1 (inside TLS: the envelope outsider's forgeries)",
            ),
            Some(with_broker(
                wire_forges,
                broker(&o.broker_forges, Attack::OutsiderForges),
            )),
        ),
        (
            Attack::OutsiderReads,
            trusted(
                "an eavesdropper captures both TLS hops of s1's message and searches them for the payload",
                "an eavesdropper captures both TLS hops; and the untrusted broker reads what it relays (inside TLS: the envelope outsider's read)",
            ),
            Some(with_broker(
                o.wire_reads.clone(),
                broker(&o.broker_reads, Attack::OutsiderReads),
            )),
        ),
        (
            Attack::ReceiverForges,
            "compromised r1 (valid certificate) publishes the method to r2 claiming s1 (with an envelope: the envelope's receiver-forges)",
            Some(node(&o.receiver_forges, Attack::ReceiverForges)),
        ),
        (
            Attack::OtherRoleForges,
            "compromised o1 (valid certificate, another role) publishes the method to r1 claiming s1; r1's only TLS peer is the broker (with an envelope: the envelope's other-role-forges)",
            Some(node(&o.other_role_forges, Attack::OtherRoleForges)),
        ),
        (
            Attack::PeerReads,
            "compromised r2 waits on its TLS connection for s1's message to r1 (the broker routes by certificate)",
            if broadcast {
                None
            } else {
                Some(read(&o.peer_reads, Attack::PeerReads))
            },
        ),
        (
            Attack::OtherRoleReads,
            "compromised o1 waits on its TLS connection for s1's message to r1 (the broker routes by certificate)",
            Some(read(&o.other_reads, Attack::OtherRoleReads)),
        ),
        (
            Attack::CrossNodeReplay,
            trusted(
                "s1's captured record re-sent on the wire (refused by TLS)",
                "s1's captured record re-sent on the wire; and the untrusted broker delivering s1's message for r1 to r2 (inside TLS: the envelope's cross-node replay)",
            ),
            unicast(with_broker(
                o.wire_replays.clone(),
                broker(&o.broker_redirects, Attack::CrossNodeReplay),
            )),
        ),
        (
            Attack::Reflection,
            trusted(
                "s1's captured record re-sent on the wire (refused by TLS)",
                "s1's captured record re-sent on the wire; and the untrusted broker delivering s1's message back to s1 (inside TLS: the envelope's reflection)",
            ),
            Some(with_broker(
                o.wire_replays.clone(),
                broker(&o.broker_reflects, Attack::Reflection),
            )),
        ),
    ];
    let scheme = envelope.map_or(Scheme::PLAIN, |v| v.scheme);
    let inner = envelope.map_or(String::new(), |v| {
        format!(" + {} ({})", v.scheme.label(), v.algorithms)
    });
    Ok(Verdicts {
        scheme,
        broadcast,
        backend: envelope.map_or("rustls", |v| v.backend),
        algorithms: format!(
            "mutual TLS 1.3 to the broker{}{inner}",
            if broker_trusted {
                " (broker trusted)"
            } else {
                " (broker untrusted)"
            }
        ),
        attacks: results
            .into_iter()
            .map(|(attack, executed, outcome)| AttackResult {
                attack,
                executed,
                outcome,
            })
            .collect(),
    })
}
