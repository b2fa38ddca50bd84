//! Leads: the people and companies who might buy, from every channel, with their status machine,
//! source, owner and score. The capture channels (web forms, inbound email, imports, call lists),
//! merging and the scoring and assignment rules are its submodules.

pub mod call_lists;
pub mod imports;
pub mod inbound;
pub mod merge;
pub mod rules;
pub mod webforms;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::core::ids::*;
use crate::core::problem::FieldError;
use crate::identity::double_option;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LeadStatus {
    New,
    Contacted,
    Working,
    /// Not ready to buy yet; comes back to the owner on `revisit_on`.
    Nurture,
    NotReady,
    Qualified,
    /// Not a fit; `disqualify_reason` says why.
    Disqualified,
    /// Turned into a potential and customer (set by conversion only).
    Converted,
}

impl LeadStatus {
    pub const ALL: [LeadStatus; 8] = [
        LeadStatus::New,
        LeadStatus::Contacted,
        LeadStatus::Working,
        LeadStatus::Nurture,
        LeadStatus::NotReady,
        LeadStatus::Qualified,
        LeadStatus::Disqualified,
        LeadStatus::Converted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LeadStatus::New => "new",
            LeadStatus::Contacted => "contacted",
            LeadStatus::Working => "working",
            LeadStatus::Nurture => "nurture",
            LeadStatus::NotReady => "not_ready",
            LeadStatus::Qualified => "qualified",
            LeadStatus::Disqualified => "disqualified",
            LeadStatus::Converted => "converted",
        }
    }

    pub fn parse(s: &str) -> Option<LeadStatus> {
        LeadStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            LeadStatus::New => "New",
            LeadStatus::Contacted => "Contacted",
            LeadStatus::Working => "Working",
            LeadStatus::Nurture => "Nurture",
            LeadStatus::NotReady => "Not ready",
            LeadStatus::Qualified => "Qualified",
            LeadStatus::Disqualified => "Disqualified",
            LeadStatus::Converted => "Converted",
        }
    }

    /// The statuses a lead may move to from this one by a status change. `converted` is reached only
    /// through conversion, and a converted lead is final.
    pub fn next(self) -> &'static [LeadStatus] {
        use LeadStatus::*;
        match self {
            New => &[Contacted, Working, Nurture, NotReady, Qualified, Disqualified],
            Contacted => &[Working, Nurture, NotReady, Qualified, Disqualified],
            Working => &[Contacted, Nurture, NotReady, Qualified, Disqualified],
            Nurture => &[Contacted, Working, NotReady, Qualified, Disqualified],
            NotReady => &[Contacted, Working, Nurture, Qualified, Disqualified],
            Qualified => &[Working, Nurture, Disqualified],
            Disqualified => &[New, Working],
            Converted => &[],
        }
    }

    /// Statuses a lead is "open" in: still to be worked.
    pub fn is_open(self) -> bool {
        !matches!(self, LeadStatus::Disqualified | LeadStatus::Converted)
    }
}

/// Check a status change and what it requires: a revisit date for nurture, a reason to disqualify.
pub fn check_transition(
    from: LeadStatus,
    to: LeadStatus,
    revisit_on: Option<NaiveDate>,
    disqualify_reason: Option<&str>,
    today: NaiveDate,
) -> Result<(), FieldError> {
    if from == to {
        return Ok(());
    }
    if !from.next().contains(&to) {
        return Err(FieldError::new(
            "status",
            "transition",
            format!("A {} lead cannot become {}.", from.label().to_lowercase(), to.label().to_lowercase()),
        ));
    }
    match to {
        LeadStatus::Nurture => match revisit_on {
            None => Err(FieldError::new("revisit_on", "required", "Choose when to revisit this lead.")),
            Some(d) if d <= today => Err(FieldError::new("revisit_on", "past", "Choose a date after today.")),
            Some(_) => Ok(()),
        },
        LeadStatus::Disqualified if disqualify_reason.is_none_or(|r| r.trim().is_empty()) => {
            Err(FieldError::new("disqualify_reason", "required", "Say why this lead is disqualified."))
        }
        _ => Ok(()),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LeadSource {
    WebForm,
    Email,
    Import,
    CallList,
    Referral,
    Campaign,
    Manual,
    Api,
}

impl LeadSource {
    pub const ALL: [LeadSource; 8] = [
        LeadSource::WebForm,
        LeadSource::Email,
        LeadSource::Import,
        LeadSource::CallList,
        LeadSource::Referral,
        LeadSource::Campaign,
        LeadSource::Manual,
        LeadSource::Api,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            LeadSource::WebForm => "web_form",
            LeadSource::Email => "email",
            LeadSource::Import => "import",
            LeadSource::CallList => "call_list",
            LeadSource::Referral => "referral",
            LeadSource::Campaign => "campaign",
            LeadSource::Manual => "manual",
            LeadSource::Api => "api",
        }
    }
    pub fn parse(s: &str) -> Option<LeadSource> {
        LeadSource::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// Where a lead came from in detail: the form, campaign parameters, the referring page.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SourceDetail {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 200))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub utm_source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 200))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub utm_medium: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 200))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub utm_campaign: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 200))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub utm_term: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 200))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub utm_content: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 2000))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub referrer: Option<String>,
    /// Free text, e.g. who referred the lead or which list it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 500))]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadView {
    pub id: LeadId,
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub email: Option<String>,
    /// As entered.
    pub phone: Option<String>,
    /// E.164 form of `phone` when it could be read.
    pub phone_e164: Option<String>,
    pub company_name: String,
    /// Lower-case domain of the company's website (or of a business email address).
    pub company_domain: Option<String>,
    /// Number of employees.
    pub company_size: Option<i32>,
    pub industry: Option<String>,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: Option<String>,
    pub source: LeadSource,
    pub source_detail: SourceDetail,
    pub status: LeadStatus,
    pub disqualify_reason: Option<String>,
    pub revisit_on: Option<NaiveDate>,
    pub owner_id: Option<UserId>,
    pub team_id: Option<TeamId>,
    pub score: i32,
    pub tags: Vec<String>,
    /// Values of the organization's custom fields, by key (fields without a value are absent).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: BTreeMap<String, serde_json::Value>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl LeadView {
    pub fn display_name(&self) -> String {
        display_name(&self.first_name, &self.last_name, self.email.as_deref(), &self.company_name)
    }

    /// Whom the lead belongs to, for the own/team checks (the server's and the SPA's alike).
    pub fn ownership(&self) -> crate::core::permissions::RecordOwnership {
        crate::core::permissions::RecordOwnership { owner_id: self.owner_id, team_id: self.team_id }
    }
}

/// What a lead is called: the person's name, else their email, else the company.
pub fn display_name(first_name: &str, last_name: &str, email: Option<&str>, company_name: &str) -> String {
    let name = format!("{first_name} {last_name}").trim().to_owned();
    match email.filter(|e| !e.is_empty()) {
        _ if !name.is_empty() => name,
        Some(email) => email.to_owned(),
        None => company_name.to_owned(),
    }
}

/// A country is an ISO 3166-1 alpha-2 code that exists, in any case (stored upper case). A name is
/// refused with the code it should have been ("Germany" → use DE), never cut to two letters.
pub fn valid_country(c: &str) -> Result<(), validator::ValidationError> {
    if crate::core::countries::by_code(c).is_some() {
        Ok(())
    } else {
        let mut e = validator::ValidationError::new("country");
        e.message = Some(crate::core::countries::not_a_code(c).into());
        Err(e)
    }
}

fn valid_tags(tags: &[String]) -> Result<(), validator::ValidationError> {
    if tags.len() > 50 || tags.iter().any(|t| t.trim().is_empty() || t.chars().count() > 50) {
        let mut e = validator::ValidationError::new("tags");
        e.message = Some("Up to 50 tags of 1 to 50 characters.".into());
        return Err(e);
    }
    Ok(())
}

/// A lead to create. At least one of name, email, phone or company is required.
#[derive(Clone, Debug, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewLead {
    #[serde(default)]
    #[validate(length(max = 100))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub first_name: String,
    #[serde(default)]
    #[validate(length(max = 100))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub last_name: String,
    #[serde(default)]
    #[validate(length(max = 200))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub title: String,
    #[serde(default)]
    #[validate(email, length(max = 254))]
    #[cfg_attr(feature = "openapi", schema(max_length = 254, format = Email))]
    pub email: Option<String>,
    #[serde(default)]
    #[validate(length(max = 50))]
    #[cfg_attr(feature = "openapi", schema(max_length = 50))]
    pub phone: Option<String>,
    #[serde(default)]
    #[validate(length(max = 200))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub company_name: String,
    /// Website or domain; normalized to the bare domain.
    #[serde(default)]
    #[validate(length(max = 253))]
    #[cfg_attr(feature = "openapi", schema(max_length = 253))]
    pub company_website: Option<String>,
    #[serde(default)]
    #[validate(range(min = 1, max = 10_000_000))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 10_000_000))]
    pub company_size: Option<i32>,
    #[serde(default)]
    #[validate(length(max = 100))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub industry: Option<String>,
    /// ISO 3166-1 alpha-2 code, any case (e.g. `de`; stored upper case).
    #[serde(default)]
    #[validate(custom(function = "valid_country"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 2))]
    pub country: Option<String>,
    /// `manual` when created by a person in the app, `api` by default for API keys.
    #[serde(default)]
    pub source: Option<LeadSource>,
    #[serde(default)]
    #[validate(nested)]
    pub source_detail: Option<SourceDetail>,
    /// Without an owner, the assignment rules choose one.
    #[serde(default)]
    pub owner_id: Option<UserId>,
    #[serde(default)]
    #[validate(custom(function = "valid_tags"))]
    pub tags: Vec<String>,
    /// Values of custom fields by key (see `/custom-fields`). Errors name `custom.<key>`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: BTreeMap<String, serde_json::Value>,
}

impl NewLead {
    /// Trim what people paste with stray spaces, before validation judges it.
    pub fn tidy(mut self) -> Self {
        let trim = |o: Option<String>| o.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        self.email = trim(self.email);
        self.phone = trim(self.phone);
        self.company_website = trim(self.company_website);
        self.country = trim(self.country);
        self.industry = trim(self.industry);
        self
    }

    /// The cross-field rule validator cannot express: a lead must name someone or something.
    pub fn check_identifiable(&self) -> Option<FieldError> {
        let blank = |s: &str| s.trim().is_empty();
        let none = |o: &Option<String>| o.as_deref().is_none_or(blank);
        (blank(&self.first_name)
            && blank(&self.last_name)
            && none(&self.email)
            && none(&self.phone)
            && blank(&self.company_name))
        .then(|| FieldError::new("email", "required", "Give at least a name, an email, a phone number or a company."))
    }
}

impl crate::core::validation::Check for NewLead {
    fn rules(&self) -> Vec<FieldError> {
        let mut out: Vec<FieldError> = self.check_identifiable().into_iter().collect();
        out.extend(website_problem(self.company_website.as_deref()));
        out
    }
}

impl crate::core::validation::Check for LeadPatch {
    fn rules(&self) -> Vec<FieldError> {
        let mut out: Vec<FieldError> =
            website_problem(self.company_website.as_ref().and_then(Option::as_deref)).into_iter().collect();
        let email = self.email.as_ref().and_then(Option::as_deref).map(str::trim).filter(|e| !e.is_empty());
        if email.is_some_and(|e| !validator::ValidateEmail::validate_email(&e)) {
            out.push(FieldError::new("email", "email", "Enter a valid email address."));
        }
        out
    }
}

/// A website must name a domain (`acme.com`, `https://www.acme.com/about`); blank means none.
pub fn website_problem(website: Option<&str>) -> Option<FieldError> {
    let website = website.map(str::trim).filter(|w| !w.is_empty())?;
    normalize_domain(website)
        .is_none()
        .then(|| FieldError::new("company_website", "invalid", "Give a website like acme.com."))
}

/// Change a lead. Absent fields stay; `null` clears a nullable field.
#[derive(Clone, Debug, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LeadPatch {
    #[validate(length(max = 100))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub first_name: Option<String>,
    #[validate(length(max = 100))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub last_name: Option<String>,
    #[validate(length(max = 200))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub phone: Option<Option<String>>,
    #[validate(length(max = 200))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub company_name: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub company_website: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i32>))]
    pub company_size: Option<Option<i32>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub industry: Option<Option<String>>,
    /// ISO 3166-1 alpha-2 code, any case (e.g. `de`); `null` clears it.
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, min_length = 2, max_length = 2))]
    pub country: Option<Option<String>>,
    pub status: Option<LeadStatus>,
    /// Required when moving to `nurture`.
    pub revisit_on: Option<NaiveDate>,
    /// Required when moving to `disqualified`.
    #[validate(length(max = 500))]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub disqualify_reason: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub owner_id: Option<Option<UserId>>,
    #[validate(custom(function = "valid_tags"))]
    pub tags: Option<Vec<String>>,
    /// Custom field values to set, by key; `null` clears one. Keys left out stay.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub custom: BTreeMap<String, serde_json::Value>,
}

/// Filters and sort for the lead list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct LeadListQuery {
    /// Page size: 1–200 (default 50); other values are clamped into that range, not refused.
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    /// `created_at`, `updated_at`, `name`, `company`, `score` (prefix `-` for descending; default `-created_at`).
    #[cfg_attr(feature = "openapi", param(pattern = r"^-?(created_at|updated_at|name|company|score)$"))]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^-?(created_at|updated_at|name|company|score)$"))]
    pub sort: Option<String>,
    pub status: Option<LeadStatus>,
    /// `true`: only open leads — not disqualified or converted (those are done with).
    pub open: Option<bool>,
    pub source: Option<LeadSource>,
    pub owner_id: Option<UserId>,
    /// `true`: only leads without an owner.
    pub unassigned: Option<bool>,
    pub team_id: Option<TeamId>,
    pub tag: Option<String>,
    /// An ISO 3166-1 code or a country's English name (`de`, `Germany`); `422` when it names none.
    pub country: Option<String>,
    pub min_score: Option<i32>,
    /// Searches name, email and company (case-insensitive).
    pub q: Option<String>,
    /// A custom field's key: with `custom_value`, leads whose value equals it (numbers compared as
    /// numbers, select options case-insensitively); alone, leads that have any value.
    pub custom_field: Option<String>,
    pub custom_value: Option<String>,
}

/// Counts of leads stop here: past it a list says "1,000+" (see [`LeadCount`]).
pub const LEAD_COUNT_CAP: i64 = 1000;

/// How many leads a list query selects (`GET /leads/count`, the same filters as the list).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadCount {
    /// The number of leads, at most 1,000.
    pub count: i64,
    /// More leads than `count` match: counting stopped at 1,000.
    pub more: bool,
}

/// A named lead list filter, kept on the server: the user's own, or shared with the whole organization.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LeadViewInput {
    #[validate(length(min = 1, max = 60), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 60, pattern = r"\S"))]
    pub name: String,
    /// The list's filters and sort (`limit` and `cursor` are not kept).
    pub filters: LeadListQuery,
    /// Everyone in the organization sees it (only its owner and administrators change it).
    #[serde(default)]
    pub shared: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadViewRecord {
    pub id: crate::core::ids::LeadViewId,
    pub name: String,
    pub filters: LeadListQuery,
    pub shared: bool,
    pub owner_id: UserId,
    /// The caller may rename, change or delete it.
    pub editable: bool,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// The same change to many leads at once (at most 500).
#[derive(Clone, Debug, Default, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BulkLeadUpdate {
    #[validate(length(min = 1, max = 500))]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 500))]
    pub ids: Vec<LeadId>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub owner_id: Option<Option<UserId>>,
    pub status: Option<LeadStatus>,
    pub revisit_on: Option<NaiveDate>,
    #[validate(length(max = 500))]
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub disqualify_reason: Option<String>,
    #[serde(default)]
    #[validate(custom(function = "valid_tags"))]
    pub add_tags: Vec<String>,
    #[serde(default)]
    pub remove_tags: Vec<String>,
    /// Give each lead the owner the assignment rules choose now (instead of `owner_id`).
    #[serde(default)]
    pub apply_assignment_rules: bool,
}

/// What a bulk update did: leads it changed, and per-lead refusals (it never half-changes one lead).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkResult {
    pub updated: Vec<LeadId>,
    pub failed: Vec<BulkFailure>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkFailure {
    pub id: LeadId,
    pub errors: Vec<FieldError>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LeadEventKind {
    Created,
    StatusChanged,
    OwnerChanged,
    FormSubmitted,
    EmailReceived,
    EmailSent,
    Merged,
    Rescored,
    EmailOpened,
    EmailClicked,
    EmailReplied,
    MeetingHeld,
    PageVisit,
    Revisit,
    /// A call made while the person was on a call list (kept when promoted to a lead).
    Call,
    /// A file was attached (the note names it).
    AttachmentAdded,
    /// An attachment went to the recycle bin (the note names it).
    AttachmentRemoved,
    /// An activity (call, meeting, task, note, email) was logged; the note summarizes it.
    ActivityLogged,
    /// A task was marked done (the note summarizes it).
    TaskDone,
    /// A task was marked not done again.
    TaskReopened,
    /// An activity went to the recycle bin (the note summarizes it).
    ActivityRemoved,
    /// Converted into a contact (and account and potential; the note names them).
    Converted,
    /// An event of a record linked to the lead (its contact, account or potential after conversion):
    /// `event` names it.
    #[serde(other)]
    Other,
}

impl LeadEventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LeadEventKind::Created => "created",
            LeadEventKind::StatusChanged => "status_changed",
            LeadEventKind::OwnerChanged => "owner_changed",
            LeadEventKind::FormSubmitted => "form_submitted",
            LeadEventKind::EmailReceived => "email_received",
            LeadEventKind::EmailSent => "email_sent",
            LeadEventKind::Merged => "merged",
            LeadEventKind::Rescored => "rescored",
            LeadEventKind::EmailOpened => "email_opened",
            LeadEventKind::EmailClicked => "email_clicked",
            LeadEventKind::EmailReplied => "email_replied",
            LeadEventKind::MeetingHeld => "meeting_held",
            LeadEventKind::PageVisit => "page_visit",
            LeadEventKind::Revisit => "revisit",
            LeadEventKind::Call => "call",
            LeadEventKind::AttachmentAdded => "attachment_added",
            LeadEventKind::AttachmentRemoved => "attachment_removed",
            LeadEventKind::ActivityLogged => "activity_logged",
            LeadEventKind::TaskDone => "task_done",
            LeadEventKind::TaskReopened => "task_reopened",
            LeadEventKind::ActivityRemoved => "activity_removed",
            LeadEventKind::Converted => "converted",
            LeadEventKind::Other => "other",
        }
    }
    pub fn parse(s: &str) -> Option<LeadEventKind> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }
}

/// One entry of a lead's timeline (status and owner history, captures, emails).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadEvent {
    pub id: String,
    pub occurred_at: DateTime<Utc>,
    pub kind: LeadEventKind,
    /// The stored kind of the event (the same as `kind` for the lead's own events; e.g.
    /// `phase_changed` for a linked potential's).
    #[serde(default)]
    pub event: String,
    /// The record it happened to: `lead` (this one), or a linked `contact`, `account` or `potential`.
    #[serde(default)]
    pub record_kind: String,
    #[serde(default)]
    pub record_id: String,
    /// For status and owner changes: the value before.
    pub from: Option<String>,
    /// For status and owner changes: the value after.
    pub to: Option<String>,
    pub note: Option<String>,
    pub actor_id: Option<String>,
}

/// Where an email to a lead stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmailDelivery {
    /// In the outbox, waiting for the sender (or for a retry after a failure).
    Queued,
    Sent,
    /// Given up after repeated failures (see `last_error`).
    Failed,
}

/// An email Kith sent (or will send) to a lead, with what the recipient did with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadEmailView {
    pub id: String,
    pub to: String,
    pub subject: String,
    pub queued_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivery: EmailDelivery,
    pub attempts: i32,
    pub last_error: Option<String>,
    /// Times the tracking pixel was loaded (0 when tracking is off or images are blocked).
    pub opens: i32,
    /// Times a tracked link was followed.
    pub clicks: i32,
}

/// Normalize a website or domain to a bare lower-case host: `https://www.Acme.com/x` → `acme.com`.
pub fn normalize_domain(input: &str) -> Option<String> {
    let s = input.trim().to_lowercase();
    let s = s.split("://").last().unwrap_or(&s);
    let host = s.split(['/', '?', '#', ':']).next().unwrap_or("");
    let host = host.strip_prefix("www.").unwrap_or(host).trim_end_matches('.');
    let valid = host.contains('.')
        && host.len() <= 253
        && host
            .split('.')
            .all(|l| !l.is_empty() && l.len() <= 63 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    valid.then(|| host.to_owned())
}

/// Mail providers whose domain says nothing about the sender's company.
pub const FREE_MAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "msn.com",
    "icloud.com",
    "me.com",
    "aol.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "proton.me",
    "protonmail.com",
    "mail.com",
    "yandex.ru",
    "qq.com",
    "163.com",
    "t-online.de",
    "orange.fr",
    "free.fr",
];

/// The company domain implied by an email address, unless it is a free-mail provider.
pub fn company_domain_of_email(email: &str) -> Option<String> {
    let domain = normalize_domain(email.rsplit('@').next()?)?;
    (!FREE_MAIL_DOMAINS.contains(&domain.as_str())).then_some(domain)
}

/// Tags are compared case-insensitively and stored trimmed and lower-case, without duplicates.
pub fn normalize_tags(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = tags.iter().map(|t| t.trim().to_lowercase()).filter(|t| !t.is_empty()).collect();
    out.sort();
    out.dedup();
    out
}

/// The words of a lead search (see [`crate::core::search::terms`]): a lead matches when its name, email,
/// company or phone contains every word.
pub use crate::core::search::{terms as search_terms, MAX_SEARCH_TERMS};

crate::versioned!(LeadView, LeadViewRecord);

impl crate::core::versioned::Versioned for LeadDetail {
    fn version(&self) -> Option<i64> {
        Some(self.lead.version)
    }
}

crate::unversioned!(BulkResult, LeadCount, LeadSettings);

crate::checked_by_attributes!(BulkLeadUpdate, LeadSettings, LeadViewInput, NewLeadActivity);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn nurture_needs_a_future_revisit_date_and_disqualify_a_reason() {
        let today = day("2026-11-23");
        use LeadStatus::*;
        assert_eq!(check_transition(New, Nurture, None, None, today).map_err(|e| e.field), Err("revisit_on".into()));
        assert_eq!(check_transition(New, Nurture, Some(today), None, today).map_err(|e| e.code), Err("past".into()));
        assert!(check_transition(New, Nurture, Some(day("2027-01-10")), None, today).is_ok());
        assert_eq!(
            check_transition(Working, Disqualified, None, Some("  "), today).map_err(|e| e.field),
            Err("disqualify_reason".into())
        );
        assert!(check_transition(Working, Disqualified, None, Some("No budget"), today).is_ok());
    }

    #[test]
    fn converted_is_final_and_only_reached_by_conversion() {
        let today = day("2026-11-23");
        for s in LeadStatus::ALL {
            if s != LeadStatus::Converted {
                assert!(check_transition(s, LeadStatus::Converted, None, None, today).is_err(), "{s:?}");
                assert!(check_transition(LeadStatus::Converted, s, Some(day("2030-01-01")), Some("x"), today).is_err());
            }
        }
    }

    /// The status machine written out, independently of `LeadStatus::next`: a row is the status a lead
    /// has, a column the status it is changed to. `x` allowed, `.` refused, `=` no change (always fine).
    /// docs/API.md: new → contacted/working/nurture/not_ready/qualified/disqualified; converted only by
    /// conversion, and final.
    const TRANSITIONS: &str = "
                      new  contacted  working  nurture  not_ready  qualified  disqualified  converted
        new            =       x         x        x         x          x           x            .
        contacted      .       =         x        x         x          x           x            .
        working        .       x         =        x         x          x           x            .
        nurture        .       x         x        =         x          x           x            .
        not_ready      .       x         x        x         =          x           x            .
        qualified      .       .         x        x         .          =           x            .
        disqualified   x       .         x        .         .          .           =            .
        converted      .       .         .        .         .          .           .            =
    ";

    /// (from, to, cell) for all 64 pairs, read from the table by the status names it writes.
    fn transition_table() -> Vec<(LeadStatus, LeadStatus, char)> {
        let mut lines = TRANSITIONS.lines().map(str::trim).filter(|l| !l.is_empty());
        let header: Vec<LeadStatus> =
            lines.next().unwrap_or("").split_whitespace().filter_map(LeadStatus::parse).collect();
        assert_eq!(header.len(), 8, "every status is a column");
        let mut cells = Vec::new();
        for line in lines {
            let mut words = line.split_whitespace();
            let from = words.next().and_then(LeadStatus::parse).unwrap_or_else(|| panic!("row {line:?}"));
            let row: Vec<char> = words.filter_map(|w| w.chars().next()).collect();
            assert_eq!(row.len(), 8, "row {line:?}");
            cells.extend(header.iter().zip(row).map(|(to, cell)| (from, *to, cell)));
        }
        cells
    }

    #[test]
    fn every_pair_of_statuses_is_allowed_or_refused_exactly_as_the_table_says() {
        let table = transition_table();
        assert_eq!(table.len(), 64, "every pair of the 8 statuses");
        let today = day("2026-11-23");
        for (from, to, cell) in table {
            assert_eq!(cell == '=', from == to, "{from:?} → {to:?}: the diagonal is `=`");
            // With every requirement met, the table alone decides.
            let met = check_transition(from, to, Some(day("2027-01-01")), Some("No budget"), today);
            match cell {
                'x' | '=' => assert_eq!(met, Ok(()), "{from:?} → {to:?}"),
                '.' => assert_eq!(
                    met.map_err(|e| (e.field, e.code)),
                    Err(("status".to_owned(), "transition".to_owned())),
                    "{from:?} → {to:?}"
                ),
                other => panic!("unknown cell {other:?}"),
            }
            // With none met: an allowed change names what it lacks; a refused one is still a refusal of
            // the change itself; no change needs nothing.
            let bare = check_transition(from, to, None, None, today).map_err(|e| (e.field, e.code));
            let expected = match (cell, to) {
                ('=', _) => Ok(()),
                ('.', _) => Err(("status", "transition")),
                (_, LeadStatus::Nurture) => Err(("revisit_on", "required")),
                (_, LeadStatus::Disqualified) => Err(("disqualify_reason", "required")),
                _ => Ok(()),
            };
            assert_eq!(bare, expected.map_err(|(f, c)| (f.to_owned(), c.to_owned())), "{from:?} → {to:?} bare");
        }
    }

    #[test]
    fn the_open_statuses_are_all_but_disqualified_and_converted() {
        use LeadStatus::*;
        let open: Vec<LeadStatus> = LeadStatus::ALL.into_iter().filter(|s| s.is_open()).collect();
        assert_eq!(open, vec![New, Contacted, Working, Nurture, NotReady, Qualified]);
    }

    #[test]
    fn domains_are_normalized() {
        assert_eq!(normalize_domain("https://www.Acme.com/contact?x=1").as_deref(), Some("acme.com"));
        assert_eq!(normalize_domain("acme.co.uk:8080").as_deref(), Some("acme.co.uk"));
        assert_eq!(normalize_domain("localhost"), None);
        assert_eq!(normalize_domain("bad domain.com"), None);
        assert_eq!(company_domain_of_email("ann@Sub.Acme.io").as_deref(), Some("sub.acme.io"));
        assert_eq!(company_domain_of_email("ann@gmail.com"), None);
    }

    proptest! {
        #[test]
        fn normalized_domains_are_stable(s in "[a-zA-Z0-9./:-]{0,40}") {
            if let Some(d) = normalize_domain(&s) {
                prop_assert_eq!(normalize_domain(&d), Some(d.clone()));
            }
        }

        #[test]
        fn normalized_tags_are_sorted_unique_lowercase(tags in proptest::collection::vec("[ a-zA-Z]{0,8}", 0..10)) {
            let n = normalize_tags(&tags);
            prop_assert!(n.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(n.iter().all(|t| t == &t.to_lowercase() && !t.is_empty()));
        }
    }
}

/// Record something a lead did (posted by integrations: page visits, email engagement, meetings).
#[derive(Clone, Debug, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewLeadActivity {
    pub behaviour: crate::leads::rules::Behaviour,
    /// When it happened (default: now). At most a day in the future is accepted.
    #[serde(default)]
    pub occurred_at: Option<DateTime<Utc>>,
    /// E.g. the page URL or email subject.
    #[serde(default)]
    #[validate(length(max = 2000))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub note: Option<String>,
}

/// A lead with its score explained, for the detail screen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadDetail {
    pub lead: LeadView,
    pub score: crate::leads::rules::ScoreBreakdown,
}

/// How new leads from any channel are matched against existing ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DuplicateRule {
    /// Same normalized email.
    Email,
    /// Same normalized email, or same phone number (E.164).
    EmailOrPhone,
    /// Never match; every capture makes a new lead.
    Off,
}

/// Organization-wide lead settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LeadSettings {
    pub duplicate_rule: DuplicateRule,
    /// A lead whose score reaches this becomes qualified (and its owner is told). None: never automatically.
    #[validate(range(min = 1, max = 100_000))]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 100_000))]
    pub qualify_threshold: Option<i32>,
    /// Who gets a lead no assignment rule takes (a person whose role may work with leads). None: such
    /// leads stay unassigned and the lead managers (everyone who may change every lead) are told.
    #[serde(default)]
    pub fallback_owner_id: Option<UserId>,
}

impl Default for LeadSettings {
    fn default() -> Self {
        LeadSettings { duplicate_rule: DuplicateRule::EmailOrPhone, qualify_threshold: None, fallback_owner_id: None }
    }
}
