//! Staff accounts: people and their roles with history, deactivation, one-time links
//! (kept only as hashes), passwords, and staff imports from the HR system.

use super::{Notices, Store, StoreResult};
use crate::domain::people::{LinkPurpose, PersonChange, RoleChange};
use crate::domain::staff_import::{ExistingPerson, StaffPlan};
use crate::domain::{Role, RoleSet};
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use std::collections::HashMap;

/// A person as the people pages show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    pub id: i64,
    pub display_name: String,
    pub email: String,
    pub team_id: Option<i64>,
    pub team: Option<String>,
    pub active: bool,
    /// Whether they have ever chosen a password (so can sign in).
    pub password_set: bool,
    pub roles: RoleSet,
    pub created_at: DateTime<Utc>,
    pub deactivated_at: Option<DateTime<Utc>>,
}

impl PersonRow {
    /// As a staff file's plan sees them.
    pub fn existing(&self) -> ExistingPerson {
        ExistingPerson {
            id: self.id,
            name: self.display_name.clone(),
            email: self.email.clone(),
            team_id: self.team_id,
            roles: self.roles.clone(),
            active: self.active,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PeopleStatus {
    #[default]
    Active,
    Inactive,
    All,
}

/// Which people a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeopleQuery {
    /// Part of a name or email, any case.
    pub search: Option<String>,
    pub role: Option<Role>,
    pub team_id: Option<i64>,
    pub status: PeopleStatus,
    pub limit: i64,
    pub offset: i64,
}

/// One line of a person's history.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct PersonHistoryRow {
    pub change: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub by_name: Option<String>,
    pub staff_import_id: Option<i64>,
    pub at: DateTime<Utc>,
}

/// A person to add.
#[derive(Debug, Clone)]
pub struct NewPerson<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub team_id: Option<i64>,
    pub roles: &'a RoleSet,
}

/// What a leaver still holds: the QA Manager reassigns it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenWork {
    /// (audit ID, Child Unique ID, state) of audits they are the auditor of, not completed.
    pub audits: Vec<(i64, String, String)>,
    /// (case ID, Child Unique ID) of open cases they are key worker of.
    pub key_worker_cases: Vec<(i64, String)>,
    /// (case ID, Child Unique ID) of open cases they are IRO / CP Chair of.
    pub iro_cases: Vec<(i64, String)>,
    /// (team ID, team, "Team Manager" or "Service Manager").
    pub teams: Vec<(i64, String, &'static str)>,
    /// Audit IDs of action reviews assigned to them and not finalised.
    pub action_reviews: Vec<i64>,
    /// Audit IDs of moderations asked of them and not recorded.
    pub moderations: Vec<i64>,
}

impl OpenWork {
    pub fn is_empty(&self) -> bool {
        self.audits.is_empty()
            && self.key_worker_cases.is_empty()
            && self.iro_cases.is_empty()
            && self.teams.is_empty()
            && self.action_reviews.is_empty()
            && self.moderations.is_empty()
    }
}

/// A one-time link as stored, with its person.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LinkRow {
    pub person_id: i64,
    pub purpose: String,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub email: String,
    pub display_name: String,
    pub active: bool,
}

/// A staff import as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffImportRow {
    pub id: i64,
    pub file_name: String,
    pub full_list: bool,
    pub status: String,
    pub payload: String,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
}

/// Why a person's details could not be saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveRefused {
    NoSuchPerson,
    EmailTaken,
}

const PERSON_COLUMNS: &str =
    "SELECT p.id, p.display_name, p.email, p.team_id, t.name AS team, p.active, \
     (p.password_set_at IS NOT NULL) AS password_set, p.created_at, p.deactivated_at \
     FROM people p LEFT JOIN teams t ON t.id = p.team_id";

type PersonTuple = (
    i64,
    String,
    String,
    Option<i64>,
    Option<String>,
    bool,
    bool,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
);

fn history(
    person_id: i64,
    change: PersonChange,
    old: Option<String>,
    new: Option<String>,
) -> (i64, PersonChange, Option<String>, Option<String>) {
    (person_id, change, old, new)
}

impl Store {
    async fn roles_of(&self, ids: &[i64]) -> StoreResult<HashMap<i64, RoleSet>> {
        on_db!(self, |pool| {
            let mut by_person: HashMap<i64, Vec<Role>> = HashMap::new();
            for chunk in ids.chunks(500) {
                let mut qb = QueryBuilder::<side::DB>::new(
                    "SELECT person_id, role FROM person_roles WHERE person_id IN (",
                );
                let mut list = qb.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                qb.push(")");
                let rows: Vec<(i64, String)> = qb.build_query_as().fetch_all(pool).await?;
                for (person, code) in rows {
                    if let Some(role) = Role::from_code(&code) {
                        by_person.entry(person).or_default().push(role);
                    }
                }
            }
            Ok(by_person
                .into_iter()
                .map(|(p, roles)| (p, RoleSet::new(roles)))
                .collect())
        })
    }

    async fn with_roles(&self, rows: Vec<PersonTuple>) -> StoreResult<Vec<PersonRow>> {
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let mut roles = self.roles_of(&ids).await?;
        Ok(rows
            .into_iter()
            .map(|r| PersonRow {
                roles: roles.remove(&r.0).unwrap_or_default(),
                id: r.0,
                display_name: r.1,
                email: r.2,
                team_id: r.3,
                team: r.4,
                active: r.5,
                password_set: r.6,
                created_at: r.7,
                deactivated_at: r.8,
            })
            .collect())
    }

    /// One page of people matching the query, by name, and how many match in all.
    pub async fn people_page(&self, q: &PeopleQuery) -> StoreResult<(Vec<PersonRow>, i64)> {
        on_db!(self, |pool| {
            fn filter<'a>(qb: &mut QueryBuilder<'a, side::DB>, q: &'a PeopleQuery) {
                qb.push(" WHERE 1 = 1");
                match q.status {
                    PeopleStatus::Active => {
                        qb.push(" AND p.active = TRUE");
                    }
                    PeopleStatus::Inactive => {
                        qb.push(" AND p.active = FALSE");
                    }
                    PeopleStatus::All => {}
                }
                if let Some(search) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                    let pattern = format!(
                        "%{}%",
                        search
                            .to_lowercase()
                            .replace('\\', "\\\\")
                            .replace('%', "\\%")
                            .replace('_', "\\_")
                    );
                    qb.push(" AND (LOWER(p.display_name) LIKE ")
                        .push_bind(pattern.clone())
                        .push(" ESCAPE '\\' OR p.email LIKE ")
                        .push_bind(pattern)
                        .push(" ESCAPE '\\')");
                }
                if let Some(role) = q.role {
                    qb.push(" AND EXISTS (SELECT 1 FROM person_roles r WHERE r.person_id = p.id AND r.role = ")
                    .push_bind(role.code())
                    .push(")");
                }
                if let Some(team) = q.team_id {
                    qb.push(" AND p.team_id = ").push_bind(team);
                }
            }
            let mut count = QueryBuilder::<side::DB>::new("SELECT COUNT(*) FROM people p");
            filter(&mut count, q);
            let total: i64 = count.build_query_scalar().fetch_one(pool).await?;
            let mut qb = QueryBuilder::<side::DB>::new(PERSON_COLUMNS);
            filter(&mut qb, q);
            qb.push(" ORDER BY p.display_name, p.id LIMIT ")
                .push_bind(q.limit)
                .push(" OFFSET ")
                .push_bind(q.offset);
            let rows: Vec<PersonTuple> = qb.build_query_as().fetch_all(pool).await?;
            Ok((self.with_roles(rows).await?, total))
        })
    }

    pub async fn person_row(&self, person_id: i64) -> StoreResult<Option<PersonRow>> {
        on_db!(self, |pool| {
            let row: Option<PersonTuple> =
                sqlx::query_as(&format!("{PERSON_COLUMNS} WHERE p.id = $1"))
                    .bind(person_id)
                    .fetch_optional(pool)
                    .await?;
            Ok(match row {
                Some(row) => self.with_roles(vec![row]).await?.pop(),
                None => None,
            })
        })
    }

    /// A person's history, newest first.
    pub async fn person_history(&self, person_id: i64) -> StoreResult<Vec<PersonHistoryRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT h.change, h.old_value, h.new_value, b.display_name AS by_name, h.staff_import_id, h.at \
             FROM person_history h LEFT JOIN people b ON b.id = h.by_person \
             WHERE h.person_id = $1 ORDER BY h.id DESC",
        )
        .bind(person_id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// IDs of the active Administrators.
    pub async fn active_administrators(&self) -> StoreResult<Vec<i64>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT p.id FROM people p JOIN person_roles r ON r.person_id = p.id \
             WHERE p.active = TRUE AND r.role = 'administrator' ORDER BY p.id",
            )
            .fetch_all(pool)
            .await?)
        })
    }

    /// How many demo people the database holds (production refuses to start on any).
    pub async fn demo_people(&self) -> StoreResult<i64> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE demo = TRUE")
                    .fetch_one(pool)
                    .await?,
            )
        })
    }

    /// Adds a person (no password until they follow an invitation) with the change's
    /// notices; `None` if the email is already someone's.
    pub async fn add_person(
        &self,
        person: &NewPerson<'_>,
        by: i64,
        notices: &Notices,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let Some(id) = side::insert_person(&mut tx, person, Some(by), None, now).await? else {
                return Ok(None);
            };
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(Some(id))
        })
    }

    /// The first Administrator, on a database with nobody in it; `None` if it has people.
    pub async fn create_first_administrator(
        &self,
        name: &str,
        email: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            side::one_writer(&mut tx, super::SETUP_LOCK).await?;
            let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people")
                .fetch_one(&mut *tx)
                .await?;
            if people > 0 {
                return Ok(None);
            }
            let roles = RoleSet::new([Role::Administrator]);
            let person = NewPerson {
                name,
                email,
                team_id: None,
                roles: &roles,
            };
            let id = side::insert_person(&mut tx, &person, None, None, now).await?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Saves a person's name, work email and team, with history.
    pub async fn save_person_details(
        &self,
        person_id: i64,
        name: &str,
        email: &str,
        team_id: Option<i64>,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Result<(), SaveRefused>> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let old: Option<(String, String, Option<i64>)> =
                sqlx::query_as("SELECT display_name, email, team_id FROM people WHERE id = $1")
                    .bind(person_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            let Some((old_name, old_email, old_team)) = old else {
                return Ok(Err(SaveRefused::NoSuchPerson));
            };
            let updated = sqlx::query(
                "UPDATE people SET display_name = $1, email = $2, team_id = $3 WHERE id = $4",
            )
            .bind(name)
            .bind(email)
            .bind(team_id)
            .bind(person_id)
            .execute(&mut *tx)
            .await;
            match updated {
                Ok(_) => {}
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                    return Ok(Err(SaveRefused::EmailTaken))
                }
                Err(e) => return Err(e.into()),
            }
            let mut lines = Vec::new();
            if old_name != name {
                lines.push(history(
                    person_id,
                    PersonChange::Name,
                    Some(old_name),
                    Some(name.into()),
                ));
            }
            if old_email != email {
                lines.push(history(
                    person_id,
                    PersonChange::Email,
                    Some(old_email),
                    Some(email.into()),
                ));
            }
            if old_team != team_id {
                lines.push(history(
                    person_id,
                    PersonChange::Team,
                    old_team.map(|t| t.to_string()),
                    team_id.map(|t| t.to_string()),
                ));
            }
            side::write_history(&mut tx, &lines, Some(by), None, now).await?;
            tx.commit().await?;
            side::sessions_changed(self, pool).await;
            Ok(Ok(()))
        })
    }

    /// Applies a role change, with history and the change's notices.
    pub async fn change_roles(
        &self,
        person_id: i64,
        change: &RoleChange,
        by: i64,
        notices: &Notices,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let lines = side::write_role_change(&mut tx, person_id, change).await?;
            side::write_history(&mut tx, &lines, Some(by), None, now).await?;
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            side::sessions_changed(self, pool).await;
            Ok(())
        })
    }

    /// Deactivates a leaver: they can no longer sign in, their sessions end and their
    /// unused links stop working, in one transaction with the change's notices.
    /// `false` if they were not active.
    pub async fn deactivate_person(
        &self,
        person_id: i64,
        by: i64,
        notices: &Notices,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let changed = sqlx::query(
            "UPDATE people SET active = FALSE, deactivated_at = $1 WHERE id = $2 AND active = TRUE",
        )
        .bind(now)
        .bind(person_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
            if changed == 0 {
                return Ok(false);
            }
            sqlx::query("DELETE FROM sessions WHERE person_id = $1")
                .bind(person_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "UPDATE one_time_links SET used_at = $1 WHERE person_id = $2 AND used_at IS NULL",
            )
            .bind(now)
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
            side::write_history(
                &mut tx,
                &[history(person_id, PersonChange::Deactivated, None, None)],
                Some(by),
                None,
                now,
            )
            .await?;
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            side::sessions_changed(self, pool).await;
            Ok(true)
        })
    }

    /// Lets a returner sign in again (with the password they had). `false` if already active.
    pub async fn reactivate_person(
        &self,
        person_id: i64,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let changed = sqlx::query(
            "UPDATE people SET active = TRUE, deactivated_at = NULL WHERE id = $1 AND active = FALSE",
        )
        .bind(person_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
            if changed == 0 {
                return Ok(false);
            }
            side::write_history(
                &mut tx,
                &[history(person_id, PersonChange::Reactivated, None, None)],
                Some(by),
                None,
                now,
            )
            .await?;
            tx.commit().await?;
            side::sessions_changed(self, pool).await;
            Ok(true)
        })
    }

    /// What a person still holds that someone else must take on.
    pub async fn open_work(&self, person_id: i64) -> StoreResult<OpenWork> {
        on_db!(self, |pool| {
            let audits: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT a.id, c.child_unique_id, a.state FROM audits a JOIN cases c ON c.id = a.case_id \
             WHERE a.auditor_id = $1 AND a.state NOT IN ('completed', 'filed_to_record') ORDER BY a.id",
        )
        .bind(person_id)
        .fetch_all(pool)
        .await?;
            let cases = |sql: &'static str| {
                sqlx::query_as::<_, (i64, String)>(sql)
                    .bind(person_id)
                    .fetch_all(pool)
            };
            let key_worker_cases = cases(
            "SELECT id, child_unique_id FROM cases WHERE key_worker_id = $1 AND closed_on IS NULL ORDER BY child_unique_id",
        )
        .await?;
            let iro_cases = cases(
            "SELECT id, child_unique_id FROM cases WHERE iro_id = $1 AND closed_on IS NULL ORDER BY child_unique_id",
        )
        .await?;
            let teams: Vec<(i64, String, bool)> = sqlx::query_as(
                "SELECT id, name, team_manager_id = $1 FROM teams \
             WHERE team_manager_id = $1 OR service_manager_id = $1 ORDER BY name",
            )
            .bind(person_id)
            .fetch_all(pool)
            .await?;
            let action_reviews: Vec<i64> = sqlx::query_scalar(
            "SELECT audit_id FROM action_reviews WHERE reviewer_id = $1 AND finalised_at IS NULL ORDER BY audit_id",
        )
        .bind(person_id)
        .fetch_all(pool)
        .await?;
            let moderations: Vec<i64> = sqlx::query_scalar(
                "SELECT DISTINCT v.audit_id FROM moderation_views v \
             WHERE v.person_id = $1 AND v.recorded_at IS NULL \
             AND NOT EXISTS (SELECT 1 FROM moderation_outcomes o WHERE o.audit_id = v.audit_id) \
             ORDER BY v.audit_id",
            )
            .bind(person_id)
            .fetch_all(pool)
            .await?;
            Ok(OpenWork {
                audits,
                key_worker_cases,
                iro_cases,
                teams: teams
                    .into_iter()
                    .map(|(id, name, tm)| {
                        (
                            id,
                            name,
                            if tm {
                                "Team Manager"
                            } else {
                                "Service Manager"
                            },
                        )
                    })
                    .collect(),
                action_reviews,
                moderations,
            })
        })
    }

    // ---- one-time links and passwords ----

    /// Stores a new link's hash (its token is sent, never kept) and notes it in the
    /// person's history. Earlier unused links of the same purpose stop working.
    pub async fn create_link(
        &self,
        person_id: i64,
        purpose: LinkPurpose,
        token_hash: &str,
        by: Option<i64>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            sqlx::query(
            "UPDATE one_time_links SET used_at = $1 WHERE person_id = $2 AND purpose = $3 AND used_at IS NULL",
        )
        .bind(now)
        .bind(person_id)
        .bind(purpose.code())
        .execute(&mut *tx)
        .await?;
            sqlx::query(
            "INSERT INTO one_time_links (token_hash, person_id, purpose, created_by, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash)
        .bind(person_id)
        .bind(purpose.code())
        .bind(by)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
            let change = match purpose {
                LinkPurpose::Invitation => PersonChange::Invited,
                LinkPurpose::Reset => PersonChange::ResetSent,
            };
            side::write_history(
                &mut tx,
                &[history(person_id, change, None, None)],
                by,
                None,
                now,
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Reset links made for this person since `since` (a cap on how many one email
    /// address can be sent).
    pub async fn resets_since(&self, person_id: i64, since: DateTime<Utc>) -> StoreResult<i64> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM one_time_links WHERE person_id = $1 AND purpose = 'reset' AND created_at >= $2",
        )
        .bind(person_id)
        .bind(since)
        .fetch_one(pool)
        .await?)
        })
    }

    pub async fn link(&self, token_hash: &str) -> StoreResult<Option<LinkRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT l.person_id, l.purpose, l.expires_at, l.used_at, p.email, p.display_name, p.active \
             FROM one_time_links l JOIN people p ON p.id = l.person_id WHERE l.token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(pool)
        .await?)
        })
    }

    /// Uses a link to set the person's password: only if it is still unused, unexpired at
    /// `now` and theirs is an active account. Every link of theirs stops working and every
    /// session ends. Returns whose password it set.
    pub async fn set_password_from_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let person: Option<i64> = sqlx::query_scalar(
            "SELECT l.person_id FROM one_time_links l JOIN people p ON p.id = l.person_id \
             WHERE l.token_hash = $1 AND l.used_at IS NULL AND l.expires_at > $2 AND p.active = TRUE",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
            let Some(person_id) = person else {
                return Ok(None);
            };
            side::replace_password(
                &mut tx,
                person_id,
                password_hash,
                PersonChange::PasswordSet,
                now,
            )
            .await?;
            tx.commit().await?;
            side::sessions_changed(self, pool).await;
            Ok(Some(person_id))
        })
    }

    /// Changes a signed-in person's password: every session of theirs ends, this one too.
    pub async fn change_password(
        &self,
        person_id: i64,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<()> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            side::replace_password(
                &mut tx,
                person_id,
                password_hash,
                PersonChange::PasswordChanged,
                now,
            )
            .await?;
            tx.commit().await?;
            side::sessions_changed(self, pool).await;
            Ok(())
        })
    }

    /// The person's stored password hash (for checking the old one before a change).
    pub async fn password_hash(&self, person_id: i64) -> StoreResult<Option<String>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT password_hash FROM people WHERE id = $1 AND active = TRUE",
            )
            .bind(person_id)
            .fetch_optional(pool)
            .await?)
        })
    }

    // ---- staff imports ----

    /// Everyone, active or not, with their roles, in one read (a staff file is planned
    /// against them, and its page shows them).
    pub async fn all_people(&self) -> StoreResult<Vec<PersonRow>> {
        on_db!(self, |pool| {
            let rows: Vec<PersonTuple> = sqlx::query_as(&format!("{PERSON_COLUMNS} ORDER BY p.id"))
                .fetch_all(pool)
                .await?;
            self.with_roles(rows).await
        })
    }

    /// Everyone as a staff file is planned against them.
    pub async fn staff_for_import(&self) -> StoreResult<Vec<ExistingPerson>> {
        Ok(self
            .all_people()
            .await?
            .iter()
            .map(PersonRow::existing)
            .collect())
    }

    /// Applies a checked staff file in one transaction: people added and updated, each
    /// change in their history under this import, with the change's notices. Nobody is
    /// deactivated: people missing from a full list are only recorded in the plan.
    /// `None` if another change took one of the new emails meanwhile (nothing applied).
    pub async fn apply_staff_import(
        &self,
        file_name: &str,
        full_list: bool,
        plan: &StaffPlan,
        by: i64,
        notices: &Notices,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            let payload = serde_json::to_string(plan)
                .map_err(|e| super::StoreError::Corrupt(e.to_string()))?;
            let mut tx = side::begin_write(pool).await?;
            let import_id: i64 = sqlx::query_scalar(
            "INSERT INTO staff_imports (file_name, full_list, status, payload, uploaded_by, uploaded_at) \
             VALUES ($1, $2, 'applied', $3, $4, $5) RETURNING id",
        )
        .bind(file_name)
        .bind(full_list)
        .bind(payload)
        .bind(by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
            for person in &plan.added {
                let new = NewPerson {
                    name: &person.name,
                    email: &person.email,
                    team_id: person.team_id,
                    roles: &person.roles,
                };
                if side::insert_person(&mut tx, &new, Some(by), Some(import_id), now)
                    .await?
                    .is_none()
                {
                    return Ok(None);
                }
            }
            let mut lines = Vec::new();
            for u in &plan.updated {
                if let Some((old, new)) = &u.name {
                    sqlx::query("UPDATE people SET display_name = $1 WHERE id = $2")
                        .bind(new)
                        .bind(u.person_id)
                        .execute(&mut *tx)
                        .await?;
                    lines.push(history(
                        u.person_id,
                        PersonChange::Name,
                        Some(old.clone()),
                        Some(new.clone()),
                    ));
                }
                if let Some((old, new)) = u.team {
                    sqlx::query("UPDATE people SET team_id = $1 WHERE id = $2")
                        .bind(new)
                        .bind(u.person_id)
                        .execute(&mut *tx)
                        .await?;
                    lines.push(history(
                        u.person_id,
                        PersonChange::Team,
                        old.map(|t| t.to_string()),
                        new.map(|t| t.to_string()),
                    ));
                }
                let change = RoleChange {
                    granted: u.roles_added.clone(),
                    removed: u.roles_removed.clone(),
                };
                lines.extend(side::write_role_change(&mut tx, u.person_id, &change).await?);
            }
            side::write_history(&mut tx, &lines, Some(by), Some(import_id), now).await?;
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            side::sessions_changed(self, pool).await;
            Ok(Some(import_id))
        })
    }

    /// Keeps a staff file that was refused, with its problems (JSON), so the page can show them.
    pub async fn reject_staff_import(
        &self,
        file_name: &str,
        full_list: bool,
        problems: &str,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
            "INSERT INTO staff_imports (file_name, full_list, status, payload, uploaded_by, uploaded_at) \
             VALUES ($1, $2, 'rejected', $3, $4, $5) RETURNING id",
        )
        .bind(file_name)
        .bind(full_list)
        .bind(problems)
        .bind(by)
        .bind(now)
        .fetch_one(pool)
        .await?)
        })
    }

    pub async fn staff_import(&self, id: i64) -> StoreResult<Option<StaffImportRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT s.id, s.file_name, s.full_list, s.status, s.payload, p.display_name AS uploaded_by, s.uploaded_at \
             FROM staff_imports s JOIN people p ON p.id = s.uploaded_by WHERE s.id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?)
        })
    }

    /// The latest staff imports, newest first.
    pub async fn staff_imports(&self, limit: i64) -> StoreResult<Vec<StaffImportRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT s.id, s.file_name, s.full_list, s.status, s.payload, p.display_name AS uploaded_by, s.uploaded_at \
             FROM staff_imports s JOIN people p ON p.id = s.uploaded_by ORDER BY s.id DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await?)
        })
    }
}

both_sides! {
pub(crate) async fn write_history(
    tx: &mut Tx<'_>,
    lines: &[(i64, PersonChange, Option<String>, Option<String>)],
    by: Option<i64>,
    staff_import_id: Option<i64>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    for chunk in lines.chunks(200) {
        let mut qb = QueryBuilder::<DB>::new(
            "INSERT INTO person_history (person_id, change, old_value, new_value, by_person, staff_import_id, at) ",
        );
        qb.push_values(chunk, |mut b, (person, change, old, new)| {
            b.push_bind(*person)
                .push_bind(change.code())
                .push_bind(old.clone())
                .push_bind(new.clone())
                .push_bind(by)
                .push_bind(staff_import_id)
                .push_bind(now);
        });
        qb.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// Inserts a person with their roles and history; `None` if the email is taken.
pub(crate) async fn insert_person(
    tx: &mut Tx<'_>,
    person: &NewPerson<'_>,
    by: Option<i64>,
    staff_import_id: Option<i64>,
    now: DateTime<Utc>,
) -> StoreResult<Option<i64>> {
    let inserted = sqlx::query_scalar(
        "INSERT INTO people (display_name, email, password_hash, team_id, active, created_at) \
         VALUES ($1, $2, '!', $3, TRUE, $4) RETURNING id",
    )
    .bind(person.name)
    .bind(person.email)
    .bind(person.team_id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await;
    let id: i64 = match inserted {
        Ok(id) => id,
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut lines = vec![history(
        id,
        PersonChange::Added,
        None,
        Some(person.email.to_string()),
    )];
    for role in person.roles.iter() {
        sqlx::query("INSERT INTO person_roles (person_id, role) VALUES ($1, $2)")
            .bind(id)
            .bind(role.code())
            .execute(&mut **tx)
            .await?;
        lines.push(history(
            id,
            PersonChange::RoleGranted,
            None,
            Some(role.code().into()),
        ));
    }
    side::write_history(tx, &lines, by, staff_import_id, now).await?;
    Ok(Some(id))
}

pub(crate) async fn write_role_change(
    tx: &mut Tx<'_>,
    person_id: i64,
    change: &RoleChange,
) -> StoreResult<Vec<(i64, PersonChange, Option<String>, Option<String>)>> {
    let mut lines = Vec::new();
    for role in &change.granted {
        sqlx::query("INSERT INTO person_roles (person_id, role) VALUES ($1, $2)")
            .bind(person_id)
            .bind(role.code())
            .execute(&mut **tx)
            .await?;
        lines.push(history(
            person_id,
            PersonChange::RoleGranted,
            None,
            Some(role.code().into()),
        ));
    }
    for role in &change.removed {
        sqlx::query("DELETE FROM person_roles WHERE person_id = $1 AND role = $2")
            .bind(person_id)
            .bind(role.code())
            .execute(&mut **tx)
            .await?;
        lines.push(history(
            person_id,
            PersonChange::RoleRemoved,
            Some(role.code().into()),
            None,
        ));
    }
    Ok(lines)
}

pub(crate) async fn replace_password(
    tx: &mut Tx<'_>,
    person_id: i64,
    password_hash: &str,
    change: PersonChange,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query("UPDATE people SET password_hash = $1, password_set_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now)
        .bind(person_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE one_time_links SET used_at = $1 WHERE person_id = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(person_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM sessions WHERE person_id = $1")
        .bind(person_id)
        .execute(&mut **tx)
        .await?;
    side::write_history(
        tx,
        &[history(person_id, change, None, None)],
        None,
        None,
        now,
    )
    .await
}
}
