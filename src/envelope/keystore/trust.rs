//! `trust.toml`: the entries, their checks, and the warnings.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::error::{KeyStoreError, Origin, Site, kid_display};
use super::reuse::KeyUses;
use super::{cert, file, load_material};
use crate::envelope::keys::{ANONYMOUS_ROLE, NodeId, fingerprint};
use crate::envelope::{KeyAlg, KeyEntry, KeyMaterial, Policy, TrustStore};

/// The file name looked for in the directory.
pub(super) const TRUST_TOML: &str = "trust.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustFile {
    #[serde(default)]
    key: Vec<KeySpec>,
    #[serde(default)]
    policy: BTreeMap<String, Spanned<Vec<String>>>,
    node: Option<Spanned<NodeSpec>>,
}

/// `[node]`: this node's own identity.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NodeSpec {
    kid: Option<Spanned<String>>,
    kid_hex: Option<Spanned<String>>,
    role: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeySpec {
    file: Spanned<String>,
    alg: Spanned<String>,
    role: Spanned<String>,
    kid: Option<Spanned<String>>,
    kid_hex: Option<Spanned<String>>,
    cert: Option<Spanned<String>>,
    #[serde(default)]
    legacy: bool,
    #[serde(default)]
    allow_multi_alg: bool,
}

/// Parses `trust.toml` text and loads every key it names; see the module docs.
pub(super) fn load(dir: &Path) -> Result<(TrustStore, Vec<String>), KeyStoreError> {
    let toml_path = dir.join(TRUST_TOML);
    let bytes = std::fs::read(&toml_path).map_err(|source| KeyStoreError::Read {
        origin: Origin::file(&toml_path),
        source,
    })?;
    let syntax = |span: Option<std::ops::Range<usize>>, text: &str, message: String| {
        let (line, column) = span.map(|s| position(text, s.start)).unzip();
        KeyStoreError::TrustToml {
            path: toml_path.clone(),
            line,
            column,
            message,
        }
    };
    let text = String::from_utf8(bytes).map_err(|_| syntax(None, "", "not UTF-8 text".into()))?;
    let parsed: TrustFile =
        toml::from_str(&text).map_err(|e| syntax(e.span(), &text, e.message().to_string()))?;
    let site = |span: std::ops::Range<usize>, field| Site {
        toml: toml_path.clone(),
        line: position(&text, span.start).0,
        field,
    };

    let mut warnings = Vec::new();
    let mut entries: Vec<KeyEntry> = Vec::new();
    let mut kid_lines: BTreeMap<Vec<u8>, usize> = BTreeMap::new();
    let mut uses = KeyUses::default();
    for spec in parsed.key {
        let alg_name = spec.alg.get_ref();
        let alg = KeyAlg::from_name(alg_name).ok_or_else(|| KeyStoreError::UnknownAlg {
            at: site(spec.alg.span(), "alg"),
            name: alg_name.clone(),
        })?;
        if spec.role.get_ref().is_empty() {
            let at = site(spec.role.span(), "role");
            return Err(KeyStoreError::InvalidField {
                at,
                reason: "the role is empty".into(),
            });
        }
        let file_site = site(spec.file.span(), "file");
        let explicit_kid = explicit_kid(&spec.kid, &spec.kid_hex, &site)?;
        if alg.is_symmetric() && explicit_kid.is_none() {
            return Err(missing_kid(file_site));
        }

        let path = dir.join(spec.file.get_ref());
        let origin = Origin::entry(&path, file_site.clone());
        let material = load_material(&file::read(&path, &origin)?, alg, &origin)?;
        if let Some(w) = readable_by_others(&path, &material) {
            warnings.push(w);
        }
        uses.add(&path, &material, alg, &file_site, spec.allow_multi_alg)?;
        let cert = match (&spec.cert, material.spki()) {
            (None, _) => None,
            (Some(c), None) => {
                let at = site(c.span(), "cert");
                let reason = "a symmetric key cannot have a certificate".into();
                return Err(KeyStoreError::InvalidField { at, reason });
            }
            (Some(c), Some(spki)) => {
                let cert_path = dir.join(c.get_ref());
                let cert_origin = Origin::entry(&cert_path, site(c.span(), "cert"));
                let data = file::read(&cert_path, &cert_origin)?;
                Some(cert::load(&data, &cert_origin, spki, &path)?)
            }
        };

        let (kid, kid_site) = match (explicit_kid, material.spki()) {
            (Some(k), _) => k,
            (None, Some(spki)) => (fingerprint(spki).to_vec(), file_site),
            (None, None) => return Err(missing_kid(file_site)),
        };
        if let Some(&first_line) = kid_lines.get(&kid) {
            let kid = kid_display(&kid);
            return Err(KeyStoreError::DuplicateKid {
                at: kid_site,
                kid,
                first_line,
            });
        }
        kid_lines.insert(kid.clone(), kid_site.line);
        let role = spec.role.into_inner();
        entries.push(KeyEntry {
            kid,
            role,
            alg,
            material,
            cert,
            legacy: spec.legacy,
        });
    }

    let key_roles: BTreeSet<&str> = entries.iter().map(|e| e.role.as_str()).collect();
    let mut policy = Policy::default();
    for (role, methods) in parsed.policy {
        if role != ANONYMOUS_ROLE && !key_roles.contains(role.as_str()) {
            let line = position(&text, methods.span().start).0;
            let toml = toml_path.display();
            warnings.push(format!(
                "{toml}:{line}: policy role \"{role}\" has no key in this trust store"
            ));
        }
        policy
            .roles
            .entry(role)
            .or_default()
            .extend(methods.into_inner());
    }
    let node = match parsed.node {
        Some(spec) => Some(node_id(spec, &entries, &kid_lines, &site)?),
        None => None,
    };
    Ok((
        TrustStore {
            entries,
            policy,
            node,
        },
        warnings,
    ))
}

/// Checks `[node]`: a kid (`kid` or `kid_hex`) and a non-empty role. The kid may be the kid
/// of one of this node's own key pairs, never that of a peer's public key or of a shared
/// symmetric key (every message under that key would name this node as its sender).
fn node_id(
    spec: Spanned<NodeSpec>,
    entries: &[KeyEntry],
    kid_lines: &BTreeMap<Vec<u8>, usize>,
    site: &impl Fn(std::ops::Range<usize>, &'static str) -> Site,
) -> Result<NodeId, KeyStoreError> {
    let table = spec.span();
    let spec = spec.into_inner();
    let invalid = |at, reason: String| KeyStoreError::InvalidField { at, reason };
    let Some((kid, kid_site)) = explicit_kid(&spec.kid, &spec.kid_hex, site)? else {
        let reason = "`[node]` needs `kid` or `kid_hex` (the name other nodes address it by)";
        return Err(invalid(site(table, "kid"), reason.into()));
    };
    if spec.role.get_ref().is_empty() {
        return Err(invalid(
            site(spec.role.span(), "role"),
            "the role is empty".into(),
        ));
    }
    let shared = entries
        .iter()
        .find(|e| e.kid == kid && !matches!(e.material, KeyMaterial::Private { .. }));
    if let Some(entry) = shared {
        let line = kid_lines.get(&kid).copied().unwrap_or_default();
        let what = match entry.material {
            KeyMaterial::Symmetric(_) => "a shared symmetric key",
            _ => "a peer's public key",
        };
        let reason = format!(
            "the node kid {} is the kid of {what} (the [[key]] on line {line}); \
             a node's own kid may only name one of its private keys",
            kid_display(&kid)
        );
        return Err(invalid(kid_site, reason));
    }
    Ok(NodeId {
        kid,
        role: spec.role.into_inner(),
    })
}

/// A `kid` (UTF-8 bytes) or `kid_hex` field, with the site it came from.
fn explicit_kid(
    text: &Option<Spanned<String>>,
    hex: &Option<Spanned<String>>,
    site: &impl Fn(std::ops::Range<usize>, &'static str) -> Site,
) -> Result<Option<(Vec<u8>, Site)>, KeyStoreError> {
    let invalid = |at, reason: &str| KeyStoreError::InvalidField {
        at,
        reason: reason.into(),
    };
    let kid = match (text, hex) {
        (Some(_), Some(h)) => {
            return Err(invalid(
                site(h.span(), "kid_hex"),
                "give `kid` or `kid_hex`, not both",
            ));
        }
        (None, None) => return Ok(None),
        (Some(k), None) => (k.get_ref().as_bytes().to_vec(), site(k.span(), "kid")),
        (None, Some(h)) => {
            let at = site(h.span(), "kid_hex");
            match hex::decode(h.get_ref()) {
                Ok(bytes) => (bytes, at),
                Err(_) => return Err(invalid(at, "not an even number of hex digits")),
            }
        }
    };
    if kid.0.is_empty() {
        return Err(invalid(kid.1, "the kid is empty"));
    }
    Ok(Some(kid))
}

/// A symmetric key has no public key to derive a kid from.
fn missing_kid(file_site: Site) -> KeyStoreError {
    let reason = "a symmetric key needs `kid` or `kid_hex`".into();
    KeyStoreError::InvalidField {
        at: Site {
            field: "kid",
            ..file_site
        },
        reason,
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i.saturating_add(1));
    let line = before.matches('\n').count().saturating_add(1);
    let column = before
        .get(line_start..)
        .map_or(0, |l| l.chars().count())
        .saturating_add(1);
    (line, column)
}

/// A warning if a private or symmetric key file grants any access to its group or to
/// other users (`mode & 0o077`: read, write or execute).
#[cfg(unix)]
fn readable_by_others(path: &Path, material: &KeyMaterial) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let what = match material {
        KeyMaterial::Public(_) => return None,
        KeyMaterial::Private { .. } => "private key",
        KeyMaterial::Symmetric(_) => "symmetric key",
    };
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    let who = match (mode & 0o070 != 0, mode & 0o007 != 0) {
        (false, false) => return None,
        (true, false) => "its group",
        (false, true) => "all users",
        (true, true) => "its group and all users",
    };
    let p = path.display();
    Some(format!(
        "{p}: {what} file is open to {who} (mode {:o}); run chmod 600 {p}",
        mode & 0o777
    ))
}

/// File modes are a unix notion; elsewhere nothing is checked.
#[cfg(not(unix))]
fn readable_by_others(_path: &Path, _material: &KeyMaterial) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_lines_and_char_columns() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(position(text, 0), (1, 1));
        assert_eq!(position(text, 6), (2, 1));
        assert_eq!(position(text, 10), (2, 4));
    }
}
