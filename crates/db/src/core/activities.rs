//! Activities, a feature of the record kernel: calls, meetings, events, tasks, notes and logged
//! emails on a record of any registered kind (`record_kind`, `record_id`). Access is the parent
//! record's, through the registry: listing and reading need its `read_one`, creating, changing and
//! deleting its `write_one` (a record the caller may not see answers NotFound, and so do its
//! activities); a kind that registers neither takes no activities. Each write leaves an entry on the
//! parent's timeline (its `timeline` hook), an audit entry, and — for a reminder — one job whose
//! unique key and a conditional update make the reminder go out once, whatever the number of workers.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use kith_domain::core::activities::ics::Attendee;
use kith_domain::core::activities::{
    ActivityKind, ActivityPatch, ActivityQuery, ActivityView, CallOutcome, Direction, LinkedRecord, MyDay, NewActivity,
    Priority,
};
use kith_domain::core::audit::AuditAction;
use kith_domain::core::modules::Module;
use kith_domain::core::page::{clamp_limit, page_from_rows, Cursor, Page};
use kith_domain::{ActivityId, OrgId, UserId};

use crate::core::jobs::{self, LeasedJob, NewJob};
use crate::core::kernel::{kernel, JobContext, JobDone, RecordKind, RecordRef, TimelineEntry};
use crate::core::notifications::{notify, Notice};
use crate::core::util::{from_utc, new_id, now, parse_id, to_utc, transaction};
use crate::core::{audit, recycle, timeline, tokens};
use crate::schema::{activities, activity_attendees, calendar_feeds, users};
use crate::{DbConnection, Error, Result, Scope};

pub const ENTITY: &str = "activity";
/// The job that sends one activity's reminder.
pub const REMINDER_JOB: &str = "activity_reminder";
const USER: &str = "user";

#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = activities)]
struct Row {
    id: String,
    record_kind: String,
    record_id: String,
    kind: String,
    subject: String,
    body: String,
    direction: Option<String>,
    outcome: Option<String>,
    duration_seconds: Option<i64>,
    starts_at: Option<NaiveDateTime>,
    ends_at: Option<NaiveDateTime>,
    time_zone: Option<String>,
    location: Option<String>,
    due_at: Option<NaiveDateTime>,
    priority: Option<String>,
    assignee_id: Option<String>,
    done_at: Option<NaiveDateTime>,
    remind_at: Option<NaiveDateTime>,
    reminded_at: Option<NaiveDateTime>,
    created_by: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
}

type Attendees = (Vec<UserId>, Vec<LinkedRecord>);

impl Row {
    fn view(self, attendees: Attendees, record_name: Option<String>) -> Result<ActivityView> {
        let bad = |what: &str, v: &str| Error::Internal(format!("activity {}: stored {what} {v:?}", self.id));
        let kind = ActivityKind::parse(&self.kind).ok_or_else(|| bad("kind", &self.kind))?;
        let direction = self.direction.as_deref().map(|d| Direction::parse(d).ok_or_else(|| bad("direction", d)));
        let outcome = self.outcome.as_deref().map(|o| CallOutcome::parse(o).ok_or_else(|| bad("outcome", o)));
        let priority = self.priority.as_deref().map(|p| Priority::parse(p).ok_or_else(|| bad("priority", p)));
        Ok(ActivityView {
            id: parse_id(&self.id)?,
            record_kind: self.record_kind,
            record_id: self.record_id,
            record_name,
            kind,
            subject: self.subject,
            body: self.body,
            direction: direction.transpose()?,
            outcome: outcome.transpose()?,
            duration_seconds: self.duration_seconds,
            starts_at: self.starts_at.map(to_utc),
            ends_at: self.ends_at.map(to_utc),
            time_zone: self.time_zone,
            location: self.location,
            attendee_users: attendees.0,
            attendee_records: attendees.1,
            due_at: self.due_at.map(to_utc),
            priority: priority.transpose()?,
            assignee_id: self.assignee_id.as_deref().map(parse_id).transpose()?,
            done_at: self.done_at.map(to_utc),
            remind_at: self.remind_at.map(to_utc),
            reminded_at: self.reminded_at.map(to_utc),
            created_by: self.created_by,
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
            version: self.version,
        })
    }
}

fn kind_of(record_kind: &str) -> Result<&'static RecordKind> {
    kernel().kind(record_kind).ok_or(Error::NotFound)
}

/// May the caller read this record (and so its activities)? NotFound otherwise.
fn may_read(conn: &mut DbConnection, scope: &Scope, record_kind: &str, record_id: &str) -> Result<()> {
    let check = kind_of(record_kind)?.read_one.ok_or(Error::NotFound)?;
    check(conn, scope, record_id)
}

/// May the caller add activities to this record (and change or delete them)? NotFound when they may
/// not read it, Forbidden when they may read but not change it.
fn may_write(conn: &mut DbConnection, scope: &Scope, record_kind: &str, record_id: &str) -> Result<()> {
    let check = kind_of(record_kind)?.write_one.ok_or(Error::NotFound)?;
    check(conn, scope, record_id)
}

fn note(conn: &mut DbConnection, scope: &Scope, view: &ActivityView, entry: TimelineEntry<'_>) -> Result<()> {
    match kind_of(&view.record_kind)?.timeline {
        Some(add) => add(conn, scope, &view.record_id, entry),
        None => Ok(()),
    }
}

fn attendees_of(conn: &mut DbConnection, ids: &[String]) -> Result<HashMap<String, Attendees>> {
    let mut out: HashMap<String, Attendees> = HashMap::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<(String, String, String)> = activity_attendees::table
            .filter(activity_attendees::activity_id.eq_any(chunk))
            .order((activity_attendees::activity_id, activity_attendees::position))
            .select((
                activity_attendees::activity_id,
                activity_attendees::attendee_kind,
                activity_attendees::attendee_id,
            ))
            .load(conn)?;
        for (activity, kind, id) in rows {
            let entry = out.entry(activity).or_default();
            if kind == USER {
                entry.0.push(parse_id(&id)?);
            } else {
                entry.1.push(LinkedRecord { kind, id });
            }
        }
    }
    Ok(out)
}

/// Views of rows, with their attendees and their records' names (for those the caller may read).
fn views(conn: &mut DbConnection, scope: &Scope, rows: Vec<Row>) -> Result<Vec<ActivityView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut attendees = attendees_of(conn, &ids)?;
    let mut by_kind: HashMap<String, Vec<String>> = HashMap::new();
    for r in &rows {
        by_kind.entry(r.record_kind.clone()).or_default().push(r.record_id.clone());
    }
    let mut names: HashMap<(String, String), String> = HashMap::new();
    for (kind, ids) in by_kind {
        for (id, name) in kernel().names(conn, scope, &kind, &ids)? {
            names.insert((kind.clone(), id), name);
        }
    }
    rows.into_iter()
        .map(|r| {
            let a = attendees.remove(&r.id).unwrap_or_default();
            let name = names.get(&(r.record_kind.clone(), r.record_id.clone())).cloned();
            r.view(a, name)
        })
        .collect()
}

fn find(conn: &mut DbConnection, org_id: OrgId, id: &str, deleted: bool) -> Result<Row> {
    let mut q = activities::table
        .filter(activities::org_id.eq(org_id.to_string()))
        .filter(activities::id.eq(id))
        .select(Row::as_select())
        .into_boxed();
    q = if deleted {
        q.filter(activities::deleted_at.is_not_null())
    } else {
        q.filter(activities::deleted_at.is_null())
    };
    q.first(conn).optional()?.ok_or(Error::NotFound)
}

fn one(conn: &mut DbConnection, scope: &Scope, row: Row) -> Result<ActivityView> {
    views(conn, scope, vec![row])?.pop().ok_or(Error::NotFound)
}

/// Users named in the input must be users of the organization; records named as attendees must be
/// records the caller may read. Every problem at once.
fn check_references(conn: &mut DbConnection, scope: &Scope, new: &NewActivity) -> Result<()> {
    let org = scope.org_id().to_string();
    let mut problems = Vec::new();
    let mut wanted: Vec<String> = new.attendee_users.iter().map(|u| u.to_string()).collect();
    if let Some(a) = new.assignee_id {
        wanted.push(a.to_string());
    }
    let known: Vec<String> =
        users::table.filter(users::org_id.eq(&org)).filter(users::id.eq_any(&wanted)).select(users::id).load(conn)?;
    if let Some(a) = new.assignee_id {
        if !known.contains(&a.to_string()) {
            problems.push(kith_domain::FieldError::new("assignee_id", "unknown", "No such user in this organization."));
        }
    }
    if new.attendee_users.iter().any(|u| !known.contains(&u.to_string())) {
        problems.push(kith_domain::FieldError::new("attendee_users", "unknown", "No such user in this organization."));
    }
    for r in &new.attendee_records {
        if !kernel().may_read(conn, scope, &r.kind, &r.id)? {
            problems.push(kith_domain::FieldError::new("attendee_records", "unknown", "No such record."));
            break;
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(problems))
    }
}

fn write_attendees(conn: &mut DbConnection, org_id: OrgId, id: &str, new: &NewActivity) -> Result<()> {
    diesel::delete(activity_attendees::table.filter(activity_attendees::activity_id.eq(id))).execute(conn)?;
    let users = new.attendee_users.iter().map(|u| (USER.to_owned(), u.to_string()));
    let records = new.attendee_records.iter().map(|r| (r.kind.clone(), r.id.clone()));
    for (position, (kind, attendee)) in users.chain(records).enumerate() {
        diesel::insert_into(activity_attendees::table)
            .values((
                activity_attendees::activity_id.eq(id),
                activity_attendees::org_id.eq(org_id.to_string()),
                activity_attendees::attendee_kind.eq(kind),
                activity_attendees::attendee_id.eq(attendee),
                activity_attendees::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The job that reminds: one per activity and reminder time (a changed time makes a new one; the
/// old one finds its time changed and does nothing).
fn schedule_reminder(conn: &mut DbConnection, org_id: OrgId, id: &str, at: NaiveDateTime) -> Result<()> {
    let stamp = at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
    jobs::enqueue(
        conn,
        &NewJob {
            kind: REMINDER_JOB.into(),
            payload: serde_json::json!({ "activity_id": id, "remind_at": stamp }),
            org_id: Some(org_id),
            run_at: at,
            unique_key: Some(format!("activity-reminder:{id}:{stamp}")),
            max_attempts: 8,
        },
    )?;
    Ok(())
}

fn micros(t: chrono::DateTime<chrono::Utc>) -> NaiveDateTime {
    let t = from_utc(t);
    t - Duration::nanoseconds(i64::from(t.and_utc().timestamp_subsec_nanos() % 1000))
}

/// Record an activity on a record, with its attendees, audit entry, the record's timeline entry and
/// its reminder job, in one transaction.
pub fn create(conn: &mut DbConnection, scope: &Scope, new: &NewActivity) -> Result<ActivityView> {
    transaction(conn, |c| {
        may_write(c, scope, &new.record_kind, &new.record_id)?;
        check_references(c, scope, new)?;
        let kind = kind_of(&new.record_kind)?;
        let id = new_id().to_string();
        let at = now();
        let assignee = new.assignee_id.or_else(|| scope.acting_user().map(|a| a.user_id)).map(|u| u.to_string());
        let remind_at = new.remind_at.map(micros);
        diesel::insert_into(activities::table)
            .values((
                activities::id.eq(&id),
                activities::org_id.eq(scope.org_id().to_string()),
                activities::record_kind.eq(kind.entity),
                activities::record_id.eq(&new.record_id),
                activities::kind.eq(new.kind.as_str()),
                activities::subject.eq(new.subject.trim()),
                activities::body.eq(&new.body),
                activities::direction.eq(new.direction.map(Direction::as_str)),
                activities::outcome.eq(new.outcome.map(CallOutcome::as_str)),
                activities::duration_seconds.eq(new.duration_seconds),
                activities::starts_at.eq(new.starts_at.map(micros)),
                activities::ends_at.eq(new.ends_at.map(micros)),
                activities::time_zone.eq(&new.time_zone),
                activities::location.eq(&new.location),
                activities::due_at.eq(new.due_at.map(micros)),
                activities::priority.eq(match new.kind {
                    ActivityKind::Task => Some(new.priority.unwrap_or_default().as_str()),
                    _ => None,
                }),
                activities::assignee_id.eq(&assignee),
                activities::done_at.eq(new.done.then_some(at)),
                activities::remind_at.eq(remind_at),
                activities::created_by.eq(scope.actor_id()),
                activities::created_at.eq(at),
                activities::updated_at.eq(at),
                activities::version.eq(1i64),
            ))
            .execute(c)?;
        write_attendees(c, scope.org_id(), &id, new)?;
        if let Some(r) = remind_at {
            schedule_reminder(c, scope.org_id(), &id, r)?;
        }
        let row = find(c, scope.org_id(), &id, false)?;
        let view = one(c, scope, row)?;
        audit::record_created(c, scope, ENTITY, &id, &view)?;
        note(c, scope, &view, TimelineEntry::ActivityAdded { summary: &view.summary() })?;
        Ok(view)
    })
}

/// A record's activities with those of the records linked to it (each only when the caller may read
/// that record), newest first, a keyset page at a time.
pub fn list(conn: &mut DbConnection, scope: &Scope, q: &ActivityQuery) -> Result<Page<ActivityView>> {
    may_read(conn, scope, &q.record_kind, &q.record_id)?;
    let kind = kind_of(&q.record_kind)?;
    let record = RecordRef::new(kind.entity, &q.record_id);
    let mut records = vec![record.clone()];
    for other in timeline::linked(conn, scope.org_id(), &record)? {
        if kernel().may_read(conn, scope, other.kind, &other.id)? {
            records.push(other);
        }
    }
    let limit = clamp_limit(q.limit);
    let after = q.cursor.as_deref().map(Cursor::decode).transpose().map_err(|_| crate::core::util::bad_cursor())?;
    // One index range per record (at most limit + 1 rows each), merged here.
    let mut rows: Vec<Row> = Vec::new();
    for r in &records {
        let mut query = activities::table
            .filter(activities::org_id.eq(scope.org_id().to_string()))
            .filter(activities::record_kind.eq(r.kind))
            .filter(activities::record_id.eq(&r.id))
            .filter(activities::deleted_at.is_null())
            .select(Row::as_select())
            .order(activities::id.desc())
            .limit(i64::from(limit) + 1)
            .into_boxed();
        if let Some(kind) = q.kind {
            query = query.filter(activities::kind.eq(kind.as_str()));
        }
        if let Some(c) = &after {
            query = query.filter(activities::id.lt(c.id.clone()));
        }
        rows.extend(query.load(conn)?);
    }
    rows.sort_by(|a, b| b.id.cmp(&a.id));
    rows.truncate(limit as usize + 1);
    let views = views(conn, scope, rows)?;
    Ok(page_from_rows(views, limit, |v| Cursor { key: None, id: v.id.to_string() }))
}

/// A live activity the caller may read.
fn readable(conn: &mut DbConnection, scope: &Scope, id: ActivityId) -> Result<Row> {
    let row = find(conn, scope.org_id(), &id.to_string(), false)?;
    may_read(conn, scope, &row.record_kind, &row.record_id)?;
    Ok(row)
}

pub fn get(conn: &mut DbConnection, scope: &Scope, id: ActivityId) -> Result<ActivityView> {
    let row = readable(conn, scope, id)?;
    one(conn, scope, row)
}

/// Change an activity (the version must match): the change is checked as the activity it makes;
/// marking a task done or not done, or a changed reminder time, is noted and scheduled.
pub fn update(
    conn: &mut DbConnection,
    scope: &Scope,
    id: ActivityId,
    version: i64,
    patch: &ActivityPatch,
) -> Result<ActivityView> {
    transaction(conn, |c| {
        let row = readable(c, scope, id)?;
        may_write(c, scope, &row.record_kind, &row.record_id)?;
        let before = one(c, scope, row)?;
        if before.version != version {
            return Err(Error::Stale(version));
        }
        let after = patch.apply(&before.fields());
        let problems = kith_domain::core::validation::Check::problems(&after);
        if !problems.is_empty() {
            return Err(Error::Validation(problems));
        }
        check_references(c, scope, &after)?;
        let at = now();
        let done_at = match (before.done_at, after.done) {
            (Some(d), true) => Some(from_utc(d)),
            (None, true) => Some(at),
            (_, false) => None,
        };
        let remind_at = after.remind_at.map(micros);
        let reminder_changed = remind_at != before.remind_at.map(from_utc);
        let reminded_at = if reminder_changed { None } else { before.reminded_at.map(from_utc) };
        let updated = diesel::update(activities::table)
            .filter(activities::org_id.eq(scope.org_id().to_string()))
            .filter(activities::id.eq(id.to_string()))
            .filter(activities::version.eq(version))
            .filter(activities::deleted_at.is_null())
            .set((
                activities::subject.eq(after.subject.trim()),
                activities::body.eq(&after.body),
                activities::direction.eq(after.direction.map(Direction::as_str)),
                activities::outcome.eq(after.outcome.map(CallOutcome::as_str)),
                activities::duration_seconds.eq(after.duration_seconds),
                activities::starts_at.eq(after.starts_at.map(micros)),
                activities::ends_at.eq(after.ends_at.map(micros)),
                activities::time_zone.eq(&after.time_zone),
                activities::location.eq(&after.location),
                activities::due_at.eq(after.due_at.map(micros)),
                activities::priority.eq(after.priority.map(Priority::as_str)),
                activities::assignee_id.eq(after.assignee_id.map(|u| u.to_string())),
                activities::done_at.eq(done_at),
                activities::remind_at.eq(remind_at),
                activities::reminded_at.eq(reminded_at),
                activities::updated_at.eq(at),
                activities::version.eq(version + 1),
            ))
            .execute(c)?;
        if updated == 0 {
            return Err(Error::Stale(version));
        }
        if before.attendee_users != after.attendee_users || before.attendee_records != after.attendee_records {
            write_attendees(c, scope.org_id(), &id.to_string(), &after)?;
        }
        if let (true, Some(r)) = (reminder_changed, remind_at) {
            schedule_reminder(c, scope.org_id(), &id.to_string(), r)?;
        }
        let row = find(c, scope.org_id(), &id.to_string(), false)?;
        let view = one(c, scope, row)?;
        audit::record_updated(c, scope, ENTITY, &id.to_string(), &before, &view)?;
        match (before.done_at.is_some(), view.done_at.is_some()) {
            (false, true) => note(c, scope, &view, TimelineEntry::ActivityDone { summary: &view.summary() })?,
            (true, false) => note(c, scope, &view, TimelineEntry::ActivityReopened { summary: &view.summary() })?,
            _ => {}
        }
        Ok(view)
    })
}

/// To the recycle bin (restorable for 30 days); needs the right to change the record.
pub fn delete(conn: &mut DbConnection, scope: &Scope, id: ActivityId) -> Result<()> {
    transaction(conn, |c| {
        let row = readable(c, scope, id)?;
        may_write(c, scope, &row.record_kind, &row.record_id)?;
        let view = one(c, scope, row)?;
        let at = now();
        diesel::update(activities::table.filter(activities::id.eq(id.to_string())))
            .set((activities::deleted_at.eq(Some(at)), activities::version.eq(view.version + 1)))
            .execute(c)?;
        recycle::put(c, scope, ENTITY, &id.to_string(), &view.summary(), at)?;
        audit::record(c, scope, ENTITY, &id.to_string(), AuditAction::Delete, &[])?;
        note(c, scope, &view, TimelineEntry::ActivityRemoved { summary: &view.summary() })
    })
}

/// Back from the recycle bin onto its record (which the caller must still be allowed to change).
pub fn restore(conn: &mut DbConnection, scope: &Scope, id: ActivityId) -> Result<ActivityView> {
    transaction(conn, |c| {
        let row = find(c, scope.org_id(), &id.to_string(), true)?;
        may_write(c, scope, &row.record_kind, &row.record_id)?;
        diesel::update(activities::table.filter(activities::id.eq(id.to_string())))
            .set((activities::deleted_at.eq(None::<NaiveDateTime>), activities::version.eq(row.version + 1)))
            .execute(c)?;
        recycle::take(c, scope, ENTITY, &id.to_string())?;
        audit::record(c, scope, ENTITY, &id.to_string(), AuditAction::Restore, &[])?;
        let row = find(c, scope.org_id(), &id.to_string(), false)?;
        let view = one(c, scope, row)?;
        note(c, scope, &view, TimelineEntry::ActivityAdded { summary: &view.summary() })?;
        Ok(view)
    })
}

/// The purge of an activity from the recycle bin.
fn purge(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    diesel::delete(activity_attendees::table.filter(activity_attendees::activity_id.eq(id))).execute(conn)?;
    diesel::delete(
        activities::table
            .filter(activities::org_id.eq(scope.org_id().to_string()))
            .filter(activities::id.eq(id))
            .filter(activities::deleted_at.is_not_null()),
    )
    .execute(conn)?;
    audit::record(conn, scope, ENTITY, id, AuditAction::Purge, &[])
}

/// A purged record takes its activities along (live ones and those in the bin), and stops being an
/// attendee. The recycle bin's purge calls this for every kind it purges, in the same transaction.
pub(crate) fn forget_record(conn: &mut DbConnection, scope: &Scope, record: &RecordRef) -> Result<()> {
    let org = scope.org_id().to_string();
    let ids: Vec<String> = activities::table
        .filter(activities::org_id.eq(&org))
        .filter(activities::record_kind.eq(record.kind))
        .filter(activities::record_id.eq(&record.id))
        .select(activities::id)
        .load(conn)?;
    for chunk in ids.chunks(500) {
        diesel::delete(activity_attendees::table.filter(activity_attendees::activity_id.eq_any(chunk)))
            .execute(conn)?;
        diesel::delete(activities::table.filter(activities::id.eq_any(chunk))).execute(conn)?;
    }
    for id in &ids {
        recycle::take(conn, scope, ENTITY, id)?;
        audit::record(conn, scope, ENTITY, id, AuditAction::Purge, &[])?;
    }
    diesel::delete(
        activity_attendees::table
            .filter(activity_attendees::org_id.eq(&org))
            .filter(activity_attendees::attendee_kind.eq(record.kind))
            .filter(activity_attendees::attendee_id.eq(&record.id)),
    )
    .execute(conn)?;
    Ok(())
}

/// Move a record's activities (live and in the bin; only `only` when given) to another record, e.g.
/// from a merged lead to the kept one; returns the ids moved, so an undo can move exactly those back.
pub(crate) fn move_between(
    conn: &mut DbConnection,
    org_id: OrgId,
    from: &RecordRef,
    to: &RecordRef,
    only: Option<&[String]>,
) -> Result<Vec<String>> {
    let mut ids: Vec<String> = activities::table
        .filter(activities::org_id.eq(org_id.to_string()))
        .filter(activities::record_kind.eq(from.kind))
        .filter(activities::record_id.eq(&from.id))
        .select(activities::id)
        .load(conn)?;
    if let Some(only) = only {
        ids.retain(|id| only.contains(id));
    }
    for chunk in ids.chunks(500) {
        diesel::update(activities::table.filter(activities::id.eq_any(chunk)))
            .set((activities::record_kind.eq(to.kind), activities::record_id.eq(&to.id)))
            .execute(conn)?;
    }
    Ok(ids)
}

/// Names and addresses of users, by id (for calendar attendees).
fn people(conn: &mut DbConnection, org_id: OrgId, ids: &[UserId]) -> Result<HashMap<UserId, Attendee>> {
    let wanted: Vec<String> = ids.iter().map(|u| u.to_string()).collect();
    let rows: Vec<(String, String, String)> = users::table
        .filter(users::org_id.eq(org_id.to_string()))
        .filter(users::id.eq_any(&wanted))
        .select((users::id, users::name, users::email))
        .load(conn)?;
    rows.into_iter().map(|(id, name, email)| Ok((parse_id(&id)?, Attendee { name, email }))).collect()
}

/// An activity as a calendar entry: the activity and its attending users. `Conflict` for a kind
/// that has none (a call, a note, an email).
pub fn calendar_entry(conn: &mut DbConnection, scope: &Scope, id: ActivityId) -> Result<(ActivityView, Vec<Attendee>)> {
    let view = get(conn, scope, id)?;
    if !kith_domain::core::activities::ics::has_entry(&view) {
        return Err(Error::Conflict("Only meetings, events and tasks with a due time have a calendar entry.".into()));
    }
    let names = people(conn, scope.org_id(), &view.attendee_users)?;
    let attendees = view.attendee_users.iter().filter_map(|u| names.get(u).cloned()).collect();
    Ok((view, attendees))
}

/// Activities that are the user's (assigned to them, or attended by them) of these kinds.
fn mine(conn: &mut DbConnection, org_id: OrgId, user: UserId) -> Result<Vec<String>> {
    Ok(activity_attendees::table
        .filter(activity_attendees::org_id.eq(org_id.to_string()))
        .filter(activity_attendees::attendee_kind.eq(USER))
        .filter(activity_attendees::attendee_id.eq(user.to_string()))
        .select(activity_attendees::activity_id)
        .load(conn)?)
}

/// Only the rows whose record the scope may read (each record checked once).
fn visible(conn: &mut DbConnection, scope: &Scope, rows: Vec<Row>) -> Result<Vec<Row>> {
    let mut seen: HashMap<(String, String), bool> = HashMap::new();
    let mut out = Vec::new();
    for r in rows {
        let key = (r.record_kind.clone(), r.record_id.clone());
        let ok = match seen.get(&key) {
            Some(ok) => *ok,
            None => {
                let ok = kernel().may_read(conn, scope, &r.record_kind, &r.record_id)?;
                seen.insert(key, ok);
                ok
            }
        };
        if ok {
            out.push(r);
        }
    }
    Ok(out)
}

/// The user's tasks not done due before `until`, soonest first (at most 200).
fn open_tasks(conn: &mut DbConnection, scope: &Scope, user: UserId, until: NaiveDateTime) -> Result<Vec<Row>> {
    let rows = activities::table
        .filter(activities::org_id.eq(scope.org_id().to_string()))
        .filter(activities::assignee_id.eq(user.to_string()))
        .filter(activities::kind.eq(ActivityKind::Task.as_str()))
        .filter(activities::done_at.is_null())
        .filter(activities::deleted_at.is_null())
        .filter(activities::due_at.lt(until))
        .order((activities::due_at.asc(), activities::id.asc()))
        .limit(200)
        .select(Row::as_select())
        .load(conn)?;
    visible(conn, scope, rows)
}

/// The user's meetings and events overlapping `[from, until)`, by start (at most 200).
fn meetings_between(
    conn: &mut DbConnection,
    scope: &Scope,
    user: UserId,
    from: NaiveDateTime,
    until: NaiveDateTime,
) -> Result<Vec<Row>> {
    let attending = mine(conn, scope.org_id(), user)?;
    let rows = activities::table
        .filter(activities::org_id.eq(scope.org_id().to_string()))
        .filter(activities::assignee_id.eq(user.to_string()).or(activities::id.eq_any(attending)))
        .filter(activities::kind.eq_any([ActivityKind::Meeting.as_str(), ActivityKind::Event.as_str()]))
        .filter(activities::deleted_at.is_null())
        .filter(activities::starts_at.lt(until))
        .filter(activities::ends_at.gt(from))
        .order((activities::starts_at.asc(), activities::id.asc()))
        .limit(200)
        .select(Row::as_select())
        .load(conn)?;
    visible(conn, scope, rows)
}

/// The caller's day (`utc_offset_minutes` east of UTC): overdue tasks, tasks due later today,
/// today's meetings and events, and the sections contexts register (due callbacks …).
pub fn my_day(conn: &mut DbConnection, scope: &Scope, utc_offset_minutes: i32) -> Result<MyDay> {
    let user = scope.user_id().ok_or_else(|| Error::Forbidden("My day is a person's".into()))?;
    let offset = Duration::minutes(i64::from(utc_offset_minutes));
    let at = now();
    let date = (at + offset).date();
    let day_start = date.and_hms_opt(0, 0, 0).unwrap_or(at) - offset;
    let day_end = day_start + Duration::days(1);
    let tasks = open_tasks(conn, scope, user, day_end)?;
    let (overdue, today): (Vec<Row>, Vec<Row>) = tasks.into_iter().partition(|r| r.due_at.is_some_and(|d| d < at));
    let meetings = meetings_between(conn, scope, user, day_start, day_end)?;
    let mut sections = Vec::new();
    for section in kernel().day_sections() {
        if let Some(s) = section(conn, scope, day_start, day_end)? {
            sections.push(s);
        }
    }
    Ok(MyDay {
        date,
        overdue_tasks: views(conn, scope, overdue)?,
        today_tasks: views(conn, scope, today)?,
        meetings: views(conn, scope, meetings)?,
        sections,
    })
}

// ---- the private calendar feed ----

/// Whether the caller has a feed, and since when.
pub fn feed_status(conn: &mut DbConnection, scope: &Scope) -> Result<Option<NaiveDateTime>> {
    let user = scope.user_id().ok_or_else(|| Error::Forbidden("A calendar feed is a person's".into()))?;
    Ok(calendar_feeds::table
        .filter(calendar_feeds::org_id.eq(scope.org_id().to_string()))
        .filter(calendar_feeds::user_id.eq(user.to_string()))
        .select(calendar_feeds::created_at)
        .first(conn)
        .optional()?)
}

/// A new feed token for the caller (the old one stops working); only its hash is kept.
pub fn new_feed(conn: &mut DbConnection, scope: &Scope) -> Result<(String, NaiveDateTime)> {
    let user = scope.user_id().ok_or_else(|| Error::Forbidden("A calendar feed is a person's".into()))?;
    transaction(conn, |c| {
        let token = format!("kcal_{}", tokens::generate_secret());
        let at = now();
        diesel::delete(calendar_feeds::table.filter(calendar_feeds::user_id.eq(user.to_string()))).execute(c)?;
        diesel::insert_into(calendar_feeds::table)
            .values((
                calendar_feeds::user_id.eq(user.to_string()),
                calendar_feeds::org_id.eq(scope.org_id().to_string()),
                calendar_feeds::token_hash.eq(tokens::hash_secret(&token)),
                calendar_feeds::created_at.eq(at),
            ))
            .execute(c)?;
        audit::record(c, scope, "calendar_feed", &user.to_string(), AuditAction::Create, &[])?;
        Ok((token, at))
    })
}

/// Revoke the caller's feed: its address answers 404 from now on.
pub fn revoke_feed(conn: &mut DbConnection, scope: &Scope) -> Result<()> {
    let user = scope.user_id().ok_or_else(|| Error::Forbidden("A calendar feed is a person's".into()))?;
    transaction(conn, |c| {
        let n = diesel::delete(
            calendar_feeds::table
                .filter(calendar_feeds::org_id.eq(scope.org_id().to_string()))
                .filter(calendar_feeds::user_id.eq(user.to_string())),
        )
        .execute(c)?;
        if n > 0 {
            audit::record(c, scope, "calendar_feed", &user.to_string(), AuditAction::Delete, &[])?;
        }
        Ok(())
    })
}

/// What a feed token shows: its user's name, and their meetings and events from 30 days ago to a
/// year ahead and their tasks with a due time (open ones, and those done in the last 30 days), on
/// records the user may read now (their scope is rebuilt: a disabled user's feed is empty).
/// `NotFound` for an unknown or revoked token.
#[allow(clippy::type_complexity)]
pub fn feed(conn: &mut DbConnection, token: &str) -> Result<(String, Vec<(ActivityView, Vec<Attendee>)>)> {
    let (user_id, org_id): (String, String) = calendar_feeds::table
        .filter(calendar_feeds::token_hash.eq(tokens::hash_secret(token)))
        .select((calendar_feeds::user_id, calendar_feeds::org_id))
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?;
    let org: OrgId = parse_id(&org_id)?;
    let user: UserId = parse_id(&user_id)?;
    let name: String = users::table.filter(users::id.eq(&user_id)).select(users::name).first(conn)?;
    let Some(scope) = Scope::of_recorded_actor(conn, org, &user_id)? else {
        return Ok((name, Vec::new()));
    };
    let at = now();
    let mut rows = meetings_between(conn, &scope, user, at - Duration::days(30), at + Duration::days(365))?;
    let tasks = activities::table
        .filter(activities::org_id.eq(&org_id))
        .filter(activities::assignee_id.eq(&user_id))
        .filter(activities::kind.eq(ActivityKind::Task.as_str()))
        .filter(activities::deleted_at.is_null())
        .filter(activities::due_at.is_not_null())
        .filter(activities::done_at.is_null().or(activities::done_at.gt(at - Duration::days(30))))
        .order(activities::due_at.asc())
        .limit(500)
        .select(Row::as_select())
        .load(conn)?;
    rows.extend(visible(conn, &scope, tasks)?);
    let views = views(conn, &scope, rows)?;
    let everyone: Vec<UserId> = views.iter().flat_map(|v| v.attendee_users.clone()).collect();
    let names = people(conn, org, &everyone)?;
    let entries = views
        .into_iter()
        .map(|v| {
            let attendees = v.attendee_users.iter().filter_map(|u| names.get(u).cloned()).collect();
            (v, attendees)
        })
        .collect();
    Ok((name, entries))
}

// ---- reminders ----

#[derive(serde::Deserialize)]
struct ReminderPayload {
    activity_id: String,
    remind_at: String,
}

/// Send one activity's reminder, once: the conditional update of `reminded_at` lets only one run
/// (of any worker, after any crash) write the notification and the email, in its transaction.
fn run_reminder(_: &JobContext, conn: &mut DbConnection, job: &LeasedJob) -> std::result::Result<JobDone, String> {
    let payload: ReminderPayload = serde_json::from_value(job.payload.clone()).map_err(|e| e.to_string())?;
    let org = job.org_id.ok_or("a reminder without an organization")?;
    let due = NaiveDateTime::parse_from_str(&payload.remind_at, "%Y-%m-%dT%H:%M:%S%.f").map_err(|e| e.to_string())?;
    transaction(conn, |c| {
        let claimed = diesel::update(
            activities::table
                .filter(activities::org_id.eq(org.to_string()))
                .filter(activities::id.eq(&payload.activity_id))
                .filter(activities::deleted_at.is_null())
                .filter(activities::remind_at.eq(due))
                .filter(activities::reminded_at.is_null()),
        )
        .set(activities::reminded_at.eq(Some(now())))
        .execute(c)?;
        if claimed == 0 {
            return Ok(()); // sent already, deleted, or its time changed (a newer job has it)
        }
        let row = find(c, org, &payload.activity_id, false)?;
        let Some(recipient) = row.assignee_id.clone().or_else(|| row.created_by.clone()) else { return Ok(()) };
        // Told only while they may still read the record.
        let Some(scope) = Scope::of_recorded_actor(c, org, &recipient)? else { return Ok(()) };
        if !kernel().may_read(c, &scope, &row.record_kind, &row.record_id)? {
            return Ok(());
        }
        let Some(user) = scope.user_id() else { return Ok(()) };
        let view = one(c, &scope, row)?;
        let on = view.record_name.clone().map(|n| format!(" ({n})")).unwrap_or_default();
        let when = view
            .starts_at
            .or(view.due_at)
            .map(|t| format!("\nWhen: {} UTC", t.format("%Y-%m-%d %H:%M")))
            .unwrap_or_default();
        notify(
            c,
            &scope,
            user,
            &Notice {
                kind: "activity_reminder",
                title: format!("Reminder: {}{on}", view.summary()),
                body: format!("{}{when}\n{}", view.summary(), view.body).trim_end().to_owned(),
                entity: Some((kind_of(&view.record_kind)?.entity, view.record_id.clone())),
                email: true,
                link: None,
            },
        )
    })
    .map_err(|e| e.to_string())?;
    Ok(JobDone::Finished)
}

/// An activity's history is readable by whoever may read its record.
fn read_one(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    let (record_kind, record_id): (String, String) = activities::table
        .filter(activities::org_id.eq(scope.org_id().to_string()))
        .filter(activities::id.eq(id))
        .select((activities::record_kind, activities::record_id))
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?;
    may_read(conn, scope, &record_kind, &record_id)
}

fn display(
    conn: &mut DbConnection,
    scope: &Scope,
    ids: &[String],
) -> Result<Vec<kith_domain::core::search::SearchHit>> {
    let rows = activities::table
        .filter(activities::org_id.eq(scope.org_id().to_string()))
        .filter(activities::id.eq_any(ids))
        .select(Row::as_select())
        .load(conn)?;
    let rows = visible(conn, scope, rows)?;
    let named = rows
        .into_iter()
        .map(|r| {
            let id = r.id.clone();
            r.view(Default::default(), None).map(|v| (id, v.summary()))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(crate::core::kernel::named(ENTITY, named))
}

/// Activities are a record kind of their own (audited, recycled, purged); their history follows
/// their record's access (`read_one`), whatever module that record belongs to. `Settings` is the
/// module of the organization-wide trail of every activity.
pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(RecordKind::new(ENTITY, Module::Settings).read_one(read_one).display(display).purged_by(purge));
    k.record_kind(RecordKind::new("calendar_feed", Module::Settings));
    k.job(REMINDER_JOB, run_reminder);
}
