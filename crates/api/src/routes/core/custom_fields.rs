//! Custom fields: admins define them per record kind (leads so far); records carry their values under
//! `custom`.

use actix_web::{delete, get, patch, post, web, HttpResponse};
use kith_domain::core::custom_fields::*;
use kith_domain::{CustomFieldId, Problem};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::{ok, IfMatch};
use crate::http::idempotency::{create_once, IdempotencyKey};
use crate::state::AppState;

/// The custom fields of one record kind (`record_kind`), or of every kind the caller may read, by kind
/// and display order (a short configuration list, returned whole).
#[utoipa::path(
    operation_id = "list_custom_fields",
    tag = "custom_fields",
    security(("bearer" = [])),
    params(CustomFieldQuery),
    responses((status = 200, body = Vec<CustomFieldView>), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[get("/custom-fields")]
pub async fn list(state: web::Data<AppState>, auth: Auth, q: web::Query<CustomFieldQuery>) -> ApiResult<HttpResponse> {
    let fields =
        state.db(move |c| kith_db::core::custom_fields::list(c, auth.scope(), q.record_kind.as_deref())).await?;
    ok(&fields)
}

/// Define a field of a record kind (administrators). Its record kind, key and kind are fixed once created.
#[utoipa::path(
    operation_id = "create_custom_field",
    tag = "custom_fields",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = CustomFieldInput,
    responses((status = 201, body = CustomFieldView), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[post("/custom-fields")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<CustomFieldInput>,
) -> ApiResult<HttpResponse> {
    // Checked whole (every field error at once) by the storage function.
    create_once(&state, auth.0, key, body.into_inner().tidy(), kith_db::core::custom_fields::create).await
}

/// Change a field's label, help text, options (add, reorder, rename with `renamed_options`, retire by
/// leaving out: records keep a retired value), required flag or position (If-Match). The key and kind
/// stay fixed.
#[utoipa::path(
    operation_id = "update_custom_field",
    tag = "custom_fields",
    security(("bearer" = [])),
    params(("id" = CustomFieldId, Path), ("If-Match" = String, Header)),
    request_body = CustomFieldPatch,
    responses((status = 200, body = CustomFieldView), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem))
)]
#[patch("/custom-fields/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<CustomFieldId>,
    if_match: IfMatch,
    body: web::Json<CustomFieldPatch>,
) -> ApiResult<HttpResponse> {
    // Checked against the field as it is (every field error at once) by the storage function.
    let patch = body.into_inner().tidy();
    let id = id.into_inner();
    let field =
        state.db(move |c| kith_db::core::custom_fields::update(c, auth.scope(), id, if_match.0, &patch)).await?;
    ok(&field)
}

/// Delete a field: leads stop showing its values and its key stays reserved.
#[utoipa::path(
    operation_id = "delete_custom_field",
    tag = "custom_fields",
    security(("bearer" = [])),
    params(("id" = CustomFieldId, Path)),
    responses((status = 204, description = "Deleted"), (status = 404, body = Problem))
)]
#[delete("/custom-fields/{id}")]
pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<CustomFieldId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::core::custom_fields::delete(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
