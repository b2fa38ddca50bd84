//! The "New lead" form. When the duplicate rule finds the person already, the API answers with the
//! existing lead; either way the form ends on that lead's page.

use chrono::Duration;
use kith_domain::leads::NewLead;
use kith_domain::{FieldError, Problem, UserId};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use super::custom_values::{custom_changes, custom_inputs, load_custom_fields};
use super::{lead_href, non_blank, parse_tags};
use crate::api::{problem_of, use_client};
use crate::components::field::{invalid, Field, FormAlert};
use crate::components::toast::use_toaster;
use crate::format;
use crate::people::{use_people, user_options};

const FIELDS: &[&str] = &[
    "first_name",
    "last_name",
    "title",
    "email",
    "phone",
    "company_name",
    "company_website",
    "company_size",
    "industry",
    "country",
    "owner_id",
    "tags",
];

#[component]
pub fn NewLeadForm(#[prop(into)] on_close: Callback<()>) -> impl IntoView {
    let client = use_client();
    let toaster = use_toaster();
    let people = use_people();
    let navigate = use_navigate();
    people.ensure();

    let first_name = RwSignal::new(String::new());
    let last_name = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let company = RwSignal::new(String::new());
    let website = RwSignal::new(String::new());
    let size = RwSignal::new(String::new());
    let industry = RwSignal::new(String::new());
    let country = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let tags = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<Problem>);
    let busy = RwSignal::new(false);
    let custom_rows = load_custom_fields(client.clone(), Default::default());

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let company_size = match size.get_untracked().trim() {
            "" => None,
            text => match text.parse::<i32>() {
                Ok(n) => Some(n),
                Err(_) => {
                    let error = FieldError::new("company_size", "number", "Enter the number of employees.");
                    problem.set(Some(Problem::validation(vec![error])));
                    return;
                }
            },
        };
        let custom = match custom_changes(custom_rows, &Default::default()) {
            Ok(custom) => custom,
            Err(errors) => {
                problem.set(Some(Problem::validation(errors)));
                return;
            }
        };
        let lead = NewLead {
            first_name: first_name.get_untracked().trim().to_owned(),
            last_name: last_name.get_untracked().trim().to_owned(),
            title: title.get_untracked().trim().to_owned(),
            email: non_blank(&email.get_untracked()),
            phone: non_blank(&phone.get_untracked()),
            company_name: company.get_untracked().trim().to_owned(),
            company_website: non_blank(&website.get_untracked()),
            company_size,
            industry: non_blank(&industry.get_untracked()),
            country: non_blank(&country.get_untracked()).map(|c| c.to_uppercase()),
            owner_id: owner.get_untracked().parse::<UserId>().ok(),
            tags: parse_tags(&tags.get_untracked()),
            custom,
            ..Default::default()
        };
        problem.set(None);
        busy.set(true);
        let client = client.clone();
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = client.create_lead(&lead).await;
            busy.try_set(false);
            match result {
                Ok(lead) => {
                    // A lead created well before now is an existing one the duplicate rule matched.
                    if format::now() - lead.created_at > Duration::minutes(1) {
                        toaster.success(format!(
                            "{} already exists; the new details were added there",
                            lead.display_name()
                        ));
                    } else {
                        toaster.success(format!("Lead {} created", lead.display_name()));
                    }
                    navigate(&lead_href(lead.id), Default::default());
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
                   <h2>"New lead"</h2>
               </div>
               <div class="card-body">
                   <form class="form" on:submit=submit novalidate>
                       <FormAlert problem fields=FIELDS prefixes=&["custom."] />
                       <div class="form-grid">
                           <Field label="First name" id="lead-first-name" name="first_name" problem>
                               <input
                                   id="lead-first-name"
                                   type="text"
                                   autofocus
                                   aria-invalid=invalid(problem, "first_name")
                                   bind:value=first_name
                               />
                           </Field>
                           <Field label="Last name" id="lead-last-name" name="last_name" problem>
                               <input
                                   id="lead-last-name"
                                   type="text"
                                   aria-invalid=invalid(problem, "last_name")
                                   bind:value=last_name
                               />
                           </Field>
                           <Field label="Job title" id="lead-title" name="title" problem>
                               <input id="lead-title" type="text" aria-invalid=invalid(problem, "title") bind:value=title />
                           </Field>
                           <Field label="Email" id="lead-email" name="email" problem>
                               <input id="lead-email" type="email" aria-invalid=invalid(problem, "email") bind:value=email />
                           </Field>
                           <Field label="Phone" id="lead-phone" name="phone" problem>
                               <input id="lead-phone" type="tel" aria-invalid=invalid(problem, "phone") bind:value=phone />
                           </Field>
                           <Field label="Company" id="lead-company" name="company_name" problem>
                               <input
                                   id="lead-company"
                                   type="text"
                                   aria-invalid=invalid(problem, "company_name")
                                   bind:value=company
                               />
                           </Field>
                           <Field label="Website" id="lead-website" name="company_website" problem>
                               <input
                                   id="lead-website"
                                   type="text"
                                   placeholder="acme.com"
                                   aria-invalid=invalid(problem, "company_website")
                                   bind:value=website
                               />
                           </Field>
                           <Field label="Employees" id="lead-size" name="company_size" problem>
                               <input
                                   id="lead-size"
                                   type="number"
                                   min="1"
                                   aria-invalid=invalid(problem, "company_size")
                                   value=size.get_untracked()
    on:input=move |ev| size.set(event_target_value(&ev))
                               />
                           </Field>
                           <Field label="Industry" id="lead-industry" name="industry" problem>
                               <input
                                   id="lead-industry"
                                   type="text"
                                   aria-invalid=invalid(problem, "industry")
                                   bind:value=industry
                               />
                           </Field>
                           <Field label="Country" id="lead-country" name="country" problem hint="Two letters, e.g. DE.">
                               <input
                                   id="lead-country"
                                   type="text"
                                   maxlength="2"
                                   aria-invalid=invalid(problem, "country")
                                   bind:value=country
                               />
                           </Field>
                           <Field
                               label="Owner"
                               id="lead-owner"
                               name="owner_id"
                               problem
                               hint="Without one, the assignment rules choose."
                           >
                               <select
                                   id="lead-owner"
                                   aria-invalid=invalid(problem, "owner_id")
                                   on:change=move |ev| owner.set(event_target_value(&ev))
                               >
                                   <option value="" selected=move || owner.with(String::is_empty)>
                                       "Assign by the rules"
                                   </option>
                                   {user_options(people, move || owner.with(|o| o.parse().ok()))}
                               </select>
                           </Field>
                           <Field label="Tags" id="lead-tags" name="tags" problem hint="Separated by commas.">
                               <input id="lead-tags" type="text" aria-invalid=invalid(problem, "tags") bind:value=tags />
                           </Field>
                       </div>
                       <div class="form-grid">{custom_inputs(custom_rows, problem, false)}</div>
                       <div class="form-actions">
                           <button id="lead-create" type="submit" class="btn btn-primary" disabled=move || busy.get()>
                               "Create lead"
                           </button>
                           <button type="button" class="btn btn-ghost" on:click=move |_| on_close.run(())>
                               "Cancel"
                           </button>
                       </div>
                   </form>
               </div>
           </section>
       }
}
