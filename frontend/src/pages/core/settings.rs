//! Settings: the shell around every context's settings pages (the navigation, the access guard and
//! the routes all come from [`crate::registry`]), and the roles and teams those pages name.

use kith_client::Client;
use kith_domain::core::custom_fields::CustomFieldView;
use kith_domain::core::modules::Module;
use kith_domain::core::page::{PageQuery, MAX_LIMIT};
use kith_domain::core::permissions::Action;
use kith_domain::identity::{RoleView, TeamListQuery, TeamView};
use kith_domain::{RoleId, TeamId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Outlet, Redirect};
use leptos_router::hooks::use_params_map;

use super::not_found::NotFound;
use crate::api::use_client;
use crate::auth::{use_session, Session};
use crate::components::nav::NavLink;
use crate::components::table::EmptyState;
use crate::components::toast::{use_toaster, Toaster};
use crate::registry;

/// Roles and teams, for names in tables and options in selects; shared by the settings pages.
#[derive(Clone, Copy)]
pub struct Directory {
    pub roles: RwSignal<Vec<RoleView>>,
    pub teams: RwSignal<Vec<TeamView>>,
    /// The organization's custom lead fields, for rule conditions (`custom.<key>`).
    pub custom_fields: RwSignal<Vec<CustomFieldView>>,
    client: StoredValue<Client>,
    toaster: Toaster,
}

impl Directory {
    fn provide(client: Client, toaster: Toaster) -> Directory {
        let directory = Directory {
            roles: RwSignal::new(Vec::new()),
            teams: RwSignal::new(Vec::new()),
            custom_fields: RwSignal::new(Vec::new()),
            client: StoredValue::new(client),
            toaster,
        };
        provide_context(directory);
        directory
    }

    pub fn reload_roles(self) {
        let client = self.client.get_value();
        spawn_local(async move {
            let mut roles = Vec::new();
            let mut cursor = None;
            loop {
                let query = PageQuery { limit: Some(MAX_LIMIT), cursor };
                match client.list_roles(&query).await {
                    Ok(page) => {
                        roles.extend(page.items);
                        cursor = page.next_cursor;
                    }
                    Err(error) => {
                        self.toaster.error(&error);
                        return;
                    }
                }
                if cursor.is_none() {
                    break;
                }
            }
            self.roles.try_set(roles);
        });
    }

    pub fn reload_teams(self) {
        let client = self.client.get_value();
        spawn_local(async move {
            let mut teams = Vec::new();
            let mut cursor = None;
            loop {
                let query = TeamListQuery { limit: Some(MAX_LIMIT), cursor, ..Default::default() };
                match client.list_teams(&query).await {
                    Ok(page) => {
                        teams.extend(page.items);
                        cursor = page.next_cursor;
                    }
                    Err(error) => {
                        self.toaster.error(&error);
                        return;
                    }
                }
                if cursor.is_none() {
                    break;
                }
            }
            self.teams.try_set(teams);
        });
    }

    pub fn reload_custom_fields(self) {
        let client = self.client.get_value();
        spawn_local(async move {
            match client.custom_fields_of("lead").await {
                Ok(found) => {
                    self.custom_fields.try_set(found);
                }
                Err(error) => self.toaster.error(&error),
            }
        });
    }

    /// The role's name; tracks the role list.
    pub fn role_name(self, id: RoleId) -> String {
        self.roles
            .with(|roles| roles.iter().find(|r| r.id == id).map(|r| r.name.clone()).unwrap_or_else(|| "—".to_owned()))
    }

    /// The team's name, or an em dash for none; tracks the team list.
    pub fn team_name(self, id: Option<TeamId>) -> String {
        let Some(id) = id else {
            return "—".to_owned();
        };
        self.teams.with(|teams| {
            teams.iter().find(|t| t.id == id).map(|t| t.name.clone()).unwrap_or_else(|| "(deleted team)".to_owned())
        })
    }
}

pub fn use_directory() -> Directory {
    expect_context::<Directory>()
}

#[component]
pub fn SettingsLayout() -> impl IntoView {
    let session = use_session();
    let directory = Directory::provide(use_client(), use_toaster());
    // Without access the API would only answer 403s, each turned into a toast.
    let (settings, leads) = session.me.with_untracked(|me| {
        me.as_ref().map_or((false, false), |me| {
            let p = &me.role.permissions;
            (p.allows(Module::Settings, Action::Read), p.allows(Module::Leads, Action::Read))
        })
    });
    if settings {
        directory.reload_roles();
    }
    // Teams name the targets of assignment rules; any member may list them.
    if settings || leads {
        directory.reload_teams();
    }
    if leads {
        directory.reload_custom_fields();
    }
    let links = move || {
        registry::settings_pages()
            .filter(|page| (page.access)(session))
            .map(|page| view! { <NavLink href=format!("/settings/{}", page.slug) label=page.label class="subnav-link" /> })
            .collect_view()
    };
    view! {
        <div class="page-header">
            <div>
                <h1>"Settings"</h1>
                <p class="page-subtitle">{Module::Settings.purpose()}</p>
            </div>
        </div>
        <nav class="subnav" aria-label="Settings">
            {links}
        </nav>
        <Outlet />
    }
}

/// `/settings/<slug>`: the page the registry has under that slug, behind its access check.
#[component]
pub fn SettingsRoute() -> impl IntoView {
    let params = use_params_map();
    move || match params.with(|p| p.get("page")).as_deref().and_then(registry::settings_page) {
        Some(page) => view! { <Guard allowed=page.access>{(page.view)()}</Guard> }.into_any(),
        None => view! { <NotFound /> }.into_any(),
    }
}

/// The page when the signed-in person may open it; otherwise a sentence saying they may not.
#[component]
pub fn Guard(allowed: fn(Session) -> bool, children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    view! {
        <Show
            when=move || allowed(session)
            fallback=|| {
                view! {
                    <div class="card">
                        <EmptyState
                            icon="!"
                            title="This page is not available to your role"
                            text="Ask an administrator to change your role if you need it."
                        />
                    </div>
                }
            }
        >
            {children()}
        </Show>
    }
}

/// `/settings`: the first settings page the role may see.
#[component]
pub fn SettingsIndex() -> impl IntoView {
    let session = use_session();
    move || match registry::first_settings_page(session) {
        Some(page) => view! { <Redirect path=format!("/settings/{}", page.slug) /> }.into_any(),
        None => view! {
            <div class="card">
                <EmptyState
                    icon="!"
                    title="Settings are not available to your role"
                    text="Ask an administrator to change your role if you need them."
                />
            </div>
        }
        .into_any(),
    }
}

/// `<option>`s for the roles, marking the one `selected` returns as chosen.
pub fn role_options(
    directory: Directory,
    selected: impl Fn() -> Option<RoleId> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    move || {
        directory
            .roles
            .get()
            .into_iter()
            .map(|role| {
                let id = role.id;
                view! {
                    <option value=id.to_string() selected=move || selected() == Some(id)>
                        {role.name}
                    </option>
                }
            })
            .collect_view()
    }
}

/// `<option>`s for "No team" and every team, marking the one `selected` returns as chosen.
pub fn team_options(
    directory: Directory,
    selected: impl Fn() -> Option<TeamId> + Copy + Send + Sync + 'static,
) -> impl IntoView {
    move || {
        let none = view! {
            <option value="" selected=move || selected().is_none()>
                "No team"
            </option>
        };
        let teams = directory
            .teams
            .get()
            .into_iter()
            .map(|team| {
                let id = team.id;
                view! {
                    <option value=id.to_string() selected=move || selected() == Some(id)>
                        {team.name}
                    </option>
                }
            })
            .collect_view();
        (none, teams)
    }
}
