//! The shared connection type, the pool, per-connection setup and migrations.

use std::path::Path;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    /// `postgres://…`/`postgresql://…` or `sqlite://path`/`sqlite:path`; anything else is refused
    /// rather than guessed (a mistyped PostgreSQL URL must not become a SQLite file).
    pub fn from_url(url: &str) -> Result<Backend, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else {
            Err(format!(
                "unsupported database URL {:?}: use sqlite://path/to/file.db or postgres://user@host/db",
                redact(url)
            ))
        }
    }
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

/// The file path of a `sqlite:` URL.
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url)
}

/// Opens connections for the pool, on the backend the URL names, with SQLite's pragmas set.
#[derive(Clone, Debug)]
pub struct Manager {
    url: String,
    backend: Backend,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match self.backend {
            Backend::Postgres => {
                PgConnection::establish(&self.url).map(DbConnection::Postgresql).map_err(r2d2::Error::ConnectionError)
            }
            Backend::Sqlite => {
                let mut conn =
                    SqliteConnection::establish(sqlite_path(&self.url)).map_err(r2d2::Error::ConnectionError)?;
                // WAL + synchronous=FULL: an acknowledged write survives a crash or power loss.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        diesel::sql_query("SELECT 1").execute(conn).map(|_| ()).map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

#[derive(Clone, Debug)]
pub struct PoolOptions {
    pub max_size: u32,
    pub connect_timeout: Duration,
    /// The clock the pool's connections read (the system clock but in tests).
    pub clock: crate::core::clock::Clock,
}

impl Default for PoolOptions {
    fn default() -> Self {
        PoolOptions {
            max_size: 10,
            connect_timeout: Duration::from_secs(5),
            clock: crate::core::clock::Clock::system(),
        }
    }
}

/// A connection pool bound to one database.
#[derive(Clone)]
pub struct Pool {
    inner: r2d2::Pool<Manager>,
    backend: Backend,
    clock: crate::core::clock::Clock,
}

/// A connection checked out of the pool; while it is held, `crate::now()` on this thread reads the
/// pool's clock. It stays on the thread that checked it out.
pub struct PooledConnection {
    conn: r2d2::PooledConnection<Manager>,
    _clock: crate::core::clock::Binding,
}

impl std::ops::Deref for PooledConnection {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for PooledConnection {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

impl Pool {
    /// Build the pool. Does not wait for the database: a node starts even while PostgreSQL is down
    /// and `/readyz` tells when it is reachable.
    pub fn new(url: &str, options: PoolOptions) -> Result<Pool, String> {
        let backend = Backend::from_url(url)?;
        if backend == Backend::Sqlite {
            if let Some(dir) = Path::new(sqlite_path(url)).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
            }
        }
        let inner = r2d2::Pool::builder()
            .max_size(options.max_size)
            .min_idle(Some(0))
            .connection_timeout(options.connect_timeout)
            .test_on_check_out(backend == Backend::Postgres)
            .build_unchecked(Manager { url: url.to_owned(), backend });
        Ok(Pool { inner, backend, clock: options.clock })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn get(&self) -> crate::Result<PooledConnection> {
        let conn = self.inner.get().map_err(|e| crate::Error::Unavailable(e.to_string()))?;
        Ok(PooledConnection { conn, _clock: self.clock.bind() })
    }

    /// The clock this pool's work reads.
    pub fn clock(&self) -> &crate::core::clock::Clock {
        &self.clock
    }

    /// Apply pending migrations of this backend's tree; returns the versions applied.
    pub fn migrate(&self) -> crate::Result<Vec<String>> {
        let mut conn = self.get()?;
        run_migrations(&mut conn)
    }
}

/// Revert applied migrations, newest first, down to and including `version` (its name's date-and-number
/// prefix, e.g. `2026-11-29-000003`); returns the versions reverted. For upgrade tests (a database is
/// put back into an earlier schema, with its data, and migrated forward again) and an operator's rollback.
pub fn revert_migrations_to(conn: &mut DbConnection, version: &str) -> crate::Result<Vec<String>> {
    let failed = |e: Box<dyn std::error::Error + Send + Sync>| crate::Error::Internal(format!("revert failed: {e}"));
    // Diesel names a version by its digits (`20261129000003`); compare digits with digits.
    let digits = |v: &str| v.chars().filter(char::is_ascii_digit).collect::<String>();
    let version = digits(version);
    let mut reverted = Vec::new();
    loop {
        let applied = match conn {
            DbConnection::Postgresql(c) => c.applied_migrations(),
            DbConnection::Sqlite(c) => c.applied_migrations(),
        }
        .map_err(failed)?;
        let Some(last) = applied.iter().map(|v| digits(&v.to_string())).max() else { return Ok(reverted) };
        if last < version {
            return Ok(reverted);
        }
        let done = match conn {
            DbConnection::Postgresql(c) => c.revert_last_migration(POSTGRES_MIGRATIONS),
            DbConnection::Sqlite(c) => c.revert_last_migration(SQLITE_MIGRATIONS),
        }
        .map_err(failed)?;
        reverted.push(done.to_string());
    }
}

pub fn run_migrations(conn: &mut DbConnection) -> crate::Result<Vec<String>> {
    let source = match conn {
        DbConnection::Postgresql(_) => POSTGRES_MIGRATIONS,
        DbConnection::Sqlite(_) => SQLITE_MIGRATIONS,
    };
    let applied = match conn {
        DbConnection::Postgresql(c) => {
            c.run_pending_migrations(source).map(|v| v.iter().map(|m| m.to_string()).collect())
        }
        DbConnection::Sqlite(c) => c.run_pending_migrations(source).map(|v| v.iter().map(|m| m.to_string()).collect()),
    };
    let applied: Vec<String> = applied.map_err(|e| crate::Error::Internal(format!("migration failed: {e}")))?;
    crate::core::kernel::set_up_organizations(conn)?;
    if !applied.is_empty() {
        // Custom text values without a folded copy (SQL cannot fold Unicode alike on both databases):
        // folded once after a migration; the hourly maintenance catches rows an older node wrote.
        let folded = crate::core::custom_fields::fold_missing(conn)?;
        if folded > 0 {
            tracing::info!(folded, "custom field values folded for case-insensitive filters");
        }
    }
    refresh_statistics(conn)?;
    Ok(applied)
}

/// Bring the query planner's table statistics up to date where they went stale: PostgreSQL
/// analyzes the tables a lead write fills; SQLite's `PRAGMA optimize` analyzes the tables whose size
/// changed a lot since their last analysis (bounded by `analysis_limit`, so it stays cheap on big
/// tables). Run after migrations, by imports as they grow, and by the hourly maintenance.
pub fn refresh_statistics(conn: &mut DbConnection) -> crate::Result<usize> {
    match conn {
        DbConnection::Postgresql(_) => {
            diesel::sql_query(
                "ANALYZE leads, timeline_events, record_tags, custom_values, custom_field_defs, audit_log",
            )
            .execute(conn)?;
        }
        DbConnection::Sqlite(_) => {
            diesel::sql_query("PRAGMA analysis_limit = 1000").execute(conn)?;
            diesel::sql_query("PRAGMA optimize").execute(conn)?;
        }
    }
    Ok(1)
}

/// A trivial query: does the database answer?
pub fn ping(conn: &mut DbConnection) -> crate::Result<()> {
    diesel::sql_query("SELECT 1").execute(conn).map(|_| ()).map_err(Into::into)
}
