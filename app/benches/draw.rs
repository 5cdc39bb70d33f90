//! The draw over a large council's pool: 20,000 cases in 10 strata.
//! Run with `cargo bench -p app --bench draw`. A benchmark, not a test: it only reports.

use app::domain::draw::{draw, Seed, Stratum};
use std::time::Instant;

fn main() {
    let strata: Vec<Stratum> = (0..10)
        .map(|s| Stratum {
            label: format!("stratum {s}"),
            quota: 10,
            pool: (0..2_000).map(|i| i64::from(s) * 2_000 + i).collect(),
        })
        .collect();
    let runs = 200;
    let mut times: Vec<f64> = (0..runs)
        .map(|i| {
            let start = Instant::now();
            let result = draw(&strata, Seed([i as u8; 32]));
            let elapsed = start.elapsed().as_secs_f64() * 1e3;
            assert_eq!(result.iter().map(|r| r.selected.len()).sum::<usize>(), 100);
            elapsed
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "draw, 20,000 cases in 10 strata, 10 each: median {:.3} ms, p99 {:.3} ms, max {:.3} ms over {runs} runs",
        times[runs / 2],
        times[runs * 99 / 100],
        times[runs - 1]
    );
}
