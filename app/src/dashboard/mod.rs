//! Dashboards. The programme (QA Manager, Assistant Director and the rest) sees every team
//! and Team and Service Managers their own: a round's audits by state, team and auditor,
//! grades and required actions, each figure linking to the list behind it. Everyone with
//! audits of their own also sees those, and what waits on them.

pub(crate) mod page;

pub use page::{Chart, DashboardListPage, DashboardPage};

use crate::domain::audit::AuditSummary;
use crate::domain::audit::{AuditState, Deadline, Grade};
use crate::domain::dashboard::{ListKind, Panel};
use crate::ready::Ready;
use crate::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A round's figures for the teams a person sees. Names staff and teams, never a child,
/// so the browser may keep it and revalidate (`ETag`, `304 Not Modified`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamFigures {
    /// Rounds to choose from, newest first: (ID, "January 2027").
    pub rounds: Vec<(i64, String)>,
    pub round_id: Option<i64>,
    /// "Every team", or the manager's teams; `None` for people who see no teams' figures.
    pub scope: Option<String>,
    pub panels: Vec<Panel>,
}

/// The person's own audits: never kept by the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnAudits {
    /// The person's own audits by the part they play, if they have any.
    pub personal: Option<Panel>,
    /// Their audits that wait on them, most urgent first.
    pub waiting: Vec<AuditSummary>,
}

/// An audit (or a selected case nobody audits yet) on a dashboard list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedAudit {
    pub audit_id: Option<i64>,
    pub case_id: i64,
    pub child_unique_id: String,
    pub team: String,
    pub auditor: Option<String>,
    pub state: AuditState,
    pub deadline: Deadline,
    pub overall: Option<Grade>,
    /// Whether the viewer may open the audit itself (managers: once it is completed).
    pub opens: bool,
}

/// A required action on a dashboard list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedAction {
    pub audit_id: i64,
    pub child_unique_id: String,
    pub team: String,
    pub action: String,
    pub owner: String,
    pub due_on: NaiveDate,
    pub open: bool,
    pub deadline: Deadline,
    pub opens: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FigureList {
    pub round_id: i64,
    pub round: String,
    pub kind: ListKind,
    /// What the list holds, in words: "Audits · Early Help North · In progress".
    pub description: String,
    pub audits: Vec<ListedAudit>,
    pub actions: Vec<ListedAction>,
}

/// A round's figures (the newest round's without `round_id`). Counted once per round,
/// scope and day until the next live notice (see `ViewCache`) and kept as ready JSON, so a
/// dashboard open all day costs a memory read per refresh, and a `304` when unchanged.
#[server(
    endpoint = "dashboard_figures",
    input = leptos::server_fn::codec::GetUrl,
    output = leptos::server_fn::codec::Post<crate::ready::ReadyJson>
)]
pub async fn dashboard_figures(round_id: Option<i64>) -> Result<Ready<TeamFigures>, AppError> {
    use crate::domain::dashboard::{actions, by_auditor, by_team, grades, totals};
    use crate::server::*;
    respond("dashboard_figures", async move {
        let (store, actor) = signed_in().await?;
        let Some(scope) = ssr::Scope::of(&actor) else {
            let none = Ready::new(TeamFigures {
                rounds: Vec::new(),
                round_id: None,
                scope: None,
                panels: Vec::new(),
            })
            .map_err(failed("serialise the dashboard"))?;
            return Ok(none);
        };
        // The two parts of the settings used here, not a copy of them all.
        let (views, events) =
            with_context::<SiteSettings, _>(|s| (s.views.clone(), s.events.clone()))
                .unwrap_or_default();
        let key = ssr::figures_key(round_id, scope, &actor);
        let cached = |generation| {
            views
                .get::<Ready<TeamFigures>>(&key, generation)
                .map(std::sync::Arc::unwrap_or_clone)
        };
        // Read before counting: a change while we count moves it on, and the figures we
        // store under the old value are never served.
        let mut generation = events.generation();
        let figures = match cached(generation) {
            Some(figures) => figures,
            None => {
                // One count at a time: a burst of misses (a dashboard full of tabs after a
                // change) waits for the first count instead of repeating it.
                let _counting = views.counting().await;
                generation = events.generation();
                match cached(generation) {
                    Some(figures) => figures,
                    None => {
                        let teams = scope.teams(&store, &actor).await?;
                        let rounds = ssr::rounds(&store).await?;
                        let round_id = round_id
                            .filter(|id| rounds.iter().any(|r| r.0 == *id))
                            .or(rounds.first().map(|r| r.0));
                        let mut figures = TeamFigures {
                            rounds,
                            round_id,
                            scope: Some(match &teams {
                                None => "Every team".to_string(),
                                Some(t) => format!(
                                    "Your {} team{}",
                                    t.len(),
                                    if t.len() == 1 { "" } else { "s" }
                                ),
                            }),
                            panels: Vec::new(),
                        };
                        if let Some(round) = round_id {
                            let calendar = store
                                .calendar()
                                .await
                                .map_err(failed("read the calendar"))?;
                            let facts =
                                ssr::audit_facts(&store, &calendar, round, teams.as_deref())
                                    .await?;
                            let facts: Vec<_> = facts.into_iter().map(|(_, f)| f).collect();
                            let action_facts =
                                ssr::action_facts(&store, &calendar, round, teams.as_deref())
                                    .await?;
                            let action_facts: Vec<_> =
                                action_facts.into_iter().map(|(_, f)| f).collect();
                            figures.panels = vec![
                                totals(&facts),
                                by_team(&facts),
                                by_auditor(&facts),
                                grades(&facts),
                                actions(&action_facts),
                            ];
                        }
                        let figures =
                            Ready::new(figures).map_err(failed("serialise the dashboard"))?;
                        views.put(key, generation, figures.clone());
                        figures
                    }
                }
            }
        };
        if let Some(etag) = figures.etag() {
            revalidate_with(etag);
        }
        Ok(figures)
    })
    .await
}

/// [`dashboard_figures`]'s answer when it is already counted, sent without the server
/// function's machinery: the request a dashboard open all day makes on every change. The
/// bytes, tag and headers are the server function's own (and `304` follows from the tag,
/// as for it). `None` whenever anything more is needed (no live session or one this request
/// would renew or end, another query, figures not counted since the last change): the
/// caller then runs the server function itself.
#[cfg(feature = "ssr")]
pub async fn kept_figures(
    store: &crate::store::Store,
    site: &crate::server::SiteSettings,
    request: &axum::http::request::Parts,
) -> Option<axum::response::Response> {
    use axum::http::{header, HeaderValue};
    let round_id = match request.uri.query().unwrap_or_default() {
        "" => None,
        query => Some(query.strip_prefix("round_id=")?.parse::<i64>().ok()?),
    };
    let person = crate::server::person_at_a_look(store, site.sessions, &request.headers).await?;
    let scope = ssr::Scope::of(&person.actor)?;
    let key = ssr::figures_key(round_id, scope, &person.actor);
    let figures = site
        .views
        .get::<Ready<TeamFigures>>(&key, site.events.generation())?;
    let (bytes, etag) = figures.kept()?;
    tracing::Span::current().record("person_id", person.actor.person_id);
    let mut response = axum::response::Response::new(axum::body::Body::from(bytes));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(
            <crate::ready::ReadyJson as leptos::server_fn::ContentType>::CONTENT_TYPE,
        ),
    );
    headers.insert(header::ETAG, HeaderValue::from_str(etag).ok()?);
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(crate::server::REVALIDATE),
    );
    headers.insert(header::VARY, HeaderValue::from_static("cookie"));
    Some(response)
}

/// The person's own audits by the part they play, and those waiting on them.
#[server(endpoint = "my_dashboard", output = crate::codec::Compact)]
pub async fn my_dashboard() -> Result<OwnAudits, AppError> {
    use crate::server::*;
    respond("my_dashboard", async move {
        let (store, actor) = signed_in().await?;
        let calendar = store
            .calendar()
            .await
            .map_err(failed("read the calendar"))?;
        let today = crate::server::clock::today();
        let mine = store
            .audits_visible_to(&actor, false)
            .await
            .map_err(failed("list a person's audits"))?
            .into_iter()
            .map(|(role, row)| (role, row.summary(&calendar, actor.person_id, today)))
            .collect();
        let (personal, waiting) = ssr::personal(mine);
        trail::touch_all(
            waiting
                .iter()
                .map(|a| crate::domain::trail::Record::Audit(a.id)),
        );
        Ok(OwnAudits { personal, waiting })
    })
    .await
}

/// The list behind a dashboard figure. `query` is the address the dashboard wrote, read
/// here (not in the browser) so the same need-to-know applies as to the figures.
#[server(endpoint = "dashboard_list", output = crate::codec::Compact)]
pub async fn dashboard_list(query: String) -> Result<FigureList, AppError> {
    use crate::domain::dashboard::ListQuery;
    use crate::server::*;
    respond("dashboard_list", async move {
        let (store, actor) = signed_in().await?;
        let Some(teams) = ssr::scope(&store, &actor).await? else {
            return Err(AppError::Forbidden);
        };
        let query = ListQuery::parse(&query).map_err(|e| {
            tracing::info!(error = %e, "dashboard list address refused");
            AppError::NotFound
        })?;
        let round = ssr::rounds(&store)
            .await?
            .into_iter()
            .find(|r| r.0 == query.round)
            .ok_or(AppError::NotFound)?;
        let programme = teams.is_none();
        let calendar = store
            .calendar()
            .await
            .map_err(failed("read the calendar"))?;
        let facts = ssr::audit_facts(&store, &calendar, query.round, teams.as_deref()).await?;
        let description = ssr::describe(&query, &facts);
        let mut list = FigureList {
            round_id: round.0,
            round: round.1,
            kind: query.kind,
            description,
            audits: Vec::new(),
            actions: Vec::new(),
        };
        trail::touch(crate::domain::trail::Record::Round(round.0));
        match query.kind {
            ListKind::Audits => {
                list.audits = facts
                    .into_iter()
                    .filter(|(_, f)| query.filter.matches_audit(f))
                    .map(|(row, f)| ListedAudit {
                        audit_id: row.audit_id,
                        case_id: row.case_id,
                        child_unique_id: row.child_unique_id,
                        team: f.team,
                        auditor: f.auditor,
                        state: f.state,
                        deadline: f.deadline,
                        overall: f.overall.filter(|_| f.state >= AuditState::Completed),
                        opens: row.audit_id.is_some() && (programme || f.state.locked()),
                    })
                    .collect()
            }
            ListKind::Actions => {
                list.actions = ssr::action_facts(&store, &calendar, query.round, teams.as_deref())
                    .await?
                    .into_iter()
                    .filter(|(_, f)| query.filter.matches_action(f))
                    .map(|(row, f)| {
                        let state = row.audit_state;
                        ListedAction {
                            audit_id: row.audit_id,
                            child_unique_id: row.child_unique_id,
                            team: row.team,
                            action: row.action,
                            owner: row.owner,
                            due_on: row.due_on,
                            open: f.open,
                            deadline: if !f.open {
                                Deadline::Done
                            } else if f.overdue {
                                Deadline::Overdue
                            } else if f.due_soon {
                                Deadline::DueSoon
                            } else {
                                Deadline::OnTrack
                            },
                            opens: programme || state.locked(),
                        }
                    })
                    .collect()
            }
        }
        trail::touch_all(list.audits.iter().map(|a| match a.audit_id {
            Some(id) => crate::domain::trail::Record::Audit(id),
            None => crate::domain::trail::Record::Case(a.case_id),
        }));
        trail::touch_all(
            list.actions
                .iter()
                .map(|a| crate::domain::trail::Record::Audit(a.audit_id)),
        );
        Ok(list)
    })
    .await
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::domain::audit::{deadline, due_status, AuditRole};
    use crate::domain::calendar::WorkingCalendar;
    use crate::domain::dashboard::{ActionFact, Assignee, AuditFact, ListQuery};
    use crate::domain::{Actor, Role};
    use crate::server::failed;
    use crate::store::{ActionFactRow, AuditFactRow, Store};

    /// Which teams' figures a person sees.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Scope {
        /// The programme: every team.
        Every,
        /// Team and Service Managers: the teams they manage.
        Managed,
    }

    /// Where counted figures are kept. Overdue and due soon move with the date, so the day
    /// is part of the key. A manager's figures are theirs: their teams are read only when
    /// counting.
    pub fn figures_key(round_id: Option<i64>, scope: Scope, actor: &Actor) -> String {
        format!(
            "dashboard:{}:{}:{}",
            round_id.map_or("newest".to_string(), |r| r.to_string()),
            scope.key(actor),
            crate::server::clock::today()
        )
    }

    impl Scope {
        /// `None` for people who see no team's figures.
        pub fn of(actor: &Actor) -> Option<Scope> {
            if actor.roles.sees_every_case() {
                Some(Scope::Every)
            } else if actor.roles.any(&[Role::TeamManager, Role::ServiceManager]) {
                Some(Scope::Managed)
            } else {
                None
            }
        }

        /// Names the figures' scope in a cache key without reading the database.
        pub fn key(self, actor: &Actor) -> String {
            match self {
                Scope::Every => "every".into(),
                Scope::Managed => format!("manager-{}", actor.person_id),
            }
        }

        /// `None` every team, `Some(ids)` the teams managed.
        pub async fn teams(
            self,
            store: &Store,
            actor: &Actor,
        ) -> Result<Option<Vec<i64>>, AppError> {
            match self {
                Scope::Every => Ok(None),
                Scope::Managed => Ok(Some(
                    store
                        .managed_teams(actor.person_id)
                        .await
                        .map_err(failed("scope"))?,
                )),
            }
        }
    }

    /// Which teams' figures this person sees: `Some(None)` every team, `Some(Some(ids))`
    /// the teams they manage, `None` no team's.
    pub async fn scope(store: &Store, actor: &Actor) -> Result<Option<Option<Vec<i64>>>, AppError> {
        match Scope::of(actor) {
            Some(scope) => Ok(Some(scope.teams(store, actor).await?)),
            None => Ok(None),
        }
    }

    /// Drawn rounds, newest first: (ID, "January 2027").
    pub async fn rounds(store: &Store) -> Result<Vec<(i64, String)>, AppError> {
        Ok(store
            .drawn_rounds()
            .await
            .map_err(failed("rounds"))?
            .into_iter()
            .map(|(id, month)| {
                let label = crate::domain::calendar::AuditMonth::parse(&month)
                    .map(|m| m.label())
                    .unwrap_or(month);
                (id, label)
            })
            .collect())
    }

    pub async fn audit_facts(
        store: &Store,
        calendar: &WorkingCalendar,
        round: i64,
        teams: Option<&[i64]>,
    ) -> Result<Vec<(AuditFactRow, AuditFact)>, AppError> {
        let today = crate::server::clock::today();
        Ok(store
            .audit_facts(round, teams)
            .await
            .map_err(failed("audit facts"))?
            .into_iter()
            .map(|r| {
                let state = r.state;
                let fact = AuditFact {
                    team_id: r.team_id,
                    team: r.team.clone(),
                    auditor_id: r.auditor_id,
                    auditor: r.auditor.clone(),
                    state,
                    deadline: deadline(state, r.due_on, today, calendar),
                    overall: r.overall_grade.as_deref().and_then(Grade::parse),
                };
                (r, fact)
            })
            .collect())
    }

    pub async fn action_facts(
        store: &Store,
        calendar: &WorkingCalendar,
        round: i64,
        teams: Option<&[i64]>,
    ) -> Result<Vec<(ActionFactRow, ActionFact)>, AppError> {
        let today = crate::server::clock::today();
        Ok(store
            .action_facts(round, teams)
            .await
            .map_err(failed("action facts"))?
            .into_iter()
            .map(|r| {
                let open = r.status == "open";
                let due = due_status(r.due_on, today, calendar);
                let fact = ActionFact {
                    team_id: r.team_id,
                    team: r.team.clone(),
                    open,
                    overdue: due == Deadline::Overdue,
                    due_soon: due == Deadline::DueSoon,
                };
                (r, fact)
            })
            .collect())
    }

    /// The person's own audits as a panel, and those waiting on them (overdue first).
    pub fn personal(mine: Vec<(AuditRole, AuditSummary)>) -> (Option<Panel>, Vec<AuditSummary>) {
        let facts: Vec<(String, AuditFact)> = mine
            .iter()
            .filter_map(|(role, a)| {
                let part = match role {
                    AuditRole::Auditor => "As auditor",
                    AuditRole::KeyWorker => "As key worker",
                    AuditRole::Iro => "As IRO / CP Chair",
                    // Managers and the programme have the teams' panels.
                    AuditRole::Manager | AuditRole::Programme => return None,
                };
                Some((
                    part.to_string(),
                    AuditFact {
                        team_id: 0,
                        team: a.team.clone(),
                        auditor_id: None,
                        auditor: None,
                        state: a.state,
                        deadline: a.deadline,
                        overall: None,
                    },
                ))
            })
            .collect();
        let panel = (!facts.is_empty()).then(|| crate::domain::dashboard::personal(&facts));
        let mut waiting: Vec<AuditSummary> = mine
            .into_iter()
            .map(|(_, a)| a)
            .filter(|a| a.waiting_on_you.is_some())
            .collect();
        let urgency = |d: Deadline| match d {
            Deadline::Overdue => 0,
            Deadline::DueSoon => 1,
            _ => 2,
        };
        waiting.sort_by_key(|a| (urgency(a.deadline), a.due_on, a.id));
        (panel, waiting)
    }

    /// The list's filter in words, with names taken from the round's own facts.
    pub fn describe(query: &ListQuery, facts: &[(AuditFactRow, AuditFact)]) -> String {
        let f = &query.filter;
        let mut parts = vec![match query.kind {
            ListKind::Audits => "Audits".to_string(),
            ListKind::Actions => "Required actions".to_string(),
        }];
        if let Some(team) = f.team {
            parts.push(
                facts
                    .iter()
                    .find(|(r, _)| r.team_id == team)
                    .map(|(r, _)| r.team.clone())
                    .unwrap_or_else(|| "A team not in this round".into()),
            );
        }
        match f.auditor {
            Some(Assignee::Person(id)) => parts.push(
                facts
                    .iter()
                    .find_map(|(r, _)| (r.auditor_id == Some(id)).then(|| r.auditor.clone()))
                    .flatten()
                    .unwrap_or_else(|| "An auditor not in this round".into()),
            ),
            Some(Assignee::Nobody) => parts.push("Not assigned".into()),
            None => {}
        }
        if let Some(state) = f.state {
            parts.push(state.label().into());
        }
        if let Some(grade) = f.grade {
            parts.push(format!("Graded {}", grade.label().to_lowercase()));
        }
        if f.open {
            parts.push("Open".into());
        }
        if f.due_soon {
            parts.push("Due soon".into());
        }
        if f.overdue {
            parts.push("Overdue".into());
        }
        parts.join(" · ")
    }
}
