//! Serving the built SPA: static files (the app, its style, its icons), and index.html for client-side routes.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::{web, HttpRequest, HttpResponse, ResponseError};

use crate::error::ApiError;

/// A path the SPA's router answers (`/m/leads/…`, `/reset-password`): the app's page. A missing file
/// (`/favicon.png`, `/robots.txt`, `/pkg/old.wasm`) is a 404, never the app's HTML with a 200, which
/// browsers and crawlers would take for the file.
fn is_client_route(path: &str) -> bool {
    !path.rsplit('/').next().unwrap_or_default().contains('.')
}

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
                    if !is_client_route(req.path()) {
                        return ApiError::code(kith_domain::ErrorCode::NotFound, "No such file.").error_response();
                    }
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

#[cfg(test)]
mod tests {
    #[test]
    fn only_paths_without_a_file_extension_are_the_apps_routes() {
        for route in ["/", "/login", "/m/leads/01a2b3c4-0000-7000-8000-000000000000", "/settings/api-keys"] {
            assert!(super::is_client_route(route), "{route}");
        }
        for file in ["/favicon.png", "/robots.txt", "/pkg/kith_web_bg.wasm", "/apple-touch-icon.png"] {
            assert!(!super::is_client_route(file), "{file}");
        }
    }
}
