//! Web forms: lead capture forms that admins design in Kith and paste into their websites, either as
//! a plain HTML `<form>` (works without JavaScript) or as a small script that posts JSON.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::core::ids::*;
use crate::core::problem::FieldError;
use crate::leads::NewLead;

/// The lead field a form input fills.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FormTarget {
    FirstName,
    LastName,
    /// "Ann Lee" is split into first and last name at the last space.
    FullName,
    Email,
    Phone,
    Company,
    Website,
    Title,
    Country,
    Industry,
    CompanySize,
    /// Free text kept on the lead's timeline with the submission.
    Message,
}

impl FormTarget {
    pub fn input_type(self) -> &'static str {
        match self {
            FormTarget::Email => "email",
            FormTarget::Phone => "tel",
            FormTarget::Website => "url",
            FormTarget::CompanySize => "number",
            _ => "text",
        }
    }
    fn max_len(self) -> usize {
        match self {
            FormTarget::Message => 5000,
            FormTarget::Website => 253,
            FormTarget::Email => 254,
            _ => 200,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FormField {
    /// The input's `name` in the HTML: lower-case letters, digits and `_`.
    #[validate(length(min = 1, max = 40))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 40))]
    pub name: String,
    #[validate(length(min = 1, max = 200))]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub label: String,
    pub target: FormTarget,
    #[serde(default)]
    pub required: bool,
}

/// Names the form itself uses; a field may not take them.
pub const RESERVED_NAMES: &[&str] = &["kith_hp", "kith_ts", "kith_submission_id", "kith_consent"];
pub const UTM_NAMES: &[&str] = &["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WebFormInput {
    #[validate(length(max = 100), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100, pattern = r"\S"))]
    pub name: String,
    #[validate(length(min = 1, max = 30), nested)]
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 30))]
    pub fields: Vec<FormField>,
    /// When set, a required consent checkbox with this text.
    #[serde(default)]
    #[validate(length(max = 1000))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub consent_text: Option<String>,
    #[serde(default = "default_thanks")]
    #[validate(length(max = 1000))]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub thank_you_message: String,
    /// Where the plain HTML form sends the visitor afterwards (http or https). Without it, a Kith
    /// page shows the thank-you message.
    #[serde(default)]
    #[validate(length(max = 2000))]
    #[cfg_attr(feature = "openapi", schema(max_length = 2000))]
    pub redirect_url: Option<String>,
    /// Sites allowed to embed the form, as origins (`https://www.example.com`).
    #[serde(default)]
    #[validate(length(max = 20))]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub allowed_origins: Vec<String>,
    /// Tags every lead from this form gets.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Owner of every lead from this form; without one, the assignment rules decide.
    #[serde(default)]
    pub owner_id: Option<UserId>,
    /// Recorded as the leads' campaign (`utm_campaign` when the page had none).
    #[serde(default)]
    #[validate(length(max = 200))]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub campaign: Option<String>,
    /// Submissions faster than this after the page loaded are treated as bots (script embeds only).
    #[serde(default = "default_min_fill")]
    #[validate(range(max = 600))]
    #[cfg_attr(feature = "openapi", schema(maximum = 600))]
    pub min_fill_seconds: u32,
    #[serde(default = "yes")]
    pub active: bool,
}

fn default_thanks() -> String {
    "Thank you! We will be in touch shortly.".into()
}
fn default_min_fill() -> u32 {
    3
}
fn yes() -> bool {
    true
}

/// An origin as browsers send it: scheme, host and optional port, nothing else.
pub fn normalize_origin(raw: &str) -> Option<String> {
    let raw = raw.trim().trim_end_matches('/').to_lowercase();
    let (scheme, rest) = raw.split_once("://")?;
    let host_ok = !rest.is_empty()
        && !rest.contains(['/', '?', '#', '@', ' '])
        && rest.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    (matches!(scheme, "http" | "https") && host_ok).then_some(raw)
}

impl crate::core::validation::Check for WebFormInput {
    /// Rules across fields that validator cannot express.
    fn rules(&self) -> Vec<crate::FieldError> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, f) in self.fields.iter().enumerate() {
            let valid = f.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                && !RESERVED_NAMES.contains(&f.name.as_str())
                && !UTM_NAMES.contains(&f.name.as_str());
            if !valid {
                out.push(FieldError::new(
                    format!("fields[{i}].name"),
                    "invalid",
                    "Use lower-case letters, digits and _, not a reserved name.",
                ));
            }
            if !seen.insert(f.name.clone()) {
                out.push(FieldError::new(format!("fields[{i}].name"), "duplicate", "Each field needs its own name."));
            }
        }
        let targets: Vec<FormTarget> = self.fields.iter().map(|f| f.target).collect();
        if !targets.iter().any(|t| matches!(t, FormTarget::Email | FormTarget::Phone)) {
            out.push(FieldError::new(
                "fields",
                "contact",
                "Add an email or phone field, or the lead cannot be reached.",
            ));
        }
        if let Some(url) = &self.redirect_url {
            let ok = (url.starts_with("https://") || url.starts_with("http://"))
                && url.len() > 8
                && !url.contains(char::is_whitespace);
            if !ok {
                out.push(FieldError::new("redirect_url", "invalid", "Use a full http:// or https:// address."));
            }
        }
        for (i, o) in self.allowed_origins.iter().enumerate() {
            if normalize_origin(o).is_none() {
                out.push(FieldError::new(
                    format!("allowed_origins[{i}]"),
                    "invalid",
                    "Use an origin like https://www.example.com.",
                ));
            }
        }
        out
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebFormView {
    pub id: WebFormId,
    pub name: String,
    pub fields: Vec<FormField>,
    pub consent_text: Option<String>,
    pub thank_you_message: String,
    pub redirect_url: Option<String>,
    pub allowed_origins: Vec<String>,
    pub tags: Vec<String>,
    pub owner_id: Option<UserId>,
    pub campaign: Option<String>,
    pub min_fill_seconds: u32,
    pub active: bool,
    pub submissions: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// The code to paste into a website.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebFormEmbed {
    /// A plain HTML form: works without JavaScript; the visitor is redirected after submitting.
    pub html: String,
    /// A container and a script tag: the form renders and submits in place (JSON over CORS).
    pub script: String,
    /// Where submissions go.
    pub action_url: String,
}

/// What the public endpoint answers a script embed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SubmissionAccepted {
    pub message: String,
    pub redirect_url: Option<String>,
}

/// The public description of a form, for the script embed to render it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicForm {
    pub id: WebFormId,
    pub fields: Vec<FormField>,
    pub consent_text: Option<String>,
}

/// Turn a submission's mapped fields into a lead. Only fields the form maps are read; everything
/// else the browser sent is ignored. Returns the lead and the message (for the timeline), or the
/// per-field problems.
pub fn lead_from_submission(
    fields: &[FormField],
    consent_text: Option<&str>,
    values: &dyn Fn(&str) -> Option<String>,
) -> Result<(NewLead, Option<String>), Vec<FieldError>> {
    let mut lead = NewLead::default();
    let mut message = None;
    let mut errors = Vec::new();
    for f in fields {
        let value = values(&f.name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let Some(value) = value else {
            if f.required {
                errors.push(FieldError::new(f.name.clone(), "required", format!("{} is required.", f.label)));
            }
            continue;
        };
        if value.chars().count() > f.target.max_len() {
            errors.push(FieldError::new(f.name.clone(), "length", format!("{} is too long.", f.label)));
            continue;
        }
        match f.target {
            FormTarget::FirstName => lead.first_name = value,
            FormTarget::LastName => lead.last_name = value,
            FormTarget::FullName => match value.rsplit_once(' ') {
                Some((first, last)) => {
                    lead.first_name = first.trim().to_owned();
                    lead.last_name = last.trim().to_owned();
                }
                None => lead.first_name = value,
            },
            FormTarget::Email => lead.email = Some(value),
            FormTarget::Phone => lead.phone = Some(value),
            FormTarget::Company => lead.company_name = value,
            FormTarget::Website => lead.company_website = Some(value),
            FormTarget::Title => lead.title = value,
            // People type names ("Germany") and files hold codes ("de", "DEU"): either is read as
            // its alpha-2 code; anything else is refused, never cut to two letters.
            FormTarget::Country => match crate::core::countries::resolve(&value) {
                Some(country) => lead.country = Some(country.code.to_owned()),
                None => errors.push(FieldError::new(
                    f.name.clone(),
                    "country",
                    format!(
                        "{}: “{value}” is not a country. Give its English name or ISO code, e.g. Germany or DE.",
                        f.label
                    ),
                )),
            },
            FormTarget::Industry => lead.industry = Some(value),
            FormTarget::CompanySize => match value.parse::<i32>() {
                Ok(n) if n > 0 => lead.company_size = Some(n),
                _ => errors.push(FieldError::new(
                    f.name.clone(),
                    "number",
                    format!("{} must be a whole number.", f.label),
                )),
            },
            FormTarget::Message => message = Some(value),
        }
    }
    if consent_text.is_some() {
        let given = values("kith_consent").is_some_and(|v| matches!(v.as_str(), "on" | "true" | "1" | "yes"));
        if !given {
            errors.push(FieldError::new("kith_consent", "required", "Please give your consent to be contacted."));
        }
    }
    if errors.is_empty() {
        Ok((lead, message))
    } else {
        Err(errors)
    }
}

/// Escape text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The plain HTML embed: labelled inputs, the consent box, a honeypot field hidden from people.
pub fn embed_html(action_url: &str, fields: &[FormField], consent_text: Option<&str>) -> String {
    let mut html = format!("<form class=\"kith-form\" action=\"{}\" method=\"post\">\n", html_escape(action_url));
    for f in fields {
        let id = format!("kith-{}", f.name);
        let (open, close) = if f.target == FormTarget::Message {
            (format!("<textarea id=\"{id}\" name=\"{}\"", html_escape(&f.name)), "></textarea>".to_owned())
        } else {
            (
                format!("<input id=\"{id}\" type=\"{}\" name=\"{}\"", f.target.input_type(), html_escape(&f.name)),
                ">".to_owned(),
            )
        };
        // A country input suggests the names it accepts as the visitor types.
        let (list, options) = if f.target == FormTarget::Country {
            let options: String = crate::core::countries::COUNTRIES
                .iter()
                .map(|c| format!("<option value=\"{}\"></option>", html_escape(c.name)))
                .collect();
            (format!(" list=\"{id}-countries\""), format!("<datalist id=\"{id}-countries\">{options}</datalist>"))
        } else {
            (String::new(), String::new())
        };
        html.push_str(&format!(
            "  <p><label for=\"{id}\">{}</label><br>{open}{list}{}{close}{options}</p>\n",
            html_escape(&f.label),
            if f.required { " required" } else { "" },
        ));
    }
    if let Some(text) = consent_text {
        html.push_str(&format!(
            "  <p><label><input type=\"checkbox\" name=\"kith_consent\" value=\"on\" required> {}</label></p>\n",
            html_escape(text)
        ));
    }
    html.push_str("  <p aria-hidden=\"true\" style=\"position:absolute;left:-10000px\"><label>Leave this empty <input type=\"text\" name=\"kith_hp\" tabindex=\"-1\" autocomplete=\"off\"></label></p>\n");
    html.push_str("  <p><button type=\"submit\">Send</button></p>\n</form>\n");
    html
}

crate::versioned!(WebFormView);

crate::unversioned!(WebFormEmbed);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn field(name: &str, target: FormTarget, required: bool) -> FormField {
        FormField { name: name.into(), label: name.to_uppercase(), target, required }
    }

    #[test]
    fn only_mapped_fields_become_the_lead() {
        let fields = vec![
            field("name", FormTarget::FullName, true),
            field("email", FormTarget::Email, true),
            field("msg", FormTarget::Message, false),
        ];
        let sent: HashMap<&str, &str> = [
            ("name", "Ann van Lee"),
            ("email", " ann@example.test "),
            ("msg", "Call me"),
            ("owner_id", "evil"),
            ("tags", "x"),
        ]
        .into();
        let (lead, message) =
            lead_from_submission(&fields, None, &|n| sent.get(n).map(|v| v.to_string())).unwrap_or_default();
        assert_eq!((lead.first_name.as_str(), lead.last_name.as_str()), ("Ann van", "Lee"));
        assert_eq!(lead.email.as_deref(), Some("ann@example.test"));
        assert_eq!(lead.owner_id, None);
        assert!(lead.tags.is_empty());
        assert_eq!(message.as_deref(), Some("Call me"));
    }

    #[test]
    fn a_country_is_read_as_its_code_by_name_or_code_and_anything_else_is_refused_not_cut() {
        let fields = vec![field("country", FormTarget::Country, false)];
        let read = |v: &str| {
            let v = v.to_owned();
            lead_from_submission(&fields, None, &|_| Some(v.clone())).map(|(l, _)| l.country)
        };
        assert_eq!(read("Germany"), Ok(Some("DE".into())));
        assert_eq!(read("de"), Ok(Some("DE".into())));
        assert_eq!(read("DEU"), Ok(Some("DE".into())));
        let errors = read("Germania").err().unwrap_or_default();
        assert_eq!(
            errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect::<Vec<_>>(),
            [("country", "country")]
        );
        assert!(errors[0].message.contains("“Germania” is not a country"), "{errors:?}");
        let html = embed_html("https://crm.example/f", &fields, None);
        assert!(html.contains("list=\"kith-country-countries\""), "{html}");
        assert!(html.contains("<option value=\"Germany\"></option>"));
    }

    #[test]
    fn required_fields_and_consent_are_enforced() {
        let fields = vec![field("email", FormTarget::Email, true)];
        let errors = lead_from_submission(&fields, Some("I agree"), &|_| None).err().unwrap_or_default();
        let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(names, vec!["email", "kith_consent"]);
    }

    #[test]
    fn the_embed_escapes_labels_and_hides_the_honeypot() {
        let html = embed_html("https://crm.example/f", &[field("email", FormTarget::Email, true)], Some("<b>ok</b>"));
        assert!(html.contains("&lt;b&gt;ok&lt;/b&gt;"));
        assert!(html.contains("name=\"kith_hp\""));
        assert!(html.contains("type=\"email\" name=\"email\" required"));
    }

    #[test]
    fn origins_are_plain_scheme_host_port() {
        assert_eq!(normalize_origin("https://WWW.Example.com/").as_deref(), Some("https://www.example.com"));
        assert_eq!(normalize_origin("http://localhost:3000").as_deref(), Some("http://localhost:3000"));
        assert_eq!(normalize_origin("https://example.com/path"), None);
        assert_eq!(normalize_origin("javascript://x"), None);
    }
}
