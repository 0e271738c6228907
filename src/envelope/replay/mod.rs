//! Replay protection with bounded memory that no sender can steer for another.
//!
//! Every sealer numbers its messages: `cti` = a 4-byte random stream prefix chosen when the
//! sealer is created, followed by an 8-byte big-endian counter. A receiver keeps, per
//! (sender, stream prefix), the highest counter seen and a 128-message sliding window below it
//! ([`window`]), instead of a set of every `cti` seen (which grows with rate × window).
//!
//! State is partitioned so that one sender's traffic can only ever cost that sender:
//! - **Namespaces.** Trust-store keys ([`ReplaySender::Key`]), learned keys
//!   ([`ReplaySender::Learned`]), unauthenticated plain messages ([`ReplaySender::Plain`]) and
//!   anonymous messages ([`ReplaySender::Anonymous`]) each have their own tables. A forged
//!   plain message naming a trusted kid lands in the plain namespace and cannot touch the
//!   trusted sender's streams.
//! - **Per-sender stream tables** ([`table`]), each bounded by
//!   [`ReplayConfig::max_streams_per_sender`]. When a sender's table is full, one of *its own*
//!   streams is evicted (CLOCK, O(1) amortized; expired streams first) and that stream's last
//!   `iat` raises *that sender's* watermark: a stream the sender's table does not know is
//!   accepted only if issued after the sender's watermark, and a stream created under a
//!   watermark keeps refusing messages issued at or before it (they may belong to a forgotten
//!   earlier window of the same prefix). A forgotten stream can therefore never be replayed,
//!   and a sender flooding fresh stream ids (even with `iat` at the future
//!   limit) only blocks its own new streams.
//! - **Bounded sender tables.** Trust-store senders are never evicted wholesale (their number
//!   is fixed by the trust store). Learned and plain senders are at most
//!   [`ReplayConfig::max_senders`] per namespace; evicting one raises that namespace's
//!   watermark, which applies only to senders the namespace does not hold (evicted or new).
//!
//! [`ReplayGuard::persistent`] keeps the same state across processes in an embedded database
//! ([`store`]): write-through, each accepted message committed before `check_and_record`
//! returns `Ok`, the in-memory tables as the fast path.

#[cfg(test)]
mod equivalence;
mod guard;
mod store;
mod table;
mod window;

pub use guard::ReplayGuard;

use super::error::EnvelopeError;

/// Length of the `cti` this profile generates and accepts.
pub const CTI_LEN: usize = 12;
/// Messages a stream may be reordered by and still be accepted.
pub const WINDOW_MESSAGES: u64 = 128;
/// Default bound on one sender's tracked streams (one per sealer instance, i.e. per process
/// start, seen within the freshness window).
pub const DEFAULT_MAX_STREAMS_PER_SENDER: usize = 1024;
/// Default bound on learned (and, separately, plain) senders tracked at once.
pub const DEFAULT_MAX_SENDERS: usize = 1024;

/// Whose replay state a message belongs to. Each variant is its own namespace: ids in one
/// never meet ids in another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplaySender<'a> {
    /// An authenticated sender from the trust store, by kid. Never evicted wholesale.
    Key(&'a [u8]),
    /// An authenticated sender whose key was learned (e.g. through a certificate), by its
    /// fingerprint kid. At most [`ReplayConfig::max_senders`] are tracked; the least recently
    /// active is evicted.
    Learned(&'a [u8]),
    /// An unauthenticated plain message claiming this kid (anyone can forge it).
    Plain(&'a [u8]),
    /// An anonymous message (e.g. anonymous Encrypt): one shared namespace.
    Anonymous,
}

/// Bounds of the replay state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayConfig {
    /// Streams tracked per sender (at least 1). Worst-case memory is about 80 bytes per
    /// stream (slot, index entry and eviction queue): 1024 × 1024 streams ≈ 80 MiB for a
    /// namespace filled by an attacker.
    pub max_streams_per_sender: usize,
    /// Learned senders, and separately plain-message kids, tracked at once (at least 1).
    /// Trust-store senders are not counted: they are never evicted wholesale.
    pub max_senders: usize,
    /// How long [`ReplayGuard::persistent`] waits for another process to close the database.
    pub lock_wait: std::time::Duration,
}

impl Default for ReplayConfig {
    fn default() -> Self {
        Self {
            max_streams_per_sender: DEFAULT_MAX_STREAMS_PER_SENDER,
            max_senders: DEFAULT_MAX_SENDERS,
            lock_wait: std::time::Duration::from_secs(2),
        }
    }
}

/// Splits a `cti` into stream prefix and counter.
pub fn split_cti(cti: &[u8]) -> Result<(u32, u64), EnvelopeError> {
    let bad = || EnvelopeError::BadHeader("cti must be 12 bytes (4-byte stream, 8-byte counter)");
    let (prefix, counter) = cti.split_first_chunk::<4>().ok_or_else(bad)?;
    let counter: [u8; 8] = counter.try_into().map_err(|_| bad())?;
    Ok((u32::from_be_bytes(*prefix), u64::from_be_bytes(counter)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cti_must_have_the_profile_shape() {
        assert_eq!(
            split_cti(&[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2]).unwrap(),
            (1, 2)
        );
        assert!(split_cti(&[0; 11]).is_err());
        assert!(split_cti(&[0; 13]).is_err());
    }
}
