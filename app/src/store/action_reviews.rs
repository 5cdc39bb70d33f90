//! The audit action review: assigned per filed audit, updated per action, finalised.

use super::{Notices, Store, StoreResult};
use crate::domain::action_review::{ActionProgress, ActionUpdate, NewAction};
use crate::domain::audit::AuditState;
use crate::domain::Role;
use chrono::{DateTime, NaiveDate, Utc};

/// A filed audit with required actions, and its review if it has one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewOverviewRow {
    pub audit_id: i64,
    pub round_id: i64,
    pub child_unique_id: String,
    pub team: String,
    pub audit_month: String,
    pub team_manager_id: Option<i64>,
    pub service_manager_id: Option<i64>,
    pub reviewer_id: Option<i64>,
    pub reviewer: Option<String>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub finalised_at: Option<DateTime<Utc>>,
    pub actions: i64,
    pub open: i64,
    pub overdue: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActionReviewRow {
    pub audit_id: i64,
    pub reviewer_id: i64,
    pub reviewer: String,
    pub assigned_by: String,
    pub assigned_at: DateTime<Utc>,
    pub finalised_by: Option<String>,
    pub finalised_at: Option<DateTime<Utc>>,
    pub cms_reference: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewActionRow {
    pub id: i64,
    pub action: String,
    pub owner: String,
    pub due_on: NaiveDate,
    #[sqlx(try_from = "String")]
    pub status: ActionProgress,
    pub done_on: Option<NaiveDate>,
    pub added_by: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActionUpdateRow {
    pub action_id: i64,
    pub progress: String,
    pub evidence: String,
    pub evidence_link: Option<String>,
    #[sqlx(try_from = "String")]
    pub status: ActionProgress,
    pub status_on: NaiveDate,
    pub by: String,
    pub at: DateTime<Utc>,
}

impl TryFrom<String> for ActionProgress {
    type Error = String;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        ActionProgress::parse(&code).ok_or_else(|| format!("unknown action status {code:?}"))
    }
}

const OVERVIEW: &str = "SELECT a.id AS audit_id, rc.round_id, c.child_unique_id, t.name AS team, r.audit_month, \
     rc.team_manager_id, rc.service_manager_id, v.reviewer_id, p.display_name AS reviewer, v.assigned_at, v.finalised_at, \
     (SELECT COUNT(*) FROM audit_actions x WHERE x.audit_id = a.id) AS actions, \
     (SELECT COUNT(*) FROM audit_actions x WHERE x.audit_id = a.id AND x.status = 'open') AS open, \
     (SELECT COUNT(*) FROM audit_actions x WHERE x.audit_id = a.id AND x.status = 'open' AND x.due_on < $1) AS overdue \
     FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id JOIN rounds r ON r.id = rc.round_id \
     JOIN cases c ON c.id = a.case_id JOIN teams t ON t.id = c.team_id \
     LEFT JOIN action_reviews v ON v.audit_id = a.id LEFT JOIN people p ON p.id = v.reviewer_id \
     WHERE a.state IN ('completed', 'filed_to_record') \
     AND EXISTS (SELECT 1 FROM audit_actions x WHERE x.audit_id = a.id)";

impl Store {
    /// Filed audits with required actions, and how their reviews stand on `today`: of one
    /// round, or of all rounds; newest round first.
    pub async fn review_overview(
        &self,
        round_id: Option<i64>,
        today: NaiveDate,
    ) -> StoreResult<Vec<ReviewOverviewRow>> {
        on_db!(self, |pool| {
            let rows = match round_id {
                Some(round) => {
                    sqlx::query_as(&format!(
                        "{OVERVIEW} AND rc.round_id = $2 ORDER BY c.child_unique_id"
                    ))
                    .bind(today)
                    .bind(round)
                    .fetch_all(pool)
                    .await?
                }
                None => {
                    sqlx::query_as(&format!(
                        "{OVERVIEW} ORDER BY r.audit_month DESC, c.child_unique_id"
                    ))
                    .bind(today)
                    .fetch_all(pool)
                    .await?
                }
            };
            Ok(rows)
        })
    }

    /// Assigns action reviews, each to its reviewer, skipping audits that already have one
    /// or are not filed. `notices` is told which (audit ID, reviewer) pairs were assigned.
    pub async fn assign_action_reviews(
        &self,
        reviews: &[(i64, i64)],
        by: i64,
        now: DateTime<Utc>,
        notices: impl FnOnce(&[(i64, i64)]) -> Notices,
    ) -> StoreResult<Vec<(i64, i64)>> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let mut assigned = Vec::new();
            for (audit_id, reviewer_id) in reviews {
                let done = sqlx::query(
                    "INSERT INTO action_reviews (audit_id, reviewer_id, assigned_by, assigned_at) \
                 SELECT a.id, $2, $3, $4 FROM audits a WHERE a.id = $1 AND a.state IN ($5, $6) \
                 AND NOT EXISTS (SELECT 1 FROM action_reviews v WHERE v.audit_id = a.id)",
                )
                .bind(audit_id)
                .bind(reviewer_id)
                .bind(by)
                .bind(now)
                .bind(AuditState::Completed.code())
                .bind(AuditState::FiledToRecord.code())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if done == 1 {
                    assigned.push((*audit_id, *reviewer_id));
                }
            }
            let told = notices(&assigned);
            side::write_notices(self, &mut tx, &told, now).await?;
            tx.commit().await?;
            Ok(assigned)
        })
    }

    pub async fn action_review(&self, audit_id: i64) -> StoreResult<Option<ActionReviewRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT v.audit_id, v.reviewer_id, p.display_name AS reviewer, ab.display_name AS assigned_by, \
             v.assigned_at, fb.display_name AS finalised_by, v.finalised_at, v.cms_reference \
             FROM action_reviews v JOIN people p ON p.id = v.reviewer_id JOIN people ab ON ab.id = v.assigned_by \
             LEFT JOIN people fb ON fb.id = v.finalised_by WHERE v.audit_id = $1",
        )
        .bind(audit_id)
        .fetch_optional(pool)
        .await?)
        })
    }

    /// The audit's actions: the auditor's as filed, then those added in the review.
    pub async fn review_actions(&self, audit_id: i64) -> StoreResult<Vec<ReviewActionRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT x.id, x.action, x.owner, x.due_on, x.status, x.done_on, p.display_name AS added_by \
             FROM audit_actions x LEFT JOIN people p ON p.id = x.added_by WHERE x.audit_id = $1 ORDER BY x.id",
        )
        .bind(audit_id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Every update to the audit's actions, oldest first.
    pub async fn action_updates(&self, audit_id: i64) -> StoreResult<Vec<ActionUpdateRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT u.action_id, u.progress, u.evidence, u.evidence_link, u.status, u.status_on, \
             p.display_name AS by, u.at FROM action_updates u JOIN audit_actions x ON x.id = u.action_id \
             JOIN people p ON p.id = u.by_person WHERE x.audit_id = $1 ORDER BY u.id",
        )
        .bind(audit_id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Records an update to one action of an open review, and what it tells. `false` if
    /// the review is finalised (or the action is not this audit's).
    pub async fn update_action(
        &self,
        audit_id: i64,
        action_id: i64,
        update: &ActionUpdate,
        by: i64,
        now: DateTime<Utc>,
        notices: &Notices,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let done_on = (update.status == ActionProgress::Done).then_some(update.on);
            let changed = sqlx::query(
            "UPDATE audit_actions SET status = $1, done_on = $2 WHERE id = $3 AND audit_id = $4 \
             AND EXISTS (SELECT 1 FROM action_reviews v WHERE v.audit_id = $4 AND v.finalised_at IS NULL)",
        )
        .bind(update.status.code())
        .bind(done_on)
        .bind(action_id)
        .bind(audit_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
            if changed != 1 {
                return Ok(false);
            }
            sqlx::query(
            "INSERT INTO action_updates (action_id, progress, evidence, evidence_link, status, status_on, by_person, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(action_id)
        .bind(&update.progress)
        .bind(&update.evidence)
        .bind(&update.link)
        .bind(update.status.code())
        .bind(update.on)
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Adds the reviewer's own action to an open review. `false` if it is finalised.
    pub async fn add_review_action(
        &self,
        audit_id: i64,
        action: &NewAction,
        by: i64,
        now: DateTime<Utc>,
        notices: &Notices,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let added = sqlx::query(
            "INSERT INTO audit_actions (audit_id, action, owner, due_on, status, added_by, added_at) \
             SELECT v.audit_id, $2, $3, $4, 'open', $5, $6 FROM action_reviews v \
             WHERE v.audit_id = $1 AND v.finalised_at IS NULL",
        )
        .bind(audit_id)
        .bind(&action.action)
        .bind(&action.owner)
        .bind(action.due_on)
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
            if added != 1 {
                return Ok(false);
            }
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Finalises (locks) a review with its optional case-management reference. `false` if
    /// it was already finalised.
    pub async fn finalise_action_review(
        &self,
        audit_id: i64,
        cms_reference: Option<&str>,
        by: i64,
        now: DateTime<Utc>,
        notices: &Notices,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let done = sqlx::query(
            "UPDATE action_reviews SET finalised_by = $1, finalised_at = $2, cms_reference = $3 \
             WHERE audit_id = $4 AND finalised_at IS NULL",
        )
        .bind(by)
        .bind(now)
        .bind(cms_reference)
        .bind(audit_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
            if done != 1 {
                return Ok(false);
            }
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Active people holding `role`, by name: the QA Managers told of a finalised review,
    /// the panel and the Assistant Directors.
    pub async fn people_with_role(&self, role: Role) -> StoreResult<Vec<(i64, String)>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT DISTINCT p.id, p.display_name FROM person_roles r JOIN people p ON p.id = r.person_id \
             WHERE p.active = TRUE AND r.role = $1 ORDER BY p.display_name, p.id",
        )
        .bind(role.code())
        .fetch_all(pool)
        .await?)
        })
    }
}
