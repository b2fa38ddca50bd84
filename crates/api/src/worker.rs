//! The background worker: runs leased jobs from the database queue and sends the email outbox.
//! It runs inside `kith serve` (unless turned off) and alone as `kith worker`; any number of nodes
//! may run it against one PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use chrono::Timelike;
use kith_db::jobs::{self, LeasedJob, NewJob};

use crate::mailer::Mailer;
use crate::state::AppState;

pub const MAINTENANCE: &str = "maintenance";
/// Jobs leased at a time; a full batch means more may be waiting, so the worker goes on at once.
const BATCH: i64 = 10;

/// A name for this worker in job leases: host, process and a random part.
pub fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "kith".into());
    format!("{host}-{}-{}", std::process::id(), &uuid::Uuid::now_v7().simple().to_string()[24..])
}

/// Enqueue this hour's maintenance once for the whole cluster (the unique key makes repeats no-ops).
fn schedule_maintenance(conn: &mut kith_db::DbConnection) -> kith_db::Result<()> {
    let hour = kith_db::now()
        .with_minute(0)
        .and_then(|t| t.with_second(0))
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or_else(kith_db::now);
    let job = NewJob {
        unique_key: Some(format!("{MAINTENANCE}:{}", hour.format("%Y-%m-%dT%H"))),
        run_at: hour,
        max_attempts: 3,
        ..NewJob::now(MAINTENANCE, serde_json::Value::Null)
    };
    jobs::enqueue(conn, &job).map(|_| ())
}

enum Done {
    Finished,
    Later(chrono::NaiveDateTime),
}

/// Run one job's work. Every handler is idempotent: a job may run again after a crash.
fn run(state: &AppState, conn: &mut kith_db::DbConnection, job: &LeasedJob) -> Result<Done, String> {
    match job.kind.as_str() {
        kith_db::imports::JOB => {
            let id: kith_domain::ImportId = job.payload["import_id"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| "import job without import id".to_owned())?;
            // Work in slices so the lease never runs out under a long import; the job comes back
            // at once for the next slice.
            let started = std::time::Instant::now();
            loop {
                let (_, more) = kith_db::imports::process_batch(conn, id).map_err(|e| e.to_string())?;
                if !more {
                    return Ok(Done::Finished);
                }
                if started.elapsed() > std::time::Duration::from_secs(60) {
                    return Ok(Done::Later(kith_db::now()));
                }
            }
        }
        kith_db::imports::CHECK_JOB => {
            let id: kith_domain::ImportId = job.payload["import_id"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| "import check job without import id".to_owned())?;
            let started = std::time::Instant::now();
            while kith_db::imports::check_batch(conn, id).map_err(|e| e.to_string())? {
                if started.elapsed() > std::time::Duration::from_secs(60) {
                    return Ok(Done::Later(kith_db::now()));
                }
            }
            Ok(Done::Finished)
        }
        kith_db::sequences::STEP_JOB => {
            let ctx = kith_db::sequences::SendContext {
                public_url: state.config.public_url.clone(),
                secret: state.link_secret.to_string(),
            };
            match kith_db::sequences::run_step(conn, &ctx, &job.payload).map_err(|e| e.to_string())? {
                kith_db::sequences::StepOutcome::Postponed(until) => Ok(Done::Later(until)),
                outcome => {
                    tracing::debug!(?outcome, "sequence step");
                    Ok(Done::Finished)
                }
            }
        }
        MAINTENANCE => {
            let purged = kith_db::recycle::purge_expired(conn).map_err(|e| e.to_string())?;
            let attempts = kith_db::sessions::prune_login_attempts(conn).map_err(|e| e.to_string())?;
            let keys = kith_db::idempotency::prune(conn).map_err(|e| e.to_string())?;
            let revisits = kith_db::leads::due_revisits(conn, kith_db::now().date()).map_err(|e| e.to_string())?;
            let old_jobs = jobs::prune(conn).map_err(|e| e.to_string())?;
            tracing::info!(purged, attempts, keys, revisits, old_jobs, "maintenance done");
            Ok(Done::Finished)
        }
        other => Err(format!("no handler for job kind {other:?}")),
    }
}

/// Lease and run one batch of due jobs and rescore due leads; returns how much work was done (a
/// full batch of either means more may be waiting). Blocking.
pub fn run_due_jobs(state: &AppState, worker: &str) -> kith_db::Result<usize> {
    let mut conn = state.pool.get()?;
    schedule_maintenance(&mut conn)?;
    let batch = jobs::lease(&mut conn, worker, BATCH, chrono::Duration::minutes(5))?;
    // Scores whose decay step passed (or whose rules changed) are brought up to date on every poll.
    let rescored = kith_db::leads::rescore_due(&mut conn)?;
    let count = batch.len() + rescored;
    for job in batch {
        match run(state, &mut conn, &job) {
            Ok(Done::Finished) => {
                jobs::complete(&mut conn, &job, worker)?;
            }
            Ok(Done::Later(until)) => {
                jobs::postpone(&mut conn, &job, worker, until)?;
            }
            Err(error) => {
                tracing::warn!(job = %job.id, kind = %job.kind, attempt = job.attempts, %error, "job failed");
                jobs::fail(&mut conn, &job, worker, &error)?;
            }
        }
    }
    Ok(count)
}

/// Start the worker loops on the current runtime.
pub fn spawn(state: AppState, mailer: Arc<Mailer>) {
    let worker = worker_name();
    let jobs_state = state.clone();
    actix_web::rt::spawn(async move {
        let poll = Duration::from_millis(jobs_state.config.worker_poll_ms.max(50));
        loop {
            let (s, w) = (jobs_state.clone(), worker.clone());
            match actix_web::web::block(move || run_due_jobs(&s, &w)).await {
                Ok(Ok(n)) if n as i64 >= BATCH.min(kith_db::leads::RESCORE_BATCH) => continue,
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "job queue unavailable; retrying"),
                Err(e) => tracing::error!(error = %e, "job runner panicked"),
            }
            actix_web::rt::time::sleep(poll).await;
        }
    });
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_secs(2));
        loop {
            tick.tick().await;
            let (pool, m) = (state.pool.clone(), mailer.clone());
            match actix_web::web::block(move || m.drain_once(&pool)).await {
                Ok(Ok((sent, failed))) if sent + failed > 0 => tracing::info!(sent, failed, "outbox drained"),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "outbox unavailable; retrying"),
                Err(e) => tracing::error!(error = %e, "mailer panicked"),
            }
        }
    });
}
