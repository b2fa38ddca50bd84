//! Catalogue routes: products and services, tax categories, price books.

pub mod price_books;
pub mod products;
pub mod tax_categories;

use utoipa_actix_web::service_config::ServiceConfig;

/// This context's routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(products::list)
        .service(products::create)
        .service(products::get)
        .service(products::update)
        .service(products::delete)
        .service(products::restore)
        .service(tax_categories::list)
        .service(tax_categories::create)
        .service(tax_categories::get)
        .service(tax_categories::update)
        .service(tax_categories::delete)
        .service(tax_categories::restore)
        .service(price_books::list)
        .service(price_books::create)
        .service(price_books::get)
        .service(price_books::update)
        .service(price_books::delete)
        .service(price_books::restore);
}
