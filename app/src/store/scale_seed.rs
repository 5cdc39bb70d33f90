//! A large council's ten years, for the benchmarks only: the demo council scaled up with
//! extra auditors, open cases, a closed round for every past month with its audits and
//! required actions, and a long history of tray alerts. Never run against real records.

use super::{Store, StoreResult};
use crate::domain::audit::AuditState;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sqlx::QueryBuilder;

/// How big to make the council.
#[derive(Debug, Clone, Copy)]
pub struct ScaleSpec {
    /// Open cases in all, the demo's included.
    pub cases: usize,
    /// Audits in all, spread evenly over `months` monthly rounds.
    pub audits: usize,
    pub months: usize,
    /// Tray alerts in all, spread over the same years.
    pub alerts: usize,
    /// Extra auditors, each with a working day's worth of audits.
    pub auditors: usize,
}

/// What the benchmark needs to find again.
#[derive(Debug, Clone)]
pub struct Scaled {
    pub auditor_ids: Vec<i64>,
    /// The newest round, still under way: its audits are in every state.
    pub newest_round: i64,
}

const GRADES: [&str; 4] = ["outstanding", "good", "requires_improvement", "inadequate"];
const KINDS: [&str; 4] = [
    "case_selected",
    "auditor_assigned",
    "discussion_agreed",
    "audit_filed",
];
/// A large council's auditors: the rest of the extra auditors hold no audits (they are
/// there for the benchmark's thousand open trays).
const AUDITORS_AT_WORK: usize = 60;
/// Rows per multi-row INSERT: well under SQLite's 32,766 bound parameters.
const CHUNK: usize = 1_000;

fn month_start(today: NaiveDate, months_back: usize) -> NaiveDate {
    let index = today.year() * 12 + today.month0() as i32 - months_back as i32;
    NaiveDate::from_ymd_opt(index.div_euclid(12), index.rem_euclid(12) as u32 + 1, 1)
        .expect("valid month")
}

fn month_end(start: NaiveDate) -> NaiveDate {
    let (y, m) = if start.month() == 12 {
        (start.year() + 1, 1)
    } else {
        (start.year(), start.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .and_then(|d| d.pred_opt())
        .expect("valid month")
}

impl Store {
    /// Scales the demo council up to `spec`, with the newest round in `today`'s month.
    pub async fn seed_scale(&self, spec: &ScaleSpec, today: NaiveDate) -> StoreResult<Scaled> {
        on_db!(self, |pool| {
            let now = Utc::now();
            let mut tx = side::begin_write(pool).await?;
            let qa: i64 = sqlx::query_scalar(
            "SELECT person_id FROM person_roles WHERE role = 'qa_manager' ORDER BY person_id LIMIT 1",
        )
        .fetch_one(&mut *tx)
        .await?;
            let first_new: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM people")
                .fetch_one(&mut *tx)
                .await?;
            for chunk in (0..spec.auditors).collect::<Vec<_>>().chunks(CHUNK) {
                let mut qb = QueryBuilder::<side::DB>::new(
                    "INSERT INTO people (display_name, email, password_hash, created_at) ",
                );
                qb.push_values(chunk, |mut row, n| {
                    row.push_bind(format!("Scale Auditor {n}"))
                        .push_bind(format!("scale.auditor.{n}@anytown.example"))
                        // Not a hash: these people cannot sign in with a password.
                        .push_bind("!")
                        .push_bind(now);
                });
                qb.build().execute(&mut *tx).await?;
            }
            let auditor_ids: Vec<i64> =
                sqlx::query_scalar("SELECT id FROM people WHERE id >= $1 ORDER BY id")
                    .bind(first_new)
                    .fetch_all(&mut *tx)
                    .await?;
            for chunk in auditor_ids.chunks(CHUNK) {
                let mut qb =
                    QueryBuilder::<side::DB>::new("INSERT INTO person_roles (person_id, role) ");
                qb.push_values(chunk, |mut row, id| {
                    row.push_bind(*id).push_bind("auditor");
                });
                qb.build().execute(&mut *tx).await?;
            }

            // Cases, each held by a key worker of its team.
            let workers: Vec<(i64, i64)> = sqlx::query_as(
                "SELECT p.team_id, p.id FROM people p JOIN person_roles r ON r.person_id = p.id \
             WHERE r.role = 'key_worker' AND p.team_id IS NOT NULL ORDER BY p.team_id, p.id",
            )
            .fetch_all(&mut *tx)
            .await?;
            let existing: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cases")
                .fetch_one(&mut *tx)
                .await?;
            let new_cases: Vec<usize> = (0..spec.cases.saturating_sub(existing as usize)).collect();
            for chunk in new_cases.chunks(CHUNK) {
                let mut qb = QueryBuilder::<side::DB>::new(
                "INSERT INTO cases (child_unique_id, subject, team_id, key_worker_id, created_at, updated_at) ",
            );
                qb.push_values(chunk, |mut row, n| {
                    let (team, worker) = workers[n % workers.len()];
                    row.push_bind(format!("SCALE{n:07}"))
                        .push_bind(["child", "young_person", "family"][n % 3])
                        .push_bind(team)
                        .push_bind(worker)
                        .push_bind(now)
                        .push_bind(now);
                });
                qb.build().execute(&mut *tx).await?;
            }
            sqlx::query(
            "INSERT INTO case_lists (case_id, annex_list) SELECT id, CASE id % 5 WHEN 0 THEN 2 \
             WHEN 1 THEN 6 WHEN 2 THEN 7 WHEN 3 THEN 8 ELSE 9 END FROM cases \
             WHERE child_unique_id LIKE 'SCALE%'",
        )
        .execute(&mut *tx)
        .await?;
            let case_ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM cases ORDER BY id")
                .fetch_all(&mut *tx)
                .await?;

            // A round a month, the newest this month; audits spread evenly over them.
            let per_round = spec.audits / spec.months.max(1);
            let draft = format!(
                "{{\"narratives\":{{\"voice\":\"{}\"}},\"overall\":null}}",
                "Load-test narrative. ".repeat(40)
            );
            let mut newest_round = 0;
            for back in (0..spec.months).rev() {
                let start = month_start(today, back);
                // The month's last day: near enough to its last working day for load data.
                let due = month_end(start);
                let round: i64 = sqlx::query_scalar(
                    "INSERT INTO rounds (audit_month, due_on, status, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(start.format("%Y-%m").to_string())
                .bind(due)
                .bind(if back == 0 { "confirmed" } else { "closed" })
                .bind(qa)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                newest_round = round;
                let offset = (spec.months - 1 - back) * per_round;
                let picks: Vec<usize> = (0..per_round).collect();
                for chunk in picks.chunks(CHUNK) {
                    let mut qb = QueryBuilder::<side::DB>::new(
                    "INSERT INTO round_cases (round_id, case_id, stratum, position, selected_by) ",
                );
                    qb.push_values(chunk, |mut row, k| {
                        row.push_bind(round)
                            .push_bind(case_ids[(offset + k) % case_ids.len()])
                            .push_bind(0)
                            .push_bind(*k as i64)
                            .push_bind("draw");
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                let selected: Vec<(i64, i64, i64)> = sqlx::query_as(
                "SELECT id, case_id, position FROM round_cases WHERE round_id = $1 ORDER BY position",
            )
            .bind(round)
            .fetch_all(&mut *tx)
            .await?;
                // Older rounds are filed; the newest is under way, in every state.
                let state = |k: usize| {
                    let states = &AuditState::ALL[1..];
                    if back == 0 {
                        states[k % states.len()].code()
                    } else {
                        AuditState::FiledToRecord.code()
                    }
                };
                for chunk in selected.chunks(CHUNK) {
                    let mut qb = QueryBuilder::<side::DB>::new(
                    "INSERT INTO audits (round_case_id, case_id, auditor_id, template_id, state, draft, overall_grade, created_at) ",
                );
                    qb.push_values(chunk, |mut row, (rc, case, k)| {
                        let k = *k as usize;
                        let state = state(k);
                        let graded = state == "completed" || state == "filed_to_record";
                        row.push_bind(*rc)
                            .push_bind(*case)
                            .push_bind(
                                auditor_ids
                                    [(offset + k) % auditor_ids.len().min(AUDITORS_AT_WORK).max(1)],
                            )
                            .push_bind(1)
                            .push_bind(state)
                            .push_bind(&draft)
                            .push_bind(graded.then_some(GRADES[(k * 7 + back) % 4]))
                            .push_bind(now);
                    });
                    qb.build().execute(&mut *tx).await?;
                }
                // The overall grade kept as data, as completing keeps it.
                sqlx::query(
                "INSERT INTO audit_grades (audit_id, template_version, domain_key, grade) \
                 SELECT a.id, 1, $1, a.overall_grade FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id \
                 WHERE rc.round_id = $2 AND a.overall_grade IS NOT NULL",
            )
            .bind(crate::domain::audit::OVERALL)
            .bind(round)
            .execute(&mut *tx)
            .await?;
                // One required action for every third completed audit, open in recent rounds.
                sqlx::query(
                "INSERT INTO audit_actions (audit_id, action, owner, due_on, status) \
                 SELECT a.id, 'Update the plan with the child', 'Key worker', $1, $2 \
                 FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id \
                 WHERE rc.round_id = $3 AND a.state IN ('completed', 'filed_to_record') AND a.id % 3 = 0",
            )
            .bind(due + Duration::days(20))
            .bind(if back < 3 { "open" } else { "done" })
            .bind(round)
            .execute(&mut *tx)
            .await?;
            }

            // Who was on each audit, as confirming records it.
            sqlx::query(
            "UPDATE round_cases SET \
             key_worker_id = (SELECT c.key_worker_id FROM cases c WHERE c.id = round_cases.case_id), \
             iro_id = (SELECT c.iro_id FROM cases c WHERE c.id = round_cases.case_id), \
             team_manager_id = (SELECT t.team_manager_id FROM cases c JOIN teams t ON t.id = c.team_id \
                                WHERE c.id = round_cases.case_id), \
             service_manager_id = (SELECT t.service_manager_id FROM cases c JOIN teams t ON t.id = c.team_id \
                                   WHERE c.id = round_cases.case_id)",
        )
        .execute(&mut *tx)
        .await?;

            // Alerts spread evenly over the years, newest last; read after a month, and in the
            // archive after ninety days, as the hourly sweep would leave them.
            let people: Vec<i64> = sqlx::query_scalar("SELECT id FROM people ORDER BY id")
                .fetch_all(&mut *tx)
                .await?;
            let span = Duration::days(30 * spec.months as i64);
            let step = span / spec.alerts.max(1) as i32;
            let rows: Vec<usize> = (0..spec.alerts).collect();
            let at = |n: usize| -> DateTime<Utc> { now - span + step * (n as i32) };
            let (archived, live): (Vec<usize>, Vec<usize>) = rows
                .into_iter()
                .partition(|n| now - at(*n) > Duration::days(90));
            for (table, rows) in [("alerts_archive", archived), ("alerts", live)] {
                for chunk in rows.chunks(CHUNK) {
                    let mut qb = QueryBuilder::<side::DB>::new(format!(
                    "INSERT INTO {table} ({}person_id, kind, body, link, created_at, read_at, archived_at) ",
                    if table == "alerts" { "" } else { "alert_id, " }
                ));
                    qb.push_values(chunk, |mut row, n| {
                        let at = at(*n);
                        if table != "alerts" {
                            row.push_bind(*n as i64 + 1);
                        }
                        row.push_bind(people[n % people.len()])
                            .push_bind(KINDS[n % KINDS.len()])
                            .push_bind(format!("Audit {n} moved on"))
                            .push_bind(format!("/audits/{}", n % 1000 + 1))
                            .push_bind(at)
                            .push_bind(
                                (now - at > Duration::days(30)).then_some(at + Duration::days(1)),
                            )
                            .push_bind((table != "alerts").then_some(now));
                    });
                    qb.build().execute(&mut *tx).await?;
                }
            }
            tx.commit().await?;
            Ok(Scaled {
                auditor_ids,
                newest_round,
            })
        })
    }
}
