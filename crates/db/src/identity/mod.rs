//! Identity: organizations, people, teams, roles, API keys, invitations, sessions and password resets
//! (their secrets are `core::tokens`).

pub mod api_keys;
pub mod invites;
pub mod organizations;
pub mod password_resets;
pub mod roles;
pub mod sessions;
pub mod teams;
pub mod users;

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    organizations::register(k);
    users::register(k);
    teams::register(k);
    roles::register(k);
    // A recorded actor is looked up as a user first, then as an API key.
    sessions::register(k);
    api_keys::register(k);
    invites::register(k);
    password_resets::register(k);
}
