//! The organization's email: its identity (sender, reply-to, tracking), its own SMTP server, and a test
//! message to check both.

use actix_web::{delete, get, post, put, web, HttpResponse};
use kith_db::core::mail_servers::PasswordChange;
use kith_db::core::outbox::OutgoingEmail;
use kith_domain::core::notifications::{
    MailServerInput, MailServerSetting, MailServerView, MailSettings, TestEmailRequest, TestEmailResult,
};
use kith_domain::{ErrorCode, Problem};

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::http::etag::ok;
use crate::http::input::valid;
use crate::mailer::Mailer;
use crate::state::AppState;

#[utoipa::path(operation_id = "get_mail_settings", tag = "me", security(("bearer" = [])), responses((status = 200, body = MailSettings), (status = 403, body = Problem)))]
#[get("/mail-settings")]
pub async fn get(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let settings = state.db(move |c| kith_db::core::mail_settings::get(c, auth.scope())).await?;
    ok(&settings)
}

/// Set the sender name and address of the organization's email, and where replies go (administrators).
#[utoipa::path(
    operation_id = "put_mail_settings",
    tag = "me",
    security(("bearer" = [])),
    request_body = MailSettings,
    responses((status = 200, body = MailSettings), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[put("/mail-settings")]
pub async fn put(state: web::Data<AppState>, auth: Auth, body: web::Json<MailSettings>) -> ApiResult<HttpResponse> {
    let settings = valid(body.into_inner())?;
    let saved = state.db(move |c| kith_db::core::mail_settings::put(c, auth.scope(), &settings)).await?;
    ok(&saved)
}

/// The SMTP server the organization's email goes out through: its own, or `{"server": null}` when it
/// sends through the installation's.
#[utoipa::path(
    operation_id = "get_mail_server",
    tag = "me",
    security(("bearer" = [])),
    responses((status = 200, body = MailServerSetting), (status = 403, body = Problem))
)]
#[get("/mail-settings/server")]
pub async fn get_server(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let server = state.db(move |c| kith_db::core::mail_servers::get(c, auth.scope())).await?;
    ok(&MailServerSetting { server })
}

/// Send the organization's email through its own SMTP server (administrators). The password is stored
/// sealed and never returned; omit it to keep the stored one, send "" to remove it.
#[utoipa::path(
    operation_id = "put_mail_server",
    tag = "me",
    security(("bearer" = [])),
    request_body = MailServerInput,
    responses((status = 200, body = MailServerView), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[put("/mail-settings/server")]
pub async fn put_server(
    state: web::Data<AppState>,
    auth: Auth,
    body: web::Json<MailServerInput>,
) -> ApiResult<HttpResponse> {
    let input = valid(body.into_inner())?;
    let org = auth.scope().org_id().to_string();
    let password = match input.password.as_deref() {
        None => PasswordChange::Keep,
        Some("") => PasswordChange::Remove,
        Some(p) => PasswordChange::Set(state.sealer.seal(&org, p).map_err(ApiError::Internal)?),
    };
    let saved = state.db(move |c| kith_db::core::mail_servers::put(c, auth.scope(), &input, password)).await?;
    ok(&saved)
}

/// Go back to sending through the installation's server.
#[utoipa::path(
    operation_id = "delete_mail_server",
    tag = "me",
    security(("bearer" = [])),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[delete("/mail-settings/server")]
pub async fn delete_server(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    state.db(move |c| kith_db::core::mail_servers::delete(c, auth.scope())).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Send a test message now, the way the organization's email goes out (its own server or the
/// installation's), and report what the server said (administrators).
#[utoipa::path(
    operation_id = "send_test_email",
    tag = "me",
    security(("bearer" = [])),
    request_body = TestEmailRequest,
    responses(
        (status = 200, body = TestEmailResult),
        (status = 403, body = Problem),
        (status = 422, body = Problem),
        (status = 502, description = "The mail server refused the message or could not be reached", body = Problem)
    )
)]
#[post("/mail-settings/test")]
pub async fn send_test(
    state: web::Data<AppState>,
    auth: Auth,
    body: web::Json<TestEmailRequest>,
) -> ApiResult<HttpResponse> {
    let request = valid(body.into_inner())?;
    let org_id = auth.scope().org_id().to_string();
    let (sender, server) = state
        .db(move |c| {
            let server = kith_db::core::mail_servers::for_sending(c, auth.scope())?;
            Ok((kith_db::core::mail_settings::get(c, auth.scope())?, server))
        })
        .await?;
    let result = TestEmailResult {
        via: if server.is_some() { "organization" } else { "installation" }.to_owned(),
        host: server.as_ref().map(|s| s.host.clone()),
    };
    let email = OutgoingEmail {
        id: uuid::Uuid::now_v7().to_string(),
        org_id,
        to: request.to,
        subject: "Kith test email".into(),
        body_text: "This is a test message from Kith. Your organization's email settings work.\n".into(),
        body_html: None,
        list_unsubscribe: None,
        attempts: 0,
        sender: Some(sender),
        server,
    };
    let mailer = Mailer::for_state(&state).map_err(ApiError::Internal)?;
    web::block(move || mailer.send_now(&email))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::code(ErrorCode::UpstreamFailed, e))?;
    ok(&result)
}
