//! Email delivery, as the Administrator sees it: emails not yet sent, and those that failed,
//! with the reason the mail server gave. A failed email can be put back in the queue.

use crate::ui::{form_errors, ErrorSummary, ErrorView, SignedIn, Tag};
use crate::ui::{Form, FormAction};
use crate::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// The most problems listed at once.
pub const LIMIT: i64 = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailProblem {
    pub id: i64,
    pub person: String,
    pub subject: String,
    pub attempts: i64,
    pub reason: String,
    pub created_at: DateTime<Utc>,
    /// `None` once it has failed for good.
    pub next_attempt_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxView {
    /// Emails not yet sent: waiting, being retried or failed.
    pub unsent: i64,
    pub problems: Vec<EmailProblem>,
}

#[cfg(feature = "ssr")]
fn require_administrator(actor: &crate::domain::Actor) -> Result<(), AppError> {
    if actor.roles.has(crate::domain::Role::Administrator) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

#[server(endpoint = "outbox_problems", output = crate::codec::Compact)]
pub async fn outbox_problems() -> Result<OutboxView, AppError> {
    use crate::server::*;
    respond("outbox_problems", async move {
        let (store, actor) = signed_in().await?;
        require_administrator(&actor)?;
        let unsent = store
            .outbox_unsent()
            .await
            .map_err(failed("count unsent emails"))?;
        let problems = store
            .outbox_problems(LIMIT)
            .await
            .map_err(failed("list email problems"))?
            .into_iter()
            .map(|r| EmailProblem {
                id: r.id,
                person: r.person,
                subject: r.subject,
                attempts: r.attempts,
                reason: r.last_error.unwrap_or_default(),
                created_at: r.created_at,
                next_attempt_at: r.failed_at.is_none().then_some(r.next_attempt_at),
            })
            .collect();
        Ok(OutboxView { unsent, problems })
    })
    .await
}

/// Puts a failed email back in the queue; the sender tries it straight away.
#[server(endpoint = "retry_email", output = crate::codec::Compact)]
pub async fn retry_email(email_id: i64) -> Result<(), AppError> {
    use crate::server::*;
    respond("retry_email", async move {
        let (store, actor) = signed_in().await?;
        require_administrator(&actor)?;
        if !store
            .retry_email(email_id, chrono::Utc::now())
            .await
            .map_err(failed("retry an email"))?
        {
            return Err(AppError::Invalid(vec![crate::FieldError::new(
                "retry",
                "Only an email that failed can be tried again; this one is sent or still being retried",
            )]));
        }
        if let Some(site) = use_context::<SiteSettings>() {
            site.outbox.wake();
        }
        tracing::info!(email_id, person_id = actor.person_id, "email put back in the queue");
        Ok(())
    })
    .await
}

#[component]
pub fn OutboxPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Outbox.draw(route.clone(), Some(me))/> }
}

pub(crate) fn outbox_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let retry = FormAction::<RetryEmail>::new();
    let view_data = crate::codec::resource(move || retry.version().get(), |_| outbox_problems());
    let errors = move || form_errors(retry.value().get());
    view! {
        <Title text="Email delivery"/>
        <SignedIn render=move |_me| view! {
            <h1 class="heading-l">"Email delivery"</h1>
            <p class="body">"Every alert is also emailed. Emails go out after the change that raised them is saved, and a failed one is tried again, waiting longer each time, for about a day. The alerts are in people's trays all along."</p>
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match view_data.await {
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                        Ok(v) => view! {
                            <p class="body" data-testid="unsent">{format!("{} {} not sent yet.", v.unsent, if v.unsent == 1 { "email" } else { "emails" })}</p>
                            {if v.problems.is_empty() {
                                view! { <p class="body">"No email has failed."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid="email-problems">
                                        <thead><tr>
                                            <th scope="col">"To"</th>
                                            <th scope="col">"Subject"</th>
                                            <th scope="col">"Tries"</th>
                                            <th scope="col">"Reason"</th>
                                            <th scope="col">"Status"</th>
                                        </tr></thead>
                                        <tbody>
                                            {v.problems.into_iter().map(|p| view! {
                                                <tr>
                                                    <td>{p.person}</td>
                                                    <td>{p.subject}</td>
                                                    <td>{p.attempts}</td>
                                                    <td>{p.reason}</td>
                                                    <td>{match p.next_attempt_at {
                                                        Some(at) => view! { <Tag text="Retrying" colour="yellow"/>{format!(" next at {}", at.format("%-d %B %H:%M"))} }.into_any(),
                                                        None => view! {
                                                            <Tag text="Failed" colour="red"/>
                                                            <Form action=retry attr:class="inline-form">
                                                                <input type="hidden" name="email_id" value=p.id.to_string()/>
                                                                <button type="submit" class="button button--secondary">"Try again"</button>
                                                            </Form>
                                                        }.into_any(),
                                                    }}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table></div>
                                }.into_any()
                            }}
                        }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}
