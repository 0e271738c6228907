//! Driving a client and a server in one thread: handshake and one-way messages, each
//! bounded in time (an exchange that makes no progress fails as [`ChannelError::Stalled`]).

use std::time::{Duration, Instant};

use super::{ChannelError, Endpoint, Side, Wire};

/// How long one exchange may take before it is declared stalled.
pub const STALL: Duration = Duration::from_secs(5);

/// A connected client and server.
pub struct Pair {
    /// The client end.
    pub client: Box<dyn Endpoint>,
    /// The server end.
    pub server: Box<dyn Endpoint>,
    /// The last message the server received.
    pub received: Vec<u8>,
}

/// What one measured exchange looked like on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settings {
    /// Bytes both ends wrote during the handshake (session tickets included).
    pub handshake_bytes: u64,
    /// Whether the handshake resumed a session.
    pub resumed: bool,
}

impl Pair {
    /// Starts a connection between `client` (on `wires.0`) and `server` (on `wires.1`);
    /// nothing is exchanged yet.
    pub fn start(
        client: &dyn Side,
        server: &dyn Side,
        wires: (Wire, Wire),
    ) -> Result<Self, ChannelError> {
        Ok(Self {
            client: client.start(wires.0)?,
            server: server.start(wires.1)?,
            received: Vec::new(),
        })
    }

    /// Runs the handshake to completion on both ends, then lets the client read what the
    /// server sent after it (TLS 1.3 session tickets).
    pub fn handshake(&mut self) -> Result<Settings, ChannelError> {
        let start = Instant::now();
        loop {
            let c = self.client.handshake()?;
            let s = self.server.handshake()?;
            if c && s {
                break;
            }
            if start.elapsed() > STALL {
                return Err(ChannelError::Stalled("handshake"));
            }
        }
        self.client.handshake()?;
        Ok(Settings {
            handshake_bytes: self.client.wire().sent() + self.server.wire().sent(),
            resumed: self.client.resumed(),
        })
    }

    /// Sends `data` from the client and receives it at the server (into
    /// [`Pair::received`]); returns the bytes the client wrote for it.
    pub fn message(&mut self, data: &[u8]) -> Result<u64, ChannelError> {
        let before = self.client.wire().sent();
        self.received.clear();
        self.client.send(data)?;
        self.server.recv(&mut self.received)?;
        if self.received.len() < data.len() {
            let start = Instant::now();
            while self.received.len() < data.len() {
                self.client.flush()?;
                self.server.recv(&mut self.received)?;
                if start.elapsed() > STALL {
                    return Err(ChannelError::Stalled("message"));
                }
            }
        }
        Ok(self.client.wire().sent() - before)
    }
}
