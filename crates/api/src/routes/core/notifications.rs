//! The signed-in user's notifications.

use actix_web::{get, post, web, HttpResponse};
use kith_domain::core::notifications::{NotificationQuery, NotificationView};
use kith_domain::core::page::Page;
use kith_domain::{NotificationId, Problem};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::ok;
use crate::state::AppState;

/// Newest first.
#[utoipa::path(
    operation_id = "list_notifications",
    tag = "me",
    security(("bearer" = [])),
    params(NotificationQuery),
    responses((status = 200, body = Page<NotificationView>), (status = 403, body = Problem))
)]
#[get("/notifications")]
pub async fn list(state: web::Data<AppState>, auth: Auth, q: web::Query<NotificationQuery>) -> ApiResult<HttpResponse> {
    let page = state.db(move |c| kith_db::core::notifications::list(c, auth.scope(), &q)).await?;
    ok(&page)
}

#[utoipa::path(
    operation_id = "mark_notification_read",
    tag = "me",
    security(("bearer" = [])),
    params(("id" = NotificationId, Path)),
    responses((status = 204, description = "Marked read"), (status = 404, body = Problem))
)]
#[post("/notifications/{id}/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<NotificationId>,
) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::core::notifications::mark_read(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
