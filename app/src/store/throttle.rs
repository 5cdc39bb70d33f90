//! Sign-in failures per account and per client address, for throttling.

use super::{Store, StoreResult};
use crate::domain::throttle::Failures;
use chrono::{DateTime, Utc};

/// A lock in force, for the Administrator.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LockoutRow {
    pub kind: String,
    pub key: String,
    pub failures: i64,
    pub locked_until: DateTime<Utc>,
}

impl Store {
    pub async fn sign_in_failures(&self, kind: &str, key: &str) -> StoreResult<Option<Failures>> {
        on_db!(self, |pool| {
            let row: Option<(i64, DateTime<Utc>, DateTime<Utc>, Option<DateTime<Utc>>)> = sqlx::query_as(
            "SELECT failures, first_at, last_at, locked_until FROM sign_in_throttle WHERE kind = $1 AND key = $2",
        )
        .bind(kind)
        .bind(key)
        .fetch_optional(pool)
        .await?;
            Ok(
                row.map(|(count, first_at, last_at, locked_until)| Failures {
                    count: u32::try_from(count).unwrap_or(u32::MAX),
                    first_at,
                    last_at,
                    locked_until,
                }),
            )
        })
    }

    pub async fn record_sign_in_failure(
        &self,
        kind: &str,
        key: &str,
        f: &Failures,
    ) -> StoreResult<()> {
        on_db!(self, |pool| {
            sqlx::query(
            "INSERT INTO sign_in_throttle (kind, key, failures, first_at, last_at, locked_until) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (kind, key) DO UPDATE SET \
             failures = excluded.failures, first_at = excluded.first_at, last_at = excluded.last_at, \
             locked_until = excluded.locked_until",
        )
        .bind(kind)
        .bind(key)
        .bind(i64::from(f.count))
        .bind(f.first_at)
        .bind(f.last_at)
        .bind(f.locked_until)
        .execute(pool)
        .await?;
            Ok(())
        })
    }

    /// Forgets an account's failures (after it signs in) or lifts a lock.
    pub async fn clear_sign_in_failures(&self, kind: &str, key: &str) -> StoreResult<bool> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query("DELETE FROM sign_in_throttle WHERE kind = $1 AND key = $2")
                    .bind(kind)
                    .bind(key)
                    .execute(pool)
                    .await?
                    .rows_affected()
                    == 1,
            )
        })
    }

    /// Locks in force at `now`, soonest to end first.
    pub async fn lockouts(&self, now: DateTime<Utc>) -> StoreResult<Vec<LockoutRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT kind, key, failures, locked_until FROM sign_in_throttle \
             WHERE locked_until > $1 ORDER BY locked_until, kind, key",
            )
            .bind(now)
            .fetch_all(pool)
            .await?)
        })
    }
}
