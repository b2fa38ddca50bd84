//! Settings: every one has a command-line flag and an environment variable (see README).

use std::path::PathBuf;

#[derive(Clone, Debug, clap::Args)]
pub struct Config {
    /// Database URL: sqlite://path/to/file.db (default) or postgres://user@host/db.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/kith.db")]
    pub database_url: String,

    /// Address and port to listen on.
    #[arg(long, env = "KITH_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Folder for the files Kith keeps: uploaded attachments (`<data dir>/attachments`, never
    /// served as static files). The default SQLite database and development mail folder live here too.
    #[arg(long, env = "KITH_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Largest attachment accepted, in bytes (larger uploads are refused with 413, nothing kept).
    #[arg(long, env = "KITH_ATTACHMENT_MAX_BYTES", default_value_t = kith_domain::core::attachments::DEFAULT_MAX_BYTES)]
    pub attachment_max_bytes: u64,

    /// Folder with the built SPA (index.html, pkg/); `make frontend` fills it.
    #[arg(long, env = "KITH_STATIC_DIR", default_value = "frontend/dist")]
    pub static_dir: PathBuf,

    /// Secret that signs access tokens. When unset, one is generated on first start and kept in the
    /// database, so every node of a cluster shares it.
    #[arg(long, env = "KITH_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<String>,

    /// The clock the server reads (the system clock; tests put an adjustable one here).
    #[arg(skip)]
    pub clock: kith_db::Clock,

    /// Lifetime of access tokens in seconds (at most 900).
    #[arg(long, env = "KITH_ACCESS_TOKEN_SECONDS", default_value_t = 900)]
    pub access_token_seconds: i64,

    /// Window for counting failed logins, in seconds.
    #[arg(long, env = "KITH_LOGIN_WINDOW_SECONDS", default_value_t = 900)]
    pub login_window_seconds: i64,

    /// Failed logins within the window before each next try is delayed (per account; per IP for
    /// failures on unknown accounts or on many accounts).
    #[arg(long, env = "KITH_LOGIN_MAX_FAILURES", default_value_t = 10)]
    pub login_max_failures: i64,

    /// Database connections per node.
    #[arg(long, env = "KITH_DB_POOL_SIZE", default_value_t = 10)]
    pub db_pool_size: u32,

    /// HTTP worker threads (default: one per core).
    #[arg(long, env = "KITH_WORKERS")]
    pub workers: Option<usize>,

    /// Send the refresh cookie only over HTTPS. Turn on behind TLS in production.
    #[arg(long, env = "KITH_SECURE_COOKIES", default_value_t = false)]
    pub secure_cookies: bool,

    /// The address people and websites reach this server at; used in web form embeds and links.
    #[arg(long, env = "KITH_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
    pub public_url: String,

    /// Web form submissions allowed per client IP per minute (per node).
    #[arg(long, env = "KITH_WEBFORM_IP_PER_MINUTE", default_value_t = 20)]
    pub webform_ip_per_minute: u32,

    /// Web form submissions allowed per form per minute (per node).
    #[arg(long, env = "KITH_WEBFORM_FORM_PER_MINUTE", default_value_t = 300)]
    pub webform_form_per_minute: u32,

    /// Behind a reverse proxy: take the client address from `X-Forwarded-For` / `Forwarded` (set by
    /// the proxy) for login throttling and web form limits. Leave off when clients reach Kith
    /// directly, or anyone could pick the address their attempts are counted against.
    #[arg(long, env = "KITH_TRUST_PROXY", default_value_t = false, action = clap::ArgAction::Set)]
    pub trust_proxy: bool,

    /// Requests allowed per API key per minute (per node).
    #[arg(long, env = "KITH_API_KEY_PER_MINUTE", default_value_t = 1200)]
    pub api_key_per_minute: u32,

    /// How email leaves: `file:<folder>` (development: one .eml file per message), `smtp://user:pass@host:587`
    /// (STARTTLS), `smtps://…` (TLS), or `off` (messages wait in the outbox).
    #[arg(long, env = "KITH_MAIL_TRANSPORT", default_value = "file:data/mail", hide_env_values = true)]
    pub mail_transport: String,

    /// Sender of outgoing email.
    #[arg(long, env = "KITH_MAIL_FROM", default_value = "Kith <kith@localhost>")]
    pub mail_from: String,

    /// Allow organizations' own SMTP servers on loopback and private addresses (an on-premises relay).
    /// Off by default: on a shared installation an administrator of one organization must not make Kith
    /// connect to services on its internal network (SSRF).
    #[arg(long, env = "KITH_SMTP_ALLOW_PRIVATE", default_value_t = false, action = clap::ArgAction::Set)]
    pub smtp_allow_private: bool,

    /// Run the background worker (jobs and email) inside `kith serve`. Turn off on nodes that only
    /// serve HTTP when dedicated `kith worker` nodes exist.
    #[arg(long, env = "KITH_WORKER", default_value_t = true, action = clap::ArgAction::Set)]
    pub worker: bool,

    /// How often an idle worker looks for due jobs, in milliseconds.
    #[arg(long, env = "KITH_WORKER_POLL_MS", default_value_t = 1000)]
    pub worker_poll_ms: u64,

    /// Log format: `text` or `json`.
    #[arg(long, env = "KITH_LOG_FORMAT", default_value = "text")]
    pub log_format: String,
}

impl Config {
    /// A configuration for tests and tools: defaults with the given database.
    pub fn for_database(database_url: impl Into<String>) -> Config {
        Config {
            database_url: database_url.into(),
            bind: "127.0.0.1:0".into(),
            static_dir: PathBuf::from("frontend/dist"),
            data_dir: PathBuf::from("data"),
            attachment_max_bytes: kith_domain::core::attachments::DEFAULT_MAX_BYTES,
            jwt_secret: None,
            clock: kith_db::Clock::system(),
            access_token_seconds: 900,
            login_window_seconds: 900,
            login_max_failures: 10,
            db_pool_size: 10,
            workers: Some(2),
            secure_cookies: false,
            public_url: "http://127.0.0.1:8080".into(),
            webform_ip_per_minute: 20,
            webform_form_per_minute: 300,
            api_key_per_minute: 1200,
            trust_proxy: false,
            mail_transport: "off".into(),
            mail_from: "Kith <kith@localhost>".into(),
            smtp_allow_private: false,
            worker: false,
            worker_poll_ms: 1000,
            log_format: "text".into(),
        }
    }
}
