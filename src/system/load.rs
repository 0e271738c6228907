//! The oslo.messaging-shaped load: `call` (request to the server's topic queue, reply to
//! the caller's reply queue, matched by correlation id), `cast` (request only) and
//! `fanout` (one publish to a fanout exchange, delivered to every server's queue).
//!
//! Open loop: message `i` is due at `t0 + i / rate` whatever happened before, and its
//! latency is measured from that due time (not from when it was actually sent), so a
//! stall shows as latency instead of silently lowering the offered load (coordinated
//! omission). The sender catches up without sleeping when it is late. Each cell is bounded:
//! `rate × duration` messages, then at most `drain` for the last replies; what has not
//! arrived by then is counted as lost.
//!
//! One process plays every AMQP client (the caller and the servers, each on its own
//! connection), so the process's CPU time is "the clients". Servers acknowledge each
//! delivery; the caller's reply consumer is no-ack (oslo's reply queues). Messages are
//! transient (oslo's default `amqp_durable_queues = False`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use lapin::message::DeliveryResult;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::tcp::{OwnedIdentity, OwnedTLSConfig};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties, ExchangeKind};

use super::cpu::{self, EnvelopeMeter};
use super::error::SystemError;
use super::protection::{Keys, METHOD, Node, To};
use super::sizes::SizeDistribution;
use crate::envelope::{MessageBuf, Opener, Sealer};

pub use crate::results::system::Pattern;

/// The connections of the caller and the servers over one transport.
pub struct Link {
    caller: Connection,
    server: Connection,
    /// `tcp` or `tls`.
    pub transport: &'static str,
}

async fn connect(
    uri: &str,
    tls: Option<&OwnedTLSConfig>,
    who: &str,
) -> Result<Connection, SystemError> {
    let runtime = lapin::runtime::default_runtime().map_err(SystemError::amqp("runtime"))?;
    let props =
        ConnectionProperties::default().with_connection_name(format!("sealbench-e2e-{who}").into());
    Connection::connect_with_config(uri, props, tls.cloned().unwrap_or_default(), runtime)
        .await
        .map_err(SystemError::amqp(format!(
            "connect {who} to {}",
            redact(uri)
        )))
}

fn redact(uri: &str) -> String {
    match (uri.find("://"), uri.find('@')) {
        (Some(a), Some(b)) if b > a => format!(
            "{}://***{}",
            uri.get(..a).unwrap_or(""),
            uri.get(b..).unwrap_or("")
        ),
        _ => uri.to_string(),
    }
}

/// The client identity and trust anchor for mutual TLS, from PEM files.
pub fn tls_config(
    ca: &std::path::Path,
    cert: &std::path::Path,
    key: &std::path::Path,
) -> Result<OwnedTLSConfig, SystemError> {
    let read =
        |p: &std::path::Path| std::fs::read(p).map_err(SystemError::io(p.display().to_string()));
    let ca_pem = String::from_utf8(read(ca)?)
        .map_err(|_| SystemError::Pki("CA certificate is not PEM text".into()))?;
    Ok(OwnedTLSConfig {
        identity: Some(OwnedIdentity::PKCS8 {
            pem: read(cert)?,
            key: read(key)?,
        }),
        cert_chain: Some(ca_pem),
    })
}

impl Link {
    /// Connects the caller and the servers to `uri` (TLS when `tls` is given).
    pub async fn open(uri: &str, tls: Option<&OwnedTLSConfig>) -> Result<Self, SystemError> {
        Ok(Self {
            caller: connect(uri, tls, "caller").await?,
            server: connect(uri, tls, "servers").await?,
            transport: if tls.is_some() { "tls" } else { "tcp" },
        })
    }

    /// Closes both connections.
    pub async fn close(self) {
        let _ = self.caller.close(200, "done".into()).await;
        let _ = self.server.close(200, "done".into()).await;
    }
}

/// One cell of the matrix: a pattern at a rate under a protection.
#[derive(Debug, Clone)]
pub struct Cell {
    /// Sequence number (unique queue names).
    pub number: usize,
    /// RPC pattern.
    pub pattern: Pattern,
    /// Offered load, RPCs per second.
    pub rate: f64,
    /// Messages sent (the count bound).
    pub messages: u64,
    /// Wait after the last send for outstanding replies (the time bound).
    pub drain: Duration,
    /// Servers (fanout consumers; 1 for call and cast).
    pub servers: usize,
    /// Seed of the size stream (the same in every protection).
    pub seed: u64,
}

/// What one cell measured.
#[derive(Debug)]
pub struct Outcome {
    /// RPCs sent.
    pub sent: u64,
    /// RPCs completed (call: reply opened; cast: request opened; fanout: all deliveries).
    pub completed: u64,
    /// Deliveries expected and received (fanout: N per publish).
    pub deliveries_expected: u64,
    /// Deliveries received and processed.
    pub deliveries: u64,
    /// Seconds from the first due time to the last completion (or the deadline).
    pub elapsed_s: f64,
    /// Latency of each completed delivery, ns, from its due time.
    pub latency: Histogram<u64>,
    /// Broker CPU over the cell, ns.
    pub broker_cpu_ns: u64,
    /// This process's CPU over the cell (all clients), ns.
    pub client_cpu_ns: u64,
    /// CPU inside envelope seal/open calls, ns (part of `client_cpu_ns`).
    pub envelope_cpu_ns: u64,
    /// Envelope calls made.
    pub envelope_calls: u64,
    /// Payload bytes of the requests, summed.
    pub payload_bytes: u64,
    /// Request bytes on the wire (AMQP body), summed.
    pub wire_bytes: u64,
    /// Failures inside the cell (an open refused, a publish failed), with the first one.
    pub errors: u64,
    /// The first error, if any.
    pub first_error: Option<String>,
}

struct Shared {
    /// Due time of message 0, set after the set-up, just before the first send.
    t0: std::sync::OnceLock<Instant>,
    interval: Duration,
    latency: Mutex<Histogram<u64>>,
    deliveries: AtomicU64,
    replies: AtomicU64,
    meter: EnvelopeMeter,
    errors: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl Shared {
    fn due(&self, seq: u64) -> Instant {
        let n = u32::try_from(seq).unwrap_or(u32::MAX);
        let t0 = self.t0.get().copied().unwrap_or_else(Instant::now);
        t0 + self.interval.saturating_mul(n)
    }

    fn record(&self, seq: u64) {
        let lat = Instant::now().saturating_duration_since(self.due(seq));
        let ns = u64::try_from(lat.as_nanos()).unwrap_or(u64::MAX);
        self.latency
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .saturating_record(ns);
    }

    fn fail(&self, what: String) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        let mut first = self
            .first_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if first.is_none() {
            *first = Some(what);
        }
    }

    /// Opens `data` in place (plain: nothing to do).
    fn open(&self, opener: &Mutex<Option<Opener>>, data: &mut [u8]) -> Result<(), String> {
        let mut guard = opener.lock().unwrap_or_else(PoisonError::into_inner);
        match guard.as_mut() {
            None => Ok(()),
            Some(o) => self
                .meter
                .time(|| o.open(data).map(|_| ()).map_err(|e| e.to_string())),
        }
    }
}

/// Seals a `size`-byte payload, or returns it as is for plain. Only the seal is timed:
/// writing the payload (the application's work) and copying the wire bytes for lapin
/// (the client library's) happen outside the meter, as in the microbenchmark, so the
/// envelope's figure and its price time the same work.
fn body(
    meter: &EnvelopeMeter,
    sealer: Option<&mut Sealer>,
    msg: &mut MessageBuf,
    size: usize,
) -> Result<Vec<u8>, String> {
    match sealer {
        None => Ok(vec![0x5a; size]),
        Some(s) => {
            s.payload_buf(msg, size).fill(0x5a);
            meter
                .time(|| s.seal(METHOD, msg))
                .map_err(|e| e.to_string())?;
            Ok(msg.wire().to_vec())
        }
    }
}

fn seq_of(props: &BasicProperties) -> Option<u64> {
    props.correlation_id().as_ref()?.as_str().parse().ok()
}

struct Server {
    channel: Channel,
    opener: Mutex<Option<Opener>>,
    reply: Mutex<(Option<Sealer>, MessageBuf, super::sizes::Sampler)>,
}

const PREFETCH: u16 = 256;

/// Runs one cell on `link` with `keys`, payload sizes drawn from `sizes`.
pub async fn run_cell(
    link: &Link,
    keys: &Keys,
    sizes: &SizeDistribution,
    broker_pid: u32,
    cell: &Cell,
) -> Result<Outcome, SystemError> {
    let prefix = format!("e2e.{}.{}", cell.number, cell.pattern.label());
    let interval = Duration::from_secs_f64(1.0 / cell.rate.max(1e-3));
    let shared = Arc::new(Shared {
        t0: std::sync::OnceLock::new(),
        interval,
        latency: Mutex::new(
            Histogram::new_with_bounds(1_000, 120_000_000_000, 3).map_err(|e| {
                SystemError::Input {
                    what: "histogram".into(),
                    detail: e.to_string(),
                }
            })?,
        ),
        deliveries: AtomicU64::new(0),
        replies: AtomicU64::new(0),
        meter: EnvelopeMeter::new(cpu::clock_pair_ns()),
        errors: AtomicU64::new(0),
        first_error: Mutex::new(None),
    });
    let servers = if cell.pattern == Pattern::Fanout {
        cell.servers.max(1)
    } else {
        1
    };

    // Topology: the servers' queues (and the fanout exchange), the caller's reply queue.
    let caller_ch = link
        .caller
        .create_channel()
        .await
        .map_err(SystemError::amqp("caller channel"))?;
    let topic = format!("{prefix}.topic.compute-1");
    let exchange = format!("{prefix}.fanout");
    let reply_queue = format!("{prefix}.reply.{}", super::protection::CALLER);
    let qopts = QueueDeclareOptions {
        auto_delete: true,
        ..QueueDeclareOptions::default()
    };
    if cell.pattern == Pattern::Fanout {
        caller_ch
            .exchange_declare(
                exchange.as_str().into(),
                ExchangeKind::Fanout,
                ExchangeDeclareOptions {
                    auto_delete: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(SystemError::amqp("declare fanout exchange"))?;
    }
    let mut server_state = Vec::new();
    for i in 0..servers {
        let ch = link
            .server
            .create_channel()
            .await
            .map_err(SystemError::amqp("server channel"))?;
        ch.basic_qos(PREFETCH, BasicQosOptions::default())
            .await
            .map_err(SystemError::amqp("qos"))?;
        let queue = if cell.pattern == Pattern::Fanout {
            format!("{prefix}.fanout.compute-{}", i + 1)
        } else {
            topic.clone()
        };
        ch.queue_declare(queue.as_str().into(), qopts, FieldTable::default())
            .await
            .map_err(SystemError::amqp(format!("declare {queue}")))?;
        if cell.pattern == Pattern::Fanout {
            ch.queue_bind(
                queue.as_str().into(),
                exchange.as_str().into(),
                "".into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(SystemError::amqp(format!("bind {queue}")))?;
        }
        let state = Arc::new(Server {
            channel: ch.clone(),
            opener: Mutex::new(keys.opener(Node::Server(i))?),
            reply: Mutex::new((
                keys.sealer(Node::Server(i), To::Node(Node::Caller))?,
                MessageBuf::new(),
                sizes.sampler(cell.seed ^ 0x5eed),
            )),
        });
        let consumer = ch
            .basic_consume(
                queue.as_str().into(),
                format!("server-{i}").into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .map_err(SystemError::amqp(format!("consume {queue}")))?;
        let sh = shared.clone();
        let st = state.clone();
        let pattern = cell.pattern;
        consumer.set_delegate(move |d: DeliveryResult| {
            let sh = sh.clone();
            let st = st.clone();
            async move { serve(&sh, &st, pattern, d).await }
        });
        server_state.push(state);
    }
    if cell.pattern == Pattern::Call {
        caller_ch
            .queue_declare(
                reply_queue.as_str().into(),
                QueueDeclareOptions {
                    exclusive: true,
                    ..qopts
                },
                FieldTable::default(),
            )
            .await
            .map_err(SystemError::amqp("declare reply queue"))?;
        let opener = Arc::new(Mutex::new(keys.opener(Node::Caller)?));
        let consumer = caller_ch
            .basic_consume(
                reply_queue.as_str().into(),
                "caller".into(),
                BasicConsumeOptions {
                    no_ack: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await
            .map_err(SystemError::amqp("consume reply queue"))?;
        let sh = shared.clone();
        consumer.set_delegate(move |d: DeliveryResult| {
            let sh = sh.clone();
            let opener = opener.clone();
            async move {
                let Ok(Some(mut d)) = d else { return };
                let Some(seq) = seq_of(&d.properties) else {
                    sh.fail("reply without correlation id".into());
                    return;
                };
                match sh.open(&opener, &mut d.data) {
                    Ok(()) => {
                        sh.record(seq);
                        sh.replies.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => sh.fail(format!("caller open: {e}")),
                }
            }
        });
    }

    let mut sealer = keys.sealer(
        Node::Caller,
        if cell.pattern == Pattern::Fanout {
            To::AllServers
        } else {
            To::Node(Node::Server(0))
        },
    )?;
    let mut sampler = sizes.sampler(cell.seed);
    let mut msg = MessageBuf::new();
    let (exchange_name, routing) = match cell.pattern {
        Pattern::Fanout => (exchange.clone(), String::new()),
        _ => (String::new(), topic.clone()),
    };
    let broker0 = cpu::process_cpu_ns(broker_pid)?;
    let client0 = cpu::self_cpu_ns();
    let t0 = Instant::now();
    let _ = shared.t0.set(t0);
    let mut payload_bytes = 0u64;
    let mut wire_bytes = 0u64;
    let mut sent = 0u64;
    for seq in 0..cell.messages {
        tokio::time::sleep_until(shared.due(seq).into()).await;
        let size = sampler.next_size();
        let data = match body(&shared.meter, sealer.as_mut(), &mut msg, size) {
            Ok(d) => d,
            Err(e) => {
                shared.fail(format!("caller seal: {e}"));
                continue;
            }
        };
        let mut props = BasicProperties::default()
            .with_correlation_id(seq.to_string().into())
            .with_delivery_mode(1);
        if cell.pattern == Pattern::Call {
            props = props.with_reply_to(reply_queue.as_str().into());
        }
        let published = caller_ch
            .basic_publish(
                exchange_name.as_str().into(),
                routing.as_str().into(),
                BasicPublishOptions::default(),
                &data,
                props,
            )
            .await;
        match published {
            Ok(_confirm) => {
                sent += 1;
                payload_bytes = payload_bytes.saturating_add(size as u64);
                wire_bytes = wire_bytes.saturating_add(data.len() as u64);
            }
            Err(e) => shared.fail(format!("publish: {e}")),
        }
    }
    let per_rpc = match cell.pattern {
        Pattern::Fanout => servers as u64,
        _ => 1,
    };
    let deliveries_expected = sent.saturating_mul(per_rpc);
    let deadline = Instant::now() + cell.drain;
    let done = |sh: &Shared| match cell.pattern {
        Pattern::Call => sh.replies.load(Ordering::Relaxed) >= sent,
        _ => sh.deliveries.load(Ordering::Relaxed) >= deliveries_expected,
    };
    while !done(&shared) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let end = Instant::now();
    let client_cpu_ns = cpu::self_cpu_ns().saturating_sub(client0);
    let broker_cpu_ns = cpu::process_cpu_ns(broker_pid)?.saturating_sub(broker0);
    let (envelope_cpu_ns, envelope_calls) = shared.meter.read();
    let deliveries = shared.deliveries.load(Ordering::Relaxed);
    let completed = match cell.pattern {
        Pattern::Call => shared.replies.load(Ordering::Relaxed),
        Pattern::Cast => deliveries,
        Pattern::Fanout => deliveries / per_rpc.max(1),
    };
    // Tear down: closing the channels cancels the consumers; the queues auto-delete.
    for s in &server_state {
        let _ = s.channel.close(200, "cell done".into()).await;
    }
    let _ = caller_ch.close(200, "cell done".into()).await;
    let latency = shared
        .latency
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let first_error = shared
        .first_error
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    Ok(Outcome {
        sent,
        completed,
        deliveries_expected,
        deliveries,
        elapsed_s: end.saturating_duration_since(t0).as_secs_f64(),
        latency,
        broker_cpu_ns,
        client_cpu_ns,
        envelope_cpu_ns,
        envelope_calls,
        payload_bytes,
        wire_bytes,
        errors: shared.errors.load(Ordering::Relaxed),
        first_error,
    })
}

/// A server's handling of one delivery: open, then (call) seal and publish the reply, or
/// (cast, fanout) record the latency; acknowledge.
async fn serve(sh: &Shared, st: &Server, pattern: Pattern, d: DeliveryResult) {
    let Ok(Some(mut d)) = d else { return };
    let Some(seq) = seq_of(&d.properties) else {
        sh.fail("request without correlation id".into());
        return;
    };
    let opened = sh.open(&st.opener, &mut d.data);
    if let Err(e) = opened {
        sh.fail(format!("server open: {e}"));
        let _ = d.ack(BasicAckOptions::default()).await;
        return;
    }
    if pattern == Pattern::Call {
        let reply_to = d
            .properties
            .reply_to()
            .as_ref()
            .map(|r| r.as_str().to_string());
        let reply = {
            let mut guard = st.reply.lock().unwrap_or_else(PoisonError::into_inner);
            let (sealer, msg, sampler) = &mut *guard;
            let size = sampler.next_size();
            body(&sh.meter, sealer.as_mut(), msg, size)
        };
        match (reply, reply_to) {
            (Ok(data), Some(to)) => {
                let props = BasicProperties::default()
                    .with_correlation_id(seq.to_string().into())
                    .with_delivery_mode(1);
                if let Err(e) = st
                    .channel
                    .basic_publish(
                        "".into(),
                        to.as_str().into(),
                        BasicPublishOptions::default(),
                        &data,
                        props,
                    )
                    .await
                {
                    sh.fail(format!("reply publish: {e}"));
                }
            }
            (Err(e), _) => sh.fail(format!("server seal: {e}")),
            (_, None) => sh.fail("call without reply_to".into()),
        }
    } else {
        sh.record(seq);
    }
    sh.deliveries.fetch_add(1, Ordering::Relaxed);
    if let Err(e) = d.ack(BasicAckOptions::default()).await {
        sh.fail(format!("ack: {e}"));
    }
}
