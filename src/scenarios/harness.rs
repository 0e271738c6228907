//! The attack harness shared by every preset: a network with a controlled clock, sealing as
//! any actor (or as an actor claiming another's identity), opening as any actor, and
//! turning each attempt into an [`Outcome`] and a table [`Row`].

use std::sync::Arc;

use serde::Serialize;

use crate::backend::{AeadId, Backend};
use crate::envelope::keys::KeyMaterial;
use crate::envelope::{
    EnvelopeError, Identity, KeyEntry, ManualClock, MessageBuf, Mode, OpenOptions, Opener, Policy,
    SealConfig, Sealer, TrustStore,
};

/// The deployment's clock reading: fixed, so every run is reproducible.
pub const NOW: u64 = 1_764_000_000;
/// Every receiver's freshness window in seconds.
pub const WINDOW_S: u64 = 300;

/// What happened when an actor tried to open (or read) a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "kebab-case")]
pub enum Outcome {
    /// The receiver accepted the message as coming from `sender` with `role` (both absent
    /// for an anonymous sender).
    Accepted {
        /// Key id the receiver attributed the message to (hex if not printable).
        sender: Option<String>,
        /// The role the receiver gave that sender.
        role: Option<String>,
    },
    /// The receiver's open failed with `kind`, but the payload stood in clear on the wire,
    /// so the attacker read it anyway.
    Exposed {
        /// [`EnvelopeError::kind`] of the failed open.
        kind: &'static str,
    },
    /// Rejected with this [`EnvelopeError::kind`]; nothing was learned from the wire.
    Rejected {
        /// [`EnvelopeError::kind`].
        kind: &'static str,
    },
}

impl Outcome {
    /// Whether the attacker got what it tried for (the message accepted or its payload read).
    pub fn succeeded(&self) -> bool {
        !matches!(self, Self::Rejected { .. })
    }

    /// The error kind behind a failed open, if any.
    pub fn kind(&self) -> Option<&'static str> {
        match self {
            Self::Accepted { .. } => None,
            Self::Exposed { kind } | Self::Rejected { kind } => Some(kind),
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Accepted {
                sender: Some(s),
                role: Some(r),
            } => write!(f, "accepted as {s} ({r})"),
            Self::Accepted { .. } => f.write_str("accepted"),
            Self::Exposed { kind } => write!(f, "read: payload in clear (open: {kind})"),
            Self::Rejected { kind } => write!(f, "rejected: {kind}"),
        }
    }
}

/// Which outcome makes a row read "yes".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum YesIf {
    /// The row names something an actor can do: "yes" when the attempt succeeded.
    Succeeded,
    /// The row names a protection: "yes" when the attack was rejected.
    Rejected,
}

/// One Feature / Capability row, decided by one executed attack.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Stable id for tests and JSON consumers.
    pub id: &'static str,
    /// The feature or capability, as a deployment document would phrase it.
    pub capability: &'static str,
    /// What was executed.
    pub attack: &'static str,
    /// Which outcome reads "yes".
    pub yes_if: YesIf,
    /// What happened.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The cell: derived from `yes_if` and `outcome`, never set by hand.
    pub supported: bool,
}

/// A row from an executed attack.
pub fn row(
    id: &'static str,
    capability: &'static str,
    attack: &'static str,
    yes_if: YesIf,
    outcome: Outcome,
) -> Row {
    let supported = match yes_if {
        YesIf::Succeeded => outcome.succeeded(),
        YesIf::Rejected => !outcome.succeeded(),
    };
    Row {
        id,
        capability,
        attack,
        yes_if,
        outcome,
        supported,
    }
}

/// The network: one backend, the shared clock, and a clock an hour-old sender lives on.
pub struct Net {
    /// Backend every actor runs on.
    pub backend: &'static Backend,
    clock: Arc<ManualClock>,
    stale: Arc<ManualClock>,
}

impl Net {
    /// A network on `backend` at [`NOW`].
    pub fn new(backend: &'static Backend) -> Self {
        Self {
            backend,
            clock: Arc::new(ManualClock::new(NOW)),
            stale: Arc::new(ManualClock::new(NOW - WINDOW_S - 1)),
        }
    }

    /// Seals `payload` as a call of `method` and returns the wire bytes.
    pub fn send(
        &self,
        config: &SealConfig<'_>,
        method: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, EnvelopeError> {
        self.send_at(self.clock.clone(), config, method, payload)
    }

    /// Like [`Net::send`], naming the sending node (`iss`), as a deployment whose messages
    /// carry a sender id does (MCollective's `senderid`).
    pub fn send_from(
        &self,
        node: &str,
        config: &SealConfig<'_>,
        method: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, EnvelopeError> {
        let mut sealer = Sealer::new(self.backend, config, self.clock.clone(), None)?
            .with_issuer(node.as_bytes())?;
        let mut msg = MessageBuf::new();
        sealer.seal_payload(payload, method, &mut msg)?;
        Ok(msg.wire().to_vec())
    }

    /// Like [`Net::send`], but issued one second more than the window ago.
    pub fn send_stale(
        &self,
        config: &SealConfig<'_>,
        method: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, EnvelopeError> {
        self.send_at(self.stale.clone(), config, method, payload)
    }

    fn send_at(
        &self,
        clock: Arc<ManualClock>,
        config: &SealConfig<'_>,
        method: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, EnvelopeError> {
        let mut sealer = Sealer::new(self.backend, config, clock, None)?;
        let mut msg = MessageBuf::new();
        sealer.seal_payload(payload, method, &mut msg)?;
        Ok(msg.wire().to_vec())
    }

    /// The network's clock (every node and sender reads it).
    pub fn clock(&self) -> Arc<ManualClock> {
        self.clock.clone()
    }

    /// A receiving node with `store` and explicit `options`.
    pub fn node_with(
        &self,
        store: &TrustStore,
        options: OpenOptions,
    ) -> Result<Opener, EnvelopeError> {
        Opener::new(self.backend, store, options, self.clock.clone())
    }

    /// A receiving node with `store`; `learn_as` turns key learning on with that role.
    pub fn node(
        &self,
        store: &TrustStore,
        learn_as: Option<&str>,
    ) -> Result<Opener, EnvelopeError> {
        // The presets reproduce deployments whose messages name no audience (the
        // MCollective plugin, a MAAS region secret, Trove): their receivers accept that.
        // The (mode, key scope) deployments of `keyscope` address every message instead.
        let mut options = OpenOptions {
            window_s: WINDOW_S,
            accept_no_audience: true,
            ..OpenOptions::default()
        };
        if let Some(role) = learn_as {
            options.learn_keys = true;
            options.learned_role = role.to_string();
        }
        Opener::new(self.backend, store, options, self.clock.clone())
    }

    /// An eavesdropper on the wire: no keys of its own; with `learn` it learns any public
    /// key a message carries (and trusts it for every method).
    pub fn eavesdropper(&self, learn: bool) -> Result<Opener, EnvelopeError> {
        let store = TrustStore {
            entries: Vec::new(),
            policy: Policy::default().allow("eavesdropper", &["*"]),
            node: None,
        };
        self.node(&store, learn.then_some("eavesdropper"))
    }
}

/// Opens a copy of `wire` at `node`.
pub fn try_open(node: &mut Opener, wire: &[u8]) -> Outcome {
    let mut buf = wire.to_vec();
    match node.open(&mut buf) {
        Ok(opened) => {
            let who = opened.sender.and_then(|i| node.sender(i));
            Outcome::Accepted {
                sender: who.map(|(kid, _)| printable(kid)),
                role: who.map(|(_, role)| role.to_string()),
            }
        }
        Err(e) => Outcome::Rejected { kind: e.kind() },
    }
}

/// Tries to read `payload` out of `wire` as `node`: by opening it, or, if that fails, by
/// finding the payload in clear on the wire (an eavesdropper needs no signature check).
pub fn try_read(node: &mut Opener, wire: &[u8], payload: &[u8]) -> Outcome {
    match try_open(node, wire) {
        Outcome::Rejected { kind } if contains(wire, payload) => Outcome::Exposed { kind },
        other => other,
    }
}

/// Delivers the same `wire` to every node: accepted only if all accept, else the first
/// rejection.
pub fn try_open_each(nodes: &mut [Opener], wire: &[u8]) -> Outcome {
    let mut last = Outcome::Rejected {
        kind: "no-receivers",
    };
    for node in nodes {
        last = try_open(node, wire);
        if !last.succeeded() {
            return last;
        }
    }
    last
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn printable(kid: &[u8]) -> String {
    match std::str::from_utf8(kid) {
        Ok(s) if s.chars().all(|c| c.is_ascii_graphic()) => s.to_string(),
        _ => hex::encode(kid),
    }
}

/// What a holder of `actual`'s key can send while claiming to be `claimed`: `claimed`'s
/// key id, public key and certificate with `actual`'s secret.
pub fn claiming(claimed: &KeyEntry, actual: &KeyEntry) -> KeyEntry {
    let material = match (&actual.material, claimed.material.spki()) {
        (KeyMaterial::Private { pkcs8, .. }, Some(spki)) => KeyMaterial::Private {
            pkcs8: pkcs8.clone(),
            spki: spki.to_vec(),
        },
        (other, _) => other.clone(),
    };
    KeyEntry {
        kid: claimed.kid.clone(),
        cert: claimed.cert.clone(),
        material,
        ..actual.clone()
    }
}

/// A configuration for a sender alone (Sign1, Mac0, Encrypt0).
pub fn single(mode: Mode, sender: &KeyEntry, identity: Identity) -> SealConfig<'_> {
    SealConfig {
        mode,
        sender: Some(sender),
        identity,
        recipients: &[],
        content: AeadId::Aes256Gcm,
        cek_reuse: 1,
    }
}

/// A configuration signing with `sender` and encrypting to `recipients` (SignEncrypt).
pub fn sign_encrypt<'a>(
    sender: &'a KeyEntry,
    identity: Identity,
    recipients: &'a [&'a KeyEntry],
) -> SealConfig<'a> {
    SealConfig {
        mode: Mode::SignEncrypt,
        sender: Some(sender),
        identity,
        recipients,
        content: AeadId::Aes256Gcm,
        cek_reuse: 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_follow_outcomes() {
        let accepted = Outcome::Accepted {
            sender: None,
            role: None,
        };
        let rejected = Outcome::Rejected {
            kind: "unknown-key",
        };
        let exposed = Outcome::Exposed {
            kind: "unknown-key",
        };
        assert!(row("a", "c", "x", YesIf::Succeeded, accepted.clone()).supported);
        assert!(row("a", "c", "x", YesIf::Succeeded, exposed).supported);
        assert!(!row("a", "c", "x", YesIf::Succeeded, rejected.clone()).supported);
        assert!(!row("a", "c", "x", YesIf::Rejected, accepted).supported);
        assert!(row("a", "c", "x", YesIf::Rejected, rejected).supported);
    }

    #[test]
    fn kids_print_as_text_or_hex() {
        assert_eq!(printable(b"server-1"), "server-1");
        assert_eq!(printable(&[0x00, 0xff]), "00ff");
    }
}
