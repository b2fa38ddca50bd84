//! Identity routes: sign-up, sign-in and sessions, the signed-in person, users, teams, roles, API keys and
//! invitations.

pub mod api_keys;
pub mod auth;
pub mod invites;
pub mod me;
pub mod roles;
pub mod teams;
pub mod users;

use utoipa_actix_web::service_config::ServiceConfig;

/// This context's routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(auth::signup)
        .service(auth::login)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::accept_invite)
        .service(auth::invite_preview)
        .service(auth::request_password_reset)
        .service(auth::confirm_password_reset)
        .service(me::me)
        .service(me::change_password)
        .service(users::people)
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
        .service(invites::revoke);
}
