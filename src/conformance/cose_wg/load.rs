//! Loads example files strictly: unknown fields, bad hex, clashing members and
//! inconsistent message descriptions are errors naming the file (see `convert.rs`).

use std::path::{Path, PathBuf};

use super::convert::convert;
use super::error::CoseWgError;
use super::json;
use super::model::Example;

/// Every `*.json` file under `root` (recursively, sorted by path), loaded and validated.
pub fn load_examples(root: &Path) -> Result<Vec<Example>, CoseWgError> {
    let mut paths = Vec::new();
    collect_json(root, &mut paths)?;
    if paths.is_empty() {
        return Err(CoseWgError::NoExamples {
            path: root.to_path_buf(),
        });
    }
    paths.iter().map(|p| load_example(root, p)).collect()
}

/// Loads one example file; `root` is the vector root the recorded name is relative to.
pub fn load_example(root: &Path, path: &Path) -> Result<Example, CoseWgError> {
    let text = std::fs::read_to_string(path).map_err(|source| CoseWgError::ReadFile {
        path: path.to_path_buf(),
        source,
    })?;
    let rel = path.strip_prefix(root).unwrap_or(path);
    let file = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let dir = path
        .parent()
        .map_or_else(|| root.to_path_buf(), Path::to_path_buf);
    parse_example(&text, file, dir, path)
}

/// Parses one example's JSON text; `file` is its recorded name, `dir` its directory and
/// `path` the path errors name.
pub fn parse_example(
    text: &str,
    file: String,
    dir: PathBuf,
    path: &Path,
) -> Result<Example, CoseWgError> {
    let raw: json::File = serde_json::from_str(text).map_err(|source| CoseWgError::Json {
        path: path.to_path_buf(),
        source,
    })?;
    convert(raw, file, dir).map_err(|reason| CoseWgError::Invalid {
        path: path.to_path_buf(),
        reason,
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
