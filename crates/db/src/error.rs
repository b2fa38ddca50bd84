//! Outcomes a storage function reports besides success. The API maps each to one HTTP status.

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use kith_domain::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The record does not exist in the caller's organization (or is deleted).
    #[error("not found")]
    NotFound,
    /// The caller's role does not allow this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// Credentials are missing, wrong, expired or revoked.
    #[error("unauthorized")]
    Unauthorized,
    /// Input that is well-formed but breaks a rule that needs the database (a taken email, an unknown role).
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("conflict: {0}")]
    Conflict(String),
    /// `If-Match` named an older version than the stored one.
    #[error("the record was changed since version {0}")]
    Stale(i64),
    #[error("too many attempts; retry after {retry_after_secs}s")]
    RateLimited { retry_after_secs: u64 },
    /// The database cannot be reached or the pool is exhausted.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("internal: {0}")]
    Internal(String),
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub fn field(field: &str, code: &str, message: &str) -> Error {
        Error::Validation(vec![FieldError::new(field, code, message)])
    }

    /// SQLite "database is locked" and PostgreSQL serialization failures: retrying the whole
    /// transaction is the correct response.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Internal(m) if m.contains("database is locked") || m.contains("could not serialize") || m.contains("deadlock detected"))
    }
}

impl From<DieselError> for Error {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => Error::NotFound,
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                Error::Conflict(info.message().to_owned())
            }
            DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                Error::Conflict(info.message().to_owned())
            }
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                Error::Unavailable(info.message().to_owned())
            }
            DieselError::DatabaseError(DatabaseErrorKind::SerializationFailure, info) => {
                Error::Internal(format!("could not serialize: {}", info.message()))
            }
            other => Error::Internal(other.to_string()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for Error {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        Error::Unavailable(e.to_string())
    }
}
