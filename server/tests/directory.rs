//! The staff directory: on screen and as CSV, all or nothing, QA Manager and Administrator.

use crate::common::*;
use axum::http::StatusCode;

const QA: &str = "qa.manager@anytown.example";
const ADMIN: &str = "admin@anytown.example";

async fn one<
    T: for<'r> sqlx::Decode<'r, sqlx::Sqlite>
        + sqlx::Type<sqlx::Sqlite>
        + for<'r> sqlx::Decode<'r, sqlx::Postgres>
        + sqlx::Type<sqlx::Postgres>
        + Send
        + Unpin,
>(
    app: &TestApp,
    sql: &str,
) -> T {
    app::on_pool!(app.store, |pool| sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await)
    .unwrap()
}

#[tokio::test]
async fn teams_are_edited_on_screen_and_only_with_people_holding_the_role() {
    let app = TestApp::new().await;
    let admin = app.sign_in(ADMIN).await;
    let view = app.call("directory", &[], Some(&admin)).await;
    assert_eq!(view.status, StatusCode::OK, "{}", view.body);
    let view = view.json();
    let team = &view["teams"][0];
    let team_id = team["id"].to_string();
    let other_tm = view["team_managers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p[0] != team["team_manager_id"])
        .unwrap()[0]
        .to_string();
    let r = app
        .call(
            "save_team",
            &[
                ("team_id", &team_id),
                ("team_manager_id", &other_tm),
                ("service_manager_id", ""),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.json(), true, "the Administrator's change is proposed");
    let managers = || async {
        let (tm, sm): (Option<i64>, Option<i64>) = app::on_pool!(app.store, |pool| sqlx::query_as(
            "SELECT team_manager_id, service_manager_id FROM teams WHERE id = $1"
        )
        .bind(team["id"].as_i64().unwrap())
        .fetch_one(pool)
        .await)
        .unwrap();
        (tm, sm)
    };
    assert_eq!(managers().await.0, team["team_manager_id"].as_i64());
    // The QA Manager is alerted, and confirms it.
    let qa = app.sign_in(QA).await;
    assert!(app
        .tray(&qa)
        .await
        .iter()
        .any(|a| a["link"] == "/directory#waiting"));
    let waiting = app.call("directory", &[], Some(&qa)).await.json()["waiting"].clone();
    let change = waiting[0]["id"].to_string();
    let refused = app
        .call(
            "decide_team_change",
            &[("change_id", &change), ("decision", "confirm")],
            Some(&admin),
        )
        .await;
    assert_refused!(refused.status, "the Administrator cannot confirm");
    let r = app
        .call(
            "decide_team_change",
            &[("change_id", &change), ("decision", "confirm")],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (tm, sm) = managers().await;
    assert_eq!(tm.unwrap().to_string(), other_tm);
    assert_eq!(sm, None);
    // A key worker is not a Team Manager.
    let kw = app
        .person_id("kw.early-help-north.1@anytown.example")
        .await
        .to_string();
    let r = app
        .call(
            "save_team",
            &[("team_id", &team_id), ("team_manager_id", &kw)],
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["Invalid"][0]["field"], format!("tm-{team_id}"));

    let r = app
        .call(
            "add_team",
            &[("name", "Disabled Children's Team")],
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let r = app
        .call(
            "add_team",
            &[("name", "Disabled Children's Team")],
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    for who in [
        "ad.1@anytown.example",
        "kw.early-help-north.1@anytown.example",
        "auditor.1@anytown.example",
    ] {
        let token = app.sign_in(who).await;
        for (name, form) in [
            ("directory", vec![]),
            ("save_team", vec![("team_id", team_id.as_str())]),
            ("add_team", vec![("name", "X")]),
            ("set_case_iro", vec![("case_id", "1")]),
        ] {
            let r = app.call(name, &form, Some(&token)).await;
            assert_refused!(r.status, "{who} {name}");
        }
        let r = app
            .upload(
                "upload_directory",
                &[("kind", "teams")],
                ("d.csv", b"Team,Team Manager,Service Manager\nA,,\n"),
                Some(&token),
                false,
            )
            .await;
        assert_refused!(r.status, "{who} uploads");
    }
}

#[tokio::test]
async fn a_teams_csv_is_applied_whole_or_not_at_all() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let teams_before: i64 = one(&app, "SELECT COUNT(*) FROM teams").await;
    let (existing, tm_email): (String, String) = app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT t.name, p.email FROM teams t JOIN people p ON p.id = t.team_manager_id ORDER BY t.id LIMIT 1",
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    let bad = format!(
        "Team,Team Manager,Service Manager\n{existing},{tm_email},\nNew Team,kw.early-help-north.1@anytown.example,\n,{tm_email},\nOther Team,nobody@anytown.example,\n"
    );
    let r = app
        .upload(
            "upload_directory",
            &[("kind", "teams")],
            ("teams.csv", bad.as_bytes()),
            Some(&qa),
            false,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = r.json().as_i64().unwrap();
    let view = app
        .call(
            "import_detail",
            &[("import_id", &id.to_string())],
            Some(&qa),
        )
        .await
        .json();
    assert_eq!(view["listing"]["status"], "rejected");
    // Problems found while reading stop before names are matched.
    assert_eq!(view["problems"][0]["row"], 4);
    assert_eq!(view["problems"][0]["message"], "Team is missing");
    let bad = format!("Team,Team Manager,Service Manager\n{existing},{tm_email},\nNew Team,kw.early-help-north.1@anytown.example,\nOther Team,nobody@anytown.example,\n");
    let r = app
        .upload(
            "upload_directory",
            &[("kind", "teams")],
            ("teams.csv", bad.as_bytes()),
            Some(&qa),
            false,
        )
        .await;
    let view = app
        .call(
            "import_detail",
            &[("import_id", &r.json().to_string())],
            Some(&qa),
        )
        .await
        .json();
    let problems = view["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0]["row"], 3);
    assert_eq!(problems[0]["column"], "Team Manager");
    assert!(problems[0]["message"]
        .as_str()
        .unwrap()
        .contains("is not a Team Manager"));
    assert!(problems[1]["message"]
        .as_str()
        .unwrap()
        .starts_with("Nobody"));
    assert_eq!(
        one::<i64>(&app, "SELECT COUNT(*) FROM teams").await,
        teams_before,
        "nothing applied"
    );

    let sm_email: String = one(&app, "SELECT p.email FROM people p JOIN person_roles r ON r.person_id = p.id WHERE r.role = 'service_manager' LIMIT 1").await;
    let good = format!(
        "Team,Team Manager,Service Manager\n{},,{sm_email}\nNew Team,{tm_email},{sm_email}\n",
        existing.to_uppercase()
    );
    let r = app
        .upload(
            "upload_directory",
            &[("kind", "teams")],
            ("teams.csv", good.as_bytes()),
            Some(&qa),
            false,
        )
        .await;
    let view = app
        .call(
            "import_detail",
            &[("import_id", &r.json().to_string())],
            Some(&qa),
        )
        .await
        .json();
    assert_eq!(view["listing"]["status"], "applied", "{view}");
    assert_eq!(
        one::<i64>(&app, "SELECT COUNT(*) FROM teams").await,
        teams_before + 1
    );
    let tm: Option<i64> = one(
        &app,
        &format!("SELECT team_manager_id FROM teams WHERE name = '{existing}'"),
    )
    .await;
    assert_eq!(
        tm, None,
        "the existing team (matched ignoring case) lost its Team Manager"
    );
}

#[tokio::test]
async fn iros_are_set_from_csv_or_on_screen_with_history() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let (case_id, cuid): (i64, String) = app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT id, child_unique_id FROM cases WHERE iro_id IS NULL ORDER BY id LIMIT 1",
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    let csv = format!("Child Unique ID,IRO / CP Chair\n{cuid},iro.2@anytown.example\nNOPE1,iro.2@anytown.example\n");
    let r = app
        .upload(
            "upload_directory",
            &[("kind", "iros")],
            ("iros.csv", csv.as_bytes()),
            Some(&qa),
            false,
        )
        .await;
    let view = app
        .call(
            "import_detail",
            &[("import_id", &r.json().to_string())],
            Some(&qa),
        )
        .await
        .json();
    assert_eq!(view["listing"]["status"], "rejected");
    assert_eq!(
        view["problems"][0]["message"],
        "No case has Child Unique ID NOPE1"
    );
    assert_eq!(
        one::<Option<i64>>(
            &app,
            &format!("SELECT iro_id FROM cases WHERE id = {case_id}")
        )
        .await,
        None
    );

    let csv = format!("Child Unique ID,IRO / CP Chair\n{cuid},iro.2@anytown.example\n");
    let r = app
        .upload(
            "upload_directory",
            &[("kind", "iros")],
            ("iros.csv", csv.as_bytes()),
            Some(&qa),
            false,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let iro2 = app.person_id("iro.2@anytown.example").await;
    assert_eq!(
        one::<Option<i64>>(
            &app,
            &format!("SELECT iro_id FROM cases WHERE id = {case_id}")
        )
        .await,
        Some(iro2)
    );
    // The new IRO may now open the case.
    let iro = app.sign_in("iro.2@anytown.example").await;
    let r = app
        .call(
            "open_case",
            &[("case_id", &case_id.to_string())],
            Some(&iro),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let iro3 = app.person_id("iro.3@anytown.example").await.to_string();
    let r = app
        .call(
            "set_case_iro",
            &[("case_id", &case_id.to_string()), ("iro_id", &iro3)],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let history = app.store.case_history(case_id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].0, "iro");
    assert_eq!(history[0].2.as_deref(), Some(iro3.as_str()));
    // Only IROs can be chosen.
    let kw = app
        .person_id("kw.early-help-north.1@anytown.example")
        .await
        .to_string();
    let r = app
        .call(
            "set_case_iro",
            &[("case_id", &case_id.to_string()), ("iro_id", &kw)],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The Administrator may read directory uploads but not Annex A ones.
    // IROs open cases to people, so only the QA Manager sets them, on screen or by file.
    let admin = app.sign_in(ADMIN).await;
    let dir_import: i64 = one(&app, "SELECT MAX(id) FROM imports").await;
    let r = app
        .call(
            "import_detail",
            &[("import_id", &dir_import.to_string())],
            Some(&admin),
        )
        .await;
    assert_refused!(r.status, "{}", r.body);
    let r = app
        .upload(
            "upload_directory",
            &[("kind", "iros")],
            ("iros.csv", csv.as_bytes()),
            Some(&admin),
            false,
        )
        .await;
    assert_refused!(r.status);
    // The Administrator reads the teams uploads they may make.
    let teams = "Team,Team Manager,Service Manager\nBrand New Team,,\n";
    let r = app
        .upload(
            "upload_directory",
            &[("kind", "teams")],
            ("teams.csv", teams.as_bytes()),
            Some(&admin),
            false,
        )
        .await;
    let id = r.json().to_string();
    let r = app
        .call("import_detail", &[("import_id", &id)], Some(&admin))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
}

#[tokio::test]
async fn changes_to_a_teams_managers_are_the_qa_managers_and_show_in_the_cases_history() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let admin = app.sign_in(ADMIN).await;
    let (team_id, case_id): (i64, i64) = app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT team_id, id FROM cases WHERE team_id IS NOT NULL ORDER BY id LIMIT 1",
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    let view = app.call("directory", &[], Some(&qa)).await.json();
    let team = view["teams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == team_id)
        .unwrap()
        .clone();
    let new_tm = view["team_managers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p[0] != team["team_manager_id"])
        .unwrap()[0]
        .to_string();
    let sm = team["service_manager_id"].to_string();
    let form = |tm: &str| {
        vec![
            ("team_id".to_string(), team_id.to_string()),
            ("team_manager_id".to_string(), tm.to_string()),
            ("service_manager_id".to_string(), sm.clone()),
        ]
    };
    let send = |form: Vec<(String, String)>, token: String| {
        let app = &app;
        async move {
            let refs: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            app.call("save_team", &refs, Some(&token)).await
        }
    };
    // The Administrator proposes; a second proposal replaces the first; the QA Manager
    // declines it and nothing changes.
    let old_tm = team["team_manager_id"].to_string();
    assert_eq!(send(form(&new_tm), admin.clone()).await.json(), true);
    assert_eq!(send(form(""), admin.clone()).await.json(), true);
    let waiting = app.call("directory", &[], Some(&qa)).await.json()["waiting"].clone();
    assert_eq!(waiting.as_array().unwrap().len(), 1);
    assert!(waiting[0]["lines"][0]
        .as_str()
        .unwrap()
        .ends_with("to nobody"));
    let r = app
        .call(
            "decide_team_change",
            &[
                ("change_id", &waiting[0]["id"].to_string()),
                ("decision", "decline"),
            ],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let now_tm: Option<i64> = one(
        &app,
        &format!("SELECT team_manager_id FROM teams WHERE id = {team_id}"),
    )
    .await;
    assert_eq!(
        now_tm.map(|v| v.to_string()).unwrap_or("null".into()),
        old_tm
    );
    // A proposal overtaken by the QA Manager's own change cannot be confirmed.
    assert_eq!(send(form(""), admin.clone()).await.json(), true);
    let proposal =
        app.call("directory", &[], Some(&qa)).await.json()["waiting"][0]["id"].to_string();
    assert_eq!(
        send(form(&new_tm), qa.clone()).await.json(),
        false,
        "made at once"
    );
    let r = app
        .call(
            "decide_team_change",
            &[("change_id", &proposal), ("decision", "confirm")],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    // The case's history says who changed its team's manager, and when.
    let record = app
        .call("open_case", &[("case_id", &case_id.to_string())], Some(&qa))
        .await
        .json();
    let qa_name: String = one(
        &app,
        "SELECT display_name FROM people WHERE email = 'qa.manager@anytown.example'",
    )
    .await;
    assert!(
        record["history"].as_array().unwrap().iter().any(|h| h[1]
            .as_str()
            .unwrap()
            .starts_with("Team Manager changed from")
            && h[1].as_str().unwrap().contains(&format!("(by {qa_name})"))),
        "{}",
        record["history"]
    );
    let kept: i64 = one(
        &app,
        &format!("SELECT COUNT(*) FROM team_manager_changes WHERE team_id = {team_id}"),
    )
    .await;
    assert_eq!(
        kept, 4,
        "two proposals (one replaced), one declined... every change is kept"
    );
    // The Administrator's teams file proposes too.
    let (team_name, tm_email): (String, String) = app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT t.name, p.email FROM teams t, people p JOIN person_roles r ON r.person_id = p.id \
         WHERE t.id = $1 AND r.role = 'team_manager' AND p.id != COALESCE(t.team_manager_id, 0) LIMIT 1",
    )
    .bind(team_id)
    .fetch_one(pool)
    .await)
    .unwrap();
    let csv = format!("Team,Team Manager,Service Manager\n{team_name},{tm_email},\n");
    let r = app
        .upload(
            "upload_directory",
            &[("kind", "teams")],
            ("teams.csv", csv.as_bytes()),
            Some(&admin),
            false,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let waiting = app.call("directory", &[], Some(&qa)).await.json()["waiting"].clone();
    assert_eq!(waiting.as_array().unwrap().len(), 1, "{waiting}");
    let still: Option<i64> = one(
        &app,
        &format!("SELECT team_manager_id FROM teams WHERE id = {team_id}"),
    )
    .await;
    assert_eq!(
        still.unwrap().to_string(),
        new_tm,
        "unchanged until confirmed"
    );
}
