//! One stream's anti-replay window: the highest counter accepted and a 128-bit map of the
//! counters below it (the IPsec/DTLS scheme, RFC 4303 §3.4.3).
// ref: https://www.rfc-editor.org/rfc/rfc4303#section-3.4.3

use super::WINDOW_MESSAGES;
use crate::envelope::EnvelopeError;

/// The state of one (sender, stream prefix) pair. `Copy`, 48 bytes: checking a message
/// computes the next state without touching the stored one, so a store failure can refuse
/// the message before anything changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Window {
    /// Highest counter accepted.
    pub(super) max: u64,
    /// Bit i set: counter `max - i` accepted.
    pub(super) seen: u128,
    /// Highest `iat` accepted on this stream.
    pub(super) last_iat: u64,
    /// The sender's watermark when this window was created: a message of this stream
    /// issued at or before it may belong to an earlier, forgotten window of the same prefix
    /// (whose counters this bitmap knows nothing about), so it is refused.
    pub(super) floor: Option<u64>,
}

impl Window {
    /// The window of a stream whose first accepted message is `counter`, created while the
    /// sender's watermark is `floor`.
    pub(super) fn first(counter: u64, iat: u64, floor: Option<u64>) -> Self {
        Self {
            max: counter,
            seen: 1,
            last_iat: iat,
            floor,
        }
    }

    /// The window after accepting `counter`, or `Replayed` if that counter was accepted
    /// already or is too far behind to tell (`WINDOW_MESSAGES` or more below the highest).
    pub(super) fn accept(self, counter: u64, iat: u64) -> Result<Self, EnvelopeError> {
        if self.floor.is_some_and(|f| iat <= f) {
            return Err(EnvelopeError::Replayed);
        }
        let last_iat = self.last_iat.max(iat);
        if counter > self.max {
            let shift = counter - self.max;
            let seen = match u32::try_from(shift) {
                Ok(s) if s < 128 => (self.seen << s) | 1,
                _ => 1,
            };
            return Ok(Self {
                max: counter,
                seen,
                last_iat,
                ..self
            });
        }
        let back = self.max - counter;
        if back >= WINDOW_MESSAGES {
            return Err(EnvelopeError::Replayed);
        }
        let bit = 1u128 << back;
        if self.seen & bit != 0 {
            return Err(EnvelopeError::Replayed);
        }
        Ok(Self {
            seen: self.seen | bit,
            last_iat,
            ..self
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn run(counters: &[u64]) -> Vec<bool> {
        let mut w: Option<Window> = None;
        counters
            .iter()
            .map(|&c| match w {
                None => {
                    w = Some(Window::first(c, 1, None));
                    true
                }
                Some(cur) => match cur.accept(c, 1) {
                    Ok(next) => {
                        w = Some(next);
                        true
                    }
                    Err(_) => false,
                },
            })
            .collect()
    }

    #[test]
    fn in_order_reordered_duplicate_and_too_old() {
        assert_eq!(run(&[1, 2, 3, 4]), [true; 4]);
        assert_eq!(
            run(&[10, 5, 9, 6, 5, 10]),
            [true, true, true, true, false, false]
        );
        // 127 behind is the oldest a window can tell apart; 128 behind is refused unseen.
        assert_eq!(run(&[200, 73, 72]), [true, true, false]);
        // A jump of 128 clears the map: the old top is too old, the one above it is new.
        assert_eq!(run(&[1, 129, 1, 2, 2]), [true, true, false, true, false]);
        assert_eq!(run(&[1, 1000, 999, 1000]), [true, true, true, false]);
        assert_eq!(
            run(&[0, u64::MAX, u64::MAX - 127, u64::MAX - 128]),
            [true, true, true, false]
        );
    }

    #[test]
    fn last_iat_only_grows() {
        let w = Window::first(5, 100, None).accept(3, 90).unwrap();
        assert_eq!(w.last_iat, 100);
        assert_eq!(w.accept(6, 120).unwrap().last_iat, 120);
    }

    #[test]
    fn a_window_refuses_messages_from_before_its_floor() {
        let w = Window::first(5, 100, Some(99));
        assert!(w.accept(4, 99).is_err());
        assert!(w.accept(4, 100).is_ok());
    }
}
