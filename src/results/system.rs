//! The end-to-end block of a results file: `runs[].system`, written by `sealbench e2e`
//! (docs/E2E.md) beside the run's `layer = "system"` scenarios.
//!
//! Each [`SystemScenario`] is one cell: an RPC pattern at an offered rate under one
//! protection over one transport to a real RabbitMQ broker, with its latency percentiles
//! and its CPU per RPC split into broker, clients, envelope and (over TLS) what TLS adds.
//! Readers (`decide --system`, `report --system`) load it with [`SystemFile::load`].
//!
//! Files written before a field existed still load: new fields are `Option`s or have serde
//! defaults, and [`SystemRun::attribute_tls`] fills the TLS split of older files.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{LoadError, ResultsFile};
use crate::envelope::Mode;

/// A cell "sustains" its offered load when every RPC completed and the achieved rate is at
/// least this fraction of the offered one.
pub const SUSTAINED_FRACTION: f64 = 0.95;

/// An RPC pattern (oslo.messaging's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pattern {
    /// Request and reply.
    Call,
    /// Request only.
    Cast,
    /// One publish to every server.
    Fanout,
}

impl Pattern {
    /// Every pattern, in report order.
    pub const ALL: [Self; 3] = [Self::Call, Self::Cast, Self::Fanout];

    /// Label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Call => "call",
            Self::Cast => "cast",
            Self::Fanout => "fanout",
        }
    }

    /// Messages published per RPC: a call is a request and a reply, a cast one request,
    /// a fanout one publish (delivered to every server).
    pub const fn messages_per_rpc(self) -> u32 {
        match self {
            Self::Call => 2,
            Self::Cast | Self::Fanout => 1,
        }
    }
}

/// Plain AMQP or AMQP over mutual TLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// AMQP 0-9-1 over loopback TCP.
    Tcp,
    /// AMQP 0-9-1 over TLS 1.3 (TLS_AES_128_GCM_SHA256), client certificate required.
    Tls,
}

impl Transport {
    /// Label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Tcp => "tcp",
            Self::Tls => "tls",
        }
    }
}

/// How the RPC messages of a cell are protected: nothing, or one envelope mode with the
/// key scope `decide` recommends for it (src/system/protection.rs has the keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Protection {
    /// No envelope.
    Plain,
    /// Encrypt0 AES-128-GCM, pairwise keys (a group key for a fanout).
    SealAll,
    /// Mac0 HMAC-SHA-256, pairwise keys (a group key for a fanout).
    MacAll,
    /// Sign1 Ed25519, one key pair per node.
    SignAll,
    /// Sign1 inside COSE_Encrypt to the receivers' X25519 keys.
    SignEncrypt,
}

impl Protection {
    /// Every protection, in report order.
    pub const ALL: &'static [Protection] = &[
        Self::Plain,
        Self::SealAll,
        Self::SignAll,
        Self::MacAll,
        Self::SignEncrypt,
    ];

    /// Label (`plain`, `seal-all`, ...).
    pub const fn label(self) -> &'static str {
        match self {
            Self::Plain => "plain",
            Self::SealAll => "seal-all",
            Self::MacAll => "mac-all",
            Self::SignAll => "sign-all",
            Self::SignEncrypt => "sign-encrypt",
        }
    }

    /// By label.
    pub fn by_label(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.label() == s)
    }

    /// The envelope mode, `None` for plain.
    pub const fn mode(self) -> Option<Mode> {
        match self {
            Self::Plain => None,
            Self::SealAll => Some(Mode::Encrypt0),
            Self::MacAll => Some(Mode::Mac0),
            Self::SignAll => Some(Mode::Sign1),
            Self::SignEncrypt => Some(Mode::SignEncrypt),
        }
    }

    /// The protection that runs `mode` (`None` for modes the e2e run does not measure).
    pub fn of_mode(mode: Mode) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.mode() == Some(mode))
    }

    /// Algorithm label as in results (`aes128gcm`, `ed25519+x25519+aes128gcm`, `none`).
    pub const fn algorithm(self) -> &'static str {
        match self {
            Self::Plain => "none",
            Self::SealAll => "aes128gcm",
            Self::MacAll => "hmacsha256",
            Self::SignAll => "ed25519",
            Self::SignEncrypt => "ed25519+x25519+aes128gcm",
        }
    }
}

/// Latency percentiles of one cell, microseconds from each message's due time.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Latency {
    /// Median.
    pub p50_us: f64,
    /// 90th percentile.
    pub p90_us: f64,
    /// 99th percentile.
    pub p99_us: f64,
    /// 99.9th percentile.
    pub p999_us: f64,
    /// Largest.
    pub max_us: f64,
    /// Mean.
    pub mean_us: f64,
    /// Smallest.
    pub min_us: f64,
    /// Distribution-free 95% interval of the median (order statistics, as `Stats`).
    pub p50_ci95_low_us: f64,
    /// Upper end.
    pub p50_ci95_high_us: f64,
    /// Standard deviation / mean.
    pub cv: f64,
    /// Deliveries recorded.
    pub count: u64,
}

/// What TLS to the broker adds to one TLS cell: its CPU per RPC above the cell with the
/// same pattern, protection, backend and offered rate over plain TCP, split by side. Each
/// side's excess counts only when positive (noise can make the TLS cell cheaper on one
/// side), and the client side excludes the envelope, so broker − `broker_us`, clients −
/// envelope − `clients_us`, envelope and `total_us` stack to the cell's total.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TlsCost {
    /// Broker CPU above the TCP cell's, µs per RPC.
    pub broker_us: f64,
    /// Client CPU (envelope excluded) above the TCP cell's, µs per RPC.
    pub clients_us: f64,
    /// `broker_us + clients_us`.
    pub total_us: f64,
    /// Id of the TCP cell compared with.
    pub baseline_id: String,
}

/// CPU time per completed RPC, microseconds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CpuPerRpc {
    /// The broker process (all its threads; includes its background work during the cell).
    pub broker_us: f64,
    /// This process: every AMQP client (caller and servers), envelope and TLS included.
    pub clients_us: f64,
    /// Inside envelope seal/open calls (part of `clients_us`).
    pub envelope_us: f64,
    /// broker + clients.
    pub total_us: f64,
    /// envelope / total.
    pub envelope_share: f64,
    /// TLS cells: what TLS adds over the matching TCP cell (`None` over TCP, or when the
    /// run has no matching TCP cell).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsCost>,
}

/// The four parts of a cell's CPU per RPC that stack to its total, µs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CpuParts {
    /// Broker, without what TLS adds there.
    pub broker_us: f64,
    /// Clients, without the envelope and without what TLS adds there.
    pub clients_us: f64,
    /// Envelope seal/open calls.
    pub envelope_us: f64,
    /// What TLS adds (0 over TCP).
    pub tls_us: f64,
}

impl CpuPerRpc {
    /// The stacked parts (each at least 0).
    pub fn parts(&self) -> CpuParts {
        let (tls_broker, tls_clients) = self
            .tls
            .as_ref()
            .map_or((0.0, 0.0), |t| (t.broker_us, t.clients_us));
        CpuParts {
            broker_us: (self.broker_us - tls_broker).max(0.0),
            clients_us: (self.clients_us - self.envelope_us - tls_clients).max(0.0),
            envelope_us: self.envelope_us.max(0.0),
            tls_us: tls_broker + tls_clients,
        }
    }
}

/// One measured cell.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SystemScenario {
    /// `e2e-{pattern}_{protection}_{backend}_{transport}_r{rate}` (fanout: `fanout{N}`).
    pub id: String,
    /// RPC pattern.
    pub pattern: Pattern,
    /// Message protection.
    pub protection: Protection,
    /// Envelope mode label (`encrypt0`, `sign1`, ...; `plain` without envelope).
    pub mode: String,
    /// Algorithm labels.
    pub algorithm: String,
    /// Envelope backend (`none` for plain).
    pub backend: String,
    /// Transport to the broker.
    pub transport: Transport,
    /// Servers a fanout reaches (1 otherwise).
    pub servers: usize,
    /// Offered load, RPCs per second.
    pub offered_per_s: f64,
    /// Completed RPCs per second (from the first due time to the last completion).
    pub achieved_per_s: f64,
    /// RPCs sent.
    pub sent: u64,
    /// RPCs completed within the time limit.
    pub completed: u64,
    /// Deliveries that did not arrive within the time limit.
    pub lost_deliveries: u64,
    /// All completed and achieved ≥ [`SUSTAINED_FRACTION`] × offered.
    pub sustained: bool,
    /// End-to-end latency (call: request sent → reply opened; cast/fanout: → request
    /// opened at the server, every delivery).
    pub latency: Latency,
    /// CPU per completed RPC.
    pub cpu_per_rpc: CpuPerRpc,
    /// Envelope seal/open calls per RPC.
    pub envelope_calls_per_rpc: f64,
    /// Mean request payload, bytes.
    pub payload_mean_bytes: f64,
    /// Mean request body on the wire (envelope included), bytes.
    pub wire_mean_bytes: f64,
    /// Failures in the cell (refused opens, failed publishes); 0 in a valid run.
    pub errors: u64,
    /// The first failure, if any.
    pub first_error: Option<String>,
}

impl SystemScenario {
    /// Messages published per RPC ([`Pattern::messages_per_rpc`]).
    pub fn messages_per_rpc(&self) -> u32 {
        self.pattern.messages_per_rpc()
    }

    /// Broker + client CPU per published message, µs (the RPC's divided by
    /// [`Self::messages_per_rpc`]).
    pub fn cpu_per_message_us(&self) -> f64 {
        self.cpu_per_rpc.total_us / f64::from(self.messages_per_rpc())
    }

    /// A short label of the cell without the rate: `seal-all aws-lc tcp`, `plain tls`.
    pub fn label(&self) -> String {
        if self.protection == Protection::Plain {
            format!("plain {}", self.transport.label())
        } else {
            format!(
                "{} {} {}",
                self.protection.label(),
                self.backend,
                self.transport.label()
            )
        }
    }

    /// Same pattern, protection, backend and fanout width: the same configuration at
    /// another rate or over the other transport.
    fn same_setup(&self, other: &Self) -> bool {
        self.pattern == other.pattern
            && self.protection == other.protection
            && self.backend == other.backend
            && self.servers == other.servers
    }
}

/// The run's context and cells.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SystemRun {
    /// `e2e-smoke`, `e2e-quick` or `e2e`.
    pub profile: String,
    /// RabbitMQ version.
    pub broker_version: String,
    /// The AMQP client and its TLS stack.
    pub client: String,
    /// Where the payload sizes come from.
    pub sizes: String,
    /// Median of the size distribution, bytes.
    pub size_p50_bytes: usize,
    /// 99th percentile size, bytes.
    pub size_p99_bytes: usize,
    /// Seconds of offered load per cell.
    pub duration_s: f64,
    /// Time limit after the last send, seconds.
    pub drain_s: f64,
    /// Broker CPU while idle, CPU-seconds per second (already inside `broker_us`).
    pub broker_idle_cpu_per_s: f64,
    /// Cost of the thread-CPU clock pair subtracted from each envelope call, ns.
    pub clock_pair_ns: u64,
    /// Seconds from start to listeners up.
    pub broker_startup_s: f64,
    /// Whole run, seconds.
    pub wall_s: f64,
    /// 1-minute load average before (the machine is shared).
    pub load_average_before: f64,
    /// 1-minute load average after.
    pub load_average_after: f64,
    /// Logical CPUs.
    pub cpus: usize,
    /// Version of the envelope CPU meter that wrote the file ([`METER_VERSION`]); files
    /// without the field were written by version 1.
    #[serde(default = "meter_version_1")]
    pub meter_version: u32,
    /// One record per cell.
    pub scenarios: Vec<SystemScenario>,
}

/// The envelope CPU meter's version. 1: the thread-CPU clock pair was subtracted as measured
/// hot at start-up, and the payload fill and copy were inside the bracket (up to ~1 µs per
/// call of artefact, docs/E2E.md "The in-situ factor"). 2: an unrecorded clock read warms
/// the clock before each bracket, and only `seal`/`open` are inside it.
pub const METER_VERSION: u32 = 2;

fn meter_version_1() -> u32 {
    1
}

impl SystemRun {
    /// Fills `cpu_per_rpc.tls` of every TLS cell that has a TCP twin (same pattern,
    /// protection, backend, fanout width and offered rate).
    pub fn attribute_tls(&mut self) {
        let costs: Vec<Option<TlsCost>> = self
            .scenarios
            .iter()
            .map(|s| tls_cost(&self.scenarios, s))
            .collect();
        for (s, c) in self.scenarios.iter_mut().zip(costs) {
            s.cpu_per_rpc.tls = c;
        }
    }

    /// The cell of `pattern` under `protection` (on `backend`, ignored for plain) over
    /// `transport` at `rate`.
    pub fn find(
        &self,
        pattern: Pattern,
        protection: Protection,
        backend: &str,
        transport: Transport,
        rate: f64,
    ) -> Option<&SystemScenario> {
        self.scenarios.iter().find(|s| {
            s.pattern == pattern
                && s.protection == protection
                && (protection == Protection::Plain || s.backend == backend)
                && s.transport == transport
                && s.offered_per_s == rate
        })
    }

    /// The sustained cell of `pattern` under `protection` over `transport` with the
    /// highest offered rate (`backend` ignored for plain).
    pub fn highest_sustained(
        &self,
        pattern: Pattern,
        protection: Protection,
        backend: &str,
        transport: Transport,
    ) -> Option<&SystemScenario> {
        self.scenarios
            .iter()
            .filter(|s| {
                s.sustained
                    && s.pattern == pattern
                    && s.protection == protection
                    && (protection == Protection::Plain || s.backend == backend)
                    && s.transport == transport
            })
            .max_by(|a, b| a.offered_per_s.total_cmp(&b.offered_per_s))
    }
}

/// What TLS adds to `s` (a TLS cell) over its TCP twin in `scenarios`.
pub fn tls_cost(scenarios: &[SystemScenario], s: &SystemScenario) -> Option<TlsCost> {
    if s.transport != Transport::Tls {
        return None;
    }
    let tcp = scenarios.iter().find(|t| {
        t.transport == Transport::Tcp && t.same_setup(s) && t.offered_per_s == s.offered_per_s
    })?;
    let (a, b) = (&tcp.cpu_per_rpc, &s.cpu_per_rpc);
    let broker_us = (b.broker_us - a.broker_us).max(0.0);
    let clients_us = ((b.clients_us - b.envelope_us) - (a.clients_us - a.envelope_us)).max(0.0);
    Some(TlsCost {
        broker_us,
        clients_us,
        total_us: broker_us + clients_us,
        baseline_id: tcp.id.clone(),
    })
}

/// One side of a comparison: protection, backend (`none` for plain), transport.
pub type Side<'a> = (Protection, &'a str, Transport);

/// A candidate configuration against a baseline at the highest rate both sustain.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Comparison {
    /// What is compared with what (`seal-all (aws-lc, tcp) vs plain (none, tcp), call`).
    pub what: String,
    /// The highest offered rate both sides sustained, RPCs/s (`None`: no common rate).
    pub rate: Option<f64>,
    /// p99 latency of the baseline at that rate, µs.
    pub p99_base_us: f64,
    /// p99 latency of the candidate at that rate, µs.
    pub p99_us: f64,
    /// Candidate − baseline p99, µs.
    pub p99_added_us: f64,
    /// Total CPU per RPC of the baseline at that rate, µs.
    pub cpu_base_us: f64,
    /// Total CPU per RPC of the candidate at that rate, µs.
    pub cpu_us: f64,
    /// The candidate's envelope CPU share of its total CPU per RPC.
    pub envelope_share: f64,
}

/// Compares `candidate` with `base` (same pattern) at the highest rate both sustain.
pub fn compare(
    scenarios: &[SystemScenario],
    pattern: Pattern,
    base: Side<'_>,
    candidate: Side<'_>,
) -> Option<Comparison> {
    let find = |(p, b, t): Side<'_>, rate: f64| {
        scenarios.iter().find(|s| {
            s.pattern == pattern
                && s.protection == p
                && s.backend == b
                && s.transport == t
                && s.offered_per_s == rate
        })
    };
    let mut rates: Vec<f64> = scenarios
        .iter()
        .filter(|s| s.pattern == pattern)
        .map(|s| s.offered_per_s)
        .collect();
    rates.sort_by(|a, b| b.total_cmp(a));
    rates.dedup();
    let best = rates.into_iter().find(|&r| {
        matches!((find(base, r), find(candidate, r)), (Some(a), Some(b)) if a.sustained && b.sustained)
    });
    let what = format!(
        "{} ({}, {}) vs {} ({}, {}), {}",
        candidate.0.label(),
        candidate.1,
        candidate.2.label(),
        base.0.label(),
        base.1,
        base.2.label(),
        pattern.label()
    );
    let rate = best?;
    let (a, b) = (find(base, rate)?, find(candidate, rate)?);
    Some(Comparison {
        what,
        rate: Some(rate),
        p99_base_us: a.latency.p99_us,
        p99_us: b.latency.p99_us,
        p99_added_us: b.latency.p99_us - a.latency.p99_us,
        cpu_base_us: a.cpu_per_rpc.total_us,
        cpu_us: b.cpu_per_rpc.total_us,
        envelope_share: b.cpu_per_rpc.envelope_share,
    })
}

/// Why an end-to-end results file could not be used. Every message names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SystemLoadError {
    /// Not readable, not a results file, or a newer schema.
    #[error(transparent)]
    Results(#[from] LoadError),
    /// Another kind of file (a kat file, a decision, not JSON ...).
    #[error(
        "{} is {what}, expected an end-to-end results file (`scripts/e2e.sh OUTDIR` writes \
         OUTDIR/e2e.json)",
        path.display()
    )]
    WrongKind {
        /// The file.
        path: PathBuf,
        /// What it is.
        what: String,
    },
    /// A results file without end-to-end data (e.g. from `sealbench run`).
    #[error(
        "{} is a results file without system scenarios (no `runs[].system` block{}); \
         `scripts/e2e.sh OUTDIR` (or `sealbench e2e --out OUTDIR`) writes OUTDIR/e2e.json",
        path.display(),
        if *measured { "; its runs are `sealbench run` measurements" } else { "" }
    )]
    NoSystem {
        /// The file.
        path: PathBuf,
        /// Whether it has other (micro-benchmark) scenarios.
        measured: bool,
    },
    /// A `system` block that does not parse.
    #[error("{}: run {run}: not a valid system block: {detail}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The run index.
        run: usize,
        /// The parser's message.
        detail: String,
    },
}

/// An end-to-end results file (`e2e.json`) with its system blocks typed.
#[derive(Debug, Clone)]
pub struct SystemFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// The end-to-end runs (the file's runs that have a `system` block), TLS attributed.
    pub runs: Vec<SystemRun>,
}

impl SystemFile {
    /// Reads `path`: a results file (kind and schema version checked) with at least one
    /// run carrying a `system` block with at least one scenario.
    pub fn load(path: &Path) -> Result<Self, SystemLoadError> {
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// [`SystemFile::load`] on text already read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Self, SystemLoadError> {
        let file = ResultsFile::parse(path, text).map_err(|e| match e {
            LoadError::WrongKind { path, what } => SystemLoadError::WrongKind { path, what },
            e => SystemLoadError::Results(e),
        })?;
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| LoadError::Invalid {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })?;
        let blocks = value
            .get("runs")
            .and_then(serde_json::Value::as_array)
            .map(|runs| {
                runs.iter()
                    .enumerate()
                    .filter_map(|(i, r)| Some((i, r.get("system")?.clone())))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        let mut runs = Vec::new();
        for (i, block) in blocks {
            let mut run: SystemRun =
                serde_json::from_value(block).map_err(|e| SystemLoadError::Invalid {
                    path: path.to_path_buf(),
                    run: i,
                    detail: e.to_string(),
                })?;
            if run.scenarios.iter().all(|s| s.cpu_per_rpc.tls.is_none()) {
                run.attribute_tls();
            }
            if !run.scenarios.is_empty() {
                runs.push(run);
            }
        }
        if runs.is_empty() {
            return Err(SystemLoadError::NoSystem {
                path: path.to_path_buf(),
                measured: file.runs.iter().any(|r| !r.scenarios.is_empty()),
            });
        }
        Ok(Self {
            path: path.to_path_buf(),
            runs,
        })
    }
}
