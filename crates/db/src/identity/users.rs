//! Users of an organization: the directory every member sees (names, for owner pickers) and
//! people management (emails, roles, status: roles that may read settings).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kith_domain::core::modules::Module;
use kith_domain::core::page::{clamp_limit, page_from_rows, parse_sort, Cursor, Direction, Page, PageQuery};
use kith_domain::core::permissions::{Action, BuiltinRole};
use kith_domain::identity::{PersonView, UserListQuery, UserPatch, UserStatus, UserView};
use kith_domain::{FieldError, OrgId, UserId};

use crate::core::util::{like_pattern, lower, now, parse_id, to_utc, transaction};
use crate::schema::{roles, sessions, users};
use crate::{
    core::audit, identity::roles as role_store, identity::sessions as session_store, identity::teams, DbConnection,
    Error, Result, Scope,
};

#[derive(Queryable, Selectable)]
#[diesel(table_name = users)]
pub(crate) struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role_id: String,
    pub team_id: Option<String>,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

impl UserRow {
    pub(crate) fn into_view(self) -> Result<UserView> {
        Ok(UserView {
            id: parse_id(&self.id)?,
            email: self.email,
            name: self.name,
            role_id: parse_id(&self.role_id)?,
            team_id: self.team_id.as_deref().map(parse_id).transpose()?,
            status: UserStatus::parse(&self.status)
                .ok_or_else(|| Error::Internal(format!("unknown user status {:?}", self.status)))?,
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
            version: self.version,
        })
    }
}

pub(crate) fn find_row(conn: &mut DbConnection, org_id: OrgId, id: UserId) -> Result<UserRow> {
    users::table
        .filter(users::org_id.eq(org_id.to_string()))
        .filter(users::id.eq(id.to_string()))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

pub fn get(conn: &mut DbConnection, scope: &Scope, id: UserId) -> Result<UserView> {
    scope.require(Module::Settings, Action::Read)?;
    find_row(conn, scope.org_id(), id)?.into_view()
}

/// The organization's members by name, as everyone in it may see them.
pub fn people(conn: &mut DbConnection, scope: &Scope, q: &PageQuery) -> Result<Page<PersonView>> {
    let limit = clamp_limit(q.limit);
    let cursor = q.cursor.as_deref().map(Cursor::decode).transpose().map_err(|_| crate::core::util::bad_cursor())?;
    let mut query = users::table
        .inner_join(roles::table)
        .filter(users::org_id.eq(scope.org_id().to_string()))
        .select((users::id, users::name, users::team_id, users::status, roles::permissions))
        .order((users::name.asc(), users::id.asc()))
        .limit(i64::from(limit) + 1)
        .into_boxed();
    if let Some(c) = cursor {
        let key = c.key.clone().unwrap_or_default();
        query = query.filter(users::name.gt(key.clone()).or(users::name.eq(key).and(users::id.gt(c.id))));
    }
    let rows: Vec<(String, String, Option<String>, String, String)> = query.load(conn)?;
    let people = rows
        .into_iter()
        .map(|(id, name, team, status, permissions)| {
            Ok(PersonView {
                id: parse_id(&id)?,
                name,
                team_id: team.as_deref().map(parse_id).transpose()?,
                active: status == UserStatus::Active.as_str(),
                can_own_leads: crate::leads::may_own_leads(&permissions),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(page_from_rows(people, limit, |p| Cursor { key: Some(p.name.clone()), id: p.id.to_string() }))
}

#[derive(Clone, Copy)]
enum SortField {
    Name,
    Email,
    Created,
}

pub fn list(conn: &mut DbConnection, scope: &Scope, q: &UserListQuery) -> Result<Page<UserView>> {
    scope.require(Module::Settings, Action::Read)?;
    let limit = clamp_limit(q.limit);
    let (field, dir) = parse_sort(q.sort.as_deref().unwrap_or("name"));
    let field = match field {
        "name" => SortField::Name,
        "email" => SortField::Email,
        "created_at" => SortField::Created,
        _ => {
            return Err(Error::field("sort", "unknown", "Sort by name, email or created_at (prefix - for descending)."))
        }
    };
    let cursor = q.cursor.as_deref().map(Cursor::decode).transpose().map_err(|_| crate::core::util::bad_cursor())?;

    let mut query = users::table
        .filter(users::org_id.eq(scope.org_id().to_string()))
        .select(UserRow::as_select())
        .limit(i64::from(limit) + 1)
        .into_boxed();
    if let Some(status) = q.status {
        query = query.filter(users::status.eq(status.as_str()));
    }
    if let Some(team) = q.team_id {
        query = query.filter(users::team_id.eq(team.to_string()));
    }
    if let Some(role) = q.role_id {
        query = query.filter(users::role_id.eq(role.to_string()));
    }
    if let Some(text) = q.q.as_deref().filter(|t| !t.trim().is_empty()) {
        let pattern = like_pattern(text);
        query = query.filter(
            lower(users::name).like(pattern.clone()).escape('\\').or(lower(users::email).like(pattern).escape('\\')),
        );
    }
    // Keyset pagination: (sort column, id) strictly after the cursor in the sort direction.
    query = match (field, dir) {
        (SortField::Created, Direction::Asc) => query.order(users::id.asc()),
        (SortField::Created, Direction::Desc) => query.order(users::id.desc()),
        (SortField::Name, Direction::Asc) => query.order((users::name.asc(), users::id.asc())),
        (SortField::Name, Direction::Desc) => query.order((users::name.desc(), users::id.desc())),
        (SortField::Email, Direction::Asc) => query.order((users::email.asc(), users::id.asc())),
        (SortField::Email, Direction::Desc) => query.order((users::email.desc(), users::id.desc())),
    };
    if let Some(c) = cursor {
        let key = c.key.clone().unwrap_or_default();
        query = match (field, dir) {
            (SortField::Created, Direction::Asc) => query.filter(users::id.gt(c.id)),
            (SortField::Created, Direction::Desc) => query.filter(users::id.lt(c.id)),
            (SortField::Name, Direction::Asc) => {
                query.filter(users::name.gt(key.clone()).or(users::name.eq(key).and(users::id.gt(c.id))))
            }
            (SortField::Name, Direction::Desc) => {
                query.filter(users::name.lt(key.clone()).or(users::name.eq(key).and(users::id.lt(c.id))))
            }
            (SortField::Email, Direction::Asc) => {
                query.filter(users::email.gt(key.clone()).or(users::email.eq(key).and(users::id.gt(c.id))))
            }
            (SortField::Email, Direction::Desc) => {
                query.filter(users::email.lt(key.clone()).or(users::email.eq(key).and(users::id.lt(c.id))))
            }
        };
    }
    let views = query.load(conn)?.into_iter().map(UserRow::into_view).collect::<Result<Vec<_>>>()?;
    Ok(page_from_rows(views, limit, |u| Cursor {
        key: match field {
            SortField::Name => Some(u.name.clone()),
            SortField::Email => Some(u.email.clone()),
            SortField::Created => None,
        },
        id: u.id.to_string(),
    }))
}

/// Active users holding the built-in admin role, other than `except`.
fn other_active_admins(conn: &mut DbConnection, org_id: OrgId, except: UserId) -> Result<i64> {
    Ok(users::table
        .inner_join(roles::table)
        .filter(users::org_id.eq(org_id.to_string()))
        .filter(users::id.ne(except.to_string()))
        .filter(users::status.eq(UserStatus::Active.as_str()))
        .filter(roles::key.eq(BuiltinRole::Admin.key()))
        .count()
        .get_result(conn)?)
}

/// Change a user's name, role, team or status (admins). Disabling a user ends every session at once.
pub fn update(conn: &mut DbConnection, scope: &Scope, id: UserId, version: i64, patch: &UserPatch) -> Result<UserView> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        let before = find_row(c, scope.org_id(), id)?.into_view()?;
        if before.version != version {
            return Err(Error::Stale(version));
        }
        let mut errors: Vec<FieldError> = Vec::new();
        let role_id = patch.role_id.unwrap_or(before.role_id);
        let role = match role_store::ensure_exists(c, scope.org_id(), role_id, "role_id") {
            Ok(r) => Some(r),
            Err(Error::Validation(mut e)) => {
                errors.append(&mut e);
                None
            }
            Err(e) => return Err(e),
        };
        let team_id = patch.team_id.unwrap_or(before.team_id);
        if let Some(team) = team_id {
            if let Err(Error::Validation(mut e)) = teams::ensure_exists(c, scope.org_id(), team, "team_id") {
                errors.append(&mut e);
            }
        }
        let status = patch.status.unwrap_or(before.status);
        let stays_admin = status == UserStatus::Active
            && role.as_ref().is_some_and(|r| r.key.as_deref() == Some(BuiltinRole::Admin.key()));
        if !stays_admin && other_active_admins(c, scope.org_id(), id)? == 0 {
            errors.push(FieldError::new(
                if status == UserStatus::Active { "role_id" } else { "status" },
                "last_admin",
                "The organization needs at least one active administrator.",
            ));
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let name = patch.name.as_deref().map(str::trim).unwrap_or(&before.name).to_owned();
        let updated = diesel::update(users::table)
            .filter(users::org_id.eq(scope.org_id().to_string()))
            .filter(users::id.eq(id.to_string()))
            .filter(users::version.eq(version))
            .set((
                users::name.eq(&name),
                users::role_id.eq(role_id.to_string()),
                users::team_id.eq(team_id.map(|t| t.to_string())),
                users::status.eq(status.as_str()),
                users::updated_at.eq(now()),
                users::version.eq(version + 1),
            ))
            .execute(c)?;
        if updated == 0 {
            return Err(Error::Stale(version));
        }
        if status == UserStatus::Disabled && before.status != UserStatus::Disabled {
            session_store::revoke_all_for_user(c, id, "user_disabled")?;
        }
        let after = find_row(c, scope.org_id(), id)?.into_view()?;
        audit::record_updated(c, scope, "user", &id.to_string(), &before, &after)?;
        Ok(after)
    })
}

/// Users still active in sessions check: used by authentication on every request.
pub(crate) fn active_session_user(
    conn: &mut DbConnection,
    session_id: &str,
) -> Result<Option<(UserRow, String, String)>> {
    let now = now();
    Ok(sessions::table
        .inner_join(users::table.inner_join(roles::table))
        .filter(sessions::id.eq(session_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(now))
        .filter(users::status.eq(UserStatus::Active.as_str()))
        .select((UserRow::as_select(), users::org_id, roles::permissions))
        .first(conn)
        .optional()?)
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new("user", kith_domain::core::modules::Module::Settings)
            .display(crate::display_by!("user", users, name)),
    );
}
