//! A value shown for copying (an invitation link, a new API key's secret).

use leptos::prelude::*;

use crate::components::toast::use_toaster;

#[component]
pub fn CopyValue(
    #[prop(into)] value: String,
    /// The id of the element holding the value, for tests and labels.
    #[prop(optional)]
    id: Option<&'static str>,
) -> impl IntoView {
    let toaster = use_toaster();
    let copied = value.clone();
    let copy = move |_| {
        if let Some(window) = web_sys::window() {
            // Fire and forget: the value stays on screen if the browser refuses.
            let _ = window.navigator().clipboard().write_text(&copied);
            toaster.success("Copied to the clipboard");
        }
    };
    view! {
        <div class="row">
            <code id=id class="secret-value">{value}</code>
            <button type="button" class="btn btn-secondary btn-sm" on:click=copy>"Copy"</button>
        </div>
    }
}
