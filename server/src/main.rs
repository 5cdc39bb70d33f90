use server::{router, seed_demo_if_empty, Config};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage: server [--seed-demo | --no-demo]
  (no flag)    migrate, load the demo council if the database is empty, and serve
  --no-demo    migrate and serve, never loading demo data
  --seed-demo  migrate, load the demo council if the database is empty, and exit";

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (seed_only, demo) = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => (false, true),
        ["--no-demo"] => (false, false),
        ["--seed-demo"] => (true, true),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(seed_only, demo).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(seed_only: bool, demo: bool) -> Result<(), String> {
    let config = Config::from_env()?;
    let store = app::store::Store::connect(&config.database_url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    if demo
        && seed_demo_if_empty(&store)
            .await
            .map_err(|e| e.to_string())?
    {
        tracing::info!("loaded the demo council");
    }
    if seed_only {
        return Ok(());
    }
    let addr = config.leptos.site_addr;
    server::spawn_alert_archiver(store.clone(), &config.site);
    server::spawn_outbox_sender(store.clone(), &config.site);
    let app = router(store, config.leptos, config.site);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("listening on http://{addr}");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
