//! The staff directory: each team's Team Manager and Service Manager, and each case's
//! IRO / CP Chair, edited on screen or uploaded as CSV. QA Manager and Administrator.

pub(crate) mod page;

pub use page::DirectoryPage;

use crate::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamEntry {
    pub id: i64,
    pub name: String,
    pub team_manager_id: Option<i64>,
    pub service_manager_id: Option<i64>,
    pub open_cases: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryView {
    pub teams: Vec<TeamEntry>,
    /// Changes to teams' managers waiting for the QA Manager's decision.
    pub waiting: Vec<WaitingChange>,
    /// Whether this person decides them (the QA Manager) or proposes (the Administrator).
    pub decides: bool,
    /// (person ID, name) of everyone holding the role.
    pub team_managers: Vec<(i64, String)>,
    pub service_managers: Vec<(i64, String)>,
}

/// A proposed change to a team's managers, as the directory shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitingChange {
    pub id: i64,
    pub team: String,
    /// "Team Manager: Jo Bloggs to Sam Patel", one line per manager changed.
    pub lines: Vec<String>,
    pub proposed_by: String,
    pub proposed_on: String,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use crate::domain::{Actor, Role};
    use crate::AppError;

    /// An alert for each QA Manager that a change waits for their decision.
    pub async fn tell_qa_managers(
        store: &crate::store::Store,
    ) -> Result<crate::store::Notices, AppError> {
        use crate::domain::alert::AlertKind;
        let mut notices = crate::store::Notices::new();
        for (person_id, _) in store
            .people_with_role(Role::QaManager)
            .await
            .map_err(crate::server::failed("find the QA Managers"))?
        {
            notices.alert(crate::store::NewAlert {
                person_id,
                kind: AlertKind::TeamManagersProposed,
                case_id: None,
                link: "/directory#waiting".into(),
                body: "A change to a team's Team or Service Manager is proposed. Confirm or decline it in the directory.".into(),
            });
        }
        Ok(notices)
    }

    /// Sets lead practitioners (from a file, or on screen with `upload` `None`), tells the
    /// key workers of any open audit handed over, and forgets cached views of the pool.
    pub async fn set_leads(
        store: &crate::store::Store,
        upload: Option<(&str, &str)>,
        leads: &[crate::store::LeadPractitioner],
        by: i64,
    ) -> Result<Option<i64>, AppError> {
        use crate::server::{committed, failed};
        let programme = store
            .programme_people()
            .await
            .map_err(failed("read the programme's people"))?;
        let mut told = crate::store::Notices::new();
        let id = store
            .set_lead_practitioners(upload, leads, by, crate::server::clock::now(), |h| {
                let notices = crate::server::handover_notices(&programme, h);
                told = notices.clone();
                notices
            })
            .await
            .map_err(failed("set lead practitioners"))?;
        committed(&told);
        if let Some(site) = leptos::prelude::use_context::<crate::server::SiteSettings>() {
            site.views.forget_all();
        }
        tracing::info!(
            import_id = id,
            cases = leads.len(),
            person_id = by,
            handed_over = told.alerts.len() / 2,
            "lead practitioners set"
        );
        Ok(id)
    }

    pub fn require_directory(actor: &Actor) -> Result<(), AppError> {
        if actor.roles.any(&[Role::QaManager, Role::Administrator]) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// An optional person ID from a select, who must be among `allowed`.
    pub fn chosen(
        raw: Option<&str>,
        allowed: &[(i64, String)],
        field: &str,
        what: &str,
    ) -> Result<Option<i64>, AppError> {
        let raw = raw.unwrap_or("").trim();
        if raw.is_empty() {
            return Ok(None);
        }
        raw.parse::<i64>()
            .ok()
            .filter(|id| allowed.iter().any(|(p, _)| p == id))
            .map(Some)
            .ok_or_else(|| {
                AppError::Invalid(vec![crate::FieldError::new(
                    field,
                    format!("Choose a {what} from the list"),
                )])
            })
    }
}

#[server(endpoint = "directory", output = crate::codec::Compact)]
pub async fn directory() -> Result<DirectoryView, AppError> {
    use crate::domain::Role;
    use crate::server::*;
    respond("directory", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_directory(&actor)?;
        let staff = store.staff_refs().await.map_err(failed("directory"))?;
        let holding = |role: Role| -> Vec<(i64, String)> {
            staff
                .iter()
                .filter(|s| s.roles.has(role))
                .map(|s| (s.id, s.name.clone()))
                .collect()
        };
        Ok(DirectoryView {
            teams: store
                .team_directory()
                .await
                .map_err(failed("directory"))?
                .into_iter()
                .map(|t| TeamEntry {
                    id: t.id,
                    name: t.name,
                    team_manager_id: t.team_manager_id,
                    service_manager_id: t.service_manager_id,
                    open_cases: t.open_cases,
                })
                .collect(),
            team_managers: holding(Role::TeamManager),
            service_managers: holding(Role::ServiceManager),
            waiting: store
                .waiting_team_changes()
                .await
                .map_err(failed("directory"))?
                .into_iter()
                .map(|c| {
                    let lines = c
                        .moves()
                        .into_iter()
                        .map(|(role, from, to)| format!("{role}: {from} to {to}"))
                        .collect();
                    WaitingChange {
                        id: c.id,
                        team: c.team,
                        lines,
                        proposed_by: c.proposed_by.clone().unwrap_or_else(|| "nobody".into()),
                        proposed_on: crate::domain::calendar::london_date(c.proposed_at)
                            .format("%-d %B %Y")
                            .to_string(),
                    }
                })
                .collect(),
            decides: actor.roles.has(Role::QaManager),
        })
    })
    .await
}

/// Sets a team's Team Manager and Service Manager (blank for none). They open the team's
/// cases and filed audits to the people chosen, so it is the QA Manager's decision: their
/// change is made at once; the Administrator's is proposed to them. `true` when proposed.
#[server(endpoint = "save_team", output = crate::codec::Compact)]
pub async fn save_team(
    team_id: i64,
    team_manager_id: Option<String>,
    service_manager_id: Option<String>,
) -> Result<bool, AppError> {
    use crate::domain::Role;
    use crate::server::*;
    respond("save_team", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_directory(&actor)?;
        let view = directory_lists(&store).await?;
        let tm = ssr::chosen(
            team_manager_id.as_deref(),
            &view.0,
            &format!("tm-{team_id}"),
            "Team Manager",
        )?;
        let sm = ssr::chosen(
            service_manager_id.as_deref(),
            &view.1,
            &format!("sm-{team_id}"),
            "Service Manager",
        )?;
        let now = chrono::Utc::now();
        if actor.roles.has(Role::QaManager) {
            if !store
                .save_team_managers(team_id, (tm, sm), actor.person_id, now)
                .await
                .map_err(failed("save team"))?
            {
                return Err(AppError::NotFound);
            }
            tracing::info!(team_id, person_id = actor.person_id, "team managers saved");
            return Ok(false);
        }
        let notices = ssr::tell_qa_managers(&store).await?;
        match store
            .propose_team_managers(team_id, (tm, sm), actor.person_id, &notices, now)
            .await
            .map_err(failed("propose team managers"))?
        {
            None => Err(AppError::NotFound),
            Some(None) => Ok(false),
            Some(Some(_)) => {
                committed(&notices);
                tracing::info!(
                    team_id,
                    person_id = actor.person_id,
                    "team managers proposed"
                );
                Ok(true)
            }
        }
    })
    .await
}

/// The QA Manager confirms (`decision` = `confirm`) or declines a proposed change to a
/// team's managers.
#[server(endpoint = "decide_team_change", output = crate::codec::Compact)]
pub async fn decide_team_change(change_id: i64, decision: String) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::*;
    use crate::store::Decided;
    use crate::FieldError;
    respond("decide_team_change", async move {
        let (store, actor) = signed_in().await?;
        if !actor.roles.has(Role::QaManager) {
            return Err(AppError::Forbidden);
        }
        let confirm = match decision.as_str() {
            "confirm" => true,
            "decline" => false,
            _ => return Err(AppError::NotFound),
        };
        match store
            .decide_team_change(change_id, confirm, actor.person_id, chrono::Utc::now())
            .await
            .map_err(failed("decide a team change"))?
        {
            Decided::Done => {
                tracing::info!(change_id, confirm, person_id = actor.person_id, "team change decided");
                Ok(())
            }
            Decided::NotWaiting => Err(AppError::NotFound),
            Decided::Overtaken => Err(AppError::Invalid(vec![FieldError::new(
                &format!("change-{change_id}"),
                "The team's managers have changed since this was proposed. Decline it, and change them again if needed",
            )])),
        }
    })
    .await
}

#[cfg(feature = "ssr")]
async fn directory_lists(
    store: &crate::store::Store,
) -> Result<(Vec<(i64, String)>, Vec<(i64, String)>), AppError> {
    use crate::domain::Role;
    let staff = store.staff_refs().await.map_err(crate::server::internal)?;
    let holding = |role: Role| {
        staff
            .iter()
            .filter(|s| s.roles.has(role))
            .map(|s| (s.id, s.name.clone()))
            .collect()
    };
    Ok((holding(Role::TeamManager), holding(Role::ServiceManager)))
}

#[server(endpoint = "add_team", output = crate::codec::Compact)]
pub async fn add_team(name: String) -> Result<i64, AppError> {
    use crate::server::*;
    use crate::FieldError;
    respond("add_team", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_directory(&actor)?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(AppError::Invalid(vec![FieldError::new(
                "team-name",
                "Enter the team's name, up to 120 characters",
            )]));
        }
        let id = store
            .create_team(name, chrono::Utc::now())
            .await
            .map_err(failed("add team"))?
            .ok_or_else(|| {
                AppError::Invalid(vec![FieldError::new(
                    "team-name",
                    "There is already a team with this name",
                )])
            })?;
        tracing::info!(team_id = id, person_id = actor.person_id, "team added");
        Ok(id)
    })
    .await
}

/// Sets a case's IRO / CP Chair on screen (QA Manager, who may see the case).
#[server(endpoint = "set_case_iro", output = crate::codec::Compact)]
pub async fn set_case_iro(case_id: i64, iro_id: Option<String>) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::*;
    respond("set_case_iro", async move {
        trail::touch(crate::domain::trail::Record::Case(case_id));
        let (store, actor) = signed_in().await?;
        if !actor.roles.has(Role::QaManager) {
            return Err(AppError::Forbidden);
        }
        store
            .case(case_id)
            .await
            .map_err(failed("set case iro"))?
            .ok_or(AppError::NotFound)?;
        let iros: Vec<(i64, String)> = store
            .staff_refs()
            .await
            .map_err(failed("set case iro"))?
            .into_iter()
            .filter(|s| s.roles.has(Role::IroCpChair))
            .map(|s| (s.id, s.name))
            .collect();
        let iro = ssr::chosen(iro_id.as_deref(), &iros, "iro", "IRO / CP Chair")?;
        store
            .set_case_iros(None, &[(case_id, iro)], actor.person_id, chrono::Utc::now())
            .await
            .map_err(failed("set case iro"))?;
        tracing::info!(case_id, person_id = actor.person_id, "IRO / CP Chair set");
        Ok(())
    })
    .await
}

/// Sets a case's team and lead practitioner on screen (QA Manager): what List 2 and other
/// lists without allocation columns leave unknown. Both are needed before it can be drawn.
#[server(endpoint = "set_lead_practitioner", output = crate::codec::Compact)]
pub async fn set_lead_practitioner(
    case_id: i64,
    team_id: Option<String>,
    key_worker_id: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::Role;
    use crate::server::*;
    use crate::FieldError;
    respond("set_lead_practitioner", async move {
        trail::touch(crate::domain::trail::Record::Case(case_id));
        let (store, actor) = signed_in().await?;
        if !actor.roles.has(Role::QaManager) {
            return Err(AppError::Forbidden);
        }
        store
            .case(case_id)
            .await
            .map_err(failed("set lead practitioner"))?
            .ok_or(AppError::NotFound)?;
        let teams = store
            .teams()
            .await
            .map_err(failed("set lead practitioner"))?;
        let key_workers: Vec<(i64, String)> = store
            .staff_refs()
            .await
            .map_err(failed("set lead practitioner"))?
            .into_iter()
            .filter(|s| s.roles.has(Role::KeyWorker))
            .map(|s| (s.id, s.name))
            .collect();
        // Both are needed: each missing or unknown choice is named at its own field.
        let mut errors = Vec::new();
        let mut required =
            |raw: Option<&str>, allowed: &[(i64, String)], field: &str, what: &str| {
                match ssr::chosen(raw, allowed, field, what) {
                    Ok(Some(id)) => Some(id),
                    Ok(None) => {
                        errors.push(FieldError::new(
                            field,
                            format!("Choose a {what} for this case"),
                        ));
                        None
                    }
                    Err(e) => {
                        errors.extend(e.field_errors().iter().cloned());
                        None
                    }
                }
            };
        let team = required(team_id.as_deref(), &teams, "lead-team", "team");
        let worker = required(
            key_worker_id.as_deref(),
            &key_workers,
            "lead-worker",
            "lead practitioner",
        );
        let (Some(team_id), Some(key_worker_id), true) = (team, worker, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        ssr::set_leads(
            &store,
            None,
            &[crate::store::LeadPractitioner {
                case_id,
                team_id,
                key_worker_id,
            }],
            actor.person_id,
        )
        .await?;
        Ok(())
    })
    .await
}

/// Receives a directory CSV (`kind` is `teams`, `iros` or `leads`, and `file`): checked whole, then
/// applied in one transaction, or kept as rejected with every problem.
#[server(input = MultipartFormData, endpoint = "upload_directory", output = crate::codec::Compact)]
pub async fn upload_directory(data: MultipartData) -> Result<i64, AppError> {
    use crate::domain::annex_import::{header_key, Problem};
    use crate::domain::directory::{find_staff, read_iros, read_lead_practitioners, read_teams};
    use crate::domain::Role;
    use crate::server::upload::{read_sheets, receive, too_large, Received};
    use crate::server::*;
    use crate::store::{LeadPractitioner, TeamUpdate};
    use crate::FieldError;
    respond("upload_directory", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_directory(&actor)?;
        let Received {
            fields,
            file_name,
            bytes,
            too_large: over,
        } = receive(data, "directory-file").await?;
        let kind = fields.get("kind").cloned().unwrap_or_default();
        let kind = match kind.trim() {
            "teams" => "directory_teams",
            // Setting IROs opens cases to them: the QA Manager's decision, as on screen.
            "iros" if !actor.roles.has(crate::domain::Role::QaManager) => {
                return Err(AppError::Forbidden)
            }
            "iros" => "directory_iros",
            // Lead practitioners open cases to key workers and their managers: the same.
            "leads" if !actor.roles.has(crate::domain::Role::QaManager) => {
                return Err(AppError::Forbidden)
            }
            "leads" => "directory_leads",
            _ => {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "directory-kind",
                    "Choose what the file holds",
                )]))
            }
        };
        let staff = store
            .staff_refs()
            .await
            .map_err(failed("upload directory"))?;
        let now = chrono::Utc::now();
        let sheet = if over {
            Err(vec![too_large()])
        } else {
            read_sheets(&file_name, &bytes).await.map_err(|p| vec![p])
        };
        let locate = |row: usize, column: &str, message: String| Problem {
            sheet: Some(file_name.clone()),
            row: Some(row),
            column: Some(column.into()),
            message,
        };
        let outcome: Result<i64, Vec<Problem>> = match kind {
            "directory_teams" => {
                let teams = store.teams().await.map_err(failed("upload directory"))?;
                match sheet.and_then(|s| read_teams(&s[0])) {
                    Err(p) => Err(p),
                    Ok(lines) => {
                        let mut problems = Vec::new();
                        let mut updates = Vec::new();
                        for l in &lines {
                            let mut person = |value: &Option<String>, role: Role, column: &str| {
                                value.as_deref().and_then(|v| {
                                    find_staff(v, &staff, role)
                                        .map_err(|m| problems.push(locate(l.row, column, m)))
                                        .ok()
                                })
                            };
                            let tm = person(&l.team_manager, Role::TeamManager, "Team Manager");
                            let sm =
                                person(&l.service_manager, Role::ServiceManager, "Service Manager");
                            updates.push(TeamUpdate {
                                team_id: teams
                                    .iter()
                                    .find(|(_, n)| header_key(n) == header_key(&l.team))
                                    .map(|(id, _)| *id),
                                name: l.team.clone(),
                                team_manager_id: tm,
                                service_manager_id: sm,
                            });
                        }
                        if problems.is_empty() {
                            let payload = serde_json::to_string(&lines)
                                .map_err(failed("upload directory"))?;
                            let direct = actor.roles.has(Role::QaManager);
                            let notices = ssr::tell_qa_managers(&store).await?;
                            let (id, proposed) = store
                                .apply_team_directory(
                                    &file_name,
                                    &payload,
                                    &updates,
                                    actor.person_id,
                                    direct,
                                    &notices,
                                    now,
                                )
                                .await
                                .map_err(failed("upload directory"))?;
                            if proposed > 0 {
                                committed(&notices);
                            }
                            Ok(id)
                        } else {
                            Err(problems)
                        }
                    }
                }
            }
            "directory_leads" => match sheet.and_then(|s| read_lead_practitioners(&s[0])) {
                Err(p) => Err(p),
                Ok(lines) => {
                    // Teams and workers as Annex A imports name them, aliases included.
                    let names = store
                        .directory()
                        .await
                        .map_err(failed("upload directory"))?;
                    let mut problems = Vec::new();
                    let mut leads = Vec::new();
                    for l in &lines {
                        let case = store
                            .case_id_by_child_id(&l.child_unique_id)
                            .await
                            .map_err(failed("upload directory"))?;
                        if case.is_none() {
                            problems.push(locate(
                                l.row,
                                "Child Unique ID",
                                format!("No case has Child Unique ID {}", l.child_unique_id),
                            ));
                        }
                        let team = names.team(&l.team);
                        if team.is_none() {
                            problems.push(locate(
                                l.row,
                                "Team",
                                format!(
                                    "No team is called {}: add it in the directory first",
                                    l.team
                                ),
                            ));
                        }
                        let worker = find_staff(&l.lead_practitioner, &staff, Role::KeyWorker)
                            .or_else(|m| names.worker(&l.lead_practitioner).map_err(|_| m));
                        if let Err(m) = &worker {
                            problems.push(locate(l.row, "Lead Practitioner", m.clone()));
                        }
                        if let (Some(case_id), Some(team_id), Ok(key_worker_id)) =
                            (case, team, worker)
                        {
                            leads.push(LeadPractitioner {
                                case_id,
                                team_id,
                                key_worker_id,
                            });
                        }
                    }
                    if problems.is_empty() {
                        let payload =
                            serde_json::to_string(&lines).map_err(failed("upload directory"))?;
                        let id = ssr::set_leads(
                            &store,
                            Some((&file_name, &payload)),
                            &leads,
                            actor.person_id,
                        )
                        .await?;
                        Ok(id.ok_or_else(|| internal("lead practitioner upload not recorded"))?)
                    } else {
                        Err(problems)
                    }
                }
            },
            _ => match sheet.and_then(|s| read_iros(&s[0])) {
                Err(p) => Err(p),
                Ok(lines) => {
                    let mut problems = Vec::new();
                    let mut changes = Vec::new();
                    for l in &lines {
                        let case = store
                            .case_id_by_child_id(&l.child_unique_id)
                            .await
                            .map_err(failed("upload directory"))?;
                        let iro = match &l.iro {
                            None => Ok(None),
                            Some(v) => find_staff(v, &staff, Role::IroCpChair).map(Some),
                        };
                        match (case, iro) {
                            (None, _) => problems.push(locate(
                                l.row,
                                "Child Unique ID",
                                format!("No case has Child Unique ID {}", l.child_unique_id),
                            )),
                            (_, Err(m)) => problems.push(locate(l.row, "IRO / CP Chair", m)),
                            (Some(case_id), Ok(iro)) => changes.push((case_id, iro)),
                        }
                    }
                    if problems.is_empty() {
                        let payload =
                            serde_json::to_string(&lines).map_err(failed("upload directory"))?;
                        let id = store
                            .set_case_iros(
                                Some((&file_name, &payload)),
                                &changes,
                                actor.person_id,
                                now,
                            )
                            .await
                            .map_err(failed("upload directory"))?;
                        Ok(id.ok_or_else(|| internal("IRO upload not recorded"))?)
                    } else {
                        Err(problems)
                    }
                }
            },
        };
        let id = match outcome {
            Ok(id) => id,
            Err(problems) => store
                .create_import(
                    kind,
                    &file_name,
                    None,
                    "rejected",
                    &serde_json::to_string(&problems).map_err(failed("upload directory"))?,
                    actor.person_id,
                    now,
                )
                .await
                .map_err(failed("upload directory"))?,
        };
        tracing::info!(
            import_id = id,
            person_id = actor.person_id,
            kind,
            "directory uploaded"
        );
        leptos_axum::redirect(&format!("/imports/{id}"));
        Ok(id)
    })
    .await
}
