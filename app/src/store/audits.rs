use super::{Notices, Store, StoreResult};
use crate::domain::audit::{
    audit_access, deadline, AuditParties, AuditRole, AuditState, AuditSummary,
};
use crate::domain::calendar::{AuditMonth, WorkingCalendar};
use crate::domain::Actor;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

/// An audit with everything its page needs about the case and the people.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditRow {
    pub id: i64,
    pub case_id: i64,
    pub child_unique_id: String,
    pub team: String,
    pub audit_month: String,
    pub due_on: NaiveDate,
    #[sqlx(try_from = "String")]
    pub state: AuditState,
    pub version: i64,
    pub draft: String,
    pub domains: String,
    pub template_version: i64,
    pub auditor_id: i64,
    pub auditor: String,
    pub key_worker_id: Option<i64>,
    pub key_worker: Option<String>,
    pub team_manager_id: Option<i64>,
    pub team_manager: Option<String>,
    pub service_manager_id: Option<i64>,
    pub service_manager: Option<String>,
    pub iro_id: Option<i64>,
    pub iro: Option<String>,
    pub saved_at: Option<DateTime<Utc>>,
    pub saved_by: Option<String>,
    pub reflection: Option<String>,
    pub case_note: Option<String>,
    pub cms_reference: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    /// Who holds the case today (the people above are those on the audit).
    pub current_key_worker_id: Option<i64>,
    pub current_team_manager_id: Option<i64>,
    pub current_service_manager_id: Option<i64>,
}

impl AuditRow {
    pub fn parties(&self) -> AuditParties {
        AuditParties {
            auditor_id: self.auditor_id,
            key_worker_id: self.key_worker_id,
            team_manager_id: self.team_manager_id,
            service_manager_id: self.service_manager_id,
            iro_id: self.iro_id,
            holders: [
                self.current_key_worker_id,
                self.current_team_manager_id,
                self.current_service_manager_id,
            ],
        }
    }

    /// "January 2027".
    pub fn month_label(&self) -> String {
        AuditMonth::parse(&self.audit_month)
            .map(|m| m.label())
            .unwrap_or_else(|| self.audit_month.clone())
    }

    /// The audit as lists show it to person `me`, with what it waits on them for.
    pub fn summary(&self, calendar: &WorkingCalendar, me: i64, today: NaiveDate) -> AuditSummary {
        AuditSummary {
            id: self.id,
            case_id: self.case_id,
            child_unique_id: self.child_unique_id.clone(),
            team: self.team.clone(),
            month: self.month_label(),
            due_on: self.due_on,
            state: self.state,
            deadline: deadline(self.state, self.due_on, today, calendar),
            auditor: self.auditor.clone(),
            waiting_on_you: crate::domain::audit::waiting_on(
                self.state,
                me == self.auditor_id,
                Some(me) == self.key_worker_id,
            )
            .map(String::from),
        }
    }
}

/// The IDs of the audits person `$1` is involved in (see [`Store::audits_involving`]).
/// Each part goes from the person's few rows to their audits: `CROSS JOIN` keeps that order
/// in SQLite, which otherwise scanned every audit for the managed teams' part (28 → 9 ms
/// for a Team Manager with 14,290 audits at the large-council scale).
fn involving(managed: bool) -> String {
    let managed = if managed {
        " UNION SELECT x.id FROM round_cases w CROSS JOIN audits x \
            WHERE x.round_case_id = w.id AND w.team_manager_id = $1 \
          UNION SELECT x.id FROM round_cases w CROSS JOIN audits x \
            WHERE x.round_case_id = w.id AND w.service_manager_id = $1 \
          UNION SELECT x.id FROM teams z CROSS JOIN cases y CROSS JOIN audits x \
            WHERE y.team_id = z.id AND x.case_id = y.id AND z.team_manager_id = $1 \
          UNION SELECT x.id FROM teams z CROSS JOIN cases y CROSS JOIN audits x \
            WHERE y.team_id = z.id AND x.case_id = y.id AND z.service_manager_id = $1"
    } else {
        ""
    };
    format!(
        "SELECT id FROM audits WHERE auditor_id = $1 \
         UNION SELECT x.id FROM round_cases w CROSS JOIN audits x \
           WHERE x.round_case_id = w.id AND w.key_worker_id = $1 \
         UNION SELECT x.id FROM round_cases w CROSS JOIN audits x \
           WHERE x.round_case_id = w.id AND w.iro_id = $1 \
         UNION SELECT x.id FROM cases y CROSS JOIN audits x \
           WHERE x.case_id = y.id AND y.key_worker_id = $1{managed}"
    )
}

/// What need-to-know decides an audit by (an [`AuditKey`]), for a `WHERE` to follow.
const AUDIT_KEY_COLUMNS: &str =
    "SELECT a.id, r.audit_month, r.due_on, a.state, a.auditor_id, rc.key_worker_id, \
     rc.team_manager_id, rc.service_manager_id, rc.iro_id, \
     c.key_worker_id AS current_key_worker_id, t.team_manager_id AS current_team_manager_id, \
     t.service_manager_id AS current_service_manager_id \
     FROM audits a JOIN cases c ON c.id = a.case_id JOIN teams t ON t.id = c.team_id \
     JOIN round_cases rc ON rc.id = a.round_case_id JOIN rounds r ON r.id = rc.round_id";

/// An audit's place in a person's list: what need-to-know, the order and the round filter
/// read, without its form or anyone's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditKey {
    pub id: i64,
    pub audit_month: String,
    pub due_on: NaiveDate,
    #[sqlx(try_from = "String")]
    pub state: AuditState,
    pub auditor_id: i64,
    pub key_worker_id: Option<i64>,
    pub team_manager_id: Option<i64>,
    pub service_manager_id: Option<i64>,
    pub iro_id: Option<i64>,
    pub current_key_worker_id: Option<i64>,
    pub current_team_manager_id: Option<i64>,
    pub current_service_manager_id: Option<i64>,
}

impl AuditKey {
    pub fn parties(&self) -> AuditParties {
        AuditParties {
            auditor_id: self.auditor_id,
            key_worker_id: self.key_worker_id,
            team_manager_id: self.team_manager_id,
            service_manager_id: self.service_manager_id,
            iro_id: self.iro_id,
            holders: [
                self.current_key_worker_id,
                self.current_team_manager_id,
                self.current_service_manager_id,
            ],
        }
    }
}

const AUDIT_COLUMNS: &str = "SELECT a.id, a.case_id, c.child_unique_id, t.name AS team, r.audit_month, r.due_on, \
     a.state, a.version, a.draft, tp.domains, tp.version AS template_version, \
     a.auditor_id, au.display_name AS auditor, rc.key_worker_id, kw.display_name AS key_worker, \
     rc.team_manager_id, tm.display_name AS team_manager, rc.service_manager_id, sm.display_name AS service_manager, \
     rc.iro_id, iro.display_name AS iro, a.saved_at, sv.display_name AS saved_by, a.reflection, a.case_note, \
     a.cms_reference, a.completed_at, c.key_worker_id AS current_key_worker_id, \
     t.team_manager_id AS current_team_manager_id, t.service_manager_id AS current_service_manager_id \
     FROM audits a JOIN cases c ON c.id = a.case_id JOIN teams t ON t.id = c.team_id \
     JOIN round_cases rc ON rc.id = a.round_case_id JOIN rounds r ON r.id = rc.round_id \
     JOIN audit_templates tp ON tp.id = a.template_id JOIN people au ON au.id = a.auditor_id \
     LEFT JOIN people kw ON kw.id = rc.key_worker_id LEFT JOIN people tm ON tm.id = rc.team_manager_id \
     LEFT JOIN people sm ON sm.id = rc.service_manager_id LEFT JOIN people iro ON iro.id = rc.iro_id \
     LEFT JOIN people sv ON sv.id = a.saved_by";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DiscussionTimeRow {
    pub id: i64,
    pub starts_at: NaiveDateTime,
    pub minutes: i64,
    pub proposed_by: i64,
    pub proposer: String,
    pub accepted_at: Option<DateTime<Utc>>,
    pub proposed_at: DateTime<Utc>,
}

/// The auditor's record that the discussion took place (London wall-clock time).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DiscussionHeldRow {
    pub held_at: NaiveDateTime,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedbackRow {
    pub id: i64,
    pub recorded_by_id: i64,
    pub from_whom: String,
    pub how: String,
    pub given_on: NaiveDate,
    pub said: String,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MoveRow {
    pub to_state: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// What completing stores: the final draft, the case note and the actions.
pub struct Completion<'a> {
    pub version: i64,
    /// The form as it was on the auditor's screen when they chose Complete.
    pub draft: &'a str,
    pub overall_grade: Option<&'a str>,
    pub case_note: &'a str,
    /// (action, owner, due date, done)
    pub actions: &'a [(String, String, NaiveDate, bool)],
    /// Each domain's grade by key, and the overall grade under [`crate::domain::audit::OVERALL`], as codes.
    pub grades: &'a [(String, &'static str)],
    /// The Assistant Director asked to moderate a good or outstanding grade.
    pub assistant_director: Option<i64>,
}

impl Store {
    pub async fn audit(&self, audit_id: i64) -> StoreResult<Option<AuditRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(&format!("{AUDIT_COLUMNS} WHERE a.id = $1"))
                .bind(audit_id)
                .fetch_optional(pool)
                .await?)
        })
    }

    /// Audits this person does, is on as key worker or IRO / CP Chair, or whose case they
    /// hold today as key worker (and, with `managed`, those they are on as a manager or
    /// whose case's team they manage), newest round first. One indexed lookup per part, so
    /// a person involved in nothing costs nothing however many audits there are.
    pub async fn audits_involving(
        &self,
        person_id: i64,
        managed: bool,
    ) -> StoreResult<Vec<AuditRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "{AUDIT_COLUMNS} WHERE a.id IN ({}) ORDER BY r.audit_month DESC, a.id",
                involving(managed)
            ))
            .bind(person_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// The audits this person may open among those they are involved in, with the part
    /// they play in each (need-to-know decided by `domain::audit::audit_access`).
    pub async fn audits_visible_to(
        &self,
        actor: &Actor,
        managed: bool,
    ) -> StoreResult<Vec<(AuditRole, AuditRow)>> {
        Ok(self
            .audits_involving(actor.person_id, managed)
            .await?
            .into_iter()
            .filter_map(|row| Some((audit_access(actor, &row.parties(), row.state)?, row)))
            .collect())
    }

    /// [`Store::audits_visible_to`] as keys only (no form, no names): a manager's list of
    /// thousands is decided, sorted and counted from these, and only a page of it read in
    /// full with [`Store::audits_by_id`].
    pub async fn audit_keys_visible_to(
        &self,
        actor: &Actor,
        managed: bool,
    ) -> StoreResult<Vec<AuditKey>> {
        on_db!(self, |pool| {
            let keys: Vec<AuditKey> = sqlx::query_as(&format!(
                "{AUDIT_KEY_COLUMNS} WHERE a.id IN ({})",
                involving(managed)
            ))
            .bind(actor.person_id)
            .fetch_all(pool)
            .await?;
            Ok(keys
                .into_iter()
                .filter(|k| audit_access(actor, &k.parties(), k.state).is_some())
                .collect())
        })
    }

    /// The audits of one case that `actor` may open, by the same rule as every audit's.
    pub async fn audit_keys_of_case(
        &self,
        actor: &Actor,
        case_id: i64,
    ) -> StoreResult<Vec<AuditKey>> {
        on_db!(self, |pool| {
            let keys: Vec<AuditKey> =
                sqlx::query_as(&format!("{AUDIT_KEY_COLUMNS} WHERE a.case_id = $1"))
                    .bind(case_id)
                    .fetch_all(pool)
                    .await?;
            Ok(keys
                .into_iter()
                .filter(|k| audit_access(actor, &k.parties(), k.state).is_some())
                .collect())
        })
    }

    /// These audits in full, in the order of `ids` (unknown IDs are left out).
    pub async fn audits_by_id(&self, ids: &[i64]) -> StoreResult<Vec<AuditRow>> {
        on_db!(self, |pool| {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let mut query = sqlx::QueryBuilder::new(format!("{AUDIT_COLUMNS} WHERE a.id IN ("));
            let mut list = query.separated(", ");
            for id in ids {
                list.push_bind(*id);
            }
            query.push(")");
            let mut rows: Vec<AuditRow> = query
                .build_query_as()
                .persistent(false)
                .fetch_all(pool)
                .await?;
            rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
            Ok(rows)
        })
    }

    /// Moves the audit from `from` to `to` (a move `domain::audit::next` allowed), recording
    /// who and when, optionally setting the reflection or the case-management reference, and
    /// writing what the move tells, all in one transaction. `false` if it was no longer in
    /// `from`.
    #[allow(clippy::too_many_arguments)]
    pub async fn move_audit(
        &self,
        audit_id: i64,
        from: AuditState,
        to: AuditState,
        by: i64,
        now: DateTime<Utc>,
        set: Option<(&'static str, &str)>,
        notices: &Notices,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let moved = sqlx::query("UPDATE audits SET state = $1 WHERE id = $2 AND state = $3")
                .bind(to.code())
                .bind(audit_id)
                .bind(from.code())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if moved != 1 {
                return Ok(false);
            }
            if let Some((column, value)) = set {
                // `column` is one of two names fixed in code, never input.
                debug_assert!(matches!(column, "reflection" | "cms_reference"));
                sqlx::query(&format!("UPDATE audits SET {column} = $1 WHERE id = $2"))
                    .bind(value)
                    .bind(audit_id)
                    .execute(&mut *tx)
                    .await?;
            }
            side::record_move(&mut tx, audit_id, Some(from), to, by, now).await?;
            if to == AuditState::FiledToRecord {
                side::close_round_if_finished(&mut tx, audit_id, now).await?;
            }
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    pub async fn audit_moves(&self, audit_id: i64) -> StoreResult<Vec<MoveRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT m.to_state, p.display_name AS by, m.at FROM audit_moves m JOIN people p ON p.id = m.by_person \
             WHERE m.audit_id = $1 ORDER BY m.id",
        )
        .bind(audit_id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Saves the draft if nobody has saved since `version` and the audit is still in
    /// `from`, moving it to `to` when they differ (the first save starts the audit; a change
    /// of findings after the key worker confirmed them sends it back to them), with what
    /// that tells. Returns the new version, or `None` when the saved version is newer or the
    /// audit has moved meanwhile.
    #[allow(clippy::too_many_arguments)]
    pub async fn save_draft(
        &self,
        audit_id: i64,
        version: i64,
        draft: &str,
        overall_grade: Option<&str>,
        by: i64,
        now: DateTime<Utc>,
        (from, to): (AuditState, AuditState),
        notices: &Notices,
    ) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            if let Some(version) = side::save_draft_in(
                &mut tx,
                audit_id,
                version,
                draft,
                overall_grade,
                by,
                now,
                (from, to),
            )
            .await?
            {
                side::write_notices(self, &mut tx, notices, now).await?;
                tx.commit().await?;
                return Ok(Some(version));
            }
            Ok(None)
        })
    }

    /// Completes the audit (locking it): first saves the form as it was on the auditor's
    /// screen, then stores the case note and actions, and what filing tells, in one
    /// transaction. `false` if someone saved since `version` or the findings are no longer
    /// discussed.
    pub async fn complete_audit(
        &self,
        audit_id: i64,
        c: Completion<'_>,
        by: i64,
        now: DateTime<Utc>,
        notices: &Notices,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let from = AuditState::FindingsDiscussed;
            let Some(saved) = side::save_draft_in(
                &mut tx,
                audit_id,
                c.version,
                c.draft,
                c.overall_grade,
                by,
                now,
                (from, from),
            )
            .await?
            else {
                return Ok(false);
            };
            let done = sqlx::query(
            "UPDATE audits SET state = $1, case_note = $2, completed_at = $3, version = version + 1 \
             WHERE id = $4 AND version = $5 AND state = $6",
        )
        .bind(AuditState::Completed.code())
        .bind(c.case_note)
        .bind(now)
        .bind(audit_id)
        .bind(saved)
        .bind(from.code())
        .execute(&mut *tx)
        .await?
        .rows_affected();
            if done != 1 {
                return Ok(false);
            }
            for (action, owner, due_on, done) in c.actions {
                sqlx::query("INSERT INTO audit_actions (audit_id, action, owner, due_on, status) VALUES ($1, $2, $3, $4, $5)")
                .bind(audit_id)
                .bind(action)
                .bind(owner)
                .bind(due_on)
                .bind(if *done { "done" } else { "open" })
                .execute(&mut *tx)
                .await?;
            }
            for (key, grade) in c.grades {
                sqlx::query(
                "INSERT INTO audit_grades (audit_id, template_version, domain_key, grade) \
                 SELECT a.id, tp.version, $2, $3 FROM audits a JOIN audit_templates tp ON tp.id = a.template_id \
                 WHERE a.id = $1",
            )
            .bind(audit_id)
            .bind(key)
            .bind(grade)
            .execute(&mut *tx)
            .await?;
            }
            if let Some(ad) = c.assistant_director {
                side::ask(
                    &mut tx,
                    audit_id,
                    &[ad],
                    crate::domain::moderated::Part::AssistantDirector,
                    now,
                )
                .await?;
            }
            side::record_move(
                &mut tx,
                audit_id,
                Some(from),
                AuditState::Completed,
                by,
                now,
            )
            .await?;
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    pub async fn propose_times(
        &self,
        audit_id: i64,
        times: &[NaiveDateTime],
        minutes: i64,
        by: i64,
        now: DateTime<Utc>,
        notices: &Notices,
    ) -> StoreResult<()> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            for t in times {
                sqlx::query("INSERT INTO discussion_times (audit_id, starts_at, minutes, proposed_by, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(audit_id)
                .bind(t)
                .bind(minutes)
                .bind(by)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn discussion_times(&self, audit_id: i64) -> StoreResult<Vec<DiscussionTimeRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT d.id, d.starts_at, d.minutes, d.proposed_by, p.display_name AS proposer, d.accepted_at, \
             d.created_at AS proposed_at FROM discussion_times d JOIN people p ON p.id = d.proposed_by WHERE d.audit_id = $1 ORDER BY d.starts_at, d.id",
        )
        .bind(audit_id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Accepts one proposed time and arranges the discussion. `false` if the audit was no
    /// longer waiting for a time.
    pub async fn accept_time(
        &self,
        audit_id: i64,
        time_id: i64,
        by: i64,
        now: DateTime<Utc>,
        notices: &Notices,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let moved = sqlx::query("UPDATE audits SET state = $1 WHERE id = $2 AND state = $3")
                .bind(AuditState::DiscussionArranged.code())
                .bind(audit_id)
                .bind(AuditState::Assigned.code())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let accepted = sqlx::query(
                "UPDATE discussion_times SET accepted_at = $1 WHERE id = $2 AND audit_id = $3",
            )
            .bind(now)
            .bind(time_id)
            .bind(audit_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved != 1 || accepted != 1 {
                return Ok(false);
            }
            side::record_move(
                &mut tx,
                audit_id,
                Some(AuditState::Assigned),
                AuditState::DiscussionArranged,
                by,
                now,
            )
            .await?;
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Records that the discussion took place at `held_at`, if the audit is still in
    /// `state`, with what that tells. `false` if it has moved on meanwhile.
    pub async fn record_discussion_held(
        &self,
        audit_id: i64,
        state: AuditState,
        held_at: NaiveDateTime,
        by: i64,
        now: DateTime<Utc>,
        notices: &Notices,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let recorded = sqlx::query(
                "INSERT INTO discussions_held (audit_id, held_at, recorded_by, recorded_at) \
                 SELECT id, $2, $3, $4 FROM audits WHERE id = $1 AND state = $5",
            )
            .bind(audit_id)
            .bind(held_at)
            .bind(by)
            .bind(now)
            .bind(state.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if recorded != 1 {
                return Ok(false);
            }
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Every record that the discussion took place, oldest first: the last one counts.
    pub async fn discussions_held(&self, audit_id: i64) -> StoreResult<Vec<DiscussionHeldRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT h.held_at, p.display_name AS recorded_by, h.recorded_at FROM discussions_held h \
                 JOIN people p ON p.id = h.recorded_by WHERE h.audit_id = $1 ORDER BY h.id",
            )
            .bind(audit_id)
            .fetch_all(pool)
            .await?)
        })
    }

    pub async fn add_feedback(
        &self,
        audit_id: i64,
        from_whom: &str,
        how: &str,
        given_on: NaiveDate,
        said: &str,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(self, |pool| {
            sqlx::query(
            "INSERT INTO audit_feedback (audit_id, from_whom, how, given_on, said, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(audit_id)
        .bind(from_whom)
        .bind(how)
        .bind(given_on)
        .bind(said)
        .bind(by)
        .bind(now)
        .execute(pool)
        .await?;
            Ok(())
        })
    }

    pub async fn feedback(&self, audit_id: i64) -> StoreResult<Vec<FeedbackRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT f.id, f.recorded_by AS recorded_by_id, f.from_whom, f.how, f.given_on, f.said, p.display_name AS recorded_by, f.recorded_at \
             FROM audit_feedback f JOIN people p ON p.id = f.recorded_by WHERE f.audit_id = $1 ORDER BY f.id",
        )
        .bind(audit_id)
        .fetch_all(pool)
        .await?)
        })
    }
}

impl Store {
    /// The newest audit template: (version, domains as JSON).
    pub async fn current_template(&self) -> StoreResult<(i64, String)> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT version, domains FROM audit_templates ORDER BY version DESC LIMIT 1",
            )
            .fetch_one(pool)
            .await?)
        })
    }

    /// Publishes a new template version, with what it tells (given the version);
    /// audits already assigned keep theirs.
    pub async fn publish_template(
        &self,
        domains: &str,
        now: DateTime<Utc>,
        notices: impl FnOnce(i64) -> Notices + Send,
    ) -> StoreResult<i64> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            // Two publishers at once would both count the same next number.
            side::one_writer(&mut tx, super::TEMPLATE_LOCK).await?;
            let version = sqlx::query_scalar(
                "INSERT INTO audit_templates (version, domains, created_at) \
             SELECT COALESCE(MAX(version), 0) + 1, $1, $2 FROM audit_templates RETURNING version",
            )
            .bind(domains)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            side::write_notices(self, &mut tx, &notices(version), now).await?;
            tx.commit().await?;
            Ok(version)
        })
    }
}

/// One selected case of a round as the dashboard counts it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AuditFactRow {
    pub round_case_id: i64,
    pub audit_id: Option<i64>,
    pub case_id: i64,
    pub child_unique_id: String,
    pub team_id: i64,
    pub team: String,
    pub auditor_id: Option<i64>,
    pub auditor: Option<String>,
    #[sqlx(try_from = "String")]
    pub state: AuditState,
    pub due_on: NaiveDate,
    /// The overall grade's code, kept beside the draft so counting never parses forms.
    pub overall_grade: Option<String>,
}

/// One required action of a round as the dashboard counts and lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActionFactRow {
    pub id: i64,
    pub audit_id: i64,
    #[sqlx(try_from = "String")]
    pub audit_state: AuditState,
    pub case_id: i64,
    pub child_unique_id: String,
    pub team_id: i64,
    pub team: String,
    pub action: String,
    pub owner: String,
    pub status: String,
    pub due_on: NaiveDate,
}

impl Store {
    /// Teams this manager manages, as Team Manager or Service Manager.
    pub async fn managed_teams(&self, person_id: i64) -> StoreResult<Vec<i64>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
            "SELECT id FROM teams WHERE team_manager_id = $1 OR service_manager_id = $1 ORDER BY id",
        )
        .bind(person_id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// A round's selected cases (not withdrawn) with their audit, if any; `teams` limits
    /// them to those teams.
    pub async fn audit_facts(
        &self,
        round_id: i64,
        teams: Option<&[i64]>,
    ) -> StoreResult<Vec<AuditFactRow>> {
        on_db!(self, |pool| {
            let mut qb = sqlx::QueryBuilder::<side::DB>::new(
            "SELECT rc.id AS round_case_id, a.id AS audit_id, c.id AS case_id, c.child_unique_id, \
             t.id AS team_id, t.name AS team, a.auditor_id, au.display_name AS auditor, \
             COALESCE(a.state, 'selected') AS state, r.due_on, a.overall_grade FROM round_cases rc JOIN rounds r ON r.id = rc.round_id \
             JOIN cases c ON c.id = rc.case_id JOIN teams t ON t.id = c.team_id \
             LEFT JOIN audits a ON a.round_case_id = rc.id LEFT JOIN people au ON au.id = a.auditor_id \
             WHERE rc.withdrawn_at IS NULL AND r.id = ",
        );
            qb.push_bind(round_id);
            side::push_teams(&mut qb, teams);
            qb.push(" ORDER BY c.child_unique_id");
            Ok(qb.build_query_as().fetch_all(pool).await?)
        })
    }

    /// A round's required actions.
    pub async fn action_facts(
        &self,
        round_id: i64,
        teams: Option<&[i64]>,
    ) -> StoreResult<Vec<ActionFactRow>> {
        on_db!(self, |pool| {
            let mut qb = sqlx::QueryBuilder::<side::DB>::new(
            "SELECT x.id, a.id AS audit_id, a.state AS audit_state, c.id AS case_id, c.child_unique_id, \
             t.id AS team_id, t.name AS team, x.action, x.owner, x.status, x.due_on FROM audit_actions x JOIN audits a ON a.id = x.audit_id \
             JOIN round_cases rc ON rc.id = a.round_case_id JOIN cases c ON c.id = a.case_id \
             JOIN teams t ON t.id = c.team_id WHERE rc.round_id = ",
        );
            qb.push_bind(round_id);
            side::push_teams(&mut qb, teams);
            qb.push(" ORDER BY x.due_on, x.id");
            Ok(qb.build_query_as().fetch_all(pool).await?)
        })
    }
}

impl Store {
    /// People who see every audit: the QA programme's roles.
    pub async fn programme_people(&self) -> StoreResult<Vec<i64>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
            "SELECT DISTINCT r.person_id FROM person_roles r JOIN people p ON p.id = r.person_id \
             WHERE p.active = TRUE AND r.role IN ('qa_manager', 'psw_qa_practice_improvement', \
             'safeguarding_review_manager', 'assistant_director') ORDER BY r.person_id",
        )
        .fetch_all(pool)
        .await?)
        })
    }
}

both_sides! {
pub(crate) async fn record_move(
    tx: &mut Tx<'_>,
    audit_id: i64,
    from: Option<AuditState>,
    to: AuditState,
    by: i64,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO audit_moves (audit_id, from_state, to_state, by_person, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(audit_id)
        .bind(from.map(AuditState::code))
        .bind(to.code())
        .bind(by)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn save_draft_in(
    tx: &mut Tx<'_>,
    audit_id: i64,
    version: i64,
    draft: &str,
    overall_grade: Option<&str>,
    by: i64,
    now: DateTime<Utc>,
    (from, to): (AuditState, AuditState),
) -> StoreResult<Option<i64>> {
    let saved = sqlx::query(
        "UPDATE audits SET draft = $1, version = version + 1, saved_by = $2, saved_at = $3, overall_grade = $6, state = $7 \
         WHERE id = $4 AND version = $5 AND state = $8",
    )
    .bind(draft)
    .bind(by)
    .bind(now)
    .bind(audit_id)
    .bind(version)
    .bind(overall_grade)
    .bind(to.code())
    .bind(from.code())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if saved != 1 {
        return Ok(None);
    }
    if from != to {
        side::record_move(tx, audit_id, Some(from), to, by, now).await?;
    }
    Ok(Some(version + 1))
}

pub(crate) fn push_teams(qb: &mut sqlx::QueryBuilder<'_, DB>, teams: Option<&[i64]>) {
    if let Some(teams) = teams {
        qb.push(" AND c.team_id IN (");
        if teams.is_empty() {
            qb.push("NULL");
        }
        let mut list = qb.separated(", ");
        for t in teams {
            list.push_bind(*t);
        }
        qb.push(")");
    }
}
}
