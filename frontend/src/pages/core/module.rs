//! A module's page. The modules' records do not exist yet, so it says honestly what will be here.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::auth::use_session;
use crate::components::nav::module_from_slug;
use crate::components::table::EmptyState;

#[component]
pub fn ModulePage() -> impl IntoView {
    let session = use_session();
    let params = use_params_map();
    let module = Memo::new(move |_| params.read().get("module").and_then(|s| module_from_slug(&s)));

    move || match module.get() {
        None => view! {
            <div class="card">
                <EmptyState
                    icon="?"
                    title="No such module"
                    text="Check the address, or pick a module in the sidebar."
                />
            </div>
        }
        .into_any(),
        Some(m) if !session.can_read(m) => view! {
            <div class="card">
                <EmptyState
                    icon="!"
                    title=format!("{} is not available to your role", m.label())
                    text="Ask an administrator for access."
                />
            </div>
        }
        .into_any(),
        Some(m) => view! {
            <div class="page-header">
                <div>
                    <h1>{m.label()}</h1>
                    <p class="page-subtitle">{m.purpose()}</p>
                </div>
            </div>
            <div class="card">
                <EmptyState
                    icon="◇"
                    title=format!("The {} module is not built yet", m.label())
                    text=format!(
                        "This is where {} will live. It is on the roadmap; nothing here is stored yet.",
                        m.label().to_lowercase(),
                    )
                />
            </div>
        }
        .into_any(),
    }
}
