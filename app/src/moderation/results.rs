//! Moderation results: the share moderated, agreement overall and per domain, the direction
//! of changes and the weighted kappa, over one round or a range; per auditor for the QA
//! Manager alone. Team and Service Managers see their own teams' audits only.

use crate::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Agreement of one grade (the overall grade, or a domain).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementLine {
    pub label: String,
    pub pairs: usize,
    pub agreed: usize,
    /// "75 %", or "–" with no pairs.
    pub share: String,
    /// The weighted kappa in plain English, or "not enough audits".
    pub kappa: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundLine {
    pub month: String,
    pub completed: usize,
    pub moderated: usize,
    pub agreed: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultsView {
    /// Audit months with completed audits, oldest first: (`YYYY-MM`, label).
    pub months: Vec<(String, String)>,
    pub from: String,
    pub to: String,
    pub scope: String,
    pub completed: usize,
    pub moderated: usize,
    pub moderated_share: String,
    pub overall: AgreementLine,
    pub domains: Vec<AgreementLine>,
    /// Auditor's overall grade (rows) against the moderated grade (columns), in Ofsted's
    /// order.
    pub table: [[usize; 4]; 4],
    pub up: usize,
    pub down: usize,
    pub same: usize,
    pub rounds: Vec<RoundLine>,
    /// The QA Manager's alone.
    pub auditors: Option<Vec<AgreementLine>>,
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use super::*;
    use crate::domain::agreement;
    use crate::domain::audit::{Grade, TemplateDomain, OVERALL};
    use crate::domain::{Actor, Role};
    use crate::server::failed;
    use crate::store::Store;

    pub fn line(label: String, pairs: &[(Grade, Grade)]) -> AgreementLine {
        let agreed = pairs.iter().filter(|(a, b)| a == b).count();
        AgreementLine {
            label,
            pairs: pairs.len(),
            agreed,
            share: percent(agreed, pairs.len()),
            kappa: agreement::kappa(&as_pairs(pairs)).describe(),
        }
    }

    fn as_pairs(pairs: &[(Grade, Grade)]) -> Vec<agreement::Pair> {
        pairs
            .iter()
            .map(|(original, moderated)| agreement::Pair {
                original: *original,
                moderated: *moderated,
            })
            .collect()
    }

    pub fn percent(n: usize, of: usize) -> String {
        if of == 0 {
            "–".into()
        } else {
            format!("{:.0} %", 100.0 * n as f64 / of as f64)
        }
    }

    /// Which teams' audits count: `None` every team.
    pub async fn scope(store: &Store, actor: &Actor) -> Result<Option<Vec<i64>>, AppError> {
        if actor.roles.sees_every_case() {
            Ok(None)
        } else if actor.roles.any(&[Role::TeamManager, Role::ServiceManager]) {
            Ok(Some(
                store
                    .managed_teams(actor.person_id)
                    .await
                    .map_err(failed("read managed teams"))?,
            ))
        } else {
            Err(AppError::Forbidden)
        }
    }

    pub async fn results(
        store: &Store,
        actor: &Actor,
        from: Option<String>,
        to: Option<String>,
    ) -> Result<ResultsView, AppError> {
        let teams = scope(store, actor).await?;
        let in_scope = |team: i64| teams.as_ref().is_none_or(|t| t.contains(&team));
        let shares = store
            .moderated_share()
            .await
            .map_err(failed("count moderated audits"))?;
        let mut months: Vec<(String, String)> = Vec::new();
        for s in &shares {
            if !months.iter().any(|(m, _)| *m == s.audit_month) {
                months.push((
                    s.audit_month.clone(),
                    super::super::month_label(&s.audit_month),
                ));
            }
        }
        let pick = |v: Option<String>, default: Option<&(String, String)>| {
            v.filter(|m| months.iter().any(|(k, _)| k == m))
                .or_else(|| default.map(|(k, _)| k.clone()))
                .unwrap_or_default()
        };
        let from = pick(from, months.first());
        let to = pick(to, months.last());
        let (from, to) = if from > to { (to, from) } else { (from, to) };
        let in_range = |m: &str| m >= from.as_str() && m <= to.as_str();
        let pairs: Vec<_> = store
            .grade_pairs()
            .await
            .map_err(failed("read moderated grades"))?
            .into_iter()
            .filter(|p| in_scope(p.team_id) && in_range(&p.audit_month))
            .collect();
        let overall: Vec<(Grade, Grade)> = pairs
            .iter()
            .filter(|p| p.domain_key == OVERALL)
            .map(|p| (p.original.0, p.moderated.0))
            .collect();
        let (_, domains_json) = store
            .current_template()
            .await
            .map_err(failed("read the audit form"))?;
        let domains: Vec<TemplateDomain> =
            serde_json::from_str(&domains_json).map_err(failed("read the audit form"))?;
        let mut keys: Vec<String> = domains.iter().map(|d| d.key.clone()).collect();
        for p in &pairs {
            if p.domain_key != OVERALL && !keys.contains(&p.domain_key) {
                keys.push(p.domain_key.clone());
            }
        }
        let domain_lines = keys
            .iter()
            .map(|k| {
                let title = domains
                    .iter()
                    .find(|d| d.key == *k)
                    .map(|d| d.title.clone())
                    .unwrap_or_else(|| k.clone());
                let of: Vec<(Grade, Grade)> = pairs
                    .iter()
                    .filter(|p| p.domain_key == *k)
                    .map(|p| (p.original.0, p.moderated.0))
                    .collect();
                line(title, &of)
            })
            .filter(|l| l.pairs > 0)
            .collect();
        let table = agreement::table(&as_pairs(&overall));
        let direction = agreement::changes(&as_pairs(&overall));
        let mut rounds: Vec<RoundLine> = Vec::new();
        let (mut completed, mut moderated) = (0, 0);
        for s in shares
            .iter()
            .filter(|s| in_scope(s.team_id) && in_range(&s.audit_month))
        {
            let c = usize::try_from(s.completed).unwrap_or(0);
            let m = usize::try_from(s.moderated).unwrap_or(0);
            completed += c;
            moderated += m;
            let label = super::super::month_label(&s.audit_month);
            match rounds.iter_mut().find(|r| r.month == label) {
                Some(r) => {
                    r.completed += c;
                    r.moderated += m;
                }
                None => rounds.push(RoundLine {
                    month: label,
                    completed: c,
                    moderated: m,
                    agreed: 0,
                }),
            }
        }
        for p in pairs
            .iter()
            .filter(|p| p.domain_key == OVERALL && p.original == p.moderated)
        {
            let label = super::super::month_label(&p.audit_month);
            if let Some(r) = rounds.iter_mut().find(|r| r.month == label) {
                r.agreed += 1;
            }
        }
        let auditors = actor.roles.has(Role::QaManager).then(|| {
            let mut names: Vec<(i64, String)> = Vec::new();
            for p in pairs.iter().filter(|p| p.domain_key == OVERALL) {
                if !names.iter().any(|(id, _)| *id == p.auditor_id) {
                    names.push((p.auditor_id, p.auditor.clone()));
                }
            }
            names.sort_by(|a, b| a.1.cmp(&b.1));
            names
                .into_iter()
                .map(|(id, name)| {
                    let of: Vec<(Grade, Grade)> = pairs
                        .iter()
                        .filter(|p| p.domain_key == OVERALL && p.auditor_id == id)
                        .map(|p| (p.original.0, p.moderated.0))
                        .collect();
                    line(name, &of)
                })
                .collect()
        });
        Ok(ResultsView {
            months,
            scope: if teams.is_some() {
                "Audits of the teams you manage".into()
            } else {
                "Every team".into()
            },
            moderated_share: percent(moderated, completed),
            completed,
            moderated,
            overall: line("Overall grade".into(), &overall),
            domains: domain_lines,
            table,
            up: direction.up,
            down: direction.down,
            same: direction.same,
            rounds,
            auditors,
            from,
            to,
        })
    }

    /// The results as CSV: one row per figure, so a spreadsheet can chart them.
    pub fn csv(v: &ResultsView) -> String {
        let q = |s: &str| {
            if s.contains([',', '"', '\n']) {
                format!("\"{}\"", s.replace('"', "\"\""))
            } else {
                s.to_string()
            }
        };
        let mut out = String::from("section,label,pairs,agreed,agreement,weighted kappa\r\n");
        let mut row = |section: &str, l: &AgreementLine| {
            out.push_str(&format!(
                "{},{},{},{},{},{}\r\n",
                q(section),
                q(&l.label),
                l.pairs,
                l.agreed,
                q(&l.share),
                q(&l.kappa)
            ));
        };
        row("overall", &v.overall);
        for d in &v.domains {
            row("domain", d);
        }
        for a in v.auditors.iter().flatten() {
            row("auditor", a);
        }
        out.push_str("\r\nround,completed,moderated,agreed overall\r\n");
        for r in &v.rounds {
            out.push_str(&format!(
                "{},{},{},{}\r\n",
                q(&r.month),
                r.completed,
                r.moderated,
                r.agreed
            ));
        }
        out.push_str("\r\nauditor's grade \\ moderated grade");
        for g in Grade::ALL {
            out.push_str(&format!(",{}", q(g.label())));
        }
        out.push_str("\r\n");
        for (i, g) in Grade::ALL.iter().enumerate() {
            out.push_str(&q(g.label()));
            for n in v.table[i] {
                out.push_str(&format!(",{n}"));
            }
            out.push_str("\r\n");
        }
        out
    }
}

#[server(endpoint = "moderation_results", output = crate::codec::Compact)]
pub async fn moderation_results(
    from: Option<String>,
    to: Option<String>,
) -> Result<ResultsView, AppError> {
    use crate::server::*;
    respond("moderation_results", async move {
        let (store, actor) = signed_in().await?;
        ssr::results(&store, &actor, from, to).await
    })
    .await
}

/// `/moderation/results.csv?from=…&to=…`, under the same need-to-know as the page.
#[cfg(feature = "ssr")]
pub async fn results_csv(
    axum::extract::State(crate::server::AppState { store, site }): axum::extract::State<
        crate::server::AppState,
    >,
    axum::extract::Query(q): axum::extract::Query<std::collections::HashMap<String, String>>,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::http::{header, StatusCode};
    use axum::response::IntoResponse;
    let person = match crate::server::person_from_headers(&store, site.sessions, &headers).await {
        Ok(Some(p)) => p,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    match ssr::results(
        &store,
        &person.actor,
        q.get("from").cloned(),
        q.get("to").cloned(),
    )
    .await
    {
        Ok(view) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"moderation-results.csv\"",
                ),
                (header::CACHE_CONTROL, "no-store"),
            ],
            ssr::csv(&view),
        )
            .into_response(),
        Err(e) => StatusCode::from_u16(e.status())
            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
            .into_response(),
    }
}

pub use page::ModerationResultsPage;

mod page {
    use super::{moderation_results, ResultsView};
    use crate::domain::audit::Grade;
    use crate::ui::{ErrorView, SignedIn};
    use leptos::prelude::*;
    use leptos_meta::Title;
    use leptos_router::hooks::use_query_map;

    #[component]
    pub fn ModerationResultsPage() -> impl IntoView {
        let query = use_query_map();
        let results = crate::codec::resource(
            move || {
                let q = query.read();
                (q.get("from"), q.get("to"))
            },
            |(from, to)| moderation_results(from, to),
        );
        view! {
            <Title text="Moderation results"/>
            <SignedIn render=move |_me| view! {
                <a class="back-link" href="/moderation">"Moderation"</a>
                <h1 class="heading-l">"Moderation results"</h1>
                <Transition fallback=|| view! { <p class="loading">"Counting…"</p> }>
                    {move || Suspend::new(async move {
                        match results.await {
                            Ok(v) => view! { <Results v/> }.into_any(),
                            Err(error) => view! { <ErrorView error/> }.into_any(),
                        }
                    })}
                </Transition>
            }/>
        }
    }

    /// A bar per line, its width the agreement share; the table beside it is what screen
    /// readers get.
    fn bars(lines: &[super::AgreementLine]) -> impl IntoView {
        // Long domain titles are shortened on the chart; the table beside it has them whole.
        let short = |l: &str| match l.char_indices().nth(36) {
            Some((i, _)) => format!("{}…", &l[..i]),
            None => l.to_string(),
        };
        let height = 28.0 * lines.len() as f64 + 10.0;
        view! {
            <svg class="chart" viewBox=format!("0 0 600 {height}") role="img" aria-hidden="true" focusable="false">
                {lines.iter().enumerate().map(|(i, l)| {
                    let y = i as f64 * 28.0 + 5.0;
                    let w = if l.pairs == 0 { 0.0 } else { 260.0 * l.agreed as f64 / l.pairs as f64 };
                    view! {
                        <g>
                            <text x="0" y=(y + 17.0).to_string() class="chart__label">{short(&l.label)}</text>
                            <rect x="330" y=y.to_string() width="260" height="22" fill="#f3f2f1"/>
                            <rect x="330" y=y.to_string() width=w.to_string() height="22" fill="#00703c"/>
                        </g>
                    }
                }).collect_view()}
            </svg>
        }
    }

    fn table(
        caption: &'static str,
        lines: Vec<super::AgreementLine>,
        testid: &'static str,
    ) -> impl IntoView {
        view! {
            <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                <table class="table" data-testid=testid>
                    <caption class="table__caption">{caption}</caption>
                    <thead><tr><th scope="col"></th><th scope="col">"Moderated"</th><th scope="col">"Agreed"</th><th scope="col">"Agreement"</th><th scope="col">"Weighted kappa"</th></tr></thead>
                    <tbody>
                        {lines.into_iter().map(|l| view! {
                            <tr><th scope="row">{l.label}</th><td>{l.pairs}</td><td>{l.agreed}</td><td>{l.share}</td><td>{l.kappa}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
    }

    #[component]
    fn Results(v: ResultsView) -> impl IntoView {
        let csv = format!("/moderation/results.csv?from={}&to={}", v.from, v.to);
        let months = v.months.clone();
        let months2 = v.months.clone();
        let (from, to) = (v.from.clone(), v.to.clone());
        let mut lines = vec![v.overall.clone()];
        lines.extend(v.domains.clone());
        view! {
            <p class="body">{v.scope.clone()}</p>
            <form method="get" action="/moderation/results" class="filters">
                <div class="form-group inline">
                    <label class="label" for="from">"From"</label>
                    <select class="select" id="from" name="from">
                        {months.into_iter().map(|(k, l)| { let sel = k == from; view! { <option value=k selected=sel>{l}</option> } }).collect_view()}
                    </select>
                </div>
                <div class="form-group inline">
                    <label class="label" for="to">"To"</label>
                    <select class="select" id="to" name="to">
                        {months2.into_iter().map(|(k, l)| { let sel = k == to; view! { <option value=k selected=sel>{l}</option> } }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button button--secondary">"Show"</button>
            </form>
            <p><a href=csv download="moderation-results.csv" class="button button--secondary">"Download as CSV"</a></p>
            <dl class="summary-list" data-testid="results-summary">
                <div class="summary-list__row"><dt class="summary-list__key">"Completed audits"</dt><dd class="summary-list__value">{v.completed}</dd></div>
                <div class="summary-list__row"><dt class="summary-list__key">"Moderated"</dt><dd class="summary-list__value" data-testid="moderated-share">{format!("{} ({})", v.moderated, v.moderated_share)}</dd></div>
                <div class="summary-list__row"><dt class="summary-list__key">"Overall grade agreed"</dt><dd class="summary-list__value" data-testid="overall-agreement">{format!("{} of {} ({})", v.overall.agreed, v.overall.pairs, v.overall.share)}</dd></div>
                <div class="summary-list__row"><dt class="summary-list__key">"Weighted kappa (quadratic), overall grade"</dt><dd class="summary-list__value" data-testid="kappa">{v.overall.kappa.clone()}</dd></div>
                <div class="summary-list__row"><dt class="summary-list__key">"Changes"</dt><dd class="summary-list__value">{format!("{} graded up, {} graded down, {} unchanged", v.up, v.down, v.same)}</dd></div>
            </dl>
            <section class="panel">
                <h2 class="heading-m">"Agreement by grade"</h2>
                {bars(&lines)}
                {table("Agreement of the overall grade and each domain", lines, "agreement-table")}
            </section>
            <section class="panel">
                <h2 class="heading-m">"Direction of changes"</h2>
                <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                    <table class="table table--numeric" data-testid="direction-table">
                        <caption class="table__caption">"Auditor's overall grade (rows) against the moderated grade (columns)"</caption>
                        <thead><tr><th scope="col">"Auditor \\ moderated"</th>{Grade::ALL.iter().map(|g| view! { <th scope="col">{g.label()}</th> }).collect_view()}</tr></thead>
                        <tbody>
                            {Grade::ALL.iter().enumerate().map(|(i, g)| view! {
                                <tr><th scope="row">{g.label()}</th>{v.table[i].iter().map(|n| view! { <td>{*n}</td> }).collect_view()}</tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
            <section class="panel">
                <h2 class="heading-m">"By round"</h2>
                <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
                    <table class="table table--numeric" data-testid="round-table">
                        <caption class="visually-hidden">"Moderation by round"</caption>
                        <thead><tr><th scope="col">"Round"</th><th scope="col">"Completed"</th><th scope="col">"Moderated"</th><th scope="col">"Overall grade agreed"</th></tr></thead>
                        <tbody>
                            {v.rounds.iter().map(|r| view! {
                                <tr><th scope="row">{r.month.clone()}</th><td>{r.completed}</td><td>{r.moderated}</td><td>{r.agreed}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </section>
            {v.auditors.clone().map(|a| view! {
                <section class="panel" data-testid="auditor-agreement">
                    <h2 class="heading-m">"By auditor"</h2>
                    <p class="hint">"Only the QA Manager sees this, to target support."</p>
                    {table("Agreement of each auditor's overall grades", a, "auditor-table")}
                </section>
            })}
        }
    }
}
