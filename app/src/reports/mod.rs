//! Learning from audits, for the senior management team and the staff newsletter: the
//! summary report of a round (or a range of rounds) with its figures, pre-filled sections,
//! comments, disclosure check and finalising; its Word, Excel and print outputs; and the
//! newsletter's summary of audit activity.

mod newsletter;
pub(crate) mod page;

pub use newsletter::*;
pub use page::{NewsletterPage, NewslettersPage, ReportPage, ReportPrintPage, ReportsPage};

use crate::domain::difference::FlagView;
use crate::domain::report::{ReportFigures, Sections};
use crate::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportListing {
    pub id: i64,
    pub period: String,
    pub status: String,
    pub updated: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportsIndex {
    pub reports: Vec<ReportListing>,
    /// Drawn rounds, newest first: (`YYYY-MM`, "October 2026").
    pub rounds: Vec<(String, String)>,
    /// The QA team may start a report.
    pub starts: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommentView {
    pub version: i64,
    pub person: String,
    pub body: String,
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionView {
    pub version: i64,
    pub saved: String,
    pub sections: Sections,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub id: i64,
    pub period: String,
    pub version: i64,
    pub sections: Sections,
    pub figures: ReportFigures,
    pub flags: Vec<FlagView>,
    pub outstanding: usize,
    pub comments: Vec<CommentView>,
    pub versions: Vec<VersionView>,
    pub updated: String,
    /// "Finalised on 3 November 2026 by …", once final.
    pub finalised: Option<String>,
    pub presented_on: Option<NaiveDate>,
    /// The QA team edits the draft.
    pub edits: bool,
    /// The QA Manager finalises it.
    pub finalises: bool,
    /// The Practice Improvement Team and the QA programme comment on the draft.
    pub comments_allowed: bool,
    /// The QA Manager records the senior management team's meeting, once, when final.
    pub records_presentation: bool,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::*;
    use crate::domain::calendar::{london_date, AuditMonth};
    use crate::domain::difference::Clearance;
    use crate::domain::difference::{check, Flag, Known};
    use crate::domain::report::{
        figures, prefill, AuditFacts, Moderation, ReportInput, ReviewFact, RoundFacts, Written,
    };
    use crate::domain::{Actor, Role};
    use crate::server::failed;
    use crate::store::{ReportRoundRow, ReportRow, Store};

    pub fn require_reader(actor: &Actor) -> Result<(), AppError> {
        if actor.roles.reads_learning() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    fn round_facts(rows: Vec<ReportRoundRow>) -> Vec<RoundFacts> {
        rows.into_iter()
            .filter_map(|r| {
                Some(RoundFacts {
                    month: AuditMonth::parse(&r.audit_month)?,
                    due_on: r.due_on,
                    selected: usize::try_from(r.selected).unwrap_or(0),
                })
            })
            .collect()
    }

    /// The figures of rounds `first` to `last` as the data stands, and what the sections'
    /// pre-fill needs.
    pub async fn live_figures(
        store: &Store,
        first: &str,
        last: &str,
    ) -> Result<(ReportFigures, Written), AppError> {
        let rounds = round_facts(
            store
                .report_rounds(first, last)
                .await
                .map_err(failed("read the report's rounds"))?,
        );
        let previous = round_facts(
            store
                .rounds_before(first)
                .await
                .map_err(failed("read the rounds before the report"))?,
        );
        let from = previous
            .first()
            .map(|r| r.month.to_string())
            .unwrap_or_else(|| first.to_string());
        let audits = store
            .report_audits(&from, last)
            .await
            .map_err(failed("read the report's audits"))?;
        let grades = store
            .report_grades(&from, last)
            .await
            .map_err(failed("read the report's grades"))?;
        let (_, template) = store
            .current_template()
            .await
            .map_err(failed("read the audit form"))?;
        let domains: Vec<crate::domain::audit::TemplateDomain> =
            serde_json::from_str(&template).map_err(failed("read the audit form's domains"))?;
        let (_, tagged_actions) = store
            .report_tags(first, last)
            .await
            .map_err(failed("read the report's themes"))?;
        // By audit, so a range of many rounds stays linear in its audits.
        let mut grades_of: std::collections::HashMap<
            i64,
            Vec<(String, crate::domain::audit::Grade)>,
        > = std::collections::HashMap::new();
        for (audit, key, grade) in grades {
            grades_of.entry(audit).or_default().push((key, grade));
        }
        let tagged_actions: std::collections::HashMap<i64, i64> =
            tagged_actions.into_iter().collect();
        let mut written = Written::default();
        let facts: Vec<AuditFacts> = audits
            .iter()
            .filter_map(|a| {
                let month = AuditMonth::parse(&a.audit_month)?;
                let in_range = a.audit_month.as_str() >= first;
                if in_range && a.completed_at.is_some() {
                    let has =
                        |t: &Option<String>| t.as_deref().is_some_and(|t| !t.trim().is_empty());
                    if has(&a.strengths) {
                        written.strengths.push(a.id);
                    }
                    if has(&a.development) {
                        written.development.push(a.id);
                    }
                    if a.actions > 0 {
                        let tagged = tagged_actions.get(&a.id).copied().unwrap_or(0);
                        written.actions.push((
                            a.id,
                            usize::try_from(a.actions).unwrap_or(0),
                            usize::try_from(tagged).unwrap_or(0),
                        ));
                    }
                }
                Some(AuditFacts {
                    audit_id: a.id,
                    month,
                    team: a.team.clone(),
                    completed_on: a.completed_at.map(london_date),
                    grades: grades_of.remove(&a.id).unwrap_or_default(),
                    moderation: match a.moderation.as_deref() {
                        Some("confirmed") => Some(Moderation::Confirmed),
                        Some("changed") => Some(Moderation::Changed),
                        _ => None,
                    },
                    review: match (a.review_assigned, a.review_finalised) {
                        (_, true) => ReviewFact::Finalised,
                        (true, false) => ReviewFact::Assigned,
                        _ => ReviewFact::NotAssigned,
                    },
                })
            })
            .collect();
        let input = ReportInput {
            rounds,
            previous,
            audits: facts,
            domains: domains.into_iter().map(|d| (d.key, d.title)).collect(),
            today: crate::server::clock::today(),
        };
        Ok((figures(&input), written))
    }

    /// The sections as first drafted for rounds `first` to `last`.
    pub async fn prefilled(store: &Store, first: &str, last: &str) -> Result<Sections, AppError> {
        let (figures, written) = live_figures(store, first, last).await?;
        let (tags, _) = store
            .report_tags(first, last)
            .await
            .map_err(failed("read the report's themes"))?;
        Ok(prefill(&figures, &tags, &written))
    }

    /// A report's figures: as frozen when it was finalised, else as the data stands.
    pub async fn report_figures(store: &Store, row: &ReportRow) -> Result<ReportFigures, AppError> {
        match &row.figures {
            Some(json) => serde_json::from_str(json).map_err(failed("read a report's figures")),
            None => Ok(live_figures(store, &row.first_month, &row.last_month)
                .await?
                .0),
        }
    }

    pub async fn open(store: &Store, actor: &Actor, id: i64) -> Result<ReportRow, AppError> {
        require_reader(actor)?;
        store
            .report(id)
            .await
            .map_err(failed("read a summary report"))?
            .ok_or(AppError::NotFound)
    }

    pub fn editing(actor: &Actor, row: &ReportRow) -> Result<(), AppError> {
        if !actor.roles.sees_every_case() {
            return Err(AppError::Forbidden);
        }
        if row.finalised_at.is_some() {
            return Err(AppError::Invalid(vec![crate::FieldError::new(
                "",
                "This report is finalised and can no longer be changed",
            )]));
        }
        Ok(())
    }

    pub fn finalises(actor: &Actor) -> bool {
        actor.roles.has(Role::QaManager)
    }

    pub fn clearances(json: &str) -> Vec<Clearance> {
        serde_json::from_str(json).unwrap_or_default()
    }

    /// The disclosure check of a text, with the QA team's clearances beside each flag.
    pub async fn flag_views(
        store: &Store,
        text: &str,
        cleared: &str,
    ) -> Result<(Known, Vec<Flag>, Vec<FlagView>), AppError> {
        let known = crate::server::disclosure_known(store).await?;
        let flags = check(text, &known);
        let cleared = clearances(cleared);
        let views = flags
            .iter()
            .map(|f| FlagView {
                cleared: cleared
                    .iter()
                    .find(|c| c.key == f.key)
                    .map(|c| format!("Cleared by {}: {}", c.by, c.reason)),
                kind: f.kind.label().to_string(),
                key: f.key.clone(),
                text: f.text.clone(),
                message: f.message.clone(),
            })
            .collect();
        Ok((known, flags, views))
    }

    /// Clears one flag of `text` with a reason, returning the new clearances as JSON. A
    /// known Child Unique ID can never be cleared.
    pub async fn clear_flag(
        store: &Store,
        actor: &Actor,
        text: &str,
        cleared: &str,
        key: String,
        reason: Option<String>,
    ) -> Result<String, AppError> {
        use crate::domain::difference::clearing_reason;
        use crate::FieldError;
        let field = format!("reason-{key}");
        let reason = clearing_reason(|k| (k == "reason").then(|| reason.clone()).flatten())
            .map_err(|p| {
                AppError::Invalid(
                    p.into_iter()
                        .map(|p| FieldError::new(&field, p.message))
                        .collect(),
                )
            })?;
        let (known, flags, _) = flag_views(store, text, cleared).await?;
        let Some(flag) = flags.iter().find(|f| f.key == key) else {
            return Err(AppError::Invalid(vec![FieldError::new(
                &field,
                "That flag is no longer in the text",
            )]));
        };
        if known.is_child_id(&flag.text) {
            return Err(AppError::Invalid(vec![FieldError::new(
                &field,
                "A Child Unique ID can never be shared: take it out of the text",
            )]));
        }
        let mut list = clearances(cleared);
        list.retain(|c| c.key != key);
        let by = store
            .person(actor.person_id)
            .await
            .map_err(failed("read a person"))?
            .map(|p| p.display_name)
            .unwrap_or_default();
        list.push(Clearance {
            key,
            reason,
            by,
            at: crate::server::clock::now(),
        });
        serde_json::to_string(&list).map_err(failed("clear a flag"))
    }

    /// Refuses finalising while any flag is neither edited out nor cleared.
    pub async fn disclosure_settled(
        store: &Store,
        text: &str,
        cleared: &str,
        field: &str,
    ) -> Result<(), AppError> {
        let (_, flags, _) = flag_views(store, text, cleared).await?;
        let keys: Vec<String> = clearances(cleared).into_iter().map(|c| c.key).collect();
        let waiting = crate::domain::difference::outstanding(&flags, &keys);
        if waiting.is_empty() {
            Ok(())
        } else {
            Err(AppError::Invalid(
                waiting
                    .iter()
                    .map(|f| {
                        crate::FieldError::new(
                            field,
                            format!(
                                "Edit out or clear \u{201c}{}\u{201d}: {}",
                                f.text, f.message
                            ),
                        )
                    })
                    .collect(),
            ))
        }
    }

    pub fn period(row: &ReportRow) -> String {
        match (
            AuditMonth::parse(&row.first_month),
            AuditMonth::parse(&row.last_month),
        ) {
            (Some(f), Some(l)) => crate::domain::report::period_label(f, l),
            _ => format!("{} to {}", row.first_month, row.last_month),
        }
    }
}

/// Reports, newest first, and the rounds a new one can cover.
#[server(endpoint = "reports_overview", output = crate::codec::Compact)]
pub async fn reports_overview() -> Result<ReportsIndex, AppError> {
    use crate::domain::calendar::AuditMonth;
    use crate::server::*;
    respond("reports_overview", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_reader(&actor)?;
        let reports = store
            .reports()
            .await
            .map_err(failed("list summary reports"))?
            .iter()
            .map(|r| ReportListing {
                id: r.id,
                period: ssr::period(r),
                status: match (r.finalised_at, r.presented_on) {
                    (_, Some(on)) => format!("Presented {}", on.format("%-d %B %Y")),
                    (Some(_), None) => "Final".into(),
                    _ => "Draft".into(),
                },
                updated: format!(
                    "{} by {}",
                    crate::domain::calendar::london_date(r.updated_at).format("%-d %B %Y"),
                    r.updated_by
                ),
            })
            .collect();
        let rounds = store
            .drawn_rounds()
            .await
            .map_err(failed("list rounds"))?
            .into_iter()
            .filter_map(|(_, m)| AuditMonth::parse(&m).map(|a| (m, a.label())))
            .collect();
        Ok(ReportsIndex {
            reports,
            rounds,
            starts: actor.roles.sees_every_case(),
        })
    })
    .await
}

/// Starts the report of a round (or of rounds `first` to `last`), pre-filled, and asks the
/// Practice Improvement Team and the PSW for comments. An existing report of the same
/// rounds is opened instead.
#[server(endpoint = "start_report", output = crate::codec::Compact)]
pub async fn start_report(first: String, last: Option<String>) -> Result<i64, AppError> {
    use crate::domain::alert::AlertKind;
    use crate::domain::calendar::AuditMonth;
    use crate::domain::Role;
    use crate::server::*;
    use crate::FieldError;
    respond("start_report", async move {
        let (store, actor) = signed_in().await?;
        if !actor.roles.sees_every_case() {
            return Err(AppError::Forbidden);
        }
        let first_month = AuditMonth::parse(&first)
            .ok_or_else(|| AppError::Invalid(vec![FieldError::new("first", "Choose a round")]))?;
        let last_month = match last.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
            None => first_month,
            Some(l) => AuditMonth::parse(l).ok_or_else(|| {
                AppError::Invalid(vec![FieldError::new("last", "Choose the last round")])
            })?,
        };
        if last_month < first_month {
            return Err(AppError::Invalid(vec![FieldError::new(
                "last",
                "The last round must be the same as or after the first",
            )]));
        }
        let (first, last) = (first_month.to_string(), last_month.to_string());
        if store
            .report_rounds(&first, &last)
            .await
            .map_err(failed("read the report's rounds"))?
            .is_empty()
        {
            return Err(AppError::Invalid(vec![FieldError::new(
                "first",
                "No round in that range has been drawn yet",
            )]));
        }
        if let Some(existing) = store
            .reports()
            .await
            .map_err(failed("list summary reports"))?
            .into_iter()
            .find(|r| r.first_month == first && r.last_month == last)
        {
            leptos_axum::redirect(&format!("/reports/{}", existing.id));
            return Ok(existing.id);
        }
        let sections = ssr::prefilled(&store, &first, &last).await?;
        let commenters = store
            .people_with_roles(&[
                Role::PracticeImprovementTeam,
                Role::PswQaPracticeImprovement,
            ])
            .await
            .map_err(failed("read the Practice Improvement Team"))?;
        let period = crate::domain::report::period_label(first_month, last_month);
        let mut notices = Notices::new();
        for person in commenters.into_iter().filter(|p| *p != actor.person_id) {
            notices.alert(NewAlert {
                person_id: person,
                kind: AlertKind::ReportForComment,
                case_id: None,
                // The store puts the new report's link in.
                link: String::new(),
                body: format!("The summary report for {period} is drafted: add your comments."),
            });
        }
        let id = store
            .start_report(
                &first,
                &last,
                &sections,
                &notices,
                actor.person_id,
                crate::server::clock::now(),
            )
            .await
            .map_err(failed("start a summary report"))?;
        let id = match id {
            Some(id) => {
                committed(&notices);
                id
            }
            // Started by someone else a moment ago.
            None => store
                .reports()
                .await
                .map_err(failed("list summary reports"))?
                .into_iter()
                .find(|r| r.first_month == first && r.last_month == last)
                .map(|r| r.id)
                .ok_or(AppError::Internal)?,
        };
        leptos_axum::redirect(&format!("/reports/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "report_detail", output = crate::codec::Compact)]
pub async fn report_detail(id: i64) -> Result<ReportView, AppError> {
    use crate::domain::calendar::london_time;
    use crate::domain::Role;
    use crate::server::*;
    respond("report_detail", async move {
        trail::touch(crate::domain::trail::Record::Report(id));
        let (store, actor) = signed_in().await?;
        let row = ssr::open(&store, &actor, id).await?;
        let figures = ssr::report_figures(&store, &row).await?;
        let sections = row.sections();
        let draft = row.finalised_at.is_none();
        let flags = if draft && actor.roles.sees_every_case() {
            ssr::flag_views(&store, &sections.all_text(), &row.cleared)
                .await?
                .2
        } else {
            Vec::new()
        };
        let comments = store
            .report_comments(id)
            .await
            .map_err(failed("read report comments"))?
            .into_iter()
            .map(|c| CommentView {
                version: c.version,
                person: c.person,
                body: c.body,
                at: london_time(c.at).format("%-d %B %Y %H:%M").to_string(),
            })
            .collect();
        // Earlier versions may hold what the disclosure check made the QA team take out:
        // the QA programme only.
        let versions = if actor.roles.sees_every_case() {
            store
                .report_versions(id)
                .await
                .map_err(failed("read report versions"))?
        } else {
            Vec::new()
        };
        let versions = versions
            .into_iter()
            .map(|v| VersionView {
                version: v.version,
                saved: format!(
                    "{} by {}",
                    london_time(v.saved_at).format("%-d %B %Y %H:%M"),
                    v.saved_by
                ),
                sections: Sections {
                    main_findings: v.main_findings,
                    key_strengths: v.key_strengths,
                    improvement: v.improvement,
                    recommendations: v.recommendations,
                },
            })
            .collect();
        Ok(ReportView {
            id,
            period: ssr::period(&row),
            version: row.version,
            outstanding: flags.iter().filter(|f| f.cleared.is_none()).count(),
            flags,
            comments,
            versions,
            updated: format!(
                "{} by {}",
                london_time(row.updated_at).format("%-d %B %Y %H:%M"),
                row.updated_by
            ),
            finalised: row.finalised_at.map(|t| {
                format!(
                    "Finalised on {} by {}",
                    london_time(t).format("%-d %B %Y"),
                    row.finalised_by.clone().unwrap_or_default()
                )
            }),
            records_presentation: row.finalised_at.is_some()
                && row.presented_on.is_none()
                && ssr::finalises(&actor),
            presented_on: row.presented_on,
            edits: ssr::editing(&actor, &row).is_ok(),
            finalises: draft && ssr::finalises(&actor),
            comments_allowed: draft
                && (actor.roles.sees_every_case()
                    || actor.roles.has(Role::PracticeImprovementTeam)),
            sections,
            figures,
        })
    })
    .await
}

/// Saves the sections as a new version (refused if someone saved since `version`).
#[server(endpoint = "save_report", output = crate::codec::Compact)]
pub async fn save_report(
    id: i64,
    version: i64,
    main_findings: Option<String>,
    key_strengths: Option<String>,
    improvement: Option<String>,
    recommendations: Option<String>,
) -> Result<(), AppError> {
    use crate::server::*;
    respond("save_report", async move {
        trail::touch(crate::domain::trail::Record::Report(id));
        let (store, actor) = signed_in().await?;
        let row = ssr::open(&store, &actor, id).await?;
        ssr::editing(&actor, &row)?;
        let fields = [
            ("main_findings", main_findings),
            ("key_strengths", key_strengths),
            ("improvement", improvement),
            ("recommendations", recommendations),
        ];
        let sections = Sections::parse(|k| {
            fields
                .iter()
                .find(|(n, _)| *n == k)
                .and_then(|(_, v)| v.clone())
        })
        .map_err(crate::server::invalid)?;
        if !store
            .save_report(id, version, &sections, actor.person_id, crate::server::clock::now())
            .await
            .map_err(failed("save a summary report"))?
        {
            return Err(AppError::Invalid(vec![crate::FieldError::new(
                "main_findings",
                "Someone saved a newer version since you opened it. Copy your changes, reload the page and make them again.",
            )]));
        }
        Ok(())
    })
    .await
}

#[server(endpoint = "clear_report_flag", output = crate::codec::Compact)]
pub async fn clear_report_flag(
    id: i64,
    key: String,
    reason: Option<String>,
) -> Result<(), AppError> {
    use crate::server::*;
    respond("clear_report_flag", async move {
        trail::touch(crate::domain::trail::Record::Report(id));
        let (store, actor) = signed_in().await?;
        let row = ssr::open(&store, &actor, id).await?;
        ssr::editing(&actor, &row)?;
        let json = ssr::clear_flag(
            &store,
            &actor,
            &row.sections().all_text(),
            &row.cleared,
            key,
            reason,
        )
        .await?;
        if !store
            .set_report_cleared(id, &json)
            .await
            .map_err(failed("clear a report flag"))?
        {
            return Err(AppError::Invalid(vec![crate::FieldError::new(
                "",
                "This report is finalised and can no longer be changed",
            )]));
        }
        Ok(())
    })
    .await
}

pub const MAX_COMMENT: usize = 5_000;

/// A comment on the draft from the Practice Improvement Team, the PSW or the QA team; the
/// QA Managers are told.
#[server(endpoint = "comment_on_report", output = crate::codec::Compact)]
pub async fn comment_on_report(id: i64, comment: Option<String>) -> Result<(), AppError> {
    use crate::domain::alert::AlertKind;
    use crate::domain::Role;
    use crate::server::*;
    use crate::FieldError;
    respond("comment_on_report", async move {
        trail::touch(crate::domain::trail::Record::Report(id));
        let (store, actor) = signed_in().await?;
        let row = ssr::open(&store, &actor, id).await?;
        let body = crate::domain::difference::tidy(&comment.unwrap_or_default());
        if body.is_empty() {
            return Err(AppError::Invalid(vec![FieldError::new(
                "comment",
                "Write your comment",
            )]));
        }
        if body.chars().count() > MAX_COMMENT {
            return Err(AppError::Invalid(vec![FieldError::new(
                "comment",
                "The comment must be 5,000 characters or fewer",
            )]));
        }
        let managers = store
            .people_with_roles(&[Role::QaManager])
            .await
            .map_err(failed("read the QA Managers"))?;
        let mut notices = Notices::new();
        let period = ssr::period(&row);
        for person in managers.into_iter().filter(|p| *p != actor.person_id) {
            notices.alert(NewAlert {
                person_id: person,
                kind: AlertKind::ReportCommented,
                case_id: None,
                link: format!("/reports/{id}"),
                body: format!("A comment was added to the summary report for {period}."),
            });
        }
        if !store
            .comment_on_report(
                id,
                &body,
                &notices,
                actor.person_id,
                crate::server::clock::now(),
            )
            .await
            .map_err(failed("comment on a summary report"))?
        {
            return Err(AppError::Invalid(vec![FieldError::new(
                "comment",
                "This report is finalised: comments are closed",
            )]));
        }
        committed(&notices);
        Ok(())
    })
    .await
}

/// The QA Manager finalises the version they checked: every section written, every
/// disclosure flag settled. The figures are frozen with it.
#[server(endpoint = "finalise_report", output = crate::codec::Compact)]
pub async fn finalise_report(id: i64, version: i64) -> Result<(), AppError> {
    use crate::server::*;
    use crate::FieldError;
    respond("finalise_report", async move {
        trail::touch(crate::domain::trail::Record::Report(id));
        let (store, actor) = signed_in().await?;
        let row = ssr::open(&store, &actor, id).await?;
        ssr::editing(&actor, &row)?;
        if !ssr::finalises(&actor) {
            return Err(AppError::Forbidden);
        }
        if row.version != version {
            return Err(AppError::Invalid(vec![FieldError::new(
                "finalise",
                "The report changed since you checked it: read it again before finalising",
            )]));
        }
        let sections = row.sections();
        let problems = sections.finalising_problems();
        if !problems.is_empty() {
            return Err(crate::server::invalid(problems));
        }
        ssr::disclosure_settled(&store, &sections.all_text(), &row.cleared, "flags").await?;
        let figures = ssr::live_figures(&store, &row.first_month, &row.last_month)
            .await?
            .0;
        let json = serde_json::to_string(&figures).map_err(failed("keep a report's figures"))?;
        if !store
            .finalise_report(
                id,
                version,
                &json,
                actor.person_id,
                crate::server::clock::now(),
            )
            .await
            .map_err(failed("finalise a summary report"))?
        {
            return Err(AppError::Invalid(vec![FieldError::new(
                "finalise",
                "The report changed since you checked it: read it again before finalising",
            )]));
        }
        Ok(())
    })
    .await
}

/// Records the date of the senior management team's meeting where it was presented.
#[server(endpoint = "report_presented", output = crate::codec::Compact)]
pub async fn report_presented(id: i64, presented_on: Option<String>) -> Result<(), AppError> {
    use crate::server::*;
    use crate::FieldError;
    respond("report_presented", async move {
        trail::touch(crate::domain::trail::Record::Report(id));
        let (store, actor) = signed_in().await?;
        let row = ssr::open(&store, &actor, id).await?;
        if !ssr::finalises(&actor) {
            return Err(AppError::Forbidden);
        }
        let on = presented_on
            .as_deref()
            .map(str::trim)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .ok_or_else(|| {
                AppError::Invalid(vec![FieldError::new(
                    "presented_on",
                    "Enter the date of the meeting, like 12 January 2027",
                )])
            })?;
        if row.presented_on.is_some() {
            return Err(AppError::Invalid(vec![FieldError::new(
                "presented_on",
                "The presentation is already recorded",
            )]));
        }
        let finalised_on = row.finalised_at.map(crate::domain::calendar::london_date);
        if finalised_on.is_some_and(|f| on < f) {
            return Err(AppError::Invalid(vec![FieldError::new(
                "presented_on",
                "The meeting cannot be before the report was finalised",
            )]));
        }
        if on > crate::server::clock::today() {
            return Err(AppError::Invalid(vec![FieldError::new(
                "presented_on",
                "Record the meeting once it has happened",
            )]));
        }
        if !store
            .report_presented(id, on, actor.person_id)
            .await
            .map_err(failed("record a report's presentation"))?
        {
            return Err(AppError::Invalid(vec![FieldError::new(
                "presented_on",
                "Finalise the report before recording its presentation",
            )]));
        }
        Ok(())
    })
    .await
}

/// The report as a document, for Word and the print page's outputs.
#[cfg(feature = "ssr")]
pub fn report_document(
    period: &str,
    sections: &Sections,
    figures: &ReportFigures,
    status: &str,
) -> crate::server::documents::Document {
    use crate::server::documents::{Block, Document};
    let mut blocks = Vec::new();
    for (_, label, text) in sections.labelled() {
        blocks.push(Block::Heading {
            level: 1,
            text: label.to_string(),
        });
        blocks.extend(text_blocks(text));
    }
    blocks.push(Block::Heading {
        level: 1,
        text: "Figures".into(),
    });
    for chart in &figures.charts {
        blocks.push(Block::Chart(chart_of(chart)));
    }
    for table in &figures.tables {
        blocks.push(Block::Table(table_of(table)));
    }
    Document {
        title: format!("Case audit summary report: {period}"),
        subtitle: Some(status.to_string()),
        blocks,
    }
}

/// Paragraphs and "- " bullet lines as the report's text holds them.
#[cfg(feature = "ssr")]
fn text_blocks(text: &str) -> Vec<crate::server::documents::Block> {
    use crate::server::documents::Block;
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let mut bullets: Vec<String> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, bullets: &mut Vec<String>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(paragraph.join("\n")));
            paragraph.clear();
        }
        if !bullets.is_empty() {
            blocks.push(Block::Bullets(std::mem::take(bullets)));
        }
    };
    for line in text.lines() {
        if let Some(item) = line.trim_start().strip_prefix("- ") {
            if !paragraph.is_empty() {
                blocks.push(Block::Paragraph(paragraph.join("\n")));
                paragraph.clear();
            }
            bullets.push(item.to_string());
        } else if line.trim().is_empty() {
            flush(&mut paragraph, &mut bullets, &mut blocks);
        } else {
            if !bullets.is_empty() {
                blocks.push(Block::Bullets(std::mem::take(&mut bullets)));
            }
            paragraph.push(line);
        }
    }
    flush(&mut paragraph, &mut bullets, &mut blocks);
    blocks
}

#[cfg(feature = "ssr")]
pub fn table_of(t: &crate::domain::report::FigureTable) -> crate::server::documents::Table {
    use crate::domain::report::Figure;
    use crate::server::documents::{Cell, Table};
    Table {
        caption: t.caption.clone(),
        header: t.header.clone(),
        rows: t
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|f| match f {
                        Figure::Text(s) => Cell::Text(s.clone()),
                        Figure::Count(n) => Cell::Count(i64::try_from(*n).unwrap_or(i64::MAX)),
                        Figure::Share(s) => Cell::Share(*s),
                        Figure::Points(_) => Cell::Text(f.display()),
                        Figure::None => Cell::Empty,
                    })
                    .collect()
            })
            .collect(),
    }
}

#[cfg(feature = "ssr")]
fn chart_of(c: &crate::domain::report::FigureChart) -> crate::server::documents::BarChart {
    use crate::server::documents::{BarChart, Series};
    BarChart {
        title: c.title.clone(),
        categories: c.categories.clone(),
        series: c
            .series
            .iter()
            .map(|(name, values)| Series {
                name: name.clone(),
                values: values.clone(),
            })
            .collect(),
    }
}

/// Opens a report for a download, or the refusal's status.
#[cfg(feature = "ssr")]
async fn report_for_download(
    store: &crate::store::Store,
    rules: crate::domain::session::SessionRules,
    headers: &axum::http::HeaderMap,
    id: i64,
) -> Result<(crate::store::ReportRow, ReportFigures, String), axum::http::StatusCode> {
    use axum::http::StatusCode;
    let status =
        |e: AppError| StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let person = crate::server::person_from_headers(store, rules, headers)
        .await
        .map_err(status)?
        .ok_or(StatusCode::UNAUTHORIZED)?;
    let row = ssr::open(store, &person.actor, id).await.map_err(status)?;
    let figures = ssr::report_figures(store, &row).await.map_err(status)?;
    let status_line = match &row.finalised_at {
        Some(t) => format!(
            "Final, {}{}",
            crate::domain::calendar::london_date(*t).format("%-d %B %Y"),
            row.presented_on
                .map(|d| format!(
                    "; presented to the senior management team on {}",
                    d.format("%-d %B %Y")
                ))
                .unwrap_or_default()
        ),
        None => format!("DRAFT version {}, not final", row.version),
    };
    Ok((row, figures, status_line))
}

#[cfg(feature = "ssr")]
fn download(content_type: &str, file_name: String, bytes: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// The report as Word.
#[cfg(feature = "ssr")]
pub async fn report_docx(
    axum::extract::State(crate::server::AppState { store, site }): axum::extract::State<
        crate::server::AppState,
    >,
    axum::extract::Path(id): axum::extract::Path<i64>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (row, figures, status) =
        match report_for_download(&store, site.sessions, &headers, id).await {
            Ok(found) => found,
            Err(status) => return status.into_response(),
        };
    let doc = report_document(&ssr::period(&row), &row.sections(), &figures, &status);
    match crate::server::documents::docx::render(&doc) {
        Ok(bytes) => download(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            format!(
                "audit-summary-report-{}-{}.docx",
                row.first_month, row.last_month
            ),
            bytes,
        ),
        Err(error) => {
            tracing::error!(%error, report_id = id, "report docx failed");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The report's figures as Excel, one sheet per table.
#[cfg(feature = "ssr")]
pub async fn report_xlsx(
    axum::extract::State(crate::server::AppState { store, site }): axum::extract::State<
        crate::server::AppState,
    >,
    axum::extract::Path(id): axum::extract::Path<i64>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let (row, figures, _) = match report_for_download(&store, site.sessions, &headers, id).await {
        Ok(found) => found,
        Err(status) => return status.into_response(),
    };
    let sheets: Vec<(String, Vec<crate::server::documents::Table>)> = figures
        .tables
        .iter()
        .map(|t| (t.caption.clone(), vec![table_of(t)]))
        .collect();
    match crate::server::documents::xlsx::render(&sheets) {
        Ok(bytes) => download(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            format!("audit-figures-{}-{}.xlsx", row.first_month, row.last_month),
            bytes,
        ),
        Err(error) => {
            tracing::error!(%error, report_id = id, "report xlsx failed");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
