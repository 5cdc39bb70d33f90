//! Annex A as Ofsted publishes it: List 2 with no allocation columns, other lists naming
//! teams and workers the directory does not know, and the Lead practitioners file and case
//! page that give the List 2 cases someone to take their audit through.

use crate::annex_import::{detail, on_list, HEAD as ALLOCATED};
use crate::common::xlsx::{row, s, workbook, X};
use crate::common::*;
use axum::http::StatusCode;

const QA: &str = "qa.manager@anytown.example";
const KW: &str = "kw.early-help-north.1@anytown.example";
const FAMILIES: [&str; 3] = ["FAM0001", "FAM0002", "FAM0003"];

/// The columns of Ofsted's List 2 (early help) template: no team, no worker.
const LIST_2: &[&str] = &[
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Assessment start date",
    "Assessment completion date",
    "Organisation completing assessment",
];

/// A workbook laid out as Ofsted's template: List 2 has three new families and four demo
/// families, with the template's columns only; the other lists keep four demo cases each,
/// and List 6 adds a child in a team and with a worker the directory does not know.
async fn template_workbook(app: &TestApp) -> Vec<u8> {
    let mut list_2 = vec![row(LIST_2)];
    let kept: Vec<String> = on_list(app, 2)
        .await
        .into_iter()
        .take(4)
        .map(|c| c.0)
        .collect();
    for id in FAMILIES
        .iter()
        .copied()
        .chain(kept.iter().map(String::as_str))
    {
        list_2.push(vec![
            s(id),
            s("F"),
            s("White British"),
            X::D(2016, 3, 9),
            X::N(10.0),
            X::D(2026, 9, 1),
            s(""),
            s("Anytown Family Hub"),
        ]);
    }
    let mut sheets = vec![("List 2".to_string(), list_2)];
    for list in [6, 7, 8, 9] {
        let mut rows = vec![row(ALLOCATED)];
        for (id, team, worker) in on_list(app, list).await.into_iter().take(4) {
            rows.push(vec![
                s(&id),
                s("M"),
                s(""),
                X::D(2012, 1, 2),
                X::N(14.0),
                s(&team),
                s(worker.as_deref().unwrap_or("")),
            ]);
        }
        if list == 6 {
            rows.push(row(&[
                "CIN0099",
                "M",
                "",
                "02/01/2013",
                "",
                "Family Support Hub",
                "Robin Newname",
            ]));
        }
        sheets.push((format!("List {list}"), rows));
    }
    let refs: Vec<(&str, Vec<Vec<X>>)> = sheets
        .iter()
        .map(|(n, r)| (n.as_str(), r.clone()))
        .collect();
    workbook(&refs)
}

/// (team, key worker) IDs of a case.
async fn allocation(app: &TestApp, child_unique_id: &str) -> (Option<i64>, Option<i64>) {
    app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT team_id, key_worker_id FROM cases WHERE child_unique_id = $1"
    )
    .bind(child_unique_id)
    .fetch_one(pool)
    .await)
    .unwrap()
}

async fn case_id(app: &TestApp, child_unique_id: &str) -> i64 {
    app.store
        .case_id_by_child_id(child_unique_id)
        .await
        .unwrap()
        .unwrap()
}

/// Draws a new round taking every eligible List 2 case; the draw as the round page has it.
async fn draw_all_of_list_2(app: &TestApp, qa: &str, month: &str) -> serde_json::Value {
    let round = app
        .call("create_round", &[("month", month)], Some(qa))
        .await
        .json()
        .as_i64()
        .unwrap()
        .to_string();
    let before = app
        .call("round_detail", &[("round_id", &round)], Some(qa))
        .await
        .json();
    let r = app
        .call(
            "draw_round",
            &[("round_id", &round), ("quota_2", "500")],
            Some(qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let after = app
        .call("round_detail", &[("round_id", &round)], Some(qa))
        .await
        .json();
    serde_json::json!({ "before": before, "draw": after["draw"] })
}

fn drawn(draw: &serde_json::Value) -> Vec<String> {
    draw["strata"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["selected"].as_array().unwrap().iter())
        .map(|c| c["child_unique_id"].as_str().unwrap().to_string())
        .collect()
}

async fn upload_leads(app: &TestApp, qa: &str, csv: &str) -> serde_json::Value {
    let r = app
        .upload(
            "upload_directory",
            &[("kind", "leads")],
            ("lead-practitioners.csv", csv.as_bytes()),
            Some(qa),
            false,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    detail(app, qa, r.json().as_i64().unwrap()).await
}

#[tokio::test]
async fn list_2_as_ofsted_lays_it_out_imports_and_its_cases_wait_for_a_lead_practitioner() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let gaps_before = app
        .call("lead_practitioner_gaps", &[], Some(&qa))
        .await
        .json();

    // The first check names every problem: here, the unknown team and worker only.
    let r = app
        .upload(
            "upload_annex_a",
            &[("list", "all")],
            ("annex-a.xlsx", &template_workbook(&app).await),
            Some(&qa),
            false,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.json().as_i64().unwrap();
    let first = detail(&app, &qa, id).await;
    assert_eq!(first["listing"]["status"], "staged", "{first}");
    assert!(first["problems"].as_array().unwrap().is_empty());
    let names = |v: &serde_json::Value, kind: &str| -> Vec<String> {
        v["unresolved"][kind]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&first, "teams"), ["Family Support Hub"]);
    assert_eq!(names(&first, "workers"), ["Robin Newname"]);

    // Map every name the check found.
    let teams = app.store.teams().await.unwrap();
    let hub = teams
        .iter()
        .find(|(_, n)| n == "Early Help North")
        .unwrap()
        .0
        .to_string();
    let ids = id.to_string();
    for form in [
        vec![
            ("import_id", ids.as_str()),
            ("kind", "team"),
            ("name", "Family Support Hub"),
            ("target_id", hub.as_str()),
        ],
        vec![
            ("import_id", ids.as_str()),
            ("kind", "worker"),
            ("name", "Robin Newname"),
            ("create", "worker"),
            ("email", "robin.newname@anytown.example"),
            ("team_id", hub.as_str()),
        ],
    ] {
        let r = app.call("map_import_name", &form, Some(&qa)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }
    // Mapping uncovers nothing new.
    let mapped = detail(&app, &qa, id).await;
    assert!(
        names(&mapped, "teams").is_empty() && names(&mapped, "workers").is_empty(),
        "{mapped}"
    );
    assert!(mapped["problems"].as_array().unwrap().is_empty());
    assert_eq!(mapped["summary"]["new_cases"], 4, "{mapped}");
    assert_eq!(mapped["summary"]["new_without_lead_practitioner"], 3);

    // Applying succeeds; the families join List 2 with no team or lead practitioner.
    let r = app
        .call("apply_import", &[("import_id", &ids)], Some(&qa))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for family in FAMILIES {
        assert_eq!(allocation(&app, family).await, (None, None), "{family}");
    }
    assert_eq!(
        allocation(&app, "CIN0099").await.1,
        Some(app.person_id("robin.newname@anytown.example").await)
    );
    let gaps = app
        .call("lead_practitioner_gaps", &[], Some(&qa))
        .await
        .json();
    let before = gaps_before["without_lead_practitioner"].as_i64().unwrap();
    assert_eq!(
        gaps["without_lead_practitioner"].as_i64().unwrap(),
        before + 3
    );
    assert_eq!(
        gaps["without_team"].as_i64().unwrap(),
        gaps_before["without_team"].as_i64().unwrap() + 3
    );

    // The QA Manager sees them, without a team, on the case list and a case's page.
    let listed = app
        .call("list_cases", &[("lead", "none")], Some(&qa))
        .await
        .json();
    let rows = listed["rows"].as_array().unwrap();
    assert_eq!(listed["total"].as_i64().unwrap(), before + 3);
    assert!(rows.iter().all(|r| r["key_worker"].is_null()));
    let record = app
        .call(
            "open_case",
            &[("case_id", &case_id(&app, "FAM0001").await.to_string())],
            Some(&qa),
        )
        .await
        .json();
    assert!(record["team"].is_null(), "{record}");
    let history = record["history"].as_array().unwrap();
    assert!(
        history
            .iter()
            .any(|h| h[1] == "Added to the pool with its team and lead practitioner not known"),
        "{record}"
    );

    // They are never drawn, and the round page counts them, before and after the draw.
    let round = draw_all_of_list_2(&app, &qa, "2027-01").await;
    assert_eq!(
        round["before"]["without_lead_practitioner"]
            .as_i64()
            .unwrap(),
        before + 3
    );
    let first_draw = drawn(&round["draw"]);
    assert!(!first_draw.is_empty());
    assert!(
        FAMILIES.iter().all(|f| !first_draw.iter().any(|d| d == f)),
        "{first_draw:?}"
    );
    assert!(round["draw"]["unallocated_left_out"].as_i64().unwrap() >= 3);

    // A Lead practitioners file with problems changes nothing, and names each problem.
    let rejected = upload_leads(
        &app,
        &qa,
        &format!(
            "Child Unique ID,Lead Practitioner,Team\n\
             FAM0001,Robin Newname,Nowhere Team\n\
             FAM0002,{QA},Early Help North\n\
             NOSUCH01,{KW},Early Help North\n\
             FAM0003,,Early Help North\n"
        ),
    )
    .await;
    assert_eq!(rejected["listing"]["status"], "rejected");
    assert_eq!(rejected["problems"][0]["row"], 5, "{rejected}");
    assert_eq!(rejected["problems"][0]["column"], "Lead Practitioner");
    let rejected = upload_leads(
        &app,
        &qa,
        &format!(
            "Child Unique ID,Lead Practitioner,Team\n\
             FAM0001,Robin Newname,Nowhere Team\n\
             FAM0002,{QA},Early Help North\n\
             NOSUCH01,{KW},Early Help North\n\
             FAM0003,{KW},Early Help North\n"
        ),
    )
    .await;
    let problems: Vec<(i64, String)> = rejected["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_i64().unwrap(),
                p["column"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            (2, "Team".to_string()),
            (3, "Lead Practitioner".to_string()),
            (4, "Child Unique ID".to_string()),
        ],
        "{rejected}"
    );
    assert_eq!(allocation(&app, "FAM0003").await, (None, None));

    // The corrected file sets all three, aliases and names as Annex A files use them.
    let applied = upload_leads(
        &app,
        &qa,
        &format!(
            "Child Unique ID,Lead Practitioner,Team\n\
             FAM0001,Robin Newname,Family Support Hub\n\
             FAM0002,{KW},Early Help North\n\
             FAM0003,{KW},early help north\n"
        ),
    )
    .await;
    assert_eq!(applied["listing"]["status"], "applied", "{applied}");
    assert_eq!(
        applied["listing"]["what"],
        "Staff directory: lead practitioners"
    );
    let hub: i64 = hub.parse().unwrap();
    let kw = app.person_id(KW).await;
    assert_eq!(
        allocation(&app, "FAM0001").await,
        (
            Some(hub),
            Some(app.person_id("robin.newname@anytown.example").await)
        )
    );
    assert_eq!(allocation(&app, "FAM0003").await, (Some(hub), Some(kw)));
    let gaps = app
        .call("lead_practitioner_gaps", &[], Some(&qa))
        .await
        .json();
    assert_eq!(gaps["without_lead_practitioner"].as_i64().unwrap(), before);
    let record = app
        .call(
            "open_case",
            &[("case_id", &case_id(&app, "FAM0002").await.to_string())],
            Some(&qa),
        )
        .await
        .json();
    assert_eq!(record["team"], "Early Help North");
    let history: Vec<&str> = record["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h[1].as_str().unwrap())
        .collect();
    assert!(
        history
            .iter()
            .any(|h| h.starts_with("Team set to Early Help North by ")
                && h.ends_with(", from a directory file")),
        "{history:?}"
    );

    // Now known, they can be drawn: next month's round takes every eligible List 2 case.
    let round = draw_all_of_list_2(&app, &qa, "2027-02").await;
    let second_draw = drawn(&round["draw"]);
    for family in FAMILIES {
        assert!(
            second_draw.iter().any(|d| d == family),
            "{family} not drawn: {second_draw:?}"
        );
    }
}

#[tokio::test]
async fn the_case_page_sets_a_lead_practitioner_naming_each_missing_field() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    // Any list exported without allocation columns: here List 8 as a single CSV.
    let r = app
        .upload(
            "upload_annex_a",
            &[("list", "8")],
            (
                "list-8.csv",
                b"Child Unique ID,Date of Birth\nCIC0077,04/05/2015\n",
            ),
            Some(&qa),
            false,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.json().as_i64().unwrap().to_string();
    let r = app
        .call("apply_import", &[("import_id", &id)], Some(&qa))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let case = case_id(&app, "CIC0077").await.to_string();
    assert_eq!(allocation(&app, "CIC0077").await, (None, None));

    let r = app
        .call(
            "set_lead_practitioner",
            &[("case_id", &case), ("team_id", ""), ("key_worker_id", "")],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let answer = r.json();
    let fields: Vec<&str> = answer["Invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["lead-team", "lead-worker"]);
    // A person who is not a key worker is refused at the field.
    let team = app.store.teams().await.unwrap()[0].0.to_string();
    let qa_id = app.person_id(QA).await.to_string();
    let r = app
        .call(
            "set_lead_practitioner",
            &[
                ("case_id", &case),
                ("team_id", &team),
                ("key_worker_id", &qa_id),
            ],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["Invalid"][0]["field"], "lead-worker");
    assert_eq!(allocation(&app, "CIC0077").await, (None, None));

    let kw = app.person_id(KW).await.to_string();
    let r = app
        .call(
            "set_lead_practitioner",
            &[
                ("case_id", &case),
                ("team_id", &team),
                ("key_worker_id", &kw),
            ],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        allocation(&app, "CIC0077").await,
        (Some(team.parse().unwrap()), Some(kw.parse().unwrap()))
    );
    // The key worker now sees the case.
    let kw_token = app.sign_in(KW).await;
    let r = app
        .call("open_case", &[("case_id", &case)], Some(&kw_token))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}
