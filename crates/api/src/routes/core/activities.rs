//! Activities (a kernel feature: any record kind that registers `read_one`/`write_one` takes them):
//! calls, meetings, events, tasks, notes and logged emails. The body or the query names the record
//! (`record_kind` + `record_id`); access is that record's. Also "My day" and the private calendar
//! feed (its address is public and carries a revocable token).

use actix_web::http::header;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use kith_domain::core::activities::ics::{calendar, Entry};
use kith_domain::core::activities::{
    ActivityPatch, ActivityQuery, ActivityView, CalendarFeed, CalendarFeedStatus, MyDay, MyDayQuery, NewActivity,
};
use kith_domain::core::page::Page;
use kith_domain::{ActivityId, Problem};

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::{ok, IfMatch};
use crate::http::idempotency::{create_once, IdempotencyKey};
use crate::http::input::valid;
use crate::state::AppState;

const CALENDAR: &str = "text/calendar; charset=utf-8";

/// Log an activity on a record (the body names it: `record_kind` and `record_id`). Needs the right
/// to change that record. A `remind_at` sends one reminder to the assignee then (in the app and by
/// email).
#[utoipa::path(
    operation_id = "create_activity",
    tag = "activities",
    security(("bearer" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays return the first response")),
    request_body = NewActivity,
    responses(
        (status = 201, body = ActivityView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem)
    )
)]
#[post("/activities")]
pub async fn create(
    state: web::Data<AppState>,
    auth: Auth,
    key: IdempotencyKey,
    body: web::Json<NewActivity>,
) -> ApiResult<HttpResponse> {
    create_once(&state, auth.0, key, valid(body.into_inner())?, kith_db::core::activities::create).await
}

/// A record's activities, newest first, with those of the records linked to it (the contact,
/// potential and account a lead became), each only when the caller may read that record.
#[utoipa::path(
    operation_id = "list_activities",
    tag = "activities",
    security(("bearer" = [])),
    params(ActivityQuery),
    responses((status = 200, body = Page<ActivityView>), (status = 404, body = Problem), (status = 422, body = Problem))
)]
#[get("/activities")]
pub async fn list(state: web::Data<AppState>, auth: Auth, q: web::Query<ActivityQuery>) -> ApiResult<HttpResponse> {
    let q = valid(q.into_inner())?;
    let page = state.db(move |c| kith_db::core::activities::list(c, auth.scope(), &q)).await?;
    ok(&page)
}

#[utoipa::path(
    operation_id = "get_activity",
    tag = "activities",
    security(("bearer" = [])),
    params(("id" = ActivityId, Path)),
    responses((status = 200, body = ActivityView), (status = 404, body = Problem))
)]
#[get("/activities/{id}")]
pub async fn get(state: web::Data<AppState>, auth: Auth, id: web::Path<ActivityId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let view = state.db(move |c| kith_db::core::activities::get(c, auth.scope(), id)).await?;
    ok(&view)
}

/// Change an activity (mark a task done with `{"done": true}`). The change is checked as the
/// activity it makes: a meeting cannot end before it starts.
#[utoipa::path(
    operation_id = "update_activity",
    tag = "activities",
    security(("bearer" = [])),
    params(("id" = ActivityId, Path), ("If-Match" = String, Header)),
    request_body = ActivityPatch,
    responses(
        (status = 200, body = ActivityView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)
    )
)]
#[patch("/activities/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    auth: Auth,
    id: web::Path<ActivityId>,
    if_match: IfMatch,
    body: web::Json<ActivityPatch>,
) -> ApiResult<HttpResponse> {
    let patch = valid(body.into_inner())?;
    let id = id.into_inner();
    let view = state.db(move |c| kith_db::core::activities::update(c, auth.scope(), id, if_match.0, &patch)).await?;
    ok(&view)
}

/// Move an activity to the recycle bin (restorable for 30 days). Needs the right to change its record.
#[utoipa::path(
    operation_id = "delete_activity",
    tag = "activities",
    security(("bearer" = [])),
    params(("id" = ActivityId, Path)),
    responses((status = 204, description = "In the recycle bin"), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[delete("/activities/{id}")]
pub async fn delete(state: web::Data<AppState>, auth: Auth, id: web::Path<ActivityId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    state.db(move |c| kith_db::core::activities::delete(c, auth.scope(), id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Bring an activity back from the recycle bin onto its record.
#[utoipa::path(
    operation_id = "restore_activity",
    tag = "activities",
    security(("bearer" = [])),
    params(("id" = ActivityId, Path)),
    responses((status = 200, body = ActivityView), (status = 403, body = Problem), (status = 404, body = Problem))
)]
#[post("/activities/{id}/restore")]
pub async fn restore(state: web::Data<AppState>, auth: Auth, id: web::Path<ActivityId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let view = state.db(move |c| kith_db::core::activities::restore(c, auth.scope(), id)).await?;
    ok(&view)
}

/// A meeting or event (VEVENT) or a task with a due time (VTODO) as an iCalendar file to import
/// into a calendar. Other kinds have no calendar entry (409).
#[utoipa::path(
    operation_id = "activity_ics",
    tag = "activities",
    security(("bearer" = [])),
    params(("id" = ActivityId, Path)),
    responses(
        (status = 200, description = "RFC 5545 iCalendar", content_type = "text/calendar", body = String),
        (status = 404, body = Problem), (status = 409, body = Problem)
    )
)]
#[get("/activities/{id}/ics")]
pub async fn ics(state: web::Data<AppState>, auth: Auth, id: web::Path<ActivityId>) -> ApiResult<HttpResponse> {
    let id = id.into_inner();
    let (view, attendees) = state.db(move |c| kith_db::core::activities::calendar_entry(c, auth.scope(), id)).await?;
    let text = calendar(&[Entry { activity: &view, attendees, link: None }], None, state.now());
    Ok(HttpResponse::Ok()
        .content_type(CALENDAR)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}-{id}.ics\"", view.kind.as_str()),
        ))
        .body(text))
}

/// The caller's day: overdue tasks, tasks due today, today's meetings and events (theirs, on records
/// they may read), then the sections contexts add (due callbacks …). "Today" is the caller's, given
/// as their offset from UTC.
#[utoipa::path(
    operation_id = "my_day",
    tag = "activities",
    security(("bearer" = [])),
    params(MyDayQuery),
    responses((status = 200, body = MyDay), (status = 403, body = Problem), (status = 422, body = Problem))
)]
#[get("/my-day")]
pub async fn my_day(state: web::Data<AppState>, auth: Auth, q: web::Query<MyDayQuery>) -> ApiResult<HttpResponse> {
    let q = valid(q.into_inner())?;
    let offset = q.utc_offset_minutes.unwrap_or(0);
    let day = state.db(move |c| kith_db::core::activities::my_day(c, auth.scope(), offset)).await?;
    ok(&day)
}

/// Whether the caller has a private calendar feed (its address is shown only when made).
#[utoipa::path(
    operation_id = "get_calendar_feed",
    tag = "activities",
    security(("bearer" = [])),
    responses((status = 200, body = CalendarFeedStatus), (status = 403, body = Problem))
)]
#[get("/me/calendar-feed")]
pub async fn feed_status(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let created = state.db(move |c| kith_db::core::activities::feed_status(c, auth.scope())).await?;
    ok(&CalendarFeedStatus { active: created.is_some(), created_at: created.map(|t| t.and_utc()) })
}

/// Make a new private calendar feed address (any earlier one stops working): subscribe to it in
/// Google Calendar or Outlook. It lists your meetings, events and tasks with a due time.
#[utoipa::path(
    operation_id = "create_calendar_feed",
    tag = "activities",
    security(("bearer" = [])),
    responses((status = 200, body = CalendarFeed), (status = 403, body = Problem))
)]
#[post("/me/calendar-feed")]
pub async fn feed_create(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    let (token, at) = state.db(move |c| kith_db::core::activities::new_feed(c, auth.scope())).await?;
    let url = format!("{}/api/v1/public/calendar/{token}", state.config.public_url.trim_end_matches('/'));
    ok(&CalendarFeed { url, created_at: at.and_utc() })
}

/// Revoke the caller's calendar feed: its address answers 404 from now on.
#[utoipa::path(
    operation_id = "revoke_calendar_feed",
    tag = "activities",
    security(("bearer" = [])),
    responses((status = 204, description = "Revoked"), (status = 403, body = Problem))
)]
#[delete("/me/calendar-feed")]
pub async fn feed_revoke(state: web::Data<AppState>, auth: Auth) -> ApiResult<HttpResponse> {
    state.db(move |c| kith_db::core::activities::revoke_feed(c, auth.scope())).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A user's private calendar feed (iCalendar), for calendar apps to subscribe to: the token in the
/// address is the credential. Unknown or revoked tokens are 404.
#[utoipa::path(
    operation_id = "public_calendar_feed",
    tag = "public_calendar",
    params(("token" = String, Path, description = "The feed's secret token")),
    responses(
        (status = 200, description = "RFC 5545 iCalendar", content_type = "text/calendar", body = String),
        (status = 404, body = Problem)
    )
)]
#[get("/public/calendar/{token}")]
pub async fn public_feed(state: web::Data<AppState>, token: web::Path<String>) -> ApiResult<HttpResponse> {
    let token = token.into_inner();
    let (name, items) = state.db(move |c| kith_db::core::activities::feed(c, &token)).await?;
    let entries: Vec<Entry<'_>> =
        items.iter().map(|(a, attendees)| Entry { activity: a, attendees: attendees.clone(), link: None }).collect();
    let text = calendar(&entries, Some(&format!("Kith — {name}")), state.now());
    Ok(HttpResponse::Ok()
        .content_type(CALENDAR)
        .insert_header((header::CACHE_CONTROL, "private, max-age=300"))
        .body(text))
}
