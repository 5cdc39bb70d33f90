use super::{
    session_detail, sessions_overview, AcceptSession, ArrangeSession, GiveSessionFeedback,
    RecordAttendance, SessionView, TagSessionFeedback,
};
use crate::domain::sessions::{FeedbackResults, SessionKind, RATINGS};
use crate::ui::use_params_map;
use crate::ui::LearningNav;
use crate::ui::{
    error_line, field_error, form_errors, last_answered, ErrorSummary, ErrorView, SignedIn, Tag,
};
use crate::ui::{Form, FormAction};
use crate::{AppError, FieldError};
use leptos::prelude::*;
use leptos_meta::Title;

fn mean(m: Option<f64>) -> String {
    m.map(|m| format!("{m:.1} out of 5"))
        .unwrap_or_else(|| "–".into())
}

fn results_table(r: &FeedbackResults) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table table--numeric" data-testid="session-results">
            <caption class="table__caption">{format!("{} {}", r.responses, if r.responses == 1 { "response" } else { "responses" })}</caption>
            <thead><tr>
                <th scope="col">"Question"</th>
                {RATINGS.iter().map(|(_, w)| view! { <th scope="col">{*w}</th> }).collect_view()}
                <th scope="col">"Average"</th>
            </tr></thead>
            <tbody>
                <tr>
                    <th scope="row">"How useful the audit was"</th>
                    {r.useful_counts.iter().map(|c| view! { <td>{*c}</td> }).collect_view()}
                    <td>{mean(r.useful)}</td>
                </tr>
                <tr>
                    <th scope="row">"How the discussion with the auditor went"</th>
                    {r.discussion_counts.iter().map(|c| view! { <td>{*c}</td> }).collect_view()}
                    <td>{mean(r.discussion)}</td>
                </tr>
            </tbody>
        </table></div>
    }
}

#[component]
pub fn SessionsPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Sessions.draw(route.clone(), Some(me))/> }
}

pub(crate) fn sessions_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let arrange = FormAction::<ArrangeSession>::new();
    let data = crate::codec::resource(|| (), |_| sessions_overview());
    let errors = move || form_errors(arrange.value().get());
    view! {
        <Title text="Sessions"/>
        <SignedIn render=move |_me| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading sessions…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(o) => view! {
                            {o.reads_learning.then(|| view! { <LearningNav current="/sessions"/> })}
                            <h1 class="heading-l">"Sessions"</h1>
                            <p class="body">"Feedback sessions after each round, learning sessions and tools on development themes, and support sessions for managers who audit."</p>
                            {move || view! { <ErrorSummary errors=errors()/> }}
                            {if o.sessions.is_empty() {
                                view! { <p class="body" data-testid="no-sessions">"No sessions yet."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid="sessions">
                                        <thead><tr><th scope="col">"Session"</th><th scope="col">"When"</th><th scope="col">"Where"</th><th scope="col">"Invited"</th><th scope="col">"Came"</th><th scope="col">"Feedback"</th></tr></thead>
                                        <tbody>{o.sessions.into_iter().map(|s| view! {
                                            <tr>
                                                <td><a href=format!("/sessions/{}", s.id)>{s.title}</a><br/><span class="hint">{s.kind.label()}{s.about.map(|a| format!(" · {a}")).unwrap_or_default()}</span></td>
                                                <td>{s.when}</td>
                                                <td>{s.place}</td>
                                                <td>{s.invited}</td>
                                                <td>{s.attended}</td>
                                                <td>{s.responses}</td>
                                            </tr>
                                        }).collect_view()}</tbody>
                                    </table></div>
                                }.into_any()
                            }}
                            {(!o.over_time.is_empty()).then(|| view! {
                                <h2 class="heading-m">"Feedback over time"</h2>
                                <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table table--numeric" data-testid="feedback-over-time">
                                    <thead><tr><th scope="col">"Feedback session"</th><th scope="col">"Responses"</th><th scope="col">"How useful the audit was"</th><th scope="col">"How the discussion went"</th></tr></thead>
                                    <tbody>{o.over_time.into_iter().map(|r| view! {
                                        <tr>
                                            <th scope="row"><a href=format!("/sessions/{}", r.session_id)>{r.label}</a></th>
                                            <td>{r.results.responses}</td>
                                            <td>{mean(r.results.useful)}</td>
                                            <td>{mean(r.results.discussion)}</td>
                                        </tr>
                                    }).collect_view()}</tbody>
                                </table></div>
                            })}
                            {o.arranges.then(|| view! {
                                <h2 class="heading-m">"Arrange a session"</h2>
                                <Form action=arrange attr:data-testid="arrange-session">
                                    <div class="form-group">
                                        <fieldset class="fieldset">
                                            <legend class="fieldset__legend fieldset__legend--s">"Kind of session"</legend>
                                            {error_line(errors, "kind")}
                                            <div class="radios">
                                                {SessionKind::ALL.into_iter().map(|k| {
                                                    // The error summary's link moves focus to the first choice.
                                                    let id = if k == SessionKind::Feedback { "kind".to_string() } else { format!("kind-{}", k.code()) };
                                                    view! { <label class="radio" for=id.clone()><input type="radio" id=id.clone() name="kind" value=k.code() checked=k == SessionKind::Feedback/>{k.label()}</label> }
                                                }).collect_view()}
                                            </div>
                                        </fieldset>
                                    </div>
                                    <div class="form-group">
                                        <label class="label" for="round_id">"Round (for a feedback session)"</label>
                                        <p class="hint">"Everyone who took part in the round's audits is invited: auditors, key workers, Team Managers and Service Managers."</p>
                                        {error_line(errors, "round_id")}
                                        <select class="select" id="round_id" name="round_id">
                                            <option value="">"Choose a round"</option>
                                            {o.rounds.into_iter().map(|(id, l)| view! { <option value=id.to_string()>{l}</option> }).collect_view()}
                                        </select>
                                    </div>
                                    <div class="form-group">
                                        <label class="label" for="theme_id">"Theme (for a learning or support session)"</label>
                                        {error_line(errors, "theme_id")}
                                        <select class="select" id="theme_id" name="theme_id">
                                            <option value="">"No theme"</option>
                                            {o.themes.into_iter().map(|(id, n)| view! { <option value=id.to_string()>{n}</option> }).collect_view()}
                                        </select>
                                    </div>
                                    <div class="form-group">
                                        <label class="label" for="title">"Title"</label>
                                        {error_line(errors, "title")}
                                        <input class="input" id="title" name="title"/>
                                    </div>
                                    <div class="form-group">
                                        <label class="label" for="starts_at">"Date and time (UK time)"</label>
                                        {error_line(errors, "starts_at")}
                                        <input class="input input--narrow" type="datetime-local" id="starts_at" name="starts_at"/>
                                    </div>
                                    <div class="form-group">
                                        <label class="label" for="minutes">"Length in minutes"</label>
                                        {error_line(errors, "minutes")}
                                        <input class="input input--narrow" id="minutes" name="minutes" inputmode="numeric" value="60"/>
                                    </div>
                                    <div class="form-group">
                                        <label class="label" for="place">"Place"</label>
                                        <p class="hint">"A room, or leave blank for an online session"</p>
                                        {error_line(errors, "place")}
                                        <input class="input" id="place" name="place"/>
                                    </div>
                                    <div class="form-group">
                                        <label class="label" for="online_link">"Link to join online (optional)"</label>
                                        {error_line(errors, "online_link")}
                                        <input class="input" type="url" id="online_link" name="online_link" spellcheck="false"/>
                                    </div>
                                    <div class="form-group">
                                        <label class="label" for="audience">"Audience (optional)"</label>
                                        {error_line(errors, "audience")}
                                        <input class="input" id="audience" name="audience"/>
                                    </div>
                                    <div class="form-group">
                                        <label class="label" for="materials_link">"Link to the materials (optional)"</label>
                                        {error_line(errors, "materials_link")}
                                        <input class="input" type="url" id="materials_link" name="materials_link" spellcheck="false"/>
                                    </div>
                                    <button type="submit" class="button">"Arrange the session"</button>
                                </Form>
                            })}
                        }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

fn session_id() -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get("id").and_then(|v| v.parse::<i64>().ok())
}

#[component]
pub fn SessionPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Session.draw(route.clone(), Some(me))/> }
}

pub(crate) fn session_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let id = session_id();
    let (accept, attendance, tag) = (
        FormAction::<AcceptSession>::new(),
        FormAction::<RecordAttendance>::new(),
        FormAction::<TagSessionFeedback>::new(),
    );
    let last = last_answered(vec![accept.version(), attendance.version(), tag.version()]);
    let errors = move || {
        let each = [
            form_errors(accept.value().get()),
            form_errors(attendance.value().get()),
            form_errors(tag.value().get()),
        ];
        match last.get() {
            Some(i) => each.into_iter().nth(i).unwrap_or_default(),
            None => each.into_iter().flatten().collect(),
        }
    };
    let live = crate::live::signals().0;
    let detail = crate::codec::resource(
        move || {
            (
                id(),
                accept.version().get() + attendance.version().get() + tag.version().get(),
                live.get(),
            )
        },
        |(id, _, _)| async move {
            match id {
                Some(id) => session_detail(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text="Session"/>
        <SignedIn render=move |_me| view! {
            <a class="back-link" href="/sessions">"Sessions"</a>
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Suspense fallback=|| view! { <p class="loading">"Loading the session…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(v) => view! { <Session v accept attendance tag/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Session(
    v: SessionView,
    accept: FormAction<AcceptSession>,
    attendance: FormAction<RecordAttendance>,
    tag: FormAction<TagSessionFeedback>,
) -> impl IntoView {
    let id = v.id;
    let themes = v.themes.clone();
    let all_themes = v.themes.clone();
    let theme_name = move |t: i64| {
        themes
            .iter()
            .find(|(id, _)| *id == t)
            .map(|(_, n)| n.clone())
            .unwrap_or_default()
    };
    view! {
        <span class="caption">{v.kind.label()}{v.about.clone().map(|a| format!(" · {a}")).unwrap_or_default()}</span>
        <h1 class="heading-l" data-testid="session-title">{v.title.clone()}</h1>
        <dl class="summary-list">
            <div class="summary-list__row"><dt class="summary-list__key">"When"</dt><dd class="summary-list__value" data-testid="session-when">{format!("{} ({} minutes)", v.when, v.minutes)}</dd></div>
            <div class="summary-list__row"><dt class="summary-list__key">"Where"</dt><dd class="summary-list__value">{v.place.clone()}
                {v.online_link.clone().map(|l| view! { <br/><a href=l.clone() rel="noopener noreferrer" target="_blank">"Join online"</a> })}</dd></div>
            {(!v.audience.is_empty()).then(|| view! { <div class="summary-list__row"><dt class="summary-list__key">"Audience"</dt><dd class="summary-list__value">{v.audience.clone()}</dd></div> })}
            {v.materials_link.clone().map(|l| view! { <div class="summary-list__row"><dt class="summary-list__key">"Materials"</dt><dd class="summary-list__value"><a href=l rel="noopener noreferrer" target="_blank">"Open the materials"</a></dd></div> })}
        </dl>
        {v.kind.invites().then(|| view! {
            <p><a class="button button--secondary" href=format!("/sessions/{id}/session.ics") download=format!("session-{id}.ics")>"Add to your calendar"</a></p>
        })}
        {v.me.clone().map(|me| view! {
            <section class="panel" data-testid="my-invitation">
                <h2 class="heading-m">"Your invitation"</h2>
                {if me.accepted {
                    view! { <p class="body" data-testid="accepted"><Tag text="Coming" colour="green"/>" You said you will come."</p> }.into_any()
                } else {
                    view! {
                        <Form action=accept>
                            <input type="hidden" name="id" value=id.to_string()/>
                            <button type="submit" class="button" id="accept-session">"I will come"</button>
                        </Form>
                    }.into_any()
                }}
                {match (me.attended, me.feedback.is_some()) {
                    (_, true) => view! { <p class="body">"Thank you: your feedback is recorded."</p> }.into_any(),
                    (Some(true), false) => view! { <p class="body"><a href=format!("/sessions/{id}/feedback") data-testid="give-feedback">"Give your feedback on the audit"</a></p> }.into_any(),
                    _ => ().into_any(),
                }}
            </section>
        }.into_any())}
        {(v.arranges && v.kind.invites()).then(|| view! {
            <section class="panel" data-testid="attendance">
                <h2 class="heading-m">"Who came"</h2>
                <Form action=attendance>
                    <input type="hidden" name="id" value=id.to_string()/>
                    <fieldset class="fieldset">
                        <legend class="fieldset__legend fieldset__legend--s">{format!("{} invited. Tick everyone who came; each is then asked for their feedback.", v.invitees.len())}</legend>
                        {v.invitees.iter().map(|i| {
                            let field = format!("attended-{}", i.person_id);
                            let status = match (i.responded, i.attended, i.accepted) {
                                (true, _, _) => "feedback given",
                                (_, Some(true), _) => "came",
                                (_, Some(false), _) => "did not come",
                                (_, None, true) => "said they will come",
                                _ => "invited",
                            };
                            view! {
                                <label class="checkbox" for=field.clone()>
                                    <input type="checkbox" id=field.clone() name=format!("attended[{}]", i.person_id) value="on" checked=i.attended == Some(true)/>
                                    {format!("{} ({status})", i.name)}
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                    <button type="submit" class="button button--secondary" id="record-attendance">"Record attendance"</button>
                </Form>
            </section>
        }.into_any())}
        {v.results.clone().map(|r| view! {
            <section class="panel" data-testid="results">
                <h2 class="heading-m">"What attendees said"</h2>
                {results_table(&r)}
                {if v.feedback.is_empty() {
                    view! { <p class="body">"No feedback yet."</p> }.into_any()
                } else {
                    view! {
                        <ul class="list feedback-list" data-testid="session-feedback">{v.feedback.iter().map(|f| {
                            let fid = f.id;
                            let chosen = f.themes.clone();
                            let all_themes = all_themes.clone();
                            let names: Vec<String> = f.themes.iter().map(|t| theme_name(*t)).filter(|n| !n.is_empty()).collect();
                            view! {
                                <li>
                                    <p class="hint">{format!("Useful: {} · Discussion: {}", f.feedback.useful, f.feedback.discussion)}</p>
                                    {(!f.feedback.improve.is_empty()).then(|| view! { <p class="body"><strong>"What would improve it: "</strong>{f.feedback.improve.clone()}</p> })}
                                    {(!f.feedback.comments.is_empty()).then(|| view! { <p class="body">{f.feedback.comments.clone()}</p> })}
                                    {(!names.is_empty()).then(|| view! { <p>{names.into_iter().map(|n| view! { <Tag text=n colour="blue"/>" " }).collect_view()}</p> })}
                                    {(!all_themes.is_empty()).then(|| view! {
                                        <details class="details">
                                            <summary>"Themes"</summary>
                                            <Form action=tag>
                                                <input type="hidden" name="id" value=id.to_string()/>
                                                <input type="hidden" name="feedback_id" value=fid.to_string()/>
                                                {all_themes.iter().map(|(t, n)| {
                                                    let field = format!("theme-{fid}-{t}");
                                                    view! {
                                                        <label class="checkbox" for=field.clone()>
                                                            <input type="checkbox" id=field.clone() name=format!("theme[{t}]") value="on" checked=chosen.contains(t)/>{n.clone()}
                                                        </label>
                                                    }
                                                }).collect_view()}
                                                <button type="submit" class="button button--secondary">"Save themes"</button>
                                            </Form>
                                        </details>
                                    })}
                                </li>
                            }
                        }).collect_view()}</ul>
                    }.into_any()
                }}
            </section>
        }.into_any())}
    }
}

/// The attendee's own feedback form, reached from their tray.
#[component]
pub fn SessionFeedbackPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::SessionFeedback.draw(route.clone(), Some(me))/> }
}

pub(crate) fn session_feedback_page(
    route: crate::ui::Route,
    me: Option<crate::auth::Me>,
) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let id = session_id();
    let give = FormAction::<GiveSessionFeedback>::new();
    let errors = move || form_errors(give.value().get());
    let detail = crate::codec::resource(
        move || (id(), give.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => session_detail(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text="Your feedback"/>
        <SignedIn render=move |_me| view! {
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(v) => {
                            let back = format!("/sessions/{}", v.id);
                            match v.me.clone() {
                                None => view! { <ErrorView error=AppError::Forbidden/> }.into_any(),
                                Some(me) if me.feedback.is_some() => view! {
                                    <a class="back-link" href=back>{v.title.clone()}</a>
                                    <div class="panel panel--confirmation" data-testid="feedback-thanks">
                                        <h1 class="heading-l">"Thank you for your feedback"</h1>
                                        <p class="body">"The QA team reads every answer. What you said helps make audits more useful."</p>
                                    </div>
                                }.into_any(),
                                Some(me) if me.attended != Some(true) => view! {
                                    <a class="back-link" href=back>{v.title.clone()}</a>
                                    <h1 class="heading-l">"Feedback opens after the session"</h1>
                                    <p class="body">"Once the QA team records that you came, a link to give your feedback reaches your tray."</p>
                                }.into_any(),
                                Some(_) => view! {
                                    <a class="back-link" href=back>{v.title.clone()}</a>
                                    <span class="caption">{v.title.clone()}</span>
                                    <h1 class="heading-l">"How did the audit feel?"</h1>
                                    <Form action=give attr:data-testid="feedback-form">
                                        <input type="hidden" name="id" value=v.id.to_string()/>
                                        {rating_group("useful", "How useful was the audit to your practice?", errors)}
                                        {rating_group("discussion", "How well did the discussion with the auditor go?", errors)}
                                        <div class="form-group">
                                            <label class="label" for="improve">"What would improve the audit? (optional)"</label>
                                            {error_line(errors, "improve")}
                                            <textarea class="textarea" id="improve" name="improve" rows="4"></textarea>
                                        </div>
                                        <div class="form-group">
                                            <label class="label" for="comments">"Anything else you want to tell us (optional)"</label>
                                            {error_line(errors, "comments")}
                                            <textarea class="textarea" id="comments" name="comments" rows="4"></textarea>
                                        </div>
                                        <button type="submit" class="button" id="send-feedback">"Send feedback"</button>
                                    </Form>
                                }.into_any(),
                            }
                        }
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

fn rating_group(
    name: &'static str,
    question: &'static str,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    view! {
        <div class="form-group" class:form-group--error=move || field_error(&errors(), name).is_some()>
            <fieldset class="fieldset">
                <legend class="fieldset__legend fieldset__legend--s">{question}</legend>
                {error_line(errors, name)}
                <div class="radios">
                    {RATINGS.iter().map(|(n, w)| {
                        // The error summary's link moves focus to the first choice.
                        let id = if *n == 1 { name.to_string() } else { format!("{name}-{n}") };
                        view! { <label class="radio" for=id.clone()><input type="radio" id=id.clone() name=name value=n.to_string()/>{*w}</label> }
                    }).collect_view()}
                </div>
            </fieldset>
        </div>
    }
}
