//! Records build facts the environment block reports: locked dependency versions, the git
//! revision and the build flags.

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=Cargo.lock");
    // The revision and the dirty flag must follow every commit and every edit, not only a
    // change of branch: `.git/HEAD` alone stays `ref: refs/heads/main` across commits, and a
    // binary built later would report the revision of the first build (seen: a reference
    // run labelled with a revision five commits old). So also watch the branch's ref, the
    // packed refs, the index (staging) and the sources (an edit makes the build dirty).
    for path in git_watch_paths() {
        println!("cargo:rerun-if-changed={path}");
    }
    for path in ["src", "build.rs"] {
        println!("cargo:rerun-if-changed={path}");
    }
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
    // `--no-optional-locks`: a plain `git status` refreshes and rewrites `.git/index`, which
    // this script watches, so every build would rerun it and rebuild the crate.
    let dirty = Command::new("git")
        .args([
            "--no-optional-locks",
            "status",
            "--porcelain",
            "--untracked-files=no",
        ])
        .output()
        .ok()
        .is_some_and(|o| !o.stdout.is_empty());
    println!(
        "cargo:rustc-env=SEALBENCH_GIT_REV={rev}{}",
        if dirty { "-dirty" } else { "" }
    );

    // Cargo tells build scripts only `debug` or `release` (PROFILE); the profile's name is
    // the directory its artefacts go to (target/[triple/]NAME/build/sealbench-*/out), and
    // its LTO and codegen-unit settings are read from Cargo.toml's [profile.*] tables
    // (following `inherits`), with cargo's CARGO_PROFILE_<NAME>_* overrides on top.
    println!("cargo:rerun-if-changed=Cargo.toml");
    let out_dir = std::env::var("OUT_DIR").unwrap_or_default();
    let dir_name = std::path::Path::new(&out_dir)
        .ancestors()
        .nth(3)
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("unknown")
        .to_string();
    let name = if dir_name == "debug" {
        "dev".to_string()
    } else {
        dir_name
    };
    let manifest = std::fs::read_to_string("Cargo.toml").unwrap_or_default();
    let lto = setting(&manifest, &name, "lto").unwrap_or_else(|| "false".into());
    let cgu = setting(&manifest, &name, "codegen-units")
        .unwrap_or_else(|| if name == "dev" { "256" } else { "16" }.to_string());
    let opt = std::env::var("OPT_LEVEL").unwrap_or_default();
    let target = std::env::var("TARGET").unwrap_or_default();
    let flags = std::env::var("CARGO_ENCODED_RUSTFLAGS")
        .unwrap_or_default()
        .replace('\x1f', " ");
    println!("cargo:rustc-env=SEALBENCH_BUILD_PROFILE={name}");
    println!("cargo:rustc-env=SEALBENCH_BUILD_LTO={lto}");
    println!("cargo:rustc-env=SEALBENCH_BUILD_CODEGEN_UNITS={cgu}");
    println!(
        "cargo:rustc-env=SEALBENCH_BUILD=profile={name} opt-level={opt} lto={lto} codegen-units={cgu} target={target} rustflags=[{flags}]"
    );
}

/// The git files whose change means a new revision or a new staging state: HEAD, the ref
/// HEAD points to, the packed refs and the index (paths from `git rev-parse`, so worktrees
/// and `GIT_DIR` work). Empty outside a git checkout.
fn git_watch_paths() -> Vec<String> {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let Some(dir) = git(&["rev-parse", "--git-dir"]) else {
        return Vec::new();
    };
    let common = git(&["rev-parse", "--git-common-dir"]).unwrap_or_else(|| dir.clone());
    let mut paths = vec![format!("{dir}/HEAD"), format!("{dir}/index")];
    paths.push(format!("{common}/packed-refs"));
    if let Some(r) = git(&["symbolic-ref", "-q", "HEAD"]) {
        paths.push(format!("{common}/{r}"));
    }
    // A watched path that does not exist would make cargo rerun the script on every build.
    paths.retain(|p| std::path::Path::new(p).exists());
    paths
}

/// `key` of `[profile.NAME]` in the manifest, following `inherits` (dev and release are
/// the roots), with cargo's `CARGO_PROFILE_<NAME>_<KEY>` environment override first.
fn setting(manifest: &str, name: &str, key: &str) -> Option<String> {
    let env_key = format!(
        "CARGO_PROFILE_{}_{}",
        name.to_uppercase().replace('-', "_"),
        key.to_uppercase().replace('-', "_")
    );
    println!("cargo:rerun-if-env-changed={env_key}");
    if let Ok(v) = std::env::var(&env_key) {
        return Some(v);
    }
    let table = profile_table(manifest, name);
    if let Some(v) = table.iter().find(|(k, _)| k == key) {
        return Some(v.1.clone());
    }
    let parent = table
        .iter()
        .find(|(k, _)| k == "inherits")
        .map(|(_, v)| v.clone())?;
    (parent != name)
        .then(|| setting(manifest, &parent, key))
        .flatten()
}

/// The `key = value` lines of `[profile.NAME]` (values unquoted).
fn profile_table(manifest: &str, name: &str) -> Vec<(String, String)> {
    let header = format!("[profile.{name}]");
    let mut inside = false;
    let mut out = Vec::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            inside = line == header;
        } else if inside && let Some((k, v)) = line.split_once('=') {
            let v = v.split('#').next().unwrap_or_default().trim();
            out.push((k.trim().to_string(), v.trim_matches('"').to_string()));
        }
    }
    out
}
