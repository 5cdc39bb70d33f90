//! The managers' dashboard: a round's audits by state, team and auditor, grades and
//! required actions. The programme sees every team; Team and Service Managers their own.

mod page;

pub use page::{Chart, DashboardPage};

use crate::domain::dashboard::Panel;
use crate::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DashboardView {
    /// Rounds to choose from, newest first: (ID, "January 2027").
    pub rounds: Vec<(i64, String)>,
    pub round_id: Option<i64>,
    /// "Every team", or the manager's teams.
    pub scope: String,
    pub panels: Vec<Panel>,
}

#[server(endpoint = "dashboard")]
pub async fn dashboard(round_id: Option<i64>) -> Result<DashboardView, AppError> {
    use crate::domain::audit::{deadline, AuditDraft, AuditState};
    use crate::domain::dashboard::{actions, by_state, grades, totals, ActionFact, AuditFact};
    use crate::domain::Role;
    use crate::server::*;
    respond(async move {
        let (store, actor) = signed_in().await?;
        let teams = if actor.roles.sees_every_case() {
            None
        } else if actor.roles.any(&[Role::TeamManager, Role::ServiceManager]) {
            Some(
                store
                    .managed_teams(actor.person_id)
                    .await
                    .map_err(internal)?,
            )
        } else {
            return Err(AppError::Forbidden);
        };
        let rounds: Vec<(i64, String)> = store
            .rounds()
            .await
            .map_err(internal)?
            .into_iter()
            .filter(|r| r.status != "open")
            .map(|r| {
                let label = crate::domain::calendar::AuditMonth::parse(&r.audit_month)
                    .map(|m| m.label())
                    .unwrap_or(r.audit_month);
                (r.id, label)
            })
            .collect();
        let round_id = round_id
            .filter(|id| rounds.iter().any(|r| r.0 == *id))
            .or(rounds.first().map(|r| r.0));
        let scope = match &teams {
            None => "Every team".to_string(),
            Some(t) => format!(
                "Your {} team{}",
                t.len(),
                if t.len() == 1 { "" } else { "s" }
            ),
        };
        let Some(round) = round_id else {
            return Ok(DashboardView {
                rounds,
                round_id: None,
                scope,
                panels: Vec::new(),
            });
        };
        let calendar = crate::rounds::ssr_calendar(&store).await?;
        let today = chrono::Local::now().date_naive();
        let facts: Vec<AuditFact> = store
            .audit_facts(round, teams.as_deref())
            .await
            .map_err(internal)?
            .into_iter()
            .map(|r| {
                let state = AuditState::from_code(&r.state).unwrap_or(AuditState::Selected);
                AuditFact {
                    team: r.team,
                    auditor: r.auditor,
                    state,
                    deadline: deadline(state, r.due_on, today, &calendar),
                    overall: r
                        .draft
                        .and_then(|d| serde_json::from_str::<AuditDraft>(&d).ok())
                        .and_then(|d| d.overall),
                }
            })
            .collect();
        let action_facts: Vec<ActionFact> = store
            .action_facts(round, teams.as_deref())
            .await
            .map_err(internal)?
            .into_iter()
            .map(|(team, status, due)| ActionFact {
                team,
                open: status == "open",
                overdue: due < today,
            })
            .collect();
        Ok(DashboardView {
            rounds,
            round_id: Some(round),
            scope,
            panels: vec![
                totals(&facts),
                by_state("By team", &facts, |f| f.team.clone()),
                by_state("By auditor", &facts, |f| {
                    f.auditor.clone().unwrap_or_else(|| "Not assigned".into())
                }),
                grades(&facts),
                actions(&action_facts),
            ],
        })
    })
    .await
}
