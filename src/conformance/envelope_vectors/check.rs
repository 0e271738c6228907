//! Checking vectors: each vector on each backend gives one [`Outcome`].
//!
//! The receiver's opener is built from the vector's trust store on the backend, its clock
//! set to the vector's time, and the message opened `opens` times (all but the last must
//! succeed); the last result must be the expected one. A deterministic vector is also
//! re-sealed on the backend from its seal parameters and must come out byte for byte.
//! A backend that cannot do an algorithm the vector needs gives `Unsupported` with its
//! reason, never `Passed`.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::schema::{Class, Expected, SealSpec, Vector};
use crate::backend::{AeadId, Backend};
use crate::conformance::{Outcome, SuiteRecord};
use crate::envelope::keys::KeyEntry;
use crate::envelope::{EnvelopeError, ManualClock, MessageBuf, Opener, SealConfig, Sealer};

/// The outcome of one vector on one backend.
#[derive(Debug, Clone)]
pub struct CaseResult {
    /// The vector's name.
    pub vector: String,
    /// Golden or negative.
    pub class: Class,
    /// The backend's name.
    pub backend: &'static str,
    /// What happened.
    pub outcome: Outcome,
}

/// Outcomes of one backend.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BackendTally {
    /// Vectors that behaved as expected.
    pub passed: usize,
    /// Vectors with a wrong outcome.
    pub failed: usize,
    /// Vectors the backend could not run.
    pub unsupported: usize,
    /// Unsupported reason → number of vectors.
    pub unsupported_reasons: BTreeMap<String, usize>,
}

/// The outcomes of a check run.
#[derive(Debug, Clone)]
pub struct CheckReport {
    /// Number of vectors checked.
    pub vectors: usize,
    /// The backends, in the order they ran.
    pub backends: Vec<&'static str>,
    /// One result per vector × backend.
    pub results: Vec<CaseResult>,
}

impl CheckReport {
    /// Per-backend counts, in [`CheckReport::backends`] order.
    pub fn tallies(&self) -> Vec<(&'static str, BackendTally)> {
        self.backends
            .iter()
            .map(|&b| {
                let mut t = BackendTally::default();
                for r in self.results.iter().filter(|r| r.backend == b) {
                    match &r.outcome {
                        Outcome::Passed => t.passed += 1,
                        Outcome::Failed { .. } => t.failed += 1,
                        Outcome::Unsupported { reason } => {
                            t.unsupported += 1;
                            *t.unsupported_reasons.entry(reason.clone()).or_default() += 1;
                        }
                    }
                }
                (b, t)
            })
            .collect()
    }

    /// The results as conformance records of suite [`SUITE`]: one per backend × class
    /// (algorithm `golden` or `negative`), backends in [`CheckReport::backends`] order.
    pub fn suite_records(&self) -> Vec<SuiteRecord> {
        let mut out = Vec::new();
        for &b in &self.backends {
            for class in [Class::Golden, Class::Negative] {
                let mut rec = SuiteRecord::new(b, SUITE, class.label());
                for r in self
                    .results
                    .iter()
                    .filter(|r| r.backend == b && r.class == class)
                {
                    rec.add(&r.vector, &[], r.outcome.clone());
                }
                if rec.total() > 0 {
                    out.push(rec);
                }
            }
        }
        out
    }

    /// The results with a wrong outcome.
    pub fn failures(&self) -> impl Iterator<Item = &CaseResult> {
        self.results
            .iter()
            .filter(|r| matches!(r.outcome, Outcome::Failed { .. }))
    }
}

/// Suite name of the envelope vectors in conformance records (`sealbench kat`).
pub const SUITE: &str = "envelope-vectors";

/// Checks every vector on every backend.
pub fn check_vectors(vectors: &[Vector], backends: &[&'static Backend]) -> CheckReport {
    let mut results = Vec::with_capacity(vectors.len() * backends.len());
    for v in vectors {
        for &b in backends {
            results.push(CaseResult {
                vector: v.name.clone(),
                class: v.class,
                backend: b.name,
                outcome: check_vector(v, b),
            });
        }
    }
    CheckReport {
        vectors: vectors.len(),
        backends: backends.iter().map(|b| b.name).collect(),
        results,
    }
}

/// Checks one vector on one backend.
pub fn check_vector(v: &Vector, backend: &'static Backend) -> Outcome {
    let open = open_outcome(v, backend);
    let reseal = match (&v.seal, v.deterministic) {
        (Some(spec), true) => reseal_outcome(v, spec, backend),
        _ => Outcome::Passed,
    };
    match (open, reseal) {
        (f @ Outcome::Failed { .. }, _) | (_, f @ Outcome::Failed { .. }) => f,
        (u @ Outcome::Unsupported { .. }, _) | (_, u @ Outcome::Unsupported { .. }) => u,
        (Outcome::Passed, Outcome::Passed) => Outcome::Passed,
    }
}

fn open_outcome(v: &Vector, backend: &'static Backend) -> Outcome {
    let r = &v.receiver;
    let clock = Arc::new(ManualClock::new(r.time_s));
    let mut opener = match Opener::new(backend, &r.store, r.options.clone(), clock) {
        Ok(o) => o,
        Err(EnvelopeError::Unsupported(u)) => {
            return Outcome::unsupported(format!("receiver store: {u}"));
        }
        Err(e) => return Outcome::failed(format!("receiver store rejected: {e}")),
    };
    for i in 1..v.opens {
        match opener.open(&mut v.message.clone()) {
            Ok(_) => {}
            Err(EnvelopeError::Unsupported(u)) => return Outcome::unsupported(u.to_string()),
            Err(e) => {
                return Outcome::failed(format!(
                    "open {i} of {} must succeed, got {} ({e})",
                    v.opens,
                    e.kind()
                ));
            }
        }
    }
    let mut wire = v.message.clone();
    let result = opener.open(&mut wire);
    match (&v.expect, result) {
        (Expected::Error(kind), Err(e)) if e.kind() == kind => Outcome::Passed,
        (_, Err(EnvelopeError::Unsupported(u))) => Outcome::unsupported(u.to_string()),
        (Expected::Error(kind), Err(e)) => {
            Outcome::failed(format!("expected {kind}, got {} ({e})", e.kind()))
        }
        (Expected::Error(kind), Ok(_)) => {
            Outcome::failed(format!("expected {kind}, but the message opened"))
        }
        (Expected::Ok { .. }, Err(e)) => {
            Outcome::failed(format!("expected ok, got {} ({e})", e.kind()))
        }
        (Expected::Ok { mode, sender_kid }, Ok(opened)) => {
            let kid = opened
                .sender
                .and_then(|i| opener.sender(i))
                .map(|(kid, _)| kid.to_vec());
            if opened.payload != v.payload.as_slice() {
                Outcome::failed("opened, but the payload differs")
            } else if opened.method != v.method {
                Outcome::failed(format!("opened, but the method is {:?}", opened.method))
            } else if opened.mode != *mode {
                Outcome::failed(format!("opened, but as {}", opened.mode.label()))
            } else if kid != *sender_kid {
                Outcome::failed(format!(
                    "opened, but the sender is {:?}",
                    kid.map(|k| String::from_utf8_lossy(&k).into_owned())
                ))
            } else {
                Outcome::Passed
            }
        }
    }
}

/// The sealer `spec` describes, on `backend` (the vector generator and the re-seal check
/// build it the same way).
pub(super) fn sealer(backend: &Backend, spec: &SealSpec) -> Result<Sealer, EnvelopeError> {
    let recipients: Vec<&KeyEntry> = spec.recipients.iter().collect();
    let config = SealConfig {
        mode: spec.mode,
        sender: spec.sender.as_ref(),
        identity: spec.identity,
        recipients: &recipients,
        content: spec.content.unwrap_or(AeadId::Aes128Gcm),
        cek_reuse: 1,
    };
    let clock = Arc::new(ManualClock::new(spec.time_s));
    let mut sealer = Sealer::new(backend, &config, clock, Some(spec.seed))?;
    if let Some(audience) = &spec.audience {
        sealer = sealer.with_audience(audience)?;
    }
    if let Some(issuer) = &spec.issuer {
        sealer = sealer.with_issuer(issuer)?;
    }
    Ok(sealer)
}

/// Seals `payload` as `method` per `spec` on `backend`; returns the message.
pub(super) fn seal_with(
    backend: &Backend,
    spec: &SealSpec,
    payload: &[u8],
    method: &str,
) -> Result<Vec<u8>, EnvelopeError> {
    let mut s = sealer(backend, spec)?;
    let mut msg = MessageBuf::new();
    s.seal_payload(payload, method, &mut msg)?;
    Ok(msg.wire().to_vec())
}

fn reseal_outcome(v: &Vector, spec: &SealSpec, backend: &Backend) -> Outcome {
    let sealed = seal_with(backend, spec, &v.payload, &v.method);
    match sealed {
        Ok(bytes) if bytes == v.message => Outcome::Passed,
        Ok(bytes) => {
            let at = bytes
                .iter()
                .zip(&v.message)
                .position(|(a, b)| a != b)
                .unwrap_or(bytes.len().min(v.message.len()));
            Outcome::failed(format!(
                "re-sealed message differs from message_hex at byte {at} ({} vs {} bytes)",
                bytes.len(),
                v.message.len()
            ))
        }
        Err(EnvelopeError::Unsupported(u)) => Outcome::unsupported(format!("re-seal: {u}")),
        Err(e) => Outcome::failed(format!("re-seal failed: {e}")),
    }
}
