//! Uploaded bytes to sheets (`.xlsx` through calamine, `.csv` as text), for every feature
//! that takes a file: Annex A imports and the staff directory. Server-only.

use crate::domain::annex_import::{csv_rows, Cell, Problem, Sheet};
use calamine::{Data, DataType, Reader, Xlsx};
use std::io::Cursor;

/// The largest file accepted. A large council's whole Annex A workbook is a few megabytes.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// What a workbook may hold once unzipped. A large council's Annex A is tens of thousands of
/// rows in a dozen columns on a handful of sheets; these leave room many times over while
/// keeping a crafted file (a zip bomb, a cell at the sheet's far corner) from taking the
/// server's memory.
pub const MAX_UNZIPPED_BYTES: u64 = 200 * 1024 * 1024;
pub const MAX_ZIP_ENTRIES: usize = 2_000;
pub const MAX_SHEETS: usize = 50;
pub const MAX_ROWS: u32 = 200_000;
pub const MAX_COLUMNS: u32 = 200;
pub const MAX_CELL_CHARS: usize = 10_000;

/// [`sheets`] off the async threads: reading a workbook is CPU work that must not hold up
/// every other request.
pub async fn read_sheets(file_name: &str, bytes: &[u8]) -> Result<Vec<Sheet>, Problem> {
    let (file_name, bytes) = (file_name.to_string(), bytes.to_vec());
    tokio::task::spawn_blocking(move || sheets(&file_name, &bytes))
        .await
        .unwrap_or_else(|error| {
            tracing::error!(%error, "reading an upload failed");
            Err(Problem::file(
                "The file could not be read. Save it again from Excel and retry",
            ))
        })
}

pub fn too_large() -> Problem {
    Problem::file(format!(
        "The file is larger than {} MB. Remove sheets the audit does not use (lists 1, 3 to 5, 10 and 11) and try again",
        MAX_UPLOAD_BYTES / (1024 * 1024)
    ))
}

fn not_a_spreadsheet() -> Problem {
    Problem::file("The file is not an Excel workbook (.xlsx) or a CSV file")
}

/// Reads the sheets of a workbook, or the one sheet of a CSV file (named after the file).
pub fn sheets(file_name: &str, bytes: &[u8]) -> Result<Vec<Sheet>, Problem> {
    if bytes.is_empty() {
        return Err(Problem::file("The file is empty"));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // calamine 0.38 overflows on a cell reference with too many column letters (found
        // by fuzzing; a panic in debug builds, a wrapped index in release). Whatever else
        // a crafted file finds in it, the upload gets a sentence, never a crash.
        return std::panic::catch_unwind(|| workbook(bytes)).unwrap_or_else(|_| {
            tracing::warn!("a workbook made the spreadsheet reader panic");
            Err(Problem::file(
                "The file could not be read. Save it again from Excel and retry",
            ))
        });
    }
    // Old binary .xls and other files are not text.
    if bytes.contains(&0) {
        return Err(not_a_spreadsheet());
    }
    // A CSV line as wide as a sheet may be, and no wider.
    let widest = bytes
        .split(|b| *b == b'\n')
        .map(|line| line.iter().filter(|b| **b == b',').count())
        .max()
        .unwrap_or(0);
    if widest >= MAX_COLUMNS as usize {
        return Err(Problem::file(format!(
            "A line of the file has more than {MAX_COLUMNS} columns: is it the right file?"
        )));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        // Excel's "CSV" is often Windows-1252; its letters match Latin-1.
        Err(_) => bytes.iter().map(|b| char::from(*b)).collect(),
    };
    let rows = csv_rows(&text);
    if rows.iter().all(|r| r.iter().all(|c| *c == Cell::Empty)) {
        return Err(Problem::file("The file is empty"));
    }
    if !rows.iter().take(10).any(|r| r.len() > 1) {
        return Err(not_a_spreadsheet());
    }
    Ok(vec![Sheet {
        name: file_name.to_string(),
        rows,
    }])
}

fn unreadable() -> Problem {
    Problem::file(
        "The file is not a readable Excel workbook (.xlsx). Save it again from Excel and retry",
    )
}

/// Refuses a zip whose contents, as its directory declares them, are too many or too large
/// once unzipped, before anything is unzipped.
fn check_zip(bytes: &[u8]) -> Result<(), Problem> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        tracing::info!(error = %e, "upload is not a readable zip");
        unreadable()
    })?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(Problem::file(
            "The workbook holds too many parts to be an Annex A or staff file",
        ));
    }
    let mut unzipped: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|_| unreadable())?;
        unzipped = unzipped.saturating_add(entry.size());
    }
    if unzipped > MAX_UNZIPPED_BYTES {
        return Err(Problem::file(format!(
            "The workbook is larger than {} MB once opened. Remove sheets the audit does not use and try again",
            MAX_UNZIPPED_BYTES / (1024 * 1024)
        )));
    }
    Ok(())
}

/// Column letters as Excel shows them (0 is A).
fn column_letters(mut column: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(char::from(b'A' + (column % 26) as u8));
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    letters.iter().rev().collect()
}

/// Reads each sheet cell by cell, never allocating a sheet's whole bounding box: a sheet
/// with two cells at A1 and XFD1048576 is refused at the far cell, not expanded.
fn workbook(bytes: &[u8]) -> Result<Vec<Sheet>, Problem> {
    check_zip(bytes)?;
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        tracing::info!(error = %e, "upload is not a readable workbook");
        unreadable()
    })?;
    let names = book.sheet_names();
    if names.is_empty() {
        return Err(Problem::file("The workbook has no sheets"));
    }
    if names.len() > MAX_SHEETS {
        return Err(Problem::file(format!(
            "The workbook has more than {MAX_SHEETS} sheets: is it the right file?"
        )));
    }
    let mut sheets = Vec::new();
    for name in names {
        let at = |row: Option<u32>, column: Option<u32>, message: String| Problem {
            sheet: Some(name.clone()),
            row: row.map(|r| r as usize + 1),
            column: column.map(column_letters),
            message,
        };
        let unreadable_sheet = |e: calamine::XlsxError| {
            tracing::info!(error = %e, "a sheet could not be read");
            at(None, None, "This sheet could not be read".into())
        };
        let mut cells = book
            .worksheet_cells_reader(&name)
            .map_err(unreadable_sheet)?;
        // Row numbers as Excel shows them: `rows[r]` is row r + 1, padded above the first.
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        while let Some(found) = cells.next_cell().map_err(unreadable_sheet)? {
            let (row, column) = found.get_position();
            if row >= MAX_ROWS || column >= MAX_COLUMNS {
                return Err(at(
                    Some(row),
                    Some(column),
                    format!(
                        "The sheet has a cell beyond row {MAX_ROWS} or column {}: clear everything outside the list and try again",
                        column_letters(MAX_COLUMNS - 1)
                    ),
                ));
            }
            let value = cell(&Data::from(found.get_value().clone()));
            if let Cell::Text(text) = &value {
                if text.chars().count() > MAX_CELL_CHARS {
                    return Err(at(
                        Some(row),
                        Some(column),
                        format!("The cell holds more than {MAX_CELL_CHARS} characters"),
                    ));
                }
            }
            if value == Cell::Empty {
                continue;
            }
            let (row, column) = (row as usize, column as usize);
            if rows.len() <= row {
                rows.resize(row + 1, Vec::new());
            }
            if rows[row].len() <= column {
                rows[row].resize(column + 1, Cell::Empty);
            }
            rows[row][column] = value;
        }
        sheets.push(Sheet { name, rows });
    }
    Ok(sheets)
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Text(b.to_string()),
        Data::DateTime(_) | Data::DateTimeIso(_) => match data.as_date() {
            Some(d) => Cell::Date(d),
            None => Cell::Text(data.to_string()),
        },
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}

/// A multipart upload as received: its text fields, and the file (capped at
/// [`MAX_UPLOAD_BYTES`]; `too_large` says it was cut short).
pub struct Received {
    pub fields: std::collections::HashMap<String, String>,
    pub file_name: String,
    pub bytes: Vec<u8>,
    pub too_large: bool,
}

/// Reads an upload form: the part named `file` and any text fields. A broken upload, or one
/// without a file, is an error on `file_field`, the form's file input.
pub async fn receive(
    data: leptos::server_fn::codec::MultipartData,
    file_field: &str,
) -> Result<Received, crate::AppError> {
    use crate::{AppError, FieldError};
    let broken = || {
        AppError::Invalid(vec![FieldError::new(
            file_field,
            "The upload did not arrive whole. Try again",
        )])
    };
    let mut multipart = data
        .into_inner()
        .ok_or_else(|| crate::server::internal("no multipart body"))?;
    let mut got = Received {
        fields: Default::default(),
        file_name: String::new(),
        bytes: Vec::new(),
        too_large: false,
    };
    while let Some(mut field) = multipart.next_field().await.map_err(|e| {
        tracing::info!(error = %e, "unreadable upload");
        broken()
    })? {
        match field.name().map(str::to_string) {
            Some(name) if name == "file" => {
                got.file_name = field
                    .file_name()
                    .unwrap_or("upload")
                    .chars()
                    .take(200)
                    .collect();
                while let Some(chunk) = field.chunk().await.map_err(|_| broken())? {
                    if got.bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
                        got.too_large = true;
                        break;
                    }
                    got.bytes.extend_from_slice(&chunk);
                }
            }
            Some(name) => {
                let value = field.text().await.unwrap_or_default();
                got.fields.insert(name, value);
            }
            None => {}
        }
        if got.too_large {
            break;
        }
    }
    if got.file_name.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            file_field,
            "Choose the file to upload",
        )]));
    }
    Ok(got)
}
