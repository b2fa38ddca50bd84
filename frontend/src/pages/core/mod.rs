//! What every module shares: home, the recycle bin, the audit trail and one record's history.

pub mod recycle_bin;

use leptos::prelude::*;

use crate::pages::settings::audit::AuditPage;
use crate::registry::SettingsPage;
use kith_domain::core::modules::Module;

pub const SETTINGS: &[SettingsPage] = &[
    SettingsPage {
        slug: "audit",
        label: "Audit log",
        access: |session| session.can_read(Module::Settings),
        view: || view! { <AuditPage /> }.into_any(),
    },
    SettingsPage {
        slug: "recycle-bin",
        label: "Recycle bin",
        // The bin lists what its reader may restore: settings writers.
        access: |session| session.is_admin(),
        view: || view! { <recycle_bin::RecycleBinPage /> }.into_any(),
    },
];
