//! Saved lead list views.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use kith_domain::leads::{LeadViewInput, LeadViewRecord};
use kith_domain::{LeadViewId, Problem};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::{ok, IfMatch};
use crate::http::idempotency::{create_once, IdempotencyKey};
use crate::http::input::valid;
use crate::state::AppState;

/// The caller's saved views and the organization's shared ones, by name (people only; API keys have none).
#[utoipa::path(
    operation_id = "list_lead_views",
    tag = "leads",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<LeadViewRecord>), (status = 403, body = Problem))
)]
#[get("/lead-views")]
pub async fn list(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let views = state.db(move |c| kith_db::leads::views::list(c, auth.scope())).await?;
    ok(&views)
}

/// Save the current filters under a name, for oneself or shared with everyone.
#[utoipa::path(
    operation_id = "create_lead_view",
    tag = "leads",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = LeadViewInput,
    responses((status = 201, body = LeadViewRecord), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/lead-views")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<LeadViewInput>,
) -> ApiResult<HttpResponse> {
    create_once(&state, auth.0, key, valid(body.into_inner())?, kith_db::leads::views::create).await
}

/// Rename a view, change its filters or sharing (its owner, or an administrator for a shared view).
#[utoipa::path(
    operation_id = "update_lead_view",
    tag = "leads",
    security(("bearer" = [])),
    params(("id" = LeadViewId, Path), ("If-Match" = String, Header)),
    request_body = LeadViewInput,
    responses(
        (status = 200, body = LeadViewRecord), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)
    )
)]
#[patch("/lead-views/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<LeadViewId>,
    if_match: IfMatch,
    body: web::Json<LeadViewInput>,
) -> ApiResult<HttpResponse> {
    let input = valid(body.into_inner())?;
    let id = id.into_inner();
    let view = state.db(move |c| kith_db::leads::views::update(c, auth.scope(), id, if_match.0, &input)).await?;
    ok(&view)
}

#[utoipa::path(
    operation_id = "delete_lead_view",
    tag = "leads",
    security(("bearer" = [])),
    params(("id" = LeadViewId, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[delete("/lead-views/{id}")]
pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<LeadViewId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::leads::views::delete(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
