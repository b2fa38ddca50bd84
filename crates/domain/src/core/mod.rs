//! What every module shares: identifiers, the problem body, validation, permissions and modules,
//! cursors, audit diffs, the recycle bin, notifications, custom fields (the record kernel's types) and
//! the ISO 3166-1 country table.

pub mod activities;
pub mod attachments;
pub mod audit;
pub mod countries;
pub mod custom_fields;
pub mod ids;
pub mod modules;
pub mod money;
pub mod notifications;
pub mod page;
pub mod permissions;
pub mod problem;
pub mod recycle;
pub mod search;
pub mod timeline;
pub mod totals;
pub mod validation;
pub mod versioned;
