//! The plumbing every feature stands on: the application state, the session and the actor,
//! errors as HTTP statuses, committing a change's notices (the event bus and the outbox's
//! sender). Server-only. It depends on `domain`, `store` and `error` only; features depend
//! on it, never the reverse.

mod audit;
pub mod bus;
pub mod clock;
pub mod documents;
pub mod links;
pub mod mail;
pub mod password;
pub mod trail;
pub mod upload;
mod views;

pub use crate::store::{LiveEvent, NewAlert, Notices};
pub use audit::{audit_domains, audit_moved, open_audit, saved_form};
pub use bus::EventBus;
pub use mail::{Email, Mailer, OutboxWake, SendEmail, SendResult};
pub use views::ViewCache;

use crate::domain::session::{SessionRules, SessionState};
use crate::domain::Actor;
use crate::store::{PersonSummary, Store};
use crate::AppError;
use axum::http::{header, HeaderValue, StatusCode};
use chrono::Utc;
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use std::fmt::Display;
use std::future::Future;

/// The session cookie's name over plain HTTP (a developer's machine, the tests).
pub const SESSION_COOKIE: &str = "pa_session";
/// Its name over HTTPS: the `__Host-` prefix makes browsers refuse it unless it is
/// `Secure`, for this host only, and for the whole site, so a sibling subdomain cannot
/// set or shadow it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-pa_session";

/// Site-wide settings the server functions need, provided as context by the server.
#[derive(Debug, Clone)]
pub struct SiteSettings {
    /// Mark cookies `Secure` even when no proxy says the request came over HTTPS.
    pub force_secure_cookies: bool,
    /// Where staff reach the app, for links in emails.
    pub public_url: String,
    pub mailer: Mailer,
    /// Where committed changes are announced to the live streams.
    pub events: EventBus,
    /// Wakes the outbox's sender after a change that emails.
    pub outbox: OutboxWake,
    /// Alerts older than this leave trays for their archive.
    pub archive_after_days: i64,
    /// Views (the dashboard's panels) counted since the last live notice.
    pub views: ViewCache,
    /// When a round's moderation opens and is due, in weeks after its due date.
    pub moderation_weeks: crate::domain::moderation_sample::WindowWeeks,
    /// How long invitations and password-reset links stay usable.
    pub links: crate::domain::people::LinkLifetimes,
    /// Sign-in throttling per account; a client address gets five times the room, since
    /// many staff share an office's address.
    pub sign_in: crate::domain::throttle::ThrottleRules,
    /// Take the client's address from the first `X-Forwarded-For` hop (behind a proxy that
    /// sets it); otherwise from the connection.
    pub trust_forwarded_for: bool,
    /// How long sessions last.
    pub sessions: SessionRules,
    /// How long each kind of record is kept.
    pub retention: crate::domain::retention::RetentionRules,
}

/// The one application state: the axum handlers take it as their state, and every server
/// function finds it in its context.
#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub site: SiteSettings,
}

impl SiteSettings {
    /// Tells the live streams and the outbox's sender about a change that has committed.
    /// Call only after the commit: a stream that reads before it would miss the change.
    pub fn committed(&self, notices: &Notices) {
        let people = notices.people();
        if !people.is_empty() {
            self.events.announce(&people);
        }
        if notices.emails() {
            self.outbox.wake();
        }
    }
}

/// Deletes what is past its retention rule, and logs the counts (never what was deleted).
pub async fn sweep_retention(
    store: &Store,
    site: &SiteSettings,
    now: chrono::DateTime<Utc>,
) -> Result<crate::domain::retention::SweepCounts, crate::store::StoreError> {
    let counts = store
        .sweep_retention(&site.retention.cutoffs(now), site.sessions, now)
        .await?;
    tracing::info!(
        live_events = counts.live_events,
        archived_alerts = counts.archived_alerts,
        refused_imports = counts.refused_imports,
        ended_sessions = counts.ended_sessions,
        sign_in_counts = counts.sign_in_counts,
        sent_emails = counts.sent_emails,
        access_log = counts.access_log,
        audits_past_policy = counts.audits_past_policy,
        "retention sweep done"
    );
    if counts.audits_past_policy > 0 {
        tracing::warn!(
            audits = counts.audits_past_policy,
            "audits are past the council's records policy; the records team decides (the app deletes none)"
        );
    }
    Ok(counts)
}

/// [`SiteSettings::committed`] for the server function being served.
pub fn committed(notices: &Notices) {
    if let Some(site) = use_context::<SiteSettings>() {
        site.committed(notices);
    }
}

/// Tells these people's open pages to look again, outside any change's notices: their
/// sessions have ended (their streams then close) or their roles have changed.
pub fn announce(person_ids: &[i64]) {
    if let Some(site) = use_context::<SiteSettings>() {
        site.events.announce(person_ids);
    }
}

/// Logs which operation failed, with the error (inside the request's span, which carries
/// its route, request ID and person ID); the user gets the plain sentence.
pub fn failed<E: Display>(operation: &'static str) -> impl Fn(E) -> AppError {
    move |error| {
        tracing::error!(%error, operation, "operation failed");
        AppError::Internal
    }
}

impl Default for SiteSettings {
    fn default() -> Self {
        SiteSettings {
            force_secure_cookies: false,
            public_url: "http://127.0.0.1:3000".into(),
            mailer: Mailer::default(),
            events: EventBus::default(),
            outbox: OutboxWake::default(),
            archive_after_days: crate::domain::alert::ARCHIVE_AFTER_DAYS,
            views: ViewCache::default(),
            moderation_weeks: Default::default(),
            links: Default::default(),
            sign_in: Default::default(),
            trust_forwarded_for: false,
            sessions: SessionRules::default(),
            retention: Default::default(),
        }
    }
}

/// Runs a server function's body, giving its error the matching HTTP status when it was
/// called over HTTP. Pages rendered on the server set their own status from what they show.
/// Every call is logged with its name (see [`trail`]).
pub async fn respond<T>(
    endpoint: &'static str,
    body: impl Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    let result = trail::logged(endpoint, body).await;
    // A plain form post (before the WebAssembly loads) is redirected back with the error
    // by the framework, so it keeps its redirect status, and its error travels in the URL:
    // without personal data.
    let plain_form_post = with_request(|p| {
        p.uri.path().starts_with("/api/")
            && p.headers
                .get(header::ACCEPT)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.contains("text/html"))
    })
    .unwrap_or(false);
    if plain_form_post {
        return result.map_err(AppError::for_url);
    }
    let called_over_http = with_request(|p| p.uri.path().starts_with("/api/")).unwrap_or(false);
    if let (Err(error), true) = (&result, called_over_http) {
        if let Some(response) = use_context::<ResponseOptions>() {
            response.set_status(
                StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            );
        }
    }
    result
}

/// Lets the browser keep this answer and ask again with its tag, to be told `304 Not
/// Modified` while it is unchanged (the server's `not_modified` layer answers that). Only
/// for answers that name no child (figures), and only over HTTP: a page that used the
/// answer while rendering keeps its own `no-store`.
pub fn revalidate_with(etag: &str) {
    let over_http = with_request(|p| p.uri.path().starts_with("/api/")).unwrap_or(false);
    let (Some(response), true) = (use_context::<ResponseOptions>(), over_http) else {
        return;
    };
    if let Ok(tag) = HeaderValue::from_str(etag) {
        response.insert_header(header::ETAG, tag);
        response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
        // Another person signing in on the same browser asks with their own cookie.
        response.insert_header(header::VARY, HeaderValue::from_static("cookie"));
    }
}

/// The `Cache-Control` of answers the browser may keep and must check before each use.
pub const REVALIDATE: &str = "private, no-cache";

/// What the disclosure check looks for: the active staff directory and every Child Unique
/// ID, read once per check.
pub async fn disclosure_known(store: &Store) -> Result<crate::domain::difference::Known, AppError> {
    let people = store
        .active_people()
        .await
        .map_err(failed("read the staff directory"))?;
    let ids = store
        .child_ids()
        .await
        .map_err(failed("read Child Unique IDs"))?;
    Ok(crate::domain::difference::Known::new(people, ids))
}

/// A form's problems as the error the page shows beside each field.
pub fn invalid(problems: Vec<crate::domain::audit::FormProblem>) -> AppError {
    AppError::Invalid(
        problems
            .into_iter()
            .map(|p| crate::FieldError::new(&p.field, p.message))
            .collect(),
    )
}

/// At most this many password checks (Argon2, about 19 MiB and tens of milliseconds each)
/// run at once: one per core. Beyond it, sign-in answers 429 at once.
pub fn password_checks() -> &'static tokio::sync::Semaphore {
    static CHECKS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    CHECKS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores)
    })
}

/// The client's address for the request being served, as a string (`unknown` when the
/// server was not told it).
pub fn client_address() -> String {
    let Some(parts) = request_parts() else {
        return "unknown".into();
    };
    let trust = use_context::<SiteSettings>().is_some_and(|s| s.trust_forwarded_for);
    let forwarded = parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_string())
        .filter(|v| trust && !v.is_empty() && v.len() <= 64);
    forwarded
        .or_else(|| {
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// Logs the detail and gives the user the plain sentence.
pub fn internal(detail: impl Display) -> AppError {
    tracing::error!(error = %detail, "internal error");
    AppError::Internal
}

pub fn store() -> Result<Store, AppError> {
    use_context::<Store>()
        .or_else(|| use_context::<AppState>().map(|s| s.store))
        .ok_or_else(|| internal("store is not in the server function context"))
}

fn request_parts() -> Option<axum::http::request::Parts> {
    use_context::<axum::http::request::Parts>()
}

/// Reads the request being served without copying it (its headers and extensions): the
/// busiest answers (a dashboard refreshed all day) look at it several times.
fn with_request<R>(read: impl FnOnce(&axum::http::request::Parts) -> R) -> Option<R> {
    with_context::<axum::http::request::Parts, _>(read)
}

/// The session token, and whether the request renews the session.
fn request_session() -> Option<(String, bool)> {
    with_request(|p| cookie_token(&p.headers).map(|t| (t, renews(&p.headers)))).flatten()
}

fn session_token() -> Option<String> {
    with_request(|p| cookie_token(&p.headers)).flatten()
}

fn cookie_token(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SECURE_SESSION_COOKIE || *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
        .filter(|v| !v.is_empty())
}

/// Whether a request is the person's own action, which keeps their session alive: a page
/// they opened, a form they posted or a file they downloaded (all ask for HTML first). The
/// page's own background refreshes (JSON) and the event stream never do; the page renews
/// for activity with the `stay_signed_in` server function.
fn renews(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// The session rules of the server function being served.
pub fn session_rules() -> SessionRules {
    with_context::<SiteSettings, _>(|s| s.sessions).unwrap_or_default()
}

/// The signed-in person and the store, or `SignInRequired`.
pub async fn signed_in() -> Result<(Store, Actor), AppError> {
    let store = store()?;
    let person = current_person(&store)
        .await?
        .ok_or(AppError::SignInRequired)?;
    // The person's ID (never a name) on the request's span, so every line it logs says who.
    tracing::Span::current().record("person_id", person.actor.person_id);
    trail::signed_in_as(person.actor.person_id);
    Ok((store, person.actor))
}

/// The signed-in person, if any. Expired sessions are removed.
pub async fn current_person(store: &Store) -> Result<Option<PersonSummary>, AppError> {
    Ok(current_session(store).await?.0)
}

/// The signed-in person and when their session ends (without renewing it beyond what the
/// request itself does).
pub async fn current_session(
    store: &Store,
) -> Result<(Option<PersonSummary>, Option<chrono::DateTime<Utc>>), AppError> {
    let Some((token, renew)) = request_session() else {
        return Ok((None, None));
    };
    let found = person_for_token(store, session_rules(), &token, renew).await?;
    if found.expired {
        clear_session_cookie();
    }
    Ok((found.person, found.ends_at))
}

/// The session token of the request being served.
pub fn current_session_token() -> Option<String> {
    session_token()
}

/// The signed-in person for a plain axum handler (outside the server functions' context).
pub async fn person_from_headers(
    store: &Store,
    rules: SessionRules,
    headers: &axum::http::HeaderMap,
) -> Result<Option<PersonSummary>, AppError> {
    match cookie_token(headers) {
        Some(token) => Ok(person_for_token(store, rules, &token, renews(headers))
            .await?
            .person),
        None => Ok(None),
    }
}

/// The session of a page request, as a plain axum handler sees it (outside the server
/// functions' context), and the `Set-Cookie` that clears an expired session's cookie.
pub async fn page_session(
    store: &Store,
    site: &SiteSettings,
    headers: &axum::http::HeaderMap,
) -> Result<(SessionLookup, Option<String>), AppError> {
    let Some(token) = cookie_token(headers) else {
        let none = SessionLookup {
            person: None,
            expired: false,
            ends_at: None,
        };
        return Ok((none, None));
    };
    let found = person_for_token(store, site.sessions, &token, renews(headers)).await?;
    let clear = found.expired.then(|| {
        let secure = site.force_secure_cookies
            || headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                == Some("https");
        session_cookie("", secure, true)
    });
    Ok((found, clear))
}

/// The signed-in person when answering needs nothing more than a look: the session is live
/// and neither renewed nor ended by this request (a background refresh, not a page).
/// `None` otherwise, and the caller takes the full route ([`person_from_headers`] or a
/// server function), which renews or ends it.
pub async fn person_at_a_look(
    store: &Store,
    rules: SessionRules,
    headers: &axum::http::HeaderMap,
) -> Option<PersonSummary> {
    if renews(headers) {
        return None;
    }
    let token_hash = password::token_hash(&cookie_token(headers)?);
    let (session, person) = store.session_with_person(&token_hash).await.ok()??;
    let state = rules.state(session.created_at, session.last_seen_at, Utc::now(), false);
    (state == SessionState::Live { touch: false })
        .then_some(person)
        .flatten()
}

/// The session's stored hash, from a request's cookie (for handlers that keep running, such
/// as the event stream, to check the session is still there).
pub fn session_hash_from_headers(headers: &axum::http::HeaderMap) -> Option<String> {
    cookie_token(headers).map(|t| password::token_hash(&t))
}

/// A session token's person, whether it had expired (and was removed), and when it ends.
pub struct SessionLookup {
    pub person: Option<PersonSummary>,
    pub expired: bool,
    pub ends_at: Option<chrono::DateTime<Utc>>,
}

/// The person a session token belongs to. `renew` when the request is their own action.
pub async fn person_for_token(
    store: &Store,
    rules: SessionRules,
    token: &str,
    renew: bool,
) -> Result<SessionLookup, AppError> {
    let token_hash = password::token_hash(token);
    let failed = failed("read or keep a session");
    let none = SessionLookup {
        person: None,
        expired: false,
        ends_at: None,
    };
    let Some((mut session, mut person)) = store
        .session_with_person(&token_hash)
        .await
        .map_err(&failed)?
    else {
        return Ok(none);
    };
    let now = Utc::now();
    let mut state = rules.state(session.created_at, session.last_seen_at, now, renew);
    if state == SessionState::Expired {
        // Remembered times can be behind another instance's renewal: end the session only
        // on what the database says.
        let Some(stored) = store.session(&token_hash).await.map_err(&failed)? else {
            return Ok(none);
        };
        if stored.last_seen_at != session.last_seen_at {
            person = store.person(stored.person_id).await.map_err(&failed)?;
        }
        session = stored;
        state = rules.state(session.created_at, session.last_seen_at, now, renew);
    }
    match state {
        SessionState::Expired => {
            store.delete_session(&token_hash).await.map_err(&failed)?;
            Ok(SessionLookup {
                person: None,
                expired: true,
                ends_at: None,
            })
        }
        SessionState::Live { touch } => {
            let last_seen = if touch {
                store
                    .touch_session(&token_hash, now)
                    .await
                    .map_err(&failed)?;
                now
            } else {
                session.last_seen_at
            };
            Ok(SessionLookup {
                person,
                expired: false,
                ends_at: Some(rules.ends_at(session.created_at, last_seen)),
            })
        }
    }
}

pub fn current_session_hash() -> Option<String> {
    session_token().map(|t| password::token_hash(&t))
}

fn cookie_is_secure() -> bool {
    let forced = use_context::<SiteSettings>().is_some_and(|s| s.force_secure_cookies);
    let over_https = request_parts().is_some_and(|p| {
        p.uri.scheme_str() == Some("https")
            || p.headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                == Some("https")
    });
    forced || over_https
}

fn set_cookie(value: String) {
    if let (Some(response), Ok(value)) = (
        use_context::<ResponseOptions>(),
        HeaderValue::from_str(&value),
    ) {
        response.append_header(header::SET_COOKIE, value);
    }
}

/// A browser-session cookie (gone when the browser closes, on a shared PC), `__Host-`
/// and `Secure` over HTTPS.
pub fn set_session_cookie(token: &str) {
    set_cookie(session_cookie(token, cookie_is_secure(), false));
}

pub fn clear_session_cookie() {
    set_cookie(session_cookie("", cookie_is_secure(), true));
}

fn session_cookie(token: &str, secure: bool, clear: bool) -> String {
    let (name, secure) = if secure {
        (SECURE_SESSION_COOKIE, "; Secure")
    } else {
        (SESSION_COOKIE, "")
    };
    let max_age = if clear { "; Max-Age=0" } else { "" };
    format!("{name}={token}; Path=/; HttpOnly; SameSite=Lax{max_age}{secure}")
}

/// What a case's audit moving to its new key worker tells: both key workers, and a
/// live event for the audit's people and the programme.
pub fn handover_notices(
    programme: &[i64],
    handovers: &[crate::store::Handover],
) -> crate::store::Notices {
    use crate::store::NewAlert;
    let mut notices = crate::store::Notices::new();
    for h in handovers {
        let link = format!("/audits/{}", h.audit_id);
        notices.alert(NewAlert {
            person_id: h.to,
            kind: crate::domain::alert::AlertKind::AuditHandedOver,
            case_id: Some(h.case_id),
            link: link.clone(),
            body: format!(
                "Case {} is now allocated to you, and so are the open steps of its audit.",
                h.child_unique_id
            ),
        });
        notices.alert(NewAlert {
            person_id: h.from,
            kind: crate::domain::alert::AlertKind::AuditHandedOver,
            case_id: Some(h.case_id),
            link: "/tray".into(),
            body: format!(
                "Case {} is allocated to another key worker; its open audit has moved to them.",
                h.child_unique_id
            ),
        });
        let mut people = programme.to_vec();
        people.extend([h.auditor_id, h.from, h.to]);
        people.sort_unstable();
        people.dedup();
        notices.event(
            people,
            "audit",
            serde_json::json!({ "audit_id": h.audit_id, "handed_over": true }).to_string(),
        );
    }
    notices
}
