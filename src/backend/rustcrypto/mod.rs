//! The RustCrypto backend: pure-Rust crates from the RustCrypto and dalek projects.
//!
//! Every algorithm sealbench names is supported. Randomness comes from the OS through
//! `getrandom::SysRng` (rand_core 0.10, the version these crates use).

mod aead;
mod kdf;
mod key_transport;
mod kx;
mod mac;
mod rsa_keys;
mod sign;

use super::{
    Aead, AeadId, Backend, Kdf, KdfId, KeyAgreement, KeyAgreementId, KeyTransport, KeyTransportId,
    LibraryVersion, Mac, MacId, Signature, SignatureId, Unsupported, crate_version,
};
use crate::cpu::{CpuFeatures, Evidence, ImplPath, PathReport};

/// The RustCrypto backend.
pub const RUSTCRYPTO: Backend = Backend {
    name: "rustcrypto",
    aead: aead_lookup,
    mac: mac_lookup,
    signature: signature_lookup,
    key_transport: key_transport_lookup,
    key_agreement: key_agreement_lookup,
    kdf: kdf_lookup,
    versions,
    aead_path,
    honours_ia32cap: false,
};

fn aead_lookup(id: AeadId) -> Result<&'static dyn Aead, Unsupported> {
    match id {
        AeadId::Aes128Gcm => Ok(&aead::AES_128_GCM),
        AeadId::Aes256Gcm => Ok(&aead::AES_256_GCM),
        AeadId::ChaCha20Poly1305 => Ok(&aead::CHACHA20_POLY1305),
    }
}

fn mac_lookup(id: MacId) -> Result<&'static dyn Mac, Unsupported> {
    match id {
        MacId::HmacSha256 => Ok(&mac::HMAC_SHA256),
    }
}

fn signature_lookup(id: SignatureId) -> Result<&'static dyn Signature, Unsupported> {
    match id {
        SignatureId::Ed25519 => Ok(&sign::ED25519),
        SignatureId::EcdsaP256Sha256 => Ok(&sign::ECDSA_P256),
        SignatureId::RsaPss2048Sha256 => Ok(&sign::RSA_PSS_2048),
    }
}

fn key_transport_lookup(id: KeyTransportId) -> Result<&'static dyn KeyTransport, Unsupported> {
    match id {
        KeyTransportId::RsaOaep2048Sha256 => Ok(&key_transport::RSA_OAEP_2048),
    }
}

fn key_agreement_lookup(id: KeyAgreementId) -> Result<&'static dyn KeyAgreement, Unsupported> {
    match id {
        KeyAgreementId::X25519 => Ok(&kx::X25519_KX),
        KeyAgreementId::EcdhP256 => Ok(&kx::ECDH_P256),
    }
}

fn kdf_lookup(id: KdfId) -> Result<&'static dyn Kdf, Unsupported> {
    match id {
        KdfId::HkdfSha256 => Ok(&kdf::HKDF_SHA256),
    }
}

/// The crates this backend calls, plus the ones whose dispatch decides the AEAD path
/// (`aes`, `polyval` under `ghash`, `chacha20`, `poly1305`).
const CRATES: &[&str] = &[
    "aes-gcm",
    "aes",
    "ghash",
    "polyval",
    "chacha20poly1305",
    "chacha20",
    "poly1305",
    "hmac",
    "sha2",
    "hkdf",
    "ed25519-dalek",
    "curve25519-dalek",
    "x25519-dalek",
    "p256",
    "ecdsa",
    "rsa",
];

fn versions() -> Vec<LibraryVersion> {
    CRATES
        .iter()
        .map(|&name| LibraryVersion {
            name,
            version: crate_version(name),
        })
        .collect()
}

fn aead_path(id: AeadId, cpu: &CpuFeatures) -> PathReport {
    if id.is_aes_gcm() {
        gcm_path(cpu, aes::hardware_accelerated())
    } else {
        chacha_path(cpu)
    }
}

/// AES-GCM: the `aes` crate's block-cipher backend, combined with `polyval`'s (GHASH is
/// POLYVAL with byte reversal in `ghash`). `aes_hw` is `aes::hardware_accelerated()`.
///
/// aes 0.9.4 (`src/lib.rs`) re-checks on every call, in order: `avx512f`+`vaes` → the
/// 512-bit VAES backend, `vaes` → the 256-bit VAES backend, `aes` → AES-NI, else the
/// fixsliced soft backend. Its detection is cpufeatures 0.3, which counts `vaes` only when
/// the OS has enabled the AVX-512 (ZMM) register state (`x86.rs`: `("vaes", "zmm", ..)`).
/// A CPU with VAES but without AVX-512 (Zen 3, Alder Lake) therefore runs AES-NI, and the
/// 256-bit VAES backend is reachable only where `avx512f` is hidden but ZMM state is on
/// (some VMs), which std's detection cannot see. polyval 0.7 uses CLMUL when
/// `avx`+`pclmulqdq` are present (aarch64: PMULL). aes-gcm 0.11 runs CTR and GHASH as two
/// passes, not stitched, and VAES speeds up only AES, not GHASH.
fn gcm_path(cpu: &CpuFeatures, aes_hw: bool) -> PathReport {
    let soft = |basis| PathReport {
        path: ImplPath::Soft,
        evidence: Evidence::Reported,
        basis,
    };
    if cfg!(aes_backend = "soft") {
        return soft("built with --cfg aes_backend=\"soft\": fixsliced software AES");
    }
    if !aes_hw {
        return soft("aes::hardware_accelerated() is false: fixsliced software AES");
    }
    let x86 = cpu.arch == "x86_64" || cpu.arch == "x86";
    let clmul = if x86 {
        cpu.has("avx") && cpu.has("pclmulqdq")
    } else {
        cpu.has("pmull")
    };
    if cfg!(polyval_backend = "soft") {
        return soft("hardware AES, but built with --cfg polyval_backend=\"soft\": software GHASH");
    }
    if !clmul {
        return PathReport {
            path: ImplPath::Soft,
            evidence: Evidence::Inferred,
            basis: "hardware AES, but polyval finds no avx+pclmulqdq (or pmull): software GHASH",
        };
    }
    let (path, basis) = if !x86 {
        (
            ImplPath::Armv8AesPmull,
            "aes::hardware_accelerated() (ARMv8 AES) and polyval's PMULL backend",
        )
    } else if cpu.has("avx512f") && cpu.has("vaes") {
        (
            ImplPath::VaesAvx512,
            "aes::hardware_accelerated(); aes 0.9 picks its VAES-512 backend (avx512f+vaes); \
             polyval CLMUL (avx+pclmulqdq) for GHASH",
        )
    } else if cpu.has("vaes") {
        (
            ImplPath::AesniClmul,
            "aes::hardware_accelerated(); vaes without avx512f: cpufeatures 0.3 gates vaes on \
             AVX-512 (ZMM) OS state, so aes 0.9 runs AES-NI; polyval CLMUL (avx+pclmulqdq)",
        )
    } else {
        (
            ImplPath::AesniClmul,
            "aes::hardware_accelerated() (AES-NI, no vaes); polyval CLMUL (avx+pclmulqdq) for GHASH",
        )
    };
    PathReport {
        path,
        // The AES part is reported by the crate; which AES/GHASH backend runs is inferred.
        evidence: Evidence::Inferred,
        basis,
    }
}

/// ChaCha20: chacha20 0.10 autodetects AVX2, then SSE2, on x86; its AVX-512 backend exists
/// only when built with `--cfg chacha20_avx512`. aarch64 uses NEON (a baseline target
/// feature). Poly1305 (poly1305 0.9) autodetects AVX2 separately.
#[allow(
    unexpected_cfgs,
    reason = "chacha20's own cfgs, read only to report its dispatch"
)]
fn chacha_path(cpu: &CpuFeatures) -> PathReport {
    let (path, basis) = if cfg!(chacha20_backend = "soft") {
        (ImplPath::Soft, "built with --cfg chacha20_backend=\"soft\"")
    } else if cpu.arch == "aarch64" {
        (
            ImplPath::Neon,
            "chacha20 uses NEON on aarch64 (baseline target feature)",
        )
    } else if cpu.arch != "x86_64" && cpu.arch != "x86" {
        (
            ImplPath::Soft,
            "chacha20 has no SIMD backend for this architecture",
        )
    } else if cfg!(chacha20_avx512) && cpu.has("avx512f") && cpu.has("avx512vl") {
        (
            ImplPath::Avx512,
            "built with --cfg chacha20_avx512 and the CPU has avx512f+avx512vl",
        )
    } else if cpu.has("avx2") {
        (
            ImplPath::Avx2,
            "chacha20 autodetects avx2 (its AVX-512 backend needs --cfg chacha20_avx512)",
        )
    } else {
        (ImplPath::Sse, "chacha20 autodetects sse2 (no avx2)")
    };
    PathReport {
        path,
        evidence: Evidence::Inferred,
        basis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::AlgorithmId;
    use crate::cpu::Feature;

    fn cpu(arch: &'static str, names: &[&'static str]) -> CpuFeatures {
        CpuFeatures {
            arch,
            vendor: "test".into(),
            model: "test".into(),
            logical_cpus: 1,
            os: "linux",
            features: names
                .iter()
                .map(|&name| Feature {
                    name,
                    present: true,
                })
                .collect(),
        }
    }

    #[test]
    fn every_algorithm_is_supported() {
        for alg in AlgorithmId::all() {
            assert_eq!(RUSTCRYPTO.supports(alg), Ok(()), "{alg}");
        }
    }

    #[test]
    fn versions_name_locked_crates() {
        let v = versions();
        let aes_gcm = v.iter().find(|l| l.name == "aes-gcm").unwrap();
        assert!(aes_gcm.version.starts_with("0.11."), "{}", aes_gcm.version);
        assert!(v.iter().all(|l| l.version != "unknown"), "{v:?}");
    }

    #[test]
    fn gcm_path_follows_aes_and_polyval_dispatch() {
        if cfg!(any(aes_backend = "soft", polyval_backend = "soft")) {
            return;
        }
        let base = ["aes", "pclmulqdq", "avx", "avx2"];
        assert_eq!(
            gcm_path(&cpu("x86_64", &base), true).path,
            ImplPath::AesniClmul
        );
        let vaes = cpu("x86_64", &[&base[..], &["vaes", "vpclmulqdq"]].concat());
        // cpufeatures needs AVX-512 state for `vaes`, so VAES without AVX-512 runs AES-NI.
        assert_eq!(gcm_path(&vaes, true).path, ImplPath::AesniClmul);
        let zmm = cpu(
            "x86_64",
            &[&base[..], &["vaes", "vpclmulqdq", "avx512f"]].concat(),
        );
        assert_eq!(gcm_path(&zmm, true).path, ImplPath::VaesAvx512);
        assert_eq!(gcm_path(&zmm, false).path, ImplPath::Soft);
        assert_eq!(
            gcm_path(&cpu("x86_64", &["aes"]), true).path,
            ImplPath::Soft
        );
        let arm = cpu("aarch64", &["aes", "pmull", "neon"]);
        assert_eq!(gcm_path(&arm, true).path, ImplPath::Armv8AesPmull);
    }

    #[test]
    fn chacha_path_follows_chacha20_dispatch() {
        assert_eq!(chacha_path(&cpu("x86_64", &["avx2"])).path, ImplPath::Avx2);
        assert_eq!(chacha_path(&cpu("x86_64", &[])).path, ImplPath::Sse);
        assert_eq!(chacha_path(&cpu("aarch64", &["neon"])).path, ImplPath::Neon);
    }

    #[test]
    fn software_aes_on_this_machine_is_reported_as_soft() {
        let report = aead_path(AeadId::Aes128Gcm, &CpuFeatures::detect());
        if !aes::hardware_accelerated() {
            assert_eq!(
                (report.path, report.evidence),
                (ImplPath::Soft, Evidence::Reported)
            );
        } else {
            assert_ne!(report.evidence, Evidence::Reported);
        }
    }
}
