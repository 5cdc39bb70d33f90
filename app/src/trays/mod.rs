//! My tray: alerts raised for this person.

use crate::ui::{ErrorView, SignedIn, Tag};
use crate::AppError;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
mod raise;
#[cfg(feature = "ssr")]
pub use raise::{raise, AlertKind, Email, Mailer, NewAlert, SendEmail, SendResult};

/// The most alerts the tray shows at once.
pub const TRAY_LIMIT: i64 = 100;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: i64,
    pub kind: String,
    pub case_id: Option<i64>,
    pub body: String,
    /// Where the alert takes its reader.
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read: bool,
}

#[server(endpoint = "my_tray")]
pub async fn my_tray() -> Result<Vec<Alert>, AppError> {
    use crate::server::*;
    respond(async move {
        let (store, actor) = signed_in().await?;
        let rows = store
            .tray(actor.person_id, TRAY_LIMIT)
            .await
            .map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|r| Alert {
                id: r.id,
                kind: r.kind,
                case_id: r.case_id,
                link: r
                    .link
                    .or_else(|| r.case_id.map(|id| format!("/cases/{id}"))),
                body: r.body,
                created_at: r.created_at,
                read: r.read_at.is_some(),
            })
            .collect())
    })
    .await
}

/// Marks one of the signed-in person's alerts read.
#[server(endpoint = "mark_alert_read")]
pub async fn mark_alert_read(alert_id: i64) -> Result<(), AppError> {
    use crate::server::*;
    respond(async move {
        let (store, actor) = signed_in().await?;
        let found = store
            .mark_alert_read(actor.person_id, alert_id, Utc::now())
            .await
            .map_err(internal)?;
        // Someone else's alert looks the same as a missing one.
        if !found {
            return Err(AppError::NotFound);
        }
        if let Some(site) = use_context::<crate::server::SiteSettings>() {
            site.events.0.published(&[actor.person_id]);
        }
        Ok(())
    })
    .await
}

#[component]
pub fn TrayPage() -> impl IntoView {
    let mark = ServerAction::<MarkAlertRead>::new();
    let live = crate::auth::use_auth().live;
    // Refetched as alerts arrive or are read in another tab.
    let tray = Resource::new(move || (mark.version().get(), live.get()), |_| my_tray());
    view! {
        <Title text="My tray"/>
        <SignedIn render=move |_me| view! {
            <h1 class="heading-l">"My tray"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading your tray…"</p> }>
                {move || Suspend::new(async move {
                    match tray.await {
                        Ok(alerts) if alerts.is_empty() => view! {
                            <p class="body" data-testid="tray-empty">"You have no alerts. Alerts about cases and audits you are involved in will appear here."</p>
                        }.into_any(),
                        Ok(alerts) => view! {
                            <ul class="tray" data-testid="tray">
                                {alerts.into_iter().map(|a| view! {
                                    <li class="tray__item" class:tray__item--unread=!a.read>
                                        {(!a.read).then(|| view! { <Tag text="Unread" colour="blue"/> })}
                                        <p class="body">{a.body}</p>
                                        <p class="hint">{a.created_at.format("%-d %B %Y, %H:%M").to_string()}</p>
                                        {a.link.map(|href| view! { <a class="tray__link" href=href>"Open"</a> })}
                                        {(!a.read).then(|| view! {
                                            <ActionForm action=mark attr:class="inline-form">
                                                <input type="hidden" name="alert_id" value=a.id.to_string()/>
                                                <button type="submit" class="button button--secondary">"Mark as read"</button>
                                            </ActionForm>
                                        })}
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}
