//! One traffic class deployed with one (mode, key scope), attacked for `sealbench decide`.
//!
//! The deployment: two senders of the class's role (`s1`, `s2`), two receivers (`r1`,
//! `r2`), a node of another role (`o1`, which talks to the receivers in some other class)
//! and an outsider (`mallory`, with keys of her own that nobody trusts). Every node has a
//! `[node]` identity and a trust store holding exactly the keys its scope gives it; every
//! node runs the same policy: the sender role may call the class's method, the receiver
//! and other roles only their own methods. Each message names its audience (the receiver
//! by kid, or the receiver role for a broadcast) and its issuer (the sending node).
//!
//! Key scopes:
//! - `none` (plain): entries marked legacy, plain accepted from them; nothing is checked.
//! - `group`: one symmetric key for the class, held by its senders and receivers and filed
//!   under the sender role; `o1` shares another group key with the receivers.
//! - `pairwise`: one symmetric key per (sender, receiver) pair, filed at the receiver under
//!   the sender role and at the sender under the receiver role; `o1` has pair keys with
//!   the receivers too. A broadcast is sealed once per receiver.
//! - `per-sender`: every node signs with its own key pair; everyone holds everyone's public
//!   keys (Sign1), plus every node's key-agreement key (sign-encrypt).
//! - `hybrid`: COSE_Encrypt to the receivers' public keys; the sender is anonymous, so the
//!   anonymous role must be allowed the method or the class would not work at all.
//!
//! Every attack is real seal and open calls on one backend; its [`Outcome`] is the verdict.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use serde::Serialize;

use crate::backend::{AeadId, Backend, Error as BackendError, KeyAgreementId, SignatureId};
use crate::envelope::audience::Audience;
use crate::envelope::fixtures::{generate, public_only};
use crate::envelope::keys::{ANONYMOUS_ROLE, KeyMaterial, NodeId};
use crate::envelope::{
    EnvelopeError, Identity, KeyAlg, KeyEntry, MessageBuf, Mode, OpenOptions, Opener, Policy,
    SealConfig, Sealer, TrustStore,
};

use super::harness::{Net, Outcome, WINDOW_S, claiming, try_open, try_open_each, try_read};

/// How a class's keys are shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyScope {
    /// No keys (plain).
    None,
    /// One symmetric key shared by the class's senders and receivers.
    Group,
    /// One symmetric key per sender-receiver pair.
    Pairwise,
    /// Each sender signs with its own key pair.
    PerSender,
    /// Encryption to the receivers' public keys; the sender is not authenticated.
    Hybrid,
}

impl KeyScope {
    /// Label for tables.
    pub const fn label(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Group => "group",
            Self::Pairwise => "pairwise",
            Self::PerSender => "per-sender",
            Self::Hybrid => "hybrid",
        }
    }
}

/// A class's protection: an envelope mode with a key scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Scheme {
    /// Envelope mode.
    pub mode: Mode,
    /// Key scope.
    pub key_scope: KeyScope,
}

impl Scheme {
    /// Plain framing.
    pub const PLAIN: Self = Self::new(Mode::Plain, KeyScope::None);
    /// Every (mode, scope) pair that makes sense, in report order.
    pub const ALL: &'static [Scheme] = &[
        Self::PLAIN,
        Self::new(Mode::Mac0, KeyScope::Group),
        Self::new(Mode::Mac0, KeyScope::Pairwise),
        Self::new(Mode::Encrypt0, KeyScope::Group),
        Self::new(Mode::Encrypt0, KeyScope::Pairwise),
        Self::new(Mode::Sign1, KeyScope::PerSender),
        Self::new(Mode::SignEncrypt, KeyScope::PerSender),
        Self::new(Mode::Encrypt, KeyScope::Hybrid),
    ];

    /// A scheme.
    pub const fn new(mode: Mode, key_scope: KeyScope) -> Self {
        Self { mode, key_scope }
    }

    /// `mode/scope`, e.g. `encrypt0/pairwise`.
    pub fn label(&self) -> String {
        format!("{}/{}", self.mode.label(), self.key_scope.label())
    }
}

/// An attack executed against a deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attack {
    /// An outsider with keys nobody trusts sends the class's method to a receiver.
    OutsiderForges,
    /// An eavesdropper with no keys reads a captured message.
    OutsiderReads,
    /// A compromised receiver sends the method to another receiver as the class's sender.
    ReceiverForges,
    /// A compromised node of another role sends the method to a receiver.
    OtherRoleForges,
    /// A compromised receiver reads a unicast message addressed to another receiver.
    PeerReads,
    /// A compromised node of another role reads the class's messages.
    OtherRoleReads,
    /// A captured unicast message is delivered to a receiver it was not addressed to.
    CrossNodeReplay,
    /// A captured message is delivered back to the node that sent it.
    Reflection,
}

impl Attack {
    /// Every attack, in report order.
    pub const ALL: &'static [Attack] = &[
        Self::OutsiderForges,
        Self::OutsiderReads,
        Self::ReceiverForges,
        Self::OtherRoleForges,
        Self::PeerReads,
        Self::OtherRoleReads,
        Self::CrossNodeReplay,
        Self::Reflection,
    ];

    /// Stable id.
    pub const fn id(self) -> &'static str {
        match self {
            Self::OutsiderForges => "outsider-forges",
            Self::OutsiderReads => "outsider-reads",
            Self::ReceiverForges => "receiver-forges",
            Self::OtherRoleForges => "other-role-forges",
            Self::PeerReads => "peer-reads",
            Self::OtherRoleReads => "other-role-reads",
            Self::CrossNodeReplay => "cross-node-replay",
            Self::Reflection => "reflection",
        }
    }

    /// What was executed.
    pub const fn description(self, broadcast: bool) -> &'static str {
        match (self, broadcast) {
            (Self::OutsiderForges, _) => {
                "mallory seals the method with her own key, under her kid and under s1's, to r1"
            }
            (Self::OutsiderReads, _) => "an eavesdropper with no keys reads s1's captured message",
            (Self::ReceiverForges, _) => {
                "compromised r1 seals the method to r2 with every key it holds, as itself and as s1"
            }
            (Self::OtherRoleForges, _) => {
                "compromised o1 (another role) seals the method to r1 with every key it holds"
            }
            (Self::PeerReads, false) => {
                "compromised r2 reads s1's message to r1 with its own keys, posing as r1"
            }
            (Self::PeerReads, true) => "not applicable: every receiver is addressed",
            (Self::OtherRoleReads, _) => {
                "compromised o1 (another role) reads s1's message with its own keys, posing as r1"
            }
            (Self::CrossNodeReplay, false) => "s1's captured message to r1 is delivered to r2",
            (Self::CrossNodeReplay, true) => "not applicable: every receiver is addressed",
            (Self::Reflection, _) => "s1's captured message is delivered back to s1",
        }
    }
}

/// One executed attack.
#[derive(Debug, Clone, Serialize)]
pub struct AttackResult {
    /// Which attack.
    pub attack: Attack,
    /// What was executed.
    pub executed: &'static str,
    /// What happened; `None` when the attack does not apply to this delivery.
    pub outcome: Option<Outcome>,
}

impl AttackResult {
    /// Whether the attacker got what it tried for.
    pub fn succeeded(&self) -> bool {
        self.outcome.as_ref().is_some_and(Outcome::succeeded)
    }
}

/// Every attack on one (scheme, delivery) deployment.
#[derive(Debug, Clone, Serialize)]
pub struct Verdicts {
    /// The scheme deployed.
    pub scheme: Scheme,
    /// Broadcast (one message to every receiver) or unicast.
    pub broadcast: bool,
    /// Backend the deployment ran on.
    pub backend: &'static str,
    /// Algorithms used.
    pub algorithms: String,
    /// One result per attack, in [`Attack::ALL`] order.
    pub attacks: Vec<AttackResult>,
}

impl Verdicts {
    /// The result of `attack`.
    pub fn get(&self, attack: Attack) -> Option<&AttackResult> {
        self.attacks.iter().find(|a| a.attack == attack)
    }
}

const METHOD: &str = "class_method";
const SENDER: &str = "sender";
const RECEIVER: &str = "receiver";
const OTHER: &str = "other";
const NODES: [(&str, &str); 5] = [
    ("s1", SENDER),
    ("s2", SENDER),
    ("r1", RECEIVER),
    ("r2", RECEIVER),
    ("o1", OTHER),
];

/// One node: identity, the keys it holds (its trust store) and its sealing keys.
struct Node {
    name: &'static str,
    store: TrustStore,
}

struct Deployment {
    net: Net,
    scheme: Scheme,
    sig: SignatureId,
    enc: KeyAlg,
    nodes: Vec<Node>,
    mallory: Vec<KeyEntry>,
}

fn key_alg(scheme: Scheme, sig: SignatureId) -> KeyAlg {
    match scheme.mode {
        Mode::Mac0 | Mode::Plain => KeyAlg::Hmac256,
        Mode::Encrypt0 => KeyAlg::Aead(AeadId::Aes128Gcm),
        Mode::Sign1 | Mode::SignEncrypt | Mode::Encrypt => KeyAlg::Sign(sig),
    }
}

/// Ed25519 (or ES256) signatures; X25519 (or RSA-OAEP) for a static recipient key.
fn algorithms(b: &Backend) -> Result<(SignatureId, KeyAlg), EnvelopeError> {
    let sig = [SignatureId::Ed25519, SignatureId::EcdsaP256Sha256]
        .into_iter()
        .find(|&id| (b.signature)(id).is_ok())
        .ok_or(EnvelopeError::Config(
            "backend has neither Ed25519 nor ES256",
        ))?;
    let x25519 = (b.key_agreement)(KeyAgreementId::X25519)
        .map_err(BackendError::from)
        .and_then(|ka| ka.private_key(&[0x42; 32]));
    let enc = match x25519 {
        Ok(_) => KeyAlg::EcdhEs(KeyAgreementId::X25519),
        Err(_) => KeyAlg::RsaOaep256,
    };
    Ok((sig, enc))
}

/// A receiver's key-agreement (unicast) or RSA-OAEP (broadcast: several recipients need
/// key transport) key pair, generated once per process (RSA key generation is slow).
fn recipient_key(enc: KeyAlg, name: &str, broadcast: bool) -> Result<KeyEntry, EnvelopeError> {
    type Keys = Mutex<HashMap<(String, bool), KeyEntry>>;
    static KEYS: OnceLock<Keys> = OnceLock::new();
    let keys = KEYS.get_or_init(|| Mutex::new(HashMap::new()));
    let id = (name.to_string(), broadcast);
    if let Some(k) = keys.lock().unwrap_or_else(|e| e.into_inner()).get(&id) {
        return Ok(k.clone());
    }
    let alg = if broadcast { KeyAlg::RsaOaep256 } else { enc };
    let k = generate(alg, format!("{name}-enc").as_bytes(), RECEIVER)?;
    keys.lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id, k.clone());
    Ok(k)
}

fn policy(scheme: Scheme) -> Policy {
    let p = Policy::default()
        .allow(SENDER, &[METHOD])
        .allow(RECEIVER, &["receiver_method"])
        .allow(OTHER, &["other_method"]);
    if scheme.key_scope == KeyScope::Hybrid {
        p.allow(ANONYMOUS_ROLE, &[METHOD])
    } else {
        p
    }
}

fn with_role(e: &KeyEntry, role: &str) -> KeyEntry {
    KeyEntry {
        role: role.to_string(),
        ..e.clone()
    }
}

impl Deployment {
    fn new(
        backend: &'static Backend,
        scheme: Scheme,
        broadcast: bool,
    ) -> Result<Self, EnvelopeError> {
        let (sig, enc) = algorithms(backend)?;
        let alg = key_alg(scheme, sig);
        let mut stores: Vec<Vec<KeyEntry>> = vec![Vec::new(); NODES.len()];
        let idx = |n: &str| NODES.iter().position(|(m, _)| *m == n).unwrap_or(0);
        let mut push = |node: &str, e: KeyEntry| {
            if let Some(s) = stores.get_mut(idx(node)) {
                s.push(e);
            }
        };
        let mut mallory = Vec::new();
        match scheme.key_scope {
            KeyScope::None => {
                for (name, role) in NODES {
                    let mut e = generate(KeyAlg::Hmac256, name.as_bytes(), role)?;
                    e.legacy = true;
                    for (holder, _) in NODES {
                        push(holder, e.clone());
                    }
                }
                mallory.push(generate(KeyAlg::Hmac256, b"mallory", SENDER)?);
            }
            KeyScope::Group => {
                let class = generate(alg, b"group", SENDER)?;
                let other = generate(alg, b"other-group", OTHER)?;
                for n in ["s1", "s2", "r1", "r2"] {
                    push(n, class.clone());
                }
                for n in ["o1", "r1", "r2"] {
                    push(n, other.clone());
                }
                mallory.push(generate(alg, b"mallory", SENDER)?);
            }
            KeyScope::Pairwise => {
                for a in ["s1", "s2", "o1"] {
                    let role = NODES.get(idx(a)).map_or(SENDER, |n| n.1);
                    for r in ["r1", "r2"] {
                        let k = generate(alg, format!("{a}:{r}").as_bytes(), role)?;
                        push(r, k.clone());
                        push(a, with_role(&k, RECEIVER));
                    }
                }
                mallory.push(generate(alg, b"mallory:r1", SENDER)?);
            }
            KeyScope::PerSender | KeyScope::Hybrid => {
                for (name, role) in NODES {
                    let mut own = Vec::new();
                    if scheme.key_scope == KeyScope::PerSender {
                        own.push(generate(KeyAlg::Sign(sig), name.as_bytes(), role)?);
                    }
                    if scheme.mode.hybrid() && role == RECEIVER {
                        own.push(recipient_key(enc, name, broadcast)?);
                    }
                    for e in own {
                        for (holder, _) in NODES {
                            let copy = if holder == name {
                                e.clone()
                            } else {
                                public_only(&e)
                            };
                            push(holder, copy);
                        }
                    }
                }
                mallory.push(generate(KeyAlg::Sign(sig), b"mallory", SENDER)?);
            }
        }
        let nodes = NODES
            .iter()
            .zip(stores)
            .map(|(&(name, role), entries)| Node {
                name,
                store: TrustStore {
                    entries,
                    policy: policy(scheme),
                    node: Some(NodeId {
                        kid: name.as_bytes().to_vec(),
                        role: role.to_string(),
                    }),
                },
            })
            .collect();
        Ok(Self {
            net: Net::new(backend),
            scheme,
            sig,
            enc: if broadcast { KeyAlg::RsaOaep256 } else { enc },
            nodes,
            mallory,
        })
    }

    fn node(&self, name: &str) -> Result<&Node, EnvelopeError> {
        self.nodes
            .iter()
            .find(|n| n.name == name)
            .ok_or(EnvelopeError::Config("no such node"))
    }

    fn opener(&self, name: &str) -> Result<Opener, EnvelopeError> {
        let options = OpenOptions {
            window_s: WINDOW_S,
            accept_plain_from_legacy: self.scheme.key_scope == KeyScope::None,
            ..OpenOptions::default()
        };
        self.net.node_with(&self.node(name)?.store, options)
    }

    /// Compromised `name` reading a message addressed to `victim`: its software is the
    /// attacker's, so it opens with its own keys while claiming the victim's identity.
    fn thief(&self, name: &str, victim: &str) -> Result<Opener, EnvelopeError> {
        let mut store = self.node(name)?.store.clone();
        store.node = Some(NodeId {
            kid: victim.as_bytes().to_vec(),
            role: RECEIVER.to_string(),
        });
        let options = OpenOptions {
            window_s: WINDOW_S,
            accept_plain_from_legacy: true,
            ..OpenOptions::default()
        };
        self.net.node_with(&store, options)
    }

    /// The public key-agreement (or RSA) key of `to`, for hybrid modes.
    fn recipient(&self, to: &str) -> Result<KeyEntry, EnvelopeError> {
        let kid = format!("{to}-enc");
        self.node(to)?
            .store
            .get(kid.as_bytes())
            .map(public_only)
            .ok_or(EnvelopeError::Config("no recipient key"))
    }

    /// The sealing key `from` uses for the class towards `to`.
    fn class_key(&self, from: &str, to: &str) -> Result<Option<KeyEntry>, EnvelopeError> {
        let kid = match self.scheme.key_scope {
            KeyScope::None | KeyScope::PerSender => from.to_string(),
            KeyScope::Group => "group".to_string(),
            KeyScope::Pairwise => format!("{from}:{to}"),
            KeyScope::Hybrid => return Ok(None),
        };
        let key = self.node(from)?.store.get(kid.as_bytes()).cloned();
        key.map(Some)
            .ok_or(EnvelopeError::Config("sender lacks the class key"))
    }

    /// Seals the method with `key` (or anonymously) to `to`, addressed to `audience`, as
    /// issuer `issuer`.
    fn seal(
        &self,
        key: Option<&KeyEntry>,
        to: &[&str],
        audience: &Audience,
        issuer: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, EnvelopeError> {
        let recipients: Vec<KeyEntry> = if self.scheme.mode.hybrid() {
            to.iter()
                .map(|t| self.recipient(t))
                .collect::<Result<_, _>>()?
        } else {
            Vec::new()
        };
        let refs: Vec<&KeyEntry> = recipients.iter().collect();
        let config = SealConfig {
            mode: self.scheme.mode,
            sender: key,
            identity: Identity::Kid,
            recipients: &refs,
            content: AeadId::Aes128Gcm,
            cek_reuse: 1,
        };
        let mut sealer = Sealer::new(self.net.backend, &config, self.net.clock(), None)?
            .with_issuer(issuer.as_bytes())?;
        if !self.scheme.mode.hybrid() {
            sealer = sealer.with_audience(audience)?;
        }
        let mut msg = MessageBuf::new();
        sealer.seal_payload(payload, METHOD, &mut msg)?;
        Ok(msg.wire().to_vec())
    }

    /// The class's sender `from` sends to `to` (one receiver, or a broadcast): one wire
    /// per copy (pairwise broadcast: one per receiver; otherwise one).
    fn send(&self, from: &str, to: &[&str], payload: &[u8]) -> Result<Vec<Vec<u8>>, EnvelopeError> {
        let broadcast = to.len() > 1;
        if broadcast && self.scheme.key_scope == KeyScope::Pairwise {
            return to
                .iter()
                .map(|t| {
                    let key = self.class_key(from, t)?;
                    let aud = Audience::Kids(vec![t.as_bytes().to_vec()]);
                    self.seal(key.as_ref(), &[t], &aud, from, payload)
                })
                .collect();
        }
        let first = to.first().copied().unwrap_or("r1");
        let key = self.class_key(from, first)?;
        let aud = if broadcast {
            Audience::Role(RECEIVER.to_string())
        } else {
            Audience::Kids(to.iter().map(|t| t.as_bytes().to_vec()).collect())
        };
        Ok(vec![self.seal(key.as_ref(), to, &aud, from, payload)?])
    }

    /// Everything `attacker` (holding `keys`) can send `target` claiming to be the class's
    /// sender: each usable key under its own kid and under each sender kid `target` knows.
    fn forgeries(
        &self,
        keys: &[KeyEntry],
        target: &str,
        payload: &[u8],
    ) -> Result<Vec<Vec<u8>>, EnvelopeError> {
        let target_store = &self.node(target)?.store;
        let claimed: Vec<&KeyEntry> = target_store
            .entries
            .iter()
            .filter(|e| e.role == SENDER)
            .collect();
        let aud = Audience::Kids(vec![target.as_bytes().to_vec()]);
        let mut wires = Vec::new();
        let usable = keys.iter().filter(|k| match &k.material {
            KeyMaterial::Symmetric(_) => true,
            KeyMaterial::Private { .. } => matches!(k.alg, KeyAlg::Sign(_)),
            KeyMaterial::Public(_) => false,
        });
        let mut candidates: Vec<KeyEntry> = Vec::new();
        for k in usable {
            candidates.push(k.clone());
            candidates.extend(claimed.iter().map(|c| claiming(c, k)));
        }
        if self.scheme.key_scope == KeyScope::Hybrid {
            // Anonymous: nothing to claim, anyone can encrypt to a public key.
            wires.extend(self.seal(None, &[target], &aud, "s1", payload).ok());
        }
        for k in &candidates {
            // A key the mode cannot use (a signing key in a Mac0 deployment) is no attack.
            if let Ok(w) = self.seal(Some(k), &[target], &aud, "s1", payload) {
                wires.push(w);
            }
        }
        Ok(wires)
    }

    /// Keys a compromised node holds (its whole store, secrets included).
    fn keys_of(&self, name: &str) -> Result<Vec<KeyEntry>, EnvelopeError> {
        Ok(self.node(name)?.store.entries.clone())
    }
}

/// The first attempt the target accepted, or else the first rejection.
fn first_success(node: &mut Opener, wires: &[Vec<u8>]) -> Outcome {
    let mut first = None;
    for w in wires {
        let o = try_open(node, w);
        if o.succeeded() {
            return o;
        }
        first.get_or_insert(o);
    }
    first.unwrap_or(Outcome::Rejected {
        kind: "no-usable-key",
    })
}

/// Reads every copy: succeeded if any was read.
fn read_any(node: &mut Opener, wires: &[Vec<u8>], payload: &[u8]) -> Outcome {
    let mut first = None;
    for w in wires {
        let o = try_read(node, w, payload);
        if o.succeeded() {
            return o;
        }
        first.get_or_insert(o);
    }
    first.unwrap_or(Outcome::Rejected { kind: "no-message" })
}

/// Deploys `scheme` for a unicast or broadcast class on `backend` and executes every attack.
pub fn run(
    backend: &'static Backend,
    scheme: Scheme,
    broadcast: bool,
) -> Result<Verdicts, EnvelopeError> {
    let d = Deployment::new(backend, scheme, broadcast)?;
    let to: &[&str] = if broadcast { &["r1", "r2"] } else { &["r1"] };
    let text = b"s1 to the receivers: class payload with secret hunter2";
    let wires = d.send("s1", to, text)?;

    // Baseline: the deployment must work, or its verdicts mean nothing.
    for (i, r) in to.iter().enumerate() {
        let wire = if wires.len() > 1 {
            wires.get(i)
        } else {
            wires.first()
        };
        let outcome = try_open_each(&mut [d.opener(r)?], wire.map_or(&[][..], Vec::as_slice));
        if !outcome.succeeded() {
            return Err(EnvelopeError::Config(baseline_error(outcome)));
        }
    }
    let to_r1 = wires.first().cloned().unwrap_or_default();

    let forged = b"forged: run as root everywhere";
    let outsider = d.forgeries(&d.mallory, "r1", forged)?;
    let by_receiver = d.forgeries(&d.keys_of("r1")?, "r2", forged)?;
    let by_other = d.forgeries(&d.keys_of("o1")?, "r1", forged)?;

    let mut attacks = Vec::new();
    let mut push = |attack: Attack, outcome: Option<Outcome>| {
        attacks.push(AttackResult {
            attack,
            executed: attack.description(broadcast),
            outcome,
        });
    };
    push(
        Attack::OutsiderForges,
        Some(first_success(&mut d.opener("r1")?, &outsider)),
    );
    push(
        Attack::OutsiderReads,
        Some(read_any(&mut d.net.eavesdropper(false)?, &wires, text)),
    );
    push(
        Attack::ReceiverForges,
        Some(first_success(&mut d.opener("r2")?, &by_receiver)),
    );
    push(
        Attack::OtherRoleForges,
        Some(first_success(&mut d.opener("r1")?, &by_other)),
    );
    let peer = (!broadcast)
        .then(|| {
            d.thief("r2", "r1")
                .map(|mut r2| try_read(&mut r2, &to_r1, text))
        })
        .transpose()?;
    push(Attack::PeerReads, peer);
    push(
        Attack::OtherRoleReads,
        Some(read_any(&mut d.thief("o1", "r1")?, &wires, text)),
    );
    let replay = (!broadcast)
        .then(|| d.opener("r2").map(|mut r2| try_open(&mut r2, &to_r1)))
        .transpose()?;
    push(Attack::CrossNodeReplay, replay);
    push(
        Attack::Reflection,
        Some(first_success(&mut d.opener("s1")?, &wires)),
    );
    let algorithms = match scheme.mode {
        Mode::Plain => "none".to_string(),
        Mode::Mac0 | Mode::Encrypt0 => key_alg(scheme, d.sig).to_string(),
        Mode::Sign1 => KeyAlg::Sign(d.sig).to_string(),
        Mode::Encrypt => format!("{} + A128GCM", d.enc),
        Mode::SignEncrypt => format!("{} + {} + A128GCM", KeyAlg::Sign(d.sig), d.enc),
    };
    Ok(Verdicts {
        scheme,
        broadcast,
        backend: backend.name,
        algorithms,
        attacks,
    })
}

fn baseline_error(o: Outcome) -> &'static str {
    match o.kind() {
        Some("wrong-audience") => "deployment baseline refused: wrong-audience",
        Some("forbidden") => "deployment baseline refused: forbidden",
        Some("unknown-key") => "deployment baseline refused: unknown-key",
        Some("reflected") => "deployment baseline refused: reflected",
        Some("authentication") => "deployment baseline refused: authentication",
        _ => "deployment baseline: the class's own message was refused",
    }
}

/// Runs [`run`] on the first backend that can deploy `scheme`.
pub fn run_anywhere(scheme: Scheme, broadcast: bool) -> Result<Verdicts, EnvelopeError> {
    let mut last = EnvelopeError::Config("no backend compiled in");
    for &b in crate::backend::ALL_BACKENDS {
        match run(b, scheme, broadcast) {
            Ok(v) => return Ok(v),
            Err(e @ EnvelopeError::Unsupported(_)) => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}
