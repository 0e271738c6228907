//! The traffic profile: strict TOML parsing and validation (format in the module docs of
//! [`super`] and in `docs/DECIDE.md`).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::error::ProfileError;
use super::sizes::{RawSizes, SizeDistribution};

/// A deployment's message traffic and what it may spend on protecting it.
#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    /// Short name.
    pub name: String,
    /// What the deployment is.
    pub description: Option<String>,
    /// Where the rates and sizes come from.
    pub provenance: String,
    /// Who the attacker is.
    pub threat: Threat,
    /// Whether the message broker is in the trusted base (default: no). Untrusted, the
    /// broker (or whoever owns it) counts among the outsiders a `tls-only` strategy must
    /// withstand: TLS ends at the broker.
    pub broker_trusted: bool,
    /// The connections messages travel on (prices the `tls` strategies).
    pub transport: Transport,
    /// Nodes per role.
    pub roles: BTreeMap<String, u32>,
    /// What the deployment may spend.
    pub budget: Budget,
    /// The traffic classes, in file order.
    pub classes: Vec<Class>,
}

/// The connections between nodes and the broker (`[transport]`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Transport {
    /// Messages one TLS connection carries before it is re-established (one full
    /// handshake per connection); `None`: long-lived connections, handshakes not priced.
    pub messages_per_connection: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTransport {
    messages_per_connection: Option<Spanned<u32>>,
}

/// Who the attacker is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Threat {
    /// Outsiders and any compromised node (the default, and the strictest).
    #[default]
    CompromisedPeer,
    /// Outsiders on the network only; every node is trusted.
    Network,
}

impl Threat {
    /// Label for tables.
    pub const fn label(self) -> &'static str {
        match self {
            Self::CompromisedPeer => "compromised-peer",
            Self::Network => "network",
        }
    }
}

/// The resources message security may use.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Budget {
    /// CPU cores, in total across the deployment, for sealing and opening.
    pub cores: f64,
    /// Allowed added latency per message (seal + open), microseconds; compared with the
    /// p50 and p99 messages.
    pub added_latency_us: f64,
    /// Nodes the cores are spread over, if stated (to show cores per node).
    pub nodes: Option<u32>,
    /// CPU cores message security may use on any one node (the busiest node of each role).
    pub cores_per_node: Option<f64>,
    /// Most secret keys any one node may hold (each is provisioned, rotated and revoked).
    pub max_secrets_per_node: Option<u32>,
}

/// One kind of message.
#[derive(Debug, Clone, Serialize)]
pub struct Class {
    /// Name, unique in the profile.
    pub name: String,
    /// Messages sent per second (a broadcast counts once), by all senders together.
    pub rate_per_s: f64,
    /// The role whose nodes send this class.
    pub sender_role: String,
    /// The role whose nodes receive it.
    pub receiver_role: String,
    /// What protection the class needs.
    pub sensitivity: Sensitivity,
    /// One receiver or many.
    pub delivery: Delivery,
    /// Receivers per message (1 for unicast).
    pub fanout: u32,
    /// Payload sizes.
    pub sizes: SizeDistribution,
    /// This class's own allowed added latency per message, µs, if it differs from
    /// `[budget] added_latency_us` (a 2 MB catalog is not an interactive command).
    pub added_latency_us: Option<f64>,
}

impl Class {
    /// The class's latency budget: its own, or the profile's.
    pub fn latency_budget_us(&self, budget: &Budget) -> f64 {
        self.added_latency_us.unwrap_or(budget.added_latency_us)
    }
}

/// What a class needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sensitivity {
    /// Must be encrypted and authenticated (it carries secrets: tokens, passwords,
    /// personal data; and a forged one does harm).
    Confidential,
    /// Must be authenticated (a forged or altered message does harm), may be readable.
    Integrity,
    /// Needs nothing.
    Public,
}

/// How a message reaches its receivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    /// One receiver.
    Unicast,
    /// One message to `fanout` receivers.
    Broadcast,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: Spanned<String>,
    description: Option<String>,
    provenance: Spanned<String>,
    #[serde(default)]
    threat: Threat,
    #[serde(default)]
    broker_trusted: bool,
    transport: Option<RawTransport>,
    roles: Spanned<BTreeMap<String, Spanned<u32>>>,
    budget: RawBudget,
    class: Spanned<Vec<RawClass>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBudget {
    cores: Spanned<f64>,
    added_latency_us: Spanned<f64>,
    nodes: Option<Spanned<u32>>,
    cores_per_node: Option<Spanned<f64>>,
    max_secrets_per_node: Option<Spanned<u32>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClass {
    name: Spanned<String>,
    rate_per_s: Spanned<f64>,
    sender_role: Spanned<String>,
    receiver_role: Spanned<String>,
    sensitivity: Sensitivity,
    delivery: Delivery,
    fanout: Option<Spanned<u32>>,
    sizes: Spanned<RawSizes>,
    added_latency_us: Option<Spanned<f64>>,
}

/// Parses text into spans, then checks each value, naming the file, line and field.
struct Checker<'a> {
    path: &'a Path,
    text: &'a str,
    roles: BTreeMap<String, u32>,
}

impl Checker<'_> {
    fn error(&self, span: Option<Range<usize>>, field: &str, message: String) -> ProfileError {
        let (line, column) = span.map(|s| position(self.text, s.start)).unzip();
        ProfileError::Invalid {
            path: self.path.to_path_buf(),
            line,
            column,
            field: Some(field.to_string()),
            message,
        }
    }

    fn positive(&self, v: &Spanned<f64>, field: &str) -> Result<f64, ProfileError> {
        let x = *v.get_ref();
        if x.is_finite() && x > 0.0 {
            Ok(x)
        } else {
            Err(self.error(
                Some(v.span()),
                field,
                format!("must be a positive number (got {x})"),
            ))
        }
    }

    fn nonempty(&self, v: Spanned<String>, field: &str) -> Result<String, ProfileError> {
        if v.get_ref().trim().is_empty() {
            return Err(self.error(Some(v.span()), field, "must not be empty".into()));
        }
        Ok(v.into_inner())
    }

    fn role(&self, v: Spanned<String>, class: &str, field: &str) -> Result<String, ProfileError> {
        if self.roles.contains_key(v.get_ref()) {
            return Ok(v.into_inner());
        }
        let known: Vec<&str> = self.roles.keys().map(String::as_str).collect();
        let msg = format!(
            "class \"{class}\": role \"{}\" is not in [roles] ({})",
            v.get_ref(),
            known.join(", ")
        );
        Err(self.error(Some(v.span()), field, msg))
    }

    fn class(&self, raw: RawClass) -> Result<Class, ProfileError> {
        let name = self.nonempty(raw.name, "class.name")?;
        let rate_per_s = self.positive(&raw.rate_per_s, "class.rate_per_s")?;
        let sender_role = self.role(raw.sender_role, &name, "class.sender_role")?;
        let receiver_role = self.role(raw.receiver_role, &name, "class.receiver_role")?;
        let receivers = self.roles.get(&receiver_role).copied().unwrap_or(0);
        let fanout = match (raw.delivery, raw.fanout) {
            (Delivery::Unicast, None) => 1,
            (Delivery::Unicast, Some(f)) => {
                let msg = format!("class \"{name}\": fanout is only for delivery = \"broadcast\"");
                return Err(self.error(Some(f.span()), "class.fanout", msg));
            }
            (Delivery::Broadcast, Some(f)) if *f.get_ref() > receivers => {
                let msg = format!(
                    "class \"{name}\": fanout {} exceeds the {receivers} node(s) of role \"{receiver_role}\"",
                    f.get_ref()
                );
                return Err(self.error(Some(f.span()), "class.fanout", msg));
            }
            (Delivery::Broadcast, Some(f)) if *f.get_ref() >= 1 => *f.get_ref(),
            (Delivery::Broadcast, Some(f)) => {
                let msg = format!("class \"{name}\": fanout must be at least 1");
                return Err(self.error(Some(f.span()), "class.fanout", msg));
            }
            (Delivery::Broadcast, None) => {
                let msg = format!(
                    "class \"{name}\": a broadcast class needs fanout (receivers per message)"
                );
                return Err(self.error(Some(raw.sizes.span()), "class.fanout", msg));
            }
        };
        let sizes_span = raw.sizes.span();
        let sizes = raw
            .sizes
            .into_inner()
            .into_distribution()
            .map_err(|(msg, span)| {
                let msg = format!("class \"{name}\": {msg}");
                self.error(Some(span.unwrap_or(sizes_span)), "class.sizes", msg)
            })?;
        let added_latency_us = raw
            .added_latency_us
            .map(|v| self.positive(&v, "class.added_latency_us"))
            .transpose()?;
        Ok(Class {
            name,
            rate_per_s,
            sender_role,
            receiver_role,
            sensitivity: raw.sensitivity,
            delivery: raw.delivery,
            fanout,
            sizes,
            added_latency_us,
        })
    }
}

impl Profile {
    /// Reads and checks a profile file.
    pub fn load(path: &Path) -> Result<Self, ProfileError> {
        let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Checks profile text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ProfileError> {
        let raw: RawProfile = toml::from_str(text).map_err(|e| syntax_error(&e, path, text))?;
        let mut check = Checker {
            path,
            text,
            roles: BTreeMap::new(),
        };
        let roles_span = raw.roles.span();
        for (role, count) in raw.roles.into_inner() {
            if role.trim().is_empty() || *count.get_ref() == 0 {
                let msg = format!("role \"{role}\" needs a name and at least 1 node");
                return Err(check.error(Some(count.span()), "roles", msg));
            }
            check.roles.insert(role, count.into_inner());
        }
        if check.roles.is_empty() {
            let msg = "[roles] names no role (role = node count)".to_string();
            return Err(check.error(Some(roles_span), "roles", msg));
        }
        let budget = Budget {
            cores: check.positive(&raw.budget.cores, "budget.cores")?,
            added_latency_us: check
                .positive(&raw.budget.added_latency_us, "budget.added_latency_us")?,
            nodes: match raw.budget.nodes {
                Some(n) if *n.get_ref() == 0 => {
                    return Err(check.error(
                        Some(n.span()),
                        "budget.nodes",
                        "must be at least 1".into(),
                    ));
                }
                n => n.map(Spanned::into_inner),
            },
            cores_per_node: raw
                .budget
                .cores_per_node
                .map(|c| check.positive(&c, "budget.cores_per_node"))
                .transpose()?,
            max_secrets_per_node: match raw.budget.max_secrets_per_node {
                Some(n) if *n.get_ref() == 0 => {
                    return Err(check.error(
                        Some(n.span()),
                        "budget.max_secrets_per_node",
                        "must be at least 1".into(),
                    ));
                }
                n => n.map(Spanned::into_inner),
            },
        };
        let class_span = raw.class.span();
        if raw.class.get_ref().is_empty() {
            return Err(check.error(
                Some(class_span),
                "class",
                "the profile has no [[class]]".into(),
            ));
        }
        let mut lines: BTreeMap<String, usize> = BTreeMap::new();
        let mut classes = Vec::new();
        for raw_class in raw.class.into_inner() {
            let name_span = raw_class.name.span();
            let class = check.class(raw_class)?;
            let line = position(text, name_span.start).0;
            if let Some(first) = lines.insert(class.name.clone(), line) {
                let msg = format!(
                    "duplicate class name \"{}\" (first on line {first})",
                    class.name
                );
                return Err(check.error(Some(name_span), "class.name", msg));
            }
            classes.push(class);
        }
        Ok(Self {
            name: check.nonempty(raw.name, "name")?,
            description: raw.description,
            provenance: check.nonempty(raw.provenance, "provenance")?,
            threat: raw.threat,
            broker_trusted: raw.broker_trusted,
            transport: match raw.transport {
                None => Transport::default(),
                Some(t) => match t.messages_per_connection {
                    Some(n) if *n.get_ref() == 0 => {
                        return Err(check.error(
                            Some(n.span()),
                            "transport.messages_per_connection",
                            "must be at least 1".into(),
                        ));
                    }
                    n => Transport {
                        messages_per_connection: n.map(Spanned::into_inner),
                    },
                },
            },
            roles: check.roles,
            budget,
            classes,
        })
    }

    /// Nodes of `role` (0 if the profile does not name it).
    pub fn nodes_of(&self, role: &str) -> u32 {
        self.roles.get(role).copied().unwrap_or(0)
    }

    /// Messages sent per second, all classes.
    pub fn total_rate(&self) -> f64 {
        self.classes.iter().map(|c| c.rate_per_s).sum()
    }
}

/// A TOML or serde error with its line and the dotted field it concerns.
fn syntax_error(e: &toml::de::Error, path: &Path, text: &str) -> ProfileError {
    let (line, column) = e.span().map(|s| position(text, s.start)).unzip();
    ProfileError::Invalid {
        path: path.to_path_buf(),
        line,
        column,
        field: field_of(e),
        message: e.message().to_string(),
    }
}

/// The dotted path of the field an error concerns. The toml crate records the keys it
/// was inside and prints them as "in `a.b`" when it has no input to quote, and serde names
/// an unknown or missing field in its message.
fn field_of(e: &toml::de::Error) -> Option<String> {
    let mut bare = e.clone();
    bare.set_input(None);
    let shown = bare.to_string();
    let parent = shown
        .lines()
        .find_map(|l| l.strip_prefix("in `").and_then(|l| l.strip_suffix('`')))
        .map(str::to_string);
    let named = ["unknown field `", "missing field `"]
        .iter()
        .find_map(|p| e.message().strip_prefix(p))
        .and_then(|rest| rest.split('`').next())
        .map(str::to_string);
    match (parent, named) {
        (Some(p), Some(n)) => Some(format!("{p}.{n}")),
        (p, n) => p.or(n),
    }
}

/// 1-based line and column of a byte offset.
pub(super) fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}
