//! Baseline vs candidate, scenario by scenario: relative change, its confidence interval,
//! and a verdict. Pure functions; no file or clock is touched here.
//!
//! The interval of the relative change is built from each side's 95% order-statistic
//! interval of the median ([`Stats::ci95_low_ns`], [`Stats::ci95_high_ns`]):
//! `[cand.low / base.high − 1, cand.high / base.low − 1]`. The true change lies below its
//! lower end only if the candidate's median lies below its interval or the baseline's above
//! its own, so the lower end is a one-sided lower confidence bound whose error is at most
//! the sum of those two tails (each below 2.5%, about 1.3% with 21 samples). For icount the
//! interval holds the spread of repeated counts, a single point when they are deterministic.
//!
//! Verdicts, with `t` the scenario's threshold: the whole interval above `t` is a
//! [`Verdict::Regression`]; the whole interval below `−t` an [`Verdict::Improvement`]; a
//! change beyond ±`t` whose interval reaches back inside is [`Verdict::Noise`] (passes);
//! anything else is [`Verdict::Unchanged`]. Only regressions fail the gate; a measuring gate
//! re-runs each one first ([`Comparison::confirm`]) and passes those not confirmed; a
//! comparison of files whose evidence cannot rule out between-run variance (one run on a
//! side) downgrades them to [`Verdict::Suspected`] ([`Comparison::cap_to_suspected`]).
//!
//! A side made of several runs (files, or processes) is pooled by [`pool_runs`]: the median
//! of the runs' medians, and an interval spanning every run's interval, so the spread
//! between runs is inside it. Control scenarios (`memcpy_*`, `arith_*`) are compared
//! apart ([`Comparison::controls`]): they measure the machine, never the code.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::Metric;
use super::threshold::Thresholds;
use crate::measure::IdFilter;
use crate::results::{ScenarioResult, Stats};

/// The decision for one scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// The interval of the change lies entirely above the threshold (confirmed, when the
    /// gate measured the candidate itself): fails the gate.
    Regression,
    /// Suspected on the first measurement, not confirmed by the re-run: passes.
    Unconfirmed,
    /// The interval lies above the threshold, but the evidence cannot separate the change
    /// from between-run variance (a single run on a side, or a machine whose state differs
    /// between the sides): passes with a warning unless `--strict`.
    Suspected,
    /// Changed beyond the threshold, but the interval reaches back inside it: passes.
    Noise,
    /// Within the threshold.
    Unchanged,
    /// The interval lies entirely below minus the threshold.
    Improvement,
}

impl Verdict {
    /// Short label with a marker for markdown tables.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Regression => "❌ regression",
            Self::Unconfirmed => "⚠️ not confirmed",
            Self::Suspected => "⚠️ suspected",
            Self::Noise => "〰️ within noise",
            Self::Unchanged => "unchanged",
            Self::Improvement => "✅ improvement",
        }
    }
}

/// A relative change and its interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    /// `candidate / baseline − 1` of the medians.
    pub change: f64,
    /// Lower end of the interval of the change.
    pub low: f64,
    /// Upper end of the interval of the change.
    pub high: f64,
}

/// One side's value of one scenario.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Value {
    /// Median (ns or instructions per operation).
    pub median: f64,
    /// Lower end of its interval.
    pub low: f64,
    /// Upper end of its interval.
    pub high: f64,
    /// Samples (runs, for icount) behind it.
    pub samples: u32,
    /// Runs (files or processes) pooled into it.
    pub runs: u32,
}

impl Value {
    /// The value of `stats`; an interval that is absent or does not contain the median
    /// collapses to the median.
    pub fn of(stats: &Stats) -> Self {
        let m = stats.median_ns;
        let ok = |x: f64| x.is_finite() && x > 0.0;
        let low = if ok(stats.ci95_low_ns) && stats.ci95_low_ns <= m {
            stats.ci95_low_ns
        } else {
            m
        };
        let high = if ok(stats.ci95_high_ns) && stats.ci95_high_ns >= m {
            stats.ci95_high_ns
        } else {
            m
        };
        Self {
            median: m,
            low,
            high,
            samples: stats.samples,
            runs: 1,
        }
    }

    /// This value divided by `factor` (a machine-wide slowdown factored out).
    pub fn scaled(&self, factor: f64) -> Self {
        Self {
            median: self.median / factor,
            low: self.low / factor,
            high: self.high / factor,
            ..*self
        }
    }
}

/// One side made of several runs of the same scenarios: per scenario (in order of first
/// appearance), the median of the runs' medians and an interval from the lowest run's lower
/// end to the highest run's upper end, so the spread between runs is inside it. The
/// result's `stats.samples` is the sum over runs; its `stats.ci95_*` are that interval.
/// Returns the records and, per record, the number of runs that had it.
pub fn pool_runs(runs: &[&[ScenarioResult]]) -> Vec<(ScenarioResult, u32)> {
    let mut order: Vec<&ScenarioResult> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut values: Vec<Vec<Value>> = Vec::new();
    for run in runs {
        let mut seen = BTreeSet::new();
        for r in run.iter() {
            if !seen.insert(r.id.as_str()) {
                continue; // the first of duplicate ids wins
            }
            let i = *index.entry(r.id.as_str()).or_insert_with(|| {
                order.push(r);
                values.push(Vec::new());
                order.len() - 1
            });
            if let Some(v) = values.get_mut(i) {
                v.push(Value::of(&r.stats));
            }
        }
    }
    order
        .into_iter()
        .zip(values)
        .map(|(first, v)| {
            let mut medians: Vec<f64> = v.iter().map(|x| x.median).collect();
            medians.sort_by(f64::total_cmp);
            let median = crate::measure::stats::median(&medians);
            let low = v.iter().map(|x| x.low).fold(f64::INFINITY, f64::min);
            let high = v.iter().map(|x| x.high).fold(f64::NEG_INFINITY, f64::max);
            let mut r = first.clone();
            if v.len() > 1 {
                r.stats.median_ns = median;
                r.stats.ci95_low_ns = low;
                r.stats.ci95_high_ns = high;
                r.stats.min_ns = v.iter().map(|x| x.low).fold(r.stats.min_ns, f64::min);
                r.stats.max_ns = v.iter().map(|x| x.high).fold(r.stats.max_ns, f64::max);
                r.stats.samples = v.iter().map(|x| x.samples).sum();
            }
            (r, u32::try_from(v.len()).unwrap_or(u32::MAX))
        })
        .collect()
}

/// Fewest rows from which [`Comparison::spread`] is estimated.
pub const MIN_ROWS_FOR_SPREAD: usize = 20;

/// Whether a scenario id is a control (`memcpy_*`, `arith_*`): no crypto, no library.
pub fn is_control(id: &str) -> bool {
    id.starts_with("memcpy_") || id.starts_with("arith_")
}

/// The change from `base` to `cand` and the verdict at `threshold` (a fraction). `None`
/// when the baseline has no positive median.
pub fn decide(base: &Value, cand: &Value, threshold: f64) -> Option<(Change, Verdict)> {
    let ok = |x: f64| x.is_finite() && x > 0.0;
    if !(ok(base.median) && ok(base.low) && ok(cand.median) && cand.median.is_finite()) {
        return None;
    }
    let c = Change {
        change: cand.median / base.median - 1.0,
        low: cand.low / base.high - 1.0,
        high: cand.high / base.low - 1.0,
    };
    let verdict = if c.low > threshold {
        Verdict::Regression
    } else if c.high < -threshold {
        Verdict::Improvement
    } else if c.change.abs() > threshold {
        Verdict::Noise
    } else {
        Verdict::Unchanged
    };
    Some((c, verdict))
}

/// The re-measurement of a suspected regression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Confirmation {
    /// The candidate re-measured.
    pub candidate: Value,
    /// The change against the baseline.
    pub change: Change,
    /// Whether the re-run also puts the interval above the threshold.
    pub confirmed: bool,
}

/// One scenario present on both sides.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Scenario id.
    pub id: String,
    /// Family id (threshold key).
    pub family: String,
    /// Payload size, bytes.
    pub size: u64,
    /// Baseline value.
    pub baseline: Value,
    /// Candidate value (first measurement).
    pub candidate: Value,
    /// The change (first measurement).
    pub change: Change,
    /// Threshold applied (fraction).
    pub threshold: f64,
    /// Where the threshold came from.
    pub threshold_source: String,
    /// The final verdict.
    pub verdict: Verdict,
    /// AEAD implementation path on each side, when recorded.
    pub impl_path: (Option<String>, Option<String>),
    /// The re-run of a suspected regression, if any.
    pub confirmation: Option<Confirmation>,
    /// The change before a machine-wide shift seen on the controls was factored out
    /// (`change` is then the adjusted one).
    pub unadjusted: Option<Change>,
}

/// The whole comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// What was compared.
    pub metric: Metric,
    /// Scenarios on both sides, by decreasing |relative change|.
    pub rows: Vec<Row>,
    /// Candidate scenarios the baseline lacks.
    pub missing_in_baseline: Vec<String>,
    /// Baseline scenarios the candidate lacks.
    pub missing_in_candidate: Vec<String>,
    /// Scenarios on both sides that cannot be compared, with the reason.
    pub not_comparable: Vec<(String, String)>,
    /// Control scenarios on both sides (never a failing verdict; see
    /// [`super::controls`]).
    pub controls: Vec<Row>,
    /// `1 + shift` of a machine-wide shift factored out of the candidate (1: none).
    pub machine_factor: f64,
}

impl Comparison {
    /// Rows whose verdict fails the gate.
    pub fn regressions(&self) -> impl Iterator<Item = &Row> {
        self.rows
            .iter()
            .filter(|r| r.verdict == Verdict::Regression)
    }

    /// Whether the gate passes.
    pub fn passed(&self) -> bool {
        self.regressions().next().is_none()
    }

    /// Ids of rows suspected of regression that have not been re-measured yet.
    pub fn suspects(&self) -> Vec<String> {
        self.rows
            .iter()
            .filter(|r| r.verdict == Verdict::Regression && r.confirmation.is_none())
            .map(|r| r.id.clone())
            .collect()
    }

    /// Records the re-measurement of suspect `id`: it stays a regression only if the re-run
    /// also puts the whole interval above the threshold.
    pub fn confirm(&mut self, id: &str, remeasured: &Stats) {
        self.confirm_pair(id, None, remeasured);
    }

    /// [`Comparison::confirm`] where the baseline was re-measured too (two binaries).
    pub fn confirm_pair(&mut self, id: &str, baseline: Option<&Stats>, remeasured: &Stats) {
        let Some(row) = self.rows.iter_mut().find(|r| r.id == id) else {
            return;
        };
        let cand = Value::of(remeasured).scaled(self.machine_factor);
        let base = baseline.map_or(row.baseline, Value::of);
        let Some((change, verdict)) = decide(&base, &cand, row.threshold) else {
            return;
        };
        let confirmed = verdict == Verdict::Regression;
        row.confirmation = Some(Confirmation {
            candidate: cand,
            change,
            confirmed,
        });
        if !confirmed {
            row.verdict = Verdict::Unconfirmed;
        }
    }

    /// Turns every unconfirmed regression into [`Verdict::Suspected`] (the evidence cannot
    /// separate it from between-run variance); returns how many.
    pub fn cap_to_suspected(&mut self) -> usize {
        let mut n = 0;
        for r in &mut self.rows {
            if r.verdict == Verdict::Regression && r.confirmation.is_none() {
                r.verdict = Verdict::Suspected;
                n += 1;
            }
        }
        n
    }

    /// Rows suspected but not failing.
    pub fn suspected(&self) -> impl Iterator<Item = &Row> {
        self.rows.iter().filter(|r| r.verdict == Verdict::Suspected)
    }

    /// Divides every non-control candidate value by `1 + shift` and decides again: a
    /// machine-wide slowdown (`shift` > 0) seen on the controls is not blamed on the code.
    pub fn factor_out(&mut self, shift: f64) {
        let factor = 1.0 + shift;
        if !(factor.is_finite() && factor > 0.0) {
            return;
        }
        self.machine_factor = factor;
        for r in &mut self.rows {
            let cand = r.candidate.scaled(factor);
            if let Some((change, verdict)) = decide(&r.baseline, &cand, r.threshold) {
                r.unadjusted.get_or_insert(r.change);
                r.candidate = cand;
                r.change = change;
                r.verdict = verdict;
            }
        }
        self.sort();
    }

    /// Adds `margin` to every row's threshold and decides again (the machine itself moved
    /// by up to `margin` on the controls).
    pub fn widen(&mut self, margin: f64) {
        self.widen_by(margin, "machine margin");
    }

    /// Adds `margin` to every row's threshold, the source naming `why`, and decides again.
    pub fn widen_by(&mut self, margin: f64, why: &str) {
        if !(margin.is_finite() && margin > 0.0) {
            return;
        }
        for r in &mut self.rows {
            let threshold = r.threshold + margin;
            if let Some((_, verdict)) = decide(&r.baseline, &r.candidate, threshold) {
                r.threshold = threshold;
                r.threshold_source =
                    format!("{} + {why} {:.1}%", r.threshold_source, margin * 100.0);
                r.verdict = verdict;
            }
        }
    }

    /// The spread of the changes over all rows: `1.4826 × MAD` of `ln(1 + change)`, the
    /// normal-consistent robust standard deviation (Rousseeuw & Croux 1993), returned as a
    /// relative change (`e^σ − 1`). Between two files most scenarios did not change, so
    /// this is how far unchanged scenarios stray from run to run; a regression of a few
    /// families does not move it (the MAD ignores up to half the rows). `None` below
    /// [`MIN_ROWS_FOR_SPREAD`] rows.
    pub fn spread(&self) -> Option<f64> {
        if self.rows.len() < MIN_ROWS_FOR_SPREAD {
            return None;
        }
        let mut d: Vec<f64> = self.rows.iter().map(|r| r.change.change.ln_1p()).collect();
        d.sort_by(f64::total_cmp);
        let m = crate::measure::stats::median(&d);
        let mut dev: Vec<f64> = d.iter().map(|x| (x - m).abs()).collect();
        dev.sort_by(f64::total_cmp);
        let sigma = 1.4826 * crate::measure::stats::median(&dev);
        sigma.is_finite().then(|| sigma.exp_m1())
    }

    fn sort(&mut self) {
        self.rows.sort_by(|a, b| {
            b.change
                .change
                .abs()
                .total_cmp(&a.change.change.abs())
                .then_with(|| a.id.cmp(&b.id))
        });
    }

    /// Median relative change over all rows: a shift of every scenario at once points at
    /// the machine (or a change everything shares), not at one code path.
    pub fn median_change(&self) -> Option<f64> {
        let mut v: Vec<f64> = self.rows.iter().map(|r| r.change.change).collect();
        v.sort_by(f64::total_cmp);
        (!v.is_empty()).then(|| crate::measure::stats::median(&v))
    }
}

/// Compares the scenarios of two sides (each already pooled over its runs, with the
/// number of runs per record, see [`pool_runs`]) whose id `filter` selects (all if
/// `None`). Controls are always compared, into [`Comparison::controls`].
pub fn compare(
    metric: Metric,
    baseline: &[(ScenarioResult, u32)],
    candidate: &[(ScenarioResult, u32)],
    thresholds: &Thresholds,
    filter: Option<&IdFilter>,
) -> Comparison {
    let keep = |r: &&(ScenarioResult, u32)| {
        is_control(&r.0.id) || filter.is_none_or(|f| f.matches(&r.0.id))
    };
    let base: HashMap<&str, &(ScenarioResult, u32)> = baseline
        .iter()
        .filter(keep)
        .rev() // the first of duplicate ids wins
        .map(|r| (r.0.id.as_str(), r))
        .collect();
    let mut seen = BTreeSet::new();
    let mut rows = Vec::new();
    let mut controls = Vec::new();
    let mut missing_in_baseline = BTreeSet::new();
    let mut not_comparable = Vec::new();
    for (c, c_runs) in candidate.iter().filter(keep) {
        if !seen.insert(c.id.as_str()) {
            continue;
        }
        let Some((b, b_runs)) = base.get(c.id.as_str()) else {
            if !is_control(&c.id) {
                missing_in_baseline.insert(c.id.clone());
            }
            continue;
        };
        let bv = Value {
            runs: *b_runs,
            ..Value::of(&b.stats)
        };
        let cv = Value {
            runs: *c_runs,
            ..Value::of(&c.stats)
        };
        let (threshold, threshold_source) = thresholds.for_scenario(&c.family, c.size);
        match decide(&bv, &cv, threshold) {
            Some((change, verdict)) => {
                let row = Row {
                    id: c.id.clone(),
                    family: c.family.clone(),
                    size: c.size,
                    baseline: bv,
                    candidate: cv,
                    change,
                    threshold,
                    threshold_source,
                    verdict,
                    impl_path: (b.impl_path.clone(), c.impl_path.clone()),
                    confirmation: None,
                    unadjusted: None,
                };
                if is_control(&c.id) {
                    controls.push(row);
                } else {
                    rows.push(row);
                }
            }
            None => not_comparable.push((
                c.id.clone(),
                format!(
                    "baseline median {} and candidate median {} {}",
                    b.stats.median_ns,
                    c.stats.median_ns,
                    metric.unit()
                ),
            )),
        }
    }
    let missing_in_candidate = base
        .keys()
        .filter(|id| !seen.contains(*id) && !is_control(id))
        .map(|id| id.to_string())
        .collect::<BTreeSet<_>>();
    let mut cmp = Comparison {
        metric,
        rows,
        missing_in_baseline: missing_in_baseline.into_iter().collect(),
        missing_in_candidate: missing_in_candidate.into_iter().collect(),
        not_comparable,
        controls,
        machine_factor: 1.0,
    };
    cmp.sort();
    cmp
}

/// One run's records, each counted as one run (for [`compare`]).
pub fn single(run: &[ScenarioResult]) -> Vec<(ScenarioResult, u32)> {
    run.iter().map(|r| (r.clone(), 1)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(median: f64, low: f64, high: f64) -> Stats {
        Stats {
            samples: 21,
            iters_per_sample: 1000,
            median_ns: median,
            min_ns: low,
            max_ns: high,
            ci95_low_ns: low,
            ci95_high_ns: high,
            cv: 0.0,
            cpu_median_ns: median,
            noisy: false,
        }
    }

    fn v(median: f64, low: f64, high: f64) -> Value {
        Value::of(&stats(median, low, high))
    }

    #[test]
    fn a_change_inside_noise_passes_a_clear_one_fails() {
        let base = v(100.0, 98.0, 102.0);
        // +12% median but a wide candidate interval: could be +2%.
        let (c, verdict) = decide(&base, &v(112.0, 104.0, 130.0), 0.10).unwrap();
        assert!((c.change - 0.12).abs() < 1e-12);
        assert!((c.low - (104.0 / 102.0 - 1.0)).abs() < 1e-12);
        assert_eq!(verdict, Verdict::Noise);
        // +20% with tight intervals: 118/102 − 1 = 15.7% > 10%.
        assert_eq!(
            decide(&base, &v(120.0, 118.0, 122.0), 0.10).unwrap().1,
            Verdict::Regression
        );
        // A point change at (just below) the threshold does not fail: "entirely above".
        assert_eq!(
            decide(
                &v(100.0, 100.0, 100.0),
                &v(110.0, 110.0, 110.0),
                0.10 + 1e-9
            )
            .unwrap()
            .1,
            Verdict::Unchanged
        );
        assert_eq!(
            decide(&base, &v(80.0, 79.0, 81.0), 0.10).unwrap().1,
            Verdict::Improvement
        );
        assert_eq!(
            decide(&base, &v(103.0, 90.0, 115.0), 0.10).unwrap().1,
            Verdict::Unchanged
        );
        assert!(decide(&v(0.0, 0.0, 0.0), &base, 0.1).is_none());
    }

    #[test]
    fn point_values_compare_exactly() {
        // icount: deterministic counts have a zero-width interval.
        let (c, verdict) =
            decide(&v(1000.0, 1000.0, 1000.0), &v(1011.0, 1011.0, 1011.0), 0.01).unwrap();
        assert_eq!((c.low, c.high), (c.change, c.change));
        assert_eq!(verdict, Verdict::Regression);
        assert_eq!(
            decide(&v(1000.0, 1000.0, 1000.0), &v(1009.0, 1009.0, 1009.0), 0.01)
                .unwrap()
                .1,
            Verdict::Unchanged
        );
    }

    #[test]
    fn a_missing_or_inverted_interval_collapses_to_the_median() {
        let x = Value::of(&stats(50.0, 0.0, 40.0));
        assert_eq!((x.low, x.high), (50.0, 50.0));
    }

    fn result(id: &str, size: u64, s: Stats) -> ScenarioResult {
        let mut r = crate::measure::engine::describe(
            &crate::measure::Scenario {
                op: crate::measure::Op::Memcpy,
                work: crate::measure::Work::Memcpy,
                backend: None,
                backend_tag: None,
                size: size as usize,
            },
            &crate::cpu::CpuFeatures::detect(),
        );
        r.id = id.into();
        r.family = id.rsplit_once('_').map_or(id, |p| p.0).into();
        r.stats = s;
        r
    }

    #[test]
    fn rows_sorted_by_absolute_change_and_missing_listed() {
        let base = vec![
            result("a_64", 64, stats(100.0, 99.0, 101.0)),
            result("b_64", 64, stats(100.0, 99.0, 101.0)),
            result("c_16384", 16384, stats(100.0, 99.0, 101.0)),
            result("gone_64", 64, stats(100.0, 99.0, 101.0)),
            result("zero_64", 64, stats(0.0, 0.0, 0.0)),
        ];
        let cand = vec![
            result("a_64", 64, stats(101.0, 100.0, 102.0)),
            result("b_64", 64, stats(70.0, 69.0, 71.0)),
            result("c_16384", 16384, stats(108.0, 107.0, 109.0)),
            result("new_64", 64, stats(1.0, 1.0, 1.0)),
            result("zero_64", 64, stats(5.0, 5.0, 5.0)),
        ];
        let th = Thresholds::new(Metric::Wall);
        let (base, cand) = (single(&base), single(&cand));
        let cmp = compare(Metric::Wall, &base, &cand, &th, None);
        let ids: Vec<&str> = cmp.rows.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["b_64", "c_16384", "a_64"]);
        assert_eq!(cmp.missing_in_baseline, ["new_64"]);
        assert_eq!(cmp.missing_in_candidate, ["gone_64"]);
        assert_eq!(cmp.not_comparable.len(), 1);
        // c: +8% on a bulk size (5% threshold), tight: regression. b: improvement.
        let verdicts: Vec<Verdict> = cmp.rows.iter().map(|r| r.verdict).collect();
        assert_eq!(
            verdicts,
            [
                Verdict::Improvement,
                Verdict::Regression,
                Verdict::Unchanged
            ]
        );
        assert!(!cmp.passed());
        assert_eq!(cmp.suspects(), ["c_16384"]);
        // The same +8% on a small size is within its 10% threshold.
        let th = Thresholds::new(Metric::Wall)
            .with_overrides(&["c=20".to_string()])
            .unwrap();
        assert!(compare(Metric::Wall, &base, &cand, &th, None).passed());
        // A filter restricts both sides.
        let a = IdFilter::new("a_").unwrap();
        let f = compare(Metric::Wall, &base, &cand, &th, Some(&a));
        assert_eq!(f.rows.len(), 1);
        assert!(f.missing_in_baseline.is_empty() && f.missing_in_candidate.is_empty());
    }

    #[test]
    fn confirmation_keeps_or_clears_a_suspect() {
        let base = vec![
            result("a_64", 64, stats(100.0, 99.0, 101.0)),
            result("b_64", 64, stats(100.0, 99.0, 101.0)),
        ];
        let cand = vec![
            result("a_64", 64, stats(130.0, 125.0, 135.0)),
            result("b_64", 64, stats(130.0, 125.0, 135.0)),
        ];
        let th = Thresholds::new(Metric::Wall);
        let mut cmp = compare(Metric::Wall, &single(&base), &single(&cand), &th, None);
        assert_eq!(cmp.suspects(), ["a_64", "b_64"]);
        cmp.confirm("a_64", &stats(131.0, 128.0, 133.0));
        cmp.confirm("b_64", &stats(102.0, 100.0, 104.0));
        assert!(cmp.suspects().is_empty());
        let a = cmp.rows.iter().find(|r| r.id == "a_64").unwrap();
        let b = cmp.rows.iter().find(|r| r.id == "b_64").unwrap();
        assert_eq!(a.verdict, Verdict::Regression);
        assert!(a.confirmation.as_ref().unwrap().confirmed);
        assert_eq!(b.verdict, Verdict::Unconfirmed);
        assert!(!cmp.passed());
        cmp.confirm("a_64", &stats(100.0, 99.0, 101.0));
        assert!(cmp.passed());
        assert!((cmp.median_change().unwrap() - 0.3).abs() < 1e-12);
    }

    #[test]
    fn spread_is_robust_to_a_few_regressions() {
        let th = Thresholds::new(Metric::Wall);
        let mut base = Vec::new();
        let mut cand = Vec::new();
        for i in 0..30 {
            let id = format!("s{i}_64");
            let c = match i {
                0 | 1 => 3.0, // two families regressed by +200%
                _ if i % 2 == 0 => 102.0,
                _ => 98.0,
            };
            let c = if c == 3.0 { 300.0 } else { c };
            base.push(result(&id, 64, stats(100.0, 99.0, 101.0)));
            cand.push(result(&id, 64, stats(c, c - 1.0, c + 1.0)));
        }
        let mut cmp = compare(Metric::Wall, &single(&base), &single(&cand), &th, None);
        let sigma = cmp.spread().unwrap();
        // Scenarios ±2% apart (the +200% ones do not count): a σ of a few percent.
        assert!((0.02..0.07).contains(&sigma), "{sigma}");
        cmp.widen_by(3.0 * sigma, "between-run noise");
        assert_eq!(cmp.regressions().count(), 2);
        assert!(cmp.rows[0].threshold_source.contains("between-run noise"));
        // Too few rows: no estimate.
        let few = compare(
            Metric::Wall,
            &single(&base[..5]),
            &single(&cand[..5]),
            &th,
            None,
        );
        assert!(few.spread().is_none());
    }
}
