//! Grouped bar charts as PNG images, for documents that embed pictures. The PDF draws the
//! same charts as vectors, sharing this module's palette and value axis so the two agree.
//!
//! Written by hand: text uses a small built-in bitmap font; the PNG's pixels are deflated
//! with flate2 (already in the tree through the zip crate).

use super::{BarChart, Series};

type Rgb = (u8, u8, u8);

/// The Okabe–Ito colour-blind-safe palette, ordered so neighbouring series contrast most.
/// Yellow comes late because it is faint on white.
const PALETTE: [Rgb; 8] = [
    (0, 114, 178),   // blue
    (230, 159, 0),   // orange
    (0, 158, 115),   // bluish green
    (204, 121, 167), // reddish purple
    (86, 180, 233),  // sky blue
    (213, 94, 0),    // vermillion
    (240, 228, 66),  // yellow
    (0, 0, 0),       // black
];

const WHITE: Rgb = (255, 255, 255);
const TEXT: Rgb = (34, 34, 34);
const AXIS: Rgb = (68, 68, 68);
const GRID: Rgb = (221, 221, 221);

/// The colour of a series' bars; after eight series the colours repeat.
pub fn colour(series_index: usize) -> (u8, u8, u8) {
    PALETTE[series_index % PALETTE.len()]
}

/// A bar's value. Missing, negative and non-finite values are drawn as zero rather than
/// distorting the scale.
pub(super) fn bar_value(series: &Series, category: usize) -> f64 {
    match series.values.get(category) {
        Some(&value) if value.is_finite() && value > 0.0 => value,
        _ => 0.0,
    }
}

/// The value axis: from zero to `top`, with a gridline every `step`. Shared with the PDF.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct YAxis {
    top: f64,
    step: f64,
}

impl YAxis {
    /// At most four steps of 1, 2 or 5 times a power of ten; whole steps when every value is
    /// whole, so counts are never labelled "0.5".
    pub(super) fn for_chart(chart: &BarChart) -> YAxis {
        let values = || {
            chart
                .series
                .iter()
                .flat_map(|series| (0..chart.categories.len()).map(|c| bar_value(series, c)))
        };
        let max = values().fold(0.0, f64::max);
        // An empty or all-zero chart still gets a sensible axis.
        let max = if max > 1e-9 { max } else { 1.0 };
        let mut step = nice_step(max / 4.0);
        if values().all(|v| v.fract() == 0.0) {
            step = step.max(1.0);
        }
        YAxis {
            top: (max / step).ceil() * step,
            step,
        }
    }

    /// The gridline values, from zero to `top`.
    pub(super) fn ticks(&self) -> Vec<f64> {
        // Bounded so a degenerate axis (an infinite top) cannot make a huge list.
        let count = (self.top / self.step).round().clamp(0.0, 10.0) as usize;
        (0..=count).map(|i| i as f64 * self.step).collect()
    }

    /// A tick's label, with as many decimals as the step needs.
    pub(super) fn label(&self, value: f64) -> String {
        let decimals = if self.step >= 1.0 {
            0
        } else {
            (-self.step.log10()).ceil().clamp(0.0, 6.0) as usize
        };
        format!("{value:.decimals$}")
    }

    /// How far up the axis a value sits, from 0.0 to 1.0.
    pub(super) fn fraction(&self, value: f64) -> f64 {
        (value / self.top).clamp(0.0, 1.0)
    }
}

/// The smallest of 1, 2, 5 or 10 times a power of ten that is at least `raw` (positive).
fn nice_step(raw: f64) -> f64 {
    let magnitude = 10f64.powf(raw.log10().floor());
    let mantissa = raw / magnitude;
    let nice = if mantissa <= 1.0 {
        1.0
    } else if mantissa <= 2.0 {
        2.0
    } else if mantissa <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// Beyond this many rows the legend would crowd out the bars; later series go unnamed.
pub(super) const MAX_LEGEND_ROWS: usize = 4;

/// The chart as a PNG image, `width` by `height` pixels (each clamped to 1..=4096). Text is
/// drawn larger on wider images, which are meant to be shown shrunk.
pub fn png(chart: &BarChart, width: u32, height: u32) -> Vec<u8> {
    let mut canvas = Canvas::new(width.clamp(1, MAX_SIDE), height.clamp(1, MAX_SIDE));
    draw(&mut canvas, chart);
    encode_png(&canvas)
}

/// Keeps a careless size from allocating gigabytes.
const MAX_SIDE: u32 = 4096;

/// Sizes in pixels for one image. Text is the bitmap font magnified by `scale`, and spacing
/// grows with it, so that a large image shrunk to fit a page still has readable labels.
#[derive(Debug, Clone, Copy)]
struct Metrics {
    scale: i64,
}

impl Metrics {
    fn for_width(width: u32) -> Metrics {
        Metrics {
            scale: (i64::from(width) / 400).clamp(2, 4),
        }
    }

    fn margin(self) -> i64 {
        8 * self.scale
    }

    fn gap(self) -> i64 {
        4 * self.scale
    }

    fn swatch(self) -> i64 {
        6 * self.scale
    }

    /// Between one legend entry and the next.
    fn legend_spacing(self) -> i64 {
        10 * self.scale
    }

    /// A glyph cell's height, descender included.
    fn line_height(self) -> i64 {
        GLYPH_ROWS * self.scale
    }

    /// From a glyph's top to the middle of a capital, for centring text on a point.
    fn top_to_middle(self) -> i64 {
        3 * self.scale
    }

    /// From one character to the next: the glyph and a blank column.
    fn advance(self) -> i64 {
        (GLYPH_WIDTH + 1) * self.scale
    }

    /// The width of text, without the blank column after its last character.
    fn text_width(self, text: &str) -> i64 {
        (text.chars().count() as i64 * self.advance() - self.scale).max(0)
    }

    /// The text, or as much of it as fits in `max_width` followed by "..".
    fn fit(self, text: &str, max_width: i64) -> String {
        let max_chars = usize::try_from((max_width + self.scale) / self.advance()).unwrap_or(0);
        if text.chars().count() <= max_chars {
            return text.to_string();
        }
        if max_chars < 2 {
            return String::new();
        }
        text.chars()
            .take(max_chars - 2)
            .chain("..".chars())
            .collect()
    }
}

fn draw(canvas: &mut Canvas, chart: &BarChart) {
    let m = Metrics::for_width(canvas.width);
    let width = i64::from(canvas.width);
    let height = i64::from(canvas.height);
    let right = width - m.margin();

    let title = m.fit(&chart.title, right - m.margin());
    canvas.text(
        m,
        (width - m.text_width(&title)) / 2,
        m.margin(),
        &title,
        TEXT,
    );
    let legend_top = m.margin() + m.line_height() + m.gap();
    let legend_bottom = draw_legend(canvas, m, chart, legend_top, right);

    let axis = YAxis::for_chart(chart);
    let ticks: Vec<(f64, String)> = axis
        .ticks()
        .into_iter()
        .map(|t| (t, axis.label(t)))
        .collect();
    let label_width = ticks
        .iter()
        .map(|(_, label)| m.text_width(label))
        .max()
        .unwrap_or(0)
        .min(width / 4);
    let plot = Plot {
        left: m.margin() + label_width + m.gap(),
        right,
        // Half a line down, so the top tick's label is not cut off.
        top: legend_bottom + m.line_height() / 2,
        bottom: height - m.margin() - m.line_height() - m.gap(),
        axis,
    };
    if plot.right <= plot.left || plot.bottom <= plot.top {
        return;
    }

    for (tick, label) in &ticks {
        let y = plot.y_of(*tick);
        canvas.fill_rect(plot.left, y, plot.right - plot.left, 1, GRID);
        let label = m.fit(label, label_width);
        let x = plot.left - m.gap() - m.text_width(&label);
        canvas.text(m, x, y - m.top_to_middle(), &label, TEXT);
    }
    if chart.categories.is_empty() || chart.series.is_empty() {
        let message = m.fit("No data", plot.right - plot.left);
        let x = (plot.left + plot.right - m.text_width(&message)) / 2;
        let y = (plot.top + plot.bottom) / 2 - m.top_to_middle();
        canvas.text(m, x, y, &message, TEXT);
    } else {
        draw_bars(canvas, m, chart, &plot);
    }
    // Axis lines thicken with the text, growing away from the bars.
    let thickness = m.scale / 2;
    let x = plot.left - thickness + 1;
    let plot_height = plot.bottom - plot.top;
    canvas.fill_rect(x, plot.top, thickness, plot_height + thickness, AXIS);
    canvas.fill_rect(x, plot.bottom, plot.right - x, thickness, AXIS);
}

/// Where the bars go, in pixels, and the scale they are drawn to.
struct Plot {
    left: i64,
    right: i64,
    top: i64,
    bottom: i64,
    axis: YAxis,
}

impl Plot {
    fn y_of(&self, value: f64) -> i64 {
        let height = (self.bottom - self.top) as f64;
        self.bottom - (self.axis.fraction(value) * height).round() as i64
    }
}

/// The bars, group by group, with each category's name beneath its group.
fn draw_bars(canvas: &mut Canvas, m: Metrics, chart: &BarChart, plot: &Plot) {
    let group_width = (plot.right - plot.left) as f64 / chart.categories.len() as f64;
    // A tenth of each group either side separates the groups.
    let bar_width = group_width * 0.8 / chart.series.len() as f64;
    for (c, category) in chart.categories.iter().enumerate() {
        let bars_left = plot.left as f64 + group_width * (c as f64 + 0.1);
        for (s, series) in chart.series.iter().enumerate() {
            let x0 = (bars_left + bar_width * s as f64).round() as i64;
            let x1 = (bars_left + bar_width * (s + 1) as f64).round() as i64;
            // A one-pixel gap between wide bars keeps neighbours distinct.
            let gap = i64::from(x1 - x0 >= 4);
            let y = plot.y_of(bar_value(series, c));
            canvas.fill_rect(x0, y, (x1 - x0 - gap).max(1), plot.bottom - y, colour(s));
        }
        let label = m.fit(category, group_width.floor() as i64);
        let centre = (plot.left as f64 + group_width * (c as f64 + 0.5)).round() as i64;
        let x = centre - m.text_width(&label) / 2;
        canvas.text(m, x, plot.bottom + m.gap(), &label, TEXT);
    }
}

/// Draws a swatch and name per series, in rows as wide as the chart; returns the y below it.
fn draw_legend(canvas: &mut Canvas, m: Metrics, chart: &BarChart, top: i64, right: i64) -> i64 {
    if chart.series.is_empty() {
        return top;
    }
    let row_height = m.line_height() + m.gap() / 2;
    let mut x = m.margin();
    let mut rows = 1;
    for (s, series) in chart.series.iter().enumerate() {
        let name = m.fit(&series.name, right - m.margin() - m.swatch() - m.gap());
        let entry_width = m.swatch() + m.gap() + m.text_width(&name);
        if x > m.margin() && x + entry_width > right {
            if rows == MAX_LEGEND_ROWS {
                break;
            }
            rows += 1;
            x = m.margin();
        }
        let y = top + (rows as i64 - 1) * row_height;
        // Level with the capitals, which fill seven of the cell's eight rows.
        let swatch_top = y + (m.line_height() - m.swatch()) / 2 - m.scale;
        canvas.fill_rect(x, swatch_top, m.swatch(), m.swatch(), colour(s));
        canvas.text(m, x + m.swatch() + m.gap(), y, &name, TEXT);
        x += entry_width + m.legend_spacing();
    }
    top + rows as i64 * row_height + m.gap()
}

/// RGB pixels, row by row from the top.
struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Canvas {
        Canvas {
            width,
            height,
            pixels: [WHITE.0, WHITE.1, WHITE.2].repeat(width as usize * height as usize),
        }
    }

    /// Fills the part of the rectangle that lies on the canvas.
    fn fill_rect(&mut self, x: i64, y: i64, width: i64, height: i64, colour: Rgb) {
        let x_start = x.clamp(0, i64::from(self.width)) as usize;
        let x_end = x.saturating_add(width).clamp(0, i64::from(self.width)) as usize;
        let y_start = y.clamp(0, i64::from(self.height)) as usize;
        let y_end = y.saturating_add(height).clamp(0, i64::from(self.height)) as usize;
        for row in y_start..y_end {
            let row_start = row * self.width as usize * 3;
            for column in x_start..x_end {
                let i = row_start + column * 3;
                self.pixels[i..i + 3].copy_from_slice(&[colour.0, colour.1, colour.2]);
            }
        }
    }

    /// Draws text with its first glyph's top-left corner at (x, y).
    fn text(&mut self, m: Metrics, x: i64, y: i64, text: &str, colour: Rgb) {
        for (i, c) in text.chars().enumerate() {
            let left = x + i as i64 * m.advance();
            for (row, bits) in glyph(c).iter().enumerate() {
                for column in 0..GLYPH_WIDTH {
                    if bits & (1 << (GLYPH_WIDTH - 1 - column)) != 0 {
                        let px = left + column * m.scale;
                        let py = y + row as i64 * m.scale;
                        self.fill_rect(px, py, m.scale, m.scale, colour);
                    }
                }
            }
        }
    }
}

// The bitmap font: 5x8 cells, seven rows above the baseline and one for descenders.
const GLYPH_WIDTH: i64 = 5;
const GLYPH_ROWS: i64 = 8;

/// A character's rows, each five bits with the leftmost pixel highest; '?' for anything
/// outside printable ASCII.
fn glyph(c: char) -> &'static [u8; 8] {
    let index = match c {
        ' '..='~' => c as usize - ' ' as usize,
        _ => '?' as usize - ' ' as usize,
    };
    &FONT[index]
}

/// Printable ASCII from ' ' to '~'.
#[rustfmt::skip]
const FONT: [[u8; 8]; 95] = [
    [0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000], // space
    [0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00000, 0b00100, 0b00000], // !
    [0b01010, 0b01010, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000], // "
    [0b01010, 0b01010, 0b11111, 0b01010, 0b11111, 0b01010, 0b01010, 0b00000], // #
    [0b00100, 0b01111, 0b10100, 0b01110, 0b00101, 0b11110, 0b00100, 0b00000], // $
    [0b11000, 0b11001, 0b00010, 0b00100, 0b01000, 0b10011, 0b00011, 0b00000], // %
    [0b01100, 0b10010, 0b10100, 0b01000, 0b10101, 0b10010, 0b01101, 0b00000], // &
    [0b00100, 0b00100, 0b01000, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000], // '
    [0b00010, 0b00100, 0b01000, 0b01000, 0b01000, 0b00100, 0b00010, 0b00000], // (
    [0b01000, 0b00100, 0b00010, 0b00010, 0b00010, 0b00100, 0b01000, 0b00000], // )
    [0b00000, 0b00100, 0b10101, 0b01110, 0b10101, 0b00100, 0b00000, 0b00000], // *
    [0b00000, 0b00100, 0b00100, 0b11111, 0b00100, 0b00100, 0b00000, 0b00000], // +
    [0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b01100, 0b00100, 0b01000], // ,
    [0b00000, 0b00000, 0b00000, 0b11111, 0b00000, 0b00000, 0b00000, 0b00000], // -
    [0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b01100, 0b01100, 0b00000], // .
    [0b00000, 0b00001, 0b00010, 0b00100, 0b01000, 0b10000, 0b00000, 0b00000], // /
    [0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110, 0b00000], // 0
    [0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110, 0b00000], // 1
    [0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111, 0b00000], // 2
    [0b11111, 0b00010, 0b00100, 0b00010, 0b00001, 0b10001, 0b01110, 0b00000], // 3
    [0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010, 0b00000], // 4
    [0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110, 0b00000], // 5
    [0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110, 0b00000], // 6
    [0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000, 0b00000], // 7
    [0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110, 0b00000], // 8
    [0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100, 0b00000], // 9
    [0b00000, 0b01100, 0b01100, 0b00000, 0b01100, 0b01100, 0b00000, 0b00000], // :
    [0b00000, 0b01100, 0b01100, 0b00000, 0b01100, 0b00100, 0b01000, 0b00000], // ;
    [0b00010, 0b00100, 0b01000, 0b10000, 0b01000, 0b00100, 0b00010, 0b00000], // <
    [0b00000, 0b00000, 0b11111, 0b00000, 0b11111, 0b00000, 0b00000, 0b00000], // =
    [0b01000, 0b00100, 0b00010, 0b00001, 0b00010, 0b00100, 0b01000, 0b00000], // >
    [0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b00000, 0b00100, 0b00000], // ?
    [0b01110, 0b10001, 0b00001, 0b01101, 0b10101, 0b10101, 0b01110, 0b00000], // @
    [0b01110, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b10001, 0b00000], // A
    [0b11110, 0b10001, 0b10001, 0b11110, 0b10001, 0b10001, 0b11110, 0b00000], // B
    [0b01110, 0b10001, 0b10000, 0b10000, 0b10000, 0b10001, 0b01110, 0b00000], // C
    [0b11100, 0b10010, 0b10001, 0b10001, 0b10001, 0b10010, 0b11100, 0b00000], // D
    [0b11111, 0b10000, 0b10000, 0b11110, 0b10000, 0b10000, 0b11111, 0b00000], // E
    [0b11111, 0b10000, 0b10000, 0b11110, 0b10000, 0b10000, 0b10000, 0b00000], // F
    [0b01110, 0b10001, 0b10000, 0b10111, 0b10001, 0b10001, 0b01111, 0b00000], // G
    [0b10001, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b10001, 0b00000], // H
    [0b01110, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110, 0b00000], // I
    [0b00111, 0b00010, 0b00010, 0b00010, 0b00010, 0b10010, 0b01100, 0b00000], // J
    [0b10001, 0b10010, 0b10100, 0b11000, 0b10100, 0b10010, 0b10001, 0b00000], // K
    [0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b11111, 0b00000], // L
    [0b10001, 0b11011, 0b10101, 0b10101, 0b10001, 0b10001, 0b10001, 0b00000], // M
    [0b10001, 0b10001, 0b11001, 0b10101, 0b10011, 0b10001, 0b10001, 0b00000], // N
    [0b01110, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01110, 0b00000], // O
    [0b11110, 0b10001, 0b10001, 0b11110, 0b10000, 0b10000, 0b10000, 0b00000], // P
    [0b01110, 0b10001, 0b10001, 0b10001, 0b10101, 0b10010, 0b01101, 0b00000], // Q
    [0b11110, 0b10001, 0b10001, 0b11110, 0b10100, 0b10010, 0b10001, 0b00000], // R
    [0b01111, 0b10000, 0b10000, 0b01110, 0b00001, 0b00001, 0b11110, 0b00000], // S
    [0b11111, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00000], // T
    [0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01110, 0b00000], // U
    [0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01010, 0b00100, 0b00000], // V
    [0b10001, 0b10001, 0b10001, 0b10101, 0b10101, 0b10101, 0b01010, 0b00000], // W
    [0b10001, 0b10001, 0b01010, 0b00100, 0b01010, 0b10001, 0b10001, 0b00000], // X
    [0b10001, 0b10001, 0b01010, 0b00100, 0b00100, 0b00100, 0b00100, 0b00000], // Y
    [0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b10000, 0b11111, 0b00000], // Z
    [0b01110, 0b01000, 0b01000, 0b01000, 0b01000, 0b01000, 0b01110, 0b00000], // [
    [0b00000, 0b10000, 0b01000, 0b00100, 0b00010, 0b00001, 0b00000, 0b00000], // \
    [0b01110, 0b00010, 0b00010, 0b00010, 0b00010, 0b00010, 0b01110, 0b00000], // ]
    [0b00100, 0b01010, 0b10001, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000], // ^
    [0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000, 0b11111], // _
    [0b01000, 0b00100, 0b00010, 0b00000, 0b00000, 0b00000, 0b00000, 0b00000], // `
    [0b00000, 0b00000, 0b01110, 0b00001, 0b01111, 0b10001, 0b01111, 0b00000], // a
    [0b10000, 0b10000, 0b10110, 0b11001, 0b10001, 0b10001, 0b11110, 0b00000], // b
    [0b00000, 0b00000, 0b01110, 0b10000, 0b10000, 0b10001, 0b01110, 0b00000], // c
    [0b00001, 0b00001, 0b01101, 0b10011, 0b10001, 0b10001, 0b01111, 0b00000], // d
    [0b00000, 0b00000, 0b01110, 0b10001, 0b11111, 0b10000, 0b01110, 0b00000], // e
    [0b00110, 0b01001, 0b01000, 0b11100, 0b01000, 0b01000, 0b01000, 0b00000], // f
    [0b00000, 0b00000, 0b01111, 0b10001, 0b10001, 0b01111, 0b00001, 0b01110], // g
    [0b10000, 0b10000, 0b10110, 0b11001, 0b10001, 0b10001, 0b10001, 0b00000], // h
    [0b00100, 0b00000, 0b01100, 0b00100, 0b00100, 0b00100, 0b01110, 0b00000], // i
    [0b00010, 0b00000, 0b00110, 0b00010, 0b00010, 0b00010, 0b10010, 0b01100], // j
    [0b10000, 0b10000, 0b10010, 0b10100, 0b11000, 0b10100, 0b10010, 0b00000], // k
    [0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110, 0b00000], // l
    [0b00000, 0b00000, 0b11010, 0b10101, 0b10101, 0b10101, 0b10101, 0b00000], // m
    [0b00000, 0b00000, 0b10110, 0b11001, 0b10001, 0b10001, 0b10001, 0b00000], // n
    [0b00000, 0b00000, 0b01110, 0b10001, 0b10001, 0b10001, 0b01110, 0b00000], // o
    [0b00000, 0b00000, 0b11110, 0b10001, 0b10001, 0b11110, 0b10000, 0b10000], // p
    [0b00000, 0b00000, 0b01111, 0b10001, 0b10001, 0b01111, 0b00001, 0b00001], // q
    [0b00000, 0b00000, 0b10110, 0b11001, 0b10000, 0b10000, 0b10000, 0b00000], // r
    [0b00000, 0b00000, 0b01111, 0b10000, 0b01110, 0b00001, 0b11110, 0b00000], // s
    [0b01000, 0b01000, 0b11100, 0b01000, 0b01000, 0b01001, 0b00110, 0b00000], // t
    [0b00000, 0b00000, 0b10001, 0b10001, 0b10001, 0b10011, 0b01101, 0b00000], // u
    [0b00000, 0b00000, 0b10001, 0b10001, 0b10001, 0b01010, 0b00100, 0b00000], // v
    [0b00000, 0b00000, 0b10001, 0b10001, 0b10101, 0b10101, 0b01010, 0b00000], // w
    [0b00000, 0b00000, 0b10001, 0b01010, 0b00100, 0b01010, 0b10001, 0b00000], // x
    [0b00000, 0b00000, 0b10001, 0b10001, 0b10001, 0b01111, 0b00001, 0b01110], // y
    [0b00000, 0b00000, 0b11111, 0b00010, 0b00100, 0b01000, 0b11111, 0b00000], // z
    [0b00010, 0b00100, 0b00100, 0b01000, 0b00100, 0b00100, 0b00010, 0b00000], // {
    [0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00000], // |
    [0b01000, 0b00100, 0b00100, 0b00010, 0b00100, 0b00100, 0b01000, 0b00000], // }
    [0b00000, 0b00000, 0b01000, 0b10101, 0b00010, 0b00000, 0b00000, 0b00000], // ~
];

fn encode_png(canvas: &Canvas) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();

    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&canvas.width.to_be_bytes());
    header.extend_from_slice(&canvas.height.to_be_bytes());
    // 8 bits per channel, truecolour, deflate, adaptive filtering, no interlace.
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    write_chunk(&mut png, b"IHDR", &header);

    let stride = canvas.width as usize * 3;
    let mut scanlines = Vec::with_capacity((stride + 1) * canvas.height as usize);
    for row in canvas.pixels.chunks(stride) {
        scanlines.push(0); // filter type None
        scanlines.extend_from_slice(row);
    }
    write_chunk(&mut png, b"IDAT", &zlib(&scanlines));
    write_chunk(&mut png, b"IEND", &[]);
    png
}

fn write_chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    // Chunks are far below 4 GiB: the canvas is at most 4096 x 4096.
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    png.extend_from_slice(&crc32(&[kind, data]).to_be_bytes());
}

/// The scanlines as a zlib stream. Compressed, because the document formats do not
/// compress media again: a 1200 × 600 chart is about 2 MB raw and tens of kilobytes here.
fn zlib(data: &[u8]) -> Vec<u8> {
    use flate2::{write::ZlibEncoder, Compression};
    use std::io::Write;
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail.
    encoder
        .write_all(data)
        .and_then(|()| encoder.finish())
        .unwrap_or_default()
}

/// CRC-32 (ISO-HDLC, as PNG uses) over the parts in order.
fn crc32(parts: &[&[u8]]) -> u32 {
    let crc = parts
        .iter()
        .flat_map(|part| part.iter())
        .fold(!0u32, |crc, &byte| {
            CRC_TABLE[((crc ^ u32::from(byte)) & 0xFF) as usize] ^ (crc >> 8)
        });
    !crc
}

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut bit = 0;
        while bit < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            bit += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(categories: &[&str], series: &[(&str, &[f64])]) -> BarChart {
        BarChart {
            title: "Audits by month".to_string(),
            categories: categories.iter().map(|c| c.to_string()).collect(),
            series: series
                .iter()
                .map(|(name, values)| Series {
                    name: name.to_string(),
                    values: values.to_vec(),
                })
                .collect(),
        }
    }

    fn sample() -> BarChart {
        chart(
            &["January", "February", "March"],
            &[("Passed", &[12.0, 9.0, 15.0]), ("Failed", &[3.0, 5.0, 1.0])],
        )
    }

    /// Each chunk as (kind, data), checking lengths and CRCs on the way.
    fn chunks(png: &[u8]) -> Vec<([u8; 4], Vec<u8>)> {
        let mut chunks = Vec::new();
        let mut at = 8;
        while at < png.len() {
            let len = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
            let kind: [u8; 4] = png[at + 4..at + 8].try_into().unwrap();
            let data = png[at + 8..at + 8 + len].to_vec();
            let crc = u32::from_be_bytes(png[at + 8 + len..at + 12 + len].try_into().unwrap());
            assert_eq!(
                crc,
                crc32(&[&kind, &data]),
                "CRC of {}",
                String::from_utf8_lossy(&kind)
            );
            chunks.push((kind, data));
            at += 12 + len;
        }
        assert_eq!(at, png.len());
        chunks
    }

    /// The scanlines inside the zlib stream (flate2 checks its Adler-32).
    fn inflate(zlib: &[u8]) -> Vec<u8> {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::ZlibDecoder::new(zlib)
            .read_to_end(&mut out)
            .expect("a valid zlib stream");
        out
    }

    fn pixels(png: &[u8]) -> (u32, u32, Vec<u8>) {
        let chunks = chunks(png);
        let header = &chunks[0].1;
        let width = u32::from_be_bytes(header[0..4].try_into().unwrap());
        let height = u32::from_be_bytes(header[4..8].try_into().unwrap());
        let idat: Vec<u8> = chunks
            .iter()
            .filter(|(kind, _)| kind == b"IDAT")
            .flat_map(|(_, data)| data.clone())
            .collect();
        let scanlines = inflate(&idat);
        let stride = width as usize * 3 + 1;
        assert_eq!(scanlines.len(), stride * height as usize);
        let rgb = scanlines
            .chunks(stride)
            .flat_map(|line| {
                assert_eq!(line[0], 0, "filter None");
                line[1..].to_vec()
            })
            .collect();
        (width, height, rgb)
    }

    fn has_colour(rgb: &[u8], colour: Rgb) -> bool {
        rgb.chunks(3).any(|p| p == [colour.0, colour.1, colour.2])
    }

    #[test]
    fn checksums_match_published_check_values() {
        assert_eq!(crc32(&[b"123456789"]), 0xCBF4_3926);
        assert_eq!(crc32(&[b"1234", b"56789"]), 0xCBF4_3926);
    }

    #[test]
    fn png_has_signature_header_and_valid_chunks() {
        let png = png(&sample(), 640, 360);
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let chunks = chunks(&png);
        assert_eq!(&chunks[0].0, b"IHDR");
        assert_eq!(chunks[0].1, [0, 0, 2, 128, 0, 0, 1, 104, 8, 2, 0, 0, 0]);
        assert_eq!(&chunks.last().unwrap().0, b"IEND");
        // IEND's CRC is the same in every PNG.
        assert_eq!(png[png.len() - 4..], [0xAE, 0x42, 0x60, 0x82]);
    }

    #[test]
    fn png_draws_bars_in_the_palette_on_white() {
        let (width, height, rgb) = pixels(&png(&sample(), 640, 360));
        assert_eq!((width, height), (640, 360));
        assert_eq!(rgb[..3], [255, 255, 255]);
        assert!(has_colour(&rgb, colour(0)));
        assert!(has_colour(&rgb, colour(1)));
        assert!(!has_colour(&rgb, colour(2)));
        assert!(has_colour(&rgb, TEXT));
    }

    #[test]
    fn large_images_decode_whole_and_compress() {
        let image = png(&sample(), 1200, 900);
        let (width, height, _) = pixels(&image);
        assert_eq!((width, height), (1200, 900));
        assert!(image.len() < 200_000, "{} bytes", image.len());
    }

    #[test]
    fn awkward_charts_still_make_valid_images() {
        let awkward = [
            chart(&[], &[]),
            chart(&["Only"], &[]),
            chart(&[], &[("Lonely", &[])]),
            chart(&["A", "B"], &[("Zeros", &[0.0, 0.0])]),
            chart(&["A", "B", "C"], &[("Short", &[2.0])]),
            chart(&["A"], &[("Odd", &[f64::NAN, f64::INFINITY, -4.0])]),
            chart(&["A"], &[("Huge", &[f64::MAX])]),
            chart(&["Ünïcödé ✓ label"], &[("名前", &[1.0])]),
        ];
        for chart in &awkward {
            for (width, height) in [(0, 0), (1, 1), (40, 30), (500, 300)] {
                let (w, h, _) = pixels(&png(chart, width, height));
                assert_eq!((w, h), (width.max(1), height.max(1)));
            }
        }
        let many_series: Vec<(String, Vec<f64>)> = (0..60)
            .map(|i| (format!("Series {i}"), vec![i as f64]))
            .collect();
        let many = BarChart {
            title: "Crowded".to_string(),
            categories: vec!["One".to_string()],
            series: many_series
                .into_iter()
                .map(|(name, values)| Series { name, values })
                .collect(),
        };
        pixels(&png(&many, 400, 300));
    }

    #[test]
    fn axis_rounds_up_to_a_few_round_steps() {
        let counts = chart(&["A", "B"], &[("S", &[7.0, 3.0])]);
        assert_eq!(
            YAxis::for_chart(&counts),
            YAxis {
                top: 8.0,
                step: 2.0
            }
        );
        let small_counts = chart(&["A"], &[("S", &[1.0])]);
        assert_eq!(
            YAxis::for_chart(&small_counts),
            YAxis {
                top: 1.0,
                step: 1.0
            }
        );
        let shares = chart(&["A", "B"], &[("S", &[0.67, 0.2])]);
        let axis = YAxis::for_chart(&shares);
        assert_eq!(axis.step, 0.2);
        assert!((axis.top - 0.8).abs() < 1e-9);
        let labels: Vec<String> = axis.ticks().iter().map(|&t| axis.label(t)).collect();
        assert_eq!(labels, ["0.0", "0.2", "0.4", "0.6", "0.8"]);
        let empty = chart(&[], &[]);
        assert_eq!(
            YAxis::for_chart(&empty),
            YAxis {
                top: 1.0,
                step: 1.0
            }
        );
    }

    #[test]
    fn long_labels_are_cut_with_dots() {
        let m = Metrics::for_width(800);
        assert_eq!(m.scale, 2);
        assert_eq!(m.fit("March", 100), "March");
        assert_eq!(m.fit("September", 5 * m.advance()), "Sep..");
        assert_eq!(m.fit("September", m.advance()), "");
        assert_eq!(m.fit("September", 0), "");
        assert!(m.text_width(&m.fit("September", 50)) <= 50);
    }

    #[test]
    fn text_grows_with_wide_images() {
        assert_eq!(Metrics::for_width(1).scale, 2);
        assert_eq!(Metrics::for_width(1200).scale, 3);
        assert_eq!(Metrics::for_width(4096).scale, 4);
    }

    #[test]
    fn palette_colours_are_distinct_and_repeat() {
        for a in 0..PALETTE.len() {
            for b in a + 1..PALETTE.len() {
                assert_ne!(colour(a), colour(b));
            }
        }
        assert_eq!(colour(PALETTE.len()), colour(0));
    }

    #[test]
    fn unknown_characters_draw_as_question_marks() {
        assert_eq!(glyph('é'), glyph('?'));
        assert_eq!(glyph('\n'), glyph('?'));
        assert_ne!(glyph('A'), glyph('?'));
    }
}
