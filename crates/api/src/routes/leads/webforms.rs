//! Web forms as admins manage them.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use kith_domain::leads::webforms::*;
use kith_domain::{Problem, WebFormId};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::{ok, IfMatch};
use crate::http::idempotency::{create_once, IdempotencyKey};
use crate::state::AppState;

/// Every live form with its submission count (a short list, returned whole).
#[utoipa::path(operation_id = "list_web_forms", tag = "web_forms", security(("bearer" = [])), responses((status = 200, body = Vec<WebFormView>), (status = 403, body = Problem)))]
#[get("/web-forms")]
pub async fn list(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let forms = state.db(move |c| kith_db::leads::webforms::list(c, auth.scope())).await?;
    ok(&forms)
}

#[utoipa::path(
    operation_id = "create_web_form",
    tag = "web_forms",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = WebFormInput,
    responses((status = 201, body = WebFormView), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/web-forms")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<WebFormInput>,
) -> ApiResult<HttpResponse> {
    // The storage function checks the input's own rules and those that need stored data together,
    // so every error comes in one answer.
    create_once(&state, auth.0, key, body.into_inner(), kith_db::leads::webforms::create).await
}

#[utoipa::path(
    operation_id = "get_web_form",
    tag = "web_forms",
    security(("bearer" = [])),
    params(("id" = WebFormId, Path)),
    responses((status = 200, body = WebFormView), (status = 404, body = Problem))
)]
#[get("/web-forms/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<WebFormId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let form = state.db(move |c| kith_db::leads::webforms::get(c, auth.scope(), id)).await?;
    ok(&form)
}

#[utoipa::path(
    operation_id = "update_web_form",
    tag = "web_forms",
    security(("bearer" = [])),
    params(("id" = WebFormId, Path), ("If-Match" = String, Header)),
    request_body = WebFormInput,
    responses((status = 200, body = WebFormView), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem))
)]
#[patch("/web-forms/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<WebFormId>,
    if_match: IfMatch,
    body: web::Json<WebFormInput>,
) -> ApiResult<HttpResponse> {
    // Checked with what needs stored data, in one answer, by the storage function.
    let input = body.into_inner();
    let id = id.into_inner();
    let form = state.db(move |c| kith_db::leads::webforms::update(c, auth.scope(), id, if_match.0, &input)).await?;
    ok(&form)
}

#[utoipa::path(
    operation_id = "delete_web_form",
    tag = "web_forms",
    security(("bearer" = [])),
    params(("id" = WebFormId, Path)),
    responses((status = 204, description = "In the recycle bin"), (status = 404, body = Problem))
)]
#[delete("/web-forms/{id}")]
pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<WebFormId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::leads::webforms::delete(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    operation_id = "restore_web_form",
    tag = "web_forms",
    security(("bearer" = [])),
    params(("id" = WebFormId, Path)),
    responses((status = 200, body = WebFormView), (status = 404, body = Problem))
)]
#[post("/web-forms/{id}/restore")]
pub async fn restore(state: web::Data<AppState>, auth: Auth, id: web::Path<WebFormId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let form = state.db(move |c| kith_db::leads::webforms::restore(c, auth.scope(), id)).await?;
    ok(&form)
}

/// The code to paste into a website: a plain HTML form and a script version.
#[utoipa::path(
    operation_id = "get_web_form_embed",
    tag = "web_forms",
    security(("bearer" = [])),
    params(("id" = WebFormId, Path)),
    responses((status = 200, body = WebFormEmbed), (status = 404, body = Problem))
)]
#[get("/web-forms/{id}/embed")]
pub async fn embed(state: web::Data<AppState>, auth: Auth, id: web::Path<WebFormId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let (form, fields) = state.db(move |c| kith_db::leads::webforms::for_embed(c, auth.scope(), id)).await?;
    let base = state.config.public_url.trim_end_matches('/').to_owned();
    let action_url = format!("{base}/api/v1/public/forms/{id}/submissions");
    let script = format!(
        "<div id=\"kith-form-{id}\"></div>\n<script src=\"{}\" async></script>\n",
        html_escape(&format!("{base}/api/v1/public/forms/{id}/embed.js"))
    );
    ok(&WebFormEmbed { html: embed_html(&action_url, &fields, form.consent_text.as_deref()), script, action_url })
}
