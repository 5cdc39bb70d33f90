use super::{
    audit_findings, theme_detail, themes_overview, AddTheme, FindingsOfAudit, RetireTheme,
    SaveTheme, TagAudit, ThemeListing,
};
use crate::ui::figures::GroupedBars;
use crate::ui::use_params_map;
use crate::ui::LearningNav;
use crate::ui::{error_line, form_errors, last_answered, ErrorSummary, ErrorView, SignedIn, Tag};
use crate::ui::{Form, FormAction};
use crate::{AppError, FieldError};
use leptos::prelude::*;
use leptos_meta::Title;

fn trend_tag(trend: String) -> impl IntoView {
    let colour = match trend.as_str() {
        "Found more often" => "orange",
        "Found less often" => "green",
        _ => "grey",
    };
    view! { <Tag text=trend colour=colour/> }
}

/// Name, description and related domain, for adding or renaming a theme.
fn theme_fields(
    errors: impl Fn() -> Vec<FieldError> + Copy + Send + Sync + 'static,
    domains: Vec<(String, String)>,
    name: String,
    description: String,
    domain: Option<String>,
) -> impl IntoView {
    view! {
        <div class="form-group">
            <label class="label" for="name">"Name"</label>
            {error_line(errors, "name")}
            <input class="input" id="name" name="name" value=name/>
        </div>
        <div class="form-group">
            <label class="label" for="description">"What it covers (optional)"</label>
            {error_line(errors, "description")}
            <textarea class="textarea" id="description" name="description" rows="3">{description}</textarea>
        </div>
        <div class="form-group">
            <label class="label" for="domain">"The audit form's domain it is about (optional)"</label>
            <p class="hint">"Its grades are charted beside the theme, to see whether later audits improved."</p>
            {error_line(errors, "domain")}
            <select class="select" id="domain" name="domain">
                <option value="">"None"</option>
                {domains.into_iter().map(|(k, t)| {
                    let selected = domain.as_deref() == Some(k.as_str());
                    view! { <option value=k selected=selected>{t}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

#[component]
pub fn ThemesPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Themes.draw(route.clone(), Some(me))/> }
}

pub(crate) fn themes_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let add = FormAction::<AddTheme>::new();
    let data = crate::codec::resource(move || add.version().get(), |_| themes_overview());
    let errors = move || form_errors(add.value().get());
    view! {
        <Title text="Development themes"/>
        <SignedIn render=move |_me| view! {
            <LearningNav current="/themes"/>
            <h1 class="heading-l">"Development themes"</h1>
            <p class="body">"What audits keep finding, tagged by the QA team on each completed audit's strengths, areas for development, actions and feedback."</p>
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Transition fallback=|| view! { <p class="loading">"Loading themes…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(o) => view! {
                            {if o.themes.is_empty() {
                                view! { <p class="body" data-testid="no-themes">"No themes yet."</p> }.into_any()
                            } else {
                                view! { <ThemeTable themes=o.themes/> }.into_any()
                            }}
                            {o.edits.then(|| view! {
                                <h2 class="heading-m">"Add a theme"</h2>
                                <Form action=add attr:data-testid="add-theme">
                                    {theme_fields(errors, o.domains.clone(), String::new(), String::new(), None)}
                                    <button type="submit" class="button">"Add the theme"</button>
                                </Form>
                            })}
                        }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

#[component]
fn ThemeTable(themes: Vec<ThemeListing>) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid="themes">
            <thead><tr>
                <th scope="col">"Theme"</th>
                <th scope="col">"Audits"</th>
                <th scope="col">"Last rounds (audits with it / audits tagged)"</th>
                <th scope="col">"Trend"</th>
            </tr></thead>
            <tbody>{themes.into_iter().map(|t| view! {
                <tr data-testid=format!("theme-{}", t.id)>
                    <td><a href=format!("/themes/{}", t.id)>{t.name.clone()}</a>
                        {t.retired.then(|| view! { " " <Tag text="Retired" colour="grey"/> })}
                        {t.domain.clone().map(|d| view! { <br/><span class="hint">{d}</span> })}</td>
                    <td class="numeric">{t.audits}</td>
                    <td>{t.recent.iter().map(|(m, n, all)| format!("{m}: {n}/{all}")).collect::<Vec<_>>().join(" · ")}</td>
                    <td>{trend_tag(t.trend.clone())}</td>
                </tr>
            }).collect_view()}</tbody>
        </table></div>
    }
}

#[component]
pub fn ThemePage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Theme.draw(route.clone(), Some(me))/> }
}

pub(crate) fn theme_page(route: crate::ui::Route, me: Option<crate::auth::Me>) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let (save, retire) = (
        FormAction::<SaveTheme>::new(),
        FormAction::<RetireTheme>::new(),
    );
    let last = last_answered(vec![save.version(), retire.version()]);
    let errors = move || {
        let each = [
            form_errors(save.value().get()),
            form_errors(retire.value().get()),
        ];
        match last.get() {
            Some(i) => each.into_iter().nth(i).unwrap_or_default(),
            None => each.into_iter().flatten().collect(),
        }
    };
    let detail = crate::codec::resource(
        move || (id(), save.version().get() + retire.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => theme_detail(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text="Theme"/>
        <SignedIn render=move |_me| view! {
            <LearningNav current="/themes"/>
            <a class="back-link" href="/themes">"Development themes"</a>
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Suspense fallback=|| view! { <p class="loading">"Loading the theme…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(v) => {
                            let id = v.listing.id;
                            view! {
                                <span class="caption">"Development theme"</span>
                                <h1 class="heading-l" data-testid="theme-name">{v.listing.name.clone()}</h1>
                                {(!v.listing.description.is_empty()).then(|| view! { <p class="body">{v.listing.description.clone()}</p> })}
                                <p>{trend_tag(v.listing.trend.clone())}" "<span class="hint">{format!("Found in {} audits", v.listing.audits)}</span></p>
                                <GroupedBars chart=v.chart.clone() markers=v.markers.clone()/>
                                <h2 class="heading-m">"Learning and support sessions"</h2>
                                {if v.sessions.is_empty() {
                                    view! { <p class="body">"None yet. Arrange one from the sessions page."</p> }.into_any()
                                } else {
                                    view! {
                                        <ul class="list" data-testid="theme-sessions">{v.sessions.into_iter().map(|s| view! {
                                            <li><a href=format!("/sessions/{}", s.id)>{s.title}</a>" "<span class="hint">{format!("{} · {}", s.kind.label(), s.when)}</span></li>
                                        }).collect_view()}</ul>
                                    }.into_any()
                                }}
                                {v.edits.then(|| view! { <p><a href="/sessions" class="button button--secondary">"Arrange a session"</a></p> })}
                                {v.edits.then(|| view! {
                                    <details class="details">
                                        <summary>"Rename or retire this theme"</summary>
                                        <Form action=save attr:data-testid="save-theme">
                                            <input type="hidden" name="id" value=id.to_string()/>
                                            {theme_fields(errors, v.domains.clone(), v.listing.name.clone(), v.listing.description.clone(),
                                                v.domains.iter().find(|(_, t)| Some(t) == v.listing.domain.as_ref()).map(|(k, _)| k.clone()))}
                                            <button type="submit" class="button button--secondary">"Save the theme"</button>
                                        </Form>
                                        <Form action=retire>
                                            <input type="hidden" name="id" value=id.to_string()/>
                                            <input type="hidden" name="retire" value=(!v.listing.retired).to_string()/>
                                            <button type="submit" class="button button--secondary">{if v.listing.retired { "Bring the theme back" } else { "Retire the theme" }}</button>
                                        </Form>
                                    </details>
                                })}
                            }.into_any()
                        }
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

/// Tagging a locked audit's findings with themes, beside the audit.
#[component]
pub fn AuditThemesPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::AuditThemes.draw(route.clone(), Some(me))/> }
}

pub(crate) fn audit_themes_page(
    route: crate::ui::Route,
    me: Option<crate::auth::Me>,
) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let tag = FormAction::<TagAudit>::new();
    let errors = move || form_errors(tag.value().get());
    let detail = crate::codec::resource(
        move || (id(), tag.version().get()),
        |(id, _)| async move {
            match id {
                Some(id) => audit_findings(id).await,
                None => Err(AppError::NotFound),
            }
        },
    );
    view! {
        <Title text="Themes of an audit"/>
        <SignedIn render=move |_me| view! {
            {move || view! { <ErrorSummary errors=errors()/> }}
            <Suspense fallback=|| view! { <p class="loading">"Loading the findings…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(v) => view! { <Findings v tag/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        }/>
    }
}

#[component]
fn Findings(v: FindingsOfAudit, tag: FormAction<TagAudit>) -> impl IntoView {
    let audit_id = v.audit_id;
    let saved = move || {
        matches!(tag.value().get(), Some(Ok(()))).then(|| {
            view! { <div class="notification" role="status" data-testid="tags-saved">"Themes saved."</div> }
        })
    };
    view! {
        <a class="back-link" href=format!("/audits/{audit_id}/record")>{format!("Audit {audit_id}")}</a>
        <span class="caption">{format!("Audit {audit_id} · {}", v.month)}</span>
        <h1 class="heading-l">"Themes of this audit's findings"</h1>
        <p class="body">"Tags sit beside the audit: the audit itself does not change."</p>
        {saved}
        {if v.themes.is_empty() {
            view! { <p class="body">"There are no themes yet. "<a href="/themes">"Add themes"</a>" first."</p> }.into_any()
        } else if v.findings.is_empty() {
            view! { <p class="body">"This audit has no strengths, areas for development, actions or feedback to tag."</p> }.into_any()
        } else {
            let themes = v.themes.clone();
            view! {
                <Form action=tag attr:data-testid="tag-form">
                    <input type="hidden" name="audit_id" value=audit_id.to_string()/>
                    {v.findings.into_iter().map(|f| {
                        let themes = themes.clone();
                        view! {
                            <fieldset class="fieldset finding" data-testid=format!("finding-{}-{}", f.finding, f.item_id)>
                                <legend class="fieldset__legend fieldset__legend--s">{f.label.clone()}</legend>
                                <blockquote class="quote">{f.text.clone()}</blockquote>
                                <div class="checkboxes--inline">
                                    {themes.into_iter().map(|(t, name)| {
                                        let field = format!("tag-{}-{}-{t}", f.finding, f.item_id);
                                        view! {
                                            <label class="checkbox" for=field.clone()>
                                                <input type="checkbox" id=field.clone() name=format!("tag[{}:{}:{t}]", f.finding, f.item_id) value="on" checked=f.themes.contains(&t)/>
                                                {name}
                                            </label>
                                        }
                                    }).collect_view()}
                                </div>
                            </fieldset>
                        }
                    }).collect_view()}
                    <button type="submit" class="button" id="save-tags">"Save themes"</button>
                </Form>
            }.into_any()
        }}
    }
}
