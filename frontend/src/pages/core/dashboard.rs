//! Home: a welcome and the way into each module the role may use.

use kith_domain::core::modules::Module;
use leptos::prelude::*;

use crate::auth::use_session;
use crate::components::nav::module_href;

#[component]
pub fn Dashboard() -> impl IntoView {
    let session = use_session();
    let org = move || session.me.with(|me| me.as_ref().map(|me| me.organization.name.clone()));
    let first_name = move || {
        session.me.with(|me| me.as_ref().and_then(|me| me.user.name.split_whitespace().next().map(str::to_owned)))
    };
    let modules = move || {
        Module::ALL
            .into_iter()
            .filter(|m| session.can_read(*m))
            .map(|m| {
                view! {
                    <a class="module-card" href=module_href(m)>
                        <h3>{m.label()}</h3>
                        <p>{m.purpose()}</p>
                    </a>
                }
            })
            .collect_view()
    };
    view! {
        <div class="stack">
            <section class="card welcome">
                <h1>"Welcome to " {org}</h1>
                <p class="page-subtitle">
                    {move || first_name().map(|n| format!("Hi {n}, ")).unwrap_or_default()}
                    "this is your organization's home in Kith. Pick a module to get started."
                </p>
            </section>
            <section>
                <div class="module-grid">{modules}</div>
            </section>
        </div>
    }
}
