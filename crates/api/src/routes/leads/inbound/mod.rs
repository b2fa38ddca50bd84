//! The email inquiries channel. A mail provider's inbound webhook posts each raw message to
//! `/api/v1/inbound/email/{org_id}` with the organization's secret as a bearer token; the message
//! becomes a lead (or a note on the lead it duplicates). Admins see the address and rotate the secret.

pub mod message;

use actix_web::http::{header, StatusCode};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use kith_domain::leads::inbound::{InboundEmailSecret, InboundEmailSettings, InboundOutcome};
use kith_domain::{ErrorCode, OrgId, Problem};

use self::message::Reading;
use crate::auth::extract::bearer_token;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::http::etag::{json_response, ok};
use crate::http::request_id;
use crate::state::AppState;

/// Raw messages up to this size are accepted (attachments included); larger ones are refused with 413.
pub const MESSAGE_LIMIT: usize = 10 * 1024 * 1024;

/// The body limit of the inbound routes (registered on their scope).
pub fn payload_config() -> web::PayloadConfig {
    web::PayloadConfig::new(MESSAGE_LIMIT)
}

/// A raw RFC 5322 message: headers, a blank line, the body (MIME parts, any transfer encoding).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct RawMessage(pub Vec<u8>);

fn is_raw_message(req: &HttpRequest) -> bool {
    let Some(ct) = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    matches!(essence.as_str(), "message/rfc822" | "application/octet-stream")
}

/// Receive one email. Auto-replies and bulk mail (Auto-Submitted, Precedence, X-Autoreply,
/// X-Autorespond, List-Id, List-Unsubscribe) are answered 202 and nothing is stored. A Message-ID
/// already received answers 200 `duplicate` and changes nothing, so redeliveries are safe.
#[utoipa::path(
    operation_id = "receive_inbound_email",
    tag = "inbound",
    security(("inbound_secret" = [])),
    params(("org_id" = OrgId, Path, description = "The organization, as shown in the inbound settings")),
    request_body(
        content(
            (RawMessage = "message/rfc822"),
            (RawMessage = "application/octet-stream")
        ),
        description = "The raw RFC 5322 message, at most 10 MiB"
    ),
    responses(
        (status = 201, description = "A new lead was made", body = InboundOutcome),
        (status = 200, description = "Attached to an existing lead, or a Message-ID received before", body = InboundOutcome),
        (status = 202, description = "Auto-reply or bulk mail: ignored, nothing stored", body = InboundOutcome),
        (status = 401, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
        (status = 422, description = "Not a message, or no valid sender address", body = Problem)
    )
)]
#[post("/{org_id}")]
pub async fn receive(
    state: web::Data<AppState>,
    req: HttpRequest,
    org_id: web::Path<OrgId>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let secret = bearer_token(&req).ok_or_else(ApiError::unauthorized)?;
    if !is_raw_message(&req) {
        return Err(ApiError::code(
            ErrorCode::UnsupportedMediaType,
            "Send the raw message as message/rfc822 (or application/octet-stream).",
        ));
    }
    let org_id = org_id.into_inner();
    let rid = request_id::of(&req);
    let outcome = state
        .db(move |c| {
            let scope = kith_db::leads::inbound::authenticate_inbound(c, org_id, &secret)?.with_request_id(rid);
            match message::read(&body).map_err(|e| kith_db::Error::Validation(vec![e]))? {
                Reading::Ignored(reason) => Ok(InboundOutcome::Ignored { reason }),
                Reading::Inquiry(email) => kith_db::leads::inbound::receive(c, &scope, &email),
            }
        })
        .await?;
    let status = match outcome {
        InboundOutcome::Created { .. } => StatusCode::CREATED,
        InboundOutcome::Attached { .. } | InboundOutcome::Duplicate => StatusCode::OK,
        InboundOutcome::Ignored { .. } => StatusCode::ACCEPTED,
    };
    json_response(status, &outcome)
}

/// Where the mail provider posts, and whether a secret is set (the secret is never shown again).
#[utoipa::path(
    operation_id = "get_inbound_settings",
    tag = "inbound",
    security(("bearer" = [])),
    responses((status = 200, body = InboundEmailSettings), (status = 403, body = Problem))
)]
#[get("/settings")]
pub async fn settings(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let settings = state.db(move |c| kith_db::leads::inbound::settings(c, auth.scope())).await?;
    ok(&settings)
}

/// Make a new inbound secret, shown this once; the previous one stops working at once.
#[utoipa::path(
    operation_id = "rotate_inbound_secret",
    tag = "inbound",
    security(("bearer" = [])),
    responses((status = 201, body = InboundEmailSecret), (status = 403, body = Problem))
)]
#[post("/secret")]
pub async fn rotate_secret(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let secret = state.db(move |c| kith_db::leads::inbound::rotate_secret(c, auth.scope())).await?;
    json_response(StatusCode::CREATED, &secret)
}
