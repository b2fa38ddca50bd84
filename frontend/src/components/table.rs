//! Lists: cursor-paged loading with "Load more", loading and empty states.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use kith_client::Client;
use kith_domain::core::page::Page;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::use_client;
use crate::components::toast::{use_toaster, Toaster};

/// Where a list's pages come from: the call for the page after a cursor.
type Source<T> = Rc<dyn Fn(Option<String>) -> Pin<Box<dyn Future<Output = kith_client::Result<Page<T>>>>>>;

/// A list loaded page by page through `next_cursor`.
pub struct Paged<T: Send + Sync + 'static> {
    pub items: RwSignal<Vec<T>>,
    pub next_cursor: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
    /// True once the first page arrived, to tell "still loading" from "empty".
    pub loaded: RwSignal<bool>,
    /// What went wrong with the last read, shown instead of a spinner that never ends.
    pub failed: RwSignal<Option<String>>,
    /// Bumped by every reload, so the answer to an older query never overwrites a newer one.
    generation: StoredValue<u64>,
    source: StoredValue<Option<Source<T>>, LocalStorage>,
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
            failed: RwSignal::new(None),
            generation: StoredValue::new(0),
            source: StoredValue::new_local(None),
            toaster: use_toaster(),
        }
    }

    /// A list read page by page with `fetch` (given the client and the cursor); the first page
    /// loads at once, [`Paged::refresh`] and [`Paged::next`] read again and on.
    pub fn of<Fut>(fetch: impl Fn(Client, Option<String>) -> Fut + 'static) -> Self
    where
        Fut: Future<Output = kith_client::Result<Page<T>>> + 'static,
    {
        let paged = Self::new();
        let client = use_client();
        let source: Source<T> = Rc::new(move |cursor| Box::pin(fetch(client.clone(), cursor)));
        paged.source.set_value(Some(source));
        paged.refresh();
        paged
    }

    /// Load the first page again from the list's own source (see [`Paged::of`]).
    pub fn refresh(self) {
        if let Some(source) = self.source.try_get_value().flatten() {
            self.reload(move |cursor| source(cursor));
        }
    }

    /// Append the next page from the list's own source.
    pub fn next(self) {
        if let Some(source) = self.source.try_get_value().flatten() {
            self.more(move |cursor| source(cursor));
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
        self.failed.set(None);
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
                Err(error) => {
                    let problem = crate::api::problem_of(&error);
                    self.failed.set(Some(problem.detail.unwrap_or(problem.title)));
                    self.toaster.error(&error);
                }
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

/// The footer of a paged table: a "Load more" button while there is a next page. Without `on_more`
/// it loads the next page from the list's own source.
#[component]
pub fn LoadMore<T: Send + Sync + 'static>(
    paged: Paged<T>,
    #[prop(optional, into)] on_more: Option<Callback<()>>,
) -> impl IntoView {
    let on_more = on_more.unwrap_or_else(|| Callback::new(move |()| paged.next()));
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
        let body = if let Some(why) = paged.failed.get() {
            view! {
                <div class="load-failed" data-testid="load-failed">
                    <EmptyState icon="!" title="Could not load this list" text=why />
                    <div class="form-actions">
                        <button type="button" class="btn btn-secondary btn-sm" on:click=move |_| paged.refresh()>
                            "Try again"
                        </button>
                    </div>
                </div>
            }
            .into_any()
        } else if paged.loaded.get() {
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

/// A list's table: the column headings (label and class, e.g. `("Points", "num")`) and the rows
/// (the children), or the empty state when there are none.
#[component]
pub fn ListTable(
    #[prop(optional)] id: Option<&'static str>,
    columns: &'static [(&'static str, &'static str)],
    /// No rows: show the empty state instead of the table.
    empty: bool,
    empty_title: &'static str,
    #[prop(optional)] empty_text: &'static str,
    #[prop(optional)] empty_icon: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    if empty {
        return match empty_icon {
            Some(icon) => view! { <EmptyState title=empty_title text=empty_text icon /> }.into_any(),
            None => view! { <EmptyState title=empty_title text=empty_text /> }.into_any(),
        };
    }
    view! {
        <div class="table-wrap">
            <table class="table" id=id>
                <TableHead columns />
                // The rows are drawn once per loaded list; what they read is not tracked here.
                <tbody>{untrack(children)}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// A table's heading row: label and class per column.
#[component]
pub fn TableHead(columns: &'static [(&'static str, &'static str)]) -> impl IntoView {
    view! {
        <thead>
            <tr>
                {columns
                    .iter()
                    .map(|(label, class)| view! { <th class=(!class.is_empty()).then_some(*class)>{*label}</th> })
                    .collect_view()}
            </tr>
        </thead>
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
