//! Scheduling one scenario: warm-up, calibration, samples, all within a time budget.
//!
//! 1. Calibrate: run 1 iteration, then more (at most ×64 per step) until one batch lasts
//!    at least a quarter of the sample target; set the iterations so a sample lasts the
//!    target (rounded up to the routine's granularity, e.g. the content-key reuse period).
//! 2. Warm up: keep running samples of that size, unrecorded, until the warm-up time has
//!    passed since the start (calibration counts), then recalibrate. Calibration uses the
//!    fastest time per operation among batches of at least a quarter of the target, so a
//!    batch slowed by preemption does not shrink the samples.
//! 3. Sample: record up to `samples` samples; stop early once the scenario's budget is
//!    spent and `min_samples` are in. An operation slower than the target gets one
//!    iteration per sample and as many samples as the budget allows.
//!
//! All times come from the [`Timer`], so a [`MockTimer`](super::timer::MockTimer) drives
//! the whole schedule in tests.

use super::error::MeasureError;
use super::timer::{Elapsed, Timer};

/// A measurable operation, prepared outside the timed region.
pub trait Routine {
    /// Runs `iters` operations and returns the time they took. Untimed work between
    /// batches (restoring a message pool, a fresh replay window) is excluded.
    fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError>;

    /// Iteration counts are rounded up to a multiple of this (1 unless the operation has
    /// a period, like one content-key refresh per `cek_reuse` messages).
    fn granularity(&self) -> u64 {
        1
    }
}

/// How long and how often to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Profile {
    /// `quick`, `default` or `precise`.
    pub name: &'static str,
    /// Minimum time spent running before the first recorded sample, ns.
    pub warmup_ns: u64,
    /// Target duration of one sample, ns.
    pub sample_ns: u64,
    /// Samples recorded when the budget allows.
    pub samples: u32,
    /// Samples recorded even past the budget.
    pub min_samples: u32,
    /// Wall-time budget for one scenario (warm-up included), ns.
    pub budget_ns: u64,
}

const MS: u64 = 1_000_000;

/// `--quick`: the whole default matrix in about a minute on two cores.
pub const QUICK: Profile = Profile {
    name: "quick",
    warmup_ns: 2 * MS,
    sample_ns: MS,
    samples: 11,
    min_samples: 5,
    budget_ns: 60 * MS,
};

/// The default profile.
pub const DEFAULT: Profile = Profile {
    name: "default",
    warmup_ns: 20 * MS,
    sample_ns: 5 * MS,
    samples: 21,
    min_samples: 5,
    budget_ns: 400 * MS,
};

/// `--precise`.
pub const PRECISE: Profile = Profile {
    name: "precise",
    warmup_ns: 100 * MS,
    sample_ns: 20 * MS,
    samples: 51,
    min_samples: 11,
    budget_ns: 3_000 * MS,
};

/// Upper bound on iterations per sample.
const MAX_ITERS: u64 = 1 << 32;

/// The recorded samples of one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Samples {
    /// Iterations per sample.
    pub iters: u64,
    /// Wall ns per operation, one per sample.
    pub wall_ns: Vec<f64>,
    /// CPU ns per operation, one per sample.
    pub cpu_ns: Vec<f64>,
}

fn round_up(iters: u64, granularity: u64) -> u64 {
    let g = granularity.max(1);
    iters.clamp(1, MAX_ITERS).div_ceil(g).saturating_mul(g)
}

/// Iterations that make a sample last `target_ns`, given `iters` took `wall_ns`.
fn scaled(iters: u64, wall_ns: u64, target_ns: u64) -> u64 {
    if wall_ns == 0 {
        return iters.saturating_mul(64);
    }
    let want = (iters as f64) * (target_ns as f64) / (wall_ns as f64);
    want.ceil().clamp(1.0, MAX_ITERS as f64) as u64
}

/// Measures `routine` under `profile`.
pub fn measure(
    routine: &mut dyn Routine,
    timer: &dyn Timer,
    profile: &Profile,
) -> Result<Samples, MeasureError> {
    let start = timer.now();
    let spent = || timer.now().since(start).wall_ns;
    let g = routine.granularity();
    let target = profile.sample_ns.max(1);

    // Calibrate. `best` is the fastest time per operation among batches long enough to
    // trust: one preempted batch must not shrink the sample size.
    let best = std::cell::Cell::new(f64::INFINITY);
    let mut timed = |iters: u64| -> Result<Elapsed, MeasureError> {
        let e = routine.run(timer, iters)?;
        if e.wall_ns >= target / 4 && e.wall_ns > 0 {
            best.set(best.get().min(e.wall_ns as f64 / iters as f64));
        }
        Ok(e)
    };
    let mut iters = round_up(1, g);
    let mut last = timed(iters)?;
    while last.wall_ns < target / 4 && iters < MAX_ITERS && spent() < profile.budget_ns / 2 {
        let next = scaled(iters, last.wall_ns, target / 2).clamp(iters + 1, iters * 64);
        iters = round_up(next, g);
        last = timed(iters)?;
    }
    let calibrated = |iters: u64, last: Elapsed| {
        let best = best.get();
        if best.is_finite() {
            round_up(
                (target as f64 / best).ceil().min(MAX_ITERS as f64) as u64,
                g,
            )
        } else {
            round_up(scaled(iters, last.wall_ns, target), g)
        }
    };
    iters = calibrated(iters, last);

    // Warm up at the calibrated size, then recalibrate once.
    let mut warmed = false;
    while spent() < profile.warmup_ns && spent() < profile.budget_ns / 2 {
        last = timed(iters)?;
        warmed = true;
    }
    if warmed {
        iters = calibrated(iters, last);
    }

    // Sample.
    let mut out = Samples {
        iters,
        wall_ns: Vec::with_capacity(profile.samples as usize),
        cpu_ns: Vec::with_capacity(profile.samples as usize),
    };
    let per_op = |ns: u64| ns as f64 / iters as f64;
    for i in 0..profile.samples {
        if i >= profile.min_samples && spent() >= profile.budget_ns {
            break;
        }
        let e = timed(iters)?;
        out.wall_ns.push(per_op(e.wall_ns));
        out.cpu_ns.push(per_op(e.cpu_ns));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::timer::MockTimer;

    /// Each operation takes `cost` ns wall (and 90% of it CPU); `setup` ns pass untimed per
    /// call; call number `spike.0` is preempted for `spike.1` ns inside its timed region.
    /// Records every call's iteration count.
    struct Mock<'t> {
        timer: &'t MockTimer,
        cost: u64,
        setup: u64,
        granularity: u64,
        spike: (usize, u64),
        calls: Vec<u64>,
    }

    impl Routine for Mock<'_> {
        fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError> {
            self.calls.push(iters);
            self.timer.advance(self.setup, self.setup);
            let t0 = timer.now();
            self.timer
                .advance(iters * self.cost, iters * self.cost * 9 / 10);
            if self.calls.len() == self.spike.0 {
                self.timer.advance(self.spike.1, 0);
            }
            Ok(timer.now().since(t0))
        }
        fn granularity(&self) -> u64 {
            self.granularity
        }
    }

    fn mock(timer: &MockTimer, cost: u64) -> Mock<'_> {
        Mock {
            timer,
            cost,
            setup: 0,
            granularity: 1,
            spike: (usize::MAX, 0),
            calls: Vec::new(),
        }
    }

    #[test]
    fn a_preempted_warm_up_batch_does_not_shrink_the_samples() {
        let t = MockTimer::new();
        // Calls 1..=3 calibrate (1, 64, 4096 iterations); call 4 is the first warm-up
        // batch at the calibrated 10 000, preempted for 9 ms.
        let mut m = Mock {
            spike: (4, 9 * MS),
            ..mock(&t, 100)
        };
        let s = measure(&mut m, &t, &QUICK).unwrap();
        assert_eq!(m.calls[3], 10_000);
        assert_eq!(s.iters, 10_000, "{:?}", m.calls);
    }

    #[test]
    fn fast_operation_is_calibrated_to_the_sample_target() {
        let t = MockTimer::new();
        let mut m = mock(&t, 100);
        let s = measure(&mut m, &t, &QUICK).unwrap();
        // 1 ms / 100 ns.
        assert_eq!(s.iters, 10_000);
        assert_eq!(s.wall_ns.len(), 11);
        assert!(s.wall_ns.iter().all(|&x| x == 100.0));
        assert!(s.cpu_ns.iter().all(|&x| x == 90.0));
        // Calibration grows at most ×64 per step and starts at one iteration.
        assert_eq!(m.calls.first(), Some(&1));
        assert!(m.calls.windows(2).all(|w| w[1] <= w[0] * 64));
        // Warm-up ran at least 2 ms before the first recorded sample.
        let before: u64 = m.calls[..m.calls.len() - 11].iter().sum::<u64>() * 100;
        assert!(before >= QUICK.warmup_ns, "{before}");
    }

    #[test]
    fn slow_operation_gets_one_iteration_and_the_budget_limits_samples() {
        let t = MockTimer::new();
        // 15 ms per operation: the 60 ms budget is spent before 11 samples.
        let mut m = mock(&t, 15 * MS);
        let s = measure(&mut m, &t, &QUICK).unwrap();
        assert_eq!(s.iters, 1);
        assert_eq!(s.wall_ns.len(), QUICK.min_samples as usize);
        assert!(t.now().wall_ns < 2 * QUICK.budget_ns);
    }

    #[test]
    fn untimed_setup_counts_against_the_budget_but_not_the_samples() {
        let t = MockTimer::new();
        let mut m = Mock {
            setup: 5 * MS,
            ..mock(&t, 1_000)
        };
        let s = measure(&mut m, &t, &QUICK).unwrap();
        assert!(s.wall_ns.iter().all(|&x| x == 1_000.0));
        assert!(
            s.wall_ns.len() < 11,
            "budget spent on set-up: {}",
            s.wall_ns.len()
        );
    }

    #[test]
    fn iterations_respect_granularity() {
        let t = MockTimer::new();
        let mut m = Mock {
            granularity: 100,
            ..mock(&t, 3_000)
        };
        let s = measure(&mut m, &t, &QUICK).unwrap();
        assert!(m.calls.iter().all(|c| c % 100 == 0), "{:?}", m.calls);
        assert_eq!(s.iters % 100, 0);
        assert_eq!(s.iters, 400); // 1 ms / 3 µs = 334, rounded up to the period
    }

    #[test]
    fn errors_propagate() {
        struct Failing;
        impl Routine for Failing {
            fn run(&mut self, _: &dyn Timer, _: u64) -> Result<Elapsed, MeasureError> {
                Err(MeasureError::Scenario("boom"))
            }
        }
        let t = MockTimer::new();
        assert!(measure(&mut Failing, &t, &DEFAULT).is_err());
    }
}
