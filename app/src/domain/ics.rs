//! An iCalendar (RFC 5545) invitation for the agreed audit discussion. Times are "floating"
//! local times, as staff typed them: the council works in one time zone.

use chrono::{DateTime, NaiveDateTime, Utc};

pub struct Invitation<'a> {
    pub uid: String,
    pub stamp: DateTime<Utc>,
    pub starts_at: NaiveDateTime,
    pub minutes: i64,
    pub summary: &'a str,
    pub description: &'a str,
    /// Where to find the audit, a link inside the app.
    pub url: &'a str,
    /// Times are Europe/London wall-clock times, said so with a VTIMEZONE (UK time's
    /// rules since 1996), rather than floating.
    pub london: bool,
}

/// A time as a `datetime-local` field sends it (`2027-01-12T10:00`, seconds optional).
pub fn parse_local_time(raw: &str) -> Option<NaiveDateTime> {
    let raw = raw.trim();
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .ok()
}

/// Europe/London: GMT, and BST from the last Sunday of March to the last Sunday of October.
const LONDON: [&str; 16] = [
    "BEGIN:VTIMEZONE",
    "TZID:Europe/London",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19700329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19701025T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
];

/// Escapes a TEXT value (RFC 5545 3.3.11).
fn text(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets, never inside a character (RFC 5545 3.1).
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

impl Invitation<'_> {
    pub fn to_ics(&self) -> String {
        self.write(None)
    }

    /// The invitation with where it happens (a room, or "Online").
    pub fn with_location(&self, location: &str) -> String {
        self.write(Some(location))
    }

    fn write(&self, location: Option<&str>) -> String {
        let end = self.starts_at + chrono::Duration::minutes(self.minutes);
        let zone = if self.london {
            ";TZID=Europe/London"
        } else {
            ""
        };
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_string(),
            "VERSION:2.0".to_string(),
            "PRODID:-//Practice Audit//Audit discussion//EN".to_string(),
            "CALSCALE:GREGORIAN".to_string(),
            "METHOD:PUBLISH".to_string(),
        ];
        if self.london {
            lines.extend(LONDON.iter().map(|l| l.to_string()));
            lines.push("END:VTIMEZONE".to_string());
        }
        lines.extend([
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}", self.uid),
            format!("DTSTAMP:{}", self.stamp.format("%Y%m%dT%H%M%SZ")),
            format!("DTSTART{zone}:{}", self.starts_at.format("%Y%m%dT%H%M%S")),
            format!("DTEND{zone}:{}", end.format("%Y%m%dT%H%M%S")),
            format!("SUMMARY:{}", text(self.summary)),
            format!("DESCRIPTION:{}", text(self.description)),
            format!("URL:{}", self.url),
        ]);
        if let Some(place) = location {
            lines.push(format!("LOCATION:{}", text(place)));
        }
        lines.extend(["END:VEVENT".to_string(), "END:VCALENDAR".to_string()]);
        lines.iter().map(|l| fold(l)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    /// A small reader: unfolds lines and splits name from value.
    fn parse(ics: &str) -> Vec<(String, String)> {
        assert!(ics.ends_with("\r\n"));
        let unfolded = ics.replace("\r\n ", "");
        unfolded
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (name, value) = l.split_once(':').expect("name:value");
                (name.to_string(), value.to_string())
            })
            .collect()
    }

    fn unescape(v: &str) -> String {
        v.replace("\\n", "\n")
            .replace("\\,", ",")
            .replace("\\;", ";")
            .replace("\\\\", "\\")
    }

    #[test]
    fn the_invitation_parses_back_to_what_was_agreed() {
        let description = "Audit discussion, case DEMO10001; bring the plan.\nSecond line with a long tail that will need folding because it is long";
        let inv = Invitation {
            uid: "audit-7-discussion@practice-audit".into(),
            stamp: DateTime::parse_from_rfc3339("2027-01-05T09:30:00Z")
                .unwrap()
                .with_timezone(&Utc),
            starts_at: NaiveDate::from_ymd_opt(2027, 1, 12)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap(),
            minutes: 60,
            summary: "Case audit discussion: DEMO10001",
            description,
            url: "http://127.0.0.1:3000/audits/7",
            london: false,
        };
        let ics = inv.to_ics();
        assert!(ics.lines().all(|l| l.len() <= 75), "{ics}");
        let props = parse(&ics);
        let get = |n: &str| {
            props
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.clone())
                .unwrap()
        };
        assert_eq!(props.first().unwrap().1, "VCALENDAR");
        assert_eq!(get("VERSION"), "2.0");
        assert_eq!(get("DTSTART"), "20270112T100000");
        assert_eq!(get("DTEND"), "20270112T110000");
        assert_eq!(get("DTSTAMP"), "20270105T093000Z");
        assert_eq!(get("UID"), "audit-7-discussion@practice-audit");
        assert_eq!(unescape(&get("DESCRIPTION")), description);
        assert_eq!(
            unescape(&get("SUMMARY")),
            "Case audit discussion: DEMO10001"
        );
        assert_eq!(props.iter().filter(|(k, _)| k == "BEGIN").count(), 2);
        assert_eq!(
            props.last().unwrap(),
            &("END".to_string(), "VCALENDAR".to_string())
        );
    }

    #[test]
    fn a_london_invitation_names_its_time_zone_and_defines_it() {
        let inv = Invitation {
            uid: "mad-3-interview-9@practice-audit".into(),
            stamp: DateTime::parse_from_rfc3339("2027-06-01T09:30:00Z")
                .unwrap()
                .with_timezone(&Utc),
            starts_at: NaiveDate::from_ymd_opt(2027, 7, 1)
                .unwrap()
                .and_hms_opt(14, 30, 0)
                .unwrap(),
            minutes: 45,
            summary: "Make A Difference interview",
            description: "Interview",
            url: "https://audit.council.example/make-a-difference/3",
            london: true,
        };
        let props = parse(&inv.to_ics());
        let get = |n: &str| props.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        assert_eq!(
            get("DTSTART;TZID=Europe/London").as_deref(),
            Some("20270701T143000")
        );
        assert_eq!(
            get("DTEND;TZID=Europe/London").as_deref(),
            Some("20270701T151500")
        );
        assert_eq!(
            get("DTSTART"),
            Some("19700329T010000".into()),
            "the zone's own rule comes first"
        );
        assert_eq!(get("TZID").as_deref(), Some("Europe/London"));
        let begins: Vec<&str> = props
            .iter()
            .filter(|(k, _)| k == "BEGIN")
            .map(|(_, v)| v.as_str())
            .collect();
        assert_eq!(
            begins,
            ["VCALENDAR", "VTIMEZONE", "DAYLIGHT", "STANDARD", "VEVENT"]
        );
        assert_eq!(
            parse_local_time("2027-07-01T14:30"),
            NaiveDate::from_ymd_opt(2027, 7, 1)
                .unwrap()
                .and_hms_opt(14, 30, 0)
        );
        assert_eq!(parse_local_time("1 July"), None);
    }

    #[test]
    fn a_location_is_written_escaped() {
        let inv = Invitation {
            uid: "session-1@practice-audit".into(),
            stamp: DateTime::parse_from_rfc3339("2027-01-05T09:30:00Z")
                .unwrap()
                .with_timezone(&Utc),
            starts_at: parse_local_time("2027-01-12T10:00").unwrap(),
            minutes: 60,
            summary: "Feedback session",
            description: "About October's round",
            url: "https://audit.example.gov.uk/sessions/1",
            london: true,
        };
        let fields = parse(&inv.with_location("Room 2, Civic Centre"));
        let get = |n: &str| fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        assert_eq!(get("LOCATION").as_deref(), Some("Room 2\\, Civic Centre"));
        assert_eq!(
            get("DTSTART;TZID=Europe/London").as_deref(),
            Some("20270112T100000")
        );
        assert_eq!(
            get("URL").as_deref(),
            Some("https://audit.example.gov.uk/sessions/1")
        );
        assert!(!inv.to_ics().contains("LOCATION"));
    }
}
