//! Lists edited row by row (a form's fields, a sequence's steps): stable keys for `<For>`, moving a
//! row, and the errors the API reported for one row.

use std::sync::atomic::{AtomicU64, Ordering};

use kith_domain::Problem;
use leptos::prelude::*;

static NEXT_KEY: AtomicU64 = AtomicU64::new(0);

/// A key for a new row, so typing in one row never re-renders the others.
pub fn next_key() -> u64 {
    NEXT_KEY.fetch_add(1, Ordering::Relaxed)
}

/// Move the row with `key` one place up or down, when there is a place to go.
pub fn move_row<T>(rows: &mut [T], key_of: impl Fn(&T) -> u64, key: u64, up: bool) {
    let Some(i) = rows.iter().position(|r| key_of(r) == key) else {
        return;
    };
    let j = if up { i.checked_sub(1) } else { Some(i + 1).filter(|j| *j < rows.len()) };
    if let Some(j) = j {
        rows.swap(i, j);
    }
}

/// The messages for `path` itself and everything below it (`steps[2]`, `steps[2].subject`); tracks
/// the problem.
pub fn errors_under(problem: RwSignal<Option<Problem>>, path: &str) -> Vec<String> {
    problem.with(|p| {
        p.as_ref()
            .map(|p| {
                p.errors
                    .iter()
                    .filter(|e| e.field.strip_prefix(path).is_some_and(|rest| rest.is_empty() || rest.starts_with('.')))
                    .map(|e| e.message.clone())
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// `"true"` while the problem names exactly `path`, for an input's `aria-invalid`; tracks the problem.
pub fn invalid_at(problem: RwSignal<Option<Problem>>, path: &str) -> Option<&'static str> {
    problem.with(|p| p.as_ref().and_then(|p| p.field_message(path)).is_some()).then_some("true")
}

/// Up and down buttons and a remove button for one row.
#[component]
pub fn RowControls(
    /// What the row is, for the buttons' labels ("field", "step").
    noun: &'static str,
    #[prop(into)] first: Signal<bool>,
    #[prop(into)] last: Signal<bool>,
    #[prop(into)] on_move: Callback<bool>,
    #[prop(into)] on_remove: Callback<()>,
) -> impl IntoView {
    view! {
        <div class="row-controls">
            <button
                type="button"
                class="btn btn-ghost btn-sm"
                aria-label=format!("Move this {noun} up")
                title="Move up"
                disabled=move || first.get()
                on:click=move |_| on_move.run(true)
            >
                "↑"
            </button>
            <button
                type="button"
                class="btn btn-ghost btn-sm"
                aria-label=format!("Move this {noun} down")
                title="Move down"
                disabled=move || last.get()
                on:click=move |_| on_move.run(false)
            >
                "↓"
            </button>
            <button
                type="button"
                class="btn btn-ghost btn-sm"
                aria-label=format!("Remove this {noun}")
                title="Remove"
                on:click=move |_| on_remove.run(())
            >
                "×"
            </button>
        </div>
    }
}
