//! The live event stream: events reach exactly the people entitled to them, and a
//! reconnect (or a restarted server) replays what was missed from the database.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use futures::StreamExt;
use std::time::Duration;
use tower::ServiceExt;

const QA: &str = "qa.manager@anytown.example";

/// An open event stream, read as text.
struct Stream(axum::body::BodyDataStream);

impl Stream {
    async fn open(router: &axum::Router, token: &str, last_event_id: Option<i64>) -> Stream {
        let mut request = Request::get("/events").header("cookie", format!("pa_session={token}"));
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id.to_string());
        }
        let response = router
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        Stream(response.into_body().into_data_stream())
    }

    /// Whether the server ends the stream within `wait` (keep-alives aside).
    async fn ends(&mut self, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.0.next()).await {
                Err(_) => return false,
                Ok(None) => return true,
                Ok(Some(Ok(chunk))) if String::from_utf8_lossy(&chunk).contains("event:") => {
                    return false
                }
                Ok(Some(_)) => continue,
            }
        }
    }

    /// The next event (id, kind, data), or `None` if none comes within `wait`.
    async fn next(&mut self, wait: Duration) -> Option<(i64, String, String)> {
        let mut text = String::new();
        loop {
            let chunk = tokio::time::timeout(wait, self.0.next())
                .await
                .ok()??
                .ok()?;
            text.push_str(&String::from_utf8_lossy(&chunk));
            if let Some(end) = text.find("\n\n") {
                let block: String = text[..end].to_string();
                text = text[end + 2..].to_string();
                let field = |name: &str| {
                    block.lines().find_map(|l| {
                        l.strip_prefix(&format!("{name}:"))
                            .map(|v| v.trim().to_string())
                    })
                };
                if let (Some(id), Some(kind), Some(data)) =
                    (field("id"), field("event"), field("data"))
                {
                    return Some((id.parse().unwrap(), kind, data));
                }
            }
        }
    }
}

#[tokio::test]
async fn alerts_reach_only_their_people_and_replay_after_a_restart() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let round = app
        .call("create_round", &[("month", "2027-01")], Some(&qa))
        .await
        .json()
        .as_i64()
        .unwrap()
        .to_string();
    app.call(
        "draw_round",
        &[("round_id", &round), ("quota_7", "1")],
        Some(&qa),
    )
    .await;
    let contact = app
        .store
        .selection_contacts(round.parse().unwrap())
        .await
        .unwrap()
        .remove(0);
    let kw_email: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT email FROM people WHERE id = $1"
    )
    .bind(contact.key_worker_id.unwrap())
    .fetch_one(pool)
    .await)
    .unwrap();
    let kw = app.sign_in(&kw_email).await;
    let outsider = app.sign_in("kw.early-help-north.1@anytown.example").await;
    let start = app.call("current_user", &[], Some(&kw)).await.json()["last_event_id"]
        .as_i64()
        .unwrap();

    let mut kw_stream = Stream::open(&app.router, &kw, Some(start)).await;
    let mut kw_second_tab = Stream::open(&app.router, &kw, Some(start)).await;
    let mut outsider_stream = Stream::open(&app.router, &outsider, Some(start)).await;
    let r = app
        .call("confirm_round", &[("round_id", &round)], Some(&qa))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);

    let (id, kind, data) = kw_stream
        .next(Duration::from_secs(5))
        .await
        .expect("the key worker's event");
    assert!(id > start);
    assert_eq!(kind, "alert");
    assert!(data.contains(&contact.child_unique_id), "{data}");
    let (id2, _, _) = kw_second_tab
        .next(Duration::from_secs(5))
        .await
        .expect("the second tab too");
    assert_eq!(id2, id);
    assert!(
        outsider_stream
            .next(Duration::from_millis(500))
            .await
            .is_none(),
        "nobody else hears"
    );

    // Reading the alert in one tab tells the other.
    let alert_id = serde_json::from_str::<serde_json::Value>(&data).unwrap()["id"].to_string();
    let r = app
        .call("mark_alert_read", &[("alert_id", &alert_id)], Some(&kw))
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let (read_id, kind, _) = kw_second_tab
        .next(Duration::from_secs(5))
        .await
        .expect("alert_read");
    assert_eq!(kind, "alert_read");
    assert!(read_id > id);

    // A restarted server (a new router and bus on the same database) replays from
    // Last-Event-ID, in order, with nothing lost.
    let restarted = server::router(
        app.store.clone(),
        leptos::prelude::LeptosOptions::builder()
            .output_name("practice-audit")
            .build(),
        app::server::SiteSettings::default(),
    );
    let mut replay = Stream::open(&restarted, &kw, Some(start)).await;
    let first = replay.next(Duration::from_secs(5)).await.unwrap();
    let second = replay.next(Duration::from_secs(5)).await.unwrap();
    assert_eq!((first.0, first.1.as_str()), (id, "alert"));
    assert_eq!((second.0, second.1.as_str()), (read_id, "alert_read"));
    let mut after_read = Stream::open(&restarted, &kw, Some(read_id)).await;
    assert!(after_read.next(Duration::from_millis(300)).await.is_none());

    // Signing out ends the stream at its next event.
    let mut ending = Stream::open(&app.router, &outsider, None).await;
    let r = app.call("sign_out", &[], Some(&outsider)).await;
    assert!(r.status.is_success(), "{}", r.status);
    let outsider_alert = app.person_id("kw.early-help-north.1@anytown.example").await;
    let mut notices = app::store::Notices::new();
    notices.alert(app::store::NewAlert {
        person_id: outsider_alert,
        kind: app::trays::AlertKind::CaseSelected,
        case_id: None,
        link: "/".into(),
        body: "x".into(),
    });
    app.store.tell(&notices, chrono::Utc::now()).await.unwrap();
    app.site.events.0.published(&[outsider_alert]);
    assert!(
        ending.ends(Duration::from_secs(5)).await,
        "the signed-out stream is closed, and the alert is not sent on it"
    );

    // Without a session there is no stream.
    let r = app
        .send(Request::get("/events").body(Body::empty()).unwrap())
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_tray_filters_by_type_and_unread_and_archives_old_alerts_without_deleting_them() {
    let app = TestApp::new().await;
    let kw_email = "kw.early-help-north.1@anytown.example";
    let kw_id = app.person_id(kw_email).await;
    for (kind, body) in [
        ("case_selected", "Case 1 selected"),
        ("case_selected", "Case 2 selected"),
        ("audit_filed", "Audit 3 filed"),
    ] {
        app.store
            .insert_alert(kw_id, kind, None, body)
            .await
            .unwrap();
    }
    let kw = app.sign_in(kw_email).await;
    let tray = |query: &'static [(&'static str, &'static str)]| {
        let app = &app;
        let kw = kw.clone();
        async move {
            let reply = app.call("my_tray", query, Some(&kw)).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
            reply.json()["alerts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["body"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        tray(&[]).await,
        vec!["Audit 3 filed", "Case 2 selected", "Case 1 selected"]
    );
    assert_eq!(
        tray(&[("kind", "audit_filed")]).await,
        vec!["Audit 3 filed"]
    );
    let first = app.tray(&kw).await[2]["id"].to_string();
    app.call("mark_alert_read", &[("alert_id", &first)], Some(&kw))
        .await;
    assert_eq!(
        tray(&[("show", "unread"), ("kind", "case_selected")]).await,
        vec!["Case 2 selected"]
    );
    for bad in [[("kind", "gossip")], [("show", "everything")]] {
        assert_eq!(
            app.call("my_tray", &bad, Some(&kw)).await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }

    // Two alerts are 100 days old; the sweep archives them, tells the open tab, and
    // keeps them under "Archived".
    app::on_pool!(app.store, |pool| sqlx::query(
        "UPDATE alerts SET created_at = $1 WHERE person_id = $2 AND body LIKE 'Case%'"
    )
    .bind(chrono::Utc::now() - chrono::Duration::days(100))
    .bind(kw_id)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))
    .unwrap();
    let start = app.call("current_user", &[], Some(&kw)).await.json()["last_event_id"]
        .as_i64()
        .unwrap();
    let mut tab = Stream::open(&app.router, &kw, Some(start)).await;
    let archived =
        app::trays::archive_old_alerts(&app.store, &app.site.events, chrono::Utc::now(), 90)
            .await
            .unwrap();
    assert_eq!(archived, 2);
    let (_, kind, _) = tab
        .next(Duration::from_secs(5))
        .await
        .expect("the open tray hears");
    assert_eq!(kind, "alerts_archived");
    assert_eq!(tray(&[]).await, vec!["Audit 3 filed"]);
    assert_eq!(
        tray(&[("show", "archived")]).await,
        vec!["Case 2 selected", "Case 1 selected"]
    );
    let me = app.call("current_user", &[], Some(&kw)).await.json();
    assert_eq!(me["unread_alerts"], 1, "archived alerts leave the count");
    let kept: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM alerts WHERE person_id = $1) \
         + (SELECT COUNT(*) FROM alerts_archive WHERE person_id = $1)",
    )
    .bind(kw_id)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(kept, 3, "never deleted");
    assert_eq!(
        app::trays::archive_old_alerts(&app.store, &app.site.events, chrono::Utc::now(), 90)
            .await
            .unwrap(),
        0,
        "a second sweep finds nothing"
    );
}

#[tokio::test]
async fn a_new_audit_form_version_alerts_every_auditor_and_nobody_else() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let reply = app
        .call(
            "publish_template",
            &[
                ("t[title-0]", "Voice of the child"),
                ("t[prompt-0]", "How well?"),
            ],
            Some(&qa),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let auditors: i64 = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM person_roles r JOIN people p ON p.id = r.person_id \
         WHERE r.role = 'auditor' AND p.active = TRUE",
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    let alerted: Vec<(i64, String)> = app::on_pool!(app.store, |pool| sqlx::query_as(
        "SELECT person_id, link FROM alerts WHERE kind = 'form_revised'"
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    assert!(auditors > 0);
    assert_eq!(alerted.len() as i64, auditors);
    assert!(alerted.iter().all(|(_, link)| link == "/templates"));
    let auditor = app.sign_in("auditor.1@anytown.example").await;
    assert_eq!(app.tray(&auditor).await[0]["kind"], "form_revised");
    assert!(app
        .tray(&app.sign_in("kw.early-help-north.1@anytown.example").await)
        .await
        .is_empty());
}

#[tokio::test]
async fn a_stream_first_says_how_long_to_wait_before_resuming_it() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let mut stream = Stream::open(&app.router, &qa, None).await;
    let first = tokio::time::timeout(Duration::from_secs(5), stream.0.next())
        .await
        .expect("the stream starts at once")
        .unwrap()
        .unwrap();
    let first = String::from_utf8_lossy(&first).to_string();
    let retry = first
        .lines()
        .find_map(|l| l.strip_prefix("retry:"))
        .map(|v| v.trim().parse::<u128>().unwrap());
    assert_eq!(
        retry,
        Some(app::domain::live::RESUME_AFTER.as_millis()),
        "{first:?}"
    );
    assert!(first.ends_with("\n\n"), "a block of its own: {first:?}");
}
