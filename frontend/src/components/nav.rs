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
            .map(|m| {
                // The Unassigned queue sits under Leads for those who give leads owners.
                let queue = (m == Module::Leads && session.may_assign()).then(|| view! { <UnassignedLink /> });
                view! {
                    <NavLink href=module_href(m) label=m.label() />
                    {queue}
                }
            })
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
                    crate::pages::catalog::may_read(session)
                        .then(|| view! { <NavLink href="/catalog/products" label="Products" /> })
                }}
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

/// For those who may give leads an owner: the Unassigned queue, with how many open leads wait in it
/// (counted again on every page change, so assigning some shows at once).
#[component]
fn UnassignedLink() -> impl IntoView {
    let client = crate::api::use_client();
    let location = use_location();
    let count = RwSignal::new(None::<kith_domain::leads::LeadCount>);
    Effect::new(move |_| {
        location.pathname.track();
        location.search.track();
        let client = client.clone();
        leptos::task::spawn_local(async move {
            let query = crate::pages::leads::filters::unassigned_queue().list_query();
            // A failure leaves the badge out; the queue itself says what went wrong.
            count.try_set(client.count_leads(&query).await.ok());
        });
    });
    let href = crate::pages::leads::filters::unassigned_href();
    let active = Memo::new(move |_| {
        location.pathname.with(|p| p == "/m/leads") && location.search.with(|s| s.contains("owner=unassigned"))
    });
    view! {
        <a
            href=href
            class="nav-link nav-sub"
            id="nav-unassigned"
            class:active=active
            aria-current=move || active.get().then_some("page")
        >
            "Unassigned"
            {move || {
                count
                    .get()
                    .filter(|c| c.count > 0)
                    .map(|c| {
                        let text = if c.more { format!("{}+", c.count) } else { c.count.to_string() };
                        let label = format!("{text} waiting");
                        view! { <span class="nav-badge" data-testid="unassigned-count" aria-label=label>{text}</span> }
                    })
            }}
        </a>
    }
}
