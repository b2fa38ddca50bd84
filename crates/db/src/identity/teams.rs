//! Teams: groups of users; records carry a team for team-scoped access.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kith_domain::core::audit::AuditAction;
use kith_domain::core::modules::Module;
use kith_domain::core::page::{clamp_limit, page_from_rows, parse_sort, Cursor, Direction, Page};
use kith_domain::core::permissions::Action;
use kith_domain::identity::{NewTeam, TeamListQuery, TeamPatch, TeamView};
use kith_domain::{OrgId, TeamId};

use crate::core::util::{like_pattern, lower, new_id, now, parse_id, to_utc, transaction};
use crate::schema::{invites, teams, users};
use crate::{core::audit, core::recycle, DbConnection, Error, Result, Scope};

pub const ENTITY: &str = "team";

#[derive(Queryable, Selectable)]
#[diesel(table_name = teams)]
struct TeamRow {
    id: String,
    name: String,
    description: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
}

impl TeamRow {
    fn into_view(self) -> Result<TeamView> {
        Ok(TeamView {
            id: parse_id(&self.id)?,
            name: self.name,
            description: self.description,
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
            version: self.version,
        })
    }
}

fn find(conn: &mut DbConnection, org_id: OrgId, id: TeamId, deleted: bool) -> Result<TeamView> {
    let mut query = teams::table
        .filter(teams::org_id.eq(org_id.to_string()))
        .filter(teams::id.eq(id.to_string()))
        .select(TeamRow::as_select())
        .into_boxed();
    query =
        if deleted { query.filter(teams::deleted_at.is_not_null()) } else { query.filter(teams::deleted_at.is_null()) };
    query.first(conn).optional()?.ok_or(Error::NotFound)?.into_view()
}

/// A team id named in a request must be a live team of the caller's organization.
pub(crate) fn ensure_exists(conn: &mut DbConnection, org_id: OrgId, id: TeamId, field: &str) -> Result<TeamView> {
    match find(conn, org_id, id, false) {
        Err(Error::NotFound) => Err(Error::field(field, "unknown", "No such team in this organization.")),
        other => other,
    }
}

pub fn get(conn: &mut DbConnection, scope: &Scope, id: TeamId) -> Result<TeamView> {
    find(conn, scope.org_id(), id, false)
}

pub fn list(conn: &mut DbConnection, scope: &Scope, q: &TeamListQuery) -> Result<Page<TeamView>> {
    let limit = clamp_limit(q.limit);
    let (field, dir) = parse_sort(q.sort.as_deref().unwrap_or("name"));
    let by_name = match field {
        "name" => true,
        "created_at" => false,
        _ => return Err(Error::field("sort", "unknown", "Sort by name or created_at (prefix - for descending).")),
    };
    let cursor = q.cursor.as_deref().map(Cursor::decode).transpose().map_err(|_| crate::core::util::bad_cursor())?;
    let mut query = teams::table
        .filter(teams::org_id.eq(scope.org_id().to_string()))
        .filter(teams::deleted_at.is_null())
        .select(TeamRow::as_select())
        .limit(i64::from(limit) + 1)
        .into_boxed();
    if let Some(text) = q.q.as_deref().filter(|t| !t.trim().is_empty()) {
        query = query.filter(lower(teams::name).like(like_pattern(text)).escape('\\'));
    }
    query = match (by_name, dir) {
        (false, Direction::Asc) => query.order(teams::id.asc()),
        (false, Direction::Desc) => query.order(teams::id.desc()),
        (true, Direction::Asc) => query.order((teams::name.asc(), teams::id.asc())),
        (true, Direction::Desc) => query.order((teams::name.desc(), teams::id.desc())),
    };
    if let Some(c) = cursor {
        let key = c.key.clone().unwrap_or_default();
        query = match (by_name, dir) {
            (false, Direction::Asc) => query.filter(teams::id.gt(c.id)),
            (false, Direction::Desc) => query.filter(teams::id.lt(c.id)),
            (true, Direction::Asc) => {
                query.filter(teams::name.gt(key.clone()).or(teams::name.eq(key).and(teams::id.gt(c.id))))
            }
            (true, Direction::Desc) => {
                query.filter(teams::name.lt(key.clone()).or(teams::name.eq(key).and(teams::id.lt(c.id))))
            }
        };
    }
    let views = query.load(conn)?.into_iter().map(TeamRow::into_view).collect::<Result<Vec<_>>>()?;
    Ok(page_from_rows(views, limit, |t| Cursor { key: by_name.then(|| t.name.clone()), id: t.id.to_string() }))
}

pub fn create(conn: &mut DbConnection, scope: &Scope, new: &NewTeam) -> Result<TeamView> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        let id = TeamId(new_id());
        let at = now();
        diesel::insert_into(teams::table)
            .values((
                teams::id.eq(id.to_string()),
                teams::org_id.eq(scope.org_id().to_string()),
                teams::name.eq(new.name.trim()),
                teams::description.eq(new.description.trim()),
                teams::created_at.eq(at),
                teams::updated_at.eq(at),
                teams::version.eq(1i64),
            ))
            .execute(c)?;
        let view = find(c, scope.org_id(), id, false)?;
        audit::record_created(c, scope, ENTITY, &id.to_string(), &view)?;
        Ok(view)
    })
}

pub fn update(conn: &mut DbConnection, scope: &Scope, id: TeamId, version: i64, patch: &TeamPatch) -> Result<TeamView> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        let before = find(c, scope.org_id(), id, false)?;
        if before.version != version {
            return Err(Error::Stale(version));
        }
        let name = patch.name.as_deref().map(str::trim).unwrap_or(&before.name).to_owned();
        let description = patch.description.as_deref().map(str::trim).unwrap_or(&before.description).to_owned();
        let updated = diesel::update(teams::table)
            .filter(teams::org_id.eq(scope.org_id().to_string()))
            .filter(teams::id.eq(id.to_string()))
            .filter(teams::version.eq(version))
            .filter(teams::deleted_at.is_null())
            .set((
                teams::name.eq(&name),
                teams::description.eq(&description),
                teams::updated_at.eq(now()),
                teams::version.eq(version + 1),
            ))
            .execute(c)?;
        if updated == 0 {
            return Err(Error::Stale(version));
        }
        let after = find(c, scope.org_id(), id, false)?;
        audit::record_updated(c, scope, ENTITY, &id.to_string(), &before, &after)?;
        Ok(after)
    })
}

/// Move a team to the recycle bin. Its members keep their team until it is purged.
pub fn delete(conn: &mut DbConnection, scope: &Scope, id: TeamId) -> Result<()> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        let team = find(c, scope.org_id(), id, false)?;
        let at = now();
        diesel::update(teams::table)
            .filter(teams::org_id.eq(scope.org_id().to_string()))
            .filter(teams::id.eq(id.to_string()))
            .set((teams::deleted_at.eq(Some(at)), teams::version.eq(team.version + 1)))
            .execute(c)?;
        recycle::put(c, scope, ENTITY, &id.to_string(), &team.name, at)?;
        audit::record(c, scope, ENTITY, &id.to_string(), AuditAction::Delete, &[])
    })
}

pub fn restore(conn: &mut DbConnection, scope: &Scope, id: TeamId) -> Result<TeamView> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        let team = find(c, scope.org_id(), id, true)?;
        diesel::update(teams::table)
            .filter(teams::org_id.eq(scope.org_id().to_string()))
            .filter(teams::id.eq(id.to_string()))
            .set((teams::deleted_at.eq(None::<NaiveDateTime>), teams::version.eq(team.version + 1)))
            .execute(c)?;
        recycle::take(c, scope, ENTITY, &id.to_string())?;
        audit::record(c, scope, ENTITY, &id.to_string(), AuditAction::Restore, &[])?;
        find(c, scope.org_id(), id, false)
    })
}

/// Delete a team for good (after the retention period): members and invitations lose the team.
pub(crate) fn purge(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    let org = scope.org_id().to_string();
    diesel::update(users::table.filter(users::org_id.eq(&org)).filter(users::team_id.eq(id)))
        .set(users::team_id.eq(None::<String>))
        .execute(conn)?;
    diesel::update(invites::table.filter(invites::org_id.eq(&org)).filter(invites::team_id.eq(id)))
        .set(invites::team_id.eq(None::<String>))
        .execute(conn)?;
    diesel::delete(
        teams::table.filter(teams::org_id.eq(&org)).filter(teams::id.eq(id)).filter(teams::deleted_at.is_not_null()),
    )
    .execute(conn)?;
    audit::record(conn, scope, ENTITY, id, AuditAction::Purge, &[])
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new(ENTITY, kith_domain::core::modules::Module::Settings)
            .display(crate::display_by!(ENTITY, teams, name))
            .purged_by(purge),
    );
}
