//! API keys: tokens for integrations, limited to a role; the secret is shown once, at creation.

use kith_domain::core::page::PageQuery;
use kith_domain::identity::{ApiKeyView, CreatedApiKey, NewApiKey};
use kith_domain::{FieldError, Problem, RoleId};
use leptos::prelude::*;

use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::copy::CopyValue;
use crate::components::field::{invalid, Field, FormAlert, TextField};
use crate::components::table::{LoadMore, Paged, StatusRow};
use crate::components::toast::use_toaster;
use crate::data::{Save, SubmitButton};
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
    let role = RwSignal::new(String::new());
    let secret = RwSignal::new(None::<String>);
    let create = Save::new(
        |client, key: NewApiKey| async move { client.create_api_key(&key).await },
        move |created: CreatedApiKey| {
            secret.set(Some(created.secret));
            name.set(String::new());
            toaster.success(format!("API key {} created", created.api_key.name));
            on_created.run(());
        },
    );
    let problem = create.problem;

    // Preselect the first role once the roles are known, so the form works without a choice.
    Effect::new(move |_| {
        if role.with_untracked(String::is_empty) {
            if let Some(first) = directory.roles.with(|roles| roles.first().map(|r| r.id.to_string())) {
                role.set(first);
            }
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(role_id) = role.get_untracked().parse::<RoleId>() else {
            create.refuse(Problem::validation(vec![FieldError::new("role_id", "required", "Choose a role.")]));
            return;
        };
        secret.set(None);
        create.dispatch(NewApiKey { name: name.get_untracked(), role_id, expires_at: None });
    };

    view! {
        <section class="card">
            <div class="card-header">
                <h2>"New API key"</h2>
            </div>
            <div class="card-body stack">
                <form class="form" on:submit=submit novalidate>
                    <FormAlert problem fields=&["name", "role_id"] />
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
                        <Field label="Role" id="api-key-role" name="role_id" problem>
                            <select
                                id="api-key-role"
                                aria-invalid=invalid(problem, "role_id")
                                prop:value=move || role.get()
                                on:change=move |ev| role.set(event_target_value(&ev))
                            >
                                {role_options(directory, move || role.with(|r| r.parse().ok()))}
                            </select>
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
