//! The vector model and its JSON form (written here, read strictly in `parse.rs`).
//!
//! Field names are documented in `vectors/README.md`; a change to them is a new
//! [`SCHEMA_VERSION`].

use std::collections::BTreeMap;

use serde::Serialize;

use super::error::VectorError;
use crate::backend::AeadId;
use crate::envelope::audience::Audience;
use crate::envelope::keys::{KeyAlg, KeyEntry, KeyMaterial, NodeId, TrustStore};
use crate::envelope::{Identity, Mode, OpenOptions};

/// Version of the file format; files of another version are malformed.
pub const SCHEMA_VERSION: u32 = 2;

/// Every [`EnvelopeError::kind`](crate::envelope::EnvelopeError::kind) a vector may expect.
pub const KNOWN_ERROR_KINDS: &[&str] = &[
    "malformed",
    "wrong-structure",
    "unknown-header",
    "critical-header",
    "not-protected",
    "header-order",
    "missing",
    "bad-header",
    "unknown-key",
    "wrong-algorithm",
    "wrong-key-type",
    "authentication",
    "expired",
    "from-future",
    "replayed",
    "replay-store",
    "wrong-audience",
    "reflected",
    "forbidden",
    "plain-refused",
    "key-exhausted",
    "unsupported",
    "key",
    "config",
    "too-large",
];

/// Whether a vector must open (golden) or must be rejected (negative).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// A well-formed message the receiver accepts.
    Golden,
    /// A message the receiver must reject for one specific reason.
    Negative,
}

impl Class {
    /// The label used in files and file names.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Golden => "golden",
            Self::Negative => "negative",
        }
    }
}

/// What opening the message (the last time, if it is opened more than once) must give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// The message opens: its payload and method are the vector's, with this mode and
    /// authenticated sender kid (`None` for an anonymous sender).
    Ok {
        /// The mode the opener reports.
        mode: Mode,
        /// The kid of the sender's trust-store entry.
        sender_kid: Option<Vec<u8>>,
    },
    /// The opener returns an error of this kind.
    Error(String),
}

/// How the sender sealed a golden message.
#[derive(Debug, Clone)]
pub struct SealSpec {
    /// Protection mode.
    pub mode: Mode,
    /// How a signing sender identifies itself.
    pub identity: Identity,
    /// Content AEAD of the hybrid modes.
    pub content: Option<AeadId>,
    /// Seed of the sealer's IV / `cti` / content-key generator.
    pub seed: u64,
    /// The sender's clock, seconds since the epoch.
    pub time_s: u64,
    /// The sender's key (with its private half).
    pub sender: Option<KeyEntry>,
    /// The recipients' public keys.
    pub recipients: Vec<KeyEntry>,
    /// The audience named with [`Sealer::with_audience`](crate::envelope::Sealer::with_audience);
    /// `None` keeps the sealer's default (the recipients' kids in hybrid modes, no
    /// audience otherwise).
    pub audience: Option<Audience>,
    /// The sending node's kid, named with
    /// [`Sealer::with_issuer`](crate::envelope::Sealer::with_issuer) (CWT `iss`).
    pub issuer: Option<Vec<u8>>,
}

/// The receiving node.
#[derive(Debug, Clone)]
pub struct Receiver {
    /// Its clock, seconds since the epoch.
    pub time_s: u64,
    /// Its opener options.
    pub options: OpenOptions,
    /// Its keys and role policy.
    pub store: TrustStore,
}

/// One vector.
#[derive(Debug, Clone)]
pub struct Vector {
    /// File stem.
    pub name: String,
    /// What the vector shows.
    pub description: String,
    /// Golden or negative.
    pub class: Class,
    /// The RPC method the message was sealed for.
    pub method: String,
    /// The payload the message was sealed with.
    pub payload: Vec<u8>,
    /// How the message was sealed (golden vectors).
    pub seal: Option<SealSpec>,
    /// Who opens it.
    pub receiver: Receiver,
    /// The message on the wire.
    pub message: Vec<u8>,
    /// Whether every backend must reproduce `message` from `seal` byte for byte.
    pub deterministic: bool,
    /// How often the receiver opens the message (2 for a replay); all but the last open
    /// must succeed.
    pub opens: u32,
    /// The outcome of the last open.
    pub expect: Expected,
}

#[derive(Serialize)]
struct VectorJson<'a> {
    schema_version: u32,
    name: &'a str,
    class: Class,
    description: &'a str,
    expect: ExpectJson,
    deterministic: bool,
    opens: u32,
    method: &'a str,
    payload_hex: String,
    message_hex: String,
    receiver: ReceiverJson<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seal: Option<SealJson>,
}

#[derive(Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
enum ExpectJson {
    Ok {
        mode: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        sender_kid: Option<String>,
    },
    Error {
        kind: String,
    },
}

#[derive(Serialize)]
struct ReceiverJson<'a> {
    time_s: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<NodeJson<'a>>,
    options: OptionsJson<'a>,
    policy: &'a BTreeMap<String, std::collections::BTreeSet<String>>,
    keys: Vec<KeyJson>,
}

#[derive(Serialize)]
struct NodeJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    kid: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kid_hex: Option<String>,
    role: &'a str,
}

#[derive(Serialize)]
struct OptionsJson<'a> {
    window_s: u64,
    future_skew_s: u64,
    learn_keys: bool,
    learned_role: &'a str,
    accept_plain_from_legacy: bool,
    accept_no_audience: bool,
    max_size: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
enum AudienceJson {
    Kids(Vec<String>),
    Role(String),
}

#[derive(Serialize)]
struct SealJson {
    mode: &'static str,
    identity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<&'static str>,
    seed: u64,
    time_s: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    sender: Option<KeyJson>,
    recipients: Vec<KeyJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    audience: Option<AudienceJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    issuer: Option<String>,
}

#[derive(Serialize)]
struct KeyJson {
    kid: String,
    role: String,
    alg: &'static str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    legacy: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    symmetric_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pkcs8_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    spki_hex: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cert_hex: Option<String>,
}

/// A kid of a generated vector as a JSON string (generated kids are UTF-8).
fn utf8_kid(name: &str, kid: &[u8]) -> Result<String, VectorError> {
    String::from_utf8(kid.to_vec())
        .map_err(|_| VectorError::generate(name, "kids of generated vectors must be UTF-8"))
}

fn audience_json(name: &str, a: &Audience) -> Result<AudienceJson, VectorError> {
    Ok(match a {
        Audience::Kids(kids) => AudienceJson::Kids(
            kids.iter()
                .map(|k| utf8_kid(name, k))
                .collect::<Result<_, _>>()?,
        ),
        Audience::Role(role) => AudienceJson::Role(role.clone()),
    })
}

fn node_json(node: &NodeId) -> NodeJson<'_> {
    match std::str::from_utf8(&node.kid) {
        Ok(kid) => NodeJson {
            kid: Some(kid),
            kid_hex: None,
            role: &node.role,
        },
        Err(_) => NodeJson {
            kid: None,
            kid_hex: Some(hex::encode(&node.kid)),
            role: &node.role,
        },
    }
}

fn key_json(name: &str, e: &KeyEntry) -> Result<KeyJson, VectorError> {
    let kid = utf8_kid(name, &e.kid)?;
    let (symmetric_hex, pkcs8_hex, spki_hex) = match &e.material {
        KeyMaterial::Symmetric(k) => (Some(hex::encode(k.as_slice())), None, None),
        KeyMaterial::Private { pkcs8, spki } => (
            None,
            Some(hex::encode(pkcs8.as_slice())),
            Some(hex::encode(spki)),
        ),
        KeyMaterial::Public(spki) => (None, None, Some(hex::encode(spki))),
    };
    Ok(KeyJson {
        kid,
        role: e.role.clone(),
        alg: e.alg.name(),
        legacy: e.legacy,
        symmetric_hex,
        pkcs8_hex,
        spki_hex,
        cert_hex: e.cert.as_deref().map(hex::encode),
    })
}

fn keys_json(name: &str, entries: &[KeyEntry]) -> Result<Vec<KeyJson>, VectorError> {
    entries.iter().map(|e| key_json(name, e)).collect()
}

impl Vector {
    /// The vector as pretty-printed JSON with a trailing newline.
    pub fn to_json(&self) -> Result<String, VectorError> {
        let name = self.name.as_str();
        let expect = match &self.expect {
            Expected::Ok { mode, sender_kid } => ExpectJson::Ok {
                mode: mode.label(),
                sender_kid: sender_kid
                    .as_ref()
                    .map(|k| String::from_utf8_lossy(k).into_owned()),
            },
            Expected::Error(kind) => ExpectJson::Error { kind: kind.clone() },
        };
        let seal = match &self.seal {
            None => None,
            Some(s) => Some(SealJson {
                mode: s.mode.label(),
                identity: s.identity.label(),
                content: s.content.map(|c| KeyAlg::Aead(c).name()),
                seed: s.seed,
                time_s: s.time_s,
                sender: s.sender.as_ref().map(|e| key_json(name, e)).transpose()?,
                recipients: keys_json(name, &s.recipients)?,
                audience: s
                    .audience
                    .as_ref()
                    .map(|a| audience_json(name, a))
                    .transpose()?,
                issuer: s.issuer.as_deref().map(|k| utf8_kid(name, k)).transpose()?,
            }),
        };
        let r = &self.receiver;
        let doc = VectorJson {
            schema_version: SCHEMA_VERSION,
            name,
            class: self.class,
            description: &self.description,
            expect,
            deterministic: self.deterministic,
            opens: self.opens,
            method: &self.method,
            payload_hex: hex::encode(&self.payload),
            message_hex: hex::encode(&self.message),
            receiver: ReceiverJson {
                time_s: r.time_s,
                node: r.store.node.as_ref().map(node_json),
                options: OptionsJson {
                    window_s: r.options.window_s,
                    future_skew_s: r.options.future_skew_s,
                    learn_keys: r.options.learn_keys,
                    learned_role: &r.options.learned_role,
                    accept_plain_from_legacy: r.options.accept_plain_from_legacy,
                    accept_no_audience: r.options.accept_no_audience,
                    max_size: r.options.max_size,
                },
                policy: &r.store.policy.roles,
                keys: keys_json(name, &r.store.entries)?,
            },
            seal,
        };
        let mut text = serde_json::to_string_pretty(&doc)
            .map_err(|e| VectorError::generate(name, format!("serializing: {e}")))?;
        text.push('\n');
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{Error, Unsupported};
    use crate::cose::cbor::CborError;
    use crate::envelope::EnvelopeError;

    /// One value of every variant: the list above must be exactly their kinds.
    #[test]
    fn known_kinds_are_exactly_the_error_kinds() {
        let all = [
            EnvelopeError::Malformed(CborError::Trailing(1)),
            EnvelopeError::WrongStructure(""),
            EnvelopeError::UnknownHeader(0),
            EnvelopeError::CriticalHeader,
            EnvelopeError::NotProtected(1),
            EnvelopeError::HeaderOrder,
            EnvelopeError::Missing(""),
            EnvelopeError::BadHeader(""),
            EnvelopeError::UnknownKey,
            EnvelopeError::WrongAlgorithm,
            EnvelopeError::WrongKeyType,
            EnvelopeError::Authentication,
            EnvelopeError::Expired {
                age_s: 0,
                window_s: 0,
            },
            EnvelopeError::FromFuture {
                ahead_s: 0,
                window_s: 0,
            },
            EnvelopeError::Replayed,
            EnvelopeError::ReplayStore(String::new()),
            EnvelopeError::WrongAudience,
            EnvelopeError::Reflected,
            EnvelopeError::Forbidden {
                role: String::new(),
                method: String::new(),
            },
            EnvelopeError::PlainRefused,
            EnvelopeError::KeyExhausted,
            EnvelopeError::Unsupported(Unsupported("")),
            EnvelopeError::Key(Error::BadLength("")),
            EnvelopeError::Config(""),
            EnvelopeError::TooLarge(""),
        ];
        let kinds: Vec<&str> = all.iter().map(EnvelopeError::kind).collect();
        assert_eq!(kinds, KNOWN_ERROR_KINDS);
    }
}
