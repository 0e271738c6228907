//! Verdicts from executed attacks: each (scheme, delivery) is deployed once per process with
//! the scenarios harness ([`crate::scenarios::keyscope`]) and its attacks executed; the
//! results are cached, so every strategy and backend reads the same executions.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;

use super::error::DecideError;
use super::profile::{Class, Delivery, Profile};
use super::strategy::{Attack, Scheme, required};
use crate::scenarios::Outcome;
use crate::scenarios::keyscope::{self, Verdicts};
use crate::scenarios::tls;

type Cache = Mutex<HashMap<(Scheme, bool), Arc<Verdicts>>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The executed attacks on `scheme` for a unicast or broadcast class (cached).
pub fn verdicts(scheme: Scheme, broadcast: bool) -> Result<Arc<Verdicts>, DecideError> {
    let key = (scheme, broadcast);
    if let Some(v) = cache().lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(v.clone());
    }
    let v = Arc::new(keyscope::run_anywhere(scheme, broadcast).map_err(|e| {
        DecideError::Deployment {
            scheme: scheme.label(),
            message: e.to_string(),
        }
    })?);
    cache()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, v.clone());
    Ok(v)
}

/// A required attack that succeeded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Broken {
    /// The attack.
    pub attack: Attack,
    /// What was executed.
    pub executed: &'static str,
    /// What happened.
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// One class under one scheme: what it must withstand and what it did.
#[derive(Debug, Clone, Serialize)]
pub struct ClassVerdict {
    /// The class.
    pub class: String,
    /// The scheme.
    #[serde(flatten)]
    pub scheme: Scheme,
    /// The attacks the class must withstand (threat model and class shape).
    pub required: Vec<Attack>,
    /// Required attacks that were executed and refused.
    pub withstands: Vec<Attack>,
    /// Required attacks that succeeded.
    pub broken_by: Vec<Broken>,
    /// Where the verdicts were executed (backend; algorithms).
    pub executed_on: String,
}

impl ClassVerdict {
    /// No required attack succeeded.
    pub fn meets(&self) -> bool {
        self.broken_by.is_empty()
    }
}

/// The executed attacks on `scheme` inside mutual TLS to the broker (`tls`), judged with
/// the broker in or out of the trusted base (cached).
pub fn channel_verdicts(
    scheme: Scheme,
    broadcast: bool,
    broker_trusted: bool,
) -> Result<Arc<Verdicts>, DecideError> {
    type TlsCache = Mutex<HashMap<(Scheme, bool, bool), Arc<Verdicts>>>;
    static CACHE: OnceLock<TlsCache> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let key = (scheme, broadcast, broker_trusted);
    if let Some(v) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(v.clone());
    }
    let inner = if scheme == Scheme::PLAIN {
        None
    } else {
        Some(verdicts(scheme, broadcast)?)
    };
    let v = Arc::new(
        tls::channel_verdicts(inner.as_deref(), broadcast, broker_trusted).map_err(|e| {
            DecideError::Deployment {
                scheme: format!("tls+{}", scheme.label()),
                message: e.to_string(),
            }
        })?,
    );
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(key, v.clone());
    Ok(v)
}

/// Judges `class` under `scheme` by the executed attacks.
pub fn judge(
    profile: &Profile,
    class: &Class,
    scheme: Scheme,
) -> Result<ClassVerdict, DecideError> {
    let v = verdicts(scheme, class.delivery == Delivery::Broadcast)?;
    Ok(judge_by(profile, class, scheme, &v))
}

/// Judges `class` under `scheme` carried over mutual TLS to the broker.
pub fn judge_tls(
    profile: &Profile,
    class: &Class,
    scheme: Scheme,
) -> Result<ClassVerdict, DecideError> {
    let broadcast = class.delivery == Delivery::Broadcast;
    let v = channel_verdicts(scheme, broadcast, profile.broker_trusted)?;
    Ok(judge_by(profile, class, scheme, &v))
}

fn judge_by(profile: &Profile, class: &Class, scheme: Scheme, v: &Verdicts) -> ClassVerdict {
    let required = required(class, profile);
    let mut withstands = Vec::new();
    let mut broken_by = Vec::new();
    for &attack in &required {
        let Some(r) = v.get(attack) else { continue };
        match &r.outcome {
            Some(o) if o.succeeded() => broken_by.push(Broken {
                attack,
                executed: r.executed,
                outcome: o.clone(),
            }),
            Some(_) => withstands.push(attack),
            None => {}
        }
    }
    ClassVerdict {
        class: class.name.clone(),
        scheme,
        required,
        withstands,
        broken_by,
        executed_on: format!("{}; {}", v.backend, v.algorithms),
    }
}

/// Every class under every scheme: `[class][scheme]` in [`Scheme::ALL`] order.
pub fn judge_all(profile: &Profile) -> Result<Vec<Vec<ClassVerdict>>, DecideError> {
    profile
        .classes
        .iter()
        .map(|c| Scheme::ALL.iter().map(|&s| judge(profile, c, s)).collect())
        .collect()
}
