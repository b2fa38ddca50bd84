//! Call lists and the agent's call queue.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use futures_util::StreamExt;
use kith_domain::leads::call_lists::*;
use kith_domain::leads::imports::RowProblem;
use kith_domain::{CallContactId, CallListId, ErrorCode, Problem};

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::http::etag::ok;
use crate::http::idempotency::{create_once, run_once, IdempotencyKey};
use crate::http::input::valid;
use crate::state::AppState;

/// Uploads of contacts (RELIABILITY: uploads up to 25 MiB).
pub const UPLOAD_LIMIT: usize = 25 * 1024 * 1024;

#[utoipa::path(operation_id = "list_call_lists", tag = "call_lists", security(("bearer" = [])), responses((status = 200, body = Vec<CallListView>), (status = 403, body = Problem)))]
#[get("/call-lists")]
pub async fn list(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let all = state.db(move |c| kith_db::leads::call_lists::list(c, auth.scope())).await?;
    ok(&all)
}

#[utoipa::path(
    operation_id = "create_call_list",
    tag = "call_lists",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = NewCallList,
    responses((status = 201, body = CallListView), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/call-lists")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<NewCallList>,
) -> ApiResult<HttpResponse> {
    create_once(&state, auth.0, key, valid(body.into_inner())?, kith_db::leads::call_lists::create).await
}

#[utoipa::path(
    operation_id = "get_call_list",
    tag = "call_lists",
    security(("bearer" = [])),
    params(("id" = CallListId, Path)),
    responses((status = 200, body = CallListView), (status = 404, body = Problem))
)]
#[get("/call-lists/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<CallListId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let view = state.db(move |c| kith_db::leads::call_lists::get(c, auth.scope(), id)).await?;
    ok(&view)
}

/// Add contacts from a CSV body (columns recognised by name; a phone column is required).
#[utoipa::path(
    operation_id = "add_call_contacts",
    tag = "call_lists",
    security(("bearer" = [])),
    params(("id" = CallListId, Path)),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ContactsAdded), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem))
)]
#[post("/call-lists/{id}/contacts")]
pub async fn add_contacts(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<CallListId>,
    mut body: web::Payload,
) -> ApiResult<HttpResponse> {
    crate::http::input::require_csv(&req)?;
    let mut data = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_request("The upload was interrupted."))?;
        if data.len() + chunk.len() > UPLOAD_LIMIT {
            return Err(ApiError::code(ErrorCode::PayloadTooLarge, "Contact uploads are limited to 25 MiB."));
        }
        data.extend_from_slice(&chunk);
    }
    let id = id.into_inner();
    let (updated, refused) =
        state.db(move |c| kith_db::leads::call_lists::add_csv(c, auth.scope(), id, data.as_slice())).await?;
    let refused = refused.into_iter().map(|(row, errors)| RowProblem { row, errors }).collect();
    ok(&ContactsAdded { list: updated, refused })
}

/// Take the next contact to call (due callbacks first); it is held for you for 15 minutes.
/// 204 when nothing is due.
#[utoipa::path(
    operation_id = "next_call_contact",
    tag = "call_lists",
    security(("bearer" = [])),
    params(("id" = CallListId, Path)),
    responses((status = 200, body = CallContactView), (status = 204, description = "Nothing to call now"), (status = 404, body = Problem))
)]
#[post("/call-lists/{id}/next")]
pub async fn next(state: web::Data<AppState>, auth: Auth, id: web::Path<CallListId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    match state.db(move |c| kith_db::leads::call_lists::next(c, auth.scope(), id)).await? {
        Some(contact) => ok(&contact),
        None => Ok(HttpResponse::NoContent().finish()),
    }
}

/// Log the call on a contact you hold: no answer and busy come back later, a callback comes back
/// at its time, interested becomes a lead with the call history.
#[utoipa::path(
    tag = "call_lists",
    security(("bearer" = [])),
    params(("id" = CallContactId, Path), ("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = NewCall,
    responses((status = 200, body = CallOutcome), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem))
)]
#[post("/call-contacts/{id}/calls")]
pub async fn log_call(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<CallContactId>,
    key: IdempotencyKey,
    body: web::Json<NewCall>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    run_once(&state, auth.0, key, valid(body.into_inner())?, move |c, scope, call| {
        kith_db::leads::call_lists::log_call(c, scope, id, call).map(|o| (StatusCode::OK, o))
    })
    .await
}
