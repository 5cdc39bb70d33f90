//! One audit's journey, step by step through the server functions, for tests that need to
//! stop (or break) it at a given step.

use super::{Reply, TestApp};
use axum::http::StatusCode;

pub const QA: &str = "qa.manager@anytown.example";
pub const AUDITOR: &str = "auditor.1@anytown.example";

/// A filled-in form, as the browser posts it.
pub fn filled(audit: i64, version: i64) -> Vec<(String, String)> {
    let mut f = vec![
        ("audit_id".to_string(), audit.to_string()),
        ("version".to_string(), version.to_string()),
    ];
    for key in [
        "voice",
        "assessment",
        "planning",
        "oversight",
        "multi_agency",
        "recording",
        "impact",
    ] {
        f.push((format!("f[grade-{key}]"), "good".into()));
        f.push((format!("f[narrative-{key}]"), format!("Findings on {key}.")));
    }
    f.push(("f[overall]".into(), "good".into()));
    f.push((
        "f[strengths]".into(),
        "Warm relationship with the child.".into(),
    ));
    f.push((
        "f[action-0]".into(),
        "Update the child protection plan".into(),
    ));
    f.push(("f[owner-0]".into(), "Key worker".into()));
    f.push(("f[due-0]".into(), "2027-02-15".into()));
    f
}

pub async fn post(app: &TestApp, name: &str, form: &[(String, String)], token: &str) -> Reply {
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.call(name, &refs, Some(token)).await
}

pub fn ok(reply: &Reply) {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

/// A round for `month` with one List 7 case drawn (not yet confirmed).
pub async fn drawn_round(app: &TestApp, qa: &str, month: &str) -> i64 {
    let r = app
        .call("create_round", &[("month", month)], Some(qa))
        .await;
    ok(&r);
    let round = r.json().as_i64().unwrap();
    let r = app
        .call(
            "draw_round",
            &[("round_id", &round.to_string()), ("quota_7", "1")],
            Some(qa),
        )
        .await;
    ok(&r);
    round
}

pub async fn confirm(app: &TestApp, qa: &str, round: i64) -> Reply {
    app.call(
        "confirm_round",
        &[("round_id", &round.to_string())],
        Some(qa),
    )
    .await
}

/// The round's one case.
pub async fn round_case(app: &TestApp, round: i64) -> app::store::SelectionContact {
    app.store.selection_contacts(round).await.unwrap().remove(0)
}

/// Assigns auditor.1 to the round's one case.
pub async fn assign(app: &TestApp, qa: &str, round: i64) -> Reply {
    let case = round_case(app, round).await;
    let auditor = app.person_id(AUDITOR).await.to_string();
    let field = format!("auditor[{}]", case.round_case_id);
    app.call(
        "assign_auditors",
        &[("round_id", &round.to_string()), (&field, &auditor)],
        Some(qa),
    )
    .await
}

pub async fn audit_of(app: &TestApp, round: i64) -> Option<i64> {
    round_case(app, round).await.audit_id
}

pub async fn email_of(app: &TestApp, person: i64) -> String {
    app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT email FROM people WHERE id = $1"
    )
    .bind(person)
    .fetch_one(pool)
    .await)
    .unwrap()
}

pub async fn state(app: &TestApp, audit: i64) -> String {
    app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT state FROM audits WHERE id = $1"
    )
    .bind(audit)
    .fetch_one(pool)
    .await)
    .unwrap()
}

pub async fn version(app: &TestApp, audit: i64) -> i64 {
    app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT version FROM audits WHERE id = $1"
    )
    .bind(audit)
    .fetch_one(pool)
    .await)
    .unwrap()
}

pub async fn propose(app: &TestApp, auditor: &str, audit: i64) -> Reply {
    app.call(
        "propose_times",
        &[
            ("audit_id", &audit.to_string()),
            ("time_1", "2030-01-08T10:00"),
        ],
        Some(auditor),
    )
    .await
}

pub async fn accept(app: &TestApp, kw: &str, audit: i64) -> Reply {
    let time: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT id FROM discussion_times WHERE audit_id = $1 ORDER BY id LIMIT 1",
    )
    .bind(audit)
    .fetch_one(pool)
    .await)
    .unwrap();
    app.call(
        "accept_time",
        &[
            ("audit_id", &audit.to_string()),
            ("time_id", &time.to_string()),
        ],
        Some(kw),
    )
    .await
}

/// This minute on a London clock, as a date-and-time field sends it.
pub fn london_minute() -> String {
    app::domain::calendar::london_time(chrono::Utc::now())
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

/// The auditor records that the discussion took place this minute (the proposed times are
/// years ahead, so the findings could not be confirmed otherwise).
pub async fn held(app: &TestApp, auditor: &str, audit: i64) -> Reply {
    app.call(
        "record_discussion_held",
        &[
            ("audit_id", &audit.to_string()),
            ("held_at", &london_minute()),
        ],
        Some(auditor),
    )
    .await
}

pub async fn save(app: &TestApp, auditor: &str, audit: i64) -> Reply {
    let v = version(app, audit).await;
    post(app, "save_draft", &filled(audit, v), auditor).await
}

pub async fn confirm_findings(app: &TestApp, kw: &str, audit: i64) -> Reply {
    app.call(
        "confirm_findings",
        &[("audit_id", &audit.to_string()), ("reflection", "Fair.")],
        Some(kw),
    )
    .await
}

/// Completes with the form as `filled` has it, plus `extra` fields typed last.
pub async fn complete(app: &TestApp, auditor: &str, audit: i64, extra: &[(&str, &str)]) -> Reply {
    let v = version(app, audit).await;
    let mut form = filled(audit, v);
    for (k, val) in extra {
        form.retain(|(f, _)| f != k);
        form.push((k.to_string(), val.to_string()));
    }
    post(app, "complete_audit", &form, auditor).await
}

pub async fn file(app: &TestApp, auditor: &str, audit: i64) -> Reply {
    app.call(
        "mark_uploaded",
        &[("audit_id", &audit.to_string()), ("reference", "CMS-1234")],
        Some(auditor),
    )
    .await
}

/// Tokens for the people on a confirmed, assigned round's one case.
pub struct People {
    pub qa: String,
    pub auditor: String,
    pub kw: String,
    pub kw_email: String,
    pub tm_email: Option<String>,
    pub sm_email: Option<String>,
}

pub async fn people(app: &TestApp, qa: String, round: i64) -> People {
    let case = round_case(app, round).await;
    let kw_email = email_of(
        app,
        case.key_worker_id.expect("drawn cases have a key worker"),
    )
    .await;
    let tm_email = match case.team_manager_id {
        Some(id) => Some(email_of(app, id).await),
        None => None,
    };
    let sm_email = match case.service_manager_id {
        Some(id) => Some(email_of(app, id).await),
        None => None,
    };
    People {
        auditor: app.sign_in(AUDITOR).await,
        kw: app.sign_in(&kw_email).await,
        kw_email,
        tm_email,
        sm_email,
        qa,
    }
}

/// An audit taken through to findings discussed: (round, audit, people).
pub async fn to_findings_discussed(app: &TestApp, month: &str) -> (i64, i64, People) {
    let qa = app.sign_in(QA).await;
    let round = drawn_round(app, &qa, month).await;
    ok(&confirm(app, &qa, round).await);
    ok(&assign(app, &qa, round).await);
    let audit = audit_of(app, round).await.unwrap();
    let p = people(app, qa, round).await;
    ok(&propose(app, &p.auditor, audit).await);
    ok(&accept(app, &p.kw, audit).await);
    ok(&save(app, &p.auditor, audit).await);
    ok(&held(app, &p.auditor, audit).await);
    ok(&confirm_findings(app, &p.kw, audit).await);
    (round, audit, p)
}
