//! Loads example files. A folder never aborts on one file: a file the runner cannot
//! interpret (a field outside the schema it knows, countersignatures, nested recipients)
//! becomes an [`Uninterpreted`] entry with an `unsupported` outcome and the reason, and a
//! broken file (not JSON, bad hex, clashing members) one with a `failed` outcome naming
//! what is wrong. Only an unreadable folder or one without any example stops the run.

use std::path::{Path, PathBuf};

use super::convert::{Issue, convert};
use super::error::CoseWgError;
use super::model::Example;
use super::{Structure, json};
use crate::conformance::Outcome;

/// A file that did not become an [`Example`], with the outcome every backend gets for it.
#[derive(Debug, Clone)]
pub struct Uninterpreted {
    /// Path relative to the vector root (`/` separators).
    pub file: String,
    /// The structure the input names, if it names exactly one.
    pub structure: Structure,
    /// `Unsupported` with the reason, or `Failed` for a broken file.
    pub outcome: Outcome,
}

/// One example file as loaded.
#[derive(Debug, Clone)]
pub enum Entry {
    /// Interpreted: run it on every backend.
    Example(Box<Example>),
    /// Not interpreted: the same outcome on every backend.
    Uninterpreted(Uninterpreted),
}

impl Entry {
    /// The file's recorded name.
    pub fn file(&self) -> &str {
        match self {
            Self::Example(e) => &e.file,
            Self::Uninterpreted(u) => &u.file,
        }
    }
}

/// Every `*.json` file under `root` (recursively, sorted by path), each loaded or
/// recorded as not interpreted.
pub fn load_examples(root: &Path) -> Result<Vec<Entry>, CoseWgError> {
    let mut paths = Vec::new();
    collect_json(root, &mut paths)?;
    if paths.is_empty() {
        return Err(CoseWgError::NoExamples {
            path: root.to_path_buf(),
        });
    }
    paths.iter().map(|p| load_entry(root, p)).collect()
}

fn relative_name(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Loads one file; only an unreadable file is an error.
pub fn load_entry(root: &Path, path: &Path) -> Result<Entry, CoseWgError> {
    let text = std::fs::read_to_string(path).map_err(|source| CoseWgError::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    let file = relative_name(root, path);
    let dir = path
        .parent()
        .map_or_else(|| root.to_path_buf(), Path::to_path_buf);
    Ok(interpret(&text, file, dir, path))
}

/// Loads one example file strictly: anything but an interpreted example is an error
/// naming the file (`root` is the vector root the recorded name is relative to).
pub fn load_example(root: &Path, path: &Path) -> Result<Example, CoseWgError> {
    let text = std::fs::read_to_string(path).map_err(|source| CoseWgError::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    let dir = path
        .parent()
        .map_or_else(|| root.to_path_buf(), Path::to_path_buf);
    parse_example(&text, relative_name(root, path), dir, path)
}

/// The structure the raw JSON names (for records of files that are not interpreted).
fn guess_structure(text: &str) -> Structure {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(text) else {
        return Structure::Unknown;
    };
    let Some(input) = v.get("input").and_then(|i| i.as_object()) else {
        return Structure::Unknown;
    };
    let kinds = [
        ("sign0", Structure::Sign1),
        ("sign", Structure::Sign),
        ("mac0", Structure::Mac0),
        ("mac", Structure::Mac),
        ("encrypted", Structure::Encrypt0),
        ("enveloped", Structure::Encrypt),
    ];
    let found: Vec<Structure> = kinds
        .iter()
        .filter(|(k, _)| input.contains_key(*k))
        .map(|&(_, s)| s)
        .collect();
    match found.as_slice() {
        [one] => *one,
        _ => Structure::Unknown,
    }
}

/// The schema error in a form that groups well: serde's "expected one of ..." list of
/// the known fields is cut off.
fn schema_reason(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let short = msg.split(", expected").next().unwrap_or(&msg);
    format!("example schema: {short}")
}

/// Interprets one example's JSON text (never fails: see the module doc).
pub fn interpret(text: &str, file: String, dir: PathBuf, path: &Path) -> Entry {
    let structure = guess_structure(text);
    let outcome = match parse(text, file.clone(), dir, path) {
        Ok(ex) => return Entry::Example(Box::new(ex)),
        Err(Parse::Syntax(e)) => Outcome::failed(format!("malformed example file (not JSON): {e}")),
        Err(Parse::Schema(e)) => Outcome::unsupported(schema_reason(&e)),
        Err(Parse::Issue(Issue::Malformed(r))) => {
            Outcome::failed(format!("malformed example file: {r}"))
        }
        Err(Parse::Issue(Issue::Unsupported(r))) => Outcome::unsupported(r),
    };
    Entry::Uninterpreted(Uninterpreted {
        file,
        structure,
        outcome,
    })
}

enum Parse {
    Syntax(serde_json::Error),
    Schema(serde_json::Error),
    Issue(Issue),
}

fn parse(text: &str, file: String, dir: PathBuf, path: &Path) -> Result<Example, Parse> {
    let raw: json::File = serde_json::from_str(text).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => Parse::Schema(e),
        _ => Parse::Syntax(e),
    })?;
    convert(raw, file, dir, path.to_path_buf()).map_err(Parse::Issue)
}

/// Parses one example's JSON text strictly; `file` is its recorded name, `dir` its
/// directory and `path` the path errors name.
pub fn parse_example(
    text: &str,
    file: String,
    dir: PathBuf,
    path: &Path,
) -> Result<Example, CoseWgError> {
    parse(text, file, dir, path).map_err(|e| match e {
        Parse::Syntax(source) | Parse::Schema(source) => CoseWgError::Json {
            path: path.to_path_buf(),
            source,
        },
        Parse::Issue(Issue::Malformed(reason) | Issue::Unsupported(reason)) => {
            CoseWgError::Invalid {
                path: path.to_path_buf(),
                reason,
            }
        }
    })
}

fn collect_json(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CoseWgError> {
    let read_dir = |source| CoseWgError::ReadDir {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(read_dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(read_dir)?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_json(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
    Ok(())
}
