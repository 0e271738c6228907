//! AES-GCM and ChaCha20-Poly1305 through aws-lc-rs's `LessSafeKey`, and the path AWS-LC's
//! dispatch takes on a given CPU under the `OPENSSL_ia32cap` mask in effect.
//!
//! `LessSafeKey` takes any nonce the caller passes: nonce uniqueness is the caller's
//! responsibility. Sealing uses `seal_in_place_scatter`, which writes the tag straight into
//! the buffer's tail (no intermediate `Tag` copy); opening uses `open_in_place_separate_tag`
//! (one `EVP_AEAD_CTX_open_gather` call; `open_in_place` adds a same-place `copy_within`).
//! Neither allocates.

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey};

use crate::backend::{Aead, AeadId, AeadKey, AeadParams, Error, Unsupported};
use crate::cpu::{CpuFeatures, Evidence, IA32CAP_VAR, Ia32Cap, ImplPath, PathReport};

/// aws-lc-rs's only nonce length for these AEADs (96 bits).
const NONCE_LEN: usize = aws_lc_rs::aead::NONCE_LEN;
/// aws-lc-rs's tag length for these AEADs (128 bits).
const TAG_LEN: usize = aws_lc_rs::aead::MAX_TAG_LEN;

/// One aws-lc-rs AEAD algorithm.
pub(super) struct AwsLcAead {
    id: AeadId,
    alg: &'static aws_lc_rs::aead::Algorithm,
}

/// AES-128-GCM.
pub(super) static AES_128_GCM: AwsLcAead = AwsLcAead {
    id: AeadId::Aes128Gcm,
    alg: &aws_lc_rs::aead::AES_128_GCM,
};
/// AES-256-GCM.
pub(super) static AES_256_GCM: AwsLcAead = AwsLcAead {
    id: AeadId::Aes256Gcm,
    alg: &aws_lc_rs::aead::AES_256_GCM,
};
/// ChaCha20-Poly1305.
pub(super) static CHACHA20_POLY1305: AwsLcAead = AwsLcAead {
    id: AeadId::ChaCha20Poly1305,
    alg: &aws_lc_rs::aead::CHACHA20_POLY1305,
};

impl Aead for AwsLcAead {
    fn id(&self) -> AeadId {
        self.id
    }

    fn check_params(&self, params: AeadParams) -> Result<(), Unsupported> {
        if params.nonce_len != NONCE_LEN {
            return Err(Unsupported("aws-lc-rs only accepts 96-bit nonces"));
        }
        if params.tag_len != TAG_LEN {
            return Err(Unsupported("aws-lc-rs only produces 128-bit tags"));
        }
        Ok(())
    }

    fn new_key(&self, key: &[u8], params: AeadParams) -> Result<Box<dyn AeadKey>, Error> {
        self.check_params(params)?;
        if key.len() != self.id.key_len() {
            return Err(Error::BadLength("AEAD key has the wrong length"));
        }
        let unbound = UnboundKey::new(self.alg, key).map_err(|_| Error::KeyRejected("AEAD key"))?;
        Ok(Box::new(AwsLcAeadKey {
            key: LessSafeKey::new(unbound),
            params,
        }))
    }
}

/// An aws-lc-rs AEAD key (an initialised `EVP_AEAD_CTX`).
struct AwsLcAeadKey {
    key: LessSafeKey,
    params: AeadParams,
}

impl AeadKey for AwsLcAeadKey {
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
        self.key
            .seal_in_place_scatter(nonce, Aad::from(aad), body, &[], tag_out)
            .map_err(|_| Error::Crypto)
    }

    fn open_in_place(&self, nonce: &[u8], aad: &[u8], in_out: &mut [u8]) -> Result<usize, Error> {
        let opened = match (
            Nonce::try_assume_unique_for_key(nonce),
            in_out.len().checked_sub(TAG_LEN),
        ) {
            (Ok(nonce), Some(body_len)) => match in_out.split_at_mut_checked(body_len) {
                Some((body, tag)) => self
                    .key
                    .open_in_place_separate_tag(nonce, Aad::from(aad), tag, body)
                    .map(|plaintext| plaintext.len())
                    .ok(),
                None => None,
            },
            _ => None,
        };
        opened.ok_or_else(|| {
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

/// The path AWS-LC takes for `id` on `cpu` with this process's `OPENSSL_ia32cap`.
pub(super) fn path(id: AeadId, cpu: &CpuFeatures) -> PathReport {
    let mask = std::env::var(IA32CAP_VAR).ok();
    path_with_mask(id, cpu, mask.as_deref())
}

/// The capability bits AWS-LC's AEAD dispatch reads, after the mask.
struct Caps {
    cap: Ia32Cap,
    movbe: bool,
    sse41: bool,
    bmi2: bool,
    /// AVX-512 F+VL+BW+DQ (`CRYPTO_is_AVX512_capable`); DQ is not in `CpuFeatures`, so it is
    /// assumed present with VL and BW (true of every AVX-512 CPU with both).
    avx512: bool,
}

impl Caps {
    fn new(cpu: &CpuFeatures, mask: Option<&str>) -> Self {
        // AWS-LC only touches the second word when the value has a `:` part
        // (cpucap/cpu_intel.c), unlike OpenSSL 3 which `Ia32Cap::effective` models.
        let mask = mask.map(|m| {
            if m.contains(':') {
                m.to_owned()
            } else {
                format!("{m}:~0x0")
            }
        });
        let cap = Ia32Cap::effective(cpu, mask.as_deref());
        let (w0, w1) = mask
            .as_deref()
            .map_or((u64::MAX, u64::MAX), crate::cpu::parse_ia32cap_mask);
        let bit = |w: u64, n: u32| w >> n & 1 == 1;
        // MOVBE is not in CpuFeatures; every CPU with AVX2 has it (Haswell, Excavator, Zen on).
        let movbe = reported(cpu, "movbe").unwrap_or_else(|| cpu.has("avx2"));
        Self {
            cap,
            // word 0 = CPUID.1 EDX:ECX; ECX bit 22 MOVBE, bit 19 SSE4.1 (assumed present).
            movbe: movbe && bit(w0, 54),
            sse41: reported(cpu, "sse4.1").unwrap_or(true) && bit(w0, 51),
            // word 1 = CPUID.7 EBX (low half); bit 8 BMI2, 17 DQ, 30 BW, 31 VL.
            bmi2: cpu.has("bmi2") && bit(w1, 8),
            avx512: cap.avx512f
                && cpu.has("avx512vl")
                && bit(w1, 31)
                && cpu.has("avx512bw")
                && bit(w1, 30)
                && bit(w1, 17),
        }
    }
}

fn path_with_mask(id: AeadId, cpu: &CpuFeatures, mask: Option<&str>) -> PathReport {
    let (path, basis) = match (cpu.arch, id) {
        ("x86_64", AeadId::Aes128Gcm | AeadId::Aes256Gcm) => {
            x86_64_gcm(&Caps::new(cpu, mask), cpu.os == "windows")
        }
        ("x86_64", AeadId::ChaCha20Poly1305) => x86_64_chacha(&Caps::new(cpu, mask)),
        ("aarch64", AeadId::Aes128Gcm | AeadId::Aes256Gcm) => aarch64_gcm(cpu),
        ("aarch64", AeadId::ChaCha20Poly1305) => (
            ImplPath::Neon,
            "AWS-LC cipher_extra/internal.h: NEON -> chacha20_poly1305_armv8 \
             (OPENSSL_armcap not modelled)",
        ),
        _ => (
            ImplPath::Soft,
            "AWS-LC: no assembly for this architecture -> portable C",
        ),
    };
    PathReport {
        path,
        evidence: Evidence::Inferred,
        basis,
    }
}

fn x86_64_gcm(caps: &Caps, windows: bool) -> (ImplPath, &'static str) {
    let cap = &caps.cap;
    if !cap.aesni {
        return (
            ImplPath::Soft,
            "AWS-LC cipher/e_aes.c aes_ctr_set_key: no AES-NI -> vpaes (SSSE3) or aes_nohw; GHASH \
             may still use PCLMUL/VPCLMULQDQ unless masked; OPENSSL_ia32cap applied",
        );
    }
    if cap.vaes && cap.vpclmulqdq && caps.avx512 && !windows {
        return (
            ImplPath::VaesAvx512,
            "AWS-LC modes/gcm.c crypto_gcm_avx512_enabled: AES-NI with VAES+VPCLMULQDQ+AVX-512 \
             F/VL/BW/DQ (not Windows) -> aes_gcm_encrypt_avx512; OPENSSL_ia32cap applied",
        );
    }
    if cap.pclmul && cap.avx && caps.movbe {
        return (
            ImplPath::AesniClmulAvx,
            "AWS-LC modes/gcm.c CRYPTO_ghash_init: AES-NI+PCLMUL with AVX+MOVBE -> \
             aesni_gcm_encrypt (AWS-LC has no VAES-AVX2 GCM); OPENSSL_ia32cap applied",
        );
    }
    if cap.pclmul {
        return (
            ImplPath::AesniClmul,
            "AWS-LC modes/gcm.c CRYPTO_ghash_init: AES-NI+PCLMUL without AVX+MOVBE -> AES-NI \
             CTR with gcm_ghash_clmul; OPENSSL_ia32cap applied",
        );
    }
    (
        ImplPath::Soft,
        "AWS-LC modes/gcm.c CRYPTO_ghash_init: AES-NI without PCLMUL -> AES-NI CTR with SSSE3 \
         GHASH, reported as soft; OPENSSL_ia32cap applied",
    )
}

fn x86_64_chacha(caps: &Caps) -> (ImplPath, &'static str) {
    let avx2 = caps.cap.avx2;
    match (caps.sse41, avx2 && caps.bmi2) {
        (true, true) => (
            ImplPath::Avx2,
            "AWS-LC chacha20_poly1305_x86_64: SSE4.1 with AVX2+BMI2 -> *_avx2; \
             OPENSSL_ia32cap applied",
        ),
        (true, false) => (
            ImplPath::Sse,
            "AWS-LC chacha20_poly1305_x86_64: SSE4.1 without AVX2+BMI2 -> SSE4.1 assembly; \
             OPENSSL_ia32cap applied",
        ),
        (false, _) if avx2 => (
            ImplPath::Avx2,
            "AWS-LC cipher_extra/internal.h: SSE4.1 masked -> ChaCha20_ctr32_avx2 (inputs over \
             128 bytes) with separate Poly1305; OPENSSL_ia32cap applied",
        ),
        (false, _) => (
            ImplPath::Sse,
            "AWS-LC cipher_extra/internal.h: SSE4.1 masked -> ChaCha20_ctr32_ssse3 with separate \
             Poly1305; OPENSSL_ia32cap applied",
        ),
    }
}

fn aarch64_gcm(cpu: &CpuFeatures) -> (ImplPath, &'static str) {
    if cpu.has("aes") && cpu.has("pmull") {
        (
            ImplPath::Armv8AesPmull,
            "AWS-LC modes/gcm.c: AES+PMULL -> aes_gcm_enc_kernel (OPENSSL_armcap not modelled)",
        )
    } else {
        (
            ImplPath::Soft,
            "AWS-LC modes/gcm.c: no AES+PMULL -> software AES with NEON or C GHASH \
             (OPENSSL_armcap not modelled)",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::{Feature, IA32CAP_MASK_AESNI_PCLMUL, IA32CAP_MASK_VAES_AVX512};

    fn key(alg: &AwsLcAead, key_hex: &str) -> Box<dyn AeadKey> {
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

    fn cpu(present: &[&'static str]) -> CpuFeatures {
        CpuFeatures {
            arch: "x86_64",
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

    const ZEN4: &[&str] = &[
        "aes",
        "pclmulqdq",
        "avx",
        "avx2",
        "vaes",
        "vpclmulqdq",
        "avx512f",
        "avx512vl",
        "avx512bw",
        "bmi2",
    ];

    #[test]
    fn dispatch_follows_aws_lc_and_honours_masks() {
        let gcm = |c: &CpuFeatures, m| path_with_mask(AeadId::Aes256Gcm, c, m).path;
        let chacha = |c: &CpuFeatures, m| path_with_mask(AeadId::ChaCha20Poly1305, c, m).path;
        let zen4 = cpu(ZEN4);
        assert_eq!(gcm(&zen4, None), ImplPath::VaesAvx512);
        assert_eq!(
            gcm(&zen4, Some(IA32CAP_MASK_VAES_AVX512)),
            ImplPath::AesniClmulAvx
        );
        assert_eq!(gcm(&zen4, Some(IA32CAP_MASK_AESNI_PCLMUL)), ImplPath::Soft);
        // AWS-LC leaves the second word alone when no `:` part is given.
        assert_eq!(gcm(&zen4, Some("~0x0")), ImplPath::VaesAvx512);
        assert_eq!(chacha(&zen4, None), ImplPath::Avx2);
        assert_eq!(chacha(&zen4, Some("~0x0:~0x20")), ImplPath::Sse);
        // A VAES CPU without AVX-512 (Zen 3): AWS-LC has no VAES-AVX2 GCM.
        let zen3 = cpu(&[
            "aes",
            "pclmulqdq",
            "avx",
            "avx2",
            "vaes",
            "vpclmulqdq",
            "bmi2",
        ]);
        assert_eq!(gcm(&zen3, None), ImplPath::AesniClmulAvx);
        // Clearing MOVBE (word 0 bit 54) drops the stitched AVX path.
        assert_eq!(
            gcm(&zen3, Some("~0x40000000000000:~0x0")),
            ImplPath::AesniClmul
        );
        assert_eq!(gcm(&cpu(&["avx", "avx2"]), None), ImplPath::Soft);
        let report = path_with_mask(AeadId::Aes128Gcm, &zen4, None);
        assert_eq!(report.evidence, Evidence::Inferred);
        assert!(report.basis.contains("OPENSSL_ia32cap applied"));
    }
}
