//! The channel scenarios of one run taken apart, and the envelope costs they are set
//! beside.

use std::collections::BTreeMap;

use super::super::input::Machine;
use super::super::plots::{Dash, Marker};
use super::super::style::backend_colour;
use super::super::tables::{num, variant_rank};
use crate::results::ScenarioResult;

/// Messages per connection the amortized table always shows (the matrix's
/// `MESSAGES_PER_CONNECTION`; other counts in the results are added).
pub(super) const PER_CONNECTION: &[u32] = &[1, 10, 100, 10_000];

/// How a channel scenario's two ends were connected (the backend's `@` tag).
pub(super) const LOOPBACK: &str = "loopback";

/// One `layer = "channel"` scenario, its labels taken apart.
#[derive(Debug, Clone, Copy)]
pub(super) struct Chan<'a> {
    /// TLS stack label (`rustls-aws-lc`).
    pub(super) stack: &'a str,
    /// `loopback` (real TCP sockets) or the backend's tag (`memory`).
    pub(super) transport: &'a str,
    /// Certificate signature (`ed25519`, `ecdsap256`).
    pub(super) cert: &'a str,
    /// Record AEAD (`aes128gcm`).
    pub(super) aead: &'a str,
    /// Messages per connection (`_conn<n>` families), `None` on an established connection.
    pub(super) per_connection: Option<u32>,
    pub(super) s: &'a ScenarioResult,
}

impl<'a> Chan<'a> {
    pub(super) fn parse(s: &'a ScenarioResult) -> Option<Self> {
        if s.layer != "channel" {
            return None;
        }
        let (stack, transport) = s.backend.split_once('@').unwrap_or((&s.backend, LOOPBACK));
        // `x25519+ed25519+aes128gcm`: key exchange, certificates, record AEAD.
        let cert = s.algorithm.split('+').nth(1).unwrap_or("");
        let aead = s.algorithm.rsplit('+').next().unwrap_or("");
        let per_connection = s
            .family
            .rsplit_once("_conn")
            .and_then(|(_, n)| n.parse().ok());
        Some(Self {
            stack,
            transport,
            cert,
            aead,
            per_connection,
            s,
        })
    }

    pub(super) fn path(&self) -> StackPath<'a> {
        StackPath {
            stack: self.stack,
            transport: self.transport,
        }
    }
}

/// A stack over one transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct StackPath<'a> {
    pub(super) stack: &'a str,
    pub(super) transport: &'a str,
}

impl StackPath<'_> {
    pub(super) fn label(&self) -> String {
        format!("{} ({})", self.stack, transport_label(self.transport))
    }

    pub(super) fn sort_key(&self) -> (usize, usize, String, String) {
        let transport = usize::from(self.transport != LOOPBACK);
        let library = library_of(self.stack);
        (
            backend_colour(&library),
            transport,
            self.stack.to_string(),
            self.transport.to_string(),
        )
    }
}

pub(super) fn transport_label(transport: &str) -> String {
    match transport {
        LOOPBACK => "loopback TCP".into(),
        "memory" => "in memory".into(),
        other => other.into(),
    }
}

/// The envelope backend whose library does `stack`'s cryptography.
pub(super) fn library_of(stack: &str) -> String {
    crate::channel::Stack::by_label(stack)
        .and_then(crate::channel::Stack::backend)
        .map_or_else(
            || stack.strip_prefix("rustls-").unwrap_or(stack).to_string(),
            |b| b.name.to_string(),
        )
}

/// Certificate types in the matrix's order (Ed25519 first), unknown labels last.
pub(super) fn cert_rank(cert: &str) -> (usize, String) {
    let rank = crate::channel::CertAlg::ALL
        .iter()
        .position(|c| c.label() == cert)
        .unwrap_or(usize::MAX);
    (rank, cert.to_string())
}

/// Certificates' signature as prose.
pub(super) fn cert_label(cert: &str) -> String {
    match cert {
        "ed25519" => "Ed25519".into(),
        "ecdsap256" => "ECDSA P-256".into(),
        other => other.into(),
    }
}

pub(super) fn us(ns: f64) -> String {
    num(ns / 1000.0)
}

/// A cost at one size: median (ns), its 95% interval, noisy flag and bytes added.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Cost {
    pub(super) ns: f64,
    pub(super) low: f64,
    pub(super) high: f64,
    pub(super) noisy: bool,
    pub(super) bytes: Option<u64>,
}

impl Cost {
    pub(super) fn of(s: &ScenarioResult) -> Self {
        Self {
            ns: s.stats.median_ns,
            low: s.stats.ci95_low_ns,
            high: s.stats.ci95_high_ns,
            noisy: s.stats.noisy,
            bytes: s.overhead_bytes,
        }
    }

    /// Seal followed by open: times add up, the bytes are the sealed message's.
    pub(super) fn seal_open(seal: &ScenarioResult, open: &ScenarioResult) -> Self {
        Self {
            ns: seal.stats.median_ns + open.stats.median_ns,
            low: seal.stats.ci95_low_ns + open.stats.ci95_low_ns,
            high: seal.stats.ci95_high_ns + open.stats.ci95_high_ns,
            noisy: seal.stats.noisy || open.stats.noisy,
            bytes: seal.overhead_bytes,
        }
    }

    pub(super) fn cell(&self) -> String {
        let v = us(self.ns);
        if self.noisy { format!("{v}*") } else { v }
    }
}

/// The per-message paths compared, in legend order: each has its own line style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    TlsLoopback,
    TlsOther,
    Encrypt0,
    Sign1,
}

impl Kind {
    pub(super) fn style(self) -> (Dash, Marker) {
        match self {
            Self::TlsLoopback => (Dash::Solid, Marker::Circle),
            Self::TlsOther => (Dash::DashDot, Marker::Ring),
            Self::Encrypt0 => (Dash::Dashed, Marker::Square),
            Self::Sign1 => (Dash::Dotted, Marker::Triangle),
        }
    }
}

/// One line of the per-message comparison: a path on one library, cost per size.
#[derive(Debug, Clone)]
pub(super) struct Line {
    pub(super) library: String,
    pub(super) kind: Kind,
    pub(super) label: String,
    /// Legend text in the plot.
    pub(super) legend: String,
    /// For TLS lines, the stack (bytes are merged per stack).
    pub(super) stack: Option<String>,
    pub(super) costs: BTreeMap<u64, Cost>,
}

/// Envelope seal + open of `mode` with `alg` on `backend`, per size: the smallest
/// variant (`kid` first), seal and open of the same variant.
pub(super) fn envelope_costs(
    m: &Machine,
    backend: &str,
    mode: &str,
    alg: &str,
) -> BTreeMap<u64, Cost> {
    let matching = |op: &'static str| {
        m.run.scenarios.iter().filter(move |s| {
            s.layer == "envelope"
                && s.op == op
                && s.backend == backend
                && s.mode.as_deref() == Some(mode)
                && s.algorithm == alg
        })
    };
    let Some(best) = matching("seal").map(variant_rank).min() else {
        return BTreeMap::new();
    };
    let opens: BTreeMap<u64, &ScenarioResult> = matching("open")
        .filter(|s| variant_rank(s) == best)
        .map(|s| (s.size, s))
        .collect();
    matching("seal")
        .filter(|s| variant_rank(s) == best)
        .filter_map(|s| Some((s.size, Cost::seal_open(s, opens.get(&s.size)?))))
        .collect()
}

/// Everything the section reads from one machine's channel scenarios.
pub(super) struct Channel<'a> {
    pub(super) chans: Vec<Chan<'a>>,
}

impl<'a> Channel<'a> {
    pub(super) fn of(m: &'a Machine) -> Self {
        Self {
            chans: m.run.scenarios.iter().filter_map(Chan::parse).collect(),
        }
    }

    pub(super) fn paths(&self) -> Vec<StackPath<'a>> {
        let mut v: Vec<StackPath<'a>> = self.chans.iter().map(Chan::path).collect();
        v.sort_by_key(StackPath::sort_key);
        v.dedup();
        v
    }

    pub(super) fn find(
        &self,
        path: StackPath<'_>,
        op: &str,
        cert: Option<&str>,
    ) -> Option<&Chan<'a>> {
        self.chans.iter().find(|c| {
            c.path() == path
                && c.s.op == op
                && c.per_connection.is_none()
                && cert.is_none_or(|cert| c.cert == cert)
        })
    }

    /// Messages on an established connection, per size.
    pub(super) fn messages(&self, path: StackPath<'_>) -> BTreeMap<u64, &Chan<'a>> {
        self.chans
            .iter()
            .filter(|c| c.path() == path && c.s.op == "message" && c.per_connection.is_none())
            .map(|c| (c.s.size, c))
            .collect()
    }

    /// Messages on connections of `n`: (n, size) → scenario.
    pub(super) fn amortized(&self, path: StackPath<'_>) -> BTreeMap<(u32, u64), &Chan<'a>> {
        self.chans
            .iter()
            .filter(|c| c.path() == path && c.s.op == "message")
            .filter_map(|c| Some(((c.per_connection?, c.s.size), c)))
            .collect()
    }

    /// The certificate type of the message scenarios (Ed25519 in the matrix).
    pub(super) fn message_cert(&self, path: StackPath<'_>) -> Option<&'a str> {
        self.chans
            .iter()
            .find(|c| c.path() == path && c.s.op == "message")
            .map(|c| c.cert)
    }
}

/// The per-message lines: per library, the TLS record on each transport, then Encrypt0
/// with the record's AEAD and Sign1 with the certificates' signature.
pub(super) fn message_lines(m: &Machine, ch: &Channel<'_>) -> Vec<Line> {
    let mut lines = Vec::new();
    let mut libraries: Vec<(String, &str, &str)> = Vec::new();
    for path in ch.paths() {
        let msgs = ch.messages(path);
        if msgs.is_empty() {
            continue;
        }
        let library = library_of(path.stack);
        let kind = if path.transport == LOOPBACK {
            Kind::TlsLoopback
        } else {
            Kind::TlsOther
        };
        lines.push(Line {
            library: library.clone(),
            kind,
            label: format!("TLS record, {}", path.label()),
            legend: format!(
                "{} TLS, {}",
                path.stack,
                if path.transport == LOOPBACK {
                    "loopback"
                } else {
                    "in memory"
                }
            ),
            stack: Some(path.stack.to_string()),
            costs: msgs
                .iter()
                .map(|(size, c)| (*size, Cost::of(c.s)))
                .collect(),
        });
        if let Some(first) = msgs.values().next()
            && !libraries.iter().any(|l| l.0 == library)
        {
            libraries.push((library, first.aead, first.cert));
        }
    }
    for (library, aead, cert) in libraries {
        for (kind, mode, alg, name) in [
            (Kind::Encrypt0, "encrypt0", aead, "Encrypt0"),
            (Kind::Sign1, "sign1", cert, "Sign1"),
        ] {
            let costs = envelope_costs(m, &library, mode, alg);
            if !costs.is_empty() {
                lines.push(Line {
                    library: library.clone(),
                    kind,
                    label: format!("{name} {alg} (seal + open)"),
                    legend: format!("{library} {name} {alg}"),
                    stack: None,
                    costs,
                });
            }
        }
    }
    lines.sort_by_key(|l| (backend_colour(&l.library), l.library.clone(), l.kind));
    lines
}
