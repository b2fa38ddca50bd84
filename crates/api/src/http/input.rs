//! Reading input: body limits and decoding errors as problems, and validation into field errors.

use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
use actix_web::{web, HttpRequest};
use kith_domain::core::validation::Check;
use kith_domain::{ErrorCode, FieldError};

use crate::error::ApiError;

/// JSON bodies larger than this are refused with 413 before they are read whole.
pub const JSON_LIMIT: usize = 1024 * 1024;

/// Run every rule the input must pass by itself (its fields' attributes and the rules across
/// fields, the same [`Check`] the SPA runs before it sends); every failing field is reported at once.
pub fn valid<T: Check>(input: T) -> Result<T, ApiError> {
    let problems = input.problems();
    if problems.is_empty() {
        Ok(input)
    } else {
        Err(ApiError::Validation(problems))
    }
}

/// serde names the offending field in backticks: "unknown field `org_id`, expected …".
fn field_of(message: &str) -> Option<String> {
    let start = message.find('`')? + 1;
    let len = message[start..].find('`')?;
    Some(message[start..start + len].to_owned())
}

fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match &err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::code(ErrorCode::PayloadTooLarge, format!("JSON bodies are limited to {JSON_LIMIT} bytes."))
        }
        JsonPayloadError::ContentType => {
            ApiError::code(ErrorCode::UnsupportedMediaType, "Send the body as application/json.")
        }
        JsonPayloadError::Deserialize(e) => {
            let message = e.to_string();
            let detail = message.split(" at line ").next().unwrap_or(&message).to_owned();
            match (e.classify(), field_of(&message)) {
                (serde_json::error::Category::Data, Some(field)) => ApiError::Validation(vec![FieldError::new(
                    field,
                    if detail.starts_with("unknown field") { "unknown_field" } else { "invalid" },
                    detail,
                )])
                .into_bad_request(),
                _ => ApiError::bad_request(format!("The body is not valid JSON for this request: {detail}")),
            }
        }
        other => ApiError::bad_request(other.to_string()),
    };
    api.into()
}

fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::bad_request(format!("Invalid query string: {err}")).into()
}

fn path_error(_err: PathError, _req: &HttpRequest) -> actix_web::Error {
    // A malformed id cannot name an existing record.
    ApiError::not_found().into()
}

pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default().limit(JSON_LIMIT).error_handler(json_error)
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(query_error)
}

pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(path_error)
}

impl ApiError {
    /// Field errors found while decoding (unknown or mistyped fields) are a 400, not a 422: the
    /// request does not have the shape of this operation's input.
    fn into_bad_request(self) -> ApiError {
        match self {
            ApiError::Validation(errors) => ApiError::BadShape(errors),
            other => other,
        }
    }
}

/// NUL (U+0000) is refused in every text input: PostgreSQL cannot store it in text, and no field
/// means to hold one. The message every such refusal carries.
pub const NUL_MESSAGE: &str = "Text may not contain the NUL character (U+0000).";

/// A list where the operation takes an object: the body does not have the operation's shape (400).
pub fn not_an_object(field: String) -> ApiError {
    ApiError::Validation(vec![FieldError::new(field, "invalid", "invalid type: a list, expected an object")])
        .into_bad_request()
}

fn nul_error(field: String) -> ApiError {
    ApiError::Validation(vec![FieldError::new(field, "nul", NUL_MESSAGE)])
}

/// The first place in a JSON document holding a NUL character (in a string or a key), named like
/// validation errors name fields: `name`, `steps[1].subject`.
fn nul_in_value(value: &serde_json::Value, path: &str) -> Option<String> {
    match value {
        serde_json::Value::String(s) if s.contains('\0') => {
            Some(if path.is_empty() { "body".into() } else { path.into() })
        }
        serde_json::Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, v)| nul_in_value(v, &format!("{path}[{i}]")))
        }
        serde_json::Value::Object(map) => map.iter().find_map(|(k, v)| {
            let key = k.replace('\0', "\\u0000");
            let here = if path.is_empty() { key } else { format!("{path}.{key}") };
            if k.contains('\0') {
                Some(here)
            } else {
                nul_in_value(v, &here)
            }
        }),
        _ => None,
    }
}

/// A JSON body can only carry NUL escaped (`\u0000`); bodies without that sequence are not parsed.
pub fn check_json_nul(body: &[u8]) -> Result<(), ApiError> {
    if !body.windows(6).any(|w| w == b"\\u0000") {
        return Ok(());
    }
    // Unreadable JSON is left to the extractor, which explains what is wrong with it.
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(value) => nul_in_value(&value, "").map_or(Ok(()), |f| Err(nul_error(f))),
        Err(_) => Ok(()),
    }
}

/// JSON does not tell `3` from `3.0` (nor does the OpenAPI document: both are integers), but serde
/// refuses `3.0` for an integer field. Whole numbers written with a fraction or exponent are
/// rewritten as integers before the body is decoded; `None` when there are none (the body is used
/// as sent).
pub fn whole_numbers_as_integers(body: &[u8]) -> Option<Vec<u8>> {
    let looks_like = body.iter().any(|b| matches!(b, b'.' | b'e' | b'E'));
    if !looks_like {
        return None;
    }
    let mut value: serde_json::Value = serde_json::from_slice(body).ok()?;
    rewrite_whole_numbers(&mut value).then(|| serde_json::to_vec(&value).ok()).flatten()
}

fn rewrite_whole_numbers(value: &mut serde_json::Value) -> bool {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: every whole f64 below it is exact
    match value {
        serde_json::Value::Number(n) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < EXACT => {
                *value = serde_json::Value::from(f as i64);
                true
            }
            _ => false,
        },
        serde_json::Value::Array(items) => items.iter_mut().map(rewrite_whole_numbers).fold(false, |a, b| a | b),
        serde_json::Value::Object(map) => map.values_mut().map(rewrite_whole_numbers).fold(false, |a, b| a | b),
        _ => false,
    }
}

/// Query strings and form bodies (`a=b&c=d`): the first key whose name or value decodes to text
/// holding NUL.
pub fn check_form_nul(encoded: &[u8]) -> Result<(), ApiError> {
    let may_hold = encoded.contains(&0) || encoded.windows(3).any(|w| w == b"%00");
    if !may_hold {
        return Ok(());
    }
    for (key, value) in form_pairs(encoded) {
        if key.contains('\0') || value.contains('\0') {
            return Err(nul_error(key.replace('\0', "\\u0000")));
        }
    }
    Ok(())
}

fn form_pairs(encoded: &[u8]) -> Vec<(String, String)> {
    encoded
        .split(|b| *b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let mut it = pair.splitn(2, |b| *b == b'=');
            let key = percent_decode(it.next().unwrap_or_default());
            let value = percent_decode(it.next().unwrap_or_default());
            (key, value)
        })
        .collect()
}

fn percent_decode(raw: &[u8]) -> String {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < raw.len() => {
                let hex = std::str::from_utf8(&raw[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The media types a CSV upload may be sent as (browsers label `.csv` files differently).
pub const CSV_TYPES: [&str; 4] = ["text/csv", "application/csv", "text/plain", "application/vnd.ms-excel"];

/// CSV uploads take the raw body: anything not labelled as CSV (a JSON document, a form) is refused
/// with 415 rather than imported as a one-column file.
pub fn require_csv(req: &HttpRequest) -> Result<(), ApiError> {
    let essence = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    match essence {
        Some(t) if CSV_TYPES.contains(&t.as_str()) => Ok(()),
        _ => Err(ApiError::code(ErrorCode::UnsupportedMediaType, "Send the file as text/csv.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(checked: Result<(), ApiError>) -> String {
        match checked {
            Err(ApiError::Validation(errors)) => errors.first().map(|e| e.field.clone()).unwrap_or_default(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nul_is_found_and_named_wherever_it_is() {
        assert!(check_json_nul(br#"{"name":"plain","n":1}"#).is_ok());
        assert!(check_json_nul(br#"{"name":"a\\u0000 is text"}"#).is_ok());
        assert_eq!(field(check_json_nul(br#"{"name":"a\u0000b"}"#)), "name");
        assert_eq!(field(check_json_nul(br#"{"steps":[{"s":"x"},{"s":"\u0000"}]}"#)), "steps[1].s");
        assert_eq!(field(check_json_nul(br#""\u0000""#)), "body");
        assert!(check_form_nul(b"q=abc&limit=5").is_ok());
        assert!(check_form_nul(b"q=%2500").is_ok());
        assert_eq!(field(check_form_nul(b"limit=5&q=a%00b")), "q");
        assert_eq!(field(check_form_nul(b"name=a\0")), "name");
    }

    #[test]
    fn whole_numbers_with_a_fraction_become_integers() {
        assert_eq!(whole_numbers_as_integers(br#"{"n":1}"#), None);
        assert_eq!(whole_numbers_as_integers(br#"{"n":1.5,"s":"2.0"}"#), None);
        let rewritten = whole_numbers_as_integers(br#"{"n":193.0,"m":[1e2,0.5],"s":"2.0"}"#).unwrap_or_default();
        let value: serde_json::Value = serde_json::from_slice(&rewritten).unwrap_or_default();
        assert_eq!(value, serde_json::json!({"n": 193, "m": [100, 0.5], "s": "2.0"}));
    }
}
