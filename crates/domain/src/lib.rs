//! kith-domain: the vocabulary shared by the API, the database layer, the typed client and the SPA.
//!
//! Everything here is pure: identifiers, validated values, permission rules, cursors and the wire
//! types of the REST API (requests, views and the RFC 9457 problem body). The crate builds for
//! `wasm32-unknown-unknown` without any database code, so the SPA runs the same checks as the server.

pub mod attachments;
pub mod audit;
pub mod auth;
pub mod call_lists;
pub mod custom_fields;
pub mod email_html;
pub mod identity;
pub mod ids;
pub mod imports;
pub mod inbound;
pub mod lead_merge;
pub mod leads;
pub mod modules;
pub mod notifications;
pub mod page;
pub mod permissions;
pub mod problem;
pub mod recycle;
pub mod rules;
pub mod sequences;
pub mod validation;
pub mod webforms;

pub use ids::*;
pub use problem::{ErrorCode, FieldError, Problem};
