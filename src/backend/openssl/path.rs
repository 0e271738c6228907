//! Which assembly path libcrypto takes for an AEAD, inferred from its dispatch code.
//!
//! libcrypto reports no path, so this reads the same capability bits its dispatch reads:
//! the CPU's features with `OPENSSL_ia32cap` applied ([`Ia32Cap::effective`], plus the few
//! bits that model leaves out, decoded here with [`parse_ia32cap_mask`]).
//!
//! The VAES/AVX-512 AES-GCM code (`aes-gcm-avx512.pl`, `cipher_aes_gcm_hw_vaes_avx512.inc`)
//! is not in OpenSSL 3.0: it first shipped in 3.1. The Debian 3.0.19 libcrypto this was
//! written against contains no `vaesenc` on `zmm` registers and no `vpclmulqdq` on `ymm`
//! or `zmm` registers at all (checked with `objdump -d`), so on 3.0 a VAES CPU still runs
//! the AES-NI stitched code.

use crate::backend::AeadId;
use crate::cpu::{
    CpuFeatures, Evidence, IA32CAP_VAR, Ia32Cap, ImplPath, PathReport, parse_ia32cap_mask,
};

/// `OPENSSL_VERSION_NUMBER` of 3.1.0, the first release with the VAES/AVX-512 GCM code.
const FIRST_WITH_VAES_GCM: i64 = 0x3010_0000;

/// The path libcrypto takes for `id` on `cpu` in this process (reads `OPENSSL_ia32cap`).
pub(super) fn aead_path(id: AeadId, cpu: &CpuFeatures) -> PathReport {
    let mask = std::env::var(IA32CAP_VAR).ok();
    let has_vaes_gcm = openssl::version::number() >= FIRST_WITH_VAES_GCM;
    infer(id, cpu, mask.as_deref(), has_vaes_gcm)
}

/// The dispatch rules, as a pure function of the CPU, the mask and the library release.
fn infer(id: AeadId, cpu: &CpuFeatures, mask: Option<&str>, has_vaes_gcm: bool) -> PathReport {
    let (path, basis) = match cpu.arch {
        "x86_64" => {
            let caps = X86Caps::new(cpu, mask);
            if id.is_aes_gcm() {
                x86_gcm(&caps, has_vaes_gcm)
            } else {
                x86_chacha(&caps)
            }
        }
        "aarch64" if id.is_aes_gcm() => {
            if cpu.has("aes") && cpu.has("pmull") {
                (ImplPath::Armv8AesPmull, ARM_GCM_HW)
            } else {
                (ImplPath::Soft, ARM_GCM_SOFT)
            }
        }
        "aarch64" => (ImplPath::Neon, ARM_CHACHA),
        _ => (ImplPath::Soft, OTHER_ARCH),
    };
    PathReport {
        path,
        evidence: Evidence::Inferred,
        basis,
    }
}

const VAES_GCM: &str = "openssl>=3.1 cipher_aes_gcm_hw_aesni.inc: AES-NI and ossl_vaes_vpclmulqdq_capable \
     (AVX512F+DQ+BW+VL, VAES, VPCLMULQDQ) -> aes-gcm-avx512";
const STITCHED_GCM: &str = "openssl gcm128.c + cipher_aes_gcm_hw.c: AES-NI, PCLMULQDQ, AVX and MOVBE -> \
     gcm_ghash_avx and stitched aesni_gcm_encrypt/decrypt (inputs >= 288 bytes; shorter ones \
     aesni_ctr32 + ghash_avx); VAES/AVX-512 GCM code ships only from 3.1";
const CLMUL_GCM: &str = "openssl gcm128.c: AES-NI and PCLMULQDQ without AVX+MOVBE -> \
     aesni_ctr32_encrypt_blocks + gcm_ghash_clmul";
const SOFT_GCM: &str = "openssl cipher_aes_gcm_hw.c: no AES-NI+PCLMULQDQ (after OPENSSL_ia32cap) -> \
     bsaes/vpaes with SSSE3 (else table AES) + ghash clmul/4-bit";
const CHACHA_AVX512: &str = "openssl chacha-x86_64.pl ChaCha20_ctr32: AVX512F (word 1 bit 16) -> \
     ChaCha20_avx512 (16x for inputs > 512 bytes)";
const CHACHA_AVX512VL: &str = "openssl chacha-x86_64.pl ChaCha20_ctr32: AVX512F masked but AVX512VL \
     (word 1 bit 31) set -> ChaCha20_avx512vl on 256-bit vectors, reported as avx2 width";
const CHACHA_AVX2: &str = "openssl chacha-x86_64.pl: SSSE3 + AVX2 -> ChaCha20_8x for inputs > 128 \
     bytes (1x SSSE3 up to 128)";
const CHACHA_SSSE3: &str = "openssl chacha-x86_64.pl: SSSE3 without AVX2/AVX-512 -> ChaCha20_ssse3 / \
     ChaCha20_4x (XOP variant on AMD family 15h not modelled)";
const CHACHA_SCALAR: &str = "openssl chacha-x86_64.pl: no SSSE3 (after OPENSSL_ia32cap) -> scalar \
     ChaCha20_ctr32";
const ARM_GCM_HW: &str = "openssl aarch64: ARMv8 AES + PMULL -> aes_v8 + gcm_ghash_v8 \
     (aes-gcm-armv8_64 unrolled kernels); OPENSSL_armcap not modelled";
const ARM_GCM_SOFT: &str = "openssl aarch64: no AES/PMULL -> vpaes-armv8 + ghash-neon";
const ARM_CHACHA: &str = "openssl chacha-armv8.pl: NEON for inputs >= 192 bytes (scalar below)";
const OTHER_ARCH: &str = "architecture not modelled: portable C code assumed";

fn x86_gcm(caps: &X86Caps, has_vaes_gcm: bool) -> (ImplPath, &'static str) {
    let c = &caps.cap;
    if !(c.aesni && c.pclmul) {
        (ImplPath::Soft, SOFT_GCM)
    } else if has_vaes_gcm && caps.vaes_vpclmulqdq_capable() {
        (ImplPath::VaesAvx512, VAES_GCM)
    } else if c.avx && caps.movbe {
        (ImplPath::AesniClmulAvx, STITCHED_GCM)
    } else {
        (ImplPath::AesniClmul, CLMUL_GCM)
    }
}

fn x86_chacha(caps: &X86Caps) -> (ImplPath, &'static str) {
    if caps.cap.avx512f {
        (ImplPath::Avx512, CHACHA_AVX512)
    } else if caps.avx512vl {
        (ImplPath::Avx2, CHACHA_AVX512VL)
    } else if !caps.ssse3 {
        (ImplPath::Soft, CHACHA_SCALAR)
    } else if caps.cap.avx2 {
        (ImplPath::Avx2, CHACHA_AVX2)
    } else {
        (ImplPath::Sse, CHACHA_SSSE3)
    }
}

/// Everything OpenSSL's x86_64 AEAD dispatch looks at, after the mask.
struct X86Caps {
    cap: Ia32Cap,
    ssse3: bool,
    movbe: bool,
    avx512dq: bool,
    avx512bw: bool,
    avx512vl: bool,
}

impl X86Caps {
    fn new(cpu: &CpuFeatures, mask: Option<&str>) -> Self {
        let (w0, w1) = mask.map_or((u64::MAX, u64::MAX), parse_ia32cap_mask);
        let bit = |w: u64, n: u32| w >> n & 1 == 1;
        // ref: https://docs.openssl.org/3.0/man3/OPENSSL_ia32cap/ (word 0 = CPUID.1 EDX:ECX,
        // word 1 = CPUID.7 EBX:ECX)
        Self {
            cap: Ia32Cap::effective(cpu, mask),
            ssse3: has(cpu, "ssse3") && bit(w0, 41),
            movbe: has(cpu, "movbe") && bit(w0, 54),
            avx512dq: has(cpu, "avx512dq") && bit(w1, 17),
            avx512bw: has(cpu, "avx512bw") && bit(w1, 30),
            avx512vl: has(cpu, "avx512vl") && bit(w1, 31),
        }
    }

    /// `ossl_vaes_vpclmulqdq_capable` in aes-gcm-avx512.pl.
    fn vaes_vpclmulqdq_capable(&self) -> bool {
        let c = &self.cap;
        c.avx512f && self.avx512dq && self.avx512bw && self.avx512vl && c.vaes && c.vpclmulqdq
    }
}

/// Whether the CPU has `name`. [`CpuFeatures`] does not list every bit OpenSSL reads
/// (MOVBE, SSSE3, AVX512DQ); for those the running CPU is asked, unless the list names them.
fn has(cpu: &CpuFeatures, name: &str) -> bool {
    if cpu.features.iter().any(|f| f.name == name) {
        cpu.has(name)
    } else {
        host_has(cpu.arch, name)
    }
}

#[cfg(target_arch = "x86_64")]
fn host_has(arch: &str, name: &str) -> bool {
    arch == "x86_64"
        && match name {
            "ssse3" => std::is_x86_feature_detected!("ssse3"),
            "movbe" => std::is_x86_feature_detected!("movbe"),
            "avx512dq" => std::is_x86_feature_detected!("avx512dq"),
            "avx512bw" => std::is_x86_feature_detected!("avx512bw"),
            "avx512vl" => std::is_x86_feature_detected!("avx512vl"),
            _ => false,
        }
}

#[cfg(not(target_arch = "x86_64"))]
fn host_has(_arch: &str, _name: &str) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::{Feature, IA32CAP_MASK_AESNI_PCLMUL, IA32CAP_MASK_VAES_AVX512};

    fn cpu(arch: &'static str, names: &[&'static str]) -> CpuFeatures {
        const ALL: &[&str] = &[
            "aes",
            "pclmulqdq",
            "avx",
            "avx2",
            "vaes",
            "vpclmulqdq",
            "avx512f",
            "avx512vl",
            "avx512bw",
            "avx512dq",
            "ssse3",
            "movbe",
            "pmull",
        ];
        CpuFeatures {
            arch,
            vendor: "test".into(),
            model: "test".into(),
            logical_cpus: 1,
            os: "linux",
            features: ALL
                .iter()
                .map(|&name| Feature {
                    name,
                    present: names.contains(&name),
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
        "avx512dq",
        "ssse3",
        "movbe",
    ];

    fn gcm(cpu: &CpuFeatures, mask: Option<&str>, vaes_gcm: bool) -> ImplPath {
        infer(AeadId::Aes128Gcm, cpu, mask, vaes_gcm).path
    }

    fn chacha(cpu: &CpuFeatures, mask: Option<&str>) -> ImplPath {
        infer(AeadId::ChaCha20Poly1305, cpu, mask, false).path
    }

    #[test]
    fn gcm_follows_the_release_and_the_mask() {
        let zen4 = cpu("x86_64", ZEN4);
        // OpenSSL 3.0 has no VAES GCM code, 3.1+ uses it.
        assert_eq!(gcm(&zen4, None, false), ImplPath::AesniClmulAvx);
        assert_eq!(gcm(&zen4, None, true), ImplPath::VaesAvx512);
        assert_eq!(
            gcm(&zen4, Some(IA32CAP_MASK_VAES_AVX512), true),
            ImplPath::AesniClmulAvx
        );
        assert_eq!(
            gcm(&zen4, Some(IA32CAP_MASK_AESNI_PCLMUL), true),
            ImplPath::Soft
        );
        let ivy_bridge = cpu("x86_64", &["aes", "pclmulqdq", "avx", "ssse3"]);
        assert_eq!(gcm(&ivy_bridge, None, true), ImplPath::AesniClmul);
        let no_aes = cpu("x86_64", &["pclmulqdq", "ssse3"]);
        assert_eq!(gcm(&no_aes, None, true), ImplPath::Soft);
    }

    #[test]
    fn chacha_follows_the_vector_width() {
        let zen4 = cpu("x86_64", ZEN4);
        assert_eq!(chacha(&zen4, None), ImplPath::Avx512);
        // The shared mask clears AVX512F but not AVX512VL: ChaCha20_avx512vl.
        assert_eq!(
            chacha(&zen4, Some(IA32CAP_MASK_VAES_AVX512)),
            ImplPath::Avx2
        );
        // Clearing the whole second word leaves SSSE3.
        assert_eq!(chacha(&zen4, Some("~0x0:0x0")), ImplPath::Sse);
        // SSSE3 is word 0 bit 41.
        assert_eq!(chacha(&zen4, Some("~0x20000000000:0x0")), ImplPath::Soft);
        let haswell = cpu("x86_64", &["aes", "avx", "avx2", "ssse3", "movbe"]);
        assert_eq!(chacha(&haswell, None), ImplPath::Avx2);
    }

    #[test]
    fn aarch64_and_other_arches() {
        let graviton = cpu("aarch64", &["aes", "pmull"]);
        assert_eq!(gcm(&graviton, None, true), ImplPath::Armv8AesPmull);
        assert_eq!(chacha(&graviton, None), ImplPath::Neon);
        assert_eq!(gcm(&cpu("aarch64", &[]), None, true), ImplPath::Soft);
        assert_eq!(gcm(&cpu("riscv64", &[]), None, true), ImplPath::Soft);
        assert_eq!(chacha(&cpu("riscv64", &[]), None), ImplPath::Soft);
    }

    #[test]
    fn this_machine_reports_an_inferred_path_with_a_basis() {
        let report = aead_path(AeadId::Aes256Gcm, &CpuFeatures::detect());
        assert_eq!(report.evidence, Evidence::Inferred);
        assert!(report.basis.starts_with("openssl") || report.basis.starts_with("arch"));
    }
}
