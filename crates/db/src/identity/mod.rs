//! Identity: organizations, people, teams, roles, API keys, invitations, sessions and the opaque tokens
//! they are built from.

pub mod api_keys;
pub mod invites;
pub mod organizations;
pub mod roles;
pub mod sessions;
pub mod teams;
pub mod tokens;
pub mod users;

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    organizations::register(k);
    users::register(k);
    teams::register(k);
    roles::register(k);
    api_keys::register(k);
    invites::register(k);
    sessions::register(k);
}
