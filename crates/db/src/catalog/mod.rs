//! The catalogue: products and services, tax categories, price books.
//!
//! Access: anyone whose role reads Pipeline or Billing reads the catalogue (a rep prices a quote, a
//! bookkeeper an invoice); only those who may change Settings change it. Prices and tax rates are
//! the organization's terms of trade, like its roles and email settings, so they are settings: a
//! rep who could write Pipeline records could otherwise lower a list price for everyone.

/// `delete` (to the recycle bin, restorable for 30 days) and `restore` for a catalogue kind: its
/// module has `ENTITY`, `find(conn, org, id, deleted)` and a table with `org_id`, `id`,
/// `deleted_at` and `version`. `$label` names the record in the bin; `$also` runs in the delete's
/// transaction (a price book gives up the default mark).
macro_rules! recycled {
    ($table:ident, $id:ty, $view:ty, $label:expr, $also:expr) => {
        pub fn delete(conn: &mut DbConnection, scope: &Scope, id: $id) -> Result<()> {
            super::require_write(scope)?;
            transaction(conn, |c| {
                let record = find(c, scope.org_id(), id, false)?;
                let at = now();
                diesel::update(
                    $table::table
                        .filter($table::org_id.eq(scope.org_id().to_string()))
                        .filter($table::id.eq(id.to_string())),
                )
                .set(($table::deleted_at.eq(Some(at)), $table::version.eq(record.version + 1)))
                .execute(c)?;
                let also: fn(&mut DbConnection, &$view) -> Result<()> = $also;
                also(c, &record)?;
                let label: fn(&$view) -> String = $label;
                recycle::put(c, scope, ENTITY, &id.to_string(), &label(&record), at)?;
                audit::record(c, scope, ENTITY, &id.to_string(), AuditAction::Delete, &[])
            })
        }

        pub fn restore(conn: &mut DbConnection, scope: &Scope, id: $id) -> Result<$view> {
            super::require_write(scope)?;
            transaction(conn, |c| {
                let record = find(c, scope.org_id(), id, true)?;
                diesel::update(
                    $table::table
                        .filter($table::org_id.eq(scope.org_id().to_string()))
                        .filter($table::id.eq(id.to_string())),
                )
                .set(($table::deleted_at.eq(None::<NaiveDateTime>), $table::version.eq(record.version + 1)))
                .execute(c)?;
                recycle::take(c, scope, ENTITY, &id.to_string())?;
                audit::record(c, scope, ENTITY, &id.to_string(), AuditAction::Restore, &[])?;
                find(c, scope.org_id(), id, false)
            })
        }
    };
}

pub mod price_books;
pub mod products;
pub mod tax_categories;

use kith_domain::core::modules::Module;
use kith_domain::core::permissions::Action;

use crate::{Result, Scope};

/// Reading the catalogue: the Pipeline or the Billing module's read grant.
pub(crate) fn require_read(scope: &Scope) -> Result<()> {
    scope.require(Module::Pipeline, Action::Read).or_else(|_| scope.require(Module::Billing, Action::Read))
}

/// Changing the catalogue: the Settings module's write grant.
pub(crate) fn require_write(scope: &Scope) -> Result<()> {
    scope.require(Module::Settings, Action::Write)
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    products::register(k);
    tax_categories::register(k);
    price_books::register(k);
}
