use crate::common::*;
use axum::http::StatusCode;

const ADMIN: &str = "admin@anytown.example";
const QA: &str = "qa.manager@anytown.example";

async fn due_on(app: &TestApp, token: &str, round: &str) -> String {
    let detail = app
        .call("round_detail", &[("round_id", round)], Some(token))
        .await
        .json();
    detail["round"]["due_on"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_council_closure_day_moves_the_due_date_of_open_rounds() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let december = app
        .call("create_round", &[("month", "2026-12")], Some(&qa))
        .await
        .json()
        .to_string();
    assert_eq!(due_on(&app, &qa, &december).await, "2026-12-31");

    let admin = app.sign_in(ADMIN).await;
    let reply = app
        .call(
            "add_closure_day",
            &[("day", "2026-12-31"), ("reason", "Christmas closure")],
            Some(&admin),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json(), 1);
    assert_eq!(due_on(&app, &qa, &december).await, "2026-12-30");
    // Adding the same day again changes nothing.
    let again = app
        .call(
            "add_closure_day",
            &[("day", "2026-12-31"), ("reason", "again")],
            Some(&admin),
        )
        .await;
    assert_eq!(again.json(), 0);

    let days = app.call("closure_days", &[], Some(&qa)).await.json();
    assert_eq!(
        days,
        serde_json::json!([{"day": "2026-12-31", "bank_holiday": false, "reason": "Christmas closure"}])
    );
    // New rounds use the calendar too.
    let january = app
        .call(
            "add_closure_day",
            &[("day", "2027-01-29"), ("reason", "Staff day")],
            Some(&admin),
        )
        .await;
    assert_eq!(january.status, StatusCode::OK);
    let round = app
        .call("create_round", &[("month", "2027-01")], Some(&qa))
        .await
        .json()
        .to_string();
    assert_eq!(due_on(&app, &qa, &round).await, "2027-01-28");
}

#[tokio::test]
async fn bad_closure_days_are_named_and_only_the_administrator_changes_the_calendar() {
    let app = TestApp::new().await;
    let admin = app.sign_in(ADMIN).await;
    let reply = app
        .call(
            "add_closure_day",
            &[("day", "31/12/2026"), ("reason", "")],
            Some(&admin),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = reply.json()["Invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, vec!["day", "reason"]);

    let qa = app.sign_in(QA).await;
    let refused = app
        .call(
            "add_closure_day",
            &[("day", "2026-12-31"), ("reason", "x")],
            Some(&qa),
        )
        .await;
    assert_refused!(refused.status);
    assert_refused!(
        app.call("load_bank_holidays", &[("json", "{}")], Some(&qa))
            .await
            .status
    );
    let kw = app.sign_in("kw.leaving-care.1@anytown.example").await;
    assert_refused!(app.call("closure_days", &[], Some(&kw)).await.status);
    assert_eq!(
        app.call("closure_days", &[], None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn newer_bank_holidays_load_from_gov_uk_json() {
    let app = TestApp::new().await;
    let admin = app.sign_in(ADMIN).await;
    let json = r#"{"england-and-wales": {"division": "england-and-wales", "events": [
        {"title": "Summer bank holiday", "date": "2029-08-27", "notes": "", "bunting": true},
        {"title": "Christmas Day", "date": "2026-12-25", "notes": "", "bunting": true}
    ]}, "scotland": {"division": "scotland", "events": []}}"#;
    let reply = app
        .call("load_bank_holidays", &[("json", json)], Some(&admin))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json(), 2);
    let qa = app.sign_in(QA).await;
    let august = app
        .call("create_round", &[("month", "2029-08")], Some(&qa))
        .await
        .json()
        .to_string();
    // 31 August 2029 is a Friday; the 27th is the bank holiday, so the due date stays the 31st.
    assert_eq!(due_on(&app, &qa, &august).await, "2029-08-31");
    let days = app.call("closure_days", &[], Some(&qa)).await.json();
    assert_eq!(days.as_array().unwrap().len(), 2);
    assert_eq!(days[1]["bank_holiday"], true);

    for (bad, message) in [
        ("not json", "not in gov.uk's bank-holidays.json format"),
        (
            r#"{"scotland": {"events": []}}"#,
            "no England and Wales bank holidays",
        ),
    ] {
        let reply = app
            .call("load_bank_holidays", &[("json", bad)], Some(&admin))
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = reply.json()["Invalid"][0]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(text.contains(message), "{text}");
    }
}
