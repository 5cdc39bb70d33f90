//! Annex A import through the server functions, on a real database with the demo council.

use crate::common::xlsx::{row, s, workbook, X};
use crate::common::*;
use axum::http::StatusCode;

const QA: &str = "qa.manager@anytown.example";
const AD: &str = "ad.1@anytown.example";
const KW: &str = "kw.early-help-north.1@anytown.example";

/// An allocated list's columns as a council exports them (also used by `lead_practitioners`).
pub(crate) const HEAD: &[&str] = &[
    "Child Unique ID",
    "Gender",
    "Ethnicity",
    "Date of Birth",
    "Age of Child (Years)",
    "Allocated Team",
    "Allocated Worker",
];

/// (Child Unique ID, team, key worker) of demo cases on a list.
pub(crate) async fn on_list(app: &TestApp, list: i64) -> Vec<(String, String, Option<String>)> {
    app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT c.child_unique_id, t.name, p.display_name FROM cases c JOIN case_lists l ON l.case_id = c.id \
         JOIN teams t ON t.id = c.team_id LEFT JOIN people p ON p.id = c.key_worker_id \
         WHERE l.annex_list = $1 ORDER BY c.id",
    )
    .bind(list)
    .fetch_all(pool)
    .await)
    .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    app::on_pool!(app.store, |pool| sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await)
    .unwrap()
}

/// The pool's shape, to show that a refused upload changed nothing.
async fn fingerprint(app: &TestApp) -> (i64, i64, i64, i64) {
    (
        count(app, "SELECT COUNT(*) FROM cases").await,
        count(app, "SELECT COUNT(*) FROM case_lists").await,
        count(
            app,
            "SELECT CAST(COALESCE(SUM(team_id * 7 + COALESCE(key_worker_id, 0)), 0) AS BIGINT) FROM cases",
        )
        .await,
        count(app, "SELECT COUNT(*) FROM case_history").await,
    )
}

fn list_sheet(name: &str, cases: &[(String, String, Option<String>)]) -> (String, Vec<Vec<X>>) {
    let mut rows = vec![row(HEAD)];
    for (i, (id, team, worker)) in cases.iter().enumerate() {
        rows.push(vec![
            s(id),
            s("F"),
            s("White British"),
            // Alternate real date cells and dd/mm/yyyy text.
            if i % 2 == 0 {
                X::D(2014, 5, 17)
            } else {
                s("17/05/2014")
            },
            X::N(12.0),
            s(team),
            s(worker.as_deref().unwrap_or("")),
        ]);
    }
    (name.to_string(), rows)
}

/// A workbook keeping the first `keep` demo cases of each audited list as they are.
async fn demo_workbook(app: &TestApp, keep: usize) -> Vec<(String, Vec<Vec<X>>)> {
    let mut sheets = Vec::new();
    for list in [2, 6, 7, 8, 9] {
        let cases: Vec<_> = on_list(app, list).await.into_iter().take(keep).collect();
        sheets.push(list_sheet(&format!("List {list}"), &cases));
    }
    sheets
}

fn bytes(sheets: &[(String, Vec<Vec<X>>)]) -> Vec<u8> {
    let refs: Vec<(&str, Vec<Vec<X>>)> = sheets
        .iter()
        .map(|(n, r)| (n.as_str(), r.clone()))
        .collect();
    workbook(&refs)
}

async fn upload(app: &TestApp, token: &str, list: &str, file: (&str, &[u8])) -> i64 {
    let reply = app
        .upload(
            "upload_annex_a",
            &[("list", list)],
            file,
            Some(token),
            false,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json().as_i64().unwrap()
}

pub(crate) async fn detail(app: &TestApp, token: &str, id: i64) -> serde_json::Value {
    let reply = app
        .call(
            "import_detail",
            &[("import_id", &id.to_string())],
            Some(token),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.json()
}

#[tokio::test]
async fn a_workbook_is_checked_staged_then_applied_whole_and_a_newer_month_updates_the_pool() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let mut sheets = demo_workbook(&app, 5).await;
    // Real files vary: a title row above the headers, different case and spacing, and a
    // sheet the audit does not use.
    sheets[1]
        .1
        .insert(0, row(&["Annex A: List 6, children in need"]));
    sheets[1].1[1] = row(&[
        "CHILD UNIQUE ID",
        "gender",
        "ethnicity",
        "date of  birth",
        "age of child (years)",
        "allocated team",
        "ALLOCATED WORKER",
    ]);
    // A new child on List 7, and a List 6 child moved to another team and worker.
    let teams = app.store.teams().await.unwrap();
    let other_team = teams
        .iter()
        .find(|(_, n)| *n != sheets[1].1[2][5].text())
        .unwrap()
        .1
        .clone();
    let (_, other_worker, _) = on_list(&app, 7)
        .await
        .into_iter()
        .find(|c| c.1 == other_team)
        .map(|c| (c.0, c.2.unwrap(), ()))
        .unwrap_or_else(|| panic!("a worker in {other_team}"));
    sheets[1].1[2][5] = s(&other_team);
    sheets[1].1[2][6] = s(&other_worker);
    let moved_id = sheets[1].1[2][0].text();
    sheets[2].1.push(vec![
        s("NEW00001"),
        s("M"),
        s(""),
        X::D(2009, 1, 2),
        X::N(17.0),
        s(&other_team),
        s(""),
    ]);
    sheets.insert(
        0,
        (
            "List 1".into(),
            vec![row(&["Contacts"]), row(&["whatever"])],
        ),
    );
    let before = fingerprint(&app).await;
    let id = upload(&app, &qa, "all", ("annex-a-2026-11.xlsx", &bytes(&sheets))).await;

    let staged = detail(&app, &qa, id).await;
    assert_eq!(staged["listing"]["status"], "staged", "{staged}");
    assert!(staged["problems"].as_array().unwrap().is_empty());
    let summary = &staged["summary"];
    assert_eq!(summary["cases_in_file"], 26);
    assert_eq!(summary["new_cases"], 1);
    assert_eq!(summary["team_changes"], 1);
    // 400 demo list memberships, 25 kept: the rest leave their lists.
    let memberships = count(&app, "SELECT COUNT(*) FROM case_lists").await;
    assert_eq!(summary["left_lists"].as_i64().unwrap(), memberships - 25);
    // Staging changes nothing.
    assert_eq!(fingerprint(&app).await, before);

    let applied = app
        .call("apply_import", &[("import_id", &id.to_string())], Some(&qa))
        .await;
    assert_eq!(applied.status, StatusCode::OK, "{}", applied.body);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM case_lists").await, 26);
    let new = app
        .store
        .case(
            app.store
                .case_id_by_child_id("NEW00001")
                .await
                .unwrap()
                .unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(new.team.as_ref(), Some(&other_team));
    assert_eq!(new.lists.len(), 1);
    assert_eq!(new.subject, "young_person");
    let moved = app
        .store
        .case(
            app.store
                .case_id_by_child_id(&moved_id)
                .await
                .unwrap()
                .unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(moved.team.as_ref(), Some(&other_team));
    assert_eq!(moved.key_worker.as_deref(), Some(other_worker.as_str()));
    let history = app.store.case_history(moved.id).await.unwrap();
    assert!(history.iter().any(|h| h.0 == "team" && h.4 == Some(id)));
    // Applying twice is refused.
    let again = app
        .call("apply_import", &[("import_id", &id.to_string())], Some(&qa))
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(detail(&app, &qa, id).await["listing"]["status"], "applied");

    // Next month: one List 7 child has left the list; the draw no longer sees it.
    let leaver = sheets[3].1.remove(2)[0].text();
    let next = upload(&app, &qa, "all", ("annex-a-2026-12.xlsx", &bytes(&sheets))).await;
    assert_eq!(detail(&app, &qa, next).await["summary"]["left_lists"], 1);
    let r = app
        .call(
            "apply_import",
            &[("import_id", &next.to_string())],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let leaver_id = app
        .store
        .case_id_by_child_id(&leaver)
        .await
        .unwrap()
        .unwrap();
    let kept = app.store.case(leaver_id).await.unwrap().unwrap();
    assert!(
        kept.lists.is_empty(),
        "history is kept, the case is off the list"
    );
    let history = app.store.case_history(leaver_id).await.unwrap();
    assert_eq!(history[0].0, "left_list");
    assert_eq!(history[0].1.as_deref(), Some("7"));
    let (mut pools, unallocated) = app
        .store
        .eligible_pools(
            &[app::store::PoolFilter::List(
                app::domain::AnnexList::ChildProtection,
            )],
            app::domain::calendar::AuditMonth::parse("2027-01").unwrap(),
            12,
            0,
        )
        .await
        .unwrap();
    let pool = pools.remove(0);
    // Five children are on List 7; NEW00001 has no key worker, so it is left out and counted.
    assert_eq!(pool.len(), 4);
    assert_eq!(unallocated, 1);
    assert!(!pool.contains(&leaver_id));
}

trait Text {
    fn text(&self) -> String;
}
impl Text for X {
    fn text(&self) -> String {
        match self {
            X::S(v) => v.clone(),
            _ => String::new(),
        }
    }
}

#[tokio::test]
async fn every_bad_input_is_listed_with_sheet_row_and_column_and_nothing_is_imported() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let before = fingerprint(&app).await;
    let mut sheets = demo_workbook(&app, 3).await;
    sheets.pop(); // no List 9
    sheets[3].1[0] = row(&["Child Unique ID", "Date of Birth", "Allocated Team"]); // List 8: no worker column
    let list6 = &mut sheets[1].1;
    list6[1][0] = s(""); // row 2: missing ID
    list6[2][3] = s("31/02/2014"); // row 3: not a date
    let dup = list6[3][0].clone();
    list6.push(vec![
        dup,
        s("F"),
        s(""),
        s("01/01/2015"),
        s(""),
        s("Nowhere Team"),
        s(""),
    ]); // row 5
    let id = upload(&app, &qa, "all", ("annex.xlsx", &bytes(&sheets))).await;
    let view = detail(&app, &qa, id).await;
    assert_eq!(view["listing"]["status"], "rejected");
    let problems: Vec<(String, Option<i64>, Option<String>, String)> = view["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["sheet"].as_str().unwrap_or("").to_string(),
                p["row"].as_i64(),
                p["column"].as_str().map(String::from),
                p["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |sheet: &str, row: Option<i64>, column: Option<&str>, message: &str| {
        problems.iter().any(|p| {
            p.0 == sheet && p.1 == row && p.2.as_deref() == column && p.3.contains(message)
        })
    };
    assert!(
        has(
            "List 6",
            Some(2),
            Some("Child Unique ID"),
            "Child Unique ID is missing"
        ),
        "{problems:?}"
    );
    assert!(
        has(
            "List 6",
            Some(3),
            Some("Date of Birth"),
            "Date of Birth is not a date"
        ),
        "{problems:?}"
    );
    assert!(
        has(
            "List 6",
            Some(5),
            Some("Child Unique ID"),
            "is also on row 4"
        ),
        "{problems:?}"
    );
    assert!(
        has(
            "List 8",
            Some(1),
            Some("Allocated Worker"),
            "column is missing"
        ),
        "{problems:?}"
    );
    assert!(
        has("List 9", None, None, "no sheet for List 9"),
        "{problems:?}"
    );
    assert_eq!(fingerprint(&app).await, before);
    // A rejected upload cannot be applied.
    let r = app
        .call("apply_import", &[("import_id", &id.to_string())], Some(&qa))
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Files that are not spreadsheets at all.
    let mut big = b"Child Unique ID,Date of Birth\n".to_vec();
    big.resize(10 * 1024 * 1024 + 10, b'x');
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        ("empty.xlsx", "all", Vec::new(), "The file is empty"),
        (
            "photo.xlsx",
            "all",
            vec![0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F'],
            "not an Excel workbook (.xlsx) or a CSV file",
        ),
        (
            "broken.xlsx",
            "all",
            b"PK\x03\x04 this is not really a zip".to_vec(),
            "not a readable Excel workbook",
        ),
        (
            "notes.csv",
            "6",
            b"just one line of notes".to_vec(),
            "not an Excel workbook (.xlsx) or a CSV file",
        ),
        ("huge.csv", "6", big, "larger than 10 MB"),
        (
            "list.csv",
            "6",
            b"Child Unique ID,Date of Birth,Allocated Team,Allocated Worker\n".to_vec(),
            "no cases for List 6",
        ),
        (
            "workbook-as-list.xlsx",
            "all",
            workbook(&[("Sheet1", vec![row(&["a", "b"])])]),
            "no sheet for List 2",
        ),
    ];
    for (name, list, content, message) in cases {
        let id = upload(&app, &qa, list, (name, &content)).await;
        let view = detail(&app, &qa, id).await;
        assert_eq!(view["listing"]["status"], "rejected", "{name}");
        let first = view["problems"][0]["message"].as_str().unwrap();
        assert!(first.contains(message), "{name}: {first}");
    }
    assert_eq!(fingerprint(&app).await, before);
    // No file at all is a field error.
    let reply = app
        .upload(
            "upload_annex_a",
            &[("list", "all")],
            ("", b""),
            Some(&qa),
            false,
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert_eq!(reply.json()["Invalid"][0]["field"], "file");
}

#[tokio::test]
async fn unknown_teams_and_workers_are_created_or_mapped_then_remembered() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let mut sheets = demo_workbook(&app, 2).await;
    let known_worker = sheets[1].1[1][6].text();
    sheets[1].1.push(row(&[
        "NEW1",
        "F",
        "",
        "01/01/2015",
        "",
        "Disabled Children's Team",
        "Kit Newcomer",
    ]));
    sheets[1].1.push(row(&[
        "NEW2",
        "F",
        "",
        "01/01/2015",
        "",
        "disabled childrens team",
        "K. Worker",
    ]));
    let id = upload(&app, &qa, "all", ("annex.xlsx", &bytes(&sheets))).await;
    let view = detail(&app, &qa, id).await;
    assert_eq!(view["listing"]["status"], "staged");
    // "Disabled Children's Team" and "disabled childrens team" are the same name.
    assert_eq!(view["unresolved"]["teams"].as_array().unwrap().len(), 1);
    assert_eq!(view["unresolved"]["teams"][0]["rows"], 2);
    assert_eq!(
        view["unresolved"]["workers"].as_array().unwrap().len(),
        2,
        "{}",
        view["unresolved"]
    );
    assert!(view["summary"].is_null());
    let refused = app
        .call("apply_import", &[("import_id", &id.to_string())], Some(&qa))
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);

    let ids = id.to_string();
    let map = |kind: &'static str, name: &'static str, extra: Vec<(&'static str, String)>| {
        let mut form = vec![
            ("import_id", ids.clone()),
            ("kind", kind.to_string()),
            ("name", name.to_string()),
        ];
        form.extend(extra);
        form
    };
    let call = |form: Vec<(&'static str, String)>| {
        let app = &app;
        let qa = qa.clone();
        async move {
            let refs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call("map_import_name", &refs, Some(&qa)).await
        }
    };
    let r = call(map(
        "team",
        "Disabled Children's Team",
        vec![("create", "team".into())],
    ))
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // A new key worker needs a valid email and a team.
    let r = call(map(
        "worker",
        "Kit Newcomer",
        vec![
            ("create", "worker".into()),
            ("email", "not an email".into()),
        ],
    ))
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(r.json()["Invalid"][0]["field"], "worker-kitnewcomer-email");
    let new_team = app
        .store
        .teams()
        .await
        .unwrap()
        .into_iter()
        .find(|(_, n)| n == "Disabled Children's Team")
        .unwrap()
        .0;
    let r = call(map(
        "worker",
        "Kit Newcomer",
        vec![
            ("create", "worker".into()),
            ("email", "kit.newcomer@anytown.example".into()),
            ("team_id", new_team.to_string()),
        ],
    ))
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let known_id = app
        .store
        .people_options()
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.1 == known_worker)
        .unwrap()
        .0;
    let r = call(map(
        "worker",
        "K. Worker",
        vec![("target_id", "999999".into())],
    ))
    .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an unknown person is refused"
    );
    let r = call(map(
        "worker",
        "K. Worker",
        vec![("target_id", known_id.to_string())],
    ))
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let view = detail(&app, &qa, id).await;
    assert_eq!(view["summary"]["new_cases"], 2, "{view}");
    let r = app
        .call("apply_import", &[("import_id", &ids)], Some(&qa))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let new2 = app
        .store
        .case(
            app.store
                .case_id_by_child_id("NEW2")
                .await
                .unwrap()
                .unwrap(),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(new2.team.as_deref(), Some("Disabled Children's Team"));
    assert_eq!(new2.key_worker.as_deref(), Some(known_worker.as_str()));

    // The next upload with the same names needs no mapping.
    let again = upload(&app, &qa, "all", ("annex-next.xlsx", &bytes(&sheets))).await;
    let view = detail(&app, &qa, again).await;
    assert!(view["unresolved"]["teams"].as_array().unwrap().is_empty());
    assert!(view["unresolved"]["workers"].as_array().unwrap().is_empty());
    assert_eq!(view["summary"]["new_cases"], 0);
    // Discarding leaves the pool alone.
    let r = app
        .call(
            "discard_import",
            &[("import_id", &again.to_string())],
            Some(&qa),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        detail(&app, &qa, again).await["listing"]["status"],
        "discarded"
    );
}

#[tokio::test]
async fn a_single_list_csv_replaces_that_list_only() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let list7_before = count(&app, "SELECT COUNT(*) FROM case_lists WHERE annex_list = 7").await;
    let list6: Vec<_> = on_list(&app, 6).await.into_iter().take(3).collect();
    let mut csv = String::from("\u{feff}Child Unique ID,Gender,Ethnicity,Date of Birth,Age of Child (Years),Allocated Team,Allocated Worker\r\n");
    for (id, team, worker) in &list6 {
        csv.push_str(&format!(
            "{id},F,\"White, British\",01/02/2015,11,{team},{}\r\n",
            worker.clone().unwrap_or_default()
        ));
    }
    let id = upload(&app, &qa, "6", ("list6.csv", csv.as_bytes())).await;
    let view = detail(&app, &qa, id).await;
    assert_eq!(
        view["listing"]["what"],
        "Annex A List 6: Children in need (CSV)"
    );
    let r = app
        .call("apply_import", &[("import_id", &id.to_string())], Some(&qa))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM case_lists WHERE annex_list = 6").await,
        3
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM case_lists WHERE annex_list = 7").await,
        list7_before
    );
}

#[tokio::test]
async fn only_the_qa_manager_imports() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let sheets = demo_workbook(&app, 1).await;
    let id = upload(&app, &qa, "all", ("annex.xlsx", &bytes(&sheets)))
        .await
        .to_string();
    for who in [AD, KW, "admin@anytown.example", "auditor.1@anytown.example"] {
        let token = app.sign_in(who).await;
        let r = app
            .upload(
                "upload_annex_a",
                &[("list", "all")],
                ("a.xlsx", &bytes(&sheets)),
                Some(&token),
                false,
            )
            .await;
        assert_refused!(r.status, "{who} uploads");
        for (name, form) in [
            ("list_imports", vec![]),
            ("import_detail", vec![("import_id", id.as_str())]),
            ("apply_import", vec![("import_id", id.as_str())]),
            ("discard_import", vec![("import_id", id.as_str())]),
            (
                "map_import_name",
                vec![
                    ("import_id", id.as_str()),
                    ("kind", "team"),
                    ("name", "X"),
                    ("create", "team"),
                ],
            ),
        ] {
            let r = app.call(name, &form, Some(&token)).await;
            assert_refused!(r.status, "{who} calls {name}");
        }
    }
    let r = app
        .upload(
            "upload_annex_a",
            &[("list", "all")],
            ("a.xlsx", &bytes(&sheets)),
            None,
            false,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.call("import_detail", &[("import_id", &id)], None).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM imports").await, 1);
}

#[tokio::test]
async fn without_javascript_the_upload_form_lands_on_the_uploads_page() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let sheets = demo_workbook(&app, 1).await;
    let r = app
        .upload(
            "upload_annex_a",
            &[("list", "all")],
            ("a.xlsx", &bytes(&sheets)),
            Some(&qa),
            true,
        )
        .await;
    assert!(r.status.is_redirection(), "{} {}", r.status, r.body);
    let id = count(&app, "SELECT MAX(id) FROM imports").await;
    assert_eq!(
        r.location().as_deref(),
        Some(format!("/imports/{id}").as_str())
    );
    let page = app.page(&format!("/imports/{id}"), Some(&qa)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("What applying will change"),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn reallocating_a_case_mid_audit_hands_its_open_steps_to_the_new_key_worker() {
    use crate::common::journey;
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let round = journey::drawn_round(&app, &qa, "2027-01").await;
    journey::ok(&journey::confirm(&app, &qa, round).await);
    journey::ok(&journey::assign(&app, &qa, round).await);
    let audit = journey::audit_of(&app, round).await.unwrap();
    let case = journey::round_case(&app, round).await;
    let old_kw = case.key_worker_id.unwrap();
    // Another worker in the same team takes the case over.
    let (new_kw, new_name): (i64, String) = app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT p.id, p.display_name FROM people p JOIN person_roles r ON r.person_id = p.id \
         WHERE r.role = 'key_worker' AND p.team_id = $1 AND p.id <> $2 ORDER BY p.id LIMIT 1",
    )
    .bind(case.team_id)
    .bind(old_kw)
    .fetch_one(pool)
    .await)
    .unwrap();
    let mut sheets = demo_workbook(&app, 400).await;
    let mut found = false;
    for (_, rows) in sheets.iter_mut() {
        for r in rows.iter_mut().skip(1) {
            if r[0].text() == case.child_unique_id {
                r[6] = s(&new_name);
                found = true;
            }
        }
    }
    assert!(found, "the case is in the workbook");
    // A case with a team and no worker is imported with a warning, not refused.
    sheets[0].1[1][6] = s("");
    let unallocated = sheets[0].1[1][0].text();
    let id = upload(&app, &qa, "all", ("annex-a-2027-01.xlsx", &bytes(&sheets))).await;
    let staged = detail(&app, &qa, id).await;
    assert!(
        staged["problems"].as_array().unwrap().is_empty(),
        "{staged}"
    );
    let warnings = staged["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{staged}");
    assert_eq!(warnings[0]["sheet"], "List 2");
    assert_eq!(warnings[0]["row"], 2);
    assert!(warnings[0]["message"]
        .as_str()
        .unwrap()
        .contains(&unallocated));
    let r = app
        .call("apply_import", &[("import_id", &id.to_string())], Some(&qa))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    // The audit follows the new key worker; both are told; the history shows it.
    let new_email = journey::email_of(&app, new_kw).await;
    let old_email = journey::email_of(&app, old_kw).await;
    let new = app.sign_in(&new_email).await;
    let old = app.sign_in(&old_email).await;
    let detail = app
        .call(
            "audit_detail",
            &[("audit_id", &audit.to_string())],
            Some(&new),
        )
        .await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.body);
    assert_eq!(detail.json()["role"], "KeyWorker");
    assert_eq!(detail.json()["key_worker"], new_name.as_str());
    let handovers = detail.json()["handovers"].clone();
    assert_eq!(handovers.as_array().unwrap().len(), 1, "{handovers}");
    assert_eq!(handovers[0][1], new_name.as_str());
    assert!(app
        .tray(&new)
        .await
        .iter()
        .any(|a| a["kind"] == "audit_handed_over"));
    assert!(app
        .tray(&old)
        .await
        .iter()
        .any(|a| a["kind"] == "audit_handed_over"));
    assert_refused!(
        app.call(
            "audit_detail",
            &[("audit_id", &audit.to_string())],
            Some(&old)
        )
        .await
        .status,
        "the old key worker no longer has the open audit"
    );
    // The pending step is now the new key worker's: they agree the time.
    let auditor = app.sign_in(journey::AUDITOR).await;
    journey::ok(&journey::propose(&app, &auditor, audit).await);
    assert_refused!(journey::accept(&app, &old, audit).await.status);
    journey::ok(&journey::accept(&app, &new, audit).await);
}
