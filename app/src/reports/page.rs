use super::{
    newsletter_detail, newsletters_overview, report_detail, reports_overview, ClearNewsletterFlag,
    ClearReportFlag, CommentOnReport, FinaliseNewsletter, FinaliseReport, NewsletterView,
    ReportPresented, ReportView, SaveNewsletter, SaveReport, StartNewsletter, StartReport,
};
use crate::domain::difference::FlagView;
use crate::ui::figures::{FigureTables, GroupedBars};
use crate::ui::use_params_map;
use crate::ui::{
    error_line, form_errors, last_answered, ErrorSummary, ErrorView, LearningNav, SignedIn, Tag,
};
use crate::ui::{Form, FormAction};
use crate::{AppError, FieldError};
use leptos::prelude::*;
use leptos_meta::Title;

fn id_param() -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get("id").and_then(|v| v.parse::<i64>().ok())
}

/// The disclosure check's flags, each with the form that clears it.
fn flags_list(
    flags: Vec<FlagView>,
    outstanding: usize,
    clear_form: impl Fn(String, String) -> AnyView,
) -> impl IntoView {
    view! {
        <section class="panel" data-testid="disclosure-check">
            <h2 class="heading-m">"Disclosure check"</h2>
            {if flags.is_empty() {
                view! { <p class="body" data-testid="no-flags">"Nothing in the text names a child or a member of staff, or looks like a date of birth or a case number."</p> }.into_any()
            } else {
                view! {
                    <p class="body" id="flags">{format!("{outstanding} of {} {} still to resolve: edit each out of the text, or clear it with the reason it may stay.", flags.len(), if flags.len() == 1 { "flag" } else { "flags" })}</p>
                    <ul class="list flag-list">{flags.into_iter().map(|f| view! {
                        <li data-testid=format!("flag-{}", f.key)>
                            <Tag text=f.kind.clone() colour="orange"/>" "<strong>{f.message.clone()}</strong>
                            {match f.cleared.clone() {
                                Some(c) => view! { <p class="hint">{c}</p> }.into_any(),
                                None => clear_form(f.key.clone(), format!("reason-{}", f.key)),
                            }}
                        </li>
                    }).collect_view()}</ul>
                }.into_any()
            }}
        </section>
    }
}

/// Text as paragraphs and "- " lists, as the report's sections hold it.
fn text_view(text: String) -> impl IntoView {
    text.split("\n\n")
        .map(|block| {
            let lines: Vec<String> = block.lines().map(str::to_string).collect();
            let items: Vec<String> = lines
                .iter()
                .filter_map(|l| l.trim_start().strip_prefix("- ").map(str::to_string))
                .collect();
            let plain: Vec<String> = lines
                .iter()
                .filter(|l| !l.trim_start().starts_with("- "))
                .cloned()
                .collect();
            view! {
                {(!plain.is_empty()).then(|| view! { <p class="body">{plain.join(" ")}</p> })}
                {(!items.is_empty()).then(|| view! { <ul class="list list--bullet">{items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul> })}
            }
        })
        .collect_view()
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Reports.draw(route.clone(), Some(me))/> }
}

pub(crate) fn reports_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let start = FormAction::<StartReport>::new();
    let data = crate::codec::resource(|| (), |_| reports_overview());
    let errors = move || form_errors(start.value().get());
    view! {
        <Title text="Summary reports"/>
        <SignedIn render=move |_me| view! {
            <LearningNav current="/reports"/>
            <h1 class="heading-l">"Monthly summary reports"</h1>
            <p class="body">"The main findings, key strengths, areas for improvement and recommendations of each round, for the senior management team's practice meeting."</p>
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Suspense fallback=|| view! { <p class="loading">"Loading reports…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(o) => view! {
                            {if o.reports.is_empty() {
                                view! { <p class="body" data-testid="no-reports">"No report has been started yet."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid="reports">
                                        <thead><tr><th scope="col">"Rounds"</th><th scope="col">"Status"</th><th scope="col">"Last saved"</th></tr></thead>
                                        <tbody>{o.reports.into_iter().map(|r| view! {
                                            <tr>
                                                <td><a href=format!("/reports/{}", r.id)>{r.period}</a></td>
                                                <td><Tag text=r.status.clone() colour=if r.status == "Draft" { "grey" } else { "green" }/></td>
                                                <td>{r.updated}</td>
                                            </tr>
                                        }).collect_view()}</tbody>
                                    </table></div>
                                }.into_any()
                            }}
                            {(o.starts && !o.rounds.is_empty()).then(|| {
                                let rounds = o.rounds.clone();
                                view! {
                                    <h2 class="heading-m">"Start a report"</h2>
                                    <Form action=start attr:data-testid="start-report">
                                        <div class="form-group inline">
                                            <label class="label" for="first">"Round"</label>
                                            {error_line(errors, "first")}
                                            <select class="select" id="first" name="first">
                                                {o.rounds.into_iter().map(|(m, l)| view! { <option value=m>{l}</option> }).collect_view()}
                                            </select>
                                        </div>
                                        <div class="form-group inline">
                                            <label class="label" for="last">"To round (for a range)"</label>
                                            {error_line(errors, "last")}
                                            <select class="select" id="last" name="last">
                                                <option value="">"Just that round"</option>
                                                {rounds.into_iter().map(|(m, l)| view! { <option value=m>{l}</option> }).collect_view()}
                                            </select>
                                        </div>
                                        <button type="submit" class="button">"Start the report"</button>
                                    </Form>
                                }
                            })}
                        }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[derive(Clone, Copy)]
struct ReportForms {
    last: Signal<Option<usize>>,
    save: FormAction<SaveReport>,
    clear: FormAction<ClearReportFlag>,
    comment: FormAction<CommentOnReport>,
    finalise: FormAction<FinaliseReport>,
    presented: FormAction<ReportPresented>,
}

impl ReportForms {
    fn version(self) -> usize {
        self.save.version().get()
            + self.clear.version().get()
            + self.comment.version().get()
            + self.finalise.version().get()
            + self.presented.version().get()
    }

    fn errors(self) -> Vec<FieldError> {
        let each = [
            form_errors(self.save.value().get()),
            form_errors(self.clear.value().get()),
            form_errors(self.comment.value().get()),
            form_errors(self.finalise.value().get()),
            form_errors(self.presented.value().get()),
        ];
        match self.last.get() {
            Some(i) => each.into_iter().nth(i).unwrap_or_default(),
            None => each.into_iter().flatten().collect(),
        }
    }
}

#[component]
pub fn ReportPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Report.draw(route.clone(), Some(me))/> }
}

pub(crate) fn report_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let id = id_param();
    let (save, clear, comment) = (FormAction::new(), FormAction::new(), FormAction::new());
    let (finalise, presented) = (FormAction::new(), FormAction::new());
    let forms = ReportForms {
        last: last_answered(vec![
            save.version(),
            clear.version(),
            comment.version(),
            finalise.version(),
            presented.version(),
        ]),
        save,
        clear,
        comment,
        finalise,
        presented,
    };
    let detail = crate::codec::resource(
        move || (id(), forms.version()),
        |(id, _)| async move {
            match id {
                Some(id) => report_detail(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    let errors = move || forms.errors();
    view! {
        <Title text="Summary report"/>
        <SignedIn render=move |_me| view! {
            <LearningNav current="/reports"/>
            <a class="back-link" href="/reports">"Summary reports"</a>
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Suspense fallback=|| view! { <p class="loading">"Loading the report…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(v) => view! { <Report v forms errors/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Report(
    v: ReportView,
    forms: ReportForms,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = v.id;
    let version = v.version.to_string();
    let state = match (&v.finalised, v.presented_on) {
        (Some(f), Some(on)) => view! { <Tag text="Presented" colour="green"/> " " <span class="hint">{format!("{f}; presented to the senior management team on {}", on.format("%-d %B %Y"))}</span> }.into_any(),
        (Some(f), None) => view! { <Tag text="Final" colour="green"/> " " <span class="hint">{f.clone()}</span> }.into_any(),
        (None, _) => view! { <Tag text="Draft" colour="grey"/> " " <span class="hint">{format!("Version {}, last saved {}", v.version, v.updated)}</span> }.into_any(),
    };
    let sections = v.sections.clone();
    view! {
        <span class="caption">"Monthly summary report"</span>
        <h1 class="heading-l" data-testid="report-title">{v.period.clone()}</h1>
        <p data-testid="report-state">{state}</p>
        <p class="no-print">
            <a class="button button--secondary" href=format!("/reports/{id}/print")>"Print or save as PDF"</a>" "
            <a class="button button--secondary" href=format!("/reports/{id}/report.docx") download="" data-testid="download-docx">"Download as Word"</a>" "
            <a class="button button--secondary" href=format!("/reports/{id}/figures.xlsx") download="" data-testid="download-xlsx">"Download the figures (Excel)"</a>
        </p>
        {if v.edits {
            let version = version.clone();
            view! {
                <Form action=forms.save attr:data-testid="report-form">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <input type="hidden" name="version" value=version/>
                    <p class="hint">"Pre-filled from the rounds' tagged findings. Quote audit numbers only: no child's name, Child Unique ID or date of birth."</p>
                    {sections.labelled().into_iter().map(|(field, label, text)| {
                        let (text, text2) = (text.to_string(), text.to_string());
                        view! {
                            <div class="form-group">
                                <label class="label label--m" for=field>{label}</label>
                                {error_line(errors, field.to_string())}
                                <textarea class="textarea" id=field name=field rows="8" prop:value=text>{text2}</textarea>
                            </div>
                        }
                    }).collect_view()}
                    <button type="submit" class="button button--secondary" id="save-report">"Save and check again"</button>
                </Form>
            }.into_any()
        } else {
            view! {
                <div data-testid="report-sections">
                    {sections.labelled().into_iter().map(|(_, label, text)| view! {
                        <h2 class="heading-m">{label}</h2>
                        {text_view(text.to_string())}
                    }).collect_view()}
                </div>
            }.into_any()
        }}
        {v.edits.then(|| flags_list(v.flags.clone(), v.outstanding, move |key, reason_id| view! {
            <Form action=forms.clear attr:class="inline-form">
                <input type="hidden" name="id" value=id.to_string()/>
                <input type="hidden" name="key" value=key/>
                <label class="label" for=reason_id.clone()>"Why this may stay"</label>
                {error_line(errors, reason_id.clone())}
                <input class="input" id=reason_id.clone() name="reason"/>
                <button type="submit" class="button button--secondary">"Clear this flag"</button>
            </Form>
        }.into_any()).into_any())}
        {v.finalises.then(|| {
            let version = version.clone();
            let outstanding = v.outstanding;
            view! {
                <section class="panel">
                    <h2 class="heading-m">"Finalise"</h2>
                    <p class="body">"Finalising locks this version and its figures for good. Every section must be written and every disclosure flag resolved."</p>
                    <Form action=forms.finalise attr:data-testid="finalise-form">
                        <input type="hidden" name="id" value=id.to_string()/>
                        <input type="hidden" name="version" value=version/>
                        {error_line(errors, "finalise")}
                        <button type="submit" class="button" id="finalise" disabled={outstanding > 0}>"Finalise the report"</button>
                    </Form>
                </section>
            }.into_any()
        })}
        {v.records_presentation.then(|| view! {
            <Form action=forms.presented attr:data-testid="presented-form" attr:class="no-print">
                <input type="hidden" name="id" value=id.to_string()/>
                <div class="form-group">
                    <label class="label" for="presented_on">"Date presented at the senior management team's practice meeting"</label>
                    {error_line(errors, "presented_on")}
                    <input class="input input--narrow" type="date" id="presented_on" name="presented_on"/>
                </div>
                <button type="submit" class="button button--secondary">"Record the presentation"</button>
            </Form>
        }.into_any())}
        <h2 class="heading-m">"Figures"</h2>
        {v.figures.charts.iter().cloned().map(|chart| view! { <GroupedBars chart/> }).collect_view()}
        <FigureTables tables=v.figures.tables.clone()/>
        {view! { <section class="panel no-print" data-testid="comments">
            <h2 class="heading-m">"Comments"</h2>
            {if v.comments.is_empty() {
                view! { <p class="body">"No comments yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="list comment-list">{v.comments.iter().map(|c| view! {
                        <li><p class="hint">{format!("{} on version {}, {}", c.person, c.version, c.at)}</p>{text_view(c.body.clone())}</li>
                    }).collect_view()}</ul>
                }.into_any()
            }}
            {v.comments_allowed.then(|| view! {
                <Form action=forms.comment attr:data-testid="comment-form">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <div class="form-group">
                        <label class="label" for="comment">"Your comment on this draft"</label>
                        {error_line(errors, "comment")}
                        <textarea class="textarea" id="comment" name="comment" rows="4"></textarea>
                    </div>
                    <button type="submit" class="button button--secondary">"Add comment"</button>
                </Form>
            })}
        </section> }.into_any()}
        {(!v.versions.is_empty()).then(|| view! { <details class="details no-print" data-testid="versions">
            <summary>{format!("Every version ({})", v.versions.len())}</summary>
            {v.versions.iter().map(|ver| view! {
                <section class="version">
                    <h3 class="heading-s">{format!("Version {}: {}", ver.version, ver.saved)}</h3>
                    {ver.sections.labelled().into_iter().map(|(_, label, text)| view! {
                        <h4 class="heading-xs">{label}</h4>
                        {text_view(text.to_string())}
                    }).collect_view()}
                </section>
            }).collect_view()}
        </details> })}
    }
}

/// The report as it prints: A4, no navigation, tables kept whole on a page.
#[component]
pub fn ReportPrintPage() -> impl IntoView {
    let id = id_param();
    let detail = crate::codec::resource(id, |id| async move {
        match id {
            Some(id) => report_detail(id).await,
            None => Err(AppError::NotFound),
        }
    });
    view! {
        <Title text="Summary report: print"/>
        <SignedIn render=move |_me| view! {
            <Suspense fallback=|| view! { <p class="loading">"Loading the report…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(v) => view! {
                            <article class="print-report" data-testid="print-report">
                                <p class="no-print"><a class="back-link" href=format!("/reports/{}", v.id)>"Back to the report"</a>
                                    <crate::ui::PrintButton label="Print or save as PDF".to_string() class="button".to_string()/></p>
                                <h1 class="heading-l">{format!("Case audit summary report: {}", v.period)}</h1>
                                <p class="hint">{match (&v.finalised, v.presented_on) {
                                    (Some(f), Some(on)) => format!("{f}. Presented to the senior management team on {}.", on.format("%-d %B %Y")),
                                    (Some(f), None) => f.clone(),
                                    (None, _) => format!("Draft, version {}: not final.", v.version),
                                }}</p>
                                {v.sections.labelled().into_iter().map(|(_, label, text)| view! {
                                    <section class="print-section">
                                        <h2 class="heading-m">{label}</h2>
                                        {text_view(text.to_string())}
                                    </section>
                                }).collect_view()}
                                <h2 class="heading-m print-break">"Figures"</h2>
                                {v.figures.charts.iter().cloned().map(|chart| view! { <GroupedBars chart/> }).collect_view()}
                                <FigureTables tables=v.figures.tables.clone()/>
                            </article>
                        }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[component]
pub fn NewslettersPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Newsletters.draw(route.clone(), Some(me))/> }
}

pub(crate) fn newsletters_page(
    route: crate::ui::Route,
    me: Option<crate::auth::Me>,
) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let start = FormAction::<StartNewsletter>::new();
    let data = crate::codec::resource(|| (), |_| newsletters_overview());
    let errors = move || form_errors(start.value().get());
    view! {
        <Title text="Newsletter summaries"/>
        <SignedIn render=move |_me| view! {
            <LearningNav current="/newsletters"/>
            <h1 class="heading-l">"Newsletter summaries"</h1>
            <p class="body">"A short summary of audit activity for each issue of the staff newsletter."</p>
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok((list, starts)) => view! {
                            {if list.is_empty() {
                                view! { <p class="body">"No newsletter summary yet."</p> }.into_any()
                            } else {
                                view! {
                                    <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid="newsletters">
                                        <thead><tr><th scope="col">"Issue"</th><th scope="col">"Period"</th><th scope="col">"Status"</th></tr></thead>
                                        <tbody>{list.into_iter().map(|n| view! {
                                            <tr>
                                                <td><a href=format!("/newsletters/{}", n.id)>{n.issue}</a></td>
                                                <td>{n.period}</td>
                                                <td><Tag text=n.status.clone() colour=if n.status == "Draft" { "grey" } else { "green" }/></td>
                                            </tr>
                                        }).collect_view()}</tbody>
                                    </table></div>
                                }.into_any()
                            }}
                            {starts.then(|| view! {
                                <h2 class="heading-m">"Draft a summary"</h2>
                                <Form action=start attr:data-testid="start-newsletter">
                                    <div class="form-group">
                                        <label class="label" for="issue">"Newsletter issue"</label>
                                        <p class="hint">"For example, January 2027"</p>
                                        {error_line(errors, "issue")}
                                        <input class="input" id="issue" name="issue"/>
                                    </div>
                                    <div class="form-group inline">
                                        <label class="label" for="period_from">"From"</label>
                                        {error_line(errors, "period_from")}
                                        <input class="input" type="date" id="period_from" name="period_from"/>
                                    </div>
                                    <div class="form-group inline">
                                        <label class="label" for="period_to">"To"</label>
                                        {error_line(errors, "period_to")}
                                        <input class="input" type="date" id="period_to" name="period_to"/>
                                    </div>
                                    <p><button type="submit" class="button">"Draft the summary"</button></p>
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

#[component]
pub fn NewsletterPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Newsletter.draw(route.clone(), Some(me))/> }
}

pub(crate) fn newsletter_page(
    route: crate::ui::Route,
    me: Option<crate::auth::Me>,
) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let id = id_param();
    let (save, clear, finalise) = (
        FormAction::<SaveNewsletter>::new(),
        FormAction::<ClearNewsletterFlag>::new(),
        FormAction::<FinaliseNewsletter>::new(),
    );
    let last = last_answered(vec![save.version(), clear.version(), finalise.version()]);
    let errors = move || {
        let each = [
            form_errors(save.value().get()),
            form_errors(clear.value().get()),
            form_errors(finalise.value().get()),
        ];
        match last.get() {
            Some(i) => each.into_iter().nth(i).unwrap_or_default(),
            None => each.into_iter().flatten().collect(),
        }
    };
    let detail = crate::codec::resource(
        move || {
            (
                id(),
                save.version().get() + clear.version().get() + finalise.version().get(),
            )
        },
        |(id, _)| async move {
            match id {
                Some(id) => newsletter_detail(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text="Newsletter summary"/>
        <SignedIn render=move |_me| view! {
            <LearningNav current="/newsletters"/>
            <a class="back-link" href="/newsletters">"Newsletter summaries"</a>
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(v) => view! { <Newsletter v save clear finalise errors/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Newsletter(
    v: NewsletterView,
    save: FormAction<SaveNewsletter>,
    clear: FormAction<ClearNewsletterFlag>,
    finalise: FormAction<FinaliseNewsletter>,
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let id = v.id;
    let version = v.version.to_string();
    let copied = RwSignal::new(String::new());
    let (html, text) = (v.html.clone(), v.body.clone());
    let copy = move |what: &'static str, content: String| {
        move |_| {
            #[cfg(feature = "hydrate")]
            {
                let clipboard = window().navigator().clipboard();
                let _ = clipboard.write_text(&content);
                copied.set(format!("Copied as {what}."));
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = (&content, what);
        }
    };
    view! {
        <span class="caption">{format!("Newsletter summary · {}", v.period)}</span>
        <h1 class="heading-l" data-testid="newsletter-title">{v.issue.clone()}</h1>
        <p>{match v.finalised.clone() {
            Some(f) => view! { <Tag text="Final" colour="green"/> " " <span class="hint">{f}</span> }.into_any(),
            None => view! { <Tag text="Draft" colour="grey"/> " " <span class="hint">{format!("Last saved {}", v.updated)}</span> }.into_any(),
        }}</p>
        {if v.edits {
            let (body, body2) = (v.body.clone(), v.body.clone());
            let version2 = version.clone();
            let outstanding = v.outstanding;
            view! {
                <Form action=save attr:data-testid="newsletter-form">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <input type="hidden" name="version" value=version.clone()/>
                    <div class="form-group">
                        <label class="label" for="body">"Summary"</label>
                        <p class="hint">"Plain English. A blank line starts a paragraph; a line starting \u{201c}- \u{201d} is a list item."</p>
                        {error_line(errors, "body")}
                        <textarea class="textarea" id="body" name="body" rows="12" prop:value=body>{body2}</textarea>
                    </div>
                    <button type="submit" class="button button--secondary">"Save and check again"</button>
                </Form>
                {flags_list(v.flags.clone(), outstanding, move |key, reason_id| view! {
                    <Form action=clear attr:class="inline-form">
                        <input type="hidden" name="id" value=id.to_string()/>
                        <input type="hidden" name="key" value=key/>
                        <label class="label" for=reason_id.clone()>"Why this may stay"</label>
                        {error_line(errors, reason_id.clone())}
                        <input class="input" id=reason_id.clone() name="reason"/>
                        <button type="submit" class="button button--secondary">"Clear this flag"</button>
                    </Form>
                }.into_any())}
                <Form action=finalise attr:data-testid="finalise-newsletter">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <input type="hidden" name="version" value=version2/>
                    {error_line(errors, "finalise")}
                    <button type="submit" class="button" id="finalise" disabled={outstanding > 0}>"Keep as final for this issue"</button>
                </Form>
            }.into_any()
        } else {
            ().into_any()
        }}
        <section class="panel" data-testid="newsletter-copy">
            <h2 class="heading-m">"Copy for the newsletter"</h2>
            <div class="newsletter-preview" data-testid="newsletter-preview" inner_html=v.html.clone()></div>
            <p>
                <button type="button" class="button button--secondary" on:click=copy("HTML", html.clone())>"Copy as HTML"</button>" "
                <button type="button" class="button button--secondary" on:click=copy("text", text.clone())>"Copy as text"</button>
                <span class="hint" role="status" aria-live="polite">{move || copied.get()}</span>
            </p>
            <details class="details">
                <summary>"Show the HTML and the text to copy by hand"</summary>
                <label class="label" for="copy-html">"HTML"</label>
                <textarea class="textarea" id="copy-html" rows="6" readonly>{html}</textarea>
                <label class="label" for="copy-text">"Text"</label>
                <textarea class="textarea" id="copy-text" rows="6" readonly>{text}</textarea>
            </details>
        </section>
    }
}
