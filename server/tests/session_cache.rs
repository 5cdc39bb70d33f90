//! Sessions are looked up from memory once seen, and every change that ends a session or
//! changes its person takes effect on the very next request: sign-out, sign-out everywhere,
//! deactivation, a change of roles and a new password.

use crate::common::*;
use axum::http::StatusCode;

const QA: &str = "qa.manager@anytown.example";
const ADMIN: &str = "admin@anytown.example";

async fn status(app: &TestApp, session: &str, function: &str) -> StatusCode {
    app.call(function, &[], Some(session)).await.status
}

#[tokio::test]
async fn a_seen_session_is_served_from_memory_until_the_store_ends_it() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    assert_eq!(status(&app, &qa, "my_tray").await, StatusCode::OK);
    // Removed behind the store's back (as only an operator could): still served from
    // memory, which shows requests do not read the database for it.
    app::on_pool!(app.store, |pool| sqlx::query("DELETE FROM sessions")
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
    .unwrap();
    assert_eq!(status(&app, &qa, "my_tray").await, StatusCode::OK);
    // Any session ending through the store forgets what memory holds.
    let other = app.sign_in("auditor.1@anytown.example").await;
    assert_eq!(
        app.call("sign_out", &[], Some(&other)).await.status,
        StatusCode::OK
    );
    assert_eq!(status(&app, &qa, "my_tray").await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn sign_out_and_sign_out_everywhere_end_warm_sessions_at_once() {
    let app = TestApp::new().await;
    let first = app.sign_in(QA).await;
    let second = app.sign_in(QA).await;
    let third = app.sign_in(QA).await;
    for s in [&first, &second, &third] {
        assert_eq!(status(&app, s, "my_tray").await, StatusCode::OK);
    }
    app.call("sign_out", &[], Some(&first)).await;
    assert_eq!(
        status(&app, &first, "my_tray").await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(status(&app, &second, "my_tray").await, StatusCode::OK);
    let everywhere = app.call("sign_out_everywhere", &[], Some(&second)).await;
    assert_eq!(everywhere.status, StatusCode::OK, "{}", everywhere.body);
    for s in [&second, &third] {
        assert_eq!(status(&app, s, "my_tray").await, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn deactivation_and_a_change_of_roles_apply_to_the_next_request() {
    let app = TestApp::new().await;
    let admin = app.sign_in(ADMIN).await;
    let auditor_email = "auditor.2@anytown.example";
    let auditor_id = app.person_id(auditor_email).await.to_string();
    let auditor = app.sign_in(auditor_email).await;
    let me = app.call("current_user", &[], Some(&auditor)).await.json();
    assert!(me["roles"].to_string().contains("Auditor"), "{me}");

    // Made an Assistant Director as well: the warm session has the new role at once.
    let saved = app
        .call(
            "save_roles",
            &[
                ("person_id", &auditor_id),
                ("f[auditor]", "on"),
                ("f[assistant_director]", "on"),
            ],
            Some(&admin),
        )
        .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    let me = app.call("current_user", &[], Some(&auditor)).await.json();
    assert!(
        me["roles"].to_string().contains("AssistantDirector"),
        "{me}"
    );

    let deactivated = app
        .call(
            "deactivate_person",
            &[("person_id", &auditor_id)],
            Some(&admin),
        )
        .await;
    assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.body);
    assert_eq!(
        status(&app, &auditor, "my_tray").await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_new_password_ends_the_other_warm_sessions() {
    let app = TestApp::new().await;
    let here = app.sign_in(QA).await;
    let elsewhere = app.sign_in(QA).await;
    assert_eq!(status(&app, &elsewhere, "my_tray").await, StatusCode::OK);
    let changed = app
        .call(
            "change_password",
            &[
                ("current", DEMO_PASSWORD),
                ("password", "a much longer new passphrase 2026"),
            ],
            Some(&here),
        )
        .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.body);
    assert_eq!(
        status(&app, &elsewhere, "my_tray").await,
        StatusCode::UNAUTHORIZED
    );
}
