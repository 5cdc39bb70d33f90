//! Two instances on one database doing the same job at the same moment: starting on an
//! empty database, or sweeping old alerts into the archive. Each job's effect happens once.

use crate::common::journey;
use crate::common::*;
use app::store::Store;

const QA: &str = "qa.manager@anytown.example";

#[tokio::test]
async fn two_instances_starting_on_an_empty_database_load_the_demo_council_once() {
    let empty = TestApp::empty().await;
    let url = empty.url.clone();
    // A second connection pool stands for the second instance.
    let other = Store::connect(&url).await.unwrap();
    let (first, second) = tokio::join!(
        server::seed_demo_if_empty(&empty.store),
        server::seed_demo_if_empty(&other)
    );
    let seeded = [first.unwrap(), second.unwrap()];
    assert_eq!(
        seeded.iter().filter(|s| **s).count(),
        1,
        "exactly one loads it: {seeded:?}"
    );
    let people: i64 = app::on_pool!(empty.store, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM people"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(
        people as usize,
        app::demo::DemoCouncil::build().people.len()
    );
    let duplicated: i64 = app::on_pool!(empty.store, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT email FROM people GROUP BY email HAVING COUNT(*) > 1) AS repeated",
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(duplicated, 0);
}

#[tokio::test]
async fn two_sweeps_at_once_archive_each_alert_once() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    // Some alerts: a confirmed round tells every party of its case.
    let round = journey::drawn_round(&app, &qa, "2027-01").await;
    let confirmed = journey::confirm(&app, &qa, round).await;
    assert_eq!(
        confirmed.status,
        axum::http::StatusCode::OK,
        "{}",
        confirmed.body
    );
    let count = |table: &'static str| {
        let store = app.store.clone();
        async move {
            app::on_pool!(store, |pool| sqlx::query_scalar::<_, i64>(&format!(
                "SELECT COUNT(*) FROM {table}"
            ))
            .fetch_one(pool)
            .await
            .unwrap())
        }
    };
    let alerts = count("alerts").await;
    assert!(alerts > 0);
    let before_archive = count("alerts_archive").await;

    let url = app.url.clone();
    let other = Store::connect(&url).await.unwrap();
    let later = chrono::Utc::now() + chrono::Duration::days(1);
    let (one, two) = tokio::join!(
        app.store.archive_alerts(later, later),
        other.archive_alerts(later, later)
    );
    let (one, two) = (one.unwrap().0, two.unwrap().0);
    assert_eq!(one + two, alerts as u64, "each alert archived by one sweep");
    assert_eq!(count("alerts").await, 0);
    assert_eq!(count("alerts_archive").await, before_archive + alerts);
    // The archive refuses a second copy of an alert, whatever writes it.
    let again = app::on_pool!(app.store, |pool| {
        sqlx::query(
        "INSERT INTO alerts_archive (alert_id, person_id, kind, case_id, body, link, created_at, read_at, archived_at) \
         SELECT alert_id, person_id, kind, case_id, body, link, created_at, read_at, archived_at \
         FROM alerts_archive LIMIT 1",
    )
    .execute(pool)
    .await.map(|done| done.rows_affected())
    });
    assert!(
        again.is_err(),
        "a second copy of an archived alert is refused"
    );
}

#[tokio::test]
async fn two_senders_at_once_never_take_the_same_email() {
    let app = TestApp::without_sender().await;
    let qa = app.sign_in(QA).await;
    let round = journey::drawn_round(&app, &qa, "2027-01").await;
    let confirmed = journey::confirm(&app, &qa, round).await;
    assert_eq!(
        confirmed.status,
        axum::http::StatusCode::OK,
        "{}",
        confirmed.body
    );
    let waiting = app.store.outbox_unsent().await.unwrap();
    assert!(waiting > 0, "the round's emails wait in the outbox");

    let other = Store::connect(&app.url).await.unwrap();
    let now = chrono::Utc::now();
    let (one, two) = tokio::join!(
        app.store.take_due_emails(now, 1_000),
        other.take_due_emails(now, 1_000)
    );
    let mut taken: Vec<i64> = one
        .unwrap()
        .into_iter()
        .chain(two.unwrap())
        .map(|e| e.id)
        .collect();
    let all = taken.len();
    taken.sort_unstable();
    taken.dedup();
    assert_eq!(taken.len(), all, "an email taken twice");
    assert_eq!(all as i64, waiting, "every due email taken once");
}
