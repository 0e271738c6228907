//! A self-contained `index.html` (the summary, then the appendices) and `summary.html` (the
//! summary alone): inline CSS, figures inline as SVG, no network.

use std::fmt::Write as _;

use super::document::{Block, Report, Section};
use super::tables::Table;
use super::{Exporter, OutputFile, ReportError};

/// Writes `index.html` and `summary.html`.
#[derive(Debug, Clone, Copy, Default)]
pub struct HtmlExporter;

const STYLE: &str = "
body { font-family: 'DejaVu Sans', Verdana, Arial, sans-serif; margin: 0 auto; max-width: 1200px;
       padding: 0 24px 48px; color: #1b1b1b; line-height: 1.45; }
h1 { border-bottom: 3px solid #0072B2; padding-bottom: 6px; }
h2 { margin-top: 40px; border-bottom: 1px solid #ccc; padding-bottom: 4px; }
nav ul { columns: 3; }
table { border-collapse: collapse; margin: 8px 0 20px; font-size: 13px; display: block; overflow-x: auto; }
caption { caption-side: top; text-align: left; font-weight: bold; padding: 4px 0; }
th, td { border: 1px solid #d0d0d0; padding: 3px 8px; vertical-align: top; }
th { background: #eef3f8; text-align: left; }
tr:nth-child(even) td { background: #fafafa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 12px 0 24px; }
figure svg { max-width: 100%; height: auto; border: 1px solid #e4e4e4; }
figcaption { font-size: 13px; color: #555; }
p.not-measured { font-style: italic; color: #8a4b00; background: #fff6e5; padding: 6px 10px; }
details { margin: 8px 0 20px; }
summary { cursor: pointer; font-weight: bold; font-size: 14px; }
#summary { font-size: 15px; }
#summary h3 { margin: 18px 0 6px; }
#summary table { font-size: 14px; display: table; width: 100%; }
#summary td.num { white-space: normal; }
#summary figure { margin: 10px 0; max-width: 1000px; }
#summary figure.compact { display: inline-block; vertical-align: top; width: 49.5%; }
#summary figure svg { width: 100%; }
#appendices { margin-top: 48px; border-top: 3px solid #0072B2; }
";

/// Escapes text for HTML content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Inline `code` spans in backticks become `<code>`.
fn inline(text: &str) -> String {
    esc(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_string()
            }
        })
        .collect()
}

fn table(out: &mut String, t: &Table) {
    out.push_str("<table>");
    if !t.caption.is_empty() {
        let _ = write!(out, "<caption>{}</caption>", esc(&t.caption));
    }
    out.push_str("<thead><tr>");
    for h in &t.header {
        let _ = write!(out, "<th>{}</th>", esc(h));
    }
    out.push_str("</tr></thead><tbody>\n");
    let numeric: Vec<bool> = (0..t.header.len()).map(|c| t.is_numeric(c)).collect();
    for row in &t.rows {
        out.push_str("<tr>");
        for (c, cell) in row.iter().enumerate() {
            let class = if numeric.get(c) == Some(&true) {
                " class=\"num\""
            } else {
                ""
            };
            let _ = write!(out, "<td{class}>{}</td>", esc(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n");
}

fn section(out: &mut String, s: &Section, level: u8) {
    let _ = writeln!(
        out,
        "<section id=\"{}\"><h{level}>{}</h{level}>",
        s.id,
        esc(&s.title)
    );
    let sub = level + 1;
    for b in &s.blocks {
        match b {
            Block::Text(t) => {
                let _ = writeln!(out, "<p>{}</p>", inline(t));
            }
            Block::Heading(h) => {
                let _ = writeln!(out, "<h{sub}>{}</h{sub}>", esc(h));
            }
            Block::Table(t) => table(out, t),
            Block::Details(t) => {
                let _ = writeln!(
                    out,
                    "<details><summary>{} ({} rows)</summary>",
                    esc(&t.caption),
                    t.rows.len()
                );
                table(out, t);
                out.push_str("</details>\n");
            }
            Block::Bullets(items) => {
                out.push_str("<ul>");
                for i in items {
                    let _ = write!(out, "<li>{}</li>", inline(i));
                }
                out.push_str("</ul>\n");
            }
            Block::Figure(f) => {
                let _ = writeln!(
                    out,
                    "<figure id=\"fig-{name}\"{class}>{svg}<figcaption>{title} · \
                     <a href=\"{name}.png\">PNG</a> · <a href=\"{name}.svg\">SVG</a></figcaption></figure>",
                    name = esc(&f.name),
                    svg = f.svg,
                    title = esc(&f.title),
                    class = if f.compact { " class=\"compact\"" } else { "" },
                );
            }
            Block::NotMeasured(t) => {
                let _ = writeln!(out, "<p class=\"not-measured\">{}</p>", inline(t));
            }
        }
    }
    out.push_str("</section>\n");
}

/// Renders the whole report as one HTML document: the review summary first, then the
/// appendices.
pub fn render(report: &Report) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n",
        esc(&report.title),
        esc(&report.title)
    );
    let (summary, appendices) = report.split();
    if let Some(s) = summary {
        section(&mut out, s, 2);
    }
    out.push_str("<div id=\"appendices\"><h2>Appendices</h2>\n");
    for line in &report.intro {
        let _ = writeln!(out, "<p>{}</p>", inline(line));
    }
    out.push_str("<nav><ul>\n");
    for s in appendices {
        let _ = writeln!(out, "<li><a href=\"#{}\">{}</a></li>", s.id, esc(&s.title));
    }
    out.push_str("</ul></nav>\n");
    for s in appendices {
        section(&mut out, s, 3);
    }
    out.push_str("</div></body></html>\n");
    out
}

/// The review summary alone, as its own page (for a design-review handout and the
/// screenshot `scripts/render-report.sh` takes).
pub fn render_summary(report: &Report) -> String {
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{} — review summary</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n",
        esc(&report.title),
        esc(&report.title)
    );
    if let (Some(s), _) = report.split() {
        section(&mut out, s, 2);
    }
    out.push_str(
        "<p>Appendices: <a href=\"index.html#appendices\">index.html</a>.</p></body></html>\n",
    );
    out
}

impl Exporter for HtmlExporter {
    fn render(&self, report: &Report) -> Result<Vec<OutputFile>, ReportError> {
        Ok(vec![
            OutputFile {
                name: "index.html".into(),
                bytes: render(report).into_bytes(),
            },
            OutputFile {
                name: "summary.html".into(),
                bytes: render_summary(report).into_bytes(),
            },
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_code_spans_marked() {
        assert_eq!(esc("<a href=\"x\">&"), "&lt;a href=&quot;x&quot;&gt;&amp;");
        assert_eq!(inline("run `kat --json`"), "run <code>kat --json</code>");
    }
}
