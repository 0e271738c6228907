//! GitHub-flavoured markdown: `report.md`, figures linked as SVG files beside it.

use std::fmt::Write as _;

use super::document::{Block, Report, Section};
use super::tables::Table;
use super::{Exporter, OutputFile, ReportError};

/// Writes `report.md`.
#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownExporter;

/// A table cell with pipes escaped and line breaks flattened.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn table(out: &mut String, t: &Table) {
    if !t.caption.is_empty() {
        let _ = writeln!(out, "**{}**\n", t.caption);
    }
    let header: Vec<String> = t.header.iter().map(|h| cell(h)).collect();
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let rule: Vec<&str> = (0..t.header.len())
        .map(|c| if t.is_numeric(c) { "---:" } else { "---" })
        .collect();
    let _ = writeln!(out, "| {} |", rule.join(" | "));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

fn section(out: &mut String, s: &Section, level: &str) {
    let _ = write!(out, "\n<a id=\"{}\"></a>\n\n{level} {}\n\n", s.id, s.title);
    for b in &s.blocks {
        match b {
            Block::Text(t) => {
                let _ = writeln!(out, "{t}\n");
            }
            Block::Heading(h) => {
                let _ = writeln!(out, "{level}# {h}\n");
            }
            Block::Table(t) => table(out, t),
            Block::Details(t) => {
                let _ = writeln!(
                    out,
                    "<details><summary>{} ({} rows)</summary>\n",
                    t.caption,
                    t.rows.len()
                );
                table(
                    out,
                    &Table {
                        caption: String::new(),
                        ..t.clone()
                    },
                );
                out.push_str("</details>\n\n");
            }
            Block::Bullets(items) => {
                for i in items {
                    let _ = writeln!(out, "- {i}");
                }
                out.push('\n');
            }
            Block::Figure(f) => {
                let _ = writeln!(out, "![{}]({}.svg)\n", f.title, f.name);
            }
            Block::NotMeasured(t) => {
                let _ = writeln!(out, "_{t}_\n");
            }
        }
    }
}

/// Renders the whole report as markdown: the review summary first, then the appendices.
pub fn render(report: &Report) -> String {
    let mut out = format!("# {}\n\n", report.title);
    let (summary, appendices) = report.split();
    if let Some(s) = summary {
        section(&mut out, s, "##");
    }
    out.push_str("\n## Appendices\n\n");
    for line in &report.intro {
        let _ = writeln!(out, "{line}  ");
    }
    out.push('\n');
    for s in appendices {
        let _ = writeln!(out, "- [{}](#{})", s.title, s.id);
    }
    for s in appendices {
        section(&mut out, s, "###");
    }
    out
}

impl Exporter for MarkdownExporter {
    fn render(&self, report: &Report) -> Result<Vec<OutputFile>, ReportError> {
        Ok(vec![OutputFile {
            name: "report.md".into(),
            bytes: render(report).into_bytes(),
        }])
    }
}
