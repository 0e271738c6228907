//! The section's figures: cost per message against payload size (one colour per library,
//! one line style per path), and the handshakes.

use super::super::plots::{BarPlot, LinePlot, Point, Scale, Series};
use super::super::style::backend_colour;
use super::data::{Channel, Line, StackPath, cert_label, cert_rank, library_of};

pub(super) fn message_plot(lines: &[Line]) -> Option<LinePlot> {
    let series: Vec<Series> = lines
        .iter()
        .filter(|l| l.costs.len() > 1)
        .map(|l| {
            let (dash, marker) = l.kind.style();
            Series {
                name: l.legend.clone(),
                colour: backend_colour(&l.library),
                dash,
                marker,
                width: 2,
                points: l
                    .costs
                    .iter()
                    .map(|(size, c)| Point {
                        x: *size as f64,
                        y: c.ns / 1000.0,
                        band: Some((c.low / 1000.0, c.high / 1000.0)),
                    })
                    .collect(),
            }
        })
        .collect();
    (!series.is_empty()).then(|| LinePlot {
        title: "Cost per message: TLS record vs Encrypt0 and Sign1 envelopes".into(),
        x_label: "payload size (bytes, log scale)".into(),
        y_label: "µs per message: send + receive, seal + open (log scale)".into(),
        x_log: true,
        y_scale: Scale::Log,
        series,
        hline: None,
        vlines: Vec::new(),
        compact: false,
    })
}

/// Handshake cost: one group per handshake kind, one bar per stack and transport in its
/// library's colour.
pub(super) fn handshake_plot(ch: &Channel<'_>) -> Option<BarPlot> {
    let paths = ch.paths();
    let mut kinds: Vec<(&str, &str)> = ch
        .chans
        .iter()
        .filter(|c| matches!(c.s.op.as_str(), "handshake" | "resume") && c.per_connection.is_none())
        .map(|c| (c.s.op.as_str(), c.cert))
        .collect();
    kinds.sort_by_key(|(op, cert)| (*op == "resume", cert_rank(cert)));
    kinds.dedup();
    if kinds.is_empty() {
        return None;
    }
    let groups = kinds
        .iter()
        .map(|(op, cert)| match *op {
            "resume" => "resumed (PSK + X25519)".to_string(),
            _ => format!("full, {} certificates", cert_label(cert)),
        })
        .collect();
    let values = kinds
        .iter()
        .map(|(op, cert)| {
            paths
                .iter()
                .map(|p| {
                    ch.find(*p, op, Some(cert))
                        .map(|c| c.s.stats.median_ns / 1000.0)
                })
                .collect()
        })
        .collect();
    Some(BarPlot {
        title: "TLS handshake per new connection (mutual authentication)".into(),
        value_label: "µs per handshake (log scale)".into(),
        log: true,
        groups,
        bars: paths.iter().map(StackPath::label).collect(),
        colours: paths
            .iter()
            .map(|p| backend_colour(&library_of(p.stack)))
            .collect(),
        values,
    })
}
