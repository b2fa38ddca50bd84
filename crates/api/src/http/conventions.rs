//! One middleware for what every response must carry: the request id, security headers, a
//! problem+json body on every error (including the framework's own 404/405/413), an access log
//! line and metrics.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::Payload;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, ResponseError};
use futures_util::StreamExt;
use kith_domain::{ErrorCode, Problem};

use super::{input, methods, request_id};
use crate::error::ApiError;
use crate::state::AppState;

const CSP_APP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";
// Swagger UI styles itself inline; everything still comes from this server only.
const CSP_DOCS: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

fn code_for(status: u16) -> ErrorCode {
    match status {
        400 => ErrorCode::BadRequest,
        401 => ErrorCode::Unauthorized,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        405 => ErrorCode::MethodNotAllowed,
        409 => ErrorCode::Conflict,
        412 => ErrorCode::PreconditionFailed,
        413 => ErrorCode::PayloadTooLarge,
        415 => ErrorCode::UnsupportedMediaType,
        422 => ErrorCode::ValidationFailed,
        428 => ErrorCode::PreconditionRequired,
        429 => ErrorCode::RateLimited,
        503 => ErrorCode::Unavailable,
        s if s >= 500 => ErrorCode::Internal,
        _ => ErrorCode::BadRequest,
    }
}

/// Marks a request that came as HEAD (answered like GET): a handler whose GET records something
/// (an email open) leaves that to real GETs.
#[derive(Clone, Copy, Debug)]
pub struct Head;

pub async fn conventions(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let id = request_id::from_header(&req);
    req.extensions_mut().insert(id.clone());
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let is_docs = path.starts_with("/api/docs");
    let metrics = req.app_data::<web::Data<AppState>>().map(|s| s.metrics.clone());

    warn_of_an_untrusted_proxy(&req);
    // HEAD is answered like GET; the server sends the head only (the codec knows it was HEAD).
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
        req.extensions_mut().insert(Head);
    }
    let refused = match methods::allowed(&path) {
        Some(allowed) if !allowed.contains(req.method()) => {
            let allow = methods::allow_header(&allowed);
            let mut response = ApiError::code(
                ErrorCode::MethodNotAllowed,
                format!("{method} is not an operation of this path; it answers {allow}."),
            )
            .error_response();
            if let Ok(v) = HeaderValue::from_str(&allow) {
                response.headers_mut().insert(header::ALLOW, v);
            }
            Some(response)
        }
        _ => screen_input(&mut req).await.err().map(|e| e.error_response()),
    };
    let res = match refused {
        Some(response) => req.into_response(response),
        None => next.call(req).await?.map_into_boxed_body(),
    };
    let status = res.status().as_u16();
    let route = res.request().match_pattern().unwrap_or_else(|| "unmatched".into());

    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let is_problem = content_type.starts_with("application/problem+json");
    // Pages written for people (the public web-form error page) keep their HTML.
    let is_page = content_type.starts_with("text/html");

    let mut res = if status >= 400 && !is_problem && !is_page {
        // The framework's own errors and unmatched routes become problems too.
        let mut problem = Problem::new(code_for(status));
        problem.request_id = Some(id.0.clone());
        let body = serde_json::to_string(&problem).unwrap_or_default();
        let (req, old) = res.into_parts();
        let mut new = actix_web::HttpResponse::build(old.status());
        for (name, value) in old.headers() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                new.insert_header((name.clone(), value.clone()));
            }
        }
        let new = new.content_type("application/problem+json").body(body);
        ServiceResponse::new(req, new).map_into_boxed_body()
    } else if is_problem {
        // Fill in the request id of problems our handlers produced.
        let (req, old) = res.into_parts();
        let (head, body) = old.into_parts();
        let bytes = actix_web::body::to_bytes(body).await.unwrap_or_default();
        let mut problem: Option<Problem> = serde_json::from_slice(&bytes).ok();
        let bytes = match problem.as_mut() {
            Some(p) => {
                p.request_id = Some(id.0.clone());
                serde_json::to_vec(p).unwrap_or_default().into()
            }
            None => bytes,
        };
        let new = head.set_body(BoxBody::new(bytes));
        ServiceResponse::new(req, new).map_into_boxed_body()
    } else {
        res.map_into_boxed_body()
    };

    let headers = res.headers_mut();
    let set = |headers: &mut header::HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(HeaderName::from_static(name), HeaderValue::from_static(value));
    };
    if let Ok(v) = HeaderValue::from_str(&id.0) {
        headers.insert(HeaderName::from_static(request_id::HEADER), v);
    }
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "referrer-policy", "no-referrer");
    set(headers, "x-frame-options", "DENY");
    // A handler may set a stricter policy of its own (a download is `sandbox`ed).
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(headers, "content-security-policy", if is_docs { CSP_DOCS } else { CSP_APP });
    }
    if path.starts_with("/api/") && !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, "cache-control", "no-store");
    }

    let elapsed = started.elapsed();
    if let Some(m) = metrics {
        m.observe(&method, &route, status, elapsed.as_secs_f64());
    }
    tracing::info!(
        request_id = %id.0,
        method = %method,
        route = %route,
        status,
        ms = elapsed.as_millis() as u64,
        "request"
    );
    Ok(res)
}

/// Screen input before any handler sees it: NUL characters in the query string and in JSON and form
/// bodies are refused (422), a list where the operation's schema says object is refused (400), and
/// whole numbers in JSON bodies are written as integers (`3.0` is `3`). Bodies are read up to the
/// JSON limit and handed on; larger ones are left to the extractor, which refuses them with 413.
async fn screen_input(req: &mut ServiceRequest) -> Result<(), ApiError> {
    input::check_form_nul(req.query_string().as_bytes())?;
    let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let is_json = essence == "application/json" || essence.ends_with("+json");
    let is_form = essence == "application/x-www-form-urlencoded";
    if !is_json && !is_form {
        return Ok(());
    }
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > input::JSON_LIMIT) {
        return Ok(());
    }
    let mut payload = req.take_payload();
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        match chunk {
            Ok(chunk) => {
                body.extend_from_slice(&chunk);
                if body.len() > input::JSON_LIMIT {
                    // Too large to screen: hand the whole stream on for the extractor to refuse.
                    let read = futures_util::stream::once(std::future::ready(Ok(body.freeze())));
                    req.set_payload(Payload::Stream { payload: Box::pin(read.chain(payload)) });
                    return Ok(());
                }
            }
            Err(e) => {
                let read = futures_util::stream::iter([Ok(body.freeze()), Err(e)]);
                req.set_payload(Payload::Stream { payload: Box::pin(read) });
                return Ok(());
            }
        }
    }
    let mut body = body.freeze();
    let mut checked = if is_json { input::check_json_nul(&body) } else { input::check_form_nul(&body) };
    if is_json && checked.is_ok() && body.contains(&b'[') {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&body) {
            if let Some(field) = methods::list_for_object(req.path(), req.method(), &value) {
                checked = Err(input::not_an_object(field));
            }
        }
    }
    if is_json && checked.is_ok() {
        if let Some(rewritten) = input::whole_numbers_as_integers(&body) {
            req.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(rewritten.len()));
            body = rewritten.into();
        }
    }
    req.set_payload(Payload::from(body));
    checked
}

/// Requests carrying `X-Forwarded-For` or `Forwarded` while `KITH_TRUST_PROXY` is off most likely
/// come through a reverse proxy: every client then has the proxy's address, for the login and web-form
/// limits alike. Said once per process, at the first such request.
fn warn_of_an_untrusted_proxy(req: &ServiceRequest) {
    static WARNED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    let forwarded = req.headers().contains_key("x-forwarded-for") || req.headers().contains_key(header::FORWARDED);
    if !forwarded || WARNED.load(std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let trusted = req.app_data::<web::Data<AppState>>().is_some_and(|s| s.config.trust_proxy);
    if !trusted && !WARNED.swap(true, std::sync::atomic::Ordering::Relaxed) {
        tracing::warn!(
            "requests arrive with X-Forwarded-For/Forwarded but KITH_TRUST_PROXY is off: all clients behind \
             the proxy share its address for login and web-form limits; set KITH_TRUST_PROXY=true when a \
             reverse proxy you control sets these headers"
        );
    }
}
