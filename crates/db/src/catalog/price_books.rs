//! Price books: named lists of prices that override a product's own price per currency
//! (`price_book_entries`). At most one is the organization's default; marking another takes the
//! mark from it in the same transaction.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kith_domain::catalog::{PriceBookEntry, PriceBookInput, PriceBookView};
use kith_domain::core::audit::AuditAction;
use kith_domain::core::validation::Check;
use kith_domain::{FieldError, OrgId, PriceBookId};

use super::{require_read, require_write};
use crate::core::util::{new_id, now, parse_id, to_utc, transaction};
use crate::schema::{price_book_entries, price_books};
use crate::{core::audit, core::recycle, DbConnection, Error, Result, Scope};

pub const ENTITY: &str = "price_book";

#[derive(Queryable, Selectable)]
#[diesel(table_name = price_books)]
struct Row {
    id: String,
    name: String,
    description: String,
    is_default: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
}

impl Row {
    fn into_view(self, entries: Vec<PriceBookEntry>) -> Result<PriceBookView> {
        Ok(PriceBookView {
            id: parse_id(&self.id)?,
            name: self.name,
            description: self.description,
            is_default: self.is_default,
            entries,
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
            version: self.version,
        })
    }
}

fn views(conn: &mut DbConnection, org: &str, rows: Vec<Row>) -> Result<Vec<PriceBookView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let entries: Vec<(String, String, String, i64)> = price_book_entries::table
        .filter(price_book_entries::org_id.eq(org))
        .filter(price_book_entries::price_book_id.eq_any(&ids))
        .order((price_book_entries::price_book_id, price_book_entries::product_id, price_book_entries::currency))
        .select((
            price_book_entries::price_book_id,
            price_book_entries::product_id,
            price_book_entries::currency,
            price_book_entries::unit_price,
        ))
        .load(conn)?;
    let mut by_book: HashMap<String, Vec<PriceBookEntry>> = HashMap::new();
    for (book, product, currency, unit_price) in entries {
        by_book.entry(book).or_default().push(PriceBookEntry { product_id: parse_id(&product)?, currency, unit_price });
    }
    rows.into_iter()
        .map(|r| {
            let e = by_book.remove(&r.id).unwrap_or_default();
            r.into_view(e)
        })
        .collect()
}

fn find(conn: &mut DbConnection, org_id: OrgId, id: PriceBookId, deleted: bool) -> Result<PriceBookView> {
    let query = price_books::table
        .filter(price_books::org_id.eq(org_id.to_string()))
        .filter(price_books::id.eq(id.to_string()))
        .select(Row::as_select())
        .into_boxed();
    let query = if deleted {
        query.filter(price_books::deleted_at.is_not_null())
    } else {
        query.filter(price_books::deleted_at.is_null())
    };
    let row = query.first(conn).optional()?.ok_or(Error::NotFound)?;
    views(conn, &org_id.to_string(), vec![row])?.pop().ok_or(Error::NotFound)
}

pub fn get(conn: &mut DbConnection, scope: &Scope, id: PriceBookId) -> Result<PriceBookView> {
    require_read(scope)?;
    find(conn, scope.org_id(), id, false)
}

/// Every live price book (a short list, returned whole): the default first, then by name.
pub fn list(conn: &mut DbConnection, scope: &Scope) -> Result<Vec<PriceBookView>> {
    require_read(scope)?;
    let org = scope.org_id().to_string();
    let rows = price_books::table
        .filter(price_books::org_id.eq(&org))
        .filter(price_books::deleted_at.is_null())
        .order((price_books::is_default.desc(), price_books::name.asc(), price_books::id.asc()))
        .select(Row::as_select())
        .load(conn)?;
    views(conn, &org, rows)
}

/// The input's own rules, and every product it prices must be a product of the organization.
fn check(conn: &mut DbConnection, scope: &Scope, input: &PriceBookInput) -> Result<()> {
    let mut p = input.problems();
    let wanted: Vec<String> = input.entries.iter().map(|e| e.product_id.to_string()).collect();
    if !wanted.is_empty() {
        let known = super::products::known(conn, scope.org_id(), &wanted)?;
        for (i, id) in wanted.iter().enumerate() {
            if !known.contains(id) {
                p.push(FieldError::new(format!("entries[{i}].product_id"), "unknown", "No such product."));
            }
        }
    }
    if p.is_empty() {
        Ok(())
    } else {
        p.sort_by(|a, b| a.field.cmp(&b.field));
        Err(Error::Validation(p))
    }
}

fn write(conn: &mut DbConnection, org: &str, id: &str, input: &PriceBookInput) -> Result<()> {
    if input.is_default {
        diesel::update(
            price_books::table
                .filter(price_books::org_id.eq(org))
                .filter(price_books::id.ne(id))
                .filter(price_books::is_default.eq(true)),
        )
        .set((price_books::is_default.eq(false), price_books::version.eq(price_books::version + 1)))
        .execute(conn)?;
    }
    diesel::delete(
        price_book_entries::table
            .filter(price_book_entries::org_id.eq(org))
            .filter(price_book_entries::price_book_id.eq(id)),
    )
    .execute(conn)?;
    for e in &input.entries {
        diesel::insert_into(price_book_entries::table)
            .values((
                price_book_entries::price_book_id.eq(id),
                price_book_entries::org_id.eq(org),
                price_book_entries::product_id.eq(e.product_id.to_string()),
                price_book_entries::currency.eq(&e.currency),
                price_book_entries::unit_price.eq(e.unit_price),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn create(conn: &mut DbConnection, scope: &Scope, input: &PriceBookInput) -> Result<PriceBookView> {
    require_write(scope)?;
    transaction(conn, |c| {
        check(c, scope, input)?;
        let id = PriceBookId(new_id());
        let org = scope.org_id().to_string();
        let at = now();
        diesel::insert_into(price_books::table)
            .values((
                price_books::id.eq(id.to_string()),
                price_books::org_id.eq(&org),
                price_books::name.eq(input.name.trim()),
                price_books::description.eq(input.description.trim()),
                price_books::is_default.eq(input.is_default),
                price_books::created_at.eq(at),
                price_books::updated_at.eq(at),
                price_books::version.eq(1i64),
            ))
            .execute(c)?;
        write(c, &org, &id.to_string(), input)?;
        let view = find(c, scope.org_id(), id, false)?;
        audit::record_created(c, scope, ENTITY, &id.to_string(), &view)?;
        Ok(view)
    })
}

pub fn update(
    conn: &mut DbConnection,
    scope: &Scope,
    id: PriceBookId,
    version: i64,
    input: &PriceBookInput,
) -> Result<PriceBookView> {
    require_write(scope)?;
    transaction(conn, |c| {
        let before = find(c, scope.org_id(), id, false)?;
        check(c, scope, input)?;
        let org = scope.org_id().to_string();
        let n = diesel::update(
            price_books::table
                .filter(price_books::org_id.eq(&org))
                .filter(price_books::id.eq(id.to_string()))
                .filter(price_books::deleted_at.is_null())
                .filter(price_books::version.eq(version)),
        )
        .set((
            price_books::name.eq(input.name.trim()),
            price_books::description.eq(input.description.trim()),
            price_books::is_default.eq(input.is_default),
            price_books::updated_at.eq(now()),
            price_books::version.eq(version + 1),
        ))
        .execute(c)?;
        if n == 0 {
            return Err(Error::Stale(version));
        }
        write(c, &org, &id.to_string(), input)?;
        let after = find(c, scope.org_id(), id, false)?;
        audit::record_updated(c, scope, ENTITY, &id.to_string(), &before, &after)?;
        Ok(after)
    })
}

// A deleted default book stops being the default.
recycled!(price_books, PriceBookId, PriceBookView, |b| b.name.clone(), |c, b| {
    diesel::update(price_books::table.filter(price_books::id.eq(b.id.to_string())))
        .set(price_books::is_default.eq(false))
        .execute(c)
        .map(|_| ())
        .map_err(Into::into)
});

pub(crate) fn purge(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    let org = scope.org_id().to_string();
    diesel::delete(
        price_book_entries::table
            .filter(price_book_entries::org_id.eq(&org))
            .filter(price_book_entries::price_book_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        price_books::table
            .filter(price_books::org_id.eq(&org))
            .filter(price_books::id.eq(id))
            .filter(price_books::deleted_at.is_not_null()),
    )
    .execute(conn)?;
    audit::record(conn, scope, ENTITY, id, AuditAction::Purge, &[])
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new(ENTITY, kith_domain::core::modules::Module::Pipeline)
            .display(crate::display_by!(ENTITY, price_books, name))
            .purged_by(purge),
    );
}
