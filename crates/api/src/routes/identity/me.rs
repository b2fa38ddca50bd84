//! The signed-in user.

use actix_web::{get, post, web, HttpResponse};
use kith_domain::identity::auth::{ChangePasswordRequest, Me};
use kith_domain::Problem;

use crate::auth::{password, Auth};
use crate::error::ApiResult;
use crate::http::etag::ok;
use crate::http::input::valid;
use crate::state::AppState;

/// Who is signed in: user, organization and role with its grants.
#[utoipa::path(operation_id = "get_me", tag = "me", security(("bearer" = [])), responses((status = 200, body = Me), (status = 401, body = Problem)))]
#[get("/me")]
pub async fn me(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let me = state.db(move |c| kith_db::identity::organizations::me(c, auth.scope())).await?;
    ok(&me)
}

/// Change your password. Every session ends, this one too: sign in again with the new password.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses((status = 204, description = "Changed; all sessions ended"), (status = 422, body = Problem))
)]
#[post("/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    auth: Auth,
    body: web::Json<ChangePasswordRequest>,
) -> ApiResult<HttpResponse> {
    let body = valid(body.into_inner())?;
    let new_hash = super::auth::hash_password(body.new_password.clone()).await?;
    state
        .db(move |c| {
            kith_db::identity::sessions::change_password(
                c,
                auth.scope(),
                |current| password::verify(&body.current_password, current),
                &new_hash,
            )
        })
        .await?;
    let mut response = HttpResponse::NoContent().finish();
    super::auth::clear_session_cookies(&state, &mut response)?;
    Ok(response)
}
