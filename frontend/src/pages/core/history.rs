//! One record's history (`/settings/history/:entity/:id`), from the audit trail.

use kith_domain::UserId;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use super::audit::AuditTable;
use super::settings::use_directory;
use crate::api::use_client;
use crate::format;

#[component]
pub fn HistoryPage() -> impl IntoView {
    let client = use_client();
    let directory = use_directory();
    let params = use_params_map();
    let record =
        Memo::new(move |_| params.with(|p| (p.get("entity").unwrap_or_default(), p.get("id").unwrap_or_default())));

    // The record's name for the heading: teams are at hand, users are fetched.
    let user_name = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let (entity, id) = record.get();
        user_name.set(None);
        if let ("user", Ok(id)) = (entity.as_str(), id.parse::<UserId>()) {
            let client = client.clone();
            spawn_local(async move {
                if let Ok(user) = client.get_user(id).await {
                    user_name.try_set(Some(user.name));
                }
            });
        }
    });
    let heading = move || {
        let (entity, id) = record.get();
        let name = match entity.as_str() {
            "user" => user_name.get(),
            "team" => {
                directory.teams.with(|teams| teams.iter().find(|t| t.id.to_string() == id).map(|t| t.name.clone()))
            }
            _ => None,
        };
        format!("History of {} {}", format::entity_label(&entity).to_lowercase(), name.unwrap_or(id))
    };
    let back = move || match record.with(|(entity, _)| entity.clone()).as_str() {
        "user" => ("/settings/users", "Back to users"),
        "team" => ("/settings/teams", "Back to teams"),
        _ => ("/settings/audit", "Back to the audit log"),
    };

    view! {
        <section class="card">
            <div class="card-header">
                <div>
                    <h2>{heading}</h2>
                    <p class="card-text">"Every change to this record, newest first."</p>
                </div>
                <a class="btn btn-secondary btn-sm" href=move || back().0>
                    {move || back().1}
                </a>
            </div>
            {move || {
                let (entity, id) = record.get();
                view! { <AuditTable entity=entity entity_id=id /> }
            }}
        </section>
    }
}
