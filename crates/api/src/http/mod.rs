//! The REST conventions every resource gets for free: request ids, security headers, problem+json
//! for every error, body limits, ETag/If-Match, Idempotency-Key, metrics.

pub mod conventions;
pub mod etag;
pub mod idempotency;
pub mod input;
pub mod methods;
pub mod metrics;
pub mod outbound;
pub mod request_id;
pub mod upload;
