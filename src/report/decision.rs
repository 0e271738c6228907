//! The decision appendix, from `sealbench decide --json` (`crate::decide::Decision`), one
//! per traffic profile.
//!
//! Only the fields the report shows are read, and unknown fields are ignored, so the file
//! may grow. Strategies are (mode, key scope) per class, judged by executed attacks: the
//! recommendation lists each class's mode, key scope, CPU with its 95% interval and the
//! attacks it withstood; each rejected strategy is listed with the attack that broke it.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::ReportError;
use super::document::{Block, Section};
use super::input::ReportInput;
use super::tables::{Table, num};

/// A decision file (the fields of `sealbench decide --json` the report reads).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Decision {
    /// The traffic profile.
    pub profile: DecisionProfile,
    /// Which results the decision was priced from.
    #[serde(default)]
    pub results: Option<ResultsUsed>,
    /// The algorithms the strategies were priced with (`aead`, `sign`, `mac`, ...).
    #[serde(default)]
    pub algorithms: BTreeMap<String, serde_json::Value>,
    /// Every backend × strategy.
    #[serde(default)]
    pub rows: Vec<DecisionRow>,
    /// Where the recommended strategy stops fitting the CPU budget, per backend.
    #[serde(default)]
    pub break_even: Vec<BreakEven>,
    /// Caveats on the numbers (quick or noisy runs).
    #[serde(default)]
    pub warnings: Vec<String>,
    /// What to deploy.
    pub recommendation: Recommendation,
}

/// The profile: name, threat, roles, budget and classes.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct DecisionProfile {
    /// Short name.
    pub name: String,
    /// What the deployment is.
    #[serde(default)]
    pub description: Option<String>,
    /// Where the rates and sizes come from.
    #[serde(default)]
    pub provenance: String,
    /// Who the attacker is (`compromised-peer`, `network`).
    #[serde(default)]
    pub threat: Option<String>,
    /// Nodes per role.
    #[serde(default)]
    pub roles: BTreeMap<String, u64>,
    /// The budget.
    pub budget: Budget,
    /// Traffic classes.
    #[serde(default)]
    pub classes: Vec<TrafficClass>,
}

/// The resources message security may use.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
pub struct Budget {
    /// CPU cores, all nodes.
    pub cores: f64,
    /// Added latency per message (seal + open), µs.
    #[serde(default)]
    pub added_latency_us: Option<f64>,
    /// Nodes, if stated.
    #[serde(default)]
    pub nodes: Option<u64>,
    /// Cores any one node may use, if stated.
    #[serde(default)]
    pub cores_per_node: Option<f64>,
    /// Secret keys any one node may hold, if stated.
    #[serde(default)]
    pub max_secrets_per_node: Option<u64>,
}

/// One traffic class.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct TrafficClass {
    /// Name.
    pub name: String,
    /// Messages per second (a broadcast counts once).
    pub rate_per_s: f64,
    /// Who sends it.
    #[serde(default)]
    pub sender_role: Option<String>,
    /// Who receives it.
    #[serde(default)]
    pub receiver_role: Option<String>,
    /// `confidential`, `integrity` or `public`.
    pub sensitivity: String,
    /// `unicast` or `broadcast`.
    #[serde(default)]
    pub delivery: Option<String>,
    /// Receivers per message.
    #[serde(default)]
    pub fanout: Option<u64>,
    /// Payload sizes.
    #[serde(default)]
    pub sizes: Option<Sizes>,
}

/// A class's payload sizes.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Sizes {
    /// `[bytes, weight]` pairs.
    #[serde(default)]
    pub points: Vec<(f64, f64)>,
    /// Median size, bytes.
    pub p50: u64,
    /// 99th percentile size, bytes.
    pub p99: u64,
}

/// Which results were used.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ResultsUsed {
    /// Run index in the file.
    #[serde(default)]
    pub run: usize,
    /// The run's host.
    #[serde(default)]
    pub host: Option<String>,
    /// `quick`, `default` or `precise`.
    #[serde(default)]
    pub measurement_profile: String,
    /// Backends evaluated.
    #[serde(default)]
    pub backends: Vec<String>,
}

/// One strategy on one backend.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct DecisionRow {
    /// Backend.
    pub backend: String,
    /// Strategy label (`seal-all/pairwise`, `cheapest-mix`, ...).
    pub strategy: String,
    /// Every class withstands every attack it must.
    pub meets_requirements: bool,
    /// The costs, if it could be priced.
    #[serde(default)]
    pub costs: Option<RowCosts>,
    /// Why it could not be priced.
    #[serde(default)]
    pub unavailable: Option<String>,
}

/// A strategy's totals.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct RowCosts {
    /// CPU cores (median timings).
    pub cores: f64,
    /// Low end of the 95% interval.
    #[serde(default)]
    pub cores_low: Option<f64>,
    /// High end of the 95% interval.
    #[serde(default)]
    pub cores_high: Option<f64>,
    /// Worst p50 added latency, µs.
    pub latency_p50_us: f64,
    /// Worst added latency at the p99 size (median timings), µs.
    pub latency_p99_us: f64,
    /// Envelope bytes added per second.
    #[serde(default)]
    pub added_bytes_per_s: Option<f64>,
    /// The busiest node.
    #[serde(default)]
    pub busiest: Option<RoleLoad>,
    /// Keys, all classes.
    #[serde(default)]
    pub keys: Option<u64>,
    /// Most secret keys one node holds.
    #[serde(default)]
    pub max_secrets_per_node: Option<u64>,
    /// Within every budget.
    pub fits_budget: bool,
    /// Within the CPU budget (absent in older files).
    #[serde(default)]
    pub fits_cpu: Option<bool>,
    /// Busiest node within the per-node budget.
    #[serde(default)]
    pub fits_node_cpu: Option<bool>,
    /// Within the latency budget.
    #[serde(default)]
    pub fits_latency: Option<bool>,
    /// Within the secrets-per-node budget.
    #[serde(default)]
    pub fits_secrets: Option<bool>,
    /// Per-class latencies (absent in older files).
    #[serde(default)]
    pub classes: Vec<ClassLatency>,
}

/// One class's added latency against its own budget.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct ClassLatency {
    /// Class name.
    pub class: String,
    /// Added latency at the p99 size (median timings), µs.
    pub latency_p99_us: f64,
    /// The class's latency budget, µs (its own, or the profile's).
    #[serde(default)]
    pub latency_budget_us: Option<f64>,
}

impl RowCosts {
    /// The class nearest its latency budget: (class, µs at p99 size, budget µs).
    pub fn tightest_latency(&self) -> Option<(&str, f64, f64)> {
        self.classes
            .iter()
            .filter_map(|c| {
                c.latency_budget_us
                    .map(|b| (c.class.as_str(), c.latency_p99_us, b))
            })
            .max_by(|a, b| (a.1 / a.2).total_cmp(&(b.1 / b.2)))
    }
}

impl RowCosts {
    /// The budgets it misses (`CPU`, `node CPU`, `latency`, `secrets`), empty if it fits.
    pub fn misses(&self) -> Vec<&'static str> {
        let checks = [
            (self.fits_cpu, "CPU"),
            (self.fits_node_cpu, "node CPU"),
            (self.fits_latency, "latency"),
            (self.fits_secrets, "secrets"),
        ];
        let mut out: Vec<&str> = checks
            .iter()
            .filter(|(fits, _)| *fits == Some(false))
            .map(|(_, what)| *what)
            .collect();
        if out.is_empty() && !self.fits_budget {
            out.push("budget");
        }
        out
    }
}

/// One role's busiest node.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct RoleLoad {
    /// Role.
    pub role: String,
    /// CPU on one node, cores.
    pub cores_per_node: f64,
}

/// Where a strategy stops fitting the CPU budget on one backend.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct BreakEven {
    /// Backend.
    pub backend: String,
    /// Strategy.
    pub strategy: String,
    /// Its CPU at the profile's rates.
    pub cores: f64,
    /// The factor on every rate at which it uses the whole CPU budget.
    #[serde(default)]
    pub rate_multiplier: Option<f64>,
    /// Messages per second at that factor.
    #[serde(default)]
    pub msgs_per_s: Option<f64>,
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
    /// Per class: mode, key scope, CPU, attacks withstood.
    #[serde(default)]
    pub classes: Vec<RecommendedClass>,
    /// Reasons, in reading order.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// Strategies whose CPU interval overlaps the recommendation's.
    #[serde(default)]
    pub ties: Vec<String>,
    /// Strategies ruled out by executed attacks.
    #[serde(default)]
    pub rejected: Vec<Rejected>,
}

/// One class of the recommendation.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct RecommendedClass {
    /// Class.
    pub class: String,
    /// Envelope mode.
    pub mode: String,
    /// Key scope (`group`, `pairwise`, `per-sender`, `hybrid`, `none`).
    pub key_scope: String,
    /// CPU, cores.
    pub cores: f64,
    /// Low end of the 95% interval.
    #[serde(default)]
    pub cores_low: Option<f64>,
    /// High end of the 95% interval.
    #[serde(default)]
    pub cores_high: Option<f64>,
    /// Attacks withstood.
    #[serde(default)]
    pub withstands: Vec<String>,
}

/// A strategy ruled out by executed attacks.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Rejected {
    /// Strategy.
    pub strategy: String,
    /// The classes it leaves open.
    #[serde(default)]
    pub broken: Vec<RejectedClass>,
}

/// One class a rejected strategy leaves open.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct RejectedClass {
    /// Class.
    pub class: String,
    /// Mode under the strategy.
    pub mode: String,
    /// Key scope under the strategy.
    pub key_scope: String,
    /// The attacks that succeeded, the reported one first.
    #[serde(default)]
    pub attacks: Vec<BrokenAttack>,
}

/// A required attack that succeeded.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct BrokenAttack {
    /// Attack id (`receiver-forges`, ...).
    pub attack: String,
    /// What was executed.
    #[serde(default)]
    pub executed: String,
    /// `accepted`, `exposed` or `rejected`.
    #[serde(default)]
    pub outcome: String,
    /// Who the receiver took the sender for.
    #[serde(default)]
    pub sender: Option<String>,
    /// The role it gave that sender.
    #[serde(default)]
    pub role: Option<String>,
    /// The error kind of a failed open.
    #[serde(default)]
    pub kind: Option<String>,
}

impl BrokenAttack {
    /// What happened, worded as `sealbench decide` prints it.
    pub fn result(&self) -> String {
        match (self.outcome.as_str(), &self.sender, &self.role, &self.kind) {
            ("accepted", Some(s), Some(r), _) => format!("accepted as {s} ({r})"),
            ("exposed", _, _, Some(k)) => format!("read: payload in clear (open: {k})"),
            ("rejected", _, _, Some(k)) => format!("rejected: {k}"),
            (o, _, _, _) => o.to_string(),
        }
    }
}

impl Decision {
    /// The row of `strategy` on `backend`.
    pub fn row(&self, backend: &str, strategy: &str) -> Option<&DecisionRow> {
        self.rows
            .iter()
            .find(|r| r.backend == backend && r.strategy == strategy)
    }

    /// The recommended strategy's row.
    pub fn recommended_row(&self) -> Option<&DecisionRow> {
        let r = &self.recommendation;
        self.row(r.backend.as_deref()?, r.strategy.as_deref()?)
    }

    /// Messages per second, all classes.
    pub fn total_rate(&self) -> f64 {
        self.profile.classes.iter().map(|c| c.rate_per_s).sum()
    }

    /// The p50 and p99 payload size over every message of the profile (each class's
    /// size distribution weighted by its message rate), bytes.
    pub fn message_percentiles(&self) -> Option<(f64, f64)> {
        let mut mix: Vec<(f64, f64)> = Vec::new();
        for c in &self.profile.classes {
            let Some(sizes) = &c.sizes else { continue };
            let points = if sizes.points.is_empty() {
                vec![(sizes.p50 as f64, 0.5), (sizes.p99 as f64, 0.5)]
            } else {
                sizes.points.clone()
            };
            let total: f64 = points.iter().map(|p| p.1).sum();
            if total <= 0.0 {
                continue;
            }
            mix.extend(points.iter().map(|&(b, w)| (b, c.rate_per_s * w / total)));
        }
        mix.sort_by(|a, b| a.0.total_cmp(&b.0));
        let total: f64 = mix.iter().map(|p| p.1).sum();
        if total <= 0.0 {
            return None;
        }
        let at = |q: f64| {
            let mut acc = 0.0;
            for &(b, w) in &mix {
                acc += w;
                if acc >= q * total - 1e-12 {
                    return b;
                }
            }
            mix.last().map_or(0.0, |p| p.0)
        };
        Some((at(0.50), at(0.99)))
    }

    /// The break-even of the recommendation (its backend), if any.
    pub fn recommended_break_even(&self) -> Option<&BreakEven> {
        let r = &self.recommendation;
        self.break_even.iter().find(|b| {
            Some(b.backend.as_str()) == r.backend.as_deref()
                && Some(b.strategy.as_str()) == r.strategy.as_deref()
        })
    }

    /// The threat model's label (`compromised-peer` when the file does not say).
    pub fn threat(&self) -> &str {
        self.profile.threat.as_deref().unwrap_or("compromised-peer")
    }
}

/// `cores [low–high]` with three significant figures.
pub fn cores_with_ci(cores: f64, low: Option<f64>, high: Option<f64>) -> String {
    match (low, high) {
        (Some(l), Some(h)) => format!("{} [{}–{}]", num(cores), num(l), num(h)),
        _ => num(cores),
    }
}

/// `mode/key scope` of each class, grouped: `encrypt0/pairwise: a, b; sign1/per-sender: c`.
pub fn schemes_by_class(rec: &Recommendation) -> String {
    let mut groups: Vec<(String, Vec<&str>)> = Vec::new();
    for c in &rec.classes {
        let scheme = format!("{}/{}", c.mode, c.key_scope);
        match groups.iter_mut().find(|g| g.0 == scheme) {
            Some(g) => g.1.push(&c.class),
            None => groups.push((scheme, vec![&c.class])),
        }
    }
    groups
        .iter()
        .map(|(s, cs)| format!("{s} ({})", cs.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

fn classes_table(d: &Decision) -> Table {
    let mut t = Table::new(
        "Recommended protection per class",
        &[
            "Class",
            "Sensitivity",
            "Delivery",
            "Mode",
            "Key scope",
            "Cores [95% CI]",
            "Withstands (executed attacks)",
        ],
    );
    for c in &d.recommendation.classes {
        let class = d.profile.classes.iter().find(|p| p.name == c.class);
        let delivery = class.map_or(String::new(), |p| match (p.delivery.as_deref(), p.fanout) {
            (Some("broadcast"), Some(n)) => format!("broadcast to {n}"),
            (Some(d), _) => d.to_string(),
            _ => String::new(),
        });
        t.push(vec![
            c.class.clone(),
            class.map_or(String::new(), |p| p.sensitivity.clone()),
            delivery,
            c.mode.clone(),
            c.key_scope.clone(),
            cores_with_ci(c.cores, c.cores_low, c.cores_high),
            if c.withstands.is_empty() {
                "none required".to_string()
            } else {
                c.withstands.join(", ")
            },
        ]);
    }
    t
}

fn rejected_table(d: &Decision) -> Table {
    let mut t = Table::new(
        "Rejected strategies: the executed attack that broke each",
        &[
            "Strategy",
            "Class",
            "As",
            "Attack",
            "Executed",
            "Result",
            "Every class broken (first attack)",
        ],
    );
    for r in &d.recommendation.rejected {
        let Some(c) = r.broken.first() else { continue };
        let a = c.attacks.first();
        t.push(vec![
            r.strategy.clone(),
            c.class.clone(),
            format!("{}/{}", c.mode, c.key_scope),
            a.map_or(String::new(), |a| a.attack.clone()),
            a.map_or(String::new(), |a| a.executed.clone()),
            a.map_or(String::new(), BrokenAttack::result),
            r.broken
                .iter()
                .map(|b| {
                    let attack = b.attacks.first().map_or("?", |a| a.attack.as_str());
                    format!("{}: {attack}", b.class)
                })
                .collect::<Vec<_>>()
                .join("; "),
        ]);
    }
    t
}

fn break_even_table(d: &Decision) -> Table {
    let mut t = Table::new(
        format!(
            "Break-even: the factor on every rate at which the strategy uses the whole budget of {} cores",
            num(d.profile.budget.cores)
        ),
        &[
            "Backend",
            "Strategy",
            "Cores",
            "Rate multiplier",
            "Messages/s",
        ],
    );
    for b in &d.break_even {
        t.push(vec![
            b.backend.clone(),
            b.strategy.clone(),
            num(b.cores),
            b.rate_multiplier
                .map_or("–".into(), |m| format!("{}×", num(m))),
            b.msgs_per_s.map_or("–".into(), num),
        ]);
    }
    t
}

fn rows_table(d: &Decision) -> Table {
    let mut t = Table::new(
        "Every strategy on every backend",
        &[
            "Backend",
            "Strategy",
            "Attacks",
            "Cores [95% CI]",
            "Busiest node, cores",
            "p50 µs",
            "µs @p99 size",
            "Added B/s",
            "Keys",
            "Fits budget",
        ],
    );
    for r in &d.rows {
        let met = if r.meets_requirements {
            "withstood"
        } else {
            "BROKEN"
        };
        let mut row = vec![r.backend.clone(), r.strategy.clone(), met.to_string()];
        match &r.costs {
            Some(c) => row.extend([
                cores_with_ci(c.cores, c.cores_low, c.cores_high),
                c.busiest.as_ref().map_or("–".into(), |b| {
                    format!("{} ({})", num(b.cores_per_node), b.role)
                }),
                num(c.latency_p50_us),
                num(c.latency_p99_us),
                c.added_bytes_per_s.map_or("n/a".into(), num),
                c.keys.map_or("–".into(), |k| k.to_string()),
                if c.fits_budget { "yes" } else { "no" }.to_string(),
            ]),
            None => {
                row.extend(["–", "–", "–", "–", "–", "–"].map(String::from));
                row.push(r.unavailable.clone().unwrap_or_else(|| "not priced".into()));
            }
        }
        t.push(row);
    }
    t
}

/// One profile's appendix.
fn profile_blocks(path: &Path, d: &Decision, sec: &mut Section) {
    let p = &d.profile;
    sec.blocks
        .push(Block::Heading(format!("Profile {}", p.name)));
    let b = &p.budget;
    let mut budget = vec![format!("{} cores", num(b.cores))];
    if let Some(l) = b.added_latency_us {
        budget.push(format!("{} µs added latency per message", num(l)));
    }
    if let Some(n) = b.cores_per_node {
        budget.push(format!("{} cores per node", num(n)));
    }
    if let Some(n) = b.max_secrets_per_node {
        budget.push(format!("{n} secret keys per node"));
    }
    let roles: Vec<String> = p.roles.iter().map(|(r, n)| format!("{n} {r}")).collect();
    sec.text(format!(
        "{}Threat model `{}`; roles: {}; budget: {}. Decision file `{}`.",
        p.description
            .as_deref()
            .map_or(String::new(), |d| format!("{d}. ")),
        d.threat(),
        if roles.is_empty() {
            "not stated".to_string()
        } else {
            roles.join(", ")
        },
        budget.join(", "),
        path.display()
    ));
    let rec = &d.recommendation;
    sec.text(match (&rec.strategy, &rec.backend) {
        (Some(s), Some(be)) => format!("Recommendation: {s} on {be}."),
        _ => "Recommendation: none fits.".to_string(),
    });
    if !rec.reasons.is_empty() {
        sec.blocks.push(Block::Bullets(rec.reasons.clone()));
    }
    if !d.warnings.is_empty() {
        sec.blocks.push(Block::Bullets(
            d.warnings.iter().map(|w| format!("Warning: {w}")).collect(),
        ));
    }
    if !rec.classes.is_empty() {
        sec.blocks.push(Block::Table(classes_table(d)));
    }
    if !rec.rejected.is_empty() {
        sec.blocks.push(Block::Table(rejected_table(d)));
    }
    if !d.break_even.is_empty() {
        sec.blocks.push(Block::Table(break_even_table(d)));
    }
    if d.rows.is_empty() {
        sec.not_measured("The decision file has no strategy rows.");
    } else {
        sec.blocks.push(Block::Details(rows_table(d)));
    }
}

/// The decision appendix.
pub fn section(input: &ReportInput) -> Result<Section, ReportError> {
    let mut sec = Section::new("decision", "Decision details");
    if input.decisions.is_empty() {
        sec.not_measured(
            "Decision not measured: pass `--decision FILE` (from `sealbench decide --json`), once per traffic profile.",
        );
        return Ok(sec);
    }
    sec.text(
        "Per profile: the protection of each class (envelope mode and key scope), judged by \
         attacks executed against a small deployment (docs/DECIDE.md), and priced from the \
         results. Cores are median timings with the 95% confidence interval of the medians \
         carried through; \"µs @p99 size\" is the median time at the p99 payload size, not \
         a measured tail latency.",
    );
    for (path, d) in &input.decisions {
        profile_blocks(path, d, &mut sec);
    }
    Ok(sec)
}

#[cfg(test)]
mod tests {
    use super::*;

    const JSON: &str = r#"{
      "profile": {"name": "p", "provenance": "x", "threat": "compromised-peer",
                  "roles": {"a": 2, "b": 10},
                  "budget": {"cores": 2.0, "added_latency_us": 50.0},
                  "classes": [{"name": "c1", "rate_per_s": 300.0, "sensitivity": "confidential",
                               "sizes": {"points": [[100, 0.5], [1000, 0.5]], "p50": 100, "p99": 1000}},
                              {"name": "c2", "rate_per_s": 100.0, "sensitivity": "integrity",
                               "delivery": "broadcast", "fanout": 10,
                               "sizes": {"points": [[5000, 1.0]], "p50": 5000, "p99": 5000}}]},
      "rows": [
        {"backend": "ring", "strategy": "seal-all/group", "meets_requirements": false,
         "costs": {"cores": 0.5, "latency_p50_us": 3, "latency_p99_us": 9, "fits_budget": true}},
        {"backend": "ring", "strategy": "seal-all/pairwise", "meets_requirements": true,
         "costs": {"cores": 0.000312, "cores_low": 0.0003, "cores_high": 0.00033,
                   "latency_p50_us": 4, "latency_p99_us": 12, "fits_budget": true}}],
      "break_even": [{"backend": "ring", "strategy": "seal-all/pairwise", "cores": 0.000312,
                      "rate_multiplier": 6410.3, "msgs_per_s": 2564102}],
      "recommendation": {"strategy": "seal-all/pairwise", "backend": "ring", "reasons": ["fits"],
        "classes": [{"class": "c1", "mode": "encrypt0", "key_scope": "pairwise", "cores": 0.0002,
                     "cores_low": 0.00019, "cores_high": 0.00021, "withstands": ["peer-reads"]},
                    {"class": "c2", "mode": "sign1", "key_scope": "per-sender", "cores": 0.000112,
                     "withstands": ["receiver-forges"]}],
        "rejected": [{"strategy": "seal-all/group", "broken": [{"class": "c2", "mode": "encrypt0",
          "key_scope": "group", "attacks": [{"attack": "receiver-forges", "executed": "r1 forges",
          "outcome": "accepted", "sender": "group", "role": "sender"}]}]}]}
    }"#;

    #[test]
    fn reads_decide_json_with_key_scopes_and_rejections() {
        let d: Decision = serde_json::from_str(JSON).unwrap();
        assert_eq!(d.recommended_row().unwrap().strategy, "seal-all/pairwise");
        assert_eq!(
            schemes_by_class(&d.recommendation),
            "encrypt0/pairwise (c1); sign1/per-sender (c2)"
        );
        // 300 msg/s at 100 or 1000 B, 100 msg/s at 5000 B: p50 1000 B, p99 5000 B.
        assert_eq!(d.message_percentiles(), Some((1000.0, 5000.0)));
        let t = classes_table(&d);
        assert_eq!(t.rows[0][5], "2.00e-4 [1.90e-4–2.10e-4]");
        assert_eq!(t.rows[1][2], "broadcast to 10");
        let r = rejected_table(&d);
        assert_eq!(r.rows[0][3], "receiver-forges");
        assert_eq!(r.rows[0][5], "accepted as group (sender)");
        assert_eq!(r.rows[0][6], "c2: receiver-forges");
        let b = break_even_table(&d);
        assert_eq!(b.rows[0][3], "6410×");
        let rows = rows_table(&d);
        assert_eq!(rows.rows[0][2], "BROKEN");
        assert_eq!(rows.rows[1][3], "3.12e-4 [3.00e-4–3.30e-4]");
    }
}
