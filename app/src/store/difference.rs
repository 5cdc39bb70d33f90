//! Make A Difference: summaries of confirmed good practice, their disclosure clearances,
//! publishing, and the interview with the practitioners.

use super::{Notices, Store, StoreResult};
use chrono::{DateTime, NaiveDateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SummaryRow {
    pub id: i64,
    pub audit_id: Option<i64>,
    pub team: Option<String>,
    pub title: String,
    pub body: String,
    /// JSON: `[{"key", "reason", "by", "at"}]`, the flags the QA team cleared.
    pub cleared: String,
    pub version: i64,
    pub updated_by: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub published_by: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InterviewTimeRow {
    pub id: i64,
    pub starts_at: NaiveDateTime,
    pub minutes: i64,
    pub proposed_by_id: i64,
    pub proposed_by: String,
    pub accepted_by: Option<String>,
    pub accepted_at: Option<DateTime<Utc>>,
}

/// A summary to make: from a moderated audit, or started by the QA team.
pub struct NewSummary<'a> {
    pub audit_id: Option<i64>,
    pub team_id: Option<i64>,
    pub title: &'a str,
    pub body: &'a str,
    /// The practitioners to interview (the key worker, for an audit).
    pub interviewees: &'a [i64],
}

const SUMMARY_COLUMNS: &str =
    "SELECT s.id, s.audit_id, t.name AS team, s.title, s.body, s.cleared, s.version, \
     u.display_name AS updated_by, s.updated_at, pb.display_name AS published_by, s.published_at \
     FROM difference_summaries s LEFT JOIN teams t ON t.id = s.team_id \
     LEFT JOIN people u ON u.id = s.updated_by LEFT JOIN people pb ON pb.id = s.published_by";

impl Store {
    /// The QA team starts a summary of its own.
    pub async fn start_summary(
        &self,
        s: &NewSummary<'_>,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let id = side::insert_summary(&mut tx, s, by, now).await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Every summary, newest first (drafts and published).
    pub async fn summaries(&self) -> StoreResult<Vec<SummaryRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "{SUMMARY_COLUMNS} ORDER BY s.updated_at DESC, s.id DESC"
            ))
            .fetch_all(pool)
            .await?)
        })
    }

    pub async fn summary(&self, id: i64) -> StoreResult<Option<SummaryRow>> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query_as(&format!("{SUMMARY_COLUMNS} WHERE s.id = $1"))
                    .bind(id)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    /// The summary made from an audit, if any.
    pub async fn summary_of_audit(&self, audit_id: i64) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query_scalar("SELECT id FROM difference_summaries WHERE audit_id = $1")
                    .bind(audit_id)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    /// Saves the text of a draft at `version`. `false` if it is published or someone saved
    /// since.
    pub async fn save_summary(
        &self,
        id: i64,
        version: i64,
        title: &str,
        body: &str,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let n = sqlx::query(
            "UPDATE difference_summaries SET title = $1, body = $2, version = version + 1, updated_by = $3, updated_at = $4 \
             WHERE id = $5 AND version = $6 AND published_at IS NULL",
        )
        .bind(title)
        .bind(body)
        .bind(by)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?
        .rows_affected();
            tx.commit().await?;
            Ok(n == 1)
        })
    }

    /// Replaces the cleared flags of a draft. `false` once published.
    pub async fn set_cleared(&self, id: i64, cleared: &str) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let n = sqlx::query(
            "UPDATE difference_summaries SET cleared = $1 WHERE id = $2 AND published_at IS NULL",
        )
        .bind(cleared)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
            tx.commit().await?;
            Ok(n == 1)
        })
    }

    /// Publishes the draft as checked at `version`. `false` if published or changed since.
    pub async fn publish_summary(
        &self,
        id: i64,
        version: i64,
        by: i64,
        now: DateTime<Utc>,
        notices: &Notices,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let n = sqlx::query(
                "UPDATE difference_summaries SET published_by = $1, published_at = $2 \
             WHERE id = $3 AND version = $4 AND published_at IS NULL",
            )
            .bind(by)
            .bind(now)
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n != 1 {
                return Ok(false);
            }
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    pub async fn interviewees(&self, id: i64) -> StoreResult<Vec<(i64, String)>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT p.id, p.display_name FROM difference_interviewees i JOIN people p ON p.id = i.person_id \
             WHERE i.summary_id = $1 ORDER BY i.added_at, p.display_name",
        )
        .bind(id)
        .fetch_all(pool)
        .await?)
        })
    }

    pub async fn add_interviewee(
        &self,
        id: i64,
        person: i64,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let n = sqlx::query(
            "INSERT INTO difference_interviewees (summary_id, person_id, added_by, added_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (summary_id, person_id) DO NOTHING",
        )
        .bind(id)
        .bind(person)
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
            tx.commit().await?;
            Ok(n == 1)
        })
    }

    pub async fn interview_times(&self, id: i64) -> StoreResult<Vec<InterviewTimeRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT t.id, t.starts_at, t.minutes, t.proposed_by AS proposed_by_id, p.display_name AS proposed_by, a.display_name AS accepted_by, t.accepted_at \
             FROM difference_times t JOIN people p ON p.id = t.proposed_by LEFT JOIN people a ON a.id = t.accepted_by \
             WHERE t.summary_id = $1 ORDER BY t.starts_at, t.id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Proposes interview times, with what it tells. `false` once one is agreed.
    pub async fn propose_interview(
        &self,
        id: i64,
        times: &[NaiveDateTime],
        minutes: i64,
        by: i64,
        now: DateTime<Utc>,
        notices: &Notices,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let agreed: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM difference_times WHERE summary_id = $1 AND accepted_at IS NOT NULL",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
            if agreed > 0 {
                return Ok(false);
            }
            for t in times {
                sqlx::query(
                "INSERT INTO difference_times (summary_id, starts_at, minutes, proposed_by, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id)
            .bind(t)
            .bind(minutes)
            .bind(by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            }
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// An interviewee accepts one proposed time. `false` if one is already agreed.
    pub async fn accept_interview(
        &self,
        id: i64,
        time_id: i64,
        by: i64,
        now: DateTime<Utc>,
        notices: &Notices,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let n = sqlx::query(
            "UPDATE difference_times SET accepted_by = $1, accepted_at = $2 WHERE id = $3 AND summary_id = $4 \
             AND NOT EXISTS (SELECT 1 FROM difference_times o WHERE o.summary_id = $4 AND o.accepted_at IS NOT NULL)",
        )
        .bind(by)
        .bind(now)
        .bind(time_id)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
            if n != 1 {
                return Ok(false);
            }
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Active staff, for the disclosure check and for adding interviewees.
    pub async fn active_people(&self) -> StoreResult<Vec<(i64, String)>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT id, display_name FROM people WHERE active = TRUE ORDER BY display_name, id",
            )
            .fetch_all(pool)
            .await?)
        })
    }

    /// Every case's Child Unique ID, for the disclosure check.
    pub async fn child_ids(&self) -> StoreResult<Vec<String>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar("SELECT child_unique_id FROM cases")
                .fetch_all(pool)
                .await?)
        })
    }
}

both_sides! {
pub(crate) async fn insert_summary(
    tx: &mut Tx<'_>,
    s: &NewSummary<'_>,
    by: i64,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO difference_summaries (audit_id, team_id, title, body, created_by, created_at, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $5, $6) RETURNING id",
    )
    .bind(s.audit_id)
    .bind(s.team_id)
    .bind(s.title)
    .bind(s.body)
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    for person in s.interviewees {
        sqlx::query(
            "INSERT INTO difference_interviewees (summary_id, person_id, added_by, added_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (summary_id, person_id) DO NOTHING",
        )
        .bind(id)
        .bind(person)
        .bind(by)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(id)
}
}
