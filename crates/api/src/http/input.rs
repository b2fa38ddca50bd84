//! Reading input: body limits and decoding errors as problems, and validation into field errors.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{web, HttpRequest};
use kith_domain::{ErrorCode, FieldError};
use validator::Validate;

use crate::error::ApiError;

/// JSON bodies larger than this are refused with 413 before they are read whole.
pub const JSON_LIMIT: usize = 1024 * 1024;

/// Run the type's validation rules; every failing field is reported at once.
pub fn valid<T: Validate>(input: T) -> Result<T, ApiError> {
    input.validate()?;
    Ok(input)
}

/// serde names the offending field in backticks: "unknown field `org_id`, expected …".
fn field_of(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_owned())
}

fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match &err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::code(ErrorCode::PayloadTooLarge, format!("JSON bodies are limited to {JSON_LIMIT} bytes."))
        }
        JsonPayloadError::ContentType => {
            ApiError::code(ErrorCode::UnsupportedMediaType, "Send the body as application/json.")
        }
        JsonPayloadError::Deserialize(e) => {
            let message = e.to_string();
            let detail = message.split(" at line ").next().unwrap_or(&message).to_owned();
            match (e.classify(), field_of(&message)) {
                (serde_json::error::Category::Data, Some(field)) => ApiError::Validation(vec![FieldError::new(
                    field,
                    if detail.starts_with("unknown field") { "unknown_field" } else { "invalid" },
                    detail,
                )])
                .into_bad_request(),
                _ => ApiError::bad_request(format!("The body is not valid JSON for this request: {detail}")),
            }
        }
        other => ApiError::bad_request(other.to_string()),
    };
    api.into()
}

fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(format!("Invalid query string: {err}")).into()
}

fn path_error(_err: PathError, _req: &HttpRequest) -> actix_web::Error {
    // A malformed id cannot name an existing record.
    ApiError::not_found().into()
}

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default().limit(JSON_LIMIT).error_handler(json_error)
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(query_error)
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(path_error)
}

impl ApiError {
    /// Field errors found while decoding (unknown or mistyped fields) are a 400, not a 422: the
    /// request does not have the shape of this operation's input.
    fn into_bad_request(self) -> ApiError {
        match self {
            ApiError::Validation(errors) => ApiError::BadShape(errors),
            other => other,
        }
    }
}
