//! One module per page.

pub mod accept_invite;
pub mod dashboard;
pub mod leads;
pub mod login;
pub mod module;
pub mod not_found;
pub mod settings;
pub mod signup;
