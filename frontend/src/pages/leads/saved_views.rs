//! Saved views: named filter sets kept on the server, the user's own and those shared with the
//! whole organization, shown as chips above the list. Views once kept in this browser's local
//! storage move to the server the first time the list is opened.

use kith_client::Client;
use kith_domain::leads::{LeadViewInput, LeadViewRecord};
use kith_domain::{LeadViewId, Problem};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::filters::LeadFilters;
use crate::api::{is_stale, problem_of, use_client};
use crate::auth::use_session;
use crate::browser;
use crate::components::confirm::ConfirmButton;
use crate::components::field::FieldError as FieldErrorView;
use crate::components::toast::{use_toaster, Toaster};
use crate::data::Found;

/// Where views were kept in this browser before they moved to the server, per organization.
fn legacy_key(org: &str) -> String {
    format!("kith.lead-views.{org}")
}

/// Move the views found under the old local-storage key to the server (as the user's own), then
/// drop the key. A view whose name is already taken by one of the user's views is not copied again.
/// The key stays when the server could not be reached, so the next visit tries again.
async fn migrate_legacy(client: &Client, key: &str, existing: &[LeadViewRecord], toaster: Toaster) -> bool {
    let Some(json) = browser::stored(key) else {
        return false;
    };
    let legacy: Vec<(String, String)> = serde_json::from_str(&json).unwrap_or_default();
    let mut moved = 0;
    let mut retry = false;
    for (name, query) in legacy {
        let name = name.trim().to_owned();
        if name.is_empty() || existing.iter().any(|v| v.editable && v.name == name) {
            continue;
        }
        let filters = LeadFilters::from_query_string(&query).saved_query();
        let input = LeadViewInput { name, filters, shared: false };
        match client.create_lead_view(&input).await {
            Ok(_) => moved += 1,
            // Refused for good (e.g. a name too long): there is nothing to retry.
            Err(error) if matches!(error.status(), Some(400 | 409 | 422)) => {}
            Err(_) => retry = true,
        }
    }
    if !retry {
        browser::forget(key);
    }
    if moved > 0 {
        toaster.success(format!(
            "{moved} saved {} moved from this browser to your account",
            if moved == 1 { "view" } else { "views" }
        ));
    }
    moved > 0
}

#[component]
pub fn SavedViews(filters: Memo<LeadFilters>) -> impl IntoView {
    let client = use_client();
    let session = use_session();
    let toaster = use_toaster();
    let views = RwSignal::new(None::<Vec<LeadViewRecord>>);
    let failed = RwSignal::new(false);
    let naming = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let shared = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    // The view being renamed, with its new name and sharing.
    let editing = RwSignal::new(None::<LeadViewId>);
    let edit_name = RwSignal::new(String::new());
    let edit_shared = RwSignal::new(false);
    let edit_problem = RwSignal::new(None::<Problem>);

    let legacy = session
        .me
        .with_untracked(|me| legacy_key(&me.as_ref().map(|me| me.organization.id.to_string()).unwrap_or_default()));
    let reload = Callback::new({
        let client = client.clone();
        move |migrate: bool| {
            let client = client.clone();
            let legacy = legacy.clone();
            spawn_local(async move {
                match client.lead_views().await {
                    Ok(mut found) => {
                        if migrate && migrate_legacy(&client, &legacy, &found, toaster).await {
                            if let Ok(again) = client.lead_views().await {
                                found = again;
                            }
                        }
                        failed.try_set(false);
                        views.try_set(Some(found));
                    }
                    Err(error) => {
                        failed.try_set(true);
                        // A 404: this server does not keep views yet; the note beside the chips says so.
                        if error.status() != Some(404) {
                            toaster.error(&error);
                        }
                    }
                }
            });
        }
    });
    reload.run(true);

    let save = {
        let client = client.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() {
                return;
            }
            let label = name.get_untracked().trim().to_owned();
            let input = LeadViewInput {
                name: label.clone(),
                filters: filters.get_untracked().saved_query(),
                shared: shared.get_untracked(),
            };
            // Saving under the name of one of the user's views replaces its filters.
            let same = views.with_untracked(|v| {
                v.iter().flatten().find(|v| v.editable && v.name == label).map(|v| (v.id, v.version))
            });
            if let Some(refused) = Found::new().with_rules_of(&input) {
                problem.set(Some(refused));
                return;
            }
            problem.set(None);
            busy.set(true);
            let client = client.clone();
            spawn_local(async move {
                let result = match same {
                    Some((id, version)) => client.update_lead_view(id, version, &input).await,
                    None => client.create_lead_view(&input).await,
                };
                busy.try_set(false);
                match result {
                    Ok(saved) => {
                        toaster.success(format!("View “{}” saved", saved.name));
                        naming.try_set(false);
                        name.try_set(String::new());
                        shared.try_set(false);
                        reload.try_run(false);
                    }
                    Err(error) if is_stale(&error) => {
                        toaster.stale("view");
                        reload.try_run(false);
                    }
                    Err(error) => {
                        problem.set(Some(problem_of(&error)));
                        toaster.error(&error);
                    }
                }
            });
        }
    };

    let rename = {
        let client = client.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let Some(id) = editing.get_untracked() else {
                return;
            };
            let Some(view) = views.with_untracked(|v| v.iter().flatten().find(|v| v.id == id).cloned()) else {
                return;
            };
            if busy.get_untracked() {
                return;
            }
            let input = LeadViewInput {
                name: edit_name.get_untracked().trim().to_owned(),
                filters: view.filters.clone(),
                shared: edit_shared.get_untracked(),
            };
            if let Some(refused) = Found::new().with_rules_of(&input) {
                edit_problem.set(Some(refused));
                return;
            }
            edit_problem.set(None);
            busy.set(true);
            let client = client.clone();
            spawn_local(async move {
                let result = client.update_lead_view(id, view.version, &input).await;
                busy.try_set(false);
                match result {
                    Ok(saved) => {
                        toaster.success(format!("View “{}” saved", saved.name));
                        editing.try_set(None);
                        reload.try_run(false);
                    }
                    Err(error) if is_stale(&error) => {
                        toaster.stale("view");
                        editing.try_set(None);
                        reload.try_run(false);
                    }
                    Err(error) => {
                        edit_problem.set(Some(problem_of(&error)));
                        toaster.error(&error);
                    }
                }
            });
        }
    };

    let remove = Callback::new(move |view: LeadViewRecord| {
        let client = client.clone();
        spawn_local(async move {
            match client.delete_lead_view(view.id).await {
                Ok(()) => {
                    toaster.success(format!("View “{}” deleted", view.name));
                    views.try_update(|v| {
                        if let Some(v) = v.as_mut() {
                            v.retain(|v| v.id != view.id);
                        }
                    });
                }
                Err(error) => toaster.error(&error),
            }
        });
    });

    let chip = move |view: LeadViewRecord| {
        let stored = LeadFilters::from_query(&view.filters);
        let href = format!("/m/leads{}", stored.query_string());
        let saved = stored.saved_query();
        let active = move || filters.with(|f| f.saved_query() == saved);
        let label = view.name.clone();
        let marker = view.shared.then(|| {
            view! {
                <span class="chip-marker" title="Shared with everyone in the organization">
                    "shared"
                </span>
            }
        });
        let actions = view.editable.then(|| {
            let id = view.id;
            let (current_name, current_shared) = (view.name.clone(), view.shared);
            let doomed = view.clone();
            let message = if view.shared {
                format!("“{}” disappears for everyone in the organization.", view.name)
            } else {
                format!("“{}” is deleted; the leads stay as they are.", view.name)
            };
            view! {
                <button
                    type="button"
                    class="chip-remove"
                    aria-label=format!("Rename the view {label}")
                    title="Rename or share"
                    on:click=move |_| {
                        edit_name.set(current_name.clone());
                        edit_shared.set(current_shared);
                        edit_problem.set(None);
                        editing.set(Some(id));
                    }
                >
                    "✎"
                </button>
                <ConfirmButton
                    label="×"
                    class="chip-remove"
                    aria_label=format!("Delete the view {label}")
                    title="Delete this view?"
                    message=message
                    confirm_label="Delete"
                    on_confirm=move |_| remove.run(doomed.clone())
                />
            }
        });
        view! {
            <span class="chip" class:chip-active=active data-testid="saved-view">
                <a href=href>{view.name.clone()}</a>
                {marker}
                {actions}
            </span>
        }
    };

    let edit_form = {
        let rename = rename.clone();
        move || {
            let rename = rename.clone();
            view! {
                <form class="row" on:submit=rename>
                    <input
                        id="lead-view-rename"
                        type="text"
                        aria-label="New name of the view"
                        aria-invalid=move || edit_problem.with(|p| p.as_ref().and_then(|p| p.field_message("name")).map(|_| "true"))
                        autofocus
                        bind:value=edit_name
                    />
                    <label class="checkbox small">
                        <input type="checkbox" bind:checked=edit_shared />
                        "Share with everyone"
                    </label>
                    <button type="submit" class="btn btn-primary btn-sm" disabled=move || busy.get()>
                        "Save"
                    </button>
                    <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| editing.set(None)>
                        "Cancel"
                    </button>
                    <FieldErrorView problem=edit_problem name="name" />
                </form>
            }
        }
    };

    let chips = move || {
        let editing_id = editing.get();
        views
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|view| if Some(view.id) == editing_id { edit_form().into_any() } else { chip(view).into_any() })
            .collect_view()
    };

    view! {
        <div class="saved-views">
            <span class="label">"Views"</span>
            <a href="/m/leads" class="chip" class:chip-active=move || filters.with(|f| *f == LeadFilters::default())>
                "All leads"
            </a>
            {move || {
                session
                    .may_assign()
                    .then(|| {
                        view! {
                            <a
                                href=super::filters::unassigned_href()
                                class="chip"
                                data-testid="view-unassigned"
                                class:chip-active=move || filters.with(|f| *f == super::filters::unassigned_queue())
                            >
                                "Unassigned"
                            </a>
                        }
                    })
            }}
            {chips}
            {move || failed.get().then(|| view! { <span class="muted small">"Saved views are not available right now."</span> })}
            {move || {
                if naming.get() {
                    let save = save.clone();
                    view! {
                        <form class="row" on:submit=save>
                            <input
                                id="lead-view-name"
                                type="text"
                                placeholder="Name of this view"
                                aria-label="Name of this view"
                                aria-invalid=move || problem.with(|p| p.as_ref().and_then(|p| p.field_message("name")).map(|_| "true"))
                                autofocus
                                bind:value=name
                            />
                            <label class="checkbox small">
                                <input id="lead-view-shared" type="checkbox" bind:checked=shared />
                                "Share with everyone"
                            </label>
                            <button type="submit" class="btn btn-primary btn-sm" disabled=move || busy.get()>
                                "Save"
                            </button>
                            <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| naming.set(false)>
                                "Cancel"
                            </button>
                            <FieldErrorView problem name="name" />
                        </form>
                    }
                        .into_any()
                } else {
                    view! {
                        <button
                            id="lead-save-view"
                            type="button"
                            class="btn btn-ghost btn-sm"
                            disabled=move || failed.get()
                            on:click=move |_| {
                                problem.set(None);
                                naming.set(true);
                            }
                        >
                            "Save view"
                        </button>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}
