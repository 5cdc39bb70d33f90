//! The whole `draw_round` server function, as the QA Manager's browser calls it, over a pool
//! of 20,000 open cases in 10 strata (5 team quotas and 5 list quotas, 10 cases each):
//! reading the eligible pools, drawing, and recording the draw in one transaction.
//! Run with `cargo bench -p server --bench draw_round`. A benchmark: it only reports.

use app::server::SiteSettings;
use app::store::Store;
use axum::body::Body;
use axum::http::{header, Request};
use leptos::prelude::LeptosOptions;
use std::time::Instant;
use tower::ServiceExt;

const CASES: usize = 20_000;
const RUNS: usize = 30;

async fn post(
    router: &axum::Router,
    name: &str,
    body: String,
    cookie: Option<&str>,
) -> (u16, String, Option<String>) {
    let mut request = Request::post(format!("/api/{name}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ACCEPT, "application/json");
    if let Some(c) = cookie {
        request = request.header(header::COOKIE, c);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let cookie = response
        .headers()
        .get(header::SET_COOKIE)
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_string());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned(), cookie)
}

#[tokio::main]
async fn main() {
    let dir = std::env::temp_dir().join(format!("practice-audit-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.join("bench.db").display()))
        .await
        .unwrap();
    server::seed_demo_if_empty(&store).await.unwrap();
    let teams: Vec<(i64, String)> = store.teams().await.unwrap();
    // A large council's pool: replace the demo cases' lists with 20,000 cases.
    let mut tx = store.pool().begin().await.unwrap();
    let now = chrono::Utc::now();
    for i in 0..CASES {
        let team = teams[i % teams.len()].0;
        let list = [2i64, 6, 7, 8, 9][(i / teams.len()) % 5];
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO cases (child_unique_id, subject, team_id, created_at, updated_at) VALUES ($1, 'child', $2, $3, $3) RETURNING id",
        )
        .bind(format!("BENCH{i:06}"))
        .bind(team)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        sqlx::query("INSERT INTO case_lists (case_id, annex_list) VALUES ($1, $2)")
            .bind(id)
            .bind(list)
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    sqlx::query("ANALYZE").execute(store.pool()).await.unwrap();

    let leptos = LeptosOptions::builder()
        .output_name("practice-audit")
        .build();
    let router = server::router(store.clone(), leptos, SiteSettings::default());
    let (status, body, cookie) = post(
        &router,
        "sign_in",
        format!(
            "email=qa.manager%40anytown.example&password={}",
            app::demo::DEMO_PASSWORD
        ),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let cookie = cookie.expect("session cookie");
    let team_quotas: String = teams
        .iter()
        .take(5)
        .map(|(id, _)| format!("&team_quota%5B{id}%5D=10"))
        .collect();

    let mut times = Vec::new();
    for run in 0..RUNS {
        let month = format!("{}-{:02}", 2030 + run / 12, run % 12 + 1);
        let (status, body, _) = post(
            &router,
            "create_round",
            format!("month={month}"),
            Some(&cookie),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        let round_id: i64 = body.trim().parse().unwrap();
        let form = format!("round_id={round_id}&quota_2=10&quota_6=10&quota_7=10&quota_8=10&quota_9=10{team_quotas}");
        let start = Instant::now();
        let (status, body, _) = post(&router, "draw_round", form, Some(&cookie)).await;
        times.push(start.elapsed().as_secs_f64() * 1e3);
        assert_eq!(status, 200, "{body}");
    }
    let drawn: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM round_cases")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(drawn as usize, RUNS * 100);
    times.sort_by(f64::total_cmp);
    println!(
        "draw_round server function, {CASES} cases, 10 strata of 10: median {:.1} ms, p99 {:.1} ms, max {:.1} ms over {RUNS} runs",
        times[RUNS / 2],
        times[RUNS * 99 / 100],
        times[RUNS - 1]
    );
    // Where the time goes: the pool read on its own.
    use app::store::PoolFilter;
    let filters: Vec<PoolFilter> = teams
        .iter()
        .take(5)
        .map(|(id, _)| PoolFilter::Team(*id))
        .chain(
            app::domain::AnnexList::ALL
                .into_iter()
                .map(PoolFilter::List),
        )
        .collect();
    let month = app::domain::calendar::AuditMonth::parse("2040-01").unwrap();
    let mut reads: Vec<f64> = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let pools = store.eligible_pools(&filters, month, 12, 0).await.unwrap();
        reads.push(start.elapsed().as_secs_f64() * 1e3);
        assert_eq!(pools.len(), 10);
    }
    reads.sort_by(f64::total_cmp);
    println!(
        "  of which reading the 10 pools: median {:.1} ms, max {:.1} ms",
        reads[RUNS / 2],
        reads[RUNS - 1]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
