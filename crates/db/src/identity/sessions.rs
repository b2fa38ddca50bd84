//! Sessions and refresh tokens: login, rotation with reuse detection, logout, revocation, and the
//! per-request check that turns a verified access token into a [`Scope`].
//!
//! A session is one login on one device. Each refresh token is single use; presenting a used one
//! means it was stolen (or replayed) and ends the whole session, for the thief and the owner alike.

use chrono::{Duration, NaiveDateTime};
use diesel::dsl::{count, count_star, exists, max, not};
use diesel::prelude::*;
use kith_domain::core::audit::AuditAction;
use kith_domain::core::permissions::{Actor, Permissions};
use kith_domain::identity::UserStatus;
use kith_domain::*;

use crate::core::tokens::{generate_secret, hash_secret};
use crate::core::util::{new_id, now, parse_id, transaction};
use crate::schema::{login_attempts, refresh_tokens, roles, sessions, users};
use crate::{core::audit, DbConnection, Error, Result, Scope};

/// How long a session lasts without a new login.
pub const SESSION_DAYS: i64 = 30;

/// A freshly issued session: the raw refresh token exists only here and in the response.
#[derive(Debug)]
pub struct IssuedSession {
    pub session_id: SessionId,
    pub user_id: UserId,
    pub org_id: OrgId,
    pub refresh_token: String,
}

/// Login throttling: `max_failures` failed logins within `window` are free; after them, attempts are
/// delayed progressively (see `check_throttle`).
#[derive(Clone, Copy, Debug)]
pub struct Throttle {
    pub window: Duration,
    pub max_failures: i64,
}

pub(crate) fn create_session(conn: &mut DbConnection, org_id: OrgId, user_id: UserId) -> Result<IssuedSession> {
    let session_id = SessionId(new_id());
    let at = now();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(session_id.to_string()),
            sessions::org_id.eq(org_id.to_string()),
            sessions::user_id.eq(user_id.to_string()),
            sessions::created_at.eq(at),
            sessions::expires_at.eq(at + Duration::days(SESSION_DAYS)),
        ))
        .execute(conn)?;
    let refresh_token = issue_refresh_token(conn, session_id)?;
    Ok(IssuedSession { session_id, user_id, org_id, refresh_token })
}

fn issue_refresh_token(conn: &mut DbConnection, session_id: SessionId) -> Result<String> {
    let raw = generate_secret();
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(new_id().to_string()),
            refresh_tokens::session_id.eq(session_id.to_string()),
            refresh_tokens::token_hash.eq(hash_secret(&raw)),
            refresh_tokens::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(raw)
}

/// The longest a login is held back: throttling slows guessing down, it never locks anyone out.
pub const MAX_LOGIN_DELAY_SECS: i64 = 60;

/// How long an attempt must wait after the last of `failures` recent failures: the first
/// `max_failures` are free, then 1 s, 2 s, 4 s … up to a minute (and never longer than the window).
fn delay_after(failures: i64, throttle: Throttle) -> Option<Duration> {
    if failures < throttle.max_failures {
        return None;
    }
    let doubling = (failures - throttle.max_failures).min(20) as u32;
    let cap = MAX_LOGIN_DELAY_SECS.min(throttle.window.num_seconds().max(1));
    Some(Duration::seconds(2i64.pow(doubling).min(cap)))
}

/// Seconds left (rounded up) before an attempt may be tried, or `None` when it may be now.
fn wait_left(failures: i64, last: Option<NaiveDateTime>, throttle: Throttle, at: NaiveDateTime) -> Option<u64> {
    let free_at = last? + delay_after(failures, throttle)?;
    (free_at > at).then(|| ((free_at - at).num_milliseconds() + 999).div_euclid(1000).max(1) as u64)
}

fn recent_failures(
    since: NaiveDateTime,
) -> login_attempts::BoxedQuery<'static, <DbConnection as diesel::Connection>::Backend> {
    login_attempts::table
        .filter(login_attempts::succeeded.eq(false))
        .filter(login_attempts::attempted_at.gt(since))
        .into_boxed()
}

/// Refuse with `RateLimited` while this attempt must wait. Failed logins slow down what they aim at,
/// and nothing else:
/// - an account's own failures (since its last successful login) delay the next try on that account
///   (progressively, a minute at most; the right password works as soon as the delay has passed);
/// - an IP is held back only for guessing: failures on accounts that do not exist, or on many
///   different accounts. A person's typos on their own account never slow their colleagues down
///   (behind a proxy they all share one address), and an account that signed in from this address
///   within the last day is not held back by the address at all.
fn check_throttle(conn: &mut DbConnection, email: &str, ip: &str, throttle: Throttle) -> Result<()> {
    let at = now();
    let since = at - throttle.window;
    // Failures before the account's last successful login are forgiven.
    let last_success: Option<NaiveDateTime> = login_attempts::table
        .filter(login_attempts::succeeded.eq(true))
        .filter(login_attempts::email.eq(email))
        .filter(login_attempts::attempted_at.gt(since))
        .select(max(login_attempts::attempted_at))
        .first(conn)?;
    let (account_failures, account_last): (i64, Option<NaiveDateTime>) = recent_failures(last_success.unwrap_or(since))
        .filter(login_attempts::email.eq(email.to_owned()))
        .select((count_star(), max(login_attempts::attempted_at)))
        .first(conn)?;
    if let Some(retry_after_secs) = wait_left(account_failures, account_last, throttle, at) {
        return Err(Error::RateLimited { retry_after_secs });
    }
    let known = exists(users::table.filter(users::email.eq(login_attempts::email)));
    let (unknown_failures, unknown_last): (i64, Option<NaiveDateTime>) = recent_failures(since)
        .filter(login_attempts::ip.eq(ip.to_owned()))
        .filter(not(known))
        .select((count_star(), max(login_attempts::attempted_at)))
        .first(conn)?;
    let (accounts, accounts_last): (i64, Option<NaiveDateTime>) = recent_failures(since)
        .filter(login_attempts::ip.eq(ip.to_owned()))
        .filter(known)
        .select((count(login_attempts::email).aggregate_distinct(), max(login_attempts::attempted_at)))
        .first(conn)?;
    let guessing = [(unknown_failures, unknown_last), (accounts, accounts_last)]
        .into_iter()
        .filter_map(|(failures, last)| wait_left(failures, last, throttle, at))
        .max();
    if let Some(retry_after_secs) = guessing {
        let signed_in_here: i64 = login_attempts::table
            .filter(login_attempts::succeeded.eq(true))
            .filter(login_attempts::email.eq(email))
            .filter(login_attempts::ip.eq(ip))
            .filter(login_attempts::attempted_at.gt(at - Duration::days(1)))
            .count()
            .get_result(conn)?;
        if signed_in_here == 0 {
            return Err(Error::RateLimited { retry_after_secs });
        }
    }
    Ok(())
}

fn record_attempt(conn: &mut DbConnection, email: &str, ip: &str, succeeded: bool) -> Result<()> {
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::id.eq(new_id().to_string()),
            login_attempts::email.eq(email),
            login_attempts::ip.eq(ip),
            login_attempts::succeeded.eq(succeeded),
            login_attempts::attempted_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Log a user in. `verify` checks the password against the stored hash, or against a dummy hash
/// when there is no such user, so unknown accounts take as long to refuse as wrong passwords.
pub fn login(
    conn: &mut DbConnection,
    email: &str,
    ip: &str,
    throttle: Throttle,
    request_id: Option<String>,
    verify: impl Fn(Option<&str>) -> bool,
) -> Result<IssuedSession> {
    let email = kith_domain::core::validation::normalize_email(email);
    check_throttle(conn, &email, ip, throttle)?;
    let user: Option<(String, String, String)> = users::table
        .filter(users::email.eq(&email))
        .filter(users::status.eq(UserStatus::Active.as_str()))
        .select((users::id, users::org_id, users::password_hash))
        .first(conn)
        .optional()?;
    let verified = verify(user.as_ref().map(|(_, _, hash)| hash.as_str()));
    match user {
        Some((user_id, org_id, _)) if verified => transaction(conn, |c| {
            record_attempt(c, &email, ip, true)?;
            let user_id: UserId = parse_id(&user_id)?;
            let org_id: OrgId = parse_id(&org_id)?;
            let issued = create_session(c, org_id, user_id)?;
            let scope = user_scope_for_audit(org_id, user_id, request_id.clone());
            audit::record(c, &scope, "user", &user_id.to_string(), AuditAction::Login, &[])?;
            Ok(issued)
        }),
        _ => {
            // The failure is committed on its own: it must count even though the call fails.
            transaction(conn, |c| record_attempt(c, &email, ip, false))?;
            Err(Error::Unauthorized)
        }
    }
}

fn user_scope_for_audit(org_id: OrgId, user_id: UserId, request_id: Option<String>) -> Scope {
    Scope::without_grants(org_id, user_id, None, request_id)
}

/// Trade a refresh token for a new one. A token that was already used ends its session.
pub fn refresh(conn: &mut DbConnection, raw: &str) -> Result<IssuedSession> {
    let hash = hash_secret(raw);
    let outcome = transaction(conn, |c| {
        let found: Option<(String, Option<NaiveDateTime>, String, String, String)> = refresh_tokens::table
            .inner_join(sessions::table)
            .filter(refresh_tokens::token_hash.eq(&hash))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(now()))
            .select((refresh_tokens::id, refresh_tokens::used_at, sessions::id, sessions::user_id, sessions::org_id))
            .first(c)
            .optional()?;
        let Some((token_id, used_at, session_id, user_id, org_id)) = found else {
            return Ok(Err(Error::Unauthorized));
        };
        let session_id: SessionId = parse_id(&session_id)?;
        if used_at.is_some() {
            return Ok(Err(Error::Conflict(session_id.to_string())));
        }
        // Only one of two racing refreshes with the same token wins; the other is a reuse.
        let claimed = diesel::update(refresh_tokens::table)
            .filter(refresh_tokens::id.eq(&token_id))
            .filter(refresh_tokens::used_at.is_null())
            .set(refresh_tokens::used_at.eq(Some(now())))
            .execute(c)?;
        if claimed == 0 {
            return Ok(Err(Error::Conflict(session_id.to_string())));
        }
        let active: i64 = users::table
            .filter(users::id.eq(&user_id))
            .filter(users::status.eq(UserStatus::Active.as_str()))
            .count()
            .get_result(c)?;
        if active == 0 {
            return Ok(Err(Error::Unauthorized));
        }
        let refresh_token = issue_refresh_token(c, session_id)?;
        Ok(Ok(IssuedSession { session_id, user_id: parse_id(&user_id)?, org_id: parse_id(&org_id)?, refresh_token }))
    })?;
    match outcome {
        Err(Error::Conflict(session_id)) => {
            tracing::warn!(session_id, "refresh token reused: revoking the session");
            transaction(conn, |c| revoke_session(c, &session_id, "refresh_token_reused"))?;
            Err(Error::Unauthorized)
        }
        other => other,
    }
}

fn revoke_session(conn: &mut DbConnection, session_id: &str, reason: &str) -> Result<()> {
    diesel::update(sessions::table.filter(sessions::id.eq(session_id)).filter(sessions::revoked_at.is_null()))
        .set((sessions::revoked_at.eq(Some(now())), sessions::revoked_reason.eq(Some(reason))))
        .execute(conn)?;
    Ok(())
}

pub(crate) fn revoke_all_for_user(conn: &mut DbConnection, user_id: UserId, reason: &str) -> Result<()> {
    diesel::update(
        sessions::table.filter(sessions::user_id.eq(user_id.to_string())).filter(sessions::revoked_at.is_null()),
    )
    .set((sessions::revoked_at.eq(Some(now())), sessions::revoked_reason.eq(Some(reason))))
    .execute(conn)?;
    Ok(())
}

/// End the caller's session (its access tokens stop working at once, its refresh token too).
pub fn logout(conn: &mut DbConnection, scope: &Scope) -> Result<()> {
    let Some(session_id) = scope.session_id() else {
        return Err(Error::Forbidden("only a signed-in user can log out".into()));
    };
    transaction(conn, |c| {
        revoke_session(c, &session_id.to_string(), "logout")?;
        let user = scope.actor_id().unwrap_or_default().to_owned();
        audit::record(c, scope, "user", &user, AuditAction::Logout, &[])
    })
}

/// End the session a refresh token belongs to (logout from a client that holds no access token).
pub fn logout_refresh_token(conn: &mut DbConnection, raw: &str) -> Result<()> {
    let hash = hash_secret(raw);
    transaction(conn, |c| {
        let session: Option<String> = refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(&hash))
            .select(refresh_tokens::session_id)
            .first(c)
            .optional()?;
        match session {
            Some(id) => revoke_session(c, &id, "logout"),
            None => Ok(()),
        }
    })
}

/// Per request: the access token named this session, user and organization; check they still hold
/// (session not revoked or expired, user active and still in that organization) and build the scope.
pub fn authenticate(conn: &mut DbConnection, session_id: SessionId, user_id: UserId, org_id: OrgId) -> Result<Scope> {
    let Some((user, user_org, permissions)) =
        crate::identity::users::active_session_user(conn, &session_id.to_string())?
    else {
        return Err(Error::Unauthorized);
    };
    if user.id != user_id.to_string() || user_org != org_id.to_string() {
        return Err(Error::Unauthorized);
    }
    user_scope(org_id, user_id, user.team_id.as_deref(), &permissions, Some(session_id))
}

/// A signed-in user's scope from their stored team and role grants.
fn user_scope(
    org_id: OrgId,
    user_id: UserId,
    team_id: Option<&str>,
    permissions: &str,
    session_id: Option<SessionId>,
) -> Result<Scope> {
    let permissions: Permissions =
        serde_json::from_str(permissions).map_err(|e| Error::Internal(format!("bad permissions: {e}")))?;
    Ok(Scope::user(
        org_id,
        Actor { user_id, team_id: team_id.map(parse_id).transpose()? },
        permissions,
        session_id,
        None,
    ))
}

/// The scope of an active user of the organization, with their current role: for work a user
/// started that runs later (an import), so it acts with the rights the user has at that moment.
pub(crate) fn scope_of_user(conn: &mut DbConnection, org_id: OrgId, user_id: UserId) -> Result<Option<Scope>> {
    let found: Option<(Option<String>, String)> = users::table
        .inner_join(roles::table)
        .filter(users::org_id.eq(org_id.to_string()))
        .filter(users::id.eq(user_id.to_string()))
        .filter(users::status.eq(UserStatus::Active.as_str()))
        .select((users::team_id, roles::permissions))
        .first(conn)
        .optional()?;
    found.map(|(team_id, permissions)| user_scope(org_id, user_id, team_id.as_deref(), &permissions, None)).transpose()
}

/// Change the caller's password: every session ends, this one included; the client logs in again.
pub fn change_password(
    conn: &mut DbConnection,
    scope: &Scope,
    verify_current: impl Fn(&str) -> bool,
    new_hash: &str,
) -> Result<()> {
    let Some(user_id) = scope.user_id() else {
        return Err(Error::Forbidden("only a signed-in user has a password".into()));
    };
    let current: String = users::table
        .filter(users::org_id.eq(scope.org_id().to_string()))
        .filter(users::id.eq(user_id.to_string()))
        .select(users::password_hash)
        .first(conn)?;
    if !verify_current(&current) {
        return Err(Error::field("current_password", "wrong", "The current password is not correct."));
    }
    transaction(conn, |c| {
        diesel::update(users::table.filter(users::id.eq(user_id.to_string())))
            .set((users::password_hash.eq(new_hash), users::updated_at.eq(now())))
            .execute(c)?;
        revoke_all_for_user(c, user_id, "password_changed")?;
        audit::record(c, scope, "user", &user_id.to_string(), AuditAction::PasswordChange, &[])
    })
}

/// Delete login attempts older than a day; they only matter inside the throttle window.
pub fn prune_login_attempts(conn: &mut DbConnection) -> Result<usize> {
    Ok(diesel::delete(login_attempts::table.filter(login_attempts::attempted_at.lt(now() - Duration::days(1))))
        .execute(conn)?)
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.maintenance("login attempts", prune_login_attempts);
    k.principal(|c, org_id, actor_id| match actor_id.parse::<UserId>() {
        Ok(user_id) => scope_of_user(c, org_id, user_id),
        Err(_) => Ok(None),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_after_the_free_failures_and_stop_at_a_minute() {
        let throttle = Throttle { window: Duration::seconds(900), max_failures: 10 };
        let secs = |f| delay_after(f, throttle).map(|d| d.num_seconds());
        assert_eq!((secs(9), secs(10), secs(11), secs(12), secs(15)), (None, Some(1), Some(2), Some(4), Some(32)));
        assert_eq!((secs(16), secs(1000)), (Some(60), Some(60)));
        let short = Throttle { window: Duration::seconds(2), max_failures: 3 };
        assert_eq!(delay_after(9, short).map(|d| d.num_seconds()), Some(2));
        let at = now();
        assert_eq!(wait_left(12, Some(at), throttle, at), Some(4));
        assert_eq!(wait_left(12, Some(at - Duration::seconds(5)), throttle, at), None);
        assert_eq!(wait_left(3, Some(at), throttle, at), None);
    }
}
