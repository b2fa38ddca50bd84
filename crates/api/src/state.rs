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
    pub limits: Arc<Limits>,
    /// Signs links sent in email (unsubscribe); derived from the instance secret.
    pub link_secret: Arc<String>,
    /// Seals stored secrets (organizations' SMTP passwords); derived from the instance secret.
    pub sealer: Arc<crate::secrets::Sealer>,
    /// Where attachment bytes are kept (`<data dir>/attachments` on disk by default).
    pub attachments: Arc<dyn kith_db::core::attachments::AttachmentStore>,
}

type Keyed = governor::DefaultKeyedRateLimiter<String>;

/// In-memory rate limits of this node (abuse protection for public endpoints; with several nodes
/// each node allows its share, so the effective limit is at most nodes × the setting).
pub struct Limits {
    pub webform_per_ip: Keyed,
    pub webform_per_form: Keyed,
    /// Requests per API key (integrations that loop must not starve everyone else).
    pub per_api_key: Keyed,
}

impl Limits {
    pub fn new(config: &Config) -> Limits {
        let per_minute = |n: u32| {
            governor::Quota::per_minute(std::num::NonZeroU32::new(n.max(1)).unwrap_or(std::num::NonZeroU32::MIN))
        };
        Limits {
            webform_per_ip: governor::RateLimiter::keyed(per_minute(config.webform_ip_per_minute)),
            webform_per_form: governor::RateLimiter::keyed(per_minute(config.webform_form_per_minute)),
            per_api_key: governor::RateLimiter::keyed(per_minute(config.api_key_per_minute)),
        }
    }
}

impl AppState {
    /// The current instant on the server's clock (the one the database work reads too).
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.pool.clock().now()
    }

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
