//! End to end over RabbitMQ (`report --system e2e.json`): what share of a whole RPC the
//! envelope is, next to the broker, the AMQP clients and TLS to the broker, and how
//! latency grows with the offered load. The data comes from `sealbench e2e`
//! ([`crate::results::system`]).

use super::ReportError;
use super::document::{Block, Figure, Section};
use super::plots::{Dash, LinePlot, Marker, Plot, Point, Scale, Series, StackedBarPlot};
use super::tables::{Table, num};
use crate::results::system::{
    Pattern, Protection, SystemFile, SystemRun, SystemScenario, Transport, compare,
};

/// What the section says when no e2e file was given.
pub const NOT_GIVEN: &str = "End-to-end RPC over RabbitMQ not in this report: \
    `scripts/e2e.sh [--quick] OUTDIR` measures it (a broker of its own on loopback) and \
    writes OUTDIR/e2e.json; add `--system OUTDIR/e2e.json` to `sealbench report`.";

/// Palette indices of the stacked parts: broker grey, clients teal, envelope wine, TLS
/// orange (none is a backend's colour).
const PART_COLOURS: [usize; 4] = [9, 8, 7, 4];

/// The end-to-end section.
pub fn section(system: Option<&SystemFile>) -> Result<Section, ReportError> {
    let mut sec = Section::new("system", "End to end over RabbitMQ");
    let Some(file) = system else {
        sec.not_measured(NOT_GIVEN);
        return Ok(sec);
    };
    let Some(run) = file.runs.first() else {
        sec.not_measured(NOT_GIVEN);
        return Ok(sec);
    };
    sec.text(format!(
        "From {} ({}): {}, clients {}; payload sizes {} (p50 {} B, p99 {} B); {} s of \
         open-loop load per cell; load average {} before, {} after on {} CPUs (a shared \
         machine: tails move between runs). CPU per RPC is the broker process (from /proc) \
         plus this process's clients (caller and servers), the envelope being the CPU inside \
         its seal and open calls; TLS is what a TLS cell costs above the same cell over TCP. \
         A call is one RPC of two messages (request and reply).",
        file.path.display(),
        run.profile,
        run.broker_version,
        run.client,
        run.sizes,
        run.size_p50_bytes,
        run.size_p99_bytes,
        num(run.duration_s),
        num(run.load_average_before),
        num(run.load_average_after),
        run.cpus
    ));
    if file.runs.len() > 1 {
        sec.text(format!(
            "{} has {} end-to-end runs; the first is shown.",
            file.path.display(),
            file.runs.len()
        ));
    }
    let bullets = comparisons(run);
    if !bullets.is_empty() {
        sec.blocks.push(Block::Bullets(bullets));
    }
    if let Some(plot) = cpu_plot(run) {
        let fig = Figure::render("system-cpu-per-rpc", &Plot::Stacked(plot))?;
        sec.blocks.push(Block::Figure(fig));
    }
    for transport in [Transport::Tcp, Transport::Tls] {
        if let Some(plot) = latency_plot(run, transport) {
            let name = format!("system-latency-{}", transport.label());
            let fig = Figure::render(&name, &Plot::Line(plot))?;
            sec.blocks.push(Block::Figure(fig));
        }
    }
    sec.blocks.push(Block::Details(table(run)));
    Ok(sec)
}

/// The configurations a comparison is drawn for: every envelope backend of the run.
fn backends(run: &SystemRun) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for s in &run.scenarios {
        if s.protection != Protection::Plain && !out.contains(&s.backend.as_str()) {
            out.push(&s.backend);
        }
    }
    out
}

/// The closing note's comparisons: seal-all and sign-all vs plain, TLS vs TCP, at the
/// highest rate both sides sustain (call).
fn comparisons(run: &SystemRun) -> Vec<String> {
    let plain = (Protection::Plain, "none", Transport::Tcp);
    let mut pairs = vec![(plain, (Protection::Plain, "none", Transport::Tls))];
    for b in backends(run) {
        for p in [Protection::SealAll, Protection::SignAll] {
            pairs.push((plain, (p, b, Transport::Tcp)));
        }
        pairs.push((
            (Protection::SealAll, b, Transport::Tcp),
            (Protection::SealAll, b, Transport::Tls),
        ));
    }
    pairs
        .into_iter()
        .filter_map(|(a, b)| compare(&run.scenarios, Pattern::Call, a, b))
        .map(|c| {
            format!(
                "{}: at {}/s, p99 {} → {} µs ({:+.0} µs), CPU per RPC {} → {} µs ({:+.0} µs); \
                 envelope {} % of it.",
                c.what,
                num(c.rate.unwrap_or(0.0)),
                num(c.p99_base_us),
                num(c.p99_us),
                c.p99_added_us,
                num(c.cpu_base_us),
                num(c.cpu_us),
                c.cpu_us - c.cpu_base_us,
                num(100.0 * c.envelope_share)
            )
        })
        .collect()
}

/// The rate the call bars are drawn at: the highest one plain over TCP sustained, else
/// the highest offered.
fn bar_rate(run: &SystemRun) -> Option<f64> {
    run.highest_sustained(Pattern::Call, Protection::Plain, "none", Transport::Tcp)
        .map(|s| s.offered_per_s)
        .or_else(|| {
            run.scenarios
                .iter()
                .filter(|s| s.pattern == Pattern::Call)
                .map(|s| s.offered_per_s)
                .max_by(f64::total_cmp)
        })
}

/// Stacked CPU per RPC: every call cell at [`bar_rate`], then every cast and fanout cell.
fn cpu_plot(run: &SystemRun) -> Option<StackedBarPlot> {
    let rate = bar_rate(run);
    let cells: Vec<&SystemScenario> = run
        .scenarios
        .iter()
        .filter(|s| s.pattern == Pattern::Call && Some(s.offered_per_s) == rate)
        .chain(run.scenarios.iter().filter(|s| s.pattern != Pattern::Call))
        .collect();
    if cells.is_empty() {
        return None;
    }
    let mut title = "CPU per RPC: broker, client, envelope, TLS".to_string();
    if let Some(r) = rate {
        title.push_str(&format!(" (call at {}/s", num(r)));
        let others: Vec<String> = Pattern::ALL
            .iter()
            .filter(|p| **p != Pattern::Call)
            .filter_map(|p| {
                let s = cells.iter().find(|s| s.pattern == *p)?;
                Some(format!("{} at {}/s", p.label(), num(s.offered_per_s)))
            })
            .collect();
        for o in others {
            title.push_str(&format!(", {o}"));
        }
        title.push(')');
    }
    Some(StackedBarPlot {
        title,
        value_label: "CPU per RPC (µs)".into(),
        categories: cells
            .iter()
            .map(|s| match s.pattern {
                Pattern::Call => s.label(),
                Pattern::Fanout => format!("fanout{} {}", s.servers, s.label()),
                Pattern::Cast => format!("cast {}", s.label()),
            })
            .collect(),
        parts: vec![
            "broker".into(),
            "clients".into(),
            "envelope".into(),
            "TLS".into(),
        ],
        colours: PART_COLOURS.to_vec(),
        values: cells
            .iter()
            .map(|s| {
                let p = s.cpu_per_rpc.parts();
                vec![p.broker_us, p.clients_us, p.envelope_us, p.tls_us]
            })
            .collect(),
    })
}

/// p50 and p99 latency against the achieved rate, one colour per call configuration over
/// `transport`; `None` without call cells there.
fn latency_plot(run: &SystemRun, transport: Transport) -> Option<LinePlot> {
    let mut configs: Vec<String> = Vec::new();
    for s in run
        .scenarios
        .iter()
        .filter(|s| s.pattern == Pattern::Call && s.transport == transport)
    {
        if !configs.contains(&s.label()) {
            configs.push(s.label());
        }
    }
    if configs.is_empty() {
        return None;
    }
    let mut series = Vec::new();
    for (i, label) in configs.iter().enumerate() {
        let mut cells: Vec<&SystemScenario> = run
            .scenarios
            .iter()
            .filter(|s| s.pattern == Pattern::Call && s.transport == transport)
            .filter(|s| &s.label() == label)
            .filter(|s| s.latency.p50_us > 0.0 && s.achieved_per_s > 0.0)
            .collect();
        cells.sort_by(|a, b| a.achieved_per_s.total_cmp(&b.achieved_per_s));
        if cells.is_empty() {
            continue;
        }
        for (q, dash, marker) in [
            ("p50", Dash::Solid, Marker::Circle),
            ("p99", Dash::Dashed, Marker::Triangle),
        ] {
            series.push(Series {
                name: format!("{label} {q}"),
                colour: i,
                dash,
                marker,
                width: 2,
                points: cells
                    .iter()
                    .map(|s| Point {
                        x: s.achieved_per_s,
                        y: if q == "p50" {
                            s.latency.p50_us
                        } else {
                            s.latency.p99_us.max(s.latency.p50_us)
                        },
                        band: None,
                    })
                    .collect(),
            });
        }
    }
    (!series.is_empty()).then(|| LinePlot {
        title: format!(
            "Call latency vs load over {} (p50 solid, p99 dashed)",
            transport.label()
        ),
        x_label: "achieved rate (RPCs/s)".into(),
        y_label: "latency from due time (µs)".into(),
        x_log: false,
        y_scale: Scale::Log,
        series,
        hline: None,
        vlines: Vec::new(),
        compact: false,
    })
}

/// Every cell.
fn table(run: &SystemRun) -> Table {
    let mut t = Table::new(
        "Every cell: latency and CPU per RPC (µs); TLS = above the same cell over TCP",
        &[
            "cell",
            "offered/s",
            "achieved/s",
            "sustained",
            "p50",
            "p99",
            "p99.9",
            "broker",
            "clients",
            "envelope",
            "TLS",
            "envelope %",
        ],
    );
    for s in &run.scenarios {
        let c = &s.cpu_per_rpc;
        t.push(vec![
            s.id.clone(),
            num(s.offered_per_s),
            num(s.achieved_per_s),
            if s.sustained { "yes" } else { "no" }.into(),
            num(s.latency.p50_us),
            num(s.latency.p99_us),
            num(s.latency.p999_us),
            num(c.broker_us),
            num(c.clients_us),
            num(c.envelope_us),
            c.tls.as_ref().map_or(String::new(), |t| num(t.total_us)),
            num(100.0 * c.envelope_share),
        ]);
    }
    t
}
