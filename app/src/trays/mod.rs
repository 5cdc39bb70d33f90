//! My tray: alerts raised for this person.

use crate::ui::{ErrorView, SignedIn, Tag};
use crate::ui::{Form, FormAction};
use crate::{AppError, FieldError};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub use crate::store::NewAlert;

/// The most alerts the tray shows at once.
pub const TRAY_LIMIT: i64 = 100;

pub use crate::domain::alert::ARCHIVE_AFTER_DAYS;

pub use crate::domain::alert::AlertKind;

/// Which of a person's alerts the tray shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Showing {
    /// Everything not yet archived.
    #[default]
    Current,
    Unread,
    Archived,
}

impl Showing {
    pub fn code(self) -> &'static str {
        match self {
            Showing::Current => "current",
            Showing::Unread => "unread",
            Showing::Archived => "archived",
        }
    }
}

/// The tray's filter, read from its address (`?kind=…&show=…`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrayFilter {
    pub kind: Option<AlertKind>,
    pub show: Showing,
}

impl TrayFilter {
    /// Empty values mean "any"; anything unknown is refused rather than ignored, so a
    /// filtered tray never silently shows everything.
    pub fn parse(kind: Option<&str>, show: Option<&str>) -> Result<TrayFilter, AppError> {
        let bad =
            |field: &str, message: &str| AppError::Invalid(vec![FieldError::new(field, message)]);
        let kind = match kind.unwrap_or("") {
            "" | "any" => None,
            code => Some(
                AlertKind::parse(code)
                    .ok_or_else(|| bad("kind", "Choose a type of alert from the list"))?,
            ),
        };
        let show = match show.unwrap_or("") {
            "" | "current" => Showing::Current,
            "unread" => Showing::Unread,
            "archived" => Showing::Archived,
            _ => return Err(bad("show", "Choose which alerts to show from the list")),
        };
        Ok(TrayFilter { kind, show })
    }
}

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
    pub archived: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrayView {
    pub filter: TrayFilter,
    pub alerts: Vec<Alert>,
    /// How many match the filter, when more than [`TRAY_LIMIT`] do.
    pub matching: i64,
    pub archive_after_days: i64,
}

#[server(endpoint = "my_tray", output = crate::codec::Compact)]
pub async fn my_tray(kind: Option<String>, show: Option<String>) -> Result<TrayView, AppError> {
    use crate::server::*;
    respond("my_tray", async move {
        let (store, actor) = signed_in().await?;
        let filter = TrayFilter::parse(kind.as_deref(), show.as_deref())?;
        let (rows, matching) = store
            .tray(
                actor.person_id,
                filter.kind.map(AlertKind::code),
                filter.show.code(),
                TRAY_LIMIT,
            )
            .await
            .map_err(failed("my tray"))?;
        let archive_after_days = use_context::<SiteSettings>()
            .map(|s| s.archive_after_days)
            .unwrap_or(ARCHIVE_AFTER_DAYS);
        Ok(TrayView {
            filter,
            matching,
            archive_after_days,
            alerts: rows
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
                    archived: r.archived_at.is_some(),
                })
                .collect(),
        })
    })
    .await
}

/// Moves alerts older than `age_days` into their owners' archives and tells their open
/// trays. Run by the server every hour; returns how many alerts it archived.
#[cfg(feature = "ssr")]
pub async fn archive_old_alerts(
    store: &crate::store::Store,
    events: &crate::server::EventBus,
    now: DateTime<Utc>,
    age_days: i64,
) -> Result<u64, crate::store::StoreError> {
    let (archived, people) = store
        .archive_alerts(now - chrono::Duration::days(age_days), now)
        .await?;
    if archived > 0 {
        tracing::info!(archived, people = people.len(), "old alerts archived");
        events.announce(&people);
    }
    Ok(archived)
}

/// Marks one of the signed-in person's alerts read.
#[server(endpoint = "mark_alert_read", output = crate::codec::Compact)]
pub async fn mark_alert_read(alert_id: i64) -> Result<(), AppError> {
    use crate::server::*;
    respond("mark_alert_read", async move {
        let (store, actor) = signed_in().await?;
        let found = store
            .mark_alert_read(actor.person_id, alert_id, crate::server::clock::now())
            .await
            .map_err(failed("mark alert read"))?;
        // Someone else's alert looks the same as a missing one.
        if !found {
            return Err(AppError::NotFound);
        }
        announce(&[actor.person_id]);
        Ok(())
    })
    .await
}

#[component]
pub fn TrayPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Tray.draw(route.clone(), Some(me))/> }
}

pub(crate) fn tray_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let mark = FormAction::<MarkAlertRead>::new();
    let live = crate::live::signals().0;
    let query = crate::ui::use_query_map();
    let filter = move || {
        let q = query.read();
        (q.get("kind"), q.get("show"))
    };
    // Refetched as alerts arrive or are read in another tab.
    let tray = crate::codec::resource(
        move || (filter(), mark.version().get(), live.get()),
        |((kind, show), _, _)| my_tray(kind, show),
    );
    // Screen readers hear what changed without the focus moving: new alerts as they
    // arrive, and that an alert was marked read (its button is gone, so the focus goes
    // to the heading rather than falling to the page's top).
    let announcement = RwSignal::new(String::new());
    let heading = NodeRef::<leptos::html::H1>::new();
    // Counted per filter: changing the filter is not news.
    let unread_before = StoredValue::new(None::<(TrayFilter, usize)>);
    Effect::new(move |_| {
        let Some(Ok(view)) = tray.get() else { return };
        let unread = view
            .alerts
            .iter()
            .filter(|a| !a.read && !a.archived)
            .count();
        if let Some((filter, before)) = unread_before.get_value() {
            if filter == view.filter && unread > before {
                let n = unread - before;
                announcement.set(format!(
                    "{n} new {}",
                    if n == 1 { "alert" } else { "alerts" }
                ));
            }
        }
        unread_before.set_value(Some((view.filter, unread)));
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = mark.value().get() {
            announcement.set("Alert marked as read".into());
            if let Some(h) = heading.get() {
                let _ = h.focus();
            }
        }
    });
    view! {
        <Title text="My tray"/>
        <SignedIn render=move |_me| view! {
            <h1 class="heading-l" tabindex="-1" node_ref=heading>"My tray"</h1>
            <p class="visually-hidden" role="status" aria-live="polite" data-testid="tray-announcement">{move || announcement.get()}</p>
            <Transition fallback=|| view! { <p class="loading">"Loading your tray…"</p> }>
                {move || Suspend::new(async move {
                    match tray.await {
                        Ok(view) => view! { <TrayFilterForm filter=view.filter/> <TrayList view mark/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

/// A plain GET form, so filtering works before the WebAssembly loads.
#[component]
fn TrayFilterForm(filter: TrayFilter) -> impl IntoView {
    view! {
        <form method="get" class="filters" data-testid="tray-filter">
            <div class="form-group form-group--inline">
                <label class="label" for="kind">"Type"</label>
                <select class="select" id="kind" name="kind">
                    <option value="" selected=filter.kind.is_none()>"All types"</option>
                    {AlertKind::ALL.iter().map(|k| view! {
                        <option value=k.code() selected=filter.kind == Some(*k)>{k.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="form-group form-group--inline">
                <label class="label" for="show">"Show"</label>
                <select class="select" id="show" name="show">
                    {[(Showing::Current, "All current alerts"), (Showing::Unread, "Unread only"), (Showing::Archived, "Archived")].into_iter().map(|(s, label)| view! {
                        <option value=s.code() selected=filter.show == s>{label}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button button--secondary">"Filter"</button>
        </form>
    }
}

#[component]
fn TrayList(view: TrayView, mark: FormAction<MarkAlertRead>) -> impl IntoView {
    let filtered = view.filter != TrayFilter::default();
    let shown = view.alerts.len() as i64;
    let note = match view.filter.show {
        Showing::Archived => format!(
            "Alerts move here {} days after they were raised. They are kept, never deleted.",
            view.archive_after_days
        ),
        _ => format!(
            "Alerts older than {} days move to the archive.",
            view.archive_after_days
        ),
    };
    if view.alerts.is_empty() {
        let empty = if filtered {
            "No alerts match this filter."
        } else {
            "You have no alerts. Alerts about cases and audits you are involved in will appear here."
        };
        return view! {
            <p class="body" data-testid="tray-empty">{empty}</p>
            <p class="hint">{note}</p>
        }
        .into_any();
    }
    view! {
        {(view.matching > shown).then(|| view! { <p class="body">{format!("Showing the newest {shown} of {} alerts.", view.matching)}</p> })}
        <ul class="tray" data-testid="tray">
            {view.alerts.into_iter().map(|a| view! {
                <li class="tray__item" class:tray__item--unread=!a.read data-kind=a.kind.clone()>
                    {(!a.read).then(|| view! { <Tag text="Unread" colour="blue"/> })}
                    {a.archived.then(|| view! { <Tag text="Archived" colour="grey"/> })}
                    <p class="body">{a.body}</p>
                    <p class="hint">{a.created_at.format("%-d %B %Y, %H:%M").to_string()}</p>
                    // Apart, so a finger on a tablet cannot touch both (WCAG 2.2's target spacing).
                    <div class="button-group tray__actions">
                        {a.link.map(|href| view! { <a class="tray__link" href=href>"Open"</a> })}
                        {(!a.read && !a.archived).then(|| view! {
                            <Form action=mark attr:class="inline-form">
                                <input type="hidden" name="alert_id" value=a.id.to_string()/>
                                <button type="submit" class="button button--secondary">"Mark as read"</button>
                            </Form>
                        })}
                    </div>
                </li>
            }).collect_view()}
        </ul>
        <p class="hint">{note}</p>
    }
    .into_any()
}
