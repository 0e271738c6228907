//! Wall time with noise control, within one process: every scenario is set up once and
//! calibrated, then sampled in interleaved rounds, one sample of each scenario per round,
//! so a slow phase of the machine (another process, frequency, a noisy neighbour) lands on
//! all scenarios alike instead of on whichever ran at the time. Rounds alternate direction
//! (A B C, C B A, ...) so no scenario always follows the same one.
//!
//! Each sample is one batch of the calibrated number of operations ([`Plan::sample_ns`]
//! long), preceded by an untimed batch of an eighth of that to bring the scenario's code
//! and data back into the caches after the others ran. A sample during which the process
//! lost the CPU (wall time more than [`DESCHEDULED_SLACK`] above the process's CPU time:
//! another process or the hypervisor ran instead) is retaken, up to [`RETRIES`] times:
//! preemption only ever adds time, and on a shared machine it otherwise decides the upper
//! half of the samples.
//!
//! The gate runs a [`Session`] in each of [`Plan::processes`] fresh processes and pools
//! their samples ([`super::processes`]): a process's memory layout can make a 60 ns
//! operation 10% faster or slower for that whole process, which no number of rounds inside
//! one process would reveal.

use super::GateError;
use crate::cpu::CpuFeatures;
use crate::measure::MeasureError;
use crate::measure::engine::describe;
use crate::measure::runner::{Profile, measure};
use crate::measure::stats::summarize;
use crate::measure::timer::{Elapsed, Timer};
use crate::measure::{Routine, Scenario, routine};
use crate::results::{ScenarioResult, Stats};

/// How long and how often to sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Rounds of the first measurement over all processes (one sample per scenario per
    /// round).
    pub rounds: u32,
    /// Rounds of the confirmation of suspects, over all processes.
    pub confirm_rounds: u32,
    /// Fresh processes the rounds are split over, run one after the other.
    pub processes: u32,
    /// Target duration of one sample, ns.
    pub sample_ns: u64,
}

/// The default plan: 21 rounds of 2 ms samples in 3 processes (7 each), 42 to confirm.
pub const PLAN: Plan = Plan {
    rounds: 21,
    confirm_rounds: 42,
    processes: 3,
    sample_ns: 2_000_000,
};

/// Profile label of wall runs written by the gate.
pub const PROFILE: &str = "gate-wall";

/// A sample whose wall time exceeds its CPU time by more than this fraction was
/// descheduled for part of it and is retaken.
pub const DESCHEDULED_SLACK: f64 = 0.05;
/// Retakes of a descheduled sample; after that the fastest attempt is kept.
pub const RETRIES: u32 = 4;

/// Whether the process lost the CPU during `e` (never, where there is no CPU clock).
pub fn descheduled(e: &Elapsed) -> bool {
    e.cpu_ns > 0 && e.wall_ns as f64 > e.cpu_ns as f64 * (1.0 + DESCHEDULED_SLACK)
}

/// Runs one sample of `iters` after a warm batch, retaking descheduled attempts; returns
/// the sample and the number of attempts rejected.
fn sample(
    routine: &mut dyn Routine,
    timer: &dyn Timer,
    iters: u64,
) -> Result<(Elapsed, u32), MeasureError> {
    let mut best: Option<Elapsed> = None;
    for attempt in 0..=RETRIES {
        routine.run(timer, (iters / 8).max(1))?;
        let t = routine.run(timer, iters)?;
        if !descheduled(&t) {
            return Ok((t, attempt));
        }
        if best.is_none_or(|b| t.wall_ns < b.wall_ns) {
            best = Some(t);
        }
    }
    Ok((best.unwrap_or_default(), RETRIES + 1))
}

/// Iterations that make a batch of `routine` last about `target_ns` of CPU (the runner's
/// calibration can stop short when its first batches ran cold: warm-up batches shorter
/// than a quarter of the target do not recalibrate it).
fn refine(
    routine: &mut dyn Routine,
    timer: &dyn Timer,
    mut iters: u64,
    target_ns: u64,
) -> Result<u64, MeasureError> {
    let g = routine.granularity().max(1);
    for _ in 0..4 {
        let t = routine.run(timer, iters)?;
        let ns = match t.cpu_ns {
            0 => t.wall_ns,
            cpu => cpu.min(t.wall_ns),
        }
        .max(1);
        let ratio = target_ns as f64 / ns as f64;
        if (0.7..=1.4).contains(&ratio) {
            break;
        }
        let next = (iters as f64 * ratio).ceil().clamp(1.0, 1e9) as u64;
        iters = next.div_ceil(g) * g;
    }
    Ok(iters)
}

/// Calibration: warm up 10 ms, then one sample at the target size.
fn calibration(sample_ns: u64) -> Profile {
    Profile {
        name: PROFILE,
        warmup_ns: 10_000_000,
        sample_ns,
        samples: 1,
        min_samples: 1,
        budget_ns: 200_000_000,
    }
}

/// The samples of one scenario from one process.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct ScenarioSamples {
    /// The scenario's record (statistics not filled in).
    pub record: ScenarioResult,
    /// Operations per sample.
    pub iters: u64,
    /// Wall ns per operation, one per sample.
    pub wall_ns: Vec<f64>,
    /// CPU ns per operation, one per sample.
    pub cpu_ns: Vec<f64>,
}

/// One scenario being sampled.
struct Entry {
    record: ScenarioResult,
    routine: Box<dyn Routine>,
    iters: u64,
    wall: Vec<f64>,
    cpu: Vec<f64>,
    rejected: u32,
    error: Option<String>,
}

/// Scenarios set up and sampled in interleaved rounds.
pub struct Session {
    entries: Vec<Entry>,
    /// Unsupported scenarios and the backend's reason.
    pub skipped: Vec<(String, String)>,
}

impl Session {
    /// Sets up `scenarios`; unsupported ones are listed in `skipped`, set-up failures are
    /// errors.
    pub fn build(scenarios: &[Scenario]) -> Result<Self, GateError> {
        let cpu = CpuFeatures::detect();
        let mut routines = Vec::new();
        let mut skipped = Vec::new();
        for s in scenarios {
            let record = describe(s, &cpu);
            match routine::build(s) {
                Ok(b) => routines.push((record, b.routine)),
                Err(e) => match e.unsupported() {
                    Some(u) => skipped.push((record.id, u.to_string())),
                    None => {
                        return Err(GateError::Measure(format!("{}: {e}", record.id)));
                    }
                },
            }
        }
        let mut session = Self::from_routines(routines);
        session.skipped = skipped;
        Ok(session)
    }

    /// A session over ready routines (tests drive it with mock routines and a mock timer).
    pub fn from_routines(routines: Vec<(ScenarioResult, Box<dyn Routine>)>) -> Self {
        Self {
            entries: routines
                .into_iter()
                .map(|(record, routine)| Entry {
                    record,
                    routine,
                    iters: 1,
                    wall: Vec::new(),
                    cpu: Vec::new(),
                    rejected: 0,
                    error: None,
                })
                .collect(),
            skipped: Vec::new(),
        }
    }

    /// Warms up and calibrates every scenario to samples of `sample_ns`.
    pub fn calibrate(&mut self, timer: &dyn Timer, sample_ns: u64) {
        let profile = calibration(sample_ns);
        for e in &mut self.entries {
            let calibrated = measure(e.routine.as_mut(), timer, &profile)
                .and_then(|s| refine(e.routine.as_mut(), timer, s.iters, sample_ns));
            match calibrated {
                Ok(iters) => e.iters = iters,
                Err(err) => e.error = Some(err.to_string()),
            }
        }
    }

    /// Indices of the scenarios with these ids.
    pub fn indices(&self, ids: &[String]) -> Vec<usize> {
        (0..self.entries.len())
            .filter(|&i| {
                self.entries
                    .get(i)
                    .is_some_and(|e| ids.contains(&e.record.id))
            })
            .collect()
    }

    /// All scenario indices.
    pub fn all(&self) -> Vec<usize> {
        (0..self.entries.len()).collect()
    }

    /// Discards the samples of `which`.
    pub fn reset(&mut self, which: &[usize]) {
        for &i in which {
            if let Some(e) = self.entries.get_mut(i) {
                e.wall.clear();
                e.cpu.clear();
            }
        }
    }

    /// Takes `rounds` interleaved rounds over `which`, one sample each per round;
    /// `on_round(done)` is called after each round.
    pub fn rounds(
        &mut self,
        timer: &dyn Timer,
        which: &[usize],
        rounds: u32,
        on_round: &mut dyn FnMut(u32),
    ) {
        for r in 0..rounds {
            let order: Vec<usize> = if r % 2 == 0 {
                which.to_vec()
            } else {
                which.iter().rev().copied().collect()
            };
            for i in order {
                let Some(e) = self.entries.get_mut(i) else {
                    continue;
                };
                if e.error.is_some() {
                    continue;
                }
                match sample(e.routine.as_mut(), timer, e.iters) {
                    Ok((t, rejected)) => {
                        e.wall.push(t.wall_ns as f64 / e.iters as f64);
                        e.cpu.push(t.cpu_ns as f64 / e.iters as f64);
                        e.rejected += rejected;
                    }
                    Err(err) => e.error = Some(err.to_string()),
                }
            }
            on_round(r + 1);
        }
    }

    /// The id of scenario `i`.
    pub fn id(&self, i: usize) -> Option<String> {
        self.entries.get(i).map(|e| e.record.id.clone())
    }

    /// Statistics of scenario `i`'s samples so far.
    pub fn stats(&self, i: usize) -> Option<Stats> {
        let e = self.entries.get(i)?;
        Some(summarize(&e.wall, &e.cpu, e.iters))
    }

    /// The raw samples of every scenario that has samples and no error.
    pub fn samples(&self) -> Vec<ScenarioSamples> {
        self.entries
            .iter()
            .filter(|e| e.error.is_none() && !e.wall.is_empty())
            .map(|e| ScenarioSamples {
                record: e.record.clone(),
                iters: e.iters,
                wall_ns: e.wall.clone(),
                cpu_ns: e.cpu.clone(),
            })
            .collect()
    }

    /// Records of every scenario that has samples and no error.
    pub fn results(&self) -> Vec<ScenarioResult> {
        self.entries
            .iter()
            .filter(|e| e.error.is_none() && !e.wall.is_empty())
            .map(|e| ScenarioResult {
                stats: summarize(&e.wall, &e.cpu, e.iters),
                ..e.record.clone()
            })
            .collect()
    }

    /// Scenarios that failed while measuring, with the error.
    pub fn failed(&self) -> Vec<(String, String)> {
        self.entries
            .iter()
            .filter_map(|e| Some((e.record.id.clone(), e.error.clone()?)))
            .collect()
    }

    /// Descheduled sample attempts retaken so far, over all scenarios.
    pub fn rejected(&self) -> u64 {
        self.entries.iter().map(|e| u64::from(e.rejected)).sum()
    }

    /// Number of scenarios.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no scenario.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::timer::{Elapsed, MockTimer};
    use crate::measure::{MeasureError, Op, Work};
    use std::cell::RefCell;
    use std::rc::Rc;

    /// Each operation costs `cost` ns on the mock clock; records (name, iters) per call.
    /// Calls numbered in `preempted` (from 1) lose the CPU: twice their time passes on
    /// the wall clock.
    struct Mock<'t> {
        name: char,
        cost: u64,
        timer: &'t MockTimer,
        log: Rc<RefCell<Vec<(char, u64)>>>,
        calls: usize,
        preempted: Vec<usize>,
    }

    impl Routine for Mock<'_> {
        fn run(&mut self, timer: &dyn Timer, iters: u64) -> Result<Elapsed, MeasureError> {
            self.log.borrow_mut().push((self.name, iters));
            self.calls += 1;
            let t0 = timer.now();
            let ns = iters * self.cost;
            let lost = if self.preempted.contains(&self.calls) {
                ns
            } else {
                0
            };
            self.timer.advance(ns + lost, ns);
            Ok(timer.now().since(t0))
        }
    }

    #[test]
    fn descheduled_samples_are_retaken() {
        let timer = MockTimer::new();
        let log = Rc::new(RefCell::new(Vec::new()));
        // Calls 2 and 4 (the first two timed batches) are preempted, 6 is clean.
        let mut m = Mock {
            name: 'a',
            cost: 100,
            timer: &timer,
            log,
            calls: 0,
            preempted: vec![2, 4],
        };
        let (t, rejected) = sample(&mut m, &timer, 80).unwrap();
        assert_eq!((t.wall_ns, t.cpu_ns, rejected), (8000, 8000, 2));
        // Always preempted: the fastest attempt is kept, every attempt counted.
        m.preempted = (1..100).collect();
        let (t, rejected) = sample(&mut m, &timer, 80).unwrap();
        assert_eq!((t.wall_ns, rejected), (16000, RETRIES + 1));
        assert!(descheduled(&Elapsed {
            wall_ns: 1060,
            cpu_ns: 1000
        }));
        assert!(!descheduled(&Elapsed {
            wall_ns: 1040,
            cpu_ns: 1000
        }));
        assert!(!descheduled(&Elapsed {
            wall_ns: 5000,
            cpu_ns: 0
        }));
    }

    #[test]
    fn refine_reaches_the_target_from_a_cold_estimate() {
        let timer = MockTimer::new();
        let mut m = Mock {
            name: 'a',
            cost: 1000,
            timer: &timer,
            log: Rc::new(RefCell::new(Vec::new())),
            calls: 0,
            preempted: vec![],
        };
        // Calibrated from cold batches at 10 µs per operation: 200 instead of 2000.
        assert_eq!(refine(&mut m, &timer, 200, 2_000_000).unwrap(), 2000);
        assert_eq!(refine(&mut m, &timer, 2500, 2_000_000).unwrap(), 2500);
    }

    fn record(id: &str) -> ScenarioResult {
        let mut r = describe(
            &Scenario {
                op: Op::Memcpy,
                work: Work::Memcpy,
                backend: None,
                backend_tag: None,
                size: 64,
            },
            &CpuFeatures::detect(),
        );
        r.id = id.into();
        r
    }

    #[test]
    fn rounds_interleave_and_alternate_direction() {
        // The routines borrow the timer, so both live in this test only.
        let timer: &'static MockTimer = Box::leak(Box::new(MockTimer::new()));
        let log = Rc::new(RefCell::new(Vec::new()));
        let mk = |name: char, cost: u64| -> (ScenarioResult, Box<dyn Routine>) {
            (
                record(&name.to_string()),
                Box::new(Mock {
                    name,
                    cost,
                    timer,
                    log: log.clone(),
                    calls: 0,
                    preempted: vec![],
                }),
            )
        };
        let mut s = Session::from_routines(vec![mk('a', 100), mk('b', 1000), mk('c', 10)]);
        s.calibrate(timer, 1_000_000);
        log.borrow_mut().clear();
        let mut seen = Vec::new();
        s.rounds(timer, &s.all(), 3, &mut |r| seen.push(r));
        assert_eq!(seen, [1, 2, 3]);
        // Warm batch then sample per scenario; order a b c, c b a, a b c.
        let order: String = log.borrow().iter().map(|c| c.0).collect();
        assert_eq!(order, "aabbccccbbaaaabbcc");
        // Calibrated to 1 ms samples; the warm batch is an eighth.
        assert_eq!(log.borrow()[0], ('a', 1250));
        assert_eq!(log.borrow()[1], ('a', 10_000));
        let st = s.stats(1).unwrap();
        assert_eq!(
            (st.samples, st.median_ns, st.iters_per_sample),
            (3, 1000.0, 1000)
        );
        // Confirmation: fresh samples for a subset only.
        let b = s.indices(&["b".to_string()]);
        assert_eq!(b, [1]);
        s.reset(&b);
        s.rounds(timer, &b, 5, &mut |_| {});
        assert_eq!(s.stats(1).unwrap().samples, 5);
        assert_eq!(s.stats(0).unwrap().samples, 3);
        assert_eq!(s.results().len(), 3);
        assert!(s.failed().is_empty());
    }
}
