//! Moderation: the panel's sample draws, each moderator's view, the outcome and the
//! moderated grades, kept beside the audit (which never changes).

use super::{Notices, Store, StoreError, StoreResult};
use crate::domain::audit::Grade;
use crate::domain::moderated::Part;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// A round as moderation sees it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ModerationRoundRow {
    pub round_id: i64,
    pub audit_month: String,
    pub due_on: NaiveDate,
    pub completed: i64,
    pub sampled: i64,
    pub outcomes: i64,
    pub draws: i64,
}

/// A completed audit of a round, with its overall grade, for the sample.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CompletedAuditRow {
    pub audit_id: i64,
    pub auditor_id: i64,
    #[sqlx(try_from = "String")]
    pub overall: GradeCode,
    pub completed_at: DateTime<Utc>,
}

/// A stored grade code, decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GradeCode(pub Grade);

impl TryFrom<String> for GradeCode {
    type Error = String;

    fn try_from(code: String) -> Result<Self, Self::Error> {
        Grade::parse(&code)
            .map(GradeCode)
            .ok_or_else(|| format!("unknown grade {code:?}"))
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ModerationDrawRow {
    pub id: i64,
    pub kind: String,
    pub seed: String,
    pub generator: String,
    pub completed: i64,
    pub size: i64,
    /// JSON: the strata as drawn (`Vec<draw::Stratum>`).
    pub strata: String,
    pub drawn_by: String,
    pub drawn_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SampleRow {
    pub id: i64,
    pub draw_id: i64,
    pub audit_id: i64,
    pub child_unique_id: String,
    pub team: String,
    pub auditor: String,
    pub stratum: String,
    pub replaces_id: Option<i64>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_reason: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ViewRow {
    pub person_id: i64,
    pub person: String,
    #[sqlx(try_from = "String")]
    pub part: Part,
    pub asked_at: DateTime<Utc>,
    /// JSON: verdict codes by domain key.
    pub grades: Option<String>,
    pub comments: Option<String>,
    pub recorded_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutcomeRow {
    pub outcome: String,
    pub reason: String,
    pub panel_note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

/// A moderation asked of one person.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AskedRow {
    pub audit_id: i64,
    pub child_unique_id: String,
    pub team: String,
    pub audit_month: String,
    #[sqlx(try_from = "String")]
    pub part: Part,
    pub asked_at: DateTime<Utc>,
    pub recorded_at: Option<DateTime<Utc>>,
}

/// One grade's pair for agreement: the auditor's and the moderated grade.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GradePairRow {
    pub audit_id: i64,
    pub round_id: i64,
    pub audit_month: String,
    pub team_id: i64,
    pub auditor_id: i64,
    pub auditor: String,
    pub domain_key: String,
    #[sqlx(try_from = "String")]
    pub original: GradeCode,
    #[sqlx(try_from = "String")]
    pub moderated: GradeCode,
}

/// A round's completed audits and how many were moderated, for the share moderated.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ModeratedShareRow {
    pub round_id: i64,
    pub audit_month: String,
    pub team_id: i64,
    pub completed: i64,
    pub moderated: i64,
}

/// A completed audit graded good or better.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct GoodAuditRow {
    pub audit_id: i64,
    pub child_unique_id: String,
    pub team: String,
    pub auditor: String,
}

/// What one draw records: its strata, and the audits it took by stratum label.
pub struct SampleDraw<'a> {
    pub round_id: i64,
    pub top_up: bool,
    pub seed: &'a str,
    pub generator: &'a str,
    pub completed: i64,
    pub size: i64,
    pub strata: &'a str,
    pub selected: &'a [(i64, String)],
    /// The panel asked for each selected audit.
    pub panels: &'a BTreeMap<i64, Vec<i64>>,
    /// Good or better audits of the round no Assistant Director was asked about (completed
    /// before reviews began), with the one now asked.
    pub directors: &'a BTreeMap<i64, i64>,
}

const MODERATION_ROUND: &str = "SELECT r.id AS round_id, r.audit_month, r.due_on, \
     (SELECT COUNT(*) FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id \
      WHERE rc.round_id = r.id AND a.state IN ('completed', 'filed_to_record')) AS completed, \
     (SELECT COUNT(*) FROM moderation_sample s JOIN moderation_draws d ON d.id = s.draw_id \
      WHERE d.round_id = r.id AND s.withdrawn_at IS NULL) AS sampled, \
     (SELECT COUNT(*) FROM moderation_outcomes o JOIN audits a ON a.id = o.audit_id \
      JOIN round_cases rc ON rc.id = a.round_case_id WHERE rc.round_id = r.id) AS outcomes, \
     (SELECT COUNT(*) FROM moderation_draws d WHERE d.round_id = r.id) AS draws \
     FROM rounds r";

impl Store {
    /// Rounds with completed audits, newest first, and how their moderation stands.
    pub async fn moderation_rounds(&self) -> StoreResult<Vec<ModerationRoundRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(&format!(
            "{MODERATION_ROUND} WHERE r.status IN ('confirmed', 'closed') ORDER BY r.audit_month DESC"
        ))
        .fetch_all(pool)
        .await?)
        })
    }

    /// One round as [`Store::moderation_rounds`] lists it.
    pub async fn moderation_round(&self, round_id: i64) -> StoreResult<Option<ModerationRoundRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "{MODERATION_ROUND} WHERE r.id = $1 AND r.status IN ('confirmed', 'closed')"
            ))
            .bind(round_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    pub async fn completed_audits(&self, round_id: i64) -> StoreResult<Vec<CompletedAuditRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT a.id AS audit_id, a.auditor_id, a.overall_grade AS overall, a.completed_at \
             FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id \
             WHERE rc.round_id = $1 AND a.state IN ('completed', 'filed_to_record') \
             AND a.overall_grade IS NOT NULL AND a.completed_at IS NOT NULL ORDER BY a.id",
        )
        .bind(round_id)
        .fetch_all(pool)
        .await?)
        })
    }

    pub async fn moderation_draws(&self, round_id: i64) -> StoreResult<Vec<ModerationDrawRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT d.id, d.kind, d.seed, d.generator, d.completed, d.size, d.strata, \
             p.display_name AS drawn_by, d.drawn_at FROM moderation_draws d \
             JOIN people p ON p.id = d.drawn_by WHERE d.round_id = $1 ORDER BY d.id",
            )
            .bind(round_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Every audit a round's draws took, in the order taken (replacements after).
    pub async fn moderation_sample(&self, round_id: i64) -> StoreResult<Vec<SampleRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT s.id, s.draw_id, s.audit_id, c.child_unique_id, t.name AS team, au.display_name AS auditor, \
             s.stratum, s.replaces_id, s.withdrawn_at, s.withdrawn_reason FROM moderation_sample s \
             JOIN moderation_draws d ON d.id = s.draw_id JOIN audits a ON a.id = s.audit_id \
             JOIN cases c ON c.id = a.case_id JOIN teams t ON t.id = c.team_id \
             JOIN people au ON au.id = a.auditor_id WHERE d.round_id = $1 ORDER BY s.id",
        )
        .bind(round_id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Records a draw (the first sample, or a top-up), the audits it took and the panel
    /// asked of each, with what it tells. `None` if a first sample already exists, or a
    /// top-up finds none.
    pub async fn record_moderation_draw(
        &self,
        d: SampleDraw<'_>,
        by: i64,
        now: DateTime<Utc>,
        notices: &Notices,
    ) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let existing: i64 =
                sqlx::query_scalar("SELECT COUNT(*) FROM moderation_draws WHERE round_id = $1")
                    .bind(d.round_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if (existing > 0) != d.top_up {
                return Ok(None);
            }
            let draw_id: i64 = sqlx::query_scalar(
            "INSERT INTO moderation_draws (round_id, kind, seed, generator, completed, size, strata, drawn_by, drawn_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(d.round_id)
        .bind(if d.top_up { "top_up" } else { "sample" })
        .bind(d.seed)
        .bind(d.generator)
        .bind(d.completed)
        .bind(d.size)
        .bind(d.strata)
        .bind(by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
            for (audit_id, stratum) in d.selected {
                sqlx::query(
                "INSERT INTO moderation_sample (draw_id, audit_id, stratum) VALUES ($1, $2, $3)",
            )
            .bind(draw_id)
            .bind(audit_id)
            .bind(stratum)
            .execute(&mut *tx)
            .await?;
                let panel = d.panels.get(audit_id).map(Vec::as_slice).unwrap_or(&[]);
                side::ask(&mut tx, *audit_id, panel, Part::Panel, now).await?;
            }
            for (audit_id, director) in d.directors {
                side::ask(
                    &mut tx,
                    *audit_id,
                    &[*director],
                    Part::AssistantDirector,
                    now,
                )
                .await?;
            }
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(Some(draw_id))
        })
    }

    /// Withdraws a sampled audit (with the reason) before its outcome, dropping the
    /// panel's unanswered requests, and adds its replacement, if one was drawn.
    #[allow(clippy::too_many_arguments)]
    pub async fn withdraw_from_sample(
        &self,
        sample_id: i64,
        reason: &str,
        replacement: Option<(i64, &[i64])>,
        by: i64,
        now: DateTime<Utc>,
        notices: &Notices,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let row: Option<(i64, i64, String)> = sqlx::query_as(
                "SELECT s.audit_id, s.draw_id, s.stratum FROM moderation_sample s WHERE s.id = $1 \
             AND s.withdrawn_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM moderation_outcomes o WHERE o.audit_id = s.audit_id)",
            )
            .bind(sample_id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((audit_id, draw_id, stratum)) = row else {
                return Ok(false);
            };
            sqlx::query(
            "UPDATE moderation_sample SET withdrawn_at = $1, withdrawn_by = $2, withdrawn_reason = $3 WHERE id = $4",
        )
        .bind(now)
        .bind(by)
        .bind(reason)
        .bind(sample_id)
        .execute(&mut *tx)
        .await?;
            sqlx::query(
            "DELETE FROM moderation_views WHERE audit_id = $1 AND part = $2 AND recorded_at IS NULL",
        )
        .bind(audit_id)
        .bind(Part::Panel.code())
        .execute(&mut *tx)
        .await?;
            if let Some((replacement, panel)) = replacement {
                sqlx::query(
                "INSERT INTO moderation_sample (draw_id, audit_id, stratum, replaces_id) VALUES ($1, $2, $3, $4)",
            )
            .bind(draw_id)
            .bind(replacement)
            .bind(&stratum)
            .bind(sample_id)
            .execute(&mut *tx)
            .await?;
                side::ask(&mut tx, replacement, panel, Part::Panel, now).await?;
            }
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Each Assistant Director's unanswered reviews, in one count.
    pub async fn open_reviews_of(&self, people: &[i64]) -> StoreResult<Vec<(i64, usize)>> {
        on_db!(self, |pool| {
            let open: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT person_id, COUNT(*) FROM moderation_views WHERE part = $1 AND recorded_at IS NULL \
             GROUP BY person_id",
        )
        .bind(Part::AssistantDirector.code())
        .fetch_all(pool)
        .await?;
            Ok(people
                .iter()
                .map(|p| {
                    let n = open.iter().find(|(q, _)| q == p).map_or(0, |(_, n)| *n);
                    (*p, usize::try_from(n).unwrap_or(0))
                })
                .collect())
        })
    }

    /// Asks moderators for one audit (the Assistant Director's review of a good grade).
    pub async fn ask_moderators(
        &self,
        audit_id: i64,
        people: &[i64],
        part: Part,
        now: DateTime<Utc>,
        notices: &Notices,
    ) -> StoreResult<()> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            side::ask(&mut tx, audit_id, people, part, now).await?;
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Audits graded good or better that no Assistant Director has been asked about.
    pub async fn good_audits_without_director(&self) -> StoreResult<Vec<(i64, i64)>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT a.id, a.auditor_id FROM audits a WHERE a.state IN ('completed', 'filed_to_record') \
             AND a.overall_grade IN ('good', 'outstanding') AND NOT EXISTS \
             (SELECT 1 FROM moderation_views v WHERE v.audit_id = a.id AND v.part = 'assistant_director') ORDER BY a.id",
        )
        .fetch_all(pool)
        .await?)
        })
    }

    /// The audit's grades as completed, by domain key (overall under `#overall`).
    pub async fn audit_grades(&self, audit_id: i64) -> StoreResult<BTreeMap<String, Grade>> {
        on_db!(self, |pool| {
            Self::grades_from(
            sqlx::query_as(
                "SELECT domain_key, grade FROM audit_grades WHERE audit_id = $1 ORDER BY domain_key",
            )
            .bind(audit_id)
            .fetch_all(pool)
            .await?,
        )
        })
    }

    pub async fn moderated_grades(&self, audit_id: i64) -> StoreResult<BTreeMap<String, Grade>> {
        on_db!(self, |pool| {
            Self::grades_from(
            sqlx::query_as(
                "SELECT domain_key, grade FROM moderated_grades WHERE audit_id = $1 ORDER BY domain_key",
            )
            .bind(audit_id)
            .fetch_all(pool)
            .await?,
        )
        })
    }

    fn grades_from(rows: Vec<(String, String)>) -> StoreResult<BTreeMap<String, Grade>> {
        rows.into_iter()
            .map(|(k, g)| match Grade::parse(&g) {
                Some(g) => Ok((k, g)),
                None => Err(StoreError::Corrupt(format!("unknown grade {g:?}"))),
            })
            .collect()
    }

    pub async fn moderation_views(&self, audit_id: i64) -> StoreResult<Vec<ViewRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT v.person_id, p.display_name AS person, v.part, v.asked_at, v.grades, v.comments, v.recorded_at \
             FROM moderation_views v JOIN people p ON p.id = v.person_id WHERE v.audit_id = $1 ORDER BY v.part DESC, v.id",
        )
        .bind(audit_id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Records one moderator's view. `false` if they were not asked, already answered, or
    /// the outcome is recorded.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_view(
        &self,
        audit_id: i64,
        person_id: i64,
        part: Part,
        overall: &str,
        grades: &str,
        comments: &str,
        now: DateTime<Utc>,
        notices: &Notices,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let done = sqlx::query(
            "UPDATE moderation_views SET overall = $1, grades = $2, comments = $3, recorded_at = $4 \
             WHERE audit_id = $5 AND person_id = $6 AND part = $7 AND recorded_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM moderation_outcomes o WHERE o.audit_id = $5)",
        )
        .bind(overall)
        .bind(grades)
        .bind(comments)
        .bind(now)
        .bind(audit_id)
        .bind(person_id)
        .bind(part.code())
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

    pub async fn moderation_outcome(&self, audit_id: i64) -> StoreResult<Option<OutcomeRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT o.outcome, o.reason, o.panel_note, p.display_name AS recorded_by, o.recorded_at \
             FROM moderation_outcomes o JOIN people p ON p.id = o.recorded_by WHERE o.audit_id = $1",
        )
        .bind(audit_id)
        .fetch_optional(pool)
        .await?)
        })
    }

    /// Records the outcome and the moderated grades, with what it tells. `false` if an
    /// outcome is already recorded.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_outcome(
        &self,
        audit_id: i64,
        outcome: &str,
        reason: &str,
        panel_note: Option<&str>,
        grades: &BTreeMap<String, Grade>,
        summary: Option<super::NewSummary<'_>>,
        by: i64,
        now: DateTime<Utc>,
        notices: &Notices,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let done = sqlx::query(
            "INSERT INTO moderation_outcomes (audit_id, outcome, reason, panel_note, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (audit_id) DO NOTHING",
        )
        .bind(audit_id)
        .bind(outcome)
        .bind(reason)
        .bind(panel_note)
        .bind(by)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
            if done != 1 {
                return Ok(false);
            }
            for (key, grade) in grades {
                sqlx::query(
                "INSERT INTO moderated_grades (audit_id, domain_key, grade) VALUES ($1, $2, $3)",
            )
            .bind(audit_id)
            .bind(key)
            .bind(grade.code())
            .execute(&mut *tx)
            .await?;
            }
            if let Some(summary) = summary {
                side::insert_summary(&mut tx, &summary, by, now).await?;
            }
            // Nothing more can be recorded: unanswered requests are closed.
            sqlx::query("DELETE FROM moderation_views WHERE audit_id = $1 AND recorded_at IS NULL")
                .bind(audit_id)
                .execute(&mut *tx)
                .await?;
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Moderations asked of a person, unanswered first.
    pub async fn asked_of(&self, person_id: i64) -> StoreResult<Vec<AskedRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT v.audit_id, c.child_unique_id, t.name AS team, r.audit_month, v.part, v.asked_at, v.recorded_at \
             FROM moderation_views v JOIN audits a ON a.id = v.audit_id JOIN cases c ON c.id = a.case_id \
             JOIN teams t ON t.id = c.team_id JOIN round_cases rc ON rc.id = a.round_case_id \
             JOIN rounds r ON r.id = rc.round_id WHERE v.person_id = $1 \
             ORDER BY CASE WHEN v.recorded_at IS NULL THEN 0 ELSE 1 END, v.asked_at, v.id",
        )
        .bind(person_id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Every moderated grade beside the auditor's, per audit and domain, oldest round first.
    pub async fn grade_pairs(&self) -> StoreResult<Vec<GradePairRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT g.audit_id, rc.round_id, r.audit_month, c.team_id, a.auditor_id, au.display_name AS auditor, \
             g.domain_key, g.grade AS original, m.grade AS moderated FROM audit_grades g \
             JOIN moderated_grades m ON m.audit_id = g.audit_id AND m.domain_key = g.domain_key \
             JOIN audits a ON a.id = g.audit_id JOIN round_cases rc ON rc.id = a.round_case_id \
             JOIN rounds r ON r.id = rc.round_id JOIN cases c ON c.id = a.case_id \
             JOIN people au ON au.id = a.auditor_id ORDER BY r.audit_month, g.audit_id, g.domain_key",
        )
        .fetch_all(pool)
        .await?)
        })
    }

    /// Per round and team: completed audits and those with a moderation outcome.
    pub async fn moderated_share(&self) -> StoreResult<Vec<ModeratedShareRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT rc.round_id, r.audit_month, c.team_id, COUNT(*) AS completed, \
             COUNT(o.audit_id) AS moderated FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id \
             JOIN rounds r ON r.id = rc.round_id JOIN cases c ON c.id = a.case_id \
             LEFT JOIN moderation_outcomes o ON o.audit_id = a.id \
             WHERE a.state IN ('completed', 'filed_to_record') \
             GROUP BY rc.round_id, r.audit_month, c.team_id ORDER BY r.audit_month",
        )
        .fetch_all(pool)
        .await?)
        })
    }
    /// Every moderation asked about a round's audits: (audit, part, recorded).
    pub async fn round_moderation_views(
        &self,
        round_id: i64,
    ) -> StoreResult<Vec<(i64, Part, bool)>> {
        on_db!(self, |pool| {
            let rows: Vec<(i64, String, bool)> = sqlx::query_as(
                "SELECT v.audit_id, v.part, v.recorded_at IS NOT NULL FROM moderation_views v \
             JOIN audits a ON a.id = v.audit_id JOIN round_cases rc ON rc.id = a.round_case_id \
             WHERE rc.round_id = $1 ORDER BY v.id",
            )
            .bind(round_id)
            .fetch_all(pool)
            .await?;
            rows.into_iter()
                .map(|(a, p, r)| match Part::parse(&p) {
                    Some(part) => Ok((a, part, r)),
                    None => Err(StoreError::Corrupt(format!(
                        "unknown moderation part {p:?}"
                    ))),
                })
                .collect()
        })
    }

    /// Each of a round's moderated audits with its outcome, as a label.
    pub async fn round_moderation_outcomes(
        &self,
        round_id: i64,
    ) -> StoreResult<std::collections::HashMap<i64, String>> {
        on_db!(self, |pool| {
            let rows: Vec<(i64, String, Option<String>)> = sqlx::query_as(
                "SELECT o.audit_id, o.outcome, m.grade FROM moderation_outcomes o \
             JOIN audits a ON a.id = o.audit_id JOIN round_cases rc ON rc.id = a.round_case_id \
             LEFT JOIN moderated_grades m ON m.audit_id = o.audit_id AND m.domain_key = '#overall' \
             WHERE rc.round_id = $1",
            )
            .bind(round_id)
            .fetch_all(pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|(a, o, g)| {
                    let grade = g
                        .as_deref()
                        .and_then(Grade::parse)
                        .map(|g| g.label())
                        .unwrap_or("");
                    let label = if o == "confirmed" {
                        format!("Confirmed: {grade}")
                    } else {
                        format!("Changed to {grade}")
                    };
                    (a, label)
                })
                .collect())
        })
    }

    /// A round's completed audits graded good or better, for the Assistant Directors.
    pub async fn round_good_audits(&self, round_id: i64) -> StoreResult<Vec<GoodAuditRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT a.id AS audit_id, c.child_unique_id, t.name AS team, au.display_name AS auditor \
             FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id JOIN cases c ON c.id = a.case_id \
             JOIN teams t ON t.id = c.team_id JOIN people au ON au.id = a.auditor_id \
             WHERE rc.round_id = $1 AND a.state IN ('completed', 'filed_to_record') \
             AND a.overall_grade IN ('good', 'outstanding') ORDER BY a.id",
        )
        .bind(round_id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Child Unique IDs of audits, for alerts, in one query.
    pub async fn moderation_cases(
        &self,
        audits: &[i64],
    ) -> StoreResult<std::collections::HashMap<i64, String>> {
        on_db!(self, |pool| {
            if audits.is_empty() {
                return Ok(Default::default());
            }
            let places: Vec<String> = (1..=audits.len()).map(|n| format!("${n}")).collect();
            let sql = format!(
            "SELECT a.id, c.child_unique_id FROM audits a JOIN cases c ON c.id = a.case_id WHERE a.id IN ({})",
            places.join(", ")
        );
            let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
            for audit in audits {
                query = query.bind(audit);
            }
            Ok(query.fetch_all(pool).await?.into_iter().collect())
        })
    }

    /// Whether the audit is in a round's moderation sample (not withdrawn).
    pub async fn is_sampled(&self, audit_id: i64) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM moderation_sample WHERE audit_id = $1 AND withdrawn_at IS NULL",
        )
        .bind(audit_id)
        .fetch_one(pool)
        .await?;
            Ok(n > 0)
        })
    }

    pub async fn round_of_audit(&self, audit_id: i64) -> StoreResult<i64> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
            "SELECT rc.round_id FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id WHERE a.id = $1",
        )
        .bind(audit_id)
        .fetch_one(pool)
        .await?)
        })
    }

    pub async fn team_of_audit(&self, audit_id: i64) -> StoreResult<i64> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT c.team_id FROM audits a JOIN cases c ON c.id = a.case_id WHERE a.id = $1",
            )
            .bind(audit_id)
            .fetch_one(pool)
            .await?)
        })
    }
}

both_sides! {
pub(crate) async fn ask(
    tx: &mut Tx<'_>,
    audit_id: i64,
    people: &[i64],
    part: Part,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    for person in people {
        sqlx::query(
            "INSERT INTO moderation_views (audit_id, person_id, part, asked_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (audit_id, person_id, part) DO NOTHING",
        )
        .bind(audit_id)
        .bind(person)
        .bind(part.code())
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
}
