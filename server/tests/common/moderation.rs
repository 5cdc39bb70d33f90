//! Rounds of several audits completed with chosen grades, and moderation views, for the
//! moderation and Make A Difference tests.

use super::journey::*;
use super::{Reply, TestApp};

pub const PSW: &str = "psw@anytown.example";
pub const SAFEGUARDING: &str = "safeguarding.review@anytown.example";
pub const DOMAINS: [&str; 7] = [
    "voice",
    "assessment",
    "planning",
    "oversight",
    "multi_agency",
    "recording",
    "impact",
];

/// A round for `month` with `n` List 7 cases drawn, confirmed and assigned to `auditor`:
/// (round, each audit with its key worker's token).
pub async fn assigned_round(
    app: &TestApp,
    month: &str,
    auditor: &str,
    n: usize,
) -> (i64, Vec<(i64, String)>) {
    let qa = app.sign_in(QA).await;
    let r = app
        .call("create_round", &[("month", month)], Some(&qa))
        .await;
    ok(&r);
    let round = r.json().as_i64().unwrap();
    ok(&app
        .call(
            "draw_round",
            &[
                ("round_id", &round.to_string()),
                ("quota_7", &n.to_string()),
            ],
            Some(&qa),
        )
        .await);
    ok(&confirm(app, &qa, round).await);
    let auditor_id = app.person_id(auditor).await.to_string();
    let contacts = app.store.selection_contacts(round).await.unwrap();
    let mut form = vec![("round_id".to_string(), round.to_string())];
    for c in &contacts {
        form.push((format!("auditor[{}]", c.round_case_id), auditor_id.clone()));
    }
    ok(&post(app, "assign_auditors", &form, &qa).await);
    let mut audits = Vec::new();
    for c in app.store.selection_contacts(round).await.unwrap() {
        let kw = app
            .sign_in(&email_of(app, c.key_worker_id.unwrap()).await)
            .await;
        audits.push((c.audit_id.expect("assigned"), kw));
    }
    (round, audits)
}

/// Takes one audit to completed, every domain and the overall grade as `grade`.
pub async fn complete_graded(app: &TestApp, auditor: &str, audit: i64, kw: &str, grade: &str) {
    let graded = |f: &mut Vec<(String, String)>| {
        for (k, v) in f.iter_mut() {
            if k.starts_with("f[grade-") || k == "f[overall]" {
                *v = grade.to_string();
            }
        }
    };
    ok(&propose(app, auditor, audit).await);
    ok(&accept(app, kw, audit).await);
    let mut f = filled(audit, version(app, audit).await);
    graded(&mut f);
    ok(&post(app, "save_draft", &f, auditor).await);
    ok(&held(app, auditor, audit).await);
    ok(&confirm_findings(app, kw, audit).await);
    let mut f = filled(audit, version(app, audit).await);
    graded(&mut f);
    ok(&post(app, "complete_audit", &f, auditor).await);
    assert_eq!(state(app, audit).await, "completed");
}

/// A round for `month` whose audits `auditor` completed with these overall grades (each
/// domain graded the same): (round, audits).
pub async fn completed_round(
    app: &TestApp,
    month: &str,
    auditor: &str,
    grades: &[&str],
) -> (i64, Vec<i64>) {
    let (round, audits) = assigned_round(app, month, auditor, grades.len()).await;
    let token = app.sign_in(auditor).await;
    for ((audit, kw), grade) in audits.iter().zip(grades) {
        complete_graded(app, &token, *audit, kw, grade).await;
    }
    (round, audits.into_iter().map(|(a, _)| a).collect())
}

pub fn agree_all(audit: i64) -> Vec<(String, String)> {
    let mut f = vec![("audit_id".to_string(), audit.to_string())];
    for d in DOMAINS {
        f.push((format!("f[domain-{d}]"), "agree".into()));
    }
    f.push(("f[overall]".into(), "agree".into()));
    f
}

/// A good audit of a past round, sampled, moderated and confirmed: (audit, its Make A
/// Difference summary, the key worker's token).
pub async fn confirmed_good(app: &TestApp, month: &str) -> (i64, i64, String) {
    let (round, audits) = assigned_round(app, month, AUDITOR, 1).await;
    let (audit, kw) = audits[0].clone();
    let auditor = app.sign_in(AUDITOR).await;
    complete_graded(app, &auditor, audit, &kw, "good").await;
    let qa = app.sign_in(QA).await;
    ok(&draw(app, round, &qa).await);
    ok(&post(app, "record_moderation", &agree_all(audit), &qa).await);
    director_agrees(app, audit).await;
    let outcome = vec![
        ("audit_id".to_string(), audit.to_string()),
        ("f[outcome]".into(), "confirmed".into()),
    ];
    ok(&post(app, "record_moderation_outcome", &outcome, &qa).await);
    let summary: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT id FROM difference_summaries WHERE audit_id = $1"
    )
    .bind(audit)
    .fetch_one(pool)
    .await)
    .expect("confirmed good practice starts a summary");
    (audit, summary, kw)
}

/// The Assistant Director asked about a good audit agrees with every grade.
pub async fn director_agrees(app: &TestApp, audit: i64) {
    let email: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT p.email FROM moderation_views v JOIN people p ON p.id = v.person_id \
         WHERE v.audit_id = $1 AND v.part = 'assistant_director'",
    )
    .bind(audit)
    .fetch_one(pool)
    .await)
    .expect("an Assistant Director was asked");
    let ad = app.sign_in(&email).await;
    ok(&post(app, "record_moderation", &agree_all(audit), &ad).await);
}

pub async fn draw(app: &TestApp, round: i64, token: &str) -> Reply {
    app.call(
        "draw_moderation",
        &[("round_id", &round.to_string())],
        Some(token),
    )
    .await
}

pub async fn round_view(app: &TestApp, round: i64, token: &str) -> Reply {
    app.call(
        "moderation_round",
        &[("round_id", &round.to_string())],
        Some(token),
    )
    .await
}

pub async fn audit_view(app: &TestApp, audit: i64, token: &str) -> Reply {
    app.call(
        "audit_moderation",
        &[("audit_id", &audit.to_string())],
        Some(token),
    )
    .await
}
