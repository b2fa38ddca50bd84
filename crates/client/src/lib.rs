//! kith-client: a typed async client for the Kith REST API.
//!
//! The SPA (wasm), the integration tests and Rust integrators all talk to Kith through this crate,
//! so a changed field in a domain type breaks their build instead of their users.
//!
//! Tokens: the client keeps the access token and, on a `401`, refreshes once and retries. Natively it
//! also keeps the refresh token; in the browser the refresh token lives only in an http-only cookie
//! that JavaScript (and so an XSS payload) cannot read.

mod catalog;
mod core;
mod customers;
pub use crate::core::plural;
mod identity;
mod leads;
mod marketing;
mod pipeline;

use std::sync::{Arc, Mutex};

use kith_domain::core::audit::{AuditEntry, AuditQuery};
use kith_domain::core::notifications::{MailSettings as NotificationMailSettings, NotificationQuery, NotificationView};
use kith_domain::core::page::{Page, PageQuery};
use kith_domain::core::recycle::RecycleBinItem;
use kith_domain::identity::auth::*;
use kith_domain::identity::*;
use kith_domain::leads::rules::{AssignmentRule, AssignmentRuleInput, ScoringRule, ScoringRuleInput};
use kith_domain::leads::*;
use kith_domain::*;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The API answered with a problem document.
    #[error("{0}")]
    Problem(Problem),
    #[error("network error: {0}")]
    Network(String),
    #[error("unexpected response ({status}): {message}")]
    Unexpected { status: u16, message: String },
}

impl ClientError {
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            ClientError::Problem(p) => Some(p),
            _ => None,
        }
    }
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Problem(p) => Some(p.status),
            ClientError::Unexpected { status, .. } => Some(*status),
            ClientError::Network(_) => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, ClientError>;

#[derive(Default)]
struct Tokens {
    access: Option<String>,
    refresh: Option<String>,
}

/// A connection to one Kith server. Cheap to clone; clones share the session.
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    tokens: Arc<Mutex<Tokens>>,
    /// Keep the refresh token in memory (native). In the browser the cookie carries it.
    keep_refresh_token: bool,
}

impl Client {
    /// `base` is the server root, e.g. `http://127.0.0.1:8080` (in the browser: the page's origin).
    pub fn new(base: impl Into<String>) -> Client {
        let base = base.into().trim_end_matches('/').to_owned();
        Client {
            http: reqwest::Client::new(),
            base,
            tokens: Arc::new(Mutex::new(Tokens::default())),
            keep_refresh_token: !cfg!(target_arch = "wasm32"),
        }
    }

    /// A client that authenticates with an API key instead of a user session.
    pub fn with_api_key(base: impl Into<String>, secret: impl Into<String>) -> Client {
        let client = Client::new(base);
        client.set_access_token(Some(secret.into()));
        client
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub fn access_token(&self) -> Option<String> {
        self.tokens.lock().ok().and_then(|t| t.access.clone())
    }

    pub fn set_access_token(&self, token: Option<String>) {
        if let Ok(mut t) = self.tokens.lock() {
            t.access = token;
        }
    }

    pub fn refresh_token(&self) -> Option<String> {
        self.tokens.lock().ok().and_then(|t| t.refresh.clone())
    }

    fn store(&self, tokens: &TokenResponse) {
        if let Ok(mut t) = self.tokens.lock() {
            t.access = Some(tokens.access_token.clone());
            if self.keep_refresh_token {
                t.refresh = Some(tokens.refresh_token.clone());
            }
        }
    }

    fn clear(&self) {
        if let Ok(mut t) = self.tokens.lock() {
            *t = Tokens::default();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A request with the access token attached; for calls this crate does not wrap yet.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let mut req = self.http.request(method, self.url(path));
        if let Some(token) = self.access_token() {
            req = req.bearer_auth(token);
        }
        req
    }

    /// Send a request with the access token; on a `401` refresh once and send it again. Every call
    /// of this crate goes through here, so no screen fails when its access token expires.
    async fn send_raw(
        &self,
        method: Method,
        path: &str,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<reqwest::Response> {
        let first = build(self.request(method.clone(), path)).send().await;
        match first {
            Ok(r) if r.status() == StatusCode::UNAUTHORIZED && self.can_refresh() => {
                if self.refresh().await.is_ok() {
                    build(self.request(method, path)).send().await
                } else {
                    Ok(r)
                }
            }
            other => other,
        }
        .map_err(|e| ClientError::Network(e.to_string()))
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
    ) -> Result<T> {
        decode(self.send_raw(method, path, build).await?).await
    }

    /// A text body (CSV), or the problem the server answered.
    async fn text(&self, path: &str, build: impl Fn(RequestBuilder) -> RequestBuilder) -> Result<String> {
        let response = self.send_raw(Method::GET, path, build).await?;
        if !response.status().is_success() {
            return decode::<String>(response).await;
        }
        response.text().await.map_err(|e| ClientError::Network(e.to_string()))
    }

    fn can_refresh(&self) -> bool {
        // API keys and anonymous clients have nothing to refresh; a browser session always may try.
        !self.keep_refresh_token || self.refresh_token().is_some()
    }

    async fn get<T: DeserializeOwned>(&self, path: &str, query: &impl Serialize) -> Result<T> {
        self.send(Method::GET, path, |r| r.query(query)).await
    }

    async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T> {
        self.send(Method::POST, path, |r| r.json(body)).await
    }

    async fn patch<B: Serialize, T: DeserializeOwned>(&self, path: &str, version: i64, body: &B) -> Result<T> {
        let etag = format!("\"{version}\"");
        self.send(Method::PATCH, path, |r| r.header("If-Match", etag.as_str()).json(body)).await
    }

    async fn delete(&self, path: &str) -> Result<()> {
        self.send::<serde_json::Value>(Method::DELETE, path, |r| r).await.map(|_| ())
    }
}

async fn decode<T: DeserializeOwned>(response: reqwest::Response) -> Result<T> {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/problem+json"));
    let bytes = response.bytes().await.map_err(|e| ClientError::Network(e.to_string()))?;
    if status.is_success() {
        let body: &[u8] = if bytes.is_empty() { b"null" } else { &bytes };
        return serde_json::from_slice(body)
            .map_err(|e| ClientError::Unexpected { status: status.as_u16(), message: e.to_string() });
    }
    if is_problem {
        if let Ok(problem) = serde_json::from_slice::<Problem>(&bytes) {
            return Err(ClientError::Problem(problem));
        }
    }
    Err(ClientError::Unexpected {
        status: status.as_u16(),
        message: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
    })
}
