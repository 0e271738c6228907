//! Plot specifications, and their rendering to SVG and PNG with plotters.
//!
//! Sections describe what to draw as plain data ([`LinePlot`], [`BarPlot`]); this file
//! draws it once per backend (SVG text, PNG bitmap). Text is laid out and rasterised with
//! the vendored DejaVu Sans (`assets/fonts/`), so PNGs do not depend on system fonts.
//! Legends sit in a column right of (line plots) or below (bar plots) the data, so they
//! never cover it.

mod bars;
mod lines;
mod stacked;

pub use stacked::StackedBarPlot;

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;

/// Figure width in pixels.
pub const WIDTH: u32 = 1000;
/// Line plot height in pixels.
pub const HEIGHT: u32 = 560;
/// Size of a compact line plot (shown two abreast in the summary, so drawn smaller with
/// the same font sizes: its text stays legible at half the page width).
pub const COMPACT: (u32, u32) = (720, 500);
const FONT_FAMILY: &str = "sans-serif";
// DejaVu Sans 2.37 from Debian's fonts-dejavu-core (licence: assets/fonts/LICENSE).
static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// Okabe–Ito colour-blind-safe palette (yellow dropped: unreadable on white), then extras.
// ref: https://jfly.uni-koeln.de/color/
const PALETTE: &[RGBColor] = &[
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x00, 0x00, 0x00),
    RGBColor(0x88, 0x22, 0x55),
    RGBColor(0x44, 0xAA, 0x99),
    RGBColor(0x99, 0x99, 0x99),
];

/// Colour number `i`, cycling through the palette.
pub(crate) fn colour(i: usize) -> RGBColor {
    PALETTE
        .get(i % PALETTE.len())
        .copied()
        .unwrap_or(RGBColor(0, 0, 0))
}

/// One point; `band` is the 95% confidence interval of `y`, if known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// X value.
    pub x: f64,
    /// Y value.
    pub y: f64,
    /// `(low, high)` of the 95% confidence interval.
    pub band: Option<(f64, f64)>,
}

/// How a line is stroked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Dash {
    /// Continuous.
    #[default]
    Solid,
    /// Long dashes.
    Dashed,
    /// Dots.
    Dotted,
    /// Long and short dashes.
    DashDot,
}

impl Dash {
    /// Every style, in the order algorithms take them.
    pub const ALL: [Self; 4] = [Self::Solid, Self::Dashed, Self::Dotted, Self::DashDot];

    /// `(on, off)` pixel runs of one period; `None` for a continuous line.
    fn pattern(self) -> Option<&'static [(i32, i32)]> {
        match self {
            Self::Solid => None,
            Self::Dashed => Some(&[(10, 6)]),
            Self::Dotted => Some(&[(3, 4)]),
            Self::DashDot => Some(&[(12, 4), (3, 4)]),
        }
    }
}

/// The mark at each point of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Marker {
    /// Filled circle.
    #[default]
    Circle,
    /// Filled triangle.
    Triangle,
    /// Filled square.
    Square,
    /// Diagonal cross.
    Cross,
    /// Hollow circle.
    Ring,
}

impl Marker {
    /// Every marker, in the order algorithms take them.
    pub const ALL: [Self; 5] = [
        Self::Circle,
        Self::Triangle,
        Self::Square,
        Self::Cross,
        Self::Ring,
    ];
}

/// One line of a line plot.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// Palette index (series sharing a colour share an index; see [`super::style`]).
    pub colour: usize,
    /// Line style.
    pub dash: Dash,
    /// Point marker.
    pub marker: Marker,
    /// Line width in pixels (2 unless a series is to stand out).
    pub width: u32,
    /// Points in x order.
    pub points: Vec<Point>,
}

/// How the y axis maps values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scale {
    /// Linear.
    #[default]
    Linear,
    /// Logarithmic (values must be positive).
    Log,
    /// Symmetric log: linear within ±`SYMLOG_LINEAR`, logarithmic beyond, so negative
    /// values are drawn where they are instead of being clipped.
    SymLog,
}

/// A labelled vertical reference line (a profile's p50 or p99 message size).
#[derive(Debug, Clone, PartialEq)]
pub struct VLine {
    /// X value.
    pub x: f64,
    /// Short label drawn at the top of the line.
    pub label: String,
    /// Line style.
    pub dash: Dash,
}

/// Lines over a numeric x axis.
#[derive(Debug, Clone, PartialEq)]
pub struct LinePlot {
    /// Title.
    pub title: String,
    /// X axis description with unit.
    pub x_label: String,
    /// Y axis description with unit.
    pub y_label: String,
    /// Logarithmic x axis.
    pub x_log: bool,
    /// Y axis scale.
    pub y_scale: Scale,
    /// The lines.
    pub series: Vec<Series>,
    /// A horizontal reference line and its legend text (the decision chart's budget).
    pub hline: Option<(f64, String)>,
    /// Vertical reference lines.
    pub vlines: Vec<VLine>,
    /// Drawn at [`COMPACT`] size instead of [`WIDTH`] × [`HEIGHT`].
    pub compact: bool,
}

/// Horizontal bars: one group per category, one bar per legend entry.
#[derive(Debug, Clone, PartialEq)]
pub struct BarPlot {
    /// Title.
    pub title: String,
    /// Value axis description with unit.
    pub value_label: String,
    /// Logarithmic value axis.
    pub log: bool,
    /// Category labels, top to bottom.
    pub groups: Vec<String>,
    /// Legend entries, one per bar in each group.
    pub bars: Vec<String>,
    /// Palette index of each legend entry (same length as `bars`).
    pub colours: Vec<usize>,
    /// `values[group][bar]`; `None` leaves a gap.
    pub values: Vec<Vec<Option<f64>>>,
}

/// Something to draw.
#[derive(Debug, Clone, PartialEq)]
pub enum Plot {
    /// Lines.
    Line(LinePlot),
    /// Bars.
    Bar(BarPlot),
    /// Stacked bars.
    Stacked(StackedBarPlot),
}

impl Plot {
    /// The title.
    pub fn title(&self) -> &str {
        match self {
            Self::Line(p) => &p.title,
            Self::Bar(p) => &p.title,
            Self::Stacked(p) => &p.title,
        }
    }

    /// Whether it is drawn at the compact size.
    pub fn compact(&self) -> bool {
        matches!(self, Self::Line(p) if p.compact)
    }

    /// Pixel size.
    fn size(&self) -> (u32, u32) {
        match self {
            Self::Line(p) if p.compact => COMPACT,
            Self::Line(_) => (WIDTH, HEIGHT),
            Self::Bar(p) => (WIDTH, bars::height(p)),
            Self::Stacked(p) => (WIDTH, stacked::height(p)),
        }
    }
}

/// Renders `plot` to an SVG document and a PNG image.
pub fn render(plot: &Plot) -> Result<(String, Vec<u8>), String> {
    register_font()?;
    let (w, h) = plot.size();
    let mut svg = String::new();
    draw(
        SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area(),
        plot,
    )?;
    let len = usize::try_from(u64::from(w) * u64::from(h) * 3).map_err(err)?;
    let mut rgb = vec![0u8; len];
    {
        let backend =
            BitMapBackend::<plotters::backend::RGBPixel>::with_buffer_and_format(&mut rgb, (w, h))
                .map_err(err)?;
        draw(backend.into_drawing_area(), plot)?;
    }
    Ok((svg, encode_png(&rgb, w, h)?))
}

fn register_font() -> Result<(), String> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT_FAMILY, FontStyle::Normal, FONT).is_ok()
    });
    ok.then_some(())
        .ok_or_else(|| "the embedded DejaVu Sans font did not load".to_string())
}

fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().map_err(err)?;
    writer.write_image_data(rgb).map_err(err)?;
    writer.finish().map_err(err)?;
    Ok(out)
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

fn font(size: u32) -> TextStyle<'static> {
    (FONT_FAMILY, size).into_text_style(&(0, 0))
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, plot: &Plot) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    match plot {
        Plot::Line(p) => lines::draw(&root, p)?,
        Plot::Bar(p) => bars::draw(&root, p)?,
        Plot::Stacked(p) => stacked::draw(&root, p)?,
    }
    root.present().map_err(err)
}

/// Axis tick text: three significant digits at most, `k`/`M` for thousands/millions.
pub fn tick(v: f64) -> String {
    let (scaled, suffix) = match v.abs() {
        a if a >= 1e6 => (v / 1e6, "M"),
        a if a >= 1e3 => (v / 1e3, "k"),
        _ => (v, ""),
    };
    if scaled != 0.0 && scaled.abs() < 0.001 {
        // `1.00e-4` → `1e-4`, `2.50e-4` → `2.5e-4`.
        let text = super::tables::num(v);
        return match text.split_once('e') {
            Some((m, e)) if m.contains('.') => {
                format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.'))
            }
            _ => text,
        };
    }
    let decimals = match scaled.abs() {
        a if a >= 100.0 => 0,
        a if a >= 10.0 => 1,
        a if a >= 1.0 || a == 0.0 => 2,
        a if a >= 0.1 => 3,
        a if a >= 0.01 => 4,
        _ => 5,
    };
    let text = format!("{scaled:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.')
    } else {
        &text
    };
    format!("{text}{suffix}")
}

fn padded(lo: f64, hi: f64, log: bool) -> (f64, f64) {
    if log {
        let lo = if lo > 0.0 { lo } else { hi.max(1.0) / 10.0 };
        log_span(lo / 1.25, hi.max(lo) * 1.25)
    } else if hi > lo {
        let pad = (hi - lo) * 0.08;
        (if lo >= 0.0 { 0.0 } else { lo - pad }, hi + pad)
    } else {
        (lo.min(0.0), hi.abs().max(1.0) * 1.1)
    }
}

/// A log axis spanning at least two decades: plotters labels a shorter one at every
/// 1..9 multiple, which overlap; over two or more decades it labels powers of ten.
fn log_span(lo: f64, hi: f64) -> (f64, f64) {
    const MIN_RATIO: f64 = 101.0;
    if lo > 0.0 && hi / lo < MIN_RATIO {
        let grow = (MIN_RATIO / (hi / lo)).sqrt();
        (lo / grow, hi * grow)
    } else {
        (lo, hi)
    }
}

fn min_max(values: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line_plot(x_log: bool, y_scale: Scale) -> Plot {
        let pts = |k: f64| {
            [16.0, 256.0, 16384.0]
                .iter()
                .map(|&x| Point {
                    x,
                    y: x * k,
                    band: Some((x * k * 0.8, x * k * 1.2)),
                })
                .collect()
        };
        Plot::Line(LinePlot {
            title: "t".into(),
            x_label: "size (bytes)".into(),
            y_label: "MB/s".into(),
            x_log,
            y_scale,
            series: vec![
                Series {
                    name: "a".into(),
                    colour: 0,
                    dash: Dash::Solid,
                    marker: Marker::Circle,
                    width: 2,
                    points: pts(1.0),
                },
                Series {
                    name: "b".into(),
                    colour: 1,
                    dash: Dash::Dotted,
                    marker: Marker::Cross,
                    width: 3,
                    points: pts(2.0),
                },
            ],
            hline: Some((5000.0, "budget".into())),
            vlines: vec![VLine {
                x: 1000.0,
                label: "p50".into(),
                dash: Dash::Dashed,
            }],
            compact: x_log && y_scale == Scale::SymLog,
        })
    }

    #[test]
    fn renders_every_axis_kind_to_svg_and_png() {
        for (xl, yl) in [
            (false, Scale::Linear),
            (true, Scale::Linear),
            (false, Scale::Log),
            (true, Scale::Log),
            (true, Scale::SymLog),
        ] {
            let (svg, png) = render(&line_plot(xl, yl)).unwrap();
            assert!(svg.starts_with("<svg"), "{}", svg.get(..80).unwrap_or(""));
            assert!(svg.contains("size (bytes)"));
            assert_eq!(png.get(1..4), Some(&b"PNG"[..]));
        }
    }

    #[test]
    fn png_text_is_rasterised_with_the_embedded_font() {
        // Same plot with and without a title: the pixels must differ where the title is.
        let mut with = line_plot(true, Scale::Log);
        let (_, a) = render(&with).unwrap();
        if let Plot::Line(p) = &mut with {
            p.title = "A much longer title that needs pixels".into();
        }
        let (_, b) = render(&with).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn ticks_are_compact() {
        assert_eq!(tick(1000.0), "1k");
        assert_eq!(tick(16384.0), "16.4k");
        assert_eq!(tick(180.33), "180");
        assert_eq!(tick(40.9), "40.9");
        assert_eq!(tick(0.5), "0.5");
        assert_eq!(tick(2_500_000.0), "2.5M");
        assert_eq!(tick(0.0003), "3e-4");
        assert_eq!(tick(0.000_25), "2.5e-4");
        assert_eq!(tick(0.05), "0.05");
    }
}
