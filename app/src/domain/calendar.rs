//! Working days: weekends, England and Wales bank holidays and council closure days are not.
//! An audit round is due on the last working day of its month.

use chrono::{Datelike, Months, NaiveDate, Weekday};
use serde::Deserialize;
use std::collections::BTreeSet;

/// England and Wales bank holidays shipped with the app (from gov.uk's list), 2025 to 2028.
/// Newer years are loaded by the Administrator from gov.uk's `bank-holidays.json`.
pub const SHIPPED_BANK_HOLIDAYS: [&str; 32] = [
    "2025-01-01",
    "2025-04-18",
    "2025-04-21",
    "2025-05-05",
    "2025-05-26",
    "2025-08-25",
    "2025-12-25",
    "2025-12-26",
    "2026-01-01",
    "2026-04-03",
    "2026-04-06",
    "2026-05-04",
    "2026-05-25",
    "2026-08-31",
    "2026-12-25",
    "2026-12-28",
    "2027-01-01",
    "2027-03-26",
    "2027-03-29",
    "2027-05-03",
    "2027-05-31",
    "2027-08-30",
    "2027-12-27",
    "2027-12-28",
    "2028-01-03",
    "2028-04-14",
    "2028-04-17",
    "2028-05-01",
    "2028-05-29",
    "2028-08-28",
    "2028-12-25",
    "2028-12-26",
];

/// An audit month: the calendar month whose audits are due at its end.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct AuditMonth {
    year: i32,
    month: u32,
}

impl AuditMonth {
    pub fn new(year: i32, month: u32) -> Option<AuditMonth> {
        NaiveDate::from_ymd_opt(year, month, 1).map(|_| AuditMonth { year, month })
    }

    /// Parses `YYYY-MM`, as an `<input type="month">` sends it.
    pub fn parse(raw: &str) -> Option<AuditMonth> {
        let (y, m) = raw.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        AuditMonth::new(y.parse().ok()?, m.parse().ok()?)
    }

    pub fn of(date: NaiveDate) -> AuditMonth {
        AuditMonth {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("validated on construction")
    }

    pub fn last_day(self) -> NaiveDate {
        self.next()
            .first_day()
            .pred_opt()
            .expect("not the first day of time")
    }

    pub fn next(self) -> AuditMonth {
        AuditMonth::of(self.first_day() + Months::new(1))
    }

    /// "August 2026".
    pub fn label(self) -> String {
        self.first_day().format("%B %Y").to_string()
    }
}

impl std::fmt::Display for AuditMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The date in Europe/London at a UTC instant: British Summer Time (UTC+1) runs from 01:00
/// UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October. Deadlines
/// are London dates, so an audit completed at 23:30 UTC on a summer evening counts for
/// the next day.
pub fn london_date(at: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    london_time(at).date()
}

/// The UTC instant at which a London date begins (23:00 UTC the day before in summer).
pub fn london_midnight(date: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    let utc_midnight = date
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc();
    let summer = utc_midnight - chrono::Duration::hours(1);
    if london_date(summer) == date {
        summer
    } else {
        utc_midnight
    }
}

/// The Europe/London wall-clock time at a UTC instant (see [`london_date`]).
pub fn london_time(at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
    let year = at.year();
    let last_sunday = |month: u32| {
        let last = AuditMonth::new(year, month)
            .expect("March and October exist")
            .last_day();
        let back = last.weekday().num_days_from_sunday();
        last - chrono::Duration::days(i64::from(back))
    };
    let change = |day: NaiveDate| day.and_hms_opt(1, 0, 0).expect("01:00 exists").and_utc();
    let summer = at >= change(last_sunday(3)) && at < change(last_sunday(10));
    let offset = if summer { 1 } else { 0 };
    (at + chrono::Duration::hours(offset)).naive_utc()
}

/// The days that are not working days besides weekends.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    closed: BTreeSet<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("The file is not in gov.uk's bank-holidays.json format: {0}")]
    Format(String),
    #[error("The file has no England and Wales bank holidays")]
    NoEnglandAndWales,
    #[error("\"{0}\" is not a date in the form YYYY-MM-DD")]
    BadDate(String),
}

#[derive(Deserialize)]
struct GovUkFile {
    #[serde(rename = "england-and-wales")]
    england_and_wales: Option<GovUkDivision>,
}

#[derive(Deserialize)]
struct GovUkDivision {
    events: Vec<GovUkEvent>,
}

#[derive(Deserialize)]
struct GovUkEvent {
    date: String,
}

/// Reads the England and Wales dates from gov.uk's `bank-holidays.json`.
pub fn parse_gov_uk_bank_holidays(json: &str) -> Result<Vec<NaiveDate>, CalendarError> {
    let file: GovUkFile =
        serde_json::from_str(json).map_err(|e| CalendarError::Format(e.to_string()))?;
    let division = file
        .england_and_wales
        .ok_or(CalendarError::NoEnglandAndWales)?;
    let mut dates = division
        .events
        .iter()
        .map(|e| {
            NaiveDate::parse_from_str(&e.date, "%Y-%m-%d")
                .map_err(|_| CalendarError::BadDate(e.date.clone()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if dates.is_empty() {
        return Err(CalendarError::NoEnglandAndWales);
    }
    dates.sort();
    dates.dedup();
    Ok(dates)
}

impl WorkingCalendar {
    /// Bank holidays plus council closure days.
    pub fn new(closed: impl IntoIterator<Item = NaiveDate>) -> WorkingCalendar {
        WorkingCalendar {
            closed: closed.into_iter().collect(),
        }
    }

    /// The shipped England and Wales bank holidays, 2025 to 2028.
    pub fn shipped() -> WorkingCalendar {
        WorkingCalendar::new(
            SHIPPED_BANK_HOLIDAYS.iter().map(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("shipped dates are valid")
            }),
        )
    }

    pub fn closed_days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.closed.iter().copied()
    }

    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && !self.closed.contains(&date)
    }

    /// The last working day of the month: when its audits are due. `None` only for a month
    /// with no working day at all (every weekday closed).
    pub fn last_working_day(&self, month: AuditMonth) -> Option<NaiveDate> {
        month
            .last_day()
            .iter_days()
            .rev()
            .take_while(|d| AuditMonth::of(*d) == month)
            .find(|d| self.is_working_day(*d))
    }

    /// `date` if it is a working day, else the next one: where a date that falls on a weekend
    /// or closure day moves to. Looks a year ahead; `None` only if the whole year is closed.
    pub fn working_day_on_or_after(&self, date: NaiveDate) -> Option<NaiveDate> {
        date.iter_days().take(367).find(|d| self.is_working_day(*d))
    }

    /// The working day `n` working days before `date` (0 gives `date` itself if it is one).
    pub fn working_days_before(&self, date: NaiveDate, n: usize) -> Option<NaiveDate> {
        date.iter_days()
            .rev()
            .filter(|d| self.is_working_day(*d))
            .nth(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_issue_s_own_examples() {
        let cal = WorkingCalendar::shipped();
        assert_eq!(
            cal.last_working_day(AuditMonth::new(2026, 8).unwrap()),
            Some(d(2026, 8, 28))
        );
        assert_eq!(
            cal.last_working_day(AuditMonth::new(2026, 12).unwrap()),
            Some(d(2026, 12, 31))
        );
        assert_eq!(
            cal.last_working_day(AuditMonth::new(2027, 5).unwrap()),
            Some(d(2027, 5, 28))
        );
    }

    /// Every month of 2025 to 2027, worked out independently (with Python's datetime) from gov.uk's list.
    #[test]
    fn last_working_day_of_every_month_2025_to_2027() {
        let expected: [(i32, [u32; 12]); 3] = [
            (2025, [31, 28, 31, 30, 30, 30, 31, 29, 30, 31, 28, 31]),
            (2026, [30, 27, 31, 30, 29, 30, 31, 28, 30, 30, 30, 31]),
            (2027, [29, 26, 31, 30, 28, 30, 30, 31, 30, 29, 30, 31]),
        ];
        let cal = WorkingCalendar::shipped();
        for (year, days) in expected {
            for (i, day) in days.into_iter().enumerate() {
                let month = AuditMonth::new(year, i as u32 + 1).unwrap();
                assert_eq!(
                    cal.last_working_day(month),
                    Some(d(year, i as u32 + 1, day)),
                    "{month}"
                );
            }
        }
    }

    #[test]
    fn council_closure_days_move_the_due_date() {
        let mut closed: Vec<NaiveDate> = WorkingCalendar::shipped().closed.into_iter().collect();
        closed.extend([d(2026, 12, 29), d(2026, 12, 30), d(2026, 12, 31)]);
        let cal = WorkingCalendar::new(closed);
        assert_eq!(
            cal.last_working_day(AuditMonth::new(2026, 12).unwrap()),
            Some(d(2026, 12, 24))
        );
    }

    #[test]
    fn a_month_with_no_working_day_has_no_due_date() {
        let month = AuditMonth::new(2026, 2).unwrap();
        let cal = WorkingCalendar::new(month.first_day().iter_days().take(28));
        assert_eq!(cal.last_working_day(month), None);
    }

    #[test]
    fn due_soon_counts_working_days_back() {
        let cal = WorkingCalendar::shipped();
        // Five working days before Friday 28 August 2026: Friday 21 August.
        assert_eq!(
            cal.working_days_before(d(2026, 8, 28), 5),
            Some(d(2026, 8, 21))
        );
        // Across Christmas 2026: 25 and 28 December are bank holidays.
        assert_eq!(
            cal.working_days_before(d(2026, 12, 31), 3),
            Some(d(2026, 12, 24))
        );
    }

    #[test]
    fn a_closed_day_moves_to_the_next_working_day() {
        let cal = WorkingCalendar::shipped();
        // A working day stays put.
        assert_eq!(
            cal.working_day_on_or_after(d(2026, 12, 29)),
            Some(d(2026, 12, 29))
        );
        // Christmas 2026: Friday 25 (bank holiday), the weekend, Monday 28 (Boxing Day's substitute).
        assert_eq!(
            cal.working_day_on_or_after(d(2026, 12, 25)),
            Some(d(2026, 12, 29))
        );
        // Easter 2027: Good Friday 26 March, the weekend, Easter Monday 29 March.
        assert_eq!(
            cal.working_day_on_or_after(d(2027, 3, 26)),
            Some(d(2027, 3, 30))
        );
        // A Saturday at a month's end moves into the next month.
        assert_eq!(
            cal.working_day_on_or_after(d(2026, 10, 31)),
            Some(d(2026, 11, 2))
        );
        // It looks a year and a day ahead (366 days after a Monday is a Wednesday), no further.
        let monday = d(2026, 1, 5);
        let closed_for = |days| WorkingCalendar::new(monday.iter_days().take(days));
        assert_eq!(
            closed_for(366).working_day_on_or_after(monday),
            Some(d(2027, 1, 6))
        );
        assert_eq!(closed_for(367).working_day_on_or_after(monday), None);
    }

    #[test]
    fn months_parse_and_roll_over() {
        assert_eq!(
            AuditMonth::parse("2026-12").unwrap().next(),
            AuditMonth::new(2027, 1).unwrap()
        );
        assert_eq!(
            AuditMonth::parse("2028-02").unwrap().last_day(),
            d(2028, 2, 29)
        );
        assert_eq!(
            AuditMonth::parse("2026-12").unwrap().label(),
            "December 2026"
        );
        for bad in [
            "2026-13", "2026-00", "26-01", "2026-1", "", "2026/01", "abcd-ef",
        ] {
            assert_eq!(AuditMonth::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn gov_uk_file_is_read_for_england_and_wales_only() {
        let json = r#"{
            "england-and-wales": {"division": "england-and-wales", "events": [
                {"title": "New Year’s Day", "date": "2029-01-01", "notes": "", "bunting": true},
                {"title": "Good Friday", "date": "2029-03-30", "notes": "", "bunting": false}
            ]},
            "scotland": {"division": "scotland", "events": [
                {"title": "2nd January", "date": "2029-01-02", "notes": "", "bunting": true}
            ]}
        }"#;
        assert_eq!(
            parse_gov_uk_bank_holidays(json).unwrap(),
            vec![d(2029, 1, 1), d(2029, 3, 30)]
        );
        assert_eq!(
            parse_gov_uk_bank_holidays(r#"{"scotland": {"events": []}}"#),
            Err(CalendarError::NoEnglandAndWales)
        );
        assert_eq!(
            parse_gov_uk_bank_holidays(
                r#"{"england-and-wales": {"events": [{"title": "x", "date": "01/01/2029"}]}}"#
            ),
            Err(CalendarError::BadDate("01/01/2029".into()))
        );
        assert!(matches!(
            parse_gov_uk_bank_holidays("not json"),
            Err(CalendarError::Format(_))
        ));
    }

    #[test]
    fn london_dates_follow_british_summer_time() {
        let at = |s: &str| {
            chrono::DateTime::parse_from_rfc3339(s)
                .unwrap()
                .with_timezone(&chrono::Utc)
        };
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        // Summer evening: 23:30 UTC is 00:30 the next day in London.
        assert_eq!(london_date(at("2026-07-31T23:30:00Z")), d("2026-08-01"));
        // Winter: London is UTC.
        assert_eq!(london_date(at("2026-12-31T23:30:00Z")), d("2026-12-31"));
        // 2026's clocks change on 29 March and 25 October, at 01:00 UTC.
        assert_eq!(london_date(at("2026-03-29T00:59:59Z")), d("2026-03-29"));
        assert_eq!(london_date(at("2026-03-28T23:30:00Z")), d("2026-03-28"));
        assert_eq!(london_date(at("2026-10-24T23:30:00Z")), d("2026-10-25"));
        assert_eq!(london_date(at("2026-10-25T23:30:00Z")), d("2026-10-25"));
    }

    #[test]
    fn a_london_day_begins_an_hour_early_in_summer() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            london_midnight(d("2026-07-01")).to_rfc3339(),
            "2026-06-30T23:00:00+00:00"
        );
        assert_eq!(
            london_midnight(d("2026-12-01")).to_rfc3339(),
            "2026-12-01T00:00:00+00:00"
        );
        // The days the clocks change begin in the time before the change.
        assert_eq!(
            london_midnight(d("2026-03-29")).to_rfc3339(),
            "2026-03-29T00:00:00+00:00"
        );
        assert_eq!(
            london_midnight(d("2026-10-25")).to_rfc3339(),
            "2026-10-24T23:00:00+00:00"
        );
    }
}
