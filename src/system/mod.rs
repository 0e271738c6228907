//! The answer measured end to end: oslo.messaging-shaped RPC over a real RabbitMQ broker,
//! with and without the envelope, with and without TLS to the broker (`sealbench e2e`,
//! `scripts/e2e.sh`; docs/E2E.md).
//!
//! - [`broker`]: the run's own RabbitMQ node on free loopback ports (plain and mutual-TLS
//!   listeners), stopped at the end; [`pki`]: the CA and certificates it uses.
//! - [`protection`]: plain or an envelope mode with its key scope, per node.
//! - [`load`]: call / cast / fanout at a fixed offered rate (open loop), latencies in an
//!   HDR histogram, CPU of the broker, the clients and the envelope calls.
//! - [`record`]: the `layer = "system"` scenarios written to `e2e.json`.

pub mod broker;
pub mod cpu;
pub mod error;
pub mod load;
pub mod pki;
pub mod protection;
pub mod record;
pub mod sizes;

use std::time::{Duration, Instant};

pub use crate::results::system::{SystemRun, SystemScenario, Transport};
pub use broker::{Broker, BrokerOptions};
pub use error::SystemError;
pub use load::Pattern;
pub use protection::Protection;
pub use sizes::SizeDistribution;

use crate::backend::Backend;

/// One measured configuration.
#[derive(Debug, Clone, Copy)]
pub struct CellPlan {
    /// Transport to the broker.
    pub transport: Transport,
    /// Message protection.
    pub protection: Protection,
    /// Envelope backend (any for plain).
    pub backend: &'static Backend,
    /// RPC pattern.
    pub pattern: Pattern,
    /// Offered load, RPCs per second.
    pub rate: f64,
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Name recorded as the results' `profile` (`e2e-quick`, `e2e`).
    pub name: String,
    /// How to start the broker.
    pub broker: BrokerOptions,
    /// Payload sizes.
    pub sizes: SizeDistribution,
    /// The cells, in order.
    pub cells: Vec<CellPlan>,
    /// Seconds of offered load per cell.
    pub duration: Duration,
    /// Longest wait for outstanding replies after a cell's last send.
    pub drain: Duration,
    /// Servers consuming a fanout.
    pub fanout_servers: usize,
    /// Idle broker CPU is sampled for this long before the cells.
    pub idle_sample: Duration,
}

/// Progress callbacks (the CLI draws a bar).
pub trait Progress {
    /// Called before cell `index` of `total`.
    fn cell(&self, index: usize, total: usize, label: &str);
    /// Called after each cell with its record.
    fn done(&self, scenario: &SystemScenario);
}

/// Starts the broker, runs every cell, stops the broker. The broker is stopped on every
/// path out (its `Drop`), errors included.
pub fn run(plan: &Plan, progress: &dyn Progress) -> Result<SystemRun, SystemError> {
    let started = Instant::now();
    let load_before = record::load_average();
    let broker = Broker::start(&plan.broker)?;
    let startup_s = started.elapsed().as_secs_f64();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .enable_io()
        .build()
        .map_err(SystemError::io("tokio runtime"))?;
    let result = rt.block_on(run_cells(plan, &broker, progress));
    // Connections are closed inside; the runtime goes before the broker.
    drop(rt);
    let stopped = broker.stop();
    let mut run = result?;
    stopped?;
    run.broker_startup_s = startup_s;
    run.load_average_before = load_before;
    run.load_average_after = record::load_average();
    run.wall_s = started.elapsed().as_secs_f64();
    Ok(run)
}

async fn run_cells(
    plan: &Plan,
    broker: &Broker,
    progress: &dyn Progress,
) -> Result<SystemRun, SystemError> {
    let pid = broker.pid();
    // The broker's own background CPU (timers, stats), for reading the per-message figures.
    let idle0 = cpu::process_cpu_ns(pid)?;
    tokio::time::sleep(plan.idle_sample).await;
    let idle = cpu::process_cpu_ns(pid)?.saturating_sub(idle0);
    let idle_per_s = idle as f64 / plan.idle_sample.as_secs_f64().max(1e-3) / 1e9;
    let pki = broker.pki();
    let tls = load::tls_config(&pki.ca_cert, &pki.client_cert, &pki.client_key)?;
    let mut run = SystemRun::new(plan, broker, idle_per_s);
    let total = plan.cells.len();
    for transport in [Transport::Tcp, Transport::Tls] {
        let cells: Vec<(usize, &CellPlan)> = plan
            .cells
            .iter()
            .enumerate()
            .filter(|(_, c)| c.transport == transport)
            .collect();
        let Some((_, first)) = cells.first() else {
            continue;
        };
        let link = match transport {
            Transport::Tcp => load::Link::open(&broker.amqp_uri(), None).await?,
            Transport::Tls => load::Link::open(&broker.amqps_uri(), Some(&tls)).await?,
        };
        // Warm-up: connections, queues, the broker's code paths, the backend's keys.
        let warm = load::Cell {
            number: 10_000 + transport as usize,
            pattern: Pattern::Call,
            rate: first.rate.min(200.0),
            messages: 100,
            drain: plan.drain,
            servers: 1,
            seed: 1,
        };
        let keys = protection::Keys::new(first.protection, first.backend, 1)?;
        load::run_cell(&link, &keys, &plan.sizes, pid, &warm).await?;
        for (index, c) in cells {
            let label = record::scenario_id(c, plan.fanout_servers);
            progress.cell(index, total, &label);
            let servers = if c.pattern == Pattern::Fanout {
                plan.fanout_servers
            } else {
                1
            };
            let keys = protection::Keys::new(c.protection, c.backend, servers)?;
            let messages = (c.rate * plan.duration.as_secs_f64()).round().max(1.0) as u64;
            let cell = load::Cell {
                number: index,
                pattern: c.pattern,
                rate: c.rate,
                messages,
                drain: plan.drain,
                servers,
                seed: 0x0517_0517,
            };
            let outcome = load::run_cell(&link, &keys, &plan.sizes, pid, &cell).await?;
            let scenario = SystemScenario::from_outcome(c, &cell, &outcome);
            progress.done(&scenario);
            run.scenarios.push(scenario);
        }
        link.close().await;
    }
    run.attribute_tls();
    Ok(run)
}
