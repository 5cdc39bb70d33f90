use super::{list_cases, open_case, CaseListPage, CaseRecord, CaseRow};
use crate::domain::AnnexList;
use crate::ui::{use_params_map, use_query_map};
use crate::ui::{ErrorView, Pagination, SignedIn, Tag};
use crate::ui::{Form, FormAction};
use leptos::prelude::*;
use leptos_meta::Title;

fn lists_text(lists: &[AnnexList]) -> String {
    lists
        .iter()
        .map(|l| l.title())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A table of cases; shared by `/cases` and the home pages.
#[component]
pub fn CaseTable(rows: Vec<CaseRow>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
            <table class="table" data-testid="case-table">
                <caption class="visually-hidden">"Cases"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Child Unique ID"</th>
                        <th scope="col">"Subject"</th>
                        <th scope="col">"Annex A list"</th>
                        <th scope="col">"Team"</th>
                        <th scope="col">"Key worker"</th>
                        <th scope="col">"Why you can see it"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|row| {
                            view! {
                                <tr>
                                    <td><a href=format!("/cases/{}", row.id)>{row.child_unique_id}</a></td>
                                    <td>{row.subject.label()}</td>
                                    <td>{lists_text(&row.lists)}</td>
                                    <td>{row.team.unwrap_or_else(|| "Not known".into())}</td>
                                    <td>{row.key_worker.unwrap_or_else(|| "Not allocated".into())}</td>
                                    <td><Tag text=row.access.label() colour="grey"/></td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn CasesPage() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        let q = query.read();
        (
            q.get("team").and_then(|v| v.parse::<i64>().ok()),
            q.get("list").and_then(|v| v.parse::<u8>().ok()),
            q.get("page").and_then(|v| v.parse::<u32>().ok()),
            q.get("lead").filter(|v| v == "none"),
        )
    };
    let cases = crate::codec::resource(filter, |(team, list, page, lead)| {
        list_cases(team, list, page, lead)
    });
    view! {
        <Title text="Cases"/>
        <SignedIn render=move |_me| view! {
            <h1 class="heading-l">"Cases"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading cases…"</p> }>
                {move || Suspend::new(async move {
                    match cases.await {
                        Ok(data) => view! { <CaseList data filter=filter()/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn CaseList(
    data: CaseListPage,
    filter: (Option<i64>, Option<u8>, Option<u32>, Option<String>),
) -> impl IntoView {
    let (team, list, _, lead) = filter;
    let without_lead = lead.is_some();
    let link = move |page: u32| {
        let mut params = vec![format!("page={page}")];
        if let Some(t) = team {
            params.push(format!("team={t}"));
        }
        if let Some(l) = list {
            params.push(format!("list={l}"));
        }
        if without_lead {
            params.push("lead=none".into());
        }
        format!("/cases?{}", params.join("&"))
    };
    let summary = format!(
        "{} open {} · page {} of {}",
        data.total,
        if data.total == 1 { "case" } else { "cases" },
        data.page,
        data.pages
    );
    view! {
        // A plain GET form: filtering works before the WebAssembly loads.
        <form method="get" action="/cases" class="filters">
            <div class="form-group form-group--inline">
                <label class="label" for="team">"Team"</label>
                <select class="select" id="team" name="team">
                    <option value="">"All teams"</option>
                    {data.teams.into_iter().map(|t| view! {
                        <option value=t.id.to_string() selected=team == Some(t.id)>{t.name}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="form-group form-group--inline">
                <label class="label" for="list">"Annex A list"</label>
                <select class="select" id="list" name="list">
                    <option value="">"All lists"</option>
                    {AnnexList::ALL.into_iter().map(|l| view! {
                        <option value=l.number().to_string() selected=list == Some(l.number())>{l.title()}</option>
                    }).collect_view()}
                </select>
            </div>
            <label class="checkbox" for="lead">
                <input type="checkbox" id="lead" name="lead" value="none" checked=without_lead/>
                "Only cases with no lead practitioner"
            </label>
            <button type="submit" class="button button--secondary">"Apply filters"</button>
        </form>
        <p class="body" data-testid="case-count">{summary}</p>
        {if data.rows.is_empty() {
            view! { <p class="body">"There are no open cases to show."</p> }.into_any()
        } else {
            view! { <CaseTable rows=data.rows/> }.into_any()
        }}
        <Pagination page=data.page pages=data.pages href=link/>
    }
}

#[component]
pub fn CasePage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Case.draw(route.clone(), Some(me))/> }
}

pub(crate) fn case_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let params = use_params_map();
    let case_id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let set_iro = FormAction::<crate::directory::SetCaseIro>::new();
    let set_lead = FormAction::<crate::directory::SetLeadPractitioner>::new();
    let record = crate::codec::resource(
        move || (case_id(), set_iro.version().get(), set_lead.version().get()),
        |(id, _, _)| async move {
            match id {
                Some(id) => open_case(id).await,
                None => Err(crate::AppError::NotFound),
            }
        },
    );
    view! {
        <SignedIn render=move |_me| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading case…"</p> }>
                {move || Suspend::new(async move {
                    match record.await {
                        Ok(record) => view! { <CaseRecordView record set_iro set_lead/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn CaseRecordView(
    record: CaseRecord,
    set_iro: FormAction<crate::directory::SetCaseIro>,
    set_lead: FormAction<crate::directory::SetLeadPractitioner>,
) -> impl IntoView {
    let none = || "None".to_string();
    let case_id = record.id;
    let history = record.history;
    let audits = record.audits;
    let iro_choices = record.iro_choices;
    let lead_choices = record.lead_choices;
    let iro_errors = move || crate::ui::form_errors(set_iro.value().get());
    // Errors come back in the URL when the form was sent before the WebAssembly loaded.
    let lead_from_url = crate::ui::url_error(&[
        <crate::directory::SetLeadPractitioner as leptos::server_fn::ServerFn>::PATH,
    ]);
    let lead_errors = move || crate::ui::answer_errors(set_lead.value().get(), lead_from_url);
    let lead_unknown = lead_choices
        .as_ref()
        .is_some_and(|c| c.key_worker_id.is_none());
    let rows: Vec<(&str, String)> = vec![
        ("Child Unique ID", record.child_unique_id.clone()),
        ("Subject", record.subject.label().to_string()),
        ("Annex A lists", lists_text(&record.lists)),
        ("Team", record.team.unwrap_or_else(|| "Not known".into())),
        (
            "Key worker",
            record.key_worker.unwrap_or_else(|| "Not allocated".into()),
        ),
        ("Team Manager", record.team_manager.unwrap_or_else(none)),
        (
            "Service Manager",
            record.service_manager.unwrap_or_else(none),
        ),
        ("IRO / CP Chair", record.iro.unwrap_or_else(none)),
    ];
    view! {
        <Title text=format!("Case {}", record.child_unique_id)/>
        <span class="caption">"Case"</span>
        <h1 class="heading-l" data-testid="case-heading">{record.child_unique_id.clone()}</h1>
        <p>
            {if record.open { view! { <Tag text="Open" colour="green"/> } } else { view! { <Tag text="Closed" colour="grey"/> } }}
            " "
            <Tag text=record.access.label() colour="grey"/>
        </p>
        <dl class="summary-list">
            {rows.into_iter().map(|(k, v)| view! {
                <div class="summary-list__row">
                    <dt class="summary-list__key">{k}</dt>
                    <dd class="summary-list__value">{v}</dd>
                </div>
            }).collect_view()}
        </dl>
        {lead_unknown.then(|| view! {
            <div class="inset" data-testid="lead-unknown">
                "This case has no lead practitioner, so it is not drawn for audit. Set its team and lead practitioner below, or upload a Lead practitioners file in the directory."
            </div>
        })}
        {lead_choices.map(|choices| view! {
            <details class="details" open=move || lead_unknown || !lead_errors().is_empty()>
                <summary>{if lead_unknown { "Set the team and lead practitioner" } else { "Change the team and lead practitioner" }}</summary>
                {move || view! { <crate::ui::ErrorSummary errors=lead_errors()/> }}
                <Form action=set_lead attr:class="panel" attr:data-testid="lead-form">
                    <input type="hidden" name="case_id" value=case_id.to_string()/>
                    <div class="form-group" class:form-group--error=move || crate::ui::field_error(&lead_errors(), "lead-team").is_some()>
                        <label class="label" for="lead-team">"Team"</label>
                        {move || crate::ui::field_error(&lead_errors(), "lead-team").map(|m| view! { <p class="error-message" id="lead-team-error">{m}</p> })}
                        <select class="select" id="lead-team" name="team_id">
                            <option value="" selected=choices.team_id.is_none()>"Choose a team"</option>
                            {choices.teams.into_iter().map(|(id, name)| view! { <option value=id.to_string() selected=choices.team_id == Some(id)>{name}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="form-group" class:form-group--error=move || crate::ui::field_error(&lead_errors(), "lead-worker").is_some()>
                        <label class="label" for="lead-worker">"Lead practitioner"</label>
                        {move || crate::ui::field_error(&lead_errors(), "lead-worker").map(|m| view! { <p class="error-message" id="lead-worker-error">{m}</p> })}
                        <select class="select" id="lead-worker" name="key_worker_id">
                            <option value="" selected=choices.key_worker_id.is_none()>"Choose a key worker"</option>
                            {choices.key_workers.into_iter().map(|(id, name)| view! { <option value=id.to_string() selected=choices.key_worker_id == Some(id)>{name}</option> }).collect_view()}
                        </select>
                    </div>
                    <button type="submit" class="button" disabled=move || set_lead.pending().get()>"Save the lead practitioner"</button>
                </Form>
            </details>
        })}
        {iro_choices.map(|(choices, current)| view! {
            <details class="details" open=move || !iro_errors().is_empty()>
                <summary>"Change the IRO / CP Chair"</summary>
                <Form action=set_iro attr:class="inline-form">
                    <input type="hidden" name="case_id" value=case_id.to_string()/>
                    <label class="label" for="iro">"IRO / CP Chair"</label>
                    {move || crate::ui::field_error(&iro_errors(), "iro").map(|m| view! { <p class="error-message">{m}</p> })}
                    <select class="select" id="iro" name="iro_id">
                        <option value="" selected=current.is_none()>"None"</option>
                        {choices.into_iter().map(|(id, name)| view! { <option value=id.to_string() selected=current == Some(id)>{name}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="button button--secondary">"Save"</button>
                </Form>
            </details>
        })}
        <h2 class="heading-m">"Audits"</h2>
        {if audits.is_empty() {
            view! { <p class="body" data-testid="case-audits-none">"No audit of this case that you may open."</p> }.into_any()
        } else {
            view! {
                <crate::ui::TableWrap>
                    <table class="table" data-testid="case-audits">
                        <caption class="visually-hidden">"Audits of this case"</caption>
                        <thead><tr>
                            <th scope="col">"Round"</th>
                            <th scope="col">"Due"</th>
                            <th scope="col">"Auditor"</th>
                            <th scope="col">"Status"</th>
                        </tr></thead>
                        <tbody>
                            {audits.into_iter().map(|a| view! {
                                <tr>
                                    <td><a href=format!("/audits/{}", a.id)>{a.month.clone()}</a></td>
                                    <td>{a.due_on.format("%-d %B %Y").to_string()}</td>
                                    <td>{a.auditor.clone()}</td>
                                    <td>{crate::ui::state_tag(a.state)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </crate::ui::TableWrap>
            }.into_any()
        }}
        {(!history.is_empty()).then(|| view! {
            <h2 class="heading-m">"History"</h2>
            <ul class="list" data-testid="case-history">
                {history.into_iter().map(|(at, text)| view! {
                    <li><span class="hint">{at.format("%-d %B %Y").to_string()}": "</span>{text}</li>
                }).collect_view()}
            </ul>
        })}
        <crate::access_log::WhoHasSeen kind="case" id=case_id/>
    }
}
