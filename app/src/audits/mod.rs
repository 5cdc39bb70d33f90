//! The audit itself: arranging the discussion, the graded form with autosave, feedback,
//! discussing the findings, completing and filing to the child's record.

#[cfg(feature = "ssr")]
mod document;
pub(crate) mod forms;
pub(crate) mod page;
pub(crate) mod template;

pub use page::{AuditPage, AuditRecordPage, AuditsPage};
pub use template::{
    audit_template, parse_template, publish_template, PublishTemplate, TemplatePage, MAX_DOMAINS,
};

use crate::domain::audit::{AuditDraft, AuditRole, AuditState, Grade, TemplateDomain};
use crate::AppError;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

pub use crate::domain::audit::AuditSummary;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscussionTime {
    pub id: i64,
    pub starts_at: NaiveDateTime,
    pub minutes: i64,
    pub proposer: String,
    pub by_me: bool,
    pub accepted: bool,
    /// When it was proposed: the audit's history lists each proposal.
    pub proposed_at: DateTime<Utc>,
}

/// The auditor's record that the discussion took place (London time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscussionHeld {
    pub held_at: NaiveDateTime,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    pub from_whom: String,
    pub how: String,
    pub given_on: NaiveDate,
    pub said: String,
    pub recorded_by: String,
    /// When it was recorded: the audit's history lists it.
    pub recorded_at: DateTime<Utc>,
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
    /// The case moved to another key worker while the audit was open: (from, to, when).
    pub handovers: Vec<(Option<String>, Option<String>, DateTime<Utc>)>,
    /// Each record that the discussion took place, oldest first (the last counts).
    pub held: Vec<DiscussionHeld>,
    /// While the discussion is still to come: why the findings cannot be confirmed yet.
    pub discussion_pending: Option<String>,
    /// Once moderated: whether the grades were confirmed, and each grade as completed and
    /// as moderated (the audit itself never changes).
    pub moderation: Option<(bool, Vec<ModeratedLine>)>,
}

/// One grade's title, as the auditor gave it and as moderated.
pub type ModeratedLine = (String, Grade, Grade);

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
    use crate::domain::audit::{next, Move, Party};
    use crate::server::Notices;
    use crate::store::{AuditRow, DiscussionHeldRow, DiscussionTimeRow, Store};

    pub use crate::server::audit_moved as moved;

    /// The notices of a move that tells nobody in particular beyond those who follow it.
    pub async fn move_notices(
        store: &Store,
        row: &AuditRow,
        state: AuditState,
    ) -> Result<Notices, AppError> {
        let mut notices = Notices::new();
        notices.events.push(moved(store, row, state).await?);
        Ok(notices)
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

    pub use crate::server::{
        audit_domains as domains, open_audit as open, saved_form as saved_draft,
    };

    /// Checks a move against the state machine for this person's part.
    pub fn check(row: &AuditRow, role: AuditRole, m: Move) -> Result<AuditState, AppError> {
        let party = match role {
            AuditRole::Auditor => Party::Auditor,
            AuditRole::KeyWorker => Party::KeyWorker,
            _ => Party::Other,
        };
        next(row.state, m, party)
            .map_err(|e| AppError::Invalid(vec![crate::FieldError::new("", e.to_string())]))
    }

    /// Reads the form as posted (`f[<field>]`), refusing bad values field by field.
    pub fn posted_draft(
        row: &AuditRow,
        fields: &HashMap<String, String>,
    ) -> Result<AuditDraft, AppError> {
        AuditDraft::from_fields(&domains(row)?, |k| fields.get(k).cloned()).map_err(|problems| {
            AppError::Invalid(
                problems
                    .into_iter()
                    .map(|p| crate::FieldError::new(&p.field, p.message))
                    .collect(),
            )
        })
    }

    /// The audit's discussion times and records that it took place, each read once.
    pub async fn discussion(
        store: &Store,
        audit_id: i64,
    ) -> Result<(Vec<DiscussionTimeRow>, Vec<DiscussionHeldRow>), AppError> {
        let failed = crate::server::failed;
        let times = store
            .discussion_times(audit_id)
            .await
            .map_err(failed("read discussion times"))?;
        let held = store
            .discussions_held(audit_id)
            .await
            .map_err(failed("read when the discussion took place"))?;
        Ok((times, held))
    }

    /// Why the findings cannot be confirmed yet, if they cannot: the discussion has not
    /// happened (its agreed time has not come, and the auditor has not recorded it).
    pub fn discussion_pending(
        times: &[DiscussionTimeRow],
        held: &[DiscussionHeldRow],
    ) -> Option<crate::domain::audit::DiscussionPending> {
        let agreed = times
            .iter()
            .find(|t| t.accepted_at.is_some())
            .map(|t| t.starts_at);
        crate::domain::audit::discussion_happened(
            agreed,
            held.last().map(|h| h.held_at),
            crate::server::clock::local_now(),
        )
        .err()
    }

    /// The key worker is asked to confirm the findings again.
    pub fn findings_changed_alert(row: &AuditRow) -> Option<crate::server::NewAlert> {
        Some(crate::server::NewAlert {
            person_id: row.key_worker_id?,
            kind: crate::domain::alert::AlertKind::FindingsChanged,
            case_id: Some(row.case_id),
            link: format!("/audits/{}", row.id),
            body: format!(
                "The auditor changed the grades or findings of the audit of case {} after you confirmed them. Read them and confirm again.",
                row.child_unique_id
            ),
        })
    }
}

/// What `/audits` shows: one page of the audits this person does or is involved in
/// (a Team or Service Manager's cover every year of their teams), newest round first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyAuditList {
    pub audits: Vec<AuditSummary>,
    /// How many audits match (all pages).
    pub total: usize,
    pub page: u32,
    pub pages: u32,
    /// The rounds the person's audits are in, newest first: the filter's choices.
    pub rounds: Vec<String>,
    /// The round shown, if the list is filtered to one.
    pub round: Option<String>,
}

/// Audits on one page of *My audits*.
pub const AUDITS_PER_PAGE: usize = 50;

/// Audits this person does or is involved in, with what waits on them: newest round
/// first, [`AUDITS_PER_PAGE`] to a page, optionally one round's (`round` is its month as
/// the list shows it, e.g. "January 2027").
#[server(endpoint = "my_audits", output = crate::codec::Compact)]
pub async fn my_audits(round: Option<String>, page: Option<u32>) -> Result<MyAuditList, AppError> {
    use crate::server::*;
    respond("my_audits", async move {
        let (store, actor) = signed_in().await?;
        let calendar = store
            .calendar()
            .await
            .map_err(failed("read the calendar"))?;
        let today = crate::server::clock::today();
        // Decided, sorted and counted from keys; only the page shown is read in full.
        let mut keys = store
            .audit_keys_visible_to(&actor, true)
            .await
            .map_err(failed("list a person's audits"))?;
        keys.sort_by(|a, b| b.due_on.cmp(&a.due_on).then(b.id.cmp(&a.id)));
        let label = |month: &str| {
            crate::domain::calendar::AuditMonth::parse(month)
                .map(|m| m.label())
                .unwrap_or_else(|| month.to_string())
        };
        let mut months: Vec<&str> = Vec::new();
        for k in &keys {
            if !months.contains(&k.audit_month.as_str()) {
                months.push(&k.audit_month);
            }
        }
        let rounds: Vec<String> = months.iter().map(|m| label(m)).collect();
        let round = round.filter(|r| rounds.contains(r));
        if let Some(r) = &round {
            let month = months[rounds.iter().position(|x| x == r).unwrap_or_default()].to_string();
            keys.retain(|k| k.audit_month == month);
        }
        let total = keys.len();
        let ids: Vec<i64> = keys.iter().map(|k| k.id).collect();
        let (ids, page, pages) =
            crate::domain::paging::page_of(ids, page.unwrap_or(1), AUDITS_PER_PAGE);
        let audits: Vec<AuditSummary> = store
            .audits_by_id(&ids)
            .await
            .map_err(failed("list a person's audits"))?
            .into_iter()
            .map(|row| row.summary(&calendar, actor.person_id, today))
            .collect();
        // Only what is shown was seen.
        for a in &audits {
            trail::touch(crate::domain::trail::Record::Audit(a.id));
        }
        Ok(MyAuditList {
            audits,
            total,
            page,
            pages,
            rounds,
            round,
        })
    })
    .await
}

#[server(endpoint = "audit_detail", output = crate::codec::Compact)]
pub async fn audit_detail(audit_id: i64) -> Result<AuditView, AppError> {
    use crate::server::*;
    respond("audit_detail", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
        let (store, actor) = signed_in().await?;
        let (row, role) = ssr::open(&store, &actor, audit_id).await?;
        let me = actor.person_id;
        let draft = ssr::saved_draft(&row);
        let calendar = store
            .calendar()
            .await
            .map_err(failed("read the calendar"))?;
        let domains = ssr::domains(&row)?;
        let moderation = match store
            .moderation_outcome(audit_id)
            .await
            .map_err(failed("read a moderation outcome"))?
        {
            Some(outcome) if role.reads_form() => {
                let original = store
                    .audit_grades(audit_id)
                    .await
                    .map_err(failed("read an audit's grades"))?;
                let moderated = store
                    .moderated_grades(audit_id)
                    .await
                    .map_err(failed("read moderated grades"))?;
                let title = |k: &str| {
                    domains
                        .iter()
                        .find(|d| d.key == k)
                        .map(|d| d.title.clone())
                        .unwrap_or_else(|| "Overall grade".into())
                };
                let mut lines: Vec<ModeratedLine> = original
                    .iter()
                    .filter_map(|(k, g)| moderated.get(k).map(|m| (k.clone(), *g, *m)))
                    .map(|(k, g, m)| (title(&k), g, m))
                    .collect();
                lines.sort_by_key(|(t, _, _)| t == "Overall grade");
                Some((outcome.outcome == "confirmed", lines))
            }
            _ => None,
        };
        let (times, held) = ssr::discussion(&store, audit_id).await?;
        let discussion_pending = match row.state {
            AuditState::DiscussionArranged | AuditState::InProgress => {
                ssr::discussion_pending(&times, &held).map(|p| p.to_string())
            }
            _ => None,
        };
        Ok(AuditView {
            moderation,
            summary: row.summary(&calendar, me, crate::server::clock::today()),
            role,
            version: row.version,
            template_version: row.template_version,
            domains,
            draft: role.reads_form().then_some(draft),
            saved: row.saved_by.clone().zip(row.saved_at),
            key_worker: row.key_worker.clone(),
            team_manager: row.team_manager.clone(),
            service_manager: row.service_manager.clone(),
            iro: row.iro.clone(),
            times: times
                .into_iter()
                .map(|t| DiscussionTime {
                    id: t.id,
                    starts_at: t.starts_at,
                    minutes: t.minutes,
                    proposer: t.proposer,
                    by_me: t.proposed_by == me,
                    accepted: t.accepted_at.is_some(),
                    proposed_at: t.proposed_at,
                })
                .collect(),
            feedback: store
                .feedback(audit_id)
                .await
                .map_err(failed("audit detail"))?
                .into_iter()
                // The IRO / CP Chair sees their own words, not the family's.
                .filter(|f| role != AuditRole::Iro || f.recorded_by_id == me)
                .map(|f| Feedback {
                    from_whom: f.from_whom,
                    how: f.how,
                    given_on: f.given_on,
                    said: f.said,
                    recorded_by: f.recorded_by,
                    recorded_at: f.recorded_at,
                })
                .collect(),
            reflection: row.reflection.clone().filter(|_| role.reads_form()),
            case_note: row.case_note.clone().filter(|_| role.reads_form()),
            cms_reference: row.cms_reference.clone(),
            completed_at: row.completed_at,
            handovers: store
                .audit_handovers(audit_id)
                .await
                .map_err(failed("read an audit's handovers"))?,
            moves: store
                .audit_moves(audit_id)
                .await
                .map_err(failed("audit detail"))?
                .into_iter()
                .filter_map(|m| Some((AuditState::from_code(&m.to_state)?, m.by, m.at)))
                .collect(),
            held: held
                .into_iter()
                .map(|h| DiscussionHeld {
                    held_at: h.held_at,
                    recorded_by: h.recorded_by,
                    recorded_at: h.recorded_at,
                })
                .collect(),
            discussion_pending,
        })
    })
    .await
}

#[cfg(feature = "ssr")]
use crate::domain::ics::parse_local_time as parse_time;

/// The auditor, or the key worker with another time, proposes up to three times.
#[server(endpoint = "propose_times", output = crate::codec::Compact)]
pub async fn propose_times(
    audit_id: i64,
    time_1: Option<String>,
    time_2: Option<String>,
    time_3: Option<String>,
    minutes: Option<String>,
) -> Result<usize, AppError> {
    use crate::domain::alert::AlertKind;
    use crate::server::*;
    use crate::FieldError;
    respond("propose_times", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
        let (store, actor) = signed_in().await?;
        let (row, role) = ssr::open(&store, &actor, audit_id).await?;
        if !matches!(role, AuditRole::Auditor | AuditRole::KeyWorker) {
            return Err(AppError::Forbidden);
        }
        if row.state != AuditState::Assigned {
            return Err(AppError::Invalid(vec![FieldError::new(
                "time-1",
                "The discussion is already arranged",
            )]));
        }
        let mut errors = Vec::new();
        let mut times = Vec::new();
        let now_local = crate::server::clock::local_now();
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
        let other = if role == AuditRole::Auditor {
            row.key_worker_id
        } else {
            Some(row.auditor_id)
        };
        let mut notices = Notices::new();
        if let Some(person_id) = other {
            notices.alert(NewAlert {
                person_id,
                kind: AlertKind::DiscussionProposed,
                case_id: Some(row.case_id),
                link: format!("/audits/{audit_id}"),
                body: format!(
                    "{} proposed to discuss the audit of case {}. Choose one.",
                    crate::domain::words::count(times.len(), "time", "times"),
                    row.child_unique_id
                ),
            });
        }
        store
            .propose_times(
                audit_id,
                &times,
                minutes,
                actor.person_id,
                crate::server::clock::now(),
                &notices,
            )
            .await
            .map_err(failed("propose discussion times"))?;
        committed(&notices);
        Ok(times.len())
    })
    .await
}

/// Accepts a time the other party proposed: the discussion is arranged.
#[server(endpoint = "accept_time", output = crate::codec::Compact)]
pub async fn accept_time(audit_id: i64, time_id: i64) -> Result<(), AppError> {
    use crate::domain::alert::AlertKind;
    use crate::domain::audit::Move;
    use crate::server::*;
    use crate::FieldError;
    respond("accept_time", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
        let (store, actor) = signed_in().await?;
        let (row, role) = ssr::open(&store, &actor, audit_id).await?;
        let to = ssr::check(&row, role, Move::AgreeDiscussion)?;
        let times = store
            .discussion_times(audit_id)
            .await
            .map_err(failed("read discussion times"))?;
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
        let when = crate::domain::audit::discussion_when(time.starts_at);
        let mut notices = ssr::move_notices(&store, &row, to).await?;
        for person_id in [Some(row.auditor_id), row.key_worker_id]
            .into_iter()
            .flatten()
        {
            notices.alert(NewAlert {
                person_id,
                kind: AlertKind::DiscussionAgreed,
                case_id: Some(row.case_id),
                link: format!("/audits/{audit_id}"),
                body: format!(
                    "The audit discussion for case {} is on {when}.",
                    row.child_unique_id
                ),
            });
        }
        if !store
            .accept_time(
                audit_id,
                time_id,
                actor.person_id,
                crate::server::clock::now(),
                &notices,
            )
            .await
            .map_err(failed("agree a discussion time"))?
        {
            return Err(AppError::Invalid(vec![FieldError::new(
                "time",
                "The discussion is already arranged",
            )]));
        }
        committed(&notices);
        Ok(())
    })
    .await
}

/// The auditor records that the discussion with the key worker took place, and when (a
/// London date and time): the key worker may then confirm the findings before the agreed
/// time. A later record corrects an earlier one; both stay in the history.
#[server(endpoint = "record_discussion_held", output = crate::codec::Compact)]
pub async fn record_discussion_held(
    audit_id: i64,
    held_at: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::alert::AlertKind;
    use crate::domain::audit::{discussion_when, parse_discussion_held};
    use crate::server::*;
    use crate::FieldError;
    respond("record_discussion_held", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
        let (store, actor) = signed_in().await?;
        let (row, role) = ssr::open(&store, &actor, audit_id).await?;
        if role != AuditRole::Auditor {
            return Err(AppError::Invalid(vec![FieldError::new(
                "",
                "Only the auditor can record that the discussion took place",
            )]));
        }
        if !matches!(
            row.state,
            AuditState::DiscussionArranged | AuditState::InProgress
        ) {
            return Err(AppError::Invalid(vec![FieldError::new(
                "held-at",
                format!(
                    "The audit is {}; the discussion can be recorded only between arranging it and the key worker confirming the findings",
                    row.state.label().to_lowercase()
                ),
            )]));
        }
        let arranged = store
            .discussion_times(audit_id)
            .await
            .map_err(failed("read discussion times"))?
            .into_iter()
            .find_map(|t| t.accepted_at)
            .map(crate::domain::calendar::london_time);
        let held_at = parse_discussion_held(
            held_at.as_deref().unwrap_or_default(),
            crate::server::clock::local_now(),
            arranged,
        )
        .map_err(|m| AppError::Invalid(vec![FieldError::new("held-at", m)]))?;
        let mut notices = ssr::move_notices(&store, &row, row.state).await?;
        if let Some(person_id) = row.key_worker_id {
            notices.alert(NewAlert {
                person_id,
                kind: AlertKind::DiscussionHeld,
                case_id: Some(row.case_id),
                link: format!("/audits/{audit_id}"),
                body: format!(
                    "The auditor recorded that the discussion of the audit of case {} took place on {}. You can confirm the findings once the draft is ready.",
                    row.child_unique_id,
                    discussion_when(held_at)
                ),
            });
        }
        if !store
            .record_discussion_held(
                audit_id,
                row.state,
                held_at,
                actor.person_id,
                crate::server::clock::now(),
                &notices,
            )
            .await
            .map_err(failed("record that a discussion took place"))?
        {
            return Err(ssr::stale(&store, audit_id).await);
        }
        committed(&notices);
        Ok(())
    })
    .await
}

/// Saves the draft form (`f[<field>]`), refusing a stale `version`. The first save starts the
/// audit and asks the IRO / CP Chair for their feedback; a change of grades or findings after
/// the key worker confirmed them asks the key worker to confirm again.
#[server(endpoint = "save_draft", output = crate::codec::Compact)]
pub async fn save_draft(
    audit_id: i64,
    version: i64,
    f: Option<HashMap<String, String>>,
) -> Result<i64, AppError> {
    use crate::domain::alert::AlertKind;
    use crate::domain::audit::Move;
    use crate::server::*;
    respond("save_draft", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
        let (store, actor) = signed_in().await?;
        let (row, role) = ssr::open(&store, &actor, audit_id).await?;
        let state = row.state;
        if role != AuditRole::Auditor {
            return Err(AppError::Forbidden);
        }
        if !matches!(state, AuditState::DiscussionArranged | AuditState::InProgress | AuditState::FindingsDiscussed) {
            return Err(AppError::Invalid(vec![crate::FieldError::new(
                "",
                format!("The form can be filled in once the discussion is arranged and until the audit is completed; it is {}", state.label().to_lowercase()),
            )]));
        }
        let draft = ssr::posted_draft(&row, &f.unwrap_or_default())?;
        let json = serde_json::to_string(&draft).map_err(failed("save draft"))?;
        let mut notices = Notices::new();
        let to = match state {
            AuditState::DiscussionArranged => {
                let to = ssr::check(&row, role, Move::Start)?;
                notices.events.push(ssr::moved(&store, &row, to).await?);
                if let Some(iro) = row.iro_id {
                    notices.alert(NewAlert {
                        person_id: iro,
                        kind: AlertKind::FeedbackRequested,
                        case_id: Some(row.case_id),
                        link: format!("/audits/{audit_id}"),
                        body: format!("Case {} is being audited. Give your feedback as IRO / CP Chair.", row.child_unique_id),
                    });
                }
                to
            }
            AuditState::FindingsDiscussed if draft.findings_differ(&ssr::saved_draft(&row)) => {
                let to = ssr::check(&row, role, Move::ChangeFindings)?;
                notices.events.push(ssr::moved(&store, &row, to).await?);
                if let Some(alert) = ssr::findings_changed_alert(&row) {
                    notices.alert(alert);
                }
                to
            }
            other => other,
        };
        let saved = store
            .save_draft(
                audit_id,
                version,
                &json,
                draft.overall.map(|g| g.code()),
                actor.person_id,
                crate::server::clock::now(),
                (state, to),
                &notices,
            )
            .await
            .map_err(failed("save an audit draft"))?;
        let Some(new_version) = saved else {
            return Err(ssr::stale(&store, audit_id).await);
        };
        committed(&notices);
        Ok(new_version)
    })
    .await
}

/// Records feedback. The auditor records anyone's; the IRO / CP Chair records their own.
#[server(endpoint = "record_feedback", output = crate::codec::Compact)]
pub async fn record_feedback(
    audit_id: i64,
    from_whom: Option<String>,
    how: String,
    given_on: String,
    said: String,
) -> Result<(), AppError> {
    use crate::server::*;
    use crate::FieldError;
    respond("record_feedback", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
        let (store, actor) = signed_in().await?;
        let (row, role) = ssr::open(&store, &actor, audit_id).await?;
        let from_whom = match role {
            AuditRole::Auditor => from_whom.unwrap_or_default(),
            AuditRole::Iro => "iro".to_string(),
            _ => return Err(AppError::Forbidden),
        };
        if row.state.locked() {
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
            Some(d) if d > crate::server::clock::today() => errors.push(FieldError::new(
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
                crate::server::clock::now(),
            )
            .await
            .map_err(failed("record feedback"))?;
        Ok(())
    })
    .await
}

/// The key worker confirms the findings were discussed, with their reflection.
#[server(endpoint = "confirm_findings", output = crate::codec::Compact)]
pub async fn confirm_findings(audit_id: i64, reflection: Option<String>) -> Result<(), AppError> {
    use crate::domain::alert::AlertKind;
    use crate::domain::audit::Move;
    use crate::server::*;
    respond("confirm_findings", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
        let (store, actor) = signed_in().await?;
        let (row, role) = ssr::open(&store, &actor, audit_id).await?;
        let to = ssr::check(&row, role, Move::ConfirmDiscussion)?;
        let (times, held) = ssr::discussion(&store, audit_id).await?;
        if let Some(pending) = ssr::discussion_pending(&times, &held) {
            return Err(AppError::Invalid(vec![crate::FieldError::new("", pending.to_string())]));
        }
        let reflection = reflection.unwrap_or_default();
        if reflection.chars().count() > crate::domain::audit::MAX_TEXT {
            return Err(AppError::Invalid(vec![crate::FieldError::new("reflection", "Your reflection must be 10000 characters or fewer")]));
        }
        let mut notices = ssr::move_notices(&store, &row, to).await?;
        notices.alert(NewAlert {
            person_id: row.auditor_id,
            kind: AlertKind::FindingsDiscussed,
            case_id: Some(row.case_id),
            link: format!("/audits/{audit_id}"),
            body: format!("The key worker confirmed the findings for case {} were discussed. You can complete the audit.", row.child_unique_id),
        });
        let moved = store
            .move_audit(audit_id, row.state, to, actor.person_id, crate::server::clock::now(), Some(("reflection", reflection.trim())), &notices)
            .await
            .map_err(failed("confirm an audit's findings"))?;
        if !moved {
            return Err(ssr::stale(&store, audit_id).await);
        }
        committed(&notices);
        Ok(())
    })
    .await
}

/// Completes the audit: saves the form as it is on the auditor's screen (`f[<field>]`, when
/// sent), locks it, files it to the case's record with its case note and required actions,
/// and tells the key worker, the Team Manager and the Service Manager, all in one
/// transaction.
#[server(endpoint = "complete_audit", output = crate::codec::Compact)]
pub async fn complete_audit(
    audit_id: i64,
    version: i64,
    f: Option<HashMap<String, String>>,
) -> Result<(), AppError> {
    use crate::domain::alert::AlertKind;
    use crate::domain::audit::{CaseNote, Move};
    use crate::server::*;
    use crate::store::Completion;
    use crate::FieldError;
    respond("complete_audit", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
        let (store, actor) = signed_in().await?;
        let (row, role) = ssr::open(&store, &actor, audit_id).await?;
        if row.state == AuditState::InProgress && role == AuditRole::Auditor {
            return Err(AppError::Invalid(vec![FieldError::new(
                "complete",
                "The key worker has not confirmed the findings as they stand. They are asked to confirm them; you can complete the audit once they have.",
            )]));
        }
        let to = ssr::check(&row, role, Move::Complete)?;
        if row.version != version {
            return Err(ssr::stale(&store, audit_id).await);
        }
        let saved = ssr::saved_draft(&row);
        let draft = match &f {
            Some(fields) => ssr::posted_draft(&row, fields)?,
            None => saved.clone(),
        };
        if draft.findings_differ(&saved) {
            // Changed on screen since the key worker confirmed: kept, and sent back to them.
            let changed = ssr::check(&row, role, Move::ChangeFindings)?;
            let mut notices = ssr::move_notices(&store, &row, changed).await?;
            if let Some(alert) = ssr::findings_changed_alert(&row) {
                notices.alert(alert);
            }
            let json = serde_json::to_string(&draft).map_err(failed("complete audit"))?;
            store
                .save_draft(audit_id, version, &json, draft.overall.map(|g| g.code()), actor.person_id, crate::server::clock::now(), (row.state, changed), &notices)
                .await
                .map_err(failed("save changed findings"))?
                .ok_or(AppError::Stale { by: "Someone".into(), version })?;
            committed(&notices);
            return Err(AppError::Invalid(vec![FieldError::new(
                "complete",
                "You changed the grades or findings after the key worker confirmed them. Your changes are saved and the key worker is asked to confirm them again; you can complete the audit once they have.",
            )]));
        }
        let domains = ssr::domains(&row)?;
        let problems = draft.completion_problems(&domains);
        if !problems.is_empty() {
            return Err(AppError::Invalid(
                problems
                    .into_iter()
                    .map(|p| FieldError::new(&p.field, p.message))
                    .collect(),
            ));
        }
        let Some(overall) = draft.overall else {
            return Err(AppError::Invalid(vec![FieldError::new("overall", "Choose the overall grade")]));
        };
        let today = crate::server::clock::today();
        let month = row.month_label();
        let note = CaseNote {
            child_unique_id: &row.child_unique_id,
            audit_month: &month,
            auditor: &row.auditor,
            completed_on: today,
            overall,
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
        let mut notices = ssr::move_notices(&store, &row, to).await?;
        let record = format!("/audits/{audit_id}/record");
        if let Some(kw) = row.key_worker_id {
            notices.alert(NewAlert {
                person_id: kw,
                kind: AlertKind::AuditFiled,
                case_id: Some(row.case_id),
                link: record.clone(),
                body: format!(
                    "The audit of case {} is filed to the child's record for your consideration ({}).",
                    row.child_unique_id,
                    crate::domain::words::count(actions.len(), "required action", "required actions")
                ),
            });
        }
        if let Some(tm) = row.team_manager_id.filter(|tm| Some(*tm) != row.key_worker_id) {
            notices.alert(NewAlert {
                person_id: tm,
                kind: AlertKind::AuditRecommendations,
                case_id: Some(row.case_id),
                link: record.clone(),
                body: format!(
                    "Audit recommendations to complete: case {} ({}).",
                    row.child_unique_id,
                    crate::domain::words::count(actions.len(), "required action", "required actions")
                ),
            });
        }
        if let Some(sm) = row
            .service_manager_id
            .filter(|sm| Some(*sm) != row.team_manager_id && Some(*sm) != row.key_worker_id)
        {
            notices.alert(NewAlert {
                person_id: sm,
                kind: AlertKind::AuditFiled,
                case_id: Some(row.case_id),
                link: record.clone(),
                body: format!(
                    "The audit of case {} is filed to the child's record.",
                    row.child_unique_id
                ),
            });
        }
        // Good or better goes to the Assistant Director with fewest open reviews.
        let assistant_director = if crate::domain::moderated::needs_assistant_director(overall) {
            let directors: Vec<i64> = store
                .people_with_role(crate::domain::Role::AssistantDirector)
                .await
                .map_err(failed("read the Assistant Directors"))?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            let open = store
                .open_reviews_of(&directors)
                .await
                .map_err(failed("count Assistant Directors' reviews"))?;
            crate::domain::moderated::assistant_director(&open, row.auditor_id)
        } else {
            None
        };
        if let Some(ad) = assistant_director {
            notices.alert(NewAlert {
                person_id: ad,
                kind: AlertKind::ModerationAsked,
                case_id: None,
                link: format!("/audits/{audit_id}/moderation"),
                body: format!(
                    "The audit of case {} is graded {}: moderate it as Assistant Director.",
                    row.child_unique_id,
                    overall.label().to_lowercase()
                ),
            });
        }
        let json = serde_json::to_string(&draft).map_err(failed("complete audit"))?;
        let grades: Vec<(String, &'static str)> = draft
            .grades(&domains)
            .into_iter()
            .map(|(key, grade)| (key, grade.code()))
            .collect();
        let done = store
            .complete_audit(
                audit_id,
                Completion {
                    version,
                    draft: &json,
                    overall_grade: Some(overall.code()),
                    case_note: &note,
                    actions: &actions,
                    grades: &grades,
                    assistant_director,
                },
                actor.person_id,
                crate::server::clock::now(),
                &notices,
            )
            .await
            .map_err(failed("complete an audit"))?;
        if !done {
            return Err(ssr::stale(&store, audit_id).await);
        }
        committed(&notices);
        tracing::info!(audit_id, person_id = actor.person_id, "audit completed");
        Ok(())
    })
    .await
}

/// The auditor records that the audit and case note are in the case-management system.
/// Filing the round's last open audit closes the round.
#[server(endpoint = "mark_uploaded", output = crate::codec::Compact)]
pub async fn mark_uploaded(audit_id: i64, reference: String) -> Result<(), AppError> {
    use crate::domain::audit::Move;
    use crate::server::*;
    use crate::FieldError;
    respond("mark_uploaded", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
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
        let notices = ssr::move_notices(&store, &row, to).await?;
        if !store
            .move_audit(
                audit_id,
                row.state,
                to,
                actor.person_id,
                crate::server::clock::now(),
                Some(("cms_reference", reference)),
                &notices,
            )
            .await
            .map_err(failed("file an audit"))?
        {
            return Err(ssr::stale(&store, audit_id).await);
        }
        committed(&notices);
        Ok(())
    })
    .await
}

/// For the plain axum handlers (downloads): the signed-in person's audit and their part
/// in it, or the HTTP status of the refusal.
#[cfg(feature = "ssr")]
async fn open_for_download(
    store: &crate::store::Store,
    rules: crate::domain::session::SessionRules,
    headers: &axum::http::HeaderMap,
    audit_id: i64,
) -> Result<(crate::store::AuditRow, AuditRole), axum::http::StatusCode> {
    use axum::http::StatusCode;
    let status =
        |e: AppError| StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let person = crate::server::person_from_headers(store, rules, headers)
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
    axum::extract::State(crate::server::AppState { store, site }): axum::extract::State<
        crate::server::AppState,
    >,
    axum::extract::Path(audit_id): axum::extract::Path<i64>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let (row, role) = match open_for_download(&store, site.sessions, &headers, audit_id).await {
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
        stamp: crate::server::clock::now(),
        starts_at: agreed.starts_at,
        minutes: agreed.minutes,
        summary: &format!("Case audit discussion: {}", row.child_unique_id),
        description: &format!(
            "Discussion of the audit of case {} between the auditor and the key worker.",
            row.child_unique_id
        ),
        // A calendar opens the link outside the app: it must be absolute.
        url: &format!(
            "{}/audits/{audit_id}",
            site.public_url.trim_end_matches('/')
        ),
        london: true,
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
    axum::extract::State(crate::server::AppState { store, site }): axum::extract::State<
        crate::server::AppState,
    >,
    axum::extract::Path(audit_id): axum::extract::Path<i64>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let (row, role) = match open_for_download(&store, site.sessions, &headers, audit_id).await {
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

/// The completed audit as Word, for the child's record.
#[cfg(feature = "ssr")]
pub async fn audit_docx(
    axum::extract::State(crate::server::AppState { store, site }): axum::extract::State<
        crate::server::AppState,
    >,
    axum::extract::Path(audit_id): axum::extract::Path<i64>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    document::download(
        store,
        site.sessions,
        audit_id,
        headers,
        document::Format::Word,
    )
    .await
}

/// The completed audit as PDF, for the child's record.
#[cfg(feature = "ssr")]
pub async fn audit_pdf(
    axum::extract::State(crate::server::AppState { store, site }): axum::extract::State<
        crate::server::AppState,
    >,
    axum::extract::Path(audit_id): axum::extract::Path<i64>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    document::download(
        store,
        site.sessions,
        audit_id,
        headers,
        document::Format::Pdf,
    )
    .await
}
