//! What every module shares: home, the settings shell, the recycle bin, the audit trail and one
//! record's history.

pub mod activities;
pub mod audit;
pub mod dashboard;
pub mod history;
pub mod module;
pub mod not_found;
pub mod recycle_bin;
pub mod settings;

use kith_domain::core::modules::Module;
use leptos::prelude::*;

use self::audit::AuditPage;
use crate::registry::{RecordKind, SettingsPage};

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

pub const KINDS: &[RecordKind] = &[
    RecordKind { entity: "activity", label: "Activity", href: None },
    RecordKind { entity: "calendar_feed", label: "Calendar feed", href: None },
    RecordKind { entity: "attachment", label: "Attachment", href: None },
    RecordKind { entity: "mail_settings", label: "Email settings", href: Some(|_| "/settings/email".to_owned()) },
    RecordKind { entity: "mail_server", label: "Mail server", href: Some(|_| "/settings/email".to_owned()) },
];
