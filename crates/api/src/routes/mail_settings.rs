//! The organization's email identity.

use actix_web::{get, put, web, HttpResponse};
use kith_domain::notifications::MailSettings;
use kith_domain::Problem;

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::ok;
use crate::http::input::valid;
use crate::state::AppState;

#[utoipa::path(tag = "me", security(("bearer" = [])), responses((status = 200, body = MailSettings), (status = 403, body = Problem)))]
#[get("/mail-settings")]
pub async fn get(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let settings = state.db(move |c| kith_db::mail_settings::get(c, auth.scope())).await?;
    ok(&settings)
}

/// Set the sender name and address of the organization's email, and where replies go (administrators).
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = MailSettings,
    responses((status = 200, body = MailSettings), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[put("/mail-settings")]
pub async fn put(state: web::Data<AppState>, auth: Auth, body: web::Json<MailSettings>) -> ApiResult<HttpResponse> {
    let settings = valid(body.into_inner())?;
    let saved = state.db(move |c| kith_db::mail_settings::put(c, auth.scope(), &settings)).await?;
    ok(&saved)
}
