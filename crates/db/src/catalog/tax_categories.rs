//! Tax categories, each with one rate: the list is short, so it is returned whole.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kith_domain::catalog::{TaxCategoryInput, TaxCategoryView};
use kith_domain::core::audit::AuditAction;
use kith_domain::core::validation::Check;
use kith_domain::{OrgId, TaxCategoryId};

use super::{require_read, require_write};
use crate::core::util::{new_id, now, parse_id, to_utc, transaction};
use crate::schema::{products, tax_categories};
use crate::{core::audit, core::recycle, DbConnection, Error, Result, Scope};

pub const ENTITY: &str = "tax_category";

#[derive(Queryable, Selectable)]
#[diesel(table_name = tax_categories)]
struct Row {
    id: String,
    name: String,
    description: String,
    rate: i64,
    inclusive: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
}

impl Row {
    fn into_view(self) -> Result<TaxCategoryView> {
        Ok(TaxCategoryView {
            id: parse_id(&self.id)?,
            name: self.name,
            description: self.description,
            rate: self.rate,
            inclusive: self.inclusive,
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
            version: self.version,
        })
    }
}

fn find(conn: &mut DbConnection, org_id: OrgId, id: TaxCategoryId, deleted: bool) -> Result<TaxCategoryView> {
    let query = tax_categories::table
        .filter(tax_categories::org_id.eq(org_id.to_string()))
        .filter(tax_categories::id.eq(id.to_string()))
        .select(Row::as_select())
        .into_boxed();
    let query = if deleted {
        query.filter(tax_categories::deleted_at.is_not_null())
    } else {
        query.filter(tax_categories::deleted_at.is_null())
    };
    query.first(conn).optional()?.ok_or(Error::NotFound)?.into_view()
}

/// Is this a live tax category of the organization? (A product may only name one of those.)
pub(crate) fn exists(conn: &mut DbConnection, org_id: OrgId, id: TaxCategoryId) -> Result<bool> {
    match find(conn, org_id, id, false) {
        Ok(_) => Ok(true),
        Err(Error::NotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

pub fn get(conn: &mut DbConnection, scope: &Scope, id: TaxCategoryId) -> Result<TaxCategoryView> {
    require_read(scope)?;
    find(conn, scope.org_id(), id, false)
}

/// Every live tax category, by name.
pub fn list(conn: &mut DbConnection, scope: &Scope) -> Result<Vec<TaxCategoryView>> {
    require_read(scope)?;
    tax_categories::table
        .filter(tax_categories::org_id.eq(scope.org_id().to_string()))
        .filter(tax_categories::deleted_at.is_null())
        .order((tax_categories::name.asc(), tax_categories::id.asc()))
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(Row::into_view)
        .collect()
}

fn checked(input: &TaxCategoryInput) -> Result<()> {
    let p = input.problems();
    if p.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(p))
    }
}

pub fn create(conn: &mut DbConnection, scope: &Scope, input: &TaxCategoryInput) -> Result<TaxCategoryView> {
    require_write(scope)?;
    checked(input)?;
    transaction(conn, |c| {
        let id = TaxCategoryId(new_id());
        let at = now();
        diesel::insert_into(tax_categories::table)
            .values((
                tax_categories::id.eq(id.to_string()),
                tax_categories::org_id.eq(scope.org_id().to_string()),
                tax_categories::name.eq(input.name.trim()),
                tax_categories::description.eq(input.description.trim()),
                tax_categories::rate.eq(input.rate),
                tax_categories::inclusive.eq(input.inclusive),
                tax_categories::created_at.eq(at),
                tax_categories::updated_at.eq(at),
                tax_categories::version.eq(1i64),
            ))
            .execute(c)?;
        let view = find(c, scope.org_id(), id, false)?;
        audit::record_created(c, scope, ENTITY, &id.to_string(), &view)?;
        Ok(view)
    })
}

/// Change a category. Quotes already sent keep the rate they were sent with (they copy it).
pub fn update(
    conn: &mut DbConnection,
    scope: &Scope,
    id: TaxCategoryId,
    version: i64,
    input: &TaxCategoryInput,
) -> Result<TaxCategoryView> {
    require_write(scope)?;
    transaction(conn, |c| {
        let before = find(c, scope.org_id(), id, false)?;
        checked(input)?;
        let n = diesel::update(
            tax_categories::table
                .filter(tax_categories::org_id.eq(scope.org_id().to_string()))
                .filter(tax_categories::id.eq(id.to_string()))
                .filter(tax_categories::deleted_at.is_null())
                .filter(tax_categories::version.eq(version)),
        )
        .set((
            tax_categories::name.eq(input.name.trim()),
            tax_categories::description.eq(input.description.trim()),
            tax_categories::rate.eq(input.rate),
            tax_categories::inclusive.eq(input.inclusive),
            tax_categories::updated_at.eq(now()),
            tax_categories::version.eq(version + 1),
        ))
        .execute(c)?;
        if n == 0 {
            return Err(Error::Stale(version));
        }
        let after = find(c, scope.org_id(), id, false)?;
        audit::record_updated(c, scope, ENTITY, &id.to_string(), &before, &after)?;
        Ok(after)
    })
}

// Products keep naming a deleted category until it is purged, so a restore brings everything back.
recycled!(tax_categories, TaxCategoryId, TaxCategoryView, |t| t.name.clone(), |_, _| Ok(()));

/// Delete a category for good: its products become untaxed.
pub(crate) fn purge(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    let org = scope.org_id().to_string();
    diesel::update(products::table.filter(products::org_id.eq(&org)).filter(products::tax_category_id.eq(id)))
        .set(products::tax_category_id.eq(None::<String>))
        .execute(conn)?;
    diesel::delete(
        tax_categories::table
            .filter(tax_categories::org_id.eq(&org))
            .filter(tax_categories::id.eq(id))
            .filter(tax_categories::deleted_at.is_not_null()),
    )
    .execute(conn)?;
    audit::record(conn, scope, ENTITY, id, AuditAction::Purge, &[])
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new(ENTITY, kith_domain::core::modules::Module::Settings)
            .display(crate::display_by!(ENTITY, tax_categories, name))
            .purged_by(purge),
    );
}
