//! The "New lead" form. When the duplicate rule finds the person already, the API answers with the
//! existing lead; either way the form ends on that lead's page.

use chrono::Duration;
use kith_domain::leads::{LeadView, NewLead};
use kith_domain::UserId;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::custom_values::{custom_changes, custom_inputs, load_custom_fields};
use super::{lead_href, non_blank, parse_tags};
use crate::api::use_client;
use crate::components::field::{country_code, invalid, CountryField, Field, FormAlert, TextField};
use crate::components::toast::use_toaster;
use crate::data::{Found, Save, SubmitButton};
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
    let custom_rows = load_custom_fields(client, Default::default());
    let create = Save::new(
        |client, lead: NewLead| async move { client.create_lead(&lead).await },
        move |lead: LeadView| {
            // A lead created well before now is an existing one the duplicate rule matched.
            if format::now() - lead.created_at > Duration::minutes(1) {
                toaster.success(format!("{} already exists; the new details were added there", lead.display_name()));
            } else {
                toaster.success(format!("Lead {} created", lead.display_name()));
            }
            navigate(&lead_href(lead.id), Default::default());
        },
    );
    let problem = create.problem;

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut found = Found::new();
        let company_size = match size.get_untracked().trim() {
            "" => None,
            text => found.take(text.parse::<i32>(), "company_size", "number", "Enter the number of employees."),
        };
        let custom = custom_changes(custom_rows, &Default::default(), true, &mut found);
        create.submit(
            found,
            NewLead {
                first_name: first_name.get_untracked().trim().to_owned(),
                last_name: last_name.get_untracked().trim().to_owned(),
                title: title.get_untracked().trim().to_owned(),
                email: non_blank(&email.get_untracked()),
                phone: non_blank(&phone.get_untracked()),
                company_name: company.get_untracked().trim().to_owned(),
                company_website: non_blank(&website.get_untracked()),
                company_size,
                industry: non_blank(&industry.get_untracked()),
                country: country_code(&country.get_untracked()),
                owner_id: owner.get_untracked().parse::<UserId>().ok(),
                tags: parse_tags(&tags.get_untracked()),
                custom,
                ..Default::default()
            },
        );
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
                        <TextField
                            label="First name"
                            id="lead-first-name"
                            name="first_name"
                            problem
                            value=first_name
                            autofocus=true
                        />
                        <TextField label="Last name" id="lead-last-name" name="last_name" problem value=last_name />
                        <TextField label="Job title" id="lead-title" name="title" problem value=title />
                        <TextField label="Email" id="lead-email" name="email" kind="email" problem value=email />
                        <TextField label="Phone" id="lead-phone" name="phone" kind="tel" problem value=phone />
                        <TextField label="Company" id="lead-company" name="company_name" problem value=company />
                        <TextField
                            label="Website"
                            id="lead-website"
                            name="company_website"
                            problem
                            value=website
                            placeholder="acme.com"
                        />
                        <TextField label="Employees" id="lead-size" name="company_size" kind="number" problem value=size />
                        <TextField label="Industry" id="lead-industry" name="industry" problem value=industry />
                        <CountryField id="lead-country" name="country" problem value=country />
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
                        <TextField label="Tags" id="lead-tags" name="tags" problem value=tags hint="Separated by commas." />
                    </div>
                    <div class="form-grid">{custom_inputs(custom_rows, problem, false)}</div>
                    <div class="form-actions">
                        <SubmitButton save=create id="lead-create" label="Create lead" busy_label="Creating…" />
                        <button type="button" class="btn btn-ghost" on:click=move |_| on_close.run(())>
                            "Cancel"
                        </button>
                    </div>
                </form>
            </div>
        </section>
    }
}
