//! Kith's integration tests: one binary, every test against a real server and a fresh database.
//! `make test` runs it on SQLite and again on PostgreSQL.

mod browser;
mod catalog;
mod cli;
mod contract;
mod core;
mod identity;
mod leads;
mod marketing;
mod pipeline;
