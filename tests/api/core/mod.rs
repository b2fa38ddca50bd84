//! The kernel's tests: access (generated from the spec), audit, conventions, idempotency, jobs and workers,
//! email delivery, the database and the spec itself.

mod access;
mod activities;
mod attachments;
mod audit_trail;
mod browser_activities;
mod conventions;
mod coverage_access;
mod custom_fields;
mod database;
mod delivery;
mod email;
mod every_error_at_once;
mod http_headers;
mod idempotency;
mod jobs;
mod openapi;
mod record_kernel_migration;
mod search;
mod spec_conventions;
mod static_files;
mod timeline;
mod workers;
