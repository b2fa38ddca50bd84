//! Price books: prices per product and currency that override the products' own.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use kith_domain::catalog::{PriceBookInput, PriceBookView};
use kith_domain::{PriceBookId, Problem};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::{ok, IfMatch};
use crate::http::idempotency::{create_once, IdempotencyKey};
use crate::state::AppState;

/// Every live price book, the default first (a short list, whole).
#[utoipa::path(
    operation_id = "list_price_books",
    tag = "catalog",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<PriceBookView>), (status = 403, body = Problem))
)]
#[get("/price-books")]
pub async fn list(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let all = state.db(move |c| kith_db::catalog::price_books::list(c, auth.scope())).await?;
    ok(&all)
}

#[utoipa::path(
    operation_id = "create_price_book",
    tag = "catalog",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = PriceBookInput,
    responses((status = 201, body = PriceBookView), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/price-books")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<PriceBookInput>,
) -> ApiResult<HttpResponse> {
    // The storage function checks the input's own rules with those that need stored data, so every
    // error comes in one answer.
    create_once(&state, auth.0, key, body.into_inner(), kith_db::catalog::price_books::create).await
}

#[utoipa::path(
    operation_id = "get_price_book",
    tag = "catalog",
    security(("bearer" = [])),
    params(("id" = PriceBookId, Path)),
    responses((status = 200, body = PriceBookView), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[get("/price-books/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<PriceBookId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let found = state.db(move |c| kith_db::catalog::price_books::get(c, auth.scope(), id)).await?;
    ok(&found)
}

/// Replace the record (send all its fields, as the form edits them) with its version in `If-Match`.
#[utoipa::path(
    operation_id = "update_price_book",
    tag = "catalog",
    security(("bearer" = [])),
    params(("id" = PriceBookId, Path), ("If-Match" = String, Header)),
    request_body = PriceBookInput,
    responses(
        (status = 200, body = PriceBookView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)
    )
)]
#[patch("/price-books/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<PriceBookId>,
    if_match: IfMatch,
    body: web::Json<PriceBookInput>,
) -> ApiResult<HttpResponse> {
    let input = body.into_inner();
    let id = id.into_inner();
    let found =
        state.db(move |c| kith_db::catalog::price_books::update(c, auth.scope(), id, if_match.0, &input)).await?;
    ok(&found)
}

/// Move to the recycle bin (restorable for 30 days).
#[utoipa::path(
    operation_id = "delete_price_book",
    tag = "catalog",
    security(("bearer" = [])),
    params(("id" = PriceBookId, Path)),
    responses((status = 204, description = "In the recycle bin"), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[delete("/price-books/{id}")]
pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<PriceBookId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::catalog::price_books::delete(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Take it back out of the recycle bin.
#[utoipa::path(
    operation_id = "restore_price_book",
    tag = "catalog",
    security(("bearer" = [])),
    params(("id" = PriceBookId, Path)),
    responses((status = 200, body = PriceBookView), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[post("/price-books/{id}/restore")]
pub async fn restore(state: web::Data<AppState>, auth: Auth, id: web::Path<PriceBookId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let found = state.db(move |c| kith_db::catalog::price_books::restore(c, auth.scope(), id)).await?;
    ok(&found)
}
