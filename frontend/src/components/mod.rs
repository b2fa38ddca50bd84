//! Building blocks shared by the pages.

pub mod confirm;
pub mod copy;
pub mod field;
pub mod layout;
pub mod nav;
pub mod notifications;
pub mod rows;
pub mod search;
pub mod table;
pub mod toast;
pub mod totals;
