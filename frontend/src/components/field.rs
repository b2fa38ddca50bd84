//! Form fields with the error the API reported for them, and the alert for the rest of a problem.
//!
//! [`TextField`] is the whole field (label, input, hint, error beside it, `aria-invalid` and
//! `aria-describedby` wired); [`Field`] wraps any other input (a select, a checkbox list) the same way.
//!
//! Number inputs take `value=signal.get_untracked()` and set the signal `on:input` instead of
//! `bind:value`: while a number is half typed ("-") the browser reports "", and writing that back
//! into the input would wipe what was typed.

use kith_domain::Problem;
use leptos::prelude::*;

/// `"true"` while the last problem names `name`, for an input's `aria-invalid`.
pub fn invalid(
    problem: RwSignal<Option<Problem>>,
    name: &'static str,
) -> impl Fn() -> Option<&'static str> + Copy + Send + Sync + 'static {
    move || problem.with(|p| p.as_ref().and_then(|p| p.field_message(name)).is_some()).then_some("true")
}

/// A label, its input (the children) and the input's error. `name` is the JSON field the API
/// reports errors under; `id` is the input's id.
#[component]
pub fn Field(
    label: &'static str,
    id: &'static str,
    name: &'static str,
    problem: RwSignal<Option<Problem>>,
    #[prop(optional)] hint: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {children()}
            {hint.filter(|hint| !hint.is_empty()).map(|hint| view! { <p class="field-hint">{hint}</p> })}
            <FieldError problem name id />
        </div>
    }
}

/// A labelled text input (`kind`: text, email, url, password, number, date) bound to `value`, with
/// the error the API reported under `name` beside it.
#[component]
pub fn TextField(
    label: &'static str,
    id: &'static str,
    name: &'static str,
    problem: RwSignal<Option<Problem>>,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autofocus: bool,
    /// Shown but not editable (for people who may read the setting but not change it).
    #[prop(optional, into)]
    readonly: Signal<bool>,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described = move || invalid(problem, name)().map(|_| error_id.clone());
    // A half-typed number reads as "" in the browser: a number input is never written to while
    // typed in (see the module documentation); a text input follows its value.
    let number = kind == "number";
    let input = view! {
        <input
            id=id
            type=kind
            required=required
            autofocus=autofocus
            placeholder=placeholder
            autocomplete=autocomplete
            readonly=move || readonly.get()
            aria-invalid=invalid(problem, name)
            aria-describedby=described
            prop:value=move || if number { value.get_untracked() } else { value.get() }
            on:input=move |ev| value.set(event_target_value(&ev))
        />
    };
    view! {
        <Field label id name problem hint=hint.unwrap_or_default()>
            {input}
        </Field>
    }
}

#[component]
pub fn FieldError(
    problem: RwSignal<Option<Problem>>,
    name: &'static str,
    /// The input's id: the error gets `<id>-error`, for the input's `aria-describedby`.
    #[prop(optional)]
    id: Option<&'static str>,
) -> impl IntoView {
    move || {
        problem.with(|p| p.as_ref().and_then(|p| p.field_message(name)).map(str::to_owned)).map(|message| {
            view! {
                <p class="field-error" id=id.map(|id| format!("{id}-error")) data-testid="field-error">
                    {message}
                </p>
            }
        })
    }
}

/// The problem's title and detail, plus any field errors that belong to none of `fields` (the
/// fields the form shows errors beside) nor start with one of `prefixes` (lists that show their
/// items' errors themselves, e.g. `conditions[`), so nothing the server said is lost.
#[component]
pub fn FormAlert(
    problem: RwSignal<Option<Problem>>,
    #[prop(optional)] fields: &'static [&'static str],
    #[prop(optional)] prefixes: &'static [&'static str],
) -> impl IntoView {
    move || {
        problem.get().map(|p| {
            let others: Vec<String> = p
                .errors
                .iter()
                .filter(|e| !fields.contains(&e.field.as_str()) && !prefixes.iter().any(|p| e.field.starts_with(p)))
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect();
            view! {
                <div class="form-alert" role="alert">
                    <strong>{p.title}</strong>
                    {p.detail.map(|d| view! { <span>{d}</span> })}
                    {others.into_iter().map(|o| view! { <div>{o}</div> }).collect_view()}
                </div>
            }
        })
    }
}

/// A country picker: the input shows a country's name, suggests the ISO 3166-1 list as one types
/// (by name; the code shows beside it), and [`country_code`] reads what was typed as a code. Text
/// that names no country is sent as typed, so the server's error says what is wrong with it —
/// nothing is cut to two letters.
#[component]
pub fn CountryField(
    id: &'static str,
    name: &'static str,
    problem: RwSignal<Option<Problem>>,
    value: RwSignal<String>,
    #[prop(default = "Country")] label: &'static str,
    #[prop(optional, into)] readonly: Signal<bool>,
) -> impl IntoView {
    let list = format!("{id}-countries");
    let error_id = format!("{id}-error");
    let described = move || invalid(problem, name)().map(|_| error_id.clone());
    view! {
        <Field label id name problem hint="Type a name or code, e.g. Germany or DE.">
            <input
                id=id
                type="text"
                list=list.clone()
                autocomplete="off"
                readonly=move || readonly.get()
                aria-invalid=invalid(problem, name)
                aria-describedby=described
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
            <datalist id=list>
                {kith_domain::core::countries::COUNTRIES
                    .iter()
                    .map(|c| view! { <option value=c.name>{c.code}</option> })
                    .collect_view()}
            </datalist>
        </Field>
    }
}

/// What a [`CountryField`] shows for a stored code: the country's name.
pub fn country_text(code: Option<&str>) -> String {
    code.map(|c| kith_domain::core::countries::name_of(c).to_owned()).unwrap_or_default()
}

/// The code for what was typed in a [`CountryField`] (a name or a code, any case); `None` when
/// empty; text that names no country as typed, for the server to refuse.
pub fn country_code(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty())
        .then(|| kith_domain::core::countries::resolve(text).map_or_else(|| text.to_owned(), |c| c.code.to_owned()))
}
