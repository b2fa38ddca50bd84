//! The append-only audit trail: written inside the transaction of the change it records.

use diesel::prelude::*;
use kith_domain::core::audit::{ActorKind, AuditAction, AuditEntry, AuditQuery, FieldChange};
use kith_domain::core::modules::Module;
use kith_domain::core::page::{clamp_limit, page_from_rows, Cursor, Page};
use kith_domain::core::permissions::Action;
use kith_domain::AuditId;

use crate::core::util::{new_id, now, parse_id, to_utc};
use crate::schema::audit_log;
use crate::{DbConnection, Error, Result, Scope};

/// Record one change. `changes` lists the fields that changed; secrets must never be among them.
pub fn record(
    conn: &mut DbConnection,
    scope: &Scope,
    entity: &str,
    entity_id: &str,
    action: AuditAction,
    changes: &[FieldChange],
) -> Result<()> {
    let changes = serde_json::to_string(changes).map_err(|e| Error::Internal(e.to_string()))?;
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(new_id().to_string()),
            audit_log::org_id.eq(scope.org_id().to_string()),
            audit_log::occurred_at.eq(now()),
            audit_log::actor_kind.eq(scope.actor_kind().as_str()),
            audit_log::actor_id.eq(scope.actor_id()),
            audit_log::entity.eq(entity),
            audit_log::entity_id.eq(entity_id),
            audit_log::action.eq(action.as_str()),
            audit_log::changes.eq(changes),
            audit_log::request_id.eq(scope.request_id()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Record a creation: every field of the new record as a change from `null`.
pub fn record_created(
    conn: &mut DbConnection,
    scope: &Scope,
    entity: &str,
    entity_id: &str,
    view: &impl serde::Serialize,
) -> Result<()> {
    let new = serde_json::to_value(view).map_err(|e| Error::Internal(e.to_string()))?;
    let changes = kith_domain::core::audit::diff(&serde_json::Value::Null, &new);
    record(conn, scope, entity, entity_id, AuditAction::Create, &changes)
}

/// Record an update as the field-by-field difference of the two views.
pub fn record_updated(
    conn: &mut DbConnection,
    scope: &Scope,
    entity: &str,
    entity_id: &str,
    before: &impl serde::Serialize,
    after: &impl serde::Serialize,
) -> Result<()> {
    let old = serde_json::to_value(before).map_err(|e| Error::Internal(e.to_string()))?;
    let new = serde_json::to_value(after).map_err(|e| Error::Internal(e.to_string()))?;
    let changes = kith_domain::core::audit::diff(&old, &new);
    if changes.is_empty() {
        return Ok(());
    }
    record(conn, scope, entity, entity_id, AuditAction::Update, &changes)
}

/// The module whose read permission governs an entity's history (from the kernel's record kinds).
pub fn module_of(entity: &str) -> Option<Module> {
    crate::core::kernel::kernel().kind(entity).map(|k| k.module)
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = audit_log)]
struct AuditRow {
    id: String,
    occurred_at: chrono::NaiveDateTime,
    actor_kind: String,
    actor_id: Option<String>,
    entity: String,
    entity_id: String,
    action: String,
    changes: String,
    request_id: Option<String>,
}

impl AuditRow {
    fn into_entry(self) -> Result<AuditEntry> {
        Ok(AuditEntry {
            id: parse_id::<AuditId>(&self.id)?,
            occurred_at: to_utc(self.occurred_at),
            actor_kind: ActorKind::parse(&self.actor_kind),
            actor_id: self.actor_id,
            entity: self.entity,
            entity_id: self.entity_id,
            action: AuditAction::parse(&self.action)
                .ok_or_else(|| Error::Internal(format!("unknown audit action {:?}", self.action)))?,
            changes: serde_json::from_str(&self.changes).map_err(|e| Error::Internal(e.to_string()))?,
            request_id: self.request_id,
        })
    }
}

/// Newest first. With `entity` (and `entity_id`): the history of those records, readable by whoever
/// may read that module; without: the organization's whole trail, for those who may read settings.
pub fn list(conn: &mut DbConnection, scope: &Scope, q: &AuditQuery) -> Result<Page<AuditEntry>> {
    let module = match (&q.entity, &q.entity_id) {
        (Some(entity), Some(_)) => {
            module_of(entity).ok_or_else(|| Error::field("entity", "unknown", "No such entity type."))?
        }
        (Some(entity), None) => {
            module_of(entity).ok_or_else(|| Error::field("entity", "unknown", "No such entity type."))?;
            Module::Settings // every record of a kind: the organization-wide trail
        }
        (None, _) => Module::Settings,
    };
    scope.require(module, Action::Read)?;
    // A record's history is readable by whoever may read that record (own/team scope included).
    if let (Some(entity), Some(id)) = (q.entity.as_deref(), q.entity_id.as_deref()) {
        if let Some(read_one) = crate::core::kernel::kernel().kind(entity).and_then(|k| k.read_one) {
            read_one(conn, scope, id)?;
        }
    }
    let limit = clamp_limit(q.limit);
    let mut query = audit_log::table
        .filter(audit_log::org_id.eq(scope.org_id().to_string()))
        .select(AuditRow::as_select())
        .order(audit_log::id.desc())
        .limit(i64::from(limit) + 1)
        .into_boxed();
    if let Some(entity) = &q.entity {
        query = query.filter(audit_log::entity.eq(entity.clone()));
    }
    if let Some(id) = &q.entity_id {
        query = query.filter(audit_log::entity_id.eq(id.clone()));
    }
    if let Some(cursor) = &q.cursor {
        let c = Cursor::decode(cursor).map_err(|_| crate::core::util::bad_cursor())?;
        query = query.filter(audit_log::id.lt(c.id));
    }
    let rows = query.load(conn)?;
    let entries = rows.into_iter().map(AuditRow::into_entry).collect::<Result<Vec<_>>>()?;
    Ok(page_from_rows(entries, limit, |e| Cursor { key: None, id: e.id.to_string() }))
}
