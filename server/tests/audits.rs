//! The audit through its server functions: every move by the right person only, the
//! discussion and its invitation, autosave's stale-save refusal, completion and filing.

use crate::common::journey::london_minute;
use crate::common::*;
use axum::http::StatusCode;

const QA: &str = "qa.manager@anytown.example";

/// An audit assigned to auditor.1 for one drawn List 7 case. Returns (audit id, emails of
/// the key worker, Team Manager, Service Manager and IRO of the case).
struct Setup {
    audit: String,
    case_id: i64,
    key_worker: String,
    team_manager: String,
    service_manager: String,
}

async fn email(app: &TestApp, id: Option<i64>) -> String {
    app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT email FROM people WHERE id = $1"
    )
    .bind(id.expect("person"))
    .fetch_one(pool)
    .await)
    .unwrap()
}

async fn setup(app: &TestApp, qa: &str) -> Setup {
    let round = app
        .call("create_round", &[("month", "2027-01")], Some(qa))
        .await
        .json()
        .as_i64()
        .unwrap()
        .to_string();
    let r = app
        .call(
            "draw_round",
            &[("round_id", &round), ("quota_7", "1")],
            Some(qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .call("confirm_round", &[("round_id", &round)], Some(qa))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let contact = app
        .store
        .selection_contacts(round.parse().unwrap())
        .await
        .unwrap()
        .remove(0);
    let auditor = app.person_id("auditor.1@anytown.example").await.to_string();
    let field = format!("auditor[{}]", contact.round_case_id);
    let r = app
        .call(
            "assign_auditors",
            &[("round_id", &round), (&field, &auditor)],
            Some(qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let audit: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT id FROM audits WHERE round_case_id = $1"
    )
    .bind(contact.round_case_id)
    .fetch_one(pool)
    .await)
    .unwrap();
    Setup {
        audit: audit.to_string(),
        case_id: contact.case_id,
        key_worker: email(app, contact.key_worker_id).await,
        team_manager: email(app, contact.team_manager_id).await,
        service_manager: email(app, contact.service_manager_id).await,
    }
}

fn state(reply: &Reply) -> String {
    reply.json()["summary"]["state"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A filled-in form, as the browser posts it.
fn filled(audit: &str, version: &str) -> Vec<(String, String)> {
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
        f.push((format!("f[grade-{key}]"), "requires_improvement".into()));
        f.push((format!("f[narrative-{key}]"), format!("Findings on {key}.")));
    }
    f.push(("f[overall]".into(), "requires_improvement".into()));
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

async fn post(app: &TestApp, name: &str, form: &[(String, String)], token: &str) -> Reply {
    let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    app.call(name, &refs, Some(token)).await
}

#[tokio::test]
async fn an_audit_goes_from_assigned_to_filed_by_the_right_people_only() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let s = setup(&app, &qa).await;
    let a = s.audit.as_str();
    let auditor = app.sign_in("auditor.1@anytown.example").await;
    let kw = app.sign_in(&s.key_worker).await;
    let tm = app.sign_in(&s.team_manager).await;
    let detail = |token: String| {
        let app = &app;
        async move {
            app.call("audit_detail", &[("audit_id", a)], Some(&token))
                .await
        }
    };
    assert_eq!(state(&detail(auditor.clone()).await), "Assigned");
    // The Team Manager sees nothing until the audit is filed.
    assert_refused!(detail(tm.clone()).await.status);

    // Out of order: nothing can be saved or completed before the discussion is arranged.
    let r = post(&app, "save_draft", &filled(a, "1"), &auditor).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let r = app
        .call(
            "complete_audit",
            &[("audit_id", a), ("version", "1")],
            Some(&auditor),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The auditor proposes; bad times are named.
    let r = app
        .call(
            "propose_times",
            &[
                ("audit_id", a),
                ("time_1", "next tuesday"),
                ("time_2", "2020-01-01T10:00"),
            ],
            Some(&auditor),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = r.json()["Invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, vec!["time-1", "time-2"]);
    let r = app
        .call(
            "propose_times",
            &[
                ("audit_id", a),
                ("time_1", "2030-01-08T10:00"),
                ("time_2", "2030-01-09T14:30"),
                ("minutes", "90"),
            ],
            Some(&auditor),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(app
        .tray(&kw)
        .await
        .iter()
        .any(|t| t["kind"] == "discussion_proposed" && t["link"] == format!("/audits/{a}")));
    let times = detail(kw.clone()).await.json()["times"].clone();
    let first = times[0]["id"].to_string();
    // The auditor cannot accept their own proposal; the key worker can.
    let r = app
        .call(
            "accept_time",
            &[("audit_id", a), ("time_id", &first)],
            Some(&auditor),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .call(
            "accept_time",
            &[("audit_id", a), ("time_id", &first)],
            Some(&kw),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(state(&detail(kw.clone()).await), "DiscussionArranged");
    assert!(app
        .tray(&auditor)
        .await
        .iter()
        .any(|t| t["kind"] == "discussion_agreed"));

    // The invitation parses back to the agreed time.
    let mut request = axum::http::Request::get(format!("/audits/{a}/discussion.ics"));
    request = request.header("cookie", format!("pa_session={kw}"));
    let ics = app
        .send(request.body(axum::body::Body::empty()).unwrap())
        .await;
    assert_eq!(ics.status, StatusCode::OK);
    assert!(ics.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let unfolded = ics.body.replace("\r\n ", "");
    assert!(
        unfolded.contains("\r\nDTSTART;TZID=Europe/London:20300108T100000\r\n"),
        "{unfolded}"
    );
    assert!(unfolded.contains("\r\nDTEND;TZID=Europe/London:20300108T113000\r\n"));
    assert!(unfolded.contains("\r\nBEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"));
    // Absolute, from PUBLIC_URL: a calendar opens it outside the app.
    assert!(
        unfolded.contains(&format!("\r\nURL:http://127.0.0.1:3000/audits/{a}\r\n")),
        "{unfolded}"
    );
    let stranger = app.sign_in("kw.early-help-north.1@anytown.example").await;
    if stranger != kw {
        let r = app
            .send(
                axum::http::Request::get(format!("/audits/{a}/discussion.ics"))
                    .header("cookie", format!("pa_session={stranger}"))
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_refused!(r.status);
    }

    // The key worker cannot fill in the form; the auditor's first save starts the audit.
    let r = post(&app, "save_draft", &filled(a, "1"), &kw).await;
    assert_refused!(r.status);
    let r = post(&app, "save_draft", &filled(a, "1"), &auditor).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json(), 2);
    assert_eq!(state(&detail(auditor.clone()).await), "InProgress");
    // A stale save (from another tab, say) is refused, naming who saved the newer one.
    let r = post(&app, "save_draft", &filled(a, "1"), &auditor).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert_eq!(
        r.json()["Stale"]["version"],
        2,
        "the refusal offers the newer version"
    );
    assert!(r.json()["Stale"]["by"].as_str().is_some());

    // The IRO / CP Chair, asked by a tray alert, gives feedback but cannot read the draft.
    let iro_id: Option<i64> = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT iro_id FROM cases WHERE id = $1"
    )
    .bind(s.case_id)
    .fetch_one(pool)
    .await)
    .unwrap();
    if let Some(iro_id) = iro_id {
        let iro = app.sign_in(&email(&app, Some(iro_id)).await).await;
        assert!(app
            .tray(&iro)
            .await
            .iter()
            .any(|t| t["kind"] == "feedback_requested"));
        let view = detail(iro.clone()).await.json();
        assert!(view["draft"].is_null());
        let r = app
            .call(
                "record_feedback",
                &[
                    ("audit_id", a),
                    ("how", "meeting"),
                    ("given_on", "2026-11-20"),
                    ("said", "The plan is working."),
                ],
                Some(&iro),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    let r = app
        .call(
            "record_feedback",
            &[
                ("audit_id", a),
                ("from_whom", "child"),
                ("how", "visit"),
                ("given_on", "2026-11-21"),
                ("said", ""),
            ],
            Some(&auditor),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .call(
            "record_feedback",
            &[
                ("audit_id", a),
                ("from_whom", "child"),
                ("how", "visit"),
                ("given_on", "2026-11-21"),
                ("said", "I like my social worker."),
            ],
            Some(&auditor),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .call(
            "record_feedback",
            &[
                ("audit_id", a),
                ("from_whom", "child"),
                ("how", "visit"),
                ("given_on", "2026-11-21"),
                ("said", "x"),
            ],
            Some(&kw),
        )
        .await;
    assert_refused!(r.status);

    // The IRO / CP Chair sees their own feedback only, never the family's words.
    if let Some(iro_id) = iro_id {
        let iro = app.sign_in(&email(&app, Some(iro_id)).await).await;
        let view = detail(iro).await.json();
        assert!(
            view["feedback"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["from_whom"] == "iro"),
            "{}",
            view["feedback"]
        );
        assert!(view["reflection"].is_null());
    }
    // Once the discussion is arranged the audit stays with its auditor.
    let round_case: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT round_case_id FROM audits WHERE id = $1"
    )
    .bind(a.parse::<i64>().unwrap())
    .fetch_one(pool)
    .await)
    .unwrap();
    let round_id: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT round_id FROM round_cases WHERE id = $1"
    )
    .bind(round_case)
    .fetch_one(pool)
    .await)
    .unwrap();
    let other = app.person_id("auditor.2@anytown.example").await.to_string();
    let field = format!("auditor[{round_case}]");
    let r = app
        .call(
            "assign_auditors",
            &[("round_id", &round_id.to_string()), (&field, &other)],
            Some(&qa),
        )
        .await;
    assert_eq!(r.json(), 0, "not reassigned");
    // Completing before the findings are discussed is out of order; only the key worker confirms.
    let r = app
        .call(
            "complete_audit",
            &[("audit_id", a), ("version", "2")],
            Some(&auditor),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .call(
            "confirm_findings",
            &[("audit_id", a), ("reflection", "Useful.")],
            Some(&auditor),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let view = detail(kw.clone()).await.json();
    assert_eq!(
        view["draft"]["overall"], "RequiresImprovement",
        "the key worker reads the draft"
    );
    // The findings wait for the discussion: its time (in 2030) has not come.
    let confirm = || async {
        app.call(
            "confirm_findings",
            &[
                ("audit_id", a),
                (
                    "reflection",
                    "A fair picture; supervision notes are behind.",
                ),
            ],
            Some(&kw),
        )
        .await
    };
    let r = confirm().await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body
            .contains("The discussion is agreed for Tuesday 8 January 2030 at 10:00"),
        "{}",
        r.body
    );
    let view = detail(kw.clone()).await.json();
    assert!(view["discussion_pending"]
        .as_str()
        .unwrap()
        .contains("once it has taken place"));
    // Only the auditor records that it took place, and only at a time that makes sense.
    let held_at = |token: &str, at: &str| {
        let (token, at) = (token.to_string(), at.to_string());
        let app = &app;
        async move {
            app.call(
                "record_discussion_held",
                &[("audit_id", a), ("held_at", &at)],
                Some(&token),
            )
            .await
        }
    };
    let now = london_minute();
    let r = held_at(&kw, &now).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Only the auditor"), "{}", r.body);
    let tomorrow = (chrono::Utc::now() + chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    for (at, problem) in [
        ("", "Enter when the discussion took place"),
        ("tomorrow", "Enter the date and time"),
        (tomorrow.as_str(), "must be in the past"),
        ("2020-01-01T10:00", "before it was arranged"),
    ] {
        let r = held_at(&auditor, at).await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{at}: {}",
            r.body
        );
        assert!(r.body.contains("held-at"), "{}", r.body);
        assert!(r.body.contains(problem), "{at}: {}", r.body);
    }
    assert_eq!(
        crate::common::journey::state(&app, a.parse().unwrap()).await,
        "in_progress",
        "nothing moved"
    );
    let r = held_at(&auditor, &now).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(app
        .tray(&kw)
        .await
        .iter()
        .any(|alert| alert["kind"] == "discussion_held"));
    let view = detail(kw.clone()).await.json();
    assert!(view["discussion_pending"].is_null(), "{view}");
    assert_eq!(view["held"].as_array().unwrap().len(), 1);
    let r = confirm().await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // Once the findings are confirmed, the discussion is no longer recorded.
    let r = held_at(&auditor, &now).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);

    // Completion needs every grade and whole actions: an action without an owner is named.
    let mut partial = filled(a, "2");
    partial.retain(|(k, _)| k != "f[owner-0]");
    let r = post(&app, "save_draft", &partial, &auditor).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .call(
            "complete_audit",
            &[("audit_id", a), ("version", "3")],
            Some(&auditor),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["Invalid"][0]["field"], "owner-0");
    let r = post(&app, "save_draft", &filled(a, "3"), &auditor).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .call(
            "complete_audit",
            &[("audit_id", a), ("version", "3")],
            Some(&auditor),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a stale completion is refused too"
    );
    let r = app
        .call(
            "complete_audit",
            &[("audit_id", a), ("version", "4")],
            Some(&auditor),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // Locked: no more saving; the Team Manager is alerted and reads the filed audit.
    let r = post(&app, "save_draft", &filled(a, "5"), &auditor).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let alerts = app.tray(&tm).await;
    let alert = alerts
        .iter()
        .find(|t| t["kind"] == "audit_recommendations")
        .expect("TM alert");
    assert!(alert["body"]
        .as_str()
        .unwrap()
        .starts_with("Audit recommendations to complete"));
    let view = detail(tm.clone()).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    let note = view.json()["case_note"].as_str().unwrap().to_string();
    assert!(
        note.contains("Overall grade: Requires improvement to be good"),
        "{note}"
    );
    assert!(
        note.contains("1. Update the child protection plan (owner: Key worker; due 15/02/2027)"),
        "{note}"
    );
    let tm_name: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT display_name FROM people WHERE email = $1"
    )
    .bind(&s.team_manager)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert!(
        note.contains(&format!("Team Manager: @{tm_name}")),
        "{note}"
    );
    let txt = app
        .send(
            axum::http::Request::get(format!("/audits/{a}/case-note.txt"))
                .header("cookie", format!("pa_session={tm}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(txt.status, StatusCode::OK);
    assert!(txt.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(txt.body, note);
    let sm = app.sign_in(&s.service_manager).await;
    assert!(app
        .tray(&sm)
        .await
        .iter()
        .any(|t| t["kind"] == "audit_filed"));
    let actions: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_actions WHERE audit_id = $1"
    )
    .bind(a.parse::<i64>().unwrap())
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(actions, 1);

    // Filing to the case-management system: the auditor only, with a reference.
    let r = app
        .call(
            "mark_uploaded",
            &[("audit_id", a), ("reference", "CMS-123")],
            Some(&kw),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .call(
            "mark_uploaded",
            &[("audit_id", a), ("reference", " ")],
            Some(&auditor),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .call(
            "mark_uploaded",
            &[("audit_id", a), ("reference", "CMS-123")],
            Some(&auditor),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let view = detail(tm).await.json();
    assert_eq!(view["summary"]["state"], "FiledToRecord");
    let moves: Vec<&str> = view["moves"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m[0].as_str().unwrap())
        .collect();
    assert_eq!(
        moves,
        vec![
            "Assigned",
            "DiscussionArranged",
            "InProgress",
            "FindingsDiscussed",
            "Completed",
            "FiledToRecord"
        ]
    );
}

#[tokio::test]
async fn audits_are_need_to_know() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let s = setup(&app, &qa).await;
    let a = s.audit.as_str();
    // Another team's key worker, another auditor, the Administrator: refused everywhere.
    let other_kw: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT p.email FROM people p JOIN person_roles r ON r.person_id = p.id WHERE r.role = 'key_worker' AND p.email <> $1 \
         AND p.team_id <> (SELECT team_id FROM cases WHERE id = $2) LIMIT 1",
    )
    .bind(&s.key_worker)
    .bind(s.case_id)
    .fetch_one(pool)
    .await)
    .unwrap();
    for who in [
        other_kw.as_str(),
        "auditor.2@anytown.example",
        "admin@anytown.example",
        "pit.1@anytown.example",
    ] {
        let token = app.sign_in(who).await;
        for (name, form) in [
            ("audit_detail", vec![("audit_id", a)]),
            (
                "propose_times",
                vec![("audit_id", a), ("time_1", "2030-01-08T10:00")],
            ),
            ("accept_time", vec![("audit_id", a), ("time_id", "1")]),
            ("save_draft", vec![("audit_id", a), ("version", "1")]),
            (
                "record_feedback",
                vec![
                    ("audit_id", a),
                    ("how", "visit"),
                    ("given_on", "2026-11-01"),
                    ("said", "x"),
                ],
            ),
            ("confirm_findings", vec![("audit_id", a)]),
            (
                "record_discussion_held",
                vec![("audit_id", a), ("held_at", "2026-11-01T10:00")],
            ),
            ("complete_audit", vec![("audit_id", a), ("version", "1")]),
            ("mark_uploaded", vec![("audit_id", a), ("reference", "X")]),
        ] {
            let r = app.call(name, &form, Some(&token)).await;
            assert_refused!(r.status, "{who} {name}: {}", r.body);
        }
        let mine = app.call("my_audits", &[], Some(&token)).await.json();
        assert!(
            mine["audits"].as_array().unwrap().is_empty(),
            "{who} sees {mine}"
        );
        assert_eq!(mine["total"], 0);
    }
    // The programme sees it; the assigned auditor lists it with what waits on them.
    let r = app
        .call("audit_detail", &[("audit_id", a)], Some(&qa))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let auditor = app.sign_in("auditor.1@anytown.example").await;
    let mine = app.call("my_audits", &[], Some(&auditor)).await.json();
    assert_eq!(
        mine["audits"][0]["waiting_on_you"],
        "Propose times for the discussion"
    );
    // One page, newest round first; the round filter offers the audit's round and keeps
    // to it, and a round the person has no audits in is ignored.
    assert_eq!(
        (
            mine["total"].as_u64(),
            mine["page"].as_u64(),
            mine["pages"].as_u64()
        ),
        (Some(1), Some(1), Some(1))
    );
    let month = mine["audits"][0]["month"].as_str().unwrap().to_string();
    assert_eq!(mine["rounds"], serde_json::json!([month.clone()]));
    let one = app
        .call(
            "my_audits",
            &[("round", month.as_str()), ("page", "7")],
            Some(&auditor),
        )
        .await
        .json();
    assert_eq!(
        (
            one["round"].as_str(),
            one["total"].as_u64(),
            one["page"].as_u64()
        ),
        (Some(month.as_str()), Some(1), Some(1))
    );
    let other = app
        .call("my_audits", &[("round", "June 1999")], Some(&auditor))
        .await
        .json();
    assert_eq!(
        (other["round"].clone(), other["total"].as_u64()),
        (serde_json::Value::Null, Some(1))
    );
    let r = app
        .call("audit_detail", &[("audit_id", "999999")], Some(&qa))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = app.call("audit_detail", &[("audit_id", a)], None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_revised_template_applies_to_new_audits_only() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let first = setup(&app, &qa).await;
    let current = app.call("audit_template", &[], Some(&qa)).await.json();
    assert_eq!(current[0], 1);
    assert_eq!(current[1].as_array().unwrap().len(), 7);
    let r = app
        .call(
            "publish_template",
            &[
                ("t[key-0]", "voice"),
                ("t[title-0]", "Voice of the child"),
                ("t[title-1]", "Education and health"),
                ("t[prompt-1]", "Are school and health needs met?"),
            ],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json(), 2);
    let bad = app
        .call("publish_template", &[("t[title-0]", "")], Some(&qa))
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let kw = app.sign_in("kw.early-help-north.1@anytown.example").await;
    assert_refused!(
        app.call("publish_template", &[("t[title-0]", "X")], Some(&kw))
            .await
            .status
    );
    assert_refused!(app.call("audit_template", &[], Some(&kw)).await.status);

    // The audit under way keeps version 1; one assigned now gets version 2.
    let old = app
        .call("audit_detail", &[("audit_id", &first.audit)], Some(&qa))
        .await
        .json();
    assert_eq!(old["template_version"], 1);
    assert_eq!(old["domains"].as_array().unwrap().len(), 7);
    let round = app
        .call("create_round", &[("month", "2027-02")], Some(&qa))
        .await
        .json()
        .as_i64()
        .unwrap()
        .to_string();
    app.call(
        "draw_round",
        &[("round_id", &round), ("quota_8", "1")],
        Some(&qa),
    )
    .await;
    app.call("confirm_round", &[("round_id", &round)], Some(&qa))
        .await;
    let contact = app
        .store
        .selection_contacts(round.parse().unwrap())
        .await
        .unwrap()
        .remove(0);
    let auditor = app.person_id("auditor.2@anytown.example").await.to_string();
    let field = format!("auditor[{}]", contact.round_case_id);
    app.call(
        "assign_auditors",
        &[("round_id", &round), (&field, &auditor)],
        Some(&qa),
    )
    .await;
    let new_id: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT id FROM audits WHERE round_case_id = $1"
    )
    .bind(contact.round_case_id)
    .fetch_one(pool)
    .await)
    .unwrap();
    let new = app
        .call(
            "audit_detail",
            &[("audit_id", &new_id.to_string())],
            Some(&qa),
        )
        .await
        .json();
    assert_eq!(new["template_version"], 2);
    assert_eq!(new["domains"][1]["title"], "Education and health");
}

#[tokio::test]
async fn the_case_page_lists_its_audits_to_those_who_may_open_them() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let s = setup(&app, &qa).await;
    let case = s.case_id.to_string();
    for who in [QA, s.key_worker.as_str(), "auditor.1@anytown.example"] {
        let token = app.sign_in(who).await;
        let r = app
            .call("open_case", &[("case_id", &case)], Some(&token))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{who}: {}", r.body);
        let audits = r.json()["audits"].as_array().unwrap().clone();
        assert_eq!(audits.len(), 1, "{who}");
        assert_eq!(audits[0]["id"].to_string(), s.audit, "{who}");
        assert_eq!(audits[0]["state"], "Assigned", "{who}");
    }
    // The Team Manager sees the case, but its audit only once it is filed: not listed yet.
    let tm = app.sign_in(&s.team_manager).await;
    let r = app
        .call("open_case", &[("case_id", &case)], Some(&tm))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json()["audits"], serde_json::json!([]));
    // Another auditor may not open the case, so sees none of its audits.
    let other = app.sign_in("auditor.2@anytown.example").await;
    let r = app
        .call("open_case", &[("case_id", &case)], Some(&other))
        .await;
    assert_refused!(r.status);
}
