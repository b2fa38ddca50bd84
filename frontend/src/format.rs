//! How values read on screen.

use chrono::{DateTime, Utc};

pub fn datetime(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

pub fn date(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

pub fn optional_date(at: Option<DateTime<Utc>>, none: &str) -> String {
    at.map(date).unwrap_or_else(|| none.to_owned())
}

/// An audit value: strings bare, anything else as JSON; `None` for no value at all.
pub fn json_value(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) if s.is_empty() => None,
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// An entity type for people: `api_key` → "API key", `team` → "Team".
pub fn entity_label(entity: &str) -> String {
    crate::registry::kind(entity).map_or_else(|| humanize(entity), |kind| kind.label.to_owned())
}

/// "login_failed" → "Login failed", for action and field names.
pub fn humanize(snake: &str) -> String {
    let spaced = snake.replace('_', " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The browser's clock. (`Utc::now()` has no clock to read on wasm32-unknown-unknown.)
pub fn now() -> DateTime<Utc> {
    DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
}

/// A whole number with thousands separators: 1234567 → "1,234,567".
pub fn number(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    if n < 0 {
        out.insert(0, '-');
    }
    out
}

/// A count with its noun in the right number: `count(1, "pair", "pairs")` → "1 pair",
/// `count(1200, "lead", "leads")` → "1,200 leads".
pub fn count(n: impl Into<i64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{} {}", number(n), if n == 1 { one } else { many })
}
