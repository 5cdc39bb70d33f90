//! The home page: what each role needs first.

use crate::auth::Me;
use crate::cases::{list_cases, CaseTable};
use crate::domain::{AnnexList, Role};
use crate::ui::{AuditTable, ErrorView, SignedIn};
use crate::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

/// Open cases per team and Annex A list: the pool the next draw takes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolSummary {
    pub teams: Vec<PoolTeam>,
    /// Per list, in `AnnexList::ALL` order.
    pub totals: Vec<i64>,
    /// Open cases, each counted once even when on several lists.
    pub open_cases: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolTeam {
    /// `None`: the cases whose team is not known yet (List 2 as Ofsted lays it out).
    pub team_id: Option<i64>,
    pub team: String,
    /// Per list, in `AnnexList::ALL` order.
    pub counts: Vec<i64>,
}

/// Folds per-team, per-list counts into a table with a row per team and a totals row.
pub fn pool_table(
    counts: impl IntoIterator<Item = (Option<i64>, String, AnnexList, i64)>,
) -> (Vec<PoolTeam>, Vec<i64>) {
    let column = |list: AnnexList| AnnexList::ALL.iter().position(|l| *l == list).unwrap_or(0);
    let mut teams: Vec<PoolTeam> = Vec::new();
    let mut totals = vec![0; AnnexList::ALL.len()];
    for (team_id, team, list, n) in counts {
        let row = match teams.iter().position(|t| t.team_id == team_id) {
            Some(i) => i,
            None => {
                teams.push(PoolTeam {
                    team_id,
                    team,
                    counts: vec![0; AnnexList::ALL.len()],
                });
                teams.len() - 1
            }
        };
        teams[row].counts[column(list)] += n;
        totals[column(list)] += n;
    }
    (teams, totals)
}

#[server(endpoint = "pool_overview", output = crate::codec::Compact)]
pub async fn pool_overview() -> Result<PoolSummary, AppError> {
    use crate::server::*;
    respond("pool_overview", async move {
        let (store, actor) = signed_in().await?;
        if !actor.roles.sees_every_case() {
            return Err(AppError::Forbidden);
        }
        // Counted once until the next live notice or applied upload (see `ViewCache`): the
        // QA home opens on it.
        let site = use_context::<SiteSettings>().unwrap_or_default();
        let generation = site.events.generation();
        if let Some(summary) = site.views.get::<PoolSummary>("pool", generation) {
            return Ok(std::sync::Arc::unwrap_or_clone(summary));
        }
        let counts = store.pool_counts().await.map_err(failed("pool overview"))?;
        let (teams, totals) = pool_table(counts.into_iter().map(|c| {
            let team = c.team.unwrap_or_else(|| "Team not known".into());
            (c.team_id, team, c.list, c.cases)
        }));
        let open_cases = store
            .open_case_count()
            .await
            .map_err(failed("pool overview"))?;
        let summary = PoolSummary {
            teams,
            totals,
            open_cases,
        };
        site.views.put("pool".into(), generation, summary.clone());
        Ok(summary)
    })
    .await
}

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Home"/>
        <SignedIn render=|me: Me| view! { <Home me/> }/>
    }
}

#[component]
fn Home(me: Me) -> impl IntoView {
    let programme = me.roles.sees_every_case();
    let own_cases = !programme && me.roles.holds_cases();
    let first_name = me
        .display_name
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    let unread = me.unread_alerts;
    view! {
        <h1 class="heading-l">"Welcome, " {first_name}</h1>
        {programme.then(|| view! { <ProgrammePanel/> })}
        {own_cases.then(|| view! { <MyCasesPanel me=me.clone()/> })}
        {(!programme && !own_cases).then(|| crate::pages::Island::Waiting.draw(crate::ui::Route::default(), None))}
        <section class="panel" aria-labelledby="tray-heading" data-testid="tray-panel">
            <h2 class="heading-m" id="tray-heading">"My tray"</h2>
            <p class="body">
                {if unread == 0 {
                    "You have no unread alerts.".to_string()
                } else {
                    format!("You have {unread} unread {}.", if unread == 1 { "alert" } else { "alerts" })
                }}
                " "
                <a href="/tray">"Open my tray"</a>
            </p>
        </section>
    }
}

#[component]
fn ProgrammePanel() -> impl IntoView {
    let summary = crate::codec::resource(|| (), |_| pool_overview());
    view! {
        <section class="panel" aria-labelledby="programme-heading" data-testid="qa-home">
            <h2 class="heading-m" id="programme-heading">"Audit programme"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading the pool…"</p> }>
                {move || Suspend::new(async move {
                    match summary.await {
                        Ok(s) => view! { <PoolTable summary=s/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PoolTable(summary: PoolSummary) -> impl IntoView {
    view! {
        <p class="body" data-testid="open-cases">
            {format!("{} open cases on the Annex A lists that feed audits.", summary.open_cases)}
            " "
            <a href="/cases">"Browse all cases"</a>
        </p>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Table: scroll sideways to see every column">
            <table class="table table--numeric" data-testid="pool-table">
                <caption class="table__caption">"Open cases by team and Annex A list"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Team"</th>
                        {AnnexList::ALL.into_iter().map(|l| view! { <th scope="col">{l.title()}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {summary.teams.into_iter().map(|t| {
                        let href = match t.team_id {
                            Some(id) => format!("/cases?team={id}"),
                            None => "/cases?lead=none".to_string(),
                        };
                        view! {
                            <tr>
                                <th scope="row"><a href=href>{t.team}</a></th>
                                {t.counts.into_iter().map(|n| view! { <td>{n}</td> }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
                <tfoot>
                    <tr>
                        <th scope="row">"Total"</th>
                        {summary.totals.into_iter().map(|n| view! { <td>{n}</td> }).collect_view()}
                    </tr>
                </tfoot>
            </table>
        </div>
    }
}

#[component]
fn MyCasesPanel(me: Me) -> impl IntoView {
    let heading = if me.roles.has(Role::ServiceManager) {
        "Cases in your service"
    } else if me.roles.has(Role::TeamManager) {
        "Cases in your teams"
    } else if me.roles.has(Role::KeyWorker) {
        "My cases"
    } else {
        "Cases you chair"
    };
    let cases = crate::codec::resource(|| (), |_| list_cases(None, None, None, None));
    view! {
        <section class="panel" aria-labelledby="cases-heading" data-testid="my-cases">
            <h2 class="heading-m" id="cases-heading">{heading}</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading your cases…"</p> }>
                {move || Suspend::new(async move {
                    match cases.await {
                        Ok(page) if page.rows.is_empty() => {
                            view! { <p class="body">"You have no open cases."</p> }.into_any()
                        }
                        Ok(page) => view! {
                            <CaseTable rows=page.rows/>
                            {(page.pages > 1).then(|| view! {
                                <p class="body"><a href="/cases?page=2">{format!("See all {} cases", page.total)}</a></p>
                            })}
                        }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// For people who hold no cases (auditors, IROs, directors): the audits waiting on them,
/// kept current as live events arrive.
pub(crate) fn waiting_panel(_route: crate::ui::Route, _me: Option<Me>) -> impl IntoView {
    let live = crate::live::signals().0;
    let mine = crate::codec::resource(move || live.get(), |_| crate::dashboard::my_dashboard());
    view! {
        <section class="panel" aria-labelledby="waiting-heading" data-testid="waiting-panel">
            <h2 class="heading-m" id="waiting-heading">"Waiting on you"</h2>
            <Transition fallback=|| view! { <p class="loading">"Loading the audits waiting on you…"</p> }>
                {move || Suspend::new(async move {
                    match mine.await {
                        Ok(mine) if mine.waiting.is_empty() => view! {
                            <p class="body" data-testid="no-cases">
                                "Nothing is waiting on you. Audits assigned to you will appear here."
                            </p>
                        }.into_any(),
                        Ok(mine) => view! {
                            <AuditTable list=mine.waiting/>
                            <p class="body"><a href="/audits">"All my audits"</a></p>
                        }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_table_folds_counts_by_team_and_list() {
        let (teams, totals) = pool_table(vec![
            (Some(1), "A".to_string(), AnnexList::ChildrenInNeed, 3),
            (Some(1), "A".to_string(), AnnexList::ChildProtection, 2),
            (Some(2), "B".to_string(), AnnexList::LeavingCare, 5),
            (None, "Team not known".to_string(), AnnexList::EarlyHelp, 4),
        ]);
        assert_eq!(teams.len(), 3);
        assert_eq!(teams[0].counts, vec![0, 3, 2, 0, 0]);
        assert_eq!(teams[1].counts, vec![0, 0, 0, 0, 5]);
        assert_eq!((teams[2].team_id, teams[2].counts[0]), (None, 4));
        assert_eq!(totals, vec![4, 3, 2, 0, 5]);
    }

    #[test]
    fn empty_pool_has_zero_totals() {
        let (teams, totals) = pool_table(Vec::new());
        assert!(teams.is_empty());
        assert_eq!(totals, vec![0; 5]);
    }
}
