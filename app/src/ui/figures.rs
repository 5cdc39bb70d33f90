//! Figures for reports and themes: tables of counts and shares, and grouped bar charts
//! drawn as SVG with the same figures in a table for screen readers.

use crate::domain::report::{Figure, FigureChart, FigureTable};
use leptos::prelude::*;

/// Colour-blind-safe (Okabe–Ito), distinct in print and on a tablet in daylight.
pub const COLOURS: [&str; 6] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00",
];

#[component]
pub fn FigureTables(tables: Vec<FigureTable>) -> impl IntoView {
    tables
        .into_iter()
        .map(|t| {
            view! {
                <div class="table-wrap figures">
                    <table class="table table--numeric" data-testid="figure-table">
                        <caption class="table__caption">{t.caption}</caption>
                        <thead><tr>
                            {t.header.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}
                        </tr></thead>
                        <tbody>
                            {t.rows.into_iter().map(|row| {
                                let mut cells = row.into_iter();
                                let first = cells.next().map(|f| f.display()).unwrap_or_default();
                                view! {
                                    <tr>
                                        <th scope="row">{first}</th>
                                        {cells.map(|f| {
                                            let class = match f { Figure::Text(_) => "", _ => "numeric" };
                                            view! { <td class=class>{f.display()}</td> }
                                        }).collect_view()}
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            }
        })
        .collect_view()
}

/// A grouped bar chart; `markers` are (category index, label) drawn as a dashed line
/// before that category's group (a session held that month, say). The SVG is hidden from
/// screen readers, which read the table that follows it.
#[component]
pub fn GroupedBars(
    chart: FigureChart,
    #[prop(optional)] markers: Vec<(usize, String)>,
) -> impl IntoView {
    let percent = chart.percent;
    let (width, height, left, bottom, top) = (640.0, 260.0, 40.0, 60.0, 20.0);
    let groups = chart.categories.len().max(1) as f64;
    let bars = chart.series.len().max(1) as f64;
    let max = if percent {
        100.0
    } else {
        chart
            .series
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .fold(0.0_f64, f64::max)
            .max(1.0)
            .ceil()
    };
    let plot_w = width - left - 10.0;
    let plot_h = height - top - bottom;
    let group_w = plot_w / groups;
    let bar_w = (group_w * 0.8) / bars;
    let y_of = move |v: f64| top + plot_h - (v / max) * plot_h;
    let ticks: Vec<f64> = (0..=4).map(|i| max * i as f64 / 4.0).collect();
    let unit = if percent { "%" } else { "" };
    view! {
        <figure class="chart-figure" data-testid="chart">
            <figcaption class="heading-s">{chart.title.clone()}</figcaption>
            <svg class="chart" viewBox=format!("0 0 {width} {height}") role="img" aria-hidden="true" focusable="false">
                {ticks.iter().map(|t| view! {
                    <g>
                        <line x1=left.to_string() x2=(width - 10.0).to_string() y1=y_of(*t).to_string() y2=y_of(*t).to_string() stroke="#dddddd"/>
                        <text x=(left - 4.0).to_string() y=(y_of(*t) + 4.0).to_string() text-anchor="end" class="chart__label">{format!("{:.0}{unit}", t)}</text>
                    </g>
                }).collect_view()}
                {chart.categories.iter().enumerate().map(|(i, c)| {
                    let x0 = left + i as f64 * group_w + group_w * 0.1;
                    let bars = chart.series.iter().enumerate().map(|(s, (_, values))| {
                        let v = values.get(i).copied().unwrap_or(0.0).max(0.0);
                        let y = y_of(v);
                        view! { <rect x=(x0 + s as f64 * bar_w).to_string() y=y.to_string() width=(bar_w * 0.9).to_string() height=(top + plot_h - y).to_string() fill=COLOURS[s % COLOURS.len()]/> }
                    }).collect_view();
                    let label: String = c.chars().take(14).collect();
                    view! {
                        <g>
                            {bars}
                            <text x=(left + i as f64 * group_w + group_w / 2.0).to_string() y=(top + plot_h + 18.0).to_string() text-anchor="middle" class="chart__label">{label}</text>
                        </g>
                    }
                }).collect_view()}
                {markers.iter().map(|(i, label)| {
                    let x = left + *i as f64 * group_w + 2.0;
                    view! {
                        <g>
                            <line x1=x.to_string() x2=x.to_string() y1=top.to_string() y2=(top + plot_h).to_string() stroke="#0b0c0c" stroke-dasharray="4 3"/>
                            <text x=(x + 3.0).to_string() y=(top + 10.0).to_string() class="chart__label">{label.chars().take(24).collect::<String>()}</text>
                        </g>
                    }
                }).collect_view()}
                <line x1=left.to_string() x2=(width - 10.0).to_string() y1=(top + plot_h).to_string() y2=(top + plot_h).to_string() stroke="#0b0c0c"/>
            </svg>
            <ul class="chart__key" aria-hidden="true">
                {chart.series.iter().enumerate().map(|(s, (name, _))| view! {
                    <li><span class=format!("chart__swatch chart__swatch--{}", s % COLOURS.len())></span>{name.clone()}</li>
                }).collect_view()}
            </ul>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                <table class="table table--numeric">
                    <caption class="visually-hidden">{format!("{}: figures", chart.title)}</caption>
                    <thead><tr>
                        <th scope="col"></th>
                        {chart.series.iter().map(|(name, _)| view! { <th scope="col">{name.clone()}</th> }).collect_view()}
                    </tr></thead>
                    <tbody>
                        {chart.categories.iter().enumerate().map(|(i, c)| view! {
                            <tr>
                                <th scope="row">{c.clone()}</th>
                                {chart.series.iter().map(|(_, v)| view! { <td>{format!("{:.0}{unit}", v.get(i).copied().unwrap_or(0.0))}</td> }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </figure>
    }
}
