//! The one protocol of every process sealbench starts of itself (or of another sealbench
//! binary): arguments in, one typed JSON file out.
//!
//! The parent runs `EXE SUBCOMMAND ARGS... --child-out FILE` ([`ChildCommand`]) with stdin
//! closed and stdout discarded: nothing is ever parsed from a child's stdout. The child does
//! its work and writes its output, and nothing else, as JSON to FILE ([`write_output`]).
//! The parent checks the exit status, reads FILE as the type it expects and removes it (it
//! lives in a [`Scratch`] directory, removed on drop). The child's stderr is collected: it
//! is the error message when the child fails and is passed on when it succeeds.
//!
//! | parent | child command line after EXE (environment) | output |
//! |---|---|---|
//! | `run --software` | `run --child-tag no-aesni --quiet --sizes L --backend B... [--quick\|--precise] [--filter P]` (`OPENSSL_ia32cap` masking AES-NI) | `results::ResultsFile` |
//! | `kat --software` | `kat --backend B... [--nist F...] [--no-wycheproof]` (the same mask) | `cli::kat`'s `KatReport` |
//! | gate, wall ([`crate::gate::processes`]) | `gate --metric wall --child-rounds N --child-sample-ns N --child-scenario ID...` | `gate::processes::ChildOutput` |
//! | gate, icount ([`crate::gate::icount`]) | `gate --child-scenario ID...`, under `valgrind --tool=callgrind ...` | `gate::child::ChildManifest` |
//!
//! Compatibility: `gate --baseline-bin OLD --candidate-bin NEW` and `run --build-sensitivity`
//! send the wall child's command line to sealbench binaries built from other revisions or in
//! other profiles, so that line and `ChildOutput` only ever gain optional parts.

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The flag that tells a child where to write its output.
pub const OUT_FLAG: &str = "--child-out";

/// Why a child gave no usable output. Messages name the child and the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChildError {
    /// The program could not be started.
    #[error("cannot start {what}: {source}")]
    Start {
        /// The child, as the parent describes it.
        what: String,
        /// The error.
        source: std::io::Error,
    },
    /// The child exited with a status the parent does not accept.
    #[error("{what} failed ({status}){}", stderr_tail(.stderr))]
    Failed {
        /// The child, as the parent describes it.
        what: String,
        /// Its exit status.
        status: ExitStatus,
        /// What it wrote to stderr.
        stderr: String,
    },
    /// The output file is missing or unreadable.
    #[error("{}: {source}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The output file is not the JSON the parent expects.
    #[error("{}: {detail}", .path.display())]
    Output {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
}

fn stderr_tail(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.trim().lines().collect();
    match lines.get(lines.len().saturating_sub(12)..) {
        Some(tail) if !tail.is_empty() => format!(": {}", tail.join("\n")),
        _ => String::new(),
    }
}

/// A private directory for children's output files, removed with its contents on drop.
#[derive(Debug)]
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    /// `$TMPDIR/sealbench-<purpose>-<pid>`, created.
    pub fn new(purpose: &str) -> Result<Self, ChildError> {
        let dir = std::env::temp_dir().join(format!("sealbench-{purpose}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|source| ChildError::Io {
            path: dir.clone(),
            source,
        })?;
        Ok(Self { dir })
    }

    /// A path in the directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A child's command line: a sealbench executable, its arguments and environment.
#[derive(Debug, Clone)]
pub struct ChildCommand {
    what: String,
    wrapper: Vec<OsString>,
    exe: PathBuf,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    accepted: &'static [i32],
}

impl ChildCommand {
    /// `exe` (a sealbench binary); `what` names the child in messages.
    pub fn new(exe: impl Into<PathBuf>, what: impl Into<String>) -> Self {
        Self {
            what: what.into(),
            wrapper: Vec::new(),
            exe: exe.into(),
            args: Vec::new(),
            env: Vec::new(),
            accepted: &[0],
        }
    }

    /// One more argument.
    #[must_use]
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// More arguments.
    #[must_use]
    pub fn args<S: Into<OsString>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// An environment variable for the child.
    #[must_use]
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Runs the executable under this program and its arguments (callgrind).
    #[must_use]
    pub fn wrapped_in<S: Into<OsString>>(mut self, program: impl IntoIterator<Item = S>) -> Self {
        self.wrapper = program.into_iter().map(Into::into).collect();
        self
    }

    /// Exit codes after which the output is read (default: 0 only; `kat` exits 1 when a
    /// vector failed, and its output says which).
    #[must_use]
    pub fn accept_exit_codes(mut self, codes: &'static [i32]) -> Self {
        self.accepted = codes;
        self
    }

    /// Starts the child, telling it to write its output to `out`.
    pub fn spawn(self, out: &Path) -> Result<Running, ChildError> {
        let mut words = self.wrapper.iter();
        let mut cmd = match words.next() {
            Some(program) => {
                let mut c = Command::new(program);
                c.args(words).arg(&self.exe);
                c
            }
            None => Command::new(&self.exe),
        };
        cmd.args(&self.args)
            .arg(OUT_FLAG)
            .arg(out)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let child = cmd.spawn().map_err(|source| ChildError::Start {
            what: self.what.clone(),
            source,
        })?;
        Ok(Running {
            child,
            what: self.what,
            out: out.to_path_buf(),
            accepted: self.accepted,
        })
    }

    /// Runs the child to the end and reads its output as `T`.
    pub fn run_json<T: DeserializeOwned>(self, out: &Path) -> Result<T, ChildError> {
        self.spawn(out)?.wait_json()
    }
}

/// A started child.
#[derive(Debug)]
pub struct Running {
    child: std::process::Child,
    what: String,
    out: PathBuf,
    accepted: &'static [i32],
}

impl Running {
    /// Waits for the child and returns the text of its output file.
    pub fn wait_text(self) -> Result<String, ChildError> {
        let done = self
            .child
            .wait_with_output()
            .map_err(|source| ChildError::Start {
                what: self.what.clone(),
                source,
            })?;
        let stderr = String::from_utf8_lossy(&done.stderr).into_owned();
        if !done
            .status
            .code()
            .is_some_and(|c| self.accepted.contains(&c))
        {
            return Err(ChildError::Failed {
                what: self.what,
                status: done.status,
                stderr,
            });
        }
        if !stderr.is_empty() {
            let _ = std::io::stderr().write_all(stderr.as_bytes());
        }
        std::fs::read_to_string(&self.out).map_err(|source| ChildError::Io {
            path: self.out.clone(),
            source,
        })
    }

    /// Waits for the child and reads its output as `T`.
    pub fn wait_json<T: DeserializeOwned>(self) -> Result<T, ChildError> {
        let out = self.out.clone();
        let text = self.wait_text()?;
        serde_json::from_str(&text).map_err(|e| ChildError::Output {
            path: out,
            detail: e.to_string(),
        })
    }
}

/// Child side: writes `value` as JSON to `path` (the [`OUT_FLAG`] argument).
pub fn write_output<T: Serialize>(path: &Path, value: &T) -> Result<(), ChildError> {
    let text = serde_json::to_string(value).map_err(|e| ChildError::Output {
        path: path.to_path_buf(),
        detail: e.to_string(),
    })?;
    std::fs::write(path, text).map_err(|source| ChildError::Io {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sh -c SCRIPT` stands in for a sealbench child: `$0`.. are the protocol's arguments.
    fn sh(script: &str) -> ChildCommand {
        ChildCommand::new("/bin/sh", "test child").args(["-c", script])
    }

    #[test]
    fn output_comes_from_the_file_not_stdout() {
        let scratch = Scratch::new("child-test-a").unwrap();
        let out = scratch.path("o.json");
        // $0 is --child-out, $1 the file.
        let v: Vec<u32> =
            sh(r#"echo '{"not": "this"}'; [ "$0" = --child-out ] && echo "[1, $V]" > "$1""#)
                .env("V", "2")
                .run_json(&out)
                .unwrap();
        assert_eq!(v, [1, 2]);
    }

    #[test]
    fn failures_name_the_child_and_carry_its_stderr() {
        let scratch = Scratch::new("child-test-b").unwrap();
        let out = scratch.path("o.json");
        let e = sh("echo boom >&2; exit 3")
            .run_json::<u32>(&out)
            .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("test child failed") && msg.ends_with("boom"),
            "{msg}"
        );
        // An accepted non-zero exit still reads the output.
        let v: u32 = sh(r#"echo 7 > "$1"; exit 1"#)
            .accept_exit_codes(&[0, 1])
            .run_json(&out)
            .unwrap();
        assert_eq!(v, 7);
        // Exit 0 without output, or with the wrong type, is an error naming the file.
        std::fs::remove_file(&out).unwrap();
        assert!(matches!(
            sh("true").run_json::<u32>(&out),
            Err(ChildError::Io { .. })
        ));
        write_output(&out, &"text").unwrap();
        let e = sh("true").run_json::<u32>(&out).unwrap_err();
        assert!(matches!(e, ChildError::Output { .. }) && e.to_string().contains("o.json"));
        assert!(matches!(
            ChildCommand::new("/nonexistent/sealbench", "x").run_json::<u32>(&out),
            Err(ChildError::Start { .. })
        ));
    }

    #[test]
    fn a_wrapper_runs_the_executable() {
        let scratch = Scratch::new("child-test-c").unwrap();
        let out = scratch.path("o.json");
        // /usr/bin/env as the wrapper: `env /bin/sh -c SCRIPT --child-out FILE`.
        let v: u32 = ChildCommand::new("/bin/sh", "wrapped")
            .wrapped_in(["/usr/bin/env"])
            .args(["-c", r#"echo 5 > "$1""#])
            .run_json(&out)
            .unwrap();
        assert_eq!(v, 5);
        let dir = out.parent().unwrap().to_path_buf();
        drop(scratch);
        assert!(!dir.exists());
    }
}
