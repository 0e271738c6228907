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
//! re-runs each one first ([`Comparison::confirm`]) and passes those not confirmed.

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use super::Metric;
use super::threshold::Thresholds;
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
        }
    }
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
        let Some(row) = self.rows.iter_mut().find(|r| r.id == id) else {
            return;
        };
        let cand = Value::of(remeasured);
        let Some((change, verdict)) = decide(&row.baseline, &cand, row.threshold) else {
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

    /// Median relative change over all rows: a shift of every scenario at once points at
    /// the machine (or a change everything shares), not at one code path.
    pub fn median_change(&self) -> Option<f64> {
        let mut v: Vec<f64> = self.rows.iter().map(|r| r.change.change).collect();
        v.sort_by(f64::total_cmp);
        (!v.is_empty()).then(|| crate::measure::stats::median(&v))
    }
}

/// Compares the scenarios of two runs whose id contains `filter` (all if `None`).
pub fn compare(
    metric: Metric,
    baseline: &[ScenarioResult],
    candidate: &[ScenarioResult],
    thresholds: &Thresholds,
    filter: Option<&str>,
) -> Comparison {
    let keep = |r: &&ScenarioResult| filter.is_none_or(|f| r.id.contains(f));
    let base: HashMap<&str, &ScenarioResult> = baseline
        .iter()
        .filter(keep)
        .rev() // the first of duplicate ids wins
        .map(|r| (r.id.as_str(), r))
        .collect();
    let mut seen = BTreeSet::new();
    let mut rows = Vec::new();
    let mut missing_in_baseline = BTreeSet::new();
    let mut not_comparable = Vec::new();
    for c in candidate.iter().filter(keep) {
        if !seen.insert(c.id.as_str()) {
            continue;
        }
        let Some(b) = base.get(c.id.as_str()) else {
            missing_in_baseline.insert(c.id.clone());
            continue;
        };
        let (bv, cv) = (Value::of(&b.stats), Value::of(&c.stats));
        let (threshold, threshold_source) = thresholds.for_scenario(&c.family, c.size);
        match decide(&bv, &cv, threshold) {
            Some((change, verdict)) => rows.push(Row {
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
            }),
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
        .filter(|id| !seen.contains(*id))
        .map(|id| id.to_string())
        .collect::<BTreeSet<_>>();
    rows.sort_by(|a, b| {
        b.change
            .change
            .abs()
            .total_cmp(&a.change.change.abs())
            .then_with(|| a.id.cmp(&b.id))
    });
    Comparison {
        metric,
        rows,
        missing_in_baseline: missing_in_baseline.into_iter().collect(),
        missing_in_candidate: missing_in_candidate.into_iter().collect(),
        not_comparable,
    }
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
        let f = compare(Metric::Wall, &base, &cand, &th, Some("a_"));
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
        let mut cmp = compare(Metric::Wall, &base, &cand, &th, None);
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
}
