//! Cases: the lists a person may see and a case's record, by need-to-know.

pub(crate) mod page;

pub use page::{CasePage, CaseTable, CasesPage};

use crate::domain::{AnnexList, CaseAccess, Subject};
use crate::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const PER_PAGE: u32 = 25;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRow {
    pub id: i64,
    pub child_unique_id: String,
    pub subject: Subject,
    pub lists: Vec<AnnexList>,
    /// `None` until a list with an allocation or a Lead practitioners file names it.
    pub team: Option<String>,
    pub key_worker: Option<String>,
    pub access: CaseAccess,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamOption {
    pub id: i64,
    pub name: String,
}

/// What `/cases` shows: one page of the cases this person may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseListPage {
    pub rows: Vec<CaseRow>,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    /// Teams the filter offers: every team for the programme, else the teams in view.
    pub teams: Vec<TeamOption>,
}

/// A case's record, as its holders see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRecord {
    pub id: i64,
    pub child_unique_id: String,
    pub subject: Subject,
    pub lists: Vec<AnnexList>,
    pub team: Option<String>,
    pub key_worker: Option<String>,
    pub team_manager: Option<String>,
    pub service_manager: Option<String>,
    pub iro: Option<String>,
    pub open: bool,
    pub access: CaseAccess,
    /// What Annex A imports and directory changes did to the case, newest first.
    pub history: Vec<(chrono::DateTime<chrono::Utc>, String)>,
    /// For the QA Manager: IRO / CP Chairs to choose from, and the current one.
    pub iro_choices: Option<(Vec<(i64, String)>, Option<i64>)>,
    /// For the QA Manager: teams and key workers to set the lead practitioner from.
    pub lead_choices: Option<LeadChoices>,
    /// The case's audits this person may open, newest first.
    pub audits: Vec<crate::domain::audit::AuditSummary>,
}

/// The choices for setting a case's team and lead practitioner, and the current ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeadChoices {
    pub teams: Vec<(i64, String)>,
    pub key_workers: Vec<(i64, String)>,
    pub team_id: Option<i64>,
    pub key_worker_id: Option<i64>,
}

/// Open cases this person may see, a page at a time, optionally for one team or list, or
/// (`lead` = `none`) only those with no lead practitioner.
#[server(endpoint = "list_cases", output = crate::codec::Compact)]
pub async fn list_cases(
    team_id: Option<i64>,
    list: Option<u8>,
    page: Option<u32>,
    lead: Option<String>,
) -> Result<CaseListPage, AppError> {
    use crate::domain::case_access;
    use crate::server::*;
    use crate::store::CaseQuery;
    respond("list_cases", async move {
        let (store, actor) = signed_in().await?;
        if !actor.roles.holds_cases() {
            return Err(AppError::Forbidden);
        }
        let list = match list {
            Some(n) => Some(AnnexList::from_number(n.into()).ok_or(AppError::NotFound)?),
            None => None,
        };
        let page = page.unwrap_or(1).max(1);
        let query = CaseQuery {
            team_id,
            list,
            without_lead_practitioner: lead.as_deref() == Some("none"),
            limit: PER_PAGE.into(),
            offset: i64::from(page - 1) * i64::from(PER_PAGE),
        };
        let (listings, total) = store
            .cases(&actor, &query)
            .await
            .map_err(failed("list cases"))?;
        let mut rows = Vec::with_capacity(listings.len());
        for listing in listings {
            // The query already scoped the list; the domain rule has the final word.
            let Some(access) = case_access(&actor, &listing.allocation) else {
                tracing::error!(
                    case_id = listing.id,
                    person_id = actor.person_id,
                    "case query returned a case the rules refuse"
                );
                continue;
            };
            trail::touch(crate::domain::trail::Record::Case(listing.id));
            rows.push(CaseRow {
                id: listing.id,
                child_unique_id: listing.child_unique_id,
                subject: Subject::from_code(&listing.subject)
                    .ok_or_else(|| internal("unknown subject"))?,
                lists: listing.lists,
                team: listing.team,
                key_worker: listing.key_worker,
                access,
            });
        }
        let teams = if actor.roles.sees_every_case() {
            store.teams().await
        } else {
            store.teams_in_view(&actor).await
        }
        .map_err(failed("list cases"))?;
        let pages = u32::try_from((total + i64::from(PER_PAGE) - 1) / i64::from(PER_PAGE))
            .unwrap_or(u32::MAX)
            .max(1);
        Ok(CaseListPage {
            rows,
            total,
            page,
            pages,
            teams: teams
                .into_iter()
                .map(|(id, name)| TeamOption { id, name })
                .collect(),
        })
    })
    .await
}

/// One case's record. Refused, and the refusal logged, without a need to know.
#[server(endpoint = "open_case", output = crate::codec::Compact)]
pub async fn open_case(case_id: i64) -> Result<CaseRecord, AppError> {
    use crate::domain::case_access;
    use crate::server::*;
    respond("open_case", async move {
        trail::touch(crate::domain::trail::Record::Case(case_id));
        let (store, actor) = signed_in().await?;
        let Some(case) = store.case(case_id).await.map_err(failed("open case"))? else {
            return Err(AppError::NotFound);
        };
        let Some(access) = case_access(&actor, &case.allocation) else {
            tracing::warn!(
                case_id,
                person_id = actor.person_id,
                "case refused: no need to know"
            );
            return Err(AppError::Forbidden);
        };
        let staff = store.staff_refs().await.map_err(failed("open case"))?;
        let teams = store.teams().await.map_err(failed("open case"))?;
        let person = |v: &Option<String>| {
            v.as_deref()
                .and_then(|id| id.parse::<i64>().ok())
                .and_then(|id| staff.iter().find(|s| s.id == id))
                .map(|s| s.name.clone())
                .unwrap_or_else(|| "nobody".into())
        };
        let team = |v: &Option<String>| {
            v.as_deref()
                .and_then(|id| id.parse::<i64>().ok())
                .and_then(|id| teams.iter().find(|t| t.0 == id))
                .map(|t| t.1.clone())
                .unwrap_or_else(|| "no team".into())
        };
        let by_whom = |by: &Option<String>, import_id: Option<i64>| match (by, import_id) {
            (Some(by), Some(_)) => format!(" by {by}, from a directory file"),
            (Some(by), None) => format!(" by {by}"),
            _ => String::new(),
        };
        let list = |v: &Option<String>| {
            v.as_deref()
                .and_then(|n| n.parse::<i64>().ok())
                .and_then(crate::domain::AnnexList::from_number)
                .map(|l| l.title())
                .unwrap_or_default()
        };
        let history = store
            .case_history(case_id)
            .await
            .map_err(failed("open case"))?
            .into_iter()
            .map(|(change, old, new, at, import_id, by)| {
                let text = match change.as_str() {
                    "created" if new.is_none() => {
                        "Added to the pool with its team and lead practitioner not known".into()
                    }
                    "created" => format!("Added to the pool in {}", team(&new)),
                    "joined_list" => format!("Joined {}", list(&new)),
                    "left_list" => format!("Left {}", list(&old)),
                    "team" if old.is_none() => {
                        format!("Team set to {}{}", team(&new), by_whom(&by, import_id))
                    }
                    "team" => format!(
                        "Moved from {} to {}{}",
                        team(&old),
                        team(&new),
                        by_whom(&by, import_id)
                    ),
                    "key_worker" => format!(
                        "Key worker changed from {} to {}{}",
                        person(&old),
                        person(&new),
                        by_whom(&by, import_id)
                    ),
                    _ => format!(
                        "IRO / CP Chair changed from {} to {}{}",
                        person(&old),
                        person(&new),
                        by_whom(&by, import_id)
                    ),
                };
                (at, text)
            })
            .collect::<Vec<_>>();
        // The team's manager changes open or close the case to people too: shown here,
        // with who proposed and who decided.
        let mut history = history;
        if let Some(team_id) = store
            .team_of_case(case_id)
            .await
            .map_err(failed("open case"))?
        {
            for c in store
                .team_changes(team_id)
                .await
                .map_err(failed("open case"))?
                .into_iter()
                .filter(|c| c.outcome.as_deref() == Some("confirmed"))
            {
                let parts: Vec<String> = c
                    .moves()
                    .into_iter()
                    .map(|(role, from, to)| format!("{role} changed from {from} to {to}"))
                    .collect();
                let who = match (&c.proposed_by, &c.decided_by) {
                    (Some(p), Some(d)) if p != d => format!("proposed by {p}, confirmed by {d}"),
                    (_, Some(d)) => format!("by {d}"),
                    _ => String::new(),
                };
                history.push((
                    c.decided_at.unwrap_or(c.proposed_at),
                    format!("{} for {} ({who})", parts.join("; "), c.team),
                ));
            }
            history.sort_by(|a, b| b.0.cmp(&a.0));
        }
        let mut audit_keys = store
            .audit_keys_of_case(&actor, case_id)
            .await
            .map_err(failed("open case"))?;
        audit_keys.sort_by(|a, b| b.due_on.cmp(&a.due_on).then(b.id.cmp(&a.id)));
        let calendar = store.calendar().await.map_err(failed("open case"))?;
        let today = crate::server::clock::today();
        let audits: Vec<crate::domain::audit::AuditSummary> = store
            .audits_by_id(&audit_keys.iter().map(|k| k.id).collect::<Vec<_>>())
            .await
            .map_err(failed("open case"))?
            .into_iter()
            .map(|row| row.summary(&calendar, actor.person_id, today))
            .collect();
        for a in &audits {
            trail::touch(crate::domain::trail::Record::Audit(a.id));
        }
        let lead_choices = actor
            .roles
            .has(crate::domain::Role::QaManager)
            .then(|| LeadChoices {
                teams: teams.clone(),
                key_workers: staff
                    .iter()
                    .filter(|s| s.roles.has(crate::domain::Role::KeyWorker))
                    .map(|s| (s.id, s.name.clone()))
                    .collect(),
                team_id: case.team_id,
                key_worker_id: case.allocation.key_worker_id,
            });
        let iro_choices = actor.roles.has(crate::domain::Role::QaManager).then(|| {
            (
                staff
                    .iter()
                    .filter(|s| s.roles.has(crate::domain::Role::IroCpChair))
                    .map(|s| (s.id, s.name.clone()))
                    .collect(),
                case.allocation.iro_id,
            )
        });
        Ok(CaseRecord {
            id: case.id,
            child_unique_id: case.child_unique_id,
            subject: Subject::from_code(&case.subject)
                .ok_or_else(|| internal("unknown subject"))?,
            lists: case.lists,
            team: case.team,
            key_worker: case.key_worker,
            team_manager: case.team_manager,
            service_manager: case.service_manager,
            iro: case.iro,
            open: case.closed_on.is_none(),
            access,
            history,
            iro_choices,
            lead_choices,
            audits,
        })
    })
    .await
}
