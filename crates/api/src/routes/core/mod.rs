//! Shared routes: search across record kinds, activities, My day and the calendar feed, attachments (a lead's upload and list live with leads), the audit trail and the recycle bin, the organization's email settings, notifications,
//! custom fields, and the operational endpoints (health, readiness, metrics).

pub mod activities;
pub mod attachments;
pub mod audit;
pub mod custom_fields;
pub mod health;
pub mod mail_settings;
pub mod notifications;
pub mod search;

use utoipa_actix_web::service_config::ServiceConfig;

/// This context's routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(search::search)
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
        .service(custom_fields::list)
        .service(custom_fields::create)
        .service(custom_fields::update)
        .service(custom_fields::delete)
        .service(attachments::get)
        .service(attachments::content)
        .service(attachments::delete)
        .service(attachments::restore)
        .service(activities::create)
        .service(activities::list)
        .service(activities::get)
        .service(activities::update)
        .service(activities::delete)
        .service(activities::restore)
        .service(activities::ics)
        .service(activities::my_day)
        .service(activities::feed_status)
        .service(activities::feed_create)
        .service(activities::feed_revoke)
        .service(activities::public_feed);
}
