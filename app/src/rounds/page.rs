use super::{
    list_rounds, round_detail, AssignAuditors, Assignments, CloseRound, ConfirmRound, CreateRound,
    DrawRound, DrawView, LeftOpen, RoundView, VerifyDraw, WithdrawCase,
};
use crate::domain::round::RoundStatus;
use crate::domain::AnnexList;
use crate::ui::use_params_map;
use crate::ui::{field_error, form_errors, ErrorSummary, ErrorView, SignedIn, Tag};
use crate::ui::{Form, FormAction};
use crate::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

fn status_tag(status: RoundStatus) -> impl IntoView {
    let (text, colour) = match status {
        RoundStatus::Open => ("Not drawn", "grey"),
        RoundStatus::Drawn => ("Drawn", "blue"),
        RoundStatus::Confirmed => ("Confirmed", "green"),
        RoundStatus::Closed => ("Closed", "grey"),
    };
    view! { <Tag text=text colour=colour/> }
}

#[component]
pub fn RoundsPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Rounds.draw(route.clone(), Some(me))/> }
}

pub(crate) fn rounds_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let create = FormAction::<CreateRound>::new();
    let rounds = crate::codec::resource(move || create.version().get(), |_| list_rounds());
    let errors = move || form_errors(create.value().get());
    view! {
        <Title text="Audit rounds"/>
        <SignedIn render=move |me| {
            let qa = me.roles.has(crate::domain::Role::QaManager);
            view! {
                <h1 class="heading-l">"Audit rounds"</h1>
                {qa.then(|| view! {
                    {move || view! { <ErrorSummary errors=errors()/> }}
                    <Form action=create attr:class="filters" attr:data-testid="create-round">
                        <div class="form-group form-group--inline" class:form-group--error=move || field_error(&errors(), "month").is_some()>
                            <label class="label" for="month">"Audit month"</label>
                            <p class="hint">"The month the audits are done in, for example 2027-01"</p>
                            {move || field_error(&errors(), "month").map(|m| view! { <p class="error-message" id="month-error">{m}</p> })}
                            <input class="input" id="month" name="month" type="month" placeholder="YYYY-MM"/>
                        </div>
                        <button type="submit" class="button">"Create round"</button>
                    </Form>
                })}
                <Suspense fallback=|| view! { <p class="loading">"Loading rounds…"</p> }>
                    {move || Suspend::new(async move {
                        match rounds.await {
                            Ok(list) if list.is_empty() => view! { <p class="body">"There are no rounds yet."</p> }.into_any(),
                            Ok(list) => view! {
                                <crate::ui::TableWrap><table class="table" data-testid="rounds-table">
                                    <thead><tr>
                                        <th scope="col">"Audit month"</th>
                                        <th scope="col">"Due"</th>
                                        <th scope="col">"Cases"</th>
                                        <th scope="col">"Status"</th>
                                    </tr></thead>
                                    <tbody>
                                        {list.into_iter().map(|r| view! {
                                            <tr>
                                                <td><a href=format!("/rounds/{}", r.id)>{r.month}</a></td>
                                                <td>{r.due_on.format("%A %-d %B %Y").to_string()}</td>
                                                <td>{r.selected}</td>
                                                <td>{status_tag(r.status)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table></crate::ui::TableWrap>
                            }.into_any(),
                            Err(error) => view! { <ErrorView error/> }.into_any(),
                        }
                    })}
                </Suspense>
            }
        }/>
    }
}

#[component]
pub fn RoundPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Round.draw(route.clone(), Some(me))/> }
}

pub(crate) fn round_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let params = use_params_map();
    let round_id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let draw = FormAction::<DrawRound>::new();
    let withdraw = FormAction::<WithdrawCase>::new();
    let confirm = FormAction::<ConfirmRound>::new();
    let assign = FormAction::<AssignAuditors>::new();
    let close = FormAction::<CloseRound>::new();
    let round = crate::codec::resource(
        move || {
            (
                round_id(),
                draw.version().get()
                    + withdraw.version().get()
                    + confirm.version().get()
                    + assign.version().get()
                    + close.version().get(),
            )
        },
        |(id, _)| async move {
            match id {
                Some(id) => round_detail(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <SignedIn render=move |_me| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading the round…"</p> }>
                {move || Suspend::new(async move {
                    match round.await {
                        Ok(view) => view! { <Round view draw withdraw confirm assign close/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Round(
    view: RoundView,
    draw: FormAction<DrawRound>,
    withdraw: FormAction<WithdrawCase>,
    confirm: FormAction<ConfirmRound>,
    assign: FormAction<AssignAuditors>,
    close: FormAction<CloseRound>,
) -> impl IntoView {
    let round = view.round;
    let teams = view.teams;
    let id = round.id;
    view! {
        <Title text=format!("Round {}", round.month)/>
        <span class="caption">"Audit round"</span>
        <h1 class="heading-l" data-testid="round-heading">{round.month.clone()}</h1>
        <dl class="summary-list">
            <div class="summary-list__row">
                <dt class="summary-list__key">"Due"</dt>
                <dd class="summary-list__value" data-testid="due-on">{round.due_on.format("%A %-d %B %Y").to_string()}</dd>
            </div>
            <div class="summary-list__row">
                <dt class="summary-list__key">"Status"</dt>
                <dd class="summary-list__value">{status_tag(round.status)}</dd>
            </div>
        </dl>
        {(view.can_draw && view.without_lead_practitioner > 0).then(|| {
            let n = view.without_lead_practitioner;
            view! {
                <p class="inset" data-testid="without-lead-practitioner">{format!(
                    "{n} open {} no lead practitioner, so the draw will leave {} out. ",
                    if n == 1 { "case has" } else { "cases have" },
                    if n == 1 { "it" } else { "them" },
                )}<a href="/cases?lead=none">{if n == 1 { "See the case" } else { "See the cases" }}</a></p>
            }
        })}
        {view.can_draw.then(|| view! { <DrawForm id draw teams/> })}
        {view.can_confirm.then(|| view! { <ConfirmForm id confirm/> })}
        {view.closed.map(|(at, open)| view! { <Closed at open/> })}
        {view.closing.map(|open| view! { <CloseForm id open close/> })}
        {view.assignments.map(|form| view! { <AssignForm id form assign/> })}
        {view.draw.map(|d| view! { <DrawResult id draw=d can_withdraw=view.can_withdraw withdraw/> })}
    }
}

/// A closed round: when, and the audits it left open, with why.
#[component]
fn Closed(at: chrono::DateTime<chrono::Utc>, open: Vec<LeftOpen>) -> impl IntoView {
    view! {
        <div class="panel" data-testid="closed-panel">
            <h2 class="heading-m">"Closed"</h2>
            <p class="body">{format!("The round closed on {}. Its cases count towards the draw's exclusion window, and auditors no longer see its cases (they keep their own audits).", at.format("%-d %B %Y"))}</p>
            {(!open.is_empty()).then(|| view! {
                <h3 class="heading-s">"Left open"</h3>
                <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table">
                    <thead><tr><th scope="col">"Case"</th><th scope="col">"Audit"</th><th scope="col">"Why it was left open"</th></tr></thead>
                    <tbody>{open.into_iter().map(|c| view! {
                        <tr>
                            <td>{c.child_unique_id}</td>
                            <td>{match (c.audit_id, c.state) {
                                (Some(a), Some(s)) => view! { <a href=format!("/audits/{a}")>{crate::ui::state_tag(s)}</a> }.into_any(),
                                _ => view! { "No auditor" }.into_any(),
                            }}</td>
                            <td>{c.reason.unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}</tbody>
                </table></div>
            })}
        </div>
    }
}

/// Closing a round past its due date, with a reason for each audit still open.
#[component]
fn CloseForm(id: i64, open: Vec<LeftOpen>, close: FormAction<CloseRound>) -> impl IntoView {
    let errors = move || form_errors(close.value().get());
    let any_open = !open.is_empty();
    view! {
        <div class="panel" data-testid="close-panel">
            <h2 class="heading-m">"Close the round"</h2>
            <p class="body">{if any_open {
                "The round is past its due date. Closing it keeps the audits below open, and overdue, for their auditors to finish; each needs a reason. Auditors stop seeing the round's cases, and its cases count towards the draw's exclusion window."
            } else {
                "Every case is filed. Close the round."
            }}</p>
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Form action=close>
                <input type="hidden" name="round_id" value=id.to_string()/>
                {open.into_iter().map(|c| {
                    let field = format!("reason-{}", c.round_case_id);
                    let f = field.clone();
                    let state = c.state.map(|s| s.label()).unwrap_or("No auditor yet");
                    view! {
                        <div class="form-group" class:form-group--error=move || field_error(&errors(), &f).is_some()>
                            <label class="label" for=field.clone()>{format!("Why is the audit of {} ({}) left open?", c.child_unique_id, state.to_lowercase())}</label>
                            {let f = field.clone(); move || field_error(&errors(), &f).map(|m| view! { <p class="error-message">{m}</p> })}
                            <input class="input" id=field.clone() name=format!("reason[{}]", c.round_case_id)/>
                        </div>
                    }
                }).collect_view()}
                <button type="submit" class="button" id="close-round" disabled=move || close.pending().get()>"Close the round"</button>
            </Form>
        </div>
    }
}

#[component]
fn ConfirmForm(id: i64, confirm: FormAction<ConfirmRound>) -> impl IntoView {
    let errors = move || form_errors(confirm.value().get());
    view! {
        <div class="panel" data-testid="confirm-panel">
            <h2 class="heading-m">"Confirm the round"</h2>
            <p class="body">"Check the draw below, withdraw any case that should not be audited, then confirm. Each selected case's key worker, Team Manager, IRO / CP Chair and Service Manager get an alert in their tray and an email."</p>
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Form action=confirm>
                <input type="hidden" name="round_id" value=id.to_string()/>
                <button type="submit" class="button" id="confirm" disabled=move || confirm.pending().get()>"Confirm and notify"</button>
            </Form>
        </div>
    }
}

#[component]
fn AssignForm(id: i64, form: Assignments, assign: FormAction<AssignAuditors>) -> impl IntoView {
    let Assignments { auditors, rows } = form;
    let errors = move || form_errors(assign.value().get());
    let saved = move || assign.value().get().and_then(|r| r.ok());
    let waiting = rows.iter().filter(|r| r.auditor_id.is_none()).count();
    view! {
        <h2 class="heading-m">"Assign auditors"</h2>
        <p class="body">
            {if waiting == 0 { "Every selected case has an auditor. You can change them here.".to_string() }
             else { format!("{waiting} cases need an auditor. The suggestions spread the work evenly and never ask anyone to audit their own team's cases; change any you need to.") }}
        </p>
        {move || saved().map(|n| view! { <p class="body" role="status" data-testid="assign-saved"><Tag text="Saved" colour="green"/>{format!(" {} assigned or changed. They have been told.", crate::domain::words::count(n, "auditor", "auditors"))}</p> })}
        {move || view! { <ErrorSummary errors=errors()/> }}
        <Form action=assign attr:data-testid="assign-form">
            <input type="hidden" name="round_id" value=id.to_string()/>
            <crate::ui::TableWrap><table class="table">
                <thead><tr>
                    <th scope="col">"Child Unique ID"</th>
                    <th scope="col">"Team"</th>
                    <th scope="col">"Auditor"</th>
                    <th scope="col">"Audit"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let field = format!("auditor-{}", r.round_case_id);
                        let f = field.clone();
                        let error = move || field_error(&errors(), &f);
                        let has_error = error.clone();
                        let current = r.auditor_id.or(r.suggested);
                        view! {
                            <tr>
                                <td><a href=format!("/cases/{}", r.case_id)>{r.child_unique_id.clone()}</a></td>
                                <td>{r.team}</td>
                                <td>
                                    <div class="form-group" class:form-group--error=move || has_error().is_some()>
                                        <label class="visually-hidden" for=field.clone()>{format!("Auditor for {}", r.child_unique_id)}</label>
                                        {move || error().map(|m| view! { <p class="error-message">{m}</p> })}
                                        <select class="select" id=field name=format!("auditor[{}]", r.round_case_id)>
                                            <option value="" selected=current.is_none()>"Not assigned"</option>
                                            {auditors.iter().filter(|(pid, _, _)| !r.excluded.contains(pid)).map(|(pid, name, open)| {
                                                let pid = *pid;
                                                view! {
                                                    <option value=pid.to_string() selected=current == Some(pid)>{format!("{name} ({open} open)")}</option>
                                                }
                                            }).collect_view()}
                                        </select>
                                        {(r.auditor_id.is_none() && r.suggested.is_some()).then(|| view! { <Tag text="Suggested" colour="blue"/> })}
                                    </div>
                                </td>
                                <td>{match r.audit {
                                    Some((audit_id, state)) => view! { <a href=format!("/audits/{audit_id}")>{crate::ui::state_tag(state)}</a> }.into_any(),
                                    None => view! { <Tag text="Selected" colour="grey"/> }.into_any(),
                                }}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table></crate::ui::TableWrap>
            <button type="submit" class="button" disabled=move || assign.pending().get()>"Save auditors"</button>
        </Form>
    }
}

#[component]
fn DrawForm(id: i64, draw: FormAction<DrawRound>, teams: Vec<(i64, String)>) -> impl IntoView {
    let errors = move || form_errors(draw.value().get());
    view! {
        <h2 class="heading-m">"Draw the sample"</h2>
        {move || view! { <ErrorSummary errors=errors()/> }}
        <Form action=draw attr:data-testid="draw-form">
            <input type="hidden" name="round_id" value=id.to_string()/>
            <p class="hint">"How many cases to draw at random from each Annex A list. Leave a list blank to draw none from it."</p>
            {AnnexList::ALL.into_iter().map(|list| {
                let field = format!("quota-{}", list.number());
                let name = format!("quota_{}", list.number());
                let f = field.clone();
                let error = move || field_error(&errors(), &f);
                let has_error = error.clone();
                view! {
                    <div class="form-group form-group--inline" class:form-group--error=move || has_error().is_some()>
                        <label class="label" for=field.clone()>{list.title()}</label>
                        {move || error().map(|m| view! { <p class="error-message">{m}</p> })}
                        <input class="input input--narrow" id=field name=name inputmode="numeric"/>
                    </div>
                }
            }).collect_view()}
            <details class="details" open=move || errors().iter().any(|e| e.field.starts_with("team-quota-"))>
                <summary>"Quotas per team"</summary>
                <p class="hint">"Cases drawn for a team come from any of the lists above, and are drawn before the list quotas."</p>
                {teams.into_iter().map(|(team_id, team)| {
                    let field = format!("team-quota-{team_id}");
                    let f = field.clone();
                    let error = move || field_error(&errors(), &f);
                    let has_error = error.clone();
                    view! {
                        <div class="form-group form-group--inline" class:form-group--error=move || has_error().is_some()>
                            <label class="label" for=field.clone()>{team}</label>
                            {move || error().map(|m| view! { <p class="error-message">{m}</p> })}
                            <input class="input input--narrow" id=field name=format!("team_quota[{team_id}]") inputmode="numeric"/>
                        </div>
                    }
                }).collect_view()}
            </details>
            <div class="form-group">
                <label class="label" for="exclude-months">"Leave out cases drawn in the last (months)"</label>
                {move || field_error(&errors(), "exclude-months").map(|m| view! { <p class="error-message">{m}</p> })}
                <input class="input input--narrow" id="exclude-months" name="exclude_months" inputmode="numeric" value="12"/>
            </div>
            <p class="hint">"Closed cases and cases already in another open round are always left out."</p>
            <button type="submit" class="button" disabled=move || draw.pending().get()>"Draw"</button>
        </Form>
    }
}

#[component]
fn DrawResult(
    id: i64,
    draw: DrawView,
    can_withdraw: bool,
    withdraw: FormAction<WithdrawCase>,
) -> impl IntoView {
    let withdraw_errors = move || form_errors(withdraw.value().get());
    let verify = FormAction::<VerifyDraw>::new();
    view! {
        <h2 class="heading-m">"The draw"</h2>
        <p class="body">"Seed: " <code data-testid="seed">{draw.seed}</code></p>
        <p class="hint">{format!("Generator: {}. Cases drawn in the last {} months were left out.", draw.generator, draw.exclude_months)}</p>
        {(draw.unallocated_left_out > 0).then(|| view! {
            <p class="inset" data-testid="unallocated-left-out">{format!(
                "{} otherwise eligible {} no key worker, so {} left out: nobody could take {} audit through. Allocate {} and draw again next month.",
                draw.unallocated_left_out,
                if draw.unallocated_left_out == 1 { "case has" } else { "cases have" },
                if draw.unallocated_left_out == 1 { "it was" } else { "they were" },
                if draw.unallocated_left_out == 1 { "its" } else { "their" },
                if draw.unallocated_left_out == 1 { "it" } else { "them" },
            )}</p>
        })}
        <Form action=verify attr:class="inline-form">
            <input type="hidden" name="round_id" value=id.to_string()/>
            <button type="submit" class="button button--secondary">"Verify this draw"</button>
        </Form>
        {move || verify.value().get().map(|r| match r {
            Ok(v) if v.matches => view! {
                <p class="body" role="status" data-testid="verify-result"><Tag text="Verified" colour="green"/>
                {format!(" Re-running the draw from its seed and recorded pool gives the same {} cases.", v.cases)}</p>
            }.into_any(),
            Ok(_) => view! {
                <p class="body" role="alert" data-testid="verify-result"><Tag text="Does not match" colour="red"/>
                " Re-running the draw gives different cases. Tell the QA Manager."</p>
            }.into_any(),
            Err(e) => view! { <p class="error-message" role="alert">{e.to_string()}</p> }.into_any(),
        })}
        {draw.strata.into_iter().map(|s| {
            let short = s.eligible < s.quota;
            view! {
                <h3 class="heading-s">{s.label.clone()}</h3>
                <p class="body">
                    {format!("{} of {} asked for, from {} eligible.", s.selected.len(), s.quota, s.eligible)}
                    {short.then(|| view! { " " <Tag text="Fewer eligible than the quota: all were taken" colour="red"/> })}
                </p>
                <crate::ui::TableWrap><table class="table">
                    <thead><tr>
                        <th scope="col">"Child Unique ID"</th>
                        <th scope="col">"Team"</th>
                        {can_withdraw.then(|| view! { <th scope="col">"Withdraw"</th> })}
                    </tr></thead>
                    <tbody>
                        {s.selected.into_iter().map(|c| {
                            let field = format!("reason-{}", c.case_id);
                            let f = field.clone();
                            let error = move || field_error(&withdraw_errors(), &f);
                            let is_open = error.clone();
                            view! {
                                <tr>
                                    <td>
                                        <a href=format!("/cases/{}", c.case_id)>{c.child_unique_id.clone()}</a>
                                        {c.replacement.then(|| view! { " " <Tag text="Replacement" colour="blue"/> })}
                                    </td>
                                    <td>{c.team}</td>
                                    {can_withdraw.then(|| view! {
                                        <td>
                                            // A <details> opens without JavaScript.
                                            <details class="details" open=move || is_open().is_some()>
                                                <summary>{format!("Withdraw {}", c.child_unique_id)}</summary>
                                                <Form action=withdraw>
                                                    <input type="hidden" name="round_id" value=id.to_string()/>
                                                    <input type="hidden" name="case_id" value=c.case_id.to_string()/>
                                                    <label class="label" for=field.clone()>"Reason"</label>
                                                    {move || error().map(|m| view! { <p class="error-message">{m}</p> })}
                                                    <input class="input" id=field name="reason"/>
                                                    <button type="submit" class="button button--warning">"Withdraw and replace"</button>
                                                </Form>
                                            </details>
                                        </td>
                                    })}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table></crate::ui::TableWrap>
            }
        }).collect_view()}
    }
}
