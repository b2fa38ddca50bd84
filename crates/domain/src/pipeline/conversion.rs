//! Converting a lead: into a contact (new, or an existing one whose empty fields the lead fills), at
//! an account (new or existing, same rule), and — when the lead is likely to buy — a potential. The
//! lead stays as a read-only converted record that points forward; its whole history is reachable
//! from the potential, the contact and the account.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::core::ids::*;
use crate::core::problem::FieldError;

/// Which account the converted lead belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum AccountChoice {
    /// A new account named after the lead's company (or `name`).
    New {
        #[serde(default)]
        name: Option<String>,
    },
    /// An existing account: the lead fills only its empty fields.
    Existing { id: AccountId },
    /// No account (a private person).
    None,
}

/// Which contact the converted lead becomes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum ContactChoice {
    /// A new contact from the lead's person.
    New,
    /// An existing contact (the same person): the lead fills only its empty fields.
    Existing { id: ContactId },
}

/// The potential a conversion opens.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConversionPotential {
    /// Default: the company (or the person) and "deal".
    #[serde(default)]
    #[validate(length(max = 200))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub name: Option<String>,
    #[serde(default)]
    pub pipeline_id: Option<PipelineId>,
    #[serde(default)]
    pub phase_id: Option<PhaseId>,
    #[serde(default)]
    #[validate(range(min = 0, max = 1_000_000_000_000_000i64))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 1_000_000_000_000_000i64))]
    pub amount_minor: i64,
    #[validate(custom(function = "super::valid_currency"))]
    #[cfg_attr(feature = "openapi", schema(min_length = 3, max_length = 3, pattern = "^[A-Z]{3}$"))]
    pub currency: String,
    #[serde(default)]
    pub expected_close_on: Option<NaiveDate>,
    /// Default: the lead's owner (or the caller when it has none).
    #[serde(default)]
    pub owner_id: Option<UserId>,
}

/// `POST /leads/{id}/convert`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LeadConversion {
    pub account: AccountChoice,
    pub contact: ContactChoice,
    /// Without one the lead becomes a contact (and account) only.
    #[serde(default)]
    #[validate(nested)]
    pub potential: Option<ConversionPotential>,
}

impl crate::core::validation::Check for LeadConversion {
    fn rules(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if let AccountChoice::New { name: Some(n) } = &self.account {
            if n.chars().count() > 200 {
                out.push(FieldError::new("account.name", "length", "Use at most 200 characters."));
            }
        }
        out
    }
}

/// The records a conversion made or used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversionResult {
    pub lead_id: LeadId,
    pub contact: crate::customers::ContactView,
    pub account: Option<crate::customers::AccountView>,
    pub potential: Option<super::PotentialView>,
}

crate::unversioned!(ConversionResult);

/// The account name a lead suggests: its company, else the person's name.
pub fn account_name(lead: &crate::leads::LeadView) -> String {
    let company = lead.company_name.trim();
    if company.is_empty() {
        lead.display_name()
    } else {
        company.to_owned()
    }
}

/// The potential name a lead suggests.
pub fn potential_name(lead: &crate::leads::LeadView) -> String {
    format!("{} deal", account_name(lead))
}

/// What may be converted: an open, qualified-or-working lead; never a converted or disqualified one.
pub fn convertible(lead: &crate::leads::LeadView) -> Result<(), FieldError> {
    use crate::leads::LeadStatus::*;
    match lead.status {
        Converted => Err(FieldError::new("status", "converted", "This lead was converted already.")),
        Disqualified => {
            Err(FieldError::new("status", "disqualified", "A disqualified lead cannot be converted; reopen it first."))
        }
        _ => Ok(()),
    }
}
