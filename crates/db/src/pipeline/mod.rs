//! The pipeline: pipelines and phases (settings), lost reasons, potentials with their append-only
//! phase history and board, and the conversion of a lead.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use kith_domain::core::audit::AuditAction;
use kith_domain::core::modules::Module;
use kith_domain::core::page::{clamp_limit, page_from_rows, Cursor, Page, PageQuery};
use kith_domain::core::permissions::Action;
use kith_domain::pipeline::*;
use kith_domain::*;

use crate::core::kernel::RecordRef;
use crate::core::util::{new_id, now, parse_id, to_utc, transaction};
use crate::core::{audit, recycle, search, timeline};
use crate::schema::{lost_reasons, pipeline_phases, pipelines, potential_phase_history, potentials};
use crate::{DbConnection, Error, Result, Scope};

pub mod conversion;
mod settings;

pub use settings::*;

pub const POTENTIAL: &str = "potential";
pub const PIPELINE: &str = "pipeline";

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    use crate::core::kernel::RecordKind;
    k.record_kind(
        RecordKind::new(POTENTIAL, Module::Pipeline)
            .read_one(|c, s, id| get(c, s, parse_id(id).map_err(|_| Error::NotFound)?).map(|_| ()))
            .write_one(|c, s, id| writable(c, s, parse_id(id).map_err(|_| Error::NotFound)?).map(|_| ()))
            .timeline(|c, s, id, entry| {
                crate::customers::timeline_entry(c, s, POTENTIAL, id, entry)?;
                touched(c, s, id, entry)
            })
            .display(display)
            .purged_by(purge),
    );
    k.record_kind(RecordKind::new(PIPELINE, Module::Pipeline).display(crate::display_by!(PIPELINE, pipelines, name)));
    k.record_kind(RecordKind::new("lost_reason", Module::Pipeline));
    k.organization_setup("default pipeline and lost reasons", ensure_defaults);
    k.day_section(rotting);
}

/// "My day": the caller's open potentials that rot (no qualifying activity for longer than their
/// phase allows, by the domain's `is_rotting`), the longest-neglected first.
fn rotting(
    conn: &mut DbConnection,
    scope: &Scope,
    _day_start: NaiveDateTime,
    _day_end: NaiveDateTime,
) -> Result<Option<kith_domain::core::activities::DaySection>> {
    let Some(user) = scope.user_id() else { return Ok(None) };
    if scope.require(Module::Pipeline, Action::Read).is_err() {
        return Ok(None);
    }
    let rows: Vec<(String, String, String, i32, NaiveDateTime)> = potentials::table
        .inner_join(pipeline_phases::table.on(pipeline_phases::id.eq(potentials::phase_id)))
        .filter(potentials::org_id.eq(scope.org_id().to_string()))
        .filter(potentials::owner_id.eq(user.to_string()))
        .filter(potentials::deleted_at.is_null())
        .filter(potentials::phase_kind.eq(PhaseKind::Open.as_str()))
        .filter(pipeline_phases::rot_days.is_not_null())
        .order((potentials::last_activity_at.asc(), potentials::id.asc()))
        .limit(500)
        .select((
            potentials::id,
            potentials::name,
            pipeline_phases::name,
            pipeline_phases::rot_days.assume_not_null(),
            potentials::last_activity_at,
        ))
        .load(conn)?;
    let now = crate::core::util::now_utc();
    let items: Vec<kith_domain::core::activities::DayItem> = rows
        .into_iter()
        .filter_map(|(id, name, phase, rot_days, last)| {
            let view = PhaseView {
                id: PhaseId(uuid::Uuid::nil()),
                name: phase.clone(),
                probability: 0,
                kind: PhaseKind::Open,
                forecast: ForecastCategory::Pipeline,
                rot_days: Some(rot_days),
            };
            is_rotting(&view, to_utc(last), now).then(|| kith_domain::core::activities::DayItem {
                title: name,
                detail: format!("{phase}: no activity for {} days", (now - to_utc(last)).num_days()),
                at: Some(to_utc(last)),
                record_kind: Some(POTENTIAL.to_owned()),
                record_id: Some(id),
            })
        })
        .take(50)
        .collect();
    Ok(Some(kith_domain::core::activities::DaySection {
        key: "rotting".into(),
        title: "Rotting potentials".into(),
        items,
    }))
}

/// A logged activity or a task done on a potential is activity against rotting (see
/// `kith_domain::pipeline::is_rotting`); files and removals are not.
fn touched(c: &mut DbConnection, scope: &Scope, id: &str, entry: crate::core::kernel::TimelineEntry<'_>) -> Result<()> {
    use crate::core::kernel::TimelineEntry;
    if matches!(entry, TimelineEntry::ActivityAdded { .. } | TimelineEntry::ActivityDone { .. }) {
        diesel::update(potentials::table)
            .filter(potentials::org_id.eq(scope.org_id().to_string()))
            .filter(potentials::id.eq(id))
            .set(potentials::last_activity_at.eq(now()))
            .execute(c)?;
    }
    Ok(())
}

#[derive(Queryable, Selectable, Clone)]
#[diesel(table_name = potentials)]
struct PotentialRow {
    id: String,
    name: String,
    account_id: Option<String>,
    contact_id: Option<String>,
    pipeline_id: String,
    phase_id: String,
    phase_kind: String,
    amount_minor: i64,
    currency: String,
    probability: i32,
    probability_overridden: bool,
    expected_close_on: Option<NaiveDate>,
    owner_id: Option<String>,
    team_id: Option<String>,
    lead_id: Option<String>,
    lost_reason_id: Option<String>,
    lost_note: Option<String>,
    closed_at: Option<NaiveDateTime>,
    phase_entered_at: NaiveDateTime,
    last_activity_at: NaiveDateTime,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
}

impl PotentialRow {
    fn into_view(self) -> Result<PotentialView> {
        Ok(PotentialView {
            id: parse_id(&self.id)?,
            name: self.name,
            account_id: self.account_id.as_deref().map(parse_id).transpose()?,
            contact_id: self.contact_id.as_deref().map(parse_id).transpose()?,
            pipeline_id: parse_id(&self.pipeline_id)?,
            phase_id: parse_id(&self.phase_id)?,
            phase_kind: PhaseKind::parse(&self.phase_kind)
                .ok_or_else(|| Error::Internal(format!("bad phase kind {:?}", self.phase_kind)))?,
            weighted_minor: weighted(self.amount_minor, self.probability)
                .ok_or_else(|| Error::Internal("weighted amount overflows".into()))?,
            amount_minor: self.amount_minor,
            currency: self.currency,
            probability: self.probability,
            probability_overridden: self.probability_overridden,
            expected_close_on: self.expected_close_on,
            owner_id: self.owner_id.as_deref().map(parse_id).transpose()?,
            team_id: self.team_id.as_deref().map(parse_id).transpose()?,
            lead_id: self.lead_id.as_deref().map(parse_id).transpose()?,
            lost_reason_id: self.lost_reason_id.as_deref().map(parse_id).transpose()?,
            lost_note: self.lost_note,
            closed_at: self.closed_at.map(to_utc),
            phase_entered_at: to_utc(self.phase_entered_at),
            last_activity_at: to_utc(self.last_activity_at),
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
            version: self.version,
        })
    }
}

fn find(conn: &mut DbConnection, org: OrgId, id: PotentialId, deleted: bool) -> Result<PotentialView> {
    potentials::table
        .filter(potentials::org_id.eq(org.to_string()))
        .filter(potentials::id.eq(id.to_string()))
        .filter(potentials::deleted_at.is_not_null().eq(deleted))
        .select(PotentialRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?
        .into_view()
}

/// One potential the caller may read.
pub fn get(conn: &mut DbConnection, scope: &Scope, id: PotentialId) -> Result<PotentialView> {
    scope.require(Module::Pipeline, Action::Read)?;
    let p = find(conn, scope.org_id(), id, false)?;
    scope.require_record(Module::Pipeline, Action::Read, p.ownership()).map_err(|_| Error::NotFound)?;
    Ok(p)
}

pub(crate) fn writable(conn: &mut DbConnection, scope: &Scope, id: PotentialId) -> Result<PotentialView> {
    let p = get(conn, scope, id)?;
    scope.require_record(Module::Pipeline, Action::Write, p.ownership())?;
    Ok(p)
}

fn visible<'a>(scope: &Scope) -> potentials::BoxedQuery<'a, <DbConnection as diesel::Connection>::Backend> {
    let q = potentials::table
        .filter(potentials::org_id.eq(scope.org_id().to_string()))
        .filter(potentials::deleted_at.is_null())
        .into_boxed();
    crate::within_record_scope!(q, potentials, scope, Module::Pipeline)
}

/// What a new potential holds (creation and conversion).
pub(crate) struct PotentialFields {
    pub name: String,
    pub account_id: Option<AccountId>,
    pub contact_id: Option<ContactId>,
    pub pipeline_id: Option<PipelineId>,
    pub phase_id: Option<PhaseId>,
    pub amount_minor: i64,
    pub currency: String,
    pub probability: Option<i32>,
    pub expected_close_on: Option<NaiveDate>,
    pub owner_id: Option<UserId>,
    pub lead_id: Option<LeadId>,
}

/// The pipeline a potential goes to (the default one unless named) and the phase (its first open
/// one unless named; a named phase must be of that pipeline and not retired).
fn place(
    conn: &mut DbConnection,
    scope: &Scope,
    pipeline: Option<PipelineId>,
    phase: Option<PhaseId>,
) -> Result<(PipelineView, PhaseView)> {
    let pipeline = match pipeline {
        Some(id) => find_pipeline(conn, scope.org_id(), id)
            .map_err(|_| Error::field("pipeline_id", "unknown", "No such pipeline."))?,
        None => default_pipeline(conn, scope.org_id())?,
    };
    let phase = match phase {
        Some(id) => pipeline
            .phase(id)
            .cloned()
            .ok_or_else(|| Error::field("phase_id", "unknown", "No such phase in this pipeline."))?,
        None => {
            pipeline.first_open().cloned().ok_or_else(|| Error::Internal("a pipeline without open phases".into()))?
        }
    };
    Ok((pipeline, phase))
}

fn check_parties(
    conn: &mut DbConnection,
    scope: &Scope,
    account: Option<AccountId>,
    contact: Option<ContactId>,
) -> Result<()> {
    let mut errors = Vec::new();
    if let Some(a) = account {
        if crate::customers::get_account(conn, scope, a).is_err() {
            errors.push(FieldError::new("account_id", "unknown", "No such account."));
        }
    }
    if let Some(c) = contact {
        if crate::customers::get_contact(conn, scope, c).is_err() {
            errors.push(FieldError::new("contact_id", "unknown", "No such contact."));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(errors))
    }
}

fn link_parties(
    c: &mut DbConnection,
    org: OrgId,
    id: PotentialId,
    account: Option<AccountId>,
    contact: Option<ContactId>,
) -> Result<()> {
    let me = RecordRef::new(POTENTIAL, id);
    if let Some(a) = account {
        timeline::link(c, org, &me, &RecordRef::new(crate::customers::ACCOUNT, a))?;
    }
    if let Some(x) = contact {
        timeline::link(c, org, &me, &RecordRef::new(crate::customers::CONTACT, x))?;
    }
    Ok(())
}

pub(crate) fn insert(c: &mut DbConnection, scope: &Scope, f: PotentialFields) -> Result<PotentialView> {
    let org = scope.org_id();
    let (pipeline, phase) = place(c, scope, f.pipeline_id, f.phase_id)?;
    let mut errors = phase_problems(&phase, None);
    if let Err(Error::Validation(e)) = check_parties(c, scope, f.account_id, f.contact_id) {
        errors.extend(e);
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    if let Some(o) = f.owner_id {
        crate::customers::check_owner(c, scope, o, Module::Pipeline)?;
    }
    let owner = f.owner_id.or(scope.user_id());
    let team = crate::customers::team_of(c, org, owner)?;
    let id = PotentialId(new_id());
    let at = now();
    let closed = (phase.kind != PhaseKind::Open).then_some(at);
    diesel::insert_into(potentials::table)
        .values((
            potentials::id.eq(id.to_string()),
            potentials::org_id.eq(org.to_string()),
            potentials::name.eq(f.name.trim()),
            potentials::account_id.eq(f.account_id.map(|a| a.to_string())),
            potentials::contact_id.eq(f.contact_id.map(|x| x.to_string())),
            potentials::pipeline_id.eq(pipeline.id.to_string()),
            potentials::phase_id.eq(phase.id.to_string()),
            potentials::phase_kind.eq(phase.kind.as_str()),
            potentials::amount_minor.eq(f.amount_minor),
            potentials::currency.eq(&f.currency),
            potentials::probability.eq(f.probability.unwrap_or(phase.probability)),
            potentials::probability_overridden.eq(f.probability.is_some()),
            potentials::expected_close_on.eq(f.expected_close_on),
            potentials::owner_id.eq(owner.map(|o| o.to_string())),
            potentials::team_id.eq(&team),
            potentials::lead_id.eq(f.lead_id.map(|l| l.to_string())),
            potentials::closed_at.eq(closed),
            potentials::phase_entered_at.eq(at),
            potentials::last_activity_at.eq(at),
            potentials::created_at.eq(at),
            potentials::updated_at.eq(at),
            potentials::version.eq(1i64),
        ))
        .execute(c)?;
    enter_phase(c, scope, id, phase.id, at)?;
    let record = RecordRef::new(POTENTIAL, id);
    search::index(c, org, &record, &f.name.trim().to_lowercase())?;
    timeline::add(
        c,
        scope,
        &record,
        &timeline::NewEvent { kind: "created", from: None, to: Some(&phase.name), note: None, at: None },
    )?;
    link_parties(c, org, id, f.account_id, f.contact_id)?;
    if phase.kind == PhaseKind::Won {
        won(c, scope, f.account_id)?;
    }
    let view = find(c, org, id, false)?;
    audit::record_created(c, scope, POTENTIAL, &id.to_string(), &view)?;
    Ok(view)
}

/// A won potential makes its account a customer.
fn won(c: &mut DbConnection, scope: &Scope, account: Option<AccountId>) -> Result<()> {
    match account {
        Some(a) => crate::customers::set_lifecycle(c, scope, a, kith_domain::customers::Lifecycle::Customer),
        None => Ok(()),
    }
}

fn enter_phase(c: &mut DbConnection, scope: &Scope, id: PotentialId, phase: PhaseId, at: NaiveDateTime) -> Result<()> {
    diesel::update(
        potential_phase_history::table
            .filter(potential_phase_history::potential_id.eq(id.to_string()))
            .filter(potential_phase_history::exited_at.is_null()),
    )
    .set(potential_phase_history::exited_at.eq(Some(at)))
    .execute(c)?;
    diesel::insert_into(potential_phase_history::table)
        .values((
            potential_phase_history::id.eq(new_id().to_string()),
            potential_phase_history::org_id.eq(scope.org_id().to_string()),
            potential_phase_history::potential_id.eq(id.to_string()),
            potential_phase_history::phase_id.eq(phase.to_string()),
            potential_phase_history::entered_at.eq(at),
            potential_phase_history::actor_id.eq(scope.actor_id()),
        ))
        .execute(c)?;
    Ok(())
}

pub fn create(conn: &mut DbConnection, scope: &Scope, new: &NewPotential) -> Result<PotentialView> {
    scope.require(Module::Pipeline, Action::Write)?;
    transaction(conn, |c| {
        insert(
            c,
            scope,
            PotentialFields {
                name: new.name.clone(),
                account_id: new.account_id,
                contact_id: new.contact_id,
                pipeline_id: new.pipeline_id,
                phase_id: new.phase_id,
                amount_minor: new.amount_minor,
                currency: new.currency.clone(),
                probability: new.probability,
                expected_close_on: new.expected_close_on,
                owner_id: new.owner_id,
                lead_id: None,
            },
        )
    })
}

/// Change a potential: its fields, and its phase (appending to the history; a lost phase needs an
/// active lost reason; reaching a won phase makes the account a customer; leaving a closed phase
/// reopens it).
pub fn update(
    conn: &mut DbConnection,
    scope: &Scope,
    id: PotentialId,
    version: i64,
    patch: &PotentialPatch,
) -> Result<PotentialView> {
    transaction(conn, |c| {
        let before = writable(c, scope, id)?;
        if before.version != version {
            return Err(Error::Stale(version));
        }
        let org = scope.org_id();
        let moving = patch.phase_id.is_some_and(|p| p != before.phase_id)
            || patch.pipeline_id.is_some_and(|p| p != before.pipeline_id);
        let (pipeline, phase) = if moving {
            place(c, scope, Some(patch.pipeline_id.unwrap_or(before.pipeline_id)), patch.phase_id)?
        } else {
            let pipeline = find_pipeline(c, org, before.pipeline_id)?;
            let phase = pipeline
                .phase(before.phase_id)
                .cloned()
                .or_else(|| retired_phase(c, org, before.phase_id).ok())
                .ok_or_else(|| Error::Internal("a potential in no phase".into()))?;
            (pipeline, phase)
        };
        let mut errors = Vec::new();
        let mut lost_reason = before.lost_reason_id;
        if moving {
            errors.extend(phase_problems(&phase, patch.lost_reason_id));
            lost_reason = if phase.kind == PhaseKind::Lost { patch.lost_reason_id } else { None };
        } else if let Some(r) = patch.lost_reason_id {
            if before.phase_kind != PhaseKind::Lost {
                errors.push(FieldError::new("lost_reason_id", "open", "Only a lost potential has a lost reason."));
            }
            lost_reason = Some(r);
        }
        if let Some(r) = lost_reason.filter(|r| Some(*r) != before.lost_reason_id) {
            if !active_reason(c, org, r)? {
                errors.push(FieldError::new(
                    "lost_reason_id",
                    "unknown",
                    "Choose one of the organization's lost reasons.",
                ));
            }
        }
        let account = patch.account_id.unwrap_or(before.account_id);
        let contact = patch.contact_id.unwrap_or(before.contact_id);
        if let Err(Error::Validation(e)) = check_parties(
            c,
            scope,
            account.filter(|a| Some(*a) != before.account_id),
            contact.filter(|x| Some(*x) != before.contact_id),
        ) {
            errors.extend(e);
        }
        if !errors.is_empty() {
            return Err(Error::Validation(errors));
        }
        let owner = patch.owner_id.unwrap_or(before.owner_id);
        if let Some(Some(o)) = patch.owner_id.filter(|o| *o != before.owner_id) {
            crate::customers::check_owner(c, scope, o, Module::Pipeline)?;
        }
        let team = if owner == before.owner_id {
            before.team_id.map(|t| t.to_string())
        } else {
            crate::customers::team_of(c, org, owner)?
        };
        let (probability, overridden) = match patch.probability {
            Some(Some(p)) => (p, true),
            Some(None) => (phase.probability, false),
            None if before.probability_overridden && phase.kind == PhaseKind::Open => (before.probability, true),
            None => (phase.probability, false),
        };
        let at = now();
        let closed_at = match (phase.kind, moving) {
            (PhaseKind::Open, _) => None,
            (_, true) => Some(at),
            (_, false) => before.closed_at.map(crate::core::util::from_utc),
        };
        let name = patch.name.as_deref().map(str::trim).unwrap_or(&before.name).to_owned();
        let lost_note = if phase.kind == PhaseKind::Lost {
            patch.lost_note.clone().map(|n| n.trim().to_owned()).filter(|n| !n.is_empty()).or(if moving {
                None
            } else {
                before.lost_note.clone()
            })
        } else {
            None
        };
        let updated = diesel::update(potentials::table)
            .filter(potentials::org_id.eq(org.to_string()))
            .filter(potentials::id.eq(id.to_string()))
            .filter(potentials::version.eq(version))
            .set((
                potentials::name.eq(&name),
                potentials::account_id.eq(account.map(|a| a.to_string())),
                potentials::contact_id.eq(contact.map(|x| x.to_string())),
                potentials::pipeline_id.eq(pipeline.id.to_string()),
                potentials::phase_id.eq(phase.id.to_string()),
                potentials::phase_kind.eq(phase.kind.as_str()),
                potentials::amount_minor.eq(patch.amount_minor.unwrap_or(before.amount_minor)),
                potentials::currency.eq(patch.currency.clone().unwrap_or(before.currency.clone())),
                potentials::probability.eq(probability),
                potentials::probability_overridden.eq(overridden),
                potentials::expected_close_on.eq(patch.expected_close_on.unwrap_or(before.expected_close_on)),
                potentials::owner_id.eq(owner.map(|o| o.to_string())),
                potentials::team_id.eq(team),
                potentials::lost_reason_id.eq(lost_reason.map(|r| r.to_string())),
                potentials::lost_note.eq(lost_note),
                potentials::closed_at.eq(closed_at),
                potentials::updated_at.eq(at),
                potentials::version.eq(version + 1),
            ))
            .execute(c)?;
        if updated == 0 {
            return Err(Error::Stale(version));
        }
        let record = RecordRef::new(POTENTIAL, id);
        if moving {
            let from = phase_name(c, org, before.phase_id)?;
            diesel::update(potentials::table.filter(potentials::id.eq(id.to_string())))
                .set((potentials::phase_entered_at.eq(at), potentials::last_activity_at.eq(at)))
                .execute(c)?;
            enter_phase(c, scope, id, phase.id, at)?;
            let note = lost_reason.map(|r| reason_name(c, org, r)).transpose()?;
            timeline::add(
                c,
                scope,
                &record,
                &timeline::NewEvent {
                    kind: "phase_changed",
                    from: Some(&from),
                    to: Some(&phase.name),
                    note: note.as_deref(),
                    at: None,
                },
            )?;
            if phase.kind == PhaseKind::Won {
                won(c, scope, account)?;
            }
        }
        if owner != before.owner_id {
            let (from, to) = (before.owner_id.map(|o| o.to_string()), owner.map(|o| o.to_string()));
            timeline::add(
                c,
                scope,
                &record,
                &timeline::NewEvent {
                    kind: "owner_changed",
                    from: from.as_deref(),
                    to: to.as_deref(),
                    note: None,
                    at: None,
                },
            )?;
        }
        if name != before.name {
            search::index(c, org, &record, &name.to_lowercase())?;
        }
        link_parties(c, org, id, account, contact)?;
        let after = find(c, org, id, false)?;
        audit::record_updated(c, scope, POTENTIAL, &id.to_string(), &before, &after)?;
        Ok(after)
    })
}

fn phase_name(c: &mut DbConnection, org: OrgId, id: PhaseId) -> Result<String> {
    Ok(pipeline_phases::table
        .filter(pipeline_phases::org_id.eq(org.to_string()))
        .filter(pipeline_phases::id.eq(id.to_string()))
        .select(pipeline_phases::name)
        .first(c)?)
}

fn reason_name(c: &mut DbConnection, org: OrgId, id: LostReasonId) -> Result<String> {
    Ok(lost_reasons::table
        .filter(lost_reasons::org_id.eq(org.to_string()))
        .filter(lost_reasons::id.eq(id.to_string()))
        .select(lost_reasons::name)
        .first(c)?)
}

fn active_reason(c: &mut DbConnection, org: OrgId, id: LostReasonId) -> Result<bool> {
    Ok(lost_reasons::table
        .filter(lost_reasons::org_id.eq(org.to_string()))
        .filter(lost_reasons::id.eq(id.to_string()))
        .filter(lost_reasons::active.eq(true))
        .select(lost_reasons::id)
        .first::<String>(c)
        .optional()?
        .is_some())
}

pub fn delete(conn: &mut DbConnection, scope: &Scope, id: PotentialId) -> Result<()> {
    transaction(conn, |c| {
        let p = writable(c, scope, id)?;
        let at = now();
        diesel::update(potentials::table.filter(potentials::id.eq(id.to_string())))
            .set((potentials::deleted_at.eq(Some(at)), potentials::version.eq(potentials::version + 1)))
            .execute(c)?;
        recycle::put(c, scope, POTENTIAL, &id.to_string(), &p.name, at)?;
        audit::record(c, scope, POTENTIAL, &id.to_string(), AuditAction::Delete, &[])
    })
}

pub fn restore(conn: &mut DbConnection, scope: &Scope, id: PotentialId) -> Result<PotentialView> {
    scope.require(Module::Pipeline, Action::Write)?;
    transaction(conn, |c| {
        let p = find(c, scope.org_id(), id, true)?;
        scope.require_record(Module::Pipeline, Action::Write, p.ownership()).map_err(|_| Error::NotFound)?;
        diesel::update(potentials::table.filter(potentials::id.eq(id.to_string())))
            .set((potentials::deleted_at.eq(None::<NaiveDateTime>), potentials::version.eq(potentials::version + 1)))
            .execute(c)?;
        recycle::take(c, scope, POTENTIAL, &id.to_string())?;
        audit::record(c, scope, POTENTIAL, &id.to_string(), AuditAction::Restore, &[])?;
        find(c, scope.org_id(), id, false)
    })
}

fn purge(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    let org = scope.org_id().to_string();
    diesel::delete(
        potential_phase_history::table
            .filter(potential_phase_history::org_id.eq(&org))
            .filter(potential_phase_history::potential_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(potentials::table.filter(potentials::org_id.eq(&org)).filter(potentials::id.eq(id)))
        .execute(conn)?;
    Ok(())
}

fn display(
    conn: &mut DbConnection,
    scope: &Scope,
    ids: &[String],
) -> Result<Vec<kith_domain::core::search::SearchHit>> {
    let rows: Vec<(String, String)> =
        visible(scope).filter(potentials::id.eq_any(ids)).select((potentials::id, potentials::name)).load(conn)?;
    Ok(crate::core::kernel::named(POTENTIAL, rows))
}

/// The potentials a list query selects, in no order.
fn selected<'a>(
    conn: &mut DbConnection,
    scope: &Scope,
    q: &'a PotentialListQuery,
) -> Result<potentials::BoxedQuery<'a, <DbConnection as diesel::Connection>::Backend>> {
    let mut query = visible(scope);
    if let Some(text) = q.q.as_deref() {
        let terms = kith_domain::leads::search_terms(text);
        query = crate::matching_terms!(conn, scope.org_id(), query, potentials, POTENTIAL, &terms);
    }
    if let Some(p) = q.pipeline_id {
        query = query.filter(potentials::pipeline_id.eq(p.to_string()));
    }
    if let Some(p) = q.phase_id {
        query = query.filter(potentials::phase_id.eq(p.to_string()));
    }
    if let Some(o) = q.owner_id {
        query = query.filter(potentials::owner_id.eq(o.to_string()));
    }
    if let Some(t) = q.team_id {
        query = query.filter(potentials::team_id.eq(t.to_string()));
    }
    if let Some(a) = q.account_id {
        query = query.filter(potentials::account_id.eq(a.to_string()));
    }
    if let Some(x) = q.contact_id {
        query = query.filter(potentials::contact_id.eq(x.to_string()));
    }
    if let Some(k) = q.kind {
        query = query.filter(potentials::phase_kind.eq(k.as_str()));
    }
    if let Some(m) = q.close_month.as_deref() {
        let first = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d")
            .map_err(|_| Error::field("close_month", "invalid", "Give a month as YYYY-MM."))?;
        let next = first
            .checked_add_months(chrono::Months::new(1))
            .ok_or_else(|| Error::field("close_month", "invalid", "Give a month as YYYY-MM."))?;
        query = query.filter(potentials::expected_close_on.ge(first)).filter(potentials::expected_close_on.lt(next));
    }
    Ok(query)
}

/// The caller's potentials, newest first, one keyset page at a time.
pub fn list(conn: &mut DbConnection, scope: &Scope, q: &PotentialListQuery) -> Result<Page<PotentialView>> {
    scope.require(Module::Pipeline, Action::Read)?;
    let limit = clamp_limit(q.limit);
    let mut query = selected(conn, scope, q)?;
    if let Some(raw) = q.cursor.as_deref() {
        let c = Cursor::decode(raw).map_err(|_| crate::core::util::bad_cursor())?;
        query = query.filter(potentials::id.lt(c.id));
    }
    let rows: Vec<PotentialRow> =
        query.order(potentials::id.desc()).limit(i64::from(limit) + 1).select(PotentialRow::as_select()).load(conn)?;
    let items = rows.into_iter().map(PotentialRow::into_view).collect::<Result<Vec<_>>>()?;
    Ok(page_from_rows(items, limit, |p| Cursor { key: None, id: p.id.to_string() }))
}

/// A pipeline's board under the list's filters: each phase's column with its totals (over every
/// potential the filters select) and up to `BOARD_CARDS` cards, most recently moved first.
pub fn board(conn: &mut DbConnection, scope: &Scope, pipeline: PipelineId, q: &PotentialListQuery) -> Result<Board> {
    scope.require(Module::Pipeline, Action::Read)?;
    let pipeline = find_pipeline(conn, scope.org_id(), pipeline)?;
    let mut q = q.clone();
    q.pipeline_id = Some(pipeline.id);
    let figures: Vec<(String, i64, String, i32)> = selected(conn, scope, &q)?
        .select((potentials::phase_id, potentials::amount_minor, potentials::currency, potentials::probability))
        .load(conn)?;
    let mut totals: HashMap<String, ColumnTotals> = HashMap::new();
    for (phase, amount, currency, probability) in figures {
        let w = weighted(amount, probability).ok_or_else(|| Error::Internal("weighted amount overflows".into()))?;
        totals.entry(phase).or_default().add(amount, w, &currency);
    }
    let mut columns = Vec::new();
    for phase in &pipeline.phases {
        let mut column_q = q.clone();
        column_q.phase_id = Some(phase.id);
        let rows: Vec<PotentialRow> = selected(conn, scope, &column_q)?
            .order((potentials::phase_entered_at.desc(), potentials::id.desc()))
            .limit(BOARD_CARDS as i64 + 1)
            .select(PotentialRow::as_select())
            .load(conn)?;
        let more = rows.len() > BOARD_CARDS;
        let cards = rows.into_iter().take(BOARD_CARDS).map(PotentialRow::into_view).collect::<Result<Vec<_>>>()?;
        columns.push(BoardColumn {
            phase: phase.clone(),
            totals: totals.remove(&phase.id.to_string()).unwrap_or_default(),
            cards,
            more,
        });
    }
    Ok(Board { pipeline, columns })
}

/// A stay as stored: phase id and name, entered, exited, actor.
type StayRow = (String, String, NaiveDateTime, Option<NaiveDateTime>, Option<String>);

/// The potential's stays in its phases, oldest first.
pub fn phase_history(conn: &mut DbConnection, scope: &Scope, id: PotentialId) -> Result<Vec<PhaseStay>> {
    get(conn, scope, id)?;
    let rows: Vec<StayRow> = potential_phase_history::table
        .inner_join(pipeline_phases::table.on(pipeline_phases::id.eq(potential_phase_history::phase_id)))
        .filter(potential_phase_history::org_id.eq(scope.org_id().to_string()))
        .filter(potential_phase_history::potential_id.eq(id.to_string()))
        .order((potential_phase_history::entered_at.asc(), potential_phase_history::id.asc()))
        .select((
            potential_phase_history::phase_id,
            pipeline_phases::name,
            potential_phase_history::entered_at,
            potential_phase_history::exited_at,
            potential_phase_history::actor_id,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(phase, name, entered, exited, actor)| {
            Ok(PhaseStay {
                phase_id: parse_id(&phase)?,
                phase_name: name,
                entered_at: to_utc(entered),
                exited_at: exited.map(to_utc),
                actor_id: actor,
            })
        })
        .collect()
}

pub fn events(
    conn: &mut DbConnection,
    scope: &Scope,
    id: PotentialId,
    q: &PageQuery,
) -> Result<Page<kith_domain::core::timeline::RecordEvent>> {
    get(conn, scope, id)?;
    timeline::record_events(conn, scope, &RecordRef::new(POTENTIAL, id), q)
}
