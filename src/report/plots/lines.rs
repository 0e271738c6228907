//! Line plots: lines with markers and wide confidence intervals, reference lines, a legend
//! column. Lines, dashes and markers are drawn in pixel space so that every [`Dash`] and
//! [`Marker`] looks the same in the plot and in the legend.

use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Dash, LinePlot, Marker, Scale, colour, err, font, min_max, padded, tick};

/// Width of the legend column of line plots (of compact ones).
const LEGEND_W: u32 = 300;
const LEGEND_W_COMPACT: u32 = 250;
/// Legend names longer than this many characters wrap onto a second line.
const LEGEND_WRAP: usize = 28;
/// A confidence interval is drawn when it spans more than this share of the value.
const WIDE_CI: f64 = 0.05;
/// The symmetric-log axis is linear within ± this value.
pub const SYMLOG_LINEAR: f64 = 1.0;
/// Budget line colour.
const RED: RGBColor = RGBColor(0xC0, 0x00, 0x00);
/// Vertical reference line colour.
const GREY: RGBColor = RGBColor(0x55, 0x55, 0x55);

fn is_wide((lo, hi): (f64, f64), y: f64) -> bool {
    y != 0.0 && (hi - lo).abs() / y.abs() > WIDE_CI
}

/// The symmetric-log transform: `sign(y) · log10(1 + |y| / SYMLOG_LINEAR)`.
pub fn symlog(y: f64) -> f64 {
    y.signum() * (1.0 + y.abs() / SYMLOG_LINEAR).log10()
}

/// Tick values of a symmetric-log axis over transformed range `lo..hi`: 0 and ±1, 2, 5
/// × powers of ten (only the powers of ten when that gives enough ticks).
fn symlog_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let mut all = vec![0.0];
    let mut decade = SYMLOG_LINEAR;
    for _ in 0..8 {
        for m in [1.0, 2.0, 5.0] {
            all.push(m * decade);
            all.push(-m * decade);
        }
        decade *= 10.0;
    }
    let inside = |v: &f64| (lo..=hi).contains(&symlog(*v));
    let powers: Vec<f64> = all
        .iter()
        .copied()
        .filter(inside)
        .filter(|v| *v == 0.0 || (v.abs().log10().fract()).abs() < 1e-9)
        .collect();
    let mut out = if powers.len() >= 4 {
        powers
    } else {
        all.into_iter().filter(inside).collect()
    };
    out.sort_by(f64::total_cmp);
    out
}

/// The plot with y values (points, bands, budget line) mapped by the axis transform.
fn transformed(p: &LinePlot) -> LinePlot {
    if p.y_scale != Scale::SymLog {
        return p.clone();
    }
    let mut q = p.clone();
    for pt in q.series.iter_mut().flat_map(|s| s.points.iter_mut()) {
        pt.y = symlog(pt.y);
        pt.band = pt.band.map(|(lo, hi)| (symlog(lo), symlog(hi)));
    }
    if let Some((y, _)) = &mut q.hline {
        *y = symlog(*y);
    }
    q
}

/// Draws a line plot on `root`.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    original: &LinePlot,
) -> Result<(), String> {
    let p = &transformed(original);
    let points = || p.series.iter().flat_map(|s| s.points.iter());
    let xs = points()
        .map(|pt| pt.x)
        .chain(original.vlines.iter().map(|v| v.x));
    let ys = points().flat_map(|pt| {
        let (lo, hi) = pt
            .band
            .filter(|b| is_wide(*b, pt.y))
            .unwrap_or((pt.y, pt.y));
        [pt.y, lo, hi]
    });
    let (x_lo, x_hi) = min_max(xs).ok_or("no data points")?;
    let (y_lo, y_hi) = min_max(ys.chain(p.hline.iter().map(|h| h.0))).ok_or("no data points")?;
    let (x_lo, x_hi) = padded(x_lo, x_hi, p.x_log);
    let (y_lo, y_hi) = padded(y_lo, y_hi, p.y_scale == Scale::Log);
    let ticks = (p.y_scale == Scale::SymLog).then(|| symlog_ticks(y_lo, y_hi));

    let titled = root
        .titled(&p.title, font(if p.compact { 19 } else { 22 }))
        .map_err(err)?;
    let (w, _) = titled.dim_in_pixel();
    let legend_w = if p.compact {
        LEGEND_W_COMPACT
    } else {
        LEGEND_W
    };
    let (area, legend) = titled.split_horizontally(w.saturating_sub(legend_w));
    let mut builder = ChartBuilder::on(&area);
    builder
        .margin(14)
        .x_label_area_size(56)
        .y_label_area_size(80);
    let x = x_lo..x_hi;
    let y = y_lo..y_hi;
    let t = ticks.as_deref();
    match (p.x_log, p.y_scale == Scale::Log) {
        (false, false) => fill_lines(
            &mut builder.build_cartesian_2d(x, y).map_err(err)?,
            &area,
            p,
            t,
        )?,
        (true, false) => fill_lines(
            &mut builder.build_cartesian_2d(x.log_scale(), y).map_err(err)?,
            &area,
            p,
            t,
        )?,
        (false, true) => fill_lines(
            &mut builder.build_cartesian_2d(x, y.log_scale()).map_err(err)?,
            &area,
            p,
            t,
        )?,
        (true, true) => fill_lines(
            &mut builder
                .build_cartesian_2d(x.log_scale(), y.log_scale())
                .map_err(err)?,
            &area,
            p,
            t,
        )?,
    }
    let mut entries: Vec<LegendEntry> = p
        .series
        .iter()
        .map(|s| LegendEntry {
            name: s.name.clone(),
            colour: colour(s.colour),
            dash: s.dash,
            marker: Some(s.marker),
        })
        .collect();
    if let Some((_, name)) = &p.hline {
        entries.push(LegendEntry {
            name: name.clone(),
            colour: RED,
            dash: Dash::Dashed,
            marker: None,
        });
    }
    draw_legend(&legend, &entries)
}

/// A polyline cut into the "on" runs of a dash pattern (pixel coordinates).
fn dash_runs(points: &[(i32, i32)], dash: Dash) -> Vec<Vec<(i32, i32)>> {
    let Some(pattern) = dash.pattern() else {
        return vec![points.to_vec()];
    };
    let runs: Vec<(f64, bool)> = pattern
        .iter()
        .flat_map(|&(on, off)| [(f64::from(on), true), (f64::from(off), false)])
        .collect();
    let mut out = Vec::new();
    let mut current: Vec<(i32, i32)> = Vec::new();
    let (mut run, mut left) = (0usize, runs.first().map_or(1.0, |r| r.0));
    for pair in points.windows(2) {
        let [(x0, y0), (x1, y1)] = [pair.first(), pair.get(1)].map(|p| {
            let (x, y) = p.copied().unwrap_or_default();
            (f64::from(x), f64::from(y))
        });
        let len = (x1 - x0).hypot(y1 - y0);
        let mut pos = 0.0;
        while pos < len {
            let step = left.min(len - pos);
            let on = runs.get(run).is_some_and(|r| r.1);
            let at = |d: f64| {
                let f = if len > 0.0 { d / len } else { 0.0 };
                // Pixel coordinates of a plot: far inside i32.
                (
                    (x0 + (x1 - x0) * f).round() as i32,
                    (y0 + (y1 - y0) * f).round() as i32,
                )
            };
            if on {
                if current.is_empty() {
                    current.push(at(pos));
                }
                current.push(at(pos + step));
            }
            pos += step;
            left -= step;
            if left <= 1e-9 {
                if on && !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
                run = (run + 1) % runs.len().max(1);
                left = runs.get(run).map_or(1.0, |r| r.0);
            }
        }
    }
    if current.len() > 1 {
        out.push(current);
    }
    out
}

/// Strokes a pixel-space polyline with `dash`.
fn stroke<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    points: &[(i32, i32)],
    c: RGBColor,
    width: u32,
    dash: Dash,
) -> Result<(), String> {
    for run in dash_runs(points, dash) {
        area.draw(&PathElement::new(run, c.stroke_width(width)))
            .map_err(err)?;
    }
    Ok(())
}

/// Draws `marker` centred on pixel `(x, y)`.
fn mark<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    c: RGBColor,
    marker: Marker,
) -> Result<(), String> {
    match marker {
        Marker::Circle => area.draw(&Circle::new((x, y), 4, c.filled())),
        Marker::Triangle => area.draw(&TriangleMarker::new((x, y), 6, c.filled())),
        Marker::Square => area.draw(&Rectangle::new(
            [(x - 4, y - 4), (x + 4, y + 4)],
            c.filled(),
        )),
        Marker::Cross => area.draw(&Cross::new((x, y), 5, c.stroke_width(2))),
        Marker::Ring => area.draw(&Circle::new((x, y), 5, c.stroke_width(2))),
    }
    .map_err(err)
}

fn fill_lines<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    area: &DrawingArea<DB, Shift>,
    p: &LinePlot,
    symlog_ticks: Option<&[f64]>,
) -> Result<(), String>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let fmt = |v: &f64| tick(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(p.x_label.as_str())
        .y_desc(p.y_label.as_str())
        .label_style(font(15))
        .axis_desc_style(font(16))
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
        .bold_line_style(RGBColor(0xCC, 0xCC, 0xCC));
    if symlog_ticks.is_some() {
        mesh.y_labels(0).disable_y_mesh();
    }
    mesh.draw().map_err(err)?;
    let (ox, oy) = area.get_base_pixel();
    let px = |chart: &ChartContext<'_, DB, Cartesian2d<X, Y>>, x: f64, y: f64| {
        let (a, b) = chart.backend_coord(&(x, y));
        (a - ox, b - oy)
    };
    let (x0, x1) = (chart.x_range().start, chart.x_range().end);
    let (y0, y1) = (chart.y_range().start, chart.y_range().end);
    if let Some(ticks) = symlog_ticks {
        let label = font(15).pos(Pos::new(HPos::Right, VPos::Center));
        for &v in ticks {
            let t = symlog(v);
            let (a, b) = (px(chart, x0, t), px(chart, x1, t));
            let grid = if v == 0.0 {
                RGBColor(0x88, 0x88, 0x88)
            } else {
                RGBColor(0xDD, 0xDD, 0xDD)
            };
            area.draw(&PathElement::new([a, b], grid.stroke_width(1)))
                .map_err(err)?;
            area.draw(&Text::new(tick(v), (a.0 - 6, a.1), label.clone()))
                .map_err(err)?;
        }
    }
    for s in &p.series {
        let c = colour(s.colour);
        let line: Vec<(i32, i32)> = s.points.iter().map(|pt| px(chart, pt.x, pt.y)).collect();
        stroke(area, &line, c, s.width.max(1), s.dash)?;
        // Confidence intervals as plain bars with caps (plotters' ErrorBar would also
        // draw a circle over the series' own marker).
        for pt in &s.points {
            let Some((lo, hi)) = pt.band.filter(|b| is_wide(*b, pt.y)) else {
                continue;
            };
            let (top, bottom) = (px(chart, pt.x, hi), px(chart, pt.x, lo));
            for seg in [
                [top, bottom],
                [(top.0 - 5, top.1), (top.0 + 5, top.1)],
                [(bottom.0 - 5, bottom.1), (bottom.0 + 5, bottom.1)],
            ] {
                area.draw(&PathElement::new(seg, c.stroke_width(1)))
                    .map_err(err)?;
            }
        }
        for &at in &line {
            mark(area, at, c, s.marker)?;
        }
    }
    if let Some((y, _)) = &p.hline {
        stroke(
            area,
            &[px(chart, x0, *y), px(chart, x1, *y)],
            RED,
            2,
            Dash::Dashed,
        )?;
    }
    let style = font(13).pos(Pos::new(HPos::Left, VPos::Top));
    // Labels staggered over four rows in x order, so neighbouring lines never share a row.
    let mut order: Vec<&super::VLine> = p.vlines.iter().collect();
    order.sort_by(|a, b| a.x.total_cmp(&b.x));
    for (i, v) in order.into_iter().enumerate() {
        let (top, bottom) = (px(chart, v.x, y1), px(chart, v.x, y0));
        stroke(area, &[top, bottom], GREY, 1, v.dash)?;
        let row = i32::try_from(i % 4).map_err(err)?;
        area.draw(&Text::new(
            v.label.clone(),
            (top.0 + 3, top.1 + 3 + 15 * row),
            style.clone(),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// One legend line.
struct LegendEntry {
    name: String,
    colour: RGBColor,
    dash: Dash,
    marker: Option<Marker>,
}

/// A legend name wrapped onto lines of at most [`LEGEND_WRAP`] characters, broken after
/// spaces or `+` (a longer unbreakable word keeps its own line).
fn wrap_legend(name: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = name.trim();
    while rest.chars().count() > LEGEND_WRAP {
        let limit = rest
            .char_indices()
            .nth(LEGEND_WRAP)
            .map_or(rest.len(), |(i, _)| i);
        let head = rest.get(..limit).unwrap_or(rest);
        let cut = head
            .rfind(' ')
            .or_else(|| head.rfind('+').map(|i| i + 1))
            .filter(|&c| c > 0)
            .or_else(|| rest.find([' ', '+']).map(|i| i + 1));
        let Some(c) = cut else { break };
        lines.push(rest.get(..c).unwrap_or(rest).trim_end());
        rest = rest.get(c..).unwrap_or("").trim_start();
    }
    if !rest.is_empty() {
        lines.push(rest);
    }
    lines
}

/// A legend column: one sample line (with its marker) and name per entry.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
) -> Result<(), String> {
    let style = font(14).pos(Pos::new(HPos::Left, VPos::Center));
    let mut y = 40;
    for e in entries {
        stroke(area, &[(4, y), (40, y)], e.colour, 2, e.dash)?;
        if let Some(m) = e.marker {
            mark(area, (22, y), e.colour, m)?;
        }
        for line in wrap_legend(&e.name) {
            area.draw(&Text::new(line, (48, y), style.clone()))
                .map_err(err)?;
            y += 18;
        }
        y += 6;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_legend_names_wrap() {
        assert_eq!(wrap_legend("aws-lc"), ["aws-lc"]);
        assert_eq!(
            wrap_legend("sign-encrypt ed25519+rsaoaep2048+aes128gcm"),
            ["sign-encrypt", "ed25519+rsaoaep2048+", "aes128gcm"]
        );
        assert_eq!(
            wrap_legend("x25519+hkdfsha256+aes128gcm+more"),
            ["x25519+hkdfsha256+aes128gcm+", "more"]
        );
        assert_eq!(
            wrap_legend("recommended: seal-all/pairwise = cheapest-mix: 0.00239 cores, ×419"),
            [
                "recommended:",
                "seal-all/pairwise =",
                "cheapest-mix: 0.00239",
                "cores, ×419"
            ]
        );
    }

    #[test]
    fn symlog_keeps_negatives_and_ticks_both_signs() {
        assert_eq!(symlog(0.0), 0.0);
        assert!((symlog(9.0) - 1.0).abs() < 1e-12);
        assert!((symlog(-9.0) + 1.0).abs() < 1e-12);
        let ticks = symlog_ticks(symlog(-5.0), symlog(1000.0));
        assert!(ticks.contains(&-1.0) && ticks.contains(&0.0) && ticks.contains(&1000.0));
        assert!(!ticks.contains(&-10.0));
    }

    #[test]
    fn dashes_split_a_line_into_runs() {
        let line = [(0, 0), (100, 0)];
        assert_eq!(dash_runs(&line, Dash::Solid).len(), 1);
        let dashed = dash_runs(&line, Dash::Dashed);
        assert_eq!(dashed.len(), 7, "{dashed:?}"); // 16-pixel period over 100 pixels
        assert!(dash_runs(&line, Dash::Dotted).len() > dashed.len());
        assert!(dash_runs(&line, Dash::DashDot).len() > dashed.len());
    }
}
