//! Reading the council's Annex A lists: sheets and rows in, typed rows or every problem out.
//! No I/O: the server turns an `.xlsx` or `.csv` upload into [`Sheet`]s first.

use super::annex::{AnnexList, Subject};
use super::ids::ChildUniqueId;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A spreadsheet cell, as far as the import cares.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl Cell {
    fn text(&self) -> Option<String> {
        match self {
            Cell::Empty => None,
            Cell::Text(t) => Some(t.trim().to_string()).filter(|t| !t.is_empty()),
            // IDs typed into Excel often become numbers: 12345.0 is "12345".
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(format!("{}", *n as i64)),
            Cell::Number(n) => Some(n.to_string()),
            Cell::Date(d) => Some(d.format("%d/%m/%Y").to_string()),
        }
    }
}

/// One sheet of the upload. Row 0 is the sheet's first row.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<Cell>>,
}

/// Something wrong with the upload, located as precisely as possible. Rows are numbered as
/// the spreadsheet shows them (from 1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    pub sheet: Option<String>,
    pub row: Option<usize>,
    pub column: Option<String>,
    pub message: String,
}

impl Problem {
    pub fn file(message: impl Into<String>) -> Problem {
        Problem {
            sheet: None,
            row: None,
            column: None,
            message: message.into(),
        }
    }
}

/// A case on one list, as the upload has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedCase {
    pub list: AnnexList,
    pub child_unique_id: String,
    pub subject: Subject,
    /// `None` where the list carries no allocation (List 2 without those columns).
    pub team: Option<String>,
    pub worker: Option<String>,
    pub sheet: String,
    pub row: usize,
}

/// What a valid upload holds: which lists it covers (their membership is replaced) and
/// the cases on them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnexUpload {
    pub lists: Vec<AnnexList>,
    pub cases: Vec<ListedCase>,
}

impl AnnexUpload {
    /// Rows that name a team but no worker: imported, but the case cannot be drawn until it
    /// has a key worker (nobody could take its audit through). Warnings, never refusals.
    pub fn unallocated_warnings(&self) -> Vec<Problem> {
        self.cases
            .iter()
            .filter(|c| c.team.is_some() && c.worker.is_none())
            .map(|c| Problem {
                sheet: Some(c.sheet.clone()),
                row: Some(c.row),
                column: Some("Allocated Worker".into()),
                message: format!(
                    "{} has no allocated worker: it is imported, but is not drawn for audit until it has a key worker",
                    c.child_unique_id
                ),
            })
            .collect()
    }
}

/// Headers are matched ignoring case, spaces and punctuation.
pub fn header_key(raw: &str) -> String {
    raw.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    ChildUniqueId,
    DateOfBirth,
    Team,
    Worker,
    PersonalAdvisor,
}

impl Column {
    fn title(self) -> &'static str {
        match self {
            Column::ChildUniqueId => "Child Unique ID",
            Column::DateOfBirth => "Date of Birth",
            Column::Team => "Allocated Team",
            Column::Worker => "Allocated Worker",
            Column::PersonalAdvisor => "Allocated Personal Advisor",
        }
    }

    fn keys(self) -> &'static [&'static str] {
        match self {
            Column::ChildUniqueId => &["childuniqueid", "childuniqueidentifier", "uniquechildid"],
            Column::DateOfBirth => &["dateofbirth", "dob", "childdateofbirth"],
            Column::Team => &["allocatedteam", "team"],
            Column::Worker => &["allocatedworker", "allocatedsocialworker", "worker"],
            Column::PersonalAdvisor => &["allocatedpersonaladvisor", "personaladvisor"],
        }
    }

    /// The columns every list must have; Gender, Ethnicity and Age are not needed by the
    /// process. The allocation columns are optional (Ofsted's List 2 has none), but come
    /// as a pair: see [`read_list`].
    fn required() -> &'static [Column] {
        &[Column::ChildUniqueId, Column::DateOfBirth]
    }
}

/// Which audited list a sheet name is: "List 7", "list7", "LIST 7 - Child protection".
pub fn sheet_list(name: &str) -> Option<AnnexList> {
    let key = header_key(name);
    let rest = key.strip_prefix("list")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    AnnexList::from_number(digits.parse().ok()?)
}

/// Who a case is about: early-help cases are families, List 9 care-experienced young
/// adults; on the other lists, 13 and over is a young person.
pub fn subject_for(list: AnnexList, date_of_birth: NaiveDate, today: NaiveDate) -> Subject {
    match list {
        AnnexList::EarlyHelp => Subject::Family,
        AnnexList::LeavingCare => Subject::CareExperiencedYoungAdult,
        _ => {
            let mut age = today.year() - date_of_birth.year();
            if (today.month(), today.day()) < (date_of_birth.month(), date_of_birth.day()) {
                age -= 1;
            }
            if age >= 13 {
                Subject::YoungPerson
            } else {
                Subject::Child
            }
        }
    }
}

/// A date as `dd/mm/yyyy` (or `d/m/yyyy`, or `yyyy-mm-dd`) text, or a real date cell.
fn parse_date(cell: &Cell) -> Result<Option<NaiveDate>, String> {
    match cell {
        Cell::Empty => Ok(None),
        Cell::Date(d) => Ok(Some(*d)),
        Cell::Number(n) => {
            // A date cell that lost its format: an Excel serial day number.
            let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("valid");
            if (1.0..200_000.0).contains(n) {
                Ok(base.checked_add_days(chrono::Days::new(*n as u64)))
            } else {
                Err("is not a date; use dd/mm/yyyy".into())
            }
        }
        Cell::Text(t) => {
            let t = t.trim();
            if t.is_empty() {
                return Ok(None);
            }
            NaiveDate::parse_from_str(t, "%d/%m/%Y")
                .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
                .map(Some)
                .map_err(|_| {
                    // The cell is not quoted back: problems are kept, dates of birth are not.
                    "is not a date; use dd/mm/yyyy, for example 07/03/2015".to_string()
                })
        }
    }
}

/// Reads one list's sheet. `today` is the import date (for ages and future dates).
pub fn read_list(
    list: AnnexList,
    sheet: &Sheet,
    today: NaiveDate,
) -> Result<Vec<ListedCase>, Vec<Problem>> {
    let problem = |row: Option<usize>, column: Option<Column>, message: String| Problem {
        sheet: Some(sheet.name.clone()),
        row,
        column: column.map(|c| c.title().to_string()),
        message,
    };
    // Real files often have a title above the headers: look in the first ten rows.
    let Some(header_row) = sheet.rows.iter().take(10).position(|r| {
        r.iter().filter_map(Cell::text).any(|t| {
            Column::ChildUniqueId
                .keys()
                .contains(&header_key(&t).as_str())
        })
    }) else {
        return Err(vec![problem(
            None,
            Some(Column::ChildUniqueId),
            "No header row with a \"Child Unique ID\" column in the first 10 rows".into(),
        )]);
    };
    let mut at: HashMap<Column, usize> = HashMap::new();
    for (i, cell) in sheet.rows[header_row].iter().enumerate() {
        let Some(text) = cell.text() else { continue };
        let key = header_key(&text);
        for column in [
            Column::ChildUniqueId,
            Column::DateOfBirth,
            Column::Team,
            Column::Worker,
            Column::PersonalAdvisor,
        ] {
            if column.keys().contains(&key.as_str()) {
                at.entry(column).or_insert(i);
            }
        }
    }
    // A list without allocation columns (List 2 as Ofsted lays it out) imports its cases
    // with the lead practitioner unknown. One with only half of the pair is a mistake: a
    // blank worker would read as "unallocated" for every case.
    let has_team = at.contains_key(&Column::Team);
    let has_worker = at.contains_key(&Column::Worker) || at.contains_key(&Column::PersonalAdvisor);
    let half_pair = match (has_team, has_worker) {
        (true, false) => Some(Column::Worker),
        (false, true) => Some(Column::Team),
        _ => None,
    };
    let missing: Vec<Problem> = Column::required()
        .iter()
        .chain(half_pair.as_ref())
        .filter(|c| !at.contains_key(c))
        .map(|c| {
            problem(
                Some(header_row + 1),
                Some(*c),
                format!("The \"{}\" column is missing", c.title()),
            )
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let get = |row: &[Cell], column: Column| -> Cell {
        at.get(&column)
            .and_then(|i| row.get(*i))
            .cloned()
            .unwrap_or(Cell::Empty)
    };
    let mut problems = Vec::new();
    let mut cases = Vec::new();
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (i, row) in sheet.rows.iter().enumerate().skip(header_row + 1) {
        let number = i + 1;
        if row.iter().all(|c| c.text().is_none()) {
            continue;
        }
        let id = match get(row, Column::ChildUniqueId).text() {
            None => {
                problems.push(problem(
                    Some(number),
                    Some(Column::ChildUniqueId),
                    "Child Unique ID is missing".into(),
                ));
                None
            }
            // The cell is not quoted back: it may hold something other than an ID.
            Some(raw) => match ChildUniqueId::parse(&raw) {
                Ok(id) => Some(id.as_str().to_string()),
                Err(e) => {
                    problems.push(problem(
                        Some(number),
                        Some(Column::ChildUniqueId),
                        format!("Child Unique ID is not valid: {e}"),
                    ));
                    None
                }
            },
        };
        if let Some(id) = &id {
            if let Some(first) = first_seen.insert(id.clone(), number) {
                first_seen.insert(id.clone(), first);
                problems.push(problem(
                    Some(number),
                    Some(Column::ChildUniqueId),
                    format!("Child Unique ID {id} is also on row {first} of this list"),
                ));
            }
        }
        let dob = match parse_date(&get(row, Column::DateOfBirth)) {
            Ok(Some(d)) if d > today => {
                problems.push(problem(
                    Some(number),
                    Some(Column::DateOfBirth),
                    "Date of Birth is in the future".to_string(),
                ));
                None
            }
            Ok(Some(d)) => Some(d),
            Ok(None) => {
                problems.push(problem(
                    Some(number),
                    Some(Column::DateOfBirth),
                    "Date of Birth is missing".into(),
                ));
                None
            }
            Err(e) => {
                problems.push(problem(
                    Some(number),
                    Some(Column::DateOfBirth),
                    format!("Date of Birth {e}"),
                ));
                None
            }
        };
        let team = get(row, Column::Team).text();
        let has_allocation = at.contains_key(&Column::Team);
        if has_allocation && team.is_none() {
            problems.push(problem(
                Some(number),
                Some(Column::Team),
                "Allocated Team is missing".into(),
            ));
        }
        // A care leaver's personal advisor is their key worker when no worker is named.
        let worker = get(row, Column::Worker)
            .text()
            .or_else(|| get(row, Column::PersonalAdvisor).text());
        if let (Some(id), Some(dob)) = (id, dob) {
            cases.push(ListedCase {
                list,
                child_unique_id: id,
                subject: subject_for(list, dob, today),
                team,
                worker,
                sheet: sheet.name.clone(),
                row: number,
            });
        }
    }
    if problems.is_empty() {
        Ok(cases)
    } else {
        Err(problems)
    }
}

/// Reads a whole Annex A workbook: every audited list must have its sheet; other lists'
/// sheets are ignored.
pub fn read_workbook(sheets: &[Sheet], today: NaiveDate) -> Result<AnnexUpload, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut cases = Vec::new();
    for list in AnnexList::ALL {
        match sheets.iter().find(|s| sheet_list(&s.name) == Some(list)) {
            None => problems.push(Problem {
                sheet: Some(format!("List {}", list.number())),
                row: None,
                column: None,
                message: format!("The workbook has no sheet for {}", list.title()),
            }),
            Some(sheet) => match read_list(list, sheet, today) {
                Ok(mut c) => cases.append(&mut c),
                Err(mut p) => problems.append(&mut p),
            },
        }
    }
    if problems.is_empty() && cases.is_empty() {
        problems.push(Problem::file(
            "The workbook has no cases on any audited list",
        ));
    }
    if problems.is_empty() {
        Ok(AnnexUpload {
            lists: AnnexList::ALL.to_vec(),
            cases,
        })
    } else {
        Err(problems)
    }
}

/// Reads one list uploaded on its own (a CSV).
pub fn read_single_list(
    list: AnnexList,
    sheet: &Sheet,
    today: NaiveDate,
) -> Result<AnnexUpload, Vec<Problem>> {
    let cases = read_list(list, sheet, today)?;
    if cases.is_empty() {
        return Err(vec![Problem::file(format!(
            "The file has no cases for {}",
            list.title()
        ))]);
    }
    Ok(AnnexUpload {
        lists: vec![list],
        cases,
    })
}

/// Splits CSV text into rows of text cells (RFC 4180: quoted fields, doubled quotes, and
/// line breaks inside quotes). A byte-order mark is ignored.
pub fn csv_rows(text: &str) -> Vec<Vec<Cell>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let cell = |f: &mut String| {
        let t = std::mem::take(f);
        if t.trim().is_empty() {
            Cell::Empty
        } else {
            Cell::Text(t)
        }
    };
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (false, ',') => row.push(cell(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(cell(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(cell(&mut field));
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
    }

    fn t(s: &str) -> Cell {
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s.into())
        }
    }

    fn sheet(name: &str, rows: &[&[&str]]) -> Sheet {
        Sheet {
            name: name.into(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|c| t(c)).collect())
                .collect(),
        }
    }

    const HEAD: &[&str] = &[
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Allocated Team",
        "Allocated Worker",
    ];

    #[test]
    fn headers_match_ignoring_case_spaces_and_punctuation() {
        assert_eq!(header_key("  Child  unique ID "), "childuniqueid");
        assert_eq!(header_key("DATE OF BIRTH"), "dateofbirth");
        assert_eq!(header_key("Age of Child (Years)"), "ageofchildyears");
        let s = sheet(
            "list 7",
            &[
                &["Annex A List 7: children subject to a child protection plan"],
                &[],
                &[
                    "CHILD UNIQUE ID",
                    "date of birth",
                    "allocated  team",
                    "Allocated_Worker",
                ],
                &["C1", "01/02/2015", "Team A", "Ann Worker"],
            ],
        );
        let cases = read_list(AnnexList::ChildProtection, &s, today()).unwrap();
        assert_eq!(cases.len(), 1);
        assert_eq!(cases[0].row, 4);
        assert_eq!(cases[0].team.as_deref(), Some("Team A"));
        assert_eq!(cases[0].worker.as_deref(), Some("Ann Worker"));
        assert_eq!(cases[0].subject, Subject::Child);
    }

    #[test]
    fn sheet_names_are_matched_to_lists() {
        assert_eq!(sheet_list("List 7"), Some(AnnexList::ChildProtection));
        assert_eq!(
            sheet_list("LIST 9 - Care leavers"),
            Some(AnnexList::LeavingCare)
        );
        assert_eq!(sheet_list("list2"), Some(AnnexList::EarlyHelp));
        assert_eq!(sheet_list("List 1"), None);
        assert_eq!(sheet_list("List 10"), None);
        assert_eq!(sheet_list("Summary"), None);
    }

    #[test]
    fn dates_come_as_text_or_date_cells() {
        let d = NaiveDate::from_ymd_opt(2015, 3, 7).unwrap();
        assert_eq!(parse_date(&t("07/03/2015")), Ok(Some(d)));
        assert_eq!(parse_date(&t("7/3/2015")), Ok(Some(d)));
        assert_eq!(parse_date(&t("2015-03-07")), Ok(Some(d)));
        assert_eq!(parse_date(&Cell::Date(d)), Ok(Some(d)));
        // 42070 is 7 March 2015 in Excel's day numbering.
        assert_eq!(parse_date(&Cell::Number(42070.0)), Ok(Some(d)));
        assert_eq!(parse_date(&Cell::Empty), Ok(None));
        assert!(parse_date(&t("31/02/2015")).is_err());
        assert!(parse_date(&t("March 2015")).is_err());
        assert!(parse_date(&t("03/07/15x")).is_err());
    }

    #[test]
    fn every_bad_row_is_reported_with_row_and_column() {
        let s = sheet(
            "List 6",
            &[
                HEAD,
                &["C1", "F", "", "01/01/2016", "10", "Team A", "W"],
                &["", "F", "", "01/01/2016", "10", "Team A", "W"],
                &["C2", "M", "", "31/02/2016", "10", "Team A", "W"],
                &["C1", "M", "", "01/01/2016", "10", "Team A", "W"],
                &["C3", "M", "", "01/01/2016", "10", "", "W"],
                &["C 4", "M", "", "", "10", "Team A", ""],
                &["C5", "M", "", "01/01/2030", "", "Team A", ""],
            ],
        );
        let problems = read_list(AnnexList::ChildrenInNeed, &s, today()).unwrap_err();
        let found: Vec<(usize, &str)> = problems
            .iter()
            .map(|p| (p.row.unwrap(), p.column.as_deref().unwrap()))
            .collect();
        assert_eq!(
            found,
            vec![
                (3, "Child Unique ID"),
                (4, "Date of Birth"),
                (5, "Child Unique ID"),
                (6, "Allocated Team"),
                (7, "Child Unique ID"),
                (7, "Date of Birth"),
                (8, "Date of Birth"),
            ]
        );
        assert_eq!(
            problems[2].message,
            "Child Unique ID C1 is also on row 2 of this list"
        );
        assert!(problems
            .iter()
            .all(|p| p.sheet.as_deref() == Some("List 6")));
    }

    #[test]
    fn missing_headers_and_sheets_are_reported() {
        let s = sheet(
            "List 8",
            &[
                &["Child Unique ID", "Date of Birth", "Allocated Team"],
                &["C1", "01/01/2016", "Team A"],
            ],
        );
        let problems = read_list(AnnexList::ChildrenInCare, &s, today()).unwrap_err();
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(messages, vec!["The \"Allocated Worker\" column is missing"]);
        let s = sheet(
            "List 8",
            &[
                &["Child Unique ID", "Date of Birth", "Allocated Worker"],
                &["C1", "01/01/2016", "Ann Worker"],
            ],
        );
        let problems = read_list(AnnexList::ChildrenInCare, &s, today()).unwrap_err();
        assert_eq!(
            problems[0].message,
            "The \"Allocated Team\" column is missing"
        );
        // Neither allocation column: read, with the lead practitioner unknown.
        let s = sheet(
            "List 8",
            &[&["Child Unique ID", "Date of Birth"], &["C1", "01/01/2016"]],
        );
        let cases = read_list(AnnexList::ChildrenInCare, &s, today()).unwrap();
        assert_eq!(
            (cases[0].team.as_deref(), cases[0].worker.as_deref()),
            (None, None)
        );
        let leaver = sheet(
            "List 9",
            &[
                &[
                    "Child Unique ID",
                    "Date of Birth",
                    "Allocated Team",
                    "Allocated Personal Advisor",
                ],
                &["C2", "01/01/2005", "Team A", "Pat Adviser"],
            ],
        );
        let cases = read_list(AnnexList::LeavingCare, &leaver, today()).unwrap();
        assert_eq!(cases[0].worker.as_deref(), Some("Pat Adviser"));
        let no_header = sheet("List 8", &[&["Name", "Team"]]);
        assert_eq!(
            read_list(AnnexList::ChildrenInCare, &no_header, today())
                .unwrap_err()
                .len(),
            1
        );

        let only_two = [sheet(
            "List 2",
            &[&["Child Unique ID", "Date of Birth"], &["F1", "01/01/2016"]],
        )];
        let problems = read_workbook(&only_two, today()).unwrap_err();
        assert_eq!(problems.len(), 4);
        assert_eq!(
            problems[0].message,
            "The workbook has no sheet for List 6: Children in need"
        );
    }

    #[test]
    fn a_whole_workbook_reads_every_audited_list_and_ignores_the_others() {
        let mut sheets = vec![sheet("List 1", &[&["Anything"]])];
        sheets.push(sheet(
            "List 2",
            &[&["Child Unique ID", "Date of Birth"], &["F1", "01/01/2016"]],
        ));
        for n in [6, 7, 8] {
            sheets.push(sheet(
                &format!("List {n}"),
                &[HEAD, &["C1", "", "", "01/01/2010", "", "Team A", "W"]],
            ));
        }
        sheets.push(sheet(
            "List 9",
            &[
                &[
                    "Child Unique ID",
                    "Date of Birth",
                    "Allocated Team",
                    "Allocated Worker",
                    "Allocated Personal Advisor",
                ],
                &["L1", "01/01/2006", "Leaving Care", "", "Pat Advisor"],
            ],
        ));
        let upload = read_workbook(&sheets, today()).unwrap();
        assert_eq!(upload.lists, AnnexList::ALL.to_vec());
        assert_eq!(upload.cases.len(), 5);
        assert_eq!(upload.cases[0].subject, Subject::Family);
        assert_eq!(upload.cases[0].team, None);
        assert_eq!(upload.cases[1].subject, Subject::YoungPerson);
        let leaver = upload.cases.last().unwrap();
        assert_eq!(leaver.subject, Subject::CareExperiencedYoungAdult);
        assert_eq!(leaver.worker.as_deref(), Some("Pat Advisor"));

        let empty: Vec<Sheet> = AnnexList::ALL
            .iter()
            .map(|l| sheet(&format!("List {}", l.number()), &[HEAD]))
            .collect();
        assert_eq!(
            read_workbook(&empty, today()).unwrap_err()[0].message,
            "The workbook has no cases on any audited list"
        );
    }

    #[test]
    fn ages_make_children_or_young_people() {
        let list = AnnexList::ChildrenInNeed;
        let on = |y, m, d| subject_for(list, NaiveDate::from_ymd_opt(y, m, d).unwrap(), today());
        assert_eq!(on(2013, 11, 30), Subject::YoungPerson);
        assert_eq!(on(2013, 12, 1), Subject::Child);
    }

    #[test]
    fn csv_handles_quotes_commas_and_line_breaks() {
        let rows = csv_rows("\u{feff}a,\"b, c\",\"say \"\"hi\"\"\"\r\n1,,\"x\ny\"\n");
        assert_eq!(
            rows,
            vec![
                vec![t("a"), t("b, c"), t("say \"hi\"")],
                vec![t("1"), Cell::Empty, t("x\ny")],
            ]
        );
        assert_eq!(csv_rows("").len(), 0);
        assert_eq!(csv_rows("a,b").len(), 1);
    }
}
