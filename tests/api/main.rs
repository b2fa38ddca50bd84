//! Kith's integration tests: one binary, every test against a real server and a fresh database.
//! `make test` runs it on SQLite and again on PostgreSQL.

mod access;
mod auth;
mod browser;
mod call_lists;
mod contract;
mod conventions;
mod custom_fields;
mod database;
mod email;
mod identity;
mod imports;
mod inbound;
mod jobs;
mod leads;
mod merge;
mod openapi;
mod record_scope;
mod sequences;
mod spec_conventions;
mod tenancy;
mod webforms;
mod workers;
