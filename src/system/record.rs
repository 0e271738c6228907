//! What an end-to-end run records: one [`SystemScenario`] per cell, the run's context
//! ([`SystemRun`]), and the `e2e.json` file: a results file (`kind =
//! "sealbench-results"`, loadable by `ResultsFile::load`) whose scenarios have
//! `layer = "system"`, with the full records under each run's `system` key (the types are
//! in [`crate::results::system`]; readers load them with `SystemFile::load`).

use hdrhistogram::Histogram;

use super::load::{Cell, Outcome, Pattern};
use super::{Broker, CellPlan, Plan, Protection};
pub use crate::results::system::{
    Comparison, CpuPerRpc, Latency, SUSTAINED_FRACTION, SystemRun, SystemScenario, compare,
};
use crate::results::{ScenarioResult, Stats};

/// The 1-minute load average, 0 when unreadable.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}

/// The scenario id of a planned cell.
pub fn scenario_id(c: &CellPlan, fanout_servers: usize) -> String {
    let pattern = match c.pattern {
        Pattern::Fanout => format!("fanout{fanout_servers}"),
        p => p.label().to_string(),
    };
    format!(
        "e2e-{pattern}_{}_{}_{}_r{}",
        c.protection.label(),
        backend_label(c),
        c.transport.label(),
        c.rate.round()
    )
}

fn backend_label(c: &CellPlan) -> &'static str {
    if c.protection == Protection::Plain {
        "none"
    } else {
        c.backend.name
    }
}

fn quantile_us(h: &Histogram<u64>, q: f64) -> f64 {
    if h.is_empty() {
        0.0
    } else {
        h.value_at_quantile(q) as f64 / 1e3
    }
}

/// The 95% interval of the median from the histogram's order statistics, µs.
fn median_ci_us(h: &Histogram<u64>) -> (f64, f64) {
    let n = h.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    let (lo, hi, _) =
        crate::measure::stats::median_ci_ranks(usize::try_from(n).unwrap_or(usize::MAX));
    let q = |rank: usize| h.value_at_quantile(rank as f64 / n as f64) as f64 / 1e3;
    (q(lo), q(hi))
}

fn per(total_ns: u64, n: u64) -> f64 {
    if n == 0 {
        0.0
    } else {
        total_ns as f64 / n as f64 / 1e3
    }
}

impl SystemScenario {
    /// The record of one cell.
    pub fn from_outcome(c: &CellPlan, cell: &Cell, o: &Outcome) -> Self {
        let h = &o.latency;
        let broker_us = per(o.broker_cpu_ns, o.completed);
        let clients_us = per(o.client_cpu_ns, o.completed);
        let envelope_us = per(o.envelope_cpu_ns, o.completed);
        let total_us = broker_us + clients_us;
        let achieved = if o.elapsed_s > 0.0 {
            o.completed as f64 / o.elapsed_s
        } else {
            0.0
        };
        let lost = o.deliveries_expected.saturating_sub(o.deliveries);
        let ci = median_ci_us(h);
        Self {
            id: scenario_id(c, cell.servers),
            pattern: c.pattern,
            protection: c.protection,
            mode: c.protection.mode().map_or("plain", |m| m.label()).into(),
            algorithm: c.protection.algorithm().into(),
            backend: backend_label(c).into(),
            transport: c.transport,
            servers: cell.servers,
            offered_per_s: c.rate,
            achieved_per_s: achieved,
            sent: o.sent,
            completed: o.completed,
            lost_deliveries: lost,
            sustained: lost == 0
                && o.errors == 0
                && o.sent == cell.messages
                && achieved >= SUSTAINED_FRACTION * c.rate,
            latency: Latency {
                p50_us: quantile_us(h, 0.50),
                p90_us: quantile_us(h, 0.90),
                p99_us: quantile_us(h, 0.99),
                p999_us: quantile_us(h, 0.999),
                max_us: h.max() as f64 / 1e3,
                mean_us: h.mean() / 1e3,
                min_us: h.min() as f64 / 1e3,
                p50_ci95_low_us: ci.0,
                p50_ci95_high_us: ci.1,
                cv: if h.mean() > 0.0 {
                    h.stdev() / h.mean()
                } else {
                    0.0
                },
                count: h.len(),
            },
            cpu_per_rpc: CpuPerRpc {
                broker_us,
                clients_us,
                envelope_us,
                total_us,
                envelope_share: if total_us > 0.0 {
                    envelope_us / total_us
                } else {
                    0.0
                },
                tls: None,
            },
            envelope_calls_per_rpc: if o.completed == 0 {
                0.0
            } else {
                o.envelope_calls as f64 / o.completed as f64
            },
            payload_mean_bytes: if o.sent == 0 {
                0.0
            } else {
                o.payload_bytes as f64 / o.sent as f64
            },
            wire_mean_bytes: if o.sent == 0 {
                0.0
            } else {
                o.wire_bytes as f64 / o.sent as f64
            },
            errors: o.errors,
            first_error: o.first_error.clone(),
        }
    }

    /// As a `layer = "system"` [`ScenarioResult`]: `stats` holds the latency distribution
    /// (median = p50, min/max, the order-statistics 95% interval of the median) and
    /// `cpu_median_ns` the total CPU per RPC.
    pub fn to_result(&self) -> ScenarioResult {
        let l = &self.latency;
        let (ci_low, ci_high, min, cv, n) = (
            l.p50_ci95_low_us * 1e3,
            l.p50_ci95_high_us * 1e3,
            l.min_us * 1e3,
            l.cv,
            l.count,
        );
        let median = self.latency.p50_us * 1e3;
        ScenarioResult {
            id: self.id.clone(),
            family: self
                .id
                .rsplit_once("_r")
                .map_or(self.id.clone(), |(f, _)| f.to_string()),
            layer: "system".into(),
            op: self.pattern.label().to_string(),
            mode: Some(self.mode.clone()),
            algorithm: self.algorithm.clone(),
            backend: self.backend.clone(),
            impl_path: None,
            size: self.payload_mean_bytes.round() as u64,
            identity: (self.mode != "plain").then(|| "kid".to_string()),
            recipients: (self.mode == "sign-encrypt")
                .then(|| u32::try_from(self.servers).unwrap_or(u32::MAX)),
            cek_reuse: (self.mode == "sign-encrypt").then_some(1),
            inside_loop: vec![
                "rabbitmq broker".into(),
                format!("amqp over {}", self.transport.label()),
                "open-loop schedule".into(),
                "replay check".into(),
            ],
            overhead_bytes: Some(
                (self.wire_mean_bytes - self.payload_mean_bytes)
                    .max(0.0)
                    .round() as u64,
            ),
            stats: Stats {
                samples: u32::try_from(n).unwrap_or(u32::MAX),
                iters_per_sample: 1,
                median_ns: median,
                min_ns: min,
                max_ns: self.latency.max_us * 1e3,
                ci95_low_ns: ci_low,
                ci95_high_ns: ci_high,
                cv,
                cpu_median_ns: self.cpu_per_rpc.total_us * 1e3,
                noisy: median > 0.0 && (ci_high - ci_low) / median > 0.10,
            },
        }
    }
}

impl SystemRun {
    /// An empty run for `plan` on `broker`.
    pub fn new(plan: &Plan, broker: &Broker, broker_idle_cpu_per_s: f64) -> Self {
        Self {
            profile: plan.name.clone(),
            broker_version: format!("RabbitMQ {}", broker.version()),
            client: format!(
                "lapin {} (rustls {} on aws-lc-rs for TLS), tokio, 2 worker threads",
                crate::backend::crate_version("lapin"),
                crate::backend::crate_version("rustls")
            ),
            sizes: plan.sizes.source.clone(),
            size_p50_bytes: plan.sizes.quantile(0.5),
            size_p99_bytes: plan.sizes.quantile(0.99),
            duration_s: plan.duration.as_secs_f64(),
            drain_s: plan.drain.as_secs_f64(),
            broker_idle_cpu_per_s,
            clock_pair_ns: super::cpu::clock_pair_ns(),
            broker_startup_s: 0.0,
            wall_s: 0.0,
            load_average_before: 0.0,
            load_average_after: 0.0,
            cpus: std::thread::available_parallelism().map_or(0, usize::from),
            meter_version: crate::results::system::METER_VERSION,
            scenarios: Vec::new(),
        }
    }

    /// The `e2e.json` document: a results file with `layer = "system"` scenarios and the
    /// full records under `runs[0].system`.
    pub fn to_results_json(
        &self,
        environment: serde_json::Value,
    ) -> Result<serde_json::Value, serde_json::Error> {
        let run = crate::results::Run {
            environment,
            profile: self.profile.clone(),
            clock: "wall".into(),
            scenarios: self.scenarios.iter().map(|s| s.to_result()).collect(),
            fits: Vec::new(),
            interleaved: None,
        };
        let mut run = serde_json::to_value(run)?;
        if let Some(obj) = run.as_object_mut() {
            obj.insert("system".into(), serde_json::to_value(self)?);
        }
        Ok(serde_json::json!({
            "kind": crate::results::RESULTS_KIND,
            "schema_version": crate::results::SCHEMA_VERSION,
            "runs": [run],
        }))
    }

    /// Reads the system records back from an `e2e.json` document.
    pub fn from_results_json(
        value: &serde_json::Value,
    ) -> Result<Vec<SystemRun>, serde_json::Error> {
        let runs = value
            .get("runs")
            .and_then(serde_json::Value::as_array)
            .cloned()
            .unwrap_or_default();
        runs.into_iter()
            .filter_map(|r| r.get("system").cloned())
            .map(serde_json::from_value)
            .collect()
    }
}
