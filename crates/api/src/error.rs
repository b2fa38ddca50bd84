//! The API's one error type: a variant per kind of outcome, rendered as RFC 9457 problem+json.
//! Internal errors are logged with their cause and answered with an opaque message.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use kith_domain::{ErrorCode, FieldError, Problem};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{1}")]
    Code(ErrorCode, String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// The body does not have the shape of the input (unknown or mistyped fields): 400.
    #[error("bad request shape")]
    BadShape(Vec<FieldError>),
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    #[error("internal error: {0}")]
    Internal(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn code(code: ErrorCode, detail: impl Into<String>) -> ApiError {
        ApiError::Code(code, detail.into())
    }
    pub fn unauthorized() -> ApiError {
        ApiError::code(ErrorCode::Unauthorized, "Sign in, or send a valid bearer token or API key.")
    }
    pub fn not_found() -> ApiError {
        ApiError::code(ErrorCode::NotFound, "")
    }
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::code(ErrorCode::BadRequest, detail)
    }

    pub fn problem(&self) -> Problem {
        match self {
            ApiError::Code(code, detail) => {
                let p = Problem::new(*code);
                if detail.is_empty() {
                    p
                } else {
                    p.with_detail(detail.clone())
                }
            }
            ApiError::Validation(errors) => Problem::validation(errors.clone()),
            ApiError::BadShape(errors) => Problem {
                errors: errors.clone(),
                ..Problem::new(ErrorCode::BadRequest).with_detail("The body has fields this operation does not accept.")
            },
            ApiError::RateLimited { retry_after_secs } => {
                Problem::new(ErrorCode::RateLimited).with_detail(format!("Try again in {retry_after_secs} seconds."))
            }
            ApiError::Internal(_) => Problem::new(ErrorCode::Internal),
        }
    }
}

impl From<kith_db::Error> for ApiError {
    fn from(e: kith_db::Error) -> Self {
        use kith_db::Error as E;
        match e {
            E::NotFound => ApiError::not_found(),
            E::Forbidden(detail) => ApiError::code(ErrorCode::Forbidden, detail),
            E::Unauthorized => ApiError::unauthorized(),
            E::Validation(errors) => ApiError::Validation(errors),
            E::Conflict(_) => ApiError::code(ErrorCode::Conflict, "This conflicts with existing data."),
            E::Stale(v) => ApiError::code(
                ErrorCode::PreconditionFailed,
                format!("Version {v} is not the current one; reload the record and apply your change again."),
            ),
            E::RateLimited { retry_after_secs } => ApiError::RateLimited { retry_after_secs },
            E::Unavailable(cause) => {
                tracing::error!(%cause, "database unavailable");
                ApiError::code(ErrorCode::Unavailable, "The database is not reachable; try again shortly.")
            }
            E::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(e: validator::ValidationErrors) -> Self {
        ApiError::Validation(kith_domain::core::validation::field_errors(&e))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.problem().status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
        let mut response = problem_response(&self.problem());
        if let ApiError::RateLimited { retry_after_secs } = self {
            if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        if matches!(self, ApiError::Code(ErrorCode::Unauthorized, _)) {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"kith\""));
        }
        response
    }
}

/// A problem+json response. The request id is filled in by the conventions middleware.
pub fn problem_response(problem: &Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status)
        .content_type("application/problem+json")
        .body(serde_json::to_string(problem).unwrap_or_default())
}
