//! Saving an audit draft, as the autosave does every few seconds, on the demo council:
//! the whole `save_draft` server function with a fully filled-in form.
//! Run with `cargo bench -p server --bench save_draft`. A benchmark: it only reports.

#[path = "support.rs"]
mod support;

use std::time::Instant;

const RUNS: usize = 300;

#[tokio::main]
async fn main() {
    let bench = support::Bench::new("save-draft").await;
    let qa = bench.sign_in("qa.manager@anytown.example").await;
    let (_, round, _) = bench
        .post("create_round", "month=2027-01".into(), Some(&qa))
        .await;
    bench
        .post(
            "draw_round",
            format!("round_id={round}&quota_7=1"),
            Some(&qa),
        )
        .await;
    bench
        .post("confirm_round", format!("round_id={round}"), Some(&qa))
        .await;
    let contact = bench
        .store
        .selection_contacts(round.parse().unwrap())
        .await
        .unwrap()
        .remove(0);
    let auditor_id = bench
        .store
        .person_id_by_email("auditor.1@anytown.example")
        .await
        .unwrap()
        .unwrap();
    let (status, body, _) = bench
        .post(
            "assign_auditors",
            format!(
                "round_id={round}&auditor%5B{}%5D={auditor_id}",
                contact.round_case_id
            ),
            Some(&qa),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let audit: i64 = app::on_pool!(bench.store, |pool| sqlx::query_scalar(
        "SELECT id FROM audits"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    let auditor = bench.sign_in("auditor.1@anytown.example").await;
    bench
        .post(
            "propose_times",
            format!("audit_id={audit}&time_1=2030-01-08T10%3A00"),
            Some(&auditor),
        )
        .await;
    let kw_email: String = app::on_pool!(bench.store, |pool| sqlx::query_scalar(
        "SELECT email FROM people WHERE id = $1"
    )
    .bind(contact.key_worker_id.unwrap())
    .fetch_one(pool)
    .await)
    .unwrap();
    let kw = bench.sign_in(&kw_email).await;
    let time_id: i64 = app::on_pool!(bench.store, |pool| sqlx::query_scalar(
        "SELECT id FROM discussion_times"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    let (status, body, _) = bench
        .post(
            "accept_time",
            format!("audit_id={audit}&time_id={time_id}"),
            Some(&kw),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // A full form: seven domains with a grade and a page of findings each, and actions.
    let mut form = String::new();
    for key in [
        "voice",
        "assessment",
        "planning",
        "oversight",
        "multi_agency",
        "recording",
        "impact",
    ] {
        form.push_str(&format!(
            "&f%5Bgrade-{key}%5D=good&f%5Bnarrative-{key}%5D={}",
            "Findings+".repeat(300)
        ));
    }
    form.push_str("&f%5Boverall%5D=good&f%5Bstrengths%5D=Strong&f%5Baction-0%5D=Act&f%5Bowner-0%5D=KW&f%5Bdue-0%5D=2027-02-01");
    let mut times = Vec::new();
    for version in 1..=RUNS {
        let body = format!("audit_id={audit}&version={version}{form}");
        let start = Instant::now();
        let (status, reply, _) = bench.post("save_draft", body, Some(&auditor)).await;
        times.push(start.elapsed().as_secs_f64() * 1e3);
        assert_eq!(status, 200, "{reply}");
    }
    let (median, p99, max) = support::spread(times);
    println!(
        "save_draft server function, full form ({} bytes): median {median:.2} ms, p99 {p99:.2} ms, max {max:.2} ms over {RUNS} saves",
        form.len()
    );
}
