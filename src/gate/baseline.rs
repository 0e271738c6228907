//! Reading and writing gate baselines (the results file schema, `docs/RESULTS.md`), and
//! checking that two runs come from the same kind of machine.
//!
//! A baseline is a results file holding one run whose `clock` is the metric: `wall`
//! (`stats` in ns per operation) or `icount` (every `*_ns` field of `stats` holds
//! instructions per operation, see [`super::icount`]). Each run carries its environment;
//! wall times from different CPU models or feature sets are not comparable.

use std::path::Path;

use serde_json::Value as Json;

use super::{GateError, Metric};
use crate::results::{ResultsFile, Run};

/// The `kind` of a results file.
pub use crate::results::RESULTS_KIND;

/// Reads the run of `metric` from the results file at `path` (the only run if `metric` is
/// `None`). Every error names the file (and its kind, when it is another sealbench file).
pub fn load(path: &Path, metric: Option<Metric>) -> Result<Run, GateError> {
    let bad = |detail: String| GateError::Input {
        path: path.to_path_buf(),
        detail,
    };
    let file = ResultsFile::load(path)?;
    let clocks: Vec<String> = file.runs.iter().map(|r| r.clock.clone()).collect();
    let mut runs: Vec<Run> = match metric {
        Some(m) => file
            .runs
            .into_iter()
            .filter(|r| r.clock == m.clock())
            .collect(),
        None => file.runs,
    };
    let wanted = metric.map_or("a", Metric::clock);
    match runs.len() {
        1 => runs.pop().ok_or_else(|| bad("no run".into())),
        0 => Err(bad(format!(
            "no {wanted} run (runs: {}); measure one with `sealbench gate --metric {wanted} \
             --update-baseline`",
            if clocks.is_empty() {
                "none".to_string()
            } else {
                clocks.join(", ")
            }
        ))),
        n => Err(bad(format!(
            "{n} {wanted} runs; a gate baseline holds one machine's run"
        ))),
    }
}

/// The metric of a run, from its `clock`.
pub fn metric_of(run: &Run, path: &Path) -> Result<Metric, GateError> {
    Metric::from_clock(&run.clock).ok_or_else(|| GateError::Input {
        path: path.to_path_buf(),
        detail: format!("clock {:?} is neither icount nor wall", run.clock),
    })
}

/// Writes `file` as pretty JSON to `path`.
pub fn write(path: &Path, file: &ResultsFile) -> Result<(), GateError> {
    let io = |source| GateError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut text = serde_json::to_string_pretty(file).map_err(|e| io(e.into()))?;
    text.push('\n');
    std::fs::write(path, text).map_err(io)
}

/// A string field at a JSON pointer, or `?`.
fn field<'a>(env: &'a Json, pointer: &str) -> &'a str {
    env.pointer(pointer).and_then(Json::as_str).unwrap_or("?")
}

/// Names of the CPU features an environment reports present, sorted.
fn features(env: &Json) -> Vec<String> {
    let mut v: Vec<String> = env
        .pointer("/cpu/features")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter(|f| f.get("present").and_then(Json::as_bool) == Some(true))
                .filter_map(|f| f.get("name").and_then(Json::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// How two environments differ as machines: architecture, CPU vendor and model, and CPU
/// feature set. Empty when they are the same kind of machine (host name, time, build and
/// masks do not count; [`mask_note`] reports masks).
pub fn machine_differences(baseline: &Json, candidate: &Json) -> Vec<String> {
    let mut out = Vec::new();
    for (what, ptr) in [
        ("architecture", "/cpu/arch"),
        ("cpu vendor", "/cpu/vendor"),
        ("cpu model", "/cpu/model"),
    ] {
        let (b, c) = (field(baseline, ptr), field(candidate, ptr));
        if b != c {
            out.push(format!("{what}: baseline {b:?}, candidate {c:?}"));
        }
    }
    let (fb, fc) = (features(baseline), features(candidate));
    if fb != fc {
        let only = |a: &[String], b: &[String]| {
            a.iter()
                .filter(|x| !b.contains(x))
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        };
        out.push(format!(
            "cpu features: only baseline [{}], only candidate [{}]",
            only(&fb, &fc),
            only(&fc, &fb)
        ));
    }
    out
}

/// A note when the two runs had different `OPENSSL_ia32cap` masks in effect.
pub fn mask_note(baseline: &Json, candidate: &Json) -> Option<String> {
    let mask = |env: &Json| {
        env.pointer("/masks/openssl_ia32cap")
            .and_then(Json::as_str)
            .unwrap_or("unset")
            .to_string()
    };
    let (b, c) = (mask(baseline), mask(candidate));
    (b != c).then(|| {
        format!("OPENSSL_ia32cap differs: baseline {b}, candidate {c} (openssl and aws-lc only)")
    })
}

/// Refuses to compare across machines unless allowed. Wall times need the same CPU model
/// and features; instruction counts only the same architecture (other differences are
/// returned as notes).
pub fn check_machines(
    metric: Metric,
    baseline: &Json,
    candidate: &Json,
    allow_cross_machine: bool,
) -> Result<Vec<String>, GateError> {
    let diffs = machine_differences(baseline, candidate);
    if diffs.is_empty() {
        return Ok(Vec::new());
    }
    let blocking = match metric {
        Metric::Wall => true,
        Metric::Icount => field(baseline, "/cpu/arch") != field(candidate, "/cpu/arch"),
    };
    if blocking && !allow_cross_machine {
        return Err(GateError::CrossMachine {
            metric: metric.clock(),
            differences: diffs,
        });
    }
    Ok(diffs
        .into_iter()
        .map(|d| format!("different machines: {d}"))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn env(model: &str, arch: &str, avx512: bool) -> Json {
        json!({"host": "h", "cpu": {"arch": arch, "vendor": "AuthenticAMD", "model": model,
            "features": [{"name": "aes", "present": true}, {"name": "avx512f", "present": avx512}]},
            "masks": {"openssl_ia32cap": null}})
    }

    #[test]
    fn same_machine_has_no_differences() {
        let a = env("AMD EPYC", "x86_64", true);
        let mut b = a.clone();
        b["host"] = json!("other-host");
        assert!(machine_differences(&a, &b).is_empty());
        assert!(
            check_machines(Metric::Wall, &a, &b, false)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn wall_refuses_other_models_and_features_icount_only_other_arch() {
        let a = env("AMD EPYC", "x86_64", true);
        let b = env("Intel Xeon", "x86_64", false);
        let d = machine_differences(&a, &b);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[1].contains("only baseline [avx512f]"), "{d:?}");
        let e = check_machines(Metric::Wall, &a, &b, false).unwrap_err();
        assert!(e.to_string().contains("--allow-cross-machine"), "{e}");
        assert_eq!(check_machines(Metric::Wall, &a, &b, true).unwrap().len(), 2);
        assert_eq!(
            check_machines(Metric::Icount, &a, &b, false).unwrap().len(),
            2
        );
        let arm = env("Neoverse", "aarch64", false);
        assert!(check_machines(Metric::Icount, &a, &arm, false).is_err());
    }

    #[test]
    fn mask_differences_are_noted() {
        let a = env("m", "x86_64", true);
        let mut b = a.clone();
        assert!(mask_note(&a, &b).is_none());
        b["masks"]["openssl_ia32cap"] = json!("~0x200000200000000:~0x0");
        assert!(mask_note(&a, &b).unwrap().contains("candidate ~0x2"));
    }
}
