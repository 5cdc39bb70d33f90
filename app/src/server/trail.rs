//! The access log's writer. Every server function runs inside [`super::respond`], which
//! opens a trail for the call; the call notes who it is (on signing in) and which records it
//! read or changed ([`touch`]); when it ends, one row per record is appended with the
//! function's name, how it ended and the request's ID. IDs only, never names or content.

use crate::domain::trail::{Outcome, Record};
use crate::store::{Store, TrailEntry};
use crate::AppError;
use std::sync::{Arc, Mutex};

/// A request's ID: the client's `x-request-id` if it sent a short one (a proxy's, say),
/// else one the server made. Set on the request by the server's middleware.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

#[derive(Debug, Default)]
struct Notes {
    person_id: Option<i64>,
    records: Vec<Record>,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Trail(Arc<Mutex<Notes>>);

tokio::task_local! {
    static TRAIL: Trail;
}

/// Calls that say nothing about any record and run on every page, or show only figures
/// (counts by team and auditor, never a child): not logged.
const QUIET: &[&str] = &[
    "current_user",
    "dashboard_figures",
    "check_link",
    "team_choices",
    "audit_template",
];

/// Notes that the call being served read, changed or was refused this record.
pub fn touch(record: Record) {
    let _ = TRAIL.try_with(|t| {
        if let Ok(mut notes) = t.0.lock() {
            if !notes.records.contains(&record) {
                notes.records.push(record);
            }
        }
    });
}

/// [`touch`] for each of many records (a list the call showed).
pub fn touch_all(records: impl IntoIterator<Item = Record>) {
    for record in records {
        touch(record);
    }
}

/// Notes who is making the call, once they are known.
pub(super) fn signed_in_as(person_id: i64) {
    let _ = TRAIL.try_with(|t| {
        if let Ok(mut notes) = t.0.lock() {
            notes.person_id = Some(person_id);
        }
    });
}

/// Runs a call's body inside its own trail, then appends the trail to the log.
pub(super) async fn logged<T>(
    endpoint: &'static str,
    body: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    let trail = Trail::default();
    let mut result = TRAIL.scope(trail.clone(), body).await;
    // A refusal about a record answers as if the record did not exist, so IDs cannot be
    // tried to learn which exist (the log still says it was refused).
    if matches!(result, Err(AppError::Forbidden))
        && trail.0.lock().is_ok_and(|n| !n.records.is_empty())
    {
        result = Err(AppError::NotFound);
    }
    let outcome = match &result {
        Ok(_) => Outcome::Done,
        Err(AppError::Forbidden | AppError::NotFound) => Outcome::Refused,
        // Nobody is signed in, so nothing was read; sign-in keeps its own log.
        Err(AppError::SignInRequired) => return result,
        Err(_) => Outcome::Failed,
    };
    if outcome == Outcome::Done && QUIET.contains(&endpoint) {
        return result;
    }
    let notes = std::mem::take(&mut *trail.0.lock().unwrap_or_else(|e| e.into_inner()));
    let store = leptos::prelude::use_context::<Store>()
        .or_else(|| leptos::prelude::use_context::<super::AppState>().map(|s| s.store));
    if let Some(store) = store {
        let request = request_id();
        let entry = TrailEntry {
            person_id: notes.person_id,
            action: endpoint,
            outcome,
            records: &notes.records,
            request_id: request.as_deref(),
            at: crate::server::clock::now(),
        };
        if let Err(error) = store.append_trail(&entry).await {
            // The call's answer stands; the failure is loud in the server's log.
            tracing::error!(%error, endpoint, "could not append to the access log");
        }
    }
    result
}

/// The request's ID, when it came over HTTP.
pub fn request_id() -> Option<String> {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|p| p.extensions.get::<RequestId>().map(|r| r.0.clone()))
}

/// The request's ID from its headers, for plain handlers (the server's middleware sets it).
pub fn request_id_from(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Logs an event outside any server function's own row (sign-in, a download), with the
/// request's ID when there is one.
pub async fn log_event(
    store: &Store,
    person_id: Option<i64>,
    action: &str,
    outcome: Outcome,
    records: &[Record],
    request_id: Option<&str>,
) -> Result<(), AppError> {
    store
        .append_trail(&TrailEntry {
            person_id,
            action,
            outcome,
            records,
            request_id,
            at: crate::server::clock::now(),
        })
        .await
        .map_err(super::failed("append to the access log"))
}
