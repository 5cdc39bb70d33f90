//! The access log: every read, change and refusal of a case, an audit or a round logged with
//! IDs and the request's ID; *Who has seen this* and the search with its CSV for the QA
//! Manager and the Administrator only; reading the log logged; the log append-only.

use crate::common::journey::*;
use crate::common::moderation::*;
use crate::common::*;
use axum::http::StatusCode;

const ADMIN: &str = "admin@anytown.example";
const KW: &str = "kw.early-help-north.1@anytown.example";
const OTHER_KW: &str = "kw.early-help-south.1@anytown.example";

async fn rows(app: &TestApp, sql: &str) -> i64 {
    app::on_pool!(app.store, |pool| sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await)
    .unwrap()
}

async fn first_case_of(app: &TestApp, email: &str) -> i64 {
    let me = app.person_id(email).await;
    app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT id FROM cases WHERE key_worker_id = $1 ORDER BY id LIMIT 1"
    )
    .bind(me)
    .fetch_one(pool)
    .await)
    .unwrap()
}

#[tokio::test]
async fn reads_and_refusals_of_a_case_are_shown_to_the_qa_manager_and_nobody_else() {
    let app = TestApp::new().await;
    let kw = app.sign_in(KW).await;
    let other = app.sign_in(OTHER_KW).await;
    let case = first_case_of(&app, KW).await.to_string();
    ok(&app
        .call("open_case", &[("case_id", &case)], Some(&kw))
        .await);
    let refused = app
        .call("open_case", &[("case_id", &case)], Some(&other))
        .await;
    assert_ne!(refused.status, StatusCode::OK);
    // The page load is a read as well.
    assert_eq!(
        app.page(&format!("/cases/{case}"), Some(&kw)).await.status,
        StatusCode::OK
    );

    let qa = app.sign_in(QA).await;
    let seen = app
        .call(
            "who_has_seen",
            &[("kind", "case"), ("id", &case)],
            Some(&qa),
        )
        .await;
    ok(&seen);
    let lines = seen.json();
    let lines = lines.as_array().unwrap();
    let kw_name: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT display_name FROM people WHERE email = $1"
    )
    .bind(KW)
    .fetch_one(pool)
    .await)
    .unwrap();
    let by_kw: Vec<_> = lines.iter().filter(|l| l["person"] == kw_name).collect();
    assert_eq!(by_kw.len(), 2, "the call and the page load: {lines:?}");
    assert!(by_kw
        .iter()
        .all(|l| l["action"] == "Open case" && l["outcome"] == "Done"));
    assert!(by_kw
        .iter()
        .all(|l| !l["request_id"].as_str().unwrap().is_empty()));
    assert!(lines
        .iter()
        .any(|l| l["outcome"] == "Refused" && l["refused"] == true));
    // Newest first, and the QA Manager's own look is itself logged.
    let logged_look = rows(
        &app,
        &format!(
            "SELECT COUNT(*) FROM access_log WHERE action = 'who_has_seen' \
             AND record_kind = 'case' AND record_id = {case} AND outcome = 'ok'"
        ),
    )
    .await;
    assert_eq!(logged_look, 1);

    // The Administrator may look; a key worker and a Team Manager may not.
    let admin = app.sign_in(ADMIN).await;
    ok(&app
        .call(
            "who_has_seen",
            &[("kind", "case"), ("id", &case)],
            Some(&admin),
        )
        .await);
    for token in [&kw, &other] {
        let r = app
            .call(
                "who_has_seen",
                &[("kind", "case"), ("id", &case)],
                Some(token),
            )
            .await;
        // About a record: refused as if it were not there.
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app.call("search_access_log", &[], Some(token)).await;
        assert_refused!(r.status);
        assert_eq!(
            app.page("/access-log.csv", Some(token)).await.status,
            StatusCode::NOT_FOUND
        );
    }
    // Only cases and audits have the panel.
    let r = app
        .call(
            "who_has_seen",
            &[("kind", "people"), ("id", "1")],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_audits_reads_changes_and_downloads_are_logged_with_the_request() {
    let app = TestApp::new().await;
    let (_, audits) = assigned_round(&app, "2027-01", AUDITOR, 1).await;
    let audit = audits[0].0.to_string();
    let auditor = app.sign_in(AUDITOR).await;
    ok(&app
        .call("audit_detail", &[("audit_id", &audit)], Some(&auditor))
        .await);
    let outsider = app.sign_in(OTHER_KW).await;
    let refused = app
        .call("audit_detail", &[("audit_id", &audit)], Some(&outsider))
        .await;
    assert_ne!(refused.status, StatusCode::OK);
    let download = app
        .page(&format!("/audits/{audit}/audit.pdf"), Some(&outsider))
        .await;
    assert_ne!(download.status, StatusCode::OK);
    let auditor_id = app.person_id(AUDITOR).await;
    let outsider_id = app.person_id(OTHER_KW).await;
    let count = |sql: String| {
        let app = &app;
        async move { rows(app, &sql).await }
    };
    assert_eq!(
        count(format!(
            "SELECT COUNT(*) FROM access_log WHERE person_id = {auditor_id} \
             AND action = 'audit_detail' AND outcome = 'ok' \
             AND record_kind = 'audit' AND record_id = {audit} AND request_id IS NOT NULL"
        ))
        .await,
        1
    );
    assert_eq!(
        count(format!(
            "SELECT COUNT(*) FROM access_log WHERE person_id = {outsider_id} \
             AND outcome = 'refused' AND record_kind = 'audit' AND record_id = {audit}"
        ))
        .await,
        2,
        "the refused read and the refused download"
    );
    // The request ID in the log is the one the response carried.
    let r = app
        .call("audit_detail", &[("audit_id", &audit)], Some(&auditor))
        .await;
    let id = r.headers["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(
        count(format!(
            "SELECT COUNT(*) FROM access_log WHERE request_id = '{id}' AND record_id = {audit}"
        ))
        .await,
        1
    );
    // Round reads are logged too.
    let qa = app.sign_in(QA).await;
    let rounds = app.call("list_rounds", &[], Some(&qa)).await;
    ok(&rounds);
    let round = rounds.json()[0]["id"].as_i64().unwrap();
    ok(&app
        .call(
            "round_detail",
            &[("round_id", &round.to_string())],
            Some(&qa),
        )
        .await);
    assert_eq!(
        count(format!(
            "SELECT COUNT(*) FROM access_log WHERE action = 'round_detail' \
             AND record_kind = 'round' AND record_id = {round}"
        ))
        .await,
        1
    );
    // The panel on the audit.
    let seen = app
        .call(
            "who_has_seen",
            &[("kind", "audit"), ("id", &audit)],
            Some(&qa),
        )
        .await;
    ok(&seen);
    assert!(seen
        .json()
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["action"] == "Downloaded audit.pdf" && l["outcome"] == "Refused"));
}

#[tokio::test]
async fn the_search_filters_pages_and_exports_and_is_itself_logged() {
    let app = TestApp::new().await;
    let kw = app.sign_in(KW).await;
    let case = first_case_of(&app, KW).await.to_string();
    for _ in 0..3 {
        ok(&app
            .call("open_case", &[("case_id", &case)], Some(&kw))
            .await);
    }
    let kw_id = app.person_id(KW).await.to_string();
    let qa = app.sign_in(QA).await;
    let r = app
        .call(
            "search_access_log",
            &[("person", &kw_id), ("case", &case)],
            Some(&qa),
        )
        .await;
    ok(&r);
    let found = r.json();
    assert_eq!(found["total"], 3);
    assert_eq!(found["lines"][0]["record"], format!("Case {case}"));
    // Everything today, all people: includes the sign-ins.
    let all = app.call("search_access_log", &[], Some(&qa)).await;
    ok(&all);
    assert!(all.json()["total"].as_i64().unwrap() >= 5);
    // Bad input is named field by field.
    let bad = app
        .call(
            "search_access_log",
            &[
                ("person", "Jo"),
                ("from", "2026-12-05"),
                ("to", "2026-01-01"),
            ],
            Some(&qa),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = bad.json()["Invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["person", "from"]);
    // The CSV holds the same search, and the export is logged.
    let csv = app
        .page(
            &format!("/access-log.csv?person={kw_id}&case={case}"),
            Some(&qa),
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(csv.headers["cache-control"], "no-store");
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines[0],
        "When (UTC),Person ID,Person,Action,Outcome,Record,Request ID"
    );
    assert_eq!(lines.len(), 4);
    assert!(lines[1].contains(&format!(",{kw_id},")) && lines[1].contains("Open case,Done"));
    assert_eq!(
        rows(
            &app,
            "SELECT COUNT(*) FROM access_log WHERE action = 'download:access-log.csv' \
             AND outcome = 'ok'"
        )
        .await,
        1
    );
    assert_eq!(
        rows(
            &app,
            "SELECT COUNT(DISTINCT request_id) FROM access_log \
             WHERE action = 'search_access_log'"
        )
        .await,
        3,
        "two searches and one with bad input, each once"
    );
    // The page renders the search form and the table.
    let page = app
        .page(&format!("/access-log?person={kw_id}"), Some(&qa))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Download as CSV"));
    assert!(page.body.contains("Open case"));
}

#[tokio::test]
async fn the_log_cannot_be_changed_or_cut_short() {
    let app = TestApp::new().await;
    app.sign_in(KW).await;
    let update = app::on_pool!(app.store, |pool| sqlx::query(
        "UPDATE access_log SET person_id = NULL"
    )
    .execute(pool)
    .await
    .map(|done| done.rows_affected()));
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = app::on_pool!(app.store, |pool| sqlx::query("DELETE FROM access_log")
        .execute(pool)
        .await
        .map(|done| done.rows_affected()));
    assert!(delete.unwrap_err().to_string().contains("at least a year"));
    // Rows older than the floor may go (the retention sweep's job).
    app::on_pool!(app.store, |pool| sqlx::query(
        "INSERT INTO access_log (person_id, action, outcome, at) \
         VALUES (NULL, 'signed_in', 'ok', '2020-01-01T00:00:00+00:00')",
    )
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))
    .unwrap();
    let old = app::on_pool!(app.store, |pool| sqlx::query(
        "DELETE FROM access_log WHERE at < '2021-01-01'"
    )
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))
    .unwrap();
    assert_eq!(old, 1);
}
