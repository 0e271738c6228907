//! `results.csv`: one row per scenario per machine, every field of the record.

use super::document::Report;
use super::tables::mb_per_s;
use super::{Exporter, OutputFile, ReportError};
use crate::measure::csv::{field, record};

/// Writes `results.csv`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvExporter;

/// Columns: the machine label, the measurement CSV's columns
/// ([`crate::measure::csv::COLUMNS`]), then throughput in MB/s.
pub fn header() -> Vec<&'static str> {
    let mut h = vec!["machine"];
    h.extend_from_slice(crate::measure::csv::COLUMNS);
    h.push("mb_per_s");
    h
}

/// Renders the CSV text.
pub fn render(report: &Report) -> String {
    let mut out = header().join(",");
    out.push_str("\r\n");
    for m in &report.input.machines {
        for s in &m.run.scenarios {
            let mut fields = vec![field(&m.label)];
            fields.extend(record(s).iter().map(|f| field(f)));
            fields.push(mb_per_s(s).map(|v| v.to_string()).unwrap_or_default());
            out.push_str(&fields.join(","));
            out.push_str("\r\n");
        }
    }
    out
}

impl Exporter for CsvExporter {
    fn render(&self, report: &Report) -> Result<Vec<OutputFile>, ReportError> {
        Ok(vec![OutputFile {
            name: "results.csv".into(),
            bytes: render(report).into_bytes(),
        }])
    }
}

#[cfg(test)]
mod tests {
    use crate::measure::csv::field;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("ring"), "ring");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
