//! Sessions that end: 30 minutes idle (renewed only by the person's own actions, never by
//! background refreshes), 12 hours in all, *Stay signed in*, *Sign out everywhere*, and
//! event streams that close within a second of their session ending, at most five a person.

use crate::common::*;
use app::domain::session::SessionRules;
use app::server::SiteSettings;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chrono::{Duration, Utc};
use futures::StreamExt;
use tower::ServiceExt;

const KW: &str = "kw.early-help-north.1@anytown.example";

fn hash(token: &str) -> String {
    app::auth::password::token_hash(token)
}

async fn idle_for(app: &TestApp, token: &str, minutes: i64) {
    let now = Utc::now();
    app.store
        .backdate_session(
            &hash(token),
            now - Duration::minutes(minutes + 1),
            now - Duration::minutes(minutes),
        )
        .await
        .unwrap();
}

async fn last_seen(app: &TestApp, token: &str) -> chrono::DateTime<Utc> {
    app.store
        .session(&hash(token))
        .await
        .unwrap()
        .expect("the session is there")
        .last_seen_at
}

async fn open_stream(app: &TestApp, token: &str) -> axum::body::BodyDataStream {
    let response = app
        .router
        .clone()
        .oneshot(
            Request::get("/events")
                .header("cookie", format!("pa_session={token}"))
                .header("accept", "text/event-stream")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.into_body().into_data_stream()
}

/// Whether the stream ends within `wait`.
async fn ends_within(stream: &mut axum::body::BodyDataStream, wait: std::time::Duration) -> bool {
    tokio::time::timeout(wait, async {
        while let Some(chunk) = stream.next().await {
            if chunk.is_err() {
                break;
            }
        }
    })
    .await
    .is_ok()
}

#[tokio::test]
async fn background_calls_never_renew_a_session_and_thirty_idle_minutes_end_it() {
    let app = TestApp::new().await;
    let token = app.sign_in(KW).await;
    idle_for(&app, &token, 20).await;
    let before = last_seen(&app, &token).await;
    // The page's own refreshes (JSON) are served but do not renew.
    assert_eq!(
        app.call("my_tray", &[], Some(&token)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.call("current_user", &[], Some(&token)).await.status,
        StatusCode::OK
    );
    assert_eq!(last_seen(&app, &token).await, before);
    // Nor does the event stream.
    let _stream = open_stream(&app, &token).await;
    assert_eq!(last_seen(&app, &token).await, before);
    // Thirty minutes after the person's last own action, it has ended.
    idle_for(&app, &token, 30).await;
    let reply = app.call("my_tray", &[], Some(&token)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert!(app.store.session(&hash(&token)).await.unwrap().is_none());
}

#[tokio::test]
async fn the_persons_own_actions_renew_and_the_warning_can_ask_without_renewing() {
    let app = TestApp::new().await;
    let token = app.sign_in(KW).await;
    idle_for(&app, &token, 20).await;
    // The warning's question leaves the clock alone: about ten minutes are left.
    let left = app.call("session_left", &[], Some(&token)).await;
    assert_eq!(left.status, StatusCode::OK);
    let seconds = left.json().as_i64().unwrap();
    assert!((540..=600).contains(&seconds), "{seconds}");
    let me = app.call("current_user", &[], Some(&token)).await.json();
    assert!((540..=600).contains(&me["session_left"].as_i64().unwrap()));
    // *Stay signed in* (or a click or key, which the page sends the same way) renews.
    let stay = app.call("stay_signed_in", &[], Some(&token)).await;
    assert_eq!(stay.status, StatusCode::OK);
    let seconds = stay.json().as_i64().unwrap();
    assert!((1790..=1800).contains(&seconds), "{seconds}");
    assert!(last_seen(&app, &token).await > Utc::now() - Duration::minutes(1));
    // A page the person opens renews too.
    idle_for(&app, &token, 20).await;
    assert_eq!(app.page("/tray", Some(&token)).await.status, StatusCode::OK);
    assert!(last_seen(&app, &token).await > Utc::now() - Duration::minutes(1));
    // Once ended, neither question revives it.
    idle_for(&app, &token, 31).await;
    for name in ["stay_signed_in", "session_left"] {
        assert_eq!(
            app.call(name, &[], Some(&token)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

#[tokio::test]
async fn twelve_hours_end_a_session_however_busy_and_the_limits_can_be_set() {
    let app = TestApp::new().await;
    let token = app.sign_in(KW).await;
    let now = Utc::now();
    app.store
        .backdate_session(&hash(&token), now - Duration::hours(12), now)
        .await
        .unwrap();
    assert_eq!(
        app.call("stay_signed_in", &[], Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );

    let strict = TestApp::with_settings(SiteSettings {
        sessions: SessionRules::new(10, 2).unwrap(),
        ..SiteSettings::default()
    })
    .await;
    let token = strict.sign_in(KW).await;
    idle_for(&strict, &token, 9).await;
    assert_eq!(
        strict.call("my_tray", &[], Some(&token)).await.status,
        StatusCode::OK
    );
    idle_for(&strict, &token, 10).await;
    assert_eq!(
        strict.call("my_tray", &[], Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_stream_closes_within_a_second_of_its_session_expiring_or_signing_out() {
    let app = TestApp::new().await;
    let expiring = app.sign_in(KW).await;
    let mut stream = open_stream(&app, &expiring).await;
    assert!(!ends_within(&mut stream, std::time::Duration::from_millis(300)).await);
    // Nothing is published: the stream's own check ends it.
    idle_for(&app, &expiring, 31).await;
    assert!(
        ends_within(&mut stream, std::time::Duration::from_millis(1_500)).await,
        "closed within the check's second"
    );

    let leaving = app.sign_in(KW).await;
    let mut stream = open_stream(&app, &leaving).await;
    assert_eq!(
        app.call("sign_out", &[], Some(&leaving)).await.status,
        StatusCode::OK
    );
    assert!(ends_within(&mut stream, std::time::Duration::from_secs(1)).await);
}

#[tokio::test]
async fn sign_out_everywhere_ends_every_session_and_stream_of_that_person_only() {
    let app = TestApp::new().await;
    let phone = app.sign_in(KW).await;
    let laptop = app.sign_in(KW).await;
    let someone_else = app.sign_in("tm.early-help-north@anytown.example").await;
    let mut phone_stream = open_stream(&app, &phone).await;
    let mut other_stream = open_stream(&app, &someone_else).await;
    let reply = app.call("sign_out_everywhere", &[], Some(&laptop)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(ends_within(&mut phone_stream, std::time::Duration::from_secs(1)).await);
    for token in [&phone, &laptop] {
        assert_eq!(
            app.call("my_tray", &[], Some(token)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        app.call("my_tray", &[], Some(&someone_else)).await.status,
        StatusCode::OK
    );
    assert!(!ends_within(&mut other_stream, std::time::Duration::from_millis(1_500)).await);
    let me = app.person_id(KW).await;
    assert_eq!(
        app.store
            .access_log_count(
                me,
                "signed_out_everywhere",
                app::domain::trail::Outcome::Done,
                None
            )
            .await
            .unwrap(),
        1
    );
    // The account page offers it.
    let other = app.sign_in(KW).await;
    let page = app.page("/account", Some(&other)).await;
    assert!(page.body.contains("Sign out everywhere"));
}

#[tokio::test]
async fn a_person_has_at_most_five_streams_and_the_oldest_closes_first() {
    let app = TestApp::new().await;
    let token = app.sign_in(KW).await;
    let mut streams = Vec::new();
    for _ in 0..5 {
        streams.push(open_stream(&app, &token).await);
    }
    let mut oldest = streams.remove(0);
    assert!(!ends_within(&mut oldest, std::time::Duration::from_millis(300)).await);
    let _sixth = open_stream(&app, &token).await;
    assert!(
        ends_within(&mut oldest, std::time::Duration::from_secs(1)).await,
        "the oldest stream made way"
    );
    let mut second = streams.remove(0);
    assert!(!ends_within(&mut second, std::time::Duration::from_millis(300)).await);
}
