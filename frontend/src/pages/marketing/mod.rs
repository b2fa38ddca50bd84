//! Marketing: sequences of emails and tasks that leads are enrolled in.

pub mod sequences;

use kith_domain::core::modules::Module;
use leptos::prelude::*;

use self::sequences::SequencesPage;
use crate::registry::{RecordKind, SettingsPage};

pub const SETTINGS: &[SettingsPage] = &[SettingsPage {
    slug: "sequences",
    label: "Sequences",
    // Lead readers see the sequences they may enrol leads in.
    access: |session| session.can_read(Module::Marketing) || session.can_read(Module::Leads),
    view: || view! { <SequencesPage /> }.into_any(),
}];

pub const KINDS: &[RecordKind] =
    &[RecordKind { entity: "sequence", label: "Sequence", href: Some(|_| "/settings/sequences".to_owned()) }];
