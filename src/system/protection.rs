//! What protects the RPC messages in a run: nothing, or one envelope mode with the key
//! scope `decide` recommends, on one backend. The nodes are one caller (`conductor-1`, role
//! `conductor`) and N servers (`compute-1` … `compute-N`, role `compute`); `call` and
//! `cast` go to `compute-1`, `fanout` to all of them.
//!
//! | protection | mode | point-to-point key | fanout key |
//! |---|---|---|---|
//! | `plain` | none (the payload as is) | — | — |
//! | `seal-all` | Encrypt0 AES-128-GCM | pairwise (caller, server) | group key of `compute` |
//! | `mac-all` | Mac0 HMAC-SHA-256 | pairwise | group key |
//! | `sign-all` | Sign1 Ed25519 | each node's key pair | the caller's key pair |
//! | `sign-encrypt` | Sign1 in COSE_Encrypt, ECDH-ES X25519 + AES-128-GCM | receiver's X25519 key | every server's X25519 key |
//!
//! Every message names its audience (`kid:compute-1`, `kid:conductor-1`, or `role:compute`
//! for a fanout) and its issuer, as the envelope requires; every receiver checks both,
//! freshness and replay on each message.

use std::sync::Arc;

use crate::backend::{AeadId, Backend, KeyAgreementId, SignatureId};
use crate::envelope::audience::Audience;
use crate::envelope::fixtures::{generate, public_only};
use crate::envelope::keys::NodeId;
use crate::envelope::{
    Identity, KeyAlg, KeyEntry, Mode, OpenOptions, Opener, Policy, SealConfig, Sealer, SystemClock,
    TrustStore,
};

use super::error::SystemError;

/// The caller's node kid and role.
pub const CALLER: &str = "conductor-1";
const CALLER_ROLE: &str = "conductor";
const SERVER_ROLE: &str = "compute";
/// The RPC method every message carries.
pub const METHOD: &str = "build_and_run_instance";

pub use crate::results::system::Protection;

/// A node of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// The caller.
    Caller,
    /// Server `i` (0-based; its kid is `compute-{i+1}`).
    Server(usize),
}

impl Node {
    fn kid(self) -> Vec<u8> {
        match self {
            Self::Caller => CALLER.as_bytes().to_vec(),
            Self::Server(i) => format!("compute-{}", i.saturating_add(1)).into_bytes(),
        }
    }

    fn role(self) -> &'static str {
        match self {
            Self::Caller => CALLER_ROLE,
            Self::Server(_) => SERVER_ROLE,
        }
    }
}

/// Where a sealer's messages go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum To {
    /// One node.
    Node(Node),
    /// Every server (fanout).
    AllServers,
}

/// The keys of every node for one protection.
pub struct Keys {
    protection: Protection,
    backend: &'static Backend,
    servers: usize,
    /// Pairwise symmetric keys, one per server (kid `pair-{i+1}`).
    pairs: Vec<KeyEntry>,
    /// The servers' group key (kid `group-compute`).
    group: Option<KeyEntry>,
    /// Signing key pairs: the caller's, then each server's.
    signers: Vec<KeyEntry>,
    /// X25519 key pairs: the caller's, then each server's.
    agreement: Vec<KeyEntry>,
}

fn new_key(alg: KeyAlg, kid: &str, role: &str) -> Result<KeyEntry, SystemError> {
    generate(alg, kid.as_bytes(), role).map_err(SystemError::envelope(format!("generating {kid}")))
}

impl Keys {
    /// Fresh keys for `servers` servers.
    pub fn new(
        protection: Protection,
        backend: &'static Backend,
        servers: usize,
    ) -> Result<Self, SystemError> {
        let mut keys = Self {
            protection,
            backend,
            servers,
            pairs: Vec::new(),
            group: None,
            signers: Vec::new(),
            agreement: Vec::new(),
        };
        let sym = match protection {
            Protection::SealAll => Some(KeyAlg::Aead(AeadId::Aes128Gcm)),
            Protection::MacAll => Some(KeyAlg::Hmac256),
            _ => None,
        };
        if let Some(alg) = sym {
            for i in 1..=servers {
                keys.pairs
                    .push(new_key(alg, &format!("pair-{i}"), CALLER_ROLE)?);
            }
            keys.group = Some(new_key(alg, "group-compute", CALLER_ROLE)?);
        }
        if matches!(protection, Protection::SignAll | Protection::SignEncrypt) {
            for node in std::iter::once(Node::Caller).chain((0..servers).map(Node::Server)) {
                let kid = format!("{}.ed25519", String::from_utf8_lossy(&node.kid()));
                keys.signers.push(new_key(
                    KeyAlg::Sign(SignatureId::Ed25519),
                    &kid,
                    node.role(),
                )?);
            }
        }
        if protection == Protection::SignEncrypt {
            for node in std::iter::once(Node::Caller).chain((0..servers).map(Node::Server)) {
                let kid = format!("{}.x25519", String::from_utf8_lossy(&node.kid()));
                keys.agreement.push(new_key(
                    KeyAlg::EcdhEs(KeyAgreementId::X25519),
                    &kid,
                    node.role(),
                )?);
            }
        }
        Ok(keys)
    }

    fn index(node: Node) -> usize {
        match node {
            Node::Caller => 0,
            Node::Server(i) => i.saturating_add(1),
        }
    }

    fn pick<'a>(v: &'a [KeyEntry], i: usize, what: &str) -> Result<&'a KeyEntry, SystemError> {
        v.get(i).ok_or_else(|| SystemError::Input {
            what: "nodes".into(),
            detail: format!("no {what} key {i}"),
        })
    }

    /// A sealer for messages from `from` to `to`; `None` for plain.
    pub fn sealer(&self, from: Node, to: To) -> Result<Option<Sealer>, SystemError> {
        let Some(mode) = self.protection.mode() else {
            return Ok(None);
        };
        let ctx = || format!("sealer {from:?} -> {to:?}");
        let sender = match (mode, to) {
            (Mode::Encrypt0 | Mode::Mac0, To::AllServers) => self.group.as_ref(),
            (Mode::Encrypt0 | Mode::Mac0, To::Node(n)) => {
                let server = match (from, n) {
                    (Node::Server(i), _) | (_, Node::Server(i)) => i,
                    (Node::Caller, Node::Caller) => 0,
                };
                self.pairs.get(server)
            }
            _ => self.signers.get(Self::index(from)),
        };
        let recipients: Vec<&KeyEntry> = match (mode, to) {
            // ECDH-ES direct key agreement carries exactly one recipient (RFC 9052 §8.5.4):
            // a sign-encrypt fanout would need RSA-OAEP recipients or one seal per server.
            (Mode::SignEncrypt, To::AllServers) => {
                return Err(SystemError::Input {
                    what: ctx(),
                    detail: "sign-encrypt fanout is not modelled: its ECDH-ES recipients allow \
                             one receiver per message (seal once per server instead)"
                        .into(),
                });
            }
            (Mode::SignEncrypt, To::Node(n)) => {
                vec![Self::pick(&self.agreement, Self::index(n), "agreement")?]
            }
            _ => Vec::new(),
        };
        let config = SealConfig {
            mode,
            sender,
            identity: Identity::Kid,
            recipients: &recipients,
            content: AeadId::Aes128Gcm,
            cek_reuse: 1,
        };
        let mut sealer = Sealer::new(self.backend, &config, Arc::new(SystemClock), None)
            .map_err(SystemError::envelope(ctx()))?
            .with_issuer(&from.kid())
            .map_err(SystemError::envelope(ctx()))?;
        if !mode.hybrid() {
            let audience = match to {
                To::Node(n) => Audience::Kids(vec![n.kid()]),
                To::AllServers => Audience::Role(SERVER_ROLE.into()),
            };
            sealer = sealer
                .with_audience(&audience)
                .map_err(SystemError::envelope(ctx()))?;
        }
        Ok(Some(sealer))
    }

    /// An opener for messages arriving at `at`; `None` for plain.
    pub fn opener(&self, at: Node) -> Result<Option<Opener>, SystemError> {
        if self.protection == Protection::Plain {
            return Ok(None);
        }
        let mut entries = Vec::new();
        let peer_role = match at {
            Node::Caller => SERVER_ROLE,
            Node::Server(_) => CALLER_ROLE,
        };
        match at {
            Node::Caller => entries.extend(self.pairs.iter().map(|k| KeyEntry {
                role: SERVER_ROLE.into(),
                ..k.clone()
            })),
            Node::Server(i) => {
                entries.extend(self.pairs.get(i).cloned());
                entries.extend(self.group.clone());
            }
        }
        match at {
            Node::Caller => entries.extend(self.signers.iter().skip(1).map(public_only)),
            Node::Server(_) => entries.extend(self.signers.first().map(public_only)),
        }
        if let Some(own) = self.agreement.get(Self::index(at)) {
            entries.push(own.clone());
        }
        let store = TrustStore {
            entries,
            policy: Policy::default().allow(peer_role, &["*"]),
            node: Some(NodeId {
                kid: at.kid(),
                role: at.role().into(),
            }),
        };
        Opener::new(
            self.backend,
            &store,
            OpenOptions::default(),
            Arc::new(SystemClock),
        )
        .map(Some)
        .map_err(SystemError::envelope(format!("opener at {at:?}")))
    }

    /// Number of servers.
    pub fn servers(&self) -> usize {
        self.servers
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::MessageBuf;

    /// Every protection: the caller's request opens at the server, the reply at the caller,
    /// a fanout at every server; a request for server 1 is refused at server 2.
    #[test]
    fn every_direction_opens_and_misaddressed_is_refused() {
        for backend in ["aws-lc", "rustcrypto"] {
            let Some(b) = crate::backend::by_name(backend) else {
                continue;
            };
            for p in Protection::ALL
                .iter()
                .copied()
                .filter(|p| *p != Protection::Plain)
            {
                let keys = Keys::new(p, b, 2).unwrap();
                let mut s0 = keys.opener(Node::Server(0)).unwrap().unwrap();
                let mut s1 = keys.opener(Node::Server(1)).unwrap().unwrap();
                let mut c = keys.opener(Node::Caller).unwrap().unwrap();
                let seal = |from, to| {
                    let mut sealer = keys.sealer(from, to).unwrap().unwrap();
                    let mut m = MessageBuf::new();
                    sealer
                        .seal_payload(b"{\"args\":1}", METHOD, &mut m)
                        .unwrap();
                    m.wire().to_vec()
                };
                let mut req = seal(Node::Caller, To::Node(Node::Server(0)));
                let mut stolen = req.clone();
                assert_eq!(s0.open(&mut req).unwrap().payload, b"{\"args\":1}", "{p:?}");
                assert!(
                    s1.open(&mut stolen).is_err(),
                    "{p:?}: server 2 opened server 1's request"
                );
                let mut rep = seal(Node::Server(0), To::Node(Node::Caller));
                assert!(c.open(&mut rep).is_ok(), "{p:?} reply");
                if p.mode() == Some(Mode::SignEncrypt) {
                    // One ECDH-ES recipient per message: a fanout is refused, not faked.
                    assert!(keys.sealer(Node::Caller, To::AllServers).is_err());
                    continue;
                }
                let fan = seal(Node::Caller, To::AllServers);
                assert!(s0.open(&mut fan.clone()).is_ok(), "{p:?} fanout 1");
                assert!(s1.open(&mut fan.clone()).is_ok(), "{p:?} fanout 2");
            }
        }
        assert!(
            Keys::new(
                Protection::Plain,
                crate::backend::by_name("aws-lc").unwrap(),
                1
            )
            .unwrap()
            .sealer(Node::Caller, To::AllServers)
            .unwrap()
            .is_none()
        );
    }
}
