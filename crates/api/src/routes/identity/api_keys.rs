//! API keys for integrators.

use actix_web::{delete, get, post, web, HttpResponse};
use kith_domain::core::page::{Page, PageQuery};
use kith_domain::identity::{ApiKeyView, CreatedApiKey, NewApiKey};
use kith_domain::{ApiKeyId, Problem};

use crate::auth::Auth;
use crate::error::ApiResult;
use actix_web::http::StatusCode;

use crate::http::etag::{json_response, ok};
use crate::http::input::valid;
use crate::state::AppState;

#[utoipa::path(
    operation_id = "list_api_keys",
    tag = "api_keys",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = Page<ApiKeyView>), (status = 403, body = Problem))
)]
#[get("/api-keys")]
pub async fn list(state: web::Data<AppState>, auth: Auth, q: web::Query<PageQuery>) -> ApiResult<HttpResponse> {
    let page = state.db(move |c| kith_db::identity::api_keys::list(c, auth.scope(), &q)).await?;
    ok(&page)
}

/// Create a key (administrators). The secret is in this response only. `Idempotency-Key` is not
/// honoured here: replaying the response would mean storing the secret.
#[utoipa::path(
    operation_id = "create_api_key",
    tag = "api_keys",
    security(("bearer" = [])),
    request_body = NewApiKey,
    responses((status = 201, body = CreatedApiKey), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/api-keys")]
pub async fn create(state: web::Data<AppState>, auth: Auth, body: web::Json<NewApiKey>) -> ApiResult<HttpResponse> {
    let new = valid(body.into_inner())?;
    let created = state.db(move |c| kith_db::identity::api_keys::create(c, auth.scope(), &new)).await?;
    json_response(StatusCode::CREATED, &created)
}

/// Revoke a key: the very next request made with it fails.
#[utoipa::path(
    operation_id = "revoke_api_key",
    tag = "api_keys",
    security(("bearer" = [])),
    params(("id" = ApiKeyId, Path)),
    responses((status = 204, description = "Revoked"), (status = 404, body = Problem))
)]
#[delete("/api-keys/{id}")]
pub async fn revoke(state: web::Data<AppState>, auth: Auth, id: web::Path<ApiKeyId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::identity::api_keys::revoke(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
