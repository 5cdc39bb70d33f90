//! Sign-in throttling: failures against an account or from one client address slow further
//! tries down, then lock them out for a while. No I/O: the store keeps the counts.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// The rules, from configuration (`SIGN_IN_LOCK_AFTER`, `SIGN_IN_LOCK_MINUTES`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottleRules {
    /// Failures after which each further try waits: 1 s, then 2, 4, 8… up to a minute.
    pub slow_after: u32,
    /// Failures within the window that lock the account or address.
    pub lock_after: u32,
    /// How long a lock lasts, and how far back failures count.
    pub lock_for: Duration,
}

impl Default for ThrottleRules {
    fn default() -> Self {
        ThrottleRules {
            slow_after: 3,
            lock_after: 10,
            lock_for: Duration::minutes(15),
        }
    }
}

/// What is known of one account's or address's recent failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    /// Failures since `first_at` (a failure older than the window starts a new count).
    pub count: u32,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

/// Whether a sign-in may be tried now: the password is only checked (and Argon2 only runs)
/// when it may.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Try,
    /// Too soon after the last failure.
    Wait(DateTime<Utc>),
    Locked(DateTime<Utc>),
}

impl ThrottleRules {
    pub fn verdict(&self, failures: Option<&Failures>, now: DateTime<Utc>) -> Verdict {
        let Some(f) = failures else {
            return Verdict::Try;
        };
        if let Some(until) = f.locked_until.filter(|u| *u > now) {
            return Verdict::Locked(until);
        }
        if now - f.first_at > self.lock_for || f.count < self.slow_after {
            return Verdict::Try;
        }
        let steps = (f.count - self.slow_after).min(6);
        let wait = Duration::seconds(1 << steps).min(Duration::minutes(1));
        let next = f.last_at + wait;
        if now < next {
            Verdict::Wait(next)
        } else {
            Verdict::Try
        }
    }

    /// The record after one more failure at `now`: a count past the window starts again,
    /// and the failure that reaches `lock_after` locks.
    pub fn failed(&self, failures: Option<&Failures>, now: DateTime<Utc>) -> Failures {
        let fresh = Failures {
            count: 1,
            first_at: now,
            last_at: now,
            locked_until: None,
        };
        let mut f = match failures {
            Some(f) if now - f.first_at <= self.lock_for => *f,
            _ => return self.lock_if_due(fresh, now),
        };
        f.count += 1;
        f.last_at = now;
        self.lock_if_due(f, now)
    }

    fn lock_if_due(&self, mut f: Failures, now: DateTime<Utc>) -> Failures {
        if f.count >= self.lock_after {
            f.locked_until = Some(now + self.lock_for);
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    #[test]
    fn the_first_failures_do_not_slow_anyone_down() {
        let rules = ThrottleRules::default();
        assert_eq!(rules.verdict(None, at(0)), Verdict::Try);
        let one = rules.failed(None, at(0));
        let two = rules.failed(Some(&one), at(1));
        assert_eq!(two.count, 2);
        assert_eq!(rules.verdict(Some(&two), at(1)), Verdict::Try);
    }

    #[test]
    fn later_failures_wait_longer_each_time_then_lock() {
        let rules = ThrottleRules::default();
        let mut f = None;
        for s in 0..3 {
            f = Some(rules.failed(f.as_ref(), at(s)));
        }
        let three = f.unwrap();
        assert_eq!(rules.verdict(Some(&three), at(2)), Verdict::Wait(at(3)));
        assert_eq!(rules.verdict(Some(&three), at(3)), Verdict::Try);
        let four = rules.failed(Some(&three), at(3));
        assert_eq!(rules.verdict(Some(&four), at(4)), Verdict::Wait(at(5)));
        let mut f = four;
        for s in 5..11 {
            f = rules.failed(Some(&f), at(s * 10));
        }
        assert_eq!(f.count, 10);
        assert_eq!(f.locked_until, Some(at(100) + Duration::minutes(15)));
        assert_eq!(
            rules.verdict(Some(&f), at(101)),
            Verdict::Locked(at(100) + Duration::minutes(15))
        );
        assert_eq!(rules.verdict(Some(&f), at(100 + 15 * 60)), Verdict::Try);
    }

    #[test]
    fn waits_stop_growing_at_a_minute() {
        let rules = ThrottleRules {
            slow_after: 1,
            lock_after: 100,
            lock_for: Duration::hours(1),
        };
        let mut f = rules.failed(None, at(0));
        for _ in 0..20 {
            let next = f.last_at + Duration::minutes(1);
            f = rules.failed(Some(&f), next);
        }
        assert_eq!(
            rules.verdict(Some(&f), f.last_at),
            Verdict::Wait(f.last_at + Duration::minutes(1))
        );
    }

    #[test]
    fn failures_older_than_the_window_start_a_new_count() {
        let rules = ThrottleRules::default();
        let mut f = rules.failed(None, at(0));
        for s in 1..5 {
            f = rules.failed(Some(&f), at(s * 20));
        }
        assert_eq!(f.count, 5);
        let later = rules.failed(Some(&f), at(16 * 60));
        assert_eq!(later.count, 1);
        assert_eq!(rules.verdict(Some(&f), at(16 * 60)), Verdict::Try);
    }
}
