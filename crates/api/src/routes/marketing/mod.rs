//! Marketing routes: sequences (enrolment, unsubscribe) and the tracked email's open pixel and link redirect.

pub mod email_tracking;
pub mod sequences;

use utoipa_actix_web::service_config::ServiceConfig;

/// This context's routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(sequences::enroll)
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
        .service(email_tracking::click);
}
