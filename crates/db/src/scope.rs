//! The tenant scope: which organization a call acts in, who acts, and with which grants.
//!
//! A `Scope` has no public constructor. Only the authentication functions of this crate (a verified
//! session, an API key) and the sign-up/invite flows make one, so every query that takes a scope is
//! tenant-bound by construction: no code path can act in an organization it did not authenticate to.

use kith_domain::audit::ActorKind;
use kith_domain::modules::Module;
use kith_domain::permissions::{Action, Actor, Permissions, RecordOwnership};
use kith_domain::*;

use crate::{Error, Result};

#[derive(Clone, Debug)]
pub struct Scope {
    pub(crate) org_id: OrgId,
    pub(crate) actor_kind: ActorKind,
    /// The user or API key id (for the audit trail).
    pub(crate) actor_id: Option<String>,
    /// The user whose ownership counts for own/team checks (for an API key: its creator).
    pub(crate) acting_user: Option<Actor>,
    pub(crate) permissions: Permissions,
    pub(crate) request_id: Option<String>,
    /// The session behind a user's access token, so logout can end it.
    pub(crate) session_id: Option<SessionId>,
}

impl Scope {
    pub fn org_id(&self) -> OrgId {
        self.org_id
    }
    pub fn actor_kind(&self) -> ActorKind {
        self.actor_kind
    }
    pub fn actor_id(&self) -> Option<&str> {
        self.actor_id.as_deref()
    }
    /// The signed-in user, when the principal is a user (not an API key).
    pub fn user_id(&self) -> Option<UserId> {
        match self.actor_kind {
            ActorKind::User => self.acting_user.map(|a| a.user_id),
            _ => None,
        }
    }
    pub fn acting_user(&self) -> Option<Actor> {
        self.acting_user
    }
    pub fn permissions(&self) -> &Permissions {
        &self.permissions
    }
    pub fn session_id(&self) -> Option<SessionId> {
        self.session_id
    }
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Attach the request id (for the audit trail) after authentication.
    pub fn with_request_id(mut self, request_id: Option<String>) -> Scope {
        self.request_id = request_id;
        self
    }

    /// A stable id of the principal, for per-principal state such as idempotency keys.
    pub fn principal_key(&self) -> String {
        format!("{}:{}", self.actor_kind.as_str(), self.actor_id.as_deref().unwrap_or("-"))
    }

    /// Refuse unless the role allows `action` somewhere in `module`.
    pub fn require(&self, module: Module, action: Action) -> Result<()> {
        if self.permissions.allows(module, action) {
            Ok(())
        } else {
            Err(Error::Forbidden(format!(
                "your role does not allow {} access to {}",
                match action {
                    Action::Read => "read",
                    Action::Write => "write",
                },
                module.label()
            )))
        }
    }

    /// Refuse unless the role allows `action` on this record (own/team/all scope).
    pub fn require_record(&self, module: Module, action: Action, record: RecordOwnership) -> Result<()> {
        self.require(module, action)?;
        let allowed = match (self.permissions.get(module).scope, self.acting_user) {
            // Access to all records needs no acting user (system jobs, web forms).
            (kith_domain::permissions::RecordScope::All, _) => true,
            (_, Some(actor)) => self.permissions.allows_record(module, action, actor, record),
            (_, None) => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(Error::Forbidden("this record belongs to someone else".into()))
        }
    }

    /// The scope of a principal recorded earlier (a user id or an API key id) as it stands now:
    /// background work a principal started acts with that principal's current rights, never more.
    /// `None` when the principal no longer may act (disabled, revoked, expired, deleted).
    pub(crate) fn of_recorded_actor(
        conn: &mut crate::DbConnection,
        org_id: OrgId,
        actor_id: &str,
    ) -> Result<Option<Scope>> {
        if let Ok(user_id) = actor_id.parse::<UserId>() {
            if let Some(scope) = crate::sessions::scope_of_user(conn, org_id, user_id)? {
                return Ok(Some(scope));
            }
        }
        crate::api_keys::scope_of(conn, org_id, actor_id)
    }

    /// The scope of a background job acting for the system in one organization.
    pub(crate) fn system(org_id: OrgId) -> Scope {
        Scope {
            org_id,
            actor_kind: ActorKind::System,
            actor_id: None,
            acting_user: None,
            permissions: kith_domain::permissions::BuiltinRole::Admin.permissions(),
            request_id: None,
            session_id: None,
        }
    }
}
