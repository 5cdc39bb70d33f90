//! The axum server: configuration, start-up and the router.

pub mod demo_past;
pub mod guard;
pub mod smtp;

use app::server::{AppState, SiteSettings};
use app::store::{Store, StoreError};
use app::{shell, App};
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list_with_exclusions, LeptosRoutes};
use std::path::PathBuf;

/// Settings from the environment. See the README's "Configuration" section.
#[derive(Debug, Clone)]
pub struct Config {
    /// `APP_ENV=production`: real cases. The demo is refused, and so is a database holding it.
    pub production: bool,
    pub database_url: String,
    pub leptos: LeptosOptions,
    pub site: SiteSettings,
}

impl Config {
    /// `LEPTOS_SITE_ADDR` (default 127.0.0.1:3000), `DATABASE_URL` (default a SQLite file
    /// under `DATA_DIR`, itself default `./data`), `SECURE_COOKIES=1` behind HTTPS.
    pub fn from_env() -> Result<Config, String> {
        let mut leptos = get_configuration(None)
            .map_err(|e| e.to_string())?
            .leptos_options;
        if leptos.output_name.is_empty() {
            // Built by plain `cargo` rather than cargo-leptos.
            leptos.output_name = "practice-audit".into();
        }
        let database_url = match std::env::var("DATABASE_URL") {
            Ok(url) if !url.is_empty() => url,
            _ => {
                let dir =
                    PathBuf::from(std::env::var("DATA_DIR").unwrap_or_else(|_| "data".into()));
                // The database's directory is the server's user's alone (see Store::connect).
                let mut builder = std::fs::DirBuilder::new();
                builder.recursive(true);
                #[cfg(unix)]
                std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
                builder
                    .create(&dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                format!("sqlite://{}", dir.join("practice-audit.db").display())
            }
        };
        let force_secure_cookies =
            matches!(std::env::var("SECURE_COOKIES").as_deref(), Ok("1" | "true"));
        let public_url = std::env::var("PUBLIC_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| format!("http://{}", leptos.site_addr));
        let archive_after_days = match std::env::var("ALERT_ARCHIVE_DAYS") {
            Ok(v) if !v.is_empty() => v
                .parse::<i64>()
                .ok()
                .filter(|d| *d > 0)
                .ok_or("ALERT_ARCHIVE_DAYS must be a whole number of days above 0")?,
            _ => app::domain::alert::ARCHIVE_AFTER_DAYS,
        };
        let moderation_weeks = {
            let default = app::domain::moderation_sample::WindowWeeks::default();
            let weeks = |name: &str, default: u32| {
                std::env::var(name)
                    .ok()
                    .filter(|v| !v.trim().is_empty())
                    .unwrap_or_else(|| default.to_string())
            };
            app::domain::moderation_sample::WindowWeeks::parse(
                &weeks("MODERATION_OPENS_WEEKS", default.opens_after),
                &weeks("MODERATION_DUE_WEEKS", default.due_after),
            )?
        };
        let links = {
            let default = app::domain::people::LinkLifetimes::default();
            let hours = |name: &str, default: chrono::Duration| {
                std::env::var(name)
                    .ok()
                    .filter(|v| !v.trim().is_empty())
                    .unwrap_or_else(|| default.num_hours().to_string())
            };
            app::domain::people::LinkLifetimes::parse(
                &hours("INVITATION_HOURS", default.invitation),
                &hours("RESET_HOURS", default.reset),
            )?
        };
        let production = match std::env::var("APP_ENV").as_deref().map(str::trim) {
            Ok("production") => true,
            Ok("" | "development") | Err(_) => false,
            Ok(other) => {
                return Err(format!(
                    "APP_ENV must be production or development, not {other}"
                ))
            }
        };
        let sign_in = {
            let default = app::domain::throttle::ThrottleRules::default();
            let number = |name: &str, default: i64, most: i64| -> Result<i64, String> {
                match std::env::var(name) {
                    Ok(v) if !v.trim().is_empty() => v
                        .trim()
                        .parse::<i64>()
                        .ok()
                        .filter(|n| (1..=most).contains(n))
                        .ok_or_else(|| format!("{name} must be a whole number from 1 to {most}")),
                    _ => Ok(default),
                }
            };
            let lock_after = number("SIGN_IN_LOCK_AFTER", i64::from(default.lock_after), 1_000)?;
            let minutes = number(
                "SIGN_IN_LOCK_MINUTES",
                default.lock_for.num_minutes(),
                1_440,
            )?;
            app::domain::throttle::ThrottleRules {
                lock_after: u32::try_from(lock_after).unwrap_or(default.lock_after),
                slow_after: default
                    .slow_after
                    .min(u32::try_from(lock_after).unwrap_or(1)),
                lock_for: chrono::Duration::minutes(minutes),
            }
        };
        let sessions = {
            let default = app::domain::session::SessionRules::default();
            let number = |name: &str, default: i64| -> Result<i64, String> {
                match std::env::var(name) {
                    Ok(v) if !v.trim().is_empty() => v
                        .trim()
                        .parse::<i64>()
                        .map_err(|_| format!("{name} must be a whole number")),
                    _ => Ok(default),
                }
            };
            app::domain::session::SessionRules::new(
                number("SESSION_IDLE_MINUTES", default.idle.num_minutes())?,
                number("SESSION_HOURS", default.absolute.num_hours())?,
            )
            .map_err(|e| format!("SESSION_IDLE_MINUTES or SESSION_HOURS: {e}"))?
        };
        let retention =
            app::domain::retention::RetentionRules::parse(|name| std::env::var(name).ok())?;
        let trust_forwarded_for = matches!(
            std::env::var("TRUST_FORWARDED_FOR").as_deref(),
            Ok("1" | "true")
        );
        let mailer = match smtp::SmtpSender::from_env()? {
            Some(sender) => app::server::Mailer(std::sync::Arc::new(sender)),
            None => app::server::Mailer::default(),
        };
        Ok(Config {
            production,
            database_url,
            leptos,
            site: SiteSettings {
                force_secure_cookies,
                public_url,
                mailer,
                events: Default::default(),
                outbox: Default::default(),
                archive_after_days,
                views: Default::default(),
                moderation_weeks,
                links,
                sign_in,
                sessions,
                retention,
                trust_forwarded_for,
            },
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("could not hash the demo password: {0}")]
    Hash(String),
    #[error("could not make the demo council's past: {0}")]
    Step(String),
}

/// Why the server refuses to start.
pub const DEMO_IN_PRODUCTION: &str = "APP_ENV=production refuses the demo council: its accounts share a password printed in the README. Start without --demo, on a database of your own";

/// Refuses a production start on a database that holds the demo council.
pub async fn refuse_demo_database(store: &Store) -> Result<(), String> {
    let demo = store
        .demo_people()
        .await
        .map_err(|e| format!("cannot read the database: {e}"))?;
    if demo > 0 {
        return Err(format!(
            "this database holds the demo council ({demo} demo people, whose shared password is printed in the README), so APP_ENV=production will not start on it. Point DATA_DIR or DATABASE_URL at a new database for real cases, or unset APP_ENV to go on trying the demo"
        ));
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum CreateAdminError {
    #[error("{0}")]
    Invalid(String),
    #[error("this database already has staff, so it has an Administrator: they add people on the People page (or reset a password from there)")]
    NotEmpty,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates the first Administrator on an empty database and returns their one-time
/// set-password link (an invitation).
pub async fn create_first_administrator(
    store: &Store,
    site: &SiteSettings,
    name: &str,
    email: &str,
) -> Result<app::server::links::IssuedLink, CreateAdminError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(CreateAdminError::Invalid(
            "--name must be the Administrator's full name, up to 120 characters".into(),
        ));
    }
    let email = app::domain::EmailAddress::parse(email)
        .map_err(|e| CreateAdminError::Invalid(format!("--email: {e}")))?;
    let now = chrono::Utc::now();
    let id = store
        .create_first_administrator(name, email.as_str(), now)
        .await?
        .ok_or(CreateAdminError::NotEmpty)?;
    Ok(app::server::links::issue_link(
        store,
        id,
        app::domain::people::LinkPurpose::Invitation,
        None,
        site.links,
        &site.public_url,
        now,
    )
    .await?)
}

/// Loads the demo council if the database has no staff yet. Returns whether it did.
pub async fn seed_demo_if_empty(store: &Store) -> Result<bool, DemoError> {
    if store.has_people().await? {
        return Ok(false);
    }
    let council = app::demo::DemoCouncil::build();
    // One hash for the shared demo password keeps first start well under a second.
    let hash = tokio::task::spawn_blocking(|| {
        app::auth::password::hash_password(app::demo::DEMO_PASSWORD)
    })
    .await
    .map_err(|e| DemoError::Hash(e.to_string()))?
    .map_err(|e| DemoError::Hash(e.to_string()))?;
    Ok(store.seed_demo(&council, &hash).await?)
}

/// Loads the demo council into an empty database and makes its past through `app` (the
/// router about to serve): what was made, or `None` when the database was not empty (the
/// council is there already, loaded by this or another instance).
pub async fn seed_demo_with_past(
    store: &Store,
    app: &axum::Router,
    site: &SiteSettings,
) -> Result<Option<demo_past::Past>, DemoError> {
    if !seed_demo_if_empty(store).await? {
        return Ok(None);
    }
    demo_past::make_past(store, app, site, chrono::Utc::now())
        .await
        .map(Some)
}

/// How often the retention sweep runs.
pub const RETENTION_EVERY: std::time::Duration = std::time::Duration::from_secs(24 * 60 * 60);

/// Runs the retention sweep a minute after start, then daily, for as long as the server
/// runs.
pub fn spawn_retention_sweep(store: Store, site: &SiteSettings) -> tokio::task::JoinHandle<()> {
    let site = site.clone();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        let mut every = tokio::time::interval(RETENTION_EVERY);
        loop {
            every.tick().await;
            if let Err(error) =
                app::server::sweep_retention(&store, &site, chrono::Utc::now()).await
            {
                tracing::warn!(%error, "retention sweep failed; will try again tomorrow");
            }
        }
    })
}

/// Archives old alerts now and then every hour, for as long as the server runs.
pub fn spawn_alert_archiver(store: Store, site: &SiteSettings) -> tokio::task::JoinHandle<()> {
    let (events, days) = (site.events.clone(), site.archive_after_days);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            if let Err(error) =
                app::trays::archive_old_alerts(&store, &events, chrono::Utc::now(), days).await
            {
                tracing::warn!(%error, "archiving old alerts failed; will try again");
            }
        }
    })
}

/// A request's ID (see [`RequestId`]): on the request's span, in the access log, and sent
/// back in the response.
pub use app::server::trail::RequestId;

pub(crate) const REQUEST_ID: &str = "x-request-id";

/// Gives a request its ID, in its extensions and as a header (so plain handlers, such as
/// downloads, can log it with what they serve): the caller's own if it sent a well-formed
/// one. Returns the header for the response. Called by `guard::finish_response`, so it
/// costs no layer of its own.
pub(crate) fn assign_request_id(
    request: &mut axum::extract::Request,
) -> Option<axum::http::HeaderValue> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let id = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        .map(str::to_string)
        .unwrap_or_else(|| {
            format!(
                "{:x}-{}",
                std::process::id(),
                NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            )
        });
    let value = axum::http::HeaderValue::from_str(&id).ok();
    request.extensions_mut().insert(RequestId(id));
    if let Some(value) = &value {
        request.headers_mut().insert(REQUEST_ID, value.clone());
    }
    value
}

/// The span every request runs in: method, path (IDs only; no query string, which may carry
/// search terms), request ID, and the signed-in person's ID once known.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = request
        .extensions()
        .get::<RequestId>()
        .map(|r| r.0.as_str())
        .unwrap_or("");
    tracing::info_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
        request_id = %id,
        person_id = tracing::field::Empty,
    )
}

/// Logs every download (documents, calendar files, CSVs) in the access log once it is
/// served or refused: who, which file, which record, how it ended, and the request's ID.
async fn log_download(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use app::domain::trail::{Outcome, Record};
    let path = request.uri().path().to_string();
    let headers = request.headers().clone();
    let response = next.run(request).await;
    let status = response.status();
    if status == axum::http::StatusCode::UNAUTHORIZED {
        return response; // nobody signed in: nothing was served
    }
    let store = &state.store;
    let person = app::server::person_from_headers(store, state.site.sessions, &headers)
        .await
        .ok()
        .flatten()
        .map(|p| p.actor.person_id);
    let mut segments = path.trim_start_matches('/').split('/');
    let (kind, id) = (segments.next(), segments.next());
    let file = path.rsplit('/').next().filter(|f| !f.is_empty());
    let record = id
        .and_then(|id| id.parse::<i64>().ok())
        .and_then(|id| match kind {
            Some("audits") => Some(Record::Audit(id)),
            Some("reports") => Some(Record::Report(id)),
            Some("sessions") => Some(Record::Session(id)),
            Some("make-a-difference") => Some(Record::Difference(id)),
            _ => None,
        });
    let file = file.unwrap_or("file");
    let outcome = if status.is_success() {
        Outcome::Done
    } else if matches!(status.as_u16(), 403 | 404) {
        Outcome::Refused
    } else {
        Outcome::Failed
    };
    let request_id = app::server::trail::request_id_from(&headers);
    let logged = app::server::trail::log_event(
        store,
        person,
        &format!("download:{file}"),
        outcome,
        record.as_slice(),
        request_id.as_deref(),
    )
    .await;
    if let Err(error) = logged {
        tracing::error!(?error, "could not log a download");
    }
    // A refused download answers as a missing one: IDs cannot be tried to learn which
    // records exist.
    if status == axum::http::StatusCode::FORBIDDEN {
        return axum::response::IntoResponse::into_response(axum::http::StatusCode::NOT_FOUND);
    }
    response
}

/// How often the outbox's sender looks for emails to retry, besides after each change.
pub const OUTBOX_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Delivers the outbox for as long as the server runs: at once (anything a previous run
/// committed but did not send), after each change that emails, and every [`OUTBOX_EVERY`].
pub fn spawn_outbox_sender(store: Store, site: &SiteSettings) -> tokio::task::JoinHandle<()> {
    app::server::mail::spawn_outbox_sender(
        store,
        site.mailer.clone(),
        site.public_url.clone(),
        site.outbox.clone(),
        OUTBOX_EVERY,
    )
}

/// Hears the other instances' changes for as long as the server runs (PostgreSQL; on
/// SQLite there is one instance and this ends at once): their people's open streams here
/// read their new events, and this instance's cached figures are counted again.
pub fn spawn_notice_listener(store: Store, site: &SiteSettings) -> tokio::task::JoinHandle<()> {
    let bus = site.events.clone();
    tokio::spawn(async move {
        loop {
            let heard = store
                .follow_notices(|notice| match notice {
                    app::store::SharedNotice::People(people) => bus.0.published(&people),
                    app::store::SharedNotice::Everyone => bus.0.published_to_everyone(),
                })
                .await;
            match heard {
                Ok(()) => return,
                Err(error) => {
                    tracing::warn!(%error, "cannot listen for other instances' notices; trying again in 5 s");
                    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                    bus.0.published_to_everyone();
                }
            }
        }
    })
}

/// The whole app: pages, server functions, static files and a health check. One state
/// value serves the axum handlers and every server function's context.
pub fn router(store: Store, leptos: LeptosOptions, site: SiteSettings) -> Router {
    // Generated once per process: generating sets a process-wide flag that parks any
    // resource first polled meanwhile for good (leptos issue 4773), so a second router
    // built while another serves pages (as the tests do in parallel) could hang a render.
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    // The dashboard's figures have their own route (below), which runs the server function
    // only when they must be counted.
    let figures_path = <app::dashboard::DashboardFigures as leptos::server_fn::ServerFn>::PATH;
    let routes = ROUTES
        .get_or_init(|| generate_route_list_with_exclusions(App, Some(vec![figures_path.into()])))
        .clone();
    let state = AppState {
        store: store.clone(),
        site: site.clone(),
    };
    let live = app::live::LiveContext::new(store.clone(), site.events.clone(), site.sessions);
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(state.store.clone());
            provide_context(state.site.clone());
            // A page's policy names the nonce Leptos gave this response's scripts.
            if let (Some(nonce), Some(response)) = (
                leptos::nonce::use_nonce(),
                use_context::<leptos_axum::ResponseOptions>(),
            ) {
                if let Ok(policy) = axum::http::HeaderValue::from_str(&guard::page_policy(&nonce)) {
                    response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, policy);
                }
            }
        }
    };
    let downloads = Router::new()
        .route(
            "/audits/{id}/discussion.ics",
            get(app::audits::discussion_ics).with_state(state.clone()),
        )
        .route(
            "/make-a-difference/{id}/interview.ics",
            get(app::difference::interview_ics).with_state(state.clone()),
        )
        .route(
            "/reports/{id}/report.docx",
            get(app::reports::report_docx).with_state(state.clone()),
        )
        .route(
            "/reports/{id}/figures.xlsx",
            get(app::reports::report_xlsx).with_state(state.clone()),
        )
        .route(
            "/sessions/{id}/session.ics",
            get(app::sessions::session_ics).with_state(state.clone()),
        )
        .route(
            "/audits/{id}/audit.docx",
            get(app::audits::audit_docx).with_state(state.clone()),
        )
        .route(
            "/audits/{id}/audit.pdf",
            get(app::audits::audit_pdf).with_state(state.clone()),
        )
        .route(
            "/moderation/results.csv",
            get(app::moderation::results_csv).with_state(state.clone()),
        )
        .route(
            "/access-log.csv",
            get(app::access_log::access_log_csv).with_state(state.clone()),
        )
        .route(
            "/audits/{id}/case-note.txt",
            get(app::audits::case_note_txt).with_state(state.clone()),
        )
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            log_download,
        ));
    // The built files, served straight from disk (a precompressed `.br` or `.gz` when the
    // browser takes it): not through Leptos's fallback, which runs the app's context for
    // each file and, with a page's many chunks in flight, could give a file another
    // response's status.
    let pkg = std::path::Path::new(&*leptos.site_root).join(&*leptos.site_pkg_dir);
    let files = tower_http::services::ServeDir::new(pkg)
        .precompressed_br()
        .precompressed_gzip();
    let figures = {
        // Behind one `Arc`: axum copies a handler for every request, and copying the state
        // and Leptos's options themselves was 6 % of the kept figures' time (perf, 2026-12-06).
        let shared = std::sync::Arc::new((state.clone(), leptos.clone(), context.clone()));
        move |request: axum::extract::Request| async move {
            let (state, leptos, context) = &*shared;
            let (parts, body) = request.into_parts();
            if let Some(kept) =
                app::dashboard::kept_figures(&state.store, &state.site, &parts).await
            {
                return kept;
            }
            let (leptos, context) = (leptos.clone(), context.clone());
            let context = move || {
                provide_context(leptos.clone());
                context();
            };
            let request = axum::extract::Request::from_parts(parts, body);
            axum::response::IntoResponse::into_response(
                leptos_axum::handle_server_fns_with_context(context, request).await,
            )
        }
    };
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(figures_path, get(figures))
        .nest_service(&format!("/{}", leptos.site_pkg_dir), files)
        .merge(downloads)
        .route("/events", get(app::live::stream).with_state(live))
        .leptos_routes_with_context(&leptos, routes, context.clone(), {
            let leptos = leptos.clone();
            move || shell(leptos.clone())
        })
        // Unknown paths render the app's not-found page, which needs the same context.
        .fallback(leptos_axum::file_and_error_handler_with_context(
            context, shell,
        ))
        .layer(axum::middleware::from_fn_with_state(state, find_visitor))
        .with_state(leptos);
    guarded(app, &site)
}

/// Before a page is drawn: who is signed in (`app::auth::Visitor`, in the request's
/// extensions), so the page is drawn once, knowing who. Server functions, built files, the
/// event stream and downloads find out for themselves.
async fn find_visitor(
    axum::extract::State(state): axum::extract::State<AppState>,
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = request.uri().path();
    let page = request.method() == axum::http::Method::GET
        && !["/api/", "/pkg/", "/events", "/healthz"]
            .iter()
            .any(|p| path.starts_with(p))
        && !path.rsplit('/').next().unwrap_or_default().contains('.');
    if !page {
        return next.run(request).await;
    }
    let (visitor, clear) = app::auth::visitor(&state.store, &state.site, request.headers()).await;
    request.extensions_mut().insert(visitor);
    let mut response = next.run(request).await;
    if let Some(cookie) = clear.and_then(|c| axum::http::HeaderValue::from_str(&c).ok()) {
        response
            .headers_mut()
            .append(axum::http::header::SET_COOKIE, cookie);
    }
    response
}

/// Around every route: the guards and headers of `guard`, request IDs, tracing and
/// compression. (The benchmark puts its yardstick handler behind the same.)
pub fn guarded(app: Router, site: &SiteSettings) -> Router {
    let origins = guard::Origins::new(&site.public_url, site.force_secure_cookies);
    // Two layers of our own, not one per step: each layer costs every request a boxed
    // future and a copy of the service below it.
    app.layer(axum::middleware::from_fn_with_state(
        origins.clone(),
        guard::check_request,
    ))
    .layer(
        tower_http::trace::TraceLayer::new_for_http()
            .make_span_with(request_span)
            .on_request(())
            .on_response(
                |response: &axum::http::Response<_>,
                 latency: std::time::Duration,
                 _: &tracing::Span| {
                    let (status, latency_ms) =
                        (response.status().as_u16(), latency.as_secs_f64() * 1000.0);
                    // The demo's past, made through the router at start, is not traffic.
                    if app::server::clock::replaying() {
                        tracing::debug!(status, latency_ms, "served");
                    } else {
                        tracing::info!(status, latency_ms, "served");
                    }
                },
            )
            .on_failure(()),
    )
    .layer(axum::middleware::from_fn_with_state(
        origins,
        guard::finish_response,
    ))
    .layer(compression())
}

/// Brotli (or gzip) for pages and server function answers: a page's HTML and its data shrink
/// to a fifth. Not for the event stream (each event must go out at once), nor for files that
/// are compressed already (Word, Excel and PDF documents; static files come precompressed
/// from the build and carry their own `Content-Encoding`, which this leaves alone).
fn compression(
) -> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
    tower_http::compression::CompressionLayer::new().compress_when(
        DefaultPredicate::new()
            .and(NotForContentType::const_new(
                "application/vnd.openxmlformats",
            ))
            .and(NotForContentType::const_new("application/pdf"))
            // Built files come precompressed (release); a debug build's are served as they are.
            .and(NotForContentType::const_new("application/wasm")),
    )
}
