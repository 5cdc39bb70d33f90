//! The whole `draw_round` server function, as the QA Manager's browser calls it, over a pool
//! of 20,000 open cases in 10 strata (5 team quotas and 5 list quotas, 10 cases each):
//! reading the eligible pools, drawing, and recording the draw in one transaction.
//! Run with `cargo bench -p server --bench draw_round`. A benchmark: it only reports.

#[path = "support.rs"]
mod support;

use std::time::Instant;

const CASES: usize = 20_000;
const RUNS: usize = 30;

#[tokio::main]
async fn main() {
    let bench = support::Bench::new("draw-round").await;
    let store = bench.store.clone();
    let teams: Vec<(i64, String)> = store.teams().await.unwrap();
    // A large council's pool: replace the demo cases' lists with 20,000 cases.
    // Each allocated to a key worker of its team (an unallocated case is never drawn).
    let workers: Vec<(i64, i64)> = app::on_pool!(store, |pool| sqlx::query_as(
        "SELECT p.team_id, MIN(p.id) FROM people p JOIN person_roles r ON r.person_id = p.id \
         WHERE r.role = 'key_worker' AND p.team_id IS NOT NULL GROUP BY p.team_id",
    )
    .fetch_all(pool)
    .await)
    .unwrap();
    app::on_pool!(store, |pool| {
        let mut tx = pool.begin().await.unwrap();
        let now = chrono::Utc::now();
        for i in 0..CASES {
            let team = teams[i % teams.len()].0;
            let worker = workers.iter().find(|(t, _)| *t == team).map(|(_, p)| *p);
            let list = [2i64, 6, 7, 8, 9][(i / teams.len()) % 5];
            let id: i64 = sqlx::query_scalar(
            "INSERT INTO cases (child_unique_id, subject, team_id, key_worker_id, created_at, updated_at) VALUES ($1, 'child', $2, $4, $3, $3) RETURNING id",
        )
        .bind(format!("BENCH{i:06}"))
        .bind(team)
        .bind(now)
        .bind(worker)
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
    });
    app::on_pool!(store, |pool| sqlx::query("ANALYZE")
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
        .unwrap());

    let cookie = bench.sign_in("qa.manager@anytown.example").await;
    let team_quotas: String = teams
        .iter()
        .take(5)
        .map(|(id, _)| format!("&team_quota%5B{id}%5D=10"))
        .collect();

    let mut times = Vec::new();
    for run in 0..RUNS {
        let month = format!("{}-{:02}", 2030 + run / 12, run % 12 + 1);
        let (status, body, _) = bench
            .post("create_round", format!("month={month}"), Some(&cookie))
            .await;
        assert_eq!(status, 200, "{body}");
        let round_id: i64 = body.trim().parse().unwrap();
        let form = format!("round_id={round_id}&quota_2=10&quota_6=10&quota_7=10&quota_8=10&quota_9=10{team_quotas}");
        let start = Instant::now();
        let (status, body, _) = bench.post("draw_round", form, Some(&cookie)).await;
        times.push(start.elapsed().as_secs_f64() * 1e3);
        assert_eq!(status, 200, "{body}");
    }
    let drawn: i64 = app::on_pool!(store, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM round_cases"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    assert_eq!(drawn as usize, RUNS * 100);
    let (median, p99, max) = support::spread(times);
    println!(
        "draw_round server function, {CASES} cases, 10 strata of 10: median {median:.1} ms, p99 {p99:.1} ms, max {max:.1} ms over {RUNS} runs"
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
        let (pools, _) = store.eligible_pools(&filters, month, 12, 0).await.unwrap();
        reads.push(start.elapsed().as_secs_f64() * 1e3);
        assert_eq!(pools.len(), 10);
    }
    let (median, _, max) = support::spread(reads);
    println!("  of which reading the 10 pools: median {median:.1} ms, max {max:.1} ms");
}
