//! Invitations.

use actix_web::http::StatusCode;
use actix_web::{delete, get, post, web, HttpResponse};
use kith_domain::core::page::{Page, PageQuery};
use kith_domain::identity::{CreatedInvite, InviteView, NewInvite};
use kith_domain::{InviteId, Problem};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::{json_response, ok};
use crate::http::input::valid;
use crate::state::AppState;

#[utoipa::path(
    operation_id = "list_invites",
    tag = "invites",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = Page<InviteView>), (status = 403, body = Problem))
)]
#[get("/invites")]
pub async fn list(state: web::Data<AppState>, auth: Auth, q: web::Query<PageQuery>) -> ApiResult<HttpResponse> {
    let page = state.db(move |c| kith_db::identity::invites::list(c, auth.scope(), &q)).await?;
    ok(&page)
}

/// Invite someone by email (administrators). An email with the link is queued; the link is also in
/// the response. `Idempotency-Key` is not honoured: replaying would mean storing the token.
#[utoipa::path(
    operation_id = "create_invite",
    tag = "invites",
    security(("bearer" = [])),
    request_body = NewInvite,
    responses((status = 201, body = CreatedInvite), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/invites")]
pub async fn create(state: web::Data<AppState>, auth: Auth, body: web::Json<NewInvite>) -> ApiResult<HttpResponse> {
    let new = valid(body.into_inner())?;
    let public_url = state.config.public_url.clone();
    let created = state
        .db(move |c| {
            if auth.scope().user_id().is_none() {
                return Err(kith_db::Error::Forbidden(
                    "Invitations are sent by signed-in administrators, not by API keys.".into(),
                ));
            }
            let org = kith_db::identity::organizations::me(c, auth.scope())?.organization.name;
            kith_db::identity::invites::create(c, auth.scope(), &new, &org, &public_url)
        })
        .await?;
    json_response(StatusCode::CREATED, &created)
}

#[utoipa::path(
    operation_id = "revoke_invite",
    tag = "invites",
    security(("bearer" = [])),
    params(("id" = InviteId, Path)),
    responses((status = 204, description = "Revoked"), (status = 404, body = Problem))
)]
#[delete("/invites/{id}")]
pub async fn revoke(state: web::Data<AppState>, auth: Auth, id: web::Path<InviteId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::identity::invites::revoke(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
