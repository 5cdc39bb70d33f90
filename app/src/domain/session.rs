//! Session lifetime rules: an idle limit, renewed only by the person's own actions, and an
//! absolute limit however busy they are.

use chrono::{DateTime, Duration, Utc};

/// Last-seen is written at most this often, to keep reads from becoming writes.
pub const TOUCH_EVERY: Duration = Duration::minutes(1);
/// The page warns this long before the idle limit, offering *Stay signed in*.
pub const WARN_BEFORE: Duration = Duration::minutes(2);
/// Open event streams per person (tabs); a further one closes the oldest.
pub const STREAMS_PER_PERSON: usize = 5;

/// How long sessions last. Configurable per council (see the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRules {
    /// Signed out after this long without one of the person's own actions.
    pub idle: Duration,
    /// Signed out this long after signing in: about a working day.
    pub absolute: Duration,
}

impl Default for SessionRules {
    fn default() -> Self {
        SessionRules {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

impl SessionRules {
    /// From minutes of idleness and hours in all, as the environment gives them. The idle
    /// limit must leave room for the warning and fit inside the absolute limit.
    pub fn new(idle_minutes: i64, absolute_hours: i64) -> Result<SessionRules, String> {
        if !(5..=480).contains(&idle_minutes) {
            return Err("the idle limit must be 5 to 480 minutes".into());
        }
        if !(1..=24).contains(&absolute_hours) || idle_minutes > absolute_hours * 60 {
            return Err(
                "the absolute limit must be 1 to 24 hours, and no shorter than the idle limit"
                    .into(),
            );
        }
        Ok(SessionRules {
            idle: Duration::minutes(idle_minutes),
            absolute: Duration::hours(absolute_hours),
        })
    }

    /// When the session ends if nothing renews it.
    pub fn ends_at(&self, created_at: DateTime<Utc>, last_seen_at: DateTime<Utc>) -> DateTime<Utc> {
        (created_at + self.absolute).min(last_seen_at + self.idle)
    }

    /// Whether the session is live at `now`, and if `renew` (the request is the person's
    /// own action), whether last-seen should be written.
    pub fn state(
        &self,
        created_at: DateTime<Utc>,
        last_seen_at: DateTime<Utc>,
        now: DateTime<Utc>,
        renew: bool,
    ) -> SessionState {
        if now >= self.ends_at(created_at, last_seen_at) {
            SessionState::Expired
        } else {
            SessionState::Live {
                touch: renew && now >= last_seen_at + TOUCH_EVERY,
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Live { touch: bool },
    Expired,
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, h, m, 0).unwrap()
    }

    const RULES: SessionRules = SessionRules {
        idle: Duration::minutes(30),
        absolute: Duration::hours(12),
    };

    #[test]
    fn defaults_are_thirty_minutes_idle_and_twelve_hours_in_all() {
        assert_eq!(SessionRules::default(), RULES);
    }

    #[test]
    fn fresh_session_is_live_without_a_write() {
        assert_eq!(
            RULES.state(at(9, 0), at(9, 0), at(9, 0), true),
            SessionState::Live { touch: false }
        );
        assert_eq!(
            RULES.state(at(9, 0), at(9, 0), at(9, 1), true),
            SessionState::Live { touch: true }
        );
    }

    #[test]
    fn background_requests_never_renew() {
        assert_eq!(
            RULES.state(at(9, 0), at(9, 0), at(9, 29), false),
            SessionState::Live { touch: false }
        );
        assert_eq!(
            RULES.state(at(9, 0), at(9, 0), at(9, 30), false),
            SessionState::Expired
        );
    }

    #[test]
    fn idle_limit_is_exclusive() {
        assert_eq!(
            RULES.state(at(9, 0), at(10, 0), at(10, 29), true),
            SessionState::Live { touch: true }
        );
        assert_eq!(
            RULES.state(at(9, 0), at(10, 0), at(10, 30), true),
            SessionState::Expired
        );
        assert_eq!(RULES.ends_at(at(9, 0), at(10, 0)), at(10, 30));
    }

    #[test]
    fn absolute_limit_holds_however_busy() {
        assert_eq!(
            RULES.state(at(8, 0), at(19, 59), at(19, 59), true),
            SessionState::Live { touch: false }
        );
        assert_eq!(
            RULES.state(at(8, 0), at(19, 59), at(20, 0), true),
            SessionState::Expired
        );
        assert_eq!(RULES.ends_at(at(8, 0), at(19, 59)), at(20, 0));
    }

    #[test]
    fn settings_are_checked() {
        assert_eq!(SessionRules::new(30, 12), Ok(RULES));
        assert!(SessionRules::new(4, 12).is_err());
        assert!(SessionRules::new(481, 12).is_err());
        assert!(SessionRules::new(120, 1).is_err());
        assert!(SessionRules::new(30, 25).is_err());
    }
}
