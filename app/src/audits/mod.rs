//! The audit itself: arranging the discussion, the graded form with autosave, feedback,
//! discussing the findings, completing and filing to the child's record.

mod page;
mod template;

pub use page::{deadline_tag, state_tag, AuditPage, AuditRecordPage, AuditTable, AuditsPage};
pub use template::{
    audit_template, parse_template, publish_template, PublishTemplate, TemplatePage, MAX_DOMAINS,
};

use crate::domain::audit::{AuditDraft, AuditRole, AuditState, Deadline, TemplateDomain};
use crate::AppError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditSummary {
    pub id: i64,
    pub case_id: i64,
    pub child_unique_id: String,
    pub team: String,
    pub month: String,
    pub due_on: NaiveDate,
    pub state: AuditState,
    pub deadline: Deadline,
    pub auditor: String,
    /// What the audit waits for from this person, if anything.
    pub waiting_on_you: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscussionTime {
    pub id: i64,
    pub starts_at: NaiveDateTime,
    pub minutes: i64,
    pub proposer: String,
    pub by_me: bool,
    pub accepted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    pub from_whom: String,
    pub how: String,
    pub given_on: NaiveDate,
    pub said: String,
    pub recorded_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditView {
    pub summary: AuditSummary,
    pub role: AuditRole,
    pub version: i64,
    pub template_version: i64,
    pub domains: Vec<TemplateDomain>,
    /// `None` for those who may not read the form (the IRO / CP Chair).
    pub draft: Option<AuditDraft>,
    pub saved: Option<(String, DateTime<Utc>)>,
    pub key_worker: Option<String>,
    pub team_manager: Option<String>,
    pub service_manager: Option<String>,
    pub iro: Option<String>,
    pub times: Vec<DiscussionTime>,
    pub feedback: Vec<Feedback>,
    pub reflection: Option<String>,
    pub case_note: Option<String>,
    pub cms_reference: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub moves: Vec<(AuditState, String, DateTime<Utc>)>,
}

impl AuditView {
    pub fn editable(&self) -> bool {
        self.role == AuditRole::Auditor
            && matches!(
                self.summary.state,
                AuditState::DiscussionArranged
                    | AuditState::InProgress
                    | AuditState::FindingsDiscussed
            )
    }
}

pub const FEEDBACK_FROM: [(&str, &str); 5] = [
    ("child", "The child or young person"),
    ("parent", "A parent"),
    ("carer", "A carer"),
    ("iro", "The IRO / CP Chair"),
    ("other", "Someone else"),
];
pub const FEEDBACK_HOW: [(&str, &str); 6] = [
    ("visit", "Visit"),
    ("phone", "Phone"),
    ("form", "Feedback form"),
    ("advocacy", "Through an advocate"),
    ("meeting", "Meeting"),
    ("email", "Email"),
];

pub fn label_of(options: &[(&str, &'static str)], code: &str) -> String {
    options
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| l.to_string())
        .unwrap_or_else(|| code.to_string())
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::*;
    use crate::domain::audit::{audit_access, deadline, next, AuditParties, Move, Party};
    use crate::domain::calendar::AuditMonth;
    use crate::domain::Actor;
    use crate::server::internal;
    use crate::store::{AuditRow, Store};

    /// Tells everyone who follows this audit that it moved: its auditor, key worker, Team
    /// and Service Managers and the programme (so dashboards and lists update). IDs only.
    /// Called after the move has committed; a failure is logged, never undoes the move.
    pub async fn announce(store: &Store, row: &AuditRow, state: AuditState) {
        let mut people: Vec<i64> = [
            Some(row.auditor_id),
            row.key_worker_id,
            row.team_manager_id,
            row.service_manager_id,
        ]
        .into_iter()
        .flatten()
        .collect();
        match store.programme_people().await {
            Ok(p) => people.extend(p),
            Err(e) => tracing::warn!(error = %e, "programme not told of an audit move"),
        }
        people.sort_unstable();
        people.dedup();
        let data = serde_json::json!({ "audit_id": row.id, "state": state.code() }).to_string();
        match store
            .insert_events(&people, "audit", &data, chrono::Utc::now())
            .await
        {
            Ok(()) => {
                if let Some(site) = leptos::prelude::use_context::<crate::server::SiteSettings>() {
                    site.events.0.published(&people);
                }
            }
            Err(e) => tracing::error!(audit_id = row.id, error = %e, "audit move not announced"),
        }
    }

    /// The refusal for a save or move made against an older version.
    pub async fn stale(store: &Store, audit_id: i64) -> AppError {
        match store.audit(audit_id).await {
            Ok(Some(row)) => AppError::Stale {
                by: row.saved_by.unwrap_or_else(|| "Someone".into()),
                version: row.version,
            },
            _ => AppError::Stale {
                by: "Someone".into(),
                version: 0,
            },
        }
    }

    pub fn parties(row: &AuditRow) -> AuditParties {
        AuditParties {
            auditor_id: row.auditor_id,
            key_worker_id: row.key_worker_id,
            team_manager_id: row.team_manager_id,
            service_manager_id: row.service_manager_id,
            iro_id: row.iro_id,
        }
    }

    pub fn state(row: &AuditRow) -> Result<AuditState, AppError> {
        AuditState::from_code(&row.state).ok_or_else(|| internal("unknown audit state"))
    }

    pub fn domains(row: &AuditRow) -> Result<Vec<TemplateDomain>, AppError> {
        serde_json::from_str(&row.domains).map_err(internal)
    }

    /// The audit and why this person may open it; refusals are logged with IDs only.
    pub async fn open(
        store: &Store,
        actor: &Actor,
        audit_id: i64,
    ) -> Result<(AuditRow, AuditRole), AppError> {
        let row = store
            .audit(audit_id)
            .await
            .map_err(internal)?
            .ok_or(AppError::NotFound)?;
        match audit_access(actor, &parties(&row), state(&row)?) {
            Some(role) => Ok((row, role)),
            None => {
                tracing::warn!(
                    audit_id,
                    person_id = actor.person_id,
                    "audit refused: no need to know"
                );
                Err(AppError::Forbidden)
            }
        }
    }

    /// Checks a move against the state machine for this person's part.
    pub fn check(row: &AuditRow, role: AuditRole, m: Move) -> Result<AuditState, AppError> {
        let party = match role {
            AuditRole::Auditor => Party::Auditor,
            AuditRole::KeyWorker => Party::KeyWorker,
            _ => Party::Other,
        };
        next(state(row)?, m, party)
            .map_err(|e| AppError::Invalid(vec![crate::FieldError::new("", e.to_string())]))
    }

    pub fn month_label(row: &AuditRow) -> String {
        AuditMonth::parse(&row.audit_month)
            .map(|m| m.label())
            .unwrap_or_else(|| row.audit_month.clone())
    }

    /// The audits this person may open among those they are involved in, with the part
    /// they play in each.
    /// With `managed`, also the audits of teams they manage.
    pub async fn involving(
        store: &Store,
        actor: &Actor,
        managed: bool,
    ) -> Result<Vec<(AuditRole, AuditSummary)>, AppError> {
        let calendar = crate::rounds::ssr_calendar(store).await?;
        let mut out = Vec::new();
        for row in store
            .audits_involving(actor.person_id, managed)
            .await
            .map_err(internal)?
        {
            if let Some(role) = audit_access(actor, &parties(&row), state(&row)?) {
                out.push((role, summary(&calendar, &row, actor.person_id)?));
            }
        }
        Ok(out)
    }

    pub fn summary(
        calendar: &crate::domain::calendar::WorkingCalendar,
        row: &AuditRow,
        me: i64,
    ) -> Result<AuditSummary, AppError> {
        let state = state(row)?;
        let today = chrono::Local::now().date_naive();
        let waiting = match state {
            AuditState::Assigned if row.auditor_id == me => {
                Some("Propose times for the discussion")
            }
            AuditState::Assigned if row.key_worker_id == Some(me) => {
                Some("Agree a time for the discussion")
            }
            AuditState::DiscussionArranged | AuditState::InProgress if row.auditor_id == me => {
                Some("Complete the audit form")
            }
            AuditState::InProgress if row.key_worker_id == Some(me) => {
                Some("Discuss the findings and confirm")
            }
            AuditState::FindingsDiscussed if row.auditor_id == me => Some("Complete the audit"),
            AuditState::Completed if row.auditor_id == me => {
                Some("Upload to the case record and add the reference")
            }
            _ => None,
        };
        Ok(AuditSummary {
            id: row.id,
            case_id: row.case_id,
            child_unique_id: row.child_unique_id.clone(),
            team: row.team.clone(),
            month: month_label(row),
            due_on: row.due_on,
            state,
            deadline: deadline(state, row.due_on, today, calendar),
            auditor: row.auditor.clone(),
            waiting_on_you: waiting.map(String::from),
        })
    }
}

/// Audits this person does or is involved in, with what waits on them.
#[server(endpoint = "my_audits")]
pub async fn my_audits() -> Result<Vec<AuditSummary>, AppError> {
    use crate::server::*;
    respond(async move {
        let (store, actor) = signed_in().await?;
        Ok(ssr::involving(&store, &actor, true)
            .await?
            .into_iter()
            .map(|(_, summary)| summary)
            .collect())
    })
    .await
}

#[server(endpoint = "audit_detail")]
pub async fn audit_detail(audit_id: i64) -> Result<AuditView, AppError> {
    use crate::server::*;
    respond(async move {
        let (store, actor) = signed_in().await?;
        let (row, role) = ssr::open(&store, &actor, audit_id).await?;
        let me = actor.person_id;
        let draft: AuditDraft = serde_json::from_str(&row.draft).unwrap_or_default();
        Ok(AuditView {
            summary: ssr::summary(&crate::rounds::ssr_calendar(&store).await?, &row, me)?,
            role,
            version: row.version,
            template_version: row.template_version,
            domains: ssr::domains(&row)?,
            draft: role.reads_form().then_some(draft),
            saved: row.saved_by.clone().zip(row.saved_at),
            key_worker: row.key_worker.clone(),
            team_manager: row.team_manager.clone(),
            service_manager: row.service_manager.clone(),
            iro: row.iro.clone(),
            times: store
                .discussion_times(audit_id)
                .await
                .map_err(internal)?
                .into_iter()
                .map(|t| DiscussionTime {
                    id: t.id,
                    starts_at: t.starts_at,
                    minutes: t.minutes,
                    proposer: t.proposer,
                    by_me: t.proposed_by == me,
                    accepted: t.accepted_at.is_some(),
                })
                .collect(),
            feedback: store
                .feedback(audit_id)
                .await
                .map_err(internal)?
                .into_iter()
                // The IRO / CP Chair sees their own words, not the family's.
                .filter(|f| role != AuditRole::Iro || f.recorded_by_id == me)
                .map(|f| Feedback {
                    from_whom: f.from_whom,
                    how: f.how,
                    given_on: f.given_on,
                    said: f.said,
                    recorded_by: f.recorded_by,
                })
                .collect(),
            reflection: row.reflection.clone().filter(|_| role.reads_form()),
            case_note: row.case_note.clone().filter(|_| role.reads_form()),
            cms_reference: row.cms_reference.clone(),
            completed_at: row.completed_at,
            moves: store
                .audit_moves(audit_id)
                .await
                .map_err(internal)?
                .into_iter()
                .filter_map(|m| Some((AuditState::from_code(&m.to_state)?, m.by, m.at)))
                .collect(),
        })
    })
    .await
}

#[cfg(feature = "ssr")]
fn parse_time(raw: &str) -> Option<NaiveDateTime> {
    let raw = raw.trim();
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .ok()
}

/// The auditor, or the key worker with another time, proposes up to three times.
#[server(endpoint = "propose_times")]
pub async fn propose_times(
    audit_id: i64,
    time_1: Option<String>,
    time_2: Option<String>,
    time_3: Option<String>,
    minutes: Option<String>,
) -> Result<usize, AppError> {
    use crate::server::*;
    use crate::trays::{raise, AlertKind, NewAlert};
    use crate::FieldError;
    respond(async move {
        let (store, actor) = signed_in().await?;
        let (row, role) = ssr::open(&store, &actor, audit_id).await?;
        if !matches!(role, AuditRole::Auditor | AuditRole::KeyWorker) {
            return Err(AppError::Forbidden);
        }
        if ssr::state(&row)? != AuditState::Assigned {
            return Err(AppError::Invalid(vec![FieldError::new(
                "time-1",
                "The discussion is already arranged",
            )]));
        }
        let mut errors = Vec::new();
        let mut times = Vec::new();
        let now_local = chrono::Local::now().naive_local();
        for (n, raw) in [time_1, time_2, time_3].into_iter().enumerate() {
            let field = format!("time-{}", n + 1);
            match raw.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
                None => {}
                Some(raw) => match parse_time(raw) {
                    Some(t) if t > now_local => times.push(t),
                    Some(_) => errors.push(FieldError::new(&field, "Choose a time in the future")),
                    None => errors.push(FieldError::new(
                        &field,
                        "Enter a date and time, for example 12/01/2027 10:00",
                    )),
                },
            }
        }
        if errors.is_empty() && times.is_empty() {
            errors.push(FieldError::new("time-1", "Propose at least one time"));
        }
        let minutes = match minutes.as_deref().map(str::trim).unwrap_or("60") {
            "" => 60,
            m => match m.parse::<i64>() {
                Ok(m) if (15..=240).contains(&m) => m,
                _ => {
                    errors.push(FieldError::new(
                        "minutes",
                        "The length must be between 15 and 240 minutes",
                    ));
                    60
                }
            },
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        store
            .propose_times(
                audit_id,
                &times,
                minutes,
                actor.person_id,
                chrono::Utc::now(),
            )
            .await
            .map_err(internal)?;
        let other = if role == AuditRole::Auditor {
            row.key_worker_id
        } else {
            Some(row.auditor_id)
        };
        raise(
            &store,
            other
                .map(|person_id| NewAlert {
                    person_id,
                    kind: AlertKind::DiscussionProposed,
                    case_id: Some(row.case_id),
                    link: format!("/audits/{audit_id}"),
                    body: format!(
                        "{} time(s) proposed to discuss the audit of case {}. Choose one.",
                        times.len(),
                        row.child_unique_id
                    ),
                })
                .into_iter()
                .collect(),
        )
        .await;
        Ok(times.len())
    })
    .await
}

/// Accepts a time the other party proposed: the discussion is arranged.
#[server(endpoint = "accept_time")]
pub async fn accept_time(audit_id: i64, time_id: i64) -> Result<(), AppError> {
    use crate::domain::audit::Move;
    use crate::server::*;
    use crate::trays::{raise, AlertKind, NewAlert};
    use crate::FieldError;
    respond(async move {
        let (store, actor) = signed_in().await?;
        let (row, role) = ssr::open(&store, &actor, audit_id).await?;
        ssr::check(&row, role, Move::AgreeDiscussion)?;
        let times = store.discussion_times(audit_id).await.map_err(internal)?;
        let time = times.iter().find(|t| t.id == time_id).ok_or_else(|| {
            AppError::Invalid(vec![FieldError::new(
                "time",
                "Choose one of the proposed times",
            )])
        })?;
        if time.proposed_by == actor.person_id {
            return Err(AppError::Invalid(vec![FieldError::new(
                "time",
                "The other person agrees a time you proposed",
            )]));
        }
        if !store
            .accept_time(audit_id, time_id, actor.person_id, chrono::Utc::now())
            .await
            .map_err(internal)?
        {
            return Err(AppError::Invalid(vec![FieldError::new(
                "time",
                "The discussion is already arranged",
            )]));
        }
        ssr::announce(&store, &row, AuditState::DiscussionArranged).await;
        let when = time.starts_at.format("%A %-d %B %Y at %H:%M").to_string();
        let alerts = [Some(row.auditor_id), row.key_worker_id]
            .into_iter()
            .flatten()
            .map(|person_id| NewAlert {
                person_id,
                kind: AlertKind::DiscussionAgreed,
                case_id: Some(row.case_id),
                link: format!("/audits/{audit_id}"),
                body: format!(
                    "The audit discussion for case {} is on {when}.",
                    row.child_unique_id
                ),
            })
            .collect();
        raise(&store, alerts).await;
        Ok(())
    })
    .await
}

/// Saves the draft form (`f[<field>]`), refusing a stale `version`. The first save starts the
/// audit and asks the IRO / CP Chair for their feedback.
#[server(endpoint = "save_draft")]
pub async fn save_draft(
    audit_id: i64,
    version: i64,
    f: Option<HashMap<String, String>>,
) -> Result<i64, AppError> {
    use crate::server::*;
    use crate::trays::{raise, AlertKind, NewAlert};
    respond(async move {
        let (store, actor) = signed_in().await?;
        let (row, role) = ssr::open(&store, &actor, audit_id).await?;
        let state = ssr::state(&row)?;
        if role != AuditRole::Auditor {
            return Err(AppError::Forbidden);
        }
        if !matches!(state, AuditState::DiscussionArranged | AuditState::InProgress | AuditState::FindingsDiscussed) {
            return Err(AppError::Invalid(vec![crate::FieldError::new(
                "",
                format!("The form can be filled in once the discussion is arranged and until the audit is completed; it is {}", state.label().to_lowercase()),
            )]));
        }
        let fields = f.unwrap_or_default();
        let draft = AuditDraft::from_fields(&ssr::domains(&row)?, |k| fields.get(k).cloned()).map_err(|problems| {
            AppError::Invalid(problems.into_iter().map(|p| crate::FieldError::new(&p.field, p.message)).collect())
        })?;
        let json = serde_json::to_string(&draft).map_err(internal)?;
        let saved = store
            .save_draft(
                audit_id,
                version,
                &json,
                draft.overall.map(|g| g.code()),
                actor.person_id,
                chrono::Utc::now(),
            )
            .await
            .map_err(internal)?;
        let Some(new_version) = saved else {
            return Err(ssr::stale(&store, audit_id).await);
        };
        if state == AuditState::DiscussionArranged {
            ssr::announce(&store, &row, AuditState::InProgress).await;
            if let Some(iro) = row.iro_id {
                raise(
                    &store,
                    vec![NewAlert {
                        person_id: iro,
                        kind: AlertKind::FeedbackRequested,
                        case_id: Some(row.case_id),
                        link: format!("/audits/{audit_id}"),
                        body: format!("Case {} is being audited. Give your feedback as IRO / CP Chair.", row.child_unique_id),
                    }],
                )
                .await;
            }
        }
        Ok(new_version)
    })
    .await
}

/// Records feedback. The auditor records anyone's; the IRO / CP Chair records their own.
#[server(endpoint = "record_feedback")]
pub async fn record_feedback(
    audit_id: i64,
    from_whom: Option<String>,
    how: String,
    given_on: String,
    said: String,
) -> Result<(), AppError> {
    use crate::server::*;
    use crate::FieldError;
    respond(async move {
        let (store, actor) = signed_in().await?;
        let (row, role) = ssr::open(&store, &actor, audit_id).await?;
        let from_whom = match role {
            AuditRole::Auditor => from_whom.unwrap_or_default(),
            AuditRole::Iro => "iro".to_string(),
            _ => return Err(AppError::Forbidden),
        };
        if ssr::state(&row)?.locked() {
            return Err(AppError::Invalid(vec![FieldError::new(
                "said",
                "The audit is completed; feedback is closed",
            )]));
        }
        let mut errors = Vec::new();
        if !FEEDBACK_FROM.iter().any(|(c, _)| *c == from_whom) {
            errors.push(FieldError::new("from-whom", "Choose who gave the feedback"));
        }
        if !FEEDBACK_HOW.iter().any(|(c, _)| *c == how) {
            errors.push(FieldError::new("how", "Choose how the feedback was given"));
        }
        let given_on = NaiveDate::parse_from_str(given_on.trim(), "%Y-%m-%d").ok();
        match given_on {
            None => errors.push(FieldError::new(
                "given-on",
                "Enter the date the feedback was given",
            )),
            Some(d) if d > chrono::Local::now().date_naive() => errors.push(FieldError::new(
                "given-on",
                "The date cannot be in the future",
            )),
            _ => {}
        }
        let said = said.trim();
        if said.is_empty() {
            errors.push(FieldError::new(
                "said",
                "Enter what they said, in their words",
            ));
        } else if said.chars().count() > crate::domain::audit::MAX_TEXT {
            errors.push(FieldError::new(
                "said",
                "What they said must be 10000 characters or fewer",
            ));
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        store
            .add_feedback(
                audit_id,
                &from_whom,
                &how,
                given_on.expect("checked"),
                said,
                actor.person_id,
                chrono::Utc::now(),
            )
            .await
            .map_err(internal)?;
        Ok(())
    })
    .await
}

/// The key worker confirms the findings were discussed, with their reflection.
#[server(endpoint = "confirm_findings")]
pub async fn confirm_findings(audit_id: i64, reflection: Option<String>) -> Result<(), AppError> {
    use crate::domain::audit::Move;
    use crate::server::*;
    use crate::trays::{raise, AlertKind, NewAlert};
    respond(async move {
        let (store, actor) = signed_in().await?;
        let (row, role) = ssr::open(&store, &actor, audit_id).await?;
        let to = ssr::check(&row, role, Move::ConfirmDiscussion)?;
        let reflection = reflection.unwrap_or_default();
        if reflection.chars().count() > crate::domain::audit::MAX_TEXT {
            return Err(AppError::Invalid(vec![crate::FieldError::new("reflection", "Your reflection must be 10000 characters or fewer")]));
        }
        let moved = store
            .move_audit(audit_id, &row.state, to.code(), actor.person_id, chrono::Utc::now(), Some(("reflection", reflection.trim())))
            .await
            .map_err(internal)?;
        if !moved {
            return Err(ssr::stale(&store, audit_id).await);
        }
        ssr::announce(&store, &row, AuditState::FindingsDiscussed).await;
        raise(
            &store,
            vec![NewAlert {
                person_id: row.auditor_id,
                kind: AlertKind::FindingsDiscussed,
                case_id: Some(row.case_id),
                link: format!("/audits/{audit_id}"),
                body: format!("The key worker confirmed the findings for case {} were discussed. You can complete the audit.", row.child_unique_id),
            }],
        )
        .await;
        Ok(())
    })
    .await
}

/// Completes the audit: locks it, files it to the case's record with its case note and
/// required actions, and tells the Team Manager and Service Manager.
#[server(endpoint = "complete_audit")]
pub async fn complete_audit(audit_id: i64, version: i64) -> Result<(), AppError> {
    use crate::domain::audit::{CaseNote, Move};
    use crate::server::*;
    use crate::store::Completion;
    use crate::trays::{raise, AlertKind, NewAlert};
    respond(async move {
        let (store, actor) = signed_in().await?;
        let (row, role) = ssr::open(&store, &actor, audit_id).await?;
        ssr::check(&row, role, Move::Complete)?;
        if row.version != version {
            return Err(ssr::stale(&store, audit_id).await);
        }
        let domains = ssr::domains(&row)?;
        let draft: AuditDraft = serde_json::from_str(&row.draft).unwrap_or_default();
        let problems = draft.completion_problems(&domains);
        if !problems.is_empty() {
            return Err(AppError::Invalid(
                problems
                    .into_iter()
                    .map(|p| crate::FieldError::new(&p.field, p.message))
                    .collect(),
            ));
        }
        let today = chrono::Local::now().date_naive();
        let month = ssr::month_label(&row);
        let note = CaseNote {
            child_unique_id: &row.child_unique_id,
            audit_month: &month,
            auditor: &row.auditor,
            completed_on: today,
            overall: draft.overall.expect("checked"),
            actions: &draft.actions,
            team_manager: row.team_manager.as_deref(),
            service_manager: row.service_manager.as_deref(),
        }
        .text();
        let actions: Vec<(String, String, NaiveDate, bool)> = draft
            .actions
            .iter()
            .filter_map(|a| {
                Some((
                    a.action.trim().to_string(),
                    a.owner.trim().to_string(),
                    NaiveDate::parse_from_str(&a.due_on, "%Y-%m-%d").ok()?,
                    a.status == crate::domain::audit::ActionStatus::Done,
                ))
            })
            .collect();
        let done = store
            .complete_audit(
                audit_id,
                Completion {
                    version,
                    draft: &row.draft,
                    case_note: &note,
                    actions: &actions,
                },
                actor.person_id,
                chrono::Utc::now(),
            )
            .await
            .map_err(internal)?;
        if !done {
            return Err(ssr::stale(&store, audit_id).await);
        }
        let mut alerts = Vec::new();
        if let Some(tm) = row.team_manager_id {
            alerts.push(NewAlert {
                person_id: tm,
                kind: AlertKind::AuditRecommendations,
                case_id: Some(row.case_id),
                link: format!("/audits/{audit_id}/record"),
                body: format!(
                    "Audit recommendations to complete: case {} ({} required actions).",
                    row.child_unique_id,
                    actions.len()
                ),
            });
        }
        if let Some(sm) = row
            .service_manager_id
            .filter(|sm| Some(*sm) != row.team_manager_id)
        {
            alerts.push(NewAlert {
                person_id: sm,
                kind: AlertKind::AuditFiled,
                case_id: Some(row.case_id),
                link: format!("/audits/{audit_id}/record"),
                body: format!(
                    "The audit of case {} is filed to the child's record.",
                    row.child_unique_id
                ),
            });
        }
        raise(&store, alerts).await;
        tracing::info!(audit_id, person_id = actor.person_id, "audit completed");
        ssr::announce(&store, &row, AuditState::Completed).await;
        Ok(())
    })
    .await
}

/// The auditor records that the audit and case note are in the case-management system.
#[server(endpoint = "mark_uploaded")]
pub async fn mark_uploaded(audit_id: i64, reference: String) -> Result<(), AppError> {
    use crate::domain::audit::Move;
    use crate::server::*;
    use crate::FieldError;
    respond(async move {
        let (store, actor) = signed_in().await?;
        let (row, role) = ssr::open(&store, &actor, audit_id).await?;
        let to = ssr::check(&row, role, Move::File)?;
        let reference = reference.trim();
        if reference.is_empty() || reference.chars().count() > 100 {
            return Err(AppError::Invalid(vec![FieldError::new(
                "reference",
                "Enter the case-management system's reference, up to 100 characters",
            )]));
        }
        if !store
            .move_audit(
                audit_id,
                &row.state,
                to.code(),
                actor.person_id,
                chrono::Utc::now(),
                Some(("cms_reference", reference)),
            )
            .await
            .map_err(internal)?
        {
            return Err(ssr::stale(&store, audit_id).await);
        }
        ssr::announce(&store, &row, AuditState::FiledToRecord).await;
        Ok(())
    })
    .await
}

/// For the plain axum handlers (downloads): the signed-in person's audit and their part
/// in it, or the HTTP status of the refusal.
#[cfg(feature = "ssr")]
async fn open_for_download(
    store: &crate::store::Store,
    headers: &axum::http::HeaderMap,
    audit_id: i64,
) -> Result<(crate::store::AuditRow, AuditRole), axum::http::StatusCode> {
    use axum::http::StatusCode;
    let status =
        |e: AppError| StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let person = crate::server::person_from_headers(store, headers)
        .await
        .map_err(status)?
        .ok_or(StatusCode::UNAUTHORIZED)?;
    ssr::open(store, &person.actor, audit_id)
        .await
        .map_err(status)
}

/// The agreed discussion as an `.ics` invitation, for the auditor and key worker.
#[cfg(feature = "ssr")]
pub async fn discussion_ics(
    axum::extract::State(store): axum::extract::State<crate::store::Store>,
    axum::extract::Path(audit_id): axum::extract::Path<i64>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let (row, role) = match open_for_download(&store, &headers, audit_id).await {
        Ok(found) => found,
        Err(status) => return status.into_response(),
    };
    if !matches!(
        role,
        AuditRole::Auditor | AuditRole::KeyWorker | AuditRole::Programme
    ) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let Ok(times) = store.discussion_times(audit_id).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Some(agreed) = times.into_iter().find(|t| t.accepted_at.is_some()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let ics = crate::domain::ics::Invitation {
        uid: format!("audit-{audit_id}-discussion-{}@practice-audit", agreed.id),
        stamp: chrono::Utc::now(),
        starts_at: agreed.starts_at,
        minutes: agreed.minutes,
        summary: &format!("Case audit discussion: {}", row.child_unique_id),
        description: &format!(
            "Discussion of the audit of case {} between the auditor and the key worker.",
            row.child_unique_id
        ),
        url: &format!("/audits/{audit_id}"),
    }
    .to_ics();
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"audit-{audit_id}-discussion.ics\""),
            ),
        ],
        ics,
    )
        .into_response()
}

/// The filed case note as plain text, to paste or upload into the case-management system.
#[cfg(feature = "ssr")]
pub async fn case_note_txt(
    axum::extract::State(store): axum::extract::State<crate::store::Store>,
    axum::extract::Path(audit_id): axum::extract::Path<i64>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let (row, role) = match open_for_download(&store, &headers, audit_id).await {
        Ok(found) => found,
        Err(status) => return status.into_response(),
    };
    match row.case_note.filter(|_| role.reads_form()) {
        None => StatusCode::NOT_FOUND.into_response(),
        Some(note) => (
            [
                (
                    header::CONTENT_TYPE,
                    "text/plain; charset=utf-8".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"audit-{audit_id}-case-note.txt\""),
                ),
            ],
            note,
        )
            .into_response(),
    }
}
