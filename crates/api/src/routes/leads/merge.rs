//! Duplicate leads: the likely pairs, merging one lead into another, and undoing a merge.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use kith_domain::leads::merge::{DuplicateQuery, DuplicateReport, LeadMerge, LeadMergeResult, LeadMergeUndone};
use kith_domain::{LeadMergeId, Problem};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::ok;
use crate::http::idempotency::{run_once, IdempotencyKey};
use crate::http::input::valid;
use crate::state::AppState;

/// Likely duplicate pairs among the caller's visible, live leads, most certain first: the same
/// email, the same phone, the same full name at the same company domain, or similar names
/// (Jaro-Winkler ≥ 0.92) at the same company domain or company name. Converted leads are left out.
/// To bound the work, only the 20,000 most recently updated leads changed within the last two years
/// are compared (`leads_scanned` says how many were); `truncated` says more pairs exist.
#[utoipa::path(
    operation_id = "list_duplicate_leads",
    tag = "leads",
    security(("bearer" = [])),
    params(DuplicateQuery),
    responses((status = 200, body = DuplicateReport), (status = 403, body = Problem))
)]
#[get("/leads/duplicates")]
pub async fn duplicates(
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<DuplicateQuery>,
) -> ApiResult<HttpResponse> {
    let report = state.db(move |c| kith_db::leads::duplicates::duplicates(c, auth.scope(), &q)).await?;
    ok(&report)
}

/// Merge `merge_id` into `keep_id` in one step: per field, the kept lead takes the value chosen in
/// `fields` (default: its own); tags are united; the merged lead's timeline moves to the kept lead;
/// the merged lead goes to the recycle bin. Both leads must be yours to change and not converted.
/// Undo within 30 days with the returned merge id.
#[utoipa::path(
    operation_id = "merge_leads",
    tag = "leads",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header)),
    request_body = LeadMerge,
    responses(
        (status = 200, body = LeadMergeResult), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)
    )
)]
#[post("/leads/merge")]
pub async fn merge(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<LeadMerge>,
) -> ApiResult<HttpResponse> {
    run_once(&state, auth.0, key, valid(body.into_inner())?, |c, scope, merge| {
        kith_db::leads::merge::merge(c, scope, merge).map(|r| (StatusCode::OK, r))
    })
    .await
}

/// Undo a merge (within 30 days): the merged lead comes back from the recycle bin with its
/// timeline, and the kept lead gets back the fields, owner and tags it had before the merge.
#[utoipa::path(
    operation_id = "undo_lead_merge",
    tag = "leads",
    security(("bearer" = [])),
    params(("merge_id" = LeadMergeId, Path)),
    responses((status = 200, body = LeadMergeUndone), (status = 404, body = Problem), (status = 422, body = Problem))
)]
#[post("/leads/merges/{merge_id}/undo")]
pub async fn undo(state: web::Data<AppState>, auth: Auth, merge_id: web::Path<LeadMergeId>) -> ApiResult<HttpResponse> {
    let id = merge_id.into_inner();
    let undone = state.db(move |c| kith_db::leads::merge::undo(c, auth.scope(), id)).await?;
    ok(&undone)
}
