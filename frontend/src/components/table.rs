//! Lists: cursor-paged loading with "Load more", loading and empty states.

use std::future::Future;

use kith_domain::core::page::Page;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::toast::{use_toaster, Toaster};

/// A list loaded page by page through `next_cursor`.
pub struct Paged<T: Send + Sync + 'static> {
    pub items: RwSignal<Vec<T>>,
    pub next_cursor: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    /// True once the first page arrived, to tell "still loading" from "empty".
    pub loaded: RwSignal<bool>,
    /// Bumped by every reload, so the answer to an older query never overwrites a newer one.
    generation: StoredValue<u64>,
    toaster: Toaster,
}

impl<T: Send + Sync + 'static> Clone for Paged<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Send + Sync + 'static> Copy for Paged<T> {}

impl<T: Send + Sync + 'static> Paged<T> {
    pub fn new() -> Self {
        Paged {
            items: RwSignal::new(Vec::new()),
            next_cursor: RwSignal::new(None),
            loading: RwSignal::new(false),
            loaded: RwSignal::new(false),
            generation: StoredValue::new(0),
            toaster: use_toaster(),
        }
    }

    /// Load the first page again, replacing the list.
    pub fn reload<F, Fut>(self, fetch: F)
    where
        F: FnOnce(Option<String>) -> Fut + 'static,
        Fut: Future<Output = kith_client::Result<Page<T>>> + 'static,
    {
        self.generation.update_value(|g| *g += 1);
        self.fetch(None, fetch);
    }

    /// Append the next page, if there is one.
    pub fn more<F, Fut>(self, fetch: F)
    where
        F: FnOnce(Option<String>) -> Fut + 'static,
        Fut: Future<Output = kith_client::Result<Page<T>>> + 'static,
    {
        if let Some(cursor) = self.next_cursor.get_untracked() {
            self.fetch(Some(cursor), fetch);
        }
    }

    fn fetch<F, Fut>(self, cursor: Option<String>, fetch: F)
    where
        F: FnOnce(Option<String>) -> Fut + 'static,
        Fut: Future<Output = kith_client::Result<Page<T>>> + 'static,
    {
        let generation = self.generation.get_value();
        let append = cursor.is_some();
        self.loading.set(true);
        spawn_local(async move {
            let result = fetch(cursor).await;
            // The page was left (signals disposed) or a newer query was started.
            if self.generation.try_get_value() != Some(generation) {
                return;
            }
            self.loading.set(false);
            match result {
                Ok(page) => {
                    if append {
                        self.items.update(|items| items.extend(page.items));
                    } else {
                        self.items.set(page.items);
                    }
                    self.next_cursor.set(page.next_cursor);
                    self.loaded.set(true);
                }
                Err(error) => self.toaster.error(&error),
            }
        });
    }

    /// Replace the items `matches` selects, e.g. with the server's answer to an update.
    pub fn replace(self, matches: impl Fn(&T) -> bool, with: T)
    where
        T: Clone,
    {
        self.items.update(|items| {
            for item in items.iter_mut().filter(|i| matches(i)) {
                *item = with.clone();
            }
        });
    }

    pub fn remove(self, matches: impl Fn(&T) -> bool) {
        self.items.update(|items| items.retain(|i| !matches(i)));
    }
}

/// The footer of a paged table: a "Load more" button while there is a next page.
#[component]
pub fn LoadMore<T: Send + Sync + 'static>(paged: Paged<T>, #[prop(into)] on_more: Callback<()>) -> impl IntoView {
    move || {
        paged.next_cursor.with(Option::is_some).then(|| {
            view! {
                <div class="table-footer">
                    <button
                        type="button"
                        class="btn btn-secondary btn-sm"
                        disabled=move || paged.loading.get()
                        on:click=move |_| on_more.run(())
                    >
                        {move || if paged.loading.get() { "Loading…" } else { "Load more" }}
                    </button>
                </div>
            }
        })
    }
}

/// A table row spanning `columns` that says the list is loading or empty.
#[component]
pub fn StatusRow<T: Send + Sync + 'static>(
    paged: Paged<T>,
    columns: u32,
    empty_title: &'static str,
    #[prop(optional)] empty_text: &'static str,
) -> impl IntoView {
    move || {
        if !paged.items.with(Vec::is_empty) {
            return None;
        }
        let body = if paged.loaded.get() {
            view! { <EmptyState title=empty_title text=empty_text /> }.into_any()
        } else {
            view! { <Loading /> }.into_any()
        };
        Some(view! {
            <tr>
                <td colspan=columns>{body}</td>
            </tr>
        })
    }
}

#[component]
pub fn EmptyState(
    #[prop(into)] title: String,
    #[prop(optional, into)] text: String,
    #[prop(optional)] icon: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="empty">
            {icon.map(|icon| view! { <div class="empty-icon" aria-hidden="true">{icon}</div> })}
            <div class="empty-title">{title}</div>
            {(!text.is_empty()).then(|| view! { <p class="empty-text">{text}</p> })}
        </div>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <div class="loading">
            <span class="spinner"></span>
            "Loading…"
        </div>
    }
}
