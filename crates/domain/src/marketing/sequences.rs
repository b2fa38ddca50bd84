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
    /// Merge fields: `{{first_name}}`, `{{last_name}}`, `{{company}}`, `{{owner_name}}`, each with an
    /// optional fallback for leads without the value: `{{owner_name | default: "our team"}}`.
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

impl crate::core::validation::Check for SequenceInput {
    fn rules(&self) -> Vec<crate::FieldError> {
        let mut out = Vec::new();
        if self.steps.windows(2).any(|w| w[1].day_offset < w[0].day_offset) {
            out.push(FieldError::new("steps", "order", "Order the steps by their day."));
        }
        for (i, s) in self.steps.iter().enumerate() {
            if let Some(problem) = unknown_merge_field(&s.subject).or_else(|| unknown_merge_field(&s.body)) {
                out.push(FieldError::new(format!("steps[{i}]"), "merge_field", problem));
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

/// Merge fields a lead may leave empty (a lead without an owner, a company or a last name); a
/// template should give them a fallback: `{{owner_name | default: "our team"}}`. `first_name` falls
/// back to "there" by itself ("Hi there").
pub const MAY_BE_EMPTY: &[&str] = &["last_name", "company", "owner_name"];

/// One `{{ … }}` of a template: the field and its fallback, where it starts and ends in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeField {
    pub name: String,
    /// `{{owner_name | default: "our team"}}` → `our team`.
    pub fallback: Option<String>,
    start: usize,
    end: usize,
}

/// The merge fields of a template in order, or what is wrong with the first broken one.
pub fn merge_fields(template: &str) -> Result<Vec<MergeField>, String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = template[from..].find("{{").map(|i| from + i) {
        let inner_start = open + 2;
        let close = template[inner_start..]
            .find("}}")
            .map(|i| inner_start + i)
            .ok_or_else(|| "A merge field is opened with {{ but not closed with }}.".to_owned())?;
        let inner = &template[inner_start..close];
        let (name, filter) = match inner.split_once('|') {
            Some((name, filter)) => (name.trim(), Some(filter.trim())),
            None => (inner.trim(), None),
        };
        if !MERGE_FIELDS.contains(&name) {
            return Err(format!("Unknown merge field {{{{{name}}}}}. Use {}.", MERGE_FIELDS.join(", ")));
        }
        let fallback = match filter {
            None => None,
            Some(f) => Some(default_text(f).ok_or_else(|| {
                format!("Write a fallback as {{{{{name} | default: \"our team\"}}}} (text in quotes).")
            })?),
        };
        out.push(MergeField { name: name.to_owned(), fallback, start: open, end: close + 2 });
        from = close + 2;
    }
    Ok(out)
}

/// `default: "text"` or `default: 'text'` → `text`.
fn default_text(filter: &str) -> Option<String> {
    let rest = filter.strip_prefix("default")?.trim_start().strip_prefix(':')?.trim();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let text = rest[1..].strip_suffix(quote)?;
    (!text.contains(quote)).then(|| text.to_owned())
}

fn unknown_merge_field(text: &str) -> Option<String> {
    merge_fields(text).err()
}

/// Fields of a template that may come out empty for some leads because they have no fallback, e.g.
/// `owner_name` for unassigned leads: the editor warns about them before anything is sent.
pub fn empty_field_warnings(template: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for field in merge_fields(template).unwrap_or_default() {
        if field.fallback.is_none() && MAY_BE_EMPTY.contains(&field.name.as_str()) && !out.contains(&field.name) {
            out.push(field.name);
        }
    }
    out
}

/// Fill merge fields: a field's value, else its fallback, else nothing (`first_name`: "there").
/// Values are inserted as plain text (the email is plain text).
pub fn render(template: &str, lead: &LeadView, owner_name: &str) -> String {
    let Ok(fields) = merge_fields(template) else { return template.to_owned() };
    let mut out = String::with_capacity(template.len());
    let mut last = 0;
    for field in fields {
        out.push_str(&template[last..field.start]);
        let value = match field.name.as_str() {
            "first_name" => lead.first_name.as_str(),
            "last_name" => lead.last_name.as_str(),
            "company" => lead.company_name.as_str(),
            _ => owner_name,
        };
        let value = value.trim();
        match (value.is_empty(), field.fallback.as_deref(), field.name.as_str()) {
            (false, _, _) => out.push_str(value),
            (true, Some(fallback), _) => out.push_str(fallback),
            (true, None, "first_name") => out.push_str("there"),
            (true, None, _) => {}
        }
        last = field.end;
    }
    out.push_str(&template[last..]);
    out
}

crate::versioned!(SequenceView);

crate::unversioned!(EnrollmentView);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_or_broken_merge_fields_are_caught() {
        assert_eq!(unknown_merge_field("Hi {{first_name}}, {{ company }}"), None);
        assert_eq!(unknown_merge_field("{{owner_name | default: \"our team\"}}"), None);
        assert!(unknown_merge_field("Hi {{ password }}").is_some_and(|m| m.contains("{{password}}")));
        assert!(unknown_merge_field("Hi {{first_name").is_some());
        assert!(unknown_merge_field("{{owner_name | default: our team}}").is_some(), "text in quotes");
        assert!(unknown_merge_field("{{owner_name | upcase}}").is_some());
    }

    fn lead(first: &str, company: &str) -> LeadView {
        serde_json::from_value(serde_json::json!({
            "id": "00000000-0000-0000-0000-000000000001", "first_name": first, "last_name": "",
            "title": "", "email": null, "phone": null, "phone_e164": null, "company_name": company,
            "company_domain": null, "company_size": null, "industry": null, "country": null,
            "source": "web_form", "source_detail": {}, "status": "new", "disqualify_reason": null,
            "revisit_on": null, "owner_id": null, "team_id": null, "score": 0, "tags": [], "custom": {},
            "created_at": "2026-11-29T00:00:00Z", "updated_at": "2026-11-29T00:00:00Z", "version": 1
        }))
        .unwrap_or_else(|e| panic!("lead: {e}"))
    }

    #[test]
    fn an_empty_field_takes_its_fallback_and_the_editor_is_warned_about_the_others() {
        let body = "Hi {{first_name}}, {{ owner_name | default: 'our team' }} will call {{company}}.";
        assert_eq!(render(body, &lead("", ""), ""), "Hi there, our team will call .");
        assert_eq!(render(body, &lead("Ann", "Acme"), "Maya"), "Hi Ann, Maya will call Acme.");
        assert_eq!(empty_field_warnings(body), vec!["company".to_owned()]);
        assert_eq!(empty_field_warnings("{{owner_name}} and {{owner_name}}"), vec!["owner_name".to_owned()]);
        assert!(empty_field_warnings("Hi {{first_name}}").is_empty(), "first_name falls back by itself");
        // Text around and between fields is kept exactly, braces that are not fields included.
        assert_eq!(render("{ {{company}} }", &lead("", "X"), ""), "{ X }");
    }
}
