//! Sign-in throttling through the server function: wrong passwords slow further tries, then
//! lock the account; throttled tries are refused before the password is checked; the
//! Administrator sees and lifts the lock.

use crate::common::journey::QA;
use crate::common::*;
use axum::http::StatusCode;

async fn try_password(app: &TestApp, email: &str, password: &str) -> Reply {
    app.call("sign_in", &[("email", email), ("password", password)], None)
        .await
}

async fn failures(app: &TestApp, key: &str) -> i64 {
    app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT COALESCE(MAX(failures), 0) FROM sign_in_throttle WHERE kind = 'account' AND key = $1",
    )
    .bind(key)
    .fetch_one(pool)
    .await)
    .unwrap()
}

#[tokio::test]
async fn wrong_passwords_slow_then_lock_and_throttled_tries_never_check_the_password() {
    let app = TestApp::new().await;
    for _ in 0..3 {
        let r = try_password(&app, QA, "not-the-password").await;
        assert!(
            r.body
                .contains("The email address or password is not right"),
            "{}",
            r.body
        );
    }
    assert_eq!(failures(&app, QA).await, 3);
    // At once again: refused without checking, and not counted as a failure.
    for _ in 0..8 {
        let r = try_password(&app, QA, "not-the-password").await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("Too many tries to sign in. Wait"),
            "{}",
            r.body
        );
    }
    assert_eq!(
        failures(&app, QA).await,
        3,
        "throttled tries run no password check"
    );
    // Even the right password waits.
    let r = try_password(&app, QA, DEMO_PASSWORD).await;
    assert!(r.body.contains("Too many tries"), "{}", r.body);
    // An unknown account is throttled the same way, with the same words.
    for _ in 0..4 {
        try_password(&app, "nobody@anytown.example", "x").await;
    }
    let r = try_password(&app, "nobody@anytown.example", "x").await;
    assert!(
        r.body.contains("Too many tries to sign in. Wait"),
        "{}",
        r.body
    );

    // Past the waits, the tenth failure locks the account.
    app::on_pool!(app.store, |pool| sqlx::query(
        "UPDATE sign_in_throttle SET failures = 9, last_at = '2000-01-01T00:00:00Z' WHERE key = $1",
    )
    .bind(QA)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))
    .unwrap();
    try_password(&app, QA, "not-the-password").await;
    let locked: Option<chrono::DateTime<chrono::Utc>> =
        app::on_pool!(app.store, |pool| sqlx::query_scalar(
            "SELECT locked_until FROM sign_in_throttle WHERE key = $1"
        )
        .bind(QA)
        .fetch_one(pool)
        .await)
        .unwrap();
    assert!(locked.is_some(), "locked");
    let r = try_password(&app, QA, DEMO_PASSWORD).await;
    assert!(r.body.contains("Wait 15 minutes"), "{}", r.body);
    let logged: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM access_log WHERE action = 'sign_in_locked'"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(logged, 1);

    // The Administrator sees the lock and lifts it; the QA Manager signs in again.
    let admin = app.sign_in("admin@anytown.example").await;
    let locks = app.call("sign_in_lockouts", &[], Some(&admin)).await;
    assert_eq!(locks.status, StatusCode::OK);
    let locks = locks.json();
    assert_eq!(locks[0]["kind"], "account");
    assert_eq!(locks[0]["key"], QA);
    let qa_refused = app.sign_in("psw@anytown.example").await;
    assert_eq!(
        app.call("sign_in_lockouts", &[], Some(&qa_refused))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let r = app
        .call(
            "lift_lockout",
            &[("kind", "account"), ("key", QA)],
            Some(&admin),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    app.sign_in(QA).await;
    assert_eq!(
        failures(&app, QA).await,
        0,
        "a sign-in forgets the failures"
    );
}
