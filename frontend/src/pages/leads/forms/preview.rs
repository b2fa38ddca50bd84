//! The form as a visitor will see it, drawn from the builder's unsaved state.

use kith_domain::leads::webforms::FormTarget;
use leptos::prelude::*;

use super::builder::{Draft, FieldRow};

#[component]
pub fn FormPreview(draft: Draft) -> impl IntoView {
    // "Send" in the preview shows what happens next instead of submitting anything.
    let sent = RwSignal::new(false);
    let consent = move || {
        let text = draft.consent.get();
        (!text.trim().is_empty()).then(|| {
            view! {
                <label class="preview-consent">
                    <input type="checkbox" required />
                    <span>{text}</span>
                </label>
            }
        })
    };
    let after = move || {
        match draft.redirect.get().trim() {
        "" => {
            let thanks = draft.thanks.get();
            let thanks = if thanks.trim().is_empty() { "Thank you!".to_owned() } else { thanks };
            view! { <p class="preview-thanks">{thanks}</p> }.into_any()
        }
        url => view! {
            <p class="preview-thanks">
                "Visitors are sent to " <code>{url.to_owned()}</code> " (the HTML embed) or see the thank-you message (the script embed)."
            </p>
        }
        .into_any(),
    }
    };
    view! {
        <section class="card preview-pane" aria-label="Preview">
            <div class="card-header">
                <div>
                    <h2>"Preview"</h2>
                    <p class="card-text">"As visitors see it; changes show as you type."</p>
                </div>
            </div>
            <div class="card-body">
                {move || {
                    if sent.get() {
                        view! {
                            <div class="form-preview" data-testid="form-preview-sent">
                                {after}
                                <button type="button" class="btn btn-ghost btn-sm" on:click=move |_| sent.set(false)>
                                    "Back to the form"
                                </button>
                            </div>
                        }
                            .into_any()
                    } else {
                        view! {
                            <form
                                class="form-preview"
                                id="form-preview"
                                on:submit=move |ev| {
                                    ev.prevent_default();
                                    sent.set(true);
                                }
                            >
                                {move || draft.fields.with(Vec::is_empty).then(|| view! { <p class="muted small">"Add a field to see it here."</p> })}
                                <For
                                    each=move || draft.fields.get()
                                    key=|row| row.key
                                    children=move |row| view! { <PreviewField row /> }
                                />
                                {consent}
                                <div>
                                    <button type="submit" class="btn btn-primary">
                                        "Send"
                                    </button>
                                </div>
                            </form>
                        }
                            .into_any()
                    }
                }}
            </div>
        </section>
    }
}

#[component]
fn PreviewField(row: FieldRow) -> impl IntoView {
    let label = move || {
        let label = row.label.get();
        if label.trim().is_empty() {
            "(no label)".to_owned()
        } else {
            label
        }
    };
    let input = move || {
        let required = row.required.get();
        let name = row.name.get();
        match row.target.get() {
            FormTarget::Message => view! { <textarea name=name required=required></textarea> }.into_any(),
            target => view! { <input type=target.input_type() name=name required=required /> }.into_any(),
        }
    };
    view! {
        <label class="preview-field" data-testid="preview-field">
            <span class="preview-label">
                {label}
                {move || row.required.get().then(|| view! { <span class="preview-required" aria-hidden="true">" *"</span> })}
            </span>
            {input}
        </label>
    }
}
