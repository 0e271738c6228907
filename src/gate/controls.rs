//! The machine, not the code: what the control scenarios say about a comparison.
//!
//! Every run measures two controls that involve no crypto and no library: `memcpy_{size}`
//! (memory bandwidth and caches) and `arith_1024` (a dependent multiply chain: the core's
//! clock and scheduling). A code change cannot move them; a busier or slower machine on
//! one side does. So, from the controls' relative changes:
//! - all within ±[`STEADY`]: the machine was steady, nothing is adjusted;
//! - otherwise, if they agree (spread at most [`AGREE`] or half the shift): a machine-wide
//!   shift of their median; every other candidate value is divided by `1 + shift` before
//!   the verdicts ([`super::compare::Comparison::factor_out`]);
//! - otherwise the machine state differs between the sides in a way no single factor
//!   describes (memory slower and arithmetic not: a neighbour's memory traffic): the
//!   largest |change| of the controls becomes a margin added to every threshold
//!   ([`super::compare::Comparison::widen`]); only a change beyond what the machine itself
//!   did is attributed to the code.
//!
//! The assessed controls are [`ASSESSED`] (those of the gate subset); a `sealbench run`
//! file has memcpy at every size too, shown with the controls but not assessed: small
//! copies are a few nanoseconds, and several sizes of one copy would outvote the
//! arithmetic.

use serde::Serialize;

use super::compare::Comparison;

/// The controls whose changes are assessed (when present on both sides; else every
/// control).
pub const ASSESSED: &[&str] = &["arith_1024", "memcpy_64", "memcpy_16384"];

/// Largest |change| of a control that still counts as a steady machine (fraction).
pub const STEADY: f64 = 0.03;
/// Largest spread between the controls' changes that is still one machine-wide shift
/// (fraction; or half the shift, whichever is larger).
pub const AGREE: f64 = 0.05;

/// What the controls showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MachineState {
    /// No control on both sides: a machine-wide shift cannot be told from a code change.
    Unknown,
    /// Every control within ±[`STEADY`].
    Steady,
    /// The controls agree on one shift; it was factored out.
    Shifted,
    /// The controls disagree: the machine state differs between the sides; their largest
    /// |change| was added to every threshold.
    Differs,
}

/// The controls' verdict on the machine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Controls {
    /// The state.
    pub state: MachineState,
    /// Median relative change of the assessed controls (0 when unknown).
    pub shift: f64,
    /// Largest |change| of the assessed controls: the margin added to every threshold when
    /// the machine state differs.
    pub margin: f64,
    /// Each control's id and relative change.
    pub changes: Vec<(String, f64)>,
}

impl Controls {
    /// Reads the controls of `cmp`.
    pub fn assess(cmp: &Comparison) -> Self {
        let assessed = cmp
            .controls
            .iter()
            .any(|r| ASSESSED.contains(&r.id.as_str()));
        let changes: Vec<(String, f64)> = cmp
            .controls
            .iter()
            .filter(|r| !assessed || ASSESSED.contains(&r.id.as_str()))
            .map(|r| (r.id.clone(), r.change.change))
            .collect();
        let mut v: Vec<f64> = changes.iter().map(|c| c.1).collect();
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            return Self {
                state: MachineState::Unknown,
                shift: 0.0,
                margin: 0.0,
                changes,
            };
        }
        let margin = v.iter().map(|c| c.abs()).fold(0.0, f64::max);
        let shift = crate::measure::stats::median(&v);
        let spread = v.last().copied().unwrap_or(0.0) - v.first().copied().unwrap_or(0.0);
        let state = if v.iter().all(|c| c.abs() <= STEADY) {
            MachineState::Steady
        } else if spread <= AGREE.max(shift.abs() / 2.0) {
            MachineState::Shifted
        } else {
            MachineState::Differs
        };
        Self {
            state,
            shift,
            margin,
            changes,
        }
    }

    /// Applies the assessment: factors a shift out of `cmp`, or widens every threshold by
    /// the margin when the machine state differs.
    pub fn apply(&self, cmp: &mut Comparison) {
        match self.state {
            MachineState::Shifted => cmp.factor_out(self.shift),
            MachineState::Differs => cmp.widen(self.margin),
            MachineState::Unknown | MachineState::Steady => {}
        }
    }

    /// One line for the report.
    pub fn describe(&self) -> String {
        let list = self
            .changes
            .iter()
            .map(|(id, c)| format!("`{id}` {:+.1}%", c * 100.0))
            .collect::<Vec<_>>()
            .join(", ");
        match self.state {
            MachineState::Unknown => "no control scenario (memcpy_*, arith_*) on both sides: \
                 a machine-wide shift cannot be told from a code change"
                .into(),
            MachineState::Steady => format!("machine steady: controls {list}"),
            MachineState::Shifted => format!(
                "machine-wide shift of {:+.1}% on the controls ({list}), factored out of every \
                 candidate value before the verdicts",
                self.shift * 100.0
            ),
            MachineState::Differs => format!(
                "machine state differs between the sides: the controls disagree ({list}); \
                 their largest change, {:.1}%, was added to every threshold, so only a change \
                 beyond what the machine itself did is attributed to the code",
                self.margin * 100.0
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::Metric;
    use crate::gate::compare::{Change, Row, Value, Verdict};

    fn row(id: &str, change: f64) -> Row {
        let v = Value {
            median: 100.0,
            low: 99.0,
            high: 101.0,
            samples: 11,
            runs: 1,
        };
        Row {
            id: id.into(),
            family: id.into(),
            size: 64,
            baseline: v,
            candidate: v.scaled(1.0 / (1.0 + change)),
            change: Change {
                change,
                low: change - 0.01,
                high: change + 0.01,
            },
            threshold: 0.1,
            threshold_source: "default small".into(),
            verdict: Verdict::Unchanged,
            impl_path: (None, None),
            confirmation: None,
            unadjusted: None,
        }
    }

    fn cmp(controls: &[f64], rows: Vec<Row>) -> Comparison {
        Comparison {
            metric: Metric::Wall,
            rows,
            missing_in_baseline: vec![],
            missing_in_candidate: vec![],
            not_comparable: vec![],
            machine_factor: 1.0,
            controls: controls
                .iter()
                .enumerate()
                .map(|(i, c)| row(&format!("memcpy_{i}"), *c))
                .collect(),
        }
    }

    #[test]
    fn steady_shifted_differs_unknown() {
        assert_eq!(
            Controls::assess(&cmp(&[], vec![])).state,
            MachineState::Unknown
        );
        assert_eq!(
            Controls::assess(&cmp(&[0.01, -0.02, 0.0], vec![])).state,
            MachineState::Steady
        );
        let c = Controls::assess(&cmp(&[0.30, 0.25, 0.33], vec![]));
        assert_eq!(c.state, MachineState::Shifted);
        assert!((c.shift - 0.30).abs() < 1e-12);
        let d = Controls::assess(&cmp(&[0.40, 0.0, 0.02], vec![]));
        assert_eq!(d.state, MachineState::Differs);
        assert!((d.margin - 0.40).abs() < 1e-12);
    }

    #[test]
    fn a_differing_machine_widens_every_threshold_by_the_margin() {
        let mut c = cmp(
            &[0.40, 0.0, 0.02],
            vec![row("a_64", 0.30), row("b_64", 1.0)],
        );
        for r in &mut c.rows {
            let (ch, v) = crate::gate::compare::decide(&r.baseline, &r.candidate, 0.1).unwrap();
            r.change = ch;
            r.verdict = v;
        }
        Controls::assess(&c).apply(&mut c);
        let v = |id: &str| c.rows.iter().find(|r| r.id == id).unwrap().clone();
        assert_eq!(
            v("a_64").verdict,
            Verdict::Unchanged,
            "+30% is within 10% + 40%"
        );
        assert_eq!(v("b_64").verdict, Verdict::Regression, "+100% is not");
        assert!((v("b_64").threshold - 0.5).abs() < 1e-12);
        assert!(v("b_64").threshold_source.contains("machine margin"));
    }

    #[test]
    fn a_shift_is_factored_out_of_the_candidate() {
        // Everything 30% slower, one scenario 30% × 1.5 slower.
        let mut c = cmp(
            &[0.30, 0.29, 0.31],
            vec![row("a_64", 0.30), row("b_64", 1.3 * 1.5 - 1.0)],
        );
        // Rows as compare() would decide them before the adjustment.
        for r in &mut c.rows {
            let (ch, v) = crate::gate::compare::decide(&r.baseline, &r.candidate, 0.1).unwrap();
            r.change = ch;
            r.verdict = v;
        }
        assert!(c.rows.iter().all(|r| r.verdict == Verdict::Regression));
        let controls = Controls::assess(&c);
        controls.apply(&mut c);
        let v = |id: &str| c.rows.iter().find(|r| r.id == id).unwrap().clone();
        assert_eq!(v("a_64").verdict, Verdict::Unchanged);
        assert!(v("a_64").change.change.abs() < 1e-9);
        assert!((v("a_64").unadjusted.unwrap().change - 0.30).abs() < 1e-9);
        assert_eq!(v("b_64").verdict, Verdict::Regression);
        assert!((v("b_64").change.change - 0.5).abs() < 1e-9);
        assert!(controls.describe().contains("+30.0%"));
    }
}
