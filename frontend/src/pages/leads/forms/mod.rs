//! Web forms: `/m/leads/forms` lists them; `/m/leads/forms/new` and `/m/leads/forms/:id` build one
//! with a live preview, and show the code to paste into a website once it is saved.

pub mod builder;
pub mod embed;
pub mod preview;

use kith_domain::core::modules::Module;
use kith_domain::leads::webforms::{FormTarget, WebFormView};
use kith_domain::WebFormId;
use leptos::prelude::*;

use super::LeadsGate;
use crate::auth::use_session;
use crate::components::table::ListTable;
use crate::data::{load, Loaded};
use crate::format;

/// Every lead field a form input (or an imported column) can fill, in the order pickers show them.
pub const TARGETS: [FormTarget; 12] = [
    FormTarget::FullName,
    FormTarget::FirstName,
    FormTarget::LastName,
    FormTarget::Email,
    FormTarget::Phone,
    FormTarget::Company,
    FormTarget::Website,
    FormTarget::Title,
    FormTarget::Country,
    FormTarget::Industry,
    FormTarget::CompanySize,
    FormTarget::Message,
];

/// The wire name (`first_name`), also a good input name for the field.
pub fn target_value(target: FormTarget) -> &'static str {
    match target {
        FormTarget::FirstName => "first_name",
        FormTarget::LastName => "last_name",
        FormTarget::FullName => "full_name",
        FormTarget::Email => "email",
        FormTarget::Phone => "phone",
        FormTarget::Company => "company",
        FormTarget::Website => "website",
        FormTarget::Title => "title",
        FormTarget::Country => "country",
        FormTarget::Industry => "industry",
        FormTarget::CompanySize => "company_size",
        FormTarget::Message => "message",
        FormTarget::Custom => "custom",
    }
}

pub fn parse_target(value: &str) -> Option<FormTarget> {
    TARGETS.into_iter().find(|t| target_value(*t) == value)
}

/// What the target fills, for pickers.
pub fn target_label(target: FormTarget) -> &'static str {
    match target {
        FormTarget::FirstName => "First name",
        FormTarget::LastName => "Last name",
        FormTarget::FullName => "Full name",
        FormTarget::Email => "Email",
        FormTarget::Phone => "Phone",
        FormTarget::Company => "Company",
        FormTarget::Website => "Website",
        FormTarget::Title => "Job title",
        FormTarget::Country => "Country (name or code)",
        FormTarget::Industry => "Industry",
        FormTarget::CompanySize => "Employees",
        FormTarget::Message => "Message (a note)",
        FormTarget::Custom => "A custom field",
    }
}

/// A label visitors understand, for a new field of this target.
pub fn default_label(target: FormTarget) -> &'static str {
    match target {
        FormTarget::FirstName => "First name",
        FormTarget::LastName => "Last name",
        FormTarget::FullName => "Name",
        FormTarget::Email => "Email",
        FormTarget::Phone => "Phone",
        FormTarget::Company => "Company",
        FormTarget::Website => "Website",
        FormTarget::Title => "Job title",
        FormTarget::Country => "Country",
        FormTarget::Industry => "Industry",
        FormTarget::CompanySize => "Number of employees",
        FormTarget::Message => "Message",
        FormTarget::Custom => "",
    }
}

pub fn form_href(id: WebFormId) -> String {
    format!("/m/leads/forms/{id}")
}

const COLUMNS: &[(&str, &str)] =
    &[("Name", ""), ("Active", ""), ("Submissions", "num"), ("Fields", "num"), ("Changed", ""), ("", "actions")];

#[component]
pub fn WebFormListPage() -> impl IntoView {
    view! {
        <LeadsGate>
            <WebFormList />
        </LeadsGate>
    }
}

#[component]
fn WebFormList() -> impl IntoView {
    let session = use_session();
    let forms = load(|client| async move { client.web_forms().await });

    let rows = move |all: Vec<WebFormView>| {
        all.into_iter()
            .map(|form| {
                let active = if form.active {
                    view! { <span class="badge badge-green">"Active"</span> }
                } else {
                    view! { <span class="badge">"Paused"</span> }
                };
                view! {
                    <tr data-testid="web-form-row">
                        <td>
                            <a href=form_href(form.id)>{form.name.clone()}</a>
                        </td>
                        <td>{active}</td>
                        <td class="num" data-testid="web-form-submissions">
                            {form.submissions}
                        </td>
                        <td class="num">{form.fields.len()}</td>
                        <td class="muted nowrap">{format::date(form.updated_at)}</td>
                        <td class="actions">
                            <a class="btn btn-secondary btn-sm" href=form_href(form.id)>
                                {if session.is_admin() { "Edit" } else { "View" }}
                            </a>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <div class="page-header">
            <div>
                <a class="back-link" href="/m/leads">
                    "← Leads"
                </a>
                <h1>"Web forms"</h1>
                <p class="page-subtitle">"Forms for your website that capture leads straight into Kith."</p>
            </div>
            <div class="row">
                {move || {
                    (session.can_read(Module::Marketing) || session.can_read(Module::Leads))
                        .then(|| {
                            view! {
                                <a class="btn btn-ghost" href="/settings/sequences">
                                    "Sequences"
                                </a>
                            }
                        })
                }}
                {move || {
                    session
                        .is_admin()
                        .then(|| {
                            view! {
                                <a id="web-form-new" class="btn btn-primary" href="/m/leads/forms/new">
                                    "New web form"
                                </a>
                            }
                        })
                }}
            </div>
        </div>
        <section class="card">
            <Loaded data=forms what="the web forms" let:all>
                <ListTable
                        id="web-form-table" columns=COLUMNS empty=all.is_empty() empty_icon="▤"
                        empty_title="No web forms yet"
                        empty_text="A web form on your website turns each visitor who fills it in into a lead here."
                    >
                        {rows(all)}
                    </ListTable>
            </Loaded>
            {move || {
                (!session.is_admin())
                    .then(|| {
                        view! { <p class="muted small card-body">"Only administrators can create and change web forms."</p> }
                    })
            }}
        </section>
    }
}
