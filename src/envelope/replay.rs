//! Replay protection with bounded memory.
//!
//! Every sealer numbers its messages: `cti` = a 4-byte random stream prefix chosen when the
//! sealer is created, followed by an 8-byte big-endian counter. A receiver keeps, per
//! (sender key, stream prefix), the highest counter seen and a 128-message sliding window
//! below it (the IPsec/DTLS anti-replay scheme, RFC 4303 §3.4.3), instead of a set of every
//! `cti` seen (which grows with rate × window: ~140 MB at 10k msg/s over 600 s).
//!
//! Memory is bounded by `max_streams`. When the table is full, streams whose last message is
//! older than the freshness window are dropped first (any replay of theirs is already
//! rejected as expired). If that is not enough, the least recently active stream is dropped
//! and its last `iat` becomes a watermark: a message from a stream the guard does not know
//! is accepted only if it was issued after the highest watermark. A forgotten stream can
//! therefore never be replayed; the cost is that a sender whose stream was evicted must
//! start a new stream (a new sealer) and wait out one second.

use std::collections::HashMap;

use super::error::EnvelopeError;

/// Length of the `cti` this profile generates and accepts.
pub const CTI_LEN: usize = 12;
/// Messages a stream may be reordered by and still be accepted.
pub const WINDOW_MESSAGES: u64 = 128;
/// Default bound on tracked streams.
pub const DEFAULT_MAX_STREAMS: usize = 65_536;

/// A (sender key index, stream prefix) pair.
type StreamKey = (u32, u32);

#[derive(Debug, Clone, Copy)]
struct Stream {
    /// Highest counter accepted.
    max: u64,
    /// Bit i set: counter `max - i` accepted.
    seen: u128,
    /// `iat` of the most recent accepted message.
    last_iat: u64,
}

/// Per-stream sliding windows with a bounded table.
#[derive(Debug)]
pub struct ReplayGuard {
    streams: HashMap<StreamKey, Stream, foldhash::fast::RandomState>,
    max_streams: usize,
    watermark_iat: Option<u64>,
}

/// Splits a `cti` into stream prefix and counter.
pub fn split_cti(cti: &[u8]) -> Result<(u32, u64), EnvelopeError> {
    let bad = || EnvelopeError::BadHeader("cti must be 12 bytes (4-byte stream, 8-byte counter)");
    let (prefix, counter) = cti.split_first_chunk::<4>().ok_or_else(bad)?;
    let counter: [u8; 8] = counter.try_into().map_err(|_| bad())?;
    Ok((u32::from_be_bytes(*prefix), u64::from_be_bytes(counter)))
}

impl ReplayGuard {
    /// A guard tracking at most `max_streams` streams (at least 1).
    pub fn new(max_streams: usize) -> Self {
        Self {
            streams: HashMap::with_capacity_and_hasher(max_streams.min(4096), Default::default()),
            max_streams: max_streams.max(1),
            watermark_iat: None,
        }
    }

    /// Number of streams tracked.
    pub fn len(&self) -> usize {
        self.streams.len()
    }

    /// Whether no stream is tracked.
    pub fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }

    /// Accepts `(prefix, counter)` from sender `key` once, or returns `Replayed`.
    /// Call only after the message authenticated and passed the freshness check, so
    /// forged messages cannot poison the state.
    pub fn check_and_record(
        &mut self,
        key: u32,
        prefix: u32,
        counter: u64,
        iat: u64,
        now: u64,
        window_s: u64,
    ) -> Result<(), EnvelopeError> {
        if let Some(s) = self.streams.get_mut(&(key, prefix)) {
            if counter > s.max {
                let shift = counter - s.max;
                s.seen = if shift >= 128 {
                    1
                } else {
                    (s.seen << shift) | 1
                };
                s.max = counter;
            } else {
                let back = s.max - counter;
                if back >= WINDOW_MESSAGES {
                    return Err(EnvelopeError::Replayed);
                }
                let bit = 1u128 << back;
                if s.seen & bit != 0 {
                    return Err(EnvelopeError::Replayed);
                }
                s.seen |= bit;
            }
            s.last_iat = s.last_iat.max(iat);
            return Ok(());
        }
        if self.watermark_iat.is_some_and(|w| iat <= w) {
            return Err(EnvelopeError::Replayed);
        }
        if self.streams.len() >= self.max_streams {
            self.evict(now, window_s);
        }
        self.streams.insert(
            (key, prefix),
            Stream {
                max: counter,
                seen: 1,
                last_iat: iat,
            },
        );
        Ok(())
    }

    fn evict(&mut self, now: u64, window_s: u64) {
        let horizon = now.saturating_sub(window_s);
        self.streams.retain(|_, s| s.last_iat >= horizon);
        if self.streams.len() < self.max_streams {
            return;
        }
        let oldest = self
            .streams
            .iter()
            .min_by_key(|(_, s)| s.last_iat)
            .map(|(k, s)| (*k, s.last_iat));
        if let Some((k, iat)) = oldest {
            self.streams.remove(&k);
            self.watermark_iat = Some(self.watermark_iat.map_or(iat, |w| w.max(iat)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_counter_is_accepted_once_even_out_of_order() {
        let mut g = ReplayGuard::new(16);
        for c in [5u64, 3, 7, 4, 100, 99] {
            g.check_and_record(0, 1, c, 10, 10, 300).unwrap();
        }
        for c in [5u64, 3, 7, 4, 100, 99] {
            assert_eq!(
                g.check_and_record(0, 1, c, 10, 10, 300),
                Err(EnvelopeError::Replayed),
                "{c}"
            );
        }
        // Too far behind the window to tell (300 - 150 >= 128): rejected though never seen.
        g.check_and_record(0, 1, 300, 10, 10, 300).unwrap();
        assert_eq!(
            g.check_and_record(0, 1, 150, 10, 10, 300),
            Err(EnvelopeError::Replayed)
        );
        // Same counter on another stream or another key is a different message.
        g.check_and_record(0, 2, 5, 10, 10, 300).unwrap();
        g.check_and_record(1, 1, 5, 10, 10, 300).unwrap();
    }

    #[test]
    fn memory_is_bounded_and_evicted_streams_cannot_be_replayed() {
        let mut g = ReplayGuard::new(4);
        for prefix in 0..4u32 {
            g.check_and_record(0, prefix, 1, 1000 + u64::from(prefix), 1010, 300)
                .unwrap();
        }
        // A fifth stream evicts the least recently active one (prefix 0, iat 1000).
        g.check_and_record(0, 9, 1, 1005, 1010, 300).unwrap();
        assert_eq!(g.len(), 4);
        // Replaying prefix 0's message: the stream is forgotten but its iat is under the watermark.
        assert_eq!(
            g.check_and_record(0, 0, 1, 1000, 1010, 300),
            Err(EnvelopeError::Replayed)
        );
        // A genuinely new stream issued later is fine.
        g.check_and_record(0, 10, 1, 1011, 1011, 300).unwrap();
    }

    #[test]
    fn expired_streams_are_dropped_without_raising_the_watermark() {
        let mut g = ReplayGuard::new(2);
        g.check_and_record(0, 1, 1, 100, 100, 300).unwrap();
        g.check_and_record(0, 2, 1, 100, 100, 300).unwrap();
        g.check_and_record(0, 3, 1, 1000, 1000, 300).unwrap();
        assert_eq!(g.len(), 1);
        assert_eq!(g.watermark_iat, None);
    }

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
