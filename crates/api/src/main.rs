//! The `kith` command: serve the API and SPA, migrate, load demo data, print the OpenAPI document.

use std::net::TcpListener;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kith_api::config::Config;

#[derive(Parser)]
#[command(name = "kith", version, about = "Kith — an open-source CRM")]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the web app (the default).
    Serve,
    /// Run only the background worker (jobs and email), for dedicated worker nodes.
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load a demo organization with teams and users (once; later runs change nothing).
    SeedDemo,
    /// Print the OpenAPI document (what `openapi/openapi.json` must contain).
    Openapi,
}

fn init_tracing(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        print!("{}", kith_api::openapi::document_json());
        return ExitCode::SUCCESS;
    }
    init_tracing(&cli.config.log_format);
    let result = match command {
        Command::Serve => serve(cli.config),
        Command::Worker => work(cli.config),
        Command::Migrate => kith_db::Pool::new(&cli.config.database_url, Default::default())
            .and_then(|p| p.migrate().map_err(|e| e.to_string()))
            .map(|applied| {
                println!(
                    "migrations applied: {}",
                    if applied.is_empty() { "none pending".into() } else { applied.join(", ") }
                )
            }),
        Command::SeedDemo => kith_api::prepare(&cli.config).and_then(|state| {
            match kith_api::seed::seed_demo(&state.pool)? {
                kith_api::seed::Outcome::Created => println!(
                    "Demo organization loaded. Sign in as {} with password {} (every demo user has that password).",
                    kith_api::seed::DEMO_EMAIL,
                    kith_api::seed::DEMO_PASSWORD
                ),
                kith_api::seed::Outcome::AlreadyThere => println!(
                    "Demo data is already loaded: sign in as {} / {}.",
                    kith_api::seed::DEMO_EMAIL,
                    kith_api::seed::DEMO_PASSWORD
                ),
            }
            Ok(())
        }),
        Command::Openapi => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kith: {e}");
            ExitCode::FAILURE
        }
    }
}

fn mailer(config: &Config) -> Result<std::sync::Arc<kith_api::mailer::Mailer>, String> {
    kith_api::mailer::Mailer::from_config(&config.mail_transport, &config.mail_from).map(std::sync::Arc::new)
}

fn work(config: Config) -> Result<(), String> {
    let state = kith_api::prepare(&config)?;
    let mailer = mailer(&config)?;
    actix_web::rt::System::new().block_on(async move {
        kith_api::worker::spawn(state, mailer);
        tracing::info!("Kith worker running (jobs and email); stop with Ctrl-C");
        actix_web::rt::signal::ctrl_c().await.map_err(|e| e.to_string())
    })
}

fn serve(config: Config) -> Result<(), String> {
    let state = kith_api::prepare(&config)?;
    let mailer = mailer(&config)?;
    let listener = TcpListener::bind(&config.bind).map_err(|e| format!("cannot listen on {}: {e}", config.bind))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    actix_web::rt::System::new().block_on(async move {
        let server = kith_api::build_server(state.clone(), listener).map_err(|e| e.to_string())?;
        if state.config.worker {
            kith_api::worker::spawn(state, mailer);
        }
        tracing::info!("Kith is serving on http://{addr} (API docs: http://{addr}/api/docs/)");
        server.await.map_err(|e| e.to_string())
    })
}
