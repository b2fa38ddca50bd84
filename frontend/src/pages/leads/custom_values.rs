//! Custom field values on lead forms: one input per field of the organization, typed by its kind.

use std::collections::BTreeMap;

use kith_client::Client;
use kith_domain::core::custom_fields::{as_text, validate_values, CustomFieldKind, CustomFieldView};
use kith_domain::{FieldError, Problem};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

use crate::data::Found;

/// The organization's fields, each with the text its input holds.
pub type CustomRows = RwSignal<Vec<(CustomFieldView, RwSignal<String>)>>;

/// A custom value as the form edits it: text, a number, a date, `true`/`false`, an option.
pub fn custom_text(value: Option<&Value>) -> String {
    value.and_then(as_text).unwrap_or_default()
}

/// Load the fields (lead readers may list them; a failure only leaves the list empty), with the
/// inputs filled from `values`.
pub fn load_custom_fields(client: Client, values: BTreeMap<String, Value>) -> CustomRows {
    let rows: CustomRows = RwSignal::new(Vec::new());
    spawn_local(async move {
        if let Ok(found) = client.custom_fields_of("lead").await {
            let filled = found
                .into_iter()
                .map(|d| {
                    let current = custom_text(values.get(&d.key));
                    (d, RwSignal::new(current))
                })
                .collect();
            rows.try_set(filled);
        }
    });
    rows
}

/// The values that differ from `before`, typed for the API; an emptied input clears its value.
/// What cannot be read (words in a number field) and what the domain's rules refuse (an option
/// that is not one, a required field left empty when `creating`: the server's own check) go to
/// `found`, so they show with the form's other errors at once.
pub fn custom_changes(
    rows: CustomRows,
    before: &BTreeMap<String, Value>,
    creating: bool,
    found: &mut Found,
) -> BTreeMap<String, Value> {
    let mut custom = BTreeMap::new();
    let mut unreadable = Vec::new();
    let rows = rows.get_untracked();
    for (def, text) in &rows {
        let text = text.get_untracked().trim().to_owned();
        if text == custom_text(before.get(&def.key)) {
            continue;
        }
        let value = if text.is_empty() {
            Value::Null
        } else {
            match def.kind {
                CustomFieldKind::Number => match text.parse::<i64>() {
                    Ok(n) => Value::from(n),
                    Err(_) => {
                        unreadable.push(FieldError::new(
                            format!("custom.{}", def.key),
                            "integer",
                            "Give a whole number.",
                        ));
                        continue;
                    }
                },
                CustomFieldKind::Boolean => Value::Bool(text == "true"),
                _ => Value::String(text),
            }
        };
        custom.insert(def.key.clone(), value);
    }
    let defs: Vec<CustomFieldView> = rows.into_iter().map(|(def, _)| def).collect();
    let mut errors = validate_values(&defs, &custom, creating).err().unwrap_or_default();
    errors.retain(|e| !unreadable.iter().any(|u| u.field == e.field));
    found.extend(unreadable);
    found.extend(errors);
    custom
}

/// One labelled input per field, with the problem's `custom.<key>` message beside it.
pub fn custom_inputs(defs: CustomRows, problem: RwSignal<Option<Problem>>, readonly: bool) -> impl IntoView {
    move || {
        defs.get()
            .into_iter()
            .map(|(def, text)| {
                let id = format!("lead-custom-{}", def.key);
                let path = format!("custom.{}", def.key);
                let error = {
                    let path = path.clone();
                    move || {
                        problem
                            .with(|p| p.as_ref().and_then(|p| p.field_message(&path)).map(str::to_owned))
                            .map(|message| view! { <p class="field-error" data-testid="field-error">{message}</p> })
                    }
                };
                let has_error =
                    move || problem.with(|p| p.as_ref().and_then(|p| p.field_message(&path)).map(|_| "true"));
                let control = match def.kind {
                    CustomFieldKind::Select | CustomFieldKind::Boolean => {
                        let mut choices: Vec<(String, String)> = if def.kind == CustomFieldKind::Boolean {
                            vec![("true".into(), "Yes".into()), ("false".into(), "No".into())]
                        } else {
                            def.options.iter().map(|o| (o.clone(), o.clone())).collect()
                        };
                        // A retired option the lead still holds stays visible (and kept) until changed.
                        let held = text.get_untracked();
                        if def.kind == CustomFieldKind::Select && !held.is_empty() && !def.options.contains(&held) {
                            choices.push((held.clone(), format!("{held} (retired)")));
                        }
                        view! {
                            <select
                                id=id.clone()
                                disabled=readonly
                                aria-invalid=has_error
                                on:change=move |ev| text.set(event_target_value(&ev))
                            >
                                <option value="" selected=move || text.get().is_empty()>
                                    "—"
                                </option>
                                {choices
                                    .into_iter()
                                    .map(|(value, label)| {
                                        let chosen = value.clone();
                                        view! {
                                            <option value=value selected=move || text.get() == chosen>
                                                {label}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        }
                        .into_any()
                    }
                    kind => {
                        let input_type = match kind {
                            CustomFieldKind::Number => "number",
                            CustomFieldKind::Date => "date",
                            _ => "text",
                        };
                        view! {
                            <input
                                id=id.clone()
                                type=input_type
                                readonly=readonly
                                aria-invalid=has_error
                                prop:value=move || text.get()
                                on:input=move |ev| text.set(event_target_value(&ev))
                            />
                        }
                        .into_any()
                    }
                };
                let label = if def.required { format!("{} *", def.label) } else { def.label.clone() };
                let help = def.help_text.clone().map(|h| view! { <p class="field-hint">{h}</p> });
                view! {
                    <div class="field">
                        <label for=id>{label}</label>
                        {control}
                        {help}
                        {error}
                    </div>
                }
            })
            .collect_view()
    }
}
