//! Merging one lead into another, and undoing it while the merged lead is in the recycle bin.
//!
//! A merge is one transaction: the chosen field values are written to the kept lead, tags are
//! united, every timeline event of the merged lead moves to the kept lead, both get a `merged`
//! event, the merged lead goes to the recycle bin, and a `lead_merges` row keeps what undoing needs
//! (the kept lead as it was, with its custom values, and the ids of the events that moved). Custom
//! values are copied to the kept lead (its own win unless the request chooses); the merged lead keeps
//! its own in the bin, so undoing gives both leads back exactly the values they had. This module is a child of `leads`
//! so it shares that module's private helpers instead of widening their visibility.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use kith_domain::core::audit::AuditAction;
use kith_domain::core::modules::Module;
use kith_domain::core::permissions::Action;
use kith_domain::leads::merge::{
    LeadMerge, LeadMergeResult, LeadMergeUndone, LeadMergeView, MergeFieldChoices, MergeSide, UNDO_DAYS,
};
use kith_domain::leads::{LeadEventKind, LeadStatus, LeadView};
use kith_domain::{FieldError, LeadId, LeadMergeId};

use super::{
    apply_move, event, fields_of_view, find, replace_tags, rescore, writable, write_fields, Fields, Move, ENTITY,
};
use crate::core::kernel::RecordRef;
use crate::core::util::{new_id, now, parse_id, to_utc, transaction};
use crate::core::{attachments, timeline};
use crate::schema::{lead_merges, leads};
use crate::{core::audit, core::custom_fields, core::recycle, DbConnection, Error, Result, Scope};

/// The audit entity of a merge record.
pub const MERGE_ENTITY: &str = "lead_merge";
/// Event ids are moved in chunks, well below either backend's bind-parameter limit.

#[derive(Queryable, Selectable)]
#[diesel(table_name = lead_merges)]
struct MergeRow {
    id: String,
    kept_id: String,
    merged_id: String,
    kept_before: String,
    moved_event_ids: String,
    moved_attachment_ids: String,
    moved_activity_ids: String,
    merged_at: NaiveDateTime,
    undone_at: Option<NaiveDateTime>,
}

impl MergeRow {
    fn view(&self) -> Result<LeadMergeView> {
        let merged_at = to_utc(self.merged_at);
        Ok(LeadMergeView {
            id: parse_id(&self.id)?,
            kept_id: parse_id(&self.kept_id)?,
            merged_id: parse_id(&self.merged_id)?,
            merged_at,
            undo_until: merged_at + Duration::days(UNDO_DAYS),
            undone_at: self.undone_at.map(to_utc),
        })
    }
}

fn load(conn: &mut DbConnection, scope: &Scope, id: LeadMergeId) -> Result<MergeRow> {
    lead_merges::table
        .filter(lead_merges::org_id.eq(scope.org_id().to_string()))
        .filter(lead_merges::id.eq(id.to_string()))
        .select(MergeRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

/// The kept lead's fields with the merged lead's value wherever the choice says so.
fn chosen(kept: &LeadView, merged: &LeadView, choice: &MergeFieldChoices) -> Fields {
    let mut f = fields_of_view(kept);
    let m = fields_of_view(merged);
    let take = |side: MergeSide| side == MergeSide::Merge;
    if take(choice.first_name) {
        f.first_name = m.first_name.clone();
    }
    if take(choice.last_name) {
        f.last_name = m.last_name.clone();
    }
    if take(choice.title) {
        f.title = m.title.clone();
    }
    if take(choice.email) {
        f.email = m.email.clone();
    }
    if take(choice.phone) {
        f.phone = m.phone.clone();
    }
    if take(choice.company_name) {
        f.company_name = m.company_name.clone();
    }
    if take(choice.company_website) {
        f.company_website = m.company_website.clone();
    }
    if take(choice.company_size) {
        f.company_size = m.company_size;
    }
    if take(choice.industry) {
        f.industry = m.industry.clone();
    }
    if take(choice.country) {
        f.country = m.country.clone();
    }
    f
}

/// Make a lead's (live) custom values `to`: changed and new values written, missing ones removed.
fn set_custom_values(
    c: &mut DbConnection,
    scope: &Scope,
    lead: &LeadView,
    to: &BTreeMap<String, serde_json::Value>,
) -> Result<()> {
    let mut changes: BTreeMap<String, serde_json::Value> =
        lead.custom.keys().filter(|k| !to.contains_key(*k)).map(|k| (k.clone(), serde_json::Value::Null)).collect();
    changes.extend(to.iter().filter(|(k, v)| lead.custom.get(*k) != Some(*v)).map(|(k, v)| (k.clone(), v.clone())));
    custom_fields::write_values(c, scope.org_id(), &RecordRef::new(ENTITY, lead.id), &changes)
}

/// Move the events with these ids from one lead to another.
fn move_events(c: &mut DbConnection, scope: &Scope, ids: &[String], from: LeadId, to: LeadId) -> Result<()> {
    timeline::move_events(c, scope.org_id(), &RecordRef::new(ENTITY, from), &RecordRef::new(ENTITY, to), Some(ids))
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))
}

/// Merge `merge_id` into `keep_id` (both must be writable by the caller and not converted).
pub fn merge(conn: &mut DbConnection, scope: &Scope, m: &LeadMerge) -> Result<LeadMergeResult> {
    scope.require(Module::Leads, Action::Write)?;
    if m.keep_id == m.merge_id {
        return Err(Error::field("merge_id", "same", "Choose another lead: a lead cannot be merged into itself."));
    }
    transaction(conn, |c| {
        let kept = writable(c, scope, m.keep_id)?;
        let merged = writable(c, scope, m.merge_id)?;
        let mut errors = Vec::new();
        for (field, lead) in [("keep_id", &kept), ("merge_id", &merged)] {
            if lead.status == LeadStatus::Converted {
                errors.push(FieldError::new(
                    field,
                    "converted",
                    "A converted lead lives on as a customer; it cannot be merged.",
                ));
            }
        }
        if !m.fields.custom.is_empty() {
            let defs = custom_fields::defs(c, scope.org_id(), ENTITY)?;
            errors.extend(
                m.fields
                    .custom
                    .keys()
                    .filter(|k| !defs.iter().any(|d| &d.key == *k))
                    .map(|k| FieldError::new(format!("fields.custom.{k}"), "unknown", "No such custom field.")),
            );
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }

        // The kept lead: chosen values (only if nobody changed it meanwhile), owner, united tags.
        write_fields(c, scope, kept.id, &chosen(&kept, &merged, &m.fields), Some(kept.version)).map_err(
            |e| match e {
                Error::Stale(_) => Error::Conflict("the lead changed while merging".into()),
                other => other,
            },
        )?;
        if m.fields.owner_id == MergeSide::Merge && merged.owner_id != kept.owner_id {
            let owner = Move { status: None, revisit_on: None, disqualify_reason: None, owner: Some(merged.owner_id) };
            apply_move(c, scope, &kept, &owner)?;
        }
        if !merged.tags.is_empty() {
            let mut tags = kept.tags.clone();
            tags.extend(merged.tags.iter().cloned());
            replace_tags(c, scope.org_id(), kept.id, &tags)?;
        }
        set_custom_values(c, scope, &kept, &m.fields.custom_values(&kept.custom, &merged.custom))?;

        // The merged lead's history moves over; the lead itself goes to the recycle bin.
        let moved = timeline::ids_of(c, scope.org_id(), &RecordRef::new(ENTITY, merged.id))?;
        move_events(c, scope, &moved, merged.id, kept.id)?;
        // So do its files: the merged lead is purged from the bin in 30 days, its attachments must not be.
        let (merged_ref, kept_ref) = (RecordRef::new(ENTITY, merged.id), RecordRef::new(ENTITY, kept.id));
        let moved_files = attachments::move_between(c, scope.org_id(), &merged_ref, &kept_ref, None)?;
        let moved_activities = crate::core::activities::move_between(c, scope.org_id(), &merged_ref, &kept_ref, None)?;
        let at = now();
        let binned = diesel::update(
            leads::table
                .filter(leads::org_id.eq(scope.org_id().to_string()))
                .filter(leads::id.eq(merged.id.to_string()))
                .filter(leads::deleted_at.is_null()),
        )
        .set((leads::deleted_at.eq(Some(at)), leads::version.eq(leads::version + 1)))
        .execute(c)?;
        if binned != 1 {
            return Err(Error::Conflict("the lead to merge was deleted meanwhile".into()));
        }
        recycle::put(c, scope, ENTITY, &merged.id.to_string(), &merged.display_name(), at)?;

        let id = LeadMergeId(new_id());
        diesel::insert_into(lead_merges::table)
            .values((
                lead_merges::id.eq(id.to_string()),
                lead_merges::org_id.eq(scope.org_id().to_string()),
                lead_merges::kept_id.eq(kept.id.to_string()),
                lead_merges::merged_id.eq(merged.id.to_string()),
                lead_merges::kept_before.eq(json(&kept)?),
                lead_merges::moved_event_ids.eq(json(&moved)?),
                lead_merges::moved_attachment_ids.eq(json(&moved_files)?),
                lead_merges::moved_activity_ids.eq(json(&moved_activities)?),
                lead_merges::merged_at.eq(at),
                lead_merges::merged_by.eq(scope.actor_id()),
            ))
            .execute(c)?;
        let (kept_id, merged_id) = (kept.id.to_string(), merged.id.to_string());
        let into_kept = format!("{} was merged into this lead.", merged.display_name());
        event(c, scope, kept.id, LeadEventKind::Merged, Some(&merged_id), Some(&kept_id), Some(&into_kept))?;
        let into_other = format!("Merged into {}.", kept.display_name());
        event(c, scope, merged.id, LeadEventKind::Merged, Some(&merged_id), Some(&kept_id), Some(&into_other))?;
        rescore(c, scope, kept.id)?;

        let after = find(c, scope.org_id(), kept.id, false)?;
        audit::record_updated(c, scope, ENTITY, &kept_id, &kept, &after)?;
        audit::record(c, scope, ENTITY, &merged_id, AuditAction::Delete, &[])?;
        let view = load(c, scope, id)?.view()?;
        audit::record_created(c, scope, MERGE_ENTITY, &id.to_string(), &view)?;
        Ok(LeadMergeResult { merge: view, lead: after })
    })
}

/// Undo a merge within 30 days: the merged lead comes back from the bin with its history, and the
/// kept lead gets back the fields, owner, tags and custom values it had before. Changes made to the
/// kept lead's fields, tags and custom values after the merge are replaced by the values from before it.
pub fn undo(conn: &mut DbConnection, scope: &Scope, id: LeadMergeId) -> Result<LeadMergeUndone> {
    scope.require(Module::Leads, Action::Write)?;
    transaction(conn, |c| {
        let row = load(c, scope, id)?;
        if row.undone_at.is_some() {
            return Err(Error::field("merge_id", "undone", "This merge was undone already."));
        }
        if now() - row.merged_at > Duration::days(UNDO_DAYS) {
            return Err(Error::field("merge_id", "expired", "A merge can be undone for 30 days only."));
        }
        let kept_id: LeadId = parse_id(&row.kept_id)?;
        let merged_id: LeadId = parse_id(&row.merged_id)?;
        let kept = match writable(c, scope, kept_id) {
            Err(Error::NotFound) if find(c, scope.org_id(), kept_id, true).is_ok() => {
                return Err(Error::field(
                    "kept_id",
                    "deleted",
                    "The kept lead is in the recycle bin: restore it first.",
                ));
            }
            other => other?,
        };
        if kept.status == LeadStatus::Converted {
            return Err(Error::field("kept_id", "converted", "The kept lead was converted since; the merge stays."));
        }
        let before: LeadView = serde_json::from_str(&row.kept_before)
            .map_err(|e| Error::Internal(format!("unreadable merge record: {e}")))?;
        let moved: Vec<String> = serde_json::from_str(&row.moved_event_ids)
            .map_err(|e| Error::Internal(format!("unreadable merge record: {e}")))?;
        let moved_files: Vec<String> = serde_json::from_str(&row.moved_attachment_ids)
            .map_err(|e| Error::Internal(format!("unreadable merge record: {e}")))?;
        let moved_activities: Vec<String> = serde_json::from_str(&row.moved_activity_ids)
            .map_err(|e| Error::Internal(format!("unreadable merge record: {e}")))?;

        // The merged lead: normally in the bin; someone may have restored it by hand meanwhile.
        let (merged, in_bin) = match find(c, scope.org_id(), merged_id, true) {
            Ok(lead) => (lead, true),
            Err(Error::NotFound) => (find(c, scope.org_id(), merged_id, false)?, false),
            Err(e) => return Err(e),
        };
        scope.require_record(Module::Leads, Action::Write, merged.ownership()).map_err(|_| Error::NotFound)?;
        if in_bin {
            diesel::update(leads::table.filter(leads::id.eq(merged_id.to_string())))
                .set((leads::deleted_at.eq(None::<NaiveDateTime>), leads::version.eq(leads::version + 1)))
                .execute(c)?;
            recycle::take(c, scope, ENTITY, &merged_id.to_string())?;
            audit::record(c, scope, ENTITY, &merged_id.to_string(), AuditAction::Restore, &[])?;
        }
        move_events(c, scope, &moved, kept_id, merged_id)?;
        let (kept_ref, merged_ref) = (RecordRef::new(ENTITY, kept_id), RecordRef::new(ENTITY, merged_id));
        attachments::move_between(c, scope.org_id(), &kept_ref, &merged_ref, Some(&moved_files))?;
        crate::core::activities::move_between(c, scope.org_id(), &kept_ref, &merged_ref, Some(&moved_activities))?;

        // The kept lead as it was.
        write_fields(c, scope, kept_id, &fields_of_view(&before), None)?;
        if (before.owner_id, before.team_id) != (kept.owner_id, kept.team_id) {
            diesel::update(leads::table.filter(leads::id.eq(kept_id.to_string())))
                .set((
                    leads::owner_id.eq(before.owner_id.map(|o| o.to_string())),
                    leads::team_id.eq(before.team_id.map(|t| t.to_string())),
                ))
                .execute(c)?;
            if before.owner_id != kept.owner_id {
                let from = kept.owner_id.map(|o| o.to_string());
                let to = before.owner_id.map(|o| o.to_string());
                event(c, scope, kept_id, LeadEventKind::OwnerChanged, from.as_deref(), to.as_deref(), None)?;
            }
        }
        replace_tags(c, scope.org_id(), kept_id, &before.tags)?;
        // Values of fields deleted since are hidden in both `before` and `kept`, and stay as they are.
        let live = custom_fields::defs(c, scope.org_id(), ENTITY)?;
        let restore = before
            .custom
            .iter()
            .filter(|(k, _)| live.iter().any(|d| &d.key == *k))
            .map(|(k, v)| (k.clone(), v.clone()));
        set_custom_values(c, scope, &kept, &restore.collect())?;

        let at = now();
        diesel::update(lead_merges::table.filter(lead_merges::id.eq(&row.id)))
            .set(lead_merges::undone_at.eq(Some(at)))
            .execute(c)?;
        let (kept_s, merged_s) = (kept_id.to_string(), merged_id.to_string());
        let note = format!("Merge undone: {} is a separate lead again.", merged.display_name());
        event(c, scope, kept_id, LeadEventKind::Merged, Some(&merged_s), Some(&kept_s), Some(&note))?;
        let note = format!("Merge undone: separated again from {}.", before.display_name());
        event(c, scope, merged_id, LeadEventKind::Merged, Some(&merged_s), Some(&kept_s), Some(&note))?;
        rescore(c, scope, kept_id)?;
        rescore(c, scope, merged_id)?;

        let kept_after = find(c, scope.org_id(), kept_id, false)?;
        let restored = find(c, scope.org_id(), merged_id, false)?;
        audit::record_updated(c, scope, ENTITY, &kept_s, &kept, &kept_after)?;
        let view_before = row.view()?;
        let view = load(c, scope, id)?.view()?;
        audit::record_updated(c, scope, MERGE_ENTITY, &id.to_string(), &view_before, &view)?;
        Ok(LeadMergeUndone { merge: view, kept: kept_after, restored })
    })
}

/// Before a lead is purged for good: the merges it took part in can no longer be undone, and their
/// records (which hold the kept lead's earlier fields) go with it.
pub(crate) fn forget_lead(conn: &mut DbConnection, scope: &Scope, lead_id: &str) -> Result<()> {
    diesel::delete(
        lead_merges::table
            .filter(lead_merges::org_id.eq(scope.org_id().to_string()))
            .filter(lead_merges::kept_id.eq(lead_id).or(lead_merges::merged_id.eq(lead_id))),
    )
    .execute(conn)?;
    Ok(())
}
