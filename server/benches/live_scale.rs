//! Live trays and dashboards at a large council's ten years' scale: 20,000 cases, 100,000
//! audits, 1,000,000 alerts. Reports event fan-out to 1,000 streams (latency and server
//! memory), dashboard requests per second beside a bare handler under `wrk`, and time to
//! first byte of server-rendered pages. Run with `scripts/bench-live` (see the README).
//!
//! The server runs in a child process (this same binary, started again in server mode) so
//! its memory is measured apart from the 1,000 clients.

use app::store::{ScaleSpec, Store};
use std::io::Write;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const STREAMS: usize = 1_000;
const FANOUTS: usize = 5;
const SPEC: ScaleSpec = ScaleSpec {
    cases: 20_000,
    audits: 100_000,
    months: 120,
    alerts: 1_000_000,
    auditors: 1_000,
};

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if let (Ok(url), Ok(addr)) = (
        std::env::var("LIVE_SCALE_SERVE"),
        std::env::var("LIVE_SCALE_ADDR"),
    ) {
        runtime.block_on(serve(url, addr.parse().unwrap()));
        return;
    }
    // `cargo bench` passes `--bench`; a filter argument other than this bench's name skips it.
    if std::env::args()
        .skip(1)
        .any(|a| !a.starts_with('-') && !"live_scale".contains(a.as_str()))
    {
        return;
    }
    runtime.block_on(run());
}

/// Server mode: the real router, plus one bench-only route, `/bench/bare`, that returns a
/// fixed JSON body (set by the parent) with no work at all: the yardstick for the
/// dashboard's rate.
async fn serve(url: String, addr: SocketAddr) {
    use axum::routing::{get, post};
    let store = Store::connect(&url).await.unwrap();
    let leptos = leptos::prelude::LeptosOptions::builder()
        .output_name("practice-audit")
        .site_addr(addr)
        .build();
    let bare: Arc<Mutex<axum::body::Bytes>> = Arc::default();
    let set = bare.clone();
    let guarded_body = bare.clone();
    let site = app::server::SiteSettings::default();
    // The same body behind the app's own middleware (guards, headers, request IDs,
    // tracing, compression): what is left between it and the dashboard is the server
    // function's own work.
    let guarded = server::guarded(
        axum::Router::new().route(
            "/bench/guarded",
            get(move || {
                let body = guarded_body.lock().unwrap().clone();
                async move { ([("content-type", "application/json")], body) }
            }),
        ),
        &site,
    );
    let app = server::router(store, leptos, site)
        .merge(guarded)
        .route(
            "/bench/bare",
            get(move || {
                let body = bare.lock().unwrap().clone();
                async move { ([("content-type", "application/json")], body) }
            }),
        )
        .route(
            "/bench/bare/set",
            post(move |body: axum::body::Bytes| {
                *set.lock().unwrap() = body;
                async { "ok" }
            }),
        );
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    // Served as `server/src/main.rs` serves it. `axum::serve(listener, app)` with the router
    // itself rebuilds every route for each connection (axum's `with_state(())` per
    // connection), and an open event stream keeps that copy: 450 KB each, 470 MB for the
    // 1,000 streams (2026-12-06, found with heaptrack), which the server never spends.
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
    .unwrap();
}

struct Reply {
    status: u16,
    /// The response's head, as sent.
    head: String,
    body: Vec<u8>,
    first_byte: Duration,
    total: Duration,
}

/// One HTTP/1.1 request on a fresh connection, timing the first byte and the whole reply.
async fn http(addr: SocketAddr, method: &str, path: &str, cookie: &str, body: &str) -> Reply {
    let start = Instant::now();
    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.set_nodelay(true).unwrap();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nCookie: pa_session={cookie}\r\n\
         Accept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    conn.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 16_384];
    let n = conn.read(&mut buf).await.unwrap();
    let first_byte = start.elapsed();
    raw.extend_from_slice(&buf[..n]);
    loop {
        let n = conn.read(&mut buf).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let total = start.elapsed();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers");
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let status = head[9..12].parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if head.to_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Reply {
        status,
        head,
        body,
        first_byte,
        total,
    }
}

fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = raw.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&raw[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&raw[end + 2..end + 2 + size]);
        raw = &raw[end + 2 + size + 2..];
    }
    out
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// The child's resident memory now and at its peak, in MB.
fn memory(child: &Child) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        // A profiler's own child, the server, is asked to end first, so the profile closes.
        let _ = Command::new("pkill")
            .args(["-TERM", "-P", &self.0.id().to_string()])
            .status();
        std::thread::sleep(Duration::from_millis(500));
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn run() {
    let dir =
        std::env::temp_dir().join(format!("practice-audit-live-scale-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // An empty PostgreSQL database when `LIVE_SCALE_DATABASE_URL` names one
    // (`scripts/bench-live --postgres`), else a new SQLite file.
    let url = std::env::var("LIVE_SCALE_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.join("scale.db").display()));
    let store = Store::connect(&url).await.unwrap();
    println!(
        "live_scale: a large council's ten years, on {:?}, logs in {}",
        store.dialect(),
        dir.display()
    );

    let started = Instant::now();
    server::seed_demo_if_empty(&store).await.unwrap();
    let today = chrono::Local::now().date_naive();
    let scaled = store.seed_scale(&SPEC, today).await.unwrap();
    if store.dialect() == app::store::Dialect::Postgres {
        // A deployment's tables have planner statistics (autovacuum keeps them); tables
        // filled a moment ago have none until autovacuum's next pass.
        app::on_pool!(store, |pool| sqlx::query("ANALYZE")
            .execute(pool)
            .await
            .map(|_| ()))
        .unwrap();
    }
    let count = |table: &'static str| {
        let store = store.clone();
        async move {
            app::on_pool!(store, |pool| sqlx::query_scalar::<_, i64>(&format!(
                "SELECT COUNT(*) FROM {table}"
            ))
            .fetch_one(pool)
            .await
            .unwrap())
        }
    };
    println!(
        "seeded in {:.1} s: {} cases, {} audits, {} alerts ({} in trays, the rest archived), {} rounds, {} people",
        started.elapsed().as_secs_f64(),
        count("cases").await,
        count("audits").await,
        count("alerts").await + count("alerts_archive").await,
        count("alerts").await,
        count("rounds").await,
        count("people").await,
    );

    // Sessions made directly: signing 1,000 people in would time password hashing.
    let mut tokens = Vec::new();
    for id in scaled.auditor_ids.iter().take(STREAMS) {
        let token = app::auth::password::new_session_token();
        store
            .create_session(
                &app::auth::password::token_hash(&token),
                *id,
                chrono::Utc::now(),
            )
            .await
            .unwrap();
        tokens.push(token);
    }
    let qa_id: i64 = app::on_pool!(store, |pool| sqlx::query_scalar(
        "SELECT id FROM people WHERE email = 'qa.manager@anytown.example'"
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    let qa = app::auth::password::new_session_token();
    store
        .create_session(
            &app::auth::password::token_hash(&qa),
            qa_id,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    // The Team Manager with the most audits in their teams (about 5,000 over ten years).
    let manager_id: i64 = app::on_pool!(store, |pool| sqlx::query_scalar(
        "SELECT t.team_manager_id FROM audits a JOIN round_cases rc ON rc.id = a.round_case_id \
         JOIN cases c ON c.id = rc.case_id JOIN teams t ON t.id = c.team_id \
         WHERE t.team_manager_id IS NOT NULL GROUP BY t.team_manager_id ORDER BY COUNT(*) DESC LIMIT 1",
    )
    .fetch_one(pool)
    .await)
    .unwrap();
    let manager = app::auth::password::new_session_token();
    store
        .create_session(
            &app::auth::password::token_hash(&manager),
            manager_id,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    store.close().await;

    let addr: SocketAddr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap()
    };
    let log = std::fs::File::create(dir.join("server.log")).unwrap();
    // `LIVE_SCALE_PROFILE="heaptrack -o /tmp/live"` runs the server under a profiler.
    let mut command = match std::env::var("LIVE_SCALE_PROFILE") {
        Ok(profiler) if !profiler.trim().is_empty() => {
            let mut words = profiler.split_whitespace();
            let mut command = Command::new(words.next().unwrap());
            command.args(words).arg(std::env::current_exe().unwrap());
            command
        }
        _ => Command::new(std::env::current_exe().unwrap()),
    };
    let server = Server(
        command
            .env("LIVE_SCALE_SERVE", &url)
            .env("LIVE_SCALE_ADDR", addr.to_string())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );
    let up = Instant::now();
    while TcpStream::connect(addr).await.is_err() {
        assert!(
            up.elapsed() < Duration::from_secs(30),
            "server did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (rss_idle, _) = memory(&server.0);
    println!("server up; RSS {rss_idle:.1} MB before any stream");

    fanout(addr, &tokens, &qa, &server).await;
    dashboard(addr, &qa, scaled.newest_round).await;
    first_load(addr, &qa).await;
    answers(addr, &qa, &manager, scaled.newest_round).await;
    let (rss, peak) = memory(&server.0);
    println!("server RSS at the end {rss:.1} MB, peak {peak:.1} MB");
    drop(server);
    // `LIVE_SCALE_KEEP=1` keeps the database, to look at a query's plan afterwards.
    if std::env::var_os("LIVE_SCALE_KEEP").is_some() {
        println!("kept {}", dir.display());
    } else {
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// 1,000 streams open; the QA Manager publishes a new audit form, which alerts every
/// auditor; how long from the request leaving until each stream has its alert.
async fn fanout(addr: SocketAddr, tokens: &[String], qa: &str, server: &Server) {
    let connected = Arc::new(AtomicUsize::new(0));
    let arrivals: Arc<Mutex<Vec<Vec<Instant>>>> = Arc::new(Mutex::new(vec![Vec::new(); FANOUTS]));
    let mut streams = Vec::new();
    for token in tokens {
        let (token, connected, arrivals) = (token.clone(), connected.clone(), arrivals.clone());
        streams.push(tokio::spawn(async move {
            let mut conn = TcpStream::connect(addr).await.unwrap();
            conn.write_all(
                format!(
                    "GET /events HTTP/1.1\r\nHost: {addr}\r\nCookie: pa_session={token}\r\nAccept: text/event-stream\r\n\r\n"
                )
                .as_bytes(),
            )
            .await
            .unwrap();
            let mut buf = vec![0u8; 8192];
            let mut text = String::new();
            let mut seen = 0;
            let mut open = false;
            loop {
                let n = match conn.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => n,
                };
                let now = Instant::now();
                text.push_str(&String::from_utf8_lossy(&buf[..n]));
                if !open && text.contains("\r\n\r\n") {
                    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
                    open = true;
                    connected.fetch_add(1, Ordering::SeqCst);
                }
                while let Some(at) = text.find("event: alert\n") {
                    if seen < FANOUTS {
                        arrivals.lock().unwrap()[seen].push(now);
                    }
                    seen += 1;
                    text.drain(..at + 13);
                }
                if text.len() > 64 {
                    let keep = text.len() - 32;
                    let keep = (keep..text.len()).find(|i| text.is_char_boundary(*i)).unwrap();
                    text.drain(..keep);
                }
            }
        }));
    }
    let wait = Instant::now();
    while connected.load(Ordering::SeqCst) < tokens.len() {
        assert!(
            wait.elapsed() < Duration::from_secs(60),
            "streams did not all open"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (rss, _) = memory(&server.0);
    println!(
        "{} event streams open; server RSS {rss:.1} MB",
        tokens.len()
    );

    let mut latencies = Vec::new();
    let mut latencies_of: Vec<Vec<Duration>> = Vec::new();
    let mut requests = Vec::new();
    for n in 0..FANOUTS {
        let form = format!("t%5Btitle-0%5D=Voice+of+the+child+{n}&t%5Bprompt-0%5D=How+well%3F");
        let sent = Instant::now();
        let reply = http(addr, "POST", "/api/publish_template", qa, &form).await;
        assert_eq!(
            reply.status,
            200,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        requests.push(reply.total);
        let wait = Instant::now();
        while arrivals.lock().unwrap()[n].len() < tokens.len() {
            assert!(
                wait.elapsed() < Duration::from_secs(30),
                "not every stream heard"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let own: Vec<Duration> = arrivals.lock().unwrap()[n]
            .iter()
            .map(|t| *t - sent)
            .collect();
        latencies.extend(own.iter().copied());
        latencies_of.push(own);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    latencies.sort();
    let (rss, peak) = memory(&server.0);
    // Each event's own figures, in order, so one slow commit shows as itself: with five
    // events, one slow one is a fifth of the deliveries and sets the p99 alone.
    for (n, request) in requests.iter().enumerate() {
        let mut own: Vec<Duration> = latencies_of[n].clone();
        own.sort();
        println!(
            "  event {}: publishing request {}, deliveries p50 {}, max {}",
            n + 1,
            ms(*request),
            ms(percentile(&own, 0.50)),
            ms(*own.last().unwrap()),
        );
    }
    println!(
        "fan-out, {} events to {} streams: p50 {}, p99 {}, max {} (the publishing request itself: median {})",
        FANOUTS,
        tokens.len(),
        ms(percentile(&latencies, 0.50)),
        ms(percentile(&latencies, 0.99)),
        ms(*latencies.last().unwrap()),
        ms({
            requests.sort();
            requests[requests.len() / 2]
        }),
    );
    println!(
        "server RSS with {} streams: {rss:.1} MB now, {peak:.1} MB peak",
        tokens.len()
    );
    for s in streams {
        s.abort();
    }
}

/// `wrk` at 64 connections against the dashboard's figures (a `GET`, as the page asks) in
/// full and when unchanged (`If-None-Match`, answered `304`), and, in the same run, the bare
/// handler returning a body of the same size.
async fn dashboard(addr: SocketAddr, qa: &str, round: i64) {
    let path = format!("/api/dashboard_figures?round_id={round}");
    let reply = http(addr, "GET", &path, qa, "").await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let etag = reply
        .head
        .lines()
        .find_map(|l| {
            l.split_once(':')
                .filter(|(name, _)| name.eq_ignore_ascii_case("etag"))
                .map(|(_, value)| value)
        })
        .expect("the figures carry a tag")
        .trim()
        .to_string();
    let unchanged = {
        let mut conn = TcpStream::connect(addr).await.unwrap();
        conn.write_all(
            format!(
                "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: pa_session={qa}\r\n\
                 Accept: application/json\r\nIf-None-Match: {etag}\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
        let mut raw = Vec::new();
        conn.read_to_end(&mut raw).await.unwrap();
        String::from_utf8_lossy(&raw).to_string()
    };
    assert!(unchanged.starts_with("HTTP/1.1 304"), "{unchanged}");
    let size = reply.body.len();
    let set = reply.body.clone();
    let mut conn = TcpStream::connect(addr).await.unwrap();
    conn.write_all(
        format!(
            "POST /bench/bare/set HTTP/1.1\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            set.len()
        )
        .as_bytes(),
    )
    .await
    .unwrap();
    conn.write_all(&set).await.unwrap();
    let mut sink = Vec::new();
    conn.read_to_end(&mut sink).await.unwrap();

    if Command::new("wrk").arg("--version").output().is_err() {
        println!(
            "wrk is not installed: skipping requests per second (scripts/bench-live installs it)"
        );
        return;
    }
    let script = |name: &str, extra: &str| {
        let path =
            std::env::temp_dir().join(format!("live-scale-{}-{name}.lua", std::process::id()));
        std::fs::File::create(&path)
            .unwrap()
            .write_all(
                format!(
                    "wrk.method = \"GET\"\n\
                     wrk.headers[\"Accept\"] = \"application/json\"\n\
                     wrk.headers[\"Cookie\"] = \"pa_session={qa}\"\n{extra}"
                )
                .as_bytes(),
            )
            .unwrap();
        path
    };
    let full = script("full", "");
    let kept = script(
        "kept",
        &format!(
            "wrk.headers[\"If-None-Match\"] = \"{}\"\n",
            etag.replace('"', "\\\"")
        ),
    );
    println!("dashboard figures for round {round}: {size} B of JSON per reply, tag {etag}");
    println!(
        "{:<40} {:>10} {:>10} {:>10} {:>8}",
        "wrk -t2 -c64 -d10s", "req/s", "p50", "p99", "non-2xx"
    );
    let mut rates = Vec::new();
    for (name, path, script) in [
        (
            "bare axum handler, same body",
            "/bench/bare".to_string(),
            &full,
        ),
        (
            "same, behind the app's middleware",
            "/bench/guarded".to_string(),
            &full,
        ),
        ("dashboard_figures, in full", path.clone(), &full),
        ("dashboard_figures, unchanged (304)", path.clone(), &kept),
    ] {
        let out = Command::new("wrk")
            .args(["-t2", "-c64", "-d10s", "--latency", "-s"])
            .arg(script)
            .arg(format!("http://{addr}{path}"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let find = |prefix: &str| {
            text.lines()
                .find(|l| l.trim_start().starts_with(prefix))
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("?")
                .to_string()
        };
        let non_2xx = text
            .lines()
            .find(|l| l.contains("Non-2xx"))
            .and_then(|l| l.split(':').nth(1))
            .map(|n| n.trim().to_string())
            .unwrap_or_else(|| "0".into());
        let rate = find("Requests/sec:");
        rates.push(rate.parse::<f64>().unwrap_or(0.0));
        println!(
            "{:<40} {:>10} {:>10} {:>10} {:>8}",
            name,
            rate,
            find("50%"),
            find("99%"),
            non_2xx
        );
    }
    if rates[0] > 0.0 && rates[1] > 0.0 {
        println!(
            "dashboard figures at {:.1} % of the bare handler's rate in full, {:.1} % unchanged; \
             {:.1} % and {:.1} % of the same handler behind the app's middleware",
            rates[2] / rates[0] * 100.0,
            rates[3] / rates[0] * 100.0,
            rates[2] / rates[1] * 100.0,
            rates[3] / rates[1] * 100.0,
        );
    }
    let _ = std::fs::remove_file(full);
    let _ = std::fs::remove_file(kept);
}

/// The answers behind the QA Manager's home, a Team Manager's *My audits* and the round's
/// assignment form, one request at a time: 50 each, whole reply.
async fn answers(addr: SocketAddr, qa: &str, manager: &str, round: i64) {
    let round_form = format!("round_id={round}");
    for (name, who, session, form) in [
        ("current_user", "QA Manager", qa, ""),
        ("pool_overview", "QA Manager", qa, ""),
        ("my_audits", "Team Manager", manager, ""),
        ("round_detail", "QA Manager", qa, round_form.as_str()),
    ] {
        let mut times = Vec::new();
        let mut size = 0;
        for _ in 0..50 {
            let reply = http(addr, "POST", &format!("/api/{name}"), session, form).await;
            assert_eq!(
                reply.status,
                200,
                "{name}: {}",
                String::from_utf8_lossy(&reply.body)
            );
            size = reply.body.len();
            times.push(reply.total);
        }
        times.sort();
        println!(
            "{name:<14} as the {who:<12} ({size} B JSON): p50 {}, p99 {}",
            ms(percentile(&times, 0.5)),
            ms(percentile(&times, 0.99)),
        );
    }
}

/// Time to first byte of server-rendered pages, signed in as the QA Manager.
async fn first_load(addr: SocketAddr, qa: &str) {
    for path in ["/", "/dashboard", "/tray"] {
        let mut first = Vec::new();
        let mut whole = Vec::new();
        let mut size = 0;
        for _ in 0..50 {
            let reply = http(addr, "GET", path, qa, "").await;
            assert_eq!(reply.status, 200, "{path}");
            size = reply.body.len();
            first.push(reply.first_byte);
            whole.push(reply.total);
        }
        first.sort();
        whole.sort();
        println!(
            "GET {path:<11} ({size} B HTML): first byte p50 {}, p99 {}; whole page p50 {}",
            ms(percentile(&first, 0.5)),
            ms(percentile(&first, 0.99)),
            ms(percentile(&whole, 0.5)),
        );
    }
    let pkg = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site/pkg");
    // The built files' names carry content hashes; `scripts/bench-first-load` measures what
    // a tablet actually downloads.
    let mut files: Vec<_> = std::fs::read_dir(&pkg)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| {
        p.extension()
            .is_some_and(|e| e == "wasm" || e == "js" || e == "css")
    });
    files.sort();
    if files.is_empty() {
        println!(
            "no built files in {} (run scripts/release first)",
            pkg.display()
        );
    }
    for path in files {
        let raw = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let brotli = std::fs::metadata(path.with_extension(format!(
            "{}.br",
            path.extension().unwrap_or_default().to_string_lossy()
        )))
        .map(|m| m.len().to_string())
        .unwrap_or_else(|_| "-".into());
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        println!("{name:<48} {raw:>9} B raw {brotli:>9} B brotli");
    }
}
