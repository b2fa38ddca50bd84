//! Identity: who works in the organization and how they sign in — users and invitations, teams,
//! roles, API keys, and the email the organization sends as.

pub mod accept_invite;
pub mod api_keys;
pub mod email;
pub mod login;
pub mod password_reset;
pub mod roles;
pub mod signup;
pub mod teams;
pub mod users;

use kith_domain::core::modules::Module;
use leptos::prelude::*;

use self::{api_keys::ApiKeysPage, email::EmailSettingsPage, roles::RolesPage, teams::TeamsPage, users::UsersPage};
use crate::registry::{RecordKind, SettingsPage};

pub const SETTINGS: &[SettingsPage] = &[
    SettingsPage {
        slug: "users",
        label: "Users",
        access: |session| session.can_read(Module::Settings),
        view: || view! { <UsersPage /> }.into_any(),
    },
    SettingsPage {
        slug: "teams",
        label: "Teams",
        access: |session| session.can_read(Module::Settings),
        view: || view! { <TeamsPage /> }.into_any(),
    },
    SettingsPage {
        slug: "roles",
        label: "Roles",
        access: |session| session.can_read(Module::Settings),
        view: || view! { <RolesPage /> }.into_any(),
    },
    SettingsPage {
        slug: "api-keys",
        label: "API keys",
        // Keys act for the organization: only those who may change settings may see them.
        access: |session| session.can_write(Module::Settings),
        view: || view! { <ApiKeysPage /> }.into_any(),
    },
    SettingsPage {
        slug: "email",
        label: "Email",
        access: |session| session.can_read(Module::Settings),
        view: || view! { <EmailSettingsPage /> }.into_any(),
    },
];

pub const KINDS: &[RecordKind] = &[
    RecordKind { entity: "team", label: "Team", href: Some(|_| "/settings/teams".to_owned()) },
    RecordKind { entity: "user", label: "User", href: Some(|_| "/settings/users".to_owned()) },
    RecordKind { entity: "role", label: "Role", href: Some(|_| "/settings/roles".to_owned()) },
    RecordKind { entity: "api_key", label: "API key", href: Some(|_| "/settings/api-keys".to_owned()) },
    RecordKind { entity: "invite", label: "Invitation", href: Some(|_| "/settings/users".to_owned()) },
    RecordKind { entity: "organization", label: "Organization", href: None },
];
