//! Make A Difference: a summary of confirmed good practice, drafted from the moderated
//! audit (or started by the QA team), checked for anything that identifies a child or a
//! person before it is published to the library, and an interview with the practitioners.

pub(crate) mod page;

pub use crate::domain::difference::{Clearance, FlagView};
pub use page::{DifferencePage, LibraryPage};

use crate::AppError;
use chrono::{NaiveDate, NaiveDateTime};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryListing {
    pub id: i64,
    pub title: String,
    pub team: Option<String>,
    pub published_on: Option<NaiveDate>,
    pub excerpt: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Library {
    pub published: Vec<SummaryListing>,
    /// The QA team's drafts (empty for everyone else).
    pub drafts: Vec<SummaryListing>,
    pub query: String,
    pub edits: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterviewTime {
    pub id: i64,
    pub starts_at: NaiveDateTime,
    pub minutes: i64,
    pub proposed_by: String,
    pub accepted: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryDetail {
    pub id: i64,
    pub audit_id: Option<i64>,
    pub team: Option<String>,
    pub title: String,
    pub body: String,
    pub version: i64,
    pub published: Option<String>,
    pub updated: String,
    pub flags: Vec<FlagView>,
    /// Flags neither edited out nor cleared: publishing waits for none.
    pub outstanding: usize,
    pub edits: bool,
}

/// The summary's interview, read apart from its text so that live events refresh it
/// without re-rendering the text being edited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterviewView {
    pub id: i64,
    pub interviewees: Vec<String>,
    pub times: Vec<InterviewTime>,
    pub agreed: Option<InterviewTime>,
    /// This person may accept a proposed time (an interviewee, none agreed yet).
    pub accepts: bool,
    /// The QA team arranges it: adds practitioners and proposes times.
    pub arranges: bool,
    /// Staff the QA team may add to the interview: (ID, name).
    pub people: Vec<(i64, String)>,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::*;
    use crate::domain::difference::{Flag, Known, SummaryText};
    use crate::domain::{Actor, Role};
    use crate::server::failed;
    use crate::store::{Store, SummaryRow};

    pub fn is_qa_team(actor: &Actor) -> bool {
        actor.roles.any(&[
            Role::QaManager,
            Role::PswQaPracticeImprovement,
            Role::SafeguardingReviewManager,
            Role::AssistantDirector,
        ])
    }

    pub async fn known(store: &Store) -> Result<Known, AppError> {
        crate::server::disclosure_known(store).await
    }

    /// The disclosure check of the summary's title and text as they stand.
    pub async fn flags(store: &Store, row: &SummaryRow) -> Result<(Known, Vec<Flag>), AppError> {
        let known = known(store).await?;
        let text = SummaryText {
            title: row.title.clone(),
            body: row.body.clone(),
        };
        let flags = text.check(&known);
        Ok((known, flags))
    }

    pub fn clearances(row: &SummaryRow) -> Vec<Clearance> {
        serde_json::from_str(&row.cleared).unwrap_or_default()
    }

    /// The summary, if this person may open it: the QA team; interviewees; anyone once it
    /// is published.
    pub async fn open(
        store: &Store,
        actor: &Actor,
        id: i64,
    ) -> Result<(SummaryRow, Vec<(i64, String)>), AppError> {
        let row = store
            .summary(id)
            .await
            .map_err(failed("read a Make A Difference summary"))?
            .ok_or(AppError::NotFound)?;
        let interviewees = store
            .interviewees(id)
            .await
            .map_err(failed("read interviewees"))?;
        let interviewee = interviewees.iter().any(|(p, _)| *p == actor.person_id);
        if is_qa_team(actor) || interviewee || row.published_at.is_some() {
            Ok((row, interviewees))
        } else {
            tracing::warn!(
                summary_id = id,
                person_id = actor.person_id,
                "summary refused"
            );
            Err(AppError::Forbidden)
        }
    }

    pub fn editing(actor: &Actor, row: &SummaryRow) -> Result<(), AppError> {
        if !is_qa_team(actor) {
            return Err(AppError::Forbidden);
        }
        if row.published_at.is_some() {
            return Err(AppError::Invalid(vec![crate::FieldError::new(
                "",
                "This summary is published and can no longer be changed",
            )]));
        }
        Ok(())
    }

    pub fn excerpt(body: &str) -> String {
        let flat = body.split_whitespace().collect::<Vec<_>>().join(" ");
        match flat.char_indices().nth(200) {
            Some((i, _)) => format!("{}…", &flat[..i]),
            None => flat,
        }
    }

    pub fn invalid(problems: Vec<crate::domain::audit::FormProblem>) -> AppError {
        AppError::Invalid(
            problems
                .into_iter()
                .map(|p| crate::FieldError::new(&p.field, p.message))
                .collect(),
        )
    }
}

/// Published summaries matching the search, and the QA team's drafts.
#[server(endpoint = "difference_library", output = crate::codec::Compact)]
pub async fn difference_library(q: Option<String>) -> Result<Library, AppError> {
    use crate::domain::difference::matches;
    use crate::server::*;
    respond("difference_library", async move {
        let (store, actor) = signed_in().await?;
        let query = q
            .unwrap_or_default()
            .trim()
            .chars()
            .take(200)
            .collect::<String>();
        let edits = ssr::is_qa_team(&actor);
        let rows = store
            .summaries()
            .await
            .map_err(failed("list Make A Difference summaries"))?;
        let listing = |r: &crate::store::SummaryRow| SummaryListing {
            id: r.id,
            title: r.title.clone(),
            team: r.team.clone(),
            published_on: r.published_at.map(|t| t.date_naive()),
            excerpt: ssr::excerpt(&r.body),
        };
        Ok(Library {
            published: rows
                .iter()
                .filter(|r| r.published_at.is_some())
                .filter(|r| matches(&query, &r.title, &r.body, r.team.as_deref().unwrap_or("")))
                .map(listing)
                .collect(),
            drafts: if edits {
                rows.iter()
                    .filter(|r| r.published_at.is_none())
                    .map(listing)
                    .collect()
            } else {
                Vec::new()
            },
            query,
            edits,
        })
    })
    .await
}

#[server(endpoint = "difference_detail", output = crate::codec::Compact)]
pub async fn difference_detail(id: i64) -> Result<SummaryDetail, AppError> {
    use crate::server::*;
    respond("difference_detail", async move {
        trail::touch(crate::domain::trail::Record::Difference(id));
        let (store, actor) = signed_in().await?;
        let (row, _) = ssr::open(&store, &actor, id).await?;
        let edits = ssr::editing(&actor, &row).is_ok();
        let cleared = ssr::clearances(&row);
        let flags: Vec<FlagView> = if row.published_at.is_none() && ssr::is_qa_team(&actor) {
            ssr::flags(&store, &row)
                .await?
                .1
                .into_iter()
                .map(|f| FlagView {
                    cleared: cleared
                        .iter()
                        .find(|c| c.key == f.key)
                        .map(|c| format!("Cleared by {}: {}", c.by, c.reason)),
                    kind: f.kind.label().to_string(),
                    key: f.key,
                    text: f.text,
                    message: f.message,
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(SummaryDetail {
            id,
            audit_id: row.audit_id.filter(|_| ssr::is_qa_team(&actor)),
            team: row.team.clone(),
            title: row.title.clone(),
            body: row.body.clone(),
            version: row.version,
            published: row.published_at.map(|t| {
                format!(
                    "{} by {}",
                    t.format("%-d %B %Y"),
                    row.published_by.clone().unwrap_or_default()
                )
            }),
            updated: format!(
                "{} by {}",
                row.updated_at.format("%-d %B %Y %H:%M"),
                row.updated_by.clone().unwrap_or_default()
            ),
            outstanding: flags.iter().filter(|f| f.cleared.is_none()).count(),
            flags,
            edits,
        })
    })
    .await
}

#[server(endpoint = "difference_interview", output = crate::codec::Compact)]
pub async fn difference_interview(id: i64) -> Result<InterviewView, AppError> {
    use crate::server::*;
    respond("difference_interview", async move {
        trail::touch(crate::domain::trail::Record::Difference(id));
        let (store, actor) = signed_in().await?;
        let (_, interviewees) = ssr::open(&store, &actor, id).await?;
        let times: Vec<InterviewTime> = store
            .interview_times(id)
            .await
            .map_err(failed("read interview times"))?
            .into_iter()
            .map(|t| InterviewTime {
                id: t.id,
                starts_at: t.starts_at,
                minutes: t.minutes,
                proposed_by: t.proposed_by,
                accepted: t
                    .accepted_by
                    .zip(t.accepted_at)
                    .map(|(by, at)| format!("Accepted by {by} on {}", at.format("%-d %B %Y"))),
            })
            .collect();
        let agreed = times.iter().find(|t| t.accepted.is_some()).cloned();
        let interviewee = interviewees.iter().any(|(p, _)| *p == actor.person_id);
        let people = if ssr::is_qa_team(&actor) {
            store
                .active_people()
                .await
                .map_err(failed("read the staff directory"))?
                .into_iter()
                .filter(|(p, _)| !interviewees.iter().any(|(i, _)| i == p))
                .collect()
        } else {
            Vec::new()
        };
        Ok(InterviewView {
            id,
            interviewees: interviewees.into_iter().map(|(_, n)| n).collect(),
            accepts: interviewee && agreed.is_none() && !times.is_empty(),
            arranges: ssr::is_qa_team(&actor),
            times,
            agreed,
            people,
        })
    })
    .await
}

/// The QA team starts a summary of its own, when it hears of good practice another way.
#[server(endpoint = "start_difference", output = crate::codec::Compact)]
pub async fn start_difference(
    title: Option<String>,
    body: Option<String>,
) -> Result<i64, AppError> {
    use crate::domain::difference::SummaryText;
    use crate::server::*;
    respond("start_difference", async move {
        let (store, actor) = signed_in().await?;
        if !ssr::is_qa_team(&actor) {
            return Err(AppError::Forbidden);
        }
        let fields = [("title", title), ("body", body)];
        let text = SummaryText::parse(|k| {
            fields
                .iter()
                .find(|(n, _)| *n == k)
                .and_then(|(_, v)| v.clone())
        })
        .map_err(ssr::invalid)?;
        let id = store
            .start_summary(
                &crate::store::NewSummary {
                    audit_id: None,
                    team_id: None,
                    title: &text.title,
                    body: &text.body,
                    interviewees: &[],
                },
                actor.person_id,
                crate::server::clock::now(),
            )
            .await
            .map_err(failed("start a Make A Difference summary"))?;
        leptos_axum::redirect(&format!("/make-a-difference/{id}"));
        Ok(id)
    })
    .await
}

/// Saves the draft's title and text (refused if someone saved since this `version`).
#[server(endpoint = "save_difference", output = crate::codec::Compact)]
pub async fn save_difference(
    id: i64,
    version: i64,
    title: Option<String>,
    body: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::difference::SummaryText;
    use crate::server::*;
    respond("save_difference", async move {
        trail::touch(crate::domain::trail::Record::Difference(id));
        let (store, actor) = signed_in().await?;
        let (row, _) = ssr::open(&store, &actor, id).await?;
        ssr::editing(&actor, &row)?;
        let fields = [("title", title), ("body", body)];
        let text = SummaryText::parse(|k| {
            fields
                .iter()
                .find(|(n, _)| *n == k)
                .and_then(|(_, v)| v.clone())
        })
        .map_err(ssr::invalid)?;
        let saved = store
            .save_summary(
                id,
                version,
                &text.title,
                &text.body,
                actor.person_id,
                crate::server::clock::now(),
            )
            .await
            .map_err(failed("save a Make A Difference summary"))?;
        if !saved {
            return Err(AppError::Stale {
                by: row.updated_by.unwrap_or_else(|| "Someone".into()),
                version: row.version,
            });
        }
        Ok(())
    })
    .await
}

/// Clears one disclosure flag with the reason it may stay (say, the practitioner agreed
/// to be named). A known Child Unique ID can never be cleared: it must be edited out.
#[server(endpoint = "clear_difference_flag", output = crate::codec::Compact)]
pub async fn clear_difference_flag(
    id: i64,
    key: String,
    reason: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::difference::clearing_reason;
    use crate::server::*;
    use crate::FieldError;
    respond("clear_difference_flag", async move {
        trail::touch(crate::domain::trail::Record::Difference(id));
        let (store, actor) = signed_in().await?;
        let (row, _) = ssr::open(&store, &actor, id).await?;
        ssr::editing(&actor, &row)?;
        let field = format!("reason-{key}");
        let reason = clearing_reason(|k| (k == "reason").then(|| reason.clone()).flatten())
            .map_err(|p| {
                AppError::Invalid(
                    p.into_iter()
                        .map(|p| FieldError::new(&field, p.message))
                        .collect(),
                )
            })?;
        let (known, flags) = ssr::flags(&store, &row).await?;
        let Some(flag) = flags.iter().find(|f| f.key == key) else {
            return Err(AppError::Invalid(vec![FieldError::new(
                &field,
                "That flag is no longer in the text",
            )]));
        };
        if known.is_child_id(&flag.text) {
            return Err(AppError::Invalid(vec![FieldError::new(
                &field,
                "A Child Unique ID can never be published: take it out of the text",
            )]));
        }
        let mut cleared = ssr::clearances(&row);
        cleared.retain(|c| c.key != key);
        let by = store
            .person(actor.person_id)
            .await
            .map_err(failed("read a person"))?
            .map(|p| p.display_name)
            .unwrap_or_default();
        cleared.push(Clearance {
            key,
            reason,
            by,
            at: crate::server::clock::now(),
        });
        let json = serde_json::to_string(&cleared).map_err(failed("clear a flag"))?;
        if !store
            .set_cleared(id, &json)
            .await
            .map_err(failed("clear a flag"))?
        {
            return Err(AppError::Invalid(vec![FieldError::new(
                &field,
                "This summary is published and can no longer be changed",
            )]));
        }
        Ok(())
    })
    .await
}

/// Publishes the summary to the library once every flag is edited out or cleared.
#[server(endpoint = "publish_difference", output = crate::codec::Compact)]
pub async fn publish_difference(id: i64, version: i64) -> Result<(), AppError> {
    use crate::domain::difference::outstanding;
    use crate::server::*;
    use crate::FieldError;
    respond("publish_difference", async move {
        trail::touch(crate::domain::trail::Record::Difference(id));
        let (store, actor) = signed_in().await?;
        let (row, interviewees) = ssr::open(&store, &actor, id).await?;
        ssr::editing(&actor, &row)?;
        if row.version != version {
            return Err(AppError::Invalid(vec![FieldError::new(
                "publish",
                "The summary changed since you checked it: look at it again before publishing",
            )]));
        }
        let (_, flags) = ssr::flags(&store, &row).await?;
        let cleared: Vec<String> = ssr::clearances(&row).into_iter().map(|c| c.key).collect();
        let waiting = outstanding(&flags, &cleared);
        if !waiting.is_empty() {
            return Err(AppError::Invalid(
                waiting
                    .iter()
                    .map(|f| {
                        FieldError::new(
                            &format!("flag-{}", f.key),
                            format!("{}: edit it out or clear it before publishing", f.message),
                        )
                    })
                    .collect(),
            ));
        }
        let mut notices = Notices::new();
        let mut people: Vec<i64> = interviewees.iter().map(|(p, _)| *p).collect();
        people.extend(
            store
                .programme_people()
                .await
                .map_err(failed("read the programme's people"))?,
        );
        people.sort_unstable();
        people.dedup();
        notices.event(
            people,
            "difference",
            serde_json::json!({ "id": id }).to_string(),
        );
        let done = store
            .publish_summary(
                id,
                version,
                actor.person_id,
                crate::server::clock::now(),
                &notices,
            )
            .await
            .map_err(failed("publish a Make A Difference summary"))?;
        if !done {
            return Err(AppError::Invalid(vec![FieldError::new(
                "publish",
                "This summary is already published, or changed since you checked it",
            )]));
        }
        committed(&notices);
        Ok(())
    })
    .await
}

/// The QA team adds a practitioner to the interview.
#[server(endpoint = "add_interviewee", output = crate::codec::Compact)]
pub async fn add_interviewee(id: i64, person_id: Option<i64>) -> Result<(), AppError> {
    use crate::server::*;
    use crate::FieldError;
    respond("add_interviewee", async move {
        trail::touch(crate::domain::trail::Record::Difference(id));
        if let Some(id) = person_id {
            trail::touch(crate::domain::trail::Record::Person(id));
        }
        let (store, actor) = signed_in().await?;
        let (_, interviewees) = ssr::open(&store, &actor, id).await?;
        if !ssr::is_qa_team(&actor) {
            return Err(AppError::Forbidden);
        }
        let staff = store
            .active_people()
            .await
            .map_err(failed("read the staff directory"))?;
        let Some(person) = person_id.filter(|p| staff.iter().any(|(s, _)| s == p)) else {
            return Err(AppError::Invalid(vec![FieldError::new(
                "person",
                "Choose a member of staff",
            )]));
        };
        if interviewees.iter().any(|(p, _)| *p == person) {
            return Err(AppError::Invalid(vec![FieldError::new(
                "person",
                "They are already on the interview",
            )]));
        }
        store
            .add_interviewee(id, person, actor.person_id, crate::server::clock::now())
            .await
            .map_err(failed("add an interviewee"))?;
        Ok(())
    })
    .await
}

/// The QA team proposes up to three interview times; the interviewees are told.
#[server(endpoint = "propose_interview", output = crate::codec::Compact)]
pub async fn propose_interview(
    id: i64,
    time_1: Option<String>,
    time_2: Option<String>,
    time_3: Option<String>,
    minutes: Option<String>,
) -> Result<(), AppError> {
    use crate::domain::alert::AlertKind;
    use crate::domain::ics::parse_local_time;
    use crate::server::*;
    use crate::FieldError;
    respond("propose_interview", async move {
        trail::touch(crate::domain::trail::Record::Difference(id));
        let (store, actor) = signed_in().await?;
        let (row, interviewees) = ssr::open(&store, &actor, id).await?;
        if !ssr::is_qa_team(&actor) {
            return Err(AppError::Forbidden);
        }
        if interviewees.is_empty() {
            return Err(AppError::Invalid(vec![FieldError::new("person", "Add the practitioners to interview first")]));
        }
        let mut errors = Vec::new();
        let mut times = Vec::new();
        let now_local = crate::server::clock::local_now();
        for (n, raw) in [time_1, time_2, time_3].into_iter().enumerate() {
            let field = format!("time-{}", n + 1);
            if let Some(raw) = raw.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
                match parse_local_time(raw) {
                    Some(t) if t > now_local => times.push(t),
                    Some(_) => errors.push(FieldError::new(&field, "Choose a time in the future")),
                    None => errors.push(FieldError::new(&field, "Enter a date and time, for example 12/01/2027 10:00")),
                }
            }
        }
        if errors.is_empty() && times.is_empty() {
            errors.push(FieldError::new("time-1", "Propose at least one time"));
        }
        let minutes = match minutes.as_deref().map(str::trim).unwrap_or("") {
            "" => 45,
            m => match m.parse::<i64>() {
                Ok(m) if (15..=240).contains(&m) => m,
                _ => {
                    errors.push(FieldError::new("minutes", "The length must be between 15 and 240 minutes"));
                    45
                }
            },
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut notices = Notices::new();
        for (person, _) in &interviewees {
            notices.alert(NewAlert {
                person_id: *person,
                kind: AlertKind::InterviewProposed,
                case_id: None,
                link: format!("/make-a-difference/{id}"),
                body: format!(
                    "The QA team would like to hear what made your practice good ({}). Choose a time for a Make A Difference interview.",
                    row.team.clone().unwrap_or_else(|| "Make A Difference".into())
                ),
            });
        }
        let done = store
            .propose_interview(id, &times, minutes, actor.person_id, crate::server::clock::now(), &notices)
            .await
            .map_err(failed("propose interview times"))?;
        if !done {
            return Err(AppError::Invalid(vec![FieldError::new("time-1", "The interview is already arranged")]));
        }
        committed(&notices);
        Ok(())
    })
    .await
}

/// An interviewee accepts a proposed time; the proposer and the others are told.
#[server(endpoint = "accept_interview", output = crate::codec::Compact)]
pub async fn accept_interview(id: i64, time_id: i64) -> Result<(), AppError> {
    use crate::domain::alert::AlertKind;
    use crate::server::*;
    use crate::FieldError;
    respond("accept_interview", async move {
        trail::touch(crate::domain::trail::Record::Difference(id));
        let (store, actor) = signed_in().await?;
        let (_, interviewees) = ssr::open(&store, &actor, id).await?;
        if !interviewees.iter().any(|(p, _)| *p == actor.person_id) {
            return Err(AppError::Forbidden);
        }
        let times = store
            .interview_times(id)
            .await
            .map_err(failed("read interview times"))?;
        let Some(time) = times.iter().find(|t| t.id == time_id) else {
            return Err(AppError::NotFound);
        };
        let when = time.starts_at.format("%-d %B %Y at %H:%M").to_string();
        let mut notices = Notices::new();
        let mut told: Vec<i64> = interviewees.iter().map(|(p, _)| *p).collect();
        told.push(time.proposed_by_id);
        told.sort_unstable();
        told.dedup();
        for person in told {
            notices.alert(NewAlert {
                person_id: person,
                kind: AlertKind::InterviewAgreed,
                case_id: None,
                link: format!("/make-a-difference/{id}"),
                body: format!("The Make A Difference interview is arranged for {when}."),
            });
        }
        let done = store
            .accept_interview(
                id,
                time_id,
                actor.person_id,
                crate::server::clock::now(),
                &notices,
            )
            .await
            .map_err(failed("accept an interview time"))?;
        if !done {
            return Err(AppError::Invalid(vec![FieldError::new(
                "time",
                "The interview is already arranged",
            )]));
        }
        committed(&notices);
        Ok(())
    })
    .await
}

/// The agreed interview as an `.ics` invitation in Europe/London time.
#[cfg(feature = "ssr")]
pub async fn interview_ics(
    axum::extract::State(crate::server::AppState { store, site }): axum::extract::State<
        crate::server::AppState,
    >,
    axum::extract::Path(id): axum::extract::Path<i64>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let person = match crate::server::person_from_headers(&store, site.sessions, &headers).await {
        Ok(Some(p)) => p,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let (row, interviewees) = match ssr::open(&store, &person.actor, id).await {
        Ok(found) => found,
        Err(e) => {
            return StatusCode::from_u16(e.status())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
                .into_response()
        }
    };
    if !ssr::is_qa_team(&person.actor)
        && !interviewees
            .iter()
            .any(|(p, _)| *p == person.actor.person_id)
    {
        return StatusCode::FORBIDDEN.into_response();
    }
    let Ok(times) = store.interview_times(id).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Some(agreed) = times.into_iter().find(|t| t.accepted_at.is_some()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let url = format!(
        "{}/make-a-difference/{id}",
        site.public_url.trim_end_matches('/')
    );
    let ics = crate::domain::ics::Invitation {
        uid: format!("difference-{id}-interview-{}@practice-audit", agreed.id),
        stamp: crate::server::clock::now(),
        starts_at: agreed.starts_at,
        minutes: agreed.minutes,
        summary: "Make A Difference interview",
        description: &format!(
            "What made the practice good: {}. With {}.",
            row.title,
            interviewees
                .iter()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        url: &url,
        london: true,
    }
    .to_ics();
    (
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"make-a-difference-interview.ics\"",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        ics,
    )
        .into_response()
}
