use super::{
    action_review_detail, action_reviews, ActionReviewView, AddReviewAction, AssignActionReviews,
    FinaliseActionReview, ReviewStatus, UpdateAction,
};
use crate::domain::action_review::ActionProgress;
use crate::ui::use_params_map;
use crate::ui::{field_error, form_errors, last_answered, ErrorSummary, ErrorView, SignedIn, Tag};
use crate::ui::{Form, FormAction};
use crate::{AppError, FieldError};
use leptos::prelude::*;
use leptos_meta::Title;

fn status_tag(status: ReviewStatus) -> impl IntoView {
    let colour = match status {
        ReviewStatus::NotAssigned => "grey",
        ReviewStatus::Assigned => "blue",
        ReviewStatus::Finalised => "green",
    };
    view! { <Tag text=status.label() colour=colour/> }
}

/// Filed audits' action reviews: the QA Manager assigns them; Team Managers open theirs.
#[component]
pub fn ActionReviewsPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::ActionReviews.draw(route.clone(), Some(me))/> }
}

pub(crate) fn action_reviews_page(
    route: crate::ui::Route,
    me: Option<crate::auth::Me>,
) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let assign = FormAction::<AssignActionReviews>::new();
    let live = crate::live::signals().0;
    let list = crate::codec::resource(
        move || (assign.version().get(), live.get()),
        |_| action_reviews(),
    );
    let errors = move || form_errors(assign.value().get());
    view! {
        <Title text="Action reviews"/>
        <SignedIn render=move |_me| view! {
            <h1 class="heading-l">"Action reviews"</h1>
            {move || view! { <ErrorSummary errors=errors()/> }}
            {move || assign.value().get().and_then(Result::ok).map(|n| view! {
                <div class="inset" role="status" data-testid="assigned">{format!("{} assigned. Each Team Manager has a tray alert.", crate::domain::words::count(n, "action review", "action reviews"))}</div>
            })}
            <Transition fallback=|| view! { <p class="loading">"Loading action reviews…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(view) => {
                            let rounds = view.unassigned_rounds.clone();
                            view! {
                                {(!rounds.is_empty()).then(|| view! {
                                    <Form action=assign attr:data-testid="assign-round">
                                        <div class="form-group">
                                            <label class="label" for="round">"Assign the reviews of a round's filed audits"</label>
                                            <p class="hint">"Each goes to the case's Team Manager, or the Service Manager where the team has none."</p>
                                            {move || field_error(&errors(), "round").map(|m| view! { <p class="error-message" id="round-error">{m}</p> })}
                                            <select class="select" id="round" name="round_id">
                                                {rounds.into_iter().map(|(id, month, n)| view! { <option value=id.to_string()>{format!("{month} ({n} to assign)")}</option> }).collect_view()}
                                            </select>
                                        </div>
                                        <button type="submit" class="button">"Assign action reviews"</button>
                                    </Form>
                                })}
                                {if view.reviews.is_empty() {
                                    view! { <p class="body">"No filed audits with required actions yet."</p> }.into_any()
                                } else {
                                    let assigns = view.assigns;
                                    view! {
                                        <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                                        <table class="table" data-testid="review-list">
                                            <caption class="table__caption visually-hidden">"Action reviews"</caption>
                                            <thead><tr><th scope="col">"Case"</th><th scope="col">"Round"</th><th scope="col">"Team"</th><th scope="col">"Reviewer"</th><th scope="col">"Review"</th><th scope="col">"Actions"</th><th scope="col"><span class="visually-hidden">"Do"</span></th></tr></thead>
                                            <tbody>
                                            {view.reviews.into_iter().map(|r| {
                                                let id = r.audit_id;
                                                view! {
                                                    <tr data-testid=format!("review-{id}")>
                                                        <td>{if r.status == ReviewStatus::NotAssigned {
                                                            view! { <a href=format!("/audits/{id}/record")>{r.child_unique_id.clone()}</a> }.into_any()
                                                        } else {
                                                            view! { <a href=format!("/audits/{id}/actions")>{r.child_unique_id.clone()}</a> }.into_any()
                                                        }}</td>
                                                        <td>{r.month.clone()}</td>
                                                        <td>{r.team.clone()}</td>
                                                        <td>{r.reviewer.clone().unwrap_or_else(|| "None yet".into())}</td>
                                                        <td>{status_tag(r.status)} {r.mine.then(|| view! { " " <Tag text="Yours" colour="yellow"/> })}</td>
                                                        <td>{format!("{} of {} open", r.open, r.actions)}
                                                            {(r.overdue > 0).then(|| view! { " " <Tag text=format!("{} overdue", r.overdue) colour="red"/> })}</td>
                                                        <td>{(assigns && r.status == ReviewStatus::NotAssigned).then(|| view! {
                                                            <Form action=assign attr:class="inline-form">
                                                                <input type="hidden" name="audit_id" value=id.to_string()/>
                                                                <button type="submit" class="button button--secondary">"Assign"</button>
                                                            </Form>
                                                        })}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                            </tbody>
                                        </table>
                                        </div>
                                    }.into_any()
                                }}
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

#[derive(Clone, Copy)]
struct Forms {
    update: FormAction<UpdateAction>,
    add: FormAction<AddReviewAction>,
    finalise: FormAction<FinaliseActionReview>,
}

/// One audit's action review.
#[component]
pub fn ActionReviewPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::ActionReview.draw(route.clone(), Some(me))/> }
}

pub(crate) fn action_review_page(
    route: crate::ui::Route,
    me: Option<crate::auth::Me>,
) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let params = use_params_map();
    let audit_id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let forms = Forms {
        update: FormAction::<UpdateAction>::new(),
        add: FormAction::<AddReviewAction>::new(),
        finalise: FormAction::<FinaliseActionReview>::new(),
    };
    // Refreshed by its own forms only: a live refresh would re-render the form being typed in.
    let detail = crate::codec::resource(
        move || {
            (
                audit_id(),
                forms.update.version().get()
                    + forms.add.version().get()
                    + forms.finalise.version().get(),
            )
        },
        |(id, _)| async move {
            match id {
                Some(id) => action_review_detail(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let last = last_answered(vec![
        forms.update.version(),
        forms.add.version(),
        forms.finalise.version(),
    ]);
    let errors = move || match last.get() {
        Some(0) => form_errors(forms.update.value().get()),
        Some(1) => form_errors(forms.add.value().get()),
        Some(_) => form_errors(forms.finalise.value().get()),
        None => {
            let mut all = form_errors(forms.update.value().get());
            all.extend(form_errors(forms.add.value().get()));
            all.extend(form_errors(forms.finalise.value().get()));
            all
        }
    };
    view! {
        <Title text="Action review"/>
        <SignedIn render=move |_me| view! {
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Suspense fallback=|| view! { <p class="loading">"Loading the action review…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(view) => view! { <Review view forms errors/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

fn error_for(
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
    field: String,
) -> impl IntoView {
    move || {
        field_error(&errors(), &field)
            .map(|m| view! { <p class="error-message" id=format!("{field}-error")>{m}</p> })
    }
}

#[component]
fn Review(
    view: ActionReviewView,
    forms: Forms,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = view.audit_id;
    let editable = view.editable;
    // The server's today: the browser has no clock-aware chrono.
    let today = view.today.format("%Y-%m-%d").to_string();
    let rows: Vec<(&str, String)> = vec![
        ("Team", view.team.clone()),
        ("Round", view.month.clone()),
        ("Filed", view.filed_on.format("%-d %B %Y").to_string()),
        ("Reviewer", view.reviewer.clone()),
        ("Assigned", view.assigned.clone()),
    ];
    view! {
        <a class="back-link" href="/action-reviews">"Action reviews"</a>
        <span class="caption">"Audit action review"</span>
        <h1 class="heading-l" data-testid="review-heading">{view.child_unique_id.clone()}</h1>
        <p data-testid="review-state">{if view.finalised.is_some() { status_tag(ReviewStatus::Finalised).into_any() } else { status_tag(ReviewStatus::Assigned).into_any() }}</p>
        <dl class="summary-list">
            {rows.into_iter().map(|(k, v)| view! {
                <div class="summary-list__row"><dt class="summary-list__key">{k}</dt><dd class="summary-list__value">{v}</dd></div>
            }).collect_view()}
            {view.finalised.clone().map(|f| view! { <div class="summary-list__row"><dt class="summary-list__key">"Finalised"</dt><dd class="summary-list__value" data-testid="finalised">{f}</dd></div> })}
            {view.cms_reference.clone().map(|r| view! { <div class="summary-list__row"><dt class="summary-list__key">"Case-management reference"</dt><dd class="summary-list__value">{r}</dd></div> })}
        </dl>
        <p class="body"><a href=format!("/audits/{id}/record")>"Read the filed audit and case note"</a></p>
        <h2 class="heading-m">"Required actions"</h2>
        <ol class="list review-actions">
            {view.actions.into_iter().enumerate().map(|(n, a)| {
                let aid = a.id;
                let today = today.clone();
                let f = move |name: &str| format!("{name}-{aid}");
                view! {
                    <li class="panel" data-testid=format!("action-{}", n + 1)>
                        <h3 class="heading-s">{a.action.clone()}</h3>
                        <p class="body">
                            {format!("Owner: {}. Due {}.", a.owner, a.due_on.format("%-d %B %Y"))}
                            {a.added_by.clone().map(|by| format!(" Added in the review by {by}."))}
                        </p>
                        <p data-testid="action-status">{match (a.status, a.done_on) {
                            (ActionProgress::Done, Some(on)) => view! { <Tag text=format!("Done {}", on.format("%-d %B %Y")) colour="green"/> }.into_any(),
                            (ActionProgress::Done, None) => view! { <Tag text="Done" colour="green"/> }.into_any(),
                            _ if a.overdue => view! { <Tag text="Overdue" colour="red"/> }.into_any(),
                            _ => view! { <Tag text="Not done yet" colour="blue"/> }.into_any(),
                        }}</p>
                        {(!a.updates.is_empty()).then(|| view! {
                            <ul class="list" data-testid="action-updates">
                                {a.updates.iter().map(|u| view! {
                                    <li>
                                        <strong>{format!("{}, {}: {}", u.at.format("%-d %B %Y %H:%M"), u.by, if u.status == ActionProgress::Done { format!("done {}", u.on.format("%-d %B %Y")) } else { format!("not done as of {}", u.on.format("%-d %B %Y")) })}</strong>
                                        <p class="body pre-wrap">{u.progress.clone()}</p>
                                        {(!u.evidence.is_empty()).then(|| view! { <p class="body pre-wrap">{format!("Evidence: {}", u.evidence)}</p> })}
                                        {u.link.clone().map(|l| view! { <p class="body"><a href=l.clone() rel="noopener noreferrer" target="_blank">"Open the evidence"</a></p> })}
                                    </li>
                                }).collect_view()}
                            </ul>
                        })}
                        {editable.then(|| view! {
                            <details class="details" open=a.updates.is_empty()>
                                <summary>"Record progress"</summary>
                                <Form action=forms.update attr:data-testid="update-form">
                                    <input type="hidden" name="audit_id" value=id.to_string()/>
                                    <input type="hidden" name="action_id" value=aid.to_string()/>
                                    <div class="form-group">
                                        <label class="label" for=f("progress")>"Progress"</label>
                                        {error_for(errors, f("progress"))}
                                        <textarea class="textarea" id=f("progress") name="progress" rows="3"></textarea>
                                    </div>
                                    <div class="form-group">
                                        <label class="label" for=f("evidence")>"Evidence (optional)"</label>
                                        {error_for(errors, f("evidence"))}
                                        <textarea class="textarea" id=f("evidence") name="evidence" rows="2"></textarea>
                                    </div>
                                    <div class="form-group">
                                        <label class="label" for=f("link")>"Link to the evidence (optional)"</label>
                                        {error_for(errors, f("link"))}
                                        <input class="input" id=f("link") name="link" type="url" inputmode="url"/>
                                    </div>
                                    <fieldset class="fieldset" id=f("status")>
                                        <legend class="fieldset__legend">"Is the action done?"</legend>
                                        {error_for(errors, f("status"))}
                                        <div class="radios">
                                            <label class="radio"><input type="radio" name="status" value="done"/>" Done"</label>
                                            <label class="radio"><input type="radio" name="status" value="open"/>" Not done yet"</label>
                                        </div>
                                    </fieldset>
                                    <div class="form-group">
                                        <label class="label" for=f("on")>"Date"</label>
                                        <p class="hint">"When it was done, or when you checked it."</p>
                                        {error_for(errors, f("on"))}
                                        <input class="input input--date" id=f("on") name="on" type="date" value=today.clone()/>
                                    </div>
                                    <button type="submit" class="button button--secondary">"Save progress"</button>
                                </Form>
                            </details>
                        })}
                    </li>
                }
            }).collect_view()}
        </ol>
        {editable.then(|| view! {
            <details class="details">
                <summary>"Add an action of your own"</summary>
                <Form action=forms.add attr:data-testid="add-action">
                    <input type="hidden" name="audit_id" value=id.to_string()/>
                    <div class="form-group">
                        <label class="label" for="new-action">"Action"</label>
                        {error_for(errors, "new-action".into())}
                        <textarea class="textarea" id="new-action" name="action" rows="2"></textarea>
                    </div>
                    <div class="form-group">
                        <label class="label" for="new-owner">"Owner"</label>
                        {error_for(errors, "new-owner".into())}
                        <input class="input" id="new-owner" name="owner"/>
                    </div>
                    <div class="form-group">
                        <label class="label" for="new-due-on">"Due"</label>
                        {error_for(errors, "new-due-on".into())}
                        <input class="input input--date" id="new-due-on" name="due_on" type="date"/>
                    </div>
                    <button type="submit" class="button button--secondary">"Add the action"</button>
                </Form>
            </details>
            <h2 class="heading-m">"Finalise the review"</h2>
            <p class="body">"Once finalised the review is locked and the QA Manager is told."</p>
            <Form action=forms.finalise attr:data-testid="finalise-form">
                <input type="hidden" name="audit_id" value=id.to_string()/>
                <div class="form-group" id="finalise">
                    <label class="label" for="reference">"Case-management system reference (optional)"</label>
                    {error_for(errors, "finalise".into())}
                    {error_for(errors, "reference".into())}
                    <input class="input" id="reference" name="reference"/>
                </div>
                <button type="submit" class="button">"Finalise the action review"</button>
            </Form>
        })}
    }
}
