//! AES-GCM and ChaCha20-Poly1305 through ring's `LessSafeKey`, and the path ring's dispatch
//! takes on a given CPU.
//!
//! `LessSafeKey` takes any nonce the caller passes: nonce uniqueness is the caller's
//! responsibility (the envelope layer derives nonces; the harness uses counters).

use ::ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey};

use crate::backend::{Aead, AeadId, AeadKey, AeadParams, Error, Unsupported};
use crate::cpu::{CpuFeatures, Evidence, ImplPath, PathReport};

/// ring's only nonce length (96 bits).
const NONCE_LEN: usize = ::ring::aead::NONCE_LEN;
/// ring's only tag length (128 bits).
const TAG_LEN: usize = ::ring::aead::MAX_TAG_LEN;

/// One ring AEAD algorithm.
pub(super) struct RingAead {
    id: AeadId,
    alg: &'static ::ring::aead::Algorithm,
}

/// AES-128-GCM.
pub(super) static AES_128_GCM: RingAead = RingAead {
    id: AeadId::Aes128Gcm,
    alg: &::ring::aead::AES_128_GCM,
};
/// AES-256-GCM.
pub(super) static AES_256_GCM: RingAead = RingAead {
    id: AeadId::Aes256Gcm,
    alg: &::ring::aead::AES_256_GCM,
};
/// ChaCha20-Poly1305.
pub(super) static CHACHA20_POLY1305: RingAead = RingAead {
    id: AeadId::ChaCha20Poly1305,
    alg: &::ring::aead::CHACHA20_POLY1305,
};

impl Aead for RingAead {
    fn id(&self) -> AeadId {
        self.id
    }

    fn check_params(&self, params: AeadParams) -> Result<(), Unsupported> {
        if params.nonce_len != NONCE_LEN {
            return Err(Unsupported("ring only accepts 96-bit nonces"));
        }
        if params.tag_len != TAG_LEN {
            return Err(Unsupported("ring only produces 128-bit tags"));
        }
        Ok(())
    }

    fn new_key(&self, key: &[u8], params: AeadParams) -> Result<Box<dyn AeadKey>, Error> {
        self.check_params(params)?;
        if key.len() != self.id.key_len() {
            return Err(Error::BadLength("AEAD key has the wrong length"));
        }
        let unbound = UnboundKey::new(self.alg, key).map_err(|_| Error::KeyRejected("AEAD key"))?;
        Ok(Box::new(RingAeadKey {
            key: LessSafeKey::new(unbound),
            params,
        }))
    }
}

/// A ring AEAD key with its schedule computed.
struct RingAeadKey {
    key: LessSafeKey,
    params: AeadParams,
}

impl AeadKey for RingAeadKey {
    fn params(&self) -> AeadParams {
        self.params
    }

    fn seal_in_place(&self, nonce: &[u8], aad: &[u8], in_out: &mut [u8]) -> Result<(), Error> {
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| Error::BadLength("nonce must be 12 bytes"))?;
        let body_len = in_out
            .len()
            .checked_sub(TAG_LEN)
            .ok_or(Error::BadLength("buffer is shorter than the tag"))?;
        let (body, tag_out) = in_out
            .split_at_mut_checked(body_len)
            .ok_or(Error::BadLength("buffer is shorter than the tag"))?;
        let tag = self
            .key
            .seal_in_place_separate_tag(nonce, Aad::from(aad), body)
            .map_err(|_| Error::Crypto)?;
        tag_out.copy_from_slice(tag.as_ref());
        Ok(())
    }

    fn open_in_place(&self, nonce: &[u8], aad: &[u8], in_out: &mut [u8]) -> Result<usize, Error> {
        let opened = Nonce::try_assume_unique_for_key(nonce).and_then(|nonce| {
            self.key
                .open_in_place(nonce, Aad::from(aad), in_out)
                .map(|plaintext| plaintext.len())
        });
        opened.map_err(|_| {
            in_out.fill(0);
            Error::Crypto
        })
    }
}

/// Whether the CPU has `name`, or `None` when [`CpuFeatures`] does not report that feature.
fn reported(cpu: &CpuFeatures, name: &str) -> Option<bool> {
    cpu.features
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.present)
}

/// The path ring 0.17.14 takes for `id` on `cpu` (read from its `aead/aes_gcm.rs`,
/// `aead/chacha20_poly1305/` and `cpu/intel.rs`). ring detects features with CPUID alone and
/// never reads `OPENSSL_ia32cap`, so masks do not change the result.
pub(super) fn path(id: AeadId, cpu: &CpuFeatures) -> PathReport {
    let (path, basis) = match (cpu.arch, id) {
        ("x86_64", AeadId::Aes128Gcm | AeadId::Aes256Gcm) => x86_64_gcm(cpu),
        ("x86_64", AeadId::ChaCha20Poly1305) => x86_64_chacha(cpu),
        ("aarch64", AeadId::Aes128Gcm | AeadId::Aes256Gcm) => aarch64_gcm(cpu),
        ("aarch64", AeadId::ChaCha20Poly1305) => (
            ImplPath::Neon,
            "ring 0.17 chacha20_poly1305: NEON -> integrated chacha20_poly1305 NEON assembly",
        ),
        _ => (
            ImplPath::Soft,
            "ring 0.17: no assembly for this architecture -> portable fallback",
        ),
    };
    PathReport {
        path,
        evidence: Evidence::Inferred,
        basis,
    }
}

fn x86_64_gcm(cpu: &CpuFeatures) -> (ImplPath, &'static str) {
    // ring's hardware key needs AES-NI+SSSE3 and CLMUL+SSSE3; every AES-NI CPU has SSSE3.
    if !(cpu.has("aes") && cpu.has("pclmulqdq")) {
        return (
            ImplPath::Soft,
            "ring 0.17 aes_gcm.rs DynKey::new: no AES-NI+CLMUL -> vpaes (SSSE3) or fallback \
             AES with software GHASH; ring ignores OPENSSL_ia32cap (cpu/intel.rs reads CPUID only)",
        );
    }
    // `VAesClmul` is only set when AVX is usable (cpu/intel.rs).
    let vaes = cpu.has("avx") && cpu.has("vaes") && cpu.has("vpclmulqdq");
    if vaes && cpu.has("avx2") {
        return (
            ImplPath::VaesAvx2,
            "ring 0.17 aes_gcm.rs DynKey::new: AES-NI+CLMUL with AVX+VAES+VPCLMULQDQ+AVX2 -> \
             VAesClMulAvx2; ring ignores OPENSSL_ia32cap (cpu/intel.rs reads CPUID only)",
        );
    }
    // MOVBE is not in CpuFeatures; every CPU with AVX2 has it (Haswell, Excavator, Zen on).
    let movbe = reported(cpu, "movbe").unwrap_or_else(|| cpu.has("avx2"));
    if cpu.has("avx") && movbe {
        return (
            ImplPath::AesniClmulAvx,
            "ring 0.17 aes_gcm.rs DynKey::new: AES-NI+CLMUL with AVX+MOVBE (MOVBE inferred from \
             AVX2 when not reported) -> AesHwClMulAvxMovbe; ring ignores OPENSSL_ia32cap",
        );
    }
    (
        ImplPath::AesniClmul,
        "ring 0.17 aes_gcm.rs DynKey::new: AES-NI+CLMUL without AVX+MOVBE -> AesHwClMul; \
         ring ignores OPENSSL_ia32cap (cpu/intel.rs reads CPUID only)",
    )
}

fn x86_64_chacha(cpu: &CpuFeatures) -> (ImplPath, &'static str) {
    if cpu.has("avx2") && cpu.has("bmi2") {
        (
            ImplPath::Avx2,
            "ring 0.17 chacha20_poly1305/integrated.rs: SSE4.1 with AVX2+BMI2 -> \
             chacha20_poly1305_seal_avx2; ring ignores OPENSSL_ia32cap",
        )
    } else {
        (
            ImplPath::Sse,
            "ring 0.17 chacha20_poly1305/integrated.rs: SSE4.1 (assumed; on every x86_64 CPU \
             since 2008) without AVX2+BMI2 -> chacha20_poly1305_seal_sse41; ring ignores \
             OPENSSL_ia32cap",
        )
    }
}

fn aarch64_gcm(cpu: &CpuFeatures) -> (ImplPath, &'static str) {
    if cpu.has("aes") && cpu.has("pmull") {
        (
            ImplPath::Armv8AesPmull,
            "ring 0.17 aes_gcm.rs DynKey::new: AES+PMULL -> AesHwClMul (aarch64 assembly)",
        )
    } else {
        (
            ImplPath::Soft,
            "ring 0.17 aes_gcm.rs DynKey::new: no AES+PMULL -> vpaes with NEON GHASH or \
             fallback, reported as soft",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::Feature;

    fn key(alg: &RingAead, key_hex: &str) -> Box<dyn AeadKey> {
        alg.new_key(&hex::decode(key_hex).unwrap(), alg.id.default_params())
            .unwrap()
    }

    // The GCM spec and RFC 8439 vectors and the tamper test are `backend::contract`'s.

    #[test]
    fn only_96_bit_nonces_and_128_bit_tags() {
        let short_tag = AeadParams {
            nonce_len: 12,
            tag_len: 12,
        };
        let long_nonce = AeadParams {
            nonce_len: 16,
            tag_len: 16,
        };
        assert!(AES_128_GCM.check_params(short_tag).is_err());
        assert!(AES_128_GCM.check_params(long_nonce).is_err());
        assert!(AES_128_GCM.new_key(&[0u8; 16], long_nonce).is_err());
        assert!(matches!(
            AES_128_GCM.new_key(&[0u8; 15], AeadId::Aes128Gcm.default_params()),
            Err(Error::BadLength(_))
        ));
        let key = key(&AES_128_GCM, "00000000000000000000000000000000");
        assert!(matches!(
            key.seal_in_place(&[0u8; 8], b"", &mut [0u8; 32]),
            Err(Error::BadLength(_))
        ));
        assert!(matches!(
            key.seal_in_place(&[0u8; 12], b"", &mut [0u8; 15]),
            Err(Error::BadLength(_))
        ));
    }

    fn cpu(arch: &'static str, present: &[&'static str]) -> CpuFeatures {
        CpuFeatures {
            arch,
            vendor: "test".into(),
            model: "test".into(),
            logical_cpus: 1,
            os: "linux",
            features: present
                .iter()
                .map(|&name| Feature {
                    name,
                    present: true,
                })
                .collect(),
        }
    }

    #[test]
    fn dispatch_follows_ring_aes_gcm_rs() {
        let gcm = |c: &CpuFeatures| path(AeadId::Aes128Gcm, c).path;
        let zen4 = cpu(
            "x86_64",
            &[
                "aes",
                "pclmulqdq",
                "avx",
                "avx2",
                "vaes",
                "vpclmulqdq",
                "avx512f",
                "bmi2",
            ],
        );
        assert_eq!(gcm(&zen4), ImplPath::VaesAvx2);
        assert_eq!(path(AeadId::ChaCha20Poly1305, &zen4).path, ImplPath::Avx2);
        assert_eq!(
            gcm(&cpu("x86_64", &["aes", "pclmulqdq", "avx", "avx2"])),
            ImplPath::AesniClmulAvx
        );
        assert_eq!(
            gcm(&cpu("x86_64", &["aes", "pclmulqdq", "avx"])),
            ImplPath::AesniClmul
        );
        assert_eq!(gcm(&cpu("x86_64", &["avx", "avx2"])), ImplPath::Soft);
        assert_eq!(
            gcm(&cpu("aarch64", &["aes", "pmull", "neon"])),
            ImplPath::Armv8AesPmull
        );
        assert_eq!(
            path(AeadId::ChaCha20Poly1305, &cpu("aarch64", &["neon"])).path,
            ImplPath::Neon
        );
        assert!(
            path(AeadId::Aes128Gcm, &zen4)
                .basis
                .contains("ignores OPENSSL_ia32cap")
        );
        assert_eq!(path(AeadId::Aes128Gcm, &zen4).evidence, Evidence::Inferred);
    }
}
