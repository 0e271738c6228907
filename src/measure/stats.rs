//! Statistics of timing samples: pure functions with known-answer tests.
//!
//! Each sample is the mean time per operation over one batch of iterations. A scenario's
//! result is the median of its samples, with a distribution-free 95% confidence interval
//! for the median from order statistics, the coefficient of variation, and a noisy flag.
//! Per family, [`cost_fit`] fits `t(size) = fixed + per_byte · size`.

use crate::results::{CostFit, Stats};

/// A result is flagged noisy when the 95% confidence interval of its median is wider than
/// this fraction of the median: the median is then uncertain by more than about ±5%, and
/// the scenario should be rerun on a quieter machine. The CV is reported beside it but does
/// not decide: one preempted sample on a shared two-core VM inflates the CV far past any
/// threshold while leaving the median and its order-statistic interval untouched.
pub const NOISY_CI_WIDTH: f64 = 0.10;

/// Below this per-byte cost (10^6 GB/s) a fit has no meaningful throughput: `gb_per_s`
/// is reported as 0 (public-key operations, whose cost does not grow with the payload).
pub const MIN_PER_BYTE_NS: f64 = 1e-6;

/// Two-sided error probability of the confidence interval (95%).
const ALPHA: f64 = 0.05;

/// The median of `sorted` (ascending); 0 for an empty slice.
pub fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    let mid = n / 2;
    match (sorted.get(mid), n % 2) {
        (Some(&m), 1) => m,
        (Some(&hi), _) => sorted
            .get(mid.wrapping_sub(1))
            .map_or(hi, |&lo| (lo + hi) / 2.0),
        (None, _) => 0.0,
    }
}

/// 1-based ranks `(l, u)` of the order statistics bounding a 95% confidence interval of
/// the median of `n` samples, and the interval's exact coverage.
///
/// The number of samples below the true median is Binomial(n, 1/2), so
/// `P(x_(l) ≤ median ≤ x_(u)) = 1 − 2·P(B ≤ l−1)` with `u = n + 1 − l`; `l` is the largest
/// rank with `P(B ≤ l−1) ≤ α/2`. For `n < 6` no interval reaches 95%; the full range
/// `(1, n)` is returned with its lower coverage.
// ref: W. J. Conover, Practical Nonparametric Statistics, 3rd ed. (Wiley, 1999), §3.2,
// "confidence interval for a quantile"; H. A. David, H. N. Nagaraja, Order Statistics,
// 3rd ed. (Wiley, 2003), §7.1.
pub fn median_ci_ranks(n: usize) -> (usize, usize, f64) {
    if n == 0 {
        return (0, 0, 0.0);
    }
    let nf = n as f64;
    // ln P(B = k), stepped with P(k+1)/P(k) = (n−k)/(k+1); stays finite for any n.
    let mut ln_p = nf * 0.5f64.ln();
    let mut cdf = 0.0;
    let mut l = 0usize;
    let mut tail = 0.0;
    for k in 0..n {
        cdf += ln_p.exp();
        if cdf > ALPHA / 2.0 {
            break;
        }
        l = k + 1;
        tail = cdf;
        let kf = k as f64;
        ln_p += ((nf - kf) / (kf + 1.0)).ln();
    }
    if l == 0 {
        let coverage = 1.0 - 2.0 * 0.5f64.powi(i32::try_from(n).unwrap_or(i32::MAX));
        return (1, n, coverage.max(0.0));
    }
    (l, n + 1 - l, 1.0 - 2.0 * tail)
}

/// Sample standard deviation (n − 1) divided by the mean; 0 for fewer than two samples.
pub fn coefficient_of_variation(xs: &[f64]) -> f64 {
    if xs.len() < 2 {
        return 0.0;
    }
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    if mean == 0.0 {
        return 0.0;
    }
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    var.sqrt() / mean
}

/// Whether a result with this interval and median should be flagged noisy.
pub fn is_noisy(ci_low: f64, ci_high: f64, median: f64) -> bool {
    median > 0.0 && (ci_high - ci_low) / median > NOISY_CI_WIDTH
}

/// Summarises samples of wall and CPU nanoseconds per operation.
pub fn summarize(wall_ns: &[f64], cpu_ns: &[f64], iters_per_sample: u64) -> Stats {
    let mut wall = wall_ns.to_vec();
    wall.sort_by(f64::total_cmp);
    let mut cpu = cpu_ns.to_vec();
    cpu.sort_by(f64::total_cmp);
    let med = median(&wall);
    let (l, u, _) = median_ci_ranks(wall.len());
    let at = |rank: usize| {
        rank.checked_sub(1)
            .and_then(|i| wall.get(i))
            .copied()
            .unwrap_or(0.0)
    };
    let (ci_low, ci_high) = (at(l), at(u));
    let cv = coefficient_of_variation(&wall);
    Stats {
        samples: u32::try_from(wall.len()).unwrap_or(u32::MAX),
        iters_per_sample,
        median_ns: med,
        min_ns: wall.first().copied().unwrap_or(0.0),
        max_ns: wall.last().copied().unwrap_or(0.0),
        ci95_low_ns: ci_low,
        ci95_high_ns: ci_high,
        cv,
        cpu_median_ns: median(&cpu),
        noisy: is_noisy(ci_low, ci_high, med),
    }
}

/// Fits `t = fixed + per_byte · size` to `(size, median ns)` points by weighted least
/// squares with weights `1/t²`, i.e. minimising the squared *relative* residuals, so
/// a 16-byte point counts as much as a 1 MiB one (ordinary least squares would let the
/// largest sizes decide the fixed cost). Needs two distinct sizes and positive times.
pub fn cost_fit(family: &str, points: &[(u64, f64)]) -> Option<CostFit> {
    let mut pts: Vec<(u64, f64)> = points.iter().copied().filter(|p| p.1 > 0.0).collect();
    pts.sort_by_key(|p| p.0);
    let distinct = pts
        .windows(2)
        .filter(|w| matches!(w, [a, b] if a.0 != b.0))
        .count();
    if distinct == 0 {
        return None;
    }
    let (mut w, mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for &(s, t) in &pts {
        let (s, wi) = (s as f64, 1.0 / (t * t));
        w += wi;
        sx += wi * s;
        sy += wi * t;
        sxx += wi * s * s;
        sxy += wi * s * t;
    }
    let det = w * sxx - sx * sx;
    if det == 0.0 {
        return None;
    }
    let per_byte = (w * sxy - sx * sy) / det;
    let fixed = (sy - per_byte * sx) / w;
    let residuals = pts
        .iter()
        .map(|&(s, t)| (s, (t - (fixed + per_byte * s as f64)) / t))
        .collect();
    Some(CostFit {
        family: family.to_string(),
        fixed_ns: fixed,
        per_byte_ns: per_byte,
        // ns per byte → bytes per ns = GB/s (10^9 bytes per second).
        gb_per_s: if per_byte > MIN_PER_BYTE_NS {
            1.0 / per_byte
        } else {
            0.0
        },
        residuals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn median_of_odd_even_and_empty() {
        assert_eq!(median(&[1.0, 2.0, 9.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 4.0, 9.0]), 3.0);
        assert_eq!(median(&[5.0]), 5.0);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn ci_ranks_match_binomial_tables() {
        // Known answers (Conover 1999, table A3; exact binomial sums).
        assert_eq!(median_ci_ranks(6).0..=median_ci_ranks(6).1, 1..=6);
        assert_eq!(median_ci_ranks(7).0..=median_ci_ranks(7).1, 1..=7);
        assert_eq!(median_ci_ranks(11).0..=median_ci_ranks(11).1, 2..=10);
        assert_eq!(median_ci_ranks(21).0..=median_ci_ranks(21).1, 6..=16);
        assert_eq!(median_ci_ranks(51).0..=median_ci_ranks(51).1, 19..=33);
        assert_eq!(median_ci_ranks(101).0..=median_ci_ranks(101).1, 41..=61);
        // n = 21: P(B ≤ 5) = 27896 / 2^21.
        let (_, _, cov) = median_ci_ranks(21);
        assert!(close(cov, 1.0 - 2.0 * 27896.0 / 2097152.0), "{cov}");
        // Fewer than 6 samples: the full range, below 95%.
        let (l, u, cov) = median_ci_ranks(5);
        assert_eq!((l, u), (1, 5));
        assert!(close(cov, 1.0 - 2.0 / 32.0));
        // Large n stays finite (0.5^n underflows in linear space).
        let (l, u, cov) = median_ci_ranks(5000);
        assert!(l > 2000 && u == 5001 - l && cov >= 0.95, "{l} {u} {cov}");
    }

    #[test]
    fn cv_known_answer() {
        // statistics.stdev / mean in Python.
        let cv = coefficient_of_variation(&[10.0, 12.0, 11.0, 13.0, 10.5]);
        assert!(close(cv, 0.10656278388311766), "{cv}");
        assert_eq!(coefficient_of_variation(&[3.0]), 0.0);
    }

    #[test]
    fn summary_uses_order_statistics_and_flags_noise() {
        let wall: Vec<f64> = (1..=21).map(f64::from).rev().collect();
        let cpu: Vec<f64> = (1..=21).map(|x| f64::from(x) / 2.0).collect();
        let s = summarize(&wall, &cpu, 1000);
        assert_eq!((s.samples, s.iters_per_sample), (21, 1000));
        assert_eq!((s.median_ns, s.min_ns, s.max_ns), (11.0, 1.0, 21.0));
        assert_eq!((s.ci95_low_ns, s.ci95_high_ns), (6.0, 16.0));
        assert_eq!(s.cpu_median_ns, 5.5);
        assert!(s.noisy);
        let quiet = summarize(&[100.0, 101.0, 99.0, 100.5, 100.2, 99.8, 100.1], &[], 1);
        assert!(!quiet.noisy, "{quiet:?}");
        assert_eq!(quiet.cpu_median_ns, 0.0);
        // One preempted sample of 11: a large CV, but the median's interval (2nd..10th
        // order statistics) is unaffected.
        let mut spiked = vec![100.0; 10];
        spiked.push(500.0);
        let s = summarize(&spiked, &[], 1);
        assert!(s.cv > 0.5 && !s.noisy, "{s:?}");
    }

    #[test]
    fn exact_line_is_recovered() {
        let pts: Vec<(u64, f64)> = [16u64, 64, 1024, 16384]
            .iter()
            .map(|&s| (s, 50.0 + 0.25 * s as f64))
            .collect();
        let f = cost_fit("seal_x_aes128gcm", &pts).unwrap();
        assert!(
            close(f.fixed_ns, 50.0) && close(f.per_byte_ns, 0.25),
            "{f:?}"
        );
        assert!(close(f.gb_per_s, 4.0));
        assert!(f.residuals.iter().all(|r| r.1.abs() < 1e-12));
        assert_eq!(f.family, "seal_x_aes128gcm");
    }

    #[test]
    fn weighted_fit_known_answer() {
        // Weighted normal equations (w = 1/t²) solved in Python for these points.
        let f = cost_fit("f", &[(1024, 300.0), (16, 60.0), (64, 75.0)]).unwrap();
        assert!(close(f.fixed_ns, 57.53155680224404), "{f:?}");
        assert!(close(f.per_byte_ns, 0.23842917251051893));
        let r: Vec<u64> = f.residuals.iter().map(|r| r.0).collect();
        assert_eq!(r, [16, 64, 1024]);
        assert!(close(f.residuals[0].1, -0.02244039270687234));
        assert!(close(f.residuals[2].1, -0.005610098176718073));
    }

    #[test]
    fn fit_needs_two_sizes_and_reports_flat_costs() {
        assert!(cost_fit("f", &[(64, 10.0), (64, 11.0)]).is_none());
        assert!(cost_fit("f", &[]).is_none());
        let flat = cost_fit("f", &[(16, 1000.0), (32, 1000.0)]).unwrap();
        assert!(close(flat.fixed_ns, 1000.0) && flat.per_byte_ns.abs() < 1e-9);
        assert_eq!(flat.gb_per_s, 0.0);
    }
}
