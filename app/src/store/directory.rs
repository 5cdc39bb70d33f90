use super::{Store, StoreResult};
use crate::domain::directory::StaffRef;
use crate::domain::{Role, RoleSet};
use chrono::{DateTime, Utc};

/// A team as the directory page shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TeamDirectoryRow {
    pub id: i64,
    pub name: String,
    pub team_manager_id: Option<i64>,
    pub team_manager: Option<String>,
    pub service_manager_id: Option<i64>,
    pub service_manager: Option<String>,
    pub open_cases: i64,
}

/// A team line to apply: an existing team (by ID) or a new one (by name), with its managers.
#[derive(Debug, Clone)]
pub struct TeamUpdate {
    pub team_id: Option<i64>,
    pub name: String,
    pub team_manager_id: Option<i64>,
    pub service_manager_id: Option<i64>,
}

/// A case's lead practitioner (its key worker) and their team, to set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadPractitioner {
    pub case_id: i64,
    pub team_id: i64,
    pub key_worker_id: i64,
}

impl Store {
    /// Open cases with no lead practitioner (never drawn), and how many of them have no
    /// team either (List 2 as Ofsted lays it out).
    pub async fn cases_without_lead_practitioner(&self) -> StoreResult<(i64, i64)> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN team_id IS NULL THEN 1 ELSE 0 END), 0) \
                 FROM cases WHERE closed_on IS NULL AND key_worker_id IS NULL",
            )
            .fetch_one(pool)
            .await?)
        })
    }

    /// Sets cases' team and lead practitioner, with history, in one transaction: from a
    /// Lead practitioners file (`upload`, recorded as applied) or on screen (`None`). An
    /// open audit of a case whose key worker changes is handed over, as an Annex A import
    /// does; `handed_over` says what that tells, written with the rest.
    pub async fn set_lead_practitioners(
        &self,
        upload: Option<(&str, &str)>,
        leads: &[LeadPractitioner],
        by: i64,
        now: DateTime<Utc>,
        handed_over: impl FnOnce(&[super::Handover]) -> super::Notices + Send,
    ) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let import_id = match upload {
                Some(file) => {
                    Some(side::applied_file(&mut tx, "directory_leads", file, by, now).await?)
                }
                None => None,
            };
            let mut handovers = Vec::new();
            for lead in leads {
                let old: Option<(Option<i64>, Option<i64>)> =
                    sqlx::query_as("SELECT team_id, key_worker_id FROM cases WHERE id = $1")
                        .bind(lead.case_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some((old_team, old_worker)) = old else {
                    continue;
                };
                let changes = [
                    ("team", old_team, lead.team_id),
                    ("key_worker", old_worker, lead.key_worker_id),
                ];
                for (change, old, new) in changes {
                    if old == Some(new) {
                        continue;
                    }
                    let column = if change == "team" {
                        "team_id"
                    } else {
                        "key_worker_id"
                    };
                    sqlx::query(&format!(
                        "UPDATE cases SET {column} = $1, updated_at = $2 WHERE id = $3"
                    ))
                    .bind(new)
                    .bind(now)
                    .bind(lead.case_id)
                    .execute(&mut *tx)
                    .await?;
                    let kept = (change, old.map(|v| v.to_string()), Some(new.to_string()));
                    side::case_changed(&mut tx, lead.case_id, import_id, kept, Some(by), now)
                        .await?;
                    if let (true, Some(from)) = (change == "key_worker", old) {
                        handovers
                            .extend(side::hand_over(&mut tx, lead.case_id, from, new, now).await?);
                    }
                }
            }
            side::write_notices(self, &mut tx, &handed_over(&handovers), now).await?;
            tx.commit().await?;
            Ok(import_id)
        })
    }

    /// Active staff with their roles, for matching names and emails in directory files.
    pub async fn staff_refs(&self) -> StoreResult<Vec<StaffRef>> {
        on_db!(self, |pool| {
            let people: Vec<(i64, String, String)> = sqlx::query_as(
                "SELECT id, display_name, email FROM people WHERE active = TRUE ORDER BY id",
            )
            .fetch_all(pool)
            .await?;
            let roles: Vec<(i64, String)> =
                sqlx::query_as("SELECT person_id, role FROM person_roles")
                    .fetch_all(pool)
                    .await?;
            Ok(people
                .into_iter()
                .map(|(id, name, email)| StaffRef {
                    id,
                    name,
                    email,
                    roles: RoleSet::new(
                        roles
                            .iter()
                            .filter(|(p, _)| *p == id)
                            .filter_map(|(_, r)| Role::from_code(r)),
                    ),
                })
                .collect())
        })
    }

    pub async fn team_directory(&self) -> StoreResult<Vec<TeamDirectoryRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT t.id, t.name, t.team_manager_id, tm.display_name AS team_manager, \
             t.service_manager_id, sm.display_name AS service_manager, \
             (SELECT COUNT(*) FROM cases c WHERE c.team_id = t.id AND c.closed_on IS NULL) AS open_cases \
             FROM teams t LEFT JOIN people tm ON tm.id = t.team_manager_id \
             LEFT JOIN people sm ON sm.id = t.service_manager_id ORDER BY t.name",
        )
        .fetch_all(pool)
        .await?)
        })
    }

    /// Records a directory upload as applied and applies its team lines, in one transaction.
    /// `direct` (the QA Manager's upload) sets managers at once; otherwise (the
    /// Administrator's) each change of managers is proposed to the QA Manager, with
    /// `notices` telling them. Either way every change is kept with who and when.
    pub async fn apply_team_directory(
        &self,
        file_name: &str,
        payload: &str,
        updates: &[TeamUpdate],
        by: i64,
        direct: bool,
        notices: &super::Notices,
        now: DateTime<Utc>,
    ) -> StoreResult<(i64, usize)> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let import_id =
                side::applied_file(&mut tx, "directory_teams", (file_name, payload), by, now)
                    .await?;
            let mut proposed = 0;
            for u in updates {
                let team_id = match u.team_id {
                    Some(id) => id,
                    None => {
                        sqlx::query_scalar(
                            "INSERT INTO teams (name, created_at) VALUES ($1, $2) RETURNING id",
                        )
                        .bind(&u.name)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?
                    }
                };
                let managers = (u.team_manager_id, u.service_manager_id);
                if direct {
                    side::set_team_managers_in(&mut tx, team_id, managers, by, now).await?;
                } else if let Some(Some(_)) =
                    side::propose_team_managers_in(&mut tx, team_id, managers, by, now).await?
                {
                    proposed += 1;
                }
            }
            if proposed > 0 {
                side::write_notices(self, &mut tx, notices, now).await?;
            }
            tx.commit().await?;
            Ok((import_id, proposed))
        })
    }

    /// Records an IRO / CP Chair upload as applied and sets each case's IRO, with history,
    /// in one transaction. `import_id` `None` is an on-screen change.
    pub async fn set_case_iros(
        &self,
        upload: Option<(&str, &str)>,
        changes: &[(i64, Option<i64>)],
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let import_id = match upload {
                Some(file) => {
                    Some(side::applied_file(&mut tx, "directory_iros", file, by, now).await?)
                }
                None => None,
            };
            for (case_id, iro) in changes {
                let old: Option<Option<i64>> =
                    sqlx::query_scalar("SELECT iro_id FROM cases WHERE id = $1")
                        .bind(case_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                let Some(old) = old else { continue };
                if old == *iro {
                    continue;
                }
                sqlx::query("UPDATE cases SET iro_id = $1, updated_at = $2 WHERE id = $3")
                    .bind(iro)
                    .bind(now)
                    .bind(case_id)
                    .execute(&mut *tx)
                    .await?;
                let change = (
                    "iro",
                    old.map(|v| v.to_string()),
                    iro.map(|v| v.to_string()),
                );
                side::case_changed(&mut tx, *case_id, import_id, change, Some(by), now).await?;
            }
            tx.commit().await?;
            Ok(import_id)
        })
    }
}

both_sides! {
/// Records a directory file (`(file name, payload)`) as applied, in the transaction that
/// applies it.
pub(crate) async fn applied_file(
    tx: &mut Tx<'_>,
    kind: &str,
    (file_name, payload): (&str, &str),
    by: i64,
    now: DateTime<Utc>,
) -> StoreResult<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO imports (kind, file_name, status, payload, uploaded_by, uploaded_at, applied_at) \
         VALUES ($1, $2, 'applied', $3, $4, $5, $5) RETURNING id",
    )
    .bind(kind)
    .bind(file_name)
    .bind(payload)
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?)
}

/// One change to a case, `(change, old, new)`, kept in its history with who made it (if
/// someone did) and the file it came from, if any.
pub(crate) async fn case_changed(
    tx: &mut Tx<'_>,
    case_id: i64,
    import_id: Option<i64>,
    (change, old, new): (&str, Option<String>, Option<String>),
    by: Option<i64>,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO case_history (case_id, import_id, change, old_value, new_value, at, by_person) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(case_id)
    .bind(import_id)
    .bind(change)
    .bind(old)
    .bind(new)
    .bind(now)
    .bind(by)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
}
