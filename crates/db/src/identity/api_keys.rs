//! API keys for integrators: made by admins, shown once, stored hashed, scoped to a role (and never
//! more than their creator may do), revocable with effect on the very next request.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use kith_domain::core::audit::AuditAction;
use kith_domain::core::modules::Module;
use kith_domain::core::page::{clamp_limit, page_from_rows, Cursor, Page, PageQuery};
use kith_domain::core::permissions::{Action, Actor, Permissions};
use kith_domain::identity::{ApiKeyView, CreatedApiKey, NewApiKey, UserStatus};
use kith_domain::{ApiKeyId, OrgId};

use crate::core::tokens::{generate_secret, hash_secret};
use crate::core::util::{from_utc, new_id, now, parse_id, to_utc, transaction};
use crate::schema::{api_keys, roles, users};
use crate::{core::audit, DbConnection, Error, Result, Scope};

/// Every key starts with this, so secret scanners and our auth can tell it from a JWT.
pub const KEY_PREFIX: &str = "kith_";
const VISIBLE_CHARS: usize = 12;

#[derive(Queryable, Selectable)]
#[diesel(table_name = api_keys)]
struct ApiKeyRow {
    id: String,
    name: String,
    prefix: String,
    role_id: String,
    created_by: String,
    created_at: NaiveDateTime,
    expires_at: Option<NaiveDateTime>,
    last_used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

impl ApiKeyRow {
    fn into_view(self) -> Result<ApiKeyView> {
        Ok(ApiKeyView {
            id: parse_id(&self.id)?,
            name: self.name,
            prefix: self.prefix,
            role_id: parse_id(&self.role_id)?,
            created_by: parse_id(&self.created_by)?,
            created_at: to_utc(self.created_at),
            expires_at: self.expires_at.map(to_utc),
            last_used_at: self.last_used_at.map(to_utc),
            revoked_at: self.revoked_at.map(to_utc),
        })
    }
}

fn find(conn: &mut DbConnection, scope: &Scope, id: ApiKeyId) -> Result<ApiKeyView> {
    api_keys::table
        .filter(api_keys::org_id.eq(scope.org_id().to_string()))
        .filter(api_keys::id.eq(id.to_string()))
        .select(ApiKeyRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?
        .into_view()
}

pub fn create(conn: &mut DbConnection, scope: &Scope, new: &NewApiKey) -> Result<CreatedApiKey> {
    scope.require(Module::Settings, Action::Write)?;
    let Some(creator) = scope.user_id() else {
        return Err(Error::Forbidden("API keys are created by signed-in administrators".into()));
    };
    if let Some(expires) = new.expires_at {
        if from_utc(expires) <= now() {
            return Err(Error::field("expires_at", "past", "Choose a time in the future."));
        }
    }
    transaction(conn, |c| {
        crate::identity::roles::ensure_exists(c, scope.org_id(), new.role_id, "role_id")?;
        let id = ApiKeyId(new_id());
        let secret = format!("{KEY_PREFIX}{}", generate_secret());
        let prefix: String = secret.chars().take(VISIBLE_CHARS).collect();
        diesel::insert_into(api_keys::table)
            .values((
                api_keys::id.eq(id.to_string()),
                api_keys::org_id.eq(scope.org_id().to_string()),
                api_keys::name.eq(new.name.trim()),
                api_keys::prefix.eq(&prefix),
                api_keys::key_hash.eq(hash_secret(&secret)),
                api_keys::role_id.eq(new.role_id.to_string()),
                api_keys::created_by.eq(creator.to_string()),
                api_keys::created_at.eq(now()),
                api_keys::expires_at.eq(new.expires_at.map(from_utc)),
            ))
            .execute(c)?;
        let view = find(c, scope, id)?;
        audit::record_created(c, scope, "api_key", &id.to_string(), &view)?;
        Ok(CreatedApiKey { api_key: view, secret })
    })
}

pub fn list(conn: &mut DbConnection, scope: &Scope, q: &PageQuery) -> Result<Page<ApiKeyView>> {
    scope.require(Module::Settings, Action::Write)?;
    let limit = clamp_limit(q.limit);
    let mut query = api_keys::table
        .filter(api_keys::org_id.eq(scope.org_id().to_string()))
        .select(ApiKeyRow::as_select())
        .order(api_keys::id.desc())
        .limit(i64::from(limit) + 1)
        .into_boxed();
    if let Some(cursor) = &q.cursor {
        let c = Cursor::decode(cursor).map_err(|_| crate::core::util::bad_cursor())?;
        query = query.filter(api_keys::id.lt(c.id));
    }
    let views = query.load(conn)?.into_iter().map(ApiKeyRow::into_view).collect::<Result<Vec<_>>>()?;
    Ok(page_from_rows(views, limit, |k| Cursor { key: None, id: k.id.to_string() }))
}

pub fn revoke(conn: &mut DbConnection, scope: &Scope, id: ApiKeyId) -> Result<()> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        let key = find(c, scope, id)?;
        if key.revoked_at.is_some() {
            return Ok(());
        }
        diesel::update(
            api_keys::table
                .filter(api_keys::org_id.eq(scope.org_id().to_string()))
                .filter(api_keys::id.eq(id.to_string())),
        )
        .set(api_keys::revoked_at.eq(Some(now())))
        .execute(c)?;
        audit::record(c, scope, "api_key", &id.to_string(), AuditAction::Revoke, &[])
    })
}

#[derive(Queryable)]
struct KeyAuthRow {
    id: String,
    org_id: String,
    created_by: String,
    expires_at: Option<NaiveDateTime>,
    last_used_at: Option<NaiveDateTime>,
    key_perms: String,
    creator_perms: String,
    team_id: Option<String>,
}

/// Authenticate a request made with an API key. The key acts with its role's grants, narrowed to
/// its creator's current role; a revoked or expired key, or one whose creator is disabled, fails.
pub fn authenticate(conn: &mut DbConnection, secret: &str) -> Result<Scope> {
    if !secret.starts_with(KEY_PREFIX) {
        return Err(Error::Unauthorized);
    }
    let at = now();
    let Some(found) = live_key(conn, KeyBy::Hash(&hash_secret(secret)))? else {
        return Err(Error::Unauthorized);
    };
    // Record use at most once a minute: a write per request would serialize busy integrations.
    if found.last_used_at.is_none_or(|t| at - t > Duration::minutes(1)) {
        diesel::update(api_keys::table.filter(api_keys::id.eq(&found.id)))
            .set(api_keys::last_used_at.eq(Some(at)))
            .execute(conn)?;
    }
    key_scope(found)
}

/// The scope of a live key of the organization, as it would authenticate now: for work a key started
/// that runs later (an import), so the work never has more rights than the key has at that moment.
pub(crate) fn scope_of(conn: &mut DbConnection, org_id: OrgId, key_id: &str) -> Result<Option<Scope>> {
    match live_key(conn, KeyBy::Id(key_id))? {
        Some(found) if found.org_id == org_id.to_string() => key_scope(found).map(Some),
        _ => Ok(None),
    }
}

enum KeyBy<'a> {
    Hash(&'a str),
    Id(&'a str),
}

/// A key that is not revoked, not expired and whose creator is active, with both roles' grants.
fn live_key(conn: &mut DbConnection, by: KeyBy<'_>) -> Result<Option<KeyAuthRow>> {
    let (creator_roles, key_roles) = diesel::alias!(roles as creator_roles, roles as key_roles);
    let mut q = api_keys::table
        .inner_join(key_roles.on(key_roles.field(roles::id).eq(api_keys::role_id)))
        .inner_join(users::table.on(users::id.eq(api_keys::created_by)))
        .inner_join(creator_roles.on(creator_roles.field(roles::id).eq(users::role_id)))
        .filter(api_keys::revoked_at.is_null())
        .filter(users::status.eq(UserStatus::Active.as_str()))
        .select((
            api_keys::id,
            api_keys::org_id,
            api_keys::created_by,
            api_keys::expires_at,
            api_keys::last_used_at,
            key_roles.field(roles::permissions),
            creator_roles.field(roles::permissions),
            users::team_id,
        ))
        .into_boxed();
    q = match by {
        KeyBy::Hash(hash) => q.filter(api_keys::key_hash.eq(hash.to_owned())),
        KeyBy::Id(id) => q.filter(api_keys::id.eq(id.to_owned())),
    };
    let found: Option<KeyAuthRow> = q.first(conn).optional()?;
    Ok(found.filter(|k| k.expires_at.is_none_or(|e| e > now())))
}

fn key_scope(found: KeyAuthRow) -> Result<Scope> {
    let KeyAuthRow { id, org_id, created_by, key_perms, creator_perms, team_id, .. } = found;
    let parse = |s: &str| -> Result<Permissions> {
        serde_json::from_str(s).map_err(|e| Error::Internal(format!("bad permissions: {e}")))
    };
    let permissions = parse(&key_perms)?.intersect(&parse(&creator_perms)?);
    let creator = Actor { user_id: parse_id(&created_by)?, team_id: team_id.as_deref().map(parse_id).transpose()? };
    Ok(Scope::api_key(parse_id(&org_id)?, &id, Some(creator), permissions))
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new("api_key", kith_domain::core::modules::Module::Settings)
            .display(crate::display_by!("api_key", api_keys, name)),
    );
    k.principal(scope_of);
}
