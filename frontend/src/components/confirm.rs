//! Confirmation before destructive actions: a button that opens a small dialog.

use leptos::prelude::*;

#[component]
pub fn ConfirmButton(
    /// The button's text.
    label: &'static str,
    /// The dialog's question, e.g. "Revoke this API key?".
    #[prop(into)]
    title: String,
    /// What will happen, in a sentence.
    #[prop(into)]
    message: String,
    /// The confirming button's text, e.g. "Revoke".
    confirm_label: &'static str,
    #[prop(into)] on_confirm: Callback<()>,
    /// The button's class, when not the usual small secondary button (e.g. a chip's "×").
    #[prop(optional)]
    class: Option<&'static str>,
    /// The button's accessible name, when its text alone does not say it (e.g. "×").
    #[prop(optional, into)]
    aria_label: Option<String>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    view! {
        <button
            type="button"
            class=class.unwrap_or("btn btn-secondary btn-sm")
            aria-label=aria_label
            on:click=move |_| open.set(true)
        >
            {label}
        </button>
        {move || {
            open.get()
                .then(|| {
                    let title = title.clone();
                    let message = message.clone();
                    view! {
                        <div
                            class="modal-backdrop"
                            on:click=move |_| open.set(false)
                            on:keydown=move |ev| {
                                if ev.key() == "Escape" {
                                    open.set(false);
                                }
                            }
                        >
                            <div
                                class="modal"
                                role="alertdialog"
                                aria-modal="true"
                                on:click=|ev| ev.stop_propagation()
                            >
                                <h2>{title}</h2>
                                <p>{message}</p>
                                <div class="modal-actions">
                                    <button
                                        type="button"
                                        class="btn btn-secondary"
                                        on:click=move |_| open.set(false)
                                    >
                                        "Cancel"
                                    </button>
                                    <button
                                        type="button"
                                        class="btn btn-danger"
                                        autofocus
                                        on:click=move |_| {
                                            open.set(false);
                                            on_confirm.run(());
                                        }
                                    >
                                        {confirm_label}
                                    </button>
                                </div>
                            </div>
                        </div>
                    }
                })
        }}
    }
}
