//! Going live: the first Administrator from the command line, one-time links, passwords,
//! people and roles, leavers, staff imports, and the demo only when asked.

use crate::common::*;
use app::domain::people::LinkPurpose;
use axum::http::StatusCode;
use futures::StreamExt;
use std::time::Duration;

const ADMIN: &str = "admin@anytown.example";
const QA: &str = "qa.manager@anytown.example";
const GOOD_PASSWORD: &str = "kettle marble lantern";

/// The token in a set-password link.
fn token_of(url: &str) -> String {
    url.split_once("token=")
        .expect("a token in the link")
        .1
        .to_string()
}

impl TestApp {
    async fn sign_in_with(&self, email: &str, password: &str) -> Reply {
        self.call("sign_in", &[("email", email), ("password", password)], None)
            .await
    }

    /// The one-time link in the last email sent to `address`.
    async fn link_sent_to(&self, address: &str) -> String {
        let emails = self.emails_to(address).await;
        let email = emails.last().expect("an email with a link");
        assert!(email.body.contains(email.one_time_link.as_deref().unwrap()));
        email.one_time_link.clone().unwrap()
    }

    async fn field_error(&self, reply: &Reply, field: &str) -> String {
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        let json = reply.json();
        json["Invalid"]
            .as_array()
            .unwrap_or_else(|| panic!("field errors: {json}"))
            .iter()
            .find(|e| e["field"] == field)
            .unwrap_or_else(|| panic!("no error at {field}: {json}"))["message"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

#[tokio::test]
async fn the_first_administrator_follows_their_link_once_and_signs_in() {
    let app = TestApp::empty().await;
    let link = server::create_first_administrator(
        &app.store,
        &app.site,
        "Sam Patel",
        "Sam.Patel@Council.example",
    )
    .await
    .unwrap();
    assert!(
        link.url
            .starts_with("http://127.0.0.1:3000/set-password?token="),
        "{}",
        link.url
    );
    assert_eq!(link.lasts, "72 hours");
    // Only on an empty database.
    assert!(matches!(
        server::create_first_administrator(
            &app.store,
            &app.site,
            "Another",
            "another@council.example"
        )
        .await,
        Err(server::CreateAdminError::NotEmpty)
    ));
    let token = token_of(&link.url);
    let check = app
        .call("check_link", &[("token", &token)], None)
        .await
        .json();
    assert_eq!(check["Usable"]["name"], "Sam Patel");
    assert_eq!(check["Usable"]["invitation"], true);

    // The policy, at the field.
    for (bad, says) in [
        ("short pass", "at least 12 characters"),
        ("password1234", "too common"),
        ("sam.patel is here", "email address"),
    ] {
        let reply = app
            .call(
                "set_password",
                &[("token", &token), ("password", bad)],
                None,
            )
            .await;
        assert!(
            app.field_error(&reply, "password").await.contains(says),
            "{bad}"
        );
    }
    let set = app
        .call(
            "set_password",
            &[("token", &token), ("password", GOOD_PASSWORD)],
            None,
        )
        .await;
    assert_eq!(set.status, StatusCode::OK, "{}", set.body);
    // Used once.
    let again = app
        .call(
            "set_password",
            &[("token", &token), ("password", "another good passphrase")],
            None,
        )
        .await;
    assert!(app
        .field_error(&again, "token")
        .await
        .contains("already been used"));
    assert_eq!(
        app.call("check_link", &[("token", &token)], None)
            .await
            .json(),
        "Used"
    );

    let signed = app
        .sign_in_with("sam.patel@council.example", GOOD_PASSWORD)
        .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    let me = app
        .call(
            "current_user",
            &[],
            Some(&session_token(&signed.set_cookie().unwrap())),
        )
        .await
        .json();
    assert_eq!(me["roles"], serde_json::json!(["Administrator"]));
}

#[tokio::test]
async fn expired_and_tampered_links_are_refused() {
    let app = TestApp::new().await;
    let kw = "kw.early-help-north.1@anytown.example";
    let person = app.person_id(kw).await;
    let now = chrono::Utc::now();
    // Expired: made two hours ago with a one-hour life.
    let old = app::server::password::new_session_token();
    app.store
        .create_link(
            person,
            LinkPurpose::Reset,
            &app::server::password::token_hash(&old),
            None,
            now - chrono::Duration::hours(2),
            now - chrono::Duration::hours(1),
        )
        .await
        .unwrap();
    assert_eq!(
        app.call("check_link", &[("token", &old)], None)
            .await
            .json(),
        "Expired"
    );
    let reply = app
        .call(
            "set_password",
            &[("token", &old), ("password", GOOD_PASSWORD)],
            None,
        )
        .await;
    assert!(app.field_error(&reply, "token").await.contains("expired"));

    let fresh = app::server::links::issue_link(
        &app.store,
        person,
        LinkPurpose::Reset,
        None,
        Default::default(),
        "http://x",
        now,
    )
    .await
    .unwrap();
    let mut tampered = token_of(&fresh.url);
    let last = tampered.pop().unwrap();
    tampered.push(if last == '0' { '1' } else { '0' });
    assert_eq!(
        app.call("check_link", &[("token", &tampered)], None)
            .await
            .json(),
        "Unknown"
    );
    let reply = app
        .call(
            "set_password",
            &[("token", &tampered), ("password", GOOD_PASSWORD)],
            None,
        )
        .await;
    assert!(app
        .field_error(&reply, "token")
        .await
        .contains("not recognised"));
    // The stored link is a hash, never the token.
    assert!(app
        .store
        .link(&token_of(&fresh.url))
        .await
        .unwrap()
        .is_none());
    assert!(app
        .store
        .link(&app::server::password::token_hash(&token_of(&fresh.url)))
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn forgot_password_answers_the_same_for_known_and_unknown_emails() {
    let app = TestApp::new().await;
    let kw = "kw.early-help-north.1@anytown.example";
    let old_session = app.sign_in(kw).await;
    let known = app.call("forgot_password", &[("email", kw)], None).await;
    let unknown = app
        .call(
            "forgot_password",
            &[("email", "nobody@anytown.example")],
            None,
        )
        .await;
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));
    assert_eq!(known.location(), unknown.location());
    assert!(app.emails_to("nobody@anytown.example").await.is_empty());
    let link = app.link_sent_to(kw).await;
    assert!(link.contains("/set-password?token="));
    // A malformed address is told at the field (that reveals nothing).
    let bad = app
        .call("forgot_password", &[("email", "not an email")], None)
        .await;
    app.field_error(&bad, "email").await;

    // Resetting signs out everywhere; the new password works and the old one does not.
    let reset = app
        .call(
            "set_password",
            &[("token", &token_of(&link)), ("password", GOOD_PASSWORD)],
            None,
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert_eq!(
        app.call("my_tray", &[], Some(&old_session)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.sign_in_with(kw, DEMO_PASSWORD).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.sign_in_with(kw, GOOD_PASSWORD).await.status,
        StatusCode::OK
    );

    // At most three reset emails an hour for one account.
    for _ in 0..5 {
        app.call("forgot_password", &[("email", kw)], None).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let person = app.person_id(kw).await;
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    assert_eq!(app.store.resets_since(person, since).await.unwrap(), 3);
}

#[tokio::test]
async fn changing_a_password_needs_the_old_one_and_signs_out_everywhere() {
    let app = TestApp::new().await;
    let kw = "kw.early-help-north.2@anytown.example";
    let here = app.sign_in(kw).await;
    let elsewhere = app.sign_in(kw).await;
    let wrong = app
        .call(
            "change_password",
            &[("current", "not it"), ("password", GOOD_PASSWORD)],
            Some(&here),
        )
        .await;
    assert!(app
        .field_error(&wrong, "current")
        .await
        .contains("not right"));
    let weak = app
        .call(
            "change_password",
            &[("current", DEMO_PASSWORD), ("password", "letmein!")],
            Some(&here),
        )
        .await;
    app.field_error(&weak, "password").await;
    let ok = app
        .call(
            "change_password",
            &[("current", DEMO_PASSWORD), ("password", GOOD_PASSWORD)],
            Some(&here),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    for session in [&here, &elsewhere] {
        assert_eq!(
            app.call("my_tray", &[], Some(session)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.sign_in_with(kw, GOOD_PASSWORD).await.status,
        StatusCode::OK
    );
    // Not signed in: nothing to change.
    let anonymous = app
        .call(
            "change_password",
            &[
                ("current", GOOD_PASSWORD),
                ("password", "another good passphrase"),
            ],
            None,
        )
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_administrator_adds_people_and_changes_roles_with_history() {
    let app = TestApp::new().await;
    let admin = app.sign_in(ADMIN).await;
    let qa = app.sign_in(QA).await;
    // Only the Administrator.
    assert_refused!(app.call("people_list", &[], Some(&qa)).await.status);

    let teams = app.store.teams().await.unwrap();
    let team = teams[0].0.to_string();
    // Bad input, each at its field, nothing added.
    let bad = app
        .call(
            "add_person",
            &[("name", " "), ("email", "nope"), ("team", "99999")],
            Some(&admin),
        )
        .await;
    for field in ["name", "email", "team", "roles"] {
        app.field_error(&bad, field).await;
    }
    let dup = app
        .call(
            "add_person",
            &[("name", "Twin"), ("email", QA), ("f[auditor]", "on")],
            Some(&admin),
        )
        .await;
    assert!(app.field_error(&dup, "email").await.contains("already"));

    let added = app
        .call(
            "add_person",
            &[
                ("name", "Robin New"),
                ("email", "robin.new@anytown.example"),
                ("team", &team),
                ("f[key_worker]", "on"),
                ("f[auditor]", "on"),
                ("invite", "yes"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    let id = added.json().as_i64().unwrap();
    let link = app.link_sent_to("robin.new@anytown.example").await;
    assert!(link.contains("token="));

    let found = app
        .call("people_list", &[("search", "ROBIN")], Some(&admin))
        .await
        .json();
    assert_eq!(found["total"], 1);
    assert_eq!(found["people"][0]["password_set"], false);
    assert_eq!(
        found["people"][0]["roles"],
        serde_json::json!(["Auditor", "Key Worker"])
    );

    // Granting a programme role tells the QA Manager.
    let before = app.tray(&qa).await.len();
    let granted = app
        .call(
            "save_roles",
            &[
                ("person_id", &id.to_string()),
                ("f[auditor]", "on"),
                ("f[assistant_director]", "on"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(granted.status, StatusCode::OK, "{}", granted.body);
    let tray = app.tray(&qa).await;
    assert_eq!(tray.len(), before + 1);
    assert!(tray[0]["body"]
        .as_str()
        .unwrap()
        .contains("Robin New has been given the Assistant Director role"));

    let person = app
        .call("person", &[("person_id", &id.to_string())], Some(&admin))
        .await
        .json();
    let history: Vec<String> = person["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            format!(
                "{} by {}",
                h["what"].as_str().unwrap(),
                h["by"].as_str().unwrap()
            )
        })
        .collect();
    for line in [
        "Given the role Assistant Director by",
        "The role Key Worker removed by",
        "Invitation sent by",
        "Added by",
    ] {
        assert!(
            history.iter().any(|h| h.starts_with(line)),
            "{line} in {history:?}"
        );
    }

    // The last Administrator keeps the role.
    let admin_id = app.person_id(ADMIN).await.to_string();
    let refused = app
        .call(
            "save_roles",
            &[("person_id", &admin_id), ("f[auditor]", "on")],
            Some(&admin),
        )
        .await;
    assert!(app
        .field_error(&refused, "roles")
        .await
        .contains("nobody as Administrator"));
    // Nor may they deactivate themselves.
    let refused = app
        .call(
            "deactivate_person",
            &[("person_id", &admin_id)],
            Some(&admin),
        )
        .await;
    assert!(app
        .field_error(&refused, "deactivate")
        .await
        .contains("yourself"));
}

#[tokio::test]
async fn a_leaver_is_signed_out_at_once_their_stream_closes_and_the_qa_manager_is_told() {
    let app = TestApp::new().await;
    let admin = app.sign_in(ADMIN).await;
    let qa = app.sign_in(QA).await;
    let leaver = "iro.1@anytown.example";
    let leaver_id = app.person_id(leaver).await;
    let session = app.sign_in(leaver).await;
    let response = tower::ServiceExt::oneshot(
        app.router.clone(),
        axum::http::Request::get("/events")
            .header("cookie", format!("pa_session={session}"))
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut stream = response.into_body().into_data_stream();

    let reply = app
        .call(
            "deactivate_person",
            &[("person_id", &leaver_id.to_string())],
            Some(&admin),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let closed = tokio::time::timeout(Duration::from_secs(1), async {
        while let Some(chunk) = stream.next().await {
            if chunk.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "the leaver's stream closed within a second");
    assert_eq!(
        app.call("my_tray", &[], Some(&session)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.sign_in_with(leaver, DEMO_PASSWORD).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The IRO held cases: the QA Manager is alerted and sees them to reassign.
    let tray = app.tray(&qa).await;
    let alert = tray
        .iter()
        .find(|a| a["link"] == format!("/people/{leaver_id}/open-work"))
        .expect("the QA Manager is told");
    assert!(alert["body"].as_str().unwrap().contains("cases"));
    let work = app
        .call(
            "person_open_work",
            &[("person_id", &leaver_id.to_string())],
            Some(&qa),
        )
        .await
        .json();
    assert!(!work["iro_cases"].as_array().unwrap().is_empty());
    // The Administrator sees counts, not cases.
    assert_refused!(
        app.call(
            "person_open_work",
            &[("person_id", &leaver_id.to_string())],
            Some(&admin)
        )
        .await
        .status
    );

    // A returner signs in again.
    let back = app
        .call(
            "reactivate_person",
            &[("person_id", &leaver_id.to_string())],
            Some(&admin),
        )
        .await;
    assert_eq!(back.status, StatusCode::OK);
    assert_eq!(
        app.sign_in_with(leaver, DEMO_PASSWORD).await.status,
        StatusCode::OK
    );
}

fn csv(rows: &[&str]) -> Vec<u8> {
    let mut text = String::from("Name,Work email,Team,Roles\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text.into_bytes()
}

#[tokio::test]
async fn a_staff_file_is_checked_whole_and_applied_or_refused_with_every_problem() {
    let app = TestApp::new().await;
    let admin = app.sign_in(ADMIN).await;
    let team = app.store.teams().await.unwrap()[0].1.clone();
    let before = app.store.staff_for_import().await.unwrap().len();

    let bad = csv(&[
        &format!("Ann Alpha,ann.alpha@anytown.example,{team},Key Worker"),
        "Bo Beta,not-an-email,,Auditor",
        "Cy Gamma,cy.gamma@anytown.example,Nowhere Team,Auditor",
        "Di Delta,di.delta@anytown.example,,Senior Practitioner",
        &format!("Ann Again,ANN.ALPHA@anytown.example,{team},Auditor"),
    ]);
    let reply = app
        .upload(
            "upload_staff",
            &[],
            ("staff.csv", &bad),
            Some(&admin),
            false,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let refused = app
        .call(
            "staff_import",
            &[("import_id", &reply.json().to_string())],
            Some(&admin),
        )
        .await
        .json();
    assert_eq!(refused["applied"], false);
    let problems: Vec<(u64, String)> = refused["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["row"].as_u64().unwrap(),
                p["column"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for expected in [
        (3, "Work email"),
        (4, "Team"),
        (5, "Roles"),
        (6, "Work email"),
    ] {
        assert!(
            problems.contains(&(expected.0, expected.1.to_string())),
            "{expected:?} in {problems:?}"
        );
    }
    assert_eq!(
        app.store.staff_for_import().await.unwrap().len(),
        before,
        "nothing applied"
    );

    // A good file adds people; a re-import matches by email and updates.
    let good = csv(&[
        &format!("Ann Alpha,ann.alpha@anytown.example,{team},Key Worker"),
        "Bo Beta,bo.beta@anytown.example,,Auditor; QA Manager",
    ]);
    let reply = app
        .upload(
            "upload_staff",
            &[],
            ("staff.csv", &good),
            Some(&admin),
            false,
        )
        .await;
    let applied = app
        .call(
            "staff_import",
            &[("import_id", &reply.json().to_string())],
            Some(&admin),
        )
        .await
        .json();
    assert_eq!(applied["applied"], true, "{applied}");
    assert_eq!(applied["added"].as_array().unwrap().len(), 2);
    let again = csv(&[
        &format!("Ann Alpha-Smith,ann.alpha@anytown.example,{team},Key Worker; Auditor"),
        "Bo Beta,bo.beta@anytown.example,,Auditor; QA Manager",
    ]);
    // Full: everyone else active is listed, nobody deactivated.
    let reply = app
        .upload(
            "upload_staff",
            &[("full", "yes")],
            ("staff.csv", &again),
            Some(&admin),
            false,
        )
        .await;
    let import_id = reply.json().to_string();
    let full = app
        .call("staff_import", &[("import_id", &import_id)], Some(&admin))
        .await
        .json();
    assert_eq!(full["added"].as_array().unwrap().len(), 0);
    assert_eq!(full["updated"].as_array().unwrap().len(), 1);
    assert!(full["updated"][0][2]
        .as_str()
        .unwrap()
        .contains("given Auditor"));
    assert_eq!(full["unchanged"], 1);
    let missing = full["missing"].as_array().unwrap();
    assert_eq!(missing.len(), 60, "every demo person is listed");
    let staff = app.store.staff_for_import().await.unwrap();
    assert!(staff.iter().all(|p| p.active), "nobody deactivated");

    // Ticking one deactivates that one only.
    let kw = app.person_id("kw.early-help-north.1@anytown.example").await;
    let reply = app
        .call(
            "deactivate_missing",
            &[("import_id", &import_id), (&format!("f[{kw}]"), "on")],
            Some(&admin),
        )
        .await;
    assert_eq!(reply.json(), 1, "{}", reply.body);
    let staff = app.store.staff_for_import().await.unwrap();
    assert_eq!(staff.iter().filter(|p| !p.active).count(), 1);
}

#[tokio::test]
async fn production_refuses_the_demo_and_a_database_holding_it() {
    let demo = TestApp::new().await;
    assert!(server::refuse_demo_database(&demo.store)
        .await
        .unwrap_err()
        .contains("demo council"));
    let empty = TestApp::empty().await;
    server::refuse_demo_database(&empty.store).await.unwrap();

    // The binary itself, as a council would start it.
    let bin = env!("CARGO_BIN_EXE_server");
    let cli_db = crate::common::new_database(&empty.dir).await;
    let run = |args: &[&str], url: &str| {
        std::process::Command::new(bin)
            .args(args)
            .env("APP_ENV", "production")
            .env("DATABASE_URL", url)
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    };
    let refused = run(&["--demo"], &cli_db);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("refuses the demo"));
    let refused = run(&[], &demo.url);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("holds the demo council"));

    let created = run(
        &[
            "create-admin",
            "--name",
            "Sam Patel",
            "--email",
            "sam.patel@council.example",
        ],
        &cli_db,
    );
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let out = String::from_utf8_lossy(&created.stdout);
    assert!(out.contains("/set-password?token="), "{out}");
    let twice = run(
        &[
            "create-admin",
            "--name",
            "Sam Patel",
            "--email",
            "sam.patel@council.example",
        ],
        &cli_db,
    );
    assert!(!twice.status.success());
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already has staff"));
}
