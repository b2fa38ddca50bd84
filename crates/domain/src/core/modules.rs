//! The lifecycle modules of Kith. A role grants access per module; the SPA's navigation lists them.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Module {
    Leads,
    Pipeline,
    Customers,
    Projects,
    Billing,
    Support,
    Marketing,
    Reports,
    /// Users, teams, roles, API keys, invitations and the organization itself.
    Settings,
}

impl Module {
    pub const ALL: [Module; 9] = [
        Module::Leads,
        Module::Pipeline,
        Module::Customers,
        Module::Projects,
        Module::Billing,
        Module::Support,
        Module::Marketing,
        Module::Reports,
        Module::Settings,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Module::Leads => "Leads",
            Module::Pipeline => "Pipeline",
            Module::Customers => "Customers",
            Module::Projects => "Projects",
            Module::Billing => "Billing",
            Module::Support => "Support",
            Module::Marketing => "Marketing",
            Module::Reports => "Reports",
            Module::Settings => "Settings",
        }
    }

    /// What the module is for, shown on its page until its records exist.
    pub fn purpose(self) -> &'static str {
        match self {
            Module::Leads => "Capture leads from web forms, email, imports and call lists; score, assign and nurture them until they are ready to buy.",
            Module::Pipeline => "Work qualified leads as potentials through your sales stages and forecast what will close.",
            Module::Customers => "Accounts and contacts you have won, with their whole history carried over from the lead.",
            Module::Projects => "Deliver what you sold: projects with stages, tasks and dependencies.",
            Module::Billing => "Subscriptions, time, expenses, milestones and products turned into invoices; taxes, discounts, payments and overdue follow-up.",
            Module::Support => "Tickets with SLAs, a knowledge base and the customer portal.",
            Module::Marketing => "Campaigns, sequences and retention programmes that turn customers into referrers.",
            Module::Reports => "Forecasts, funnel and stage analytics, revenue and support reports.",
            Module::Settings => "Users, teams, roles, API keys and your organization.",
        }
    }
}
