//! Customers: accounts and contacts, read and changed within the caller's record scope for the
//! Customers module, with the kernel's search documents, timelines, audit and recycle bin.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kith_domain::core::audit::AuditAction;
use kith_domain::core::modules::Module;
use kith_domain::core::page::{clamp_limit, page_from_rows, Cursor, Page};
use kith_domain::core::permissions::Action;
use kith_domain::customers::*;
use kith_domain::*;

use crate::core::kernel::RecordRef;
use crate::core::util::{new_id, now, parse_id, to_utc, transaction};
use crate::core::{audit, recycle, search, timeline};
use crate::schema::{accounts, contact_accounts, contacts, potentials};
use crate::{DbConnection, Error, Result, Scope};

pub mod accounts_store;
pub mod contacts_store;

pub use accounts_store::*;
pub use contacts_store::*;

pub const ACCOUNT: &str = "account";
pub const CONTACT: &str = "contact";

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    use crate::core::kernel::RecordKind;
    k.record_kind(
        RecordKind::new(ACCOUNT, Module::Customers)
            .read_one(|c, s, id| get_account(c, s, parse_id(id).map_err(|_| Error::NotFound)?).map(|_| ()))
            .write_one(|c, s, id| writable_account(c, s, parse_id(id).map_err(|_| Error::NotFound)?).map(|_| ()))
            .timeline(|c, s, id, entry| timeline_entry(c, s, ACCOUNT, id, entry))
            .display(display_accounts)
            .purged_by(purge_account),
    );
    k.record_kind(
        RecordKind::new(CONTACT, Module::Customers)
            .read_one(|c, s, id| get_contact(c, s, parse_id(id).map_err(|_| Error::NotFound)?).map(|_| ()))
            .write_one(|c, s, id| writable_contact(c, s, parse_id(id).map_err(|_| Error::NotFound)?).map(|_| ()))
            .timeline(|c, s, id, entry| timeline_entry(c, s, CONTACT, id, entry))
            .display(display_contacts)
            .purged_by(purge_contact),
    );
}

/// The kernel's shared features (attachments) write on a customer record's timeline.
pub(crate) fn timeline_entry(
    conn: &mut DbConnection,
    scope: &Scope,
    kind: &'static str,
    id: &str,
    entry: crate::core::kernel::TimelineEntry<'_>,
) -> Result<()> {
    use crate::core::kernel::TimelineEntry;
    let (event, name) = match entry {
        TimelineEntry::AttachmentAdded { file_name } => ("attachment_added", file_name),
        TimelineEntry::AttachmentRemoved { file_name } => ("attachment_removed", file_name),
        TimelineEntry::ActivityAdded { summary } => ("activity_logged", summary),
        TimelineEntry::ActivityDone { summary } => ("task_done", summary),
        TimelineEntry::ActivityReopened { summary } => ("task_reopened", summary),
        TimelineEntry::ActivityRemoved { summary } => ("activity_removed", summary),
    };
    timeline::add(
        conn,
        scope,
        &RecordRef::new(kind, id),
        &timeline::NewEvent { kind: event, from: None, to: None, note: Some(name), at: None },
    )
}

/// An owner named in a request: an active user of the organization whose role may read customers.
pub(crate) fn check_owner(conn: &mut DbConnection, scope: &Scope, owner: UserId, module: Module) -> Result<()> {
    use crate::schema::{roles, users};
    let found: Option<(String, String)> = users::table
        .inner_join(roles::table)
        .filter(users::org_id.eq(scope.org_id().to_string()))
        .filter(users::id.eq(owner.to_string()))
        .select((users::status, roles::permissions))
        .first(conn)
        .optional()?;
    match found {
        Some((status, _)) if status != "active" => Err(Error::field("owner_id", "inactive", "This user is disabled.")),
        Some((_, permissions)) => {
            let may = serde_json::from_str::<kith_domain::core::permissions::Permissions>(&permissions)
                .map(|p| p.allows(module, Action::Read))
                .unwrap_or(false);
            if may {
                Ok(())
            } else {
                Err(Error::field(
                    "owner_id",
                    "cannot_own",
                    &format!("This user's role cannot work with {}.", module.label().to_lowercase()),
                ))
            }
        }
        None => Err(Error::field("owner_id", "unknown", "No such user in this organization.")),
    }
}

/// The team of a record's owner, kept on the record for team-scoped reading.
pub(crate) fn team_of(conn: &mut DbConnection, org_id: OrgId, owner: Option<UserId>) -> Result<Option<String>> {
    use crate::schema::users;
    let Some(owner) = owner else { return Ok(None) };
    let team: Option<Option<String>> = users::table
        .filter(users::org_id.eq(org_id.to_string()))
        .filter(users::id.eq(owner.to_string()))
        .select(users::team_id)
        .first(conn)
        .optional()?;
    Ok(team.flatten())
}

fn trimmed(o: Option<String>) -> Option<String> {
    o.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

fn country_code(o: Option<String>) -> Option<String> {
    trimmed(o).map(|c| c.to_uppercase())
}

/// Cursor pages by (sort name, id), shared by the account and contact lists.
fn name_page<T>(items: Vec<T>, limit: u32, key: impl Fn(&T) -> (String, String)) -> Page<T> {
    page_from_rows(items, limit, |t| {
        let (name, id) = key(t);
        Cursor { key: Some(name), id }
    })
}
