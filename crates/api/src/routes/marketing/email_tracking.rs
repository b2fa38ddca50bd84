//! The public ends of email tracking: the open pixel and the click redirect of messages to leads. Both are
//! signed per message (and per target for clicks), so they can neither be forged to score a lead nor used
//! as an open redirect. Recording never delays or breaks what the reader sees.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use kith_db::marketing::email_engagement::{self, Engagement};
use kith_domain::Problem;
use serde::Deserialize;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The smallest transparent GIF (1×1).
const PIXEL: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
    0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02,
    0x02, 0x44, 0x01, 0x00, 0x3b,
];

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpenQuery {
    /// Signature from the message.
    s: String,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClickQuery {
    /// The link's target.
    u: String,
    /// Signature of message and target.
    s: String,
}

/// Message ids are UUIDs: anything else is not a link Kith made.
fn message_id(raw: &str) -> ApiResult<String> {
    raw.parse::<uuid::Uuid>().map(|u| u.to_string()).map_err(|_| ApiError::not_found())
}

async fn record(state: &AppState, message_id: String, what: Engagement, detail: Option<String>) {
    let result = state.db(move |c| email_engagement::record(c, &message_id, what, detail.as_deref())).await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "email engagement not recorded");
    }
}

/// The open pixel of a message (a 1×1 transparent GIF).
#[utoipa::path(
    operation_id = "track_email_open",
    tag = "public_forms",
    params(("id" = String, Path, description = "Message id"), OpenQuery),
    responses((status = 200, description = "1×1 GIF", content_type = "image/gif"), (status = 404, body = Problem))
)]
#[get("/public/email/{id}/open.gif")]
pub async fn open(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<OpenQuery>,
) -> ApiResult<HttpResponse> {
    let id = message_id(&id)?;
    if !email_engagement::verify_open(&state.link_secret, &id, &q.s) {
        return Err(ApiError::not_found());
    }
    // A HEAD (link checkers, proxies) is answered alike but is no open.
    if actix_web::HttpMessage::extensions(&req).get::<crate::http::conventions::Head>().is_none() {
        record(&state, id, Engagement::Opened, None).await;
    }
    Ok(HttpResponse::Ok()
        .content_type("image/gif")
        .insert_header((header::CACHE_CONTROL, "no-store, max-age=0"))
        .body(PIXEL))
}

/// A tracked link of a message: recorded, then redirected (302) to its target.
#[utoipa::path(
    operation_id = "track_email_click",
    tag = "public_forms",
    params(("id" = String, Path, description = "Message id"), ClickQuery),
    responses((status = 302, description = "Redirect to the link's target"), (status = 404, body = Problem))
)]
#[get("/public/email/{id}/click")]
pub async fn click(
    state: web::Data<AppState>,
    id: web::Path<String>,
    q: web::Query<ClickQuery>,
) -> ApiResult<HttpResponse> {
    let id = message_id(&id)?;
    let web_link = q.u.starts_with("https://") || q.u.starts_with("http://");
    if !web_link || !email_engagement::verify_click(&state.link_secret, &id, &q.u, &q.s) {
        return Err(ApiError::not_found());
    }
    record(&state, id, Engagement::Clicked, Some(q.u.clone())).await;
    Ok(HttpResponse::Found()
        .insert_header((header::LOCATION, q.u.clone()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}
