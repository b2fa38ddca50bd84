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
    /// Import leads from a CSV file into an organization, with a progress bar.
    Import(ImportArgs),
}

#[derive(clap::Args)]
struct ImportArgs {
    /// The organization's id (Settings shows it; `kith seed-demo` prints the demo's).
    #[arg(long)]
    org: String,
    /// The CSV file; its first line names the columns.
    #[arg(long)]
    file: std::path::PathBuf,
    /// Column mapping such as "E-mail=email,Name=full_name,Firm=company" (default: guessed from the
    /// column names). Targets: first_name, last_name, full_name, email, phone, company, website,
    /// title, country, industry, company_size, message.
    #[arg(long)]
    map: Option<String>,
    /// What to do with rows whose person is already a lead: skip, update or create.
    #[arg(long, default_value = "skip")]
    duplicates: String,
    /// Tag every imported lead (repeatable).
    #[arg(long)]
    tag: Vec<String>,
    /// Only check the file: report invalid rows and duplicates, import nothing.
    #[arg(long)]
    dry_run: bool,
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
        Command::Import(args) => import(cli.config, args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kith: {e}");
            ExitCode::FAILURE
        }
    }
}

fn mailer(state: &kith_api::state::AppState) -> Result<std::sync::Arc<kith_api::mailer::Mailer>, String> {
    kith_api::mailer::Mailer::for_state(state).map(std::sync::Arc::new)
}

fn work(config: Config) -> Result<(), String> {
    let state = kith_api::prepare(&config)?;
    let mailer = mailer(&state)?;
    actix_web::rt::System::new().block_on(async move {
        kith_api::worker::spawn(state, mailer);
        tracing::info!("Kith worker running (jobs and email); stop with Ctrl-C");
        actix_web::rt::signal::ctrl_c().await.map_err(|e| e.to_string())
    })
}

fn serve(config: Config) -> Result<(), String> {
    let state = kith_api::prepare(&config)?;
    let mailer = mailer(&state)?;
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

fn import(config: Config, args: ImportArgs) -> Result<(), String> {
    use kith_domain::leads::imports::{ColumnMapping, DuplicatePolicy, ImportMapping};
    let state = kith_api::prepare(&config)?;
    let mut conn = state.pool.get().map_err(|e| e.to_string())?;
    let org: kith_domain::OrgId = args.org.parse().map_err(|_| "--org is not an organization id".to_owned())?;
    let scope = kith_db::identity::organizations::operator_scope(&mut conn, org)
        .map_err(|_| "no such organization".to_owned())?;
    let file = std::fs::File::open(&args.file).map_err(|e| format!("cannot open {}: {e}", args.file.display()))?;
    let name = args.file.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    println!("Reading {} …", args.file.display());
    let upload =
        kith_db::leads::imports::upload(&mut conn, &scope, &name, std::io::BufReader::new(file)).map_err(describe)?;
    let columns = match &args.map {
        None => upload.suggested.clone(),
        Some(spec) => spec
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|pair| {
                let (column, target) =
                    pair.split_once('=').ok_or_else(|| format!("--map entry {pair:?} is not Column=target"))?;
                let target = serde_json::from_value(serde_json::Value::String(target.trim().to_owned()))
                    .map_err(|_| format!("unknown target {:?}", target.trim()))?;
                Ok(ColumnMapping { column: column.trim().to_owned(), target: Some(target) })
            })
            .collect::<Result<Vec<_>, String>>()?,
    };
    let policy = DuplicatePolicy::parse(&args.duplicates)
        .ok_or_else(|| "--duplicates must be skip, update or create".to_owned())?;
    let mapping = ImportMapping { columns, duplicate_policy: policy, tags: args.tag.clone(), owner_id: None };
    for c in mapping.columns.iter().filter(|c| c.target.is_some()) {
        println!("  {:<30} → {}", c.column, serde_json::to_string(&c.target).unwrap_or_default().trim_matches('"'));
    }
    kith_db::leads::imports::set_mapping(&mut conn, &scope, upload.id, &mapping).map_err(describe)?;
    let report = kith_db::leads::imports::check_now(&mut conn, &scope, upload.id).map_err(describe)?;
    println!(
        "{} rows: {} valid, {} invalid, {} already in Kith, {} repeated in the file",
        report.rows, report.valid, report.invalid, report.duplicates_existing, report.duplicates_in_file
    );
    for p in report.errors.iter().take(10) {
        let reasons: Vec<String> = p.errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect();
        println!("  row {}: {}", p.row, reasons.join("; "));
    }
    if args.dry_run {
        return Ok(());
    }
    let bar = indicatif::ProgressBar::new(upload.total_rows.max(0) as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows  {per_sec}  eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    loop {
        let (progress, more) = kith_db::leads::imports::process_batch(&mut conn, upload.id).map_err(describe)?;
        bar.set_position(progress.processed.max(0) as u64);
        if !more {
            bar.finish();
            println!(
                "Done: {} created, {} updated, {} skipped, {} failed.",
                progress.created, progress.updated, progress.skipped, progress.failed
            );
            break;
        }
    }
    let results = kith_db::leads::imports::results_csv(&mut conn, &scope, upload.id).map_err(describe)?;
    let path = args.file.with_extension("results.csv");
    std::fs::write(&path, results).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("Row by row results: {}", path.display());
    Ok(())
}

fn describe(e: kith_db::Error) -> String {
    match e {
        kith_db::Error::Validation(errors) => {
            errors.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
        }
        other => other.to_string(),
    }
}
