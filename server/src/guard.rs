//! What every request passes through before the app sees it: state-changing requests must
//! come from the app's own pages, and every response carries the headers that keep pages
//! with children's data out of frames, caches and other sites' referrers.

use app::codec::answer_format;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The origins the app is served from: the public URL's, and whatever host the request
/// itself was addressed to (so a server reached by its address on a private network, or
/// behind a proxy that keeps `Host`, still accepts its own pages).
#[derive(Debug, Clone)]
pub struct Origins {
    /// `scheme://host[:port]` of `PUBLIC_URL`, lower-cased.
    public: String,
    /// Mark responses `Strict-Transport-Security` even when no proxy says HTTPS.
    pub force_https: bool,
}

impl Origins {
    pub fn new(public_url: &str, force_https: bool) -> Origins {
        Origins {
            public: origin_of(public_url).unwrap_or_default(),
            force_https,
        }
    }
}

/// `scheme://host[:port]` of a URL, lower-cased, or `None` if it has no host.
fn origin_of(url: &str) -> Option<String> {
    let url = url.trim().to_ascii_lowercase();
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    if host.is_empty() || !matches!(scheme, "http" | "https") {
        return None;
    }
    Some(format!("{scheme}://{host}"))
}

/// Whether a state-changing request came from the app's own pages: its `Origin` (or, when a
/// browser sends none, its `Referer`) is the public URL's origin or the request's own host.
/// A request with neither is refused: every browser sends `Origin` on a POST.
pub fn same_origin(headers: &HeaderMap, origins: &Origins) -> bool {
    let header = |name| {
        headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    };
    let Some(from) = header(header::ORIGIN)
        .filter(|o| *o != "null")
        .or_else(|| header(header::REFERER))
        .and_then(origin_of)
    else {
        return false;
    };
    if !origins.public.is_empty() && from == origins.public {
        return true;
    }
    let host = header(header::HOST).map(str::to_ascii_lowercase);
    let from_host = from.split_once("://").map(|(_, h)| h);
    host.is_some() && from_host == host.as_deref()
}

fn safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// The most a form may send to a server function (uploads, multipart, have their own
/// limit), and the longest single answer: the longest field the app keeps is a report
/// section of 20,000 characters. Every field's own limit is checked by its function; this
/// keeps an unexpected or unchecked field from carrying megabytes.
pub const MAX_FORM_BYTES: usize = 1024 * 1024;
pub const MAX_FIELD_CHARS: usize = 20_000;
pub const MAX_FIELDS: usize = 2_000;

/// Refuses an oversized form (413) or an over-long answer (422) before any server function
/// reads it.
async fn limited_form(request: Request) -> Result<Request, Response> {
    let form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form || !request.uri().path().starts_with("/api/") {
        return Ok(request);
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
        return Err((StatusCode::PAYLOAD_TOO_LARGE, "The form is too large.").into_response());
    };
    let mut fields = 0;
    for (_, value) in form_urlencoded::parse(&bytes) {
        fields += 1;
        if fields > MAX_FIELDS || value.chars().count() > MAX_FIELD_CHARS {
            return Err((
                StatusCode::UNPROCESSABLE_ENTITY,
                axum::Json(app::AppError::Invalid(vec![app::FieldError::new(
                    "",
                    format!("An answer is longer than {MAX_FIELD_CHARS} characters. Shorten it and try again."),
                )])),
            )
                .into_response());
        }
    }
    Ok(Request::from_parts(parts, axum::body::Body::from(bytes)))
}

/// A form missing a field a server function needs is the form's problem (422), not the
/// server's: Leptos answers it 500 before the function runs.
async fn incomplete_form(response: Response) -> Response {
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    if let Ok(app::AppError::Invalid(_)) = serde_json::from_slice::<app::AppError>(&bytes) {
        parts.status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// What every request must pass before the app sees it, in one layer: a state-changing
/// request from another site (cross-site request forgery, login forgery included) is
/// refused before any work is done; a form's size and answers are limited; a server
/// function's missing field is answered as the form's problem.
pub async fn check_request(
    State(origins): State<Origins>,
    request: Request,
    next: Next,
) -> Response {
    if !safe(request.method()) && !same_origin(request.headers(), &origins) {
        tracing::warn!(
            method = %request.method(),
            path = request.uri().path(),
            "cross-site request refused"
        );
        return (
            StatusCode::FORBIDDEN,
            [(header::CACHE_CONTROL, "no-store")],
            "This request did not come from Practice Audit's own pages, so it was refused. Open the app and try again.",
        )
            .into_response();
    }
    let api = request.uri().path().starts_with("/api/");
    let request = match limited_form(request).await {
        Ok(request) => request,
        Err(refused) => return refused,
    };
    if api {
        // The app's own calls ask for postcard; anyone else is answered in JSON.
        let postcard = answer_format::asks_postcard(request.headers());
        incomplete_form(answer_format::scope(postcard, next.run(request)).await).await
    } else {
        next.run(request).await
    }
}

/// Headers on every response. Pages, server functions and downloads carry personal data,
/// so nothing but the built, hashed static files may be cached.
/// A page's content security policy: its scripts are the app's own files and the inline
/// scripts Leptos writes with this response's nonce (hydration, resolved data); the
/// WebAssembly may be compiled; no inline script or style, no plug-ins, no framing, and
/// forms and requests go only to the app.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Every request's first step and its response's last, in one layer: the request's ID
/// (`assign_request_id`); then `304 Not Modified` for a revalidated answer that has not
/// changed, and the headers every response carries, the ID among them.
pub async fn finish_response(
    State(origins): State<Origins>,
    mut request: Request,
    next: Next,
) -> Response {
    let request_id = crate::assign_request_id(&mut request);
    let https = origins.force_https
        || request
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    let static_file =
        request.uri().path().starts_with("/pkg/") || request.uri().path() == "/favicon.ico";
    let static_cache = static_file.then(|| static_cache_control(request.uri().path()));
    let asked = (request.method() == Method::GET)
        .then(|| request.headers().get(header::IF_NONE_MATCH).cloned())
        .flatten();
    let mut response = not_modified(asked, next.run(request).await);
    let found = response.status().is_success();
    let headers = response.headers_mut();
    let set = |headers: &mut HeaderMap, name: header::HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    if static_cache == Some(IMMUTABLE) && found {
        // A built file under its hash: never framed, never a document, never asked for again.
        // The headers meant for pages, and those for checking a copy, would be most of what a
        // small chunk of the browser's code sends (a page loads fifty of them).
        for name in [header::LAST_MODIFIED, header::ACCEPT_RANGES] {
            headers.remove(name);
        }
        set(headers, header::CACHE_CONTROL, IMMUTABLE);
        return response;
    }
    if let Some(id) = request_id {
        headers.insert(crate::REQUEST_ID, id);
    }
    // Never a URL (with its IDs) to another site. Not `no-referrer`: under it browsers send
    // `Origin: null` on the app's own form posts, and the cross-site check could not tell
    // them from another site's.
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    // Pages set their own policy with this response's nonce (see [`page_policy`]);
    // everything else (server functions, downloads, files) runs no script at all.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(
            headers,
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        );
    }
    if https {
        set(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
    // An answer that names no child may say the browser can keep it, revalidating each
    // time (`revalidate_with`); everything else, never.
    let revalidated = headers.contains_key(header::ETAG)
        && headers
            .get(header::CACHE_CONTROL)
            .map(HeaderValue::as_bytes)
            == Some(app::server::REVALIDATE.as_bytes());
    match static_cache {
        None if revalidated => {}
        None => set(headers, header::CACHE_CONTROL, "no-store"),
        Some(policy) if found => set(headers, header::CACHE_CONTROL, policy),
        Some(_) => {}
    }
    response
}

/// `304 Not Modified`, with no body, for a `GET` whose `If-None-Match` (`asked`) names the
/// entity tag of the answer it would get: the browser reuses the copy it kept.
fn not_modified(asked: Option<HeaderValue>, response: Response) -> Response {
    let (Some(asked), Some(etag)) = (asked, response.headers().get(header::ETAG)) else {
        return response;
    };
    if response.status() != StatusCode::OK
        || !etag_matches(
            asked.to_str().unwrap_or_default(),
            etag.to_str().unwrap_or_default(),
        )
    {
        return response;
    }
    let mut unchanged = StatusCode::NOT_MODIFIED.into_response();
    for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
        if let Some(value) = response.headers().get(&name) {
            unchanged.headers_mut().insert(name, value.clone());
        }
    }
    unchanged
}

/// `If-None-Match`'s weak comparison: any listed tag equal to `etag` once `W/` is dropped,
/// or `*`.
pub fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_string();
    let etag = opaque(etag);
    !etag.is_empty()
        && if_none_match
            .split(',')
            .any(|tag| tag.trim() == "*" || opaque(tag) == etag)
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A file whose name carries its content's hash (`practice-audit.<hash>.wasm`, written by
/// `cargo leptos` with `hash-files`) never changes under that name: browsers keep it a
/// year without asking. Any other file is checked with the server on each use.
pub fn static_cache_control(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or_default();
    let mut parts = name.split('.');
    let hashed = parts.next().is_some_and(|stem| !stem.is_empty())
        && parts.next().is_some_and(|hash| {
            hash.len() >= 16
                && hash
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        && parts.next().is_some();
    if hashed {
        IMMUTABLE
    } else {
        "no-cache"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn entity_tags_compare_weakly() {
        let tag = "W/\"0a1b\"";
        assert!(etag_matches(tag, tag));
        assert!(etag_matches("\"0a1b\"", tag));
        assert!(etag_matches("\"ffff\", W/\"0a1b\"", tag));
        assert!(etag_matches("*", tag));
        assert!(!etag_matches("W/\"0a1c\"", tag));
        assert!(!etag_matches("", tag));
        assert!(!etag_matches("W/\"0a1b\"", ""));
        // Tags are opaque: no part matches.
        assert!(!etag_matches("W/\"0a1\"", tag));
    }

    #[test]
    fn only_hashed_file_names_are_cached_for_good() {
        let forever = "public, max-age=31536000, immutable";
        assert_eq!(
            static_cache_control("/pkg/practice-audit.sAUW6HQsQHWfJmbRjEaNNw.wasm"),
            forever
        );
        assert_eq!(
            static_cache_control("/pkg/practice-audit.sAUW6HQsQHWfJmbRjEaNNw.wasm.br"),
            forever
        );
        assert_eq!(static_cache_control("/pkg/practice-audit.wasm"), "no-cache");
        assert_eq!(static_cache_control("/pkg/practice-audit.css"), "no-cache");
        assert_eq!(static_cache_control("/pkg/a.b.c"), "no-cache");
        assert_eq!(
            static_cache_control("/pkg/.sAUW6HQsQHWfJmbRjEaNNw.js"),
            "no-cache"
        );
        assert_eq!(
            static_cache_control("/pkg/practice-audit.sAUW6HQsQHWfJmbRjEaNNw"),
            "no-cache"
        );
        assert_eq!(static_cache_control("/favicon.ico"), "no-cache");
    }

    #[test]
    fn own_pages_pass_and_other_sites_do_not() {
        let origins = Origins::new("https://audit.anytown.gov.uk/", false);
        let ok = |pairs: &[(header::HeaderName, &str)]| same_origin(&headers(pairs), &origins);
        assert!(ok(&[(header::ORIGIN, "https://audit.anytown.gov.uk")]));
        assert!(ok(&[(header::ORIGIN, "HTTPS://Audit.Anytown.gov.uk")]));
        assert!(ok(&[(
            header::REFERER,
            "https://audit.anytown.gov.uk/audits/4?x=1"
        )]));
        assert!(ok(&[
            (header::ORIGIN, "http://10.0.0.5:3000"),
            (header::HOST, "10.0.0.5:3000")
        ]));
        assert!(!ok(&[(header::ORIGIN, "https://evil.example")]));
        assert!(!ok(&[(
            header::ORIGIN,
            "https://audit.anytown.gov.uk.evil.example"
        )]));
        assert!(
            !ok(&[(header::ORIGIN, "http://audit.anytown.gov.uk")]),
            "another scheme"
        );
        assert!(
            !ok(&[(header::ORIGIN, "https://audit.anytown.gov.uk:8443")]),
            "another port"
        );
        assert!(!ok(&[
            (header::ORIGIN, "https://evil.example"),
            (header::HOST, "audit.anytown.gov.uk")
        ]));
        assert!(!ok(&[(header::ORIGIN, "null")]));
        assert!(!ok(&[]), "neither Origin nor Referer");
        assert!(!ok(&[(header::REFERER, "not a url")]));
    }

    #[tokio::test]
    async fn a_hashed_built_file_carries_only_the_headers_a_file_needs() {
        use tower::ServiceExt;
        let served = || async {
            (
                [
                    (header::LAST_MODIFIED, "Sun, 06 Dec 2026 02:12:06 GMT"),
                    (header::ACCEPT_RANGES, "bytes"),
                ],
                "file",
            )
        };
        let app = axum::Router::new()
            .route(
                "/pkg/chunk_54.o9MnUOdKwd_zcXxyswZtDA.wasm",
                axum::routing::get(served),
            )
            .route("/sign-in", axum::routing::get(served))
            .layer(axum::middleware::from_fn_with_state(
                Origins::new("https://audit.example", false),
                finish_response,
            ));
        let get = |path: &'static str| {
            app.clone()
                .oneshot(Request::get(path).body(axum::body::Body::empty()).unwrap())
        };
        let file = get("/pkg/chunk_54.o9MnUOdKwd_zcXxyswZtDA.wasm")
            .await
            .unwrap();
        let names: Vec<_> = file
            .headers()
            .keys()
            .map(|k| k.as_str().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "content-type",
                "x-content-type-options",
                "cache-control",
                "content-length"
            ],
            "only what a file needs"
        );
        assert_eq!(file.headers()[header::CACHE_CONTROL], IMMUTABLE);

        let page = get("/sign-in").await.unwrap();
        for name in [
            "x-request-id",
            "x-frame-options",
            "referrer-policy",
            "content-security-policy",
        ] {
            assert!(page.headers().contains_key(name), "a page keeps {name}");
        }
        assert_eq!(page.headers()[header::CACHE_CONTROL], "no-store");
        // The caller's own ID, when well formed, is the one it gets back.
        let asked = app
            .clone()
            .oneshot(
                Request::get("/sign-in")
                    .header("x-request-id", "proxy-7f3a")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(asked.headers()["x-request-id"], "proxy-7f3a");
    }
}
