//! Sign-up, login, token refresh, logout, accepting invitations and resetting a forgotten password.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse, ResponseError};
use kith_db::identity::password_resets;
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
/// Set beside the refresh cookie and readable by the SPA's script: a hint, holding no secret, that
/// this browser may have a session to restore. A signed-out visitor has none, so the SPA does not ask
/// `/auth/refresh` for a session that cannot exist (and logs no 401 on every page load).
pub const SIGNED_IN_COOKIE: &str = "kith_signed_in";

fn refresh_cookie(state: &AppState, value: &str, max_age: CookieDuration) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, value.to_owned())
        .path(COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.config.secure_cookies)
        .max_age(max_age)
        .finish()
}

fn signed_in_cookie(state: &AppState, max_age: CookieDuration) -> Cookie<'static> {
    let value = if max_age == CookieDuration::ZERO { "" } else { "1" };
    Cookie::build(SIGNED_IN_COOKIE, value)
        .path("/")
        .same_site(SameSite::Strict)
        .secure(state.config.secure_cookies)
        .max_age(max_age)
        .finish()
}

/// Put the browser's session cookies on `response`: the refresh token (http-only) and the hint.
fn set_session_cookies(state: &AppState, response: &mut HttpResponse, refresh_token: &str) -> ApiResult<()> {
    let age = CookieDuration::days(sessions::SESSION_DAYS);
    for cookie in [refresh_cookie(state, refresh_token, age), signed_in_cookie(state, age)] {
        response.add_cookie(&cookie).map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    Ok(())
}

/// Remove the browser's session cookies (signed out, the session ended, or it never was).
pub(crate) fn clear_session_cookies(state: &AppState, response: &mut HttpResponse) -> ApiResult<()> {
    for cookie in [refresh_cookie(state, "", CookieDuration::ZERO), signed_in_cookie(state, CookieDuration::ZERO)] {
        response.add_cookie(&cookie).map_err(|e| ApiError::Internal(e.to_string()))?;
    }
    Ok(())
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
    set_session_cookies(state, &mut response, &issued.refresh_token)?;
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
/// once; replaying a used one ends the session. A refusal also removes the browser's session cookies
/// (`kith_refresh` and the `kith_signed_in` hint), so a browser whose session ended is asked once.
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
    let issued = match presented_refresh_token(&req, &body) {
        Some(token) => state.db(move |c| sessions::refresh(c, &token)).await,
        None => Err(ApiError::unauthorized()),
    };
    match issued {
        Ok(issued) => token_response(&state, StatusCode::OK, issued),
        // Only a refusal ends the browser's session; an outage (503) leaves it for the next try.
        Err(refused) if refused.status_code() == StatusCode::UNAUTHORIZED => {
            let mut response = refused.error_response();
            clear_session_cookies(&state, &mut response)?;
            Ok(response)
        }
        Err(other) => Err(other),
    }
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
    clear_session_cookies(&state, &mut response)?;
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

/// What an invitation link is for: the organization and the address invited. Only for a valid
/// invitation (not accepted, revoked or expired); anything else is a 404. The token goes in the body,
/// as when accepting, so it stays out of URLs.
#[utoipa::path(
    tag = "auth",
    request_body = InvitePreviewRequest,
    responses(
        (status = 200, body = InvitePreview),
        (status = 404, description = "No valid invitation has this token", body = Problem)
    )
)]
#[post("/auth/invite-preview")]
pub async fn invite_preview(
    state: web::Data<AppState>,
    body: web::Json<InvitePreviewRequest>,
) -> ApiResult<HttpResponse> {
    let body = valid(body.into_inner())?;
    let preview = state.db(move |c| kith_db::identity::invites::preview(c, &body.token)).await?;
    json_response(StatusCode::OK, &preview)
}

/// Forgot your password? Ask for a link to set a new one. The answer is `202` whether or not the
/// address has an account; an active account's address gets an email with a link that works once,
/// for 30 minutes. Limited per address and per client like logins (`429` with `Retry-After`), for
/// every address alike.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "If the address has an account, a reset link is on its way"),
        (status = 429, description = "Too many requests for this address or from this client; see Retry-After", body = Problem)
    )
)]
#[post("/auth/password-reset")]
pub async fn request_password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<PasswordResetRequest>,
) -> ApiResult<HttpResponse> {
    let body = valid(body.into_inner())?;
    let ip = request_id::client_ip(&req, state.config.trust_proxy);
    let limits = password_resets::ResetLimits {
        window: chrono::Duration::seconds(state.config.login_window_seconds),
        per_email: password_resets::PER_EMAIL,
        per_ip: state.config.login_max_failures,
    };
    let reset_url = format!("{}/reset-password", state.config.public_url.trim_end_matches('/'));
    let rid = request_id::of(&req);
    state.db(move |c| password_resets::request(c, &body.email, &ip, limits, &reset_url, rid)).await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Set a new password with the token from a reset email (the password rules of sign-up apply). The
/// token works once; a used, expired or unknown one is a `422` on `token`. Every session of the user
/// ends, with its refresh tokens: sign in with the new password.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetConfirm,
    responses(
        (status = 204, description = "Password set; every session of the user ended"),
        (status = 422, description = "The token is not valid any more, or the password is refused", body = Problem)
    )
)]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Json<PasswordResetConfirm>,
) -> ApiResult<HttpResponse> {
    let body = valid(body.into_inner())?;
    let hash = hash_password(body.password.clone()).await?;
    let rid = request_id::of(&req);
    state.db(move |c| password_resets::confirm(c, &body.token, &hash, rid)).await?;
    let mut response = HttpResponse::NoContent().finish();
    clear_session_cookies(&state, &mut response)?;
    Ok(response)
}
