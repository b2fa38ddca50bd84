//! Custom lead fields: typed fields administrators add to leads (text, number, date, yes/no, a
//! choice from a list). Lead readers see the list; leads show and edit the values.

use kith_domain::core::custom_fields::{
    CustomFieldInput, CustomFieldKind, CustomFieldPatch, CustomFieldView, OptionRename,
};
use kith_domain::CustomFieldId;
use leptos::prelude::*;

use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{invalid, Field, FieldError, FormAlert, TextField};
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
    // The field being edited (one at a time), shown in a card under the list.
    let editing = RwSignal::new(None::<CustomFieldId>);
    let saved = move |saved: CustomFieldView| {
        fields.update(|all| all.iter_mut().filter(|f| f.id == saved.id).for_each(|f| *f = saved.clone()));
        editing.set(None);
    };

    let rows = move |all: Vec<CustomFieldView>| {
        let admin = session.is_admin();
        all.into_iter()
            .map(|field| {
                let actions = admin.then(|| {
                    let doomed = field.clone();
                    let id = field.id;
                    let message = format!("Leads stop showing their “{}” values. The key stays reserved.", field.label);
                    view! {
                        <button
                            type="button"
                            class="btn btn-secondary btn-sm"
                            data-testid="custom-field-edit"
                            on:click=move |_| editing.set(Some(id))
                        >
                            "Edit"
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
                        <td>
                            {field.label.clone()}
                            {field.help_text.clone().map(|h| view! { <div class="muted small">{h}</div> })}
                        </td>
                        <td class="muted">"custom." {field.key.clone()}</td>
                        <td>{field.kind.label()}</td>
                        <td class="muted">
                            {field.options.join(", ")}
                            {(!field.retired_options.is_empty())
                                .then(|| {
                                    view! {
                                        <div class="small" data-testid="custom-field-retired">
                                            "Retired, still on leads: " {field.retired_options.join(", ")}
                                        </div>
                                    }
                                })}
                        </td>
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
                let field = editing.get().and_then(|id| fields.with(|all| all.iter().find(|f| f.id == id).cloned()).flatten());
                field
                    .map(|field| {
                        view! {
                            <EditFieldForm
                                field
                                on_saved=saved
                                on_cancel=move |()| editing.set(None)
                                on_reload=move |()| {
                                    editing.set(None);
                                    fields.reload();
                                }
                            />
                        }
                    })
            }}
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
    let help = RwSignal::new(String::new());
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
            help.set(String::new());
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
            help_text: Some(help.get_untracked()),
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
                    <FormAlert problem fields=&["label", "key", "kind", "options", "required", "help_text"] prefixes=&["options["] />
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
                        <TextField
                                    label="Help text"
                                    id="custom-field-help"
                                    name="help_text"
                                    problem
                                    value=help
                                    hint="Optional: shown under the input on lead forms and web forms."
                                />
                        <RequiredBox id="custom-field-required" required />
                    </div>
                    <div class="form-actions">
                        <SubmitButton save=create id="custom-field-save" label="Add field" />
                    </div>
                </form>
            </div>
        </section>
    }
}

/// One option in the editor: the text it had when the editor opened (`None` for a new one) and its
/// text now. A changed text is a rename: leads holding the old text get the new one.
#[derive(Clone)]
struct OptionRow {
    key: usize,
    original: Option<String>,
    text: RwSignal<String>,
}

/// What the editor sends: label, help text, required flag, and for a select field its options in
/// order, the renames (rows whose text changed) and, by leaving them out, the retired ones.
fn patch_of(label: &str, help: &str, required: bool, kind: CustomFieldKind, rows: &[OptionRow]) -> CustomFieldPatch {
    let select = kind == CustomFieldKind::Select;
    let options: Vec<String> = rows.iter().map(|r| r.text.get_untracked().trim().to_owned()).collect();
    let renamed_options = rows
        .iter()
        .filter_map(|r| {
            let to = r.text.get_untracked().trim().to_owned();
            r.original.as_ref().filter(|from| **from != to).map(|from| OptionRename { from: from.clone(), to })
        })
        .collect();
    CustomFieldPatch {
        label: Some(label.to_owned()),
        help_text: Some(help.to_owned()),
        options: select.then_some(options),
        renamed_options: if select { renamed_options } else { Vec::new() },
        required: Some(required),
        position: None,
    }
}

/// Change a field: its label, help text, required flag and a select field's options (add, rename,
/// reorder, retire). The key and kind are shown but fixed.
#[component]
fn EditFieldForm(
    field: CustomFieldView,
    #[prop(into)] on_saved: Callback<CustomFieldView>,
    #[prop(into)] on_cancel: Callback<()>,
    #[prop(into)] on_reload: Callback<()>,
) -> impl IntoView {
    let toaster = use_toaster();
    let label = RwSignal::new(field.label.clone());
    let help = RwSignal::new(field.help_text.clone().unwrap_or_default());
    let required = RwSignal::new(field.required);
    let next = StoredValue::new(0usize);
    let new_row = move |original: Option<String>, text: String| {
        let key = next.get_value();
        next.set_value(key + 1);
        OptionRow { key, original, text: RwSignal::new(text) }
    };
    let rows = RwSignal::new(field.options.iter().map(|o| new_row(Some(o.clone()), o.clone())).collect::<Vec<_>>());
    // Retired options the admin chose to offer again, in the list as rows of their own.
    let retired = RwSignal::new(field.retired_options.clone());
    let added = RwSignal::new(String::new());
    let select = field.kind == CustomFieldKind::Select;
    let (id, version, kind) = (field.id, field.version, field.kind);

    let save = Save::new(
        move |client, patch: CustomFieldPatch| async move { client.update_custom_field(id, version, &patch).await },
        move |saved: CustomFieldView| {
            toaster.success(format!("Field {} saved", saved.label));
            on_saved.run(saved);
        },
    );
    let problem = save.problem;
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let patch = patch_of(
            &label.get_untracked(),
            &help.get_untracked(),
            required.get_untracked(),
            kind,
            &rows.get_untracked(),
        );
        save.dispatch(patch);
    };
    let add = move || {
        let text = added.get_untracked().trim().to_owned();
        if !text.is_empty() {
            rows.update(|all| all.push(new_row(None, text)));
            added.set(String::new());
        }
    };
    let move_row = move |key: usize, by: isize| {
        rows.update(|all| {
            if let Some(i) = all.iter().position(|r| r.key == key) {
                let j = i as isize + by;
                if j >= 0 && (j as usize) < all.len() {
                    all.swap(i, j as usize);
                }
            }
        })
    };
    let option_error = move |i: usize| {
        problem.with(|p| p.as_ref().and_then(|p| p.field_message(&format!("options[{i}]")).map(str::to_owned)))
    };

    let numbered = move || rows.get().into_iter().enumerate().collect::<Vec<(usize, OptionRow)>>();
    let row_key = |pair: &(usize, OptionRow)| (pair.1.key, pair.0);
    let options_editor = select.then(|| {
        view! {
            <fieldset class="field options-editor" data-testid="options-editor">
                <legend>"Options"</legend>
                <p class="field-hint">
                    "Change an option's text to rename it: leads that hold it get the new text. "
                    "Remove an option to retire it: it is no longer offered, but leads keep their value "
                    "(shown as retired, still found by filters and rules) until someone changes it."
                </p>
                <ol class="option-rows">
                    <For
                        each=numbered
                        key=row_key
                        children=move |(i, row): (usize, OptionRow)| {
                            let key = row.key;
                            let text = row.text;
                            let original = row.original.clone();
                            let renamed = move || {
                                original
                                    .clone()
                                    .filter(|o| *o != text.get().trim())
                                    .map(|o| view! { <span class="muted small">"renames “" {o} "”"</span> })
                            };
                            view! {
                                <li class="option-row" data-testid="option-row">
                                    <input
                                        type="text"
                                        aria-label=format!("Option {}", i + 1)
                                        aria-invalid=move || option_error(i).map(|_| "true")
                                        prop:value=move || text.get()
                                        on:input=move |ev| text.set(event_target_value(&ev))
                                    />
                                    {renamed}
                                    <button type="button" class="btn btn-ghost btn-sm" aria-label="Move up" on:click=move |_| move_row(key, -1)>
                                        "↑"
                                    </button>
                                    <button type="button" class="btn btn-ghost btn-sm" aria-label="Move down" on:click=move |_| move_row(key, 1)>
                                        "↓"
                                    </button>
                                    <button
                                        type="button"
                                        class="btn btn-ghost btn-sm"
                                        data-testid="option-retire"
                                        on:click=move |_| rows.update(|all| all.retain(|r| r.key != key))
                                    >
                                        "Remove"
                                    </button>
                                    {move || option_error(i).map(|m| view! { <p class="field-error" data-testid="field-error">{m}</p> })}
                                </li>
                            }
                        }
                    />
                </ol>
                <div class="option-add">
                    <input
                        id="custom-field-option-new"
                        type="text"
                        placeholder="New option"
                        aria-label="New option"
                        prop:value=move || added.get()
                        on:input=move |ev| added.set(event_target_value(&ev))
                        on:keydown=move |ev| {
                            if ev.key() == "Enter" {
                                ev.prevent_default();
                                add();
                            }
                        }
                    />
                    <button type="button" class="btn btn-secondary btn-sm" id="custom-field-option-add" on:click=move |_| add()>
                        "Add option"
                    </button>
                </div>
                {move || {
                    let held = retired.get();
                    (!held.is_empty())
                        .then(|| {
                            view! {
                                <div class="retired-options" data-testid="retired-options">
                                    <p class="field-hint">"Retired options some leads still hold:"</p>
                                    <ul>
                                        {held
                                            .into_iter()
                                            .map(|o| {
                                                let again = o.clone();
                                                view! {
                                                    <li>
                                                        {o.clone()} " "
                                                        <button
                                                            type="button"
                                                            class="btn btn-ghost btn-sm"
                                                            on:click=move |_| {
                                                                let o = again.clone();
                                                                retired.update(|all| all.retain(|r| *r != o));
                                                                rows.update(|all| all.push(new_row(Some(o.clone()), o)));
                                                            }
                                                        >
                                                            "Offer again"
                                                        </button>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                </div>
                            }
                        })
                }}
                <FieldError problem name="options" />
            </fieldset>
        }
    });

    view! {
        <section class="card" id="custom-field-editor" aria-label="Edit field">
            <div class="card-header">
                <div>
                    <h2>{format!("Edit “{}”", field.label)}</h2>
                    <p class="card-text" data-testid="custom-field-fixed">
                        "Key custom." {field.key.clone()} " and kind “" {field.kind.label()}
                        "” are fixed: lead values, filters, rules, imports and web forms use them. "
                        "To change them, add a new field."
                    </p>
                </div>
            </div>
            <div class="card-body">
                <StaleNotice stale=save.stale what="field" on_reload=on_reload />
                <form class="form" on:submit=submit novalidate>
                    <FormAlert problem fields=&["label", "help_text", "options", "required"] prefixes=&["options["] />
                    <div class="form-grid">
                        <TextField label="Label" id="custom-field-edit-label" name="label" problem value=label />
                        <TextField
                            label="Help text"
                            id="custom-field-edit-help"
                            name="help_text"
                            problem
                            value=help
                            hint="Shown under the input on lead forms and web forms; leave empty for none."
                        />
                        <RequiredBox id="custom-field-edit-required" required />
                    </div>
                    {options_editor}
                    <div class="form-actions">
                        <SubmitButton save id="custom-field-edit-save" label="Save field" busy_label="Saving…" />
                        <button type="button" class="btn btn-ghost" on:click=move |_| on_cancel.run(())>
                            "Cancel"
                        </button>
                    </div>
                </form>
            </div>
        </section>
    }
}

/// "Required when people create a lead" (web forms, email and imports may leave it empty).
#[component]
fn RequiredBox(id: &'static str, required: RwSignal<bool>) -> impl IntoView {
    view! {
        <div class="field">
            <label class="checkbox">
                <input
                    id=id
                    type="checkbox"
                    prop:checked=move || required.get()
                    on:change=move |ev| required.set(event_target_checked(&ev))
                />
                " Required when people create a lead"
            </label>
        </div>
    }
}
