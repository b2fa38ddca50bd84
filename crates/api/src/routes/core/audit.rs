//! The audit trail and the recycle bin.

use actix_web::{get, web, HttpResponse};
use kith_domain::core::audit::{AuditEntry, AuditQuery};
use kith_domain::core::page::{Page, PageQuery};
use kith_domain::core::recycle::RecycleBinItem;
use kith_domain::Problem;

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::ok;
use crate::state::AppState;

/// Audit entries, newest first: one record's history (`entity` + `entity_id`), or the whole trail.
#[utoipa::path(
    operation_id = "list_audit_entries",
    tag = "audit",
    security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, body = Page<AuditEntry>), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[get("/audit")]
pub async fn list(state: web::Data<AppState>, auth: Auth, q: web::Query<AuditQuery>) -> ApiResult<HttpResponse> {
    let page = state.db(move |c| kith_db::core::audit::list(c, auth.scope(), &q)).await?;
    ok(&page)
}

/// Deleted records that can still be restored, newest first.
#[utoipa::path(
    operation_id = "list_recycle_bin",
    tag = "audit",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, body = Page<RecycleBinItem>), (status = 403, body = Problem))
)]
#[get("/recycle-bin")]
pub async fn recycle_bin(state: web::Data<AppState>, auth: Auth, q: web::Query<PageQuery>) -> ApiResult<HttpResponse> {
    let page = state.db(move |c| kith_db::core::recycle::list(c, auth.scope(), &q)).await?;
    ok(&page)
}
