//! Periodic housekeeping every node runs: purge the recycle bin after 30 days, forget old login
//! attempts and idempotency keys. Each step is idempotent, so several nodes may run it at once.

use std::time::Duration;

use crate::state::AppState;

pub async fn run_once(state: &AppState) {
    let result = state
        .db(|c| {
            let purged = kith_db::recycle::purge_expired(c)?;
            let attempts = kith_db::sessions::prune_login_attempts(c)?;
            let keys = kith_db::idempotency::prune(c)?;
            let revisits = kith_db::leads::due_revisits(c, chrono::Utc::now().date_naive())?;
            Ok((purged, attempts, keys, revisits))
        })
        .await;
    match result {
        Ok((purged, attempts, keys, revisits)) => tracing::info!(purged, attempts, keys, revisits, "maintenance done"),
        Err(e) => tracing::warn!(error = %e, "maintenance failed; will retry"),
    }
}

pub fn spawn(state: AppState) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            run_once(&state).await;
        }
    });
}
