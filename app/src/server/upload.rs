//! Uploaded bytes to sheets (`.xlsx` through calamine, `.csv` as text), for every feature
//! that takes a file: Annex A imports and the staff directory. Server-only.

use crate::domain::annex_import::{csv_rows, Cell, Problem, Sheet};
use calamine::{Data, DataType, Reader, Xlsx};
use std::io::Cursor;

/// The largest file accepted. A large council's whole Annex A workbook is a few megabytes.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

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
        return workbook(bytes);
    }
    // Old binary .xls and other files are not text.
    if bytes.contains(&0) {
        return Err(not_a_spreadsheet());
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

fn workbook(bytes: &[u8]) -> Result<Vec<Sheet>, Problem> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(|e| {
        tracing::info!(error = %e, "upload is not a readable workbook");
        Problem::file(
            "The file is not a readable Excel workbook (.xlsx). Save it again from Excel and retry",
        )
    })?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).map_err(|e| {
            tracing::info!(error = %e, "a sheet could not be read");
            Problem {
                sheet: Some(name.clone()),
                row: None,
                column: None,
                message: "This sheet could not be read".into(),
            }
        })?;
        // Row numbers as Excel shows them: pad above the first used row.
        let first_row = range.start().map(|(r, _)| r as usize).unwrap_or(0);
        let mut rows: Vec<Vec<Cell>> = vec![Vec::new(); first_row];
        rows.extend(range.rows().map(|r| r.iter().map(cell).collect()));
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
