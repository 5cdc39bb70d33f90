//! Development themes: the QA team's list, tagging each locked audit's findings beside it
//! (never in it), and each theme's frequency and trend over rounds, with the related
//! domain's grades and the learning and support sessions held for it.

pub(crate) mod page;

pub use page::{AuditThemesPage, ThemePage, ThemesPage};

use crate::domain::report::FigureChart;
use crate::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeListing {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub domain: Option<String>,
    pub retired: bool,
    /// Audits carrying the theme, over all rounds.
    pub audits: i64,
    /// The last six rounds: ("Oct 2026", audits with the theme, audits with any theme).
    pub recent: Vec<(String, i64, i64)>,
    pub trend: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemesIndex {
    pub themes: Vec<ThemeListing>,
    /// The form's domains: (key, title).
    pub domains: Vec<(String, String)>,
    pub edits: bool,
}

/// A learning or support session held for a theme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThemeSession {
    pub id: i64,
    pub title: String,
    pub kind: crate::domain::sessions::SessionKind,
    pub when: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeView {
    pub listing: ThemeListing,
    pub chart: FigureChart,
    /// (round index in the chart, session title) for each session held.
    pub markers: Vec<(usize, String)>,
    pub sessions: Vec<ThemeSession>,
    pub domains: Vec<(String, String)>,
    pub edits: bool,
}

/// One finding of a locked audit, with the themes on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingView {
    /// `strengths`, `development`, `action` or `feedback`.
    pub finding: String,
    pub item_id: i64,
    pub label: String,
    pub text: String,
    pub themes: Vec<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingsOfAudit {
    pub audit_id: i64,
    pub month: String,
    pub findings: Vec<FindingView>,
    /// Live themes: (ID, name).
    pub themes: Vec<(i64, String)>,
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::domain::calendar::AuditMonth;
    use crate::domain::themes::{trend, RoundCount};
    use crate::server::failed;
    use crate::store::{Store, ThemeRow};
    use crate::AppError;

    pub async fn domains(store: &Store) -> Result<Vec<(String, String)>, AppError> {
        let (_, template) = store
            .current_template()
            .await
            .map_err(failed("read the audit form"))?;
        let domains: Vec<crate::domain::audit::TemplateDomain> =
            serde_json::from_str(&template).map_err(failed("read the audit form's domains"))?;
        Ok(domains.into_iter().map(|d| (d.key, d.title)).collect())
    }

    /// Each theme's rounds (oldest first) and the listing.
    pub async fn listings(
        store: &Store,
        themes: Vec<ThemeRow>,
        domains: &[(String, String)],
    ) -> Result<Vec<(super::ThemeListing, Vec<RoundCount>)>, AppError> {
        let per_round = store
            .theme_rounds()
            .await
            .map_err(failed("count themes per round"))?;
        let tagged = store
            .tagged_audits_per_round()
            .await
            .map_err(failed("count tagged audits"))?;
        Ok(themes
            .into_iter()
            .map(|t| {
                let rounds: Vec<RoundCount> = tagged
                    .iter()
                    .filter_map(|(m, all)| {
                        let month = AuditMonth::parse(m)?;
                        let audits = per_round
                            .iter()
                            .find(|r| r.theme_id == t.id && &r.audit_month == m)
                            .map(|r| r.audits)
                            .unwrap_or(0);
                        Some(RoundCount {
                            month,
                            audits: usize::try_from(audits).unwrap_or(0),
                            tagged_audits: usize::try_from(*all).unwrap_or(0),
                        })
                    })
                    .collect();
                let recent = rounds
                    .iter()
                    .rev()
                    .take(6)
                    .rev()
                    .map(|r| {
                        (
                            r.month.first_day().format("%b %Y").to_string(),
                            r.audits as i64,
                            r.tagged_audits as i64,
                        )
                    })
                    .collect();
                let listing = super::ThemeListing {
                    id: t.id,
                    audits: rounds.iter().map(|r| r.audits as i64).sum(),
                    trend: trend(&rounds).label().to_string(),
                    recent,
                    domain: t.domain_key.as_ref().and_then(|k| {
                        domains
                            .iter()
                            .find(|(dk, _)| dk == k)
                            .map(|(_, n)| n.clone())
                    }),
                    retired: t.retired_at.is_some(),
                    name: t.name,
                    description: t.description,
                };
                (listing, rounds)
            })
            .collect())
    }

    pub fn require_qa(actor: &crate::domain::Actor) -> Result<(), AppError> {
        if actor.roles.sees_every_case() {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub fn parse_text(
        domains: &[(String, String)],
        name: Option<String>,
        description: Option<String>,
        domain: Option<String>,
    ) -> Result<crate::domain::themes::ThemeText, AppError> {
        let fields = [
            ("name", name),
            ("description", description),
            ("domain", domain),
        ];
        let text = crate::domain::themes::ThemeText::parse(|k| {
            fields
                .iter()
                .find(|(n, _)| *n == k)
                .and_then(|(_, v)| v.clone())
        })
        .map_err(crate::server::invalid)?;
        if let Some(key) = &text.domain_key {
            if !domains.iter().any(|(k, _)| k == key) {
                return Err(AppError::Invalid(vec![crate::FieldError::new(
                    "domain",
                    "Choose a domain of the audit form",
                )]));
            }
        }
        Ok(text)
    }
}

#[server(endpoint = "themes_overview", output = crate::codec::Compact)]
pub async fn themes_overview() -> Result<ThemesIndex, AppError> {
    use crate::server::*;
    respond("themes_overview", async move {
        let (store, actor) = signed_in().await?;
        if !actor.roles.reads_learning() {
            return Err(AppError::Forbidden);
        }
        let domains = ssr::domains(&store).await?;
        let themes = store.themes().await.map_err(failed("list themes"))?;
        Ok(ThemesIndex {
            themes: ssr::listings(&store, themes, &domains)
                .await?
                .into_iter()
                .map(|(l, _)| l)
                .collect(),
            domains,
            edits: actor.roles.sees_every_case(),
        })
    })
    .await
}

#[server(endpoint = "add_theme", output = crate::codec::Compact)]
pub async fn add_theme(
    name: Option<String>,
    description: Option<String>,
    domain: Option<String>,
) -> Result<i64, AppError> {
    use crate::server::*;
    respond("add_theme", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_qa(&actor)?;
        let domains = ssr::domains(&store).await?;
        let text = ssr::parse_text(&domains, name, description, domain)?;
        store
            .add_theme(&text, actor.person_id, crate::server::clock::now())
            .await
            .map_err(failed("add a theme"))?
            .ok_or_else(|| {
                AppError::Invalid(vec![crate::FieldError::new(
                    "name",
                    format!(
                        "There is already a theme called \u{201c}{}\u{201d}",
                        text.name
                    ),
                )])
            })
    })
    .await
}

#[server(endpoint = "save_theme", output = crate::codec::Compact)]
pub async fn save_theme(
    id: i64,
    name: Option<String>,
    description: Option<String>,
    domain: Option<String>,
) -> Result<(), AppError> {
    use crate::server::*;
    respond("save_theme", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_qa(&actor)?;
        store
            .theme(id)
            .await
            .map_err(failed("read a theme"))?
            .ok_or(AppError::NotFound)?;
        let domains = ssr::domains(&store).await?;
        let text = ssr::parse_text(&domains, name, description, domain)?;
        if !store
            .update_theme(id, &text, actor.person_id, crate::server::clock::now())
            .await
            .map_err(failed("rename a theme"))?
        {
            return Err(AppError::Invalid(vec![crate::FieldError::new(
                "name",
                format!(
                    "There is already a theme called \u{201c}{}\u{201d}",
                    text.name
                ),
            )]));
        }
        Ok(())
    })
    .await
}

/// Retires a theme (kept with its tags, no longer offered) or brings it back.
#[server(endpoint = "retire_theme", output = crate::codec::Compact)]
pub async fn retire_theme(id: i64, retire: bool) -> Result<(), AppError> {
    use crate::server::*;
    respond("retire_theme", async move {
        let (store, actor) = signed_in().await?;
        ssr::require_qa(&actor)?;
        store
            .theme(id)
            .await
            .map_err(failed("read a theme"))?
            .ok_or(AppError::NotFound)?;
        store
            .retire_theme(id, retire, actor.person_id, crate::server::clock::now())
            .await
            .map_err(failed("retire a theme"))?;
        Ok(())
    })
    .await
}

#[server(endpoint = "theme_detail", output = crate::codec::Compact)]
pub async fn theme_detail(id: i64) -> Result<ThemeView, AppError> {
    use crate::server::*;
    respond("theme_detail", async move {
        let (store, actor) = signed_in().await?;
        if !actor.roles.reads_learning() {
            return Err(AppError::Forbidden);
        }
        let theme = store
            .theme(id)
            .await
            .map_err(failed("read a theme"))?
            .ok_or(AppError::NotFound)?;
        let domain_key = theme.domain_key.clone();
        let domains = ssr::domains(&store).await?;
        let (listing, rounds) = ssr::listings(&store, vec![theme], &domains)
            .await?
            .into_iter()
            .next()
            .ok_or(AppError::NotFound)?;
        let months: Vec<String> = rounds.iter().map(|r| r.month.to_string()).collect();
        let mut series = vec![(
            "Audits with this theme (%)".to_string(),
            rounds
                .iter()
                .map(|r| r.share().unwrap_or(0.0) * 100.0)
                .collect::<Vec<_>>(),
        )];
        if let (Some(key), Some(title)) = (domain_key, listing.domain.clone()) {
            let grades = store
                .domain_grades_per_round(&key)
                .await
                .map_err(failed("read a domain's grades"))?;
            series.push((
                format!("{title}: good or better (%)"),
                months
                    .iter()
                    .map(|m| {
                        grades
                            .iter()
                            .find(|g| &g.audit_month == m)
                            .filter(|g| g.graded > 0)
                            .map(|g| g.good as f64 * 100.0 / g.graded as f64)
                            .unwrap_or(0.0)
                    })
                    .collect(),
            ));
        }
        let sessions: Vec<crate::store::LearningSessionRow> = store
            .sessions()
            .await
            .map_err(failed("list sessions"))?
            .into_iter()
            .filter(|s| s.theme_id == Some(id))
            .collect();
        // A session is marked at the first round due after it, the first that could show
        // its effect.
        let markers = sessions
            .iter()
            .filter_map(|s| {
                let month = crate::domain::calendar::AuditMonth::of(s.starts_at.date()).to_string();
                months
                    .iter()
                    .position(|m| m >= &month)
                    .map(|i| (i, s.title.clone()))
            })
            .collect();
        Ok(ThemeView {
            chart: FigureChart {
                title: format!("{} by round", listing.name),
                categories: rounds
                    .iter()
                    .map(|r| r.month.first_day().format("%b %Y").to_string())
                    .collect(),
                series,
                percent: true,
            },
            markers,
            sessions: sessions
                .iter()
                .map(|s| ThemeSession {
                    id: s.id,
                    title: s.title.clone(),
                    kind: s.kind.0,
                    when: s.when(),
                })
                .collect(),
            listing,
            domains,
            edits: actor.roles.sees_every_case(),
        })
    })
    .await
}

/// A locked audit's findings for the QA team to tag.
#[server(endpoint = "audit_findings", output = crate::codec::Compact)]
pub async fn audit_findings(audit_id: i64) -> Result<FindingsOfAudit, AppError> {
    use crate::domain::themes::Finding;
    use crate::server::*;
    respond("audit_findings", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
        let (store, actor) = signed_in().await?;
        ssr::require_qa(&actor)?;
        let row = store
            .audit(audit_id)
            .await
            .map_err(failed("read an audit"))?
            .ok_or(AppError::NotFound)?;
        if !row.state.locked() {
            return Err(AppError::Invalid(vec![crate::FieldError::new(
                "",
                "Findings are tagged once the audit is completed and locked",
            )]));
        }
        let draft = saved_form(&row);
        let tags = store
            .audit_tags(audit_id)
            .await
            .map_err(failed("read an audit's themes"))?;
        let on = |finding: Finding, item_id: i64| -> Vec<i64> {
            tags.iter()
                .filter(|t| t.finding == finding && t.item_id == item_id)
                .map(|t| t.theme_id)
                .collect()
        };
        let mut findings = Vec::new();
        for (finding, text) in [
            (Finding::Strengths, draft.strengths.trim()),
            (Finding::Development, draft.development.trim()),
        ] {
            if !text.is_empty() {
                findings.push(FindingView {
                    finding: finding.code().into(),
                    item_id: audit_id,
                    label: finding.label().into(),
                    text: text.to_string(),
                    themes: on(finding, audit_id),
                });
            }
        }
        let actions = store
            .review_actions(audit_id)
            .await
            .map_err(failed("read an audit's actions"))?;
        for (n, a) in actions.iter().enumerate() {
            findings.push(FindingView {
                finding: Finding::Action.code().into(),
                item_id: a.id,
                label: format!("Required action {}", n + 1),
                text: a.action.clone(),
                themes: on(Finding::Action, a.id),
            });
        }
        for f in store
            .feedback(audit_id)
            .await
            .map_err(failed("read an audit's feedback"))?
        {
            findings.push(FindingView {
                finding: Finding::Feedback.code().into(),
                item_id: f.id,
                label: format!(
                    "Feedback: {}",
                    crate::audits::FEEDBACK_FROM
                        .iter()
                        .find(|(code, _)| *code == f.from_whom)
                        .map(|(_, label)| *label)
                        .unwrap_or("someone else")
                ),
                text: f.said.clone(),
                themes: on(Finding::Feedback, f.id),
            });
        }
        let themes = store
            .themes()
            .await
            .map_err(failed("list themes"))?
            .into_iter()
            .filter(|t| t.retired_at.is_none())
            .map(|t| (t.id, t.name))
            .collect();
        Ok(FindingsOfAudit {
            audit_id,
            month: row.month_label(),
            findings,
            themes,
        })
    })
    .await
}

/// Saves the themes on every finding of a locked audit. Ticks are named
/// `tag[<finding>:<item>:<theme>]`.
#[server(endpoint = "tag_audit", output = crate::codec::Compact)]
pub async fn tag_audit(
    audit_id: i64,
    tag: Option<HashMap<String, String>>,
) -> Result<(), AppError> {
    use crate::domain::themes::Finding;
    use crate::server::*;
    use crate::store::Tag;
    respond("tag_audit", async move {
        trail::touch(crate::domain::trail::Record::Audit(audit_id));
        let (store, actor) = signed_in().await?;
        // Reading the findings again checks the audit is locked and what may be tagged.
        let findings = audit_findings(audit_id).await?;
        let live: Vec<i64> = findings.themes.iter().map(|(id, _)| *id).collect();
        let mut tags: Vec<Tag> = tag
            .unwrap_or_default()
            .keys()
            .filter_map(|k| {
                let mut parts = k.split(':');
                let finding = Finding::parse(parts.next()?)?;
                let item_id = parts.next()?.parse::<i64>().ok()?;
                let theme_id = parts.next()?.parse::<i64>().ok()?;
                let known = findings
                    .findings
                    .iter()
                    .any(|f| f.finding == finding.code() && f.item_id == item_id);
                (known && live.contains(&theme_id)).then_some(Tag {
                    theme_id,
                    finding,
                    item_id,
                })
            })
            .collect();
        tags.sort();
        tags.dedup();
        store
            .set_audit_tags(
                audit_id,
                &tags,
                actor.person_id,
                crate::server::clock::now(),
            )
            .await
            .map_err(failed("tag an audit's findings"))?;
        Ok(())
    })
    .await
}
