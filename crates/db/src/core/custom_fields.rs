//! Custom fields: the definitions admins manage (per record kind: every kind registered with
//! `RecordKind::custom_fields`; leads so far), and the values records
//! hold (one row per record and field in `custom_values`, keyed by record kind and id, loaded for a
//! page of records in one query).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kith_domain::core::audit::AuditAction;
use kith_domain::core::custom_fields::*;
use kith_domain::core::modules::Module;
use kith_domain::core::permissions::Action;
use kith_domain::core::validation::Check;
use kith_domain::{CustomFieldId, OrgId};
use serde_json::Value;

use crate::core::kernel::RecordRef;
use crate::core::util::{new_id, now, parse_id, to_utc, transaction};
use crate::schema::{custom_field_defs, custom_values};
use crate::{core::audit, DbConnection, Error, Result, Scope};

pub const ENTITY: &str = "custom_field";

#[derive(Queryable, Selectable)]
#[diesel(table_name = custom_field_defs)]
struct DefRow {
    id: String,
    entity: String,
    key: String,
    label: String,
    help_text: Option<String>,
    kind: String,
    options: String,
    retired_options: String,
    required: bool,
    position: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
}

impl DefRow {
    fn into_view(self) -> Result<CustomFieldView> {
        Ok(CustomFieldView {
            id: parse_id(&self.id)?,
            record_kind: self.entity,
            kind: CustomFieldKind::parse(&self.kind)
                .ok_or_else(|| Error::Internal(format!("bad custom field kind {:?}", self.kind)))?,
            options: serde_json::from_str(&self.options)
                .map_err(|e| Error::Internal(format!("stored options are unreadable: {e}")))?,
            retired_options: serde_json::from_str(&self.retired_options)
                .map_err(|e| Error::Internal(format!("stored retired options are unreadable: {e}")))?,
            key: self.key,
            label: self.label,
            help_text: self.help_text,
            required: self.required,
            position: self.position,
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
            version: self.version,
        })
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))
}

/// The organization's live fields of one record kind in display order.
pub fn defs(conn: &mut DbConnection, org_id: OrgId, record_kind: &str) -> Result<Vec<CustomFieldView>> {
    custom_field_defs::table
        .filter(custom_field_defs::org_id.eq(org_id.to_string()))
        .filter(custom_field_defs::entity.eq(record_kind))
        .filter(custom_field_defs::deleted_at.is_null())
        .order((custom_field_defs::position.asc(), custom_field_defs::id.asc()))
        .select(DefRow::as_select())
        .load(conn)?
        .into_iter()
        .map(DefRow::into_view)
        .collect()
}

/// One live field of a record kind by key.
pub(crate) fn def_by_key(
    conn: &mut DbConnection,
    org_id: OrgId,
    record_kind: &str,
    key: &str,
) -> Result<Option<CustomFieldView>> {
    custom_field_defs::table
        .filter(custom_field_defs::org_id.eq(org_id.to_string()))
        .filter(custom_field_defs::entity.eq(record_kind))
        .filter(custom_field_defs::key.eq(key))
        .filter(custom_field_defs::deleted_at.is_null())
        .select(DefRow::as_select())
        .first(conn)
        .optional()?
        .map(DefRow::into_view)
        .transpose()
}

/// The kinds of record that take custom fields and whose module the caller may read, or the one asked
/// for (refused when it takes none, forbidden when the caller may not read it).
fn readable_kinds(scope: &Scope, only: Option<&str>) -> Result<Vec<&'static str>> {
    let kernel = crate::core::kernel::kernel();
    if let Some(kind) = only {
        let registered = kernel.kind(kind).filter(|k| k.custom_fields).ok_or_else(unknown_kind)?;
        scope.require(registered.module, Action::Read)?;
        return Ok(vec![registered.entity]);
    }
    let kinds: Vec<&'static str> = kernel
        .kinds()
        .iter()
        .filter(|k| k.custom_fields && scope.require(k.module, Action::Read).is_ok())
        .map(|k| k.entity)
        .collect();
    if kinds.is_empty() {
        return Err(Error::Forbidden("no kind of record with custom fields is readable to this role".into()));
    }
    Ok(kinds)
}

fn unknown_kind() -> Error {
    let kinds: Vec<&str> =
        crate::core::kernel::kernel().kinds().iter().filter(|k| k.custom_fields).map(|k| k.entity).collect();
    Error::field("record_kind", "unknown", &format!("Custom fields belong to one of: {}.", kinds.join(", ")))
}

/// The fields of one record kind, or of every kind the caller may read, by kind and display order.
pub fn list(conn: &mut DbConnection, scope: &Scope, record_kind: Option<&str>) -> Result<Vec<CustomFieldView>> {
    let mut fields = Vec::new();
    for kind in readable_kinds(scope, record_kind)? {
        fields.extend(defs(conn, scope.org_id(), kind)?);
    }
    Ok(fields)
}

fn find(conn: &mut DbConnection, scope: &Scope, id: CustomFieldId) -> Result<CustomFieldView> {
    custom_field_defs::table
        .filter(custom_field_defs::org_id.eq(scope.org_id().to_string()))
        .filter(custom_field_defs::id.eq(id.to_string()))
        .filter(custom_field_defs::deleted_at.is_null())
        .select(DefRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?
        .into_view()
}

fn problems(errors: Vec<kith_domain::FieldError>) -> Result<()> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(errors))
    }
}

pub fn create(conn: &mut DbConnection, scope: &Scope, input: &CustomFieldInput) -> Result<CustomFieldView> {
    scope.require(Module::Settings, Action::Write)?;
    problems(input.problems())?;
    let kind = crate::core::kernel::kernel()
        .kind(&input.record_kind)
        .filter(|k| k.custom_fields)
        .ok_or_else(unknown_kind)?
        .entity;
    let org = scope.org_id().to_string();
    transaction(conn, |c| {
        // Deleted fields keep their key, so their old values never meet a new definition.
        let taken: i64 = custom_field_defs::table
            .filter(custom_field_defs::org_id.eq(&org))
            .filter(custom_field_defs::entity.eq(kind))
            .filter(custom_field_defs::key.eq(&input.key))
            .count()
            .get_result(c)?;
        if taken > 0 {
            return Err(Error::field(
                "key",
                "taken",
                &format!("A {} field (perhaps a deleted one) already uses this key.", kind.replace('_', " ")),
            ));
        }
        let last: Option<i32> = custom_field_defs::table
            .filter(custom_field_defs::org_id.eq(&org))
            .filter(custom_field_defs::entity.eq(kind))
            .filter(custom_field_defs::deleted_at.is_null())
            .select(diesel::dsl::max(custom_field_defs::position))
            .first(c)?;
        let id = CustomFieldId(new_id());
        let at = now();
        diesel::insert_into(custom_field_defs::table)
            .values((
                custom_field_defs::id.eq(id.to_string()),
                custom_field_defs::org_id.eq(&org),
                custom_field_defs::entity.eq(kind),
                custom_field_defs::key.eq(&input.key),
                custom_field_defs::label.eq(input.label.trim()),
                custom_field_defs::help_text.eq(input.help_text.as_deref()),
                custom_field_defs::kind.eq(input.kind.as_str()),
                custom_field_defs::options.eq(json(&input.options)?),
                custom_field_defs::required.eq(input.required),
                custom_field_defs::position.eq(input.position.unwrap_or(last.map_or(0, |p| p + 1))),
                custom_field_defs::created_at.eq(at),
                custom_field_defs::updated_at.eq(at),
                custom_field_defs::version.eq(1i64),
            ))
            .execute(c)?;
        let view = find(c, scope, id)?;
        audit::record_created(c, scope, ENTITY, &id.to_string(), &view)?;
        Ok(view)
    })
}

/// Change a field's label, help text, options, required flag or position (If-Match `version`). Renamed
/// options carry the records' values with them; options left out are retired while records still
/// hold them (see `CustomFieldPatch::options`). The key and kind never change.
pub fn update(
    conn: &mut DbConnection,
    scope: &Scope,
    id: CustomFieldId,
    version: i64,
    patch: &CustomFieldPatch,
) -> Result<CustomFieldView> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        let before = find(c, scope, id)?;
        problems(patch.check(&before))?;
        let org = scope.org_id().to_string();
        let values_of_field = || {
            custom_values::table
                .filter(custom_values::org_id.eq(org.clone()))
                .filter(custom_values::record_kind.eq(before.record_kind.clone()))
                .filter(custom_values::field_key.eq(before.key.clone()))
        };
        let mut renamed = 0;
        for r in &patch.renamed_options {
            renamed += diesel::update(values_of_field().filter(custom_values::value_text.eq(&r.from)))
                .set((custom_values::value_text.eq(&r.to), custom_values::value_folded.eq(fold(&r.to))))
                .execute(c)?;
        }
        let (offered, mut retired) = patch.options_after(&before);
        // A retired option nobody holds any more has nothing left to show.
        let mut held = Vec::new();
        for o in retired.drain(..) {
            let n: i64 = values_of_field().filter(custom_values::value_text.eq(&o)).count().get_result(c)?;
            if n > 0 {
                held.push(o);
            }
        }
        let help = match &patch.help_text {
            Some(h) if h.trim().is_empty() => None,
            Some(h) => Some(h.trim().to_owned()),
            None => before.help_text.clone(),
        };
        let n = diesel::update(
            custom_field_defs::table
                .filter(custom_field_defs::org_id.eq(&org))
                .filter(custom_field_defs::id.eq(id.to_string()))
                .filter(custom_field_defs::version.eq(version)),
        )
        .set((
            custom_field_defs::label.eq(patch.label.as_deref().unwrap_or(&before.label).trim()),
            custom_field_defs::help_text.eq(help),
            custom_field_defs::options.eq(json(&offered)?),
            custom_field_defs::retired_options.eq(json(&held)?),
            custom_field_defs::required.eq(patch.required.unwrap_or(before.required)),
            custom_field_defs::position.eq(patch.position.unwrap_or(before.position)),
            custom_field_defs::updated_at.eq(now()),
            custom_field_defs::version.eq(version + 1),
        ))
        .execute(c)?;
        if n == 0 {
            return Err(Error::Stale(version));
        }
        let after = find(c, scope, id)?;
        audit::record_updated(c, scope, ENTITY, &id.to_string(), &before, &after)?;
        if renamed > 0 {
            tracing::info!(field = %id, renamed, "custom field options renamed on records");
        }
        Ok(after)
    })
}

/// Soft-delete a field: leads stop showing its values, rules on it stop matching, and its key stays
/// reserved.
pub fn delete(conn: &mut DbConnection, scope: &Scope, id: CustomFieldId) -> Result<()> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        find(c, scope, id)?;
        diesel::update(
            custom_field_defs::table
                .filter(custom_field_defs::org_id.eq(scope.org_id().to_string()))
                .filter(custom_field_defs::id.eq(id.to_string())),
        )
        .set((
            custom_field_defs::deleted_at.eq(Some(now())),
            custom_field_defs::version.eq(custom_field_defs::version + 1),
        ))
        .execute(c)?;
        audit::record(c, scope, ENTITY, &id.to_string(), AuditAction::Delete, &[])
    })
}

// ---- values ----

/// (record_id, field_key, kind, value_text, value_number)
type StoredValue = (String, String, String, Option<String>, Option<i64>);

/// Custom values of many records of one kind in one query (values of deleted fields are left out).
pub(crate) fn values_of(
    conn: &mut DbConnection,
    kind: &str,
    ids: &[String],
) -> Result<HashMap<String, BTreeMap<String, Value>>> {
    let mut map: HashMap<String, BTreeMap<String, Value>> = HashMap::new();
    if ids.is_empty() {
        return Ok(map);
    }
    let rows: Vec<StoredValue> = custom_values::table
        .inner_join(
            custom_field_defs::table.on(custom_field_defs::org_id
                .eq(custom_values::org_id)
                .and(custom_field_defs::entity.eq(custom_values::record_kind))
                .and(custom_field_defs::key.eq(custom_values::field_key))),
        )
        .filter(custom_values::record_kind.eq(kind))
        .filter(custom_values::record_id.eq_any(ids))
        .filter(custom_field_defs::deleted_at.is_null())
        .select((
            custom_values::record_id,
            custom_values::field_key,
            custom_field_defs::kind,
            custom_values::value_text,
            custom_values::value_number,
        ))
        .load(conn)?;
    for (record, key, kind, text, number) in rows {
        let Some(kind) = CustomFieldKind::parse(&kind) else { continue };
        let value = from_storage(kind, text, number);
        if !value.is_null() {
            map.entry(record).or_default().insert(key, value);
        }
    }
    Ok(map)
}

/// Store checked values (from `validate_values`): each replaces the record's value; `Null` removes it.
pub(crate) fn write_values(
    conn: &mut DbConnection,
    org_id: OrgId,
    record: &RecordRef,
    values: &BTreeMap<String, Value>,
) -> Result<()> {
    for (key, value) in values {
        diesel::delete(
            custom_values::table
                .filter(custom_values::record_kind.eq(record.kind))
                .filter(custom_values::record_id.eq(&record.id))
                .filter(custom_values::field_key.eq(key)),
        )
        .execute(conn)?;
        let (text, number) = to_storage(value);
        if text.is_some() || number.is_some() {
            diesel::insert_into(custom_values::table)
                .values((
                    custom_values::org_id.eq(org_id.to_string()),
                    custom_values::record_kind.eq(record.kind),
                    custom_values::record_id.eq(&record.id),
                    custom_values::field_key.eq(key),
                    custom_values::value_folded.eq(text.as_deref().map(fold)),
                    custom_values::value_text.eq(text),
                    custom_values::value_number.eq(number),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// Fold the text values that have no folded copy yet (rows from before the migration that added
/// `value_folded`, or written by a node still running older code during a rolling upgrade). Registered as
/// hourly maintenance and run once after migrations; cheap when there is nothing to do. Returns the rows folded.
pub fn fold_missing(conn: &mut DbConnection) -> Result<usize> {
    const BATCH: i64 = 1_000;
    let mut changed = 0;
    loop {
        let rows: Vec<(String, String, String, Option<String>)> = custom_values::table
            .filter(custom_values::value_folded.is_null())
            .filter(custom_values::value_text.is_not_null())
            .select((
                custom_values::record_kind,
                custom_values::record_id,
                custom_values::field_key,
                custom_values::value_text,
            ))
            .limit(BATCH)
            .load(conn)?;
        if rows.is_empty() {
            return Ok(changed);
        }
        changed += rows.len();
        transaction(conn, |c| {
            for (kind, record, key, text) in &rows {
                diesel::update(
                    custom_values::table
                        .filter(custom_values::record_kind.eq(kind))
                        .filter(custom_values::record_id.eq(record))
                        .filter(custom_values::field_key.eq(key)),
                )
                .set(custom_values::value_folded.eq(text.as_deref().map(fold)))
                .execute(c)?;
            }
            Ok(())
        })?;
    }
}

/// Remove every value of a record (when it is purged).
pub(crate) fn forget(conn: &mut DbConnection, org_id: OrgId, record: &RecordRef) -> Result<()> {
    diesel::delete(
        custom_values::table
            .filter(custom_values::org_id.eq(org_id.to_string()))
            .filter(custom_values::record_kind.eq(record.kind))
            .filter(custom_values::record_id.eq(&record.id)),
    )
    .execute(conn)?;
    Ok(())
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new(ENTITY, kith_domain::core::modules::Module::Settings)
            .display(crate::display_by!(ENTITY, custom_field_defs, label)),
    );
    k.maintenance("folded custom values", fold_missing);
}
