//! The moment a server function acts at, and the randomness a draw starts from: the real
//! time and fresh randomness, except inside [`replay`], where whoever replays the
//! council's past (the demo's six months, see `server::demo_past`) sets the time step by
//! step and the draws follow one fixed seed. Task-local, so nothing outside that task (no
//! request a person makes meanwhile) is ever moved.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rand::{RngCore, SeedableRng};
use std::cell::{Cell, RefCell};
use std::future::Future;

struct Replay {
    at: Cell<DateTime<Utc>>,
    draws: RefCell<rand_chacha::ChaCha20Rng>,
}

tokio::task_local! {
    static REPLAY: Replay;
}

/// Now: the real time, or the replayed moment.
pub fn now() -> DateTime<Utc> {
    REPLAY
        .try_with(|r| r.at.get())
        .unwrap_or_else(|_| Utc::now())
}

/// Today's date in England, whatever the server's own time zone.
pub fn today() -> NaiveDate {
    crate::domain::calendar::london_date(now())
}

/// Now on an English wall clock (times people type are in it).
pub fn local_now() -> NaiveDateTime {
    crate::domain::calendar::london_time(now())
}

/// 32 bytes to seed a draw: fresh randomness, or the replay's next.
pub fn draw_seed() -> [u8; 32] {
    let mut seed = [0u8; 32];
    if REPLAY
        .try_with(|r| r.draws.borrow_mut().fill_bytes(&mut seed))
        .is_err()
    {
        rand::rng().fill_bytes(&mut seed);
    }
    seed
}

/// Runs `work` with the clock at `start` (moved on with [`set`]) and draws seeded from
/// `seed`.
pub async fn replay<F: Future>(start: DateTime<Utc>, seed: u64, work: F) -> F::Output {
    let replay = Replay {
        at: Cell::new(start),
        draws: RefCell::new(rand_chacha::ChaCha20Rng::seed_from_u64(seed)),
    };
    REPLAY.scope(replay, work).await
}

/// Whether this task is replaying the past.
pub fn replaying() -> bool {
    REPLAY.try_with(|_| ()).is_ok()
}

/// Moves the replayed clock; does nothing outside [`replay`].
pub fn set(at: DateTime<Utc>) {
    let _ = REPLAY.try_with(|r| r.at.set(at));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn outside_a_replay_the_clock_is_real_and_draws_are_fresh() {
        let before = Utc::now();
        let now = now();
        assert!(now >= before && now <= Utc::now());
        assert_ne!(draw_seed(), draw_seed());
        assert!(!replaying());
        set(DateTime::<Utc>::MIN_UTC);
        assert!(super::now() >= before, "set does nothing outside a replay");
    }

    #[tokio::test]
    async fn a_replay_holds_its_moment_and_repeats_its_draws() {
        let start = "2026-06-10T09:00:00Z".parse::<DateTime<Utc>>().unwrap();
        let later = "2026-06-11T14:30:00Z".parse::<DateTime<Utc>>().unwrap();
        let (first, seeds) = replay(start, 7, async {
            let first = now();
            assert!(replaying());
            set(later);
            (first, [draw_seed(), draw_seed()])
        })
        .await;
        assert_eq!(first, start);
        assert_ne!(seeds[0], seeds[1]);
        let again = replay(start, 7, async {
            assert_eq!(now(), start);
            [draw_seed(), draw_seed()]
        })
        .await;
        assert_eq!(seeds, again, "the same seed draws the same");
        // Another task is not moved.
        let elsewhere = replay(start, 7, async {
            tokio::spawn(async { now() }).await.unwrap()
        })
        .await;
        assert!(elsewhere > later);
    }
}
