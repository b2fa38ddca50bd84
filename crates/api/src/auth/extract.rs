//! The `Auth` extractor: a handler that takes `Auth` only runs for an authenticated principal, and
//! gets the tenant scope that every storage call requires.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use kith_db::Scope;

use crate::error::ApiError;
use crate::http::request_id::RequestId;
use crate::state::AppState;

/// The authenticated principal of a request (a user session or an API key) as a tenant scope.
pub struct Auth(pub Scope);

impl Auth {
    pub fn scope(&self) -> &Scope {
        &self.0
    }
}

pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned()).filter(|t| !t.is_empty())
}

impl FromRequest for Auth {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Auth, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::Internal("no app state".into()))?;
            let token = token.ok_or_else(ApiError::unauthorized)?;
            let scope = if token.starts_with(kith_db::identity::api_keys::KEY_PREFIX) {
                let scope = state.db(move |c| kith_db::identity::api_keys::authenticate(c, &token)).await?;
                let key = scope.actor_id().unwrap_or_default().to_owned();
                if state.limits.per_api_key.check_key(&key).is_err() {
                    return Err(ApiError::RateLimited { retry_after_secs: 60 });
                }
                scope
            } else {
                let subject = state.jwt.verify(&token, state.now()).ok_or_else(ApiError::unauthorized)?;
                state
                    .db(move |c| {
                        kith_db::identity::sessions::authenticate(
                            c,
                            subject.session_id,
                            subject.user_id,
                            subject.org_id,
                        )
                    })
                    .await?
            };
            Ok(Auth(scope.with_request_id(request_id)))
        })
    }
}
