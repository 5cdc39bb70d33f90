use super::{Notices, Store, StoreError, StoreResult};
use crate::domain::audit::AuditState;
use crate::domain::calendar::{AuditMonth, WorkingCalendar};
use crate::domain::round::{finished, RoundStatus, Selection};
use crate::domain::AnnexList;
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoundRow {
    pub id: i64,
    pub audit_month: String,
    pub due_on: NaiveDate,
    #[sqlx(try_from = "String")]
    pub status: RoundStatus,
    pub selected: i64,
    pub closed_at: Option<DateTime<Utc>>,
}

/// An audit (or a selected case with no audit yet) still open in a round.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenRoundCase {
    pub round_case_id: i64,
    pub case_id: i64,
    pub child_unique_id: String,
    pub audit_id: Option<i64>,
    pub auditor_id: Option<i64>,
    pub state: Option<String>,
    pub left_open_reason: Option<String>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DrawRow {
    pub generator: String,
    pub seed: String,
    pub settings: String,
    pub strata: String,
    pub drawn_at: DateTime<Utc>,
    /// Cases otherwise eligible that were left out because they had no key worker.
    pub unallocated_left_out: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoundCaseRow {
    pub case_id: i64,
    pub child_unique_id: String,
    pub team: String,
    pub stratum: i64,
    pub position: i64,
    #[sqlx(try_from = "String")]
    pub selected_by: Selection,
    pub withdrawn: bool,
}

/// Which cases a stratum draws from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolFilter {
    List(AnnexList),
    Team(i64),
}

/// What a draw stores: per stratum, the selected case IDs in draw order.
pub struct DrawToRecord<'a> {
    pub unallocated_left_out: usize,
    pub generator: &'a str,
    pub seed: String,
    pub settings: String,
    pub strata: String,
    pub selections: Vec<Vec<i64>>,
}

impl Store {
    /// The working-day calendar: the shipped bank holidays and the days the Administrator
    /// added.
    pub async fn calendar(&self) -> StoreResult<WorkingCalendar> {
        let mut days: Vec<NaiveDate> = WorkingCalendar::shipped().closed_days().collect();
        days.extend(self.closure_days().await?);
        Ok(WorkingCalendar::new(days))
    }

    /// Council closure days and bank holidays loaded after the shipped ones.
    pub async fn closure_days(&self) -> StoreResult<Vec<NaiveDate>> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query_scalar("SELECT day FROM closure_days ORDER BY day")
                    .fetch_all(pool)
                    .await?,
            )
        })
    }

    /// Creates the round; `None` if the month already has one.
    pub async fn create_round(
        &self,
        month: AuditMonth,
        due_on: NaiveDate,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<Option<i64>> {
        on_db!(self, |pool| {
            let result = sqlx::query_scalar(
                "INSERT INTO rounds (audit_month, due_on, status, created_by, created_at) \
             VALUES ($1, $2, 'open', $3, $4) RETURNING id",
            )
            .bind(month.to_string())
            .bind(due_on)
            .bind(by)
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

    const ROUND_COLUMNS: &'static str = "SELECT r.id, r.audit_month, r.due_on, r.status, r.closed_at, \
        (SELECT COUNT(*) FROM round_cases rc WHERE rc.round_id = r.id AND rc.withdrawn_at IS NULL) AS selected \
        FROM rounds r";

    pub async fn rounds(&self) -> StoreResult<Vec<RoundRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(&format!(
                "{} ORDER BY r.audit_month DESC",
                Self::ROUND_COLUMNS
            ))
            .fetch_all(pool)
            .await?)
        })
    }

    /// Rounds past their draw, newest first: (ID, audit month). Unlike [`Store::rounds`] it
    /// counts nothing, so a dashboard over ten years of rounds stays cheap.
    pub async fn drawn_rounds(&self) -> StoreResult<Vec<(i64, String)>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT id, audit_month FROM rounds WHERE status <> 'open' ORDER BY audit_month DESC",
        )
        .fetch_all(pool)
        .await?)
        })
    }

    pub async fn round(&self, round_id: i64) -> StoreResult<Option<RoundRow>> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query_as(&format!("{} WHERE r.id = $1", Self::ROUND_COLUMNS))
                    .bind(round_id)
                    .fetch_optional(pool)
                    .await?,
            )
        })
    }

    /// Open cases on `list` (or, for a team's quota, on any audited list in `team_id`) that
    /// may be drawn for `month`; see [`Store::eligible_pools`].
    pub async fn eligible_pool(
        &self,
        stratum: PoolFilter,
        month: AuditMonth,
        exclude_months: u32,
        round_id: i64,
    ) -> StoreResult<Vec<i64>> {
        let (mut pools, _) = self
            .eligible_pools(&[stratum], month, exclude_months, round_id)
            .await?;
        Ok(pools.pop().unwrap_or_default())
    }

    /// For each filter, the open cases (in ID order) that may be drawn for `month`: with a
    /// team and key worker (nobody could take an unallocated case's audit through), not already in
    /// another round that is not closed, and not selected in any round for the
    /// `exclude_months` months before it. Also how many cases the filters would otherwise
    /// have taken but have no key worker. One pass over the pool, whatever the strata.
    pub async fn eligible_pools(
        &self,
        strata: &[PoolFilter],
        month: AuditMonth,
        exclude_months: u32,
        round_id: i64,
    ) -> StoreResult<(Vec<Vec<i64>>, usize)> {
        on_db!(self, |pool| {
            let mut earliest = month;
            for _ in 0..exclude_months {
                earliest = AuditMonth::of(earliest.first_day() - chrono::Months::new(1));
            }
            let taken: std::collections::HashSet<i64> = sqlx::query_scalar(
                "SELECT rc.case_id FROM round_cases rc JOIN rounds r ON r.id = rc.round_id \
             WHERE rc.withdrawn_at IS NULL AND r.id <> $1 \
             AND (r.status <> 'closed' OR r.audit_month >= $2)",
            )
            .bind(round_id)
            .bind(earliest.to_string())
            .fetch_all(pool)
            .await?
            .into_iter()
            .collect();
            // One aggregated row rather than 20,000: sqlx's SQLite driver costs a few microseconds
            // a row, which made reading a large council's pool take 60 ms.
            let concat = match side::DIALECT {
                super::Dialect::Sqlite => "group_concat",
                super::Dialect::Postgres => "string_agg",
            };
            let packed: Option<String> = sqlx::query_scalar(&format!(
                "SELECT {concat}(c.id || ':' || COALESCE(c.team_id, 0) || ':' || l.annex_list || ':' || \
             CASE WHEN c.key_worker_id IS NULL OR c.team_id IS NULL THEN 0 ELSE 1 END, ',') \
             FROM cases c JOIN case_lists l ON l.case_id = c.id WHERE c.closed_on IS NULL"
            ))
            .fetch_one(pool)
            .await?;
            let mut listed: Vec<(i64, i64, i64, bool)> = packed
                .unwrap_or_default()
                .split(',')
                .filter(|e| !e.is_empty())
                .map(|entry| {
                    let mut parts = entry.split(':').map(str::parse::<i64>);
                    match (parts.next(), parts.next(), parts.next(), parts.next()) {
                        (Some(Ok(id)), Some(Ok(team)), Some(Ok(list)), Some(Ok(allocated))) => {
                            Ok((id, team, list, allocated == 1))
                        }
                        _ => Err(StoreError::Corrupt(format!("bad pool entry {entry}"))),
                    }
                })
                .collect::<StoreResult<_>>()?;
            listed.sort_unstable();
            let mut unallocated = std::collections::BTreeSet::new();
            let mut pools = Vec::with_capacity(strata.len());
            for filter in strata {
                let mut pool = Vec::new();
                for (id, team, list, allocated) in &listed {
                    let in_stratum = match filter {
                        PoolFilter::List(l) => *list == i64::from(l.number()),
                        PoolFilter::Team(t) => team == t,
                    };
                    if !in_stratum || taken.contains(id) {
                        continue;
                    }
                    if *allocated {
                        pool.push(*id);
                    } else {
                        unallocated.insert(*id);
                    }
                }
                // A case on two lists appears once in its team's pool.
                pool.dedup();
                pools.push(pool);
            }
            Ok((pools, unallocated.len()))
        })
    }

    /// Stores the draw and its selections and marks the round drawn, all or nothing.
    /// `false` if the round was not open for drawing (drawn meanwhile by someone else).
    pub async fn record_draw(
        &self,
        round_id: i64,
        draw: DrawToRecord<'_>,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let moved = sqlx::query("UPDATE rounds SET status = $1 WHERE id = $2 AND status = $3")
                .bind(RoundStatus::Drawn.code())
                .bind(round_id)
                .bind(RoundStatus::Open.code())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if moved != 1 {
                return Ok(false);
            }
            sqlx::query(
            "INSERT INTO draws (round_id, generator, seed, settings, strata, drawn_by, drawn_at, unallocated_left_out) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(round_id)
        .bind(draw.generator)
        .bind(&draw.seed)
        .bind(&draw.settings)
        .bind(&draw.strata)
        .bind(by)
        .bind(now)
        .bind(i64::try_from(draw.unallocated_left_out).unwrap_or(i64::MAX))
        .execute(&mut *tx)
        .await?;
            for (stratum, selected) in draw.selections.iter().enumerate() {
                for (position, case_id) in selected.iter().enumerate() {
                    sqlx::query(
                    "INSERT INTO round_cases (round_id, case_id, stratum, position, selected_by) \
                     VALUES ($1, $2, $3, $4, 'draw')",
                )
                .bind(round_id)
                .bind(case_id)
                .bind(stratum as i64)
                .bind(position as i64)
                .execute(&mut *tx)
                .await?;
                }
            }
            tx.commit().await?;
            Ok(true)
        })
    }

    pub async fn draw_record(&self, round_id: i64) -> StoreResult<Option<DrawRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT generator, seed, settings, strata, drawn_at, unallocated_left_out FROM draws WHERE round_id = $1",
        )
        .bind(round_id)
        .fetch_optional(pool)
        .await?)
        })
    }

    pub async fn round_cases(&self, round_id: i64) -> StoreResult<Vec<RoundCaseRow>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT rc.case_id, c.child_unique_id, t.name AS team, rc.stratum, rc.position, rc.selected_by, \
             rc.withdrawn_at IS NOT NULL AS withdrawn \
             FROM round_cases rc JOIN cases c ON c.id = rc.case_id JOIN teams t ON t.id = c.team_id \
             WHERE rc.round_id = $1 ORDER BY rc.stratum, rc.position",
        )
        .bind(round_id)
        .fetch_all(pool)
        .await?)
        })
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Corrupt(e.to_string())
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoundCaseRef {
    pub id: i64,
    pub case_id: i64,
    pub stratum: i64,
    #[sqlx(try_from = "String")]
    pub selected_by: Selection,
    pub withdrawn: bool,
}

impl Store {
    /// Every case the round holds or has held, in the order they joined it.
    pub async fn round_case_refs(&self, round_id: i64) -> StoreResult<Vec<RoundCaseRef>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
                "SELECT id, case_id, stratum, selected_by, withdrawn_at IS NOT NULL AS withdrawn \
             FROM round_cases WHERE round_id = $1 ORDER BY id",
            )
            .bind(round_id)
            .fetch_all(pool)
            .await?)
        })
    }

    /// Withdraws a selected case with its reason and, if one was drawn, adds the replacement
    /// to the same stratum: both or neither. `false` if the case was withdrawn meanwhile.
    pub async fn withdraw_and_replace(
        &self,
        round_case: &RoundCaseRef,
        round_id: i64,
        reason: &str,
        replacement: Option<i64>,
        by: i64,
        now: DateTime<Utc>,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let withdrawn = sqlx::query(
            "UPDATE round_cases SET withdrawn_at = $1, withdrawn_by = $2, withdrawn_reason = $3 \
             WHERE id = $4 AND withdrawn_at IS NULL",
        )
        .bind(now)
        .bind(by)
        .bind(reason)
        .bind(round_case.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
            if withdrawn != 1 {
                return Ok(false);
            }
            if let Some(case_id) = replacement {
                sqlx::query(
                "INSERT INTO round_cases (round_id, case_id, stratum, position, selected_by, replaces_id) \
                 VALUES ($1, $2, $3, (SELECT COALESCE(MAX(position), -1) + 1 FROM round_cases \
                 WHERE round_id = $1 AND stratum = $3), 'replacement', $4)",
            )
            .bind(round_id)
            .bind(case_id)
            .bind(round_case.stratum)
            .bind(round_case.id)
            .execute(&mut *tx)
            .await?;
            }
            tx.commit().await?;
            Ok(true)
        })
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClosureDayRow {
    pub day: NaiveDate,
    pub kind: String,
    pub reason: String,
}

impl Store {
    pub async fn closure_day_rows(&self) -> StoreResult<Vec<ClosureDayRow>> {
        on_db!(self, |pool| {
            Ok(
                sqlx::query_as("SELECT day, kind, reason FROM closure_days ORDER BY day")
                    .fetch_all(pool)
                    .await?,
            )
        })
    }

    /// Adds days that are not working days (existing dates are kept as they were), then moves
    /// the due date of every round not yet closed with `due_on`, all in one transaction.
    /// Returns how many days were new.
    pub async fn add_closure_days(
        &self,
        days: &[(NaiveDate, &str)],
        kind: &str,
        by: i64,
        now: DateTime<Utc>,
        due_on: impl Fn(&str) -> Option<NaiveDate> + Send,
    ) -> StoreResult<u64> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let mut added = 0;
            for (day, reason) in days {
                added += sqlx::query(
                "INSERT INTO closure_days (day, kind, reason, added_by, added_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (day) DO NOTHING",
            )
            .bind(day)
            .bind(kind)
            .bind(reason)
            .bind(by)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            }
            let open: Vec<(i64, String)> =
                sqlx::query_as("SELECT id, audit_month FROM rounds WHERE status <> 'closed'")
                    .fetch_all(&mut *tx)
                    .await?;
            for (id, month) in open {
                if let Some(due) = due_on(&month) {
                    sqlx::query("UPDATE rounds SET due_on = $1 WHERE id = $2")
                        .bind(due)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            tx.commit().await?;
            Ok(added)
        })
    }
}

/// A selected case with the people to tell about it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SelectionContact {
    pub round_case_id: i64,
    pub case_id: i64,
    pub child_unique_id: String,
    pub team_id: i64,
    pub team: String,
    pub key_worker_id: Option<i64>,
    pub team_manager_id: Option<i64>,
    pub service_manager_id: Option<i64>,
    pub iro_id: Option<i64>,
    pub auditor_id: Option<i64>,
    pub auditor: Option<String>,
    pub audit_id: Option<i64>,
    pub audit_state: Option<String>,
}

/// Someone who may be asked to audit, with the teams they may not audit.
#[derive(Debug, Clone)]
pub struct AuditorRow {
    pub person_id: i64,
    pub name: String,
    pub own_teams: Vec<i64>,
    pub open_audits: i64,
}

impl Store {
    /// Marks a drawn round confirmed, records who holds each selected case now (the
    /// audit follows them, not later changes to the case), and writes what confirming
    /// tells, in one transaction. `false` if it was not drawn (or confirmed meanwhile).
    pub async fn confirm_round(
        &self,
        round_id: i64,
        by: i64,
        now: DateTime<Utc>,
        notices: &Notices,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let moved = sqlx::query(
                "UPDATE rounds SET status = $1, confirmed_at = $2, confirmed_by = $3 \
             WHERE id = $4 AND status = $5",
            )
            .bind(RoundStatus::Confirmed.code())
            .bind(now)
            .bind(by)
            .bind(round_id)
            .bind(RoundStatus::Drawn.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved != 1 {
                return Ok(false);
            }
            sqlx::query(
            "UPDATE round_cases SET \
             key_worker_id = (SELECT c.key_worker_id FROM cases c WHERE c.id = round_cases.case_id), \
             iro_id = (SELECT c.iro_id FROM cases c WHERE c.id = round_cases.case_id), \
             team_manager_id = (SELECT t.team_manager_id FROM cases c JOIN teams t ON t.id = c.team_id \
                                WHERE c.id = round_cases.case_id), \
             service_manager_id = (SELECT t.service_manager_id FROM cases c JOIN teams t ON t.id = c.team_id \
                                   WHERE c.id = round_cases.case_id) \
             WHERE round_id = $1",
        )
        .bind(round_id)
        .execute(&mut *tx)
        .await?;
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The round's cases not yet filed (and not withdrawn): what closing would leave open.
    pub async fn open_round_cases(&self, round_id: i64) -> StoreResult<Vec<OpenRoundCase>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT rc.id AS round_case_id, rc.case_id, c.child_unique_id, a.id AS audit_id, \
             rc.auditor_id, a.state, rc.left_open_reason \
             FROM round_cases rc JOIN cases c ON c.id = rc.case_id LEFT JOIN audits a ON a.round_case_id = rc.id \
             WHERE rc.round_id = $1 AND rc.withdrawn_at IS NULL AND (a.id IS NULL OR a.state <> $2) \
             ORDER BY c.child_unique_id",
        )
        .bind(round_id)
        .bind(AuditState::FiledToRecord.code())
        .fetch_all(pool)
        .await?)
        })
    }

    /// Closes a confirmed round, keeping the reason given for each round case left open,
    /// with what closing tells. `false` if it was not confirmed (closed meanwhile) or its
    /// open cases changed since they were read (`open`: the round case IDs read).
    pub async fn close_round(
        &self,
        round_id: i64,
        reasons: &[(i64, String)],
        by: Option<i64>,
        now: DateTime<Utc>,
        notices: &Notices,
    ) -> StoreResult<bool> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let still_open: Vec<i64> = sqlx::query_scalar(
            "SELECT rc.id FROM round_cases rc LEFT JOIN audits a ON a.round_case_id = rc.id \
             WHERE rc.round_id = $1 AND rc.withdrawn_at IS NULL AND (a.id IS NULL OR a.state <> $2) ORDER BY rc.id",
        )
        .bind(round_id)
        .bind(AuditState::FiledToRecord.code())
        .fetch_all(&mut *tx)
        .await?;
            let mut given: Vec<i64> = reasons.iter().map(|(id, _)| *id).collect();
            given.sort_unstable();
            if still_open != given {
                return Ok(false);
            }
            if !side::close_in(&mut tx, round_id, by, now).await? {
                return Ok(false);
            }
            for (round_case_id, reason) in reasons {
                sqlx::query(
                    "UPDATE round_cases SET left_open_reason = $1 WHERE id = $2 AND round_id = $3",
                )
                .bind(reason)
                .bind(round_case_id)
                .bind(round_id)
                .execute(&mut *tx)
                .await?;
            }
            side::write_notices(self, &mut tx, notices, now).await?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// The round's selected (not withdrawn) cases with who holds them and who audits them.
    pub async fn selection_contacts(&self, round_id: i64) -> StoreResult<Vec<SelectionContact>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_as(
            "SELECT rc.id AS round_case_id, c.id AS case_id, c.child_unique_id, c.team_id, t.name AS team, \
             c.key_worker_id, t.team_manager_id, t.service_manager_id, c.iro_id, \
             rc.auditor_id, a.display_name AS auditor, au.id AS audit_id, au.state AS audit_state \
             FROM round_cases rc JOIN cases c ON c.id = rc.case_id JOIN teams t ON t.id = c.team_id \
             LEFT JOIN people a ON a.id = rc.auditor_id LEFT JOIN audits au ON au.round_case_id = rc.id \
             WHERE rc.round_id = $1 AND rc.withdrawn_at IS NULL ORDER BY rc.stratum, rc.position",
        )
        .bind(round_id)
        .fetch_all(pool)
        .await?)
        })
    }

    /// Active people with the Auditor role, IDs only: for telling them all something.
    pub async fn auditor_ids(&self) -> StoreResult<Vec<i64>> {
        on_db!(self, |pool| {
            Ok(sqlx::query_scalar(
                "SELECT p.id FROM people p JOIN person_roles pr ON pr.person_id = p.id \
             WHERE pr.role = 'auditor' AND p.active = TRUE ORDER BY p.id",
            )
            .fetch_all(pool)
            .await?)
        })
    }

    /// Active people with the Auditor role, their own teams (member, Team Manager or Service
    /// Manager) and how many open audits they hold (not completed, in rounds not closed).
    pub async fn auditors(&self) -> StoreResult<Vec<AuditorRow>> {
        on_db!(self, |pool| {
            let people: Vec<(i64, String, i64)> = sqlx::query_as(
                "SELECT p.id, p.display_name, \
             (SELECT COUNT(*) FROM round_cases rc JOIN rounds r ON r.id = rc.round_id \
              LEFT JOIN audits a ON a.round_case_id = rc.id \
              WHERE rc.auditor_id = p.id AND rc.withdrawn_at IS NULL AND r.status <> 'closed' \
              AND (a.id IS NULL OR a.state NOT IN ('completed', 'filed_to_record'))) \
             FROM people p JOIN person_roles pr ON pr.person_id = p.id \
             WHERE pr.role = 'auditor' AND p.active = TRUE ORDER BY p.display_name, p.id",
            )
            .fetch_all(pool)
            .await?;
            let ties: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT id, team_id FROM people WHERE team_id IS NOT NULL \
             UNION SELECT team_manager_id, id FROM teams WHERE team_manager_id IS NOT NULL \
             UNION SELECT service_manager_id, id FROM teams WHERE service_manager_id IS NOT NULL",
            )
            .fetch_all(pool)
            .await?;
            let mut teams_of: std::collections::HashMap<i64, Vec<i64>> = Default::default();
            for (person, team) in ties {
                teams_of.entry(person).or_default().push(team);
            }
            Ok(people
                .into_iter()
                .map(|(person_id, name, open_audits)| AuditorRow {
                    person_id,
                    name,
                    own_teams: teams_of.remove(&person_id).unwrap_or_default(),
                    open_audits,
                })
                .collect())
        })
    }

    /// Sets auditors on a confirmed round's cases, all or none. Returns the cases whose auditor
    /// changed, with the new auditor. `None` if the round is not confirmed.
    pub async fn assign_auditors(
        &self,
        round_id: i64,
        assignments: &[(i64, i64)],
        by: i64,
        now: DateTime<Utc>,
        notices: impl FnOnce(&[(i64, i64)]) -> Notices + Send,
    ) -> StoreResult<Option<Vec<(i64, i64)>>> {
        on_db!(self, |pool| {
            let mut tx = side::begin_write(pool).await?;
            let status: Option<String> =
                sqlx::query_scalar("SELECT status FROM rounds WHERE id = $1")
                    .bind(round_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            if status.as_deref() != Some(RoundStatus::Confirmed.code()) {
                return Ok(None);
            }
            let mut changed = Vec::new();
            for (round_case_id, auditor_id) in assignments {
                // Once the discussion is arranged the audit stays with its auditor.
                let state: Option<String> =
                    sqlx::query_scalar("SELECT state FROM audits WHERE round_case_id = $1")
                        .bind(round_case_id)
                        .fetch_optional(&mut *tx)
                        .await?;
                if state.as_deref().is_some_and(|s| s != "assigned") {
                    continue;
                }
                let moved = sqlx::query(
                    "UPDATE round_cases SET auditor_id = $1, assigned_at = $2, assigned_by = $3 \
                 WHERE id = $4 AND round_id = $5 AND withdrawn_at IS NULL \
                 AND (auditor_id IS NULL OR auditor_id <> $1)",
                )
                .bind(auditor_id)
                .bind(now)
                .bind(by)
                .bind(round_case_id)
                .bind(round_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if moved == 1 {
                    changed.push((*round_case_id, *auditor_id));
                    // The audit follows its auditor; a new one starts as assigned.
                    let existing: Option<i64> =
                        sqlx::query_scalar("SELECT id FROM audits WHERE round_case_id = $1")
                            .bind(round_case_id)
                            .fetch_optional(&mut *tx)
                            .await?;
                    match existing {
                        Some(audit_id) => {
                            sqlx::query("UPDATE audits SET auditor_id = $1 WHERE id = $2")
                                .bind(auditor_id)
                                .bind(audit_id)
                                .execute(&mut *tx)
                                .await?;
                            // The previous auditor's proposals go with them.
                            sqlx::query(
                            "DELETE FROM discussion_times WHERE audit_id = $1 AND accepted_at IS NULL",
                        )
                        .bind(audit_id)
                        .execute(&mut *tx)
                        .await?;
                        }
                        None => {
                            let audit_id: i64 = sqlx::query_scalar(
                            "INSERT INTO audits (round_case_id, case_id, auditor_id, template_id, state, created_at) \
                             SELECT rc.id, rc.case_id, $1, (SELECT id FROM audit_templates ORDER BY version DESC LIMIT 1), \
                             'assigned', $2 FROM round_cases rc WHERE rc.id = $3 RETURNING id",
                        )
                        .bind(auditor_id)
                        .bind(now)
                        .bind(round_case_id)
                        .fetch_one(&mut *tx)
                        .await?;
                            sqlx::query(
                            "INSERT INTO audit_moves (audit_id, from_state, to_state, by_person, at) \
                             VALUES ($1, 'selected', 'assigned', $2, $3)",
                        )
                        .bind(audit_id)
                        .bind(by)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        }
                    }
                }
            }
            side::write_notices(self, &mut tx, &notices(&changed), now).await?;
            tx.commit().await?;
            Ok(Some(changed))
        })
    }
}

both_sides! {
pub(crate) async fn close_in(
    tx: &mut Tx<'_>,
    round_id: i64,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    Ok(sqlx::query(
        "UPDATE rounds SET status = $1, closed_at = $2, closed_by = $3 WHERE id = $4 AND status = $5",
    )
    .bind(RoundStatus::Closed.code())
    .bind(now)
    .bind(by)
    .bind(round_id)
    .bind(RoundStatus::Confirmed.code())
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

/// Closes the audit's round if every case it holds is now filed. Inside the filing's
/// transaction, so the last filing and the closing are one change.
pub(crate) async fn close_round_if_finished(
    tx: &mut Tx<'_>,
    audit_id: i64,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let (round_id, status): (i64, String) = sqlx::query_as(
        "SELECT r.id, r.status FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id \
         JOIN rounds r ON r.id = rc.round_id WHERE a.id = $1",
    )
    .bind(audit_id)
    .fetch_one(&mut **tx)
    .await?;
    let status = RoundStatus::try_from(status).map_err(StoreError::Corrupt)?;
    let (held, filed): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN a.state = $2 THEN 1 ELSE 0 END), 0) \
         FROM round_cases rc LEFT JOIN audits a ON a.round_case_id = rc.id \
         WHERE rc.round_id = $1 AND rc.withdrawn_at IS NULL",
    )
    .bind(round_id)
    .bind(AuditState::FiledToRecord.code())
    .fetch_one(&mut **tx)
    .await?;
    let (held, filed) = (
        usize::try_from(held).unwrap_or(0),
        usize::try_from(filed).unwrap_or(0),
    );
    if finished(status, held, filed) {
        return side::close_in(tx, round_id, None, now).await;
    }
    Ok(false)
}
}
