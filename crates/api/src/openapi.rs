//! The OpenAPI 3.1 document, generated from the route list and the domain types. The committed copy
//! in `openapi/openapi.json` is checked against it by a test; `make openapi` refreshes it.

use actix_web::App;
use utoipa::openapi::header::Header;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, Ref, RefOr};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Kith API",
        description = "The REST API of Kith, an open-source CRM. Conventions (pagination, errors, \
                       concurrency, idempotency) are described in docs/API.md.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Sign-up, login, tokens"),
        (name = "me", description = "The signed-in user"),
        (name = "users", description = "Users of the organization"),
        (name = "teams", description = "Teams"),
        (name = "roles", description = "Roles and their grants"),
        (name = "api_keys", description = "API keys for integrators"),
        (name = "invites", description = "Invitations"),
        (name = "search", description = "Search across every kind of record the caller may read"),
        (name = "audit", description = "Audit trail and recycle bin"),
        (name = "leads", description = "Leads: capture, status, owner, score, timeline"),
        (name = "accounts", description = "Accounts: the companies you sell to, from prospect to customer"),
        (name = "contacts", description = "Contacts: the people at accounts"),
        (name = "potentials", description = "Potentials (deals): phases, amounts, the board, lead conversion"),
        (name = "pipeline_config", description = "Pipelines with their phases, and lost reasons"),
        (name = "lead_config", description = "Scoring rules, assignment rules, lead settings"),
        (name = "attachments", description = "Files kept with a record (leads today): upload, list, download, delete"),
        (name = "activities", description = "Calls, meetings, events, tasks, notes and logged emails on any record; My day; the private calendar feed"),
        (name = "public_calendar", description = "A user's private calendar feed, for calendar apps: the token in the address is the credential"),
        (name = "custom_fields", description = "Custom lead fields admins define (typed, validated, filterable)"),
        (name = "web_forms", description = "Lead capture forms for websites"),
        (name = "sequences", description = "Autoresponder sequences and enrollments"),
        (name = "imports", description = "CSV imports of leads"),
        (name = "call_lists", description = "Call lists and the agents' call queue"),
        (name = "public_forms", description = "What websites call: no authentication, hardened"),
        (name = "inbound", description = "Email inquiries posted by a mail provider, and their settings"),
        (name = "catalog", description = "Products and services, tax categories, price books"),
        (name = "operations", description = "Health and metrics"),
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An access token from /api/v1/auth/login, or an API key (kith_…)"))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "inbound_secret",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The organization's inbound email secret (kith_inbound_…)"))
                    .build(),
            ),
        );
    }
}

/// Build the document from the same route registrations the server uses.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::api_v1)
        .configure(crate::routes::operations)
        .split_for_parts();
    shared_responses(&mut api);
    headers_as_checked(&mut api);
    unsigned_ranges(api)
}

/// The headers every route reads the same way, with the values the server accepts.
fn headers_as_checked(api: &mut utoipa::openapi::OpenApi) {
    for item in api.paths.paths.values_mut() {
        let operations =
            [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.options, &mut item.patch];
        for op in operations.into_iter().flatten() {
            for param in op.parameters.iter_mut().flatten() {
                let (pattern, max, description) = if param.name.eq_ignore_ascii_case("Idempotency-Key") {
                    ("^[!-~]+$", 255, "1 to 255 visible ASCII characters; a retry with the same key and body replays the first response")
                } else if param.name.eq_ignore_ascii_case("If-Match") {
                    (
                        "^(W/)?\"?[0-9]{1,18}\"?$",
                        26,
                        "The record's ETag (its version in quotes, e.g. \"3\"): 428 without it or with `*`, \
                         400 when it is not a version, 412 when the record changed since",
                    )
                } else {
                    continue;
                };
                param.schema = Some(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .max_length(Some(max))
                        .pattern(Some(pattern))
                        .into(),
                );
                param.description = Some(description.into());
            }
        }
    }
}

/// utoipa writes unsigned 32-bit integers as `format: int32, minimum: 0`, which says 2^31 and above
/// are refused; the server takes every u32. Write what it takes: `minimum: 0, maximum: 4294967295`.
fn unsigned_ranges(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::schema::{AdditionalProperties, ArrayItems, KnownFormat, Schema, SchemaFormat};
    use utoipa::Number;
    fn walk(schema: &mut RefOr<Schema>) {
        let RefOr::T(schema) = schema else { return };
        match schema {
            Schema::Object(object) => {
                let int32 = matches!(object.format, Some(SchemaFormat::KnownFormat(KnownFormat::Int32)));
                let from_zero = match object.minimum {
                    Some(Number::Int(n)) => n == 0,
                    Some(Number::UInt(n)) => n == 0,
                    Some(Number::Float(f)) => f == 0.0,
                    None => false,
                };
                if int32 && from_zero && object.maximum.is_none() {
                    object.format = None;
                    object.maximum = Some(Number::UInt(u32::MAX as usize));
                }
                object.properties.values_mut().for_each(walk);
                if let Some(AdditionalProperties::RefOr(inner)) = object.additional_properties.as_deref_mut() {
                    walk(inner);
                }
            }
            Schema::Array(array) => {
                if let ArrayItems::RefOrSchema(items) = &mut array.items {
                    walk(items);
                }
            }
            Schema::OneOf(one) => one.items.iter_mut().for_each(walk),
            Schema::AllOf(all) => all.items.iter_mut().for_each(walk),
            Schema::AnyOf(any) => any.items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    if let Some(components) = api.components.as_mut() {
        components.schemas.values_mut().for_each(walk);
    }
    for item in api.paths.paths.values_mut() {
        let operations =
            [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.options, &mut item.patch];
        for op in operations.into_iter().flatten() {
            op.parameters.iter_mut().flatten().filter_map(|p| p.schema.as_mut()).for_each(walk);
            if let Some(body) = op.request_body.as_mut() {
                body.content.values_mut().filter_map(|c| c.schema.as_mut()).for_each(walk);
            }
        }
    }
    api
}

/// What the shared machinery answers, added to every operation it applies to, so the document says
/// what the server does without each handler repeating it:
/// - every error body is `application/problem+json` (the handlers' annotations say `body = Problem`);
/// - authenticated operations: 401 (no or bad credentials), 403 (the role or the kind of credential
///   does not allow it), 429 (API keys are rate limited, `Retry-After`);
/// - operations with a path parameter: 404 (also for a malformed id);
/// - operations with query parameters or a body: 400 (unreadable or mistyped input) and 422
///   (validation, NUL characters);
/// - operations taking a JSON body: 413 above the limit, 415 for another media type;
/// - everything that reads the database: 503 while it is unreachable.
fn shared_responses(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    for (path, item) in api.paths.paths.iter_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            for (status, response) in op.responses.responses.iter_mut() {
                if let (true, RefOr::T(response)) = (status.starts_with('4') || status.starts_with('5'), response) {
                    if let Some(content) = response.content.shift_remove("application/json") {
                        response.content.insert(PROBLEM.into(), content);
                    }
                }
            }
            let params = op.parameters.as_deref().unwrap_or_default();
            let has = |place: ParameterIn| params.iter().any(|p| p.parameter_in == place);
            let (has_path, has_query) = (has(ParameterIn::Path), has(ParameterIn::Query));
            let idempotent = params.iter().any(|p| p.name.eq_ignore_ascii_case("Idempotency-Key"));
            let versioned = params.iter().any(|p| p.name.eq_ignore_ascii_case("If-Match"));
            let body_types: Vec<String> =
                op.request_body.as_ref().map(|b| b.content.keys().cloned().collect()).unwrap_or_default();
            let json_body = body_types.iter().any(|t| t == "application/json");
            let authenticated = serde_json::to_string(&op.security).is_ok_and(|s| s.contains("\"bearer\""));
            let operational = matches!(path.as_str(), "/healthz" | "/metrics");

            if has_query || !body_types.is_empty() || idempotent {
                add(op, "400", "The request is malformed: unreadable or mistyped input.");
            }
            if authenticated {
                add(op, "401", "No credentials, or they are not valid (any more).");
                add(op, "403", "The role, or the kind of credential, does not allow this.");
            }
            if has_path {
                add(op, "404", "Not found (or not in your organization).");
            }
            if versioned {
                add(op, "400", "The request is malformed: unreadable or mistyped input.");
                add(op, "412", "The record changed since the version in If-Match.");
                add(op, "428", "If-Match is missing (or `*`): send the record's ETag.");
            }
            if !body_types.is_empty() {
                add(op, "413", "The body is larger than this operation accepts.");
                add(op, "415", "The body is not of a media type this operation accepts.");
            }
            if has_query || json_body {
                add(op, "422", "Some fields or parameters are not valid.");
            }
            if authenticated {
                add(op, "429", "Too many requests: wait for `Retry-After` seconds.");
            }
            if !operational {
                add(op, "503", "The database is not reachable; try again shortly.");
            }
        }
    }
}

const PROBLEM: &str = "application/problem+json";

fn add(op: &mut utoipa::openapi::path::Operation, status: &str, description: &str) {
    if op.responses.responses.contains_key(status) {
        return;
    }
    let mut response = ResponseBuilder::new()
        .description(description)
        .content(PROBLEM, Content::new(Some(Ref::from_schema_name("Problem"))));
    if status == "429" {
        response = response
            .header("Retry-After", Header::new(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0))));
    }
    op.responses.responses.insert(status.into(), RefOr::T(response.build()));
}

/// The document as committed: pretty JSON with a trailing newline.
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
