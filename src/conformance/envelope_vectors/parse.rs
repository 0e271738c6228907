//! Strict reading of vector files: every field is read exactly once, unknown fields are
//! errors, and every error names the file and the field's path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::error::VectorError;
use super::schema::{
    Class, Expected, KNOWN_ERROR_KINDS, Receiver, SCHEMA_VERSION, SealSpec, Vector,
};
use crate::envelope::audience::Audience;
use crate::envelope::keys::{KeyAlg, KeyEntry, KeyMaterial, NodeId, Policy, TrustStore};
use crate::envelope::{Identity, Mode, OpenOptions};

/// A JSON object whose fields are taken one by one.
struct Obj<'f> {
    file: &'f str,
    path: String,
    map: Map<String, Value>,
}

impl<'f> Obj<'f> {
    fn new(file: &'f str, path: String, value: Value) -> Result<Self, VectorError> {
        match value {
            Value::Object(map) => Ok(Self { file, path, map }),
            _ => Err(malformed(file, &path, "expected an object")),
        }
    }

    fn field(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    fn err(&self, key: &str, detail: impl std::fmt::Display) -> VectorError {
        malformed(self.file, &self.field(key), detail)
    }

    fn opt(&mut self, key: &str) -> Option<Value> {
        self.map.remove(key)
    }

    fn take(&mut self, key: &str) -> Result<Value, VectorError> {
        self.opt(key).ok_or_else(|| self.err(key, "missing"))
    }

    fn u64(&mut self, key: &str) -> Result<u64, VectorError> {
        self.take(key)?
            .as_u64()
            .ok_or_else(|| self.err(key, "expected an unsigned integer"))
    }

    fn bool(&mut self, key: &str) -> Result<bool, VectorError> {
        self.take(key)?
            .as_bool()
            .ok_or_else(|| self.err(key, "expected true or false"))
    }

    fn bool_or(&mut self, key: &str, default: bool) -> Result<bool, VectorError> {
        match self.opt(key) {
            None => Ok(default),
            Some(v) => v
                .as_bool()
                .ok_or_else(|| self.err(key, "expected true or false")),
        }
    }

    fn string(&mut self, key: &str) -> Result<String, VectorError> {
        match self.take(key)? {
            Value::String(s) => Ok(s),
            _ => Err(self.err(key, "expected a string")),
        }
    }

    fn opt_string(&mut self, key: &str) -> Result<Option<String>, VectorError> {
        match self.opt(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.err(key, "expected a string")),
        }
    }

    fn hex(&mut self, key: &str) -> Result<Vec<u8>, VectorError> {
        let s = self.string(key)?;
        hex::decode(&s).map_err(|e| self.err(key, format!("not hex: {e}")))
    }

    fn opt_hex(&mut self, key: &str) -> Result<Option<Vec<u8>>, VectorError> {
        match self.opt_string(key)? {
            None => Ok(None),
            Some(s) => hex::decode(&s)
                .map(Some)
                .map_err(|e| self.err(key, format!("not hex: {e}"))),
        }
    }

    fn obj(&mut self, key: &str) -> Result<Obj<'f>, VectorError> {
        let v = self.take(key)?;
        Obj::new(self.file, self.field(key), v)
    }

    fn opt_obj(&mut self, key: &str) -> Result<Option<Obj<'f>>, VectorError> {
        match self.opt(key) {
            None => Ok(None),
            Some(v) => Obj::new(self.file, self.field(key), v).map(Some),
        }
    }

    fn objs(&mut self, key: &str) -> Result<Vec<Obj<'f>>, VectorError> {
        let Value::Array(items) = self.take(key)? else {
            return Err(self.err(key, "expected an array"));
        };
        let base = self.field(key);
        items
            .into_iter()
            .enumerate()
            .map(|(i, v)| Obj::new(self.file, format!("{base}[{i}]"), v))
            .collect()
    }

    /// Fails if any field was not read.
    fn finish(self) -> Result<(), VectorError> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(k) => Err(self.err(k, "unknown field")),
        }
    }
}

fn malformed(file: &str, field: &str, detail: impl std::fmt::Display) -> VectorError {
    VectorError::Malformed {
        file: file.to_string(),
        field: field.to_string(),
        detail: detail.to_string(),
    }
}

/// Parses one vector file's text; `file` names it in errors and `stem` must be its `name`.
pub fn parse_vector(file: &str, stem: &str, text: &str) -> Result<Vector, VectorError> {
    let value: Value = serde_json::from_str(text).map_err(|e| malformed(file, "(file)", e))?;
    let mut o = Obj::new(file, String::new(), value)?;
    let version = o.u64("schema_version")?;
    if version != u64::from(SCHEMA_VERSION) {
        return Err(o.err(
            "schema_version",
            format!("version {version}; this build reads {SCHEMA_VERSION}"),
        ));
    }
    let name = o.string("name")?;
    if name != stem {
        return Err(o.err(
            "name",
            format!("{name:?} differs from the file name {stem:?}"),
        ));
    }
    let class = match o.string("class")?.as_str() {
        "golden" => Class::Golden,
        "negative" => Class::Negative,
        other => return Err(o.err("class", format!("{other:?}: expected golden or negative"))),
    };
    let description = o.string("description")?;
    let expect = expected(o.obj("expect")?)?;
    let deterministic = o.bool("deterministic")?;
    let opens = u32::try_from(o.u64("opens")?)
        .ok()
        .filter(|n| (1..=16).contains(n))
        .ok_or_else(|| o.err("opens", "must be 1 to 16"))?;
    let method = o.string("method")?;
    let payload = o.hex("payload_hex")?;
    let message = o.hex("message_hex")?;
    let receiver = receiver(o.obj("receiver")?)?;
    let seal = o.opt_obj("seal")?.map(seal_spec).transpose()?;
    if class == Class::Golden && !matches!(expect, Expected::Ok { .. }) {
        return Err(o.err("expect", "a golden vector must expect ok"));
    }
    if class == Class::Negative && matches!(expect, Expected::Ok { .. }) {
        return Err(o.err("expect", "a negative vector must expect an error"));
    }
    if deterministic && seal.is_none() {
        return Err(o.err("seal", "a deterministic vector needs the seal parameters"));
    }
    if deterministic && !matches!(expect, Expected::Ok { .. }) {
        return Err(o.err("deterministic", "only a vector that opens can be re-sealed"));
    }
    o.finish()?;
    Ok(Vector {
        name,
        description,
        class,
        method,
        payload,
        seal,
        receiver,
        message,
        deterministic,
        opens,
        expect,
    })
}

fn expected(mut o: Obj<'_>) -> Result<Expected, VectorError> {
    let e = match o.string("result")?.as_str() {
        "ok" => {
            let label = o.string("mode")?;
            let mode = Mode::from_label(&label)
                .ok_or_else(|| o.err("mode", format!("unknown mode {label:?}")))?;
            let sender_kid = o.opt_string("sender_kid")?.map(String::into_bytes);
            Expected::Ok { mode, sender_kid }
        }
        "error" => {
            let kind = o.string("kind")?;
            if !KNOWN_ERROR_KINDS.contains(&kind.as_str()) {
                return Err(o.err("kind", format!("unknown error kind {kind:?}")));
            }
            Expected::Error(kind)
        }
        other => return Err(o.err("result", format!("{other:?}: expected ok or error"))),
    };
    o.finish()?;
    Ok(e)
}

fn receiver(mut o: Obj<'_>) -> Result<Receiver, VectorError> {
    let time_s = o.u64("time_s")?;
    let node = o.opt_obj("node")?.map(node).transpose()?;
    let mut opt = o.obj("options")?;
    let defaults = OpenOptions::default();
    let max_size = opt.u64("max_size")?;
    let options = OpenOptions {
        window_s: opt.u64("window_s")?,
        future_skew_s: opt.u64("future_skew_s")?,
        learn_keys: opt.bool("learn_keys")?,
        learned_role: opt.string("learned_role")?,
        accept_plain_from_legacy: opt.bool("accept_plain_from_legacy")?,
        accept_no_audience: opt.bool("accept_no_audience")?,
        max_size: usize::try_from(max_size)
            .map_err(|_| opt.err("max_size", "does not fit this platform's usize"))?,
        ..defaults
    };
    opt.finish()?;
    let policy = policy(o.obj("policy")?)?;
    let entries = o
        .objs("keys")?
        .into_iter()
        .map(key_entry)
        .collect::<Result<Vec<_>, _>>()?;
    o.finish()?;
    Ok(Receiver {
        time_s,
        options,
        store: TrustStore {
            entries,
            policy,
            node,
        },
    })
}

/// A kid given as `KEY` (UTF-8) or `KEY_hex`, exactly one of them.
fn kid_or_hex(o: &mut Obj<'_>, key: &str) -> Result<Vec<u8>, VectorError> {
    let hex_key = format!("{key}_hex");
    match (o.opt_string(key)?, o.opt_hex(&hex_key)?) {
        (Some(kid), None) => Ok(kid.into_bytes()),
        (None, Some(kid)) => Ok(kid),
        _ => Err(o.err(key, format!("give exactly one of {key} and {hex_key}"))),
    }
}

fn node(mut o: Obj<'_>) -> Result<NodeId, VectorError> {
    let kid = kid_or_hex(&mut o, "kid")?;
    let role = o.string("role")?;
    if kid.is_empty() {
        return Err(o.err("kid", "a node's kid must not be empty"));
    }
    if role.is_empty() {
        return Err(o.err("role", "a node's role must not be empty"));
    }
    o.finish()?;
    Ok(NodeId { kid, role })
}

fn audience(o: &mut Obj<'_>) -> Result<Option<Audience>, VectorError> {
    let Some(mut a) = o.opt_obj("audience")? else {
        return Ok(None);
    };
    let audience = match (a.opt("kids"), a.opt_string("role")?) {
        (Some(Value::Array(items)), None) if !items.is_empty() => Audience::Kids(
            items
                .into_iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.into_bytes()),
                    _ => Err(a.err("kids", "expected an array of kid strings")),
                })
                .collect::<Result<_, _>>()?,
        ),
        (None, Some(role)) if !role.is_empty() => Audience::Role(role),
        (Some(_), None) => return Err(a.err("kids", "expected a non-empty array of kids")),
        _ => return Err(a.err("kids", "give exactly one of kids and role")),
    };
    a.finish()?;
    Ok(Some(audience))
}

fn policy(mut o: Obj<'_>) -> Result<Policy, VectorError> {
    let mut roles = BTreeMap::new();
    for role in o.map.keys().cloned().collect::<Vec<_>>() {
        let Value::Array(items) = o.take(&role)? else {
            return Err(o.err(&role, "expected an array of method names"));
        };
        let methods = items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(o.err(&role, "expected an array of method names")),
            })
            .collect::<Result<BTreeSet<_>, _>>()?;
        roles.insert(role, methods);
    }
    o.finish()?;
    Ok(Policy { roles })
}

fn seal_spec(mut o: Obj<'_>) -> Result<SealSpec, VectorError> {
    let label = o.string("mode")?;
    let mode =
        Mode::from_label(&label).ok_or_else(|| o.err("mode", format!("unknown mode {label:?}")))?;
    let label = o.string("identity")?;
    let identity = Identity::from_label(&label)
        .ok_or_else(|| o.err("identity", format!("unknown identity {label:?}")))?;
    let content = match o.opt_string("content")? {
        None => None,
        Some(name) => match KeyAlg::from_name(&name) {
            Some(KeyAlg::Aead(id)) => Some(id),
            _ => return Err(o.err("content", format!("{name:?} is not an AEAD"))),
        },
    };
    if mode.hybrid() != content.is_some() {
        return Err(o.err("content", "required exactly for encrypt and sign-encrypt"));
    }
    let seed = o.u64("seed")?;
    let time_s = o.u64("time_s")?;
    let sender = o.opt_obj("sender")?.map(key_entry).transpose()?;
    let recipients = o
        .objs("recipients")?
        .into_iter()
        .map(key_entry)
        .collect::<Result<Vec<_>, _>>()?;
    let audience = audience(&mut o)?;
    let issuer = o.opt_string("issuer")?.map(String::into_bytes);
    o.finish()?;
    Ok(SealSpec {
        mode,
        identity,
        content,
        seed,
        time_s,
        sender,
        recipients,
        audience,
        issuer,
    })
}

fn key_entry(mut o: Obj<'_>) -> Result<KeyEntry, VectorError> {
    let kid = o.string("kid")?.into_bytes();
    let role = o.string("role")?;
    let name = o.string("alg")?;
    let alg = KeyAlg::from_name(&name)
        .ok_or_else(|| o.err("alg", format!("unknown key alg {name:?}")))?;
    let legacy = o.bool_or("legacy", false)?;
    let symmetric = o.opt_hex("symmetric_hex")?;
    let pkcs8 = o.opt_hex("pkcs8_hex")?;
    let spki = o.opt_hex("spki_hex")?;
    let cert = o.opt_hex("cert_hex")?;
    let material = match (alg.is_symmetric(), symmetric, pkcs8, spki) {
        (true, Some(k), None, None) => KeyMaterial::Symmetric(Zeroizing::new(k)),
        (true, ..) => {
            return Err(o.err(
                "symmetric_hex",
                "a symmetric key needs exactly symmetric_hex",
            ));
        }
        (false, None, Some(pkcs8), Some(spki)) => KeyMaterial::Private {
            pkcs8: Zeroizing::new(pkcs8),
            spki,
        },
        (false, None, None, Some(spki)) => KeyMaterial::Public(spki),
        (false, ..) => {
            return Err(o.err(
                "spki_hex",
                "a key pair needs spki_hex (and pkcs8_hex if private)",
            ));
        }
    };
    if cert.is_some() && alg.is_symmetric() {
        return Err(o.err("cert_hex", "only key pairs have certificates"));
    }
    o.finish()?;
    Ok(KeyEntry {
        kid,
        role,
        alg,
        material,
        cert,
        legacy,
    })
}

/// Reads every `*.json` file of `dir` (sorted by name) as a vector.
pub fn load_dir(dir: &Path) -> Result<Vec<Vector>, VectorError> {
    let io = |source| VectorError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut paths = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(io)?;
    paths.retain(|p| p.extension().is_some_and(|x| x == "json"));
    paths.sort();
    if paths.is_empty() {
        return Err(VectorError::Empty(dir.to_path_buf()));
    }
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).map_err(|source| VectorError::Io {
                path: p.clone(),
                source,
            })?;
            let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
            parse_vector(&p.display().to_string(), stem, &text)
        })
        .collect()
}
