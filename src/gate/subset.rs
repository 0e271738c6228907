//! The gate's scenario subset: the paths an RPC message takes most, per backend.
//!
//! From the full matrix at [`SIZES`] (a small message and a bulk one), for every compiled-in
//! backend:
//! - raw AEAD seal and open, AES-128-GCM and ChaCha20-Poly1305, 64 B and 16 KiB;
//! - envelope Encrypt0 (`kid`) seal and open, same AEADs and sizes;
//! - envelope Mac0 (HMAC-SHA256, `kid`) seal and open, 64 B and 16 KiB;
//! - raw Ed25519 sign and verify, 64 B;
//!
//! that is 22 scenarios per backend, 88 with all four; plus the controls (`memcpy_64`,
//! `memcpy_16384`, `arith_1024`), which measure the machine and never fail the gate. Public-key envelopes, hybrid modes
//! and RSA are left to `sealbench run`: they are slow under callgrind and their cost is
//! the library's, not the envelope's.

use crate::backend::{AeadId, Backend, MacId, SignatureId};
use crate::envelope::{Identity, Mode};
use crate::measure::{DEFAULT_SIZES, IdFilter, MatrixSpec, Op, Scenario, Work, matrix};

/// Payload sizes of the subset, bytes.
pub const SIZES: &[usize] = &[64, 16384];

const AEADS: &[AeadId] = &[AeadId::Aes128Gcm, AeadId::ChaCha20Poly1305];

/// Whether `s` belongs to the gate subset.
pub fn in_subset(s: &Scenario) -> bool {
    let seal_open = matches!(s.op, Op::Seal | Op::Open);
    if s.is_control() {
        return true;
    }
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

/// The subset for `backends`, in matrix order, restricted to ids `filter` selects (the
/// controls always stay).
pub fn scenarios(backends: &[&'static Backend], filter: Option<&IdFilter>) -> Vec<Scenario> {
    let spec = MatrixSpec {
        sizes: SIZES.to_vec(),
        backends: backends.to_vec(),
        quick: false,
    };
    matrix(&spec)
        .into_iter()
        .filter(in_subset)
        .filter(|s| s.is_control() || filter.is_none_or(|f| f.matches(&s.id())))
        .collect()
}

/// The scenarios with these ids (of every compiled-in backend; the gate subset, else the
/// default matrix), in the order given.
pub fn by_ids(ids: &[String]) -> Result<Vec<Scenario>, super::GateError> {
    let mut all = scenarios(crate::backend::ALL_BACKENDS, None);
    let mut full: Option<Vec<Scenario>> = None;
    ids.iter()
        .map(|id| {
            if let Some(s) = all.iter().find(|s| s.id() == *id) {
                return Ok(*s);
            }
            let full = full.get_or_insert_with(|| {
                matrix(&MatrixSpec {
                    sizes: DEFAULT_SIZES.to_vec(),
                    backends: crate::backend::ALL_BACKENDS.to_vec(),
                    quick: false,
                })
            });
            let found = full.iter().find(|s| s.id() == *id).copied();
            found.inspect(|s| all.push(*s)).ok_or_else(|| {
                super::GateError::Usage(format!("scenario {id}: not in this build's matrix"))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::ALL_BACKENDS;

    #[test]
    fn twenty_two_per_backend_and_the_controls() {
        let all = scenarios(ALL_BACKENDS, None);
        assert_eq!(all.len(), 22 * ALL_BACKENDS.len() + 3);
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
        // Outside the subset, from the full matrix.
        assert_eq!(
            by_ids(&["seal_ring_aes256gcm_1350".to_string()])
                .unwrap()
                .len(),
            1
        );
        for c in ["memcpy_64", "memcpy_16384", "arith_1024"] {
            assert!(ids.iter().any(|i| i == c), "{c}");
        }
        let ring = IdFilter::new("_ring_").unwrap();
        let f = scenarios(ALL_BACKENDS, Some(&ring));
        assert_eq!(f.iter().filter(|s| s.is_control()).count(), 3);
        assert!(
            f.iter()
                .filter(|s| !s.is_control())
                .all(|s| s.id().contains("_ring_"))
        );
    }
}
