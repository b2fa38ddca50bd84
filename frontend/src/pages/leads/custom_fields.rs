//! Custom lead fields: typed fields administrators add to leads (text, number, date, yes/no, a
//! choice from a list). Lead readers see the list; leads show and edit the values.

use kith_domain::core::custom_fields::{CustomFieldInput, CustomFieldKind, CustomFieldPatch, CustomFieldView};
use leptos::prelude::*;

use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{invalid, Field, FormAlert};
use crate::components::table::ListTable;
use crate::components::toast::use_toaster;
use crate::data::{load, Loaded, Save, StaleNotice, SubmitButton};

const COLUMNS: &[(&str, &str)] =
    &[("Label", ""), ("Key", ""), ("Kind", ""), ("Options", ""), ("Required", ""), ("", "actions")];

#[component]
pub fn CustomFieldsPage() -> impl IntoView {
    let toaster = use_toaster();
    let session = use_session();
    let fields = load(|client| async move { client.custom_fields_of("lead").await });

    let delete = Save::new(
        |client, field: CustomFieldView| async move { client.delete_custom_field(field.id).await.map(|()| field) },
        move |field: CustomFieldView| {
            toaster.success(format!("Field {} deleted", field.label));
            fields.update(|all| all.retain(|f| f.id != field.id));
        },
    );
    let toggle_required = Save::new(
        |client, field: CustomFieldView| async move {
            let patch = CustomFieldPatch { required: Some(!field.required), ..Default::default() };
            client.update_custom_field(field.id, field.version, &patch).await
        },
        move |saved: CustomFieldView| {
            toaster.success(format!("Field {} saved", saved.label));
            fields.update(|all| all.iter_mut().filter(|f| f.id == saved.id).for_each(|f| *f = saved.clone()));
        },
    );

    let rows = move |all: Vec<CustomFieldView>| {
        let admin = session.is_admin();
        all.into_iter()
            .map(|field| {
                let actions = admin.then(|| {
                    let flip = field.clone();
                    let doomed = field.clone();
                    let message = format!("Leads stop showing their “{}” values. The key stays reserved.", field.label);
                    view! {
                        <button
                            type="button"
                            class="btn btn-secondary btn-sm"
                            disabled=move || toggle_required.busy()
                            on:click=move |_| toggle_required.dispatch(flip.clone())
                        >
                            {if field.required { "Make optional" } else { "Make required" }}
                        </button>
                        <ConfirmButton
                            label="Delete"
                            title="Delete this field?"
                            message=message
                            confirm_label="Delete"
                            on_confirm=move |_| delete.dispatch(doomed.clone())
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
                <StaleNotice stale=toggle_required.stale what="field" on_reload=move |_| fields.reload() />
                <Loaded data=fields what="the custom fields" let:all>
                    <ListTable
                        columns=COLUMNS empty=all.is_empty()
                        empty_title="No custom fields yet"
                        empty_text="Add fields your team needs on every lead, e.g. a budget band or the number of seats."
                    >
                        {rows(all)}
                    </ListTable>
                </Loaded>
            </section>
            {move || {
                session.is_admin().then(|| view! { <NewFieldForm on_saved=move |saved| fields.update(|all| all.push(saved)) /> })
            }}
        </div>
    }
}

fn kind_value(kind: CustomFieldKind) -> &'static str {
    kind.as_str()
}

#[component]
fn NewFieldForm(#[prop(into)] on_saved: Callback<CustomFieldView>) -> impl IntoView {
    let toaster = use_toaster();
    let label = RwSignal::new(String::new());
    let key = RwSignal::new(String::new());
    let kind = RwSignal::new(CustomFieldKind::Text);
    let options = RwSignal::new(String::new());
    let required = RwSignal::new(false);
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

    let create = Save::new(
        |client, input: CustomFieldInput| async move { client.create_custom_field(&input).await },
        move |saved: CustomFieldView| {
            toaster.success(format!("Field {} added", saved.label));
            label.set(String::new());
            key.set(String::new());
            options.set(String::new());
            key_typed.set(false);
            on_saved.run(saved);
        },
    );
    let problem = create.problem;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let kind_now = kind.get_untracked();
        create.dispatch(CustomFieldInput {
            record_kind: "lead".into(),
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
                        <SubmitButton save=create id="custom-field-save" label="Add field" />
                    </div>
                </form>
            </div>
        </section>
    }
}
