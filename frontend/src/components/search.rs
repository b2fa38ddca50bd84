//! The search box in the top bar: records of every kind the signed-in person may read whose name,
//! email, company or phone hold every word typed (`GET /search`; the server applies each kind's
//! record scope). Results come as the person types (after a short pause); Enter opens the first,
//! Escape closes the list.

use std::time::Duration;

use kith_domain::core::search::{has_indexed_term, terms, SearchHit, MIN_INDEXED_TERM_CHARS};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use crate::api::{problem_of, use_client};
use crate::registry;

/// How many hits the list shows; the full lists have their own search.
const HITS: u32 = 8;
/// How long typing must pause before a search is sent.
const PAUSE: Duration = Duration::from_millis(250);

#[component]
pub fn SearchBox() -> impl IntoView {
    let client = use_client();
    let navigate = StoredValue::new_local(use_navigate());
    let typed = RwSignal::new(String::new());
    // What is searched: the typed text once typing paused.
    let query = RwSignal::new(String::new());
    let open = RwSignal::new(false);
    Effect::new(move |_| {
        let text = typed.get();
        set_timeout(
            move || {
                if typed.get_untracked() == text {
                    query.set(text);
                }
            },
            PAUSE,
        );
    });
    let results = LocalResource::new(move || {
        let q = query.get();
        let client = client.clone();
        async move {
            if !has_indexed_term(&terms(&q)) {
                return None;
            }
            Some(client.search(&q, Some(HITS)).await.map_err(|error| problem_of(&error)))
        }
    });

    let go = move |hit: &SearchHit| {
        if let Some(path) = registry::record_href(&hit.kind, &hit.id) {
            open.set(false);
            typed.set(String::new());
            navigate.with_value(|navigate| navigate(&path, Default::default()));
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Escape" => open.set(false),
        "Enter" => {
            ev.prevent_default();
            let first = results.get().flatten().and_then(|r| r.ok()).and_then(|r| r.hits.into_iter().next());
            if let Some(hit) = first {
                go(&hit);
            }
        }
        _ => open.set(true),
    };

    let panel = move || {
        let text = typed.get();
        if !open.get() || text.trim().is_empty() {
            return None;
        }
        let body = if !has_indexed_term(&terms(&text)) {
            view! {
                <p class="search-note">{format!("Type at least {MIN_INDEXED_TERM_CHARS} characters to search.")}</p>
            }
            .into_any()
        } else if query.get() != text {
            view! { <p class="search-note">"Searching…"</p> }.into_any()
        } else {
            match results.get().flatten() {
                None => view! { <p class="search-note">"Searching…"</p> }.into_any(),
                Some(Err(problem)) => view! { <p class="search-note error">{problem.title}</p> }.into_any(),
                Some(Ok(found)) if found.hits.is_empty() => {
                    view! { <p class="search-note">{format!("Nothing you can see matches “{}”.", text.trim())}</p> }
                        .into_any()
                }
                Some(Ok(found)) => {
                    let more = found.more.then(|| {
                        view! { <p class="search-note">"More records match: add a word to narrow the search."</p> }
                    });
                    view! {
                        <ul class="search-hits" role="listbox">
                            {found
                                .hits
                                .into_iter()
                                .map(|hit| {
                                    let label = registry::kind(&hit.kind).map_or("Record", |k| k.label);
                                    let (title, subtitle) = (hit.title.clone(), hit.subtitle.clone());
                                    view! {
                                        <li
                                            class="search-hit"
                                            role="option"
                                            on:mousedown=move |ev| {
                                                ev.prevent_default();
                                                go(&hit);
                                            }
                                        >
                                            <span class="search-hit-title">{title}</span>
                                            <span class="search-hit-meta">
                                                <span class="badge">{label}</span>
                                                " "
                                                {subtitle}
                                            </span>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                        {more}
                    }
                    .into_any()
                }
            }
        };
        Some(view! { <div class="dropdown search-panel">{body}</div> })
    };

    view! {
        <div class="search-box">
            <input
                id="global-search"
                type="search"
                placeholder="Search records…"
                aria-label="Search records"
                autocomplete="off"
                prop:value=move || typed.get()
                on:input=move |ev| {
                    typed.set(event_target_value(&ev));
                    open.set(true);
                }
                on:keydown=on_key
                on:focus=move |_| open.set(true)
                on:blur=move |_| open.set(false)
            />
            {panel}
        </div>
    }
}
