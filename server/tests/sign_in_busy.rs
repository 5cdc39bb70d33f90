//! Too many password checks at once answer 429 at once. Alone in its file: it holds the
//! process-wide limit, which would refuse other tests' sign-ins running beside it.

#[macro_use]
mod common;

use axum::http::StatusCode;
use common::journey::QA;
use common::*;

#[tokio::test]
async fn too_many_password_checks_at_once_answer_429_with_retry_after() {
    let app = TestApp::new().await;
    let checks = app::server::password_checks();
    let held = checks
        .acquire_many(u32::try_from(checks.available_permits()).unwrap())
        .await
        .unwrap();
    let r = app
        .call(
            "sign_in",
            &[("email", QA), ("password", DEMO_PASSWORD)],
            None,
        )
        .await;
    drop(held);
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert_eq!(r.headers["retry-after"], "1");
    app.sign_in(QA).await;
}
