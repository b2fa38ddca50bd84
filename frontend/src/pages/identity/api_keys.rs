//! API keys: tokens for integrations, limited to a role; the secret is shown once, at creation.

use chrono::{DateTime, NaiveDate, Utc};
use kith_domain::core::page::PageQuery;
use kith_domain::identity::{ApiKeyView, CreatedApiKey, NewApiKey};
use kith_domain::RoleId;
use leptos::prelude::*;

use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::copy::CopyValue;
use crate::components::field::{invalid, Field, FormAlert, TextField};
use crate::components::table::{LoadMore, Paged, StatusRow};
use crate::components::toast::use_toaster;
use crate::data::{Found, Save, SubmitButton};
use crate::format;
use crate::pages::core::settings::{role_options, use_directory, Directory};

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let toaster = use_toaster();
    let session = use_session();
    let directory = use_directory();
    let keys =
        Paged::of(
            |client, cursor| async move { client.list_api_keys(&PageQuery { cursor, ..Default::default() }).await },
        );
    let revoke = Save::new(
        |client, key: ApiKeyView| async move { client.revoke_api_key(key.id).await.map(|()| key) },
        move |key: ApiKeyView| {
            toaster.success(format!("API key {} revoked", key.name));
            keys.refresh();
        },
    );

    let rows = move || {
        let admin = session.is_admin();
        keys.items.get().into_iter().map(|key| key_row(key, admin, directory, revoke)).collect_view()
    };

    view! {
        <div class="stack">
            {move || session.is_admin().then(|| view! { <NewKeyForm on_created=move |_| keys.refresh() /> })}
            <section class="card">
                <div class="card-header">
                    <div>
                        <h2>"API keys"</h2>
                        <p class="card-text">
                            "Integrations send a key as a bearer token. A key can do at most what its role allows."
                        </p>
                    </div>
                </div>
                <div class="table-wrap">
                    <table class="table">
                        <thead>
                            <tr>
                                <th>"Name"</th>
                                <th>"Prefix"</th>
                                <th>"Role"</th>
                                <th>"Created"</th>
                                <th>"Last used"</th>
                                <th>"Expires"</th>
                                <th>"Status"</th>
                                <th class="actions"></th>
                            </tr>
                        </thead>
                        <tbody>
                            {rows}
                            <StatusRow
                                paged=keys
                                columns=8
                                empty_title="No API keys yet"
                                empty_text="Create a key to connect another system to Kith."
                            />
                        </tbody>
                    </table>
                </div>
                <LoadMore paged=keys />
            </section>
        </div>
    }
}

fn key_row(key: ApiKeyView, admin: bool, directory: Directory, revoke: Save<ApiKeyView>) -> impl IntoView {
    let role_id = key.role_id;
    let name = key.name.clone();
    let prefix = key.prefix.clone();
    let created = format::date(key.created_at);
    let last_used = format::optional_date(key.last_used_at, "Never");
    let expires = format::optional_date(key.expires_at, "Never");
    let revoked = key.revoked_at.is_some();
    let status = if revoked {
        view! { <span class="badge badge-red">"Revoked"</span> }
    } else {
        view! { <span class="badge badge-green">"Active"</span> }
    };
    let message = format!("Integrations using {name} stop working at once. This cannot be undone.");
    let action = (admin && !revoked).then(|| {
        view! {
            <ConfirmButton
                label="Revoke"
                title="Revoke this API key?"
                message=message
                confirm_label="Revoke"
                on_confirm=move |_| revoke.dispatch(key.clone())
            />
        }
    });
    view! {
        <tr data-testid="api-key-row">
            <td>{name}</td>
            <td>
                <code>{prefix}</code>
            </td>
            <td>{move || directory.role_name(role_id)}</td>
            <td class="muted">{created}</td>
            <td class="muted">{last_used}</td>
            <td class="muted">{expires}</td>
            <td>{status}</td>
            <td class="actions">{action}</td>
        </tr>
    }
}

#[component]
fn NewKeyForm(#[prop(into)] on_created: Callback<()>) -> impl IntoView {
    let toaster = use_toaster();
    let directory = use_directory();
    let name = RwSignal::new(String::new());
    // No role is chosen for the admin: a key acts with the role picked for it, on purpose.
    let role = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let secret = RwSignal::new(None::<String>);
    let create = Save::new(
        |client, key: NewApiKey| async move { client.create_api_key(&key).await },
        move |created: CreatedApiKey| {
            secret.set(Some(created.secret));
            name.set(String::new());
            role.set(String::new());
            expires.set(String::new());
            toaster.success(format!("API key {} created", created.api_key.name));
            on_created.run(());
        },
    );
    let problem = create.problem;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut found = Found::new();
        let key =
            new_key(&mut found, &name.get_untracked(), &role.get_untracked(), &expires.get_untracked(), format::now());
        secret.set(None);
        create.submit(found, key);
    };

    view! {
        <section class="card">
            <div class="card-header">
                <h2>"New API key"</h2>
            </div>
            <div class="card-body stack">
                <form class="form" on:submit=submit novalidate>
                    <FormAlert problem fields=&["name", "role_id", "expires_at"] />
                    <div class="form-grid">
                        <TextField
                            label="Name"
                            id="api-key-name"
                            name="name"
                            problem
                            value=name
                            required=true
                            hint="What uses the key, e.g. “Website form”."
                        />
                        <Field
                            label="Role"
                            id="api-key-role"
                            name="role_id"
                            problem
                            hint="The key can do at most what this role allows. Choose the least it needs."
                        >
                            <select
                                id="api-key-role"
                                aria-invalid=invalid(problem, "role_id")
                                prop:value=move || role.get()
                                on:change=move |ev| role.set(event_target_value(&ev))
                            >
                                <option value="" disabled selected=move || role.with(String::is_empty)>
                                    "Choose a role…"
                                </option>
                                {role_options(directory, move || role.with(|r| r.parse().ok()))}
                            </select>
                        </Field>
                        <Field
                            label="Expires (optional)"
                            id="api-key-expires"
                            name="expires_at"
                            problem
                            hint="The key stops working at the end of this day (UTC). Empty: it works until revoked."
                        >
                            <input
                                id="api-key-expires"
                                type="date"
                                aria-invalid=invalid(problem, "expires_at")
                                prop:value=move || expires.get()
                                on:input=move |ev| expires.set(event_target_value(&ev))
                            />
                        </Field>
                    </div>
                    <div class="form-actions">
                        <SubmitButton save=create id="api-key-create" label="Create API key" busy_label="Creating…" />
                    </div>
                </form>
                {move || {
                    secret
                        .get()
                        .map(|secret| {
                            view! {
                                <div class="secret" role="status">
                                    <span class="label">"Your new API key"</span>
                                    <CopyValue value=secret id="api-key-secret" />
                                    <span class="secret-note">"Copy it now; it will not be shown again."</span>
                                </div>
                            }
                        })
                }}
            </div>
        </section>
    }
}

/// The key the form describes, or every field error at once: a name, a role chosen on purpose, and
/// an expiry day (optional) that has not passed — the key then works to the end of that day, UTC.
/// The key to create from what was typed; what cannot be read goes to `found` (the domain's rules
/// for the key run on top, in [`Save::submit`]).
fn new_key(found: &mut Found, name: &str, role: &str, expires: &str, now: DateTime<Utc>) -> NewApiKey {
    if name.trim().is_empty() {
        found.add("name", "required", "Name the key after what uses it.");
    }
    let role_id = found.take(role.parse::<RoleId>(), "role_id", "required", "Choose the role the key acts with.");
    let expires_at = match expires.trim() {
        "" => None,
        day => match NaiveDate::parse_from_str(day, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(23, 59, 59)) {
            Some(end) if end.and_utc() > now => Some(end.and_utc()),
            Some(_) => {
                found.add("expires_at", "past", "Choose today or a later day.");
                None
            }
            None => {
                found.add("expires_at", "date", "Enter a date, e.g. 2027-01-31.");
                None
            }
        },
    };
    // Without a role the form refuses to send: the placeholder is never used.
    NewApiKey { name: name.trim().to_owned(), role_id: role_id.unwrap_or(RoleId(Default::default())), expires_at }
}
