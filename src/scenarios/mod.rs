//! Deployment presets whose capability tables come from executed attacks.
//!
//! Each preset is a small in-memory deployment (callers, servers or nodes, an attacker) on
//! one backend, with keys from [`crate::envelope::fixtures`]. Every row of its table is one
//! attack run as real seal and open calls; whether the row reads "yes" or "no" is decided
//! only by that attack's [`Outcome`] (accepted, or rejected with which
//! [`EnvelopeError`](crate::envelope::EnvelopeError) kind). A regression in the envelope
//! therefore changes the table.
//!
//! Presets 1–4 are the four deployment scenarios of MCollective's AES security plugin
//! (<https://github.com/choria-legacy/marionette-collective/blob/master/website/reference/plugins/security_aes.md>);
//! 5 is a MAAS-style shared region secret (every node MACs with one key); 6 is Trove-style
//! per-guest symmetric keys kept wrapped under a KEK.
//!
//! Every preset also executes the attacks an attacker on the bus would try next
//! ([`executed`]): cross-node replay, replay after a restart (with and without a replay
//! database), reflection, replay-state flooding by a low-privilege sender, layer confusion
//! and forwarding — once on the deployment as built (its messages name no audience, so its
//! receivers accept that) and once with the profile's audience and issuer, in the row's
//! [`Row::with_audience`] cell, so the table shows which rows the audience closes.
//!
//! [`keyscope`] deploys one traffic class with one (mode, key scope) and executes the
//! attacks `sealbench decide` judges strategies by, with the same harness.

mod craft;
mod executed;
mod harness;
pub mod keyscope;
mod mcollective;
mod shared_mac;
pub mod tls;
mod trove;

use serde::Serialize;

use crate::backend::Backend;
use crate::envelope::EnvelopeError;
use mcollective::{Distribution, ServerKeys};

pub use executed::{FLOOD_MESSAGES, FLOOD_STREAMS_PER_SENDER};
pub use harness::{Cell, Outcome, Row, YesIf};

/// The rows one preset produced, with the algorithms it ran.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    /// Algorithms used, e.g. `signatures EdDSA`.
    pub algorithms: Vec<String>,
    /// One row per executed attack.
    pub rows: Vec<Row>,
}

/// A deployment preset.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// Name on the command line and in JSON.
    pub name: &'static str,
    /// One-line description.
    pub title: &'static str,
    /// Runs every attack of the preset on a backend.
    pub run: fn(&'static Backend) -> Result<Run, EnvelopeError>,
}

/// Every preset, in report order.
pub const ALL_PRESETS: &[Preset] = &[
    Preset {
        name: "mcollective-unique-manual",
        title: "MCollective AES plugin: unique server keys, public keys distributed manually",
        run: |b| mcollective::run(b, ServerKeys::Unique, Distribution::Manual),
    },
    Preset {
        name: "mcollective-unique-learned",
        title: "MCollective AES plugin: unique server keys, public keys learned (send_pubkey/learn_pubkeys)",
        run: |b| mcollective::run(b, ServerKeys::Unique, Distribution::Learned),
    },
    Preset {
        name: "mcollective-shared-manual",
        title: "MCollective AES plugin: one shared server key pair, public keys distributed manually",
        run: |b| mcollective::run(b, ServerKeys::Shared, Distribution::Manual),
    },
    Preset {
        name: "mcollective-shared-learned",
        title: "MCollective AES plugin: one shared server key pair, public keys learned (send_pubkey/learn_pubkeys)",
        run: |b| mcollective::run(b, ServerKeys::Shared, Distribution::Learned),
    },
    Preset {
        name: "shared-mac",
        title: "MAAS-style region secret: every node MACs with one shared HMAC key",
        run: shared_mac::run,
    },
    Preset {
        name: "trove",
        title: "Trove-style symmetric keys: a control-plane key and one key per guest, wrapped under a KEK at rest",
        run: trove::run,
    },
    Preset {
        name: "tls-to-broker",
        title: "Mutual TLS from every node to the broker (internal CA, client certificates), no envelope",
        run: tls::run_tls,
    },
    Preset {
        name: "tls+envelope",
        title: "Mutual TLS to the broker with Sign1 or sign-encrypt envelopes inside (aud, iss): what the envelope closes",
        run: tls::run_tls_envelope,
    },
];

/// Looks a preset up by name.
pub fn by_name(name: &str) -> Option<&'static Preset> {
    ALL_PRESETS.iter().find(|p| p.name == name)
}

/// One preset's table as run on one backend.
#[derive(Debug, Clone, Serialize)]
pub struct PresetReport {
    /// Preset name.
    pub preset: &'static str,
    /// Preset description.
    pub title: &'static str,
    /// Backend the deployment ran on.
    pub backend: &'static str,
    /// Algorithms and rows.
    #[serde(flatten)]
    pub run: Run,
}

impl Preset {
    /// Runs the preset on `backend`.
    pub fn report(&self, backend: &'static Backend) -> Result<PresetReport, EnvelopeError> {
        Ok(PresetReport {
            preset: self.name,
            title: self.title,
            backend: backend.name,
            run: (self.run)(backend)?,
        })
    }
}

impl PresetReport {
    /// The row with this id.
    pub fn row(&self, id: &str) -> Option<&Row> {
        self.run.rows.iter().find(|r| r.id == id)
    }
}
