//! The audit form's template: the QA Manager revises its domains without code changes.
//! Each revision is a new version; audits already assigned keep the version they started with.

use crate::domain::annex_import::header_key;
use crate::domain::audit::TemplateDomain;
use crate::ui::{field_error, form_errors, ErrorSummary, ErrorView, SignedIn, Tag};
use crate::ui::{Form, FormAction};
use crate::{AppError, FieldError};
use leptos::prelude::*;
use leptos_meta::Title;
use std::collections::HashMap;

/// The most domains a template may have.
pub const MAX_DOMAINS: usize = 20;

#[server(endpoint = "audit_template", output = crate::codec::Compact)]
pub async fn audit_template() -> Result<(i64, Vec<TemplateDomain>), AppError> {
    use crate::server::*;
    respond("audit_template", async move {
        let (store, actor) = signed_in().await?;
        if !actor.roles.has(crate::domain::Role::QaManager) {
            return Err(AppError::Forbidden);
        }
        let (version, domains) = store
            .current_template()
            .await
            .map_err(failed("audit template"))?;
        Ok((
            version,
            serde_json::from_str(&domains).map_err(failed("audit template"))?,
        ))
    })
    .await
}

/// Reads the template form (`t[title-<n>]`, `t[prompt-<n>]`, `t[key-<n>]`). A row with no
/// title is dropped; a new row's key comes from its title.
pub fn parse_template(t: &HashMap<String, String>) -> Result<Vec<TemplateDomain>, Vec<FieldError>> {
    let mut domains: Vec<TemplateDomain> = Vec::new();
    let mut errors = Vec::new();
    for n in 0..MAX_DOMAINS + 2 {
        let get = |f: &str| {
            t.get(&format!("{f}-{n}"))
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        let (title, prompt) = (get("title"), get("prompt"));
        if title.is_empty() {
            if !prompt.is_empty() {
                errors.push(FieldError::new(
                    &format!("title-{n}"),
                    "Give this domain a title, or clear its question",
                ));
            }
            continue;
        }
        if title.chars().count() > 120 || prompt.chars().count() > 500 {
            errors.push(FieldError::new(
                &format!("title-{n}"),
                "A title must be 120 characters or fewer, and a question 500",
            ));
        }
        // A kept key names the domain in saved audits: short, letters, digits and `_` only.
        let key = Some(get("key"))
            .filter(|k| {
                !k.is_empty()
                    && k.len() <= 60
                    && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
            .unwrap_or_else(|| header_key(&title));
        if domains
            .iter()
            .any(|d| d.key == key || header_key(&d.title) == header_key(&title))
        {
            errors.push(FieldError::new(
                &format!("title-{n}"),
                format!("\"{title}\" is already in the template"),
            ));
        }
        domains.push(TemplateDomain { key, title, prompt });
    }
    if domains.is_empty() && errors.is_empty() {
        errors.push(FieldError::new(
            "title-0",
            "The template needs at least one domain",
        ));
    }
    if domains.len() > MAX_DOMAINS {
        errors.push(FieldError::new(
            "title-0",
            format!("A template can have up to {MAX_DOMAINS} domains"),
        ));
    }
    if errors.is_empty() {
        Ok(domains)
    } else {
        Err(errors)
    }
}

#[server(endpoint = "publish_template", output = crate::codec::Compact)]
pub async fn publish_template(t: Option<HashMap<String, String>>) -> Result<i64, AppError> {
    use crate::server::*;
    respond("publish_template", async move {
        let (store, actor) = signed_in().await?;
        if !actor.roles.has(crate::domain::Role::QaManager) {
            return Err(AppError::Forbidden);
        }
        let domains = parse_template(&t.unwrap_or_default()).map_err(AppError::Invalid)?;
        // Every auditor is told, so nobody starts an audit expecting the old form.
        let auditors = store.auditor_ids().await.map_err(failed("list the auditors"))?;
        let mut told = Notices::new();
        let version = store
            .publish_template(
                &serde_json::to_string(&domains).map_err(failed("publish template"))?,
                crate::server::clock::now(),
                |version| {
                    let mut notices = Notices::new();
                    for person_id in auditors {
                        notices.alert(NewAlert {
                            person_id,
                            kind: crate::domain::alert::AlertKind::FormRevised,
                            case_id: None,
                            link: "/templates".into(),
                            body: format!(
                                "Version {version} of the audit form is published. Audits assigned from now on use it."
                            ),
                        });
                    }
                    told = notices.clone();
                    notices
                },
            )
            .await
            .map_err(failed("publish an audit form"))?;
        committed(&told);
        tracing::info!(
            version,
            person_id = actor.person_id,
            "audit template published"
        );
        Ok(version)
    })
    .await
}

#[component]
pub fn TemplatePage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Template.draw(route.clone(), Some(me))/> }
}

pub(crate) fn template_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let publish = FormAction::<PublishTemplate>::new();
    let current = crate::codec::resource(move || publish.version().get(), |_| audit_template());
    let errors = move || form_errors(publish.value().get());
    view! {
        <Title text="Audit form template"/>
        <SignedIn render=move |_me| view! {
            <h1 class="heading-l">"Audit form template"</h1>
            <p class="body">"The domains every audit is graded on. Publishing makes a new version for audits assigned from now on; audits already under way keep the version they started with. Clear a title to remove a domain."</p>
            {move || publish.value().get().and_then(Result::ok).map(|v| view! { <p class="body" role="status" data-testid="published"><Tag text="Published" colour="green"/>{format!(" Version {v} is now used for new audits.")}</p> })}
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Suspense fallback=|| view! { <p class="loading">"Loading the template…"</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok((version, domains)) => {
                            let rows = domains.len() + 2;
                            view! {
                                <p class="hint">{format!("Current version: {version}")}</p>
                                <Form action=publish attr:data-testid="template-form">
                                    {(0..rows).map(|n| {
                                        let d = domains.get(n).cloned();
                                        let (tf, pf) = (format!("title-{n}"), format!("prompt-{n}"));
                                        let tf2 = tf.clone();
                                        view! {
                                            <fieldset class="fieldset">
                                                <legend class="fieldset__legend">{if d.is_some() { format!("Domain {}", n + 1) } else { "New domain".to_string() }}</legend>
                                                <input type="hidden" name=format!("t[key-{n}]") value=d.as_ref().map(|d| d.key.clone()).unwrap_or_default()/>
                                                <div class="form-group">
                                                    <label class="label" for=tf.clone()>"Title"</label>
                                                    {move || field_error(&errors(), &tf2).map(|m| view! { <p class="error-message">{m}</p> })}
                                                    <input class="input" id=tf.clone() name=format!("t[{tf}]") value=d.as_ref().map(|d| d.title.clone()).unwrap_or_default()/>
                                                </div>
                                                <div class="form-group">
                                                    <label class="label" for=pf.clone()>"Question for the auditor"</label>
                                                    <input class="input" id=pf.clone() name=format!("t[{pf}]") value=d.map(|d| d.prompt).unwrap_or_default()/>
                                                </div>
                                            </fieldset>
                                        }
                                    }).collect_view()}
                                    <button type="submit" class="button">"Publish a new version"</button>
                                </Form>
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn rows_become_domains_keeping_keys_and_dropping_cleared_ones() {
        let t = form(&[
            ("key-0", "voice"),
            ("title-0", "Voice of the child"),
            ("prompt-0", "Is the child heard?"),
            ("key-1", "recording"),
            ("title-1", ""),
            ("title-2", "Education and health"),
        ]);
        let d = parse_template(&t).unwrap();
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].key, "voice");
        assert_eq!(d[1].key, "educationandhealth");
    }

    #[test]
    fn duplicates_orphan_questions_and_empty_templates_are_refused() {
        let dup = form(&[("title-0", "Voice"), ("title-1", "voice ")]);
        assert_eq!(parse_template(&dup).unwrap_err()[0].field, "title-1");
        let orphan = form(&[("title-0", "Voice"), ("prompt-1", "A question")]);
        assert_eq!(parse_template(&orphan).unwrap_err()[0].field, "title-1");
        assert_eq!(
            parse_template(&HashMap::new()).unwrap_err()[0].message,
            "The template needs at least one domain"
        );
    }
}
