//! The public side of web forms, called from other websites (RELIABILITY D2): a plain HTML form post
//! (answered with a 303 redirect) or the script embed's JSON post (answered over CORS, only to the
//! form's allowed origins). Honeypot and too-fast submissions look accepted and store nothing;
//! rate limits per IP and per form; a 64 KiB body cap; only mapped fields are read; owner, tags and
//! campaign come from the form, never from the browser; a submission key makes retries harmless.

use std::collections::HashMap;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{get, options, post, web, HttpRequest, HttpResponse};
use kith_db::leads::webforms::{PublicFormConfig, Submission, SubmitOutcome};
use kith_domain::leads::webforms::*;
use kith_domain::leads::SourceDetail;
use kith_domain::{ErrorCode, Problem, WebFormId};

use crate::error::{problem_response, ApiError, ApiResult};
use crate::http::request_id;
use crate::state::AppState;

pub const BODY_LIMIT: usize = 64 * 1024;

/// The request's Origin if the form allows it.
fn allowed_origin(req: &HttpRequest, form: &WebFormView) -> Option<String> {
    let origin = req.headers().get(header::ORIGIN)?.to_str().ok()?;
    let origin = normalize_origin(origin)?;
    form.allowed_origins.contains(&origin).then_some(origin)
}

fn with_cors(mut response: HttpResponse, origin: Option<&str>) -> HttpResponse {
    if let Some(o) = origin.and_then(|o| HeaderValue::from_str(o).ok()) {
        let h = response.headers_mut();
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    response
}

async fn load(state: &AppState, id: WebFormId) -> ApiResult<PublicFormConfig> {
    state.db(move |c| kith_db::leads::webforms::public_form(c, id)).await
}

/// The form's fields, for the script embed to render.
#[utoipa::path(
    operation_id = "describe_public_form",
    tag = "public_forms",
    params(("id" = WebFormId, Path)),
    responses((status = 200, body = PublicForm), (status = 404, body = Problem))
)]
#[get("/public/forms/{id}")]
pub async fn describe(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<WebFormId>,
) -> ApiResult<HttpResponse> {
    let config = load(&state, id.into_inner()).await?;
    let origin = allowed_origin(&req, &config.form);
    let body = PublicForm {
        id: config.form.id,
        fields: config.public_fields(),
        consent_text: config.form.consent_text.clone(),
    };
    Ok(with_cors(HttpResponse::Ok().json(body), origin.as_deref()))
}

/// CORS preflight for the script embed.
#[utoipa::path(
    operation_id = "public_form_preflight",
    tag = "public_forms",
    params(("id" = WebFormId, Path)),
    responses((status = 204, description = "Allowed origin"), (status = 403, body = Problem))
)]
#[options("/public/forms/{id}/submissions")]
pub async fn preflight(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<WebFormId>,
) -> ApiResult<HttpResponse> {
    let config = load(&state, id.into_inner()).await?;
    let Some(origin) = allowed_origin(&req, &config.form) else {
        return Err(ApiError::code(ErrorCode::Forbidden, "This site may not embed the form."));
    };
    let mut response = with_cors(HttpResponse::NoContent().finish(), Some(&origin));
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type, idempotency-key"));
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    Ok(response)
}

enum Mode {
    /// A plain HTML form: answer people with a redirect or a page.
    Html,
    /// The script embed: answer JSON.
    Json,
}

fn read_values(mode: &Mode, body: &[u8]) -> Result<HashMap<String, String>, ApiError> {
    match mode {
        Mode::Html => serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
            .map(|pairs| pairs.into_iter().collect())
            .map_err(|_| ApiError::bad_request("The form data could not be read.")),
        Mode::Json => {
            let map: serde_json::Map<String, serde_json::Value> =
                serde_json::from_slice(body).map_err(|_| ApiError::bad_request("The body must be a JSON object."))?;
            Ok(map
                .into_iter()
                .filter_map(|(k, v)| match v {
                    serde_json::Value::String(s) => Some((k, s)),
                    serde_json::Value::Number(n) => Some((k, n.to_string())),
                    serde_json::Value::Bool(b) => Some((k, b.to_string())),
                    _ => None,
                })
                .collect())
        }
    }
}

fn utm_from(values: &HashMap<String, String>, referrer: Option<&str>) -> SourceDetail {
    // The page's query string, when the referrer carries it, fills what the form did not send.
    let from_referrer: HashMap<String, String> = referrer
        .and_then(url_query)
        .map(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(&q).unwrap_or_default().into_iter().collect())
        .unwrap_or_default();
    let pick = |name: &str| {
        values
            .get(name)
            .or_else(|| from_referrer.get(name))
            .map(|v| v.trim().chars().take(200).collect::<String>())
            .filter(|v| !v.is_empty())
    };
    SourceDetail {
        utm_source: pick("utm_source"),
        utm_medium: pick("utm_medium"),
        utm_campaign: pick("utm_campaign"),
        utm_term: pick("utm_term"),
        utm_content: pick("utm_content"),
        ..SourceDetail::default()
    }
}

fn url_query(url: &str) -> Option<String> {
    let after = url.split_once('?')?.1;
    Some(after.split('#').next().unwrap_or("").to_owned())
}

/// Is this the work of a bot: the honeypot filled, or submitted faster than a person could?
fn looks_like_a_bot(
    values: &HashMap<String, String>,
    min_fill_seconds: u32,
    now: chrono::DateTime<chrono::Utc>,
) -> bool {
    if values.get("kith_hp").is_some_and(|v| !v.trim().is_empty()) {
        return true;
    }
    match values.get("kith_ts") {
        None => false, // the plain HTML form has no JavaScript to set it
        Some(ts) => match ts.trim().parse::<i64>() {
            Ok(started_ms) => {
                let elapsed_ms = now.timestamp_millis() - started_ms;
                elapsed_ms < i64::from(min_fill_seconds) * 1000
            }
            Err(_) => true,
        },
    }
}

fn success(mode: &Mode, form: &WebFormView, origin: Option<&str>) -> HttpResponse {
    match mode {
        Mode::Json => with_cors(
            HttpResponse::Ok().json(SubmissionAccepted {
                message: form.thank_you_message.clone(),
                redirect_url: form.redirect_url.clone(),
            }),
            origin,
        ),
        Mode::Html => {
            let to = form.redirect_url.clone().unwrap_or_else(|| format!("/api/v1/public/forms/{}/thanks", form.id));
            HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish()
        }
    }
}

fn page(status: StatusCode, title: &str, body_html: &str) -> HttpResponse {
    HttpResponse::build(status).content_type("text/html; charset=utf-8").body(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{}</title></head><body><main><h1>{}</h1>{body_html}</main></body></html>",
        html_escape(title),
        html_escape(title)
    ))
}

fn refused(mode: &Mode, origin: Option<&str>, problem: Problem) -> HttpResponse {
    match mode {
        Mode::Json => with_cors(problem_response(&problem), origin),
        Mode::Html => {
            let items: String =
                problem.errors.iter().map(|e| format!("<li>{}</li>", html_escape(&e.message))).collect();
            let detail = problem.detail.as_deref().map(html_escape).unwrap_or_default();
            let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST);
            page(
                status,
                &problem.title,
                &format!("<p>{detail}</p><ul>{items}</ul><p>Please go back and try again.</p>"),
            )
        }
    }
}

/// Submit a web form. `application/x-www-form-urlencoded` (plain HTML form) answers 303 to the
/// form's redirect or thank-you page; `application/json` (script embed) answers JSON over CORS.
#[utoipa::path(
    operation_id = "submit_public_form",
    tag = "public_forms",
    params(("id" = WebFormId, Path), ("Idempotency-Key" = Option<String>, Header, description = "Or the field kith_submission_id")),
    request_body(content = Object, description = "The form's fields by name", content_type = "application/json"),
    responses(
        (status = 200, description = "Accepted (script embed)", body = SubmissionAccepted),
        (status = 303, description = "Accepted (plain form): redirect"),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem), (status = 429, body = Problem)
    )
)]
#[post("/public/forms/{id}/submissions")]
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<WebFormId>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let mode = match req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) {
        Some(ct) if ct.starts_with("application/x-www-form-urlencoded") => Mode::Html,
        Some(ct) if ct.starts_with("application/json") => Mode::Json,
        _ => return Err(ApiError::code(ErrorCode::UnsupportedMediaType, "Send the form as form data or JSON.")),
    };
    if body.len() > BODY_LIMIT {
        return Err(ApiError::code(
            ErrorCode::PayloadTooLarge,
            format!("Form submissions are limited to {BODY_LIMIT} bytes."),
        ));
    }
    let config = load(&state, id.into_inner()).await?;
    let form = config.form.clone();
    let origin = allowed_origin(&req, &form);
    let sent_origin = req.headers().get(header::ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let origin_refused = match (&mode, &sent_origin) {
        (Mode::Json, Some(_)) => origin.is_none(),
        (Mode::Html, Some(o)) => !form.allowed_origins.is_empty() && origin.is_none() && o != "null",
        _ => false,
    };
    if origin_refused {
        let p = Problem::new(ErrorCode::Forbidden).with_detail("This site may not post to the form.");
        return Ok(refused(&mode, None, p));
    }
    let ip = crate::http::request_id::client_ip(&req, state.config.trust_proxy);
    if state.limits.webform_per_ip.check_key(&ip).is_err()
        || state.limits.webform_per_form.check_key(&form.id.to_string()).is_err()
    {
        let mut response = refused(
            &mode,
            origin.as_deref(),
            Problem::new(ErrorCode::RateLimited).with_detail("Too many submissions; try again in a minute."),
        );
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
        return Ok(response);
    }
    let values = match read_values(&mode, &body) {
        Ok(v) => v,
        Err(e) => return Ok(refused(&mode, origin.as_deref(), e.problem())),
    };
    if looks_like_a_bot(&values, form.min_fill_seconds, state.now()) {
        tracing::info!(form = %form.id, "web form submission dropped as a bot");
        return Ok(success(&mode, &form, origin.as_deref()));
    }
    let referrer = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .map(|r| r.chars().take(2000).collect::<String>());
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| values.get("kith_submission_id").cloned())
        .filter(|k| !k.is_empty() && k.len() <= 255);
    let submission = Submission {
        key,
        ip,
        user_agent: req.headers().get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned(),
        utm: utm_from(&values, referrer.as_deref()),
        referrer,
        values: form
            .fields
            .iter()
            .map(|f| f.name.as_str())
            .chain(["kith_consent"])
            .filter_map(|name| values.get(name).map(|v| (name.to_owned(), v.clone())))
            .collect(),
    };
    let rid = request_id::of(&req);
    let result = state.db(move |c| kith_db::leads::webforms::submit(c, &config, &submission, rid)).await;
    match result {
        Ok(SubmitOutcome::Created(_) | SubmitOutcome::Attached(_) | SubmitOutcome::Replayed(_)) => {
            Ok(success(&mode, &form, origin.as_deref()))
        }
        Err(ApiError::Validation(errors)) => Ok(refused(&mode, origin.as_deref(), Problem::validation(errors))),
        Err(e) => Err(e),
    }
}

/// The thank-you page of a plain HTML form without its own redirect.
#[utoipa::path(
    operation_id = "public_form_thanks",
    tag = "public_forms",
    params(("id" = WebFormId, Path)),
    responses((status = 200, description = "HTML page", content_type = "text/html"), (status = 404, body = Problem))
)]
#[get("/public/forms/{id}/thanks")]
pub async fn thanks(state: web::Data<AppState>, id: web::Path<WebFormId>) -> ApiResult<HttpResponse> {
    let config = load(&state, id.into_inner()).await?;
    Ok(page(StatusCode::OK, "Thank you", &format!("<p>{}</p>", html_escape(&config.form.thank_you_message))))
}

const EMBED_JS: &str = include_str!("embed.js");

/// The script embed: renders the form into `#kith-form-<id>` and posts it as JSON.
#[utoipa::path(
    operation_id = "public_form_embed_js",
    tag = "public_forms",
    params(("id" = WebFormId, Path)),
    responses((status = 200, description = "JavaScript", content_type = "text/javascript"), (status = 404, body = Problem))
)]
#[get("/public/forms/{id}/embed.js")]
pub async fn embed_js(state: web::Data<AppState>, id: web::Path<WebFormId>) -> ApiResult<HttpResponse> {
    let config = load(&state, id.into_inner()).await?;
    let base = serde_json::to_string(state.config.public_url.trim_end_matches('/')).unwrap_or_default();
    let form_id = serde_json::to_string(&config.form.id.to_string()).unwrap_or_default();
    // The country choice of the HTML embed ([code, name] pairs), and the preview's look.
    let countries: Vec<(&str, &str)> =
        kith_domain::core::countries::COUNTRIES.iter().map(|c| (c.code, c.name)).collect();
    let js = EMBED_JS
        .replace("__KITH_BASE__", &base)
        .replace("__KITH_FORM__", &form_id)
        .replace("__KITH_COUNTRIES__", &serde_json::to_string(&countries).unwrap_or_else(|_| "[]".into()))
        .replace("__KITH_CSS__", &serde_json::to_string(EMBED_CSS).unwrap_or_else(|_| "\"\"".into()));
    Ok(HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(js))
}
