//! A real server (router) over a real database, loaded with the demo council: SQLite in a
//! temp dir, or a new PostgreSQL database when `TEST_POSTGRES_URL` names a server
//! (`scripts/test` runs the suite both ways, on a private PostgreSQL cluster of its own).

#![allow(dead_code)]

pub mod journey;
pub mod moderation;
pub mod xlsx;

use app::server::SiteSettings;
use app::server::{Email, Mailer};
use app::store::Store;
use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use axum::Router;
use leptos::prelude::LeptosOptions;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower::ServiceExt;

pub const DEMO_PASSWORD: &str = app::demo::DEMO_PASSWORD;

pub struct TestApp {
    pub store: Store,
    pub router: Router,
    /// Emails the app sent, in order.
    pub outbox: Arc<Mutex<Vec<Email>>>,
    /// The settings the router was built with (its event bus among them).
    pub site: SiteSettings,
    /// The outbox's sender, as the server runs it (stopped to model a crash).
    pub sender: Option<tokio::task::JoinHandle<()>>,
    pub dir: PathBuf,
    /// The database's URL, for a second store on it (a second instance, a restart).
    pub url: String,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(sender) = self.sender.take() {
            sender.abort();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The origin the test server's pages are served from (`SiteSettings::default().public_url`):
/// state-changing requests must come from it.
pub const OWN_ORIGIN: &str = "http://127.0.0.1:3000";

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent, for downloads that are not text.
    pub bytes: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn set_cookie(&self) -> Option<String> {
        self.headers
            .get(header::SET_COOKIE)
            .map(|v| v.to_str().unwrap().to_string())
    }

    pub fn location(&self) -> Option<String> {
        self.headers
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_settings(SiteSettings::default()).await
    }

    pub async fn with_settings(site: SiteSettings) -> TestApp {
        Self::build(site, true).await
    }

    /// An empty database, as a council going live starts with.
    pub async fn empty() -> TestApp {
        Self::build_with(SiteSettings::default(), true, false).await
    }

    /// Without the outbox's sender: emails stay in the outbox, as when the server dies
    /// after a change commits and before its emails go.
    pub async fn without_sender() -> TestApp {
        Self::build(SiteSettings::default(), false).await
    }

    async fn build(site: SiteSettings, sender: bool) -> TestApp {
        Self::build_with(site, sender, true).await
    }

    async fn build_with(mut site: SiteSettings, sender: bool, demo: bool) -> TestApp {
        // The server's log, shown for a failing test (RUST_LOG picks what; errors by default).
        let _ = tracing_subscriber::fmt()
            .with_test_writer()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
            )
            .try_init();
        let (mailer, outbox) = Mailer::memory();
        site.mailer = mailer;
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "practice-audit-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let url = new_database(&dir).await;
        let store = Store::connect(&url)
            .await
            .expect("database opens and migrates");
        if demo {
            assert!(server::seed_demo_if_empty(&store).await.unwrap());
        }
        let leptos = LeptosOptions::builder()
            .output_name("practice-audit")
            .build();
        let router = server::router(store.clone(), leptos, site.clone());
        let sender = sender.then(|| server::spawn_outbox_sender(store.clone(), &site));
        TestApp {
            store,
            router,
            outbox,
            site,
            sender,
            dir,
            url,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        // A hung request fails the test instead of holding CI.
        let response = tokio::time::timeout(
            Duration::from_secs(60),
            self.router.clone().oneshot(request),
        )
        .await
        .expect("the request answered within 60 s")
        .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = tokio::time::timeout(
            Duration::from_secs(60),
            axum::body::to_bytes(response.into_body(), 10 * 1024 * 1024),
        )
        .await
        .expect("the body arrived within 60 s")
        .unwrap();
        Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    /// Calls a server function as the hydrated app does (form-encoded POST, JSON back).
    pub async fn call(&self, name: &str, form: &[(&str, &str)], session: Option<&str>) -> Reply {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let path = format!("/api/{name}");
        // A function that only reads may be a `GET` (its answer revalidated by tag).
        let get = leptos::server_fn::axum::server_fn_paths()
            .any(|(p, method)| p == path && method == axum::http::Method::GET);
        let request = if get {
            Request::get(format!("{path}?{body}"))
        } else {
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        };
        let mut request = request
            .header(header::ACCEPT, "application/json")
            .header(header::ORIGIN, OWN_ORIGIN);
        if let Some(token) = session {
            request = request.header(header::COOKIE, format!("pa_session={token}"));
        }
        let body = if get { Body::empty() } else { Body::from(body) };
        self.send(request.body(body).unwrap()).await
    }

    /// A browser page load.
    pub async fn page(&self, path: &str, session: Option<&str>) -> Reply {
        let mut request = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(token) = session {
            request = request.header(header::COOKIE, format!("pa_session={token}"));
        }
        self.send(request.body(Body::empty()).unwrap()).await
    }

    /// Signs in and returns the session token from the cookie.
    pub async fn sign_in(&self, email: &str) -> String {
        let reply = self
            .call(
                "sign_in",
                &[("email", email), ("password", DEMO_PASSWORD)],
                None,
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "sign-in as {email}: {}",
            reply.body
        );
        session_token(&reply.set_cookie().expect("a session cookie"))
    }

    pub async fn person_id(&self, email: &str) -> i64 {
        self.store
            .person_id_by_email(email)
            .await
            .unwrap()
            .expect("demo person exists")
    }
}

pub fn session_token(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .and_then(|kv| kv.strip_prefix("pa_session="))
        .expect("pa_session cookie")
        .to_string()
}

pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl TestApp {
    /// The person's tray as they see it.
    pub async fn tray(&self, token: &str) -> Vec<serde_json::Value> {
        let reply = self.call("my_tray", &[], Some(token)).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        reply.json()["alerts"].as_array().unwrap().clone()
    }

    /// Waits briefly for emails sent in the background.
    pub async fn emails_to(&self, address: &str) -> Vec<Email> {
        for _ in 0..50 {
            let found: Vec<Email> = self
                .outbox
                .lock()
                .unwrap()
                .iter()
                .filter(|e| e.to == address)
                .cloned()
                .collect();
            if !found.is_empty() {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        Vec::new()
    }
}

impl TestApp {
    /// Posts a multipart form with one file, as the upload form does. `html` sends the
    /// browser's Accept header (a plain form post before the WebAssembly loads).
    pub async fn upload(
        &self,
        name: &str,
        fields: &[(&str, &str)],
        file: (&str, &[u8]),
        session: Option<&str>,
        html: bool,
    ) -> Reply {
        let boundary = "----practiceaudittestboundary7MA4YWxkTrZu0gW";
        let mut body: Vec<u8> = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: application/octet-stream\r\n\r\n",
                file.0
            )
            .as_bytes(),
        );
        body.extend_from_slice(file.1);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut request = Request::post(format!("/api/{name}"))
            .header(header::ORIGIN, OWN_ORIGIN)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header(
                header::ACCEPT,
                if html {
                    "text/html"
                } else {
                    "application/json"
                },
            )
            .header(header::REFERER, "http://localhost/imports");
        if let Some(token) = session {
            request = request.header(header::COOKIE, format!("pa_session={token}"));
        }
        self.send(request.body(Body::from(body)).unwrap()).await
    }
}

/// A refusal: 403 for a function the caller's role may not use, 404 for a record they may
/// not see (answered as if it did not exist).
pub fn refused(status: StatusCode) -> bool {
    status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND
}

#[allow(unused_macros)]
macro_rules! assert_refused {
    ($status:expr $(,)?) => {{
        let status = $status;
        assert!($crate::common::refused(status), "expected a refusal, got {status}");
    }};
    ($status:expr, $($arg:tt)+) => {{
        let status = $status;
        assert!($crate::common::refused(status), $($arg)+);
    }};
}

/// A new, empty database for one test: a file in `dir`, or a database of its own on the
/// PostgreSQL server `TEST_POSTGRES_URL` names (its path is replaced by the new name).
pub async fn new_database(dir: &std::path::Path) -> String {
    use sqlx::{Connection, Executor};
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    match std::env::var("TEST_POSTGRES_URL") {
        Ok(admin) if !admin.is_empty() => {
            let name = format!("pa_test_{}_{n}", std::process::id());
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .expect("the test PostgreSQL server answers");
            conn.execute(format!("CREATE DATABASE {name}").as_str())
                .await
                .unwrap();
            conn.close().await.unwrap();
            let (base, query) = admin.split_once('?').unwrap_or((&admin, ""));
            let (server, _) = base.rsplit_once('/').expect("a URL with a database name");
            if query.is_empty() {
                format!("{server}/{name}")
            } else {
                format!("{server}/{name}?{query}")
            }
        }
        _ => format!("sqlite://{}", dir.join(format!("test-{n}.db")).display()),
    }
}
