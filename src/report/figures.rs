//! Every figure as `<name>.svg` and `<name>.png`.

use super::document::Report;
use super::{Exporter, OutputFile, ReportError};

/// Writes each figure's SVG and PNG files.
#[derive(Debug, Clone, Copy, Default)]
pub struct FigureExporter;

impl Exporter for FigureExporter {
    fn render(&self, report: &Report) -> Result<Vec<OutputFile>, ReportError> {
        Ok(report
            .figures()
            .flat_map(|f| {
                [
                    OutputFile {
                        name: format!("{}.svg", f.name),
                        bytes: f.svg.clone().into_bytes(),
                    },
                    OutputFile {
                        name: format!("{}.png", f.name),
                        bytes: f.png.clone(),
                    },
                ]
            })
            .collect())
    }
}
