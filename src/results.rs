//! The environment block embedded in every file sealbench writes.
//!
//! Results from different machines are only comparable with their environment beside
//! them: the CPU and its features, the masks in effect, each backend's library versions
//! and implementation paths, the build, the git revision and the time.
//!
//! End-to-end runs (`sealbench e2e`) add a typed `system` block to each run: [`system`].

use serde::Serialize;

use crate::backend::{AeadId, Backend, LibraryVersion};
use crate::cpu::{CpuFeatures, FeatureMasks, PathReport};

pub mod system;

/// Schema version of the environment block and of the files that embed it.
pub const SCHEMA_VERSION: u32 = 1;

/// Where and how a result was produced.
#[derive(Debug, Clone, Serialize)]
pub struct Environment {
    /// Schema version ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// sealbench's own version.
    pub sealbench_version: &'static str,
    /// Git revision of the build (`-dirty` if the tree had uncommitted changes).
    pub git_revision: &'static str,
    /// Build profile, optimisation level, LTO, codegen units, target triple and RUSTFLAGS,
    /// as one line.
    pub build: &'static str,
    /// The build profile's settings that change what the measured code compiles to.
    pub build_profile: BuildProfile,
    /// When the environment was captured (RFC 3339, UTC).
    pub timestamp: String,
    /// Host name, so files from a fleet can be told apart.
    pub host: String,
    /// The CPU.
    pub cpu: CpuFeatures,
    /// Feature masks in effect.
    pub masks: FeatureMasks,
    /// Per-backend libraries and implementation paths.
    pub backends: Vec<BackendEnvironment>,
}

/// How the measuring binary was compiled (recorded by `build.rs`). Pure-Rust backends
/// (RustCrypto) run up to twice as fast with one codegen unit and fat LTO as with
/// `release`'s 16 units; figures from different profiles are not comparable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BuildProfile {
    /// Cargo profile name: `measure` (the measurement build), `release`, `dev`, ...
    pub name: &'static str,
    /// `lto` setting: `false`, `thin`, `fat`, `true`, `off`.
    pub lto: &'static str,
    /// `codegen-units` setting.
    pub codegen_units: &'static str,
}

impl BuildProfile {
    /// This binary's.
    pub const CURRENT: Self = Self {
        name: env!("SEALBENCH_BUILD_PROFILE"),
        lto: env!("SEALBENCH_BUILD_LTO"),
        codegen_units: env!("SEALBENCH_BUILD_CODEGEN_UNITS"),
    };

    /// `measure (lto=fat, codegen-units=1)`.
    pub fn describe(&self) -> String {
        format!(
            "{} (lto={}, codegen-units={})",
            self.name, self.lto, self.codegen_units
        )
    }
}

/// One backend's libraries and AEAD paths on this CPU.
#[derive(Debug, Clone, Serialize)]
pub struct BackendEnvironment {
    /// Backend name.
    pub name: &'static str,
    /// Libraries and versions.
    pub versions: Vec<LibraryVersion>,
    /// Implementation path per AEAD (supported ones only).
    pub aead_paths: Vec<AeadPath>,
    /// Whether `OPENSSL_ia32cap` affects this backend.
    pub honours_ia32cap: bool,
}

/// The path one AEAD takes on one backend.
#[derive(Debug, Clone, Serialize)]
pub struct AeadPath {
    /// The AEAD.
    pub aead: AeadId,
    /// Its path and how we know.
    #[serde(flatten)]
    pub report: PathReport,
}

impl BackendEnvironment {
    /// Captures one backend on this CPU.
    pub fn capture(backend: &Backend, cpu: &CpuFeatures) -> Self {
        let aead_paths = AeadId::ALL
            .iter()
            .filter(|&&id| (backend.aead)(id).is_ok())
            .map(|&aead| AeadPath {
                aead,
                report: (backend.aead_path)(aead, cpu),
            })
            .collect();
        Self {
            name: backend.name,
            versions: (backend.versions)(),
            aead_paths,
            honours_ia32cap: backend.honours_ia32cap,
        }
    }
}

impl Environment {
    /// Captures the environment for the given backends.
    pub fn capture(backends: &[&Backend]) -> Self {
        let cpu = CpuFeatures::detect();
        Self {
            schema_version: SCHEMA_VERSION,
            sealbench_version: env!("CARGO_PKG_VERSION"),
            git_revision: env!("SEALBENCH_GIT_REV"),
            build: env!("SEALBENCH_BUILD"),
            build_profile: BuildProfile::CURRENT,
            timestamp: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            host: std::fs::read_to_string("/proc/sys/kernel/hostname")
                .map(|h| h.trim().to_string())
                .unwrap_or_else(|_| "unknown".into()),
            backends: backends
                .iter()
                .map(|b| BackendEnvironment::capture(b, &cpu))
                .collect(),
            masks: FeatureMasks::detect(),
            cpu,
        }
    }
}

/// What `sealbench run` writes (`--out results.json`): the environment, one record per
/// scenario, the fixed/per-byte cost fits and the bytes-on-the-wire table.
///
/// Files from different machines merge by concatenating `runs`: each run carries its own
/// environment, and scenario ids are the same on every machine.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ResultsFile {
    /// Always `"sealbench-results"`.
    pub kind: String,
    /// Schema version ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// One entry per machine / invocation.
    pub runs: Vec<Run>,
}

/// `kind` of a results file.
pub const RESULTS_KIND: &str = "sealbench-results";

/// Why a results file could not be loaded. Every message names the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file could not be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Another kind of sealbench file (or not a sealbench file).
    #[error("{} is {what}, expected a results file from `sealbench run`", path.display())]
    WrongKind {
        /// The file.
        path: std::path::PathBuf,
        /// What it is: `a kat file (\`sealbench kat --json\`)`, ...
        what: String,
    },
    /// Written by a newer sealbench.
    #[error(
        "{}: schema version {found} is newer than this sealbench reads ({SCHEMA_VERSION})",
        path.display()
    )]
    Version {
        /// The file.
        path: std::path::PathBuf,
        /// Its schema version.
        found: u32,
    },
    /// A results file whose content does not parse.
    #[error("{}: not a valid results file: {detail}", path.display())]
    Invalid {
        /// The file.
        path: std::path::PathBuf,
        /// The parser's message.
        detail: String,
    },
}

impl ResultsFile {
    /// The one loader of results files: reads `path`, names the file's kind when it is
    /// another sealbench file (kat, gate, decide output), checks the schema version, then
    /// parses.
    pub fn load(path: &std::path::Path) -> Result<Self, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// [`ResultsFile::load`] on text already read from `path`.
    pub fn parse(path: &std::path::Path, text: &str) -> Result<Self, LoadError> {
        let invalid = |e: serde_json::Error| LoadError::Invalid {
            path: path.to_path_buf(),
            detail: e.to_string(),
        };
        let value: serde_json::Value = serde_json::from_str(text).map_err(invalid)?;
        if let Some(what) = other_kind(&value) {
            return Err(LoadError::WrongKind {
                path: path.to_path_buf(),
                what,
            });
        }
        let found = value
            .get("schema_version")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        if found > u64::from(SCHEMA_VERSION) {
            return Err(LoadError::Version {
                path: path.to_path_buf(),
                found: u32::try_from(found).unwrap_or(u32::MAX),
            });
        }
        serde_json::from_value(value).map_err(invalid)
    }
}

/// What a JSON document is when it is not a results file, `None` when it claims to be one.
fn other_kind(v: &serde_json::Value) -> Option<String> {
    let Some(obj) = v.as_object() else {
        return Some("not a JSON object".into());
    };
    match obj.get("kind").and_then(serde_json::Value::as_str) {
        Some(RESULTS_KIND) => None,
        Some("sealbench-gate") => Some("a gate report (`sealbench gate --json`)".into()),
        Some(k) => Some(format!("a file of kind {k:?}")),
        None if obj.contains_key("records") => Some("a kat file (`sealbench kat --json`)".into()),
        None if obj.contains_key("recommendation") || obj.contains_key("verdicts") => {
            Some("a decision file (`sealbench decide --json`)".into())
        }
        None => Some("not a sealbench results file (it has no \"kind\" field)".into()),
    }
}

/// The results of one invocation on one machine.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Run {
    /// Where it ran (stored as JSON so files from other builds still load).
    pub environment: serde_json::Value,
    /// `quick`, `default` or `precise`.
    pub profile: String,
    /// Clock used: `wall` (the default) — CPU time is recorded beside it.
    pub clock: String,
    /// One record per scenario.
    pub scenarios: Vec<ScenarioResult>,
    /// `t(size) = fixed + per_byte·size` per scenario family.
    pub fits: Vec<CostFit>,
    /// Envelope/raw ratios re-measured after the matrix in interleaved rounds (see
    /// [`Interleaved`]); absent in older files, in `--software` children and when the
    /// selection has no raw/envelope AES-128-GCM pair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interleaved: Option<Interleaved>,
}

/// Envelope (Encrypt0, kid + CWT claims) over raw AES-128-GCM, measured in interleaved
/// rounds in fresh processes: each round takes one sample of every scenario of the pairs (raw,
/// envelope, and the `memcpy` control of the same size), so a slow phase of a shared
/// machine (a neighbour, the frequency) lands on both sides of a ratio alike. The matrix
/// measures scenarios one after the other, which on such a machine can put a raw AEAD and
/// its envelope in different phases; these ratios are the ones to quote.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Interleaved {
    /// Rounds taken in each process (samples per scenario per process).
    pub rounds: u32,
    /// Fresh processes the rounds ran in, one after the other (1 in files written before
    /// 2026-12-06, whose rounds all ran in the `run` process itself). A process keeps its
    /// address-space layout for life, and on the reference VM the 16 KiB aws-lc open ratio
    /// measured 1.05 in one process and 1.16 in another, each with a tight interval.
    #[serde(default = "one_process")]
    pub processes: u32,
    /// Target duration of one sample, ns.
    pub sample_ns: u64,
    /// One row per backend, op and size.
    pub ratios: Vec<InterleavedRatio>,
}

/// One envelope/raw pair measured in the same rounds.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct InterleavedRatio {
    /// Backend label.
    pub backend: String,
    /// `seal` or `open`.
    pub op: String,
    /// Payload size, bytes.
    pub size: u64,
    /// Raw AEAD median over the rounds, ns per operation.
    pub raw_ns: f64,
    /// Envelope median over the rounds, ns per operation.
    pub envelope_ns: f64,
    /// Median of the per-round ratios envelope / raw (same round, so paired).
    pub ratio: f64,
    /// Distribution-free 95% interval of that median (order statistics of the per-round
    /// ratios).
    pub ratio_ci95: (f64, f64),
    /// Opens: median of the per-round ratios with that round's input-restoring copy
    /// (`memcpy_<size>`) subtracted from both sides.
    pub net_of_copy: Option<f64>,
    /// The median of the per-round ratios within each process, in process order (empty in
    /// older files). Their spread is the layout lottery `ratio_ci95` cannot see.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub per_process: Vec<f64>,
}

fn one_process() -> u32 {
    1
}

impl Interleaved {
    /// "11 rounds in each of 3 processes" ("31 rounds in one process" for older files).
    pub fn rounds_text(&self) -> String {
        match self.processes {
            0 | 1 => format!("{} rounds in one process", self.rounds),
            n => format!("{} rounds in each of {n} processes", self.rounds),
        }
    }
}

impl InterleavedRatio {
    /// The lowest and highest per-process median (`None` with fewer than two processes).
    pub fn per_process_span(&self) -> Option<(f64, f64)> {
        let v = &self.per_process;
        (v.len() >= 2).then(|| {
            v.iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                    (lo.min(x), hi.max(x))
                })
        })
    }
}

/// One measured scenario.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct ScenarioResult {
    /// Scenario id built from labels, e.g. `seal_aws-lc_aes128gcm_1350`.
    pub id: String,
    /// Family id: the id without the size, the key of [`CostFit`].
    pub family: String,
    /// `raw` (the primitive), `envelope` (full seal/open) or `plain` (framing only).
    pub layer: String,
    /// `seal`, `open`, `mac`, `verify`, `sign`, `encrypt-key`, `decrypt-key`, `agree`, ...
    pub op: String,
    /// Envelope mode label (envelope and plain layers).
    pub mode: Option<String>,
    /// Algorithm label(s), e.g. `aes128gcm` or `ed25519+aes128gcm`.
    pub algorithm: String,
    /// Backend name (`openssl@no-aesni` for a masked child process).
    pub backend: String,
    /// Implementation path of the AEAD involved, if any (`vaes-avx512`, `soft`, ...).
    pub impl_path: Option<String>,
    /// Payload size in bytes.
    pub size: u64,
    /// Sender identity option (`kid`, `x5t`, `x5chain`, `spki`), if any.
    pub identity: Option<String>,
    /// Number of recipients (hybrid modes).
    pub recipients: Option<u32>,
    /// Messages per content key (hybrid modes).
    pub cek_reuse: Option<u32>,
    /// What the timed loop contains (`key schedule`, `nonce generation`, `aad`,
    /// `serialization`, `replay check`, `allocation`, ...).
    pub inside_loop: Vec<String>,
    /// Envelope size minus payload size, in bytes (envelope and plain layers).
    pub overhead_bytes: Option<u64>,
    /// Timing statistics, nanoseconds per operation.
    pub stats: Stats,
}

/// Statistics of one scenario's samples, in nanoseconds per operation.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, PartialEq)]
pub struct Stats {
    /// Number of samples.
    pub samples: u32,
    /// Operations per sample.
    pub iters_per_sample: u64,
    /// Median wall time per operation.
    pub median_ns: f64,
    /// Fastest sample.
    pub min_ns: f64,
    /// Slowest sample.
    pub max_ns: f64,
    /// Lower end of the 95% confidence interval of the median.
    pub ci95_low_ns: f64,
    /// Upper end of the 95% confidence interval of the median.
    pub ci95_high_ns: f64,
    /// Coefficient of variation of the samples (standard deviation / mean).
    pub cv: f64,
    /// Median CPU time (process) per operation.
    pub cpu_median_ns: f64,
    /// Flagged noisy: the 95% interval of the median is wider than 10% of it (CV is
    /// reported but does not decide: one preempted sample inflates it while the median holds).
    pub noisy: bool,
}

/// A least-squares fit `t(size) = fixed_ns + per_byte_ns · size` over one family's sizes.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct CostFit {
    /// Family id.
    pub family: String,
    /// Fixed cost per message, ns.
    pub fixed_ns: f64,
    /// Cost per payload byte, ns.
    pub per_byte_ns: f64,
    /// Throughput implied by `per_byte_ns`, GB/s (10^9 bytes per second).
    pub gb_per_s: f64,
    /// Relative residual per size, `(measured - fitted) / measured`, in size order.
    pub residuals: Vec<(u64, f64)>,
}
