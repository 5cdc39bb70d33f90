//! Changes to a team's Team and Service Manager: the QA Manager's decision, kept with who
//! proposed and who decided, and when.

use super::{Notices, Store, StoreResult};
use chrono::{DateTime, Utc};

/// A change as the directory page and a case's history show it (names joined for the page;
/// the table keeps IDs).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TeamChangeRow {
    pub id: i64,
    pub team_id: i64,
    pub team: String,
    pub old_team_manager: Option<String>,
    pub old_service_manager: Option<String>,
    pub team_manager: Option<String>,
    pub service_manager: Option<String>,
    pub proposed_by: Option<String>,
    pub proposed_at: DateTime<Utc>,
    pub outcome: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl TeamChangeRow {
    /// Each manager the change moves: (the role, from whom, to whom), "nobody" for none.
    pub fn moves(&self) -> Vec<(&'static str, String, String)> {
        let name = |v: &Option<String>| v.clone().unwrap_or_else(|| "nobody".into());
        [
            ("Team Manager", &self.old_team_manager, &self.team_manager),
            (
                "Service Manager",
                &self.old_service_manager,
                &self.service_manager,
            ),
        ]
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(role, old, new)| (role, name(old), name(new)))
        .collect()
    }
}

/// How a decision went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decided {
    Done,
    /// No proposal waits under this ID.
    NotWaiting,
    /// The team's managers changed since it was proposed: decline it and propose again.
    Overtaken,
}

const CHANGE_COLUMNS: &str = "c.id, c.team_id, t.name AS team, \
     otm.display_name AS old_team_manager, osm.display_name AS old_service_manager, \
     tm.display_name AS team_manager, sm.display_name AS service_manager, \
     pb.display_name AS proposed_by, c.proposed_at, c.outcome, \
     db.display_name AS decided_by, c.decided_at \
     FROM team_manager_changes c JOIN teams t ON t.id = c.team_id \
     LEFT JOIN people otm ON otm.id = c.old_team_manager_id \
     LEFT JOIN people osm ON osm.id = c.old_service_manager_id \
     LEFT JOIN people tm ON tm.id = c.team_manager_id \
     LEFT JOIN people sm ON sm.id = c.service_manager_id \
     LEFT JOIN people pb ON pb.id = c.proposed_by \
     LEFT JOIN people db ON db.id = c.decided_by";

impl Store {
    /// Sets a team's managers at once (the QA Manager's own change), kept with who and when.
    pub async fn save_team_managers(
        &self,
        team_id: i64,
        managers: (Option<i64>, Option<i64>),
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let found = side::set_team_managers_in(&mut tx, team_id, managers, by, now).await?;
            tx.commit().await?;
            Ok(found)
        })
    }

    /// Proposes a team's managers (the Administrator's change), with its notices.
    pub async fn propose_team_managers(
        &self,
        team_id: i64,
        managers: (Option<i64>, Option<i64>),
        by: i64,
        notices: &Notices,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<Option<i64>>> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let proposed =
                side::propose_team_managers_in(&mut tx, team_id, managers, by, now).await?;
            if matches!(proposed, Some(Some(_))) {
                side::write_notices(self, &mut tx, notices, now).await?;
            }
            tx.commit().await?;
            Ok(proposed)
        })
    }

    /// Confirms (applying it, if the team's managers are still as proposed against) or
    /// declines a waiting proposal.
    pub async fn decide_team_change(
        &self,
        id: i64,
        confirm: bool,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Decided> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            type Waiting = (i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>);
            let Some((team_id, old_tm, old_sm, tm, sm)): Option<Waiting> = sqlx::query_as(
                "SELECT team_id, old_team_manager_id, old_service_manager_id, team_manager_id, \
             service_manager_id FROM team_manager_changes WHERE id = $1 AND outcome IS NULL",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            else {
                return Ok(Decided::NotWaiting);
            };
            if confirm {
                if side::managers_in(&mut tx, team_id).await? != Some((old_tm, old_sm)) {
                    return Ok(Decided::Overtaken);
                }
                sqlx::query(
                    "UPDATE teams SET team_manager_id = $1, service_manager_id = $2 WHERE id = $3",
                )
                .bind(tm)
                .bind(sm)
                .bind(team_id)
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
            "UPDATE team_manager_changes SET outcome = $1, decided_by = $2, decided_at = $3 WHERE id = $4",
        )
        .bind(if confirm { "confirmed" } else { "declined" })
        .bind(by)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
            tx.commit().await?;
            Ok(Decided::Done)
        })
    }

    /// The team a case is allocated to.
    pub async fn team_of_case(&self, case_id: i64) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query_scalar("SELECT team_id FROM cases WHERE id = $1")
                    .bind(case_id)
                    .fetch_optional(pool)
                    .await?
                    .flatten(),
            )
        })
    }

    /// Proposals waiting for the QA Manager, oldest first.
    pub async fn waiting_team_changes(&self) -> StoreResult<Vec<TeamChangeRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {CHANGE_COLUMNS} WHERE c.outcome IS NULL ORDER BY c.id"
            ))
            .fetch_all(pool)
            .await?)
        })
    }

    /// A team's decided changes, newest first (for its cases' history).
    pub async fn team_changes(&self, team_id: i64) -> StoreResult<Vec<TeamChangeRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "SELECT {CHANGE_COLUMNS} WHERE c.team_id = $1 AND c.outcome IS NOT NULL \
             ORDER BY c.id DESC"
            ))
            .bind(team_id)
            .fetch_all(pool)
            .await?)
        })
    }
}

both_sides! {
/// The team's managers now, or `None` if there is no such team.
pub(crate) async fn managers_in(
    tx: &mut Tx<'_>,
    team_id: i64,
) -> StoreResult<Option<(Option<i64>, Option<i64>)>> {
    Ok(
        sqlx::query_as("SELECT team_manager_id, service_manager_id FROM teams WHERE id = $1")
            .bind(team_id)
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// Sets the team's managers and keeps the change, decided by `by` (proposed by
/// `proposed_by`); nothing is kept when nothing changes.
pub(crate) async fn set_team_managers_in(
    tx: &mut Tx<'_>,
    team_id: i64,
    managers: (Option<i64>, Option<i64>),
    by: i64,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let Some(old) = side::managers_in(tx, team_id).await? else {
        return Ok(false);
    };
    if old == managers {
        return Ok(true);
    }
    sqlx::query("UPDATE teams SET team_manager_id = $1, service_manager_id = $2 WHERE id = $3")
        .bind(managers.0)
        .bind(managers.1)
        .bind(team_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO team_manager_changes (team_id, old_team_manager_id, old_service_manager_id, \
         team_manager_id, service_manager_id, proposed_by, proposed_at, outcome, decided_by, decided_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'confirmed', $6, $7)",
    )
    .bind(team_id)
    .bind(old.0)
    .bind(old.1)
    .bind(managers.0)
    .bind(managers.1)
    .bind(by)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(true)
}

/// Proposes the team's managers for the QA Manager to decide, with its notices (the
/// QA Managers' alerts) in the same transaction. `None` if there is no such team;
/// `Some(None)` if nothing would change.
pub(crate) async fn propose_team_managers_in(
    tx: &mut Tx<'_>,
    team_id: i64,
    managers: (Option<i64>, Option<i64>),
    by: i64,
    now: DateTime<Utc>,
) -> StoreResult<Option<Option<i64>>> {
    let Some(old) = side::managers_in(tx, team_id).await? else {
        return Ok(None);
    };
    if old == managers {
        return Ok(Some(None));
    }
    // A newer proposal for the same team replaces one still waiting.
    sqlx::query(
        "UPDATE team_manager_changes SET outcome = 'declined', decided_by = $1, decided_at = $2 \
         WHERE team_id = $3 AND outcome IS NULL",
    )
    .bind(by)
    .bind(now)
    .bind(team_id)
    .execute(&mut **tx)
    .await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO team_manager_changes (team_id, old_team_manager_id, old_service_manager_id, \
         team_manager_id, service_manager_id, proposed_by, proposed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(team_id)
    .bind(old.0)
    .bind(old.1)
    .bind(managers.0)
    .bind(managers.1)
    .bind(by)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(Some(Some(id)))
}
}
