//! A mutational fuzzer over the upload readers: the Annex A workbook and CSV readers, the
//! directory readers and the staff file check. Stable Rust, no sanitizer runtime: each
//! input is read as an upload would be, and any panic fails the run with the input saved.
//!
//! It mutates bytes (flips, inserts, deletes, splices) and, for workbooks, the XML inside
//! the zip (cell references moved to the far corner, dimensions, huge shared-string
//! indexes, deep nesting), then re-zips. An input whose outcome (the problems' wording,
//! or the rows read) has not been seen is kept, so later rounds build on it; with
//! `FUZZ_SAVE=1` it is also written to `fuzz/corpus/`.
//!
//! `cargo test -p server --test fuzz_readers` runs each target for `FUZZ_SECONDS` (60 by
//! default; CI keeps that); `FUZZ_SEED` repeats a run.

use app::domain::annex_import::{read_single_list, read_workbook};
use app::domain::directory::{read_iros, read_teams};
use app::domain::staff_import::{check_staff_file, ExistingPerson};
use app::domain::{AnnexList, Role, RoleSet};
use app::server::upload::sheets;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn main() {
    let seconds: u64 = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    let save = std::env::var("FUZZ_SAVE").is_ok_and(|v| v == "1");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    // `FUZZ_REPLAY=<file>` reads one saved input with the panic shown.
    if let Ok(path) = std::env::var("FUZZ_REPLAY") {
        let bytes = std::fs::read(&path).expect("the input to replay");
        let name = Path::new(&path)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for target in [Target::Annex, Target::Staff] {
            println!("{target:?}: {:?}", outcome_of(target, &name, &bytes));
        }
        return;
    }
    // Panics are the findings: keep their messages out of the output until the end.
    std::panic::set_hook(Box::new(|_| {}));
    let mut failed = false;
    for target in [Target::Annex, Target::Staff] {
        let report = run(target, &root, Duration::from_secs(seconds), seed, save);
        println!(
            "fuzz {:?}: seed {seed}, {} inputs in {} s, corpus {} (+{} new outcomes), {} panics",
            target,
            report.runs,
            seconds,
            report.corpus,
            report.kept,
            report.panics.len()
        );
        for path in &report.panics {
            println!("  panic input saved to {}", path.display());
        }
        failed |= !report.panics.is_empty();
    }
    let _ = std::panic::take_hook();
    if failed {
        std::process::exit(1);
    }
}

#[derive(Debug, Clone, Copy)]
enum Target {
    Annex,
    Staff,
}

impl Target {
    fn dir(self) -> &'static str {
        match self {
            Target::Annex => "annex",
            Target::Staff => "staff",
        }
    }
}

struct Report {
    runs: u64,
    corpus: usize,
    kept: usize,
    panics: Vec<PathBuf>,
}

fn run(target: Target, root: &Path, budget: Duration, seed: u64, save: bool) -> Report {
    let dir = root.join("corpus").join(target.dir());
    let mut corpus: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    std::fs::read(e.path()).ok().map(|b| (name, b))
                })
                .collect()
        })
        .unwrap_or_default();
    corpus.sort();
    corpus.extend(seeds(target));
    let mut rng = StdRng::seed_from_u64(seed ^ target as u64);
    let mut seen: HashSet<String> = HashSet::new();
    for (name, bytes) in &corpus {
        if let Ok(outcome) = outcome_of(target, name, bytes) {
            seen.insert(outcome);
        }
    }
    let started = Instant::now();
    let (mut runs, mut kept, mut panics) = (0u64, 0usize, Vec::new());
    while started.elapsed() < budget {
        let (name, parent) = &corpus[rng.random_range(0..corpus.len())];
        let other = &corpus[rng.random_range(0..corpus.len())].1;
        let child = mutate(&mut rng, parent, other);
        runs += 1;
        match outcome_of(target, name, &child) {
            Ok(outcome) => {
                if seen.insert(outcome) && child.len() <= 2 * 1024 * 1024 && corpus.len() < 5_000 {
                    kept += 1;
                    if save {
                        let _ = std::fs::write(dir.join(format!("{runs:08}-{name}")), &child);
                    }
                    corpus.push((name.clone(), child));
                }
            }
            Err(()) => {
                let crashes = root.join("crashes");
                let _ = std::fs::create_dir_all(&crashes);
                let path = crashes.join(format!("{}-{seed}-{runs}-{name}", target.dir()));
                let _ = std::fs::write(&path, &child);
                panics.push(path);
                if panics.len() >= 5 {
                    break;
                }
            }
        }
    }
    Report {
        runs,
        corpus: corpus.len(),
        kept,
        panics,
    }
}

/// Reads an input as the upload would, returning a short description of what came out
/// (for novelty), or `Err` if anything panicked.
fn outcome_of(target: Target, name: &str, bytes: &[u8]) -> Result<String, ()> {
    std::panic::catch_unwind(|| {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        let read = match sheets(name, bytes) {
            Ok(s) => s,
            Err(problem) => return format!("file:{}", shape(&problem.message)),
        };
        let mut out = format!("sheets:{}", read.len().min(5));
        match target {
            Target::Annex => {
                out += &summary(read_workbook(&read, today).map(|u| u.cases.len()));
                if let Some(first) = read.first() {
                    for list in AnnexList::ALL {
                        out +=
                            &summary(read_single_list(list, first, today).map(|u| u.cases.len()));
                    }
                }
            }
            Target::Staff => {
                if let Some(first) = read.first() {
                    out += &summary(read_teams(first).map(|t| t.len()));
                    out += &summary(read_iros(first).map(|t| t.len()));
                    for full in [false, true] {
                        out += &summary(
                            check_staff_file(first, &teams(), &people(), full).map(|_| 1usize),
                        );
                    }
                }
            }
        }
        out
    })
    .map_err(|_| ())
}

fn summary(r: Result<usize, Vec<app::domain::annex_import::Problem>>) -> String {
    match r {
        Ok(n) => format!("|ok{}", n.min(3)),
        Err(problems) => {
            let mut kinds: Vec<String> =
                problems.iter().take(3).map(|p| shape(&p.message)).collect();
            kinds.sort();
            kinds.dedup();
            format!("|{}", kinds.join("+"))
        }
    }
}

/// A message's first few words, without numbers or quoted values, so "row 7" and
/// "row 8", or two unknown team names, are one outcome.
fn shape(text: &str) -> String {
    let mut quoted = false;
    let plain: String = text
        .chars()
        .filter(|c| {
            if *c == '"' || *c == '\u{201C}' || *c == '\u{201D}' {
                quoted = !quoted;
                return false;
            }
            !quoted && (c.is_ascii_alphabetic() || *c == ' ')
        })
        .collect();
    plain
        .split_whitespace()
        .take(5)
        .collect::<Vec<_>>()
        .join(" ")
}

fn teams() -> Vec<(i64, String)> {
    vec![
        (1, "Early Help North".into()),
        (2, "Children in Care".into()),
    ]
}

fn people() -> Vec<ExistingPerson> {
    vec![ExistingPerson {
        id: 1,
        name: "Sam Patel".into(),
        email: "sam.patel@anytown.example".into(),
        team_id: Some(1),
        roles: RoleSet::new([Role::KeyWorker]),
        active: true,
    }]
}

/// Hand-made starting points besides the corpus on disk: the shapes that once crashed
/// readers elsewhere.
fn seeds(target: Target) -> Vec<(String, Vec<u8>)> {
    let csv = match target {
        Target::Annex => "Child Unique ID,Gender,Date of birth,Allocated team,Allocated worker\nEH1,m,01/02/2015,Early Help North,Sam Patel\n",
        Target::Staff => "Name,Email,Team,Roles\nSam Patel,sam.patel@anytown.example,Early Help North,Key worker\n",
    };
    vec![
        ("seed.csv".into(), csv.as_bytes().to_vec()),
        ("quotes.csv".into(), b"\"a,\"\"b\"\"\",\"\n\"\r\n,,,\n".to_vec()),
        ("far-corner.xlsx".into(), workbook(&[(
            "List 6",
            "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>Child Unique ID</t></is></c></row>\
             <row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row>",
        )])),
        ("no-sheets.xlsx".into(), workbook(&[])),
    ]
}

const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// A minimal workbook of these sheets (name, `<sheetData>` contents).
fn workbook(sheets: &[(&str, &str)]) -> Vec<u8> {
    let mut parts: Vec<(String, Vec<u8>)> = vec![
        ("[Content_Types].xml".into(), format!("<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/></Types>").into_bytes()),
        ("_rels/.rels".into(), format!("<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>").into_bytes()),
    ];
    let list: String = sheets
        .iter()
        .enumerate()
        .map(|(i, (n, _))| {
            format!(
                "<sheet name=\"{n}\" sheetId=\"{}\" r:id=\"rId{}\"/>",
                i + 1,
                i + 1
            )
        })
        .collect();
    parts.push(("xl/workbook.xml".into(), format!("<?xml version=\"1.0\"?><workbook xmlns=\"{MAIN}\" xmlns:r=\"{REL}\"><sheets>{list}</sheets></workbook>").into_bytes()));
    let rels: String = (1..=sheets.len())
        .map(|i| format!("<Relationship Id=\"rId{i}\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet{i}.xml\"/>"))
        .collect();
    parts.push(("xl/_rels/workbook.xml.rels".into(), format!("<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">{rels}</Relationships>").into_bytes()));
    for (i, (_, data)) in sheets.iter().enumerate() {
        parts.push((format!("xl/worksheets/sheet{}.xml", i + 1), format!("<?xml version=\"1.0\"?><worksheet xmlns=\"{MAIN}\"><sheetData>{data}</sheetData></worksheet>").into_bytes()));
    }
    zip_parts(&parts)
}

fn zip_parts(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        if zip.start_file(name.as_str(), options).is_err() || zip.write_all(bytes).is_err() {
            return Vec::new();
        }
    }
    zip.finish().map(|c| c.into_inner()).unwrap_or_default()
}

fn unzip(bytes: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut parts = Vec::new();
    for i in 0..archive.len().min(64) {
        let mut file = archive.by_index(i).ok()?;
        let mut body = Vec::new();
        file.by_ref()
            .take(4 * 1024 * 1024)
            .read_to_end(&mut body)
            .ok()?;
        let name = file.name().map(|n| n.to_string()).ok()?;
        parts.push((name, body));
    }
    Some(parts)
}

/// XML fragments that stress a workbook reader.
const XML_BITS: &[&str] = &[
    "r=\"XFD1048576\"",
    "r=\"A1048577\"",
    "<dimension ref=\"A1:XFD1048576\"/>",
    "<c r=\"B2\" t=\"s\"><v>4294967295</v></c>",
    "<c r=\"C3\" t=\"n\"><v>1e308</v></c>",
    "<c r=\"D4\" s=\"1\"><v>-693594</v></c>",
    "<c r=\"E5\" t=\"inlineStr\"><is><t>\u{0}\u{FEFF}</t></is></c>",
    "<row r=\"0\">",
    "<sheet name=\"List 6\" sheetId=\"99\" r:id=\"rId99\"/>",
    "<![CDATA[",
    "&#0;",
    "<c r=\"AAAAAAAAAA1\"><v>1</v></c>",
];

/// CSV fragments that stress the text reader.
const CSV_BITS: &[&str] = &[
    "\"",
    "\"\"",
    ",",
    "\r\n",
    "\n",
    "\r",
    "\u{FEFF}",
    "\u{0}",
    "é",
    ",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,",
    "31/02/2020",
    "1900-01-00",
    "Child Unique ID",
    "Allocated Team",
    "Email",
    "Roles",
    "Team Manager",
    "=cmd|' /C calc'!A0",
];

fn mutate(rng: &mut StdRng, parent: &[u8], other: &[u8]) -> Vec<u8> {
    // Workbooks: most often mutate inside the zip, so the XML reader is reached.
    if parent.starts_with(b"PK\x03\x04") && rng.random_bool(0.8) {
        if let Some(mut parts) = unzip(parent) {
            if !parts.is_empty() {
                let rounds = rng.random_range(1..=3);
                for _ in 0..rounds {
                    let i = rng.random_range(0..parts.len());
                    let body = &mut parts[i].1;
                    if rng.random_bool(0.6) {
                        splice_text(rng, body, XML_BITS);
                    } else {
                        mutate_bytes(rng, body, other);
                    }
                }
                if rng.random_bool(0.05) {
                    parts.remove(rng.random_range(0..parts.len()));
                }
                return zip_parts(&parts);
            }
        }
    }
    let mut child = parent.to_vec();
    let rounds = rng.random_range(1..=4);
    for _ in 0..rounds {
        if !parent.starts_with(b"PK") && rng.random_bool(0.5) {
            splice_text(rng, &mut child, CSV_BITS);
        } else {
            mutate_bytes(rng, &mut child, other);
        }
    }
    child
}

fn splice_text(rng: &mut StdRng, body: &mut Vec<u8>, bits: &[&str]) {
    let bit = bits[rng.random_range(0..bits.len())].as_bytes();
    let at = rng.random_range(0..=body.len());
    if rng.random_bool(0.3) && body.len() > at {
        let end = (at + rng.random_range(1..64)).min(body.len());
        body.splice(at..end, bit.iter().copied());
    } else {
        let times = if rng.random_bool(0.1) {
            rng.random_range(1..200)
        } else {
            1
        };
        for _ in 0..times {
            body.splice(at..at, bit.iter().copied());
        }
    }
}

fn mutate_bytes(rng: &mut StdRng, body: &mut Vec<u8>, other: &[u8]) {
    match rng.random_range(0..6) {
        0 if !body.is_empty() => {
            let i = rng.random_range(0..body.len());
            body[i] ^= 1 << rng.random_range(0..8);
        }
        1 => {
            let at = rng.random_range(0..=body.len());
            let n = rng.random_range(1..32);
            let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
            body.splice(at..at, bytes);
        }
        2 if !body.is_empty() => {
            let at = rng.random_range(0..body.len());
            let end = (at + rng.random_range(1..256)).min(body.len());
            body.drain(at..end);
        }
        3 if !body.is_empty() => {
            let at = rng.random_range(0..body.len());
            let end = (at + rng.random_range(1..256)).min(body.len());
            let copy = body[at..end].to_vec();
            let to = rng.random_range(0..=body.len());
            body.splice(to..to, copy);
        }
        4 if !other.is_empty() => {
            let at = rng.random_range(0..other.len());
            let end = (at + rng.random_range(1..512)).min(other.len());
            let to = rng.random_range(0..=body.len());
            body.splice(to..to, other[at..end].iter().copied());
        }
        _ => {
            let len = body.len();
            body.truncate(rng.random_range(0..=len));
        }
    }
}
