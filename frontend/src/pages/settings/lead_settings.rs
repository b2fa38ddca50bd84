//! Organization-wide lead settings: how duplicates are recognized, and the score that qualifies.

use kith_domain::leads::{DuplicateRule, LeadSettings};
use kith_domain::{FieldError, Problem};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::conditions::optional_number;
use crate::api::{problem_of, use_client};
use crate::auth::use_session;
use crate::components::field::{invalid, Field, FormAlert};
use crate::components::table::{EmptyState, Loading};
use crate::components::toast::use_toaster;

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
    let client = use_client();
    let toaster = use_toaster();
    let settings = RwSignal::new(None::<LeadSettings>);
    let failed = RwSignal::new(false);
    spawn_local(async move {
        match client.lead_settings().await {
            Ok(found) => {
                settings.try_set(Some(found));
            }
            Err(error) => {
                failed.try_set(true);
                toaster.error(&error);
            }
        }
    });

    view! {
        <section class="card">
            <div class="card-header">
                <div>
                    <h2>"Lead settings"</h2>
                    <p class="card-text">"How new leads from every channel are matched and when they qualify."</p>
                </div>
            </div>
            <div class="card-body">
                {move || match settings.get() {
                    Some(current) => view! { <SettingsForm current on_saved=move |saved| settings.set(Some(saved)) /> }.into_any(),
                    None if failed.get() => {
                        view! { <EmptyState title="The lead settings could not be loaded" text="Reload the page to try again." /> }
                            .into_any()
                    }
                    None => view! { <Loading /> }.into_any(),
                }}
            </div>
        </section>
    }
}

#[component]
fn SettingsForm(current: LeadSettings, #[prop(into)] on_saved: Callback<LeadSettings>) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let session = use_session();
    let rule = RwSignal::new(current.duplicate_rule);
    let threshold = RwSignal::new(current.qualify_threshold.map(|t| t.to_string()).unwrap_or_default());
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let admin = move || session.is_admin();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let mut errors: Vec<FieldError> = Vec::new();
        let qualify_threshold = optional_number::<i32>(&threshold.get_untracked(), "qualify_threshold", &mut errors);
        if !errors.is_empty() {
            problem.set(Some(Problem::validation(errors)));
            return;
        }
        let settings = LeadSettings { duplicate_rule: rule.get_untracked(), qualify_threshold };
        problem.set(None);
        busy.set(true);
        let client = client.clone();
        spawn_local(async move {
            let result = client.put_lead_settings(&settings).await;
            busy.try_set(false);
            match result {
                Ok(saved) => {
                    toaster.success("Lead settings saved");
                    on_saved.try_run(saved);
                }
                Err(error) => {
                    problem.set(Some(problem_of(&error)));
                    toaster.error(&error);
                }
            }
        });
    };

    view! {
           <form class="form" on:submit=submit novalidate>
               <FormAlert problem fields=&["duplicate_rule", "qualify_threshold"] />
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
                   <Field
                       label="Qualify at score"
                       id="lead-qualify-threshold"
                       name="qualify_threshold"
                       problem
                       hint="A lead reaching this score becomes qualified and its owner is told. Empty: never automatically."
                   >
                       <input
                           id="lead-qualify-threshold"
                           type="number"
                           min="1"
                           readonly=move || !admin()
                           aria-invalid=invalid(problem, "qualify_threshold")
                           value=threshold.get_untracked()
    on:input=move |ev| threshold.set(event_target_value(&ev))
                       />
                   </Field>
               </div>
               {move || {
                   if admin() {
                       view! {
                           <div class="form-actions">
                               <button
                                   id="lead-settings-save"
                                   type="submit"
                                   class="btn btn-primary"
                                   disabled=move || busy.get()
                               >
                                   "Save settings"
                               </button>
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
