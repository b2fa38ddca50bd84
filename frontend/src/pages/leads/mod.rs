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
use kith_domain::core::permissions::{Action, RecordOwnership, RecordScope};
use kith_domain::leads::{LeadSource, LeadStatus};
use kith_domain::{LeadId, UserId};
use leptos::prelude::*;

use self::{
    assignment::LeadAssignmentPage, custom_fields::CustomFieldsPage, inbound_email::InboundEmailPage,
    scoring::LeadScoringPage, settings::LeadSettingsPage,
};
use crate::auth::{use_session, Session};
use crate::components::confirm::ConfirmDialog;
use crate::components::table::EmptyState;
use crate::people::{use_people, People};
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

/// Whom a lead would belong to with `owner` as its owner: the owner and their team, as the server
/// records them.
pub fn ownership_with(people: People, owner: Option<UserId>) -> RecordOwnership {
    RecordOwnership { owner_id: owner, team_id: owner.and_then(|o| people.team_untracked(o)) }
}

/// Could the signed-in user still open a lead that belongs to `record`? The domain's rule, as the
/// server applies it; untracked, for event handlers.
pub fn readable(session: Session, record: RecordOwnership) -> bool {
    session.allows_record_untracked(Module::Leads, Action::Read, record)
}

/// Why a lead handed to someone else leaves the signed-in user's list.
pub fn reach(session: Session) -> &'static str {
    match session.record_scope_untracked(Module::Leads) {
        Some(RecordScope::Team) => "your role shows you only your team's leads",
        _ => "your role shows you only the leads you own",
    }
}

/// "Maya Manager", or "nobody" for no owner: who a lead is handed to.
pub fn owner_label(people: People, owner: Option<UserId>) -> String {
    owner.map_or_else(|| "nobody".to_owned(), |o| people.find_untracked(o).unwrap_or_else(|| "someone else".to_owned()))
}

/// Asks before leads go to an owner whose records the signed-in user's role does not cover: names
/// the new owner and says the leads will leave the list.
#[component]
pub fn HandOverDialog(
    /// The lead's name, or "3 leads".
    #[prop(into)]
    what: String,
    owner: Option<UserId>,
    /// More than one lead.
    #[prop(optional)]
    several: bool,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    let session = use_session();
    let to = owner_label(use_people(), owner);
    let (title, confirm_label) = match owner {
        Some(_) => (format!("Hand {what} to {to}?"), format!("Assign to {to}")),
        None => (format!("Leave {what} unassigned?"), "Unassign".to_owned()),
    };
    let (they, them) = if several { ("They", "them") } else { ("The lead", "it") };
    let message =
        format!("{they} will leave your list and you will no longer be able to open {them}: {}.", reach(session));
    view! { <ConfirmDialog title message confirm_label confirm_class="btn btn-primary" on_confirm on_cancel /> }
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
