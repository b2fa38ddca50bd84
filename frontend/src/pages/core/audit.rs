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
    let filters = RwSignal::new(Filters::default());
    let entries = Paged::<AuditEntry>::of(move |client, cursor| {
        let f = filters.get_untracked();
        let chosen = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        let query = AuditQuery {
            cursor,
            entity: entity.clone().or_else(|| chosen(&f.kind)),
            entity_id: entity_id.clone(),
            actor_id: chosen(&f.actor),
            from: f.from.parse().ok(),
            to: f.to.parse().ok(),
            ..Default::default()
        };
        async move { client.audit(&query).await }
    });
    // A changed filter reads the first page again.
    Effect::new(move |before: Option<Filters>| {
        let now = filters.get();
        if before.is_some_and(|b| b != now) {
            entries.refresh();
        }
        now
    });

    // Best effort: an unknown actor is shown by a short id instead of a name.
    let session = crate::auth::use_session();
    let admin = untrack(move || session.is_admin());
    spawn_local(async move {
        let mut found = HashMap::new();
        if let Ok(page) = client.list_users(&UserListQuery { limit: Some(MAX_LIMIT), ..Default::default() }).await {
            found.extend(page.items.into_iter().map(|u| (u.id.to_string(), u.name)));
        }
        // Only administrators may list API keys; for everyone else the server names the key that acted.
        if admin {
            if let Ok(page) = client.list_api_keys(&PageQuery { limit: Some(MAX_LIMIT), cursor: None }).await {
                found.extend(page.items.into_iter().map(|k| (k.id.to_string(), k.name)));
            }
        }
        names.try_set(found);
    });

    let rows = move || {
        entries.items.get().into_iter().map(|entry| entry_row(entry, names, directory, whole_trail)).collect_view()
    };

    let filter_bar = whole_trail.then(|| view! { <AuditFilters filters names /> });
    view! {
        {filter_bar}
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
    let (actor_kind, actor_id, actor_name) = (entry.actor_kind, entry.actor_id, entry.actor_name);
    let actor = move || actor_label(actor_kind, actor_id.as_deref(), actor_name.as_deref(), names);
    let action = format::humanize(entry.action.as_str());
    // In one record's history the record column would repeat itself.
    let record = link_records.then(|| {
        let href = format!("/settings/history/{}/{}", entry.entity, entry.entity_id);
        let (entity, entity_id, name) = (entry.entity, entry.entity_id, entry.record_name);
        let label = record_label(&entity, &entity_id, name.as_deref());
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
    let Some(text) = readable(value) else {
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

fn actor_label(kind: ActorKind, id: Option<&str>, known: Option<&str>, names: Names) -> String {
    let name = || match (known, id) {
        (Some(name), _) => name.to_owned(),
        (None, Some(id)) => names.with(|n| n.get(id).cloned()).unwrap_or_else(|| short_id(id)),
        (None, None) => "unknown".to_owned(),
    };
    match kind {
        ActorKind::System => "System".to_owned(),
        ActorKind::Anonymous => "Anonymous".to_owned(),
        ActorKind::User => name(),
        ActorKind::ApiKey => format!("API key {}", name()),
    }
}

/// "Lead Jane Doe", "Team Sales", or the type and a short id when the record has no name the reader
/// may see (the server names records through the kernel's registry).
fn record_label(entity: &str, id: &str, known: Option<&str>) -> String {
    format!("{} {}", format::entity_label(entity), known.map_or_else(|| short_id(id), str::to_owned))
}

fn short_id(id: &str) -> String {
    id.chars().take(8).collect()
}

/// A changed value for people: text as it is, lists joined by commas, objects as "key: value" pairs
/// (one level), so a whole record's JSON never runs off the card.
fn readable(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::Array(items) if items.is_empty() => None,
        Value::Array(items) => Some(items.iter().filter_map(readable).collect::<Vec<_>>().join(", ")),
        Value::Object(map) if map.is_empty() => None,
        Value::Object(map) => Some(
            map.iter()
                .filter_map(|(k, v)| readable(v).map(|v| format!("{}: {v}", format::humanize(k))))
                .collect::<Vec<_>>()
                .join("; "),
        ),
        Value::Bool(true) => Some("yes".to_owned()),
        Value::Bool(false) => Some("no".to_owned()),
        other => format::json_value(other),
    }
}

/// What the whole trail is narrowed to (empty: no limit).
#[derive(Clone, Debug, Default, PartialEq)]
struct Filters {
    actor: String,
    kind: String,
    from: String,
    to: String,
}

/// Who acted, on what kind of record, between which days.
#[component]
fn AuditFilters(filters: RwSignal<Filters>, names: Names) -> impl IntoView {
    let people = move || {
        let mut people: Vec<(String, String)> = names.get().into_iter().collect();
        people.sort_by_key(|(_, name)| name.to_lowercase());
        people
            .into_iter()
            .map(|(id, name)| {
                let selected = filters.with(|f| f.actor == id);
                view! { <option value=id selected=selected>{name}</option> }
            })
            .collect_view()
    };
    let mut kinds: Vec<(&str, &str)> = crate::registry::kinds().map(|k| (k.entity, k.label)).collect();
    kinds.sort_by_key(|(_, label)| *label);
    let kinds = kinds.into_iter().map(|(entity, label)| view! { <option value=entity>{label}</option> }).collect_view();
    view! {
        <div class="toolbar audit-filters">
            <label class="inline-field">
                "Person"
                <select
                    id="audit-actor"
                    on:change=move |ev| filters.update(|f| f.actor = event_target_value(&ev))
                >
                    <option value="">"Anyone"</option>
                    {people}
                </select>
            </label>
            <label class="inline-field">
                "Record"
                <select id="audit-kind" on:change=move |ev| filters.update(|f| f.kind = event_target_value(&ev))>
                    <option value="">"Any kind"</option>
                    {kinds}
                </select>
            </label>
            <label class="inline-field">
                "From"
                <input
                    id="audit-from"
                    type="date"
                    on:change=move |ev| filters.update(|f| f.from = event_target_value(&ev))
                />
            </label>
            <label class="inline-field">
                "To"
                <input id="audit-to" type="date" on:change=move |ev| filters.update(|f| f.to = event_target_value(&ev)) />
            </label>
        </div>
    }
}
