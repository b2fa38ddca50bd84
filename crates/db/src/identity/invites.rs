//! Invitations: an admin invites an email address with a role (and team); the invitee accepts with
//! the one-time token, chooses a name and password, and is signed in.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use kith_domain::core::audit::AuditAction;
use kith_domain::core::modules::Module;
use kith_domain::core::page::{clamp_limit, page_from_rows, Cursor, Page, PageQuery};
use kith_domain::core::permissions::Action;
use kith_domain::core::validation::normalize_email;
use kith_domain::identity::auth::{AcceptInviteRequest, InvitePreview};
use kith_domain::identity::{CreatedInvite, InviteView, NewInvite};
use kith_domain::*;

use crate::core::outbox::{self, NewEmail};
use crate::core::tokens::{generate_secret, hash_secret};
use crate::core::util::{new_id, now, parse_id, to_utc, transaction};
use crate::identity::sessions::{create_session, IssuedSession};
use crate::schema::{invites, organizations, users};
use crate::{core::audit, DbConnection, Error, Result, Scope};

pub const INVITE_DAYS: i64 = 7;

#[derive(Queryable, Selectable)]
#[diesel(table_name = invites)]
struct InviteRow {
    id: String,
    org_id: String,
    email: String,
    role_id: String,
    team_id: Option<String>,
    invited_by: String,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    accepted_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

impl InviteRow {
    fn into_view(self) -> Result<InviteView> {
        Ok(InviteView {
            id: parse_id(&self.id)?,
            email: self.email,
            role_id: parse_id(&self.role_id)?,
            team_id: self.team_id.as_deref().map(parse_id).transpose()?,
            invited_by: parse_id(&self.invited_by)?,
            created_at: to_utc(self.created_at),
            expires_at: to_utc(self.expires_at),
            accepted_at: self.accepted_at.map(to_utc),
            revoked_at: self.revoked_at.map(to_utc),
        })
    }
}

fn find(conn: &mut DbConnection, scope: &Scope, id: InviteId) -> Result<InviteView> {
    invites::table
        .filter(invites::org_id.eq(scope.org_id().to_string()))
        .filter(invites::id.eq(id.to_string()))
        .select(InviteRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?
        .into_view()
}

/// Invite someone: the invitation and its email (with the full address of the accept page, built from
/// `public_url`, the server's public base URL), in one transaction.
pub fn create(
    conn: &mut DbConnection,
    scope: &Scope,
    new: &NewInvite,
    org_name: &str,
    public_url: &str,
) -> Result<CreatedInvite> {
    scope.require(Module::Settings, Action::Write)?;
    let Some(inviter) = scope.user_id() else {
        return Err(Error::Forbidden("invitations are sent by signed-in administrators".into()));
    };
    let email = normalize_email(&new.email);
    transaction(conn, |c| {
        let mut errors = Vec::new();
        if let Err(Error::Validation(mut e)) =
            crate::identity::roles::ensure_exists(c, scope.org_id(), new.role_id, "role_id")
        {
            errors.append(&mut e);
        }
        if let Some(team) = new.team_id {
            if let Err(Error::Validation(mut e)) =
                crate::identity::teams::ensure_exists(c, scope.org_id(), team, "team_id")
            {
                errors.append(&mut e);
            }
        }
        let taken: i64 = users::table.filter(users::email.eq(&email)).count().get_result(c)?;
        if taken > 0 {
            errors.push(FieldError::new("email", "taken", "An account with this email exists already."));
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let id = InviteId(new_id());
        let token = generate_secret();
        let at = now();
        diesel::insert_into(invites::table)
            .values((
                invites::id.eq(id.to_string()),
                invites::org_id.eq(scope.org_id().to_string()),
                invites::email.eq(&email),
                invites::role_id.eq(new.role_id.to_string()),
                invites::team_id.eq(new.team_id.map(|t| t.to_string())),
                invites::token_hash.eq(hash_secret(&token)),
                invites::invited_by.eq(inviter.to_string()),
                invites::created_at.eq(at),
                invites::expires_at.eq(at + Duration::days(INVITE_DAYS)),
            ))
            .execute(c)?;
        let view = find(c, scope, id)?;
        audit::record_created(c, scope, "invite", &id.to_string(), &view)?;
        let accept_path = format!("/accept-invite?token={token}");
        let accept_url = format!("{}{accept_path}", public_url.trim_end_matches('/'));
        let subject = format!("You are invited to {} on Kith", org_name.replace(['\r', '\n'], " "));
        let body = format!(
            "You have been invited to join {org_name} on Kith.\n\nAccept the invitation within {INVITE_DAYS} days:\n{accept_url}\n"
        );
        outbox::enqueue(c, scope, &NewEmail::plain(&email, &subject, &body, Some(("invite", id.to_string()))))?;
        Ok(CreatedInvite { invite: view, token: token.clone(), accept_path, accept_url })
    })
}

pub fn list(conn: &mut DbConnection, scope: &Scope, q: &PageQuery) -> Result<Page<InviteView>> {
    scope.require(Module::Settings, Action::Write)?;
    let limit = clamp_limit(q.limit);
    let mut query = invites::table
        .filter(invites::org_id.eq(scope.org_id().to_string()))
        .select(InviteRow::as_select())
        .order(invites::id.desc())
        .limit(i64::from(limit) + 1)
        .into_boxed();
    if let Some(cursor) = &q.cursor {
        let c = Cursor::decode(cursor).map_err(|_| crate::core::util::bad_cursor())?;
        query = query.filter(invites::id.lt(c.id));
    }
    let views = query.load(conn)?.into_iter().map(InviteRow::into_view).collect::<Result<Vec<_>>>()?;
    Ok(page_from_rows(views, limit, |i| Cursor { key: None, id: i.id.to_string() }))
}

pub fn revoke(conn: &mut DbConnection, scope: &Scope, id: InviteId) -> Result<()> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        let invite = find(c, scope, id)?;
        if invite.revoked_at.is_some() || invite.accepted_at.is_some() {
            return Ok(());
        }
        diesel::update(
            invites::table
                .filter(invites::org_id.eq(scope.org_id().to_string()))
                .filter(invites::id.eq(id.to_string())),
        )
        .set(invites::revoked_at.eq(Some(now())))
        .execute(c)?;
        audit::record(c, scope, "invite", &id.to_string(), AuditAction::Revoke, &[])
    })
}

/// What a valid invitation (not accepted, revoked or expired) is for: the organization and the address
/// invited, for the page its link opens. Anything else is `NotFound`, whatever the reason, so the
/// token's holder learns nothing more than the invitation told them.
pub fn preview(conn: &mut DbConnection, token: &str) -> Result<InvitePreview> {
    let invite = invites::table
        .filter(invites::token_hash.eq(hash_secret(token)))
        .filter(invites::accepted_at.is_null())
        .filter(invites::revoked_at.is_null())
        .filter(invites::expires_at.gt(now()))
        .select(InviteRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?;
    let organization_name: String =
        organizations::table.find(invite.org_id.clone()).select(organizations::name).first(conn)?;
    Ok(InvitePreview { organization_name, email: invite.email, expires_at: to_utc(invite.expires_at) })
}

/// Accept an invitation: create the user in the inviting organization and sign them in.
pub fn accept(
    conn: &mut DbConnection,
    req: &AcceptInviteRequest,
    password_hash: &str,
    request_id: Option<String>,
) -> Result<IssuedSession> {
    let hash = hash_secret(&req.token);
    transaction(conn, |c| {
        let invite = invites::table
            .filter(invites::token_hash.eq(&hash))
            .filter(invites::accepted_at.is_null())
            .filter(invites::revoked_at.is_null())
            .filter(invites::expires_at.gt(now()))
            .select(InviteRow::as_select())
            .first(c)
            .optional()?
            .ok_or_else(|| Error::field("token", "invalid", "This invitation is not valid any more."))?;
        let org_id: OrgId = parse_id(&invite.org_id)?;
        let user_id = UserId(new_id());
        let at = now();
        let role_id: RoleId = parse_id(&invite.role_id)?;
        let team_id: Option<TeamId> = invite.team_id.as_deref().map(parse_id).transpose()?;
        crate::identity::organizations::insert_user(
            c,
            org_id,
            user_id,
            &invite.email,
            &req.name,
            password_hash,
            role_id,
            team_id,
            at,
        )?;
        diesel::update(invites::table.filter(invites::id.eq(&invite.id)))
            .set(invites::accepted_at.eq(Some(at)))
            .execute(c)?;
        let scope = Scope::without_grants(org_id, user_id, team_id, request_id.clone());
        let user = crate::identity::users::find_row(c, org_id, user_id)?.into_view()?;
        audit::record_created(c, &scope, "user", &user_id.to_string(), &user)?;
        create_session(c, org_id, user_id)
    })
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new("invite", kith_domain::core::modules::Module::Settings)
            .display(crate::display_by!("invite", invites, email)),
    );
}
