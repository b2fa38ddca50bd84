//! Any address the router does not know.

use leptos::prelude::*;

use crate::components::table::EmptyState;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <div class="auth">
            <div class="card auth-card">
                <EmptyState
                    icon="?"
                    title="Page not found"
                    text="The address may be mistyped, or the page has moved."
                />
                <p class="auth-footer">
                    <a href="/">"Go to your home page"</a>
                </p>
            </div>
        </div>
    }
}
