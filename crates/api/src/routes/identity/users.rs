//! Users of the organization.

use actix_web::{get, patch, web, HttpResponse};
use kith_domain::core::page::{Page, PageQuery};
use kith_domain::identity::{PersonView, UserListQuery, UserPatch, UserView};
use kith_domain::{Problem, UserId};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::{ok, IfMatch};
use crate::http::input::valid;
use crate::state::AppState;

/// The organization's members by name (every signed-in member and API key may read it): to show
/// owners and to pick one. `can_own_leads` tells who may own leads.
#[utoipa::path(
    operation_id = "list_people",
    tag = "users",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = Page<PersonView>), (status = 422, body = Problem))
)]
#[get("/people")]
pub async fn people(state: web::Data<AppState>, auth: Auth, q: web::Query<PageQuery>) -> ApiResult<HttpResponse> {
    let page = state.db(move |c| kith_db::identity::users::people(c, auth.scope(), &q)).await?;
    ok(&page)
}

/// List users with their emails, roles and status (people management: roles that may read
/// settings); filter by status, team, role or text.
#[utoipa::path(
    operation_id = "list_users",
    tag = "users",
    security(("bearer" = [])),
    params(UserListQuery),
    responses(
        (status = 200, body = Page<UserView>), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)
    )
)]
#[get("/users")]
pub async fn list(state: web::Data<AppState>, auth: Auth, q: web::Query<UserListQuery>) -> ApiResult<HttpResponse> {
    let page = state.db(move |c| kith_db::identity::users::list(c, auth.scope(), &q)).await?;
    ok(&page)
}

#[utoipa::path(
    operation_id = "get_user",
    tag = "users",
    security(("bearer" = [])),
    params(("id" = UserId, Path)),
    responses(
        (status = 200, body = UserView, headers(("ETag" = String))), (status = 403, body = Problem),
        (status = 404, body = Problem)
    )
)]
#[get("/users/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<UserId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let user = state.db(move |c| kith_db::identity::users::get(c, auth.scope(), id)).await?;
    ok(&user)
}

/// Change a user's name, role, team or status (administrators). Disabling ends their sessions.
#[utoipa::path(
    operation_id = "update_user",
    tag = "users",
    security(("bearer" = [])),
    params(("id" = UserId, Path), ("If-Match" = String, Header, description = "The ETag from the last read")),
    request_body = UserPatch,
    responses(
        (status = 200, body = UserView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)
    )
)]
#[patch("/users/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<UserId>,
    if_match: IfMatch,
    body: web::Json<UserPatch>,
) -> ApiResult<HttpResponse> {
    let patch = valid(body.into_inner())?;
    let id = id.into_inner();
    let user = state.db(move |c| kith_db::identity::users::update(c, auth.scope(), id, if_match.0, &patch)).await?;
    ok(&user)
}
