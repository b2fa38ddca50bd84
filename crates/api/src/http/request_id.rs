//! Request ids: taken from a well-formed incoming `X-Request-Id` (from a proxy) or generated; sent
//! back on every response, written into every log line and audit row of the request.

use actix_web::HttpRequest;

pub const HEADER: &str = "x-request-id";

#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// Accept a caller's id only if it is short and plain, so it cannot inject into logs.
pub fn from_header(req: &actix_web::dev::ServiceRequest) -> RequestId {
    let incoming = req.headers().get(HEADER).and_then(|v| v.to_str().ok()).filter(|v| {
        !v.is_empty() && v.len() <= 64 && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    RequestId(incoming.map(str::to_owned).unwrap_or_else(|| uuid::Uuid::now_v7().to_string()))
}

pub fn of(req: &HttpRequest) -> Option<String> {
    use actix_web::HttpMessage;
    req.extensions().get::<RequestId>().map(|r| r.0.clone())
}

/// The client's address: the TCP peer, or what the trusted reverse proxy says it saw.
pub fn client_ip(req: &HttpRequest, trust_proxy: bool) -> String {
    if trust_proxy {
        if let Some(ip) = req.connection_info().realip_remote_addr() {
            return ip.to_owned();
        }
    }
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_default()
}
