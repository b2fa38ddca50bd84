//! Products and services of the catalogue.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use kith_domain::catalog::{ProductInput, ProductListQuery, ProductView};
use kith_domain::core::page::Page;
use kith_domain::{Problem, ProductId};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::{ok, IfMatch};
use crate::http::idempotency::{create_once, IdempotencyKey};
use crate::state::AppState;

/// A page of live products, searched by name or SKU.
#[utoipa::path(
    operation_id = "list_products",
    tag = "catalog",
    security(("bearer" = [])),
    params(ProductListQuery),
    responses((status = 200, body = Page<ProductView>), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[get("/products")]
pub async fn list(state: web::Data<AppState>, auth: Auth, q: web::Query<ProductListQuery>) -> ApiResult<HttpResponse> {
    let page = state.db(move |c| kith_db::catalog::products::list(c, auth.scope(), &q)).await?;
    ok(&page)
}

#[utoipa::path(
    operation_id = "create_product",
    tag = "catalog",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = ProductInput,
    responses((status = 201, body = ProductView), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/products")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<ProductInput>,
) -> ApiResult<HttpResponse> {
    // The storage function checks the input's own rules with those that need stored data, so every
    // error comes in one answer.
    create_once(&state, auth.0, key, body.into_inner(), kith_db::catalog::products::create).await
}

#[utoipa::path(
    operation_id = "get_product",
    tag = "catalog",
    security(("bearer" = [])),
    params(("id" = ProductId, Path)),
    responses((status = 200, body = ProductView), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[get("/products/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<ProductId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let found = state.db(move |c| kith_db::catalog::products::get(c, auth.scope(), id)).await?;
    ok(&found)
}

/// Replace the record (send all its fields, as the form edits them) with its version in `If-Match`.
#[utoipa::path(
    operation_id = "update_product",
    tag = "catalog",
    security(("bearer" = [])),
    params(("id" = ProductId, Path), ("If-Match" = String, Header)),
    request_body = ProductInput,
    responses(
        (status = 200, body = ProductView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)
    )
)]
#[patch("/products/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<ProductId>,
    if_match: IfMatch,
    body: web::Json<ProductInput>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let id = id.into_inner();
    let found = state.db(move |c| kith_db::catalog::products::update(c, auth.scope(), id, if_match.0, &input)).await?;
    ok(&found)
}

/// Move to the recycle bin (restorable for 30 days).
#[utoipa::path(
    operation_id = "delete_product",
    tag = "catalog",
    security(("bearer" = [])),
    params(("id" = ProductId, Path)),
    responses((status = 204, description = "In the recycle bin"), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[delete("/products/{id}")]
pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<ProductId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::catalog::products::delete(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Take it back out of the recycle bin.
#[utoipa::path(
    operation_id = "restore_product",
    tag = "catalog",
    security(("bearer" = [])),
    params(("id" = ProductId, Path)),
    responses((status = 200, body = ProductView), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[post("/products/{id}/restore")]
pub async fn restore(state: web::Data<AppState>, auth: Auth, id: web::Path<ProductId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let found = state.db(move |c| kith_db::catalog::products::restore(c, auth.scope(), id)).await?;
    ok(&found)
}
