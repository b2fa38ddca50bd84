//! kith-db: storage for Kith.
//!
//! One connection type serves PostgreSQL and SQLite (`DbConnection`, a diesel `MultiConnection`);
//! the backend is chosen from the URL scheme. Each aggregate has a module of plain functions that
//! take a [`Scope`] (the tenant and the actor, which only authentication can create) and a
//! connection, and do their work — the write, its audit row, its side records — in one transaction.

pub mod api_keys;
pub mod attachments;
pub mod audit;
pub mod call_lists;
pub mod clock;
pub mod connection;
pub mod custom_fields;
pub mod email_engagement;
pub mod error;
pub mod idempotency;
pub mod imports;
pub mod inbound;
pub mod instance;
pub mod invites;
pub mod jobs;
pub mod kernel;
pub mod lead_rules;
pub mod lead_views;
pub mod leads;
pub mod mail_servers;
pub mod mail_settings;
pub mod notifications;
pub mod organizations;
pub mod outbox;
pub mod recycle;
pub mod roles;
pub mod schema;
pub mod scope;
pub mod sequences;
pub mod sessions;
pub mod teams;
pub mod tokens;
pub mod users;
pub mod webforms;

mod util;

pub use clock::Clock;
pub use connection::{Backend, DbConnection, Pool, PoolOptions};
pub use error::{Error, Result};
pub use scope::Scope;
pub use util::{now, now_utc};

/// The composition root: every context registers its hooks, job kinds and maintenance with the
/// kernel here, once (`kernel::kernel()`); shared code only reads the registry.
fn contexts(k: &mut kernel::Kernel) {
    organizations::register(k);
    users::register(k);
    teams::register(k);
    roles::register(k);
    api_keys::register(k);
    invites::register(k);
    mail_settings::register(k);
    mail_servers::register(k);
    custom_fields::register(k);
    lead_rules::register(k);
    webforms::register(k);
    inbound::register(k);
    call_lists::register(k);
    lead_views::register(k);
    sessions::register(k);
    idempotency::register(k);
    jobs::register(k);
    recycle::register(k);
    attachments::register(k);
    leads::register(k);
    imports::register(k);
    sequences::register(k);
}
