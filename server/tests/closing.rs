//! Rounds close: by themselves once every audit is filed, or by the QA Manager after the due
//! date with a reason for each audit left open. Closing ends auditors' access to the cases,
//! and the draw's 12-month window then applies; workloads count open audits only.

use crate::common::journey::*;
use crate::common::*;
use axum::http::StatusCode;

async fn round_status(app: &TestApp, round: i64) -> String {
    app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT status FROM rounds WHERE id = $1"
    )
    .bind(round)
    .fetch_one(pool)
    .await)
    .unwrap()
}

async fn open_audits_of(app: &TestApp, email: &str) -> i64 {
    let id = app.person_id(email).await;
    app.store
        .auditors()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.person_id == id)
        .map(|a| a.open_audits)
        .unwrap()
}

async fn case_page_status(app: &TestApp, token: &str, case_id: i64) -> StatusCode {
    app.page(&format!("/cases/{case_id}"), Some(token))
        .await
        .status
}

#[tokio::test]
async fn filing_the_last_audit_closes_the_round_and_ends_the_auditors_access_to_the_case() {
    let app = TestApp::new().await;
    let (round, audit, p) = to_findings_discussed(&app, "2027-01").await;
    let case = round_case(&app, round).await;
    assert_eq!(open_audits_of(&app, AUDITOR).await, 1);
    assert_eq!(
        case_page_status(&app, &p.auditor, case.case_id).await,
        StatusCode::OK
    );
    ok(&complete(&app, &p.auditor, audit, &[]).await);
    assert_eq!(
        open_audits_of(&app, AUDITOR).await,
        0,
        "a completed audit is no longer work"
    );
    assert_eq!(
        round_status(&app, round).await,
        "confirmed",
        "not yet filed"
    );

    // Filing tells the key worker, as well as the Team and Service Managers.
    assert!(app
        .tray(&p.kw)
        .await
        .iter()
        .any(|a| a["kind"] == "audit_filed" && a["link"] == format!("/audits/{audit}/record")));
    assert!(!app.emails_to(&p.kw_email).await.is_empty());
    if let Some(tm) = &p.tm_email {
        let tm = app.sign_in(tm).await;
        assert!(app
            .tray(&tm)
            .await
            .iter()
            .any(|a| a["kind"] == "audit_recommendations"));
    }

    ok(&file(&app, &p.auditor, audit).await);
    assert_eq!(round_status(&app, round).await, "closed");
    assert_refused!(
        case_page_status(&app, &p.auditor, case.case_id).await,
        "closing ends the auditor's access to the case"
    );
    let r = app
        .call(
            "audit_detail",
            &[("audit_id", &audit.to_string())],
            Some(&p.auditor),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "they keep their own filed audit");
    let r = app
        .call(
            "round_detail",
            &[("round_id", &round.to_string())],
            Some(&p.qa),
        )
        .await;
    assert!(r.json()["closed"].is_array(), "{}", r.body);
}

#[tokio::test]
async fn the_qa_manager_closes_a_round_after_its_due_date_giving_a_reason_for_each_open_audit() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    // A round not yet due cannot be closed while it has open audits.
    let future = drawn_round(&app, &qa, "2099-03").await;
    ok(&confirm(&app, &qa, future).await);
    let r = app
        .call(
            "close_round",
            &[("round_id", &future.to_string())],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.json()["Invalid"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not due until"),
        "{}",
        r.body
    );

    // A round past its due date, with one audit under way.
    let round = drawn_round(&app, &qa, "2026-10").await;
    ok(&confirm(&app, &qa, round).await);
    ok(&assign(&app, &qa, round).await);
    let audit = audit_of(&app, round).await.unwrap();
    let case = round_case(&app, round).await;
    let detail = app
        .call(
            "round_detail",
            &[("round_id", &round.to_string())],
            Some(&qa),
        )
        .await
        .json();
    let closing = detail["closing"]
        .as_array()
        .expect("the closing form is offered");
    assert_eq!(closing.len(), 1);
    // Only the QA Manager closes, and each open audit needs a reason.
    let auditor = app.sign_in(AUDITOR).await;
    let r = app
        .call(
            "close_round",
            &[("round_id", &round.to_string())],
            Some(&auditor),
        )
        .await;
    assert_refused!(r.status);
    let r = app
        .call(
            "close_round",
            &[("round_id", &round.to_string())],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["Invalid"][0]["field"],
        format!("reason-{}", case.round_case_id)
    );
    let field = format!("reason[{}]", case.round_case_id);
    let long = "x".repeat(501);
    let r = app
        .call(
            "close_round",
            &[("round_id", &round.to_string()), (&field, &long)],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(round_status(&app, round).await, "confirmed");
    let r = app
        .call(
            "close_round",
            &[
                ("round_id", &round.to_string()),
                (&field, "Key worker on long-term sick leave"),
            ],
            Some(&qa),
        )
        .await;
    ok(&r);
    assert_eq!(round_status(&app, round).await, "closed");
    let again = app
        .call(
            "close_round",
            &[("round_id", &round.to_string()), (&field, "again")],
            Some(&qa),
        )
        .await;
    assert_eq!(
        again.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "closed once"
    );

    // The audit stays open, and overdue, for its auditor, who is told.
    assert_eq!(state(&app, audit).await, "assigned");
    assert!(app
        .tray(&auditor)
        .await
        .iter()
        .any(|a| a["kind"] == "round_closed"));
    let mine = app.call("my_audits", &[], Some(&auditor)).await.json();
    let listed = mine["audits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == audit)
        .cloned()
        .expect("the auditor keeps their open audit");
    assert_eq!(listed["deadline"], "Overdue");
    // The round page keeps the reason.
    let detail = app
        .call(
            "round_detail",
            &[("round_id", &round.to_string())],
            Some(&qa),
        )
        .await
        .json();
    assert_eq!(
        detail["closed"][1][0]["reason"],
        "Key worker on long-term sick leave"
    );
    // The auditor no longer sees the case itself.
    assert_refused!(case_page_status(&app, &auditor, case.case_id).await);
}

/// A closed round for `month` holding one drawn List 7 case; returns the case.
async fn closed_round_with_one_case(app: &TestApp, qa: &str, month: &str) -> i64 {
    let round = drawn_round(app, qa, month).await;
    ok(&confirm(app, qa, round).await);
    let case = round_case(app, round).await;
    let field = format!("reason[{}]", case.round_case_id);
    ok(&app
        .call(
            "close_round",
            &[
                ("round_id", &round.to_string()),
                (&field, "Closed for the test"),
            ],
            Some(qa),
        )
        .await);
    case.case_id
}

#[tokio::test]
async fn a_case_audited_13_months_ago_may_be_drawn_again_but_not_one_audited_11_months_ago() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let thirteen = closed_round_with_one_case(&app, &qa, "2025-12").await;
    let eleven = closed_round_with_one_case(&app, &qa, "2026-02").await;
    assert_ne!(thirteen, eleven);
    let pool = app
        .store
        .eligible_pool(
            app::store::PoolFilter::List(app::domain::AnnexList::ChildProtection),
            app::domain::calendar::AuditMonth::parse("2027-01").unwrap(),
            12,
            0,
        )
        .await
        .unwrap();
    assert!(pool.contains(&thirteen), "13 months ago: eligible again");
    assert!(!pool.contains(&eleven), "11 months ago: still left out");
}

#[tokio::test]
async fn cases_with_no_key_worker_are_never_drawn_and_the_round_says_how_many_were_left_out() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    // Every List 7 case but one loses its key worker.
    let keep: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT MIN(c.id) FROM cases c JOIN case_lists l ON l.case_id = c.id WHERE l.annex_list = 7",
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    let unallocated = app::on_pool!(app.store, |pool| sqlx::query(
        "UPDATE cases SET key_worker_id = NULL WHERE id <> $1 AND id IN (SELECT case_id FROM case_lists WHERE annex_list = 7)",
    )
    .bind(keep)
    .execute(pool)
    .await.map(|done| done.rows_affected()))
    .unwrap();
    assert!(unallocated > 0);
    let r = app
        .call("create_round", &[("month", "2027-01")], Some(&qa))
        .await;
    let round = r.json().as_i64().unwrap();
    ok(&app
        .call(
            "draw_round",
            &[("round_id", &round.to_string()), ("quota_7", "5")],
            Some(&qa),
        )
        .await);
    let selected = app.store.selection_contacts(round).await.unwrap();
    assert_eq!(selected.len(), 1, "only the allocated case could be drawn");
    assert_eq!(selected[0].case_id, keep);
    let detail = app
        .call(
            "round_detail",
            &[("round_id", &round.to_string())],
            Some(&qa),
        )
        .await
        .json();
    assert_eq!(
        detail["draw"]["unallocated_left_out"].as_u64().unwrap(),
        unallocated
    );
    let page = app.page(&format!("/rounds/{round}"), Some(&qa)).await;
    assert!(
        page.body.contains("no key worker"),
        "the round page says so"
    );
}

#[tokio::test]
async fn completing_files_what_was_on_the_screen_and_changed_findings_go_back_to_the_key_worker() {
    let app = TestApp::new().await;
    let (_, audit, p) = to_findings_discussed(&app, "2027-01").await;
    // Saving a change to the required actions (not findings) keeps the confirmation.
    let v = version(&app, audit).await;
    let mut form = filled(audit, v);
    form.push(("f[action-2]".into(), "Book a review".into()));
    ok(&post(&app, "save_draft", &form, &p.auditor).await);
    assert_eq!(state(&app, audit).await, "findings_discussed");
    assert!(!app
        .tray(&p.kw)
        .await
        .iter()
        .any(|a| a["kind"] == "findings_changed"));
    // Changing a grade after the key worker confirmed: kept, and sent back to them.
    let r = complete(
        &app,
        &p.auditor,
        audit,
        &[("f[grade-voice]", "outstanding")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("asked to confirm them again"), "{}", r.body);
    assert_eq!(state(&app, audit).await, "in_progress");
    assert!(app
        .tray(&p.kw)
        .await
        .iter()
        .any(|a| a["kind"] == "findings_changed"));
    let draft: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT draft FROM audits WHERE id = $1"
    )
    .bind(audit)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert!(
        draft.contains("Outstanding"),
        "the change was kept: {draft}"
    );
    // Completing now names the reason rather than a state.
    let r = complete(
        &app,
        &p.auditor,
        audit,
        &[("f[grade-voice]", "outstanding")],
    )
    .await;
    assert!(
        r.body.contains("has not confirmed the findings"),
        "{}",
        r.body
    );
    ok(&confirm_findings(&app, &p.kw, audit).await);

    // A required action typed just before Complete is filed with it.
    let r = complete(
        &app,
        &p.auditor,
        audit,
        &[
            ("f[grade-voice]", "outstanding"),
            ("f[action-1]", "Typed a moment before Complete"),
            ("f[owner-1]", "Team Manager"),
            ("f[due-1]", "2027-03-01"),
        ],
    )
    .await;
    ok(&r);
    assert_eq!(state(&app, audit).await, "completed");
    let actions: Vec<String> = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT action FROM audit_actions WHERE audit_id = $1 ORDER BY id"
    )
    .bind(audit)
    .fetch_all(pool)
    .await)
    .unwrap();
    assert_eq!(
        actions,
        vec![
            "Update the child protection plan",
            "Typed a moment before Complete"
        ],
        "what was on the screen, not the last save"
    );
    let note: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT case_note FROM audits WHERE id = $1"
    )
    .bind(audit)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert!(note.contains("Typed a moment before Complete"), "{note}");
}

#[tokio::test]
async fn a_stored_state_the_domain_does_not_know_is_reported_as_corrupt_not_guessed() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let round = drawn_round(&app, &qa, "2027-01").await;
    ok(&confirm(&app, &qa, round).await);
    ok(&assign(&app, &qa, round).await);
    let audit = audit_of(&app, round).await.unwrap();
    // Only possible past the database's own checks (a hand edit, a bad copy).
    match app.store.db() {
        app::store::Db::Sqlite(pool) => {
            let mut conn = pool.acquire().await.unwrap();
            sqlx::query("PRAGMA ignore_check_constraints = ON")
                .execute(&mut *conn)
                .await
                .unwrap();
            sqlx::query("UPDATE audits SET state = 'lost' WHERE id = $1")
                .bind(audit)
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        app::store::Db::Postgres(pool) => {
            sqlx::query("ALTER TABLE audits DROP CONSTRAINT audits_state_check")
                .execute(pool)
                .await
                .unwrap();
            sqlx::query("UPDATE audits SET state = 'lost' WHERE id = $1")
                .bind(audit)
                .execute(pool)
                .await
                .unwrap();
        }
    }
    match app.store.audit(audit).await {
        Err(app::store::StoreError::Corrupt(why)) => {
            assert!(why.contains("state"), "names the column: {why}")
        }
        other => panic!("expected a Corrupt error, got {other:?}"),
    }
    let auditor = app.sign_in(AUDITOR).await;
    let r = app
        .call(
            "audit_detail",
            &[("audit_id", &audit.to_string())],
            Some(&auditor),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::INTERNAL_SERVER_ERROR,
        "a plain error, never a guess"
    );
}
