//! Leads: capture from any channel (with duplicate matching, scoring and assignment in the same
//! transaction), reading with the caller's record scope, changes through the status machine, the
//! timeline, bulk updates, export, the recycle bin and revisits.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use kith_domain::core::audit::AuditAction;
use kith_domain::core::modules::Module;
use kith_domain::core::page::{clamp_limit, page_from_rows, parse_sort, Cursor, Direction, Page, PageQuery};
use kith_domain::core::permissions::{Action, RecordOwnership, RecordScope};
use kith_domain::core::validation::normalize_email;
use kith_domain::leads::rules::{self as domain_rules, Behaviour, BehaviourRecord, Candidate, ScoreBreakdown};
use kith_domain::leads::*;
use kith_domain::{FieldError, LeadId, OrgId, TeamId, UserId};

use crate::core::kernel::RecordRef;
use crate::core::notifications::{notify, Notice};
use crate::core::util::{from_utc, new_id, now, parse_id, to_utc, transaction};
use crate::core::{search, tags, timeline};
use crate::schema::{custom_values, leads, record_tags, roles, users};
use crate::{core::audit, core::custom_fields, core::recycle, DbConnection, Error, Result, Scope};

mod attachments;
mod bin;
mod capture;
mod changes;
mod export;
mod list;
mod normalize;
mod revisits;
mod scoring;

pub mod call_lists;
pub mod duplicates;
pub mod imports;
pub mod inbound;
pub mod merge;
pub mod rules;
pub mod unassigned;
pub mod views;
pub mod webforms;

pub use bin::*;
pub use capture::*;
pub use changes::*;
pub use export::*;
pub use list::*;
pub use normalize::*;
pub use revisits::*;
pub use scoring::*;

pub const ENTITY: &str = "lead";

/// A lead's page in the web app, for links in emails (made absolute by `notify`).
pub(crate) fn lead_path(id: &str) -> String {
    format!("/m/leads/{id}")
}
const BULK_MAX: usize = 500;

#[derive(Queryable, Selectable)]
#[diesel(table_name = leads)]
struct LeadRow {
    id: String,
    first_name: String,
    last_name: String,
    title: String,
    email: Option<String>,
    phone: Option<String>,
    phone_e164: Option<String>,
    company_name: String,
    company_domain: Option<String>,
    company_size: Option<i32>,
    industry: Option<String>,
    country: Option<String>,
    source: String,
    source_detail: String,
    status: String,
    disqualify_reason: Option<String>,
    revisit_on: Option<NaiveDate>,
    owner_id: Option<String>,
    team_id: Option<String>,
    score: i32,
    sort_name: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
}

impl LeadRow {
    fn into_view(self, tags: Vec<String>, custom: BTreeMap<String, serde_json::Value>) -> Result<LeadView> {
        Ok(LeadView {
            id: parse_id(&self.id)?,
            first_name: self.first_name,
            last_name: self.last_name,
            title: self.title,
            email: self.email,
            phone: self.phone,
            phone_e164: self.phone_e164,
            company_name: self.company_name,
            company_domain: self.company_domain,
            company_size: self.company_size,
            industry: self.industry,
            country: self.country,
            source: LeadSource::parse(&self.source)
                .ok_or_else(|| Error::Internal(format!("bad source {:?}", self.source)))?,
            source_detail: serde_json::from_str(&self.source_detail).unwrap_or_default(),
            status: LeadStatus::parse(&self.status)
                .ok_or_else(|| Error::Internal(format!("bad status {:?}", self.status)))?,
            disqualify_reason: self.disqualify_reason,
            revisit_on: self.revisit_on,
            owner_id: self.owner_id.as_deref().map(parse_id).transpose()?,
            team_id: self.team_id.as_deref().map(parse_id).transpose()?,
            score: self.score,
            tags,
            custom,
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
            version: self.version,
        })
    }
}

fn views(conn: &mut DbConnection, rows: Vec<LeadRow>) -> Result<Vec<LeadView>> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut tags = tags::of(conn, ENTITY, &ids)?;
    let mut custom = custom_fields::values_of(conn, ENTITY, &ids)?;
    rows.into_iter()
        .map(|r| {
            let t = tags.remove(&r.id).unwrap_or_default();
            let v = custom.remove(&r.id).unwrap_or_default();
            r.into_view(t, v)
        })
        .collect()
}

fn find(conn: &mut DbConnection, org_id: OrgId, id: LeadId, deleted: bool) -> Result<LeadView> {
    let mut q = leads::table
        .filter(leads::org_id.eq(org_id.to_string()))
        .filter(leads::id.eq(id.to_string()))
        .select(LeadRow::as_select())
        .into_boxed();
    q = if deleted { q.filter(leads::deleted_at.is_not_null()) } else { q.filter(leads::deleted_at.is_null()) };
    let row = q.first(conn).optional()?.ok_or(Error::NotFound)?;
    views(conn, vec![row])?.pop().ok_or(Error::NotFound)
}

/// A lead the caller may read, or NotFound (never "forbidden": that would confirm it exists).
pub(crate) fn readable(conn: &mut DbConnection, scope: &Scope, id: LeadId) -> Result<LeadView> {
    scope.require(Module::Leads, Action::Read)?;
    let lead = find(conn, scope.org_id(), id, false)?;
    scope.require_record(Module::Leads, Action::Read, lead.ownership()).map_err(|_| Error::NotFound)?;
    Ok(lead)
}

fn writable(conn: &mut DbConnection, scope: &Scope, id: LeadId) -> Result<LeadView> {
    let lead = readable(conn, scope, id)?;
    scope.require_record(Module::Leads, Action::Write, lead.ownership())?;
    Ok(lead)
}

pub fn get(conn: &mut DbConnection, scope: &Scope, id: LeadId) -> Result<LeadDetail> {
    let lead = readable(conn, scope, id)?;
    // A lead whose decay step has just passed is rescored before it is shown (the threshold may
    // qualify it), so the lead read back, its stored score and its breakdown agree.
    let (score, rescored) = current_breakdown(conn, scope.org_id(), &lead)?;
    let lead = if rescored { find(conn, scope.org_id(), id, false)? } else { lead };
    Ok(LeadDetail { lead, score })
}

/// A lead's history is readable by whoever may read the lead (own/team scope included).
fn read_one(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    let lead = id.parse().map_err(|_| Error::NotFound)?;
    get(conn, scope, lead).map(|_| ())
}

/// A purged lead takes the merge records and inbound-message links that point at it along.
fn purge_with_traces(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    merge::forget_lead(conn, scope, id)?;
    crate::leads::inbound::forget_lead(conn, scope, id)?;
    purge(conn, scope, id)
}

/// Leads rescore decayed scores on every poll and bring nurtured leads back on their revisit date.
pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    rules::register(k);
    webforms::register(k);
    inbound::register(k);
    call_lists::register(k);
    views::register(k);
    imports::register(k);
    unassigned::register(k);
    k.record_kind(
        crate::core::kernel::RecordKind::new(ENTITY, kith_domain::core::modules::Module::Leads)
            .read_one(read_one)
            .write_one(attachments::write_one)
            .timeline(attachments::timeline)
            .display(display)
            .with_custom_fields()
            .purged_by(purge_with_traces),
    );
    k.record_kind(crate::core::kernel::RecordKind::new("lead_merge", kith_domain::core::modules::Module::Leads));
    k.every_poll("rescored leads", rescore_due);
    k.maintenance("revisits", |c| due_revisits(c, now().date()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exported_cells_are_formula_safe_and_read_back_exactly() {
        for cell in ["=SUM(A1)", "-42", "+49 30 1234", "@x", "'=a", "''-1", "'quoted", "plain", "", "'", "a=b"] {
            let safe = spreadsheet_safe(cell);
            assert!(!matches!(safe.chars().next(), Some('=' | '+' | '-' | '@')), "{cell:?} → {safe:?}");
            assert_eq!(from_spreadsheet(&safe), cell, "{cell:?} → {safe:?}");
        }
        assert_eq!(spreadsheet_safe("-42"), "'-42");
        assert_eq!(from_spreadsheet("'plain"), "'plain", "an apostrophe of the file's own stays");
    }
}
