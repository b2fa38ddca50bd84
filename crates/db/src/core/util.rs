//! Small helpers shared by the storage modules.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use diesel::{Connection, RunQueryDsl};

use crate::{DbConnection, Error, Result};

/// The current time of the clock bound to this thread's connection (see `crate::core::clock`), truncated
/// to microseconds: PostgreSQL keeps microseconds and SQLite keeps the text it is given, so
/// truncating makes both backends return the same value.
pub fn now() -> NaiveDateTime {
    now_utc().naive_utc()
}

/// `now()` as a UTC instant, for domain rules that take the time as an argument.
pub fn now_utc() -> DateTime<Utc> {
    crate::core::clock::current().now()
}

pub fn to_utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

pub fn from_utc(t: DateTime<Utc>) -> NaiveDateTime {
    t.naive_utc().trunc_subsecs(6)
}

pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}

/// Parse an id read back from the database; a malformed one is data corruption.
pub fn parse_id<T: std::str::FromStr>(s: &str) -> Result<T> {
    s.parse().map_err(|_| Error::Internal(format!("malformed id in database: {s:?}")))
}

/// Run `work` in one transaction, retrying it when the database asks for a retry (a SQLite writer
/// that lost the race for the write lock, a PostgreSQL serialization failure). Inside a transaction
/// already (an idempotent request wraps its work in one) it runs in a savepoint, and the outermost
/// transaction is the one that retries.
pub fn transaction<T>(conn: &mut DbConnection, work: impl Fn(&mut DbConnection) -> Result<T>) -> Result<T> {
    if in_transaction(conn) {
        return conn.transaction(|c| work(c));
    }
    let mut attempt = 0;
    loop {
        let result: Result<T> = conn.transaction(|c| {
            take_write_lock(c)?;
            let done = work(c)?;
            for hook in crate::core::kernel::kernel().before_commit_hooks() {
                hook(c)?;
            }
            Ok(done)
        });
        match result {
            Err(e) if e.is_retryable() && attempt < 8 => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(5 << attempt));
            }
            other => return other,
        }
    }
}

fn in_transaction(conn: &mut DbConnection) -> bool {
    use diesel::connection::{TransactionManager, TransactionManagerStatus};
    match <DbConnection as Connection>::TransactionManager::transaction_manager_status_mut(conn) {
        TransactionManagerStatus::Valid(status) => status.transaction_depth().is_some(),
        TransactionManagerStatus::InError => true,
    }
}

/// SQLite: take the database's write lock as the transaction's first statement. A transaction that
/// reads first and writes later must upgrade its lock, and under contention SQLite refuses that at
/// once ("database is locked") instead of waiting; taking the lock first makes writers queue on
/// `busy_timeout` instead. PostgreSQL locks rows, not the database: nothing to do.
fn take_write_lock(conn: &mut DbConnection) -> Result<()> {
    if let DbConnection::Sqlite(_) = conn {
        diesel::sql_query("UPDATE instance_settings SET value = value WHERE key = ''").execute(conn)?;
    }
    Ok(())
}

/// `%` and `_` escaped for a LIKE pattern with `\` as the escape character, lower-cased and wrapped
/// in `%…%` for a case-insensitive substring match.
pub fn like_pattern(q: &str) -> String {
    let mut out = String::with_capacity(q.len() + 2);
    out.push('%');
    for ch in q.trim().to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}

diesel::define_sql_function! {
    /// SQL `lower(text)`, on both backends.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// The error for a `cursor` that no list handed out.
pub fn bad_cursor() -> Error {
    Error::field("cursor", "invalid", "Not a cursor from this list.")
}
