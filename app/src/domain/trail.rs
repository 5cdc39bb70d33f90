//! The access log's words: which record a call touched, how the call ended, and the search
//! the QA Manager and the Administrator run over it. IDs only, never names or content.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A record the access log names by kind and ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Record {
    Case(i64),
    Audit(i64),
    Round(i64),
    Import(i64),
    Report(i64),
    Newsletter(i64),
    Difference(i64),
    Session(i64),
    Person(i64),
}

impl Record {
    pub fn kind(self) -> &'static str {
        match self {
            Record::Case(_) => "case",
            Record::Audit(_) => "audit",
            Record::Round(_) => "round",
            Record::Import(_) => "import",
            Record::Report(_) => "report",
            Record::Newsletter(_) => "newsletter",
            Record::Difference(_) => "difference",
            Record::Session(_) => "session",
            Record::Person(_) => "person",
        }
    }

    pub fn id(self) -> i64 {
        match self {
            Record::Case(id)
            | Record::Audit(id)
            | Record::Round(id)
            | Record::Import(id)
            | Record::Report(id)
            | Record::Newsletter(id)
            | Record::Difference(id)
            | Record::Session(id)
            | Record::Person(id) => id,
        }
    }

    pub fn from_parts(kind: &str, id: i64) -> Option<Record> {
        Some(match kind {
            "case" => Record::Case(id),
            "audit" => Record::Audit(id),
            "round" => Record::Round(id),
            "import" => Record::Import(id),
            "report" => Record::Report(id),
            "newsletter" => Record::Newsletter(id),
            "difference" => Record::Difference(id),
            "session" => Record::Session(id),
            "person" => Record::Person(id),
            _ => return None,
        })
    }

    /// How the log page names it: "Audit 12".
    pub fn label(self) -> String {
        let kind = match self {
            Record::Case(_) => "Case",
            Record::Audit(_) => "Audit",
            Record::Round(_) => "Round",
            Record::Import(_) => "Import",
            Record::Report(_) => "Report",
            Record::Newsletter(_) => "Newsletter",
            Record::Difference(_) => "Make A Difference summary",
            Record::Session(_) => "Session",
            Record::Person(_) => "Person",
        };
        format!("{kind} {}", self.id())
    }
}

/// How a logged call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    /// Read or changed as asked.
    Done,
    /// Refused: no need to know, the wrong role, or no such record.
    Refused,
    /// Not done: the form had problems, or the server failed.
    Failed,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Done => "ok",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }

    pub fn from_code(code: &str) -> Option<Outcome> {
        Some(match code {
            "ok" => Outcome::Done,
            "refused" => Outcome::Refused,
            "failed" => Outcome::Failed,
            _ => return None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Outcome::Done => "Done",
            Outcome::Refused => "Refused",
            Outcome::Failed => "Not done",
        }
    }
}

/// One call can touch many records (a list of cases); beyond this many, the row says only
/// how many, so a long list cannot swamp the log.
pub const RECORDS_PER_CALL: usize = 100;

/// The most rows one search page shows, and one CSV export holds.
pub const SEARCH_PAGE: i64 = 100;
pub const EXPORT_LIMIT: i64 = 50_000;

/// The longest span one search covers: a year, so a search stays quick.
pub const LONGEST_SEARCH_DAYS: i64 = 366;

/// An access-log search, parsed from the form: everything optional but the dates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrailSearch {
    pub person_id: Option<i64>,
    pub record: Option<Record>,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// What was wrong with a search, field by field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchProblem {
    pub field: &'static str,
    pub message: &'static str,
}

impl TrailSearch {
    /// Parses the form's text. Dates are `YYYY-MM-DD`; a missing `from` is 30 days before
    /// `to`, and a missing `to` is `today`.
    pub fn parse(
        person: &str,
        case: &str,
        audit: &str,
        from: &str,
        to: &str,
        today: NaiveDate,
    ) -> Result<TrailSearch, Vec<SearchProblem>> {
        let mut problems = Vec::new();
        let id = |text: &str, field: &'static str, problems: &mut Vec<SearchProblem>| {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            match text.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    problems.push(SearchProblem {
                        field,
                        message: "Enter a number, such as 12, or leave it blank",
                    });
                    None
                }
            }
        };
        let person_id = id(person, "person", &mut problems);
        let case_id = id(case, "case", &mut problems);
        let audit_id = id(audit, "audit", &mut problems);
        if case_id.is_some() && audit_id.is_some() {
            problems.push(SearchProblem {
                field: "audit",
                message: "Search for a case or an audit, not both",
            });
        }
        let date = |text: &str, field: &'static str, problems: &mut Vec<SearchProblem>| {
            let text = text.trim();
            if text.is_empty() {
                return None;
            }
            match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
                Ok(d) => Some(d),
                Err(_) => {
                    problems.push(SearchProblem {
                        field,
                        message: "Enter a real date",
                    });
                    None
                }
            }
        };
        let to_date = date(to, "to", &mut problems).unwrap_or(today);
        let from_date = date(from, "from", &mut problems)
            .unwrap_or_else(|| to_date - chrono::Duration::days(30));
        if from_date > to_date {
            problems.push(SearchProblem {
                field: "from",
                message: "The start date must be on or before the end date",
            });
        } else if (to_date - from_date).num_days() > LONGEST_SEARCH_DAYS {
            problems.push(SearchProblem {
                field: "from",
                message: "Search at most a year at a time",
            });
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(TrailSearch {
            person_id,
            record: case_id
                .map(Record::Case)
                .or_else(|| audit_id.map(Record::Audit)),
            from: from_date,
            to: to_date,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 5).unwrap()
    }

    #[test]
    fn records_round_trip_through_their_parts() {
        for r in [
            Record::Case(1),
            Record::Audit(2),
            Record::Round(3),
            Record::Import(4),
            Record::Report(5),
            Record::Newsletter(6),
            Record::Difference(7),
            Record::Session(8),
            Record::Person(9),
        ] {
            assert_eq!(Record::from_parts(r.kind(), r.id()), Some(r));
        }
        assert_eq!(Record::from_parts("child", 1), None);
        assert_eq!(Record::Audit(12).label(), "Audit 12");
    }

    #[test]
    fn outcomes_round_trip() {
        for o in [Outcome::Done, Outcome::Refused, Outcome::Failed] {
            assert_eq!(Outcome::from_code(o.code()), Some(o));
        }
        assert_eq!(Outcome::from_code("maybe"), None);
    }

    #[test]
    fn an_empty_search_is_the_last_thirty_days() {
        let s = TrailSearch::parse("", "", "", "", "", today()).unwrap();
        assert_eq!(s.person_id, None);
        assert_eq!(s.record, None);
        assert_eq!(s.to, today());
        assert_eq!(s.from, NaiveDate::from_ymd_opt(2026, 11, 5).unwrap());
    }

    #[test]
    fn a_full_search_parses() {
        let s = TrailSearch::parse(" 7 ", "", "12", "2026-01-01", "2026-12-31", today()).unwrap();
        assert_eq!(s.person_id, Some(7));
        assert_eq!(s.record, Some(Record::Audit(12)));
    }

    #[test]
    fn bad_input_is_named_field_by_field() {
        let problems =
            TrailSearch::parse("Jo", "-1", "", "2026-13-01", "yesterday", today()).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["person", "case", "to", "from"]);
        let both = TrailSearch::parse("", "1", "2", "", "", today()).unwrap_err();
        assert_eq!(both[0].field, "audit");
    }

    #[test]
    fn dates_must_be_in_order_and_within_a_year() {
        let backwards = TrailSearch::parse("", "", "", "2026-12-05", "2026-12-04", today());
        assert_eq!(backwards.unwrap_err()[0].field, "from");
        let a_year = TrailSearch::parse("", "", "", "2025-12-04", "2026-12-05", today());
        assert!(a_year.is_ok());
        let too_long = TrailSearch::parse("", "", "", "2024-12-04", "2026-12-05", today());
        assert_eq!(
            too_long.unwrap_err()[0].message,
            "Search at most a year at a time"
        );
    }
}
