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

/// The events of one stream, as `(id, data)`, parsed from server-sent-event blocks; the
/// blocks without an ID (the `retry:` hint, keep-alives) are skipped.
fn sse_events(buffer: &mut String) -> Vec<(i64, String)> {
    let mut found = Vec::new();
    while let Some(end) = buffer.find("\n\n") {
        let block: String = buffer.drain(..end + 2).collect();
        let mut id = None;
        let mut data = String::new();
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("id:") {
                id = v.trim().parse::<i64>().ok();
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push_str(v.trim_start());
            }
        }
        if let Some(id) = id {
            found.push((id, data));
        }
    }
    found
}

/// Eight writers, half on each instance, write 4,000 events for one key worker while that
/// key worker's tab keeps dropping its stream and resuming it with `Last-Event-ID` on
/// either instance at random: it is sent every event once, in ascending order, and what
/// it was sent is what the database holds. On SQLite (one instance) the writers and the
/// stream share the one instance.
#[tokio::test]
async fn a_stream_resumed_at_random_during_eight_writers_sees_each_event_once_in_order() {
    use axum::http::{Request, StatusCode};
    use futures::StreamExt;
    use rand::{Rng, SeedableRng};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use tower::ServiceExt;
    const WRITERS: usize = 8;
    const EACH: usize = 500;

    let a = TestApp::new().await;
    let shared = a.store.dialect() == app::store::Dialect::Postgres;
    // Instance B: on PostgreSQL its own pool, bus, router and listener; on SQLite, A again.
    let (b_store, b_site, b) = if shared {
        let store = Store::connect(&a.url).await.unwrap();
        let site = app::server::SiteSettings::default();
        let router = server::router(
            store.clone(),
            leptos::prelude::LeptosOptions::builder()
                .output_name("practice-audit")
                .build(),
            site.clone(),
        );
        (store, site, router)
    } else {
        (a.store.clone(), a.site.clone(), a.router.clone())
    };
    let listeners = if shared {
        vec![
            server::spawn_notice_listener(a.store.clone(), &a.site),
            server::spawn_notice_listener(b_store.clone(), &b_site),
        ]
    } else {
        Vec::new()
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let qa = a.sign_in(QA).await;
    let round = journey::drawn_round(&a, &qa, "2027-01").await;
    let kw_id = journey::round_case(&a, round).await.key_worker_id.unwrap();
    let kw = a.sign_in(&journey::email_of(&a, kw_id).await).await;
    let qa_id: i64 = app::on_pool!(a.store, |pool| sqlx::query_scalar(
        "SELECT id FROM people WHERE email = $1"
    )
    .bind(QA)
    .fetch_one(pool)
    .await)
    .unwrap();
    let start = a.store.last_event_id().await.unwrap();

    // The writers: each change is one transaction of one to five events, some of them for
    // the QA Manager as well, and is told to its own instance's streams after it commits
    // (as a server function does); the other instance hears of it through PostgreSQL.
    let written = Arc::new(AtomicUsize::new(0));
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (store, site) = if w % 2 == 0 {
            (a.store.clone(), a.site.clone())
        } else {
            (b_store.clone(), b_site.clone())
        };
        let written = written.clone();
        writers.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(w as u64);
            let mut n = 0;
            while n < EACH {
                let batch = rng.random_range(1..=5).min(EACH - n);
                let mut told = app::store::Notices::new();
                for _ in 0..batch {
                    let people = if rng.random_bool(0.3) {
                        vec![kw_id, qa_id]
                    } else {
                        vec![kw_id]
                    };
                    told.event(people, "audit", format!("{{\"writer\":{w},\"n\":{n}}}"));
                    n += 1;
                }
                store.tell(&told, chrono::Utc::now()).await.unwrap();
                site.events.0.published(&[kw_id, qa_id]);
                written.fetch_add(batch, Ordering::SeqCst);
            }
        }));
    }

    // The tab: on A or B at random, it reads a few events (or waits a moment) and drops
    // the stream, then resumes from the last event ID it saw.
    let mut rng = rand::rngs::StdRng::seed_from_u64(17);
    let mut seen: Vec<(i64, String)> = Vec::new();
    let mut last = start;
    let mut resumed = 0;
    // Once every writer is done, the tab has ten seconds without a new event to catch up:
    // an event skipped for good ends the test there, not at a long timeout.
    let mut progress = tokio::time::Instant::now();
    let quiet = std::time::Duration::from_secs(10);
    while seen.len() < WRITERS * EACH
        && (written.load(Ordering::SeqCst) < WRITERS * EACH || progress.elapsed() < quiet)
    {
        let router = if rng.random_bool(0.5) {
            a.router.clone()
        } else {
            b.clone()
        };
        let reply = router
            .oneshot(
                Request::get("/events")
                    .header("cookie", format!("pa_session={kw}"))
                    .header("accept", "text/event-stream")
                    .header("last-event-id", last.to_string())
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(reply.status(), StatusCode::OK);
        resumed += 1;
        let mut data = reply.into_body().into_data_stream();
        let mut buffer = String::new();
        let take = rng.random_range(1..=400usize);
        let wait = std::time::Duration::from_millis(rng.random_range(20..300));
        let mut taken = 0;
        while taken < take {
            match tokio::time::timeout(wait, data.next()).await {
                Ok(Some(Ok(chunk))) => {
                    buffer.push_str(&String::from_utf8_lossy(&chunk));
                    for event in sse_events(&mut buffer) {
                        last = event.0;
                        progress = tokio::time::Instant::now();
                        seen.push(event);
                        taken += 1;
                    }
                }
                Ok(Some(Err(error))) => panic!("stream failed: {error}"),
                // Closed by the server, or quiet for a while: drop it and resume.
                _ => break,
            }
        }
        // Anything past `take` that arrived in the same chunk was still sent and counted;
        // the stream is dropped here, mid-flow.
    }
    for writer in writers {
        writer.await.unwrap();
    }
    for listener in listeners {
        listener.abort();
    }
    assert_eq!(written.load(Ordering::SeqCst), WRITERS * EACH);
    assert!(resumed > 10, "the stream was resumed only {resumed} times");

    let ids: Vec<i64> = seen.iter().map(|(id, _)| *id).collect();
    for pair in ids.windows(2) {
        assert!(
            pair[0] < pair[1],
            "event {} came after {}: out of order or twice",
            pair[1],
            pair[0]
        );
    }
    let stored: Vec<(i64, String)> = app::on_pool!(a.store, |pool| sqlx::query_as(
        "SELECT id, data FROM events WHERE person_id = $1 AND id > $2 ORDER BY id"
    )
    .bind(kw_id)
    .bind(start)
    .fetch_all(pool)
    .await)
    .unwrap();
    assert_eq!(stored.len(), WRITERS * EACH);
    let missing: Vec<i64> = stored
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| ids.binary_search(id).is_err())
        .collect();
    assert!(
        missing.is_empty(),
        "{} events never reached the tab (resumed {resumed} times), first {:?}",
        missing.len(),
        &missing[..missing.len().min(5)]
    );
    assert_eq!(seen.len(), stored.len(), "resumed {resumed} times");
    assert!(seen == stored, "the stream's events are the database's");
}
