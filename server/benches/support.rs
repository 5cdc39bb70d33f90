//! What the benchmarks share: a server on a temp SQLite database with the demo council, and
//! server-function calls as the browser makes them.

use app::server::SiteSettings;
use app::store::Store;
use axum::body::Body;
use axum::http::{header, Request};
use leptos::prelude::LeptosOptions;
use std::path::PathBuf;
use tower::ServiceExt;

pub struct Bench {
    pub store: Store,
    pub router: axum::Router,
    pub dir: PathBuf,
}

impl Bench {
    pub async fn new(name: &str) -> Bench {
        let dir =
            std::env::temp_dir().join(format!("practice-audit-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::connect(&format!("sqlite://{}", dir.join("bench.db").display()))
            .await
            .unwrap();
        server::seed_demo_if_empty(&store).await.unwrap();
        let leptos = LeptosOptions::builder()
            .output_name("practice-audit")
            .build();
        let router = server::router(store.clone(), leptos, SiteSettings::default());
        Bench { store, router, dir }
    }

    /// Calls a server function; returns the status, body and the session cookie if set.
    pub async fn post(
        &self,
        name: &str,
        body: String,
        cookie: Option<&str>,
    ) -> (u16, String, Option<String>) {
        // The app refuses state-changing requests from any origin but its own.
        let mut request = Request::post(format!("/api/{name}"))
            .header(header::ORIGIN, "http://127.0.0.1:3000")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            request = request.header(header::COOKIE, c);
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = response.status().as_u16();
        let cookie = response
            .headers()
            .get(header::SET_COOKIE)
            .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned(), cookie)
    }

    /// A download (GET), as a link in a page makes it: the status and the body's size.
    pub async fn get(&self, path: &str, cookie: &str) -> (u16, usize) {
        let request = Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 64 << 20)
            .await
            .unwrap();
        (status, bytes.len())
    }

    pub async fn sign_in(&self, email: &str) -> String {
        let (status, body, cookie) = self
            .post(
                "sign_in",
                format!(
                    "email={}&password={}",
                    email.replace('@', "%40"),
                    app::demo::DEMO_PASSWORD
                ),
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        cookie.expect("session cookie")
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Median, 99th percentile and maximum of timings in milliseconds.
pub fn spread(mut times: Vec<f64>) -> (f64, f64, f64) {
    times.sort_by(f64::total_cmp);
    let n = times.len();
    (times[n / 2], times[n * 99 / 100], times[n - 1])
}
