//! The kernel every context builds on: the scope and transactions, the clock, audit, the recycle bin,
//! attachments (files kept with a record of any kind), the outbox and the organization's email settings, jobs,
//! idempotency, notifications, custom fields, tags and the timeline, opaque tokens,
//! and the registry (`kernel`) where contexts declare their record kinds, hooks, jobs and maintenance.
//! Nothing here names a context: it reads what the contexts registered.

pub mod activities;
pub mod attachments;
pub mod audit;
pub mod clock;
pub mod custom_fields;
pub mod idempotency;
pub mod instance;
pub mod jobs;
pub mod kernel;
pub mod mail_servers;
pub mod mail_settings;
pub mod notifications;
pub mod outbox;
pub mod recycle;
pub mod scope;
pub mod search;
pub mod tags;
pub mod timeline;
pub mod tokens;
pub(crate) mod util;

pub(crate) fn register(k: &mut kernel::Kernel) {
    mail_settings::register(k);
    mail_servers::register(k);
    custom_fields::register(k);
    idempotency::register(k);
    jobs::register(k);
    recycle::register(k);
    search::register(k);
    attachments::register(k);
    activities::register(k);
}
