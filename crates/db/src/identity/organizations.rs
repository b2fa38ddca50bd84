//! Organizations (tenants): sign-up creates one with its built-in roles and first administrator.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kith_domain::core::validation::normalize_email;
use kith_domain::identity::auth::{Me, SignupRequest};
use kith_domain::identity::{OrganizationView, UserStatus};
use kith_domain::*;

use crate::core::util::{new_id, now, parse_id, to_utc, transaction};
use crate::identity::sessions::{create_session, IssuedSession};
use crate::schema::{organizations, users};
use crate::{core::audit, identity::roles, DbConnection, Error, Result, Scope};

/// Create an organization, its roles and its first administrator, and sign that user in.
pub fn signup(
    conn: &mut DbConnection,
    req: &SignupRequest,
    password_hash: &str,
    request_id: Option<String>,
) -> Result<IssuedSession> {
    transaction(conn, |c| {
        let org_id = OrgId(new_id());
        let user_id = UserId(new_id());
        let at = now();
        diesel::insert_into(organizations::table)
            .values((
                organizations::id.eq(org_id.to_string()),
                organizations::name.eq(req.organization_name.trim()),
                organizations::created_at.eq(at),
                organizations::updated_at.eq(at),
                organizations::version.eq(1i64),
            ))
            .execute(c)?;
        let role_ids = roles::create_builtins(c, org_id)?;
        let admin_role = role_ids.first().copied().ok_or_else(|| Error::Internal("no admin role".into()))?;
        insert_user(c, org_id, user_id, &req.email, &req.name, password_hash, admin_role, None, at)?;
        for (_, setup) in crate::core::kernel::kernel().organization_setups() {
            setup(c, org_id)?;
        }
        let scope = Scope::founder(org_id, user_id, request_id.clone());
        let org = get_view(c, org_id)?;
        audit::record_created(c, &scope, "organization", &org_id.to_string(), &org)?;
        let user = crate::identity::users::find_row(c, org_id, user_id)?.into_view()?;
        audit::record_created(c, &scope, "user", &user_id.to_string(), &user)?;
        create_session(c, org_id, user_id)
    })
}

/// Insert a user; a taken email is a field error on `email`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn insert_user(
    conn: &mut DbConnection,
    org_id: OrgId,
    user_id: UserId,
    email: &str,
    name: &str,
    password_hash: &str,
    role_id: RoleId,
    team_id: Option<TeamId>,
    at: NaiveDateTime,
) -> Result<()> {
    diesel::insert_into(users::table)
        .values((
            users::id.eq(user_id.to_string()),
            users::org_id.eq(org_id.to_string()),
            users::email.eq(normalize_email(email)),
            users::name.eq(name.trim()),
            users::password_hash.eq(password_hash),
            users::role_id.eq(role_id.to_string()),
            users::team_id.eq(team_id.map(|t| t.to_string())),
            users::status.eq(UserStatus::Active.as_str()),
            users::created_at.eq(at),
            users::updated_at.eq(at),
            users::version.eq(1i64),
        ))
        .execute(conn)
        .map_err(|e| match Error::from(e) {
            Error::Conflict(_) => Error::field("email", "taken", "An account with this email exists already."),
            other => other,
        })?;
    Ok(())
}

fn get_view(conn: &mut DbConnection, org_id: OrgId) -> Result<OrganizationView> {
    let (id, name, created_at): (String, String, NaiveDateTime) = organizations::table
        .find(org_id.to_string())
        .select((organizations::id, organizations::name, organizations::created_at))
        .first(conn)?;
    Ok(OrganizationView { id: parse_id(&id)?, name, created_at: to_utc(created_at) })
}

/// The signed-in user, their organization and role.
pub fn me(conn: &mut DbConnection, scope: &Scope) -> Result<Me> {
    let Some(user_id) = scope.user_id() else {
        return Err(Error::Forbidden("An API key has no user profile: this is for signed-in people.".into()));
    };
    let user = crate::identity::users::find_row(conn, scope.org_id(), user_id)?.into_view()?;
    let role = roles::find_row(conn, scope.org_id(), user.role_id)?.into_view()?;
    let organization = get_view(conn, scope.org_id())?;
    Ok(Me { user, organization, role })
}

/// The scope of the server's operator acting on one organization from the `kith` command line (for
/// example `kith import`). Whoever runs it holds the database itself, which is the credential.
pub fn operator_scope(conn: &mut DbConnection, org_id: OrgId) -> Result<Scope> {
    let exists: i64 = organizations::table.filter(organizations::id.eq(org_id.to_string())).count().get_result(conn)?;
    if exists == 0 {
        return Err(Error::NotFound);
    }
    Ok(Scope::system(org_id, crate::core::scope::SystemTask::Operator))
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new("organization", kith_domain::core::modules::Module::Settings)
            .display(crate::core::kernel::display_organization),
    );
}
