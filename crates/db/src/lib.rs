//! kith-db: storage for Kith.
//!
//! One connection type serves PostgreSQL and SQLite (`DbConnection`, a diesel `MultiConnection`);
//! the backend is chosen from the URL scheme. Each aggregate has a module of plain functions that
//! take a [`Scope`] (the tenant and the actor, which only authentication can create) and a
//! connection, and do their work — the write, its audit row, its side records — in one transaction.

pub mod catalog;
pub mod connection;
pub mod core;
pub mod customers;
pub mod error;
pub mod identity;
pub mod leads;
pub mod marketing;
pub mod pipeline;
pub mod schema;

pub use crate::core::clock::Clock;
pub use crate::core::scope::Scope;
pub use crate::core::util::{now, now_utc};
pub use connection::{Backend, DbConnection, Pool, PoolOptions};
pub use error::{Error, Result};

/// The composition root: every context registers its hooks, job kinds and maintenance with the
/// kernel here, once (`core::kernel::kernel()`); shared code only reads the registry.
fn contexts(k: &mut crate::core::kernel::Kernel) {
    identity::register(k);
    crate::core::register(k);
    leads::register(k);
    marketing::register(k);
    customers::register(k);
    pipeline::register(k);
    catalog::register(k);
}

#[cfg(test)]
mod composition_tests;
