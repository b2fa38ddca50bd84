//! Attachments (a kernel feature: any record kind that registers `read_one`/`write_one` takes
//! them). This module holds the operations on one attachment and the upload and list every record
//! kind's routes share; a context adds its two routes (`POST`/`GET /<records>/{id}/attachments`).
//!
//! An upload is the file's bytes as the body (`application/octet-stream`) and its name in the query.
//! It is streamed to a spool file under the data directory (never held in memory), hashed and
//! checked as it arrives, refused past the size limit (413, also up front from `Content-Length`) or
//! when its name and bytes are not an accepted kind (415); then stored under a server-made key and
//! recorded in one transaction. Whatever fails, no file is left behind.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use actix_web::body::SizedStream;
use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use kith_domain::core::attachments::{classify, display_name, AttachmentView, FileKind, TextCheck, SNIFF_BYTES};
use kith_domain::core::page::{Page, PageQuery};
use kith_domain::{AttachmentId, ErrorCode, FieldError, Problem};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::http::etag::ok;
use crate::http::idempotency::{create_once, IdempotencyKey};
use crate::http::upload;
use crate::state::AppState;

/// A file's bytes, as an upload's body and a download's answer.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct FileBytes(pub Vec<u8>);

/// The media type an upload is sent as.
pub const UPLOAD_MEDIA_TYPE: &str = "application/octet-stream";

/// The policy a download is served with: nothing in it runs, even if a browser renders it.
const DOWNLOAD_CSP: &str = "sandbox; default-src 'none'";

/// A spool file that is removed when dropped, unless it was handed to the store (then it is gone
/// already and the removal finds nothing).
struct Spool(PathBuf);

impl Drop for Spool {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// What spooling learned about the file.
struct Spooled {
    size: u64,
    sha256: String,
    head: Vec<u8>,
    utf8_text: bool,
}

fn spool(mut body: impl Read, to: &Path) -> std::io::Result<Spooled> {
    let mut file = std::fs::File::create_new(to)?;
    let (mut hasher, mut text, mut head, mut size) = (Sha256::new(), TextCheck::default(), Vec::new(), 0u64);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = body.read(&mut buf)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        hasher.update(chunk);
        text.feed(chunk);
        if head.len() < SNIFF_BYTES {
            head.extend_from_slice(&chunk[..chunk.len().min(SNIFF_BYTES - head.len())]);
        }
        size += n as u64;
        file.write_all(chunk)?;
    }
    file.sync_all()?;
    Ok(Spooled { size, sha256: format!("{:x}", hasher.finalize()), head, utf8_text: text.finish() })
}

/// What makes two uploads "the same request" for `Idempotency-Key`: the name and the content.
#[derive(Serialize)]
struct Fingerprint {
    name: String,
    sha256: String,
    size: u64,
}

fn unsupported(detail: impl Into<String>) -> ApiError {
    ApiError::code(ErrorCode::UnsupportedMediaType, detail)
}

/// Upload a file onto a record of `record_kind` (the shared work of every record kind's upload route).
pub async fn upload_to(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    (record_kind, record_id): (&'static str, String),
    raw_name: String,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    if raw_name.chars().count() > 1024 {
        return Err(ApiError::Validation(vec![FieldError::new("name", "length", "At most 1024 characters.")]));
    }
    let name = display_name(&raw_name).ok_or_else(|| {
        ApiError::Validation(vec![FieldError::new("name", "invalid", "Give the file's name, e.g. proposal.pdf.")])
    })?;
    let media = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if media.split(';').next().unwrap_or("").trim().to_ascii_lowercase() != UPLOAD_MEDIA_TYPE {
        return Err(unsupported(format!("Send the file's bytes as the body, with Content-Type: {UPLOAD_MEDIA_TYPE}.")));
    }
    let limit = state.config.attachment_max_bytes;
    let too_large = format!("Attachments are limited to {limit} bytes.");
    upload::check_declared_length(&req, limit, &too_large)?;
    // The kind the name claims, before reading anything (an .html file is refused at once).
    FileKind::from_name(&name).map_err(|e| unsupported(e.to_string()))?;
    // Access before the body: a caller who may not attach here uploads nothing.
    let (scope, rid) = (auth.0.clone(), record_id.clone());
    state.db(move |c| kith_db::core::attachments::may_attach(c, &scope, record_kind, &rid)).await?;

    let store = state.attachments.clone();
    let spool_file = Spool(store.spool_dir().join(uuid::Uuid::now_v7().to_string()));
    let (tx, reader) = upload::channel();
    let path = spool_file.0.clone();
    let spooled = async move {
        web::block(move || spool(reader, &path))
            .await
            .map_err(|e| ApiError::Internal(format!("spool task: {e}")))?
            .map_err(|e| ApiError::Internal(format!("spool an upload: {e}")))
    };
    let (fed, spooled) = tokio::join!(upload::feed(body, tx, limit, too_large), spooled);
    fed?;
    let spooled = spooled?;
    let kind =
        classify(&name, &spooled.head, spooled.size, spooled.utf8_text).map_err(|e| unsupported(e.to_string()))?;

    let storage_key = kith_db::core::attachments::store::new_key(auth.scope().org_id());
    let (put_store, put_key, from) = (store.clone(), storage_key.clone(), spool_file.0.clone());
    web::block(move || put_store.put(&put_key, &from))
        .await
        .map_err(|e| ApiError::Internal(format!("store task: {e}")))?
        .map_err(|e| ApiError::Internal(format!("store an attachment: {e}")))?;
    let new = kith_db::core::attachments::NewAttachment {
        record_kind,
        record_id,
        content_type: kind.content_type(&name).to_owned(),
        file_name: name.clone(),
        size: i64::try_from(spooled.size).unwrap_or(i64::MAX),
        sha256: spooled.sha256.clone(),
        storage_key: storage_key.clone(),
    };
    let fingerprint = Fingerprint { name, sha256: spooled.sha256, size: spooled.size };
    let created = create_once(&state, auth.0, key, fingerprint, move |c, scope, _| {
        kith_db::core::attachments::create(c, scope, &new)
    })
    .await;
    // The bytes stay only with the row that names them: a failure, or a replay of an earlier upload
    // (whose own file is the one kept), removes this upload's copy.
    let replayed = created.as_ref().is_ok_and(|r| r.headers().contains_key("idempotent-replayed"));
    if created.is_err() || replayed {
        let _ = web::block(move || store.delete(&storage_key)).await;
    }
    created
}

/// A record's attachments, newest first (the shared work of every record kind's list route).
pub async fn list_of(
    state: web::Data<AppState>,
    auth: Auth,
    (record_kind, record_id): (&'static str, String),
    q: PageQuery,
) -> ApiResult<HttpResponse> {
    let page: Page<AttachmentView> =
        state.db(move |c| kith_db::core::attachments::list(c, auth.scope(), record_kind, &record_id, &q)).await?;
    ok(&page)
}

/// An attachment's metadata: name, type, size, checksum, who uploaded it and when.
#[utoipa::path(
    operation_id = "get_attachment",
    tag = "attachments",
    security(("bearer" = [])),
    params(("id" = AttachmentId, Path)),
    responses((status = 200, body = AttachmentView), (status = 404, body = Problem))
)]
#[get("/attachments/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<AttachmentId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let view = state.db(move |c| kith_db::core::attachments::get(c, auth.scope(), id)).await?;
    ok(&view)
}

/// Download an attachment's bytes, streamed: always as a download (`Content-Disposition:
/// attachment`), with the media type of its kind (never the uploader's), `nosniff` and a
/// `sandbox` Content-Security-Policy, so nothing in it runs in the application's origin.
#[utoipa::path(
    operation_id = "download_attachment",
    tag = "attachments",
    security(("bearer" = [])),
    params(("id" = AttachmentId, Path)),
    responses(
        (status = 200, description = "The file's bytes; `Content-Type` is the media type of its kind (application/pdf, image/png, text/plain; charset=utf-8 …)",
         content_type = "application/octet-stream", body = FileBytes,
         headers(("Content-Disposition" = String, description = "attachment; filename=\"…\"; filename*=UTF-8''…"))),
        (status = 404, body = Problem)
    )
)]
#[get("/attachments/{id}/content")]
pub async fn content(state: web::Data<AppState>, auth: Auth, id: web::Path<AttachmentId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let (view, storage_key) = state.db(move |c| kith_db::core::attachments::content(c, auth.scope(), id)).await?;
    let store = state.attachments.clone();
    let mut file = web::block(move || store.open(&storage_key))
        .await
        .map_err(|e| ApiError::Internal(format!("open task: {e}")))?
        .map_err(|e| ApiError::Internal(format!("open attachment {id}: {e}")))?;
    // Read on a blocking thread, a chunk at a time, as the client takes them.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<bytes::Bytes, std::io::Error>>(4);
    tokio::task::spawn_blocking(move || {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let chunk = match file.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => Ok(bytes::Bytes::copy_from_slice(&buf[..n])),
                Err(e) => Err(e),
            };
            let failed = chunk.is_err();
            if tx.blocking_send(chunk).is_err() || failed {
                return;
            }
        }
    });
    let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let size = u64::try_from(view.size).unwrap_or(0);
    Ok(HttpResponse::Ok()
        .content_type(view.content_type.as_str())
        .insert_header((
            header::CONTENT_DISPOSITION,
            kith_domain::core::attachments::content_disposition(&view.file_name),
        ))
        .insert_header((header::CONTENT_SECURITY_POLICY, DOWNLOAD_CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(SizedStream::new(size, stream)))
}

/// Move an attachment to the recycle bin (restorable for 30 days). Needs the right to change its
/// record.
#[utoipa::path(
    operation_id = "delete_attachment",
    tag = "attachments",
    security(("bearer" = [])),
    params(("id" = AttachmentId, Path)),
    responses((status = 204, description = "In the recycle bin"), (status = 404, body = Problem))
)]
#[delete("/attachments/{id}")]
pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<AttachmentId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::core::attachments::delete(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Bring an attachment back from the recycle bin onto its record.
#[utoipa::path(
    operation_id = "restore_attachment",
    tag = "attachments",
    security(("bearer" = [])),
    params(("id" = AttachmentId, Path)),
    responses((status = 200, body = AttachmentView), (status = 404, body = Problem))
)]
#[post("/attachments/{id}/restore")]
pub async fn restore(state: web::Data<AppState>, auth: Auth, id: web::Path<AttachmentId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let view = state.db(move |c| kith_db::core::attachments::restore(c, auth.scope(), id)).await?;
    ok(&view)
}
