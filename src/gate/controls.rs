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
//!   describes: no regression can be attributed to the code (file comparisons cap their
//!   verdicts at "suspected"; `--strict` refuses the comparison).

use serde::Serialize;

use super::compare::Comparison;

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
    /// The controls disagree: the machine state differs between the sides.
    Differs,
}

/// The controls' verdict on the machine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Controls {
    /// The state.
    pub state: MachineState,
    /// Median relative change of the controls (0 when unknown).
    pub shift: f64,
    /// Each control's id and relative change.
    pub changes: Vec<(String, f64)>,
}

impl Controls {
    /// Reads the controls of `cmp`.
    pub fn assess(cmp: &Comparison) -> Self {
        let changes: Vec<(String, f64)> = cmp
            .controls
            .iter()
            .map(|r| (r.id.clone(), r.change.change))
            .collect();
        let mut v: Vec<f64> = changes.iter().map(|c| c.1).collect();
        v.sort_by(f64::total_cmp);
        if v.is_empty() {
            return Self {
                state: MachineState::Unknown,
                shift: 0.0,
                changes,
            };
        }
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
            changes,
        }
    }

    /// Applies the assessment: factors a shift out of `cmp`.
    pub fn apply(&self, cmp: &mut Comparison) {
        if self.state == MachineState::Shifted {
            cmp.factor_out(self.shift);
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
                "machine state differs between the sides: the controls disagree ({list}); no \
                 regression can be attributed to the code"
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
        assert_eq!(
            Controls::assess(&cmp(&[0.40, 0.0, 0.02], vec![])).state,
            MachineState::Differs
        );
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
