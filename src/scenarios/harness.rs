//! The attack harness shared by every preset: a network with a controlled clock, sealing as
//! any actor (or as an actor claiming another's identity), opening as any actor, and
//! turning each attempt into an [`Outcome`] and a table [`Row`].

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::backend::{AeadId, Backend};
use crate::envelope::audience::Audience;
use crate::envelope::keys::KeyMaterial;
use crate::envelope::open::DEFAULT_FUTURE_SKEW_S;
use crate::envelope::replay::{ReplayConfig, ReplayGuard};
use crate::envelope::{
    EnvelopeError, Identity, KeyEntry, ManualClock, MessageBuf, Mode, OpenOptions, Opener, Policy,
    SealConfig, Sealer, TrustStore,
};

/// The deployment's clock reading: fixed, so every run is reproducible.
pub const NOW: u64 = 1_764_000_000;
/// Every receiver's freshness window in seconds.
pub const WINDOW_S: u64 = 300;

/// How a deployment's messages are addressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Addressing {
    /// As the modelled product does it: no audience, so receivers accept messages that name
    /// none (`accept_no_audience`); the sending node is named only where the product does.
    AsDeployed,
    /// With the profile's claims: every message names its receiver (`aud`) and its sending
    /// node (`iss`), and receivers require an audience.
    Profile,
}

impl Addressing {
    /// The audience a message to `kids` carries under this addressing.
    pub fn to(self, kids: &[&str]) -> Option<Audience> {
        match self {
            Self::AsDeployed => None,
            Self::Profile => Some(Audience::Kids(
                kids.iter().map(|k| k.as_bytes().to_vec()).collect(),
            )),
        }
    }

    /// The issuer a message from node `node` carries: always under the profile, and as
    /// deployed only when the product names its senders (`named`).
    pub fn from(self, node: &'static str, named: bool) -> Option<&'static str> {
        (self == Self::Profile || named).then_some(node)
    }
}

/// When a message is issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// At [`NOW`].
    Now,
    /// One second more than the window ago.
    Stale,
    /// At the receivers' future-skew limit, [`NOW`] + 30 s (the latest `iat` they accept).
    SkewLimit,
}

/// Who a message is from and to, beyond its keys.
#[derive(Debug, Clone, Copy)]
pub struct Envelope<'a> {
    /// The sending node's kid (`iss`), if the message names it.
    pub from: Option<&'a str>,
    /// The audience (`aud`), if any.
    pub to: Option<&'a Audience>,
    /// When it is issued.
    pub when: When,
}

impl Envelope<'_> {
    /// No issuer, no audience, issued now: a message as the legacy presets send it.
    pub const BARE: Envelope<'static> = Envelope {
        from: None,
        to: None,
        when: When::Now,
    };
}

/// Where a receiver keeps its replay state.
#[derive(Debug, Clone)]
pub enum Replay<'a> {
    /// In memory with these bounds (lost when the process restarts).
    Memory(ReplayConfig),
    /// In the replay database at this path (`open --replay-db`), default bounds.
    Db(&'a Path),
}

impl Default for Replay<'_> {
    fn default() -> Self {
        Self::Memory(ReplayConfig::default())
    }
}

/// A replay database file in the temp directory, removed on drop.
pub struct TempDb(PathBuf);

impl TempDb {
    /// A fresh path (the file is created by the first [`ReplayGuard::persistent`]).
    pub fn new() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        Self(std::env::temp_dir().join(format!(
            "sealbench-scenario-replay-{}-{nanos}-{n}.redb",
            std::process::id()
        )))
    }

    /// The database path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Default for TempDb {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

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
    /// The same attack on the same deployment with the profile's audience and issuer
    /// ([`Addressing::Profile`]); absent for rows run only as deployed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_audience: Option<Cell>,
}

/// One executed attack's result in a second deployment variant.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// What happened.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// The cell, derived from the row's `yes_if` and `outcome`.
    pub supported: bool,
}

fn cell_of(yes_if: YesIf, outcome: &Outcome) -> bool {
    match yes_if {
        YesIf::Succeeded => outcome.succeeded(),
        YesIf::Rejected => !outcome.succeeded(),
    }
}

/// A row from an executed attack.
pub fn row(
    id: &'static str,
    capability: &'static str,
    attack: &'static str,
    yes_if: YesIf,
    outcome: Outcome,
) -> Row {
    Row {
        id,
        capability,
        attack,
        yes_if,
        supported: cell_of(yes_if, &outcome),
        outcome,
        with_audience: None,
    }
}

/// A row executed on the deployment as built and again with the profile's audience.
pub fn row_both(
    id: &'static str,
    capability: &'static str,
    attack: &'static str,
    yes_if: YesIf,
    as_deployed: Outcome,
    with_audience: Outcome,
) -> Row {
    Row {
        with_audience: Some(Cell {
            supported: cell_of(yes_if, &with_audience),
            outcome: with_audience,
        }),
        ..row(id, capability, attack, yes_if, as_deployed)
    }
}

/// The network: one backend, the shared clock, and a clock an hour-old sender lives on.
pub struct Net {
    /// Backend every actor runs on.
    pub backend: &'static Backend,
    clock: Arc<ManualClock>,
    stale: Arc<ManualClock>,
    ahead: Arc<ManualClock>,
}

impl Net {
    /// A network on `backend` at [`NOW`].
    pub fn new(backend: &'static Backend) -> Self {
        Self {
            backend,
            clock: Arc::new(ManualClock::new(NOW)),
            stale: Arc::new(ManualClock::new(NOW - WINDOW_S - 1)),
            ahead: Arc::new(ManualClock::new(NOW + DEFAULT_FUTURE_SKEW_S)),
        }
    }

    /// Seals `payload` as a call of `method` with a new sealer (so a new stream id), naming
    /// the issuer and audience of `env`; returns the wire bytes.
    pub fn seal(
        &self,
        config: &SealConfig<'_>,
        env: Envelope<'_>,
        method: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, EnvelopeError> {
        let clock = match env.when {
            When::Now => self.clock.clone(),
            When::Stale => self.stale.clone(),
            When::SkewLimit => self.ahead.clone(),
        };
        let mut sealer = Sealer::new(self.backend, config, clock, None)?;
        if let Some(node) = env.from {
            sealer = sealer.with_issuer(node.as_bytes())?;
        }
        if let Some(aud) = env.to {
            sealer = sealer.with_audience(aud)?;
        }
        let mut msg = MessageBuf::new();
        sealer.seal_payload(payload, method, &mut msg)?;
        Ok(msg.wire().to_vec())
    }

    /// Seals `payload` as a call of `method` and returns the wire bytes.
    pub fn send(
        &self,
        config: &SealConfig<'_>,
        method: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, EnvelopeError> {
        self.seal(config, Envelope::BARE, method, payload)
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
        let env = Envelope {
            from: Some(node),
            ..Envelope::BARE
        };
        self.seal(config, env, method, payload)
    }

    /// Like [`Net::send`], but issued one second more than the window ago.
    pub fn send_stale(
        &self,
        config: &SealConfig<'_>,
        method: &str,
        payload: &[u8],
    ) -> Result<Vec<u8>, EnvelopeError> {
        let env = Envelope {
            when: When::Stale,
            ..Envelope::BARE
        };
        self.seal(config, env, method, payload)
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
        self.receiver(store, learn_as, Addressing::AsDeployed, Replay::default())
    }

    /// A receiving node with `store` under `addressing` (as deployed it accepts messages
    /// without an audience; under the profile it requires one), keeping its replay state
    /// as `replay` says; `learn_as` turns key learning on with that role.
    pub fn receiver(
        &self,
        store: &TrustStore,
        learn_as: Option<&str>,
        addressing: Addressing,
        replay: Replay<'_>,
    ) -> Result<Opener, EnvelopeError> {
        let mut options = OpenOptions {
            window_s: WINDOW_S,
            accept_no_audience: addressing == Addressing::AsDeployed,
            ..OpenOptions::default()
        };
        if let Some(role) = learn_as {
            options.learn_keys = true;
            options.learned_role = role.to_string();
        }
        let guard = match replay {
            Replay::Memory(config) => {
                options.replay = config.clone();
                ReplayGuard::new(config)
            }
            Replay::Db(path) => ReplayGuard::persistent(path, options.replay.clone())?,
        };
        Opener::with_replay(self.backend, store, options, self.clock.clone(), guard)
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
    #![allow(clippy::unwrap_used)]
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
    fn a_temp_replay_db_is_removed_when_dropped() {
        let db = TempDb::new();
        let path = db.path().to_path_buf();
        drop(ReplayGuard::persistent(&path, ReplayConfig::default()).unwrap());
        assert!(path.exists(), "{}", path.display());
        drop(db);
        assert!(!path.exists(), "{}", path.display());
        assert_ne!(TempDb::new().path(), TempDb::new().path());
    }

    #[test]
    fn kids_print_as_text_or_hex() {
        assert_eq!(printable(b"server-1"), "server-1");
        assert_eq!(printable(&[0x00, 0xff]), "00ff");
    }
}
