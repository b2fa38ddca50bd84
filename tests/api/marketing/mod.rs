//! Marketing: sequences.

pub(crate) mod sequences;
