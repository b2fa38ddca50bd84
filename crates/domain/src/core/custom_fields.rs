//! Custom fields: typed fields an administrator adds to leads (text, number, date, yes/no, a choice
//! from a list), and the pure check that turns submitted values into stored ones.
//!
//! Numbers are whole numbers (stored as 64-bit integers); decimals are not supported.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use validator::Validate;

use crate::core::ids::CustomFieldId;
use crate::core::problem::FieldError;

/// The longest key; `custom.<key>` must fit a rule condition's field (64 characters).
pub const KEY_MAX: usize = 50;
/// The longest text value.
/// (At most 2,000 bytes of UTF-8, so a value always fits a PostgreSQL B-tree index entry.)
pub const TEXT_MAX: usize = 500;
/// At most this many options for a select field.
pub const OPTIONS_MAX: usize = 100;

/// What a custom field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CustomFieldKind {
    /// Free text, up to 500 characters.
    Text,
    /// A whole number (decimals are not supported).
    Number,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    /// `true` or `false`.
    Boolean,
    /// One of the field's `options`.
    Select,
}

impl CustomFieldKind {
    pub const ALL: [CustomFieldKind; 5] = [
        CustomFieldKind::Text,
        CustomFieldKind::Number,
        CustomFieldKind::Date,
        CustomFieldKind::Boolean,
        CustomFieldKind::Select,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CustomFieldKind::Text => "text",
            CustomFieldKind::Number => "number",
            CustomFieldKind::Date => "date",
            CustomFieldKind::Boolean => "boolean",
            CustomFieldKind::Select => "select",
        }
    }

    pub fn parse(s: &str) -> Option<CustomFieldKind> {
        CustomFieldKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            CustomFieldKind::Text => "Text",
            CustomFieldKind::Number => "Number",
            CustomFieldKind::Date => "Date",
            CustomFieldKind::Boolean => "Yes/no",
            CustomFieldKind::Select => "Choice from a list",
        }
    }
}

/// A key is snake_case: a lower-case letter, then lower-case letters, digits or underscores.
pub fn is_valid_key(key: &str) -> bool {
    let mut chars = key.chars();
    key.len() <= KEY_MAX
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn valid_key(key: &str) -> Result<(), validator::ValidationError> {
    if is_valid_key(key) {
        Ok(())
    } else {
        let mut e = validator::ValidationError::new("key");
        e.message = Some("Use snake_case: a lower-case letter, then letters, digits or _ (up to 50).".into());
        Err(e)
    }
}

fn option_problems(kind: CustomFieldKind, options: &[String], path: &str) -> Vec<FieldError> {
    let mut out = Vec::new();
    if kind != CustomFieldKind::Select {
        if !options.is_empty() {
            out.push(FieldError::new(path, "not_allowed", "Only select fields have options."));
        }
        return out;
    }
    if options.is_empty() {
        out.push(FieldError::new(path, "required", "Give at least one option."));
    }
    if options.len() > OPTIONS_MAX {
        out.push(FieldError::new(path, "length", "At most 100 options."));
    }
    let mut seen: Vec<String> = Vec::new();
    for (i, o) in options.iter().enumerate() {
        let t = o.trim();
        if t.is_empty() || t.chars().count() > 100 {
            out.push(FieldError::new(format!("{path}[{i}]"), "length", "Options have 1 to 100 characters."));
        } else if seen.contains(&t.to_lowercase()) {
            out.push(FieldError::new(format!("{path}[{i}]"), "duplicate", "This option is already in the list."));
        } else {
            seen.push(t.to_lowercase());
        }
    }
    out
}

fn tidy_options(options: &[String]) -> Vec<String> {
    options.iter().map(|o| o.trim().to_owned()).collect()
}

fn lead_kind() -> String {
    "lead".to_owned()
}

/// A custom field to define. `record_kind`, `key` and `kind` are fixed once created.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomFieldInput {
    /// The kind of record the field belongs to (`lead`; every kind the record kernel registers with
    /// custom fields). Fixed once created.
    #[serde(default = "lead_kind")]
    #[validate(length(min = 1, max = 50))]
    #[cfg_attr(feature = "openapi", schema(default = "lead", min_length = 1, max_length = 50))]
    pub record_kind: String,
    /// snake_case, unique among the organization's fields of the record kind; values and rules use
    /// it (`custom.<key>`).
    #[validate(custom(function = "valid_key"))]
    #[cfg_attr(feature = "openapi", schema(pattern = r"^[a-z][a-z0-9_]{0,49}$"))]
    pub key: String,
    #[validate(length(max = 100), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100, pattern = r"\S"))]
    pub label: String,
    /// A sentence shown under the field's input (on lead forms and web forms).
    #[serde(default)]
    #[validate(length(max = HELP_MAX))]
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub help_text: Option<String>,
    pub kind: CustomFieldKind,
    /// The choices of a select field (required for `select`, not allowed otherwise).
    #[serde(default)]
    pub options: Vec<String>,
    /// Leads created by people or API keys must have a value. Web forms, email, call lists and
    /// imports may leave it empty.
    #[serde(default)]
    pub required: bool,
    /// Where the field appears (lowest first). New fields go last when absent.
    #[serde(default)]
    #[validate(range(min = 0, max = 100_000))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100_000))]
    pub position: Option<i32>,
}

impl crate::core::validation::Check for CustomFieldInput {
    /// Options against the kind.
    fn rules(&self) -> Vec<FieldError> {
        option_problems(self.kind, &self.options, "options")
    }
}

impl CustomFieldInput {
    /// Trim the label, help text and options.
    pub fn tidy(mut self) -> Self {
        self.key = self.key.trim().to_owned();
        self.label = self.label.trim().to_owned();
        self.help_text = tidy_help(self.help_text);
        self.options = tidy_options(&self.options);
        self
    }
}

/// The longest help text.
pub const HELP_MAX: u64 = 300;

fn tidy_help(help: Option<String>) -> Option<String> {
    help.map(|h| h.trim().to_owned()).filter(|h| !h.is_empty())
}

/// An option of a select field renamed: leads holding `from` hold `to` afterwards.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OptionRename {
    /// The option as it was (offered or retired).
    pub from: String,
    /// Its new text: one of the field's options after the change.
    pub to: String,
}

/// Which custom fields to list: one record kind's, or (without `record_kind`) those of every kind the
/// caller may read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct CustomFieldQuery {
    /// A record kind, e.g. `lead`.
    pub record_kind: Option<String>,
}

/// Change a custom field (If-Match). Absent fields stay. The key and the kind never change: values,
/// filters, rules, imports and web forms name the field by its key.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CustomFieldPatch {
    #[validate(length(max = 100), custom(function = "crate::core::validation::not_blank"))]
    #[cfg_attr(feature = "openapi", schema(max_length = 100, pattern = r"\S"))]
    pub label: Option<String>,
    /// The help text shown under the input; an empty text removes it.
    #[validate(length(max = HELP_MAX))]
    #[cfg_attr(feature = "openapi", schema(max_length = 300))]
    pub help_text: Option<String>,
    /// The options a select field offers, in order (add, reorder, rename with `renamed_options`).
    /// An option left out is retired: it is no longer offered, but leads keep the value (shown as
    /// retired, still found by filters and rules) until someone changes it; putting it back offers it
    /// again.
    pub options: Option<Vec<String>>,
    /// Options renamed in this change: every lead holding `from` holds `to` afterwards, in the same
    /// transaction.
    #[serde(default)]
    #[validate(length(max = 100))]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub renamed_options: Vec<OptionRename>,
    pub required: Option<bool>,
    #[validate(range(min = 0, max = 100_000))]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100_000))]
    pub position: Option<i32>,
}

impl CustomFieldPatch {
    /// Every problem of the change against the field as it is, at once.
    pub fn check(&self, before: &CustomFieldView) -> Vec<FieldError> {
        let mut out = self.validate().err().map(|e| crate::core::validation::field_errors(&e)).unwrap_or_default();
        if let Some(options) = &self.options {
            out.extend(option_problems(before.kind, options, "options"));
        }
        if !self.renamed_options.is_empty() && before.kind != CustomFieldKind::Select {
            out.push(FieldError::new("renamed_options", "not_allowed", "Only select fields have options."));
            return out;
        }
        let after = self.options.as_ref().unwrap_or(&before.options);
        let known = |o: &str| before.options.iter().chain(&before.retired_options).any(|k| k == o);
        for (i, r) in self.renamed_options.iter().enumerate() {
            if !known(&r.from) {
                out.push(FieldError::new(
                    format!("renamed_options[{i}].from"),
                    "unknown",
                    format!("“{}” is not an option of this field.", r.from),
                ));
            }
            if !after.contains(&r.to) {
                out.push(FieldError::new(
                    format!("renamed_options[{i}].to"),
                    "not_an_option",
                    format!("“{}” is not among the field's options.", r.to),
                ));
            }
            if self.renamed_options[..i].iter().any(|o| o.from == r.from) {
                out.push(FieldError::new(
                    format!("renamed_options[{i}].from"),
                    "duplicate",
                    "This option is renamed twice.",
                ));
            }
        }
        out
    }

    /// The options offered and retired after the change: options left out of the list (and not
    /// renamed) join the retired ones; an option put back is offered again. Which retired options
    /// no value uses any more is for storage to prune.
    pub fn options_after(&self, before: &CustomFieldView) -> (Vec<String>, Vec<String>) {
        let offered = self.options.clone().unwrap_or_else(|| before.options.clone());
        let mut retired: Vec<String> = Vec::new();
        for o in before.retired_options.iter().chain(&before.options) {
            let renamed = self.renamed_options.iter().any(|r| r.from == *o);
            if !renamed && !offered.contains(o) && !retired.contains(o) {
                retired.push(o.clone());
            }
        }
        (offered, retired)
    }

    pub fn tidy(mut self) -> Self {
        self.label = self.label.map(|l| l.trim().to_owned());
        self.help_text = self.help_text.map(|h| h.trim().to_owned());
        self.options = self.options.map(|o| tidy_options(&o));
        self.renamed_options = self
            .renamed_options
            .into_iter()
            .map(|r| OptionRename { from: r.from.trim().to_owned(), to: r.to.trim().to_owned() })
            .collect();
        self
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomFieldView {
    pub id: CustomFieldId,
    /// The kind of record the field belongs to (`lead`, …).
    pub record_kind: String,
    pub key: String,
    pub label: String,
    /// Shown under the field's input.
    pub help_text: Option<String>,
    pub kind: CustomFieldKind,
    /// The options a select field offers, in order.
    pub options: Vec<String>,
    /// Options no longer offered that some records still hold (kept until someone changes them).
    pub retired_options: Vec<String>,
    pub required: bool,
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

fn wrong(key: &str, code: &str, message: impl Into<String>) -> FieldError {
    FieldError::new(format!("custom.{key}"), code, message)
}

/// One value checked against its field: the value to store, `Null` for "no value".
pub fn normalize_value(def: &CustomFieldView, value: &Value) -> Result<Value, FieldError> {
    let key = def.key.as_str();
    if value.is_null() {
        return Ok(Value::Null);
    }
    match def.kind {
        CustomFieldKind::Text => match value {
            Value::String(s) if s.trim().is_empty() => Ok(Value::Null),
            Value::String(s) if s.trim().chars().count() > TEXT_MAX => {
                Err(wrong(key, "length", "At most 500 characters."))
            }
            Value::String(s) => Ok(Value::String(s.trim().to_owned())),
            _ => Err(wrong(key, "type", format!("{} takes text.", def.label))),
        },
        CustomFieldKind::Number => {
            let n = match value {
                Value::Number(n) => {
                    n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
                }
                _ => return Err(wrong(key, "type", format!("{} takes a number.", def.label))),
            };
            n.map(Value::from).ok_or_else(|| wrong(key, "integer", "Give a whole number (decimals are not supported)."))
        }
        CustomFieldKind::Date => match value {
            Value::String(s) if s.trim().is_empty() => Ok(Value::Null),
            Value::String(s) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
                .map_err(|_| wrong(key, "date", "Give a date as YYYY-MM-DD.")),
            _ => Err(wrong(key, "type", format!("{} takes a date (YYYY-MM-DD).", def.label))),
        },
        CustomFieldKind::Boolean => match value {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            _ => Err(wrong(key, "type", format!("{} takes true or false.", def.label))),
        },
        CustomFieldKind::Select => match value {
            Value::String(s) if s.trim().is_empty() => Ok(Value::Null),
            Value::String(s) => {
                let wanted = s.trim().to_lowercase();
                def.options
                    .iter()
                    .find(|o| o.to_lowercase() == wanted)
                    .map(|o| Value::String(o.clone()))
                    .ok_or_else(|| wrong(key, "option", format!("Choose one of: {}.", def.options.join(", "))))
            }
            _ => Err(wrong(key, "type", format!("{} takes one of its options as text.", def.label))),
        },
    }
}

/// Check submitted custom values against the definitions. Returns the values to store, keyed by
/// field; `Null` means "no value" (a change clears it). Errors name `custom.<key>`: an unknown key,
/// a value of the wrong type, a select value outside the options, and — with `check_required`, when
/// a lead is created — a required field without a value.
pub fn validate_values(
    defs: &[CustomFieldView],
    values: &BTreeMap<String, Value>,
    check_required: bool,
) -> Result<BTreeMap<String, Value>, Vec<FieldError>> {
    let mut out = BTreeMap::new();
    let mut errors = Vec::new();
    for (key, value) in values {
        match defs.iter().find(|d| &d.key == key) {
            None => errors.push(wrong(key, "unknown", "No such custom field.")),
            Some(def) => match normalize_value(def, value) {
                Ok(v) => {
                    out.insert(key.clone(), v);
                }
                Err(e) => errors.push(e),
            },
        }
    }
    if check_required {
        for def in defs.iter().filter(|d| d.required) {
            if out.get(&def.key).is_none_or(Value::is_null)
                && !errors.iter().any(|e| e.field == format!("custom.{}", def.key))
            {
                errors.push(wrong(&def.key, "required", format!("{} is required.", def.label)));
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// How a checked value is stored: (value_text, value_number). Numbers go in value_number, every
/// other kind as text (dates `YYYY-MM-DD`, booleans `true`/`false`).
pub fn to_storage(value: &Value) -> (Option<String>, Option<i64>) {
    match value {
        Value::Null => (None, None),
        Value::Number(n) => (None, n.as_i64()),
        Value::Bool(b) => (Some(b.to_string()), None),
        Value::String(s) => (Some(s.clone()), None),
        other => (Some(other.to_string()), None),
    }
}

/// A stored value as the API shows it.
pub fn from_storage(kind: CustomFieldKind, text: Option<String>, number: Option<i64>) -> Value {
    match kind {
        CustomFieldKind::Number => number.map(Value::from).unwrap_or(Value::Null),
        CustomFieldKind::Boolean => text.map(|t| Value::Bool(t == "true")).unwrap_or(Value::Null),
        _ => text.map(Value::String).unwrap_or(Value::Null),
    }
}

/// A value as text for rule conditions (numbers in decimal, booleans `true`/`false`).
pub fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

/// The form a text value is compared in by filters: lower case (Unicode), so "ACME" finds "Acme".
/// Stored beside the value (`value_folded`) so the comparison stays an index lookup on both databases.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// A value read from text (a CSV cell), as the field's kind, checked like a submitted value: numbers
/// in decimal, booleans `true`/`false` (also `yes`/`no`, `1`/`0`), dates `YYYY-MM-DD`, select values
/// by option (any case). An empty cell is "no value". `as_text` writes what this reads back.
pub fn parse_text(def: &CustomFieldView, raw: &str) -> Result<Value, FieldError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Value::Null);
    }
    let value = match def.kind {
        CustomFieldKind::Number => match raw.parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => match raw.parse::<f64>().ok().filter(|f| f.is_finite()) {
                Some(f) => Value::from(f),
                None => return Err(wrong(&def.key, "type", format!("{} takes a number.", def.label))),
            },
        },
        CustomFieldKind::Boolean => match raw.to_lowercase().as_str() {
            // `on` is what a ticked HTML checkbox sends (web forms).
            "true" | "yes" | "1" | "on" => Value::Bool(true),
            "false" | "no" | "0" | "off" => Value::Bool(false),
            _ => return Err(wrong(&def.key, "type", format!("{} takes true or false.", def.label))),
        },
        _ => Value::String(raw.to_owned()),
    };
    normalize_value(def, &value)
}

/// A filter value from a query string, read as the field's kind: (value_text, value_number).
pub fn filter_value(def: &CustomFieldView, raw: &str) -> Result<(Option<String>, Option<i64>), FieldError> {
    let raw = raw.trim();
    let value = match def.kind {
        CustomFieldKind::Number => Value::from(
            raw.parse::<i64>()
                .map_err(|_| FieldError::new("custom_value", "integer", "This field holds whole numbers."))?,
        ),
        CustomFieldKind::Boolean => match raw.to_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(FieldError::new("custom_value", "type", "Give true or false.")),
        },
        _ => Value::String(raw.to_owned()),
    };
    // Records keep a retired option until changed: a filter still finds them by it.
    if def.kind == CustomFieldKind::Select {
        if let Some(retired) = def.retired_options.iter().find(|o| o.to_lowercase() == raw.to_lowercase()) {
            return Ok((Some(retired.clone()), None));
        }
    }
    let checked = normalize_value(def, &value).map_err(|e| FieldError::new("custom_value", e.code, e.message))?;
    Ok(to_storage(&checked))
}

crate::versioned!(CustomFieldView);

crate::checked_by_attributes!(CustomFieldPatch);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::validation::Check;
    use proptest::prelude::*;
    use serde_json::json;
    use uuid::Uuid;

    fn def(key: &str, kind: CustomFieldKind, options: &[&str], required: bool) -> CustomFieldView {
        CustomFieldView {
            id: CustomFieldId(Uuid::from_u128(1)),
            record_kind: "lead".into(),
            key: key.into(),
            label: key.into(),
            help_text: None,
            kind,
            options: options.iter().map(|s| s.to_string()).collect(),
            retired_options: Vec::new(),
            required,
            position: 0,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            version: 1,
        }
    }

    fn defs() -> Vec<CustomFieldView> {
        vec![
            def("budget", CustomFieldKind::Select, &["Under 10k", "10k-50k", "Over 50k"], false),
            def("seats", CustomFieldKind::Number, &[], true),
            def("renewal", CustomFieldKind::Date, &[], false),
            def("partner", CustomFieldKind::Boolean, &[], false),
            def("notes", CustomFieldKind::Text, &[], false),
        ]
    }

    fn map(v: Value) -> BTreeMap<String, Value> {
        serde_json::from_value(v).unwrap_or_default()
    }

    fn fields(r: Result<BTreeMap<String, Value>, Vec<FieldError>>) -> Vec<(String, String)> {
        r.err().unwrap_or_default().into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn valid_values_are_normalized() {
        let out = validate_values(
            &defs(),
            &map(
                json!({"budget": "over 50K", "seats": 25, "renewal": " 2027-01-31 ", "partner": true, "notes": "  hi "}),
            ),
            true,
        );
        assert_eq!(
            out.ok().map(|m| serde_json::to_value(m).unwrap_or_default()),
            Some(json!({"budget": "Over 50k", "seats": 25, "renewal": "2027-01-31", "partner": true, "notes": "hi"}))
        );
        assert_eq!(
            validate_values(&defs(), &map(json!({"seats": 3.0})), true).ok().map(|m| m["seats"].clone()),
            Some(json!(3))
        );
    }

    #[test]
    fn errors_name_the_custom_field() {
        let r = validate_values(
            &defs(),
            &map(json!({"budget": "huge", "seats": "ten", "renewal": "31.01.2027", "partner": "yes", "colour": "red"})),
            false,
        );
        let mut got = fields(r);
        got.sort();
        assert_eq!(
            got,
            vec![
                ("custom.budget".into(), "option".into()),
                ("custom.colour".into(), "unknown".into()),
                ("custom.partner".into(), "type".into()),
                ("custom.renewal".into(), "date".into()),
                ("custom.seats".into(), "type".into()),
            ]
        );
        assert_eq!(
            fields(validate_values(&defs(), &map(json!({"seats": 2.5})), false)),
            vec![("custom.seats".into(), "integer".into())]
        );
        let long = "é".repeat(TEXT_MAX + 1);
        assert_eq!(
            fields(validate_values(&defs(), &map(json!({"notes": long})), false)),
            vec![("custom.notes".into(), "length".into())]
        );
    }

    #[test]
    fn required_is_checked_only_when_asked() {
        assert_eq!(
            fields(validate_values(&defs(), &BTreeMap::new(), true)),
            vec![("custom.seats".into(), "required".into())]
        );
        assert_eq!(
            fields(validate_values(&defs(), &map(json!({"seats": null})), true)),
            vec![("custom.seats".into(), "required".into())]
        );
        assert!(validate_values(&defs(), &BTreeMap::new(), false).is_ok());
        // A change may clear a required field's value: null means "no value".
        assert_eq!(
            validate_values(&defs(), &map(json!({"seats": null})), false).ok().map(|m| m["seats"].clone()),
            Some(Value::Null)
        );
    }

    #[test]
    fn inputs_check_keys_and_options() {
        let input = |key: &str, kind, options: &[&str]| CustomFieldInput {
            record_kind: "lead".into(),
            key: key.into(),
            label: "Label".into(),
            help_text: None,
            kind,
            options: options.iter().map(|s| s.to_string()).collect(),
            required: false,
            position: None,
        };
        assert!(input("budget_2", CustomFieldKind::Text, &[]).validate().is_ok());
        assert!(input("Budget", CustomFieldKind::Text, &[]).validate().is_err());
        assert!(input("2nd", CustomFieldKind::Text, &[]).validate().is_err());
        assert!(input("", CustomFieldKind::Text, &[]).validate().is_err());
        assert_eq!(input("b", CustomFieldKind::Select, &[]).problems().len(), 1);
        assert_eq!(input("b", CustomFieldKind::Select, &["A", "a"]).problems()[0].field, "options[1]");
        assert_eq!(input("b", CustomFieldKind::Number, &["A"]).problems()[0].code, "not_allowed");
    }

    #[test]
    fn stored_values_read_back_the_same() {
        for (kind, v) in [
            (CustomFieldKind::Number, json!(-42)),
            (CustomFieldKind::Boolean, json!(false)),
            (CustomFieldKind::Date, json!("2027-01-31")),
            (CustomFieldKind::Text, json!("x")),
        ] {
            let (t, n) = to_storage(&v);
            assert_eq!(from_storage(kind, t, n), v);
        }
        let seats = def("seats", CustomFieldKind::Number, &[], false);
        assert_eq!(filter_value(&seats, "12").ok(), Some((None, Some(12))));
        assert_eq!(filter_value(&seats, "1.5").map_err(|e| e.field), Err("custom_value".into()));
        let budget = def("budget", CustomFieldKind::Select, &["Over 50k"], false);
        assert_eq!(filter_value(&budget, "over 50k").ok(), Some((Some("Over 50k".into()), None)));
    }

    #[test]
    fn text_cells_read_back_what_as_text_writes() {
        for (kind, options, v) in [
            (CustomFieldKind::Number, &[][..], json!(-42)),
            (CustomFieldKind::Boolean, &[][..], json!(true)),
            (CustomFieldKind::Boolean, &[][..], json!(false)),
            (CustomFieldKind::Date, &[][..], json!("2027-01-31")),
            (CustomFieldKind::Text, &[][..], json!("=1+2, said Ann")),
            (CustomFieldKind::Select, &["Over 50k"][..], json!("Over 50k")),
        ] {
            let d = def("f", kind, options, false);
            let text = as_text(&v).unwrap_or_default();
            assert_eq!(parse_text(&d, &text).ok(), Some(v), "{kind:?}");
        }
        let seats = def("seats", CustomFieldKind::Number, &[], false);
        assert_eq!(parse_text(&seats, " 12 ").ok(), Some(json!(12)));
        assert_eq!(parse_text(&seats, "").ok(), Some(Value::Null));
        assert_eq!(
            parse_text(&seats, "ten").map_err(|e| (e.field, e.code)),
            Err(("custom.seats".into(), "type".into()))
        );
        assert_eq!(parse_text(&seats, "2.5").map_err(|e| e.code), Err("integer".into()));
        let partner = def("partner", CustomFieldKind::Boolean, &[], false);
        assert_eq!(parse_text(&partner, "Yes").ok(), Some(json!(true)));
        assert!(parse_text(&partner, "maybe").is_err());
        let budget = def("budget", CustomFieldKind::Select, &["Over 50k"], false);
        assert_eq!(parse_text(&budget, "OVER 50K").ok(), Some(json!("Over 50k")));
        assert_eq!(parse_text(&budget, "huge").map_err(|e| e.code), Err("option".into()));
        assert_eq!(fold("ÄRGER Acme"), "ärger acme");
    }

    #[test]
    fn keys_are_snake_case_as_written_out_case_by_case() {
        let fifty = format!("a{}", "b".repeat(49));
        let fifty_one = format!("a{}", "b".repeat(50));
        let valid = ["a", "z", "seats", "annual_revenue", "q4_2026", "a_", "a__b", "x9", fifty.as_str()];
        let invalid = [
            "",
            "_a",
            "1a",
            "9",
            "A",
            "Seats",
            "seaTs",
            "annual-revenue",
            "annual revenue",
            "seats ",
            " seats",
            "seats\n",
            "ärger",
            "straße",
            "a.b",
            "custom.seats",
            fifty_one.as_str(),
        ];
        for k in valid {
            assert!(is_valid_key(k), "{k:?} is valid");
        }
        for k in invalid {
            assert!(!is_valid_key(k), "{k:?} is not valid");
        }
    }

    /// Every key of up to three characters over an alphabet with one of each kind of character (lower,
    /// upper, digit, `_`, `-`, space, a non-ASCII letter), against the rule as docs/API.md words it:
    /// "a lower-case letter, then lower-case letters, digits or underscores".
    #[test]
    fn every_short_key_over_a_mixed_alphabet_is_judged_by_the_documented_rule() {
        const ALPHABET: [char; 9] = ['a', 'q', 'z', 'B', '0', '7', '_', '-', 'é'];
        const LOWER: &str = "abcdefghijklmnopqrstuvwxyz";
        const AFTER: &str = "abcdefghijklmnopqrstuvwxyz0123456789_";
        let mut keys = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..3 {
            last = last.iter().flat_map(|k| ALPHABET.iter().map(move |c| format!("{k}{c}"))).collect();
            keys.extend(last.iter().cloned());
        }
        assert_eq!(keys.len(), 1 + 9 + 81 + 729);
        let mut accepted = 0;
        for k in &keys {
            let mut chars = k.chars();
            let expected = chars.next().is_some_and(|c| LOWER.contains(c)) && chars.all(|c| AFTER.contains(c));
            assert_eq!(is_valid_key(k), expected, "{k:?}");
            accepted += usize::from(expected);
        }
        // 3 first letters × (1 + 6 + 36) continuations: the rule is not vacuous.
        assert_eq!(accepted, 3 * (1 + 6 + 36));
    }

    #[test]
    fn a_patch_renames_reorders_and_retires_options_and_reports_every_problem_at_once() {
        let budget = def("budget", CustomFieldKind::Select, &["Small", "Medium", "Large"], false);
        let patch = CustomFieldPatch {
            options: Some(vec!["Large".into(), "Mid-size".into(), "Enterprise".into()]),
            renamed_options: vec![OptionRename { from: "Medium".into(), to: "Mid-size".into() }],
            ..Default::default()
        };
        assert!(patch.check(&budget).is_empty(), "{:?}", patch.check(&budget));
        // "Small" is left out: retired, not lost; "Medium" is renamed, so nothing holds it any more.
        assert_eq!(
            patch.options_after(&budget),
            (vec!["Large".to_owned(), "Mid-size".to_owned(), "Enterprise".to_owned()], vec!["Small".to_owned()])
        );
        // Putting a retired option back offers it again.
        let mut retired = budget.clone();
        retired.options = vec!["Large".into()];
        retired.retired_options = vec!["Small".into()];
        let back = CustomFieldPatch { options: Some(vec!["Small".into(), "Large".into()]), ..Default::default() };
        assert_eq!(back.options_after(&retired), (vec!["Small".to_owned(), "Large".to_owned()], vec![]));
        // A retired option may be renamed into an offered one.
        let merge = CustomFieldPatch {
            renamed_options: vec![OptionRename { from: "Small".into(), to: "Large".into() }],
            ..Default::default()
        };
        assert!(merge.check(&retired).is_empty());
        assert_eq!(merge.options_after(&retired), (vec!["Large".to_owned()], vec![]));

        let bad = CustomFieldPatch {
            label: Some(" ".into()),
            help_text: Some("x".repeat(301)),
            options: Some(vec!["A".into(), "a".into()]),
            renamed_options: vec![OptionRename { from: "Huge".into(), to: "Gigantic".into() }],
            ..Default::default()
        };
        let mut got: Vec<(String, String)> = bad.check(&budget).into_iter().map(|e| (e.field, e.code)).collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                ("help_text".into(), "length".into()),
                ("label".into(), "required".into()),
                ("options[1]".into(), "duplicate".into()),
                ("renamed_options[0].from".into(), "unknown".into()),
                ("renamed_options[0].to".into(), "not_an_option".into()),
            ]
        );
        let seats = def("seats", CustomFieldKind::Number, &[], false);
        let on_number = CustomFieldPatch {
            renamed_options: vec![OptionRename { from: "a".into(), to: "b".into() }],
            ..Default::default()
        };
        assert_eq!(on_number.check(&seats)[0].code, "not_allowed");
    }

    proptest! {
        #[test]
        fn integers_round_trip(n in any::<i64>()) {
            let seats = def("seats", CustomFieldKind::Number, &[], false);
            let v = normalize_value(&seats, &json!(n));
            prop_assert_eq!(v.clone().ok(), Some(json!(n)));
            let (t, num) = to_storage(&v.unwrap_or_default());
            prop_assert_eq!(from_storage(CustomFieldKind::Number, t, num), json!(n));
        }

        #[test]
        fn validation_is_idempotent(text in "[ a-zA-Z0-9]{0,20}", flag in any::<bool>(), n in -1000i64..1000) {
            let values = map(json!({"notes": text, "partner": flag, "seats": n, "budget": "10K-50K"}));
            let once = validate_values(&defs(), &values, true);
            prop_assert!(once.is_ok());
            let once = once.unwrap_or_default();
            prop_assert_eq!(validate_values(&defs(), &once, true).ok(), Some(once.clone()));
        }
    }
}
