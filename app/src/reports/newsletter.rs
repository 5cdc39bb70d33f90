//! The staff newsletter's summary of audit activity: drafted from a period's audits, themes,
//! Make A Difference summaries and coming sessions, edited and checked for disclosure by
//! the QA team, and kept per issue of the newsletter.

use crate::domain::difference::FlagView;
use crate::AppError;
#[cfg(feature = "ssr")]
use chrono::NaiveDate;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewsletterListing {
    pub id: i64,
    pub issue: String,
    pub period: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewsletterView {
    pub id: i64,
    pub issue: String,
    pub period: String,
    pub version: i64,
    pub body: String,
    /// The text as HTML paragraphs and lists, for pasting into the newsletter.
    pub html: String,
    pub flags: Vec<FlagView>,
    pub outstanding: usize,
    pub updated: String,
    pub finalised: Option<String>,
    pub edits: bool,
}

pub const MAX_NEWSLETTER: usize = 5_000;
pub const MAX_ISSUE: usize = 100;

/// The text as HTML: blank lines part paragraphs, "- " lines make a list; everything
/// escaped.
pub fn newsletter_html(text: &str) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut out = Vec::new();
    for block in text.split("\n\n").map(str::trim).filter(|b| !b.is_empty()) {
        let mut paragraph = Vec::new();
        let mut items = Vec::new();
        for line in block.lines() {
            match line.trim_start().strip_prefix("- ") {
                Some(item) => items.push(format!("<li>{}</li>", escape(item.trim()))),
                None => paragraph.push(escape(line.trim())),
            }
        }
        if !paragraph.is_empty() {
            out.push(format!("<p>{}</p>", paragraph.join("<br>")));
        }
        if !items.is_empty() {
            out.push(format!("<ul>{}</ul>", items.join("")));
        }
    }
    out.join("\n")
}

#[cfg(feature = "ssr")]
fn period_text(from: NaiveDate, to: NaiveDate) -> String {
    format!("{} to {}", from.format("%-d %B %Y"), to.format("%-d %B %Y"))
}

#[server(endpoint = "newsletters_overview", output = crate::codec::Compact)]
pub async fn newsletters_overview() -> Result<(Vec<NewsletterListing>, bool), AppError> {
    use crate::server::*;
    respond("newsletters_overview", async move {
        let (store, actor) = signed_in().await?;
        super::ssr::require_reader(&actor)?;
        let list = store
            .newsletters()
            .await
            .map_err(failed("list newsletter summaries"))?
            .into_iter()
            .map(|n| NewsletterListing {
                id: n.id,
                issue: n.issue,
                period: period_text(n.period_from, n.period_to),
                status: if n.finalised_at.is_some() {
                    "Final".into()
                } else {
                    "Draft".into()
                },
            })
            .collect();
        Ok((list, actor.roles.sees_every_case()))
    })
    .await
}

/// Drafts the summary for one issue of the newsletter from the period's activity.
#[server(endpoint = "start_newsletter", output = crate::codec::Compact)]
pub async fn start_newsletter(
    issue: Option<String>,
    period_from: Option<String>,
    period_to: Option<String>,
) -> Result<i64, AppError> {
    use crate::domain::report::{newsletter_draft, NewsletterFacts};
    use crate::server::*;
    use crate::FieldError;
    respond("start_newsletter", async move {
        let (store, actor) = signed_in().await?;
        if !actor.roles.sees_every_case() {
            return Err(AppError::Forbidden);
        }
        let mut problems = Vec::new();
        let issue = issue
            .unwrap_or_default()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if issue.is_empty() {
            problems.push(FieldError::new(
                "issue",
                "Enter the newsletter issue, like January 2027",
            ));
        } else if issue.chars().count() > MAX_ISSUE {
            problems.push(FieldError::new(
                "issue",
                "The issue must be 100 characters or fewer",
            ));
        }
        let date =
            |raw: Option<String>, field: &str, label: &str, problems: &mut Vec<FieldError>| {
                let parsed = raw
                    .as_deref()
                    .map(str::trim)
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
                if parsed.is_none() {
                    problems.push(FieldError::new(
                        field,
                        format!("Enter the {label}, like 1 December 2026"),
                    ));
                }
                parsed
            };
        let from = date(
            period_from,
            "period_from",
            "first day of the period",
            &mut problems,
        );
        let to = date(
            period_to,
            "period_to",
            "last day of the period",
            &mut problems,
        );
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                problems.push(FieldError::new(
                    "period_to",
                    "The last day must be the same as or after the first",
                ));
            }
        }
        let (Some(from), Some(to), true) = (from, to, problems.is_empty()) else {
            return Err(AppError::Invalid(problems));
        };
        // The period's London days, from the first's midnight to the midnight after the last.
        use crate::domain::calendar::london_midnight;
        let start = london_midnight(from);
        let end = london_midnight(to.succ_opt().unwrap_or(to));
        let (completed, good) = store
            .completed_between(start, end)
            .await
            .map_err(failed("count audits for the newsletter"))?;
        let themes = store
            .themes_between(start, end)
            .await
            .map_err(failed("read themes for the newsletter"))?;
        let pick = |finding: &str| -> Vec<(String, usize)> {
            themes
                .iter()
                .filter(|(f, _, _)| f == finding)
                .map(|(_, name, n)| (name.clone(), usize::try_from(*n).unwrap_or(0)))
                .collect()
        };
        let differences = store
            .differences_between(start, end)
            .await
            .map_err(failed("read Make A Difference for the newsletter"))?;
        let now = crate::server::clock::now();
        let upcoming = store
            .sessions_after(crate::domain::calendar::london_time(now))
            .await
            .map_err(failed("read sessions for the newsletter"))?
            .into_iter()
            .map(|s| {
                (
                    s.title,
                    format!(
                        "{} at {}",
                        s.starts_at.format("%A %-d %B %Y"),
                        s.starts_at.format("%H:%M")
                    ),
                )
            })
            .collect();
        let body = newsletter_draft(&NewsletterFacts {
            period: period_text(from, to),
            completed: usize::try_from(completed).unwrap_or(0),
            good_or_better: usize::try_from(good).unwrap_or(0),
            strengths: pick("strengths"),
            development: pick("development"),
            differences,
            upcoming,
        });
        let id = store
            .start_newsletter(&issue, from, to, &body, actor.person_id, now)
            .await
            .map_err(failed("start a newsletter summary"))?
            .ok_or_else(|| {
                AppError::Invalid(vec![FieldError::new(
                    "issue",
                    "There is already a summary for that issue: open it from the list",
                )])
            })?;
        leptos_axum::redirect(&format!("/newsletters/{id}"));
        Ok(id)
    })
    .await
}

#[server(endpoint = "newsletter_detail", output = crate::codec::Compact)]
pub async fn newsletter_detail(id: i64) -> Result<NewsletterView, AppError> {
    use crate::domain::calendar::london_time;
    use crate::server::*;
    respond("newsletter_detail", async move {
        trail::touch(crate::domain::trail::Record::Newsletter(id));
        let (store, actor) = signed_in().await?;
        super::ssr::require_reader(&actor)?;
        let row = store
            .newsletter(id)
            .await
            .map_err(failed("read a newsletter summary"))?
            .ok_or(AppError::NotFound)?;
        let draft = row.finalised_at.is_none();
        let edits = draft && actor.roles.sees_every_case();
        let flags = if edits {
            super::ssr::flag_views(&store, &row.body, &row.cleared)
                .await?
                .2
        } else {
            Vec::new()
        };
        Ok(NewsletterView {
            id,
            period: period_text(row.period_from, row.period_to),
            version: row.version,
            html: newsletter_html(&row.body),
            outstanding: flags.iter().filter(|f| f.cleared.is_none()).count(),
            flags,
            updated: format!(
                "{} by {}",
                london_time(row.updated_at).format("%-d %B %Y %H:%M"),
                row.updated_by
            ),
            finalised: row.finalised_at.map(|t| {
                format!(
                    "Final on {} by {}",
                    london_time(t).format("%-d %B %Y"),
                    row.finalised_by.clone().unwrap_or_default()
                )
            }),
            issue: row.issue,
            body: row.body,
            edits,
        })
    })
    .await
}

#[cfg(feature = "ssr")]
async fn editable(
    store: &crate::store::Store,
    actor: &crate::domain::Actor,
    id: i64,
) -> Result<crate::store::NewsletterRow, AppError> {
    use crate::server::failed;
    if !actor.roles.sees_every_case() {
        return Err(AppError::Forbidden);
    }
    let row = store
        .newsletter(id)
        .await
        .map_err(failed("read a newsletter summary"))?
        .ok_or(AppError::NotFound)?;
    if row.finalised_at.is_some() {
        return Err(AppError::Invalid(vec![crate::FieldError::new(
            "",
            "This summary is final and can no longer be changed",
        )]));
    }
    Ok(row)
}

#[server(endpoint = "save_newsletter", output = crate::codec::Compact)]
pub async fn save_newsletter(id: i64, version: i64, body: Option<String>) -> Result<(), AppError> {
    use crate::server::*;
    use crate::FieldError;
    respond("save_newsletter", async move {
        trail::touch(crate::domain::trail::Record::Newsletter(id));
        let (store, actor) = signed_in().await?;
        let row = editable(&store, &actor, id).await?;
        let body = crate::domain::difference::tidy(&body.unwrap_or_default());
        if body.is_empty() {
            return Err(AppError::Invalid(vec![FieldError::new(
                "body",
                "Enter the summary",
            )]));
        }
        if body.chars().count() > MAX_NEWSLETTER {
            return Err(AppError::Invalid(vec![FieldError::new(
                "body",
                "The summary must be 5,000 characters or fewer",
            )]));
        }
        if !store
            .save_newsletter(id, version, &body, actor.person_id, crate::server::clock::now())
            .await
            .map_err(failed("save a newsletter summary"))?
        {
            return Err(AppError::Invalid(vec![FieldError::new(
                "body",
                format!(
                    "{} saved a newer version since you opened it. Copy your changes, reload the page and make them again.",
                    row.updated_by
                ),
            )]));
        }
        Ok(())
    })
    .await
}

#[server(endpoint = "clear_newsletter_flag", output = crate::codec::Compact)]
pub async fn clear_newsletter_flag(
    id: i64,
    key: String,
    reason: Option<String>,
) -> Result<(), AppError> {
    use crate::server::*;
    respond("clear_newsletter_flag", async move {
        trail::touch(crate::domain::trail::Record::Newsletter(id));
        let (store, actor) = signed_in().await?;
        let row = editable(&store, &actor, id).await?;
        let json =
            super::ssr::clear_flag(&store, &actor, &row.body, &row.cleared, key, reason).await?;
        store
            .set_newsletter_cleared(id, &json)
            .await
            .map_err(failed("clear a newsletter flag"))?;
        Ok(())
    })
    .await
}

/// Keeps the summary as final for its issue, once the disclosure check is settled.
#[server(endpoint = "finalise_newsletter", output = crate::codec::Compact)]
pub async fn finalise_newsletter(id: i64, version: i64) -> Result<(), AppError> {
    use crate::server::*;
    use crate::FieldError;
    respond("finalise_newsletter", async move {
        trail::touch(crate::domain::trail::Record::Newsletter(id));
        let (store, actor) = signed_in().await?;
        let row = editable(&store, &actor, id).await?;
        if row.version != version {
            return Err(AppError::Invalid(vec![FieldError::new(
                "finalise",
                "The summary changed since you checked it: read it again first",
            )]));
        }
        super::ssr::disclosure_settled(&store, &row.body, &row.cleared, "flags").await?;
        if !store
            .finalise_newsletter(id, version, actor.person_id, crate::server::clock::now())
            .await
            .map_err(failed("finalise a newsletter summary"))?
        {
            return Err(AppError::Invalid(vec![FieldError::new(
                "finalise",
                "The summary changed since you checked it: read it again first",
            )]));
        }
        Ok(())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_and_keeps_paragraphs_and_lists() {
        assert_eq!(
            newsletter_html("Hello <b>&\nnext\n\nComing up:\n- One\n- Two"),
            "<p>Hello &lt;b&gt;&amp;<br>next</p>\n<p>Coming up:</p>\n<ul><li>One</li><li>Two</li></ul>"
        );
        assert_eq!(newsletter_html("  \n\n "), "");
    }
}
