//! Envelope costs from one run of a results file, found by the scenarios' structured
//! fields (layer, op, mode, algorithm, backend, identity, recipients, content-key reuse),
//! never by parsing ids.
//!
//! Each operation is priced from one scenario family: by the family's [`CostFit`]
//! (`fixed_ns + per_byte_ns · size`) when the run has one with a non-negative per-byte
//! cost, otherwise by straight lines between the family's measured sizes. Times are the
//! scenarios' median wall times.

use std::collections::BTreeMap;

use serde::Serialize;

use super::bytes_f64;
use super::curve::Curve;
use crate::envelope::Mode;
use crate::results::{CostFit, Run, ScenarioResult};

/// What to price: an envelope mode and the algorithm labels its scenarios must contain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Protection {
    /// Envelope mode.
    pub mode: Mode,
    /// Labels the scenario's algorithm label must contain, e.g. `["rsaoaep2048", "aes128gcm"]`.
    pub labels: Vec<&'static str>,
}

impl Protection {
    /// `mode` or `mode(label+label)` for tables.
    pub fn describe(&self) -> String {
        if self.labels.is_empty() {
            self.mode.label().to_string()
        } else {
            format!("{}({})", self.mode.label(), self.labels.join("+"))
        }
    }
}

/// How an operation's cost was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// The family's least-squares fit.
    Fit,
    /// Straight lines between the family's measured sizes (the run has no fit for it).
    Interpolated,
    /// Not measured: plain framing absent from the run, costed as zero.
    Unmeasured,
}

/// One operation priced from one scenario family.
#[derive(Debug, Clone)]
pub struct OpCost {
    /// The family id (empty when unmeasured).
    pub family: String,
    /// Nanoseconds per operation as a function of payload bytes.
    pub curve: Curve,
    /// Where the curve came from.
    pub source: Source,
    /// The payload sizes measured, ascending.
    pub sizes: Vec<f64>,
    /// The 95% confidence interval of the median, as ratios to the median (the median of
    /// the family's per-size ratios): `(low, high)`, `(1, 1)` when unmeasured.
    pub ci: (f64, f64),
    /// Whether any of the family's scenarios was marked noisy.
    pub noisy: bool,
}

/// Costs at one measured recipient count.
#[derive(Debug, Clone)]
pub struct Level {
    /// Recipients per message (1 for non-hybrid modes).
    pub recipients: u32,
    /// Sealing one message.
    pub seal: OpCost,
    /// Opening it at one receiver.
    pub open: OpCost,
    /// Envelope bytes beyond the payload, by payload size; `None` if not recorded.
    pub overhead: Option<Curve>,
}

/// A protection priced on one backend.
///
/// With several recipient counts (hybrid modes), the size-dependent part comes from the
/// *base* count (the one measured at the most sizes) and each other count adds a constant:
/// its measured cost minus the base's at a size it was measured at (the key transport per
/// recipient does not depend on the payload). That constant is interpolated between counts,
/// and extrapolated with the last two counts' slope beyond the largest.
#[derive(Debug, Clone)]
pub struct Priced {
    /// Ascending recipient counts; never empty.
    pub levels: Vec<Level>,
}

impl Priced {
    fn base(&self) -> Option<&Level> {
        self.levels
            .iter()
            .max_by_key(|l| (l.seal.sizes.len(), std::cmp::Reverse(l.recipients)))
    }

    /// `get` at `size` for `recipients`: the base curve plus the count's constant.
    fn value(
        &self,
        size: u64,
        recipients: u32,
        get: impl Fn(&Level) -> Option<&Curve>,
    ) -> Option<f64> {
        let base = self.base()?;
        let at_size = get(base)?.at(bytes_f64(size));
        if self.levels.len() == 1 {
            return Some(at_size);
        }
        let mut points = Vec::with_capacity(self.levels.len());
        for l in &self.levels {
            let x = l.seal.sizes.first().copied().unwrap_or(0.0);
            points.push((f64::from(l.recipients), get(l)?.at(x) - get(base)?.at(x)));
        }
        let extra = Curve::from_points(points).map_or(0.0, |c| c.at(f64::from(recipients)));
        Some(at_size + extra)
    }

    /// Nanoseconds to seal one message of `size` bytes for `recipients`.
    pub fn seal_ns(&self, size: u64, recipients: u32) -> f64 {
        self.value(size, recipients, |l| Some(&l.seal.curve))
            .unwrap_or(0.0)
    }

    /// Nanoseconds for one receiver to open it.
    pub fn open_ns(&self, size: u64, recipients: u32) -> f64 {
        self.value(size, recipients, |l| Some(&l.open.curve))
            .unwrap_or(0.0)
    }

    /// Envelope bytes beyond the payload; `None` if the run did not record them.
    pub fn overhead_bytes(&self, size: u64, recipients: u32) -> Option<f64> {
        self.value(size, recipients, |l| l.overhead.as_ref())
    }

    /// How `recipients` relates to the measured counts, when it is not one of them.
    pub fn recipients_note(&self, recipients: u32) -> Option<String> {
        let counts: Vec<u32> = self.levels.iter().map(|l| l.recipients).collect();
        if counts.contains(&recipients) {
            return None;
        }
        let below = counts.iter().copied().filter(|&c| c < recipients).max();
        let above = counts.iter().copied().filter(|&c| c > recipients).min();
        Some(match (below, above, counts.as_slice()) {
            (_, _, [only]) => {
                format!("{recipients} recipients priced as the only measured count, {only}")
            }
            (Some(a), Some(b), _) => {
                format!("{recipients} recipients interpolated between measured {a} and {b}")
            }
            (Some(a), None, _) => format!(
                "{recipients} recipients extrapolated beyond the largest measured count, {a}"
            ),
            (None, _, _) => format!(
                "{recipients} recipients priced as the smallest measured count, {}",
                counts.first().copied().unwrap_or(0)
            ),
        })
    }

    /// The base level's seal and open confidence ratios `(low, high)`.
    pub fn ci(&self) -> ((f64, f64), (f64, f64)) {
        self.base()
            .map_or(((1.0, 1.0), (1.0, 1.0)), |l| (l.seal.ci, l.open.ci))
    }

    /// The largest payload size both seal and open were measured at (base level).
    pub fn largest_measured(&self) -> Option<f64> {
        let l = self.base()?;
        let seal = l.seal.sizes.last().copied()?;
        let open = l.open.sizes.last().copied()?;
        Some(seal.min(open))
    }

    /// Whether any family used was marked noisy.
    pub fn noisy(&self) -> bool {
        self.levels.iter().any(|l| l.seal.noisy || l.open.noisy)
    }

    /// The scenario families the costs come from.
    pub fn families(&self) -> Vec<String> {
        self.levels
            .iter()
            .flat_map(|l| [&l.seal, &l.open])
            .filter(|c| c.source != Source::Unmeasured)
            .map(|c| format!("{} ({})", c.family, source_label(c.source)))
            .collect()
    }
}

/// Mutual TLS priced on one backend's stack (`layer = "channel"`, loopback transport).
#[derive(Debug, Clone)]
pub struct ChannelPrice {
    /// The stack, e.g. `rustls-aws-lc`.
    pub stack: String,
    /// One message sent and received on an established connection (one hop).
    pub message: OpCost,
    /// Record overhead per message, by payload size.
    pub overhead: Option<Curve>,
    /// One full handshake, ns (median), with its confidence ratios.
    pub handshake_ns: f64,
    /// `(low, high)` ratios of the handshake's 95% interval to its median.
    pub handshake_ci: (f64, f64),
    /// Bytes both ends send for one handshake.
    pub handshake_bytes: f64,
    /// The handshake scenario's id.
    pub handshake_id: String,
}

fn source_label(s: Source) -> &'static str {
    match s {
        Source::Fit => "fit",
        Source::Interpolated => "interpolated",
        Source::Unmeasured => "unmeasured",
    }
}

/// The envelope costs of one run.
#[derive(Debug, Clone, Copy)]
pub struct CostModel<'a> {
    run: &'a Run,
}

impl<'a> CostModel<'a> {
    /// Prices from `run`.
    pub fn new(run: &'a Run) -> Self {
        Self { run }
    }

    /// Backends with envelope seal scenarios, in the order the run lists them.
    pub fn backends(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for s in &self.run.scenarios {
            if s.layer == "envelope" && s.op == "seal" && !names.contains(&s.backend) {
                names.push(s.backend.clone());
            }
        }
        names
    }

    /// Prices mutual TLS on the stack whose cryptography is `backend`'s, with certificates
    /// of `cert` (`ed25519`, `ecdsap256`), from the loopback channel scenarios.
    pub fn channel(&self, backend: &str, cert: &str) -> Result<ChannelPrice, String> {
        let stack = crate::channel::Stack::for_backend(backend)
            .map(|s| s.label())
            .ok_or_else(|| format!("no TLS stack measured on {backend}"))?;
        let channel = |s: &&ScenarioResult| s.layer == "channel" && s.backend == stack;
        let messages: Vec<&ScenarioResult> = self
            .run
            .scenarios
            .iter()
            .filter(channel)
            .filter(|s| s.op == "message" && s.cek_reuse.is_none())
            .collect();
        if messages.is_empty() {
            return Err(format!(
                "no channel message scenarios for {stack} (run `sealbench run --filter channel`)"
            ));
        }
        let handshake = self
            .run
            .scenarios
            .iter()
            .filter(channel)
            .find(|s| s.op == "handshake" && s.algorithm.split('+').any(|a| a == cert))
            .ok_or_else(|| format!("no channel handshake scenario for {stack} with {cert}"))?;
        let median = handshake.stats.median_ns;
        let ratio = |x: f64| if median > 0.0 { x / median } else { 1.0 };
        Ok(ChannelPrice {
            stack: stack.to_string(),
            message: self.op_cost(&messages)?,
            overhead: overhead(&messages),
            handshake_ns: median,
            handshake_ci: (
                ratio(handshake.stats.ci95_low_ns).min(1.0),
                ratio(handshake.stats.ci95_high_ns).max(1.0),
            ),
            handshake_bytes: handshake.overhead_bytes.map_or(0.0, bytes_f64),
            handshake_id: handshake.id.clone(),
        })
    }

    /// Prices `p` on `backend`, or says what the run lacks.
    pub fn price(&self, backend: &str, p: &Protection) -> Result<Priced, String> {
        let seal = self.families(backend, p, "seal");
        let open = self.families(backend, p, "open");
        let mut levels = Vec::new();
        for (&recipients, seal_family) in &seal {
            let Some(open_family) = open.get(&recipients) else {
                continue;
            };
            levels.push(Level {
                recipients,
                seal: self.op_cost(seal_family)?,
                open: self.op_cost(open_family)?,
                overhead: overhead(seal_family),
            });
        }
        if !levels.is_empty() {
            return Ok(Priced { levels });
        }
        if p.mode == Mode::Plain {
            return Ok(Priced {
                levels: vec![unmeasured_level()],
            });
        }
        let missing = if seal.is_empty() { "seal" } else { "open" };
        Err(format!(
            "no envelope {missing} scenarios for {} on {backend}",
            p.describe()
        ))
    }

    /// For each recipient count, the scenarios of the best-matching family for `op`.
    fn families(
        &self,
        backend: &str,
        p: &Protection,
        op: &str,
    ) -> BTreeMap<u32, Vec<&'a ScenarioResult>> {
        let mut by_count: BTreeMap<u32, BTreeMap<&'a str, Vec<&'a ScenarioResult>>> =
            BTreeMap::new();
        for s in self
            .run
            .scenarios
            .iter()
            .filter(|s| matches(s, backend, p, op))
        {
            by_count
                .entry(s.recipients.unwrap_or(1))
                .or_default()
                .entry(s.family.as_str())
                .or_default()
                .push(s);
        }
        let exact = p.labels.join("+");
        by_count
            .into_iter()
            .filter_map(|(count, families)| {
                let best = families.into_values().min_by_key(|members| {
                    let first = members.first();
                    (
                        first.is_none_or(|s| s.algorithm != exact),
                        first.is_none_or(|s| s.identity.as_deref() != Some("kid")),
                        first.map(|s| s.family.clone()),
                    )
                })?;
                Some((count, best))
            })
            .collect()
    }

    fn op_cost(&self, members: &[&ScenarioResult]) -> Result<OpCost, String> {
        let family = members
            .first()
            .map(|s| s.family.clone())
            .unwrap_or_default();
        let mut sizes: Vec<f64> = members.iter().map(|s| bytes_f64(s.size)).collect();
        sizes.sort_by(f64::total_cmp);
        sizes.dedup();
        let ci = ci_ratios(members);
        let noisy = members.iter().any(|s| s.stats.noisy);
        // A negative per-byte fit is noise in a family dominated by its fixed cost; the
        // measured points (flat beyond the last size) extrapolate better.
        let fit = self.run.fits.iter().find(|f| f.family == family);
        if let Some(fit) = fit.filter(|f| f.per_byte_ns >= 0.0) {
            return Ok(OpCost {
                curve: linear(fit)?,
                family,
                source: Source::Fit,
                sizes,
                ci,
                noisy,
            });
        }
        let points = members
            .iter()
            .map(|s| (bytes_f64(s.size), s.stats.median_ns))
            .collect();
        let curve = Curve::from_points(points)
            .ok_or_else(|| format!("family {family}: a median time is not a finite number"))?;
        Ok(OpCost {
            family,
            curve,
            source: Source::Interpolated,
            sizes,
            ci,
            noisy,
        })
    }
}

/// The median over a family's scenarios of `ci95_low / median` and `ci95_high / median`.
fn ci_ratios(members: &[&ScenarioResult]) -> (f64, f64) {
    let median = |mut v: Vec<f64>| -> f64 {
        v.retain(|x| x.is_finite());
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(1.0)
    };
    let ratio = |f: fn(&ScenarioResult) -> f64| {
        median(
            members
                .iter()
                .filter(|s| s.stats.median_ns > 0.0)
                .map(|s| f(s) / s.stats.median_ns)
                .collect(),
        )
    };
    (
        ratio(|s| s.stats.ci95_low_ns).min(1.0),
        ratio(|s| s.stats.ci95_high_ns).max(1.0),
    )
}

fn matches(s: &ScenarioResult, backend: &str, p: &Protection, op: &str) -> bool {
    // Plain framing involves no cryptography: its scenarios carry the backend `none`.
    let plain = p.mode == Mode::Plain && s.layer == "plain" && s.backend == "none";
    let ours = (s.layer == "envelope" || s.layer == "plain") && s.backend == backend;
    (plain || ours)
        && s.op == op
        && s.mode.as_deref() == Some(p.mode.label())
        && p.labels.iter().all(|l| s.algorithm.contains(l))
        && matches!(s.identity.as_deref(), None | Some("kid"))
        && matches!(s.cek_reuse, None | Some(1))
}

fn linear(fit: &CostFit) -> Result<Curve, String> {
    if fit.fixed_ns.is_finite() && fit.per_byte_ns.is_finite() {
        Ok(Curve::Linear {
            fixed: fit.fixed_ns,
            per_unit: fit.per_byte_ns,
        })
    } else {
        Err(format!("fit for {}: not a finite number", fit.family))
    }
}

fn overhead(members: &[&ScenarioResult]) -> Option<Curve> {
    let points: Option<Vec<(f64, f64)>> = members
        .iter()
        .map(|s| s.overhead_bytes.map(|o| (bytes_f64(s.size), bytes_f64(o))))
        .collect();
    Curve::from_points(points?)
}

fn unmeasured_level() -> Level {
    let zero = || OpCost {
        family: String::new(),
        curve: Curve::Linear {
            fixed: 0.0,
            per_unit: 0.0,
        },
        source: Source::Unmeasured,
        sizes: Vec::new(),
        ci: (1.0, 1.0),
        noisy: false,
    };
    Level {
        recipients: 1,
        seal: zero(),
        open: zero(),
        overhead: Some(Curve::Linear {
            fixed: 0.0,
            per_unit: 0.0,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Stats;

    fn scenario(op: &str, size: u64, median_ns: f64) -> ScenarioResult {
        ScenarioResult {
            id: format!("env-{op}_mac0_x_hmacsha256_kid_{size}"),
            family: format!("env-{op}_mac0_x_hmacsha256_kid"),
            layer: "envelope".into(),
            op: op.into(),
            mode: Some("mac0".into()),
            algorithm: "hmacsha256".into(),
            backend: "x".into(),
            impl_path: None,
            size,
            identity: Some("kid".into()),
            recipients: None,
            cek_reuse: None,
            inside_loop: vec![],
            overhead_bytes: Some(60),
            stats: Stats {
                samples: 7,
                iters_per_sample: 1,
                median_ns,
                min_ns: median_ns,
                max_ns: median_ns,
                ci95_low_ns: median_ns,
                ci95_high_ns: median_ns,
                cv: 0.0,
                cpu_median_ns: median_ns,
                noisy: false,
            },
        }
    }

    fn run(fit_per_byte: f64) -> Run {
        let scenarios = ["seal", "open"]
            .iter()
            .flat_map(|op| [scenario(op, 64, 1000.0), scenario(op, 1350, 990.0)])
            .collect();
        let fits = ["seal", "open"]
            .iter()
            .map(|op| CostFit {
                family: format!("env-{op}_mac0_x_hmacsha256_kid"),
                fixed_ns: 1000.0,
                per_byte_ns: fit_per_byte,
                gb_per_s: 0.0,
                residuals: vec![],
            })
            .collect();
        Run {
            environment: serde_json::Value::Null,
            profile: "quick".into(),
            clock: "wall".into(),
            scenarios,
            fits,
            interleaved: None,
        }
    }

    #[test]
    fn fits_are_used_unless_their_slope_is_negative() {
        let algs = crate::decide::Algorithms::default();
        let mac = algs.protection(Mode::Mac0);
        let good = run(0.5);
        let priced = CostModel::new(&good).price("x", &mac).unwrap();
        assert_eq!(priced.seal_ns(10_000, 1), 6000.0);
        assert_eq!(priced.overhead_bytes(10_000, 1), Some(60.0));
        // A fit falling with size is noise: the points, flat beyond 1350 B, are used.
        let noisy = run(-0.01);
        let priced = CostModel::new(&noisy).price("x", &mac).unwrap();
        assert_eq!(priced.seal_ns(10_000, 1), 990.0);
        assert_eq!(priced.levels[0].seal.source, Source::Interpolated);
        assert!(CostModel::new(&good).price("y", &mac).is_err());
        let sign = algs.protection(Mode::Sign1);
        let err = CostModel::new(&good).price("x", &sign).unwrap_err();
        assert!(err.contains("sign1(ed25519)"), "{err}");
    }
}
