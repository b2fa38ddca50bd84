//! Marketing: email sequences and the engagement (opens and clicks) of the email Kith sends to leads.

pub mod email_engagement;
pub mod sequences;

pub(crate) fn register(k: &mut crate::core::kernel::Kernel) {
    sequences::register(k);
}
