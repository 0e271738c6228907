//! Regression thresholds per scenario family, with documented defaults per metric.
//!
//! A threshold is the relative slowdown a scenario may show before it counts as a
//! regression. Defaults (see `docs/GATE.md` for the A/A runs behind them):
//! - `icount`: [`ICOUNT_DEFAULT`] (1%) for every scenario; instruction counts are
//!   deterministic, so any change above it is real code-path growth. Except
//!   [`ICOUNT_VARIABLE_TIME`] (5%) for signature verification (raw `verify_*` of a
//!   signature algorithm, envelope opens of signed modes): verification is variable-time
//!   in the public key and signature, the matrix generates keys afresh in every process,
//!   and Ed25519 verification counts differ by up to 2.6% from one process to the next
//!   (10 processes, `docs/GATE.md`);
//! - `wall`: [`WALL_SMALL`] (10%) below [`BULK_SIZE`] bytes, where fixed per-message costs
//!   (allocation, dispatch, branch prediction) dominate and jitter most, and [`WALL_BULK`]
//!   (5%) from [`BULK_SIZE`] up, where the cipher's throughput dominates.
//!
//! `--threshold KEY=PCT` overrides them; KEY is, by precedence, an exact family id
//! (`seal_ring_aes128gcm`), a family prefix ending in `*` (`env-open_*`, longest wins),
//! `small`, `bulk`, or `all`.

use super::{GateError, Metric};
use crate::backend::SignatureId;

/// Default icount threshold (fraction).
pub const ICOUNT_DEFAULT: f64 = 0.01;
/// Default icount threshold of variable-time signature verification (fraction).
pub const ICOUNT_VARIABLE_TIME: f64 = 0.05;
/// Default wall threshold below [`BULK_SIZE`] (fraction).
pub const WALL_SMALL: f64 = 0.10;
/// Default wall threshold from [`BULK_SIZE`] up (fraction).
pub const WALL_BULK: f64 = 0.05;
/// Payload size from which a scenario is `bulk`, bytes.
pub const BULK_SIZE: u64 = 4096;

/// The thresholds of one gate invocation.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    metric: Metric,
    overrides: Vec<(String, f64)>,
}

impl Thresholds {
    /// The defaults for `metric`, no overrides.
    pub fn new(metric: Metric) -> Self {
        Self {
            metric,
            overrides: Vec::new(),
        }
    }

    /// Adds `KEY=PCT` overrides (later ones win over earlier ones with the same key).
    pub fn with_overrides(mut self, specs: &[String]) -> Result<Self, GateError> {
        for spec in specs {
            let (key, pct) = parse(spec)?;
            self.overrides.retain(|(k, _)| *k != key);
            self.overrides.push((key, pct));
        }
        Ok(self)
    }

    /// The threshold (fraction) for a scenario of `family` at `size` bytes, and where it
    /// came from (`--threshold KEY=PCT` or `default small`, ...).
    pub fn for_scenario(&self, family: &str, size: u64) -> (f64, String) {
        let class = if size >= BULK_SIZE { "bulk" } else { "small" };
        let find = |key: &str| self.overrides.iter().find(|(k, _)| k == key);
        let prefix = self
            .overrides
            .iter()
            .filter_map(|(k, v)| k.strip_suffix('*').map(|p| (p, k, v)))
            .filter(|(p, _, _)| family.starts_with(p))
            .max_by_key(|(p, _, _)| p.len())
            .map(|(_, k, v)| (k, v));
        let chosen = find(family)
            .map(|(k, v)| (k, v))
            .or(prefix)
            .or_else(|| find(class).map(|(k, v)| (k, v)))
            .or_else(|| find("all").map(|(k, v)| (k, v)));
        if let Some((key, &v)) = chosen {
            return (v, format!("--threshold {key}={}", pct(v)));
        }
        match self.metric {
            Metric::Icount if variable_time(family) => (
                ICOUNT_VARIABLE_TIME,
                "default (variable-time verify)".into(),
            ),
            Metric::Icount => (ICOUNT_DEFAULT, "default".into()),
            Metric::Wall if class == "bulk" => (WALL_BULK, "default bulk".into()),
            Metric::Wall => (WALL_SMALL, "default small".into()),
        }
    }
}

/// Whether the family verifies signatures: `verify_{backend}_{signature}` or an envelope
/// open of a signed mode.
fn variable_time(family: &str) -> bool {
    let raw_verify = family.starts_with("verify_")
        && SignatureId::ALL
            .iter()
            .any(|s| family.ends_with(&format!("_{}", s.label())));
    raw_verify || family.starts_with("env-open_sign")
}

/// `0.05` → `5`, `0.005` → `0.5`.
fn pct(fraction: f64) -> String {
    let p = fraction * 100.0;
    let s = format!("{p:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Parses `KEY=PCT` (`PCT` a percentage, optionally with `%`, above 0 and at most 1000).
fn parse(spec: &str) -> Result<(String, f64), GateError> {
    let bad = |why: &str| GateError::Usage(format!("--threshold {spec:?}: {why}"));
    let (key, value) = spec
        .split_once('=')
        .ok_or_else(|| bad("expected FAMILY=PCT, e.g. bulk=5 or seal_ring_aes128gcm=2"))?;
    let key = key.trim();
    if key.is_empty() || key == "*" {
        return Err(bad("empty family"));
    }
    let value = value.trim().trim_end_matches('%');
    let pct: f64 = value
        .parse()
        .map_err(|_| bad("the percentage is not a number"))?;
    if !(pct > 0.0 && pct <= 1000.0) {
        return Err(bad("the percentage must be above 0 and at most 1000"));
    }
    Ok((key.to_string(), pct / 100.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(metric: Metric, specs: &[&str]) -> Thresholds {
        let specs: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
        Thresholds::new(metric).with_overrides(&specs).unwrap()
    }

    #[test]
    fn defaults_per_metric_and_size_class() {
        let w = t(Metric::Wall, &[]);
        assert_eq!(w.for_scenario("seal_ring_aes128gcm", 64).0, WALL_SMALL);
        assert_eq!(w.for_scenario("seal_ring_aes128gcm", 4095).0, WALL_SMALL);
        assert_eq!(w.for_scenario("seal_ring_aes128gcm", 4096).0, WALL_BULK);
        assert_eq!(w.for_scenario("x", 16384).1, "default bulk");
        let i = t(Metric::Icount, &[]);
        assert_eq!(i.for_scenario("x", 64).0, ICOUNT_DEFAULT);
        assert_eq!(i.for_scenario("x", 1 << 20).0, ICOUNT_DEFAULT);
        for vt in [
            "verify_ring_ed25519",
            "verify_openssl_ecdsap256",
            "env-open_sign1_ring_ed25519_kid",
        ] {
            assert_eq!(i.for_scenario(vt, 64).0, ICOUNT_VARIABLE_TIME, "{vt}");
        }
        for exact in [
            "sign_ring_ed25519",
            "verify_ring_hmacsha256",
            "env-seal_sign1_ring_ed25519_kid",
        ] {
            assert_eq!(i.for_scenario(exact, 64).0, ICOUNT_DEFAULT, "{exact}");
        }
        // An override wins over the variable-time default.
        let i = t(Metric::Icount, &["all=2"]);
        assert_eq!(i.for_scenario("verify_ring_ed25519", 64).0, 0.02);
        assert_eq!(
            t(Metric::Wall, &[])
                .for_scenario("verify_ring_ed25519", 64)
                .0,
            WALL_SMALL
        );
    }

    #[test]
    fn overrides_by_precedence() {
        let th = t(
            Metric::Wall,
            &[
                "all=50",
                "bulk=7%",
                "env-*=20",
                "env-open_*=30",
                "env-open_encrypt0_ring_aes128gcm_kid=2.5",
            ],
        );
        let (v, src) = th.for_scenario("env-open_encrypt0_ring_aes128gcm_kid", 64);
        assert!((v - 0.025).abs() < 1e-12);
        assert_eq!(src, "--threshold env-open_encrypt0_ring_aes128gcm_kid=2.5");
        assert_eq!(
            th.for_scenario("env-open_mac0_ring_hmacsha256_kid", 64).0,
            0.30
        );
        assert_eq!(
            th.for_scenario("env-seal_mac0_ring_hmacsha256_kid", 64).0,
            0.20
        );
        assert_eq!(th.for_scenario("seal_ring_aes128gcm", 16384).0, 0.07);
        assert_eq!(th.for_scenario("seal_ring_aes128gcm", 64).0, 0.50);
        // A repeated key: the last one wins.
        let th = t(Metric::Icount, &["all=3", "all=4"]);
        assert_eq!(th.for_scenario("x", 1).0, 0.04);
    }

    #[test]
    fn bad_specs_name_the_flag() {
        for bad in [
            "bulk",
            "=5",
            "bulk=x",
            "bulk=0",
            "bulk=-1",
            "bulk=2000",
            "*=1",
        ] {
            let e = Thresholds::new(Metric::Wall)
                .with_overrides(&[bad.to_string()])
                .unwrap_err();
            assert!(e.to_string().starts_with("--threshold"), "{e}");
        }
    }
}
