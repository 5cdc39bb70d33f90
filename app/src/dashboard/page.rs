use super::dashboard;
use crate::domain::dashboard::Panel;
use crate::ui::{ErrorView, SignedIn};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Colours for the series, from the GOV.UK palette; readable on a tablet in daylight.
const COLOURS: [&str; 8] = [
    "#b1b4b6", "#505a5f", "#5694ca", "#1d70b8", "#003078", "#00703c", "#85994b", "#d4351c",
];

/// A stacked bar chart drawn as SVG, with its figures as a table beside it for screen
/// readers (the SVG itself is hidden from them).
#[component]
pub fn Chart(panel: Panel) -> impl IntoView {
    let bar_height = 28.0;
    let label_width = 220.0;
    let width = 560.0;
    let max: usize = panel
        .rows
        .iter()
        .map(|r| {
            r.figures
                .iter()
                .take(panel.series.len().min(7))
                .sum::<usize>()
        })
        .max()
        .unwrap_or(0)
        .max(1);
    // The overdue figure, when there is one, overlaps the states, so it is not stacked.
    let stacked = if panel.series.last().map(String::as_str) == Some("Overdue") {
        panel.series.len() - 1
    } else {
        panel.series.len()
    };
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
                        <li><span class="chart__swatch" style=format!("background:{}", COLOURS[s % COLOURS.len()])></span>{name.clone()}</li>
                    }).collect_view()}
                </ul>
            })}
            <div class="table-wrap">
                <table class="table table--numeric">
                    <caption class="visually-hidden">{format!("{}: figures", panel.title)}</caption>
                    <thead><tr>
                        <th scope="col"></th>
                        {panel.series.iter().map(|s| view! { <th scope="col">{s.clone()}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {panel.rows.iter().map(|r| view! {
                            <tr>
                                <th scope="row">{r.label.clone()}</th>
                                {r.figures.iter().zip(&panel.series).map(|(n, s)| view! { <td data-figure=format!("{}:{}", r.label, s)>{*n}</td> }).collect_view()}
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
    let query = use_query_map();
    let live = crate::auth::use_auth().live;
    let round = move || {
        query
            .read()
            .get("round")
            .and_then(|r| r.parse::<i64>().ok())
    };
    // Refetched as live events arrive.
    let data = Resource::new(move || (round(), live.get()), |(round, _)| dashboard(round));
    view! {
        <Title text="Dashboard"/>
        <SignedIn render=move |_me| view! {
            <h1 class="heading-l">"Audit dashboard"</h1>
            <Transition fallback=|| view! { <p class="loading">"Loading the dashboard…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(view) if view.round_id.is_none() => view! { <p class="body">"No round has been drawn yet."</p> }.into_any(),
                        Ok(view) => view! {
                            <form method="get" class="filters">
                                <div class="form-group form-group--inline">
                                    <label class="label" for="round">"Round"</label>
                                    <select class="select" id="round" name="round">
                                        {view.rounds.iter().map(|(id, label)| view! { <option value=id.to_string() selected=view.round_id == Some(*id)>{label.clone()}</option> }).collect_view()}
                                    </select>
                                </div>
                                <button type="submit" class="button button--secondary">"Show"</button>
                            </form>
                            <p class="hint">{view.scope.clone()}</p>
                            {view.panels.into_iter().map(|panel| view! { <Chart panel/> }).collect_view()}
                        }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Transition>
        }/>
    }
}
