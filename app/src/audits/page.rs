use super::{
    audit_detail, label_of, my_audits, AcceptTime, AuditView, CompleteAudit, ConfirmFindings,
    MarkUploaded, ProposeTimes, RecordDiscussionHeld, RecordFeedback, SaveDraft, FEEDBACK_FROM,
    FEEDBACK_HOW,
};
use crate::domain::audit::{
    discussion_when, ActionStatus, AuditDraft, AuditRole, AuditState, Grade, MAX_ACTIONS,
};
use crate::ui::{
    deadline_tag, error_line, field_error, form_errors, last_answered, state_tag, url_error,
    AuditTable, ErrorSummary, ErrorView, Pagination, SignedIn,
};
use crate::ui::{enter_island, use_route, Route};
use crate::ui::{Form, FormAction};
use crate::{AppError, FieldError};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
fn audit_id_param() -> impl Fn() -> Option<i64> + Copy {
    let id = use_route().id("id");
    move || id
}

#[component]
pub fn AuditsPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let filter = move || {
        let q = query.read();
        (
            q.get("round").filter(|r| !r.is_empty()),
            q.get("page").and_then(|v| v.parse::<u32>().ok()),
        )
    };
    let audits = crate::codec::resource(filter, |(round, page)| my_audits(round, page));
    view! {
        <Title text="My audits"/>
        <SignedIn render=move |_me| view! {
            <h1 class="heading-l">"My audits"</h1>
            <Suspense fallback=|| view! { <p class="loading">"Loading audits…"</p> }>
                {move || Suspend::new(async move {
                    match audits.await {
                        Ok(list) if list.total == 0 && list.round.is_none() => view! { <p class="body">"No audits involve you yet."</p> }.into_any(),
                        Ok(list) => view! { <MyAuditsList list/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

/// One page of *My audits*, its round filter (a plain GET form, so it works before the
/// WebAssembly loads) and the links to the other pages.
#[component]
fn MyAuditsList(list: super::MyAuditList) -> impl IntoView {
    let round = list.round.clone();
    let link = {
        let round = round.clone();
        move |page: u32| {
            let mut params = vec![format!("page={page}")];
            if let Some(r) = &round {
                params.push(format!("round={}", r.replace(' ', "+")));
            }
            format!("/audits?{}", params.join("&"))
        }
    };
    let summary = format!(
        "{} {} · page {} of {}",
        list.total,
        if list.total == 1 { "audit" } else { "audits" },
        list.page,
        list.pages
    );
    view! {
        <form method="get" action="/audits" class="filters" data-testid="audits-filter">
            <div class="form-group form-group--inline">
                <label class="label" for="round">"Round"</label>
                <select class="select" id="round" name="round">
                    <option value="">"All rounds"</option>
                    {list.rounds.into_iter().map(|r| {
                        let selected = round.as_deref() == Some(r.as_str());
                        view! { <option value=r.clone() selected=selected>{r.clone()}</option> }
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button button--secondary">"Show"</button>
        </form>
        <p class="body" data-testid="audit-count">{summary}</p>
        {if list.audits.is_empty() {
            view! { <p class="body">"No audits in this round involve you."</p> }.into_any()
        } else {
            view! { <AuditTable list=list.audits/> }.into_any()
        }}
        <Pagination page=list.page pages=list.pages href=link/>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let route = Route::here();
    view! { <SignedIn render=move |me| crate::pages::Island::Audit.draw(route.clone(), Some(me))/> }
}

/// The audit, its forms and its draft: the whole page is interactive.
pub(crate) fn audit_page(route: Route, me: Option<crate::auth::Me>) -> impl IntoView {
    enter_island(route, me);
    let audit_id = audit_id_param();
    let propose = FormAction::<ProposeTimes>::new();
    let accept = FormAction::<AcceptTime>::new();
    let held = FormAction::<RecordDiscussionHeld>::new();
    let feedback = FormAction::<RecordFeedback>::new();
    let confirm = FormAction::<ConfirmFindings>::new();
    let complete = FormAction::<CompleteAudit>::new();
    let upload = FormAction::<MarkUploaded>::new();
    // The record of the discussion and feedback change nothing when refused: the page is
    // read again only after they are saved, so a refused answer stays in its field to be
    // corrected (reading the page again draws the forms afresh, empty).
    let held_saved = saves(held);
    let feedback_saved = saves(feedback);
    let detail = crate::codec::resource(
        move || {
            (
                audit_id(),
                propose.version().get()
                    + accept.version().get()
                    + held_saved.get()
                    + feedback_saved.get()
                    + confirm.version().get()
                    + complete.version().get()
                    + upload.version().get(),
            )
        },
        |(id, _)| async move {
            match id {
                Some(id) => audit_detail(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    // The last form to answer shows its problems (an earlier refusal does not linger after a
    // later success); before any has, a form sent without WebAssembly brings its problems
    // back in the URL.
    let last = last_answered(vec![
        propose.version(),
        accept.version(),
        held.version(),
        feedback.version(),
        confirm.version(),
        complete.version(),
        upload.version(),
    ]);
    let from_url = url_error(&[
        <ProposeTimes as ServerFn>::PATH,
        <AcceptTime as ServerFn>::PATH,
        <RecordDiscussionHeld as ServerFn>::PATH,
        <RecordFeedback as ServerFn>::PATH,
        <ConfirmFindings as ServerFn>::PATH,
        <CompleteAudit as ServerFn>::PATH,
        <MarkUploaded as ServerFn>::PATH,
    ]);
    let errors = move || match last.get() {
        Some(0) => form_errors(propose.value().get()),
        Some(1) => form_errors(accept.value().get()),
        Some(2) => form_errors(held.value().get()),
        Some(3) => form_errors(feedback.value().get()),
        Some(4) => form_errors(confirm.value().get()),
        Some(5) => form_errors(complete.value().get()),
        Some(_) => form_errors(upload.value().get()),
        None => form_errors::<()>(from_url().map(Err)),
    };
    let actions = Actions {
        propose,
        accept,
        held,
        feedback,
        confirm,
        complete,
        upload,
    };
    view! {
        <SignedIn render=move |_me| view! {
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Suspense fallback=|| view! { <p class="loading">"Loading the audit…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(view) => {
                            let id = view.summary.id;
                            view! {
                                <Audit view actions errors/>
                                <crate::access_log::WhoHasSeen kind="audit" id/>
                            }
                            .into_any()
                        }
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

/// How many times `action` has been answered with success.
fn saves<S>(action: FormAction<S>) -> RwSignal<usize>
where
    S: leptos::server_fn::ServerFn<Output = (), Error = AppError> + Clone + Send + Sync + 'static,
{
    let saved = RwSignal::new(0usize);
    Effect::new(move |_| {
        if matches!(action.value().get(), Some(Ok(()))) {
            saved.update(|n| *n += 1);
        }
    });
    saved
}

#[derive(Clone, Copy)]
struct Actions {
    propose: FormAction<ProposeTimes>,
    accept: FormAction<AcceptTime>,
    held: FormAction<RecordDiscussionHeld>,
    feedback: FormAction<RecordFeedback>,
    confirm: FormAction<ConfirmFindings>,
    complete: FormAction<CompleteAudit>,
    upload: FormAction<MarkUploaded>,
}

#[component]
fn Audit(
    view: AuditView,
    actions: Actions,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = view.summary.id;
    let state = view.summary.state;
    let role = view.role;
    let agreed = view.times.iter().find(|t| t.accepted).cloned();
    let rows: Vec<(&str, String)> = vec![
        ("Team", view.summary.team.clone()),
        (
            "Round",
            format!(
                "{}, due {}",
                view.summary.month,
                view.summary.due_on.format("%A %-d %B %Y")
            ),
        ),
        ("Auditor", view.summary.auditor.clone()),
        (
            "Key worker",
            view.key_worker
                .clone()
                .unwrap_or_else(|| "Not allocated".into()),
        ),
        (
            "IRO / CP Chair",
            view.iro.clone().unwrap_or_else(|| "None".into()),
        ),
    ];
    let editable = view.editable();
    let can_propose =
        state == AuditState::Assigned && matches!(role, AuditRole::Auditor | AuditRole::KeyWorker);
    let times = view.times.clone();
    let feedback = view.feedback.clone();
    let case_note = view.case_note.clone();
    let reflection = view.reflection.clone();
    let can_feedback = matches!(role, AuditRole::Auditor | AuditRole::Iro) && !state.locked();
    let last_held = view.held.last().cloned();
    let pending = view.discussion_pending.clone();
    let can_record_held = role == AuditRole::Auditor
        && matches!(
            state,
            AuditState::DiscussionArranged | AuditState::InProgress
        );
    // Shared by the form's autosave and the complete button, so completing uses the
    // version the auditor last saved.
    let version = RwSignal::new(view.version);
    view! {
        <Title text=format!("Audit of case {}", view.summary.child_unique_id)/>
        <span class="caption">"Case audit"</span>
        <h1 class="heading-l" data-testid="audit-heading">{view.summary.child_unique_id.clone()}</h1>
        <p data-testid="audit-state">{state_tag(state)} " " {deadline_tag(view.summary.deadline)}</p>
        <dl class="summary-list">
            {rows.into_iter().map(|(k, v)| view! {
                <div class="summary-list__row"><dt class="summary-list__key">{k}</dt><dd class="summary-list__value">{v}</dd></div>
            }).collect_view()}
        </dl>
        {state.locked().then(|| view! { <p class="body"><a href=format!("/audits/{id}/record") data-testid="record-link">"Read the filed audit and case note"</a></p> })}

        <h2 class="heading-m">"Discussion with the key worker"</h2>
        {match agreed {
            Some(t) => view! {
                <p class="body" data-testid="agreed-time">{format!("Agreed: {} for {} minutes.", discussion_when(t.starts_at), t.minutes)}</p>
                {(!state.locked() && last_held.is_none()).then(|| view! {
                    <p class="body"><a href=format!("/audits/{id}/discussion.ics") download data-testid="ics-link">"Add to your calendar (.ics)"</a></p>
                })}
            }.into_any(),
            None => view! {
                <ul class="list" data-testid="proposed-times">
                    {times.into_iter().map(|t| view! {
                        <li>
                            {format!("{} ({} minutes), proposed by {}", discussion_when(t.starts_at), t.minutes, t.proposer)}
                            {(can_propose && !t.by_me).then(|| view! {
                                <Form action=actions.accept attr:class="inline-form">
                                    <input type="hidden" name="audit_id" value=id.to_string()/>
                                    <input type="hidden" name="time_id" value=t.id.to_string()/>
                                    <button type="submit" class="button button--secondary">"Accept this time"</button>
                                </Form>
                            })}
                        </li>
                    }).collect_view()}
                </ul>
                {can_propose.then(|| view! {
                    <details class="details" open=role == AuditRole::Auditor>
                        <summary>{if role == AuditRole::Auditor { "Propose times" } else { "Propose another time" }}</summary>
                        <Form action=actions.propose attr:data-testid="propose-form">
                            <input type="hidden" name="audit_id" value=id.to_string()/>
                            {[1, 2, 3].into_iter().map(|n| {
                                let field: &'static str = ["time-1", "time-2", "time-3"][n - 1];
                                view! {
                                    <div class="form-group">
                                        <label class="label" for=field>{format!("Time {n}")}</label>
                                        {error_line(errors, field)}
                                        <input class="input input--date" id=field name=format!("time_{n}") type="datetime-local"/>
                                    </div>
                                }
                            }).collect_view()}
                            <div class="form-group">
                                <label class="label" for="minutes">"Length (minutes)"</label>
                                {error_line(errors, "minutes")}
                                <input class="input input--narrow" id="minutes" name="minutes" inputmode="numeric" value="60"/>
                            </div>
                            <button type="submit" class="button">"Send the times"</button>
                        </Form>
                    </details>
                })}
            }.into_any(),
        }}

        {last_held.clone().map(|h| view! {
            <p class="body" data-testid="discussion-held">{format!("The discussion took place on {}, as {} recorded.", discussion_when(h.held_at), h.recorded_by)}</p>
        })}
        {(can_record_held && last_held.is_none()).then(|| view! {
            {pending.clone().map(|_| view! {
                <p class="hint">"The key worker can confirm the findings once the agreed time has come. If you have already discussed them, record when, and they can confirm straight away."</p>
            })}
            <HeldForm id action=actions.held errors button="Record that the discussion took place"/>
        })}
        {(can_record_held && last_held.is_some()).then(|| view! {
            <details class="details" open=move || field_error(&errors(), "held-at").is_some()>
                <summary>"Correct when the discussion took place"</summary>
                <HeldForm id action=actions.held errors button="Save the correction"/>
            </details>
        })}

        {if editable {
            view! { <AuditForm view=view.clone() version complete=actions.complete page_errors=errors/> }.into_any()
        } else {
            view.draft.clone().filter(|_| state >= AuditState::InProgress).map(|d| view! { <DraftView domains=view.domains.clone() draft=d/> }).into_any()
        }}

        // The IRO / CP Chair sees only their own feedback (not the family's words): say so,
        // rather than suggest nobody has given any.
        <h2 class="heading-m">{if role == AuditRole::Iro { "Your feedback" } else { "Feedback" }}</h2>
        {(role == AuditRole::Iro).then(|| view! {
            <p class="hint" data-testid="iro-feedback-note">"You see the feedback you give here. What the child, family and carers said is kept for the auditor and the people who read the filed audit."</p>
        })}
        {if feedback.is_empty() { view! { <p class="body" data-testid="no-feedback">{if role == AuditRole::Iro { "You have not given feedback on this audit yet." } else { "No feedback recorded yet." }}</p> }.into_any() } else { view! {
            <ul class="list" data-testid="feedback-list">
                {feedback.into_iter().map(|f| view! {
                    <li><strong>{format!("{}, by {}, {}", label_of(&FEEDBACK_FROM, &f.from_whom), label_of(&FEEDBACK_HOW, &f.how).to_lowercase(), f.given_on.format("%-d %B %Y"))}</strong>
                    <blockquote class="quote">{f.said}</blockquote></li>
                }).collect_view()}
            </ul>
        }.into_any() }}
        {can_feedback.then(|| view! {
            <details class="details">
                <summary>{if role == AuditRole::Iro { "Give your feedback" } else { "Record feedback" }}</summary>
                <Form action=actions.feedback attr:data-testid="feedback-form">
                    <input type="hidden" name="audit_id" value=id.to_string()/>
                    {(role == AuditRole::Auditor).then(|| view! {
                        <div class="form-group">
                            <label class="label" for="from-whom">"Who gave it"</label>
                            {error_line(errors, "from-whom")}
                            <select class="select" id="from-whom" name="from_whom">
                                {FEEDBACK_FROM.into_iter().map(|(c, l)| view! { <option value=c>{l}</option> }).collect_view()}
                            </select>
                        </div>
                    })}
                    <div class="form-group">
                        <label class="label" for="how">"How"</label>
                        {error_line(errors, "how")}
                        <select class="select" id="how" name="how">
                            {FEEDBACK_HOW.into_iter().map(|(c, l)| view! { <option value=c>{l}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="form-group">
                        <label class="label" for="given-on">"When"</label>
                        {error_line(errors, "given-on")}
                        <input class="input input--date" id="given-on" name="given_on" type="date"/>
                    </div>
                    <div class="form-group">
                        <label class="label" for="said">"What they said, in their words"</label>
                        {error_line(errors, "said")}
                        <textarea class="textarea" id="said" name="said" rows="4"></textarea>
                    </div>
                    <button type="submit" class="button button--secondary">"Save feedback"</button>
                </Form>
            </details>
        })}

        {(state == AuditState::InProgress && role == AuditRole::KeyWorker).then(|| view! {
            <h2 class="heading-m">"Discuss the findings"</h2>
            {match pending.clone() {
            Some(why) => view! {
                <div class="inset" data-testid="confirm-not-yet"><p class="body">{why}</p></div>
            }.into_any(),
            None => view! {
            <p class="body">"Read the draft above with the auditor. Add your reflection, then confirm the discussion took place."</p>
            <Form action=actions.confirm attr:data-testid="confirm-findings">
                <input type="hidden" name="audit_id" value=id.to_string()/>
                <div class="form-group">
                    <label class="label" for="reflection">"Your reflection (optional)"</label>
                    {error_line(errors, "reflection")}
                    <textarea class="textarea" id="reflection" name="reflection" rows="4"></textarea>
                </div>
                <button type="submit" class="button">"Confirm the findings were discussed"</button>
            </Form>
            }.into_any(),
            }}
        })}
        {reflection.filter(|r| !r.is_empty()).map(|r| view! { <h2 class="heading-m">"Key worker's reflection"</h2><p class="body">{r}</p> })}
        {case_note.map(|note| view! {
            <h2 class="heading-m">"Case note"</h2>
            <pre class="case-note" data-testid="case-note">{note}</pre>
        })}
        {(state == AuditState::Completed && role == AuditRole::Auditor).then(|| view! {
            <Form action=actions.upload attr:data-testid="upload-form">
                <input type="hidden" name="audit_id" value=id.to_string()/>
                <div class="form-group">
                    <label class="label" for="reference">"Case-management system reference"</label>
                    <p class="hint">"After uploading the audit and case note to the child's record there."</p>
                    {error_line(errors, "reference")}
                    <input class="input" id="reference" name="reference"/>
                </div>
                <button type="submit" class="button button--secondary">"Mark as uploaded"</button>
            </Form>
        })}
        {view.cms_reference.clone().map(|r| view! { <p class="body">{format!("Uploaded to the case-management system, reference {r}.")}</p> })}
        <h2 class="heading-m">"History"</h2>
        {history_list(&view, "audit-history")}
    }
}

/// The audit's history, oldest first, in London time: on the audit and on its filed record.
fn history_list(view: &AuditView, testid: &'static str) -> impl IntoView {
    view! {
        <ul class="list" data-testid=testid>
            {history(view).into_iter().map(|(at, text)| view! { <li>{format!("{}: {text}", crate::domain::calendar::london_time(at).format("%-d %B %Y %H:%M"))}</li> }).collect_view()}
        </ul>
    }
}

/// Every step of the audit, oldest first: its moves, each set of discussion times proposed,
/// each record that the discussion took place, each piece of feedback (those this person
/// may read), and any handover to a new key worker.
fn history(view: &AuditView) -> Vec<(chrono::DateTime<chrono::Utc>, String)> {
    let mut lines: Vec<(chrono::DateTime<chrono::Utc>, String)> = view
        .moves
        .iter()
        .map(|(s, by, at)| (*at, format!("{} by {by}", s.label())))
        .collect();
    lines.extend(view.handovers.iter().map(|(from, to, at)| {
        (
            *at,
            format!(
                "handed over from {} to {}, the case's new key worker",
                from.as_deref().unwrap_or("nobody"),
                to.as_deref().unwrap_or("nobody")
            ),
        )
    }));
    // One line per proposal: the times one person sent together.
    let mut proposals: Vec<(chrono::DateTime<chrono::Utc>, &str, Vec<String>)> = Vec::new();
    for t in &view.times {
        let when = discussion_when(t.starts_at);
        match proposals
            .iter_mut()
            .find(|(at, who, _)| *at == t.proposed_at && *who == t.proposer)
        {
            Some((_, _, list)) => list.push(when),
            None => proposals.push((t.proposed_at, &t.proposer, vec![when])),
        }
    }
    lines.extend(proposals.into_iter().map(|(at, who, list)| {
        (
            at,
            format!(
                "{} proposed by {who}: {}",
                crate::domain::words::count(list.len(), "discussion time", "discussion times"),
                list.join("; ")
            ),
        )
    }));
    lines.extend(view.held.iter().enumerate().map(|(n, h)| {
        let what = if n == 0 { "recorded" } else { "corrected" };
        (
            h.recorded_at,
            format!(
                "The discussion took place on {}, {what} by {}",
                discussion_when(h.held_at),
                h.recorded_by
            ),
        )
    }));
    lines.extend(view.feedback.iter().map(|f| {
        (
            f.recorded_at,
            format!(
                "Feedback from {} recorded by {}",
                lower_first(&label_of(&FEEDBACK_FROM, &f.from_whom)),
                f.recorded_by
            ),
        )
    }));
    lines.sort_by_key(|(at, _)| *at);
    lines
}

/// "The IRO / CP Chair" as it reads mid-sentence: "the IRO / CP Chair".
fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The auditor's record of when the discussion took place.
#[component]
fn HeldForm(
    id: i64,
    action: FormAction<RecordDiscussionHeld>,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
    button: &'static str,
) -> impl IntoView {
    view! {
        <Form action attr:data-testid="held-form">
            <input type="hidden" name="audit_id" value=id.to_string()/>
            <div class="form-group">
                <label class="label" for="held-at">"When the discussion took place"</label>
                <p class="hint" id="held-at-hint">"The date and time you discussed the findings with the key worker."</p>
                {error_line(errors, "held-at")}
                <input class="input input--date" id="held-at" name="held_at" type="datetime-local" aria-describedby="held-at-hint"/>
            </div>
            <button type="submit" class="button button--secondary">{button}</button>
        </Form>
    }
}

/// The graded form, read-only.
#[component]
fn DraftView(
    domains: Vec<crate::domain::audit::TemplateDomain>,
    draft: AuditDraft,
) -> impl IntoView {
    let grade = |g: Option<Grade>| g.map(|g| g.label()).unwrap_or("Not graded");
    view! {
        <h2 class="heading-m">"The audit"</h2>
        <dl class="summary-list" data-testid="draft-view">
            {domains.into_iter().map(|d| {
                let entry = draft.domains.get(&d.key).cloned().unwrap_or_default();
                view! {
                    <div class="summary-list__row">
                        <dt class="summary-list__key">{d.title}</dt>
                        <dd class="summary-list__value"><strong>{grade(entry.grade)}</strong><p class="body pre-wrap">{entry.narrative}</p></dd>
                    </div>
                }
            }).collect_view()}
            <div class="summary-list__row"><dt class="summary-list__key">"Overall grade"</dt><dd class="summary-list__value"><strong>{grade(draft.overall)}</strong></dd></div>
            <div class="summary-list__row"><dt class="summary-list__key">"Key strengths"</dt><dd class="summary-list__value pre-wrap">{draft.strengths}</dd></div>
            <div class="summary-list__row"><dt class="summary-list__key">"Areas for development"</dt><dd class="summary-list__value pre-wrap">{draft.development}</dd></div>
        </dl>
        <h3 class="heading-s">"Required actions"</h3>
        {if draft.actions.is_empty() { view! { <p class="body">"None."</p> }.into_any() } else { view! {
            <crate::ui::TableWrap><table class="table"><thead><tr><th scope="col">"Action"</th><th scope="col">"Owner"</th><th scope="col">"Due"</th><th scope="col">"Status"</th></tr></thead>
            <tbody>{draft.actions.into_iter().map(|a| view! {
                <tr><td>{a.action}</td><td>{a.owner}</td><td>{crate::ui::long_date(&a.due_on)}</td><td>{if a.status == ActionStatus::Done { "Done" } else { "Open" }}</td></tr>
            }).collect_view()}</tbody></table></crate::ui::TableWrap>
        }.into_any() }}
    }
}

/// Where the draft stands, shown beside the form. (`Saving` is set by the browser only.)
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Debug, Clone, PartialEq)]
enum SaveState {
    Unchanged,
    Saving,
    Saved(String),
    /// No connection: kept on this device, sent when the connection is back.
    OnDevice,
    Stale(String),
    Problems(Vec<FieldError>),
    Failed(String),
}

/// The auditor's form. Works without WebAssembly as a plain form ("Save draft"); with it,
/// the draft is saved every few seconds, kept on the device while offline, and synced back.
#[component]
fn AuditForm(
    view: AuditView,
    version: RwSignal<i64>,
    complete: FormAction<CompleteAudit>,
    /// The page's problems: completing names each field it refuses, shown beside it.
    page_errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let save = FormAction::<SaveDraft>::new();
    let id = view.summary.id;
    let can_complete = view.summary.state == AuditState::FindingsDiscussed;
    // An autosave on its way; Complete waits for it, so it never races its own save.
    let in_flight = RwSignal::new(false);
    // Complete was pressed (with WebAssembly): sent once no autosave is on its way.
    let want_complete = RwSignal::new(false);
    let status = RwSignal::new(match &view.saved {
        Some((by, at)) => SaveState::Saved(format!("Last saved by {by} at {}", at.format("%H:%M"))),
        None => SaveState::Unchanged,
    });
    let dirty = RwSignal::new(false);
    let form_ref = NodeRef::<leptos::html::Div>::new();
    // A plain "Save draft" press, with or without WebAssembly.
    Effect::new(move |_| {
        if let Some(result) = save.value().get() {
            status.set(after_save(result, version, dirty));
        }
    });
    #[cfg(feature = "hydrate")]
    {
        autosave::start(
            id,
            form_ref,
            version,
            dirty,
            status,
            in_flight,
            complete,
            want_complete,
        );
        autosave::complete_when_saved(
            id,
            form_ref,
            version,
            dirty,
            in_flight,
            want_complete,
            complete,
        );
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (in_flight, want_complete);
    // Completing sends what is on the screen. Without WebAssembly the button posts the whole
    // form to `complete_audit` (its `formaction`); with it, it waits for any autosave on its
    // way, then sends the form's fields itself.
    let on_complete = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            ev.prevent_default();
            want_complete.set(true);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    Effect::new(move |_| {
        if let Some(Ok(())) = complete.value().get() {
            #[cfg(feature = "hydrate")]
            {
                use gloo_storage::Storage;
                gloo_storage::LocalStorage::delete(autosave::key(id));
            }
        }
    });
    let draft = view.draft.clone().unwrap_or_default();
    let problems = move || match status.get() {
        SaveState::Problems(p) => p,
        _ => Vec::new(),
    };
    // Beside each field: the last save's problem with it, else completion's.
    let field_problems = move || {
        let mut all = problems();
        all.extend(page_errors());
        all
    };
    let grade_select = move |field: String, current: Option<Grade>| {
        let name = format!("f[{field}]");
        view! {
            {error_line(field_problems, field.clone())}
            <select class="select" id=field name=name>
                <option value="" selected=current.is_none()>"Not graded yet"</option>
                {Grade::ALL.into_iter().map(|g| view! { <option value=g.code() selected=current == Some(g)>{g.label()}</option> }).collect_view()}
            </select>
        }
    };
    let textarea = move |field: String, value: String, rows: u32| {
        let name = format!("f[{field}]");
        view! {
            {error_line(field_problems, field.clone())}
            <textarea class="textarea" id=field name=name rows=rows.to_string()>{value}</textarea>
        }
    };
    let mut actions = draft.actions.clone();
    actions.resize(
        (draft.actions.len() + 2).min(MAX_ACTIONS),
        crate::domain::audit::RequiredAction {
            action: String::new(),
            owner: String::new(),
            due_on: String::new(),
            status: ActionStatus::Open,
        },
    );
    view! {
        <h2 class="heading-m">"The audit form"</h2>
        <p class="hint">{format!("Template version {}. Grades use Ofsted's four-point scale.", view.template_version)}</p>
        <p class="save-status" role="status" aria-live="polite" data-testid="save-status">
            {move || matches!(status.get(), SaveState::Stale(_)).then(|| view! {
                <button type="button" class="button button--secondary" on:click=move |_| load_newer(id)>"Load the newer version"</button>
            })}
            {move || match status.get() {
                SaveState::Unchanged => "Not changed yet".to_string(),
                SaveState::Saving => "Saving…".to_string(),
                SaveState::Saved(when) => when,
                SaveState::OnDevice => "Offline: your changes are kept on this device and will be saved when the connection is back".to_string(),
                SaveState::Stale(m) => m,
                SaveState::Problems(_) => "Not saved: check the problems marked below".to_string(),
                SaveState::Failed(m) => m,
            }}
        </p>
        {move || view! { <ErrorSummary errors=problems() keep_focus=true/> }}
        <div node_ref=form_ref on:input=move |_| dirty.set(true) on:change=move |_| dirty.set(true)>
        <Form action=save attr:data-testid="audit-form" attr:id="audit-form">
            <input type="hidden" name="audit_id" value=id.to_string()/>
            // The attribute for a post made before the WebAssembly loads (a property is not
            // rendered on the server); the property follows each autosave after it has.
            <input type="hidden" name="version" value=view.version.to_string() prop:value=move || version.get().to_string()/>
            {view.domains.iter().map(|d| {
                let entry = draft.domains.get(&d.key).cloned().unwrap_or_default();
                let (g, n) = (format!("grade-{}", d.key), format!("narrative-{}", d.key));
                view! {
                    <fieldset class="fieldset">
                        <legend class="fieldset__legend">{d.title.clone()}</legend>
                        <p class="hint">{d.prompt.clone()}</p>
                        <div class="form-group">
                            <label class="label" for=g.clone()>"Grade"</label>
                            {grade_select(g.clone(), entry.grade)}
                        </div>
                        <div class="form-group">
                            <label class="label" for=n.clone()>"Findings"</label>
                            {textarea(n.clone(), entry.narrative, 5)}
                        </div>
                    </fieldset>
                }
            }).collect_view()}
            <fieldset class="fieldset">
                <legend class="fieldset__legend">"Overall"</legend>
                <div class="form-group"><label class="label" for="overall">"Overall grade"</label>{grade_select("overall".into(), draft.overall)}</div>
                <div class="form-group"><label class="label" for="strengths">"Key strengths"</label>{textarea("strengths".into(), draft.strengths.clone(), 4)}</div>
                <div class="form-group"><label class="label" for="development">"Areas for development"</label>{textarea("development".into(), draft.development.clone(), 4)}</div>
            </fieldset>
            <fieldset class="fieldset">
                <legend class="fieldset__legend">"Required actions"</legend>
                <p class="hint">"Each action needs an owner and a due date. Leave a row empty if it is not needed."</p>
                {actions.into_iter().enumerate().map(|(n, a)| {
                    let (af, of, df, sf) = (format!("action-{n}"), format!("owner-{n}"), format!("due-{n}"), format!("status-{n}"));
                    view! {
                        <div class="action-row">
                            <div class="form-group">
                                <label class="label" for=af.clone()>{format!("Action {}", n + 1)}</label>
                                {error_line(field_problems, af.clone())}
                                <input class="input" id=af.clone() name=format!("f[{af}]") value=a.action/>
                            </div>
                            <div class="form-group">
                                <label class="label" for=of.clone()>"Owner"</label>
                                {error_line(field_problems, of.clone())}
                                <input class="input" id=of.clone() name=format!("f[{of}]") value=a.owner/>
                            </div>
                            <div class="form-group">
                                <label class="label" for=df.clone()>"Due"</label>
                                {error_line(field_problems, df.clone())}
                                <input class="input input--date" id=df.clone() name=format!("f[{df}]") type="date" value=a.due_on/>
                            </div>
                            <div class="form-group">
                                <label class="label" for=sf.clone()>"Status"</label>
                                <select class="select" id=sf.clone() name=format!("f[{sf}]")>
                                    <option value="open" selected=a.status == ActionStatus::Open>"Open"</option>
                                    <option value="done" selected=a.status == ActionStatus::Done>"Done"</option>
                                </select>
                            </div>
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            // Kept in view at the foot of the screen while the long form scrolls.
            <div class="sticky-actions" data-testid="sticky-save">
                <button type="submit" class="button button--secondary">"Save draft"</button>
            </div>
            {can_complete.then(|| view! {
                <h2 class="heading-m">"Complete the audit"</h2>
                <p class="body">"Completing saves the form as it is on this screen, locks the audit, files it to the child's record with its case note, and tells the key worker, the Team Manager and the Service Manager. Later changes only through moderation. If you have changed a grade or finding since the key worker confirmed them, they are asked to confirm again first."</p>
                <div data-testid="complete-form">
                    <button type="submit" class="button" id="complete" name="complete" value="yes"
                        formaction="/api/complete_audit"
                        disabled=move || complete.pending().get()
                        on:click=on_complete>"Complete and file the audit"</button>
                </div>
            })}
        </Form>
        </div>
    }
}

/// Drops what this device kept for the audit and shows the saved version.
fn load_newer(id: i64) {
    #[cfg(feature = "hydrate")]
    {
        use gloo_storage::Storage;
        gloo_storage::LocalStorage::delete(autosave::key(id));
        let _ = window().location().reload();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

fn after_save(
    result: Result<i64, AppError>,
    version: RwSignal<i64>,
    dirty: RwSignal<bool>,
) -> SaveState {
    match result {
        Ok(v) => {
            version.set(v);
            SaveState::Saved("All changes saved".to_string())
        }
        Err(AppError::Network) => {
            dirty.set(true);
            SaveState::OnDevice
        }
        Err(AppError::Stale { by, version: newer }) => {
            // Saving again (on purpose) keeps this device's work over the newer version.
            version.set(newer);
            SaveState::Stale(format!(
            "Not saved: {by} saved a newer version since you opened this page. Your changes are kept on this device; load the newer version, or press Save draft to keep yours over it."
            ))
        }
        Err(AppError::Invalid(problems)) => SaveState::Problems(problems),
        Err(other) => SaveState::Failed(format!("Not saved: {other}")),
    }
}

#[cfg(feature = "hydrate")]
mod autosave {
    use super::*;
    use gloo_storage::{LocalStorage, Storage};
    use leptos::wasm_bindgen::JsCast;
    use serde::{Deserialize, Serialize};
    use std::collections::HashMap;

    /// How often the draft is saved while someone types.
    const EVERY_MS: u64 = 3_000;

    #[derive(Serialize, Deserialize)]
    struct Kept {
        version: i64,
        fields: HashMap<String, String>,
    }

    pub fn key(id: i64) -> String {
        crate::auth::browser_key(&format!("audit-{id}"))
    }

    fn controls(root: &web_sys::Element) -> Vec<web_sys::Element> {
        let Ok(list) = root.query_selector_all("[name^='f[']") else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into::<web_sys::Element>().ok())
            .collect()
    }

    fn read(root: &web_sys::Element) -> HashMap<String, String> {
        controls(root)
            .into_iter()
            .filter_map(|el| {
                let name = el.get_attribute("name")?;
                let field = name.strip_prefix("f[")?.strip_suffix(']')?.to_string();
                let value = if let Some(i) = el.dyn_ref::<web_sys::HtmlInputElement>() {
                    i.value()
                } else if let Some(t) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
                    t.value()
                } else {
                    el.dyn_ref::<web_sys::HtmlSelectElement>()?.value()
                };
                Some((field, value))
            })
            .collect()
    }

    fn write(root: &web_sys::Element, fields: &HashMap<String, String>) {
        for el in controls(root) {
            let Some(value) = el.get_attribute("name").and_then(|n| {
                fields
                    .get(n.trim_start_matches("f[").trim_end_matches(']'))
                    .cloned()
            }) else {
                continue;
            };
            if let Some(i) = el.dyn_ref::<web_sys::HtmlInputElement>() {
                i.set_value(&value);
            } else if let Some(t) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
                t.set_value(&value);
            } else if let Some(s) = el.dyn_ref::<web_sys::HtmlSelectElement>() {
                s.set_value(&value);
            }
        }
    }

    pub fn start(
        id: i64,
        root: NodeRef<leptos::html::Div>,
        version: RwSignal<i64>,
        dirty: RwSignal<bool>,
        status: RwSignal<SaveState>,
        in_flight: RwSignal<bool>,
        complete: FormAction<CompleteAudit>,
        want_complete: RwSignal<bool>,
    ) {
        // Typing kept on this device from an earlier visit goes back into the form.
        Effect::new(move |done: Option<bool>| {
            if done == Some(true) {
                return true;
            }
            let Some(el) = root.get() else { return false };
            if let Ok(kept) = LocalStorage::get::<Kept>(key(id)) {
                write(&el, &kept.fields);
                if kept.version == version.get_untracked() {
                    dirty.set(true);
                    status.set(SaveState::OnDevice);
                } else {
                    // Never save old work over newer work without being asked.
                    status.set(SaveState::Stale(
                        "Your unsaved changes from this device are shown, but a newer version was saved since. \
                         Press Save draft to keep yours over it, or load the newer version."
                            .into(),
                    ));
                }
            }
            true
        });
        let tick = move || {
            // After a stale save, wait for the person to choose; never overwrite silently.
            let held = matches!(status.get_untracked(), SaveState::Stale(_));
            let completing = complete.pending().get_untracked() || want_complete.get_untracked();
            if held || completing || !dirty.get_untracked() || in_flight.get_untracked() {
                return;
            }
            let Some(el) = root.get_untracked() else {
                return;
            };
            let fields = read(&el);
            dirty.set(false);
            in_flight.set(true);
            status.set(SaveState::Saving);
            let base = version.get_untracked();
            leptos::task::spawn_local(async move {
                let result = super::super::save_draft(id, base, Some(fields.clone())).await;
                match &result {
                    Ok(_) => LocalStorage::delete(key(id)),
                    Err(_) => {
                        let _ = LocalStorage::set(
                            key(id),
                            Kept {
                                version: base,
                                fields,
                            },
                        );
                    }
                }
                status.set(after_save(result, version, dirty));
                in_flight.set(false);
            });
        };
        let handle = set_interval_with_handle(tick, std::time::Duration::from_millis(EVERY_MS));
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    }

    /// Completes with what is on the screen once Complete is pressed and no autosave is on
    /// its way (so the version sent is the newest, and the two never race).
    pub fn complete_when_saved(
        id: i64,
        root: NodeRef<leptos::html::Div>,
        version: RwSignal<i64>,
        dirty: RwSignal<bool>,
        in_flight: RwSignal<bool>,
        asked: RwSignal<bool>,
        complete: FormAction<CompleteAudit>,
    ) {
        Effect::new(move |_| {
            if !asked.get() || in_flight.get() {
                return;
            }
            asked.set(false);
            let Some(el) = root.get_untracked() else {
                return;
            };
            let fields = read(&el);
            dirty.set(false);
            complete.call(CompleteAudit {
                audit_id: id,
                version: version.get_untracked(),
                f: Some(fields),
            });
        });
    }
}

/// The filed audit: read-only, printable (it prints cleanly to PDF), with its case note.
#[component]
pub fn AuditRecordPage() -> impl IntoView {
    let audit_id = audit_id_param();
    let detail = crate::codec::resource(audit_id, |id| async move {
        match id {
            Some(id) => audit_detail(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <SignedIn render=move |_me| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading the audit…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(view) if view.summary.state.locked() && view.role.reads_form() => {
                            let draft = view.draft.clone().unwrap_or_default();
                            view! {
                                <Title text=format!("Filed audit of case {}", view.summary.child_unique_id)/>
                                <article class="record" data-testid="filed-audit">
                                    <span class="caption">{format!("Case audit, {}", view.summary.month)}</span>
                                    <h1 class="heading-l">{format!("Case {}", view.summary.child_unique_id)}</h1>
                                    <p class="body">{format!("Team: {}. Auditor: {}. Key worker: {}. Completed {}.",
                                        view.summary.team, view.summary.auditor, view.key_worker.clone().unwrap_or_else(|| "not allocated".into()),
                                        view.completed_at.map(|c| c.format("%-d %B %Y").to_string()).unwrap_or_default())}</p>
                                    <p class="no-print">
                                        <crate::ui::PrintButton label="Print".to_string() class="button button--secondary".to_string()/>" "
                                        <a class="button button--secondary" href=format!("/audits/{}/audit.pdf", view.summary.id) download="" data-testid="audit-pdf">"Download as PDF"</a>" "
                                        <a class="button button--secondary" href=format!("/audits/{}/audit.docx", view.summary.id) download="" data-testid="audit-docx">"Download as Word"</a>
                                        {(view.role == AuditRole::Programme).then(|| view! {
                                            " "<a class="button button--secondary" href=format!("/audits/{}/themes", view.summary.id) data-testid="audit-themes">"Tag themes"</a>
                                        })}
                                    </p>
                                    <DraftView domains=view.domains.clone() draft/>
                                    {view.moderation.clone().map(|(confirmed, lines)| {
                                        let id = view.summary.id;
                                        view! {
                                            <h2 class="heading-m">"Moderation"</h2>
                                            <p class="body">{if confirmed { "Moderation confirmed the auditor's grades." } else { "Moderation changed grades. The audit above is as the auditor completed it." }}" "
                                                <a class="no-print" href=format!("/audits/{id}/moderation")>"See the moderation"</a></p>
                                            <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid="record-moderation">
                                                <caption class="visually-hidden">"Grades as completed and as moderated"</caption>
                                                <thead><tr><th scope="col"></th><th scope="col">"Auditor's grade"</th><th scope="col">"Moderated grade"</th></tr></thead>
                                                <tbody>{lines.into_iter().map(|(t, g, m)| view! { <tr><th scope="row">{t}</th><td>{g.label()}</td><td>{m.label()}</td></tr> }).collect_view()}</tbody>
                                            </table></div>
                                        }
                                    })}
                                    {view.reflection.clone().filter(|r| !r.is_empty()).map(|r| view! { <h2 class="heading-m">"Key worker's reflection"</h2><p class="body pre-wrap">{r}</p> })}
                                    <h2 class="heading-m">"Feedback"</h2>
                                    <ul class="list">
                                        {view.feedback.clone().into_iter().map(|f| view! { <li><strong>{label_of(&FEEDBACK_FROM, &f.from_whom)}": "</strong>{f.said}</li> }).collect_view()}
                                    </ul>
                                    <h2 class="heading-m">"Case note"</h2>
                                    <pre class="case-note" data-testid="record-case-note">{view.case_note.clone().unwrap_or_default()}</pre>
                                    <p class="no-print"><a href=format!("/audits/{}/case-note.txt", view.summary.id) download>"Download the case note (.txt)"</a></p>
                                    <h2 class="heading-m">"History"</h2>
                                    {history_list(&view, "record-history")}
                                </article>
                            }.into_any()
                        }
                        Ok(_) => view! { <crate::ui::NotFoundPage/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}
