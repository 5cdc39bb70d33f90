//! The access log: appended to by every server function (see `server::trail`), read by the
//! QA Manager's and the Administrator's searches. There is no update path, and the only
//! delete is the retention sweep's (the table's triggers refuse anything else).

use super::{Store, StoreResult};
use crate::domain::trail::{Outcome, Record, TrailSearch, RECORDS_PER_CALL};
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

/// One call as logged: who, what (the server function's name or an event such as
/// `signed_in`), how it ended, which records, and the request it came in.
#[derive(Debug, Clone)]
pub struct TrailEntry<'a> {
    pub person_id: Option<i64>,
    pub action: &'a str,
    pub outcome: Outcome,
    pub records: &'a [Record],
    pub request_id: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// One row of the log, with the person's name for the page (never stored in the log).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TrailRow {
    pub id: i64,
    pub person_id: Option<i64>,
    pub person_name: Option<String>,
    pub action: String,
    pub outcome: String,
    pub record_kind: Option<String>,
    pub record_id: Option<i64>,
    pub request_id: Option<String>,
    pub at: DateTime<Utc>,
}

impl Store {
    /// Appends one row per record the call touched (one row when it touched none). A call
    /// that touched more than [`RECORDS_PER_CALL`] records logs the first that many.
    pub async fn append_trail(&self, entry: &TrailEntry<'_>) -> StoreResult<()> {
        on_db!(self, |pool| {
            let mut qb: QueryBuilder<side::DB> = QueryBuilder::new(
                "INSERT INTO access_log \
             (person_id, action, outcome, record_kind, record_id, case_id, request_id, at) ",
            );
            let none: [Option<Record>; 1] = [None];
            let records: Vec<Option<Record>> = if entry.records.is_empty() {
                none.to_vec()
            } else {
                entry
                    .records
                    .iter()
                    .take(RECORDS_PER_CALL)
                    .copied()
                    .map(Some)
                    .collect()
            };
            qb.push_values(records, |mut row, record| {
                row.push_bind(entry.person_id)
                    .push_bind(entry.action)
                    .push_bind(entry.outcome.code())
                    .push_bind(record.map(Record::kind))
                    .push_bind(record.map(Record::id))
                    .push_bind(match record {
                        Some(Record::Case(id)) => Some(id),
                        _ => None,
                    })
                    .push_bind(entry.request_id)
                    .push_bind(entry.at);
            });
            qb.build().execute(pool).await?;
            Ok(())
        })
    }

    /// Everyone who read, changed or was refused this record, newest first.
    pub async fn record_trail(&self, record: Record, limit: i64) -> StoreResult<Vec<TrailRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT l.id, l.person_id, p.display_name AS person_name, l.action, l.outcome, \
                    l.record_kind, l.record_id, l.request_id, l.at \
             FROM access_log l LEFT JOIN people p ON p.id = l.person_id \
             WHERE l.record_kind = $1 AND l.record_id = $2 \
             ORDER BY l.at DESC, l.id DESC LIMIT $3",
            )
            .bind(record.kind())
            .bind(record.id())
            .bind(limit)
            .fetch_all(pool)
            .await?)
        })
    }

    /// A search's rows, newest first, and how many match in all.
    pub async fn search_trail(
        &self,
        search: &TrailSearch,
        limit: i64,
        offset: i64,
    ) -> StoreResult<(Vec<TrailRow>, i64)> {
        on_db!(self, |pool| {
            let from = search.from.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
            let to = search
                .to
                .succ_opt()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc());
            let filter = |qb: &mut QueryBuilder<'_, side::DB>| {
                qb.push(" WHERE l.at >= ")
                    .push_bind(from)
                    .push(" AND l.at < ")
                    .push_bind(to);
                if let Some(person) = search.person_id {
                    qb.push(" AND l.person_id = ").push_bind(person);
                }
                if let Some(record) = search.record {
                    qb.push(" AND l.record_kind = ")
                        .push_bind(record.kind())
                        .push(" AND l.record_id = ")
                        .push_bind(record.id());
                }
            };
            let mut count = QueryBuilder::new("SELECT COUNT(*) FROM access_log l");
            filter(&mut count);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            let mut rows = QueryBuilder::new(
                "SELECT l.id, l.person_id, p.display_name AS person_name, l.action, l.outcome, \
                    l.record_kind, l.record_id, l.request_id, l.at \
             FROM access_log l LEFT JOIN people p ON p.id = l.person_id",
            );
            filter(&mut rows);
            rows.push(" ORDER BY l.at DESC, l.id DESC LIMIT ")
                .push_bind(limit)
                .push(" OFFSET ")
                .push_bind(offset);
            let rows = rows.build_query_as().fetch_all(pool).await?;
            Ok((rows, total))
        })
    }
}
