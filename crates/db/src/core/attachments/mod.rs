//! Attachments, a feature of the record kernel: files kept with a record of any registered kind
//! (`record_kind`, `record_id`). Access is the parent record's, through the kernel registry:
//! attaching and deleting need its `write_one`, listing and reading its `read_one` (own/team scope
//! included; a record the caller may not see answers NotFound, and so do its attachments). A kind
//! that registers neither takes no attachments.
//!
//! The bytes live in an [`AttachmentStore`]; rows name them by a server-made key. Deleting moves an
//! attachment to the recycle bin; the purge (the attachment's own, or its parent's) removes the row
//! and writes its key to `attachment_purges` in the same transaction, and the hourly store
//! maintenance ([`sweep_purged_files`], which the worker runs with the node's store) deletes the
//! bytes and then the key — so bytes are deleted only once their row is gone for good, and always.

pub mod store;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kith_domain::core::attachments::AttachmentView;
use kith_domain::core::audit::AuditAction;
use kith_domain::core::modules::Module;
use kith_domain::core::page::{clamp_limit, page_from_rows, Cursor, Page, PageQuery};
use kith_domain::AttachmentId;
pub use store::{AttachmentStore, DiskStore};

use crate::core::kernel::{kernel, RecordKind, TimelineEntry};
use crate::core::util::{new_id, now, parse_id, to_utc, transaction};
use crate::core::{audit, recycle};
use crate::schema::{attachment_purges, attachments};
use crate::{DbConnection, Error, Result, Scope};

pub const ENTITY: &str = "attachment";

/// A file accepted by the API (streamed, checked and stored under `storage_key`), to be recorded.
#[derive(Clone, Debug)]
pub struct NewAttachment {
    pub record_kind: &'static str,
    pub record_id: String,
    /// Sanitized for display (`kith_domain::core::attachments::display_name`).
    pub file_name: String,
    /// From the allow-list (`FileKind::content_type`).
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub storage_key: String,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = attachments)]
struct Row {
    id: String,
    record_kind: String,
    record_id: String,
    file_name: String,
    content_type: String,
    size: i64,
    sha256: String,
    storage_key: String,
    uploaded_by: Option<String>,
    created_at: NaiveDateTime,
}

impl Row {
    fn view(&self) -> Result<AttachmentView> {
        Ok(AttachmentView {
            id: parse_id(&self.id)?,
            record_kind: self.record_kind.clone(),
            record_id: self.record_id.clone(),
            file_name: self.file_name.clone(),
            content_type: self.content_type.clone(),
            size: self.size,
            sha256: self.sha256.clone(),
            uploaded_by: self.uploaded_by.clone(),
            created_at: to_utc(self.created_at),
        })
    }
}

fn kind(record_kind: &str) -> Result<&'static RecordKind> {
    kernel().kind(record_kind).ok_or(Error::NotFound)
}

/// May the caller read this record (and so its attachments)? NotFound otherwise.
fn may_read(conn: &mut DbConnection, scope: &Scope, record_kind: &str, record_id: &str) -> Result<()> {
    let check = kind(record_kind)?.read_one.ok_or(Error::NotFound)?;
    check(conn, scope, record_id)
}

/// May the caller attach files to this record (and delete them)? NotFound when they may not read
/// it, Forbidden when they may read but not change it. The API asks before it reads an upload.
pub fn may_attach(conn: &mut DbConnection, scope: &Scope, record_kind: &str, record_id: &str) -> Result<()> {
    let check = kind(record_kind)?.write_one.ok_or(Error::NotFound)?;
    check(conn, scope, record_id)
}

fn note(conn: &mut DbConnection, scope: &Scope, row: &Row, entry: TimelineEntry<'_>) -> Result<()> {
    match kind(&row.record_kind)?.timeline {
        Some(add) => add(conn, scope, &row.record_id, entry),
        None => Ok(()),
    }
}

fn find(conn: &mut DbConnection, scope: &Scope, id: &str, deleted: bool) -> Result<Row> {
    let mut q = attachments::table
        .filter(attachments::org_id.eq(scope.org_id().to_string()))
        .filter(attachments::id.eq(id))
        .select(Row::as_select())
        .into_boxed();
    q = if deleted {
        q.filter(attachments::deleted_at.is_not_null())
    } else {
        q.filter(attachments::deleted_at.is_null())
    };
    q.first(conn).optional()?.ok_or(Error::NotFound)
}

/// A live attachment the caller may read.
fn readable(conn: &mut DbConnection, scope: &Scope, id: AttachmentId) -> Result<Row> {
    let row = find(conn, scope, &id.to_string(), false)?;
    may_read(conn, scope, &row.record_kind, &row.record_id)?;
    Ok(row)
}

/// Record an uploaded file on its record: the row, its audit entry and the record's timeline entry,
/// in one transaction. The caller removes the stored bytes when this fails.
pub fn create(conn: &mut DbConnection, scope: &Scope, new: &NewAttachment) -> Result<AttachmentView> {
    transaction(conn, |c| {
        may_attach(c, scope, new.record_kind, &new.record_id)?;
        let id = new_id().to_string();
        diesel::insert_into(attachments::table)
            .values((
                attachments::id.eq(&id),
                attachments::org_id.eq(scope.org_id().to_string()),
                attachments::record_kind.eq(new.record_kind),
                attachments::record_id.eq(&new.record_id),
                attachments::file_name.eq(&new.file_name),
                attachments::content_type.eq(&new.content_type),
                attachments::size.eq(new.size),
                attachments::sha256.eq(&new.sha256),
                attachments::storage_key.eq(&new.storage_key),
                attachments::uploaded_by.eq(scope.actor_id()),
                attachments::created_at.eq(now()),
            ))
            .execute(c)?;
        let row = find(c, scope, &id, false)?;
        let view = row.view()?;
        audit::record_created(c, scope, ENTITY, &id, &view)?;
        note(c, scope, &row, TimelineEntry::AttachmentAdded { file_name: &row.file_name })?;
        Ok(view)
    })
}

/// A record's attachments, newest first, a page at a time.
pub fn list(
    conn: &mut DbConnection,
    scope: &Scope,
    record_kind: &str,
    record_id: &str,
    q: &PageQuery,
) -> Result<Page<AttachmentView>> {
    may_read(conn, scope, record_kind, record_id)?;
    let limit = clamp_limit(q.limit);
    let mut query = attachments::table
        .filter(attachments::org_id.eq(scope.org_id().to_string()))
        .filter(attachments::record_kind.eq(record_kind))
        .filter(attachments::record_id.eq(record_id))
        .filter(attachments::deleted_at.is_null())
        .select(Row::as_select())
        .order(attachments::id.desc())
        .limit(i64::from(limit) + 1)
        .into_boxed();
    if let Some(cursor) = &q.cursor {
        let c = Cursor::decode(cursor).map_err(|_| crate::core::util::bad_cursor())?;
        query = query.filter(attachments::id.lt(c.id));
    }
    let views = query.load(conn)?.iter().map(Row::view).collect::<Result<Vec<_>>>()?;
    Ok(page_from_rows(views, limit, |v| Cursor { key: None, id: v.id.to_string() }))
}

pub fn get(conn: &mut DbConnection, scope: &Scope, id: AttachmentId) -> Result<AttachmentView> {
    readable(conn, scope, id)?.view()
}

/// An attachment to download: what it is and the key of its bytes.
pub fn content(conn: &mut DbConnection, scope: &Scope, id: AttachmentId) -> Result<(AttachmentView, String)> {
    let row = readable(conn, scope, id)?;
    Ok((row.view()?, row.storage_key))
}

/// To the recycle bin (restorable for 30 days); needs the right to change the record.
pub fn delete(conn: &mut DbConnection, scope: &Scope, id: AttachmentId) -> Result<()> {
    transaction(conn, |c| {
        let row = readable(c, scope, id)?;
        may_attach(c, scope, &row.record_kind, &row.record_id)?;
        let at = now();
        diesel::update(attachments::table.filter(attachments::id.eq(&row.id)))
            .set(attachments::deleted_at.eq(Some(at)))
            .execute(c)?;
        recycle::put(c, scope, ENTITY, &row.id, &row.file_name, at)?;
        audit::record(c, scope, ENTITY, &row.id, AuditAction::Delete, &[])?;
        note(c, scope, &row, TimelineEntry::AttachmentRemoved { file_name: &row.file_name })
    })
}

/// Back from the recycle bin, onto its record (which the caller must still be allowed to change).
pub fn restore(conn: &mut DbConnection, scope: &Scope, id: AttachmentId) -> Result<AttachmentView> {
    transaction(conn, |c| {
        let row = find(c, scope, &id.to_string(), true)?;
        may_attach(c, scope, &row.record_kind, &row.record_id)?;
        diesel::update(attachments::table.filter(attachments::id.eq(&row.id)))
            .set(attachments::deleted_at.eq(None::<NaiveDateTime>))
            .execute(c)?;
        recycle::take(c, scope, ENTITY, &row.id)?;
        audit::record(c, scope, ENTITY, &row.id, AuditAction::Restore, &[])?;
        note(c, scope, &row, TimelineEntry::AttachmentAdded { file_name: &row.file_name })?;
        row.view()
    })
}

/// Remove rows for good and leave their keys for [`sweep_purged_files`].
fn forget(conn: &mut DbConnection, scope: &Scope, rows: Vec<(String, String)>) -> Result<()> {
    for (id, key) in rows {
        diesel::insert_into(attachment_purges::table)
            .values((attachment_purges::storage_key.eq(&key), attachment_purges::purged_at.eq(now())))
            .execute(conn)?;
        diesel::delete(attachments::table.filter(attachments::id.eq(&id))).execute(conn)?;
        audit::record(conn, scope, ENTITY, &id, AuditAction::Purge, &[])?;
    }
    Ok(())
}

/// The purge of an attachment from the recycle bin.
fn purge(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    let rows = attachments::table
        .filter(attachments::org_id.eq(scope.org_id().to_string()))
        .filter(attachments::id.eq(id))
        .filter(attachments::deleted_at.is_not_null())
        .select((attachments::id, attachments::storage_key))
        .load(conn)?;
    forget(conn, scope, rows)
}

/// Move a record's attachments (live and in the bin; only `ids` when given) to another record, e.g. from a
/// merged lead to the kept one; returns the ids moved, so an undo can move exactly those back.
pub(crate) fn move_between(
    conn: &mut DbConnection,
    org_id: kith_domain::OrgId,
    from: &crate::core::kernel::RecordRef,
    to: &crate::core::kernel::RecordRef,
    only: Option<&[String]>,
) -> Result<Vec<String>> {
    let mut ids: Vec<String> = attachments::table
        .filter(attachments::org_id.eq(org_id.to_string()))
        .filter(attachments::record_kind.eq(from.kind))
        .filter(attachments::record_id.eq(&from.id))
        .select(attachments::id)
        .load(conn)?;
    if let Some(only) = only {
        ids.retain(|id| only.contains(id));
    }
    for chunk in ids.chunks(500) {
        diesel::update(attachments::table.filter(attachments::id.eq_any(chunk)))
            .set((attachments::record_kind.eq(to.kind), attachments::record_id.eq(&to.id)))
            .execute(conn)?;
    }
    Ok(ids)
}

/// A purged record takes its attachments along (live ones and those in the bin). The recycle bin's
/// purge calls this for every kind it purges, in the same transaction.
pub(crate) fn forget_record(conn: &mut DbConnection, scope: &Scope, record_kind: &str, record_id: &str) -> Result<()> {
    let rows: Vec<(String, String)> = attachments::table
        .filter(attachments::org_id.eq(scope.org_id().to_string()))
        .filter(attachments::record_kind.eq(record_kind))
        .filter(attachments::record_id.eq(record_id))
        .select((attachments::id, attachments::storage_key))
        .load(conn)?;
    for (id, _) in &rows {
        recycle::take(conn, scope, ENTITY, id)?;
    }
    forget(conn, scope, rows)
}

/// Delete the bytes of purged attachments from the store, then their keys. A failing store leaves
/// the keys for the next hour.
pub fn sweep_purged_files(store: &dyn AttachmentStore, conn: &mut DbConnection) -> Result<usize> {
    let keys: Vec<String> = attachment_purges::table
        .select(attachment_purges::storage_key)
        .order(attachment_purges::purged_at.asc())
        .limit(500)
        .load(conn)?;
    let mut deleted = 0;
    for key in keys {
        store.delete(&key).map_err(|e| Error::Internal(format!("delete attachment file {key}: {e}")))?;
        diesel::delete(attachment_purges::table.filter(attachment_purges::storage_key.eq(&key))).execute(conn)?;
        deleted += 1;
    }
    Ok(deleted)
}

/// An attachment's history is readable by whoever may read its record.
fn read_one(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    let (record_kind, record_id): (String, String) = attachments::table
        .filter(attachments::org_id.eq(scope.org_id().to_string()))
        .filter(attachments::id.eq(id))
        .select((attachments::record_kind, attachments::record_id))
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?;
    may_read(conn, scope, &record_kind, &record_id)
}

/// Attachments are a record kind of their own (audited, recycled, purged); their history follows
/// their record's access (`read_one`), whatever module that record belongs to. `Settings` is the
/// module of the organization-wide trail of every attachment.
pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        RecordKind::new(ENTITY, Module::Settings)
            .read_one(read_one)
            .display(crate::display_by!(ENTITY, attachments, file_name))
            .purged_by(purge),
    );
    k.store_maintenance("attachment files", sweep_purged_files);
}
