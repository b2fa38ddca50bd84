//! Every route of the API, registered once, each context in its own `configure`: the same list builds the actix service and the OpenAPI
//! document, so the spec cannot forget a route.

pub mod catalog;
pub mod core;
pub mod customers;
pub mod identity;
pub mod leads;
pub mod marketing;
pub mod pipeline;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// `/api/v1/...`
pub fn api_v1(cfg: &mut ServiceConfig) {
    cfg.service(
        scope::scope("/api/v1")
            // Unknown paths under the API are 404 problems whether or not the SPA is built.
            .default_service(actix_web::web::to(crate::spa::api_not_found))
            .configure(identity::configure)
            .configure(core::configure)
            .configure(leads::configure)
            .configure(marketing::configure)
            .configure(customers::configure)
            .configure(pipeline::configure)
            .configure(catalog::configure),
    );
}

/// `/healthz`, `/readyz`, `/metrics`
pub fn operations(cfg: &mut ServiceConfig) {
    cfg.service(core::health::healthz).service(core::health::readyz).service(core::health::metrics);
}
