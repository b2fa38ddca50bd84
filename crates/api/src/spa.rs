//! Serving the built SPA: static files, and index.html for client-side routes.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::ApiError;

pub async fn api_not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::code(kith_domain::ErrorCode::NotFound, "No such API endpoint."))
}

const NOT_BUILT: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Kith</title></head>\
<body><h1>Kith</h1><p>The web app is not built yet: run <code>make run</code> (or <code>make frontend</code>).</p>\
<p>The API is up: see <a href=\"/api/docs/\">/api/docs</a>.</p></body></html>";

pub fn configure(cfg: &mut web::ServiceConfig, dir: &Path) {
    let index = dir.join("index.html");
    if index.is_file() {
        let fallback: PathBuf = index.clone();
        cfg.service(Files::new("/", dir).index_file("index.html").prefer_utf8(true).default_handler(web::to(
            move |req: HttpRequest| {
                let fallback = fallback.clone();
                async move {
                    NamedFile::open(&fallback)
                        .map(|f| f.into_response(&req))
                        .unwrap_or_else(|_| HttpResponse::NotFound().finish())
                }
            },
        )));
    } else {
        tracing::warn!(dir = %dir.display(), "SPA not built: serving a notice at /");
        cfg.default_service(web::to(|| async {
            HttpResponse::Ok().content_type("text/html; charset=utf-8").body(NOT_BUILT)
        }));
    }
}
