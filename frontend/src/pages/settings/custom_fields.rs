//! Custom lead fields: typed fields administrators add to leads (text, number, date, yes/no, a
//! choice from a list). Lead readers see the list; leads show and edit the values.

use kith_domain::core::custom_fields::{CustomFieldInput, CustomFieldKind, CustomFieldPatch, CustomFieldView};
use kith_domain::Problem;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{problem_of, use_client};
use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{invalid, Field, FormAlert};
use crate::components::table::{EmptyState, Loading};
use crate::components::toast::use_toaster;

#[component]
pub fn CustomFieldsPage() -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let session = use_session();
    let fields = RwSignal::new(None::<Vec<CustomFieldView>>);
    let failed = RwSignal::new(false);

    let reload = Callback::new({
        let client = client.clone();
        move |()| {
            let client = client.clone();
            spawn_local(async move {
                match client.custom_fields().await {
                    Ok(found) => {
                        failed.try_set(false);
                        fields.try_set(Some(found));
                    }
                    Err(error) => {
                        failed.try_set(true);
                        toaster.error(&error);
                    }
                }
            });
        }
    });
    reload.run(());

    let delete = Callback::new({
        let client = client.clone();
        move |field: CustomFieldView| {
            let client = client.clone();
            spawn_local(async move {
                match client.delete_custom_field(field.id).await {
                    Ok(()) => {
                        toaster.success(format!("Field {} deleted", field.label));
                        reload.try_run(());
                    }
                    Err(error) => toaster.error(&error),
                }
            });
        }
    });

    let toggle_required = Callback::new(move |field: CustomFieldView| {
        let client = client.clone();
        spawn_local(async move {
            let patch = CustomFieldPatch { required: Some(!field.required), ..Default::default() };
            match client.update_custom_field(field.id, field.version, &patch).await {
                Ok(saved) => toaster.success(format!("Field {} saved", saved.label)),
                Err(error) => toaster.error(&error),
            }
            reload.try_run(());
        });
    });

    let rows = move || {
        let admin = session.is_admin();
        fields
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|field| {
                let actions = admin.then(|| {
                    let flip = field.clone();
                    let doomed = field.clone();
                    let message = format!("Leads stop showing their “{}” values. The key stays reserved.", field.label);
                    view! {
                        <button
                            type="button"
                            class="btn btn-secondary btn-sm"
                            on:click=move |_| toggle_required.run(flip.clone())
                        >
                            {if field.required { "Make optional" } else { "Make required" }}
                        </button>
                        <ConfirmButton
                            label="Delete"
                            title="Delete this field?"
                            message=message
                            confirm_label="Delete"
                            on_confirm=move |_| delete.run(doomed.clone())
                        />
                    }
                });
                view! {
                    <tr data-testid="custom-field">
                        <td>{field.label.clone()}</td>
                        <td class="muted">"custom." {field.key.clone()}</td>
                        <td>{field.kind.label()}</td>
                        <td class="muted">{field.options.join(", ")}</td>
                        <td>{if field.required { "Yes" } else { "No" }}</td>
                        <td class="actions">{actions}</td>
                    </tr>
                }
            })
            .collect_view()
    };

    let body = move || {
        if failed.get() && fields.with(Option::is_none) {
            return view! { <EmptyState title="The custom fields could not be loaded" text="Reload the page to try again." /> }
                .into_any();
        }
        match fields.with(|f| f.as_ref().map(Vec::is_empty)) {
            None => view! { <Loading /> }.into_any(),
            Some(true) => view! {
                <EmptyState
                    title="No custom fields yet"
                    text="Add fields your team needs on every lead, e.g. a budget band or the number of seats."
                />
            }
            .into_any(),
            Some(false) => view! {
                <div class="table-wrap">
                    <table class="table">
                        <thead>
                            <tr>
                                <th>"Label"</th>
                                <th>"Key"</th>
                                <th>"Kind"</th>
                                <th>"Options"</th>
                                <th>"Required"</th>
                                <th class="actions"></th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any(),
        }
    };

    view! {
        <div class="stack">
            <section class="card">
                <div class="card-header">
                    <div>
                        <h2>"Custom fields"</h2>
                        <p class="card-text">
                            "Fields every lead can hold; rules and filters use them as custom.<key>. "
                            {move || (!session.is_admin()).then_some("Only administrators can change them.")}
                        </p>
                    </div>
                </div>
                {body}
            </section>
            {move || session.is_admin().then(|| view! { <NewFieldForm on_saved=move |_| reload.run(()) /> })}
        </div>
    }
}

fn kind_value(kind: CustomFieldKind) -> &'static str {
    kind.as_str()
}

#[component]
fn NewFieldForm(#[prop(into)] on_saved: Callback<()>) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let label = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    let kind = RwSignal::new(CustomFieldKind::Text);
    let options = RwSignal::new(String::new());
    let required = RwSignal::new(false);
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);

    // The key follows the label until it is typed in.
    let key_typed = RwSignal::new(false);
    let suggest = move |text: &str| {
        let mut out = String::new();
        for c in text.trim().to_lowercase().chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
        }
        out.trim_end_matches('_').chars().take(50).collect::<String>()
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let kind_now = kind.get_untracked();
        let input = CustomFieldInput {
            key: key.get_untracked(),
            label: label.get_untracked(),
            kind: kind_now,
            options: if kind_now == CustomFieldKind::Select {
                options.get_untracked().split(',').map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect()
            } else {
                Vec::new()
            },
            required: required.get_untracked(),
            position: None,
        };
        problem.set(None);
        busy.set(true);
        let client = client.clone();
        spawn_local(async move {
            let result = client.create_custom_field(&input).await;
            busy.try_set(false);
            match result {
                Ok(saved) => {
                    toaster.success(format!("Field {} added", saved.label));
                    label.try_set(String::new());
                    key.try_set(String::new());
                    options.try_set(String::new());
                    key_typed.try_set(false);
                    on_saved.try_run(());
                }
                Err(error) => {
                    problem.set(Some(problem_of(&error)));
                    toaster.error(&error);
                }
            }
        });
    };

    view! {
        <section class="card">
            <div class="card-header">
                <h2>"New field"</h2>
            </div>
            <div class="card-body">
                <form class="form" on:submit=submit novalidate>
                    <FormAlert problem fields=&["label", "key", "kind", "options", "required"] prefixes=&["options["] />
                    <div class="form-grid">
                        <Field label="Label" id="custom-field-label" name="label" problem>
                            <input
                                id="custom-field-label"
                                type="text"
                                aria-invalid=invalid(problem, "label")
                                prop:value=move || label.get()
                                on:input=move |ev| {
                                    let text = event_target_value(&ev);
                                    if !key_typed.get_untracked() {
                                        key.set(suggest(&text));
                                    }
                                    label.set(text);
                                }
                            />
                        </Field>
                        <Field
                            label="Key"
                            id="custom-field-key"
                            name="key"
                            problem
                            hint="snake_case; fixed once created. Rules use custom.<key>."
                        >
                            <input
                                id="custom-field-key"
                                type="text"
                                aria-invalid=invalid(problem, "key")
                                prop:value=move || key.get()
                                on:input=move |ev| {
                                    key_typed.set(true);
                                    key.set(event_target_value(&ev));
                                }
                            />
                        </Field>
                        <Field label="Kind" id="custom-field-kind" name="kind" problem>
                            <select
                                id="custom-field-kind"
                                on:change=move |ev| {
                                    let value = event_target_value(&ev);
                                    if let Some(k) = CustomFieldKind::parse(&value) {
                                        kind.set(k);
                                    }
                                }
                            >
                                {CustomFieldKind::ALL
                                    .into_iter()
                                    .map(|k| {
                                        view! {
                                            <option value=kind_value(k) selected=move || kind.get() == k>
                                                {k.label()}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </Field>
                        <Field
                            label="Options"
                            id="custom-field-options"
                            name="options"
                            problem
                            hint="For a choice from a list: the choices, separated by commas."
                        >
                            <input
                                id="custom-field-options"
                                type="text"
                                disabled=move || kind.get() != CustomFieldKind::Select
                                aria-invalid=invalid(problem, "options")
                                prop:value=move || options.get()
                                on:input=move |ev| options.set(event_target_value(&ev))
                            />
                        </Field>
                        <div class="field">
                            <label class="checkbox">
                                <input
                                    id="custom-field-required"
                                    type="checkbox"
                                    prop:checked=move || required.get()
                                    on:change=move |ev| required.set(event_target_checked(&ev))
                                />
                                " Required when people create a lead"
                            </label>
                        </div>
                    </div>
                    <div class="form-actions">
                        <button id="custom-field-save" type="submit" class="btn btn-primary" disabled=move || busy.get()>
                            "Add field"
                        </button>
                    </div>
                </form>
            </div>
        </section>
    }
}
