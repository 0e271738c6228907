//! Clocks behind a trait, so scheduling and statistics are tested without timing anything.
//!
//! A [`Timer`] reads two clocks at once: monotonic wall time and the process's CPU time.
//! Wall time is what results report; CPU time beside it shows when the process was
//! descheduled (wall ≫ CPU) on a shared machine.

use std::cell::Cell;
use std::time::Instant;

/// Both clocks at one instant, in nanoseconds from an arbitrary origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reading {
    /// Monotonic wall-clock time.
    pub wall_ns: u64,
    /// CPU time consumed by the process (0 where the platform has no such clock).
    pub cpu_ns: u64,
}

/// Time between two readings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Elapsed {
    /// Wall-clock nanoseconds.
    pub wall_ns: u64,
    /// Process CPU nanoseconds.
    pub cpu_ns: u64,
}

impl Reading {
    /// Time from `earlier` to `self` (saturating at zero).
    pub fn since(self, earlier: Reading) -> Elapsed {
        Elapsed {
            wall_ns: self.wall_ns.saturating_sub(earlier.wall_ns),
            cpu_ns: self.cpu_ns.saturating_sub(earlier.cpu_ns),
        }
    }
}

impl std::ops::AddAssign for Elapsed {
    fn add_assign(&mut self, rhs: Self) {
        self.wall_ns = self.wall_ns.saturating_add(rhs.wall_ns);
        self.cpu_ns = self.cpu_ns.saturating_add(rhs.cpu_ns);
    }
}

/// A source of [`Reading`]s.
pub trait Timer {
    /// Reads both clocks.
    fn now(&self) -> Reading;
}

/// The real clocks: `Instant` for wall time, `CLOCK_PROCESS_CPUTIME_ID` for CPU time.
#[derive(Debug, Clone, Copy)]
pub struct RealTimer {
    origin: Instant,
}

impl RealTimer {
    /// A timer whose wall origin is now.
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl Default for RealTimer {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(target_os = "linux")]
fn process_cpu_ns() -> u64 {
    let ts = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    let secs = u64::try_from(ts.tv_sec).unwrap_or(0);
    let nanos = u64::try_from(ts.tv_nsec).unwrap_or(0);
    secs.saturating_mul(1_000_000_000).saturating_add(nanos)
}

#[cfg(not(target_os = "linux"))]
fn process_cpu_ns() -> u64 {
    0
}

impl Timer for RealTimer {
    fn now(&self) -> Reading {
        let wall = self.origin.elapsed().as_nanos();
        Reading {
            wall_ns: u64::try_from(wall).unwrap_or(u64::MAX),
            cpu_ns: process_cpu_ns(),
        }
    }
}

/// A timer that only moves when told to. A mock routine advances it by the time its
/// iterations "take", so the runner's scheduling is tested deterministically.
#[derive(Debug, Default)]
pub struct MockTimer {
    wall_ns: Cell<u64>,
    cpu_ns: Cell<u64>,
}

impl MockTimer {
    /// A timer reading zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves wall time forward by `wall_ns` and CPU time by `cpu_ns`.
    pub fn advance(&self, wall_ns: u64, cpu_ns: u64) {
        self.wall_ns.set(self.wall_ns.get().saturating_add(wall_ns));
        self.cpu_ns.set(self.cpu_ns.get().saturating_add(cpu_ns));
    }
}

impl Timer for MockTimer {
    fn now(&self) -> Reading {
        Reading {
            wall_ns: self.wall_ns.get(),
            cpu_ns: self.cpu_ns.get(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mock_timer_moves_only_when_advanced() {
        let t = MockTimer::new();
        let a = t.now();
        assert_eq!(t.now(), a);
        t.advance(1_000, 900);
        assert_eq!(
            t.now().since(a),
            Elapsed {
                wall_ns: 1_000,
                cpu_ns: 900
            }
        );
    }

    #[test]
    fn real_timer_is_monotonic_and_counts_cpu() {
        let t = RealTimer::new();
        let a = t.now();
        let mut x = 0u64;
        for i in 0..200_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        let e = t.now().since(a);
        assert!(e.wall_ns > 0);
        if cfg!(target_os = "linux") {
            assert!(e.cpu_ns > 0, "process CPU time advanced");
        }
        std::hint::black_box(x);
    }
}
