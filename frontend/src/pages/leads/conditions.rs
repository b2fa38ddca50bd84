//! Conditions on a lead's fields, shared by scoring and assignment rules: an editor that builds
//! them and a one-line summary of each.

use std::sync::atomic::{AtomicU64, Ordering};

use kith_domain::leads::rules::{Condition, Operator, CONDITION_FIELDS, CUSTOM_PREFIX};
use kith_domain::{FieldError, Problem};
use leptos::prelude::*;

use crate::format;

const OPERATORS: [Operator; 4] = [Operator::In, Operator::Contains, Operator::Between, Operator::IsSet];

fn operator_value(op: Operator) -> &'static str {
    match op {
        Operator::In => "in",
        Operator::Contains => "contains",
        Operator::Between => "between",
        Operator::IsSet => "is_set",
    }
}

fn operator_label(op: Operator) -> &'static str {
    match op {
        Operator::In => "is one of",
        Operator::Contains => "contains",
        Operator::Between => "is between",
        Operator::IsSet => "is set",
    }
}

fn parse_operator(value: &str) -> Option<Operator> {
    OPERATORS.into_iter().find(|op| operator_value(*op) == value)
}

/// "email_domain" → "Email domain", "utm_source" → "UTM source".
pub fn field_label(field: &str) -> String {
    match field {
        "owner_id" => "Owner".to_owned(),
        "team_id" => "Team".to_owned(),
        "form_id" => "Form".to_owned(),
        other => match (other.strip_prefix("utm_"), other.strip_prefix(CUSTOM_PREFIX)) {
            (Some(rest), _) => format!("UTM {rest}"),
            (_, Some(key)) => format!("{} (custom)", format::humanize(key)),
            _ => format::humanize(other),
        },
    }
}

/// "Title contains ceo, founder", "Company size is between 50 and 500", "Country is set".
pub fn summary(condition: &Condition) -> String {
    let field = field_label(&condition.field);
    match condition.op {
        Operator::IsSet => format!("{field} is set"),
        Operator::In | Operator::Contains => {
            format!("{field} {} {}", operator_label(condition.op), condition.values.join(", "))
        }
        Operator::Between => match (condition.min, condition.max) {
            (Some(min), Some(max)) => format!("{field} is between {min} and {max}"),
            (Some(min), None) => format!("{field} is at least {min}"),
            (None, Some(max)) => format!("{field} is at most {max}"),
            (None, None) => format!("{field} is any number"),
        },
    }
}

/// All conditions joined, or `none` when there are none.
pub fn summaries(conditions: &[Condition], none: &str) -> String {
    if conditions.is_empty() {
        none.to_owned()
    } else {
        conditions.iter().map(summary).collect::<Vec<_>>().join(" and ")
    }
}

/// Keys rows for `<For>`, so typing in one row never re-renders the others.
static NEXT_KEY: AtomicU64 = AtomicU64::new(0);

/// One condition being edited, as typed.
#[derive(Clone, Copy)]
pub struct ConditionRow {
    key: u64,
    field: RwSignal<String>,
    op: RwSignal<Operator>,
    values: RwSignal<String>,
    min: RwSignal<String>,
    max: RwSignal<String>,
}

impl ConditionRow {
    fn new(condition: Option<&Condition>) -> ConditionRow {
        let text = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        ConditionRow {
            key: NEXT_KEY.fetch_add(1, Ordering::Relaxed),
            field: RwSignal::new(condition.map_or_else(|| "title".to_owned(), |c| c.field.clone())),
            op: RwSignal::new(condition.map_or(Operator::In, |c| c.op)),
            values: RwSignal::new(condition.map(|c| c.values.join(", ")).unwrap_or_default()),
            min: RwSignal::new(text(condition.and_then(|c| c.min))),
            max: RwSignal::new(text(condition.and_then(|c| c.max))),
        }
    }

    /// The condition, or why the typed bounds are not numbers (`path` names this row).
    fn condition(&self, path: &str) -> Result<Condition, Vec<FieldError>> {
        let op = self.op.get_untracked();
        let mut errors = Vec::new();
        let mut bound = |name: &str, text: String| match text.trim() {
            "" => None,
            text => text
                .parse::<i64>()
                .map_err(|_| errors.push(FieldError::new(format!("{path}.{name}"), "number", "Enter a whole number.")))
                .ok(),
        };
        let (min, max) = if op == Operator::Between {
            (bound("min", self.min.get_untracked()), bound("max", self.max.get_untracked()))
        } else {
            (None, None)
        };
        let values = if matches!(op, Operator::In | Operator::Contains) {
            self.values.get_untracked().split(',').map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned).collect()
        } else {
            Vec::new()
        };
        if errors.is_empty() {
            Ok(Condition { field: self.field.get_untracked(), op, values, min, max })
        } else {
            Err(errors)
        }
    }
}

/// Rows for editing `conditions`.
pub fn condition_rows(conditions: &[Condition]) -> RwSignal<Vec<ConditionRow>> {
    RwSignal::new(conditions.iter().map(|c| ConditionRow::new(Some(c))).collect())
}

/// The edited conditions, or the field errors of rows whose bounds are not numbers.
pub fn conditions_of(rows: RwSignal<Vec<ConditionRow>>, path: &str) -> Result<Vec<Condition>, Problem> {
    let mut conditions = Vec::new();
    let mut errors = Vec::new();
    for (i, row) in rows.get_untracked().iter().enumerate() {
        match row.condition(&format!("{path}[{i}]")) {
            Ok(condition) => conditions.push(condition),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(conditions)
    } else {
        Err(Problem::validation(errors))
    }
}

/// Edit a list of conditions. `path` is where the API reports their errors (`conditions`,
/// `trigger.conditions`), so each row shows its own.
#[component]
pub fn ConditionsEditor(
    rows: RwSignal<Vec<ConditionRow>>,
    path: &'static str,
    problem: RwSignal<Option<Problem>>,
    /// Said when there are no conditions.
    empty_text: &'static str,
) -> impl IntoView {
    let whole_error = move || {
        problem.with(|p| p.as_ref().and_then(|p| p.field_message(path)).map(str::to_owned)).map(|message| {
            view! {
                <p class="field-error" data-testid="field-error">
                    {message}
                </p>
            }
        })
    };
    view! {
        <div class="conditions" data-testid="conditions">
            {move || rows.with(Vec::is_empty).then(|| view! { <p class="muted small">{empty_text}</p> })}
            <For
                each=move || rows.get()
                key=|row| row.key
                children=move |row| view! { <ConditionEditor row rows path problem /> }
            />
            {whole_error}
            <div>
                <button
                    type="button"
                    class="btn btn-secondary btn-sm"
                    data-testid="condition-add"
                    on:click=move |_| rows.update(|r| r.push(ConditionRow::new(None)))
                >
                    "Add condition"
                </button>
            </div>
        </div>
    }
}

#[component]
fn ConditionEditor(
    row: ConditionRow,
    rows: RwSignal<Vec<ConditionRow>>,
    path: &'static str,
    problem: RwSignal<Option<Problem>>,
) -> impl IntoView {
    let key = row.key;
    // The row's place decides the paths its errors come under: `conditions[2].values`.
    let prefix = move || rows.with(|r| r.iter().position(|x| x.key == key)).map(|i| format!("{path}[{i}]"));
    let errors = move || {
        let Some(prefix) = prefix() else {
            return Vec::new();
        };
        problem.with(|p| {
            p.as_ref()
                .map(|p| {
                    p.errors
                        .iter()
                        .filter(|e| {
                            e.field
                                .strip_prefix(prefix.as_str())
                                .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
                        })
                        .map(|e| e.message.clone())
                        .collect()
                })
                .unwrap_or_default()
        })
    };
    let has_error = move || (!errors().is_empty()).then_some("true");
    let op = row.op;
    let custom_fields = crate::pages::core::settings::use_directory().custom_fields;

    view! {
           <div class="condition-row" data-testid="condition">
               <select
                   aria-label="Field"
                   aria-invalid=has_error
                   on:change=move |ev| row.field.set(event_target_value(&ev))
               >
                   {CONDITION_FIELDS
                       .iter()
                       .map(|field| {
                           let field = *field;
                           view! {
                               <option value=field selected=move || row.field.with(|f| f == field)>
                                   {field_label(field)}
                               </option>
                           }
                       })
                       .collect_view()}
                   {move || {
                       custom_fields
                           .get()
                           .into_iter()
                           .map(|f| {
                               let field = format!("{CUSTOM_PREFIX}{}", f.key);
                               let chosen = field.clone();
                               view! {
                                   <option value=field selected=move || row.field.with(|x| *x == chosen)>
                                       {format!("{} (custom)", f.label)}
                                   </option>
                               }
                           })
                           .collect_view()
                   }}
               </select>
               <select
                   aria-label="Comparison"
                   on:change=move |ev| {
                       if let Some(chosen) = parse_operator(&event_target_value(&ev)) {
                           op.set(chosen);
                       }
                   }
               >
                   {OPERATORS
                       .into_iter()
                       .map(|o| {
                           view! {
                               <option value=operator_value(o) selected=move || op.get() == o>
                                   {operator_label(o)}
                               </option>
                           }
                       })
                       .collect_view()}
               </select>
               {move || match op.get() {
                   Operator::In | Operator::Contains => view! {
                       <input
                           type="text"
                           class="condition-values"
                           placeholder="value, another value"
                           aria-label="Values, separated by commas"
                           aria-invalid=has_error
                           bind:value=row.values
                       />
                   }
                   .into_any(),
                   Operator::Between => view! {
                       <input type="number" placeholder="min" aria-label="Minimum" aria-invalid=has_error value=row.min.get_untracked()
    on:input=move |ev| row.min.set(event_target_value(&ev)) />
                       <span class="muted">"and"</span>
                       <input type="number" placeholder="max" aria-label="Maximum" aria-invalid=has_error value=row.max.get_untracked()
    on:input=move |ev| row.max.set(event_target_value(&ev)) />
                   }
                   .into_any(),
                   Operator::IsSet => ().into_any(),
               }}
               <button
                   type="button"
                   class="btn btn-ghost btn-sm"
                   aria-label="Remove this condition"
                   on:click=move |_| rows.update(|r| r.retain(|x| x.key != key))
               >
                   "×"
               </button>
               {move || {
                   let errors = errors();
                   (!errors.is_empty())
                       .then(|| {
                           view! {
                               <p class="field-error condition-error" data-testid="field-error">
                                   {errors.join(" ")}
                               </p>
                           }
                       })
               }}
           </div>
       }
}

/// A number typed into `field`'s input: `Ok(None)` when blank, an error for the form when not a
/// whole number in range.
pub fn optional_number<T: std::str::FromStr>(text: &str, field: &str, errors: &mut Vec<FieldError>) -> Option<T> {
    match text.trim() {
        "" => None,
        text => match text.parse::<T>() {
            Ok(n) => Some(n),
            Err(_) => {
                errors.push(FieldError::new(field, "number", "Enter a whole number."));
                None
            }
        },
    }
}
