//! A lead's attachments: upload and list (the shared work is in `routes::attachments`).

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use kith_domain::core::attachments::{AttachmentUpload, AttachmentView};
use kith_domain::core::page::{Page, PageQuery};
use kith_domain::{LeadId, Problem};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::idempotency::IdempotencyKey;
use crate::routes::core::attachments::{list_of, upload_to, FileBytes};
use crate::state::AppState;

const LEAD: &str = kith_db::leads::ENTITY;

/// Attach a file to a lead: the file's bytes as the body (`application/octet-stream`, streamed;
/// up to 25 MiB by default), its name in `name`. Accepted: pdf, png, jpg/jpeg, gif, webp, txt, csv,
/// eml, docx, xlsx, pptx, odt, ods, doc, xls, ppt, zip — the name's extension and the bytes must
/// agree (415 otherwise); HTML and SVG are never accepted. Needs the right to change the lead.
#[utoipa::path(
    operation_id = "upload_lead_attachment",
    tag = "attachments",
    security(("bearer" = [])),
    params(("id" = LeadId, Path), AttachmentUpload, ("Idempotency-Key" = Option<String>, Header)),
    request_body(content = FileBytes, content_type = "application/octet-stream", description = "The file's bytes"),
    responses(
        (status = 201, description = "Attached", body = AttachmentView),
        (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 413, description = "Larger than the attachment limit; nothing is kept", body = Problem),
        (status = 415, description = "Not an accepted kind of file, or its bytes do not match its name", body = Problem),
        (status = 422, body = Problem)
    )
)]
#[post("/leads/{id}/attachments")]
pub async fn upload(
    req: HttpRequest,
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    id: web::Path<LeadId>,
    q: web::Query<AttachmentUpload>,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    upload_to(req, state, auth, key, (LEAD, id.into_inner().to_string()), q.into_inner().name, body).await
}

/// The lead's attachments, newest first.
#[utoipa::path(
    operation_id = "list_lead_attachments",
    tag = "attachments",
    security(("bearer" = [])),
    params(("id" = LeadId, Path), PageQuery),
    responses((status = 200, body = Page<AttachmentView>), (status = 404, body = Problem))
)]
#[get("/leads/{id}/attachments")]
pub async fn list(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<LeadId>,
    q: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    list_of(state, auth, (LEAD, id.into_inner().to_string()), q.into_inner()).await
}
