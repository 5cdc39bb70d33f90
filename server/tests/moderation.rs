//! Moderation through the server functions: the QA Manager draws a third of a round's
//! completed audits once its window opens; the panel (never the audit's own auditor) and
//! the Assistant Directors record their views; the outcome sits beside the audit, which
//! never changes; the auditor and Team Manager are told; results count agreement.

use crate::common::journey::*;
use crate::common::moderation::*;
use crate::common::*;
use axum::http::StatusCode;

async fn count(app: &TestApp, sql: &str, id: i64) -> i64 {
    app::on_pool!(app.store, |pool| sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(pool)
        .await)
    .unwrap()
}

fn has_alert(tray: &[serde_json::Value], kind: &str, audit: i64) -> bool {
    tray.iter().any(|a| {
        a["kind"] == kind
            && a["link"]
                .as_str()
                .is_some_and(|l| l == format!("/audits/{audit}/moderation"))
    })
}

#[tokio::test]
async fn the_sample_is_a_third_by_grade_verified_and_waits_for_its_window() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    // A round due next year: its window has not opened.
    let (future, _) = completed_round(&app, "2027-01", AUDITOR, &["good"]).await;
    let r = draw(&app, future, &qa).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("opens on"), "{}", r.body);

    let (round, audits) = completed_round(
        &app,
        "2026-06",
        AUDITOR,
        &[
            "good",
            "requires_improvement",
            "requires_improvement",
            "inadequate",
            "good",
            "good",
            "requires_improvement",
        ],
    )
    .await;
    // Only the QA Manager draws.
    let psw = app.sign_in(PSW).await;
    let r = draw(&app, round, &psw).await;
    assert_refused!(r.status);
    let r = draw(&app, round, &qa).await;
    ok(&r);
    assert_eq!(r.json().as_u64(), Some(3), "a third of 7, rounded up");
    let detail = round_view(&app, round, &qa).await;
    ok(&detail);
    let v = detail.json();
    assert_eq!(v["draws"][0]["verified"], true);
    let sample: Vec<i64> = v["sample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["audit_id"].as_i64().unwrap())
        .collect();
    assert_eq!(sample.len(), 3);
    assert!(sample.iter().all(|a| audits.contains(a)));
    // One from each grade present: 3 good, 3 requires improvement, 1 inadequate.
    let mut grades: Vec<String> = v["sample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["grade"].as_str().unwrap().to_string())
        .collect();
    grades.sort();
    assert_eq!(
        grades,
        ["Good", "Inadequate", "Requires improvement to be good"]
    );
    // The panel is asked about each audit drawn.
    for email in [QA, PSW, SAFEGUARDING] {
        let token = app.sign_in(email).await;
        let tray = app.tray(&token).await;
        assert!(
            sample
                .iter()
                .all(|a| has_alert(&tray, "moderation_asked", *a)),
            "{email}"
        );
    }
    // Drawing again is refused; a top-up with nothing new too.
    let r = draw(&app, round, &qa).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .call(
            "draw_moderation",
            &[("round_id", &round.to_string()), ("top_up", "1")],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("No audit has been completed since"),
        "{}",
        r.body
    );

    // Withdraw needs a reason; then a replacement of the same grade comes in, and the
    // draw still verifies.
    let good = v["sample"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["grade"] == "Good")
        .unwrap()
        .clone();
    let sid = good["sample_id"].as_i64().unwrap().to_string();
    let r = app
        .call(
            "withdraw_moderation",
            &[
                ("round_id", &round.to_string()),
                ("sample_id", &sid),
                ("reason", " "),
            ],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("reason"), "{}", r.body);
    let r = app
        .call(
            "withdraw_moderation",
            &[
                ("round_id", &round.to_string()),
                ("sample_id", &sid),
                ("reason", "Case moved to another council"),
            ],
            Some(&qa),
        )
        .await;
    ok(&r);
    assert_eq!(r.json(), true, "another good audit is left to replace it");
    let v = round_view(&app, round, &qa).await.json();
    let rows = v["sample"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    let replacement = rows.iter().find(|s| s["replaces"].is_string()).unwrap();
    assert_eq!(replacement["grade"], "Good");
    assert_ne!(replacement["audit_id"], good["audit_id"]);
    assert_eq!(v["draws"][0]["verified"], true);
    // The withdrawn audit's unanswered requests are gone.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM moderation_views WHERE audit_id = $1 AND part = 'panel'",
            good["audit_id"].as_i64().unwrap()
        )
        .await,
        0
    );

    // A tampered sample no longer verifies.
    app::on_pool!(app.store, |pool| sqlx::query("UPDATE moderation_sample SET audit_id = $1 WHERE id = (SELECT MIN(id) FROM moderation_sample WHERE replaces_id IS NULL AND withdrawn_at IS NULL)")
        .bind(audits.iter().find(|a| !rows.iter().any(|s| s["audit_id"] == **a)).unwrap())
        .execute(pool)
        .await.map(|done| done.rows_affected()))
        .unwrap();
    let v = round_view(&app, round, &qa).await.json();
    assert_eq!(v["draws"][0]["verified"], false);

    // A key worker, a Team Manager and an auditor have no access to rounds' moderation.
    for email in [AUDITOR, "tm.early-help-north@anytown.example"] {
        let token = app.sign_in(email).await;
        let r = round_view(&app, round, &token).await;
        assert_refused!(r.status, "{email}");
    }
}

#[tokio::test]
async fn a_top_up_draws_a_third_of_the_audits_completed_since() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let (round, audits) = assigned_round(&app, "2026-05", AUDITOR, 5).await;
    let auditor = app.sign_in(AUDITOR).await;
    for (audit, kw) in &audits[..2] {
        complete_graded(&app, &auditor, *audit, kw, "good").await;
    }
    ok(&draw(&app, round, &qa).await);
    let before = round_view(&app, round, &qa).await.json();
    assert_eq!(before["not_yet_considered"], 0);
    assert_eq!(before["can_top_up"], false);
    assert_eq!(
        before["sample"].as_array().unwrap().len(),
        1,
        "a third of 2, rounded up"
    );
    // Three more are completed after the sample was drawn.
    for (audit, kw) in &audits[2..] {
        complete_graded(&app, &auditor, *audit, kw, "inadequate").await;
    }
    let v = round_view(&app, round, &qa).await.json();
    assert_eq!(v["not_yet_considered"], 3);
    assert_eq!(v["can_top_up"], true);
    let r = app
        .call(
            "draw_moderation",
            &[("round_id", &round.to_string()), ("top_up", "1")],
            Some(&qa),
        )
        .await;
    ok(&r);
    assert_eq!(r.json().as_u64(), Some(1), "a third of the 3 new audits");
    let v = round_view(&app, round, &qa).await.json();
    let draws = v["draws"].as_array().unwrap();
    assert_eq!(draws.len(), 2);
    assert_eq!(draws[1]["top_up"], true);
    assert!(draws.iter().all(|d| d["verified"] == true));
    let topped: Vec<i64> = v["sample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["audit_id"].as_i64().unwrap())
        .collect();
    assert!(
        audits[2..].iter().any(|(a, _)| *a == topped[1]),
        "drawn from the new audits only"
    );
    assert_eq!(v["not_yet_considered"], 0);
}

#[tokio::test]
async fn the_panel_and_the_outcome_leave_the_audit_as_it_was() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    // The PSW audits these cases, so the panel goes on without them.
    let (round, audits) = completed_round(&app, "2026-07", PSW, &["requires_improvement"]).await;
    let audit = audits[0];
    let draft_before: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT draft FROM audits WHERE id = $1"
    )
    .bind(audit)
    .fetch_one(pool)
    .await)
    .unwrap();
    ok(&draw(&app, round, &qa).await);
    let psw = app.sign_in(PSW).await;
    assert!(
        !has_alert(&app.tray(&psw).await, "moderation_asked", audit),
        "never the audit's own auditor"
    );
    let r = post(&app, "record_moderation", &agree_all(audit), &psw).await;
    assert_refused!(r.status, "the PSW was not asked");

    // Before any view, no outcome can be recorded.
    let mut confirmed = vec![
        ("audit_id".to_string(), audit.to_string()),
        ("f[outcome]".into(), "confirmed".into()),
    ];
    let r = post(&app, "record_moderation_outcome", &confirmed, &qa).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // The Safeguarding & Review manager would grade the overall grade up: comments needed.
    let sr = app.sign_in(SAFEGUARDING).await;
    let mut differs = agree_all(audit);
    differs.retain(|(k, _)| k != "f[overall]");
    differs.push(("f[overall]".into(), "good".into()));
    let r = post(&app, "record_moderation", &differs, &sr).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Say why"), "{}", r.body);
    let r = post(
        &app,
        "record_moderation",
        &[("audit_id".to_string(), audit.to_string())],
        &sr,
    )
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "every grade needs a verdict"
    );
    differs.push((
        "f[comments]".into(),
        "The child's voice drives the plan.".into(),
    ));
    ok(&post(&app, "record_moderation", &differs, &sr).await);
    let r = post(&app, "record_moderation", &differs, &sr).await;
    assert_refused!(r.status, "once only");
    ok(&post(&app, "record_moderation", &agree_all(audit), &qa).await);

    // The Team Manager and the auditor see nothing before the outcome.
    let tm_email: String = app::on_pool!(app.store, |pool| {
        sqlx::query_scalar("SELECT p.email FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id JOIN people p ON p.id = rc.team_manager_id WHERE a.id = $1").bind(audit).fetch_one(pool).await.unwrap()
    });
    let tm = app.sign_in(&tm_email).await;
    let r = audit_view(&app, audit, &tm).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);

    // The views differ, so even confirming needs a reason.
    let v = audit_view(&app, audit, &qa).await.json();
    assert_eq!(v["views_differ"], true);
    assert_eq!(v["records_outcome"], true);
    let r = post(&app, "record_moderation_outcome", &confirmed, &qa).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("views differ"), "{}", r.body);
    confirmed.push(("f[reason]".into(), "Panel agreed the plan lags.".into()));
    let mut changed: Vec<(String, String)> = vec![
        ("audit_id".into(), audit.to_string()),
        ("f[outcome]".into(), "changed".into()),
        (
            "f[reason]".into(),
            "The child's voice is strong throughout.".into(),
        ),
    ];
    for d in DOMAINS {
        changed.push((format!("f[domain-{d}]"), "requires_improvement".into()));
    }
    changed.push(("f[overall]".into(), "good".into()));
    let psw_r = post(&app, "record_moderation_outcome", &changed, &psw).await;
    assert_refused!(psw_r.status, "only the QA Manager records the outcome");
    ok(&post(&app, "record_moderation_outcome", &changed, &qa).await);
    let r = post(&app, "record_moderation_outcome", &confirmed, &qa).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "once only");

    // The audit is as it was; the moderated grades sit beside it.
    let (draft_after, overall): (String, String) = app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT draft, overall_grade FROM audits WHERE id = $1"
    )
    .bind(audit)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(draft_after, draft_before);
    assert_eq!(overall, "requires_improvement");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM audit_grades WHERE audit_id = $1 AND grade = 'requires_improvement'", audit).await, 8);
    let moderated: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT grade FROM moderated_grades WHERE audit_id = $1 AND domain_key = '#overall'",
    )
    .bind(audit)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(moderated, "good");
    let note: Option<String> = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT panel_note FROM moderation_outcomes WHERE audit_id = $1"
    )
    .bind(audit)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert!(note.unwrap().contains("audited this case"));

    // The auditor and the Team Manager are told, and now see both grades.
    for token in [&psw, &tm] {
        assert!(has_alert(
            &app.tray(token).await,
            "moderation_outcome",
            audit
        ));
        let r = app
            .call(
                "audit_moderation",
                &[("audit_id", &audit.to_string())],
                Some(token),
            )
            .await;
        ok(&r);
        let overall = r.json()["grades"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["key"] == "#overall")
            .unwrap()
            .clone();
        assert_eq!(overall["original"], "RequiresImprovement");
        assert_eq!(overall["moderated"], "Good");
    }
    // The filed record shows both grades, and says the audit is as the auditor left it.
    let record = app
        .page(&format!("/audits/{audit}/record"), Some(&tm))
        .await;
    assert_eq!(record.status, StatusCode::OK);
    assert!(record.body.contains("record-moderation"), "{}", record.body);
    assert!(record.body.contains("Moderation changed grades"));
    // The Team Manager sees the outcome but not the moderators' views; the auditor does.
    let tm_view = audit_view(&app, audit, &tm).await.json();
    assert_eq!(tm_view["views"].as_array().unwrap().len(), 0);
    let auditor_view = audit_view(&app, audit, &psw).await.json();
    assert!(auditor_view["views"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["comments"] == "The child's voice drives the plan."));
    // Another team's manager is refused.
    let other: String = app::on_pool!(app.store, |pool| {
        sqlx::query_scalar("SELECT p.email FROM teams t JOIN people p ON p.id = t.team_manager_id WHERE p.email <> $1 ORDER BY t.id LIMIT 1").bind(&tm_email).fetch_one(pool).await.unwrap()
    });
    let other = app.sign_in(&other).await;
    let r = audit_view(&app, audit, &other).await;
    assert_refused!(r.status);
}

#[tokio::test]
async fn every_good_or_outstanding_audit_reaches_an_assistant_director() {
    let app = TestApp::new().await;
    let (round, audits) = completed_round(
        &app,
        "2026-08",
        AUDITOR,
        &["good", "outstanding", "requires_improvement", "good"],
    )
    .await;
    let mut directors = Vec::new();
    for audit in &audits {
        let asked: Vec<i64> = app::on_pool!(app.store, |pool| sqlx::query_scalar("SELECT person_id FROM moderation_views WHERE audit_id = $1 AND part = 'assistant_director'")
            .bind(audit)
            .fetch_all(pool)
            .await)
            .unwrap();
        directors.push(asked);
    }
    assert_eq!(directors[0].len(), 1);
    assert_eq!(directors[1].len(), 1);
    assert!(
        directors[2].is_empty(),
        "requires improvement is not reviewed by an Assistant Director"
    );
    assert_eq!(directors[3].len(), 1);
    // Shared between the two Assistant Directors by open reviews.
    assert_ne!(directors[0][0], directors[1][0]);
    let ad1 = app.sign_in("ad.1@anytown.example").await;
    let ad2 = app.sign_in("ad.2@anytown.example").await;
    let alerts = app.tray(&ad1).await.len() + app.tray(&ad2).await.len();
    assert_eq!(alerts, 3);
    // The Assistant Director records their view through the same form.
    let ad = if directors[0][0] == app.person_id("ad.1@anytown.example").await {
        &ad1
    } else {
        &ad2
    };
    ok(&post(&app, "record_moderation", &agree_all(audits[0]), ad).await);
    let v = app.call("moderation_home", &[], Some(ad)).await.json();
    assert!(v["asked"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["audit_id"] == audits[0]
            && a["recorded"] == true
            && a["part"] == "AssistantDirector"));
    // A good audit completed before Assistant Director reviews began is caught up when its
    // round's sample is drawn.
    app::on_pool!(app.store, |pool| sqlx::query(
        "DELETE FROM moderation_views WHERE audit_id = $1"
    )
    .bind(audits[3])
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))
    .unwrap();
    let qa = app.sign_in(QA).await;
    ok(&draw(&app, round, &qa).await);
    let asked: i64 = app::on_pool!(app.store, |pool| {
        sqlx::query_scalar(
        "SELECT COUNT(*) FROM moderation_views WHERE audit_id = $1 AND part = 'assistant_director'",
    )
    .bind(audits[3])
    .fetch_one(pool)
    .await
    })
    .unwrap();
    assert_eq!(asked, 1);
}

#[tokio::test]
async fn results_count_agreement_by_scope_and_download_as_csv() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let (round, audits) =
        completed_round(&app, "2026-04", AUDITOR, &["good", "good", "inadequate"]).await;
    ok(&draw(&app, round, &qa).await);
    // Moderate every audit: the QA Manager is asked as panel member or can be asked here.
    for audit in &audits {
        app::on_pool!(app.store, |pool| sqlx::query("INSERT INTO moderation_views (audit_id, person_id, part, asked_at) VALUES ($1, $2, 'panel', '2026-05-30T10:00:00Z') ON CONFLICT DO NOTHING")
            .bind(audit)
            .bind(app.person_id(QA).await)
            .execute(pool)
            .await.map(|done| done.rows_affected()))
            .unwrap();
        ok(&post(&app, "record_moderation", &agree_all(*audit), &qa).await);
    }
    let confirm = |a: i64| {
        vec![
            ("audit_id".to_string(), a.to_string()),
            ("f[outcome]".into(), "confirmed".into()),
        ]
    };
    // A good grade's outcome waits for the Assistant Director's review.
    let r = post(&app, "record_moderation_outcome", &confirm(audits[0]), &qa).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        r.body.contains("Assistant Director's review is not in yet"),
        "{}",
        r.body
    );
    let v = audit_view(&app, audits[0], &qa).await.json();
    assert_eq!(v["records_outcome"], false);
    assert!(v["outcome_waits"]
        .as_str()
        .unwrap()
        .contains("Assistant Director"));
    director_agrees(&app, audits[0]).await;
    director_agrees(&app, audits[1]).await;
    ok(&post(&app, "record_moderation_outcome", &confirm(audits[0]), &qa).await);
    ok(&post(&app, "record_moderation_outcome", &confirm(audits[1]), &qa).await);
    let mut changed = vec![
        ("audit_id".to_string(), audits[2].to_string()),
        ("f[outcome]".into(), "changed".into()),
        ("f[reason]".into(), "Risk was managed well.".into()),
    ];
    for d in DOMAINS {
        changed.push((format!("f[domain-{d}]"), "inadequate".into()));
    }
    changed.push(("f[overall]".into(), "requires_improvement".into()));
    ok(&post(&app, "record_moderation_outcome", &changed, &qa).await);

    let r = app.call("moderation_results", &[], Some(&qa)).await;
    ok(&r);
    let v = r.json();
    assert_eq!(v["completed"], 3);
    assert_eq!(v["moderated"], 3);
    assert_eq!(v["overall"]["pairs"], 3);
    assert_eq!(v["overall"]["agreed"], 2);
    assert_eq!(v["up"], 1);
    assert_eq!(v["down"], 0);
    assert!(
        v["overall"]["kappa"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("not enough"),
        "{}",
        v["overall"]["kappa"]
    );
    // Inadequate (row 3) moderated to requires improvement (column 2).
    assert_eq!(v["table"][3][2], 1);
    assert_eq!(v["table"][1][1], 2);
    assert!(
        v["auditors"].as_array().is_some(),
        "the QA Manager sees per-auditor agreement"
    );

    // The PSW sees every team but no per-auditor figures; a Team Manager only their teams'.
    let psw = app.sign_in(PSW).await;
    assert!(app.call("moderation_results", &[], Some(&psw)).await.json()["auditors"].is_null());
    let team: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT c.team_id FROM audits a JOIN cases c ON c.id = a.case_id WHERE a.id = $1",
    )
    .bind(audits[0])
    .fetch_one(pool)
    .await)
    .unwrap();
    let in_team = count(&app, "SELECT COUNT(*) FROM audits a JOIN cases c ON c.id = a.case_id WHERE c.team_id = $1 AND a.state = 'completed'", team).await;
    let tm_email: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT p.email FROM teams t JOIN people p ON p.id = t.team_manager_id WHERE t.id = $1",
    )
    .bind(team)
    .fetch_one(pool)
    .await)
    .unwrap();
    let tm = app.sign_in(&tm_email).await;
    let v = app.call("moderation_results", &[], Some(&tm)).await.json();
    assert_eq!(v["completed"], in_team);
    assert!(v["auditors"].is_null());
    let kw = app.sign_in("kw.early-help-north.1@anytown.example").await;
    assert_refused!(app.call("moderation_results", &[], Some(&kw)).await.status);

    // CSV under the same need-to-know.
    let csv = |token: Option<String>| {
        let mut req = axum::http::Request::get("/moderation/results.csv");
        if let Some(t) = token {
            req = req.header(axum::http::header::COOKIE, format!("pa_session={t}"));
        }
        req.body(axum::body::Body::empty()).unwrap()
    };
    let r = app.send(csv(Some(qa.clone()))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers[axum::http::header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert!(r.body.starts_with("section,label,pairs,agreed"));
    assert!(
        r.body.contains("overall,Overall grade,3,2,67 %"),
        "{}",
        r.body
    );
    assert_refused!(app.send(csv(Some(kw))).await.status);
    assert_eq!(app.send(csv(None)).await.status, StatusCode::UNAUTHORIZED);
}
