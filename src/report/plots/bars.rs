//! Horizontal grouped bar charts: category labels on the left, legend below.

use plotters::coord::Shift;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{BarPlot, colour, err, font, log_span, min_max, tick};

/// Gap between bar groups, in bar heights.
const GROUP_GAP: f64 = 0.8;

/// Bar groups laid out top to bottom: only present bars take a slot.
struct BarLayout<'a> {
    /// Per group: its label and `(bar index, value)` of the bars present.
    groups: Vec<(&'a str, Vec<(usize, f64)>)>,
}

impl<'a> BarLayout<'a> {
    fn new(p: &'a BarPlot) -> Self {
        let groups = p
            .groups
            .iter()
            .zip(&p.values)
            .map(|(g, row)| {
                let bars = row
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| v.filter(|v| v.is_finite()).map(|v| (i, v)))
                    .collect();
                (g.as_str(), bars)
            })
            .collect();
        Self { groups }
    }

    /// Height in bar units: one per bar (at least one per group) plus the gaps.
    fn units(&self) -> f64 {
        self.groups
            .iter()
            .map(|(_, bars)| as_f64(bars.len().max(1)) + GROUP_GAP)
            .sum()
    }
}

/// Legend columns: four, or two when a legend name is long.
fn bar_legend_cols(p: &BarPlot) -> usize {
    if p.bars.iter().any(|b| b.chars().count() > 18) {
        2
    } else {
        4
    }
}

fn bar_legend_rows(p: &BarPlot) -> usize {
    p.bars.len().div_ceil(bar_legend_cols(p))
}

/// Pixel height of a bar chart: 20 pixels a bar, plus title, axis and legend.
pub(super) fn height(p: &BarPlot) -> u32 {
    let units = BarLayout::new(p).units();
    let px = 150.0 + 20.0 * units + 24.0 * as_f64(bar_legend_rows(p));
    // Bounded above by the 4000-pixel clamp, so the cast cannot truncate.
    px.clamp(320.0, 4000.0).round() as u32
}

/// Width of the category label column: about 8 pixels a character of the longest line.
fn label_width(p: &BarPlot) -> u32 {
    let longest = p
        .groups
        .iter()
        .flat_map(|g| split_label(g))
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0);
    u32::try_from(longest.saturating_mul(8).saturating_add(24))
        .unwrap_or(u32::MAX)
        .clamp(120, 360)
}

/// A category label as at most two lines: before and after its first space.
fn split_label(label: &str) -> Vec<&str> {
    match label.split_once(' ') {
        Some((a, b)) if label.chars().count() > 18 => vec![a, b],
        _ => vec![label],
    }
}

/// Draws a bar chart on `root`.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &BarPlot,
) -> Result<(), String> {
    let values = || p.values.iter().flatten().flatten().copied();
    let (lo, hi) = min_max(values()).ok_or("no data points")?;
    let (v_lo, v_hi) = if p.log {
        log_span(lo.max(f64::MIN_POSITIVE) / 2.0, hi * 3.0)
    } else {
        (lo.min(0.0), hi * 1.2)
    };
    let layout = BarLayout::new(p);
    let legend_rows = u32::try_from(bar_legend_rows(p)).map_err(err)?;
    let titled = root.titled(&p.title, font(22)).map_err(err)?;
    let (_, h) = titled.dim_in_pixel();
    let (area, legend) = titled.split_vertically(h.saturating_sub(12 + 24 * legend_rows));
    let rows = 0.0..layout.units();
    let mut builder = ChartBuilder::on(&area);
    builder
        .margin(14)
        .margin_right(60)
        .x_label_area_size(50)
        .y_label_area_size(label_width(p));
    // The log and linear value axes are different types: one generic body draws both.
    if p.log {
        let mut c = builder
            .build_cartesian_2d((v_lo..v_hi).log_scale(), rows)
            .map_err(err)?;
        fill_bars(&mut c, &area, p, &layout, v_lo)?;
    } else {
        let mut c = builder.build_cartesian_2d(v_lo..v_hi, rows).map_err(err)?;
        fill_bars(&mut c, &area, p, &layout, v_lo)?;
    }
    let style = font(14).pos(Pos::new(HPos::Left, VPos::Center));
    let x0 = i32::try_from(label_width(p)).map_err(err)? + 14;
    let cols = bar_legend_cols(p);
    // Columns share the width right of the label column, so the last one is not cut.
    let (w, _) = root.dim_in_pixel();
    let avail = i32::try_from(w).map_err(err)? - x0 - 10;
    let col_w = (avail / i32::try_from(cols).map_err(err)?).clamp(120, 360);
    for (i, name) in p.bars.iter().enumerate() {
        let col = i32::try_from(i % cols).map_err(err)?;
        let row = i32::try_from(i / cols).map_err(err)?;
        let (x, y) = (x0 + col_w * col, 10 + 24 * row);
        legend
            .draw(&Rectangle::new(
                [(x, y - 7), (x + 24, y + 7)],
                colour(p.colours.get(i).copied().unwrap_or(i)).filled(),
            ))
            .map_err(err)?;
        legend
            .draw(&Text::new(name.as_str(), (x + 32, y), style.clone()))
            .map_err(err)?;
    }
    Ok(())
}

fn as_f64(n: usize) -> f64 {
    // Counts here are tiny; the conversion is exact.
    u32::try_from(n).map_or(f64::MAX, f64::from)
}

/// Short text for a bar's value: three significant digits, `k`/`M` suffixes.
fn value_text(v: f64) -> String {
    tick(v)
}

/// The grid of a horizontal bar chart: vertical lines at the value ticks, no category
/// labels on the y axis (each chart writes its own beside the bars). Shared with the
/// stacked bars ([`super::stacked`]).
pub(super) fn value_mesh<DB, X>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, plotters::coord::types::RangedCoordf64>>,
    value_label: &str,
) -> Result<(), String>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    let fmt = |v: &f64| tick(*v);
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc(value_label)
        .label_style(font(15))
        .axis_desc_style(font(16))
        .x_label_formatter(&fmt)
        .light_line_style(RGBColor(0xEE, 0xEE, 0xEE))
        .bold_line_style(RGBColor(0xCC, 0xCC, 0xCC))
        .draw()
        .map_err(err)?;
    Ok(())
}

fn fill_bars<DB, X>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, plotters::coord::types::RangedCoordf64>>,
    area: &DrawingArea<DB, Shift>,
    p: &BarPlot,
    layout: &BarLayout<'_>,
    base: f64,
) -> Result<(), String>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    value_mesh(chart, &p.value_label)?;
    let (ox, oy) = area.get_base_pixel();
    let value_style = font(12).pos(Pos::new(HPos::Left, VPos::Center));
    let label_style = font(14).pos(Pos::new(HPos::Right, VPos::Center));
    // Chart y grows upwards: the first group starts at the top.
    let mut top = layout.units() - GROUP_GAP / 2.0;
    for (label, bars) in &layout.groups {
        let slots = as_f64(bars.len().max(1));
        for (slot, (bar, v)) in bars.iter().enumerate() {
            let y1 = top - as_f64(slot) - 0.05;
            let y0 = y1 - 0.9;
            chart
                .draw_series([Rectangle::new(
                    [(base, y0), (*v, y1)],
                    colour(p.colours.get(*bar).copied().unwrap_or(*bar)).filled(),
                )])
                .map_err(err)?;
            let (px, py) = chart.backend_coord(&(*v, (y0 + y1) / 2.0));
            area.draw(&Text::new(
                value_text(*v),
                (px - ox + 4, py - oy),
                value_style.clone(),
            ))
            .map_err(err)?;
        }
        let (px, py) = chart.backend_coord(&(base, top - slots / 2.0));
        let lines = split_label(label);
        let n = i32::try_from(lines.len()).map_err(err)?;
        for (i, line) in lines.iter().enumerate() {
            let dy = 17 * (2 * i32::try_from(i).map_err(err)? - (n - 1)) / 2;
            area.draw(&Text::new(
                *line,
                (px - ox - 8, py - oy + dy),
                label_style.clone(),
            ))
            .map_err(err)?;
        }
        top -= slots + GROUP_GAP;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{Plot, render};
    use super::*;

    #[test]
    fn bars_render_and_skip_gaps() {
        let bars = BarPlot {
            title: "fixed".into(),
            value_label: "ns".into(),
            log: true,
            groups: vec![
                "mac0".into(),
                "sign-encrypt ed25519+rsaoaep2048+aes128gcm".into(),
            ],
            bars: vec!["ring".into(), "openssl".into()],
            colours: vec![1, 2],
            values: vec![vec![Some(300.0), None], vec![Some(20000.0), Some(25000.0)]],
        };
        assert_eq!(BarLayout::new(&bars).units(), 3.0 + 2.0 * GROUP_GAP);
        let (svg, _) = render(&Plot::Bar(bars.clone())).unwrap();
        // Long labels are split in two lines; each value is printed beside its bar.
        let texts: Vec<&str> = svg.lines().map(str::trim).collect();
        for t in [
            "sign-encrypt",
            "ed25519+rsaoaep2048+aes128gcm",
            "300",
            "25k",
            "openssl",
        ] {
            assert!(texts.contains(&t), "no text {t}");
        }
        let empty = BarPlot {
            values: vec![vec![None, None]; 2],
            ..bars
        };
        assert!(render(&Plot::Bar(empty)).is_err());
    }
}
