//! The sidebar: the modules the signed-in role may read, and settings.

use kith_domain::core::modules::Module;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::auth::use_session;

/// The module's URL segment: its snake_case wire name (`leads`).
pub fn module_slug(module: Module) -> String {
    serde_json::to_value(module).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

pub fn module_from_slug(slug: &str) -> Option<Module> {
    serde_json::from_value(serde_json::Value::String(slug.to_owned())).ok()
}

pub fn module_href(module: Module) -> String {
    match module {
        Module::Settings => "/settings".to_owned(),
        other => format!("/m/{}", module_slug(other)),
    }
}

/// A navigation link that is marked active while the current path is at or below `href`.
#[component]
pub fn NavLink(
    #[prop(into)] href: String,
    #[prop(into)] label: String,
    #[prop(default = "nav-link")] class: &'static str,
    /// Active only on exactly this path (for `/`).
    #[prop(optional)]
    exact: bool,
) -> impl IntoView {
    let location = use_location();
    let target = href.clone();
    let active = Memo::new(move |_| {
        location.pathname.with(|path| {
            if exact {
                *path == target
            } else {
                path == &target || path.starts_with(&format!("{target}/"))
            }
        })
    });
    view! {
        <a
            href=href
            class=class
            class:active=active
            aria-current=move || active.get().then_some("page")
        >
            {label}
        </a>
    }
}

#[component]
pub fn Sidebar() -> impl IntoView {
    let session = use_session();
    let modules = move || {
        Module::ALL
            .into_iter()
            .filter(|m| *m != Module::Settings && session.can_read(*m))
            .map(|m| view! { <NavLink href=module_href(m) label=m.label() /> })
            .collect_view()
    };
    view! {
        <aside class="sidebar" id="sidebar">
            <a href="/" class="brand">
                <span class="brand-mark" aria-hidden="true">"K"</span>
                "Kith"
            </a>
            <nav class="nav" aria-label="Main">
                <NavLink href="/" label="Home" exact=true />
                <div class="nav-heading">"Modules"</div>
                {modules}
                {move || {
                    crate::registry::first_settings_page(session)
                        .is_some()
                        .then(|| {
                            view! {
                                <div class="nav-heading">"Organization"</div>
                                <NavLink href="/settings" label="Settings" />
                            }
                        })
                }}
            </nav>
        </aside>
    }
}
