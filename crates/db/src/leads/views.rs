//! Saved lead list views: named filters a person keeps for themselves or shares with the organization.
//! Views belong to people (API keys have none); only the owner, or an administrator for a shared view,
//! changes one.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kith_domain::core::audit::AuditAction;
use kith_domain::core::modules::Module;
use kith_domain::core::permissions::Action;
use kith_domain::leads::{LeadListQuery, LeadViewInput, LeadViewRecord};
use kith_domain::{FieldError, LeadViewId, UserId};

use crate::core::util::{new_id, now, parse_id, to_utc, transaction};
use crate::schema::lead_views;
use crate::{core::audit, DbConnection, Error, Result, Scope};

pub const ENTITY: &str = "lead_view";
/// Enough for any team's habits, small enough to list without paging.
pub const MAX_PER_USER: i64 = 100;

#[derive(Queryable, Selectable)]
#[diesel(table_name = lead_views)]
struct Row {
    id: String,
    owner_id: String,
    name: String,
    filters: String,
    shared: bool,
    updated_at: NaiveDateTime,
    version: i64,
}

fn me(scope: &Scope) -> Result<UserId> {
    scope.require(Module::Leads, Action::Read)?;
    scope.user_id().ok_or_else(|| Error::Forbidden("Saved views belong to people; API keys have none.".into()))
}

fn editable(scope: &Scope, me: UserId, owner: &str, shared: bool) -> bool {
    owner == me.to_string() || (shared && scope.permissions().allows(Module::Settings, Action::Write))
}

fn view(scope: &Scope, me: UserId, r: Row) -> Result<LeadViewRecord> {
    let filters: LeadListQuery =
        serde_json::from_str(&r.filters).map_err(|e| Error::Internal(format!("stored view filters: {e}")))?;
    Ok(LeadViewRecord {
        editable: editable(scope, me, &r.owner_id, r.shared),
        id: parse_id(&r.id)?,
        owner_id: parse_id(&r.owner_id)?,
        name: r.name,
        filters,
        shared: r.shared,
        updated_at: to_utc(r.updated_at),
        version: r.version,
    })
}

/// What is kept of a list query: its filters and sort, never a page position. The list must accept it
/// (known sort, custom field and values), so a saved view always opens.
fn stored_filters(conn: &mut DbConnection, scope: &Scope, q: &LeadListQuery) -> Result<String> {
    let kept = LeadListQuery { limit: None, cursor: None, ..q.clone() };
    // Every id a view keeps is one of the organization's.
    let mut errors = Vec::new();
    if q.owner_id.is_some_and(|o| crate::identity::users::find_row(conn, scope.org_id(), o).is_err()) {
        errors.push(FieldError::new("filters.owner_id", "unknown", "No such user in this organization."));
    }
    if q.team_id
        .is_some_and(|t| crate::identity::teams::ensure_exists(conn, scope.org_id(), t, "filters.team_id").is_err())
    {
        errors.push(FieldError::new("filters.team_id", "unknown", "No such team in this organization."));
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    crate::leads::list(conn, scope, &LeadListQuery { limit: Some(1), ..kept.clone() }).map_err(|e| match e {
        Error::Validation(errors) => Error::Validation(
            errors.into_iter().map(|f| FieldError { field: format!("filters.{}", f.field), ..f }).collect(),
        ),
        other => other,
    })?;
    serde_json::to_string(&kept).map_err(|e| Error::Internal(e.to_string()))
}

/// The caller's own views and the organization's shared ones, by name. A view whose stored filters no
/// longer read (a filter renamed in a later version) is left out and logged, never an error for everyone.
pub fn list(conn: &mut DbConnection, scope: &Scope) -> Result<Vec<LeadViewRecord>> {
    let me = me(scope)?;
    let rows: Vec<Row> = lead_views::table
        .filter(lead_views::org_id.eq(scope.org_id().to_string()))
        .filter(lead_views::owner_id.eq(me.to_string()).or(lead_views::shared.eq(true)))
        .order((lead_views::name.asc(), lead_views::id.asc()))
        .limit(MAX_PER_USER * 5)
        .select(Row::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            let id = r.id.clone();
            view(scope, me, r).map_err(|e| tracing::warn!(view = %id, error = %e, "saved view skipped")).ok()
        })
        .collect())
}

fn find(conn: &mut DbConnection, scope: &Scope, me: UserId, id: LeadViewId) -> Result<LeadViewRecord> {
    let row: Row = lead_views::table
        .filter(lead_views::org_id.eq(scope.org_id().to_string()))
        .filter(lead_views::id.eq(id.to_string()))
        .filter(lead_views::owner_id.eq(me.to_string()).or(lead_views::shared.eq(true)))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?;
    view(scope, me, row)
}

fn name_taken(
    conn: &mut DbConnection,
    scope: &Scope,
    me: UserId,
    name: &str,
    except: Option<LeadViewId>,
) -> Result<()> {
    let mut q = lead_views::table
        .filter(lead_views::org_id.eq(scope.org_id().to_string()))
        .filter(lead_views::owner_id.eq(me.to_string()))
        .filter(lead_views::name.eq(name))
        .into_boxed();
    if let Some(id) = except {
        q = q.filter(lead_views::id.ne(id.to_string()));
    }
    let n: i64 = q.count().get_result(conn)?;
    if n > 0 {
        return Err(Error::field("name", "taken", "You already have a view with this name."));
    }
    Ok(())
}

pub fn create(conn: &mut DbConnection, scope: &Scope, input: &LeadViewInput) -> Result<LeadViewRecord> {
    let me = me(scope)?;
    let name = input.name.trim().to_owned();
    let filters = stored_filters(conn, scope, &input.filters)?;
    transaction(conn, |c| {
        name_taken(c, scope, me, &name, None)?;
        let mine: i64 = lead_views::table
            .filter(lead_views::org_id.eq(scope.org_id().to_string()))
            .filter(lead_views::owner_id.eq(me.to_string()))
            .count()
            .get_result(c)?;
        if mine >= MAX_PER_USER {
            return Err(Error::field("name", "too_many", "You have 100 saved views; delete one first."));
        }
        let id = LeadViewId(new_id());
        let at = now();
        diesel::insert_into(lead_views::table)
            .values((
                lead_views::id.eq(id.to_string()),
                lead_views::org_id.eq(scope.org_id().to_string()),
                lead_views::owner_id.eq(me.to_string()),
                lead_views::name.eq(&name),
                lead_views::filters.eq(&filters),
                lead_views::shared.eq(input.shared),
                lead_views::created_at.eq(at),
                lead_views::updated_at.eq(at),
                lead_views::version.eq(1i64),
            ))
            .execute(c)?;
        let created = find(c, scope, me, id)?;
        audit::record_created(c, scope, ENTITY, &id.to_string(), &created)?;
        Ok(created)
    })
}

pub fn update(
    conn: &mut DbConnection,
    scope: &Scope,
    id: LeadViewId,
    version: i64,
    input: &LeadViewInput,
) -> Result<LeadViewRecord> {
    let me = me(scope)?;
    let name = input.name.trim().to_owned();
    let filters = stored_filters(conn, scope, &input.filters)?;
    transaction(conn, |c| {
        let before = find(c, scope, me, id)?;
        if !before.editable {
            return Err(Error::Forbidden("Only its owner or an administrator changes a shared view.".into()));
        }
        if before.version != version {
            return Err(Error::Stale(version));
        }
        let owner = before.owner_id;
        name_taken(c, scope, owner, &name, Some(id))?;
        diesel::update(
            lead_views::table.filter(lead_views::id.eq(id.to_string())).filter(lead_views::version.eq(version)),
        )
        .set((
            lead_views::name.eq(&name),
            lead_views::filters.eq(&filters),
            lead_views::shared.eq(input.shared),
            lead_views::updated_at.eq(now()),
            lead_views::version.eq(version + 1),
        ))
        .execute(c)?;
        // Read back by id alone: an administrator who unshared someone's view no longer "sees" it.
        let row: Row = lead_views::table.filter(lead_views::id.eq(id.to_string())).select(Row::as_select()).first(c)?;
        let after = view(scope, me, row)?;
        audit::record_updated(c, scope, ENTITY, &id.to_string(), &before, &after)?;
        Ok(after)
    })
}

pub fn delete(conn: &mut DbConnection, scope: &Scope, id: LeadViewId) -> Result<()> {
    let me = me(scope)?;
    transaction(conn, |c| {
        let before = find(c, scope, me, id)?;
        if !before.editable {
            return Err(Error::Forbidden("Only its owner or an administrator deletes a shared view.".into()));
        }
        diesel::delete(lead_views::table.filter(lead_views::id.eq(id.to_string()))).execute(c)?;
        audit::record(c, scope, ENTITY, &id.to_string(), AuditAction::Delete, &[])
    })
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new(ENTITY, kith_domain::core::modules::Module::Leads)
            .display(crate::display_by!(ENTITY, lead_views, name)),
    );
}
