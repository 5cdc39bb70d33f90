//! Confirming a drawn round (everyone involved is told) and assigning its auditors.

use crate::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// The assignment form: every auditor once, with their open audits, and the selected cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignments {
    /// (person ID, name, open audits), by name.
    pub auditors: Vec<(i64, String, i64)>,
    pub rows: Vec<AssignmentRow>,
}

impl Assignments {
    /// Whether this auditor may take this row's case.
    pub fn allows(&self, row: &AssignmentRow, auditor_id: i64) -> bool {
        self.auditors.iter().any(|(p, _, _)| *p == auditor_id)
            && !row.excluded.contains(&auditor_id)
    }
}

/// One selected case on the assignment form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentRow {
    pub round_case_id: i64,
    pub case_id: i64,
    pub child_unique_id: String,
    pub team: String,
    /// Who audits it now, if anyone.
    pub auditor_id: Option<i64>,
    /// The balanced suggestion, used when nobody is assigned yet.
    pub suggested: Option<i64>,
    /// Auditors of [`Assignments::auditors`] who may not audit this case (in or over its
    /// team, or on it as key worker or IRO / CP Chair): few per case, where the choices
    /// would repeat every auditor on every row.
    pub excluded: Vec<i64>,
    /// The audit, once an auditor has it.
    pub audit: Option<(i64, crate::domain::audit::AuditState)>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::domain::assign::{may_audit, suggest, AuditorLoad, CaseToAssign};
    use crate::server::failed;
    use crate::store::{SelectionContact, Store};

    fn load(a: &crate::store::AuditorRow) -> AuditorLoad {
        AuditorLoad {
            person_id: a.person_id,
            own_teams: a.own_teams.iter().copied().collect(),
            open_audits: usize::try_from(a.open_audits).unwrap_or(0),
        }
    }

    fn to_assign(c: &SelectionContact) -> CaseToAssign {
        CaseToAssign {
            team_id: c.team_id,
            key_worker_id: c.key_worker_id,
            iro_id: c.iro_id,
        }
    }

    /// The assignment form's rows: current auditor, suggestion and allowed choices per case.
    pub async fn assignment_rows(store: &Store, round_id: i64) -> Result<Assignments, AppError> {
        let contacts = store
            .selection_contacts(round_id)
            .await
            .map_err(failed("read a round's selection"))?;
        let auditors = store
            .auditors()
            .await
            .map_err(failed("read the auditors' workloads"))?;
        let loads: Vec<AuditorLoad> = auditors.iter().map(load).collect();
        // Suggest only for cases nobody audits yet; those already assigned count in the loads.
        let waiting: Vec<CaseToAssign> = contacts
            .iter()
            .filter(|c| c.auditor_id.is_none())
            .map(to_assign)
            .collect();
        let mut suggestions = suggest(&waiting, &loads).into_iter();
        let rows = contacts
            .iter()
            .map(|c| {
                let case = to_assign(c);
                AssignmentRow {
                    round_case_id: c.round_case_id,
                    case_id: c.case_id,
                    child_unique_id: c.child_unique_id.clone(),
                    team: c.team.clone(),
                    auditor_id: c.auditor_id,
                    suggested: if c.auditor_id.is_none() {
                        suggestions.next().flatten()
                    } else {
                        None
                    },
                    excluded: loads
                        .iter()
                        .filter(|l| !may_audit(l, &case))
                        .map(|l| l.person_id)
                        .collect(),
                    audit: c.audit_id.zip(
                        c.audit_state
                            .as_deref()
                            .and_then(crate::domain::audit::AuditState::from_code),
                    ),
                }
            })
            .collect();
        Ok(Assignments {
            auditors: auditors
                .iter()
                .map(|a| (a.person_id, a.name.clone(), a.open_audits))
                .collect(),
            rows,
        })
    }
}

#[cfg(feature = "ssr")]
pub use ssr::assignment_rows;

/// Confirms a drawn round and tells, for each selected case, its key worker, Team Manager,
/// IRO / CP Chair and Service Manager.
#[server(endpoint = "confirm_round", output = crate::codec::Compact)]
pub async fn confirm_round(round_id: i64) -> Result<(), AppError> {
    use super::ssr::require_qa_manager;
    use crate::domain::alert::AlertKind;
    use crate::domain::calendar::AuditMonth;
    use crate::server::*;
    use crate::FieldError;
    respond("confirm_round", async move {
        trail::touch(crate::domain::trail::Record::Round(round_id));
        let (store, actor) = signed_in().await?;
        require_qa_manager(&actor)?;
        let round = store
            .round(round_id)
            .await
            .map_err(failed("read a round"))?
            .ok_or(AppError::NotFound)?;
        let month = AuditMonth::parse(&round.audit_month)
            .map(|m| m.label())
            .unwrap_or(round.audit_month);
        let due = round.due_on.format("%-d %B %Y");
        let mut notices = Notices::new();
        for case in store
            .selection_contacts(round_id)
            .await
            .map_err(failed("read a round's selection"))?
        {
            let mut told = Vec::new();
            for person in [
                case.key_worker_id,
                case.team_manager_id,
                case.iro_id,
                case.service_manager_id,
            ]
            .into_iter()
            .flatten()
            {
                // Someone in two of those roles hears once.
                if told.contains(&person) {
                    continue;
                }
                told.push(person);
                notices.alert(NewAlert {
                    person_id: person,
                    kind: AlertKind::CaseSelected,
                    case_id: Some(case.case_id),
                    link: format!("/cases/{}", case.case_id),
                    body: format!(
                        "Case {} is selected for audit in {month}. The audit is due by {due}.",
                        case.child_unique_id
                    ),
                });
            }
        }
        let confirmed = store
            .confirm_round(
                round_id,
                actor.person_id,
                crate::server::clock::now(),
                &notices,
            )
            .await
            .map_err(failed("confirm a round"))?;
        if !confirmed {
            return Err(AppError::Invalid(vec![FieldError::new(
                "confirm",
                "Only a drawn round can be confirmed, and only once",
            )]));
        }
        committed(&notices);
        tracing::info!(
            round_id,
            person_id = actor.person_id,
            alerts = notices.alerts.len(),
            "round confirmed"
        );
        leptos_axum::redirect(&format!("/rounds/{round_id}"));
        Ok(())
    })
    .await
}

/// Saves the auditor for each selected case (`auditor[<round case id>] = <person id>`).
/// Refuses an auditor who may not audit a case (own team, or they hold it). Newly assigned
/// auditors are told.
#[server(endpoint = "assign_auditors", output = crate::codec::Compact)]
pub async fn assign_auditors(
    round_id: i64,
    auditor: Option<HashMap<String, String>>,
) -> Result<usize, AppError> {
    use super::ssr::require_qa_manager;
    use crate::domain::alert::AlertKind;
    use crate::server::*;
    use crate::FieldError;
    respond("assign_auditors", async move {
        trail::touch(crate::domain::trail::Record::Round(round_id));
        let (store, actor) = signed_in().await?;
        require_qa_manager(&actor)?;
        let form = assignment_rows(&store, round_id).await?;
        let rows = &form.rows;
        let chosen = auditor.unwrap_or_default();
        let mut errors = Vec::new();
        let mut assignments = Vec::new();
        for row in rows {
            let field = format!("auditor-{}", row.round_case_id);
            let raw = chosen
                .get(&row.round_case_id.to_string())
                .map(|v| v.trim())
                .unwrap_or("");
            if raw.is_empty() {
                continue;
            }
            match raw.parse::<i64>() {
                Ok(id) if form.allows(row, id) => {
                    assignments.push((row.round_case_id, id))
                }
                _ => errors.push(FieldError::new(
                    &field,
                    format!(
                        "Choose an auditor for {} who is not in or over its team",
                        row.child_unique_id
                    ),
                )),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut told = Notices::new();
        let tell = |changed: &[(i64, i64)]| {
            let mut notices = Notices::new();
            for (round_case_id, auditor_id) in changed {
                let Some(row) = rows.iter().find(|r| r.round_case_id == *round_case_id) else {
                    continue;
                };
                notices.alert(NewAlert {
                    person_id: *auditor_id,
                    kind: AlertKind::AuditorAssigned,
                    case_id: Some(row.case_id),
                    link: format!("/cases/{}", row.case_id),
                    body: format!(
                        "You are asked to audit case {} ({}). Contact the key worker to arrange a discussion.",
                        row.child_unique_id, row.team
                    ),
                });
            }
            told = notices.clone();
            notices
        };
        let changed = store
            .assign_auditors(round_id, &assignments, actor.person_id, crate::server::clock::now(), tell)
            .await
            .map_err(failed("assign auditors"))?
            .ok_or_else(|| {
                AppError::Invalid(vec![FieldError::new(
                    "assign",
                    "Auditors can be assigned once the round is confirmed",
                )])
            })?;
        committed(&told);
        tracing::info!(round_id, person_id = actor.person_id, changed = changed.len(), "auditors assigned");
        leptos_axum::redirect(&format!("/rounds/{round_id}"));
        Ok(changed.len())
    })
    .await
}

/// A selected case still open (not filed) in a round: on the closing form, or as left open
/// once the round is closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftOpen {
    pub round_case_id: i64,
    pub case_id: i64,
    pub child_unique_id: String,
    pub audit_id: Option<i64>,
    pub state: Option<crate::domain::audit::AuditState>,
    pub reason: Option<String>,
}

#[cfg(feature = "ssr")]
pub async fn left_open(
    store: &crate::store::Store,
    round_id: i64,
) -> Result<Vec<LeftOpen>, AppError> {
    Ok(store
        .open_round_cases(round_id)
        .await
        .map_err(crate::server::failed("read a round's open cases"))?
        .into_iter()
        .map(|c| LeftOpen {
            round_case_id: c.round_case_id,
            case_id: c.case_id,
            child_unique_id: c.child_unique_id,
            audit_id: c.audit_id,
            state: c
                .state
                .as_deref()
                .and_then(crate::domain::audit::AuditState::from_code),
            reason: c.left_open_reason,
        })
        .collect())
}

/// Closes a confirmed round after its due date, with a reason for each case still open
/// (`reason[<round case id>]`). Those audits stay open, and overdue, for their auditors to
/// finish; the auditors are told. Closing ends auditors' access to the round's cases, and
/// its cases count towards the draw's exclusion window from then on.
#[server(endpoint = "close_round", output = crate::codec::Compact)]
pub async fn close_round(
    round_id: i64,
    reason: Option<HashMap<String, String>>,
) -> Result<(), AppError> {
    use super::ssr::require_qa_manager;
    use crate::domain::alert::AlertKind;
    use crate::domain::round::{may_close, CloseRefusal, MAX_CLOSING_REASON};
    use crate::server::*;
    use crate::FieldError;
    respond("close_round", async move {
        trail::touch(crate::domain::trail::Record::Round(round_id));
        let (store, actor) = signed_in().await?;
        require_qa_manager(&actor)?;
        let round = store
            .round(round_id)
            .await
            .map_err(failed("read a round"))?
            .ok_or(AppError::NotFound)?;
        let open = left_open(&store, round_id).await?;
        let given = reason.unwrap_or_default();
        let mut errors = Vec::new();
        let mut reasons = Vec::new();
        for case in &open {
            let text = given
                .get(&case.round_case_id.to_string())
                .map(|r| r.trim())
                .unwrap_or("");
            if text.chars().count() > MAX_CLOSING_REASON {
                errors.push(FieldError::new(
                    &format!("reason-{}", case.round_case_id),
                    format!("The reason for {} must be {MAX_CLOSING_REASON} characters or fewer", case.child_unique_id),
                ));
            } else if !text.is_empty() {
                reasons.push((case.round_case_id, text.to_string()));
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let ids: Vec<i64> = open.iter().map(|c| c.round_case_id).collect();
        let today = crate::server::clock::today();
        if let Err(refusal) = may_close(round.status, round.due_on, today, &ids, |id| {
            reasons.iter().any(|(r, _)| *r == id)
        }) {
            let errors = match &refusal {
                CloseRefusal::ReasonsMissing(missing) => open
                    .iter()
                    .filter(|c| missing.contains(&c.round_case_id))
                    .map(|c| {
                        FieldError::new(
                            &format!("reason-{}", c.round_case_id),
                            format!("Enter why the audit of {} is left open", c.child_unique_id),
                        )
                    })
                    .collect(),
                other => vec![FieldError::new("close", other.to_string())],
            };
            return Err(AppError::Invalid(errors));
        }
        let month = crate::domain::calendar::AuditMonth::parse(&round.audit_month)
            .map(|m| m.label())
            .unwrap_or(round.audit_month.clone());
        let mut notices = Notices::new();
        for case in store.selection_contacts(round_id).await.map_err(failed("read a round's selection"))? {
            let (Some(auditor), Some(audit_id)) = (case.auditor_id, case.audit_id) else {
                continue;
            };
            if !ids.contains(&case.round_case_id) {
                continue;
            }
            notices.alert(NewAlert {
                person_id: auditor,
                kind: AlertKind::RoundClosed,
                case_id: Some(case.case_id),
                link: format!("/audits/{audit_id}"),
                body: format!(
                    "The {month} round is closed with your audit of case {} still open. It stays open, and overdue, until you finish it.",
                    case.child_unique_id
                ),
            });
        }
        let programme = store.programme_people().await.map_err(failed("read the programme's people"))?;
        notices.event(programme, "round", serde_json::json!({ "round_id": round_id, "status": "closed" }).to_string());
        if !store
            .close_round(round_id, &reasons, Some(actor.person_id), crate::server::clock::now(), &notices)
            .await
            .map_err(failed("close a round"))?
        {
            return Err(AppError::Invalid(vec![FieldError::new(
                "close",
                "The round changed while you were closing it (an audit was filed, or it is already closed). Look again and try again.",
            )]));
        }
        committed(&notices);
        tracing::info!(round_id, person_id = actor.person_id, left_open = ids.len(), "round closed");
        leptos_axum::redirect(&format!("/rounds/{round_id}"));
        Ok(())
    })
    .await
}
