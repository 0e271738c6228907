//! The gate's scenario subset: the paths an RPC message takes most, per backend.
//!
//! From the full matrix at [`SIZES`] (a small message and a bulk one), for every compiled-in
//! backend:
//! - raw AEAD seal and open, AES-128-GCM and ChaCha20-Poly1305, 64 B and 16 KiB;
//! - envelope Encrypt0 (`kid`) seal and open, same AEADs and sizes;
//! - envelope Mac0 (HMAC-SHA256, `kid`) seal and open, 64 B and 16 KiB;
//! - raw Ed25519 sign and verify, 64 B.
//!
//! That is 22 scenarios per backend, 88 with all four. Public-key envelopes, hybrid modes
//! and RSA are left to `sealbench run`: they are slow under callgrind and their cost is
//! the library's, not the envelope's.

use crate::backend::{AeadId, Backend, MacId, SignatureId};
use crate::envelope::{Identity, Mode};
use crate::measure::{MatrixSpec, Op, Scenario, Work, matrix};

/// Payload sizes of the subset, bytes.
pub const SIZES: &[usize] = &[64, 16384];

const AEADS: &[AeadId] = &[AeadId::Aes128Gcm, AeadId::ChaCha20Poly1305];

/// Whether `s` belongs to the gate subset.
pub fn in_subset(s: &Scenario) -> bool {
    let seal_open = matches!(s.op, Op::Seal | Op::Open);
    match s.work {
        Work::Aead(a) => seal_open && AEADS.contains(&a),
        Work::Signature(SignatureId::Ed25519) => {
            s.size == 64 && matches!(s.op, Op::Sign | Op::Verify)
        }
        Work::Envelope(e) => {
            let kid = e.identity == Some(Identity::Kid);
            let plain_aead = e.recipients.is_none() && e.signature.is_none();
            seal_open
                && kid
                && plain_aead
                && match e.mode {
                    Mode::Encrypt0 => e.aead.is_some_and(|a| AEADS.contains(&a)),
                    Mode::Mac0 => e.mac == Some(MacId::HmacSha256),
                    _ => false,
                }
        }
        _ => false,
    }
}

/// The subset for `backends`, in matrix order, restricted to ids containing `filter`.
pub fn scenarios(backends: &[&'static Backend], filter: Option<&str>) -> Vec<Scenario> {
    let spec = MatrixSpec {
        sizes: SIZES.to_vec(),
        backends: backends.to_vec(),
        quick: false,
    };
    matrix(&spec)
        .into_iter()
        .filter(in_subset)
        .filter(|s| filter.is_none_or(|f| s.id().contains(f)))
        .collect()
}

/// The subset scenarios with these ids (of every compiled-in backend), in the order given.
pub fn by_ids(ids: &[String]) -> Result<Vec<Scenario>, super::GateError> {
    let all = scenarios(crate::backend::ALL_BACKENDS, None);
    ids.iter()
        .map(|id| {
            all.iter().find(|s| s.id() == *id).copied().ok_or_else(|| {
                super::GateError::Usage(format!("scenario {id}: not in the gate subset"))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::ALL_BACKENDS;

    #[test]
    fn twenty_two_per_backend() {
        let all = scenarios(ALL_BACKENDS, None);
        assert_eq!(all.len(), 22 * ALL_BACKENDS.len());
        let ids: Vec<String> = all.iter().map(Scenario::id).collect();
        for b in ALL_BACKENDS {
            let n = b.name;
            for want in [
                format!("seal_{n}_aes128gcm_64"),
                format!("open_{n}_chacha20poly1305_16384"),
                format!("env-seal_encrypt0_{n}_aes128gcm_kid_16384"),
                format!("env-open_encrypt0_{n}_chacha20poly1305_kid_64"),
                format!("env-open_mac0_{n}_hmacsha256_kid_16384"),
                format!("sign_{n}_ed25519_64"),
                format!("verify_{n}_ed25519_64"),
            ] {
                assert!(ids.contains(&want), "{want} missing from {ids:?}");
            }
        }
        assert!(!ids.iter().any(|i| i.contains("ed25519_16384")));
        let picked = by_ids(&ids[..2]).unwrap();
        assert_eq!(
            picked.iter().map(Scenario::id).collect::<Vec<_>>(),
            ids[..2]
        );
        assert!(by_ids(&["nope_64".to_string()]).is_err());
        let f = scenarios(ALL_BACKENDS, Some("_ring_"));
        assert!(!f.is_empty() && f.iter().all(|s| s.id().contains("_ring_")));
    }
}
