//! Kith's integration tests: one binary, every test against a real server and a fresh database.
//! `make test` runs it on SQLite and again on PostgreSQL.

mod access;
mod attachments;
mod audit_trail;
mod auth;
mod browser;
mod call_lists;
mod cli;
mod contract;
mod conventions;
mod coverage_access;
mod custom_fields;
mod database;
mod delivery;
mod email;
mod http_headers;
mod idempotency;
mod identity;
mod imports;
mod inbound;
mod jobs;
mod leads;
mod merge;
mod openapi;
mod record_scope;
mod rules_api;
mod sequences;
mod spec_conventions;
mod tenancy;
mod webforms;
mod workers;
