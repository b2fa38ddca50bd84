//! "Forgot password": a reset link by email. Asking answers the same whatever the address (no one
//! learns which addresses have accounts); an active user's address gets an email through the
//! outbox, in the organization's name, with a single-use token that works for [`RESET_MINUTES`].
//! Using it sets the new password and ends every session of the user (their refresh tokens with
//! them), and every other link they were sent stops working.
//!
//! Requests are limited like logins: per address and per IP within the login window, counted for
//! every address alike, so the limit says nothing about accounts either.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use kith_domain::core::audit::{AuditAction, FieldChange};
use kith_domain::core::validation::normalize_email;
use kith_domain::identity::UserStatus;
use kith_domain::{OrgId, UserId};

use crate::core::outbox::{self, NewEmail};
use crate::core::tokens::{generate_secret, hash_secret};
use crate::core::util::{new_id, now, parse_id, transaction};
use crate::schema::{organizations, password_reset_requests, password_resets, users};
use crate::{core::audit, DbConnection, Error, Result, Scope};

/// How long a reset link works.
pub const RESET_MINUTES: i64 = 30;

/// How many reset links may be asked for within `window`: per address and per client address.
#[derive(Clone, Copy, Debug)]
pub struct ResetLimits {
    pub window: Duration,
    pub per_email: i64,
    pub per_ip: i64,
}

/// Requests per address within the window: enough for a person who did not get the first email.
pub const PER_EMAIL: i64 = 3;

/// Refuse with `RateLimited` when `count` requests since `since` reached `max`; the wait is until
/// the oldest of them leaves the window.
fn over_limit(
    conn: &mut DbConnection,
    by_email: Option<&str>,
    by_ip: Option<&str>,
    max: i64,
    limits: ResetLimits,
    at: NaiveDateTime,
) -> Result<()> {
    let mut query = password_reset_requests::table
        .filter(password_reset_requests::requested_at.gt(at - limits.window))
        .select(password_reset_requests::requested_at)
        .order(password_reset_requests::requested_at.desc())
        .limit(max)
        .into_boxed();
    if let Some(email) = by_email {
        query = query.filter(password_reset_requests::email.eq(email.to_owned()));
    }
    if let Some(ip) = by_ip {
        query = query.filter(password_reset_requests::ip.eq(ip.to_owned()));
    }
    let recent: Vec<NaiveDateTime> = query.load(conn)?;
    if (recent.len() as i64) < max {
        return Ok(());
    }
    let oldest = recent.last().copied().unwrap_or(at);
    let free_at = oldest + limits.window;
    let retry_after_secs = ((free_at - at).num_milliseconds() + 999).div_euclid(1000).max(1) as u64;
    Err(Error::RateLimited { retry_after_secs })
}

/// Ask for a reset link for `email`. Answers `Ok` whether or not the address has an account; only an
/// active user's address gets an email, whose link is `reset_url?token=…`.
pub fn request(
    conn: &mut DbConnection,
    email: &str,
    ip: &str,
    limits: ResetLimits,
    reset_url: &str,
    request_id: Option<String>,
) -> Result<()> {
    let email = normalize_email(email);
    transaction(conn, |c| {
        let at = now();
        over_limit(c, Some(&email), None, limits.per_email, limits, at)?;
        over_limit(c, None, Some(ip), limits.per_ip, limits, at)?;
        diesel::insert_into(password_reset_requests::table)
            .values((
                password_reset_requests::id.eq(new_id().to_string()),
                password_reset_requests::email.eq(&email),
                password_reset_requests::ip.eq(ip),
                password_reset_requests::requested_at.eq(at),
            ))
            .execute(c)?;
        let user: Option<(String, String)> = users::table
            .filter(users::email.eq(&email))
            .filter(users::status.eq(UserStatus::Active.as_str()))
            .select((users::id, users::org_id))
            .first(c)
            .optional()?;
        let Some((user_id, org_id)) = user else {
            return Ok(());
        };
        let user_id: UserId = parse_id(&user_id)?;
        let org_id: OrgId = parse_id(&org_id)?;
        let org_name: String = organizations::table.find(org_id.to_string()).select(organizations::name).first(c)?;
        let token = generate_secret();
        diesel::insert_into(password_resets::table)
            .values((
                password_resets::id.eq(new_id().to_string()),
                password_resets::org_id.eq(org_id.to_string()),
                password_resets::user_id.eq(user_id.to_string()),
                password_resets::token_hash.eq(hash_secret(&token)),
                password_resets::created_at.eq(at),
                password_resets::expires_at.eq(at + Duration::minutes(RESET_MINUTES)),
            ))
            .execute(c)?;
        let scope = Scope::without_grants(org_id, user_id, None, request_id.clone());
        let org_name = org_name.replace(['\r', '\n'], " ");
        let link = format!("{reset_url}?token={token}");
        let body = format!(
            "Someone asked to reset the password of your Kith account {email} at {org_name}.\n\n\
             Set a new password within {RESET_MINUTES} minutes:\n{link}\n\n\
             The link works once. If you did not ask for it, ignore this email: your password stays as it is.\n"
        );
        let subject = format!("Reset your Kith password for {org_name}");
        outbox::enqueue(c, &scope, &NewEmail::plain(&email, &subject, &body, Some(("user", user_id.to_string()))))
    })
}

/// Set a new password with a reset token: once, before it expires, for a user who is still active.
/// Every session of the user ends and every other reset link of theirs stops working.
pub fn confirm(conn: &mut DbConnection, token: &str, new_hash: &str, request_id: Option<String>) -> Result<()> {
    let hash = hash_secret(token);
    transaction(conn, |c| {
        let at = now();
        let invalid = || Error::field("token", "invalid", "This reset link is not valid any more: ask for a new one.");
        let found: Option<(String, String, String)> = password_resets::table
            .filter(password_resets::token_hash.eq(&hash))
            .filter(password_resets::used_at.is_null())
            .filter(password_resets::expires_at.gt(at))
            .select((password_resets::id, password_resets::user_id, password_resets::org_id))
            .first(c)
            .optional()?;
        let Some((reset_id, user_id, org_id)) = found else {
            return Err(invalid());
        };
        // Of two requests racing with one token, only one claims it.
        let claimed = diesel::update(
            password_resets::table.filter(password_resets::id.eq(&reset_id)).filter(password_resets::used_at.is_null()),
        )
        .set(password_resets::used_at.eq(Some(at)))
        .execute(c)?;
        let active: i64 = users::table
            .filter(users::id.eq(&user_id))
            .filter(users::status.eq(UserStatus::Active.as_str()))
            .count()
            .get_result(c)?;
        if claimed == 0 || active == 0 {
            return Err(invalid());
        }
        diesel::update(password_resets::table.filter(password_resets::user_id.eq(&user_id)))
            .filter(password_resets::used_at.is_null())
            .set(password_resets::used_at.eq(Some(at)))
            .execute(c)?;
        diesel::update(users::table.filter(users::id.eq(&user_id)))
            .set((users::password_hash.eq(new_hash), users::updated_at.eq(at)))
            .execute(c)?;
        let user_id: UserId = parse_id(&user_id)?;
        let org_id: OrgId = parse_id(&org_id)?;
        crate::identity::sessions::revoke_all_for_user(c, user_id, "password_reset")?;
        let scope = Scope::without_grants(org_id, user_id, None, request_id.clone());
        let how = FieldChange { field: "method".into(), old: serde_json::Value::Null, new: "reset_link".into() };
        audit::record(c, &scope, "user", &user_id.to_string(), AuditAction::PasswordChange, &[how])
    })
}

/// Delete reset requests and links a day after they stopped mattering.
pub fn prune(conn: &mut DbConnection) -> Result<usize> {
    let day_ago = now() - Duration::days(1);
    let requests =
        diesel::delete(password_reset_requests::table.filter(password_reset_requests::requested_at.lt(day_ago)))
            .execute(conn)?;
    let links = diesel::delete(password_resets::table.filter(password_resets::expires_at.lt(day_ago))).execute(conn)?;
    Ok(requests + links)
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.maintenance("password resets", prune);
}
