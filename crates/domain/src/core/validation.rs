//! Input rules shared by the server and the SPA: field-level validation turned into problem
//! field errors, email normalization and the password policy (RELIABILITY.md: 8–128 characters, no
//! composition rules, the most common passwords refused).

use validator::{ValidationErrors, ValidationErrorsKind};

use crate::core::problem::FieldError;

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;

/// Flatten validator's nested errors into `field`-addressed problem errors.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    let message =
                        e.message.as_ref().map(|m| m.to_string()).unwrap_or_else(|| default_message(&e.code, e));
                    out.push(FieldError::new(path.clone(), e.code.to_string(), message));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    collect(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
}

fn default_message(code: &str, e: &validator::ValidationError) -> String {
    match code {
        "email" => "Enter a valid email address.".into(),
        "length" => {
            let min = e.params.get("min").and_then(|v| v.as_u64());
            let max = e.params.get("max").and_then(|v| v.as_u64());
            // validator puts the value in the error: a list is counted in items, text in characters.
            let unit = match e.params.get("value") {
                Some(serde_json::Value::Array(_)) | Some(serde_json::Value::Object(_)) => "items",
                _ => "characters",
            };
            match (min, max) {
                (Some(1), Some(max)) => format!("Required, at most {max} {unit}."),
                (Some(min), Some(max)) => format!("Use {min} to {max} {unit}."),
                (Some(min), None) => format!("Use at least {min} {unit}."),
                (None, Some(max)) => format!("Use at most {max} {unit}."),
                _ => "Wrong length.".into(),
            }
        }
        "range" => "Out of range.".into(),
        _ => "Not valid.".into(),
    }
}

/// Every rule an input must pass that needs nothing but the input: its fields' validation
/// attributes and the rules across fields. The server runs it before it touches the database, the
/// SPA before it sends, so a form shows every error at once and both sides refuse the same input.
/// Rules that need stored data (does this user exist, is this name taken) stay on the server and
/// are reported together with these where the write path can (see the leads' capture).
pub trait Check: validator::Validate {
    /// Rules across fields, which validator's per-field attributes cannot express.
    fn rules(&self) -> Vec<FieldError> {
        Vec::new()
    }

    /// Every field error at once: the attributes' and the rules', one per field and message,
    /// sorted by field.
    fn problems(&self) -> Vec<FieldError> {
        let mut out = match self.validate() {
            Ok(()) => Vec::new(),
            Err(errors) => field_errors(&errors),
        };
        merge_errors(&mut out, self.rules());
        out
    }
}

/// Add `more` to `errors`, leaving out what `errors` already says about the same field (the first
/// finding is the one a person fixes first), and sort by field.
pub fn merge_errors(errors: &mut Vec<FieldError>, more: Vec<FieldError>) {
    for e in more {
        if !errors.iter().any(|have| have.field == e.field) {
            errors.push(e);
        }
    }
    errors.sort_by(|a, b| a.field.cmp(&b.field));
}

/// `Check` with no rules across fields beyond the validation attributes.
#[macro_export]
macro_rules! checked_by_attributes {
    ($($input:ty),+ $(,)?) => {
        $(impl $crate::core::validation::Check for $input {})+
    };
}

/// Lower-cased, trimmed email: the form used for uniqueness and login.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// The password policy. Returns a field error for `field` when the password is refused.
pub fn check_password(field: &str, password: &str) -> Option<FieldError> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN {
        return Some(FieldError::new(field, "length", format!("Use at least {PASSWORD_MIN} characters.")));
    }
    if chars > PASSWORD_MAX {
        return Some(FieldError::new(field, "length", format!("Use at most {PASSWORD_MAX} characters.")));
    }
    let lowered = password.to_lowercase();
    if COMMON_PASSWORDS.contains(&lowered.as_str()) {
        return Some(FieldError::new(
            field,
            "too_common",
            "This password is among the most common ones; choose another.",
        ));
    }
    None
}

/// Validator hook for `#[validate(custom(function = "crate::core::validation::password"))]`.
pub fn password(value: &str) -> Result<(), validator::ValidationError> {
    match check_password("", value) {
        None => Ok(()),
        Some(e) => {
            let mut err = validator::ValidationError::new(match e.code.as_str() {
                "too_common" => "too_common",
                _ => "length",
            });
            err.message = Some(e.message.into());
            Err(err)
        }
    }
}

/// Validator hook: text that is not blank once trimmed.
pub fn not_blank(value: &str) -> Result<(), validator::ValidationError> {
    if value.trim().is_empty() {
        let mut err = validator::ValidationError::new("required");
        err.message = Some("Required.".into());
        return Err(err);
    }
    Ok(())
}

/// Lower-cased entries from the most common leaked-password lists that meet the length rule.
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "12345678",
    "123456789",
    "1234567890",
    "qwertyuiop",
    "password1",
    "password123",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "welcome1",
    "welcome123",
    "abc12345",
    "abcd1234",
    "qwerty123",
    "qwerty12",
    "1q2w3e4r",
    "1q2w3e4r5t",
    "11111111",
    "00000000",
    "88888888",
    "87654321",
    "12341234",
    "11223344",
    "superman",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "letmein1",
    "trustno1",
    "starwars",
    "whatever",
    "dragon12",
    "master12",
    "monkey12",
    "shadow12",
    "michael1",
    "jennifer",
    "computer",
    "internet",
    "zaq12wsx",
    "1qaz2wsx",
    "q1w2e3r4",
    "aa123456",
    "asdfghjk",
    "asdfasdf",
    "qwertyui",
    "changeme",
    "administrator",
    "admin123",
    "admin1234",
    "root1234",
    "test1234",
    "testtest",
    "letmeinnow",
    "loveyou1",
    "fuckyou1",
    "charlie1",
    "mustang1",
    "liverpool",
    "chelsea1",
    "arsenal1",
    "midnight",
    "freedom1",
    "football1",
    "baseball1",
    "pokemon1",
    "samsung1",
    "chocolate",
    "butterfly",
    "password!",
    "password12",
    "12qwaszx",
    "987654321",
    "123123123",
    "123qweasd",
    "qweasdzxc",
    "secret123",
    "welcome!",
    "summer2024",
    "winter2024",
    "spring2024",
    "autumn2024",
    "summer2025",
    "winter2025",
    "summer2026",
    "winter2026",
    "company1",
    "kith1234",
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn common_and_short_passwords_are_refused() {
        assert_eq!(check_password("password", "short").map(|e| e.code), Some("length".into()));
        assert_eq!(check_password("password", "Password123").map(|e| e.code), Some("too_common".into()));
        assert_eq!(check_password("password", "correct horse battery staple"), None);
        assert!(check_password("password", &"x".repeat(129)).is_some());
    }

    proptest! {
        #[test]
        fn any_uncommon_password_of_allowed_length_passes(p in "[a-z0-9 ]{8,128}") {
            prop_assume!(!COMMON_PASSWORDS.contains(&p.as_str()));
            prop_assert_eq!(check_password("p", &p), None);
        }

        #[test]
        fn normalized_emails_are_stable(e in ".*") {
            let once = normalize_email(&e);
            prop_assert_eq!(normalize_email(&once), once.clone());
        }
    }
}
