//! Records build facts the environment block reports: locked dependency versions, the git
//! revision and the build flags.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    println!("cargo:rerun-if-changed=.git/HEAD");
    println!("cargo:rerun-if-env-changed=CARGO_ENCODED_RUSTFLAGS");

    // Cargo.lock is TOML, but its `[[package]]` entries always start `name = ".."` followed by
    // `version = ".."`; reading those two lines avoids a TOML build-dependency.
    let lock = std::fs::read_to_string("Cargo.lock").unwrap_or_default();
    let mut versions = Vec::new();
    let mut name: Option<&str> = None;
    for line in lock.lines() {
        if let Some(n) = line.strip_prefix("name = \"") {
            name = n.strip_suffix('"');
        } else if let (Some(n), Some(v)) = (name.take(), line.strip_prefix("version = \"")) {
            versions.push(format!("{n}={}", v.trim_end_matches('"')));
        }
    }
    println!(
        "cargo:rustc-env=SEALBENCH_DEP_VERSIONS={}",
        versions.join(";")
    );

    let rev = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map_or_else(|| "unknown".to_string(), |s| s.trim().to_string());
    let dirty = Command::new("git")
        .args(["status", "--porcelain", "--untracked-files=no"])
        .output()
        .ok()
        .is_some_and(|o| !o.stdout.is_empty());
    println!(
        "cargo:rustc-env=SEALBENCH_GIT_REV={rev}{}",
        if dirty { "-dirty" } else { "" }
    );

    let profile = std::env::var("PROFILE").unwrap_or_default();
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    let target = std::env::var("TARGET").unwrap_or_default();
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS")
        .unwrap_or_default()
        .replace('\x1f', " ");
    println!(
        "cargo:rustc-env=SEALBENCH_BUILD=profile={profile} opt-level={opt} target={target} rustflags=[{flags}]"
    );
}
