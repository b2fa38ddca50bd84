//! Tags on any record, keyed by record kind and id: replaced as a set, read for a page of records in
//! one query; lists filter on `record_tags` through its `(org_id, record_kind, tag, record_id)` index.

use std::collections::HashMap;

use diesel::prelude::*;
use kith_domain::OrgId;

use crate::core::kernel::RecordRef;
use crate::schema::record_tags;
use crate::{DbConnection, Result};

/// Replace a record's tags with `tags` (already normalized by the caller's domain rules).
pub fn replace(conn: &mut DbConnection, org_id: OrgId, record: &RecordRef, tags: &[String]) -> Result<()> {
    forget(conn, org_id, record)?;
    for tag in tags {
        diesel::insert_into(record_tags::table)
            .values((
                record_tags::org_id.eq(org_id.to_string()),
                record_tags::record_kind.eq(record.kind),
                record_tags::record_id.eq(&record.id),
                record_tags::tag.eq(tag),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The tags of many records of one kind, sorted, by record id.
pub fn of(conn: &mut DbConnection, kind: &str, ids: &[String]) -> Result<HashMap<String, Vec<String>>> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(map);
    }
    let rows: Vec<(String, String)> = record_tags::table
        .filter(record_tags::record_kind.eq(kind))
        .filter(record_tags::record_id.eq_any(ids))
        .order((record_tags::record_id, record_tags::tag))
        .select((record_tags::record_id, record_tags::tag))
        .load(conn)?;
    for (id, tag) in rows {
        map.entry(id).or_default().push(tag);
    }
    Ok(map)
}

/// A purged record's tags go with it.
pub(crate) fn forget(conn: &mut DbConnection, org_id: OrgId, record: &RecordRef) -> Result<()> {
    diesel::delete(
        record_tags::table
            .filter(record_tags::org_id.eq(org_id.to_string()))
            .filter(record_tags::record_kind.eq(record.kind))
            .filter(record_tags::record_id.eq(&record.id)),
    )
    .execute(conn)?;
    Ok(())
}
