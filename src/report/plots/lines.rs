//! Line plots: lines with markers and wide confidence intervals, a legend column.

use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{LinePlot, WIDTH, colour, err, font, min_max, padded, tick};

/// Width of the legend column of line plots.
const LEGEND_W: u32 = 290;
/// Legend names longer than this many characters wrap onto a second line.
const LEGEND_WRAP: usize = 28;
/// A confidence interval is drawn when it spans more than this share of the value.
const WIDE_CI: f64 = 0.05;

fn is_wide((lo, hi): (f64, f64), y: f64) -> bool {
    y != 0.0 && (hi - lo).abs() / y.abs() > WIDE_CI
}

/// Draws a line plot on `root`.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &LinePlot,
) -> Result<(), String> {
    let points = || p.series.iter().flat_map(|s| s.points.iter());
    let xs = points().map(|pt| pt.x);
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
    let (y_lo, y_hi) = padded(y_lo, y_hi, p.y_log);

    let titled = root.titled(&p.title, font(22)).map_err(err)?;
    let (area, legend) = titled.split_horizontally(WIDTH - LEGEND_W);
    let mut builder = ChartBuilder::on(&area);
    builder
        .margin(14)
        .x_label_area_size(56)
        .y_label_area_size(76);
    let x = x_lo..x_hi;
    let y = y_lo..y_hi;
    match (p.x_log, p.y_log) {
        (false, false) => fill_lines(&mut builder.build_cartesian_2d(x, y).map_err(err)?, p)?,
        (true, false) => fill_lines(
            &mut builder.build_cartesian_2d(x.log_scale(), y).map_err(err)?,
            p,
        )?,
        (false, true) => fill_lines(
            &mut builder.build_cartesian_2d(x, y.log_scale()).map_err(err)?,
            p,
        )?,
        (true, true) => fill_lines(
            &mut builder
                .build_cartesian_2d(x.log_scale(), y.log_scale())
                .map_err(err)?,
            p,
        )?,
    }
    let mut entries: Vec<(String, RGBColor, bool)> = p
        .series
        .iter()
        .map(|s| (s.name.clone(), colour(s.colour), s.dashed))
        .collect();
    if let Some((_, name)) = &p.hline {
        entries.push((name.clone(), RGBColor(0xC0, 0x00, 0x00), true));
    }
    draw_legend(&legend, &entries)
}

fn fill_lines<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    p: &LinePlot,
) -> Result<(), String>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let fmt = |v: &f64| tick(*v);
    chart
        .configure_mesh()
        .x_desc(p.x_label.as_str())
        .y_desc(p.y_label.as_str())
        .label_style(font(15))
        .axis_desc_style(font(16))
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
        .bold_line_style(RGBColor(0xCC, 0xCC, 0xCC))
        .draw()
        .map_err(err)?;
    for s in &p.series {
        let c = colour(s.colour);
        let line = s.points.iter().map(|pt| (pt.x, pt.y));
        if s.dashed {
            chart
                .draw_series(DashedLineSeries::new(line, 10, 6, c.stroke_width(2)))
                .map_err(err)?;
        } else {
            chart
                .draw_series(LineSeries::new(line, c.stroke_width(2)))
                .map_err(err)?;
        }
        chart
            .draw_series(
                s.points
                    .iter()
                    .map(|pt| Circle::new((pt.x, pt.y), 4, c.filled())),
            )
            .map_err(err)?;
        chart
            .draw_series(s.points.iter().filter_map(|pt| {
                let (lo, hi) = pt.band.filter(|b| is_wide(*b, pt.y))?;
                Some(ErrorBar::new_vertical(
                    pt.x,
                    lo,
                    pt.y,
                    hi,
                    c.stroke_width(1),
                    10,
                ))
            }))
            .map_err(err)?;
    }
    if let Some((y, _)) = &p.hline {
        let (x0, x1) = (chart.x_range().start, chart.x_range().end);
        let style = RGBColor(0xC0, 0x00, 0x00).stroke_width(2);
        chart
            .draw_series(DashedLineSeries::new([(x0, *y), (x1, *y)], 12, 6, style))
            .map_err(err)?;
    }
    Ok(())
}

fn legend_sample<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    c: RGBColor,
    dashed: bool,
) -> Result<(), String> {
    let segments: &[(i32, i32)] = if dashed {
        &[(0, 7), (11, 18), (22, 29)]
    } else {
        &[(0, 29)]
    };
    for (a, b) in segments {
        area.draw(&PathElement::new(
            [(x + a, y), (x + b, y)],
            c.stroke_width(2),
        ))
        .map_err(err)?;
    }
    if !dashed {
        area.draw(&Circle::new((x + 14, y), 4, c.filled()))
            .map_err(err)?;
    }
    Ok(())
}

/// A legend name as one or two lines, broken at the last space (or `+`) that keeps the
/// first line within [`LEGEND_WRAP`] characters.
fn wrap_legend(name: &str) -> Vec<&str> {
    if name.chars().count() <= LEGEND_WRAP {
        return vec![name];
    }
    let limit = name
        .char_indices()
        .nth(LEGEND_WRAP)
        .map_or(name.len(), |(i, _)| i);
    let head = name.get(..limit).unwrap_or(name);
    let cut = head.rfind(' ').or_else(|| head.rfind('+').map(|i| i + 1));
    match cut.filter(|&c| c > 0) {
        Some(c) => vec![
            name.get(..c).unwrap_or(name).trim_end(),
            name.get(c..).unwrap_or("").trim_start(),
        ],
        None => vec![name],
    }
}

/// A legend column: one sample line and name per entry.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(String, RGBColor, bool)],
) -> Result<(), String> {
    let style = font(14).pos(Pos::new(HPos::Left, VPos::Center));
    let mut y = 40;
    for (name, c, dashed) in entries {
        legend_sample(area, (6, y), *c, *dashed)?;
        for line in wrap_legend(name) {
            area.draw(&Text::new(line, (42, y), style.clone()))
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
            ["sign-encrypt", "ed25519+rsaoaep2048+aes128gcm"]
        );
        assert_eq!(
            wrap_legend("x25519+hkdfsha256+aes128gcm+more"),
            ["x25519+hkdfsha256+aes128gcm+", "more"]
        );
    }
}
