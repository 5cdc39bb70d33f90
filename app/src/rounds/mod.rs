//! Audit rounds: one per audit month, due on its last working day, and the draw.

mod confirm;
pub(crate) mod page;

pub use confirm::{
    assign_auditors, close_round, confirm_round, AssignAuditors, AssignmentRow, Assignments,
    CloseRound, ConfirmRound, LeftOpen,
};
pub use page::{RoundPage, RoundsPage};

use crate::domain::round::RoundStatus;
use crate::domain::AnnexList;
use crate::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Cases audited within this many months before are not drawn again, unless changed.
pub const DEFAULT_EXCLUDE_MONTHS: u32 = 12;
/// The most a single list's quota may be.
pub const MAX_QUOTA: u32 = 500;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundSummary {
    pub id: i64,
    /// "December 2026".
    pub month: String,
    pub due_on: NaiveDate,
    pub status: RoundStatus,
    pub selected: i64,
}

/// The settings a draw ran with, stored beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawSettings {
    pub quotas: Vec<(AnnexList, u32)>,
    /// Drawn first, each from the team's cases on any audited list.
    #[serde(default)]
    pub team_quotas: Vec<TeamQuota>,
    pub exclude_months: u32,
    pub exclude_closed: bool,
    pub exclude_open_rounds: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamQuota {
    pub team_id: i64,
    pub team: String,
    pub quota: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectedCase {
    pub case_id: i64,
    pub child_unique_id: String,
    pub team: String,
    /// Drawn to replace a withdrawn case.
    pub replacement: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StratumView {
    pub label: String,
    pub quota: usize,
    pub eligible: usize,
    pub selected: Vec<SelectedCase>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawView {
    pub seed: String,
    pub generator: String,
    pub exclude_months: u32,
    /// Cases otherwise eligible but left out because they had no key worker.
    pub unallocated_left_out: i64,
    pub strata: Vec<StratumView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundView {
    pub round: RoundSummary,
    pub draw: Option<DrawView>,
    pub can_draw: bool,
    pub can_withdraw: bool,
    pub can_confirm: bool,
    /// Teams for the draw form's team quotas (when the round can be drawn).
    pub teams: Vec<(i64, String)>,
    /// Open cases the draw will leave out because their lead practitioner is not known
    /// (when the round can be drawn).
    pub without_lead_practitioner: i64,
    /// The assignment form (QA Manager, confirmed round).
    pub assignments: Option<Assignments>,
    /// The closing form (QA Manager, confirmed round past its due date): what is still open.
    pub closing: Option<Vec<LeftOpen>>,
    /// Closed rounds: when, and what was left open with its reason.
    pub closed: Option<(chrono::DateTime<chrono::Utc>, Vec<LeftOpen>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    pub matches: bool,
    pub cases: usize,
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::domain::calendar::{AuditMonth, WorkingCalendar};
    use crate::domain::draw::{Seed, Stratum, StratumDraw};
    use crate::domain::{Actor, Role};
    use crate::server::{failed, internal};
    use crate::store::{RoundRow, Store};

    pub fn require_qa_manager(actor: &Actor) -> Result<(), AppError> {
        if actor.roles.has(Role::QaManager) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// The programme's managers may look at rounds; only the QA Manager runs them.
    pub fn require_programme(actor: &Actor) -> Result<(), AppError> {
        if actor.roles.sees_every_case() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub async fn calendar(store: &Store) -> Result<WorkingCalendar, AppError> {
        store
            .calendar()
            .await
            .map_err(crate::server::failed("read the calendar"))
    }

    /// A round's recorded draw, read back: the seed, the settings and, per stratum, the pool
    /// as it stood and the outcome. `None` before the round is drawn.
    pub struct RecordedDraw {
        pub seed: Seed,
        pub generator: String,
        pub settings: DrawSettings,
        pub strata: Vec<(Stratum, StratumDraw)>,
        pub unallocated_left_out: i64,
    }

    pub async fn recorded_draw(
        store: &Store,
        round_id: i64,
    ) -> Result<Option<RecordedDraw>, AppError> {
        let Some(record) = store
            .draw_record(round_id)
            .await
            .map_err(failed("recorded draw"))?
        else {
            return Ok(None);
        };
        Ok(Some(RecordedDraw {
            seed: Seed::parse_hex(&record.seed).ok_or_else(|| internal("bad seed in draws"))?,
            generator: record.generator,
            settings: serde_json::from_str(&record.settings).map_err(failed("recorded draw"))?,
            strata: serde_json::from_str(&record.strata).map_err(failed("recorded draw"))?,
            unallocated_left_out: record.unallocated_left_out,
        }))
    }

    pub fn summary(row: RoundRow) -> Result<RoundSummary, AppError> {
        let month = AuditMonth::parse(&row.audit_month)
            .ok_or_else(|| internal("bad audit month in rounds"))?;
        Ok(RoundSummary {
            id: row.id,
            month: month.label(),
            due_on: row.due_on,
            status: row.status,
            selected: row.selected,
        })
    }
}

#[server(endpoint = "list_rounds", output = crate::codec::Compact)]
pub async fn list_rounds() -> Result<Vec<RoundSummary>, AppError> {
    use crate::server::*;
    respond("list_rounds", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_programme(&actor)?;
        store
            .rounds()
            .await
            .map_err(failed("list rounds"))?
            .into_iter()
            .map(ssr::summary)
            .collect()
    })
    .await
}

/// Creates the round for an audit month (`YYYY-MM`), due on its last working day.
#[server(endpoint = "create_round", output = crate::codec::Compact)]
pub async fn create_round(month: String) -> Result<i64, AppError> {
    use crate::domain::calendar::AuditMonth;
    use crate::server::*;
    use crate::FieldError;
    respond("create_round", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_qa_manager(&actor)?;
        let month = AuditMonth::parse(&month).ok_or_else(|| {
            AppError::Invalid(vec![FieldError::new(
                "month",
                "Enter the audit month, for example 2027-01",
            )])
        })?;
        let due_on = ssr::calendar(&store)
            .await?
            .last_working_day(month)
            .ok_or_else(|| {
                AppError::Invalid(vec![FieldError::new(
                    "month",
                    format!("{} has no working days", month.label()),
                )])
            })?;
        let id = store
            .create_round(month, due_on, actor.person_id, crate::server::clock::now())
            .await
            .map_err(failed("create round"))?;
        let Some(id) = id else {
            return Err(AppError::Invalid(vec![FieldError::new(
                "month",
                format!("There is already a round for {}", month.label()),
            )]));
        };
        tracing::info!(round_id = id, person_id = actor.person_id, "round created");
        leptos_axum::redirect(&format!("/rounds/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "round_detail", output = crate::codec::Compact)]
pub async fn round_detail(round_id: i64) -> Result<RoundView, AppError> {
    use crate::domain::Role;
    use crate::server::*;
    respond("round_detail", async move {
        trail::touch(crate::domain::trail::Record::Round(round_id));
        let (store, actor) = signed_in().await?;
        ssr::require_programme(&actor)?;
        let row = store
            .round(round_id)
            .await
            .map_err(failed("round detail"))?
            .ok_or(AppError::NotFound)?;
        let qa = actor.roles.has(Role::QaManager);
        let can_draw = row.status == RoundStatus::Open && qa;
        let can_withdraw = row.status == RoundStatus::Drawn && qa;
        let (teams, without_lead_practitioner) = if can_draw {
            (
                store.teams().await.map_err(failed("round detail"))?,
                store
                    .cases_without_lead_practitioner()
                    .await
                    .map_err(failed("round detail"))?
                    .0,
            )
        } else {
            (Vec::new(), 0)
        };
        let assignments = if row.status == RoundStatus::Confirmed && qa {
            Some(confirm::assignment_rows(&store, round_id).await?)
        } else {
            None
        };
        let today = crate::server::clock::today();
        let closing = if row.status == RoundStatus::Confirmed && qa && today > row.due_on {
            Some(confirm::left_open(&store, round_id).await?)
        } else {
            None
        };
        let closed = match (row.status, row.closed_at) {
            (RoundStatus::Closed, Some(at)) => {
                Some((at, confirm::left_open(&store, round_id).await?))
            }
            _ => None,
        };
        let draw = match ssr::recorded_draw(&store, round_id).await? {
            None => None,
            Some(record) => {
                let outcome = record.strata.into_iter().map(|(_, o)| o);
                let cases = store
                    .round_cases(round_id)
                    .await
                    .map_err(failed("round detail"))?;
                let strata = outcome
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| StratumView {
                        label: s.label,
                        quota: s.quota,
                        eligible: s.eligible,
                        selected: cases
                            .iter()
                            .filter(|c| c.stratum == i as i64 && !c.withdrawn)
                            .map(|c| SelectedCase {
                                case_id: c.case_id,
                                child_unique_id: c.child_unique_id.clone(),
                                team: c.team.clone(),
                                replacement: c.selected_by
                                    == crate::domain::round::Selection::Replacement,
                            })
                            .collect(),
                    })
                    .collect();
                Some(DrawView {
                    seed: record.seed.to_hex(),
                    generator: record.generator,
                    exclude_months: record.settings.exclude_months,
                    unallocated_left_out: record.unallocated_left_out,
                    strata,
                })
            }
        };
        Ok(RoundView {
            round: ssr::summary(row)?,
            draw,
            can_draw,
            can_withdraw,
            can_confirm: can_withdraw,
            teams,
            without_lead_practitioner,
            assignments,
            closing,
            closed,
        })
    })
    .await
}

fn parse_count(field: &str, raw: &str, max: u32, what: &str) -> Result<u32, crate::FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(0);
    }
    match raw.parse::<u32>() {
        Ok(n) if n <= max => Ok(n),
        Ok(_) => Err(crate::FieldError::new(
            field,
            format!("{what} must be {max} or fewer"),
        )),
        Err(_) => Err(crate::FieldError::new(
            field,
            format!("{what} must be a whole number, like 5"),
        )),
    }
}

/// Parses the draw form: a quota per Annex A list and per team (blank is none), and the
/// exclusion window. `team_quotas` holds each team's ID, name and what was typed.
pub fn parse_draw_form(
    quotas: &[String],
    team_quotas: &[(i64, String, String)],
    exclude_months: &str,
) -> Result<DrawSettings, AppError> {
    let mut errors = Vec::new();
    let mut parsed = Vec::new();
    for (list, raw) in AnnexList::ALL.into_iter().zip(
        quotas
            .iter()
            .map(String::as_str)
            .chain(std::iter::repeat("")),
    ) {
        match parse_count(
            &format!("quota-{}", list.number()),
            raw,
            MAX_QUOTA,
            &format!("The quota for {}", list.title()),
        ) {
            Ok(0) => {}
            Ok(n) => parsed.push((list, n)),
            Err(e) => errors.push(e),
        }
    }
    let mut teams = Vec::new();
    for (team_id, team, raw) in team_quotas {
        match parse_count(
            &format!("team-quota-{team_id}"),
            raw,
            MAX_QUOTA,
            &format!("The quota for {team}"),
        ) {
            Ok(0) => {}
            Ok(quota) => teams.push(TeamQuota {
                team_id: *team_id,
                team: team.clone(),
                quota,
            }),
            Err(e) => errors.push(e),
        }
    }
    let exclude_months = if exclude_months.trim().is_empty() {
        Ok(DEFAULT_EXCLUDE_MONTHS)
    } else {
        parse_count("exclude-months", exclude_months, 120, "Months to leave out")
    }
    .map_err(|e| errors.push(e))
    .unwrap_or(DEFAULT_EXCLUDE_MONTHS);
    if errors.is_empty() && parsed.is_empty() && teams.is_empty() {
        errors.push(crate::FieldError::new(
            "quota-2",
            "Enter how many cases to draw from at least one list or team",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(DrawSettings {
        quotas: parsed,
        team_quotas: teams,
        exclude_months,
        exclude_closed: true,
        exclude_open_rounds: true,
    })
}

/// Draws the round's sample from a fresh seed and records everything needed to re-run it.
#[server(endpoint = "draw_round", output = crate::codec::Compact)]
pub async fn draw_round(
    round_id: i64,
    quota_2: Option<String>,
    quota_6: Option<String>,
    quota_7: Option<String>,
    quota_8: Option<String>,
    quota_9: Option<String>,
    team_quota: Option<std::collections::HashMap<String, String>>,
    exclude_months: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::calendar::AuditMonth;
    use crate::domain::draw::{draw, Seed, Stratum, GENERATOR};
    use crate::server::*;
    use crate::store::{DrawToRecord, PoolFilter};
    respond("draw_round", async move {
        trail::touch(crate::domain::trail::Record::Round(round_id));
        let (store, actor) = signed_in().await?;
        ssr::require_qa_manager(&actor)?;
        // Blank and missing fields both mean "none from this list".
        let quotas = [quota_2, quota_6, quota_7, quota_8, quota_9].map(Option::unwrap_or_default);
        let team_quota = team_quota.unwrap_or_default();
        let teams: Vec<(i64, String, String)> = store
            .teams()
            .await
            .map_err(failed("draw round"))?
            .into_iter()
            .map(|(id, name)| {
                let raw = team_quota.get(&id.to_string()).cloned().unwrap_or_default();
                (id, name, raw)
            })
            .collect();
        let settings = parse_draw_form(&quotas, &teams, &exclude_months.unwrap_or_default())?;
        let round = store
            .round(round_id)
            .await
            .map_err(failed("draw round"))?
            .ok_or(AppError::NotFound)?;
        let month =
            AuditMonth::parse(&round.audit_month).ok_or_else(|| internal("bad audit month"))?;
        // Team quotas first: they are the narrower ask. A case drawn for one stratum is
        // not eligible for a later one.
        let mut strata = Vec::new();
        let asks = settings
            .team_quotas
            .iter()
            .map(|t| {
                (
                    PoolFilter::Team(t.team_id),
                    format!("Team: {}", t.team),
                    t.quota,
                )
            })
            .chain(
                settings
                    .quotas
                    .iter()
                    .map(|(list, quota)| (PoolFilter::List(*list), list.title(), *quota)),
            );
        let (filters, asks): (Vec<PoolFilter>, Vec<(String, u32)>) =
            asks.map(|(f, label, quota)| (f, (label, quota))).unzip();
        let (pools, unallocated_left_out) = store
            .eligible_pools(&filters, month, settings.exclude_months, round_id)
            .await
            .map_err(failed("read the draw's pools"))?;
        for ((label, quota), pool) in asks.into_iter().zip(pools) {
            strata.push(Stratum {
                label,
                quota: quota as usize,
                pool,
            });
        }
        let seed = Seed(crate::server::clock::draw_seed());
        let outcome = draw(&strata, seed);
        let record = DrawToRecord {
            unallocated_left_out,
            generator: GENERATOR,
            seed: seed.to_hex(),
            settings: serde_json::to_string(&settings).map_err(failed("draw round"))?,
            // The pools as they stood, so the draw can be re-run after later imports.
            strata: serde_json::to_string(&strata.iter().zip(&outcome).collect::<Vec<_>>())
                .map_err(failed("draw round"))?,
            selections: outcome.iter().map(|o| o.selected.clone()).collect(),
        };
        let stored = store
            .record_draw(
                round_id,
                record,
                actor.person_id,
                crate::server::clock::now(),
            )
            .await
            .map_err(failed("draw round"))?;
        if !stored {
            return Err(AppError::Invalid(vec![crate::FieldError::new(
                "quota-2",
                "This round has already been drawn",
            )]));
        }
        tracing::info!(round_id, person_id = actor.person_id, "round drawn");
        leptos_axum::redirect(&format!("/rounds/{round_id}"));
        Ok(())
    })
    .await
}

/// Re-runs the recorded draw from its seed and pools and compares it with what was stored.
#[server(endpoint = "verify_draw", output = crate::codec::Compact)]
pub async fn verify_draw(round_id: i64) -> Result<Verification, AppError> {
    use crate::domain::draw::{draw, Stratum};
    use crate::server::*;
    respond("verify_draw", async move {
        trail::touch(crate::domain::trail::Record::Round(round_id));
        let (store, actor) = signed_in().await?;
        ssr::require_programme(&actor)?;
        let record = ssr::recorded_draw(&store, round_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let seed = record.seed;
        let strata: Vec<Stratum> = record.strata.into_iter().map(|(s, _)| s).collect();
        let rerun = draw(&strata, seed);
        let stored = store
            .round_cases(round_id)
            .await
            .map_err(failed("verify draw"))?;
        let stored_draw: Vec<Vec<i64>> = (0..strata.len())
            .map(|i| {
                stored
                    .iter()
                    .filter(|c| {
                        c.stratum == i as i64
                            && c.selected_by == crate::domain::round::Selection::Draw
                    })
                    .map(|c| c.case_id)
                    .collect()
            })
            .collect();
        let draw_matches =
            rerun.iter().map(|r| r.selected.clone()).collect::<Vec<_>>() == stored_draw;
        // Each replacement, re-drawn from what the round held just before it.
        let refs = store
            .round_case_refs(round_id)
            .await
            .map_err(failed("verify draw"))?;
        let mut replacements = 0;
        let replacements_match = refs
            .iter()
            .enumerate()
            .filter(|(_, r)| r.selected_by == crate::domain::round::Selection::Replacement)
            .all(|(i, r)| {
                replacements += 1;
                let held: std::collections::BTreeSet<i64> =
                    refs[..i].iter().map(|p| p.case_id).collect();
                let pool = usize::try_from(r.stratum)
                    .ok()
                    .and_then(|s| strata.get(s))
                    .map(|s| s.pool.as_slice())
                    .unwrap_or(&[]);
                crate::domain::draw::replacement(pool, &held, seed, replacements) == Some(r.case_id)
            });
        let matches = draw_matches && replacements_match;
        if !matches {
            tracing::error!(round_id, "recorded draw does not re-run to the same sample");
        }
        Ok(Verification {
            matches,
            cases: stored_draw.iter().map(Vec::len).sum(),
        })
    })
    .await
}

/// The most characters a withdrawal reason may have.
pub const MAX_REASON: usize = 500;

/// Withdraws a selected case with a reason and draws its replacement from the same stratum's
/// recorded pool. Returns the replacement's Child Unique ID, or `None` if the stratum is spent.
#[server(endpoint = "withdraw_case", output = crate::codec::Compact)]
pub async fn withdraw_case(
    round_id: i64,
    case_id: i64,
    reason: String,
) -> Result<Option<String>, AppError> {
    use crate::domain::draw::replacement;
    use crate::server::*;
    use crate::FieldError;
    use std::collections::BTreeSet;
    respond("withdraw_case", async move {
        trail::touch(crate::domain::trail::Record::Round(round_id));
        trail::touch(crate::domain::trail::Record::Case(case_id));
        let (store, actor) = signed_in().await?;
        ssr::require_qa_manager(&actor)?;
        let field = format!("reason-{case_id}");
        let reason = reason.trim().to_string();
        if reason.is_empty() {
            return Err(AppError::Invalid(vec![FieldError::new(
                &field,
                "Enter why the case is withdrawn",
            )]));
        }
        if reason.chars().count() > MAX_REASON {
            return Err(AppError::Invalid(vec![FieldError::new(
                &field,
                format!("The reason must be {MAX_REASON} characters or fewer"),
            )]));
        }
        let round = store
            .round(round_id)
            .await
            .map_err(failed("withdraw case"))?
            .ok_or(AppError::NotFound)?;
        if round.status != RoundStatus::Drawn {
            return Err(AppError::Invalid(vec![FieldError::new(
                &field,
                "Cases can be withdrawn only from a drawn round",
            )]));
        }
        let record = ssr::recorded_draw(&store, round_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (seed, recorded) = (record.seed, record.strata);
        let refs = store
            .round_case_refs(round_id)
            .await
            .map_err(failed("withdraw case"))?;
        let target = refs
            .iter()
            .find(|r| r.case_id == case_id && !r.withdrawn)
            .ok_or(AppError::NotFound)?;
        let pool = &recorded
            .get(usize::try_from(target.stratum).map_err(failed("withdraw case"))?)
            .ok_or_else(|| internal("stratum missing from the record"))?
            .0
            .pool;
        let held: BTreeSet<i64> = refs.iter().map(|r| r.case_id).collect();
        let n = refs
            .iter()
            .filter(|r| r.selected_by == crate::domain::round::Selection::Replacement)
            .count() as u64
            + 1;
        let chosen = replacement(pool, &held, seed, n);
        let done = store
            .withdraw_and_replace(
                target,
                round_id,
                &reason,
                chosen,
                actor.person_id,
                crate::server::clock::now(),
            )
            .await
            .map_err(failed("withdraw case"))?;
        if !done {
            return Err(AppError::Invalid(vec![FieldError::new(
                &field,
                "This case has already been withdrawn",
            )]));
        }
        tracing::info!(
            round_id,
            case_id,
            replacement = chosen,
            person_id = actor.person_id,
            "case withdrawn"
        );
        match chosen {
            Some(id) => Ok(store
                .case(id)
                .await
                .map_err(failed("withdraw case"))?
                .map(|c| c.child_unique_id)),
            None => Ok(None),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(q: [&str; 5], months: &str) -> Result<DrawSettings, AppError> {
        parse_draw_form(&q.map(String::from), &[], months)
    }

    #[test]
    fn team_quotas_are_parsed_and_named_by_team() {
        let teams = vec![
            (3, "Team A".to_string(), " 2".to_string()),
            (4, "Team B".to_string(), String::new()),
            (5, "Team C".to_string(), "lots".to_string()),
        ];
        let err = parse_draw_form(&[], &teams, "").unwrap_err();
        assert_eq!(err.field_errors()[0].field, "team-quota-5");
        assert_eq!(
            err.field_errors()[0].message,
            "The quota for Team C must be a whole number, like 5"
        );
        let s = parse_draw_form(&[], &teams[..2], "").unwrap();
        assert!(s.quotas.is_empty());
        assert_eq!(
            s.team_quotas,
            vec![TeamQuota {
                team_id: 3,
                team: "Team A".into(),
                quota: 2
            }]
        );
    }

    #[test]
    fn blank_quotas_are_none_and_months_default() {
        let s = form(["", " 5", "", "3", ""], "").unwrap();
        assert_eq!(
            s.quotas,
            vec![
                (AnnexList::ChildrenInNeed, 5),
                (AnnexList::ChildrenInCare, 3)
            ]
        );
        assert_eq!(s.exclude_months, DEFAULT_EXCLUDE_MONTHS);
    }

    #[test]
    fn bad_quotas_are_named_by_field() {
        let err = form(["x", "501", "-1", "", ""], "abc").unwrap_err();
        let fields: Vec<String> = err.field_errors().iter().map(|e| e.field.clone()).collect();
        assert_eq!(
            fields,
            vec!["quota-2", "quota-6", "quota-7", "exclude-months"]
        );
        assert_eq!(
            err.field_errors()[1].message,
            "The quota for List 6: Children in need must be 500 or fewer"
        );
    }

    #[test]
    fn at_least_one_list_needs_a_quota() {
        let err = form(["", "0", "", "", ""], "6").unwrap_err();
        assert_eq!(
            err.field_errors()[0].message,
            "Enter how many cases to draw from at least one list or team"
        );
    }
}
