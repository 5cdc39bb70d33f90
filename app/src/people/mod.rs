//! People and roles (the Administrator): staff accounts, their roles, invitations and
//! password resets, leavers and returners, and staff imports from the HR system. The QA
//! Manager sees a leaver's open work, to reassign it.

pub(crate) mod page;

pub use page::{AddPersonPage, OpenWorkPage, PeoplePage, PersonPage, StaffImportPage};

use crate::domain::annex_import::Problem;
use crate::AppError;
use leptos::prelude::*;
use leptos::server_fn::codec::{MultipartData, MultipartFormData};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// People shown per page of the list.
pub const PAGE_SIZE: i64 = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonListing {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub team: Option<String>,
    pub roles: Vec<String>,
    pub active: bool,
    pub password_set: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleView {
    pub people: Vec<PersonListing>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub teams: Vec<(i64, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryLine {
    pub at: String,
    pub what: String,
    pub by: String,
}

/// How much a leaver still holds, as counts (the Administrator need not see cases).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenWorkCounts {
    pub audits: usize,
    pub cases: usize,
    pub teams: usize,
    pub reviews: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonView {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub team_id: Option<i64>,
    pub active: bool,
    pub password_set: bool,
    /// Role codes held.
    pub roles: Vec<String>,
    pub deactivated_on: Option<String>,
    pub is_you: bool,
    pub teams: Vec<(i64, String)>,
    pub open_work: Option<OpenWorkCounts>,
    pub history: Vec<HistoryLine>,
}

/// A leaver's open work, for the QA Manager to reassign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenWorkView {
    pub person_id: i64,
    pub name: String,
    pub active: bool,
    /// (audit ID, Child Unique ID, state label).
    pub audits: Vec<(i64, String, String)>,
    /// (case ID, Child Unique ID).
    pub key_worker_cases: Vec<(i64, String)>,
    pub iro_cases: Vec<(i64, String)>,
    /// (team, the role they hold in it).
    pub teams: Vec<(String, String)>,
    pub action_reviews: Vec<i64>,
    pub moderations: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffImportView {
    pub id: i64,
    pub file_name: String,
    pub full_list: bool,
    pub applied: bool,
    pub uploaded: String,
    pub problems: Vec<Problem>,
    /// (person ID, name, email) of people added.
    pub added: Vec<(i64, String, String)>,
    /// (person ID, name, what changed).
    pub updated: Vec<(i64, String, String)>,
    pub unchanged: usize,
    /// Still-active people missing from a full list, to deactivate if they have left.
    pub missing: Vec<PersonListing>,
    /// Deactivated people the file lists: reactivate them on their page if they returned.
    pub inactive_listed: Vec<PersonListing>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::domain::alert::AlertKind;
    use crate::domain::{Actor, Role, RoleSet};
    use crate::server::{internal, NewAlert, Notices};
    use crate::store::{PersonRow, Store};
    use crate::{AppError, FieldError};
    use std::collections::HashMap;

    pub fn require_administrator(actor: &Actor) -> Result<(), AppError> {
        if actor.roles.has(Role::Administrator) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn listing(p: PersonRow) -> super::PersonListing {
        super::PersonListing {
            id: p.id,
            name: p.display_name,
            email: p.email,
            team: p.team,
            roles: p.roles.iter().map(|r| r.label().to_string()).collect(),
            active: p.active,
            password_set: p.password_set,
        }
    }

    /// The roles ticked in a form (`f[<role code>]`).
    pub fn ticked_roles(f: &Option<HashMap<String, String>>) -> RoleSet {
        RoleSet::new(
            Role::ALL
                .into_iter()
                .filter(|r| f.as_ref().is_some_and(|f| f.contains_key(r.code()))),
        )
    }

    /// Name, work email and team from a form, each checked at its field.
    pub async fn details(
        store: &Store,
        name: &str,
        email: &str,
        team: Option<&str>,
    ) -> Result<(String, String, Option<i64>), AppError> {
        let mut errors = Vec::new();
        let name = name.trim();
        if name.is_empty() {
            errors.push(FieldError::new("name", "Enter the person's full name"));
        } else if name.chars().count() > crate::domain::staff_import::MAX_NAME_LEN {
            errors.push(FieldError::new(
                "name",
                "The name must be 120 characters or fewer",
            ));
        }
        let email = crate::domain::EmailAddress::parse(email)
            .map_err(|e| errors.push(FieldError::new("email", e.to_string())))
            .ok();
        let team = match team.map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(raw) => {
                let teams = store.teams().await.map_err(internal)?;
                match raw
                    .parse::<i64>()
                    .ok()
                    .filter(|id| teams.iter().any(|(t, _)| t == id))
                {
                    Some(id) => Some(id),
                    None => {
                        errors.push(FieldError::new("team", "Choose a team from the list"));
                        None
                    }
                }
            }
        };
        match (email, errors.is_empty()) {
            (Some(email), true) => Ok((name.to_string(), email.as_str().to_string(), team)),
            _ => Err(AppError::Invalid(errors)),
        }
    }

    /// Alerts the active QA Managers (but not whoever made the change) that people were
    /// given roles in the QA programme, which open every case to them.
    pub async fn tell_of_programme_grants(
        store: &Store,
        grants: &[(String, Vec<Role>)],
        actor: i64,
    ) -> Result<Notices, AppError> {
        let mut notices = Notices::new();
        if grants.iter().all(|(_, roles)| roles.is_empty()) {
            return Ok(notices);
        }
        let qa = store
            .people_with_role(Role::QaManager)
            .await
            .map_err(internal)?;
        for (name, roles) in grants.iter().filter(|g| !g.1.is_empty()) {
            let labels: Vec<&str> = roles.iter().map(|r| r.label()).collect();
            for (qa_id, _) in qa.iter().filter(|(q, _)| *q != actor) {
                notices.alert(NewAlert {
                    person_id: *qa_id,
                    kind: AlertKind::ProgrammeRoleGranted,
                    case_id: None,
                    // Nothing to open: the QA Manager is told, the Administrator decides.
                    link: "/tray".into(),
                    body: format!(
                        "{name} has been given the {} {}, which opens every case to them.",
                        labels.join(" and "),
                        if labels.len() == 1 { "role" } else { "roles" }
                    ),
                });
            }
        }
        Ok(notices)
    }
}

#[server(endpoint = "people_list", output = crate::codec::Compact)]
pub async fn people_list(
    search: Option<String>,
    role: Option<String>,
    team: Option<String>,
    status: Option<String>,
    page: Option<i64>,
) -> Result<PeopleView, AppError> {
    use crate::domain::Role;
    use crate::server::*;
    use crate::store::{PeopleQuery, PeopleStatus};
    respond("people_list", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_administrator(&actor)?;
        let page = page.unwrap_or(1).max(1);
        let query = PeopleQuery {
            search: search.filter(|s| !s.trim().is_empty()),
            role: role.as_deref().and_then(Role::from_code),
            team_id: team.as_deref().and_then(|t| t.parse().ok()),
            status: match status.as_deref() {
                Some("inactive") => PeopleStatus::Inactive,
                Some("all") => PeopleStatus::All,
                _ => PeopleStatus::Active,
            },
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
        };
        let (people, total) = store
            .people_page(&query)
            .await
            .map_err(failed("people list"))?;
        Ok(PeopleView {
            people: people.into_iter().map(ssr::listing).collect(),
            total,
            page,
            pages: ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1),
            teams: store.teams().await.map_err(failed("people list"))?,
        })
    })
    .await
}

/// Teams a person can belong to (the Administrator's forms).
#[server(endpoint = "team_choices", output = crate::codec::Compact)]
pub async fn team_choices() -> Result<Vec<(i64, String)>, AppError> {
    use crate::server::*;
    respond("team_choices", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_administrator(&actor)?;
        store.teams().await.map_err(failed("team choices"))
    })
    .await
}

#[server(endpoint = "person", output = crate::codec::Compact)]
pub async fn person(person_id: i64) -> Result<PersonView, AppError> {
    use crate::domain::people::PersonChange;
    use crate::domain::Role;
    use crate::server::*;
    respond("person", async move {
        trail::touch(crate::domain::trail::Record::Person(person_id));
        let (store, actor) = signed_in().await?;
        ssr::require_administrator(&actor)?;
        let p = store
            .person_row(person_id)
            .await
            .map_err(failed("person"))?
            .ok_or(AppError::NotFound)?;
        let teams = store.teams().await.map_err(failed("person"))?;
        let team_name = |raw: &Option<String>| {
            raw.as_deref()
                .and_then(|t| t.parse::<i64>().ok())
                .and_then(|id| teams.iter().find(|(t, _)| *t == id))
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| "no team".into())
        };
        let role_label = |raw: &Option<String>| {
            raw.as_deref()
                .and_then(Role::from_code)
                .map(|r| r.label().to_string())
                .unwrap_or_default()
        };
        let history = store
            .person_history(person_id)
            .await
            .map_err(failed("person"))?
            .into_iter()
            .map(|h| {
                let change = PersonChange::parse(&h.change);
                let what = match change {
                    Some(PersonChange::RoleGranted) => {
                        format!("Given the role {}", role_label(&h.new_value))
                    }
                    Some(PersonChange::RoleRemoved) => {
                        format!("The role {} removed", role_label(&h.old_value))
                    }
                    Some(PersonChange::Team) => format!(
                        "Team changed from {} to {}",
                        team_name(&h.old_value),
                        team_name(&h.new_value)
                    ),
                    Some(c @ (PersonChange::Name | PersonChange::Email)) => format!(
                        "{} from {} to {}",
                        c.label(),
                        h.old_value.clone().unwrap_or_default(),
                        h.new_value.clone().unwrap_or_default()
                    ),
                    Some(c) => c.label().to_string(),
                    None => h.change.clone(),
                };
                let what = match h.staff_import_id {
                    Some(id) => format!("{what} (staff import {id})"),
                    None => what,
                };
                HistoryLine {
                    at: h.at.format("%-d %B %Y at %H:%M").to_string(),
                    what,
                    by: h.by_name.unwrap_or_else(|| match change {
                        Some(PersonChange::PasswordSet | PersonChange::PasswordChanged) => {
                            "Themselves".into()
                        }
                        _ => "The server's command line".into(),
                    }),
                }
            })
            .collect();
        let open_work = if p.active {
            None
        } else {
            let w = store.open_work(person_id).await.map_err(failed("person"))?;
            Some(OpenWorkCounts {
                audits: w.audits.len(),
                cases: w.key_worker_cases.len() + w.iro_cases.len(),
                teams: w.teams.len(),
                reviews: w.action_reviews.len() + w.moderations.len(),
            })
        };
        Ok(PersonView {
            id: p.id,
            name: p.display_name,
            email: p.email,
            team_id: p.team_id,
            active: p.active,
            password_set: p.password_set,
            roles: p.roles.iter().map(|r| r.code().to_string()).collect(),
            deactivated_on: p.deactivated_at.map(|d| d.format("%-d %B %Y").to_string()),
            is_you: p.id == actor.person_id,
            teams,
            open_work,
            history,
        })
    })
    .await
}

/// Adds a person; with `invite` ticked, emails them a link to set their password.
#[server(endpoint = "add_person", output = crate::codec::Compact)]
pub async fn add_person(
    name: String,
    email: String,
    team: Option<String>,
    f: Option<HashMap<String, String>>,
    invite: Option<String>,
) -> Result<i64, AppError> {
    use crate::domain::people::RoleChange;
    use crate::domain::RoleSet;
    use crate::server::*;
    use crate::store::NewPerson;
    use crate::FieldError;
    respond("add_person", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_administrator(&actor)?;
        let details = ssr::details(&store, &name, &email, team.as_deref()).await;
        let roles = ssr::ticked_roles(&f);
        let mut errors = details
            .as_ref()
            .err()
            .map(|e| e.field_errors().to_vec())
            .unwrap_or_default();
        if roles.is_empty() {
            errors.push(FieldError::new(
                "roles",
                "Choose at least one role: it decides what they can see",
            ));
        }
        let (name, email, team_id) = match details {
            Ok(d) if errors.is_empty() => d,
            _ => return Err(AppError::Invalid(errors)),
        };
        let grants = RoleChange::between(&RoleSet::default(), &roles).programme_roles_granted();
        let now = chrono::Utc::now();
        let notices =
            ssr::tell_of_programme_grants(&store, &[(name.clone(), grants)], actor.person_id)
                .await?;
        let person = NewPerson {
            name: &name,
            email: &email,
            team_id,
            roles: &roles,
        };
        let id = store
            .add_person(&person, actor.person_id, &notices, now)
            .await
            .map_err(failed("add person"))?
            .ok_or_else(|| {
                AppError::Invalid(vec![FieldError::new(
                    "email",
                    "Someone already has this work email. Search for them on the People page",
                )])
            })?;
        committed(&notices);
        tracing::info!(person_id = id, by = actor.person_id, "person added");
        if invite.is_some() {
            let _ = send_one_link(&store, id, actor.person_id).await;
        }
        leptos_axum::redirect(&format!("/people/{id}"));
        Ok(id)
    })
    .await
}

/// Makes and sends an invitation (no password yet) or a reset link.
#[cfg(feature = "ssr")]
async fn send_link_to(
    store: &crate::store::Store,
    site: &crate::server::SiteSettings,
    person: &crate::store::PersonRow,
    by: i64,
) -> Result<(), String> {
    use crate::domain::people::LinkPurpose;
    use crate::server::links;
    let purpose = if person.password_set {
        LinkPurpose::Reset
    } else {
        LinkPurpose::Invitation
    };
    let email = links::link_for(store, site, person, purpose, Some(by), chrono::Utc::now())
        .await
        .map_err(|e| e.to_string())?;
    links::send_link(&site.mailer, email).await
}

/// [`send_link_to`] for a server function: the person must be active, and a failure is
/// said at the page's button.
#[cfg(feature = "ssr")]
async fn send_one_link(
    store: &crate::store::Store,
    person_id: i64,
    by: i64,
) -> Result<(), AppError> {
    use crate::server::{failed, SiteSettings};
    let site = use_context::<SiteSettings>().unwrap_or_default();
    let person = store
        .person_row(person_id)
        .await
        .map_err(failed("send link"))?
        .filter(|p| p.active)
        .ok_or(AppError::NotFound)?;
    send_link_to(store, &site, &person, by).await.map_err(|_| {
        AppError::Invalid(vec![crate::FieldError::new(
            "send-link",
            "The email could not be sent. Check the email settings (see the Email page), then send it again",
        )])
    })
}

/// Emails the person an invitation (if they have never set a password) or a reset link.
#[server(endpoint = "send_person_link", output = crate::codec::Compact)]
pub async fn send_person_link(person_id: i64) -> Result<(), AppError> {
    use crate::server::*;
    respond("send_person_link", async move {
        trail::touch(crate::domain::trail::Record::Person(person_id));
        let (store, actor) = signed_in().await?;
        ssr::require_administrator(&actor)?;
        send_one_link(&store, person_id, actor.person_id).await?;
        tracing::info!(person_id, by = actor.person_id, "one-time link sent");
        Ok(())
    })
    .await
}

#[server(endpoint = "save_person", output = crate::codec::Compact)]
pub async fn save_person(
    person_id: i64,
    name: String,
    email: String,
    team: Option<String>,
) -> Result<(), AppError> {
    use crate::server::*;
    use crate::store::SaveRefused;
    use crate::FieldError;
    respond("save_person", async move {
        trail::touch(crate::domain::trail::Record::Person(person_id));
        let (store, actor) = signed_in().await?;
        ssr::require_administrator(&actor)?;
        let (name, email, team_id) = ssr::details(&store, &name, &email, team.as_deref()).await?;
        match store
            .save_person_details(
                person_id,
                &name,
                &email,
                team_id,
                actor.person_id,
                chrono::Utc::now(),
            )
            .await
            .map_err(failed("save person"))?
        {
            Ok(()) => {}
            Err(SaveRefused::NoSuchPerson) => return Err(AppError::NotFound),
            Err(SaveRefused::EmailTaken) => {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "email",
                    "Someone else already has this work email",
                )]))
            }
        }
        tracing::info!(person_id, by = actor.person_id, "person's details saved");
        Ok(())
    })
    .await
}

#[server(endpoint = "save_roles", output = crate::codec::Compact)]
pub async fn save_roles(
    person_id: i64,
    f: Option<HashMap<String, String>>,
) -> Result<(), AppError> {
    use crate::domain::people::{keeps_an_administrator, RoleChange};
    use crate::domain::Role;
    use crate::server::*;
    use crate::FieldError;
    respond("save_roles", async move {
        trail::touch(crate::domain::trail::Record::Person(person_id));
        let (store, actor) = signed_in().await?;
        ssr::require_administrator(&actor)?;
        let p = store
            .person_row(person_id)
            .await
            .map_err(failed("save roles"))?
            .ok_or(AppError::NotFound)?;
        let roles = ssr::ticked_roles(&f);
        if roles.is_empty() {
            return Err(AppError::Invalid(vec![FieldError::new(
                "roles",
                "Choose at least one role. To stop someone signing in, deactivate them",
            )]));
        }
        let change = RoleChange::between(&p.roles, &roles);
        if change.is_empty() {
            return Ok(());
        }
        if p.active && change.removed.contains(&Role::Administrator) {
            let admins = store
                .active_administrators()
                .await
                .map_err(failed("save roles"))?;
            keeps_an_administrator(&admins, person_id)
                .map_err(|e| AppError::Invalid(vec![FieldError::new("roles", e.to_string())]))?;
        }
        let notices = ssr::tell_of_programme_grants(
            &store,
            &[(p.display_name.clone(), change.programme_roles_granted())],
            actor.person_id,
        )
        .await?;
        store
            .change_roles(
                person_id,
                &change,
                actor.person_id,
                &notices,
                chrono::Utc::now(),
            )
            .await
            .map_err(failed("save roles"))?;
        committed(&notices);
        // Their open pages re-read who they are at once.
        announce(&[person_id]);
        tracing::info!(person_id, by = actor.person_id, "roles changed");
        Ok(())
    })
    .await
}

/// Deactivates a leaver: signed out at once, their open streams closed, and the QA
/// Manager alerted to reassign whatever they still hold.
#[server(endpoint = "deactivate_person", output = crate::codec::Compact)]
pub async fn deactivate_person(person_id: i64) -> Result<(), AppError> {
    use crate::server::*;
    respond("deactivate_person", async move {
        trail::touch(crate::domain::trail::Record::Person(person_id));
        let (store, actor) = signed_in().await?;
        ssr::require_administrator(&actor)?;
        deactivate(&store, person_id, actor.person_id).await
    })
    .await
}

#[cfg(feature = "ssr")]
async fn deactivate(store: &crate::store::Store, person_id: i64, by: i64) -> Result<(), AppError> {
    use crate::domain::alert::AlertKind;
    use crate::domain::people::{keeps_an_administrator, PeopleRule};
    use crate::domain::Role;
    use crate::server::{announce, committed, failed, NewAlert, Notices};
    use crate::FieldError;
    let refuse =
        |rule: PeopleRule| AppError::Invalid(vec![FieldError::new("deactivate", rule.to_string())]);
    if person_id == by {
        return Err(refuse(PeopleRule::DeactivateSelf));
    }
    let p = store
        .person_row(person_id)
        .await
        .map_err(failed("deactivate"))?
        .ok_or(AppError::NotFound)?;
    if !p.active {
        return Ok(());
    }
    if p.roles.has(Role::Administrator) {
        let admins = store
            .active_administrators()
            .await
            .map_err(failed("deactivate"))?;
        keeps_an_administrator(&admins, person_id).map_err(refuse)?;
    }
    let work = store
        .open_work(person_id)
        .await
        .map_err(failed("deactivate"))?;
    let mut notices = Notices::new();
    if !work.is_empty() {
        let mut parts = Vec::new();
        let count =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        if !work.audits.is_empty() {
            parts.push(count(work.audits.len(), "open audit", "open audits"));
        }
        let cases = work.key_worker_cases.len() + work.iro_cases.len();
        if cases > 0 {
            parts.push(count(cases, "case", "cases"));
        }
        if !work.teams.is_empty() {
            parts.push(count(work.teams.len(), "team to manage", "teams to manage"));
        }
        let reviews = work.action_reviews.len() + work.moderations.len();
        if reviews > 0 {
            parts.push(count(
                reviews,
                "review or moderation",
                "reviews or moderations",
            ));
        }
        for (qa, _) in store
            .people_with_role(Role::QaManager)
            .await
            .map_err(failed("deactivate"))?
            .into_iter()
            .filter(|(q, _)| *q != person_id)
        {
            notices.alert(NewAlert {
                person_id: qa,
                kind: AlertKind::StaffLeft,
                case_id: None,
                link: format!("/people/{person_id}/open-work"),
                body: format!(
                    "{} has been deactivated as a leaver and still holds {}. They need someone new.",
                    p.display_name,
                    parts.join(", ")
                ),
            });
        }
    }
    store
        .deactivate_person(person_id, by, &notices, chrono::Utc::now())
        .await
        .map_err(failed("deactivate"))?;
    store
        .log_access(Some(person_id), "deactivated", None)
        .await
        .map_err(failed("deactivate"))?;
    committed(&notices);
    // Their streams are served once more, find their sessions gone, and close.
    announce(&[person_id]);
    tracing::info!(person_id, by, "person deactivated");
    Ok(())
}

#[server(endpoint = "reactivate_person", output = crate::codec::Compact)]
pub async fn reactivate_person(person_id: i64) -> Result<(), AppError> {
    use crate::server::*;
    respond("reactivate_person", async move {
        trail::touch(crate::domain::trail::Record::Person(person_id));
        let (store, actor) = signed_in().await?;
        ssr::require_administrator(&actor)?;
        store
            .person_row(person_id)
            .await
            .map_err(failed("reactivate"))?
            .ok_or(AppError::NotFound)?;
        store
            .reactivate_person(person_id, actor.person_id, chrono::Utc::now())
            .await
            .map_err(failed("reactivate"))?;
        tracing::info!(person_id, by = actor.person_id, "person reactivated");
        Ok(())
    })
    .await
}

/// A leaver's open work (the QA Manager, who reassigns it).
#[server(endpoint = "person_open_work", output = crate::codec::Compact)]
pub async fn person_open_work(person_id: i64) -> Result<OpenWorkView, AppError> {
    use crate::domain::audit::AuditState;
    use crate::domain::Role;
    use crate::server::*;
    respond("person_open_work", async move {
        trail::touch(crate::domain::trail::Record::Person(person_id));
        let (store, actor) = signed_in().await?;
        if !actor.roles.has(Role::QaManager) {
            return Err(AppError::Forbidden);
        }
        let p = store
            .person_row(person_id)
            .await
            .map_err(failed("open work"))?
            .ok_or(AppError::NotFound)?;
        let w = store
            .open_work(person_id)
            .await
            .map_err(failed("open work"))?;
        Ok(OpenWorkView {
            person_id,
            name: p.display_name,
            active: p.active,
            audits: w
                .audits
                .into_iter()
                .map(|(id, child, state)| {
                    let label = AuditState::from_code(&state)
                        .map(|s| s.label().to_string())
                        .unwrap_or(state);
                    (id, child, label)
                })
                .collect(),
            key_worker_cases: w.key_worker_cases,
            iro_cases: w.iro_cases,
            teams: w
                .teams
                .into_iter()
                .map(|(_, name, role)| (name, role.to_string()))
                .collect(),
            action_reviews: w.action_reviews,
            moderations: w.moderations,
        })
    })
    .await
}

/// Receives the HR system's staff file (`file`; `full` when it lists all staff; `invite`
/// to email new people their invitations): checked whole, then applied in one
/// transaction, or kept as refused with every problem.
#[server(input = MultipartFormData, endpoint = "upload_staff", output = crate::codec::Compact)]
pub async fn upload_staff(data: MultipartData) -> Result<i64, AppError> {
    use crate::domain::staff_import::check_staff_file;
    use crate::server::upload::{read_sheets, receive, too_large, Received};
    use crate::server::*;
    use crate::FieldError;
    respond("upload_staff", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_administrator(&actor)?;
        let Received { fields, file_name, bytes, too_large: over } = receive(data, "staff-file").await?;
        if file_name.is_empty() || (bytes.is_empty() && !over) {
            return Err(AppError::Invalid(vec![FieldError::new(
                "staff-file",
                "Choose the staff file to upload",
            )]));
        }
        let full = fields.get("full").is_some_and(|v| v == "yes");
        let invite = fields.get("invite").is_some_and(|v| v == "yes");
        let now = chrono::Utc::now();
        let people = store.staff_for_import().await.map_err(failed("upload staff"))?;
        let planned = if over {
            Err(vec![too_large()])
        } else {
            match read_sheets(&file_name, &bytes).await {
                Err(p) => Err(vec![p]),
                Ok(sheets) => match sheets.first() {
                    None => Err(vec![Problem::file("The workbook has no sheets")]),
                    Some(sheet) => {
                        let teams = store.teams().await.map_err(failed("upload staff"))?;
                        check_staff_file(sheet, &teams, &people, full)
                    }
                },
            }
        };
        let plan = match planned {
            Ok(plan) => plan,
            Err(problems) => {
                let id = store
                    .reject_staff_import(
                        &file_name,
                        full,
                        &serde_json::to_string(&problems).map_err(failed("upload staff"))?,
                        actor.person_id,
                        now,
                    )
                    .await
                    .map_err(failed("upload staff"))?;
                tracing::info!(staff_import_id = id, problems = problems.len(), "staff file refused");
                leptos_axum::redirect(&format!("/people/imports/{id}"));
                return Ok(id);
            }
        };
        let mut grants: Vec<(String, Vec<crate::domain::Role>)> = plan
            .added
            .iter()
            .map(|a| (a.name.clone(), a.roles.iter().filter(|r| r.sees_every_case()).collect()))
            .collect();
        for u in &plan.updated {
            let name = match &u.name {
                Some((_, new)) => new.clone(),
                None => people.iter().find(|p| p.id == u.person_id).map(|p| p.name.clone()).unwrap_or_default(),
            };
            let roles = u.roles_added.iter().copied().filter(|r| r.sees_every_case()).collect();
            grants.push((name, roles));
        }
        let notices = ssr::tell_of_programme_grants(&store, &grants, actor.person_id).await?;
        let id = store
            .apply_staff_import(&file_name, full, &plan, actor.person_id, &notices, now)
            .await
            .map_err(failed("upload staff"))?
            .ok_or_else(|| {
                AppError::Invalid(vec![FieldError::new(
                    "staff-file",
                    "Someone added one of these people while the file was being checked. Upload it again",
                )])
            })?;
        committed(&notices);
        tracing::info!(staff_import_id = id, added = plan.added.len(), updated = plan.updated.len(), "staff file applied");
        if invite && !plan.added.is_empty() {
            let emails: std::collections::HashSet<String> =
                plan.added.iter().map(|a| a.email.clone()).collect();
            let by = actor.person_id;
            let site = use_context::<SiteSettings>().unwrap_or_default();
            let store = store.clone();
            // Hundreds of emails: sent after the answer, each with its own link.
            tokio::spawn(async move {
                let people = match store.all_people().await {
                    Ok(people) => people,
                    Err(error) => return tracing::warn!(%error, "invitations not sent"),
                };
                for person in people.iter().filter(|p| emails.contains(&p.email)) {
                    if let Err(error) = send_link_to(&store, &site, person, by).await {
                        tracing::warn!(person_id = person.id, %error, "invitation not sent");
                    }
                }
            });
        }
        leptos_axum::redirect(&format!("/people/imports/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "staff_import", output = crate::codec::Compact)]
pub async fn staff_import(import_id: i64) -> Result<StaffImportView, AppError> {
    use crate::domain::staff_import::StaffPlan;
    use crate::domain::Role;
    use crate::server::*;
    respond("staff_import", async move {
        trail::touch(crate::domain::trail::Record::Import(import_id));
        let (store, actor) = signed_in().await?;
        ssr::require_administrator(&actor)?;
        let row = store
            .staff_import(import_id)
            .await
            .map_err(failed("staff import"))?
            .ok_or(AppError::NotFound)?;
        let uploaded = format!(
            "Uploaded by {} on {}.",
            row.uploaded_by,
            row.uploaded_at.format("%-d %B %Y at %H:%M")
        );
        let mut view = StaffImportView {
            id: row.id,
            file_name: row.file_name.clone(),
            full_list: row.full_list,
            applied: row.status == "applied",
            uploaded,
            problems: Vec::new(),
            added: Vec::new(),
            updated: Vec::new(),
            unchanged: 0,
            missing: Vec::new(),
            inactive_listed: Vec::new(),
        };
        if !view.applied {
            view.problems = serde_json::from_str(&row.payload).map_err(failed("staff import"))?;
            return Ok(view);
        }
        let plan: StaffPlan = serde_json::from_str(&row.payload).map_err(failed("staff import"))?;
        let teams = store.teams().await.map_err(failed("staff import"))?;
        let team = |t: Option<i64>| {
            t.and_then(|id| teams.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()))
                .unwrap_or_else(|| "no team".into())
        };
        // Everyone in one read, instead of one read per line of a file of hundreds.
        let people = store.all_people().await.map_err(failed("staff import"))?;
        let by_id: HashMap<i64, &crate::store::PersonRow> =
            people.iter().map(|p| (p.id, p)).collect();
        let by_email: HashMap<&str, i64> =
            people.iter().map(|p| (p.email.as_str(), p.id)).collect();
        for a in &plan.added {
            let id = by_email.get(a.email.as_str()).copied().unwrap_or(0);
            view.added.push((id, a.name.clone(), a.email.clone()));
        }
        for u in &plan.updated {
            let mut what = Vec::new();
            if let Some((old, new)) = &u.name {
                what.push(format!("name from {old} to {new}"));
            }
            if let Some((old, new)) = u.team {
                what.push(format!("team from {} to {}", team(old), team(new)));
            }
            let labels = |roles: &[Role]| {
                roles
                    .iter()
                    .map(|r| r.label())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if !u.roles_added.is_empty() {
                what.push(format!("given {}", labels(&u.roles_added)));
            }
            if !u.roles_removed.is_empty() {
                what.push(format!("no longer {}", labels(&u.roles_removed)));
            }
            let name = by_id
                .get(&u.person_id)
                .map(|p| p.display_name.clone())
                .unwrap_or_default();
            view.updated.push((u.person_id, name, what.join("; ")));
        }
        view.unchanged = plan.unchanged;
        // People already deactivated since the import are no longer listed, and those
        // reactivated since no longer need it.
        let listed = |ids: &[i64], active: bool| -> Vec<PersonListing> {
            ids.iter()
                .filter_map(|id| by_id.get(id))
                .filter(|p| p.active == active)
                .map(|p| ssr::listing((*p).clone()))
                .collect()
        };
        view.missing = listed(&plan.missing, true);
        view.inactive_listed = listed(&plan.inactive_listed, false);
        Ok(view)
    })
    .await
}

/// Deactivates the people ticked (`f[<person ID>]`) among those a full staff list missed.
#[server(endpoint = "deactivate_missing", output = crate::codec::Compact)]
pub async fn deactivate_missing(
    import_id: i64,
    f: Option<HashMap<String, String>>,
) -> Result<usize, AppError> {
    use crate::domain::staff_import::StaffPlan;
    use crate::server::*;
    use crate::FieldError;
    respond("deactivate_missing", async move {
        trail::touch(crate::domain::trail::Record::Import(import_id));
        let (store, actor) = signed_in().await?;
        ssr::require_administrator(&actor)?;
        let row = store
            .staff_import(import_id)
            .await
            .map_err(failed("deactivate missing"))?
            .filter(|r| r.status == "applied")
            .ok_or(AppError::NotFound)?;
        let plan: StaffPlan =
            serde_json::from_str(&row.payload).map_err(failed("deactivate missing"))?;
        let chosen: Vec<i64> = plan
            .missing
            .iter()
            .copied()
            .filter(|id| f.as_ref().is_some_and(|f| f.contains_key(&id.to_string())))
            .collect();
        if chosen.is_empty() {
            return Err(AppError::Invalid(vec![FieldError::new(
                "missing",
                "Tick the people who have left",
            )]));
        }
        for id in &chosen {
            deactivate(&store, *id, actor.person_id).await?;
        }
        Ok(chosen.len())
    })
    .await
}

/// A sign-in lock in force, as the Administrator sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lockout {
    /// `account` (an email address as typed) or `address` (a client's network address).
    pub kind: String,
    pub key: String,
    pub failures: i64,
    /// "14:32" (London time), when it ends by itself.
    pub until: String,
}

/// Sign-in locks in force (Administrator only).
#[server(endpoint = "sign_in_lockouts", output = crate::codec::Compact)]
pub async fn sign_in_lockouts() -> Result<Vec<Lockout>, AppError> {
    use crate::server::*;
    respond("sign_in_lockouts", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_administrator(&actor)?;
        Ok(store
            .lockouts(chrono::Utc::now())
            .await
            .map_err(failed("read sign-in locks"))?
            .into_iter()
            .map(|l| Lockout {
                kind: l.kind,
                key: l.key,
                failures: l.failures,
                until: crate::domain::calendar::london_time(l.locked_until)
                    .format("%H:%M on %-d %B")
                    .to_string(),
            })
            .collect())
    })
    .await
}

/// Lifts a sign-in lock before it ends by itself; kept in the access log.
#[server(endpoint = "lift_lockout", output = crate::codec::Compact)]
pub async fn lift_lockout(kind: String, key: String) -> Result<(), AppError> {
    use crate::server::*;
    respond("lift_lockout", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_administrator(&actor)?;
        if !matches!(kind.as_str(), "account" | "address") {
            return Err(AppError::NotFound);
        }
        if !store
            .clear_sign_in_failures(&kind, &key)
            .await
            .map_err(failed("lift a sign-in lock"))?
        {
            return Err(AppError::NotFound);
        }
        store
            .log_access(Some(actor.person_id), "sign_in_lock_lifted", None)
            .await
            .map_err(failed("lift a sign-in lock"))?;
        tracing::info!(person_id = actor.person_id, kind, "sign-in lock lifted");
        Ok(())
    })
    .await
}
