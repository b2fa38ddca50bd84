//! Leads: the records, and under them the capture channels (web forms and their public endpoints,
//! inbound email, imports, call lists), merging, saved views and the scoring and assignment rules.

pub mod attachments;
pub mod call_lists;
pub mod imports;
pub mod inbound;
pub mod merge;
pub mod public_forms;
pub mod rules;
pub mod views;
pub mod webforms;

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use futures_util::StreamExt;
use kith_db::leads::{Capture, Captured};
use kith_domain::core::audit::ActorKind;
use kith_domain::core::page::{Page, PageQuery};
use kith_domain::core::validation::{merge_errors, Check};
use kith_domain::leads::*;
use kith_domain::{FieldError, LeadId, Problem};

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::http::etag::{ok, IfMatch};
use crate::http::idempotency::{run_once, IdempotencyKey};
use crate::http::input::valid;
use crate::state::AppState;
use utoipa_actix_web::{scope, service_config::ServiceConfig};

/// The caller's leads (their role decides own/team/all), filtered, searched and sorted.
#[utoipa::path(
    operation_id = "list_leads",
    tag = "leads",
    security(("bearer" = [])),
    params(LeadListQuery),
    responses((status = 200, body = Page<LeadView>), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[get("/leads")]
pub async fn list(state: web::Data<AppState>, auth: Auth, q: web::Query<LeadListQuery>) -> ApiResult<HttpResponse> {
    let page = state.db(move |c| kith_db::leads::list(c, auth.scope(), &q)).await?;
    ok(&page)
}

/// How many leads the list with these filters shows (`limit`, `cursor` and `sort` are ignored),
/// counted up to 1,000: past that `more` is true, so counting stays cheap however many leads there are.
#[utoipa::path(
    operation_id = "count_leads",
    tag = "leads",
    security(("bearer" = [])),
    params(LeadListQuery),
    responses((status = 200, body = LeadCount), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[get("/leads/count")]
pub async fn count(state: web::Data<AppState>, auth: Auth, q: web::Query<LeadListQuery>) -> ApiResult<HttpResponse> {
    let counted = state.db(move |c| kith_db::leads::count(c, auth.scope(), &q)).await?;
    ok(&counted)
}

/// Create a lead. Without an owner, the assignment rules choose one; it is scored at once. When the
/// duplicate rule (lead settings) finds an existing lead, the capture is attached to that lead and it
/// is returned with 200 instead of 201.
#[utoipa::path(
    operation_id = "create_lead",
    tag = "leads",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body = NewLead,
    responses(
        (status = 201, description = "Created", body = LeadView),
        (status = 200, description = "Attached to an existing lead", body = LeadView),
        (status = 403, body = Problem), (status = 422, body = Problem)
    )
)]
#[post("/leads")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<NewLead>,
) -> ApiResult<HttpResponse> {
    let new = body.into_inner().tidy();
    refuse_with_custom_values(&state, &auth, new.problems(), &new.custom, true).await?;
    let source = if auth.scope().actor_kind() == ActorKind::ApiKey { LeadSource::Api } else { LeadSource::Manual };
    run_once(&state, auth.0, key, new, move |c, scope, new| {
        let how = Capture { source, event: LeadEventKind::Created, note: None };
        Ok(match kith_db::leads::capture(c, scope, new, &how)? {
            Captured::New(lead) => (StatusCode::CREATED, lead),
            Captured::Attached(lead) => (StatusCode::OK, lead),
        })
    })
    .await
}

/// Refuse a lead input its own rules refuse, naming what is wrong with its custom values in the
/// same answer (those need the organization's definitions), so every field error comes at once.
async fn refuse_with_custom_values(
    state: &web::Data<AppState>,
    auth: &Auth,
    mut problems: Vec<FieldError>,
    custom: &BTreeMap<String, serde_json::Value>,
    check_required: bool,
) -> ApiResult<()> {
    if problems.is_empty() {
        return Ok(());
    }
    let (scope, custom) = (auth.scope().clone(), custom.clone());
    let more = state.db(move |c| kith_db::leads::custom_value_problems(c, &scope, &custom, check_required)).await?;
    merge_errors(&mut problems, more);
    Err(ApiError::Validation(problems))
}

/// A lead with its score explained rule by rule.
#[utoipa::path(
    operation_id = "get_lead",
    tag = "leads",
    security(("bearer" = [])),
    params(("id" = LeadId, Path)),
    responses((status = 200, body = LeadDetail), (status = 404, body = Problem))
)]
#[get("/leads/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<LeadId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let detail = state.db(move |c| kith_db::leads::get(c, auth.scope(), id)).await?;
    ok(&detail)
}

/// Change a lead: fields, status (through the status machine), owner, tags.
#[utoipa::path(
    operation_id = "update_lead",
    tag = "leads",
    security(("bearer" = [])),
    params(("id" = LeadId, Path), ("If-Match" = String, Header)),
    request_body = LeadPatch,
    responses(
        (status = 200, body = LeadView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)
    )
)]
#[patch("/leads/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<LeadId>,
    if_match: IfMatch,
    body: web::Json<LeadPatch>,
) -> ApiResult<HttpResponse> {
    let patch = body.into_inner();
    refuse_with_custom_values(&state, &auth, patch.problems(), &patch.custom, false).await?;
    let id = id.into_inner();
    let lead = state.db(move |c| kith_db::leads::update(c, auth.scope(), id, if_match.0, &patch)).await?;
    ok(&lead)
}

/// Move a lead to the recycle bin.
#[utoipa::path(
    operation_id = "delete_lead",
    tag = "leads",
    security(("bearer" = [])),
    params(("id" = LeadId, Path)),
    responses((status = 204, description = "In the recycle bin"), (status = 404, body = Problem))
)]
#[delete("/leads/{id}")]
pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<LeadId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::leads::delete(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(
    operation_id = "restore_lead",
    tag = "leads",
    security(("bearer" = [])),
    params(("id" = LeadId, Path)),
    responses((status = 200, body = LeadView), (status = 404, body = Problem))
)]
#[post("/leads/{id}/restore")]
pub async fn restore(state: web::Data<AppState>, auth: Auth, id: web::Path<LeadId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let lead = state.db(move |c| kith_db::leads::restore(c, auth.scope(), id)).await?;
    ok(&lead)
}

/// The lead's timeline: creation, captures, status and owner changes, activities — with the events of
/// the records linked to it that the caller may read. Oldest first, keyset-paged.
#[utoipa::path(
    operation_id = "list_lead_events",
    tag = "leads",
    security(("bearer" = [])),
    params(("id" = LeadId, Path), PageQuery),
    responses((status = 200, body = Page<LeadEvent>), (status = 404, body = Problem), (status = 422, body = Problem))
)]
#[get("/leads/{id}/events")]
pub async fn events(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<LeadId>,
    q: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let events = state.db(move |c| kith_db::leads::events(c, auth.scope(), id, &q)).await?;
    ok(&events)
}

/// The emails Kith sent or queued to the lead (sequence steps), newest first, with delivery state and
/// opens and clicks.
#[utoipa::path(
    operation_id = "list_lead_emails",
    tag = "leads",
    security(("bearer" = [])),
    params(("id" = LeadId, Path), PageQuery),
    responses((status = 200, body = Page<LeadEmailView>), (status = 404, body = Problem))
)]
#[get("/leads/{id}/emails")]
pub async fn emails(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<LeadId>,
    q: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let page = state.db(move |c| kith_db::marketing::email_engagement::lead_emails(c, auth.scope(), id, &q)).await?;
    ok(&page)
}

/// Record something the lead did (page visit, email opened/clicked/replied, meeting held, form
/// submitted elsewhere); the lead is rescored.
#[utoipa::path(
    tag = "leads",
    security(("bearer" = [])),
    params(("id" = LeadId, Path), ("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = NewLeadActivity,
    responses((status = 200, body = LeadDetail), (status = 404, body = Problem), (status = 422, body = Problem))
)]
#[post("/leads/{id}/activities")]
pub async fn add_activity(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<LeadId>,
    key: IdempotencyKey,
    body: web::Json<NewLeadActivity>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    run_once(&state, auth.0, key, valid(body.into_inner())?, move |c, scope, activity| {
        kith_db::leads::add_activity(c, scope, id, activity).map(|d| (StatusCode::OK, d))
    })
    .await
}

/// Assign, change status or tag up to 500 leads at once; each lead changes wholly or not at all.
#[utoipa::path(
    operation_id = "bulk_update_leads",
    tag = "leads",
    security(("bearer" = [])),
    request_body = BulkLeadUpdate,
    responses((status = 200, body = BulkResult), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/leads/bulk")]
pub async fn bulk(state: web::Data<AppState>, auth: Auth, body: web::Json<BulkLeadUpdate>) -> ApiResult<HttpResponse> {
    let bulk = valid(body.into_inner())?;
    let result = state.db(move |c| kith_db::leads::bulk_update(c, auth.scope(), &bulk)).await?;
    ok(&result)
}

/// Every lead a list query selects as CSV, streamed page by page (any number of leads), with a column
/// `custom.<key>` per custom field. Cells that a spreadsheet would run as a formula are prefixed with `'`
/// (imports take it off).
#[utoipa::path(
    operation_id = "export_leads_csv",
    tag = "leads",
    security(("bearer" = [])),
    params(LeadListQuery),
    responses(
        (status = 200, description = "RFC 4180 CSV", content_type = "text/csv"),
        (status = 403, body = Problem),
        (status = 422, body = Problem)
    )
)]
#[get("/leads/export.csv")]
pub async fn export(state: web::Data<AppState>, auth: Auth, q: web::Query<LeadListQuery>) -> ApiResult<HttpResponse> {
    let query = q.into_inner();
    let scope = auth.0;
    let (start_scope, start_query) = (scope.clone(), query.clone());
    let (columns, header) = state.db(move |c| kith_db::leads::export_start(c, &start_scope, &start_query)).await?;
    let columns = std::sync::Arc::new(columns);
    // The header first, then one page per step until the last page. An error after the first byte can
    // only end the download early (the status line is already sent), so it is logged.
    let pages = futures_util::stream::unfold(Some(None), move |next: Option<Option<String>>| {
        let (state, scope, query, columns) = (state.clone(), scope.clone(), query.clone(), columns.clone());
        async move {
            let cursor = next?;
            let page = state.db(move |c| kith_db::leads::export_page(c, &scope, &query, &columns, cursor)).await;
            match page {
                Ok((bytes, next_cursor)) => Some((Ok::<_, ApiError>(web::Bytes::from(bytes)), next_cursor.map(Some))),
                Err(e) => {
                    tracing::warn!(error = %e, "lead export stopped early");
                    Some((Err(e), None))
                }
            }
        }
    });
    let body = futures_util::stream::once(async move { Ok::<_, ApiError>(web::Bytes::from(header)) }).chain(pages);
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"leads.csv\""))
        .streaming(body))
}

/// The leads context's routes under `/api/v1`, in matching order.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg
        // Fixed paths before `/leads/{id}` so they are not read as ids.
        .service(export)
        .service(count)
        .service(bulk)
        .service(merge::duplicates)
        .service(merge::merge)
        .service(merge::undo)
        .service(list)
        .service(create)
        .service(get)
        .service(call_lists::list)
        .service(call_lists::create)
        .service(call_lists::get)
        .service(call_lists::add_contacts)
        .service(call_lists::next)
        .service(call_lists::log_call)
        .service(imports::upload)
        .service(imports::get)
        .service(imports::mapping)
        .service(imports::dry_run)
        .service(imports::dry_run_report)
        .service(imports::start)
        .service(imports::results)
        .service(update)
        .service(delete)
        .service(restore)
        .service(events)
        .service(attachments::upload)
        .service(attachments::list)
        .service(emails)
        .service(views::list)
        .service(views::create)
        .service(views::update)
        .service(views::delete)
        .service(add_activity)
        .service(rules::list_scoring)
        .service(rules::create_scoring)
        .service(rules::update_scoring)
        .service(rules::delete_scoring)
        .service(rules::list_assignment)
        .service(rules::create_assignment)
        .service(rules::update_assignment)
        .service(rules::delete_assignment)
        .service(rules::get_settings)
        .service(rules::put_settings)
        .service(webforms::list)
        .service(webforms::create)
        .service(webforms::get)
        .service(webforms::update)
        .service(webforms::delete)
        .service(webforms::restore)
        .service(webforms::embed)
        .service(public_forms::describe)
        .service(public_forms::preflight)
        .service(public_forms::submit)
        .service(public_forms::thanks)
        .service(public_forms::embed_js)
        // Raw messages up to 10 MiB on these routes only; `/settings` and `/secret` before `/{org_id}`.
        .service(
            scope::scope("/inbound/email")
                .app_data(inbound::payload_config())
                .service(inbound::settings)
                .service(inbound::rotate_secret)
                .service(inbound::receive),
        );
}
