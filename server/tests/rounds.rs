mod common;

use axum::http::StatusCode;
use common::*;
use std::collections::BTreeSet;

const QA: &str = "qa.manager@anytown.example";
const AD: &str = "ad.1@anytown.example";
const KW: &str = "kw.early-help-north.1@anytown.example";

async fn create(app: &TestApp, token: &str, month: &str) -> i64 {
    let reply = app
        .call("create_round", &[("month", month)], Some(token))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json().as_i64().unwrap()
}

async fn draw(app: &TestApp, token: &str, round: i64, quotas: [&str; 5], months: &str) -> Reply {
    let round = round.to_string();
    app.call(
        "draw_round",
        &[
            ("round_id", &round),
            ("quota_2", quotas[0]),
            ("quota_6", quotas[1]),
            ("quota_7", quotas[2]),
            ("quota_8", quotas[3]),
            ("quota_9", quotas[4]),
            ("exclude_months", months),
        ],
        Some(token),
    )
    .await
}

fn selected(detail: &serde_json::Value) -> Vec<i64> {
    detail["draw"]["strata"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            s["selected"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["case_id"].as_i64().unwrap())
        })
        .collect()
}

#[tokio::test]
async fn a_round_is_due_on_the_last_working_day_and_only_once_per_month() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let id = create(&app, &qa, "2026-08").await;
    let detail = app
        .call("round_detail", &[("round_id", &id.to_string())], Some(&qa))
        .await
        .json();
    assert_eq!(detail["round"]["due_on"], "2026-08-28");
    assert_eq!(detail["round"]["month"], "August 2026");
    assert_eq!(detail["can_draw"], true);

    let again = app
        .call("create_round", &[("month", "2026-08")], Some(&qa))
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        again.json()["Invalid"][0]["message"],
        "There is already a round for August 2026"
    );
    for bad in ["", "2026-13", "August"] {
        let reply = app.call("create_round", &[("month", bad)], Some(&qa)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert_eq!(reply.json()["Invalid"][0]["field"], "month");
    }
    let december = create(&app, &qa, "2026-12").await;
    let detail = app
        .call(
            "round_detail",
            &[("round_id", &december.to_string())],
            Some(&qa),
        )
        .await
        .json();
    assert_eq!(detail["round"]["due_on"], "2026-12-31");
}

#[tokio::test]
async fn only_the_qa_manager_runs_rounds_and_only_the_programme_sees_them() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let id = create(&app, &qa, "2027-01").await.to_string();
    let ad = app.sign_in(AD).await;
    let kw = app.sign_in(KW).await;
    assert_eq!(
        app.call("create_round", &[("month", "2027-02")], Some(&ad))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        draw(&app, &ad, id.parse().unwrap(), ["", "1", "", "", ""], "")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.call("list_rounds", &[], Some(&ad)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.call("round_detail", &[("round_id", &id)], Some(&ad))
            .await
            .json()["can_draw"],
        false
    );
    for name in [
        "list_rounds",
        "round_detail",
        "verify_draw",
        "create_round",
        "draw_round",
    ] {
        let reply = app
            .call(name, &[("round_id", &id), ("month", "2027-03")], Some(&kw))
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{name}");
        let anonymous = app
            .call(name, &[("round_id", &id), ("month", "2027-03")], None)
            .await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{name}");
    }
}

#[tokio::test]
async fn the_draw_is_recorded_and_verifies() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let id = create(&app, &qa, "2027-01").await;
    let reply = draw(&app, &qa, id, ["2", "5", "", "3", "100"], "12").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let detail = app
        .call("round_detail", &[("round_id", &id.to_string())], Some(&qa))
        .await
        .json();
    assert_eq!(detail["round"]["status"], "drawn");
    assert_eq!(detail["draw"]["seed"].as_str().unwrap().len(), 64);
    let strata = detail["draw"]["strata"].as_array().unwrap();
    let counts: Vec<(String, u64, u64, usize)> = strata
        .iter()
        .map(|s| {
            (
                s["label"].as_str().unwrap().to_string(),
                s["quota"].as_u64().unwrap(),
                s["eligible"].as_u64().unwrap(),
                s["selected"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![
            ("List 2: Early help".into(), 2, 70, 2),
            ("List 6: Children in need".into(), 5, 100, 5),
            ("List 8: Children in care".into(), 3, 100, 3),
            // Quota larger than the pool: all 60 care leavers, and the page says so.
            ("List 9: Leaving care".into(), 100, 60, 60),
        ]
    );
    let ids = selected(&detail);
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        ids.len(),
        "no case twice"
    );

    let verified = app
        .call("verify_draw", &[("round_id", &id.to_string())], Some(&qa))
        .await
        .json();
    assert_eq!(verified, serde_json::json!({"matches": true, "cases": 70}));
    // An Assistant Director can check it too.
    let ad = app.sign_in(AD).await;
    assert_eq!(
        app.call("verify_draw", &[("round_id", &id.to_string())], Some(&ad))
            .await
            .json()["matches"],
        true
    );

    let again = draw(&app, &qa, id, ["", "1", "", "", ""], "").await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        again.json()["Invalid"][0]["message"],
        "This round has already been drawn"
    );

    // Tampering with the stored sample is caught.
    sqlx::query("UPDATE round_cases SET case_id = (SELECT MIN(id) FROM cases WHERE id NOT IN (SELECT case_id FROM round_cases)) WHERE id = (SELECT MIN(id) FROM round_cases)")
        .execute(app.store.pool())
        .await
        .unwrap();
    let tampered = app
        .call("verify_draw", &[("round_id", &id.to_string())], Some(&qa))
        .await
        .json();
    assert_eq!(tampered["matches"], false);
}

#[tokio::test]
async fn cases_in_an_open_round_or_drawn_recently_are_left_out() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let january = create(&app, &qa, "2027-01").await;
    assert_eq!(
        draw(&app, &qa, january, ["", "", "", "", "10"], "")
            .await
            .status,
        StatusCode::OK
    );
    let february = create(&app, &qa, "2027-02").await;
    assert_eq!(
        draw(&app, &qa, february, ["", "", "", "", "100"], "0")
            .await
            .status,
        StatusCode::OK
    );
    let first = selected(
        &app.call(
            "round_detail",
            &[("round_id", &january.to_string())],
            Some(&qa),
        )
        .await
        .json(),
    );
    let detail = app
        .call(
            "round_detail",
            &[("round_id", &february.to_string())],
            Some(&qa),
        )
        .await
        .json();
    assert_eq!(
        detail["draw"]["strata"][0]["eligible"], 50,
        "the 10 in January's open round are left out"
    );
    let second = selected(&detail);
    assert!(second.iter().all(|id| !first.contains(id)));
}

#[tokio::test]
async fn bad_quotas_are_refused_with_the_field_named_and_nothing_drawn() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let id = create(&app, &qa, "2027-01").await;
    let reply = draw(&app, &qa, id, ["two", "", "", "", ""], "").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json()["Invalid"][0]["field"], "quota-2");
    let reply = draw(&app, &qa, id, ["", "", "", "", ""], "").await;
    assert_eq!(
        reply.json()["Invalid"][0]["message"],
        "Enter how many cases to draw from at least one list"
    );
    let detail = app
        .call("round_detail", &[("round_id", &id.to_string())], Some(&qa))
        .await
        .json();
    assert_eq!(detail["round"]["status"], "open");
    assert!(detail["draw"].is_null());
    assert_eq!(
        draw(&app, &qa, 99_999, ["", "1", "", "", ""], "")
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

async fn withdraw(app: &TestApp, token: &str, round: i64, case: i64, reason: &str) -> Reply {
    app.call(
        "withdraw_case",
        &[
            ("round_id", &round.to_string()),
            ("case_id", &case.to_string()),
            ("reason", reason),
        ],
        Some(token),
    )
    .await
}

#[tokio::test]
async fn a_withdrawn_case_is_replaced_from_its_stratum_and_both_are_recorded() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let id = create(&app, &qa, "2027-01").await;
    assert_eq!(
        draw(&app, &qa, id, ["", "3", "", "", "100"], "")
            .await
            .status,
        StatusCode::OK
    );
    let detail = app
        .call("round_detail", &[("round_id", &id.to_string())], Some(&qa))
        .await
        .json();
    let before = selected(&detail);
    let cin: Vec<i64> = detail["draw"]["strata"][0]["selected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_id"].as_i64().unwrap())
        .collect();
    let gone = cin[1];

    let refused = withdraw(&app, &qa, id, gone, "   ").await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.json()["Invalid"][0]["field"],
        format!("reason-{gone}")
    );
    let kw = app.sign_in(KW).await;
    assert_eq!(
        withdraw(&app, &kw, id, gone, "closed").await.status,
        StatusCode::FORBIDDEN
    );

    let reply = withdraw(&app, &qa, id, gone, "The case closed on 3 January").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(reply.json().as_str().unwrap().starts_with("DEMO"));
    let detail = app
        .call("round_detail", &[("round_id", &id.to_string())], Some(&qa))
        .await
        .json();
    let stratum = detail["draw"]["strata"][0]["selected"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(stratum.len(), 3, "the stratum keeps its size");
    assert!(stratum.iter().all(|c| c["case_id"] != gone));
    let newcomer = stratum.iter().find(|c| c["replacement"] == true).unwrap()["case_id"]
        .as_i64()
        .unwrap();
    assert!(!before.contains(&newcomer));
    let listed = app.store.case(newcomer).await.unwrap().unwrap().lists;
    assert_eq!(listed, vec![app::domain::AnnexList::ChildrenInNeed]);

    // Withdrawing the same case again is refused; the draw and its replacement still verify.
    assert_eq!(
        withdraw(&app, &qa, id, gone, "again").await.status,
        StatusCode::NOT_FOUND
    );
    let verified = app
        .call("verify_draw", &[("round_id", &id.to_string())], Some(&qa))
        .await
        .json();
    assert_eq!(verified["matches"], true);

    // A spent stratum (all 60 care leavers taken) has no replacement to give.
    let leaver = detail["draw"]["strata"][1]["selected"][0]["case_id"]
        .as_i64()
        .unwrap();
    let reply = withdraw(&app, &qa, id, leaver, "Moved out of area").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json(), serde_json::Value::Null);
    let detail = app
        .call("round_detail", &[("round_id", &id.to_string())], Some(&qa))
        .await
        .json();
    assert_eq!(
        detail["draw"]["strata"][1]["selected"]
            .as_array()
            .unwrap()
            .len(),
        59
    );

    // A replacement that was not the one the seed gives is caught.
    sqlx::query(
        "UPDATE round_cases SET case_id = (SELECT MIN(id) FROM cases WHERE id NOT IN (SELECT case_id FROM round_cases)) \
         WHERE selected_by = 'replacement'",
    )
    .execute(app.store.pool())
    .await
    .unwrap();
    let tampered = app
        .call("verify_draw", &[("round_id", &id.to_string())], Some(&qa))
        .await
        .json();
    assert_eq!(tampered["matches"], false);
}
