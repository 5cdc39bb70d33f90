//! The audit action review: the QA Manager assigns it to the case's Team Manager, who
//! records progress and evidence per action, may add actions, and finalises; the QA
//! Manager is told. Once an audit is filed only its review changes an action's status.

pub(crate) mod page;

pub use page::{ActionReviewPage, ActionReviewsPage};

use crate::domain::action_review::ActionProgress;
use crate::AppError;
use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How a filed audit's review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewStatus {
    NotAssigned,
    Assigned,
    Finalised,
}

impl ReviewStatus {
    pub fn label(self) -> &'static str {
        match self {
            ReviewStatus::NotAssigned => "Not assigned",
            ReviewStatus::Assigned => "With the Team Manager",
            ReviewStatus::Finalised => "Finalised",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewListing {
    pub audit_id: i64,
    pub round_id: i64,
    pub child_unique_id: String,
    pub team: String,
    pub month: String,
    pub reviewer: Option<String>,
    pub status: ReviewStatus,
    pub actions: i64,
    pub open: i64,
    pub overdue: i64,
    /// The review is this person's to complete.
    pub mine: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionReviewsView {
    pub reviews: Vec<ReviewListing>,
    /// Whether this person assigns reviews (the QA Manager).
    pub assigns: bool,
    /// Rounds with reviews not yet assigned: (round ID, month, how many).
    pub unassigned_rounds: Vec<(i64, String, usize)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionUpdateView {
    pub progress: String,
    pub evidence: String,
    pub link: Option<String>,
    pub status: ActionProgress,
    pub on: NaiveDate,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewAction {
    pub id: i64,
    pub action: String,
    pub owner: String,
    pub due_on: NaiveDate,
    pub status: ActionProgress,
    pub done_on: Option<NaiveDate>,
    pub overdue: bool,
    /// Who added it in the review; `None` for the auditor's own actions.
    pub added_by: Option<String>,
    pub updates: Vec<ActionUpdateView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionReviewView {
    pub audit_id: i64,
    pub child_unique_id: String,
    pub team: String,
    pub month: String,
    pub filed_on: NaiveDate,
    pub reviewer: String,
    pub assigned: String,
    pub finalised: Option<String>,
    pub cms_reference: Option<String>,
    pub actions: Vec<ReviewAction>,
    /// The reviewer, while the review is open.
    pub editable: bool,
    /// Today in the council's time, the date an update defaults to.
    pub today: NaiveDate,
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::domain::{Actor, Role};
    use crate::server::{failed, LiveEvent};
    use crate::store::{AuditRow, Store};

    /// The audit, if this person may read its review: anyone who may read the filed form
    /// (not the IRO / CP Chair), and the reviewer.
    pub async fn open(
        store: &Store,
        actor: &Actor,
        audit_id: i64,
    ) -> Result<(AuditRow, Option<crate::store::ActionReviewRow>), AppError> {
        let (row, role) = crate::server::open_audit(store, actor, audit_id).await?;
        let review = store
            .action_review(audit_id)
            .await
            .map_err(failed("read an action review"))?;
        let reviewer = review
            .as_ref()
            .is_some_and(|r| r.reviewer_id == actor.person_id);
        if !reviewer && !role.reads_form() || !row.state.locked() {
            tracing::warn!(
                audit_id,
                person_id = actor.person_id,
                "action review refused"
            );
            return Err(AppError::Forbidden);
        }
        Ok((row, review))
    }

    /// The review is this person's to change: they are its reviewer, it is open, and
    /// they still hold a manager's role.
    pub fn editing(
        actor: &Actor,
        review: Option<&crate::store::ActionReviewRow>,
    ) -> Result<(), AppError> {
        match review {
            Some(r)
                if r.reviewer_id == actor.person_id
                    && actor.roles.any(&[Role::TeamManager, Role::ServiceManager]) =>
            {
                if r.finalised_at.is_some() {
                    Err(AppError::Invalid(vec![crate::FieldError::new(
                        "",
                        "This action review is finalised and can no longer be changed",
                    )]))
                } else {
                    Ok(())
                }
            }
            _ => Err(AppError::Forbidden),
        }
    }

    /// Everyone following the audit (and dashboards) hears that its actions changed.
    pub async fn changed(store: &Store, row: &AuditRow) -> Result<LiveEvent, AppError> {
        crate::server::audit_moved(store, row, row.state).await
    }

    pub fn is_qa_manager(actor: &Actor) -> Result<(), AppError> {
        if actor.roles.has(Role::QaManager) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// Filed audits with required actions this person may see, and how their reviews stand.
#[server(endpoint = "action_reviews", output = crate::codec::Compact)]
pub async fn action_reviews() -> Result<ActionReviewsView, AppError> {
    use crate::domain::action_review::reviewer;
    use crate::domain::Role;
    use crate::server::*;
    respond("action_reviews", async move {
        let (store, actor) = signed_in().await?;
        let today = crate::server::clock::today();
        let all = store
            .review_overview(None, today)
            .await
            .map_err(failed("list action reviews"))?;
        let visible: std::collections::HashSet<i64> = if actor.roles.sees_every_case() {
            all.iter().map(|r| r.audit_id).collect()
        } else {
            let mut ids: std::collections::HashSet<i64> = store
                .audits_visible_to(&actor, true)
                .await
                .map_err(failed("list a person's audits"))?
                .into_iter()
                .filter(|(role, _)| role.reads_form())
                .map(|(_, row)| row.id)
                .collect();
            ids.extend(
                all.iter()
                    .filter(|r| r.reviewer_id == Some(actor.person_id))
                    .map(|r| r.audit_id),
            );
            ids
        };
        let assigns = actor.roles.has(Role::QaManager);
        let mut unassigned: Vec<(i64, String, usize)> = Vec::new();
        let reviews: Vec<ReviewListing> = all
            .into_iter()
            .filter(|r| visible.contains(&r.audit_id))
            .map(|r| {
                let status = match (r.assigned_at, r.finalised_at) {
                    (None, _) => ReviewStatus::NotAssigned,
                    (Some(_), None) => ReviewStatus::Assigned,
                    (Some(_), Some(_)) => ReviewStatus::Finalised,
                };
                let month = crate::domain::calendar::AuditMonth::parse(&r.audit_month)
                    .map(|m| m.label())
                    .unwrap_or_else(|| r.audit_month.clone());
                if status == ReviewStatus::NotAssigned
                    && reviewer(r.team_manager_id, r.service_manager_id).is_some()
                {
                    match unassigned.iter_mut().find(|(id, _, _)| *id == r.round_id) {
                        Some((_, _, n)) => *n += 1,
                        None => unassigned.push((r.round_id, month.clone(), 1)),
                    }
                }
                ReviewListing {
                    audit_id: r.audit_id,
                    round_id: r.round_id,
                    child_unique_id: r.child_unique_id,
                    team: r.team,
                    month,
                    mine: r.reviewer_id == Some(actor.person_id),
                    reviewer: r.reviewer,
                    status,
                    actions: r.actions,
                    open: r.open,
                    overdue: r.overdue,
                }
            })
            .collect();
        Ok(ActionReviewsView {
            reviews,
            assigns,
            unassigned_rounds: if assigns { unassigned } else { Vec::new() },
        })
    })
    .await
}

/// Assigns action reviews to each audit's Team Manager (or Service Manager): one audit,
/// or every filed audit of a round not yet assigned. Returns how many were assigned.
#[server(endpoint = "assign_action_reviews", output = crate::codec::Compact)]
pub async fn assign_action_reviews(
    audit_id: Option<i64>,
    round_id: Option<i64>,
) -> Result<usize, AppError> {
    use crate::domain::action_review::reviewer;
    use crate::domain::alert::AlertKind;
    use crate::server::*;
    use crate::FieldError;
    respond("assign_action_reviews", async move {
        if let Some(id) = audit_id {
            trail::touch(crate::domain::trail::Record::Audit(id));
        }
        if let Some(id) = round_id {
            trail::touch(crate::domain::trail::Record::Round(id));
        }
        let (store, actor) = signed_in().await?;
        ssr::is_qa_manager(&actor)?;
        let today = crate::server::clock::today();
        let candidates = store
            .review_overview(round_id, today)
            .await
            .map_err(failed("list action reviews"))?;
        let chosen: Vec<_> = candidates
            .into_iter()
            .filter(|r| r.assigned_at.is_none())
            .filter(|r| audit_id.is_none_or(|id| id == r.audit_id))
            .collect();
        if audit_id.is_none() && round_id.is_none() {
            return Err(AppError::Invalid(vec![FieldError::new(
                "round",
                "Choose the round whose reviews to assign",
            )]));
        }
        if chosen.is_empty() {
            return Err(AppError::Invalid(vec![FieldError::new(
                "round",
                "There are no filed audits with required actions waiting for a review",
            )]));
        }
        let mut pairs = Vec::new();
        let mut missing = Vec::new();
        for r in &chosen {
            match reviewer(r.team_manager_id, r.service_manager_id) {
                Some(person) => pairs.push((r.audit_id, person)),
                None => missing.push(r.child_unique_id.clone()),
            }
        }
        if pairs.is_empty() {
            return Err(AppError::Invalid(vec![FieldError::new(
                "round",
                format!(
                    "No Team Manager or Service Manager is recorded for case {}: set the team's managers in the directory first",
                    missing.join(", ")
                ),
            )]));
        }
        let cases: std::collections::HashMap<i64, String> = chosen
            .iter()
            .map(|r| (r.audit_id, r.child_unique_id.clone()))
            .collect();
        let programme = store
            .programme_people()
            .await
            .map_err(failed("read the programme's people"))?;
        let mut told = Notices::new();
        let assigned = store
            .assign_action_reviews(&pairs, actor.person_id, crate::server::clock::now(), |done| {
                let mut notices = Notices::new();
                for (audit_id, person_id) in done {
                    notices.alert(NewAlert {
                        person_id: *person_id,
                        kind: AlertKind::ActionReviewAssigned,
                        case_id: None,
                        link: format!("/audits/{audit_id}/actions"),
                        body: format!(
                            "Review the required actions of the audit of case {} and finalise the review.",
                            cases.get(audit_id).map(String::as_str).unwrap_or("")
                        ),
                    });
                    let mut people = programme.clone();
                    people.push(*person_id);
                    notices.event(
                        people,
                        "audit",
                        serde_json::json!({ "audit_id": audit_id }).to_string(),
                    );
                }
                told = notices.clone();
                notices
            })
            .await
            .map_err(failed("assign action reviews"))?;
        committed(&told);
        Ok(assigned.len())
    })
    .await
}

#[server(endpoint = "action_review_detail", output = crate::codec::Compact)]
pub async fn action_review_detail(audit_id: i64) -> Result<ActionReviewView, AppError> {
    use crate::domain::action_review::overdue;
    use crate::server::*;
    respond("action_review_detail", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
        let (store, actor) = signed_in().await?;
        let (row, review) = ssr::open(&store, &actor, audit_id).await?;
        let Some(review) = review else {
            return Err(AppError::NotFound);
        };
        let today = crate::server::clock::today();
        let updates = store
            .action_updates(audit_id)
            .await
            .map_err(failed("read action updates"))?;
        let actions = store
            .review_actions(audit_id)
            .await
            .map_err(failed("read an audit's actions"))?
            .into_iter()
            .map(|a| ReviewAction {
                overdue: overdue(a.status, a.due_on, today),
                updates: updates
                    .iter()
                    .filter(|u| u.action_id == a.id)
                    .map(|u| ActionUpdateView {
                        progress: u.progress.clone(),
                        evidence: u.evidence.clone(),
                        link: u.evidence_link.clone(),
                        status: u.status,
                        on: u.status_on,
                        by: u.by.clone(),
                        at: u.at,
                    })
                    .collect(),
                id: a.id,
                action: a.action,
                owner: a.owner,
                due_on: a.due_on,
                status: a.status,
                done_on: a.done_on,
                added_by: a.added_by,
            })
            .collect();
        let editable = ssr::editing(&actor, Some(&review)).is_ok();
        Ok(ActionReviewView {
            audit_id,
            month: row.month_label(),
            filed_on: row.completed_at.map(|t| t.date_naive()).unwrap_or(today),
            child_unique_id: row.child_unique_id,
            team: row.team,
            reviewer: review.reviewer,
            assigned: format!(
                "{} by {}",
                review.assigned_at.format("%-d %B %Y"),
                review.assigned_by
            ),
            finalised: review
                .finalised_at
                .zip(review.finalised_by)
                .map(|(at, by)| format!("{} by {}", at.format("%-d %B %Y %H:%M"), by)),
            cms_reference: review.cms_reference,
            actions,
            editable,
            today,
        })
    })
    .await
}

/// The reviewer records progress, evidence and whether one action is done.
#[server(endpoint = "update_action", output = crate::codec::Compact)]
pub async fn update_action(
    audit_id: i64,
    action_id: i64,
    progress: Option<String>,
    evidence: Option<String>,
    link: Option<String>,
    status: Option<String>,
    on: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::action_review::ActionUpdate;
    use crate::server::*;
    use crate::FieldError;
    respond("update_action", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
        let (store, actor) = signed_in().await?;
        let (row, review) = ssr::open(&store, &actor, audit_id).await?;
        ssr::editing(&actor, review.as_ref())?;
        let today = crate::server::clock::today();
        let filed_on = row.completed_at.map(|t| t.date_naive()).unwrap_or(today);
        let fields = [
            ("progress", progress),
            ("evidence", evidence),
            ("link", link),
            ("status", status),
            ("on", on),
        ];
        let update = ActionUpdate::parse(
            |k| {
                fields
                    .iter()
                    .find(|(name, _)| *name == k)
                    .and_then(|(_, v)| v.clone())
            },
            filed_on,
            today,
        )
        .map_err(|problems| {
            AppError::Invalid(
                problems
                    .into_iter()
                    .map(|p| FieldError::new(&format!("{}-{action_id}", p.field), p.message))
                    .collect(),
            )
        })?;
        let mut notices = Notices::new();
        notices.events.push(ssr::changed(&store, &row).await?);
        let done = store
            .update_action(
                audit_id,
                action_id,
                &update,
                actor.person_id,
                crate::server::clock::now(),
                &notices,
            )
            .await
            .map_err(failed("update an action"))?;
        if !done {
            return Err(AppError::NotFound);
        }
        committed(&notices);
        Ok(())
    })
    .await
}

/// The reviewer adds an action of their own.
#[server(endpoint = "add_review_action", output = crate::codec::Compact)]
pub async fn add_review_action(
    audit_id: i64,
    action: Option<String>,
    owner: Option<String>,
    due_on: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::action_review::NewAction;
    use crate::server::*;
    use crate::FieldError;
    respond("add_review_action", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
        let (store, actor) = signed_in().await?;
        let (row, review) = ssr::open(&store, &actor, audit_id).await?;
        ssr::editing(&actor, review.as_ref())?;
        let fields = [("action", action), ("owner", owner), ("due_on", due_on)];
        let new = NewAction::parse(
            |k| {
                fields
                    .iter()
                    .find(|(name, _)| *name == k)
                    .and_then(|(_, v)| v.clone())
            },
            crate::server::clock::today(),
        )
        .map_err(|problems| {
            AppError::Invalid(
                problems
                    .into_iter()
                    .map(|p| FieldError::new(&format!("new-{}", p.field), p.message))
                    .collect(),
            )
        })?;
        let mut notices = Notices::new();
        notices.events.push(ssr::changed(&store, &row).await?);
        let done = store
            .add_review_action(
                audit_id,
                &new,
                actor.person_id,
                crate::server::clock::now(),
                &notices,
            )
            .await
            .map_err(failed("add an action"))?;
        if !done {
            return Err(AppError::Invalid(vec![FieldError::new(
                "",
                "This action review is finalised and can no longer be changed",
            )]));
        }
        committed(&notices);
        Ok(())
    })
    .await
}

/// The reviewer finalises the review, once every action has an update; the QA Manager is
/// told.
#[server(endpoint = "finalise_action_review", output = crate::codec::Compact)]
pub async fn finalise_action_review(
    audit_id: i64,
    reference: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::action_review::not_yet_updated;
    use crate::domain::alert::AlertKind;
    use crate::domain::Role;
    use crate::server::*;
    use crate::FieldError;
    respond("finalise_action_review", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
        let (store, actor) = signed_in().await?;
        let (row, review) = ssr::open(&store, &actor, audit_id).await?;
        ssr::editing(&actor, review.as_ref())?;
        let reference = reference
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string);
        if reference.as_ref().is_some_and(|r| r.chars().count() > 100) {
            return Err(AppError::Invalid(vec![FieldError::new(
                "reference",
                "The reference must be 100 characters or fewer",
            )]));
        }
        let actions = store
            .review_actions(audit_id)
            .await
            .map_err(failed("read an audit's actions"))?;
        let updates = store
            .action_updates(audit_id)
            .await
            .map_err(failed("read action updates"))?;
        let counts: Vec<usize> = actions
            .iter()
            .map(|a| updates.iter().filter(|u| u.action_id == a.id).count())
            .collect();
        let waiting = not_yet_updated(&counts);
        if !waiting.is_empty() {
            return Err(AppError::Invalid(vec![FieldError::new(
                "finalise",
                format!(
                    "Record progress on every action before finalising: action {} has none yet",
                    waiting
                        .iter()
                        .map(|n| n.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )]));
        }
        let open = actions
            .iter()
            .filter(|a| a.status == ActionProgress::Open)
            .count();
        let mut notices = Notices::new();
        notices.events.push(ssr::changed(&store, &row).await?);
        for (qa, _) in store
            .people_with_role(Role::QaManager)
            .await
            .map_err(failed("read the QA Managers"))?
        {
            notices.alert(NewAlert {
                person_id: qa,
                kind: AlertKind::ActionReviewFinalised,
                case_id: None,
                link: format!("/audits/{audit_id}/actions"),
                body: format!(
                    "The action review of the audit of case {} is finalised: {} of {} actions done.",
                    row.child_unique_id,
                    actions.len() - open,
                    actions.len()
                ),
            });
        }
        let done = store
            .finalise_action_review(
                audit_id,
                reference.as_deref(),
                actor.person_id,
                crate::server::clock::now(),
                &notices,
            )
            .await
            .map_err(failed("finalise an action review"))?;
        if !done {
            return Err(AppError::Invalid(vec![FieldError::new(
                "",
                "This action review is already finalised",
            )]));
        }
        committed(&notices);
        Ok(())
    })
    .await
}
