//! The catalogue: products and services, tax categories, price books.

pub(crate) mod products;
pub(crate) mod browser_catalog;
