//! The retention sweep: each kind of record past its rule goes, everything younger stays,
//! applied imports and audits are never deleted, and the counts are reported.

use crate::common::*;
use app::domain::retention::RetentionRules;
use app::server::SiteSettings;
use chrono::{Duration, Utc};

const KW: &str = "kw.early-help-north.1@anytown.example";

async fn exec(app: &TestApp, sql: &str, at: chrono::DateTime<Utc>, person: i64) {
    app::on_pool!(app.store, |pool| sqlx::query(sql)
        .bind(at)
        .bind(person)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
    .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app::on_pool!(app.store, |pool| sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await)
    .unwrap()
}

/// One record of each kind at `at`, made by `person`.
async fn records_at(app: &TestApp, at: chrono::DateTime<Utc>, person: i64, tag: &str) {
    exec(
        app,
        "INSERT INTO events (person_id, kind, data, created_at) VALUES ($2, 'alert', '{}', $1)",
        at,
        person,
    )
    .await;
    exec(
        app,
        "INSERT INTO alerts_archive (alert_id, person_id, kind, body, created_at, archived_at) \
         VALUES ((SELECT COALESCE(MAX(alert_id), 0) + 1 FROM alerts_archive), $2, 'audit_assigned', 'x', $1, $1)",
        at,
        person,
    )
    .await;
    for status in ["rejected", "discarded", "applied"] {
        exec(
            app,
            &format!(
                "INSERT INTO imports (kind, file_name, status, payload, uploaded_by, uploaded_at) \
                 VALUES ('annex_a', '{tag}.xlsx', '{status}', '{{}}', $2, $1)"
            ),
            at,
            person,
        )
        .await;
    }
    exec(
        app,
        &format!(
            "INSERT INTO staff_imports (file_name, full_list, status, payload, uploaded_by, uploaded_at) \
             VALUES ('{tag}.csv', FALSE, 'rejected', '{{}}', $2, $1)"
        ),
        at,
        person,
    )
    .await;
    exec(
        app,
        &format!(
            "INSERT INTO outbox (message_id, person_id, subject, body, created_at, next_attempt_at, sent_at) \
             VALUES ('{tag}-sent', $2, 's', 'b', $1, $1, $1)"
        ),
        at,
        person,
    )
    .await;
    exec(
        app,
        &format!(
            "INSERT INTO outbox (message_id, person_id, subject, body, created_at, next_attempt_at) \
             VALUES ('{tag}-waiting', $2, 's', 'b', $1, $1)"
        ),
        at,
        person,
    )
    .await;
    exec(
        app,
        &format!(
            "INSERT INTO sign_in_throttle (kind, key, failures, first_at, last_at) \
             VALUES ('account', '{tag}@x', 3, $1, $1)"
        ),
        at,
        person,
    )
    .await;
    exec(
        app,
        "INSERT INTO access_log (person_id, action, outcome, at) VALUES ($2, 'open_case', 'ok', $1)",
        at,
        person,
    )
    .await;
    app.store
        .create_session(&format!("{tag}-session"), person, at)
        .await
        .unwrap();
}

#[tokio::test]
async fn the_sweep_deletes_what_is_past_each_rule_and_counts_it() {
    let app = TestApp::new().await;
    let person = app.person_id(KW).await;
    let now = Utc::now();
    // Past every default rule (and the access log's floor), and well within them.
    records_at(&app, now - Duration::days(800), person, "old").await;
    records_at(&app, now - Duration::hours(2), person, "new").await;
    let live_session = app.sign_in(KW).await;
    let events_before = count(&app, "SELECT COUNT(*) FROM events").await;
    let log_before = count(&app, "SELECT COUNT(*) FROM access_log").await;

    let site = SiteSettings::default();
    let counts = app::server::sweep_retention(&app.store, &site, now)
        .await
        .unwrap();
    assert_eq!(counts.live_events, 1);
    assert_eq!(counts.archived_alerts, 1);
    assert_eq!(
        counts.refused_imports, 3,
        "rejected, discarded and the refused staff file"
    );
    assert_eq!(counts.sent_emails, 1, "an unsent email is never swept");
    // The old session (800 days) and the two-hour-old one (idle past 30 minutes).
    assert_eq!(counts.ended_sessions, 2);
    assert_eq!(counts.sign_in_counts, 1);
    assert_eq!(counts.access_log, 0, "kept while audits are kept");
    assert_eq!(counts.audits_past_policy, 0);

    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM events").await,
        events_before - 1
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM alerts_archive").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM imports WHERE file_name = 'old.xlsx'"
        )
        .await,
        1,
        "the applied import stays"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM imports WHERE file_name = 'new.xlsx'"
        )
        .await,
        3
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM outbox WHERE message_id LIKE 'old-%'"
        )
        .await,
        1
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM access_log").await,
        log_before
    );
    assert_eq!(
        app.call("my_tray", &[], Some(&live_session)).await.status,
        axum::http::StatusCode::OK,
        "a live session is untouched"
    );

    // A second sweep finds nothing more.
    let again = app::server::sweep_retention(&app.store, &site, now)
        .await
        .unwrap();
    assert_eq!(again, Default::default());
}

#[tokio::test]
async fn the_access_log_goes_only_after_the_audits_it_describes() {
    let app = TestApp::new().await;
    let person = app.person_id(KW).await;
    let now = Utc::now();
    records_at(&app, now - Duration::days(8 * 366), person, "ancient").await;
    records_at(&app, now - Duration::days(400), person, "year").await;
    let rules = RetentionRules::parse(|name| match name {
        "RETAIN_AUDITS_YEARS" => Some("7".into()),
        "RETAIN_ACCESS_LOG_DAYS" => Some("2562".into()),
        _ => None,
    })
    .unwrap();
    let site = SiteSettings {
        retention: rules,
        ..SiteSettings::default()
    };
    let counts = app::server::sweep_retention(&app.store, &site, now)
        .await
        .unwrap();
    assert_eq!(counts.access_log, 1, "only the eight-year-old line");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM access_log WHERE at < '2020-01-01'"
        )
        .await,
        0
    );
    // Shorter rules for the rest are honoured too.
    records_at(&app, now - Duration::hours(1), person, "recent").await;
    let short = RetentionRules::parse(|name| match name {
        "RETAIN_LIVE_EVENTS_DAYS" => Some("1".into()),
        _ => None,
    })
    .unwrap();
    let mut site = SiteSettings::default();
    site.retention = short;
    let counts = app::server::sweep_retention(&app.store, &site, now + Duration::days(2))
        .await
        .unwrap();
    assert_eq!(counts.live_events, 1);
}
