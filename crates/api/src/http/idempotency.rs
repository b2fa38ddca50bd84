//! `Idempotency-Key` for POST: a retried create (a timeout, a double click, a webhook redelivery)
//! returns the first response instead of creating twice. Keys are per principal and kept 24 hours.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use kith_db::core::idempotency::{self, Once, Response};
use kith_db::{DbConnection, Scope};
use kith_domain::core::versioned::Versioned;
use kith_domain::ErrorCode;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::etag::respond;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub const HEADER: &str = "idempotency-key";

/// The optional `Idempotency-Key` header (1–255 visible ASCII characters), with the operation it was
/// sent to (method, matched route pattern and the path itself): a key is bound to one operation on
/// one resource.
pub struct IdempotencyKey {
    key: Option<String>,
    route: String,
}

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<IdempotencyKey, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let route = format!("{} {} {}", req.method(), req.match_pattern().unwrap_or_default(), req.path());
        let Some(raw) = req.headers().get(HEADER) else {
            return ready(Ok(IdempotencyKey { key: None, route }));
        };
        let key =
            raw.to_str().ok().filter(|k| !k.is_empty() && k.len() <= 255 && k.chars().all(|c| c.is_ascii_graphic()));
        ready(match key {
            Some(k) => Ok(IdempotencyKey { key: Some(k.to_owned()), route }),
            None => Err(ApiError::bad_request("Idempotency-Key must be 1 to 255 visible ASCII characters.")),
        })
    }
}

fn request_hash(route: &str, body: &impl Serialize) -> String {
    let mut hasher = Sha256::new();
    hasher.update(route.as_bytes());
    hasher.update([0]);
    hasher.update(serde_json::to_vec(body).unwrap_or_default());
    format!("{:x}", hasher.finalize())
}

/// Run a create once per key: 201 with the created resource, or the stored first response.
pub async fn create_once<R, T, F>(
    state: &AppState,
    scope: Scope,
    key: IdempotencyKey,
    request: R,
    work: F,
) -> ApiResult<HttpResponse>
where
    R: Serialize + Send + 'static,
    F: Fn(&mut DbConnection, &Scope, &R) -> kith_db::Result<T> + Send + 'static,
    T: Serialize + Versioned + Send + 'static,
{
    run_once(state, scope, key, request, move |c, s, r| work(c, s, r).map(|t| (StatusCode::CREATED, t))).await
}

/// Run a POST once per key; `work` chooses the status (e.g. 200 when a capture attached to an
/// existing record instead of creating one). The key commits with the work's effect (see
/// `kith_db::core::idempotency::once`); without a key the work simply runs.
pub async fn run_once<R, T, F>(
    state: &AppState,
    scope: Scope,
    key: IdempotencyKey,
    request: R,
    work: F,
) -> ApiResult<HttpResponse>
where
    R: Serialize + Send + 'static,
    F: Fn(&mut DbConnection, &Scope, &R) -> kith_db::Result<(StatusCode, T)> + Send + 'static,
    T: Serialize + Versioned + Send + 'static,
{
    let hash = request_hash(&key.route, &request);
    let outcome = state
        .db(move |c| {
            let answer = |c: &mut DbConnection| {
                work(c, &scope, &request).map(|(status, t)| Response {
                    status: status.as_u16(),
                    body: serde_json::to_value(&t).unwrap_or_default(),
                    version: t.version(),
                })
            };
            match key.key {
                None => answer(c).map(Once::Ran),
                Some(key) => idempotency::once(c, &scope, &key, &hash, answer),
            }
        })
        .await?;
    let status = |r: &Response| StatusCode::from_u16(r.status).unwrap_or(StatusCode::CREATED);
    match outcome {
        Once::Ran(r) => Ok(respond(status(&r), &r.body, r.version)),
        Once::Replay(r) => {
            let mut response = respond(status(&r), &r.body, r.version);
            response.headers_mut().insert(
                actix_web::http::header::HeaderName::from_static("idempotent-replayed"),
                actix_web::http::header::HeaderValue::from_static("true"),
            );
            Ok(response)
        }
        Once::Mismatch => Err(ApiError::code(
            ErrorCode::IdempotencyKeyReused,
            "This Idempotency-Key was first used with a different request body.",
        )),
    }
}
