//! Who is signed in. The access token lives inside the client; the refresh token only in an
//! http-only cookie, so after a page load the session is restored by a silent refresh — when the
//! server's `kith_signed_in` hint cookie says there may be one.

use kith_client::{Client, ClientError};
use kith_domain::core::modules::Module;
use kith_domain::core::permissions::{Action, Actor, RecordOwnership, RecordScope};
use kith_domain::identity::auth::Me;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// The server's hint that this browser may hold a session (see `routes::identity::auth`).
const SIGNED_IN_COOKIE: &str = "kith_signed_in";

#[derive(Clone, Copy)]
pub struct Session {
    /// The signed-in user, organization and role; `None` when signed out.
    pub me: RwSignal<Option<Me>>,
    /// False until the silent refresh at start-up has finished, so pages do not redirect too early.
    pub ready: RwSignal<bool>,
}

impl Session {
    pub fn provide() -> Session {
        let session = Session { me: RwSignal::new(None), ready: RwSignal::new(false) };
        provide_context(session);
        session
    }

    /// Restore the session from the refresh cookie, if there is one. The refresh cookie is http-only;
    /// the server sets a readable hint cookie beside it (and removes both when the session ends), so
    /// a signed-out visitor's page load asks the server nothing.
    pub fn restore(self, client: Client) {
        if !crate::browser::has_cookie(SIGNED_IN_COOKIE) {
            self.ready.set(true);
            return;
        }
        spawn_local(async move {
            if client.refresh().await.is_ok() {
                if let Ok(me) = client.me().await {
                    // A sign-in that finished meanwhile wins over the restored session.
                    if self.me.get_untracked().is_none() {
                        self.me.set(Some(me));
                    }
                }
            }
            self.ready.set(true);
        });
    }

    /// Load who just signed in (after sign-up, login or accepting an invitation).
    pub async fn load(self, client: &Client) -> Result<(), ClientError> {
        let me = client.me().await?;
        self.me.set(Some(me));
        self.ready.set(true);
        Ok(())
    }

    pub fn end(self) {
        self.me.set(None);
    }

    /// May the signed-in user read `module`? Tracks the session.
    pub fn can_read(self, module: Module) -> bool {
        self.me.with(|me| me.as_ref().is_some_and(|me| me.role.permissions.allows(module, Action::Read)))
    }

    /// May the signed-in user change records of `module` (some of them, depending on the scope)? Tracks the session.
    pub fn can_write(self, module: Module) -> bool {
        self.me.with(|me| me.as_ref().is_some_and(|me| me.role.permissions.allows(module, Action::Write)))
    }

    /// May the signed-in user give any lead an owner (change every lead: the lead managers)? They
    /// work the Unassigned queue. Tracks the session.
    pub fn may_assign(self) -> bool {
        self.me.with(|me| {
            me.as_ref().is_some_and(|me| {
                me.role.permissions.allows(Module::Leads, Action::Write)
                    && me.role.permissions.get(Module::Leads).scope == RecordScope::All
            })
        })
    }

    /// May the signed-in user do `action` on this record of `module`: the role's level and its
    /// own/team/all limit, by the domain's rule the server applies. Tracks the session.
    pub fn allows_record(self, module: Module, action: Action, record: RecordOwnership) -> bool {
        self.me.with(|me| me.as_ref().is_some_and(|me| allows_record(me, module, action, record)))
    }

    /// [`Session::allows_record`] for event handlers, which must not track.
    pub fn allows_record_untracked(self, module: Module, action: Action, record: RecordOwnership) -> bool {
        self.me.with_untracked(|me| me.as_ref().is_some_and(|me| allows_record(me, module, action, record)))
    }

    /// Which records of `module` the role covers (own, team or all); untracked, for messages.
    pub fn record_scope_untracked(self, module: Module) -> Option<RecordScope> {
        self.me.with_untracked(|me| me.as_ref().map(|me| me.role.permissions.get(module).scope))
    }

    /// Settings writers administer the organization: users, teams, roles and API keys.
    pub fn is_admin(self) -> bool {
        self.me.with(|me| me.as_ref().is_some_and(|me| me.role.permissions.allows(Module::Settings, Action::Write)))
    }
}

fn allows_record(me: &Me, module: Module, action: Action, record: RecordOwnership) -> bool {
    let actor = Actor { user_id: me.user.id, team_id: me.user.team_id };
    me.role.permissions.allows_record(module, action, actor, record)
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
