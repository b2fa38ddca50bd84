//! kith-domain: the vocabulary shared by the API, the database layer, the typed client and the SPA.
//!
//! Everything here is pure: identifiers, validated values, permission rules, cursors and the wire
//! types of the REST API (requests, views and the RFC 9457 problem body). The crate builds for
//! `wasm32-unknown-unknown` without any database code, so the SPA runs the same checks as the server.

pub mod catalog;
pub mod core;
pub mod customers;
pub mod identity;
pub mod leads;
pub mod marketing;
pub mod pipeline;

pub use crate::core::ids::*;
pub use crate::core::problem::{ErrorCode, FieldError, Problem};
