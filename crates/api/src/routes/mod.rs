//! Every route of the API, registered once: the same list builds the actix service and the OpenAPI
//! document, so the spec cannot forget a route.

pub mod api_keys;
pub mod attachments;
pub mod audit;
pub mod auth;
pub mod call_lists;
pub mod custom_fields;
pub mod email_tracking;
pub mod health;
pub mod imports;
pub mod inbound;
pub mod invites;
pub mod lead_attachments;
pub mod lead_config;
pub mod lead_merge;
pub mod lead_views;
pub mod leads;
pub mod mail_settings;
pub mod me;
pub mod notifications;
pub mod public_forms;
pub mod roles;
pub mod sequences;
pub mod teams;
pub mod users;
pub mod webforms;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// `/api/v1/...`
pub fn api_v1(cfg: &mut ServiceConfig) {
    cfg.service(
        scope::scope("/api/v1")
            // Unknown paths under the API are 404 problems whether or not the SPA is built.
            .default_service(actix_web::web::to(crate::spa::api_not_found))
            .service(auth::signup)
            .service(auth::login)
            .service(auth::refresh)
            .service(auth::logout)
            .service(auth::accept_invite)
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
            .service(invites::revoke)
            .service(audit::list)
            .service(audit::recycle_bin)
            .service(mail_settings::get)
            .service(mail_settings::put)
            .service(mail_settings::get_server)
            .service(mail_settings::put_server)
            .service(mail_settings::delete_server)
            .service(mail_settings::send_test)
            .service(notifications::list)
            .service(notifications::mark_read)
            // Fixed paths before `/leads/{id}` so they are not read as ids.
            .service(leads::export)
            .service(leads::bulk)
            .service(lead_merge::duplicates)
            .service(lead_merge::merge)
            .service(lead_merge::undo)
            .service(leads::list)
            .service(leads::create)
            .service(leads::get)
            .service(call_lists::list)
            .service(call_lists::create)
            .service(call_lists::get)
            .service(call_lists::add_contacts)
            .service(call_lists::next)
            .service(call_lists::log_call)
            .service(imports::upload)
            .service(imports::get)
            .service(imports::mapping)
            .service(imports::dry_run)
            .service(imports::dry_run_report)
            .service(imports::start)
            .service(imports::results)
            .service(sequences::enroll)
            .service(sequences::enrollments)
            .service(sequences::list)
            .service(sequences::create)
            .service(sequences::get)
            .service(sequences::update)
            .service(sequences::delete)
            .service(sequences::restore)
            .service(sequences::stop)
            .service(sequences::unsubscribe_page)
            .service(sequences::unsubscribe)
            .service(email_tracking::open)
            .service(email_tracking::click)
            .service(leads::update)
            .service(leads::delete)
            .service(leads::restore)
            .service(leads::events)
            .service(lead_attachments::upload)
            .service(lead_attachments::list)
            .service(attachments::get)
            .service(attachments::content)
            .service(attachments::delete)
            .service(attachments::restore)
            .service(leads::emails)
            .service(lead_views::list)
            .service(lead_views::create)
            .service(lead_views::update)
            .service(lead_views::delete)
            .service(leads::add_activity)
            .service(lead_config::list_scoring)
            .service(lead_config::create_scoring)
            .service(lead_config::update_scoring)
            .service(lead_config::delete_scoring)
            .service(lead_config::list_assignment)
            .service(lead_config::create_assignment)
            .service(lead_config::update_assignment)
            .service(lead_config::delete_assignment)
            .service(lead_config::get_settings)
            .service(lead_config::put_settings)
            .service(custom_fields::list)
            .service(custom_fields::create)
            .service(custom_fields::update)
            .service(custom_fields::delete)
            .service(webforms::list)
            .service(webforms::create)
            .service(webforms::get)
            .service(webforms::update)
            .service(webforms::delete)
            .service(webforms::restore)
            .service(webforms::embed)
            .service(public_forms::describe)
            .service(public_forms::preflight)
            .service(public_forms::submit)
            .service(public_forms::thanks)
            .service(public_forms::embed_js)
            // Raw messages up to 10 MiB on these routes only; `/settings` and `/secret` before `/{org_id}`.
            .service(
                scope::scope("/inbound/email")
                    .app_data(inbound::payload_config())
                    .service(inbound::settings)
                    .service(inbound::rotate_secret)
                    .service(inbound::receive),
            ),
    );
}

/// `/healthz`, `/readyz`, `/metrics`
pub fn operations(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz).service(health::readyz).service(health::metrics);
}
