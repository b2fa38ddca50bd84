//! The API's conventions, checked on the published spec (`openapi/openapi.json`, which the drift test
//! keeps equal to what the server does): a new operation cannot forget one. Exceptions are listed
//! here with their reason; anything else that breaks a convention fails.

use serde_json::Value;

fn spec() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}")))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

struct Op {
    id: String,
    method: String,
    path: String,
    op: Value,
}

fn operations(spec: &Value) -> Vec<Op> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap_or_else(|| panic!("no paths")) {
        for (method, op) in item.as_object().unwrap_or_else(|| panic!("{path}")) {
            out.push(Op {
                id: op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path}: no operationId")).to_owned(),
                method: method.clone(),
                path: path.clone(),
                op: op.clone(),
            });
        }
    }
    assert!(out.len() > 100, "the spec lists every operation ({})", out.len());
    out
}

/// A `$ref` followed into `components`.
fn resolve<'a>(spec: &'a Value, v: &'a Value) -> &'a Value {
    match v["$ref"].as_str() {
        Some(r) => r.trim_start_matches("#/").split('/').fold(spec, |at, part| &at[part]),
        None => v,
    }
}

fn header_params(spec: &Value, op: &Value) -> Vec<String> {
    op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| resolve(spec, p))
        .filter(|p| p["in"] == "header")
        .filter_map(|p| p["name"].as_str().map(str::to_lowercase))
        .collect()
}

fn query_params(op: &Value) -> Vec<String> {
    op["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["in"] == "query")
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect()
}

fn statuses(op: &Value) -> Vec<String> {
    op["responses"].as_object().map(|r| r.keys().cloned().collect()).unwrap_or_default()
}

fn secured(op: &Value) -> bool {
    op["security"].as_array().is_some_and(|s| s.iter().any(|x| x.as_object().is_some_and(|o| !o.is_empty())))
}

/// Creating operations that do not take `Idempotency-Key`, and why.
const NO_IDEMPOTENCY_KEY: &[(&str, &str)] = &[
    ("create_api_key", "a replay would have to store the key's secret"),
    ("create_invite", "a replay would have to store the invitation token"),
    ("rotate_inbound_secret", "a replay would have to store the secret"),
    ("signup", "no principal yet to own the key"),
    ("accept_invite", "no principal yet to own the key"),
    ("receive_inbound_email", "deduplicated by the message's Message-ID instead"),
    ("upload_import", "creates a draft that does nothing until it is started"),
];

#[test]
fn every_creating_post_takes_an_idempotency_key() {
    let spec = spec();
    let mut missing = Vec::new();
    for o in operations(&spec) {
        let creates = o.method == "post" && statuses(&o.op).iter().any(|s| s == "201");
        let exempt = NO_IDEMPOTENCY_KEY.iter().any(|(id, _)| *id == o.id);
        let takes = header_params(&spec, &o.op).iter().any(|h| h == "idempotency-key");
        if creates && !exempt && !takes {
            missing.push(o.id.clone());
        }
        if exempt {
            assert!(
                creates && !takes,
                "{}: listed as an exception but {}",
                o.id,
                if takes { "takes a key" } else { "creates nothing" }
            );
        }
    }
    assert!(missing.is_empty(), "creating POSTs without Idempotency-Key: {missing:?}");
    // The ones named in docs/API.md take it.
    let spec_ops = operations(&spec);
    for id in [
        "create_lead",
        "create_sequence",
        "create_custom_field",
        "create_web_form",
        "create_call_list",
        "create_scoring_rule",
        "create_assignment_rule",
        "add_activity",
        "log_call",
    ] {
        let o = spec_ops.iter().find(|o| o.id == id).unwrap_or_else(|| panic!("{id} is gone"));
        assert!(header_params(&spec, &o.op).iter().any(|h| h == "idempotency-key"), "{id}");
    }
}

#[test]
fn every_patch_requires_if_match_and_answers_412_and_428() {
    let spec = spec();
    let patches: Vec<Op> = operations(&spec).into_iter().filter(|o| o.method == "patch").collect();
    assert!(patches.len() >= 10, "{} PATCH operations", patches.len());
    for o in patches {
        let required = o.op["parameters"].as_array().into_iter().flatten().map(|p| resolve(&spec, p)).any(|p| {
            p["in"] == "header"
                && p["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case("if-match"))
                && p["required"] == true
        });
        assert!(required, "{}: If-Match must be a required header", o.id);
        let codes = statuses(&o.op);
        for code in ["412", "428"] {
            assert!(codes.iter().any(|c| c == code), "{}: no {code}", o.id);
        }
    }
}

#[test]
fn every_list_pages_with_limit_and_cursor_and_answers_next_cursor() {
    let spec = spec();
    let mut lists = 0;
    for o in operations(&spec).into_iter().filter(|o| o.method == "get") {
        let ok = resolve(&spec, &o.op["responses"]["200"]);
        let Some(schema_ref) = ok["content"]["application/json"]["schema"]["$ref"].as_str() else { continue };
        let schema = resolve(&spec, &ok["content"]["application/json"]["schema"]);
        let is_page = schema["properties"]["items"]["type"] == "array";
        if !is_page {
            continue;
        }
        lists += 1;
        assert!(schema["properties"]["next_cursor"].is_object(), "{} ({schema_ref}): no next_cursor", o.id);
        let query = query_params(&o.op);
        for p in ["limit", "cursor"] {
            assert!(query.iter().any(|q| q == p), "{}: no `{p}` query parameter ({query:?})", o.id);
        }
    }
    assert!(lists >= 10, "{lists} paged lists");
}

/// Operations that answer without the usual limits, and why.
const NO_RATE_LIMIT: &[&str] = &[
    // Health and metrics are for probes; tracking pixels and links, the public form's page, script,
    // preflight and thank-you page, and the unsubscribe page answer whatever comes.
    "healthz",
    "readyz",
    "metrics",
    "track_email_click",
    "track_email_open",
    "describe_public_form",
    "public_form_embed_js",
    "public_form_preflight",
    "public_form_thanks",
    "unsubscribe_page",
    "unsubscribe",
    // Per-IP login throttling covers sign-in; these have no account to throttle yet, or take a single-use
    // token of 256 random bits (an invitation's, a password reset's) that guessing cannot find.
    "signup",
    "accept_invite",
    "invite_preview",
    "confirm_password_reset",
    "refresh",
    "receive_inbound_email",
    // A calendar app polls it; its token is 256 random bits (only its hash is stored) that guessing cannot find.
    "public_calendar_feed",
];

#[test]
fn every_operation_declares_its_errors_as_problem_json() {
    let spec = spec();
    for o in operations(&spec) {
        let codes = statuses(&o.op);
        let has = |c: &str| codes.iter().any(|x| x == c);
        for code in codes.iter().filter(|c| c.starts_with('4') || c.starts_with('5')) {
            let r = resolve(&spec, &o.op["responses"][code.as_str()]);
            assert!(
                r["content"]["application/problem+json"].is_object(),
                "{} {}: {code} is not application/problem+json",
                o.method,
                o.path
            );
        }
        if secured(&o.op) {
            assert!(has("401"), "{}: secured but no 401", o.id);
            if o.id != "receive_inbound_email" {
                assert!(has("403"), "{}: secured but no 403", o.id);
            }
        }
        if o.op["requestBody"].is_object() {
            for code in ["400", "413", "415", "422"] {
                assert!(has(code), "{}: takes a body but declares no {code}", o.id);
            }
        }
        if o.path.contains('{') {
            assert!(has("404"), "{}: addresses a resource but declares no 404", o.id);
        }
        if !NO_RATE_LIMIT.contains(&o.id.as_str()) {
            assert!(has("429"), "{}: no 429", o.id);
        }
        if !["healthz", "metrics"].contains(&o.id.as_str()) {
            assert!(has("503"), "{}: no 503 when the database is away", o.id);
        }
    }
}
