//! The environment block embedded in every file sealbench writes.
//!
//! Results from different machines are only comparable with their environment beside
//! them: the CPU and its features, the masks in effect, each backend's library versions
//! and implementation paths, the build, the git revision and the time.

use serde::Serialize;

use crate::backend::{AeadId, Backend, LibraryVersion};
use crate::cpu::{CpuFeatures, FeatureMasks, PathReport};

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
    /// Build profile, optimisation level, target triple and RUSTFLAGS.
    pub build: &'static str,
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
