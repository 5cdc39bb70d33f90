//! Sessions that turn audits into learning: feedback sessions after a round, learning
//! sessions and tools for a theme, and support sessions on auditing for managers. What a
//! session is, how it is arranged, and what attendees say. No I/O.

use super::audit::FormProblem;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SessionKind {
    /// Shares a round's learning with those who took part, and asks how the audit felt.
    Feedback,
    /// A tool or learning session on a development theme.
    Learning,
    /// Builds managers' confidence in auditing.
    Support,
}

impl SessionKind {
    pub const ALL: [SessionKind; 3] = [
        SessionKind::Feedback,
        SessionKind::Learning,
        SessionKind::Support,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SessionKind::Feedback => "feedback",
            SessionKind::Learning => "learning",
            SessionKind::Support => "support",
        }
    }

    pub fn parse(code: &str) -> Option<SessionKind> {
        SessionKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            SessionKind::Feedback => "Feedback session",
            SessionKind::Learning => "Learning session or tool",
            SessionKind::Support => "Support session on auditing",
        }
    }

    /// Feedback and support sessions invite people and ask them for feedback; a learning
    /// session is recorded with its audience and materials.
    pub fn invites(self) -> bool {
        matches!(self, SessionKind::Feedback | SessionKind::Support)
    }
}

pub const MAX_TITLE: usize = 200;
pub const MAX_PLACE: usize = 300;
pub const MAX_LINK: usize = 2_000;
pub const MAX_FEEDBACK_TEXT: usize = 5_000;
/// Sessions from a quarter of an hour to a working day.
pub const MINUTES: std::ops::RangeInclusive<i64> = 15..=480;

/// A session as the QA team arranges it. Times are Europe/London wall-clock times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPlan {
    pub title: String,
    pub starts_at: NaiveDateTime,
    pub minutes: i64,
    /// A room, or "Online".
    pub place: String,
    pub online_link: Option<String>,
    pub audience: String,
    pub materials_link: Option<String>,
}

fn problem(field: &str, message: &str) -> FormProblem {
    FormProblem {
        field: field.into(),
        message: message.into(),
    }
}

fn one_line(raw: Option<String>) -> String {
    raw.unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A web link: `https://` (or `http://`) and no spaces, so it is safe to put in `href`.
fn link(field: &str, raw: Option<String>, problems: &mut Vec<FormProblem>) -> Option<String> {
    let value = raw.unwrap_or_default().trim().to_string();
    if value.is_empty() {
        return None;
    }
    let lower = value.to_ascii_lowercase();
    let scheme_ok = lower.starts_with("https://") || lower.starts_with("http://");
    if !scheme_ok || value.len() > MAX_LINK || value.chars().any(char::is_whitespace) {
        problems.push(problem(
            field,
            "Enter a web link starting with https://, like https://teams.microsoft.com/…",
        ));
        return None;
    }
    Some(value)
}

impl SessionPlan {
    /// Reads `title`, `starts_at` (`datetime-local`), `minutes`, `place`, `online_link`,
    /// `audience` and `materials_link`. A place or an online link is needed; a session in
    /// the past is refused unless `past_allowed` (a learning session already held is
    /// recorded afterwards).
    pub fn parse(
        get: impl Fn(&str) -> Option<String>,
        now: NaiveDateTime,
        past_allowed: bool,
    ) -> Result<SessionPlan, Vec<FormProblem>> {
        let mut problems = Vec::new();
        let title = one_line(get("title"));
        if title.is_empty() {
            problems.push(problem("title", "Enter a title for the session"));
        } else if title.chars().count() > MAX_TITLE {
            problems.push(problem(
                "title",
                "The title must be 200 characters or fewer",
            ));
        }
        let starts_at = match get("starts_at").as_deref().map(str::trim) {
            None | Some("") => {
                problems.push(problem(
                    "starts_at",
                    "Enter the date and time of the session",
                ));
                None
            }
            Some(raw) => match super::ics::parse_local_time(raw) {
                None => {
                    problems.push(problem(
                        "starts_at",
                        "Enter a real date and time, like 12 January 2027 at 10:00",
                    ));
                    None
                }
                Some(t) if t < now && !past_allowed => {
                    problems.push(problem("starts_at", "The session must be in the future"));
                    None
                }
                Some(t) => Some(t),
            },
        };
        let minutes = match get("minutes").unwrap_or_default().trim().parse::<i64>() {
            Ok(m) if MINUTES.contains(&m) => m,
            _ => {
                problems.push(problem(
                    "minutes",
                    "Enter how long the session lasts, from 15 to 480 minutes",
                ));
                0
            }
        };
        let place = one_line(get("place"));
        if place.chars().count() > MAX_PLACE {
            problems.push(problem(
                "place",
                "The place must be 300 characters or fewer",
            ));
        }
        let online_link = link("online_link", get("online_link"), &mut problems);
        if place.is_empty()
            && online_link.is_none()
            && !problems.iter().any(|p| p.field == "online_link")
        {
            problems.push(problem(
                "place",
                "Enter where the session is, or a link to join it online",
            ));
        }
        let audience = one_line(get("audience"));
        if audience.chars().count() > MAX_PLACE {
            problems.push(problem(
                "audience",
                "The audience must be 300 characters or fewer",
            ));
        }
        let materials_link = link("materials_link", get("materials_link"), &mut problems);
        match (problems.is_empty(), starts_at) {
            (true, Some(starts_at)) => Ok(SessionPlan {
                title,
                starts_at,
                minutes,
                place: if place.is_empty() {
                    "Online".into()
                } else {
                    place
                },
                online_link,
                audience,
                materials_link,
            }),
            _ => Err(problems),
        }
    }
}

/// A rating from 1 to 5; the words are the form's.
pub const RATINGS: [(i64, &str); 5] = [
    (1, "Not at all"),
    (2, "A little"),
    (3, "Somewhat"),
    (4, "Mostly"),
    (5, "Very"),
];

/// One attendee's feedback on a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionFeedback {
    /// How useful the audit was to their practice.
    pub useful: i64,
    /// How well the discussion with the auditor went.
    pub discussion: i64,
    /// What would improve the audit.
    pub improve: String,
    pub comments: String,
}

impl SessionFeedback {
    pub fn parse(
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<SessionFeedback, Vec<FormProblem>> {
        let mut problems = Vec::new();
        let mut rating = |field: &str, question: &str| match get(field)
            .unwrap_or_default()
            .trim()
            .parse::<i64>()
        {
            Ok(n) if (1..=5).contains(&n) => n,
            _ => {
                problems.push(problem(field, &format!("Choose how {question}")));
                0
            }
        };
        let useful = rating("useful", "useful the audit was");
        let discussion = rating("discussion", "well the discussion with the auditor went");
        let mut text = |field: &str, label: &str| {
            let t = super::difference::tidy(&get(field).unwrap_or_default());
            if t.chars().count() > MAX_FEEDBACK_TEXT {
                problems.push(problem(
                    field,
                    &format!("{label} must be 5,000 characters or fewer"),
                ));
            }
            t
        };
        let improve = text("improve", "What would improve the audit");
        let comments = text("comments", "Your comments");
        if problems.is_empty() {
            Ok(SessionFeedback {
                useful,
                discussion,
                improve,
                comments,
            })
        } else {
            Err(problems)
        }
    }
}

/// A session's (or several sessions') feedback in figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackResults {
    pub responses: usize,
    /// Mean rating, if anyone answered.
    pub useful: Option<f64>,
    pub discussion: Option<f64>,
    /// How many gave each rating 1..=5.
    pub useful_counts: [usize; 5],
    pub discussion_counts: [usize; 5],
}

pub fn results(feedback: &[SessionFeedback]) -> FeedbackResults {
    let mut useful_counts = [0; 5];
    let mut discussion_counts = [0; 5];
    for f in feedback {
        if let Some(c) = usize::try_from(f.useful - 1)
            .ok()
            .and_then(|i| useful_counts.get_mut(i))
        {
            *c += 1;
        }
        if let Some(c) = usize::try_from(f.discussion - 1)
            .ok()
            .and_then(|i| discussion_counts.get_mut(i))
        {
            *c += 1;
        }
    }
    let mean = |counts: &[usize; 5]| {
        let n: usize = counts.iter().sum();
        (n > 0).then(|| {
            counts
                .iter()
                .enumerate()
                .map(|(i, c)| (i + 1) as f64 * *c as f64)
                .sum::<f64>()
                / n as f64
        })
    };
    FeedbackResults {
        responses: feedback.len(),
        useful: mean(&useful_counts),
        discussion: mean(&discussion_counts),
        useful_counts,
        discussion_counts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form<'a>(fields: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            fields
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    fn now() -> NaiveDateTime {
        super::super::ics::parse_local_time("2026-12-05T09:00").unwrap()
    }

    #[test]
    fn a_session_needs_a_title_a_future_time_a_length_and_somewhere_to_be() {
        let ok = SessionPlan::parse(
            form(&[
                ("title", " Audit  feedback "),
                ("starts_at", "2027-01-12T10:00"),
                ("minutes", "90"),
                ("place", "Room 2, Civic Centre"),
            ]),
            now(),
            false,
        )
        .unwrap();
        assert_eq!(ok.title, "Audit feedback");
        assert_eq!(ok.minutes, 90);
        let e = SessionPlan::parse(form(&[]), now(), false).unwrap_err();
        let fields: Vec<&str> = e.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["title", "starts_at", "minutes", "place"]);
        let e = SessionPlan::parse(
            form(&[
                ("title", "T"),
                ("starts_at", "2026-12-04T10:00"),
                ("minutes", "10"),
                ("place", "Room"),
            ]),
            now(),
            false,
        )
        .unwrap_err();
        assert_eq!(e[0].message, "The session must be in the future");
        assert_eq!(e[1].field, "minutes");
        assert!(SessionPlan::parse(
            form(&[
                ("title", "T"),
                ("starts_at", "2026-12-04T10:00"),
                ("minutes", "60"),
                ("place", "Room")
            ]),
            now(),
            true
        )
        .is_ok());
    }

    #[test]
    fn online_sessions_need_a_safe_link() {
        let ok = SessionPlan::parse(
            form(&[
                ("title", "T"),
                ("starts_at", "2027-01-12T10:00"),
                ("minutes", "60"),
                ("online_link", "https://teams.example/meet/1"),
            ]),
            now(),
            false,
        )
        .unwrap();
        assert_eq!(ok.place, "Online");
        for bad in ["javascript:alert(1)", "teams.example/x", "https://a b"] {
            let e = SessionPlan::parse(
                form(&[
                    ("title", "T"),
                    ("starts_at", "2027-01-12T10:00"),
                    ("minutes", "60"),
                    ("online_link", bad),
                ]),
                now(),
                false,
            )
            .unwrap_err();
            assert_eq!(e.len(), 1, "{bad}: only the link is named");
            assert_eq!(e[0].field, "online_link");
        }
    }

    #[test]
    fn feedback_needs_both_ratings_and_keeps_words_whole() {
        let f = SessionFeedback::parse(form(&[
            ("useful", "4"),
            ("discussion", "5"),
            ("improve", " More time\r\nplease "),
        ]))
        .unwrap();
        assert_eq!(f.improve, "More time\nplease");
        let e =
            SessionFeedback::parse(form(&[("useful", "0"), ("discussion", "six")])).unwrap_err();
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].field, "useful");
        let long = "x".repeat(MAX_FEEDBACK_TEXT + 1);
        let e = SessionFeedback::parse(form(&[
            ("useful", "1"),
            ("discussion", "1"),
            ("comments", &long),
        ]))
        .unwrap_err();
        assert_eq!(e[0].field, "comments");
    }

    #[test]
    fn results_count_and_average_ratings() {
        let f = |u, d| SessionFeedback {
            useful: u,
            discussion: d,
            improve: String::new(),
            comments: String::new(),
        };
        let r = results(&[f(5, 4), f(3, 4), f(4, 1)]);
        assert_eq!(r.responses, 3);
        assert_eq!(r.useful, Some(4.0));
        assert_eq!(r.discussion, Some(3.0));
        assert_eq!(r.useful_counts, [0, 0, 1, 1, 1]);
        assert_eq!(r.discussion_counts, [1, 0, 0, 2, 0]);
        let none = results(&[]);
        assert_eq!(none.useful, None);
    }

    #[test]
    fn kind_codes_round_trip() {
        for k in SessionKind::ALL {
            assert_eq!(SessionKind::parse(k.code()), Some(k));
        }
        assert!(SessionKind::Feedback.invites());
        assert!(!SessionKind::Learning.invites());
    }
}
