//! Roles and their grants.

use actix_web::{get, patch, post, web, HttpResponse};
use kith_domain::core::page::{Page, PageQuery};
use kith_domain::identity::{NewRole, RolePatch, RoleView};
use kith_domain::{Problem, RoleId};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::{ok, IfMatch};
use crate::http::idempotency::{create_once, IdempotencyKey};
use crate::http::input::valid;
use crate::state::AppState;

#[utoipa::path(operation_id = "list_roles", tag = "roles", security(("bearer" = [])), params(PageQuery), responses((status = 200, body = Page<RoleView>)))]
#[get("/roles")]
pub async fn list(state: web::Data<AppState>, auth: Auth, q: web::Query<PageQuery>) -> ApiResult<HttpResponse> {
    let page = state.db(move |c| kith_db::identity::roles::list(c, auth.scope(), &q)).await?;
    ok(&page)
}

#[utoipa::path(
    operation_id = "get_role",
    tag = "roles",
    security(("bearer" = [])),
    params(("id" = RoleId, Path)),
    responses((status = 200, body = RoleView), (status = 404, body = Problem))
)]
#[get("/roles/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<RoleId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let role = state.db(move |c| kith_db::identity::roles::get(c, auth.scope(), id)).await?;
    ok(&role)
}

/// Add a custom role (administrators).
#[utoipa::path(
    operation_id = "create_role",
    tag = "roles",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body = NewRole,
    responses((status = 201, body = RoleView), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/roles")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<NewRole>,
) -> ApiResult<HttpResponse> {
    create_once(&state, auth.0, key, valid(body.into_inner())?, kith_db::identity::roles::create).await
}

/// Rename a role or change its grants (administrators; the administrator role's grants are fixed).
#[utoipa::path(
    operation_id = "update_role",
    tag = "roles",
    security(("bearer" = [])),
    params(("id" = RoleId, Path), ("If-Match" = String, Header)),
    request_body = RolePatch,
    responses(
        (status = 200, body = RoleView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)
    )
)]
#[patch("/roles/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<RoleId>,
    if_match: IfMatch,
    body: web::Json<RolePatch>,
) -> ApiResult<HttpResponse> {
    let patch = valid(body.into_inner())?;
    let id = id.into_inner();
    let role = state.db(move |c| kith_db::identity::roles::update(c, auth.scope(), id, if_match.0, &patch)).await?;
    ok(&role)
}
