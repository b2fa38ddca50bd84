//! Values shown for copying (an invitation link, a new API key's secret, embed code).

use leptos::prelude::*;

use crate::components::toast::{use_toaster, Toaster};

/// Put `text` on the clipboard and say so.
fn copy(toaster: Toaster, text: &str) {
    if let Some(window) = web_sys::window() {
        // Fire and forget: the value stays on screen if the browser refuses.
        let _ = window.navigator().clipboard().write_text(text);
        toaster.success("Copied to the clipboard");
    }
}

#[component]
pub fn CopyValue(
    #[prop(into)] value: String,
    /// The id of the element holding the value, for tests and labels.
    #[prop(optional)]
    id: Option<&'static str>,
) -> impl IntoView {
    view! {
        <div class="row">
            <code id=id class="secret-value">{value.clone()}</code>
            <CopyButton value />
        </div>
    }
}

/// A "Copy" button for a value shown elsewhere (e.g. code in a read-only textarea).
#[component]
pub fn CopyButton(
    #[prop(into)] value: String,
    /// The button's id, for tests.
    #[prop(optional)]
    id: Option<&'static str>,
) -> impl IntoView {
    let toaster = use_toaster();
    view! {
        <button id=id type="button" class="btn btn-secondary btn-sm" on:click=move |_| copy(toaster, &value)>
            "Copy"
        </button>
    }
}
