//! Shared pieces of `sealbench seal` and `sealbench open`: trust stores, key lookup, I/O.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::backend::Backend;
use crate::envelope::{KeyEntry, TrustStore, keystore};

/// Loads a trust directory, printing its warnings to stderr.
pub(super) fn load_trust(dir: &Path) -> anyhow::Result<TrustStore> {
    let (store, warnings) =
        keystore::load_dir(dir).with_context(|| format!("--trust {}", dir.display()))?;
    for w in warnings {
        eprintln!("warning: {w}");
    }
    Ok(store)
}

/// Finds a key by its kid given as text (as in `trust.toml`) or as hex.
pub(super) fn find<'s>(
    store: &'s TrustStore,
    kid: &str,
    flag: &str,
) -> anyhow::Result<&'s KeyEntry> {
    let by_text = store.get(kid.as_bytes());
    let by_hex = hex::decode(kid).ok().and_then(|k| store.get(&k));
    match by_text.or(by_hex) {
        Some(e) => Ok(e),
        None => {
            let known: Vec<String> = store.entries.iter().map(|e| display_kid(&e.kid)).collect();
            bail!(
                "{flag} {kid}: no key with this kid in the trust store (known: {})",
                known.join(", ")
            )
        }
    }
}

/// A kid as text when it is printable UTF-8, else hex.
pub(super) fn display_kid(kid: &[u8]) -> String {
    match std::str::from_utf8(kid) {
        Ok(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_graphic()) => s.to_string(),
        _ => hex::encode(kid),
    }
}

/// Resolves `--backend` (default: the first compiled in).
pub(super) fn backend(name: Option<&str>) -> anyhow::Result<&'static Backend> {
    match name {
        None => crate::backend::ALL_BACKENDS
            .first()
            .copied()
            .context("no backend compiled into this build"),
        Some(n) => crate::backend::by_name(n).with_context(|| {
            let known: Vec<_> = crate::backend::ALL_BACKENDS
                .iter()
                .map(|b| b.name)
                .collect();
            format!(
                "--backend {n}: unknown backend (compiled in: {})",
                known.join(", ")
            )
        }),
    }
}

/// Reads `--in FILE` or stdin.
pub(super) fn read_input(path: Option<&PathBuf>) -> anyhow::Result<Vec<u8>> {
    let mut data = Vec::new();
    match path {
        Some(p) if p.as_os_str() != "-" => {
            data = std::fs::read(p).with_context(|| format!("--in {}", p.display()))?;
        }
        _ => {
            std::io::stdin()
                .read_to_end(&mut data)
                .context("reading stdin")?;
        }
    }
    Ok(data)
}

/// Writes to `--out FILE` or stdout.
pub(super) fn write_output(path: Option<&PathBuf>, data: &[u8]) -> anyhow::Result<()> {
    match path {
        Some(p) if p.as_os_str() != "-" => {
            std::fs::write(p, data).with_context(|| format!("--out {}", p.display()))
        }
        _ => {
            let mut out = std::io::stdout().lock();
            out.write_all(data)
                .and_then(|()| out.flush())
                .context("writing stdout")
        }
    }
}
