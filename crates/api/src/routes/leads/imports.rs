//! CSV imports of leads: upload (streamed), map, dry run, start, follow, download results.

use actix_web::http::StatusCode;
use actix_web::{get, post, put, web, HttpResponse};
use kith_domain::leads::imports::*;
use kith_domain::{ImportId, Problem};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::{json_response, ok};
use crate::http::input::valid;
use crate::state::AppState;

/// Uploads may be far larger than JSON bodies; they are streamed into the database, never held whole.
pub const UPLOAD_LIMIT: usize = 512 * 1024 * 1024;

/// Upload a CSV file (the body, `text/csv`); its first line names the columns. Returns the import
/// with a suggested column mapping. Up to 512 MiB, streamed.
#[utoipa::path(
    operation_id = "upload_import",
    tag = "imports",
    security(("bearer" = [])),
    params(UploadQuery),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = ImportView), (status = 403, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem))
)]
#[post("/imports")]
pub async fn upload(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    q: web::Query<UploadQuery>,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    crate::http::input::require_csv(&req)?;
    let (tx, reader) = crate::http::upload::channel();
    let name = q.into_inner().file_name.unwrap_or_else(|| "import.csv".into());
    let stored = state.db(move |c| kith_db::leads::imports::upload(c, auth.scope(), &name, reader));
    let feed = crate::http::upload::feed(body, tx, UPLOAD_LIMIT as u64, "Imports are limited to 512 MiB.".into());
    let (fed, stored) = tokio::join!(feed, stored);
    fed?;
    json_response(StatusCode::CREATED, &stored?)
}

#[utoipa::path(
    operation_id = "get_import",
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = ImportId, Path)),
    responses((status = 200, body = ImportView), (status = 404, body = Problem))
)]
#[get("/imports/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<ImportId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let view = state.db(move |c| kith_db::leads::imports::get(c, auth.scope(), id)).await?;
    ok(&view)
}

/// Map the file's columns to lead fields and choose the duplicate policy.
#[utoipa::path(
    operation_id = "map_import",
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = ImportId, Path)),
    request_body = ImportMapping,
    responses((status = 200, body = ImportView), (status = 404, body = Problem), (status = 422, body = Problem))
)]
#[put("/imports/{id}/mapping")]
pub async fn mapping(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<ImportId>,
    body: web::Json<ImportMapping>,
) -> ApiResult<HttpResponse> {
    let mapping = valid(body.into_inner())?;
    let id = id.into_inner();
    let view = state.db(move |c| kith_db::leads::imports::set_mapping(c, auth.scope(), id, &mapping)).await?;
    ok(&view)
}

/// Check every row without importing — invalid rows, duplicates of leads you may change, duplicates
/// within the file — in the background: follow `check` on the import, read the findings with GET
/// on this path. Asking again starts over; a new mapping clears the check.
#[utoipa::path(
    operation_id = "dry_run_import",
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = ImportId, Path)),
    responses((status = 202, body = ImportView), (status = 404, body = Problem), (status = 422, body = Problem))
)]
#[post("/imports/{id}/dry-run")]
pub async fn dry_run(state: web::Data<AppState>, auth: Auth, id: web::Path<ImportId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let view = state.db(move |c| kith_db::leads::imports::dry_run(c, auth.scope(), id)).await?;
    json_response(StatusCode::ACCEPTED, &view)
}

/// What the dry run found so far (complete when `status` is `done`): counts, the first 100 invalid
/// rows and the first 100 duplicates.
#[utoipa::path(
    operation_id = "import_check_report",
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = ImportId, Path)),
    responses((status = 200, body = DryRunReport), (status = 404, body = Problem), (status = 422, body = Problem))
)]
#[get("/imports/{id}/dry-run")]
pub async fn dry_run_report(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<ImportId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let report = state.db(move |c| kith_db::leads::imports::check_report(c, auth.scope(), id)).await?;
    ok(&report)
}

/// Start importing in the background; follow the progress with GET.
#[utoipa::path(
    operation_id = "start_import",
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = ImportId, Path)),
    responses((status = 202, body = ImportView), (status = 404, body = Problem), (status = 422, body = Problem))
)]
#[post("/imports/{id}/start")]
pub async fn start(state: web::Data<AppState>, auth: Auth, id: web::Path<ImportId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let view = state.db(move |c| kith_db::leads::imports::start(c, auth.scope(), id)).await?;
    json_response(StatusCode::ACCEPTED, &view)
}

/// Each row's outcome: created, updated, skipped (duplicate) or failed with the reason.
#[utoipa::path(
    operation_id = "import_results_csv",
    tag = "imports",
    security(("bearer" = [])),
    params(("id" = ImportId, Path)),
    responses((status = 200, description = "CSV", content_type = "text/csv"), (status = 404, body = Problem))
)]
#[get("/imports/{id}/results.csv")]
pub async fn results(state: web::Data<AppState>, auth: Auth, id: web::Path<ImportId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let csv = state.db(move |c| kith_db::leads::imports::results_csv(c, auth.scope(), id)).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", "attachment; filename=\"import-results.csv\""))
        .body(csv))
}
