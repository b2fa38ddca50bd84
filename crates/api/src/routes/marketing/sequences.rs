//! Sequences (autoresponders), enrollments, and the public unsubscribe page.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use kith_domain::leads::webforms::html_escape;
use kith_domain::marketing::sequences::*;
use kith_domain::{EnrollmentId, LeadId, Problem, SequenceId};
use serde::Deserialize;

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::http::etag::{ok, IfMatch};
use crate::http::idempotency::{create_once, IdempotencyKey};
use crate::state::AppState;

#[utoipa::path(operation_id = "list_sequences", tag = "sequences", security(("bearer" = [])), responses((status = 200, body = Vec<SequenceView>), (status = 403, body = Problem)))]
#[get("/sequences")]
pub async fn list(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let all = state.db(move |c| kith_db::marketing::sequences::list(c, auth.scope())).await?;
    ok(&all)
}

#[utoipa::path(
    operation_id = "create_sequence",
    tag = "sequences",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = SequenceInput,
    responses((status = 201, body = SequenceView), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/sequences")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<SequenceInput>,
) -> ApiResult<HttpResponse> {
    // The storage function checks the input's own rules and those that need stored data together,
    // so every error comes in one answer.
    create_once(&state, auth.0, key, body.into_inner(), kith_db::marketing::sequences::create).await
}

#[utoipa::path(
    operation_id = "get_sequence",
    tag = "sequences",
    security(("bearer" = [])),
    params(("id" = SequenceId, Path)),
    responses((status = 200, body = SequenceView), (status = 404, body = Problem))
)]
#[get("/sequences/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<SequenceId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let seq = state.db(move |c| kith_db::marketing::sequences::get(c, auth.scope(), id)).await?;
    ok(&seq)
}

#[utoipa::path(
    operation_id = "update_sequence",
    tag = "sequences",
    security(("bearer" = [])),
    params(("id" = SequenceId, Path), ("If-Match" = String, Header)),
    request_body = SequenceInput,
    responses((status = 200, body = SequenceView), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem))
)]
#[patch("/sequences/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<SequenceId>,
    if_match: IfMatch,
    body: web::Json<SequenceInput>,
) -> ApiResult<HttpResponse> {
    // Checked with what needs stored data, in one answer, by the storage function.
    let input = body.into_inner();
    let id = id.into_inner();
    let seq = state.db(move |c| kith_db::marketing::sequences::update(c, auth.scope(), id, if_match.0, &input)).await?;
    ok(&seq)
}

#[utoipa::path(
    operation_id = "delete_sequence",
    tag = "sequences",
    security(("bearer" = [])),
    params(("id" = SequenceId, Path)),
    responses((status = 204, description = "In the recycle bin"), (status = 404, body = Problem))
)]
#[delete("/sequences/{id}")]
pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<SequenceId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::marketing::sequences::delete(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Bring a deleted sequence back from the recycle bin (within 30 days).
#[utoipa::path(
    operation_id = "restore_sequence",
    tag = "sequences",
    security(("bearer" = [])),
    params(("id" = SequenceId, Path)),
    responses((status = 200, body = SequenceView), (status = 404, body = Problem))
)]
#[post("/sequences/{id}/restore")]
pub async fn restore(state: web::Data<AppState>, auth: Auth, id: web::Path<SequenceId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let seq = state.db(move |c| kith_db::marketing::sequences::restore(c, auth.scope(), id)).await?;
    ok(&seq)
}

/// Enroll a lead in a sequence by hand (once per sequence).
#[utoipa::path(
    operation_id = "enroll_lead",
    tag = "sequences",
    security(("bearer" = [])),
    params(("id" = LeadId, Path)),
    request_body = NewEnrollment,
    responses((status = 200, body = EnrollmentView), (status = 404, body = Problem), (status = 422, body = Problem))
)]
#[post("/leads/{id}/enrollments")]
pub async fn enroll(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<LeadId>,
    body: web::Json<NewEnrollment>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let seq = body.into_inner().sequence_id;
    let e = state.db(move |c| kith_db::marketing::sequences::enroll(c, auth.scope(), id, seq)).await?;
    ok(&e)
}

#[utoipa::path(
    operation_id = "list_lead_enrollments",
    tag = "sequences",
    security(("bearer" = [])),
    params(("id" = LeadId, Path)),
    responses((status = 200, body = Vec<EnrollmentView>), (status = 404, body = Problem))
)]
#[get("/leads/{id}/enrollments")]
pub async fn enrollments(state: web::Data<AppState>, auth: Auth, id: web::Path<LeadId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let all = state.db(move |c| kith_db::marketing::sequences::enrollments_of(c, auth.scope(), id)).await?;
    ok(&all)
}

#[utoipa::path(
    operation_id = "stop_enrollment",
    tag = "sequences",
    security(("bearer" = [])),
    params(("id" = EnrollmentId, Path)),
    responses((status = 200, body = EnrollmentView), (status = 404, body = Problem))
)]
#[post("/enrollments/{id}/stop")]
pub async fn stop(state: web::Data<AppState>, auth: Auth, id: web::Path<EnrollmentId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let e = state.db(move |c| kith_db::marketing::sequences::stop(c, auth.scope(), id)).await?;
    ok(&e)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnsubscribeQuery {
    /// The token from the email's unsubscribe link.
    pub token: String,
}

fn page(title: &str, body: &str) -> HttpResponse {
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>{t}</title></head><body><main><h1>{t}</h1>{body}</main></body></html>",
        t = html_escape(title)
    ))
}

/// The unsubscribe page from an email link: asks to confirm (link scanners must not unsubscribe people).
#[utoipa::path(
    tag = "public_forms",
    params(UnsubscribeQuery),
    responses((status = 200, description = "HTML page", content_type = "text/html"), (status = 404, body = Problem))
)]
#[get("/public/unsubscribe")]
pub async fn unsubscribe_page(state: web::Data<AppState>, q: web::Query<UnsubscribeQuery>) -> ApiResult<HttpResponse> {
    let (_, email) = kith_db::marketing::sequences::read_unsubscribe_token(&state.link_secret, &q.token)
        .ok_or_else(ApiError::not_found)?;
    Ok(page(
        "Unsubscribe",
        &format!(
            "<p>Stop sending email to {}?</p><form method=\"post\" action=\"/api/v1/public/unsubscribe?token={}\"><button type=\"submit\">Unsubscribe</button></form>",
            html_escape(&email),
            html_escape(&q.token)
        ),
    ))
}

/// Unsubscribe the address the token names: its sequences stop and no more sequence email is sent.
#[utoipa::path(
    tag = "public_forms",
    params(UnsubscribeQuery),
    responses((status = 200, description = "HTML confirmation", content_type = "text/html"), (status = 404, body = Problem))
)]
#[post("/public/unsubscribe")]
pub async fn unsubscribe(state: web::Data<AppState>, q: web::Query<UnsubscribeQuery>) -> ApiResult<HttpResponse> {
    let (org, email) = kith_db::marketing::sequences::read_unsubscribe_token(&state.link_secret, &q.token)
        .ok_or_else(ApiError::not_found)?;
    let shown = email.clone();
    state.db(move |c| kith_db::marketing::sequences::unsubscribe(c, org, &email)).await?;
    Ok(page("Unsubscribed", &format!("<p>{} will not receive these emails any more.</p>", html_escape(&shown))))
}
