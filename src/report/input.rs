//! Loading the report's inputs: results files, a conformance file, decision files.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ReportError;
use super::decision::Decision;
use crate::conformance::SuiteRecord;
use crate::results::{ResultsFile, Run, SCHEMA_VERSION};

/// The `kind` every results file carries.
pub const RESULTS_KIND: &str = "sealbench-results";

/// One run on one machine, with the label the report shows for it.
#[derive(Debug, Clone)]
pub struct Machine {
    /// Unique label: the host name, with ` (2)`, ` (3)`, ... for repeated hosts.
    pub label: String,
    /// The results file it came from.
    pub source: PathBuf,
    /// The run.
    pub run: Run,
}

/// The output of `sealbench kat --json`: the records (the environment is shown if present).
#[derive(Debug, Clone, Deserialize)]
pub struct KatInput {
    /// Where the suites ran.
    #[serde(default)]
    pub environment: Option<serde_json::Value>,
    /// One record per backend × suite × algorithm.
    pub records: Vec<SuiteRecord>,
}

/// Everything a report is made from.
#[derive(Debug, Clone)]
pub struct ReportInput {
    /// The results files, in command-line order.
    pub sources: Vec<PathBuf>,
    /// Every run of every file, in order: the first is the reference machine.
    pub machines: Vec<Machine>,
    /// Conformance records, if a `--kat` file was given.
    pub kat: Option<KatInput>,
    /// The decisions (one per traffic profile), with the files they came from, in
    /// command-line order.
    pub decisions: Vec<(PathBuf, Decision)>,
}

impl ReportInput {
    /// Reads every file; the results files' runs are merged in order.
    pub fn load(
        results: &[PathBuf],
        kat: Option<&Path>,
        decisions: &[PathBuf],
    ) -> Result<Self, ReportError> {
        let files = results
            .iter()
            .map(|p| Ok((p.clone(), read_results(p)?)))
            .collect::<Result<Vec<_>, ReportError>>()?;
        Ok(Self {
            sources: results.to_vec(),
            machines: super::merge::machines(files),
            kat: kat.map(read_json::<KatInput>).transpose()?,
            decisions: decisions
                .iter()
                .map(|p| Ok((p.clone(), read_json::<Decision>(p)?)))
                .collect::<Result<_, ReportError>>()?,
        })
    }
}

fn read_text(path: &Path) -> Result<String, ReportError> {
    std::fs::read_to_string(path).map_err(|source| ReportError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ReportError> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|e| ReportError::Input {
        path: path.to_path_buf(),
        detail: match file_kind(&text) {
            Some(kind) => format!("{e} (this is a {kind} file)"),
            None => e.to_string(),
        },
    })
}

/// What a JSON file that failed to parse looks like: its `kind`, or the shape of a
/// `decide --json` / `kat --json` output.
fn file_kind(text: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(text).ok()?;
    if let Some(kind) = v.get("kind").and_then(serde_json::Value::as_str) {
        return Some(format!("`{kind}`"));
    }
    if v.get("recommendation").is_some() {
        return Some("`sealbench decide --json`".into());
    }
    if v.get("records").is_some() {
        return Some("`sealbench kat --json`".into());
    }
    None
}

/// Reads one results file, checking its kind and schema version.
pub fn read_results(path: &Path) -> Result<ResultsFile, ReportError> {
    let file: ResultsFile = read_json(path)?;
    let bad = |detail: String| ReportError::Input {
        path: path.to_path_buf(),
        detail,
    };
    if file.kind != RESULTS_KIND {
        return Err(bad(format!(
            "kind is {:?}, expected {RESULTS_KIND:?} (the output of `sealbench run`)",
            file.kind
        )));
    }
    if file.schema_version > SCHEMA_VERSION {
        return Err(bad(format!(
            "schema version {} is newer than this sealbench reads ({SCHEMA_VERSION})",
            file.schema_version
        )));
    }
    Ok(file)
}
