//! The role × function matrix: every server function and download route, called as each
//! kind of caller on a real record, answers as the table beside it says. A server function
//! without a row fails the test, so a new one cannot ship without its access decided.
//!
//! Callers: nobody signed in; the key worker whose case was audited (own record); a key
//! worker of another team (someone else's record); the QA Manager; the Administrator.
//! Outcomes: `U` 401, `D` refused (403, or 404 for a record they may not see), `A` let
//! through (any answer but 401, 403 and 500: a form may still have problems), `N` 404.
//!
//! `MATRIX_PRINT=1` prints what each caller got, as rows to paste, for review.

use crate::common::journey::*;
use crate::common::moderation::*;
use crate::common::*;
use axum::http::StatusCode;
use std::collections::BTreeSet;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum E {
    U,
    D,
    A,
    N,
}
use E::*;

impl E {
    fn holds(self, status: StatusCode) -> bool {
        let s = status.as_u16();
        match self {
            U => s == 401,
            D => s == 403 || s == 404,
            A => !matches!(s, 401 | 403 | 500),
            N => s == 404,
        }
    }
}

/// (function or `GET path`, form with placeholders, [nobody, owner, other team, QA, Admin]).
/// Placeholders: {audit} {case} {round} {summary} {report} {me}.
const ROWS: &[(&str, &str, [E; 5])] = &[
    ("who_has_seen", "kind=case&id={case}", [U, D, D, A, A]),
    ("search_access_log", "", [U, D, D, A, A]),
    ("action_reviews", "", [U, A, A, A, A]),
    ("assign_action_reviews", "round_id={round}", [U, D, D, A, D]),
    ("action_review_detail", "audit_id={audit}", [U, A, D, A, D]),
    (
        "update_action",
        "audit_id={audit}&action_id=1&status=open",
        [U, A, D, A, D],
    ),
    (
        "add_review_action",
        "audit_id={audit}&action=x",
        [U, A, D, A, D],
    ),
    (
        "finalise_action_review",
        "audit_id={audit}",
        [U, A, D, A, D],
    ),
    ("my_audits", "", [U, A, A, A, A]),
    ("audit_detail", "audit_id={audit}", [U, A, D, A, D]),
    ("propose_times", "audit_id={audit}", [U, A, D, A, D]),
    ("accept_time", "audit_id={audit}&time_id=1", [U, A, D, A, D]),
    ("save_draft", "audit_id={audit}&version=1", [U, D, D, A, D]),
    (
        "record_feedback",
        "audit_id={audit}&how=x&given_on=x&said=x",
        [U, D, D, A, D],
    ),
    ("confirm_findings", "audit_id={audit}", [U, A, D, A, D]),
    (
        "record_discussion_held",
        "audit_id={audit}&held_at=2026-11-01T10:00",
        [U, A, D, A, D],
    ),
    (
        "complete_audit",
        "audit_id={audit}&version=1",
        [U, A, D, A, D],
    ),
    (
        "mark_uploaded",
        "audit_id={audit}&reference=R1",
        [U, A, D, A, D],
    ),
    ("audit_template", "", [U, D, D, A, D]),
    ("publish_template", "", [U, D, D, A, D]),
    ("current_user", "", [A, A, A, A, A]),
    (
        "sign_in",
        "email=nobody@anytown.example&password=wrong",
        [A, A, A, A, A],
    ),
    ("stay_signed_in", "", [U, A, A, A, A]),
    ("session_left", "", [U, A, A, A, A]),
    ("sign_out_everywhere", "", [U, A, A, A, A]),
    ("sign_out", "", [A, A, A, A, A]),
    ("check_link", "token=x", [A, A, A, A, A]),
    ("set_password", "token=x&password=y", [A, A, A, A, A]),
    (
        "forgot_password",
        "email=nobody@anytown.example",
        [A, A, A, A, A],
    ),
    (
        "change_password",
        "current=wrong&password=y",
        [U, A, A, A, A],
    ),
    ("closure_days", "", [U, D, D, A, A]),
    ("add_closure_day", "day=x&reason=y", [U, D, D, D, A]),
    ("load_bank_holidays", "json=x", [U, D, D, D, A]),
    ("list_cases", "", [U, A, A, A, D]),
    ("open_case", "case_id={case}", [U, A, D, A, D]),
    ("dashboard_figures", "", [U, A, A, A, A]),
    ("my_dashboard", "", [U, A, A, A, A]),
    ("dashboard_list", "query=x", [U, D, D, A, D]),
    ("difference_library", "", [U, A, A, A, A]),
    ("difference_detail", "id={summary}", [U, A, D, A, D]),
    ("difference_interview", "id={summary}", [U, A, D, A, D]),
    ("start_difference", "", [U, D, D, A, D]),
    ("save_difference", "id={summary}&version=1", [U, D, D, A, D]),
    (
        "clear_difference_flag",
        "id={summary}&key=x&reason=y",
        [U, D, D, A, D],
    ),
    (
        "publish_difference",
        "id={summary}&version=1",
        [U, D, D, A, D],
    ),
    ("add_interviewee", "id={summary}", [U, D, D, A, D]),
    ("propose_interview", "id={summary}", [U, D, D, A, D]),
    (
        "accept_interview",
        "id={summary}&time_id=1",
        [U, A, D, A, D],
    ),
    ("directory", "", [U, D, D, A, A]),
    ("save_team", "team_id=1", [U, D, D, A, A]),
    (
        "decide_team_change",
        "change_id=1&decision=confirm",
        [U, D, D, A, D],
    ),
    ("add_team", "name=", [U, D, D, A, A]),
    ("set_case_iro", "case_id={case}", [U, D, D, A, D]),
    ("set_lead_practitioner", "case_id={case}", [U, D, D, A, D]),
    ("lead_practitioner_gaps", "", [U, D, D, A, D]),
    ("pool_overview", "", [U, D, D, A, D]),
    ("list_imports", "", [U, D, D, A, D]),
    ("import_detail", "import_id=1", [U, D, D, A, D]),
    (
        "map_import_name",
        "import_id=1&kind=team&name=x",
        [U, D, D, A, D],
    ),
    ("apply_import", "import_id=1", [U, D, D, A, D]),
    ("discard_import", "import_id=1", [U, D, D, A, D]),
    ("moderation_home", "", [U, D, D, A, D]),
    ("moderation_round", "round_id={round}", [U, D, D, A, D]),
    ("draw_moderation", "round_id={round}", [U, D, D, A, D]),
    (
        "withdraw_moderation",
        "round_id={round}&sample_id=1",
        [U, D, D, A, D],
    ),
    ("audit_moderation", "audit_id={audit}", [U, A, D, A, D]),
    ("record_moderation", "audit_id={audit}", [U, D, D, A, D]),
    (
        "record_moderation_outcome",
        "audit_id={audit}",
        [U, D, D, A, D],
    ),
    ("moderation_results", "", [U, D, D, A, D]),
    ("outbox_problems", "", [U, D, D, D, A]),
    ("retry_email", "email_id=1", [U, D, D, D, A]),
    ("people_list", "", [U, D, D, D, A]),
    ("team_choices", "", [U, D, D, D, A]),
    ("person", "person_id={me}", [U, D, D, D, A]),
    ("add_person", "name=x&email=x", [U, D, D, D, A]),
    ("send_person_link", "person_id=999999", [U, D, D, D, A]),
    (
        "save_person",
        "person_id=999999&name=x&email=x",
        [U, D, D, D, A],
    ),
    ("save_roles", "person_id=999999", [U, D, D, D, A]),
    ("deactivate_person", "person_id=999999", [U, D, D, D, A]),
    ("reactivate_person", "person_id=999999", [U, D, D, D, A]),
    ("person_open_work", "person_id={me}", [U, D, D, A, A]),
    ("staff_import", "import_id=1", [U, D, D, D, A]),
    ("deactivate_missing", "import_id=1", [U, D, D, D, A]),
    ("sign_in_lockouts", "", [U, D, D, D, A]),
    ("lift_lockout", "kind=account&key=x", [U, D, D, D, A]),
    ("reports_overview", "", [U, D, D, A, D]),
    ("start_report", "first=x", [U, D, D, A, D]),
    ("report_detail", "id={report}", [U, D, D, A, D]),
    ("save_report", "id={report}&version=1", [U, D, D, A, D]),
    (
        "clear_report_flag",
        "id={report}&key=x&reason=y",
        [U, D, D, A, D],
    ),
    ("comment_on_report", "id={report}", [U, D, D, A, D]),
    ("finalise_report", "id={report}&version=1", [U, D, D, A, D]),
    ("report_presented", "id={report}", [U, D, D, A, D]),
    ("newsletters_overview", "", [U, D, D, A, D]),
    ("start_newsletter", "issue=x", [U, D, D, A, D]),
    ("newsletter_detail", "id=1", [U, D, D, A, D]),
    ("save_newsletter", "id=1&version=1", [U, D, D, A, D]),
    (
        "clear_newsletter_flag",
        "id=1&key=x&reason=y",
        [U, D, D, A, D],
    ),
    ("finalise_newsletter", "id=1&version=1", [U, D, D, A, D]),
    ("confirm_round", "round_id={round}", [U, D, D, A, D]),
    ("assign_auditors", "round_id={round}", [U, D, D, A, D]),
    ("close_round", "round_id={round}", [U, D, D, A, D]),
    ("list_rounds", "", [U, D, D, A, D]),
    ("create_round", "month=x", [U, D, D, A, D]),
    ("round_detail", "round_id={round}", [U, D, D, A, D]),
    ("draw_round", "round_id={round}", [U, D, D, A, D]),
    ("verify_draw", "round_id={round}", [U, D, D, A, D]),
    (
        "withdraw_case",
        "round_id={round}&case_id={case}&reason=x",
        [U, D, D, A, D],
    ),
    ("sessions_overview", "", [U, A, A, A, A]),
    ("arrange_session", "kind=feedback", [U, D, D, A, D]),
    ("session_detail", "id=1", [U, D, D, A, D]),
    ("accept_session", "id=1", [U, D, D, A, D]),
    ("record_attendance", "id=1", [U, D, D, A, D]),
    ("give_session_feedback", "id=1", [U, D, D, A, D]),
    (
        "tag_session_feedback",
        "id=1&feedback_id=1",
        [U, D, D, A, D],
    ),
    ("themes_overview", "", [U, D, D, A, D]),
    ("add_theme", "name=", [U, D, D, A, D]),
    ("save_theme", "id=1&name=", [U, D, D, A, D]),
    ("retire_theme", "id=1&retire=true", [U, D, D, A, D]),
    ("theme_detail", "id=1", [U, D, D, A, D]),
    ("audit_findings", "audit_id={audit}", [U, D, D, A, D]),
    ("tag_audit", "audit_id={audit}", [U, D, D, A, D]),
    ("my_tray", "", [U, A, A, A, A]),
    ("mark_alert_read", "alert_id=999999", [U, N, N, N, N]),
    ("upload_annex_a", "", [U, D, D, A, D]),
    ("upload_directory", "kind=teams", [U, D, D, A, A]),
    ("upload_directory", "kind=leads", [U, D, D, A, D]),
    ("upload_staff", "", [U, D, D, D, A]),
    // Downloads and the event stream.
    ("GET /audits/{audit}/audit.pdf", "", [U, A, D, A, D]),
    ("GET /audits/{audit}/audit.docx", "", [U, A, D, A, D]),
    ("GET /audits/{audit}/case-note.txt", "", [U, A, D, A, D]),
    ("GET /audits/{audit}/discussion.ics", "", [U, A, D, A, D]),
    (
        "GET /make-a-difference/{summary}/interview.ics",
        "",
        [U, A, D, A, D],
    ),
    ("GET /reports/{report}/report.docx", "", [U, D, D, A, D]),
    ("GET /reports/{report}/figures.xlsx", "", [U, D, D, A, D]),
    ("GET /sessions/1/session.ics", "", [U, D, D, A, D]),
    ("GET /moderation/results.csv", "", [U, D, D, A, D]),
    ("GET /access-log.csv", "", [U, D, D, A, A]),
];

const CALLERS: [&str; 5] = [
    "nobody",
    "owner",
    "other team",
    "QA Manager",
    "Administrator",
];

#[tokio::test]
async fn every_function_answers_each_caller_as_the_table_says() {
    let app = TestApp::new().await;
    // A moderated good audit with its Make A Difference summary, and a report.
    let (audit, summary, _) = confirmed_good(&app, "2026-06").await;
    let (case, round, owner_team): (i64, i64, i64) = app::on_pool!(app.store, |pool| {
        sqlx::query_as(
        "SELECT a.case_id, rc.round_id, c.team_id FROM audits a JOIN cases c ON c.id = a.case_id \
         JOIN round_cases rc ON rc.id = a.round_case_id WHERE a.id = $1",
    )
    .bind(audit)
    .fetch_one(pool)
    .await
    })
    .unwrap();
    let other_email: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT p.email FROM people p JOIN person_roles r ON r.person_id = p.id \
         WHERE r.role = 'key_worker' AND p.team_id != $1 AND p.active = TRUE ORDER BY p.id LIMIT 1",
    )
    .bind(owner_team)
    .fetch_one(pool)
    .await)
    .unwrap();
    let owner_email: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT p.email FROM people p JOIN cases c ON c.key_worker_id = p.id WHERE c.id = $1",
    )
    .bind(case)
    .fetch_one(pool)
    .await)
    .unwrap();
    let qa = app.sign_in(QA).await;
    let r = app
        .call("start_report", &[("first", "2026-06")], Some(&qa))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let report = r.json().as_i64().unwrap();
    let admin_email = "admin@anytown.example";
    let emails = [
        None,
        None,
        Some(other_email),
        Some(QA.to_string()),
        Some(admin_email.to_string()),
    ];

    // Every registered server function has a row.
    let registered: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    let rows: BTreeSet<String> = ROWS
        .iter()
        .filter(|(name, ..)| !name.starts_with("GET "))
        .map(|(name, ..)| name.to_string())
        .collect();
    let missing: Vec<_> = registered.difference(&rows).collect();
    assert!(
        missing.is_empty(),
        "server functions with no row in the matrix: {missing:?}"
    );
    let stale: Vec<_> = rows.difference(&registered).collect();
    assert!(
        stale.is_empty(),
        "rows for functions that no longer exist: {stale:?}"
    );

    let print = std::env::var("MATRIX_PRINT").is_ok();
    let mut wrong = Vec::new();
    for (name, form, expected) in ROWS {
        for (i, want) in expected.iter().enumerate() {
            // A fresh session each call: some rows end the caller's sessions.
            let token = match i {
                0 => None,
                1 => Some(app.sign_in(&owner_email).await),
                _ => Some(app.sign_in(emails[i].as_deref().unwrap()).await),
            };
            let me = match &token {
                Some(t) => {
                    app.call("current_user", &[], Some(t)).await.json()["person_id"].to_string()
                }
                None => "1".into(),
            };
            let fill = |s: &str| {
                s.replace("{audit}", &audit.to_string())
                    .replace("{case}", &case.to_string())
                    .replace("{round}", &round.to_string())
                    .replace("{summary}", &summary.to_string())
                    .replace("{report}", &report.to_string())
                    .replace("{me}", &me)
            };
            let reply = if let Some(path) = name.strip_prefix("GET ") {
                app.page(&fill(path), token.as_deref()).await
            } else if name.starts_with("upload_") {
                let fields: Vec<(String, String)> = fill(form)
                    .split('&')
                    .filter(|p| !p.is_empty())
                    .filter_map(|p| p.split_once('=').map(|(k, v)| (k.into(), v.into())))
                    .collect();
                let refs: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                app.upload(
                    name,
                    &refs,
                    ("x.csv", b"a,b\n1,2\n"),
                    token.as_deref(),
                    false,
                )
                .await
            } else {
                let fields: Vec<(String, String)> = fill(form)
                    .split('&')
                    .filter(|p| !p.is_empty())
                    .filter_map(|p| p.split_once('=').map(|(k, v)| (k.into(), v.into())))
                    .collect();
                let refs: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                app.call(name, &refs, token.as_deref()).await
            };
            if print {
                println!("{name} {} -> {}", CALLERS[i], reply.status.as_u16());
            }
            if !want.holds(reply.status) {
                wrong.push(format!(
                    "{name} as {}: {} (expected {want:?}) {}",
                    CALLERS[i],
                    reply.status,
                    reply.body.chars().take(120).collect::<String>()
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} answers differ from the table:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
