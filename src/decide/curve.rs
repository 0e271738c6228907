//! Cost curves `t(x)` in nanoseconds (or bytes): a linear fit, or measured points joined
//! by straight lines; and where a sum of curves first exceeds a budget.

/// A cost as a function of payload size (or of a recipient count).
#[derive(Debug, Clone, PartialEq)]
pub enum Curve {
    /// `fixed + per_unit · x`: the results file's least-squares fit.
    Linear {
        /// Value at `x = 0`.
        fixed: f64,
        /// Increase per unit of `x`.
        per_unit: f64,
    },
    /// Measured `(x, value)` points with distinct, ascending `x`: straight lines between
    /// points, the first value below the first point, and the last segment's slope (never
    /// negative) beyond the last point.
    Points(Vec<(f64, f64)>),
}

/// Where a sum of curves first exceeds a budget.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(tag = "kind", content = "bytes", rename_all = "kebab-case")]
pub enum Crossing {
    /// The value at `x = 0` already reaches the budget.
    AtAnySize,
    /// The value exceeds the budget beyond this `x`.
    Above(f64),
    /// The value never exceeds the budget (it does not grow with `x`).
    Never,
}

impl Curve {
    /// A curve through measured points (duplicates at one `x` are averaged); `None` if
    /// there are none or a value is not finite.
    pub fn from_points(mut points: Vec<(f64, f64)>) -> Option<Self> {
        if points.is_empty() || points.iter().any(|(x, v)| !x.is_finite() || !v.is_finite()) {
            return None;
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut merged: Vec<(f64, f64, u32)> = Vec::with_capacity(points.len());
        for (x, v) in points {
            match merged.last_mut() {
                Some(last) if last.0 == x => {
                    last.1 += v;
                    last.2 += 1;
                }
                _ => merged.push((x, v, 1)),
            }
        }
        let averaged = merged
            .into_iter()
            .map(|(x, sum, n)| (x, sum / f64::from(n)))
            .collect();
        Some(Self::Points(averaged))
    }

    /// The value at `x`.
    pub fn at(&self, x: f64) -> f64 {
        match self {
            Self::Linear { fixed, per_unit } => fixed + per_unit * x,
            Self::Points(points) => {
                let (Some(&(x0, v0)), Some(&(xn, vn))) = (points.first(), points.last()) else {
                    return 0.0;
                };
                if x <= x0 {
                    return v0;
                }
                if x >= xn {
                    return vn + self.tail_slope() * (x - xn);
                }
                points
                    .windows(2)
                    .find_map(|w| match w {
                        [(a, va), (b, vb)] if x <= *b => Some(va + (vb - va) * (x - a) / (b - a)),
                        _ => None,
                    })
                    .unwrap_or(vn)
            }
        }
    }

    /// The slope beyond the last breakpoint.
    fn tail_slope(&self) -> f64 {
        match self {
            Self::Linear { per_unit, .. } => *per_unit,
            Self::Points(points) => match points.as_slice() {
                [.., (a, va), (b, vb)] => ((vb - va) / (b - a)).max(0.0),
                _ => 0.0,
            },
        }
    }

    /// Where the curve bends (measured `x`s); none for a linear fit.
    fn breakpoints(&self) -> impl Iterator<Item = f64> + '_ {
        let points: &[(f64, f64)] = match self {
            Self::Linear { .. } => &[],
            Self::Points(p) => p,
        };
        points.iter().map(|p| p.0)
    }
}

/// The sum of `curves` at `x`.
pub fn sum_at(curves: &[&Curve], x: f64) -> f64 {
    curves.iter().map(|c| c.at(x)).sum()
}

/// The smallest `x ≥ 0` beyond which the sum of `curves` exceeds `budget`. Exact: the sum
/// is piecewise linear with bends only at the curves' breakpoints.
pub fn first_crossing(curves: &[&Curve], budget: f64) -> Crossing {
    let f = |x: f64| sum_at(curves, x);
    if f(0.0) >= budget {
        return Crossing::AtAnySize;
    }
    let mut bends: Vec<f64> = curves
        .iter()
        .flat_map(|c| c.breakpoints())
        .filter(|&x| x > 0.0)
        .collect();
    bends.sort_by(f64::total_cmp);
    bends.dedup();
    let mut a = 0.0;
    for b in bends {
        let (fa, fb) = (f(a), f(b));
        if fb > budget {
            return Crossing::Above(a + (budget - fa) * (b - a) / (fb - fa));
        }
        a = b;
    }
    let slope: f64 = curves.iter().map(|c| c.tail_slope()).sum();
    if slope <= 0.0 {
        return Crossing::Never;
    }
    Crossing::Above(a + (budget - f(a)) / slope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_and_points() {
        let lin = Curve::Linear {
            fixed: 1000.0,
            per_unit: 1.0,
        };
        assert_eq!(lin.at(500.0), 1500.0);
        let pts =
            Curve::from_points(vec![(1000.0, 3000.0), (0.0, 1000.0), (2000.0, 4000.0)]).unwrap();
        assert_eq!(pts.at(500.0), 2000.0);
        assert_eq!(pts.at(1500.0), 3500.0);
        // Beyond the last point: the last segment's slope (1 per unit).
        assert_eq!(pts.at(3000.0), 5000.0);
        let low = Curve::from_points(vec![(64.0, 700.0), (128.0, 900.0)]).unwrap();
        assert_eq!(low.at(0.0), 700.0, "held at the first value below it");
    }

    #[test]
    fn duplicates_are_averaged_and_bad_points_rejected() {
        let c = Curve::from_points(vec![(10.0, 1.0), (10.0, 3.0)]).unwrap();
        assert_eq!(c, Curve::Points(vec![(10.0, 2.0)]));
        assert_eq!(c.at(1e9), 2.0);
        assert!(Curve::from_points(vec![]).is_none());
        assert!(Curve::from_points(vec![(1.0, f64::NAN)]).is_none());
    }

    #[test]
    fn crossings() {
        let seal = Curve::Linear {
            fixed: 1000.0,
            per_unit: 1.0,
        };
        let open = Curve::Linear {
            fixed: 500.0,
            per_unit: 0.5,
        };
        // 1500 + 1.5 x = 9000 → x = 5000.
        assert_eq!(
            first_crossing(&[&seal, &open], 9000.0),
            Crossing::Above(5000.0)
        );
        assert_eq!(first_crossing(&[&seal, &open], 1500.0), Crossing::AtAnySize);
        let flat = Curve::Linear {
            fixed: 10.0,
            per_unit: 0.0,
        };
        assert_eq!(first_crossing(&[&flat], 100.0), Crossing::Never);
        // A crossing inside a measured segment: 1000 at 0, 3000 at 1000 → 2000 at 500.
        let pts =
            Curve::from_points(vec![(0.0, 1000.0), (1000.0, 3000.0), (2000.0, 3500.0)]).unwrap();
        assert_eq!(first_crossing(&[&pts], 2000.0), Crossing::Above(500.0));
        // Beyond the last point with slope 0.5: 3500 + 0.5 (x - 2000) = 4000 → 3000.
        assert_eq!(first_crossing(&[&pts], 4000.0), Crossing::Above(3000.0));
        // Mixed: 3000 at 1000 from the points plus 1000 + 1000 from the fit = 5000.
        assert_eq!(
            first_crossing(&[&pts, &seal], 5000.0),
            Crossing::Above(1000.0)
        );
    }
}
