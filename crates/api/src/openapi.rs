//! The OpenAPI 3.1 document, generated from the route list and the domain types. The committed copy
//! in `openapi/openapi.json` is checked against it by a test; `make openapi` refreshes it.

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
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
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::api_v1)
        .configure(crate::routes::operations)
        .split_for_parts();
    api
}

/// The document as committed: pretty JSON with a trailing newline.
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
