use server::{router, seed_demo_if_empty, Config};
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "usage:
  server               migrate and serve (never loads demo data)
  server --demo        load the demo council, with six months of its past, into an
                       empty database, then serve
  server --demo-without-past
                       load the demo council's people and cases only (the end-to-end
                       tests start from this), then serve
  server --seed-demo   load the demo council with its past into an empty database, then exit
  server create-admin --name \"Full Name\" --email work.email@your-council.gov.uk
                       create the first Administrator on an empty database and print
                       a one-time link for them to set their password
With APP_ENV=production the demo is refused, and so is a database that holds it.";

/// What the demo council comes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Demo {
    WithPast,
    WithoutPast,
}

#[derive(Debug, PartialEq, Eq)]
enum Command {
    Serve { demo: Option<Demo> },
    SeedDemo,
    CreateAdmin { name: String, email: String },
}

fn parse(args: &[String]) -> Option<Command> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        // `--no-demo` was the way to say "no demo" before it became the default.
        [] | ["--no-demo"] => Some(Command::Serve { demo: None }),
        ["--demo"] => Some(Command::Serve {
            demo: Some(Demo::WithPast),
        }),
        ["--demo-without-past"] => Some(Command::Serve {
            demo: Some(Demo::WithoutPast),
        }),
        ["--seed-demo"] => Some(Command::SeedDemo),
        ["create-admin", rest @ ..] => {
            let (mut name, mut email) = (None, None);
            let mut rest = rest.iter();
            while let Some(flag) = rest.next() {
                let value = rest.next()?.to_string();
                match *flag {
                    "--name" => name = Some(value),
                    "--email" => email = Some(value),
                    _ => return None,
                }
            }
            Some(Command::CreateAdmin {
                name: name?,
                email: email?,
            })
        }
        _ => None,
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")),
        )
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(command) = parse(&args) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    match run(command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<(), String> {
    let config = Config::from_env()?;
    let demo = matches!(
        command,
        Command::SeedDemo | Command::Serve { demo: Some(_) }
    );
    if demo && config.production {
        return Err(server::DEMO_IN_PRODUCTION.into());
    }
    let store = app::store::Store::connect(&config.database_url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    if config.production {
        server::refuse_demo_database(&store).await?;
    }
    match command {
        Command::CreateAdmin { name, email } => {
            let link = server::create_first_administrator(&store, &config.site, &name, &email)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "Created the first Administrator, {}.\nOpen this link within {} to set their password (it works once):\n\n  {}\n",
                name.trim(),
                link.lasts,
                link.url
            );
            return Ok(());
        }
        Command::Serve {
            demo: Some(Demo::WithoutPast),
        } => {
            if seed_demo_if_empty(&store)
                .await
                .map_err(|e| e.to_string())?
            {
                tracing::info!("loaded the demo council, without its past");
            }
        }
        Command::SeedDemo
        | Command::Serve {
            demo: Some(Demo::WithPast),
        } => {
            let started = std::time::Instant::now();
            let app = router(store.clone(), config.leptos.clone(), config.site.clone());
            if let Some(past) = server::seed_demo_with_past(&store, &app, &config.site)
                .await
                .map_err(|e| e.to_string())?
            {
                tracing::info!(
                    rounds = past.rounds,
                    audits = past.audits,
                    took = ?started.elapsed(),
                    "loaded the demo council and its past"
                );
            }
            if command == Command::SeedDemo {
                return Ok(());
            }
        }
        Command::Serve { demo: None } => {
            if !store
                .has_people()
                .await
                .map_err(|e| format!("cannot read the database: {e}"))?
            {
                tracing::warn!("nobody can sign in yet: create the first Administrator with `scripts/serve create-admin --name \"Full Name\" --email work.email@your-council.gov.uk` (see the README's \"Going live\"), or start with --demo to try the demo council");
            }
        }
    }
    let addr = config.leptos.site_addr;
    server::spawn_alert_archiver(store.clone(), &config.site);
    server::spawn_outbox_sender(store.clone(), &config.site);
    server::spawn_retention_sweep(store.clone(), &config.site);
    server::spawn_notice_listener(store.clone(), &config.site);
    let app = router(store, config.leptos, config.site);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    tracing::info!("listening on http://{addr}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_demo_only_when_asked() {
        assert_eq!(parse(&args(&[])), Some(Command::Serve { demo: None }));
        assert_eq!(
            parse(&args(&["--no-demo"])),
            Some(Command::Serve { demo: None })
        );
        assert_eq!(
            parse(&args(&["--demo"])),
            Some(Command::Serve {
                demo: Some(Demo::WithPast)
            })
        );
        assert_eq!(
            parse(&args(&["--demo-without-past"])),
            Some(Command::Serve {
                demo: Some(Demo::WithoutPast)
            })
        );
        assert_eq!(parse(&args(&["--seed-demo"])), Some(Command::SeedDemo));
        assert_eq!(parse(&args(&["--demo", "--no-demo"])), None);
    }

    #[test]
    fn create_admin_needs_a_name_and_an_email() {
        assert_eq!(
            parse(&args(&[
                "create-admin",
                "--email",
                "a@b.gov.uk",
                "--name",
                "A B"
            ])),
            Some(Command::CreateAdmin {
                name: "A B".into(),
                email: "a@b.gov.uk".into()
            })
        );
        assert_eq!(parse(&args(&["create-admin", "--name", "A B"])), None);
        assert_eq!(parse(&args(&["create-admin", "--name"])), None);
        assert_eq!(
            parse(&args(&[
                "create-admin",
                "--name",
                "A",
                "--email",
                "x",
                "--role",
                "y"
            ])),
            None
        );
    }
}
