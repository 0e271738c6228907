//! Build profile as a measured dimension (`sealbench run --build-sensitivity`): the raw
//! AEADs of the gate subset (seal and open, AES-128-GCM and ChaCha20-Poly1305, 64 B and
//! 16 KiB, per backend) timed by a sealbench built in the default `release` profile
//! (16 codegen units, no LTO) and by one built in the `measure` profile (fat LTO, one
//! codegen unit), interleaved process by process ([`super::processes::measure_pair`]:
//! release, measure, measure, release, ...), and per backend the ratio release time /
//! measure time (above 1: the tuned build is faster).
//!
//! Normalised within the run: each backend's ratio is also divided by the ratio of a
//! reference backend whose AEADs are assembly and cannot depend on the Rust build (ring,
//! else aws-lc, else OpenSSL), measured in the same processes. A slow phase of the machine
//! that lands on one binary's processes (another build's link step) moves every backend of
//! that binary alike and cancels in the quotient; what remains is how much the backend's
//! own code depends on how the application is compiled.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::GateError;
use super::processes::{self, Binary, Measured};
use super::{subset, wall};
use crate::backend::Backend;
use crate::measure::{IdFilter, Scenario, Work};
use crate::results::ScenarioResult;

/// Backends whose AEADs are assembly, in order of preference as the reference.
pub const REFERENCES: &[&str] = &["ring", "aws-lc", "openssl"];

/// What to measure.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The `release` build.
    pub release: Binary,
    /// The `measure` build.
    pub measure: Binary,
    /// Backends whose AEADs are timed.
    pub backends: Vec<&'static Backend>,
    /// Only scenarios this selects (the controls always stay).
    pub filter: Option<IdFilter>,
    /// Rounds per binary over all its processes, processes per binary, sample length.
    pub wall: wall::Plan,
}

/// One scenario, both builds.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioRatio {
    /// Scenario id.
    pub id: String,
    /// Backend name.
    pub backend: String,
    /// AEAD label (`aes128gcm`, `chacha20poly1305`; `-` for a control).
    pub aead: String,
    /// Median ns per operation, release build.
    pub release_ns: f64,
    /// Median ns per operation, measure build.
    pub measure_ns: f64,
    /// `release_ns / measure_ns`.
    pub ratio: f64,
    /// The ratio from the ends of the two medians' 95% intervals (low: release low over
    /// measure high), i.e. at least as wide as either interval.
    pub ratio_low: f64,
    /// See `ratio_low`.
    pub ratio_high: f64,
}

/// One backend and AEAD (or `all` of its AEADs).
#[derive(Debug, Clone, Serialize)]
pub struct BackendRatio {
    /// Backend name.
    pub backend: String,
    /// AEAD label, or `all`.
    pub aead: String,
    /// Geometric mean of the scenarios' ratios.
    pub ratio: f64,
    /// Smallest scenario ratio.
    pub min: f64,
    /// Largest scenario ratio.
    pub max: f64,
    /// `ratio` divided by the reference backend's `ratio` for the same AEAD(s).
    pub normalised: Option<f64>,
    /// Scenarios behind the mean.
    pub scenarios: usize,
}

/// The outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Sensitivity {
    /// The release binary as run.
    pub release_bin: String,
    /// The measure binary as run.
    pub measure_bin: String,
    /// Per backend and AEAD, then per backend over both AEADs.
    pub backends: Vec<BackendRatio>,
    /// The reference of `normalised`, if one was measured.
    pub reference: Option<String>,
    /// Per scenario.
    pub scenarios: Vec<ScenarioRatio>,
    /// The controls (compiled by each build too: shown, not used as a reference).
    pub controls: Vec<ScenarioRatio>,
    /// How it was measured, and anything that weakens the comparison.
    pub notes: Vec<String>,
    /// The release binary's environment block, as its processes reported it.
    pub release_environment: Option<serde_json::Value>,
    /// The measure binary's.
    pub measure_environment: Option<serde_json::Value>,
}

/// The scenarios timed: the raw AEADs of the gate subset (and the controls).
pub fn scenarios(backends: &[&'static Backend], filter: Option<&IdFilter>) -> Vec<Scenario> {
    subset::scenarios(backends, filter)
        .into_iter()
        .filter(|s| s.is_control() || matches!(s.work, Work::Aead(_)))
        .collect()
}

/// Where cargo puts `profile`'s sealbench: `<target>/<profile>/sealbench`, `<target>`
/// being `$CARGO_TARGET_DIR`, else the target directory this binary runs from (a directory
/// holding cargo's `CACHEDIR.TAG`), else `./target`.
pub fn default_binary(profile: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .or_else(|| {
            let exe = std::env::current_exe().ok()?;
            let dir = exe.parent()?.parent()?;
            dir.join("CACHEDIR.TAG")
                .is_file()
                .then(|| dir.to_path_buf())
        })
        .unwrap_or_else(|| PathBuf::from("target"));
    target
        .join(profile)
        .join(format!("sealbench{}", std::env::consts::EXE_SUFFIX))
}

/// `path` if it is a file; else a usage error saying how to build it.
pub fn require(path: &Path, profile: &str, flag: &str) -> Result<PathBuf, GateError> {
    if path.is_file() {
        return Ok(path.to_path_buf());
    }
    let build = match profile {
        "release" => "cargo build --release --bin sealbench".to_string(),
        p => format!("cargo build --profile {p} --bin sealbench"),
    };
    Err(GateError::Usage(format!(
        "--build-sensitivity: no `{profile}` build of sealbench at {}; build it with `{build}` \
         or name one with {flag} PATH",
        path.display()
    )))
}

/// Measures both builds interleaved and compares them.
pub fn measure(plan: &Plan) -> Result<Sensitivity, GateError> {
    let scenarios = scenarios(&plan.backends, plan.filter.as_ref());
    if scenarios.iter().all(Scenario::is_control) {
        return Err(GateError::Usage(
            "--filter/--backend select no raw AEAD scenario".into(),
        ));
    }
    let ids: Vec<String> = scenarios.iter().map(Scenario::id).collect();
    let t0 = std::time::Instant::now();
    let (rel, mea) = processes::measure_pair(
        &plan.release,
        &plan.measure,
        &ids,
        plan.wall.rounds,
        &plan.wall,
    )?;
    let mut out = compare(&rel.results, &mea.results);
    out.release_bin = plan.release.exe.display().to_string();
    out.measure_bin = plan.measure.exe.display().to_string();
    out.notes.insert(
        0,
        format!(
            "{} scenarios, {} processes per build run alternately (release, measure, measure, \
             release, ...), {} interleaved rounds of {} ms samples in each, in {:.1} s; \
             medians of wall time with descheduled samples retaken ({} release, {} measure)",
            ids.len(),
            plan.wall.processes.max(1),
            rel.rounds_per_process,
            plan.wall.sample_ns / 1_000_000,
            t0.elapsed().as_secs_f64(),
            rel.rejected,
            mea.rejected,
        ),
    );
    out.notes.extend(environment_notes(&rel, &mea));
    for (who, m) in [("release", &rel), ("measure", &mea)] {
        for (id, why) in &m.failed {
            out.notes.push(format!(
                "FAILED to measure {id} with the {who} build: {why}"
            ));
        }
    }
    out.release_environment = rel.environment;
    out.measure_environment = mea.environment;
    Ok(out)
}

fn field<'v>(env: &'v serde_json::Value, path: &[&str]) -> Option<&'v str> {
    path.iter()
        .try_fold(env, |v, k| v.get(k))
        .and_then(serde_json::Value::as_str)
}

/// Warnings from the two builds' environment blocks: profile names that are not what the
/// flags promise, and builds of different revisions.
fn environment_notes(rel: &Measured, mea: &Measured) -> Vec<String> {
    let (Some(r), Some(m)) = (&rel.environment, &mea.environment) else {
        return vec![
            "a binary did not report its environment (a sealbench older than the build \
             profile record): its profile and revision are unchecked"
                .into(),
        ];
    };
    let mut notes = Vec::new();
    for (want, env) in [("release", r), ("measure", m)] {
        let name = field(env, &["build_profile", "name"]).unwrap_or("unknown");
        if name != want {
            notes.push(format!(
                "WARNING: the {want} binary reports build profile `{name}`; the ratios compare \
                 whatever the two binaries are"
            ));
        }
    }
    let (rr, mr) = (
        field(r, &["git_revision"]).unwrap_or("unknown"),
        field(m, &["git_revision"]).unwrap_or("unknown"),
    );
    if rr != mr || rr.ends_with("-dirty") {
        notes.push(format!(
            "revisions: release {rr}, measure {mr}{}",
            if rr == mr {
                " (uncommitted changes: the two builds may hold different code)"
            } else {
                " (different commits: where the timed code differs, the ratios mix the build \
                 profile with the change)"
            }
        ));
    }
    notes
}

fn ratio_of(r: &ScenarioResult, m: &ScenarioResult) -> ScenarioRatio {
    let (a, b) = (&r.stats, &m.stats);
    ScenarioRatio {
        id: r.id.clone(),
        backend: r.backend.clone(),
        // The controls (memcpy, arith) belong to no backend.
        aead: if r.backend == "none" {
            "-".into()
        } else {
            r.algorithm.clone()
        },
        release_ns: a.median_ns,
        measure_ns: b.median_ns,
        ratio: a.median_ns / b.median_ns,
        ratio_low: a.ci95_low_ns / b.ci95_high_ns,
        ratio_high: a.ci95_high_ns / b.ci95_low_ns,
    }
}

fn mean(backend: &str, aead: &str, of: &[&ScenarioRatio]) -> Option<BackendRatio> {
    let logs: Vec<f64> = of
        .iter()
        .map(|s| s.ratio)
        .filter(|r| r.is_finite() && *r > 0.0)
        .map(f64::ln)
        .collect();
    if logs.is_empty() {
        return None;
    }
    let ratio = (logs.iter().sum::<f64>() / logs.len() as f64).exp();
    Some(BackendRatio {
        backend: backend.to_string(),
        aead: aead.to_string(),
        ratio,
        min: logs.iter().copied().fold(f64::INFINITY, f64::min).exp(),
        max: logs.iter().copied().fold(f64::NEG_INFINITY, f64::max).exp(),
        normalised: None,
        scenarios: logs.len(),
    })
}

/// Pure part: scenario ratios, per-backend geometric means and their normalisation, from
/// the two builds' results (scenarios present on both sides only).
pub fn compare(release: &[ScenarioResult], measure: &[ScenarioResult]) -> Sensitivity {
    let (mut scenarios, mut controls) = (Vec::new(), Vec::new());
    for r in release {
        let Some(m) = measure.iter().find(|m| m.id == r.id) else {
            continue;
        };
        let row = ratio_of(r, m);
        if row.aead == "-" {
            controls.push(row);
        } else {
            scenarios.push(row);
        }
    }
    let mut names: Vec<&str> = Vec::new();
    let mut aeads: Vec<&str> = Vec::new();
    for s in &scenarios {
        if !names.contains(&s.backend.as_str()) {
            names.push(&s.backend);
        }
        if !aeads.contains(&s.aead.as_str()) {
            aeads.push(&s.aead);
        }
    }
    let mut backends = Vec::new();
    for &b in &names {
        for &a in aeads.iter().chain(&["all"]) {
            let of: Vec<&ScenarioRatio> = scenarios
                .iter()
                .filter(|s| s.backend == b && (a == "all" || s.aead == a))
                .collect();
            backends.extend(mean(b, a, &of));
        }
    }
    let reference = REFERENCES
        .iter()
        .find(|r| names.contains(r))
        .map(|r| r.to_string());
    if let Some(rf) = &reference {
        let refs: Vec<(String, f64)> = backends
            .iter()
            .filter(|b| &b.backend == rf)
            .map(|b| (b.aead.clone(), b.ratio))
            .collect();
        for b in &mut backends {
            b.normalised = refs
                .iter()
                .find(|(a, _)| *a == b.aead)
                .map(|(_, r)| b.ratio / r);
        }
    }
    let mut notes = Vec::new();
    match &reference {
        Some(r) => notes.push(format!(
            "normalised: each ratio divided by {r}'s for the same AEAD(s), measured in the same \
             processes ({r}'s AEADs are assembly and do not depend on the Rust build), so a \
             machine-wide change between the two builds' processes cancels"
        )),
        None => notes.push(format!(
            "no assembly backend ({}) measured: the ratios are not normalised, and a \
             machine-wide change between the two builds' processes is part of them",
            REFERENCES.join(", ")
        )),
    }
    Sensitivity {
        release_bin: String::new(),
        measure_bin: String::new(),
        backends,
        reference,
        scenarios,
        controls,
        notes,
        release_environment: None,
        measure_environment: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::CpuFeatures;
    use crate::measure::engine::describe;
    use crate::measure::{IdFilter, Op};
    use crate::results::Stats;

    fn result(s: &Scenario, median: f64) -> ScenarioResult {
        ScenarioResult {
            stats: Stats {
                samples: 21,
                iters_per_sample: 1000,
                median_ns: median,
                min_ns: median,
                max_ns: median,
                ci95_low_ns: median * 0.9,
                ci95_high_ns: median * 1.1,
                cv: 0.0,
                cpu_median_ns: median,
                noisy: false,
            },
            ..describe(s, &CpuFeatures::detect())
        }
    }

    #[test]
    fn selects_the_raw_aeads_and_the_controls() {
        let all = crate::backend::ALL_BACKENDS;
        let s = scenarios(all, None);
        let aeads = s.iter().filter(|s| !s.is_control()).count();
        // seal/open × two AEADs × two sizes per backend.
        assert_eq!(aeads, 8 * all.len());
        assert!(s.iter().any(Scenario::is_control));
        assert!(
            s.iter().all(|s| s.is_control()
                || matches!((s.work, s.op), (Work::Aead(_), Op::Seal | Op::Open)))
        );
        let f = IdFilter::new("_aes128gcm_64").unwrap();
        let s = scenarios(all, Some(&f));
        assert_eq!(s.iter().filter(|s| !s.is_control()).count(), 2 * all.len());
    }

    #[test]
    fn ratios_are_normalised_by_the_reference_backend() {
        let all = crate::backend::ALL_BACKENDS;
        let s = scenarios(all, None);
        // The machine is 10% slower during the release build's processes, for every
        // scenario; rustcrypto's AES-GCM is also twice as fast in the measure build.
        let release: Vec<ScenarioResult> = s
            .iter()
            .map(|s| {
                let id = s.id();
                let twice = id.contains("_rustcrypto_aes128gcm_");
                result(s, 100.0 * 1.1 * if twice { 2.0 } else { 1.0 })
            })
            .collect();
        let measure: Vec<ScenarioResult> = s.iter().map(|s| result(s, 100.0)).collect();
        let out = compare(&release, &measure);
        assert_eq!(out.scenarios.len(), 8 * all.len());
        assert!(!out.controls.is_empty());
        let row = |b: &str, a: &str| {
            out.backends
                .iter()
                .find(|r| r.backend == b && r.aead == a)
                .unwrap()
        };
        let has = |n: &str| all.iter().any(|b| b.name == n);
        let Some(reference) = out.reference.clone() else {
            assert!(REFERENCES.iter().all(|r| !has(r)));
            return;
        };
        assert!((row(&reference, "all").normalised.unwrap() - 1.0).abs() < 1e-12);
        if has("rustcrypto") {
            let gcm = row("rustcrypto", "aes128gcm");
            assert!((gcm.ratio - 2.2).abs() < 1e-9, "{gcm:?}");
            assert!((gcm.normalised.unwrap() - 2.0).abs() < 1e-9);
            let chacha = row("rustcrypto", "chacha20poly1305");
            assert!((chacha.normalised.unwrap() - 1.0).abs() < 1e-9);
            let both = row("rustcrypto", "all");
            assert_eq!(both.scenarios, 8);
            assert!((both.normalised.unwrap() - 2.0f64.sqrt()).abs() < 1e-9);
            assert!((both.min - 1.1).abs() < 1e-9 && (both.max - 2.2).abs() < 1e-9);
        }
        let r = &out.scenarios[0];
        assert!(r.ratio_low < r.ratio && r.ratio < r.ratio_high);
        // A scenario missing on one side is left out.
        let partial = compare(&release, &measure[1..]);
        assert_eq!(
            partial.scenarios.len() + partial.controls.len(),
            s.len() - 1
        );
    }

    #[test]
    fn a_missing_build_says_how_to_make_it() {
        let p = Path::new("/nonexistent/target/measure/sealbench");
        let e = require(p, "measure", "--measure-bin")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("cargo build --profile measure --bin sealbench"),
            "{e}"
        );
        assert!(
            e.contains("--measure-bin PATH") && e.contains("/nonexistent/"),
            "{e}"
        );
        let e = require(p, "release", "--release-bin")
            .unwrap_err()
            .to_string();
        assert!(e.contains("cargo build --release --bin sealbench"), "{e}");
        let exe = std::env::current_exe().unwrap();
        assert_eq!(require(&exe, "release", "--release-bin").unwrap(), exe);
        assert!(default_binary("measure").ends_with("measure/sealbench"));
    }
}
