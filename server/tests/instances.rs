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

/// Reads an open event stream until `wanted` appears in it, or `wait` passes.
async fn stream_says(body: axum::body::Body, wanted: &str, wait: std::time::Duration) -> bool {
    use futures::StreamExt;
    let mut data = body.into_data_stream();
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + wait;
    while !text.contains(wanted) {
        match tokio::time::timeout_at(deadline, data.next()).await {
            Ok(Some(Ok(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
            _ => return false,
        }
    }
    true
}

/// Two instances on one PostgreSQL database (on SQLite there is one instance, so there is
/// nothing to share: the test ends once it has checked that much).
#[tokio::test]
async fn a_change_on_one_instance_reaches_streams_sessions_and_figures_on_the_other() {
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;
    let a = TestApp::new().await;
    if a.store.dialect() != app::store::Dialect::Postgres {
        let site = app::server::SiteSettings::default();
        // One instance: the listener has nothing to follow and ends at once.
        let listener = server::spawn_notice_listener(a.store.clone(), &site);
        tokio::time::timeout(std::time::Duration::from_secs(5), listener)
            .await
            .expect("the listener ends at once on SQLite")
            .unwrap();
        return;
    }
    // Instance B: its own pool, bus, caches and router, and its listener.
    let b_store = Store::connect(&a.url).await.unwrap();
    let b_site = app::server::SiteSettings::default();
    let b = server::router(
        b_store.clone(),
        leptos::prelude::LeptosOptions::builder()
            .output_name("practice-audit")
            .build(),
        b_site.clone(),
    );
    let listening = server::spawn_notice_listener(b_store.clone(), &b_site);
    // LISTEN is issued as the task starts.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let qa = a.sign_in(QA).await;
    let round = journey::drawn_round(&a, &qa, "2027-01").await;
    let contact = journey::round_case(&a, round).await;
    let kw_email = journey::email_of(&a, contact.key_worker_id.unwrap()).await;
    let kw = a.sign_in(&kw_email).await;
    let ask = |path: &str, token: &str| {
        Request::get(path)
            .header("cookie", format!("pa_session={token}"))
            .header("accept", "application/json")
            .body(axum::body::Body::empty())
            .unwrap()
    };

    // The key worker's tray is open on B; the round is confirmed through A.
    let stream = b.clone().oneshot(ask("/events", &kw)).await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    // B's figures are counted and kept before the changes.
    let before = b
        .clone()
        .oneshot(ask("/api/dashboard_figures", &qa))
        .await
        .unwrap();
    assert_eq!(before.status(), StatusCode::OK);
    let before_tag = before.headers()["etag"].to_str().unwrap().to_string();
    let confirmed = journey::confirm(&a, &qa, round).await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    assert!(
        stream_says(
            stream.into_body(),
            "is selected for audit",
            std::time::Duration::from_secs(5)
        )
        .await,
        "the alert raised on A reached the stream on B"
    );
    // Assigning the auditor through A changes the figures; B counts them again.
    let assigned = journey::assign(&a, &qa, round).await;
    assert_eq!(assigned.status, StatusCode::OK, "{}", assigned.body);
    let mut moved = false;
    for _ in 0..50 {
        let after = b
            .clone()
            .oneshot(ask("/api/dashboard_figures", &qa))
            .await
            .unwrap();
        if after.headers()["etag"].to_str().unwrap() != before_tag {
            moved = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(moved, "B counted its figures again after A's change");

    // The listener's connection is cut (a database restart, a network drop): nothing it
    // would have heard is lost. B's streams read again once it is back.
    let stream = b.clone().oneshot(ask("/events", &kw)).await.unwrap();
    let cut = app::on_pool!(a.store, |pool| sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND query LIKE 'LISTEN%' AND pid <> pg_backend_pid()"
    )
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))
    .unwrap();
    assert_eq!(cut, 1, "B's listener was found and cut");
    let kw_id = contact.key_worker_id.unwrap();
    let mut told = app::store::Notices::new();
    told.event(vec![kw_id], "audit", "{\"after_the_cut\":true}".into());
    a.store.tell(&told, chrono::Utc::now()).await.unwrap();
    assert!(
        stream_says(
            stream.into_body(),
            "after_the_cut",
            std::time::Duration::from_secs(10)
        )
        .await,
        "a change made while B's listener was cut reached the stream on B"
    );

    // Two QA Managers publish the audit form at the same moment, one on each instance:
    // two versions, never an error.
    let form = [("t[key-0]", "voice"), ("t[title-0]", "Voice of the child")];
    let body = form
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let publish = |router: axum::Router| {
        let body = body.clone();
        let qa = qa.clone();
        async move {
            let reply = router
                .oneshot(
                    Request::post("/api/publish_template")
                        .header("cookie", format!("pa_session={qa}"))
                        .header("accept", "application/json")
                        .header("origin", OWN_ORIGIN)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(axum::body::Body::from(body))
                        .unwrap(),
                )
                .await
                .unwrap();
            let status = reply.status();
            let bytes = axum::body::to_bytes(reply.into_body(), 1 << 20)
                .await
                .unwrap();
            (status, String::from_utf8_lossy(&bytes).to_string())
        }
    };
    let (on_a, on_b) = tokio::join!(publish(a.router.clone()), publish(b.clone()));
    assert_eq!(on_a.0, StatusCode::OK, "{}", on_a.1);
    assert_eq!(on_b.0, StatusCode::OK, "{}", on_b.1);
    assert_ne!(on_a.1, on_b.1, "two versions");

    // Signed out on A: B stops answering that session at once, not when its memory of it
    // runs out (30 seconds), and closes the stream it holds for it within a second or so.
    let held = b.clone().oneshot(ask("/events", &kw)).await.unwrap();
    assert_eq!(held.status(), StatusCode::OK);
    let tray = |token: String| {
        let b = b.clone();
        async move {
            b.oneshot(ask("/api/dashboard_figures", &token))
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(tray(kw.clone()).await, StatusCode::OK);
    let out = a.call("sign_out", &[], Some(&kw)).await;
    assert!(out.status.is_success() || out.status.is_redirection());
    let mut ended = false;
    for _ in 0..30 {
        if tray(kw.clone()).await == StatusCode::UNAUTHORIZED {
            ended = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ended, "B forgot the ended session within 3 seconds");
    let closed = tokio::time::timeout(std::time::Duration::from_secs(3), async {
        use futures::StreamExt;
        let mut data = held.into_body().into_data_stream();
        while data.next().await.is_some() {}
    })
    .await;
    assert!(closed.is_ok(), "B closed the signed-out session's stream");
    listening.abort();
}
