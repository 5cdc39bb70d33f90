use super::{
    difference_detail, difference_interview, difference_library, AcceptInterview, AddInterviewee,
    ClearDifferenceFlag, InterviewView, ProposeInterview, PublishDifference, SaveDifference,
    StartDifference, SummaryDetail, SummaryListing,
};
use crate::ui::{field_error, form_errors, last_answered, ErrorSummary, ErrorView, SignedIn, Tag};
use crate::ui::{use_params_map, use_query_map};
use crate::ui::{Form, FormAction};
use crate::{AppError, FieldError};
use leptos::prelude::*;
use leptos_meta::Title;

fn listing_table(rows: Vec<SummaryListing>, testid: &'static str) -> impl IntoView {
    view! {
        <ul class="summary-cards" data-testid=testid>
            {rows.into_iter().map(|s| view! {
                <li class="summary-card">
                    <h3 class="heading-s"><a href=format!("/make-a-difference/{}", s.id)>{s.title}</a></h3>
                    <p class="hint">{match (s.team, s.published_on) {
                        (Some(t), Some(d)) => format!("{t} · published {}", d.format("%-d %B %Y")),
                        (None, Some(d)) => format!("Published {}", d.format("%-d %B %Y")),
                        (Some(t), None) => format!("{t} · draft"),
                        (None, None) => "Draft".to_string(),
                    }}</p>
                    <p class="body">{s.excerpt}</p>
                </li>
            }).collect_view()}
        </ul>
    }
}

/// The library of published summaries, searchable; the QA team's drafts and a way to start one.
#[component]
pub fn LibraryPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Library.draw(route.clone(), Some(me))/> }
}

pub(crate) fn library_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let query = use_query_map();
    let start = FormAction::<StartDifference>::new();
    let library = crate::codec::resource(move || query.read().get("q"), difference_library);
    let errors = move || form_errors(start.value().get());
    view! {
        <Title text="Make A Difference"/>
        <SignedIn render=move |_me| view! {
            <h1 class="heading-l">"Make A Difference"</h1>
            <p class="body">"What made practice good, confirmed by moderation, in the practitioners' own words."</p>
            {move || view! { <ErrorSummary errors=errors()/> }}
            <form method="get" action="/make-a-difference" class="search" role="search">
                <label class="label" for="q">"Search the library"</label>
                <input class="input" id="q" name="q" type="search" value=move || query.read().get("q").unwrap_or_default()/>
                <button type="submit" class="button button--secondary">"Search"</button>
            </form>
            <Transition fallback=|| view! { <p class="loading">"Loading the library…"</p> }>
                {move || Suspend::new(async move {
                    match library.await {
                        Ok(lib) => view! {
                            <h2 class="heading-m">"Published"</h2>
                            {if lib.published.is_empty() {
                                view! { <p class="body" data-testid="no-summaries">{if lib.query.is_empty() { "Nothing is published yet.".to_string() } else { format!("No published summary matches \u{201c}{}\u{201d}.", lib.query) }}</p> }.into_any()
                            } else {
                                listing_table(lib.published, "library").into_any()
                            }}
                            {lib.edits.then(|| view! {
                                <h2 class="heading-m">"Drafts"</h2>
                                {if lib.drafts.is_empty() { view! { <p class="body">"No drafts."</p> }.into_any() } else { listing_table(lib.drafts, "drafts").into_any() }}
                                <details class="details">
                                    <summary>"Start a summary of good practice you heard of another way"</summary>
                                    <Form action=start attr:data-testid="start-form">
                                        <div class="form-group">
                                            <label class="label" for="title">"Title"</label>
                                            {move || field_error(&errors(), "title").map(|m| view! { <p class="error-message" id="title-error">{m}</p> })}
                                            <input class="input" id="title" name="title"/>
                                        </div>
                                        <div class="form-group">
                                            <label class="label" for="body">"What made the practice good"</label>
                                            {move || field_error(&errors(), "body").map(|m| view! { <p class="error-message" id="body-error">{m}</p> })}
                                            <textarea class="textarea" id="body" name="body" rows="8"></textarea>
                                        </div>
                                        <button type="submit" class="button">"Start the summary"</button>
                                    </Form>
                                </details>
                            })}
                        }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

#[derive(Clone, Copy)]
struct Forms {
    last: Signal<Option<usize>>,
    save: FormAction<SaveDifference>,
    clear: FormAction<ClearDifferenceFlag>,
    publish: FormAction<PublishDifference>,
    add: FormAction<AddInterviewee>,
    propose: FormAction<ProposeInterview>,
    accept: FormAction<AcceptInterview>,
}

impl Forms {
    fn version(self) -> usize {
        self.save.version().get()
            + self.clear.version().get()
            + self.publish.version().get()
            + self.add.version().get()
            + self.propose.version().get()
            + self.accept.version().get()
    }

    fn errors(self) -> Vec<FieldError> {
        let each = [
            form_errors(self.save.value().get()),
            form_errors(self.clear.value().get()),
            form_errors(self.publish.value().get()),
            form_errors(self.add.value().get()),
            form_errors(self.propose.value().get()),
            form_errors(self.accept.value().get()),
        ];
        match self.last.get() {
            Some(i) => each.into_iter().nth(i).unwrap_or_default(),
            None => each.into_iter().flatten().collect(),
        }
    }
}

/// One summary: the draft with its disclosure check, publishing, and the interview.
#[component]
pub fn DifferencePage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Difference.draw(route.clone(), Some(me))/> }
}

pub(crate) fn difference_page(
    route: crate::ui::Route,
    me: Option<crate::auth::Me>,
) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let (save, clear, publish) = (FormAction::new(), FormAction::new(), FormAction::new());
    let (add, propose, accept) = (FormAction::new(), FormAction::new(), FormAction::new());
    let forms = Forms {
        last: last_answered(vec![
            save.version(),
            clear.version(),
            publish.version(),
            add.version(),
            propose.version(),
            accept.version(),
        ]),
        save,
        clear,
        publish,
        add,
        propose,
        accept,
    };
    let load = |id: Option<i64>| async move {
        match id {
            Some(id) => difference_detail(id).await,
            None => Err(AppError::NotFound),
        }
    };
    // The text being edited refreshes from its own forms only (a live refresh would
    // re-render it under the cursor); the interview panel also follows live events.
    let detail = crate::codec::resource(move || (id(), forms.version()), move |(id, _)| load(id));
    let live = crate::live::signals().0;
    let interview = crate::codec::resource(
        move || (id(), forms.version(), live.get()),
        move |(id, _, _)| async move {
            match id {
                Some(id) => difference_interview(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let errors = move || forms.errors();
    view! {
        <Title text="Make A Difference summary"/>
        <SignedIn render=move |_me| view! {
            <a class="back-link" href="/make-a-difference">"Make A Difference"</a>
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Suspense fallback=|| view! { <p class="loading">"Loading the summary…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(v) => view! { <Summary v forms errors/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    interview.await.ok().map(|v| view! { <Interview v forms errors/> })
                })}
            </Transition>
        }/>
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
fn Summary(
    v: SummaryDetail,
    forms: Forms,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = v.id;
    let version = v.version.to_string();
    let published = v.published.clone();
    view! {
        <span class="caption">{v.team.clone().unwrap_or_else(|| "Make A Difference".into())}</span>
        <h1 class="heading-l" data-testid="summary-title">{v.title.clone()}</h1>
        <p data-testid="summary-state">{match published.clone() {
            Some(p) => view! { <Tag text="Published" colour="green"/> " " <span class="hint">{p}</span> }.into_any(),
            None => view! { <Tag text="Draft" colour="grey"/> " " <span class="hint">{format!("Last saved {}", v.updated)}</span> }.into_any(),
        }}</p>
        {v.audit_id.map(|a| view! { <p class="body"><a href=format!("/audits/{a}/moderation")>"The moderated audit"</a></p> })}
        {if v.edits {
            let flags = v.flags.clone();
            let outstanding = v.outstanding;
            let (title, body, body2) = (v.title.clone(), v.body.clone(), v.body.clone());
            let version2 = version.clone();
            view! {
                <Form action=forms.save attr:data-testid="summary-form">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <input type="hidden" name="version" value=version.clone()/>
                    <div class="form-group">
                        <label class="label" for="title">"Title"</label>
                        {error_line(errors, "title".into())}
                        <input class="input" id="title" name="title" value=title/>
                    </div>
                    <div class="form-group">
                        <label class="label" for="body">"What made the practice good"</label>
                        <p class="hint">"No child's name, Child Unique ID or date of birth. Name a practitioner only with their agreement."</p>
                        {error_line(errors, "body".into())}
                        <textarea class="textarea" id="body" name="body" rows="14" prop:value=body>{body2}</textarea>
                    </div>
                    <button type="submit" class="button button--secondary" id="save-summary">"Save and check again"</button>
                </Form>
                <section class="panel" data-testid="disclosure-check">
                    <h2 class="heading-m">"Disclosure check"</h2>
                    {if flags.is_empty() {
                        view! { <p class="body" data-testid="no-flags">"Nothing in the text names a child or a member of staff, or looks like a date of birth or a case number."</p> }.into_any()
                    } else {
                        view! {
                            <p class="body">{format!("{outstanding} of {} {} still to resolve: edit each out of the text, or clear it with the reason it may stay.", flags.len(), if flags.len() == 1 { "flag" } else { "flags" })}</p>
                            <ul class="list flag-list">{flags.into_iter().map(|f| {
                                let key = f.key.clone();
                                let reason_id = format!("reason-{}", f.key);
                                view! {
                                    <li data-testid=format!("flag-{}", f.key) id=format!("flag-{}", f.key)>
                                        <Tag text=f.kind.clone() colour="orange"/>" "<strong>{f.message.clone()}</strong>
                                        {match f.cleared.clone() {
                                            Some(c) => view! { <p class="hint">{c}</p> }.into_any(),
                                            None => view! {
                                                <Form action=forms.clear attr:class="inline-form">
                                                    <input type="hidden" name="id" value=id.to_string()/>
                                                    <input type="hidden" name="key" value=key.clone()/>
                                                    <label class="label" for=reason_id.clone()>"Why this may stay"</label>
                                                    {error_line(errors, reason_id.clone())}
                                                    <input class="input" id=reason_id.clone() name="reason"/>
                                                    <button type="submit" class="button button--secondary">"Clear this flag"</button>
                                                </Form>
                                            }.into_any(),
                                        }}
                                    </li>
                                }
                            }).collect_view()}</ul>
                        }.into_any()
                    }}
                    <Form action=forms.publish attr:data-testid="publish-form">
                        <input type="hidden" name="id" value=id.to_string()/>
                        <input type="hidden" name="version" value=version2/>
                        {error_line(errors, "publish".into())}
                        <button type="submit" class="button" id="publish" disabled={outstanding > 0}>"Publish to the library"</button>
                    </Form>
                </section>
            }.into_any()
        } else {
            view! {
                <div class="summary-text" data-testid="summary-body">
                    {v.body.split("\n\n").map(|p| view! { <p class="body">{p.to_string()}</p> }).collect_view()}
                </div>
            }.into_any()
        }}
    }
}

#[component]
fn Interview(
    v: InterviewView,
    forms: Forms,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = v.id;
    let qa = v.arranges;
    view! {
        <section class="panel" data-testid="interview">
            <h2 class="heading-m">"Make A Difference interview"</h2>
            <p class="body">{if v.interviewees.is_empty() { "No practitioner is on the interview yet.".to_string() } else { format!("With {}.", v.interviewees.join(", ")) }}</p>
            {match v.agreed.clone() {
                Some(t) => view! {
                    <p class="body" data-testid="interview-agreed">{format!("Arranged for {} ({} minutes). {}", t.starts_at.format("%-d %B %Y at %H:%M"), t.minutes, t.accepted.clone().unwrap_or_default())}</p>
                    <p><a class="button button--secondary" href=format!("/make-a-difference/{id}/interview.ics") download="make-a-difference-interview.ics">"Add to your calendar"</a></p>
                }.into_any(),
                None => view! {
                    {(!v.times.is_empty()).then(|| view! {
                        <ul class="list" data-testid="interview-times">{v.times.iter().map(|t| {
                            let tid = t.id;
                            view! {
                                <li>{format!("{} ({} minutes), proposed by {}", t.starts_at.format("%-d %B %Y at %H:%M"), t.minutes, t.proposed_by)}
                                    {v.accepts.then(|| view! {
                                        <Form action=forms.accept attr:class="inline-form">
                                            <input type="hidden" name="id" value=id.to_string()/>
                                            <input type="hidden" name="time_id" value=tid.to_string()/>
                                            <button type="submit" class="button button--secondary">"Accept this time"</button>
                                        </Form>
                                    })}
                                </li>
                            }
                        }).collect_view()}</ul>
                    })}
                    {qa.then(|| view! {
                        <Form action=forms.propose attr:data-testid="propose-form">
                            <input type="hidden" name="id" value=id.to_string()/>
                            <fieldset class="fieldset"><legend class="fieldset__legend">"Propose up to three times"</legend>
                                {(1..=3).map(|n| {
                                    let f = format!("time-{n}");
                                    view! {
                                        <div class="form-group">
                                            <label class="label" for=f.clone()>{format!("Time {n}")}</label>
                                            {error_line(errors, f.clone())}
                                            <input class="input" type="datetime-local" id=f.clone() name=format!("time_{n}")/>
                                        </div>
                                    }
                                }).collect_view()}
                                <div class="form-group">
                                    <label class="label" for="minutes">"Length in minutes"</label>
                                    {error_line(errors, "minutes".into())}
                                    <input class="input input--narrow" id="minutes" name="minutes" inputmode="numeric" value="45"/>
                                </div>
                            </fieldset>
                            <button type="submit" class="button button--secondary" id="propose">"Propose times"</button>
                        </Form>
                    })}
                }.into_any(),
            }}
            {(!v.people.is_empty()).then(|| view! {
                <Form action=forms.add attr:data-testid="add-interviewee">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <div class="form-group">
                        <label class="label" for="person">"Add a practitioner"</label>
                        {error_line(errors, "person".into())}
                        <select class="select" id="person" name="person_id">
                            <option value="">"Choose"</option>
                            {v.people.iter().map(|(p, n)| view! { <option value=p.to_string()>{n.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                    <button type="submit" class="button button--secondary">"Add to the interview"</button>
                </Form>
            })}
        </section>
    }
}
