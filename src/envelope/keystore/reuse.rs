//! One key serves one `alg`: the same key file, or the same key in another file, listed
//! under two algorithms is refused unless both entries say `allow_multi_alg = true`.
//!
//! Using one key with two algorithms lets a message made for one be taken for the other
//! (an RSA key as PS256 and RSA-OAEP-256; a P-256 key as ES256 and ECDH-ES; one secret as
//! HMAC256 and A256GCM). Keys are compared by their public key (SPKI DER) for key pairs
//! and public keys, so a private key and its public key file are the same key, and by
//! SHA-256 of the bytes for symmetric keys (no copy of the secret is kept here).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::{KeyStoreError, Site};
use crate::envelope::{KeyAlg, KeyMaterial};

/// One `[[key]]` entry as far as reuse is concerned.
struct Use {
    /// The canonical path of the key file (`None` if it cannot be canonicalized).
    path: Option<PathBuf>,
    /// SHA-256 over a domain tag and the SPKI or the symmetric key bytes.
    key: [u8; 32],
    alg: KeyAlg,
    line: usize,
    allow_multi_alg: bool,
}

/// The keys of the entries loaded so far.
#[derive(Default)]
pub(super) struct KeyUses(Vec<Use>);

impl KeyUses {
    /// Records an entry's key, refusing it if an earlier entry has the same file or the
    /// same key under another `alg`, unless both set `allow_multi_alg`.
    pub(super) fn add(
        &mut self,
        path: &Path,
        material: &KeyMaterial,
        alg: KeyAlg,
        at: &Site,
        allow_multi_alg: bool,
    ) -> Result<(), KeyStoreError> {
        let new = Use {
            path: std::fs::canonicalize(path).ok(),
            key: identity(material),
            alg,
            line: at.line,
            allow_multi_alg,
        };
        for old in &self.0 {
            let how = if new.path.is_some() && old.path == new.path {
                "this file"
            } else if old.key == new.key {
                "this key"
            } else {
                continue;
            };
            if old.alg != alg && !(old.allow_multi_alg && allow_multi_alg) {
                return Err(KeyStoreError::KeyReuse {
                    at: at.clone(),
                    how,
                    alg,
                    first_alg: old.alg,
                    first_line: old.line,
                });
            }
        }
        self.0.push(new);
        Ok(())
    }
}

/// What makes two entries the same key: the public key, or the secret's digest.
fn identity(material: &KeyMaterial) -> [u8; 32] {
    let mut h = Sha256::new();
    match material {
        KeyMaterial::Symmetric(k) => {
            h.update(b"symmetric\0");
            h.update(k);
        }
        KeyMaterial::Private { spki, .. } | KeyMaterial::Public(spki) => {
            h.update(b"spki\0");
            h.update(spki);
        }
    }
    h.finalize().into()
}
