//! CSV imports of leads: upload (streamed), map, dry run, start, follow, download results.

use std::io::Read;

use actix_web::http::StatusCode;
use actix_web::{get, post, put, web, HttpResponse};
use futures_util::StreamExt;
use kith_domain::leads::imports::*;
use kith_domain::{ErrorCode, ImportId, Problem};

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::http::etag::{json_response, ok};
use crate::http::input::valid;
use crate::state::AppState;

/// Uploads may be far larger than JSON bodies; they are streamed into the database, never held whole.
pub const UPLOAD_LIMIT: usize = 512 * 1024 * 1024;

/// Reads the request body chunk by chunk as it arrives from the async side.
struct ChannelReader {
    rx: tokio::sync::mpsc::Receiver<Result<bytes::Bytes, String>>,
    current: bytes::Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(std::io::Error::other(e)),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current.split_to(n));
        Ok(n)
    }
}

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
    mut body: web::Payload,
) -> ApiResult<HttpResponse> {
    crate::http::input::require_csv(&req)?;
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let name = q.into_inner().file_name.unwrap_or_else(|| "import.csv".into());
    let stored = state.db(move |c| {
        kith_db::leads::imports::upload(c, auth.scope(), &name, ChannelReader { rx, current: bytes::Bytes::new() })
    });
    let feed = async move {
        let mut total = 0usize;
        while let Some(chunk) = body.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => {
                    let _ = tx.send(Err(e.to_string())).await;
                    return Err(ApiError::bad_request("The upload was interrupted."));
                }
            };
            total += chunk.len();
            if total > UPLOAD_LIMIT {
                let _ = tx.send(Err("too large".into())).await;
                return Err(ApiError::code(ErrorCode::PayloadTooLarge, "Imports are limited to 512 MiB."));
            }
            if tx.send(Ok(chunk)).await.is_err() {
                break; // the reader stopped early (a CSV error); its error is the answer
            }
        }
        Ok(())
    };
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
