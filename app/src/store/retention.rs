//! The retention sweep's deletes: one statement per kind of record, each in its own
//! transaction, so a sweep interrupted part-way leaves every kind whole.

use super::{Store, StoreResult};
use crate::domain::retention::{Cutoffs, SweepCounts};
use crate::domain::session::SessionRules;
use chrono::{DateTime, Duration, Utc};

impl Store {
    /// Deletes everything past `cutoffs` (sessions ended before `cutoffs.ended_sessions`
    /// under `sessions`), and counts audits completed before the records policy's cut-off.
    pub async fn sweep_retention(
        &self,
        cutoffs: &Cutoffs,
        sessions: SessionRules,
        now: DateTime<Utc>,
    ) -> StoreResult<SweepCounts> {
        on_db!(self, |pool| {
            let run = |sql: &'static str, at: DateTime<Utc>| async move {
                Ok::<u64, super::StoreError>(
                    sqlx::query(sql)
                        .bind(at)
                        .execute(pool)
                        .await?
                        .rows_affected(),
                )
            };
            let mut counts = SweepCounts {
                live_events: run(
                    "DELETE FROM events WHERE created_at < $1",
                    cutoffs.live_events,
                )
                .await?,
                archived_alerts: run(
                    "DELETE FROM alerts_archive WHERE archived_at < $1",
                    cutoffs.archived_alerts,
                )
                .await?,
                // Only files that changed nothing: an applied import is the record of a change.
                refused_imports: run(
                    "DELETE FROM imports WHERE status IN ('rejected', 'discarded') \
                 AND uploaded_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM case_history h WHERE h.import_id = imports.id)",
                    cutoffs.refused_imports,
                )
                .await?
                    + run(
                        "DELETE FROM staff_imports WHERE status = 'rejected' AND uploaded_at < $1 \
                     AND NOT EXISTS (SELECT 1 FROM person_history h \
                                     WHERE h.staff_import_id = staff_imports.id)",
                        cutoffs.refused_imports,
                    )
                    .await?,
                sent_emails: run(
                    "DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < $1",
                    cutoffs.sent_emails,
                )
                .await?,
                ..SweepCounts::default()
            };
            counts.ended_sessions =
                sqlx::query("DELETE FROM sessions WHERE created_at < $1 OR last_seen_at < $2")
                    .bind(cutoffs.ended_sessions - sessions.absolute)
                    .bind(cutoffs.ended_sessions - sessions.idle)
                    .execute(pool)
                    .await?
                    .rows_affected();
            if counts.ended_sessions > 0 {
                side::sessions_changed(self, pool).await;
            }
            // Failure counts a day old with no lock in force have done their work.
            counts.sign_in_counts = sqlx::query(
                "DELETE FROM sign_in_throttle WHERE last_at < $1 \
             AND (locked_until IS NULL OR locked_until < $2)",
            )
            .bind(now - Duration::days(1))
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected();
            if let Some(before) = cutoffs.access_log {
                // The table's trigger refuses anything younger than its floor, whatever this says.
                counts.access_log = run("DELETE FROM access_log WHERE at < $1", before).await?;
            }
            if let Some(before) = cutoffs.audits {
                counts.audits_past_policy = sqlx::query_scalar::<_, i64>(
                "SELECT COUNT(*) FROM audits WHERE completed_at IS NOT NULL AND completed_at < $1",
            )
            .bind(before)
            .fetch_one(pool)
            .await?
            .max(0) as u64;
            }
            Ok(counts)
        })
    }
}
