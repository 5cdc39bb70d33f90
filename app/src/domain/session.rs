//! Session lifetime rules: an idle limit and an absolute limit.

use chrono::{DateTime, Duration, Utc};

/// Signed out after this long without a request.
pub const IDLE_LIMIT: Duration = Duration::hours(2);
/// Signed out this long after signing in, however busy: about a working day.
pub const ABSOLUTE_LIMIT: Duration = Duration::hours(12);
/// Last-seen is written at most this often, to keep reads from becoming writes.
pub const TOUCH_EVERY: Duration = Duration::minutes(1);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionState {
    Live { touch: bool },
    Expired,
}

pub fn session_state(
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> SessionState {
    if now >= created_at + ABSOLUTE_LIMIT || now >= last_seen_at + IDLE_LIMIT {
        SessionState::Expired
    } else {
        SessionState::Live {
            touch: now >= last_seen_at + TOUCH_EVERY,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 30, h, m, 0).unwrap()
    }

    #[test]
    fn fresh_session_is_live_without_a_write() {
        assert_eq!(
            session_state(at(9, 0), at(9, 0), at(9, 0)),
            SessionState::Live { touch: false }
        );
        assert_eq!(
            session_state(at(9, 0), at(9, 0), at(9, 1)),
            SessionState::Live { touch: true }
        );
    }

    #[test]
    fn idle_limit_is_exclusive() {
        assert_eq!(
            session_state(at(9, 0), at(10, 0), at(11, 59)),
            SessionState::Live { touch: true }
        );
        assert_eq!(
            session_state(at(9, 0), at(10, 0), at(12, 0)),
            SessionState::Expired
        );
    }

    #[test]
    fn absolute_limit_holds_however_busy() {
        assert_eq!(
            session_state(at(8, 0), at(19, 59), at(19, 59)),
            SessionState::Live { touch: false }
        );
        assert_eq!(
            session_state(at(8, 0), at(19, 59), at(20, 0)),
            SessionState::Expired
        );
    }
}
