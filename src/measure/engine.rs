//! Runs a list of scenarios and turns each into a [`ScenarioResult`].

use super::routine;
use super::runner::{Profile, measure};
use super::scenario::Scenario;
use super::stats::summarize;
use super::timer::Timer;
use crate::cpu::CpuFeatures;
use crate::results::ScenarioResult;

/// Everything one pass over a scenario list produced.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Measured scenarios, in matrix order.
    pub results: Vec<ScenarioResult>,
    /// Scenarios a backend cannot do: id and the backend's reason.
    pub skipped: Vec<(String, String)>,
    /// Scenarios that failed to set up or run: id and error (a bug, not a capability gap).
    pub failed: Vec<(String, String)>,
}

/// The result record of `s`, without statistics filled in.
pub fn describe(s: &Scenario, cpu: &CpuFeatures) -> ScenarioResult {
    let e = s.envelope();
    ScenarioResult {
        id: s.id(),
        family: s.family(),
        layer: s.layer().label().to_string(),
        op: s.op.label().to_string(),
        mode: e.map(|e| e.mode.label().to_string()),
        algorithm: s.algorithm(),
        backend: s.backend_label(),
        impl_path: s
            .aead()
            .zip(s.backend)
            .map(|(id, b)| (b.aead_path)(id, cpu).path.label().to_string()),
        size: s.size as u64,
        identity: e.and_then(|e| e.identity).map(|i| i.label().to_string()),
        recipients: e.and_then(|e| e.recipients).map(|r| r.count()),
        cek_reuse: e.and_then(|e| e.cek_reuse),
        inside_loop: s.inside_loop(),
        overhead_bytes: None,
        stats: summarize(&[], &[], 0),
    }
}

/// Measures every scenario under `profile`. `on_start(index, id)` is called before each.
pub fn run(
    scenarios: &[Scenario],
    profile: &Profile,
    timer: &dyn Timer,
    on_start: &mut dyn FnMut(usize, &str),
) -> Outcome {
    let cpu = CpuFeatures::detect();
    let mut out = Outcome::default();
    for (i, s) in scenarios.iter().enumerate() {
        let mut record = describe(s, &cpu);
        on_start(i, &record.id);
        let measured = routine::build(s).and_then(|mut built| {
            let samples = measure(built.routine.as_mut(), timer, profile)?;
            Ok((samples, built.overhead_bytes))
        });
        match measured {
            Ok((samples, overhead)) => {
                record.stats = summarize(&samples.wall_ns, &samples.cpu_ns, samples.iters);
                record.overhead_bytes = overhead;
                out.results.push(record);
            }
            Err(e) => match e.unsupported() {
                Some(reason) => out.skipped.push((record.id, reason.to_string())),
                None => out.failed.push((record.id, e.to_string())),
            },
        }
    }
    out
}
