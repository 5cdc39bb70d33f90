//! Writes small `.xlsx` workbooks for tests: text, numbers and real date cells.

use std::io::Write;
use zip::write::SimpleFileOptions;

#[derive(Debug, Clone)]
pub enum X {
    S(String),
    N(f64),
    /// A real date cell (Excel serial day, date number format).
    D(i32, u32, u32),
    E,
}

pub fn s(v: &str) -> X {
    if v.is_empty() {
        X::E
    } else {
        X::S(v.to_string())
    }
}

/// A row of text cells; empty strings are empty cells.
pub fn row(cells: &[&str]) -> Vec<X> {
    cells.iter().map(|c| s(c)).collect()
}

fn column(mut i: usize) -> String {
    let mut name = String::new();
    loop {
        name.insert(0, (b'A' + (i % 26) as u8) as char);
        if i < 26 {
            return name;
        }
        i = i / 26 - 1;
    }
}

fn escape(v: &str) -> String {
    v.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn serial(y: i32, m: u32, d: u32) -> i64 {
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap();
    (chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap() - base).num_days()
}

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

pub fn workbook(sheets: &[(&str, Vec<Vec<X>>)]) -> Vec<u8> {
    let sheets: Vec<(&str, String)> = sheets
        .iter()
        .map(|(name, rows)| {
            let data: String = rows
                .iter()
                .enumerate()
                .map(|(r, cells)| {
                    let cells: String = cells
                        .iter()
                        .enumerate()
                        .map(|(c, x)| {
                            let at = format!("{}{}", column(c), r + 1);
                            match x {
                                X::S(v) => format!(
                                    "<c r=\"{at}\" t=\"inlineStr\"><is><t>{}</t></is></c>",
                                    escape(v)
                                ),
                                X::N(n) => format!("<c r=\"{at}\"><v>{n}</v></c>"),
                                X::D(y, m, d) => {
                                    format!(
                                        "<c r=\"{at}\" s=\"1\"><v>{}</v></c>",
                                        serial(*y, *m, *d)
                                    )
                                }
                                X::E => String::new(),
                            }
                        })
                        .collect();
                    format!("<row r=\"{}\">{cells}</row>", r + 1)
                })
                .collect();
            (*name, data)
        })
        .collect();
    workbook_xml(&sheets, &[])
}

/// A workbook of these sheets, each given as its `<sheetData>` contents, and any extra
/// parts (for files a test crafts: a cell at the far corner, a zip bomb).
pub fn workbook_xml(sheets: &[(&str, String)], extra: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut put = |name: &str, body: String| {
        zip.start_file(name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    };
    let overrides: String = (1..=sheets.len())
        .map(|i| format!("<Override PartName=\"/xl/worksheets/sheet{i}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"))
        .collect();
    put("[Content_Types].xml", format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
         <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
         <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
         <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
         <Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>{overrides}</Types>"));
    put("_rels/.rels", format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
         <Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"));
    let sheet_list: String = sheets
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            format!(
                "<sheet name=\"{}\" sheetId=\"{}\" r:id=\"rId{}\"/>",
                escape(name),
                i + 1,
                i + 1
            )
        })
        .collect();
    put("xl/workbook.xml", format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><workbook xmlns=\"{MAIN}\" xmlns:r=\"{REL}\"><sheets>{sheet_list}</sheets></workbook>"));
    let rels: String = (1..=sheets.len())
        .map(|i| format!("<Relationship Id=\"rId{i}\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>"))
        .collect();
    put("xl/_rels/workbook.xml.rels", format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{rels}\
         <Relationship Id=\"rIdStyles\" Type=\"{REL}/styles\" Target=\"styles.xml\"/></Relationships>"));
    put("xl/styles.xml", format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><styleSheet xmlns=\"{MAIN}\">\
         <fonts count=\"1\"><font/></fonts><fills count=\"1\"><fill/></fills><borders count=\"1\"><border/></borders>\
         <cellStyleXfs count=\"1\"><xf/></cellStyleXfs>\
         <cellXfs count=\"2\"><xf numFmtId=\"0\"/><xf numFmtId=\"14\" applyNumberFormat=\"1\"/></cellXfs></styleSheet>"));
    for (i, (_, data)) in sheets.iter().enumerate() {
        put(&format!("xl/worksheets/sheet{}.xml", i + 1), format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><worksheet xmlns=\"{MAIN}\"><sheetData>{data}</sheetData></worksheet>"));
    }
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in extra {
        zip.start_file(*name, deflated).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}
