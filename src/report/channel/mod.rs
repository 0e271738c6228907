//! Channel vs message: mutual TLS to the broker measured beside the envelope (issue #11).
//!
//! From the `channel` layer of a run (`src/measure/routine/channel.rs`): full and resumed
//! handshakes per TLS stack, one message on an established connection (client send +
//! server receive) at every payload size, and messages on connections of `n` messages (a
//! full handshake every `n`). Set beside Encrypt0 and Sign1 seal + open on the library
//! that does the stack's cryptography (rustls-aws-lc ↔ aws-lc, rustls-ring ↔ ring,
//! openssl ↔ openssl), with the AEAD of the TLS record and the signature of the
//! certificates. The section ends with what TLS to the broker does not protect, citing the
//! attacks `sealbench decide` executed on TLS sessions when a decision file is given.

mod caveat;
mod data;
mod plots;
mod tables;
#[cfg(test)]
mod tests;

use super::ReportError;
use super::document::{Block, Figure, Section};
use super::input::{Machine, ReportInput};
use super::plots::Plot;
use super::speed::figure_name;
use data::{Channel, message_lines};
use tables::{
    amortized_table, bytes_table, handshake_table, headline, message_table, no_resumption,
};

/// The one line of a run without channel scenarios.
pub const NOT_MEASURED: &str =
    "Channel vs message not measured in this run: `sealbench run --filter channel`.";

/// The channel vs message section.
pub fn section(input: &ReportInput) -> Result<Section, ReportError> {
    let mut sec = Section::new("channel", "Channel vs message");
    let measured: Vec<(usize, &Machine, Channel<'_>)> = input
        .machines
        .iter()
        .enumerate()
        .map(|(i, m)| (i, m, Channel::of(m)))
        .collect();
    if measured.iter().all(|(_, _, ch)| ch.chans.is_empty()) {
        sec.not_measured(NOT_MEASURED);
        return Ok(sec);
    }
    sec.text(
        "Mutual TLS 1.3 on every connection (X25519, certificates from the run's CA on both \
         ends, AES-128-GCM records) measured beside message-level envelopes on the library \
         that does the TLS stack's cryptography. A TLS message is the client's send and the \
         server's receive on an established connection, so it is compared with an envelope's \
         seal + open; Encrypt0 uses the record's AEAD, Sign1 the certificates' signature \
         (smallest sender identity). Loopback TCP includes the kernel's send and receive; in \
         memory is the TLS library alone. Times are medians; * marks scenarios flagged noisy.",
    );
    for (idx, m, ch) in &measured {
        sec.machine_heading(input, &m.label);
        if ch.chans.is_empty() {
            sec.not_measured(NOT_MEASURED);
            continue;
        }
        let lines = message_lines(m, ch);
        if let Some(plot) = plots::message_plot(&lines) {
            let name = figure_name(input, *idx, "channel-message-cost");
            sec.blocks
                .push(Block::Figure(Figure::render(&name, &Plot::Line(plot))?));
        }
        let headline = headline(&lines);
        if !headline.is_empty() {
            sec.blocks.push(Block::Bullets(headline));
        }
        if lines.is_empty() {
            sec.not_measured(
                "TLS per-message cost not measured (no `channel-message` scenarios on an \
                 established connection).",
            );
        } else {
            sec.blocks.push(Block::Table(message_table(&lines)));
            if !lines.iter().any(|l| l.stack.is_none()) {
                sec.text(
                    "No Encrypt0 or Sign1 scenarios on the TLS stacks' libraries in this run: \
                     the envelope rows are missing.",
                );
            }
        }
        if let Some(plot) = plots::handshake_plot(ch) {
            let name = figure_name(input, *idx, "channel-handshake");
            sec.blocks
                .push(Block::Figure(Figure::render(&name, &Plot::Bar(plot))?));
        }
        match handshake_table(ch) {
            Some(t) => {
                let dashes = t.rows.iter().flatten().any(|c| c == "–");
                sec.blocks.push(Block::Table(t));
                if dashes {
                    let mut note = "– : not in the results. A resumed handshake sends no \
                                    certificates, so the matrix resumes once per stack, after \
                                    an Ed25519 handshake."
                        .to_string();
                    for why in no_resumption(ch) {
                        note.push_str(&format!(" No resumed handshake for {why}."));
                    }
                    sec.text(note);
                }
            }
            None => sec.not_measured("TLS handshakes not measured in this run."),
        }
        if let Some(a) = amortized_table(m, ch) {
            sec.text(match (a.measured, a.computed) {
                (_, 0) => "Every cell below is measured: a timed loop of messages with a new \
                           connection and full handshake every n messages."
                    .to_string(),
                (0, _) => "Every cell below is computed (marked ≈) from the measured medians: \
                           full handshake ÷ n + one message on an established connection; the \
                           run has no per-connection scenarios."
                    .to_string(),
                (k, c) => format!(
                    "{k} cells below are measured (a new connection and full handshake every \
                     n messages in the timed loop); {c} marked ≈ are computed from the \
                     measured medians as full handshake ÷ n + one message."
                ),
            });
            sec.blocks.push(Block::Table(a.table));
        }
        if let Some(t) = bytes_table(&lines) {
            sec.blocks.push(Block::Table(t));
        }
    }
    caveat::caveat(&mut sec, &input.decisions);
    Ok(sec)
}
