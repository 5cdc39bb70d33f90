use super::{
    import_detail, lead_practitioner_gaps, list_imports, ApplyImport, DiscardImport, ImportView,
    LeadGaps, MapImportName, UploadAnnexA,
};
use crate::domain::annex_import::header_key;
use crate::domain::pool_update::{PlanSummary, UnknownName};
use crate::domain::AnnexList;
use crate::ui::use_params_map;
use crate::ui::{field_error, form_errors, url_error, ErrorSummary, ErrorView, SignedIn, Tag};
use crate::ui::{Form, FormAction};
use crate::{AppError, FieldError};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

pub fn status_tag(status: &str) -> impl IntoView {
    let (text, colour) = match status {
        "rejected" => ("Not imported: problems", "red"),
        "staged" => ("Checked, not applied", "blue"),
        "applied" => ("Applied", "green"),
        _ => ("Discarded", "grey"),
    };
    view! { <Tag text=text colour=colour/> }
}

fn errors_of(error: Option<AppError>) -> Vec<FieldError> {
    match error {
        Some(AppError::Invalid(errors)) => errors,
        Some(other) => vec![FieldError::new("", other.to_string())],
        None => Vec::new(),
    }
}

#[component]
pub fn ImportsPage() -> impl IntoView {
    let imports = crate::codec::resource(|| (), |_| list_imports());
    let gaps = crate::codec::resource(|| (), |_| lead_practitioner_gaps());
    let from_url = url_error(&[<UploadAnnexA as ServerFn>::PATH]);
    let errors = move || errors_of(from_url());
    let upload_path = <UploadAnnexA as ServerFn>::PATH;
    view! {
        <Title text="Annex A imports"/>
        <SignedIn render=move |_me| view! {
            <h1 class="heading-l">"Annex A imports"</h1>
            <p class="body">"Upload the council's Annex A workbook, or one list as a CSV file. The whole file is checked first: if anything is wrong, nothing is imported and every problem is listed. You can check what will change before applying it."</p>
            {move || view! { <ErrorSummary errors=errors()/> }}
            // A plain multipart form: it works the same before and after the WebAssembly loads.
            <form method="post" action=upload_path enctype="multipart/form-data" class="panel" data-testid="upload-form">
                <div class="form-group">
                    <label class="label" for="list">"What is in the file"</label>
                    <select class="select" id="list" name="list">
                        <option value="all" selected>"The whole Annex A workbook (.xlsx)"</option>
                        {AnnexList::ALL.into_iter().map(|l| view! {
                            <option value=l.number().to_string()>{format!("Only {} (.csv)", l.title())}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="form-group" class:form-group--error=move || field_error(&errors(), "file").is_some()>
                    <label class="label" for="file">"File"</label>
                    <p class="hint">"An .xlsx workbook with sheets named List 2, List 6, List 7, List 8 and List 9, or a .csv file. Up to 10 MB. A list without Allocated Team and Allocated Worker columns (List 2 as Ofsted lays it out) is imported too: its new cases wait for a lead practitioner before they can be drawn."</p>
                    {move || field_error(&errors(), "file").map(|m| view! { <p class="error-message">{m}</p> })}
                    <input class="file-upload" id="file" name="file" type="file" accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required/>
                </div>
                <button type="submit" class="button">"Upload and check"</button>
            </form>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    gaps.await.ok().filter(|g| g.without_lead_practitioner > 0).map(|g| view! { <LeadGapsPanel gaps=g/> })
                })}
            </Suspense>
            <h2 class="heading-m">"Earlier uploads"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading uploads…"</p> }>
                {move || Suspend::new(async move {
                    match imports.await {
                        Ok(list) if list.is_empty() => view! { <p class="body">"Nothing has been uploaded yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid="imports-table">
                                <thead><tr>
                                    <th scope="col">"Uploaded"</th>
                                    <th scope="col">"What"</th>
                                    <th scope="col">"File"</th>
                                    <th scope="col">"By"</th>
                                    <th scope="col">"Status"</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|i| view! {
                                        <tr>
                                            <td><a href=format!("/imports/{}", i.id)>{i.uploaded_at.format("%-d %B %Y, %H:%M").to_string()}</a></td>
                                            <td>{i.what}</td>
                                            <td>{i.file_name}</td>
                                            <td>{i.uploaded_by}</td>
                                            <td>{status_tag(&i.status)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                        }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

/// How many open cases have no lead practitioner, and where to set them.
#[component]
fn LeadGapsPanel(gaps: LeadGaps) -> impl IntoView {
    let n = gaps.without_lead_practitioner;
    let team_part = match gaps.without_team {
        0 => String::new(),
        t if t == n && n == 1 => " It has no team either.".to_string(),
        t if t == n => " None of them has a team either.".to_string(),
        t => format!(
            " {t} of them {} no team either.",
            if t == 1 { "has" } else { "have" }
        ),
    };
    view! {
        <div class="inset" data-testid="lead-gaps">
            <h2 class="heading-s">{format!(
                "{n} open {} no lead practitioner",
                if n == 1 { "case has" } else { "cases have" }
            )}</h2>
            <p class="body">{format!(
                "{} not drawn for audit until {} one.{team_part}",
                if n == 1 { "It is" } else { "They are" },
                if n == 1 { "it has" } else { "each has" },
            )}</p>
            <p class="body">
                <a href="/cases?lead=none">"See the cases"</a>
                ", then set each on its page, or upload a Lead practitioners file (" <code>"Child Unique ID, Lead Practitioner, Team"</code> ") in "
                <a href="/directory">"the directory"</a>"."
            </p>
        </div>
    }
}

#[component]
pub fn ImportPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Import.draw(route.clone(), Some(me))/> }
}

pub(crate) fn import_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let params = use_params_map();
    let import_id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let map = FormAction::<MapImportName>::new();
    let apply = FormAction::<ApplyImport>::new();
    let discard = FormAction::<DiscardImport>::new();
    let detail = crate::codec::resource(
        move || (import_id(), map.version().get() + apply.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => import_detail(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text="Annex A upload"/>
        <SignedIn render=move |_me| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading the upload…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(view) => view! { <Import view map apply discard/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Import(
    view: ImportView,
    map: FormAction<MapImportName>,
    apply: FormAction<ApplyImport>,
    discard: FormAction<DiscardImport>,
) -> impl IntoView {
    let from_url = url_error(&[
        <MapImportName as ServerFn>::PATH,
        <ApplyImport as ServerFn>::PATH,
        <DiscardImport as ServerFn>::PATH,
    ]);
    let errors = move || {
        let mut all = form_errors(map.value().get());
        all.extend(form_errors(apply.value().get()));
        all.extend(form_errors(discard.value().get()));
        if all.is_empty() {
            all = errors_of(from_url());
        }
        all
    };
    let can_apply = view.can_apply();
    let id = view.listing.id;
    let ImportView {
        listing,
        applied_at,
        problems,
        unresolved,
        summary,
        warnings,
        teams,
        people,
    } = view;
    let status = listing.status.clone();
    view! {
        <span class="caption">{listing.what.clone()}</span>
        <h1 class="heading-l" data-testid="import-heading">{listing.file_name.clone()}</h1>
        <p class="body">{status_tag(&listing.status)}
            {format!(" Uploaded by {} on {}.", listing.uploaded_by, listing.uploaded_at.format("%-d %B %Y at %H:%M"))}
            {applied_at.map(|a| format!(" Applied on {}.", a.format("%-d %B %Y at %H:%M")))}
        </p>
        {move || view! { <ErrorSummary errors=errors()/> }}
        {(!problems.is_empty()).then(|| view! {
            <div class="error-summary" role="alert" data-testid="import-problems">
                <h2 class="error-summary__title">{format!("Nothing was imported: the file has {} {}", problems.len(), if problems.len() == 1 { "problem" } else { "problems" })}</h2>
                <p class="body">"Correct the file and upload it again."</p>
                <crate::ui::ProblemTable problems/>
                <a class="button button--secondary" href="/imports">"Upload a corrected file"</a>
            </div>
        })}
        {(!warnings.is_empty()).then(|| view! {
            <div class="inset" data-testid="import-warnings">
                <h2 class="heading-s">{format!("{} {} with no allocated worker", warnings.len(), if warnings.len() == 1 { "case" } else { "cases" })}</h2>
                <p class="body">"These are imported, but are not drawn for audit until they have a key worker."</p>
                <ul class="list">
                    {warnings.into_iter().map(|p| view! {
                        <li>{format!("{}, row {}: {}", p.sheet.unwrap_or_default(), p.row.unwrap_or_default(), p.message)}</li>
                    }).collect_view()}
                </ul>
            </div>
        })}
        {(!unresolved.teams.is_empty()).then(|| {
            let teams = teams.clone();
            view! {
                <h2 class="heading-m">"Teams the directory does not know"</h2>
                <p class="body">"Say which team each name means, or add it as a new team. Your choice is remembered for later uploads."</p>
                {unresolved.teams.into_iter().map(|u| view! { <MapTeam import_id=id unknown=u teams=teams.clone() map errors/> }).collect_view()}
            }
        })}
        {(!unresolved.workers.is_empty()).then(|| {
            let teams = teams.clone();
            view! {
                <h2 class="heading-m">"Workers the directory does not know"</h2>
                <p class="body">"Say who each name means, or add them as a key worker. Your choice is remembered for later uploads."</p>
                {unresolved.workers.into_iter().map(|u| view! { <MapWorker import_id=id unknown=u people=people.clone() teams=teams.clone() map errors/> }).collect_view()}
            }
        })}
        {summary.map(|s| view! { <Summary summary=s applied=status == "applied"/> })}
        {(status == "staged").then(|| view! {
            <div class="button-group">
                {can_apply.then(|| view! {
                    <Form action=apply attr:class="inline-form">
                        <input type="hidden" name="import_id" value=id.to_string()/>
                        <button type="submit" class="button" id="apply" disabled=move || apply.pending().get()>"Apply these changes"</button>
                    </Form>
                })}
                <Form action=discard attr:class="inline-form">
                    <input type="hidden" name="import_id" value=id.to_string()/>
                    <button type="submit" class="button button--secondary">"Discard this upload"</button>
                </Form>
            </div>
        })}
        <p class="body"><a href="/imports">"Back to Annex A imports"</a></p>
    }
}

#[component]
fn Summary(summary: PlanSummary, applied: bool) -> impl IntoView {
    let rows = [
        ("Cases in the file", summary.cases_in_file),
        ("New cases", summary.new_cases),
        ("Cases joining a list", summary.joined_lists),
        (
            "Cases leaving a list (no longer eligible from it)",
            summary.left_lists,
        ),
        ("Team changes", summary.team_changes),
        ("Key worker changes", summary.key_worker_changes),
        (
            "New cases with no lead practitioner (not drawn until one is set)",
            summary.new_without_lead_practitioner,
        ),
    ];
    view! {
        <h2 class="heading-m">{if applied { "What the upload changed" } else { "What applying will change" }}</h2>
        <dl class="summary-list" data-testid="import-summary">
            {rows.into_iter().map(|(k, v)| view! {
                <div class="summary-list__row">
                    <dt class="summary-list__key">{k}</dt>
                    <dd class="summary-list__value">{v}</dd>
                </div>
            }).collect_view()}
        </dl>
    }
}

fn uses(u: &UnknownName) -> String {
    format!(
        "{} ({} {})",
        u.name,
        u.rows,
        if u.rows == 1 { "row" } else { "rows" }
    )
}

#[component]
fn MapTeam(
    import_id: i64,
    unknown: UnknownName,
    teams: Vec<(i64, String)>,
    map: FormAction<MapImportName>,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let field = format!("team-{}", header_key(&unknown.name));
    let (name, name2) = (unknown.name.clone(), unknown.name.clone());
    let f = field.clone();
    let error = move || field_error(&errors(), &f);
    let has_error = error.clone();
    view! {
        <div class="panel" data-testid="unknown-team">
            <h3 class="heading-s">{uses(&unknown)}</h3>
            <div class="form-group" class:form-group--error=move || has_error().is_some()>
                {move || error().map(|m| view! { <p class="error-message">{m}</p> })}
                <Form action=map attr:class="inline-form">
                    <input type="hidden" name="import_id" value=import_id.to_string()/>
                    <input type="hidden" name="kind" value="team"/>
                    <input type="hidden" name="name" value=name.clone()/>
                    <label class="label" for=field.clone()>"It is"</label>
                    <select class="select" id=field name="target_id">
                        <option value="">"Choose a team"</option>
                        {teams.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                    </select>
                    <button type="submit" class="button button--secondary">"Use this team"</button>
                </Form>
                <Form action=map attr:class="inline-form">
                    <input type="hidden" name="import_id" value=import_id.to_string()/>
                    <input type="hidden" name="kind" value="team"/>
                    <input type="hidden" name="name" value=name2.clone()/>
                    <input type="hidden" name="create" value="team"/>
                    <button type="submit" class="button button--secondary">{format!("Add \"{}\" as a new team", name2)}</button>
                </Form>
            </div>
        </div>
    }
}

#[component]
fn MapWorker(
    import_id: i64,
    unknown: UnknownName,
    people: Vec<super::PersonOption>,
    teams: Vec<(i64, String)>,
    map: FormAction<MapImportName>,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let key = header_key(&unknown.name);
    let (name, name2) = (unknown.name.clone(), unknown.name.clone());
    let field = format!("worker-{key}");
    let email_field = format!("{field}-email");
    let team_field = format!("{field}-team");
    let (f, ef, tf) = (field.clone(), email_field.clone(), team_field.clone());
    let error = move || field_error(&errors(), &f);
    let email_error = move || field_error(&errors(), &ef);
    let team_error = move || field_error(&errors(), &tf);
    let (email_error2, team_error2) = (email_error.clone(), team_error.clone());
    view! {
        <div class="panel" data-testid="unknown-worker">
            <h3 class="heading-s">{uses(&unknown)}</h3>
            {unknown.ambiguous.then(|| view! { <p class="hint">"More than one person has this name. Choose which one the file means."</p> })}
            {move || error().map(|m| view! { <p class="error-message">{m}</p> })}
            <Form action=map attr:class="inline-form">
                <input type="hidden" name="import_id" value=import_id.to_string()/>
                <input type="hidden" name="kind" value="worker"/>
                <input type="hidden" name="name" value=name.clone()/>
                <label class="label" for=field.clone()>"It is"</label>
                <select class="select" id=field name="target_id">
                    <option value="">"Choose a person"</option>
                    {people.into_iter().map(|p| view! {
                        <option value=p.id.to_string()>{match p.team { Some(t) => format!("{} ({t})", p.name), None => p.name }}</option>
                    }).collect_view()}
                </select>
                <button type="submit" class="button button--secondary">"Use this person"</button>
            </Form>
            <details class="details" open=move || email_error2().is_some() || team_error2().is_some()>
                <summary>{format!("Add \"{}\" as a new key worker", name2)}</summary>
                <Form action=map>
                    <input type="hidden" name="import_id" value=import_id.to_string()/>
                    <input type="hidden" name="kind" value="worker"/>
                    <input type="hidden" name="name" value=name2.clone()/>
                    <input type="hidden" name="create" value="worker"/>
                    <div class="form-group">
                        <label class="label" for=email_field.clone()>"Work email address"</label>
                        {move || email_error().map(|m| view! { <p class="error-message">{m}</p> })}
                        <input class="input" id=email_field name="email" type="email" spellcheck="false"/>
                    </div>
                    <div class="form-group">
                        <label class="label" for=team_field.clone()>"Team"</label>
                        {move || team_error().map(|m| view! { <p class="error-message">{m}</p> })}
                        <select class="select" id=team_field name="team_id">
                            <option value="">"Choose a team"</option>
                            {teams.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                        </select>
                    </div>
                    <p class="hint">"They can sign in once an Administrator has set up their account."</p>
                    <button type="submit" class="button button--secondary">"Add key worker"</button>
                </Form>
            </details>
        </div>
    }
}
