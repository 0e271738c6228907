//! The decision section, from `sealbench decide --json` (`crate::decide::Decision`).
//!
//! Only the fields the report shows are read, and unknown fields are ignored, so the file
//! may grow. The chart puts every backend's strategies on one axis: the share of messages
//! encrypted. With a share `s` encrypted and the rest MACed, signed or left plain, the
//! cores needed are `s × seal-all + (1 − s) × rest-all` (messages encrypted are assumed to
//! be drawn like the average message); the profile's own split (its confidential classes'
//! share of the message rate) is marked where the `seal-sensitive+…` strategies sit.

use serde::Deserialize;

use super::ReportError;
use super::document::{Block, Figure, Section};
use super::input::ReportInput;
use super::plots::{LinePlot, Plot, Point, Series, tick};
use super::speed::figure_name_plain;
use super::tables::{Table, num};

/// A decision file (the fields of `sealbench decide --json` the report reads).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Decision {
    /// The traffic profile.
    pub profile: DecisionProfile,
    /// Every backend × strategy.
    #[serde(default)]
    pub rows: Vec<DecisionRow>,
    /// What to deploy.
    pub recommendation: Recommendation,
}

/// The profile's name, budget and classes.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct DecisionProfile {
    /// Short name.
    pub name: String,
    /// The budget.
    pub budget: Budget,
    /// Traffic classes.
    #[serde(default)]
    pub classes: Vec<TrafficClass>,
}

/// The resources message security may use.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
pub struct Budget {
    /// CPU cores.
    pub cores: f64,
    /// Added latency per message (seal + open), µs.
    #[serde(default)]
    pub added_latency_us: Option<f64>,
}

/// One traffic class: its rate and sensitivity.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct TrafficClass {
    /// Name.
    pub name: String,
    /// Messages per second.
    pub rate_per_s: f64,
    /// `confidential`, `integrity` or `public`.
    pub sensitivity: String,
}

/// One strategy on one backend.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct DecisionRow {
    /// Backend.
    pub backend: String,
    /// Strategy label (`seal-all`, `seal-sensitive+mac-rest`, ...).
    pub strategy: String,
    /// Whether it meets every class's protection requirement.
    pub meets_requirements: bool,
    /// The costs, if it could be priced.
    #[serde(default)]
    pub costs: Option<RowCosts>,
    /// Why it could not be priced.
    #[serde(default)]
    pub unavailable: Option<String>,
}

/// A strategy's totals.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
pub struct RowCosts {
    /// CPU cores.
    pub cores: f64,
    /// Worst p50 added latency, µs.
    pub latency_p50_us: f64,
    /// Worst p99 added latency, µs.
    pub latency_p99_us: f64,
    /// Envelope bytes added per second.
    #[serde(default)]
    pub added_bytes_per_s: Option<f64>,
    /// Within the CPU and latency budgets.
    pub fits_budget: bool,
}

/// What to deploy and why.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Recommendation {
    /// Strategy label; `None` if nothing fits.
    #[serde(default)]
    pub strategy: Option<String>,
    /// Backend.
    #[serde(default)]
    pub backend: Option<String>,
    /// Reasons, in reading order.
    #[serde(default)]
    pub reasons: Vec<String>,
}

/// "Encrypt a share, do this with the rest": (legend, strategy priced for the rest).
const REST: &[(&str, &str)] = &[
    ("rest plain", "plain"),
    ("rest MACed", "mac-all"),
    ("rest signed", "sign-all"),
];

impl Decision {
    /// Cores of `strategy` on `backend`, if priced.
    pub fn cores(&self, backend: &str, strategy: &str) -> Option<f64> {
        self.rows
            .iter()
            .find(|r| r.backend == backend && r.strategy == strategy)
            .and_then(|r| r.costs.map(|c| c.cores))
    }

    /// Share of the message rate in confidential classes, if the profile has traffic.
    pub fn confidential_share(&self) -> Option<f64> {
        let total: f64 = self.profile.classes.iter().map(|c| c.rate_per_s).sum();
        let conf: f64 = self
            .profile
            .classes
            .iter()
            .filter(|c| c.sensitivity == "confidential")
            .map(|c| c.rate_per_s)
            .sum();
        (total > 0.0).then(|| conf / total)
    }

    /// Backends in row order.
    pub fn backends(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for r in &self.rows {
            if !out.contains(&r.backend.as_str()) {
                out.push(&r.backend);
            }
        }
        out
    }
}

fn chart(d: &Decision, backend: &str) -> Option<LinePlot> {
    let all = d.cores(backend, "seal-all")?;
    let mut series: Vec<Series> = REST
        .iter()
        .enumerate()
        .filter_map(|(i, (legend, rest))| {
            let rest = d.cores(backend, rest)?;
            Some(Series {
                name: format!("encrypt share, {legend}"),
                colour: i,
                dashed: false,
                points: [(0.0, rest), (100.0, all)]
                    .map(|(x, y)| Point { x, y, band: None })
                    .to_vec(),
            })
        })
        .collect();
    if let Some(share) = d.confidential_share() {
        for (i, strategy) in ["seal-sensitive+mac-rest", "seal-sensitive+sign-rest"]
            .iter()
            .enumerate()
        {
            if let Some(y) = d.cores(backend, strategy) {
                series.push(Series {
                    name: format!("{strategy} (this profile)"),
                    colour: REST.len() + i,
                    dashed: false,
                    points: vec![Point {
                        x: share * 100.0,
                        y,
                        band: None,
                    }],
                });
            }
        }
    }
    (!series.is_empty()).then(|| LinePlot {
        title: format!("CPU cores needed vs share of messages encrypted ({backend})"),
        x_label: "messages encrypted (% of message rate)".into(),
        y_label: "CPU cores needed".into(),
        x_log: false,
        y_log: false,
        series,
        hline: Some((
            d.profile.budget.cores,
            format!("budget ({} cores)", tick(d.profile.budget.cores)),
        )),
    })
}

fn table(d: &Decision) -> Table {
    let mut t = Table::new(
        "Strategies per backend",
        &[
            "Backend",
            "Strategy",
            "Requirements",
            "Cores",
            "p50 µs",
            "p99 µs",
            "Added B/s",
            "Fits budget",
        ],
    );
    for r in &d.rows {
        let met = if r.meets_requirements {
            "met"
        } else {
            "NOT MET"
        };
        let mut row = vec![r.backend.clone(), r.strategy.clone(), met.to_string()];
        match &r.costs {
            Some(c) => row.extend([
                num(c.cores),
                num(c.latency_p50_us),
                num(c.latency_p99_us),
                c.added_bytes_per_s.map_or("n/a".into(), num),
                if c.fits_budget { "yes" } else { "no" }.to_string(),
            ]),
            None => {
                row.extend(["–", "–", "–", "–"].map(String::from));
                row.push(r.unavailable.clone().unwrap_or_else(|| "not priced".into()));
            }
        }
        t.push(row);
    }
    t
}

/// The decision section.
pub fn section(input: &ReportInput) -> Result<Section, ReportError> {
    let mut sec = Section::new("decision", "Decision");
    let Some(d) = &input.decision else {
        sec.not_measured(
            "Decision not measured: pass `--decision FILE` (from `sealbench decide --json`).",
        );
        return Ok(sec);
    };
    let b = &d.profile.budget;
    sec.text(format!(
        "Profile `{}`: budget {} cores{}.",
        d.profile.name,
        num(b.cores),
        b.added_latency_us.map_or(String::new(), |l| format!(
            ", {} µs added latency per message",
            num(l)
        ))
    ));
    let rec = &d.recommendation;
    sec.text(match (&rec.strategy, &rec.backend) {
        (Some(s), Some(be)) => format!("Recommendation: {s} on {be}. {}", rec.reasons.join(" ")),
        _ => format!("Recommendation: none fits. {}", rec.reasons.join(" ")),
    });
    for backend in d.backends() {
        if let Some(plot) = chart(d, backend) {
            let name = figure_name_plain(&format!("decision-{backend}"));
            sec.blocks
                .push(Block::Figure(Figure::render(&name, &Plot::Line(plot))?));
        }
    }
    if d.rows.is_empty() {
        sec.not_measured("The decision file has no strategy rows.");
    } else {
        sec.blocks.push(Block::Table(table(d)));
    }
    Ok(sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{
      "profile": {"name": "p", "provenance": "x", "budget": {"cores": 2.0, "added_latency_us": 50.0},
                  "classes": [{"name": "a", "rate_per_s": 300.0, "sensitivity": "confidential"},
                              {"name": "b", "rate_per_s": 100.0, "sensitivity": "integrity"}]},
      "results": {"run": 0}, "algorithms": {},
      "rows": [
        {"backend": "ring", "strategy": "mac-all", "meets_requirements": false,
         "costs": {"cores": 0.5, "latency_p50_us": 3, "latency_p99_us": 9, "fits_budget": true}},
        {"backend": "ring", "strategy": "seal-all", "meets_requirements": true,
         "costs": {"cores": 1.5, "latency_p50_us": 4, "latency_p99_us": 12, "added_bytes_per_s": 9000, "fits_budget": true}},
        {"backend": "ring", "strategy": "hybrid-all", "meets_requirements": true, "costs": null,
         "unavailable": "no encrypt scenarios"}],
      "break_even": [],
      "recommendation": {"strategy": "seal-all", "backend": "ring", "reasons": ["fits"]}
    }"#;

    #[test]
    fn reads_decide_json_and_places_the_profile_split() {
        let d: Decision = serde_json::from_str(JSON).unwrap();
        assert_eq!(d.confidential_share(), Some(0.75));
        assert_eq!(d.cores("ring", "seal-all"), Some(1.5));
        assert_eq!(d.cores("ring", "hybrid-all"), None);
        let plot = chart(&d, "ring").unwrap();
        assert_eq!(
            plot.series.len(),
            1,
            "only mac-all is priced among the rests"
        );
        let t = table(&d);
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[2][7], "no encrypt scenarios");
    }
}
