//! Clocks for `iat` and freshness checks, behind a trait so tests control time.
//!
//! `iat` has one-second resolution, so the system clock is read with
//! `CLOCK_REALTIME_COARSE` on Linux (about 4 ns instead of about 23 ns for
//! `SystemTime::now()`, with ~4 ms resolution; see `../shared/notes/envelope-hot-path.md`).

use std::sync::atomic::{AtomicU64, Ordering};

/// A source of the current time in whole seconds since the Unix epoch.
pub trait Clock: Send + Sync {
    /// Seconds since 1970-01-01T00:00:00Z.
    fn now_s(&self) -> u64;
}

/// The system's real-time clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[cfg(target_os = "linux")]
    fn now_s(&self) -> u64 {
        let ts = rustix::time::clock_gettime(rustix::time::ClockId::RealtimeCoarse);
        u64::try_from(ts.tv_sec).unwrap_or(0)
    }

    #[cfg(not(target_os = "linux"))]
    fn now_s(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    }
}

/// A clock that only moves when told to (tests, golden vectors, attack scenarios).
#[derive(Debug, Default)]
pub struct ManualClock(AtomicU64);

impl ManualClock {
    /// A clock reading `now_s`.
    pub fn new(now_s: u64) -> Self {
        Self(AtomicU64::new(now_s))
    }

    /// Sets the time.
    pub fn set(&self, now_s: u64) {
        self.0.store(now_s, Ordering::Relaxed);
    }

    /// Moves the time forward by `secs`.
    pub fn advance(&self, secs: u64) {
        self.0.fetch_add(secs, Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn now_s(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now_s(&self) -> u64 {
        (**self).now_s()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_agrees_with_systemtime() {
        let std_now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let ours = SystemClock.now_s();
        assert!(ours.abs_diff(std_now) <= 1, "{ours} vs {std_now}");
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(100);
        assert_eq!(c.now_s(), 100);
        c.advance(5);
        assert_eq!(c.now_s(), 105);
        c.set(7);
        assert_eq!(c.now_s(), 7);
    }
}
