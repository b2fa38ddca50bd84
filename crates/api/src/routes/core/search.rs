//! Search across every record kind the caller may read (the search box at the top of every page).

use actix_web::{get, web, HttpResponse};
use kith_domain::core::search::{SearchQuery, SearchResults, DEFAULT_HITS};
use kith_domain::Problem;

use crate::auth::Auth;
use crate::error::ApiResult;
use crate::http::etag::ok;
use crate::state::AppState;

/// Records whose name, email, company or phone contain every word, newest first, as the registry of
/// record kinds names them: only kinds the caller's role may read, and within a kind only records
/// their record scope (own/team/all) shows.
#[utoipa::path(
    operation_id = "search_records",
    tag = "search",
    security(("bearer" = [])),
    params(SearchQuery),
    responses((status = 200, body = SearchResults), (status = 422, body = Problem))
)]
#[get("/search")]
pub async fn search(state: web::Data<AppState>, auth: Auth, q: web::Query<SearchQuery>) -> ApiResult<HttpResponse> {
    let q = q.into_inner();
    let results = state
        .db(move |c| kith_db::core::search::across_kinds(c, auth.scope(), &q.q, q.limit.unwrap_or(DEFAULT_HITS)))
        .await?;
    ok(&results)
}
