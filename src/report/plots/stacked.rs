//! Horizontal stacked bar charts: one bar per category, its parts side by side along the
//! value axis, the total printed at the end of the bar, the legend below.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{colour, err, font, tick};

/// One bar per category, made of one part per legend entry (linear value axis).
#[derive(Debug, Clone, PartialEq)]
pub struct StackedBarPlot {
    /// Title.
    pub title: String,
    /// Value axis description with unit.
    pub value_label: String,
    /// Category labels, top to bottom.
    pub categories: Vec<String>,
    /// Legend entries, one per part, in stacking order (left to right).
    pub parts: Vec<String>,
    /// Palette index of each part (same length as `parts`).
    pub colours: Vec<usize>,
    /// `values[category][part]`; parts that are not finite and positive are not drawn.
    pub values: Vec<Vec<f64>>,
}

/// Pixels per bar.
const ROW_PX: u32 = 30;
/// Legend columns.
const LEGEND_COLS: usize = 4;

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn legend_rows(p: &StackedBarPlot) -> u32 {
    count(p.parts.len().div_ceil(LEGEND_COLS))
}

/// Pixel height: a row per bar plus title, axis and legend.
pub(super) fn height(p: &StackedBarPlot) -> u32 {
    let px = 150u32
        .saturating_add(ROW_PX.saturating_mul(count(p.categories.len())))
        .saturating_add(24u32.saturating_mul(legend_rows(p)));
    px.clamp(320, 4000)
}

/// Width of the category column: about 8 pixels a character of the longest label.
fn label_width(p: &StackedBarPlot) -> u32 {
    let longest = p
        .categories
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0);
    count(longest.saturating_mul(8).saturating_add(24)).clamp(120, 400)
}

fn drawn(v: f64) -> bool {
    v.is_finite() && v > 0.0
}

/// Draws a stacked bar chart on `root`.
pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &StackedBarPlot,
) -> Result<(), String> {
    let totals: Vec<f64> = p
        .values
        .iter()
        .map(|row| row.iter().copied().filter(|v| drawn(*v)).sum())
        .collect();
    let hi = totals.iter().copied().fold(0.0, f64::max);
    if hi.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return Err("no data points".into());
    }
    let rows = f64::from(count(p.categories.len()));
    let titled = root.titled(&p.title, font(22)).map_err(err)?;
    let (_, h) = titled.dim_in_pixel();
    let (area, legend) = titled.split_vertically(h.saturating_sub(12 + 24 * legend_rows(p)));
    let mut chart = ChartBuilder::on(&area)
        .margin(14)
        .margin_right(60)
        .x_label_area_size(50)
        .y_label_area_size(label_width(p))
        .build_cartesian_2d(0.0..hi * 1.15, 0.0..rows)
        .map_err(err)?;
    super::bars::value_mesh(&mut chart, &p.value_label)?;
    let (ox, oy) = area.get_base_pixel();
    let value_style = font(12).pos(Pos::new(HPos::Left, VPos::Center));
    let label_style = font(14).pos(Pos::new(HPos::Right, VPos::Center));
    for (i, (label, row)) in p.categories.iter().zip(&p.values).enumerate() {
        // Chart y grows upwards: the first category is at the top.
        let y1 = rows - f64::from(count(i)) - 0.15;
        let y0 = y1 - 0.7;
        let mut x = 0.0;
        for (j, &v) in row.iter().enumerate() {
            if !drawn(v) {
                continue;
            }
            chart
                .draw_series([Rectangle::new(
                    [(x, y0), (x + v, y1)],
                    colour(p.colours.get(j).copied().unwrap_or(j)).filled(),
                )])
                .map_err(err)?;
            x += v;
        }
        let mid = (y0 + y1) / 2.0;
        let (px, py) = chart.backend_coord(&(x, mid));
        area.draw(&Text::new(
            tick(x),
            (px - ox + 4, py - oy),
            value_style.clone(),
        ))
        .map_err(err)?;
        let (px, py) = chart.backend_coord(&(0.0, mid));
        area.draw(&Text::new(
            label.as_str(),
            (px - ox - 8, py - oy),
            label_style.clone(),
        ))
        .map_err(err)?;
    }
    let style = font(14).pos(Pos::new(HPos::Left, VPos::Center));
    let x0 = i32::try_from(label_width(p)).map_err(err)? + 14;
    let (w, _) = root.dim_in_pixel();
    let avail = i32::try_from(w).map_err(err)? - x0 - 10;
    let cols = i32::try_from(LEGEND_COLS).map_err(err)?;
    let col_w = (avail / cols).clamp(120, 360);
    for (i, name) in p.parts.iter().enumerate() {
        let i = i32::try_from(i).map_err(err)?;
        let (x, y) = (x0 + col_w * (i % cols), 10 + 24 * (i / cols));
        let c = usize::try_from(i).map_err(err)?;
        legend
            .draw(&Rectangle::new(
                [(x, y - 7), (x + 24, y + 7)],
                colour(p.colours.get(c).copied().unwrap_or(c)).filled(),
            ))
            .map_err(err)?;
        legend
            .draw(&Text::new(name.as_str(), (x + 32, y), style.clone()))
            .map_err(err)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{Plot, render};
    use super::*;

    #[test]
    fn stacked_bars_print_totals_and_refuse_empty_data() {
        let plot = StackedBarPlot {
            title: "CPU per RPC".into(),
            value_label: "µs".into(),
            categories: vec!["plain tcp".into(), "seal-all aws-lc tcp".into()],
            parts: vec!["broker".into(), "clients".into(), "envelope".into()],
            colours: vec![0, 1, 2],
            values: vec![vec![180.0, 170.0, 0.0], vec![190.0, 175.0, 15.0]],
        };
        let (svg, png) = render(&Plot::Stacked(plot.clone())).unwrap();
        assert_eq!(&png[..4], b"\x89PNG");
        let texts: Vec<&str> = svg.lines().map(str::trim).collect();
        // Totals: 350 and 380; labels and the legend.
        for t in ["350", "380", "plain tcp", "seal-all aws-lc tcp", "envelope"] {
            assert!(texts.contains(&t), "no text {t}");
        }
        let empty = StackedBarPlot {
            values: vec![vec![0.0; 3]; 2],
            ..plot
        };
        assert!(render(&Plot::Stacked(empty)).is_err());
    }
}
