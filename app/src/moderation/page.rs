use super::{
    audit_moderation, moderation_home, moderation_round, AuditModerationView, DrawModeration,
    RecordModeration, RecordModerationOutcome, RoundModerationView, SampledAudit,
    WithdrawModeration,
};
use crate::domain::audit::Grade;
use crate::domain::moderated::{field, Part, Verdict};
use crate::ui::use_params_map;
use crate::ui::{field_error, form_errors, last_answered, ErrorSummary, ErrorView, SignedIn, Tag};
use crate::ui::{Form, FormAction};
use crate::{AppError, FieldError};
use leptos::prelude::*;
use leptos_meta::Title;

fn id_param() -> impl Fn() -> Option<i64> + Copy {
    let params = use_params_map();
    move || params.read().get("id").and_then(|v| v.parse::<i64>().ok())
}

fn long(d: chrono::NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

fn stage_tag(stage: &str) -> impl IntoView {
    let colour = match stage {
        "Open" => "blue",
        "Overdue" => "red",
        _ => "grey",
    };
    view! { <Tag text=stage.to_string() colour=colour/> }
}

/// Rounds to moderate, and what is asked of me.
#[component]
pub fn ModerationPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Moderation.draw(route.clone(), Some(me))/> }
}

pub(crate) fn moderation_page(
    route: crate::ui::Route,
    me: Option<crate::auth::Me>,
) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let live = crate::live::signals().0;
    let home = crate::codec::resource(move || live.get(), |_| moderation_home());
    view! {
        <Title text="Moderation"/>
        <SignedIn render=move |_me| view! {
            <h1 class="heading-l">"Moderation"</h1>
            <p class="body"><a href="/moderation/results">"Moderation results"</a></p>
            <Transition fallback=|| view! { <p class="loading">"Loading moderation…"</p> }>
                {move || Suspend::new(async move {
                    match home.await {
                        Ok(h) => view! {
                            <h2 class="heading-m">"Asked of you"</h2>
                            {if h.asked.is_empty() {
                                view! { <p class="body">"Nothing is asked of you."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid="asked-list">
                                        <caption class="visually-hidden">"Moderations asked of you"</caption>
                                        <thead><tr><th scope="col">"Case"</th><th scope="col">"Round"</th><th scope="col">"Team"</th><th scope="col">"As"</th><th scope="col">"Asked"</th><th scope="col">"Your view"</th></tr></thead>
                                        <tbody>{h.asked.into_iter().map(|a| view! {
                                            <tr>
                                                <td><a href=format!("/audits/{}/moderation", a.audit_id)>{a.child_unique_id}</a></td>
                                                <td>{a.month}</td><td>{a.team}</td><td>{a.part.label()}</td><td>{long(a.asked_on)}</td>
                                                <td>{if a.recorded { view! { <Tag text="Recorded" colour="green"/> }.into_any() } else { view! { <Tag text="To do" colour="yellow"/> }.into_any() }}</td>
                                            </tr>
                                        }).collect_view()}</tbody>
                                    </table></div>
                                }.into_any()
                            }}
                            <h2 class="heading-m">"Rounds"</h2>
                            {if h.rounds.is_empty() {
                                view! { <p class="body">"No round has completed audits yet."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid="moderation-rounds">
                                        <caption class="visually-hidden">"Rounds and their moderation"</caption>
                                        <thead><tr><th scope="col">"Round"</th><th scope="col">"Opens"</th><th scope="col">"Due"</th><th scope="col">"Completed audits"</th><th scope="col">"Sample"</th><th scope="col">"Outcomes"</th></tr></thead>
                                        <tbody>{h.rounds.into_iter().map(|r| view! {
                                            <tr data-testid=format!("moderation-round-{}", r.round_id)>
                                                <td><a href=format!("/moderation/rounds/{}", r.round_id)>{r.month}</a>" "{stage_tag(&r.stage)}</td>
                                                <td>{r.opens_on.map(long).unwrap_or_default()}</td>
                                                <td>{r.due_on.map(long).unwrap_or_default()}</td>
                                                <td>{r.completed}</td>
                                                <td>{if r.drawn { format!("{} drawn", r.sampled) } else { format!("{} to draw", r.sample_size) }}</td>
                                                <td>{r.outcomes}</td>
                                            </tr>
                                        }).collect_view()}</tbody>
                                    </table></div>
                                }.into_any()
                            }}
                        }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

/// One round's moderation: draw, verify, withdraw and replace, top up.
#[component]
pub fn ModerationRoundPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::ModerationRound.draw(route.clone(), Some(me))/> }
}

pub(crate) fn moderation_round_page(
    route: crate::ui::Route,
    me: Option<crate::auth::Me>,
) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let id = id_param();
    let draw = FormAction::<DrawModeration>::new();
    let withdraw = FormAction::<WithdrawModeration>::new();
    let live = crate::live::signals().0;
    let detail = crate::codec::resource(
        move || {
            (
                id(),
                draw.version().get() + withdraw.version().get(),
                live.get(),
            )
        },
        |(id, _, _)| async move {
            match id {
                Some(id) => moderation_round(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let last = last_answered(vec![draw.version(), withdraw.version()]);
    let errors = move || match last.get() {
        Some(0) => form_errors(draw.value().get()),
        Some(_) => form_errors(withdraw.value().get()),
        None => {
            let mut all = form_errors(draw.value().get());
            all.extend(form_errors(withdraw.value().get()));
            all
        }
    };
    view! {
        <Title text="Round moderation"/>
        <SignedIn render=move |_me| view! {
            <a class="back-link" href="/moderation">"Moderation"</a>
            {move || view! { <ErrorSummary errors=errors()/> }}
            {move || draw.value().get().and_then(Result::ok).map(|n| view! {
                <div class="inset" role="status" data-testid="drawn">{format!("{n} {} drawn. Each panel member has a tray alert.", if n == 1 { "audit" } else { "audits" })}</div>
            })}
            <Transition fallback=|| view! { <p class="loading">"Loading the round…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(v) => view! { <RoundModeration v draw withdraw errors/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

fn sample_table(
    rows: Vec<SampledAudit>,
    caption: &'static str,
    testid: &'static str,
    withdraw: Option<(FormAction<WithdrawModeration>, i64)>,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid=testid>
            <caption class="table__caption">{caption}</caption>
            <thead><tr><th scope="col">"Case"</th><th scope="col">"Team"</th><th scope="col">"Auditor"</th><th scope="col">"Grade"</th><th scope="col">"Views"</th><th scope="col">"Outcome"</th>
                {withdraw.is_some().then(|| view! { <th scope="col"><span class="visually-hidden">"Withdraw"</span></th> })}</tr></thead>
            <tbody>{rows.into_iter().map(|s| {
                let sid = s.sample_id;
                let withdrawn = s.withdrawn.clone();
                let open = withdrawn.is_none() && s.outcome.is_none();
                let reason_field = format!("reason-{sid}");
                view! {
                    <tr data-testid=format!("sampled-{}", s.audit_id)>
                        <td><a href=format!("/audits/{}/moderation", s.audit_id)>{s.child_unique_id.clone()}</a>
                            {s.replaces.clone().map(|r| view! { <br/><span class="hint">{format!("in place of {r}")}</span> })}</td>
                        <td>{s.team.clone()}</td>
                        <td>{s.auditor.clone()}</td>
                        <td>{s.grade.clone()}</td>
                        <td>{if s.asked == 0 { "–".to_string() } else { format!("{} of {}", s.views, s.asked) }}</td>
                        <td>{match (&withdrawn, &s.outcome) {
                            (Some(reason), _) => view! { <Tag text="Withdrawn" colour="grey"/> " " <span class="hint">{reason.clone()}</span> }.into_any(),
                            (None, Some(o)) => view! { <Tag text=o.clone() colour="green"/> }.into_any(),
                            (None, None) => view! { <Tag text="Waiting" colour="blue"/> }.into_any(),
                        }}</td>
                        {withdraw.map(|(action, round_id)| view! {
                            <td>{open.then(|| view! {
                                <Form action=action attr:class="inline-form">
                                    <input type="hidden" name="round_id" value=round_id.to_string()/>
                                    <input type="hidden" name="sample_id" value=sid.to_string()/>
                                    <label class="label visually-hidden" for=reason_field.clone()>"Reason for withdrawing"</label>
                                    {let f = reason_field.clone(); move || field_error(&errors(), &f).map(|m| view! { <p class="error-message">{m}</p> })}
                                    <input class="input" id=reason_field.clone() name="reason" placeholder="Reason for withdrawing"/>
                                    <button type="submit" class="button button--secondary">"Withdraw and replace"</button>
                                </Form>
                            })}</td>
                        })}
                    </tr>
                }
            }).collect_view()}</tbody>
        </table></div>
    }
}

#[component]
fn RoundModeration(
    v: RoundModerationView,
    draw: FormAction<DrawModeration>,
    withdraw: FormAction<WithdrawModeration>,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let round_id = v.round.round_id;
    let r = v.round.clone();
    let withdraws = v.can_draw || v.can_top_up || (!v.draws.is_empty() && v.draw_blocked.is_none());
    view! {
        <span class="caption">"Moderation"</span>
        <h1 class="heading-l" data-testid="round-heading">{r.month.clone()}</h1>
        <dl class="summary-list">
            <div class="summary-list__row"><dt class="summary-list__key">"Window"</dt><dd class="summary-list__value" data-testid="window">
                {match (r.opens_on, r.due_on) {
                    (Some(o), Some(d)) => format!("Opens {}, due {}", long(o), long(d)),
                    _ => "No working day in the window".into(),
                }}" "{stage_tag(&r.stage)}</dd></div>
            <div class="summary-list__row"><dt class="summary-list__key">"Completed audits"</dt><dd class="summary-list__value">{r.completed}</dd></div>
            <div class="summary-list__row"><dt class="summary-list__key">"Sample"</dt><dd class="summary-list__value">{format!("A third, rounded up: {}", r.sample_size)}</dd></div>
        </dl>
        {v.draw_blocked.clone().filter(|_| v.draws.is_empty()).map(|why| view! { <div class="inset" data-testid="draw-blocked">{why}</div> })}
        {v.can_draw.then(|| view! {
            <Form action=draw attr:data-testid="draw-form">
                <input type="hidden" name="round_id" value=round_id.to_string()/>
                {move || field_error(&errors(), "draw").map(|m| view! { <p class="error-message" id="draw-error">{m}</p> })}
                <p class="hint">"A third of the completed audits, rounded up, stratified by overall grade, from a new recorded seed. Each audit drawn asks the panel for its view."</p>
                <button type="submit" class="button" id="draw">"Draw the moderation sample"</button>
            </Form>
        })}
        {v.can_top_up.then(|| view! {
            <Form action=draw attr:data-testid="top-up-form">
                <input type="hidden" name="round_id" value=round_id.to_string()/>
                <input type="hidden" name="top_up" value="1"/>
                <p class="body">{format!("{} completed since the sample was drawn.", v.not_yet_considered)}</p>
                <button type="submit" class="button button--secondary">"Top-up draw"</button>
            </Form>
        })}
        {v.draws.iter().map(|d| view! {
            <section class="panel" data-testid="moderation-draw">
                <h2 class="heading-m">{if d.top_up { "Top-up draw" } else { "Sample" }}</h2>
                <p class="body">{format!("Drawn {}: {} of {} completed audits.", d.drawn, d.size, d.completed)}</p>
                <p data-testid="verified">{if d.verified {
                    view! { <Tag text="Verified" colour="green"/> " " <span class="hint">"Re-running the draw from its seed gives the same audits."</span> }.into_any()
                } else {
                    view! { <Tag text="Does not verify" colour="red"/> }.into_any()
                }}</p>
                <details class="details"><summary>"Seed and strata"</summary>
                    <p class="body"><code>{d.seed.clone()}</code></p>
                    <p class="hint">{d.generator.clone()}</p>
                    <ul class="list">{d.strata.iter().map(|(g, n, k)| view! { <li>{format!("{g}: {k} of {n}")}</li> }).collect_view()}</ul>
                </details>
            </section>
        }).collect_view()}
        {(!v.sample.is_empty()).then(|| sample_table(v.sample.clone(), "Audits drawn for the panel", "sample-table", withdraws.then_some((withdraw, round_id)), errors))}
        <h2 class="heading-m">"Assistant Director reviews"</h2>
        {if v.director_reviews.is_empty() {
            view! { <p class="body">"No audit of this round is graded good or outstanding."</p> }.into_any()
        } else {
            sample_table(v.director_reviews.clone(), "Audits graded good or better, each reviewed by an Assistant Director", "director-table", None, errors).into_any()
        }}
    }
}

#[derive(Clone, Copy)]
struct Forms {
    view: FormAction<RecordModeration>,
    outcome: FormAction<RecordModerationOutcome>,
}

/// One audit's moderation: grades as completed and as moderated, the views, the forms.
#[component]
pub fn AuditModerationPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::AuditModeration.draw(route.clone(), Some(me))/> }
}

pub(crate) fn audit_moderation_page(
    route: crate::ui::Route,
    me: Option<crate::auth::Me>,
) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let id = id_param();
    let forms = Forms {
        view: FormAction::<RecordModeration>::new(),
        outcome: FormAction::<RecordModerationOutcome>::new(),
    };
    // Refreshed by its own forms only: a live refresh would re-render a form being typed in.
    let detail = crate::codec::resource(
        move || {
            (
                id(),
                forms.view.version().get() + forms.outcome.version().get(),
            )
        },
        |(id, _)| async move {
            match id {
                Some(id) => audit_moderation(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    // The outcome form's grades carry their own IDs, apart from the view form's.
    let outcome_errors = move || {
        form_errors(forms.outcome.value().get())
            .into_iter()
            .map(|mut e| {
                if e.field == "overall" || e.field.starts_with("domain-") {
                    e.field = format!("outcome-{}", e.field);
                }
                e
            })
            .collect::<Vec<_>>()
    };
    let last = last_answered(vec![forms.view.version(), forms.outcome.version()]);
    let errors = move || match last.get() {
        Some(0) => form_errors(forms.view.value().get()),
        Some(_) => outcome_errors(),
        None => {
            let mut all = form_errors(forms.view.value().get());
            all.extend(outcome_errors());
            all
        }
    };
    view! {
        <Title text="Moderation"/>
        <SignedIn render=move |_me| view! {
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Suspense fallback=|| view! { <p class="loading">"Loading the moderation…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(v) => view! { <AuditModeration v forms errors/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

fn verdict_label(v: Verdict) -> String {
    match v {
        Verdict::Agree => "Agree".into(),
        Verdict::Grade(g) => g.label().into(),
    }
}

fn error_line(
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
    f: String,
) -> impl IntoView {
    move || {
        field_error(&errors(), &f)
            .map(|m| view! { <p class="error-message" id=format!("{f}-error")>{m}</p> })
    }
}

#[component]
fn AuditModeration(
    v: AuditModerationView,
    forms: Forms,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let audit_id = v.audit_id;
    let grades = v.grades.clone();
    let titles: Vec<(String, String)> = grades
        .iter()
        .map(|g| (g.key.clone(), g.title.clone()))
        .collect();
    view! {
        <a class="back-link" href=format!("/moderation/rounds/{}", v.round_id)>"Round moderation"</a>
        <span class="caption">{format!("Moderation · {} · {}", v.team, v.month)}</span>
        <h1 class="heading-l" data-testid="moderation-heading">{v.child_unique_id.clone()}</h1>
        <p class="body">{format!("Audited by {}. ", v.auditor)}<a href=format!("/audits/{audit_id}/record")>"Read the filed audit"</a></p>
        <p>{if v.sampled { view! { <Tag text="In the panel's sample" colour="blue"/> }.into_any() } else { view! { <Tag text="Assistant Director review" colour="purple"/> }.into_any() }}</p>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid="grades-table">
            <caption class="table__caption">"Grades: the audit as completed stays as it was; the moderated grades sit beside it"</caption>
            <thead><tr><th scope="col"></th><th scope="col">"Auditor's grade"</th><th scope="col">"Moderated grade"</th></tr></thead>
            <tbody>{grades.into_iter().map(|g| view! {
                <tr data-testid=format!("grade-{}", g.key)>
                    <th scope="row">{g.title}</th>
                    <td>{g.original.label()}</td>
                    <td>{match g.moderated {
                        Some(m) if m == g.original => view! { <span>{m.label()}</span> }.into_any(),
                        Some(m) => view! { <strong>{m.label()}</strong> " " <Tag text="Changed" colour="orange"/> }.into_any(),
                        None => view! { <span class="hint">"Not yet moderated"</span> }.into_any(),
                    }}</td>
                </tr>
            }).collect_view()}</tbody>
        </table></div>
        {v.outcome.clone().map(|o| view! {
            <section class="panel" data-testid="outcome">
                <h2 class="heading-m">{if o.confirmed { "Outcome: grades confirmed" } else { "Outcome: grades changed" }}</h2>
                <p class="body">{format!("Recorded {}.", o.recorded)}</p>
                {(!o.reason.is_empty()).then(|| view! { <p class="body">{o.reason.clone()}</p> })}
                {o.panel_note.clone().map(|n| view! { <p class="hint">{n}</p> })}
            </section>
        })}
        {(!v.views.is_empty()).then(|| view! {
            <h2 class="heading-m">"Moderators' views"</h2>
            {v.views.iter().map(|mv| {
                let verdicts = mv.verdicts.clone();
                let titles = titles.clone();
                view! {
                    <section class="panel" data-testid="moderation-view">
                        <h3 class="heading-s">{format!("{} ({})", mv.person, mv.part.label())}</h3>
                        {match mv.recorded.clone() {
                            Some(at) => view! {
                                <p class="hint">{format!("Recorded {at}")}</p>
                                <ul class="list">{verdicts.into_iter().map(|(k, verdict)| {
                                    let t = titles.iter().find(|(key, _)| *key == k).map(|(_, t)| t.clone()).unwrap_or(k);
                                    view! { <li>{format!("{t}: {}", verdict_label(verdict))}</li> }
                                }).collect_view()}</ul>
                                {mv.comments.clone().map(|c| view! { <p class="body">{c}</p> })}
                            }.into_any(),
                            None => view! { <p class="hint">{format!("Asked {}; not yet recorded", long(mv.asked_on))}</p> }.into_any(),
                        }}
                    </section>
                }
            }).collect_view()}
        })}
        {v.my_part.map(|part| view_form(audit_id, part, &v, forms.view, errors))}
        {v.outcome_waits.clone().map(|w| view! { <div class="inset" data-testid="outcome-waits">{w}</div> })}
        {v.records_outcome.then(|| outcome_form(audit_id, &v, forms.outcome, errors))}
    }
}

fn grade_options(selected: Option<Grade>) -> impl IntoView {
    Grade::ALL
        .into_iter()
        .map(|g| {
            let sel = selected == Some(g);
            view! { <option value=g.code() selected=sel>{g.label()}</option> }
        })
        .collect_view()
}

fn view_form(
    audit_id: i64,
    part: Part,
    v: &AuditModerationView,
    action: FormAction<RecordModeration>,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lines = v.grades.clone();
    view! {
        <Form action=action attr:data-testid="view-form">
            <h2 class="heading-m">{format!("Your view as {}", part.label())}</h2>
            <p class="hint">"For each grade, agree with the auditor or give the grade you would give. Say why for any grade you would change: your comments go to the auditor."</p>
            <input type="hidden" name="audit_id" value=audit_id.to_string()/>
            {lines.into_iter().map(|g| {
                let f = field(&g.key);
                view! {
                    <div class="form-group">
                        <label class="label" for=f.clone()>{format!("{} (auditor: {})", g.title, g.original.label())}</label>
                        {error_line(errors, f.clone())}
                        <select class="select" id=f.clone() name=format!("f[{f}]")>
                            <option value="">"Choose"</option>
                            <option value="agree">"Agree"</option>
                            {grade_options(None)}
                        </select>
                    </div>
                }
            }).collect_view()}
            <div class="form-group">
                <label class="label" for="comments">"Comments for the auditor"</label>
                {error_line(errors, "comments".into())}
                <textarea class="textarea" id="comments" name="f[comments]" rows="5"></textarea>
            </div>
            <button type="submit" class="button" id="record-view">"Record my view"</button>
        </Form>
    }
}

fn outcome_form(
    audit_id: i64,
    v: &AuditModerationView,
    action: FormAction<RecordModerationOutcome>,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lines = v.grades.clone();
    let differ = v.views_differ;
    view! {
        <Form action=action attr:data-testid="outcome-form">
            <h2 class="heading-m">"Record the outcome"</h2>
            {differ.then(|| view! { <div class="inset">"The moderators' views differ: give the reason for the final grades."</div> })}
            <input type="hidden" name="audit_id" value=audit_id.to_string()/>
            <div class="form-group">
                <fieldset class="fieldset">
                    <legend class="fieldset__legend">"Outcome"</legend>
                    {error_line(errors, "outcome".into())}
                    <div class="radios" id="outcome">
                        <label class="radio"><input type="radio" id="outcome-confirmed" name="f[outcome]" value="confirmed"/>" Confirmed: the auditor's grades stand"</label>
                        <label class="radio"><input type="radio" id="outcome-changed" name="f[outcome]" value="changed"/>" Changed: the grades below"</label>
                    </div>
                </fieldset>
            </div>
            <p class="hint">"If changed, give every moderated grade (they start as the auditor's)."</p>
            {lines.into_iter().map(|g| {
                let f = field(&g.key);
                let id = format!("outcome-{f}");
                view! {
                    <div class="form-group">
                        <label class="label" for=id.clone()>{g.title}</label>
                        {error_line(errors, id.clone())}
                        <select class="select" id=id name=format!("f[{f}]")>{grade_options(Some(g.original))}</select>
                    </div>
                }
            }).collect_view()}
            <div class="form-group">
                <label class="label" for="reason">"Reason"</label>
                {error_line(errors, "reason".into())}
                <textarea class="textarea" id="reason" name="f[reason]" rows="4"></textarea>
            </div>
            <button type="submit" class="button" id="record-outcome">"Record the outcome"</button>
        </Form>
    }
}
