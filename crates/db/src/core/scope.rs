//! The tenant scope: which organization a call acts in, who acts, and with which grants.
//!
//! A `Scope` has no public constructor and its fields are private to this module. It is made only
//! here: for a verified principal (`Scope::user`, `Scope::api_key`, from the authentication functions
//! of this crate), for background work (`Scope::system` with the task it does), for a public channel
//! (`Scope::channel`), and for the sign-up and invitation flows. Every query that takes a scope is
//! tenant-bound by construction, and each non-person scope has only the grants its work needs: a web
//! form can capture a lead and nothing else, whatever code it reaches.

use kith_domain::core::audit::ActorKind;
use kith_domain::core::modules::Module;
use kith_domain::core::permissions::{Action, Actor, Permissions, RecordOwnership};
use kith_domain::*;

use crate::{Error, Result};

#[derive(Clone, Debug)]
pub struct Scope {
    org_id: OrgId,
    actor_kind: ActorKind,
    /// The user or API key id (for the audit trail).
    actor_id: Option<String>,
    /// The user whose ownership counts for own/team checks (for an API key: its creator).
    acting_user: Option<Actor>,
    permissions: Permissions,
    request_id: Option<String>,
    /// The session behind a user's access token, so logout can end it.
    session_id: Option<SessionId>,
}

/// Work the system does in an organization, without a person behind it; each gets only its grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SystemTask {
    /// Working leads over time: sequence steps, engagement from tracked emails, decay rescoring,
    /// nurture revisits. Leads (every record), write; nothing else.
    Leads,
    /// The recycle bin's purge of what expired, whatever kind it is.
    Purge,
    /// The operator at the command line (`kith import`, the demo data): whoever runs it holds the
    /// database itself, which is the credential.
    Operator,
}

/// A public way in that acts for the organization: it may capture leads and nothing else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    WebForm(WebFormId),
    InboundEmail,
}

fn leads_only() -> Permissions {
    Permissions {
        leads: kith_domain::core::permissions::ModuleAccess::write(kith_domain::core::permissions::RecordScope::All),
        ..Permissions::uniform(kith_domain::core::permissions::ModuleAccess::NONE)
    }
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
            (kith_domain::core::permissions::RecordScope::All, _) => true,
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
        for resolve in crate::core::kernel::kernel().principals() {
            if let Some(scope) = resolve(conn, org_id, actor_id)? {
                return Ok(Some(scope));
            }
        }
        Ok(None)
    }

    /// A signed-in user with their role's grants (from authentication only).
    pub(crate) fn user(
        org_id: OrgId,
        actor: Actor,
        permissions: Permissions,
        session_id: Option<SessionId>,
        request_id: Option<String>,
    ) -> Scope {
        Scope {
            org_id,
            actor_kind: ActorKind::User,
            actor_id: Some(actor.user_id.to_string()),
            acting_user: Some(actor),
            permissions,
            request_id,
            session_id,
        }
    }

    /// An API key: its role's grants; its creator's ownership counts for own/team records.
    pub(crate) fn api_key(org_id: OrgId, key_id: &str, creator: Option<Actor>, permissions: Permissions) -> Scope {
        Scope {
            org_id,
            actor_kind: ActorKind::ApiKey,
            actor_id: Some(key_id.to_owned()),
            acting_user: creator,
            permissions,
            request_id: None,
            session_id: None,
        }
    }

    /// A user named in the audit trail of something they do before they hold any grant (signing in,
    /// joining by invitation): no grants.
    pub(crate) fn without_grants(
        org_id: OrgId,
        user_id: UserId,
        team_id: Option<TeamId>,
        request_id: Option<String>,
    ) -> Scope {
        Scope::user(
            org_id,
            Actor { user_id, team_id },
            Permissions::uniform(kith_domain::core::permissions::ModuleAccess::NONE),
            None,
            request_id,
        )
    }

    /// The founder of a new organization, during sign-up: its first administrator.
    pub(crate) fn founder(org_id: OrgId, user_id: UserId, request_id: Option<String>) -> Scope {
        Scope::user(
            org_id,
            Actor { user_id, team_id: None },
            kith_domain::core::permissions::BuiltinRole::Admin.permissions(),
            None,
            request_id,
        )
    }

    /// Background work for the system in one organization, with the grants of its task only.
    pub(crate) fn system(org_id: OrgId, task: SystemTask) -> Scope {
        let permissions = match task {
            SystemTask::Leads => leads_only(),
            SystemTask::Purge | SystemTask::Operator => {
                kith_domain::core::permissions::BuiltinRole::Admin.permissions()
            }
        };
        Scope {
            org_id,
            actor_kind: ActorKind::System,
            actor_id: None,
            acting_user: None,
            permissions,
            request_id: None,
            session_id: None,
        }
    }

    /// A public channel acting for the organization: it captures leads (any record, for duplicate
    /// matching) and may do nothing else.
    pub(crate) fn channel(org_id: OrgId, channel: Channel, request_id: Option<String>) -> Scope {
        let (actor_kind, actor_id) = match channel {
            Channel::WebForm(form) => (ActorKind::Anonymous, Some(format!("web_form:{form}"))),
            Channel::InboundEmail => (ActorKind::System, None),
        };
        Scope {
            org_id,
            actor_kind,
            actor_id,
            acting_user: None,
            permissions: leads_only(),
            request_id,
            session_id: None,
        }
    }
}

/// Narrows a boxed query of a table with `owner_id` and `team_id` columns to the records the
/// caller's record scope for `module` shows: all, their team's and their own, or their own.
#[macro_export]
macro_rules! within_record_scope {
    ($query:expr, $table:ident, $scope:expr, $module:expr) => {{
        let scope: &$crate::Scope = $scope;
        let actor = scope.acting_user();
        let me = actor.map(|a| a.user_id.to_string()).unwrap_or_default();
        match scope.permissions().get($module).scope {
            kith_domain::core::permissions::RecordScope::All => $query,
            kith_domain::core::permissions::RecordScope::Team => match actor.and_then(|a| a.team_id) {
                Some(team) => $query.filter(
                    $crate::schema::$table::owner_id.eq(me).or($crate::schema::$table::team_id.eq(team.to_string())),
                ),
                None => $query.filter($crate::schema::$table::owner_id.eq(me)),
            },
            kith_domain::core::permissions::RecordScope::Own => $query.filter($crate::schema::$table::owner_id.eq(me)),
        }
    }};
}
