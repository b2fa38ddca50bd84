//! Teams.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use kith_domain::core::page::Page;
use kith_domain::identity::{NewTeam, TeamListQuery, TeamPatch, TeamView};
use kith_domain::{Problem, TeamId};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::{ok, IfMatch};
use crate::http::idempotency::{create_once, IdempotencyKey};
use crate::http::input::valid;
use crate::state::AppState;

#[utoipa::path(
    operation_id = "list_teams",
    tag = "teams",
    security(("bearer" = [])),
    params(TeamListQuery),
    responses((status = 200, body = Page<TeamView>), (status = 422, body = Problem))
)]
#[get("/teams")]
pub async fn list(state: web::Data<AppState>, auth: Auth, q: web::Query<TeamListQuery>) -> ApiResult<HttpResponse> {
    let page = state.db(move |c| kith_db::identity::teams::list(c, auth.scope(), &q)).await?;
    ok(&page)
}

#[utoipa::path(
    operation_id = "create_team",
    tag = "teams",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = NewTeam,
    responses((status = 201, body = TeamView), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/teams")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<NewTeam>,
) -> ApiResult<HttpResponse> {
    create_once(&state, auth.0, key, valid(body.into_inner())?, kith_db::identity::teams::create).await
}

#[utoipa::path(
    operation_id = "get_team",
    tag = "teams",
    security(("bearer" = [])),
    params(("id" = TeamId, Path)),
    responses((status = 200, body = TeamView), (status = 404, body = Problem))
)]
#[get("/teams/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<TeamId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let team = state.db(move |c| kith_db::identity::teams::get(c, auth.scope(), id)).await?;
    ok(&team)
}

#[utoipa::path(
    operation_id = "update_team",
    tag = "teams",
    security(("bearer" = [])),
    params(("id" = TeamId, Path), ("If-Match" = String, Header)),
    request_body = TeamPatch,
    responses(
        (status = 200, body = TeamView), (status = 404, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem), (status = 428, body = Problem)
    )
)]
#[patch("/teams/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<TeamId>,
    if_match: IfMatch,
    body: web::Json<TeamPatch>,
) -> ApiResult<HttpResponse> {
    let patch = valid(body.into_inner())?;
    let id = id.into_inner();
    let team = state.db(move |c| kith_db::identity::teams::update(c, auth.scope(), id, if_match.0, &patch)).await?;
    ok(&team)
}

/// Move a team to the recycle bin (restorable for 30 days).
#[utoipa::path(
    operation_id = "delete_team",
    tag = "teams",
    security(("bearer" = [])),
    params(("id" = TeamId, Path)),
    responses((status = 204, description = "In the recycle bin"), (status = 404, body = Problem))
)]
#[delete("/teams/{id}")]
pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<TeamId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::identity::teams::delete(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Take a team back out of the recycle bin.
#[utoipa::path(
    operation_id = "restore_team",
    tag = "teams",
    security(("bearer" = [])),
    params(("id" = TeamId, Path)),
    responses((status = 200, body = TeamView), (status = 404, body = Problem))
)]
#[post("/teams/{id}/restore")]
pub async fn restore(state: web::Data<AppState>, auth: Auth, id: web::Path<TeamId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let team = state.db(move |c| kith_db::identity::teams::restore(c, auth.scope(), id)).await?;
    ok(&team)
}
