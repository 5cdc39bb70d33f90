use super::{
    directory, AddTeam, DecideTeamChange, DirectoryView, SaveTeam, UploadDirectory, WaitingChange,
};
use crate::ui::{field_error, form_errors, url_error, ErrorSummary, ErrorView, SignedIn, Tag};
use crate::ui::{Form, FormAction};
use crate::{AppError, FieldError};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

#[component]
pub fn DirectoryPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Directory.draw(route.clone(), Some(me))/> }
}

pub(crate) fn directory_page(
    route: crate::ui::Route,
    me: Option<crate::auth::Me>,
) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let save = FormAction::<SaveTeam>::new();
    let add = FormAction::<AddTeam>::new();
    let decide = FormAction::<DecideTeamChange>::new();
    let view_data = crate::codec::resource(
        move || save.version().get() + add.version().get() + decide.version().get(),
        |_| directory(),
    );
    let from_url = url_error(&[
        <UploadDirectory as ServerFn>::PATH,
        <SaveTeam as ServerFn>::PATH,
        <AddTeam as ServerFn>::PATH,
        <DecideTeamChange as ServerFn>::PATH,
    ]);
    let errors = move || {
        let mut all = form_errors(save.value().get());
        all.extend(form_errors(add.value().get()));
        all.extend(form_errors(decide.value().get()));
        if all.is_empty() {
            all = match from_url() {
                Some(AppError::Invalid(e)) => e,
                Some(other) => vec![FieldError::new("", other.to_string())],
                None => Vec::new(),
            };
        }
        all
    };
    let upload_path = <UploadDirectory as ServerFn>::PATH;
    view! {
        <Title text="Staff directory"/>
        <SignedIn render=move |_me| view! {
            <h1 class="heading-l">"Staff directory"</h1>
            <p class="body">"Who manages each team. Alerts about selected cases go to the case's key worker, its team's Team Manager and Service Manager, and its IRO / CP Chair."</p>
            {move || view! { <ErrorSummary errors=errors()/> }}
            {move || save.value().get().and_then(Result::ok).map(|proposed| if proposed {
                view! { <p class="body" role="status" data-testid="team-saved"><Tag text="Proposed" colour="blue"/>" The QA Manager has been asked to confirm the change. Until then the team's managers stay as they were."</p> }.into_any()
            } else {
                view! { <p class="body" role="status" data-testid="team-saved"><Tag text="Saved" colour="green"/></p> }.into_any()
            })}
            <Suspense fallback=|| view! { <p class="loading">"Loading the directory…"</p> }>
                {move || Suspend::new(async move {
                    match view_data.await {
                        Ok(data) => view! {
                            <Waiting waiting=data.waiting.clone() decides=data.decides decide/>
                            {(!data.decides).then(|| view! {
                                <p class="body">"Team and Service Managers can see every case and filed audit of their team, so a change you make here is proposed to the QA Manager, who confirms or declines it."</p>
                            })}
                            <Teams data save errors/>
                        }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
            <h2 class="heading-m">"Add a team"</h2>
            <Form action=add attr:class="filters">
                <div class="form-group form-group--inline" class:form-group--error=move || field_error(&errors(), "team-name").is_some()>
                    <label class="label" for="team-name">"Team name"</label>
                    {move || field_error(&errors(), "team-name").map(|m| view! { <p class="error-message">{m}</p> })}
                    <input class="input" id="team-name" name="name"/>
                </div>
                <button type="submit" class="button button--secondary">"Add team"</button>
            </Form>
            <h2 class="heading-m">"Upload the directory as CSV"</h2>
            <p class="body">"Teams: columns " <code>"Team, Team Manager, Service Manager"</code> ". IRO / CP Chairs: columns " <code>"Child Unique ID, IRO / CP Chair"</code> ". Lead practitioners, for cases whose Annex A list has no allocation (such as List 2): columns " <code>"Child Unique ID, Lead Practitioner, Team"</code> ". Name people by work email, or by full name where only one person has it. The whole file is checked first; if anything is wrong nothing changes and every problem is listed."</p>
            <form method="post" action=upload_path enctype="multipart/form-data" class="panel" data-testid="directory-upload">
                <div class="form-group">
                    <label class="label" for="directory-kind">"What is in the file"</label>
                    <select class="select" id="directory-kind" name="kind">
                        <option value="teams">"Teams and their managers"</option>
                        <option value="iros">"Cases and their IRO / CP Chair"</option>
                        <option value="leads">"Cases and their lead practitioner and team"</option>
                    </select>
                </div>
                <div class="form-group" class:form-group--error=move || field_error(&errors(), "directory-file").is_some()>
                    <label class="label" for="directory-file">"CSV file"</label>
                    {move || field_error(&errors(), "directory-file").map(|m| view! { <p class="error-message">{m}</p> })}
                    <input class="file-upload" id="directory-file" name="file" type="file" accept=".csv,text/csv" required/>
                </div>
                <button type="submit" class="button">"Upload and apply"</button>
            </form>
        }/>
    }
}

#[component]
fn Teams(
    data: DirectoryView,
    save: FormAction<SaveTeam>,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let DirectoryView {
        teams,
        team_managers,
        service_managers,
        ..
    } = data;
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid="teams-table">
            <thead><tr>
                <th scope="col">"Team"</th>
                <th scope="col">"Open cases"</th>
                <th scope="col">"Team Manager and Service Manager"</th>
            </tr></thead>
            <tbody>
                {teams.into_iter().map(|t| {
                    let (tm_field, sm_field) = (format!("tm-{}", t.id), format!("sm-{}", t.id));
                    let (tf, sf) = (tm_field.clone(), sm_field.clone());
                    let tm_error = move || field_error(&errors(), &tf);
                    let sm_error = move || field_error(&errors(), &sf);
                    let (tms, sms) = (team_managers.clone(), service_managers.clone());
                    view! {
                        <tr>
                            <th scope="row">{t.name.clone()}</th>
                            <td>{t.open_cases}</td>
                            <td>
                                <Form action=save attr:class="inline-form">
                                    <input type="hidden" name="team_id" value=t.id.to_string()/>
                                    <label class="label" for=tm_field.clone()>{format!("Team Manager of {}", t.name)}</label>
                                    {move || tm_error().map(|m| view! { <p class="error-message">{m}</p> })}
                                    <select class="select" id=tm_field name="team_manager_id">
                                        <option value="" selected=t.team_manager_id.is_none()>"None"</option>
                                        {tms.into_iter().map(|(id, name)| view! { <option value=id.to_string() selected=t.team_manager_id == Some(id)>{name}</option> }).collect_view()}
                                    </select>
                                    <label class="label" for=sm_field.clone()>{format!("Service Manager of {}", t.name)}</label>
                                    {move || sm_error().map(|m| view! { <p class="error-message">{m}</p> })}
                                    <select class="select" id=sm_field name="service_manager_id">
                                        <option value="" selected=t.service_manager_id.is_none()>"None"</option>
                                        {sms.into_iter().map(|(id, name)| view! { <option value=id.to_string() selected=t.service_manager_id == Some(id)>{name}</option> }).collect_view()}
                                    </select>
                                    <button type="submit" class="button button--secondary">"Save"</button>
                                </Form>
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

/// Proposed changes to teams' managers: the QA Manager confirms or declines each; the
/// Administrator sees what waits.
#[component]
fn Waiting(
    waiting: Vec<WaitingChange>,
    decides: bool,
    decide: FormAction<DecideTeamChange>,
) -> impl IntoView {
    (!waiting.is_empty()).then(|| view! {
        <section class="panel" id="waiting" data-testid="waiting-changes">
            <h2 class="heading-m">"Changes waiting for the QA Manager"</h2>
            <ul class="list">
                {waiting.into_iter().map(|c| {
                    let (confirm_id, decline_id) = (c.id.to_string(), c.id.to_string());
                    let confirm_label = format!("Confirm the change to {}", c.team);
                    let decline_label = format!("Decline the change to {}", c.team);
                    view! {
                        <li id=format!("change-{}", c.id)>
                            <p class="body"><strong>{c.team.clone()}</strong>": "{c.lines.join("; ")}
                                <span class="hint">{format!(" Proposed by {} on {}.", c.proposed_by, c.proposed_on)}</span></p>
                            {decides.then(|| view! {
                                <div class="button-group">
                                    <Form action=decide attr:class="inline-form">
                                        <input type="hidden" name="change_id" value=confirm_id/>
                                        <input type="hidden" name="decision" value="confirm"/>
                                        <button type="submit" class="button">{confirm_label}</button>
                                    </Form>
                                    <Form action=decide attr:class="inline-form">
                                        <input type="hidden" name="change_id" value=decline_id/>
                                        <input type="hidden" name="decision" value="decline"/>
                                        <button type="submit" class="button button--secondary">{decline_label}</button>
                                    </Form>
                                </div>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    })
}
