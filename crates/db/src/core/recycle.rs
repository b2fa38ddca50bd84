//! The recycle bin, shared by every module that deletes records: a deleted record is marked in its
//! own table and listed here; restore takes it back out; after 30 days the purge removes it for good.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use kith_domain::core::modules::Module;
use kith_domain::core::page::{clamp_limit, page_from_rows, Cursor, Page, PageQuery};
use kith_domain::core::permissions::Action;
use kith_domain::core::recycle::{purge_at, RecycleBinItem, RETENTION_DAYS};

use crate::core::util::{now, parse_id, to_utc, transaction};
use crate::schema::recycle_bin;
use crate::{DbConnection, Error, Result, Scope};

pub(crate) fn put(
    conn: &mut DbConnection,
    scope: &Scope,
    entity: &str,
    entity_id: &str,
    label: &str,
    deleted_at: NaiveDateTime,
) -> Result<()> {
    diesel::insert_into(recycle_bin::table)
        .values((
            recycle_bin::org_id.eq(scope.org_id().to_string()),
            recycle_bin::entity.eq(entity),
            recycle_bin::entity_id.eq(entity_id),
            recycle_bin::label.eq(label),
            recycle_bin::deleted_at.eq(deleted_at),
            recycle_bin::deleted_by.eq(scope.actor_id()),
        ))
        .execute(conn)
        .map_err(|e| match Error::from(e) {
            // A concurrent delete of the same record put it in the bin first (two requests both saw
            // it live): for this one it is already gone, a 404 like any later delete.
            Error::Conflict(_) => Error::NotFound,
            other => other,
        })?;
    Ok(())
}

pub(crate) fn take(conn: &mut DbConnection, scope: &Scope, entity: &str, entity_id: &str) -> Result<()> {
    diesel::delete(
        recycle_bin::table
            .filter(recycle_bin::org_id.eq(scope.org_id().to_string()))
            .filter(recycle_bin::entity.eq(entity))
            .filter(recycle_bin::entity_id.eq(entity_id)),
    )
    .execute(conn)?;
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = recycle_bin)]
struct BinRow {
    org_id: String,
    entity: String,
    entity_id: String,
    label: String,
    deleted_at: NaiveDateTime,
    deleted_by: Option<String>,
}

/// Newest deletions first. Lists the entities the caller may write (and so restore).
pub fn list(conn: &mut DbConnection, scope: &Scope, q: &PageQuery) -> Result<Page<RecycleBinItem>> {
    scope.require(Module::Settings, Action::Write)?;
    let limit = clamp_limit(q.limit);
    let mut query = recycle_bin::table
        .filter(recycle_bin::org_id.eq(scope.org_id().to_string()))
        .select(BinRow::as_select())
        .order((recycle_bin::deleted_at.desc(), recycle_bin::entity_id.desc()))
        .limit(i64::from(limit) + 1)
        .into_boxed();
    if let Some(cursor) = &q.cursor {
        let c = Cursor::decode(cursor).map_err(|_| crate::core::util::bad_cursor())?;
        let at: NaiveDateTime =
            c.key.as_deref().and_then(|k| k.parse().ok()).ok_or_else(crate::core::util::bad_cursor)?;
        query = query.filter(
            recycle_bin::deleted_at.lt(at).or(recycle_bin::deleted_at.eq(at).and(recycle_bin::entity_id.lt(c.id))),
        );
    }
    let rows = query.load(conn)?;
    let items: Vec<(NaiveDateTime, RecycleBinItem)> = rows
        .into_iter()
        .map(|r| {
            let deleted_at = to_utc(r.deleted_at);
            (
                r.deleted_at,
                RecycleBinItem {
                    entity: r.entity,
                    entity_id: r.entity_id,
                    label: r.label,
                    deleted_at,
                    deleted_by: r.deleted_by,
                    purge_at: purge_at(deleted_at),
                },
            )
        })
        .collect();
    let page =
        page_from_rows(items, limit, |(at, item)| Cursor { key: Some(at.to_string()), id: item.entity_id.clone() });
    Ok(page.map(|(_, item)| item))
}

/// Purge everything deleted more than 30 days ago, in every organization. Safe to run on several
/// nodes at once: each record is purged in its own transaction and a purged row is gone for the others.
pub fn purge_expired(conn: &mut DbConnection) -> Result<usize> {
    let cutoff = now() - Duration::days(RETENTION_DAYS);
    let expired: Vec<BinRow> = recycle_bin::table
        .filter(recycle_bin::deleted_at.lt(cutoff))
        .select(BinRow::as_select())
        .limit(500)
        .load(conn)?;
    let mut purged = 0;
    for row in expired {
        let scope = Scope::system(parse_id(&row.org_id)?, crate::core::scope::SystemTask::Purge);
        transaction(conn, |c| {
            let removed = diesel::delete(
                recycle_bin::table
                    .filter(recycle_bin::org_id.eq(&row.org_id))
                    .filter(recycle_bin::entity.eq(&row.entity))
                    .filter(recycle_bin::entity_id.eq(&row.entity_id)),
            )
            .execute(c)?;
            if removed == 0 {
                return Ok(());
            }
            let kind = crate::core::kernel::kernel()
                .kind(&row.entity)
                .filter(|k| k.purge.is_some())
                .ok_or_else(|| Error::Internal(format!("no purge for entity {:?}", row.entity)))?;
            if let Some(purge) = kind.purge {
                purge(c, &scope, &row.entity_id)?;
            }
            // What the kernel keeps for any record goes with it: tags, custom values, timeline, links,
            // search document, activities, attachments.
            let record = crate::core::kernel::RecordRef::new(kind.entity, &row.entity_id);
            crate::core::tags::forget(c, scope.org_id(), &record)?;
            crate::core::search::forget(c, scope.org_id(), &record)?;
            crate::core::custom_fields::forget(c, scope.org_id(), &record)?;
            crate::core::timeline::forget(c, scope.org_id(), &record)?;
            crate::core::activities::forget_record(c, &scope, &record)?;
            crate::core::attachments::forget_record(c, &scope, &row.entity, &row.entity_id)
        })?;
        purged += 1;
    }
    Ok(purged)
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.maintenance("purged", purge_expired);
}
