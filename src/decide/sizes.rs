//! A traffic class's payload sizes: a histogram or a few percentiles, turned into weighted
//! sizes for expectations and the p50/p99 sizes for latency.
//!
//! Both forms are costed at upper bounds: every message in a histogram bin at the bin's
//! upper bound, every message between two percentiles at the higher one. That overstates
//! the cost by at most one bin width and needs no assumption about the shape inside a bin.

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use toml::Spanned;

/// `sizes = [[bytes, weight], ...]` or `sizes = { p50 = .., p99 = .. }` as written.
#[derive(Debug)]
pub(super) enum RawSizes {
    /// Bins: (upper bound in bytes, weight), each with its place in the file.
    Histogram(Vec<Spanned<(u64, f64)>>),
    /// Percentiles of the payload size, in bytes.
    Percentiles(Percentiles),
}

/// Payload-size percentiles in bytes; `p50` and `p99` are required.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Percentiles {
    p50: u64,
    p75: Option<u64>,
    p90: Option<u64>,
    p95: Option<u64>,
    p99: u64,
    /// The largest message, if known (otherwise the top 1% is costed at `p99`).
    max: Option<u64>,
}

/// A size distribution ready for costing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SizeDistribution {
    /// `(size in bytes, probability)`, ascending sizes, probabilities summing to 1.
    pub points: Vec<(u64, f64)>,
    /// Median payload size, bytes.
    pub p50: u64,
    /// 99th-percentile payload size, bytes.
    pub p99: u64,
}

impl SizeDistribution {
    /// `E[f(size)]`.
    pub fn expect(&self, f: impl Fn(u64) -> f64) -> f64 {
        self.points.iter().map(|&(s, w)| w * f(s)).sum()
    }

    /// Mean payload size, bytes (at the upper bounds).
    pub fn mean(&self) -> f64 {
        self.expect(super::bytes_f64)
    }
}

/// Why a `sizes` value was rejected: the message and, if known, the offending bin's span.
pub(super) type SizesError = (String, Option<std::ops::Range<usize>>);

impl RawSizes {
    /// Checks the values and builds the distribution.
    pub(super) fn into_distribution(self) -> Result<SizeDistribution, SizesError> {
        match self {
            Self::Histogram(bins) => histogram(bins),
            Self::Percentiles(p) => percentiles(&p),
        }
    }
}

fn histogram(bins: Vec<Spanned<(u64, f64)>>) -> Result<SizeDistribution, SizesError> {
    if bins.is_empty() {
        return Err(("the histogram has no bins".into(), None));
    }
    let mut previous = 0;
    let mut total = 0.0;
    for bin in &bins {
        let &(bytes, weight) = bin.get_ref();
        if bytes <= previous {
            let msg = format!(
                "bin upper bounds must be positive and strictly increasing ({bytes} after {previous})"
            );
            return Err((msg, Some(bin.span())));
        }
        if !weight.is_finite() || weight < 0.0 {
            let msg = format!("a bin weight must be a finite number ≥ 0 (got {weight})");
            return Err((msg, Some(bin.span())));
        }
        previous = bytes;
        total += weight;
    }
    if total <= 0.0 || !total.is_finite() {
        return Err(("the bin weights sum to zero".into(), None));
    }
    let points: Vec<(u64, f64)> = bins
        .iter()
        .map(|b| (b.get_ref().0, b.get_ref().1 / total))
        .collect();
    Ok(SizeDistribution {
        p50: quantile(&points, 0.50),
        p99: quantile(&points, 0.99),
        points,
    })
}

/// The upper bound of the first bin whose cumulative probability reaches `q`.
fn quantile(points: &[(u64, f64)], q: f64) -> u64 {
    // Tolerates the rounding in normalised weights (1e-12 of the total).
    let mut cumulative = 0.0;
    for &(size, w) in points {
        cumulative += w;
        if cumulative >= q - 1e-12 {
            return size;
        }
    }
    points.last().map_or(0, |p| p.0)
}

fn percentiles(p: &Percentiles) -> Result<SizeDistribution, SizesError> {
    let listed = [
        ("p50", 0.50, Some(p.p50)),
        ("p75", 0.75, p.p75),
        ("p90", 0.90, p.p90),
        ("p95", 0.95, p.p95),
        ("p99", 0.99, Some(p.p99)),
        ("max", 1.0, p.max),
    ];
    let present: Vec<(&str, f64, u64)> = listed
        .iter()
        .filter_map(|&(name, q, v)| v.map(|v| (name, q, v)))
        .collect();
    let mut points: Vec<(u64, f64)> = Vec::with_capacity(present.len());
    let (mut prev_name, mut prev_q, mut prev_v) = ("", 0.0, 0);
    for (i, &(name, q, v)) in present.iter().enumerate() {
        if v == 0 || v < prev_v {
            let msg = format!(
                "percentiles must be positive and non-decreasing ({name} = {v} after {prev_name} = {prev_v})"
            );
            return Err((msg, None));
        }
        // The last listed point also carries everything above it.
        let upto = if i + 1 == present.len() { 1.0 } else { q };
        points.push((v, upto - prev_q));
        (prev_name, prev_q, prev_v) = (name, q, v);
    }
    Ok(SizeDistribution {
        points,
        p50: p.p50,
        p99: p.p99,
    })
}

impl<'de> Deserialize<'de> for RawSizes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SizesVisitor)
    }
}

struct SizesVisitor;

impl<'de> Visitor<'de> for SizesVisitor {
    type Value = RawSizes;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a histogram [[bytes, weight], ...] or percentiles { p50 = .., p99 = .. }")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawSizes, A::Error> {
        let mut bins = Vec::new();
        while let Some(bin) = seq.next_element::<Spanned<(u64, f64)>>()? {
            bins.push(bin);
        }
        Ok(RawSizes::Histogram(bins))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawSizes, A::Error> {
        Percentiles::deserialize(de::value::MapAccessDeserializer::new(map))
            .map(RawSizes::Percentiles)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<SizeDistribution, String> {
        #[derive(Deserialize)]
        struct Doc {
            sizes: RawSizes,
        }
        let doc: Doc = toml::from_str(text).map_err(|e| e.message().to_string())?;
        doc.sizes.into_distribution().map_err(|e| e.0)
    }

    #[test]
    fn histogram_quantiles_at_bin_upper_bounds() {
        let d = parse("sizes = [[100, 49], [200, 1], [1000, 49], [4000, 1]]").unwrap();
        assert_eq!(d.points.len(), 4);
        assert_eq!((d.p50, d.p99), (200, 1000));
        // (100·49 + 200 + 1000·49 + 4000) / 100.
        assert!((d.mean() - 581.0).abs() < 1e-9);
    }

    #[test]
    fn percentiles_weights() {
        let d = parse("sizes = { p50 = 100, p90 = 1000, p99 = 5000 }").unwrap();
        let w: Vec<f64> = d.points.iter().map(|p| p.1).collect();
        assert_eq!(
            d.points.iter().map(|p| p.0).collect::<Vec<_>>(),
            [100, 1000, 5000]
        );
        assert!((w[0] - 0.5).abs() < 1e-12 && (w[1] - 0.4).abs() < 1e-12);
        assert!((w[2] - 0.1).abs() < 1e-12, "p99 carries the top 10%");
        let with_max = parse("sizes = { p50 = 100, p99 = 5000, max = 9000 }").unwrap();
        assert!((with_max.points[1].1 - 0.49).abs() < 1e-12);
        assert!((with_max.points[2].1 - 0.01).abs() < 1e-12);
        assert_eq!((d.p50, d.p99), (100, 5000));
    }

    #[test]
    fn rejects_bad_sizes() {
        assert!(
            parse("sizes = [[200, 1], [100, 1]]")
                .unwrap_err()
                .contains("increasing")
        );
        assert!(parse("sizes = [[200, -1]]").unwrap_err().contains("weight"));
        assert!(parse("sizes = [[200, 0]]").unwrap_err().contains("zero"));
        assert!(parse("sizes = []").unwrap_err().contains("no bins"));
        assert!(
            parse("sizes = { p50 = 900, p99 = 100 }")
                .unwrap_err()
                .contains("p99")
        );
        assert!(
            parse("sizes = { p50 = 1, p99 = 2, p98 = 3 }")
                .unwrap_err()
                .contains("p98")
        );
        assert!(parse("sizes = { p99 = 2 }").unwrap_err().contains("p50"));
    }
}
