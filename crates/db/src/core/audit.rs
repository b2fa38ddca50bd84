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
            record_name: None,
            actor_name: None,
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
    // A record's history is readable by whoever may read that record (own/team scope included):
    // for kinds with a per-record check that check decides (it includes the module's, and for kinds
    // that hang on another record, such as attachments, it is that record's); else the module.
    let per_record = match (q.entity.as_deref(), q.entity_id.as_deref()) {
        (Some(entity), Some(id)) => {
            crate::core::kernel::kernel().kind(entity).and_then(|k| k.read_one).map(|f| (f, id))
        }
        _ => None,
    };
    match per_record {
        Some((read_one, id)) => read_one(conn, scope, id)?,
        None => scope.require(module, Action::Read)?,
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
    if let Some(actor) = &q.actor_id {
        query = query.filter(audit_log::actor_id.eq(actor.clone()));
    }
    if let (Some(from), Some(to)) = (q.from, q.to) {
        if from > to {
            return Err(Error::field("to", "before_from", "The last day must not be before the first."));
        }
    }
    if let Some(from) = q.from {
        query = query.filter(audit_log::occurred_at.ge(from.and_time(chrono::NaiveTime::MIN)));
    }
    if let Some(to) = q.to.and_then(|d| d.succ_opt()) {
        query = query.filter(audit_log::occurred_at.lt(to.and_time(chrono::NaiveTime::MIN)));
    }
    if let Some(cursor) = &q.cursor {
        let c = Cursor::decode(cursor).map_err(|_| crate::core::util::bad_cursor())?;
        query = query.filter(audit_log::id.lt(c.id));
    }
    let rows = query.load(conn)?;
    let mut entries = rows.into_iter().map(AuditRow::into_entry).collect::<Result<Vec<_>>>()?;
    name_records(conn, scope, &mut entries)?;
    Ok(page_from_rows(entries, limit, |e| Cursor { key: None, id: e.id.to_string() }))
}

/// The record kind an actor is (users and API keys have names; the system and anonymous callers none).
fn actor_entity(kind: ActorKind) -> Option<&'static str> {
    match kind {
        ActorKind::User => Some("user"),
        ActorKind::ApiKey => Some("api_key"),
        _ => None,
    }
}

/// Name each entry's record (through its kind in the registry, or as it was put in the recycle bin)
/// and its actor, so a reader sees "Lead Jane Doe" and "Maya Manager", not ids.
fn name_records(conn: &mut DbConnection, scope: &Scope, entries: &mut [AuditEntry]) -> Result<()> {
    use std::collections::{BTreeMap, HashMap};
    let mut by_kind: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in entries.iter() {
        by_kind.entry(e.entity.clone()).or_default().push(e.entity_id.clone());
        if let (Some(actor), Some(kind)) = (&e.actor_id, actor_entity(e.actor_kind)) {
            by_kind.entry(kind.to_owned()).or_default().push(actor.clone());
        }
    }
    let kernel = crate::core::kernel::kernel();
    let mut names: HashMap<(String, String), String> = HashMap::new();
    for (kind, mut ids) in by_kind {
        ids.sort();
        ids.dedup();
        for (id, name) in kernel.names(conn, scope, &kind, &ids)? {
            names.insert((kind.clone(), id), name);
        }
        // Deleted records the kind no longer names: as they were named when deleted — for callers who
        // may read every record of the kind (own/team scopes cannot tell whose a binned record was).
        let unnamed: Vec<&String> =
            ids.iter().filter(|id| !names.contains_key(&(kind.clone(), (*id).clone()))).collect();
        let reads_all = kernel.kind(&kind).is_some_and(|k| {
            k.display.is_some()
                && scope.require(k.module, Action::Read).is_ok()
                && scope.permissions().get(k.module).scope == kith_domain::core::permissions::RecordScope::All
        });
        if !unnamed.is_empty() && reads_all {
            let binned: Vec<(String, String)> = crate::schema::recycle_bin::table
                .filter(crate::schema::recycle_bin::org_id.eq(scope.org_id().to_string()))
                .filter(crate::schema::recycle_bin::entity.eq(&kind))
                .filter(crate::schema::recycle_bin::entity_id.eq_any(unnamed))
                .select((crate::schema::recycle_bin::entity_id, crate::schema::recycle_bin::label))
                .load(conn)?;
            for (id, label) in binned {
                names.insert((kind.clone(), id), label);
            }
        }
    }
    for e in entries.iter_mut() {
        e.record_name = names.get(&(e.entity.clone(), e.entity_id.clone())).cloned();
        e.actor_name = match (&e.actor_id, actor_entity(e.actor_kind)) {
            (Some(id), Some(kind)) => names.get(&(kind.to_owned(), id.clone())).cloned(),
            _ => None,
        };
    }
    Ok(())
}
