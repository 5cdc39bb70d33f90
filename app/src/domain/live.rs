//! The live stream's timing rules: how long the server asks a browser to wait before it
//! resumes a dropped stream, and how long a tab waits before opening a new one once the
//! browser has given up on the last (a proxy answering `502` while the server restarts).

use std::time::Duration;

/// The `retry:` the server sends at the start of every stream: a restart behind a proxy
/// takes a few seconds, and a thousand tabs should not all ask again within one.
pub const RESUME_AFTER: Duration = Duration::from_secs(2);

/// The first pause before a new connection, and the longest.
pub const FIRST_WAIT: Duration = Duration::from_secs(1);
pub const LONGEST_WAIT: Duration = Duration::from_secs(30);

/// Pauses between new connections: doubling from [`FIRST_WAIT`] up to [`LONGEST_WAIT`],
/// each between half and all of that, so tabs spread out. Start again once a connection
/// has opened.
#[derive(Debug, Clone, Default)]
pub struct Backoff {
    failures: u32,
}

impl Backoff {
    /// The next pause; `spread` in [0, 1) picks where in its range it falls.
    pub fn next_wait(&mut self, spread: f64) -> Duration {
        let full = FIRST_WAIT
            .saturating_mul(1u32 << self.failures.min(16))
            .min(LONGEST_WAIT);
        self.failures = self.failures.saturating_add(1);
        let spread = if spread.is_finite() {
            spread.clamp(0.0, 1.0)
        } else {
            0.5
        };
        full.mul_f64(0.5 + spread / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_the_longest_and_start_again_after_an_open_connection() {
        let mut backoff = Backoff::default();
        let full: Vec<_> = (0..8).map(|_| backoff.next_wait(1.0)).collect();
        let secs: Vec<_> = full.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30, 30]);
        // Hundreds of failures (a long outage) never overflow.
        for _ in 0..500 {
            assert!(backoff.next_wait(0.3) <= LONGEST_WAIT);
        }
        let mut fresh = Backoff::default();
        assert_eq!(fresh.next_wait(1.0), FIRST_WAIT);
    }

    #[test]
    fn a_pause_falls_between_half_and_all_of_its_range() {
        assert_eq!(
            Backoff::default().next_wait(0.0),
            Duration::from_millis(500)
        );
        assert_eq!(
            Backoff::default().next_wait(0.5),
            Duration::from_millis(750)
        );
        let mut third = Backoff::default();
        third.next_wait(0.0);
        third.next_wait(0.0);
        assert_eq!(third.next_wait(0.0), Duration::from_secs(2));
        // Nonsense from the browser is taken as the middle or the ends, never beyond.
        assert_eq!(
            Backoff::default().next_wait(f64::NAN),
            Duration::from_millis(750)
        );
        assert_eq!(Backoff::default().next_wait(7.0), FIRST_WAIT);
        assert_eq!(
            Backoff::default().next_wait(-1.0),
            Duration::from_millis(500)
        );
    }
}
