//! What leads give the kernel's shared features (attachments, activities): who may change a lead
//! (attaching files and logging activities needs it), and the lead's timeline entries for them.

use kith_domain::leads::LeadEventKind;

use crate::core::kernel::TimelineEntry;
use crate::{DbConnection, Error, Result, Scope};

/// Attaching files (and other changes the kernel makes for a lead) needs the right to change it.
pub(super) fn write_one(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    let lead = id.parse().map_err(|_| Error::NotFound)?;
    super::writable(conn, scope, lead).map(|_| ())
}

/// What the kernel's shared features did to a lead, on its timeline.
pub(super) fn timeline(conn: &mut DbConnection, scope: &Scope, id: &str, entry: TimelineEntry<'_>) -> Result<()> {
    let lead = id.parse().map_err(|_| Error::NotFound)?;
    let (kind, note) = match entry {
        TimelineEntry::AttachmentAdded { file_name } => (LeadEventKind::AttachmentAdded, file_name),
        TimelineEntry::AttachmentRemoved { file_name } => (LeadEventKind::AttachmentRemoved, file_name),
        TimelineEntry::ActivityAdded { summary } => (LeadEventKind::ActivityLogged, summary),
        TimelineEntry::ActivityDone { summary } => (LeadEventKind::TaskDone, summary),
        TimelineEntry::ActivityReopened { summary } => (LeadEventKind::TaskReopened, summary),
        TimelineEntry::ActivityRemoved { summary } => (LeadEventKind::ActivityRemoved, summary),
    };
    super::scoring::event(conn, scope, lead, kind, None, None, Some(note))
}
