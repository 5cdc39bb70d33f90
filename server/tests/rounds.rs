use crate::common::*;
use axum::http::StatusCode;
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
    assert_refused!(
        app.call("create_round", &[("month", "2027-02")], Some(&ad))
            .await
            .status
    );
    assert_refused!(
        draw(&app, &ad, id.parse().unwrap(), ["", "1", "", "", ""], "")
            .await
            .status
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
        assert_refused!(reply.status, "{name}");
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
    app::on_pool!(app.store, |pool| sqlx::query("UPDATE round_cases SET case_id = (SELECT MIN(id) FROM cases WHERE id NOT IN (SELECT case_id FROM round_cases)) WHERE id = (SELECT MIN(id) FROM round_cases)")
        .execute(pool)
        .await.map(|done| done.rows_affected()))
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
        "Enter how many cases to draw from at least one list or team"
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
    assert_refused!(withdraw(&app, &kw, id, gone, "closed").await.status);

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
    app::on_pool!(app.store, |pool| sqlx::query(
        "UPDATE round_cases SET case_id = (SELECT MIN(id) FROM cases WHERE id NOT IN (SELECT case_id FROM round_cases)) \
         WHERE selected_by = 'replacement'",
    )
    .execute(pool)
    .await.map(|done| done.rows_affected()))
    .unwrap();
    let tampered = app
        .call("verify_draw", &[("round_id", &id.to_string())], Some(&qa))
        .await
        .json();
    assert_eq!(tampered["matches"], false);
}

/// Creates, draws and confirms a round; returns its ID.
async fn confirmed_round(app: &TestApp, qa: &str, month: &str, quotas: [&str; 5]) -> i64 {
    let id = create(app, qa, month).await;
    let reply = draw(app, qa, id, quotas, "").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = app
        .call("confirm_round", &[("round_id", &id.to_string())], Some(qa))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    id
}

#[tokio::test]
async fn team_quotas_draw_from_that_team_before_the_list_quotas() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let id = create(&app, &qa, "2027-01").await;
    let teams: Vec<(i64, String)> = app.store.teams().await.unwrap();
    let (team_id, team_name) = teams[0].clone();
    let field = format!("team_quota[{team_id}]");
    let reply = app
        .call(
            "draw_round",
            &[
                ("round_id", &id.to_string()),
                ("quota_8", "3"),
                (&field, "4"),
            ],
            Some(&qa),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let detail = app
        .call("round_detail", &[("round_id", &id.to_string())], Some(&qa))
        .await
        .json();
    let strata = detail["draw"]["strata"].as_array().unwrap();
    assert_eq!(strata.len(), 2);
    assert_eq!(strata[0]["label"], format!("Team: {team_name}"));
    assert_eq!(strata[0]["selected"].as_array().unwrap().len(), 4);
    assert!(strata[0]["selected"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["team"] == team_name.as_str()));
    assert_eq!(strata[1]["selected"].as_array().unwrap().len(), 3);
    // Re-running from the record gives the same sample, team strata included.
    let verify = app
        .call("verify_draw", &[("round_id", &id.to_string())], Some(&qa))
        .await
        .json();
    assert_eq!(verify["matches"], true);
    assert_eq!(verify["cases"], 7);

    let bad = app
        .call(
            "draw_round",
            &[("round_id", &id.to_string()), (&field, "many")],
            Some(&qa),
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        bad.json()["Invalid"][0]["field"],
        format!("team-quota-{team_id}")
    );
}

#[tokio::test]
async fn confirming_tells_each_holder_once_in_their_tray_and_by_email() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let id = create(&app, &qa, "2027-02").await;
    assert_eq!(
        draw(&app, &qa, id, ["", "", "2", "", ""], "").await.status,
        StatusCode::OK
    );

    // Only the QA Manager confirms, and only a drawn round.
    let ad = app.sign_in(AD).await;
    let refused = app
        .call("confirm_round", &[("round_id", &id.to_string())], Some(&ad))
        .await;
    assert_refused!(refused.status);
    let reply = app
        .call("confirm_round", &[("round_id", &id.to_string())], Some(&qa))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let twice = app
        .call("confirm_round", &[("round_id", &id.to_string())], Some(&qa))
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY);

    let contacts = app.store.selection_contacts(id).await.unwrap();
    assert_eq!(contacts.len(), 2);
    for c in &contacts {
        let holders = [
            c.key_worker_id,
            c.team_manager_id,
            c.iro_id,
            c.service_manager_id,
        ];
        for person in holders.into_iter().flatten() {
            let (email,): (String,) = app::on_pool!(app.store, |pool| sqlx::query_as(
                "SELECT email FROM people WHERE id = $1"
            )
            .bind(person)
            .fetch_one(pool)
            .await)
            .unwrap();
            let token = app.sign_in(&email).await;
            let tray = app.tray(&token).await;
            let about: Vec<_> = tray
                .iter()
                .filter(|a| a["case_id"] == c.case_id && a["kind"] == "case_selected")
                .collect();
            assert_eq!(
                about.len(),
                1,
                "{email} hears once about {}",
                c.child_unique_id
            );
            assert_eq!(about[0]["read"], false);
            assert_eq!(about[0]["link"], format!("/cases/{}", c.case_id));
            assert!(about[0]["body"]
                .as_str()
                .unwrap()
                .contains("selected for audit in February 2027"));
            // The alert's link opens: they are entitled to the case.
            let case = app
                .call(
                    "open_case",
                    &[("case_id", &c.case_id.to_string())],
                    Some(&token),
                )
                .await;
            assert_eq!(case.status, StatusCode::OK, "{email}: {}", case.body);
            let emails = app.emails_to(&email).await;
            assert!(
                emails
                    .iter()
                    .any(|e| e.body.contains(&format!("/cases/{}", c.case_id))),
                "{email} is emailed"
            );
            assert!(
                emails.iter().all(|e| !e.body.contains(&c.child_unique_id)),
                "{email}: no Child Unique ID leaves by email"
            );

            // Marking read: only one's own alert.
            let alert_id = about[0]["id"].as_i64().unwrap().to_string();
            let stranger = app.sign_in(KW).await;
            if app.person_id(KW).await != person {
                let r = app
                    .call(
                        "mark_alert_read",
                        &[("alert_id", &alert_id)],
                        Some(&stranger),
                    )
                    .await;
                assert_eq!(r.status, StatusCode::NOT_FOUND);
            }
            let r = app
                .call("mark_alert_read", &[("alert_id", &alert_id)], Some(&token))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        }
    }
    // Nobody outside the cases' holders heard.
    let (alerted,): (i64,) = app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT COUNT(DISTINCT person_id) FROM alerts WHERE kind = 'case_selected'"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    let mut holders = BTreeSet::new();
    for c in &contacts {
        holders.extend(
            [
                c.key_worker_id,
                c.team_manager_id,
                c.iro_id,
                c.service_manager_id,
            ]
            .into_iter()
            .flatten(),
        );
    }
    assert_eq!(alerted as usize, holders.len());
}

#[tokio::test]
async fn auditors_are_suggested_evenly_never_for_their_own_team_and_told() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let id = confirmed_round(&app, &qa, "2027-03", ["2", "3", "3", "3", "3"]).await;
    let detail = app
        .call("round_detail", &[("round_id", &id.to_string())], Some(&qa))
        .await
        .json();
    let rows = detail["assignments"]["rows"].as_array().unwrap().clone();
    assert_eq!(rows.len(), 14);
    let auditors = app.store.auditors().await.unwrap();
    let contacts = app.store.selection_contacts(id).await.unwrap();
    // Every auditor is listed once, with their open audits; each row names only those who
    // may not take it.
    assert_eq!(
        detail["assignments"]["auditors"].as_array().unwrap().len(),
        auditors.len()
    );
    let mut load = std::collections::HashMap::new();
    for row in &rows {
        let suggested = row["suggested"]
            .as_i64()
            .expect("everyone gets a suggestion");
        let case = app
            .store
            .case(row["case_id"].as_i64().unwrap())
            .await
            .unwrap()
            .unwrap();
        let a = auditors.iter().find(|a| a.person_id == suggested).unwrap();
        assert!(
            !a.own_teams.contains(&case.team_id.unwrap()),
            "own team suggested"
        );
        let excluded: Vec<i64> = row["excluded"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_i64().unwrap())
            .collect();
        let contact = contacts
            .iter()
            .find(|c| Some(c.round_case_id) == row["round_case_id"].as_i64())
            .unwrap();
        for auditor in &auditors {
            assert_eq!(
                excluded.contains(&auditor.person_id),
                auditor.own_teams.contains(&contact.team_id)
                    || Some(auditor.person_id) == contact.key_worker_id
                    || Some(auditor.person_id) == contact.iro_id,
                "auditor {} on a case of team {}",
                auditor.person_id,
                case.team_id.unwrap()
            );
        }
        *load.entry(suggested).or_insert(0) += 1;
    }
    // Balanced: with more auditors than cases, nobody gets two.
    assert!(auditors.len() >= 14);
    assert!(load.values().all(|n| *n == 1), "{load:?}");

    // Saving the suggestions (as the form does) assigns and tells each auditor.
    let form: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                format!("auditor[{}]", r["round_case_id"]),
                r["suggested"].to_string(),
            )
        })
        .chain([("round_id".to_string(), id.to_string())])
        .collect();
    let form_ref: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let reply = app.call("assign_auditors", &form_ref, Some(&qa)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json(), 14);
    // Saving again changes nothing and tells nobody again.
    let again = app.call("assign_auditors", &form_ref, Some(&qa)).await;
    assert_eq!(again.json(), 0);

    let first = &rows[0];
    let auditor_id = first["suggested"].as_i64().unwrap();
    let (email,): (String,) = app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT email FROM people WHERE id = $1"
    )
    .bind(auditor_id)
    .fetch_one(pool)
    .await)
    .unwrap();
    let token = app.sign_in(&email).await;
    let tray = app.tray(&token).await;
    let assigned: Vec<_> = tray
        .iter()
        .filter(|a| a["kind"] == "auditor_assigned")
        .collect();
    assert_eq!(assigned.len(), 1);
    assert_eq!(assigned[0]["case_id"], first["case_id"]);
    // The assigned auditor may now open the case; another auditor may not.
    let case_id = first["case_id"].to_string();
    let open = app
        .call("open_case", &[("case_id", &case_id)], Some(&token))
        .await;
    assert_eq!(open.status, StatusCode::OK, "{}", open.body);
    let other = auditors
        .iter()
        .find(|a| a.person_id != auditor_id && a.name != "" && a.own_teams.is_empty())
        .unwrap();
    let (other_email,): (String,) = app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT email FROM people WHERE id = $1"
    )
    .bind(other.person_id)
    .fetch_one(pool)
    .await)
    .unwrap();
    let other_token = app.sign_in(&other_email).await;
    let other_roles: Vec<(String,)> = app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT role FROM person_roles WHERE person_id = $1"
    )
    .bind(other.person_id)
    .fetch_all(pool)
    .await)
    .unwrap();
    if other_roles.len() == 1 {
        let refused = app
            .call("open_case", &[("case_id", &case_id)], Some(&other_token))
            .await;
        assert_refused!(refused.status);
    }

    // An auditor from the case's own team is refused, naming the field.
    let case = app
        .store
        .case(first["case_id"].as_i64().unwrap())
        .await
        .unwrap()
        .unwrap();
    let own = auditors
        .iter()
        .find(|a| a.own_teams.contains(&case.team_id.unwrap()))
        .expect("the team manager audits too");
    let field = format!("auditor[{}]", first["round_case_id"]);
    let own_id = own.person_id.to_string();
    let refused = app
        .call(
            "assign_auditors",
            &[("round_id", &id.to_string()), (&field, &own_id)],
            Some(&qa),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.json()["Invalid"][0]["field"],
        format!("auditor-{}", first["round_case_id"])
    );
    // And only the QA Manager assigns.
    let ad = app.sign_in(AD).await;
    let r = app
        .call(
            "assign_auditors",
            &[("round_id", &id.to_string())],
            Some(&ad),
        )
        .await;
    assert_refused!(r.status);
}

#[tokio::test]
async fn auditors_cannot_be_assigned_before_the_round_is_confirmed() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let id = create(&app, &qa, "2027-04").await;
    assert_eq!(
        draw(&app, &qa, id, ["", "2", "", "", ""], "").await.status,
        StatusCode::OK
    );
    let refs = app.store.round_case_refs(id).await.unwrap();
    let auditor = app.person_id("auditor.1@anytown.example").await.to_string();
    let field = format!("auditor[{}]", refs[0].id);
    let r = app
        .call(
            "assign_auditors",
            &[("round_id", &id.to_string()), (&field, &auditor)],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert_eq!(r.json()["Invalid"][0]["field"], "assign");
}
