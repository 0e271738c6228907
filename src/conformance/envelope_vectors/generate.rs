//! `sealbench vectors generate`: fresh keys, one golden vector per mode × algorithm ×
//! identity option, and the negative vectors crafted from them.
//!
//! Keys come from [`fixtures::generate`] (the OS generator), so every regeneration
//! changes them; the sealers' IV / `cti` / content-key generator is seeded per vector
//! from the command's seed and the vector's name, so a vector's seed is stable. Every
//! vector is checked on the first backend that can run it before it is written: a
//! vector that does not behave as designed is an error, not a file.

use std::path::{Path, PathBuf};

use super::check::{check_vector, seal_with};
use super::error::VectorError;
use super::negative;
use super::schema::{Class, Expected, Receiver, SealSpec, Vector};
use crate::backend::{ALL_BACKENDS, AeadId, KeyAgreementId, SignatureId};
use crate::conformance::Outcome;
use crate::envelope::audience::Audience;
use crate::envelope::fixtures::{generate, public_only};
use crate::envelope::keys::{KeyAlg, KeyEntry, NodeId, Policy, TrustStore};
use crate::envelope::{EnvelopeError, Identity, Mode, OpenOptions};

/// The seed `sealbench vectors generate` uses unless given `--seed`.
pub const DEFAULT_SEED: u64 = 0x5ea1_0000_2025_1124;

/// The sender's clock in every vector (2025-11-24T16:00:00Z).
pub(super) const SEAL_TIME_S: u64 = 1_764_000_000;
/// The receiver's freshness window.
pub(super) const WINDOW_S: u64 = 300;
/// How far ahead of the receiver's clock `iat` may be (the opener's default).
pub(super) const FUTURE_SKEW_S: u64 = crate::envelope::open::DEFAULT_FUTURE_SKEW_S;
/// The method a sender-authenticated call uses (allowed for `scheduler`).
pub(super) const METHOD: &str = "boot_vm";
/// The method an anonymous (public-key encrypted) message uses (allowed for `anonymous`).
pub(super) const REPLY: &str = "reply";
/// The payload of every vector.
pub(super) const PAYLOAD: &[u8] =
    br#"{"instance":"vm-0042","flavor":"m1.small","image":"debian-13","admin_pass":"x9!Qe"}"#;
/// The receiving node of every vector (`[node] kid`), unless a vector says otherwise.
pub(super) const NODE: &str = "compute-1";
/// Another node of the same role (cross-node replay, forwarding).
pub(super) const OTHER_NODE: &str = "compute-2";
/// The receiving nodes' role.
pub(super) const NODE_ROLE: &str = "compute";
/// The sending node of every message (`iss`), unless a vector says otherwise.
pub(super) const ISSUER: &str = "scheduler-1";

/// Every key the vectors use. Three RSA keys in all (one PS256, two OAEP).
pub(super) struct KeySet {
    /// HMAC key `region-mac`, role scheduler.
    pub mac: KeyEntry,
    /// One AEAD key per [`AeadId::ALL`], role scheduler.
    pub aead: Vec<KeyEntry>,
    /// One signing key per [`SignatureId::ALL`], role scheduler, with a certificate.
    pub sign: Vec<KeyEntry>,
    /// RSA-OAEP-256 recipient keys of the nodes `compute-1` (the receiver) and
    /// `compute-2`, in that order, role compute; each registered under its node's kid.
    pub oaep: Vec<KeyEntry>,
    /// One ECDH-ES recipient key of `compute-1` per [`KeyAgreementId::ALL`], role compute.
    pub ecdh: Vec<KeyEntry>,
    /// The X25519 recipient key of `compute-2`.
    pub other_x25519: KeyEntry,
    /// A legacy peer's HMAC key (plain messages).
    pub legacy: KeyEntry,
    /// A compute node's HMAC key (role compute: may not call `boot_vm`).
    pub compute_mac: KeyEntry,
    /// The HMAC key `pair-c1` that the scheduler and `compute-1` alone share (role
    /// scheduler, as `compute-1` registers it).
    pub pair_mac: KeyEntry,
    /// `compute-1`'s own Ed25519 signing key (`compute-1-sign`): the receiver holds its
    /// private half.
    pub own_sign: KeyEntry,
    /// Another HMAC key under the kid `region-mac` (wrong key).
    pub other_mac: KeyEntry,
    /// Another Ed25519 key under the EdDSA signer's kid (wrong key).
    pub other_eddsa: KeyEntry,
    /// Another A128GCM key under the A128GCM kid (wrong key).
    pub other_aead: KeyEntry,
}

/// A file-name-safe label of a key algorithm (`ChaCha20/Poly1305` → `chacha20-poly1305`).
pub(super) fn slug(alg: KeyAlg) -> String {
    alg.name().to_ascii_lowercase().replace('/', "-")
}

fn key(alg: KeyAlg, kid: &str, role: &str) -> Result<KeyEntry, VectorError> {
    generate(alg, kid.as_bytes(), role).map_err(|e| VectorError::generate(kid, e))
}

impl KeySet {
    /// Generates every key.
    pub(super) fn generate() -> Result<Self, VectorError> {
        let by_alg = |alg: KeyAlg, prefix: &str, role: &str| {
            key(alg, &format!("{prefix}-{}", slug(alg)), role)
        };
        let eddsa = KeyAlg::Sign(SignatureId::Ed25519);
        let a128 = KeyAlg::Aead(AeadId::Aes128Gcm);
        let x25519 = KeyAlg::EcdhEs(KeyAgreementId::X25519);
        let mut legacy = key(KeyAlg::Hmac256, "legacy-node", "scheduler")?;
        legacy.legacy = true;
        Ok(Self {
            mac: key(KeyAlg::Hmac256, "region-mac", "scheduler")?,
            aead: AeadId::ALL
                .iter()
                .map(|&id| by_alg(KeyAlg::Aead(id), "guest", "scheduler"))
                .collect::<Result<_, _>>()?,
            sign: SignatureId::ALL
                .iter()
                .map(|&id| by_alg(KeyAlg::Sign(id), "sched", "scheduler"))
                .collect::<Result<_, _>>()?,
            oaep: [NODE, OTHER_NODE]
                .iter()
                .map(|kid| key(KeyAlg::RsaOaep256, kid, NODE_ROLE))
                .collect::<Result<_, _>>()?,
            ecdh: KeyAgreementId::ALL
                .iter()
                .map(|&id| key(KeyAlg::EcdhEs(id), NODE, NODE_ROLE))
                .collect::<Result<_, _>>()?,
            other_x25519: key(x25519, OTHER_NODE, NODE_ROLE)?,
            legacy,
            compute_mac: key(KeyAlg::Hmac256, "compute-mac", NODE_ROLE)?,
            pair_mac: key(KeyAlg::Hmac256, "pair-c1", "scheduler")?,
            own_sign: key(eddsa, "compute-1-sign", NODE_ROLE)?,
            other_mac: key(KeyAlg::Hmac256, "region-mac", "scheduler")?,
            other_eddsa: by_alg(eddsa, "sched", "scheduler")?,
            other_aead: by_alg(a128, "guest", "scheduler")?,
        })
    }
}

/// The receivers' role policy.
pub(super) fn policy() -> Policy {
    Policy::default()
        .allow("scheduler", &[METHOD])
        .allow(NODE_ROLE, &["report_state"])
        .allow("anonymous", &[REPLY])
}

/// The node `kid` of role `compute`.
pub(super) fn node(kid: &str) -> NodeId {
    NodeId {
        kid: kid.as_bytes().to_vec(),
        role: NODE_ROLE.to_string(),
    }
}

/// The node `compute-1` at `time_s` holding `keys`, with the default options (window
/// [`WINDOW_S`]) and `policy()`.
pub(super) fn receiver(keys: Vec<KeyEntry>, time_s: u64) -> Receiver {
    Receiver {
        time_s,
        options: OpenOptions {
            window_s: WINDOW_S,
            ..OpenOptions::default()
        },
        store: TrustStore {
            entries: keys,
            policy: policy(),
            node: Some(node(NODE)),
        },
    }
}

/// The audience of a message to `compute-1` alone.
pub(super) fn to_node() -> Audience {
    Audience::Kids(vec![NODE.as_bytes().to_vec()])
}

/// The seed of vector `name`: FNV-1a of the name mixed into `base`, kept below 2^53 so
/// JSON readers that parse numbers as doubles read it exactly.
pub(super) fn vector_seed(base: u64, name: &str) -> u64 {
    // ref: http://www.isthe.com/chongo/tech/comp/fnv/ (FNV-1a 64-bit offset basis and prime)
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    (base ^ h) & ((1 << 53) - 1)
}

/// Seals `payload` as `method` per `spec` on the first backend that can.
pub(super) fn seal(
    name: &str,
    spec: &SealSpec,
    payload: &[u8],
    method: &str,
) -> Result<Vec<u8>, VectorError> {
    let mut last = EnvelopeError::Config("no backend compiled in");
    for b in ALL_BACKENDS {
        match seal_with(b, spec, payload, method) {
            Ok(bytes) => return Ok(bytes),
            Err(e @ EnvelopeError::Unsupported(_)) => last = e,
            Err(e) => return Err(VectorError::generate(name, e)),
        }
    }
    Err(VectorError::generate(name, last))
}

/// A seal spec for `mode` with the default clock and the vector's seed, from
/// [`ISSUER`] to `compute-1`: non-hybrid modes name the audience explicitly, hybrid modes
/// keep the sealer's default (the recipients' kids, which are their nodes' kids).
pub(super) fn spec(
    name: &str,
    base_seed: u64,
    mode: Mode,
    sender: Option<&KeyEntry>,
    recipients: &[&KeyEntry],
) -> SealSpec {
    SealSpec {
        mode,
        identity: Identity::Kid,
        content: mode.hybrid().then_some(AeadId::Aes128Gcm),
        seed: vector_seed(base_seed, name),
        time_s: SEAL_TIME_S,
        sender: sender.cloned(),
        recipients: recipients.iter().map(|&r| public_only(r)).collect(),
        audience: (!mode.hybrid()).then(to_node),
        issuer: Some(ISSUER.as_bytes().to_vec()),
    }
}

/// The method a message of `mode` is sealed for.
pub(super) fn method_of(mode: Mode) -> &'static str {
    if mode == Mode::Encrypt { REPLY } else { METHOD }
}

/// A golden vector: seals per `spec`, to be opened by `rx` (which accepts plain messages
/// from legacy peers exactly for a plain vector).
fn golden_vector(
    name: String,
    description: String,
    spec: SealSpec,
    mut rx: Receiver,
) -> Result<Vector, VectorError> {
    let method = method_of(spec.mode);
    let message = seal(&name, &spec, PAYLOAD, method)?;
    let deterministic = match spec.mode {
        Mode::Plain | Mode::Mac0 | Mode::Encrypt0 => true,
        Mode::Sign1 => spec
            .sender
            .as_ref()
            .is_some_and(|s| s.alg == KeyAlg::Sign(SignatureId::Ed25519)),
        Mode::Encrypt | Mode::SignEncrypt => false,
    };
    let sender_kid = match spec.mode {
        Mode::Encrypt => None,
        _ => spec.sender.as_ref().map(|s| s.kid.clone()),
    };
    rx.options.accept_plain_from_legacy = spec.mode == Mode::Plain;
    Ok(Vector {
        name,
        description,
        class: Class::Golden,
        method: method.to_string(),
        payload: PAYLOAD.to_vec(),
        expect: Expected::Ok {
            mode: spec.mode,
            sender_kid,
        },
        seal: Some(spec),
        receiver: rx,
        message,
        deterministic,
        opens: 1,
    })
}

/// `compute-1` at the sealing time holding `keys`.
fn at_node(keys: Vec<KeyEntry>) -> Receiver {
    receiver(keys, SEAL_TIME_S)
}

/// The name of the golden Mac0 without an audience (its message is also the negative
/// vector `negative-no-audience-mac0`).
pub(super) const NO_AUDIENCE_GOLDEN: &str = "golden-mac0-hmac256-no-audience-accepted";

fn golden(k: &KeySet, seed: u64) -> Result<Vec<Vector>, VectorError> {
    let mut out = Vec::new();
    let name = "golden-plain-legacy".to_string();
    let s = spec(&name, seed, Mode::Plain, Some(&k.legacy), &[]);
    let d = "Plain framing from a peer listed as legacy, accepted because the receiver allows \
             plain messages from legacy peers during a migration window.";
    out.push(golden_vector(
        name,
        d.into(),
        s,
        at_node(vec![k.legacy.clone()]),
    )?);

    let name = "golden-mac0-hmac256".to_string();
    let s = spec(&name, seed, Mode::Mac0, Some(&k.mac), &[]);
    let d = "COSE_Mac0 with HMAC 256/256 under a shared region key.";
    out.push(golden_vector(
        name,
        d.into(),
        s,
        at_node(vec![k.mac.clone()]),
    )?);

    let name = "golden-mac0-hmac256-role-audience".to_string();
    let s = SealSpec {
        audience: Some(Audience::Role(NODE_ROLE.to_string())),
        ..spec(&name, seed, Mode::Mac0, Some(&k.mac), &[])
    };
    let d = "COSE_Mac0 (HMAC 256/256) broadcast to a role: the audience is role:compute, \
             the receiver compute-1's role.";
    out.push(golden_vector(
        name,
        d.into(),
        s,
        at_node(vec![k.mac.clone()]),
    )?);

    let name = NO_AUDIENCE_GOLDEN.to_string();
    let s = SealSpec {
        audience: None,
        ..spec(&name, seed, Mode::Mac0, Some(&k.mac), &[])
    };
    let d = "COSE_Mac0 (HMAC 256/256) that names no audience, opened by a receiver that \
             accepts such messages (accept_no_audience, unsafe). The same message is \
             negative-no-audience-mac0, refused by a receiver with the default options.";
    let mut rx = at_node(vec![k.mac.clone()]);
    rx.options.accept_no_audience = true;
    out.push(golden_vector(name, d.into(), s, rx)?);

    for e in &k.aead {
        let name = format!("golden-encrypt0-{}", slug(e.alg));
        let s = spec(&name, seed, Mode::Encrypt0, Some(e), &[]);
        let d = format!("COSE_Encrypt0 with {} under a per-peer key.", e.alg);
        out.push(golden_vector(name, d, s, at_node(vec![e.clone()]))?);
    }
    for e in &k.sign {
        for &identity in Identity::ALL {
            let name = format!("golden-sign1-{}-{}", slug(e.alg), identity.label());
            let s = SealSpec {
                identity,
                ..spec(&name, seed, Mode::Sign1, Some(e), &[])
            };
            let d = format!(
                "COSE_Sign1 with {}; the sender is identified by {}.",
                e.alg,
                identity.label()
            );
            out.push(golden_vector(name, d, s, at_node(vec![public_only(e)]))?);
        }
    }
    let (mine, other) = (nth(&k.oaep, 0)?, nth(&k.oaep, 1)?);
    for &content in AeadId::ALL {
        let c = slug(KeyAlg::Aead(content));
        let cname = KeyAlg::Aead(content).name();
        for recipients in [vec![mine], vec![other, mine]] {
            let n = recipients.len();
            let name = format!("golden-encrypt-rsa-oaep-256-{n}r-{c}");
            let s = SealSpec {
                content: Some(content),
                ..spec(&name, seed, Mode::Encrypt, None, &recipients)
            };
            let d = format!(
                "Anonymous COSE_Encrypt with {cname} content, content key wrapped with \
                 RSA-OAEP-256 for {n} recipient(s); the receiver holds the last recipient's key."
            );
            out.push(golden_vector(name, d, s, at_node(vec![mine.clone()]))?);
        }
        for e in &k.ecdh {
            let name = format!("golden-encrypt-{}-{c}", slug(e.alg));
            let s = SealSpec {
                content: Some(content),
                ..spec(&name, seed, Mode::Encrypt, None, &[e])
            };
            let d = format!(
                "Anonymous COSE_Encrypt with {cname} content, content key from {} direct \
                 key agreement with an ephemeral sender key.",
                e.alg
            );
            out.push(golden_vector(name, d, s, at_node(vec![e.clone()]))?);
        }
    }
    let eddsa = nth(&k.sign, 0)?;
    let x25519 = nth(&k.ecdh, 0)?;
    for recipients in [vec![other, mine], vec![x25519]] {
        let last = *recipients
            .last()
            .ok_or_else(|| VectorError::generate("golden", "no recipient"))?;
        let name = format!("golden-sign-encrypt-eddsa-{}", slug(last.alg));
        let s = spec(&name, seed, Mode::SignEncrypt, Some(eddsa), &recipients);
        let d = format!(
            "COSE_Sign1 (EdDSA, kid) inside a COSE_Encrypt to {} {} recipient(s); the \
             signature is bound to the recipient kids.",
            recipients.len(),
            last.alg
        );
        let rx = at_node(vec![public_only(eddsa), last.clone()]);
        out.push(golden_vector(name, d, s, rx)?);
    }
    Ok(out)
}

/// Key `i` of a list.
pub(super) fn nth(keys: &[KeyEntry], i: usize) -> Result<&KeyEntry, VectorError> {
    keys.get(i)
        .ok_or_else(|| VectorError::generate("keys", format!("no key {i}")))
}

/// Checks `v` on the first backend that can run it; it must pass.
pub(super) fn self_check(v: &Vector) -> Result<(), VectorError> {
    let mut reasons = Vec::new();
    for b in ALL_BACKENDS {
        match check_vector(v, b) {
            Outcome::Passed => return Ok(()),
            Outcome::Failed { detail } => {
                return Err(VectorError::generate(
                    &v.name,
                    format!("on {}: {detail}", b.name),
                ));
            }
            Outcome::Unsupported { reason } => reasons.push(format!("{}: {reason}", b.name)),
        }
    }
    Err(VectorError::generate(
        &v.name,
        format!("no backend can check it ({})", reasons.join("; ")),
    ))
}

/// Generates fresh keys and every vector, each checked on the first backend that can.
pub fn generate_vectors(seed: u64) -> Result<Vec<Vector>, VectorError> {
    let keys = KeySet::generate()?;
    let mut vectors = golden(&keys, seed)?;
    let negatives = negative::negatives(&keys, seed, &vectors)?;
    vectors.extend(negatives);
    let mut names = std::collections::BTreeSet::new();
    for v in &vectors {
        if !names.insert(v.name.as_str()) {
            return Err(VectorError::generate(&v.name, "duplicate name"));
        }
        self_check(v)?;
    }
    Ok(vectors)
}

/// Generates every vector and writes `DIR/<name>.json`; returns the paths written.
pub fn generate_dir(dir: &Path, seed: u64) -> Result<Vec<PathBuf>, VectorError> {
    let vectors = generate_vectors(seed)?;
    std::fs::create_dir_all(dir).map_err(|source| VectorError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    vectors
        .iter()
        .map(|v| {
            let path = dir.join(format!("{}.json", v.name));
            std::fs::write(&path, v.to_json()?).map_err(|source| VectorError::Io {
                path: path.clone(),
                source,
            })?;
            Ok(path)
        })
        .collect()
}
