//! Confirmation before an action that cannot simply be taken back: a button that opens a small
//! dialog, or the dialog alone for a page that decides itself when to ask.

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
                    view! {
                        <ConfirmDialog
                            title=title.clone()
                            message=message.clone()
                            confirm_label=confirm_label
                            on_confirm=move |_| {
                                open.set(false);
                                on_confirm.run(());
                            }
                            on_cancel=move |_| open.set(false)
                        />
                    }
                })
        }}
    }
}

/// The dialog itself, shown while its parent renders it: Cancel (or Escape, or a click beside it)
/// calls `on_cancel`, the confirming button `on_confirm`.
#[component]
pub fn ConfirmDialog(
    #[prop(into)] title: String,
    #[prop(into)] message: String,
    #[prop(into)] confirm_label: String,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
    /// The confirming button's class: a red one unless the action destroys nothing.
    #[prop(default = "btn btn-danger")]
    confirm_class: &'static str,
) -> impl IntoView {
    view! {
        <div
            class="modal-backdrop"
            on:click=move |_| on_cancel.run(())
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    on_cancel.run(());
                }
            }
        >
            <div class="modal" role="alertdialog" aria-modal="true" on:click=|ev| ev.stop_propagation()>
                <h2>{title}</h2>
                <p>{message}</p>
                <div class="modal-actions">
                    <button
                        type="button"
                        class="btn btn-secondary"
                        data-testid="confirm-cancel"
                        on:click=move |_| on_cancel.run(())
                    >
                        "Cancel"
                    </button>
                    <button
                        type="button"
                        class=confirm_class
                        data-testid="confirm-ok"
                        autofocus
                        on:click=move |_| on_confirm.run(())
                    >
                        {confirm_label}
                    </button>
                </div>
            </div>
        </div>
    }
}
