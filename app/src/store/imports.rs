use super::{Store, StoreError, StoreResult};
use crate::domain::pool_update::{Directory, ExistingCase, Plan};
use crate::domain::{AnnexList, Subject};
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use std::collections::{BTreeSet, HashMap};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ImportRow {
    pub id: i64,
    pub kind: String,
    pub file_name: String,
    pub annex_list: Option<i64>,
    pub status: String,
    pub payload: String,
    pub summary: Option<String>,
    pub uploaded_by: String,
    pub uploaded_at: DateTime<Utc>,
    pub applied_at: Option<DateTime<Utc>>,
}

/// A new person the QA Manager adds while mapping an import: a key worker who cannot sign
/// in until an Administrator sets them up.
#[derive(Debug, Clone)]
pub struct NewWorker<'a> {
    pub name: &'a str,
    pub email: &'a str,
    pub team_id: i64,
    /// The QA Manager mapping the upload, kept in the person's history.
    pub added_by: i64,
}

const IMPORT_COLUMNS: &str = "SELECT i.id, i.kind, i.file_name, i.annex_list, i.status, i.payload, i.summary, \
     p.display_name AS uploaded_by, i.uploaded_at, i.applied_at FROM imports i JOIN people p ON p.id = i.uploaded_by";

impl Store {
    pub async fn create_import(
        &self,
        kind: &str,
        file_name: &str,
        annex_list: Option<i64>,
        status: &str,
        payload: &str,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<i64> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
            "INSERT INTO imports (kind, file_name, annex_list, status, payload, uploaded_by, uploaded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(kind)
        .bind(file_name)
        .bind(annex_list)
        .bind(status)
        .bind(payload)
        .bind(by)
        .bind(now)
        .fetch_one(pool)
        .await?)
        })
    }

    pub async fn import(&self, import_id: i64) -> StoreResult<Option<ImportRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(&format!("{IMPORT_COLUMNS} WHERE i.id = $1"))
                .bind(import_id)
                .fetch_optional(pool)
                .await?)
        })
    }

    pub async fn imports(&self, limit: i64) -> StoreResult<Vec<ImportRow>> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query_as(&format!("{IMPORT_COLUMNS} ORDER BY i.id DESC LIMIT $1"))
                    .bind(limit)
                    .fetch_all(pool)
                    .await?,
            )
        })
    }

    /// Marks a staged import discarded. `false` if it was not staged.
    pub async fn discard_import(&self, import_id: i64) -> StoreResult<bool> {
        on_db!(self, |pool| {
            Ok(sqlx::query(
                "UPDATE imports SET status = 'discarded' WHERE id = $1 AND status = 'staged'",
            )
            .bind(import_id)
            .execute(pool)
            .await?
            .rows_affected()
                == 1)
        })
    }

    /// Active people with their team, for choosing who a name means.
    pub async fn people_options(&self) -> StoreResult<Vec<(i64, String, Option<String>)>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT p.id, p.display_name, t.name FROM people p LEFT JOIN teams t ON t.id = p.team_id \
             WHERE p.active = TRUE ORDER BY p.display_name, p.id",
        )
        .fetch_all(pool)
        .await?)
        })
    }

    /// Teams, active people and remembered aliases, for matching names in an upload.
    pub async fn directory(&self) -> StoreResult<Directory> {
        on_db!(self, |pool| {
            let teams: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM teams")
                .fetch_all(pool)
                .await?;
            let people: Vec<(i64, String)> =
                sqlx::query_as("SELECT id, display_name FROM people WHERE active = TRUE")
                    .fetch_all(pool)
                    .await?;
            let aliases: Vec<(String, String, i64)> =
                sqlx::query_as("SELECT kind, name_key, target_id FROM directory_aliases")
                    .fetch_all(pool)
                    .await?;
            let (teams_a, workers_a): (Vec<_>, Vec<_>) =
                aliases.into_iter().partition(|a| a.0 == "team");
            Ok(Directory::new(
                teams,
                people,
                teams_a.into_iter().map(|(_, k, t)| (k, t)),
                workers_a.into_iter().map(|(_, k, t)| (k, t)),
            ))
        })
    }

    /// Remembers what a name in the council's files means.
    pub async fn set_alias(&self, kind: &str, name_key: &str, target_id: i64) -> StoreResult<()> {
        on_db!(self, |pool| {
            sqlx::query(
                "INSERT INTO directory_aliases (kind, name_key, target_id) VALUES ($1, $2, $3) \
             ON CONFLICT (kind, name_key) DO UPDATE SET target_id = excluded.target_id",
            )
            .bind(kind)
            .bind(name_key)
            .bind(target_id)
            .execute(pool)
            .await?;
            Ok(())
        })
    }

    /// Creates a team; `None` if the name is taken.
    pub async fn create_team(&self, name: &str, now: DateTime<Utc>) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            let result = sqlx::query_scalar(
                "INSERT INTO teams (name, created_at) VALUES ($1, $2) RETURNING id",
            )
            .bind(name)
            .bind(now)
            .fetch_one(pool)
            .await;
            match result {
                Ok(id) => Ok(Some(id)),
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(None),
                Err(e) => Err(e.into()),
            }
        })
    }

    /// Adds a key worker with no password yet; `None` if the email is taken.
    pub async fn create_worker(
        &self,
        worker: NewWorker<'_>,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let result = sqlx::query_scalar(
            "INSERT INTO people (display_name, email, password_hash, team_id, active, created_at) \
             VALUES ($1, $2, '!', $3, TRUE, $4) RETURNING id",
        )
        .bind(worker.name)
        .bind(worker.email)
        .bind(worker.team_id)
        .bind(now)
        .fetch_one(&mut *tx)
        .await;
            let id: i64 = match result {
                Ok(id) => id,
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(None),
                Err(e) => return Err(e.into()),
            };
            sqlx::query("INSERT INTO person_roles (person_id, role) VALUES ($1, 'key_worker')")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO person_history (person_id, change, new_value, by_person, at) \
             VALUES ($1, 'added', $2, $3, $4), ($1, 'role_granted', 'key_worker', $3, $4)",
            )
            .bind(id)
            .bind(worker.email)
            .bind(worker.added_by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some(id))
        })
    }

    /// The pool as an upload must be planned against: every case on `lists`, and every case
    /// with one of `child_ids`.
    pub async fn pool_snapshot(
        &self,
        lists: &[AnnexList],
        child_ids: &[&str],
    ) -> StoreResult<Vec<ExistingCase>> {
        on_db!(self, |pool| {
            let rows: Vec<(i64, String, String, Option<i64>, Option<i64>)> = sqlx::query_as(
                "SELECT id, child_unique_id, subject, team_id, key_worker_id FROM cases",
            )
            .fetch_all(pool)
            .await?;
            let memberships: Vec<(i64, i64)> =
                sqlx::query_as("SELECT case_id, annex_list FROM case_lists")
                    .fetch_all(pool)
                    .await?;
            let mut lists_of: HashMap<i64, BTreeSet<AnnexList>> = HashMap::new();
            for (case_id, n) in memberships {
                let list = AnnexList::from_number(n)
                    .ok_or_else(|| StoreError::Corrupt(format!("unknown Annex A list {n}")))?;
                lists_of.entry(case_id).or_default().insert(list);
            }
            let named: BTreeSet<&str> = child_ids.iter().copied().collect();
            rows.into_iter()
                .filter_map(|(id, cuid, subject, team_id, key_worker_id)| {
                    let case_lists = lists_of.remove(&id).unwrap_or_default();
                    let wanted = named.contains(cuid.as_str())
                        || lists.iter().any(|l| case_lists.contains(l));
                    wanted.then(|| {
                        Ok(ExistingCase {
                            id,
                            subject: Subject::from_code(&subject).ok_or_else(|| {
                                StoreError::Corrupt(format!("unknown subject {subject}"))
                            })?,
                            child_unique_id: cuid,
                            team_id,
                            key_worker_id,
                            lists: case_lists,
                        })
                    })
                })
                .collect()
        })
    }

    /// Applies a planned import in one transaction, recording every change in the cases'
    /// history. `false` if the import was no longer staged (applied or discarded meanwhile).
    /// Applies the plan in one transaction. An open audit whose case moves to another key
    /// worker is handed over to them (its pending steps move, and it is kept in the audit's
    /// history); `handed_over` says what that tells, and is written with the rest.
    pub async fn apply_import(
        &self,
        import_id: i64,
        plan: &Plan,
        summary: &str,
        now: DateTime<Utc>,
        handed_over: impl FnOnce(&[Handover]) -> super::Notices + Send,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let moved = sqlx::query(
            "UPDATE imports SET status = 'applied', applied_at = $1, summary = $2 WHERE id = $3 AND status = 'staged'",
        )
        .bind(now)
        .bind(summary)
        .bind(import_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
            if moved != 1 {
                return Ok(false);
            }
            async fn history(
                tx: &mut side::Tx<'_>,
                case_id: i64,
                import_id: i64,
                change: &str,
                old: Option<String>,
                new: Option<String>,
                now: DateTime<Utc>,
            ) -> StoreResult<()> {
                // The file made the change; nobody in particular did.
                let kept = (change, old, new);
                side::case_changed(tx, case_id, Some(import_id), kept, None, now).await
            }
            let mut joined = plan.joined.clone();
            for case in &plan.new_cases {
                let id: i64 = sqlx::query_scalar(
                "INSERT INTO cases (child_unique_id, subject, team_id, key_worker_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            )
            .bind(&case.child_unique_id)
            .bind(case.subject.code())
            .bind(case.team_id)
            .bind(case.key_worker_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
                history(
                    &mut tx,
                    id,
                    import_id,
                    "created",
                    None,
                    case.team_id.map(|t| t.to_string()),
                    now,
                )
                .await?;
                joined.extend(case.lists.iter().map(|l| (id, *l)));
            }
            let mut handovers = Vec::new();
            for change in &plan.changes {
                let mut qb = QueryBuilder::<side::DB>::new("UPDATE cases SET updated_at = ");
                qb.push_bind(now);
                if let Some(subject) = change.subject {
                    qb.push(", subject = ").push_bind(subject.code());
                }
                if let Some((_, team)) = change.team {
                    qb.push(", team_id = ").push_bind(team);
                }
                if let Some((_, worker)) = change.key_worker {
                    qb.push(", key_worker_id = ").push_bind(worker);
                }
                qb.push(" WHERE id = ").push_bind(change.case_id);
                qb.build().execute(&mut *tx).await?;
                if let Some((old, new)) = change.team {
                    history(
                        &mut tx,
                        change.case_id,
                        import_id,
                        "team",
                        old.map(|t| t.to_string()),
                        Some(new.to_string()),
                        now,
                    )
                    .await?;
                }
                if let Some((Some(old), Some(new))) = change.key_worker {
                    handovers
                        .extend(side::hand_over(&mut tx, change.case_id, old, new, now).await?);
                }
                if let Some((old, new)) = change.key_worker {
                    history(
                        &mut tx,
                        change.case_id,
                        import_id,
                        "key_worker",
                        old.map(|v| v.to_string()),
                        new.map(|v| v.to_string()),
                        now,
                    )
                    .await?;
                }
            }
            for (case_id, list) in &joined {
                sqlx::query("INSERT INTO case_lists (case_id, annex_list) VALUES ($1, $2)")
                    .bind(case_id)
                    .bind(i64::from(list.number()))
                    .execute(&mut *tx)
                    .await?;
                history(
                    &mut tx,
                    *case_id,
                    import_id,
                    "joined_list",
                    None,
                    Some(list.number().to_string()),
                    now,
                )
                .await?;
            }
            for (case_id, list) in &plan.left {
                sqlx::query("DELETE FROM case_lists WHERE case_id = $1 AND annex_list = $2")
                    .bind(case_id)
                    .bind(i64::from(list.number()))
                    .execute(&mut *tx)
                    .await?;
                history(
                    &mut tx,
                    *case_id,
                    import_id,
                    "left_list",
                    Some(list.number().to_string()),
                    None,
                    now,
                )
                .await?;
            }
            side::write_notices(self, &mut tx, &handed_over(&handovers), now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// An audit's handovers, oldest first: (from, to, at), by name.
    pub async fn audit_handovers(
        &self,
        audit_id: i64,
    ) -> StoreResult<Vec<(Option<String>, Option<String>, DateTime<Utc>)>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT f.display_name, t.display_name, h.at FROM audit_handovers h \
             LEFT JOIN people f ON f.id = h.from_person LEFT JOIN people t ON t.id = h.to_person \
             WHERE h.audit_id = $1 ORDER BY h.id",
            )
            .bind(audit_id)
            .fetch_all(pool)
            .await?)
        })
    }

    pub async fn case_id_by_child_id(&self, child_unique_id: &str) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query_scalar("SELECT id FROM cases WHERE child_unique_id = $1")
                    .bind(child_unique_id)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    /// A case's history, newest first: (change, old, new, at, import ID).
    pub async fn case_history(
        &self,
        case_id: i64,
    ) -> StoreResult<
        Vec<(
            String,
            Option<String>,
            Option<String>,
            DateTime<Utc>,
            Option<i64>,
            Option<String>,
        )>,
    > {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT h.change, h.old_value, h.new_value, h.at, h.import_id, p.display_name \
             FROM case_history h LEFT JOIN people p ON p.id = h.by_person \
             WHERE h.case_id = $1 ORDER BY h.id DESC",
            )
            .bind(case_id)
            .fetch_all(pool)
            .await?)
        })
    }
}

/// An open audit handed over to a case's new key worker by an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Handover {
    pub audit_id: i64,
    pub case_id: i64,
    pub child_unique_id: String,
    pub auditor_id: i64,
    pub from: i64,
    pub to: i64,
}

both_sides! {
/// Moves the case's open audits (not yet completed) from key worker `from` to `to`.
pub(crate) async fn hand_over(
    tx: &mut Tx<'_>,
    case_id: i64,
    from: i64,
    to: i64,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Handover>> {
    let open: Vec<(i64, i64, String, i64)> = sqlx::query_as(
        "SELECT a.id, rc.id, c.child_unique_id, a.auditor_id FROM audits a \
         JOIN round_cases rc ON rc.id = a.round_case_id JOIN cases c ON c.id = a.case_id \
         WHERE a.case_id = $1 AND rc.key_worker_id = $2 AND a.state NOT IN ('completed', 'filed_to_record')",
    )
    .bind(case_id)
    .bind(from)
    .fetch_all(&mut **tx)
    .await?;
    let mut moved = Vec::with_capacity(open.len());
    for (audit_id, round_case_id, child_unique_id, auditor_id) in open {
        sqlx::query("UPDATE round_cases SET key_worker_id = $1 WHERE id = $2")
            .bind(to)
            .bind(round_case_id)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO audit_handovers (audit_id, part, from_person, to_person, at) \
             VALUES ($1, 'key_worker', $2, $3, $4)",
        )
        .bind(audit_id)
        .bind(from)
        .bind(to)
        .bind(now)
        .execute(&mut **tx)
        .await?;
        moved.push(Handover {
            audit_id,
            case_id,
            child_unique_id,
            auditor_id,
            from,
            to,
        });
    }
    Ok(moved)
}
}
