//! The signed-in shell: sidebar, top bar and the routed page; signed-out visitors go to /login.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Outlet;
use leptos_router::hooks::{use_location, use_navigate};

use crate::api::use_client;
use crate::auth::use_session;
use crate::components::nav::Sidebar;
use crate::components::notifications::NotificationBell;
use crate::components::search::SearchBox;
use crate::components::table::Loading;
use crate::components::toast::use_toaster;
use crate::people::People;

#[component]
pub fn AppLayout() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let signed_in = Memo::new(move |_| session.me.with(Option::is_some));
    // Wait for the silent refresh: a reload of any page must not bounce a signed-in user.
    Effect::new(move |_| {
        if session.ready.get() && !signed_in.get() {
            navigate("/login", Default::default());
        }
    });
    view! {
        <Show
            when=move || signed_in.get()
            fallback=|| {
                view! {
                    <div class="loading-screen">
                        <Loading />
                    </div>
                }
            }
        >
            <Shell />
        </Show>
    }
}

/// The signed-in app; what it provides lives as long as the sign-in. On a narrow screen the sidebar
/// folds away behind the top bar's menu button and closes again when a page is chosen.
#[component]
fn Shell() -> impl IntoView {
    People::provide(use_client(), use_toaster());
    let nav_open = RwSignal::new(false);
    let location = use_location();
    Effect::new(move |_| {
        location.pathname.track();
        nav_open.set(false);
    });
    view! {
        <div class="app" class:nav-open=nav_open>
            <Sidebar />
            <div class="nav-backdrop" aria-hidden="true" on:click=move |_| nav_open.set(false)></div>
            <div class="main">
                <TopBar nav_open />
                <main class="content">
                    <Outlet />
                </main>
            </div>
        </div>
    }
}

#[component]
fn TopBar(nav_open: RwSignal<bool>) -> impl IntoView {
    let session = use_session();
    let client = use_client();
    let toaster = use_toaster();
    let navigate = use_navigate();
    let org = move || session.me.with(|me| me.as_ref().map(|me| me.organization.name.clone()));
    let name = move || session.me.with(|me| me.as_ref().map(|me| me.user.name.clone()));
    let initials = move || name().map(|n| initials(&n)).unwrap_or_default();
    let logout = move |_| {
        let client = client.clone();
        let navigate = navigate.clone();
        spawn_local(async move {
            // Sign out locally even when the server could not be told.
            if let Err(error) = client.logout().await {
                toaster.error(&error);
            }
            session.end();
            navigate("/login", Default::default());
        });
    };
    view! {
        <header class="topbar">
            <button
                id="nav-toggle"
                type="button"
                class="nav-toggle"
                aria-controls="sidebar"
                aria-expanded=move || nav_open.get().to_string()
                aria-label="Menu"
                on:click=move |_| nav_open.update(|open| *open = !*open)
            >
                <span aria-hidden="true">"☰"</span>
            </button>
            <div class="topbar-org">{org}</div>
            <SearchBox />
            <div class="topbar-actions">
                <NotificationBell />
                <div id="user-menu" class="user-menu">
                    <span class="avatar" aria-hidden="true">{initials}</span>
                    <span class="user-name">{name}</span>
                </div>
                <button id="logout" type="button" class="btn btn-ghost btn-sm" on:click=logout>
                    "Log out"
                </button>
            </div>
        </header>
    }
}

/// Up to two initials for the avatar: "Ada Lovelace" → "AL".
fn initials(name: &str) -> String {
    name.split_whitespace().filter_map(|w| w.chars().next()).take(2).flat_map(char::to_uppercase).collect()
}

/// The centred card of the signed-out pages (sign-up, login, accepting an invitation).
#[component]
pub fn AuthShell(title: &'static str, subtitle: &'static str, children: Children) -> impl IntoView {
    view! {
        <div class="auth">
            <div class="card auth-card">
                <div class="auth-brand">
                    <span class="brand-mark" aria-hidden="true">"K"</span>
                    "Kith"
                </div>
                <h1>{title}</h1>
                <p class="page-subtitle">{subtitle}</p>
                {children()}
            </div>
        </div>
    }
}
