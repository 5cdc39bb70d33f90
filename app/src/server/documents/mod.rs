//! Documents for people outside the app: the monthly summary report and the filed audit,
//! as Word (`.docx`), PDF and, for figures, Excel (`.xlsx`). One plain model, written out
//! by each format's module, so the formats never disagree about what a document says.
//! Server-only; nothing here touches the database.

pub mod chart;
pub mod docx;
pub mod pdf;
pub mod xlsx;

/// A document: a title, an optional line under it, then blocks in reading order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub title: String,
    pub subtitle: Option<String>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Level 1 or 2.
    Heading {
        level: u8,
        text: String,
    },
    /// Plain text; `\n` is a line break, a blank line starts a new paragraph.
    Paragraph(String),
    Bullets(Vec<String>),
    Table(Table),
    Chart(BarChart),
}

/// A table with a header row. Every row has as many cells as the header.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Said above the table; also the sheet name's source in `.xlsx`.
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A count.
    Count(i64),
    /// A share from 0.0 to 1.0, shown as a whole percentage ("67%").
    Share(f64),
    Empty,
}

impl Cell {
    /// As the cell is shown in Word and PDF.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Share(s) => format!("{:.0}%", s * 100.0),
            Cell::Empty => String::new(),
        }
    }
}

/// Grouped bars: one group per category, one bar per series. Values are counts or shares,
/// never negative.
#[derive(Debug, Clone, PartialEq)]
pub struct BarChart {
    pub title: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// One per category.
    pub values: Vec<f64>,
}

/// A document that could not be written; a fault in the code or the format's crate, never
/// the user's input.
#[derive(Debug, thiserror::Error)]
#[error("could not write the {format} document: {detail}")]
pub struct DocumentError {
    pub format: &'static str,
    pub detail: String,
}
