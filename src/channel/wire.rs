//! The byte pipes between two TLS endpoints, with counters.
//!
//! A [`Wire`] is one end: `Write` queues bytes for the peer (never blocks), `Read` returns
//! what has arrived or `WouldBlock`. Over loopback TCP the queued bytes go to a
//! non-blocking socket on [`Wire::flush`]; in memory they land directly in the peer's
//! queue, where a [`Tap`] (an attacker on the wire) can read them and add its own.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::rc::Rc;

/// How two endpoints are connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transport {
    /// TCP over 127.0.0.1, a port the OS picks, Nagle off: includes the kernel's cost.
    Loopback,
    /// In-process queues: the TLS stack's cost alone.
    Memory,
}

impl Transport {
    /// Both, in report order.
    pub const ALL: &'static [Transport] = &[Self::Loopback, Self::Memory];

    /// Label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Loopback => "loopback",
            Self::Memory => "memory",
        }
    }
}

type Queue = Rc<RefCell<VecDeque<u8>>>;

enum Link {
    Memory {
        rx: Queue,
        tx: Queue,
        /// Everything this end wrote, when tapped.
        log: Option<Rc<RefCell<Vec<u8>>>>,
    },
    Tcp {
        stream: TcpStream,
        pending: VecDeque<u8>,
    },
}

/// One end of a connection, counting the bytes it sent and received.
pub struct Wire {
    link: Link,
    sent: u64,
    received: u64,
}

/// An attacker's access to an in-memory connection: everything each direction carried,
/// and the power to add bytes to either.
#[derive(Clone)]
pub struct Tap {
    a_to_b: Queue,
    b_to_a: Queue,
    seen_a_to_b: Rc<RefCell<Vec<u8>>>,
    seen_b_to_a: Rc<RefCell<Vec<u8>>>,
}

impl Tap {
    /// Every byte captured from a to b, then from b to a.
    pub fn captured(&self) -> (Vec<u8>, Vec<u8>) {
        (
            self.seen_a_to_b.borrow().clone(),
            self.seen_b_to_a.borrow().clone(),
        )
    }

    /// Appends `bytes` to what b will read next (as if a had sent them).
    pub fn inject_to_b(&self, bytes: &[u8]) {
        self.a_to_b.borrow_mut().extend(bytes);
    }

    /// Appends `bytes` to what a will read next.
    pub fn inject_to_a(&self, bytes: &[u8]) {
        self.b_to_a.borrow_mut().extend(bytes);
    }

    /// Flips one bit of the bytes queued for b, `offset` bytes from the end (a tampered
    /// record); `false` if fewer are queued.
    pub fn tamper_to_b(&self, offset: usize) -> bool {
        let mut q = self.a_to_b.borrow_mut();
        let Some(i) = q.len().checked_sub(offset.saturating_add(1)) else {
            return false;
        };
        match q.get_mut(i) {
            Some(b) => {
                *b ^= 0x01;
                true
            }
            None => false,
        }
    }
}

impl Wire {
    fn new(link: Link) -> Self {
        Self {
            link,
            sent: 0,
            received: 0,
        }
    }

    /// Two connected in-memory ends (a, b).
    pub fn memory_pair() -> (Wire, Wire) {
        let (a, b, _) = Self::memory(false);
        (a, b)
    }

    /// Two connected in-memory ends (a, b) and a tap recording everything each sends.
    pub fn tapped_pair() -> (Wire, Wire, Tap) {
        Self::memory(true)
    }

    fn memory(tapped: bool) -> (Wire, Wire, Tap) {
        let a_to_b: Queue = Rc::default();
        let b_to_a: Queue = Rc::default();
        let tap = Tap {
            a_to_b: a_to_b.clone(),
            b_to_a: b_to_a.clone(),
            seen_a_to_b: Rc::default(),
            seen_b_to_a: Rc::default(),
        };
        let a = Self::new(Link::Memory {
            rx: b_to_a.clone(),
            tx: a_to_b.clone(),
            log: tapped.then(|| tap.seen_a_to_b.clone()),
        });
        let b = Self::new(Link::Memory {
            rx: a_to_b,
            tx: b_to_a,
            log: tapped.then(|| tap.seen_b_to_a.clone()),
        });
        (a, b, tap)
    }

    /// A fresh TCP connection to `listener` (client end, server end), both non-blocking,
    /// Nagle off.
    pub fn loopback_pair(listener: &TcpListener) -> io::Result<(Wire, Wire)> {
        let client = TcpStream::connect(listener.local_addr()?)?;
        let (server, _) = listener.accept()?;
        let mut ends = Vec::with_capacity(2);
        for s in [client, server] {
            s.set_nonblocking(true)?;
            s.set_nodelay(true)?;
            ends.push(Self::new(Link::Tcp {
                stream: s,
                pending: VecDeque::new(),
            }));
        }
        let server = ends.pop();
        let client = ends.pop();
        client
            .zip(server)
            .ok_or_else(|| io::Error::other("loopback pair"))
    }

    /// A listener on 127.0.0.1 at a port the OS picks.
    pub fn listener() -> io::Result<TcpListener> {
        TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
    }

    /// Bytes written so far (TLS records and handshake messages).
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// Bytes read so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Pushes queued bytes into the socket; `true` when none remain (always in memory).
    pub fn flush_pending(&mut self) -> io::Result<bool> {
        let Link::Tcp { stream, pending } = &mut self.link else {
            return Ok(true);
        };
        while !pending.is_empty() {
            let (front, _) = pending.as_slices();
            match stream.write(front) {
                Ok(0) => return Err(io::Error::from(io::ErrorKind::WriteZero)),
                Ok(n) => {
                    pending.drain(..n);
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }
}

impl Read for Wire {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match &mut self.link {
            Link::Memory { rx, .. } => {
                let mut q = rx.borrow_mut();
                if q.is_empty() && !buf.is_empty() {
                    return Err(io::Error::from(io::ErrorKind::WouldBlock));
                }
                q.read(buf)?
            }
            Link::Tcp { stream, .. } => stream.read(buf)?,
        };
        self.received = self.received.saturating_add(n as u64);
        Ok(n)
    }
}

impl Write for Wire {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.link {
            Link::Memory { tx, log, .. } => {
                tx.borrow_mut().extend(buf);
                if let Some(log) = log {
                    log.borrow_mut().extend_from_slice(buf);
                }
            }
            Link::Tcp { pending, .. } => pending.extend(buf),
        }
        self.sent = self.sent.saturating_add(buf.len() as u64);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
