//! Tax categories and their rates.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use kith_domain::catalog::{TaxCategoryInput, TaxCategoryView};
use kith_domain::{Problem, TaxCategoryId};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::{ok, IfMatch};
use crate::http::idempotency::{create_once, IdempotencyKey};
use crate::state::AppState;

/// Every live tax category, by name (a short list, whole).
#[utoipa::path(
    operation_id = "list_tax_categories",
    tag = "catalog",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<TaxCategoryView>), (status = 403, body = Problem))
)]
#[get("/tax-categories")]
pub async fn list(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let all = state.db(move |c| kith_db::catalog::tax_categories::list(c, auth.scope())).await?;
    ok(&all)
}

#[utoipa::path(
    operation_id = "create_tax_category",
    tag = "catalog",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = TaxCategoryInput,
    responses((status = 201, body = TaxCategoryView), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/tax-categories")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<TaxCategoryInput>,
) -> ApiResult<HttpResponse> {
    // The storage function checks the input's own rules with those that need stored data, so every
    // error comes in one answer.
    create_once(&state, auth.0, key, body.into_inner(), kith_db::catalog::tax_categories::create).await
}

#[utoipa::path(
    operation_id = "get_tax_category",
    tag = "catalog",
    security(("bearer" = [])),
    params(("id" = TaxCategoryId, Path)),
    responses((status = 200, body = TaxCategoryView), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[get("/tax-categories/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<TaxCategoryId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let found = state.db(move |c| kith_db::catalog::tax_categories::get(c, auth.scope(), id)).await?;
    ok(&found)
}

/// Replace the record (send all its fields, as the form edits them) with its version in `If-Match`.
#[utoipa::path(
    operation_id = "update_tax_category",
    tag = "catalog",
    security(("bearer" = [])),
    params(("id" = TaxCategoryId, Path), ("If-Match" = String, Header)),
    request_body = TaxCategoryInput,
    responses(
        (status = 200, body = TaxCategoryView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)
    )
)]
#[patch("/tax-categories/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<TaxCategoryId>,
    if_match: IfMatch,
    body: web::Json<TaxCategoryInput>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let id = id.into_inner();
    let found =
        state.db(move |c| kith_db::catalog::tax_categories::update(c, auth.scope(), id, if_match.0, &input)).await?;
    ok(&found)
}

/// Move to the recycle bin (restorable for 30 days).
#[utoipa::path(
    operation_id = "delete_tax_category",
    tag = "catalog",
    security(("bearer" = [])),
    params(("id" = TaxCategoryId, Path)),
    responses((status = 204, description = "In the recycle bin"), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[delete("/tax-categories/{id}")]
pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<TaxCategoryId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::catalog::tax_categories::delete(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Take it back out of the recycle bin.
#[utoipa::path(
    operation_id = "restore_tax_category",
    tag = "catalog",
    security(("bearer" = [])),
    params(("id" = TaxCategoryId, Path)),
    responses((status = 200, body = TaxCategoryView), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[post("/tax-categories/{id}/restore")]
pub async fn restore(state: web::Data<AppState>, auth: Auth, id: web::Path<TaxCategoryId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let found = state.db(move |c| kith_db::catalog::tax_categories::restore(c, auth.scope(), id)).await?;
    ok(&found)
}
