//! The TestApp harness: the real server on a random port against a fresh database per test.
//!
//! The backend comes from `KITH_TEST_BACKEND` (`sqlite`, the default, or `postgres`); `make test` runs
//! the one test binary once per backend. SQLite gets a temp file; PostgreSQL gets a new database
//! cloned from a migrated template on the server at `TEST_DATABASE_URL`.

pub mod fake_smtp;

use std::net::TcpListener;
use std::sync::{Mutex, OnceLock};

use diesel::pg::PgConnection;
use diesel::{Connection, RunQueryDsl};
use kith_api::config::Config;
use kith_client::Client;
use kith_db::Backend;
use kith_domain::identity::auth::{Me, SignupRequest};

pub const PASSWORD: &str = "a perfectly fine passphrase";
const DEFAULT_PG: &str = "postgres://postgres@127.0.0.1:5432/postgres";

pub fn backend() -> Backend {
    match std::env::var("KITH_TEST_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

/// The server that holds test databases (`TEST_DATABASE_URL`, by default the local one).
pub fn pg_admin_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_PG.into())
}

fn with_database(url: &str, db: &str) -> String {
    match url.rfind('/') {
        Some(i) if url[..i].contains("://") && !url[..i].ends_with('/') => format!("{}/{db}", &url[..i]),
        _ => format!("{}/{db}", url.trim_end_matches('/')),
    }
}

static PG_TEMPLATE: OnceLock<Result<String, String>> = OnceLock::new();
static PG_CREATE: Mutex<()> = Mutex::new(());

/// A migrated template database, made once per test process (named after the migrations, so a
/// changed migration gets a fresh template).
fn pg_template() -> Result<String, String> {
    PG_TEMPLATE
        .get_or_init(|| {
            let admin = pg_admin_url();
            let mut conn = PgConnection::establish(&admin).map_err(|e| e.to_string())?;
            let name = format!("kith_template_{}", migrations_fingerprint());
            let exists: i64 = diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
                "SELECT count(*) FROM pg_database WHERE datname = '{name}'"
            ))
            .get_result(&mut conn)
            .map_err(|e| e.to_string())?;
            if exists == 0 {
                let building = format!("{name}_build_{}", std::process::id());
                diesel::sql_query(format!("CREATE DATABASE {building}"))
                    .execute(&mut conn)
                    .map_err(|e| e.to_string())?;
                {
                    let pool = kith_db::Pool::new(&with_database(&admin, &building), Default::default())?;
                    pool.migrate().map_err(|e| e.to_string())?;
                }
                // Renaming makes the finished template appear atomically to other test processes.
                let _ = diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {name}")).execute(&mut conn);
                let _ =
                    diesel::sql_query(format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)")).execute(&mut conn);
            }
            Ok(name)
        })
        .clone()
}

fn migrations_fingerprint() -> String {
    use std::hash::{Hash, Hasher};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/postgres");
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for f in files {
        f.hash(&mut h);
        std::fs::read(&f).unwrap_or_default().hash(&mut h);
    }
    format!("{:016x}", h.finish())
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Is a PostgreSQL server reachable for tests that compare backends?
pub fn postgres_available() -> bool {
    PgConnection::establish(&pg_admin_url()).is_ok()
}

/// Make a fresh database for one test; returns its URL and the guard that drops it.
pub fn fresh_database() -> (String, DbGuard) {
    match backend() {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("kith-test-{}", uuid::Uuid::now_v7()));
            let _ = std::fs::create_dir_all(&dir);
            let url = format!("sqlite://{}", dir.join("kith.db").display());
            (url, DbGuard::Sqlite(dir))
        }
        Backend::Postgres => {
            let template = pg_template().unwrap_or_else(|e| panic!("PostgreSQL for tests: {e}"));
            let name = format!("kith_t_{}", uuid::Uuid::now_v7().simple());
            let admin = pg_admin_url();
            {
                let _one_at_a_time = PG_CREATE.lock().unwrap_or_else(|e| e.into_inner());
                let mut conn = PgConnection::establish(&admin).unwrap_or_else(|e| panic!("PostgreSQL: {e}"));
                diesel::sql_query(format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .execute(&mut conn)
                    .unwrap_or_else(|e| panic!("create test database: {e}"));
            }
            (with_database(&admin, &name), DbGuard::Postgres(name))
        }
    }
}

pub enum DbGuard {
    Sqlite(std::path::PathBuf),
    Postgres(String),
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        match self {
            DbGuard::Sqlite(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            DbGuard::Postgres(name) => {
                if let Ok(mut conn) = PgConnection::establish(&pg_admin_url()) {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut conn);
                }
            }
        }
    }
}

/// A running Kith server with its own database.
pub struct TestApp {
    pub address: String,
    pub database_url: String,
    pub pool: kith_db::Pool,
    /// The server's shared state, for driving background work directly.
    pub state: kith_api::state::AppState,
    _db: Option<DbGuard>,
    server: actix_web::dev::ServerHandle,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        TestApp::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let (database_url, guard) = fresh_database();
        TestApp::spawn_on(database_url, guard, adjust).await
    }

    /// A server on an existing database (one a stopped `TestApp` left, or one a test prepared).
    pub async fn spawn_on(database_url: String, guard: DbGuard, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = Config::for_database(&database_url);
        config.db_pool_size = 4;
        config.workers = Some(1);
        config.static_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/dist");
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_else(|e| panic!("addr: {e}"));
        // Links and embeds point at this server.
        config.public_url = format!("http://127.0.0.1:{port}");
        // Every test server reads a clock the test can move (`advance`).
        config.clock = kith_db::Clock::adjustable();
        adjust(&mut config);
        let state = kith_api::prepare(&config).unwrap_or_else(|e| panic!("prepare: {e}"));
        let pool = state.pool.clone();
        let shared = state.clone();
        let server = kith_api::build_server(state, listener).unwrap_or_else(|e| panic!("server: {e}"));
        let handle = server.handle();
        tokio::spawn(server);
        TestApp {
            address: format!("http://127.0.0.1:{port}"),
            database_url,
            pool,
            state: shared,
            _db: Some(guard),
            server: handle,
        }
    }

    /// Stop the server and keep its database: its URL and the guard that drops it.
    pub async fn stop(mut self) -> (String, DbGuard) {
        self.server.stop(true).await;
        let guard = self._db.take().unwrap_or_else(|| panic!("the database was already taken"));
        (self.database_url.clone(), guard)
    }

    /// The clock the server, its database work and its worker read.
    pub fn clock(&self) -> &kith_db::Clock {
        self.pool.clock()
    }

    /// Let time pass at once on the server's clock (tokens, schedules, decay, expiries all follow).
    pub fn advance(&self, by: chrono::Duration) {
        self.clock().advance(by).unwrap_or_else(|e| panic!("advance: {e}"))
    }

    /// Put the server's clock at `at` (it runs on from there).
    pub fn set_clock(&self, at: chrono::DateTime<chrono::Utc>) {
        self.clock().set(at).unwrap_or_else(|e| panic!("set the clock: {e}"))
    }

    /// Run the background worker once, as `kith serve` does on each poll: due jobs and due rescores.
    /// Returns how much work it did.
    pub fn run_worker(&self) -> usize {
        kith_api::worker::run_due_jobs(&self.state, "test-worker").unwrap_or_else(|e| panic!("worker: {e}"))
    }

    /// A client with no session.
    pub fn client(&self) -> Client {
        Client::new(&self.address)
    }

    /// A plain HTTP client for requests the typed client would never send.
    pub fn http(&self) -> reqwest::Client {
        reqwest::Client::new()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// Sign up a new organization; returns its admin's signed-in client and profile.
    pub async fn signup(&self, organization: &str) -> (Client, Me) {
        let client = self.client();
        let email =
            format!("admin-{}@{}.test", uuid::Uuid::now_v7().simple(), organization.to_lowercase().replace(' ', "-"));
        client
            .signup(&SignupRequest {
                organization_name: organization.into(),
                name: format!("{organization} Admin"),
                email,
                password: PASSWORD.into(),
            })
            .await
            .unwrap_or_else(|e| panic!("signup: {e}"));
        let me = client.me().await.unwrap_or_else(|e| panic!("me: {e}"));
        (client, me)
    }

    /// Invite a user with a built-in role into the admin's organization and sign them in.
    pub async fn add_user(&self, admin: &Client, role_key: &str, name: &str) -> (Client, Me) {
        let roles = admin.list_roles(&Default::default()).await.unwrap_or_else(|e| panic!("roles: {e}"));
        let role = roles
            .items
            .iter()
            .find(|r| r.key.as_deref() == Some(role_key))
            .unwrap_or_else(|| panic!("no role {role_key}"));
        let email = format!("{}-{}@example.test", name.to_lowercase().replace(' ', "."), uuid::Uuid::now_v7().simple());
        let invite = admin
            .create_invite(&kith_domain::identity::NewInvite { email, role_id: role.id, team_id: None })
            .await
            .unwrap_or_else(|e| panic!("invite: {e}"));
        let client = self.client();
        client
            .accept_invite(&kith_domain::identity::auth::AcceptInviteRequest {
                token: invite.token,
                name: name.into(),
                password: PASSWORD.into(),
            })
            .await
            .unwrap_or_else(|e| panic!("accept: {e}"));
        let me = client.me().await.unwrap_or_else(|e| panic!("me: {e}"));
        (client, me)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting; the database guard then drops the database.
        let handle = self.server.clone();
        drop(handle.stop(false));
    }
}
