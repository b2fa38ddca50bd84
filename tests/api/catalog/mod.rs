//! The catalogue: products and services, tax categories, price books.

pub(crate) mod browser_catalog;
pub(crate) mod products;
