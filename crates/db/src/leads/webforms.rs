//! Web forms: their configuration (admins) and public submissions, which become leads through the
//! same capture as every other channel.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use kith_domain::core::audit::AuditAction;
use kith_domain::core::modules::Module;
use kith_domain::core::permissions::Action;
use kith_domain::core::validation::Check;
use kith_domain::leads::webforms::*;
use kith_domain::leads::{LeadEventKind, LeadSource, SourceDetail};
use kith_domain::{FieldError, LeadId, OrgId, WebFormId};

use crate::core::util::{new_id, now, parse_id, to_utc, transaction};
use crate::leads::{capture, Capture, Captured};
use crate::schema::{web_form_submissions, web_forms};
use crate::{core::audit, core::recycle, DbConnection, Error, Result, Scope};

pub const ENTITY: &str = "web_form";

#[derive(Queryable, Selectable)]
#[diesel(table_name = web_forms)]
struct FormRow {
    id: String,
    org_id: String,
    name: String,
    fields: String,
    consent_text: Option<String>,
    thank_you_message: String,
    redirect_url: Option<String>,
    allowed_origins: String,
    tags: String,
    owner_id: Option<String>,
    campaign: Option<String>,
    min_fill_seconds: i32,
    active: bool,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
}

fn parse_json<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| Error::Internal(format!("stored form is unreadable: {e}")))
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))
}

impl FormRow {
    fn into_view(self, submissions: i64) -> Result<WebFormView> {
        Ok(WebFormView {
            id: parse_id(&self.id)?,
            name: self.name,
            fields: parse_json(&self.fields)?,
            consent_text: self.consent_text,
            thank_you_message: self.thank_you_message,
            redirect_url: self.redirect_url,
            allowed_origins: parse_json(&self.allowed_origins)?,
            tags: parse_json(&self.tags)?,
            owner_id: self.owner_id.as_deref().map(parse_id).transpose()?,
            campaign: self.campaign,
            min_fill_seconds: self.min_fill_seconds.max(0) as u32,
            active: self.active,
            submissions,
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
            version: self.version,
        })
    }
}

fn counts(conn: &mut DbConnection, ids: &[String]) -> Result<HashMap<String, i64>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, i64)> = web_form_submissions::table
        .filter(web_form_submissions::form_id.eq_any(ids))
        .filter(web_form_submissions::lead_id.is_not_null())
        .group_by(web_form_submissions::form_id)
        .select((web_form_submissions::form_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

fn find(conn: &mut DbConnection, org_id: OrgId, id: WebFormId) -> Result<WebFormView> {
    let row = web_forms::table
        .filter(web_forms::org_id.eq(org_id.to_string()))
        .filter(web_forms::id.eq(id.to_string()))
        .filter(web_forms::deleted_at.is_null())
        .select(FormRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?;
    let n = counts(conn, std::slice::from_ref(&row.id))?.get(&row.id).copied().unwrap_or(0);
    row.into_view(n)
}

pub fn get(conn: &mut DbConnection, scope: &Scope, id: WebFormId) -> Result<WebFormView> {
    scope.require(Module::Leads, Action::Read)?;
    find(conn, scope.org_id(), id)
}

/// A form with its fields as visitors see them (custom fields drawn by their kind), for its embed code.
pub fn for_embed(conn: &mut DbConnection, scope: &Scope, id: WebFormId) -> Result<(WebFormView, Vec<PublicField>)> {
    let form = get(conn, scope, id)?;
    let defs = crate::core::custom_fields::defs(conn, scope.org_id(), crate::leads::ENTITY)?;
    let fields = public_fields(&form.fields, &defs);
    Ok((form, fields))
}

/// Every live form of the organization (a short list, returned whole), newest first.
pub fn list(conn: &mut DbConnection, scope: &Scope) -> Result<Vec<WebFormView>> {
    scope.require(Module::Leads, Action::Read)?;
    let rows: Vec<FormRow> = web_forms::table
        .filter(web_forms::org_id.eq(scope.org_id().to_string()))
        .filter(web_forms::deleted_at.is_null())
        .order(web_forms::id.desc())
        .select(FormRow::as_select())
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let n = counts(conn, &ids)?;
    rows.into_iter()
        .map(|r| {
            let count = n.get(&r.id).copied().unwrap_or(0);
            r.into_view(count)
        })
        .collect()
}

fn check(conn: &mut DbConnection, scope: &Scope, input: &WebFormInput) -> Result<()> {
    let mut problems = input.problems();
    if input.fields.iter().any(|f| f.custom_key.is_some()) {
        let defs = crate::core::custom_fields::defs(conn, scope.org_id(), crate::leads::ENTITY)?;
        for (i, f) in input.fields.iter().enumerate() {
            let known = f.custom_key.as_deref().is_none_or(|k| defs.iter().any(|d| d.key == k));
            if !known && !problems.iter().any(|p| p.field == format!("fields[{i}].custom_key")) {
                problems.push(FieldError::new(
                    format!("fields[{i}].custom_key"),
                    "unknown",
                    "No such lead custom field.",
                ));
            }
        }
    }
    if let Some(owner) = input.owner_id {
        if crate::identity::users::find_row(conn, scope.org_id(), owner).is_err() {
            problems.push(FieldError::new("owner_id", "unknown", "No such user in this organization."));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Validation(problems))
    }
}

fn origins(input: &WebFormInput) -> Vec<String> {
    input.allowed_origins.iter().filter_map(|o| normalize_origin(o)).collect()
}

pub fn create(conn: &mut DbConnection, scope: &Scope, input: &WebFormInput) -> Result<WebFormView> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        check(c, scope, input)?;
        let id = WebFormId(new_id());
        let at = now();
        diesel::insert_into(web_forms::table)
            .values((
                web_forms::id.eq(id.to_string()),
                web_forms::org_id.eq(scope.org_id().to_string()),
                web_forms::name.eq(input.name.trim()),
                web_forms::fields.eq(json(&input.fields)?),
                web_forms::consent_text.eq(&input.consent_text),
                web_forms::thank_you_message.eq(&input.thank_you_message),
                web_forms::redirect_url.eq(&input.redirect_url),
                web_forms::allowed_origins.eq(json(&origins(input))?),
                web_forms::tags.eq(json(&kith_domain::leads::normalize_tags(&input.tags))?),
                web_forms::owner_id.eq(input.owner_id.map(|o| o.to_string())),
                web_forms::campaign.eq(&input.campaign),
                web_forms::min_fill_seconds.eq(input.min_fill_seconds as i32),
                web_forms::active.eq(input.active),
                web_forms::created_at.eq(at),
                web_forms::updated_at.eq(at),
                web_forms::version.eq(1i64),
            ))
            .execute(c)?;
        let view = find(c, scope.org_id(), id)?;
        audit::record_created(c, scope, ENTITY, &id.to_string(), &view)?;
        Ok(view)
    })
}

pub fn update(
    conn: &mut DbConnection,
    scope: &Scope,
    id: WebFormId,
    version: i64,
    input: &WebFormInput,
) -> Result<WebFormView> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        check(c, scope, input)?;
        let before = find(c, scope.org_id(), id)?;
        let n = diesel::update(
            web_forms::table
                .filter(web_forms::org_id.eq(scope.org_id().to_string()))
                .filter(web_forms::id.eq(id.to_string()))
                .filter(web_forms::version.eq(version))
                .filter(web_forms::deleted_at.is_null()),
        )
        .set((
            web_forms::name.eq(input.name.trim()),
            web_forms::fields.eq(json(&input.fields)?),
            web_forms::consent_text.eq(&input.consent_text),
            web_forms::thank_you_message.eq(&input.thank_you_message),
            web_forms::redirect_url.eq(&input.redirect_url),
            web_forms::allowed_origins.eq(json(&origins(input))?),
            web_forms::tags.eq(json(&kith_domain::leads::normalize_tags(&input.tags))?),
            web_forms::owner_id.eq(input.owner_id.map(|o| o.to_string())),
            web_forms::campaign.eq(&input.campaign),
            web_forms::min_fill_seconds.eq(input.min_fill_seconds as i32),
            web_forms::active.eq(input.active),
            web_forms::updated_at.eq(now()),
            web_forms::version.eq(version + 1),
        ))
        .execute(c)?;
        if n == 0 {
            return Err(Error::Stale(version));
        }
        let after = find(c, scope.org_id(), id)?;
        audit::record_updated(c, scope, ENTITY, &id.to_string(), &before, &after)?;
        Ok(after)
    })
}

pub fn delete(conn: &mut DbConnection, scope: &Scope, id: WebFormId) -> Result<()> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        let form = find(c, scope.org_id(), id)?;
        let at = now();
        diesel::update(web_forms::table.filter(web_forms::id.eq(id.to_string())))
            .set((web_forms::deleted_at.eq(Some(at)), web_forms::version.eq(web_forms::version + 1)))
            .execute(c)?;
        recycle::put(c, scope, ENTITY, &id.to_string(), &form.name, at)?;
        audit::record(c, scope, ENTITY, &id.to_string(), AuditAction::Delete, &[])
    })
}

pub fn restore(conn: &mut DbConnection, scope: &Scope, id: WebFormId) -> Result<WebFormView> {
    scope.require(Module::Settings, Action::Write)?;
    transaction(conn, |c| {
        let n = diesel::update(
            web_forms::table
                .filter(web_forms::org_id.eq(scope.org_id().to_string()))
                .filter(web_forms::id.eq(id.to_string()))
                .filter(web_forms::deleted_at.is_not_null()),
        )
        .set((web_forms::deleted_at.eq(None::<NaiveDateTime>), web_forms::version.eq(web_forms::version + 1)))
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
        web_form_submissions::table
            .filter(web_form_submissions::org_id.eq(&org))
            .filter(web_form_submissions::form_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        web_forms::table
            .filter(web_forms::org_id.eq(&org))
            .filter(web_forms::id.eq(id))
            .filter(web_forms::deleted_at.is_not_null()),
    )
    .execute(conn)?;
    audit::record(conn, scope, ENTITY, id, AuditAction::Purge, &[])
}

// ---- public side ----

/// A live, active form as the public endpoint needs it (no tenant scope: the form id is the key).
pub struct PublicFormConfig {
    pub org_id: OrgId,
    pub form: WebFormView,
    /// The organization's lead custom fields, for the inputs on them.
    pub custom_fields: Vec<kith_domain::core::custom_fields::CustomFieldView>,
}

impl PublicFormConfig {
    /// The fields as visitors see them.
    pub fn public_fields(&self) -> Vec<PublicField> {
        public_fields(&self.form.fields, &self.custom_fields)
    }
}

pub fn public_form(conn: &mut DbConnection, id: WebFormId) -> Result<PublicFormConfig> {
    let row = web_forms::table
        .filter(web_forms::id.eq(id.to_string()))
        .filter(web_forms::deleted_at.is_null())
        .filter(web_forms::active.eq(true))
        .select(FormRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound)?;
    let org_id = parse_id(&row.org_id)?;
    let custom_fields = crate::core::custom_fields::defs(conn, org_id, crate::leads::ENTITY)?;
    Ok(PublicFormConfig { org_id, form: row.into_view(0)?, custom_fields })
}

/// One submission as the browser sent it, already limited to what the form maps.
pub struct Submission {
    pub key: Option<String>,
    pub ip: String,
    pub user_agent: String,
    pub referrer: Option<String>,
    pub utm: SourceDetail,
    pub values: HashMap<String, String>,
}

#[derive(Debug, PartialEq, Eq)]
pub enum SubmitOutcome {
    Created(LeadId),
    Attached(LeadId),
    /// The same submission key again: nothing new happened.
    Replayed(Option<LeadId>),
}

/// The scope a public submission acts in: the form's organization, as the form itself, which may
/// capture leads and nothing else.
fn form_scope(org_id: OrgId, form_id: WebFormId) -> Scope {
    Scope::channel(org_id, crate::core::scope::Channel::WebForm(form_id), None)
}

/// Turn a submission into a lead (or attach it to the existing one), once per submission key.
pub fn submit(
    conn: &mut DbConnection,
    config: &PublicFormConfig,
    sub: &Submission,
    request_id: Option<String>,
) -> Result<SubmitOutcome> {
    let form = &config.form;
    let (mut lead, message) =
        lead_from_submission(&form.fields, &config.custom_fields, form.consent_text.as_deref(), &|name| {
            sub.values.get(name).cloned()
        })
        .map_err(Error::Validation)?;
    lead.tags = form.tags.clone();
    lead.owner_id = form.owner_id;
    lead.source = Some(LeadSource::WebForm);
    let mut detail = sub.utm.clone();
    detail.form_id = Some(form.id.to_string());
    detail.referrer = sub.referrer.clone();
    if detail.utm_campaign.is_none() {
        detail.utm_campaign = form.campaign.clone();
    }
    lead.source_detail = Some(detail);
    let lead = lead.tidy();
    validator::Validate::validate(&lead)
        .map_err(|e| Error::Validation(kith_domain::core::validation::field_errors(&e)))?;
    let scope = form_scope(config.org_id, form.id).with_request_id(request_id);
    transaction(conn, |c| {
        if let Some(key) = &sub.key {
            let seen: Option<Option<String>> = web_form_submissions::table
                .filter(web_form_submissions::form_id.eq(form.id.to_string()))
                .filter(web_form_submissions::submission_key.eq(key))
                .select(web_form_submissions::lead_id)
                .first(c)
                .optional()?;
            if let Some(lead_id) = seen {
                return Ok(SubmitOutcome::Replayed(lead_id.as_deref().map(parse_id).transpose()?));
            }
        }
        let note = message.as_deref().map(|m| format!("{}: {m}", form.name)).unwrap_or_else(|| form.name.clone());
        let how = Capture { source: LeadSource::WebForm, event: LeadEventKind::FormSubmitted, note: Some(&note) };
        let captured = capture(c, &scope, &lead, &how)?;
        let (outcome, lead_id) = match &captured {
            Captured::New(l) => (SubmitOutcome::Created(l.id), l.id),
            Captured::Attached(l) => (SubmitOutcome::Attached(l.id), l.id),
        };
        diesel::insert_into(web_form_submissions::table)
            .values((
                web_form_submissions::id.eq(new_id().to_string()),
                web_form_submissions::org_id.eq(config.org_id.to_string()),
                web_form_submissions::form_id.eq(form.id.to_string()),
                web_form_submissions::lead_id.eq(Some(lead_id.to_string())),
                web_form_submissions::outcome.eq(match outcome {
                    SubmitOutcome::Created(_) => "created",
                    _ => "attached",
                }),
                web_form_submissions::submission_key.eq(&sub.key),
                web_form_submissions::ip.eq(&sub.ip),
                web_form_submissions::user_agent.eq(sub.user_agent.chars().take(500).collect::<String>()),
                web_form_submissions::referrer.eq(&sub.referrer),
                web_form_submissions::utm.eq(json(&sub.utm)?),
                web_form_submissions::created_at.eq(now()),
            ))
            .execute(c)?;
        Ok(outcome)
    })
}

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    k.record_kind(
        crate::core::kernel::RecordKind::new(ENTITY, kith_domain::core::modules::Module::Settings)
            .display(crate::display_by!(ENTITY, web_forms, name))
            .purged_by(purge),
    );
}
