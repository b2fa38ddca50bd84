//! Sign-up, login, token refresh, logout and accepting invitations.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use kith_db::identity::sessions::{self, IssuedSession, Throttle};
use kith_domain::identity::auth::*;
use kith_domain::Problem;

use crate::auth::{password, Auth};
use crate::error::{ApiError, ApiResult};
use crate::http::etag::json_response;
use crate::http::input::valid;
use crate::http::request_id;
use crate::state::AppState;

pub const REFRESH_COOKIE: &str = "kith_refresh";
const COOKIE_PATH: &str = "/api/v1/auth";

fn refresh_cookie(state: &AppState, value: &str, max_age: CookieDuration) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, value.to_owned())
        .path(COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.secure_cookies)
        .max_age(max_age)
        .finish()
}

/// Answer with a token pair; the refresh token also goes into an http-only cookie for the SPA.
fn token_response(state: &AppState, status: StatusCode, issued: IssuedSession) -> ApiResult<HttpResponse> {
    let access_token = state.jwt.issue(&issued, state.now()).map_err(ApiError::Internal)?;
    let body = TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: state.jwt.ttl_seconds,
        refresh_token: issued.refresh_token.clone(),
    };
    let mut response = json_response(status, &body)?;
    response
        .add_cookie(&refresh_cookie(state, &issued.refresh_token, CookieDuration::days(sessions::SESSION_DAYS)))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(response)
}

pub async fn hash_password(pw: String) -> ApiResult<String> {
    web::block(move || password::hash(&pw))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::Internal)
}

/// Create an organization and its first administrator, and sign in.
#[utoipa::path(
    tag = "auth",
    request_body = SignupRequest,
    responses(
        (status = 201, description = "Signed up and signed in", body = TokenResponse),
        (status = 400, body = Problem), (status = 422, description = "Invalid fields (e.g. email taken)", body = Problem)
    )
)]
#[post("/auth/signup")]
pub async fn signup(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<SignupRequest>,
) -> ApiResult<HttpResponse> {
    let body = valid(body.into_inner())?;
    let hash = hash_password(body.password.clone()).await?;
    let rid = request_id::of(&req);
    let issued = state.db(move |c| kith_db::identity::organizations::signup(c, &body, &hash, rid)).await?;
    token_response(&state, StatusCode::CREATED, issued)
}

/// Sign in with email and password. Failed attempts are throttled per account and per IP.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Unknown account or wrong password (indistinguishable)", body = Problem),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = Problem)
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let body = valid(body.into_inner())?;
    let ip = crate::http::request_id::client_ip(&req, state.config.trust_proxy);
    let throttle = Throttle {
        window: chrono::Duration::seconds(state.config.login_window_seconds),
        max_failures: state.config.login_max_failures,
    };
    let dummy = state.dummy_password_hash.clone();
    let rid = request_id::of(&req);
    let issued = state
        .db(move |c| {
            sessions::login(c, &body.email, &ip, throttle, rid, |stored| {
                let ok = password::verify(&body.password, stored.unwrap_or(&dummy));
                ok && stored.is_some()
            })
        })
        .await?;
    token_response(&state, StatusCode::OK, issued)
}

fn presented_refresh_token(req: &HttpRequest, body: &RefreshRequest) -> Option<String> {
    body.refresh_token
        .clone()
        .filter(|t| !t.is_empty())
        .or_else(|| req.cookie(REFRESH_COOKIE).map(|c| c.value().to_owned()))
}

/// Trade a refresh token (in the body, or the SPA's cookie) for a new pair. Each refresh token works
/// once; replaying a used one ends the session.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = Problem))
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let token = presented_refresh_token(&req, &body).ok_or_else(ApiError::unauthorized)?;
    let issued = state.db(move |c| sessions::refresh(c, &token)).await?;
    token_response(&state, StatusCode::OK, issued)
}

/// End the current session: its access and refresh tokens stop working at once.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    security(("bearer" = [])),
    responses((status = 204, description = "Signed out"), (status = 401, body = Problem))
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    auth: Auth,
    req: HttpRequest,
    body: web::Json<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let token = presented_refresh_token(&req, &body);
    state
        .db(move |c| {
            if let Some(token) = token {
                sessions::logout_refresh_token(c, &token)?;
            }
            if auth.scope().session_id().is_some() {
                sessions::logout(c, auth.scope())?;
            }
            Ok(())
        })
        .await?;
    let mut response = HttpResponse::NoContent().finish();
    response
        .add_cookie(&refresh_cookie(&state, "", CookieDuration::ZERO))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(response)
}

/// Join an organization with an invitation token; signs the new user in.
#[utoipa::path(
    tag = "auth",
    request_body = AcceptInviteRequest,
    responses((status = 201, body = TokenResponse), (status = 422, body = Problem))
)]
#[post("/auth/accept-invite")]
pub async fn accept_invite(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<AcceptInviteRequest>,
) -> ApiResult<HttpResponse> {
    let body = valid(body.into_inner())?;
    let hash = hash_password(body.password.clone()).await?;
    let rid = request_id::of(&req);
    let issued = state.db(move |c| kith_db::identity::invites::accept(c, &body, &hash, rid)).await?;
    token_response(&state, StatusCode::CREATED, issued)
}
