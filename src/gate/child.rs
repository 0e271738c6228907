//! The process callgrind runs: sets scenarios up, then runs each one's timed loop with a
//! [`MarkTimer`] whose readings call two `#[inline(never)]` marker functions, so callgrind
//! counts exactly the region the measurement engine times (its `inside_loop`).
//!
//! Why markers rather than `--toggle-collect` around `Routine::run`: `run` also does the
//! untimed work between batches (an envelope open refills its message pool and builds a
//! fresh opener), which a toggle around it would count. Instead callgrind is started with
//! `--zero-before=<start marker> --dump-before=<end marker>`: costs are zeroed when a
//! timed region starts and dumped to a numbered file when it ends. No client requests, no
//! `unsafe`.
//!
//! Per scenario: one unarmed warm-up run of [`Plan::warmup`] operations (lazy
//! initialisation, first-use tables), then armed runs of `iters[0]`, `iters[1]`,
//! `iters[0]`, `iters[1]`, ... ([`Plan::repeats`] pairs). Each armed run is one region per
//! batch it times (one, as long as `iters` fits an open's message pool). The parent
//! subtracts the smaller run from the larger, which cancels the markers' and the timer's
//! own instructions, and divides by the difference in operations.

use std::cell::Cell;
use std::hint::black_box;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::GateError;
use crate::backend::ALL_BACKENDS;
use crate::cpu::CpuFeatures;
use crate::measure::engine::describe;
use crate::measure::routine;
use crate::measure::timer::{Reading, Timer};
use crate::results::{Environment, ScenarioResult};

/// Callgrind function pattern of the start marker.
pub const START_PATTERN: &str = "*sealbench_gate_region_start*";
/// Callgrind function pattern of the end marker.
pub const END_PATTERN: &str = "*sealbench_gate_region_end*";

/// Start marker: callgrind zeroes its counters on entry. Distinct bodies keep LLVM from
/// merging the two markers into one symbol.
#[inline(never)]
pub fn sealbench_gate_region_start(n: u64) -> u64 {
    black_box(n ^ 0x5354_4152_5400)
}

/// End marker: callgrind dumps its counters to a numbered file on entry.
#[inline(never)]
pub fn sealbench_gate_region_end(n: u64) -> u64 {
    black_box(n.wrapping_add(0x454e_4400))
}

/// A [`Timer`] that, while armed, calls the start marker on every odd reading and the end
/// marker on every even one (the engine reads the clock once before and once after each
/// timed batch). Readings are all zero: under callgrind time means nothing.
#[derive(Debug, Default)]
pub struct MarkTimer {
    armed: Cell<bool>,
    inside: Cell<bool>,
    regions: Cell<u64>,
}

impl MarkTimer {
    /// An unarmed timer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Arms or disarms the markers; a disarmed timer calls neither.
    pub fn arm(&self, on: bool) {
        self.armed.set(on);
        self.inside.set(false);
    }

    /// Completed regions (end markers called) so far.
    pub fn regions(&self) -> u64 {
        self.regions.get()
    }
}

impl Timer for MarkTimer {
    fn now(&self) -> Reading {
        if self.armed.get() {
            let n = self.regions.get();
            if self.inside.get() {
                black_box(sealbench_gate_region_end(n));
                self.regions.set(n + 1);
                self.inside.set(false);
            } else {
                self.inside.set(true);
                black_box(sealbench_gate_region_start(n));
            }
        }
        Reading::default()
    }
}

/// Operation counts of the child's runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Unarmed operations before the first armed run.
    pub warmup: u64,
    /// The two armed run lengths, smaller first.
    pub iters: [u64; 2],
    /// Armed pairs per scenario (two give a run-to-run determinism check).
    pub repeats: u32,
}

/// The default plan: 2 warm-up operations, then pairs of 4 and 20 operations, twice.
/// 20 fits the smallest message pool in the subset (63 messages at 16 KiB).
pub const PLAN: Plan = Plan {
    warmup: 2,
    iters: [4, 20],
    repeats: 2,
};

/// One armed run of one scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArmedRun {
    /// Operations.
    pub iters: u64,
    /// Timed regions it produced, i.e. callgrind dump files, in order.
    pub regions: u64,
}

/// What the child did for one scenario.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChildScenario {
    /// The scenario's record (statistics empty), described under callgrind's CPU view.
    pub record: ScenarioResult,
    /// Armed runs in order (also those before a failure: their dumps exist).
    pub runs: Vec<ArmedRun>,
    /// The backend's reason, if unsupported.
    pub unsupported: Option<String>,
    /// The error, if setting up or running failed.
    pub error: Option<String>,
}

/// The child's report to the parent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChildManifest {
    /// The environment as the measured program saw it (callgrind hides some CPU features).
    pub environment: serde_json::Value,
    /// The plan followed.
    pub plan: Plan,
    /// Scenarios in the order run (and dumped).
    pub scenarios: Vec<ChildScenario>,
}

/// Runs the scenarios named `ids` (from the gate subset) with `plan`, writing the
/// manifest to `out` ([`crate::measure::child`]'s protocol).
pub fn run(ids: &[String], plan: Plan, out: &Path) -> Result<(), GateError> {
    let cpu = CpuFeatures::detect();
    let timer = MarkTimer::new();
    let mut scenarios = Vec::new();
    for s in &super::subset::by_ids(ids)? {
        let mut done = ChildScenario {
            record: describe(s, &cpu),
            runs: Vec::new(),
            unsupported: None,
            error: None,
        };
        let outcome = routine::build(s).and_then(|mut built| {
            timer.arm(false);
            built.routine.run(&timer, plan.warmup)?;
            for _ in 0..plan.repeats {
                for iters in plan.iters {
                    timer.arm(true);
                    let before = timer.regions();
                    let r = built.routine.run(&timer, iters);
                    done.runs.push(ArmedRun {
                        iters,
                        regions: timer.regions() - before,
                    });
                    r?;
                }
            }
            Ok(())
        });
        timer.arm(false);
        if let Err(e) = outcome {
            match e.unsupported() {
                Some(u) => done.unsupported = Some(u.to_string()),
                None => done.error = Some(e.to_string()),
            }
        }
        scenarios.push(done);
    }
    let manifest = ChildManifest {
        environment: serde_json::to_value(Environment::capture(ALL_BACKENDS))
            .map_err(|e| GateError::Measure(format!("environment: {e}")))?,
        plan,
        scenarios,
    };
    Ok(crate::measure::child::write_output(out, &manifest)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mark_timer_alternates_and_counts_only_when_armed() {
        let t = MarkTimer::new();
        t.now();
        t.now();
        assert_eq!(t.regions(), 0);
        t.arm(true);
        for _ in 0..6 {
            assert_eq!(t.now(), Reading::default());
        }
        assert_eq!(t.regions(), 3);
        t.now(); // a start left open is not a region
        t.arm(false);
        assert_eq!(t.regions(), 3);
    }

    #[test]
    fn markers_are_distinct() {
        assert_ne!(sealbench_gate_region_start(1), sealbench_gate_region_end(1));
    }

    #[test]
    fn child_runs_a_real_scenario_and_counts_regions() {
        let id = crate::backend::ALL_BACKENDS
            .first()
            .map(|b| format!("seal_{}_aes128gcm_64", b.name))
            .unwrap();
        let dir = std::env::temp_dir().join(format!("sealbench-gate-child-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("m.json");
        run(std::slice::from_ref(&id), PLAN, &out).unwrap();
        let m: ChildManifest =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let s = &m.scenarios[0];
        assert_eq!(s.record.id, id);
        assert!(s.error.is_none() && s.unsupported.is_none());
        let iters: Vec<u64> = s.runs.iter().map(|r| r.iters).collect();
        assert_eq!(iters, [4, 20, 4, 20]);
        assert!(s.runs.iter().all(|r| r.regions == 1));
        assert!(run(&["nope_64".into()], PLAN, &out).is_err());
    }
}
