//! The catalogue: the product list (its own page, for everyone who reads Pipeline or Billing), and
//! tax categories and price books under Settings.

pub mod price_books;
pub mod products;
pub mod taxes;

use kith_domain::core::modules::Module;
use leptos::prelude::*;

use crate::auth::Session;
use crate::registry::{RecordKind, SettingsPage};

/// Who reads the catalogue (the API's rule: Pipeline or Billing read).
pub fn may_read(session: Session) -> bool {
    session.can_read(Module::Pipeline) || session.can_read(Module::Billing)
}

pub const SETTINGS: &[SettingsPage] = &[
    SettingsPage {
        slug: "tax-categories",
        label: "Tax categories",
        access: may_read,
        view: || view! { <taxes::TaxCategoriesPage /> }.into_any(),
    },
    SettingsPage {
        slug: "price-books",
        label: "Price books",
        access: may_read,
        view: || view! { <price_books::PriceBooksPage /> }.into_any(),
    },
];

pub const KINDS: &[RecordKind] = &[
    RecordKind { entity: "product", label: "Product", href: Some(|_| "/catalog/products".to_owned()) },
    RecordKind { entity: "tax_category", label: "Tax category", href: Some(|_| "/settings/tax-categories".to_owned()) },
    RecordKind { entity: "price_book", label: "Price book", href: Some(|_| "/settings/price-books".to_owned()) },
];
