//! The background worker: runs leased jobs from the database queue and sends the email outbox.
//! It runs inside `kith serve` (unless turned off) and alone as `kith worker`; any number of nodes
//! may run it against one PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use chrono::Timelike;
use kith_db::core::jobs::{self, LeasedJob, NewJob};
use kith_db::core::kernel::{kernel, JobContext, JobDone};

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

/// Run one job through the handler its kind registered with the kernel; the hourly maintenance runs
/// every registered maintenance task.
fn run(state: &AppState, conn: &mut kith_db::DbConnection, job: &LeasedJob) -> Result<JobDone, String> {
    let kernel = kernel();
    if job.kind == MAINTENANCE {
        for (name, task) in kernel.maintenance_tasks() {
            let n = task(conn).map_err(|e| format!("{name}: {e}"))?;
            tracing::info!(task = name, handled = n, "maintenance");
        }
        return Ok(JobDone::Finished);
    }
    let handler = kernel.job_handler(&job.kind).ok_or_else(|| format!("no handler for job kind {:?}", job.kind))?;
    let ctx = JobContext { public_url: state.config.public_url.clone(), link_secret: state.link_secret.to_string() };
    handler(&ctx, conn, job)
}

/// Lease and run one batch of due jobs and rescore due leads; returns how much work was done (a
/// full batch of either means more may be waiting). Blocking.
pub fn run_due_jobs(state: &AppState, worker: &str) -> kith_db::Result<usize> {
    let mut conn = state.pool.get()?;
    schedule_maintenance(&mut conn)?;
    let batch = jobs::lease(&mut conn, worker, BATCH, chrono::Duration::minutes(5))?;
    // Work registered to run on every poll (scores whose decay step passed, …).
    let mut polled = 0;
    for (_, task) in kernel().poll_tasks() {
        polled += task(&mut conn)?;
    }
    let count = batch.len() + polled;
    for job in batch {
        match run(state, &mut conn, &job) {
            Ok(JobDone::Finished) => {
                jobs::complete(&mut conn, &job, worker)?;
            }
            Ok(JobDone::Later(until)) => {
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
                Ok(Ok(n)) if n as i64 >= BATCH => continue,
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
