//! Potentials, the pipeline board, lead conversion, and the pipeline settings (pipelines with their
//! phases, lost reasons).

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, put, web, HttpResponse};
use kith_domain::core::page::{Page, PageQuery};
use kith_domain::core::timeline::RecordEvent;
use kith_domain::pipeline::conversion::{ConversionResult, LeadConversion};
use kith_domain::pipeline::*;
use kith_domain::{LeadId, LostReasonId, PipelineId, PotentialId, Problem};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::{ok, IfMatch};
use crate::http::idempotency::{create_once, run_once, IdempotencyKey};
use crate::http::input::valid;
use crate::state::AppState;

#[utoipa::path(
    operation_id = "list_potentials",
    tag = "potentials",
    security(("bearer" = [])),
    params(PotentialListQuery),
    responses((status = 200, body = Page<PotentialView>), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[get("/potentials")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<PotentialListQuery>,
) -> ApiResult<HttpResponse> {
    let page = state.db(move |c| kith_db::pipeline::list(c, auth.scope(), &q)).await?;
    ok(&page)
}

#[utoipa::path(
    operation_id = "create_potential",
    tag = "potentials",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = NewPotential,
    responses((status = 201, body = PotentialView), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/potentials")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<NewPotential>,
) -> ApiResult<HttpResponse> {
    create_once(&state, auth.0, key, valid(body.into_inner())?, kith_db::pipeline::create).await
}

#[utoipa::path(
    operation_id = "get_potential",
    tag = "potentials",
    security(("bearer" = [])),
    params(("id" = PotentialId, Path)),
    responses((status = 200, body = PotentialView), (status = 404, body = Problem))
)]
#[get("/potentials/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<PotentialId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let p = state.db(move |c| kith_db::pipeline::get(c, auth.scope(), id)).await?;
    ok(&p)
}

/// Change a potential, or move it to another phase (a board's drag sends the card's version as
/// `If-Match`). A lost phase needs `lost_reason_id`; a won phase makes the account a customer.
#[utoipa::path(
    operation_id = "update_potential",
    tag = "potentials",
    security(("bearer" = [])),
    params(("id" = PotentialId, Path), ("If-Match" = String, Header)),
    request_body = PotentialPatch,
    responses(
        (status = 200, body = PotentialView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)
    )
)]
#[patch("/potentials/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<PotentialId>,
    if_match: IfMatch,
    body: web::Json<PotentialPatch>,
) -> ApiResult<HttpResponse> {
    let patch = valid(body.into_inner())?;
    let id = id.into_inner();
    let p = state.db(move |c| kith_db::pipeline::update(c, auth.scope(), id, if_match.0, &patch)).await?;
    ok(&p)
}

/// Move a potential to the recycle bin (restorable for 30 days).
#[utoipa::path(
    operation_id = "delete_potential",
    tag = "potentials",
    security(("bearer" = [])),
    params(("id" = PotentialId, Path)),
    responses((status = 204, description = "In the recycle bin"), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[delete("/potentials/{id}")]
pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<PotentialId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::pipeline::delete(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    operation_id = "restore_potential",
    tag = "potentials",
    security(("bearer" = [])),
    params(("id" = PotentialId, Path)),
    responses((status = 200, body = PotentialView), (status = 404, body = Problem))
)]
#[post("/potentials/{id}/restore")]
pub async fn restore(state: web::Data<AppState>, auth: Auth, id: web::Path<PotentialId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let p = state.db(move |c| kith_db::pipeline::restore(c, auth.scope(), id)).await?;
    ok(&p)
}

/// The potential's timeline with its lead's, contact's and account's events the caller may read.
#[utoipa::path(
    operation_id = "list_potential_events",
    tag = "potentials",
    security(("bearer" = [])),
    params(("id" = PotentialId, Path), PageQuery),
    responses((status = 200, body = Page<RecordEvent>), (status = 404, body = Problem), (status = 422, body = Problem))
)]
#[get("/potentials/{id}/events")]
pub async fn events(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<PotentialId>,
    q: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let page = state.db(move |c| kith_db::pipeline::events(c, auth.scope(), id, &q)).await?;
    ok(&page)
}

/// Every stay of the potential in a phase, oldest first (append-only; the open stay has no exit).
#[utoipa::path(
    operation_id = "list_potential_phases",
    tag = "potentials",
    security(("bearer" = [])),
    params(("id" = PotentialId, Path)),
    responses((status = 200, body = Vec<PhaseStay>), (status = 404, body = Problem))
)]
#[get("/potentials/{id}/phases")]
pub async fn phases(state: web::Data<AppState>, auth: Auth, id: web::Path<PotentialId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let history = state.db(move |c| kith_db::pipeline::phase_history(c, auth.scope(), id)).await?;
    ok(&history)
}

/// Convert a lead into a contact (new or existing), an account (new, existing or none) and
/// optionally a potential, in one transaction. The lead becomes a read-only converted record linked
/// to them: its history shows on their timelines.
#[utoipa::path(
    operation_id = "convert_lead",
    tag = "potentials",
    security(("bearer" = [])),
    params(("id" = LeadId, Path), ("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = LeadConversion,
    responses(
        (status = 201, body = ConversionResult), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)
    )
)]
#[post("/leads/{id}/convert")]
pub async fn convert(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<LeadId>,
    key: IdempotencyKey,
    body: web::Json<LeadConversion>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    run_once(&state, auth.0, key, valid(body.into_inner())?, move |c, scope, input| {
        kith_db::pipeline::conversion::convert(c, scope, id, input).map(|r| (StatusCode::CREATED, r))
    })
    .await
}

#[utoipa::path(
    operation_id = "list_pipelines",
    tag = "pipeline_config",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<PipelineView>), (status = 403, body = Problem))
)]
#[get("/pipelines")]
pub async fn list_pipelines(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let pipelines = state.db(move |c| kith_db::pipeline::list_pipelines(c, auth.scope())).await?;
    ok(&pipelines)
}

#[utoipa::path(
    operation_id = "create_pipeline",
    tag = "pipeline_config",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = PipelineInput,
    responses((status = 201, body = PipelineView), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/pipelines")]
pub async fn create_pipeline(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<PipelineInput>,
) -> ApiResult<HttpResponse> {
    create_once(&state, auth.0, key, valid(body.into_inner())?, kith_db::pipeline::create_pipeline).await
}

#[utoipa::path(
    operation_id = "get_pipeline",
    tag = "pipeline_config",
    security(("bearer" = [])),
    params(("id" = PipelineId, Path)),
    responses((status = 200, body = PipelineView), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[get("/pipelines/{id}")]
pub async fn get_pipeline(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<PipelineId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let p = state.db(move |c| kith_db::pipeline::get_pipeline(c, auth.scope(), id)).await?;
    ok(&p)
}

/// Rename a pipeline and replace its phases (in board order; a phase keeps its potentials by its
/// `id`). A phase that potentials are in cannot be left out.
#[utoipa::path(
    operation_id = "update_pipeline",
    tag = "pipeline_config",
    security(("bearer" = [])),
    params(("id" = PipelineId, Path), ("If-Match" = String, Header)),
    request_body = PipelineInput,
    responses(
        (status = 200, body = PipelineView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)
    )
)]
#[put("/pipelines/{id}")]
pub async fn update_pipeline(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<PipelineId>,
    if_match: IfMatch,
    body: web::Json<PipelineInput>,
) -> ApiResult<HttpResponse> {
    let input = valid(body.into_inner())?;
    let id = id.into_inner();
    let p = state.db(move |c| kith_db::pipeline::update_pipeline(c, auth.scope(), id, if_match.0, &input)).await?;
    ok(&p)
}

/// A pipeline's board: a column per phase with its totals (counts, amounts and weighted amounts per
/// currency over every potential the filters select) and up to 500 cards, most recently moved first.
#[utoipa::path(
    operation_id = "pipeline_board",
    tag = "potentials",
    security(("bearer" = [])),
    params(("id" = PipelineId, Path), PotentialListQuery),
    responses((status = 200, body = Board), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem))
)]
#[get("/pipelines/{id}/board")]
pub async fn board(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<PipelineId>,
    q: web::Query<PotentialListQuery>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let board = state.db(move |c| kith_db::pipeline::board(c, auth.scope(), id, &q)).await?;
    ok(&board)
}

#[utoipa::path(
    operation_id = "list_lost_reasons",
    tag = "pipeline_config",
    security(("bearer" = [])),
    responses((status = 200, body = Vec<LostReasonView>), (status = 403, body = Problem))
)]
#[get("/lost-reasons")]
pub async fn list_lost_reasons(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let reasons = state.db(move |c| kith_db::pipeline::list_lost_reasons(c, auth.scope())).await?;
    ok(&reasons)
}

#[utoipa::path(
    operation_id = "create_lost_reason",
    tag = "pipeline_config",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = LostReasonInput,
    responses((status = 201, body = LostReasonView), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/lost-reasons")]
pub async fn create_lost_reason(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<LostReasonInput>,
) -> ApiResult<HttpResponse> {
    create_once(&state, auth.0, key, valid(body.into_inner())?, kith_db::pipeline::create_lost_reason).await
}

/// Rename a lost reason, or retire it (`active: false`: no longer offered; potentials keep it).
#[utoipa::path(
    operation_id = "update_lost_reason",
    tag = "pipeline_config",
    security(("bearer" = [])),
    params(("id" = LostReasonId, Path)),
    request_body = LostReasonInput,
    responses((status = 200, body = LostReasonView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem))
)]
#[put("/lost-reasons/{id}")]
pub async fn update_lost_reason(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<LostReasonId>,
    body: web::Json<LostReasonInput>,
) -> ApiResult<HttpResponse> {
    let input = valid(body.into_inner())?;
    let id = id.into_inner();
    let r = state.db(move |c| kith_db::pipeline::update_lost_reason(c, auth.scope(), id, &input)).await?;
    ok(&r)
}

/// The pipeline context's routes under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(create)
        .service(get)
        .service(update)
        .service(delete)
        .service(restore)
        .service(events)
        .service(phases)
        .service(convert)
        .service(list_pipelines)
        .service(create_pipeline)
        .service(get_pipeline)
        .service(update_pipeline)
        .service(board)
        .service(list_lost_reasons)
        .service(create_lost_reason)
        .service(update_lost_reason);
}
