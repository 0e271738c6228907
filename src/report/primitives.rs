//! What an envelope's primitives cost on their own: the "raw" side of the overhead ratio.
//!
//! An envelope's algorithm label names its primitives (`ed25519+x25519+aes128gcm`). Each
//! is priced from the raw scenarios of the same backend: the bulk primitives (AEAD seal,
//! MAC, signature) at the envelope's payload size, the key operations (key transport,
//! ephemeral agreement) at the content-key length, once per recipient and per content key.

use crate::backend::AeadId;
use crate::results::{Run, ScenarioResult};

/// Raw operations an envelope seal performs, preferred first for each primitive.
const SEAL_OPS: &[&str] = &[
    "seal",
    "mac",
    "sign",
    "encrypt-key",
    "agree-ephemeral",
    "agree",
];

/// Operations priced per content key rather than per payload byte.
const KEY_OPS: &[&str] = &["encrypt-key", "agree-ephemeral", "agree", "decrypt-key"];

/// Whether raw label `raw` prices primitive `component` (`x25519+hkdfsha256` prices `x25519`).
fn prices(raw: &str, component: &str) -> bool {
    raw == component || raw.split('+').next() == Some(component)
}

/// Content-key length of an envelope's AEAD (16 for AES-128-GCM, 32 otherwise).
fn cek_len(algorithm: &str) -> u64 {
    let aead = algorithm
        .split('+')
        .find_map(|c| AeadId::ALL.iter().find(|a| a.label() == c));
    match aead {
        Some(AeadId::Aes128Gcm) => 16,
        _ => 32,
    }
}

/// Median time at `size`: measured there; inside the measured range, from the family's
/// fit; outside it, at the nearest measured size.
fn at_size(run: &Run, cands: &[&ScenarioResult], size: u64) -> Option<f64> {
    if let Some(s) = cands.iter().find(|s| s.size == size) {
        return Some(s.stats.median_ns);
    }
    let lo = cands.iter().map(|s| s.size).min()?;
    let hi = cands.iter().map(|s| s.size).max()?;
    let fit = cands
        .first()
        .and_then(|s| run.fits.iter().find(|f| f.family == s.family));
    if let Some(f) = fit.filter(|_| lo < size && size < hi) {
        // Sizes are far below 2^53: the conversion is exact.
        return Some(f.fixed_ns + f.per_byte_ns * size as f64);
    }
    cands
        .iter()
        .min_by_key(|s| s.size.abs_diff(size))
        .map(|s| s.stats.median_ns)
}

/// Time of one primitive of envelope `env`, or `None` if it was not measured raw.
fn component_cost(run: &Run, env: &ScenarioResult, component: &str) -> Option<f64> {
    let raw = |op: &str| -> Vec<&ScenarioResult> {
        run.scenarios
            .iter()
            .filter(|s| {
                s.layer == "raw"
                    && s.op == op
                    && s.backend == env.backend
                    && prices(&s.algorithm, component)
            })
            .collect()
    };
    let (op, cands) = SEAL_OPS
        .iter()
        .map(|op| (*op, raw(op)))
        .find(|(_, c)| !c.is_empty())?;
    if KEY_OPS.contains(&op) {
        let per_key = at_size(run, &cands, cek_len(&env.algorithm))?;
        let recipients = f64::from(env.recipients.unwrap_or(1).max(1));
        let reuse = f64::from(env.cek_reuse.unwrap_or(1).max(1));
        Some(per_key * recipients / reuse)
    } else {
        at_size(run, &cands, env.size)
    }
}

/// The summed raw time of an envelope seal's primitives; `Err` names the first primitive
/// with no raw measurement. Envelopes without primitives (plain framing) give `Ok(None)`.
pub fn raw_seal_cost(run: &Run, env: &ScenarioResult) -> Result<Option<f64>, String> {
    let mut total = None;
    for c in env
        .algorithm
        .split('+')
        .filter(|c| !c.is_empty() && *c != "none")
    {
        let t = component_cost(run, env, c).ok_or_else(|| format!("{c} on {}", env.backend))?;
        total = Some(total.unwrap_or(0.0) + t);
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::{CostFit, Stats};

    fn sc(layer: &str, op: &str, alg: &str, size: u64, ns: f64) -> ScenarioResult {
        ScenarioResult {
            id: format!("{op}_{alg}_{size}"),
            family: format!("{op}_{alg}"),
            layer: layer.into(),
            op: op.into(),
            mode: None,
            algorithm: alg.into(),
            backend: "b".into(),
            impl_path: None,
            size,
            identity: None,
            recipients: None,
            cek_reuse: None,
            inside_loop: vec![],
            overhead_bytes: None,
            stats: Stats {
                samples: 1,
                iters_per_sample: 1,
                median_ns: ns,
                min_ns: ns,
                max_ns: ns,
                ci95_low_ns: ns,
                ci95_high_ns: ns,
                cv: 0.0,
                cpu_median_ns: ns,
                noisy: false,
            },
        }
    }

    fn run() -> Run {
        Run {
            environment: serde_json::Value::Null,
            profile: "quick".into(),
            clock: "wall".into(),
            scenarios: vec![
                sc("raw", "seal", "aes128gcm", 16, 50.0),
                sc("raw", "seal", "aes128gcm", 16384, 1650.0),
                sc("raw", "sign", "ed25519", 1350, 20000.0),
                sc("raw", "agree", "x25519+hkdfsha256", 16, 30000.0),
                sc("raw", "agree-ephemeral", "x25519+hkdfsha256", 16, 60000.0),
                sc("raw", "agree-ephemeral", "x25519+hkdfsha256", 32, 61000.0),
            ],
            fits: vec![CostFit {
                family: "seal_aes128gcm".into(),
                fixed_ns: 48.0,
                per_byte_ns: 0.1,
                gb_per_s: 10.0,
                residuals: vec![],
            }],
            interleaved: None,
        }
    }

    #[test]
    fn primitives_are_priced_per_byte_and_per_key() {
        let r = run();
        let mut env = sc("envelope", "seal", "ed25519+x25519+aes128gcm", 1000, 0.0);
        env.recipients = Some(2);
        env.cek_reuse = Some(1);
        // seal: fit inside the measured range (48 + 0.1·1000); sign: the only size;
        // ephemeral agreement at the 16-byte content key, twice.
        let want = 148.0 + 20000.0 + 2.0 * 60000.0;
        let got = raw_seal_cost(&r, &env).unwrap().unwrap();
        assert!((got - want).abs() < 1e-6, "{got} != {want}");
        env.cek_reuse = Some(100);
        let got = raw_seal_cost(&r, &env).unwrap().unwrap();
        assert!((got - (148.0 + 20000.0 + 1200.0)).abs() < 1e-6, "{got}");
    }

    #[test]
    fn unmeasured_primitives_are_named_and_plain_has_none() {
        let r = run();
        let env = sc("envelope", "seal", "rsaoaep2048+aes128gcm", 16, 0.0);
        assert_eq!(raw_seal_cost(&r, &env), Err("rsaoaep2048 on b".to_string()));
        let plain = sc("plain", "seal", "none", 16, 0.0);
        assert_eq!(raw_seal_cost(&r, &plain), Ok(None));
        // Outside the measured range: nearest size, not an extrapolated fit.
        let big = sc("envelope", "seal", "aes128gcm", 1 << 20, 0.0);
        assert_eq!(raw_seal_cost(&r, &big), Ok(Some(1650.0)));
    }
}
