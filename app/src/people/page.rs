use super::{
    people_list, person, person_open_work, staff_import, team_choices, AddPerson,
    DeactivateMissing, DeactivatePerson, OpenWorkView, PeopleView, PersonListing, PersonView,
    ReactivatePerson, SavePerson, SaveRoles, SendPersonLink, StaffImportView, UploadStaff,
};
use crate::domain::Role;
use crate::ui::{
    answer_errors, field_error, last_answered, url_error, ErrorSummary, ErrorView, InputField,
    ProblemTable, SignedIn, Tag,
};
use crate::ui::{use_params_map, use_query_map};
use crate::ui::{Form, FormAction};
use crate::{AppError, FieldError};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

fn status_tag(p: &PersonListing) -> impl IntoView {
    match (p.active, p.password_set) {
        (false, _) => view! { <Tag text="Deactivated" colour="grey"/> },
        (true, false) => view! { <Tag text="Not yet signed in" colour="yellow"/> },
        (true, true) => view! { <Tag text="Active" colour="green"/> },
    }
}

/// The team select: blank for none.
fn team_select(
    teams: Vec<(i64, String)>,
    chosen: Option<i64>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <div class="form-group" class:form-group--error=move || error.get().is_some()>
            <label class="label" for="team">"Team"</label>
            <p class="hint">"Key workers, Team Managers and Service Managers belong to a team. Add teams on the Staff directory page."</p>
            {move || error.get().map(|m| view! { <p class="error-message">{m}</p> })}
            <select class="select" id="team" name="team">
                <option value="" selected=chosen.is_none()>"No team"</option>
                {teams.into_iter().map(|(id, name)| view! {
                    <option value=id.to_string() selected=chosen == Some(id)>{name}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// One checkbox per role, `f[<code>]`.
fn role_boxes(held: Vec<String>, error: Signal<Option<String>>) -> impl IntoView {
    view! {
        <div class="form-group" class:form-group--error=move || error.get().is_some()>
            <fieldset class="fieldset" id="roles">
                <legend class="label">"Roles"</legend>
                <p class="hint">"Roles decide what the person sees. QA Manager, PSW / Service Manager QA & Practice Improvement, Safeguarding & Review Service Manager and Assistant Director open every case; the QA Manager is told when someone is given one."</p>
                {move || error.get().map(|m| view! { <p class="error-message">{m}</p> })}
                {Role::ALL.into_iter().map(|r| {
                    let id = format!("role-{}", r.code());
                    view! {
                        <label class="checkbox" for=id.clone()>
                            <input type="checkbox" id=id.clone() name=format!("f[{}]", r.code()) value="on" checked=held.iter().any(|h| h == r.code())/>
                            {r.label()}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
        </div>
    }
}

/// Sign-in locks in force, each with a way to lift it; nothing when there are none.
#[component]
fn Lockouts() -> impl IntoView {
    let lift = FormAction::<super::LiftLockout>::new();
    let locks = crate::codec::resource(move || lift.version().get(), |_| super::sign_in_lockouts());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                locks.await.ok().filter(|l| !l.is_empty()).map(|locks| view! {
                    <section class="panel" data-testid="lockouts">
                        <h2 class="heading-m">"Sign-in locks"</h2>
                        <p class="body">"Too many wrong passwords lock an account or a network address for a while. Lift a lock once you know who was trying."</p>
                        <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table">
                            <thead><tr><th scope="col">"Locked"</th><th scope="col">"Failures"</th><th scope="col">"Until"</th><th scope="col"></th></tr></thead>
                            <tbody>{locks.into_iter().map(|l| view! {
                                <tr>
                                    <td>{if l.kind == "account" { format!("Account {}", l.key) } else { format!("Address {}", l.key) }}</td>
                                    <td>{l.failures}</td>
                                    <td>{l.until}</td>
                                    <td>
                                        <Form action=lift attr:class="inline-form">
                                            <input type="hidden" name="kind" value=l.kind.clone()/>
                                            <input type="hidden" name="key" value=l.key.clone()/>
                                            <button type="submit" class="button button--secondary">"Lift the lock"</button>
                                        </Form>
                                    </td>
                                </tr>
                            }).collect_view()}</tbody>
                        </table></div>
                    </section>
                })
            })}
        </Transition>
    }
}

/// `/people`: search and list staff; add one; import the HR system's file.
#[component]
pub fn PeoplePage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::People.draw(route.clone(), Some(me))/> }
}

pub(crate) fn people_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).filter(|v| !v.is_empty());
    let data = crate::codec::resource(
        move || {
            (
                get("search"),
                get("role"),
                get("team"),
                get("status"),
                get("page"),
            )
        },
        |(search, role, team, status, page)| {
            people_list(
                search,
                role,
                team,
                status,
                page.and_then(|p| p.parse().ok()),
            )
        },
    );
    let from_url = url_error(&[<UploadStaff as ServerFn>::PATH]);
    let errors = move || answer_errors(None::<Result<(), AppError>>, from_url);
    let upload_path = <UploadStaff as ServerFn>::PATH;
    view! {
        <Title text="People and roles"/>
        <SignedIn render=move |_me| view! {
            {move || view! { <ErrorSummary errors=errors()/> }}
            <h1 class="heading-l">"People and roles"</h1>
            <Lockouts/>
            <p class="body"><a class="button" href="/people/new">"Add a person"</a></p>
            <Transition fallback=|| view! { <p class="loading">"Loading people…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(view) => view! { <PeopleTable view query=get/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Transition>
            <h2 class="heading-m">"Import staff from the HR system"</h2>
            <p class="body">"A CSV or Excel file with the columns " <code>"Name, Work email, Team, Roles"</code> ". Separate several roles with semicolons, for example " <code>"Key Worker; Auditor"</code> ". People already here are matched by work email and updated. The whole file is checked first: if anything is wrong, nothing changes and every problem is listed."</p>
            <form method="post" action=upload_path enctype="multipart/form-data" class="panel" data-testid="staff-upload">
                <div class="form-group" class:form-group--error=move || field_error(&errors(), "staff-file").is_some()>
                    <label class="label" for="staff-file">"Staff file"</label>
                    {move || field_error(&errors(), "staff-file").map(|m| view! { <p class="error-message">{m}</p> })}
                    <input class="file-upload" id="staff-file" name="file" type="file" accept=".csv,.xlsx,text/csv" required/>
                </div>
                <label class="checkbox" for="staff-full">
                    <input type="checkbox" id="staff-full" name="full" value="yes"/>
                    "This file lists all staff: show me who is missing from it (nobody is deactivated without you)"
                </label>
                <label class="checkbox" for="staff-invite">
                    <input type="checkbox" id="staff-invite" name="invite" value="yes"/>
                    "Email each new person an invitation to set their password"
                </label>
                <button type="submit" class="button">"Check and import"</button>
            </form>
        }/>
    }
}

#[component]
fn PeopleTable(
    view: PeopleView,
    query: impl Fn(&str) -> Option<String> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let PeopleView {
        people,
        total,
        page,
        pages,
        teams,
    } = view;
    let page_link = move |n: i64| {
        let mut parts = vec![format!("page={n}")];
        for key in ["search", "role", "team", "status"] {
            if let Some(v) = query(key) {
                let v: String = v
                    .bytes()
                    .map(|b| match b {
                        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                            (b as char).to_string()
                        }
                        _ => format!("%{b:02X}"),
                    })
                    .collect();
                parts.push(format!("{key}={v}"));
            }
        }
        format!("/people?{}", parts.join("&"))
    };
    view! {
        <form method="get" action="/people" class="filters" role="search">
            <div class="form-group form-group--inline">
                <label class="label" for="search">"Name or email"</label>
                <input class="input" id="search" name="search" type="search" value=query("search").unwrap_or_default()/>
            </div>
            <div class="form-group form-group--inline">
                <label class="label" for="role">"Role"</label>
                <select class="select" id="role" name="role">
                    <option value="">"Any role"</option>
                    {Role::ALL.into_iter().map(|r| view! {
                        <option value=r.code() selected=query("role").as_deref() == Some(r.code())>{r.label()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="form-group form-group--inline">
                <label class="label" for="team">"Team"</label>
                <select class="select" id="team" name="team">
                    <option value="">"Any team"</option>
                    {teams.into_iter().map(|(id, name)| {
                        let id = id.to_string();
                        view! { <option value=id.clone() selected=query("team").as_deref() == Some(id.as_str())>{name}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="form-group form-group--inline">
                <label class="label" for="status">"Status"</label>
                <select class="select" id="status" name="status">
                    <option value="">"Active"</option>
                    <option value="inactive" selected=query("status").as_deref() == Some("inactive")>"Deactivated"</option>
                    <option value="all" selected=query("status").as_deref() == Some("all")>"Everyone"</option>
                </select>
            </div>
            <button type="submit" class="button button--secondary">"Search"</button>
        </form>
        <p class="body" role="status" data-testid="people-count">{match total {
            0 => "Nobody matches.".to_string(),
            1 => "1 person.".to_string(),
            n => format!("{n} people."),
        }}</p>
        {(total > 0).then(|| view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid="people-table">
                <thead><tr>
                    <th scope="col">"Name"</th>
                    <th scope="col">"Work email"</th>
                    <th scope="col">"Team"</th>
                    <th scope="col">"Roles"</th>
                    <th scope="col">"Status"</th>
                </tr></thead>
                <tbody>
                    {people.into_iter().map(|p| view! {
                        <tr>
                            <th scope="row"><a href=format!("/people/{}", p.id)>{p.name.clone()}</a></th>
                            <td class="break">{p.email.clone()}</td>
                            <td>{p.team.clone().unwrap_or_default()}</td>
                            <td>{p.roles.join(", ")}</td>
                            <td>{status_tag(&p)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        })}
        {(pages > 1).then(|| view! {
            <nav class="pagination" aria-label="Pages of people">
                {(page > 1).then(|| view! { <a href=page_link(page - 1) rel="prev">"Previous page"</a> })}
                <span>{format!(" Page {page} of {pages} ")}</span>
                {(page < pages).then(|| view! { <a href=page_link(page + 1) rel="next">"Next page"</a> })}
            </nav>
        })}
    }
}

/// `/people/new`
#[component]
pub fn AddPersonPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::AddPerson.draw(route.clone(), Some(me))/> }
}

pub(crate) fn add_person_page(
    route: crate::ui::Route,
    me: Option<crate::auth::Me>,
) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let add = FormAction::<AddPerson>::new();
    let from_url = url_error(&[<AddPerson as ServerFn>::PATH]);
    let errors = move || answer_errors(add.value().get(), from_url);
    let teams = crate::codec::resource(|| (), |_| team_choices());
    view! {
        <Title text="Add a person"/>
        <SignedIn render=move |_me| view! {
            <div class="narrow">
                {move || view! { <ErrorSummary errors=errors()/> }}
                <a class="back-link" href="/people">"People and roles"</a>
                <h1 class="heading-l">"Add a person"</h1>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match teams.await {
                            Err(error) => view! { <ErrorView error/> }.into_any(),
                            Ok(teams) => view! {
                                <Form action=add attr:novalidate=true attr:data-testid="add-person-form">
                                    <InputField id="name" name="name" label="Full name" autocomplete="off"
                                        error=Signal::derive(move || field_error(&errors(), "name"))/>
                                    <InputField id="email" name="email" label="Work email" kind="email" autocomplete="off"
                                        error=Signal::derive(move || field_error(&errors(), "email"))/>
                                    {team_select(teams, None, Signal::derive(move || field_error(&errors(), "team")))}
                                    {role_boxes(Vec::new(), Signal::derive(move || field_error(&errors(), "roles")))}
                                    <label class="checkbox" for="invite">
                                        <input type="checkbox" id="invite" name="invite" value="yes" checked=true/>
                                        "Email them an invitation to set their password now"
                                    </label>
                                    <button type="submit" class="button" disabled=move || add.pending().get()>"Add person"</button>
                                </Form>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        }/>
    }
}

/// `/people/:id`: details, roles, access and history.
#[component]
pub fn PersonPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Person.draw(route.clone(), Some(me))/> }
}

pub(crate) fn person_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let save = FormAction::<SavePerson>::new();
    let roles = FormAction::<SaveRoles>::new();
    let link = FormAction::<SendPersonLink>::new();
    let deactivate = FormAction::<DeactivatePerson>::new();
    let reactivate = FormAction::<ReactivatePerson>::new();
    let data = crate::codec::resource(
        move || {
            (
                id(),
                save.version().get(),
                roles.version().get(),
                link.version().get(),
                deactivate.version().get(),
                reactivate.version().get(),
            )
        },
        |(id, ..)| person(id),
    );
    let last = last_answered(vec![
        save.version(),
        roles.version(),
        link.version(),
        deactivate.version(),
        reactivate.version(),
    ]);
    let from_url = url_error(&[
        <SavePerson as ServerFn>::PATH,
        <SaveRoles as ServerFn>::PATH,
        <SendPersonLink as ServerFn>::PATH,
        <DeactivatePerson as ServerFn>::PATH,
        <ReactivatePerson as ServerFn>::PATH,
    ]);
    let errors = move || {
        let answer = match last.get() {
            Some(0) => save.value().get(),
            Some(1) => roles.value().get(),
            Some(2) => link.value().get(),
            Some(3) => deactivate.value().get(),
            Some(4) => reactivate.value().get(),
            _ => None,
        };
        answer_errors(answer, from_url)
    };
    let done = move || match last.get() {
        Some(0) if matches!(save.value().get(), Some(Ok(()))) => Some("Details saved"),
        Some(1) if matches!(roles.value().get(), Some(Ok(()))) => Some("Roles saved"),
        Some(2) if matches!(link.value().get(), Some(Ok(()))) => Some("Email sent"),
        Some(3) if matches!(deactivate.value().get(), Some(Ok(()))) => {
            Some("Deactivated: they are signed out everywhere")
        }
        Some(4) if matches!(reactivate.value().get(), Some(Ok(()))) => Some("Reactivated"),
        _ => None,
    };
    view! {
        <Title text="Person"/>
        <SignedIn render=move |_me| view! {
            {move || view! { <ErrorSummary errors=errors()/> }}
            {move || done().map(|text| view! { <p class="body" role="status" data-testid="person-done"><Tag text=text colour="green"/></p> })}
            <a class="back-link" href="/people">"People and roles"</a>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(p) => view! { <Person p save roles link deactivate reactivate errors/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Person(
    p: PersonView,
    save: FormAction<SavePerson>,
    roles: FormAction<SaveRoles>,
    link: FormAction<SendPersonLink>,
    deactivate: FormAction<DeactivatePerson>,
    reactivate: FormAction<ReactivatePerson>,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let listing = PersonListing {
        id: p.id,
        name: p.name.clone(),
        email: p.email.clone(),
        team: None,
        roles: Vec::new(),
        active: p.active,
        password_set: p.password_set,
    };
    let id = p.id.to_string();
    let (id1, id2, id3, id4) = (id.clone(), id.clone(), id.clone(), id.clone());
    view! {
        <h1 class="heading-l" data-testid="person-name">{p.name.clone()}" "{status_tag(&listing)}</h1>
        {p.open_work.clone().map(|w| view! {
            <div class="inset" data-testid="leaver-work">
                <p class="body">{format!("Deactivated on {}. ", p.deactivated_on.clone().unwrap_or_default())}
                    {if w.audits + w.cases + w.teams + w.reviews == 0 {
                        "They hold no open work.".to_string()
                    } else {
                        format!("They still hold {} open audits, {} cases, {} teams to manage and {} reviews or moderations: the QA Manager has been alerted to reassign them.", w.audits, w.cases, w.teams, w.reviews)
                    }}
                </p>
            </div>
        })}
        <h2 class="heading-m">"Details"</h2>
        <Form action=save attr:novalidate=true attr:data-testid="person-details-form">
            <input type="hidden" name="person_id" value=id/>
            <InputField id="name" name="name" label="Full name" value=p.name.clone() autocomplete="off"
                error=Signal::derive(move || field_error(&errors(), "name"))/>
            <InputField id="email" name="email" label="Work email" kind="email" value=p.email.clone() autocomplete="off"
                error=Signal::derive(move || field_error(&errors(), "email"))/>
            {team_select(p.teams.clone(), p.team_id, Signal::derive(move || field_error(&errors(), "team")))}
            <button type="submit" class="button button--secondary">"Save details"</button>
        </Form>
        <h2 class="heading-m">"Roles"</h2>
        <Form action=roles attr:novalidate=true attr:data-testid="person-roles-form">
            <input type="hidden" name="person_id" value=id1/>
            {role_boxes(p.roles.clone(), Signal::derive(move || field_error(&errors(), "roles")))}
            <button type="submit" class="button button--secondary">"Save roles"</button>
        </Form>
        <h2 class="heading-m">"Signing in"</h2>
        {move || field_error(&errors(), "send-link").map(|m| view! { <p class="error-message" id="send-link">{m}</p> })}
        {move || field_error(&errors(), "deactivate").map(|m| view! { <p class="error-message" id="deactivate">{m}</p> })}
        {if p.active {
            let (label, text) = if p.password_set {
                ("Send a password reset link", "They choose a new password with it. Their current password works until then.")
            } else {
                ("Send invitation", "They have not set a password yet. The invitation lets them choose one. A new invitation replaces any earlier one.")
            };
            view! {
                <p class="body">{text}</p>
                <Form action=link attr:class="inline-form" attr:data-testid="send-link-form">
                    <input type="hidden" name="person_id" value=id2/>
                    <button type="submit" class="button button--secondary" disabled=move || link.pending().get()>{label}</button>
                </Form>
                {(!p.is_you).then(|| view! {
                    <h2 class="heading-m">"Leaving"</h2>
                    <p class="body">"Deactivate someone who has left. They are signed out at once and cannot sign in. Their open audits and cases are listed for the QA Manager to reassign. Their history stays."</p>
                    <Form action=deactivate attr:class="inline-form" attr:data-testid="deactivate-form">
                        <input type="hidden" name="person_id" value=id4/>
                        <button type="submit" class="button button--warning" disabled=move || deactivate.pending().get()>"Deactivate"</button>
                    </Form>
                })}
            }.into_any()
        } else {
            view! {
                <p class="body">"They cannot sign in. Reactivate someone who has returned: they sign in with their old password, or you send them a reset link."</p>
                <Form action=reactivate attr:class="inline-form" attr:data-testid="reactivate-form">
                    <input type="hidden" name="person_id" value=id3/>
                    <button type="submit" class="button button--secondary">"Reactivate"</button>
                </Form>
            }.into_any()
        }}
        <h2 class="heading-m">"History"</h2>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid="person-history">
            <thead><tr><th scope="col">"When"</th><th scope="col">"What"</th><th scope="col">"By"</th></tr></thead>
            <tbody>
                {p.history.into_iter().map(|h| view! {
                    <tr><td>{h.at}</td><td>{h.what}</td><td>{h.by}</td></tr>
                }).collect_view()}
            </tbody>
        </table></div>
    }
}

/// `/people/imports/:id`: what a staff file changed, or why it was refused.
#[component]
pub fn StaffImportPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::StaffImport.draw(route.clone(), Some(me))/> }
}

pub(crate) fn staff_import_page(
    route: crate::ui::Route,
    me: Option<crate::auth::Me>,
) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let missing = FormAction::<DeactivateMissing>::new();
    let data = crate::codec::resource(
        move || (id(), missing.version().get()),
        |(id, _)| staff_import(id),
    );
    let from_url = url_error(&[<DeactivateMissing as ServerFn>::PATH]);
    let errors = move || answer_errors(missing.value().get(), from_url);
    view! {
        <Title text="Staff import"/>
        <SignedIn render=move |_me| view! {
            {move || view! { <ErrorSummary errors=errors()/> }}
            {move || missing.value().get().and_then(Result::ok).map(|n| view! {
                <p class="body" role="status"><Tag text=format!("{n} deactivated") colour="green"/></p>
            })}
            <a class="back-link" href="/people">"People and roles"</a>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! { <StaffImport v missing errors/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn StaffImport(
    v: StaffImportView,
    missing: FormAction<DeactivateMissing>,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let import_id = v.id.to_string();
    view! {
        <span class="caption">"Staff import"</span>
        <h1 class="heading-l" data-testid="staff-import-heading">{v.file_name.clone()}</h1>
        <p class="body">
            {if v.applied { view! { <Tag text="Applied" colour="green"/> } } else { view! { <Tag text="Refused" colour="red"/> } }}
            {format!(" {}", v.uploaded)}
        </p>
        {(!v.applied).then(|| {
            let n = v.problems.len();
            view! {
                <div class="error-summary" role="alert" data-testid="staff-problems">
                    <h2 class="error-summary__title">{format!("Nothing was imported: the file has {n} {}", if n == 1 { "problem" } else { "problems" })}</h2>
                    <p class="body">"Correct the file and upload it again."</p>
                    <ProblemTable problems=v.problems.clone()/>
                    <a class="button button--secondary" href="/people">"Upload a corrected file"</a>
                </div>
            }
        })}
        {v.applied.then(|| view! {
            <p class="body" data-testid="staff-summary">{format!(
                "{} added, {} updated, {} unchanged.",
                v.added.len(), v.updated.len(), v.unchanged
            )}</p>
            {(!v.added.is_empty()).then(|| view! {
                <h2 class="heading-m">"Added"</h2>
                <ul class="list" data-testid="staff-added">
                    {v.added.iter().map(|(id, name, email)| view! {
                        <li><a href=format!("/people/{id}")>{name.clone()}</a>{format!(" ({email})")}</li>
                    }).collect_view()}
                </ul>
            })}
            {(!v.updated.is_empty()).then(|| view! {
                <h2 class="heading-m">"Updated"</h2>
                <ul class="list">
                    {v.updated.iter().map(|(id, name, what)| view! {
                        <li><a href=format!("/people/{id}")>{name.clone()}</a>{format!(": {what}")}</li>
                    }).collect_view()}
                </ul>
            })}
            {(!v.inactive_listed.is_empty()).then(|| view! {
                <h2 class="heading-m">"In the file but deactivated"</h2>
                <p class="body">"They were not changed. Reactivate anyone who has returned, on their page."</p>
                <ul class="list">
                    {v.inactive_listed.iter().map(|p| view! { <li><a href=format!("/people/{}", p.id)>{p.name.clone()}</a></li> }).collect_view()}
                </ul>
            })}
            {(v.full_list && !v.missing.is_empty()).then(|| view! {
                <h2 class="heading-m">{format!("Not in the file: {} active {}", v.missing.len(), if v.missing.len() == 1 { "person" } else { "people" })}</h2>
                <p class="body">"The file lists all staff, so these people may have left. Nobody has been deactivated. Tick those who have left."</p>
                <Form action=missing attr:novalidate=true attr:data-testid="missing-form">
                    <input type="hidden" name="import_id" value=import_id.clone()/>
                    <div class="form-group" class:form-group--error=move || field_error(&errors(), "missing").is_some()>
                        <fieldset class="fieldset" id="missing">
                            <legend class="visually-hidden">"People not in the file"</legend>
                            {move || field_error(&errors(), "missing").map(|m| view! { <p class="error-message">{m}</p> })}
                            {v.missing.iter().map(|p| {
                                let box_id = format!("missing-{}", p.id);
                                view! {
                                    <label class="checkbox" for=box_id.clone()>
                                        <input type="checkbox" id=box_id.clone() name=format!("f[{}]", p.id) value="on"/>
                                        {format!("{} ({}) {}", p.name, p.email, p.roles.join(", "))}
                                    </label>
                                }
                            }).collect_view()}
                        </fieldset>
                    </div>
                    <button type="submit" class="button button--warning">"Deactivate the people ticked"</button>
                </Form>
            })}
        })}
    }
}

/// `/people/:id/open-work`: what a leaver still holds (the QA Manager).
#[component]
pub fn OpenWorkPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let data = crate::codec::resource(id, person_open_work);
    view! {
        <Title text="A leaver's open work"/>
        <SignedIn render=move |_me| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(w) => view! { <OpenWork w/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn OpenWork(w: OpenWorkView) -> impl IntoView {
    let empty = w.audits.is_empty()
        && w.key_worker_cases.is_empty()
        && w.iro_cases.is_empty()
        && w.teams.is_empty()
        && w.action_reviews.is_empty()
        && w.moderations.is_empty();
    let cases = |list: Vec<(i64, String)>| {
        view! {
            <ul class="list">
                {list.into_iter().map(|(id, child)| view! { <li><a href=format!("/cases/{id}")>{child}</a></li> }).collect_view()}
            </ul>
        }
    };
    view! {
        <h1 class="heading-l" data-testid="open-work-heading">{format!("{}'s open work", w.name)}</h1>
        <p class="body">{if w.active {
            "They are still active."
        } else {
            "They have been deactivated as a leaver. Give each of these to someone else."
        }}</p>
        {empty.then(|| view! { <p class="body" data-testid="no-open-work">"They hold nothing open."</p> })}
        {(!w.audits.is_empty()).then(|| view! {
            <h2 class="heading-m">"Audits they are the auditor of"</h2>
            <p class="body">"Assign another auditor on the round's page."</p>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid="open-audits">
                <thead><tr><th scope="col">"Case"</th><th scope="col">"Status"</th></tr></thead>
                <tbody>
                    {w.audits.into_iter().map(|(id, child, state)| view! {
                        <tr><td><a href=format!("/audits/{id}")>{child}</a></td><td><Tag text=state/></td></tr>
                    }).collect_view()}
                </tbody>
            </table></div>
        })}
        {(!w.key_worker_cases.is_empty()).then(|| view! {
            <h2 class="heading-m">"Cases they are key worker of"</h2>
            <p class="body">"The next Annex A upload allocates each case to its new worker."</p>
            {cases(w.key_worker_cases)}
        })}
        {(!w.iro_cases.is_empty()).then(|| view! {
            <h2 class="heading-m">"Cases they are IRO / CP Chair of"</h2>
            <p class="body">"Set the new IRO / CP Chair on each case's page, or upload them on the Staff directory page."</p>
            {cases(w.iro_cases)}
        })}
        {(!w.teams.is_empty()).then(|| view! {
            <h2 class="heading-m">"Teams they manage"</h2>
            <ul class="list">
                {w.teams.into_iter().map(|(team, role)| view! { <li>{format!("{team}: {role}")}" "<a href="/directory">"Change on the Staff directory page"</a></li> }).collect_view()}
            </ul>
        })}
        {(!w.action_reviews.is_empty()).then(|| view! {
            <h2 class="heading-m">"Action reviews not finalised"</h2>
            <ul class="list">
                {w.action_reviews.into_iter().map(|id| view! { <li><a href=format!("/audits/{id}/actions")>{format!("Audit {id}")}</a></li> }).collect_view()}
            </ul>
        })}
        {(!w.moderations.is_empty()).then(|| view! {
            <h2 class="heading-m">"Moderations not recorded"</h2>
            <ul class="list">
                {w.moderations.into_iter().map(|id| view! { <li><a href=format!("/audits/{id}/moderation")>{format!("Audit {id}")}</a></li> }).collect_view()}
            </ul>
        })}
    }
}
