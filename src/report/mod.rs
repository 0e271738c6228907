//! `sealbench report`: results files → a design-review report.
//!
//! Data flow: [`ReportInput::load`] reads and merges the results files (several machines
//! become several [`Machine`]s), the optional conformance (`sealbench kat --json`) and
//! decision (`sealbench decide --json`, one per traffic profile) files; [`Report::build`]
//! turns them into a format-neutral document: a one-page review summary, then appendices
//! of tables and rendered figures; one [`Exporter`] per output format writes files from it
//! (hyperfine's `src/export/mod.rs`). Missing data never fails a report: its section says
//! "not measured".

mod channel;
mod conformance;
mod costs;
mod csv;
mod decision;
mod document;
mod environment;
mod figures;
mod html;
mod input;
mod markdown;
mod merge;
mod overhead;
mod plots;
mod primitives;
mod speed;
mod speedup;
mod style;
mod summary;
mod system;
mod tables;

use std::path::{Path, PathBuf};

pub use csv::CsvExporter;
pub use decision::{
    BreakEven, BrokenAttack, Budget, Decision, DecisionProfile, DecisionRow, Recommendation,
    RecommendedClass, Rejected, RejectedClass, RowCosts, TrafficClass,
};
pub use document::{Block, Figure, Report, SECTION_IDS, Section};
pub use figures::FigureExporter;
pub use html::HtmlExporter;
pub use input::{KatInput, Machine, ReportInput};
pub use markdown::MarkdownExporter;
pub use merge::{COMPARISON_SCENARIOS_CAPTION, COMPARISON_SIZES_CAPTION};
pub use plots::{BarPlot, Dash, LinePlot, Marker, Plot, Point, Scale, Series, VLine};
pub use tables::{Table, num};

/// Why a report could not be produced. Messages name the file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// An input file could not be read.
    #[error("reading {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// An input file is not what its flag expects.
    #[error("{path}: {detail}")]
    Input {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        detail: String,
    },
    /// A plot could not be drawn or encoded.
    #[error("figure {figure}: {detail}")]
    Plot {
        /// The figure's file stem.
        figure: String,
        /// The plotting or encoding error.
        detail: String,
    },
    /// An output file could not be written.
    #[error("writing {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// One file an exporter produces: a name relative to the output directory and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// File name inside the output directory.
    pub name: String,
    /// Contents.
    pub bytes: Vec<u8>,
}

/// One output format.
pub trait Exporter {
    /// Renders the report into the files of this format.
    fn render(&self, report: &Report) -> Result<Vec<OutputFile>, ReportError>;
}

/// Every exporter, in the order their files are written.
pub fn exporters() -> Vec<Box<dyn Exporter>> {
    vec![
        Box::new(MarkdownExporter),
        Box::new(HtmlExporter),
        Box::new(CsvExporter),
        Box::new(FigureExporter),
    ]
}

/// Renders `report` with every exporter into `dir` (created if missing); returns the
/// paths written.
pub fn write_all(report: &Report, dir: &Path) -> Result<Vec<PathBuf>, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut written = Vec::new();
    for exporter in exporters() {
        for file in exporter.render(report)? {
            let path = dir.join(&file.name);
            std::fs::write(&path, &file.bytes).map_err(|source| ReportError::Write {
                path: path.clone(),
                source,
            })?;
            written.push(path);
        }
    }
    Ok(written)
}
