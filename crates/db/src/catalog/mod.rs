//! The catalogue: products and services, tax categories, price books.
//!
//! Access: anyone whose role reads Pipeline or Billing reads the catalogue (a rep prices a quote, a
//! bookkeeper an invoice); only those who may change Settings change it. Prices and tax rates are
//! the organization's terms of trade, like its roles and email settings, so they are settings: a
//! rep who could write Pipeline records could otherwise lower a list price for everyone.

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
