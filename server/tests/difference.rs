//! Make A Difference through the server functions: a draft from confirmed good practice, the
//! disclosure check holding publishing until each flag is resolved, the library, and the
//! interview arranged with the practitioners.

use crate::common::journey::*;
use crate::common::moderation::*;
use crate::common::*;
use axum::http::StatusCode;

fn detail(reply: &Reply) -> serde_json::Value {
    ok(reply);
    reply.json()
}

#[tokio::test]
async fn confirmed_good_practice_starts_a_draft_from_the_audit() {
    let app = TestApp::new().await;
    let (audit, summary, kw) = confirmed_good(&app, "2026-06").await;
    let qa = app.sign_in(QA).await;
    let v = detail(
        &app.call(
            "difference_detail",
            &[("id", &summary.to_string())],
            Some(&qa),
        )
        .await,
    );
    assert!(
        v["title"]
            .as_str()
            .unwrap()
            .starts_with("Good practice in "),
        "{}",
        v["title"]
    );
    let child: String = app::on_pool!(app.store, |pool| {
        sqlx::query_scalar(
        "SELECT c.child_unique_id FROM audits a JOIN cases c ON c.id = a.case_id WHERE a.id = $1",
    )
    .bind(audit)
    .fetch_one(pool)
    .await
    })
    .unwrap();
    assert!(!v["title"].as_str().unwrap().contains(&child));
    let body = v["body"].as_str().unwrap();
    assert!(
        body.contains("Warm relationship with the child."),
        "the audit's strengths: {body}"
    );
    assert!(
        body.contains("Findings on voice."),
        "each good domain's findings: {body}"
    );
    let interview = detail(
        &app.call(
            "difference_interview",
            &[("id", &summary.to_string())],
            Some(&qa),
        )
        .await,
    );
    assert_eq!(
        interview["interviewees"].as_array().unwrap().len(),
        1,
        "the key worker"
    );
    assert_eq!(v["edits"], true);
    // A requires-improvement outcome starts nothing.
    let (_, audits) = completed_round(&app, "2026-07", AUDITOR, &["requires_improvement"]).await;
    assert_eq!(
        app::on_pool!(app.store, |pool| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM difference_summaries WHERE audit_id = $1"
        )
        .bind(audits[0])
        .fetch_one(pool)
        .await)
        .unwrap(),
        0
    );
    // The key worker (an interviewee) reads the draft but cannot change it; another
    // practitioner cannot open it at all.
    let v = detail(
        &app.call(
            "difference_detail",
            &[("id", &summary.to_string())],
            Some(&kw),
        )
        .await,
    );
    assert_eq!(v["edits"], false);
    assert_eq!(v["flags"].as_array().unwrap().len(), 0);
    let r = app
        .call(
            "save_difference",
            &[
                ("id", &summary.to_string()),
                ("version", "1"),
                ("title", "x"),
                ("body", "y"),
            ],
            Some(&kw),
        )
        .await;
    assert_refused!(r.status);
    let other = app.sign_in("kw.leaving-care.1@anytown.example").await;
    let r = app
        .call(
            "difference_detail",
            &[("id", &summary.to_string())],
            Some(&other),
        )
        .await;
    assert_refused!(r.status);
    let lib = detail(&app.call("difference_library", &[], Some(&other)).await);
    assert_eq!(lib["published"].as_array().unwrap().len(), 0);
    assert_eq!(
        lib["drafts"].as_array().unwrap().len(),
        0,
        "drafts are the QA team's"
    );
    let lib = detail(&app.call("difference_library", &[], Some(&qa)).await);
    assert_eq!(lib["drafts"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn publishing_waits_until_every_disclosure_flag_is_resolved() {
    let app = TestApp::new().await;
    let (audit, summary, _) = confirmed_good(&app, "2026-06").await;
    let qa = app.sign_in(QA).await;
    let child: String = app::on_pool!(app.store, |pool| {
        sqlx::query_scalar(
        "SELECT c.child_unique_id FROM audits a JOIN cases c ON c.id = a.case_id WHERE a.id = $1",
    )
    .bind(audit)
    .fetch_one(pool)
    .await
    })
    .unwrap();
    let (kw_id, kw_name): (i64, String) = app::on_pool!(app.store, |pool| {
        sqlx::query_as("SELECT p.id, p.display_name FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id JOIN people p ON p.id = rc.key_worker_id WHERE a.id = $1")
        .bind(audit).fetch_one(pool).await.unwrap()
    });
    let id = summary.to_string();
    let text = format!("{kw_name} visited {child} weekly and marked the birthday on 07/03/2014.\n\nThe plan was reviewed every month.");
    ok(&app
        .call(
            "save_difference",
            &[
                ("id", &id),
                ("version", "1"),
                ("title", "Steady visits"),
                ("body", &text),
            ],
            Some(&qa),
        )
        .await);
    // A save against the older version is refused.
    let r = app
        .call(
            "save_difference",
            &[
                ("id", &id),
                ("version", "1"),
                ("title", "Steady visits"),
                ("body", "x"),
            ],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    let v = detail(
        &app.call("difference_detail", &[("id", &id)], Some(&qa))
            .await,
    );
    let keys: Vec<&str> = v["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&format!("name:{kw_id}").as_str()), "{keys:?}");
    assert!(
        keys.contains(&format!("child:{}", child.to_uppercase()).as_str()),
        "{keys:?}"
    );
    assert!(keys.contains(&"date:2014-03-07"), "{keys:?}");
    assert_eq!(v["outstanding"], 3);
    // Publishing is refused, naming each flag.
    let r = app
        .call(
            "publish_difference",
            &[("id", &id), ("version", "2")],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        r.json()["Invalid"].as_array().unwrap().len(),
        3,
        "{}",
        r.body
    );
    // The practitioner agreed to be named: cleared with a reason. A Child Unique ID can
    // never be cleared, and a reason is needed.
    let name_key = format!("name:{kw_id}");
    let r = app
        .call(
            "clear_difference_flag",
            &[("id", &id), ("key", &name_key), ("reason", "")],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    ok(&app
        .call(
            "clear_difference_flag",
            &[
                ("id", &id),
                ("key", &name_key),
                ("reason", "They agreed to be named"),
            ],
            Some(&qa),
        )
        .await);
    let child_key = format!("child:{}", child.to_uppercase());
    let r = app
        .call(
            "clear_difference_flag",
            &[("id", &id), ("key", &child_key), ("reason", "Needed")],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("take it out"), "{}", r.body);
    // Editing the ID and the date out resolves them.
    let text =
        format!("{kw_name} visited the young person weekly.\n\nThe plan was reviewed every month.");
    ok(&app
        .call(
            "save_difference",
            &[
                ("id", &id),
                ("version", "2"),
                ("title", "Steady visits"),
                ("body", &text),
            ],
            Some(&qa),
        )
        .await);
    let v = detail(
        &app.call("difference_detail", &[("id", &id)], Some(&qa))
            .await,
    );
    assert_eq!(v["outstanding"], 0);
    assert_eq!(
        v["flags"].as_array().unwrap().len(),
        1,
        "the cleared name stays listed, cleared"
    );
    assert!(v["flags"][0]["cleared"]
        .as_str()
        .unwrap()
        .contains("They agreed to be named"));
    // A key worker cannot publish; the QA team can, once.
    let kw = app.sign_in("kw.leaving-care.1@anytown.example").await;
    assert_refused!(
        app.call(
            "publish_difference",
            &[("id", &id), ("version", "3")],
            Some(&kw)
        )
        .await
        .status
    );
    ok(&app
        .call(
            "publish_difference",
            &[("id", &id), ("version", "3")],
            Some(&qa),
        )
        .await);
    let r = app
        .call(
            "save_difference",
            &[("id", &id), ("version", "3"), ("title", "x"), ("body", "y")],
            Some(&qa),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "published summaries are locked"
    );
    // Everyone finds it in the library by a word of it; other words find nothing.
    let lib = detail(
        &app.call("difference_library", &[("q", "weekly plan")], Some(&kw))
            .await,
    );
    assert_eq!(lib["published"].as_array().unwrap().len(), 1);
    let lib = detail(
        &app.call("difference_library", &[("q", "chronology")], Some(&kw))
            .await,
    );
    assert_eq!(lib["published"].as_array().unwrap().len(), 0);
    assert_eq!(
        app.call("difference_detail", &[("id", &id)], Some(&kw))
            .await
            .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_interview_is_arranged_with_the_practitioners() {
    let app = TestApp::new().await;
    let (_, summary, kw) = confirmed_good(&app, "2026-06").await;
    let qa = app.sign_in(QA).await;
    let id = summary.to_string();
    // Bad input: a time in the past, and no time at all.
    let r = app
        .call(
            "propose_interview",
            &[("id", &id), ("time_1", "2020-01-08T10:00")],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("future"), "{}", r.body);
    let r = app
        .call("propose_interview", &[("id", &id)], Some(&qa))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The QA team adds the Team Manager, then proposes two times.
    let tm = app
        .person_id("tm.child-protection-court@anytown.example")
        .await;
    ok(&app
        .call(
            "add_interviewee",
            &[("id", &id), ("person_id", &tm.to_string())],
            Some(&qa),
        )
        .await);
    let r = app
        .call(
            "add_interviewee",
            &[("id", &id), ("person_id", &tm.to_string())],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "once only");
    ok(&app
        .call(
            "propose_interview",
            &[
                ("id", &id),
                ("time_1", "2030-07-01T14:30"),
                ("time_2", "2030-07-02T10:00"),
                ("minutes", "45"),
            ],
            Some(&qa),
        )
        .await);
    let tray = app.tray(&kw).await;
    assert!(tray
        .iter()
        .any(|a| a["kind"] == "interview_proposed"
            && a["link"] == format!("/make-a-difference/{id}")));
    // Someone not on the interview cannot accept.
    let v = detail(
        &app.call("difference_interview", &[("id", &id)], Some(&kw))
            .await,
    );
    assert_eq!(v["accepts"], true);
    let time = v["times"][0]["id"].as_i64().unwrap().to_string();
    let other = app.sign_in("kw.leaving-care.1@anytown.example").await;
    assert_refused!(
        app.call(
            "accept_interview",
            &[("id", &id), ("time_id", &time)],
            Some(&other)
        )
        .await
        .status
    );
    ok(&app
        .call(
            "accept_interview",
            &[("id", &id), ("time_id", &time)],
            Some(&kw),
        )
        .await);
    let r = app
        .call(
            "accept_interview",
            &[("id", &id), ("time_id", &time)],
            Some(&kw),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "once only");
    assert!(app
        .tray(&qa)
        .await
        .iter()
        .any(|a| a["kind"] == "interview_agreed"));
    // The invitation is in London time with an absolute link.
    let req = axum::http::Request::get(format!("/make-a-difference/{id}/interview.ics"))
        .header(axum::http::header::COOKIE, format!("pa_session={kw}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let r = app.send(req).await;
    assert_eq!(r.status, StatusCode::OK);
    let ics = r.body.replace("\r\n ", "");
    assert!(
        ics.contains("DTSTART;TZID=Europe/London:20300701T143000"),
        "{ics}"
    );
    assert!(
        ics.contains("DTEND;TZID=Europe/London:20300701T151500"),
        "{ics}"
    );
    assert!(
        ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/London"),
        "{ics}"
    );
    assert!(
        ics.contains(&format!("URL:http://127.0.0.1:3000/make-a-difference/{id}")),
        "{ics}"
    );
    let req = axum::http::Request::get(format!("/make-a-difference/{id}/interview.ics"))
        .header(axum::http::header::COOKIE, format!("pa_session={other}"))
        .body(axum::body::Body::empty())
        .unwrap();
    assert_refused!(app.send(req).await.status);
}

#[tokio::test]
async fn the_qa_team_starts_a_summary_of_its_own() {
    let app = TestApp::new().await;
    let psw = app.sign_in(PSW).await;
    let r = app
        .call(
            "start_difference",
            &[("title", ""), ("body", "")],
            Some(&psw),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let json = r.json();
    let fields: Vec<&str> = json["Invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["title", "body"]);
    let r = app
        .call(
            "start_difference",
            &[
                ("title", "Court work"),
                ("body", "A clear chronology helped the court."),
            ],
            Some(&psw),
        )
        .await;
    ok(&r);
    let id = r.json().as_i64().unwrap();
    let v = detail(
        &app.call("difference_detail", &[("id", &id.to_string())], Some(&psw))
            .await,
    );
    assert_eq!(v["title"], "Court work");
    assert!(v["audit_id"].is_null());
    let kw = app.sign_in("kw.leaving-care.1@anytown.example").await;
    assert_refused!(
        app.call(
            "start_difference",
            &[("title", "a"), ("body", "b")],
            Some(&kw)
        )
        .await
        .status
    );
}
