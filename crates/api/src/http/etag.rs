//! Optimistic concurrency: every mutable resource has a `version` (its type is `Versioned`), sent as a
//! strong ETag; updates
//! must send it back in `If-Match` (428 without it, or with `*`; 400 when it is not a version; 412
//! when stale).

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use kith_domain::core::versioned::Versioned;
use kith_domain::ErrorCode;
use serde::Serialize;

use crate::error::{ApiError, ApiResult};

/// The version named by `If-Match: "N"`.
pub struct IfMatch(pub i64);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<IfMatch, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let raw = req.headers().get(header::IF_MATCH).map(|v| v.to_str().map(str::trim));
        // No header, an empty one, or `*` (any version) do not say which version the change is for.
        if matches!(raw, None | Some(Ok("" | "*"))) {
            return ready(Err(ApiError::code(
                ErrorCode::PreconditionRequired,
                "Send the record's ETag in If-Match so a concurrent change is not overwritten.",
            )));
        }
        let parsed = raw
            .and_then(Result::ok)
            .map(|s| s.trim_start_matches("W/").trim_matches('"'))
            .and_then(|s| s.parse::<i64>().ok());
        ready(parsed.map(IfMatch).ok_or_else(|| {
            ApiError::bad_request("If-Match must be the record's ETag, a version number in quotes such as \"3\".")
        }))
    }
}

/// A JSON response; a versioned record's version goes in the ETag (see `Versioned`).
pub fn json_response<T: Serialize + Versioned>(status: StatusCode, body: &T) -> ApiResult<HttpResponse> {
    let value = serde_json::to_value(body).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(respond(status, &value, body.version()))
}

/// A JSON body as it was answered (a stored idempotent response), with its record's version as the ETag.
pub fn respond(status: StatusCode, body: &serde_json::Value, version: Option<i64>) -> HttpResponse {
    let mut builder = HttpResponse::build(status);
    if let Some(version) = version {
        builder.insert_header((header::ETAG, format!("\"{version}\"")));
    }
    builder.content_type("application/json").body(body.to_string())
}

pub fn ok<T: Serialize + Versioned>(body: &T) -> ApiResult<HttpResponse> {
    json_response(StatusCode::OK, body)
}
