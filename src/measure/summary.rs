//! Derived numbers from one run: cost fits per family, envelope/raw ratios, the
//! bytes-on-the-wire table, and hardware/software speed-ups.

use std::collections::{BTreeMap, HashMap};

use super::stats::{cost_fit, median, median_ci_ranks};
use crate::results::{CostFit, InterleavedRatio, ScenarioResult};

/// Fits `t = fixed + per_byte · size` for every family measured at two or more sizes.
pub fn fits(results: &[ScenarioResult]) -> Vec<CostFit> {
    let mut order: Vec<&str> = Vec::new();
    let mut points: HashMap<&str, Vec<(u64, f64)>> = HashMap::new();
    for r in results {
        let p = points.entry(r.family.as_str()).or_insert_with(|| {
            order.push(r.family.as_str());
            Vec::new()
        });
        p.push((r.size, r.stats.median_ns));
    }
    order
        .into_iter()
        .filter_map(|f| cost_fit(f, points.get(f).map(Vec::as_slice).unwrap_or_default()))
        .collect()
}

/// Envelope time over raw primitive time for one backend, op and size.
#[derive(Debug, Clone, PartialEq)]
pub struct Ratio {
    /// Backend label.
    pub backend: String,
    /// `seal` or `open`.
    pub op: String,
    /// Payload size.
    pub size: u64,
    /// Envelope median, ns.
    pub envelope_ns: f64,
    /// Raw primitive median, ns.
    pub raw_ns: f64,
    /// `envelope_ns / raw_ns`.
    pub ratio: f64,
    /// For opens: the ratio with the input-restoring copy (`memcpy_<size>`) subtracted
    /// from both sides.
    pub net_of_copy: Option<f64>,
}

fn by_id(results: &[ScenarioResult]) -> HashMap<&str, &ScenarioResult> {
    results.iter().map(|r| (r.id.as_str(), r)).collect()
}

/// Encrypt0 (`kid`, CWT claims) over raw AEAD for `aead` at `sizes`, per backend.
pub fn envelope_ratios(results: &[ScenarioResult], aead: &str, sizes: &[u64]) -> Vec<Ratio> {
    let ids = by_id(results);
    let median = |id: &str| ids.get(id).map(|r| r.stats.median_ns);
    let mut out = Vec::new();
    let backends = results
        .iter()
        .filter(|r| r.layer == "raw" && r.op == "seal" && r.algorithm == aead)
        .map(|r| r.backend.as_str());
    let mut seen: Vec<&str> = Vec::new();
    for b in backends {
        if seen.contains(&b) {
            continue;
        }
        seen.push(b);
        for &size in sizes {
            for op in ["seal", "open"] {
                let env = median(&format!("env-{op}_encrypt0_{b}_{aead}_kid_{size}"));
                let raw = median(&format!("{op}_{b}_{aead}_{size}"));
                let (Some(env), Some(raw)) = (env, raw) else {
                    continue;
                };
                let copy = median(&format!("memcpy_{size}"));
                out.push(Ratio {
                    backend: b.to_string(),
                    op: op.to_string(),
                    size,
                    envelope_ns: env,
                    raw_ns: raw,
                    ratio: env / raw,
                    net_of_copy: copy
                        .filter(|c| op == "open" && raw > *c)
                        .map(|c| (env - c) / (raw - c)),
                });
            }
        }
    }
    out
}

/// The scenario ids [`paired_envelope_ratios`] needs for `backends` at `sizes`: raw and
/// envelope seal/open of `aead` and the `memcpy` control of each size.
pub fn ratio_pair_ids(backends: &[&str], aead: &str, sizes: &[u64]) -> Vec<String> {
    let mut ids = Vec::new();
    for &size in sizes {
        ids.push(format!("memcpy_{size}"));
        for b in backends {
            for op in ["seal", "open"] {
                ids.push(format!("{op}_{b}_{aead}_{size}"));
                ids.push(format!("env-{op}_encrypt0_{b}_{aead}_kid_{size}"));
            }
        }
    }
    ids
}

/// Envelope/raw ratios from samples taken in interleaved rounds in `processes` processes:
/// `samples(p, id)` gives a scenario's ns per operation in process `p`, one per round, in
/// round order (the same rounds for every id of a process). Each ratio pairs the two sides
/// of one round (both saw the same machine state); the quoted ratio is the median of the
/// per-round ratios of every process pooled, with its distribution-free 95% interval, and
/// each process's own median is kept beside it.
pub fn paired_envelope_ratios<'a>(
    samples: &dyn Fn(usize, &str) -> Option<&'a [f64]>,
    processes: usize,
    backends: &[&str],
    aead: &str,
    sizes: &[u64],
) -> Vec<InterleavedRatio> {
    let sorted = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v
    };
    let mut out = Vec::new();
    for b in backends {
        for &size in sizes {
            for op in ["seal", "open"] {
                let (raw_id, env_id) = (
                    format!("{op}_{b}_{aead}_{size}"),
                    format!("env-{op}_encrypt0_{b}_{aead}_kid_{size}"),
                );
                let copy_id = format!("memcpy_{size}");
                let (mut raws, mut envs, mut ratios, mut nets) =
                    (Vec::new(), Vec::new(), Vec::new(), Vec::new());
                let mut per_process = Vec::new();
                for p in 0..processes {
                    let (Some(raw), Some(env)) = (samples(p, &raw_id), samples(p, &env_id)) else {
                        continue;
                    };
                    let n = raw.len().min(env.len());
                    let (raw, env) = (raw.get(..n).unwrap_or(raw), env.get(..n).unwrap_or(env));
                    let mine: Vec<f64> = raw
                        .iter()
                        .zip(env)
                        .filter(|(r, _)| **r > 0.0)
                        .map(|(r, e)| e / r)
                        .collect();
                    if mine.is_empty() {
                        continue;
                    }
                    per_process.push(median(&sorted(mine.clone())));
                    ratios.extend(mine);
                    raws.extend_from_slice(raw);
                    envs.extend_from_slice(env);
                    if let Some(copy) = samples(p, &copy_id).filter(|_| op == "open") {
                        nets.extend(
                            raw.iter()
                                .zip(env)
                                .zip(copy)
                                .filter(|((r, _), c)| **r > **c)
                                .map(|((r, e), c)| (e - c) / (r - c)),
                        );
                    }
                }
                if ratios.is_empty() {
                    continue;
                }
                let ratios = sorted(ratios);
                let (lo, hi, _) = median_ci_ranks(ratios.len());
                let at = |rank: usize| {
                    rank.checked_sub(1)
                        .and_then(|i| ratios.get(i))
                        .copied()
                        .unwrap_or(f64::NAN)
                };
                out.push(InterleavedRatio {
                    backend: (*b).to_string(),
                    op: op.to_string(),
                    size,
                    raw_ns: median(&sorted(raws)),
                    envelope_ns: median(&sorted(envs)),
                    ratio: median(&ratios),
                    ratio_ci95: (at(lo), at(hi)),
                    net_of_copy: (!nets.is_empty()).then(|| median(&sorted(nets))),
                    per_process,
                });
            }
        }
    }
    out
}

/// Bytes an envelope configuration adds to its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireRow {
    /// Mode label.
    pub mode: String,
    /// Algorithm labels.
    pub algorithm: String,
    /// Identity option.
    pub identity: Option<String>,
    /// Recipients.
    pub recipients: Option<u32>,
    /// (size, overhead) for each size measured, ascending.
    pub overhead: Vec<(u64, u64)>,
    /// Whether every backend produced the same overhead.
    pub consistent: bool,
}

/// The bytes-on-the-wire table, from the seal scenarios of the envelope and plain layers.
pub fn wire_table(results: &[ScenarioResult]) -> Vec<WireRow> {
    type Key = (String, String, Option<String>, Option<u32>);
    let mut rows: BTreeMap<Key, (BTreeMap<u64, u64>, bool)> = BTreeMap::new();
    let mut order: Vec<Key> = Vec::new();
    for r in results.iter().filter(|r| r.op == "seal") {
        let (Some(mode), Some(bytes)) = (&r.mode, r.overhead_bytes) else {
            continue;
        };
        let key = (
            mode.clone(),
            r.algorithm.clone(),
            r.identity.clone(),
            r.recipients,
        );
        let row = rows.entry(key.clone()).or_insert_with(|| {
            order.push(key);
            (BTreeMap::new(), true)
        });
        let prev = row.0.insert(r.size, bytes);
        row.1 &= prev.is_none_or(|p| p == bytes);
    }
    order
        .into_iter()
        .filter_map(|k| {
            let (overhead, consistent) = rows.remove(&k)?;
            Some(WireRow {
                mode: k.0,
                algorithm: k.1,
                identity: k.2,
                recipients: k.3,
                overhead: overhead.into_iter().collect(),
                consistent,
            })
        })
        .collect()
}

/// A scenario measured with hardware AES and again with AES-NI/PCLMUL masked off.
#[derive(Debug, Clone, PartialEq)]
pub struct Speedup {
    /// The hardware scenario's id.
    pub id: String,
    /// Payload size.
    pub size: u64,
    /// Implementation paths (hardware, masked).
    pub paths: (Option<String>, Option<String>),
    /// Medians (hardware, masked), ns.
    pub medians: (f64, f64),
    /// Masked median over hardware median.
    pub speedup: f64,
}

/// Pairs every scenario whose backend carries `@tag` with its untagged counterpart.
pub fn speedups(results: &[ScenarioResult], tag: &str) -> Vec<Speedup> {
    let ids = by_id(results);
    let suffix = format!("@{tag}");
    results
        .iter()
        .filter_map(|sw| {
            let base = sw.backend.strip_suffix(&suffix)?;
            let hw_id = sw.id.replacen(&sw.backend, base, 1);
            let hw = ids.get(hw_id.as_str())?;
            Some(Speedup {
                id: hw_id,
                size: sw.size,
                paths: (hw.impl_path.clone(), sw.impl_path.clone()),
                medians: (hw.stats.median_ns, sw.stats.median_ns),
                speedup: sw.stats.median_ns / hw.stats.median_ns,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measure::stats::summarize;

    #[test]
    fn paired_ratios_follow_the_rounds_not_the_unpaired_medians() {
        // Round 2 ran in a slow phase for the envelope only in an unpaired view: the
        // medians alone would say 500 / 100 = 5.0, the per-round ratios say 2.5.
        let raw = [100.0, 100.0, 200.0];
        let env = [250.0, 500.0, 500.0];
        let copy = [10.0, 10.0, 20.0];
        let lookup = |_: usize, id: &str| -> Option<&[f64]> {
            match id {
                "open_aws-lc_aes128gcm_64" => Some(&raw),
                "env-open_encrypt0_aws-lc_aes128gcm_kid_64" => Some(&env),
                "memcpy_64" => Some(&copy),
                _ => None,
            }
        };
        let out = paired_envelope_ratios(&lookup, 1, &["aws-lc"], "aes128gcm", &[64, 16384]);
        assert_eq!(out.len(), 1, "only the pair with samples: {out:?}");
        let r = &out[0];
        assert_eq!((r.op.as_str(), r.size), ("open", 64));
        assert!((r.ratio - 2.5).abs() < 1e-9, "{r:?}");
        assert!((r.raw_ns - 100.0).abs() < 1e-9 && (r.envelope_ns - 500.0).abs() < 1e-9);
        assert!(r.ratio_ci95.0 <= r.ratio && r.ratio <= r.ratio_ci95.1);
        // (250-10)/(100-10), (500-10)/(100-10), (500-20)/(200-20): median 2.667.
        let net = r.net_of_copy.unwrap_or(f64::NAN);
        assert!((net - 240.0 / 90.0).abs() < 1e-9, "{net}");
        assert!(
            ratio_pair_ids(&["aws-lc"], "aes128gcm", &[64])
                .iter()
                .any(|id| id == "env-seal_encrypt0_aws-lc_aes128gcm_kid_64")
        );
    }

    #[test]
    fn ratios_pool_the_rounds_of_every_process_and_keep_each_process_median() {
        // Two processes whose layouts differ: the envelope costs 1.05x in the first and
        // 1.15x in the second, every round. Pairs never cross processes.
        let raw = [[100.0, 100.0, 100.0], [90.0, 90.0, 90.0]];
        let env = [[105.0, 105.0, 105.0], [103.5, 103.5, 103.5]];
        let lookup = |p: usize, id: &str| -> Option<&[f64]> {
            match id {
                "open_ring_aes128gcm_16384" => raw.get(p).map(|v| v.as_slice()),
                "env-open_encrypt0_ring_aes128gcm_kid_16384" => env.get(p).map(|v| v.as_slice()),
                _ => None,
            }
        };
        let out = paired_envelope_ratios(&lookup, 2, &["ring"], "aes128gcm", &[16384]);
        assert_eq!(out.len(), 1, "{out:?}");
        let r = &out[0];
        assert_eq!(r.per_process.len(), 2);
        assert!((r.per_process[0] - 1.05).abs() < 1e-9 && (r.per_process[1] - 1.15).abs() < 1e-9);
        // Six pooled ratios, three of each: the median lies between the two processes, and
        // the interval spans them.
        assert!((r.ratio - 1.10).abs() < 1e-9, "{r:?}");
        assert!(
            r.ratio_ci95.0 <= 1.05 + 1e-9 && r.ratio_ci95.1 >= 1.15 - 1e-9,
            "{r:?}"
        );
        assert!(r.net_of_copy.is_none(), "no copy control given");
        // A single process gives its own median, as before.
        let one = paired_envelope_ratios(&lookup, 1, &["ring"], "aes128gcm", &[16384]);
        assert!((one[0].ratio - 1.05).abs() < 1e-9 && one[0].per_process.len() == 1);
    }

    fn r(id: &str, backend: &str, layer: &str, op: &str, size: u64, ns: f64) -> ScenarioResult {
        let family = id.rsplit_once('_').map_or(id, |p| p.0).to_string();
        ScenarioResult {
            id: id.into(),
            family,
            layer: layer.into(),
            op: op.into(),
            mode: (layer != "raw").then(|| "encrypt0".to_string()),
            algorithm: "aes128gcm".into(),
            backend: backend.into(),
            impl_path: None,
            size,
            identity: (layer != "raw").then(|| "kid".to_string()),
            recipients: None,
            cek_reuse: None,
            inside_loop: vec![],
            overhead_bytes: (layer != "raw").then_some(60 + size / 1000),
            stats: summarize(&[ns], &[ns], 1),
        }
    }

    fn sample() -> Vec<ScenarioResult> {
        vec![
            r("memcpy_64", "none", "raw", "memcpy", 64, 4.0),
            r("seal_ring_aes128gcm_64", "ring", "raw", "seal", 64, 50.0),
            r(
                "seal_ring_aes128gcm_1024",
                "ring",
                "raw",
                "seal",
                1024,
                290.0,
            ),
            r("open_ring_aes128gcm_64", "ring", "raw", "open", 64, 54.0),
            r(
                "env-seal_encrypt0_ring_aes128gcm_kid_64",
                "ring",
                "envelope",
                "seal",
                64,
                80.0,
            ),
            r(
                "env-seal_encrypt0_ring_aes128gcm_kid_1024",
                "ring",
                "envelope",
                "seal",
                1024,
                320.0,
            ),
            r(
                "env-open_encrypt0_ring_aes128gcm_kid_64",
                "ring",
                "envelope",
                "open",
                64,
                104.0,
            ),
            r(
                "seal_ring@no-aesni_aes128gcm_64",
                "ring@no-aesni",
                "raw",
                "seal",
                64,
                200.0,
            ),
        ]
    }

    #[test]
    fn ratios_per_backend_and_net_of_copy() {
        let v = envelope_ratios(&sample(), "aes128gcm", &[64]);
        assert_eq!(v.len(), 2, "{v:?}");
        assert_eq!((v[0].op.as_str(), v[0].ratio), ("seal", 1.6));
        assert_eq!(v[0].net_of_copy, None);
        assert_eq!((v[1].op.as_str(), v[1].ratio), ("open", 104.0 / 54.0));
        assert_eq!(v[1].net_of_copy, Some(2.0));
    }

    #[test]
    fn fits_group_by_family() {
        let f = fits(&sample());
        let seal = f
            .iter()
            .find(|f| f.family == "seal_ring_aes128gcm")
            .unwrap();
        assert!((seal.per_byte_ns - 0.25).abs() < 1e-9 && (seal.fixed_ns - 34.0).abs() < 1e-6);
        assert!(f.iter().all(|f| f.family != "memcpy"), "one size: no fit");
    }

    #[test]
    fn wire_table_rows_and_speedups() {
        let w = wire_table(&sample());
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].overhead, [(64, 60), (1024, 61)]);
        assert!(w[0].consistent);
        let s = speedups(&sample(), "no-aesni");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].id, "seal_ring_aes128gcm_64");
        assert_eq!(s[0].speedup, 4.0);
    }
}
