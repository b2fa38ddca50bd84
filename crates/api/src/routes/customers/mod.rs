//! Accounts and contacts.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use kith_domain::core::page::{Page, PageQuery};
use kith_domain::core::timeline::RecordEvent;
use kith_domain::customers::*;
use kith_domain::{AccountId, ContactId, Problem};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::{ok, IfMatch};
use crate::http::idempotency::{create_once, IdempotencyKey};
use crate::http::input::valid;
use crate::state::AppState;

#[utoipa::path(
    operation_id = "list_accounts",
    tag = "accounts",
    security(("bearer" = [])),
    params(CustomerListQuery),
    responses((status = 200, body = Page<AccountView>), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[get("/accounts")]
pub async fn list_accounts(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<CustomerListQuery>,
) -> ApiResult<HttpResponse> {
    let page = state.db(move |c| kith_db::customers::list_accounts(c, auth.scope(), &q)).await?;
    ok(&page)
}

#[utoipa::path(
    operation_id = "create_account",
    tag = "accounts",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = NewAccount,
    responses((status = 201, body = AccountView), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/accounts")]
pub async fn create_account(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<NewAccount>,
) -> ApiResult<HttpResponse> {
    create_once(&state, auth.0, key, valid(body.into_inner())?, kith_db::customers::create_account).await
}

#[utoipa::path(
    operation_id = "get_account",
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = AccountId, Path)),
    responses((status = 200, body = AccountView), (status = 404, body = Problem))
)]
#[get("/accounts/{id}")]
pub async fn get_account(state: web::Data<AppState>, auth: Auth, id: web::Path<AccountId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let found = state.db(move |c| kith_db::customers::get_account(c, auth.scope(), id)).await?;
    ok(&found)
}

#[utoipa::path(
    operation_id = "update_account",
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = AccountId, Path), ("If-Match" = String, Header)),
    request_body = AccountPatch,
    responses(
        (status = 200, body = AccountView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)
    )
)]
#[patch("/accounts/{id}")]
pub async fn update_account(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<AccountId>,
    if_match: IfMatch,
    body: web::Json<AccountPatch>,
) -> ApiResult<HttpResponse> {
    let patch = valid(body.into_inner())?;
    let id = id.into_inner();
    let found = state.db(move |c| kith_db::customers::update_account(c, auth.scope(), id, if_match.0, &patch)).await?;
    ok(&found)
}

/// Move it to the recycle bin (restorable for 30 days).
#[utoipa::path(
    operation_id = "delete_account",
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = AccountId, Path)),
    responses((status = 204, description = "In the recycle bin"), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[delete("/accounts/{id}")]
pub async fn delete_account(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<AccountId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::customers::delete_account(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Take it back out of the recycle bin.
#[utoipa::path(
    operation_id = "restore_account",
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = AccountId, Path)),
    responses((status = 200, body = AccountView), (status = 404, body = Problem))
)]
#[post("/accounts/{id}/restore")]
pub async fn restore_account(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<AccountId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let found = state.db(move |c| kith_db::customers::restore_account(c, auth.scope(), id)).await?;
    ok(&found)
}

/// Its timeline with the events of the records linked to it (the lead it came from, its potentials,
/// contacts or account) that the caller may read. Oldest first, keyset-paged.
#[utoipa::path(
    operation_id = "list_account_events",
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = AccountId, Path), PageQuery),
    responses((status = 200, body = Page<RecordEvent>), (status = 404, body = Problem), (status = 422, body = Problem))
)]
#[get("/accounts/{id}/events")]
pub async fn account_events(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<AccountId>,
    q: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let page = state.db(move |c| kith_db::customers::account_events(c, auth.scope(), id, &q)).await?;
    ok(&page)
}

#[utoipa::path(
    operation_id = "list_contacts",
    tag = "contacts",
    security(("bearer" = [])),
    params(CustomerListQuery),
    responses((status = 200, body = Page<ContactView>), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[get("/contacts")]
pub async fn list_contacts(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<CustomerListQuery>,
) -> ApiResult<HttpResponse> {
    let page = state.db(move |c| kith_db::customers::list_contacts(c, auth.scope(), &q)).await?;
    ok(&page)
}

#[utoipa::path(
    operation_id = "create_contact",
    tag = "contacts",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = NewContact,
    responses((status = 201, body = ContactView), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/contacts")]
pub async fn create_contact(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<NewContact>,
) -> ApiResult<HttpResponse> {
    create_once(&state, auth.0, key, valid(body.into_inner())?, kith_db::customers::create_contact).await
}

#[utoipa::path(
    operation_id = "get_contact",
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = ContactId, Path)),
    responses((status = 200, body = ContactView), (status = 404, body = Problem))
)]
#[get("/contacts/{id}")]
pub async fn get_contact(state: web::Data<AppState>, auth: Auth, id: web::Path<ContactId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let found = state.db(move |c| kith_db::customers::get_contact(c, auth.scope(), id)).await?;
    ok(&found)
}

#[utoipa::path(
    operation_id = "update_contact",
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = ContactId, Path), ("If-Match" = String, Header)),
    request_body = ContactPatch,
    responses(
        (status = 200, body = ContactView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)
    )
)]
#[patch("/contacts/{id}")]
pub async fn update_contact(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<ContactId>,
    if_match: IfMatch,
    body: web::Json<ContactPatch>,
) -> ApiResult<HttpResponse> {
    let patch = valid(body.into_inner())?;
    let id = id.into_inner();
    let found = state.db(move |c| kith_db::customers::update_contact(c, auth.scope(), id, if_match.0, &patch)).await?;
    ok(&found)
}

/// Move it to the recycle bin (restorable for 30 days).
#[utoipa::path(
    operation_id = "delete_contact",
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = ContactId, Path)),
    responses((status = 204, description = "In the recycle bin"), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[delete("/contacts/{id}")]
pub async fn delete_contact(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<ContactId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::customers::delete_contact(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Take it back out of the recycle bin.
#[utoipa::path(
    operation_id = "restore_contact",
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = ContactId, Path)),
    responses((status = 200, body = ContactView), (status = 404, body = Problem))
)]
#[post("/contacts/{id}/restore")]
pub async fn restore_contact(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<ContactId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let found = state.db(move |c| kith_db::customers::restore_contact(c, auth.scope(), id)).await?;
    ok(&found)
}

/// Its timeline with the events of the records linked to it (the lead it came from, its potentials,
/// contacts or account) that the caller may read. Oldest first, keyset-paged.
#[utoipa::path(
    operation_id = "list_contact_events",
    tag = "contacts",
    security(("bearer" = [])),
    params(("id" = ContactId, Path), PageQuery),
    responses((status = 200, body = Page<RecordEvent>), (status = 404, body = Problem), (status = 422, body = Problem))
)]
#[get("/contacts/{id}/events")]
pub async fn contact_events(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<ContactId>,
    q: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let page = state.db(move |c| kith_db::customers::contact_events(c, auth.scope(), id, &q)).await?;
    ok(&page)
}

/// The customers context's routes under `/api/v1`.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_accounts)
        .service(create_account)
        .service(get_account)
        .service(update_account)
        .service(delete_account)
        .service(restore_account)
        .service(account_events)
        .service(list_contacts)
        .service(create_contact)
        .service(get_contact)
        .service(update_contact)
        .service(delete_contact)
        .service(restore_contact)
        .service(contact_events);
}
