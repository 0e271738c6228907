//! Wall time over fresh processes: the rounds of a [`Plan`] are split over
//! [`Plan::processes`] child processes run one after the other, each a [`Session`] of its
//! own (own address-space layout, own calibration), and their samples are pooled per
//! scenario before the median and its interval are taken.
//!
//! Why: on this project's reference VM a 60 ns AES-GCM seal of 64 bytes runs about 10%
//! faster in roughly one process in six, for the whole life of that process (where its
//! buffers and code land). A baseline from such a process against a candidate from an
//! ordinary one is a tight, confirmable "+11%" that no round inside one process can
//! explain away. Pooled over processes, that variation is part of each side's spread.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::GateError;
use super::wall::{Plan, ScenarioSamples, Session};
use crate::measure::RealTimer;
use crate::measure::child::{self, ChildCommand, Scratch};
use crate::measure::stats::summarize;
use crate::results::ScenarioResult;

/// What one child process reports.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ChildOutput {
    /// Samples per scenario.
    pub samples: Vec<ScenarioSamples>,
    /// Unsupported scenarios and the backend's reason.
    pub skipped: Vec<(String, String)>,
    /// Scenarios that failed while measuring, and why.
    pub failed: Vec<(String, String)>,
    /// Descheduled sample attempts retaken.
    pub rejected: u64,
    /// The child's environment (`results::Environment`: its build, its masks); absent
    /// from children of sealbench builds before it was added.
    #[serde(default)]
    pub environment: Option<serde_json::Value>,
}

/// Child side: measures the subset scenarios `ids` in this process with `rounds` rounds of
/// `sample_ns` samples and writes a [`ChildOutput`] to `out` ([`crate::measure::child`]).
pub fn run_child(ids: &[String], rounds: u32, sample_ns: u64, out: &Path) -> Result<(), GateError> {
    let scenarios = super::subset::by_ids(ids)?;
    let timer = RealTimer::new();
    let mut session = Session::build(&scenarios)?;
    session.calibrate(&timer, sample_ns);
    let all = session.all();
    session.rounds(&timer, &all, rounds, &mut |_| {});
    let env = crate::results::Environment::capture(crate::backend::ALL_BACKENDS);
    let output = ChildOutput {
        samples: session.samples(),
        skipped: session.skipped.clone(),
        failed: session.failed(),
        rejected: session.rejected(),
        environment: serde_json::to_value(&env).ok(),
    };
    Ok(child::write_output(out, &output)?)
}

/// Pools the samples of several processes per scenario id, in order of first appearance.
/// `iters_per_sample` is the first process's.
pub fn pool(outputs: &[ChildOutput]) -> Vec<ScenarioResult> {
    let mut order: Vec<&ScenarioSamples> = Vec::new();
    let mut pooled: Vec<(Vec<f64>, Vec<f64>)> = Vec::new();
    for s in outputs.iter().flat_map(|o| &o.samples) {
        let i = match order.iter().position(|o| o.record.id == s.record.id) {
            Some(i) => i,
            None => {
                order.push(s);
                pooled.push((Vec::new(), Vec::new()));
                order.len() - 1
            }
        };
        if let Some((w, c)) = pooled.get_mut(i) {
            w.extend_from_slice(&s.wall_ns);
            c.extend_from_slice(&s.cpu_ns);
        }
    }
    order
        .into_iter()
        .zip(pooled)
        .map(|(first, (w, c))| ScenarioResult {
            stats: summarize(&w, &c, first.iters),
            ..first.record.clone()
        })
        .collect()
}

/// The pooled measurement.
#[derive(Debug, Clone, Default)]
pub struct Measured {
    /// One record per scenario, statistics over all processes' samples.
    pub results: Vec<ScenarioResult>,
    /// Unsupported scenarios (from the first process).
    pub skipped: Vec<(String, String)>,
    /// Scenarios that failed in any process.
    pub failed: Vec<(String, String)>,
    /// Descheduled sample attempts retaken, all processes.
    pub rejected: u64,
    /// Rounds per process.
    pub rounds_per_process: u32,
    /// The environment the first process reported.
    pub environment: Option<serde_json::Value>,
}

/// A binary to measure and the environment variables to run it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binary {
    /// The sealbench executable.
    pub exe: PathBuf,
    /// `VAR=VALUE` pairs set for its processes (e.g. `OPENSSL_ia32cap`).
    pub env: Vec<(String, String)>,
}

impl Binary {
    /// This sealbench, with the environment as it is.
    pub fn current() -> Result<Self, GateError> {
        Ok(Self {
            exe: std::env::current_exe()
                .map_err(|e| GateError::Measure(format!("cannot find own executable: {e}")))?,
            env: Vec::new(),
        })
    }
}

/// Pools child outputs into one side.
fn side(outputs: &[ChildOutput], per: u32) -> Measured {
    let mut failed: Vec<(String, String)> = outputs.iter().flat_map(|o| o.failed.clone()).collect();
    failed.dedup();
    let failed_ids: Vec<&str> = failed.iter().map(|f| f.0.as_str()).collect();
    Measured {
        // A scenario that failed in one process is not reported from the others.
        results: pool(outputs)
            .into_iter()
            .filter(|r| !failed_ids.contains(&r.id.as_str()))
            .collect(),
        skipped: outputs
            .first()
            .map(|o| o.skipped.clone())
            .unwrap_or_default(),
        rejected: outputs.iter().map(|o| o.rejected).sum(),
        failed,
        rounds_per_process: per,
        environment: outputs.iter().find_map(|o| o.environment.clone()),
    }
}

/// Measures `ids` with two binaries: `rounds` rounds in all per binary, split over
/// `plan.processes` processes each, run alternately A B, B A, A B, ... so a slow phase of
/// the machine lands on both sides alike. Both binaries must speak the wall child
/// protocol (`gate --metric wall --child-out FILE ...`).
pub fn measure_pair(
    a: &Binary,
    b: &Binary,
    ids: &[String],
    rounds: u32,
    plan: &Plan,
) -> Result<(Measured, Measured), GateError> {
    let processes = plan.processes.max(1);
    let per = rounds.div_ceil(processes).max(1);
    let scratch = Scratch::new("gate-pair")?;
    let (mut outs_a, mut outs_b) = (Vec::new(), Vec::new());
    for k in 0..processes {
        let order: [(bool, &Binary); 2] = if k % 2 == 0 {
            [(true, a), (false, b)]
        } else {
            [(false, b), (true, a)]
        };
        for (is_a, bin) in order {
            let out = scratch.path(&format!("pair.{k}.{}.json", if is_a { "a" } else { "b" }));
            let o = run_one(bin, ids, per, plan.sample_ns, &out)?;
            if is_a {
                outs_a.push(o);
            } else {
                outs_b.push(o);
            }
        }
    }
    Ok((side(&outs_a, per), side(&outs_b, per)))
}

/// Measures `ids` with `rounds` rounds in all, split over `plan.processes` runs of `exe`
/// (this sealbench) one after the other.
pub fn measure(
    exe: &Path,
    ids: &[String],
    rounds: u32,
    plan: &Plan,
) -> Result<Measured, GateError> {
    let per = rounds.div_ceil(plan.processes.max(1)).max(1);
    let outputs = each_process(exe, ids, per, plan.sample_ns, plan.processes)?;
    Ok(side(&outputs, per))
}

/// Runs `processes` wall children of `exe` one after the other, each measuring `ids` in
/// `rounds` interleaved rounds of `sample_ns` samples, and returns their outputs unpooled
/// ([`measure`] pools them; `sealbench run`'s envelope/raw table pairs within each).
pub fn each_process(
    exe: &Path,
    ids: &[String],
    rounds: u32,
    sample_ns: u64,
    processes: u32,
) -> Result<Vec<ChildOutput>, GateError> {
    let scratch = Scratch::new("wall")?;
    let bin = Binary {
        exe: exe.to_path_buf(),
        env: Vec::new(),
    };
    (0..processes.max(1))
        .map(|k| {
            run_one(
                &bin,
                ids,
                rounds,
                sample_ns,
                &scratch.path(&format!("wall.{k}.json")),
            )
        })
        .collect()
}

/// One wall child of `bin`: the command line other sealbench revisions also understand (see
/// [`crate::measure::child`]).
fn run_one(
    bin: &Binary,
    ids: &[String],
    rounds: u32,
    sample_ns: u64,
    out: &Path,
) -> Result<ChildOutput, GateError> {
    let mut cmd = ChildCommand::new(
        &bin.exe,
        format!("wall child process of {}", bin.exe.display()),
    )
    .args(["gate", "--metric", "wall", "--child-rounds"])
    .arg(rounds.to_string())
    .arg("--child-sample-ns")
    .arg(sample_ns.to_string());
    for (k, v) in &bin.env {
        cmd = cmd.env(k, v);
    }
    for id in ids {
        cmd = cmd.arg("--child-scenario").arg(id);
    }
    Ok(cmd.run_json(out)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples(id: &str, iters: u64, wall: &[f64]) -> ScenarioSamples {
        let mut record = crate::measure::engine::describe(
            &crate::measure::Scenario {
                op: crate::measure::Op::Memcpy,
                work: crate::measure::Work::Memcpy,
                backend: None,
                backend_tag: None,
                size: 64,
            },
            &crate::cpu::CpuFeatures::detect(),
        );
        record.id = id.into();
        ScenarioSamples {
            record,
            iters,
            wall_ns: wall.to_vec(),
            cpu_ns: wall.to_vec(),
        }
    }

    #[test]
    fn pooling_concatenates_samples_per_scenario() {
        let a = ChildOutput {
            samples: vec![samples("x", 10, &[1.0, 2.0, 3.0]), samples("y", 5, &[7.0])],
            ..ChildOutput::default()
        };
        let b = ChildOutput {
            samples: vec![samples("y", 6, &[9.0]), samples("x", 11, &[4.0, 5.0])],
            ..ChildOutput::default()
        };
        let r = pool(&[a, b]);
        let ids: Vec<&str> = r.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["x", "y"]);
        assert_eq!(r[0].stats.samples, 5);
        assert_eq!(r[0].stats.median_ns, 3.0);
        assert_eq!(r[0].stats.iters_per_sample, 10);
        assert_eq!((r[1].stats.samples, r[1].stats.median_ns), (2, 8.0));
    }
}
