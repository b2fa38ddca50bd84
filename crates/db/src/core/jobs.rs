//! The background job queue, kept in the database so every node shares it.
//!
//! A job is leased by one worker at a time: the lease is a conditional UPDATE that only one node can
//! win (on PostgreSQL the row lock makes racing updates re-check the condition; SQLite has a single
//! writer). A worker that dies (`kill -9`) simply lets its lease expire and another worker takes the
//! job again, so handlers must be idempotent: they make their effects once through unique keys
//! (a job's own `unique_key`, an outbox message's `unique_key`, a conditional update).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use kith_domain::{JobId, OrgId};

use crate::core::util::{new_id, now, parse_id, transaction};
use crate::schema::jobs;
use crate::{DbConnection, Error, Result};

pub const QUEUED: &str = "queued";
pub const RUNNING: &str = "running";
pub const DONE: &str = "done";
pub const FAILED: &str = "failed";

pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    pub org_id: Option<OrgId>,
    pub run_at: NaiveDateTime,
    /// At most one job ever exists with this key: enqueueing it again does nothing.
    pub unique_key: Option<String>,
    pub max_attempts: i32,
}

impl NewJob {
    pub fn now(kind: &str, payload: serde_json::Value) -> NewJob {
        NewJob { kind: kind.into(), payload, org_id: None, run_at: now(), unique_key: None, max_attempts: 8 }
    }
}

/// Add a job. Returns false when a job with the same unique key exists already.
pub fn enqueue(conn: &mut DbConnection, job: &NewJob) -> Result<bool> {
    // In a savepoint: on PostgreSQL a failed insert would otherwise abort the caller's transaction.
    let inserted = conn.transaction(|c| {
        diesel::insert_into(jobs::table)
            .values((
                jobs::id.eq(new_id().to_string()),
                jobs::org_id.eq(job.org_id.map(|o| o.to_string())),
                jobs::kind.eq(&job.kind),
                jobs::payload.eq(job.payload.to_string()),
                jobs::unique_key.eq(&job.unique_key),
                jobs::status.eq(QUEUED),
                jobs::run_at.eq(job.run_at),
                jobs::attempts.eq(0),
                jobs::max_attempts.eq(job.max_attempts.max(1)),
                jobs::created_at.eq(now()),
            ))
            .execute(c)
    });
    match inserted.map_err(Error::from) {
        Ok(_) => Ok(true),
        Err(Error::Conflict(_)) if job.unique_key.is_some() => Ok(false),
        Err(e) => Err(e),
    }
}

/// A job this worker holds until `locked_until`.
#[derive(Debug, Clone)]
pub struct LeasedJob {
    pub id: JobId,
    pub org_id: Option<OrgId>,
    pub kind: String,
    pub payload: serde_json::Value,
    /// Including this one.
    pub attempts: i32,
    pub max_attempts: i32,
}

/// Lease up to `n` due jobs for `lease` to this worker.
pub fn lease(conn: &mut DbConnection, worker: &str, n: i64, lease: Duration) -> Result<Vec<LeasedJob>> {
    let at = now();
    let due: Vec<String> = jobs::table
        .filter(jobs::status.eq_any([QUEUED, RUNNING]))
        .filter(jobs::run_at.le(at))
        .filter(jobs::locked_until.is_null().or(jobs::locked_until.lt(at)))
        .order(jobs::run_at.asc())
        .select(jobs::id)
        .limit(n)
        .load(conn)?;
    let mut leased = Vec::new();
    for id in due {
        let won = transaction(conn, |c| {
            let claimed = diesel::update(
                jobs::table
                    .filter(jobs::id.eq(&id))
                    .filter(jobs::status.eq_any([QUEUED, RUNNING]))
                    .filter(jobs::locked_until.is_null().or(jobs::locked_until.lt(at))),
            )
            .set((
                jobs::status.eq(RUNNING),
                jobs::locked_by.eq(Some(worker)),
                jobs::locked_until.eq(Some(at + lease)),
                jobs::attempts.eq(jobs::attempts + 1),
            ))
            .execute(c)?;
            if claimed == 0 {
                return Ok(None);
            }
            let (org, kind, payload, attempts, max_attempts): (Option<String>, String, String, i32, i32) = jobs::table
                .find(&id)
                .select((jobs::org_id, jobs::kind, jobs::payload, jobs::attempts, jobs::max_attempts))
                .first(c)?;
            Ok(Some(LeasedJob {
                id: parse_id(&id)?,
                org_id: org.as_deref().map(parse_id).transpose()?,
                kind,
                payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
                attempts,
                max_attempts,
            }))
        })?;
        leased.extend(won);
    }
    Ok(leased)
}

/// The job is done. Only the worker holding the lease can finish it.
pub fn complete(conn: &mut DbConnection, job: &LeasedJob, worker: &str) -> Result<bool> {
    let n = diesel::update(jobs::table.filter(jobs::id.eq(job.id.to_string())).filter(jobs::locked_by.eq(worker)))
        .set((jobs::status.eq(DONE), jobs::locked_until.eq(None::<NaiveDateTime>), jobs::finished_at.eq(Some(now()))))
        .execute(conn)?;
    Ok(n == 1)
}

/// Delay before retry `attempt` (1-based): 10 s, 20 s, 40 s … capped at an hour.
pub fn backoff(attempt: i32) -> Duration {
    let exp = attempt.clamp(1, 20) - 1;
    Duration::seconds((10i64 << exp.min(12)).min(3600))
}

/// The job failed: retry later with backoff, or give up after its last attempt.
pub fn fail(conn: &mut DbConnection, job: &LeasedJob, worker: &str, error: &str) -> Result<()> {
    let error: String = error.chars().take(2000).collect();
    let give_up = job.attempts >= job.max_attempts;
    diesel::update(jobs::table.filter(jobs::id.eq(job.id.to_string())).filter(jobs::locked_by.eq(worker)))
        .set((
            jobs::status.eq(if give_up { FAILED } else { QUEUED }),
            jobs::run_at.eq(now() + backoff(job.attempts)),
            jobs::locked_until.eq(None::<NaiveDateTime>),
            jobs::last_error.eq(Some(error)),
            jobs::finished_at.eq(if give_up { Some(now()) } else { None }),
        ))
        .execute(conn)?;
    Ok(())
}

/// (status, attempts, last_error) of a job, for operators and tests.
pub fn status(conn: &mut DbConnection, unique_key: &str) -> Result<Option<(String, i32, Option<String>)>> {
    Ok(jobs::table
        .filter(jobs::unique_key.eq(unique_key))
        .select((jobs::status, jobs::attempts, jobs::last_error))
        .first(conn)
        .optional()?)
}

/// Forget finished jobs after a week.
pub fn prune(conn: &mut DbConnection) -> Result<usize> {
    Ok(diesel::delete(
        jobs::table.filter(jobs::status.eq_any([DONE, FAILED])).filter(jobs::finished_at.lt(now() - Duration::days(7))),
    )
    .execute(conn)?)
}

/// Put a leased job back to run later without counting this run as a failed attempt.
pub fn postpone(conn: &mut DbConnection, job: &LeasedJob, worker: &str, until: NaiveDateTime) -> Result<()> {
    diesel::update(jobs::table.filter(jobs::id.eq(job.id.to_string())).filter(jobs::locked_by.eq(worker)))
        .set((
            jobs::status.eq(QUEUED),
            jobs::run_at.eq(until),
            jobs::locked_until.eq(None::<NaiveDateTime>),
            jobs::attempts.eq((job.attempts - 1).max(0)),
        ))
        .execute(conn)?;
    Ok(())
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.maintenance("old jobs", prune);
    k.maintenance("planner statistics", crate::connection::refresh_statistics);
}
