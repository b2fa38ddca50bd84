//! Products and services with a price per currency (`product_prices`). Deleting moves a product to
//! the recycle bin; deactivating keeps it listed (and readable by the quotes that name it) but no
//! longer offered.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kith_domain::catalog::{Price, ProductInput, ProductKind, ProductListQuery, ProductView};
use kith_domain::core::audit::AuditAction;
use kith_domain::core::page::{clamp_limit, page_from_rows, parse_sort, Cursor, Direction, Page};
use kith_domain::core::validation::Check;
use kith_domain::{FieldError, OrgId, ProductId};

use super::{require_read, require_write};
use crate::core::util::{like_pattern, lower, new_id, now, parse_id, to_utc, transaction};
use crate::schema::{price_book_entries, product_prices, products};
use crate::{core::audit, core::recycle, DbConnection, Error, Result, Scope};

pub const ENTITY: &str = "product";

#[derive(Queryable, Selectable)]
#[diesel(table_name = products)]
struct Row {
    id: String,
    sku: String,
    name: String,
    description: String,
    unit: String,
    kind: String,
    tax_category_id: Option<String>,
    active: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
}

impl Row {
    fn into_view(self, prices: Vec<Price>) -> Result<ProductView> {
        Ok(ProductView {
            id: parse_id(&self.id)?,
            sku: self.sku,
            name: self.name,
            description: self.description,
            unit: self.unit,
            kind: ProductKind::parse(&self.kind)
                .ok_or_else(|| Error::Internal(format!("product kind {}", self.kind)))?,
            prices,
            tax_category_id: self.tax_category_id.as_deref().map(parse_id).transpose()?,
            active: self.active,
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
            version: self.version,
        })
    }
}

/// The prices of these products, by product id, each list sorted by currency.
fn prices_of(conn: &mut DbConnection, org: &str, ids: &[String]) -> Result<HashMap<String, Vec<Price>>> {
    let rows: Vec<(String, String, i64)> = product_prices::table
        .filter(product_prices::org_id.eq(org))
        .filter(product_prices::product_id.eq_any(ids))
        .order((product_prices::product_id.asc(), product_prices::currency.asc()))
        .select((product_prices::product_id, product_prices::currency, product_prices::unit_price))
        .load(conn)?;
    let mut out: HashMap<String, Vec<Price>> = HashMap::new();
    for (id, currency, unit_price) in rows {
        out.entry(id).or_default().push(Price { currency, unit_price });
    }
    Ok(out)
}

fn views(conn: &mut DbConnection, org: &str, rows: Vec<Row>) -> Result<Vec<ProductView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut prices = prices_of(conn, org, &ids)?;
    rows.into_iter()
        .map(|r| {
            let p = prices.remove(&r.id).unwrap_or_default();
            r.into_view(p)
        })
        .collect()
}

fn find(conn: &mut DbConnection, org_id: OrgId, id: ProductId, deleted: bool) -> Result<ProductView> {
    let query = products::table
        .filter(products::org_id.eq(org_id.to_string()))
        .filter(products::id.eq(id.to_string()))
        .select(Row::as_select())
        .into_boxed();
    let query = if deleted {
        query.filter(products::deleted_at.is_not_null())
    } else {
        query.filter(products::deleted_at.is_null())
    };
    let row = query.first(conn).optional()?.ok_or(Error::NotFound)?;
    views(conn, &org_id.to_string(), vec![row])?.pop().ok_or(Error::NotFound)
}

/// Which of these ids are products of the organization (live or in the recycle bin).
pub(crate) fn known(conn: &mut DbConnection, org_id: OrgId, ids: &[String]) -> Result<Vec<String>> {
    Ok(products::table
        .filter(products::org_id.eq(org_id.to_string()))
        .filter(products::id.eq_any(ids))
        .select(products::id)
        .load(conn)?)
}

pub fn get(conn: &mut DbConnection, scope: &Scope, id: ProductId) -> Result<ProductView> {
    require_read(scope)?;
    find(conn, scope.org_id(), id, false)
}

/// A page of live products, by name or SKU, optionally searched (name or SKU) and filtered by
/// active.
pub fn list(conn: &mut DbConnection, scope: &Scope, q: &ProductListQuery) -> Result<Page<ProductView>> {
    require_read(scope)?;
    let limit = clamp_limit(q.limit);
    let (field, dir) = parse_sort(q.sort.as_deref().unwrap_or("name"));
    let by_sku = match field {
        "name" => false,
        "sku" => true,
        _ => return Err(Error::field("sort", "unknown", "Sort by name or sku (prefix - for descending).")),
    };
    let cursor = q.cursor.as_deref().map(Cursor::decode).transpose().map_err(|_| crate::core::util::bad_cursor())?;
    let org = scope.org_id().to_string();
    let mut query = products::table
        .filter(products::org_id.eq(&org))
        .filter(products::deleted_at.is_null())
        .select(Row::as_select())
        .limit(i64::from(limit) + 1)
        .into_boxed();
    if let Some(text) = q.q.as_deref().filter(|t| !t.trim().is_empty()) {
        let pattern = like_pattern(text);
        query = query.filter(
            lower(products::name).like(pattern.clone()).escape('\\').or(products::sku_key.like(pattern).escape('\\')),
        );
    }
    if let Some(active) = q.active {
        query = query.filter(products::active.eq(active));
    }
    query = match (by_sku, dir) {
        (false, Direction::Asc) => query.order((products::name.asc(), products::id.asc())),
        (false, Direction::Desc) => query.order((products::name.desc(), products::id.desc())),
        (true, Direction::Asc) => query.order((products::sku_key.asc(), products::id.asc())),
        (true, Direction::Desc) => query.order((products::sku_key.desc(), products::id.desc())),
    };
    if let Some(c) = cursor {
        let key = c.key.clone().unwrap_or_default();
        query =
            match (by_sku, dir) {
                (false, Direction::Asc) => {
                    query.filter(products::name.gt(key.clone()).or(products::name.eq(key).and(products::id.gt(c.id))))
                }
                (false, Direction::Desc) => {
                    query.filter(products::name.lt(key.clone()).or(products::name.eq(key).and(products::id.lt(c.id))))
                }
                (true, Direction::Asc) => query
                    .filter(products::sku_key.gt(key.clone()).or(products::sku_key.eq(key).and(products::id.gt(c.id)))),
                (true, Direction::Desc) => query
                    .filter(products::sku_key.lt(key.clone()).or(products::sku_key.eq(key).and(products::id.lt(c.id)))),
            };
    }
    let rows = query.load(conn)?;
    let items = views(conn, &org, rows)?;
    Ok(page_from_rows(items, limit, |p| Cursor {
        key: Some(if by_sku { ProductInput::sku_key(&p.sku) } else { p.name.clone() }),
        id: p.id.to_string(),
    }))
}

/// The input's own rules and those that need stored data (a taken SKU, an unknown tax category),
/// in one answer.
fn check(conn: &mut DbConnection, scope: &Scope, input: &ProductInput, this: Option<ProductId>) -> Result<()> {
    let mut p = input.problems();
    let key = ProductInput::sku_key(&input.sku);
    let mut taken = products::table
        .filter(products::org_id.eq(scope.org_id().to_string()))
        .filter(products::sku_key.eq(&key))
        .select(products::deleted_at.is_not_null())
        .into_boxed();
    if let Some(id) = this {
        taken = taken.filter(products::id.ne(id.to_string()));
    }
    if let Some(in_bin) = taken.first::<bool>(conn).optional()? {
        let message = if in_bin {
            "A product in the recycle bin has this SKU; restore it or choose another."
        } else {
            "Another product has this SKU."
        };
        p.push(FieldError::new("sku", "taken", message));
    }
    if let Some(cat) = input.tax_category_id {
        if !super::tax_categories::exists(conn, scope.org_id(), cat)? {
            p.push(FieldError::new("tax_category_id", "unknown", "No such tax category."));
        }
    }
    if p.is_empty() {
        Ok(())
    } else {
        p.sort_by(|a, b| a.field.cmp(&b.field));
        Err(Error::Validation(p))
    }
}

fn write_prices(conn: &mut DbConnection, org: &str, id: &str, prices: &[Price]) -> Result<()> {
    diesel::delete(
        product_prices::table.filter(product_prices::org_id.eq(org)).filter(product_prices::product_id.eq(id)),
    )
    .execute(conn)?;
    for p in prices {
        diesel::insert_into(product_prices::table)
            .values((
                product_prices::product_id.eq(id),
                product_prices::org_id.eq(org),
                product_prices::currency.eq(&p.currency),
                product_prices::unit_price.eq(p.unit_price),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A unique violation on the SKU (a concurrent create with the same one) is the same field error.
fn sku_race(e: Error) -> Error {
    match e {
        Error::Conflict(_) => Error::field("sku", "taken", "Another product has this SKU."),
        other => other,
    }
}

pub fn create(conn: &mut DbConnection, scope: &Scope, input: &ProductInput) -> Result<ProductView> {
    require_write(scope)?;
    transaction(conn, |c| {
        check(c, scope, input, None)?;
        let id = ProductId(new_id());
        let org = scope.org_id().to_string();
        let at = now();
        diesel::insert_into(products::table)
            .values((
                products::id.eq(id.to_string()),
                products::org_id.eq(&org),
                products::sku.eq(input.sku.trim()),
                products::sku_key.eq(ProductInput::sku_key(&input.sku)),
                products::name.eq(input.name.trim()),
                products::description.eq(input.description.trim()),
                products::unit.eq(input.unit.trim()),
                products::kind.eq(input.kind.as_str()),
                products::tax_category_id.eq(input.tax_category_id.map(|t| t.to_string())),
                products::active.eq(input.active),
                products::created_at.eq(at),
                products::updated_at.eq(at),
                products::version.eq(1i64),
            ))
            .execute(c)
            .map_err(|e| sku_race(e.into()))?;
        write_prices(c, &org, &id.to_string(), &input.prices)?;
        let view = find(c, scope.org_id(), id, false)?;
        audit::record_created(c, scope, ENTITY, &id.to_string(), &view)?;
        Ok(view)
    })
}

/// Replace a product's fields and prices (the whole record, as the form edits it).
pub fn update(
    conn: &mut DbConnection,
    scope: &Scope,
    id: ProductId,
    version: i64,
    input: &ProductInput,
) -> Result<ProductView> {
    require_write(scope)?;
    transaction(conn, |c| {
        let before = find(c, scope.org_id(), id, false)?;
        check(c, scope, input, Some(id))?;
        let org = scope.org_id().to_string();
        let n = diesel::update(
            products::table
                .filter(products::org_id.eq(&org))
                .filter(products::id.eq(id.to_string()))
                .filter(products::deleted_at.is_null())
                .filter(products::version.eq(version)),
        )
        .set((
            products::sku.eq(input.sku.trim()),
            products::sku_key.eq(ProductInput::sku_key(&input.sku)),
            products::name.eq(input.name.trim()),
            products::description.eq(input.description.trim()),
            products::unit.eq(input.unit.trim()),
            products::kind.eq(input.kind.as_str()),
            products::tax_category_id.eq(input.tax_category_id.map(|t| t.to_string())),
            products::active.eq(input.active),
            products::updated_at.eq(now()),
            products::version.eq(version + 1),
        ))
        .execute(c)
        .map_err(|e| sku_race(e.into()))?;
        if n == 0 {
            return Err(Error::Stale(version));
        }
        write_prices(c, &org, &id.to_string(), &input.prices)?;
        let after = find(c, scope.org_id(), id, false)?;
        audit::record_updated(c, scope, ENTITY, &id.to_string(), &before, &after)?;
        Ok(after)
    })
}

// A deleted product's SKU stays taken until it is purged, so a restore never collides.
recycled!(products, ProductId, ProductView, |p| format!("{} ({})", p.name, p.sku), |_, _| Ok(()));

/// Delete a product for good, with its prices and price book entries.
pub(crate) fn purge(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    let org = scope.org_id().to_string();
    diesel::delete(
        price_book_entries::table
            .filter(price_book_entries::org_id.eq(&org))
            .filter(price_book_entries::product_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        product_prices::table.filter(product_prices::org_id.eq(&org)).filter(product_prices::product_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        products::table
            .filter(products::org_id.eq(&org))
            .filter(products::id.eq(id))
            .filter(products::deleted_at.is_not_null()),
    )
    .execute(conn)?;
    audit::record(conn, scope, ENTITY, id, AuditAction::Purge, &[])
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new(ENTITY, kith_domain::core::modules::Module::Pipeline)
            .display(crate::display_by!(ENTITY, products, name))
            .purged_by(purge),
    );
}
