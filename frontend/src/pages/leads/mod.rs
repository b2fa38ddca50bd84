//! Leads: the list (filters kept in the address, saved views, bulk changes, export) and one lead's
//! page (details, status, owner, tags, score and timeline).

pub mod assignment;
pub mod attachments;
pub mod bulk;
pub mod calls;
pub mod conditions;
pub mod custom_fields;
pub mod custom_values;
pub mod detail;
pub mod duplicates;
pub mod emails;
pub mod enrollments;
pub mod filters;
pub mod forms;
pub mod import;
pub mod inbound_email;
pub mod list;
pub mod new_lead;
pub mod saved_views;
pub mod scoring;
pub mod settings;
pub mod timeline;

use kith_domain::core::modules::Module;
use kith_domain::leads::{LeadSource, LeadStatus};
use kith_domain::LeadId;
use leptos::prelude::*;

use self::{
    assignment::LeadAssignmentPage, custom_fields::CustomFieldsPage, inbound_email::InboundEmailPage,
    scoring::LeadScoringPage, settings::LeadSettingsPage,
};
use crate::auth::use_session;
use crate::components::table::EmptyState;
use crate::registry::{RecordKind, SettingsPage};

/// The lead settings; lead readers may see them (only administrators change them).
pub const SETTINGS: &[SettingsPage] = &[
    SettingsPage {
        slug: "lead-scoring",
        label: "Lead scoring",
        access: |session| session.can_read(Module::Leads),
        view: || view! { <LeadScoringPage /> }.into_any(),
    },
    SettingsPage {
        slug: "lead-assignment",
        label: "Lead assignment",
        access: |session| session.can_read(Module::Leads),
        view: || view! { <LeadAssignmentPage /> }.into_any(),
    },
    SettingsPage {
        slug: "leads",
        label: "Lead settings",
        access: |session| session.can_read(Module::Leads),
        view: || view! { <LeadSettingsPage /> }.into_any(),
    },
    SettingsPage {
        slug: "custom-fields",
        label: "Custom fields",
        access: |session| session.can_read(Module::Leads),
        view: || view! { <CustomFieldsPage /> }.into_any(),
    },
    SettingsPage {
        slug: "inbound-email",
        label: "Inbound email",
        access: |session| session.is_admin(),
        view: || view! { <InboundEmailPage /> }.into_any(),
    },
];

pub const KINDS: &[RecordKind] = &[
    RecordKind { entity: "lead", label: "Lead", href: Some(|id| format!("/m/leads/{id}")) },
    // The Unassigned queue, which the lead managers' digest notices open.
    RecordKind { entity: "unassigned_leads", label: "Unassigned leads", href: Some(|_| filters::unassigned_href()) },
    RecordKind { entity: "web_form", label: "Web form", href: Some(|id| format!("/m/leads/forms/{id}")) },
    RecordKind { entity: "custom_field", label: "Custom field", href: Some(|_| "/settings/custom-fields".to_owned()) },
    RecordKind { entity: "call_list", label: "Call list", href: Some(|id| format!("/m/leads/calls/{id}")) },
    RecordKind { entity: "lead_view", label: "Saved view", href: None },
    RecordKind { entity: "import", label: "Import", href: None },
    RecordKind { entity: "lead_merge", label: "Lead merge", href: None },
    RecordKind { entity: "scoring_rule", label: "Scoring rule", href: Some(|_| "/settings/lead-scoring".to_owned()) },
    RecordKind {
        entity: "assignment_rule",
        label: "Assignment rule",
        href: Some(|_| "/settings/lead-assignment".to_owned()),
    },
    RecordKind { entity: "lead_settings", label: "Lead settings", href: Some(|_| "/settings/leads".to_owned()) },
    RecordKind {
        entity: "inbound_email",
        label: "Inbound email",
        href: Some(|_| "/settings/inbound-email".to_owned()),
    },
];

pub fn lead_href(id: LeadId) -> String {
    format!("/m/leads/{id}")
}

pub fn status_badge(status: LeadStatus) -> impl IntoView {
    let class = match status {
        LeadStatus::New => "badge badge-accent",
        LeadStatus::Contacted | LeadStatus::Working => "badge badge-blue",
        LeadStatus::Nurture | LeadStatus::NotReady => "badge badge-amber",
        LeadStatus::Qualified | LeadStatus::Converted => "badge badge-green",
        LeadStatus::Disqualified => "badge badge-red",
    };
    view! {
        <span class=class data-testid="lead-status">
            {status.label()}
        </span>
    }
}

pub fn source_label(source: LeadSource) -> &'static str {
    match source {
        LeadSource::WebForm => "Web form",
        LeadSource::Email => "Email",
        LeadSource::Import => "Import",
        LeadSource::CallList => "Call list",
        LeadSource::Referral => "Referral",
        LeadSource::Campaign => "Campaign",
        LeadSource::Manual => "Manual",
        LeadSource::Api => "API",
    }
}

/// Does moving to `status` take a revisit date?
pub fn takes_revisit_date(status: Option<LeadStatus>) -> bool {
    matches!(status, Some(LeadStatus::Nurture | LeadStatus::NotReady))
}

/// Tags typed as "vip, trade fair 2026" → ["vip", "trade fair 2026"].
pub fn parse_tags(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

/// Trimmed text, or `None` when blank.
pub fn non_blank(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// Shows `children` only to roles that may read leads.
#[component]
pub fn LeadsGate(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    view! {
        <Show
            when=move || session.can_read(Module::Leads)
            fallback=|| {
                view! {
                    <div class="card">
                        <EmptyState
                            icon="!"
                            title="Leads are not available to your role"
                            text="Ask an administrator for access."
                        />
                    </div>
                }
            }
        >
            {children()}
        </Show>
    }
}
