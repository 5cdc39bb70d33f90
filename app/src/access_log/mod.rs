//! The access log, read: *Who has seen this* on a case's and an audit's page, and the
//! search with its CSV export. For the QA Manager and the Administrator only; every read of
//! the log is itself logged.

mod page;

pub use page::{AccessLogPage, WhoHasSeen};

use crate::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// One line of the log as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessLine {
    /// "5 December 2026, 14:03" in London time.
    pub at: String,
    pub person_id: Option<i64>,
    pub person: String,
    pub action: String,
    pub outcome: String,
    pub refused: bool,
    pub record: Option<String>,
    pub request_id: String,
}

/// The search's answer, one page of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessSearch {
    pub lines: Vec<AccessLine>,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    /// The search as understood, for the CSV link.
    pub from: String,
    pub to: String,
}

/// A logged action's name in plain words: `open_case` reads "Open case", a download names
/// its file.
pub fn action_label(action: &str) -> String {
    if let Some(file) = action.strip_prefix("download:") {
        return format!("Downloaded {file}");
    }
    let words = action.replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Who has read, changed or been refused this case or audit, newest first (the last 50).
#[server(endpoint = "who_has_seen", output = crate::codec::Compact)]
pub async fn who_has_seen(kind: String, id: i64) -> Result<Vec<AccessLine>, AppError> {
    use crate::domain::trail::Record;
    use crate::server::*;
    respond("who_has_seen", async move {
        let record = Record::from_parts(&kind, id)
            .filter(|r| matches!(r, Record::Case(_) | Record::Audit(_)))
            .ok_or(AppError::NotFound)?;
        trail::touch(record);
        let (store, actor) = signed_in().await?;
        ssr::may_read_log(&actor)?;
        let rows = store
            .record_trail(record, 50)
            .await
            .map_err(failed("read the access log"))?;
        Ok(rows.into_iter().map(ssr::line).collect())
    })
    .await
}

/// The access log searched by person, case or audit, and dates; 100 lines a page.
#[server(endpoint = "search_access_log", output = crate::codec::Compact)]
pub async fn search_access_log(
    person: Option<String>,
    case: Option<String>,
    audit: Option<String>,
    from: Option<String>,
    to: Option<String>,
    page: Option<u32>,
) -> Result<AccessSearch, AppError> {
    use crate::domain::trail::{Record, SEARCH_PAGE};
    use crate::server::*;
    respond("search_access_log", async move {
        let (store, actor) = signed_in().await?;
        ssr::may_read_log(&actor)?;
        let search = ssr::parse(&person, &case, &audit, &from, &to)?;
        if let Some(record) = search.record {
            trail::touch(record);
        }
        if let Some(person) = search.person_id {
            trail::touch(Record::Person(person));
        }
        let page = page.unwrap_or(1).max(1);
        let (rows, total) = store
            .search_trail(&search, SEARCH_PAGE, i64::from(page - 1) * SEARCH_PAGE)
            .await
            .map_err(failed("search the access log"))?;
        let pages = u32::try_from((total + SEARCH_PAGE - 1) / SEARCH_PAGE)
            .unwrap_or(u32::MAX)
            .max(1);
        Ok(AccessSearch {
            lines: rows.into_iter().map(ssr::line).collect(),
            total,
            page,
            pages,
            from: search.from.to_string(),
            to: search.to.to_string(),
        })
    })
    .await
}

/// `/access-log.csv?person=…&case=…&audit=…&from=…&to=…`: the search as a CSV file (at most
/// 50,000 lines). The server's download log records the export.
#[cfg(feature = "ssr")]
pub async fn access_log_csv(
    axum::extract::State(crate::server::AppState { store, site }): axum::extract::State<
        crate::server::AppState,
    >,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use crate::domain::trail::EXPORT_LIMIT;
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let status =
        |e: AppError| StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let person = match crate::server::person_from_headers(&store, site.sessions, &headers).await {
        Ok(Some(p)) => p,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(e) => return status(e).into_response(),
    };
    if let Err(e) = ssr::may_read_log(&person.actor) {
        return status(e).into_response();
    }
    let search = match ssr::parse(
        &q.get("person").cloned(),
        &q.get("case").cloned(),
        &q.get("audit").cloned(),
        &q.get("from").cloned(),
        &q.get("to").cloned(),
    ) {
        Ok(s) => s,
        Err(e) => return status(e).into_response(),
    };
    let Ok((rows, _)) = store.search_trail(&search, EXPORT_LIMIT, 0).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut csv = String::from("When (UTC),Person ID,Person,Action,Outcome,Record,Request ID\r\n");
    for row in rows {
        let line = ssr::line(row.clone());
        let fields = [
            row.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            row.person_id.map(|p| p.to_string()).unwrap_or_default(),
            line.person,
            line.action,
            line.outcome,
            line.record.unwrap_or_default(),
            line.request_id,
        ];
        let escaped: Vec<String> = fields.iter().map(|f| ssr::csv_field(f)).collect();
        csv.push_str(&escaped.join(","));
        csv.push_str("\r\n");
    }
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"access-log.csv\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        csv,
    )
        .into_response()
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::AccessLine;
    use crate::domain::trail::{Outcome, Record, TrailSearch};
    use crate::domain::{Actor, Role};
    use crate::store::TrailRow;
    use crate::{AppError, FieldError};

    /// Reading the log is for the QA Manager and the Administrator.
    pub fn may_read_log(actor: &Actor) -> Result<(), AppError> {
        if actor.roles.any(&[Role::QaManager, Role::Administrator]) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn parse(
        person: &Option<String>,
        case: &Option<String>,
        audit: &Option<String>,
        from: &Option<String>,
        to: &Option<String>,
    ) -> Result<TrailSearch, AppError> {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        TrailSearch::parse(
            &text(person),
            &text(case),
            &text(audit),
            &text(from),
            &text(to),
            crate::server::clock::today(),
        )
        .map_err(|problems| {
            AppError::Invalid(
                problems
                    .into_iter()
                    .map(|p| FieldError::new(p.field, p.message))
                    .collect(),
            )
        })
    }

    pub fn line(row: TrailRow) -> AccessLine {
        let outcome = Outcome::from_code(&row.outcome).unwrap_or(Outcome::Failed);
        AccessLine {
            at: crate::domain::calendar::london_time(row.at)
                .format("%-d %B %Y, %H:%M:%S")
                .to_string(),
            person_id: row.person_id,
            person: match (&row.person_name, row.person_id) {
                (Some(name), _) => name.clone(),
                (None, Some(id)) => format!("Person {id}"),
                (None, None) => "Not signed in".into(),
            },
            action: super::action_label(&row.action),
            outcome: outcome.label().into(),
            refused: outcome == Outcome::Refused,
            record: row
                .record_kind
                .as_deref()
                .zip(row.record_id)
                .and_then(|(k, id)| Record::from_parts(k, id))
                .map(Record::label),
            request_id: row.request_id.unwrap_or_default(),
        }
    }

    /// A CSV field, quoted when it must be, and never read as a formula by a spreadsheet.
    pub fn csv_field(value: &str) -> String {
        let value = if value.starts_with(['=', '+', '-', '@']) {
            format!("'{value}")
        } else {
            value.to_string()
        };
        if value.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", value.replace('"', "\"\""))
        } else {
            value
        }
    }
}

#[cfg(test)]
mod tests {
    use super::action_label;

    #[test]
    fn actions_read_as_words() {
        assert_eq!(action_label("open_case"), "Open case");
        assert_eq!(action_label("download:audit.pdf"), "Downloaded audit.pdf");
        assert_eq!(action_label(""), "");
    }
}
