//! Moderation: a third of each round's completed audits drawn for the panel 4 to 6 weeks
//! after its due date, every good or outstanding audit reviewed by an Assistant Director,
//! the outcome recorded beside the audit (which never changes), and the results.

pub(crate) mod page;
mod results;

pub use page::{AuditModerationPage, ModerationPage, ModerationRoundPage};
#[cfg(feature = "ssr")]
pub use results::results_csv;
pub use results::{moderation_results, ModerationResultsPage, ResultsView};

use crate::domain::audit::Grade;
use crate::domain::moderated::{Part, Verdict};
use crate::AppError;
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A round as the moderation list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundListing {
    pub round_id: i64,
    pub month: String,
    pub opens_on: Option<NaiveDate>,
    pub due_on: Option<NaiveDate>,
    pub stage: String,
    pub completed: i64,
    pub sample_size: usize,
    pub sampled: i64,
    pub outcomes: i64,
    pub drawn: bool,
}

/// A moderation asked of the signed-in person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AskedListing {
    pub audit_id: i64,
    pub child_unique_id: String,
    pub team: String,
    pub month: String,
    pub part: Part,
    pub asked_on: NaiveDate,
    pub recorded: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationOverview {
    pub rounds: Vec<RoundListing>,
    pub asked: Vec<AskedListing>,
    /// Whether this person draws samples (the QA Manager).
    pub draws: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawListing {
    pub id: i64,
    pub top_up: bool,
    pub seed: String,
    pub generator: String,
    pub completed: i64,
    pub size: i64,
    /// (grade, audits of that grade, how many drawn).
    pub strata: Vec<(String, usize, usize)>,
    pub drawn: String,
    /// Re-running from the seed gives the same audits (replacements included).
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampledAudit {
    pub sample_id: i64,
    pub audit_id: i64,
    pub child_unique_id: String,
    pub team: String,
    pub auditor: String,
    pub grade: String,
    pub replaces: Option<String>,
    pub withdrawn: Option<String>,
    pub views: usize,
    pub asked: usize,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundModerationView {
    pub round: RoundListing,
    pub draws: Vec<DrawListing>,
    pub sample: Vec<SampledAudit>,
    /// Audits graded good or better, with their Assistant Director's review.
    pub director_reviews: Vec<SampledAudit>,
    /// Completed audits that no draw has yet considered (for a top-up).
    pub not_yet_considered: usize,
    pub can_draw: bool,
    pub can_top_up: bool,
    /// Why drawing is not possible yet, in plain English.
    pub draw_blocked: Option<String>,
}

/// One grade as completed, and as moderated once the outcome is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeLine {
    pub key: String,
    pub title: String,
    pub original: Grade,
    pub moderated: Option<Grade>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewListing {
    pub person: String,
    pub part: Part,
    pub asked_on: NaiveDate,
    /// By key, as on the form; empty until recorded.
    pub verdicts: Vec<(String, Verdict)>,
    pub comments: Option<String>,
    pub recorded: Option<String>,
    pub mine: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeListing {
    pub confirmed: bool,
    pub reason: String,
    pub panel_note: Option<String>,
    pub recorded: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditModerationView {
    pub audit_id: i64,
    pub round_id: i64,
    pub child_unique_id: String,
    pub team: String,
    pub month: String,
    pub auditor: String,
    pub grades: Vec<GradeLine>,
    /// Every moderator's view; only to the QA programme, and to the auditor once the
    /// outcome is recorded (the comments are for them).
    pub views: Vec<ViewListing>,
    pub outcome: Option<OutcomeListing>,
    /// The part this person is asked to play and has not yet recorded.
    pub my_part: Option<Part>,
    /// The QA Manager may record the outcome (a view is in and no outcome yet).
    pub records_outcome: bool,
    /// Why the outcome cannot be recorded yet, for the QA Manager.
    pub outcome_waits: Option<String>,
    /// Recorded views give different grades: the outcome needs a reason.
    pub views_differ: bool,
    pub sampled: bool,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::*;
    use crate::domain::audit::{TemplateDomain, OVERALL};
    use crate::domain::calendar::WorkingCalendar;
    use crate::domain::draw::Stratum;
    use crate::domain::moderated::ModerationView;
    use crate::domain::moderation_sample::{sample_size, stage, window, Window, WindowWeeks};
    use crate::domain::{Actor, Role};
    use crate::server::{failed, SiteSettings};
    use crate::store::{AuditRow, ModerationDrawRow, ModerationRoundRow, Store, ViewRow};
    use crate::FieldError;
    use std::collections::BTreeMap;

    pub fn require_programme(actor: &Actor) -> Result<(), AppError> {
        if actor.roles.any(&[
            Role::QaManager,
            Role::PswQaPracticeImprovement,
            Role::SafeguardingReviewManager,
            Role::AssistantDirector,
        ]) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn require_qa_manager(actor: &Actor) -> Result<(), AppError> {
        if actor.roles.has(Role::QaManager) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    /// Who holds each of the panel's posts.
    pub async fn panel_holders(store: &Store) -> Result<Vec<(Role, Vec<(i64, String)>)>, AppError> {
        let mut holders = Vec::new();
        for role in crate::domain::moderated::PANEL_ROLES {
            holders.push((
                role,
                store
                    .people_with_role(role)
                    .await
                    .map_err(failed("read the panel's posts"))?,
            ));
        }
        Ok(holders)
    }

    pub fn weeks() -> WindowWeeks {
        use_context::<SiteSettings>()
            .map(|s| s.moderation_weeks)
            .unwrap_or_default()
    }

    pub async fn calendar(store: &Store) -> Result<WorkingCalendar, AppError> {
        store.calendar().await.map_err(failed("read the calendar"))
    }

    pub fn round_window(cal: &WorkingCalendar, due_on: NaiveDate) -> Option<Window> {
        window(due_on, cal, weeks())
    }

    /// A round with its moderation window, as the lists show it.
    pub fn listing(r: &ModerationRoundRow, w: Option<&Window>, today: NaiveDate) -> RoundListing {
        RoundListing {
            round_id: r.round_id,
            month: month_label(&r.audit_month),
            opens_on: w.map(|w| w.opens_on),
            due_on: w.map(|w| w.due_on),
            stage: w
                .map(|w| stage(w, today).label().to_string())
                .unwrap_or_default(),
            completed: r.completed,
            sample_size: sample_size(usize::try_from(r.completed).unwrap_or(0)),
            sampled: r.sampled,
            outcomes: r.outcomes,
            drawn: r.draws > 0,
        }
    }

    pub async fn round(store: &Store, round_id: i64) -> Result<ModerationRoundRow, AppError> {
        store
            .moderation_round(round_id)
            .await
            .map_err(failed("read a round for moderation"))?
            .ok_or(AppError::NotFound)
    }

    /// A round's draws, oldest first, each with its strata as recorded.
    pub async fn recorded_draws(
        store: &Store,
        round_id: i64,
    ) -> Result<Vec<(ModerationDrawRow, Vec<Stratum>)>, AppError> {
        store
            .moderation_draws(round_id)
            .await
            .map_err(failed("read moderation draws"))?
            .into_iter()
            .map(|d| {
                let strata = serde_json::from_str(&d.strata)
                    .map_err(failed("read a moderation draw's strata"))?;
                Ok((d, strata))
            })
            .collect()
    }

    pub fn invalid(problems: Vec<crate::domain::audit::FormProblem>) -> AppError {
        AppError::Invalid(
            problems
                .into_iter()
                .map(|p| FieldError::new(&p.field, p.message))
                .collect(),
        )
    }

    pub fn domains(row: &AuditRow) -> Result<Vec<TemplateDomain>, AppError> {
        crate::server::audit_domains(row)
    }

    /// A recorded view's verdicts, by key.
    pub fn view_of(row: &ViewRow) -> Option<ModerationView> {
        let grades = row.grades.as_deref()?;
        let codes: BTreeMap<String, String> = serde_json::from_str(grades).ok()?;
        let verdicts = codes
            .into_iter()
            .map(|(k, c)| Verdict::parse(&c).map(|v| (k, v)))
            .collect::<Option<BTreeMap<_, _>>>()?;
        Some(ModerationView {
            verdicts,
            comments: row.comments.clone().unwrap_or_default(),
        })
    }

    /// The title of a grade's key, for pages and alerts.
    pub fn title(domains: &[TemplateDomain], key: &str) -> String {
        if key == OVERALL {
            "Overall grade".into()
        } else {
            domains
                .iter()
                .find(|d| d.key == key)
                .map(|d| d.title.clone())
                .unwrap_or_else(|| key.to_string())
        }
    }

    /// The audit, if this person may see its moderation: the QA programme; the auditor,
    /// and managers who may read the filed audit, once there is an outcome to see.
    pub async fn open(
        store: &Store,
        actor: &Actor,
        audit_id: i64,
    ) -> Result<(AuditRow, bool), AppError> {
        let programme = require_programme(actor).is_ok();
        let row = if programme {
            store
                .audit(audit_id)
                .await
                .map_err(failed("read an audit"))?
                .ok_or(AppError::NotFound)?
        } else {
            let (row, role) = crate::server::open_audit(store, actor, audit_id).await?;
            if !role.reads_form() {
                return Err(AppError::Forbidden);
            }
            row
        };
        if !row.state.locked() {
            return Err(AppError::NotFound);
        }
        Ok((row, programme))
    }

    pub fn form(f: Option<HashMap<String, String>>) -> impl Fn(&str) -> Option<String> {
        let f = f.unwrap_or_default();
        move |k| f.get(k).cloned()
    }
}

/// Rounds with completed audits, how their moderation stands, and what is asked of me.
#[server(endpoint = "moderation_home", output = crate::codec::Compact)]
pub async fn moderation_home() -> Result<ModerationOverview, AppError> {
    use crate::domain::Role;
    use crate::server::*;
    respond("moderation_home", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_programme(&actor)?;
        let today = crate::server::clock::today();
        let cal = ssr::calendar(&store).await?;
        let rounds = store
            .moderation_rounds()
            .await
            .map_err(failed("list rounds for moderation"))?
            .iter()
            .map(|r| ssr::listing(r, ssr::round_window(&cal, r.due_on).as_ref(), today))
            .collect();
        let asked = store
            .asked_of(actor.person_id)
            .await
            .map_err(failed("list moderations asked"))?
            .into_iter()
            .map(|a| AskedListing {
                audit_id: a.audit_id,
                child_unique_id: a.child_unique_id,
                team: a.team,
                month: month_label(&a.audit_month),
                part: a.part,
                asked_on: a.asked_at.date_naive(),
                recorded: a.recorded_at.is_some(),
            })
            .collect();
        Ok(ModerationOverview {
            rounds,
            asked,
            draws: actor.roles.has(Role::QaManager),
        })
    })
    .await
}

#[cfg(feature = "ssr")]
pub(crate) fn month_label(month: &str) -> String {
    crate::domain::calendar::AuditMonth::parse(month)
        .map(|m| m.label())
        .unwrap_or_else(|| month.to_string())
}

/// One round's moderation: its window, draws (verified), sample and the Assistant
/// Directors' reviews.
#[server(endpoint = "moderation_round", output = crate::codec::Compact)]
pub async fn moderation_round(round_id: i64) -> Result<RoundModerationView, AppError> {
    use crate::domain::draw::Seed;
    use crate::domain::moderation_sample::{stage, verify_draw, Stage, Taken};
    use crate::domain::Role;
    use crate::server::*;
    use std::collections::BTreeSet;
    respond("moderation_round", async move {
        trail::touch(crate::domain::trail::Record::Round(round_id));
        let (store, actor) = signed_in().await?;
        ssr::require_programme(&actor)?;
        let today = crate::server::clock::today();
        let r = ssr::round(&store, round_id).await?;
        let w = ssr::round_window(&ssr::calendar(&store).await?, r.due_on);
        let draws = ssr::recorded_draws(&store, round_id).await?;
        let sample = store
            .moderation_sample(round_id)
            .await
            .map_err(failed("read the moderation sample"))?;
        let completed = store
            .completed_audits(round_id)
            .await
            .map_err(failed("read completed audits"))?;
        let grade_of: HashMap<i64, Grade> = completed
            .iter()
            .map(|a| (a.audit_id, a.overall.0))
            .collect();
        let mut considered = BTreeSet::new();
        let mut listings = Vec::new();
        for (d, strata) in &draws {
            considered.extend(strata.iter().flat_map(|s| s.pool.iter().copied()));
            let taken: Vec<Taken> = sample
                .iter()
                .filter(|s| s.draw_id == d.id)
                .map(|s| Taken {
                    label: s.stratum.clone(),
                    audit_id: s.audit_id,
                    replacement: s.replaces_id.is_some(),
                })
                .collect();
            let verified =
                Seed::parse_hex(&d.seed).is_some_and(|seed| verify_draw(strata, seed, &taken));
            if !verified {
                tracing::error!(
                    round_id,
                    draw_id = d.id,
                    "moderation draw does not re-run to the same sample"
                );
            }
            listings.push(DrawListing {
                id: d.id,
                top_up: d.kind == "top_up",
                seed: d.seed.clone(),
                generator: d.generator.clone(),
                completed: d.completed,
                size: d.size,
                strata: strata
                    .iter()
                    .map(|s| (s.label.clone(), s.pool.len(), s.quota.min(s.pool.len())))
                    .collect(),
                drawn: format!("{} by {}", d.drawn_at.format("%-d %B %Y %H:%M"), d.drawn_by),
                verified,
            });
        }
        let views = store
            .round_moderation_views(round_id)
            .await
            .map_err(failed("read moderation views"))?;
        let outcomes = store
            .round_moderation_outcomes(round_id)
            .await
            .map_err(failed("read moderation outcomes"))?;
        let count = |audit: i64, part: Part| {
            let mine: Vec<_> = views
                .iter()
                .filter(|v| v.0 == audit && v.1 == part)
                .collect();
            (mine.iter().filter(|v| v.2).count(), mine.len())
        };
        let by_id: HashMap<i64, String> = sample
            .iter()
            .map(|s| (s.id, s.child_unique_id.clone()))
            .collect();
        let sampled: Vec<SampledAudit> = sample
            .iter()
            .map(|s| {
                let (views, asked) = count(s.audit_id, Part::Panel);
                SampledAudit {
                    sample_id: s.id,
                    audit_id: s.audit_id,
                    child_unique_id: s.child_unique_id.clone(),
                    team: s.team.clone(),
                    auditor: s.auditor.clone(),
                    grade: s.stratum.clone(),
                    replaces: s.replaces_id.and_then(|id| by_id.get(&id).cloned()),
                    withdrawn: s.withdrawn_reason.clone(),
                    views,
                    asked,
                    outcome: outcomes.get(&s.audit_id).cloned(),
                }
            })
            .collect();
        let director_reviews = store
            .round_good_audits(round_id)
            .await
            .map_err(failed("read good audits"))?
            .into_iter()
            .map(|g| {
                let (views, asked) = count(g.audit_id, Part::AssistantDirector);
                SampledAudit {
                    sample_id: 0,
                    audit_id: g.audit_id,
                    child_unique_id: g.child_unique_id,
                    team: g.team,
                    auditor: g.auditor,
                    grade: grade_of
                        .get(&g.audit_id)
                        .map(|g| g.label().to_string())
                        .unwrap_or_default(),
                    replaces: None,
                    withdrawn: None,
                    views,
                    asked,
                    outcome: outcomes.get(&g.audit_id).cloned(),
                }
            })
            .collect();
        let not_yet_considered = completed
            .iter()
            .filter(|a| !considered.contains(&a.audit_id))
            .count();
        let qa = actor.roles.has(Role::QaManager);
        let stage_now = w.as_ref().map(|w| stage(w, today));
        let drawn = !draws.is_empty();
        let draw_blocked = match (&w, stage_now) {
            (None, _) => Some(
                "The calendar has no working day for this round's moderation window".to_string(),
            ),
            (Some(w), Some(Stage::NotYetOpen)) => Some(format!(
                "Moderation of this round opens on {}",
                w.opens_on.format("%-d %B %Y")
            )),
            _ if completed.is_empty() => {
                Some("No audit of this round is completed yet".to_string())
            }
            _ => None,
        };
        Ok(RoundModerationView {
            round: ssr::listing(&r, w.as_ref(), today),
            draws: listings,
            sample: sampled,
            director_reviews,
            not_yet_considered,
            can_draw: qa && !drawn && draw_blocked.is_none(),
            can_top_up: qa && drawn && not_yet_considered > 0 && draw_blocked.is_none(),
            draw_blocked,
        })
    })
    .await
}

/// Draws the round's moderation sample (or, with `top_up`, a third of the audits completed
/// since), stratified by overall grade from a new recorded seed; asks the panel for each
/// audit drawn, and an Assistant Director for any good audit not yet with one.
#[server(endpoint = "draw_moderation", output = crate::codec::Compact)]
pub async fn draw_moderation(round_id: i64, top_up: Option<String>) -> Result<usize, AppError> {
    use crate::domain::alert::AlertKind;
    use crate::domain::draw::{draw, Seed, GENERATOR};
    use crate::domain::moderated::panel;
    use crate::domain::moderation_sample::{sample_size, sample_strata, stage, Stage};
    use crate::server::*;
    use crate::FieldError;
    use std::collections::{BTreeMap, BTreeSet};
    respond("draw_moderation", async move {
        trail::touch(crate::domain::trail::Record::Round(round_id));
        let (store, actor) = signed_in().await?;
        ssr::require_qa_manager(&actor)?;
        let top_up = top_up.is_some_and(|v| !v.is_empty() && v != "false");
        let r = ssr::round(&store, round_id).await?;
        let today = crate::server::clock::today();
        let refuse = |m: String| AppError::Invalid(vec![FieldError::new("draw", m)]);
        match ssr::round_window(&ssr::calendar(&store).await?, r.due_on) {
            None => return Err(refuse("The calendar has no working day for this round's moderation window".into())),
            Some(w) if stage(&w, today) == Stage::NotYetOpen => {
                return Err(refuse(format!(
                    "Moderation of the {} round opens on {}, {} weeks after its due date",
                    month_label(&r.audit_month),
                    w.opens_on.format("%-d %B %Y"),
                    ssr::weeks().opens_after
                )))
            }
            Some(_) => {}
        }
        let completed = store
            .completed_audits(round_id)
            .await
            .map_err(failed("read completed audits"))?;
        let considered: BTreeSet<i64> = ssr::recorded_draws(&store, round_id)
            .await?
            .into_iter()
            .flat_map(|(_, strata)| strata.into_iter().flat_map(|s| s.pool))
            .collect();
        if !top_up && !considered.is_empty() {
            return Err(refuse("This round's sample is already drawn: use a top-up draw for audits completed since".into()));
        }
        let pool: Vec<(i64, Grade)> = completed
            .iter()
            .filter(|a| !considered.contains(&a.audit_id))
            .map(|a| (a.audit_id, a.overall.0))
            .collect();
        if pool.is_empty() {
            return Err(refuse(if top_up {
                "No audit has been completed since the sample was drawn".into()
            } else {
                "No audit of this round is completed yet".into()
            }));
        }
        let size = sample_size(pool.len());
        let strata = sample_strata(&pool);
        let seed = Seed(crate::server::clock::draw_seed());
        let drawn = draw(&strata, seed);
        let selected: Vec<(i64, String)> = drawn
            .iter()
            .flat_map(|s| s.selected.iter().map(move |id| (*id, s.label.clone())))
            .collect();
        let holders = ssr::panel_holders(&store).await?;
        let auditors: HashMap<i64, i64> =
            completed.iter().map(|a| (a.audit_id, a.auditor_id)).collect();
        let mut panels = BTreeMap::new();
        let mut notices = Notices::new();
        // Good audits of the round that no Assistant Director has yet been asked about.
        let waiting: Vec<(i64, i64)> = store
            .good_audits_without_director()
            .await
            .map_err(failed("read good audits"))?
            .into_iter()
            .filter(|(a, _)| auditors.contains_key(a))
            .collect();
        let mut named: Vec<i64> = selected.iter().map(|(id, _)| *id).collect();
        named.extend(waiting.iter().map(|(a, _)| *a));
        let cases = store
            .moderation_cases(&named)
            .await
            .map_err(failed("read sampled cases"))?;
        for (audit_id, _) in &selected {
            let (members, _) = panel(&holders, auditors.get(audit_id).copied().unwrap_or(0));
            for m in &members {
                notices.alert(NewAlert {
                    person_id: *m,
                    kind: AlertKind::ModerationAsked,
                    case_id: None,
                    link: format!("/audits/{audit_id}/moderation"),
                    body: format!(
                        "The audit of case {} is drawn for moderation: record your view as a panel member.",
                        cases.get(audit_id).map(String::as_str).unwrap_or("")
                    ),
                });
            }
            panels.insert(*audit_id, members);
        }
        let mut directors = BTreeMap::new();
        if !waiting.is_empty() {
            let ids: Vec<i64> = store
                .people_with_role(crate::domain::Role::AssistantDirector)
                .await
                .map_err(failed("read the Assistant Directors"))?
                .into_iter()
                .map(|(id, _)| id)
                .collect();
            let mut open = store
                .open_reviews_of(&ids)
                .await
                .map_err(failed("count Assistant Directors' reviews"))?;
            for (audit_id, auditor) in waiting {
                let Some(ad) = crate::domain::moderated::assistant_director(&open, auditor) else {
                    continue;
                };
                if let Some(entry) = open.iter_mut().find(|(id, _)| *id == ad) {
                    entry.1 += 1;
                }
                notices.alert(NewAlert {
                    person_id: ad,
                    kind: AlertKind::ModerationAsked,
                    case_id: None,
                    link: format!("/audits/{audit_id}/moderation"),
                    body: format!(
                        "The audit of case {} is graded good or better: moderate it as Assistant Director.",
                        cases.get(&audit_id).map(String::as_str).unwrap_or("")
                    ),
                });
                directors.insert(audit_id, ad);
            }
        }
        let strata_json = serde_json::to_string(&strata).map_err(failed("draw moderation"))?;
        let stored = store
            .record_moderation_draw(
                crate::store::SampleDraw {
                    round_id,
                    top_up,
                    seed: &seed.to_hex(),
                    generator: GENERATOR,
                    completed: i64::try_from(pool.len()).unwrap_or(i64::MAX),
                    size: i64::try_from(size).unwrap_or(i64::MAX),
                    strata: &strata_json,
                    selected: &selected,
                    panels: &panels,
                    directors: &directors,
                },
                actor.person_id,
                crate::server::clock::now(),
                &notices,
            )
            .await
            .map_err(failed("draw moderation"))?;
        if stored.is_none() {
            return Err(refuse("This round's sample changed while you were drawing: look again".into()));
        }
        committed(&notices);
        tracing::info!(round_id, top_up, size, "moderation sample drawn");
        Ok(selected.len())
    })
    .await
}

/// Withdraws an audit from the sample, with the reason, and draws its replacement from the
/// same grade (from the draw's seed) where one is left.
#[server(endpoint = "withdraw_moderation", output = crate::codec::Compact)]
pub async fn withdraw_moderation(
    round_id: i64,
    sample_id: i64,
    reason: Option<String>,
) -> Result<bool, AppError> {
    use crate::domain::alert::AlertKind;
    use crate::domain::draw::{replacement, Seed};
    use crate::domain::moderated::panel;
    use crate::server::*;
    use crate::FieldError;
    respond("withdraw_moderation", async move {
        trail::touch(crate::domain::trail::Record::Round(round_id));
        let (store, actor) = signed_in().await?;
        ssr::require_qa_manager(&actor)?;
        let reason = reason.unwrap_or_default().trim().to_string();
        let field = format!("reason-{sample_id}");
        if reason.is_empty() {
            return Err(AppError::Invalid(vec![FieldError::new(&field, "Give the reason for withdrawing this audit")]));
        }
        if reason.chars().count() > 500 {
            return Err(AppError::Invalid(vec![FieldError::new(&field, "The reason must be 500 characters or fewer")]));
        }
        let sample = store
            .moderation_sample(round_id)
            .await
            .map_err(failed("read the moderation sample"))?;
        let Some(row) = sample.iter().find(|s| s.id == sample_id) else {
            return Err(AppError::NotFound);
        };
        let (d, strata) = ssr::recorded_draws(&store, round_id)
            .await?
            .into_iter()
            .find(|(d, _)| d.id == row.draw_id)
            .ok_or(AppError::NotFound)?;
        let seed = Seed::parse_hex(&d.seed).ok_or(AppError::Internal)?;
        // Draws' pools never overlap, so what this draw holds is all a replacement avoids.
        let in_draw: Vec<_> = sample.iter().filter(|s| s.draw_id == d.id).collect();
        let n = in_draw.iter().filter(|s| s.replaces_id.is_some()).count() as u64 + 1;
        let pool = strata
            .iter()
            .find(|s| s.label == row.stratum)
            .map(|s| s.pool.as_slice())
            .unwrap_or(&[]);
        let next = replacement(pool, &in_draw.iter().map(|s| s.audit_id).collect(), seed, n);
        let mut notices = Notices::new();
        let mut members = Vec::new();
        if let Some(audit_id) = next {
            let holders = ssr::panel_holders(&store).await?;
            let auditor = store
                .audit(audit_id)
                .await
                .map_err(failed("read an audit"))?
                .ok_or(AppError::NotFound)?;
            members = panel(&holders, auditor.auditor_id).0;
            for m in &members {
                notices.alert(NewAlert {
                    person_id: *m,
                    kind: AlertKind::ModerationAsked,
                    case_id: None,
                    link: format!("/audits/{audit_id}/moderation"),
                    body: format!(
                        "The audit of case {} is drawn for moderation in place of a withdrawn one: record your view as a panel member.",
                        auditor.child_unique_id
                    ),
                });
            }
        }
        let done = store
            .withdraw_from_sample(
                sample_id,
                &reason,
                next.map(|id| (id, members.as_slice())),
                actor.person_id,
                crate::server::clock::now(),
                &notices,
            )
            .await
            .map_err(failed("withdraw from the moderation sample"))?;
        if !done {
            return Err(AppError::Invalid(vec![FieldError::new(&field, "This audit is already withdrawn or its outcome is recorded")]));
        }
        committed(&notices);
        Ok(next.is_some())
    })
    .await
}

/// One audit's moderation: the grades as completed and as moderated, the views, the outcome.
#[server(endpoint = "audit_moderation", output = crate::codec::Compact)]
pub async fn audit_moderation(audit_id: i64) -> Result<AuditModerationView, AppError> {
    use crate::domain::moderated::views_differ;
    use crate::domain::Role;
    use crate::server::*;
    respond("audit_moderation", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
        let (store, actor) = signed_in().await?;
        let (row, programme) = ssr::open(&store, &actor, audit_id).await?;
        let domains = ssr::domains(&row)?;
        let original = store
            .audit_grades(audit_id)
            .await
            .map_err(failed("read an audit's grades"))?;
        let moderated = store
            .moderated_grades(audit_id)
            .await
            .map_err(failed("read moderated grades"))?;
        let outcome = store
            .moderation_outcome(audit_id)
            .await
            .map_err(failed("read a moderation outcome"))?;
        let views = store
            .moderation_views(audit_id)
            .await
            .map_err(failed("read moderation views"))?;
        let sampled = store
            .is_sampled(audit_id)
            .await
            .map_err(failed("read the moderation sample"))?;
        if !programme && outcome.is_none() {
            // Managers and the auditor see moderation once it has an outcome.
            return Err(AppError::NotFound);
        }
        let mut grades: Vec<GradeLine> = domains
            .iter()
            .map(|d| d.key.clone())
            .chain(std::iter::once(crate::domain::audit::OVERALL.to_string()))
            .filter_map(|k| {
                original.get(&k).map(|g| GradeLine {
                    title: ssr::title(&domains, &k),
                    original: *g,
                    moderated: moderated.get(&k).copied(),
                    key: k,
                })
            })
            .collect();
        grades.sort_by_key(|g| g.key == crate::domain::audit::OVERALL);
        let recorded: Vec<_> = views.iter().filter_map(ssr::view_of).collect();
        let differ = views_differ(&recorded.iter().collect::<Vec<_>>(), &original);
        let see_views = programme || row.auditor_id == actor.person_id;
        let my_part = if outcome.is_none() {
            views
                .iter()
                .find(|v| v.person_id == actor.person_id && v.recorded_at.is_none())
                .map(|v| v.part)
        } else {
            None
        };
        let director_waiting = views
            .iter()
            .find(|v| v.part == Part::AssistantDirector && v.recorded_at.is_none())
            .map(|v| {
                format!(
                    "The outcome waits for the Assistant Director's review ({}).",
                    v.person
                )
            });
        let outcome_waits = if outcome.is_some() || !actor.roles.has(Role::QaManager) {
            None
        } else if recorded.is_empty() {
            Some("The outcome can be recorded once a moderator has recorded a view.".to_string())
        } else {
            director_waiting.clone()
        };
        let records_outcome = outcome.is_none()
            && actor.roles.has(Role::QaManager)
            && !recorded.is_empty()
            && director_waiting.is_none();
        let order: Vec<String> = grades.iter().map(|g| g.key.clone()).collect();
        Ok(AuditModerationView {
            audit_id,
            round_id: store
                .round_of_audit(audit_id)
                .await
                .map_err(failed("read an audit's round"))?,
            month: row.month_label(),
            child_unique_id: row.child_unique_id.clone(),
            team: row.team.clone(),
            auditor: row.auditor.clone(),
            views: if see_views {
                views
                    .iter()
                    .map(|v| ViewListing {
                        person: v.person.clone(),
                        part: v.part,
                        asked_on: v.asked_at.date_naive(),
                        verdicts: ssr::view_of(v)
                            .map(|mv| {
                                order
                                    .iter()
                                    .filter_map(|k| mv.verdicts.get(k).map(|x| (k.clone(), *x)))
                                    .collect()
                            })
                            .unwrap_or_default(),
                        comments: v.comments.clone().filter(|c| !c.is_empty()),
                        recorded: v
                            .recorded_at
                            .map(|t| t.format("%-d %B %Y %H:%M").to_string()),
                        mine: v.person_id == actor.person_id,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            outcome: outcome.map(|o| OutcomeListing {
                confirmed: o.outcome == "confirmed",
                reason: o.reason,
                panel_note: o.panel_note,
                recorded: format!(
                    "{} by {}",
                    o.recorded_at.format("%-d %B %Y %H:%M"),
                    o.recorded_by
                ),
            }),
            grades,
            my_part,
            records_outcome,
            outcome_waits,
            views_differ: differ,
            sampled,
        })
    })
    .await
}

/// A panel member or Assistant Director records their view (`f[overall]`,
/// `f[domain-<key>]`: "agree" or a grade; `f[comments]`).
#[server(endpoint = "record_moderation", output = crate::codec::Compact)]
pub async fn record_moderation(
    audit_id: i64,
    f: Option<HashMap<String, String>>,
) -> Result<(), AppError> {
    use crate::domain::moderated::ModerationView;
    use crate::server::*;
    use crate::FieldError;
    respond("record_moderation", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
        let (store, actor) = signed_in().await?;
        ssr::require_programme(&actor)?;
        let (row, _) = ssr::open(&store, &actor, audit_id).await?;
        let views = store
            .moderation_views(audit_id)
            .await
            .map_err(failed("read moderation views"))?;
        let Some(mine) = views
            .iter()
            .find(|v| v.person_id == actor.person_id && v.recorded_at.is_none())
        else {
            return Err(AppError::Forbidden);
        };
        let original = store
            .audit_grades(audit_id)
            .await
            .map_err(failed("read an audit's grades"))?;
        let view = ModerationView::parse(&ssr::domains(&row)?, &original, ssr::form(f))
            .map_err(ssr::invalid)?;
        let codes: std::collections::BTreeMap<&String, &str> =
            view.verdicts.iter().map(|(k, v)| (k, v.code())).collect();
        let overall = view
            .verdicts
            .get(crate::domain::audit::OVERALL)
            .map(|v| v.code())
            .unwrap_or("agree");
        let json = serde_json::to_string(&codes).map_err(failed("record a moderation"))?;
        let mut notices = Notices::new();
        let programme = store
            .programme_people()
            .await
            .map_err(failed("read the programme's people"))?;
        notices.event(
            programme,
            "moderation",
            serde_json::json!({ "audit_id": audit_id }).to_string(),
        );
        let done = store
            .record_view(
                audit_id,
                actor.person_id,
                mine.part,
                overall,
                &json,
                &view.comments,
                crate::server::clock::now(),
                &notices,
            )
            .await
            .map_err(failed("record a moderation"))?;
        if !done {
            return Err(AppError::Invalid(vec![FieldError::new(
                "",
                "Your view is already recorded, or the outcome is in",
            )]));
        }
        committed(&notices);
        Ok(())
    })
    .await
}

/// The QA Manager records the outcome (`f[outcome]`: confirmed or changed, the changed
/// grades, `f[reason]`); the auditor and the case's Team Manager are told.
#[server(endpoint = "record_moderation_outcome", output = crate::codec::Compact)]
pub async fn record_moderation_outcome(
    audit_id: i64,
    f: Option<HashMap<String, String>>,
) -> Result<(), AppError> {
    use crate::domain::alert::AlertKind;
    use crate::domain::moderated::{panel, views_differ, Outcome};
    use crate::server::*;
    use crate::FieldError;
    respond("record_moderation_outcome", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
        let (store, actor) = signed_in().await?;
        ssr::require_qa_manager(&actor)?;
        let (row, _) = ssr::open(&store, &actor, audit_id).await?;
        let original = store
            .audit_grades(audit_id)
            .await
            .map_err(failed("read an audit's grades"))?;
        let views = store
            .moderation_views(audit_id)
            .await
            .map_err(failed("read moderation views"))?;
        let recorded: Vec<_> = views.iter().filter_map(ssr::view_of).collect();
        if recorded.is_empty() {
            return Err(AppError::Invalid(vec![FieldError::new(
                "outcome",
                "No moderator has recorded a view yet",
            )]));
        }
        // Every good grade has the Assistant Director's review: the outcome waits for it.
        if let Some(ad) = views
            .iter()
            .find(|v| v.part == Part::AssistantDirector && v.recorded_at.is_none())
        {
            return Err(AppError::Invalid(vec![FieldError::new(
                "outcome",
                format!(
                    "The Assistant Director's review is not in yet: they were asked on {}",
                    ad.asked_at.format("%-d %B %Y")
                ),
            )]));
        }
        let differ = views_differ(&recorded.iter().collect::<Vec<_>>(), &original);
        let domains = ssr::domains(&row)?;
        let (outcome, reason) =
            Outcome::parse(&domains, &original, differ, ssr::form(f)).map_err(ssr::invalid)?;
        let grades = outcome.grades(&original);
        // Why the panel went without one of its posts, kept with the outcome.
        let panel_note = if store
            .is_sampled(audit_id)
            .await
            .map_err(failed("read the moderation sample"))?
        {
            panel(&ssr::panel_holders(&store).await?, row.auditor_id).1
        } else {
            None
        };
        let overall = grades
            .get(crate::domain::audit::OVERALL)
            .map(|g| g.label())
            .unwrap_or("");
        let said = match &outcome {
            Outcome::Confirmed => format!("confirmed as {}", overall.to_lowercase()),
            Outcome::Changed(_) => format!("changed: now {}", overall.to_lowercase()),
        };
        let mut notices = Notices::new();
        let mut told: Vec<i64> = vec![row.auditor_id];
        told.extend(row.current_team_manager_id.or(row.team_manager_id));
        told.sort_unstable();
        told.dedup();
        for person in &told {
            notices.alert(NewAlert {
                person_id: *person,
                kind: AlertKind::ModerationOutcome,
                case_id: None,
                link: format!("/audits/{audit_id}/moderation"),
                body: format!(
                    "Moderation of the audit of case {} is complete: {said}.",
                    row.child_unique_id
                ),
            });
        }
        notices
            .events
            .push(crate::server::audit_moved(&store, &row, row.state).await?);
        // Confirmed good practice starts a Make A Difference summary.
        let good = grades
            .get(crate::domain::audit::OVERALL)
            .is_some_and(|g| matches!(g, Grade::Good | Grade::Outstanding));
        let draft = if good
            && store
                .summary_of_audit(audit_id)
                .await
                .map_err(failed("read a Make A Difference summary"))?
                .is_none()
        {
            let form = crate::server::saved_form(&row);
            let graded: Vec<_> = domains
                .iter()
                .filter_map(|d| {
                    let narrative = form.domains.get(&d.key).map(|e| e.narrative.clone());
                    Some((
                        d.title.clone(),
                        *grades.get(&d.key)?,
                        narrative.unwrap_or_default(),
                    ))
                })
                .collect();
            let team_id = store
                .team_of_audit(audit_id)
                .await
                .map_err(failed("read an audit's team"))?;
            let draft = crate::domain::difference::draft(
                &row.team,
                &row.month_label(),
                &form.strengths,
                &graded,
            );
            Some((draft, team_id))
        } else {
            None
        };
        let interviewees: Vec<i64> = row.key_worker_id.into_iter().collect();
        let summary = draft.as_ref().map(|(d, team_id)| crate::store::NewSummary {
            audit_id: Some(audit_id),
            team_id: Some(*team_id),
            title: &d.title,
            body: &d.body,
            interviewees: &interviewees,
        });
        let done = store
            .record_outcome(
                audit_id,
                outcome.code(),
                &reason,
                panel_note.as_deref(),
                &grades,
                summary,
                actor.person_id,
                crate::server::clock::now(),
                &notices,
            )
            .await
            .map_err(failed("record a moderation outcome"))?;
        if !done {
            return Err(AppError::Invalid(vec![FieldError::new(
                "outcome",
                "The outcome of this moderation is already recorded",
            )]));
        }
        committed(&notices);
        Ok(())
    })
    .await
}
