//! How long each kind of record is kept, and why. The daily sweep deletes what is past its
//! rule; audits and case histories are the council's records and follow its records
//! policy, which the sweep reports on but never applies by itself.

use chrono::{DateTime, Duration, Utc};

/// The access log is kept at least this long whatever is configured (the table refuses
/// younger deletions too).
pub const ACCESS_LOG_FLOOR_DAYS: i64 = 365;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionRules {
    /// Live events: a tab replays what it missed from these; a month covers a laptop
    /// closed over a holiday.
    pub live_events_days: i64,
    /// Alerts in the archive (after they left the tray): two years.
    pub archived_alerts_days: i64,
    /// Refused and discarded uploads (whole Annex A lists of children): 90 days, for the
    /// QA Manager to see why a file was refused. Applied imports are kept as the record
    /// of what changed.
    pub refused_imports_days: i64,
    /// Ended sessions and stale sign-in failure counts: days after they end (0: at the
    /// next sweep).
    pub ended_sessions_days: i64,
    /// Delivered emails in the outbox (a link and a kind of alert only).
    pub sent_emails_days: i64,
    /// The access log: `None` keeps it, as long as audits are kept.
    pub access_log_days: Option<i64>,
    /// The council's records policy for audits, in years: `None` keeps them. The app never
    /// deletes an audit; the sweep counts those past the policy for the records team.
    pub audit_years: Option<i64>,
}

impl Default for RetentionRules {
    fn default() -> Self {
        RetentionRules {
            live_events_days: 30,
            archived_alerts_days: 730,
            refused_imports_days: 90,
            ended_sessions_days: 0,
            sent_emails_days: 90,
            access_log_days: None,
            audit_years: None,
        }
    }
}

/// A setting's text: a whole number of days, or `keep`.
fn days(name: &str, text: Option<&str>, default: i64, least: i64) -> Result<i64, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(default),
        Some(t) => t
            .parse::<i64>()
            .ok()
            .filter(|d| (least..=36_500).contains(d))
            .ok_or_else(|| format!("{name} must be a whole number of days from {least}")),
    }
}

fn kept(name: &str, text: Option<&str>, least: i64, most: i64) -> Result<Option<i64>, String> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None | Some("keep") => Ok(None),
        Some(t) => t
            .parse::<i64>()
            .ok()
            .filter(|d| (least..=most).contains(d))
            .map(Some)
            .ok_or_else(|| format!("{name} must be keep or a whole number from {least} to {most}")),
    }
}

impl RetentionRules {
    /// From the environment's text, by setting name (see the README's table).
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> Result<RetentionRules, String> {
        let d = RetentionRules::default();
        let text = |name: &str| get(name);
        let rules = RetentionRules {
            live_events_days: days(
                "RETAIN_LIVE_EVENTS_DAYS",
                text("RETAIN_LIVE_EVENTS_DAYS").as_deref(),
                d.live_events_days,
                1,
            )?,
            archived_alerts_days: days(
                "RETAIN_ARCHIVED_ALERTS_DAYS",
                text("RETAIN_ARCHIVED_ALERTS_DAYS").as_deref(),
                d.archived_alerts_days,
                1,
            )?,
            refused_imports_days: days(
                "RETAIN_REFUSED_IMPORTS_DAYS",
                text("RETAIN_REFUSED_IMPORTS_DAYS").as_deref(),
                d.refused_imports_days,
                1,
            )?,
            ended_sessions_days: days(
                "RETAIN_ENDED_SESSIONS_DAYS",
                text("RETAIN_ENDED_SESSIONS_DAYS").as_deref(),
                d.ended_sessions_days,
                0,
            )?,
            sent_emails_days: days(
                "RETAIN_SENT_EMAILS_DAYS",
                text("RETAIN_SENT_EMAILS_DAYS").as_deref(),
                d.sent_emails_days,
                1,
            )?,
            access_log_days: kept(
                "RETAIN_ACCESS_LOG_DAYS",
                text("RETAIN_ACCESS_LOG_DAYS").as_deref(),
                ACCESS_LOG_FLOOR_DAYS,
                36_500,
            )?,
            audit_years: kept(
                "RETAIN_AUDITS_YEARS",
                text("RETAIN_AUDITS_YEARS").as_deref(),
                1,
                100,
            )?,
        };
        rules.check()?;
        Ok(rules)
    }

    /// The access log must outlive the audits it describes.
    pub fn check(&self) -> Result<(), String> {
        match (self.access_log_days, self.audit_years) {
            (Some(_), None) => Err(
                "RETAIN_ACCESS_LOG_DAYS must be keep while audits are kept (RETAIN_AUDITS_YEARS=keep): \
                 the log of who saw an audit is kept as long as the audit"
                    .into(),
            ),
            (Some(log), Some(years)) if log < years * 366 => Err(format!(
                "RETAIN_ACCESS_LOG_DAYS must be at least {} days, as long as audits are kept",
                years * 366
            )),
            _ => Ok(()),
        }
    }

    /// The cut-off instants for a sweep at `now`.
    pub fn cutoffs(&self, now: DateTime<Utc>) -> Cutoffs {
        Cutoffs {
            live_events: now - Duration::days(self.live_events_days),
            archived_alerts: now - Duration::days(self.archived_alerts_days),
            refused_imports: now - Duration::days(self.refused_imports_days),
            ended_sessions: now - Duration::days(self.ended_sessions_days),
            sent_emails: now - Duration::days(self.sent_emails_days),
            access_log: self.access_log_days.map(|d| now - Duration::days(d)),
            audits: self.audit_years.map(|y| now - Duration::days(y * 366)),
        }
    }
}

/// Before these instants, records go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    pub live_events: DateTime<Utc>,
    pub archived_alerts: DateTime<Utc>,
    pub refused_imports: DateTime<Utc>,
    pub ended_sessions: DateTime<Utc>,
    pub sent_emails: DateTime<Utc>,
    pub access_log: Option<DateTime<Utc>>,
    pub audits: Option<DateTime<Utc>>,
}

/// What one sweep removed (and, for audits, found past the policy).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepCounts {
    pub live_events: u64,
    pub archived_alerts: u64,
    pub refused_imports: u64,
    pub ended_sessions: u64,
    pub sign_in_counts: u64,
    pub sent_emails: u64,
    pub access_log: u64,
    pub audits_past_policy: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn defaults_keep_audits_and_their_access_log() {
        let rules = RetentionRules::parse(env(&[])).unwrap();
        assert_eq!(rules, RetentionRules::default());
        assert_eq!(rules.access_log_days, None);
        assert_eq!(rules.audit_years, None);
        let now = Utc.with_ymd_and_hms(2026, 12, 5, 2, 0, 0).unwrap();
        let c = rules.cutoffs(now);
        assert_eq!(
            c.live_events,
            Utc.with_ymd_and_hms(2026, 11, 5, 2, 0, 0).unwrap()
        );
        assert_eq!(c.ended_sessions, now);
        assert_eq!(c.access_log, None);
    }

    #[test]
    fn the_access_log_outlives_the_audits() {
        let ok = RetentionRules::parse(env(&[
            ("RETAIN_AUDITS_YEARS", "7"),
            ("RETAIN_ACCESS_LOG_DAYS", "2562"),
        ]))
        .unwrap();
        assert_eq!(ok.access_log_days, Some(2562));
        assert!(RetentionRules::parse(env(&[
            ("RETAIN_AUDITS_YEARS", "7"),
            ("RETAIN_ACCESS_LOG_DAYS", "2000"),
        ]))
        .is_err());
        assert!(RetentionRules::parse(env(&[("RETAIN_ACCESS_LOG_DAYS", "3000")])).is_err());
        assert!(RetentionRules::parse(env(&[
            ("RETAIN_AUDITS_YEARS", "keep"),
            ("RETAIN_ACCESS_LOG_DAYS", "keep"),
        ]))
        .is_ok());
    }

    #[test]
    fn settings_are_checked() {
        assert!(RetentionRules::parse(env(&[("RETAIN_LIVE_EVENTS_DAYS", "0")])).is_err());
        assert!(RetentionRules::parse(env(&[("RETAIN_LIVE_EVENTS_DAYS", "a week")])).is_err());
        assert!(RetentionRules::parse(env(&[("RETAIN_ENDED_SESSIONS_DAYS", "0")])).is_ok());
        assert!(RetentionRules::parse(env(&[
            ("RETAIN_AUDITS_YEARS", "1"),
            ("RETAIN_ACCESS_LOG_DAYS", "100")
        ]))
        .is_err());
    }
}
