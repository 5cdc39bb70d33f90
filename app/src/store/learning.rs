//! Learning from audits: themes and their tags, the summary report with its versions and
//! comments, sessions with invitations, attendance and feedback, and the newsletter.

use super::{Notices, Store, StoreResult};
use crate::domain::audit::Grade;
use crate::domain::report::{Sections, TaggedFinding};
use crate::domain::sessions::{SessionFeedback, SessionKind, SessionPlan};
use crate::domain::themes::{Finding, ThemeText};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ThemeRow {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub domain_key: Option<String>,
    pub retired_at: Option<DateTime<Utc>>,
}

/// One tag: the theme on one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tag {
    pub theme_id: i64,
    pub finding: Finding,
    pub item_id: i64,
}

/// Audits of one round carrying a theme (for trends).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ThemeRoundRow {
    pub theme_id: i64,
    pub audit_month: String,
    pub audits: i64,
}

/// One domain's grades in one round (for a theme's page).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DomainGradeRow {
    pub audit_month: String,
    pub good: i64,
    pub graded: i64,
}

/// A round as the report counts it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRoundRow {
    pub audit_month: String,
    pub due_on: NaiveDate,
    pub selected: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportAuditRow {
    pub id: i64,
    pub audit_month: String,
    pub team: String,
    pub completed_at: Option<DateTime<Utc>>,
    pub moderation: Option<String>,
    pub review_assigned: bool,
    pub review_finalised: bool,
    pub strengths: Option<String>,
    pub development: Option<String>,
    pub actions: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub first_month: String,
    pub last_month: String,
    pub version: i64,
    pub main_findings: String,
    pub key_strengths: String,
    pub improvement: String,
    pub recommendations: String,
    pub cleared: String,
    pub figures: Option<String>,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
    pub finalised_by: Option<String>,
    pub finalised_at: Option<DateTime<Utc>>,
    pub presented_on: Option<NaiveDate>,
}

impl ReportRow {
    pub fn sections(&self) -> Sections {
        Sections {
            main_findings: self.main_findings.clone(),
            key_strengths: self.key_strengths.clone(),
            improvement: self.improvement.clone(),
            recommendations: self.recommendations.clone(),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportVersionRow {
    pub version: i64,
    pub main_findings: String,
    pub key_strengths: String,
    pub improvement: String,
    pub recommendations: String,
    pub saved_by: String,
    pub saved_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReportCommentRow {
    pub id: i64,
    pub version: i64,
    pub person: String,
    pub body: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LearningSessionRow {
    pub id: i64,
    #[sqlx(try_from = "String")]
    pub kind: KindCode,
    pub title: String,
    pub round_id: Option<i64>,
    pub audit_month: Option<String>,
    pub theme_id: Option<i64>,
    pub theme: Option<String>,
    pub starts_at: NaiveDateTime,
    pub minutes: i64,
    pub place: String,
    pub online_link: Option<String>,
    pub audience: String,
    pub materials_link: Option<String>,
    pub invited: i64,
    pub attended: i64,
    pub responses: i64,
}

impl LearningSessionRow {
    /// "Tuesday 12 January 2027 at 10:00" (London time, as arranged).
    pub fn when(&self) -> String {
        format!(
            "{} at {}",
            self.starts_at.format("%A %-d %B %Y"),
            self.starts_at.format("%H:%M")
        )
    }
}

/// A session kind read from its stored code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindCode(pub SessionKind);

impl TryFrom<String> for KindCode {
    type Error = String;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        SessionKind::parse(&code)
            .map(KindCode)
            .ok_or_else(|| format!("unknown session kind {code:?}"))
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InviteeRow {
    pub person_id: i64,
    pub name: String,
    pub accepted_at: Option<DateTime<Utc>>,
    pub attended: Option<bool>,
    pub responded: bool,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionFeedbackRow {
    pub id: i64,
    pub session_id: i64,
    pub person_id: i64,
    pub useful: i64,
    pub discussion: i64,
    pub improve: String,
    pub comments: String,
    pub given_at: DateTime<Utc>,
}

impl SessionFeedbackRow {
    pub fn feedback(&self) -> SessionFeedback {
        SessionFeedback {
            useful: self.useful,
            discussion: self.discussion,
            improve: self.improve.clone(),
            comments: self.comments.clone(),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NewsletterRow {
    pub id: i64,
    pub issue: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub body: String,
    pub cleared: String,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
    pub finalised_by: Option<String>,
    pub finalised_at: Option<DateTime<Utc>>,
}

fn grade(code: &str) -> Option<Grade> {
    Grade::parse(code)
}

const REPORT_COLUMNS: &str =
    "SELECT r.id, r.first_month, r.last_month, r.version, r.main_findings, \
     r.key_strengths, r.improvement, r.recommendations, r.cleared, r.figures, \
     u.display_name AS updated_by, r.updated_at, f.display_name AS finalised_by, r.finalised_at, \
     r.presented_on FROM reports r JOIN people u ON u.id = r.updated_by \
     LEFT JOIN people f ON f.id = r.finalised_by";

const SESSION_COLUMNS: &str = "SELECT s.id, s.kind, s.title, s.round_id, rd.audit_month, s.theme_id, \
     th.name AS theme, s.starts_at, s.minutes, s.place, s.online_link, s.audience, s.materials_link, \
     (SELECT COUNT(*) FROM session_invitees i WHERE i.session_id = s.id) AS invited, \
     (SELECT COUNT(*) FROM session_invitees i WHERE i.session_id = s.id AND i.attended = TRUE) AS attended, \
     (SELECT COUNT(*) FROM session_feedback f WHERE f.session_id = s.id) AS responses \
     FROM learning_sessions s LEFT JOIN rounds rd ON rd.id = s.round_id \
     LEFT JOIN themes th ON th.id = s.theme_id";

const NEWSLETTER_COLUMNS: &str =
    "SELECT n.id, n.issue, n.period_from, n.period_to, n.body, n.cleared, \
     n.version, u.display_name AS updated_by, n.updated_at, f.display_name AS finalised_by, \
     n.finalised_at FROM newsletters n JOIN people u ON u.id = n.updated_by \
     LEFT JOIN people f ON f.id = n.finalised_by";

impl Store {
    // ----- Themes -----

    /// Every theme, live ones first, by name.
    pub async fn themes(&self) -> StoreResult<Vec<ThemeRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT id, name, description, domain_key, retired_at FROM themes \
             ORDER BY retired_at IS NOT NULL, name_key",
            )
            .fetch_all(pool)
            .await?)
        })
    }

    pub async fn theme(&self, id: i64) -> StoreResult<Option<ThemeRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT id, name, description, domain_key, retired_at FROM themes WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?)
        })
    }

    /// Adds a theme; `None` if one of that name (ignoring case) exists.
    pub async fn add_theme(
        &self,
        text: &ThemeText,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
            "INSERT INTO themes (name, name_key, description, domain_key, created_by, created_at, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $5, $6) ON CONFLICT (name_key) DO NOTHING RETURNING id",
        )
        .bind(&text.name)
        .bind(text.key())
        .bind(&text.description)
        .bind(&text.domain_key)
        .bind(by)
        .bind(now)
        .fetch_optional(pool)
        .await?)
        })
    }

    /// Renames or redescribes a theme; `false` if another theme has the name.
    pub async fn update_theme(
        &self,
        id: i64,
        text: &ThemeText,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let clash: Option<i64> =
                sqlx::query_scalar("SELECT id FROM themes WHERE name_key = $1 AND id <> $2")
                    .bind(text.key())
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if clash.is_some() {
                return Ok(false);
            }
            sqlx::query(
                "UPDATE themes SET name = $1, name_key = $2, description = $3, domain_key = $4, \
             updated_by = $5, updated_at = $6 WHERE id = $7",
            )
            .bind(&text.name)
            .bind(text.key())
            .bind(&text.description)
            .bind(&text.domain_key)
            .bind(by)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Retires a theme (it keeps its tags and history) or brings it back.
    pub async fn retire_theme(
        &self,
        id: i64,
        retired: bool,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(self, |pool| {
            sqlx::query(
            "UPDATE themes SET retired_at = CASE WHEN $1 THEN COALESCE(retired_at, $2) ELSE NULL END, \
             updated_by = $3, updated_at = $2 WHERE id = $4",
        )
        .bind(retired)
        .bind(now)
        .bind(by)
        .bind(id)
        .execute(pool)
        .await?;
            Ok(())
        })
    }

    /// The tags on an audit's findings.
    pub async fn audit_tags(&self, audit_id: i64) -> StoreResult<Vec<Tag>> {
        on_db!(self, |pool| {
            let rows: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT theme_id, finding, item_id FROM theme_tags WHERE audit_id = $1 AND finding <> 'session_feedback'",
        )
        .bind(audit_id)
        .fetch_all(pool)
        .await?;
            Ok(rows
                .into_iter()
                .filter_map(|(theme_id, f, item_id)| {
                    Some(Tag {
                        theme_id,
                        finding: Finding::parse(&f)?,
                        item_id,
                    })
                })
                .collect())
        })
    }

    /// Replaces the tags on an audit's findings with `tags` (tags of retired themes that
    /// the form could not show are kept).
    pub async fn set_audit_tags(
        &self,
        audit_id: i64,
        tags: &[Tag],
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let round_id: Option<i64> = sqlx::query_scalar(
            "SELECT rc.round_id FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id WHERE a.id = $1",
        )
        .bind(audit_id)
        .fetch_optional(&mut *tx)
        .await?;
            sqlx::query(
                "DELETE FROM theme_tags WHERE audit_id = $1 AND finding <> 'session_feedback' \
             AND theme_id IN (SELECT id FROM themes WHERE retired_at IS NULL)",
            )
            .bind(audit_id)
            .execute(&mut *tx)
            .await?;
            for t in tags {
                sqlx::query(
                "INSERT INTO theme_tags (theme_id, finding, audit_id, item_id, round_id, tagged_by, tagged_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
            )
            .bind(t.theme_id)
            .bind(t.finding.code())
            .bind(audit_id)
            .bind(t.item_id)
            .bind(round_id)
            .bind(by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The tags on one session's feedback: (feedback ID, theme ID).
    pub async fn session_feedback_tags(&self, session_id: i64) -> StoreResult<Vec<(i64, i64)>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT t.item_id, t.theme_id FROM theme_tags t JOIN session_feedback f ON f.id = t.item_id \
             WHERE t.finding = 'session_feedback' AND f.session_id = $1",
        )
        .bind(session_id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Replaces the themes on one piece of session feedback.
    pub async fn set_session_feedback_tags(
        &self,
        feedback_id: i64,
        themes: &[i64],
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let round_id: Option<Option<i64>> = sqlx::query_scalar(
            "SELECT s.round_id FROM session_feedback f JOIN learning_sessions s ON s.id = f.session_id WHERE f.id = $1",
        )
        .bind(feedback_id)
        .fetch_optional(&mut *tx)
        .await?;
            sqlx::query(
                "DELETE FROM theme_tags WHERE finding = 'session_feedback' AND item_id = $1",
            )
            .bind(feedback_id)
            .execute(&mut *tx)
            .await?;
            for theme in themes {
                sqlx::query(
                "INSERT INTO theme_tags (theme_id, finding, audit_id, item_id, round_id, tagged_by, tagged_at) \
                 VALUES ($1, 'session_feedback', NULL, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(theme)
            .bind(feedback_id)
            .bind(round_id.flatten())
            .bind(by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// Per theme and round: audits carrying the theme on any finding.
    pub async fn theme_rounds(&self) -> StoreResult<Vec<ThemeRoundRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT t.theme_id, r.audit_month, COUNT(DISTINCT t.audit_id) AS audits \
             FROM theme_tags t JOIN rounds r ON r.id = t.round_id WHERE t.audit_id IS NOT NULL \
             GROUP BY t.theme_id, r.audit_month ORDER BY r.audit_month",
            )
            .fetch_all(pool)
            .await?)
        })
    }

    /// Per round with any audit completed: (month, audits with any theme).
    pub async fn tagged_audits_per_round(&self) -> StoreResult<Vec<(String, i64)>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT r.audit_month, COUNT(DISTINCT t.audit_id) FROM rounds r \
             LEFT JOIN theme_tags t ON t.round_id = r.id AND t.audit_id IS NOT NULL \
             WHERE r.status <> 'open' GROUP BY r.audit_month ORDER BY r.audit_month",
            )
            .fetch_all(pool)
            .await?)
        })
    }

    /// Per drawn round: (month, audits graded good or better in domain `key`, audits graded
    /// in it), as completed.
    pub async fn domain_grades_per_round(&self, key: &str) -> StoreResult<Vec<DomainGradeRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT r.audit_month, \
             COALESCE(SUM(CASE WHEN g.grade IN ('outstanding', 'good') THEN 1 ELSE 0 END), 0) AS good, \
             COUNT(g.audit_id) AS graded FROM rounds r \
             LEFT JOIN round_cases rc ON rc.round_id = r.id AND rc.withdrawn_at IS NULL \
             LEFT JOIN audits a ON a.round_case_id = rc.id \
             LEFT JOIN audit_grades g ON g.audit_id = a.id AND g.domain_key = $1 \
             WHERE r.status <> 'open' GROUP BY r.audit_month ORDER BY r.audit_month",
        )
        .bind(key)
        .fetch_all(pool)
        .await?)
        })
    }

    // ----- The summary report's facts -----

    /// Drawn rounds from `first` to `last` (`YYYY-MM`), oldest first.
    pub async fn report_rounds(&self, first: &str, last: &str) -> StoreResult<Vec<ReportRoundRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT r.audit_month, r.due_on, (SELECT COUNT(*) FROM round_cases rc \
             WHERE rc.round_id = r.id AND rc.withdrawn_at IS NULL) AS selected \
             FROM rounds r WHERE r.status <> 'open' AND r.audit_month >= $1 AND r.audit_month <= $2 \
             ORDER BY r.audit_month",
        )
        .bind(first)
        .bind(last)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Up to three drawn rounds before `first`, oldest first.
    pub async fn rounds_before(&self, first: &str) -> StoreResult<Vec<ReportRoundRow>> {
        on_db!(self, |pool| {
            let mut rows: Vec<ReportRoundRow> = sqlx::query_as(
                "SELECT r.audit_month, r.due_on, (SELECT COUNT(*) FROM round_cases rc \
             WHERE rc.round_id = r.id AND rc.withdrawn_at IS NULL) AS selected \
             FROM rounds r WHERE r.status <> 'open' AND r.audit_month < $1 \
             ORDER BY r.audit_month DESC LIMIT 3",
            )
            .bind(first)
            .fetch_all(pool)
            .await?;
            rows.reverse();
            Ok(rows)
        })
    }

    /// The audits of rounds `first` to `last`, with what the report counts.
    pub async fn report_audits(&self, first: &str, last: &str) -> StoreResult<Vec<ReportAuditRow>> {
        on_db!(self, |pool| {
            // Strengths and areas for development are read from the form only to see whether
            // anything was written; their words never leave the store for the report.
            // The form is JSON text in both databases; each reads a field its own way.
            let field = |name: &str| match side::DIALECT {
                super::Dialect::Sqlite => format!("json_extract(a.draft, '$.{name}')"),
                super::Dialect::Postgres => format!("(a.draft::jsonb ->> '{name}')"),
            };
            Ok(sqlx::query_as(&format!(
            "SELECT a.id, r.audit_month, t.name AS team, a.completed_at, mo.outcome AS moderation, \
             ar.id IS NOT NULL AS review_assigned, ar.finalised_at IS NOT NULL AS review_finalised, \
             {} AS strengths, \
             {} AS development, \
             (SELECT COUNT(*) FROM audit_actions x WHERE x.audit_id = a.id) AS actions \
             FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id JOIN rounds r ON r.id = rc.round_id \
             JOIN cases c ON c.id = a.case_id JOIN teams t ON t.id = c.team_id \
             LEFT JOIN moderation_outcomes mo ON mo.audit_id = a.id \
             LEFT JOIN action_reviews ar ON ar.audit_id = a.id \
             WHERE rc.withdrawn_at IS NULL AND r.audit_month >= $1 AND r.audit_month <= $2 ORDER BY a.id",
            field("strengths"),
            field("development"),
        ))
        .bind(first)
        .bind(last)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Completed grades of the audits of rounds `first` to `last`: (audit, domain, grade).
    pub async fn report_grades(
        &self,
        first: &str,
        last: &str,
    ) -> StoreResult<Vec<(i64, String, Grade)>> {
        on_db!(self, |pool| {
            let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT g.audit_id, g.domain_key, g.grade FROM audit_grades g JOIN audits a ON a.id = g.audit_id \
             JOIN round_cases rc ON rc.id = a.round_case_id JOIN rounds r ON r.id = rc.round_id \
             WHERE rc.withdrawn_at IS NULL AND r.audit_month >= $1 AND r.audit_month <= $2",
        )
        .bind(first)
        .bind(last)
        .fetch_all(pool)
        .await?;
            Ok(rows
                .into_iter()
                .filter_map(|(a, k, g)| Some((a, k, grade(&g)?)))
                .collect())
        })
    }

    /// Tags on the findings of rounds `first` to `last`, with the theme's name; and for each
    /// audit, how many of its (auditor's) actions carry any theme.
    pub async fn report_tags(
        &self,
        first: &str,
        last: &str,
    ) -> StoreResult<(Vec<TaggedFinding>, Vec<(i64, i64)>)> {
        on_db!(self, |pool| {
            let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT t.audit_id, t.finding, th.name FROM theme_tags t JOIN themes th ON th.id = t.theme_id \
             JOIN rounds r ON r.id = t.round_id \
             WHERE t.audit_id IS NOT NULL AND r.audit_month >= $1 AND r.audit_month <= $2 \
             ORDER BY t.audit_id",
        )
        .bind(first)
        .bind(last)
        .fetch_all(pool)
        .await?;
            let tagged_actions: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT t.audit_id, COUNT(DISTINCT t.item_id) FROM theme_tags t JOIN rounds r ON r.id = t.round_id \
             WHERE t.finding = 'action' AND r.audit_month >= $1 AND r.audit_month <= $2 GROUP BY t.audit_id",
        )
        .bind(first)
        .bind(last)
        .fetch_all(pool)
        .await?;
            Ok((
                rows.into_iter()
                    .filter_map(|(audit_id, f, theme)| {
                        Some(TaggedFinding {
                            audit_id,
                            finding: Finding::parse(&f)?,
                            theme,
                        })
                    })
                    .collect(),
                tagged_actions,
            ))
        })
    }

    // ----- Reports -----

    /// Starts the report of rounds `first` to `last` with its pre-filled sections; `None`
    /// if that report exists. Tells the Practice Improvement Team and the PSW.
    pub async fn start_report(
        &self,
        first: &str,
        last: &str,
        sections: &Sections,
        notices: &Notices,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO reports (first_month, last_month, main_findings, key_strengths, improvement, \
             recommendations, created_by, created_at, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $8) \
             ON CONFLICT (first_month, last_month) DO NOTHING RETURNING id",
        )
        .bind(first)
        .bind(last)
        .bind(&sections.main_findings)
        .bind(&sections.key_strengths)
        .bind(&sections.improvement)
        .bind(&sections.recommendations)
        .bind(by)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
            let Some(id) = id else {
                return Ok(None);
            };
            side::keep_report_version(&mut tx, id, 1, sections, by, now).await?;
            let mut notices = notices.clone();
            for alert in &mut notices.alerts {
                alert.link = format!("/reports/{id}");
            }
            side::write_notices(self, &mut tx, &notices, now).await?;
            tx.commit().await?;
            Ok(Some(id))
        })
    }

    pub async fn reports(&self) -> StoreResult<Vec<ReportRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "{REPORT_COLUMNS} ORDER BY r.last_month DESC, r.first_month DESC"
            ))
            .fetch_all(pool)
            .await?)
        })
    }

    pub async fn report(&self, id: i64) -> StoreResult<Option<ReportRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(&format!("{REPORT_COLUMNS} WHERE r.id = $1"))
                .bind(id)
                .fetch_optional(pool)
                .await?)
        })
    }

    /// Saves the sections as the next version; `false` if finalised or saved since.
    pub async fn save_report(
        &self,
        id: i64,
        version: i64,
        s: &Sections,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let n = sqlx::query(
                "UPDATE reports SET main_findings = $1, key_strengths = $2, improvement = $3, \
             recommendations = $4, version = version + 1, updated_by = $5, updated_at = $6 \
             WHERE id = $7 AND version = $8 AND finalised_at IS NULL",
            )
            .bind(&s.main_findings)
            .bind(&s.key_strengths)
            .bind(&s.improvement)
            .bind(&s.recommendations)
            .bind(by)
            .bind(now)
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Ok(false);
            }
            side::keep_report_version(&mut tx, id, version + 1, s, by, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Sets the cleared disclosure flags (JSON); `false` once finalised.
    pub async fn set_report_cleared(&self, id: i64, cleared: &str) -> StoreResult<bool> {
        on_db!(self, |pool| {
            Ok(sqlx::query(
                "UPDATE reports SET cleared = $1 WHERE id = $2 AND finalised_at IS NULL",
            )
            .bind(cleared)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
                == 1)
        })
    }

    /// Finalises version `version` with the figures as they stand; `false` if it changed
    /// or is already final.
    pub async fn finalise_report(
        &self,
        id: i64,
        version: i64,
        figures: &str,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            Ok(sqlx::query(
                "UPDATE reports SET figures = $1, finalised_by = $2, finalised_at = $3 \
             WHERE id = $4 AND version = $5 AND finalised_at IS NULL",
            )
            .bind(figures)
            .bind(by)
            .bind(now)
            .bind(id)
            .bind(version)
            .execute(pool)
            .await?
            .rows_affected()
                == 1)
        })
    }

    /// Records the senior management team's meeting it was presented at (final reports).
    pub async fn report_presented(&self, id: i64, on: NaiveDate, by: i64) -> StoreResult<bool> {
        on_db!(self, |pool| {
            Ok(sqlx::query(
                "UPDATE reports SET presented_on = $1, presented_by = $2 \
             WHERE id = $3 AND finalised_at IS NOT NULL AND presented_on IS NULL",
            )
            .bind(on)
            .bind(by)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
                == 1)
        })
    }

    pub async fn report_versions(&self, id: i64) -> StoreResult<Vec<ReportVersionRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT v.version, v.main_findings, v.key_strengths, v.improvement, v.recommendations, \
             p.display_name AS saved_by, v.saved_at FROM report_versions v JOIN people p ON p.id = v.saved_by \
             WHERE v.report_id = $1 ORDER BY v.version DESC",
        )
        .bind(id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Adds a comment on the current draft, with its alerts.
    pub async fn comment_on_report(
        &self,
        id: i64,
        body: &str,
        notices: &Notices,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let version: Option<i64> = sqlx::query_scalar(
                "SELECT version FROM reports WHERE id = $1 AND finalised_at IS NULL",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some(version) = version else {
                return Ok(false);
            };
            sqlx::query(
            "INSERT INTO report_comments (report_id, version, person_id, body, at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(version)
        .bind(by)
        .bind(body)
        .bind(now)
        .execute(&mut *tx)
        .await?;
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    pub async fn report_comments(&self, id: i64) -> StoreResult<Vec<ReportCommentRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT c.id, c.version, p.display_name AS person, c.body, c.at FROM report_comments c \
             JOIN people p ON p.id = c.person_id WHERE c.report_id = $1 ORDER BY c.id",
        )
        .bind(id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Active people holding any of `roles`.
    pub async fn people_with_roles(&self, roles: &[crate::domain::Role]) -> StoreResult<Vec<i64>> {
        on_db!(self, |pool| {
            let mut qb = sqlx::QueryBuilder::<side::DB>::new(
            "SELECT DISTINCT r.person_id FROM person_roles r JOIN people p ON p.id = r.person_id \
             WHERE p.active = TRUE AND r.role IN (",
        );
            let mut list = qb.separated(", ");
            for role in roles {
                list.push_bind(role.code());
            }
            qb.push(") ORDER BY r.person_id");
            Ok(qb.build_query_scalar().fetch_all(pool).await?)
        })
    }

    // ----- Sessions -----

    /// Those who took part in a round's audits: auditors, key workers, Team Managers and
    /// Service Managers, as they stood on the audits; active people only.
    pub async fn round_participants(&self, round_id: i64) -> StoreResult<Vec<(i64, String)>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT p.id, p.display_name FROM people p WHERE p.active = TRUE AND p.id IN ( \
               SELECT a.auditor_id FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id \
                 WHERE rc.round_id = $1 AND rc.withdrawn_at IS NULL \
               UNION SELECT rc.key_worker_id FROM round_cases rc JOIN audits a ON a.round_case_id = rc.id \
                 WHERE rc.round_id = $1 AND rc.withdrawn_at IS NULL \
               UNION SELECT rc.team_manager_id FROM round_cases rc JOIN audits a ON a.round_case_id = rc.id \
                 WHERE rc.round_id = $1 AND rc.withdrawn_at IS NULL \
               UNION SELECT rc.service_manager_id FROM round_cases rc JOIN audits a ON a.round_case_id = rc.id \
                 WHERE rc.round_id = $1 AND rc.withdrawn_at IS NULL) \
             ORDER BY p.display_name, p.id",
        )
        .bind(round_id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Managers who audit: active auditors who also hold a Team or Service Manager role.
    pub async fn auditing_managers(&self) -> StoreResult<Vec<(i64, String)>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT p.id, p.display_name FROM people p WHERE p.active = TRUE \
             AND EXISTS (SELECT 1 FROM person_roles r WHERE r.person_id = p.id AND r.role = 'auditor') \
             AND EXISTS (SELECT 1 FROM person_roles r WHERE r.person_id = p.id \
                         AND r.role IN ('team_manager', 'service_manager')) \
             ORDER BY p.display_name, p.id",
        )
        .fetch_all(pool)
        .await?)
        })
    }

    /// Arranges a session and invites `invitees`, with their alerts, in one transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn arrange_session(
        &self,
        kind: SessionKind,
        plan: &SessionPlan,
        round_id: Option<i64>,
        theme_id: Option<i64>,
        invitees: &[i64],
        notices: &Notices,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let id: i64 = sqlx::query_scalar(
            "INSERT INTO learning_sessions (kind, title, round_id, theme_id, starts_at, minutes, place, \
             online_link, audience, materials_link, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(kind.code())
        .bind(&plan.title)
        .bind(round_id)
        .bind(theme_id)
        .bind(plan.starts_at)
        .bind(plan.minutes)
        .bind(&plan.place)
        .bind(&plan.online_link)
        .bind(&plan.audience)
        .bind(&plan.materials_link)
        .bind(by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
            for person in invitees {
                sqlx::query(
                "INSERT INTO session_invitees (session_id, person_id, invited_at) VALUES ($1, $2, $3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(person)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            }
            let mut notices = notices.clone();
            for alert in &mut notices.alerts {
                alert.link = format!("/sessions/{id}");
            }
            side::write_notices(self, &mut tx, &notices, now).await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    pub async fn sessions(&self) -> StoreResult<Vec<LearningSessionRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "{SESSION_COLUMNS} ORDER BY s.starts_at DESC, s.id DESC"
            ))
            .fetch_all(pool)
            .await?)
        })
    }

    /// Sessions a person is invited to.
    pub async fn sessions_of(&self, person_id: i64) -> StoreResult<Vec<LearningSessionRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(&format!(
            "{SESSION_COLUMNS} WHERE s.id IN (SELECT session_id FROM session_invitees WHERE person_id = $1) \
             ORDER BY s.starts_at DESC, s.id DESC"
        ))
        .bind(person_id)
        .fetch_all(pool)
        .await?)
        })
    }

    pub async fn learning_session(&self, id: i64) -> StoreResult<Option<LearningSessionRow>> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query_as(&format!("{SESSION_COLUMNS} WHERE s.id = $1"))
                    .bind(id)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    pub async fn invitees(&self, session_id: i64) -> StoreResult<Vec<InviteeRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT i.person_id, p.display_name AS name, i.accepted_at, i.attended, \
             EXISTS (SELECT 1 FROM session_feedback f WHERE f.session_id = i.session_id AND f.person_id = i.person_id) AS responded \
             FROM session_invitees i JOIN people p ON p.id = i.person_id WHERE i.session_id = $1 \
             ORDER BY p.display_name, p.id",
        )
        .bind(session_id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// An invitee says they will come; `false` if not invited.
    pub async fn accept_session(
        &self,
        session_id: i64,
        person_id: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            Ok(sqlx::query(
                "UPDATE session_invitees SET accepted_at = COALESCE(accepted_at, $1) \
             WHERE session_id = $2 AND person_id = $3",
            )
            .bind(now)
            .bind(session_id)
            .bind(person_id)
            .execute(pool)
            .await?
            .rows_affected()
                == 1)
        })
    }

    /// Records who came and, in the same transaction, asks each attendee not yet asked for
    /// their feedback (`ask`, when the session asks for feedback, is the alert's text). The
    /// notices written are returned, to be published after the commit.
    pub async fn record_attendance(
        &self,
        session_id: i64,
        attended: &[i64],
        ask: Option<&str>,
        now: DateTime<Utc>,
    ) -> StoreResult<Notices> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            sqlx::query("UPDATE session_invitees SET attended = FALSE WHERE session_id = $1")
                .bind(session_id)
                .execute(&mut *tx)
                .await?;
            for person in attended {
                sqlx::query(
                "UPDATE session_invitees SET attended = TRUE WHERE session_id = $1 AND person_id = $2",
            )
            .bind(session_id)
            .bind(person)
            .execute(&mut *tx)
            .await?;
            }
            let mut notices = Notices::new();
            if let Some(body) = ask {
                let link = format!("/sessions/{session_id}/feedback");
                let asked: Vec<i64> = sqlx::query_scalar(
                "SELECT person_id FROM alerts WHERE kind = 'session_feedback_asked' AND link = $1 \
                 UNION SELECT person_id FROM alerts_archive WHERE kind = 'session_feedback_asked' AND link = $1",
            )
            .bind(&link)
            .fetch_all(&mut *tx)
            .await?;
                for person in attended.iter().filter(|p| !asked.contains(p)) {
                    notices.alert(super::NewAlert {
                        person_id: *person,
                        kind: crate::domain::alert::AlertKind::SessionFeedbackAsked,
                        case_id: None,
                        link: link.clone(),
                        body: body.to_string(),
                    });
                }
                side::write_notices(self, &mut tx, &notices, now).await?;
            }
            tx.commit().await?;
            Ok(notices)
        })
    }

    /// Stores an attendee's feedback; `false` if they gave it already.
    pub async fn give_session_feedback(
        &self,
        session_id: i64,
        person_id: i64,
        f: &SessionFeedback,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            Ok(sqlx::query(
            "INSERT INTO session_feedback (session_id, person_id, useful, discussion, improve, comments, given_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (session_id, person_id) DO NOTHING",
        )
        .bind(session_id)
        .bind(person_id)
        .bind(f.useful)
        .bind(f.discussion)
        .bind(&f.improve)
        .bind(&f.comments)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()
            == 1)
        })
    }

    pub async fn session_feedback(&self, session_id: i64) -> StoreResult<Vec<SessionFeedbackRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT id, session_id, person_id, useful, discussion, improve, comments, given_at \
             FROM session_feedback WHERE session_id = $1 ORDER BY id",
        )
        .bind(session_id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Every feedback on sessions of `kind`, oldest session first, for results over time.
    pub async fn feedback_over_time(
        &self,
        kind: SessionKind,
    ) -> StoreResult<Vec<(i64, SessionFeedbackRow)>> {
        on_db!(self, |pool| {
            let rows: Vec<SessionFeedbackRow> = sqlx::query_as(
            "SELECT f.id, f.session_id, f.person_id, f.useful, f.discussion, f.improve, f.comments, f.given_at \
             FROM session_feedback f JOIN learning_sessions s ON s.id = f.session_id \
             WHERE s.kind = $1 ORDER BY s.starts_at, f.id",
        )
        .bind(kind.code())
        .fetch_all(pool)
        .await?;
            Ok(rows.into_iter().map(|r| (r.session_id, r)).collect())
        })
    }

    // ----- Newsletter -----

    pub async fn start_newsletter(
        &self,
        issue: &str,
        from: NaiveDate,
        to: NaiveDate,
        body: &str,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
            "INSERT INTO newsletters (issue, period_from, period_to, body, created_by, created_at, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $5, $6) ON CONFLICT (issue) DO NOTHING RETURNING id",
        )
        .bind(issue)
        .bind(from)
        .bind(to)
        .bind(body)
        .bind(by)
        .bind(now)
        .fetch_optional(pool)
        .await?)
        })
    }

    pub async fn newsletters(&self) -> StoreResult<Vec<NewsletterRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "{NEWSLETTER_COLUMNS} ORDER BY n.period_to DESC, n.id DESC"
            ))
            .fetch_all(pool)
            .await?)
        })
    }

    pub async fn newsletter(&self, id: i64) -> StoreResult<Option<NewsletterRow>> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query_as(&format!("{NEWSLETTER_COLUMNS} WHERE n.id = $1"))
                    .bind(id)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    pub async fn save_newsletter(
        &self,
        id: i64,
        version: i64,
        body: &str,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            Ok(sqlx::query(
            "UPDATE newsletters SET body = $1, version = version + 1, updated_by = $2, updated_at = $3 \
             WHERE id = $4 AND version = $5 AND finalised_at IS NULL",
        )
        .bind(body)
        .bind(by)
        .bind(now)
        .bind(id)
        .bind(version)
        .execute(pool)
        .await?
        .rows_affected()
            == 1)
        })
    }

    pub async fn set_newsletter_cleared(&self, id: i64, cleared: &str) -> StoreResult<bool> {
        on_db!(self, |pool| {
            Ok(sqlx::query(
                "UPDATE newsletters SET cleared = $1 WHERE id = $2 AND finalised_at IS NULL",
            )
            .bind(cleared)
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected()
                == 1)
        })
    }

    pub async fn finalise_newsletter(
        &self,
        id: i64,
        version: i64,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            Ok(sqlx::query(
                "UPDATE newsletters SET finalised_by = $1, finalised_at = $2 \
             WHERE id = $3 AND version = $4 AND finalised_at IS NULL",
            )
            .bind(by)
            .bind(now)
            .bind(id)
            .bind(version)
            .execute(pool)
            .await?
            .rows_affected()
                == 1)
        })
    }

    /// Audits completed between two instants, with how many were graded good or better.
    pub async fn completed_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<(i64, i64)> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN overall_grade IN ('outstanding', 'good') THEN 1 ELSE 0 END), 0) \
             FROM audits WHERE completed_at >= $1 AND completed_at < $2",
        )
        .bind(from)
        .bind(to)
        .fetch_one(pool)
        .await?)
        })
    }

    /// Themes on strengths or areas for development of audits completed between two
    /// instants: (finding, theme, audits), most audits first.
    pub async fn themes_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<(String, String, i64)>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT t.finding, th.name, COUNT(DISTINCT t.audit_id) AS n FROM theme_tags t \
             JOIN themes th ON th.id = t.theme_id JOIN audits a ON a.id = t.audit_id \
             WHERE t.finding IN ('strengths', 'development') AND a.completed_at >= $1 AND a.completed_at < $2 \
             GROUP BY t.finding, th.name ORDER BY n DESC, th.name",
        )
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Titles of Make A Difference summaries published between two instants.
    pub async fn differences_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<String>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
            "SELECT title FROM difference_summaries WHERE published_at >= $1 AND published_at < $2 \
             ORDER BY published_at",
        )
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Sessions starting after `after` (London wall-clock time), soonest first.
    pub async fn sessions_after(
        &self,
        after: NaiveDateTime,
    ) -> StoreResult<Vec<LearningSessionRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "{SESSION_COLUMNS} WHERE s.starts_at > $1 ORDER BY s.starts_at LIMIT 5"
            ))
            .bind(after)
            .fetch_all(pool)
            .await?)
        })
    }
}

both_sides! {
pub(crate) async fn keep_report_version(
    tx: &mut Tx<'_>,
    id: i64,
    version: i64,
    s: &Sections,
    by: i64,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO report_versions (report_id, version, main_findings, key_strengths, improvement, \
         recommendations, saved_by, saved_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(id)
    .bind(version)
    .bind(&s.main_findings)
    .bind(&s.key_strengths)
    .bind(&s.improvement)
    .bind(&s.recommendations)
    .bind(by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
}
