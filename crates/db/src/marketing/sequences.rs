//! Sequences: enrollment (automatic by channel or form, or by hand), and the job that sends one step.
//! "One email per step per lead, ever": each step is a job with a unique key, and the email it
//! queues has the same unique key, inserted in the transaction that records the step as sent.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use kith_domain::core::audit::AuditAction;
use kith_domain::core::modules::Module;
use kith_domain::core::permissions::Action;
use kith_domain::core::validation::Check;
use kith_domain::leads::{LeadEventKind, LeadStatus, LeadView};
use kith_domain::marketing::sequences::*;
use kith_domain::{EnrollmentId, FieldError, LeadId, OrgId, SequenceId, WebFormId};

use crate::core::jobs::{self, NewJob};
use crate::core::kernel::RecordRef;
use crate::core::outbox::{self, NewEmail};
use crate::core::util::{new_id, now, parse_id, to_utc, transaction};
use crate::schema::{outbox_emails, sequence_enrollments, sequences, unsubscribes, users, web_forms};
use crate::{core::audit, core::recycle, DbConnection, Error, Result, Scope};

pub const ENTITY: &str = "sequence";
pub const STEP_JOB: &str = "sequence_step";
/// At most this many sequence emails to one address per day, across all sequences (RELIABILITY D2).
pub const DAILY_CAP_PER_RECIPIENT: i64 = 3;

#[derive(Queryable, Selectable)]
#[diesel(table_name = sequences)]
struct SequenceRow {
    id: String,
    name: String,
    steps: String,
    enroll_sources: String,
    enroll_form_ids: String,
    active: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
}

fn parse_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| Error::Internal(format!("stored sequence is unreadable: {e}")))
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))
}

impl SequenceRow {
    fn into_view(self) -> Result<SequenceView> {
        Ok(SequenceView {
            id: parse_id(&self.id)?,
            name: self.name,
            steps: parse_json(&self.steps)?,
            enroll_sources: parse_json(&self.enroll_sources)?,
            enroll_form_ids: parse_json(&self.enroll_form_ids)?,
            active: self.active,
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
            version: self.version,
        })
    }
}

fn find(conn: &mut DbConnection, org_id: OrgId, id: SequenceId) -> Result<SequenceView> {
    sequences::table
        .filter(sequences::org_id.eq(org_id.to_string()))
        .filter(sequences::id.eq(id.to_string()))
        .filter(sequences::deleted_at.is_null())
        .select(SequenceRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?
        .into_view()
}

pub fn get(conn: &mut DbConnection, scope: &Scope, id: SequenceId) -> Result<SequenceView> {
    scope.require(Module::Marketing, Action::Read).or_else(|_| scope.require(Module::Leads, Action::Read))?;
    find(conn, scope.org_id(), id)
}

/// Every live sequence (a short list, returned whole), newest first.
pub fn list(conn: &mut DbConnection, scope: &Scope) -> Result<Vec<SequenceView>> {
    scope.require(Module::Marketing, Action::Read).or_else(|_| scope.require(Module::Leads, Action::Read))?;
    sequences::table
        .filter(sequences::org_id.eq(scope.org_id().to_string()))
        .filter(sequences::deleted_at.is_null())
        .order(sequences::id.desc())
        .select(SequenceRow::as_select())
        .load(conn)?
        .into_iter()
        .map(SequenceRow::into_view)
        .collect()
}

/// The input's own rules, and every web form it names must be a form of the organization (one in
/// the recycle bin too: deleting a form must not make its sequences uneditable).
fn check(conn: &mut DbConnection, scope: &Scope, input: &SequenceInput) -> Result<()> {
    let mut p = input.problems();
    if !input.enroll_form_ids.is_empty() {
        let wanted: Vec<String> = input.enroll_form_ids.iter().map(ToString::to_string).collect();
        let known: Vec<String> = web_forms::table
            .filter(web_forms::org_id.eq(scope.org_id().to_string()))
            .filter(web_forms::id.eq_any(&wanted))
            .select(web_forms::id)
            .load(conn)?;
        for (i, id) in wanted.iter().enumerate() {
            if !known.contains(id) {
                p.push(FieldError::new(format!("enroll_form_ids[{i}]"), "unknown", "No such web form."));
            }
        }
    }
    if p.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(p))
    }
}

pub fn create(conn: &mut DbConnection, scope: &Scope, input: &SequenceInput) -> Result<SequenceView> {
    scope.require(Module::Marketing, Action::Write)?;
    transaction(conn, |c| {
        check(c, scope, input)?;
        let id = SequenceId(new_id());
        let at = now();
        diesel::insert_into(sequences::table)
            .values((
                sequences::id.eq(id.to_string()),
                sequences::org_id.eq(scope.org_id().to_string()),
                sequences::name.eq(input.name.trim()),
                sequences::steps.eq(json(&input.steps)?),
                sequences::enroll_sources.eq(json(&input.enroll_sources)?),
                sequences::enroll_form_ids.eq(json(&input.enroll_form_ids)?),
                sequences::active.eq(input.active),
                sequences::created_at.eq(at),
                sequences::updated_at.eq(at),
                sequences::version.eq(1i64),
            ))
            .execute(c)?;
        let view = find(c, scope.org_id(), id)?;
        audit::record_created(c, scope, ENTITY, &id.to_string(), &view)?;
        Ok(view)
    })
}

/// Change a sequence. Steps already sent stay sent; enrolled leads get the new steps still ahead.
pub fn update(
    conn: &mut DbConnection,
    scope: &Scope,
    id: SequenceId,
    version: i64,
    input: &SequenceInput,
) -> Result<SequenceView> {
    scope.require(Module::Marketing, Action::Write)?;
    transaction(conn, |c| {
        let before = find(c, scope.org_id(), id)?;
        check(c, scope, input)?;
        let n = diesel::update(
            sequences::table
                .filter(sequences::org_id.eq(scope.org_id().to_string()))
                .filter(sequences::id.eq(id.to_string()))
                .filter(sequences::version.eq(version)),
        )
        .set((
            sequences::name.eq(input.name.trim()),
            sequences::steps.eq(json(&input.steps)?),
            sequences::enroll_sources.eq(json(&input.enroll_sources)?),
            sequences::enroll_form_ids.eq(json(&input.enroll_form_ids)?),
            sequences::active.eq(input.active),
            sequences::updated_at.eq(now()),
            sequences::version.eq(version + 1),
        ))
        .execute(c)?;
        if n == 0 {
            return Err(Error::Stale(version));
        }
        let after = find(c, scope.org_id(), id)?;
        // Steps added at the end need their jobs for leads already enrolled.
        if after.steps.len() > before.steps.len() {
            let enrolled: Vec<(String, NaiveDateTime)> = sequence_enrollments::table
                .filter(sequence_enrollments::sequence_id.eq(id.to_string()))
                .filter(sequence_enrollments::status.eq(EnrollmentStatus::Active.as_str()))
                .select((sequence_enrollments::id, sequence_enrollments::enrolled_at))
                .load(c)?;
            for (enrollment, at) in enrolled {
                schedule_steps(c, scope.org_id(), &enrollment, at, &after.steps)?;
            }
        }
        audit::record_updated(c, scope, ENTITY, &id.to_string(), &before, &after)?;
        Ok(after)
    })
}

pub fn delete(conn: &mut DbConnection, scope: &Scope, id: SequenceId) -> Result<()> {
    scope.require(Module::Marketing, Action::Write)?;
    transaction(conn, |c| {
        let seq = find(c, scope.org_id(), id)?;
        let at = now();
        diesel::update(sequences::table.filter(sequences::id.eq(id.to_string())))
            .set((sequences::deleted_at.eq(Some(at)), sequences::version.eq(sequences::version + 1)))
            .execute(c)?;
        recycle::put(c, scope, ENTITY, &id.to_string(), &seq.name, at)?;
        audit::record(c, scope, ENTITY, &id.to_string(), AuditAction::Delete, &[])
    })
}

/// Bring a sequence back from the recycle bin. Enrolments it stopped while deleted stay stopped.
pub fn restore(conn: &mut DbConnection, scope: &Scope, id: SequenceId) -> Result<SequenceView> {
    scope.require(Module::Marketing, Action::Write)?;
    transaction(conn, |c| {
        let n = diesel::update(
            sequences::table
                .filter(sequences::org_id.eq(scope.org_id().to_string()))
                .filter(sequences::id.eq(id.to_string()))
                .filter(sequences::deleted_at.is_not_null()),
        )
        .set((sequences::deleted_at.eq(None::<NaiveDateTime>), sequences::version.eq(sequences::version + 1)))
        .execute(c)?;
        if n == 0 {
            return Err(Error::NotFound);
        }
        recycle::take(c, scope, ENTITY, &id.to_string())?;
        audit::record(c, scope, ENTITY, &id.to_string(), AuditAction::Restore, &[])?;
        find(c, scope.org_id(), id)
    })
}

pub(crate) fn purge(conn: &mut DbConnection, scope: &Scope, id: &str) -> Result<()> {
    let org = scope.org_id().to_string();
    diesel::delete(
        sequence_enrollments::table
            .filter(sequence_enrollments::org_id.eq(&org))
            .filter(sequence_enrollments::sequence_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        sequences::table
            .filter(sequences::org_id.eq(&org))
            .filter(sequences::id.eq(id))
            .filter(sequences::deleted_at.is_not_null()),
    )
    .execute(conn)?;
    audit::record(conn, scope, ENTITY, id, AuditAction::Purge, &[])
}

// ---- enrollment ----

fn step_key(enrollment: &str, step: usize) -> String {
    format!("seq:{enrollment}:{step}")
}

fn schedule_steps(
    c: &mut DbConnection,
    org_id: OrgId,
    enrollment: &str,
    enrolled_at: NaiveDateTime,
    steps: &[SequenceStep],
) -> Result<()> {
    for (i, step) in steps.iter().enumerate() {
        jobs::enqueue(
            c,
            &NewJob {
                org_id: Some(org_id),
                run_at: enrolled_at + Duration::days(i64::from(step.day_offset)),
                unique_key: Some(step_key(enrollment, i)),
                max_attempts: 8,
                ..NewJob::now(STEP_JOB, serde_json::json!({ "enrollment_id": enrollment, "step": i }))
            },
        )?;
    }
    Ok(())
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = sequence_enrollments)]
struct EnrollmentRow {
    id: String,
    org_id: String,
    sequence_id: String,
    lead_id: String,
    status: String,
    stop_reason: Option<String>,
    steps_sent: i32,
    enrolled_at: NaiveDateTime,
}

impl EnrollmentRow {
    fn into_view(self) -> Result<EnrollmentView> {
        Ok(EnrollmentView {
            id: parse_id(&self.id)?,
            sequence_id: parse_id(&self.sequence_id)?,
            lead_id: parse_id(&self.lead_id)?,
            status: EnrollmentStatus::parse(&self.status)
                .ok_or_else(|| Error::Internal("bad enrollment status".into()))?,
            stop_reason: self.stop_reason,
            steps_sent: self.steps_sent,
            enrolled_at: to_utc(self.enrolled_at),
        })
    }
}

/// Enroll a lead (once per sequence; enrolling again returns the existing enrollment).
pub(crate) fn enroll_lead(
    c: &mut DbConnection,
    org_id: OrgId,
    lead_id: LeadId,
    seq: &SequenceView,
) -> Result<EnrollmentView> {
    let existing = sequence_enrollments::table
        .filter(sequence_enrollments::sequence_id.eq(seq.id.to_string()))
        .filter(sequence_enrollments::lead_id.eq(lead_id.to_string()))
        .select(EnrollmentRow::as_select())
        .first(c)
        .optional()?;
    if let Some(row) = existing {
        return row.into_view();
    }
    let id = EnrollmentId(new_id()).to_string();
    let at = now();
    diesel::insert_into(sequence_enrollments::table)
        .values((
            sequence_enrollments::id.eq(&id),
            sequence_enrollments::org_id.eq(org_id.to_string()),
            sequence_enrollments::sequence_id.eq(seq.id.to_string()),
            sequence_enrollments::lead_id.eq(lead_id.to_string()),
            sequence_enrollments::status.eq(EnrollmentStatus::Active.as_str()),
            sequence_enrollments::steps_sent.eq(0),
            sequence_enrollments::enrolled_at.eq(at),
        ))
        .execute(c)?;
    schedule_steps(c, org_id, &id, at, &seq.steps)?;
    sequence_enrollments::table.find(&id).select(EnrollmentRow::as_select()).first(c)?.into_view()
}

/// Enroll a newly captured lead in the active sequences for its channel or form.
pub(crate) fn auto_enroll(c: &mut DbConnection, org_id: OrgId, lead: &LeadView) -> Result<()> {
    let rows: Vec<SequenceRow> = sequences::table
        .filter(sequences::org_id.eq(org_id.to_string()))
        .filter(sequences::deleted_at.is_null())
        .filter(sequences::active.eq(true))
        .select(SequenceRow::as_select())
        .load(c)?;
    let form: Option<WebFormId> = lead.source_detail.form_id.as_deref().and_then(|f| f.parse().ok());
    for row in rows {
        let seq = row.into_view()?;
        let by_source = seq.enroll_sources.contains(&lead.source);
        let by_form = form.is_some_and(|f| seq.enroll_form_ids.contains(&f));
        if by_source || by_form {
            enroll_lead(c, org_id, lead.id, &seq)?;
        }
    }
    Ok(())
}

/// Enroll a lead by hand (the caller must be able to change the lead).
pub fn enroll(
    conn: &mut DbConnection,
    scope: &Scope,
    lead_id: LeadId,
    sequence_id: SequenceId,
) -> Result<EnrollmentView> {
    transaction(conn, |c| {
        crate::leads::get(c, scope, lead_id)?;
        scope.require(Module::Leads, Action::Write)?;
        let seq = find(c, scope.org_id(), sequence_id).map_err(|e| match e {
            Error::NotFound => Error::field("sequence_id", "unknown", "No such sequence in this organization."),
            other => other,
        })?;
        if !seq.active {
            return Err(Error::field("sequence_id", "inactive", "This sequence is switched off."));
        }
        let e = enroll_lead(c, scope.org_id(), lead_id, &seq)?;
        audit::record(
            c,
            scope,
            "lead",
            &lead_id.to_string(),
            AuditAction::Update,
            &[kith_domain::core::audit::FieldChange {
                field: "enrolled_in".into(),
                old: serde_json::Value::Null,
                new: serde_json::Value::String(seq.name.clone()),
            }],
        )?;
        Ok(e)
    })
}

pub fn enrollments_of(conn: &mut DbConnection, scope: &Scope, lead_id: LeadId) -> Result<Vec<EnrollmentView>> {
    crate::leads::get(conn, scope, lead_id)?;
    sequence_enrollments::table
        .filter(sequence_enrollments::org_id.eq(scope.org_id().to_string()))
        .filter(sequence_enrollments::lead_id.eq(lead_id.to_string()))
        .order(sequence_enrollments::id.asc())
        .select(EnrollmentRow::as_select())
        .load(conn)?
        .into_iter()
        .map(EnrollmentRow::into_view)
        .collect()
}

fn stop_row(c: &mut DbConnection, id: &str, reason: &str) -> Result<()> {
    diesel::update(
        sequence_enrollments::table
            .filter(sequence_enrollments::id.eq(id))
            .filter(sequence_enrollments::status.eq("active")),
    )
    .set((
        sequence_enrollments::status.eq(EnrollmentStatus::Stopped.as_str()),
        sequence_enrollments::stop_reason.eq(Some(reason)),
        sequence_enrollments::finished_at.eq(Some(now())),
    ))
    .execute(c)?;
    Ok(())
}

/// Stop a lead's enrollment by hand.
pub fn stop(conn: &mut DbConnection, scope: &Scope, id: EnrollmentId) -> Result<EnrollmentView> {
    transaction(conn, |c| {
        let row = sequence_enrollments::table
            .filter(sequence_enrollments::org_id.eq(scope.org_id().to_string()))
            .filter(sequence_enrollments::id.eq(id.to_string()))
            .select(EnrollmentRow::as_select())
            .first(c)
            .optional()?
            .ok_or(Error::NotFound)?;
        let lead_id: LeadId = parse_id(&row.lead_id)?;
        crate::leads::get(c, scope, lead_id)?;
        scope.require(Module::Leads, Action::Write)?;
        stop_row(c, &row.id, "manual")?;
        sequence_enrollments::table.find(&row.id).select(EnrollmentRow::as_select()).first(c)?.into_view()
    })
}

// ---- unsubscribe ----

/// A token that lets the holder unsubscribe exactly this address from this organization's mail.
pub fn unsubscribe_token(secret: &str, org_id: OrgId, email: &str) -> String {
    use base64::Engine;
    let payload = format!("{org_id}|{email}");
    format!(
        "{}.{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&payload),
        crate::core::tokens::sign(secret, &payload)
    )
}

/// Check a token; returns (organization, address).
pub fn read_unsubscribe_token(secret: &str, token: &str) -> Option<(OrgId, String)> {
    use base64::Engine;
    let (payload, sig) = token.split_once('.')?;
    let payload = String::from_utf8(base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    if !crate::core::tokens::verify(secret, &payload, sig) {
        return None;
    }
    let (org, email) = payload.split_once('|')?;
    Some((org.parse().ok()?, email.to_owned()))
}

/// Unsubscribe an address: no more sequence email to it, and its active enrollments stop.
pub fn unsubscribe(conn: &mut DbConnection, org_id: OrgId, email: &str) -> Result<()> {
    let email = kith_domain::core::validation::normalize_email(email);
    transaction(conn, |c| {
        let seen: i64 = unsubscribes::table
            .filter(unsubscribes::org_id.eq(org_id.to_string()))
            .filter(unsubscribes::email.eq(&email))
            .count()
            .get_result(c)?;
        if seen == 0 {
            diesel::insert_into(unsubscribes::table)
                .values((
                    unsubscribes::org_id.eq(org_id.to_string()),
                    unsubscribes::email.eq(&email),
                    unsubscribes::created_at.eq(now()),
                ))
                .execute(c)?;
        }
        let leads: Vec<String> = crate::schema::leads::table
            .filter(crate::schema::leads::org_id.eq(org_id.to_string()))
            .filter(crate::schema::leads::email_normalized.eq(&email))
            .select(crate::schema::leads::id)
            .load(c)?;
        let active: Vec<String> = sequence_enrollments::table
            .filter(sequence_enrollments::lead_id.eq_any(&leads))
            .filter(sequence_enrollments::status.eq("active"))
            .select(sequence_enrollments::id)
            .load(c)?;
        for id in active {
            stop_row(c, &id, "unsubscribed")?;
        }
        Ok(())
    })
}

// ---- sending a step ----

/// What the step job needs from the server: where links point and the key that signs them.
pub struct SendContext {
    pub public_url: String,
    pub secret: String,
}

#[derive(Debug, PartialEq, Eq)]
pub enum StepOutcome {
    Sent,
    /// Already sent before (a re-run after a crash).
    AlreadySent,
    Stopped(String),
    /// The recipient had enough email today; try again at this time.
    Postponed(NaiveDateTime),
    Skipped,
}

/// Send one step of one enrollment, unless the enrollment has ended or must end now.
pub fn run_step(conn: &mut DbConnection, ctx: &SendContext, payload: &serde_json::Value) -> Result<StepOutcome> {
    let enrollment = payload["enrollment_id"]
        .as_str()
        .ok_or_else(|| Error::Internal("step job without enrollment".into()))?
        .to_owned();
    let step = payload["step"].as_u64().ok_or_else(|| Error::Internal("step job without step".into()))? as usize;
    transaction(conn, |c| {
        let Some(row) =
            sequence_enrollments::table.find(&enrollment).select(EnrollmentRow::as_select()).first(c).optional()?
        else {
            return Ok(StepOutcome::Skipped);
        };
        if row.status != "active" {
            return Ok(StepOutcome::Skipped);
        }
        let org_id: OrgId = parse_id(&row.org_id)?;
        let stop = |c: &mut DbConnection, reason: &str| -> Result<StepOutcome> {
            stop_row(c, &row.id, reason)?;
            Ok(StepOutcome::Stopped(reason.to_owned()))
        };
        let seq = match find(c, org_id, parse_id(&row.sequence_id)?) {
            Ok(s) if s.active => s,
            Ok(_) | Err(Error::NotFound) => return stop(c, "sequence_off"),
            Err(e) => return Err(e),
        };
        let Some(template) = seq.steps.get(step) else {
            return Ok(StepOutcome::Skipped);
        };
        let scope = Scope::system(org_id, crate::core::scope::SystemTask::Leads);
        let lead = match crate::leads::get(c, &scope, parse_id(&row.lead_id)?) {
            Ok(d) => d.lead,
            Err(Error::NotFound) => return stop(c, "lead_deleted"),
            Err(e) => return Err(e),
        };
        match lead.status {
            LeadStatus::Converted => return stop(c, "converted"),
            LeadStatus::Disqualified => return stop(c, "disqualified"),
            _ => {}
        }
        let Some(email) = lead.email.clone() else {
            return stop(c, "no_email");
        };
        let unsubscribed: i64 = unsubscribes::table
            .filter(unsubscribes::org_id.eq(org_id.to_string()))
            .filter(unsubscribes::email.eq(&email))
            .count()
            .get_result(c)?;
        if unsubscribed > 0 {
            return stop(c, "unsubscribed");
        }
        let replies = crate::core::timeline::kinds_of(
            c,
            &RecordRef::new(crate::leads::ENTITY, &row.lead_id),
            &[LeadEventKind::EmailReceived.as_str(), LeadEventKind::EmailReplied.as_str()],
        )?;
        if replies.iter().any(|(_, at)| *at > row.enrolled_at) {
            return stop(c, "replied");
        }
        let key = step_key(&row.id, step);
        let already: i64 = outbox_emails::table.filter(outbox_emails::unique_key.eq(&key)).count().get_result(c)?;
        if already > 0 {
            return Ok(StepOutcome::AlreadySent);
        }
        let today: i64 = outbox_emails::table
            .filter(outbox_emails::org_id.eq(org_id.to_string()))
            .filter(outbox_emails::to_address.eq(&email))
            .filter(outbox_emails::unique_key.like("seq:%"))
            .filter(outbox_emails::created_at.gt(now() - Duration::days(1)))
            .count()
            .get_result(c)?;
        if today >= DAILY_CAP_PER_RECIPIENT {
            return Ok(StepOutcome::Postponed(now() + Duration::hours(6)));
        }
        let owner_name: String = match lead.owner_id {
            Some(o) => users::table
                .filter(users::id.eq(o.to_string()))
                .select(users::name)
                .first(c)
                .optional()?
                .unwrap_or_default(),
            None => String::new(),
        };
        let link = format!(
            "{}/api/v1/public/unsubscribe?token={}",
            ctx.public_url.trim_end_matches('/'),
            unsubscribe_token(&ctx.secret, org_id, &email)
        );
        let subject = render(&template.subject, &lead, &owner_name);
        let body =
            format!("{}\n\n--\nTo stop receiving these emails: {link}\n", render(&template.body, &lead, &owner_name));
        let message_id = new_id().to_string();
        let tracked = crate::core::mail_settings::for_org(c, &row.org_id)?.is_none_or(|s| s.track_engagement);
        let body_html = tracked.then(|| {
            crate::marketing::email_engagement::tracked_html(
                &ctx.public_url,
                &ctx.secret,
                &message_id,
                &template.body,
                &body,
            )
        });
        let queued = outbox::enqueue_once(
            c,
            &scope,
            &NewEmail {
                to: &email,
                subject: &subject,
                body_text: &body,
                related: Some(("lead", lead.id.to_string())),
                body_html,
                list_unsubscribe: Some(link.clone()),
                id: Some(message_id),
            },
            &key,
        )?;
        if !queued {
            return Ok(StepOutcome::AlreadySent);
        }
        let last = step + 1 == seq.steps.len();
        diesel::update(sequence_enrollments::table.find(&row.id))
            .set((
                sequence_enrollments::steps_sent.eq(sequence_enrollments::steps_sent + 1),
                sequence_enrollments::status.eq(if last { "completed" } else { "active" }),
                sequence_enrollments::finished_at.eq(if last { Some(now()) } else { None }),
            ))
            .execute(c)?;
        let note = format!("{} — step {}: {subject}", seq.name, step + 1);
        crate::core::timeline::add_as(
            c,
            org_id,
            &RecordRef::new(crate::leads::ENTITY, lead.id),
            &crate::core::timeline::NewEvent {
                kind: LeadEventKind::EmailSent.as_str(),
                note: Some(&note),
                ..Default::default()
            },
            "system",
            None,
        )?;
        Ok(StepOutcome::Sent)
    })
}

/// Sequence steps are jobs; a step held back by the daily cap comes back when it may be sent.
pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new(ENTITY, kith_domain::core::modules::Module::Marketing)
            .display(crate::display_by!(ENTITY, sequences, name))
            .purged_by(purge),
    );
    k.job(STEP_JOB, |ctx, conn, job| {
        let send = SendContext { public_url: ctx.public_url.clone(), secret: ctx.link_secret.clone() };
        match run_step(conn, &send, &job.payload).map_err(|e| e.to_string())? {
            StepOutcome::Postponed(until) => Ok(crate::core::kernel::JobDone::Later(until)),
            outcome => {
                tracing::debug!(?outcome, "sequence step");
                Ok(crate::core::kernel::JobDone::Finished)
            }
        }
    });
}

/// Stop every active enrollment of a lead (its conversion: a customer gets no more nurture emails).
pub(crate) fn stop_for_lead(c: &mut DbConnection, org: OrgId, lead: LeadId, reason: &str) -> Result<usize> {
    Ok(diesel::update(
        sequence_enrollments::table
            .filter(sequence_enrollments::org_id.eq(org.to_string()))
            .filter(sequence_enrollments::lead_id.eq(lead.to_string()))
            .filter(sequence_enrollments::status.eq("active")),
    )
    .set((
        sequence_enrollments::status.eq(EnrollmentStatus::Stopped.as_str()),
        sequence_enrollments::stop_reason.eq(Some(reason)),
        sequence_enrollments::finished_at.eq(Some(now())),
    ))
    .execute(c)?)
}
