use super::{Store, StoreResult};
use crate::demo::DemoCouncil;
use chrono::Utc;

impl Store {
    /// Loads the demo council into an empty database in one transaction: all of it or none
    /// of it. `false`, with nothing written, when the database already has people: another
    /// instance starting at the same moment seeded it first (the check is inside the write
    /// transaction, so two cannot both find it empty).
    pub async fn seed_demo(&self, council: &DemoCouncil, password_hash: &str) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let now = Utc::now();
            let mut tx = side::begin_write(pool).await?;
            side::one_writer(&mut tx, super::SETUP_LOCK).await?;
            let people: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people")
                .fetch_one(&mut *tx)
                .await?;
            if people > 0 {
                return Ok(false);
            }
            let mut person_ids = Vec::with_capacity(council.people.len());
            for person in &council.people {
                let id: i64 = sqlx::query_scalar(
                "INSERT INTO people (display_name, email, password_hash, created_at, password_set_at, demo) VALUES ($1, $2, $3, $4, $4, TRUE) RETURNING id",
            )
            .bind(&person.display_name)
            .bind(&person.email)
            .bind(password_hash)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
                for role in &person.roles {
                    sqlx::query("INSERT INTO person_roles (person_id, role) VALUES ($1, $2)")
                        .bind(id)
                        .bind(role.code())
                        .execute(&mut *tx)
                        .await?;
                }
                person_ids.push(id);
            }
            let mut team_ids = Vec::with_capacity(council.teams.len());
            for team in &council.teams {
                let id: i64 = sqlx::query_scalar(
                "INSERT INTO teams (name, team_manager_id, service_manager_id, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(&team.name)
            .bind(person_ids[team.team_manager])
            .bind(person_ids[team.service_manager])
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
                team_ids.push(id);
            }
            for (person, id) in council.people.iter().zip(&person_ids) {
                if let Some(team) = person.team {
                    sqlx::query("UPDATE people SET team_id = $1 WHERE id = $2")
                        .bind(team_ids[team])
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            for case in &council.cases {
                let id: i64 = sqlx::query_scalar(
                "INSERT INTO cases (child_unique_id, subject, team_id, key_worker_id, iro_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            )
            .bind(case.child_unique_id.as_str())
            .bind(case.subject.code())
            .bind(team_ids[case.team])
            .bind(person_ids[case.key_worker])
            .bind(case.iro.map(|i| person_ids[i]))
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
                for list in &case.lists {
                    sqlx::query("INSERT INTO case_lists (case_id, annex_list) VALUES ($1, $2)")
                        .bind(id)
                        .bind(i64::from(list.number()))
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
            Ok(true)
        })
    }
}
