//! Every route of the API, registered once: the same list builds the actix service and the OpenAPI
//! document, so the spec cannot forget a route.

pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod health;
pub mod invites;
pub mod me;
pub mod roles;
pub mod teams;
pub mod users;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// `/api/v1/...`
pub fn api_v1(cfg: &mut ServiceConfig) {
    cfg.service(
        scope::scope("/api/v1")
            .service(auth::signup)
            .service(auth::login)
            .service(auth::refresh)
            .service(auth::logout)
            .service(auth::accept_invite)
            .service(me::me)
            .service(me::change_password)
            .service(users::list)
            .service(users::get)
            .service(users::update)
            .service(teams::list)
            .service(teams::create)
            .service(teams::get)
            .service(teams::update)
            .service(teams::delete)
            .service(teams::restore)
            .service(roles::list)
            .service(roles::get)
            .service(roles::create)
            .service(roles::update)
            .service(api_keys::list)
            .service(api_keys::create)
            .service(api_keys::revoke)
            .service(invites::list)
            .service(invites::create)
            .service(invites::revoke)
            .service(audit::list)
            .service(audit::recycle_bin),
    );
}

/// `/healthz`, `/readyz`, `/metrics`
pub fn operations(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz).service(health::readyz).service(health::metrics);
}
