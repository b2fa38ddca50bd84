//! Call lists: contacts queued for a call centre. An agent leases the next contact (due callbacks
//! first), logs the call, and an interested contact becomes a lead with its call history. Leases
//! keep two agents from calling the same person; a lease that runs out puts the contact back.

use std::collections::HashMap;
use std::io::Read;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use kith_domain::core::audit::AuditAction;
use kith_domain::core::modules::Module;
use kith_domain::core::permissions::Action;
use kith_domain::leads::call_lists::*;
use kith_domain::leads::imports::suggest_mapping;
use kith_domain::leads::webforms::{lead_from_submission, FormField};
use kith_domain::leads::{LeadEventKind, LeadPatch, LeadSource, LeadStatus, NewLead, SourceDetail};
use kith_domain::{CallContactId, CallListId, FieldError, LeadId, OrgId};

use crate::core::util::{from_utc, new_id, now, parse_id, to_utc, transaction};
use crate::leads::{capture, Capture};
use crate::schema::{call_contacts, call_lists, call_logs};
use crate::{core::audit, DbConnection, Error, Result, Scope};

/// How long an agent holds a contact after taking it from the queue.
pub const LEASE_MINUTES: i64 = 15;
const MAX_CONTACTS_PER_UPLOAD: usize = 200_000;

fn list_row(conn: &mut DbConnection, org_id: OrgId, id: CallListId) -> Result<(String, NaiveDateTime)> {
    call_lists::table
        .filter(call_lists::org_id.eq(org_id.to_string()))
        .filter(call_lists::id.eq(id.to_string()))
        .filter(call_lists::deleted_at.is_null())
        .select((call_lists::name, call_lists::created_at))
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)
}

fn view_of(conn: &mut DbConnection, org_id: OrgId, id: CallListId) -> Result<CallListView> {
    let (name, created_at) = list_row(conn, org_id, id)?;
    let counts: Vec<(String, i64)> = call_contacts::table
        .filter(call_contacts::call_list_id.eq(id.to_string()))
        .group_by(call_contacts::status)
        .select((call_contacts::status, diesel::dsl::count_star()))
        .load(conn)?;
    let counts: HashMap<String, i64> = counts.into_iter().collect();
    let promoted: i64 = call_contacts::table
        .filter(call_contacts::call_list_id.eq(id.to_string()))
        .filter(call_contacts::lead_id.is_not_null())
        .count()
        .get_result(conn)?;
    let get = |s: ContactStatus| counts.get(s.as_str()).copied().unwrap_or(0);
    Ok(CallListView {
        id,
        name,
        total: counts.values().sum(),
        open: get(ContactStatus::Queued) + get(ContactStatus::Callback),
        done: get(ContactStatus::Done),
        promoted,
        created_at: to_utc(created_at),
    })
}

pub fn create(conn: &mut DbConnection, scope: &Scope, new: &NewCallList) -> Result<CallListView> {
    scope.require(Module::Leads, Action::Write)?;
    transaction(conn, |c| {
        let id = CallListId(new_id());
        diesel::insert_into(call_lists::table)
            .values((
                call_lists::id.eq(id.to_string()),
                call_lists::org_id.eq(scope.org_id().to_string()),
                call_lists::name.eq(new.name.trim()),
                call_lists::created_at.eq(now()),
            ))
            .execute(c)?;
        let view = view_of(c, scope.org_id(), id)?;
        audit::record_created(c, scope, "call_list", &id.to_string(), &view)?;
        Ok(view)
    })
}

pub fn get(conn: &mut DbConnection, scope: &Scope, id: CallListId) -> Result<CallListView> {
    scope.require(Module::Leads, Action::Read)?;
    view_of(conn, scope.org_id(), id)
}

/// Every live call list with its counts (a short list, returned whole), newest first.
pub fn list(conn: &mut DbConnection, scope: &Scope) -> Result<Vec<CallListView>> {
    scope.require(Module::Leads, Action::Read)?;
    let ids: Vec<String> = call_lists::table
        .filter(call_lists::org_id.eq(scope.org_id().to_string()))
        .filter(call_lists::deleted_at.is_null())
        .order(call_lists::id.desc())
        .select(call_lists::id)
        .load(conn)?;
    ids.iter().map(|id| view_of(conn, scope.org_id(), parse_id(id)?)).collect()
}

/// Rows refused by an upload: (row number, problems).
pub type RefusedRows = Vec<(i64, Vec<FieldError>)>;

/// Add contacts from CSV (columns recognised by name, like the import's suggestion). Rows without a
/// phone number are refused and listed; nothing is stored if any row is malformed CSV.
pub fn add_csv(
    conn: &mut DbConnection,
    scope: &Scope,
    id: CallListId,
    reader: impl Read,
) -> Result<(CallListView, RefusedRows)> {
    scope.require(Module::Leads, Action::Write)?;
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers: Vec<String> = csv
        .headers()
        .map_err(|e| Error::field("file", "csv", &format!("The first line is not CSV column names: {e}")))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_owned())
        .collect();
    // Call lists read the lead fields only (custom fields are not guessed here).
    let fields: Vec<FormField> = suggest_mapping(&headers, &[])
        .into_iter()
        .filter_map(|m| {
            let target = m.target.as_ref().and_then(|t| t.field())?;
            Some(FormField { name: m.column.clone(), label: m.column, target, required: false, custom_key: None })
        })
        .collect();
    if !fields.iter().any(|f| f.target == kith_domain::leads::webforms::FormTarget::Phone) {
        return Err(Error::field("file", "phone", "A call list needs a phone column."));
    }
    let mut contacts = Vec::new();
    let mut refused = Vec::new();
    for (i, record) in csv.records().enumerate() {
        let row = i as i64 + 1;
        let record = record.map_err(|e| Error::field("file", "csv", &format!("Row {row} is not valid CSV: {e}")))?;
        let by_name: HashMap<&str, &str> = headers.iter().map(String::as_str).zip(record.iter()).collect();
        match lead_from_submission(&fields, &[], None, &|n| by_name.get(n).map(|v| (*v).to_owned())) {
            Ok((lead, _)) if lead.phone.is_some() => contacts.push(lead),
            Ok(_) => refused.push((row, vec![FieldError::new("phone", "required", "No phone number.")])),
            Err(errors) => refused.push((row, errors)),
        }
        if contacts.len() > MAX_CONTACTS_PER_UPLOAD {
            return Err(Error::field("file", "size", "At most 200,000 contacts per upload."));
        }
    }
    transaction(conn, |c| {
        list_row(c, scope.org_id(), id)?;
        let at = now();
        for lead in &contacts {
            diesel::insert_into(call_contacts::table)
                .values((
                    call_contacts::id.eq(CallContactId(new_id()).to_string()),
                    call_contacts::org_id.eq(scope.org_id().to_string()),
                    call_contacts::call_list_id.eq(id.to_string()),
                    call_contacts::first_name.eq(lead.first_name.trim()),
                    call_contacts::last_name.eq(lead.last_name.trim()),
                    call_contacts::title.eq(lead.title.trim()),
                    call_contacts::company_name.eq(lead.company_name.trim()),
                    call_contacts::email.eq(lead.email.as_deref().map(str::trim)),
                    call_contacts::phone.eq(lead.phone.as_deref().map(str::trim)),
                    call_contacts::country.eq(lead.country.as_deref().map(|c| c.trim().to_uppercase())),
                    call_contacts::status.eq(ContactStatus::Queued.as_str()),
                    call_contacts::next_call_at.eq(at),
                    call_contacts::attempts.eq(0),
                    call_contacts::created_at.eq(at),
                    call_contacts::updated_at.eq(at),
                ))
                .execute(c)?;
        }
        audit::record(
            c,
            scope,
            "call_list",
            &id.to_string(),
            AuditAction::Update,
            &[kith_domain::core::audit::FieldChange {
                field: "contacts_added".into(),
                old: serde_json::Value::Null,
                new: serde_json::json!(contacts.len()),
            }],
        )?;
        Ok((view_of(c, scope.org_id(), id)?, refused.clone()))
    })
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = call_contacts)]
struct ContactRow {
    id: String,
    call_list_id: String,
    first_name: String,
    last_name: String,
    title: String,
    company_name: String,
    email: Option<String>,
    phone: Option<String>,
    country: Option<String>,
    status: String,
    next_call_at: NaiveDateTime,
    attempts: i32,
    assigned_to: Option<String>,
    locked_until: Option<NaiveDateTime>,
    lead_id: Option<String>,
}

/// (disposition, note, callback at, agent, when) of one logged call.
type LogRow = (String, Option<String>, Option<NaiveDateTime>, Option<String>, NaiveDateTime);

fn contact_view(conn: &mut DbConnection, row: ContactRow) -> Result<CallContactView> {
    let logs: Vec<LogRow> = call_logs::table
        .filter(call_logs::call_contact_id.eq(&row.id))
        .order(call_logs::created_at.asc())
        .select((
            call_logs::disposition,
            call_logs::note,
            call_logs::callback_at,
            call_logs::agent_id,
            call_logs::created_at,
        ))
        .load(conn)?;
    let calls = logs
        .into_iter()
        .map(|(d, note, cb, agent, at)| {
            Ok(CallLog {
                disposition: Disposition::parse(&d).ok_or_else(|| Error::Internal("bad disposition".into()))?,
                note,
                callback_at: cb.map(to_utc),
                agent_id: agent.as_deref().map(parse_id).transpose()?,
                created_at: to_utc(at),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let held = row.locked_until.is_some_and(|t| t > now());
    Ok(CallContactView {
        id: parse_id(&row.id)?,
        call_list_id: parse_id(&row.call_list_id)?,
        first_name: row.first_name,
        last_name: row.last_name,
        title: row.title,
        company_name: row.company_name,
        email: row.email,
        phone: row.phone,
        country: row.country,
        status: ContactStatus::parse(&row.status).ok_or_else(|| Error::Internal("bad contact status".into()))?,
        next_call_at: (row.status != "done").then(|| to_utc(row.next_call_at)),
        attempts: row.attempts,
        lead_id: row.lead_id.as_deref().map(parse_id).transpose()?,
        assigned_to: if held { row.assigned_to.as_deref().map(parse_id).transpose()? } else { None },
        calls,
    })
}

/// Give the agent the next contact to call: due callbacks first, then the queue in order. The
/// contact is held for the agent for 15 minutes. `None`: nothing is due.
pub fn next(conn: &mut DbConnection, scope: &Scope, id: CallListId) -> Result<Option<CallContactView>> {
    scope.require(Module::Leads, Action::Write)?;
    let Some(agent) = scope.user_id() else {
        return Err(Error::Forbidden("only a signed-in agent works a call queue".into()));
    };
    list_row(conn, scope.org_id(), id)?;
    for _ in 0..5 {
        let at = now();
        let mut due = |status: &str| {
            call_contacts::table
                .filter(call_contacts::call_list_id.eq(id.to_string()))
                .filter(call_contacts::status.eq(status.to_owned()))
                .filter(call_contacts::next_call_at.le(at))
                .filter(call_contacts::locked_until.is_null().or(call_contacts::locked_until.lt(at)))
                .order((call_contacts::next_call_at.asc(), call_contacts::id.asc()))
                .select(call_contacts::id)
                .first::<String>(conn)
                .optional()
        };
        let candidate = match due(ContactStatus::Callback.as_str())? {
            Some(c) => Some(c),
            None => due(ContactStatus::Queued.as_str())?,
        };
        let Some(contact) = candidate else {
            return Ok(None);
        };
        // The lease: a conditional update only one agent can win.
        let won = diesel::update(
            call_contacts::table
                .filter(call_contacts::id.eq(&contact))
                .filter(call_contacts::locked_until.is_null().or(call_contacts::locked_until.lt(at))),
        )
        .set((
            call_contacts::assigned_to.eq(Some(agent.to_string())),
            call_contacts::locked_until.eq(Some(at + Duration::minutes(LEASE_MINUTES))),
        ))
        .execute(conn)?;
        if won == 1 {
            let row = call_contacts::table.find(&contact).select(ContactRow::as_select()).first(conn)?;
            return contact_view(conn, row).map(Some);
        }
    }
    Ok(None)
}

/// Log a call on a contact the agent holds; an interested contact becomes a lead with its history.
pub fn log_call(conn: &mut DbConnection, scope: &Scope, contact: CallContactId, call: &NewCall) -> Result<CallOutcome> {
    scope.require(Module::Leads, Action::Write)?;
    let Some(agent) = scope.user_id() else {
        return Err(Error::Forbidden("only a signed-in agent logs calls".into()));
    };
    if call.disposition == Disposition::Callback {
        match call.callback_at {
            None => return Err(Error::field("callback_at", "required", "Say when to call back.")),
            Some(t) if t <= crate::core::util::now_utc() => {
                return Err(Error::field("callback_at", "past", "Choose a time in the future."))
            }
            _ => {}
        }
    }
    transaction(conn, |c| {
        let row = call_contacts::table
            .filter(call_contacts::org_id.eq(scope.org_id().to_string()))
            .filter(call_contacts::id.eq(contact.to_string()))
            .select(ContactRow::as_select())
            .first(c)
            .optional()?
            .ok_or(Error::NotFound)?;
        let at = now();
        let held_by_me =
            row.assigned_to.as_deref() == Some(agent.to_string().as_str()) && row.locked_until.is_some_and(|t| t > at);
        if !held_by_me {
            return Err(Error::Conflict("take the contact from the queue first".into()));
        }
        if row.status == ContactStatus::Done.as_str() {
            return Err(Error::field("disposition", "done", "This contact is finished."));
        }
        diesel::insert_into(call_logs::table)
            .values((
                call_logs::id.eq(new_id().to_string()),
                call_logs::org_id.eq(scope.org_id().to_string()),
                call_logs::call_contact_id.eq(&row.id),
                call_logs::agent_id.eq(Some(agent.to_string())),
                call_logs::disposition.eq(call.disposition.as_str()),
                call_logs::note.eq(call.note.as_deref()),
                call_logs::callback_at.eq(call.callback_at.map(from_utc)),
                call_logs::created_at.eq(at),
            ))
            .execute(c)?;
        let attempts = row.attempts + 1;
        let (status, next_at) = after_call(call.disposition, attempts, call.callback_at, at.and_utc());
        let mut lead_id: Option<LeadId> = None;
        if call.disposition == Disposition::Interested {
            let new = NewLead {
                first_name: row.first_name.clone(),
                last_name: row.last_name.clone(),
                title: row.title.clone(),
                email: row.email.clone(),
                phone: row.phone.clone(),
                company_name: row.company_name.clone(),
                country: row.country.clone(),
                source: Some(LeadSource::CallList),
                source_detail: Some(SourceDetail {
                    note: Some(format!("call list {}", row.call_list_id)),
                    ..Default::default()
                }),
                owner_id: Some(agent),
                ..Default::default()
            };
            let how =
                Capture { source: LeadSource::CallList, event: LeadEventKind::Created, note: call.note.as_deref() };
            let lead = capture(c, scope, &new, &how)?.lead().clone();
            // The call history moves along with the person.
            let history: Vec<(String, Option<String>, NaiveDateTime)> = call_logs::table
                .filter(call_logs::call_contact_id.eq(&row.id))
                .order(call_logs::created_at.asc())
                .select((call_logs::disposition, call_logs::note, call_logs::created_at))
                .load(c)?;
            for (d, note, when) in history {
                let text = match note {
                    Some(n) if !n.is_empty() => format!("{d}: {n}"),
                    _ => d,
                };
                // The call that made the lead was over before the lead existed: on the timeline it
                // comes before "Created", not after it in the same instant.
                let when = if when >= at { at - Duration::microseconds(1) } else { when };
                crate::leads::add_history(c, scope, lead.id, LeadEventKind::Call, Some(&text), when)?;
            }
            // Someone has spoken with them: a new lead is contacted (a lead further along stays).
            if lead.status == LeadStatus::New {
                let contacted = LeadPatch { status: Some(LeadStatus::Contacted), ..Default::default() };
                crate::leads::update(c, scope, lead.id, lead.version, &contacted)?;
            }
            lead_id = Some(lead.id);
        }
        diesel::update(call_contacts::table.filter(call_contacts::id.eq(&row.id)))
            .set((
                call_contacts::status.eq(status.as_str()),
                call_contacts::next_call_at.eq(next_at.map(from_utc).unwrap_or(at)),
                call_contacts::attempts.eq(attempts),
                call_contacts::assigned_to.eq(None::<String>),
                call_contacts::locked_until.eq(None::<NaiveDateTime>),
                call_contacts::lead_id.eq(lead_id.map(|l| l.to_string()).or(row.lead_id.clone())),
                call_contacts::updated_at.eq(at),
            ))
            .execute(c)?;
        let fresh = call_contacts::table.find(&row.id).select(ContactRow::as_select()).first(c)?;
        Ok(CallOutcome { contact: contact_view(c, fresh)?, lead_id })
    })
}

/// "My day": the callbacks the caller promised (their last call on the contact asked for one) that
/// are due before the day ends, soonest first.
fn callbacks_due(
    conn: &mut DbConnection,
    scope: &Scope,
    _day_start: NaiveDateTime,
    day_end: NaiveDateTime,
) -> Result<Option<kith_domain::core::activities::DaySection>> {
    let Some(user) = scope.user_id() else { return Ok(None) };
    if scope.require(Module::Leads, Action::Read).is_err() {
        return Ok(None);
    }
    let org = scope.org_id().to_string();
    let promised = call_logs::table
        .filter(call_logs::org_id.eq(&org))
        .filter(call_logs::agent_id.eq(user.to_string()))
        .filter(call_logs::disposition.eq(Disposition::Callback.as_str()))
        .select(call_logs::call_contact_id);
    #[allow(clippy::type_complexity)]
    let rows: Vec<(String, String, String, String, String, Option<String>, NaiveDateTime, Option<String>)> =
        call_contacts::table
            .filter(call_contacts::org_id.eq(&org))
            .filter(call_contacts::status.eq(ContactStatus::Callback.as_str()))
            .filter(call_contacts::next_call_at.lt(day_end))
            .filter(call_contacts::id.eq_any(promised))
            .order((call_contacts::next_call_at.asc(), call_contacts::id.asc()))
            .limit(100)
            .select((
                call_contacts::call_list_id,
                call_contacts::first_name,
                call_contacts::last_name,
                call_contacts::company_name,
                call_contacts::title,
                call_contacts::phone,
                call_contacts::next_call_at,
                call_contacts::lead_id,
            ))
            .load(conn)?;
    let items = rows
        .into_iter()
        .map(|(list, first, last, company, title, phone, at, lead)| {
            let name = format!("{first} {last}").trim().to_owned();
            let who = if company.trim().is_empty() { name } else { format!("{name} ({company})") };
            let detail = [phone.unwrap_or_default(), title].into_iter().filter(|s| !s.is_empty()).collect::<Vec<_>>();
            let (kind, id) = match lead {
                Some(lead) => (super::ENTITY.to_owned(), lead),
                None => ("call_list".to_owned(), list),
            };
            kith_domain::core::activities::DayItem {
                title: who,
                detail: detail.join(" · "),
                at: Some(to_utc(at)),
                record_kind: Some(kind),
                record_id: Some(id),
            }
        })
        .collect();
    Ok(Some(kith_domain::core::activities::DaySection {
        key: "callbacks".into(),
        title: "Callbacks due".into(),
        items,
    }))
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new("call_list", kith_domain::core::modules::Module::Leads)
            .display(crate::display_by!("call_list", call_lists, name)),
    );
    k.day_section(callbacks_due);
}
