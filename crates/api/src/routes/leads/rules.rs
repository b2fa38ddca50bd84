//! What admins configure for leads: scoring rules, assignment rules and lead settings.

use actix_web::{delete, get, patch, post, put, web, HttpResponse};
use kith_domain::leads::rules::*;
use kith_domain::leads::LeadSettings;
use kith_domain::{AssignmentRuleId, Problem, ScoringRuleId};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::{ok, IfMatch};
use crate::http::idempotency::{create_once, IdempotencyKey};
use crate::http::input::valid;
use crate::state::AppState;

/// Every scoring rule (a short configuration list, returned whole).
#[utoipa::path(operation_id = "list_scoring_rules", tag = "lead_config", security(("bearer" = [])), responses((status = 200, body = Vec<ScoringRule>), (status = 403, body = Problem)))]
#[get("/scoring-rules")]
pub async fn list_scoring(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let rules = state.db(move |c| kith_db::leads::rules::list_scoring_rules(c, auth.scope())).await?;
    ok(&rules)
}

#[utoipa::path(
    operation_id = "create_scoring_rule",
    tag = "lead_config",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = ScoringRuleInput,
    responses((status = 201, body = ScoringRule), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/scoring-rules")]
pub async fn create_scoring(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<ScoringRuleInput>,
) -> ApiResult<HttpResponse> {
    create_once(&state, auth.0, key, valid(body.into_inner())?, kith_db::leads::rules::create_scoring_rule).await
}

/// Replace a scoring rule (If-Match). Leads are rescored as they change or act.
#[utoipa::path(
    operation_id = "update_scoring_rule",
    tag = "lead_config",
    security(("bearer" = [])),
    params(("id" = ScoringRuleId, Path), ("If-Match" = String, Header)),
    request_body = ScoringRuleInput,
    responses((status = 200, body = ScoringRule), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem))
)]
#[patch("/scoring-rules/{id}")]
pub async fn update_scoring(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<ScoringRuleId>,
    if_match: IfMatch,
    body: web::Json<ScoringRuleInput>,
) -> ApiResult<HttpResponse> {
    let input = valid(body.into_inner())?;
    let id = id.into_inner();
    let rule =
        state.db(move |c| kith_db::leads::rules::update_scoring_rule(c, auth.scope(), id, if_match.0, &input)).await?;
    ok(&rule)
}

#[utoipa::path(
    operation_id = "delete_scoring_rule",
    tag = "lead_config",
    security(("bearer" = [])),
    params(("id" = ScoringRuleId, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem))
)]
#[delete("/scoring-rules/{id}")]
pub async fn delete_scoring(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<ScoringRuleId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::leads::rules::delete_scoring_rule(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Every assignment rule in the order they are tried.
#[utoipa::path(operation_id = "list_assignment_rules", tag = "lead_config", security(("bearer" = [])), responses((status = 200, body = Vec<AssignmentRule>), (status = 403, body = Problem)))]
#[get("/assignment-rules")]
pub async fn list_assignment(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let rules = state.db(move |c| kith_db::leads::rules::list_assignment_rules(c, auth.scope())).await?;
    ok(&rules)
}

#[utoipa::path(
    operation_id = "create_assignment_rule",
    tag = "lead_config",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = AssignmentRuleInput,
    responses((status = 201, body = AssignmentRule), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/assignment-rules")]
pub async fn create_assignment(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<AssignmentRuleInput>,
) -> ApiResult<HttpResponse> {
    create_once(&state, auth.0, key, valid(body.into_inner())?, kith_db::leads::rules::create_assignment_rule).await
}

#[utoipa::path(
    operation_id = "update_assignment_rule",
    tag = "lead_config",
    security(("bearer" = [])),
    params(("id" = AssignmentRuleId, Path), ("If-Match" = String, Header)),
    request_body = AssignmentRuleInput,
    responses((status = 200, body = AssignmentRule), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem))
)]
#[patch("/assignment-rules/{id}")]
pub async fn update_assignment(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<AssignmentRuleId>,
    if_match: IfMatch,
    body: web::Json<AssignmentRuleInput>,
) -> ApiResult<HttpResponse> {
    let input = valid(body.into_inner())?;
    let id = id.into_inner();
    let rule = state
        .db(move |c| kith_db::leads::rules::update_assignment_rule(c, auth.scope(), id, if_match.0, &input))
        .await?;
    ok(&rule)
}

#[utoipa::path(
    operation_id = "delete_assignment_rule",
    tag = "lead_config",
    security(("bearer" = [])),
    params(("id" = AssignmentRuleId, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem))
)]
#[delete("/assignment-rules/{id}")]
pub async fn delete_assignment(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<AssignmentRuleId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::leads::rules::delete_assignment_rule(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(operation_id = "get_lead_settings", tag = "lead_config", security(("bearer" = [])), responses((status = 200, body = LeadSettings), (status = 403, body = Problem)))]
#[get("/lead-settings")]
pub async fn get_settings(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let settings = state.db(move |c| kith_db::leads::rules::get_settings(c, auth.scope())).await?;
    ok(&settings)
}

/// Set the duplicate rule and the automatic qualification threshold (administrators).
#[utoipa::path(
    operation_id = "put_lead_settings",
    tag = "lead_config",
    security(("bearer" = [])),
    request_body = LeadSettings,
    responses((status = 200, body = LeadSettings), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[put("/lead-settings")]
pub async fn put_settings(
    state: web::Data<AppState>,
    auth: Auth,
    body: web::Json<LeadSettings>,
) -> ApiResult<HttpResponse> {
    let settings = valid(body.into_inner())?;
    let saved = state.db(move |c| kith_db::leads::rules::put_settings(c, auth.scope(), &settings)).await?;
    ok(&saved)
}
