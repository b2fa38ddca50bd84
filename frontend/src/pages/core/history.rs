//! One record's history (`/settings/history/:entity/:id`), from the audit trail.

use kith_domain::core::audit::AuditQuery;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::audit::AuditTable;
use crate::data::load;
use crate::{format, registry};

#[component]
pub fn HistoryPage() -> impl IntoView {
    let params = use_params_map();
    let record =
        Memo::new(move |_| params.with(|p| (p.get("entity").unwrap_or_default(), p.get("id").unwrap_or_default())));

    // The record's name for the heading, as the server names it (the newest entry carries it).
    let newest = load(move |client| {
        let (entity, entity_id) = record.get();
        let query =
            AuditQuery { limit: Some(1), entity: Some(entity), entity_id: Some(entity_id), ..Default::default() };
        async move { client.audit(&query).await }
    });
    let heading = move || {
        let (entity, id) = record.get();
        let name = newest.with(|page| page.items.first().and_then(|e| e.record_name.clone())).flatten();
        format!("History of {} {}", format::entity_label(&entity).to_lowercase(), name.unwrap_or(id))
    };
    let back = move || {
        let (entity, id) = record.get();
        match registry::record_href(&entity, &id) {
            Some(href) => (href, format!("Back to the {}", format::entity_label(&entity).to_lowercase())),
            None => ("/settings/audit".to_owned(), "Back to the audit log".to_owned()),
        }
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
