//! The web form builder: the form's fields and what happens with a submission, next to a live
//! preview. Administrators edit; lead readers see the form and its embed code.

use kith_domain::core::custom_fields::CustomFieldView;
use kith_domain::leads::webforms::{FormField, FormTarget, WebFormInput, WebFormView};
use kith_domain::{Problem, UserId, WebFormId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

use super::embed::EmbedPanel;
use super::preview::FormPreview;
use super::{default_label, form_href, parse_target, target_label, target_value, TARGETS};
use crate::api::{is_stale, problem_of, use_client};
use crate::auth::use_session;
use crate::components::confirm::ConfirmButton;
use crate::components::field::{invalid, Field, FieldError as FieldErrorView, FormAlert};
use crate::components::rows::{errors_under, invalid_at, move_row, next_key, RowControls};
use crate::components::table::{EmptyState, Loading};
use crate::components::toast::use_toaster;
use crate::data::Found;
use crate::pages::leads::conditions::optional_number;
use crate::pages::leads::{non_blank, parse_tags, LeadsGate};
use crate::people::{use_people, user_options};

const FIELDS: &[&str] = &[
    "name",
    "fields",
    "consent_text",
    "thank_you_message",
    "redirect_url",
    "allowed_origins",
    "tags",
    "owner_id",
    "campaign",
    "min_fill_seconds",
    "active",
];

const DEFAULT_THANKS: &str = "Thank you! We will be in touch shortly.";
const DEFAULT_MIN_FILL: u32 = 3;

/// One input of the form, as typed.
#[derive(Clone, Copy)]
pub struct FieldRow {
    pub key: u64,
    pub name: RwSignal<String>,
    pub label: RwSignal<String>,
    pub target: RwSignal<FormTarget>,
    pub required: RwSignal<bool>,
    /// With target `Custom`: the custom field's key.
    pub custom_key: RwSignal<Option<String>>,
}

/// The picker's value for a custom field: `custom.<key>`.
const CUSTOM_PREFIX: &str = "custom.";

impl FieldRow {
    fn new(field: &FormField) -> FieldRow {
        FieldRow {
            key: next_key(),
            name: RwSignal::new(field.name.clone()),
            label: RwSignal::new(field.label.clone()),
            target: RwSignal::new(field.target),
            required: RwSignal::new(field.required),
            custom_key: RwSignal::new(field.custom_key.clone()),
        }
    }

    /// The picker's value: the target's name, or `custom.<key>`.
    fn picked(&self) -> String {
        match (self.target.get(), self.custom_key.get()) {
            (FormTarget::Custom, Some(key)) => format!("{CUSTOM_PREFIX}{key}"),
            (target, _) => target_value(target).to_owned(),
        }
    }

    fn of(target: FormTarget, required: bool) -> FieldRow {
        FieldRow::new(&FormField {
            name: target_value(target).to_owned(),
            label: default_label(target).to_owned(),
            target,
            required,
            custom_key: None,
        })
    }

    /// The field as typed, tracking every part (for the preview).
    pub fn field_tracked(&self) -> FormField {
        FormField {
            name: self.name.get().trim().to_owned(),
            label: self.label.get().trim().to_owned(),
            target: self.target.get(),
            required: self.required.get(),
            custom_key: self.custom_key.get(),
        }
    }

    fn field(&self) -> FormField {
        FormField {
            name: self.name.get_untracked().trim().to_owned(),
            label: self.label.get_untracked().trim().to_owned(),
            target: self.target.get_untracked(),
            required: self.required.get_untracked(),
            custom_key: self.custom_key.get_untracked().filter(|_| self.target.get_untracked() == FormTarget::Custom),
        }
    }
}

/// The whole form as typed, shared by the builder and the preview.
#[derive(Clone, Copy)]
pub struct Draft {
    pub name: RwSignal<String>,
    pub fields: RwSignal<Vec<FieldRow>>,
    pub consent: RwSignal<String>,
    pub thanks: RwSignal<String>,
    pub redirect: RwSignal<String>,
    /// One origin a line.
    pub origins: RwSignal<String>,
    pub tags: RwSignal<String>,
    /// A user id, or empty for the assignment rules.
    pub owner: RwSignal<String>,
    pub campaign: RwSignal<String>,
    pub min_fill: RwSignal<String>,
    pub active: RwSignal<bool>,
    /// The organization's lead custom fields, which inputs may fill.
    pub custom_fields: RwSignal<Vec<CustomFieldView>>,
}

impl Draft {
    fn new(form: Option<&WebFormView>) -> Draft {
        let fields = match form {
            Some(form) => form.fields.iter().map(FieldRow::new).collect(),
            None => vec![
                FieldRow::of(FormTarget::FullName, true),
                FieldRow::of(FormTarget::Email, true),
                FieldRow::of(FormTarget::Company, false),
                FieldRow::of(FormTarget::Message, false),
            ],
        };
        Draft {
            name: RwSignal::new(form.map(|f| f.name.clone()).unwrap_or_default()),
            fields: RwSignal::new(fields),
            consent: RwSignal::new(form.and_then(|f| f.consent_text.clone()).unwrap_or_default()),
            thanks: RwSignal::new(form.map_or_else(|| DEFAULT_THANKS.to_owned(), |f| f.thank_you_message.clone())),
            redirect: RwSignal::new(form.and_then(|f| f.redirect_url.clone()).unwrap_or_default()),
            origins: RwSignal::new(form.map(|f| f.allowed_origins.join("\n")).unwrap_or_default()),
            tags: RwSignal::new(form.map(|f| f.tags.join(", ")).unwrap_or_default()),
            owner: RwSignal::new(form.and_then(|f| f.owner_id).map(|id| id.to_string()).unwrap_or_default()),
            campaign: RwSignal::new(form.and_then(|f| f.campaign.clone()).unwrap_or_default()),
            min_fill: RwSignal::new(form.map_or(DEFAULT_MIN_FILL, |f| f.min_fill_seconds).to_string()),
            active: RwSignal::new(form.is_none_or(|f| f.active)),
            custom_fields: RwSignal::new(Vec::new()),
        }
    }

    /// The allowed origins as sent: the non-blank lines.
    fn origin_lines(&self) -> Vec<String> {
        self.origins.with_untracked(|text| text.lines().filter_map(non_blank).collect())
    }

    /// The form to send, or why the typed numbers are not numbers.
    /// The form to save, and what could not be read (its rules run on top, before sending).
    fn input(&self) -> (WebFormInput, Found) {
        let mut errors = Vec::new();
        let min_fill_seconds = optional_number::<u32>(&self.min_fill.get_untracked(), "min_fill_seconds", &mut errors)
            .unwrap_or(DEFAULT_MIN_FILL);
        let mut found = Found::new();
        found.extend(errors);
        let input = WebFormInput {
            name: self.name.get_untracked().trim().to_owned(),
            fields: self.fields.get_untracked().iter().map(FieldRow::field).collect(),
            consent_text: non_blank(&self.consent.get_untracked()),
            thank_you_message: self.thanks.get_untracked().trim().to_owned(),
            redirect_url: non_blank(&self.redirect.get_untracked()),
            allowed_origins: self.origin_lines(),
            tags: parse_tags(&self.tags.get_untracked()),
            owner_id: self.owner.get_untracked().parse::<UserId>().ok(),
            campaign: non_blank(&self.campaign.get_untracked()),
            min_fill_seconds,
            active: self.active.get_untracked(),
        };
        (input, found)
    }

    /// A field for the first target the form does not have yet.
    fn add_field(&self) {
        let used: Vec<FormTarget> =
            self.fields.with_untracked(|rows| rows.iter().map(|r| r.target.get_untracked()).collect());
        let names: Vec<String> =
            self.fields.with_untracked(|rows| rows.iter().map(|r| r.name.get_untracked()).collect());
        let row = match TARGETS.into_iter().find(|t| !used.contains(t) && !names.iter().any(|n| n == target_value(*t)))
        {
            Some(target) => FieldRow::of(target, false),
            None => {
                let row = FieldRow::of(FormTarget::Message, false);
                row.name.set(format!("field_{}", names.len() + 1));
                row.label.set(String::new());
                row
            }
        };
        self.fields.update(|rows| rows.push(row));
    }
}

/// `/m/leads/forms/new` (administrators).
#[component]
pub fn WebFormNewPage() -> impl IntoView {
    let session = use_session();
    view! {
        <LeadsGate>
            <Show
                when=move || session.is_admin()
                fallback=|| {
                    view! {
                        <div class="card">
                            <EmptyState
                                icon="!"
                                title="Only administrators can create web forms"
                                text="Ask an administrator to set one up for your website."
                            />
                        </div>
                    }
                }
            >
                <Builder form=None on_reload=|_| {} />
            </Show>
        </LeadsGate>
    }
}

/// `/m/leads/forms/:id`.
#[component]
pub fn WebFormPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse::<WebFormId>().ok())));
    view! {
        <LeadsGate>
            {move || match id.get() {
                Some(id) => view! { <LoadedForm id /> }.into_any(),
                None => not_found().into_any(),
            }}
        </LeadsGate>
    }
}

fn not_found() -> impl IntoView {
    view! {
        <div class="card">
            <EmptyState
                icon="?"
                title="This web form does not exist"
                text="It may have been deleted, or the address is mistyped."
            />
            <p class="empty-text center">
                <a href="/m/leads/forms">"Back to the web forms"</a>
            </p>
        </div>
    }
}

#[component]
fn LoadedForm(id: WebFormId) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let form = RwSignal::new(None::<WebFormView>);
    let missing = RwSignal::new(false);
    let load = Callback::new(move |()| {
        let client = client.clone();
        spawn_local(async move {
            match client.get_web_form(id).await {
                Ok(found) => {
                    form.try_set(Some(found));
                }
                Err(error) if error.status() == Some(404) => {
                    missing.try_set(true);
                }
                Err(error) => toaster.error(&error),
            }
        });
    });
    load.run(());
    // The builder keeps its own state; it is drawn anew only when the form is loaded again.
    move || {
        if missing.get() {
            return not_found().into_any();
        }
        match form.get() {
            Some(found) => view! { <Builder form=Some(found) on_reload=load /> }.into_any(),
            None => view! { <Loading /> }.into_any(),
        }
    }
}

#[component]
fn Builder(form: Option<WebFormView>, #[prop(into)] on_reload: Callback<()>) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let session = use_session();
    let people = use_people();
    let navigate = StoredValue::new_local(use_navigate());
    people.ensure();

    let draft = Draft::new(form.as_ref());
    {
        // Lead readers may list the custom fields; without them the picker offers the lead's own fields.
        let client = client.clone();
        spawn_local(async move {
            if let Ok(found) = client.custom_fields_of("lead").await {
                draft.custom_fields.try_set(found);
            }
        });
    }
    let saved = RwSignal::new(form.as_ref().map(|f| (f.id, f.version)));
    let submissions = form.as_ref().map(|f| f.submissions);
    let embed_refresh = RwSignal::new(0u64);
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let editable = move || session.is_admin();

    let submit = {
        let client = client.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if busy.get_untracked() || !editable() {
                return;
            }
            let (input, found) = draft.input();
            if let Some(refused) = found.with_rules_of(&input) {
                problem.set(Some(refused));
                return;
            }
            problem.set(None);
            busy.set(true);
            let client = client.clone();
            let existing = saved.get_untracked();
            spawn_local(async move {
                let result = match existing {
                    None => client.create_web_form(&input).await,
                    Some((id, version)) => client.update_web_form(id, version, &input).await,
                };
                busy.try_set(false);
                match result {
                    Ok(form) if existing.is_none() => {
                        toaster.success(format!("Web form {} created", form.name));
                        let options = NavigateOptions { replace: true, ..Default::default() };
                        navigate.try_with_value(|navigate| navigate(&form_href(form.id), options));
                    }
                    Ok(form) => {
                        toaster.success(format!("Web form {} saved", form.name));
                        saved.try_set(Some((form.id, form.version)));
                        embed_refresh.try_update(|n| *n += 1);
                    }
                    Err(error) if is_stale(&error) => {
                        toaster.stale("web form");
                        on_reload.try_run(());
                    }
                    Err(error) => {
                        problem.set(Some(problem_of(&error)));
                        toaster.error(&error);
                    }
                }
            });
        }
    };

    let delete = Callback::new(move |()| {
        let Some((id, _)) = saved.get_untracked() else {
            return;
        };
        let client = client.clone();
        let name = draft.name.get_untracked();
        spawn_local(async move {
            match client.delete_web_form(id).await {
                Ok(()) => {
                    toaster.success(format!("Web form {name} moved to the recycle bin"));
                    navigate.try_with_value(|navigate| navigate("/m/leads/forms", Default::default()));
                }
                Err(error) => toaster.error(&error),
            }
        });
    });

    let title = move || {
        let name = draft.name.get();
        match (saved.with(Option::is_some), name.trim().is_empty()) {
            (false, true) => "New web form".to_owned(),
            (true, true) => "Web form".to_owned(),
            (_, false) => name,
        }
    };
    let subtitle = match submissions {
        None => "Design the form; save it to get the code for your website.".to_owned(),
        Some(1) => "1 submission so far.".to_owned(),
        Some(n) => format!("{n} submissions so far."),
    };
    let delete_button = move || {
        (editable() && saved.with(Option::is_some)).then(|| {
            view! {
                <ConfirmButton
                    label="Delete"
                    title="Delete this web form?"
                    message="The form stops accepting submissions at once and goes to the recycle bin; it can be restored for 30 days. Its leads stay."
                    confirm_label="Delete"
                    on_confirm=move |_| delete.run(())
                />
            }
        })
    };

    view! {
        <div class="page-header">
            <div>
                <a class="back-link" href="/m/leads/forms">
                    "← Web forms"
                </a>
                <h1 id="form-title">{title}</h1>
                <p class="page-subtitle">{subtitle}</p>
            </div>
            {delete_button}
        </div>
        <div class="builder-grid">
            <div class="stack">
                <section class="card">
                    <div class="card-header">
                        <h2>"Form"</h2>
                        {move || (!editable()).then(|| view! { <span class="muted small">"Only administrators can change web forms."</span> })}
                    </div>
                    <div class="card-body">
                        <form class="form" on:submit=submit novalidate>
                            <FormAlert problem fields=FIELDS prefixes=&["fields[", "allowed_origins["] />
                            <fieldset class="fieldset form" disabled=move || !editable()>
                                <div class="form-grid">
                                    <Field label="Name" id="form-name" name="name" problem hint="For you; visitors do not see it.">
                                        <input
                                            id="form-name"
                                            type="text"
                                            required
                                            placeholder="Contact us"
                                            aria-invalid=invalid(problem, "name")
                                            bind:value=draft.name
                                        />
                                    </Field>
                                    <Field
                                        label="Owner of new leads"
                                        id="form-owner"
                                        name="owner_id"
                                        problem
                                        hint="Without one, the assignment rules choose."
                                    >
                                        <select
                                            id="form-owner"
                                            aria-invalid=invalid(problem, "owner_id")
                                            on:change=move |ev| draft.owner.set(event_target_value(&ev))
                                        >
                                            <option value="" selected=move || draft.owner.with(String::is_empty)>
                                                "Assign by the rules"
                                            </option>
                                            {user_options(people, move || draft.owner.with(|o| o.parse().ok()))}
                                        </select>
                                    </Field>
                                </div>
                                <FieldsEditor draft problem />
                                <Field
                                    label="Consent text"
                                    id="form-consent"
                                    name="consent_text"
                                    problem
                                    hint="When set, visitors must tick a box with this text before sending."
                                >
                                    <textarea
                                        id="form-consent"
                                        placeholder="I agree that Acme may contact me about my inquiry."
                                        aria-invalid=invalid(problem, "consent_text")
                                        bind:value=draft.consent
                                    ></textarea>
                                </Field>
                                <Field label="Thank-you message" id="form-thanks" name="thank_you_message" problem>
                                    <textarea
                                        id="form-thanks"
                                        aria-invalid=invalid(problem, "thank_you_message")
                                        bind:value=draft.thanks
                                    ></textarea>
                                </Field>
                                <Field
                                    label="Redirect to"
                                    id="form-redirect"
                                    name="redirect_url"
                                    problem
                                    hint="Where the HTML form sends visitors afterwards. Empty: a Kith page shows the thank-you message."
                                >
                                    <input
                                        id="form-redirect"
                                        type="url"
                                        placeholder="https://www.example.com/thanks"
                                        aria-invalid=invalid(problem, "redirect_url")
                                        bind:value=draft.redirect
                                    />
                                </Field>
                                <OriginsField draft problem />
                                <div class="form-grid">
                                    <Field label="Tags" id="form-tags" name="tags" problem hint="Every lead from this form gets them. Separated by commas.">
                                        <input id="form-tags" type="text" aria-invalid=invalid(problem, "tags") bind:value=draft.tags />
                                    </Field>
                                    <Field
                                        label="Campaign"
                                        id="form-campaign"
                                        name="campaign"
                                        problem
                                        hint="Recorded on the leads when the page had no utm_campaign."
                                    >
                                        <input
                                            id="form-campaign"
                                            type="text"
                                            aria-invalid=invalid(problem, "campaign")
                                            bind:value=draft.campaign
                                        />
                                    </Field>
                                    <Field
                                        label="Minimum fill time (seconds)"
                                        id="form-min-fill"
                                        name="min_fill_seconds"
                                        problem
                                        hint="Faster submissions count as bots (script embed). Empty: 3."
                                    >
                                        <input
                                            id="form-min-fill"
                                            type="number"
                                            min="0"
                                            max="600"
                                            aria-invalid=invalid(problem, "min_fill_seconds")
                                            value=draft.min_fill.get_untracked()
                                            on:input=move |ev| draft.min_fill.set(event_target_value(&ev))
                                        />
                                    </Field>
                                </div>
                                <label class="checkbox">
                                    <input id="form-active" type="checkbox" bind:checked=draft.active />
                                    "Active: the form accepts submissions"
                                </label>
                            </fieldset>
                            {move || {
                                editable()
                                    .then(|| {
                                        view! {
                                            <div class="form-actions">
                                                <button id="form-save" type="submit" class="btn btn-primary" disabled=move || busy.get()>
                                                    {move || if saved.with(Option::is_some) { "Save form" } else { "Create form" }}
                                                </button>
                                                <a class="btn btn-ghost" href="/m/leads/forms">
                                                    "Cancel"
                                                </a>
                                            </div>
                                        }
                                    })
                            }}
                        </form>
                    </div>
                </section>
                {move || saved.get().map(|(id, _)| view! { <EmbedPanel id refresh=embed_refresh /> })}
            </div>
            <FormPreview draft />
        </div>
    }
}

/// The list of inputs: label, input name, lead field and whether it is required, in order.
#[component]
fn FieldsEditor(draft: Draft, problem: RwSignal<Option<Problem>>) -> impl IntoView {
    let whole = move || {
        problem
            .with(|p| p.as_ref().and_then(|p| p.field_message("fields")).map(str::to_owned))
            .map(|message| view! { <p class="field-error" data-testid="field-error">{message}</p> })
    };
    view! {
        <div class="field">
            <span class="label">"Fields"</span>
            <p class="field-hint">
                "Each input fills a lead field. The name is the input's name in the HTML: lower-case letters, digits and _."
            </p>
            <div class="field-rows" id="form-fields" data-testid="form-fields">
                {move || draft.fields.with(Vec::is_empty).then(|| view! { <p class="muted small">"Add at least an email or phone field."</p> })}
                <For
                    each=move || draft.fields.get()
                    key=|row| row.key
                    children=move |row| view! { <FieldRowEditor row rows=draft.fields custom=draft.custom_fields problem /> }
                />
            </div>
            {whole}
            <div>
                <button
                    id="form-field-add"
                    type="button"
                    class="btn btn-secondary btn-sm"
                    on:click=move |_| draft.add_field()
                >
                    "Add field"
                </button>
            </div>
        </div>
    }
}

#[component]
fn FieldRowEditor(
    row: FieldRow,
    rows: RwSignal<Vec<FieldRow>>,
    custom: RwSignal<Vec<CustomFieldView>>,
    problem: RwSignal<Option<Problem>>,
) -> impl IntoView {
    let key = row.key;
    let index = Memo::new(move |_| rows.with(|r| r.iter().position(|x| x.key == key)));
    let path = move || index.get().map(|i| format!("fields[{i}]")).unwrap_or_default();
    let errors = move || errors_under(problem, &path());
    let first = Signal::derive(move || index.get() == Some(0));
    let last = Signal::derive(move || index.get().is_some_and(|i| i + 1 == rows.with(Vec::len)));
    // The default name and label of what the row fills now: a custom field's key and label.
    let defaults = move |target: FormTarget, key: Option<&str>| -> (String, String) {
        match key.filter(|_| target == FormTarget::Custom) {
            Some(key) => {
                let label = custom.with_untracked(|all| all.iter().find(|d| d.key == key).map(|d| d.label.clone()));
                (key.to_owned(), label.unwrap_or_default())
            }
            None => (target_value(target).to_owned(), default_label(target).to_owned()),
        }
    };
    let change_target = move |value: String| {
        let (next, key) = match value.strip_prefix(CUSTOM_PREFIX) {
            Some(key) => (FormTarget::Custom, Some(key.to_owned())),
            None => match parse_target(&value) {
                Some(t) => (t, None),
                None => return,
            },
        };
        // Names and labels still at the old target's defaults follow the new target.
        let (old_name, old_label) = defaults(row.target.get_untracked(), row.custom_key.get_untracked().as_deref());
        let (new_name, new_label) = defaults(next, key.as_deref());
        if row.name.with_untracked(|n| n.trim().is_empty() || *n == old_name) {
            row.name.set(new_name);
        }
        if row.label.with_untracked(|l| l.trim().is_empty() || *l == old_label) {
            row.label.set(new_label);
        }
        row.custom_key.set(key);
        row.target.set(next);
    };
    let custom_options = move || {
        let fields = custom.get();
        (!fields.is_empty()).then(|| {
            view! {
                <optgroup label="Custom fields">
                    {fields
                        .into_iter()
                        .map(|d| {
                            let value = format!("{CUSTOM_PREFIX}{}", d.key);
                            let chosen = value.clone();
                            view! {
                                <option value=value selected=move || row.picked() == chosen>
                                    {format!("{} ({})", d.label, d.kind.label())}
                                </option>
                            }
                        })
                        .collect_view()}
                </optgroup>
            }
        })
    };
    // A custom field deleted since the form was saved: say so instead of showing another field.
    let missing_custom = move || {
        let key = row.custom_key.get().filter(|_| row.target.get() == FormTarget::Custom)?;
        let known = custom.with(|all| all.is_empty() || all.iter().any(|d| d.key == key));
        (!known).then(|| view! { <option value=format!("{CUSTOM_PREFIX}{key}") selected>{format!("custom.{key} (deleted)")}</option> })
    };
    view! {
        <div class="field-row" data-testid="form-field">
            <input
                type="text"
                class="field-row-label"
                placeholder="Label"
                aria-label="Label"
                aria-invalid=move || invalid_at(problem, &format!("{}.label", path()))
                bind:value=row.label
            />
            <input
                type="text"
                class="field-row-name mono"
                placeholder="name"
                aria-label="Input name"
                aria-invalid=move || invalid_at(problem, &format!("{}.name", path()))
                bind:value=row.name
            />
            <select aria-label="Fills the lead's" on:change=move |ev| change_target(event_target_value(&ev))>
                {TARGETS
                    .into_iter()
                    .map(|t| {
                        view! {
                            <option value=target_value(t) selected=move || row.target.get() == t>
                                {target_label(t)}
                            </option>
                        }
                    })
                    .collect_view()}
                {custom_options}
                {missing_custom}
            </select>
            <label class="checkbox small">
                <input type="checkbox" aria-label="Required" bind:checked=row.required />
                "Required"
            </label>
            <RowControls
                noun="field"
                first
                last
                on_move=move |up| rows.update(|r| move_row(r, |x| x.key, key, up))
                on_remove=move |_| rows.update(|r| r.retain(|x| x.key != key))
            />
            {move || {
                let errors = errors();
                (!errors.is_empty())
                    .then(|| view! { <p class="field-error row-error" data-testid="field-error">{errors.join(" ")}</p> })
            }}
        </div>
    }
}

/// The sites allowed to embed the form, one a line; each line's error is shown with its text.
#[component]
fn OriginsField(draft: Draft, problem: RwSignal<Option<Problem>>) -> impl IntoView {
    let line_errors = move || {
        let lines = draft.origin_lines();
        problem.with(|p| {
            p.as_ref()
                .map(|p| {
                    p.errors
                        .iter()
                        .filter_map(|e| {
                            let i: usize = e.field.strip_prefix("allowed_origins[")?.strip_suffix(']')?.parse().ok()?;
                            let line = lines.get(i).cloned().unwrap_or_default();
                            Some(format!("“{line}”: {}", e.message))
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let has_error = move || {
        problem
            .with(|p| p.as_ref().is_some_and(|p| p.errors.iter().any(|e| e.field.starts_with("allowed_origins"))))
            .then_some("true")
    };
    view! {
        <div class="field">
            <label for="form-origins">"Allowed websites"</label>
            <textarea
                id="form-origins"
                placeholder="https://www.example.com"
                aria-invalid=has_error
                bind:value=draft.origins
            ></textarea>
            <p class="field-hint">"One origin a line. The script embed only works on these sites."</p>
            <FieldErrorView problem name="allowed_origins" />
            {move || {
                line_errors()
                    .into_iter()
                    .map(|message| view! { <p class="field-error" data-testid="field-error">{message}</p> })
                    .collect_view()
            }}
        </div>
    }
}
