use crate::common::*;
use app::domain::trail::{Outcome, Record};
use app::domain::{case_access, Role};
use app::store::CaseQuery;
use axum::http::StatusCode;
use std::collections::BTreeSet;

const QA: &str = "qa.manager@anytown.example";
const KW: &str = "kw.early-help-north.1@anytown.example";
const TM: &str = "tm.early-help-north@anytown.example";

async fn all_case_ids(app: &TestApp, token: &str) -> (BTreeSet<i64>, serde_json::Value) {
    let mut ids = BTreeSet::new();
    let mut page = 1;
    loop {
        let reply = app
            .call("list_cases", &[("page", &page.to_string())], Some(token))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let json = reply.json();
        for row in json["rows"].as_array().unwrap() {
            ids.insert(row["id"].as_i64().unwrap());
        }
        if page >= json["pages"].as_u64().unwrap() {
            return (ids, json);
        }
        page += 1;
    }
}

#[tokio::test]
async fn key_worker_sees_exactly_their_allocated_cases() {
    let app = TestApp::new().await;
    let me = app.person_id(KW).await;
    let token = app.sign_in(KW).await;
    let (ids, last) = all_case_ids(&app, &token).await;
    assert!(!ids.is_empty());
    for id in &ids {
        let case = app.store.case(*id).await.unwrap().unwrap();
        assert_eq!(case.allocation.key_worker_id, Some(me));
    }
    assert!(last["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["access"] == "KeyWorker"));
    assert_eq!(last["total"].as_i64().unwrap(), ids.len() as i64);
    // The team filter offers only the key worker's own team.
    assert_eq!(last["teams"].as_array().unwrap().len(), 1);
    assert_eq!(last["teams"][0]["name"], "Early Help North");
}

#[tokio::test]
async fn key_worker_is_refused_another_teams_case_and_the_refusal_is_logged() {
    let app = TestApp::new().await;
    let me = app.person_id(KW).await;
    let token = app.sign_in(KW).await;
    let (mine, _) = all_case_ids(&app, &token).await;
    let own = *mine.iter().next().unwrap();
    let qa = app
        .store
        .actor(app.person_id(QA).await)
        .await
        .unwrap()
        .unwrap();
    let (all, _) = app
        .store
        .cases(
            &qa,
            &CaseQuery {
                limit: 1000,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let other = all
        .iter()
        .find(|c| c.team.as_deref() != Some("Early Help North"))
        .unwrap()
        .id;

    let reply = app
        .call(
            "open_case",
            &[("case_id", &other.to_string())],
            Some(&token),
        )
        .await;
    assert_refused!(reply.status);
    assert_eq!(reply.json(), serde_json::json!("NotFound"));
    assert_eq!(
        app.store
            .access_log_count(me, "open_case", Outcome::Refused, Some(Record::Case(other)))
            .await
            .unwrap(),
        1
    );

    let reply = app
        .call("open_case", &[("case_id", &own.to_string())], Some(&token))
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["access"], "KeyWorker");
    assert_eq!(
        app.store
            .access_log_count(me, "open_case", Outcome::Done, Some(Record::Case(own)))
            .await
            .unwrap(),
        1
    );

    // The page says so too, as a record that is not there (IDs cannot be tried to learn
    // which exist), with the status a browser and a screen reader can tell.
    let page = app.page(&format!("/cases/{other}"), Some(&token)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Page not found"));
    assert!(page.body.contains("need to know"));
    let page = app.page(&format!("/cases/{own}"), Some(&token)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Allocated to you"));
}

#[tokio::test]
async fn missing_case_is_not_found() {
    let app = TestApp::new().await;
    let token = app.sign_in(QA).await;
    assert_eq!(
        app.call("open_case", &[("case_id", "999999")], Some(&token))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.page("/cases/999999", Some(&token)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.page("/cases/not-a-number", Some(&token)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.page("/no-such-page", Some(&token)).await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn team_manager_sees_their_teams_cases_only() {
    let app = TestApp::new().await;
    let token = app.sign_in(TM).await;
    let (ids, last) = all_case_ids(&app, &token).await;
    assert_eq!(ids.len(), 35, "Early Help North holds 35 demo cases");
    assert!(last["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["team"] == "Early Help North"));
}

/// For every demo person, what the case list shows equals what the need-to-know rule allows.
#[tokio::test]
async fn case_lists_match_the_need_to_know_rule_for_everyone() {
    let app = TestApp::new().await;
    let qa = app
        .store
        .actor(app.person_id(QA).await)
        .await
        .unwrap()
        .unwrap();
    let everything = CaseQuery {
        limit: 10_000,
        ..Default::default()
    };
    let (all, total) = app.store.cases(&qa, &everything).await.unwrap();
    assert_eq!((all.len(), total), (400, 400));
    for person in app::demo::DemoCouncil::build().people {
        let actor = app
            .store
            .actor(app.person_id(&person.email).await)
            .await
            .unwrap()
            .unwrap();
        let expected: BTreeSet<i64> = all
            .iter()
            .filter(|c| case_access(&actor, &c.allocation).is_some())
            .map(|c| c.id)
            .collect();
        let (listed, total) = app.store.cases(&actor, &everything).await.unwrap();
        let listed: BTreeSet<i64> = listed.iter().map(|c| c.id).collect();
        assert_eq!(listed, expected, "{}", person.email);
        assert_eq!(total as usize, expected.len(), "{}", person.email);
        if actor.roles.sees_every_case() {
            assert_eq!(listed.len(), 400, "{}", person.email);
        } else if actor.roles.any(&[
            Role::KeyWorker,
            Role::TeamManager,
            Role::ServiceManager,
            Role::IroCpChair,
        ]) {
            assert!(!listed.is_empty() && listed.len() < 400, "{}", person.email);
        } else {
            assert!(listed.is_empty(), "{}", person.email);
        }
    }
}

#[tokio::test]
async fn roles_without_cases_are_refused_case_lists_and_the_pool() {
    let app = TestApp::new().await;
    for email in [
        "admin@anytown.example",
        "pit.1@anytown.example",
        "auditor.1@anytown.example",
    ] {
        let token = app.sign_in(email).await;
        assert_refused!(
            app.call("list_cases", &[], Some(&token)).await.status,
            "{email}"
        );
        assert_refused!(
            app.call("pool_overview", &[], Some(&token)).await.status,
            "{email}"
        );
        assert_refused!(
            app.call("open_case", &[("case_id", "1")], Some(&token))
                .await
                .status,
            "{email}"
        );
        assert_eq!(
            app.call("my_tray", &[], Some(&token)).await.status,
            StatusCode::OK,
            "{email}"
        );
    }
    let kw = app.sign_in(KW).await;
    assert_refused!(app.call("pool_overview", &[], Some(&kw)).await.status);
}

#[tokio::test]
async fn qa_manager_sees_the_whole_pool_with_filters_and_pages() {
    let app = TestApp::new().await;
    let token = app.sign_in(QA).await;
    let pool = app.call("pool_overview", &[], Some(&token)).await.json();
    assert_eq!(pool["open_cases"], 400);
    assert_eq!(pool["totals"], serde_json::json!([70, 100, 70, 100, 60]));
    assert_eq!(pool["teams"].as_array().unwrap().len(), 8);

    let first = app.call("list_cases", &[], Some(&token)).await.json();
    assert_eq!(
        (first["total"].as_i64(), first["pages"].as_u64()),
        (Some(400), Some(16))
    );
    assert_eq!(first["rows"].as_array().unwrap().len(), 25);
    assert!(first["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["access"] == "AuditProgramme"));
    assert_eq!(first["teams"].as_array().unwrap().len(), 8);

    let cp = app
        .call("list_cases", &[("list", "7")], Some(&token))
        .await
        .json();
    assert_eq!(cp["total"], 70);
    let bad_list = app.call("list_cases", &[("list", "4")], Some(&token)).await;
    assert_eq!(bad_list.status, StatusCode::NOT_FOUND);
    let team_id = first["teams"][0]["id"].as_i64().unwrap().to_string();
    let team = app
        .call("list_cases", &[("team_id", &team_id)], Some(&token))
        .await
        .json();
    let team_name = first["teams"][0]["name"].clone();
    assert!(team["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["team"] == team_name));
    let beyond = app
        .call("list_cases", &[("page", "99")], Some(&token))
        .await
        .json();
    assert!(beyond["rows"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn tray_shows_only_my_alerts() {
    let app = TestApp::new().await;
    let kw = app.person_id(KW).await;
    app.store
        .insert_alert(
            kw,
            "test",
            Some(1),
            "A case of yours was selected for audit",
        )
        .await
        .unwrap();
    let mine = app.tray(&app.sign_in(KW).await).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["read"], false);
    let me = app
        .call("current_user", &[], Some(&app.sign_in(KW).await))
        .await
        .json();
    assert_eq!(me["unread_alerts"], 1);
    let theirs = app.tray(&app.sign_in(TM).await).await;
    assert!(theirs.is_empty());
}
