//! Defences every request passes through: state-changing requests from another site are
//! refused before any work, and every response carries the security headers.

use crate::common::journey::QA;
use crate::common::*;
use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};

#[tokio::test]
async fn a_cross_site_post_is_refused_for_every_state_changing_endpoint() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let mut paths: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .filter(|(_, method)| *method != Method::GET)
        .map(|(path, _)| path.to_string())
        .collect();
    paths.sort();
    assert!(paths.len() > 80, "every server function: {}", paths.len());
    assert!(
        paths.iter().any(|p| p == "/api/sign_in"),
        "login forgery too"
    );
    let before: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    for path in &paths {
        for origin in [Some("https://evil.example"), Some("null"), None] {
            let mut request = Request::post(path.as_str())
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("pa_session={qa}"));
            if let Some(o) = origin {
                request = request.header(header::ORIGIN, o);
            }
            let reply = app
                .send(
                    request
                        .body(Body::from("email=qa.manager%40anytown.example&password=x"))
                        .unwrap(),
                )
                .await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{path} from {origin:?}"
            );
            assert!(reply
                .body
                .contains("did not come from Practice Audit's own pages"));
        }
    }
    // The other site's sign-in made no session, and the page's own origin still works.
    let after: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM sessions"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(before, after);
    assert_eq!(
        app.call("my_tray", &[], Some(&qa)).await.status,
        StatusCode::OK
    );
    // A plain form post from the app's page (Referer, no Origin) is its own.
    let reply = app
        .send(
            Request::post("/api/my_tray")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .header(header::REFERER, format!("{OWN_ORIGIN}/tray"))
                .header(header::COOKIE, format!("pa_session={qa}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn pages_server_functions_and_downloads_carry_the_security_headers() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let page = app.page("/", Some(&qa)).await;
    let api = app.call("my_tray", &[], Some(&qa)).await;
    let refused = app.call("my_tray", &[], None).await;
    let download = app.page("/moderation/results.csv", Some(&qa)).await;
    let missing = app.page("/no/such/page", Some(&qa)).await;
    for (what, reply) in [
        ("page", &page),
        ("server function", &api),
        ("refusal", &refused),
        ("download", &download),
        ("not found", &missing),
    ] {
        let h = |name: header::HeaderName| {
            reply
                .headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default()
        };
        assert_eq!(h(header::X_CONTENT_TYPE_OPTIONS), "nosniff", "{what}");
        assert_eq!(h(header::REFERRER_POLICY), "same-origin", "{what}");
        assert_eq!(h(header::X_FRAME_OPTIONS), "DENY", "{what}");
        assert!(
            h(header::CONTENT_SECURITY_POLICY).contains("frame-ancestors 'none'"),
            "{what}"
        );
        assert_eq!(h(header::CACHE_CONTROL), "no-store", "{what}");
        assert_eq!(
            h(header::STRICT_TRANSPORT_SECURITY),
            "",
            "{what}: not over HTTPS"
        );
    }
    // A page's scripts run only with its own nonce: no inline script or style is allowed,
    // and each response has a fresh nonce.
    let nonce_of = |reply: &Reply| {
        let policy = reply.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        assert!(!policy.contains("unsafe-inline"), "{policy}");
        assert!(policy.contains("object-src 'none'") && policy.contains("base-uri 'none'"));
        let nonce = policy
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .unwrap_or_else(|| panic!("a nonce in {policy}"))
            .to_string();
        nonce
    };
    let nonce = nonce_of(&page);
    assert!(nonce.len() >= 16);
    let scripts = page.body.matches("<script").count();
    assert!(scripts > 0);
    assert_eq!(
        page.body.matches(&format!("nonce=\"{nonce}\"")).count(),
        scripts,
        "every script carries the nonce"
    );
    assert!(!page.body.contains(" onclick="), "no inline event handlers");
    assert!(!page.body.contains(" style="), "no inline styles");
    assert_ne!(nonce_of(&app.page("/", Some(&qa)).await), nonce);
    assert!(api.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .starts_with("default-src 'none'"));
    // Behind an HTTPS proxy, browsers are told to use HTTPS only.
    let reply = app
        .send(
            Request::get("/sign-in")
                .header("x-forwarded-proto", "https")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(reply.headers[header::STRICT_TRANSPORT_SECURITY]
        .to_str()
        .unwrap()
        .starts_with("max-age="));
}

#[cfg(unix)]
#[tokio::test]
async fn a_new_database_is_readable_by_the_servers_user_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("practice-audit-mode-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.join("data");
    let file = data.join("audit.db");
    let store = app::store::Store::connect(&format!("sqlite://{}", file.display()))
        .await
        .unwrap();
    assert!(store.has_people().await.is_ok(), "migrated and usable");
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&data), 0o700);
    let wal = data.join("audit.db-wal");
    if wal.exists() {
        assert_eq!(
            mode(&wal),
            0o600,
            "SQLite's own files follow the database's mode"
        );
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_plain_form_posts_error_puts_no_personal_data_in_the_url() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let post = |name: &'static str| {
        Request::post("/api/add_theme")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html")
            .header(header::ORIGIN, OWN_ORIGIN)
            .header(header::REFERER, format!("{OWN_ORIGIN}/themes"))
            .header(header::COOKIE, format!("pa_session={qa}"))
            .body(Body::from(format!("name={name}")))
            .unwrap()
    };
    let first = app.send(post("Jo%20Bloggs%27s%20visits")).await;
    assert!(first.status.is_redirection(), "{}", first.status);
    let again = app.send(post("Jo%20Bloggs%27s%20visits")).await;
    assert!(again.status.is_redirection());
    let location = again.location().unwrap();
    assert!(location.contains("__err="), "{location}");
    assert!(
        !location.contains("Jo") && !location.contains("Bloggs"),
        "{location}"
    );
    // Called by the hydrated app, the same error names the theme in the page.
    let json = app
        .call("add_theme", &[("name", "Jo Bloggs's visits")], Some(&qa))
        .await;
    assert!(json.body.contains("Jo Bloggs"), "{}", json.body);
}

#[tokio::test]
async fn a_record_someone_may_not_see_answers_as_if_it_did_not_exist() {
    let app = TestApp::new().await;
    let kw = app.sign_in("kw.early-help-north.1@anytown.example").await;
    let other_case: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT c.id FROM cases c JOIN teams t ON t.id = c.team_id \
         WHERE t.name != 'Early Help North' ORDER BY c.id LIMIT 1",
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    let missing = other_case + 1_000_000;
    let refused = app
        .call(
            "open_case",
            &[("case_id", &other_case.to_string())],
            Some(&kw),
        )
        .await;
    let absent = app
        .call("open_case", &[("case_id", &missing.to_string())], Some(&kw))
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    assert_eq!(
        (refused.status, &refused.body),
        (absent.status, &absent.body)
    );
    let refused_page = app.page(&format!("/cases/{other_case}"), Some(&kw)).await;
    let absent_page = app.page(&format!("/cases/{missing}"), Some(&kw)).await;
    assert_eq!(refused_page.status, StatusCode::NOT_FOUND);
    assert_eq!(absent_page.status, StatusCode::NOT_FOUND);
    assert!(refused_page.body.contains("Page not found"));
}

#[tokio::test]
async fn every_answer_has_a_limit_checked_on_the_server() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    // An answer longer than any field the app keeps is refused before any function reads it.
    let long = "x".repeat(20_001);
    let reply = app
        .call("add_theme", &[("name", long.as_str())], Some(&qa))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        reply.body.contains("longer than 20000 characters"),
        "{}",
        reply.body
    );
    // A form over a megabyte is refused whole.
    let many: Vec<(String, String)> = (0..60)
        .map(|i| (format!("f{i}"), "y".repeat(19_000)))
        .collect();
    let refs: Vec<(&str, &str)> = many.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let reply = app.call("add_theme", &refs, Some(&qa)).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
    // Within the backstop, each field's own limit answers at the field.
    let reply = app
        .call("add_theme", &[("name", "x".repeat(81).as_str())], Some(&qa))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json()["Invalid"][0]["field"], "name");
    // The server is still serving.
    assert_eq!(
        app.call("my_tray", &[], Some(&qa)).await.status,
        StatusCode::OK
    );
}
