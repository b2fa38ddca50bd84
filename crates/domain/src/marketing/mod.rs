//! Marketing: email sequences and the HTML of the email Kith sends (tracking links and pixel).

pub mod email_html;
pub mod sequences;
