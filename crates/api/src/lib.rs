//! kith-api: the HTTP server. `routes` lists every endpoint; `http` holds the conventions every
//! endpoint shares; `auth` turns credentials into a tenant scope; handlers parse input, call one
//! storage function, and map its result.

pub mod auth;
pub mod config;
pub mod error;
pub mod http;
pub mod mailer;
pub mod openapi;
pub mod routes;
pub mod secrets;
pub mod seed;
pub mod spa;
pub mod state;
pub mod worker;

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpResponse, HttpServer};
use kith_db::{Pool, PoolOptions};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::jwt::JwtKeys;
use crate::config::Config;
use crate::http::metrics::Metrics;
use crate::state::AppState;

/// Open the pool, migrate, and load the signing key: everything a node needs before serving.
pub fn prepare(config: &Config) -> Result<AppState, String> {
    let pool = Pool::new(
        &config.database_url,
        PoolOptions { max_size: config.db_pool_size, clock: config.clock.clone(), ..PoolOptions::default() },
    )?;
    let applied = pool
        .migrate()
        .map_err(|e| format!("cannot migrate {}: {e}", kith_db::connection::redact(&config.database_url)))?;
    if !applied.is_empty() {
        tracing::info!(?applied, "migrations applied");
    }
    {
        // Emails written by storage and the worker link to this address.
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        kith_db::core::instance::set_public_url(&mut conn, &config.public_url).map_err(|e| e.to_string())?;
    }
    let secret = match &config.jwt_secret {
        Some(s) if s.len() >= 32 => s.clone(),
        Some(_) => return Err("KITH_JWT_SECRET must be at least 32 characters".into()),
        None => {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            kith_db::core::instance::jwt_secret(&mut conn).map_err(|e| e.to_string())?
        }
    };
    let dummy = auth::password::hash(&kith_db::core::tokens::generate_secret())?;
    let attachments_dir = config.data_dir.join("attachments");
    let attachments = kith_db::core::attachments::DiskStore::new(&attachments_dir)
        .map_err(|e| format!("cannot use {} for attachments: {e}", attachments_dir.display()))?;
    Ok(AppState {
        pool,
        jwt: Arc::new(JwtKeys::new(secret.as_bytes(), config.access_token_seconds)),
        config: Arc::new(config.clone()),
        metrics: Metrics::new().map_err(|e| e.to_string())?,
        dummy_password_hash: Arc::new(dummy),
        limits: Arc::new(state::Limits::new(config)),
        link_secret: Arc::new(format!("{secret}:links")),
        sealer: Arc::new(secrets::Sealer::new(&secret)),
        attachments: Arc::new(attachments),
    })
}

/// Bind and build the server (not yet running). Tests bind port 0 and read the port back.
pub fn build_server(state: AppState, listener: TcpListener) -> std::io::Result<Server> {
    let data = web::Data::new(state.clone());
    let static_dir = state.config.static_dir.clone();
    let workers = state.config.workers;
    // The document is built once, from the same route list, and post-processed (openapi::finish).
    let api = openapi::document();
    let mut server = HttpServer::new(move || {
        let (app, _) = App::new()
            .into_utoipa_app()
            .app_data(data.clone())
            .app_data(http::input::json_config())
            .app_data(http::input::query_config())
            .app_data(http::input::path_config())
            .app_data(web::PayloadConfig::new(http::input::JSON_LIMIT))
            .configure(routes::api_v1)
            .configure(routes::operations)
            .split_for_parts();
        // Compress is the outermost layer: conventions rewrites error bodies (problem+json with the
        // request id) on the uncompressed response, and only then is the final body encoded, so
        // Content-Encoding always describes the body actually sent.
        app.wrap(from_fn(http::conventions::conventions))
            .wrap(Compress::default())
            .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", api.clone()))
            .route(
                "/api/docs",
                web::get().to(|| async { HttpResponse::Found().insert_header(("Location", "/api/docs/")).finish() }),
            )
            // Unknown API paths stay 404 problems instead of falling through to the SPA.
            .service(web::scope("/api").default_service(web::to(spa::api_not_found)))
            .configure(|cfg| spa::configure(cfg, &static_dir))
    })
    .client_request_timeout(Duration::from_secs(10))
    .client_disconnect_timeout(Duration::from_secs(5))
    .keep_alive(Duration::from_secs(30))
    .shutdown_timeout(10);
    if let Some(n) = workers {
        server = server.workers(n);
    }
    Ok(server.listen(listener)?.run())
}
