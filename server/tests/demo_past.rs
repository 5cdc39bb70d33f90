//! The demo council's past (`scripts/run --demo`): made through the server functions at
//! replayed moments, the same from the same seed, and everything in it reachable as the
//! app shows it.

use crate::common::*;
use chrono::{DateTime, Utc};

/// A fixed "now" early in a month: the current round is part-way, the last past month's
/// moderation has not opened.
fn noon(day: &str) -> DateTime<Utc> {
    format!("{day}T12:00:00Z").parse().unwrap()
}

async fn council_with_past(now: DateTime<Utc>) -> (TestApp, server::demo_past::Past) {
    let app = TestApp::empty().await;
    assert!(server::seed_demo_if_empty(&app.store).await.unwrap());
    let past = server::demo_past::make_past(&app.store, &app.router, &app.site, now)
        .await
        .unwrap();
    (app, past)
}

/// Each round's month, and each audit's case, state and overall grade, in order.
async fn fingerprint(app: &TestApp) -> Vec<(String, String, String, Option<String>)> {
    app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT r.audit_month, c.child_unique_id, a.state, a.overall_grade \
         FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id \
         JOIN rounds r ON r.id = rc.round_id JOIN cases c ON c.id = rc.case_id \
         ORDER BY r.audit_month, c.child_unique_id"
    )
    .fetch_all(pool)
    .await)
    .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app::on_pool!(app.store, |pool| sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await)
    .unwrap()
}

#[tokio::test]
async fn the_demo_has_six_months_of_the_cycle_the_same_each_time() {
    let now = noon("2026-12-07");
    let (app, past) = council_with_past(now).await;
    // Five past rounds and this month's, eight cases each.
    println!("{past:?}");
    assert_eq!(past.rounds, 6, "{past:?}");
    assert_eq!(past.audits, 48, "{past:?}");
    let states = fingerprint(&app).await;
    assert_eq!(states.len(), 48);
    let months: std::collections::BTreeSet<&str> = states.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(
        months.into_iter().collect::<Vec<_>>(),
        ["2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    );
    // Past rounds are filed, bar the one left overdue in November.
    let past_open: Vec<_> = states
        .iter()
        .filter(|s| s.0 != "2026-12" && s.2 != "filed_to_record")
        .collect();
    assert_eq!(past_open.len(), 1, "{past_open:?}");
    assert_eq!(past_open[0].0, "2026-11");
    // This month's round is part-way: some audits at each early step, none filed.
    let current: Vec<&str> = states
        .iter()
        .filter(|s| s.0 == "2026-12")
        .map(|s| s.2.as_str())
        .collect();
    assert!(
        current.iter().all(|s| *s != "filed_to_record"),
        "{current:?}"
    );
    assert!(
        current
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len()
            >= 2,
        "{current:?}"
    );
    // Grades spread over the scale.
    let grades: std::collections::BTreeSet<&str> =
        states.iter().filter_map(|s| s.3.as_deref()).collect();
    assert!(grades.len() >= 3, "{grades:?}");
    // What follows filing: action reviews (some finalised), moderation outcomes, sessions
    // with feedback, a presented report, published summaries.
    assert!(past.completed >= 35, "{past:?}");
    assert!(
        count(
            &app,
            "SELECT COUNT(*) FROM action_reviews WHERE finalised_at IS NOT NULL"
        )
        .await
            > 0
    );
    assert!(past.moderated > 0, "{past:?}");
    assert!(past.sessions >= 4, "{past:?}");
    assert_eq!(past.reports, 1, "{past:?}");
    assert_eq!(past.newsletters, 1, "{past:?}");
    assert!(past.published_summaries >= 1, "{past:?}");
    // Nothing happened after "now", and no email waits to be sent about the past.
    assert_eq!(app.store.outbox_unsent().await.unwrap(), 0);
    let latest: DateTime<Utc> = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT MAX(created_at) FROM events"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert!(latest < now, "{latest}");
    // The sessions it used are gone.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions").await, 0);

    // The same day, the same seed: the same past.
    let (again, _) = council_with_past(now).await;
    assert_eq!(fingerprint(&again).await, states);
}

/// Whatever the day the demo is first loaded (a month's first days, its last, a January,
/// summer time), the past is made whole: six rounds, nothing after that day, no email
/// left to send about it.
#[tokio::test]
async fn the_past_can_be_made_on_any_day() {
    for day in ["2027-01-04", "2026-07-31", "2027-03-29"] {
        let now = noon(day);
        let (app, past) = council_with_past(now).await;
        assert_eq!(past.rounds, 6, "{day}: {past:?}");
        assert_eq!(past.audits, 48, "{day}: {past:?}");
        assert!(past.completed >= 30, "{day}: {past:?}");
        assert_eq!(app.store.outbox_unsent().await.unwrap(), 0, "{day}");
        let latest: DateTime<Utc> = app::on_pool!(app.store, |pool| sqlx::query_scalar(
            "SELECT MAX(created_at) FROM events"
        )
        .fetch_one(pool)
        .await)
        .unwrap();
        assert!(latest < now, "{day}: {latest}");
    }
}
