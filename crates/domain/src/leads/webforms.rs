//! Web forms: lead capture forms that admins design in Kith and paste into their websites, either as
//! a plain HTML `<form>` (works without JavaScript) or as a small script that posts JSON.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use validator::Validate;

use crate::core::custom_fields::{CustomFieldKind, CustomFieldView};
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
    /// A custom lead field, named by the form field's `custom_key`; the input follows the custom
    /// field's kind (text, number, date, a yes/no checkbox, a list of its options).
    Custom,
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
            FormTarget::Custom => crate::core::custom_fields::TEXT_MAX,
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
    /// With target `custom`: the key of the lead custom field the input fills.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 50))]
    pub custom_key: Option<String>,
}

/// The input a visitor fills for a form field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InputKind {
    Text,
    Email,
    Tel,
    Url,
    Number,
    Date,
    Textarea,
    /// One of `options`.
    Select,
    /// A yes/no tick box.
    Checkbox,
    /// A choice of ISO 3166-1 countries (names or codes accepted).
    Country,
}

impl InputKind {
    /// The HTML `type` of an `<input>` of this kind (text for the kinds drawn otherwise).
    pub fn html_type(self) -> &'static str {
        match self {
            InputKind::Email => "email",
            InputKind::Tel => "tel",
            InputKind::Url => "url",
            InputKind::Number => "number",
            InputKind::Date => "date",
            InputKind::Checkbox => "checkbox",
            _ => "text",
        }
    }
}

/// A form field as a visitor sees it: what to draw and how to label it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicField {
    pub name: String,
    pub label: String,
    pub required: bool,
    pub input: InputKind,
    /// The choices of a `select` input.
    #[serde(default)]
    pub options: Vec<String>,
    /// A sentence under the input (a custom field's help text).
    #[serde(default)]
    pub help_text: Option<String>,
}

/// The fields as visitors see them. A field on a custom field that no longer exists is left out
/// (its values would have nowhere to go).
pub fn public_fields(fields: &[FormField], defs: &[CustomFieldView]) -> Vec<PublicField> {
    fields
        .iter()
        .filter_map(|f| {
            let (input, options, help_text) = match f.target {
                FormTarget::Custom => {
                    let def = custom_def(f, defs)?;
                    let input = match def.kind {
                        CustomFieldKind::Text => InputKind::Text,
                        CustomFieldKind::Number => InputKind::Number,
                        CustomFieldKind::Date => InputKind::Date,
                        CustomFieldKind::Boolean => InputKind::Checkbox,
                        CustomFieldKind::Select => InputKind::Select,
                    };
                    (input, def.options.clone(), def.help_text.clone())
                }
                FormTarget::Message => (InputKind::Textarea, Vec::new(), None),
                FormTarget::Country => (InputKind::Country, Vec::new(), None),
                FormTarget::Email => (InputKind::Email, Vec::new(), None),
                FormTarget::Phone => (InputKind::Tel, Vec::new(), None),
                FormTarget::Website => (InputKind::Url, Vec::new(), None),
                FormTarget::CompanySize => (InputKind::Number, Vec::new(), None),
                _ => (InputKind::Text, Vec::new(), None),
            };
            Some(PublicField {
                name: f.name.clone(),
                label: f.label.clone(),
                required: f.required,
                input,
                options,
                help_text,
            })
        })
        .collect()
}

fn custom_def<'a>(f: &FormField, defs: &'a [CustomFieldView]) -> Option<&'a CustomFieldView> {
    let key = f.custom_key.as_deref()?;
    defs.iter().find(|d| d.key == key)
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
            match (f.target, f.custom_key.as_deref()) {
                (FormTarget::Custom, None) => out.push(FieldError::new(
                    format!("fields[{i}].custom_key"),
                    "required",
                    "Choose the custom field this input fills.",
                )),
                (FormTarget::Custom, Some(key)) => {
                    if !crate::core::custom_fields::is_valid_key(key) {
                        out.push(FieldError::new(
                            format!("fields[{i}].custom_key"),
                            "invalid",
                            "No such custom field.",
                        ));
                    } else if self.fields[..i]
                        .iter()
                        .any(|o| o.target == FormTarget::Custom && o.custom_key.as_deref() == Some(key))
                    {
                        out.push(FieldError::new(
                            format!("fields[{i}].custom_key"),
                            "duplicate",
                            "This custom field is on the form already.",
                        ));
                    }
                }
                (_, Some(_)) => out.push(FieldError::new(
                    format!("fields[{i}].custom_key"),
                    "not_allowed",
                    "Only custom-field inputs name a custom field.",
                )),
                (_, None) => {}
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
    pub fields: Vec<PublicField>,
    pub consent_text: Option<String>,
}

/// Turn a submission's mapped fields into a lead. Only fields the form maps are read; everything
/// else the browser sent is ignored. Returns the lead and the message (for the timeline), or the
/// per-field problems.
pub fn lead_from_submission(
    fields: &[FormField],
    defs: &[CustomFieldView],
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
            // A field removed since the form was made is not on the form any more (`public_fields`).
            FormTarget::Custom => match custom_def(f, defs) {
                None => {}
                Some(def) => match crate::core::custom_fields::parse_text(def, &value) {
                    Ok(serde_json::Value::Null) => {}
                    Ok(v) => {
                        lead.custom.insert(def.key.clone(), v);
                    }
                    // Beside the form's input, in the visitor's words: the field's label.
                    Err(e) => errors.push(FieldError::new(
                        f.name.clone(),
                        e.code,
                        e.message.replacen(&def.label, &f.label, 1),
                    )),
                },
            },
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
/// Styled like the builder's preview by `EMBED_CSS`, scoped to `.kith-form` so it neither breaks the
/// host page nor takes much from it.
pub fn embed_html(action_url: &str, fields: &[PublicField], consent_text: Option<&str>) -> String {
    let mut html = format!("<style>{EMBED_CSS}</style>\n");
    html.push_str(&format!("<form class=\"kith-form\" action=\"{}\" method=\"post\">\n", html_escape(action_url)));
    for f in fields {
        let id = format!("kith-{}", f.name);
        let name = html_escape(&f.name);
        let required = if f.required { " required" } else { "" };
        let control = match f.input {
            InputKind::Textarea => format!("<textarea id=\"{id}\" name=\"{name}\"{required}></textarea>"),
            InputKind::Select => {
                let options: String =
                    f.options.iter().map(|o| format!("<option>{}</option>", html_escape(o))).collect();
                format!("<select id=\"{id}\" name=\"{name}\"{required}><option value=\"\">—</option>{options}</select>")
            }
            InputKind::Country => {
                // The same choice as the script embed: every ISO country by name (the server reads
                // names and codes alike).
                let options: String = crate::core::countries::COUNTRIES
                    .iter()
                    .map(|c| format!("<option value=\"{}\">{}</option>", c.code, html_escape(c.name)))
                    .collect();
                format!("<select id=\"{id}\" name=\"{name}\"{required}><option value=\"\">—</option>{options}</select>")
            }
            InputKind::Checkbox => {
                html.push_str(&format!(
                    "  <label class=\"kith-check\"><input id=\"{id}\" type=\"checkbox\" name=\"{name}\" value=\"on\"{required}> <span>{}{}</span></label>\n",
                    html_escape(&f.label),
                    if f.required { "<span class=\"kith-req\" aria-hidden=\"true\"> *</span>" } else { "" }
                ));
                if let Some(help) = &f.help_text {
                    html.push_str(&format!("  <small class=\"kith-help\">{}</small>\n", html_escape(help)));
                }
                continue;
            }
            kind => format!("<input id=\"{id}\" type=\"{}\" name=\"{name}\"{required}>", kind.html_type()),
        };
        let help = f.help_text.as_deref().map(|h| format!("<small class=\"kith-help\">{}</small>", html_escape(h)));
        html.push_str(&format!(
            "  <label class=\"kith-field\" for=\"{id}\"><span class=\"kith-label\">{}{}</span>{control}{}</label>\n",
            html_escape(&f.label),
            if f.required { "<span class=\"kith-req\" aria-hidden=\"true\"> *</span>" } else { "" },
            help.unwrap_or_default(),
        ));
    }
    if let Some(text) = consent_text {
        html.push_str(&format!(
            "  <label class=\"kith-check\"><input type=\"checkbox\" name=\"kith_consent\" value=\"on\" required> <span>{}</span></label>\n",
            html_escape(text)
        ));
    }
    html.push_str("  <p aria-hidden=\"true\" style=\"position:absolute;left:-10000px\"><label>Leave this empty <input type=\"text\" name=\"kith_hp\" tabindex=\"-1\" autocomplete=\"off\"></label></p>\n");
    html.push_str("  <div><button type=\"submit\">Send</button></div>\n</form>\n");
    html
}

/// The embedded form's look: the builder's preview (system fonts, the same spacing, borders and
/// button), self-contained (no fonts or stylesheets fetched) and scoped to `.kith-form`; the script
/// embed puts it in a shadow root, where the host page's styles do not reach.
pub const EMBED_CSS: &str = include_str!("embed.css");

crate::versioned!(WebFormView);

crate::unversioned!(WebFormEmbed);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::validation::Check;
    use std::collections::HashMap;

    fn field(name: &str, target: FormTarget, required: bool) -> FormField {
        FormField { name: name.into(), label: name.to_uppercase(), target, required, custom_key: None }
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
            lead_from_submission(&fields, &[], None, &|n| sent.get(n).map(|v| v.to_string())).unwrap_or_default();
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
            lead_from_submission(&fields, &[], None, &|_| Some(v.clone())).map(|(l, _)| l.country)
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
        let html = embed_html("https://crm.example/f", &public_fields(&fields, &[]), None);
        assert!(html.contains("<select id=\"kith-country\" name=\"country\">"), "{html}");
        assert!(html.contains("<option value=\"DE\">Germany</option>"));
    }

    #[test]
    fn required_fields_and_consent_are_enforced() {
        let fields = vec![field("email", FormTarget::Email, true)];
        let errors = lead_from_submission(&fields, &[], Some("I agree"), &|_| None).err().unwrap_or_default();
        let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(names, vec!["email", "kith_consent"]);
    }

    #[test]
    fn the_embed_escapes_labels_and_hides_the_honeypot() {
        let fields = public_fields(&[field("email", FormTarget::Email, true)], &[]);
        let html = embed_html("https://crm.example/f", &fields, Some("<b>ok</b>"));
        assert!(html.contains("&lt;b&gt;ok&lt;/b&gt;"));
        assert!(html.contains("name=\"kith_hp\""));
        assert!(html.contains("type=\"email\" name=\"email\" required"));
        // Styled like the preview, with nothing fetched from elsewhere.
        assert!(html.starts_with("<style>.kith-form{"), "{html}");
        assert!(!html.contains("@import") && !html.contains("url("));
    }

    fn custom(key: &str, kind: CustomFieldKind, options: &[&str]) -> CustomFieldView {
        CustomFieldView {
            id: CustomFieldId(uuid::Uuid::from_u128(7)),
            record_kind: "lead".into(),
            key: key.into(),
            label: format!("{key} label"),
            help_text: Some(format!("About {key}")),
            kind,
            options: options.iter().map(|o| o.to_string()).collect(),
            retired_options: Vec::new(),
            required: false,
            position: 0,
            created_at: DateTime::<Utc>::UNIX_EPOCH,
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
            version: 1,
        }
    }

    fn on_custom(name: &str, key: &str, required: bool) -> FormField {
        FormField { custom_key: Some(key.into()), ..field(name, FormTarget::Custom, required) }
    }

    #[test]
    fn custom_fields_get_the_input_of_their_kind_and_submissions_store_them_checked() {
        let defs = vec![
            custom("budget", CustomFieldKind::Select, &["Under 10k", "Over 10k"]),
            custom("seats", CustomFieldKind::Number, &[]),
            custom("go_live", CustomFieldKind::Date, &[]),
            custom("partner", CustomFieldKind::Boolean, &[]),
            custom("notes", CustomFieldKind::Text, &[]),
        ];
        let fields = vec![
            field("email", FormTarget::Email, true),
            on_custom("budget", "budget", true),
            on_custom("seats", "seats", false),
            on_custom("go_live", "go_live", false),
            on_custom("partner", "partner", false),
            on_custom("notes", "notes", false),
            on_custom("gone", "deleted_since", false),
        ];
        let public = public_fields(&fields, &defs);
        let inputs: Vec<(&str, InputKind)> = public.iter().map(|f| (f.name.as_str(), f.input)).collect();
        assert_eq!(
            inputs,
            [
                ("email", InputKind::Email),
                ("budget", InputKind::Select),
                ("seats", InputKind::Number),
                ("go_live", InputKind::Date),
                ("partner", InputKind::Checkbox),
                ("notes", InputKind::Text),
            ],
            "a field on a deleted custom field is left out"
        );
        assert_eq!(public[1].options, ["Under 10k", "Over 10k"]);
        assert_eq!(public[1].help_text.as_deref(), Some("About budget"));
        let html = embed_html("https://crm.example/f", &public, None);
        assert!(html.contains("<select id=\"kith-budget\" name=\"budget\" required><option value=\"\">—</option><option>Under 10k</option>"), "{html}");
        assert!(html.contains("type=\"checkbox\" name=\"partner\" value=\"on\""), "{html}");
        assert!(html.contains("type=\"date\" name=\"go_live\""), "{html}");

        let sent: HashMap<&str, &str> = [
            ("email", "ann@example.test"),
            ("budget", "over 10K"),
            ("seats", "12"),
            ("go_live", "2027-03-01"),
            ("partner", "on"),
            ("notes", "  "),
            ("gone", "ignored"),
        ]
        .into();
        let (lead, _) =
            lead_from_submission(&fields, &defs, None, &|n| sent.get(n).map(|v| v.to_string())).unwrap_or_default();
        assert_eq!(
            serde_json::to_value(&lead.custom).unwrap_or_default(),
            serde_json::json!({"budget": "Over 10k", "seats": 12, "go_live": "2027-03-01", "partner": true})
        );

        let bad: HashMap<&str, &str> =
            [("email", "ann@example.test"), ("seats", "many"), ("go_live", "1 March"), ("budget", "Huge")].into();
        let errors = lead_from_submission(&fields, &defs, None, &|n| bad.get(n).map(|v| v.to_string()))
            .err()
            .unwrap_or_default();
        let mut got: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
        got.sort();
        // Every error at once, each named by the form's input so the embed shows it beside it.
        assert_eq!(got, [("budget", "option"), ("go_live", "date"), ("seats", "type")]);
        assert!(errors.iter().any(|e| e.message == "SEATS takes a number."), "{errors:?}");
    }

    #[test]
    fn custom_inputs_must_name_one_custom_field_once() {
        let input = |fields: Vec<FormField>| WebFormInput {
            name: "F".into(),
            fields,
            consent_text: None,
            thank_you_message: "t".into(),
            redirect_url: None,
            allowed_origins: vec![],
            tags: vec![],
            owner_id: None,
            campaign: None,
            min_fill_seconds: 3,
            active: true,
        };
        let codes = |i: WebFormInput| i.problems().into_iter().map(|e| (e.field, e.code)).collect::<Vec<_>>();
        let email = field("email", FormTarget::Email, true);
        assert_eq!(
            codes(input(vec![email.clone(), field("b", FormTarget::Custom, false)])),
            [("fields[1].custom_key".to_owned(), "required".to_owned())]
        );
        assert_eq!(
            codes(input(vec![email.clone(), on_custom("a", "budget", false), on_custom("b", "budget", false)])),
            [("fields[2].custom_key".to_owned(), "duplicate".to_owned())]
        );
        assert_eq!(
            codes(input(vec![FormField { custom_key: Some("budget".into()), ..email.clone() }])),
            [("fields[0].custom_key".to_owned(), "not_allowed".to_owned())]
        );
        assert!(codes(input(vec![email, on_custom("a", "budget", false)])).is_empty());
    }

    #[test]
    fn origins_are_plain_scheme_host_port() {
        assert_eq!(normalize_origin("https://WWW.Example.com/").as_deref(), Some("https://www.example.com"));
        assert_eq!(normalize_origin("http://localhost:3000").as_deref(), Some("http://localhost:3000"));
        assert_eq!(normalize_origin("https://example.com/path"), None);
        assert_eq!(normalize_origin("javascript://x"), None);
    }
}
