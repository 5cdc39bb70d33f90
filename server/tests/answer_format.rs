//! Server function answers: postcard for the app's own WebAssembly, which asks for it, and
//! JSON for anyone else (scripts, tests, `curl`), each labelled with its media type.

use crate::common::*;
use app::codec::{Postcard, POSTCARD};
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use leptos::server_fn::Decodes;

const AUDITOR: &str = "auditor.1@anytown.example";

async fn ask(app: &TestApp, function: &str, form: &str, session: &str, accept: &str) -> Reply {
    app.send(
        Request::post(format!("/api/{function}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, accept)
            .header(header::ORIGIN, OWN_ORIGIN)
            .header(header::COOKIE, format!("pa_session={session}"))
            .body(Body::from(form.to_string()))
            .unwrap(),
    )
    .await
}

#[tokio::test]
async fn the_app_is_answered_in_postcard_and_anyone_else_in_json() {
    let app = TestApp::new().await;
    let session = app.sign_in(AUDITOR).await;

    let json = ask(&app, "current_user", "", &session, "application/json").await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    assert_eq!(json.headers[header::CONTENT_TYPE], "application/json");
    let from_json: Option<app::auth::Me> = serde_json::from_slice(&json.bytes).unwrap();
    let me = from_json.expect("signed in");
    assert_eq!(me.person_id, app.person_id(AUDITOR).await);

    let compact = ask(&app, "current_user", "", &session, POSTCARD).await;
    assert_eq!(compact.status, StatusCode::OK);
    assert_eq!(compact.headers[header::CONTENT_TYPE], POSTCARD);
    assert!(
        serde_json::from_slice::<serde_json::Value>(&compact.bytes).is_err(),
        "not JSON"
    );
    let from_postcard: Option<app::auth::Me> =
        <Postcard as Decodes<_>>::decode(compact.bytes.clone().into()).unwrap();
    // The session's time left may have ticked between the two answers.
    assert_eq!(
        from_postcard.map(|m| (m.person_id, m.display_name, m.roles)),
        Some((me.person_id, me.display_name, me.roles))
    );
    assert!(compact.bytes.len() < json.bytes.len());

    // A browser's or a script's usual `Accept` gets JSON.
    for accept in ["*/*", "text/html,application/xhtml+xml,*/*;q=0.8"] {
        let reply = ask(&app, "current_user", "", &session, accept).await;
        assert_eq!(
            reply.headers[header::CONTENT_TYPE],
            "application/json",
            "{accept}"
        );
        assert!(serde_json::from_slice::<Option<app::auth::Me>>(&reply.bytes).is_ok());
    }
}

#[tokio::test]
async fn a_refusal_is_json_whichever_was_asked_for() {
    let app = TestApp::new().await;
    let session = app.sign_in(AUDITOR).await;
    for accept in [POSTCARD, "application/json"] {
        let reply = ask(&app, "audit_detail", "audit_id=999999", &session, accept).await;
        assert_refused!(reply.status, "{accept}: {}", reply.body);
        let error: app::AppError = serde_json::from_slice(&reply.bytes)
            .unwrap_or_else(|e| panic!("{accept}: {e}: {}", reply.body));
        assert!(
            matches!(error, app::AppError::NotFound | app::AppError::Forbidden),
            "{error:?}"
        );
    }
}
