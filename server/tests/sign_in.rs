use crate::common::*;
use app::server::SiteSettings;
use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::{Duration, Utc};

const QA: &str = "qa.manager@anytown.example";

#[tokio::test]
async fn sign_in_sets_an_http_only_lax_session_cookie_and_stores_only_a_hash() {
    let app = TestApp::new().await;
    let reply = app
        .call(
            "sign_in",
            &[
                ("email", " QA.Manager@Anytown.Example "),
                ("password", DEMO_PASSWORD),
            ],
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let cookie = reply.set_cookie().unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(
        !cookie.contains("Max-Age") && !cookie.contains("Expires"),
        "a browser-session cookie, gone when a shared PC's browser closes: {cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP must not mark the cookie Secure: {cookie}"
    );
    let token = session_token(&cookie);
    assert_eq!(token.len(), 64);
    assert!(
        app.store.session(&token).await.unwrap().is_none(),
        "the raw token must not be stored"
    );
    let hash = app::auth::password::token_hash(&token);
    assert_eq!(
        app.store.session(&hash).await.unwrap().unwrap().person_id,
        app.person_id(QA).await
    );

    let me = app.call("current_user", &[], Some(&token)).await.json();
    assert_eq!(me["display_name"].as_str().is_some(), true);
    assert_eq!(me["roles"], serde_json::json!(["QaManager", "Auditor"]));
}

#[tokio::test]
async fn cookie_is_secure_behind_https() {
    let app = TestApp::new().await;
    let request = Request::post("/api/sign_in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, OWN_ORIGIN)
        .header("x-forwarded-proto", "https")
        .body(Body::from(format!(
            "email=qa.manager%40anytown.example&password={DEMO_PASSWORD}"
        )))
        .unwrap();
    let reply = app.send(request).await;
    let cookie = reply.set_cookie().unwrap();
    assert!(cookie.starts_with("__Host-pa_session="), "{cookie}");
    assert!(
        cookie.contains("; Secure") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(!cookie.contains("Domain"), "{cookie}");
    // The prefixed cookie signs in.
    let token = cookie
        .split(';')
        .next()
        .and_then(|kv| kv.strip_prefix("__Host-pa_session="))
        .unwrap()
        .to_string();
    let me = app
        .send(
            Request::post("/api/current_user")
                .header(header::ORIGIN, OWN_ORIGIN)
                .header(header::ACCEPT, "application/json")
                .header(header::COOKIE, format!("__Host-pa_session={token}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        me.json()["roles"],
        serde_json::json!(["QaManager", "Auditor"])
    );

    let forced = TestApp::with_settings(SiteSettings {
        force_secure_cookies: true,
        ..SiteSettings::default()
    })
    .await;
    let reply = forced
        .call(
            "sign_in",
            &[("email", QA), ("password", DEMO_PASSWORD)],
            None,
        )
        .await;
    assert!(reply.set_cookie().unwrap().contains("; Secure"));
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_message() {
    let app = TestApp::new().await;
    let wrong_password = app
        .call(
            "sign_in",
            &[("email", QA), ("password", "not-the-password")],
            None,
        )
        .await;
    let unknown_email = app
        .call(
            "sign_in",
            &[
                ("email", "nobody@anytown.example"),
                ("password", DEMO_PASSWORD),
            ],
            None,
        )
        .await;
    for reply in [&wrong_password, &unknown_email] {
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.set_cookie().is_none());
    }
    assert_eq!(
        wrong_password.body, unknown_email.body,
        "the message must not say which part was wrong"
    );
    let message = wrong_password.json()["Invalid"][0]["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        message.contains("email address or password is not right"),
        "{message}"
    );
    let qa = app.person_id(QA).await;
    assert_eq!(
        app.store
            .access_log_count(
                qa,
                "sign_in_refused",
                app::domain::trail::Outcome::Refused,
                None
            )
            .await
            .unwrap(),
        1
    );
}

#[tokio::test]
async fn missing_and_malformed_fields_are_named() {
    let app = TestApp::new().await;
    let reply = app
        .call("sign_in", &[("email", ""), ("password", "")], None)
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        reply.json(),
        serde_json::json!({"Invalid": [
            {"field": "email", "message": "Enter your email address"},
            {"field": "password", "message": "Enter your password"}
        ]})
    );
    let reply = app
        .call(
            "sign_in",
            &[("email", "qa.manager"), ("password", "x")],
            None,
        )
        .await;
    assert_eq!(
        reply.json()["Invalid"][0]["message"],
        "Enter an email address in the correct format, like name@example.org"
    );
}

#[tokio::test]
async fn a_plain_form_post_redirects_home_or_back_with_the_error() {
    // Before the WebAssembly loads, the browser posts the form itself.
    let app = TestApp::new().await;
    let post = |password: &str| {
        Request::post("/api/sign_in")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, "http://127.0.0.1:3000/sign-in")
            .body(Body::from(format!(
                "email=qa.manager%40anytown.example&password={password}"
            )))
            .unwrap()
    };
    let failed = app.send(post("wrong")).await;
    assert_eq!(failed.status, StatusCode::FOUND);
    let location = failed.location().unwrap();
    assert!(
        location.starts_with("http://127.0.0.1:3000/sign-in?"),
        "{location}"
    );
    assert!(location.contains("__err="), "{location}");
    assert!(
        !location.contains("qa.manager"),
        "no personal data in URLs: {location}"
    );

    let ok = app.send(post(DEMO_PASSWORD)).await;
    assert_eq!(ok.status, StatusCode::FOUND);
    assert_eq!(ok.location().as_deref(), Some("/"));
    assert!(ok.set_cookie().unwrap().starts_with("pa_session="));
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let app = TestApp::new().await;
    let token = app.sign_in(QA).await;
    assert_eq!(
        app.call("my_tray", &[], Some(&token)).await.status,
        StatusCode::OK
    );
    let reply = app.call("sign_out", &[], Some(&token)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.set_cookie().unwrap().contains("Max-Age=0"));
    assert_eq!(
        app.call("my_tray", &[], Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.call("current_user", &[], Some(&token)).await.json(),
        serde_json::Value::Null
    );
}

#[tokio::test]
async fn idle_and_old_sessions_expire() {
    let app = TestApp::new().await;
    let idle = app.sign_in(QA).await;
    let old = app.sign_in(QA).await;
    let live = app.sign_in(QA).await;
    let now = Utc::now();
    let hash = app::auth::password::token_hash;
    app.store
        .backdate_session(
            &hash(&idle),
            now - Duration::hours(3),
            now - Duration::hours(2),
        )
        .await
        .unwrap();
    app.store
        .backdate_session(
            &hash(&old),
            now - Duration::hours(12),
            now - Duration::minutes(5),
        )
        .await
        .unwrap();
    app.store
        .backdate_session(
            &hash(&live),
            now - Duration::hours(11),
            now - Duration::minutes(5),
        )
        .await
        .unwrap();
    for token in [&idle, &old] {
        let reply = app.call("my_tray", &[], Some(token)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.json(), serde_json::json!("SignInRequired"));
        assert!(
            app.store.session(&hash(token)).await.unwrap().is_none(),
            "expired sessions are removed"
        );
    }
    assert_eq!(
        app.call("my_tray", &[], Some(&live)).await.status,
        StatusCode::OK
    );
    let untouched = app.store.session(&hash(&live)).await.unwrap().unwrap();
    assert!(
        untouched.last_seen_at < now - Duration::minutes(4),
        "a background call does not renew the session"
    );
    assert_eq!(app.page("/", Some(&live)).await.status, StatusCode::OK);
    let touched = app.store.session(&hash(&live)).await.unwrap().unwrap();
    assert!(
        touched.last_seen_at > now - Duration::minutes(1),
        "a page the person opens renews it"
    );
}

#[tokio::test]
async fn a_forged_or_missing_session_is_not_signed_in() {
    let app = TestApp::new().await;
    for token in [None, Some("0".repeat(64).as_str()), Some("")] {
        for name in ["list_cases", "open_case", "pool_overview", "my_tray"] {
            let form: &[(&str, &str)] = if name == "open_case" {
                &[("case_id", "1")]
            } else {
                &[]
            };
            let reply = app.call(name, form, token).await;
            assert_eq!(
                reply.status,
                StatusCode::UNAUTHORIZED,
                "{name} with {token:?}"
            );
        }
        let me = app.call("current_user", &[], token).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.json(), serde_json::Value::Null);
    }
}

#[tokio::test]
async fn pages_send_strangers_to_sign_in() {
    let app = TestApp::new().await;
    for path in ["/", "/cases", "/cases/1", "/tray"] {
        let reply = app.page(path, None).await;
        assert_eq!(reply.status, StatusCode::FOUND, "{path}");
        assert_eq!(reply.location().as_deref(), Some("/sign-in"), "{path}");
    }
    let sign_in = app.page("/sign-in", None).await;
    assert_eq!(sign_in.status, StatusCode::OK);
    assert!(sign_in.body.contains("Sign in to Practice Audit"));
    assert!(
        sign_in.body.contains(r#"action="/api/sign_in""#),
        "the form posts without WebAssembly"
    );
}

#[tokio::test]
async fn demo_council_loads_once() {
    let app = TestApp::new().await;
    assert!(!server::seed_demo_if_empty(&app.store).await.unwrap());
    assert_eq!(app.store.open_case_count().await.unwrap(), 400);
}
