//! Sequences: autoresponders that send a lead a series of emails on a day schedule, until the lead
//! replies, converts, unsubscribes or is disqualified.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::core::ids::*;
use crate::core::problem::FieldError;
use crate::leads::{LeadSource, LeadView};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SequenceStep {
    /// Days after enrollment (0 = right away).
    #[validate(range(max = 365))]
    #[cfg_attr(feature = "openapi", schema(maximum = 365))]
    pub day_offset: u32,
    /// Merge fields: `{{first_name}}`, `{{last_name}}`, `{{company}}`, `{{owner_name}}`.
    #[validate(length(min = 1, max = 200))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub subject: String,
    /// Plain text with the same merge fields; an unsubscribe link is always added at the end.
    #[validate(length(min = 1, max = 20_000))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 20_000))]
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SequenceInput {
    #[validate(length(max = 100), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100, pattern = r"\S"))]
    pub name: String,
    #[validate(length(min = 1, max = 20), nested)]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 20))]
    pub steps: Vec<SequenceStep>,
    /// New leads from these channels are enrolled automatically.
    #[serde(default)]
    pub enroll_sources: Vec<LeadSource>,
    /// New leads from these web forms are enrolled automatically.
    #[serde(default)]
    pub enroll_form_ids: Vec<WebFormId>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

impl SequenceInput {
    pub fn problems(&self) -> Vec<FieldError> {
        let mut out = Vec::new();
        if self.steps.windows(2).any(|w| w[1].day_offset < w[0].day_offset) {
            out.push(FieldError::new("steps", "order", "Order the steps by their day."));
        }
        for (i, s) in self.steps.iter().enumerate() {
            if let Some(bad) = unknown_merge_field(&s.subject).or_else(|| unknown_merge_field(&s.body)) {
                out.push(FieldError::new(
                    format!("steps[{i}]"),
                    "merge_field",
                    format!("Unknown merge field {{{{{bad}}}}}."),
                ));
            }
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SequenceView {
    pub id: SequenceId,
    pub name: String,
    pub steps: Vec<SequenceStep>,
    pub enroll_sources: Vec<LeadSource>,
    pub enroll_form_ids: Vec<WebFormId>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EnrollmentStatus {
    Active,
    Completed,
    Stopped,
}

impl EnrollmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EnrollmentStatus::Active => "active",
            EnrollmentStatus::Completed => "completed",
            EnrollmentStatus::Stopped => "stopped",
        }
    }
    pub fn parse(s: &str) -> Option<EnrollmentStatus> {
        [EnrollmentStatus::Active, EnrollmentStatus::Completed, EnrollmentStatus::Stopped]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnrollmentView {
    pub id: EnrollmentId,
    pub sequence_id: SequenceId,
    pub lead_id: LeadId,
    pub status: EnrollmentStatus,
    /// `replied`, `converted`, `disqualified`, `unsubscribed`, `no_email`, `manual`.
    pub stop_reason: Option<String>,
    /// Steps sent so far.
    pub steps_sent: i32,
    pub enrolled_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewEnrollment {
    pub sequence_id: SequenceId,
}

pub const MERGE_FIELDS: &[&str] = &["first_name", "last_name", "company", "owner_name"];

fn unknown_merge_field(text: &str) -> Option<String> {
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}")?;
        let name = after[..end].trim();
        if !MERGE_FIELDS.contains(&name) {
            return Some(name.to_owned());
        }
        rest = &after[end + 2..];
    }
    None
}

/// Fill merge fields. Values are inserted as plain text (the email is plain text).
pub fn render(template: &str, lead: &LeadView, owner_name: &str) -> String {
    let first = if lead.first_name.is_empty() { "there" } else { lead.first_name.as_str() };
    let mut out = template.to_owned();
    for (name, value) in [
        ("first_name", first),
        ("last_name", lead.last_name.as_str()),
        ("company", lead.company_name.as_str()),
        ("owner_name", owner_name),
    ] {
        out = out
            .replace(&format!("{{{{{name}}}}}", name = name), value)
            .replace(&format!("{{{{ {name} }}}}", name = name), value);
    }
    out
}

crate::versioned!(SequenceView);

crate::unversioned!(EnrollmentView);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_merge_fields_are_caught() {
        assert_eq!(unknown_merge_field("Hi {{first_name}}, {{ company }}"), None);
        assert_eq!(unknown_merge_field("Hi {{ password }}").as_deref(), Some("password"));
    }
}
