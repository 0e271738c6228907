//! `results.csv`: one row per scenario per machine, every field of the record.

use super::document::Report;
use super::tables::mb_per_s;
use super::{Exporter, OutputFile, ReportError};

/// Writes `results.csv`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvExporter;

/// Column names, in order.
pub const HEADER: &[&str] = &[
    "machine",
    "id",
    "family",
    "layer",
    "op",
    "mode",
    "algorithm",
    "backend",
    "impl_path",
    "size",
    "identity",
    "recipients",
    "cek_reuse",
    "inside_loop",
    "overhead_bytes",
    "samples",
    "iters_per_sample",
    "median_ns",
    "min_ns",
    "max_ns",
    "ci95_low_ns",
    "ci95_high_ns",
    "cv",
    "cpu_median_ns",
    "noisy",
    "mb_per_s",
];

/// One field, quoted when it holds a comma, quote or line break.
// ref: https://www.rfc-editor.org/rfc/rfc4180#section-2
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map_or(String::new(), |v| v.to_string())
}

/// Renders the CSV text.
pub fn render(report: &Report) -> String {
    let mut out = HEADER.join(",");
    out.push_str("\r\n");
    for m in &report.input.machines {
        for s in &m.run.scenarios {
            let st = &s.stats;
            let row = [
                m.label.clone(),
                s.id.clone(),
                s.family.clone(),
                s.layer.clone(),
                s.op.clone(),
                opt(s.mode.as_ref()),
                s.algorithm.clone(),
                s.backend.clone(),
                opt(s.impl_path.as_ref()),
                s.size.to_string(),
                opt(s.identity.as_ref()),
                opt(s.recipients),
                opt(s.cek_reuse),
                s.inside_loop.join(";"),
                opt(s.overhead_bytes),
                st.samples.to_string(),
                st.iters_per_sample.to_string(),
                st.median_ns.to_string(),
                st.min_ns.to_string(),
                st.max_ns.to_string(),
                st.ci95_low_ns.to_string(),
                st.ci95_high_ns.to_string(),
                st.cv.to_string(),
                st.cpu_median_ns.to_string(),
                st.noisy.to_string(),
                opt(mb_per_s(s)),
            ];
            let fields: Vec<String> = row.iter().map(|f| field(f)).collect();
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
    use super::field;

    #[test]
    fn fields_are_quoted_only_when_needed() {
        assert_eq!(field("ring"), "ring");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
