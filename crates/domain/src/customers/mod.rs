//! Customers: accounts (the companies a business sells to, from prospect to customer) and contacts
//! (the people, at one or more accounts). A lead's conversion creates or fills them; the pipeline's
//! potentials belong to an account.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::core::ids::*;
use crate::core::problem::FieldError;
use crate::identity::double_option;

/// Where an account stands with the business. It becomes `customer` when one of its potentials is
/// won and `former_customer` by a person's choice; never automatically back to `prospect`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Lifecycle {
    #[default]
    Prospect,
    Customer,
    FormerCustomer,
}

impl Lifecycle {
    pub const ALL: [Lifecycle; 3] = [Lifecycle::Prospect, Lifecycle::Customer, Lifecycle::FormerCustomer];
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Prospect => "prospect",
            Lifecycle::Customer => "customer",
            Lifecycle::FormerCustomer => "former_customer",
        }
    }
    pub fn parse(s: &str) -> Option<Lifecycle> {
        Lifecycle::ALL.into_iter().find(|x| x.as_str() == s)
    }
    pub fn label(self) -> &'static str {
        match self {
            Lifecycle::Prospect => "Prospect",
            Lifecycle::Customer => "Customer",
            Lifecycle::FormerCustomer => "Former customer",
        }
    }
}

/// Won revenue in one currency (integer minor units).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Revenue {
    /// ISO 4217 code.
    pub currency: String,
    /// Minor units (cents).
    pub amount_minor: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountView {
    pub id: AccountId,
    pub name: String,
    /// Lower-case domain of the website.
    pub domain: Option<String>,
    pub industry: Option<String>,
    pub phone: Option<String>,
    /// ISO 3166-1 alpha-2, upper case.
    pub country: Option<String>,
    pub lifecycle: Lifecycle,
    pub parent_id: Option<AccountId>,
    pub owner_id: Option<UserId>,
    pub team_id: Option<TeamId>,
    /// The revenue of its won potentials, per currency (billing will add paid invoices).
    pub revenue: Vec<Revenue>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl AccountView {
    pub fn ownership(&self) -> crate::core::permissions::RecordOwnership {
        crate::core::permissions::RecordOwnership { owner_id: self.owner_id, team_id: self.team_id }
    }
}

/// An account to create.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    #[validate(length(min = 1, max = 200), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200, pattern = r"\S"))]
    pub name: String,
    /// Website or domain; kept as the bare domain.
    #[serde(default)]
    #[validate(length(max = 253))]
    #[cfg_attr(feature = "openapi", schema(max_length = 253))]
    pub website: Option<String>,
    #[serde(default)]
    #[validate(length(max = 100))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub industry: Option<String>,
    #[serde(default)]
    #[validate(length(max = 50))]
    #[cfg_attr(feature = "openapi", schema(max_length = 50))]
    pub phone: Option<String>,
    /// ISO 3166-1 alpha-2 code, any case.
    #[serde(default)]
    #[validate(custom(function = "crate::leads::valid_country"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 2))]
    pub country: Option<String>,
    #[serde(default)]
    pub parent_id: Option<AccountId>,
    /// Default: the caller.
    #[serde(default)]
    pub owner_id: Option<UserId>,
}

impl crate::core::validation::Check for NewAccount {
    fn rules(&self) -> Vec<FieldError> {
        website_problem(self.website.as_deref(), "website").into_iter().collect()
    }
}

/// Change an account. Absent fields stay; `null` clears a nullable one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    #[validate(length(min = 1, max = 200), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200, pattern = r"\S"))]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 253))]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 100))]
    pub industry: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 50))]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, min_length = 2, max_length = 2))]
    pub country: Option<Option<String>>,
    /// `former_customer` ends a relationship; `customer` is set by a won potential.
    pub lifecycle: Option<Lifecycle>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub parent_id: Option<Option<AccountId>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub owner_id: Option<Option<UserId>>,
}

impl crate::core::validation::Check for AccountPatch {
    fn rules(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        let text = |o: &Option<Option<String>>| o.as_ref().and_then(Option::as_deref).map(str::to_owned);
        out.extend(website_problem(text(&self.website).as_deref(), "website"));
        for (field, value, max) in [("industry", text(&self.industry), 100), ("phone", text(&self.phone), 50)] {
            if value.is_some_and(|v| v.chars().count() > max) {
                out.push(FieldError::new(field, "length", format!("Use at most {max} characters.")));
            }
        }
        if let Some(Some(c)) = &self.country {
            if let Err(e) = crate::leads::valid_country(c) {
                out.push(FieldError::new("country", "country", e.message.map(|m| m.to_string()).unwrap_or_default()));
            }
        }
        out
    }
}

/// A website must name a domain (`acme.com`, `https://www.acme.com/about`); blank means none.
pub fn website_problem(website: Option<&str>, field: &str) -> Option<FieldError> {
    let website = website.map(str::trim).filter(|w| !w.is_empty())?;
    crate::leads::normalize_domain(website)
        .is_none()
        .then(|| FieldError::new(field, "invalid", "Give a website like acme.com."))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactView {
    pub id: ContactId,
    pub first_name: String,
    pub last_name: String,
    pub title: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    /// The account the contact mainly works for.
    pub account_id: Option<AccountId>,
    /// Every account the contact belongs to (the primary one first).
    pub account_ids: Vec<AccountId>,
    pub owner_id: Option<UserId>,
    pub team_id: Option<TeamId>,
    /// The lead this contact was converted from.
    pub lead_id: Option<LeadId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl ContactView {
    pub fn display_name(&self) -> String {
        crate::leads::display_name(&self.first_name, &self.last_name, self.email.as_deref(), "")
    }
    pub fn ownership(&self) -> crate::core::permissions::RecordOwnership {
        crate::core::permissions::RecordOwnership { owner_id: self.owner_id, team_id: self.team_id }
    }
}

/// A contact to create. A name or an email is required.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewContact {
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
    #[validate(custom(function = "crate::leads::valid_country"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 2))]
    pub country: Option<String>,
    /// The primary account.
    #[serde(default)]
    pub account_id: Option<AccountId>,
    /// Default: the caller.
    #[serde(default)]
    pub owner_id: Option<UserId>,
}

impl crate::core::validation::Check for NewContact {
    fn rules(&self) -> Vec<FieldError> {
        let blank = |s: &str| s.trim().is_empty();
        (blank(&self.first_name) && blank(&self.last_name) && self.email.as_deref().is_none_or(blank))
            .then(|| FieldError::new("first_name", "required", "Give a name or an email."))
            .into_iter()
            .collect()
    }
}

/// Change a contact. Absent fields stay; `null` clears a nullable one.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactPatch {
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
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 254, format = Email))]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 50))]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, min_length = 2, max_length = 2))]
    pub country: Option<Option<String>>,
    /// The primary account (added to the contact's accounts); `null`: none is primary.
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub account_id: Option<Option<AccountId>>,
    #[serde(default, deserialize_with = "double_option", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Uuid))]
    pub owner_id: Option<Option<UserId>>,
}

impl crate::core::validation::Check for ContactPatch {
    fn rules(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        let email = self.email.as_ref().and_then(Option::as_deref).map(str::trim).filter(|e| !e.is_empty());
        if email.is_some_and(|e| e.chars().count() > 254 || !validator::ValidateEmail::validate_email(&e)) {
            out.push(FieldError::new("email", "email", "Enter a valid email address."));
        }
        if self.phone.as_ref().and_then(Option::as_deref).is_some_and(|p| p.chars().count() > 50) {
            out.push(FieldError::new("phone", "length", "Use at most 50 characters."));
        }
        if let Some(Some(c)) = &self.country {
            if let Err(e) = crate::leads::valid_country(c) {
                out.push(FieldError::new("country", "country", e.message.map(|m| m.to_string()).unwrap_or_default()));
            }
        }
        out
    }
}

/// Filters for the account and contact lists.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams, utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct CustomerListQuery {
    /// Page size: 1–200 (default 50); other values are clamped into that range, not refused.
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    /// Searches names, email, domain (case-insensitive).
    pub q: Option<String>,
    pub owner_id: Option<UserId>,
    /// Accounts only.
    pub lifecycle: Option<Lifecycle>,
    /// Contacts only: the contacts of this account.
    pub account_id: Option<AccountId>,
}

crate::versioned!(AccountView, ContactView);
