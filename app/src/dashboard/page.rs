use super::{dashboard_figures, dashboard_list, my_dashboard, FigureList};
use crate::domain::dashboard::{ListKind, Panel};
use crate::ui::use_query_map;
use crate::ui::{deadline_tag, state_tag, AuditTable};
use crate::ui::{ErrorView, SignedIn, Tag};
use leptos::prelude::*;
use leptos_meta::Title;

/// Colours for the series, from the GOV.UK palette; readable on a tablet in daylight.
const COLOURS: [&str; 8] = [
    "#b1b4b6", "#505a5f", "#5694ca", "#1d70b8", "#003078", "#00703c", "#85994b", "#d4351c",
];

/// A stacked bar chart drawn as SVG, with its figures as a table beside it for screen
/// readers (the SVG itself is hidden from them). With a `round`, each figure in the table
/// links to the list behind it.
#[component]
pub fn Chart(panel: Panel, #[prop(optional)] round: Option<i64>) -> impl IntoView {
    let bar_height = 28.0;
    let label_width = 220.0;
    let width = 560.0;
    let stacked = panel.stacked.min(panel.series.len());
    let max: usize = panel
        .rows
        .iter()
        .map(|r| r.figures.iter().take(stacked).sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let height = bar_height * panel.rows.len() as f64 + 10.0;
    let scale = (width - label_width) / max as f64;
    view! {
        <section class="panel" data-testid="dashboard-panel">
            <h2 class="heading-m">{panel.title.clone()}</h2>
            {(!panel.rows.is_empty()).then(|| view! {
                <svg class="chart" viewBox=format!("0 0 {width} {height}") role="img" aria-hidden="true" focusable="false">
                    {panel.rows.iter().enumerate().map(|(i, row)| {
                        let y = i as f64 * bar_height + 5.0;
                        let mut x = label_width;
                        let segments = row.figures.iter().take(stacked).enumerate().filter(|(_, n)| **n > 0).map(|(s, n)| {
                            let w = *n as f64 * scale;
                            let seg = view! { <rect x=x.to_string() y=y.to_string() width=w.to_string() height=(bar_height - 6.0).to_string() fill=COLOURS[s % COLOURS.len()]/> };
                            x += w;
                            seg
                        }).collect_view();
                        view! {
                            <g>
                                <text x="0" y=(y + bar_height * 0.6).to_string() class="chart__label">{row.label.clone()}</text>
                                {segments}
                            </g>
                        }
                    }).collect_view()}
                </svg>
                <ul class="chart__key" aria-hidden="true">
                    {panel.series.iter().take(stacked).enumerate().map(|(s, name)| view! {
                        <li><span class=format!("chart__swatch chart__swatch--dash-{}", s % COLOURS.len())></span>{name.clone()}</li>
                    }).collect_view()}
                </ul>
            })}
            <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                <table class="table table--numeric">
                    <caption class="visually-hidden">{format!("{}: figures", panel.title)}</caption>
                    <thead><tr>
                        <th scope="col"></th>
                        {panel.series.iter().map(|s| view! { <th scope="col">{s.clone()}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {panel.rows.iter().enumerate().map(|(i, r)| view! {
                            <tr>
                                <th scope="row">{r.label.clone()}</th>
                                {r.figures.iter().zip(&panel.series).enumerate().map(|(s, (n, name))| {
                                    let link = round
                                        .filter(|_| *n > 0)
                                        .and_then(|round| panel.figure_query(round, i, s))
                                        .map(|q| format!("/dashboard/list?{}", q.to_query()));
                                    let figure = *n;
                                    view! {
                                        <td data-figure=format!("{}:{}", r.label, name)>
                                            {match link {
                                                Some(href) => view! { <a href=href aria-label=format!("{figure}: {}, {name}", r.label)>{figure}</a> }.into_any(),
                                                None => view! { {figure} }.into_any(),
                                            }}
                                        </td>
                                    }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::Dashboard.draw(route.clone(), Some(me))/> }
}

pub(crate) fn dashboard_page(
    route: crate::ui::Route,
    me: Option<crate::auth::Me>,
) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let query = use_query_map();
    let live = crate::live::signals().0;
    let round = move || {
        query
            .read()
            .get("round")
            .and_then(|r| r.parse::<i64>().ok())
    };
    // Both refetched as live events arrive; unchanged figures come back as `304`.
    // Kept as ready JSON on the server (`dashboard_figures`), so carried as JSON.
    let figures = Resource::new(
        move || (round(), live.get()),
        |(round, _)| dashboard_figures(round),
    );
    let mine = crate::codec::resource(move || live.get(), |_| my_dashboard());
    view! {
        <Title text="Dashboard"/>
        <SignedIn render=move |_me| view! {
            <h1 class="heading-l">"Dashboard"</h1>
            <Transition fallback=|| view! { <p class="loading">"Loading the dashboard…"</p> }>
                {move || Suspend::new(async move {
                    match (figures.await, mine.await) {
                        (Ok(view), Ok(mine)) => view! {
                            {(view.scope.is_none() || mine.personal.is_some() || !mine.waiting.is_empty()).then(|| view! {
                                <section data-testid="personal">
                                    <h2 class="heading-m">"Waiting on you"</h2>
                                    {if mine.waiting.is_empty() {
                                        view! { <p class="body" data-testid="nothing-waiting">"Nothing is waiting on you."</p> }.into_any()
                                    } else {
                                        view! { <AuditTable list=mine.waiting.clone()/> }.into_any()
                                    }}
                                    {mine.personal.clone().map(|panel| view! { <Chart panel/> })}
                                </section>
                            })}
                            {view.scope.clone().map(|scope| match view.round_id {
                                None => view! { <p class="body">"No round has been drawn yet."</p> }.into_any(),
                                Some(round) => view! {
                                    <h2 class="heading-m">"Audit rounds"</h2>
                                    <form method="get" class="filters">
                                        <div class="form-group form-group--inline">
                                            <label class="label" for="round">"Round"</label>
                                            <select class="select" id="round" name="round">
                                                {view.rounds.iter().map(|(id, label)| view! { <option value=id.to_string() selected=round == *id>{label.clone()}</option> }).collect_view()}
                                            </select>
                                        </div>
                                        <button type="submit" class="button button--secondary">"Show"</button>
                                    </form>
                                    <p class="hint">{scope}" · Select a figure to see the list behind it."</p>
                                    {view.panels.clone().into_iter().map(|panel| view! { <Chart panel round/> }).collect_view()}
                                }.into_any(),
                            })}
                        }.into_any(),
                        (Err(error), _) | (_, Err(error)) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

/// The list behind a dashboard figure, at `/dashboard/list?round=…&list=…&…`.
#[component]
pub fn DashboardListPage() -> impl IntoView {
    let route = crate::ui::Route::here();
    view! { <crate::ui::SignedIn render=move |me| crate::pages::Island::DashboardList.draw(route.clone(), Some(me))/> }
}

pub(crate) fn dashboard_list_page(
    route: crate::ui::Route,
    me: Option<crate::auth::Me>,
) -> impl IntoView {
    crate::ui::enter_island(route, me);
    let search = crate::ui::use_route().search();
    let live = crate::live::signals().0;
    let data = crate::codec::resource(
        move || (search.clone(), live.get()),
        |(search, _)| dashboard_list(search),
    );
    view! {
        <Title text="Dashboard list"/>
        <SignedIn render=move |_me| view! {
            <Transition fallback=|| view! { <p class="loading">"Loading the list…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(list) => view! { <ListView list/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}

#[component]
fn ListView(list: FigureList) -> impl IntoView {
    let count = match list.kind {
        ListKind::Audits => list.audits.len(),
        ListKind::Actions => list.actions.len(),
    };
    view! {
        <a class="back-link" href=format!("/dashboard?round={}", list.round_id)>"Back to the dashboard"</a>
        <span class="caption">{list.round.clone()}</span>
        <h1 class="heading-l" data-testid="list-description">{list.description.clone()}</h1>
        <p class="body" data-testid="list-count">{format!("{count} in this list")}</p>
        {match list.kind {
            ListKind::Audits => view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid="dashboard-list">
                    <thead><tr>
                        <th scope="col">"Case"</th>
                        <th scope="col">"Team"</th>
                        <th scope="col">"Auditor"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col">"Overall grade"</th>
                    </tr></thead>
                    <tbody>
                        {list.audits.into_iter().map(|a| view! {
                            <tr>
                                <td>{match a.audit_id.filter(|_| a.opens) {
                                    Some(id) => view! { <a href=format!("/audits/{id}")>{a.child_unique_id.clone()}</a> }.into_any(),
                                    None => view! { <a href=format!("/cases/{}", a.case_id)>{a.child_unique_id.clone()}</a> }.into_any(),
                                }}</td>
                                <td>{a.team}</td>
                                <td>{a.auditor.unwrap_or_else(|| "Not assigned".into())}</td>
                                <td>{state_tag(a.state)} " " {deadline_tag(a.deadline)}</td>
                                <td>{a.overall.map(|g| g.label())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            }.into_any(),
            ListKind::Actions => view! {
                <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column"><table class="table" data-testid="dashboard-list">
                    <thead><tr>
                        <th scope="col">"Case"</th>
                        <th scope="col">"Team"</th>
                        <th scope="col">"Required action"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col">"Due"</th>
                    </tr></thead>
                    <tbody>
                        {list.actions.into_iter().map(|a| view! {
                            <tr>
                                <td>{if a.opens {
                                    view! { <a href=format!("/audits/{}", a.audit_id)>{a.child_unique_id.clone()}</a> }.into_any()
                                } else {
                                    view! { {a.child_unique_id.clone()} }.into_any()
                                }}</td>
                                <td>{a.team}</td>
                                <td>{a.action}</td>
                                <td>{a.owner}</td>
                                <td>
                                    {a.due_on.format("%-d %B %Y").to_string()} " "
                                    {if a.open { deadline_tag(a.deadline).into_any() } else { view! { <Tag text="Done" colour="green"/> }.into_any() }}
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table></div>
            }.into_any(),
        }}
    }
}
