//! What each class costs under each scheme on each backend, and a strategy's totals.
//!
//! Per class, with `n` receivers per message (`fanout`; 1 for unicast), `c` sealed copies
//! per message (`n` for a pairwise broadcast: one per receiver; otherwise 1) and `k`
//! recipients per copy (`n` for hybrid modes, otherwise 1):
//! - CPU, cores = `rate × E_size[c × seal(s, k) + n × open(s, k)] / 1e9`, with the 95%
//!   confidence interval of each median carried through (`cores_low`, `cores_high`);
//! - busiest node: a sender node seals `rate / senders` messages per second, a receiver
//!   node opens `rate × n / receivers` (traffic assumed spread evenly over a role's nodes);
//! - added latency = `c × seal(s) + open(s)` at the p50 and p99 payload sizes, from median
//!   timings (not a measured tail: the "p99" is the median time at the p99 size);
//! - bytes: every delivery carries the payload and the envelope (`n` deliveries per
//!   message: a broker fanning a broadcast out carries it `n` times);
//! - keys: group 1, pairwise senders × receivers, per-sender one key pair per sender (and
//!   per receiver for sign-encrypt), hybrid one key pair per receiver.

use std::collections::BTreeMap;

use serde::Serialize;

use super::attacks::ClassVerdict;
use super::bytes_f64;
use super::cost::{CostModel, Priced, Source};
use super::profile::{Class, Delivery, Profile};
use super::strategy::{Algorithms, KeyScope, Scheme, Strategy};
use crate::envelope::Mode;

/// One class under one scheme on one backend.
#[derive(Debug, Clone, Serialize)]
pub struct ClassCost {
    /// The class.
    pub class: String,
    /// Mode and key scope.
    #[serde(flatten)]
    pub scheme: Scheme,
    /// Mode and algorithms, e.g. `encrypt0(aes128gcm)`.
    pub protection: String,
    /// Sealed copies per message (receivers for a pairwise broadcast, else 1).
    pub copies: u32,
    /// Recipients per copy (hybrid modes; 1 otherwise).
    pub recipients: u32,
    /// CPU, cores, all nodes (from median timings).
    pub cores: f64,
    /// The same from the low ends of the medians' 95% confidence intervals.
    pub cores_low: f64,
    /// The same from the high ends.
    pub cores_high: f64,
    /// CPU on one node of the sender role, cores.
    pub sender_node_cores: f64,
    /// CPU on one node of the receiver role, cores.
    pub receiver_node_cores: f64,
    /// Seal + open at the class's p50 size, µs (median timings).
    pub latency_p50_us: f64,
    /// Seal + open at the class's p99 size, µs (median timings at that size, not a tail).
    pub latency_p99_us: f64,
    /// The class's latency budget (its own, or the profile's), µs.
    pub latency_budget_us: f64,
    /// Envelope bytes added per second over every delivery; `None` without overhead data.
    pub added_bytes_per_s: Option<f64>,
    /// Payload + envelope bytes per second the senders publish.
    pub published_bytes_per_s: Option<f64>,
    /// Keys the scope needs for the profile's node counts.
    pub keys: u64,
}

/// One role's busiest node under a strategy.
#[derive(Debug, Clone, Serialize)]
pub struct RoleLoad {
    /// The role.
    pub role: String,
    /// Its nodes.
    pub nodes: u32,
    /// CPU on one node, cores.
    pub cores_per_node: f64,
    /// Secret keys one node holds.
    pub secrets_per_node: u64,
}

/// The totals of one strategy on one backend.
#[derive(Debug, Clone, Serialize)]
pub struct Costs {
    /// CPU, cores, all classes and nodes.
    pub cores: f64,
    /// Low end of the 95% interval.
    pub cores_low: f64,
    /// High end of the 95% interval.
    pub cores_high: f64,
    /// `cores / nodes`, when the profile states nodes.
    pub cores_per_node: Option<f64>,
    /// Per role: the CPU and secrets of one node.
    pub roles: Vec<RoleLoad>,
    /// The node with the most CPU.
    pub busiest: Option<RoleLoad>,
    /// Worst class's p50 added latency, µs.
    pub latency_p50_us: f64,
    /// Worst class's added latency at its p99 size (median timings), µs.
    pub latency_p99_us: f64,
    /// Envelope bytes added per second over every delivery.
    pub added_bytes_per_s: Option<f64>,
    /// Keys, all classes.
    pub keys: u64,
    /// The most secret keys one node holds.
    pub max_secrets_per_node: u64,
    /// `cores ≤ budget.cores`.
    pub fits_cpu: bool,
    /// Busiest node within `budget.cores_per_node` (true when not stated).
    pub fits_node_cpu: bool,
    /// p50 and p99 latency within `budget.added_latency_us`.
    pub fits_latency: bool,
    /// Secrets per node within `budget.max_secrets_per_node` (true when not stated).
    pub fits_secrets: bool,
    /// All of them.
    pub fits_budget: bool,
    /// Per class.
    pub classes: Vec<ClassCost>,
}

/// One strategy on one backend.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Backend, as named in the results.
    pub backend: String,
    /// Strategy name.
    pub strategy: String,
    /// Found by search.
    pub searched: bool,
    /// Every class withstands every attack it must.
    pub meets_requirements: bool,
    /// Per class: the scheme and the executed attacks' verdicts.
    pub verdicts: Vec<ClassVerdict>,
    /// How the costs were obtained where it is not the plain reading of the results.
    pub notes: Vec<String>,
    /// The scenario families priced.
    pub priced_from: Vec<String>,
    /// Whether a family used was marked noisy.
    pub noisy: bool,
    /// The costs, if the results have what the strategy needs.
    pub costs: Option<Costs>,
    /// Why it could not be priced.
    pub unavailable: Option<String>,
}

impl Row {
    /// Priced, meets the requirements and fits the budget.
    pub fn acceptable(&self) -> bool {
        self.meets_requirements && self.costs.as_ref().is_some_and(|c| c.fits_budget)
    }
}

/// A class priced under a scheme, with what it took.
#[derive(Debug, Clone)]
pub struct PricedClass {
    /// The cost.
    pub cost: ClassCost,
    /// Notes on the pricing.
    pub notes: Vec<String>,
    /// The families used.
    pub families: Vec<String>,
    /// A family was noisy.
    pub noisy: bool,
    /// Group secrets one sender node / one receiver node holds (pairwise keys are counted
    /// per peer node across classes, key pairs per node).
    pub symmetric_secrets: (u64, u64),
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

/// Prices `class` under `scheme` on `backend`.
pub fn price_class(
    profile: &Profile,
    model: &CostModel<'_>,
    backend: &str,
    class: &Class,
    scheme: Scheme,
    algs: &Algorithms,
) -> Result<PricedClass, String> {
    let protection = algs.protection(scheme.mode);
    let p = model.price(backend, &protection)?;
    let n = class.fanout;
    let broadcast = class.delivery == Delivery::Broadcast;
    let copies = if broadcast && scheme.key_scope == KeyScope::Pairwise {
        n
    } else {
        1
    };
    let k = if scheme.mode.hybrid() { n } else { 1 };
    let mut notes = Vec::new();
    let mut families = p.families();
    // Sign-encrypt is measured with one recipient: each further recipient costs what it
    // costs in COSE_Encrypt with the same key transport.
    let extra: Option<Priced> = if scheme.mode == Mode::SignEncrypt && k > 1 {
        let enc = model.price(backend, &algs.protection(Mode::Encrypt))?;
        notes.push(format!(
            "class \"{}\": sign-encrypt to {k} recipients: the recipients beyond the first \
             priced from encrypt's measured recipient counts",
            class.name
        ));
        notes.extend(
            enc.recipients_note(k)
                .map(|n| format!("class \"{}\": {n}", class.name)),
        );
        families.extend(enc.families());
        Some(enc)
    } else {
        if let Some(note) = p.recipients_note(k).filter(|_| scheme.mode.hybrid()) {
            notes.push(format!("class \"{}\": {note}", class.name));
        }
        None
    };
    let seal = |s: u64| match &extra {
        Some(e) => p.seal_ns(s, 1) + e.seal_ns(s, k) - e.seal_ns(s, 1),
        None => p.seal_ns(s, k),
    };
    let open = |s: u64| match &extra {
        Some(e) => p.open_ns(s, 1) + e.open_ns(s, k) - e.open_ns(s, 1),
        None => p.open_ns(s, k),
    };
    let overhead = |s: u64| match &extra {
        Some(e) => {
            Some(p.overhead_bytes(s, 1)? + e.overhead_bytes(s, k)? - e.overhead_bytes(s, 1)?)
        }
        None => p.overhead_bytes(s, k),
    };
    if p.levels.iter().any(|l| l.seal.source == Source::Unmeasured) {
        notes.push("no plain-framing scenarios in the results: plain costed as zero".into());
    }
    let largest = class.sizes.points.last().map_or(0, |p| p.0);
    if let Some(m) = p.largest_measured().filter(|&m| bytes_f64(largest) > m) {
        notes.push(format!(
            "class \"{}\": sizes up to {largest} B extrapolated beyond the largest measured \
             size, {} B ({})",
            class.name,
            m,
            protection.describe()
        ));
    }
    let ((sl, sh), (ol, oh)) = p.ci();
    let (c, nf) = (f64::from(copies), f64::from(n));
    let per_msg = |sr: f64, or: f64| class.sizes.expect(|s| c * seal(s) * sr + nf * open(s) * or);
    let rate = class.rate_per_s;
    let latency_us = |s| (c * seal(s) + open(s)) / 1e3;
    let over: Option<f64> = class
        .sizes
        .points
        .iter()
        .map(|&(s, w)| overhead(s).map(|o| w * o))
        .sum();
    let published: Option<f64> = over.map(|o| rate * c * (o + class.sizes.mean()));
    let senders = f64::from(profile.nodes_of(&class.sender_role).max(1));
    let receivers = f64::from(profile.nodes_of(&class.receiver_role).max(1));
    let (ns, nr) = (
        u64::from(profile.nodes_of(&class.sender_role)),
        u64::from(profile.nodes_of(&class.receiver_role)),
    );
    let (keys, symmetric_secrets) = match (scheme.key_scope, scheme.mode) {
        (KeyScope::None, _) => (0, (0, 0)),
        (KeyScope::Group, _) => (1, (1, 1)),
        (KeyScope::Pairwise, _) => (ns * nr, (0, 0)),
        (KeyScope::PerSender, Mode::SignEncrypt) => (ns + nr, (0, 0)),
        (KeyScope::PerSender, _) => (ns, (0, 0)),
        (KeyScope::Hybrid, _) => (nr, (0, 0)),
    };
    let cost = ClassCost {
        class: class.name.clone(),
        scheme,
        protection: protection.describe(),
        copies,
        recipients: k,
        cores: rate * per_msg(1.0, 1.0) / 1e9,
        cores_low: rate * per_msg(sl, ol) / 1e9,
        cores_high: rate * per_msg(sh, oh) / 1e9,
        sender_node_cores: rate / senders * class.sizes.expect(|s| c * seal(s)) / 1e9,
        receiver_node_cores: rate * nf / receivers * class.sizes.expect(open) / 1e9,
        latency_p50_us: latency_us(class.sizes.p50),
        latency_p99_us: latency_us(class.sizes.p99),
        latency_budget_us: class.latency_budget_us(&profile.budget),
        added_bytes_per_s: over.map(|o| rate * nf * o),
        published_bytes_per_s: published,
        keys,
    };
    Ok(PricedClass {
        cost,
        notes,
        families,
        noisy: p.noisy() || extra.as_ref().is_some_and(Priced::noisy),
        symmetric_secrets,
    })
}

/// Assembles a strategy's row from its classes' prices and verdicts.
pub fn assemble(
    profile: &Profile,
    backend: &str,
    strategy: &Strategy,
    priced: &[Result<&PricedClass, String>],
    verdicts: Vec<ClassVerdict>,
) -> Row {
    let mut row = Row {
        backend: backend.to_string(),
        strategy: strategy.name.clone(),
        searched: strategy.searched,
        meets_requirements: verdicts.iter().all(ClassVerdict::meets),
        verdicts,
        notes: Vec::new(),
        priced_from: Vec::new(),
        noisy: false,
        costs: None,
        unavailable: None,
    };
    let mut classes = Vec::new();
    for p in priced {
        match p {
            Ok(p) => {
                for n in &p.notes {
                    push_unique(&mut row.notes, n.clone());
                }
                for f in &p.families {
                    push_unique(&mut row.priced_from, f.clone());
                }
                row.noisy |= p.noisy;
                classes.push(*p);
            }
            Err(reason) => {
                push_unique(&mut row.notes, reason.clone());
                row.unavailable.get_or_insert(reason.clone());
            }
        }
    }
    if row.unavailable.is_none() {
        row.costs = Some(totals(profile, &classes));
    }
    row
}

/// Per role: cores on one node and secrets it holds.
fn loads(profile: &Profile, classes: &[&PricedClass]) -> Vec<RoleLoad> {
    let mut cores: BTreeMap<&str, f64> = BTreeMap::new();
    let mut sym: BTreeMap<&str, u64> = BTreeMap::new();
    let mut pair: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
    // One pairwise key per peer node, whichever classes it serves.
    let mut peers: BTreeMap<&str, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for (class, p) in profile.classes.iter().zip(classes) {
        let (s, r) = (class.sender_role.as_str(), class.receiver_role.as_str());
        *cores.entry(s).or_default() += p.cost.sender_node_cores;
        *cores.entry(r).or_default() += p.cost.receiver_node_cores;
        *sym.entry(s).or_default() += p.symmetric_secrets.0;
        *sym.entry(r).or_default() += p.symmetric_secrets.1;
        let (mode, scope) = (p.cost.scheme.mode, p.cost.scheme.key_scope);
        // A node's own signing and decryption key pairs serve every class it is in.
        if scope == KeyScope::Pairwise {
            peers.entry(s).or_default().insert(r);
            peers.entry(r).or_default().insert(s);
        }
        if scope == KeyScope::PerSender {
            pair.entry(s).or_default().0 = true;
        }
        if mode.hybrid() {
            pair.entry(r).or_default().1 = true;
        }
    }
    profile
        .roles
        .iter()
        .map(|(role, &nodes)| {
            let (sign, dec) = pair.get(role.as_str()).copied().unwrap_or_default();
            RoleLoad {
                role: role.clone(),
                nodes,
                cores_per_node: cores.get(role.as_str()).copied().unwrap_or(0.0),
                secrets_per_node: sym.get(role.as_str()).copied().unwrap_or(0)
                    + peers.get(role.as_str()).map_or(0, |p| {
                        p.iter()
                            .map(|peer| u64::from(profile.nodes_of(peer)))
                            .sum::<u64>()
                    })
                    + u64::from(sign)
                    + u64::from(dec),
            }
        })
        .collect()
}

fn totals(profile: &Profile, classes: &[&PricedClass]) -> Costs {
    let budget = &profile.budget;
    let sum = |f: fn(&ClassCost) -> f64| classes.iter().map(|c| f(&c.cost)).sum::<f64>();
    let worst = |f: fn(&ClassCost) -> f64| classes.iter().map(|c| f(&c.cost)).fold(0.0, f64::max);
    let cores = sum(|c| c.cores);
    let latency_p50_us = worst(|c| c.latency_p50_us);
    let latency_p99_us = worst(|c| c.latency_p99_us);
    let roles = loads(profile, classes);
    let busiest = roles
        .iter()
        .max_by(|a, b| a.cores_per_node.total_cmp(&b.cores_per_node))
        .cloned();
    let max_secrets_per_node = roles.iter().map(|r| r.secrets_per_node).max().unwrap_or(0);
    let fits_cpu = cores <= budget.cores;
    let fits_node_cpu = budget
        .cores_per_node
        .is_none_or(|b| busiest.as_ref().is_none_or(|r| r.cores_per_node <= b));
    let fits_latency = classes.iter().all(|c| {
        c.cost.latency_p50_us <= c.cost.latency_budget_us
            && c.cost.latency_p99_us <= c.cost.latency_budget_us
    });
    let fits_secrets = budget
        .max_secrets_per_node
        .is_none_or(|m| max_secrets_per_node <= u64::from(m));
    Costs {
        cores,
        cores_low: sum(|c| c.cores_low),
        cores_high: sum(|c| c.cores_high),
        cores_per_node: budget.nodes.map(|n| cores / f64::from(n)),
        roles,
        busiest,
        latency_p50_us,
        latency_p99_us,
        added_bytes_per_s: classes.iter().map(|c| c.cost.added_bytes_per_s).sum(),
        keys: classes.iter().map(|c| c.cost.keys).sum(),
        max_secrets_per_node,
        fits_cpu,
        fits_node_cpu,
        fits_latency,
        fits_secrets,
        fits_budget: fits_cpu && fits_node_cpu && fits_latency && fits_secrets,
        classes: classes.iter().map(|c| c.cost.clone()).collect(),
    }
}

/// Where seal-all (group) stops fitting on one backend.
#[derive(Debug, Clone, Serialize)]
pub struct BreakEven {
    /// Backend.
    pub backend: String,
    /// The strategy the break-even is for.
    pub strategy: String,
    /// Its CPU at the profile's rates, cores.
    pub cores: f64,
    /// The factor on every class's rate at which it uses the whole CPU budget; `None` if
    /// it costs nothing measurable.
    pub rate_multiplier: Option<f64>,
    /// Messages sent per second, all classes, at that factor.
    pub msgs_per_s: Option<f64>,
}

/// The CPU break-even of `row` (CPU is linear in the rates).
pub fn break_even(profile: &Profile, row: &Row) -> Option<BreakEven> {
    let costs = row.costs.as_ref()?;
    let rate_multiplier = (costs.cores > 0.0).then(|| profile.budget.cores / costs.cores);
    Some(BreakEven {
        backend: row.backend.clone(),
        strategy: row.strategy.clone(),
        cores: costs.cores,
        rate_multiplier,
        msgs_per_s: rate_multiplier.map(|m| m * profile.total_rate()),
    })
}

/// `base` (a class priced under its scheme) carried over mutual TLS to the broker: every
/// message crosses two TLS hops, sender to broker and broker to each receiver (`1 + n`
/// hops for `n` receivers; the broker decrypts and re-encrypts). A hop costs one measured
/// send + receive on an established connection, plus a full handshake divided over the
/// profile's `messages_per_connection` (none when it is not stated: long-lived
/// connections); it is split evenly between its two ends for the per-node loads (the
/// broker's share is in the total only). Latency adds both hops' send + receive.
pub fn with_tls(
    profile: &Profile,
    class: &Class,
    base: &PricedClass,
    ch: &super::cost::ChannelPrice,
) -> PricedClass {
    let mpc = profile.transport.messages_per_connection.map(f64::from);
    let handshake = mpc.map_or(0.0, |m| ch.handshake_ns / m);
    let hop = |s: u64| ch.message.curve.at(bytes_f64(s)) + handshake;
    let hops = 1.0 + f64::from(class.fanout);
    let rate = class.rate_per_s;
    let per_msg = |r_msg: f64, r_hs: f64| {
        class
            .sizes
            .expect(|s| hops * (ch.message.curve.at(bytes_f64(s)) * r_msg + handshake * r_hs))
    };
    let (ml, mh) = ch.message.ci;
    let (hl, hh) = ch.handshake_ci;
    let senders = f64::from(profile.nodes_of(&class.sender_role).max(1));
    let receivers = f64::from(profile.nodes_of(&class.receiver_role).max(1));
    let mut p = base.clone();
    let c = &mut p.cost;
    c.cores += rate * per_msg(1.0, 1.0) / 1e9;
    c.cores_low += rate * per_msg(ml, hl) / 1e9;
    c.cores_high += rate * per_msg(mh, hh) / 1e9;
    c.sender_node_cores += rate / senders * class.sizes.expect(|s| hop(s) / 2.0) / 1e9;
    c.receiver_node_cores +=
        rate * f64::from(class.fanout) / receivers * class.sizes.expect(|s| hop(s) / 2.0) / 1e9;
    let two_hops = |s: u64| 2.0 * ch.message.curve.at(bytes_f64(s)) / 1e3;
    c.latency_p50_us += two_hops(class.sizes.p50);
    c.latency_p99_us += two_hops(class.sizes.p99);
    let record: Option<f64> = ch.overhead.as_ref().map(|o| {
        class.sizes.expect(|s| o.at(bytes_f64(s))) + mpc.map_or(0.0, |m| ch.handshake_bytes / m)
    });
    c.added_bytes_per_s = match (c.added_bytes_per_s, record) {
        (Some(a), Some(r)) => Some(a + rate * hops * r),
        _ => None,
    };
    c.protection = format!("tls13+{}", c.protection);
    p.families.push(format!("{} (channel)", ch.message.family));
    p.families.push(format!("{} (channel)", ch.handshake_id));
    p.noisy |= ch.message.noisy;
    p.notes
        .push(match profile.transport.messages_per_connection {
            Some(m) => format!(
                "tls: {} — two TLS hops per delivery (sender to broker, broker to each receiver), \
             a full handshake ({} µs) per {m} messages per connection",
                ch.stack,
                super::human(ch.handshake_ns / 1e3)
            ),
            None => format!(
                "tls: {} — two TLS hops per delivery; no [transport] messages_per_connection, so \
             connections are taken as long-lived and handshakes are not priced",
                ch.stack
            ),
        });
    p
}
