//! CPU features, detected once at run time and passed around as a value, and the
//! implementation-path enum every result records.
//!
//! Detection uses the standard library's `is_x86_feature_detected!` /
//! `is_aarch64_feature_detected!`, which cover every feature we report (the `cpufeatures`
//! crate needs one macro-generated module per feature set and has no per-feature query).
//! Note that `OPENSSL_ia32cap` masks only what OpenSSL and AWS-LC believe; this module
//! always reports what the CPU has, and [`FeatureMasks`] reports which masks are in effect.

use serde::Serialize;

/// One named CPU feature and whether the CPU has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Feature {
    /// Feature name as the vendor spells it (`aes`, `pclmulqdq`, `vaes`, ...).
    pub name: &'static str,
    /// Whether the running CPU reports it.
    pub present: bool,
}

/// The CPU sealbench runs on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CpuFeatures {
    /// `x86_64`, `aarch64`, ...
    pub arch: &'static str,
    /// Vendor string (`AuthenticAMD`, `GenuineIntel`, an ARM implementer code, ...).
    pub vendor: String,
    /// Model name from `/proc/cpuinfo`, or `unknown`.
    pub model: String,
    /// Logical CPUs available to this process.
    pub logical_cpus: usize,
    /// Operating system (`linux`, `macos`, ...).
    pub os: &'static str,
    /// Crypto-relevant features, in a fixed order per architecture.
    pub features: Vec<Feature>,
}

impl CpuFeatures {
    /// Detects the running CPU.
    pub fn detect() -> Self {
        let (vendor, model) = cpuinfo_strings();
        Self {
            arch: std::env::consts::ARCH,
            vendor,
            model,
            logical_cpus: std::thread::available_parallelism().map_or(1, usize::from),
            os: std::env::consts::OS,
            features: detect_features(),
        }
    }

    /// Whether the named feature is present (false for names this arch does not report).
    pub fn has(&self, name: &str) -> bool {
        self.features.iter().any(|f| f.name == name && f.present)
    }
}

#[cfg(target_arch = "x86_64")]
fn detect_features() -> Vec<Feature> {
    macro_rules! features {
        ($($name:tt),*) => { vec![$(Feature { name: $name, present: std::is_x86_feature_detected!($name) }),*] };
    }
    features!(
        "aes",
        "pclmulqdq",
        "avx",
        "avx2",
        "vaes",
        "vpclmulqdq",
        "avx512f",
        "avx512vl",
        "avx512bw",
        "sha",
        "bmi2",
        "adx"
    )
}

#[cfg(target_arch = "aarch64")]
fn detect_features() -> Vec<Feature> {
    macro_rules! features {
        ($($name:tt),*) => { vec![$(Feature { name: $name, present: std::arch::is_aarch64_feature_detected!($name) }),*] };
    }
    // `pmull` is reported by std as part of "aes" (FEAT_AES includes PMULL); list both.
    let mut v = features!("aes", "sha2", "sha3", "neon");
    let aes = v.first().is_some_and(|f| f.present);
    v.insert(
        1,
        Feature {
            name: "pmull",
            present: aes,
        },
    );
    v
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn detect_features() -> Vec<Feature> {
    Vec::new()
}

/// Reads vendor and model from `/proc/cpuinfo` where it exists.
fn cpuinfo_strings() -> (String, String) {
    let text = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let field = |keys: &[&str]| {
        text.lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(k, _)| keys.contains(&k.trim()))
            .map(|(_, v)| v.trim().to_string())
    };
    let vendor = field(&["vendor_id", "CPU implementer"]).unwrap_or_else(|| "unknown".into());
    let model =
        field(&["model name", "Model", "Hardware", "CPU part"]).unwrap_or_else(|| "unknown".into());
    (vendor, model)
}

/// Feature masks in effect for this process and build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeatureMasks {
    /// Value of `OPENSSL_ia32cap` (affects the openssl and aws-lc backends), if set.
    pub openssl_ia32cap: Option<String>,
    /// Whether this binary was built with `--cfg aes_backend="soft"` (RustCrypto AES).
    pub rustcrypto_aes_soft: bool,
    /// Whether this binary was built with `--cfg polyval_backend="soft"` (RustCrypto GHASH).
    pub rustcrypto_polyval_soft: bool,
}

impl FeatureMasks {
    /// Reads the masks of this process and build.
    pub fn detect() -> Self {
        Self {
            openssl_ia32cap: std::env::var(IA32CAP_VAR).ok(),
            rustcrypto_aes_soft: cfg!(aes_backend = "soft"),
            rustcrypto_polyval_soft: cfg!(polyval_backend = "soft"),
        }
    }

    /// Whether any mask is in effect.
    pub fn any(&self) -> bool {
        self.openssl_ia32cap.is_some() || self.rustcrypto_aes_soft || self.rustcrypto_polyval_soft
    }
}

/// The environment variable OpenSSL and AWS-LC read their capability mask from.
pub const IA32CAP_VAR: &str = "OPENSSL_ia32cap";

/// `OPENSSL_ia32cap` value that clears AES-NI (bit 57) and PCLMULQDQ (bit 33) of the first
/// capability word and leaves the second word (AVX2, AVX-512, VAES, ...) untouched.
/// A bare first word without `:~0x0` would also clear the second word.
// ref: https://docs.openssl.org/3.0/man3/OPENSSL_ia32cap/
pub const IA32CAP_MASK_AESNI_PCLMUL: &str = "~0x200000200000000:~0x0";

/// `OPENSSL_ia32cap` value that keeps AES-NI/PCLMUL but clears the second word's
/// AVX-512F (bit 16), VAES (bit 41) and VPCLMULQDQ (bit 42), so the 512-bit and VAES
/// paths are off while the AES-NI path remains.
pub const IA32CAP_MASK_VAES_AVX512: &str = "~0x0:~0x60000010000";

/// The implementation path an algorithm runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImplPath {
    /// AES with VAES + VPCLMULQDQ on 512-bit vectors.
    VaesAvx512,
    /// AES with VAES + VPCLMULQDQ on 256-bit vectors.
    VaesAvx2,
    /// AES-NI + PCLMULQDQ with AVX (and MOVBE) stitched code.
    AesniClmulAvx,
    /// AES-NI + PCLMULQDQ.
    AesniClmul,
    /// ARMv8 AES + PMULL.
    Armv8AesPmull,
    /// ChaCha20 with AVX-512 vectors.
    Avx512,
    /// ChaCha20 with AVX2 vectors.
    Avx2,
    /// ChaCha20 with SSE2/SSSE3 vectors.
    Sse,
    /// ChaCha20 with NEON vectors.
    Neon,
    /// Portable software (constant-time bitsliced AES / scalar code).
    Soft,
}

impl ImplPath {
    /// Label used in tables and result files.
    pub const fn label(self) -> &'static str {
        match self {
            Self::VaesAvx512 => "vaes-avx512",
            Self::VaesAvx2 => "vaes-avx2",
            Self::AesniClmulAvx => "aesni-clmul-avx",
            Self::AesniClmul => "aesni-clmul",
            Self::Armv8AesPmull => "armv8-aes-pmull",
            Self::Avx512 => "avx512",
            Self::Avx2 => "avx2",
            Self::Sse => "sse",
            Self::Neon => "neon",
            Self::Soft => "soft",
        }
    }
}

/// How the path was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evidence {
    /// The library reports it through an API.
    Reported,
    /// Inferred from the detected CPU features, masks, and the library's documented dispatch.
    Inferred,
}

/// The path an algorithm runs on, with how we know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathReport {
    /// The path.
    pub path: ImplPath,
    /// How it was established.
    pub evidence: Evidence,
    /// The query or dispatch rule it came from.
    pub basis: &'static str,
}

/// Capability bits OpenSSL and AWS-LC would see after applying an `OPENSSL_ia32cap` mask.
///
/// Only the bits sealbench reasons about are modelled: word 0 (CPUID.1 ECX:EDX) bit 57 AES-NI,
/// bit 33 PCLMULQDQ, bit 60 AVX; word 1 (CPUID.7 EBX:ECX) bit 5 AVX2, bit 16 AVX512F,
/// bit 41 VAES, bit 42 VPCLMULQDQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ia32Cap {
    /// AES-NI usable.
    pub aesni: bool,
    /// PCLMULQDQ usable.
    pub pclmul: bool,
    /// AVX usable.
    pub avx: bool,
    /// AVX2 usable.
    pub avx2: bool,
    /// AVX-512F usable.
    pub avx512f: bool,
    /// VAES usable.
    pub vaes: bool,
    /// VPCLMULQDQ usable.
    pub vpclmulqdq: bool,
}

impl Ia32Cap {
    /// The CPU's capabilities with the mask from `OPENSSL_ia32cap` (if any) applied.
    pub fn effective(cpu: &CpuFeatures, mask: Option<&str>) -> Self {
        let (w0, w1) = mask.map_or((u64::MAX, u64::MAX), parse_ia32cap_mask);
        let bit = |w: u64, n: u32| w >> n & 1 == 1;
        Self {
            aesni: cpu.has("aes") && bit(w0, 57),
            pclmul: cpu.has("pclmulqdq") && bit(w0, 33),
            avx: cpu.has("avx") && bit(w0, 60),
            avx2: cpu.has("avx2") && bit(w1, 5),
            avx512f: cpu.has("avx512f") && bit(w1, 16),
            vaes: cpu.has("vaes") && bit(w1, 41),
            vpclmulqdq: cpu.has("vpclmulqdq") && bit(w1, 42),
        }
    }
}

/// Parses `OPENSSL_ia32cap` into AND-masks for the two capability words.
///
/// Syntax (OpenSSL and AWS-LC): `[~]word0[:[~]word1]`; a value with `~` clears the given
/// bits, without it replaces the word. A first word given without a second clears the
/// second word entirely in OpenSSL 3 — modelled here as an all-zero second mask.
/// Unparseable words are treated as "no change" (OpenSSL ignores them too).
pub fn parse_ia32cap_mask(value: &str) -> (u64, u64) {
    fn word(s: &str) -> u64 {
        let (neg, s) = s.strip_prefix('~').map_or((false, s), |r| (true, r));
        let s = s.trim();
        let parsed = s
            .strip_prefix("0x")
            .or_else(|| s.strip_prefix("0X"))
            .map_or_else(
                || s.parse::<u64>().ok(),
                |h| u64::from_str_radix(h, 16).ok(),
            );
        match parsed {
            Some(v) if neg => !v,
            Some(v) => v,
            None => u64::MAX,
        }
    }
    match value.split_once(':') {
        Some((a, b)) => (word(a), word(b)),
        None => (word(value), 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ia32cap_masks_clear_the_intended_bits() {
        let cpu = CpuFeatures {
            arch: "x86_64",
            vendor: "test".into(),
            model: "test".into(),
            logical_cpus: 1,
            os: "linux",
            features: [
                "aes",
                "pclmulqdq",
                "avx",
                "avx2",
                "avx512f",
                "vaes",
                "vpclmulqdq",
            ]
            .into_iter()
            .map(|name| Feature {
                name,
                present: true,
            })
            .collect(),
        };
        let all = Ia32Cap::effective(&cpu, None);
        assert!(all.aesni && all.pclmul && all.avx2 && all.vaes && all.avx512f);

        let soft = Ia32Cap::effective(&cpu, Some(IA32CAP_MASK_AESNI_PCLMUL));
        assert!(!soft.aesni && !soft.pclmul);
        assert!(soft.avx && soft.avx2 && soft.vaes && soft.avx512f);

        let no_vaes = Ia32Cap::effective(&cpu, Some(IA32CAP_MASK_VAES_AVX512));
        assert!(no_vaes.aesni && no_vaes.pclmul && no_vaes.avx2);
        assert!(!no_vaes.vaes && !no_vaes.vpclmulqdq && !no_vaes.avx512f);

        // A bare first word also clears the whole second word.
        let bare = Ia32Cap::effective(&cpu, Some("~0x200000200000000"));
        assert!(!bare.aesni && !bare.avx2 && !bare.vaes);
    }

    #[test]
    fn detect_reports_a_feature_list_for_this_arch() {
        let cpu = CpuFeatures::detect();
        if cfg!(target_arch = "x86_64") {
            assert_eq!(cpu.features.len(), 12);
            assert!(cpu.logical_cpus >= 1);
        }
    }
}
