//! Sessions that share what audits found: feedback sessions with those who took part in a
//! round's audits, learning sessions and tools for a theme, and support sessions that build
//! managers' confidence in auditing. Invitations reach trays with an `.ics`; attendance is
//! recorded; attendees give feedback through a link in their tray.

pub(crate) mod page;

pub use page::{SessionFeedbackPage, SessionPage, SessionsPage};

use crate::domain::sessions::{FeedbackResults, SessionFeedback, SessionKind};
use crate::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionListing {
    pub id: i64,
    pub kind: SessionKind,
    pub title: String,
    pub when: String,
    pub place: String,
    /// The round's or theme's name.
    pub about: Option<String>,
    pub invited: i64,
    pub attended: i64,
    pub responses: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultsOverTime {
    pub session_id: i64,
    pub label: String,
    pub results: FeedbackResults,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionsIndex {
    pub sessions: Vec<SessionListing>,
    /// The QA team arranges sessions.
    pub arranges: bool,
    /// Drawn rounds, newest first: (round ID, "October 2026").
    pub rounds: Vec<(i64, String)>,
    /// Live themes: (ID, name).
    pub themes: Vec<(i64, String)>,
    /// Feedback sessions' results, oldest first (readers of learning only).
    pub over_time: Vec<ResultsOverTime>,
    /// Reports, themes and the newsletter are open to this person too.
    pub reads_learning: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteeView {
    pub person_id: i64,
    pub name: String,
    pub accepted: bool,
    pub attended: Option<bool>,
    pub responded: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyPart {
    pub accepted: bool,
    pub attended: Option<bool>,
    pub feedback: Option<SessionFeedback>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedbackView {
    pub id: i64,
    pub feedback: SessionFeedback,
    pub themes: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    pub id: i64,
    pub kind: SessionKind,
    pub title: String,
    pub when: String,
    pub minutes: i64,
    pub place: String,
    pub online_link: Option<String>,
    pub audience: String,
    pub materials_link: Option<String>,
    pub about: Option<String>,
    pub theme_id: Option<i64>,
    pub arranges: bool,
    pub invitees: Vec<InviteeView>,
    pub me: Option<MyPart>,
    /// For readers of learning: the results and the words, without names.
    pub results: Option<FeedbackResults>,
    pub feedback: Vec<FeedbackView>,
    pub themes: Vec<(i64, String)>,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::*;
    use crate::domain::Actor;
    use crate::server::failed;
    use crate::store::{LearningSessionRow, Store};

    pub fn listing(row: &LearningSessionRow) -> SessionListing {
        SessionListing {
            id: row.id,
            kind: row.kind.0,
            title: row.title.clone(),
            when: row.when(),
            place: row.place.clone(),
            about: row
                .audit_month
                .as_deref()
                .and_then(crate::domain::calendar::AuditMonth::parse)
                .map(|m| format!("Round: {}", m.label()))
                .or_else(|| row.theme.clone().map(|t| format!("Theme: {t}"))),
            invited: row.invited,
            attended: row.attended,
            responses: row.responses,
        }
    }

    /// The session and this person's invitation, if they may see it: the QA programme
    /// and the Practice Improvement Team, and those invited.
    pub async fn open(
        store: &Store,
        actor: &Actor,
        id: i64,
    ) -> Result<(LearningSessionRow, Option<crate::store::InviteeRow>), AppError> {
        let row = store
            .learning_session(id)
            .await
            .map_err(failed("read a session"))?
            .ok_or(AppError::NotFound)?;
        let mine = store
            .invitees(id)
            .await
            .map_err(failed("read a session's invitees"))?
            .into_iter()
            .find(|i| i.person_id == actor.person_id);
        if mine.is_none() && !actor.roles.reads_learning() {
            tracing::warn!(
                session_id = id,
                person_id = actor.person_id,
                "session refused"
            );
            return Err(AppError::Forbidden);
        }
        Ok((row, mine))
    }
}

#[server(endpoint = "sessions_overview", output = crate::codec::Compact)]
pub async fn sessions_overview() -> Result<SessionsIndex, AppError> {
    use crate::domain::calendar::AuditMonth;
    use crate::server::*;
    respond("sessions_overview", async move {
        let (store, actor) = signed_in().await?;
        let reads = actor.roles.reads_learning();
        let rows = if reads {
            store.sessions().await
        } else {
            store.sessions_of(actor.person_id).await
        }
        .map_err(failed("list sessions"))?;
        let arranges = actor.roles.sees_every_case();
        let (rounds, themes) = if arranges {
            let rounds = store
                .drawn_rounds()
                .await
                .map_err(failed("list rounds"))?
                .into_iter()
                .filter_map(|(id, m)| AuditMonth::parse(&m).map(|a| (id, a.label())))
                .collect();
            let themes = store
                .themes()
                .await
                .map_err(failed("list themes"))?
                .into_iter()
                .filter(|t| t.retired_at.is_none())
                .map(|t| (t.id, t.name))
                .collect();
            (rounds, themes)
        } else {
            (Vec::new(), Vec::new())
        };
        let over_time = if reads {
            let feedback = store
                .feedback_over_time(SessionKind::Feedback)
                .await
                .map_err(failed("read session feedback"))?;
            let mut sessions: Vec<&crate::store::LearningSessionRow> = rows
                .iter()
                .filter(|r| r.kind.0 == SessionKind::Feedback && r.responses > 0)
                .collect();
            sessions.sort_by_key(|r| r.starts_at);
            sessions
                .into_iter()
                .map(|r| {
                    let of: Vec<SessionFeedback> = feedback
                        .iter()
                        .filter(|(s, _)| *s == r.id)
                        .map(|(_, f)| f.feedback())
                        .collect();
                    ResultsOverTime {
                        session_id: r.id,
                        label: format!("{} ({})", r.title, r.starts_at.format("%-d %B %Y")),
                        results: crate::domain::sessions::results(&of),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        Ok(SessionsIndex {
            sessions: rows.iter().map(ssr::listing).collect(),
            arranges,
            rounds,
            themes,
            over_time,
            reads_learning: reads,
        })
    })
    .await
}

/// Arranges a session. A feedback session invites everyone who took part in its round's
/// audits; a support session invites the managers who audit; a learning session or tool is
/// recorded for its theme with its audience and materials.
#[server(endpoint = "arrange_session", output = crate::codec::Compact)]
#[allow(clippy::too_many_arguments)]
pub async fn arrange_session(
    kind: String,
    round_id: Option<String>,
    theme_id: Option<String>,
    title: Option<String>,
    starts_at: Option<String>,
    minutes: Option<String>,
    place: Option<String>,
    online_link: Option<String>,
    audience: Option<String>,
    materials_link: Option<String>,
) -> Result<i64, AppError> {
    use crate::domain::alert::AlertKind;
    use crate::domain::sessions::SessionPlan;
    use crate::server::*;
    use crate::FieldError;
    respond("arrange_session", async move {
        let (store, actor) = signed_in().await?;
        if !actor.roles.sees_every_case() {
            return Err(AppError::Forbidden);
        }
        let kind = SessionKind::parse(&kind).ok_or_else(|| {
            AppError::Invalid(vec![FieldError::new("kind", "Choose the kind of session")])
        })?;
        let fields = [
            ("title", title),
            ("starts_at", starts_at),
            ("minutes", minutes),
            ("place", place),
            ("online_link", online_link),
            ("audience", audience),
            ("materials_link", materials_link),
        ];
        // The form's times are London wall-clock times.
        let now_london = crate::server::clock::local_now();
        let mut problems = Vec::new();
        let plan = SessionPlan::parse(
            |k| {
                fields
                    .iter()
                    .find(|(n, _)| *n == k)
                    .and_then(|(_, v)| v.clone())
            },
            now_london,
            kind == SessionKind::Learning,
        )
        .map_err(|p| problems.extend(p.into_iter().map(|p| FieldError::new(&p.field, p.message))))
        .ok();
        let number = |raw: Option<String>| {
            raw.as_deref()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .and_then(|r| r.parse::<i64>().ok())
        };
        let round_id = number(round_id);
        let theme_id = number(theme_id);
        let invitees: Vec<(i64, String)> = match kind {
            SessionKind::Feedback => match round_id {
                None => {
                    problems.push(FieldError::new(
                        "round_id",
                        "Choose the round the session is about",
                    ));
                    Vec::new()
                }
                Some(round) => {
                    let people = store
                        .round_participants(round)
                        .await
                        .map_err(failed("read a round's participants"))?;
                    if people.is_empty() {
                        problems.push(FieldError::new(
                            "round_id",
                            "Nobody has taken part in that round's audits yet",
                        ));
                    }
                    people
                }
            },
            SessionKind::Support => store
                .auditing_managers()
                .await
                .map_err(failed("read the managers who audit"))?,
            SessionKind::Learning => Vec::new(),
        };
        if kind == SessionKind::Learning || theme_id.is_some() {
            let live = match theme_id {
                Some(t) => store
                    .theme(t)
                    .await
                    .map_err(failed("read a theme"))?
                    .is_some_and(|t| t.retired_at.is_none()),
                None => false,
            };
            if !live {
                problems.push(FieldError::new(
                    "theme_id",
                    "Choose the theme the session is for",
                ));
            }
        }
        let (Some(plan), true) = (plan, problems.is_empty()) else {
            return Err(AppError::Invalid(problems));
        };
        let mut notices = Notices::new();
        let when = format!(
            "{} at {}",
            plan.starts_at.format("%A %-d %B %Y"),
            plan.starts_at.format("%H:%M")
        );
        for (person, _) in invitees.iter().filter(|(p, _)| *p != actor.person_id) {
            notices.alert(NewAlert {
                person_id: *person,
                kind: AlertKind::SessionInvited,
                case_id: None,
                // The store puts the new session's link in.
                link: String::new(),
                body: format!(
                    "You are invited to \u{201c}{}\u{201d} on {when}.",
                    plan.title
                ),
            });
        }
        let ids: Vec<i64> = invitees.iter().map(|(p, _)| *p).collect();
        let id = store
            .arrange_session(
                kind,
                &plan,
                round_id.filter(|_| kind == SessionKind::Feedback),
                theme_id.filter(|_| kind != SessionKind::Feedback),
                &ids,
                &notices,
                actor.person_id,
                crate::server::clock::now(),
            )
            .await
            .map_err(failed("arrange a session"))?;
        committed(&notices);
        leptos_axum::redirect(&format!("/sessions/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "session_detail", output = crate::codec::Compact)]
pub async fn session_detail(id: i64) -> Result<SessionView, AppError> {
    use crate::server::*;
    respond("session_detail", async move {
        trail::touch(crate::domain::trail::Record::Session(id));
        let (store, actor) = signed_in().await?;
        let (row, mine) = ssr::open(&store, &actor, id).await?;
        let reads = actor.roles.reads_learning();
        let arranges = actor.roles.sees_every_case();
        let feedback_rows = store
            .session_feedback(id)
            .await
            .map_err(failed("read session feedback"))?;
        let me = mine.map(|m| MyPart {
            accepted: m.accepted_at.is_some(),
            attended: m.attended,
            feedback: feedback_rows
                .iter()
                .find(|f| f.person_id == actor.person_id)
                .map(|f| f.feedback()),
        });
        let invitees = if arranges {
            store
                .invitees(id)
                .await
                .map_err(failed("read a session's invitees"))?
                .into_iter()
                .map(|i| InviteeView {
                    person_id: i.person_id,
                    name: i.name,
                    accepted: i.accepted_at.is_some(),
                    attended: i.attended,
                    responded: i.responded,
                })
                .collect()
        } else {
            Vec::new()
        };
        let (results, feedback, themes) = if reads {
            let tags = store
                .session_feedback_tags(id)
                .await
                .map_err(failed("read session feedback themes"))?;
            let list: Vec<SessionFeedback> = feedback_rows.iter().map(|f| f.feedback()).collect();
            let themes = if arranges {
                store
                    .themes()
                    .await
                    .map_err(failed("list themes"))?
                    .into_iter()
                    .filter(|t| t.retired_at.is_none())
                    .map(|t| (t.id, t.name))
                    .collect()
            } else {
                Vec::new()
            };
            (
                Some(crate::domain::sessions::results(&list)),
                feedback_rows
                    .iter()
                    .map(|f| FeedbackView {
                        id: f.id,
                        feedback: f.feedback(),
                        themes: tags
                            .iter()
                            .filter(|(item, _)| *item == f.id)
                            .map(|(_, t)| *t)
                            .collect(),
                    })
                    .collect(),
                themes,
            )
        } else {
            (None, Vec::new(), Vec::new())
        };
        Ok(SessionView {
            id,
            kind: row.kind.0,
            when: row.when(),
            about: ssr::listing(&row).about,
            title: row.title,
            minutes: row.minutes,
            place: row.place,
            online_link: row.online_link,
            audience: row.audience,
            materials_link: row.materials_link,
            theme_id: row.theme_id,
            arranges,
            invitees,
            me,
            results,
            feedback,
            themes,
        })
    })
    .await
}

/// An invitee says they will come.
#[server(endpoint = "accept_session", output = crate::codec::Compact)]
pub async fn accept_session(id: i64) -> Result<(), AppError> {
    use crate::server::*;
    respond("accept_session", async move {
        trail::touch(crate::domain::trail::Record::Session(id));
        let (store, actor) = signed_in().await?;
        let (_, mine) = ssr::open(&store, &actor, id).await?;
        if mine.is_none() {
            return Err(AppError::Forbidden);
        }
        store
            .accept_session(id, actor.person_id, crate::server::clock::now())
            .await
            .map_err(failed("accept a session"))?;
        Ok(())
    })
    .await
}

/// Records who came (ticked) and asks each attendee, once, for their feedback.
#[server(endpoint = "record_attendance", output = crate::codec::Compact)]
pub async fn record_attendance(
    id: i64,
    attended: Option<HashMap<String, String>>,
) -> Result<(), AppError> {
    use crate::server::*;
    respond("record_attendance", async move {
        trail::touch(crate::domain::trail::Record::Session(id));
        let (store, actor) = signed_in().await?;
        let (row, _) = ssr::open(&store, &actor, id).await?;
        if !actor.roles.sees_every_case() {
            return Err(AppError::Forbidden);
        }
        let invited: Vec<i64> = store
            .invitees(id)
            .await
            .map_err(failed("read a session's invitees"))?
            .into_iter()
            .map(|i| i.person_id)
            .collect();
        let came: Vec<i64> = attended
            .unwrap_or_default()
            .keys()
            .filter_map(|k| k.parse::<i64>().ok())
            .filter(|p| invited.contains(p))
            .collect();
        let ask = row.kind.0.invites().then(|| {
            format!(
                "Thank you for coming to \u{201c}{}\u{201d}: tell us how the audit felt.",
                row.title
            )
        });
        let notices = store
            .record_attendance(id, &came, ask.as_deref(), crate::server::clock::now())
            .await
            .map_err(failed("record attendance"))?;
        committed(&notices);
        Ok(())
    })
    .await
}

/// An attendee's feedback, given once.
#[server(endpoint = "give_session_feedback", output = crate::codec::Compact)]
pub async fn give_session_feedback(
    id: i64,
    useful: Option<String>,
    discussion: Option<String>,
    improve: Option<String>,
    comments: Option<String>,
) -> Result<(), AppError> {
    use crate::server::*;
    use crate::FieldError;
    respond("give_session_feedback", async move {
        trail::touch(crate::domain::trail::Record::Session(id));
        let (store, actor) = signed_in().await?;
        let (_, mine) = ssr::open(&store, &actor, id).await?;
        let Some(mine) = mine else {
            return Err(AppError::Forbidden);
        };
        if mine.attended != Some(true) {
            return Err(AppError::Invalid(vec![FieldError::new(
                "useful",
                "Feedback opens once the QA team has recorded that you came to the session",
            )]));
        }
        let fields = [
            ("useful", useful),
            ("discussion", discussion),
            ("improve", improve),
            ("comments", comments),
        ];
        let feedback = SessionFeedback::parse(|k| {
            fields
                .iter()
                .find(|(n, _)| *n == k)
                .and_then(|(_, v)| v.clone())
        })
        .map_err(crate::server::invalid)?;
        if !store
            .give_session_feedback(id, actor.person_id, &feedback, crate::server::clock::now())
            .await
            .map_err(failed("give session feedback"))?
        {
            return Err(AppError::Invalid(vec![FieldError::new(
                "useful",
                "You have already given your feedback on this session",
            )]));
        }
        Ok(())
    })
    .await
}

/// The QA team themes one attendee's feedback.
#[server(endpoint = "tag_session_feedback", output = crate::codec::Compact)]
pub async fn tag_session_feedback(
    id: i64,
    feedback_id: i64,
    theme: Option<HashMap<String, String>>,
) -> Result<(), AppError> {
    use crate::server::*;
    respond("tag_session_feedback", async move {
        trail::touch(crate::domain::trail::Record::Session(id));
        let (store, actor) = signed_in().await?;
        ssr::open(&store, &actor, id).await?;
        if !actor.roles.sees_every_case() {
            return Err(AppError::Forbidden);
        }
        if !store
            .session_feedback(id)
            .await
            .map_err(failed("read session feedback"))?
            .iter()
            .any(|f| f.id == feedback_id)
        {
            return Err(AppError::NotFound);
        }
        let live: Vec<i64> = store
            .themes()
            .await
            .map_err(failed("list themes"))?
            .into_iter()
            .filter(|t| t.retired_at.is_none())
            .map(|t| t.id)
            .collect();
        let chosen: Vec<i64> = theme
            .unwrap_or_default()
            .keys()
            .filter_map(|k| k.parse::<i64>().ok())
            .filter(|t| live.contains(t))
            .collect();
        store
            .set_session_feedback_tags(
                feedback_id,
                &chosen,
                actor.person_id,
                crate::server::clock::now(),
            )
            .await
            .map_err(failed("theme session feedback"))?;
        Ok(())
    })
    .await
}

/// The session as an `.ics` invitation in Europe/London time, with its place.
#[cfg(feature = "ssr")]
pub async fn session_ics(
    axum::extract::State(crate::server::AppState { store, site }): axum::extract::State<
        crate::server::AppState,
    >,
    axum::extract::Path(id): axum::extract::Path<i64>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let status =
        |e: AppError| StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let person = match crate::server::person_from_headers(&store, site.sessions, &headers).await {
        Ok(Some(p)) => p,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(e) => return status(e).into_response(),
    };
    let row = match ssr::open(&store, &person.actor, id).await {
        Ok((row, _)) => row,
        Err(e) => return status(e).into_response(),
    };
    let url = format!("{}/sessions/{id}", site.public_url.trim_end_matches('/'));
    let description = match &row.online_link {
        Some(link) => format!("{}\nJoin online: {link}", row.kind.0.label()),
        None => row.kind.0.label().to_string(),
    };
    let ics = crate::domain::ics::Invitation {
        uid: format!("session-{id}@practice-audit"),
        stamp: crate::server::clock::now(),
        starts_at: row.starts_at,
        minutes: row.minutes,
        summary: &row.title,
        description: &description,
        url: &url,
        london: true,
    }
    .with_location(&row.place);
    (
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"session-{id}.ics\""),
            ),
        ],
        ics,
    )
        .into_response()
}
