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
}

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
        let end = self.starts_at + chrono::Duration::minutes(self.minutes);
        let lines = [
            "BEGIN:VCALENDAR".to_string(),
            "VERSION:2.0".to_string(),
            "PRODID:-//Practice Audit//Audit discussion//EN".to_string(),
            "CALSCALE:GREGORIAN".to_string(),
            "METHOD:PUBLISH".to_string(),
            "BEGIN:VEVENT".to_string(),
            format!("UID:{}", self.uid),
            format!("DTSTAMP:{}", self.stamp.format("%Y%m%dT%H%M%SZ")),
            format!("DTSTART:{}", self.starts_at.format("%Y%m%dT%H%M%S")),
            format!("DTEND:{}", end.format("%Y%m%dT%H%M%S")),
            format!("SUMMARY:{}", text(self.summary)),
            format!("DESCRIPTION:{}", text(self.description)),
            format!("URL:{}", self.url),
            "END:VEVENT".to_string(),
            "END:VCALENDAR".to_string(),
        ];
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
}
