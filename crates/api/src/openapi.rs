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
        (name = "audit", description = "Audit trail and recycle bin"),
        (name = "leads", description = "Leads: capture, status, owner, score, timeline"),
        (name = "lead_config", description = "Scoring rules, assignment rules, lead settings"),
        (name = "custom_fields", description = "Custom lead fields admins define (typed, validated, filterable)"),
        (name = "web_forms", description = "Lead capture forms for websites"),
        (name = "sequences", description = "Autoresponder sequences and enrollments"),
        (name = "imports", description = "CSV imports of leads"),
        (name = "call_lists", description = "Call lists and the agents' call queue"),
        (name = "public_forms", description = "What websites call: no authentication, hardened"),
        (name = "inbound", description = "Email inquiries posted by a mail provider, and their settings"),
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
