use super::forms::{AuditFormProps, FeedbackProps, HeldProps, ProposeProps, TimeProps};
use super::{audit_detail, label_of, my_audits, AuditView, FEEDBACK_FROM, FEEDBACK_HOW};
use crate::auth::Me;
use crate::domain::audit::{
    discussion_when, ActionStatus, AuditDraft, AuditRole, AuditState, Grade,
};
use crate::domain::Role;
use crate::pages::audit_page as islands;
use crate::ui::Route;
use crate::ui::{deadline_tag, state_tag, use_route, AuditTable, ErrorView, Pagination, SignedIn};
use crate::AppError;
use leptos::prelude::*;
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

/// The audit: drawn on the server, its forms islands of their own (`super::forms`), so the
/// browser loads only the forms' code.
#[component]
pub fn AuditPage() -> impl IntoView {
    let audit_id = audit_id_param();
    let detail = crate::codec::resource(audit_id, |id| async move {
        match id {
            Some(id) => audit_detail(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <SignedIn render=move |me| {
            let summary = islands::AuditProblems(Route::here(), Some(me.clone()), ());
            view! {
                {summary}
                <Suspense fallback=|| view! { <p class="loading">"Loading the audit…"</p> }>
                    {move || {
                        let me = me.clone();
                        Suspend::new(async move {
                            match detail.await {
                                Ok(view) => view! { <Audit view me/> }.into_any(),
                                Err(error) => view! { <ErrorView error/> }.into_any(),
                            }
                        })
                    }}
                </Suspense>
            }
        }/>
    }
}

#[component]
fn Audit(view: AuditView, me: Me) -> impl IntoView {
    let route = Route::here();
    let seen_by = me
        .roles
        .any(&[Role::QaManager, Role::Administrator])
        .then_some(());
    let me = Some(me);
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
    let can_propose =
        state == AuditState::Assigned && matches!(role, AuditRole::Auditor | AuditRole::KeyWorker);
    let can_feedback = matches!(role, AuditRole::Auditor | AuditRole::Iro) && !state.locked();
    let last_held = view.held.last().cloned();
    let pending = view.discussion_pending.clone();
    let can_record_held = role == AuditRole::Auditor
        && matches!(
            state,
            AuditState::DiscussionArranged | AuditState::InProgress
        );
    // Each island is given the route and the person, and its own props.
    let (r, m) = (route, me);
    let times = view
        .times
        .iter()
        .map(|t| {
            let accept = (can_propose && !t.by_me).then(|| {
                islands::AcceptTime(
                    r.clone(),
                    m.clone(),
                    TimeProps {
                        audit_id: id,
                        time_id: t.id,
                    },
                )
            });
            view! {
                <li>
                    {format!("{} ({} minutes), proposed by {}", discussion_when(t.starts_at), t.minutes, t.proposer)}
                    {accept}
                </li>
            }
        })
        .collect_view();
    let propose = can_propose.then(|| {
        islands::ProposeTimes(
            r.clone(),
            m.clone(),
            ProposeProps {
                audit_id: id,
                by_auditor: role == AuditRole::Auditor,
            },
        )
    });
    let held_form = can_record_held.then(|| {
        islands::DiscussionHeld(
            r.clone(),
            m.clone(),
            HeldProps {
                audit_id: id,
                correction: last_held.is_some(),
            },
        )
    });
    let form = if view.editable() {
        let saved = view.saved.clone().map(|(by, at)| {
            format!(
                "Last saved by {by} at {}",
                crate::domain::calendar::london_time(at).format("%H:%M")
            )
        });
        islands::AuditForm(
            r.clone(),
            m.clone(),
            AuditFormProps {
                audit_id: id,
                version: view.version,
                template_version: view.template_version,
                domains: view.domains.clone(),
                draft: view.draft.clone().unwrap_or_default(),
                saved,
                can_complete: state == AuditState::FindingsDiscussed,
            },
        )
    } else {
        view.draft
            .clone()
            .filter(|_| state >= AuditState::InProgress)
            .map(|d| view! { <DraftView domains=view.domains.clone() draft=d/> })
            .into_any()
    };
    let feedback_form = can_feedback.then(|| {
        islands::Feedback(
            r.clone(),
            m.clone(),
            FeedbackProps {
                audit_id: id,
                iro: role == AuditRole::Iro,
            },
        )
    });
    let confirm = (state == AuditState::InProgress && role == AuditRole::KeyWorker).then(|| {
        match pending.clone() {
            Some(why) => view! {
                <h2 class="heading-m">"Discuss the findings"</h2>
                <div class="inset" data-testid="confirm-not-yet"><p class="body">{why}</p></div>
            }
            .into_any(),
            None => view! {
                <h2 class="heading-m">"Discuss the findings"</h2>
                <p class="body">"Read the draft above with the auditor. Add your reflection, then confirm the discussion took place."</p>
                {islands::ConfirmFindings(r.clone(), m.clone(), id)}
            }
            .into_any(),
        }
    });
    let upload = (state == AuditState::Completed && role == AuditRole::Auditor)
        .then(|| islands::MarkUploaded(r.clone(), m.clone(), id));
    let seen_by = seen_by.map(|()| islands::AuditSeenBy(r.clone(), m.clone(), id));
    let feedback = view.feedback.clone();
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
                <ul class="list" data-testid="proposed-times">{times}</ul>
                {propose}
            }.into_any(),
        }}

        {last_held.clone().map(|h| view! {
            <p class="body" data-testid="discussion-held">{format!("The discussion took place on {}, as {} recorded.", discussion_when(h.held_at), h.recorded_by)}</p>
        })}
        {(can_record_held && last_held.is_none() && pending.is_some()).then(|| view! {
            <p class="hint">"The key worker can confirm the findings once the agreed time has come. If you have already discussed them, record when, and they can confirm straight away."</p>
        })}
        {held_form}

        {form}

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
        {feedback_form}

        {confirm}
        {view.reflection.clone().filter(|r| !r.is_empty()).map(|r| view! { <h2 class="heading-m">"Key worker's reflection"</h2><p class="body">{r}</p> })}
        {view.case_note.clone().map(|note| view! {
            <h2 class="heading-m">"Case note"</h2>
            <pre class="case-note" data-testid="case-note">{note}</pre>
        })}
        {upload}
        {view.cms_reference.clone().map(|r| view! { <p class="body">{format!("Uploaded to the case-management system, reference {r}.")}</p> })}
        <h2 class="heading-m">"History"</h2>
        {history_list(&view, "audit-history")}
        {seen_by}
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
