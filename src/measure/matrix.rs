//! The scenario matrix: layer × op × mode × algorithm × backend × size (× identity,
//! recipients, content-key reuse). Built once here; `sealbench run`, the criterion bench
//! and the tests all iterate it.
//!
//! Sizes per layer (`sizes` = the default list or `--sizes`):
//! - control, in every profile: `arith_1024` ([`ARITH_STEPS`]), and memcpy at every size;
//! - every size, in every profile: memcpy, raw AEAD and HMAC, plain framing, envelope
//!   Mac0 and Encrypt0 (the symmetric modes);
//! - [`SizeClass::PublicKey`] — every size by default and with `--precise`; with `--quick`
//!   only 64 and 1350 (those of them selected, else the smallest selected): raw
//!   sign/verify, Sign1 with `kid`, Encrypt/SignEncrypt with a fresh content key to one
//!   recipient;
//! - [`SizeClass::Few`] — 64 and 1350 (64 only with `--quick`; else the smallest selected):
//!   Sign1 with `x5t`/`x5chain`/`spki`, OAEP to 2…64 recipients, content-key reuse 100;
//! - [`SizeClass::KeyLen`] — 16 and 32 (the AES-128 and AES-256 key lengths), whatever
//!   `--sizes` says: raw RSA-OAEP and ECDH-ES + HKDF.

use super::scenario::{EnvelopeSpec, Op, Recipients, Scenario, Work};
use crate::backend::{AeadId, Backend, KeyAgreementId, KeyTransportId, MacId, SignatureId};
use crate::channel::{CertAlg, ChannelSpec, Stack, Transport};
use crate::envelope::{Identity, Mode};

/// Payload sizes measured by default, bytes.
pub const DEFAULT_SIZES: &[usize] = &[16, 64, 256, 1024, 1350, 4096, 8192, 16384, 65536, 1048576];
/// Steps of the arithmetic control scenario (`arith_1024`, about a microsecond).
pub const ARITH_STEPS: usize = 1024;
/// Recipient counts for RSA-OAEP key transport.
pub const OAEP_RECIPIENTS: &[u32] = &[1, 2, 4, 8, 16, 64];
/// Messages per content key in the reuse variant of hybrid seals.
pub const CEK_REUSE: u32 = 100;
/// Sizes of the public-key and sweep classes, where selected.
const FEW_SIZES: &[usize] = &[64, 1350];
/// Key lengths for key transport and agreement.
const KEY_LENS: &[usize] = &[16, 32];

/// Which sizes a scenario family runs at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizeClass {
    /// Every selected size.
    All,
    /// Every selected size, 64 and 1350 only with `--quick`.
    PublicKey,
    /// 64 and 1350 (64 with `--quick`).
    Few,
    /// 16 and 32 bytes of key.
    KeyLen,
    /// [`ARITH_STEPS`] only, whatever the sizes.
    Control,
}

/// What to build the matrix for.
#[derive(Debug, Clone)]
pub struct MatrixSpec {
    /// Payload sizes (sorted, distinct).
    pub sizes: Vec<usize>,
    /// Backends.
    pub backends: Vec<&'static Backend>,
    /// The quick profile runs public-key families at fewer sizes.
    pub quick: bool,
}

impl MatrixSpec {
    /// Sizes of a class.
    pub fn sizes_of(&self, class: SizeClass) -> Vec<usize> {
        let pick = |wanted: &[usize]| {
            let v: Vec<usize> = self
                .sizes
                .iter()
                .copied()
                .filter(|s| wanted.contains(s))
                .collect();
            if v.is_empty() {
                self.sizes.iter().copied().min().into_iter().collect()
            } else {
                v
            }
        };
        match (class, self.quick) {
            (SizeClass::All, _) | (SizeClass::PublicKey, false) => self.sizes.clone(),
            (SizeClass::PublicKey, true) => pick(FEW_SIZES),
            (SizeClass::Few, true) => pick(FEW_SIZES.get(..1).unwrap_or_default()),
            (SizeClass::Few, false) => pick(FEW_SIZES),
            (SizeClass::KeyLen, _) => KEY_LENS.to_vec(),
            (SizeClass::Control, _) => vec![ARITH_STEPS],
        }
    }
}

struct Builder<'a> {
    spec: &'a MatrixSpec,
    out: Vec<Scenario>,
}

impl Builder<'_> {
    fn add(&mut self, backend: Option<&'static Backend>, work: Work, ops: &[Op], class: SizeClass) {
        for &op in ops {
            for size in self.spec.sizes_of(class) {
                self.out.push(Scenario {
                    op,
                    work,
                    backend,
                    backend_tag: None,
                    size,
                });
            }
        }
    }
}

const SEAL_OPEN: &[Op] = &[Op::Seal, Op::Open];

fn envelope(mode: Mode) -> EnvelopeSpec {
    EnvelopeSpec {
        mode,
        mac: None,
        signature: None,
        recipients: None,
        aead: None,
        identity: Some(Identity::Kid),
        cek_reuse: None,
    }
}

/// The whole matrix for `spec`, in report order: raw, plain, envelope.
pub fn matrix(spec: &MatrixSpec) -> Vec<Scenario> {
    let mut b = Builder {
        spec,
        out: Vec::new(),
    };
    b.add(None, Work::Memcpy, &[Op::Memcpy], SizeClass::All);
    b.add(None, Work::Arith, &[Op::Arith], SizeClass::Control);
    for &be in &spec.backends {
        let be = Some(be);
        for &a in AeadId::ALL {
            b.add(be, Work::Aead(a), SEAL_OPEN, SizeClass::All);
        }
        for &m in MacId::ALL {
            b.add(be, Work::Mac(m), &[Op::Mac, Op::Verify], SizeClass::All);
        }
        for &s in SignatureId::ALL {
            b.add(
                be,
                Work::Signature(s),
                &[Op::Sign, Op::Verify],
                SizeClass::PublicKey,
            );
        }
        for &k in KeyTransportId::ALL {
            let ops = &[Op::EncryptKey, Op::DecryptKey];
            b.add(be, Work::KeyTransport(k), ops, SizeClass::KeyLen);
        }
        for &k in KeyAgreementId::ALL {
            let ops = &[Op::AgreeEphemeral, Op::Agree];
            b.add(be, Work::KeyAgreement(k), ops, SizeClass::KeyLen);
        }
    }
    b.add(
        None,
        Work::Envelope(envelope(Mode::Plain)),
        SEAL_OPEN,
        SizeClass::All,
    );
    for &be in &spec.backends {
        envelope_modes(&mut b, be);
    }
    for &stack in Stack::ALL {
        // A stack is measured with its crypto backend (rustls-aws-lc with aws-lc, ...).
        if let Some(be) = stack
            .backend()
            .filter(|be| spec.backends.iter().any(|x| x.name == be.name))
        {
            channel(&mut b, stack, be);
        }
    }
    b.out
}

/// Messages per connection of the amortized channel scenarios.
pub const MESSAGES_PER_CONNECTION: &[u32] = &[1, 10, 100, 10_000];

/// TLS on `stack` over each transport: full handshakes (both certificate types) and a
/// resumed one (size 0: no payload), messages on an established connection at every size,
/// and messages on connections of [`MESSAGES_PER_CONNECTION`] messages (sizes `Few`).
fn channel(b: &mut Builder<'_>, stack: Stack, be: &'static Backend) {
    for &transport in Transport::ALL {
        let spec = |cert, per_connection| {
            Work::Channel(ChannelSpec {
                stack,
                cert,
                transport,
                per_connection,
            })
        };
        let at = |op, work| Scenario {
            op,
            work,
            backend: Some(be),
            backend_tag: None,
            size: 0,
        };
        for &cert in CertAlg::ALL {
            b.out.push(at(Op::Handshake, spec(cert, None)));
        }
        b.out.push(at(Op::Resume, spec(CertAlg::Ed25519, None)));
        let ed = Some(be);
        b.add(
            ed,
            spec(CertAlg::Ed25519, None),
            &[Op::Message],
            SizeClass::All,
        );
        for &n in MESSAGES_PER_CONNECTION {
            b.add(
                ed,
                spec(CertAlg::Ed25519, Some(n)),
                &[Op::Message],
                SizeClass::Few,
            );
        }
    }
}

fn envelope_modes(b: &mut Builder<'_>, be: &'static Backend) {
    let be = Some(be);
    let mac0 = EnvelopeSpec {
        mac: Some(MacId::HmacSha256),
        ..envelope(Mode::Mac0)
    };
    b.add(be, Work::Envelope(mac0), SEAL_OPEN, SizeClass::All);
    for &a in AeadId::ALL {
        let e = EnvelopeSpec {
            aead: Some(a),
            ..envelope(Mode::Encrypt0)
        };
        b.add(be, Work::Envelope(e), SEAL_OPEN, SizeClass::All);
    }
    for &s in SignatureId::ALL {
        for &identity in Identity::ALL {
            let e = EnvelopeSpec {
                signature: Some(s),
                identity: Some(identity),
                ..envelope(Mode::Sign1)
            };
            let class = if identity == Identity::Kid {
                SizeClass::PublicKey
            } else {
                SizeClass::Few
            };
            b.add(be, Work::Envelope(e), SEAL_OPEN, class);
        }
    }
    let mut hybrid = |mode: Mode, signature: Option<SignatureId>, r: Recipients| {
        for reuse in [1, CEK_REUSE] {
            let e = EnvelopeSpec {
                signature,
                recipients: Some(r),
                aead: Some(AeadId::Aes128Gcm),
                identity: signature.map(|_| Identity::Kid),
                cek_reuse: Some(reuse),
                ..envelope(mode)
            };
            let class = if reuse == 1 && r.count() == 1 {
                SizeClass::PublicKey
            } else {
                SizeClass::Few
            };
            // The opener recovers the content key per message whatever the sender's
            // reuse, so the open side is measured once, at reuse 1.
            let ops: &[Op] = if reuse == 1 { SEAL_OPEN } else { &[Op::Seal] };
            b.add(be, Work::Envelope(e), ops, class);
        }
    };
    for &n in OAEP_RECIPIENTS {
        hybrid(Mode::Encrypt, None, Recipients::Oaep(n));
    }
    for &k in KeyAgreementId::ALL {
        hybrid(Mode::Encrypt, None, Recipients::EcdhEs(k));
    }
    for s in [SignatureId::Ed25519, SignatureId::EcdsaP256Sha256] {
        hybrid(Mode::SignEncrypt, Some(s), Recipients::Oaep(1));
        hybrid(
            Mode::SignEncrypt,
            Some(s),
            Recipients::EcdhEs(KeyAgreementId::X25519),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::ALL_BACKENDS;

    fn spec(quick: bool) -> MatrixSpec {
        MatrixSpec {
            sizes: DEFAULT_SIZES.to_vec(),
            backends: ALL_BACKENDS.to_vec(),
            quick,
        }
    }

    #[test]
    fn size_classes() {
        let q = spec(true);
        assert_eq!(q.sizes_of(SizeClass::PublicKey), [64, 1350]);
        assert_eq!(q.sizes_of(SizeClass::Few), [64]);
        assert_eq!(spec(false).sizes_of(SizeClass::PublicKey), DEFAULT_SIZES);
        let odd = MatrixSpec {
            sizes: vec![100, 7],
            ..spec(false)
        };
        assert_eq!(odd.sizes_of(SizeClass::Few), [7]);
        assert_eq!(odd.sizes_of(SizeClass::KeyLen), [16, 32]);
    }

    #[test]
    fn ids_are_unique_and_families_drop_the_size() {
        for quick in [true, false] {
            let m = matrix(&spec(quick));
            let mut ids: Vec<String> = m.iter().map(Scenario::id).collect();
            let n = ids.len();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), n, "duplicate scenario ids");
            for s in &m {
                assert_eq!(s.id(), format!("{}_{}", s.family(), s.size));
            }
        }
    }

    #[test]
    fn known_ids() {
        let ids: Vec<String> = matrix(&spec(false)).iter().map(Scenario::id).collect();
        for want in [
            "memcpy_1350",
            "arith_1024",
            "plain-seal_kid_1350",
            "env-open_encrypt_openssl_rsaoaep2048+aes128gcm_r64_reuse1_64",
            "env-seal_sign-encrypt_aws-lc_ed25519+x25519+aes128gcm_kid_r1_reuse100_1350",
            "env-seal_sign1_ring_rsapss2048_x5chain_1350",
            "agree-ephemeral_rustcrypto_x25519+hkdfsha256_16",
            "channel-handshake_rustls-aws-lc_x25519+ecdsap256+aes128gcm_0",
            "channel-resume_rustls-ring@memory_x25519+ed25519+aes128gcm_0",
            "channel-message_openssl_x25519+ed25519+aes128gcm_16384",
            "channel-message_rustls-aws-lc_x25519+ed25519+aes128gcm_conn10000_1350",
        ] {
            assert!(ids.iter().any(|i| i == want), "{want} missing");
        }
    }
}
