use super::{search_access_log, who_has_seen, AccessLine, AccessSearch};
use crate::domain::Role;
use crate::ui::{field_error, ErrorSummary, ErrorView, Pagination, SignedIn, Tag};
use crate::{AppError, FieldError};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
fn AccessTable(lines: Vec<AccessLine>, #[prop(optional)] with_record: bool) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Access log">
            <table class="table" data-testid="access-table">
                <caption class="visually-hidden">"Access log"</caption>
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"What"</th>
                        {with_record.then(|| view! { <th scope="col">"Record"</th> })}
                        <th scope="col">"Outcome"</th>
                        <th scope="col">"Request"</th>
                    </tr>
                </thead>
                <tbody>
                    {lines.into_iter().map(|l| {
                        let colour = if l.refused { "red" } else { "grey" };
                        view! {
                            <tr>
                                <td>{l.at}</td>
                                <td>{l.person}</td>
                                <td>{l.action}</td>
                                {with_record.then(|| view! { <td>{l.record.clone().unwrap_or_default()}</td> })}
                                <td><Tag text=l.outcome colour/></td>
                                <td class="mono">{l.request_id}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// *Who has seen this*: for the QA Manager and the Administrator, on a case's or an audit's
/// page. Folded away until opened, and read only then, so opening the page is not itself
/// a read of the log.
#[component]
pub fn WhoHasSeen(kind: &'static str, id: i64) -> impl IntoView {
    // Inside a page's island: the person it was drawn for.
    let allowed = use_context::<crate::auth::Me>()
        .is_some_and(|me| me.roles.any(&[Role::QaManager, Role::Administrator]));
    let allowed = move || allowed;
    // Read in the browser when first opened: not a resource, which (made inside an island
    // after the page's own data has come) the server would not send with the page.
    let lines = RwSignal::new(None::<Result<Vec<super::AccessLine>, AppError>>);
    let asked = StoredValue::new(false);
    let open = move |now_open: bool| {
        if now_open && !asked.get_value() {
            asked.set_value(true);
            leptos::task::spawn_local(async move {
                lines.set(Some(who_has_seen(kind.to_string(), id).await));
            });
        }
    };
    view! {
        <Show when=allowed>
            <details class="details no-print" data-testid="who-has-seen"
                on:toggle=move |ev| {
                    use leptos::wasm_bindgen::JsCast;
                    if let Some(d) = ev.target().and_then(|t| t.dyn_into::<leptos::web_sys::HtmlDetailsElement>().ok()) {
                        open(d.open());
                    }
                }>
                <summary class="details__summary">"Who has seen this"</summary>
                <div class="details__text">
                    <p class="body">
                        "Everyone who opened, changed or was refused this record, newest first (the last 50). "
                        <a href=format!("/access-log?{kind}={id}")>"Search the access log"</a>
                    </p>
                    {move || match lines.get() {
                        None => view! { <p class="loading">"Loading…"</p> }.into_any(),
                        Some(Ok(lines)) if lines.is_empty() => view! { <p class="body">"Nobody yet."</p> }.into_any(),
                        Some(Ok(lines)) => view! { <AccessTable lines/> }.into_any(),
                        Some(Err(error)) => view! { <ErrorView error/> }.into_any(),
                    }}
                </div>
            </details>
        </Show>
    }
}

type SearchInput = (
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<u32>,
);

/// `/access-log`: search by person, case or audit and dates, with a CSV of the same search.
#[component]
pub fn AccessLogPage() -> impl IntoView {
    let query = use_query_map();
    let input = move || -> SearchInput {
        let q = query.read();
        let text = |k: &str| q.get(k).filter(|v| !v.trim().is_empty());
        (
            text("person"),
            text("case"),
            text("audit"),
            text("from"),
            text("to"),
            q.get("page").and_then(|v| v.parse().ok()),
        )
    };
    let results = crate::codec::resource(input, |(person, case, audit, from, to, page)| {
        search_access_log(person, case, audit, from, to, page)
    });
    view! {
        <Title text="Access log"/>
        <SignedIn render=move |_me| view! {
            <h1 class="heading-l">"Access log"</h1>
            <p class="body">
                "Every time someone opened, changed, downloaded or was refused a case, an audit, a round, an import or a report. "
                "People are named here, but the log itself keeps only their ID. Searching it is logged too."
            </p>
            <Suspense fallback=|| view! { <p class="loading">"Searching…"</p> }>
                {move || Suspend::new(async move {
                    let typed = input();
                    match results.await {
                        Ok(found) => view! { <SearchForm typed errors=Vec::new() found=Some(found)/> }.into_any(),
                        Err(AppError::Invalid(errors)) => view! { <SearchForm typed errors found=None/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn SearchForm(
    typed: SearchInput,
    errors: Vec<FieldError>,
    found: Option<AccessSearch>,
) -> impl IntoView {
    let (person, case, audit, from, to, _) = typed;
    let field = |id: &'static str,
                 label: &'static str,
                 hint: &'static str,
                 kind: &'static str,
                 value: Option<String>,
                 errors: &[FieldError]| {
        let error = field_error(errors, id);
        let class = if error.is_some() {
            "form-group form-group--inline form-group--error"
        } else {
            "form-group form-group--inline"
        };
        let described = if error.is_some() {
            format!("{id}-hint {id}-error")
        } else {
            format!("{id}-hint")
        };
        view! {
            <div class=class>
                <label class="label" for=id>{label}</label>
                <div class="hint" id=format!("{id}-hint")>{hint}</div>
                {error.map(|m| view! { <p class="error-message" id=format!("{id}-error")><span class="visually-hidden">"Error: "</span>{m}</p> })}
                <input class="input input--width-10" type=kind id=id name=id value=value.unwrap_or_default()
                    inputmode=(kind == "text").then_some("numeric") maxlength="20" aria-describedby=described/>
            </div>
        }
    };
    let csv = found.as_ref().map(|f| {
        let mut params = vec![format!("from={}", f.from), format!("to={}", f.to)];
        for (k, v) in [("person", &person), ("case", &case), ("audit", &audit)] {
            if let Some(v) = v.as_deref().and_then(|v| v.trim().parse::<i64>().ok()) {
                params.push(format!("{k}={v}"));
            }
        }
        format!("/access-log.csv?{}", params.join("&"))
    });
    let page_link = {
        let csv = csv.clone();
        move |page: u32| {
            csv.clone()
                .unwrap_or_default()
                .replacen("/access-log.csv?", "/access-log?", 1)
                + &format!("&page={page}")
        }
    };
    view! {
        <ErrorSummary errors=errors.clone()/>
        // A plain GET form: the search works before the WebAssembly loads, and its address
        // holds IDs and dates only.
        <form method="get" action="/access-log" class="filters" novalidate>
            {field("person", "Person ID", "From their page under People", "text", person.clone(), &errors)}
            {field("case", "Case ID", "The number in the case's address", "text", case.clone(), &errors)}
            {field("audit", "Audit ID", "The number in the audit's address", "text", audit.clone(), &errors)}
            {field("from", "From", "For example 2026-11-01", "date", from.clone(), &errors)}
            {field("to", "To", "Up to a year after the start", "date", to.clone(), &errors)}
            <button type="submit" class="button">"Search"</button>
        </form>
        {found.map(|found| {
            let summary = format!(
                "{} {} from {} to {} · page {} of {}",
                found.total,
                if found.total == 1 { "entry" } else { "entries" },
                found.from, found.to, found.page, found.pages
            );
            view! {
                <p class="body" data-testid="access-count">{summary}</p>
                <p class="body"><a class="button button--secondary" href=csv.clone().unwrap_or_default() download>"Download as CSV"</a></p>
                {if found.lines.is_empty() {
                    view! { <p class="body">"Nothing matches this search."</p> }.into_any()
                } else {
                    view! { <AccessTable lines=found.lines with_record=true/> }.into_any()
                }}
                <Pagination page=found.page pages=found.pages href=page_link.clone()/>
            }
        })}
    }
}
