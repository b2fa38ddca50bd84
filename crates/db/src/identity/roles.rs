//! Roles: the five built-in ones every organization starts with, and custom ones admins add.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kith_domain::core::modules::Module;
use kith_domain::core::page::{clamp_limit, page_from_rows, Cursor, Page, PageQuery};
use kith_domain::core::permissions::{Action, BuiltinRole, Permissions};
use kith_domain::identity::{NewRole, RolePatch, RoleView};
use kith_domain::{OrgId, RoleId};

use crate::core::util::{new_id, now, parse_id, to_utc, transaction};
use crate::schema::roles;
use crate::{core::audit, DbConnection, Error, Result, Scope};

#[derive(Queryable, Selectable)]
#[diesel(table_name = roles)]
pub(crate) struct RoleRow {
    pub id: String,
    pub key: Option<String>,
    pub name: String,
    pub permissions: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

impl RoleRow {
    pub(crate) fn permissions(&self) -> Result<Permissions> {
        serde_json::from_str(&self.permissions).map_err(|e| Error::Internal(format!("bad permissions: {e}")))
    }

    pub(crate) fn into_view(self) -> Result<RoleView> {
        Ok(RoleView {
            id: parse_id(&self.id)?,
            permissions: self.permissions()?,
            key: self.key,
            name: self.name,
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
            version: self.version,
        })
    }
}

fn encode(p: &Permissions) -> Result<String> {
    serde_json::to_string(p).map_err(|e| Error::Internal(e.to_string()))
}

/// Create the built-in roles of a new organization; returns their ids in `BuiltinRole::ALL` order.
pub(crate) fn create_builtins(conn: &mut DbConnection, org_id: OrgId) -> Result<Vec<RoleId>> {
    let at = now();
    let mut ids = Vec::new();
    for role in BuiltinRole::ALL {
        let id = RoleId(new_id());
        diesel::insert_into(roles::table)
            .values((
                roles::id.eq(id.to_string()),
                roles::org_id.eq(org_id.to_string()),
                roles::key.eq(Some(role.key())),
                roles::name.eq(role.name()),
                roles::permissions.eq(encode(&role.permissions())?),
                roles::created_at.eq(at),
                roles::updated_at.eq(at),
                roles::version.eq(1i64),
            ))
            .execute(conn)?;
        ids.push(id);
    }
    Ok(ids)
}

pub(crate) fn find_row(conn: &mut DbConnection, org_id: OrgId, id: RoleId) -> Result<RoleRow> {
    roles::table
        .filter(roles::org_id.eq(org_id.to_string()))
        .filter(roles::id.eq(id.to_string()))
        .select(RoleRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// A role id named in a request must be one of the caller's organization.
pub(crate) fn ensure_exists(conn: &mut DbConnection, org_id: OrgId, id: RoleId, field: &str) -> Result<RoleRow> {
    match find_row(conn, org_id, id) {
        Err(Error::NotFound) => Err(Error::field(field, "unknown", "No such role in this organization.")),
        other => other,
    }
}

/// Every signed-in user may list roles (to show role names); only admins change them.
pub fn list(conn: &mut DbConnection, scope: &Scope, q: &PageQuery) -> Result<Page<RoleView>> {
    let limit = clamp_limit(q.limit);
    let mut query = roles::table
        .filter(roles::org_id.eq(scope.org_id().to_string()))
        .select(RoleRow::as_select())
        .order(roles::id.asc())
        .limit(i64::from(limit) + 1)
        .into_boxed();
    if let Some(cursor) = &q.cursor {
        let c = Cursor::decode(cursor).map_err(|_| crate::core::util::bad_cursor())?;
        query = query.filter(roles::id.gt(c.id));
    }
    let views = query.load(conn)?.into_iter().map(RoleRow::into_view).collect::<Result<Vec<_>>>()?;
    Ok(page_from_rows(views, limit, |r| Cursor { key: None, id: r.id.to_string() }))
}

pub fn get(conn: &mut DbConnection, scope: &Scope, id: RoleId) -> Result<RoleView> {
    find_row(conn, scope.org_id(), id)?.into_view()
}

pub fn create(conn: &mut DbConnection, scope: &Scope, new: &NewRole) -> Result<RoleView> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        let id = RoleId(new_id());
        let at = now();
        diesel::insert_into(roles::table)
            .values((
                roles::id.eq(id.to_string()),
                roles::org_id.eq(scope.org_id().to_string()),
                roles::key.eq(None::<String>),
                roles::name.eq(new.name.trim()),
                roles::permissions.eq(encode(&new.permissions)?),
                roles::created_at.eq(at),
                roles::updated_at.eq(at),
                roles::version.eq(1i64),
            ))
            .execute(c)
            .map_err(name_taken)?;
        let view = find_row(c, scope.org_id(), id)?.into_view()?;
        audit::record_created(c, scope, "role", &id.to_string(), &view)?;
        Ok(view)
    })
}

fn name_taken(e: diesel::result::Error) -> Error {
    match Error::from(e) {
        Error::Conflict(_) => Error::field("name", "taken", "A role with this name exists."),
        other => other,
    }
}

pub fn update(conn: &mut DbConnection, scope: &Scope, id: RoleId, version: i64, patch: &RolePatch) -> Result<RoleView> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        let before = find_row(c, scope.org_id(), id)?;
        if before.version != version {
            return Err(Error::Stale(version));
        }
        if before.key.as_deref() == Some(BuiltinRole::Admin.key()) && patch.permissions.is_some() {
            // Editing the admin role could lock every admin out of settings.
            return Err(Error::field("permissions", "locked", "The administrator role's grants cannot be changed."));
        }
        let before = before.into_view()?;
        let name = patch.name.as_deref().map(str::trim).unwrap_or(&before.name).to_owned();
        let permissions = patch.permissions.unwrap_or(before.permissions);
        let updated = diesel::update(roles::table)
            .filter(roles::org_id.eq(scope.org_id().to_string()))
            .filter(roles::id.eq(id.to_string()))
            .filter(roles::version.eq(version))
            .set((
                roles::name.eq(&name),
                roles::permissions.eq(encode(&permissions)?),
                roles::updated_at.eq(now()),
                roles::version.eq(version + 1),
            ))
            .execute(c)
            .map_err(name_taken)?;
        if updated == 0 {
            return Err(Error::Stale(version));
        }
        let after = find_row(c, scope.org_id(), id)?.into_view()?;
        audit::record_updated(c, scope, "role", &id.to_string(), &before, &after)?;
        Ok(after)
    })
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new("role", kith_domain::core::modules::Module::Settings)
            .display(crate::display_by!("role", roles, name)),
    );
}
