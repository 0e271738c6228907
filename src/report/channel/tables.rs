//! The section's tables: handshakes, cost per message, amortized cost per connection,
//! bytes per message, and the one-line comparisons at 64 B and 16 KiB.

use std::collections::{BTreeMap, BTreeSet};

use super::super::input::Machine;
use super::super::style::backend_colour;
use super::super::tables::{Table, num, size_label};
use super::data::{
    Chan, Channel, Cost, Kind, Line, PER_CONNECTION, cert_label, cert_rank, envelope_costs,
    library_of, transport_label, us,
};

/// Full and resumed handshakes per stack, transport and certificate type.
pub(super) fn handshake_table(ch: &Channel<'_>) -> Option<Table> {
    let mut t = Table::new(
        "TLS 1.3 handshakes with mutual authentication (median per new connection, bytes \
         both ways on the wire)",
        &[
            "Stack",
            "Library",
            "Transport",
            "Certificates",
            "Full handshake (µs)",
            "Full (bytes)",
            "Resumed handshake (µs)",
            "Resumed (bytes)",
        ],
    );
    for path in ch.paths() {
        let mut certs: Vec<&str> = ch
            .chans
            .iter()
            .filter(|c| c.path() == path && matches!(c.s.op.as_str(), "handshake" | "resume"))
            .map(|c| c.cert)
            .collect();
        certs.sort_by_key(|c| cert_rank(c));
        certs.dedup();
        for cert in certs {
            let full = ch.find(path, "handshake", Some(cert));
            let resumed = ch.find(path, "resume", Some(cert));
            let time = |c: Option<&Chan<'_>>| c.map_or("–".into(), |c| Cost::of(c.s).cell());
            let bytes = |c: Option<&Chan<'_>>| {
                c.and_then(|c| c.s.overhead_bytes)
                    .map_or("–".into(), |b| b.to_string())
            };
            t.push(vec![
                path.stack.to_string(),
                library_of(path.stack),
                transport_label(path.transport),
                cert_label(cert),
                time(full),
                bytes(full),
                time(resumed),
                bytes(resumed),
            ]);
        }
    }
    (!t.rows.is_empty()).then_some(t)
}

/// Stacks without a resumed handshake in the run, with the reason this build gives.
pub(super) fn no_resumption(ch: &Channel<'_>) -> Vec<String> {
    let mut stacks: Vec<&str> = ch
        .paths()
        .iter()
        .filter(|p| ch.find(**p, "handshake", None).is_some())
        .filter(|p| ch.find(**p, "resume", None).is_none())
        .map(|p| p.stack)
        .collect();
    stacks.dedup();
    stacks
        .into_iter()
        .map(|stack| {
            match crate::channel::Stack::by_label(stack).map(crate::channel::Stack::resumption) {
                Some(Err(why)) => format!("{stack}: {}", why.0),
                _ => format!("{stack}: no resumed-handshake scenario in the results"),
            }
        })
        .collect()
}

pub(super) fn message_table(lines: &[Line]) -> Table {
    let cols: BTreeSet<u64> = lines.iter().flat_map(|l| l.costs.keys().copied()).collect();
    let mut header = vec!["Library".to_string(), "Per message".to_string()];
    header.extend(cols.iter().map(|c| size_label(*c)));
    let mut t = Table::with_header(
        "Cost per message (µs): TLS record send + receive on an established connection, \
         envelope seal + open",
        header,
    );
    for l in lines {
        let mut row = vec![l.library.clone(), l.label.clone()];
        row.extend(
            cols.iter()
                .map(|c| l.costs.get(c).map_or(String::new(), Cost::cell)),
        );
        t.push(row);
    }
    t
}

/// Bytes each path adds to a message: TLS per stack (both transports put the same records
/// on the wire; a range if they differ), envelopes per library.
pub(super) fn bytes_table(lines: &[Line]) -> Option<Table> {
    type Row = ((usize, String, Kind, String), String, String);
    let mut rows: BTreeMap<Row, BTreeMap<u64, (u64, u64)>> = BTreeMap::new();
    for l in lines {
        let label = match (&l.stack, l.kind) {
            (Some(stack), _) => format!("TLS record, {stack}"),
            (None, _) => l.label.replace(" (seal + open)", ""),
        };
        let key = (
            (
                backend_colour(&l.library),
                l.library.clone(),
                match l.kind {
                    Kind::TlsOther => Kind::TlsLoopback,
                    k => k,
                },
                label.clone(),
            ),
            l.library.clone(),
            label,
        );
        let row = rows.entry(key).or_default();
        for (size, c) in &l.costs {
            if let Some(b) = c.bytes {
                let slot = row.entry(*size).or_insert((b, b));
                *slot = (slot.0.min(b), slot.1.max(b));
            }
        }
    }
    rows.retain(|_, v| !v.is_empty());
    if rows.is_empty() {
        return None;
    }
    let cols: BTreeSet<u64> = rows.values().flat_map(|v| v.keys().copied()).collect();
    let mut header = vec!["Library".to_string(), "Per message".to_string()];
    header.extend(cols.iter().map(|c| size_label(*c)));
    let mut t = Table::with_header(
        "Bytes added per message: TLS records (header, content type, AEAD tag; one record \
         per 16 KiB) vs the envelope's headers and tag or signature",
        header,
    );
    for ((_, library, label), by_size) in rows {
        let mut row = vec![library, label];
        row.extend(cols.iter().map(|c| match by_size.get(c) {
            Some((lo, hi)) if lo == hi => lo.to_string(),
            Some((lo, hi)) => format!("{lo}–{hi}"),
            None => String::new(),
        }));
        t.push(row);
    }
    Some(t)
}

/// Per-message cost on connections of `n` messages: measured where the run has the
/// scenario, otherwise computed from the full handshake and one message.
pub(super) struct Amortized {
    pub(super) table: Table,
    pub(super) computed: usize,
    pub(super) measured: usize,
}

pub(super) fn amortized_table(m: &Machine, ch: &Channel<'_>) -> Option<Amortized> {
    let mut counts: BTreeSet<u32> = PER_CONNECTION.iter().copied().collect();
    counts.extend(ch.chans.iter().filter_map(|c| c.per_connection));
    let mut header = vec![
        "Stack".to_string(),
        "Transport".to_string(),
        "Payload".to_string(),
    ];
    header.extend(counts.iter().map(|n| {
        format!(
            "{} message{}/connection (µs/message)",
            n,
            if *n == 1 { "" } else { "s" }
        )
    }));
    header.push("Established connection (µs)".into());
    header.push("Encrypt0 seal + open (µs)".into());
    let mut t = Table::with_header(
        "Cost per message on connections of n messages, one full handshake each (≈: \
         computed as full handshake ÷ n + one message on an established connection)",
        header,
    );
    let (mut computed, mut measured) = (0, 0);
    for path in ch.paths() {
        let amortized = ch.amortized(path);
        let msgs = ch.messages(path);
        let cert = ch.message_cert(path);
        let full = cert.and_then(|cert| ch.find(path, "handshake", Some(cert)));
        let sizes: BTreeSet<u64> = amortized.keys().map(|k| k.1).collect();
        // Without measured connections, the sizes the amortization is usually shown at:
        // the matrix's (64 B and 1350 B) where measured, otherwise every message size.
        let sizes = if sizes.is_empty() && full.is_some() {
            let few: BTreeSet<u64> = msgs
                .keys()
                .copied()
                .filter(|s| [64, 1350].contains(s))
                .collect();
            if few.is_empty() {
                msgs.keys().copied().collect()
            } else {
                few
            }
        } else {
            sizes
        };
        let library = library_of(path.stack);
        let envelope = msgs
            .values()
            .next()
            .map(|c| envelope_costs(m, &library, "encrypt0", c.aead))
            .unwrap_or_default();
        for size in sizes {
            let msg = msgs.get(&size);
            let mut row = vec![
                path.stack.to_string(),
                transport_label(path.transport),
                size_label(size),
            ];
            for n in &counts {
                row.push(match (amortized.get(&(*n, size)), full, msg) {
                    (Some(c), _, _) => {
                        measured += 1;
                        Cost::of(c.s).cell()
                    }
                    (None, Some(h), Some(msg)) => {
                        computed += 1;
                        format!(
                            "≈{}",
                            us(h.s.stats.median_ns / f64::from(*n) + msg.s.stats.median_ns)
                        )
                    }
                    _ => String::new(),
                });
            }
            row.push(msg.map_or(String::new(), |c| Cost::of(c.s).cell()));
            row.push(envelope.get(&size).map_or(String::new(), Cost::cell));
            t.push(row);
        }
    }
    (!t.rows.is_empty()).then_some(Amortized {
        table: t,
        computed,
        measured,
    })
}

/// One sentence per stack: the TLS record against Encrypt0 on its library at the
/// smallest and largest common sizes (64 B and 16 KiB in the default matrix).
pub(super) fn headline(lines: &[Line]) -> Vec<String> {
    let mut out = Vec::new();
    for tls in lines.iter().filter(|l| l.stack.is_some()) {
        let Some(enc) = lines
            .iter()
            .find(|l| l.kind == Kind::Encrypt0 && l.library == tls.library)
        else {
            continue;
        };
        let common: Vec<u64> = tls
            .costs
            .keys()
            .copied()
            .filter(|s| enc.costs.contains_key(s))
            .collect();
        let pick: Vec<u64> = match (common.contains(&64), common.contains(&16384)) {
            (true, true) => vec![64, 16384],
            _ => common
                .first()
                .into_iter()
                .chain(common.last().filter(|_| common.len() > 1))
                .copied()
                .collect(),
        };
        let parts: Vec<String> = pick
            .iter()
            .filter_map(|size| {
                let (a, b) = (tls.costs.get(size)?, enc.costs.get(size)?);
                Some(format!(
                    "{} µs against {} µs at {} ({}×)",
                    us(a.ns),
                    us(b.ns),
                    size_label(*size),
                    num(a.ns / b.ns)
                ))
            })
            .collect();
        if !parts.is_empty() {
            out.push(format!(
                "{} vs Encrypt0 on {}: {}.",
                tls.label,
                tls.library,
                parts.join("; ")
            ));
        }
    }
    out
}
