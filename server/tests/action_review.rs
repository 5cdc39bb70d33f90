//! The audit action review through the server functions: the QA Manager assigns it to the
//! case's Team Manager, who records progress per action, adds one, and finalises; the QA
//! Manager is told, the dashboard's counts follow, and others are refused.

use crate::common::journey::*;
use crate::common::*;
use axum::http::StatusCode;

/// A completed audit with one required action: (round, audit, people, Team Manager token).
async fn filed(app: &TestApp) -> (i64, i64, People, String) {
    let (round, audit, p) = to_findings_discussed(app, "2027-01").await;
    ok(&complete(app, &p.auditor, audit, &[]).await);
    let tm = app
        .sign_in(p.tm_email.as_deref().expect("demo teams have managers"))
        .await;
    (round, audit, p, tm)
}

async fn another_teams_manager(app: &TestApp, audit: i64) -> String {
    let email: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT p.email FROM teams t JOIN people p ON p.id = t.team_manager_id \
         WHERE t.id <> (SELECT c.team_id FROM audits a JOIN cases c ON c.id = a.case_id WHERE a.id = $1) \
         ORDER BY t.id LIMIT 1",
    )
    .bind(audit)
    .fetch_one(pool)
    .await)
    .unwrap();
    app.sign_in(&email).await
}

fn open_actions(dashboard: &serde_json::Value) -> u64 {
    dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["title"] == "Required actions")
        .map(|p| {
            p["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["figures"][0].as_u64().unwrap())
                .sum()
        })
        .unwrap_or(0)
}

fn update<'a>(audit: &'a str, action: &'a str, status: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("audit_id", audit),
        ("action_id", action),
        ("progress", "Plan reviewed with the family on a home visit."),
        ("evidence", "Visit record"),
        ("link", "https://records.example/visit/1"),
        ("status", status),
        ("on", ""),
    ]
}

#[tokio::test]
async fn completing_keeps_each_domain_grade_and_the_overall_grade_as_rows() {
    let app = TestApp::new().await;
    let (_, audit, _, _) = filed(&app).await;
    let grades: Vec<(i64, String, String)> = app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT template_version, domain_key, grade FROM audit_grades WHERE audit_id = $1 ORDER BY domain_key",
    )
    .bind(audit)
    .fetch_all(pool)
    .await)
    .unwrap();
    assert_eq!(grades.len(), 8, "seven domains and the overall grade");
    assert!(grades.iter().all(|(v, _, g)| *v == 1 && g == "good"));
    assert_eq!(grades[0].1, "#overall");
}

#[tokio::test]
async fn the_team_manager_reviews_the_actions_and_the_qa_manager_is_told() {
    let app = TestApp::new().await;
    let (round, audit, p, tm) = filed(&app).await;
    let a = audit.to_string();
    let before = open_actions(&app.call("dashboard_figures", &[], Some(&p.qa)).await.json());
    assert_eq!(before, 1);

    // Only the QA Manager assigns.
    let r = app
        .call(
            "assign_action_reviews",
            &[("round_id", &round.to_string())],
            Some(&tm),
        )
        .await;
    assert_refused!(r.status);
    let r = app
        .call(
            "assign_action_reviews",
            &[("round_id", &round.to_string())],
            Some(&p.qa),
        )
        .await;
    ok(&r);
    assert_eq!(r.json(), 1);
    assert!(app
        .tray(&tm)
        .await
        .iter()
        .any(|t| t["kind"] == "action_review_assigned"
            && t["link"] == format!("/audits/{audit}/actions")));
    // Assigning again finds nothing left to assign.
    let again = app
        .call(
            "assign_action_reviews",
            &[("round_id", &round.to_string())],
            Some(&p.qa),
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

    let listed = app.call("action_reviews", &[], Some(&tm)).await.json();
    assert_eq!(listed["reviews"][0]["mine"], true);
    assert_eq!(listed["reviews"][0]["status"], "Assigned");

    let detail = app
        .call("action_review_detail", &[("audit_id", &a)], Some(&tm))
        .await;
    ok(&detail);
    let detail = detail.json();
    assert_eq!(detail["editable"], true);
    let action = detail["actions"][0]["id"].as_i64().unwrap().to_string();

    // Another team's manager cannot open it; the key worker reads it but cannot change it.
    let other = another_teams_manager(&app, audit).await;
    let r = app
        .call("action_review_detail", &[("audit_id", &a)], Some(&other))
        .await;
    assert_refused!(r.status);
    let r = app
        .call("action_review_detail", &[("audit_id", &a)], Some(&p.kw))
        .await;
    ok(&r);
    assert_eq!(r.json()["editable"], false);
    let today = chrono::Local::now().date_naive().to_string();
    let mut form = update(&a, &action, "done");
    form.retain(|(k, _)| *k != "on");
    form.push(("on", &today));
    assert_refused!(app.call("update_action", &form, Some(&p.kw)).await.status);

    // Bad input is refused field by field.
    let bad = app
        .call(
            "update_action",
            &[
                ("audit_id", &a),
                ("action_id", &action),
                ("link", "javascript:alert(1)"),
                ("on", "2099-01-01"),
            ],
            Some(&tm),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["progress-", "link-", "status-", "on-"] {
        assert!(
            bad.body.contains(&format!("{field}{action}")),
            "{}",
            bad.body
        );
    }

    // Finalising waits for progress on every action.
    let early = app
        .call("finalise_action_review", &[("audit_id", &a)], Some(&tm))
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        early.body.contains("action 1 has none yet"),
        "{}",
        early.body
    );

    ok(&app.call("update_action", &form, Some(&tm)).await);
    let after = open_actions(&app.call("dashboard_figures", &[], Some(&p.qa)).await.json());
    assert_eq!(after, 0, "the dashboard follows the review");

    // The Team Manager adds an action of their own, then updates it.
    let bad_new = app
        .call(
            "add_review_action",
            &[("audit_id", &a), ("due_on", "2001-01-01")],
            Some(&tm),
        )
        .await;
    assert_eq!(bad_new.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad_new.body.contains("new-due-on"));
    ok(&app
        .call(
            "add_review_action",
            &[
                ("audit_id", &a),
                ("action", "Arrange a family group conference"),
                ("owner", "Key worker"),
                ("due_on", "2099-03-31"),
            ],
            Some(&tm),
        )
        .await);
    let detail = app
        .call("action_review_detail", &[("audit_id", &a)], Some(&tm))
        .await
        .json();
    assert_eq!(detail["actions"].as_array().unwrap().len(), 2);
    assert!(detail["actions"][1]["added_by"].is_string());
    assert_eq!(detail["actions"][0]["updates"][0]["status"], "Done");
    assert_eq!(
        open_actions(&app.call("dashboard_figures", &[], Some(&p.qa)).await.json()),
        1
    );
    let own = detail["actions"][1]["id"].as_i64().unwrap().to_string();
    let mut form = update(&a, &own, "open");
    form.retain(|(k, _)| *k != "on");
    form.push(("on", &today));
    ok(&app.call("update_action", &form, Some(&tm)).await);

    // Finalised: the QA Manager is told, and nothing changes any more.
    ok(&app
        .call(
            "finalise_action_review",
            &[("audit_id", &a), ("reference", "CMS-99")],
            Some(&tm),
        )
        .await);
    let tray = app.tray(&p.qa).await;
    let told = tray
        .iter()
        .find(|t| t["kind"] == "action_review_finalised")
        .expect("the QA Manager is alerted");
    assert!(told["body"]
        .as_str()
        .unwrap()
        .contains("1 of 2 actions done"));
    let r = app.call("update_action", &form, Some(&tm)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("finalised"));
    let history: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM action_updates u JOIN audit_actions x ON x.id = u.action_id WHERE x.audit_id = $1",
    )
    .bind(audit)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(history, 2, "every update is kept with who and when");
    let listed = app.call("action_reviews", &[], Some(&p.qa)).await.json();
    assert_eq!(listed["reviews"][0]["status"], "Finalised");
}

#[tokio::test]
async fn a_review_waits_until_the_audit_is_filed_and_needs_a_manager() {
    let app = TestApp::new().await;
    let (round, audit, p) = to_findings_discussed(&app, "2027-01").await;
    // Not completed yet: nothing to assign.
    let r = app
        .call(
            "assign_action_reviews",
            &[("audit_id", &audit.to_string())],
            Some(&p.qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app.call("assign_action_reviews", &[], Some(&p.qa)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    ok(&complete(&app, &p.auditor, audit, &[]).await);
    // The round's Team Manager left: the Service Manager reviews instead.
    app::on_pool!(app.store, |pool| sqlx::query(
        "UPDATE round_cases SET team_manager_id = NULL WHERE round_id = $1"
    )
    .bind(round)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))
    .unwrap();
    ok(&app
        .call(
            "assign_action_reviews",
            &[("audit_id", &audit.to_string())],
            Some(&p.qa),
        )
        .await);
    let sm = app.sign_in(p.sm_email.as_deref().unwrap()).await;
    let detail = app
        .call(
            "action_review_detail",
            &[("audit_id", &audit.to_string())],
            Some(&sm),
        )
        .await;
    ok(&detail);
    assert_eq!(detail.json()["editable"], true);
}
