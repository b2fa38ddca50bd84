//! What every handler shares: the pool, the token keys, the settings and the metrics.

use std::sync::Arc;

use kith_db::{DbConnection, Pool};

use crate::auth::jwt::JwtKeys;
use crate::config::Config;
use crate::error::{ApiError, ApiResult};
use crate::http::metrics::Metrics;

#[derive(Clone)]
pub struct AppState {
    pub pool: Pool,
    pub jwt: Arc<JwtKeys>,
    pub config: Arc<Config>,
    pub metrics: Metrics,
    /// A hash of a random password, verified when a login names an unknown account, so that
    /// unknown accounts take as long to refuse as wrong passwords.
    pub dummy_password_hash: Arc<String>,
}

impl AppState {
    /// Run blocking database work on the blocking thread pool with a pooled connection.
    pub async fn db<T, F>(&self, work: F) -> ApiResult<T>
    where
        F: FnOnce(&mut DbConnection) -> kith_db::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get()?;
            work(&mut conn)
        })
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
        .map_err(ApiError::from)
    }
}
