//! The timeline of any record: what happened to it, when and by whom, keyed by record kind and id.
//! Pages are keyset pages over `(occurred_at, id)` on the `(record_kind, record_id, occurred_at, id)` index,
//! so a page costs the same whatever the length of the history. A record's timeline also shows the events
//! of the records linked to it (`record_links`: the lead, contact, potential and account that are one
//! person or deal), each only when the caller may read that record (the kind's read check in the registry).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kith_domain::core::page::{clamp_limit, page_from_rows, Cursor, Page, PageQuery};
use kith_domain::OrgId;

use crate::core::kernel::{kernel, RecordRef};
use crate::core::util::{new_id, now};
use crate::schema::{record_links, timeline_events};
use crate::{DbConnection, Result, Scope};

/// An event to add to a record's timeline.
#[derive(Clone, Debug, Default)]
pub struct NewEvent<'a> {
    pub kind: &'a str,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub note: Option<&'a str>,
    /// When it happened; `None` is now.
    pub at: Option<NaiveDateTime>,
}

/// One stored event.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = timeline_events)]
pub struct StoredEvent {
    pub id: String,
    pub record_kind: String,
    pub record_id: String,
    pub occurred_at: NaiveDateTime,
    pub kind: String,
    pub from_value: Option<String>,
    pub to_value: Option<String>,
    pub note: Option<String>,
    pub actor_kind: String,
    pub actor_id: Option<String>,
}

/// Add an event to a record's timeline, by the scope's actor (or the system's, for `actor = None`).
pub fn add(conn: &mut DbConnection, scope: &Scope, record: &RecordRef, event: &NewEvent<'_>) -> Result<()> {
    add_as(conn, scope.org_id(), record, event, scope.actor_kind().as_str(), scope.actor_id())
}

/// Add an event with an explicit actor (work the system does for a record, e.g. a sequence's email).
pub fn add_as(
    conn: &mut DbConnection,
    org_id: OrgId,
    record: &RecordRef,
    event: &NewEvent<'_>,
    actor_kind: &str,
    actor_id: Option<&str>,
) -> Result<()> {
    diesel::insert_into(timeline_events::table)
        .values((
            timeline_events::id.eq(new_id().to_string()),
            timeline_events::org_id.eq(org_id.to_string()),
            timeline_events::record_kind.eq(record.kind),
            timeline_events::record_id.eq(&record.id),
            timeline_events::occurred_at.eq(event.at.unwrap_or_else(now)),
            timeline_events::kind.eq(event.kind),
            timeline_events::from_value.eq(event.from),
            timeline_events::to_value.eq(event.to),
            timeline_events::note.eq(event.note),
            timeline_events::actor_kind.eq(actor_kind),
            timeline_events::actor_id.eq(actor_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// Link two records (both directions are read): their timelines show each other's events.
pub fn link(conn: &mut DbConnection, org_id: OrgId, a: &RecordRef, b: &RecordRef) -> Result<()> {
    let values = (
        record_links::org_id.eq(org_id.to_string()),
        record_links::from_kind.eq(a.kind),
        record_links::from_id.eq(&a.id),
        record_links::to_kind.eq(b.kind),
        record_links::to_id.eq(&b.id),
        record_links::created_at.eq(now()),
    );
    // One statement whatever runs concurrently: a link made twice is one link.
    match conn {
        DbConnection::Sqlite(c) => {
            diesel::insert_into(record_links::table).values(values).on_conflict_do_nothing().execute(c)?
        }
        DbConnection::Postgresql(c) => {
            diesel::insert_into(record_links::table).values(values).on_conflict_do_nothing().execute(c)?
        }
    };
    Ok(())
}

/// The records linked to `record`, in either direction, of kinds the registry knows.
pub fn linked(conn: &mut DbConnection, org_id: OrgId, record: &RecordRef) -> Result<Vec<RecordRef>> {
    let org = org_id.to_string();
    let outgoing: Vec<(String, String)> = record_links::table
        .filter(record_links::org_id.eq(&org))
        .filter(record_links::from_kind.eq(record.kind))
        .filter(record_links::from_id.eq(&record.id))
        .select((record_links::to_kind, record_links::to_id))
        .load(conn)?;
    let incoming: Vec<(String, String)> = record_links::table
        .filter(record_links::org_id.eq(&org))
        .filter(record_links::to_kind.eq(record.kind))
        .filter(record_links::to_id.eq(&record.id))
        .select((record_links::from_kind, record_links::from_id))
        .load(conn)?;
    let mut out: Vec<RecordRef> = outgoing
        .into_iter()
        .chain(incoming)
        .filter_map(|(kind, id)| kernel().kind(&kind).map(|k| RecordRef { kind: k.entity, id }))
        .filter(|r| r != record)
        .collect();
    out.sort();
    out.dedup();
    Ok(out)
}

/// A page of a record's timeline with its linked records' events, oldest first. The caller's right to
/// read `record` is checked by the caller; each linked record is checked here and left out when the
/// caller may not read it.
pub fn page(conn: &mut DbConnection, scope: &Scope, record: &RecordRef, q: &PageQuery) -> Result<Page<StoredEvent>> {
    let limit = clamp_limit(q.limit);
    let after = match q.cursor.as_deref() {
        Some(raw) => {
            let c = Cursor::decode(raw).map_err(|_| crate::core::util::bad_cursor())?;
            let at = c
                .key
                .as_deref()
                .and_then(|k| NaiveDateTime::parse_from_str(k, "%Y-%m-%dT%H:%M:%S%.f").ok())
                .ok_or_else(crate::core::util::bad_cursor)?;
            Some((at, c.id))
        }
        None => None,
    };
    let mut records = vec![record.clone()];
    for other in linked(conn, scope.org_id(), record)? {
        if kernel().may_read(conn, scope, other.kind, &other.id)? {
            records.push(other);
        }
    }
    // One index range per record, each at most limit + 1 rows; merged here.
    let mut rows: Vec<StoredEvent> = Vec::new();
    for r in &records {
        let mut query = timeline_events::table
            .filter(timeline_events::org_id.eq(scope.org_id().to_string()))
            .filter(timeline_events::record_kind.eq(r.kind))
            .filter(timeline_events::record_id.eq(&r.id))
            .into_boxed();
        if let Some((at, id)) = &after {
            query = query.filter(
                timeline_events::occurred_at
                    .gt(*at)
                    .or(timeline_events::occurred_at.eq(*at).and(timeline_events::id.gt(id.clone()))),
            );
        }
        rows.extend(
            query
                .order((timeline_events::occurred_at.asc(), timeline_events::id.asc()))
                .limit(i64::from(limit) + 1)
                .select(StoredEvent::as_select())
                .load(conn)?,
        );
    }
    rows.sort_by(|a, b| (a.occurred_at, &a.id).cmp(&(b.occurred_at, &b.id)));
    rows.truncate(limit as usize + 1);
    Ok(page_from_rows(rows, limit, |e| Cursor {
        key: Some(e.occurred_at.format("%Y-%m-%dT%H:%M:%S%.f").to_string()),
        id: e.id.clone(),
    }))
}

/// The kind and time of each of one record's events of the given kinds (no links; in no particular order),
/// for rules that read a record's history (scoring behaviours, a sequence's stop on reply).
pub fn kinds_of(conn: &mut DbConnection, record: &RecordRef, kinds: &[&str]) -> Result<Vec<(String, NaiveDateTime)>> {
    Ok(timeline_events::table
        .filter(timeline_events::record_kind.eq(record.kind))
        .filter(timeline_events::record_id.eq(&record.id))
        .filter(timeline_events::kind.eq_any(kinds))
        .select((timeline_events::kind, timeline_events::occurred_at))
        .load(conn)?)
}

/// Move events from one record to another (a merge), returning the ids moved so an undo can move them back.
pub fn move_events(
    conn: &mut DbConnection,
    org_id: OrgId,
    from: &RecordRef,
    to: &RecordRef,
    ids: Option<&[String]>,
) -> Result<()> {
    let org = org_id.to_string();
    let base = timeline_events::table
        .filter(timeline_events::org_id.eq(&org))
        .filter(timeline_events::record_kind.eq(from.kind))
        .filter(timeline_events::record_id.eq(&from.id));
    match ids {
        Some(ids) => {
            for chunk in ids.chunks(500) {
                diesel::update(base.filter(timeline_events::id.eq_any(chunk)))
                    .set((timeline_events::record_kind.eq(to.kind), timeline_events::record_id.eq(&to.id)))
                    .execute(conn)?;
            }
        }
        None => {
            diesel::update(base)
                .set((timeline_events::record_kind.eq(to.kind), timeline_events::record_id.eq(&to.id)))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Ids of a record's events, oldest first.
pub fn ids_of(conn: &mut DbConnection, org_id: OrgId, record: &RecordRef) -> Result<Vec<String>> {
    Ok(timeline_events::table
        .filter(timeline_events::org_id.eq(org_id.to_string()))
        .filter(timeline_events::record_kind.eq(record.kind))
        .filter(timeline_events::record_id.eq(&record.id))
        .order((timeline_events::occurred_at.asc(), timeline_events::id.asc()))
        .select(timeline_events::id)
        .load(conn)?)
}

/// A purged record's events and links go with it.
pub(crate) fn forget(conn: &mut DbConnection, org_id: OrgId, record: &RecordRef) -> Result<()> {
    let org = org_id.to_string();
    diesel::delete(
        timeline_events::table
            .filter(timeline_events::org_id.eq(&org))
            .filter(timeline_events::record_kind.eq(record.kind))
            .filter(timeline_events::record_id.eq(&record.id)),
    )
    .execute(conn)?;
    diesel::delete(
        record_links::table
            .filter(record_links::org_id.eq(&org))
            .filter(record_links::from_kind.eq(record.kind))
            .filter(record_links::from_id.eq(&record.id)),
    )
    .execute(conn)?;
    diesel::delete(
        record_links::table
            .filter(record_links::org_id.eq(&org))
            .filter(record_links::to_kind.eq(record.kind))
            .filter(record_links::to_id.eq(&record.id)),
    )
    .execute(conn)?;
    Ok(())
}

/// A page of a record's timeline as the API's generic events (for kinds without an event type of
/// their own), with its linked records' events the caller may read.
pub fn record_events(
    conn: &mut DbConnection,
    scope: &Scope,
    record: &RecordRef,
    q: &PageQuery,
) -> Result<Page<kith_domain::core::timeline::RecordEvent>> {
    let page = page(conn, scope, record, q)?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|r| kith_domain::core::timeline::RecordEvent {
                id: r.id,
                record_kind: r.record_kind,
                record_id: r.record_id,
                occurred_at: crate::core::util::to_utc(r.occurred_at),
                kind: r.kind,
                from: r.from_value,
                to: r.to_value,
                note: r.note,
                actor_id: r.actor_id,
            })
            .collect(),
        next_cursor: page.next_cursor,
    })
}
