//! Documents as PDF 1.4, written by hand so the server needs no PDF crate: A4 portrait pages
//! in the standard Helvetica fonts, which every reader has, so nothing is embedded. Content
//! streams are left uncompressed, so the words stay findable in the raw file.
//!
//! Layout is a single pass down the page: each block measures its text with the fonts' real
//! glyph widths and moves to a new page rather than cross the bottom margin. Footers
//! ("Page N of M") go on last, once the number of pages is known.

use std::ops::Range;

use super::chart::{bar_value, colour, YAxis, MAX_LEGEND_ROWS};
use super::{BarChart, Block, Cell, Document, Table};

/// The document as the bytes of a PDF file.
pub fn render(doc: &Document) -> Vec<u8> {
    write_file(&doc.title, &layout(doc))
}

// Page geometry, in points: A4 with 50pt margins.
const PAGE_WIDTH: f64 = 595.28;
const PAGE_HEIGHT: f64 = 841.89;
const MARGIN: f64 = 50.0;
const TEXT_WIDTH: f64 = PAGE_WIDTH - 2.0 * MARGIN;
const TOP: f64 = PAGE_HEIGHT - MARGIN;
const BOTTOM: f64 = MARGIN;
const FOOTER_BASELINE: f64 = 28.0;

const BULLET_INDENT: f64 = 16.0;
const CELL_PADDING: f64 = 4.0;
const MIN_COLUMN_WIDTH: f64 = 40.0;
const PLOT_HEIGHT: f64 = 150.0;

const TITLE: Style = Style::new(Font::Bold, 20.0);
const SUBTITLE: Style = Style::new(Font::Regular, 12.0);
const HEADING_1: Style = Style::new(Font::Bold, 15.0);
const HEADING_2: Style = Style::new(Font::Bold, 12.0);
const BODY: Style = Style::new(Font::Regular, 10.5);
const CAPTION: Style = Style::new(Font::Bold, 10.5);
const TABLE_HEADER: Style = Style::new(Font::Bold, 9.0);
const TABLE_TEXT: Style = Style::new(Font::Regular, 9.0);
const CHART_TITLE: Style = Style::new(Font::Bold, 10.0);
const CHART_TEXT: Style = Style::new(Font::Regular, 8.0);
const FOOTER: Style = Style::new(Font::Regular, 8.5);

/// Red, green and blue from 0.0 to 1.0.
type Colour = (f64, f64, f64);

const INK: Colour = (0.1, 0.1, 0.1);
const MUTED: Colour = (0.4, 0.4, 0.4);
const RULE: Colour = (0.6, 0.6, 0.6);
const HEADER_FILL: Colour = (0.9, 0.9, 0.9);
const GRID: Colour = (0.87, 0.87, 0.87);
const AXIS: Colour = (0.27, 0.27, 0.27);

/// Lays the document out, returning each page's content stream.
fn layout(doc: &Document) -> Vec<Vec<u8>> {
    let mut layout = Layout::new();
    layout.title(doc);
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text } => layout.heading(*level, text),
            Block::Paragraph(text) => layout.paragraph(text),
            Block::Bullets(items) => layout.bullets(items),
            Block::Table(table) => layout.table(table),
            Block::Chart(chart) => layout.chart(chart),
        }
    }
    layout.finish()
}

/// The pages so far, and where the next thing goes on the last of them.
struct Layout {
    finished: Vec<Content>,
    page: Content,
    /// The top of the free space on the current page.
    y: f64,
}

impl Layout {
    fn new() -> Layout {
        Layout {
            finished: Vec::new(),
            page: Content::default(),
            y: TOP,
        }
    }

    fn remaining(&self) -> f64 {
        self.y - BOTTOM
    }

    fn at_top(&self) -> bool {
        self.y >= TOP
    }

    fn new_page(&mut self) {
        self.finished.push(std::mem::take(&mut self.page));
        self.y = TOP;
    }

    /// Starts a new page unless `height` fits on this one. An empty page takes anything, so
    /// something too tall for any page is not pushed on forever.
    fn make_room(&mut self, height: f64) {
        if height > self.remaining() && !self.at_top() {
            self.new_page();
        }
    }

    /// Space between blocks, dropped at the top of a page.
    fn space(&mut self, height: f64) {
        if !self.at_top() {
            self.y -= height;
        }
    }

    /// Draws a line of text at the cursor, on a new page if need be; returns its baseline.
    fn line(&mut self, x: f64, text: &str, style: Style, colour: Colour) -> f64 {
        self.make_room(style.leading());
        let baseline = self.y - style.size;
        self.page.text(x, baseline, style, colour, text);
        self.y -= style.leading();
        baseline
    }

    fn lines(&mut self, lines: &[String], style: Style, colour: Colour) {
        for line in lines {
            self.line(MARGIN, line, style, colour);
        }
    }

    fn title(&mut self, doc: &Document) {
        let mut drawn = false;
        if !doc.title.trim().is_empty() {
            self.lines(&wrap(&doc.title, TITLE, TEXT_WIDTH), TITLE, INK);
            drawn = true;
        }
        if let Some(subtitle) = doc.subtitle.as_deref().filter(|s| !s.trim().is_empty()) {
            self.space(4.0);
            self.lines(&wrap(subtitle, SUBTITLE, TEXT_WIDTH), SUBTITLE, MUTED);
            drawn = true;
        }
        if drawn {
            self.space(BODY.leading() * 1.5);
        }
    }

    fn heading(&mut self, level: u8, text: &str) {
        let style = if level <= 1 { HEADING_1 } else { HEADING_2 };
        let lines = wrap(text, style, TEXT_WIDTH);
        self.space(style.size * 0.5);
        // Keep the heading on the same page as the start of what it heads.
        self.make_room(lines.len() as f64 * style.leading() + 3.0 * BODY.leading());
        self.lines(&lines, style, INK);
        self.space(style.size * 0.3);
    }

    fn paragraph(&mut self, text: &str) {
        for paragraph in paragraphs(text) {
            self.lines(&wrap(&paragraph, BODY, TEXT_WIDTH), BODY, INK);
            self.space(BODY.leading());
        }
    }

    fn bullets(&mut self, items: &[String]) {
        if items.is_empty() {
            return;
        }
        for item in items {
            let lines = wrap(item, BODY, TEXT_WIDTH - BULLET_INDENT);
            for (i, line) in lines.iter().enumerate() {
                let baseline = self.line(MARGIN + BULLET_INDENT, line, BODY, INK);
                if i == 0 {
                    self.page
                        .text(MARGIN + 4.0, baseline, BODY, INK, "\u{2022}");
                }
            }
            self.space(2.0);
        }
        self.space(BODY.leading());
    }

    fn table(&mut self, table: &Table) {
        let caption = if table.caption.trim().is_empty() {
            Vec::new()
        } else {
            wrap(&table.caption, CAPTION, TEXT_WIDTH)
        };
        let caption_height = caption.len() as f64 * CAPTION.leading();
        let grid = Grid::new(table);
        if grid.columns.is_empty() {
            self.lines(&caption, CAPTION, INK);
            self.space(BODY.leading());
            return;
        }

        let header = grid.wrap(&table.header, TABLE_HEADER);
        let header_height = row_height(line_count(&header), TABLE_HEADER);
        let rows: Vec<Vec<Vec<String>>> = table
            .rows
            .iter()
            .map(|row| grid.wrap(&cell_texts(row), TABLE_TEXT))
            .collect();
        let first_row_height = rows
            .first()
            .map_or(0.0, |cells| row_height(line_count(cells), TABLE_TEXT));
        // Keep the caption with the header and the first row.
        self.make_room(caption_height + 3.0 + header_height + first_row_height);
        if !caption.is_empty() {
            self.lines(&caption, CAPTION, INK);
            self.y -= 3.0;
        }
        // A header taking most of a page is not worth repeating.
        let repeated_header = (header_height <= (TOP - BOTTOM) / 3.0).then_some(&header[..]);
        self.table_row(&grid, &header, TABLE_HEADER, None);
        for cells in &rows {
            self.table_row(&grid, cells, TABLE_TEXT, repeated_header);
        }
        self.space(BODY.leading());
    }

    /// Draws a row, moving it whole to a new page (under the repeated header) if it does not
    /// fit on this one. Only a row taller than a page is split, between lines.
    fn table_row(
        &mut self,
        grid: &Grid,
        cells: &[Vec<String>],
        style: Style,
        repeated_header: Option<&[Vec<String>]>,
    ) {
        let header_height =
            repeated_header.map_or(0.0, |header| row_height(line_count(header), TABLE_HEADER));
        let page_capacity = TOP - BOTTOM - header_height;
        let total = line_count(cells);
        let mut first = 0;
        let mut fresh_page = self.at_top();
        loop {
            let left = total - first;
            // `as` saturates, so no room at all counts as zero lines.
            let fitting = ((self.remaining() - 2.0 * CELL_PADDING) / style.leading()) as usize;
            if fitting >= left {
                self.draw_row(grid, cells, first..total, style, false);
                return;
            }
            let whole_row_fits_a_page = row_height(left, style) <= page_capacity;
            if !fresh_page && (whole_row_fits_a_page || fitting == 0) {
                self.table_page_break(grid, repeated_header);
                fresh_page = true;
                continue;
            }
            let taken = fitting.max(1);
            self.draw_row(grid, cells, first..first + taken, style, false);
            first += taken;
            if first == total {
                return;
            }
            self.table_page_break(grid, repeated_header);
            fresh_page = true;
        }
    }

    fn table_page_break(&mut self, grid: &Grid, repeated_header: Option<&[Vec<String>]>) {
        self.new_page();
        if let Some(header) = repeated_header {
            self.draw_row(grid, header, 0..line_count(header), TABLE_HEADER, true);
        }
    }

    /// Draws the given lines of each cell as one row of bordered cells.
    fn draw_row(
        &mut self,
        grid: &Grid,
        cells: &[Vec<String>],
        lines: Range<usize>,
        style: Style,
        shaded: bool,
    ) {
        let height = row_height(lines.len(), style);
        let top = self.y;
        let bottom = top - height;
        if shaded {
            self.page
                .fill_rect(MARGIN, bottom, TEXT_WIDTH, height, HEADER_FILL);
        }
        for (column, cell) in grid.columns.iter().zip(cells) {
            for (i, text) in cell.iter().skip(lines.start).take(lines.len()).enumerate() {
                let baseline = top - CELL_PADDING - i as f64 * style.leading() - style.size;
                let x = if column.right_aligned {
                    column.left + column.width - CELL_PADDING - style.width(text)
                } else {
                    column.left + CELL_PADDING
                };
                self.page.text(x, baseline, style, INK, text);
            }
        }
        // Borders last, so shading never covers part of an edge.
        for column in &grid.columns {
            self.page
                .stroke_rect(column.left, bottom, column.width, height, RULE, 0.5);
        }
        self.y = bottom;
    }

    fn chart(&mut self, chart: &BarChart) {
        let title = truncate(&chart.title, CHART_TITLE, TEXT_WIDTH);
        let title_height = if title.is_empty() {
            0.0
        } else {
            CHART_TITLE.leading() + 4.0
        };
        let legend = Legend::new(chart);
        let legend_height = legend.rows as f64 * Legend::ROW_HEIGHT + 6.0;
        let axis = YAxis::for_chart(chart);
        let ticks: Vec<(f64, String)> = axis
            .ticks()
            .into_iter()
            .map(|t| (t, axis.label(t)))
            .collect();
        let label_width = ticks
            .iter()
            .map(|(_, label)| CHART_TEXT.width(label))
            .fold(0.0, f64::max)
            .min(TEXT_WIDTH / 4.0);
        // Half a line above the plot for the top tick's label, a line below for categories.
        let height = title_height
            + legend_height
            + CHART_TEXT.size / 2.0
            + PLOT_HEIGHT
            + 4.0
            + CHART_TEXT.leading();
        self.make_room(height);

        let top = self.y;
        if !title.is_empty() {
            let baseline = top - CHART_TITLE.size;
            self.page.text(MARGIN, baseline, CHART_TITLE, INK, &title);
        }
        legend.draw(&mut self.page, top - title_height);

        let plot_top = top - title_height - legend_height - CHART_TEXT.size / 2.0;
        let plot = Plot {
            left: MARGIN + label_width + 6.0,
            right: MARGIN + TEXT_WIDTH,
            bottom: plot_top - PLOT_HEIGHT,
            axis,
        };
        for (tick, label) in &ticks {
            let y = plot.y_of(*tick);
            self.page.line((plot.left, y), (plot.right, y), GRID, 0.5);
            let label = truncate(label, CHART_TEXT, label_width);
            let x = plot.left - 4.0 - CHART_TEXT.width(&label);
            self.page
                .text(x, y - CHART_TEXT.size * 0.35, CHART_TEXT, INK, &label);
        }
        if chart.categories.is_empty() || chart.series.is_empty() {
            let message = "No data";
            let x = (plot.left + plot.right - BODY.width(message)) / 2.0;
            let y = plot.bottom + PLOT_HEIGHT / 2.0;
            self.page.text(x, y, BODY, MUTED, message);
        } else {
            draw_bars(&mut self.page, chart, &plot);
        }
        let corner = (plot.left, plot.bottom);
        self.page.line(corner, (plot.left, plot_top), AXIS, 0.75);
        self.page
            .line(corner, (plot.right, plot.bottom), AXIS, 0.75);

        self.y = top - height;
        self.space(BODY.leading());
    }

    /// The pages' content streams, each with its footer.
    fn finish(mut self) -> Vec<Vec<u8>> {
        self.finished.push(self.page);
        let count = self.finished.len();
        self.finished
            .into_iter()
            .enumerate()
            .map(|(i, mut page)| {
                let footer = format!("Page {} of {count}", i + 1);
                let x = (PAGE_WIDTH - FOOTER.width(&footer)) / 2.0;
                page.text(x, FOOTER_BASELINE, FOOTER, MUTED, &footer);
                page.0
            })
            .collect()
    }
}

/// A table's columns, side by side across the text width.
struct Grid {
    columns: Vec<Column>,
}

struct Column {
    left: f64,
    width: f64,
    /// Columns holding only numbers are right-aligned, header included, so digits line up.
    right_aligned: bool,
}

impl Grid {
    /// One column for each header cell, or for each cell of the longest row if that is longer.
    fn new(table: &Table) -> Grid {
        let count = table
            .rows
            .iter()
            .map(Vec::len)
            .fold(table.header.len(), usize::max);
        let mut content = vec![ContentWidth::default(); count];
        for (width, text) in content.iter_mut().zip(&table.header) {
            width.include(text, TABLE_HEADER);
        }
        for row in &table.rows {
            for (width, cell) in content.iter_mut().zip(row) {
                width.include(&cell.display(), TABLE_TEXT);
            }
        }
        let mut left = MARGIN;
        let columns = column_widths(&content, TEXT_WIDTH)
            .into_iter()
            .enumerate()
            .map(|(index, width)| {
                let column = Column {
                    left,
                    width,
                    right_aligned: is_numeric(table, index),
                };
                left += width;
                column
            })
            .collect();
        Grid { columns }
    }

    /// Each cell's text wrapped to its column; missing cells are empty.
    fn wrap(&self, texts: &[String], style: Style) -> Vec<Vec<String>> {
        self.columns
            .iter()
            .enumerate()
            .map(|(index, column)| {
                let text = texts.get(index).map_or("", String::as_str);
                wrap(text, style, column.width - 2.0 * CELL_PADDING)
            })
            .collect()
    }
}

/// Whether a column has numbers and nothing else but empty cells.
fn is_numeric(table: &Table, column: usize) -> bool {
    let mut cells = table
        .rows
        .iter()
        .filter_map(|row| row.get(column))
        .filter(|cell| !matches!(cell, Cell::Empty))
        .peekable();
    cells.peek().is_some() && cells.all(|cell| matches!(cell, Cell::Count(_) | Cell::Share(_)))
}

/// How wide a column's text is, without padding.
#[derive(Debug, Clone, Copy, Default)]
struct ContentWidth {
    longest_line: f64,
    longest_word: f64,
}

impl ContentWidth {
    fn include(&mut self, text: &str, style: Style) {
        for line in text.split('\n') {
            self.longest_line = self.longest_line.max(style.width(line));
            for word in line.split(is_break) {
                self.longest_word = self.longest_word.max(style.width(word));
            }
        }
    }
}

/// Widths in proportion to the columns' longest lines, together filling `available`. Each
/// column gets at least `MIN_COLUMN_WIDTH` and, up to an equal share of the width, room for
/// its longest word, so short headings are not broken mid-word beside a long column.
fn column_widths(content: &[ContentWidth], available: f64) -> Vec<f64> {
    let count = content.len() as f64;
    let equal_share = available / count;
    let least: Vec<f64> = content
        .iter()
        .map(|c| {
            (c.longest_word + 2.0 * CELL_PADDING)
                .clamp(MIN_COLUMN_WIDTH, equal_share.max(MIN_COLUMN_WIDTH))
        })
        .collect();
    let wanted: Vec<f64> = content
        .iter()
        .zip(&least)
        .map(|(c, least)| (c.longest_line + 2.0 * CELL_PADDING).max(*least))
        .collect();
    let total_wanted: f64 = wanted.iter().sum();
    if total_wanted <= available {
        return wanted
            .iter()
            .map(|width| width * available / total_wanted)
            .collect();
    }
    let spare = available - least.iter().sum::<f64>();
    if spare <= 0.0 {
        // Too many columns for their minimums: share the width equally.
        return vec![equal_share; content.len()];
    }
    // What the columns want beyond their minimums, more than is spare.
    let excess = total_wanted - least.iter().sum::<f64>();
    least
        .iter()
        .zip(&wanted)
        .map(|(least, wanted)| least + spare * (wanted - least) / excess)
        .collect()
}

fn cell_texts(row: &[Cell]) -> Vec<String> {
    row.iter().map(Cell::display).collect()
}

/// The number of lines in the row's tallest cell; at least one.
fn line_count(cells: &[Vec<String>]) -> usize {
    cells.iter().map(Vec::len).max().unwrap_or(1).max(1)
}

fn row_height(lines: usize, style: Style) -> f64 {
    lines as f64 * style.leading() + 2.0 * CELL_PADDING
}

/// Where a chart's bars go, and the scale they are drawn to; `PLOT_HEIGHT` tall.
struct Plot {
    left: f64,
    right: f64,
    bottom: f64,
    axis: YAxis,
}

impl Plot {
    fn y_of(&self, value: f64) -> f64 {
        self.bottom + self.axis.fraction(value) * PLOT_HEIGHT
    }
}

/// The bars, group by group, with each category's name beneath its group.
fn draw_bars(page: &mut Content, chart: &BarChart, plot: &Plot) {
    let group_width = (plot.right - plot.left) / chart.categories.len() as f64;
    // A tenth of each group either side separates the groups.
    let bar_width = group_width * 0.8 / chart.series.len() as f64;
    // A hairline gap keeps neighbouring bars distinct, when they are wide enough.
    let gap = if bar_width > 4.0 { 0.75 } else { 0.0 };
    let label_baseline = plot.bottom - 4.0 - CHART_TEXT.size;
    for (c, category) in chart.categories.iter().enumerate() {
        let group_left = plot.left + group_width * c as f64;
        for (s, series) in chart.series.iter().enumerate() {
            let x = group_left + group_width * 0.1 + bar_width * s as f64;
            let height = plot.y_of(bar_value(series, c)) - plot.bottom;
            page.fill_rect(x, plot.bottom, bar_width - gap, height, palette(s));
        }
        let label = truncate(category, CHART_TEXT, group_width - 2.0);
        let x = group_left + (group_width - CHART_TEXT.width(&label)) / 2.0;
        page.text(x, label_baseline, CHART_TEXT, INK, &label);
    }
}

/// A chart's legend: a swatch and name per series, in rows as wide as the text.
struct Legend {
    entries: Vec<LegendEntry>,
    rows: usize,
}

struct LegendEntry {
    series: usize,
    /// Shortened to fit the width.
    name: String,
    /// From the left margin.
    x: f64,
    row: usize,
}

impl Legend {
    const SWATCH: f64 = 8.0;
    const ROW_HEIGHT: f64 = 12.0;
    /// Between a swatch and its name.
    const GAP: f64 = 4.0;
    const ENTRY_SPACING: f64 = 12.0;

    fn new(chart: &BarChart) -> Legend {
        let mut entries = Vec::new();
        let mut x = 0.0;
        let mut row = 0;
        for (series, named) in chart.series.iter().enumerate() {
            let name_width = TEXT_WIDTH - Self::SWATCH - Self::GAP;
            let name = truncate(&named.name, CHART_TEXT, name_width);
            let width = Self::SWATCH + Self::GAP + CHART_TEXT.width(&name);
            if x > 0.0 && x + width > TEXT_WIDTH {
                if row + 1 == MAX_LEGEND_ROWS {
                    break;
                }
                row += 1;
                x = 0.0;
            }
            entries.push(LegendEntry {
                series,
                name,
                x,
                row,
            });
            x += width + Self::ENTRY_SPACING;
        }
        let rows = if entries.is_empty() { 0 } else { row + 1 };
        Legend { entries, rows }
    }

    fn draw(&self, page: &mut Content, top: f64) {
        for entry in &self.entries {
            let baseline = top - entry.row as f64 * Self::ROW_HEIGHT - CHART_TEXT.size;
            let left = MARGIN + entry.x;
            let colour = palette(entry.series);
            page.fill_rect(left, baseline - 0.5, Self::SWATCH, Self::SWATCH, colour);
            let x = left + Self::SWATCH + Self::GAP;
            page.text(x, baseline, CHART_TEXT, INK, &entry.name);
        }
    }
}

fn palette(series: usize) -> Colour {
    let (r, g, b) = colour(series);
    (
        f64::from(r) / 255.0,
        f64::from(g) / 255.0,
        f64::from(b) / 255.0,
    )
}

/// Splits text into paragraphs at blank lines; single line breaks stay inside paragraphs.
fn paragraphs(text: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join("\n"));
    }
    paragraphs
}

/// Breaks text into lines no wider than `max_width`: at spaces, and inside words too long for
/// a line. Each `\n` starts a new line. Always at least one line, perhaps empty.
fn wrap(text: &str, style: Style, max_width: f64) -> Vec<String> {
    let space = style.char_width(' ');
    let mut lines = Vec::new();
    for hard_line in text.split('\n') {
        let mut line = String::new();
        let mut line_width = 0.0;
        for word in hard_line.split(is_break).filter(|word| !word.is_empty()) {
            let word_width = style.width(word);
            if !line.is_empty() {
                if line_width + space + word_width <= max_width {
                    line.push(' ');
                    line.push_str(word);
                    line_width += space + word_width;
                    continue;
                }
                lines.push(std::mem::take(&mut line));
                line_width = 0.0;
            }
            if word_width <= max_width {
                line.push_str(word);
                line_width = word_width;
                continue;
            }
            for c in word.chars() {
                let char_width = style.char_width(c);
                // A line always takes one character, however narrow, so this ends.
                if !line.is_empty() && line_width + char_width > max_width {
                    lines.push(std::mem::take(&mut line));
                    line_width = 0.0;
                }
                line.push(c);
                line_width += char_width;
            }
        }
        lines.push(line);
    }
    lines
}

/// Where lines may break; a no-break space is meant to hold words together.
fn is_break(c: char) -> bool {
    c.is_whitespace() && c != '\u{A0}'
}

/// The text, or as much of it as fits in `max_width` followed by "..".
fn truncate(text: &str, style: Style, max_width: f64) -> String {
    if style.width(text) <= max_width {
        return text.to_string();
    }
    let budget = max_width - style.width("..");
    if budget < 0.0 {
        return String::new();
    }
    let mut shortened = String::new();
    let mut width = 0.0;
    for c in text.chars() {
        width += style.char_width(c);
        if width > budget {
            break;
        }
        shortened.push(c);
    }
    shortened.push_str("..");
    shortened
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Font {
    Regular,
    Bold,
}

impl Font {
    const ALL: [Font; 2] = [Font::Regular, Font::Bold];

    /// The name pages use for the font in their resources.
    fn resource(self) -> &'static str {
        match self {
            Font::Regular => "F1",
            Font::Bold => "F2",
        }
    }

    fn base_font(self) -> &'static str {
        match self {
            Font::Regular => "Helvetica",
            Font::Bold => "Helvetica-Bold",
        }
    }

    /// A WinAnsi code's advance width, in thousandths of the font size.
    fn glyph_width(self, code: u8) -> u16 {
        let widths = match self {
            Font::Regular => &HELVETICA_WIDTHS,
            Font::Bold => &HELVETICA_BOLD_WIDTHS,
        };
        usize::from(code)
            .checked_sub(32)
            .and_then(|i| widths.get(i))
            .copied()
            .unwrap_or(0)
    }
}

#[derive(Debug, Clone, Copy)]
struct Style {
    font: Font,
    size: f64,
}

impl Style {
    const fn new(font: Font, size: f64) -> Style {
        Style { font, size }
    }

    /// From one baseline to the next.
    fn leading(self) -> f64 {
        self.size * 1.3
    }

    fn char_width(self, c: char) -> f64 {
        f64::from(self.font.glyph_width(win_ansi(c))) * self.size / 1000.0
    }

    fn width(self, text: &str) -> f64 {
        text.chars().map(|c| self.char_width(c)).sum()
    }
}

/// A page's content stream.
#[derive(Default)]
struct Content(Vec<u8>);

impl Content {
    fn push(&mut self, operators: &str) {
        self.0.extend_from_slice(operators.as_bytes());
    }

    fn text(&mut self, x: f64, baseline: f64, style: Style, colour: Colour, text: &str) {
        if text.is_empty() {
            return;
        }
        self.push(&format!(
            "BT /{} {} Tf {} rg {} {} Td ",
            style.font.resource(),
            num(style.size),
            colour_operands(colour),
            num(x),
            num(baseline)
        ));
        self.0.extend_from_slice(&literal(text));
        self.push(" Tj ET\n");
    }

    fn fill_rect(&mut self, x: f64, y: f64, width: f64, height: f64, colour: Colour) {
        self.push(&format!(
            "{} rg {} {} {} {} re f\n",
            colour_operands(colour),
            num(x),
            num(y),
            num(width),
            num(height)
        ));
    }

    fn stroke_rect(&mut self, x: f64, y: f64, width: f64, height: f64, colour: Colour, line: f64) {
        self.push(&format!(
            "{} RG {} w {} {} {} {} re S\n",
            colour_operands(colour),
            num(line),
            num(x),
            num(y),
            num(width),
            num(height)
        ));
    }

    fn line(&mut self, from: (f64, f64), to: (f64, f64), colour: Colour, line: f64) {
        self.push(&format!(
            "{} RG {} w {} {} m {} {} l S\n",
            colour_operands(colour),
            num(line),
            num(from.0),
            num(from.1),
            num(to.0),
            num(to.1)
        ));
    }
}

/// A number as PDF writes it: no exponent, at most two decimals, which is finer than print.
fn num(value: f64) -> String {
    let value = if value.is_finite() { value } else { 0.0 };
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0" } else { text }.to_string()
}

fn colour_operands((r, g, b): Colour) -> String {
    format!("{} {} {}", num(r), num(g), num(b))
}

/// Text as a PDF literal string in WinAnsiEncoding.
fn literal(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 2);
    out.push(b'(');
    for c in text.chars() {
        let code = win_ansi(c);
        if matches!(code, b'(' | b')' | b'\\') {
            out.push(b'\\');
        }
        out.push(code);
    }
    out.push(b')');
    out
}

/// A character's code in WinAnsiEncoding: Latin-1 plus the typographer's punctuation that
/// Windows added (curly quotes, dashes, the euro). Other whitespace becomes a space and
/// anything else a question mark, since the standard fonts have no other glyphs.
fn win_ansi(c: char) -> u8 {
    match c {
        ' '..='~' | '\u{A0}'..='\u{FF}' => c as u8,
        '\u{20AC}' => 0x80, // €
        '\u{201A}' => 0x82, // ‚
        '\u{0192}' => 0x83, // ƒ
        '\u{201E}' => 0x84, // „
        '\u{2026}' => 0x85, // …
        '\u{2020}' => 0x86, // †
        '\u{2021}' => 0x87, // ‡
        '\u{02C6}' => 0x88, // ˆ
        '\u{2030}' => 0x89, // ‰
        '\u{0160}' => 0x8A, // Š
        '\u{2039}' => 0x8B, // ‹
        '\u{0152}' => 0x8C, // Œ
        '\u{017D}' => 0x8E, // Ž
        '\u{2018}' => 0x91, // ‘
        '\u{2019}' => 0x92, // ’
        '\u{201C}' => 0x93, // “
        '\u{201D}' => 0x94, // ”
        '\u{2022}' => 0x95, // •
        '\u{2013}' => 0x96, // –
        '\u{2014}' => 0x97, // —
        '\u{02DC}' => 0x98, // ˜
        '\u{2122}' => 0x99, // ™
        '\u{0161}' => 0x9A, // š
        '\u{203A}' => 0x9B, // ›
        '\u{0153}' => 0x9C, // œ
        '\u{017E}' => 0x9E, // ž
        '\u{0178}' => 0x9F, // Ÿ
        c if c.is_whitespace() => b' ',
        _ => b'?',
    }
}

/// Text for the document information dictionary: a literal when plain ASCII, otherwise
/// UTF-16 with a byte-order mark, which PDF allows there (but not in page content).
fn info_string(text: &str) -> Vec<u8> {
    if text.chars().all(|c| matches!(c, ' '..='~')) {
        return literal(text);
    }
    let hex: String = text
        .encode_utf16()
        .map(|unit| format!("{unit:04X}"))
        .collect();
    format!("<FEFF{hex}>").into_bytes()
}

// Object numbers: fixed objects first, then a page and its content stream for each page.
const CATALOG: usize = 1;
const PAGE_TREE: usize = 2;
const FIRST_FONT: usize = 3;
const INFO: usize = FIRST_FONT + Font::ALL.len();
const FIRST_PAGE: usize = INFO + 1;

fn write_file(title: &str, pages: &[Vec<u8>]) -> Vec<u8> {
    let page_ids: Vec<usize> = (0..pages.len()).map(|i| FIRST_PAGE + 2 * i).collect();
    let mut file = PdfFile::new();

    file.object(
        CATALOG,
        format!("<< /Type /Catalog /Pages {PAGE_TREE} 0 R >>").as_bytes(),
    );
    let kids: Vec<String> = page_ids.iter().map(|id| format!("{id} 0 R")).collect();
    file.object(
        PAGE_TREE,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .as_bytes(),
    );
    let mut font_resources = String::new();
    for (i, font) in Font::ALL.into_iter().enumerate() {
        let id = FIRST_FONT + i;
        file.object(
            id,
            format!(
                "<< /Type /Font /Subtype /Type1 /BaseFont /{} /Encoding /WinAnsiEncoding >>",
                font.base_font()
            )
            .as_bytes(),
        );
        font_resources.push_str(&format!("/{} {id} 0 R ", font.resource()));
    }
    let mut info = b"<< /Title ".to_vec();
    info.extend_from_slice(&info_string(title));
    info.extend_from_slice(b" >>");
    file.object(INFO, &info);

    for (&page_id, content) in page_ids.iter().zip(pages) {
        let content_id = page_id + 1;
        file.object(
            page_id,
            format!(
                "<< /Type /Page /Parent {PAGE_TREE} 0 R /MediaBox [0 0 {} {}] \
                 /Resources << /Font << {font_resources}>> >> /Contents {content_id} 0 R >>",
                num(PAGE_WIDTH),
                num(PAGE_HEIGHT)
            )
            .as_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(content);
        stream.extend_from_slice(b"\nendstream");
        file.object(content_id, &stream);
    }
    file.finish()
}

/// A PDF file being written, remembering where each object starts for the cross-reference
/// table.
struct PdfFile {
    bytes: Vec<u8>,
    offsets: Vec<usize>,
}

impl PdfFile {
    fn new() -> PdfFile {
        // The comment's high bytes tell transfer tools the file is binary.
        PdfFile {
            bytes: b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec(),
            offsets: Vec::new(),
        }
    }

    /// Writes the next object; objects must come in order of their numbers, from 1.
    fn object(&mut self, id: usize, body: &[u8]) {
        debug_assert_eq!(id, self.offsets.len() + 1, "objects written out of order");
        self.offsets.push(self.bytes.len());
        self.bytes
            .extend_from_slice(format!("{id} 0 obj\n").as_bytes());
        self.bytes.extend_from_slice(body);
        self.bytes.extend_from_slice(b"\nendobj\n");
    }

    fn finish(mut self) -> Vec<u8> {
        let xref = self.bytes.len();
        let size = self.offsets.len() + 1;
        let mut table = format!("xref\n0 {size}\n0000000000 65535 f \n");
        for offset in &self.offsets {
            table.push_str(&format!("{offset:010} 00000 n \n"));
        }
        table.push_str(&format!(
            "trailer\n<< /Size {size} /Root {CATALOG} 0 R /Info {INFO} 0 R >>\nstartxref\n{xref}\n%%EOF\n"
        ));
        self.bytes.extend_from_slice(table.as_bytes());
        self.bytes
    }
}

// Advance widths from Adobe's AFM files for Helvetica and Helvetica-Bold, in thousandths of
// the font size, for WinAnsi codes 32 to 255 (zero for codes never written).
#[rustfmt::skip]
const HELVETICA_WIDTHS: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0,
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667,
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 578, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];

#[rustfmt::skip]
const HELVETICA_BOLD_WIDTHS: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0,
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667,
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

#[cfg(test)]
mod tests {
    use super::super::Series;
    use super::*;

    fn contains(haystack: &[u8], needle: &str) -> bool {
        haystack
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
    }

    fn count(haystack: &[u8], needle: &str) -> usize {
        positions(haystack, needle).len()
    }

    fn positions(haystack: &[u8], needle: &str) -> Vec<usize> {
        haystack
            .windows(needle.len())
            .enumerate()
            .filter(|(_, window)| *window == needle.as_bytes())
            .map(|(at, _)| at)
            .collect()
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    fn cases_table(rows: usize) -> Table {
        Table {
            caption: "Cases audited".to_string(),
            header: vec!["Case reference".into(), "Team".into(), "Actions".into()],
            rows: (1..=rows)
                .map(|i| {
                    vec![
                        text(&format!("CASE-{i:04}")),
                        text("Adults"),
                        Cell::Count(i as i64),
                    ]
                })
                .collect(),
        }
    }

    fn sample() -> Document {
        Document {
            title: "Monthly audit summary".to_string(),
            subtitle: Some("March 2025".to_string()),
            blocks: vec![
                Block::Heading {
                    level: 1,
                    text: "Summary".to_string(),
                },
                Block::Paragraph("Forty-one audits were completed.\n\nAll teams took part.".into()),
                Block::Bullets(vec!["First point".into(), "Second point".into()]),
                Block::Table(cases_table(3)),
                Block::Chart(BarChart {
                    title: "Audits by month".to_string(),
                    categories: vec!["January".into(), "February".into()],
                    series: vec![Series {
                        name: "Passed".into(),
                        values: vec![4.0, 6.0],
                    }],
                }),
            ],
        }
    }

    /// Where each object starts, per the cross-reference table; checks the trailer on the way.
    fn xref_offsets(pdf: &[u8]) -> Vec<usize> {
        let startxref = *positions(pdf, "startxref\n").last().expect("startxref");
        let tail = std::str::from_utf8(&pdf[startxref + 10..]).unwrap();
        let xref: usize = tail.lines().next().unwrap().parse().unwrap();
        let table = std::str::from_utf8(&pdf[xref..]).expect("xref table is ASCII");
        assert!(table.starts_with("xref\n0 "));
        let mut lines = table.lines().skip(1);
        let size: usize = lines.next().unwrap()[2..].parse().unwrap();
        assert_eq!(lines.next(), Some("0000000000 65535 f "));
        let offsets: Vec<usize> = (1..size)
            .map(|_| {
                let entry = lines.next().unwrap();
                assert!(entry.ends_with(" 00000 n "), "{entry}");
                entry[..10].parse().unwrap()
            })
            .collect();
        assert_eq!(lines.next(), Some("trailer"));
        let trailer = lines.next().unwrap();
        assert!(trailer.contains(&format!("/Size {size}")), "{trailer}");
        assert!(trailer.contains("/Root 1 0 R"), "{trailer}");
        offsets
    }

    #[test]
    fn file_has_pdf_header_trailer_and_a4_pages() {
        let pdf = render(&sample());
        assert!(pdf.starts_with(b"%PDF-1.4\n"));
        assert!(pdf.ends_with(b"%%EOF\n"));
        assert!(contains(&pdf, "/MediaBox [0 0 595.28 841.89]"));
        assert!(contains(&pdf, "/BaseFont /Helvetica "));
        assert!(contains(&pdf, "/BaseFont /Helvetica-Bold "));
        assert!(contains(&pdf, "/Title (Monthly audit summary)"));
    }

    #[test]
    fn xref_offsets_point_at_their_objects() {
        let pdf = render(&sample());
        let offsets = xref_offsets(&pdf);
        assert!(offsets.len() > FIRST_PAGE);
        for (i, offset) in offsets.iter().enumerate() {
            let expected = format!("{} 0 obj\n", i + 1);
            assert!(
                pdf[*offset..].starts_with(expected.as_bytes()),
                "object {}",
                i + 1
            );
        }
    }

    #[test]
    fn stream_lengths_match_their_content() {
        let pdf = render(&sample());
        let streams = positions(&pdf, "<< /Length ");
        assert!(!streams.is_empty());
        for at in streams {
            let rest = &pdf[at + 11..];
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            let length: usize = std::str::from_utf8(&rest[..digits])
                .unwrap()
                .parse()
                .unwrap();
            let start = at + 11 + positions(rest, "stream\n")[0] + 7;
            assert!(pdf[start + length..].starts_with(b"\nendstream"));
        }
    }

    #[test]
    fn text_appears_as_literal_strings() {
        let pdf = render(&sample());
        for expected in [
            "(Monthly audit summary)",
            "(March 2025)",
            "(Summary)",
            "(Forty-one audits were completed.)",
            "(All teams took part.)",
            "(Second point)",
            "(Cases audited)",
            "(Case reference)",
            "(CASE-0003)",
            "(Audits by month)",
            "(February)",
            "(Passed)",
            "(Page 1 of 1)",
        ] {
            assert!(contains(&pdf, expected), "{expected} missing");
        }
    }

    #[test]
    fn long_tables_continue_over_pages_under_their_header() {
        let doc = Document {
            title: "Cases".to_string(),
            subtitle: None,
            blocks: vec![Block::Table(cases_table(200))],
        };
        let pages = layout(&doc);
        assert!(pages.len() >= 4, "{} pages", pages.len());
        for (i, page) in pages.iter().enumerate() {
            assert_eq!(count(page, "(Case reference)"), 1, "page {}", i + 1);
            assert!(contains(
                page,
                &format!("(Page {} of {})", i + 1, pages.len())
            ));
        }
        for i in 1..=200 {
            let cell = format!("(CASE-{i:04})");
            assert_eq!(
                pages.iter().map(|page| count(page, &cell)).sum::<usize>(),
                1,
                "{cell}"
            );
        }
        let pdf = render(&doc);
        assert!(contains(&pdf, &format!("/Count {}", pages.len())));
        assert_eq!(xref_offsets(&pdf).len(), FIRST_PAGE - 1 + 2 * pages.len());
    }

    #[test]
    fn rows_stay_whole_unless_taller_than_a_page() {
        let rows = (0..60)
            .map(|row| {
                let lines: Vec<String> = (0..5).map(|line| format!("r{row}l{line}")).collect();
                vec![text(&lines.join("\n")), Cell::Count(row)]
            })
            .collect();
        let table = Table {
            caption: String::new(),
            header: vec!["Lines".into(), "N".into()],
            rows,
        };
        let pages = layout(&Document {
            blocks: vec![Block::Table(table)],
            ..Document::default()
        });
        assert!(pages.len() >= 3);
        for row in 0..60 {
            let holding: Vec<usize> = (0..pages.len())
                .filter(|&p| (0..5).any(|line| contains(&pages[p], &format!("(r{row}l{line})"))))
                .collect();
            assert_eq!(holding.len(), 1, "row {row} on pages {holding:?}");
        }

        let tall: Vec<String> = (0..200).map(|line| format!("tall{line}")).collect();
        let table = Table {
            caption: String::new(),
            header: vec!["Tall".into()],
            rows: vec![
                vec![text("before")],
                vec![text(&tall.join("\n"))],
                vec![text("after")],
            ],
        };
        let pages = layout(&Document {
            blocks: vec![Block::Table(table)],
            ..Document::default()
        });
        assert!(pages.len() >= 3);
        for line in &tall {
            let found = pages
                .iter()
                .filter(|page| contains(page, &format!("({line})")))
                .count();
            assert_eq!(found, 1, "{line}");
        }
        // The tall row starts straight after the first, not on a page of its own.
        assert!(contains(&pages[0], "(before)") && contains(&pages[0], "(tall0)"));
    }

    #[test]
    fn wrapped_lines_fit_the_width_and_keep_every_word() {
        let text = "The council's audit found that most case files were complete, though several \
                    lacked a signed consent form. Supercalifragilisticexpialidociousandthensome \
                    words — and naïve café prices (€5) — must wrap too.\nA hard break.";
        for style in [BODY, HEADING_1, TABLE_TEXT] {
            for width in [40.0, 90.0, 200.0, TEXT_WIDTH] {
                let lines = wrap(text, style, width);
                assert!(lines.len() > 1);
                for line in &lines {
                    assert!(style.width(line) <= width, "{line:?} wider than {width}");
                }
                let rejoined: String = lines.concat().split_whitespace().collect();
                let original: String = text.split_whitespace().collect();
                assert_eq!(rejoined, original);
            }
        }
        assert_eq!(wrap("one\ntwo", BODY, TEXT_WIDTH), ["one", "two"]);
        assert_eq!(wrap("", BODY, TEXT_WIDTH), [""]);
        assert_eq!(wrap("a\n\nb", BODY, TEXT_WIDTH), ["a", "", "b"]);
        // Too narrow for any character still makes progress, one character a line.
        assert_eq!(wrap("abc", BODY, 0.0), ["a", "b", "c"]);
    }

    #[test]
    fn long_words_are_broken_by_characters() {
        let word = "x".repeat(300);
        let lines = wrap(&format!("short {word} end"), BODY, TEXT_WIDTH);
        assert_eq!(lines[0], "short");
        assert!(lines.len() >= 3);
        assert!(lines.iter().all(|line| BODY.width(line) <= TEXT_WIDTH));
        assert!(lines.last().unwrap().ends_with(" end"));
    }

    #[test]
    fn string_delimiters_are_escaped() {
        assert_eq!(literal(r"a (b) \ c"), br"(a \(b\) \\ c)");
        let doc = Document {
            title: "Audit (draft)".to_string(),
            subtitle: Some(r"C:\reports".to_string()),
            ..Document::default()
        };
        let pdf = render(&doc);
        assert!(contains(&pdf, r"(Audit \(draft\))"));
        assert!(contains(&pdf, r"(C:\\reports)"));
    }

    #[test]
    fn characters_map_to_win_ansi() {
        assert_eq!(win_ansi('A'), b'A');
        assert_eq!(win_ansi('é'), 0xE9);
        assert_eq!(win_ansi('£'), 0xA3);
        assert_eq!(win_ansi('’'), 0x92);
        assert_eq!(win_ansi('€'), 0x80);
        assert_eq!(win_ansi('\t'), b' ');
        assert_eq!(win_ansi('名'), b'?');
        assert_eq!(win_ansi('\u{1F600}'), b'?');
        assert_eq!(win_ansi('\u{7}'), b'?');
        assert_eq!(literal("café 名"), b"(caf\xE9 ?)");
        assert_eq!(info_string("Café"), b"<FEFF00430061006600E9>".to_vec());
        assert_eq!(info_string("Plain"), b"(Plain)".to_vec());
    }

    #[test]
    fn glyph_widths_come_from_the_font_metrics() {
        assert_eq!(Font::Regular.glyph_width(b' '), 278);
        assert_eq!(Font::Regular.glyph_width(b'W'), 944);
        assert_eq!(Font::Bold.glyph_width(b'i'), 278);
        assert_eq!(Font::Regular.glyph_width(0xE9), 556);
        assert!((BODY.width("Hello") - 10.5 * 2.278).abs() < 1e-9);
    }

    #[test]
    fn numbers_are_written_plainly() {
        assert_eq!(num(595.28), "595.28");
        assert_eq!(num(100.0), "100");
        assert_eq!(num(0.5), "0.5");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(1e20), "100000000000000000000");
    }

    #[test]
    fn columns_share_the_width_in_proportion_with_a_minimum() {
        let content = |longest_line, longest_word| ContentWidth {
            longest_line,
            longest_word,
        };
        let sums_to =
            |widths: &[f64], total: f64| (widths.iter().sum::<f64>() - total).abs() < 1e-9;

        let widths = column_widths(&[content(10.0, 10.0), content(100.0, 30.0)], 400.0);
        assert!(sums_to(&widths, 400.0));
        assert!(widths[1] > widths[0]);

        let long = content(3000.0, 50.0);
        let widths = column_widths(&[content(10.0, 10.0), content(2000.0, 50.0), long], 400.0);
        assert!(sums_to(&widths, 400.0));
        assert!(widths.iter().all(|&w| w >= MIN_COLUMN_WIDTH));
        assert!(widths[2] > widths[1]);

        // A short heading's word is not broken beside a very long column...
        let widths = column_widths(&[content(5000.0, 30.0), content(60.0, 60.0)], 400.0);
        assert!(widths[1] >= 60.0 + 2.0 * CELL_PADDING);
        // ...but no word claims more than an equal share.
        let widths = column_widths(&[content(300.0, 300.0), content(900.0, 900.0)], 400.0);
        assert_eq!(widths, [200.0, 200.0]);

        let widths = column_widths(&[content(1000.0, 1000.0); 20], 400.0);
        assert!(widths.iter().all(|&w| (w - 20.0).abs() < 1e-9));
    }

    #[test]
    fn awkward_documents_render_without_panicking() {
        let huge_cell = "word ".repeat(5000);
        let empty_chart = BarChart {
            title: String::new(),
            categories: Vec::new(),
            series: Vec::new(),
        };
        let documents = [
            Document::default(),
            Document {
                title: "名前 🎉 \u{0}\r\n(".repeat(40),
                subtitle: Some(String::new()),
                blocks: vec![
                    Block::Heading {
                        level: 0,
                        text: String::new(),
                    },
                    Block::Heading {
                        level: 9,
                        text: "x".repeat(2000),
                    },
                    Block::Paragraph(String::new()),
                    Block::Paragraph("\n\n \n".into()),
                    Block::Bullets(Vec::new()),
                    Block::Bullets(vec![String::new(), "\n".into()]),
                    Block::Table(Table {
                        caption: String::new(),
                        header: Vec::new(),
                        rows: Vec::new(),
                    }),
                    Block::Table(Table {
                        caption: "No rows".into(),
                        header: vec!["A".into()],
                        rows: Vec::new(),
                    }),
                    Block::Table(Table {
                        caption: "Ragged".into(),
                        header: vec!["A".into(), "B".into(), "C".into()],
                        rows: vec![vec![], vec![text("one")], vec![Cell::Share(f64::NAN); 5]],
                    }),
                    Block::Table(Table {
                        caption: String::new(),
                        header: vec![huge_cell.clone()],
                        rows: vec![vec![text(&huge_cell)]],
                    }),
                    Block::Table(Table {
                        caption: "Many columns".into(),
                        header: (0..80).map(|i| format!("Column {i}")).collect(),
                        rows: vec![(0..80).map(Cell::Count).collect()],
                    }),
                    Block::Chart(empty_chart),
                    Block::Chart(BarChart {
                        title: "Odd values".repeat(30),
                        categories: (0..200).map(|i| format!("Category {i}")).collect(),
                        series: (0..50)
                            .map(|i| Series {
                                name: format!("Series {i}"),
                                values: vec![f64::NAN, -1.0, f64::INFINITY, f64::MAX, i as f64],
                            })
                            .collect(),
                    }),
                ],
            },
        ];
        for doc in &documents {
            let pdf = render(doc);
            assert!(pdf.ends_with(b"%%EOF\n"));
            for (i, offset) in xref_offsets(&pdf).iter().enumerate() {
                assert!(pdf[*offset..].starts_with(format!("{} 0 obj\n", i + 1).as_bytes()));
            }
        }
        assert!(contains(&render(&Document::default()), "(Page 1 of 1)"));
    }
}
