//! The screens, in one folder per business context (the same contexts as the crates): `core`
//! (home, the settings shell, recycle bin, audit trail), `identity`, `leads` (its capture channels and
//! settings included) and `marketing`. Each context registers its settings pages and record kinds in
//! [`crate::registry`].

pub mod catalog;
pub mod core;
pub mod customers;
pub mod identity;
pub mod leads;
pub mod marketing;
pub mod pipeline;
