//! The audit trail: who changed what, newest first; the whole organization's or one record's.

use std::collections::HashMap;

use kith_domain::core::audit::{ActorKind, AuditEntry, AuditQuery};
use kith_domain::core::page::{PageQuery, MAX_LIMIT};
use kith_domain::identity::UserListQuery;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::settings::{use_directory, Directory};
use crate::api::use_client;
use crate::components::table::{LoadMore, Paged, StatusRow};
use crate::format;

#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <section class="card">
            <div class="card-header">
                <div>
                    <h2>"Audit log"</h2>
                    <p class="card-text">"Every change in your organization, newest first."</p>
                </div>
            </div>
            <AuditTable />
        </section>
    }
}

/// Names of users and API keys by id, to say who acted.
type Names = RwSignal<HashMap<String, String>>;

/// Audit entries, all of them or (with `entity` and `entity_id`) one record's history.
#[component]
pub fn AuditTable(
    #[prop(optional)] entity: Option<String>,
    #[prop(optional)] entity_id: Option<String>,
) -> impl IntoView {
    let client = use_client();
    let directory = use_directory();
    let names: Names = RwSignal::new(HashMap::new());
    let whole_trail = entity.is_none();
    let entries = Paged::<AuditEntry>::of(move |client, cursor| {
        let query = AuditQuery { cursor, entity: entity.clone(), entity_id: entity_id.clone(), ..Default::default() };
        async move { client.audit(&query).await }
    });

    // Best effort: an unknown actor is shown by a short id instead of a name.
    spawn_local(async move {
        let mut found = HashMap::new();
        if let Ok(page) = client.list_users(&UserListQuery { limit: Some(MAX_LIMIT), ..Default::default() }).await {
            found.extend(page.items.into_iter().map(|u| (u.id.to_string(), u.name)));
        }
        if let Ok(page) = client.list_api_keys(&PageQuery { limit: Some(MAX_LIMIT), cursor: None }).await {
            found.extend(page.items.into_iter().map(|k| (k.id.to_string(), k.name)));
        }
        names.try_set(found);
    });

    let rows = move || {
        entries.items.get().into_iter().map(|entry| entry_row(entry, names, directory, whole_trail)).collect_view()
    };

    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>
                        <th>"When"</th>
                        <th>"Actor"</th>
                        <th>"Action"</th>
                        {whole_trail.then(|| view! { <th>"Record"</th> })}
                        <th>"Changes"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows}
                    <StatusRow
                        paged=entries
                        columns=if whole_trail { 5 } else { 4 }
                        empty_title="Nothing recorded yet"
                    />
                </tbody>
            </table>
        </div>
        <LoadMore paged=entries />
    }
}

fn entry_row(entry: AuditEntry, names: Names, directory: Directory, link_records: bool) -> impl IntoView {
    let when = format::datetime(entry.occurred_at);
    let (actor_kind, actor_id) = (entry.actor_kind, entry.actor_id);
    let actor = move || actor_label(actor_kind, actor_id.as_deref(), names);
    let action = format::humanize(entry.action.as_str());
    // In one record's history the record column would repeat itself.
    let record = link_records.then(|| {
        let href = format!("/settings/history/{}/{}", entry.entity, entry.entity_id);
        let (entity, entity_id) = (entry.entity, entry.entity_id);
        let label = move || record_label(&entity, &entity_id, names, directory);
        view! {
            <td>
                <a href=href>{label}</a>
            </td>
        }
    });
    let changes = entry
        .changes
        .into_iter()
        // The entry itself already says which record and when.
        .filter(|change| !matches!(change.field.as_str(), "id" | "created_at" | "updated_at"))
        .map(|change| {
            let field = change.field.clone();
            let old = (!change.old.is_null()).then(|| {
                let (field, value) = (field.clone(), change.old);
                view! {
                    <span class="change-old">{move || change_value(&field, &value, names, directory)}</span>
                    <span class="change-arrow">"→"</span>
                }
            });
            let label = field_label(&field);
            let value = change.new;
            let new = move || change_value(&field, &value, names, directory);
            view! {
                <li>
                    <span class="change-field">{label}</span>
                    ": "
                    {old}
                    {new}
                </li>
            }
        })
        .collect_view();
    view! {
        <tr>
            <td class="muted nowrap">{when}</td>
            <td>{actor}</td>
            <td>
                <span class="badge">{action}</span>
            </td>
            {record}
            <td>
                <ul class="changes">{changes}</ul>
            </td>
        </tr>
    }
}

/// "role_id" → "Role", "invited_by" → "Invited by".
fn field_label(field: &str) -> String {
    format::humanize(field.strip_suffix("_id").unwrap_or(field))
}

/// A changed value as text, with ids of users, teams and roles replaced by their names.
fn change_value(field: &str, value: &serde_json::Value, names: Names, directory: Directory) -> AnyView {
    let Some(text) = format::json_value(value) else {
        return view! { <span class="change-empty">"empty"</span> }.into_any();
    };
    let name = match field {
        "role_id" => {
            directory.roles.with(|roles| roles.iter().find(|r| r.id.to_string() == text).map(|r| r.name.clone()))
        }
        "team_id" => {
            directory.teams.with(|teams| teams.iter().find(|t| t.id.to_string() == text).map(|t| t.name.clone()))
        }
        "user_id" | "owner_id" | "invited_by" | "created_by" | "deleted_by" => names.with(|n| n.get(&text).cloned()),
        _ => None,
    };
    view! { <span>{name.unwrap_or(text)}</span> }.into_any()
}

fn actor_label(kind: ActorKind, id: Option<&str>, names: Names) -> String {
    let name = || match id {
        Some(id) => names.with(|n| n.get(id).cloned()).unwrap_or_else(|| short_id(id)),
        None => "unknown".to_owned(),
    };
    match kind {
        ActorKind::System => "System".to_owned(),
        ActorKind::Anonymous => "Anonymous".to_owned(),
        ActorKind::User => name(),
        ActorKind::ApiKey => format!("API key {}", name()),
    }
}

/// "Team Sales", "User Ada Lovelace", or the type and a short id when the name is not known here.
fn record_label(entity: &str, id: &str, names: Names, directory: Directory) -> String {
    let name = match entity {
        "user" | "api_key" => names.with(|n| n.get(id).cloned()),
        "team" => directory.teams.with(|teams| teams.iter().find(|t| t.id.to_string() == id).map(|t| t.name.clone())),
        "role" => directory.roles.with(|roles| roles.iter().find(|r| r.id.to_string() == id).map(|r| r.name.clone())),
        _ => None,
    };
    format!("{} {}", format::entity_label(entity), name.unwrap_or_else(|| short_id(id)))
}

fn short_id(id: &str) -> String {
    id.chars().take(8).collect()
}
