use super::{
    list_rounds, round_detail, CreateRound, DrawRound, DrawView, RoundView, VerifyDraw,
    WithdrawCase,
};
use crate::domain::AnnexList;
use crate::ui::{field_error, form_errors, ErrorSummary, ErrorView, SignedIn, Tag};
use crate::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn status_tag(status: &str) -> impl IntoView {
    let (text, colour) = match status {
        "open" => ("Not drawn", "grey"),
        "drawn" => ("Drawn", "blue"),
        "confirmed" => ("Confirmed", "green"),
        _ => ("Closed", "grey"),
    };
    view! { <Tag text=text colour=colour/> }
}

#[component]
pub fn RoundsPage() -> impl IntoView {
    let create = ServerAction::<CreateRound>::new();
    let rounds = Resource::new(move || create.version().get(), |_| list_rounds());
    let errors = move || form_errors(create.value().get());
    view! {
        <Title text="Audit rounds"/>
        <SignedIn render=move |me| {
            let qa = me.roles.has(crate::domain::Role::QaManager);
            view! {
                <h1 class="heading-l">"Audit rounds"</h1>
                {qa.then(|| view! {
                    {move || view! { <ErrorSummary errors=errors()/> }}
                    <ActionForm action=create attr:class="filters" attr:data-testid="create-round">
                        <div class="form-group form-group--inline" class:form-group--error=move || field_error(&errors(), "month").is_some()>
                            <label class="label" for="month">"Audit month"</label>
                            <p class="hint">"The month the audits are done in, for example 2027-01"</p>
                            {move || field_error(&errors(), "month").map(|m| view! { <p class="error-message" id="month-error">{m}</p> })}
                            <input class="input" id="month" name="month" type="month" placeholder="YYYY-MM"/>
                        </div>
                        <button type="submit" class="button">"Create round"</button>
                    </ActionForm>
                })}
                <Suspense fallback=|| view! { <p class="loading">"Loading rounds…"</p> }>
                    {move || Suspend::new(async move {
                        match rounds.await {
                            Ok(list) if list.is_empty() => view! { <p class="body">"There are no rounds yet."</p> }.into_any(),
                            Ok(list) => view! {
                                <table class="table" data-testid="rounds-table">
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
                                                <td>{status_tag(&r.status)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
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
    let params = use_params_map();
    let round_id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let draw = ServerAction::<DrawRound>::new();
    let withdraw = ServerAction::<WithdrawCase>::new();
    let round = Resource::new(
        move || (round_id(), draw.version().get(), withdraw.version().get()),
        |(id, _, _)| async move {
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
                        Ok(view) => view! { <Round view draw withdraw/> }.into_any(),
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
    draw: ServerAction<DrawRound>,
    withdraw: ServerAction<WithdrawCase>,
) -> impl IntoView {
    let round = view.round;
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
                <dd class="summary-list__value">{status_tag(&round.status)}</dd>
            </div>
        </dl>
        {view.can_draw.then(|| view! { <DrawForm id draw/> })}
        {view.draw.map(|d| view! { <DrawResult id draw=d can_withdraw=view.can_withdraw withdraw/> })}
    }
}

#[component]
fn DrawForm(id: i64, draw: ServerAction<DrawRound>) -> impl IntoView {
    let errors = move || form_errors(draw.value().get());
    view! {
        <h2 class="heading-m">"Draw the sample"</h2>
        {move || view! { <ErrorSummary errors=errors()/> }}
        <ActionForm action=draw attr:data-testid="draw-form">
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
            <div class="form-group">
                <label class="label" for="exclude-months">"Leave out cases drawn in the last (months)"</label>
                {move || field_error(&errors(), "exclude-months").map(|m| view! { <p class="error-message">{m}</p> })}
                <input class="input input--narrow" id="exclude-months" name="exclude_months" inputmode="numeric" value="12"/>
            </div>
            <p class="hint">"Closed cases and cases already in another open round are always left out."</p>
            <button type="submit" class="button" disabled=move || draw.pending().get()>"Draw"</button>
        </ActionForm>
    }
}

#[component]
fn DrawResult(
    id: i64,
    draw: DrawView,
    can_withdraw: bool,
    withdraw: ServerAction<WithdrawCase>,
) -> impl IntoView {
    let withdraw_errors = move || form_errors(withdraw.value().get());
    let verify = ServerAction::<VerifyDraw>::new();
    view! {
        <h2 class="heading-m">"The draw"</h2>
        <p class="body">"Seed: " <code data-testid="seed">{draw.seed}</code></p>
        <p class="hint">{format!("Generator: {}. Cases drawn in the last {} months were left out.", draw.generator, draw.exclude_months)}</p>
        <ActionForm action=verify attr:class="inline-form">
            <input type="hidden" name="round_id" value=id.to_string()/>
            <button type="submit" class="button button--secondary">"Verify this draw"</button>
        </ActionForm>
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
                <table class="table">
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
                                                <ActionForm action=withdraw>
                                                    <input type="hidden" name="round_id" value=id.to_string()/>
                                                    <input type="hidden" name="case_id" value=c.case_id.to_string()/>
                                                    <label class="label" for=field.clone()>"Reason"</label>
                                                    {move || error().map(|m| view! { <p class="error-message">{m}</p> })}
                                                    <input class="input" id=field name="reason"/>
                                                    <button type="submit" class="button button--warning">"Withdraw and replace"</button>
                                                </ActionForm>
                                            </details>
                                        </td>
                                    })}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }
        }).collect_view()}
    }
}
