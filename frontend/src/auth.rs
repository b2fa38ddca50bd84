//! Who is signed in. The access token lives inside the client; the refresh token only in an
//! http-only cookie, so after a page load the session is restored by a silent refresh — when the
//! server's `kith_signed_in` hint cookie says there may be one.

use kith_client::{Client, ClientError};
use kith_domain::core::modules::Module;
use kith_domain::core::permissions::Action;
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
                    && me.role.permissions.get(Module::Leads).scope == kith_domain::core::permissions::RecordScope::All
            })
        })
    }

    /// Settings writers administer the organization: users, teams, roles and API keys.
    pub fn is_admin(self) -> bool {
        self.me.with(|me| me.as_ref().is_some_and(|me| me.role.permissions.allows(Module::Settings, Action::Write)))
    }
}

pub fn use_session() -> Session {
    expect_context::<Session>()
}
