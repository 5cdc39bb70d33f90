//! The audit action review: after filing, the Team Manager records the progress of each
//! required action, adds their own, and finalises. No I/O.

use super::audit::{FormProblem, MAX_ACTION, MAX_TEXT};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The longest evidence link, in characters.
pub const MAX_LINK: usize = 2_000;
/// The longest action owner, in characters.
pub const MAX_OWNER: usize = 200;

/// Who reviews a filed audit's actions: the Team Manager on the audit, or its Service
/// Manager when the team had none.
pub fn reviewer(team_manager_id: Option<i64>, service_manager_id: Option<i64>) -> Option<i64> {
    team_manager_id.or(service_manager_id)
}

/// An action as the review shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActionProgress {
    Open,
    Done,
}

impl ActionProgress {
    pub fn code(self) -> &'static str {
        match self {
            ActionProgress::Open => "open",
            ActionProgress::Done => "done",
        }
    }

    pub fn parse(code: &str) -> Option<ActionProgress> {
        match code {
            "open" => Some(ActionProgress::Open),
            "done" => Some(ActionProgress::Done),
            _ => None,
        }
    }
}

/// Open and past its due date (due today is not yet overdue).
pub fn overdue(status: ActionProgress, due_on: NaiveDate, today: NaiveDate) -> bool {
    status == ActionProgress::Open && due_on < today
}

/// One update to one action, as the Team Manager records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionUpdate {
    pub progress: String,
    pub evidence: String,
    pub link: Option<String>,
    pub status: ActionProgress,
    /// When it was done, or when it was found not yet done.
    pub on: NaiveDate,
}

fn problem(field: &str, message: &str) -> FormProblem {
    FormProblem {
        field: field.into(),
        message: message.into(),
    }
}

fn text(raw: Option<&str>) -> String {
    raw.unwrap_or_default().trim().to_string()
}

fn date(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

/// An evidence link: a web address a colleague can open (http or https, no spaces).
pub fn parse_link(raw: &str) -> Result<Option<String>, &'static str> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let lower = raw.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    match rest {
        _ if raw.chars().count() > MAX_LINK => Err("The link must be 2,000 characters or fewer"),
        Some(host) if !host.is_empty() && !raw.contains(char::is_whitespace) => {
            Ok(Some(raw.to_string()))
        }
        _ => {
            Err("Enter a link starting with https://, for example https://sharepoint.example/file")
        }
    }
}

impl ActionUpdate {
    /// Reads an update from the form's fields (`progress`, `evidence`, `link`, `status`, `on`);
    /// `filed_on` is when the audit was completed (nothing is done before it).
    pub fn parse(
        get: impl Fn(&str) -> Option<String>,
        filed_on: NaiveDate,
        today: NaiveDate,
    ) -> Result<ActionUpdate, Vec<FormProblem>> {
        let mut problems = Vec::new();
        let progress = text(get("progress").as_deref());
        let evidence = text(get("evidence").as_deref());
        if progress.is_empty() {
            problems.push(problem(
                "progress",
                "Enter the progress made on this action",
            ));
        }
        for (field, value) in [("progress", &progress), ("evidence", &evidence)] {
            if value.chars().count() > MAX_TEXT {
                problems.push(problem(field, "This must be 10,000 characters or fewer"));
            }
        }
        let link = match parse_link(&get("link").unwrap_or_default()) {
            Ok(link) => link,
            Err(message) => {
                problems.push(problem("link", message));
                None
            }
        };
        let status = get("status").as_deref().and_then(ActionProgress::parse);
        if status.is_none() {
            problems.push(problem("status", "Choose whether the action is done"));
        }
        let on = match get("on")
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => {
                problems.push(problem("on", "Enter the date, for example 2027-01-31"));
                None
            }
            Some(raw) => match date(raw) {
                None => {
                    problems.push(problem("on", "Enter a real date, for example 2027-01-31"));
                    None
                }
                Some(d) if d > today => {
                    problems.push(problem("on", "The date must be today or in the past"));
                    None
                }
                Some(d) if d < filed_on => {
                    problems.push(problem(
                        "on",
                        "The date must be on or after the day the audit was filed",
                    ));
                    None
                }
                Some(d) => Some(d),
            },
        };
        match (status, on) {
            (Some(status), Some(on)) if problems.is_empty() => Ok(ActionUpdate {
                progress,
                evidence,
                link,
                status,
                on,
            }),
            _ => Err(problems),
        }
    }
}

/// An action the Team Manager adds in the review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAction {
    pub action: String,
    pub owner: String,
    pub due_on: NaiveDate,
}

impl NewAction {
    pub fn parse(
        get: impl Fn(&str) -> Option<String>,
        today: NaiveDate,
    ) -> Result<NewAction, Vec<FormProblem>> {
        let mut problems = Vec::new();
        let action = text(get("action").as_deref());
        let owner = text(get("owner").as_deref());
        if action.is_empty() {
            problems.push(problem("action", "Enter the action"));
        } else if action.chars().count() > MAX_ACTION {
            problems.push(problem(
                "action",
                "The action must be 1,000 characters or fewer",
            ));
        }
        if owner.is_empty() {
            problems.push(problem("owner", "Enter who will do it"));
        } else if owner.chars().count() > MAX_OWNER {
            problems.push(problem(
                "owner",
                "The owner must be 200 characters or fewer",
            ));
        }
        let due_on = match get("due_on").as_deref().map(date) {
            Some(Some(d)) if d >= today => Some(d),
            Some(Some(_)) => {
                problems.push(problem("due-on", "The due date must be today or later"));
                None
            }
            _ => {
                problems.push(problem(
                    "due-on",
                    "Enter a due date, for example 2027-02-28",
                ));
                None
            }
        };
        match due_on {
            Some(due_on) if problems.is_empty() => Ok(NewAction {
                action,
                owner,
                due_on,
            }),
            _ => Err(problems),
        }
    }
}

/// What a review waits for before it can be finalised: every action has at least one
/// update. Returns the positions (from 1) of actions with none.
pub fn not_yet_updated(updates_per_action: &[usize]) -> Vec<usize> {
    updates_per_action
        .iter()
        .enumerate()
        .filter(|(_, n)| **n == 0)
        .map(|(i, _)| i + 1)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn fields(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn the_team_manager_reviews_or_else_the_service_manager() {
        assert_eq!(reviewer(Some(4), Some(9)), Some(4));
        assert_eq!(reviewer(None, Some(9)), Some(9));
        assert_eq!(reviewer(None, None), None);
    }

    #[test]
    fn overdue_means_open_and_past_due() {
        let due = d(2027, 1, 31);
        assert!(!overdue(ActionProgress::Open, due, due));
        assert!(overdue(ActionProgress::Open, due, d(2027, 2, 1)));
        assert!(!overdue(ActionProgress::Done, due, d(2027, 3, 1)));
    }

    #[test]
    fn a_good_update_parses() {
        let u = ActionUpdate::parse(
            fields(&[
                ("progress", " Plan reviewed with the family "),
                ("evidence", "Minutes of 3 Feb"),
                ("link", "https://sharepoint.example/minutes"),
                ("status", "done"),
                ("on", "2027-02-03"),
            ]),
            d(2027, 1, 20),
            d(2027, 2, 4),
        )
        .unwrap();
        assert_eq!(u.progress, "Plan reviewed with the family");
        assert_eq!(u.status, ActionProgress::Done);
        assert_eq!(u.on, d(2027, 2, 3));
        assert_eq!(
            u.link.as_deref(),
            Some("https://sharepoint.example/minutes")
        );
    }

    #[test]
    fn bad_updates_name_each_field() {
        let problems = ActionUpdate::parse(
            fields(&[("link", "javascript:alert(1)"), ("on", "2027-13-01")]),
            d(2027, 1, 20),
            d(2027, 2, 4),
        )
        .unwrap_err();
        let named: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(named, ["progress", "link", "status", "on"]);

        let future = ActionUpdate::parse(
            fields(&[("progress", "x"), ("status", "open"), ("on", "2027-02-05")]),
            d(2027, 1, 20),
            d(2027, 2, 4),
        )
        .unwrap_err();
        assert_eq!(future[0].message, "The date must be today or in the past");
        let before_filing = ActionUpdate::parse(
            fields(&[("progress", "x"), ("status", "open"), ("on", "2027-01-19")]),
            d(2027, 1, 20),
            d(2027, 2, 4),
        )
        .unwrap_err();
        assert_eq!(before_filing[0].field, "on");
    }

    #[test]
    fn links_must_be_web_addresses() {
        assert_eq!(parse_link("  "), Ok(None));
        assert!(parse_link("http://intranet/x").is_ok());
        assert!(parse_link("https://").is_err());
        assert!(parse_link("ftp://x").is_err());
        assert!(parse_link("https://a b").is_err());
        assert!(parse_link(&format!("https://{}", "a".repeat(MAX_LINK))).is_err());
    }

    #[test]
    fn new_actions_need_text_an_owner_and_a_due_date_not_past() {
        let today = d(2027, 2, 4);
        let ok = NewAction::parse(
            fields(&[
                ("action", "Update the chronology"),
                ("owner", "Key worker"),
                ("due_on", "2027-02-28"),
            ]),
            today,
        )
        .unwrap();
        assert_eq!(ok.due_on, d(2027, 2, 28));
        let bad = NewAction::parse(fields(&[("due_on", "2027-02-01")]), today).unwrap_err();
        let named: Vec<&str> = bad.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(named, ["action", "owner", "due-on"]);
    }

    #[test]
    fn finalising_waits_for_an_update_to_every_action() {
        assert_eq!(not_yet_updated(&[1, 0, 2, 0]), vec![2, 4]);
        assert!(not_yet_updated(&[]).is_empty());
    }
}
