//! The form as a visitor will see it, drawn from the builder's unsaved state.

use kith_domain::core::custom_fields::CustomFieldView;
use kith_domain::leads::webforms::{public_fields, InputKind, PublicField};
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
                                    children=move |row| view! { <PreviewField row custom=draft.custom_fields /> }
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
fn PreviewField(row: FieldRow, custom: RwSignal<Vec<CustomFieldView>>) -> impl IntoView {
    // Drawn from what visitors get (`public_fields`), so the preview and the embeds agree on every
    // input: a custom field by its kind, the country as a choice of countries.
    let public = Memo::new(move |_| {
        let field = row.field_tracked();
        custom.with(|defs| public_fields(std::slice::from_ref(&field), defs)).into_iter().next()
    });
    let label = move || {
        let label = row.label.get();
        if label.trim().is_empty() {
            "(no label)".to_owned()
        } else {
            label
        }
    };
    let required =
        move || row.required.get().then(|| view! { <span class="preview-required" aria-hidden="true">" *"</span> });
    move || {
        let Some(field) = public.get() else {
            return view! { <p class="muted small">"(a deleted custom field: visitors do not see it)"</p> }.into_any();
        };
        let help = field.help_text.clone().map(|h| view! { <small class="field-hint">{h}</small> });
        if field.input == InputKind::Checkbox {
            return view! {
                <label class="preview-consent" data-testid="preview-field">
                    <input type="checkbox" name=field.name.clone() required=field.required />
                    <span>{label} {required}</span>
                </label>
                {help}
            }
            .into_any();
        }
        view! {
            <label class="preview-field" data-testid="preview-field">
                <span class="preview-label">{label} {required}</span>
                {control(&field)}
                {help}
            </label>
        }
        .into_any()
    }
}

fn control(field: &PublicField) -> AnyView {
    let name = field.name.clone();
    let required = field.required;
    let choices = |pairs: Vec<(String, String)>| {
        pairs.into_iter().map(|(value, text)| view! { <option value=value>{text}</option> }).collect_view()
    };
    match field.input {
        InputKind::Textarea => view! { <textarea name=name required=required></textarea> }.into_any(),
        InputKind::Select => {
            let options = choices(field.options.iter().map(|o| (o.clone(), o.clone())).collect());
            view! { <select name=name required=required><option value="">"—"</option>{options}</select> }.into_any()
        }
        InputKind::Country => {
            let options = choices(
                kith_domain::core::countries::COUNTRIES
                    .iter()
                    .map(|c| (c.code.to_owned(), c.name.to_owned()))
                    .collect(),
            );
            view! { <select name=name required=required><option value="">"—"</option>{options}</select> }.into_any()
        }
        kind => view! { <input type=kind.html_type() name=name required=required /> }.into_any(),
    }
}
