//! One module per page.

pub mod accept_invite;
pub mod core;
pub mod dashboard;
pub mod identity;
pub mod leads;
pub mod login;
pub mod marketing;
pub mod module;
pub mod not_found;
pub mod settings;
pub mod signup;
