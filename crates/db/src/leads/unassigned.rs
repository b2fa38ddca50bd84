//! The unassigned queue's notices: a lead that no rule takes, with no fallback owner named, waits in
//! the "Unassigned" queue, and the lead managers are told — once per short window, not once per lead,
//! so a burst of form posts is one notice ("7 new leads are unassigned"), not seven.
//!
//! Each capture that leaves a lead unassigned enqueues the window's digest job; the job's unique key
//! (organization and window) makes that one job however many leads arrive and however many nodes take
//! them. The job runs when the window closes and tells the managers about the window's leads that are
//! still unassigned then (none: nobody is bothered). A worker that dies after telling lets its lease
//! run out and another runs the job again: the notices it wrote name the window, so it tells nobody twice.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use kith_domain::OrgId;

use super::lead_managers;
use crate::core::jobs::{self, LeasedJob, NewJob};
use crate::core::kernel::JobDone;
use crate::core::notifications::{notify, Notice};
use crate::core::util::{from_utc, now, to_utc, transaction};
use crate::schema::{leads, notifications};
use crate::{DbConnection, Error, Result, Scope};

pub const DIGEST_JOB: &str = "unassigned_leads_digest";
/// The notices' kind and the entity they name (the queue, which the web app links to).
pub const DIGEST_KIND: &str = "lead_unassigned";
pub const QUEUE_ENTITY: &str = "unassigned_leads";
/// Leads left unassigned within one window are told in one notice when it closes.
pub const WINDOW_SECONDS: i64 = 300;

/// The window `at` falls in: its number (since the epoch) and its bounds.
fn window(at: DateTime<Utc>) -> (i64, DateTime<Utc>, DateTime<Utc>) {
    let n = at.timestamp().div_euclid(WINDOW_SECONDS);
    let start = DateTime::<Utc>::from_timestamp(n * WINDOW_SECONDS, 0).unwrap_or(at);
    (n, start, start + Duration::seconds(WINDOW_SECONDS))
}

/// A lead of `org` was left unassigned now: make sure the window's digest will run.
pub(crate) fn note(conn: &mut DbConnection, org: OrgId) -> Result<()> {
    let (n, start, end) = window(to_utc(now()));
    jobs::enqueue(
        conn,
        &NewJob {
            kind: DIGEST_JOB.into(),
            payload: serde_json::json!({ "window": n, "from": start.to_rfc3339(), "to": end.to_rfc3339() }),
            org_id: Some(org),
            run_at: from_utc(end),
            unique_key: Some(format!("{DIGEST_JOB}:{org}:{n}")),
            max_attempts: 8,
        },
    )?;
    Ok(())
}

fn read_job(job: &LeasedJob) -> std::result::Result<(OrgId, String, NaiveDateTime, NaiveDateTime), String> {
    let org = job.org_id.ok_or("digest job without organization")?;
    let at = |k: &str| {
        job.payload[k]
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| from_utc(t.with_timezone(&Utc)))
            .ok_or_else(|| format!("digest job without {k}"))
    };
    let n = job.payload["window"].as_i64().ok_or("digest job without window")?;
    Ok((org, format!("{org}:{n}"), at("from")?, at("to")?))
}

/// Tell the lead managers about the window's leads still unassigned.
pub fn run_digest(conn: &mut DbConnection, job: &LeasedJob) -> std::result::Result<JobDone, String> {
    let (org, key, from, to) = read_job(job)?;
    let scope = Scope::system(org, crate::core::scope::SystemTask::Leads);
    transaction(conn, |c| {
        let told: i64 = notifications::table
            .filter(notifications::org_id.eq(org.to_string()))
            .filter(notifications::entity.eq(QUEUE_ENTITY))
            .filter(notifications::entity_id.eq(&key))
            .count()
            .get_result(c)?;
        if told > 0 {
            return Ok(());
        }
        let waiting: Vec<(String, String, String, String)> = leads::table
            .filter(leads::org_id.eq(org.to_string()))
            .filter(leads::owner_id.is_null())
            .filter(leads::deleted_at.is_null())
            .filter(leads::created_at.ge(from))
            .filter(leads::created_at.lt(to))
            .order((leads::created_at.asc(), leads::id.asc()))
            .select((leads::id, leads::first_name, leads::last_name, leads::company_name))
            .load(c)?;
        // Named since (or before) they came in: say who takes such leads now.
        let next_time = match crate::leads::rules::settings(c, org)?.fallback_owner_id {
            Some(_) => "New leads like these now go to the fallback owner (Settings → Lead settings).",
            None => "Or name a fallback owner in Settings → Lead settings.",
        };
        let (title, body) = match waiting.as_slice() {
            [] => return Ok(()),
            [(_, first, last, company)] => {
                let name = display(first, last);
                (
                    format!("Unassigned lead: {name}"),
                    format!(
                        "No assignment rule takes {name}{}. Give it an owner from the Unassigned queue. {next_time}",
                        if company.is_empty() { String::new() } else { format!(" ({company})") }
                    ),
                )
            }
            many => {
                let names: Vec<String> = many.iter().take(3).map(|(_, f, l, _)| display(f, l)).collect();
                let more = many.len().saturating_sub(names.len());
                (
                    format!("{} new leads are unassigned", many.len()),
                    format!(
                        "No assignment rule took {}{} (arrived {}–{} UTC). Give them owners from the Unassigned queue. {next_time}",
                        names.join(", "),
                        if more > 0 { format!(" and {more} more") } else { String::new() },
                        to_utc(from).format("%H:%M"),
                        to_utc(to).format("%H:%M"),
                    ),
                )
            }
        };
        // The notice opens the queue; it names the window, which is how a rerun knows it was told.
        let entity = (QUEUE_ENTITY, key.clone());
        for manager in lead_managers(c, &scope)? {
            let notice = Notice {
                kind: DIGEST_KIND,
                title: title.clone(),
                body: body.clone(),
                entity: Some(entity.clone()),
                email: false,
                link: None,
            };
            notify(c, &scope, manager, &notice)?;
        }
        Ok(())
    })
    .map_err(|e: Error| e.to_string())?;
    Ok(JobDone::Finished)
}

fn display(first: &str, last: &str) -> String {
    let name = format!("{first} {last}");
    let name = name.trim();
    if name.is_empty() {
        "a lead without a name".to_owned()
    } else {
        name.to_owned()
    }
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.job(DIGEST_JOB, |_, conn, job| run_digest(conn, job));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_whole_and_contain_their_instant() {
        for secs in [0i64, 1, 299, 300, 1_790_000_123] {
            let at = DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or_default();
            let (n, start, end) = window(at);
            assert!(start <= at && at < end, "{secs}");
            assert_eq!((end - start).num_seconds(), WINDOW_SECONDS);
            assert_eq!(window(start).0, n);
            assert_eq!(window(end).0, n + 1);
        }
    }
}
