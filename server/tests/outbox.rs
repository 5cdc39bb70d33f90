//! One change, one transaction: every server function that tells someone stores its alerts,
//! live events and emails with the change, or stores nothing; emails go out after commit,
//! once each, also after a crash; failures are retried and shown to the Administrator.

use crate::common::journey::*;
use crate::common::*;
use app::server::{Email, Mailer, SendEmail, SendResult};
use app::store::Fault;
use axum::http::StatusCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

async fn count(app: &TestApp, sql: &str) -> i64 {
    app::on_pool!(app.store, |pool| sqlx::query_scalar(sql)
        .fetch_one(pool)
        .await)
    .unwrap()
}

/// Alerts, events and emails stored so far.
async fn told(app: &TestApp) -> (i64, i64, i64) {
    (
        count(app, "SELECT COUNT(*) FROM alerts").await,
        count(app, "SELECT COUNT(*) FROM events").await,
        count(app, "SELECT COUNT(*) FROM outbox").await,
    )
}

/// With `fault` injected, `step` fails with the plain sentence and leaves nothing behind:
/// neither the change (`changed` reads it) nor anything it would have told.
async fn refused_whole<F, Fut, C, CFut, T>(app: &TestApp, fault: Fault, step: F, changed: C)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Reply>,
    C: Fn() -> CFut,
    CFut: std::future::Future<Output = T>,
    T: PartialEq + std::fmt::Debug,
{
    let before = (changed().await, told(app).await);
    app.store.inject_fault(fault);
    let r = step().await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", r.body);
    assert!(
        r.body.contains("Internal"),
        "a clear error for the user, not a detail: {}",
        r.body
    );
    assert_eq!(
        (changed().await, told(app).await),
        before,
        "the change and its notices rolled back together"
    );
    let r = step().await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "the same step works once the fault has passed: {}",
        r.body
    );
    assert!(told(app).await != before.1, "and then tells people");
}

#[tokio::test]
async fn every_change_that_tells_someone_is_one_transaction() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let round = drawn_round(&app, &qa, "2027-01").await;
    let status = |round: i64| {
        let app = &app;
        async move {
            let s: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
                "SELECT status FROM rounds WHERE id = $1"
            )
            .bind(round)
            .fetch_one(pool)
            .await)
            .unwrap();
            s
        }
    };
    refused_whole(
        &app,
        Fault::Alerts,
        || confirm(&app, &qa, round),
        || status(round),
    )
    .await;
    assert_eq!(status(round).await, "confirmed");
    // Who holds the case is recorded with the confirmation (rolled back with it above).
    let case = round_case(&app, round).await;
    let recorded: Option<i64> = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT key_worker_id FROM round_cases WHERE id = $1"
    )
    .bind(case.round_case_id)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(recorded, case.key_worker_id);

    refused_whole(
        &app,
        Fault::Alerts,
        || assign(&app, &qa, round),
        || audit_of(&app, round),
    )
    .await;
    let audit = audit_of(&app, round).await.expect("assigned");
    let p = people(&app, qa.clone(), round).await;
    let times = |audit: i64| {
        let app = &app;
        async move {
            count(
                app,
                &format!("SELECT COUNT(*) FROM discussion_times WHERE audit_id = {audit}"),
            )
            .await
        }
    };
    let held_count = |audit: i64| {
        let app = &app;
        async move {
            count(
                app,
                &format!("SELECT COUNT(*) FROM discussions_held WHERE audit_id = {audit}"),
            )
            .await
        }
    };
    refused_whole(
        &app,
        Fault::Alerts,
        || propose(&app, &p.auditor, audit),
        || times(audit),
    )
    .await;
    refused_whole(
        &app,
        Fault::Events,
        || accept(&app, &p.kw, audit),
        || state(&app, audit),
    )
    .await;
    refused_whole(
        &app,
        Fault::Events,
        || save(&app, &p.auditor, audit),
        || state(&app, audit),
    )
    .await;
    refused_whole(
        &app,
        Fault::Alerts,
        || held(&app, &p.auditor, audit),
        || held_count(audit),
    )
    .await;
    refused_whole(
        &app,
        Fault::Alerts,
        || confirm_findings(&app, &p.kw, audit),
        || state(&app, audit),
    )
    .await;
    refused_whole(
        &app,
        Fault::Alerts,
        || complete(&app, &p.auditor, audit, &[]),
        || state(&app, audit),
    )
    .await;
    assert_eq!(state(&app, audit).await, "completed");
    refused_whole(
        &app,
        Fault::Events,
        || file(&app, &p.auditor, audit),
        || state(&app, audit),
    )
    .await;
    // Filing the round's only audit closed the round, in the same transaction.
    assert_eq!(status(round).await, "closed");

    // Publishing a revised form tells every auditor.
    let versions = || {
        let app = &app;
        async move { count(app, "SELECT COUNT(*) FROM audit_templates").await }
    };
    let form = [
        ("t[title-0]", "Voice of the child"),
        ("t[prompt-0]", "Is the child heard?"),
    ];
    refused_whole(
        &app,
        Fault::Alerts,
        || app.call("publish_template", &form, Some(&qa)),
        versions,
    )
    .await;
}

/// A sender that fails every time, with the mail server's reason.
struct Refusing;

impl SendEmail for Refusing {
    fn send(&self, _email: Email) -> SendResult<'_> {
        Box::pin(async { Err("421 mail server busy, try later".to_string()) })
    }
}

async fn sent_to(sent: &Arc<Mutex<Vec<Email>>>, address: &str) -> Vec<Email> {
    sent.lock()
        .unwrap()
        .iter()
        .filter(|e| e.to == address)
        .cloned()
        .collect()
}

#[tokio::test]
async fn emails_committed_before_a_crash_are_sent_after_restart_exactly_once() {
    // The server "dies" after the commit: no sender ran.
    let app = TestApp::without_sender().await;
    let qa = app.sign_in(QA).await;
    let round = drawn_round(&app, &qa, "2027-01").await;
    ok(&confirm(&app, &qa, round).await);
    let waiting = app.store.outbox_unsent().await.unwrap();
    assert!(
        waiting >= 2,
        "the selected case's holders each have an email waiting"
    );
    assert!(
        app.outbox.lock().unwrap().is_empty(),
        "nothing was sent before the crash"
    );

    // Restarted: a new store on the same database and a new sender.
    let url = app.url.clone();
    let restarted = app::store::Store::connect(&url).await.unwrap();
    let (mailer, sent) = Mailer::memory();
    let mut site = app.site.clone();
    site.mailer = mailer.clone();
    let sender = server::spawn_outbox_sender(restarted.clone(), &site);
    for _ in 0..100 {
        if restarted.outbox_unsent().await.unwrap() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    sender.abort();
    assert_eq!(restarted.outbox_unsent().await.unwrap(), 0);
    assert_eq!(
        sent.lock().unwrap().len() as i64,
        waiting,
        "each email once"
    );
    let case = round_case(&app, round).await;
    let kw = email_of(&app, case.key_worker_id.unwrap()).await;
    let to_kw = sent_to(&sent, &kw).await;
    assert_eq!(to_kw.len(), 1);
    assert!(
        to_kw[0].body.contains(&format!("/cases/{}", case.case_id)),
        "{}",
        to_kw[0].body
    );
    // The email names the kind of alert and links to it; the child's ID stays in the tray.
    let child: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
        "SELECT child_unique_id FROM cases WHERE id = $1"
    )
    .bind(case.case_id)
    .fetch_one(pool)
    .await)
    .unwrap();
    assert!(!to_kw[0].body.contains(&child), "{}", to_kw[0].body);
    assert!(
        to_kw[0]
            .body
            .starts_with("You have a new alert in Practice Audit: "),
        "{}",
        to_kw[0].body
    );

    // Another pass sends nothing more.
    let again = app::server::mail::deliver_due(&restarted, &mailer, "http://x")
        .await
        .unwrap();
    assert_eq!(again, Default::default());
    assert_eq!(sent.lock().unwrap().len() as i64, waiting);

    // A crash between sending and recording it: the email is tried again once its lease
    // runs out, with the same message ID, so the relay delivers it once.
    let mut notices = app::store::Notices::new();
    notices.alert(app::store::NewAlert {
        person_id: case.key_worker_id.unwrap(),
        kind: app::trays::AlertKind::AuditFiled,
        case_id: Some(case.case_id),
        link: "/tray".into(),
        body: "x".into(),
    });
    restarted.tell(&notices, chrono::Utc::now()).await.unwrap();
    let taken = restarted
        .take_due_emails(chrono::Utc::now(), 10)
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);
    mailer
        .0
        .send(Email {
            message_id: taken[0].message_id.clone(),
            person_id: taken[0].person_id,
            to: kw.clone(),
            subject: taken[0].subject.clone(),
            body: "sent, then the server died".into(),
            one_time_link: None,
        })
        .await
        .unwrap();
    // Held by the dead sender's lease: not taken again yet.
    assert!(restarted
        .take_due_emails(chrono::Utc::now(), 10)
        .await
        .unwrap()
        .is_empty());
    // The lease runs out (after `OUTBOX_LEASE`; moved on here rather than waited for).
    app::on_pool!(restarted, |pool| sqlx::query(
        "UPDATE outbox SET claimed_until = $1 WHERE id = $2"
    )
    .bind(chrono::Utc::now() - chrono::Duration::seconds(1))
    .bind(taken[0].id)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))
    .unwrap();
    let d = app::server::mail::deliver_due(&restarted, &mailer, "http://x")
        .await
        .unwrap();
    assert_eq!(d.sent, 1, "tried again after the lease");
    assert_eq!(
        sent_to(&sent, &kw).await.len(),
        2,
        "delivered once: the first email and this one"
    );
    assert_eq!(restarted.outbox_unsent().await.unwrap(), 0);
}

#[tokio::test]
async fn failed_emails_are_retried_with_a_back_off_and_shown_to_the_administrator() {
    let app = TestApp::without_sender().await;
    let qa = app.sign_in(QA).await;
    let round = drawn_round(&app, &qa, "2027-01").await;
    ok(&confirm(&app, &qa, round).await);
    let waiting = app.store.outbox_unsent().await.unwrap();
    let refusing = Mailer(Arc::new(Refusing));
    let d = app::server::mail::deliver_due(&app.store, &refusing, "http://x")
        .await
        .unwrap();
    assert_eq!(d.failed as i64, waiting);
    // Not due again until the back-off has passed.
    let d = app::server::mail::deliver_due(&app.store, &refusing, "http://x")
        .await
        .unwrap();
    assert_eq!(d, Default::default());

    // The Administrator sees each, with the reason; nobody else may look.
    let admin = app.sign_in("admin@anytown.example").await;
    let r = app.call("outbox_problems", &[], Some(&admin)).await;
    ok(&r);
    let view = r.json();
    assert_eq!(view["unsent"].as_i64().unwrap(), waiting);
    let problems = view["problems"].as_array().unwrap();
    assert_eq!(problems.len() as i64, waiting);
    assert_eq!(problems[0]["reason"], "421 mail server busy, try later");
    assert_eq!(problems[0]["attempts"], 1);
    assert!(
        problems[0]["next_attempt_at"].is_string(),
        "still being retried"
    );
    assert_refused!(app.call("outbox_problems", &[], Some(&qa)).await.status);
    let page = app.page("/outbox", Some(&admin)).await;
    assert!(
        page.body.contains("421 mail server busy"),
        "the page shows the reason"
    );

    // Tried until it is given up on, then the Administrator can put it back.
    for _ in 0..app::domain::alert::EMAIL_MOST_ATTEMPTS {
        app::on_pool!(app.store, |pool| sqlx::query(
            "UPDATE outbox SET next_attempt_at = $1"
        )
        .bind(chrono::Utc::now() - chrono::Duration::seconds(1))
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
        .unwrap();
        app::server::mail::deliver_due(&app.store, &refusing, "http://x")
            .await
            .unwrap();
    }
    let view = app.call("outbox_problems", &[], Some(&admin)).await.json();
    let first = &view["problems"][0];
    assert!(
        first["next_attempt_at"].is_null(),
        "failed for good: {first}"
    );
    assert_eq!(
        first["attempts"].as_i64().unwrap(),
        i64::from(app::domain::alert::EMAIL_MOST_ATTEMPTS)
    );
    let id = first["id"].to_string();
    ok(&app
        .call("retry_email", &[("email_id", &id)], Some(&admin))
        .await);
    let r = app
        .call("retry_email", &[("email_id", &id)], Some(&admin))
        .await;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "only a failed email is put back"
    );
    let (mailer, sent) = Mailer::memory();
    let d = app::server::mail::deliver_due(&app.store, &mailer, "http://x")
        .await
        .unwrap();
    assert_eq!(d.sent, 1);
    assert_eq!(sent.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_leavers_email_is_dropped_not_sent() {
    let app = TestApp::without_sender().await;
    let qa = app.sign_in(QA).await;
    let round = drawn_round(&app, &qa, "2027-01").await;
    ok(&confirm(&app, &qa, round).await);
    let case = round_case(&app, round).await;
    app::on_pool!(app.store, |pool| sqlx::query(
        "UPDATE people SET active = FALSE WHERE id = $1"
    )
    .bind(case.key_worker_id.unwrap())
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))
    .unwrap();
    let (mailer, sent) = Mailer::memory();
    let d = app::server::mail::deliver_due(&app.store, &mailer, "http://x")
        .await
        .unwrap();
    assert_eq!(d.dropped, 1);
    let kw = email_of(&app, case.key_worker_id.unwrap()).await;
    assert!(sent_to(&sent, &kw).await.is_empty());
    assert_eq!(app.store.outbox_unsent().await.unwrap(), 0);
}

#[tokio::test]
async fn closing_a_round_and_what_it_tells_are_one_transaction() {
    let app = TestApp::new().await;
    let qa = app.sign_in(QA).await;
    let round = drawn_round(&app, &qa, "2026-10").await;
    ok(&confirm(&app, &qa, round).await);
    ok(&assign(&app, &qa, round).await);
    let case = round_case(&app, round).await;
    let field = format!("reason[{}]", case.round_case_id);
    let status = || {
        let app = &app;
        async move {
            let s: String = app::on_pool!(app.store, |pool| sqlx::query_scalar(
                "SELECT status FROM rounds WHERE id = $1"
            )
            .bind(round)
            .fetch_one(pool)
            .await)
            .unwrap();
            s
        }
    };
    let round_id = round.to_string();
    let form = [
        ("round_id", round_id.as_str()),
        (field.as_str(), "Auditor away"),
    ];
    refused_whole(
        &app,
        Fault::Alerts,
        || app.call("close_round", &form, Some(&qa)),
        status,
    )
    .await;
    assert_eq!(status().await, "closed");
}
