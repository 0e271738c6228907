//! `decide --system FILE`: the chosen strategy's crypto next to the measured cost of the
//! whole RPC — the broker and the AMQP clients over a real RabbitMQ (`sealbench e2e`,
//! docs/E2E.md).
//!
//! The crypto per message is the decision's own price (seal + every open at the class's
//! size distribution, from the results file: `cores / rate`). The rest of the RPC is
//! measured: broker + client CPU per RPC of the plain cells of the e2e run, at the highest
//! offered rate plain sustained (per-RPC CPU falls as the rate grows: the broker's
//! background work is spread over more RPCs). A call is two messages (request and reply),
//! a cast one, a fanout one publish delivered to every server.
//!
//! Beside the model, the e2e run's own envelope cells (same mode, same backend, call over
//! TCP) give the envelope CPU measured inside the clients, and its TLS cells what TLS to
//! the broker costs there (Erlang's TLS in the broker included, which a TLS record price
//! from `sealbench run` does not see).

use serde::Serialize;

use super::error::DecideError;
use super::evaluate::Row;
use super::profile::Delivery;
use super::{Decision, human};
use crate::results::system::{
    METER_VERSION, Pattern, Protection, SystemFile, SystemRun, Transport,
};

/// The measured broker + client CPU of one plain e2e cell.
#[derive(Debug, Clone, Serialize)]
pub struct BusCost {
    /// The cell's id.
    pub cell: String,
    /// Its RPC pattern.
    pub pattern: Pattern,
    /// Its offered rate, RPCs/s.
    pub offered_per_s: f64,
    /// Servers a fanout reaches (1 otherwise).
    pub servers: usize,
    /// Messages per RPC (call 2, cast and fanout 1).
    pub messages_per_rpc: u32,
    /// Broker CPU per RPC, µs.
    pub broker_us_per_rpc: f64,
    /// Client CPU (caller and servers) per RPC, µs.
    pub clients_us_per_rpc: f64,
    /// Broker + clients per RPC, µs.
    pub total_us_per_rpc: f64,
}

impl BusCost {
    fn of(run: &SystemRun, pattern: Pattern) -> Option<Self> {
        let s = run.highest_sustained(pattern, Protection::Plain, "none", Transport::Tcp)?;
        let c = &s.cpu_per_rpc;
        Some(Self {
            cell: s.id.clone(),
            pattern,
            offered_per_s: s.offered_per_s,
            servers: s.servers,
            messages_per_rpc: s.messages_per_rpc(),
            broker_us_per_rpc: c.broker_us,
            clients_us_per_rpc: c.clients_us,
            total_us_per_rpc: c.total_us,
        })
    }

    /// Broker + clients per published message, µs.
    pub fn total_us_per_message(&self) -> f64 {
        self.total_us_per_rpc / f64::from(self.messages_per_rpc.max(1))
    }
}

/// One class of the chosen strategy: its crypto per message beside the measured bus.
#[derive(Debug, Clone, Serialize)]
pub struct ClassShare {
    /// The class.
    pub class: String,
    /// Its scheme under the strategy (`encrypt0/pairwise`, ...).
    pub scheme: String,
    /// Messages per second.
    pub rate_per_s: f64,
    /// Crypto CPU per message (every seal and open, mean over the size distribution;
    /// TLS records too under a `tls` strategy), µs, from the decision's price.
    pub crypto_us_per_message: f64,
    /// Measured broker + client CPU per message of the matching plain cell, µs.
    pub bus_us_per_message: f64,
    /// The plain cell used.
    pub bus_cell: String,
    /// crypto / (crypto + bus).
    pub share: f64,
}

/// The e2e run's own envelope measurement of one mode used by the strategy.
#[derive(Debug, Clone, Serialize)]
pub struct MeasuredEnvelope {
    /// The protection (the mode the strategy uses).
    pub protection: Protection,
    /// The cell's id.
    pub cell: String,
    /// Envelope CPU inside the clients per RPC (4 calls for a call), µs.
    pub envelope_us_per_rpc: f64,
    /// The cell's broker + client CPU per RPC, µs.
    pub total_us_per_rpc: f64,
    /// envelope / total.
    pub envelope_share: f64,
}

/// The in-situ factor: the envelope CPU per seal or open measured inside the e2e clients
/// over the microbenchmark's price per seal or open, for the rpc class's mode (docs/E2E.md,
/// "The in-situ factor").
#[derive(Debug, Clone, Serialize)]
pub struct InSitu {
    /// The e2e cell (call over TCP, the rpc class's mode, the priced backend).
    pub cell: String,
    /// Envelope CPU per seal or open in that cell, µs (thread CPU, clock pair subtracted).
    pub measured_us_per_call: f64,
    /// The price per seal or open: (seal + open) / 2 at the rpc class's sizes, from the
    /// in-process medians, µs.
    pub price_us_per_call: f64,
    /// measured / price.
    pub factor: f64,
    /// Mean payload of the e2e cell, bytes.
    pub measured_mean_bytes: f64,
    /// Mean payload the price is taken at (the class's distribution), bytes.
    pub priced_mean_bytes: f64,
}

/// measured / price per call, `None` when either is not positive.
pub fn in_situ_factor(measured_us_per_call: f64, price_us_per_call: f64) -> Option<f64> {
    (measured_us_per_call > 0.0 && price_us_per_call > 0.0)
        .then(|| measured_us_per_call / price_us_per_call)
}

/// What TLS to the broker cost in the e2e run (plain call, same rate as the baseline).
#[derive(Debug, Clone, Serialize)]
pub struct MeasuredTls {
    /// The TLS cell's id.
    pub cell: String,
    /// CPU per RPC above the same cell over TCP, µs.
    pub added_us_per_rpc: f64,
    /// Of which in the broker, µs.
    pub broker_us_per_rpc: f64,
    /// p99 latency over TLS minus over TCP at that rate, µs.
    pub p99_added_us: f64,
}

/// The crypto share of the whole RPC for the chosen strategy.
#[derive(Debug, Clone, Serialize)]
pub struct SystemShare {
    /// The e2e file.
    pub file: String,
    /// Its run profile (`e2e-quick`, `e2e`) and broker.
    pub measured_by: String,
    /// The strategy stated.
    pub strategy: String,
    /// The backend it was priced on.
    pub backend: String,
    /// The unicast class a call RPC is made of (request and reply both of it); `None`
    /// when the profile has no unicast class.
    pub rpc_class: Option<String>,
    /// The plain call the RPC is measured by.
    pub bus: BusCost,
    /// Crypto CPU per call RPC (request + reply of `rpc_class`), µs.
    pub crypto_us_per_rpc: f64,
    /// crypto / measured broker + clients (what the envelope adds, relative).
    pub added_fraction: f64,
    /// crypto / (crypto + broker + clients): its share of the protected RPC.
    pub share_of_rpc: f64,
    /// Per class of the profile.
    pub classes: Vec<ClassShare>,
    /// The strategy's crypto over the whole profile, cores (the decision's `cores`).
    pub crypto_cores: f64,
    /// The measured bus over the whole profile: Σ rate × bus per message, cores.
    pub bus_cores: f64,
    /// crypto / (crypto + bus) over the profile.
    pub profile_share: f64,
    /// The e2e run's envelope cells of the strategy's modes on its backend.
    pub measured: Vec<MeasuredEnvelope>,
    /// The rpc class's mode measured per seal/open in the e2e clients over its price.
    pub in_situ: Option<InSitu>,
    /// What TLS to the broker cost in the e2e run, if it has TLS cells.
    pub tls: Option<MeasuredTls>,
    /// How the figures were obtained where it is not the plain reading.
    pub notes: Vec<String>,
    /// The answer in one sentence.
    pub summary: String,
}

/// `crypto / (crypto + bus)`, 0 when both are 0.
pub fn share(crypto: f64, bus: f64) -> f64 {
    let total = crypto + bus;
    if total > 0.0 { crypto / total } else { 0.0 }
}

/// The row `decision` recommends (else seal-all/group on its first backend, as its
/// break-even does), and a note when it is the fallback.
fn chosen(decision: &Decision) -> Result<(&Row, Option<String>), DecideError> {
    let rec = &decision.recommendation;
    let (strategy, backend, note) = match (&rec.strategy, &rec.backend) {
        (Some(s), Some(b)) => (s.clone(), b.clone(), None),
        _ => {
            let b = decision
                .results
                .backends
                .first()
                .cloned()
                .unwrap_or_default();
            (
                "seal-all/group".to_string(),
                b,
                Some("no strategy fits the budget: shown for seal-all/group".to_string()),
            )
        }
    };
    decision
        .rows
        .iter()
        .find(|r| r.strategy == strategy && r.backend == backend)
        .map(|r| (r, note))
        .ok_or(DecideError::SystemStrategy {
            strategy,
            backend,
            detail: "not among the decision's rows".into(),
        })
}

/// States the crypto share of the whole RPC for the strategy `decision` recommends, from
/// the measured broker and client CPU in `file` (its first end-to-end run).
pub fn system_share(decision: &Decision, file: &SystemFile) -> Result<SystemShare, DecideError> {
    let path = file.path.display().to_string();
    let run = file
        .runs
        .first()
        .ok_or_else(|| DecideError::SystemBaseline {
            path: file.path.clone(),
            detail: "no end-to-end run".into(),
        })?;
    let (row, fallback) = chosen(decision)?;
    let costs = row
        .costs
        .as_ref()
        .ok_or_else(|| DecideError::SystemStrategy {
            strategy: row.strategy.clone(),
            backend: row.backend.clone(),
            detail: row
                .unavailable
                .clone()
                .unwrap_or_else(|| "not priced".into()),
        })?;
    let call = BusCost::of(run, Pattern::Call).ok_or_else(|| DecideError::SystemBaseline {
        path: file.path.clone(),
        detail: "no plain call over TCP sustained its offered rate (the baseline every share \
                 is measured against); rerun at lower --rates"
            .into(),
    })?;
    let fanout = BusCost::of(run, Pattern::Fanout);
    let mut notes: Vec<String> = fallback.into_iter().collect();
    if file.runs.len() > 1 {
        notes.push(format!(
            "{path} has {} end-to-end runs; the first is used",
            file.runs.len()
        ));
    }
    let mut classes = Vec::new();
    for (class, cost) in decision.profile.classes.iter().zip(&costs.classes) {
        let bus = match (class.delivery, &fanout) {
            (Delivery::Broadcast, Some(f)) => {
                if u32::try_from(f.servers).ok() != Some(class.fanout) {
                    notes.push(format!(
                        "{}: the bus cost is a fanout to {} servers measured ({}), the class \
                         reaches {}: broker and client work grow with receivers, not scaled",
                        class.name, f.servers, f.cell, class.fanout
                    ));
                }
                f
            }
            (Delivery::Broadcast, None) => {
                notes.push(format!(
                    "{}: no sustained plain fanout in the e2e run; its bus cost is a call's \
                     per message (one receiver)",
                    class.name
                ));
                &call
            }
            (Delivery::Unicast, _) => &call,
        };
        let crypto = if class.rate_per_s > 0.0 {
            cost.cores * 1e6 / class.rate_per_s
        } else {
            0.0
        };
        let bus_us = bus.total_us_per_message();
        classes.push(ClassShare {
            class: class.name.clone(),
            scheme: cost.scheme.label(),
            rate_per_s: class.rate_per_s,
            crypto_us_per_message: crypto,
            bus_us_per_message: bus_us,
            bus_cell: bus.cell.clone(),
            share: share(crypto, bus_us),
        });
    }
    let rpc = decision
        .profile
        .classes
        .iter()
        .zip(&classes)
        .find(|(c, _)| c.delivery == Delivery::Unicast)
        .or_else(|| decision.profile.classes.iter().zip(&classes).next());
    let rpc_class = rpc.map(|(c, _)| c.name.clone());
    let crypto_us_per_rpc =
        rpc.map_or(0.0, |(_, s)| s.crypto_us_per_message) * f64::from(call.messages_per_rpc);
    if rpc.is_some_and(|(c, _)| c.delivery == Delivery::Broadcast) {
        notes.push(
            "the profile has no unicast class: the per-RPC figure prices a call with its \
             broadcast class's messages"
                .into(),
        );
    }
    let bus_cores: f64 = classes
        .iter()
        .map(|c| c.rate_per_s * c.bus_us_per_message / 1e6)
        .sum();
    let mut measured = Vec::new();
    let mut modes: Vec<Protection> = costs
        .classes
        .iter()
        .filter_map(|c| Protection::of_mode(c.scheme.mode))
        .filter(|p| *p != Protection::Plain)
        .collect();
    modes.sort();
    modes.dedup();
    for p in modes {
        let cell = run
            .find(
                Pattern::Call,
                p,
                &row.backend,
                Transport::Tcp,
                call.offered_per_s,
            )
            .filter(|s| s.sustained)
            .or_else(|| run.highest_sustained(Pattern::Call, p, &row.backend, Transport::Tcp));
        match cell {
            Some(s) => measured.push(MeasuredEnvelope {
                protection: p,
                cell: s.id.clone(),
                envelope_us_per_rpc: s.cpu_per_rpc.envelope_us,
                total_us_per_rpc: s.cpu_per_rpc.total_us,
                envelope_share: s.cpu_per_rpc.envelope_share,
            }),
            None => notes.push(format!(
                "the e2e run has no sustained {} call on {} to check the price against",
                p.label(),
                row.backend
            )),
        }
    }
    let tls = run
        .find(
            Pattern::Call,
            Protection::Plain,
            "none",
            Transport::Tls,
            call.offered_per_s,
        )
        .or_else(|| run.highest_sustained(Pattern::Call, Protection::Plain, "none", Transport::Tls))
        .and_then(|s| {
            let t = s.cpu_per_rpc.tls.as_ref()?;
            let tcp = run.scenarios.iter().find(|x| x.id == t.baseline_id)?;
            Some(MeasuredTls {
                cell: s.id.clone(),
                added_us_per_rpc: t.total_us,
                broker_us_per_rpc: t.broker_us,
                p99_added_us: s.latency.p99_us - tcp.latency.p99_us,
            })
        });
    let added_fraction = if call.total_us_per_rpc > 0.0 {
        crypto_us_per_rpc / call.total_us_per_rpc
    } else {
        0.0
    };
    let what = if row.strategy.starts_with("tls") {
        "its crypto (envelope and TLS records)"
    } else {
        "the envelope"
    };
    let summary = format!(
        "{} on {}: {what} adds {} µs CPU per RPC ({} call: request and reply), {}% of the \
         measured {} µs of broker + client CPU ({} at {}/s), {}% of the protected RPC; over \
         the whole profile {} of {} cores ({}%).",
        row.strategy,
        row.backend,
        human(crypto_us_per_rpc),
        rpc_class.as_deref().unwrap_or("a"),
        human(100.0 * added_fraction),
        human(call.total_us_per_rpc),
        call.cell,
        human(call.offered_per_s),
        human(100.0 * share(crypto_us_per_rpc, call.total_us_per_rpc)),
        human(costs.cores),
        human(costs.cores + bus_cores),
        human(100.0 * share(costs.cores, bus_cores)),
    );
    // The rpc class's own mode measured inside the e2e clients, beside the price.
    let rpc_protection = rpc
        .and_then(|(c, _)| costs.classes.iter().find(|k| k.class == c.name))
        .and_then(|k| Protection::of_mode(k.scheme.mode));
    let rpc_measured = rpc_protection.and_then(|p| measured.iter().find(|m| m.protection == p));
    let in_situ = rpc_measured.and_then(|m| {
        let cell = run.scenarios.iter().find(|x| x.id == m.cell)?;
        let calls = cell.envelope_calls_per_rpc;
        let per_call_price = crypto_us_per_rpc / f64::from(call.messages_per_rpc.max(1) * 2);
        let measured_us_per_call = if calls > 0.0 {
            m.envelope_us_per_rpc / calls
        } else {
            0.0
        };
        Some(InSitu {
            cell: m.cell.clone(),
            measured_us_per_call,
            price_us_per_call: per_call_price,
            factor: in_situ_factor(measured_us_per_call, per_call_price)?,
            measured_mean_bytes: cell.payload_mean_bytes,
            priced_mean_bytes: rpc.map_or(0.0, |(c, _)| c.sizes.mean()),
        })
    });
    let summary = match rpc_measured {
        Some(m) => format!(
            "{summary} Measured inside the e2e clients ({}): {} µs per RPC in envelope calls, {}% \
             of that cell's CPU.",
            m.cell,
            human(m.envelope_us_per_rpc),
            human(100.0 * m.envelope_share),
        ),
        None => summary,
    };
    let summary = match &in_situ {
        Some(f) => format!(
            "{summary} In-situ factor {}×: {} µs per seal or open measured there (mean payload \
             {} B) against {} µs priced by the in-process microbenchmark (mean {} B). The \
             excess is the envelope's own CPU in a busy RPC process: state gone cold in the \
             idle gap between messages (it grows as the rate falls) and a loaded machine \
             (docs/E2E.md, \"The in-situ factor\"). Quote the measured figure for whole-RPC \
             CPU at that rate, the price to compare strategies and backends.{}",
            human(f.factor),
            human(f.measured_us_per_call),
            human(f.measured_mean_bytes),
            human(f.price_us_per_call),
            human(f.priced_mean_bytes),
            if run.meter_version < METER_VERSION {
                format!(
                    " This file was written by envelope meter version {} (before the fix): \
                     its envelope figures include up to ~1 µs per call of clock and \
                     payload-copy artefact; re-run scripts/e2e.sh.",
                    run.meter_version
                )
            } else {
                String::new()
            },
        ),
        None => summary,
    };
    Ok(SystemShare {
        file: path,
        measured_by: format!("{} ({})", run.profile, run.broker_version),
        strategy: row.strategy.clone(),
        backend: row.backend.clone(),
        rpc_class,
        share_of_rpc: share(crypto_us_per_rpc, call.total_us_per_rpc),
        added_fraction,
        crypto_us_per_rpc,
        bus: call,
        classes,
        crypto_cores: costs.cores,
        bus_cores,
        profile_share: share(costs.cores, bus_cores),
        measured,
        in_situ,
        tls,
        notes,
        summary,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_situ_factor_is_measured_over_price() {
        assert_eq!(in_situ_factor(2.24, 0.315), Some(2.24 / 0.315));
        assert_eq!(in_situ_factor(0.0, 0.315), None);
        assert_eq!(in_situ_factor(2.24, 0.0), None);
        assert!((in_situ_factor(0.63, 0.315).unwrap() - 2.0).abs() < 1e-12);
    }

    #[test]
    fn share_is_a_fraction_of_the_sum() {
        assert_eq!(share(0.0, 0.0), 0.0);
        assert!((share(14.0, 361.0) - 14.0 / 375.0).abs() < 1e-12);
        assert_eq!(share(5.0, 0.0), 1.0);
    }
}
