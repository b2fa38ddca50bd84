//! Saved views: named filter sets kept in this browser (local storage), shown as chips.

use leptos::prelude::*;

use super::filters::LeadFilters;
use crate::auth::use_session;
use crate::browser;
use crate::components::toast::use_toaster;

/// (name, query string) pairs, in the order they were saved.
type Views = Vec<(String, String)>;

/// Views belong to the organization they filter.
fn storage_key(org: &str) -> String {
    format!("kith.lead-views.{org}")
}

fn load(key: &str) -> Views {
    browser::stored(key).and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default()
}

#[component]
pub fn SavedViews(filters: Memo<LeadFilters>) -> impl IntoView {
    let session = use_session();
    let toaster = use_toaster();
    let key = session
        .me
        .with_untracked(|me| storage_key(&me.as_ref().map(|me| me.organization.id.to_string()).unwrap_or_default()));
    let views = RwSignal::new(load(&key));
    let naming = RwSignal::new(false);
    let name = RwSignal::new(String::new());
    let key = StoredValue::new(key);

    let persist = move |next: Views| {
        let saved = serde_json::to_string(&next).map(|json| browser::store(&key.get_value(), &json)).unwrap_or(false);
        if !saved {
            toaster.failure("The view could not be saved", "This browser does not allow storing data for this site.");
            return;
        }
        views.set(next);
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let label = name.get_untracked().trim().to_owned();
        if label.is_empty() {
            return;
        }
        let query = filters.get_untracked().query_string();
        let mut next: Views = views.get_untracked().into_iter().filter(|(n, _)| *n != label).collect();
        next.push((label.clone(), query));
        persist(next);
        naming.set(false);
        name.set(String::new());
        toaster.success(format!("View “{label}” saved"));
    };

    let remove = move |label: String| {
        let next: Views = views.get_untracked().into_iter().filter(|(n, _)| *n != label).collect();
        persist(next);
    };

    let chips = move || {
        let current = filters.with(LeadFilters::query_string);
        views
            .get()
            .into_iter()
            .map(|(label, query)| {
                let active = query == current;
                let href = format!("/m/leads{query}");
                let remove_label = label.clone();
                view! {
                    <span class="chip" class:chip-active=active data-testid="saved-view">
                        <a href=href>{label.clone()}</a>
                        <button
                            type="button"
                            class="chip-remove"
                            aria-label=format!("Remove the view {label}")
                            on:click=move |_| remove(remove_label.clone())
                        >
                            "×"
                        </button>
                    </span>
                }
            })
            .collect_view()
    };

    view! {
        <div class="saved-views">
            <span class="label">"Views"</span>
            <a href="/m/leads" class="chip" class:chip-active=move || filters.with(|f| *f == LeadFilters::default())>
                "All leads"
            </a>
            {chips}
            {move || {
                if naming.get() {
                    view! {
                        <form class="row" on:submit=save>
                            <input
                                id="lead-view-name"
                                type="text"
                                placeholder="Name of this view"
                                aria-label="Name of this view"
                                autofocus
                                bind:value=name
                            />
                            <button type="submit" class="btn btn-primary btn-sm">
                                "Save"
                            </button>
                            <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| naming.set(false)>
                                "Cancel"
                            </button>
                        </form>
                    }
                        .into_any()
                } else {
                    view! {
                        <button
                            id="lead-save-view"
                            type="button"
                            class="btn btn-ghost btn-sm"
                            on:click=move |_| naming.set(true)
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
