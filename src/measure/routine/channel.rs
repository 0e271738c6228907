//! TLS channel scenarios (`layer = "channel"`): full and resumed handshakes, one message on
//! an established connection, and messages on connections of `n` messages each (a full
//! handshake every `n`, so the median is the amortized cost per message).
//!
//! Everything is one thread: the client and the server of [`crate::channel::Pair`] take
//! turns, the bytes between them going through in-memory queues or a loopback TCP
//! connection (a new one per handshake: connect and accept are in the loop). Set-up
//! outside the loop: the run's CA and the two certificates, both ends' TLS
//! configurations, the listener, the payload; for resumption, a first full handshake that
//! leaves the client a session ticket.

use std::hint::black_box;
use std::net::TcpListener;

use super::Built;
use crate::channel::{CertAlg, ChannelSpec, Pair, Pki, Side, Transport, Wire};
use crate::measure::error::MeasureError;
use crate::measure::runner::Routine;
use crate::measure::scenario::{Op, Scenario, Work};
use crate::measure::timer::{Elapsed, Timer};

/// Both ends of a channel scenario, configured once.
struct Ends {
    client: Box<dyn Side>,
    server: Box<dyn Side>,
    transport: Transport,
    listener: Option<TcpListener>,
}

impl Ends {
    fn new(spec: &ChannelSpec, resume: bool) -> Result<Self, MeasureError> {
        let mut pki = Pki::new(spec.cert)?;
        let server = pki.issue(crate::channel::SERVER_NAME, "server", spec.cert)?;
        let client = pki.issue("client-1", "client", spec.cert)?;
        let listener = match spec.transport {
            Transport::Loopback => {
                Some(Wire::listener().map_err(crate::channel::ChannelError::from)?)
            }
            Transport::Memory => None,
        };
        Ok(Self {
            client: spec.stack.client(&pki, &client, resume)?,
            server: spec.stack.server(&pki, &server)?,
            transport: spec.transport,
            listener,
        })
    }

    /// A new connection, not yet handshaken.
    fn connect(&self) -> Result<Pair, MeasureError> {
        let wires = match (&self.listener, self.transport) {
            (Some(l), Transport::Loopback) => {
                Wire::loopback_pair(l).map_err(crate::channel::ChannelError::from)?
            }
            _ => Wire::memory_pair(),
        };
        Ok(Pair::start(
            self.client.as_ref(),
            self.server.as_ref(),
            wires,
        )?)
    }

    /// A new connection, handshaken; fails if it did (not) resume as `resume` says.
    fn handshake(&self, resume: bool) -> Result<(Pair, u64), MeasureError> {
        let mut pair = self.connect()?;
        let done = pair.handshake()?;
        if resume && !done.resumed {
            return Err(MeasureError::Scenario(
                "the handshake did not resume the session",
            ));
        }
        if !resume && done.resumed {
            return Err(MeasureError::Scenario("a full handshake resumed a session"));
        }
        Ok((pair, done.handshake_bytes))
    }
}

pub(super) fn build(s: &Scenario) -> Result<Built, MeasureError> {
    let Work::Channel(spec) = s.work else {
        return Err(MeasureError::Scenario("not a channel scenario"));
    };
    if s.op == Op::Resume {
        spec.stack
            .resumption()
            .map_err(crate::channel::ChannelError::from)?;
    }
    let resume = s.op == Op::Resume;
    let ends = Ends::new(&spec, resume)?;
    let payload = vec![0x5a; s.size];
    // One exchange untimed: checks the pair works and measures its bytes on the wire (for
    // resumption, it leaves the client a ticket).
    let (mut pair, handshake_bytes) = ends.handshake(false)?;
    let message_bytes = if s.op == Op::Message {
        let sent = pair.message(&payload)?;
        if pair.received != payload {
            return Err(MeasureError::Scenario("the server received other bytes"));
        }
        sent
    } else {
        0
    };
    let size = s.size as u64;
    let (routine, overhead): (Box<dyn Routine>, u64) = match (s.op, spec.per_connection) {
        (Op::Handshake, _) => (
            Box::new(Handshakes {
                ends,
                resume: false,
            }),
            handshake_bytes,
        ),
        (Op::Resume, _) => {
            let (_, bytes) = ends.handshake(true)?;
            (Box::new(Handshakes { ends, resume: true }), bytes)
        }
        (Op::Message, None) => (
            Box::new(Messages { pair, payload }),
            message_bytes.saturating_sub(size),
        ),
        (Op::Message, Some(n)) => {
            let n64 = u64::from(n.max(1));
            let per_message = (handshake_bytes + n64 * message_bytes).div_ceil(n64);
            (
                Box::new(Connections {
                    ends,
                    pair: None,
                    sent: 0,
                    per_connection: n64,
                    payload,
                }),
                per_message.saturating_sub(size),
            )
        }
        _ => {
            return Err(MeasureError::Scenario(
                "channels do handshakes and messages",
            ));
        }
    };
    Ok(Built {
        routine,
        overhead_bytes: Some(overhead),
    })
}

/// A new connection and a full (or resumed) handshake per iteration.
struct Handshakes {
    ends: Ends,
    resume: bool,
}

impl Routine for Handshakes {
    fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError> {
        let Self { ends, resume } = self;
        super::timed(timer, iters, || {
            let (pair, _) = ends.handshake(*resume)?;
            black_box(pair);
            Ok(())
        })
    }
}

/// One message per iteration on a connection established once.
struct Messages {
    pair: Pair,
    payload: Vec<u8>,
}

impl Routine for Messages {
    fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError> {
        let Self { pair, payload } = self;
        super::timed(timer, iters, || {
            pair.message(payload)?;
            black_box(pair.received.len());
            Ok(())
        })
    }
}

/// One message per iteration, a new connection with a full handshake every
/// `per_connection` messages.
struct Connections {
    ends: Ends,
    pair: Option<Pair>,
    sent: u64,
    per_connection: u64,
    payload: Vec<u8>,
}

impl Routine for Connections {
    fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError> {
        let Self {
            ends,
            pair,
            sent,
            per_connection,
            payload,
        } = self;
        super::timed(timer, iters, || {
            if *sent % *per_connection == 0 {
                *pair = None;
                *pair = Some(ends.handshake(false)?.0);
            }
            *sent += 1;
            let p = pair
                .as_mut()
                .ok_or(MeasureError::Scenario("no connection"))?;
            p.message(payload)?;
            black_box(p.received.len());
            Ok(())
        })
    }

    fn granularity(&self) -> u64 {
        self.per_connection
    }
}

/// What the timed loop of a channel scenario contains.
pub fn inside_loop(spec: &ChannelSpec, op: Op) -> Vec<String> {
    let transport = match spec.transport {
        Transport::Loopback => "loopback TCP (send/recv system calls, non-blocking)",
        Transport::Memory => "in-memory queues (no kernel)",
    };
    let cert = match spec.cert {
        CertAlg::Ed25519 => "Ed25519",
        CertAlg::EcdsaP256 => "ECDSA P-256",
    };
    let connect = match spec.transport {
        Transport::Loopback => {
            "new TCP connection (connect + accept) and client and server TLS objects"
        }
        Transport::Memory => "new client and server TLS objects",
    };
    let full = format!(
        "full TLS 1.3 handshake, mutual authentication: X25519 both ways, {cert} \
         CertificateVerify signed and verified by each end, chain validation against the \
         run's CA by each end, HKDF key schedule; the server's session tickets read by the \
         client"
    );
    let message = [
        "client: AES-128-GCM record encryption (records of at most 16 KiB)",
        "server: record decryption, plaintext copied out",
    ];
    let mut v: Vec<String> = match (op, spec.per_connection) {
        (Op::Handshake, _) => vec![connect.into(), full, "connection teardown".into()],
        (Op::Resume, _) => vec![
            connect.into(),
            "resumed TLS 1.3 handshake (PSK with X25519, no certificates or signatures); \
             a fresh ticket read by the client"
                .into(),
            "connection teardown".into(),
        ],
        (_, Some(n)) => {
            let mut v = vec![format!(
                "once every {n} messages: connection teardown, {connect}, {full}"
            )];
            v.extend(message.iter().map(|s| s.to_string()));
            v
        }
        _ => message.iter().map(|s| s.to_string()).collect(),
    };
    v.push(transport.into());
    v
}
