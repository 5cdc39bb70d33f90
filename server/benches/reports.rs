//! The summary report and documents at a large council's scale: ten years of monthly
//! rounds (100,000 audits over 20,000 cases), then the report of the newest completed
//! round and of its year, its Word and Excel downloads, and one filed audit as Word and PDF.
//! Run with `cargo bench -p server --bench reports`. A benchmark: it only reports.

#[path = "support.rs"]
mod support;

use app::store::ScaleSpec;
use std::time::Instant;

const RUNS: usize = 20;
const SPEC: ScaleSpec = ScaleSpec {
    cases: 20_000,
    audits: 100_000,
    months: 120,
    alerts: 10_000,
    auditors: 1_000,
};

async fn time<F, Fut>(what: &str, mut run: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut times = Vec::with_capacity(RUNS);
    let mut size = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        size = run().await;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let (p50, p99, max) = support::spread(times);
    println!(
        "{what}: median {p50:.1} ms, p99 {p99:.1} ms, max {max:.1} ms over {RUNS} runs ({size} B)"
    );
}

#[tokio::main]
async fn main() {
    let bench = support::Bench::new("reports").await;
    let started = Instant::now();
    let today = chrono::Local::now().date_naive();
    bench.store.seed_scale(&SPEC, today).await.unwrap();
    // The scale seed leaves completion times out; completed audits get their round's due date.
    app::on_pool!(bench.store, |pool| sqlx::query(
        "UPDATE audits SET completed_at = (SELECT r.due_on || 'T12:00:00Z' FROM round_cases rc \
         JOIN rounds r ON r.id = rc.round_id WHERE rc.id = audits.round_case_id) \
         WHERE state IN ('completed', 'filed_to_record')",
    )
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))
    .unwrap();
    println!("seeded in {:.1} s", started.elapsed().as_secs_f64());
    let (month, last_of_year): (String, String) =
        app::on_pool!(bench.store, |pool| sqlx::query_as(
            "SELECT MAX(audit_month), MAX(audit_month) FROM rounds r WHERE NOT EXISTS \
         (SELECT 1 FROM round_cases rc JOIN audits a ON a.round_case_id = rc.id \
          WHERE rc.round_id = r.id AND a.state NOT IN ('completed', 'filed_to_record'))",
        )
        .fetch_one(pool)
        .await)
        .unwrap();
    let year_start = format!(
        "{}-{}",
        &month[..4].parse::<i32>().unwrap() - 1,
        &month[5..]
    );
    let qa = bench.sign_in("qa.manager@anytown.example").await;
    let start = |first: String, last: String| {
        let qa = qa.clone();
        let bench = &bench;
        async move {
            let (status, body, _) = bench
                .post(
                    "start_report",
                    format!("first={first}&last={last}"),
                    Some(&qa),
                )
                .await;
            assert_eq!(status, 200, "{body}");
            body.parse::<i64>().unwrap()
        }
    };
    let started = Instant::now();
    let round = start(month.clone(), month.clone()).await;
    println!(
        "start_report, one round ({month}), pre-filled: {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let year = start(year_start.clone(), last_of_year.clone()).await;
    let audits: i64 = app::on_pool!(bench.store, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id \
         JOIN rounds r ON r.id = rc.round_id WHERE r.audit_month = $1",
    )
    .bind(&month)
    .fetch_one(pool)
    .await)
    .unwrap();
    println!("the round has {audits} audits; the year runs {year_start} to {last_of_year}");
    for (what, id) in [("one round", round), ("thirteen rounds", year)] {
        time(&format!("report_detail, {what}"), || {
            let qa = qa.clone();
            let bench = &bench;
            async move {
                let (status, body, _) = bench
                    .post("report_detail", format!("id={id}"), Some(&qa))
                    .await;
                assert_eq!(status, 200, "{body}");
                body.len()
            }
        })
        .await;
    }
    for (what, path) in [
        (
            "report.docx, one round",
            format!("/reports/{round}/report.docx"),
        ),
        (
            "figures.xlsx, one round",
            format!("/reports/{round}/figures.xlsx"),
        ),
    ] {
        time(what, || {
            let (qa, path, bench) = (qa.clone(), path.clone(), &bench);
            async move {
                let (status, size) = bench.get(&path, &qa).await;
                assert_eq!(status, 200);
                size
            }
        })
        .await;
    }
    let audit: i64 = app::on_pool!(bench.store, |pool| sqlx::query_scalar(
        "SELECT id FROM audits WHERE state = 'filed_to_record' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    for (what, path) in [
        (
            "a filed audit as Word",
            format!("/audits/{audit}/audit.docx"),
        ),
        ("a filed audit as PDF", format!("/audits/{audit}/audit.pdf")),
    ] {
        time(what, || {
            let (qa, path, bench) = (qa.clone(), path.clone(), &bench);
            async move {
                let (status, size) = bench.get(&path, &qa).await;
                assert_eq!(status, 200);
                size
            }
        })
        .await;
    }
}
