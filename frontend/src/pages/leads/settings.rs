//! Organization-wide lead settings: how duplicates are recognized, the score that qualifies, and who
//! gets the leads no assignment rule takes.

use kith_domain::leads::{DuplicateRule, LeadSettings};
use kith_domain::FieldError;
use leptos::prelude::*;

use super::conditions::optional_number;
use crate::auth::use_session;
use crate::components::field::{invalid, Field, FormAlert, TextField};
use crate::components::toast::use_toaster;
use crate::data::{load, Found, Loaded, Save, SubmitButton};
use crate::people::{use_people, user_options};

const RULES: [DuplicateRule; 3] = [DuplicateRule::Email, DuplicateRule::EmailOrPhone, DuplicateRule::Off];

fn rule_value(rule: DuplicateRule) -> &'static str {
    match rule {
        DuplicateRule::Email => "email",
        DuplicateRule::EmailOrPhone => "email_or_phone",
        DuplicateRule::Off => "off",
    }
}

fn rule_label(rule: DuplicateRule) -> &'static str {
    match rule {
        DuplicateRule::Email => "Same email address",
        DuplicateRule::EmailOrPhone => "Same email address or phone number",
        DuplicateRule::Off => "Never: every capture makes a new lead",
    }
}

#[component]
pub fn LeadSettingsPage() -> impl IntoView {
    let settings = load(|client| async move { client.lead_settings().await });
    view! {
        <section class="card">
            <div class="card-header">
                <div>
                    <h2>"Lead settings"</h2>
                    <p class="card-text">"How new leads from every channel are matched, when they qualify, and who gets those no rule assigns."</p>
                </div>
            </div>
            <div class="card-body">
                <Loaded data=settings what="the lead settings" let:current>
                    <SettingsForm current on_saved=move |saved| settings.set(saved) />
                </Loaded>
            </div>
        </section>
    }
}

#[component]
fn SettingsForm(current: LeadSettings, #[prop(into)] on_saved: Callback<LeadSettings>) -> impl IntoView {
    let toaster = use_toaster();
    let session = use_session();
    let rule = RwSignal::new(current.duplicate_rule);
    let threshold = RwSignal::new(current.qualify_threshold.map(|t| t.to_string()).unwrap_or_default());
    let fallback = RwSignal::new(current.fallback_owner_id);
    let people = use_people();
    people.ensure();
    let admin = move || session.is_admin();
    let save = Save::new(
        |client, settings: LeadSettings| async move { client.put_lead_settings(&settings).await },
        move |saved| {
            toaster.success("Lead settings saved");
            on_saved.run(saved);
        },
    );
    let problem = save.problem;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut errors: Vec<FieldError> = Vec::new();
        let qualify_threshold = optional_number::<i32>(&threshold.get_untracked(), "qualify_threshold", &mut errors);
        let mut found = Found::new();
        found.extend(errors);
        save.submit(
            found,
            LeadSettings {
                duplicate_rule: rule.get_untracked(),
                qualify_threshold,
                fallback_owner_id: fallback.get_untracked(),
            },
        );
    };

    view! {
        <form class="form" on:submit=submit novalidate>
            <FormAlert problem fields=&["duplicate_rule", "qualify_threshold", "fallback_owner_id"] />
            <div class="form-grid">
                <Field
                    label="A new lead is a duplicate when it has"
                    id="lead-duplicate-rule"
                    name="duplicate_rule"
                    problem
                    hint="A duplicate is added to the existing lead instead of making a new one."
                >
                    <select
                        id="lead-duplicate-rule"
                        disabled=move || !admin()
                        aria-invalid=invalid(problem, "duplicate_rule")
                        on:change=move |ev| {
                            let value = event_target_value(&ev);
                            if let Some(chosen) = RULES.into_iter().find(|r| rule_value(*r) == value) {
                                rule.set(chosen);
                            }
                        }
                    >
                        {RULES
                            .into_iter()
                            .map(|r| {
                                view! {
                                    <option value=rule_value(r) selected=move || rule.get() == r>
                                        {rule_label(r)}
                                    </option>
                                }
                            })
                            .collect_view()}
                    </select>
                </Field>
                <TextField
                    label="Qualify at score"
                    id="lead-qualify-threshold"
                    name="qualify_threshold"
                    kind="number"
                    problem
                    value=threshold
                    readonly=Signal::derive(move || !admin())
                    hint="A lead reaching this score becomes qualified and its owner is told. Empty: never automatically."
                />
                <Field
                    label="Leads no assignment rule takes go to"
                    id="lead-fallback-owner"
                    name="fallback_owner_id"
                    problem
                    hint="Without someone here, such leads stay unassigned and every lead manager is told about each one."
                >
                    <select
                        id="lead-fallback-owner"
                        disabled=move || !admin()
                        aria-invalid=invalid(problem, "fallback_owner_id")
                        on:change=move |ev| fallback.set(event_target_value(&ev).parse().ok())
                    >
                        <option value="" selected=move || fallback.get().is_none()>
                            "Nobody: keep them unassigned and tell the lead managers"
                        </option>
                        {user_options(people, move || fallback.get())}
                    </select>
                </Field>
            </div>
            {move || {
                if admin() {
                    view! {
                        <div class="form-actions">
                            <SubmitButton save id="lead-settings-save" label="Save settings" busy_label="Saving…" />
                        </div>
                    }
                        .into_any()
                } else {
                    view! { <p class="muted small">"Only administrators can change these settings."</p> }.into_any()
                }
            }}
        </form>
    }
}
