//! Excel (`.xlsx`) output of tables, one worksheet per named group, through `rust_xlsxwriter`.

use std::collections::HashSet;

use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet, XlsxError};

use super::{Cell, DocumentError, Table};

// Excel's limits, in UTF-16 code units.
const MAX_SHEET_NAME_LEN: usize = 31;
const MAX_CELL_TEXT_LEN: usize = 32_767;
/// Characters Excel refuses in a sheet name.
const SHEET_NAME_FORBIDDEN: [char; 7] = ['[', ']', ':', '*', '?', '/', '\\'];
/// In Excel's width unit, about one digit of the default font.
const MIN_COLUMN_WIDTH: usize = 8;
const MAX_COLUMN_WIDTH: usize = 60;
/// Room for the bold header and the cell's inner margins.
const COLUMN_PADDING: usize = 2;

/// The tables as an Excel workbook: a worksheet for each `(name, tables)` in order, named
/// as near `name` as Excel allows.
pub fn render(sheets: &[(String, Vec<Table>)]) -> Result<Vec<u8>, DocumentError> {
    let formats = Formats::new();
    let mut names = SheetNames::new();
    let mut workbook = Workbook::new();
    for (name, tables) in sheets {
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(names.claim(name)).map_err(excel_error)?;
        write_tables(worksheet, tables, &formats).map_err(excel_error)?;
    }
    workbook.save_to_buffer().map_err(excel_error)
}

fn excel_error(error: impl std::fmt::Display) -> DocumentError {
    DocumentError {
        format: "Excel",
        detail: error.to_string(),
    }
}

struct Formats {
    caption: Format,
    header: Format,
    share: Format,
}

impl Formats {
    fn new() -> Self {
        Formats {
            caption: Format::new().set_bold(),
            header: Format::new()
                .set_bold()
                .set_border_bottom(FormatBorder::Thin),
            share: Format::new().set_num_format("0%"),
        }
    }
}

/// Each table as its caption, header and rows, with a blank row before the next.
fn write_tables(
    worksheet: &mut Worksheet,
    tables: &[Table],
    formats: &Formats,
) -> Result<(), XlsxError> {
    let mut row = 0;
    for table in tables {
        worksheet.write_string_with_format(row, 0, cell_text(&table.caption), &formats.caption)?;
        row += 1;
        for (col, title) in (0..).zip(&table.header) {
            worksheet.write_string_with_format(row, col, cell_text(title), &formats.header)?;
        }
        for cells in &table.rows {
            row += 1;
            for (col, cell) in (0..).zip(cells) {
                match cell {
                    Cell::Text(text) => worksheet.write_string(row, col, cell_text(text))?,
                    // Exact as a double up to 2^53, far past any count here.
                    Cell::Count(count) => worksheet.write_number(row, col, *count as f64)?,
                    Cell::Share(share) => {
                        worksheet.write_number_with_format(row, col, *share, &formats.share)?
                    }
                    Cell::Empty => continue,
                };
            }
        }
        row += 2;
    }
    for (col, width) in (0..).zip(column_widths(tables)) {
        worksheet.set_column_width(col, width as f64)?;
    }
    Ok(())
}

/// Widths to fit the header and cells as shown. Captions are left out: each sits alone in
/// its row and spills over the empty cells beside it. (`Worksheet::autofit` would measure a
/// share as 0.3333… rather than 33%.)
fn column_widths(tables: &[Table]) -> Vec<usize> {
    let mut widths: Vec<usize> = Vec::new();
    let mut fit = |col: usize, text: &str| {
        if widths.len() <= col {
            widths.resize(col + 1, MIN_COLUMN_WIDTH);
        }
        let width = (text.chars().count() + COLUMN_PADDING).min(MAX_COLUMN_WIDTH);
        widths[col] = widths[col].max(width);
    };
    for table in tables {
        for (col, title) in table.header.iter().enumerate() {
            fit(col, title);
        }
        for row in &table.rows {
            for (col, cell) in row.iter().enumerate() {
                fit(col, &cell.display());
            }
        }
    }
    widths
}

/// The sheet names given out so far, lower-cased as Excel compares them.
struct SheetNames {
    taken: HashSet<String>,
}

impl SheetNames {
    fn new() -> Self {
        // Excel keeps "History" for its change tracking.
        SheetNames {
            taken: HashSet::from(["history".to_owned()]),
        }
    }

    /// `wanted` made acceptable to Excel and unlike every name given before: forbidden
    /// characters become spaces, it is cut to length, and a repeat gets " (2)", " (3)", ….
    fn claim(&mut self, wanted: &str) -> String {
        let cleaned = wanted
            .replace(
                |c: char| SHEET_NAME_FORBIDDEN.contains(&c) || c.is_control(),
                " ",
            )
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        // Excel also refuses a name that starts or ends with an apostrophe.
        let cleaned = cleaned.trim_matches(|c: char| c == '\'' || c.is_whitespace());
        let base = if cleaned.is_empty() { "Sheet" } else { cleaned };

        let mut name = name_start(base, MAX_SHEET_NAME_LEN).to_owned();
        let mut copy = 1;
        while !self.taken.insert(name.to_lowercase()) {
            copy += 1;
            let suffix = format!(" ({copy})");
            name = format!(
                "{}{suffix}",
                name_start(base, MAX_SHEET_NAME_LEN - suffix.len())
            );
        }
        name
    }
}

/// `name` cut to `max_len`, without the apostrophe or space that a cut may leave at its end.
fn name_start(name: &str, max_len: usize) -> &str {
    truncated(name, max_len).trim_end_matches(|c: char| c == '\'' || c.is_whitespace())
}

/// The longest start of `text` within `max_len` UTF-16 code units, Excel's measure.
fn truncated(text: &str, max_len: usize) -> &str {
    let mut len = 0;
    let end = text
        .char_indices()
        .find(|(_, c)| {
            len += c.len_utf16();
            len > max_len
        })
        .map_or(text.len(), |(at, _)| at);
    &text[..end]
}

/// Excel refuses a longer string; a cut one beats no export at all.
fn cell_text(text: &str) -> &str {
    truncated(text, MAX_CELL_TEXT_LEN)
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Read};

    use calamine::{open_workbook_from_rs, Data, DataType, Range, Reader, Xlsx};

    use super::*;

    fn cases() -> Table {
        Table {
            caption: "Cases by team, April 2025: every team that filed an audit".into(),
            header: vec!["Team".into(), "Cases".into(), "Share".into()],
            rows: vec![
                vec![
                    Cell::Text("North".into()),
                    Cell::Count(12),
                    Cell::Share(0.5),
                ],
                vec![Cell::Text("South".into()), Cell::Count(3), Cell::Empty],
            ],
        }
    }

    fn outcomes() -> Table {
        Table {
            caption: "Outcomes".into(),
            header: vec!["Outcome".into(), "Count".into()],
            rows: vec![vec![Cell::Text("Upheld".into()), Cell::Count(7)]],
        }
    }

    fn read_sheets(xlsx: &[u8]) -> Vec<(String, Range<Data>)> {
        let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(xlsx)).expect("an xlsx file");
        workbook.worksheets()
    }

    fn part(xlsx: &[u8], name: &str) -> String {
        let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).expect("a zip file");
        let mut text = String::new();
        archive
            .by_name(name)
            .expect("the part")
            .read_to_string(&mut text)
            .expect("UTF-8 text");
        text
    }

    #[test]
    fn writes_each_table_under_its_caption_with_typed_cells() {
        let xlsx = render(&[("April".into(), vec![cases(), outcomes()])]).expect("rendered");
        let sheets = read_sheets(&xlsx);
        assert_eq!(sheets.len(), 1);
        let (name, cells) = &sheets[0];
        assert_eq!(name, "April");
        let text = |s: &str| Data::String(s.into());
        assert_eq!(cells.get_value((0, 0)), Some(&text(&cases().caption)));
        assert_eq!(cells.get_value((1, 0)), Some(&text("Team")));
        assert_eq!(cells.get_value((1, 2)), Some(&text("Share")));
        assert_eq!(cells.get_value((2, 0)), Some(&text("North")));
        assert_eq!(cells.get_value((2, 1)).and_then(Data::as_f64), Some(12.0));
        assert_eq!(cells.get_value((2, 2)), Some(&Data::Float(0.5)));
        assert_eq!(cells.get_value((3, 1)).and_then(Data::as_f64), Some(3.0));
        assert_eq!(cells.get_value((3, 2)), Some(&Data::Empty));
        // One blank row, then the next table.
        assert_eq!(cells.get_value((4, 0)), Some(&Data::Empty));
        assert_eq!(cells.get_value((5, 0)), Some(&text("Outcomes")));
        assert_eq!(cells.get_value((6, 1)), Some(&text("Count")));
        assert_eq!(cells.get_value((7, 1)).and_then(Data::as_f64), Some(7.0));
    }

    #[test]
    fn formats_headers_and_shares() {
        let xlsx = render(&[("April".into(), vec![cases()])]).expect("rendered");
        let styles = part(&xlsx, "xl/styles.xml");
        assert!(styles.contains(r#"formatCode="0%""#));
        assert!(styles.contains("<b/>"));
        assert!(styles.contains(r#"<bottom style="thin">"#));
    }

    #[test]
    fn sizes_columns_to_cells_as_shown_not_captions() {
        let mut table = cases();
        table.rows.push(vec![
            Cell::Text("Central and surrounding wards".into()),
            Cell::Count(1_234_567_890),
            Cell::Share(1.0 / 3.0),
        ]);
        // The caption is longer than any cell; a share counts as "33%", not 0.3333….
        assert_eq!(column_widths(&[table, outcomes()]), [31, 12, 8]);

        let long = "x".repeat(200);
        let table = Table {
            caption: String::new(),
            header: vec![long],
            rows: Vec::new(),
        };
        assert_eq!(column_widths(&[table]), [MAX_COLUMN_WIDTH]);
    }

    #[test]
    fn writes_one_sheet_per_group_even_without_tables() {
        let xlsx = render(&[
            ("April".into(), vec![cases()]),
            ("Empty".into(), Vec::new()),
        ])
        .expect("rendered");
        let names: Vec<String> = read_sheets(&xlsx)
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(names, ["April", "Empty"]);
    }

    #[test]
    fn sheet_names_are_made_valid_and_unique() {
        let long = "Cases by team and outcome for the whole of April 2025";
        let wanted = [
            long,
            long,
            "Team: North/East [draft]?",
            "april",
            "April",
            "'Quoted'",
            " ",
            "History",
            "a\\b*c",
            "Tab\tand\u{1}bell",
        ];
        let xlsx = render(&wanted.map(|name| (name.to_owned(), Vec::new()))).expect("rendered");
        let names: Vec<String> = read_sheets(&xlsx)
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(
            names,
            [
                "Cases by team and outcome for t",
                "Cases by team and outcome f (2)",
                "Team North East draft",
                "april",
                "April (2)",
                "Quoted",
                "Sheet",
                "History (2)",
                "a b c",
                "Tab and bell",
            ]
        );
        assert!(names
            .iter()
            .all(|name| name.encode_utf16().count() <= MAX_SHEET_NAME_LEN));
    }

    #[test]
    fn cuts_names_and_text_by_utf16_length() {
        assert_eq!(name_start("abc def", 4), "abc");
        assert_eq!(name_start("it's", 3), "it");
        // Each of these takes two UTF-16 code units.
        assert_eq!(truncated("😀😀😀", 5), "😀😀");
        assert_eq!(truncated("short", 31), "short");
    }

    #[test]
    fn cuts_text_too_long_for_a_cell() {
        let note = "é".repeat(40_000);
        let table = Table {
            caption: note.clone(),
            header: vec![note.clone()],
            rows: vec![vec![Cell::Text(note)]],
        };
        let xlsx = render(&[("Notes".into(), vec![table])]).expect("rendered");
        let (_, cells) = &read_sheets(&xlsx)[0];
        for row in 0..3 {
            let Some(Data::String(text)) = cells.get_value((row, 0)) else {
                panic!("no text in row {row}");
            };
            assert_eq!(text.chars().count(), MAX_CELL_TEXT_LEN);
        }
    }
}
